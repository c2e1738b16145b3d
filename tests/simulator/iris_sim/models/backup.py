# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``Backup.General`` external freeze/thaw (iris-sources.md §3.4 S21) and ``%SYSTEM.Monitor``.

Freeze model: physical database writes are suspended — sessions keep working, their changes go to
``mgr/sim-frozen/`` and reach the ``IRIS.DAT`` files at ``ExternalThaw`` (S21: "processes keep
updating memory").  Every mounted file's mount mark is flagged ``frozen`` while frozen, so a copy
taken during the freeze is a consistent snapshot that mounts elsewhere [inf].
"""

from __future__ import annotations

from iris_sim import faults
from iris_sim.errors import status_ok
from iris_sim.objects import SimClass, class_method, register
from iris_sim.models._common import OpError, require_sys


@register
class BackupGeneral(SimClass):
    """``Backup.General`` (S21)."""

    name = "Backup.General"
    source = "iris-sources.md §3.4 S21"

    @class_method("ExternalFreeze", source="S21")
    def freeze(cls, proc, log_file=None, text=None, switch_journal=None, timeout=None, *rest):  # pylint: disable=unused-argument
        """Suspend physical writes → %Status; already frozen → error [inf]."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "Backup.General.ExternalFreeze"):  # fault injection for tests (faults.py)
            return faults.fault_status("Backup.General.ExternalFreeze")
        inst = proc.instance
        if inst.runtime.get("frozen"):
            return OpError("The system is already frozen").status()
        inst.save()  # write what is pending, then freeze
        inst.runtime["frozen"] = True
        inst.set_frozen_marks(True)
        return status_ok()

    @class_method("ExternalThaw", source="S21")
    def thaw(cls, proc, log_file=None, text=None, *rest):  # pylint: disable=unused-argument
        """Resume writes, apply what was deferred → %Status; not frozen → error [inf]."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "Backup.General.ExternalThaw"):  # fault injection for tests (faults.py)
            return faults.fault_status("Backup.General.ExternalThaw")
        inst = proc.instance
        if not inst.runtime.get("frozen"):
            return OpError("The system is not frozen").status()
        inst.save()  # deferred writes of this session go to sim-frozen/ first
        inst.runtime["frozen"] = False
        inst.flush_pending()
        inst.set_frozen_marks(False)
        inst.reload_after_runtime()
        return status_ok()

    @class_method("IsWDSuspended", source="S21")
    def is_suspended(cls, proc):
        """1 while frozen."""
        require_sys(proc, cls.name)
        return 1 if proc.instance.runtime.get("frozen") else 0


@register
class Monitor(SimClass):
    """``%SYSTEM.Monitor``: ``State()`` 0 OK, 1 warning, 2 alert; iris-devtester also saw -1
    ("monitoring not configured") and 3 fatal (iris-sources.md LESSONS §1 readiness rows, §2.4); the 2024.1 class
    reference (IRISREF24) lists -1 as "System is hung" and no 3.  The simulator produces neither.
    The simulator reports 0 normally and 2 after an abnormal shutdown (iris-sources.md §0.12, S32)."""

    name = "%SYSTEM.Monitor"
    source = "iris-sources.md LESSONS §1, §2.4; iris-sources.md §0.12 (S32)"

    @class_method("State", source="iris-sources.md LESSONS §2.4 [IT]; IRISREF24 (%SYSTEM.Monitor.State: -1 hung, 0 OK, 1 warning, 2 alert)")
    def state(cls, proc):
        """The System Monitor state of the instance."""
        return proc.instance.monitor_state

    @class_method("SetState", source="iris-sources.md LESSONS §2.4 [DOC]")
    def set_state(cls, proc, value=0):
        """Reset/clear alerts → %Status."""
        proc.instance.set_monitor_state(int(value or 0))
        return status_ok()
