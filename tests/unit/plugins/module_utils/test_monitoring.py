# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of _monitoring: validation, and the manager against the in-process IRIS simulator."""

from __future__ import annotations

import json
import os
import time

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _instance, _monitoring, _monitoring_records
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._monitoring import MonitoringManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program

try:
    from tree_sitter import Language, Parser
    import tree_sitter_objectscript_routine as _ts_routine
    HAS_TS = True
except ImportError:  # pragma: no cover
    HAS_TS = False


class FakeModule(object):
    def __init__(self, check_mode=False, diff=True, **params):
        base = dict(profile="iris_devtools", state="present", interval=None, duration=None, count=None, description=None,
                    schedule=None, run_now=False, stop=None, collect=None, fetch_report=None, report_run=None,
                    thresholds=None, transport="local", container=None, instance="IRIS", namespace="USER",
                    timeout=60, docker_host=None)
        base.update(params)
        self.params = base
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


RECORDED = []


WARNINGS = []


class SimInstance(_instance.LocalInstance):
    """A local instance whose sessions all run on one simulator transport; ``calls`` records hostname lookups."""

    def __init__(self, transport, calls=None):
        super(SimInstance, self).__init__(None)
        self._one = transport
        self.calls = calls if calls is not None else []

    def _new_transport(self, namespace):
        return self._one

    def hostname(self):
        self.calls.append("hostname")
        return super(SimInstance, self).hostname()


def run(sim, check_mode=False, figures=None, calls=None, **params):
    transport = sim.transport("%SYS")
    original = transport.run

    def recording(program):
        RECORDED.append(program)
        return original(program)
    transport.run = recording
    module = FakeModule(check_mode=check_mode, **params)
    manager = MonitoringManager(module, instance=SimInstance(transport, calls), figures=figures)
    del WARNINGS[:]
    result = manager.run()
    WARNINGS.extend(module.warnings)
    assert result["iris_sessions"] == transport.sessions
    return result


def profiles(sim):
    return sim.inst.system["sp"]["profiles"]


def tasks_named(sim, name):
    sim.inst.reload()
    return [t for t in sim.inst.system["tasks"].values() if t.get("Name") == name]


def record(sim, profile):
    out = sim.run("%SYS", 'write "<<",$GET(^IrisDevTools("monitoring",%s)),">>",!' % json.dumps(profile))
    text = out.split("<<", 1)[1].split(">>", 1)[0]
    return json.loads(text) if text else None


def snapshot(sim):
    sim.inst.reload()
    return json.dumps(sim.inst.system, sort_keys=True, default=str), record(sim, "iris_devtools")


# -- validation -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, seconds", [(3600, 3600), ("3600", 3600), ("90m", 5400), ("1h", 3600),
                                            ("1h30m", 5400), ("2d", 172800), ("45s", 45), (" 1H 5M ", 3900)])
def test_parse_duration(value, seconds):
    assert _monitoring.parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "1x", "h", "-5", "0", "1.5h", "1h-2m"])
def test_parse_duration_bad(value):
    with pytest.raises(IrisModuleError) as info:
        _monitoring.parse_duration(value)
    assert info.value.hint


@pytest.mark.parametrize("interval, count, duration, expected", [
    (None, None, None, (30, 120)),        # zero-config: 30 s for one hour
    (10, None, "2h", (10, 720)),
    (1, None, "1h", (1, 3600)),           # 1 s allowed for a run of at most one hour (S13)
    (300, 5, None, (300, 5)),
    (7, None, "20s", (7, 3)),             # rounded up
])
def test_validate_profile_good(interval, count, duration, expected):
    assert _monitoring.validate_profile("p", interval, count, duration) == expected


@pytest.mark.parametrize("name, interval, count, duration, words", [
    ("p", 0, None, None, "1 to 300"),
    ("p", 301, None, None, "1 to 300"),
    ("p", 1, None, "61m", "1 second"),
    ("p", 1, 3601, None, "1 second"),
    ("p", 30, None, "10s", "shorter than one interval"),
    ("p", 30, 0, None, "count"),
    ("p", 30, 5, "1h", "exclude"),
    ("with blank", 30, None, None, "profile name"),
    ('q"uote', 30, None, None, "profile name"),
    ("prof\n", 30, None, None, "profile name"),  # "$" took a trailing line feed into ExecuteCode and file names
    ("pro\x00f", 30, None, None, "profile name"),
    ("test", 30, None, None, "predefined"),
])
def test_validate_profile_bad(name, interval, count, duration, words):
    with pytest.raises(IrisModuleError) as info:
        _monitoring.validate_profile(name, interval, count, duration)
    assert words in info.value.msg and info.value.hint


