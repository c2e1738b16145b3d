# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""%SYS.Task, definitions, TaskListDetail, run_due_tasks (iris-sources.md §1)."""

from __future__ import annotations

import datetime

import pytest

from iris_sim.errors import IrisError
from iris_sim.models import tasks
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

NEW_TASK = ('set t=##class(%SYS.Task).%New(),t.Name="job",t.TaskClass="%SYS.Task.RunLegacyTask",t.NameSpace="USER"',
            'set t.Settings=$lb("ExecuteCode","set ^ran($i(^ran))=$namespace"),t.TimePeriod=5')


def _create(sim) -> str:
    return sim.run("%SYS", *NEW_TASK, "set sc=t.%Save() write sc,\":\",t.%Id()")


def test_save_assigns_ids_from_1000_and_name_not_unique(sim):
    """S11: user IDs start at 1000; a second save with the same Name is a second task."""
    assert _create(sim) == "1:1000"
    assert _create(sim) == "1:1001"
    out = sim.run("%SYS", 'set st=##class(%SQL.Statement).%New() do st.%Prepare("SELECT ID FROM %SYS.Task WHERE Name = ?")',
                  'set rs=st.%Execute("job") while rs.%Next() { write rs.%Get("ID")," " }')
    assert out.split() == ["1000", "1001"]


def test_open_modify_delete_exists(sim):
    """%OpenId/%Save/%DeleteId/%ExistsId (S8)."""
    _create(sim)
    assert sim.run("%SYS", 'set t=##class(%SYS.Task).%OpenId(1000) write t.Name,":",t.NameSpace') == "job:USER"
    sim.run("%SYS", 'set t=##class(%SYS.Task).%OpenId(1000),t.Description="d" do t.%Save()')
    assert sim.inst.system["tasks"]["1000"]["Description"] == "d"
    assert sim.write("%SYS", '##class(%SYS.Task).%OpenId(4242)=""') == "1"
    assert sim.write("%SYS", "##class(%SYS.Task).%ExistsId(1000)") == "1"
    assert sim.write("%SYS", "##class(%SYS.Task).%DeleteId(1000)") == "1"
    assert sim.write("%SYS", "##class(%SYS.Task).%ExistsId(1000)") == "0"
    assert "#5809" in sim.write("%SYS", "$system.Status.GetErrorText(##class(%SYS.Task).%DeleteId(1000))")


def test_runnow_is_asynchronous_then_runs_execute_code(sim):
    """RunNow marks; the scheduler poll (run_due_tasks) runs ExecuteCode in the task's namespace."""
    _create(sim)
    assert sim.write("%SYS", "##class(%SYS.Task).RunNow(1000)") == "1"
    assert sim.write("USER", "$d(^ran)") == "0"
    with sim.inst.session_lock():
        sim.inst.reload()
        assert tasks.run_due_tasks(sim.inst) == ["1000"]
        sim.inst.save()
    assert sim.write("USER", "^ran(1)") == "USER"
    assert sim.write("%SYS", "##class(%SYS.Task).%OpenId(1000).LastFinished'=\"\"") == "1"
    out = sim.run("%SYS", 'set rs=##class(%ResultSet).%New("%SYS.Task.History:TaskHistoryForTask")',
                  'do rs.Execute(1000) while rs.Next() { write rs.Get("Task Name"),"|",rs.Get("Status") }')
    assert out == "job|1"


def test_failing_code_records_error(sim):
    """An error in ExecuteCode becomes the task's error status (S3)."""
    sim.run("%SYS", *NEW_TASK, 'set t.Settings=$lb("ExecuteCode","write undefinedvar")', "do t.%Save()")
    with sim.inst.session_lock():
        sim.inst.reload()
        status = tasks.run_task(sim.inst, "1000")
        sim.inst.save()
    assert status != 1
    assert "UNDEFINED" in sim.inst.system["tasks"]["1000"]["_error"]


def test_tasklistdetail_columns(sim):
    """%ResultSet %SYS.Task:TaskListDetail columns of S8."""
    _create(sim)
    out = sim.run("%SYS", 'set rs=##class(%ResultSet).%New("%SYS.Task:TaskListDetail") do rs.Execute()',
                  'while rs.Next() { if rs.Data("ID")=1000 { write rs.Get("Task Name"),"|",rs.Get("Run Interval"),"|",'
                  'rs.Get("Namespace"),"|",rs.GetData(1) } }')
    assert out == "job|On Demand|USER|1000"
    assert tasks.TASKLIST_COLUMNS[:3] == ["ID", "Task Name", "Description"]


