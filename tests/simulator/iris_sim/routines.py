# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Routine-label registry (DESIGN.md Contract 2).

::

    @routine_label("SystemPerformance", "run", source="S13", extrinsic=True)
    def sp_run(proc, profile):            # $$run^SystemPerformance("test")
        ...

Unknown routine → ``<NOROUTINE>``; unknown label in a known routine → ``<NOLINE>``.  Routine and
label names are case-sensitive, as in IRIS.  The label ``""`` stands for ``do ^Routine`` (the
routine's first line).  ``extrinsic=True`` marks a label that returns a value (``$$label^rtn``);
calling a non-extrinsic label as ``$$`` raises ``<COMMAND>`` [inf: IRIS raises an error when an
extrinsic call reaches a QUIT without an argument].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from iris_sim.errors import IrisError


@dataclass
class Label:
    """One registered label."""

    routine: str
    label: str
    fn: Callable
    source: str = ""
    extrinsic: bool = False


_ROUTINES: dict[str, dict[str, Label]] = {}
_USER_ROUTINES: list = []
"""Hooks ``fn(proc, routine, label, args, extrinsic, inside) -> (result, found)`` for routines loaded into a
namespace (userroutines.py): consulted when no Python routine has the name."""


def add_user_routines(fn: Callable) -> Callable:
    """Register a hook for loaded routines (userroutines.py)."""
    if fn not in _USER_ROUTINES:
        _USER_ROUTINES.append(fn)
    return fn


def routine_label(routine: str, label: str, source: str = "", extrinsic: bool = False):
    """Decorator registering ``fn(proc, *args)`` as ``label^routine``."""
    def decorate(fn):
        _ROUTINES.setdefault(routine, {})[label] = Label(routine, label, fn, source, extrinsic)
        return fn
    return decorate


def routine_exists(routine: str) -> bool:
    """True when any label of ``routine`` is registered."""
    return routine in _ROUTINES


def find_label(routine: str, label: str = "") -> Label:
    """The registered ``label^routine``; raise ``<NOROUTINE>`` / ``<NOLINE>``."""
    labels = _ROUTINES.get(routine)
    if labels is None:
        raise IrisError("NOROUTINE", f"^{routine}")
    entry = labels.get(label)
    if entry is None:
        raise IrisError("NOLINE", f"{label}^{routine}")
    return entry


def call_label(proc, routine: str, label: str, args=(), extrinsic: bool = False, inside: bool = False):
    """Run ``label^routine(args)``; with ``extrinsic`` the call must yield a value.  A routine no Python model
    registers is looked up among the namespace's loaded routines (``inside``: the call comes from that routine)."""
    if routine not in _ROUTINES:
        for hook in _USER_ROUTINES:
            result, found = hook(proc, routine, label, args, extrinsic, inside)
            if found:
                return "" if result is None else result
    entry = find_label(routine, label)
    result = entry.fn(proc, *args)
    if extrinsic:
        if not entry.extrinsic and result is None:
            raise IrisError("COMMAND", f"{label}^{routine}")  # [inf] QUIT without value in $$ call
        return "" if result is None else result
    return result


def unregister_routine(routine: str) -> None:
    """Remove a routine (tests only)."""
    _ROUTINES.pop(routine, None)
