# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The Task Manager domain (``%SYS.Task``, iris-sources.md §1): read one task (or all), compare it with
what the user wants, and apply the difference.  Used by ``iris_task``, ``iris_monitoring`` (its
schedule task) and ``iris_info`` (the ``tasks`` section).

API (other modules code against exactly these names)::

    add_read(program, key, name=None, task_id=None)
        Append %SYS steps putting into result[key] what current_from needs (the program is already
        switched to %SYS).  With task_id the task is read by ID, otherwise every task named ``name``.
    current_from(result, key, name=None, task_id=None, missing_ok=False)
        -> task dict in the user's vocabulary (keys TASK_KEYS: id, name, task_class, settings,
        task_namespace, description, run_as_user, priority, schedule, suspended, last_run, next_run)
        or None.  IrisModuleError when several tasks have the name (lists the IDs, hint: task_id) or
        when task_id does not exist (unless missing_ok).
    desired_from(spec)
        spec: dict with any of name, task_class, settings, task_namespace, description, run_as_user,
        priority, schedule (missing/None = not managed).  Validates and normalises (schedule through
        _schedule).  IrisModuleError on bad input.
    plan(current, desired, state)
        state present|absent|suspended|resumed -> TaskPlan with .changed, .actions (['create'],
        ['update', 'resume'], ['delete'], ...), .before / .after (user-vocabulary dicts of the managed
        keys plus ``exists`` (and ``suspended`` when the state manages it), for the diff) and .task (the
        predicted task dict after the change, None when absent).
    add_apply(program, current, desired, plan, key, lock_seconds=LOCK_SECONDS)
        Append the write steps (nothing when not plan.changed); result[key] = the task ID (new or
        existing); with a change the task is read back into result[key + "_task"] (same session).
        A create waits at most lock_seconds for the name lock (lock_seconds_for(timeout)).
    add_run_now(program, key, task_id=None)
        RunNow on task_id, or (task_id None) on the task add_apply just created/saved in this program.
        RunNow is asynchronous (iris-sources.md §0.3, S1, S8): the run starts at the Task Manager's
        next poll.  result[key] = the task ID.
    add_read_all(program, key) / all_from(result, key)
        Every task (iris_info): a list of task dicts shaped like current_from's.
    returned_task(task)
        The dict the modules return for a task (TASK_KEYS; None for a missing task).
    applied_task(result, key, plan)
        After add_apply ran: the read-back task (falls back to plan.task).

