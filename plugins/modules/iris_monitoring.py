#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_monitoring
short_description: Manage ^SystemPerformance monitoring of an InterSystems IRIS instance, with resource-aware suspension
version_added: 0.1.0
description:
  - Manages one C(^SystemPerformance) profile (sampling O(interval) and O(duration) or O(count)) and the Task Manager task
    that runs it on a O(schedule), through the documented entry points C($$addprofile), C($$editprofile) and
    C($$delprofile) of C(^SystemPerformance) in C(%SYS).
  - With no options at all it sets up a sensible default - profile V(iris_devtools) sampling every 30 seconds for one
    hour, run daily at midnight by the task C(iris_devtools monitoring iris_devtools) - and RV(msg) says what it did.
  - Starts a run now (O(run_now)), stops a run (O(stop)), checks that a run's HTML report exists (O(collect)) and copies
    the report out of the instance (O(fetch_report)).
  - With O(thresholds.enabled) it reads the live CPU and memory figures of the instance (its C(/api/monitor/metrics)
    page) or of its container (Docker stats), suspends the monitoring task under pressure and resumes it when the
    pressure is gone, with hysteresis. Run it periodically (for example from a scheduled job) to keep the task in step
    with the load.
  - IRIS has no documented way to read a profile back. The module therefore records what it applied in the global
    C(^IrisDevTools("monitoring", <profile>)) in C(%SYS) and compares the wanted profile with that record. A profile
    changed by hand outside the module is not noticed. A profile that exists without the record (created by hand or by
    another tool) is adopted - edited to the wanted values. O(state=absent) deletes only profiles the module recorded.
author:
  - IRIS DevTools contributors (!UNKNOWN)
extends_documentation_fragment:
  - iris_devtools.iris._iris
  - iris_devtools.iris._iris.connection
  - iris_devtools.iris._schedule
  - iris_devtools.iris._attributes
  - iris_devtools.iris._attributes.actiongroup_iris
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the instance (one session) and the live figures and predicts the real run. The run id of
        O(run_now) is V(null) in check mode.
      - When O(stop), O(collect) or O(report_run) is V(latest) and no run of the profile has been recorded yet (for
        example because a O(run_now) task before it ran in check mode too), check mode predicts the result for the run
        that would be started instead of failing, and warns that the prediction assumes a O(run_now) earlier in the
        play.
  diff_mode:
    support: full
    details:
      - The diff shows the profile, the task (schedule, suspension) and the reason of a suspension before and after, and
        the IDs of duplicate tasks that are deleted.
  idempotent:
    support: partial
    details:
      - O(run_now=true) starts a new run each time. Everything else is idempotent. With O(thresholds.enabled) the
        result follows the live load, which may change between two runs.
