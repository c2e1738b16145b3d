# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The wrong calls of iris-devtester (iris-sources.md LESSONS §2-§5, iris-sources.md §8) must fail here."""

from __future__ import annotations

import os
import shutil

from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import


def test_systemperformance_task_class_does_not_exist(sim):
    """iris-sources.md §0.4 / §8 item 1: %SYS.Task.SystemPerformance is not a class."""
    assert "<CLASS DOES NOT EXIST> *%SYS.Task.SystemPerformance" in sim.run(
        "%SYS", "set d=##class(%SYS.Task.SystemPerformance).%New()")
    out = sim.run("%SYS", 'set t=##class(%SYS.Task).%New(),t.Name="iris-devtools-monitor",t.TaskClass="%SYS.Task.SystemPerformance"',
                  "set sc=t.%Save() write $system.Status.GetErrorText(sc)")
    assert "ERROR #5001" in out and "%SYS.Task.SystemPerformance" in out
    assert sim.inst.system["tasks"].get("1000") is None


def test_invented_task_properties(sim):
    """§8 item 1: DailyIncrementUnit and StartTime are not %SYS.Task properties."""
    for prop in ("DailyIncrementUnit", "StartTime", "NextScheduledTime"):
        out = sim.run("%SYS", f'set t=##class(%SYS.Task).%New(),t.{prop}=1')
        assert f"<PROPERTY DOES NOT EXIST> *{prop},%SYS.Task" in out


def test_invented_task_sql_column(sim):
    """lessons §2.4: SQL on DailyIncrementUnit fails with -29."""
    out = sim.run("%SYS", 'set rs=##class(%SQL.Statement).%ExecDirect(,"SELECT DailyIncrementUnit FROM %SYS.Task")',
                  "write rs.%SQLCODE")
    assert out == "-29"


def test_security_users_password_methods_do_not_exist(sim):
    """lessons §0.2 / §3 row 2: ChangePassword() and SetPassword() do not exist."""
    assert "<METHOD DOES NOT EXIST> *ChangePassword,Security.Users" in sim.run(
        "%SYS", 'do ##class(Security.Users).ChangePassword("SuperUser","new","SYS")')
    assert "<METHOD DOES NOT EXIST> *SetPassword,Security.Users" in sim.run(
        "%SYS", 'do ##class(Security.Users).SetPassword("SuperUser","new")')


def test_changepassword_property_must_be_boolean(sim):
    """iris-sources.md §6 S10: ChangePassword="newpass" via Modify fails with #5001; nothing changes."""
    out = sim.run("%SYS", 'set p("ChangePassword")="newpass",p("Password")="newpass"',
                  'set sc=##class(Security.Users).Modify("SuperUser",.p) write $system.Status.GetErrorCodes(sc)')
    assert out == "5001"
    assert sim.inst.authenticate("SuperUser", "SYS") == (False, "password change required")


def test_wrong_property_names_are_ignored_and_change_nothing(sim):
    """lessons §2.4: ChangePasswordAtNextLogin is silently ignored — the forced change stays set."""
    out = sim.run("%SYS", 'set p("ChangePasswordAtNextLogin")=0 write ##class(Security.Users).Modify("SuperUser",.p)')
    assert out == "1"
    assert sim.inst.system["users"]["SUPERUSER"]["ChangePassword"] == 1


def test_iris_execute_style_call(sim):
    """§8 item 3: iris_obj.execute("…") has no ObjectScript counterpart; %SYSTEM.Process has no
    GetSystemPerformance (§2.4 unverified names)."""
    out = sim.run("%SYS", 'do ##class(%SYSTEM.Process).GetSystemPerformance()')
    assert "<METHOD DOES NOT EXIST>" in out
    assert "<CLASS DOES NOT EXIST>" in sim.run("%SYS", 'do ##class(iris).execute("set x=1")')


