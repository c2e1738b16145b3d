# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The generic file layer on the host that runs the module: streaming SHA-256, atomic copies/writes (temp name in
the target directory + fsync + rename; nothing left behind on failure) and private state directories.  No IRIS,
no Docker, no fixture concern (the manifest and ``validate_fixture`` are ``_manifest``'s): any file may import it.

API (used by ``_manifest.py``, ``_fixture*.py``, ``_copy.py`` and ``_docker.py``; names are stable)::

    CHUNK_SIZE = 4 * 1024 * 1024
    sha256_file(path, chunk_size=None, cancel=None) -> "sha256:<hex>" (None when ``cancel`` was set)
    Sha256Job(path)                       # the same in a background thread: .result() waits, .cancel() stops it
    checksum_error(dat_path, actual, expected, copied=False) -> IrisModuleError
    open_source(path) -> binary file      # the one place this module and _copy.upload_file open a file they read
                                          # (sha256_file, copy_atomic, uploads; tests wrap it to count or alter reads)
    StreamDigest()                        # .update(chunk) as chunks pass, .checksum() -> "sha256:<hex>", .close()
    copy_atomic(src, dest, owner=None, group=None, mode=None, expected_checksum=None) -> "sha256:<hex>"
        # owner/group: name or numeric id; mode: int or octal string ("0660"); the bytes are hashed as they
        # are copied (one read of src) and their SHA-256 returned; with expected_checksum dest is written only
        # when they match
    write_bytes_atomic(path, data, mode=None) -> None
    file_error(action, path, os_error) -> IrisModuleError   # "Cannot <action> <path>: <strerror>." + a fix (ENOSPC, EACCES, ENOENT)
    atomic_output(dest, mode=None)  # context manager: yields a binary file on a temp name next to dest;
                                    # on success fsync + rename onto dest, on any exception the temp file is removed
    TEMP_PREFIX = ".iris-devtools-tmp-"   # every temp file this module creates starts with it
    private_dir(path, what, contents) -> path   # a directory only the user running the module may enter (0700, created)

The ``sha256sum`` CLI is about 5 times slower here than hashlib with large chunks (issue #5), so
hashing never shells out.
"""

from __future__ import annotations

import contextlib
import errno
import grp
import hashlib
import os
import pwd
import queue
import shutil
import stat
import tempfile
import threading

from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import IRISOWNER, IRISOWNER_UID
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

CHUNK_SIZE = 4 * 1024 * 1024
TEMP_PREFIX = ".iris-devtools-tmp-"


def file_error(action, path, exc, hint=None):
    code = getattr(exc, "errno", None)
    text = getattr(exc, "strerror", None) or str(exc)
    if hint is None:
        if code == errno.ENOSPC:
            hint = "free space on the file system holding %s (or choose another directory)" % path
        elif code in (errno.EACCES, errno.EPERM):
            hint = "run with a user allowed to write %s (become: true), or choose another path" % path
        elif code == errno.ENOENT:
            hint = "check the path; the file or its directory does not exist"
        else:
            hint = "see the system error above"
    return IrisModuleError("Cannot %s %s: %s." % (action, path, text), hint=hint, file_path=path)


def sha256_file(path, chunk_size=None, cancel=None):
    """Return ``"sha256:<hex>"`` of the whole file, read in ``chunk_size`` chunks (never all in memory).

    ``cancel`` (a ``threading.Event``): checked before every chunk; once set, reading stops and the
    result is None (``Sha256Job.cancel``).
    """
    chunk_size = chunk_size or CHUNK_SIZE
    digest = hashlib.sha256()
    buf = bytearray(chunk_size)
    view = memoryview(buf)
    try:
        with open_source(path) as handle:
            while True:
                if cancel is not None and cancel.is_set():
                    return None
                count = handle.readinto(buf)
                if not count:
                    break
                digest.update(view[:count])
    except (IOError, OSError) as exc:
        raise file_error("read", path, exc)
    return "sha256:" + digest.hexdigest()


def start_daemon(target, name):
    """Start ``target`` in a daemon thread called ``name`` (it never keeps the module process alive) and return it."""
    thread = threading.Thread(target=target, name=name)
    thread.daemon = True
    thread.start()
    return thread


class Sha256Job(object):
    """``sha256_file(path)`` in a background thread, so that hashing on this host overlaps other work
    (``iris_fixture`` reads the instance meanwhile; issue #5 item 9).

    ``result()`` waits for the thread and returns the checksum or raises its IrisModuleError;
    ``cancel()`` makes the thread stop before its next chunk and waits for it (so no file stays open),
    after which ``result()`` returns None.  The thread is a daemon: it never keeps the process alive.
    """

    def __init__(self, path):
        self.path = path
        self._cancel = threading.Event()
        self._value = None
        self._error = None
        self._thread = start_daemon(self._work, "iris-devtools-sha256")

    def _work(self):
        try:
            self._value = sha256_file(self.path, cancel=self._cancel)
        except IrisModuleError as exc:
            self._error = exc
        except Exception as exc:  # pylint: disable=broad-except  # reported by result() in the caller's thread
            self._error = IrisModuleError("Cannot compute the SHA-256 of %s: %s" % (self.path, exc),
                                          hint="check that the file is readable", file_path=self.path)

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self):
        self._cancel.set()
        self._thread.join()


def checksum_error(dat_path, actual, expected, copied=False):
    """The "Checksum mismatch" IrisModuleError; ``copied``: computed over the bytes a copy sent (issue 11 item 2)."""
    if copied:
        return IrisModuleError(
            "Checksum mismatch for %s: the bytes copied have %s, the manifest says %s; the copy was removed and nothing "
            "was installed." % (dat_path, actual, expected),
            hint="the file is corrupt, belongs to another fixture or changed during the copy; do not modify a fixture while "
                 "it is restored, copy it again from its source or export it again",
            file_path=dat_path, checksum=actual, expected_checksum=expected)
    return IrisModuleError("Checksum mismatch for %s: the file has %s, the manifest says %s." % (dat_path, actual, expected),
                           hint="the file is corrupt or belongs to another fixture; copy the fixture again from its source or export it again",
                           file_path=dat_path, checksum=actual, expected_checksum=expected)


def open_source(path):
    """Open a file this module reads (binary, unbuffered): the source of a copy or a hash.  The one place where
    ``sha256_file``, ``copy_atomic`` and ``_copy.upload_file`` open what they read (tests wrap it)."""
    return open(path, "rb", buffering=0)


class StreamDigest(object):
    """SHA-256 of the chunks a copy sends, computed in a helper thread as they pass (issue 11 item 2: hash the bytes
    that are sent, in the same read).  ``hashlib`` releases the GIL on large buffers, so hashing one chunk overlaps
    sending or writing it; at most ``depth`` chunks wait (bounded memory).

    ``update(chunk)`` hands a chunk over; ``checksum()`` waits for the thread and returns ``"sha256:<hex>"``;
    ``close()`` (idempotent) stops the thread without a result (a failed copy)."""

    def __init__(self, depth=4):
        self._queue = queue.Queue(maxsize=depth)
        self._digest = hashlib.sha256()
        self._error = None
        self._done = False
        self._thread = start_daemon(self._work, "iris-devtools-sha256-stream")

    def _work(self):
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            try:
                self._digest.update(chunk)
            except Exception as exc:  # pylint: disable=broad-except  # reported by checksum() in the caller's thread
                self._error = exc

    def update(self, chunk):
        self._queue.put(chunk)

    def close(self):
        if not self._done:
            self._done = True
            self._queue.put(None)
            self._thread.join()

    def checksum(self):
        self.close()
        if self._error is not None:
            raise IrisModuleError("Cannot compute the SHA-256 of the copied bytes: %s." % self._error, hint="see the error text; run again")
        return "sha256:" + self._digest.hexdigest()


def _resolve_id(value, lookup, what, hint):
    """-1 (unchanged) for None/"", the number for an int or digits, else ``lookup(value)`` (pwd/grp by name)."""
    if value is None or value == "":
        return -1
    if isinstance(value, int) or str(value).isdigit():
        return int(value)
    try:
        return lookup(value)
    except KeyError:
        raise IrisModuleError("Unknown %s %r." % (what, value), hint=hint)


def _resolve_ids(owner, group):
    uid = _resolve_id(owner, lambda name: pwd.getpwnam(name).pw_uid, "user",
                      "give an existing user name or a numeric uid (e.g. %d for %s)" % (IRISOWNER_UID, IRISOWNER))
    gid = _resolve_id(group, lambda name: grp.getgrnam(name).gr_gid, "group", "give an existing group name or a numeric gid")
    return uid, gid


def _parse_mode(mode):
    if mode is None or isinstance(mode, int):
        return mode
    try:
        return int(str(mode), 8)
    except ValueError:
        raise IrisModuleError("Invalid file mode %r." % (mode,), hint="give an octal mode such as '0660'")


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


@contextlib.contextmanager
def atomic_output(dest, mode=None, owner=None, group=None):
    """Write ``dest`` atomically: yield a binary file opened on a temp name in dest's directory.

    On normal exit: flush, fsync, chown/chmod (if asked), rename onto ``dest``, fsync the directory.
    On any exception: the temp file is closed and removed, the exception propagates, ``dest`` is
    untouched.
    """
    directory = os.path.dirname(os.path.abspath(dest))
    mode = _parse_mode(mode)
    uid, gid = _resolve_ids(owner, group)
    if not os.path.isdir(directory):
        raise IrisModuleError("Cannot write %s: the directory %s does not exist." % (dest, directory),
                              hint="create the directory first or choose an existing one", file_path=dest)
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    except OSError as exc:
        raise file_error("create a temporary file in", directory, exc)
    handle = os.fdopen(fd, "wb")
    try:
        try:
            yield handle
        except BaseException:
            # The caller's failure (a read error, a lost connection, ...): propagate it unchanged.
            handle.close()
            _remove_quietly(tmp)
            raise
        try:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            if uid != -1 or gid != -1:
                os.chown(tmp, uid, gid)
            if mode is not None:
                os.chmod(tmp, mode)
            elif os.path.exists(dest):
                os.chmod(tmp, os.stat(dest).st_mode & 0o7777)
            else:
                # mkstemp creates 0600; give a new file the usual umask-based mode.
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.rename(tmp, dest)
        except (IOError, OSError) as exc:
            raise file_error("write", dest, exc)
        _fsync_dir(directory)
    finally:
        if not handle.closed:
            try:
                handle.close()
            except OSError:
                pass
        if os.path.exists(tmp):
            _remove_quietly(tmp)


def write_bytes_atomic(path, data, mode=None):
    """Write ``data`` to ``path`` atomically (see ``atomic_output``)."""
    with atomic_output(path, mode=mode) as handle:
        handle.write(data)


def _copy_and_hash(src_handle, dest_handle):
    """Copy in CHUNK_SIZE chunks, hashing what is written in the same read; return ``"sha256:<hex>"``."""
    digest = StreamDigest()
    try:
        while True:
            chunk = src_handle.read(CHUNK_SIZE)
            if not chunk:
                break
            digest.update(chunk)
            dest_handle.write(chunk)
    finally:
        digest.close()
    return digest.checksum()


def copy_atomic(src, dest, owner=None, group=None, mode=None, expected_checksum=None):
    """Copy ``src`` to ``dest`` atomically, then set owner/group/mode (used for ``transport: local``).

    The copy goes to a temp name in dest's directory (so the rename is atomic), is fsynced, gets
    its owner and mode, and is renamed onto ``dest``.  On any failure the temp file is removed and
    ``dest`` is untouched.  Free space is checked first so a full disk fails before copying.
    The bytes are hashed as they are copied (one read of ``src``, issue 11 item 2) and their SHA-256
    (``"sha256:<hex>"``) is returned.  With ``expected_checksum`` ``dest`` is written only when they match
    (else the "Checksum mismatch" error; the temp file is removed).
    """
    try:
        size = os.path.getsize(src)
    except OSError as exc:
        raise file_error("read", src, exc)
    directory = os.path.dirname(os.path.abspath(dest))
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        free = None
    if free is not None and free < size:
        raise IrisModuleError("Not enough space to copy %s (%d bytes) to %s: %d bytes free." % (src, size, dest, free),
                              hint="free space on the file system holding %s, or choose another directory" % directory,
                              file_path=dest, size_bytes=size, free_bytes=free)
    try:
        src_handle = open_source(src)
    except (IOError, OSError) as exc:
        raise file_error("read", src, exc)
    with src_handle:
        try:
            with atomic_output(dest, mode=mode, owner=owner, group=group) as dest_handle:
                actual = _copy_and_hash(src_handle, dest_handle)
                if expected_checksum and actual != expected_checksum:
                    raise checksum_error(src, actual, expected_checksum, copied=True)
        except (IOError, OSError) as exc:
            raise file_error("copy %s to" % src, dest, exc)
    return actual


def private_dir(path, what="state directory", contents="files the collection creates again"):
    """Create ``path`` (and its parents) as a directory only the user running the module may enter; return it.

    Refused (IrisModuleError) when it is not a directory owned by that user (a link, another user's directory); a
    directory others may enter or write into is made 0700 again (issue 11 item 3: never a predictable path in a
    world-writable place)."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    except OSError as exc:
        raise IrisModuleError("Cannot create the %s %s: %s." % (what, path, exc.strerror or exc),
                              hint="make the home directory of the user running the module writable, or run as another user")
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        raise IrisModuleError("The %s %s is not a directory owned by the user running the module." % (what, path),
                              hint="remove it (it holds only %s) and run again" % contents)
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path
