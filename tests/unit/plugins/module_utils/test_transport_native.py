# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""NativeTransport with a stand-in client: the call, install on a missing runner (D4), error mapping, no secrets."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _native, _native_runner
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program, Secret, ping_program
from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import NativeTransport

MISSING_CLASS = "<CLASS DOES NOT EXIST> *IrisDevTools.NativeV1"
MISSING_METHOD = "<METHOD DOES NOT EXIST> *Run,IrisDevTools.NativeV1"


def sql_error(code, text="x"):
    return RuntimeError("<SQL ERROR>; Details: [SQLCODE: <%d>:<%s>]" % (code, text))


class Cursor(object):
    def __init__(self, conn):
        self.conn = conn
        self.closed = False

    def execute(self, statement):
        self.conn.statements.append(statement)
        if self.conn.ddl_errors:
            raise self.conn.ddl_errors.pop(0)
        self.conn.installed = True

    def close(self):
        self.closed = True


class Connection(object):
    """A connection whose runner answers like the real one: the frames of the program's token."""

    def __init__(self, installed=True, ddl_errors=(), call_errors=(), result=None):
        self.installed = installed
        self.ddl_errors = list(ddl_errors)
        self.call_errors = list(call_errors)
        self.result = {"ok": 1} if result is None else result
        self.statements = []
        self.calls = []
        self.cursors = []

    def cursor(self):
        self.cursors.append(Cursor(self))
        return self.cursors[-1]


class NativeAPI(object):
    def __init__(self, conn):
        self.conn = conn

    def classMethodValue(self, cls, method, *args):  # pylint: disable=invalid-name  # the client's name
        self.conn.calls.append((cls, method) + args)
        if self.conn.call_errors:
            raise self.conn.call_errors.pop(0)
        if not self.conn.installed:
            raise RuntimeError(MISSING_CLASS)
        token = re.search(r'idtTok="([0-9a-f]+)"', args[0]).group(1)
        if isinstance(self.conn.result, str):
            return self.conn.result.replace("TOKEN", token)
        return "\x02%s:R:%s\x03" % (token, json.dumps(self.conn.result))


class Client(object):
    """Stands in for the ``iris`` module."""

    def __init__(self):
        self.created = 0

    def createIRIS(self, conn):  # pylint: disable=invalid-name  # the client's name
        self.created += 1
        return NativeAPI(conn)


@pytest.fixture(name="client")
def fixture_client(monkeypatch):
    client = Client()
    monkeypatch.setattr(_native, "iris_client", client)
    monkeypatch.setattr(_native, "HAS_IRIS_CLIENT", True)
    return client


def test_run_calls_the_runner_with_program_namespace_and_kill_list(client):
    conn = Connection(result={"version": "v"})
    transport = NativeTransport(conn, namespace="%SYS")
    assert transport.run(ping_program()) == {"version": "v"}
    assert transport.run(ping_program()) == {"version": "v"}
    assert transport.sessions == 2 and transport.installs == 0 and client.created == 1
    cls, method, text, namespace, kill = conn.calls[0]
    assert (cls, method, namespace) == ("IrisDevTools.NativeV1", "Run", "%SYS")
    lines = text.split("\n")
    assert lines[0].startswith("set idtStep=1,idtTok=") and not any(line.startswith("halt") for line in lines)
    assert kill == _native_runner.kill_command(lines)
    assert conn.statements == []


@pytest.mark.parametrize("missing", [MISSING_CLASS, MISSING_METHOD])
def test_missing_runner_is_installed_then_called_again(client, missing):
    conn = Connection(installed=False, call_errors=[RuntimeError(missing)])
    transport = NativeTransport(conn)
    assert transport.run(ping_program()) == {"ok": 1}
    assert conn.statements == [_native_runner.DDL] and transport.installs == 1
    assert len(conn.calls) == 2 and all(c.closed for c in conn.cursors)
    transport.run(ping_program())
    assert conn.statements == [_native_runner.DDL]  # once: the runner is there now


