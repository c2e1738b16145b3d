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

import contextlib
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


# -- iris_fixture (appended; _fixture.py uses these) ------------------------------------------------
# API (stable names):
#   upload_file(client, container, src_path, dest_dir, dest_name, uid=51773, gid=51773, mode=0o660, timeout=None,
#               expected_checksum=None) -> int
#       streams a host file into the container with put_archive (tar generated on the fly, never a full copy in memory
#       or on disk); lands under a temp name (UPLOAD_PREFIX) in dest_dir and is renamed onto dest_name; returns bytes.
#       With expected_checksum the bytes are hashed as they are sent and renamed only when they match.
#   download_file(client, container, src_path, dest_path, timeout=None) -> "sha256:<hex>"
#       streams a container file out with get_archive, hashing while writing a temp file next to dest_path,
#       renamed atomically; the host never keeps a partial file.
#   UPLOAD_PREFIX = ".iris-devtools-upload-"   (a stale upload in a container that stopped mid-copy has this prefix)
#   engine_id(client) -> str    the daemon ID of the engine (keys the fixture lock)
# Both raise IrisModuleError saying what failed and how to fix it: path missing, container not running or stopped
# mid-copy, no space left, timeout.

UPLOAD_PREFIX = ".iris-devtools-upload-"
# iris-sources.md §5.1 (S25): the instance owner in IRIS containers is irisowner, UID 51773; §3.4: a copied IRIS.DAT
# must be owned by it [inf for the ownership requirement].
IRISOWNER_UID = 51773
_TAR_BLOCK = 512


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


def _container_ref(client, container):
    """(id, display name) of ``container`` (a Container object, a name or an id)."""
    if hasattr(container, "id"):
        return container.id, getattr(container, "name", None) or container.id
    return container, container


def _container_state(client, container_id):
    """The container's State dict, or None when it cannot be read (gone, daemon unreachable)."""
    try:
        return client.api.inspect_container(container_id).get("State") or {}
    except Exception:  # pylint: disable=broad-except
        return None


def _explain_copy_failure(client, container_id, name, action, exc, path, missing_hint):
    """Turn a failure during an archive copy into an IrisModuleError with the most useful cause."""
    import tarfile
    text = exc.msg if isinstance(exc, IrisModuleError) else str(getattr(exc, "explanation", None) or exc)
    if text.startswith("Cannot %s: " % action):
        text = text[len("Cannot %s: " % action):]
    lowered = text.lower()
    state = _container_state(client, container_id)
    if state is not None and not state.get("Running", False):
        # Docker serialises archive copies with stop/kill: a stop during the copy waits for the copy and
        # then stops the container, so the next step (rename, read) is what fails.
        return IrisModuleError(
            "Cannot %s: container %s is not running (status %s); it stopped during or before the copy: %s"
            % (action, name, state.get("Status", "unknown"), text),
            hint="start the container (iris_container state=healthy) and run again",
            container_status=state.get("Status"))
    if isinstance(exc, IrisModuleError):
        return exc
    if state is None and HAS_DOCKER and isinstance(exc, docker_errors.NotFound) and "no such container" in lowered:
        return IrisModuleError("Cannot %s: container %s does not exist: %s" % (action, name, text),
                               hint="check the container option; create the instance first (iris_container)")
    if "no space left" in lowered or getattr(exc, "errno", None) == 28:
        return IrisModuleError("Cannot %s: no space left on device: %s" % (action, text),
                               hint="free space in the container's file system or Docker's data root (docker system df), "
                                    "or use a volume with more room")
    if HAS_DOCKER and isinstance(exc, docker_errors.NotFound):
        return IrisModuleError("Cannot %s: %s does not exist in container %s: %s" % (action, path, name, text),
                               hint=missing_hint, missing_path=path)
    if isinstance(exc, tarfile.TarError):
        return IrisModuleError("Cannot %s: the archive stream from Docker ended early or is unreadable: %s" % (action, text),
                               hint="the container stopped or the connection broke during the copy; check the container and retry")
    return translate_docker_error(exc, action)


