# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Parity of the transports (docs/native-transport-design.md increment 5): every vetted template's program gives the
same result dict, or the same error kind, over ``iris session`` and over NativeTransport with the real InterSystems
client (intersystems-irispython, pinned in tests/constraints.txt) against the simulator's superserver.

Each side gets its own fresh simulated instance, prepared the same way, so a program that changes state changes the
same state on both.  Every client call runs under the simulator tests' thread guard (``superserver_support.guarded``): a
reply layout the client misreads makes the client hang instead of failing."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _native, _native_runner
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import TEMPLATES, Program, Secret, ping_program
from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import NativeTransport
from ansible_collections.iris_devtools.iris.tests.unit.conftest import SimTransport
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_objectscript import REPRESENTATIVE

PASSWORD = "Canary-Pw-42"
KINDS = ("iris_error", "iris_status", "iris_sqlcode")


def _prepared(root):
    sim = SimTransport(root)
    out = sim.run("%SYS", 'kill p set p("ChangePassword")=0,p("Password")="%s" '
                          'write ##class(Security.Users).Modify("_SYSTEM",.p)' % PASSWORD)
    assert "1" in out
    return sim


class Pair(object):
    """Two identical simulated instances: ``session`` runs programs with ``iris session`` (in process), ``served`` is
    reached over its superserver with the real client."""

    def __init__(self, root):
        self.session = _prepared(root / "session")
        self.served = _prepared(root / "native")  # SimTransport put the simulator on sys.path
        from iris_sim.instance import Instance  # pylint: disable=import-error,import-outside-toplevel
        from iris_sim.superserver import Superserver  # pylint: disable=import-error,import-outside-toplevel
        tests_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(sys.modules[Instance.__module__].__file__))),
                                 "tests")
        if tests_dir not in sys.path:
            sys.path.insert(0, tests_dir)
        from superserver_support import guarded  # pylint: disable=import-error,import-outside-toplevel
        self.guard = guarded
        inst = self.served.inst
        self.server = Superserver(lambda: Instance(inst.install_dir, inst.data_dir), bind="127.0.0.1", port=0,
                                  log=lambda text, severity=0: None)
        self.connections = []

    def connect(self, namespace="USER", user="_SYSTEM", password=PASSWORD):
        conn = self.guard(_native.connect, "127.0.0.1", self.server.port, namespace, user, password, 5, 10)
        self.connections.append(conn)
        return conn

    def close(self):
        for conn in self.connections:
            try:
                self.guard(conn.close)
            except Exception:  # pylint: disable=broad-except
                pass
        self.server.stop()


@pytest.fixture(name="pair")
def fixture_pair(tmp_path):
    pytest.importorskip("tree_sitter_objectscript_routine")
    pytest.importorskip("iris")  # intersystems-irispython: installed in the unit venvs (noxfile TEST_PKGS)
    pair = Pair(tmp_path)
    yield pair
    pair.close()


def outcome(pair, transport, program, root):
    """("result", dict) or ("error", {kind: value}) of one run; the instance's own directory reads <root>."""
    try:
        result = pair.guard(transport.run, program)
    except IrisModuleError as exc:
        return "error", dict((k, exc.details.get(k)) for k in KINDS)
    return "result", json.loads(json.dumps(result).replace(root, "<root>"))


# The generic call templates take a class and a method: one the simulator models with that call's shape (the
# representative %SYS.Task.RunNow takes another argument list).
CALLS = {
    "call_status": {"class": "%SYSTEM.Status", "method": "OK"},
    "call_value": {"class": "%SYSTEM.Version", "method": "GetNumber"},
    "call_props_status": {"class": "Config.Namespaces", "method": "Get", "name": "USER"},
    "call_props_get": {"class": "Config.Namespaces", "method": "Get", "name": "USER"},
}


def _program(name):
    if name == "ping":
        return ping_program()
    values = dict((p, REPRESENTATIVE[p]) for p in TEMPLATES[name].params)
    values.update(CALLS.get(name, {}))
    return Program().add(name, **values)


@pytest.mark.parametrize("namespace", ["%SYS", "USER"])
@pytest.mark.parametrize("name", ["ping"] + sorted(TEMPLATES))
def test_template_gives_the_same_outcome_over_both_transports(pair, name, namespace):
    native = NativeTransport(pair.connect(), namespace=namespace)
    first = outcome(pair, pair.session.transport(namespace), _program(name), pair.session.root)
    second = outcome(pair, native, _program(name), pair.served.root)
    assert second == first
    # and again: the second run on the same connection starts from the same state as the second session
    assert outcome(pair, native, _program(name), pair.served.root) == \
        outcome(pair, pair.session.transport(namespace), _program(name), pair.session.root)


def _probe(pair, conn, line):
    """Run one raw line in the runner (on ``conn``'s server process) and return idtOut."""
    import iris  # pylint: disable=import-error,import-outside-toplevel
    api = pair.guard(iris.createIRIS, conn)
    return pair.guard(api.classMethodValue, _native_runner.CLASS, _native_runner.METHOD, line, "USER", "kill idtOut")


