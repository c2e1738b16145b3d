# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Files in and out of an instance reached over ``transport: native`` (docs/native-transport-design.md D12, §6): the
bytes travel through the Native API object of the module's one connection (``instance.iris()``, an ``iris.IRIS``)
into or out of a server-side ``%Stream.FileBinary`` linked to a file.  ``_copy`` dispatches here for
``instance.kind == "native"``; this file imports neither ``_copy`` nor the ``iris`` package.

* ``put_file(irs, src_path, dest_dir, dest_name, tmp_prefix, expected_checksum)``: the file lands under a temp name
  (``tmp_prefix`` + random + ``dest_name``) in ``dest_dir``, sent in chunks of ``CHUNK`` bytes and hashed on this
  host as they are sent; the server hashes what it stored (``SHAHashStream``); only when both hashes agree, and
  equal ``expected_checksum`` when one is given, is the temp file renamed onto ``dest_name``.  Otherwise the temp
  file is deleted and the error raised, so ``dest_name`` never holds other bytes;
* ``fetch_file(irs, src_path, dest_path)``: the server file to ``dest_path`` on this host (atomic, ``_files``),
  read in chunks while hashing, checked against the server's hash of the file; returns ``sha256:<hex>``;
* ``read_file(irs, path, max_bytes)``: the same into memory, for small files (``missing_file`` when absent).

Every IRIS call is one Native API round trip on the connection: ``classMethodObject`` / ``classMethodValue`` /
``classMethodBytes`` and ``invoke`` / ``invokeBytes`` of the object (iris-sources.md S34, WIRE §5).  Binary data
travel as 8-bit strings, one byte per character (WIRE §2: ``bytes`` go out as type 01).  The one value the wire
cannot tell apart is a one-byte chunk holding NUL, which is encoded like the empty string (WIRE §2: ``03 01 00``);
the chunk plan below never makes a one-byte chunk except for a one-byte file, and the server-side hash check refuses
whatever the wire lost.
"""

from __future__ import annotations

import hashlib
import os
import uuid

from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

CHUNK = 1024 * 1024  # ours: below the string limit; 3 MB values are confirmed on the wire (iris-sources.md WIRE §1)
STREAM_CLASS = "%Stream.FileBinary"  # iris-sources.md SFILEBIN, VSTREAM, IRISREF24
FILE_CLASS = "%Library.File"  # iris-sources.md IRISREF24, VSTREAM: Exists, DirectoryExists, Delete, Rename return 1/0
_HASH_BITS = 256  # iris-sources.md IRISREF24, SYSENC: SHAHashStream(256, stream) is SHA-256, one byte per character
_HINT_CONNECTION = ("check that the IRIS instance still runs and the connection's user may create files in the directory "
                    "(the instance writes them as its own OS user); run the task again")


def chunk_plan(size, chunk=CHUNK):
    """The chunk sizes for ``size`` bytes: ``chunk`` each, never a last chunk of one byte when ``size`` > 1 (a
    one-byte NUL is sent like the empty string, iris-sources.md WIRE §2)."""
    sizes = [chunk] * (size // chunk)
    rest = size % chunk
    if rest:
        sizes.append(rest)
    if len(sizes) > 1 and sizes[-1] == 1:
        sizes[-2:] = [sizes[-2] - 1, 2]
    return sizes


def _as_bytes(value):
    """A value the client returned for an 8-bit string (``invokeBytes``/``classMethodBytes`` give bytes)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray):
        return bytes(value)
    if value is None:
        return b""
    return str(value).encode("latin-1")


def _is_ok(status):
    """A %Status is OK when it is 1 (iris-sources.md §1.4, S8-S11)."""
    return str(status) == "1"


def _status_text(irs, status):
    """The text of an error %Status (iris-sources.md audit A13: $SYSTEM.Status.GetErrorText); best effort."""
    try:
        return str(irs.classMethodValue("%SYSTEM.Status", "GetErrorText", status))
    except Exception:  # pylint: disable=broad-except
        return "an error %Status"


