# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the models: errors as %Status, boolean validation, by-ref arrays, %SYS-only classes."""

from __future__ import annotations

from iris_sim import values
from iris_sim.errors import IrisError, status_error, status_ok
from iris_sim.objects import ByRef


class OpError(Exception):
    """A model operation failed with ``ERROR #code: text`` (turned into a %Status by the caller)."""

    def __init__(self, text: str, code: int = 5001, *params):
        self.code = code
        self.params = params or (text,)
        self.text = text
        super().__init__(f"ERROR #{code}: {text} {params or ''}".rstrip())

    def status(self) -> str:
        """The %Status value (``status_error(code, *params)``)."""
        return status_error(self.code, *self.params)


def as_status(fn, *args, **kwargs):
    """Run ``fn``; ``OpError`` → error %Status, else ``$$$OK``."""
    try:
        fn(*args, **kwargs)
    except OpError as exc:
        return exc.status()
    return status_ok()


def require_sys(proc, class_name: str) -> None:
    """Classes without a ``%`` package (``Config.*``, ``SYS.*``, ``Security.*``, ``Backup.*``) live in
    %SYS and are not visible elsewhere (iris-sources.md §0.2, S8-S10): ``<CLASS DOES NOT EXIST>``."""
    namespace = getattr(proc, "namespace", "%SYS")
    if values.to_str(namespace).upper() != "%SYS":
        raise IrisError("CLASS DOES NOT EXIST", class_name)


def instance_of(proc):
    """The ``Instance`` of a process."""
    return proc.instance


def to_boolean(value, prop: str) -> int:
    """%Boolean validation: 0 or 1 (numbers or their strings); else #5001 "not a valid boolean"
    (iris-sources.md §6 S10: ``ChangePassword="newpass"`` fails with #5001)."""
    text = values.to_str(value).strip()
    if text in ("0", "1"):
        return int(text)
    raise OpError(f"Datatype value '{values.to_str(value)}' is not a valid boolean for property {prop}")


def to_integer(value, prop: str, minimum=None, maximum=None) -> int:
    """%Integer validation [inf]: canonical integer (``""`` not allowed here)."""
    text = values.to_str(value).strip()
    try:
        number = int(text)
    except ValueError as exc:
        raise OpError(f"Datatype value '{text}' is not a valid integer for property {prop}") from exc
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise OpError(f"Datatype value '{text}' is out of range for property {prop}")
    return number


def byref_props(ref) -> dict:
    """First-level subscripts of a by-ref array ``.p`` as ``{name: value}``.

    A non-ByRef argument (e.g. a %Status passed by value, iris-sources.md LESSONS §4.7) or an
    undefined array gives ``{}``.
    """
    if not isinstance(ref, ByRef):
        return {}
    out = {}
    sub = ref.order("")
    while sub != "":
        value = ref.get(sub)
        if value is not None:
            out[values.to_str(sub)] = value
        sub = ref.order(sub)
    return out


def fill_byref(ref, props: dict) -> None:
    """``kill p`` then ``set p(name)=value`` for each entry (the ``Get(Name,.Properties)`` pattern)."""
    if not isinstance(ref, ByRef):
        return
    ref.kill()
    for key, value in props.items():
        ref.set(values.normalise(value), key)


def set_byref(ref, value) -> None:
    """Set the unsubscripted value of an output argument (ignored when not passed by reference)."""
    if isinstance(ref, ByRef):
        ref.value = value
