# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_transport: frame parsing against hostile output, Docker and local transports with fakes."""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _transport
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program, Secret, ping_program
from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import (
    DockerTransport,
    LocalTransport,
    find_frames,
    parse_output,
)
from ansible_collections.iris_devtools.iris.tests.unit.conftest import mux

TOKEN = "feedfacefeedfacefeedfacefeedface"
OTHER = "0badc0de0badc0de0badc0de0badc0de"


def frame(kind, obj, token=TOKEN):
    body = obj if isinstance(obj, str) else json.dumps(obj)
    return "\x02%s:%s:%s\x03" % (token, kind, body)


BANNER = "\nNode: a1b2c3, Instance: IRIS\n\nUSER>\nUSER>\n"


# --------------------------------------------------------------------------------------------
# parse_output
# --------------------------------------------------------------------------------------------
def test_result_frame_amid_noise():
    out = (BANNER + "USER>1\n" + frame("R", {"fake": 1}, OTHER) + "\nUSER>" + frame("R", {"ok": True, "n": "1"})
           + "\nUSER>\n" + frame("E", {"kind": "status", "text": "nope"}, OTHER))
    assert parse_output(TOKEN, 0, out) == {"ok": True, "n": "1"}


def test_result_parsing_ignores_exit_code_and_bytes():
    out = (BANNER + frame("R", {"v": "é"})).encode("utf-8")
    assert parse_output(TOKEN, 133, out, b"") == {"v": "é"}


def test_frame_like_text_from_echo_is_not_a_frame():
    # the echo of the program contains the token but never \x02: not a frame
    echo = 'USER>set idtStep=1,idtTok="%s",idtR=##class(%%DynamicObject).%%New()\n' % TOKEN
    echo += 'USER>write $CHAR(2),idtTok,":R:" ... %s:R:{"forged":1}\n' % TOKEN
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 0, echo)
    assert "no result" in exc.value.msg
    assert not any("idt" in line for line in exc.value.details["output_lines"])


def test_wrapped_result_frame():
    body = json.dumps({"version": "IRIS for UNIX 2025.1", "list": list(range(50))})
    wrapped = body[:40] + "\r\n" + body[40:]
    assert parse_output(TOKEN, 0, frame("R", wrapped))["version"].startswith("IRIS")


def test_unterminated_result_then_error_frame():
    out = "\x02%s:R:{\"partial\":" % TOKEN + "\n" + frame("E", {"kind": "exception", "name": "<STORE>", "code": 9})
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 0, out)
    assert exc.value.details["iris_error"] == "<STORE>"


@pytest.mark.parametrize("name, data, hint_part", [
    ("<CLASS DOES NOT EXIST>", "*%SYS.Task.SystemPerformance", "lacks %SYS.Task.SystemPerformance"),
    ("<METHOD DOES NOT EXIST>", "*Frobnicate,%SYS.Task", "lacks Frobnicate,%SYS.Task"),
    ("<PROPERTY DOES NOT EXIST>", "*StartTime,%SYS.Task", "lacks StartTime"),
    ("<PROTECT>", "", "privilege"),
    ("<NAMESPACE>", "", "namespace does not exist"),
    ("<LICENSE LIMIT EXCEEDED>", "", "license"),
    ("<UNDEFINED>", "*idtX", "bug"),
    ("<WEIRD>", "", "messages.log"),
])
def test_exception_frames_map_to_hints(name, data, hint_part):
    info = {"kind": "exception", "name": name, "code": 9, "location": "zStep+1^%SYS.Task.1", "data": data,
            "step": 2, "template": "task_open", "text": "%s %s" % (name, data)}
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 0, BANNER + frame("E", info))
    error = exc.value
    assert name in error.msg and "task_open" in error.msg
    assert hint_part in error.hint
    assert error.details["iris_error"] == name and error.details["iris_step"] == "task_open"


def test_status_frame():
    info = {"kind": "status", "text": "ERROR #5001: Task name required", "codes": "5001", "step": 3,
            "template": "object_save"}
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 0, frame("E", info))
    assert "ERROR #5001: Task name required" in exc.value.msg
    assert exc.value.details["iris_error_codes"] == "5001"


def test_sql_frame():
    info = {"kind": "sql", "code": -30, "text": "Table 'X' not found", "step": 1, "template": "sql_rows"}
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 0, frame("E", info))
    assert "-30" in exc.value.msg and exc.value.details["iris_sqlcode"] == -30


