# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_monitoring through main(): argspec, bad input, check == real, and the thresholds fed by the simulator's
own metrics page (tests/simulator/iris_sim/web.py) over real HTTP, against the in-process simulator."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from http.server import ThreadingHTTPServer

import pytest

from ansible_collections.iris_devtools.iris.plugins.modules import iris_monitoring

TASK = "iris_devtools monitoring iris_devtools"


@pytest.fixture
def main(iris_sim, iris_sim_connect, run_module_main):
    """``main(args, check=False, diff=True) -> result``; sessions run in the simulator (conftest fixtures)."""

    def call(args, check=False, diff=True):
        iris_sim_connect.reset()
        result, failed = run_module_main(iris_monitoring, dict(args, container="sim"), check_mode=check, diff=diff)
        results = dict(result, failed=failed)
        results["session_count"] = iris_sim_connect.sessions
        return results
    call.sim = iris_sim
    return call


@pytest.fixture
def metrics_server(iris_sim):
    """The simulator's own web server (metrics page) on a free port, reading the simulated instance's mgr dir."""
    web = pytest.importorskip("iris_sim.web")
    mgr = iris_sim.inst.mgr_dir
    server = ThreadingHTTPServer(("127.0.0.1", 0), web.make_handler(mgr))
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()

    def load(**values):
        # What `iris-sim load --cpu N --memory N` writes (tests/simulator/iris_sim/cli.py sim_load).
        from iris_sim import main as sim_main  # pylint: disable=import-error
        with open(os.path.join(mgr, sim_main.LOAD_FILE), "w") as handle:
            json.dump(values, handle)
    server.load = load
    server.url = "http://127.0.0.1:%d" % server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("args, needle", [
    ({"state": "running"}, "value of state must be one of: present, suspended, absent"),
    ({"duration": "1h", "count": 5}, "parameters are mutually exclusive: duration|count"),
    ({"interval": "often"}, "interval"),
    ({"thresholds": {"source": "snmp"}}, "value of source must be one of: auto, iris, docker"),
    ({"schedule": {"at": "01:00"}}, "missing required arguments: period found in schedule"),
])
def test_argspec_messages(main, args, needle):
    result = main(args)
    assert result["failed"] and needle in result["msg"], result["msg"]
    assert result["session_count"] == 0


@pytest.mark.parametrize("args, needle", [
    ({"interval": 0}, "1 to 300"),
    ({"interval": 301}, "1 to 300"),
    ({"interval": 1, "duration": "2h"}, "1 second is allowed only"),
    ({"duration": "an hour"}, "Invalid duration"),
    ({"profile": "has blank"}, "Invalid profile name"),
    ({"thresholds": {"enabled": True, "memory_enable": 99}}, "must be below"),
    ({"schedule": {"period": "monthly"}}, "day_of_month"),
])
def test_bad_input_fails_clearly_with_nothing_applied(main, args, needle):
    result = main(args)
    assert result["failed"] and needle in result["msg"] and "Fix:" in result["msg"], result["msg"]
    assert result["session_count"] == 0
    assert "iris_devtools" not in main.sim.inst.system["sp"]["profiles"]


def test_check_equals_real_and_second_run_is_unchanged(main):
    check = main({}, check=True)
    assert not check["failed"] and check["changed"] and check["session_count"] == 1
    real = main({})
    assert real["changed"] and real["session_count"] == 2
    for key in ("actions", "profile", "pressure", "diff"):
        assert check[key] == real[key], key
    assert real["task"]["name"] == TASK and check["task"]["name"] == TASK
    again = main({}, check=True)
    assert not again["changed"] and again["session_count"] == 1
    assert not main({})["changed"]


