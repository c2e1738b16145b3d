# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fault injection: make a named class method FAIL a given number of times (tests only).

Not an IRIS feature.  It exists so tests can provoke "an IRIS error in the middle of a restore"
(issue #5 item 7) at an exact step and check that the collection rolls everything back.

* The switch is a file in the instance: ``<mgr>/sim-faults.json``, a JSON object
  ``{"<Class>.<Method>": <count>, ...}``, e.g. ``{"Config.Namespaces.Create": 1}``.
  Tests write it directly (in-process) or with ``docker exec <c> sh -c 'echo ... > <mgr>/sim-faults.json'``.
* Each call of a listed method that is wired to ``trip()`` consumes one count and returns an error
  instead of doing its work: an error ``%Status`` ``ERROR #5001: Simulated fault (sim-faults.json):
  <Class>.<Method>`` for methods returning ``%Status``, ``0`` for the boolean ``%File`` methods.  At
  count 0 the entry is removed (the file is deleted when empty).
* A fault can only turn success into failure: ``trip()`` is called before the method does anything,
  and a tripped method changes no state.  Nothing here can make the simulator accept a call it would
  otherwise refuse.  An unreadable or malformed file injects nothing (and is left alone).

Methods wired to faults (in their models): ``Config.Databases.Create/Delete``,
``Config.Namespaces.Create/Delete``, ``SYS.Database.MountDatabase/DismountDatabase/DeleteDatabase``,
``Backup.General.ExternalFreeze/ExternalThaw``, ``%Library.File.CreateDirectoryChain/RemoveDirectoryTree/CopyFile/Rename``.
"""

from __future__ import annotations

import json
import os

FAULTS_FILE = "sim-faults.json"
FAULT_STATUS_CODE = 5001


def faults_path(instance) -> str:
    """``<mgr>/sim-faults.json`` of ``instance``."""
    return os.path.join(instance.mgr_dir, FAULTS_FILE)


def _read(path: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def set_fault(instance, member: str, count: int = 1) -> None:
    """Arm ``member`` (``"Class.Method"``) to fail ``count`` times (tests)."""
    path = faults_path(instance)
    data = _read(path) or {}
    data[member] = int(count)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)


def pending(instance) -> dict:
    """The armed faults (``{}`` when none)."""
    return _read(faults_path(instance)) or {}


def trip(proc, member: str) -> bool:
    """True (and one count consumed) when ``member`` is armed to fail now."""
    instance = getattr(proc, "instance", proc)
    path = faults_path(instance)
    if not os.path.exists(path):
        return False
    data = _read(path)
    if not data:
        return False
    try:
        count = int(data.get(member, 0))
    except (TypeError, ValueError):
        return False
    if count <= 0:
        return False
    count -= 1
    if count:
        data[member] = count
    else:
        data.pop(member, None)
    if data:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
    else:
        os.remove(path)
    return True


def fault_status(member: str) -> str:
    """The error %Status a tripped method returns."""
    from iris_sim.errors import status_error  # pylint: disable=import-outside-toplevel
    return status_error(FAULT_STATUS_CODE, f"Simulated fault (sim-faults.json): {member}")
