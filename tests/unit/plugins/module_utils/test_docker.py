# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_docker: client errors, error translation, exec_with_stdin over a real socketpair."""

from __future__ import annotations

import http.server
import json
import random
import threading

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.tests.unit.conftest import mux

docker = pytest.importorskip("docker")


def test_demux_any_chunking():
    stream = mux(1, b"hello ") + mux(2, b"warn\n") + mux(1, b"") + mux(1, b"world" * 1000) + mux(2, b"x")
    for seed in range(20):
        rnd = random.Random(seed)
        demux = _docker._Demux()
        pos = 0
        while pos < len(stream):
            step = rnd.randint(1, 17)
            demux.feed(stream[pos:pos + step])
            pos += step
        assert demux.result() == (b"hello " + b"world" * 1000, b"warn\nx")


def test_exec_with_stdin_roundtrip(fake_docker):
    client = fake_docker(responder=lambda data: mux(1, b"out:" + data) + mux(2, b"err!"), exit_code=3)
    payload = "write 1\nhalt\n".encode("utf-8") * 10
    code, out, err = _docker.exec_with_stdin(client, "iris1", ["iris", "session", "IRIS", "-U", "USER"], payload, 10)
    assert (code, out, err) == (3, b"out:" + payload, b"err!")
    created = client.api.created[0]
    assert created["cmd"] == ["iris", "session", "IRIS", "-U", "USER"]
    assert created["kwargs"] == dict(stdin=True, stdout=True, stderr=True, tty=False)
    assert client.api.received == [payload]


def test_exec_with_stdin_user_and_container_object(fake_docker):
    class Container(object):
        id = "abc123"
        name = "iris1"
    client = fake_docker()
    _docker.exec_with_stdin(client, Container(), ["id"], b"", 10, user="irisowner")
    assert client.api.created[0]["container"] == "abc123"
    assert client.api.created[0]["kwargs"]["user"] == "irisowner"


def test_exec_with_stdin_large_payload(fake_docker):
    client = fake_docker(responder=lambda data: mux(1, data[::-1]), chunk=65536)
    payload = bytes(bytearray(range(256))) * 8192   # 2 MiB
    code, out, err = _docker.exec_with_stdin(client, "c", ["cat"], payload, 20)
    assert out == payload[::-1] and err == b"" and code == 0


def test_exec_with_stdin_timeout(fake_docker):
    client = fake_docker(hold_open=True)
    with pytest.raises(IrisModuleError) as exc:
        _docker.exec_with_stdin(client, "c", ["sleep"], b"x", 0.3)
    assert "0.3 seconds" in exc.value.msg and "timeout option" in exc.value.hint


def test_exec_create_error_is_translated(fake_docker):
    error = docker.errors.NotFound("No such container: nope", explanation="No such container: nope")
    client = fake_docker(create_error=error)
    with pytest.raises(IrisModuleError) as exc:
        _docker.exec_with_stdin(client, "nope", ["iris"], b"", 5)
    assert "not found" in exc.value.msg and exc.value.hint


class _Response(object):
    def __init__(self, status_code):
        self.status_code = status_code
        self.reason = "x"
        self.url = "http://docker/v1.45/containers/create"


@pytest.mark.parametrize("exc, expect_msg, expect_hint", [
    (docker.errors.ImageNotFound("no image", explanation="pull access denied"), "image not found", "image name"),
    (docker.errors.NotFound("gone", explanation="No such container: x"), "not found", "does not exist"),
    (docker.errors.APIError("conflict", response=_Response(409), explanation="name in use"), "409", "already in use"),
    (docker.errors.APIError("denied", response=_Response(403), explanation="denied"), "403", "log in"),
    (docker.errors.APIError("boom", response=_Response(500), explanation="boom"), "500", "daemon"),
    (docker.errors.DockerException("Error while fetching server API version"), "unreachable", "docker_host"),
    (ConnectionError("refused"), "unreachable", "DOCKER_HOST"),
    (ValueError("odd"), "odd", "report a bug"),
])
def test_translate_docker_error(exc, expect_msg, expect_hint):
    error = _docker.translate_docker_error(exc, "start container iris1")
    assert isinstance(error, IrisModuleError)
    assert error.msg.startswith("Cannot start container iris1")
    assert expect_msg in error.msg
    assert expect_hint in error.hint


