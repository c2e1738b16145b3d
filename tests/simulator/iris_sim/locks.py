# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The LOCK command's lock table: one per instance, shared by every process (``iris session``) of it.

Sources (InterSystems documentation):

* RCOS_clock https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=RCOS_clock and
  RCOS_clock_with_argument (same site, KEY=RCOS_clock_with_argument): ``LOCK +name`` applies a lock without
  releasing earlier ones and may be applied again to the same name (incremental); ``LOCK -name`` decrements the
  lock count and releases the lock when it reaches zero; a lock held by another process makes the request wait.
* RCOS_clock_timeout (KEY=RCOS_clock_timeout): ``:timeout`` in seconds; 0 (and anything below 0.01, and negative
  values) means one attempt; on success ``$TEST`` = 1, on timeout ``$TEST`` = 0; without a timeout the request
  waits indefinitely.
* ALOCK (KEY=ALOCK, "Locking and Concurrency Control"): the lock table is system-wide, and when a process ends the
  system releases every lock it owns.

Model: an exclusive ``fcntl.flock`` on ``<mgr>/sim-locks/<sha256 of the lock name>.lock``.  flock locks belong to
an open file description, so two simulator processes (``iris_sim.interp.Process``) conflict whether they run in two
OS processes or in one (tests), and the OS drops them when the process exits (ALOCK).  What this models is two
processes that hold or wait for a lock at the same time, as the tests drive them; it is not reached through ``iris
session`` in the container: ``cli.py`` holds the instance's ``session_lock`` for a whole session, so two sessions
never overlap and a session's locks are gone (released at its end, ALOCK) before the next one starts.  The lock
name is the namespace plus the evaluated reference, and LOCK outside ``%SYS`` is not modelled [inf: IRIS keys global
locks by the database the global maps to; the collection locks only in %SYS].  Only what the sources above give
is modelled; every other form (a lock without a timeout, which would wait indefinitely; lock types ``#"S"``...,
several names in parentheses, a LOCK without ``+``/``-``, local lock names, unlocking a name this process does not
hold) raises ``<COMMAND>`` with "not modelled".
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time

from iris_sim.errors import IrisError

POLL_SECONDS = 0.05  # how often a waiting request retries [inf: IRIS queues waiters; we poll]
MIN_TIMEOUT = 0.01   # RCOS_clock_timeout: "Any value smaller than :0.01 is parsed as zero"


def not_modelled(what: str):
    """A LOCK form the sources do not cover here: fail loudly (DESIGN.md)."""
    raise IrisError("COMMAND", f"simulator: {what} is not modelled")


class LockTable:
    """The locks one process holds: lock name -> [count, fd]."""

    def __init__(self, mgr_dir: str):
        self.directory = os.path.join(mgr_dir, "sim-locks")
        self.held: dict[str, list] = {}

    def _path(self, name: str) -> str:
        return os.path.join(self.directory, hashlib.sha256(name.encode("utf-8")).hexdigest() + ".lock")

    def acquire(self, name: str, timeout: float | None) -> bool:
        """``LOCK +name[:timeout]``: True when held (count incremented), False on timeout."""
        entry = self.held.get(name)
        if entry is not None:
            entry[0] += 1  # incremental lock of a name this process holds (RCOS_clock_with_argument)
            return True
        os.makedirs(self.directory, exist_ok=True)
        fd = os.open(self._path(name), os.O_RDWR | os.O_CREAT, 0o666)
        wait = None if timeout is None else (0.0 if timeout < MIN_TIMEOUT else float(timeout))
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                pause = POLL_SECONDS if deadline is None else max(0.0, min(POLL_SECONDS, deadline - time.monotonic()))
                time.sleep(pause)
                continue
            self.held[name] = [1, fd]
            return True

    def release(self, name: str) -> None:
        """``LOCK -name``: decrement; at zero the lock is released (RCOS_clock_with_argument)."""
        entry = self.held.get(name)
        if entry is None:
            not_modelled("LOCK - of a lock name this process does not hold")
        entry[0] -= 1
        if entry[0] <= 0:
            self._drop(name)

    def release_all(self) -> None:
        """Argumentless LOCK, and the end of the process (RCOS_clock; ALOCK)."""
        for name in list(self.held):
            self._drop(name)

    def _drop(self, name: str) -> None:
        count, fd = self.held.pop(name)
        del count
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
