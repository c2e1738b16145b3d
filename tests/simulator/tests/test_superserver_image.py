# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image's entrypoint serves the superserver on 1972: the real client runs SELECT 1 against a container.

Skipped (with the reason) when the docker CLI is missing, the daemon does not answer, or the image is absent
(IRIS_SIM_IMAGE, default iris-devtools/iris-sim:<VERSION>; `tools/run setup` or image/build.sh builds it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import pytest

from superserver_support import guarded

SIM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _image() -> str:
    with open(os.path.join(SIM_DIR, "VERSION"), encoding="utf-8") as fh:
        version = fh.read().strip()
    return os.environ.get("IRIS_SIM_IMAGE") or "iris-devtools/iris-sim:%s" % version


def _docker(*args, check=True, timeout=120):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check, timeout=timeout)


@pytest.fixture(name="container")
def fixture_container():
    import iris  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    if shutil.which("docker") is None:
        pytest.skip("docker CLI not found")
    if _docker("info", check=False, timeout=30).returncode != 0:
        pytest.skip("the Docker daemon does not answer")
    image = _image()
    if _docker("image", "inspect", image, check=False).returncode != 0:
        pytest.skip("image %s not built (tools/run setup or tests/simulator/image/build.sh)" % image)
    name = "iris-sim-sstest-%s" % uuid.uuid4().hex[:8]
    _docker("run", "-d", "--name", name, "-p", "127.0.0.1::1972", image)
    try:
        deadline = time.monotonic() + 90
        while "Enabling logons" not in _docker("logs", name, check=False).stdout:
            if time.monotonic() > deadline:
                pytest.fail("container %s never logged 'Enabling logons'" % name)
            time.sleep(0.3)
        port = int(_docker("port", name, "1972").stdout.splitlines()[0].rsplit(":", 1)[1])
        yield name, port
    finally:
        _docker("rm", "-f", name, check=False)


def test_select_1_through_the_published_port(container):
    name, port = container
    import iris  # pylint: disable=import-outside-toplevel
    # The predefined accounts must change their password first (ADOCK-AUTH): the login says so.
    with pytest.raises(RuntimeError, match="Password change required"):
        guarded(iris.connect, "127.0.0.1", port, "USER", "_SYSTEM", "SYS", timeout=5)
    line = 'kill p set p("ChangePassword")=0,p("Password")="Sim-Pw-1" write ##class(Security.Users).Modify("_SYSTEM",.p)\nhalt\n'
    out = subprocess.run(["docker", "exec", "-i", name, "iris", "session", "IRIS", "-U", "%SYS"], input=line,
                         capture_output=True, text=True, check=True, timeout=60).stdout
    assert "1" in out
    conn = guarded(iris.connect, "127.0.0.1", port, "USER", "_SYSTEM", "Sim-Pw-1", timeout=5)
    cur = conn.cursor()
    guarded(cur.execute, "SELECT 1")
    assert [tuple(r) for r in guarded(cur.fetchall)] == [(1,)]
    guarded(conn.close)
