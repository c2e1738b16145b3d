# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The records ``iris_monitoring`` keeps on an instance and the state of the ``^SystemPerformance`` runs it started, as
both ``iris_monitoring`` (``_monitoring``) and ``iris_info`` (its ``monitoring`` section) read them.  In its own file
so that ``iris_info`` reads them without shipping the monitoring manager (which copies reports out of the instance).

* ``^IrisDevTools("monitoring", <profile>)``: the profile the module applied (JSON: description, interval, count,
  task_name, suspended_by), in %SYS;
* ``^IrisDevTools("monitoring.run", <runid>)``: the runs the module started (JSON: profile, log_dir, started).
"""

from __future__ import annotations

import re

from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import record_value

AREA = "monitoring"  # ^IrisDevTools("monitoring", <profile>): what the module applied
RUN_AREA = "monitoring.run"  # ^IrisDevTools("monitoring.run", <runid>): runs the module started


# ^SystemPerformance's error convention: a negative number before ^ (``-2^no such runid``, audit C8, MCP live)
# [inf: that every error of $$waittime has this form; only -2 is sourced].
_ERROR_VALUE = re.compile(r"^\s*-\d+\^")


def run_state(report, wait):
    """What the ``sp_run_state``/``sp_run_waits`` steps found about one run -> its state.

    ``report``: the full path of ``*_<runid>.html`` in the run's log directory, or "".  ``wait``: the text of
    ``$$waittime^SystemPerformance(runid)``, asked only when there is no report (None otherwise).

    * ended (``running`` False): the report exists - it is written automatically when a run ends (audit C11;
      MCP live: "a run still collecting has no report yet"), and ``Stop(runid, 0)`` writes it too (S13).
    * unknown to IRIS: no report and ``$$waittime`` answers in the error form (``-2^no such runid``).
    * running: no report and any other ``$$waittime`` text, e.g. ``7 minutes`` (audit C8: text, never a number
      of seconds; kept as it is in ``wait_time``).  [inf]: a run stopped with its logs deleted (``Stop(runid)``,
      which this module never calls) has no report and would look running.
    """
    report = "" if report is None else str(report)
    wait_time = None if wait is None else str(wait)
    if report:
        return dict(known_to_iris=True, running=False, wait_time=wait_time, report_path=report)
    if wait_time is None or _ERROR_VALUE.match(wait_time):
        return dict(known_to_iris=False, running=False, wait_time=wait_time, report_path=None)
    return dict(known_to_iris=True, running=True, wait_time=wait_time, report_path=None)


# ---------------------------------------------------------------------------------------------
# Read steps for iris_info (stable API)
# ---------------------------------------------------------------------------------------------
def add_read_info(program, key):
    """Append the read steps of every monitoring record (the program is in %SYS already).

    Result keys: ``<key>_profiles`` (records by profile), ``<key>_runs`` (run records with their
    ``$$waittime``), ``<key>_logdir`` and ``<key>_version`` (S13).
    """
    program.add("state_list", area=AREA, key=key + "_profiles")
    program.add("sp_logdir", key=key + "_logdir")  # asked once; sp_run_waits reuses it
    program.add("sp_run_waits", area=RUN_AREA, key=key + "_runs")
    program.add("sp_value", label="version", key=key + "_version")


def runs_from(raw):
    runs = []
    for run_id, entry in sorted((raw or {}).items()):
        entry = entry if isinstance(entry, dict) else {}
        record = record_value(entry.get("record")) or {}
        run = dict(run_id=run_id, profile=record.get("profile"), log_dir=record.get("log_dir"), started=record.get("started"))
        run.update(run_state(entry.get("report"), entry.get("wait")))
        runs.append(run)
    return runs


def info_from(result, key):
    """``{"profiles": [...], "runs": [...], "log_dir": str, "version": str}`` from ``add_read_info``'s keys."""
    profiles = []
    for name, text in sorted((result.get(key + "_profiles") or {}).items()):
        record = record_value(text) or {}
        profiles.append(dict(name=name, description=record.get("description"), interval=record.get("interval"),
                             count=record.get("count"), duration=duration_of(record),
                             task_name=record.get("task_name"), suspended_by=record.get("suspended_by")))
    return dict(profiles=profiles, runs=runs_from(result.get(key + "_runs")),
                log_dir=result.get(key + "_logdir"), version=result.get(key + "_version"))


def duration_of(record):
    try:
        return int(record["interval"]) * int(record["count"])
    except (KeyError, TypeError, ValueError):
        return None