def test_bad_input_fails_before_any_session(iris_sim):
    transport = iris_sim.transport("%SYS")
    for params in (dict(interval=0), dict(interval=301), dict(duration="soon"),
                   dict(thresholds=dict(enabled=True, cpu_enable=95, cpu_disable=90)),
                   dict(schedule=dict(period="weekly")), dict(state="absent", run_now=True),
                   # a trailing line feed: ExecuteCode, a file name on the instance, a file name on the controller
                   dict(profile="quick\n"), dict(collect="20260101_000000_x\n"), dict(fetch_report="/tmp/report\n.html")):
        with pytest.raises(IrisModuleError):
            MonitoringManager(FakeModule(**params), instance=SimInstance(transport)).run()
    assert transport.sessions == 0
    assert "iris_devtools" not in profiles(iris_sim)


# -- programs --------------------------------------------------------------------------------------------

def _all_programs():
    module = FakeModule(stop="20260101_000000_x", collect="latest", fetch_report="/tmp/x", run_now=True)
    manager = MonitoringManager(module, instance=SimInstance(object()))
    programs = [manager.read_program()]
    info = Program().add("namespace", namespace="%SYS")
    _monitoring_records.add_read_info(info, "mon")
    programs.append(info)
    return programs


@pytest.mark.skipif(not HAS_TS, reason="tree-sitter-objectscript not installed")
def test_programs_parse_under_tree_sitter():
    parser = Parser(Language(_ts_routine.language_objectscript_routine()))
    for program in _all_programs():
        for line in program.lines("a" * 32):
            tree = parser.parse((" " + line).encode("utf-8"))
            assert not tree.root_node.has_error, line


# -- against the simulator ---------------------------------------------------------------------------------

def test_zero_config_creates_then_unchanged(iris_sim):
    before = snapshot(iris_sim)
    check = run(iris_sim, check_mode=True)
    assert check["changed"] and check["iris_sessions"] == 1
    assert snapshot(iris_sim) == before  # check mode changed nothing
    real = run(iris_sim)
    assert real["changed"] and real["iris_sessions"] == 2
    assert real["actions"] == check["actions"] == ["create or adopt profile iris_devtools", "task: create"]
    assert real["profile"] == check["profile"] == dict(name="iris_devtools", description=_monitoring.DEFAULT_DESCRIPTION,
                                                       interval=30, count=120, duration=3600)
    assert "30 s x 120 samples" in real["msg"] and "daily at 00:00" in real["msg"]
    # Independent checks: the simulator's profile, the task, our record.
    assert profiles(iris_sim)["iris_devtools"] == {"description": _monitoring.DEFAULT_DESCRIPTION, "interval": 30, "count": 120}
    found = tasks_named(iris_sim, "iris_devtools monitoring iris_devtools")
    assert len(found) == 1
    assert found[0]["TaskClass"] == "%SYS.Task.RunLegacyTask" and found[0]["NameSpace"] == "%SYS"
    out = iris_sim.run("%SYS", 'set t=##class(%SYS.Task).%OpenId(' + str(real["task"]["id"]) + ') '
                       'write "<<",$LIST(t.Settings,1),"=",$LIST(t.Settings,2),">>",!')
    assert '<<ExecuteCode=do run^SystemPerformance("iris_devtools")>>' in out
    assert real["task"]["settings"] == {"ExecuteCode": 'do run^SystemPerformance("iris_devtools")'}
    assert record(iris_sim, "iris_devtools")["interval"] == 30
    assert real["task"]["schedule"]["period"] == "daily" and real["task"]["suspended"] is False
    assert real["diff"]["before"]["profile"] is None and real["diff"]["after"]["profile"]["count"] == 120
    again = run(iris_sim)
    assert not again["changed"] and again["iris_sessions"] == 1 and again["actions"] == []
    assert again["diff"]["before"] == again["diff"]["after"]