def _check(irs, status, action, what, hint):
    if not _is_ok(status):
        raise IrisModuleError("Cannot %s: %s failed: %s" % (action, what, _status_text(irs, status)), hint=hint)


def _flag(irs, method, *args):
    """A ``%Library.File`` class method that returns 1/0 (iris-sources.md IRISREF24, VSTREAM)."""
    return str(irs.classMethodValue(FILE_CLASS, method, *args)) == "1"


def _native_error(action, exc, hint=_HINT_CONNECTION):
    """An error of the client (a ``RuntimeError`` with the server's text, iris-sources.md WIRE §5) as IrisModuleError."""
    if isinstance(exc, IrisModuleError):
        return exc
    return IrisModuleError("Cannot %s over the native connection: %s" % (action, str(exc) or type(exc).__name__), hint=hint)


def _close(obj):
    """Release the client's proxy of a server object (best effort; the client batches the release, WIRE §5)."""
    try:
        obj.close()
    except Exception:  # pylint: disable=broad-except
        pass


def _server_checksum(irs, stream, action):
    """``sha256:<hex>`` of the stream's whole content, computed by the server (iris-sources.md SYSENC, IRISREF24:
    SHAHashStream(bits, stream); VSTREAM only: it rewinds the stream and reads it to its end)."""
    digest = _as_bytes(irs.classMethodBytes("%SYSTEM.Encryption", "SHAHashStream", _HASH_BITS, stream))
    if len(digest) != 32:
        raise IrisModuleError("Cannot %s: the server's SHA-256 has %d bytes instead of 32." % (action, len(digest)),
                              hint="check that the instance is InterSystems IRIS with %SYSTEM.Encryption; report this")
    return "sha256:" + "".join("%02x" % byte for byte in bytearray(digest))


def _join(directory, name):
    return "%s/%s" % (directory.rstrip("/"), name) if directory.rstrip("/") else "/" + name


