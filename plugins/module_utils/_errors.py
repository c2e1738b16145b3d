# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The collection's one exception type and its one ``fail_json`` site.
Every failure says what went wrong (``msg``) and how to fix it (``hint``).
"""

from __future__ import annotations


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
        text = self.msg
        if self.hint:
            text = "%s Fix: %s" % (text, self.hint)
            result["hint"] = self.hint
        result["msg"] = text
        return result


def fail(module, error, **result):
    """The single place where a module turns an IrisModuleError into fail_json."""
    merged = dict(result)
    merged.update(error.as_result())
    if "path" in merged:
        # AnsibleModule adds the file attributes of a result's 'path' (and overwrites 'state'): keep it apart.
        merged.setdefault("file_path", merged.pop("path"))
    module.fail_json(**merged)
