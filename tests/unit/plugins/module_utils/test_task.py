# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Task Manager domain: plan logic (pure) and the manager against the in-process IRIS simulator."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _instance, _task as t
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program

TOKEN = "0123456789abcdef0123456789abcdef"
CODE = 'set ^IdtTaskRan($INCREMENT(^IdtTaskRan))=$NAMESPACE'
DAILY = {"period": "daily", "at": "02:30"}


def current_task(**kwargs):
    task = {"id": 1000, "name": "job", "task_class": t.DEFAULT_TASK_CLASS, "settings": {"ExecuteCode": "x"},
            "task_namespace": "USER", "description": "", "run_as_user": "_SYSTEM", "priority": "normal",
            "schedule": {"period": "on_demand"}, "suspended": False, "last_run": None, "next_run": None,
            "_start_date": "2026-01-01"}
    task.update(kwargs)
    return task


# -- plan (pure) ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("current, desired, state, actions", [
    (None, {"name": "job"}, "present", ["create"]),
    (None, {"name": "job"}, "resumed", ["create"]),
    (None, {"name": "job"}, "suspended", ["create", "suspend"]),
    (None, {}, "absent", []),
    (current_task(), {"name": "job"}, "present", []),
    (current_task(), {"name": "job"}, "absent", ["delete"]),
    (current_task(), {"name": "job", "description": "new"}, "present", ["update"]),
    (current_task(), {"name": "job"}, "suspended", ["suspend"]),
    (current_task(suspended=True), {"name": "job"}, "suspended", []),
    (current_task(suspended=True), {"name": "job"}, "present", []),
    (current_task(suspended=True), {"name": "job"}, "resumed", ["resume"]),
    (current_task(suspended=True), {"name": "job", "priority": "low"}, "resumed", ["update", "resume"]),
    (current_task(), {"name": "job", "settings": {"ExecuteCode": "x"}}, "present", []),
    (current_task(), {"name": "job", "settings": {"Other": "1"}}, "present", ["update"]),
])
def test_plan_actions(current, desired, state, actions):
    result = t.plan(current, t.desired_from(desired), state)
    assert result.actions == actions
    assert result.changed == bool(actions)
    if not actions:
        assert result.before == result.after


def test_plan_compares_only_what_the_user_set():
    current = current_task(description="kept", priority="high")
    result = t.plan(current, t.desired_from({"name": "job", "task_namespace": "user"}), "present")
    assert not result.changed  # namespace names compare upper-case; description/priority not managed
    assert set(result.after) == {"exists", "name", "task_namespace"}


def test_plan_schedule_keeps_unmanaged_start_date_and_diff_in_user_words():
    current = current_task(schedule={"period": "daily", "interval": 1, "at": "02:30", "start_date": "2026-01-01",
                                     "end_date": None})
    same = t.plan(current, t.desired_from({"name": "job", "schedule": DAILY}), "present")
    assert not same.changed
    other = t.plan(current, t.desired_from({"name": "job", "schedule": {"period": "daily", "at": "03:00"}}), "present")
    assert other.actions == ["update"] and other.updates == ["schedule"]
    assert other.before["schedule"]["at"] == "02:30" and other.after["schedule"]["at"] == "03:00"
    assert other.after["schedule"]["start_date"] == "2026-01-01"


def test_plan_settings_merge_and_class_change_replaces_them():
    current = current_task(settings={"ExecuteCode": "x", "Keep": "1"})
    merged = t.plan(current, t.desired_from({"settings": {"ExecuteCode": "y"}}), "present")
    assert merged.task["settings"] == {"ExecuteCode": "y", "Keep": "1"}
    replaced = t.plan(current, t.desired_from({"task_class": "%SYS.Task.PurgeJournal"}), "present")
    assert replaced.task["settings"] == {} and set(replaced.updates) == {"task_class", "settings"}


def test_plan_new_task_defaults_and_needs_a_name():
    result = t.plan(None, t.desired_from({"name": "job"}), "present")
    assert result.task["task_class"] == t.DEFAULT_TASK_CLASS
    assert result.task["schedule"] == {"period": "on_demand"} and result.task["priority"] == "normal"
    with pytest.raises(IrisModuleError, match="A new task needs a name"):
        t.plan(None, t.desired_from({"description": "x"}), "present")
    with pytest.raises(IrisModuleError, match="Unknown task state"):
        t.plan(None, {}, "running")


