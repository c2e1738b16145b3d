# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Task Manager: ``%SYS.Task`` (+ ``%SYS.TaskSuper`` properties), ``%SYS.Task.Definition``,
``%SYS.Task.RunLegacyTask``, the ``TaskListDetail``/history queries and ``run_due_tasks``.

Sources: iris-sources.md §1 (S1-S12, S37).  Property names are exactly those of §1.2; names that are not
there (``DailyIncrementUnit``, ``StartTime`` — iris-devtester, §8 item 1) raise
``<PROPERTY DOES NOT EXIST>``.  ``Name`` is not unique (S11).  User tasks get IDs from 1000 (S11).

Running: ``RunNow(id)`` only marks the task; the Task Manager (PLATFORM's scheduler thread calling
``run_due_tasks``) runs it at its next poll, so RunNow stays asynchronous as on IRIS (§0 item 3, S1,
S8).  Scheduled runs happen the same way when their next time has come.  ``RunLegacyTask`` runs its
``ExecuteCode`` setting with ``XECUTE`` semantics through the interpreter (S3); the code may set
``Status`` (S3).
"""

from __future__ import annotations

import calendar
import datetime
import io
import os

from iris_sim import values
from iris_sim.errors import IrisError, is_error, status_error, status_from_error, status_ok, status_text
from iris_sim.objects import Prop, SimClass, SimObject, class_method, find_class, method, register
from iris_sim.models._common import OpError, set_byref, to_boolean, to_integer
from iris_sim.models.resultset import register_query

H_EPOCH = datetime.date(1840, 12, 31)  # $HOROLOG day 0
# TimePeriodEvery per TimePeriod: daily "every x days, 1-7", weekly "every x weeks, 1-5", monthly "every x months,
# 1-12" (audit B8/S8: the property description; VSRC TASKMGR.int:148/151/158 NUMOPTION ranges 1-7 / 1-5 / 1-12).
EVERY_RANGE = {0: (1, 7), 1: (1, 5), 2: (1, 12)}
# Monthly TimePeriodDay 31 = the last day of the month (audit B7/S9: VSRC TASKMGR.int:161 "Day to run on (1-31,
# 31=last day of month)").
LAST_DAY_OF_MONTH = 31

# iris-sources.md §1.2: property -> (default, source).  Names must match IRIS exactly.
TASK_PROPS = {
    "Name": ("", "S11"), "Description": ("", "S8"), "TaskClass": ("", "S8"), "NameSpace": ("", "S8, S11"),
    "RunAsUser": ("", "S1, S12"), "Suspended": (0, "S8"), "TimePeriod": (0, "S11, S12"),
    "TimePeriodEvery": (1, "S11, S12"), "TimePeriodDay": ("", "S11"), "DailyFrequency": (0, "S11, S12"),
    "DailyFrequencyTime": ("", "S4, S12"), "DailyIncrement": ("", "S4, S12"), "DailyStartTime": (0, "S11, S12"),
    "DailyEndTime": ("", "S12"), "StartDate": ("", "S12"), "EndDate": ("", "S37"), "Priority": (0, "S1"),
    "Expires": (0, "S12, S37"), "ExpiresDays": (0, "S12, S37"), "ExpiresHours": (0, "S12, S37"),
    "ExpiresMinutes": (0, "S12, S37"), "RescheduleOnStart": (1, "S37"), "SuspendOnError": (0, "S37"),
    "SuspendTerminated": (0, "S37"), "OpenOutputFile": (0, "S7, S37"), "OutputDirectory": ("", "S37"),
    "OutputFilename": ("", "S7, S37"), "OutputFileIsBinary": (0, "S37"), "EmailOnCompletion": ("", "S37"),
    "EmailOnError": ("", "S37"), "EmailOnExpiration": ("", "S37"), "EmailOutput": (0, "S37"), "IsBatch": (0, "S37"),
    "MirrorStatus": ("", "S37"), "RunAfterGUID": ("", "S37"), "Settings": ("", "S37; VistA code ($LB pairs)"),
}
# Read-only run information (LastFinished S8; the others inferred).
TASK_RO = ("LastStarted", "LastFinished", "Status", "Error")
INT_PROPS = ("Suspended", "TimePeriod", "TimePeriodEvery", "DailyFrequency", "DailyStartTime", "Priority", "Expires",
             "ExpiresDays", "ExpiresHours", "ExpiresMinutes", "RescheduleOnStart", "SuspendOnError",
             "SuspendTerminated", "OpenOutputFile", "OutputFileIsBinary", "EmailOutput", "IsBatch")
PERIOD_NAMES = {0: "Daily", 1: "Weekly", 2: "Monthly", 3: "Monthly Special", 4: "Run After", 5: "On Demand"}  # S11/S12/S37
PRIORITY_NAMES = {0: "Normal", 1: "Low", 2: "High"}  # S1 choices; numbers [inf]


# ---------------------------------------------------------------------------------------------
# $HOROLOG helpers
# ---------------------------------------------------------------------------------------------

def h_date(day: datetime.date) -> int:
    """``$HOROLOG`` day number."""
    return (day - H_EPOCH).days


def from_h(hdate: int) -> datetime.date:
    """Date of a ``$HOROLOG`` day number."""
    return H_EPOCH + datetime.timedelta(days=int(hdate))


def _ts(moment: datetime.datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _tasks(inst) -> dict:
    return inst.system.setdefault("tasks", {})


def not_modelled(what: str):
    """Fail loudly where the sources are silent (DESIGN.md: never invent success or a status)."""
    raise IrisError("NOT MODELLED", f"simulator: {what} is not modelled (no source says what IRIS does)")


# ---------------------------------------------------------------------------------------------
# validation and schedule
# ---------------------------------------------------------------------------------------------

def _int(props: dict, key: str, minimum=None, maximum=None) -> int:
    value = props.get(key, "")
    if values.to_str(value) == "":
        return TASK_PROPS[key][0] if isinstance(TASK_PROPS[key][0], int) else 0
    return to_integer(value, key, minimum, maximum)


def validate(inst, props: dict, proc=None) -> dict:  # pylint: disable=too-many-branches
    """Check and normalise a task before ``%Save`` (S8 class checks; schedule rules [inf])."""
    out = dict(props)
    if not values.to_str(out.get("Name", "")):
        raise OpError("Name", 5659)
    tclass = values.to_str(out.get("TaskClass", ""))
    if not tclass:
        raise OpError("TaskClass", 5659)
    try:
        cls = find_class(tclass)
    except IrisError as exc:
        raise OpError(f"Task class '{tclass}' does not exist: {exc}") from exc
    if "%SYS.Task.Definition" not in [k.name for k in cls.class_chain()]:
        raise OpError(f"Task class '{tclass}' is not a subclass of %SYS.Task.Definition")  # S3, S7
    namespace = values.to_str(out.get("NameSpace", "")) or values.to_str(getattr(proc, "namespace", "%SYS"))
    if not inst.has_namespace(namespace):
        raise OpError(f"Namespace '{namespace}' does not exist")  # S7: class must be visible there [inf]
    out["NameSpace"] = inst.namespace_key(namespace)
    user = values.to_str(out.get("RunAsUser", "")) or values.to_str(getattr(proc, "username", "")) or "_SYSTEM"
    if values.to_str(user).upper() not in inst.system.get("users", {}):
        raise OpError(f"RunAsUser '{user}' does not exist")  # [inf]
    out["RunAsUser"] = user
    for key in INT_PROPS:
        out[key] = _int(out, key)
    for key in ("Suspended", "OpenOutputFile", "RescheduleOnStart", "SuspendOnError", "IsBatch", "Expires"):
        out[key] = to_boolean(out[key], key)
    period = out["TimePeriod"]
    if period not in PERIOD_NAMES:
        raise OpError(f"TimePeriod {period} is not valid (0-5)")
    if period in (3, 4):
        raise OpError(f"TimePeriod {period} ({PERIOD_NAMES[period]}) is not modelled by the simulator")
    if period in (0, 1, 2):
        low, high = EVERY_RANGE[period]
        if not low <= out["TimePeriodEvery"] <= high:
            # The ranges are sourced (EVERY_RANGE); what %Save does outside them is not (audit B8: "Whether %Save
            # rejects 8+ was not found").
            not_modelled(f"%Save of a {PERIOD_NAMES[period]} task with TimePeriodEvery {out['TimePeriodEvery']} "
                         f"(outside {low}-{high})")
    day = values.to_str(out.get("TimePeriodDay", ""))
    if period == 1 and (not day or any(c not in "1234567" for c in day)):
        raise OpError(f"TimePeriodDay '{day}' must list weekdays 1-7 (Sunday=1) for a weekly task")  # S11; digits [inf]
    if period == 2 and not (day.isdigit() and 1 <= int(day) <= 31):
        raise OpError(f"TimePeriodDay '{day}' must be a day of month for a monthly task")  # [inf]
    if not 0 <= out["DailyStartTime"] < 86400:
        raise OpError("DailyStartTime must be seconds after midnight (0-86399)")  # S11
    if out["DailyFrequency"] not in (0, 1):
        raise OpError("DailyFrequency must be 0 (once) or 1 (several times)")  # S11, S12
    if out["DailyFrequency"] == 1:
        unit = values.to_str(out.get("DailyFrequencyTime", "")) or "0"
        if unit not in ("0", "1"):
            raise OpError("DailyFrequencyTime must be 0 (minutes) or 1 (hours)")  # S4; 1 [inf]
        out["DailyFrequencyTime"] = int(unit)
        out["DailyIncrement"] = to_integer(out.get("DailyIncrement", ""), "DailyIncrement", 1)  # [inf] required
        # DailyEndTime is "Time for task to stop running" (TSUPER), InitialExpression 0; every documented and public
        # example sets it (audit B14).  An empty end, or one not after the start, is not sourced (audit S7).
        end = values.to_str(out.get("DailyEndTime", ""))
        if end == "":
            not_modelled("a several-times-a-day task with an empty DailyEndTime")
        out["DailyEndTime"] = to_integer(end, "DailyEndTime", 0, 86399)
        if out["DailyEndTime"] <= out["DailyStartTime"]:
            not_modelled("a several-times-a-day task whose DailyEndTime is not after its DailyStartTime")
    if out["Priority"] not in PRIORITY_NAMES:
        raise OpError("Priority must be 0, 1 or 2")
    if values.to_str(out.get("StartDate", "")) == "":
        out["StartDate"] = h_date(datetime.date.today())
    out["StartDate"] = to_integer(out["StartDate"], "StartDate", 1)
    if values.to_str(out.get("EndDate", "")) != "":
        out["EndDate"] = to_integer(out["EndDate"], "EndDate", 1)
    return out


def _times(task: dict) -> list[int]:
    start = int(task.get("DailyStartTime") or 0)
    if int(task.get("DailyFrequency") or 0) != 1:
        return [start]
    step = int(task["DailyIncrement"]) * (60 if int(task.get("DailyFrequencyTime") or 0) == 0 else 3600)
    end = values.to_str(task.get("DailyEndTime", ""))
    if not end.isdigit():
        not_modelled("a several-times-a-day task with an empty DailyEndTime")  # audit S7 (validate refuses it too)
    return list(range(start, int(end) + 1, max(60, step)))


def _month_day(task: dict, day: datetime.date) -> int:
    """The day of ``day``'s month a monthly task runs on; 31 = the month's last day (LAST_DAY_OF_MONTH)."""
    wanted = int(task.get("TimePeriodDay") or 1)
    last = calendar.monthrange(day.year, day.month)[1]
    if wanted == LAST_DAY_OF_MONTH:
        return last
    if wanted > last:
        # Only 31 is sourced ("31=last day of month"); a 29 or 30 in a shorter month is not.
        not_modelled(f"a monthly task on day {wanted} in a month of {last} days")
    return wanted


def _day_matches(task: dict, day: datetime.date) -> bool:
    period = int(task.get("TimePeriod") or 0)
    every = max(1, int(task.get("TimePeriodEvery") or 1))
    start = from_h(int(task["StartDate"]))
    if period == 0:
        return (day - start).days % every == 0
    if period == 1:
        weekday = (day.isoweekday() % 7) + 1  # Sunday=1 (S11)
        return str(weekday) in values.to_str(task.get("TimePeriodDay", "")) and ((day - start).days // 7) % every == 0
    if period == 2:
        months = (day.year - start.year) * 12 + day.month - start.month
        return months % every == 0 and day.day == _month_day(task, day)
    return False


def next_run(task: dict, now: datetime.datetime) -> datetime.datetime | None:
    """Next scheduled run after ``now`` (None for on-demand tasks and for tasks suspended without reschedule,
    Suspend flag 1) [inf from §1.2]."""
    if int(task.get("TimePeriod") or 0) not in (0, 1, 2):
        return None
    if int(task.get("Suspended") or 0) and not task.get("_reschedule"):
        return None
    start = from_h(int(task.get("StartDate") or h_date(now.date())))
    day = max(start, now.date())
    end = values.to_str(task.get("EndDate", ""))
    times = _times(task)
    for dummy in range(800):
        if end.isdigit() and day > from_h(int(end)):
            return None
        if _day_matches(task, day):
            for secs in times:
                moment = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(seconds=secs)
                if moment > now:
                    return moment
        day += datetime.timedelta(days=1)
    return None


def _schedule(task: dict, now: datetime.datetime | None = None) -> None:
    moment = next_run(task, now or datetime.datetime.now())
    task["_next"] = _ts(moment)


def save_task(inst, tid, props: dict, proc=None) -> str:
    """Validate, store (new ID ≥ 1000 when ``tid`` is empty — S11) and schedule; returns the ID."""
    task = validate(inst, props, proc)
    tasks = _tasks(inst)
    if not tid:
        tid = str(max(int(inst.system.get("next_task_id", 1000)), 1000))
        inst.system["next_task_id"] = int(tid) + 1
    old = tasks.get(str(tid), {})
    for key in ("_last_started", "_last_finished", "_status", "_error", "_run_requested", "_reschedule"):
        if key in old:
            task[key] = old[key]
    _schedule(task)
    tasks[str(tid)] = {k: v for k, v in task.items() if k in TASK_PROPS or k.startswith("_")}
    return str(tid)


# ---------------------------------------------------------------------------------------------
# %SYS.Task
# ---------------------------------------------------------------------------------------------

def _ro(name: str):
    key = {"LastStarted": "_last_started", "LastFinished": "_last_finished", "Status": "_status", "Error": "_error"}[name]
    return Prop("", source="S8" if name == "LastFinished" else "inferred", compute=lambda obj: obj.state.get(key, ""))


@register
class TaskSuper(SimClass):
    """``%SYS.TaskSuper``: the schedule properties (iris-sources.md §1.2)."""

    name = "%SYS.TaskSuper"
    source = "iris-sources.md §1.2 (S2, S8, S11, S12, S37)"
    properties = {key: Prop(default, source=src) for key, (default, src) in TASK_PROPS.items()}
    properties.update({key: _ro(key) for key in TASK_RO})


def _task_object(cls, tid: str, stored: dict) -> SimObject:
    obj = SimObject(cls)
    for key in TASK_PROPS:
        if key in stored:
            obj.props[key] = stored[key]
    obj.state.update({k: v for k, v in stored.items() if k.startswith("_")})
    obj.state["id"] = tid
    return obj


@register
class Task(SimClass):
    """``%SYS.Task`` (iris-sources.md §1.1-§1.3, S2, S8, S11)."""

    name = "%SYS.Task"
    superclass = "%SYS.TaskSuper"
    source = "iris-sources.md §1 S2, S8, S11"

    @class_method("%OpenId", source="S8")
    def open_id(cls, proc, tid, concurrency=None, status=None):  # pylint: disable=unused-argument
        """Object or ``""``."""
        tid = values.to_str(tid)
        stored = _tasks(proc.instance).get(tid)
        if stored is None:
            set_byref(status, status_error(5809, cls.name, tid))
            return ""
        return _task_object(cls, tid, stored)

    @class_method("%ExistsId", source="iris-sources.md §1.3 (portal README)")
    def exists_id(cls, proc, tid):  # pylint: disable=unused-argument
        """1/0."""
        return 1 if values.to_str(tid) in _tasks(proc.instance) else 0

    @class_method("%DeleteId", source="S8")
    def delete_id(cls, proc, tid, concurrency=None):  # pylint: disable=unused-argument
        """%Status; unknown ID → #5809 [inf]."""
        tid = values.to_str(tid)
        if _tasks(proc.instance).pop(tid, None) is None:
            return status_error(5809, cls.name, tid)
        return status_ok()

    @class_method("RunNow", source="S8 (code-live; asynchronous, §0 item 3)")
    def run_now(cls, proc, tid):  # pylint: disable=unused-argument
        """Mark for the Task Manager's next poll (``run_due_tasks``); returns $$$OK."""
        task = _tasks(proc.instance).get(values.to_str(tid))
        if task is None:
            return status_error(5809, "%SYS.Task", values.to_str(tid))
        task["_run_requested"] = _ts(datetime.datetime.now())
        return status_ok()

    @class_method("Suspend", source="iris-sources.md §1.3 (Rust test, VistA); audit B20/S10: VSRC TASKMGR.int Suspend(ID,Flag)")
    def suspend(cls, proc, tid, flag=None, *rest):  # pylint: disable=unused-argument
        """Set ``Suspended``; %Status.  ``flag``: 1 = do not reschedule, 2 = "Reschedule task when task is supposed
        to run" (VSRC TASKMGR.int TASKSUSPEND: the prompt's yes -> 2, no -> 1).  Omitted: the live-tested default
        (MCP: Suspend(id) -> Suspended 1).  Any other flag is not modelled (^TASKMGR passes only 1 or 2)."""
        flag_text = values.to_str(flag) if flag is not None else ""
        if flag_text not in ("", "1", "2"):
            not_modelled(f"%SYS.Task.Suspend with flag {flag_text!r} (^TASKMGR passes 1 or 2)")
        if rest:
            not_modelled("%SYS.Task.Suspend with more than two arguments")
        return _set_suspended(proc.instance, tid, 1, reschedule=flag_text == "2")

    @class_method("Resume", source="S2; VistA code")
    def resume(cls, proc, tid, *rest):  # pylint: disable=unused-argument
        """Clear ``Suspended`` and reschedule; %Status."""
        return _set_suspended(proc.instance, tid, 0)

    @method("%Save", source="S8, S11")
    def save(self, proc):
        """Validate (TaskClass is a %SYS.Task.Definition subclass, …), compute the next run, store."""
        props = {key: self.props.get(key, default) for key, (default, dummy) in TASK_PROPS.items()}
        try:
            tid = save_task(proc.instance, self.state.get("id", ""), props, proc)
        except OpError as exc:
            return exc.status()
        self.state["id"] = tid
        self.state.update({k: v for k, v in _tasks(proc.instance)[tid].items() if k.startswith("_")})
        for key in INT_PROPS:
            self.props[key] = _tasks(proc.instance)[tid][key]
        return status_ok()

    @method("%Id", source="S8, S11")
    def id_(self, proc):  # pylint: disable=unused-argument
        """The ID (``""`` before the first save)."""
        return self.state.get("id", "")

    @method("AssignSettings", source="S2 (method listed; signature inferred)")
    def assign_settings(self, proc, definition):  # pylint: disable=unused-argument
        """Copy a definition object's public properties into ``Settings`` ($LB pairs) [inf]."""
        if not isinstance(definition, SimObject):
            raise IrisError("INVALID OREF", "")
        pairs = []
        for klass in reversed(definition.cls.class_chain()):
            for pname in klass.properties:
                if not pname.startswith("%"):
                    pairs += [pname, definition.props.get(pname, "")]
        self.props["Settings"] = values.list_build(pairs)
        self.props["TaskClass"] = definition.cls.name
        return status_ok()


