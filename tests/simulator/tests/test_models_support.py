# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the MODELS tests: a fresh running instance and an ``iris session`` runner."""

from __future__ import annotations

import io

import pytest

from iris_sim.instance import Instance
from iris_sim.shell import run_session


class Sim:
    """A started instance in a temp directory plus ``run(ns, *lines)`` → output text."""

    def __init__(self, root):
        self.root = str(root)
        self.inst = Instance(self.root + "/install", self.root + "/data")
        self.inst.initialize()
        self.inst.set_status("starting")
        self.inst.set_status("running")

    def run(self, namespace: str, *lines: str) -> str:
        """Run lines in a session (lock, reload, run, save) and return the output without prompts."""
        out = io.StringIO()
        with self.inst.session_lock():
            self.inst.reload()
            run_session(self.inst, namespace, list(lines), out)
            self.inst.save()
        text = out.getvalue()
        for prompt in (namespace.upper() + ">", "%SYS>", "USER>"):
            text = text.replace(prompt, "")
        return text.strip()

    def write(self, namespace: str, expr: str) -> str:
        """Value of ``write <expr>``."""
        return self.run(namespace, f"write {expr}")


@pytest.fixture(name="sim")
def fixture_sim(tmp_path):
    """A fresh simulated instance."""
    return Sim(tmp_path)


def test_support_fixture_starts_instance(sim):
    """The helper gives a running instance with USER mounted."""
    assert sim.inst.status == "running"
    assert sim.inst.is_mounted(sim.inst.db_dir("USER"))