@pytest.mark.parametrize("spec, message", [
    ({"task_class": "not a class"}, "is not a class name"),
    ({"task_class": "NoPackage"}, "is not a class name"),
    ({"priority": "urgent"}, "priority 'urgent' is not one of"),
    ({"settings": ["ExecuteCode"]}, "settings must be a dictionary"),
    ({"settings": {"%Bad": "1"}}, "is not a property name"),
    ({"settings": {"ExecuteCode\n": "1"}}, "is not a property name"),  # "$" took a trailing line feed
    ({"settings": {"A": {"nested": 1}}}, "task settings are single values"),
    ({"name": "  "}, "The task name is empty"),
    ({"task_namespace": " "}, "task_namespace is empty"),
    ({"task_namespace": "US\x00ER"}, "task_namespace .* is not valid: it contains a control character"),
    ({"task_namespace": "A'B"}, "is not valid: it contains a quote"),
    ({"name": "nightly\nrun"}, "The task name .* contains a control character"),
    ({"description": "a\rb"}, "The task description .* contains a control character"),
    ({"description": "a\rb" + "x" * 100}, r"The task description 'a\\rbx+'\.\.\. \(103 characters\) contains a control"),
    ({"schedule": {"period": "weekly"}}, "period weekly needs days"),
    ({"bogus": 1}, "Unknown task keys bogus"),
])
def test_desired_from_rejects_bad_input(spec, message):
    with pytest.raises(IrisModuleError, match=message):
        t.desired_from(spec)


def test_desired_from_normalises():
    desired = t.desired_from({"name": "n", "priority": "HIGH", "settings": {"A": True, "B": 3}, "task_namespace": "app",
                              "schedule": DAILY, "description": None})
    assert desired == {"name": "n", "priority": "high", "settings": {"A": "1", "B": "3"}, "task_namespace": "APP",
                       "schedule": {"period": "daily", "interval": 1, "at": "02:30", "start_date": None, "end_date": None}}


def test_current_from_duplicates_and_missing_id():
    rows = {"task": [{"ID": 1001, "Name": "job"}, {"ID": 1003, "Name": "job"}, {"ID": 1002, "Name": "JOB"}]}
    with pytest.raises(IrisModuleError) as info:
        t.current_from(rows, "task", name="job")
    assert "IDs 1001, 1003" in info.value.msg and "task_id" in info.value.hint
    assert info.value.details["task_ids"] == [1001, 1003]
    assert t.current_from(rows, "task", name="JOB")["id"] == 1002  # exact name, not the SQL's case-insensitive match
    assert t.current_from(rows, "task", name="other") is None
    with pytest.raises(IrisModuleError, match="no Task Manager task with ID 5"):
        t.current_from({"task": []}, "task", task_id=5)
    assert t.current_from({"task": []}, "task", task_id=5, missing_ok=True) is None


def test_task_from_row_run_information():
    task = t.task_from_row({"ID": "7", "Name": "x", "Suspended": "", "Priority": 2, "TimePeriod": 5,
                            "LastStarted": "2026-01-02 03:04:05", "LastFinished": "", "LastStatus": "1",
                            "LastResult": "", "NextDate": "01/03/2026", "NextTime": "02:30:00", "Settings": {"A": 1}})
    assert task["id"] == 7 and task["priority"] == "high" and task["suspended"] is False
    assert task["last_run"] == {"started": "2026-01-02 03:04:05", "finished": None, "status": "1", "result": ""}
    assert task["next_run"] == "2026-01-03 02:30:00" and task["settings"] == {"A": "1"}
    assert set(t.returned_task(task)) == set(t.TASK_KEYS)


# -- the manager against the simulator ----------------------------------------------------------------------

class FakeModule(object):
    def __init__(self, check_mode=False, diff=True, **params):
        self.params = dict(name=None, task_id=None, state="present", run_now=False, task_class=None, settings=None,
                           execute_code=None, task_namespace=None, description=None, run_as_user=None, priority=None,
                           schedule=None, instance="IRIS", namespace="USER", timeout=60, transport="docker",
                           container="c", docker_host=None)
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = diff


