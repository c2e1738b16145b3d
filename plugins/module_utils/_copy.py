# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Files in and out of an instance (``_instance.Instance``), whatever reaches it: for a container through the Docker
Engine's archive API, for a local instance on this file system.  Part of the access layer, in its own file so that
only the modules that copy files ship it.  The Docker SDK stays behind ``_docker`` (``require_docker``, error
translation, exec).

* ``put_file(instance, src_path, dest_dir, dest_name, mode, expected_checksum)``: a controller file into the
  instance, owned by the instance owner; with ``expected_checksum`` only bytes with that SHA-256 land under
  ``dest_name`` (hashed as they are sent: one read of the source);
* ``fetch_file(instance, src_path, dest_path)``: an instance file to ``dest_path`` (atomic), returns ``sha256:<hex>``;
* ``read_file(instance, path, max_bytes)``: a small instance file into memory (IrisModuleError with
  ``missing_file`` when it is absent).
* ``put_tree(instance, files, base_dir)``: a set of controller files ``(local path, relative destination, checksum)``
  into a new staging directory of the instance (one archive upload for Docker); ``remove_tree(instance, path)``
  removes it.

Over ``transport: native`` (``instance.kind == "native"``) these go through ``_copy_native`` (a server-side
``%Stream.FileBinary`` on the module's one connection, with the same temp prefix and the same checksum rule).

Into a container (``upload_file``): a tar stream generated while the file is read, sent with ``put_archive`` (the
daemon untars it), landing under a temp name (``UPLOAD_PREFIX``) in the target directory and renamed onto the final
name in the container only when the SHA-256 of the bytes sent is the expected one.  Issue 12 item 5 (a restore faster
than "hash, then copy") is open: a host-side copy into the container's directory was measured and not adopted (no
proven win on an idle machine; see benchmarks/README.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import tempfile
import time
import uuid

from ansible_collections.iris_devtools.iris.plugins.module_utils import _copy_native, _docker, _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import IRISOWNER_GID, IRISOWNER_UID
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

READ_LIMIT = 256 * 1024 * 1024  # read_file keeps the whole file in memory: reports, not databases
# A temp file of an upload that never finished (a container stopped mid-copy) starts with this; the fixture manager
# removes such leftovers.
UPLOAD_PREFIX = ".iris-devtools-upload-"
_TAR_BLOCK = 512


def put_file(instance, src_path, dest_dir, dest_name, mode=0o660, expected_checksum=None):
    """Copy ``src_path`` to ``dest_dir/dest_name`` in ``instance``; return the bytes copied."""
    if instance.kind == "native":
        # Over the Native API (_copy_native): IRIS creates the file, so it gets IRIS's owner and default mode [inf].
        return _copy_native.put_file(instance.iris(), src_path, dest_dir, dest_name, UPLOAD_PREFIX, expected_checksum)
    if instance.kind == "docker":
        return upload_file(instance.client, instance.container, src_path, dest_dir.rstrip("/") or "/", dest_name,
                           mode=mode, timeout=instance.timeout, expected_checksum=expected_checksum)
    # A local instance created the directory: the file gets the directory's owner when we may give it one (root).
    owner = group = None
    try:
        info = os.stat(dest_dir)
        if os.geteuid() == 0:
            owner, group = info.st_uid, info.st_gid
    except OSError:
        pass
    return _files.copy_atomic(src_path, os.path.join(dest_dir, dest_name), owner=owner, group=group, mode=mode,
                              expected_checksum=expected_checksum)


def fetch_file(instance, src_path, dest_path):
    """Copy the instance's ``src_path`` to ``dest_path`` on this host; return its ``sha256:<hex>``."""
    if instance.kind == "native":
        return _copy_native.fetch_file(instance.iris(), src_path, dest_path)
    if instance.kind == "docker":
        return download_file(instance.client, instance.container, src_path, dest_path, timeout=instance.timeout)
    # One read of the source: the copy hashes the bytes it writes (issue 11 item 2).
    return _files.copy_atomic(src_path, dest_path, mode=0o644)


def read_file(instance, path, max_bytes=READ_LIMIT):
    """The bytes of the instance's small file ``path``."""
    if instance.kind == "native":
        return _copy_native.read_file(instance.iris(), path, max_bytes)
    if instance.kind == "docker":
        return read_file_from_container(instance.container, path, max_bytes=max_bytes, timeout=instance.timeout)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except (IOError, OSError) as exc:
        raise IrisModuleError("Cannot read %s: %s." % (path, exc.strerror or exc),
                              hint="check the path and the permissions of the user running the module "
                              "(become: true as the instance owner)", missing_file=True)
    if len(data) > max_bytes:
        raise IrisModuleError("Cannot read %s: the file has more than the %d bytes allowed." % (path, max_bytes),
                              hint="copy large files another way")
    return data


# List (and with "remove" delete) the files "$1/<prefix>*" in the instance: FOUND:<name> per file found, then
# LEFT:<name> per file still there.  Arguments, not interpolation: $1 directory, $2 list|remove, then the prefixes.
_TEMP_SCRIPT = (
    'd=$1; mode=$2; shift 2; '
    'for p in "$@"; do for f in "$d"/"$p"*; do [ -e "$f" ] || [ -L "$f" ] || continue; echo "FOUND:${f##*/}"; '
    'if [ "$mode" = remove ]; then rm -f -- "$f"; fi; done; done; '
    'for p in "$@"; do for f in "$d"/"$p"*; do [ -e "$f" ] || [ -L "$f" ] || continue; echo "LEFT:${f##*/}"; done; done')


def temp_files(instance, directory, prefixes, remove):
    """``(found, left, errors)``: the names of the files in the instance's ``directory`` that start with one of
    ``prefixes`` (leftovers of interrupted copies: ``UPLOAD_PREFIX``, ``_files.TEMP_PREFIX``); with ``remove`` they are
    deleted and ``left`` is a fresh listing afterwards; ``errors``: why a file stayed, when the listing says it.

    Over native the server's ``%File`` lists and deletes (``_copy_native.temp_files``: nothing runs beside IRIS there);
    otherwise one POSIX sh script beside IRIS (``instance.run_command``: in the container as root, or on this host)."""
    if instance.kind == "native":
        found, left = _copy_native.temp_files(instance.iris(), directory, prefixes, remove)
        return found, left, []
    argv = ["sh", "-c", _TEMP_SCRIPT, "sh", directory.rstrip("/") or "/", "remove" if remove else "list"] + list(prefixes)
    code, out, err = instance.run_command(argv, user="root")
    lines = out.decode("utf-8", "replace").splitlines()
    if code != 0:
        raise IrisModuleError("Cannot list the temp files in %s in the instance (rc=%s): %s" % (
            directory, code, (err or out).decode("utf-8", "replace").strip()),
            hint="check that the instance runs and has a POSIX sh; then run again")
    found = sorted(line[6:] for line in lines if line.startswith("FOUND:"))
    left = sorted(line[5:] for line in lines if line.startswith("LEFT:"))
    return found, left, (err or b"").decode("utf-8", "replace").splitlines()


# -- into a container ---------------------------------------------------------------------------------------------
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
    if state is None and _docker.HAS_DOCKER and isinstance(exc, _docker.docker_errors.NotFound) and "no such container" in lowered:
        return IrisModuleError("Cannot %s: container %s does not exist: %s" % (action, name, text),
                               hint="check the container option; create the instance first (iris_container)")
    if "no space left" in lowered or getattr(exc, "errno", None) == 28:
        return IrisModuleError("Cannot %s: no space left on device: %s" % (action, text),
                               hint="free space in the container's file system or Docker's data root (docker system df), "
                                    "or use a volume with more room")
    if _docker.HAS_DOCKER and isinstance(exc, _docker.docker_errors.NotFound):
        return IrisModuleError("Cannot %s: %s does not exist in container %s: %s" % (action, path, name, text),
                               hint=missing_hint, missing_path=path)
    if isinstance(exc, tarfile.TarError):
        return IrisModuleError("Cannot %s: the archive stream from Docker ended early or is unreadable: %s" % (action, text),
                               hint="the container stopped or the connection broke during the copy; check the container and retry")
    return _docker.translate_docker_error(exc, action)


def _tar_stream(handle, member_name, size, mode, uid, gid, mtime, deadline, timeout, counter, digest=None, end=True):
    """Yield a one-member tar archive (PAX headers) of ``handle`` in CHUNK_SIZE pieces, reading as it goes;
    ``digest`` (a ``_files.StreamDigest``) gets every chunk of the file as it is sent.  ``end=False``: only the
    member, without the archive's two closing zero blocks (one member of a larger archive, ``put_tree``)."""
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
    yield b"\0" * (padding + (2 * _TAR_BLOCK if end else 0))


def upload_file(client, container, src_path, dest_dir, dest_name, uid=IRISOWNER_UID, gid=IRISOWNER_GID, mode=0o660, timeout=None,
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
    _docker.require_docker()
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
            rc, out, err = _docker.exec_with_stdin(client, container_id, ["mv", "-f", "--", tmp_path, dest_path], b"", remaining, user="root")
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


def _remove_in_container(client, container_id, path, recursive=False):
    """Best effort ``rm -f path`` (``rm -rf`` with ``recursive``) in a running container; True when it ran (the path is gone)."""
    state = _container_state(client, container_id)
    if not state or not state.get("Running"):
        return False
    try:
        rc, dummy_out, dummy_err = _docker.exec_with_stdin(client, container_id, ["rm", "-rf" if recursive else "-f", "--", path], b"",
                                                           60 if recursive else 30, user="root")
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
    _docker.require_docker()
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
    _docker.require_docker()
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


# -- a set of files (put_tree) ------------------------------------------------------------------------------------
STAGE_PREFIX = "iris-devtools-stage-"


def _tree_member_path(rel):
    """``rel`` checked as a relative destination (no absolute path, no ``..``, no empty part, no NUL)."""
    parts = rel.split("/") if isinstance(rel, str) else []
    if not parts or rel.startswith("/") or "\0" in rel or any(part in ("", ".", "..") for part in parts):
        raise IrisModuleError("Cannot stage %r: a destination must be a relative path without '..' or empty parts." % (rel,),
                              hint="this is a bug in the collection; please report it with the task that failed")
    return "/".join(parts)


def put_tree(instance, files, base_dir="/tmp", mode=0o640):
    """Copy a set of files into a new staging directory of ``instance``; return the directory's path there.

    ``files`` is a list of ``(local path, relative destination, expected checksum or None)``; each file lands at
    ``<staging>/<relative destination>`` (directories are created), owned by the instance owner.  A checksum
    (``sha256:<hex>``) is compared with the bytes as they are sent (one read of each file); on a mismatch or any
    failure the staging directory is removed and nothing stays behind.  The caller removes the directory with
    ``remove_tree`` when done.  Docker: ONE Engine API archive upload for the whole set (``base_dir`` must exist in
    the container); local: a private directory under ``base_dir`` (files readable by the instance's processes);
    native: a directory under ``base_dir`` on the IRIS host created through IRIS, each file a ``_copy_native.put_file``.
    """
    members = [(src, _tree_member_path(rel), checksum) for src, rel, checksum in files]
    if len(set(rel for dummy, rel, dummy2 in members)) != len(members):
        raise IrisModuleError("Cannot stage the files: two files have the same destination.",
                              hint="give every file its own relative destination")
    if instance.kind == "native":
        # Over the Native API (_copy_native): IRIS creates the directories and files with its own owner and default
        # mode [inf]; ``mode`` does not apply.
        return _copy_native.put_tree(instance.iris(), members, base_dir.rstrip("/") or "/",
                                     STAGE_PREFIX + uuid.uuid4().hex[:12], UPLOAD_PREFIX)
    if instance.kind == "docker":
        return _put_tree_docker(instance, members, base_dir.rstrip("/") or "/", mode)
    return _put_tree_local(members, base_dir, mode)


def _put_tree_local(members, base_dir, mode):
    try:
        root = tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=base_dir)
        os.chmod(root, 0o755)  # the instance's processes read the staged sources; nothing secret is staged
    except OSError as exc:
        raise _files.file_error("create a staging directory in", base_dir, exc,
                                hint="check that the directory exists and is writable by the user running the module")
    try:
        for src, rel, checksum in members:
            dest = os.path.join(root, *rel.split("/"))
            directory = os.path.dirname(dest)
            if not os.path.isdir(directory):
                os.makedirs(directory, 0o755)
            _files.copy_atomic(src, dest, mode=mode | 0o044, expected_checksum=checksum)
    except Exception:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return root


def _tree_stream(root_name, members, mode, deadline, timeout, counter, digests):
    """Yield one tar archive (PAX) holding ``root_name/`` and every member under it, each file read as it is sent."""
    made = set()
    now = int(time.time())

    def directory(name):
        info = tarfile.TarInfo(name)
        info.type = tarfile.DIRTYPE
        info.mode = 0o750
        info.uid, info.gid, info.uname, info.gname, info.mtime = IRISOWNER_UID, IRISOWNER_GID, "", "", now
        return info.tobuf(format=tarfile.PAX_FORMAT)

    yield directory(root_name)
    for src, rel, checksum in members:
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            name = "/".join([root_name] + parts[:depth])
            if name not in made:
                made.add(name)
                yield directory(name)
        try:
            handle = _files.open_source(src)
        except (IOError, OSError) as exc:
            raise IrisModuleError("Cannot read %s: %s." % (src, exc.strerror or exc),
                                  hint="check the path of the file on the host running the module", file_path=src)
        with handle:
            digest = _files.StreamDigest() if checksum else None
            try:
                size = os.fstat(handle.fileno()).st_size
                yield from _tar_stream(handle, "%s/%s" % (root_name, rel), size, mode | 0o040, IRISOWNER_UID, IRISOWNER_GID, now,
                                       deadline, timeout, counter, digest, end=False)
            finally:
                if digest is not None:
                    digests.append((src, checksum, digest.checksum()))
    yield b"\0" * (2 * _TAR_BLOCK)


def _put_tree_docker(instance, members, base_dir, mode):
    _docker.require_docker()
    client = instance.client
    container_id, name = _container_ref(client, instance.container)
    root_name = STAGE_PREFIX + uuid.uuid4().hex[:12]
    root = "%s/%s" % (base_dir.rstrip("/"), root_name)
    action = "copy %d files to %s in container %s" % (len(members), root, name)
    deadline = time.monotonic() + instance.timeout if instance.timeout else None
    counter, digests = [0], []
    try:
        stream = _tree_stream(root_name, members, mode, deadline, instance.timeout, counter, digests)
        client.api.put_archive(container_id, base_dir, stream)
    except Exception as exc:  # pylint: disable=broad-except
        _remove_in_container(client, container_id, root, recursive=True)
        raise _explain_copy_failure(client, container_id, name, action, exc, base_dir,
                                    "check that %s exists in the container" % base_dir)
    for src, expected, actual in digests:
        if actual != expected:
            _remove_in_container(client, container_id, root, recursive=True)
            raise _files.checksum_error(src, actual, expected, copied=True)
    return root


def remove_tree(instance, path):
    """Remove a staging directory ``put_tree`` made (best effort; True when it is gone)."""
    if not os.path.basename(path.rstrip("/")).startswith(STAGE_PREFIX):
        raise IrisModuleError("Refusing to remove %s: not a staging directory of the collection." % path,
                              hint="this is a bug in the collection; please report it with the task that failed")
    if instance.kind == "native":
        return _copy_native.remove_tree(instance.iris(), path)
    if instance.kind == "docker":
        container_id, dummy = _container_ref(instance.client, instance.container)
        return _remove_in_container(instance.client, container_id, path, recursive=True)
    shutil.rmtree(path, ignore_errors=True)
    return not os.path.exists(path)


def remove_files(instance, directory, names, prefix):
    """Delete the files ``directory/<name>`` this collection uploaded there (best effort); the paths still there.
    Every name must start with ``prefix`` (the caller's own upload names), or nothing is removed.

    One removal for every transport: over native the server's ``%File`` (``_copy_native.remove_file``: Delete, then
    Exists - nothing runs beside IRIS there); in a container ``rm -f`` as root; on this host ``os.remove``.  Only plain
    file names under an absolute directory are accepted (no '/', '..', '*', NUL or newline), so nothing else can go."""
    directory = directory.rstrip("/") or "/"
    if not directory.startswith("/") or any(c in directory for c in "\0\n*") or "/../" in directory + "/":
        raise IrisModuleError("Refusing to remove files in %r: not an absolute directory path." % directory,
                              hint="this is a bug in the collection; please report it with the task that failed")
    paths = []
    for name in names:
        if not name.startswith(prefix) or name in (".", "..") or any(c in name for c in "/\0\n*"):
            raise IrisModuleError("Refusing to remove %r in %s: not a plain file name." % (name, directory),
                                  hint="this is a bug in the collection; please report it with the task that failed")
        paths.append(directory + name if directory == "/" else directory + "/" + name)
    left = []
    for path in paths:
        if instance.kind == "native":
            gone = _copy_native.remove_file(instance.iris(), path)
        elif instance.kind == "docker":
            container_id, dummy = _container_ref(instance.client, instance.container)
            gone = _remove_in_container(instance.client, container_id, path)
        else:
            try:
                os.remove(path)
            except OSError:
                pass  # gone or not: the check below says
            gone = not os.path.lexists(path)
        if not gone:
            left.append(path)
    return left
