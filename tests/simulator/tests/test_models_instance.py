# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Instance layout, storage format, mount marks, globals persistence (DESIGN.md Contract 3)."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from iris_sim import storage
from iris_sim.instance import Instance
from test_models_support import Sim, fixture_sim  # noqa: F401  pylint: disable=unused-import


def test_open_uses_environment(tmp_path, monkeypatch):
    """ISC_PACKAGE_INSTALLDIR / ISC_DATA_DIRECTORY (durable %SYS, S25) decide the paths."""
    monkeypatch.setenv("ISC_PACKAGE_INSTALLDIR", str(tmp_path / "irissys"))
    monkeypatch.setenv("ISC_DATA_DIRECTORY", str(tmp_path / "durable"))
    inst = Instance.open()
    assert inst.install_dir == str(tmp_path / "irissys")
    assert inst.mgr_dir == str(tmp_path / "durable" / "mgr")
    monkeypatch.delenv("ISC_DATA_DIRECTORY")
    assert Instance.open().mgr_dir == str(tmp_path / "irissys" / "mgr")


def test_initial_layout(sim):
    """Default databases, namespaces, users (hashed, ChangePassword=1), services, tasks, profiles."""
    inst = sim.inst
    assert set(inst.config.databases()) == {"IRISSYS", "IRISLIB", "IRISTEMP", "IRISAUDIT", "USER"}
    assert inst.db_dir("USER") == inst.mgr_dir + "/user/"
    assert inst.db_dir("IRISLIB").startswith(inst.install_dir)
    assert inst.config.namespaces() == {"%SYS": {"Globals": "IRISSYS", "Routines": "IRISSYS"},
                                        "USER": {"Globals": "USER", "Routines": "USER"}}
    users = inst.system["users"]
    assert {u["Name"] for u in users.values()} >= {"_SYSTEM", "SuperUser", "Admin", "CSPSystem", "UnknownUser", "irisowner"}
    assert all(u["ChangePassword"] == 1 for u in users.values())
    raw = open(storage.dat_path(inst.db_dir("IRISSYS")), "rb").read(2_000_000)
    assert b'"SYS"' not in raw and b"SuperUser" in raw
    assert inst.system["services"]["%Service_CallIn"]["Enabled"] == 0
    assert all(int(t) < 1000 for t in inst.system["tasks"]) and inst.system["next_task_id"] == 1000
    assert set(inst.system["sp"]["profiles"]) == {"test", "30mins", "4hours", "8hours", "12hours", "24hours"}
    assert inst.authenticate("SuperUser", "SYS") == (False, "password change required")


def test_globals_persist_across_reload(sim):
    """Globals written in one session are read in the next; %-globals live in IRISSYS."""
    sim.run("USER", 'set ^G(1,"a")=5,^G(2)="x",^%Z=7')
    assert sim.write("USER", '^G(1,"a")_$o(^G(""))_$o(^G(1))_$d(^G(1))') == "51210"
    assert sim.write("%SYS", "^%Z") == "7"
    assert sim.write("%SYS", "$d(^G)") == "0"


def test_status_file(sim):
    """``status`` is read from mgr/sim-runtime.json; set_status keeps extras."""
    sim.inst.set_status("down", pid=5)
    data = json.load(open(os.path.join(sim.inst.mgr_dir, "sim-runtime.json")))
    assert data["status"] == "down" and data["pid"] == 5
    assert Instance(sim.inst.install_dir, sim.inst.data_dir).status == "down"


def test_dat_header_and_big_file(tmp_path):
    """Header + payload + sparse padding: a 1 GiB file is read through its header only."""
    path = str(tmp_path / "IRIS.DAT")
    header = storage.new_header(size_mb=1024)
    storage.create(path, header, {"globals": {"X": [[[], 1]]}, "tables": {}})
    assert os.path.getsize(path) == 1024 * storage.MIB
    assert open(path, "rb").read(12) == b"IRIS-SIM-DAT"
    payload = storage.read_payload(path)
    assert payload["globals"] == {"X": [[[], 1]]}