class OneTransport(_instance.Instance):
    """An instance whose every namespace is ``transport`` (the manager asks for %SYS: the program switches anyway)."""

    kind = "local"

    def __init__(self, transport):
        super(OneTransport, self).__init__()
        self._one = transport

    def _new_transport(self, namespace):
        return self._one


def run(sim, check_mode=False, **params):
    transport = sim.transport("USER")
    result = t.TaskManager(FakeModule(check_mode=check_mode, **params), instance=OneTransport(transport)).run()
    return result, transport.sessions


def sim_tasks(sim, name=None):
    """Independent path: the simulator's stored tasks (plain dicts), optionally by exact name."""
    sim.inst.reload()
    tasks = sim.inst.system.get("tasks", {})
    return dict((tid, task) for tid, task in tasks.items() if name is None or task.get("Name") == name)


def sql_ids(sim, name):
    """Independent path: the IDs an SQL query in %SYS finds for a name."""
    out = sim.run("%SYS", 'set rs=##class(%SQL.Statement).%ExecDirect(,"SELECT ID FROM %SYS.Task WHERE Name = ?","'
                  + name + '") while rs.%Next() { write "<",rs.%Get("ID"),">" }')
    return [int(part.split(">")[0]) for part in out.split("<")[1:]]


UNKNOWABLE_IN_CHECK = ("id", "next_run", "last_run")


def assert_check_matches(check, real, created=False):
    assert check["changed"] == real["changed"] and check["actions"] == real["actions"]
    assert check["diff"] == real["diff"]
    if real["task"] is None:
        assert check["task"] is None
        return
    for key in t.TASK_KEYS:
        if key in UNKNOWABLE_IN_CHECK:
            continue
        if created and check["task"][key] is None:
            continue  # IRIS picks it when it saves a new task (run_as_user, description default)
        if key == "schedule" and created:
            assert dict(check["task"][key], start_date=None) == dict(real["task"][key], start_date=None)
            continue
        assert check["task"][key] == real["task"][key], key