def test_edit_adopt_and_delete(iris_sim):
    run(iris_sim)
    edit = run(iris_sim, interval=10, duration="90m", description="edited")
    assert edit["changed"] and edit["iris_sessions"] == 2 and edit["actions"] == ["edit profile iris_devtools"]
    assert profiles(iris_sim)["iris_devtools"] == {"description": "edited", "interval": 10, "count": 540}
    assert edit["diff"]["before"]["profile"]["interval"] == 30 and edit["diff"]["after"]["profile"]["interval"] == 10
    # A profile that exists without our record is adopted (addprofile says 0^exists, editprofile applies).
    iris_sim.run("%SYS", 'write $$addprofile^SystemPerformance("handmade","by hand",5,10),!')
    adopt = run(iris_sim, profile="handmade", interval=20, count=3)
    assert adopt["changed"] and "adopted" in adopt["msg"]
    assert profiles(iris_sim)["handmade"] == {"description": _monitoring.DEFAULT_DESCRIPTION, "interval": 20, "count": 3}
    # absent: profile, task and record gone; then unchanged with one session.
    before = snapshot(iris_sim)
    check = run(iris_sim, check_mode=True, state="absent")
    assert check["changed"] and snapshot(iris_sim) == before
    gone = run(iris_sim, state="absent")
    assert gone["changed"] and gone["actions"] == check["actions"]
    assert "iris_devtools" not in profiles(iris_sim) and not tasks_named(iris_sim, "iris_devtools monitoring iris_devtools")
    assert record(iris_sim, "iris_devtools") is None
    again = run(iris_sim, state="absent")
    assert not again["changed"] and again["iris_sessions"] == 1


def test_schedule_and_suspended_state(iris_sim):
    weekly = dict(period="weekly", days=["monday", "friday"], at="08:00")
    first = run(iris_sim, schedule=weekly)
    assert first["task"]["schedule"]["days"] == ["monday", "friday"]
    suspend = run(iris_sim, schedule=weekly, state="suspended")
    assert suspend["changed"] and suspend["actions"] == ["task: suspend"]
    assert tasks_named(iris_sim, "iris_devtools monitoring iris_devtools")[0]["Suspended"] in (1, "1")
    assert record(iris_sim, "iris_devtools")["suspended_by"] == "state"
    assert not run(iris_sim, schedule=weekly, state="suspended")["changed"]
    resume = run(iris_sim, schedule=weekly)
    assert resume["changed"] and resume["actions"] == ["task: resume"]
    assert tasks_named(iris_sim, "iris_devtools monitoring iris_devtools")[0]["Suspended"] in (0, "0", "")


def _figures(values):
    return lambda: values


def test_thresholds_flip_with_hysteresis(iris_sim):
    thresholds = dict(enabled=True)
    run(iris_sim)
    # in between, task running -> unchanged
    between = run(iris_sim, thresholds=thresholds, figures=_figures((87.0, 40.0, "iris")))
    assert not between["changed"] and between["pressure"]["decision"] == "unchanged" and between["iris_sessions"] == 1
    # pressure -> suspended (check mode predicts, changes nothing)
    before = snapshot(iris_sim)
    check = run(iris_sim, check_mode=True, thresholds=thresholds, figures=_figures((95.0, 40.0, "iris")))
    assert check["changed"] and check["pressure"]["decision"] == "suspend" and snapshot(iris_sim) == before
    hot = run(iris_sim, thresholds=thresholds, figures=_figures((95.0, 40.0, "iris")))
    assert hot["changed"] and hot["pressure"] == dict(cpu=95.0, memory=40.0, source="iris", decision="suspend",
                                                      reason="under pressure: CPU 95.0 % > 90.0 %")
    assert hot["task"]["suspended"] is True and record(iris_sim, "iris_devtools")["suspended_by"] == "pressure"
    assert hot["diff"]["after"]["suspended_by"] == "pressure"
    # still hot, and in between -> unchanged (stays suspended)
    assert not run(iris_sim, thresholds=thresholds, figures=_figures((99.0, 40.0, "iris")))["changed"]
    assert not run(iris_sim, thresholds=thresholds, figures=_figures((87.0, 40.0, "iris")))["changed"]
    # recovery -> resumed
    cool = run(iris_sim, thresholds=thresholds, figures=_figures((10.0, 40.0, "iris")))
    assert cool["changed"] and cool["pressure"]["decision"] == "resume" and cool["task"]["suspended"] is False
    assert record(iris_sim, "iris_devtools")["suspended_by"] is None
    assert not run(iris_sim, thresholds=thresholds, figures=_figures((10.0, 40.0, "iris")))["changed"]


def test_thresholds_never_resume_a_task_suspended_by_hand(iris_sim):
    first = run(iris_sim)
    iris_sim.run("%SYS", "do ##class(%SYS.Task).Suspend(" + str(first["task"]["id"]) + ")")
    result = run(iris_sim, thresholds=dict(enabled=True), figures=_figures((5.0, 5.0, "docker")))
    assert not result["changed"] and result["pressure"]["decision"] == "unchanged"
    assert "never resumed" in result["pressure"]["reason"]
    assert tasks_named(iris_sim, "iris_devtools monitoring iris_devtools")[0]["Suspended"] in (1, "1")


