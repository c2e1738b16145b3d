# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IRIS runtime errors and ``%Status`` values (DESIGN.md Contract 1; iris-sources.md §1.4, S8-S11).

A ``%Status`` is ``1`` when OK (iris-sources.md §1.4, S8-S11).  An error status is a string starting with
``"0 "`` followed by a ``$ListBuild`` of one ``$ListBuild(code, text, param1, ...)`` per error.  Real
IRIS also starts error statuses with ``"0 "`` and a ``$ListBuild``; the inner layout here is our own
format [inf].
"""

from __future__ import annotations

# Numeric codes reported by %Exception.SystemException.Code and $ZERROR-based tooling.
# [inf] recollection of the IRIS "System Error Messages" table; not verified on a live instance.
ERROR_CODES = {
    "SYNTAX": 8,
    "UNDEFINED": 9,
    "NOLINE": 16,
    "NOROUTINE": 16,
    "DIVIDE": 18,
    "INVALID OREF": 22,
    "SUBSCRIPT": 25,
    "COMMAND": 40,
    "FUNCTION": 41,
    "NAMESPACE": 48,
    "CLASS DOES NOT EXIST": 122,
    "METHOD DOES NOT EXIST": 123,
    "PROPERTY DOES NOT EXIST": 124,
    "CANNOT SET THIS PROPERTY": 133,
    "NO CURRENT OBJECT": 139,
    "ILLEGAL VALUE": 26,
    "INVALID CLASS": 99,
    "OBJECT DISPATCH": 134,
    "LIST": 82,
    "PROTECT": 13,
}

# Texts of the %Status codes the simulator produces.  [inf] wording modelled on IRIS's messages;
# match on codes, never on text (iris-sources.md §1.4, S10).
STATUS_MESSAGES = {
    5001: "%1",
    5002: "ObjectScript error: %1",
    5803: "Invalid namespace name: %1",
    5809: "Object to Load not found, class '%1', ID '%2'",
    5659: "Property '%1' required",
    5805: "ID key not unique for extent '%1'",
}


def _strip_brackets(name: str) -> str:
    name = name.strip()
    if name.startswith("<") and name.endswith(">"):
        name = name[1:-1]
    return name


class IrisError(Exception):
    """An IRIS runtime error such as ``<UNDEFINED> *x``.

    ``name`` may be given with or without the angle brackets; ``.name`` is without them and
    ``.iris_name`` with them (``<UNDEFINED>``).  ``detail`` is the text after ``*``; ``location``
    is ``label+offset^routine`` (empty in direct mode, as in the terminal).
    """

    def __init__(self, name: str, detail: str = "", location: str = ""):
        self.name = _strip_brackets(name)
        self.detail = "" if detail is None else str(detail)
        self.location = location or ""
        super().__init__(str(self))

    @property
    def iris_name(self) -> str:
        """The error name with brackets, as ``%Exception.SystemException.Name`` holds it [inf]."""
        return f"<{self.name}>"

    @property
    def code(self) -> int:
        """The numeric error code [inf] (see ``ERROR_CODES``)."""
        return ERROR_CODES.get(self.name, 0)

    def __str__(self) -> str:
        # IRIS shape: <NAME>location *detail ; direct mode has no location: "<UNDEFINED> *x".
        text = f"<{self.name}>{self.location}"
        if self.detail:
            text += f" *{self.detail}"
        return text


# ---------------------------------------------------------------------------------------------
# %Status values
# ---------------------------------------------------------------------------------------------

def status_ok() -> int:
    """The OK status: ``1`` (iris-sources.md §1.4, S8-S11)."""
    return 1


def _format_message(code: int, params) -> str:
    template = STATUS_MESSAGES.get(int(code), "%1")
    text = template
    for index, param in enumerate(params, start=1):
        text = text.replace(f"%{index}", "" if param is None else str(param))
    # Unused placeholders disappear [inf].
    for index in range(len(params) + 1, 10):
        text = text.replace(f"%{index}", "")
    return text


def status_error(code: int, *params) -> str:
    """An error status for ``code`` (e.g. 5001) with message parameters (own format, see module doc)."""
    from iris_sim import values  # pylint: disable=import-outside-toplevel

    code = int(code)
    text = _format_message(code, params)
    entry = values.list_build([code, text] + ["" if p is None else str(p) for p in params])
    return "0 " + values.list_build([entry])


def status_from_error(error: IrisError) -> str:
    """Wrap a runtime error in a %Status (``ERROR #5002: ObjectScript error: <...>``) [inf]."""
    return status_error(5002, str(error))


def is_error(sc) -> bool:
    """True when ``sc`` is not an OK status (``$SYSTEM.Status.IsError``; S8-S11).

    Anything whose numeric value is not 1 is treated as an error [inf]: IRIS's ``IsOK`` checks
    ``+sc`` (an error status starts with ``"0 "``).
    """
    from iris_sim import values  # pylint: disable=import-outside-toplevel

    return values.to_num(sc) != 1


def status_entries(sc) -> list[tuple[int, str]]:
    """``[(code, text), ...]`` of an error status; ``[]`` for OK or a foreign value."""
    from iris_sim import values  # pylint: disable=import-outside-toplevel

    if not is_error(sc):
        return []
    text = values.to_str(sc)
    if not text.startswith("0 "):
        return [(5001, text)]  # [inf] a bare 0 or junk: treated as an unspecified error
    try:
        outer = values.list_items(text[2:])
        result = []
        for entry in outer:
            inner = values.list_items(values.to_str(entry))
            result.append((int(values.to_num(inner[0])), values.to_str(inner[1])))
        return result
    except (ValueError, IndexError, IrisError):
        return [(5001, text[2:])]


def status_text(sc) -> str:
    """``ERROR #5001: message`` (several errors joined with ``+``-free line breaks like IRIS [inf])."""
    entries = status_entries(sc)
    return "\r\n".join(f"ERROR #{code}: {text}" for code, text in entries)


def status_codes(sc) -> str:
    """``$SYSTEM.Status.GetErrorCodes``: the codes joined with ``,`` [inf]."""
    return ",".join(str(code) for code, _text in status_entries(sc))


class SessionEnd(Exception):
    """The process ends: ``halt`` (code 0) or ``%SYSTEM.Process.Terminate(,code)`` (iris-sources.md §4.1)."""

    def __init__(self, exit_code: int = 0):
        self.exit_code = int(exit_code)
        super().__init__(f"session ended with exit code {self.exit_code}")


class ThrowSignal(Exception):
    """An ObjectScript ``throw`` of an exception object (a ``SimObject``) in flight."""

    def __init__(self, exception_object):
        self.exception_object = exception_object
        super().__init__(str(exception_object))