def test_lifecycle_four_steps_sessions_and_independent_checks(iris_sim):
    opts = dict(name="idt-job", execute_code=CODE, description="first", priority="low", schedule=DAILY)
    check, sessions = run(iris_sim, check_mode=True, **opts)
    assert sessions == 1 and check["changed"] and check["actions"] == ["create"]
    assert sim_tasks(iris_sim, "idt-job") == {}  # check mode changed nothing
    real, sessions = run(iris_sim, **opts)
    assert sessions == 2 and real["changed"]
    assert_check_matches(check, real, created=True)
    task = real["task"]
    assert task["id"] >= 1000 and task["task_namespace"] == "USER" and task["priority"] == "low"
    assert task["schedule"]["at"] == "02:30" and task["settings"] == {"ExecuteCode": CODE}
    stored = sim_tasks(iris_sim, "idt-job")
    assert list(stored) == [str(task["id"])] and sql_ids(iris_sim, "idt-job") == [task["id"]]
    row = stored[str(task["id"])]
    assert (row["TimePeriod"], row["DailyFrequency"], row["DailyStartTime"], row["Priority"]) == (0, 0, 9000, 1)
    assert row["TaskClass"] == t.DEFAULT_TASK_CLASS and row["Description"] == "first"

    for check_mode in (True, False):
        again, sessions = run(iris_sim, check_mode=check_mode, **opts)
        assert not again["changed"] and again["actions"] == [] and sessions == 1
        assert again["diff"]["before"] == again["diff"]["after"]
        assert again["task"] == task

    # a change: check, real, check, real
    changed = dict(opts)
    changed.update(description="second", schedule={"period": "weekly", "days": ["monday", "friday"], "every_hours": 2,
                                                   "start": "08:00", "end": "18:00"})
    check, sessions = run(iris_sim, check_mode=True, **changed)
    assert sessions == 1 and check["actions"] == ["update"]
    assert sim_tasks(iris_sim, "idt-job")[str(task["id"])]["Description"] == "first"
    real, sessions = run(iris_sim, **changed)
    assert sessions == 2
    assert_check_matches(check, real)
    assert real["diff"]["before"]["description"] == "first" and real["diff"]["after"]["description"] == "second"
    assert real["task"]["schedule"]["days"] == ["monday", "friday"]
    row = sim_tasks(iris_sim, "idt-job")[str(task["id"])]
    assert (row["TimePeriod"], row["TimePeriodDay"], row["DailyFrequency"], row["DailyFrequencyTime"],
            row["DailyIncrement"], row["DailyStartTime"], row["DailyEndTime"]) == (1, "26", 1, 1, 2, 28800, 64800)
    for check_mode in (True, False):
        again, sessions = run(iris_sim, check_mode=check_mode, **changed)
        assert not again["changed"] and sessions == 1

    # suspend / resume
    for state, flag in (("suspended", 1), ("resumed", 0)):
        check, dummy = run(iris_sim, check_mode=True, name="idt-job", state=state)
        real, sessions = run(iris_sim, name="idt-job", state=state)
        assert real["actions"] == [state[:-2] if state == "suspended" else "resume"] and sessions == 2
        assert_check_matches(check, real)
        assert real["task"]["suspended"] is bool(flag)
        assert int(sim_tasks(iris_sim, "idt-job")[str(task["id"])]["Suspended"]) == flag
        again, sessions = run(iris_sim, name="idt-job", state=state)
        assert not again["changed"] and sessions == 1

    # delete
    check, dummy = run(iris_sim, check_mode=True, name="idt-job", state="absent")
    assert check["actions"] == ["delete"] and sim_tasks(iris_sim, "idt-job")
    real, sessions = run(iris_sim, name="idt-job", state="absent")
    assert_check_matches(check, real)
    assert real["task"] is None and sessions == 2 and real["diff"]["after"] == {"exists": False}
    assert sim_tasks(iris_sim, "idt-job") == {} and sql_ids(iris_sim, "idt-job") == []
    again, sessions = run(iris_sim, name="idt-job", state="absent")
    assert not again["changed"] and sessions == 1


def test_create_suspended_in_one_apply_session(iris_sim):
    real, sessions = run(iris_sim, name="idt-s", execute_code="quit", state="suspended")
    assert real["actions"] == ["create", "suspend"] and sessions == 2 and real["task"]["suspended"] is True
    assert int(list(sim_tasks(iris_sim, "idt-s").values())[0]["Suspended"]) == 1


def test_run_now_is_asynchronous_and_always_changed(iris_sim):
    real, dummy = run(iris_sim, name="idt-run", execute_code=CODE, task_namespace="USER")
    check, sessions = run(iris_sim, check_mode=True, name="idt-run", run_now=True)
    assert check["changed"] and check["actions"] == ["run_now"] and sessions == 1
    assert not sim_tasks(iris_sim, "idt-run")[str(real["task"]["id"])].get("_run_requested")
    ran, sessions = run(iris_sim, name="idt-run", run_now=True)
    assert ran["changed"] and ran["actions"] == ["run_now"] and sessions == 2
    assert ran["task"]["last_run"] is None  # RunNow only asks; the Task Manager runs it at its next poll (S1, S8)
    assert "0" in iris_sim.run("USER", "write $DATA(^IdtTaskRan)")
    # the simulator's Task Manager poll
    from iris_sim.models import tasks as sim_task_model  # pylint: disable=import-error
    with iris_sim.inst.session_lock():
        iris_sim.inst.reload()
        assert sim_task_model.run_due_tasks(iris_sim.inst) == [str(real["task"]["id"])]
        iris_sim.inst.save()
    assert "USER" in iris_sim.run("USER", "write ^IdtTaskRan(1)")
    after, sessions = run(iris_sim, name="idt-run")
    assert not after["changed"] and after["task"]["last_run"]["started"]
    # run_now together with a change: one apply session
    both, sessions = run(iris_sim, name="idt-run", description="d", run_now=True)
    assert both["actions"] == ["update", "run_now"] and sessions == 2