def _tar_stream(handle, member_name, size, mode, uid, gid, mtime, deadline, timeout, counter, digest=None):
    """Yield a one-member tar archive (PAX headers) of ``handle`` in CHUNK_SIZE pieces, reading as it goes;
    ``digest`` (a ``_files.StreamDigest``) gets every chunk of the file as it is sent."""
    import tarfile
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
    info = tarfile.TarInfo(member_name)
    info.size = size
    info.mode = mode
    info.uid = uid
    info.gid = gid
    info.uname = ""
    info.gname = ""
    info.mtime = mtime
    info.type = tarfile.REGTYPE
    yield info.tobuf(format=tarfile.PAX_FORMAT)
    remaining = size
    while remaining > 0:
        if deadline is not None and time.monotonic() > deadline:
            raise IrisModuleError("The copy into the container did not finish within %s seconds" % timeout,
                                  hint="raise the module's timeout option (large fixtures take time to copy)")
        chunk = handle.read(min(_files.CHUNK_SIZE, remaining))
        if not chunk:
            raise IrisModuleError("The file being copied shrank during the copy (%d of %d bytes read)" % (size - remaining, size),
                                  hint="do not modify the fixture while it is being restored; run again")
        remaining -= len(chunk)
        counter[0] += len(chunk)
        if digest is not None:
            digest.update(chunk)
        yield chunk
    padding = (-size) % _TAR_BLOCK
    yield b"\0" * (padding + 2 * _TAR_BLOCK)


def upload_file(client, container, src_path, dest_dir, dest_name, uid=IRISOWNER_UID, gid=IRISOWNER_UID, mode=0o660, timeout=None,
                expected_checksum=None):
    """Copy the host file ``src_path`` to ``dest_dir/dest_name`` in ``container``; return the bytes copied.

    With ``expected_checksum`` ("sha256:<hex>") the bytes are hashed as they are sent (the one read of the
    source; issue 11 item 2) and the temp file is renamed onto ``dest_name`` only when they match; on a
    mismatch it is removed and ``_files.checksum_error`` is raised, so ``dest_name`` never holds other bytes.

    The tar stream is generated while the file is read (constant memory, no temp tar on disk); the
    member carries ``uid``/``gid`` and ``mode`` so the file is owned by irisowner (iris-sources.md §3.4, S25).
    The file lands under a temp name (``UPLOAD_PREFIX``) in ``dest_dir`` and is renamed onto
    ``dest_name`` by one ``mv`` in the container, so ``dest_name`` is either the old or the complete new
    file.  On failure the temp file is removed when the container still runs; when the container stopped
    mid-copy the error says so and names the temp file (``partial_path``) that stays in its file system.
    ``timeout`` (seconds, None = no limit) bounds the whole copy.
    """
    import os
    import uuid
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
    require_docker()
    container_id, name = _container_ref(client, container)
    dest_dir = dest_dir.rstrip("/") or "/"
    dest_path = "%s/%s" % (dest_dir.rstrip("/"), dest_name)
    action = "copy %s to %s in container %s" % (src_path, dest_path, name)
    if "/" in dest_name or dest_name in ("", ".", ".."):
        raise IrisModuleError("Cannot %s: dest_name must be a plain file name" % action, hint="pass the directory as dest_dir")
    try:
        handle = _files.open_source(src_path)
    except (IOError, OSError) as exc:
        raise IrisModuleError("Cannot %s: cannot read the source file: %s" % (action, exc.strerror or exc),
                              hint="check the path of the file on the host running the module", file_path=src_path)
    tmp_name = "%s%s-%s" % (UPLOAD_PREFIX, uuid.uuid4().hex[:12], dest_name)
    tmp_path = "%s/%s" % (dest_dir.rstrip("/"), tmp_name)
    counter = [0]
    deadline = time.monotonic() + timeout if timeout else None
    uploaded = False
    digest = actual = None

    def failed(exc):
        """The error to raise for ``exc`` (a failed copy or rename): explained, the temp file removed or named."""
        if digest is not None:
            digest.close()  # idempotent: the hash thread never outlives a failed copy
        error = _explain_copy_failure(client, container_id, name, action, exc, dest_dir,
                                      "check dest_dir; the directory must exist in the container before the copy")
        if not _remove_in_container(client, container_id, tmp_path) and (uploaded or counter[0]):
            # Only when the container is not running: the file stays in its file system (never under
            # dest_name); copy into a directory the caller removes on rollback so it goes with it.
            error.details["partial_path"] = tmp_path
            error.msg += (" The temp file %s (never the final name) stays in the stopped container's file system until "
                          "its directory or the container is removed." % tmp_path)
            error.args = (error.msg,)
        return error

    with handle:
        try:
            stat = os.fstat(handle.fileno())
            # Created inside the try: whatever fails from here on closes the hash thread (failed()).
            digest = _files.StreamDigest() if expected_checksum else None
            stream = _tar_stream(handle, tmp_name, stat.st_size, mode, uid, gid, int(stat.st_mtime), deadline, timeout, counter, digest)
            client.api.put_archive(container_id, dest_dir, stream)
            uploaded = True
            if digest is not None:
                actual = digest.checksum()
        except Exception as exc:  # pylint: disable=broad-except
            raise failed(exc)
        if digest is not None and actual != expected_checksum:
            mismatch = _files.checksum_error(src_path, actual, expected_checksum, copied=True)
            if not _remove_in_container(client, container_id, tmp_path):
                mismatch.details["partial_path"] = tmp_path
            raise mismatch
        try:
            remaining = max(1, deadline - time.monotonic()) if deadline else 120
            rc, out, err = exec_with_stdin(client, container_id, ["mv", "-f", "--", tmp_path, dest_path], b"", remaining, user="root")
            if rc != 0:
                text = (err or out).decode("utf-8", "replace").strip()
                hint = "check that %s is writable in the container" % dest_dir
                if "No such file" in text:
                    # Seen with Docker 20.10: put_archive into a tmpfs mount writes beneath the mount, invisible inside.
                    hint = ("the copy is not visible inside the container: %s is probably a tmpfs mount, which the Docker "
                            "archive API cannot write into; use a directory on the container's file system or a volume" % dest_dir)
                raise IrisModuleError("Cannot %s: renaming the copied file in the container failed (rc=%s): %s" % (action, rc, text),
                                      hint=hint)
        except Exception as exc:  # pylint: disable=broad-except
            raise failed(exc)
    return counter[0]


