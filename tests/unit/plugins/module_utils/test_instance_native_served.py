# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Whole modules over ``transport: native`` (issue 13, design §7 increment 6): ``main()`` of iris_info and iris_task with
the real InterSystems client (intersystems-irispython, pinned in tests/constraints.txt) against the simulator's
superserver, through the module's own options (host, port, username, password) - no stand-in for the instance, the
transport or the client.  The results equal the same runs over ``iris session``; the password is in no result.
Also ``_native.connect`` itself with the real client: a login, a refused password, an unknown namespace (not
retried) and a closed port (retried within connect_timeout, on an injected clock)."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _native
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.modules import iris_info, iris_task
from ansible_collections.iris_devtools.iris.tests.unit.conftest import SimTransport

PASSWORD = "Canary-Pw-e2e-5c1d"
GUARD_SECONDS = 120


def _prepared(root):
    sim = SimTransport(root)
    out = sim.run("%SYS", 'kill p set p("ChangePassword")=0,p("Password")="%s" '
                          'write ##class(Security.Users).Modify("_SYSTEM",.p)' % PASSWORD)
    assert "1" in out
    return sim


@pytest.fixture(name="served")
def fixture_served(tmp_path):
    """``(sim, port)``: a simulated instance behind its superserver on 127.0.0.1."""
    pytest.importorskip("tree_sitter_objectscript_routine")
    pytest.importorskip("iris")
    sim = _prepared(tmp_path / "native")
    from iris_sim.instance import Instance  # pylint: disable=import-error,import-outside-toplevel
    from iris_sim.superserver import Superserver  # pylint: disable=import-error,import-outside-toplevel
    inst = sim.inst
    server = Superserver(lambda: Instance(inst.install_dir, inst.data_dir), bind="127.0.0.1", port=0,
                         log=lambda text, severity=0: None)
    yield sim, server.port
    server.stop()


def _outcome(func, args, kwargs):
    try:
        return True, func(*args, **kwargs)
    except BaseException as exc:  # pylint: disable=broad-except  # re-raised in the test's thread
        return False, exc


def guarded(func, *args, **kwargs):
    """``func(*args)`` in a daemon thread, waited for at most GUARD_SECONDS: a reply the client misreads makes it hang
    instead of failing (and a daemon thread does not keep the test run alive)."""
    outcomes = []
    worker = threading.Thread(target=lambda: outcomes.append(_outcome(func, args, kwargs)), daemon=True)
    worker.start()
    worker.join(GUARD_SECONDS)
    if not outcomes:
        pytest.fail("the module hung for %ss" % GUARD_SECONDS)
    done, value = outcomes[0]
    if not done:
        raise value
    return value


def _native_args(port, **args):
    return dict(args, transport="native", host="127.0.0.1", port=port, username="_SYSTEM", password=PASSWORD,
                connect_timeout=5)


def _comparable(result):
    result = json.loads(json.dumps(result, default=str))
    for key in ("invocation", "iris_sessions"):
        result.pop(key, None)
    return result


def test_iris_info_over_native_equals_iris_session(served, run_module_main, request):
    sim, port = served
    gather = ["version", "namespaces", "databases", "tasks"]
    native, failed = guarded(run_module_main, iris_info, _native_args(port, gather=gather))
    assert not failed, native
    assert PASSWORD not in json.dumps(native, default=str)
    assert sim.root + "/data/mgr/" in json.dumps(native)  # read from the served instance
    # Only now: this fixture makes every instance a module builds run ``iris session`` in another simulated instance.
    iris_sim_connect = request.getfixturevalue("iris_sim_connect")
    session, failed = run_module_main(iris_info, dict(container="sim", gather=gather))
    assert not failed, session
    assert json.dumps(_comparable(native)).replace(sim.root, "<root>") == \
        json.dumps(_comparable(session)).replace(iris_sim_connect.sim.root, "<root>")


def test_iris_task_over_native_check_real_check_real(served, run_module_main):
    dummy, port = served
    args = _native_args(port, name="ninst-e2e", execute_code="set ^IrisDevToolsE2E=1",
                        schedule=dict(period="daily", at="02:00"))
    outcomes = []
    for check in (True, False, True, False):
        result, failed = guarded(run_module_main, iris_task, args, check_mode=check, diff=True)
        assert not failed, result
        assert PASSWORD not in json.dumps(result, default=str)
        outcomes.append(result["changed"])
    assert outcomes == [True, True, False, False]
    listed, failed = guarded(run_module_main, iris_info, _native_args(port, gather=["tasks"]))
    assert not failed and "ninst-e2e" in [task.get("name") for task in listed["tasks"]], listed


# -- the connection manager with the real client (design §7 increment 4: its tests used a stand-in client) ----------

class _Clock(object):
    """A clock that only the retry pauses advance: no test waits, and the retry budget is still exercised."""

    def __init__(self):
        self.now = 0.0
        self.pauses = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


def _refused(port, clock=None, **overrides):
    args = dict(host="127.0.0.1", port=port, namespace="USER", username="_SYSTEM", password=PASSWORD, timeout=10,
                connect_timeout=5)
    args.update(overrides)
    clock = clock or _Clock()
    with pytest.raises(IrisModuleError) as caught:
        guarded(_native.connect, clock=clock.clock, sleep=clock.sleep, **args)
    text = str(caught.value) + json.dumps(caught.value.details, default=str)
    for secret in (PASSWORD, args["password"]):
        assert secret not in text
    return caught.value, clock


def test_real_client_logs_in_and_a_wrong_password_fails_at_once(served):
    dummy, port = served
    connection = guarded(_native.connect, "127.0.0.1", port, "USER", "_SYSTEM", PASSWORD, 10, 5)
    try:
        assert _native.native_api(connection).classMethodValue("%SYSTEM.Version", "GetNumber")
    finally:
        _native.close(connection)
    error, clock = _refused(port, password="Wrong-Canary-77")
    assert error.details["reason"] == "access_denied" and error.details["attempts"] == 1 and clock.pauses == []
    assert "_SYSTEM" in str(error)


def test_real_client_unknown_namespace_is_not_retried(served):
    dummy, port = served
    error, clock = _refused(port, namespace="NOSUCHNS")
    assert error.details["reason"] == "namespace" and clock.pauses == []


def test_real_client_nothing_listening_is_retried_within_connect_timeout():
    pytest.importorskip("iris")
    error, clock = _refused(_closed_port(), connect_timeout=5)
    assert error.details["reason"] == "unreachable" and error.details["attempts"] > 1
    assert clock.pauses[:3] == [0.5, 1.0, 2.0] and clock.now <= 5


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