def test_duplicate_names_fail_with_ids_and_task_id_adopts_and_renames(iris_sim):
    for dummy in range(2):
        iris_sim.run("%SYS", 'set o=##class(%SYS.Task).%New(),o.Name="idt-dup",o.TaskClass="%SYS.Task.RunLegacyTask",'
                             'o.NameSpace="USER",o.TimePeriod=5 do o.%Save()')
    ids = sql_ids(iris_sim, "idt-dup")
    assert len(ids) == 2
    with pytest.raises(IrisModuleError) as info:
        run(iris_sim, name="idt-dup", description="x")
    assert ", ".join(str(i) for i in ids) in info.value.msg and "task_id" in info.value.hint
    # adopt the second one by ID and rename it
    real, sessions = run(iris_sim, task_id=ids[1], name="idt-dup-2")
    assert real["actions"] == ["update"] and real["task"]["id"] == ids[1] and real["task"]["name"] == "idt-dup-2"
    assert sql_ids(iris_sim, "idt-dup") == [ids[0]] and sql_ids(iris_sim, "idt-dup-2") == [ids[1]]
    again, sessions = run(iris_sim, task_id=ids[1], name="idt-dup-2")
    assert not again["changed"] and sessions == 1
    # the name is unique again
    assert run(iris_sim, name="idt-dup")[0]["task"]["id"] == ids[0]
    # task_id of a task that does not exist
    with pytest.raises(IrisModuleError, match="no Task Manager task with ID 99999"):
        run(iris_sim, task_id=99999, description="x")
    gone, dummy = run(iris_sim, task_id=99999, state="absent")
    assert not gone["changed"]


def test_unknown_task_class_fails_and_nothing_is_created(iris_sim):
    before = copy.deepcopy(sim_tasks(iris_sim))
    with pytest.raises(IrisModuleError) as info:
        run(iris_sim, name="idt-bad", task_class="No.Such.TaskClass", schedule=DAILY, state="suspended", run_now=True)
    assert "No.Such.TaskClass" in info.value.msg and info.value.details["iris_step"] == "object_save"
    assert "nothing was changed" in info.value.hint and "task_class" in info.value.hint
    assert sim_tasks(iris_sim) == before and sql_ids(iris_sim, "idt-bad") == []
    # changing an existing task to an unknown class changes nothing either
    real, dummy = run(iris_sim, name="idt-bad", execute_code="quit", description="orig")
    snapshot = copy.deepcopy(sim_tasks(iris_sim))
    with pytest.raises(IrisModuleError):
        run(iris_sim, name="idt-bad", task_class="No.Such.TaskClass", description="changed", state="suspended")
    assert sim_tasks(iris_sim) == snapshot


def test_missing_namespace_or_user_fails_before_anything_is_applied(iris_sim):
    before = copy.deepcopy(sim_tasks(iris_sim))
    with pytest.raises(IrisModuleError, match="Namespace NOSUCHNS does not exist"):
        run(iris_sim, name="idt-ns", execute_code="quit", task_namespace="nosuchns")
    with pytest.raises(IrisModuleError, match="IRIS user nosuchuser does not exist"):
        run(iris_sim, name="idt-ns", execute_code="quit", run_as_user="nosuchuser")
    with pytest.raises(IrisModuleError, match="Namespace NOSUCHNS does not exist"):
        run(iris_sim, check_mode=True, name="idt-ns", execute_code="quit", task_namespace="nosuchns")
    assert sim_tasks(iris_sim) == before


def test_settings_of_another_definition_class(iris_sim):
    real, dummy = run(iris_sim, name="idt-purge", task_class="%SYS.Task.PurgeJournal", settings={"Keep": 3},
                      task_namespace="%SYS", schedule={"period": "monthly", "day_of_month": 15, "at": "04:00"})
    assert real["task"]["task_class"] == "%SYS.Task.PurgeJournal" and real["task"]["settings"] == {"Keep": "3"}
    assert real["task"]["schedule"]["day_of_month"] == 15
    again, sessions = run(iris_sim, name="idt-purge", task_class="%SYS.Task.PurgeJournal", settings={"Keep": "3"},
                          schedule={"period": "monthly", "day_of_month": 15, "at": "04:00"})
    assert not again["changed"] and sessions == 1