def test_run_now_stop_collect_fetch(iris_sim, tmp_path):
    run(iris_sim, profile="quick", interval=1, count=2)
    started = run(iris_sim, profile="quick", interval=1, count=2, run_now=True)
    run_id = started["run_id"]
    assert started["changed"] and run_id.endswith("_quick") and started["iris_sessions"] == 2
    assert run_id in iris_sim.inst.system["sp"]["runs"]
    # A running run: collect refuses (nothing applied), stop latest stops it.
    with pytest.raises(IrisModuleError, match="still collecting"):
        run(iris_sim, profile="quick", interval=1, count=2, collect="latest")
    second = run(iris_sim, profile="quick", interval=1, count=2, run_now=True)
    stopped = run(iris_sim, profile="quick", interval=1, count=2, stop="latest")
    assert stopped["changed"] and stopped["stopped"] == {"run_id": second["run_id"], "changed": True, "wait_time": "1 minutes"}
    assert iris_sim.inst.system["sp"]["runs"][second["run_id"]]["stopped"]
    again = run(iris_sim, profile="quick", interval=1, count=2, stop=second["run_id"])
    assert not again["changed"] and again["stopped"]["changed"] is False
    # The first run ends after 2 s and writes its report: collect is then unchanged, fetch copies it.
    time.sleep(2.2)
    dest = tmp_path / "reports"
    dest.mkdir()
    check = run(iris_sim, check_mode=True, profile="quick", interval=1, count=2, collect=run_id, fetch_report=str(dest) + "/")
    assert check["changed"] and not os.listdir(str(dest))
    fetched = run(iris_sim, profile="quick", interval=1, count=2, collect=run_id, fetch_report=str(dest) + "/")
    assert fetched["changed"] and fetched["collected"] == {"run_id": run_id, "changed": False, "wait_time": None}
    assert fetched["report"]["dest"].endswith("_IRIS_%s.html" % run_id)
    with open(fetched["report"]["dest"]) as handle:
        assert "<html>" in handle.read()
    assert fetched["iris_sessions"] == 1  # reading the report needs no IRIS session
    assert not run(iris_sim, profile="quick", interval=1, count=2, collect=run_id, fetch_report=str(dest) + "/")["changed"]
    with pytest.raises(IrisModuleError, match="does not know the run"):
        run(iris_sim, profile="quick", interval=1, count=2, stop="20000101_000000_nope")


def test_info_read(iris_sim):
    run(iris_sim, profile="quick", interval=1, count=2, run_now=True)
    program = Program().add("namespace", namespace="%SYS")
    _monitoring_records.add_read_info(program, "mon")
    info = _monitoring_records.info_from(iris_sim.transport("%SYS").run(program), "mon")
    assert [p["name"] for p in info["profiles"]] == ["quick"]
    assert info["profiles"][0]["duration"] == 2
    assert len(info["runs"]) == 1 and info["runs"][0]["profile"] == "quick" and info["runs"][0]["known_to_iris"]
    assert info["log_dir"].endswith("/mgr/") and info["version"]
    # Audit C8: the run is running, and its time left is IRIS's text as it was written (not seconds).
    assert info["runs"][0]["running"] is True and info["runs"][0]["wait_time"] == "1 minutes"
    assert info["runs"][0]["report_path"] is None
    time.sleep(2.2)  # the run ends and writes its report (audit C11): ended, report found, waittime not asked
    info = _monitoring_records.info_from(iris_sim.transport("%SYS").run(program), "mon")
    assert info["runs"][0]["running"] is False and info["runs"][0]["known_to_iris"] and info["runs"][0]["wait_time"] is None
    assert info["runs"][0]["report_path"].endswith("_IRIS_%s.html" % info["runs"][0]["run_id"])


