# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The one place that turns the shared connection options (``_argspec.iris_common_argument_spec``:
transport, container, instance, namespace, timeout, docker_host) into a ``_transport.Transport``.

* ``transport: docker``: a Docker client (``_docker.get_docker_client``), the container looked up by
  name or ID and checked to be running (a missing or stopped container is a clear failure that says
  how to start it), then ``DockerTransport``.  The container object stays on ``transport.container``
  (its ``attrs`` are fresh from this lookup) for callers that report on it.
* ``transport: local``: ``LocalTransport`` (``iris session`` on the managed host itself).
"""

from __future__ import annotations

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import DockerTransport, LocalTransport

_START_HINT = ("start it with iris_devtools.iris.iris_container (state: healthy, name: %s), or correct the container "
               "option (or IRIS_CONTAINER)")


def _is_not_found(exc):
    if _docker.HAS_DOCKER and isinstance(exc, _docker.docker_errors.NotFound):
        return True
    return getattr(exc, "status_code", None) == 404 or exc.__class__.__name__ == "NotFound"


def running_container(client, name, where=None):
    """The container ``name`` (name or ID) from ``client``; IrisModuleError unless it exists and runs."""
    where = where or "this Docker host"
    try:
        container = client.containers.get(name)
    except Exception as exc:  # pylint: disable=broad-except  # translated into IrisModuleError
        if _is_not_found(exc):
            raise IrisModuleError("Container %s does not exist on %s." % (name, where), hint=_START_HINT % name,
                                  container_status="absent")
        raise _docker.translate_docker_error(exc, "inspect container %s" % name)
    state = (getattr(container, "attrs", None) or {}).get("State") or {}
    status = state.get("Status") or getattr(container, "status", None) or "unknown"
    if status != "running" or state.get("Running") is False:
        raise IrisModuleError("Container %s is not running (Docker status: %s)." % (name, status),
                              hint=_START_HINT % name, container_status=status)
    return container


def transport_from_module(module, namespace=None, client=None):
    """Return the Transport the module's connection options describe.

    ``namespace`` overrides O(namespace) (for example ``%SYS``); ``client`` is an already connected
    Docker client (tests, or a caller that has one).  Raises IrisModuleError with a hint on every
    failure (Docker SDK missing, daemon unreachable, container missing or stopped).  The shared options
    were validated by ``_module.run_module`` (``_argspec.validate_common``) before the manager ran.
    """
    params = module.params
    instance = params.get("instance") or "IRIS"
    namespace = namespace or params.get("namespace") or "USER"
    timeout = params.get("timeout") or 60
    if params.get("transport") == "local":
        return LocalTransport(module, instance=instance, namespace=namespace, timeout=timeout)
    name = params.get("container")
    if not name:
        raise IrisModuleError("transport docker needs the name of the container that runs IRIS.",
                              hint="set the container option (or IRIS_CONTAINER), or use transport: local on the IRIS host")
    if client is None:
        client = _docker.get_docker_client(params.get("docker_host"), timeout=timeout)
    container = running_container(client, name, params.get("docker_host"))
    return DockerTransport(client, container, instance=instance, namespace=namespace, timeout=timeout)
