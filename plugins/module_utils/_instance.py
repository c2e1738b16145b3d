# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The access layer: "the instance" a module manages, as one object that runs programs in it and moves files in and
out of it, whether IRIS runs in a Docker container (``transport: docker``), on the managed host itself
(``transport: local``) or anywhere its superserver port is reachable (``transport: native``, issue 13: one
connection of the InterSystems client per module run).  Domain managers ask it for what they need and never branch on
the transport:

* ``transport(namespace)``: the ``_transport.Transport`` that runs programs in that namespace (one per namespace,
  reused for the whole module run); ``sessions`` counts the IRIS sessions every transport opened;
* files in and out of the instance are ``_copy``'s (``_copy.put_file(instance, ...)``): only the modules that copy
  files ship that code;
* ``run_command``: a plain command beside IRIS (``sh`` for a directory listing), not an IRIS session;
* ``hostname``, ``identity`` (what keys a lock on this instance), ``usage_sample`` (Docker stats);
* ``close()``: ``_module.run_module`` calls it when the module ends, whatever happened (the native connection; a
  no-op for the others).

``instance_from_module`` is the one place that turns the shared connection options (``_argspec``: transport,
container, instance, namespace, timeout, docker_host, host, port, username, password, ssl_config, connect_timeout)
into an Instance.  For Docker the container is looked up by name or ID and must be running: a missing or stopped
container is a clear failure that says how to start it.  Over native without a host, the same lookup finds the host
port Docker publishes for the container's superserver port.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _native, _transport
from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import DEFAULT_CONNECT_TIMEOUT
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import (
    DEFAULT_INSTANCE,
    DEFAULT_NAMESPACE,
    DEFAULT_TIMEOUT,
    SUPERSERVER_PORT,
    SYS_NAMESPACE,
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

    def close(self):
        """End what this instance holds open for the module run (``_module.run_module`` calls it, whatever happened).
        Nothing by default: a docker or local session ends with its program."""


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


# The connection logs in to %SYS whatever the module's namespace (each program runs in its own namespace, D10): a
# namespace the module is about to create (iris_fixture state=present) or remove cannot be the login namespace, the
# collection's administrative programs run in %SYS anyway (iris-sources.md S2, S13), and the runner class the native
# transport installs in the login namespace (design D14) then stays out of the application's namespaces and of a
# fixture exported from one.  docs/native-transport-design.md D10, D14.
LOGIN_NAMESPACE = SYS_NAMESPACE

# Hints of IRIS errors that differ over a client connection (the rest are _transport.IRIS_ERROR_HINTS').
NATIVE_ERROR_HINTS = {
    "PROTECT": ("the IRIS user of the connection (username %s) lacks a privilege this step needs: give that user a "
                "role that holds it (%%All for the collection's administrative steps in %%SYS), or run the task over "
                "transport docker or local, which log in as the instance owner"),
}


class NativeInstance(Instance):
    """IRIS reached over its superserver port with the InterSystems client (``transport: native``, issue 13).

    One connection for the whole module run, shared by every namespace (each program names its namespace;
    docs/native-transport-design.md D10), opened on first use with retries while IRIS starts (``_native.connect``,
    D11) and closed by ``close()``.  The password is handed to the client's login call and then dropped (D13).
    ``container`` is the container whose published port was looked up (None when the host was given).
    ``client`` is the ``iris`` module (tests pass a stand-in).
    """

    kind = "native"

    def __init__(self, host, port, username, password, ssl_config=None, connect_timeout=DEFAULT_CONNECT_TIMEOUT,
                 container=None, docker_client=None, client=None, **kwargs):
        super(NativeInstance, self).__init__(**kwargs)
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.ssl_config = ssl_config
        self.connect_timeout = connect_timeout
        self.container = container
        self.docker_client = docker_client
        self._client = client
        self._connection = None
        self._iris = None

    def __repr__(self):
        return "NativeInstance(%s:%s, user %s)" % (self.host, self.port, self.username)

    def connection(self):
        """The module run's one connection, logged in on the first call."""
        if self._connection is None:
            self._connection = _native.connect(self.host, self.port, LOGIN_NAMESPACE, self.username, self._password,
                                               self.timeout, self.connect_timeout, ssl_config=self.ssl_config,
                                               client=self._client)
            self._password = None  # logged in: nothing needs it any more
        return self._connection

    def iris(self):
        """The Native API object (``iris.IRIS``) of the one connection, created once."""
        if self._iris is None:
            self._iris = _native.native_api(self.connection(), client=self._client)
        return self._iris

    def _new_transport(self, namespace):
        # _transport.NativeTransport is looked up when the first program runs, never at import time.
        transport = _transport.NativeTransport(self.connection(), instance=self.name, namespace=namespace,
                                               timeout=self.timeout)
        return _NativeHints(transport, self.username)

    def close(self):
        if self._connection is not None:
            connection, self._connection, self._iris = self._connection, None, None
            _native.close(connection)
        self._password = None

    def run_command(self, argv, user=None, timeout=None):
        raise IrisModuleError(
            "Running a command beside IRIS (%s) is not available over transport native: the connection runs IRIS "
            "programs only." % (argv[0] if argv else "?"),
            hint="run this task with transport docker (container option) or local (on the IRIS host)")

    def usage_sample(self):
        raise IrisModuleError("Docker stats are not available over transport native.",
                              hint="use thresholds.source: iris (the instance's own metrics), or run the task with "
                                   "transport docker and the container option")

    def hostname(self):
        """The server's host name: the container's (Docker's Config.Hostname) when the port was looked up from a
        container; otherwise unknown from here, a loud error."""
        if self.container is not None:
            return ((getattr(self.container, "attrs", None) or {}).get("Config") or {}).get("Hostname") or ""
        raise IrisModuleError(
            "The host name of the IRIS server at %s:%s is not known over transport native." % (self.host, self.port),
            hint="this step needs the server's own host name; run the task with transport docker or local, or name "
                 "the container (container option, host unset) so that Docker tells it")

    def identity(self):
        """What keys a lock on this instance (iris_fixture): for a looked-up container the same string as
        ``DockerInstance.identity`` (a docker and a native run on one container share the lock), otherwise
        ``native|<host>|<port>`` with the host in one spelling (lower case, no final dot, an IPv6 address compressed).
        Not the namespace: one instance has one lock.  Two names of one server (localhost and 127.0.0.1) are two keys."""
        if self.container is not None:
            container_id = getattr(self.container, "id", None) or getattr(self.container, "name", "")
            return "docker|%s|%s|%s" % (_docker.engine_id(self.docker_client), container_id, self.name)
        return "native|%s|%s" % (_canonical_host(self.host), self.port)


class _NativeHints(object):
    """A native transport whose IRIS errors carry the hints of a client connection (``NATIVE_ERROR_HINTS``); every
    other attribute is the transport's own."""

    def __init__(self, transport, username):
        self._transport = transport
        self._username = username

    def __getattr__(self, name):
        return getattr(self._transport, name)

    def run(self, program):
        try:
            return self._transport.run(program)
        except IrisModuleError as error:
            name = str(error.details.get("iris_error") or "").strip("<> ")
            if name in NATIVE_ERROR_HINTS:
                error.hint = NATIVE_ERROR_HINTS[name] % self._username
            raise


def _canonical_host(host):
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return host.lower().rstrip(".")


def _daemon_host(docker_host):
    """The host of a tcp/ssh/http(s) Docker daemon URL (where its published ports are), or None (a local socket)."""
    parts = urlsplit(docker_host or "")
    if parts.scheme in ("tcp", "ssh", "http", "https"):
        return parts.hostname
    return None


def published_port(container, port=SUPERSERVER_PORT, docker_host=None):
    """``(host, host_port)`` where the module reaches the container's ``port``/tcp, from Docker's port map.

    A binding to every address (0.0.0.0, ::, empty) or to loopback is reached on 127.0.0.1 (::1 for an IPv6-only
    binding) - or, for a daemon reached over tcp:// or ssh://, on the daemon's host, where a loopback binding is out of
    reach.  A binding to one address is reached there.  IrisModuleError with a fix when nothing usable is published.
    """
    attrs = getattr(container, "attrs", None) or {}
    bindings = (((attrs.get("NetworkSettings") or {}).get("Ports") or {}).get("%d/tcp" % port)) or []
    remote = _daemon_host(docker_host)
    found = []
    for binding in bindings:
        host_port, host_ip = (binding or {}).get("HostPort"), (binding or {}).get("HostIp") or ""
        if not host_port or not str(host_port).isdigit():
            continue
        if host_ip in ("", "0.0.0.0", "::", "127.0.0.1", "::1"):
            if remote:
                if host_ip in ("127.0.0.1", "::1"):
                    continue
                found.append((0, remote, int(host_port)))
            else:
                found.append((0 if ":" not in host_ip else 1, "::1" if host_ip in ("::", "::1") else "127.0.0.1", int(host_port)))
        else:
            found.append((2, host_ip, int(host_port)))
    if not found:
        name = getattr(container, "name", None) or "?"
        raise IrisModuleError(
            "Container %s does not publish port %d/tcp (the IRIS superserver) where this module can reach it." % (name, port),
            hint="publish it (iris_container publishes it on superserver_port), or set host (and port) to where the "
                 "superserver is reachable")
    return min(found)[1:]


def native_instance(params, client=None, docker_client=None):
    """The NativeInstance the module's options describe: ``host`` as given, or else the published superserver port of
    the running ``container`` (looked up through ``docker_client``, or a client built from docker_host)."""
    username, password, host = params.get("username"), params.get("password"), params.get("host")
    missing = [option for option, value in (("username", username), ("password", password)) if not value]
    if missing:
        raise IrisModuleError("transport native needs %s to log in to IRIS." % " and ".join(missing),
                              hint="set username and password (or IRIS_USERNAME and IRIS_PASSWORD)")
    port = params.get("port") or SUPERSERVER_PORT
    container = None
    if not host:
        name = params.get("container")
        if not name:
            raise IrisModuleError("transport native needs the IRIS server's host (or a container to look its port up).",
                                  hint="set host (or IRIS_HOST) and port, or the container option for a container "
                                       "that publishes the superserver port")
        if docker_client is None:
            docker_client = _docker.get_docker_client(params.get("docker_host"), timeout=params.get("timeout") or DEFAULT_TIMEOUT)
        container = running_container(docker_client, name, params.get("docker_host"))
        # O(port) is then the container's superserver port, and the connection goes to where Docker publishes it.
        host, port = published_port(container, port, params.get("docker_host"))
    connect_timeout = params.get("connect_timeout")
    return NativeInstance(host, port, username, password, ssl_config=params.get("ssl_config") or None,
                          connect_timeout=DEFAULT_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout,
                          container=container, docker_client=docker_client if container is not None else None,
                          client=client, **_common(params))


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
    if params.get("transport") == "native":
        return native_instance(params, docker_client=client)
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