def _set_suspended(inst, tid, flag: int, reschedule: bool = False):
    """Suspend (flag 1) or resume (0).  ``reschedule`` (Suspend flag 2): the suspended task keeps a next run that
    moves on each time it comes due, without running (TASKMGR "Reschedule task when task is supposed to run");
    without it the suspended task has no next run (flag 1, "no reschedule").  Suspended stores 1 for both [inf:
    audit B21 "a Flag of 2 may store 2" - unverified]."""
    task = _tasks(inst).get(values.to_str(tid))
    if task is None:
        return status_error(5809, "%SYS.Task", values.to_str(tid))
    task["Suspended"] = flag
    if flag and reschedule:
        task["_reschedule"] = 1
    else:
        task.pop("_reschedule", None)
    _schedule(task)
    return status_ok()


# ---------------------------------------------------------------------------------------------
# definitions
# ---------------------------------------------------------------------------------------------

@register
class Definition(SimClass):
    """``%SYS.Task.Definition``: ``OnTask()`` not overridden → #5003 Not Implemented (S3, S7)."""

    name = "%SYS.Task.Definition"
    source = "iris-sources.md §1.1 S3, S7"

    @method("OnTask", source="S3, S7")
    def on_task(self, proc):  # pylint: disable=unused-argument
        """Not implemented in the base class."""
        return status_error(5003, "Not Implemented")


