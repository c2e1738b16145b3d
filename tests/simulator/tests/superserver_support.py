# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the superserver tests: a temp instance served on 127.0.0.1:0, and a hang guard.

Layout mistakes make the real client hang instead of failing (iris-sources.md WIRE §7): every client call
runs through ``guarded`` (a thread joined with a timeout) and every connection uses ``timeout=5``.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from iris_sim import main as sim_main
from iris_sim.instance import Instance
from iris_sim.superserver import Superserver

from test_models_support import Sim

PASSWORD = "Canary-Pw-42"
GUARD_SECONDS = 60  # generous on a loaded 2-core machine; only a hang reaches it


def guarded(func, *args, seconds=GUARD_SECONDS, **kwargs):
    """``func(*args)`` in a daemon thread; a call still running after ``seconds`` fails the test."""
    box = {}

    def target():
        try:
            box["value"] = func(*args, **kwargs)
        except BaseException as exc:  # pylint: disable=broad-except
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail("client call %s hung for %ss (a reply layout the client misreads?)" % (func, seconds))
    if "error" in box:
        raise box["error"]
    return box.get("value")


class Served(Sim):
    """A running instance, ``_SYSTEM`` with PASSWORD (no change required), and its superserver."""

    def __init__(self, root, **server_kwargs):
        super().__init__(root)
        out = self.run("%SYS", 'kill p set p("ChangePassword")=0,p("Password")="%s" '
                               'write ##class(Security.Users).Modify("_SYSTEM",.p)' % PASSWORD)
        assert out == "1"
        self.logs: list[str] = []

        def log(text, severity=0):
            self.logs.append(text)
            sim_main.log_message(text, severity, "Superserver", mgr=self.inst.mgr_dir)

        self.server = Superserver(lambda: Instance(self.inst.install_dir, self.inst.data_dir),
                                  bind="127.0.0.1", port=0, log=log, **server_kwargs)
        self.port = self.server.port

    def connect(self, namespace="USER", user="_SYSTEM", password=PASSWORD, **kwargs):
        import iris  # pylint: disable=import-outside-toplevel
        return guarded(iris.connect, "127.0.0.1", self.port, namespace, user, password, timeout=5, **kwargs)

    def wait_log(self, text: str, seconds: float = 20) -> bool:
        """True once a log line contains ``text`` (the server handles a no-reply message after the client returns)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(text in line for line in list(self.logs)):
                return True
            time.sleep(0.05)
        return False

    def messages_log(self) -> str:
        path = sim_main.messages_log_path(self.inst.mgr_dir)
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8") as fh:
            return fh.read()


@pytest.fixture(name="served")
def fixture_served(tmp_path):
    import iris  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import  # required: tests/constraints.txt
    served = Served(tmp_path)
    yield served
    served.server.stop()