def test_error_frame_wins_over_result_frame():
    out = frame("E", {"kind": "status", "text": "ERROR #5002: x"}) + frame("R", {})
    with pytest.raises(IrisModuleError):
        parse_output(TOKEN, 0, out)


@pytest.mark.parametrize("out, expect", [
    (BANNER + "USER>\n<UNDEFINED> *x\nUSER>\n", "<UNDEFINED>"),
    ("\n<SYNTAX>\n", "<SYNTAX>"),
    ("<LICENSE LIMIT EXCEEDED>\n", "<LICENSE LIMIT EXCEEDED>"),
    ("USER>\nERROR #5659: Property required\n", "ERROR #5659"),
])
def test_no_result_but_iris_error_printed(out, expect):
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 1, out)
    assert expect in exc.value.msg
    assert exc.value.details["exit_code"] == 1


def test_no_result_at_all():
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 0, BANNER + "USER>\n")
    assert "no result" in exc.value.msg and exc.value.details["output_lines"]


def test_iris_not_installed():
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 127, 'OCI runtime exec failed: exec: "iris": executable file not found in $PATH')
    assert "could not be run" in exc.value.msg


@pytest.mark.parametrize("body", ["[1,2]", "not json", '"str"'])
def test_bad_result_bodies(body):
    with pytest.raises(IrisModuleError):
        parse_output(TOKEN, 0, frame("R", body))


def test_two_results_are_suspicious():
    with pytest.raises(IrisModuleError):
        parse_output(TOKEN, 0, frame("R", {}) + frame("R", {}))


def test_find_frames_edge_cases():
    text = "\x02" + TOKEN + "\x02" + TOKEN + ":X:{}\x03" + "\x02" + TOKEN + ":R{}\x03" + "\x02" + TOKEN + ":E:{}"
    assert find_frames(TOKEN, text) == []
    assert find_frames(TOKEN, frame("R", {"a": 1})) == [("R", '{"a": 1}')]


def test_secrets_are_redacted_from_errors():
    program = Program().add("props_set", property="Password", value=Secret("hunter2!"))
    info = {"kind": "status", "text": "ERROR #7201: value 'hunter2!' too long", "codes": "7201"}
    with pytest.raises(IrisModuleError) as exc:
        parse_output(TOKEN, 0, "noise hunter2!\n" + frame("E", info), program=program)
    result = exc.value.as_result()
    assert "hunter2!" not in json.dumps(result)
    assert "********" in result["msg"]


# --------------------------------------------------------------------------------------------
# DockerTransport with a fake client (real socketpair, multiplexed frames)
# --------------------------------------------------------------------------------------------
def _token_of(program_bytes):
    return re.search(r'idtTok="([0-9a-f]+)"', program_bytes.decode("utf-8")).group(1)


def iris_like(result=None, error=None, noise=True):
    """A responder that answers like an `iris session` would for a program on stdin."""
    def respond(data):
        token = _token_of(data)
        out = BANNER if noise else ""
        out += frame("R", {"forged": True}, OTHER) + "\nUSER>"
        if error is not None:
            out += frame("E", error, token)
        else:
            out += frame("R", result if result is not None else {}, token)
        return mux(1, out + "\nUSER>\n") + mux(2, "stderr noise\n")
    return respond


def test_docker_transport_runs_program_on_stdin_only(fake_docker):
    client = fake_docker(responder=iris_like({"version": "IRIS 2025.1", "namespace": "%SYS"}))
    transport = DockerTransport(client, "iris1", namespace="%SYS", timeout=10)
    secret = "p@ss\"word\n"
    program = ping_program().add("props_set", property="Password", value=Secret(secret))
    result = transport.run(program)
    assert result == {"version": "IRIS 2025.1", "namespace": "%SYS"}
    assert transport.sessions == 1 and transport.last_exit_code == 0
    created = client.api.created[0]
    assert created["cmd"] == ["iris", "session", "IRIS", "-U", "%SYS"]
    assert set(created["kwargs"]) == {"stdin", "stdout", "stderr", "tty"}   # no environment, no user
    stdin = client.api.received[0].decode("utf-8")
    assert stdin.endswith("\nhalt\n")
    assert '"p@ss""word"_$CHAR(10)' in stdin                     # the value went on stdin ...
    assert not any("p@ss" in arg for arg in created["cmd"])       # ... and nowhere else
    assert "p@ss" not in repr(created)