options:
  profile:
    description:
      - Name of the C(^SystemPerformance) profile. Letters, digits, V(_), V(.) and V(-); no blanks.
      - The predefined profile V(test) cannot be managed (IRIS refuses to edit or delete it).
    type: str
    default: iris_devtools
  state:
    description:
      - V(present) - the profile exists with the wanted settings and its task runs on the schedule (a suspended task is
        resumed; with O(thresholds.enabled) the thresholds decide, see there).
      - V(suspended) - the profile and the task exist, and the task is suspended.
      - V(absent) - the task, the profile and the module's records of them are removed.
    type: str
    choices: [present, suspended, absent]
    default: present
  interval:
    description:
      - Seconds between two samples, V(1) to V(300). V(1) only when the whole run takes at most one hour.
      - If not set, V(30).
    type: int
  duration:
    description:
      - How long one run collects, as seconds (V(3600)) or with a unit V(s), V(m), V(h) or V(d) (V(90m), V(1h),
        V(1h30m)). The module turns it into the number of samples (rounded up).
      - Excludes O(count). If neither is set, V(1h).
    type: str
  count:
    description:
      - Number of samples one run takes. Excludes O(duration).
    type: int
  description:
    description:
      - Description of the profile.
      - If not set, V(Collected by iris_devtools.iris.iris_monitoring).
    type: str
  schedule:
    description:
      - When the Task Manager starts a run of the profile, as a dictionary of the suboptions below (for example
        O(schedule.period=weekly) with O(schedule.days) and O(schedule.at)), not as a sentence; the module translates it
        into the task's C(TimePeriod), C(TimePeriodEvery), C(TimePeriodDay), C(DailyFrequency), C(DailyFrequencyTime),
        C(DailyIncrement), C(DailyStartTime), C(DailyEndTime), C(StartDate) and C(EndDate) properties. The whole schedule
        is managed - suboptions left out take their defaults (only O(schedule.start_date) is left as it is when omitted).
      - If not set, the task runs daily at midnight (O(schedule.period=daily), O(schedule.at=00:00)), and that schedule
        is managed like a given one.
      - The task is named C(iris_devtools monitoring <profile>), runs in C(%SYS) with the class
        C(%SYS.Task.RunLegacyTask) and the code C(do run^SystemPerformance("<profile>")).
      - Write times as quoted strings (V("12:30")). Ansible reads YAML 1.1, where an unquoted time whose first digit
        is not V(0) is a base-60 number - V(12:30) becomes V(750) and V(8:00) becomes V(480) - while V(02:30) stays
        text. The module refuses such a number and names the time to quote.
      - The Task Manager checks its schedule once a minute, so a run may start up to a minute after its time.
  run_now:
    description:
      - Start a run of the profile now (C($$run^SystemPerformance)) and return its RV(run_id). Not idempotent.
    type: bool
    default: false
  stop:
    description:
      - Stop a run - a run id, or V(latest) for the newest run of this profile the module started. The run's logs are
        kept and its report is written. A run that has already ended is left alone (not changed).
      - A run has ended when its HTML report C(<host>_<instance>_<run id>.html) is in its log directory (IRIS writes it
        when the run ends). Otherwise the module asks C($$waittime^SystemPerformance), whose answer is text such as
        V(7 minutes) and is returned as it is (C(wait_time) in RV(stopped)); an answer with a negative number before C(^)
        (IRIS gives V(-2^no such runid)) means IRIS does not know the run.
    type: str
  collect:
    description:
      - Check that the HTML report of a run exists - a run id, or V(latest) - and select that run for O(fetch_report)
        (O(report_run) defaults to it).
      - IRIS writes the report when a run ends, and O(stop) writes it, so there is nothing left to build - the module
        never calls C($$Collect^SystemPerformance) and O(collect) never changes anything. A run that is still
        collecting is refused, unless O(stop) stops it in the same task.
    type: str
  fetch_report:
    description:
      - Copy the HTML report of the run O(report_run) to this path where the module runs (with O(transport=docker),
        through the Docker archive API; with O(transport=native), through IRIS on the module's connection). An existing
        directory (or a path ending with V(/)) gets the report's own file name. Changed only when the content differs.
      - The report of a run that O(stop) stops in the same task is named after the IRIS host. With O(transport=native)
        and O(host), that name is not known to the module, so after the stop IRIS searches its log directory for the
        run's report. In check mode the path shown is then the pattern searched for, C(<log dir>*_<instance>_<run id>.html).
      - The directory must exist (the module does not create it, as M(ansible.builtin.get_url)); otherwise the task
        fails before anything runs, in check mode too.
      - The report is written atomically (a temporary file in the same directory, renamed over O(fetch_report)). A new
        report gets mode V(0644); O(mode), O(owner), O(group) and the other file attributes set the report's
        attributes, and a difference in them alone is a change. They need O(fetch_report). O(unsafe_writes) is not
        used.
    type: path
  report_run:
    description:
      - The run whose report O(fetch_report) copies - a run id, or V(latest).
      - If not set, the run of O(collect), else V(latest).
    type: str
  thresholds:
    description:
      - Suspend the task under resource pressure and resume it on recovery, with hysteresis.
      - Pressure means CPU above O(thresholds.cpu_disable) B(or) memory above O(thresholds.memory_disable); recovery means
        CPU below O(thresholds.cpu_enable) B(and) memory below O(thresholds.memory_enable). In between nothing changes.
      - The task is resumed only if the module suspended it because of pressure; a task suspended by hand is never
        resumed by the thresholds. Only with O(state=present).
      - RV(ignore:changed) is true only when the task flips; RV(pressure) says why.
    type: dict
    suboptions:
      enabled:
        description:
          - Apply the thresholds.
        type: bool
        default: false
      cpu_disable:
        description: Suspend when the CPU use is above this percentage.
        type: float
        default: 90
      memory_disable:
        description: Suspend when the memory use is above this percentage.
        type: float
        default: 95
      cpu_enable:
        description: Resume only when the CPU use is below this percentage (and the memory below O(thresholds.memory_enable)).
        type: float
        default: 85
      memory_enable:
        description: Resume only when the memory use is below this percentage (and the CPU below O(thresholds.cpu_enable)).
        type: float
        default: 90
      source:
        description:
          - V(iris) - the instance's C(/api/monitor/metrics) (C(iris_cpu_usage), C(iris_phys_mem_percent_used)). With
            O(transport=docker) the module finds the host port Docker published for the container's port 52773; with
            O(transport=local) it reads C(http://127.0.0.1:52773); with O(transport=native) and O(container) (no
            O(host)) the port Docker published for that container's port 52773; with O(transport=native) and O(host)
            set O(thresholds.metrics_url) (the module does not guess where a remote instance's web server is).
          - V(docker) - the container's Docker stats (CPU against its CPU limit or the host's CPUs, memory against its
            limit). Only with O(transport=docker).
          - V(auto) - V(iris), and Docker stats when the metrics cannot be read.
        type: str
        choices: [auto, iris, docker]
        default: auto
      metrics_url:
        description:
          - URL of the metrics page (or of the web server, then C(/api/monitor/metrics) is appended), for example when the
            Docker daemon is remote or the port is not published.
          - C(/api/monitor) needs no login by default (U(https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GCM_rest)).
            When it does, give the login in O(thresholds.metrics_username) and O(thresholds.metrics_password). A URL
            with a user name or password in it (V(http://user:pass@host/...)) is refused before anything runs, because
            the task's arguments would show it.
        type: str
      metrics_username:
        description:
          - User name for HTTP basic authentication at the metrics page.
          - With a user name a redirect is not followed (the login would go to the new address, perhaps another host) -
            the task fails and names the address; give that final URL as O(thresholds.metrics_url).
        type: str
      metrics_password:
        description:
          - Password of O(thresholds.metrics_username) (which it requires). Never shown in results, diffs or logs.
        type: str
notes:
  - All calls run in the namespace C(%SYS); O(namespace) is not used.
  - A run that reads only changes nothing opens one IRIS session; a run that changes something opens two.
  - The Task Manager checks its schedule once a minute, so a scheduled run starts up to a minute late.
seealso:
  - module: iris_devtools.iris.iris_task
  - module: iris_devtools.iris.iris_info
"""

EXAMPLES = r"""
- name: Default monitoring (30 s samples for 1 hour, daily at midnight)
  iris_devtools.iris.iris_monitoring:
    container: iris1

- name: A 2-hour profile every 10 seconds, weekdays at 08:00
  iris_devtools.iris.iris_monitoring:
    container: iris1
    profile: workday
    interval: 10
    duration: 2h
    schedule:
      period: weekly
      days: [monday, tuesday, wednesday, thursday, friday]
      at: "08:00"

- name: Suspend the monitoring task under pressure, resume it on recovery (run this periodically)
  iris_devtools.iris.iris_monitoring:
    container: iris1
    thresholds:
      enabled: true
  register: monitoring

- name: Start a run now
  iris_devtools.iris.iris_monitoring:
    container: iris1
    run_now: true
  register: started

- name: Later - copy the report of the newest run to the controller's work directory
  iris_devtools.iris.iris_monitoring:
    container: iris1
    collect: latest
    fetch_report: /tmp/reports/
    mode: "0640"

- name: Remove the profile and its task
  iris_devtools.iris.iris_monitoring:
    container: iris1
    state: absent
"""

RETURN = r"""
msg:
  description: What the module did (or would do), in words.
  returned: always
  type: str
  sample: >-
    profile iris_devtools (30 s x 120 samples = 3600 s), task 'iris_devtools monitoring iris_devtools' (daily at 00:00);
    did: create or adopt profile iris_devtools, task: create
actions:
  description: The changes made (or predicted in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create or adopt profile iris_devtools", "task: create"]
profile:
  description: The profile as the module applied it; V(null) with O(state=absent).
  returned: always
  type: dict
  sample: {"name": "iris_devtools", "description": "Collected by iris_devtools.iris.iris_monitoring", "interval": 30,
           "count": 120, "duration": 3600}
task:
  description: The monitoring task (see M(iris_devtools.iris.iris_task) for the keys); V(null) with O(state=absent).
  returned: always
  type: dict
  sample: {"id": "1001", "name": "iris_devtools monitoring iris_devtools", "suspended": false,
           "schedule": {"period": "daily", "interval": 1, "at": "00:00", "start_date": null, "end_date": null}}
pressure:
  description:
    - The live figures and the threshold decision; V(null) unless O(thresholds.enabled).
    - C(decision) is V(suspend), V(resume) or V(unchanged).
  returned: always
  type: dict
  sample: {"cpu": 95.0, "memory": 40.0, "source": "iris", "decision": "suspend", "reason": "under pressure: CPU 95.0 % > 90.0 %"}
run_id:
  description: The run O(run_now) started; V(null) otherwise and in check mode.
  returned: always
  type: str
  sample: 20260417_011706_iris_devtools
stopped:
  description:
    - The run O(stop) named, whether it was stopped now, and C(wait_time) - the time left as
      C($$waittime^SystemPerformance) gave it, text such as V(7 minutes), kept as IRIS wrote it (V(null) when the run had
      already ended; a run has ended when its report exists).
  returned: always
  type: dict
  sample: {"run_id": "20260417_011706_iris_devtools", "changed": true, "wait_time": "7 minutes"}
collected:
  description:
    - The run O(collect) named, C(changed) (always V(false) - the report exists once a run has ended), and C(wait_time)
      as in RV(stopped).
  returned: always
  type: dict
  sample: {"run_id": "20260417_011706_iris_devtools", "changed": false, "wait_time": null}
report:
  description:
    - The report O(fetch_report) copied - the run, the file inside the instance, the destination, size and SHA-256.
    - C(changed) is true when the content differs, or when only the file attributes (O(mode), O(owner), O(group), ...)
      do.
  returned: always
  type: dict
  sample: {"run_id": "20260417_011706_iris_devtools", "path": "/usr/irissys/mgr/abc123_IRIS_20260417_011706_iris_devtools.html",
           "dest": "/tmp/reports/abc123_IRIS_20260417_011706_iris_devtools.html", "changed": true, "size": 48211,
           "sha256": "9f2c..."}
duplicates_deleted:
  description:
    - IDs of duplicate monitoring tasks deleted (or, in check mode, to be deleted). Parallel runs of the module can each
      create the task; tasks with the name C(iris_devtools monitoring <profile>) that also run this module's code are
      its own - the lowest ID is kept and the others are deleted (all of them with O(state=absent)). A task with that
      name and other code is never deleted; the module fails and names the IDs instead.
  returned: always
  type: list
  elements: int
  sample: [1005, 1006]
log_dir:
  description: The C(^SystemPerformance) output directory (C($$getlogdir^SystemPerformance())).
  returned: always
  type: str
  sample: /usr/irissys/mgr/
iris_sessions:
  description: How many IRIS sessions the module opened (1 when nothing changed, 2 when something did).
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module
from ansible_collections.iris_devtools.iris.plugins.module_utils._monitoring import FILE_ATTRIBUTE_KEYS, STATES, MonitoringManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._metrics import SOURCES
from ansible_collections.iris_devtools.iris.plugins.module_utils._schedule import schedule_argument_spec


def argument_spec():
    return dict(
        profile=dict(type="str", default="iris_devtools"),
        state=dict(type="str", choices=list(STATES), default="present"),
        interval=dict(type="int"),
        duration=dict(type="str"),
        count=dict(type="int"),
        description=dict(type="str"),
        schedule=schedule_argument_spec(),
        run_now=dict(type="bool", default=False),
        stop=dict(type="str"),
        collect=dict(type="str"),
        fetch_report=dict(type="path"),
        report_run=dict(type="str"),
        thresholds=dict(type="dict", options=dict(
            enabled=dict(type="bool", default=False),
            cpu_disable=dict(type="float", default=90.0),
            memory_disable=dict(type="float", default=95.0),
            cpu_enable=dict(type="float", default=85.0),
            memory_enable=dict(type="float", default=90.0),
            source=dict(type="str", choices=list(SOURCES), default="auto"),
            metrics_url=dict(type="str"),
            metrics_username=dict(type="str"),
            metrics_password=dict(type="str", no_log=True),
        ), required_by=dict(metrics_password="metrics_username")),
    )


def main():
    # The file attributes (add_file_common_args) are those of the report fetch_report writes.
    run_module(MonitoringManager, argument_spec(), mutually_exclusive=[("duration", "count")], add_file_common_args=True,
               required_by=dict((key, "fetch_report") for key in FILE_ATTRIBUTE_KEYS))


if __name__ == "__main__":
    main()