def test_second_program_sees_no_variable_of_the_first(pair):
    conn = pair.connect()
    transport = NativeTransport(conn, namespace="%SYS")
    program = (Program().add("call_arg", value="kept?").add("result_value", key="k", value="v" * 9000)
               .add("namespace", namespace="USER"))
    assert pair.guard(transport.run, program) == {"k": "v" * 9000}
    # the runner's kill list removed every protocol variable: the server process is the same (one per connection)
    assert _probe(pair, conn, 'set idtOut=$data(idtR)_$data(idtStep)_$data(idtArg)_$data(idtL)_$data(idtTok)') == "00000"
    assert _probe(pair, conn, "set idtKept=1,idtOut=$data(idtKept)") == 1
    assert _probe(pair, conn, "set idtOut=$data(idtKept)") == 1  # what the kill list does not name survives: it matters


def test_namespace_and_device_come_back_after_a_run(pair):
    conn = pair.connect()
    transport = NativeTransport(conn, namespace="USER")
    assert pair.guard(transport.run, Program().add("namespace", namespace="%SYS").add("ping"))["namespace"] == "%SYS"
    # the runner lives in USER only: a call still in %SYS would not find it and would install it again there
    assert pair.guard(transport.run, ping_program())["namespace"] == "USER"
    assert transport.installs == 1
    assert _probe(pair, conn, 'set idtOut=$NAMESPACE_"|"_$IO') == "USER|/dev/null"  # the runner's own null device


def test_runner_installs_once_per_connection(pair):
    conn = pair.connect()
    first, second = NativeTransport(conn, namespace="%SYS"), NativeTransport(conn, namespace="USER")
    assert pair.guard(first.run, ping_program())["namespace"] == "%SYS"
    assert pair.guard(second.run, ping_program())["namespace"] == "USER"
    assert (first.installs, second.installs) == (1, 0)
    # a new connection finds it installed (it is a class in USER's routines database)
    third = NativeTransport(pair.connect(), namespace="USER")
    pair.guard(third.run, ping_program())
    assert third.installs == 0


def test_parallel_install_is_not_an_error(pair, monkeypatch):
    """Another run created the runner between our failed call and our DDL: the real SQLCODE -361 counts as installed."""
    early, late = NativeTransport(pair.connect()), NativeTransport(pair.connect())
    real_call = late._call
    calls = []

    def call_seeing_no_runner(text, kill):
        calls.append(1)
        if len(calls) == 1:
            pair.guard(early.run, ping_program())  # the other run installs now
            raise RuntimeError("<CLASS DOES NOT EXIST> *%s" % _native_runner.CLASS)
        return real_call(text, kill)
    monkeypatch.setattr(late, "_call", call_seeing_no_runner)
    assert pair.guard(late.run, ping_program())["namespace"] == "USER"
    assert (early.installs, late.installs) == (1, 1) and len(calls) == 2


def test_install_without_privilege_is_sqlcode_99(pair):
    out = pair.served.run("%SYS", 'write ##class(Security.Users).Create("dev","%%Developer","%s")' % PASSWORD)
    assert "1" in out
    transport = NativeTransport(pair.connect(user="dev"))
    with pytest.raises(IrisModuleError) as err:
        pair.guard(transport.run, ping_program())
    assert err.value.details["iris_sqlcode"] == -99 and "%CREATE_METHOD" in err.value.hint
    # once an administrator installed it, the user runs programs
    pair.guard(NativeTransport(pair.connect()).run, ping_program())
    assert pair.guard(transport.run, ping_program())["namespace"] == "USER"


def test_password_and_program_never_in_errors(pair):
    transport = NativeTransport(pair.connect(), namespace="%SYS")
    program = Program().add("password_login", key="ok", user="_SYSTEM", password=Secret(PASSWORD)).add(
        "sp_value", key="k", label="nosuchlabel")
    with pytest.raises(IrisModuleError) as err:
        pair.guard(transport.run, program)
    text = repr(err.value.as_result())
    assert PASSWORD not in text and "idtTok" not in text


ERRORS = {
    "iris_error": lambda: Program().add("sp_value", key="k", label="nosuchlabel"),
    "iris_status": lambda: (Program().add("call_arg", value=5001).add("call_arg", value="boom")
                            .add("call_status", **{"class": "%SYSTEM.Status", "method": "Error"})),
    "iris_sqlcode": lambda: Program().add("sql_rows", key="k", sql="SELECT x FROM No.Such", columns="x"),
    "namespace": lambda: Program().add("namespace", namespace="NOSUCH").add("ping"),
}


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_errors_have_the_same_kind_over_both_transports(pair, kind):
    native = NativeTransport(pair.connect(), namespace="%SYS")
    first = outcome(pair, pair.session.transport("%SYS"), ERRORS[kind](), pair.session.root)
    assert first[0] == "error" and first[1][kind if kind != "namespace" else "iris_error"] is not None
    assert outcome(pair, native, ERRORS[kind](), pair.served.root) == first
    # the connection goes on serving after the error
    assert pair.guard(native.run, ping_program())["namespace"] == "%SYS"


def test_unknown_namespace_of_the_transport(pair):
    """The program's namespace is an argument of Run: a missing one fails like the session's login to it would."""
    with pytest.raises(IrisModuleError) as err:
        pair.guard(NativeTransport(pair.connect(), namespace="NOSUCH").run, ping_program())
    assert err.value.details["iris_error"] == "<NAMESPACE>"