@pytest.mark.skipif(not HAS_TS, reason="tree-sitter-objectscript not installed")
def test_every_emitted_program_parses_and_ran_without_missing_members(iris_sim, tmp_path):
    """Every program the scenarios above and below emitted parses under tree-sitter-objectscript; the simulator
    ran them (it raises <... DOES NOT EXIST> for any member it does not model, which would have failed the run)."""
    del RECORDED[:]
    run(iris_sim, profile="quick", interval=1, count=2, schedule=dict(period="daily", every_minutes=30, start="08:00"))
    started = run(iris_sim, profile="quick", interval=1, count=2, run_now=True)
    run(iris_sim, profile="quick", interval=2, count=2, stop="latest", state="suspended")
    run(iris_sim, profile="quick", interval=2, count=2, thresholds=dict(enabled=True), figures=_figures((99.0, 1.0, "iris")))
    time.sleep(2.2)
    run(iris_sim, profile="quick", interval=2, count=2, collect=started["run_id"], fetch_report=str(tmp_path) + "/")
    run(iris_sim, profile="quick", state="absent")
    programs = RECORDED[:] + _all_programs()
    assert len(programs) >= 11
    parser = Parser(Language(_ts_routine.language_objectscript_routine()))
    for program in programs:
        for line in program.lines("b" * 32):
            assert not parser.parse((" " + line).encode("utf-8")).root_node.has_error, line
    names = set(name for program in programs for name in program.template_names)
    assert {"sp_call", "sp_run", "sp_run_waits", "sp_run_state", "sp_value", "state_get", "state_set", "state_kill"} <= names


# -- audit C8: $$waittime is text ------------------------------------------------------------------------------

@pytest.mark.parametrize("report, wait, known, running", [
    ("", "7 minutes", True, True),            # MCP live: text such as "7 minutes"
    ("", "0 minutes", True, True),
    ("", "-2^no such runid", False, False),   # MCP live: unknown run id
    ("/usr/irissys/mgr/h_IRIS_20260101_000000_p.html", None, True, False),  # the report exists: the run has ended
])
def test_run_state_treats_waittime_as_opaque_text(report, wait, known, running):
    state = _monitoring_records.run_state(report, wait)
    assert (state["known_to_iris"], state["running"]) == (known, running)
    assert state["wait_time"] == wait  # exactly as IRIS wrote it


class _ReadOnly(object):
    """A transport that answers the read program with a canned result (no IRIS)."""

    def __init__(self, result):
        self.result = result
        self.sessions = 0

    def run(self, program):
        self.sessions += 1
        return self.result


def test_a_real_iris_waittime_text_is_a_running_run_that_stop_stops():
    """Before audit C8 the text "7 minutes" made every run unknown ("IRIS does not know the run")."""
    record = json.dumps(dict(profile="iris_devtools", log_dir="/usr/irissys/mgr/", started=1))
    transport = _ReadOnly(dict(runs={"20260101_000000_iris_devtools": {"record": record, "report": "", "wait": "7 minutes"}},
                               logdir="/usr/irissys/mgr/", record=None, task=[]))
    manager = MonitoringManager(FakeModule(check_mode=True, stop="latest"), instance=SimInstance(transport))
    result = manager.run()
    assert result["stopped"] == {"run_id": "20260101_000000_iris_devtools", "changed": True, "wait_time": "7 minutes"}
    assert "stop run 20260101_000000_iris_devtools" in result["actions"]
    manager = MonitoringManager(FakeModule(check_mode=True, collect="latest"), instance=SimInstance(transport))
    with pytest.raises(IrisModuleError, match=r"still collecting data \(time left: 7 minutes\)"):
        manager.run()


# -- audit C14: $IO saved and used again around every ^SystemPerformance call ------------------------------------

def test_every_systemperformance_call_saves_and_restores_io():
    from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import TEMPLATES
    import re
    calls = 0
    for name, template in TEMPLATES.items():
        for text, dummy in template.lines:
            text = re.sub(r'"[^"]*"', '""', text)  # calls, not text inside string literals
            for match in re.finditer(r"(\$\$|do )[A-Za-z<>]+\^SystemPerformance\(", text):
                calls += 1
                save = text.rfind("set idtIO=$IO try { ", 0, match.start())
                assert save >= 0 and "}" not in text[save:match.start()], (name, text)
                assert text[match.end():].split("}", 1)[1].startswith(" catch idtSPE { use idtIO throw idtSPE } use idtIO"), (name, text)
    assert calls >= 6  # sp_call, sp_value, sp_run, sp_logdir (getlogdir), sp_run_waits and sp_run_state (waittime)


def test_results_reach_the_terminal_although_run_and_waittime_switch_the_device(iris_sim):
    """The simulator models the device switch of $$run/$$waittime (audit C14): without `use idtIO` the result frame is
    lost and the session reports no result."""
    run(iris_sim, profile="quick", interval=60, count=2)
    started = run(iris_sim, profile="quick", interval=60, count=2, run_now=True)
    assert started["run_id"].endswith("_quick")
    stopped = run(iris_sim, profile="quick", interval=60, count=2, stop=started["run_id"])
    assert stopped["stopped"] == {"run_id": started["run_id"], "changed": True, "wait_time": "2 minutes"}