def test_parallel_install_counts_as_installed(client):
    """SQLCODE -361 (iris-sources.md RSQLMETH): someone else created the method between our call and our DDL."""
    conn = Connection(installed=False, call_errors=[RuntimeError(MISSING_CLASS)], ddl_errors=[sql_error(-361)])
    conn.installed = True  # the other run's install
    assert NativeTransport(conn).run(ping_program()) == {"ok": 1}


def test_install_without_privilege_says_how_to_grant_it(client):
    conn = Connection(installed=False, ddl_errors=[sql_error(-99, "Privilege violation")])
    with pytest.raises(IrisModuleError) as err:
        NativeTransport(conn).run(ping_program())
    result = err.value.as_result()
    assert result["iris_sqlcode"] == -99 and "%CREATE_METHOD" in result["msg"] and "Fix:" in result["msg"]
    assert len(conn.calls) == 1


def test_other_install_errors_are_reported(client):
    conn = Connection(installed=False, ddl_errors=[sql_error(-400, "boom")])
    with pytest.raises(IrisModuleError, match="Installing the collection's runner class") as err:
        NativeTransport(conn).run(ping_program())
    assert err.value.details["iris_sqlcode"] == -400


def test_runner_still_missing_after_install_is_an_error(client):
    conn = Connection(installed=False, ddl_errors=[sql_error(-361)])
    with pytest.raises(IrisModuleError) as err:
        NativeTransport(conn).run(ping_program())
    assert err.value.details["iris_error"] == "<CLASS DOES NOT EXIST>"


def test_iris_error_of_the_call_maps_like_a_session_error(client):
    conn = Connection(call_errors=[RuntimeError("<PROTECT> *IrisDevTools.NativeV1")])
    with pytest.raises(IrisModuleError) as err:
        NativeTransport(conn).run(ping_program())
    assert err.value.details["iris_error"] == "<PROTECT>"
    assert err.value.msg.startswith("The IRIS session failed with <PROTECT>")


def test_client_failure_without_iris_error(client):
    conn = Connection(call_errors=[OSError("connection reset by peer")])
    with pytest.raises(IrisModuleError, match="over transport native failed: connection reset by peer"):
        NativeTransport(conn).run(ping_program())


def test_a_broken_call_does_not_blame_the_timeout_option(client):
    # The client's connection timeout bounds connecting only, not a call (iris-sources.md NR8): the hint must not
    # send the user to raise the module's timeout.
    conn = Connection(call_errors=[OSError("connection reset by peer")])
    with pytest.raises(IrisModuleError) as failure:
        NativeTransport(conn, timeout=5).run(ping_program())
    assert "timeout" not in failure.value.hint and "still running and reachable" in failure.value.hint


def test_error_frames_and_syntax_lines_parse_as_in_a_session(client):
    conn = Connection(result='\x02TOKEN:E:{"kind":"status","text":"ERROR #5001: no","codes":"5001","step":1,'
                             '"template":"ping"}\x03')
    with pytest.raises(IrisModuleError) as err:
        NativeTransport(conn).run(ping_program())
    assert err.value.details["iris_status"] == "ERROR #5001: no"
    conn.result = "\n<SYNTAX>"
    with pytest.raises(IrisModuleError) as err:
        NativeTransport(conn).run(ping_program())
    assert err.value.details["iris_error"] == "<SYNTAX>"


def test_secrets_never_reach_messages(client):
    secret = "Canary-Pw-42"
    conn = Connection(call_errors=[RuntimeError("<UNDEFINED> *x " + secret)])
    program = Program().add("password_login", key="ok", user="u", password=Secret(secret))
    with pytest.raises(IrisModuleError) as err:
        NativeTransport(conn).run(program)
    assert secret not in repr(err.value.as_result())


def test_too_long_program_is_refused_before_sending(client):
    conn = Connection()
    program = Program()
    for dummy in range(2):
        program.add("result_value", key="k", value="\u00e9" * 3000000)
    with pytest.raises(IrisModuleError, match="more than an IRIS string can hold"):
        NativeTransport(conn).run(program)
    assert conn.calls == []


def test_without_the_client_the_run_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(_native, "HAS_IRIS_CLIENT", False)
    with pytest.raises(IrisModuleError, match="intersystems-irispython"):
        NativeTransport(Connection()).run(ping_program())