def test_execute_code_with_another_class_is_refused(iris_sim):
    with pytest.raises(IrisModuleError, match="execute_code is the ExecuteCode setting"):
        run(iris_sim, name="x", execute_code="quit", task_class="%SYS.Task.PurgeJournal")
    with pytest.raises(IrisModuleError, match="run_now cannot run a task that state=absent deletes"):
        run(iris_sim, name="x", state="absent", run_now=True)


def test_read_all_lists_every_task(iris_sim):
    run(iris_sim, name="idt-a", execute_code="quit")
    program = Program().add("namespace", namespace="%SYS")
    t.add_read_all(program, "all")
    tasks = t.all_from(iris_sim.transport("%SYS").run(program), "all")
    names = [task["name"] for task in tasks]
    assert "idt-a" in names and len(tasks) == len(sim_tasks(iris_sim))
    assert [task["id"] for task in tasks] == sorted(task["id"] for task in tasks)
    assert all(set(task) == set(t.TASK_KEYS) for task in tasks)


# -- every program the module can emit parses and runs on the simulator -----------------------------------------

def _emitted_programs():
    """(label, current, desired, state, run_now) covering every template _task.py uses."""
    full = {"name": "idt-p", "task_class": t.DEFAULT_TASK_CLASS, "settings": {"ExecuteCode": "quit", "B": "2"},
            "task_namespace": "USER", "description": "d", "run_as_user": "_SYSTEM", "priority": "high",
            "schedule": {"period": "weekly", "days": ["monday"], "every_minutes": 5, "start": "01:00", "end": "02:00",
                         "start_date": "2026-01-01", "end_date": "2027-01-01"}}
    return [
        ("create-suspended-run", None, full, "suspended", True),
        ("create-resumed", None, {"name": "idt-p"}, "resumed", False),
        ("update-everything-resume-run", "existing", dict(full, name="idt-p2", schedule={"period": "daily"}), "resumed", True),
        ("suspend-only-run", "existing", {"name": "idt-p"}, "suspended", True),
        ("run-only", "existing", {"name": "idt-p"}, "present", True),
        ("delete", "existing", {}, "absent", False),
    ]


def _parser():
    ts = pytest.importorskip("tree_sitter")
    ts_os = pytest.importorskip("tree_sitter_objectscript_routine")
    return ts.Parser(ts.Language(ts_os.language_objectscript_routine()))


def _assert_parses(parser, line):
    tree = parser.parse((" " + line).encode("utf-8"))
    assert not tree.root_node.has_error, line[:300]


