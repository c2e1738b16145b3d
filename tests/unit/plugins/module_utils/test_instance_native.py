# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_instance.NativeInstance (issue 13, docs/native-transport-design.md D10, D13, §6): one connection per module run,
opened on first use and shared by every namespace, closed by ``_module.run_module`` whatever happens; loud errors for
what a client connection cannot do; the superserver port of a named container found in Docker's port map; the password
never in a module's result.  A stand-in ``iris`` client and a stand-in ``_transport.NativeTransport``."""

from __future__ import annotations

import json

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _instance, _module, _native, _transport
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError, full_message
from ansible_collections.iris_devtools.iris.plugins.modules import iris_info

PASSWORD = "Canary-Pw-9f3e"
REFUSED = "<COMMUNICATION LINK ERROR> Failed to connect to server; Details: <COMMUNICATION ERROR> Invalid Message received; Details: "


class Connection(object):
    def __init__(self, fail_close=False):
        self.closed = 0
        self.fail_close = fail_close

    def close(self):
        self.closed += 1
        if self.fail_close:
            raise RuntimeError("already closed")


class Client(object):
    """Stands in for the ``iris`` module: ``connect`` (failing with ``failure`` when given) and ``createIRIS``."""

    def __init__(self, failure=None, connection=None):
        self.failure = failure
        self.connection = connection or Connection()
        self.logins = []
        self.created = []

    def connect(self, *args, **kwargs):
        self.logins.append((args, kwargs))
        if self.failure:
            raise RuntimeError(self.failure)
        return self.connection

    def createIRIS(self, connection):  # pylint: disable=invalid-name  # the client's own name (iris-sources.md S34)
        self.created.append(connection)
        return ("IRIS", connection)


class FakeNativeTransport(object):
    """Stands in for ``_transport.NativeTransport(connection, instance=, namespace=, timeout=)``."""

    built = []

    def __init__(self, connection, instance, namespace, timeout, error=None):
        self.connection = connection
        self.instance = instance
        self.namespace = namespace
        self.timeout = timeout
        self.sessions = 0
        self.error = error
        FakeNativeTransport.built.append(self)

    def run(self, program):
        self.sessions += 1
        if self.error is not None:
            raise self.error
        return {"ok": 1}


@pytest.fixture
def native_transport(monkeypatch):
    FakeNativeTransport.built = []
    monkeypatch.setattr(_transport, "NativeTransport", FakeNativeTransport, raising=False)
    return FakeNativeTransport


def _instance_of(client, **params):
    options = dict(transport="native", host="iris.example.com", port=1972, username="_SYSTEM", password=PASSWORD,
                   instance="IRIS", namespace="USER", timeout=20, connect_timeout=0)
    options.update(params)
    return _instance.native_instance(options, client=client)


def test_nothing_connects_before_a_program_runs(native_transport):
    client = Client()
    instance = _instance_of(client)
    assert instance.kind == "native" and client.logins == [] and native_transport.built == []
    instance.close()  # closing what never opened is a no-op
    assert client.connection.closed == 0


def test_one_connection_for_every_namespace(native_transport):
    client = Client()
    instance = _instance_of(client, ssl_config="tls")
    assert instance.run(object()) == {"ok": 1}
    instance.transport("%SYS").run(object())
    instance.transport("APP").run(object())
    assert instance.transport() is instance.transport("USER")
    assert len(client.logins) == 1
    args, kwargs = client.logins[0]
    # The login namespace is %SYS whatever the module's namespace; each program names its own (D10).
    assert args == ("iris.example.com", 1972, "%SYS", "_SYSTEM", PASSWORD) and kwargs == {"timeout": 20, "sslconfig": "tls"}
    assert [(t.namespace, t.instance, t.timeout) for t in native_transport.built] == [("USER", "IRIS", 20), ("%SYS", "IRIS", 20),
                                                                                      ("APP", "IRIS", 20)]
    assert all(t.connection is client.connection for t in native_transport.built)
    assert instance.sessions == 3
    assert PASSWORD not in repr(instance) and instance._password is None  # dropped once logged in


def test_the_native_api_object_is_created_once_on_the_one_connection(native_transport):
    client = Client()
    instance = _instance_of(client)
    first = instance.iris()
    instance.transport("%SYS")
    assert instance.iris() is first and client.created == [client.connection] and len(client.logins) == 1


def test_close_closes_the_connection_once_and_never_raises(native_transport):
    client = Client(connection=Connection(fail_close=True))
    instance = _instance_of(client)
    instance.iris()
    instance.close()
    instance.close()
    assert client.connection.closed == 1


