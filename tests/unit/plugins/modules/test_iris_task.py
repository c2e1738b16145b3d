# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_task through main(): argspec, check mode, diff and the one fail site, against the in-process simulator."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _task
from ansible_collections.iris_devtools.iris.plugins.modules import iris_task


@pytest.fixture
def main(iris_sim_connect, run_module_main):
    """``main(args, check=False, diff=True) -> result`` (``failed`` in it); sessions run in the simulator.

    ``result["sessions"]`` counts the IRIS sessions of the run; ``result["transports"]`` the
    namespaces of the transports ``_instance.instance_from_module`` built.
    """
    def call(args, check=False, diff=True):
        iris_sim_connect.reset()
        result, failed = run_module_main(iris_task, dict(args, container="sim"), check_mode=check, diff=diff)
        if not failed:
            assert result["iris_sessions"] == iris_sim_connect.sessions  # the module counts what really ran
        return dict(result, failed=failed, sessions=iris_sim_connect.sessions,
                    transports=[transport.namespace for transport in iris_sim_connect.transports])
    call.sim = iris_sim_connect.sim
    return call


@pytest.mark.parametrize("args, needle", [
    ({}, "one of the following is required: name, task_id"),
    ({"name": "x", "state": "running"}, "value of state must be one of: present, absent, suspended, resumed"),
    ({"name": "x", "priority": "urgent"}, "value of priority must be one of: normal, low, high"),
    ({"name": "x", "settings": {"ExecuteCode": "q"}, "execute_code": "q"}, "parameters are mutually exclusive: settings|execute_code"),
    ({"name": "x", "schedule": {"at": "01:00"}}, "missing required arguments: period found in schedule"),
    ({"name": "x", "schedule": {"period": "yearly"}}, "value of period must be one of: daily, weekly, monthly, on_demand"),
    ({"name": "x", "schedule": {"period": "daily", "when": "x"}}, "Unsupported parameters"),
    ({"name": "x", "schedule": {"period": "daily", "every_minutes": 5, "every_hours": 1}},
     "parameters are mutually exclusive: every_minutes|every_hours found in schedule"),
    ({"name": "x", "task_id": "abc"}, "task_id"),
])
def test_argspec_messages(main, args, needle):
    result = main(args)
    assert result["failed"] and needle in result["msg"], result["msg"]


@pytest.mark.parametrize("schedule, needle", [
    ({"period": "daily", "at": "01:00", "every_minutes": 5}, "exclude each other"),
    ({"period": "weekly", "at": "01:00"}, "period weekly needs days"),
    ({"period": "daily", "at": 150}, "YAML reads an unquoted time"),
    # YAML 1.1 turned an unquoted 12:30 into 750 before the module saw it (issue 11 item 8)
    ({"period": "daily", "at": 750}, "Fix: quote the time: at: '12:30'"),
    # audit B8: the Task Manager's interval ranges, refused before any session
    ({"period": "daily", "interval": 8}, "every 1 to 7 days. Fix: use an interval from 1 to 7"),
    ({"period": "monthly", "day_of_month": 1, "interval": 13}, "every 1 to 12 months"),
    ({"period": "daily", "every_hours": 1, "start": "10:00", "end": "09:00"}, "must be later than start"),
    ({"period": "daily", "start_date": "2026-03-01", "end_date": "2026-02-01"}, "is before start_date"),
])
def test_invalid_schedule_fails_before_any_session(main, schedule, needle):
    result = main({"name": "idt-bad", "execute_code": "quit", "schedule": schedule})
    assert result["failed"] and needle in result["msg"] and "Fix:" in result["msg"]
    assert result["sessions"] == 0 and result["actions"] == []


def test_check_mode_predicts_and_diff_uses_user_words(main):
    schedule = {"period": "weekly", "days": ["sun", "wed"], "at": "05:00"}
    args = {"name": "idt-m", "execute_code": "quit", "schedule": schedule, "state": "suspended"}
    check = main(args, check=True)
    assert not check["failed"] and check["changed"] and check["actions"] == ["create", "suspend"]
    assert check["sessions"] == 1 and check["task"]["id"] is None
    assert check["transports"] == ["%SYS"]  # one transport a run, opened in %SYS (iris-sources.md §0.2)
    assert check["diff"]["before"] == {"exists": False}
    assert check["diff"]["after"]["schedule"]["days"] == ["wednesday", "sunday"]
    assert check["diff"]["after"]["suspended"] is True
    real = main(args)
    assert real["changed"] and real["actions"] == check["actions"] and real["diff"] == check["diff"]
    assert real["sessions"] == 2 and real["task"]["id"] >= 1000 and real["task"]["suspended"] is True
    for check_mode in (True, False):
        again = main(args, check=check_mode)
        assert not again["changed"] and again["sessions"] == 1
        assert again["diff"]["before"] == again["diff"]["after"]
    no_diff = main(args, diff=False)
    assert "diff" not in no_diff


def test_run_now_in_check_mode_changes_nothing(main):
    main({"name": "idt-r", "execute_code": "quit"})
    check = main({"name": "idt-r", "run_now": True}, check=True)
    assert check["changed"] and check["actions"] == ["run_now"]
    stored = [task for task in main.sim.inst.system["tasks"].values() if task["Name"] == "idt-r"]
    assert not stored[0].get("_run_requested")
    real = main({"name": "idt-r", "run_now": True})
    assert real["changed"] and real["actions"] == ["run_now"]
    main.sim.inst.reload()
    stored = [task for task in main.sim.inst.system["tasks"].values() if task["Name"] == "idt-r"]
    assert stored[0].get("_run_requested")


def test_failure_reaches_the_one_fail_site_with_actions(main):
    result = main({"name": "idt-x", "task_class": "No.Such.Class"})
    assert result["failed"] and "No.Such.Class" in result["msg"] and "Fix:" in result["msg"]
    assert result["actions"] == ["create"]  # what was attempted; nothing was saved
    assert not [task for task in main.sim.inst.system.get("tasks", {}).values() if task["Name"] == "idt-x"]


class _StoppedClient(object):
    """A Docker client whose one container exists but has exited."""

    class containers(object):  # pylint: disable=invalid-name
        asked = []

        @classmethod
        def get(cls, name):
            cls.asked.append(name)
            container = type("Container", (object,), {})()
            container.attrs = {"State": {"Status": "exited", "Running": False}}
            return container


def test_stopped_container_fails_clearly_through_connect(monkeypatch, run_module_main):
    """Without the fixture's seam: _instance builds the transport, checks the container runs, nothing is applied."""
    monkeypatch.setattr(_docker, "get_docker_client", lambda docker_host=None, timeout=60: _StoppedClient())
    del _StoppedClient.containers.asked[:]
    result, failed = run_module_main(iris_task, {"name": "idt-s", "execute_code": "quit", "container": "iris-stopped"})
    assert failed and _StoppedClient.containers.asked == ["iris-stopped"]
    assert result["msg"].startswith("Container iris-stopped is not running (Docker status: exited).")
    assert "iris_devtools.iris.iris_container" in result["hint"] and result["container_status"] == "exited"
    assert result["actions"] == []


def test_argument_spec_matches_the_states_and_priorities():
    spec = iris_task.argument_spec()
    assert spec["state"]["choices"] == list(_task.STATES) and spec["state"]["default"] == "present"
    assert spec["priority"]["choices"] == list(_task.PRIORITIES)
    assert "default" not in spec["task_class"]  # not compared unless set
