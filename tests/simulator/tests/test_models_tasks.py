# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""%SYS.Task, definitions, TaskListDetail, run_due_tasks (iris-api.md §1)."""

from __future__ import annotations

import datetime

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