def test_thresholds_from_the_simulators_metrics_page(main, metrics_server):
    thresholds = {"enabled": True, "source": "iris", "metrics_url": metrics_server.url}
    main({})
    metrics_server.load(cpu=95, memory=40)
    check = main({"thresholds": thresholds}, check=True)
    hot = main({"thresholds": thresholds})
    assert check["changed"] and hot["changed"] and check["pressure"] == hot["pressure"]
    assert hot["pressure"]["cpu"] == 95.0 and hot["pressure"]["source"] == "iris" and hot["task"]["suspended"] is True
    assert not main({"thresholds": thresholds})["changed"]
    metrics_server.load(cpu=87, memory=40)  # in between: unchanged
    between = main({"thresholds": thresholds})
    assert not between["changed"] and between["task"]["suspended"] is True
    metrics_server.load(cpu=5, memory=20)  # recovery
    cool = main({"thresholds": thresholds})
    assert cool["changed"] and cool["pressure"]["decision"] == "resume" and cool["task"]["suspended"] is False


def test_unreachable_metrics_fail_clearly(main):
    main({})
    result = main({"thresholds": {"enabled": True, "source": "iris", "metrics_url": "http://127.0.0.1:9/api/monitor/metrics"}})
    assert result["failed"] and "Cannot read the IRIS metrics" in result["msg"] and "Fix:" in result["msg"]


def test_metrics_passwords_are_no_log_and_never_in_the_result_or_diff(main, metrics_server):
    """Replaces an integration assertion that could not fail (Ansible drops ``invocation`` from registered results)."""
    from ansible_collections.iris_devtools.iris.plugins.modules import iris_info
    assert iris_monitoring.argument_spec()["thresholds"]["options"]["metrics_password"]["no_log"] is True
    assert iris_info.argument_spec()["metrics_password"]["no_log"] is True
    canary = "Canary-Pw-7q"
    main({})
    metrics_server.load(cpu=95, memory=40)
    thresholds = {"enabled": True, "source": "iris", "metrics_url": metrics_server.url, "metrics_username": "monitor",
                  "metrics_password": canary}
    for check in (True, False):
        result = main({"thresholds": thresholds}, check=check)
        assert not result["failed"] and result["changed"] and "diff" in result
        assert canary not in json.dumps(result, default=str)
    failed = main({"thresholds": dict(thresholds, metrics_url="http://127.0.0.1:9/api/monitor/metrics")})
    assert failed["failed"] and canary not in json.dumps(failed, default=str)


def test_fetch_report_applies_the_file_attributes_and_reports_a_mode_change(iris_sim_connect, run_module_main, tmp_path):
    """add_file_common_args: mode of the report written to the controller; a mode difference alone is a change."""
    base = dict(transport="local", profile="quick", interval=1, count=2)
    run_module_main(iris_monitoring, base)
    run_module_main(iris_monitoring, dict(base, run_now=True))
    time.sleep(2.2)
    args = dict(base, collect="latest", fetch_report=str(tmp_path) + "/", mode="0600")
    first, failed = run_module_main(iris_monitoring, args)
    assert not failed and first["report"]["changed"]
    dest = first["report"]["dest"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    again, failed = run_module_main(iris_monitoring, args)
    assert not failed and not again["changed"]
    checked, failed = run_module_main(iris_monitoring, dict(args, mode="0644"), check_mode=True)
    assert not failed and checked["changed"] and checked["report"]["changed"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    real, failed = run_module_main(iris_monitoring, dict(args, mode="0644"))
    assert not failed and real["changed"] and "set the file attributes of %s" % dest in real["actions"]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o644
    refused, failed = run_module_main(iris_monitoring, dict(base, mode="0600"))
    assert failed and "fetch_report" in refused["msg"]


def test_a_metrics_password_needs_its_user_name(main):
    """The argument spec refuses thresholds.metrics_password without thresholds.metrics_username (required_by)."""
    result = main(dict(transport="local", thresholds=dict(enabled=True, metrics_password="s3cret")))
    assert result["failed"] and "metrics_username" in result["msg"] and "s3cret" not in json.dumps(result)
    assert result["session_count"] == 0