@register
class RunLegacyTask(SimClass):
    """``%SYS.Task.RunLegacyTask``: setting ``ExecuteCode`` passed to XECUTE; may set ``Status`` (S3)."""

    name = "%SYS.Task.RunLegacyTask"
    superclass = "%SYS.Task.Definition"
    source = "iris-sources.md §1.1 S3"
    properties = {"ExecuteCode": Prop("", source="S3")}

    @method("OnTask", source="S3")
    def on_task(self, proc):
        """XECUTE the code in a process of the task's namespace; ``Status`` (if set) is the result."""
        code = values.to_str(self.props.get("ExecuteCode", ""))
        from iris_sim import interp  # pylint: disable=import-outside-toplevel

        child = interp.Process(proc.instance, getattr(proc, "namespace", "%SYS"), out=proc.write)
        child.execute(code)
        node = child.locals.get("Status")
        value = node.get(()) if node is not None else None
        return status_ok() if value is None else value


def _system_definition(class_name: str):
    """System task classes (S5 list).  Their work is not simulated: OnTask succeeds [inf]."""
    def on_task(self, proc):  # pylint: disable=unused-argument
        return status_ok()
    on_task = method("OnTask", source="S5 (work not simulated)")(on_task)
    attrs = {"name": class_name, "superclass": "%SYS.Task.Definition", "source": "iris-sources.md §1.1 S5",
             "on_task": on_task}
    return register(type(class_name.replace(".", "_").replace("%", ""), (SimClass,), attrs))