def test_a_refused_login_fails_with_a_fix_and_without_the_password(native_transport):
    client = Client(failure=REFUSED + "Access Denied for _SYSTEM/" + PASSWORD)
    with pytest.raises(IrisModuleError) as info:
        _instance_of(client).run(object())
    result = json.dumps(info.value.as_result())
    assert "refused the login of _SYSTEM" in result and " Fix: " in result
    assert PASSWORD not in result


@pytest.mark.parametrize("call", [lambda i: i.run_command(["iris", "stop", "IRIS"]), lambda i: i.usage_sample()])
def test_what_a_connection_cannot_do_fails_loudly(call, native_transport):
    client = Client()
    with pytest.raises(IrisModuleError) as info:
        call(_instance_of(client))
    assert "not available over transport native" in info.value.msg
    assert " Fix: " in full_message(info.value.msg, info.value.hint)
    assert client.logins == []


def test_protect_gets_the_hint_of_a_client_connection(monkeypatch):
    def build(connection, instance, namespace, timeout):
        return FakeNativeTransport(connection, instance, namespace, timeout,
                                   error=IrisModuleError("IRIS error: <PROTECT>", hint=_transport.IRIS_ERROR_HINTS["PROTECT"],
                                                         iris_error="<PROTECT>"))
    monkeypatch.setattr(_transport, "NativeTransport", build, raising=False)
    with pytest.raises(IrisModuleError) as info:
        _instance_of(Client(), username="app_user").run(object())
    assert "connection (username app_user)" in info.value.hint and "OS authentication" not in info.value.hint


def test_other_errors_keep_their_hint(monkeypatch):
    error = IrisModuleError("IRIS error: <UNDEFINED>", hint="the transport's hint", iris_error="<UNDEFINED>")
    monkeypatch.setattr(_transport, "NativeTransport",
                        lambda connection, **kwargs: FakeNativeTransport(connection, error=error, **kwargs), raising=False)
    with pytest.raises(IrisModuleError) as info:
        _instance_of(Client()).run(object())
    assert info.value.hint == "the transport's hint"


@pytest.mark.parametrize("host, port, identity", [
    ("IRIS.Example.com.", 1972, "native|iris.example.com|1972"),
    ("2001:DB8:0:0::17", 51773, "native|2001:db8::17|51773"),
    ("127.0.0.1", 1972, "native|127.0.0.1|1972"),
])
def test_identity_is_one_spelling_of_host_and_port(host, port, identity):
    instance = _instance_of(Client(), host=host, port=port, namespace="APP")
    assert instance.identity() == identity
    assert _instance_of(Client(), host=host, port=port, namespace="%SYS").identity() == identity  # not the namespace


def test_hostname_is_unknown_without_a_container():
    with pytest.raises(IrisModuleError, match="not known over transport native"):
        _instance_of(Client()).hostname()


# ---------------------------------------------------------------------------------------------
# A container's published superserver port.
# ---------------------------------------------------------------------------------------------
class Container(object):
    def __init__(self, name, ports, hostname="iris-host"):
        self.name = name
        self.id = "cid-" + name
        self.attrs = {"State": {"Status": "running", "Running": True}, "Config": {"Hostname": hostname},
                      "NetworkSettings": {"Ports": ports}}


class DockerClient(object):
    def __init__(self, *containers):
        self.by_name = dict((c.name, c) for c in containers)
        outer = self

        class Containers(object):
            def get(self, name):
                return outer.by_name[name]
        self.containers = Containers()


def _bind(ip, port):
    return {"HostIp": ip, "HostPort": str(port)}


@pytest.mark.parametrize("bindings, docker_host, expected", [
    ([_bind("0.0.0.0", 41972), _bind("::", 41972)], None, ("127.0.0.1", 41972)),
    ([_bind("127.0.0.1", 1972)], None, ("127.0.0.1", 1972)),
    ([_bind("", 5000)], None, ("127.0.0.1", 5000)),
    ([_bind("::", 5001)], None, ("::1", 5001)),
    ([_bind("10.1.2.3", 5002)], None, ("10.1.2.3", 5002)),
    ([_bind("0.0.0.0", 5003)], "tcp://docker.example:2376", ("docker.example", 5003)),
    ([_bind("127.0.0.1", 5004), _bind("10.1.2.3", 5005)], "ssh://me@docker.example", ("10.1.2.3", 5005)),
])
def test_published_port(bindings, docker_host, expected):
    assert _instance.published_port(Container("c", {"1972/tcp": bindings}), 1972, docker_host) == expected


