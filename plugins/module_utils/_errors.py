# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The collection's one exception type and its one ``fail_json`` site.
Every failure says what went wrong (``msg``) and how to fix it (``hint``); the user sees
``"<msg, ending its sentence> Fix: <hint>"`` (``full_message``).
"""

from __future__ import annotations


_SENTENCE_END = (".", "!", "?")
_CLOSERS = "\"')]"


def end_sentence(text):
    """``text`` ending its sentence: a period added when it does not end with . ! or ? (never doubled).

    Trailing blanks and a dangling ':', ';' or ',' are dropped first; a closing quote or bracket after the
    punctuation (``... "stop."``) counts as an ended sentence.
    """
    text = (text or "").rstrip()
    if not text:
        return text
    if text.rstrip(_CLOSERS).endswith(_SENTENCE_END):
        return text
    return text.rstrip(" :;,") + "."


def full_message(msg, hint=None):
    """What the user reads: ``msg`` alone, or ``msg`` ending its sentence followed by ``Fix: hint``."""
    if not hint:
        return msg
    return "%s Fix: %s" % (end_sentence(msg), hint.strip())


class IrisModuleError(Exception):
    """A failure a module reports to the user.

    ``msg`` says what went wrong, ``hint`` how to fix it.  ``details`` are extra
    result keys (never secrets): an IRIS error name, the last log lines, ...
    """

    def __init__(self, msg, hint=None, **details):
        super(IrisModuleError, self).__init__(msg)
        self.msg = msg
        self.hint = hint
        self.details = details

    def as_result(self):
        result = dict(self.details)
        if self.hint:
            result["hint"] = self.hint
        result["msg"] = full_message(self.msg, self.hint)
        return result


def fail(module, error, **result):
    """The single place where a module turns an IrisModuleError into fail_json."""
    merged = dict(result)
    merged.update(error.as_result())
    if "path" in merged:
        # AnsibleModule adds the file attributes of a result's 'path' (and overwrites 'state'): keep it apart.
        merged.setdefault("file_path", merged.pop("path"))
    module.fail_json(**merged)
