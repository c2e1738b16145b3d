#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_task
short_description: Manage one InterSystems IRIS Task Manager task
version_added: 0.1.0
description:
  - Creates, updates, suspends, resumes, runs and deletes one task of the IRIS Task Manager (C(%SYS.Task)), identified
    by its O(name) - or by O(task_id) to adopt a task.
  - The schedule is a dictionary of named fields (O(schedule), for example O(schedule.period=daily) and O(schedule.at)); the
    module translates it into the task's properties and back, so the diff and the returned RV(task) use the same
    fields.
  - Only the options you set are compared with the task; the others are left as they are.
  - One IRIS session reads the task; a second one applies a change. A run that changes nothing opens one session.
  - Task Manager calls run in the V(%SYS) namespace, whatever O(namespace) is.
author:
  - IRIS DevTools contributors (!UNKNOWN)
extends_documentation_fragment:
  - iris_devtools.iris._iris
  - iris_devtools.iris._iris.connection
  - iris_devtools.iris._schedule
  - iris_devtools.iris._attributes
  - iris_devtools.iris._attributes.actiongroup_iris
attributes:
  check_mode:
    support: full
    details:
      - Check mode predicts the real run - the same RV(ignore:changed), RV(actions) and diff, and the same RV(task)
        except for what IRIS only knows after saving - the RV(task.id) of a new task, the start date and the
        run-as user it picks for a new task when the schedule's C(start_date) or O(run_as_user) is not set,
        RV(task.next_run) and RV(task.last_run).
      - Check mode cannot tell an unknown O(task_class) - IRIS checks the class when it saves the task.
  diff_mode:
    support: full
    details:
      - The diff shows the managed fields of the task before and after, in the words of the options.
  idempotent:
    support: partial
    details:
      - Not idempotent with O(run_now=true), which starts the task on every run.
options:
  name:
    description:
      - Name of the task. IRIS does not keep task names unique - the module looks the task up by its exact name, and
        fails (listing the IDs) when several tasks have it; then set O(task_id) to choose one.
      - Required unless O(task_id) is set. With O(task_id), a different O(name) renames the task.
    type: str
  task_id:
    description:
      - ID of an existing task to manage (adopt), for example a task whose name is not unique, or a system task.
      - The task must exist, unless O(state=absent).
    type: int
  state:
    description:
      - V(present) - the task exists with the wanted settings; whether it is suspended is not changed.
      - V(suspended) - like V(present), and the task is suspended (the Task Manager does not run it on schedule).
      - V(resumed) - like V(present), and the task is not suspended.
      - V(absent) - the task is deleted.
    type: str
    choices: [present, absent, suspended, resumed]
    default: present
  run_now:
    description:
      - Start the task now (C(%SYS.Task.RunNow)), after any change. IRIS starts it at the Task Manager's next check,
        up to a minute later; the module does not wait for the run. Watch RV(task.last_run) (for example with
        M(iris_devtools.iris.iris_info)) to see it finish.
      - Always reports RV(ignore:changed=true); in check mode the task is not started.
      - Not allowed with O(state=absent).
    type: bool
    default: false
  task_class:
    description:
      - Class that does the work - a subclass of C(%SYS.Task.Definition), visible in O(task_namespace).
      - If not set, a new task uses V(%SYS.Task.RunLegacyTask) (which runs O(execute_code)), and the class of an
        existing task is not changed.
      - IRIS refuses an unknown class when it saves the task; the module then fails and nothing is changed.
      - Changing the class replaces the task's settings with O(settings).
    type: str
  settings:
    description:
      - The task class's settings (its public properties), as names and values, for example the setting C(ExecuteCode)
        of V(%SYS.Task.RunLegacyTask).
      - Only the settings given are compared and changed; other settings of the task are kept.
      - Excludes O(execute_code).
    type: dict
  execute_code:
    description:
      - ObjectScript code the task runs - the C(ExecuteCode) setting of V(%SYS.Task.RunLegacyTask), which passes it to
        C(XECUTE). The code may set the variable C(Status) to report a result.
      - Short for the setting C(ExecuteCode) in O(settings) with O(task_class=%SYS.Task.RunLegacyTask). Excludes
        O(settings).
    type: str
  task_namespace:
    description:
      - Namespace the task runs in (its C(NameSpace) property); it must exist.
      - If not set, a new task runs in O(namespace), and the namespace of an existing task is not changed. The
        module itself always works in V(%SYS).
    type: str
  description:
    description:
      - Description of the task.
    type: str
  run_as_user:
    description:
      - IRIS user the task runs as; the user must exist. Choosing a user other than the one the module logs in as
        needs C(%Admin_Secure:Use). If that user is disabled, IRIS suspends the task.
      - If not set, a new task runs as the IRIS default, and the user of an existing task is not changed.
    type: str
  priority:
    description:
      - Process priority of the task's runs.
      - If not set, a new task gets V(normal), and the priority of an existing task is not changed.
    type: str
    choices: [normal, low, high]
notes:
  - The module needs the C(%Admin_Task) resource in IRIS; the docker transport logs in as C(irisowner) with OS
    authentication, which has it in the official containers. Over O(transport=native) the user O(username) needs it.
  - Task names are not unique in IRIS. Tasks created outside the module with the same name make the module fail
    until you choose one with O(task_id).
  - Parallel runs that create the same task O(name) do not create duplicates - one run creates the task, the others
    fail with a message saying so, and running them again converges on that task. A run waits at most 30 seconds
    (and never more than half of O(timeout)) for another run creating the same name.