for _cls_name in ("%SYS.Task.SwitchJournal", "%SYS.Task.PurgeJournal", "%SYS.Task.PurgeTaskHistory",
                  "%SYS.Task.PurgeErrorsAndLogs", "%SYS.Task.IntegrityCheck", "%SYS.Task.PurgeAudit",
                  "%SYS.Task.FeatureTracker"):
    _system_definition(_cls_name)


# ---------------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------------

class _TaskProc:
    """A minimal process for running a task (namespace, instance, output buffer)."""

    def __init__(self, inst, namespace: str, username: str):
        self.instance = inst
        self.namespace = namespace
        self.username = username
        self.buffer = io.StringIO()

    def write(self, text) -> None:
        """Collect output."""
        self.buffer.write(values.to_str(text))


def run_task(inst, tid: str, now: datetime.datetime | None = None) -> str:
    """Run task ``tid`` now (synchronously); record LastStarted/LastFinished/Status and history."""
    now = now or datetime.datetime.now()
    task = _tasks(inst)[tid]
    task.pop("_run_requested", None)
    user = inst.system.get("users", {}).get(values.to_str(task.get("RunAsUser", "")).upper())
    if user is None or not int(user.get("Enabled", 1)):
        task["Suspended"] = 1  # S1/S12: a disabled RunAsUser suspends the task
        status = status_error(5001, f"RunAsUser {task.get('RunAsUser')} is disabled; task suspended")
        _record(inst, tid, task, now, now, status, "")
        return status
    proc = _TaskProc(inst, task.get("NameSpace", "%SYS"), user["Name"])
    started = now
    try:
        cls = find_class(task["TaskClass"])
        definition = SimObject(cls)
        settings = values.to_str(task.get("Settings", ""))
        items = values.list_items(settings) if settings else []
        for name, value in zip(items[0::2], items[1::2]):
            if cls.find_prop(values.to_str(name)) is not None:
                definition.props[values.to_str(name)] = value
        status = cls.find_method("OnTask")(definition, proc)
        status = status_ok() if status is None else status
    except IrisError as exc:
        status = status_from_error(exc)
    if int(task.get("OpenOutputFile") or 0) and values.to_str(task.get("OutputFilename", "")):
        path = os.path.join(values.to_str(task.get("OutputDirectory", "")) or inst.mgr_dir, values.to_str(task["OutputFilename"]))
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(proc.buffer.getvalue())
    _record(inst, tid, task, started, datetime.datetime.now(), status, proc.buffer.getvalue()[-200:])
    if is_error(status) and int(task.get("SuspendOnError") or 0):
        task["Suspended"] = 1
    _schedule(task, max(now, datetime.datetime.now()))
    return status


