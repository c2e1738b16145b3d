# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection (faults.py) and the fixture-relevant storage facts: a copy of a mounted IRIS.DAT
is refused, a cold copy (dismounted or frozen) mounts elsewhere with its tables."""

from __future__ import annotations

import json
import os
import shutil

from iris_sim import faults
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import


def test_fault_fails_once_then_works(sim):
    """An armed method fails with #5001 exactly `count` times and changes nothing while failing."""
    directory = os.path.join(sim.root, "fx")
    faults.set_fault(sim.inst, "Config.Databases.Create", 1)
    out = sim.run("%SYS", f'set p("Directory")="{directory}",sc=##class(Config.Databases).Create("FX",.p) '
                          'write $SYSTEM.Status.GetErrorText(sc)')
    assert "Simulated fault" in out and "Config.Databases.Create" in out
    assert sim.write("%SYS", '##class(Config.Databases).Exists("FX")') == "0"
    assert not os.path.exists(faults.faults_path(sim.inst))  # consumed: file removed
    out = sim.run("%SYS", f'set p("Directory")="{directory}" write ##class(Config.Databases).Create("FX",.p)')
    assert out == "1"


def test_fault_counts_and_other_members_untouched(sim):
    """Counts > 1 persist between sessions; other members are not affected."""
    faults.set_fault(sim.inst, "SYS.Database.MountDatabase", 2)
    user_dir = sim.inst.db_dir("USER")
    assert sim.write("%SYS", f'##class(SYS.Database).DismountDatabase("{user_dir}")') == "1"
    for dummy in range(2):
        assert "Simulated fault" in sim.run("%SYS", f'write $SYSTEM.Status.GetErrorText(##class(SYS.Database).MountDatabase("{user_dir}"))')
    assert sim.write("%SYS", f'##class(SYS.Database).MountDatabase("{user_dir}")') == "1"
    assert faults.pending(sim.inst) == {}


def test_fault_file_boolean_methods_and_bad_file(sim):
    """%File methods return 0 when tripped; a malformed fault file injects nothing."""
    target = os.path.join(sim.root, "a", "b")
    faults.set_fault(sim.inst, "%Library.File.CreateDirectoryChain", 1)
    assert sim.write("%SYS", f'##class(%File).CreateDirectoryChain("{target}")') == "0"
    assert not os.path.isdir(target)
    with open(faults.faults_path(sim.inst), "w", encoding="utf-8") as handle:
        handle.write("{not json")
    assert sim.write("%SYS", f'##class(%File).CreateDirectoryChain("{target}")') == "1"
    assert os.path.isdir(target)


def test_fault_never_accepts(sim):
    """Arming an unknown or misspelled member changes nothing: unknown classes still fail."""
    with open(faults.faults_path(sim.inst), "w", encoding="utf-8") as handle:
        json.dump({"No.Such.Method": 5, "Config.Databases.Create": "x"}, handle)
    assert "<CLASS DOES NOT EXIST>" in sim.run("%SYS", 'write ##class(No.Such).Method()')
    out = sim.run("%SYS", f'set p("Directory")="{sim.root}/y" write ##class(Config.Databases).Create("Y",.p)')
    assert out == "1"


def _make_table(sim, namespace):
    sim.run(namespace, 'set rs=##class(%SQL.Statement).%ExecDirect(,"CREATE TABLE Fx.Item (Name VARCHAR(20))")',
            'set rs=##class(%SQL.Statement).%ExecDirect(,"INSERT INTO Fx.Item (Name) VALUES (?)","a")',
            'set rs=##class(%SQL.Statement).%ExecDirect(,"INSERT INTO Fx.Item (Name) VALUES (?)","b")')


def _attach(sim, name, directory):
    return sim.run("%SYS", f'set p("Directory")="{directory}" write ##class(Config.Databases).Create("{name}",.p)',
                   f'write ##class(SYS.Database).MountDatabase("{directory}")',
                   f'set n("Globals")="{name}",n("Routines")="{name}" write ##class(Config.Namespaces).Create("{name}",.n)')


def test_copy_of_mounted_dat_is_refused_cold_copy_mounts(sim):
    """iris-sources.md §0.6: never copy a mounted database; dismount -> copy -> mount is consistent."""
    _make_table(sim, "USER")
    user_dir = sim.inst.db_dir("USER")
    hot = os.path.join(sim.root, "hot")
    os.makedirs(hot)
    shutil.copyfile(os.path.join(user_dir, "IRIS.DAT"), os.path.join(hot, "IRIS.DAT"))
    out = sim.run("%SYS", f'set p("Directory")="{hot}" write ##class(Config.Databases).Create("HOT",.p)',
                  f'write $SYSTEM.Status.GetErrorText(##class(SYS.Database).MountDatabase("{hot}"))')
    assert "marked as mounted" in out
    cold = os.path.join(sim.root, "cold")
    os.makedirs(cold)
    assert sim.write("%SYS", f'##class(SYS.Database).DismountDatabase("{user_dir}")') == "1"
    shutil.copyfile(os.path.join(user_dir, "IRIS.DAT"), os.path.join(cold, "IRIS.DAT"))
    assert sim.write("%SYS", f'##class(SYS.Database).MountDatabase("{user_dir}")') == "1"
    assert _attach(sim, "COLD", cold).split() == ["1", "1", "1"]
    out = sim.run("COLD", 'set rs=##class(%SQL.Statement).%ExecDirect(,"SELECT COUNT(*) FROM Fx.Item") do rs.%Next() write rs.%GetData(1)')
    assert out == "2"
