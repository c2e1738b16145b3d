# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The instance lock of ``iris_fixture``: two runs that change fixtures of one instance from the same host are
serialized by a lock file (``fcntl.flock``) keyed by the instance's identity (``_instance.Instance.identity()``: for
Docker the engine's daemon ID, the container ID and the instance; never docker_host as written, issue 11 item 3) in
the private directory ``~/.cache/iris_devtools/fixtures/locks`` (0700) of the user running the module.  Another user
(a run with ``become`` and one without) has another home, so another lock directory: those runs are not serialized.

API::

    STATE_DIR = "~/.cache/iris_devtools/fixtures"   # the module's private state directory (also _fixture_cache's)
    lock_dir() -> path            # created 0700; refused when it is not a directory of the user running the module
    lock_path(key) -> path        # the lock file of an instance identity
    instance_lock(key, timeout)   # context manager: held exclusively, IrisModuleError after ``timeout`` seconds
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import time

from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

try:
    import fcntl
    HAS_FCNTL = True
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None
    HAS_FCNTL = False

# The module's state directory on the host that runs it: private (0700), under the user's home like iris_container's
# state_dir (~/.cache/iris_devtools/containers), never a predictable path in a world-writable /tmp (issue 11 item 3).
STATE_DIR = "~/.cache/iris_devtools/fixtures"
_LOCK_POLL = 0.2


def state_path(*parts):
    """A path under the module's state directory (expanded for the user running the module)."""
    return os.path.join(os.path.abspath(os.path.expanduser(STATE_DIR)), *parts)


def lock_dir():
    """The private directory of the fixture locks (created 0700; refused when others may write into it)."""
    return _files.private_dir(state_path("locks"), what="lock directory", contents="lock files")


def lock_path(key):
    """The lock file of ``key`` (an instance identity) in ``lock_dir()``."""
    return os.path.join(lock_dir(), "fixture-%s.lock" % hashlib.sha256(key.encode("utf-8")).hexdigest()[:32])


@contextlib.contextmanager
def instance_lock(key, timeout):
    """Serialize fixture changes to one instance from this host (see the module docstring).

    An exclusive ``flock`` on ``lock_path(key)``; the file is removed when released (the inode check makes a
    waiter that locked a removed file try again), so nothing stays.
    """
    if not HAS_FCNTL:
        yield
        return
    path = lock_path(key)
    deadline = time.monotonic() + max(1, timeout)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (IOError, OSError) as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise IrisModuleError("Cannot lock %s: %s." % (path, exc), hint="check the permissions of the lock directory")
            if time.monotonic() > deadline:
                raise IrisModuleError(
                    "Another iris_fixture run changes this instance and did not finish within %s seconds." % timeout,
                    hint="run the fixture tasks for one instance one after the other, or raise the timeout option",
                    lock_file=path)
            time.sleep(_LOCK_POLL)
            continue
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