def _record(inst, tid, task, started, finished, status, output) -> None:
    ok = not is_error(status)
    task["_last_started"] = _ts(started)
    task["_last_finished"] = _ts(finished)
    task["_status"] = 1 if ok else status_text(status)
    task["_error"] = "" if ok else status_text(status)
    history = inst.system.setdefault("task_history", [])
    history.append({"Task": int(tid), "Task Name": task.get("Name", ""), "Last Start": _ts(started),
                    "Completed": _ts(finished), "Status": 1 if ok else status_text(status),
                    "Result": "Success" if ok else status_text(status), "NameSpace": task.get("NameSpace", ""),
                    "Username": task.get("RunAsUser", ""), "Output": output})
    del history[:-500]  # [inf] bounded like PurgeTaskHistory


def run_due_tasks(inst, now: datetime.datetime | None = None) -> list[str]:
    """The Task Manager poll (S1): run requested (RunNow) and due scheduled tasks; returns their IDs."""
    now = now or datetime.datetime.now()
    ran = []
    for tid in sorted(_tasks(inst), key=int):
        task = _tasks(inst)[tid]
        due = bool(task.get("_run_requested"))
        if not due and int(task.get("Suspended") or 0) and task.get("_reschedule") and task.get("_next") \
                and task["_next"] <= _ts(now):
            _schedule(task, now)  # Suspend flag 2: rescheduled when it was supposed to run, not run (audit B20)
            continue
        if not due and not int(task.get("Suspended") or 0) and task.get("_next"):
            due = task["_next"] <= _ts(now)
        if due:
            run_task(inst, tid, now)
            ran.append(tid)
    return ran