seealso:
  - name: Task Manager
    description: Using the Task Manager.
    link: https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GSA_manage_taskmgr
  - name: "%SYS.Task.RunLegacyTask"
    description: The class that runs ObjectScript code.
    link: https://docs.intersystems.com/irislatest/csp/documatic/%25CSP.Documatic.cls?CLASSNAME=%25SYS.Task.RunLegacyTask&LIBRARY=%25SYS
"""

EXAMPLES = r"""
---
- name: Purge an application log every night at 02:30
  iris_devtools.iris.iris_task:
    container: iris-ci
    name: purge-app-log
    description: Purge ^AppLog older than 7 days
    execute_code: do PURGE^AppLog(7)
    task_namespace: APP
    schedule:
      period: daily
      at: "02:30"

- name: Every 15 minutes on weekdays between 08:00 and 18:00, until the end of the year
  iris_devtools.iris.iris_task:
    container: iris-ci
    name: poll-queue
    execute_code: do ^PollQueue
    task_namespace: APP
    priority: low
    schedule:
      period: weekly
      days: [monday, tuesday, wednesday, thursday, friday]
      every_minutes: 15
      start: "08:00"
      end: "18:00"
      end_date: "2026-12-31"

- name: A task of another definition class, with its settings, on the first of every month
  iris_devtools.iris.iris_task:
    container: iris-ci
    name: monthly-report
    task_class: App.Task.Report
    settings:
      Recipients: ops@example.com
      Format: pdf
    task_namespace: APP
    schedule:
      period: monthly
      day_of_month: 1
      at: "06:00"

- name: Suspend the task during a load test
  iris_devtools.iris.iris_task:
    container: iris-ci
    name: poll-queue
    state: suspended

- name: Resume it and run it at once
  iris_devtools.iris.iris_task:
    container: iris-ci
    name: poll-queue
    state: resumed
    run_now: true

- name: Two tasks share a name; adopt one by its ID and rename it
  iris_devtools.iris.iris_task:
    container: iris-ci
    task_id: 1004
    name: poll-queue-old

- name: Delete the task
  iris_devtools.iris.iris_task:
    container: iris-ci
    name: purge-app-log
    state: absent
"""

RETURN = r"""
iris_sessions:
  description: How many IRIS sessions the module opened (1 when nothing changed, 2 when something did).
  returned: always
  type: int
  sample: 1
actions:
  description:
    - What the module did (or, in check mode, would do), in order - V(create), V(update), V(suspend), V(resume),
      V(delete), V(run_now).
  returned: always
  type: list
  elements: str
  sample: ["create", "suspend"]
task:
  description:
    - The task after the run (in check mode, as predicted), in the words of the options; V(null) when it does not
      exist.
  returned: always
  type: dict
  contains:
    id:
      description: ID of the task (V(null) in check mode for a task not created yet).
      type: int
      sample: 1002
    name:
      description: Name of the task.
      type: str
      sample: purge-app-log
    task_class:
      description: Task definition class.
      type: str
      sample: "%SYS.Task.RunLegacyTask"
    settings:
      description: The task's settings (all of them, not only the managed ones).
      type: dict
      sample: {"ExecuteCode": "do PURGE^AppLog(7)"}
    task_namespace:
      description: Namespace the task runs in.
      type: str
      sample: APP
    description:
      description: Description of the task.
      type: str
      sample: Purge ^AppLog older than 7 days
    run_as_user:
      description: IRIS user the task runs as.
      type: str
      sample: _SYSTEM
    priority:
      description: V(normal), V(low) or V(high).
      type: str
      sample: normal
    schedule:
      description:
        - The schedule, with the keys of O(schedule). A schedule the module cannot express (monthly on the n-th
          weekday, or after another task) is shown with C(period) V(other) and its C(time_period) number.
      type: dict
      sample: {"period": "daily", "interval": 1, "every_hours": 1, "start": "08:00", "end": "23:59:59",
               "start_date": "2026-01-05", "end_date": null}
    suspended:
      description: Whether the task is suspended.
      type: bool
      sample: false
    last_run:
      description:
        - The last run as the Task Manager lists it (C(started), C(finished), C(status), C(result)); V(null) if the
          task never ran.
      type: dict
      sample: {"started": "2026-01-05 02:30:00", "finished": "2026-01-05 02:30:01", "status": "1", "result": "Success"}
    next_run:
      description: Date and time of the next scheduled run, as the Task Manager lists it; V(null) if none.
      type: str
      sample: "2026-01-06 02:30:00"
"""

from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module
from ansible_collections.iris_devtools.iris.plugins.module_utils._schedule import schedule_argument_spec
from ansible_collections.iris_devtools.iris.plugins.module_utils._task import PRIORITIES, STATES, TaskManager


def argument_spec():
    return dict(
        name=dict(type="str"),
        task_id=dict(type="int"),
        state=dict(type="str", choices=list(STATES), default="present"),
        run_now=dict(type="bool", default=False),
        task_class=dict(type="str"),
        settings=dict(type="dict"),
        execute_code=dict(type="str"),
        task_namespace=dict(type="str"),
        description=dict(type="str"),
        run_as_user=dict(type="str"),
        priority=dict(type="str", choices=list(PRIORITIES)),
        schedule=schedule_argument_spec(),
    )


def main():
    run_module(TaskManager, argument_spec(),
               required_one_of=[("name", "task_id")],
               mutually_exclusive=[("settings", "execute_code")])


if __name__ == "__main__":
    main()