def test_get_docker_client_unreachable(tmp_path):
    with pytest.raises(IrisModuleError) as exc:
        _docker.get_docker_client(docker_host="unix://%s/no-docker.sock" % tmp_path, timeout=2)
    assert "Cannot reach" in exc.value.msg
    assert "docker_host" in exc.value.hint and "DOCKER_HOST" in exc.value.hint


def test_require_docker_missing(monkeypatch):
    monkeypatch.setattr(_docker, "HAS_DOCKER", False)
    monkeypatch.setattr(_docker, "DOCKER_IMPORT_ERROR", "Traceback: ImportError docker")
    with pytest.raises(IrisModuleError) as exc:
        _docker.require_docker()
    assert "docker" in exc.value.msg and "pip install docker" in exc.value.hint
    assert exc.value.details["exception"].startswith("Traceback")
    with pytest.raises(IrisModuleError):
        _docker.get_docker_client()


def _real_docker():
    try:
        client = docker.from_env(timeout=5)
        client.ping()
        client.images.get("iris-devtools/sim-base:bookworm")
        return client
    except Exception:  # pylint: disable=broad-except
        return None


@pytest.mark.skipif(_real_docker() is None, reason="needs a Docker daemon and the local sim-base image")
def test_exec_with_stdin_real_docker():
    client = _docker.get_docker_client(timeout=30)
    container = client.containers.run("iris-devtools/sim-base:bookworm", ["sleep", "60"], detach=True)
    try:
        payload = b"line one\n\x00\x02binary\x03\n" * 1000
        code, out, err = _docker.exec_with_stdin(client, container, ["sh", "-c", "cat; echo e >&2; exit 4"], payload, 20)
        assert (code, out, err) == (4, payload, b"e\n")
    finally:
        container.remove(force=True)


def test_docker_host_keeps_tls_settings_from_the_environment(monkeypatch):
    """docker_host replaces DOCKER_HOST only: DOCKER_TLS_VERIFY / DOCKER_CERT_PATH still reach the SDK."""
    pytest.importorskip("docker")
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
    seen = {}

    class Client(object):
        def ping(self):
            return True

    def from_env(timeout=None, environment=None, **kwargs):
        seen.update(timeout=timeout, environment=dict(environment or {}))
        return Client()

    monkeypatch.setattr(_docker.docker, "from_env", from_env)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", "/certs")
    monkeypatch.setenv("DOCKER_HOST", "unix:///var/run/other.sock")
    _docker.get_docker_client("tcp://docker.example:2376", timeout=7)
    assert seen["timeout"] == 7
    assert seen["environment"]["DOCKER_HOST"] == "tcp://docker.example:2376"
    assert seen["environment"]["DOCKER_TLS_VERIFY"] == "1" and seen["environment"]["DOCKER_CERT_PATH"] == "/certs"
    _docker.get_docker_client(None, timeout=7)
    assert seen["environment"]["DOCKER_HOST"] == "unix:///var/run/other.sock"


class _Daemon(http.server.BaseHTTPRequestHandler):
    """A stand-in Docker daemon on TCP that records every request path."""

    paths = []

    def do_GET(self):  # noqa: N802  # http.server's name
        self.paths.append(self.path)
        body = json.dumps({"ApiVersion": "1.41", "Version": "20.10.0"}).encode() if self.path == "/version" else b"OK"
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if self.path == "/version" else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_get_docker_client_makes_one_api_call(monkeypatch):
    """Module start-up: the client is created with version=auto (GET /version) and no second round trip (ping)."""
    for name in ("DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_HOST"):
        monkeypatch.delenv(name, raising=False)
    _Daemon.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Daemon)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = _docker.get_docker_client("tcp://127.0.0.1:%d" % server.server_address[1], timeout=5)
        assert client.api.api_version == "1.41"
        assert _Daemon.paths == ["/version"]
    finally:
        server.shutdown()
        server.server_close()
