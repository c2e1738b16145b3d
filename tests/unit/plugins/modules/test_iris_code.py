# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_code through main(): argspec, check mode, diff, idempotency and the one fail site, against the simulator."""

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.iris_devtools.iris.plugins.modules import iris_code

SAMPLE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "sample_app", "src"))


@pytest.fixture
def main(iris_sim_connect, run_module_main):
    def call(args, check=False, diff=True):
        iris_sim_connect.reset()
        result, failed = run_module_main(iris_code, dict(args, transport="local"), check_mode=check, diff=diff)
        if not failed:
            assert result["iris_sessions"] == iris_sim_connect.sessions
        return dict(result, failed=failed, sessions=iris_sim_connect.sessions)
    return call


@pytest.mark.parametrize("args, needle", [
    ({"src": "/a", "files": ["/b.cls"]}, "mutually exclusive: src|files"),
    ({"state": "gone"}, "value of state must be one of: present, absent"),
    ({"src": "/tmp", "compile_flags": 'ck")  halt'}, "compile_flags"),
    ({"src": "/tmp", "name": "../x"}, "name"),
    ({"src": "/tmp", "namespace": "US ER"}, "namespace"),
])
def test_bad_arguments_fail_before_any_session(main, args, needle):
    result = main(args)
    assert result["failed"] and needle in result["msg"] and result["sessions"] == 0


def test_four_steps_check_real_check_real(main, tmp_path):
    tree = str(tmp_path / "src")
    shutil.copytree(SAMPLE, tree)
    c1 = main({"src": tree}, check=True)
    r1 = main({"src": tree})
    c2 = main({"src": tree}, check=True)
    r2 = main({"src": tree})
    assert c1["changed"] and r1["changed"] and not c2["changed"] and not r2["changed"]
    assert c1["diff"] == r1["diff"] and c1["actions"] == r1["actions"]
    assert r2["sessions"] == 1 and r2["files_unchanged"] == 5