def test_truncated_and_corrupt_files_fail(tmp_path):
    """A truncated copy or a damaged payload is refused with a clear reason."""
    path = str(tmp_path / "IRIS.DAT")
    storage.create(path, storage.new_header(size_mb=2))
    with open(path, "r+b") as handle:
        handle.truncate(storage.MIB)
    with pytest.raises(storage.DatError) as info:
        storage.read_header(path)
    assert info.value.kind == "truncated"
    other = str(tmp_path / "b.DAT")
    storage.create(other, storage.new_header(), {"globals": {"A": [[[], "v"]]}, "tables": {}})
    with open(other, "r+b") as handle:
        handle.seek(storage.HEADER_SIZE + 3)
        handle.write(b"#")
    with pytest.raises(storage.DatError, match="checksum"):
        storage.read_payload(other)
    with open(other, "r+b") as handle:
        handle.write(b"JUNK")
    with pytest.raises(storage.DatError, match="not a database"):
        storage.read_header(other)


def test_copy_of_mounted_database_refused_clean_copy_mounts(sim):
    """Copy while mounted → refused; dismount → copy → mount works in a new directory (§0 item 6)."""
    inst = sim.inst
    src = os.path.join(sim.root, "db", "src")
    assert sim.write("%SYS", f'##class(SYS.Database).CreateDatabase("{src}",1)') == "1"
    sim.run("%SYS", f'set p("Directory")="{src}" write ##class(Config.Databases).Create("SRC",.p)',
            'set n("Globals")="SRC" write ##class(Config.Namespaces).Create("SRC",.n)')
    sim.run("SRC", 'set ^data(1)="fixture"')
    hot = os.path.join(sim.root, "db", "hot")
    os.makedirs(hot)
    shutil.copyfile(os.path.join(src, "IRIS.DAT"), os.path.join(hot, "IRIS.DAT"))
    out = sim.run("%SYS", f'set sc=##class(SYS.Database).MountDatabase("{hot}") write $system.Status.GetErrorText(sc)')
    assert "mounted by another system" in out
    assert sim.write("%SYS", f'##class(SYS.Database).DismountDatabase("{src}")') == "1"
    cold = os.path.join(sim.root, "db", "cold")
    os.makedirs(cold)
    shutil.copyfile(os.path.join(src, "IRIS.DAT"), os.path.join(cold, "IRIS.DAT"))
    sim.run("%SYS", f'write ##class(SYS.Database).MountDatabase("{src}")')
    assert sim.write("%SYS", f'##class(SYS.Database).MountDatabase("{cold}")') == "1"
    sim.run("%SYS", f'set p("Directory")="{cold}" do ##class(Config.Databases).Create("COLD",.p)',
            'set n("Globals")="COLD" do ##class(Config.Namespaces).Create("COLD",.n)')
    assert sim.write("COLD", "^data(1)") == "fixture"
    assert inst.is_mounted(cold)


def test_unclean_shutdown_recovers_with_alert(tmp_path):
    """Own stale marks after a crash are recovered; the System Monitor goes to alert (S32)."""
    sim = Sim(tmp_path)
    sim.run("USER", "set ^a=1")
    inst2 = Instance(sim.inst.install_dir, sim.inst.data_dir)
    report = inst2.startup()
    assert report["abnormal"] and "USER" in report["recovered"]
    assert inst2.monitor_state == 2
    assert sim.write("%SYS", "$SYSTEM.Monitor.State()") == "2"
    inst2.shutdown()
    header = storage.read_header(storage.dat_path(inst2.db_dir("USER")))
    assert header["mount"] is None


def test_freeze_defers_writes_and_makes_copies_mountable(sim):
    """ExternalFreeze: writes wait in mgr/sim-frozen; a copy taken while frozen mounts (S21)."""
    user_dat = storage.dat_path(sim.inst.db_dir("USER"))
    assert sim.write("%SYS", "##class(Backup.General).ExternalFreeze()") == "1"
    assert sim.write("%SYS", "##class(Backup.General).IsWDSuspended()") == "1"
    sim.run("USER", "set ^f=42")
    assert sim.write("USER", "^f") == "42"
    assert storage.read_payload(user_dat)["globals"] == {}
    snap = os.path.join(sim.root, "snap")
    os.makedirs(snap)
    shutil.copyfile(user_dat, os.path.join(snap, "IRIS.DAT"))
    assert sim.write("%SYS", "##class(Backup.General).ExternalThaw()") == "1"
    assert "f" in storage.read_payload(user_dat)["globals"]
    assert sim.write("%SYS", f'##class(SYS.Database).MountDatabase("{snap}")') == "1"