def _remove_in_container(client, container_id, path):
    """Best effort ``rm -f path`` in a running container; True when it ran (the file is gone)."""
    state = _container_state(client, container_id)
    if not state or not state.get("Running"):
        return False
    try:
        rc, dummy_out, dummy_err = exec_with_stdin(client, container_id, ["rm", "-f", "--", path], b"", 30, user="root")
    except IrisModuleError:
        return False
    return rc == 0


class _IterReader(object):
    """A read()-able view of an iterator of bytes chunks (the Docker SDK's archive stream)."""

    def __init__(self, chunks, deadline, timeout):
        self._chunks = iter(chunks)
        self._buffer = b""
        self._deadline = deadline
        self._timeout = timeout

    def read(self, size=-1):
        while not self._buffer:
            if self._deadline is not None and time.monotonic() > self._deadline:
                raise IrisModuleError("The copy out of the container did not finish within %s seconds" % self._timeout,
                                      hint="raise the module's timeout option (large fixtures take time to copy)")
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return b""
        if size is None or size < 0 or size >= len(self._buffer):
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


@contextlib.contextmanager
def _archive_file(client, container_id, src_path, action, deadline, timeout):
    """Yield ``(member, fileobj, stat)`` for the regular file ``src_path`` of a container, streamed from
    ``get_archive`` (constant memory).  The one archive reader of the collection (download_file,
    read_file_from_container).  Errors are raw; callers explain them with ``_explain_copy_failure``."""
    import tarfile
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
    bits = None
    try:
        bits, stat = client.api.get_archive(container_id, src_path, chunk_size=_files.CHUNK_SIZE)
        stat = stat or {}
        # Docker's stat "mode" is a Go os.FileMode: bit 31 = directory, bit 27 = symlink.
        if int(stat.get("mode") or 0) & ((1 << 31) | (1 << 27)) or stat.get("linkTarget"):
            raise IrisModuleError("Cannot %s: %s is not a regular file in the container" % (action, src_path),
                                  hint="give the path of a regular file (e.g. .../IRIS.DAT), not a directory or link",
                                  file_path=src_path)
        with tarfile.open(fileobj=_IterReader(bits, deadline, timeout), mode="r|", bufsize=_files.CHUNK_SIZE) as archive:
            member = archive.next()
            if member is None or not member.isfile():
                raise IrisModuleError("Cannot %s: Docker's archive holds no regular file" % action,
                                      hint="give the path of a regular file in the container", file_path=src_path)
            yield member, archive.extractfile(member), stat
    finally:
        if bits is not None and hasattr(bits, "close"):
            bits.close()


