# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The manager behind ``iris_devtools.iris.iris_monitoring``: a ``^SystemPerformance`` profile, the Task
Manager task that runs it, runs started/stopped/collected on demand, the HTML report copied out, and
the resource thresholds that suspend and resume the task (iris-sources.md §2; iris-sources.md LESSONS §5).

Facts relied on (all calls run in %SYS, iris-sources.md §0.2 and S13):

* ``$$addprofile^SystemPerformance(name, description, interval, count)`` creates a profile (1 or
  ``0^reason``; the name must be new and have no blanks; interval 1-300 s, 1 s only when the whole run
  takes at most one hour), ``$$editprofile`` (same arguments) changes one, ``$$delprofile(name)`` deletes
  one; the predefined ``test`` profile cannot be edited or deleted (S13 ch. 47-49).
* There is NO documented way to read a profile back (iris-sources.md §2.1).  So the module keeps what it
  applied in the collection's own record ``^IrisDevTools("monitoring", <profile>)`` (JSON, in %SYS) and
  compares the wanted profile with that record.  Consequences (documented in the module): a profile
  changed by hand outside the module is not noticed; a profile that exists without a record is adopted
  by editing it to the wanted values; a profile the module never recorded is invisible to
  ``state=absent``.
* Applying a profile is ONE straight-line step pair: ``$$addprofile`` (its ``0^reason`` is ignored: the
  profile may already exist) then ``$$editprofile`` with the same values, checked - a ``0^reason`` there
  stops the program before the record is written.  The profile then holds the wanted values whether it
  existed or not; if the edit fails, ``addprofile`` either refused (nothing changed) or created the
  profile with the same validated values, and the missing record makes the next run apply it again.
* ``$$run^SystemPerformance(profile)`` returns the run id (0 on failure, S13 ch. 45); run ids look like
  ``YYYYMMDD_HHMM[SS]_<profile>`` (S13, S15).  ``$$waittime(runid)`` is TEXT such as ``7 minutes`` (audit C8,
  MCP live), kept opaque and returned as IRIS gave it; ``-2^no such runid`` for an unknown run (MCP live).
  A run has ended when its report exists (audit C11: written automatically when a run ends; see
  ``run_state``).  ``$$run`` and ``$$waittime`` switch the current device: every call saves ``$IO`` and
  USEs it again (audit C14, the ``sp_*`` templates).  ``$$Stop(runid, 0)`` stops a run,
  keeps its logs and writes the report.  ``$$Collect(runid)`` (builds the HTML report, S13) is never called: a run
  that has ended has its report already, so the ``collect`` option only checks that the report exists.  The report
  is ``<hostname>_<instance>_<runid>.html`` in the log directory ``$$getlogdir^SystemPerformance()`` (S13 ch. 47,
  S15 [code]).
* Scheduling: a ``%SYS.Task.RunLegacyTask`` task with ``ExecuteCode`` ``do run^SystemPerformance("p")``
  in %SYS (iris-sources.md §2.3, S3; there is NO ``%SYS.Task.SystemPerformance`` class, §0 item 4), through
  ``_task.py``.
* Runs the module started are recorded in ``^IrisDevTools("monitoring.run", <runid>)`` (JSON: profile,
  log directory, start time) so that ``stop: latest`` means "the newest run this module started".  The records and the
  run states are read by ``_monitoring_records`` (shared with ``iris_info``).
