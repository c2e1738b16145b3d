# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole modules over ``transport: native`` that the first served tests left out (issue 13 deliverables 4-5):
iris_fixture (export, restore four times, a damaged fixture, leftover temp files removed by the server) and iris_info's
metrics without a URL, with the real InterSystems client against the simulator's superserver."""

from __future__ import annotations

import json
import os
import shutil

from ansible_collections.iris_devtools.iris.plugins.modules import iris_fixture, iris_info
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_fixture import count, make_source
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_instance_native_served import (  # noqa: F401  pylint: disable=unused-import
    PASSWORD,
    _native_args,
    fixture_served,
    guarded,
)


def _fixture(run_module_main, args, check=False):
    result, failed = guarded(run_module_main, iris_fixture, args, check_mode=check, diff=True)
    assert PASSWORD not in json.dumps(result, default=str)
    return dict(result, failed=failed)


def test_iris_fixture_over_native(served, run_module_main, tmp_path):
    sim, port = served
    make_source(sim)
    path = str(tmp_path / "fx")
    exported = _fixture(run_module_main, _native_args(port, state="exported", namespace="SRC", path=path))
    assert not exported["failed"] and exported["changed"], exported
    kept = os.path.join(sim.inst.mgr_dir, "kept")
    os.mkdir(kept)
    restore = _native_args(port, state="present", namespace="FIX1", path=path, database_dir=kept)
    runs = [_fixture(run_module_main, restore, check=check) for check in (True, False, True, False)]
    assert [r["failed"] for r in runs] == [False] * 4, runs
    assert [r["changed"] for r in runs] == [True, True, False, False]
    assert runs[0]["actions"] == runs[1]["actions"]
    assert count(sim, "FIX1", "Shop.Item") == 3

    # A damaged copy of the fixture never installs.
    damaged = str(tmp_path / "damaged")
    shutil.copytree(path, damaged)
    with open(os.path.join(damaged, "IRIS.DAT"), "r+b") as handle:
        handle.seek(100)
        byte = handle.read(1)
        handle.seek(100)
        handle.write(bytes([byte[0] ^ 0xFF]))
    bad = _fixture(run_module_main, _native_args(port, state="present", namespace="FIX2", path=damaged))
    assert bad["failed"] and "checksum" in bad["msg"].lower(), bad
    sim.inst.reload()
    assert "FIX2" not in sim.inst.config.namespaces()
    assert not os.path.exists(os.path.join(sim.inst.mgr_dir, "fix2", "IRIS.DAT"))

    # Leftovers of an interrupted copy in the kept directory: the server lists and removes them (no command beside IRIS).
    for name in (".iris-devtools-upload-1f2e-IRIS.DAT", ".iris-devtools-tmp-9c", "keep-me.txt"):
        with open(os.path.join(kept, name), "wb") as handle:
            handle.write(b"partial")
    absent = _native_args(port, state="absent", namespace="FIX1")
    check = _fixture(run_module_main, absent, check=True)
    assert not check["failed"], check
    assert any("2 leftover temp file(s)" in action for action in check["actions"]), check["actions"]
    assert len(os.listdir(kept)) == 4  # check mode removed nothing
    gone = _fixture(run_module_main, absent)
    assert not gone["failed"] and gone["actions"] == check["actions"], gone
    assert sorted(os.listdir(kept)) == ["keep-me.txt"]
    assert not _fixture(run_module_main, absent)["changed"]


def test_iris_info_metrics_over_native_without_url_asks_for_it(served, run_module_main):
    dummy, port = served
    result, failed = guarded(run_module_main, iris_info, _native_args(port, gather=["metrics"]))
    assert failed and "not known over transport native" in result["msg"], result
    assert "Fix: set metrics_url to the server's /api/monitor/metrics URL" in result["msg"]