# -- issue 11 item 7: check mode parity ------------------------------------------------------------------------

def test_fetch_report_into_a_missing_directory_fails_the_same_in_check_mode_and_for_real(iris_sim, tmp_path):
    missing = str(tmp_path / "nope") + "/"
    errors = []
    for check_mode in (True, False):
        transport = iris_sim.transport("%SYS")
        with pytest.raises(IrisModuleError) as info:
            MonitoringManager(FakeModule(check_mode=check_mode, collect="latest", fetch_report=missing), instance=SimInstance(transport)).run()
        assert transport.sessions == 0  # refused before anything runs
        errors.append(info.value.msg)
    assert errors[0] == errors[1] and "does not exist." in errors[0]
    assert "iris_devtools" not in profiles(iris_sim)


def test_check_mode_run_then_collect_latest_predicts_instead_of_failing(iris_sim, tmp_path):
    check = run(iris_sim, check_mode=True, run_now=True)
    assert check["changed"] and check["run_id"] is None and WARNINGS == []
    predicted = run(iris_sim, check_mode=True, collect="latest", fetch_report=str(tmp_path) + "/")
    # collect never changes anything in a real run (the report exists, or the run is refused): neither does the prediction
    assert predicted["changed"] and predicted["collected"] == {"run_id": None, "changed": False, "wait_time": None}
    assert predicted["report"]["changed"] and not [a for a in predicted["actions"] if a.startswith("collect")]
    # the prediction rests on a run_now earlier in the play: a warning says so
    assert len(WARNINGS) == 2 and all("run_now earlier in the play" in w for w in WARNINGS)
    assert "collect=latest" in WARNINGS[0] and "report_run=latest" in WARNINGS[1]
    stop = run(iris_sim, check_mode=True, stop="latest")
    assert stop["changed"] and stop["stopped"]["changed"] and "stop the latest run of iris_devtools" in stop["actions"]
    assert len(WARNINGS) == 1 and "stop=latest" in WARNINGS[0]
    assert "sp" not in iris_sim.inst.system or not iris_sim.inst.system["sp"].get("runs")
    with pytest.raises(IrisModuleError, match="no run of profile iris_devtools was started"):
        run(iris_sim, collect="latest")  # the real run without a run still fails


# -- issue 11 item 3: duplicates created by parallel runs --------------------------------------------------------

def _duplicate_task(sim, name, **changes):
    sim.inst.reload()
    tasks = sim.inst.system["tasks"]
    original = [t for t in tasks.values() if t.get("Name") == name][0]
    tid = str(sim.inst.system["next_task_id"])
    sim.inst.system["next_task_id"] = int(tid) + 1
    copy = json.loads(json.dumps(original))
    copy.update(changes)
    tasks[tid] = copy
    sim.inst.save()
    return int(tid)


def test_duplicate_own_tasks_are_deleted_and_absent_removes_all(iris_sim):
    name = "iris_devtools monitoring iris_devtools"
    first = run(iris_sim)["task"]["id"]
    dups = [_duplicate_task(iris_sim, name), _duplicate_task(iris_sim, name)]
    assert len(tasks_named(iris_sim, name)) == 3
    check = run(iris_sim, check_mode=True)
    assert check["changed"] and check["duplicates_deleted"] == dups and len(tasks_named(iris_sim, name)) == 3
    assert check["diff"]["before"]["duplicate_tasks"] == dups and check["diff"]["after"]["duplicate_tasks"] == []
    real = run(iris_sim)
    assert real["changed"] and real["duplicates_deleted"] == dups and real["task"]["id"] == first
    assert [int(t) for t, v in iris_sim.inst.system["tasks"].items() if v.get("Name") == name] == [first]
    assert not run(iris_sim)["changed"]
    _duplicate_task(iris_sim, name)
    gone = run(iris_sim, state="absent")
    assert gone["changed"] and tasks_named(iris_sim, name) == []


def test_a_same_named_task_with_other_code_is_not_deleted(iris_sim):
    name = "iris_devtools monitoring iris_devtools"
    run(iris_sim)
    iris_sim.inst.reload()
    original = [t for t in iris_sim.inst.system["tasks"].values() if t.get("Name") == name][0]
    foreign_settings = json.loads(json.dumps(original["Settings"]))
    foreign = _duplicate_task(iris_sim, name, Settings=foreign_settings, Description="someone else's")
    iris_sim.inst.reload()
    iris_sim.inst.system["tasks"][str(foreign)]["TaskClass"] = "%SYS.Task.PurgeJournal"
    iris_sim.inst.save()
    for state in ("absent", "present"):
        with pytest.raises(IrisModuleError) as info:
            run(iris_sim, state=state)
        text = info.value.as_result()["msg"]
        assert "2 Task Manager tasks are named" in text and "task %d does not run this module's code" % foreign in text
        # iris_monitoring has no task_id option: the hint names what the user can do instead
        assert "Fix: delete the other task (iris_devtools.iris.iris_task with state=absent and task_id=%d)" % foreign in text
        assert "or choose another profile name" in text and "set task_id" not in text
        assert len(tasks_named(iris_sim, name)) == 2