# ---------------------------------------------------------------------------------------------
# queries and SQL projection
# ---------------------------------------------------------------------------------------------

def run_interval(task: dict) -> str:
    """Display text of the schedule [inf wording]."""
    period = int(task.get("TimePeriod") or 0)
    if period == 5:
        return "On Demand"
    start = int(task.get("DailyStartTime") or 0)
    at = f"{start // 3600:02d}:{start % 3600 // 60:02d}"
    if int(task.get("DailyFrequency") or 0) == 1:
        unit = "minutes" if int(task.get("DailyFrequencyTime") or 0) == 0 else "hours"
        return f"{PERIOD_NAMES[period]} every {task.get('DailyIncrement')} {unit} from {at}"
    return f"{PERIOD_NAMES[period]} at {at}"


TASKLIST_COLUMNS = ["ID", "Task Name", "Description", "TaskClass", "Namespace", "Suspended", "Priority", "Run Interval",
                    "Next Scheduled Date", "Next Scheduled Time", "Last Started", "Last Finished", "Last Status",
                    "Last Result"]  # iris-sources.md §1.3 S8 (code-live)


def _task_list(proc, *args):  # pylint: disable=unused-argument
    rows = []
    tasks = _tasks(proc.instance)
    for tid in sorted(tasks, key=int):
        task = tasks[tid]
        nxt = task.get("_next", "")
        date = f"{nxt[5:7]}/{nxt[8:10]}/{nxt[0:4]}" if nxt else ""  # [inf] MM/DD/YYYY display
        rows.append([int(tid), task.get("Name", ""), task.get("Description", ""), task.get("TaskClass", ""),
                     task.get("NameSpace", ""), task.get("Suspended", 0), PRIORITY_NAMES.get(int(task.get("Priority") or 0), ""),
                     run_interval(task), date, nxt[11:] if nxt else "", task.get("_last_started", ""),
                     task.get("_last_finished", ""), task.get("_status", ""), task.get("_error", "") or
                     ("Success" if task.get("_last_finished") else "")])
    return rows