One program reads (one IRIS session); one more applies (a second session): iris-sources.md §1.6.
"""

from __future__ import annotations

import collections
import copy
import re

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _schedule
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import SYS_NAMESPACE
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program, int_or_none

STATES = ("present", "absent", "suspended", "resumed")
PRIORITIES = ("normal", "low", "high")
# iris-sources.md §1.2 Priority: wizard choices Normal/Low/High (doc S1); numbers 0/1/2 [inf] (VistA code sets 0 = normal).
PRIORITY_NUMBER = {"normal": 0, "low": 1, "high": 2}
PRIORITY_NAME = dict((number, name) for name, number in PRIORITY_NUMBER.items())
DEFAULT_TASK_CLASS = "%SYS.Task.RunLegacyTask"  # iris-sources.md §1.1 S3: one setting, ExecuteCode
LEGACY_SETTING = "ExecuteCode"  # S3
HANDLE = "task"
# The create-by-name steps that fail when runs race (add_apply): the hint for each, by the step that failed.
APPLY_HINTS = {
    "task_lock_name": "another run is changing this task; run again or raise timeout",
    "task_still_missing": "another run created the task; run again: it converges",
}

# The keys of a task in the user's vocabulary (what the modules return), in this order.
TASK_KEYS = ("id", "name", "task_class", "settings", "task_namespace", "description", "run_as_user", "priority",
             "schedule", "suspended", "last_run", "next_run")
# Keys the user can manage (desired_from) and the %SYS.Task property each maps to (iris-sources.md §1.2).
SIMPLE_PROPERTIES = (("name", "Name"), ("task_class", "TaskClass"), ("task_namespace", "NameSpace"),
                     ("description", "Description"), ("run_as_user", "RunAsUser"), ("priority", "Priority"))
MANAGED_KEYS = ("name", "task_class", "settings", "task_namespace", "description", "run_as_user", "priority", "schedule")
# Properties read for every task (iris-sources.md §1.2: names code-live S8, S11, S12 / schema S37).
READ_PROPERTIES = ("Name", "Description", "TaskClass", "NameSpace", "RunAsUser", "Suspended", "Priority") + _schedule.PROPERTIES

_SETTING_NAME = re.compile(r"\A[A-Za-z][A-Za-z0-9]*\Z")  # \Z: "$" would take a trailing line feed
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# -- reading ------------------------------------------------------------------------------------------

LOCK_SECONDS = 30  # how long a create waits (at most) for another run that holds the same task name


def lock_seconds_for(timeout):
    """The create lock's wait within the module's ``timeout`` (seconds): half of it, at least 1, at most LOCK_SECONDS."""
    return min(LOCK_SECONDS, max(1, int(timeout or 0) // 2))


def add_read(program, key, name=None, task_id=None):
    """Append %SYS steps putting into result[key] what current_from needs (program already in %SYS)."""
    if task_id is not None:
        program.add("task_select_id", id=_task_id(task_id))
    elif name is not None:
        program.add("task_select_by_name", name=name)
    else:
        raise IrisModuleError("A task is identified by its name or its ID; neither was given",
                              hint="set the name option (or task_id)")
    program.add("task_read_selected", key=key, properties=",".join(READ_PROPERTIES))
    return program


def add_read_all(program, key):
    """Append %SYS steps putting every task into result[key] (for all_from)."""
    program.add("task_select_all")
    program.add("task_read_selected", key=key, properties=",".join(READ_PROPERTIES))
    return program


def _task_id(value):
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if number < 1:
        raise IrisModuleError("task_id must be a positive whole number, got %r" % (value,),
                              hint="use the ID the module returned (task.id) or the Task Manager shows")
    return number


def _text(value):
    return "" if value is None else str(value)


def _int(value, default=0):
    """IRIS text as an int (the schedule's parser); ``default`` when it is empty or not a number."""
    number = int_or_none(value)
    return default if number is None else number


def _run_time(date_text, time_text):
    """'MM/DD/YYYY' (TaskListDetail display format [inf]) or ISO date, plus time -> 'YYYY-MM-DD HH:MM:SS' or None."""
    date_text = _text(date_text).strip()
    time_text = _text(time_text).strip()
    if not date_text:
        return None
    match = _US_DATE.match(date_text)
    if match:
        date_text = "%s-%02d-%02d" % (match.group(3), int(match.group(1)), int(match.group(2)))
    return ("%s %s" % (date_text, time_text)).strip()


def task_from_row(row):
    """One object of task_read_selected -> task dict in the user's vocabulary."""
    settings = row.get("Settings") or {}
    if not isinstance(settings, dict):
        settings = {}
    start_date = _int(row.get("StartDate"), None)
    last_started = _text(row.get("LastStarted")).strip()
    last_finished = _text(row.get("LastFinished")).strip()
    task = {
        "id": _int(row.get("ID"), None),
        "name": _text(row.get("Name")),
        "task_class": _text(row.get("TaskClass")),
        "settings": dict((str(k), _text(v)) for k, v in settings.items()),
        "task_namespace": _text(row.get("NameSpace")),
        "description": _text(row.get("Description")),
        "run_as_user": _text(row.get("RunAsUser")),
        # Priority 0/1/2 = normal/low/high [inf]; an unknown number is shown as it is.
        "priority": PRIORITY_NAME.get(_int(row.get("Priority")), _text(row.get("Priority"))),
        "schedule": _schedule.from_properties(row),
        # Suspended: non-empty/1 = suspended (iris-sources.md §1.2, S8 code-live).
        "suspended": _text(row.get("Suspended")).strip() not in ("", "0"),
        # TaskListDetail columns (iris-sources.md §1.3 S8): the last run and the next scheduled one.
        "last_run": None,
        "next_run": _run_time(row.get("NextDate"), row.get("NextTime")),
        # Not returned: the raw StartDate, needed to predict a schedule that leaves start_date unmanaged.
        "_start_date": _schedule.from_horolog(start_date) if start_date else None,
    }
    if last_started or last_finished:
        task["last_run"] = {"started": last_started or None, "finished": last_finished or None,
                            "status": _text(row.get("LastStatus")), "result": _text(row.get("LastResult"))}
    return task


def current_from(result, key, name=None, task_id=None, missing_ok=False):
    """-> the task (user vocabulary) or None; IrisModuleError on duplicate names or a missing task_id."""
    rows = result.get(key) or []
    tasks = [task_from_row(row) for row in rows if isinstance(row, dict)]
    if task_id is not None:
        tasks = [task for task in tasks if task["id"] == _task_id(task_id)]
        if not tasks:
            if missing_ok:
                return None
            raise IrisModuleError(
                "There is no Task Manager task with ID %s" % task_id,
                hint="check task_id (the ID iris_task returned, or iris_info's tasks section), or leave task_id out "
                     "to find or create the task by name")
        return tasks[0]
    # iris-sources.md §0.1 / S11: Name is not unique; the SQL match is case-insensitive, names are compared exactly.
    tasks = [task for task in tasks if task["name"] == name]
    if len(tasks) > 1:
        ids = sorted(task["id"] for task in tasks)
        raise IrisModuleError(
            "%d Task Manager tasks are named %r (IDs %s); IRIS does not keep task names unique, so the module cannot "
            "tell which one to manage" % (len(tasks), name, ", ".join(str(i) for i in ids)),
            hint="set task_id to the ID of the task to manage (the module then renames it to name if needed), and "
                 "delete the others (state: absent with their task_id)",
            task_ids=ids)
    return tasks[0] if tasks else None


def all_from(result, key):
    """-> every task read by add_read_all, as returned_task dicts, ordered by ID."""
    rows = result.get(key) or []
    tasks = [returned_task(task_from_row(row)) for row in rows if isinstance(row, dict)]
    return sorted(tasks, key=lambda task: task["id"] or 0)


def returned_task(task):
    """The dict the modules return for a task (TASK_KEYS), or None."""
    if task is None:
        return None
    return dict((key, copy.deepcopy(task.get(key))) for key in TASK_KEYS)


# -- the wanted task -------------------------------------------------------------------------------------

def _setting_value(name, value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        raise IrisModuleError("Setting %s has a %s value; task settings are single values" % (name, type(value).__name__),
                              hint="give each setting as a string or number")
    return _text(value)


def desired_from(spec):
    """Validate and normalise what the user wants; keys missing or None are not managed."""
    spec = spec or {}
    unknown = sorted(k for k in spec if k not in MANAGED_KEYS)
    if unknown:
        raise IrisModuleError("Unknown task keys %s" % ", ".join(unknown), hint="this is a bug in the collection")
    desired = {}
    for key in ("name", "description", "run_as_user"):
        if spec.get(key) is not None:
            desired[key] = _text(spec[key])
    if "name" in desired and not desired["name"].strip():
        raise IrisModuleError("The task name is empty", hint="give the task a name")
    for key in ("name", "description", "run_as_user"):
        if key in desired and _argspec.has_control_character(desired[key]):
            raise IrisModuleError("The task %s %s contains a control character (newline, carriage return, NUL, ...)."
                                  % (key.replace("_", " "), _argspec.shown(desired[key])),
                                  hint="write %s on one line, without control characters" % key)
    if spec.get("task_class") is not None:
        task_class = _text(spec["task_class"]).strip()
        if not _argspec.CLASS_NAME_RE.match(task_class):
            raise IrisModuleError(
                "task_class %r is not a class name" % task_class,
                hint="give the full name of a %%SYS.Task.Definition subclass, for example %s" % DEFAULT_TASK_CLASS)
        desired["task_class"] = task_class
    if spec.get("task_namespace") is not None:
        namespace = _text(spec["task_namespace"]).strip()
        if not namespace:
            raise IrisModuleError("task_namespace is empty", hint="name the namespace the task runs in, for example USER")
        _argspec.validate_namespace(namespace, "task_namespace")
        # Namespace names are not case-sensitive [inf]; IRIS keeps them upper case (iris-sources.md IRISREF24:
        # Config.Namespaces "Namespace name is always capitalized"; B19 for the task's NameSpace).
        desired["task_namespace"] = namespace.upper()
    if spec.get("priority") is not None:
        priority = _text(spec["priority"]).strip().lower()
        if priority not in PRIORITY_NUMBER:
            raise IrisModuleError("priority %r is not one of %s" % (spec["priority"], ", ".join(PRIORITIES)),
                                  hint="use normal, low or high")
        desired["priority"] = priority
    if spec.get("settings") is not None:
        if not isinstance(spec["settings"], dict):
            raise IrisModuleError("settings must be a dictionary of setting names and values",
                                  hint="for example settings: {ExecuteCode: 'do ^MyRoutine'}")
        settings = {}
        for name, value in spec["settings"].items():
            if not _SETTING_NAME.match(str(name)):
                raise IrisModuleError(
                    "Setting name %r is not a property name of a task class" % (name,),
                    hint="settings are the public properties of the task class (letters and digits, not starting "
                         "with %%), for example ExecuteCode of %s (iris-sources.md S3)" % DEFAULT_TASK_CLASS)
            settings[str(name)] = _setting_value(name, value)
        desired["settings"] = settings
    if spec.get("schedule") is not None:
        desired["schedule"] = _schedule.normalise(spec["schedule"])
    return desired


# -- planning --------------------------------------------------------------------------------------------

class TaskPlan(collections.namedtuple("TaskPlan", "state changed actions before after task updates")):
    """What a run does: ``changed``, ``actions``, ``before``/``after`` (diff), the predicted ``task`` and ``updates``
    (the managed keys whose value changes on an existing task)."""

    __slots__ = ()

    def __repr__(self):
        return "TaskPlan(%r, %r)" % (self.state, self.actions)


def _wanted_value(key, desired, current):
    """The value ``key`` will have after the run (desired merged over current)."""
    if key == "settings":
        merged = dict((current or {}).get("settings") or {})
        merged.update(desired.get("settings") or {})
        return merged
    if key == "schedule":
        start = (current or {}).get("_start_date")
        return _schedule.merge_unmanaged(desired["schedule"], start)
    return desired[key]


def _managed_view(task, keys):
    return dict((key, copy.deepcopy(task.get(key))) for key in keys)


def plan(current, desired, state):
    """Compare ``current`` (current_from) with ``desired`` (desired_from) for ``state``."""
    if state not in STATES:
        raise IrisModuleError("Unknown task state %r" % (state,), hint="use one of %s" % ", ".join(STATES))
    desired = desired or {}
    manages_suspended = state in ("suspended", "resumed")
    if state == "absent":
        if current is None:
            return TaskPlan(state, False, [], {"exists": False}, {"exists": False}, None, [])
        before = dict(exists=True, **_managed_view(current, MANAGED_KEYS))
        before["suspended"] = current["suspended"]
        return TaskPlan(state, True, ["delete"], before, {"exists": False}, None, [])

    keys = [key for key in MANAGED_KEYS if key in desired]
    if current is None:
        if "name" not in desired:
            raise IrisModuleError("A new task needs a name", hint="set the name option")
        task = dict((key, None) for key in TASK_KEYS)
        task.update(settings={}, suspended=False, _start_date=None)
        task["task_class"] = DEFAULT_TASK_CLASS
        task["priority"] = "normal"
        task["schedule"] = {"period": "on_demand"}  # a new task without a schedule runs on demand
        for key in keys:
            task[key] = _wanted_value(key, desired, None)
        actions = ["create"]
        if state == "suspended":
            task["suspended"] = True
            actions.append("suspend")
        after = dict(exists=True, **_managed_view(task, keys))
        before = {"exists": False}
        if manages_suspended:
            after["suspended"] = task["suspended"]
        return TaskPlan(state, True, actions, before, after, task, keys)

    task = copy.deepcopy(current)
    updates = []
    for key in keys:
        value = _wanted_value(key, desired, current)
        if value != current.get(key):
            updates.append(key)
            task[key] = value
    if "task_class" in updates:
        # Another class has other settings: the old class's settings are dropped, not merged.
        settings = dict(desired.get("settings") or {})
        if "settings" not in updates and settings != current.get("settings"):
            updates.append("settings")
        task["settings"] = settings
    actions = ["update"] if updates else []
    if state == "suspended" and not current["suspended"]:
        actions.append("suspend")
        task["suspended"] = True
    elif state == "resumed" and current["suspended"]:
        actions.append("resume")
        task["suspended"] = False
    before = dict(exists=True, **_managed_view(current, keys))
    after = dict(exists=True, **_managed_view(task, keys))
    if manages_suspended:
        before["suspended"] = current["suspended"]
        after["suspended"] = task["suspended"]
    return TaskPlan(state, bool(actions), actions, before, after, task, updates)


# -- applying --------------------------------------------------------------------------------------------

def _property_values(key, value):
    """User-vocabulary key/value -> [(property, value)] (iris-sources.md §1.2)."""
    if key == "priority":
        return [("Priority", PRIORITY_NUMBER[value])]  # 0/1/2 [inf]
    if key == "schedule":
        return sorted(_schedule.to_properties(value).items())
    return [(dict(SIMPLE_PROPERTIES)[key], value)]


def add_apply(program, current, desired, plan_, key, lock_seconds=LOCK_SECONDS):
    """Append the write steps of ``plan_``; result[key] = the task ID; result[key + '_task'] = the task read back.

    A create waits at most ``lock_seconds`` for another run creating a task of the same name (lock_seconds_for).

    An unknown task class (or namespace, or user) is refused by ``%Save`` with an error status
    (iris-sources.md §1.3: %Save returns %Status and runs the class's validation [inf for what it
    checks]); the sources cite no other way to test that a class exists.  The save is therefore
    the first write step of the program and the only one that sets properties: when it fails, the
    program stops there (a failed step ends the program, _objectscript.py) and nothing is applied.
    Suspend/Resume/RunNow come after it.
    """
    if not plan_.changed:
        return program
    if "delete" in plan_.actions:
        program.add("task_delete", id=current["id"])  # iris-sources.md §1.3 S8
        program.add("result_value", key=key, value=current["id"])
        return program
    saved = False
    if "create" in plan_.actions or "update" in plan_.actions:
        if current is None:
            # Serialize create-by-name inside IRIS (issue 11 item 3): lock the name, then make sure no other run
            # created the task since this run read the instance; the lock ends with the session.
            program.add("task_lock_name", name=plan_.task["name"], seconds=lock_seconds)
            program.add("task_select_by_name", name=plan_.task["name"])
            program.add("task_still_missing", name=plan_.task["name"])
            program.add("task_new", handle=HANDLE)  # iris-sources.md §1.3 S8, S11
            values = []
            task = plan_.task
            for name in ("name", "task_class", "task_namespace", "description", "run_as_user", "priority", "schedule"):
                if name in desired or name in ("task_class", "schedule"):
                    values.extend(_property_values(name, task[name]))
            settings = task["settings"]
        else:
            program.add("task_open", handle=HANDLE, id=current["id"], key=key + "_found")  # S8
            values = []
            for name in plan_.updates:
                if name != "settings":
                    values.extend(_property_values(name, plan_.task[name]))
            settings = plan_.task["settings"] if "settings" in plan_.updates else None
        for prop, value in values:
            program.add("task_set_" + prop, handle=HANDLE, value=value)
        if settings is not None:
            for name, value in settings.items():
                program.add("task_setting", name=name, value=value)
            program.add("task_settings_set", handle=HANDLE)
        program.add("object_save", handle=HANDLE, key=key)  # %Save + %Id (S8, S11)
        saved = True
    if "suspend" in plan_.actions:
        if saved:
            program.add("task_suspend_saved", handle=HANDLE)
        else:
            program.add("task_suspend", id=current["id"])
    if "resume" in plan_.actions:
        if saved:
            program.add("task_resume_saved", handle=HANDLE)
        else:
            program.add("task_resume", id=current["id"])
    if saved:
        program.add("task_select_saved", handle=HANDLE)
    else:
        program.add("result_value", key=key, value=current["id"])
        program.add("task_select_id", id=current["id"])
    program.add("task_read_selected", key=key + "_task", properties=",".join(READ_PROPERTIES))
    return program


def add_run_now(program, key, task_id=None):
    """RunNow on ``task_id``, or on the task add_apply saved in this program (task_id None).

    Asynchronous: IRIS only marks the task; the Task Manager starts it at its next poll, up to a
    minute later (iris-sources.md §0.3, S1; RunNow returns $$$OK at once, S8 code-live).
    """
    if task_id is None:
        program.add("task_run_now_saved", handle=HANDLE, key=key)
    else:
        program.add("task_run_now", id=_task_id(task_id))
        program.add("result_value", key=key, value=_task_id(task_id))
    return program


def applied_task(result, key, plan_):
    """The task as read back after add_apply (falls back to the prediction); None after a delete."""
    if "delete" in plan_.actions:
        return None
    rows = result.get(key + "_task") if result else None
    if rows:
        return task_from_row(rows[0])
    return plan_.task


# -- the manager behind iris_task ----------------------------------------------------------------------------

class TaskManager(BaseManager):
    """``TaskManager(module).run() -> result`` for iris_task; ``instance`` is injectable for tests (``BaseManager``)."""

    def _spec(self):
        params = self.params
        task_class = params.get("task_class")
        settings = params.get("settings")
        if params.get("execute_code") is not None:
            if task_class is not None and task_class != DEFAULT_TASK_CLASS:
                raise IrisModuleError(
                    "execute_code is the ExecuteCode setting of %s, but task_class is %s" % (DEFAULT_TASK_CLASS, task_class),
                    hint="drop task_class (or set it to %s), or give the settings of %s in settings"
                         % (DEFAULT_TASK_CLASS, task_class))
            task_class = DEFAULT_TASK_CLASS
            settings = {LEGACY_SETTING: params["execute_code"]}
        return dict(name=params.get("name"), task_class=task_class, settings=settings,
                    task_namespace=params.get("task_namespace"), description=params.get("description"),
                    run_as_user=params.get("run_as_user"), priority=params.get("priority"),
                    schedule=params.get("schedule"))

    def run(self):
        params = self.params
        state = params["state"]
        task_id = params.get("task_id")
        name = params.get("name")
        if state == "absent" and params.get("run_now"):
            raise IrisModuleError("run_now cannot run a task that state=absent deletes",
                                  hint="use run_now with state present, suspended or resumed")
        desired = desired_from(self._spec()) if state != "absent" else {}
        namespace_to_check = desired.get("task_namespace") or _text(params.get("namespace")).upper()

        # One session reads everything the decision needs (iris-sources.md §1.6).
        program = Program().add("namespace", namespace=SYS_NAMESPACE)  # iris-sources.md §0.2: Task Manager calls run in %SYS
        add_read(program, "task", name=name, task_id=task_id)
        if state != "absent":
            program.add("namespace_exists", key="namespace_exists", namespace=namespace_to_check)  # S9
            if desired.get("run_as_user"):
                # iris-sources.md §6 S10 (code-live): Security.Users.Exists(Name)
                program.add("call_arg", value=desired["run_as_user"])
                program.add("call_value", key="user_exists", **{"class": "Security.Users", "method": "Exists"})
        # The session starts in %SYS (iris-sources.md §0.2): O(namespace) is only where a new task runs.
        transport = self.instance.transport(SYS_NAMESPACE)
        result = transport.run(program)
        current = current_from(result, "task", name=name, task_id=task_id, missing_ok=(state == "absent"))
        if current is None and state != "absent" and "task_namespace" not in desired:
            desired["task_namespace"] = namespace_to_check  # a new task runs in the module's namespace option
        task_plan = plan(current, desired, state)
        self._check_references(result, current, desired, task_plan, namespace_to_check)

        # changed: the read task against the wanted one (the diff tracker); run_now always acts.
        self.diff.add_dict(task_plan.before, task_plan.after)
        self.actions.extend(task_plan.actions)
        if params.get("run_now"):
            self.actions.append("run_now")
        changed = self.diff.changed or bool(params.get("run_now"))
        task = task_plan.task if state != "absent" else None
        if changed and not self.check_mode:
            # The second (and last) session: the change, RunNow, and the task read back.
            program = Program().add("namespace", namespace=SYS_NAMESPACE)
            add_apply(program, current, desired, task_plan, "applied", lock_seconds=lock_seconds_for(params.get("timeout")))
            if params.get("run_now"):
                saved = "create" in task_plan.actions or "update" in task_plan.actions
                add_run_now(program, "ran", task_id=None if saved else current["id"])
                if not task_plan.changed:
                    program.add("task_select_id", id=current["id"])
                    program.add("task_read_selected", key="applied_task", properties=",".join(READ_PROPERTIES))
            try:
                applied = transport.run(program)
            except IrisModuleError as error:
                step = error.details.get("iris_step")
                if step == "object_save":
                    # %Save refused the task; it is the first write step, so nothing was changed (add_apply).
                    error.hint = ("IRIS did not save the task, and nothing was changed; check task_class (an existing "
                                  "%%SYS.Task.Definition subclass visible in the task's namespace), settings, task_namespace "
                                  "and run_as_user (IRIS error codes %s)" % (error.details.get("iris_error_codes") or "?"))
                elif step in APPLY_HINTS:
                    error.hint = APPLY_HINTS[step]
                raise
            task = applied_task(applied, "applied", task_plan)
        return self.result(changed=changed, task=returned_task(task), iris_sessions=self.sessions)

    def _check_references(self, result, current, desired, task_plan, namespace):
        """Fail before anything is applied when a namespace or user the task would get does not exist."""
        writes = set(desired) if current is None else set(task_plan.updates)
        if not task_plan.task:
            return
        if "task_namespace" in writes and not result.get("namespace_exists"):
            raise IrisModuleError(
                "Namespace %s does not exist, so a task cannot run in it" % namespace,
                hint="create the namespace first (iris_container cpf_merge CreateNamespace, or iris_fixture), or set "
                     "task_namespace (or namespace) to an existing one")
        if "run_as_user" in writes and desired.get("run_as_user") and not _int(result.get("user_exists")):
            raise IrisModuleError(
                "IRIS user %s does not exist, so the task cannot run as that user" % desired["run_as_user"],
                hint="create the user first, or set run_as_user to an existing user (or leave it out)")
