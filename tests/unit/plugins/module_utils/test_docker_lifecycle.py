# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The container lifecycle section of _docker (iris_container's Docker calls): SDK objects built here, SDK errors
translated into IrisModuleError, "not found" as None."""

from __future__ import annotations

import pytest

from docker import errors as docker_errors
from docker.types import Mount

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError


class Response(object):
    def __init__(self, status_code, reason="x"):
        self.status_code = status_code
        self.reason = reason
        self.url = "http://docker/x"


def api_error(status, explanation):
    return docker_errors.APIError("boom", response=Response(status), explanation=explanation)


class Store(object):
    def __init__(self, outcome):
        self.outcome = outcome
        self.calls = []

    def get(self, ref):
        self.calls.append(ref)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome

    def create(self, image, **kwargs):
        self.calls.append((image, kwargs))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class Client(object):
    def __init__(self, containers=None, images=None):
        self.containers = Store(containers)
        self.images = Store(images)


@pytest.mark.parametrize("exc", [docker_errors.NotFound("gone", response=Response(404)),
                                 docker_errors.ImageNotFound("gone", response=Response(404))])
def test_find_returns_none_when_docker_says_not_found(exc):
    assert _docker.find_container(Client(containers=exc), "iris1") is None
    assert _docker.find_image(Client(images=exc), "img:1") is None


def test_find_translates_other_errors():
    with pytest.raises(IrisModuleError) as exc:
        _docker.find_container(Client(containers=api_error(500, "daemon broke")), "iris1")
    assert exc.value.msg == "Cannot inspect container iris1: Docker API error 500: daemon broke"
    assert exc.value.details["docker_status_code"] == 500
    with pytest.raises(IrisModuleError) as exc:
        _docker.find_image(Client(images=api_error(500, "x")), "sha256:1", "inspect image sha256:1 of container iris1")
    assert exc.value.msg.startswith("Cannot inspect image sha256:1 of container iris1: ")


def test_create_builds_sdk_mounts_and_runs_detached():
    client = Client(containers="the container")
    mounts = [dict(type="bind", source="/h", target="/c", read_only=True)]
    assert _docker.create_container(client, "img:1", "iris1", mounts, command=None, ports={}) == "the container"
    image, kwargs = client.containers.calls[0]
    assert image == "img:1" and kwargs["name"] == "iris1" and kwargs["detach"] is True
    assert kwargs["mounts"] == [Mount("/c", "/h", type="bind", read_only=True)]
    assert isinstance(kwargs["mounts"][0], Mount)


@pytest.mark.parametrize("explanation, needle, hint", [
    ("Bind for 127.0.0.1:1972 failed: port is already allocated", "a host port is already in use", "superserver_port"),
    ("invalid mount config: bind source path does not exist: /x", "a bind-mounted host path does not exist", "volumes"),
    ("Conflict. The container name is already in use", "Docker API error 409", "name is already in use"),
])
def test_create_names_the_common_causes(explanation, needle, hint):
    status = 409 if "Conflict" in explanation else 500
    with pytest.raises(IrisModuleError) as exc:
        _docker.create_container(Client(containers=api_error(status, explanation)), "img:1", "iris1", [])
    assert exc.value.msg.startswith("Cannot create container iris1: ") and needle in exc.value.msg
    assert hint in exc.value.hint


class Container(object):
    def __init__(self, error=None):
        self.error = error
        self.calls = []

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.calls.append((name, args, kwargs))
            if self.error is not None:
                raise self.error
            return b"log" if name == "logs" else True
        return call


def test_container_calls_pass_through_and_translate():
    container = Container()
    _docker.start_container(container, "iris1")
    _docker.stop_container(container, "iris1", 7)
    _docker.reload_container(container, "iris1")
    _docker.remove_container(container, "iris1")
    assert _docker.container_logs(container, "iris1", timestamps=True, tail=4) == b"log"
    assert _docker.put_archive(container, "/tmp", b"tar", "copy x") is True
    assert container.calls == [
        ("start", (), {}), ("stop", (), {"timeout": 7}), ("reload", (), {}), ("remove", (), {"force": True, "v": True}),
        ("logs", (), {"timestamps": True, "tail": 4}), ("put_archive", ("/tmp", b"tar"), {})]
    broken = Container(api_error(500, "no"))
    for action, call in (("start container iris1", lambda: _docker.start_container(broken, "iris1")),
                         ("stop container iris1", lambda: _docker.stop_container(broken, "iris1", 1)),
                         ("remove container iris1", lambda: _docker.remove_container(broken, "iris1")),
                         ("read the log of container iris1", lambda: _docker.container_logs(broken, "iris1"))):
        with pytest.raises(IrisModuleError) as exc:
            call()
        assert exc.value.msg.startswith("Cannot %s: " % action)