def test_namespace_create_without_props_is_unusable(sim):
    """lessons §2.4/§4.7: Create(ns) with no array, or with Get(...) passed by value, gives a
    namespace without a database; using it fails with <DIRECTORY>."""
    assert sim.write("%SYS", '##class(Config.Namespaces).Create("BROKEN")') == "1"
    assert sim.write("%SYS", '##class(Config.Namespaces).Create("BROKEN2",##class(Config.Namespaces).Get("USER"))') == "1"
    for namespace in ("BROKEN", "BROKEN2"):
        assert "<DIRECTORY>" in sim.run(namespace, "set ^x=1")
    assert sim.run("%SYS", 'do ##class(Config.Namespaces).Get("BROKEN",.p) write "["_p("Globals")_"]"') == "[]"


def test_config_classes_outside_sys(sim):
    """§0 item 2: Config.*, Security.*, SYS.Database only in %SYS."""
    assert "<CLASS DOES NOT EXIST> *Security.Users" in sim.run("USER", 'do ##class(Security.Users).Exists("x")')
    assert "<CLASS DOES NOT EXIST> *SYS.Database" in sim.run("USER", 'do ##class(SYS.Database).MountDatabase("/x")')
    assert "<NOROUTINE>" in sim.run("USER", 'write $$run^SystemPerformance("test")')


def test_config_databases_size_is_not_physical(sim):
    """§0 item 5: Size passed to Config.Databases has no effect; no IRIS.DAT, the DB is unusable."""
    directory = os.path.join(sim.root, "fx")
    sim.run("%SYS", f'set p("Directory")="{directory}",p("Size")=100 do ##class(Config.Databases).Create("FX",.p)',
            'set n("Globals")="FX",n("Routines")="FX" do ##class(Config.Namespaces).Create("FX",.n)')
    assert not os.path.exists(os.path.join(directory, "IRIS.DAT"))
    assert "<DIRECTORY>" in sim.run("FX", "write $d(^x)")


def test_hot_copy_restore_fails(sim):
    """lessons §4.3/§4.4: cp of a mounted IRIS.DAT, Config.Databases.Create + MountDatabase in a new
    directory → the mount fails and the namespace is unusable (models §4.8's torn-copy hypothesis)."""
    src = sim.inst.db_dir("USER")
    sim.run("USER", "set ^fixture=1")
    target = os.path.join(sim.root, "db_fix")
    os.makedirs(target)
    shutil.copyfile(os.path.join(src, "IRIS.DAT"), os.path.join(target, "IRIS.DAT"))
    out = sim.run("%SYS", f'set p("Directory")="{target}" write ##class(Config.Databases).Create("DB_FIX",.p)',
                  f'set sc=##class(SYS.Database).MountDatabase("{target}") write $system.Status.GetErrorCodes(sc)',
                  'set n("Globals")="DB_FIX",n("Routines")="DB_FIX" write ##class(Config.Namespaces).Create("FIX",.n)')
    assert out.split() == ["1", "5001", "1"]
    assert "<DIRECTORY>" in sim.run("FIX", "write ^fixture")


def test_sql_insert_task_without_schedule_validation(sim):
    """lessons §2.4/§5.2: creating tasks by SQL INSERT bypasses %Save; the simulator refuses it."""
    out = sim.run("%SYS", 'set rs=##class(%SQL.Statement).%ExecDirect(,"INSERT INTO %SYS.Task (Name, TaskClass) VALUES (?,?)",'
                          '"m","%SYS.Task.SystemPerformance")', "write rs.%SQLCODE")
    assert out == "-400"


def test_daily_frequency_one_is_not_every_day(sim):
    """§8 item 1: DailyFrequency=1 means several times a day and needs DailyIncrement."""
    out = sim.run("%SYS", 'set t=##class(%SYS.Task).%New(),t.Name="m",t.TaskClass="%SYS.Task.RunLegacyTask"',
                  "set t.DailyFrequency=1,sc=t.%Save() write $system.Status.GetErrorCodes(sc)")
    assert out == "5001"
