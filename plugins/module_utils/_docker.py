# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The thin wrapper around the Docker SDK for Python (``docker``) that the collection uses:
client creation with actionable errors, Docker error translation, and ``exec_with_stdin``,
which runs a command in a container and feeds it data on stdin *only* (never argv, env or
labels), so a ``ps`` on the host or ``docker inspect`` never shows an ObjectScript program.
"""

from __future__ import annotations

import os
import select
import socket
import ssl
import struct
import time
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

try:
    import docker
    from docker import errors as docker_errors
    from docker.types import Mount
    from docker.utils.ports import split_port
    HAS_DOCKER = True
    DOCKER_IMPORT_ERROR = None
except ImportError:
    docker = None
    docker_errors = None
    Mount = None
    split_port = None
    HAS_DOCKER = False
    DOCKER_IMPORT_ERROR = traceback.format_exc()

try:
    from requests import exceptions as requests_exceptions
except ImportError:
    requests_exceptions = None

# Docker's multiplexed exec stream (tty=False): 8-byte header = stream type (0 stdin,
# 1 stdout, 2 stderr), three zero bytes, big-endian uint32 payload length.
_FRAME_HEADER = struct.Struct(">BxxxL")
STREAM_STDOUT = 1
STREAM_STDERR = 2
_READ_CHUNK = 65536
# Non-blocking socket calls that only mean "not now" (TLS sockets raise the ssl ones).
_RETRY_ERRORS = (BlockingIOError, InterruptedError, ssl.SSLWantReadError, ssl.SSLWantWriteError)
_WRITE_CHUNK = 65536

_DAEMON_HINT = ("start the Docker daemon, or point at it with the docker_host option "
                "(or the DOCKER_HOST environment variable), and make sure the user running the "
                "module may use the Docker socket")


def require_docker():
    """Raise IrisModuleError unless the Docker SDK for Python can be imported."""
    if not HAS_DOCKER:
        raise IrisModuleError(
            missing_required_lib("docker"),
            hint="install the Docker SDK for Python ('pip install docker') in the Python that runs the module "
                 "(ansible_python_interpreter on the target)",
            exception=DOCKER_IMPORT_ERROR)


def _connection_errors():
    errors = [OSError]
    if HAS_DOCKER:
        errors.append(docker_errors.DockerException)
    if requests_exceptions is not None:
        errors.append(requests_exceptions.RequestException)
    return tuple(errors)


def get_docker_client(docker_host=None, timeout=60):
    """Return a ``docker.DockerClient`` whose daemon has answered.

    ``docker_host`` (e.g. ``unix:///var/run/docker.sock``, ``tcp://host:2375``) wins over the
    environment (``DOCKER_HOST``, ``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH``) that
    ``docker.from_env`` reads.  ``timeout`` is the per-API-call timeout in seconds.

    One API call: ``version="auto"`` makes the SDK ask the daemon ``/version`` while it creates the
    client, which proves the daemon reachable; a ``ping`` after it would be a second round trip on
    every module start-up (benchmarks/startup.py).
    """
    require_docker()
    where = docker_host or "the Docker daemon from the environment (DOCKER_HOST or the default socket)"
    try:
        environment = dict(os.environ)
        if docker_host:
            # Keep DOCKER_TLS_VERIFY / DOCKER_CERT_PATH from the environment: a tcp:// daemon with TLS
            # then works whether its URL comes from docker_host or from DOCKER_HOST.
            environment["DOCKER_HOST"] = docker_host
        client = docker.from_env(timeout=timeout, environment=environment, version="auto")
    except _connection_errors() as exc:
        raise IrisModuleError(
            "Cannot reach %s: %s" % (where, exc), hint=_DAEMON_HINT)
    return client


def translate_docker_error(exc, action):
    """Turn a Docker SDK exception into an IrisModuleError (returned, not raised).

    ``action`` says what the collection was doing, e.g. ``"start container iris1"``.
    """
    status = None
    explanation = str(exc)
    if HAS_DOCKER and isinstance(exc, docker_errors.APIError):
        status = exc.status_code
        explanation = exc.explanation or str(exc)
    details = {}
    if status is not None:
        details["docker_status_code"] = status

    if HAS_DOCKER and isinstance(exc, docker_errors.ImageNotFound):
        hint = ("check the image name and tag (e.g. containers.intersystems.com/intersystems/iris-community:<tag>), "
                "log in to the registry for non-community images, or pull the image first")
        return IrisModuleError("Cannot %s: image not found: %s" % (action, explanation), hint=hint, **details)
    if HAS_DOCKER and isinstance(exc, docker_errors.NotFound):
        hint = "check the container/volume/network name; the object does not exist (or was removed) on this Docker host"
        return IrisModuleError("Cannot %s: not found: %s" % (action, explanation), hint=hint, **details)
    if HAS_DOCKER and isinstance(exc, docker_errors.APIError):
        if status == 409:
            hint = "the name is already in use or the object is in the wrong state; remove or rename the conflicting object"
        elif status in (401, 403):
            hint = "log in to the registry (docker login) or check the credentials/permissions for this Docker host"
        elif status is not None and status >= 500:
            hint = "the Docker daemon failed; see its log (journalctl -u docker) and the explanation above"
        else:
            hint = "check the request options against the Docker daemon's explanation above"
        return IrisModuleError("Cannot %s: Docker API error %s: %s" % (action, status, explanation), hint=hint, **details)
    if isinstance(exc, _connection_errors()):
        return IrisModuleError("Cannot %s: Docker daemon unreachable or connection lost: %s" % (action, exc), hint=_DAEMON_HINT)
    return IrisModuleError("Cannot %s: %s" % (action, exc), hint="see the error text; report a bug if it is unclear")


def _raw_socket(sock):
    """The docker SDK returns a SocketIO for unix/tcp sockets; its real socket is ``_sock``."""
    return getattr(sock, "_sock", sock)


def _shutdown_write(raw):
    """Half-close the write side so the command sees EOF on stdin.

    TLS sockets cannot be half-closed (SHUT_WR would drop TLS); there we skip it.  Programs
    always end with ``halt``, so the session ends even without EOF.
    """
    if raw.__class__.__name__ == "SSLSocket":
        return
    try:
        raw.shutdown(socket.SHUT_WR)
    except (OSError, TypeError, AttributeError):
        pass


class _Demux(object):
    """Incremental parser of Docker's multiplexed stream."""

    def __init__(self):
        self.buffer = b""
        self.stdout = []
        self.stderr = []

    def feed(self, data):
        self.buffer += data
        while len(self.buffer) >= _FRAME_HEADER.size:
            stream, length = _FRAME_HEADER.unpack(self.buffer[:_FRAME_HEADER.size])
            end = _FRAME_HEADER.size + length
            if len(self.buffer) < end:
                return
            payload = self.buffer[_FRAME_HEADER.size:end]
            self.buffer = self.buffer[end:]
            if stream == STREAM_STDERR:
                self.stderr.append(payload)
            else:
                self.stdout.append(payload)

    def result(self):
        # A truncated trailing frame (connection cut) is kept as stdout so nothing is lost.
        tail = self.buffer[_FRAME_HEADER.size:] if len(self.buffer) > _FRAME_HEADER.size else b""
        return b"".join(self.stdout) + tail, b"".join(self.stderr)


def _timeout_error(timeout, partial):
    return IrisModuleError(
        "The command in the container did not finish within %s seconds" % timeout,
        hint="raise the module's timeout option (IRIS may be busy or still starting); the command may still be "
             "running inside the container",
        stdout_lines=_last_lines(partial))


def _last_lines(data, count=20):
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return text.splitlines()[-count:]


def _pump(raw, data, timeout):
    """Write ``data`` and read the multiplexed stream until EOF, all within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    demux = _Demux()
    pending = memoryview(data)
    if not pending:
        _shutdown_write(raw)
    try:
        raw.setblocking(False)
    except (OSError, AttributeError):
        pass
    while True:
        if hasattr(raw, "pending") and raw.pending():
            readable = [raw]
            writable = []
        else:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _timeout_error(timeout, demux.result()[0])
            readable, writable, dummy = select.select([raw], [raw] if pending else [], [], remaining)
            if not readable and not writable:
                raise _timeout_error(timeout, demux.result()[0])
        if writable and pending:
            try:
                sent = raw.send(pending[:_WRITE_CHUNK])
            except _RETRY_ERRORS:
                sent = 0
            except OSError:
                # The command closed stdin (e.g. `halt` came before the end of data): stop writing.
                sent = len(pending)
            pending = pending[sent:]
            if not pending:
                _shutdown_write(raw)
        if readable:
            try:
                chunk = raw.recv(_READ_CHUNK)
            except _RETRY_ERRORS:
                continue
            if not chunk:
                return demux.result()
            demux.feed(chunk)


def exec_with_stdin(client, container, argv, data, timeout, user=None):
    """Run ``argv`` in ``container`` with ``data`` (bytes) on stdin.

    Returns ``(exit_code, stdout_bytes, stderr_bytes)``; ``exit_code`` may be None if Docker does
    not report one.  ``data`` goes over the exec's attached socket only.  Raises IrisModuleError
    on Docker errors and on timeout.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    container_id = getattr(container, "id", container)
    kwargs = dict(stdin=True, stdout=True, stderr=True, tty=False)
    if user:
        kwargs["user"] = user
    action = "run %s in container %s" % (argv[0] if argv else "a command", getattr(container, "name", container_id))
    try:
        exec_id = client.api.exec_create(container_id, argv, **kwargs)["Id"]
        sock = client.api.exec_start(exec_id, socket=True, tty=False)
    except IrisModuleError:
        raise
    except _connection_errors() as exc:
        raise translate_docker_error(exc, action)
    raw = _raw_socket(sock)
    try:
        stdout, stderr = _pump(raw, data, timeout)
    except IrisModuleError:
        raise
    except OSError as exc:
        raise translate_docker_error(exc, action)
    finally:
        for closable in (sock, raw):
            try:
                closable.close()
            except (OSError, AttributeError):
                pass
    exit_code = None
    try:
        for dummy in range(50):
            info = client.api.exec_inspect(exec_id)
            exit_code = info.get("ExitCode")
            if not info.get("Running"):
                break
            time.sleep(0.1)
    except _connection_errors() as exc:
        raise translate_docker_error(exc, action)
    return exit_code, stdout, stderr


# -- iris_monitoring (appended; _metrics.py / _monitoring.py use these) ----------------------------
def container_stats(container):
    """One stats sample of ``container`` (a ``docker`` Container object): the Engine API's
    ``GET /containers/{id}/stats?stream=false``, which waits for two CPU readings so that
    ``precpu_stats`` is filled [inf: Docker SDK ``Container.stats(stream=False)``]."""
    name = getattr(container, "name", None) or getattr(container, "id", container)
    try:
        return container.stats(stream=False)
    except _connection_errors() as exc:
        raise translate_docker_error(exc, "read the resource usage (stats) of container %s" % name)


# -- the Docker engine's identity (keys iris_fixture's instance lock) -------------------------------
def engine_id(client):
    """The Docker engine's identity: its daemon ID (``docker info`` "ID"), whatever the URL that reached it.  Keys
    iris_fixture's instance lock (issue 11 item 3).  An engine that reports no ID is known by the SDK's ``base_url``
    instead: that is ``http+docker://localhost`` for EVERY unix socket (the socket path is not part of it), so all
    such engines reached through a unix socket share one key (runs are serialized more than needed, never less);
    tcp/ssh URLs keep their host and port."""
    try:
        engine = (client.info() or {}).get("ID")
    except _connection_errors() as exc:
        raise translate_docker_error(exc, "read the Docker engine's ID (docker info)")
    return engine or "url:%s" % getattr(getattr(client, "api", None), "base_url", "default")


# ==== container lifecycle (iris_container) ===================================================================
# The Docker calls that create, start, stop, inspect and remove the container iris_container manages.  Every SDK
# error becomes an IrisModuleError (translate_docker_error), with two causes named plainly: a host port in use and
# a bind-mounted host path that does not exist.

def _lifecycle_error(exc, action):
    text = str(getattr(exc, "explanation", None) or exc)
    if "port is already allocated" in text or "address already in use" in text:
        return IrisModuleError(
            "Cannot %s: a host port is already in use (%s)." % (action, text),
            hint="choose other superserver_port/web_port values, or omit them so Docker picks free ports")
    if "bind source path does not exist" in text:
        return IrisModuleError(
            "Cannot %s: a bind-mounted host path does not exist (%s)." % (action, text),
            hint="create the host directory or file first (volumes, license_key), or fix the path")
    return translate_docker_error(exc, action)


def _lifecycle_call(action, func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except IrisModuleError:
        raise
    except Exception as exc:  # pylint: disable=broad-except  # translated into IrisModuleError
        raise _lifecycle_error(exc, action)


def _not_found(exc):
    if HAS_DOCKER and isinstance(exc, docker_errors.NotFound):  # ImageNotFound is a NotFound
        return True
    return getattr(exc, "status_code", None) == 404


def split_port_spec(text):
    """``docker run -p`` syntax -> ``(container ports, host bindings or None)`` (the SDK's ``split_port``);
    ValueError if ``text`` is not one."""
    require_docker()
    return split_port(text)


def find_container(client, name):
    """The container ``name`` (name or ID), or None if it does not exist."""
    try:
        return client.containers.get(name)
    except Exception as exc:  # pylint: disable=broad-except  # translated into IrisModuleError
        if _not_found(exc):
            return None
        raise _lifecycle_error(exc, "inspect container %s" % name)


def find_image(client, ref, action=None):
    """The local image ``ref`` (name or ID), or None if it is not there (never pulls)."""
    try:
        return client.images.get(ref)
    except Exception as exc:  # pylint: disable=broad-except  # translated into IrisModuleError
        if _not_found(exc):
            return None
        raise _lifecycle_error(exc, action or "inspect image %s" % ref)


def create_container(client, image_ref, name, mounts, **kwargs):
    """``docker create`` (detached); ``mounts`` are dicts ``type, source, target, read_only``."""
    require_docker()
    mounts = [Mount(m["target"], m["source"], type=m["type"], read_only=m["read_only"]) for m in mounts]
    return _lifecycle_call("create container %s" % name, client.containers.create, image_ref, name=name,
                           mounts=mounts, detach=True, **kwargs)


def put_archive(container, path, data, action):
    """Extract the tar ``data`` into ``path`` in the container; False if Docker refused it."""
    return _lifecycle_call(action, container.put_archive, path, data)


def start_container(container, name):
    _lifecycle_call("start container %s" % name, container.start)


def stop_container(container, name, timeout):
    _lifecycle_call("stop container %s" % name, container.stop, timeout=timeout)


def remove_container(container, name):
    """Remove the container and its anonymous volumes, stopping it if it runs."""
    _lifecycle_call("remove container %s" % name, container.remove, force=True, v=True)


def reload_container(container, name):
    """Refresh ``container.attrs``/``status`` from the daemon."""
    _lifecycle_call("inspect container %s" % name, container.reload)


def container_logs(container, name, **kwargs):
    """``docker logs`` (bytes); kwargs as the SDK's: timestamps, since, tail."""
    return _lifecycle_call("read the log of container %s" % name, container.logs, **kwargs)
