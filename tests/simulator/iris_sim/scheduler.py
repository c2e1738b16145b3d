# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Task Manager's scheduler thread, started by ``iris-main`` once logons are enabled.

IRIS's Task Manager polls once every 60 seconds, so a "run now" task may start up to a minute later
(iris-sources.md §0.3; S1).  The simulator polls every IRIS_SIM_TASK_POLL seconds (default 1) so that
tests do not wait a minute; callers must still treat RunNow as asynchronous (S1, S8).

Each poll takes the instance's session lock (one mutator at a time, DESIGN.md Contract 3), reloads the
state, lets the task model run what is due and saves.  Which tasks are due and what running one does
is the task model's business (MODELS, ``%SYS.Task``); this module only provides the clock.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime

from iris_sim.models import tasks


def poll_interval() -> float:
    try:
        return max(0.05, float(os.environ.get("IRIS_SIM_TASK_POLL", "1")))
    except ValueError:
        return 1.0


class TaskScheduler:
    """Background thread running due Task Manager tasks."""

    def __init__(self, inst, mgr: str | None = None, poll: float | None = None, log=None):
        self.inst = inst
        self.mgr = mgr
        self.poll = poll if poll is not None else poll_interval()
        self.log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="taskmgr", daemon=True)
        self.runs = 0
        self.last_error = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def run_once(self, now: datetime | None = None) -> int:
        """One poll; returns how many tasks ran."""
        now = now or datetime.now()
        with self.inst.session_lock():
            self.inst.reload()
            count = len(tasks.run_due_tasks(self.inst, now))
            if count:
                self.inst.save()
        self.runs += count
        return count

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.run_once()
                self.last_error = None
            except Exception as exc:  # keep polling; report each new error once
                if str(exc) != str(self.last_error) and self.log:
                    self.log("TASKMGR: %s" % exc)
                self.last_error = exc
                time.sleep(0)
