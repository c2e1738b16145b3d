# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_instance.instance_from_module with fake Docker clients: the instance and transports each option set builds,
clear failures for a missing or stopped container (message + hint, the container's status in the result), and the
local instance's files."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _instance
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import DockerTransport, LocalTransport


class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(transport="docker", container="iris1", instance="IRIS", namespace="USER", timeout=30,
                           docker_host=None)
        self.params.update(params)


class NotFound(Exception):
    status_code = 404


class FakeContainer(object):
    def __init__(self, name, status="running"):
        self.name = name
        self.id = "cid-" + name
        self.attrs = {"Id": self.id, "Name": "/" + name,
                      "State": {"Status": status, "Running": status == "running"}}


class FakeContainers(object):
    def __init__(self, containers=(), error=None):
        self.by_name = dict((c.name, c) for c in containers)
        self.error = error
        self.asked = []

    def get(self, name):
        self.asked.append(name)
        if self.error is not None:
            raise self.error
        if name not in self.by_name:
            raise NotFound("No such container: %s" % name)
        return self.by_name[name]


class FakeClient(object):
    def __init__(self, *containers, **kwargs):
        self.containers = FakeContainers(containers, kwargs.get("error"))


def test_docker_transport_for_a_running_container():
    client = FakeClient(FakeContainer("iris1"))
    transport = _instance.instance_from_module(FakeModule(), client=client).transport()
    assert isinstance(transport, DockerTransport)
    assert transport.client is client
    assert transport.container.name == "iris1"
    assert (transport.instance, transport.namespace, transport.timeout) == ("IRIS", "USER", 30)
    assert transport.argv() == ["iris", "session", "IRIS", "-U", "USER"]
    assert transport.sessions == 0  # building a transport opens no IRIS session


def test_namespace_override():
    instance = _instance.instance_from_module(FakeModule(namespace="APP"), client=FakeClient(FakeContainer("iris1")))
    assert instance.transport("%SYS").namespace == "%SYS"
    assert instance.transport().namespace == "APP"
    assert instance.transport("%SYS") is instance.transport("%SYS")  # one transport per namespace per run


def test_local_transport_needs_no_docker(monkeypatch):
    def no_docker(*args, **kwargs):
        raise AssertionError("the local transport must not talk to Docker")
    monkeypatch.setattr(_docker, "get_docker_client", no_docker)
    module = FakeModule(transport="local", container=None, instance="IRIS2", namespace="%SYS", timeout=7)
    transport = _instance.instance_from_module(module).transport()
    assert isinstance(transport, LocalTransport)
    assert transport.module is module
    assert (transport.instance, transport.namespace, transport.timeout) == ("IRIS2", "%SYS", 7)


def test_missing_container_is_a_clear_error():
    client = FakeClient(FakeContainer("other"))
    with pytest.raises(IrisModuleError) as info:
        _instance.instance_from_module(FakeModule(container="iris-gone"), client=client)
    error = info.value
    assert "Container iris-gone does not exist" in error.msg
    assert "iris_devtools.iris.iris_container" in error.hint and "iris-gone" in error.hint
    assert error.details["container_status"] == "absent"
    assert client.containers.asked == ["iris-gone"]


@pytest.mark.parametrize("status", ["exited", "created", "paused", "restarting"])
def test_stopped_container_is_a_clear_error(status):
    client = FakeClient(FakeContainer("iris1", status=status))
    with pytest.raises(IrisModuleError) as info:
        _instance.instance_from_module(FakeModule(), client=client)
    error = info.value
    assert error.msg == "Container iris1 is not running (Docker status: %s)." % status
    assert "start it with iris_devtools.iris.iris_container" in error.hint
    assert error.details["container_status"] == status


def test_missing_container_option():
    with pytest.raises(IrisModuleError, match="needs the name of the container") as info:
        _instance.instance_from_module(FakeModule(container=None), client=FakeClient())
    assert "IRIS_CONTAINER" in info.value.hint


def test_other_docker_errors_are_translated():
    client = FakeClient(error=OSError("connection reset by peer"))
    with pytest.raises(IrisModuleError) as info:
        _instance.instance_from_module(FakeModule(), client=client)
    assert "inspect container iris1" in info.value.msg and "connection reset" in info.value.msg
    assert info.value.hint


def test_client_is_built_from_the_options(monkeypatch):
    seen = {}

    def fake_client(docker_host=None, timeout=60):
        seen.update(docker_host=docker_host, timeout=timeout)
        return FakeClient(FakeContainer("iris1"))
    monkeypatch.setattr(_docker, "get_docker_client", fake_client)
    transport = _instance.instance_from_module(FakeModule(docker_host="tcp://docker.example:2375", timeout=12)).transport()
    assert seen == {"docker_host": "tcp://docker.example:2375", "timeout": 12}
    assert transport.container.name == "iris1"


def test_unreachable_daemon_is_reported_by_the_docker_wrapper(monkeypatch):
    def unreachable(docker_host=None, timeout=60):
        raise IrisModuleError("Cannot reach %s: refused" % docker_host, hint="start the Docker daemon")
    monkeypatch.setattr(_docker, "get_docker_client", unreachable)
    with pytest.raises(IrisModuleError, match="Cannot reach tcp://nowhere:2375"):
        _instance.instance_from_module(FakeModule(docker_host="tcp://nowhere:2375"))


def test_real_sdk_not_found_is_recognised():
    docker_errors = pytest.importorskip("docker.errors")
    client = FakeClient(error=docker_errors.NotFound("No such container: iris1"))
    with pytest.raises(IrisModuleError, match="does not exist"):
        _instance.instance_from_module(FakeModule(), client=client)


def test_sessions_sum_over_namespaces():
    instance = _instance.instance_from_module(FakeModule(), client=FakeClient(FakeContainer("iris1")))
    instance.transport("%SYS").sessions = 2
    instance.transport("USER").sessions = 1
    assert instance.sessions == 3


def test_local_instance_facts():
    instance = _instance.instance_from_module(FakeModule(transport="local", container=None))
    assert instance.identity() == "local|IRIS"
    with pytest.raises(IrisModuleError, match="not reached through a container"):
        instance.usage_sample()


def test_docker_run_command_bound_and_user(monkeypatch):
    """run_command is the one exec path of the managers (iris_container's ``iris stop``/``rm``): the instance's
    O(timeout) unless the caller gives its own bound, and the user it asks for."""
    calls = []

    def exec_with_stdin(client, container, argv, data, timeout, user=None):
        calls.append((container.name, tuple(argv), data, timeout, user))
        return 0, b"", b""

    monkeypatch.setattr(_docker, "exec_with_stdin", exec_with_stdin)
    instance = _instance.docker_instance(object(), FakeContainer("iris1"), dict(instance="IRIS", namespace="USER", timeout=30))
    assert (instance.name, instance.namespace, instance.timeout) == ("IRIS", "USER", 30)
    instance.run_command(["iris", "qlist", "IRIS"])
    instance.run_command(["iris", "stop", "IRIS", "quietly"], user="irisowner", timeout=7)
    assert calls == [("iris1", ("iris", "qlist", "IRIS"), b"", 30, None),
                     ("iris1", ("iris", "stop", "IRIS", "quietly"), b"", 7, "irisowner")]