def test_metrics_url_with_credentials_is_refused_before_anything_runs(iris_sim):
    transport = iris_sim.transport("%SYS")
    thresholds = dict(enabled=True, source="iris", metrics_url="http://admin:s3cret@127.0.0.1:9/api/monitor/metrics")
    with pytest.raises(IrisModuleError) as info:
        MonitoringManager(FakeModule(thresholds=thresholds), instance=SimInstance(transport)).run()
    text = info.value.as_result()["msg"]
    assert "thresholds.metrics_url must not contain a user name or password" in text and "s3cret" not in text
    assert "Fix: use thresholds.metrics_username and thresholds.metrics_password" in text
    assert transport.sessions == 0


def test_thresholds_fetch_with_the_username_and_password_options(iris_sim, monkeypatch):
    asked = []

    def fetch(url, timeout, username=None, password=None):
        asked.append((url, username, password))
        return "iris_cpu_usage 10\niris_phys_mem_percent_used 20\n"
    monkeypatch.setattr(_monitoring._metrics, "fetch", fetch)
    thresholds = dict(enabled=True, source="iris", metrics_url="http://127.0.0.1:9/api/monitor/metrics",
                      metrics_username="monitor", metrics_password="s3cret")
    result = run(iris_sim, thresholds=thresholds)
    assert asked == [("http://127.0.0.1:9/api/monitor/metrics", "monitor", "s3cret")]
    assert result["pressure"]["cpu"] == 10.0 and "s3cret" not in json.dumps(result)


# -- work done once per read -----------------------------------------------------------------------------------------

def test_the_log_directory_is_asked_once_per_program(iris_sim):
    manager = MonitoringManager(FakeModule(stop="20260101_000000_a", collect="20260101_000000_b", report_run="20260101_000000_c",
                                           fetch_report="/tmp/"), instance=SimInstance(iris_sim.transport("%SYS")))
    info = Program()
    _monitoring_records.add_read_info(info, "mon")
    for program in (manager.read_program(), info):
        text = "\n".join(program.lines("b" * 32))
        assert text.count("$$getlogdir^SystemPerformance(") == 1, text
    # ... while each of the three named runs (and the recorded ones, in a loop) is looked up in it
    assert "\n".join(manager.read_program().lines("b" * 32)).count("$ZSEARCH(") == 4


def test_collect_uses_the_report_the_read_found_and_resolves_each_option_once(iris_sim, tmp_path, monkeypatch):
    run(iris_sim, profile="quick", interval=1, count=2)
    started = run(iris_sim, profile="quick", interval=1, count=2, run_now=True)
    time.sleep(2.2)
    resolved = []
    original = MonitoringManager._resolve

    def counting(self, run_id, option):
        resolved.append(option)
        return original(self, run_id, option)
    monkeypatch.setattr(MonitoringManager, "_resolve", counting)
    calls = []
    read_file = _monitoring._copy.read_file

    def counting_read(instance, path):
        calls.append("read")
        return read_file(instance, path)
    monkeypatch.setattr(_monitoring._copy, "read_file", counting_read)
    for check_mode in (True, False):
        result = run(iris_sim, check_mode=check_mode, profile="quick", interval=1, count=2, stop="latest", collect="latest",
                     calls=calls)
        assert not result["changed"] and result["collected"] == {"run_id": started["run_id"], "changed": False, "wait_time": None}
        assert result["stopped"]["changed"] is False
    assert calls == []  # the read's $ZSEARCH found the report: no second look at the file
    assert sorted(resolved) == ["collect", "collect", "stop", "stop"]
    fetched = run(iris_sim, profile="quick", interval=1, count=2, collect="latest", fetch_report=str(tmp_path) + "/", calls=calls)
    assert fetched["report"]["changed"] and calls == ["read"]


def test_the_task_create_lock_waits_within_the_module_timeout(iris_sim):
    """issue 11 item 3: creating the schedule task locks its name; the wait stays within O(timeout) (half of it)."""
    del RECORDED[:]
    run(iris_sim, timeout=10)
    rendered = [program.render("t" * 16) for program in RECORDED if "task_lock_name" in program.template_names]
    assert len(rendered) == 1 and '"task","iris_devtools monitoring iris_devtools"):5 ' in rendered[0]