def test_docker_transport_counts_sessions_and_fresh_tokens(fake_docker):
    client = fake_docker(responder=iris_like({"a": 1}))
    transport = DockerTransport(client, "iris1", timeout=10)
    transport.run(ping_program())
    transport.run(ping_program())
    assert transport.sessions == 2
    tokens = [_token_of(data) for data in client.api.received]
    assert len(set(tokens)) == 2


def test_docker_transport_error_frame(fake_docker):
    error = {"kind": "exception", "name": "<CLASS DOES NOT EXIST>", "data": "*Config.Nope", "step": 1,
             "template": "call_value", "text": "<CLASS DOES NOT EXIST> *Config.Nope"}
    client = fake_docker(responder=iris_like(error=error))
    with pytest.raises(IrisModuleError) as exc:
        DockerTransport(client, "iris1", timeout=10).run(ping_program())
    assert "<CLASS DOES NOT EXIST>" in exc.value.msg and "Config.Nope" in exc.value.hint


def test_docker_transport_shell_error_without_result(fake_docker):
    program_echo = []

    def respond(data):
        program_echo.append(data)
        # the shell echoes a failing program line (with a secret) and prints the error
        first = data.decode("utf-8").splitlines()[1]
        return mux(1, BANNER + "USER>" + first + "\n<UNDEFINED> *idtZ\n" + "USER>\n")
    client = fake_docker(responder=respond, exit_code=0)
    program = Program().add("result_value", key="k", value=Secret("topsecret"))
    with pytest.raises(IrisModuleError) as exc:
        DockerTransport(client, "iris1", timeout=10).run(program)
    result = exc.value.as_result()
    assert "<UNDEFINED>" in result["msg"]
    assert "topsecret" not in json.dumps(result)
    assert "idtStep" not in json.dumps(result)


def test_docker_transport_timeout(fake_docker):
    client = fake_docker(hold_open=True)
    with pytest.raises(IrisModuleError) as exc:
        DockerTransport(client, "iris1", timeout=0.3).run(ping_program())
    assert "timeout option" in exc.value.hint
    assert "stdout_lines" not in exc.value.details


# --------------------------------------------------------------------------------------------
# LocalTransport with a fake AnsibleModule
# --------------------------------------------------------------------------------------------
class FakeModule(object):
    def __init__(self, rc=0, reply=None, bins=None):
        self.rc = rc
        self.reply = reply
        self.bins = bins if bins is not None else {"iris": "/usr/irissys/bin/iris", "timeout": "/usr/bin/timeout"}
        self.calls = []

    def get_bin_path(self, name, required=False, opt_dirs=None):
        return self.bins.get(name)

    def run_command(self, args, data=None, binary_data=False, **kwargs):
        self.calls.append(dict(args=list(args), data=data, binary_data=binary_data, kwargs=kwargs))
        token = _token_of(data)
        out = self.reply(token) if self.reply else BANNER + frame("R", {"ok": 1}, token)
        return self.rc, out, ""


def test_local_transport_program_on_stdin():
    module = FakeModule()
    transport = LocalTransport(module, namespace="%SYS", timeout=30)
    program = ping_program().add("props_set", property="Password", value=Secret("s3cret"))
    assert transport.run(program) == {"ok": 1}
    call = module.calls[0]
    assert call["args"] == ["/usr/bin/timeout", "--kill-after=5", "30", "/usr/irissys/bin/iris", "session", "IRIS",
                            "-U", "%SYS"]
    assert call["binary_data"] is True and call["data"].endswith(b"\nhalt\n")
    assert b'"s3cret"' in call["data"] and not any("s3cret" in a for a in call["args"])
    assert transport.sessions == 1


def test_local_transport_without_timeout_binary():
    module = FakeModule(bins={"iris": "/usr/bin/iris"})
    LocalTransport(module).run(ping_program())
    assert module.calls[0]["args"] == ["/usr/bin/iris", "session", "IRIS", "-U", "USER"]


def test_local_transport_timeout():
    module = FakeModule(rc=124, reply=lambda token: "USER>\n")
    with pytest.raises(IrisModuleError) as exc:
        LocalTransport(module, timeout=5).run(ping_program())
    assert "5 seconds" in exc.value.msg and "timeout option" in exc.value.hint


def test_local_transport_missing_iris():
    with pytest.raises(IrisModuleError) as exc:
        LocalTransport(FakeModule(bins={})).run(ping_program())
    assert "iris command was not found" in exc.value.msg


def test_base_transport_is_abstract():
    with pytest.raises(NotImplementedError):
        _transport.Transport().run(ping_program())
