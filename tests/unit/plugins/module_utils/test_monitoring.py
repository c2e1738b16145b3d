# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of _monitoring: validation, and the manager against the in-process IRIS simulator."""

from __future__ import annotations

import json
import os
import time

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _monitoring
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


RECORDED = []


def run(sim, check_mode=False, figures=None, **params):
    transport = sim.transport("%SYS")
    original = transport.run

    def recording(program):
        RECORDED.append(program)
        return original(program)
    transport.run = recording
    manager = MonitoringManager(FakeModule(check_mode=check_mode, **params), transport=transport,
                                files=_monitoring.LocalFiles(), figures=figures)
    result = manager.run()
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
                   dict(schedule=dict(period="weekly")), dict(state="absent", run_now=True)):
        with pytest.raises(IrisModuleError):
            MonitoringManager(FakeModule(**params), transport=transport).run()
    assert transport.sessions == 0
    assert "iris_devtools" not in profiles(iris_sim)


# -- programs --------------------------------------------------------------------------------------------

def _all_programs():
    module = FakeModule(stop="20260101_000000_x", collect="latest", fetch_report="/tmp/x", run_now=True)
    manager = MonitoringManager(module, transport=object(), files=_monitoring.LocalFiles())
    programs = [manager.read_program()]
    info = Program().add("namespace", namespace="%SYS")
    _monitoring.add_read_info(info, "mon")
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
    assert stopped["changed"] and stopped["stopped"] == {"run_id": second["run_id"], "changed": True}
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
    assert fetched["changed"] and fetched["collected"] == {"run_id": run_id, "changed": False}
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
    _monitoring.add_read_info(program, "mon")
    info = _monitoring.info_from(iris_sim.transport("%SYS").run(program), "mon")
    assert [p["name"] for p in info["profiles"]] == ["quick"]
    assert info["profiles"][0]["duration"] == 2
    assert len(info["runs"]) == 1 and info["runs"][0]["profile"] == "quick" and info["runs"][0]["known_to_iris"]
    assert info["log_dir"].endswith("/mgr/") and info["version"]


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
    assert {"sp_call", "sp_run", "sp_run_waits", "state_get", "state_set", "state_kill", "routine_value"} <= names