HISTORY_COLUMNS = ["Task Name", "Last Start", "Completed", "Status", "Result", "NameSpace", "Username", "Task"]  # S8


def _history(proc, task_id=None):
    rows = []
    for entry in proc.instance.system.get("task_history", []):
        if task_id is None or values.to_str(entry["Task"]) == values.to_str(task_id):
            rows.append([entry[c] for c in HISTORY_COLUMNS])
    return rows


register_query("%SYS.Task", "TaskListDetail", TASKLIST_COLUMNS, _task_list)
register_query("%SYS.TaskSuper", "TaskListDetail", TASKLIST_COLUMNS, _task_list)
register_query("%SYS.Task.History", "TaskHistoryDetail", HISTORY_COLUMNS, lambda proc, *a: _history(proc))
register_query("%SYS.Task.History", "TaskHistoryForTask", HISTORY_COLUMNS, _history)


def sql_columns() -> list[str]:
    """Columns of the SQL projection ``%SYS.Task`` (ID + property names, S11)."""
    return ["ID"] + list(TASK_PROPS) + list(TASK_RO)


def sql_rows(inst) -> dict:
    """``{id: {column: value}}`` for SQL (S11)."""
    out = {}
    for tid, task in _tasks(inst).items():
        row = {"ID": int(tid)}
        for key, (default, dummy) in TASK_PROPS.items():
            row[key] = task.get(key, default)
        row.update({"LastStarted": task.get("_last_started", ""), "LastFinished": task.get("_last_finished", ""),
                    "Status": task.get("_status", ""), "Error": task.get("_error", "")})
        out[int(tid)] = row
    return out


def sql_update(inst, tid: int, changes: dict) -> None:
    """``UPDATE %SYS.Task SET ... WHERE ...`` (accepted per iris-sources.md §1.3, Rust test)."""
    task = _tasks(inst)[str(tid)]
    props = {key: task.get(key, default) for key, (default, dummy) in TASK_PROPS.items()}
    props.update(changes)
    save_task(inst, str(tid), props)


def sql_delete(inst, tid: int) -> None:
    """``DELETE FROM %SYS.Task WHERE ID=?`` (iris-sources.md LESSONS §2.4)."""
    _tasks(inst).pop(str(tid), None)