* The instance (``_instance``, through ``BaseManager``) runs the programs, names the host of the report
  (``hostname``) and gives the Docker stats (``usage_sample``); the report is read with ``_copy.read_file`` and written
  on the controller with ``_files.write_bytes_atomic``, then given the module's file attributes.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import time

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _copy, _files, _metrics, _schedule, _task
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import DEFAULT_TIMEOUT, SYS_NAMESPACE
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._monitoring_records import (
    AREA,
    RUN_AREA,
    duration_of,
    run_state,
    runs_from,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program, record_text, record_value

ROUTINE = "SystemPerformance"
STATES = ("present", "suspended", "absent")
DEFAULT_PROFILE = "iris_devtools"
DEFAULT_INTERVAL = 30  # seed: 30 s interval (iris-sources.md LESSONS §5.1)
DEFAULT_DURATION = 3600  # seed: 1 hour (iris-sources.md LESSONS §5.1 retention_seconds)
DEFAULT_DESCRIPTION = "Collected by iris_devtools.iris.iris_monitoring"
DEFAULT_SCHEDULE = {"period": "daily", "at": "00:00"}
TASK_CLASS = "%SYS.Task.RunLegacyTask"  # iris-sources.md §2.3, S3
TASK_NAME_PREFIX = "iris_devtools monitoring "
MAX_INTERVAL = 300  # S13 ch. 47
ONE_SECOND_LIMIT = 3600  # S13 ch. 47: 1 s interval only when the run takes at most one hour
KEEP_RUNS = 20  # run records kept per profile
LATEST = "latest"
PRESSURE = "pressure"  # suspended_by values in the record
BY_STATE = "state"

# S13: a profile name is unique and has no blanks.  We also keep it free of quotes and ^ so that it can
# stand in a file name (the report) and a task name; letters, digits, _ . - only [inf: stricter than S13].
_PROFILE_NAME = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")  # \Z: "$" would take a trailing line feed
_DURATION_PART = re.compile(r"(\d+)\s*([smhd])", re.I)
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RUN_ID = re.compile(r"\A[A-Za-z0-9_.-]{1,128}\Z")


def task_name_for(profile):
    """The Task Manager task that runs ``profile``."""
    return TASK_NAME_PREFIX + profile


def execute_code_for(profile):
    """``ExecuteCode`` of the schedule task (iris-sources.md §2.3: ``do run^SystemPerformance("24hours")``).

    The profile name is validated (``_PROFILE_NAME``) and written as a string literal; the double quote
    cannot occur in it.
    """
    return 'do run^%s("%s")' % (ROUTINE, profile)


# ---------------------------------------------------------------------------------------------
# Validation (before anything runs)
# ---------------------------------------------------------------------------------------------
def parse_duration(value):
    """Seconds from ``3600``, ``"3600"``, ``"90m"``, ``"1h"``, ``"1h30m"``, ``"2d"``, ``"45s"``."""
    if value is None:
        return None
    text = str(value).strip()
    if re.match(r"^\d+$", text):
        seconds = int(text)
    else:
        compact = re.sub(r"\s+", "", text)
        if not compact or not re.match(r"^(\d+[smhdSMHD])+$", compact):
            raise IrisModuleError("Invalid duration %r" % value,
                                  hint="give seconds (3600) or a number with a unit s, m, h or d, for example 90m, 1h or 1h30m")
        seconds = sum(int(number) * _DURATION_UNITS[unit.lower()] for number, unit in _DURATION_PART.findall(compact))
    if seconds <= 0:
        raise IrisModuleError("Invalid duration %r: it must be longer than 0 seconds" % value,
                              hint="give a positive duration such as 1h")
    return seconds


def validate_profile(profile, interval, count=None, duration=None):
    """Check the profile settings against S13 and return ``(interval, count)``.

    ``count`` or ``duration`` (seconds, or text for ``parse_duration``); neither means one hour.
    """
    if not isinstance(profile, str) or not _PROFILE_NAME.match(profile):
        raise IrisModuleError("Invalid profile name %r" % (profile,),
                              hint="use 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit "
                                   "(^SystemPerformance profile names have no blanks)")  # iris-sources.md S13
    if profile == "test":
        raise IrisModuleError("The predefined profile 'test' cannot be managed: ^SystemPerformance refuses to edit or delete it",
                              hint="choose another profile name")  # iris-sources.md S13
    if interval is None:
        interval = DEFAULT_INTERVAL
    if isinstance(interval, bool) or not isinstance(interval, int) or not 1 <= interval <= MAX_INTERVAL:
        raise IrisModuleError("Invalid interval %r: ^SystemPerformance samples every 1 to 300 seconds" % (interval,),
                              hint="set interval between 1 and 300")  # iris-sources.md S13
    if count is not None and duration is not None:
        raise IrisModuleError("count and duration exclude each other", hint="set one of them")
    if count is None:
        seconds = parse_duration(duration) if duration is not None else DEFAULT_DURATION
        if seconds < interval:
            raise IrisModuleError("Invalid duration: %d seconds is shorter than one interval (%d s)" % (seconds, interval),
                                  hint="give a duration of at least one interval, or a shorter interval")
        count = int(math.ceil(float(seconds) / interval))
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise IrisModuleError("Invalid count %r: a profile takes at least one sample" % (count,), hint="set count to 1 or more")
    if interval == 1 and interval * count > ONE_SECOND_LIMIT:
        raise IrisModuleError(
            "An interval of 1 second is allowed only for runs of at most one hour; %d samples take %d seconds" % (count, count),
            hint="use an interval of 2 seconds or more, or a duration of at most 1h")  # iris-sources.md S13
    return interval, count


def _run_id(value, option):
    if value is None or value == LATEST:
        return value
    if not _RUN_ID.match(str(value)):
        raise IrisModuleError("Invalid run id %r in %s" % (value, option),
                              hint="give a run id as returned by run_now (for example 20260417_011706_myprofile) or 'latest'")
    return str(value)


# ---------------------------------------------------------------------------------------------
# The report on the controller (read from the instance with _copy.read_file)
# ---------------------------------------------------------------------------------------------
# The file attributes of the AnsibleModule's add_file_common_args that fetch_report applies to the report.
FILE_ATTRIBUTE_KEYS = ("mode", "owner", "group", "seuser", "serole", "selevel", "setype", "attributes")


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _dest_path(dest, name):
    dest = os.path.expanduser(dest)
    if dest.endswith(os.sep) or os.path.isdir(dest):
        return os.path.join(dest, name)
    return dest


def _check_dest_dir(dest):
    """fetch_report's directory must exist -> that directory.  Checked before anything runs, in check mode too (issue
    11 item 7: check mode predicted a change where the real run failed), and again just before the write.  Like
    ansible.builtin.get_url, the module does not create it."""
    dest = os.path.expanduser(dest)
    directory = dest if dest.endswith(os.sep) else os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(directory):
        raise IrisModuleError("Cannot write the report to %s: the directory %s does not exist." % (dest, directory),
                              hint="create the directory first (ansible.builtin.file state=directory)")
    return directory


# ---------------------------------------------------------------------------------------------
# The manager
# ---------------------------------------------------------------------------------------------
class MonitoringManager(BaseManager):
    """read (one session) -> compare -> apply (one more session, unless check mode) -> report.

    ``module`` needs ``params``, ``check_mode``, ``_diff`` and ``warn``.  ``instance`` (optional) replaces the one built
    from the connection options (tests, ``BaseManager``); ``figures`` is a callable returning ``(cpu, memory, source)``
    for the thresholds (tests).
    """

    def __init__(self, module, instance=None, figures=None):
        super(MonitoringManager, self).__init__(module, instance=instance)
        self._figures = figures
        self.notes = []
        self.stop_run = None
        self.stopped = self.collected = self.report = None
        self.pressure = None
        self.duplicates = []  # own tasks beyond the first (_own_tasks)
        self.predicted = []  # options whose `latest` run does not exist yet (check mode only)
        self.validate()

    # -- input ------------------------------------------------------------------------------------
    def validate(self):
        p = self.params
        self.state = p.get("state") or "present"
        if self.state not in STATES:
            raise IrisModuleError("Invalid state %r" % self.state, hint="use one of %s" % ", ".join(STATES))
        self.profile = p.get("profile") or DEFAULT_PROFILE
        self.interval, self.count = validate_profile(self.profile, p.get("interval"), p.get("count"), p.get("duration"))
        self.description = p.get("description") or DEFAULT_DESCRIPTION
        schedule = p.get("schedule")
        if schedule:
            schedule = dict((k, v) for k, v in schedule.items() if v is not None)
        self.schedule = _schedule.normalise(schedule or DEFAULT_SCHEDULE)
        self.task_name = task_name_for(self.profile)
        thresholds = dict(_metrics.THRESHOLD_DEFAULTS)
        thresholds.update(dict((k, v) for k, v in (p.get("thresholds") or {}).items() if v is not None))
        thresholds.setdefault("enabled", False)
        thresholds.setdefault("source", "auto")
        if thresholds["source"] not in _metrics.SOURCES:
            raise IrisModuleError("Invalid thresholds.source %r" % thresholds["source"], hint="use auto, iris or docker")
        # Issue 11 item 4: credentials never inside the URL (it is a task argument); no_log options instead.
        _metrics.validate_metrics_url(thresholds.get("metrics_url"), "thresholds.metrics_url",
                                      "thresholds.metrics_username and thresholds.metrics_password")
        if thresholds["enabled"]:
            _metrics.validate_thresholds(thresholds)
            # Checked on the options, before any connection (the instance's kind is known only once it is reached).
            if thresholds["source"] == "docker" and p.get("transport") == "local":
                raise IrisModuleError("thresholds.source=docker needs transport=docker (Docker stats of the container)",
                                      hint="use thresholds.source=iris (the instance's /api/monitor/metrics) with transport=local")
        self.thresholds = thresholds
        self.run_now = bool(p.get("run_now"))
        self.stop = _run_id(p.get("stop"), "stop")
        self.collect = _run_id(p.get("collect"), "collect")
        self.fetch_report = p.get("fetch_report")
        report_run = p.get("report_run")
        self.report_run = _run_id(report_run if report_run is not None else (self.collect or LATEST), "report_run")
        if self.fetch_report:
            # The report's file name on the controller: a line feed would become part of it.
            _argspec.refuse_control_characters("fetch_report", self.fetch_report, "give the report's path or directory "
                                                                                  "without control characters")
            _check_dest_dir(self.fetch_report)
        if self.state == "absent" and (self.run_now or self.stop or self.collect or self.fetch_report):
            raise IrisModuleError("run_now, stop, collect and fetch_report need the profile; they cannot go with state=absent",
                                  hint="remove them, or use state=present")
        self.desired_task = _task.desired_from(dict(
            name=self.task_name, task_class=TASK_CLASS, settings={"ExecuteCode": execute_code_for(self.profile)},
            task_namespace=SYS_NAMESPACE, schedule=self.schedule,
            description="Runs the ^SystemPerformance profile %s (iris_devtools.iris.iris_monitoring)" % self.profile))

    # -- plumbing -----------------------------------------------------------------------------------
    @property
    def transport(self):
        """Every program runs in %SYS (iris-sources.md §0.2, S13)."""
        return self.instance.transport(SYS_NAMESPACE)

    # -- read -------------------------------------------------------------------------------------
    def read_program(self):
        program = Program()
        program.add("namespace", namespace=SYS_NAMESPACE)
        program.add("state_get", area=AREA, name=self.profile, key="record")
        _task.add_read(program, "task", name=self.task_name)
        program.add("sp_logdir", key="logdir")  # asked once; sp_run_waits and sp_run_state reuse it
        program.add("sp_run_waits", area=RUN_AREA, key="runs")
        explicit = sorted(set(r for r in (self.stop, self.collect, self.report_run if self.fetch_report else None)
                              if r not in (None, LATEST)))
        for index, run_id in enumerate(explicit):
            program.add("sp_run_state", name=run_id, key="wait_%d" % index)
        self._explicit = explicit
        return program

    def read(self):
        result = self.transport.run(self.read_program())
        self.record = record_value(result.get("record"))
        self.task, self.duplicates = self._own_tasks(result)
        self.logdir = result.get("logdir") or ""
        self.runs = dict((run["run_id"], run) for run in runs_from(result.get("runs")))
        for index, run_id in enumerate(self._explicit):
            if run_id not in self.runs:
                entry = result.get("wait_%d" % index)
                entry = entry if isinstance(entry, dict) else {}
                self.runs[run_id] = dict(run_id=run_id, profile=None, log_dir=None, started=None)
                self.runs[run_id].update(run_state(entry.get("report"), entry.get("wait")))
        return result

    def _own_tasks(self, result):
        """-> (the task to manage, the duplicates to delete).

        Task names are not unique in IRIS (iris-sources.md §0.1, S11), and parallel runs of this module could each create
        the task (issue 11 item 3).  Tasks named ``iris_devtools monitoring <profile>`` that ALSO run this module's
        ExecuteCode with its task class are this module's own: the lowest ID is kept, the others are deleted (state
        present/suspended) or all are deleted (absent).  A same-named task with other code is not ours: an error names
        it (iris_monitoring has no task_id option, so the hint points to iris_task or another profile name), and
        nothing is deleted.
        """
        tasks = [_task.task_from_row(row) for row in (result.get("task") or []) if isinstance(row, dict)]
        tasks = [task for task in tasks if task["name"] == self.task_name]
        if len(tasks) <= 1:
            return (tasks[0] if tasks else None), []
        code = execute_code_for(self.profile)
        own = [task for task in tasks if task["task_class"] == TASK_CLASS and (task["settings"] or {}).get("ExecuteCode") == code]
        if len(own) != len(tasks):
            foreign = sorted(task["id"] for task in tasks if task not in own)
            ids = sorted(task["id"] for task in tasks)
            raise IrisModuleError(
                "%d Task Manager tasks are named %r (IDs %s), and %s not run this module's code (%s); the module "
                "manages only its own task and deletes nothing it did not create."
                % (len(tasks), self.task_name, ", ".join(str(i) for i in ids),
                   "task %s does" % foreign[0] if len(foreign) == 1 else "tasks %s do" % ", ".join(str(i) for i in foreign),
                   execute_code_for(self.profile)),
                hint="delete the other task (iris_devtools.iris.iris_task with state=absent and task_id=%s) if it is not "
                     "needed, or choose another profile name (the task is named after the profile)" % foreign[0],
                task_ids=ids)
        own.sort(key=lambda task: task["id"] or 0)
        return own[0], own[1:]

    def _add_delete_duplicates(self, program):
        for task in self.duplicates:
            _task.add_apply(program, task, None, _task.plan(task, None, "absent"), "duplicate_%d" % task["id"])

    # -- thresholds ---------------------------------------------------------------------------------
    def figures(self):
        """``(cpu, memory, source)`` read live (never constants)."""
        if self._figures is not None:
            return self._figures()
        source = self.thresholds["source"]
        errors = []
        # Where the metrics are and whether Docker stats exist differ for the user between a container and a local
        # instance: ask the instance what it is.
        in_container = self.instance.kind == "docker"
        if source in ("auto", "iris"):
            try:
                url = _metrics.instance_metrics_url(
                    self.instance, self.thresholds.get("metrics_url"), self.params.get("docker_host"),
                    url_option="thresholds.metrics_url",
                    other_hint=", or use thresholds.source=docker" if in_container else "")
                usage = _metrics.usage_from_metrics(_metrics.parse(_metrics.fetch(
                    url, min(self.params.get("timeout") or DEFAULT_TIMEOUT, 30),
                    self.thresholds.get("metrics_username"), self.thresholds.get("metrics_password"))))
                if usage["cpu"] is not None or usage["memory"] is not None or source == "iris":
                    return usage["cpu"], usage["memory"], "iris"
                errors.append("the metrics at %s have neither %s nor %s" % (_metrics.shown_url(url), _metrics.CPU_METRIC, _metrics.MEMORY_METRIC))
            except IrisModuleError as exc:
                if source == "iris" or not in_container:
                    raise
                errors.append(exc.msg)
        usage = _metrics.usage_from_stats(*self.instance.usage_sample())
        if errors:
            self.notes.append("IRIS metrics unavailable (%s); used Docker stats" % "; ".join(errors))
        return usage["cpu"], usage["memory"], "docker"

    # -- plan ----------------------------------------------------------------------------------------
    def _latest_run(self):
        mine = [run for run in self.runs.values() if run.get("profile") == self.profile]
        if not mine:
            return None
        return sorted(mine, key=lambda run: (run.get("started") or 0, run["run_id"]))[-1]["run_id"]

    def _resolve(self, run_id, option):
        if run_id != LATEST:
            return run_id
        latest = self._latest_run()
        if latest is None and self.check_mode:
            return None  # predicted: see _predict_latest
        if latest is None:
            raise IrisModuleError("%s=latest: no run of profile %s was started by this module" % (option, self.profile),
                                  hint="start one with run_now=true, or give the run id")
        return latest

    def _run_info(self, run_id, option):
        run = self.runs.get(run_id)
        if run is None or not run.get("known_to_iris"):
            raise IrisModuleError("%s: IRIS does not know the run %s: it has no report and $$waittime^SystemPerformance answered %r."
                                  % (option, run_id, (run or {}).get("wait_time")),
                                  hint="check the run id (run_now returns it; iris_info lists the runs this collection started)")
        return run

    def _report_path(self, run_id):
        run = self.runs.get(run_id) or {}
        if run.get("report_path"):
            return run["report_path"]  # found in the log directory by the read (sp_run_waits / sp_run_state)
        # a run the same task stops: Stop(runid, 0) writes the report under the S15 name
        directory = run.get("log_dir") or self.logdir
        if not directory.endswith("/"):
            directory += "/"
        if self.instance.kind == "native" and getattr(self.instance, "container", None) is None:
            # Over native to a server given by its host, the host name in the report's name is not known here: after
            # the stop the server searches its log directory for the run's report, as the read does.
            return self._search_report(run_id, directory)
        name = "%s_%s_%s.html" % (self.instance.hostname(), self.instance.name, run_id)  # S15
        return directory + name

    def _search_report(self, run_id, directory):
        """The report of ``run_id`` as the server finds it (``$ZSEARCH`` of ``*_<runid>.html`` in the run's log
        directory: the ``sp_run_waits``/``sp_run_state`` steps of the read; iris-sources.md S15, audit C11).  In check
        mode before a pending stop (nothing written yet) and when nothing is found: the name pattern searched for,
        ``<log dir>*_<instance>_<runid>.html`` (the read of a missing file then fails with the usual hint)."""
        pattern = "%s*_%s_%s.html" % (directory, self.instance.name, run_id)  # S15: <hostname>_<instance>_<runid>.html
        if self.check_mode and self.stop_run == run_id:
            return pattern
        program = Program()
        program.add("namespace", namespace=SYS_NAMESPACE)
        program.add("sp_logdir", key="logdir")
        program.add("sp_run_waits", area=RUN_AREA, key="runs")
        program.add("sp_run_state", name=run_id, key="state")
        result = self.transport.run(program)
        found = dict((run["run_id"], run) for run in runs_from(result.get("runs"))).get(run_id) or {}
        state = result.get("state") if isinstance(result.get("state"), dict) else {}
        return found.get("report_path") or state.get("report") or pattern

    def plan(self):
        self.pressure = None
        record = self.record or {}
        current_suspended = bool(self.task and self.task.get("suspended"))
        suspended_by = record.get("suspended_by") if current_suspended else None
        if self.state == "absent":
            self.wanted_record = None
            self.task_state = "absent"
            self.task_plan = _task.plan(self.task, self.desired_task, "absent")
            return
        if self.state == "suspended":
            # The user's explicit state wins over any earlier reason (pressure, or a suspension by hand).
            self.task_state, new_by = "suspended", BY_STATE
        elif self.thresholds["enabled"]:
            cpu, memory, source = self.figures()
            if current_suspended and suspended_by == BY_STATE:
                # state went from suspended to present: the user lifted the suspension; thresholds still apply.
                decision, reason = _metrics.decide(cpu, memory, self.thresholds, False, False)
                if decision == "suspend":
                    self.task_state, new_by = "suspended", PRESSURE
                else:
                    decision, reason = "resume", "state=present lifts the suspension (%s)" % reason
                    self.task_state, new_by = "resumed", None
            else:
                decision, reason = _metrics.decide(cpu, memory, self.thresholds, current_suspended, suspended_by == PRESSURE)
                if decision == "suspend":
                    self.task_state, new_by = "suspended", PRESSURE
                elif decision == "resume":
                    self.task_state, new_by = "resumed", None
                else:
                    self.task_state, new_by = "present", suspended_by
                    if self.task is None:
                        self.task_state = "resumed"
            self.pressure = dict(cpu=cpu, memory=memory, source=source, decision=decision, reason=reason)
        else:
            self.task_state, new_by = "resumed", None
        self.wanted_record = dict(description=self.description, interval=self.interval, count=self.count,
                                  task_name=self.task_name, suspended_by=new_by if self.task_state != "resumed" else None)
        self.task_plan = _task.plan(self.task, self.desired_task, self.task_state)

    def _profile_view(self, record):
        if not record:
            return None
        return dict(name=self.profile, description=record.get("description"), interval=record.get("interval"),
                    count=record.get("count"), duration=duration_of(record))

    def _predict_latest(self, option):
        """Check mode, ``latest`` and no run recorded yet: an earlier task's run_now was not started in check mode, so
        the real run would act on the run it starts.  Predict that instead of failing (issue 11 item 7), and warn that
        the prediction rests on that assumption."""
        self.predicted.append(option)
        self.notes.append("%s=latest: no run of profile %s recorded yet; in check mode a run_now before this task is not "
                          "started, so this predicts acting on the run it would start" % (option, self.profile))
        warn = getattr(self.module, "warn", None)
        if warn is not None:
            warn("%s=latest: profile %s has no recorded run yet. Check mode predicts the result for a run that a run_now "
                 "earlier in the play starts; without such a run the real task fails." % (option, self.profile))

    def plan_actions(self):
        """Check the run actions against what IRIS says (nothing applied yet).

        A run has ended exactly when its report exists (``run_state``), and ``collect`` refuses a run that is still
        collecting unless ``stop`` stops it in the same task (``Stop(runid, 0)`` writes the report, S13).  So ``collect``
        always names a run whose report exists or is written by the stop: it never builds one, never calls
        ``$$Collect`` and never changes anything - check mode predicts the same.
        """
        if self.stop:
            stop, run = self._target_run(self.stop, "stop")
            if run is None:
                self.stopped = dict(run_id=None, changed=True, wait_time=None)
            else:
                if run["running"]:
                    self.stop_run = stop
                else:
                    self.notes.append("run %s has already ended; nothing to stop" % stop)
                self.stopped = dict(run_id=stop, changed=bool(self.stop_run), wait_time=run.get("wait_time"))
        if self.collect:
            collect, run = self._target_run(self.collect, "collect")
            self._refuse_running(collect, run, "collect: run %s is still collecting data (time left: %s).",
                                 "collect after the run has ended, or stop it first (stop: %s)")
            self.collected = dict(run_id=collect, changed=False, wait_time=run.get("wait_time") if run else None)
        if self.fetch_report:
            report_run, run = self._target_run(self.report_run, "report_run")
            self._refuse_running(report_run, run, "fetch_report: run %s is still collecting data (time left: %s); its "
                                 "report does not exist yet.",
                                 "fetch the report after the run has ended, or stop it first (stop: %s)")
            self.report = dict(run_id=report_run)

    def _target_run(self, wanted, option):
        """The run ``option`` acts on and what IRIS says of it: ``(run_id, run)``, or ``(None, None)`` when check mode
        predicts ``latest`` (``_predict_latest``)."""
        run_id = self._resolve(wanted, option)
        if run_id is None:
            self._predict_latest(option)
            return None, None
        return run_id, self._run_info(run_id, option)

    def _refuse_running(self, run_id, run, msg, hint):
        """A run still collecting has no report yet: refused unless O(stop) stops it in the same task."""
        if run is not None and run["running"] and self.stop_run != run_id:
            raise IrisModuleError(msg % (run_id, run["wait_time"]), hint=hint % run_id)

    # -- apply ------------------------------------------------------------------------------------
    def apply_program(self):
        program = Program()
        program.add("namespace", namespace=SYS_NAMESPACE)
        profile_changed = self._profile_changed()
        if self.state == "absent":
            if self.record is not None:
                # 0^reason (for example a profile deleted by hand) is reported, not fatal: the goal is "gone".
                program.add("call_arg", value=self.profile)
                program.add("sp_value", label="delprofile", key="delprofile")
                program.add("state_kill", area=AREA, name=self.profile)
            for run in self.runs.values():
                if run.get("profile") == self.profile:
                    program.add("state_kill", area=RUN_AREA, name=run["run_id"])
            self._add_delete_duplicates(program)
            _task.add_apply(program, self.task, self.desired_task, self.task_plan, "task_id",
                            lock_seconds=_task.lock_seconds_for(self.params.get("timeout")))
            return program
        if profile_changed:
            # One step pair, no branching: addprofile (0^reason when the name exists: ignored), then editprofile
            # with the same values, checked (S13 ch. 47/48).  See the module docstring.
            for value in (self.profile, self.description, self.interval, self.count):
                program.add("call_arg", value=value)
            program.add("sp_value", label="addprofile", key="addprofile")
            for value in (self.profile, self.description, self.interval, self.count):
                program.add("call_arg", value=value)
            program.add("sp_call", label="editprofile", key="editprofile", name="editprofile %s" % self.profile)
        if self.record != self.wanted_record:
            program.add("state_set", area=AREA, name=self.profile, value=record_text(self.wanted_record))
        self._add_delete_duplicates(program)
        _task.add_apply(program, self.task, self.desired_task, self.task_plan, "task_id",
                        lock_seconds=_task.lock_seconds_for(self.params.get("timeout")))
        if self.stop_run:
            program.add("call_arg", value=self.stop_run)
            program.add("call_arg", value=0)  # keep the logs and write the report (S13)
            program.add("sp_call", label="Stop", key="stop", name="Stop %s" % self.stop_run)
        if self.run_now:
            mine = sorted((r for r in self.runs.values() if r.get("profile") == self.profile),
                          key=lambda r: (r.get("started") or 0, r["run_id"]))
            for old in mine[:max(0, len(mine) - KEEP_RUNS + 1)]:
                program.add("state_kill", area=RUN_AREA, name=old["run_id"])
            value = record_text(dict(profile=self.profile, log_dir=self.logdir, started=int(time.time())))
            program.add("sp_run", name=self.profile, key="run_id", area=RUN_AREA, value=value)
        return program

    def _profile_changed(self):
        if self.state == "absent":
            return self.record is not None
        keys = ("description", "interval", "count")
        record = self.record or {}
        return self.record is None or any(record.get(k) != self.wanted_record[k] for k in keys)

    # -- run ----------------------------------------------------------------------------------------
    def run(self):
        self.read()
        self.plan()
        if self.state != "absent":
            self.plan_actions()
        profile_changed = self._profile_changed()
        record_changed = self.record != self.wanted_record
        diff = self.diff
        diff.add("profile", self._profile_view(self.record), self._profile_view(self.wanted_record))
        diff.add("task", self.task_plan.before, self.task_plan.after)
        duplicate_ids = [task["id"] for task in self.duplicates]
        if duplicate_ids:
            diff.add("duplicate_tasks", duplicate_ids, [])
        diff.add("suspended_by", (self.record or {}).get("suspended_by") if self.task and self.task.get("suspended") else None,
                 (self.wanted_record or {}).get("suspended_by"))
        if profile_changed:
            self.actions.append("%s profile %s" % ("delete" if self.state == "absent" else
                                                   ("create or adopt" if self.record is None else "edit"), self.profile))
        self.actions.extend("task: delete duplicate %d (same name and code, created by a parallel run)" % task_id
                            for task_id in duplicate_ids)
        self.actions.extend("task: %s" % action for action in self.task_plan.actions)
        if self.state != "absent":
            if self.stop_run:
                self.actions.append("stop run %s" % self.stop_run)
            if self.run_now:
                self.actions.append("start a run of %s" % self.profile)
            if "stop" in self.predicted:
                self.actions.append("stop the latest run of %s" % self.profile)
        # changed: what was read against what is wanted (the diff tracker: profile, task, duplicates, suspended_by; and
        # the module's own record), or a run action asked for (stop, run_now).
        iris_changed = bool(diff.changed or record_changed or
                            (self.state != "absent" and (self.stop_run or self.run_now or "stop" in self.predicted)))
        result = {}
        if iris_changed and not self.check_mode:
            result = self.transport.run(self.apply_program())
        report_changed = False
        report_out = None
        if self.state != "absent" and self.fetch_report:
            report_out, report_changed = self._fetch(result)
        changed = iris_changed or report_changed
        task = None
        if self.state != "absent":
            task = _task.applied_task(result, "task_id", self.task_plan) if (iris_changed and not self.check_mode) else self.task_plan.task
        out = self.result(
            changed=changed,
            profile=self._profile_view(self.wanted_record),
            task=_task.returned_task(task),
            pressure=self.pressure,
            run_id=result.get("run_id") if self.run_now else None,
            stopped=self.stopped,
            collected=self.collected,
            report=report_out,
            log_dir=self.logdir or None,
            duplicates_deleted=duplicate_ids,
            iris_sessions=self.sessions,
        )
        if self.state == "absent" and result.get("delprofile") not in (None, 1, "1"):
            self.notes.append("delprofile answered %s" % result.get("delprofile"))
        if self.state != "absent" and result.get("addprofile") not in (None, 1, "1"):
            self.notes.append("profile %s existed without the module's record: adopted (addprofile answered %s)"
                              % (self.profile, result.get("addprofile")))
        out["msg"] = self._summary(changed)
        return out

    def _fetch(self, result):
        run_id = self.report["run_id"]
        if run_id is None:  # check mode, a run that an earlier run_now would start (_predict_latest)
            dest = self.fetch_report
            dest = None if (dest.endswith(os.sep) or os.path.isdir(os.path.expanduser(dest))) else os.path.expanduser(dest)
            self.actions.append("fetch the report of the latest run of %s" % self.profile)
            return dict(run_id=None, path=None, dest=dest, changed=True, size=None, sha256=None), True
        source = self._report_path(run_id)
        dest = _dest_path(self.fetch_report, os.path.basename(source))
        out = dict(run_id=run_id, path=source, dest=dest)
        pending = self.stop_run == run_id and self.check_mode  # the stop writes the report (S13)
        if pending:
            out.update(changed=True, size=None, sha256=None)
            self.actions.append("fetch report of %s to %s" % (run_id, dest))
            return out, True
        try:
            data = _copy.read_file(self.instance, source)
        except IrisModuleError as exc:
            if exc.details.get("missing_file"):
                raise IrisModuleError("The report of run %s is not at %s" % (run_id, source),
                                      hint="a run writes its report when it ends: wait for that, or stop the run "
                                           "(stop: %s), which writes it" % run_id,
                                      report_path=source)
            raise
        digest = _sha256(data)
        current = None
        if os.path.isfile(dest):
            with open(dest, "rb") as handle:
                current = _sha256(handle.read())
        changed = current != digest
        if changed:
            self.actions.append("fetch report of %s to %s" % (run_id, dest))
            if not self.check_mode:
                _check_dest_dir(dest)
                _files.write_bytes_atomic(dest, data, mode=0o644)
        if self._file_attributes_changed(dest):
            if not changed:
                self.actions.append("set the file attributes of %s" % dest)
            changed = True
        out.update(changed=changed, size=len(data), sha256=digest)
        return out, changed

    def _file_attributes_changed(self, dest):
        """Apply O(mode), O(owner), O(group) (and the other file attributes of ``add_file_common_args``) to the report
        at ``dest``; True when they change (check mode: would change).  A report check mode has not written yet has no
        attributes to compare: its fetch is a change already."""
        if all(self.params.get(key) is None for key in FILE_ATTRIBUTE_KEYS) or not os.path.exists(dest):
            return False
        file_args = self.module.load_file_common_arguments(self.params, path=dest)
        return self.module.set_fs_attributes_if_different(file_args, False)

    def _summary(self, changed):
        verb = "would" if self.check_mode else "did"
        if self.state == "absent":
            text = "profile %s and its task %s: %s" % (self.profile, self.task_name, ", ".join(self.actions) if self.actions else "already absent")
        else:
            sched = self.schedule
            text = ("profile %s (%d s x %d samples = %d s), task '%s' (%s)" %
                    (self.profile, self.interval, self.count, self.interval * self.count, self.task_name,
                     "%s at %s" % (sched["period"], sched.get("at")) if sched.get("at") else sched["period"]))
            text += "; %s: %s" % (verb if changed else "nothing to do", ", ".join(self.actions)) if self.actions else "; nothing to do"
        if self.pressure:
            text += "; thresholds: %s (%s)" % (self.pressure["decision"], self.pressure["reason"])
        if self.notes:
            text += "; " + "; ".join(self.notes)
        return text