def test_schedule_daily_several_times(sim):
    """DailyFrequency=1, DailyFrequencyTime=0 (minutes), DailyIncrement=45 (S4, S12)."""
    task = {"TimePeriod": 0, "TimePeriodEvery": 1, "DailyFrequency": 1, "DailyFrequencyTime": 0, "DailyIncrement": 45,
            "DailyStartTime": 3600, "DailyEndTime": 7200, "StartDate": tasks.h_date(datetime.date(2026, 1, 1))}
    now = datetime.datetime(2026, 1, 5, 1, 10)
    assert tasks.next_run(task, now) == datetime.datetime(2026, 1, 5, 1, 45)
    assert tasks.next_run(task, datetime.datetime(2026, 1, 5, 2, 0)) == datetime.datetime(2026, 1, 6, 1, 0)
    weekly = {"TimePeriod": 1, "TimePeriodEvery": 1, "TimePeriodDay": "1", "DailyFrequency": 0, "DailyStartTime": 0,
              "StartDate": tasks.h_date(datetime.date(2026, 1, 1))}
    assert tasks.next_run(weekly, now).isoweekday() == 7  # Sunday = 1 (S11)


def test_save_validates_schedule_and_class(sim):
    """TaskClass must be a %SYS.Task.Definition subclass; DailyFrequency=1 needs an increment [inf]."""
    out = sim.run("%SYS", *NEW_TASK, "set t.TaskClass=\"%Library.File\",sc=t.%Save() write $system.Status.GetErrorText(sc)")
    assert "not a subclass of %SYS.Task.Definition" in out
    out = sim.run("%SYS", *NEW_TASK, "set t.TimePeriod=0,t.DailyFrequency=1,sc=t.%Save() write $system.Status.GetErrorText(sc)")
    assert "DailyIncrement" in out


def test_suspend_resume_and_sql_update(sim):
    """Suspend/Resume (§1.3) and UPDATE %SYS.Task SET Suspended=1 (Rust test)."""
    _create(sim)
    assert sim.write("%SYS", "##class(%SYS.Task).Suspend(1000)") == "1"
    assert sim.write("%SYS", "##class(%SYS.Task).%OpenId(1000).Suspended") == "1"
    sim.write("%SYS", "##class(%SYS.Task).Resume(1000)")
    assert sim.write("%SYS", "##class(%SYS.Task).%OpenId(1000).Suspended") == "0"
    out = sim.run("%SYS", 'set rs=##class(%SQL.Statement).%ExecDirect(,"UPDATE %SYS.Task SET Suspended=1 WHERE ID=?",1000)',
                  "write rs.%SQLCODE,\":\",rs.%ROWCOUNT")
    assert out == "0:1"
    assert sim.write("%SYS", "##class(%SYS.Task).%OpenId(1000).Suspended") == "1"


def test_definition_base_not_implemented(sim):
    """%SYS.Task.Definition.OnTask → #5003 (S3, S7)."""
    out = sim.write("%SYS", "$system.Status.GetErrorText(##class(%SYS.Task.Definition).%New().OnTask())")
    assert "#5003" in out


# -- audit B7/B8/B14/B20 (S7-S10): sourced schedule facts, loud "not modelled" elsewhere -------------------

def _save_schedule(sim, *sets) -> str:
    """Save a new task with the given schedule SETs; the output is the status text, or the uncaught error."""
    return sim.run("%SYS", *NEW_TASK, *sets,
                   'try { set sc=t.%Save() write $select(sc=1:"ok",1:$system.Status.GetErrorText(sc)) } '
                   'catch e { write e.Name," ",e.Data }')


def test_time_period_every_ranges_are_accepted(sim):
    """audit B8/S8: daily 1-7, weekly 1-5, monthly 1-12 (property description; TASKMGR NUMOPTION ranges)."""
    assert _save_schedule(sim, "set t.TimePeriod=0,t.TimePeriodEvery=7") == "ok"
    assert _save_schedule(sim, 'set t.TimePeriod=1,t.TimePeriodDay="2",t.TimePeriodEvery=5') == "ok"
    assert _save_schedule(sim, "set t.TimePeriod=2,t.TimePeriodDay=1,t.TimePeriodEvery=12") == "ok"


def test_time_period_every_out_of_range_is_not_modelled(sim):
    """What %Save does outside the ranges is not sourced: a loud error, neither success nor an invented status."""
    for sets in ("set t.TimePeriod=0,t.TimePeriodEvery=8", 'set t.TimePeriod=1,t.TimePeriodDay="2",t.TimePeriodEvery=6',
                 "set t.TimePeriod=2,t.TimePeriodDay=1,t.TimePeriodEvery=13"):
        out = _save_schedule(sim, sets)
        assert out.startswith("<NOT MODELLED>") and "TimePeriodEvery" in out, out
    assert sim.write("%SYS", "##class(%SYS.Task).%ExistsId(1000)") == "0"