def put_file(irs, src_path, dest_dir, dest_name, tmp_prefix, expected_checksum=None):
    """Copy the host file ``src_path`` to ``dest_dir/dest_name`` on the server of ``irs``; return the bytes copied."""
    dest_path = _join(dest_dir, dest_name)
    action = "copy %s to %s" % (src_path, dest_path)
    if "/" in dest_name or dest_name in ("", ".", ".."):
        raise IrisModuleError("Cannot %s: dest_name must be a plain file name." % action, hint="pass the directory as dest_dir")
    if "*" in dest_path:
        # iris-sources.md VSTREAM: %File.Delete of a name with "*" deletes every file the wildcard matches.
        raise IrisModuleError("Cannot %s: the path contains '*', which the instance's file deletion treats as a wildcard." % action,
                              hint="use a directory and file name without '*'")
    try:
        handle = _files.open_source(src_path)
    except (IOError, OSError) as exc:
        raise IrisModuleError("Cannot %s: cannot read the source file: %s." % (action, exc.strerror or exc),
                              hint="check the path of the file on the host running the module", file_path=src_path)
    tmp_path = _join(dest_dir, "%s%s-%s" % (tmp_prefix, uuid.uuid4().hex[:12], dest_name))
    stream = None
    sent = 0
    with handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            # iris-sources.md IRISREF24, VSTREAM: LinkToFile of a file that does not exist yet writes into that file;
            # its %Status says when the name or the directory is invalid.
            stream = irs.classMethodObject(STREAM_CLASS, "%New")
            _check(irs, stream.invoke("LinkToFile", tmp_path), action, "linking a stream to %s" % tmp_path,
                   "check that dest_dir exists on the IRIS host and the instance may write there")
            digest = hashlib.sha256()
            # One Write even for an empty file: VSTREAM, a stream that was never written saves no file.
            for length in chunk_plan(size) or [0]:
                chunk = handle.read(length) if length else b""
                if len(chunk) != length:
                    raise IrisModuleError("Cannot %s: the file shrank during the copy (%d of %d bytes read)." % (action, sent + len(chunk), size),
                                          hint="do not modify the file while it is copied; run again")
                digest.update(chunk)
                _check(irs, stream.invoke("Write", chunk), action, "writing to %s" % tmp_path,
                       "check the free space and the permissions of %s on the IRIS host" % dest_dir)
                sent += length
            if handle.read(1):
                raise IrisModuleError("Cannot %s: the file grew during the copy." % action,
                                      hint="do not modify the file while it is copied; run again")
            # VSTREAM: %Save ends the write (closing an unsaved stream deletes what it wrote).
            _check(irs, stream.invoke("%Save"), action, "saving %s" % tmp_path, "check the free space on the IRIS host")
            local = "sha256:" + digest.hexdigest()
            server = _server_checksum(irs, stream, action)
            _close(stream)
            stream = None
            if expected_checksum and local != expected_checksum:
                raise _files.checksum_error(src_path, local, expected_checksum, copied=True)
            if server != local:
                raise IrisModuleError(
                    "Cannot %s: the server stored bytes with %s, the bytes sent have %s; the copy was removed and nothing "
                    "was installed." % (action, server, local),
                    hint="the connection or the server's disk altered the data; run again, and check the IRIS host's storage",
                    checksum=server, expected_checksum=local)
            # The rename replaces dest_name only with bytes whose hash matched.  Whether %File.Rename replaces an
            # existing file is in no source we have [inf], so an existing one is deleted first (never with other bytes).
            if _flag(irs, "Exists", dest_path) and not _flag(irs, "Delete", dest_path):
                raise IrisModuleError("Cannot %s: the existing %s cannot be deleted." % (action, dest_path),
                                      hint="check the permissions of %s on the IRIS host (the instance's OS user must own it)" % dest_path)
            if not _flag(irs, "Rename", tmp_path, dest_path):
                raise IrisModuleError("Cannot %s: renaming %s onto %s failed." % (action, tmp_path, dest_path),
                                      hint="check the permissions of %s on the IRIS host" % dest_dir)
        except Exception as exc:  # pylint: disable=broad-except
            if stream is not None:
                _close(stream)
            raise _cleanup(irs, tmp_path, _native_error(action, exc))
    return sent


def _cleanup(irs, tmp_path, error):
    """Delete the temp file of a failed copy; when that fails too, say where it stays (``partial_path``)."""
    try:
        gone = not _flag(irs, "Exists", tmp_path) or _flag(irs, "Delete", tmp_path)
    except Exception:  # pylint: disable=broad-except
        gone = False
    if not gone:
        error.details["partial_path"] = tmp_path
        error.msg = "%s The temp file %s (never the final name) may stay on the IRIS host; the next restore removes it." % (
            error.msg.rstrip(), tmp_path)
        error.args = (error.msg,)
    return error


def _open_for_read(irs, path, action, hint):
    """(stream, size) of the server file ``path``; IrisModuleError with ``missing_path`` when it does not exist."""
    if _flag(irs, "DirectoryExists", path):
        raise IrisModuleError("Cannot %s: %s is a directory on the IRIS host." % (action, path),
                              hint="give the path of a regular file", file_path=path)
    if not _flag(irs, "Exists", path):
        raise IrisModuleError("Cannot %s: %s does not exist on the IRIS host." % (action, path), hint=hint,
                              missing_path=path, missing_file=True)
    stream = irs.classMethodObject(STREAM_CLASS, "%New")
    _check(irs, stream.invoke("LinkToFile", path), action, "linking a stream to %s" % path, hint)
    return stream, int(stream.get("Size") or 0)  # iris-sources.md IRISREF24, VSTREAM: Size is the file's size


