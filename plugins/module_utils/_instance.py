# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The access layer: "the instance" a module manages, as one object that runs programs in it and moves files in and
out of it, whether IRIS runs in a Docker container (``transport: docker``) or on the managed host itself
(``transport: local``).  Domain managers ask it for what they need and never branch on the transport:

* ``transport(namespace)``: the ``_transport.Transport`` that runs programs in that namespace (one per namespace,
  reused for the whole module run); ``sessions`` counts the IRIS sessions every transport opened;
* files in and out of the instance are ``_copy``'s (``_copy.put_file(instance, ...)``): only the modules that copy
  files ship that code;
* ``run_command``: a plain command beside IRIS (``sh`` for a directory listing), not an IRIS session;
* ``hostname``, ``identity`` (what keys a lock on this instance), ``usage_sample`` (Docker stats).

``instance_from_module`` is the one place that turns the shared connection options (``_argspec``: transport,
container, instance, namespace, timeout, docker_host) into an Instance.  For Docker the container is looked up by
name or ID and must be running: a missing or stopped container is a clear failure that says how to start it.
"""

from __future__ import annotations

import socket

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import (
    DEFAULT_INSTANCE,
    DEFAULT_NAMESPACE,
    DEFAULT_TIMEOUT,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import DockerTransport, LocalTransport

_START_HINT = ("start it with iris_devtools.iris.iris_container (state: healthy, name: %s), or correct the container "
               "option (or IRIS_CONTAINER)")


class Instance(object):
    """One IRIS instance: its sessions and its files.  Subclasses implement the ``_``-prefixed hooks."""

    kind = None

    def __init__(self, name=DEFAULT_INSTANCE, namespace=DEFAULT_NAMESPACE, timeout=DEFAULT_TIMEOUT):
        self.name = name
        self.namespace = namespace
        self.timeout = timeout
        self._transports = {}

    # -- programs ---------------------------------------------------------------------------------
    def transport(self, namespace=None):
        """The transport for ``namespace`` (default: the module's O(namespace)); one per namespace per run."""
        namespace = namespace or self.namespace
        if namespace not in self._transports:
            self._transports[namespace] = self._new_transport(namespace)
        return self._transports[namespace]

    def run(self, program, namespace=None):
        return self.transport(namespace).run(program)

    @property
    def sessions(self):
        """IRIS sessions opened through this instance in this module run."""
        return sum(transport.sessions for transport in self._transports.values())

    def _new_transport(self, namespace):
        raise NotImplementedError

    # -- commands and facts ----------------------------------------------------------------------
    def run_command(self, argv, user=None, timeout=None):
        """Run ``argv`` beside IRIS (not an IRIS session) as ``user`` (default: the instance's), bounded by ``timeout``
        seconds (default: the instance's O(timeout)); return ``(rc, stdout bytes, stderr bytes)``."""
        raise NotImplementedError

    def hostname(self):
        raise NotImplementedError

    def identity(self):
        """A string that names this instance the same way whatever URL or name reached it (lock keys)."""
        raise NotImplementedError

    def usage_sample(self):
        """``(stats, nano_cpus)``: one Docker stats sample and the container's CPU limit; Docker only."""
        raise IrisModuleError("Cannot read Docker stats: the instance is not reached through a container.",
                              hint="use transport: docker with the container option, or thresholds.source: iris")


class DockerInstance(Instance):
    """IRIS in a container: programs by ``docker exec ... iris session``, files through the Engine API."""

    kind = "docker"

    def __init__(self, client, container, **kwargs):
        super(DockerInstance, self).__init__(**kwargs)
        self.client = client
        self.container = container

    def _new_transport(self, namespace):
        return DockerTransport(self.client, self.container, instance=self.name, namespace=namespace, timeout=self.timeout)

    def run_command(self, argv, user=None, timeout=None):
        return _docker.exec_with_stdin(self.client, self.container, argv, b"", self.timeout if timeout is None else timeout, user=user)

    def hostname(self):
        return ((getattr(self.container, "attrs", None) or {}).get("Config") or {}).get("Hostname") or ""

    def identity(self):
        # The engine's daemon ID, not docker_host as written: two URLs of one engine are one instance (issue 11).
        container_id = getattr(self.container, "id", None) or getattr(self.container, "name", "")
        return "docker|%s|%s|%s" % (_docker.engine_id(self.client), container_id, self.name)

    def usage_sample(self):
        attrs = getattr(self.container, "attrs", None) or {}
        return _docker.container_stats(self.container), (attrs.get("HostConfig") or {}).get("NanoCpus")


class LocalInstance(Instance):
    """IRIS on the managed host itself: ``iris session`` through ``module.run_command``, files on this file system."""

    kind = "local"

    def __init__(self, module, **kwargs):
        super(LocalInstance, self).__init__(**kwargs)
        self.module = module

    def _new_transport(self, namespace):
        return LocalTransport(self.module, instance=self.name, namespace=namespace, timeout=self.timeout)

    def run_command(self, argv, user=None, timeout=None):
        # user: the local transport runs as the connection's user (become); there is no other user to switch to.
        # timeout: AnsibleModule.run_command has no bound; the command runs to its end.
        return self.module.run_command(argv, binary_data=True, errors="surrogate_or_replace", encoding=None)

    def hostname(self):
        return socket.gethostname()  # iris-sources.md S15: <hostname>_<instance>_<runid>.html [inf: the short host name]

    def identity(self):
        return "local|%s" % self.name


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


def instance_from_module(module, client=None):
    """Return the Instance the module's connection options describe.

    ``client`` is an already connected Docker client (tests, or a caller that has one).  Raises IrisModuleError with a
    hint on every failure (Docker SDK missing, daemon unreachable, container missing or stopped).  The shared options
    were validated by ``_module.run_module`` (``_argspec.validate_common``) before the manager ran.
    """
    params = module.params
    common = _common(params)
    if params.get("transport") == "local":
        return LocalInstance(module, **common)
    name = params.get("container")
    if not name:
        raise IrisModuleError("transport docker needs the name of the container that runs IRIS.",
                              hint="set the container option (or IRIS_CONTAINER), or use transport: local on the IRIS host")
    if client is None:
        client = _docker.get_docker_client(params.get("docker_host"), timeout=common["timeout"])
    container = running_container(client, name, params.get("docker_host"))
    return DockerInstance(client, container, **common)


def docker_instance(client, container, params):
    """The DockerInstance of ``container`` (already found) with the module's O(instance), O(namespace), O(timeout)."""
    return DockerInstance(client, container, **_common(params))


def _common(params):
    """What every instance takes from the module's options: the IRIS instance name, the namespace, the timeout."""
    return dict(name=params.get("instance") or DEFAULT_INSTANCE, namespace=params.get("namespace") or DEFAULT_NAMESPACE,
                timeout=params.get("timeout") or DEFAULT_TIMEOUT)
