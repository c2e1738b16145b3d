# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``^SystemPerformance`` (iris-sources.md §2.1-§2.2, S13 doc, S15 code).

Profiles live in the IRISSYS system state (``system["sp"]``; the real global is undocumented, §2.1).
Runs are time based: a run started at ``t0`` with interval ``i`` and count ``n`` produces its
``<runid>_<k>.log`` files as time passes — they materialise whenever the state is observed
(``observe()``: every entry point here, and ``Instance`` users may call it) — and is collected
automatically into ``<hostname>_<instance>_<runid>.html`` when it ends [inf: automatic collection
at the end of a run].  To keep long profiles cheap there are at most 10 log files per run: file
``k`` appears after ``k/10`` of the run (one per interval when the count is ≤ 10, e.g. ``test``) [inf].

The routine exists only in %SYS (a routine without ``%`` is not mapped elsewhere; S13 says run it
from %SYS): elsewhere ``<NOROUTINE>``.

Current device (audit S4/C14; iris-sources.md MCP, live report: "run^SystemPerformance and
waittime^SystemPerformance switch the current device ... the Write after the call landed on SystemPerformance's
device"): ``run`` and ``waittime`` leave ``SP_DEVICE`` current, so a program that does not ``use`` its saved ``$IO``
again loses its output.  ``literun`` does the same [inf: only run and waittime are reported; literun is assumed to
start a run like run].  The device's name and what it does with the text are not sourced [inf: the name]; the
text is dropped.
"""

from __future__ import annotations

import datetime
import math
import os
import socket
import time

from iris_sim import values
from iris_sim.errors import IrisError
from iris_sim.routines import routine_label

VERSION = "2.0.sim"
MAX_FILES = 10
SP_DEVICE = "//iris-sim/SystemPerformance-device"  # [inf] the device run/waittime leave current (audit C14)


def _sp(proc, observe_runs=True) -> dict:
    """The routine's state; every entry point but ``waittime`` materialises due files first (observe())."""
    if values.to_str(getattr(proc, "namespace", "%SYS")).upper() != "%SYS":
        raise IrisError("NOROUTINE", "^SystemPerformance")
    state = proc.instance.system.setdefault("sp", {})
    state.setdefault("profiles", {})
    state.setdefault("runs", {})
    state.setdefault("logdir", "")
    if observe_runs:
        observe(proc.instance, state)
    return state


def logdir(inst, state: dict) -> str:
    """Current log directory (default ``mgr/``, S13 ch. 47)."""
    return state.get("logdir") or (inst.mgr_dir.rstrip("/") + "/")


def _html_name(inst, runid: str) -> str:
    return f"{socket.gethostname()}_{inst.name}_{runid}.html"  # S15


def _file_times(run: dict) -> list[float]:
    count, interval = int(run["count"]), int(run["interval"])
    files = min(count, MAX_FILES)
    return [run["start"] + math.ceil(k * count / files) * interval for k in range(1, files + 1)]


def observe(inst, state: dict | None = None, now: float | None = None) -> None:
    """Materialise log files (and the final report) of runs whose time has come."""
    state = state if state is not None else inst.system.get("sp", {})
    now = now or time.time()
    for runid, run in state.get("runs", {}).items():
        if run.get("stopped"):
            continue
        for k, due in enumerate(_file_times(run), start=1):
            path = os.path.join(run["logdir"], f"{runid}_{k}.log")
            if due <= now and k > run.get("files", 0):
                os.makedirs(run["logdir"], exist_ok=True)
                with open(path, "w", encoding="utf-8") as handle:
                    handle.write(f"SystemPerformance simulator log {k} of run {runid} (profile {run['profile']})\n")
                    handle.write("mgstat: Glorefs RemGrefs GRratio PhyRds Rdratio Gloupds\n")
                run["files"] = k
        end = run["start"] + int(run["count"]) * int(run["interval"])
        if now >= end and not run.get("html"):
            _write_html(inst, runid, run, final=True)


def _write_html(inst, runid: str, run: dict, final: bool) -> str:
    name = _html_name(inst, runid)
    path = os.path.join(run["logdir"], name)
    os.makedirs(run["logdir"], exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"<html><head><title>SystemPerformance {runid}</title></head><body>"
                     f"<h1>{'Report' if final else 'Preview'} of run {runid}</h1>"
                     f"<p>Profile {run['profile']}: {run['count']} x {run['interval']} s; "
                     f"{run.get('files', 0)} log files. Simulated, not IRIS data.</p></body></html>\n")
    if final:
        run["html"] = name
    return name


def _bad(reason: str) -> str:
    return f"0^{reason}"


def _valid_name(name: str) -> bool:
    return bool(name) and " " not in name and "^" not in name


def _check_interval(interval: int, count: int) -> str:
    """S13 ch. 47: 1-300 s; 1 s only when the whole run is ≤ 1 hour."""
    if not 1 <= interval <= 300:
        return "interval must be between 1 and 300 seconds"
    if count < 1:
        return "count must be at least 1"
    if interval == 1 and interval * count > 3600:
        return "an interval of 1 second is allowed only for runs of up to 1 hour"
    return ""


@routine_label("SystemPerformance", "addprofile", source="S13 ch. 47", extrinsic=True)
def addprofile(proc, name="", description="", interval="", count=""):
    """``$$addprofile^SystemPerformance(name, description, interval, count)`` → 1 or ``0^reason``."""
    state = _sp(proc)
    name = values.to_str(name)
    # Audit S2 (iris-sources.md MCP, measured live): addprofile accepts "bad name", returns 1 and stores the profile as "badname".
    name = name.replace(" ", "")
    if not _valid_name(name):
        return _bad("profile name is required and may not contain blanks")  # [inf] reason text not sourced
    if name in state["profiles"]:
        return _bad("profile name exists already")  # audit S3/C1 (iris-sources.md MCP): IRIS's own reason text
    interval_n, count_n = values.to_int(interval), values.to_int(count)
    problem = _check_interval(interval_n, count_n)
    if problem:
        return _bad(problem)
    state["profiles"][name] = {"description": values.to_str(description), "interval": interval_n, "count": count_n}
    return 1


@routine_label("SystemPerformance", "editprofile", source="S13 ch. 48", extrinsic=True)
def editprofile(proc, name="", description=None, interval=None, count=None):
    """``$$editprofile^SystemPerformance(name, description[, interval][, count])``; not ``test``."""
    state = _sp(proc)
    name = values.to_str(name)
    profile = state["profiles"].get(name)
    if profile is None:
        return _bad(f"profile {name} does not exist")
    if name == "test":
        return _bad("the predefined profile test cannot be edited")
    new_interval = values.to_int(interval) if values.to_str(interval) != "" else profile["interval"]
    new_count = values.to_int(count) if values.to_str(count) != "" else profile["count"]
    problem = _check_interval(new_interval, new_count)
    if problem:
        return _bad(problem)
    if values.to_str(description) != "":
        profile["description"] = values.to_str(description)
    profile.update({"interval": new_interval, "count": new_count})
    return 1


@routine_label("SystemPerformance", "delprofile", source="S13 ch. 49", extrinsic=True)
def delprofile(proc, name=""):
    """``$$delprofile^SystemPerformance(name)``; not ``test``."""
    state = _sp(proc)
    name = values.to_str(name)
    if name == "test":
        return _bad("the predefined profile test cannot be deleted")
    if state["profiles"].pop(name, None) is None:
        return _bad(f"profile {name} does not exist")
    return 1


@routine_label("SystemPerformance", "copyprofile", source="S13 ch. 49", extrinsic=True)
def copyprofile(proc, source="", target=""):
    """``$$copyprofile^SystemPerformance(source, target)``: target must be a new valid name."""
    state = _sp(proc)
    source, target = values.to_str(source), values.to_str(target)
    if source not in state["profiles"]:
        return _bad(f"profile {source} does not exist")
    if not _valid_name(target) or target in state["profiles"]:
        return _bad(f"profile {target} already exists or is not a valid name")
    state["profiles"][target] = dict(state["profiles"][source])
    return 1


@routine_label("SystemPerformance", "genprofile", source="S13 ch. 48", extrinsic=True)
def genprofile(proc, duration="", interval=10):
    """``$$genprofile^SystemPerformance("hh:mm" or minutes[, interval])``: name like ``90mins``/``12hours``."""
    state = _sp(proc)
    text = values.to_str(duration)
    if ":" in text:
        hours, dummy, minutes = text.partition(":")
        total_min = values.to_int(hours) * 60 + values.to_int(minutes)
    else:
        total_min = values.to_int(text)
    total_min = min(total_min, 24 * 60)  # capped at 24 h
    interval_n = values.to_int(interval) if values.to_str(interval) != "" else 10
    if total_min < 1:
        return _bad("duration must be positive")
    if interval_n < 2 and total_min >= 60:
        return _bad("minimum interval is 2 seconds unless the run is shorter than 1 hour")
    name = f"{total_min // 60}hours" if total_min % 60 == 0 else f"{total_min}mins"
    count = max(1, total_min * 60 // interval_n)
    state["profiles"][name] = {"description": f"A {total_min} minute run sampling every {interval_n} seconds.",
                               "interval": interval_n, "count": count}
    return 1


def _start(proc, profile, lite: bool):
    state = _sp(proc)
    profile = values.to_str(profile)
    prof = state["profiles"].get(profile)
    # audit S4/C14 (iris-sources.md MCP, live report): run switches the current device [inf: also on failure, and
    # for literun, which the report does not name]
    proc.device = SP_DEVICE
    if prof is None:
        return 0  # S13: run id, or 0 on failure
    now = time.time()
    stamp = datetime.datetime.fromtimestamp(now)
    runid = f"{stamp:%Y%m%d_%H%M%S}_{profile}"  # 2026.1 format with seconds (S15)
    while runid in state["runs"]:
        stamp += datetime.timedelta(seconds=1)  # [inf] never reuse a run id
        runid = f"{stamp:%Y%m%d_%H%M%S}_{profile}"
    directory = logdir(proc.instance, state)
    os.makedirs(directory, exist_ok=True)
    state["runs"][runid] = {"profile": profile, "start": now, "interval": prof["interval"], "count": prof["count"],
                            "logdir": directory, "files": 0, "lite": lite}
    return runid


@routine_label("SystemPerformance", "run", source="S13 ch. 45", extrinsic=True)
def run(proc, profile=None):
    """``$$run^SystemPerformance("profile")`` → run id or 0; no argument → ``<UNDEFINED> *pname`` (S13 tests)."""
    if profile is None:
        raise IrisError("UNDEFINED", "pname")
    return _start(proc, profile, lite=False)


@routine_label("SystemPerformance", "literun", source="S13", extrinsic=True)
def literun(proc, profile=None):
    """Like ``run`` without OS data."""
    if profile is None:
        raise IrisError("UNDEFINED", "pname")
    return _start(proc, profile, lite=True)


def _run_of(proc, runid):
    return _sp(proc)["runs"].get(values.to_str(runid))  # _sp observes (materialises due files) once


@routine_label("SystemPerformance", "waittime", source="audit S1/C8, iris-sources.md MCP (live: text such as '7 minutes'; "
               "-2^no such runid)",
               extrinsic=True)
def waittime(proc, runid=""):
    """``$$waittime^SystemPerformance(runid)``: TEXT, the time left of a running run, e.g. ``7 minutes``.

    Sourced (audit S1/C8; iris-sources.md MCP, live): the value is text such as ``"7 minutes"``; an unknown run id gives
    ``-2^no such runid``; the call switches the current device (audit C14).  Modelled for a running run as
    ``"<n> minutes"`` with n = the minutes left rounded up [inf: rounding, and the plural for every n; only
    "7 minutes" is sourced].  What it returns once the run has ended (report written, or stopped) is NOT
    sourced: that raises <FUNCTION> "not modelled" instead of inventing a value.  It does not materialise
    files (observe()), so a caller that looked for the report first sees the same state.
    """
    proc.device = SP_DEVICE  # audit S4/C14 (iris-sources.md MCP, live report): waittime switches the current device
    entry = _sp(proc, observe_runs=False)["runs"].get(values.to_str(runid))
    if entry is None:
        return "-2^no such runid"  # audit S1/C8 (iris-sources.md MCP, live test)
    if entry.get("html") or entry.get("stopped"):
        raise IrisError("FUNCTION", "simulator: $$waittime^SystemPerformance of an ended run is not modelled")
    end = entry["start"] + int(entry["count"]) * int(entry["interval"])
    return f"{int(math.ceil(max(0.0, end - time.time()) / 60))} minutes"


@routine_label("SystemPerformance", "Collect", source="S13", extrinsic=True)
def collect(proc, runid=""):
    """``1^<html file>`` when the run has ended, else ``0^reason`` [inf: format of success]."""
    entry = _run_of(proc, runid)
    if entry is None:
        return _bad("no such runid")
    if not entry.get("html"):
        if entry.get("stopped"):
            return _bad("run was stopped and its log files deleted")
        return _bad("collection is still running; use Preview for an interim report")
    return f"1^{entry['html']}"


@routine_label("SystemPerformance", "Preview", source="S13", extrinsic=True)
def preview(proc, runid=""):
    """Interim report → ``1^file`` or ``0^reason``."""
    entry = _run_of(proc, runid)
    if entry is None:
        return _bad("no such runid")
    return "1^" + _write_html(proc.instance, values.to_str(runid), entry, final=False)


@routine_label("SystemPerformance", "Stop", source="S13", extrinsic=True)
def stop(proc, runid="", delete_logs=1):
    """Abort; default deletes the logs, ``0`` keeps them and writes the report.

    Returns ``a:b:c:d_a:b:c:d`` (OS part ``_`` IRIS part; jobs stopped : not stopped : files deleted
    : not deleted), or ``0^reason`` (S13).
    """
    entry = _run_of(proc, runid)
    runid = values.to_str(runid)
    if entry is None:
        return _bad("no such runid")
    if entry.get("stopped") or entry.get("html"):
        return _bad("run is not active")
    deleted = 0
    if values.to_str(delete_logs) != "0":
        for k in range(1, entry.get("files", 0) + 1):
            path = os.path.join(entry["logdir"], f"{runid}_{k}.log")
            if os.path.exists(path):
                os.remove(path)
                deleted += 1
        entry["stopped"] = True
    else:
        _write_html(proc.instance, runid, entry, final=True)
        entry["stopped"] = True
    os_jobs = 0 if entry.get("lite") else 1
    return f"{os_jobs}:0:{deleted}:0_1:0:0:0"


@routine_label("SystemPerformance", "setlogdir", source="S13 ch. 47")
def setlogdir(proc, directory=""):
    """Set the output directory (relative → under mgr; created if absent)."""
    state = _sp(proc)
    text = values.to_str(directory)
    if not os.path.isabs(text):
        text = os.path.join(proc.instance.mgr_dir, text)
    text = os.path.normpath(text) + "/"
    os.makedirs(text, exist_ok=True)
    state["logdir"] = text


@routine_label("SystemPerformance", "getlogdir", source="S13 ch. 47", extrinsic=True)
def getlogdir(proc):
    """The output directory."""
    return logdir(proc.instance, _sp(proc))


@routine_label("SystemPerformance", "clrlogdir", source="S13 ch. 47")
def clrlogdir(proc):
    """Reset to the default (``mgr/``)."""
    _sp(proc)["logdir"] = ""


@routine_label("SystemPerformance", "version", source="S13", extrinsic=True)
def version(proc):
    """Utility version."""
    _sp(proc)
    return VERSION