def download_file(client, container, src_path, dest_path, timeout=None):
    """Copy the regular file ``src_path`` out of ``container`` to ``dest_path`` on the host; return its ``sha256:<hex>``.

    Streams ``get_archive`` (constant memory), hashes while writing a temp file next to ``dest_path``
    (``_files.atomic_output``), checks the size Docker announced and renames atomically; on any failure
    the temp file is removed and ``dest_path`` is untouched.
    """
    import hashlib
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
    require_docker()
    container_id, name = _container_ref(client, container)
    action = "copy %s out of container %s to %s" % (src_path, name, dest_path)
    deadline = time.monotonic() + timeout if timeout else None
    digest = hashlib.sha256()
    try:
        with _archive_file(client, container_id, src_path, action, deadline, timeout) as (member, source, stat):
            written = 0
            with _files.atomic_output(dest_path) as out:
                while True:
                    chunk = source.read(_files.CHUNK_SIZE)
                    if not chunk:
                        break
                    digest.update(chunk)
                    try:
                        out.write(chunk)
                    except (IOError, OSError) as exc:
                        raise _files.file_error("write", dest_path, exc)
                    written += len(chunk)
                if written != member.size or ("size" in stat and written != int(stat["size"])):
                    raise IrisModuleError("Cannot %s: got %d bytes, expected %d" % (action, written, member.size),
                                          hint="the file changed or the container stopped during the copy; retry")
    except Exception as exc:  # pylint: disable=broad-except
        raise _explain_copy_failure(client, container_id, name, action, exc, src_path,
                                    "check the path of the file in the container (is the database directory right?)")
    return "sha256:" + digest.hexdigest()


def read_file_from_container(container, path, max_bytes=256 * 1024 * 1024, timeout=None):
    """The content (bytes) of the regular file ``path`` inside ``container`` (a Docker SDK container object),
    read through the same archive reader as ``download_file`` (never ``docker cp`` or exec).

    For small files (a ^SystemPerformance report) that the caller compares in memory.  IrisModuleError when the
    file does not exist (``missing_file=True`` in its details), is not a regular file, or is larger than ``max_bytes``.
    """
    require_docker()
    client = container.client
    container_id, name = _container_ref(client, container)
    action = "copy %s out of container %s" % (path, name)
    deadline = time.monotonic() + timeout if timeout else None
    try:
        with _archive_file(client, container_id, path, action, deadline, timeout) as (member, source, dummy):
            if member.size > max_bytes:
                raise IrisModuleError("Cannot %s: the file has %d bytes, more than the %d allowed" % (action, member.size, max_bytes),
                                      hint="copy large files another way (a bind mount)")
            return source.read() or b""
    except Exception as exc:  # pylint: disable=broad-except
        error = _explain_copy_failure(client, container_id, name, action, exc, path,
                                      "check the path (for a report: is the run collected yet?)")
        if "missing_path" in error.details:
            error.details["missing_file"] = True
        raise error


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