class _Container(object):
    attrs = {"NetworkSettings": {"Ports": {}}, "HostConfig": {"NanoCpus": 2000000000}}


class DockerSimInstance(SimInstance):
    """A container instance (kind docker) whose sessions run in the simulator and whose stats are one fixed sample."""

    kind = "docker"
    container = _Container()

    def usage_sample(self):
        stats = {"cpu_stats": {"cpu_usage": {"total_usage": 300}, "system_cpu_usage": 1000, "online_cpus": 4},
                 "precpu_stats": {"cpu_usage": {"total_usage": 100}, "system_cpu_usage": 600},
                 "memory_stats": {"usage": 50, "limit": 100, "stats": {"inactive_file": 10}}}
        return stats, self.container.attrs["HostConfig"]["NanoCpus"]


def test_thresholds_fall_back_to_the_docker_stats_the_instance_samples(iris_sim):
    """source=auto on a container that does not publish the web port: the Docker stats sample of the instance."""
    transport = iris_sim.transport("%SYS")
    module = FakeModule(transport="docker", container="iris1", thresholds=dict(enabled=True))
    result = MonitoringManager(module, instance=DockerSimInstance(transport)).run()
    # 200/400 of 4 CPUs = 2 CPUs used of a 2-CPU limit; (50 - 10) / 100 memory
    assert result["pressure"]["source"] == "docker"
    assert result["pressure"]["cpu"] == 100.0 and result["pressure"]["memory"] == 40.0
    assert "does not publish the IRIS web server port 52773" in result["msg"]


def test_thresholds_on_a_local_instance_never_fall_back_to_docker_stats(iris_sim):
    transport = iris_sim.transport("%SYS")
    module = FakeModule(thresholds=dict(enabled=True, metrics_url="http://127.0.0.1:9/api/monitor/metrics"))
    with pytest.raises(IrisModuleError) as info:
        MonitoringManager(module, instance=SimInstance(transport)).run()
    assert "Docker stats" not in info.value.msg


# -- issue 13: the report a task stops, over native to a server given by its host ------------------------------------
class NativeHostSimInstance(SimInstance):
    """``transport: native`` with O(host): no container, so no host name for the report's name (NativeInstance's
    hostname() fails); files are read from the simulator's directories (``_copy`` is patched in the test)."""

    kind = "native"
    container = None
    name = "IRIS"

    def hostname(self):
        self.calls.append("hostname")
        raise IrisModuleError("The host name of the IRIS server is not known over transport native.", hint="test")


def test_stop_and_fetch_over_native_find_the_report_on_the_server(iris_sim, tmp_path, monkeypatch):
    """Stop + fetch in one task over native with a host: the report's path comes from the server's search of its log
    directory after the stop (the read's $ZSEARCH), never from a host name the module cannot know."""
    def local_read(instance, path, max_bytes=None):
        with open(path, "rb") as handle:
            return handle.read()
    monkeypatch.setattr(_monitoring._copy, "read_file", local_read)
    run(iris_sim, profile="quick", interval=60, count=2)
    started = run(iris_sim, profile="quick", interval=60, count=2, run_now=True)
    run_id = started["run_id"]
    dest = tmp_path / "reports"
    dest.mkdir()
    results, calls = [], []
    for check_mode in (True, False):
        transport = iris_sim.transport("%SYS")
        module = FakeModule(check_mode=check_mode, transport="native", profile="quick", interval=60, count=2,
                            stop=run_id, collect=run_id, fetch_report=str(dest) + "/")
        results.append(MonitoringManager(module, instance=NativeHostSimInstance(transport, calls)).run())
    check, real = results
    assert calls == []  # no host name asked
    assert check["report"]["path"].endswith("*_IRIS_%s.html" % run_id) and check["report"]["changed"]
    assert real["stopped"]["changed"] and real["report"]["changed"]
    assert real["report"]["path"].endswith("_IRIS_%s.html" % run_id) and "*" not in real["report"]["path"]
    with open(real["report"]["dest"]) as handle:
        assert "<html>" in handle.read()


@pytest.mark.parametrize("run_id", ["20260101_000000_x\n", "2026\x00x", "a b"])
def test_run_ids_refused(run_id):
    with pytest.raises(IrisModuleError) as info:
        _monitoring._run_id(run_id, "stop")
    assert "Invalid run id" in info.value.msg and info.value.hint