def _read_all(irs, stream, size, action, sink):
    """Read ``size`` bytes into ``sink(chunk)`` while hashing; check the end and the server's hash."""
    digest = hashlib.sha256()
    for length in chunk_plan(size):
        chunk = _as_bytes(stream.invokeBytes("Read", length))  # iris-sources.md IRISREF24, VSTREAM: at most len bytes
        if len(chunk) != length:
            raise IrisModuleError("Cannot %s: got %d bytes where %d were expected; the file changed during the copy."
                                  % (action, len(chunk), length), hint="do not modify the file while it is copied; run again")
        digest.update(chunk)
        sink(chunk)
    local = "sha256:" + digest.hexdigest()
    server = _server_checksum(irs, stream, action)
    if server != local:
        raise IrisModuleError("Cannot %s: the bytes received have %s, the server's file has %s." % (action, local, server),
                              hint="the file changed during the copy or the connection altered the data; run again")
    return local


def fetch_file(irs, src_path, dest_path):
    """Copy the server file ``src_path`` to ``dest_path`` on this host; return its ``sha256:<hex>``."""
    action = "copy %s from the IRIS host to %s" % (src_path, dest_path)
    stream = None
    try:
        stream, size = _open_for_read(irs, src_path, action, "check the path of the file on the IRIS host")
        with _files.atomic_output(dest_path) as out:
            def sink(chunk):
                try:
                    out.write(chunk)
                except (IOError, OSError) as exc:
                    raise _files.file_error("write", dest_path, exc)
            return _read_all(irs, stream, size, action, sink)
    except Exception as exc:  # pylint: disable=broad-except
        raise _native_error(action, exc)
    finally:
        if stream is not None:
            _close(stream)


def read_file(irs, path, max_bytes):
    """The bytes of the server's small file ``path`` (IrisModuleError with ``missing_file`` when it is absent)."""
    action = "read %s on the IRIS host" % path
    stream = None
    try:
        stream, size = _open_for_read(irs, path, action, "check the path (for a report: is the run collected yet?)")
        if size > max_bytes:
            raise IrisModuleError("Cannot %s: the file has %d bytes, more than the %d bytes allowed." % (action, size, max_bytes),
                                  hint="copy large files another way")
        parts = []
        _read_all(irs, stream, size, action, parts.append)
        return b"".join(parts)
    except Exception as exc:  # pylint: disable=broad-except
        raise _native_error(action, exc)
    finally:
        if stream is not None:
            _close(stream)


def temp_files(irs, directory, prefixes, remove):
    """``(found, left)``: the names of the files in the server directory ``directory`` whose names start with one of
    ``prefixes`` (leftovers of interrupted copies); with ``remove`` they are deleted and ``left`` is a fresh listing.
    The native twin of iris_fixture's shell listing (no command runs beside IRIS over native)."""
    found = _list_prefixed(irs, directory, prefixes)
    if not remove or not found:
        return found, ([] if remove else found)
    for name in found:
        if "*" not in name:  # iris-sources.md VSTREAM: Delete of a name with "*" deletes by wildcard
            _flag(irs, "Delete", _join(directory, name))  # 1/0; what stays is in the listing below
    return found, _list_prefixed(irs, directory, prefixes)


def _list_prefixed(irs, directory, prefixes):
    """Sorted names from ``%File:FileSet(directory, "<prefix>*;...")`` through a ``%ResultSet`` (iris-sources.md
    VSTREAM: the query and its columns Name, Type, ItemName; S8: %ResultSet Execute/Next/Get)."""
    action = "list the temp files in %s on the IRIS host" % directory
    try:
        if not _flag(irs, "DirectoryExists", directory):
            return []
        result = irs.classMethodObject("%Library.ResultSet", "%New", FILE_CLASS + ":FileSet")
        try:
            _check(irs, result.invoke("Execute", directory, ";".join(prefix + "*" for prefix in prefixes)), action,
                   "the FileSet query", "check that the connection's user may read %s on the IRIS host" % directory)
            names = []
            while str(result.invoke("Next")) == "1":
                name = str(result.invoke("Get", "ItemName"))
                if any(name.startswith(prefix) for prefix in prefixes):
                    names.append(name)
            return sorted(names)
        finally:
            _close(result)
    except Exception as exc:  # pylint: disable=broad-except
        raise _native_error(action, exc)


