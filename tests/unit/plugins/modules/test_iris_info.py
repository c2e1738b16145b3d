# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_info end to end through main(): argspec, facts from the in-process simulator, check mode, failures."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
from ansible_collections.iris_devtools.iris.plugins.modules import iris_info


@pytest.mark.parametrize("args, needle", [
    ({"container": "c", "gather": ["versions"]}, "value of gather must be one or more of"),
    ({"gather": ["version"]}, "transport is docker but all of the following are missing: container"),
    ({"container": "c", "transport": "ssh"}, "value of transport must be one of: docker, local"),
    ({"container": "c", "gather": ["metrics"], "metrics_password": "x"},
     "missing parameter(s) required by 'metrics_password': metrics_username"),
])
def test_argspec_messages(args, needle, run_module_main):
    result, failed = run_module_main(iris_info, args)
    assert failed and needle in result["msg"], result["msg"]


def test_facts_through_main(iris_sim_connect, run_module_main):
    result, failed = run_module_main(iris_info, {"container": "sim", "gather": ["version", "state", "namespaces", "databases"]})
    assert not failed and result["changed"] is False
    assert len(iris_sim_connect.transports) == 1 and iris_sim_connect.sessions == 1 and result["iris_sessions"] == 1
    assert result["version"]["version"] == "2025.1"
    assert result["instance_state"]["session"] == {"ok": True, "namespace": "USER"}
    assert [n["name"] for n in result["namespaces"]] == ["%SYS", "USER"]
    assert "USER" in [d["name"] for d in result["databases"]]
    assert "query_result" not in result


def test_check_mode_equals_normal_run(iris_sim_connect, run_module_main):
    args = {"container": "sim", "gather": ["version", "namespaces", "databases"], "query": "namespaces[].name"}
    normal, failed = run_module_main(iris_info, args)
    checked, check_failed = run_module_main(iris_info, args, check_mode=True)
    assert not failed and not check_failed and normal == checked
    assert normal["query_result"] == ["%SYS", "USER"]


def test_bad_query_fails_clearly_and_reads_nothing(iris_sim_connect, run_module_main):
    pytest.importorskip("jmespath")
    result, failed = run_module_main(iris_info, {"container": "sim", "query": "namespaces[?name=='USER'"})
    assert failed
    assert result["msg"].startswith("query is not a valid JMESPath expression") and "Fix:" in result["msg"]
    assert iris_sim_connect.transports == []


class _NoContainers(object):
    class containers(object):  # pylint: disable=invalid-name
        @staticmethod
        def get(name):
            error = Exception("No such container: %s" % name)
            error.status_code = 404
            raise error


def test_missing_container_fails_clearly(monkeypatch, run_module_main):
    monkeypatch.setattr(_docker, "get_docker_client", lambda docker_host=None, timeout=60: _NoContainers())
    result, failed = run_module_main(iris_info, {"container": "iris-gone"})
    assert failed
    assert "Container iris-gone does not exist" in result["msg"]
    assert "iris_devtools.iris.iris_container" in result["hint"]
    assert result["container_status"] == "absent"