def test_monthly_day_31_is_the_last_day_of_the_month():
    """audit B7/S9: TASKMGR "Day to run on (1-31, 31=last day of month)"."""
    task = {"TimePeriod": 2, "TimePeriodEvery": 1, "TimePeriodDay": 31, "DailyFrequency": 0, "DailyStartTime": 3600,
            "StartDate": tasks.h_date(datetime.date(2026, 1, 1))}
    assert tasks.next_run(task, datetime.datetime(2026, 2, 1)) == datetime.datetime(2026, 2, 28, 1, 0)
    assert tasks.next_run(task, datetime.datetime(2026, 4, 1)) == datetime.datetime(2026, 4, 30, 1, 0)
    assert tasks.next_run(task, datetime.datetime(2026, 1, 1)) == datetime.datetime(2026, 1, 31, 1, 0)


def test_monthly_day_30_in_february_is_not_modelled():
    """Only 31 is sourced as "last day"; day 29/30 in a shorter month fails loudly."""
    task = {"TimePeriod": 2, "TimePeriodEvery": 1, "TimePeriodDay": 30, "DailyFrequency": 0, "DailyStartTime": 0,
            "StartDate": tasks.h_date(datetime.date(2026, 1, 1))}
    assert tasks.next_run(task, datetime.datetime(2026, 1, 1)) == datetime.datetime(2026, 1, 30)
    with pytest.raises(IrisError) as info:
        tasks.next_run(task, datetime.datetime(2026, 2, 1))
    assert info.value.name == "NOT MODELLED"


def test_several_a_day_without_end_time_is_not_modelled(sim):
    """audit S7/B14: DailyEndTime "" with DailyFrequency=1 is not sourced (TSUPER: InitialExpression 0)."""
    out = _save_schedule(sim, 'set t.TimePeriod=0,t.DailyFrequency=1,t.DailyFrequencyTime=1,t.DailyIncrement=2,t.DailyEndTime=""')
    assert out.startswith("<NOT MODELLED>") and "DailyEndTime" in out, out
    ok = _save_schedule(sim, "set t.TimePeriod=0,t.DailyFrequency=1,t.DailyFrequencyTime=1,t.DailyIncrement=2,t.DailyEndTime=86399")
    assert ok == "ok"
    assert sim.inst.system["tasks"]["1000"]["DailyEndTime"] == 86399


def test_suspend_flag_1_does_not_reschedule_flag_2_does(sim):
    """audit B20/S10: Suspend(ID,Flag), 1 = no reschedule, 2 = "Reschedule task when task is supposed to run"."""
    for dummy in range(2):
        sim.run("%SYS", *NEW_TASK, "set t.TimePeriod=0,t.DailyStartTime=3600 do t.%Save()")
    assert sim.write("%SYS", "##class(%SYS.Task).Suspend(1000,1)") == "1"
    assert sim.write("%SYS", "##class(%SYS.Task).Suspend(1001,2)") == "1"
    stored = sim.inst.system["tasks"]
    assert stored["1000"]["Suspended"] == 1 and stored["1001"]["Suspended"] == 1
    assert stored["1000"]["_next"] == ""          # no reschedule: no next run while suspended
    due = stored["1001"]["_next"]
    assert due                                    # rescheduled: a next run is kept
    with sim.inst.session_lock():
        sim.inst.reload()
        later = datetime.datetime.strptime(due, "%Y-%m-%d %H:%M:%S") + datetime.timedelta(minutes=1)
        assert tasks.run_due_tasks(sim.inst, later) == []   # suspended: not run ...
        assert sim.inst.system["tasks"]["1001"]["_next"] > due  # ... but moved on to its next time
        sim.inst.save()
    assert sim.write("USER", "$d(^ran)") == "0"


def test_suspend_other_flags_are_not_modelled(sim):
    """^TASKMGR passes only 1 or 2; other flags fail loudly."""
    _create(sim)
    out = sim.run("%SYS", 'try { write ##class(%SYS.Task).Suspend(1000,3) } catch e { write e.Name }')
    assert out == "<NOT MODELLED>"
    assert sim.write("%SYS", "##class(%SYS.Task).%OpenId(1000).Suspended") == "0"


@pytest.mark.parametrize("call, expected", [
    ("##class(%SYS.Task).RunNow(1000,1)", "<PARAMETER> *RunNow,%SYS.Task"),
    ("##class(%SYS.Task).RunNow()", "simulator: a call with fewer arguments than its model needs (0 given) is not modelled"),
    ("##class(%SYS.Task).%New().%Save(1,2,3)", "<PARAMETER> *%Save,%SYS.Task"),
])
def test_a_call_the_model_cannot_take_is_an_iris_error_not_a_crash(sim, call, expected):
    """Argument counts a modelled method cannot take end the program with an IRIS error (never a Python TypeError)."""
    assert expected in sim.run("%SYS", "do " + call)