# -- a set of files in a new staging directory (_copy.put_tree / remove_tree over native) ---------------------------
def put_tree(irs, members, base_dir, stage_name, tmp_prefix):
    """Create ``base_dir/stage_name`` on the server and copy every member ``(local path, relative destination,
    checksum or None)`` under it with ``put_file`` (the server's SHA-256 checked against the member's checksum, or
    the controller's hash when it has none); return the directory's path.  On any failure the directory is removed
    (``remove_tree``) before the error is raised, so nothing stays behind.  ``members`` are already checked relative
    paths (``_copy._tree_member_path``)."""
    root = _join(base_dir, stage_name)
    action = "copy %d files to %s on the IRIS host" % (len(members), root)
    if "*" in root or any("*" in rel for dummy, rel, dummy2 in members):
        # iris-sources.md VSTREAM: %File.Delete of a name with "*" deletes every file the wildcard matches.
        raise IrisModuleError("Cannot %s: a path contains '*', which the instance's file deletion treats as a wildcard." % action,
                              hint="rename the files or the base directory so that no path contains '*'")
    try:
        if not _flag(irs, "DirectoryExists", base_dir):
            raise IrisModuleError("Cannot %s: the directory %s does not exist on the IRIS host." % (action, base_dir),
                                  hint="give a base directory that exists on the IRIS host and that the instance may write to")
        if _flag(irs, "Exists", root):
            raise IrisModuleError("Cannot %s: %s exists already." % (action, root), hint="run the task again (a new name is drawn)")
    except Exception as exc:  # pylint: disable=broad-except
        raise _native_error(action, exc)
    made = set()
    try:
        for src, rel, checksum in members:
            directory, dummy, name = ("/" + rel).rpartition("/")
            target = root + directory
            if target not in made:
                # iris-sources.md IRISREF24, S9: %File.CreateDirectoryChain creates the missing directories, returns 1/0.
                if not _flag(irs, "CreateDirectoryChain", target):
                    raise IrisModuleError("Cannot %s: creating the directory %s failed." % (action, target),
                                          hint="check the free space and that the instance's OS user may write to %s" % base_dir)
                made.add(target)
            put_file(irs, src, target, name, tmp_prefix, checksum)
    except Exception as exc:  # pylint: disable=broad-except
        error = _native_error(action, exc)
        if not remove_tree(irs, root):
            error.details["partial_path"] = root
            error.msg = "%s The staging directory %s may stay on the IRIS host; remove it by hand." % (error.msg.rstrip(), root)
            error.args = (error.msg,)
        raise error
    return root


def remove_tree(irs, root):
    """Remove the server directory ``root`` and what it holds (best effort); True when it is gone."""
    try:
        if not _flag(irs, "DirectoryExists", root):
            return True
        # iris-sources.md IRISREF24, S9: %File.RemoveDirectoryTree removes a directory with its contents (1/0).
        _flag(irs, "RemoveDirectoryTree", root)
        return not _flag(irs, "DirectoryExists", root)
    except Exception:  # pylint: disable=broad-except
        return False


def remove_file(irs, path):
    """Delete the server file ``path`` (best effort); True when it is gone afterwards (checked with ``Exists``)."""
    try:
        if not _flag(irs, "Exists", path):
            return True
        # iris-sources.md NF3 (IRISREF24, VSTREAM): %File.Exists and Delete return 1/0; the Exists afterwards is what counts.
        _flag(irs, "Delete", path)
        return not _flag(irs, "Exists", path)
    except Exception:  # pylint: disable=broad-except
        return False