@pytest.mark.parametrize("ports, docker_host", [
    ({}, None), ({"1972/tcp": None}, None), ({"52773/tcp": [_bind("0.0.0.0", 52773)]}, None),
    ({"1972/tcp": [_bind("127.0.0.1", 1972)]}, "tcp://docker.example:2376"),
])
def test_an_unpublished_superserver_is_a_clear_error(ports, docker_host):
    with pytest.raises(IrisModuleError) as info:
        _instance.published_port(Container("iris1", ports), 1972, docker_host)
    assert "Container iris1 does not publish port 1972/tcp" in info.value.msg and "set host" in info.value.hint


def test_native_over_a_named_container(native_transport, monkeypatch):
    monkeypatch.setattr(_docker, "engine_id", lambda client: "ENGINE")
    container = Container("iris1", {"1972/tcp": [_bind("0.0.0.0", 41972)]}, hostname="a1b2c3")
    docker_client, client = DockerClient(container), Client()

    class Module(object):
        params = dict(transport="native", container="iris1", host=None, port=1972, username="_SYSTEM", password=PASSWORD,
                      instance="IRIS", namespace="USER", timeout=20, connect_timeout=0, docker_host=None, ssl_config=None)
    instance = _instance.instance_from_module(Module(), client=docker_client)
    instance._client = client
    instance.run(object())
    assert client.logins[0][0][:2] == ("127.0.0.1", 41972)
    assert instance.hostname() == "a1b2c3"
    # The same lock key as a docker run on the same container.
    assert instance.identity() == _instance.DockerInstance(docker_client, container, name="IRIS").identity()


# ---------------------------------------------------------------------------------------------
# The module runner closes the instance whatever happens; the password is in no result.
# ---------------------------------------------------------------------------------------------
class Closable(object):
    sessions = 0

    def __init__(self):
        self.closed = 0

    def close(self):
        self.closed += 1


@pytest.mark.parametrize("outcome", ["result", "iris error", "bug"])
def test_run_module_closes_the_instance_whatever_happens(outcome, run_module_main, monkeypatch):
    instance = Closable()

    class Manager(_module.BaseManager):
        def __init__(self, module):
            super(Manager, self).__init__(module, instance=instance)

        def run(self):
            if outcome == "iris error":
                raise IrisModuleError("failed", hint="fix it")
            if outcome == "bug":
                raise KeyError("bug")
            return self.result()

    class Module(object):
        @staticmethod
        def main():
            _module.run_module(Manager, {})
    if outcome == "bug":
        with pytest.raises(KeyError):
            run_module_main(Module, dict(container="c"))
    else:
        result, failed = run_module_main(Module, dict(container="c"))
        assert failed is (outcome == "iris error")
    assert instance.closed == 1


def test_the_base_instance_close_is_a_no_op():
    _instance.LocalInstance(module=None).close()


@pytest.fixture
def stand_in_client(monkeypatch):
    def install(client):
        monkeypatch.setattr(_native, "iris_client", client)
        monkeypatch.setattr(_native, "HAS_IRIS_CLIENT", True)
    return install


NATIVE_ARGS = dict(transport="native", host="iris.example.com", username="_SYSTEM", password=PASSWORD, connect_timeout=0,
                   gather=["version"])


def test_canary_password_through_a_refused_login(run_module_main, stand_in_client, native_transport):
    client = Client(failure=REFUSED + "Access Denied (" + PASSWORD + ")")
    stand_in_client(client)
    result, failed = run_module_main(iris_info, NATIVE_ARGS)
    assert failed and "refused the login" in result["msg"]
    assert client.logins and client.logins[0][0][4] == PASSWORD  # it did reach the login call
    assert PASSWORD not in json.dumps(result, default=str)


def test_canary_password_through_a_run(run_module_main, stand_in_client, iris_sim, monkeypatch):
    """A whole iris_info run over transport native, its program run by the simulator: the result has no password, the
    one connection was opened once and closed."""
    client = Client()
    stand_in_client(client)
    monkeypatch.setattr(_transport, "NativeTransport",
                        lambda connection, instance, namespace, timeout: iris_sim.transport(namespace, instance=instance, timeout=timeout),
                        raising=False)
    result, failed = run_module_main(iris_info, NATIVE_ARGS, diff=True)
    assert not failed, result
    assert result["version"]
    assert len(client.logins) == 1 and client.connection.closed == 1
    assert PASSWORD not in json.dumps(result, default=str)