@pytest.mark.parametrize("label, current, desired, state, run_now", _emitted_programs(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_emitted_program_parses_and_runs_on_the_simulator(iris_sim, label, current, desired, state, run_now):
    parser = _parser()
    if current == "existing":
        run(iris_sim, name="idt-p", execute_code="quit", state="suspended")
    read = Program().add("namespace", namespace="%SYS")
    t.add_read(read, "task", name="idt-p")
    programs = [read]
    result = iris_sim.transport("%SYS").run(read)
    cur = t.current_from(result, "task", name="idt-p", missing_ok=True)
    wanted = t.desired_from(desired)
    task_plan = t.plan(cur, wanted, state)
    apply = Program().add("namespace", namespace="%SYS")
    t.add_apply(apply, cur, wanted, task_plan, "applied")
    if run_now:
        saved = "create" in task_plan.actions or "update" in task_plan.actions
        t.add_run_now(apply, "ran", task_id=None if saved else cur["id"])
    programs.append(apply)
    by_id = Program().add("namespace", namespace="%SYS")
    t.add_read(by_id, "task", task_id=cur["id"] if cur else 1)
    programs.append(by_id)
    for program in programs:
        for line in program.lines(TOKEN):
            _assert_parses(parser, line)
        out = iris_sim.transport("%SYS").run(program)  # raises on any IRIS error (<... DOES NOT EXIST> included)
        assert "DOES NOT EXIST" not in json.dumps(out)
    if run_now:
        assert out is not None


def test_create_by_name_rereads_under_a_lock_so_a_parallel_run_creates_no_duplicate(iris_sim):
    """Issue 11 item 3: two runs read 'no task X' before either created it; the later create must not add a second
    task X.  The apply session takes LOCK +^IrisDevTools("lock","task",X):timeout and reads the name again."""
    opts = dict(name="idt-race", execute_code="quit", task_namespace="USER")
    transport = iris_sim.transport("USER")
    calls = []
    original = transport._execute

    def racing_execute(data):
        calls.append(data)
        if len(calls) == 2:  # between this run's read and its apply, another run creates the task
            run(iris_sim, **opts)
        return original(data)

    transport._execute = racing_execute
    with pytest.raises(IrisModuleError) as info:
        t.TaskManager(FakeModule(**opts), instance=OneTransport(transport)).run()
    assert "created by another run" in str(info.value.msg) + str(info.value.details)
    assert info.value.hint == "another run created the task; run again: it converges"
    assert len(sim_tasks(iris_sim, "idt-race")) == 1 and len(sql_ids(iris_sim, "idt-race")) == 1
    program = calls[1].decode("utf-8")
    assert 'lock +^IrisDevTools("lock","task","idt-race"):30' in program
    # The next run converges on the one task (no duplicate error).
    again, dummy = run(iris_sim, **opts)
    assert again["changed"] is False and len(sim_tasks(iris_sim, "idt-race")) == 1


def test_create_is_not_refused_by_a_task_whose_name_differs_only_in_case(iris_sim):
    """The SQL match is case-insensitive (SQLUPPER); the check under the lock keeps the exact name, like current_from,
    so 'backup' is created next to 'Backup' and check mode's prediction (create) holds."""
    first, dummy = run(iris_sim, name="Backup", execute_code="quit", task_namespace="USER")
    check, dummy = run(iris_sim, check_mode=True, name="backup", execute_code="quit", task_namespace="USER")
    real, dummy = run(iris_sim, name="backup", execute_code="quit", task_namespace="USER")
    assert check["actions"] == real["actions"] == ["create"]
    assert real["task"]["id"] != first["task"]["id"]
    assert len(sim_tasks(iris_sim, "Backup")) == 1 and len(sim_tasks(iris_sim, "backup")) == 1
    again, dummy = run(iris_sim, name="backup", execute_code="quit", task_namespace="USER")
    assert again["changed"] is False and again["task"]["id"] == real["task"]["id"]


def test_lock_wait_follows_the_module_timeout():
    assert [t.lock_seconds_for(timeout) for timeout in (1, 2, 9, 60, 61, 600)] == [1, 1, 4, 30, 30, 30]


def test_create_fails_with_a_hint_while_another_process_holds_the_name_lock(iris_sim):
    """Another IRIS process holding LOCK ^IrisDevTools("lock","task",X) (a second OS process, as a parallel run's
    session would be): the create waits min(30, timeout/2) s, then fails with the lock hint and creates nothing."""
    import os
    import subprocess
    import sys
    import textwrap
    import time
    sim_dir = os.path.dirname(os.path.dirname(sys.modules["iris_sim"].__file__))
    script = textwrap.dedent("""
        import io, sys, time
        from iris_sim.instance import Instance
        from iris_sim.interp import Process
        proc = Process(instance=Instance(sys.argv[1], sys.argv[2]), namespace="%SYS", out=io.StringIO())
        proc.execute('lock +^IrisDevTools("lock","task","idt-held"):1')
        print("held", flush=True)
        sys.stdin.read()
    """)
    holder = subprocess.Popen([sys.executable, "-c", script, iris_sim.root + "/install", iris_sim.root + "/data"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ, PYTHONPATH=sim_dir))
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(IrisModuleError) as info:
            run(iris_sim, name="idt-held", execute_code="quit", task_namespace="USER", timeout=4)
        assert time.monotonic() - started < 15  # waited timeout/2 = 2 s, not LOCK_SECONDS
    finally:
        holder.communicate("")
    assert info.value.details.get("iris_step") == "task_lock_name"
    assert info.value.hint == "another run is changing this task; run again or raise timeout"
    assert sim_tasks(iris_sim, "idt-held") == {}
    done, dummy = run(iris_sim, name="idt-held", execute_code="quit", task_namespace="USER", timeout=4)
    assert done["actions"] == ["create"]
