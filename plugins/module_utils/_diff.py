# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Before/after tracking shared by every module (iris-sources.md ANCHORS §3.6, §8 row 7; the shape of
community.docker's ``DifferenceTracker`` in ``plugins/module_utils/_util.py``).

Secrets never enter a tracker: a key registered with :meth:`DiffTracker.secret` (or any key whose
name is in ``SECRET_KEYS``) is refused, so a module cannot put a password into ``diff`` by mistake.
"""

from __future__ import annotations

import copy

# Key names that can never be tracked, whatever the module.
SECRET_KEYS = frozenset(("password", "password_file", "passphrase", "secret", "token", "license_key_content"))


class _Missing(object):
    """Marks a key that one side does not have (left out of that side's dict)."""

    def __repr__(self):
        return "<missing>"


MISSING = _Missing()


class SecretInDiffError(ValueError):
    """A module tried to put a secret into a diff (a programming error, never user input)."""


class DiffTracker(object):
    """Collects ``name -> (before, after)`` and renders Ansible's ``diff`` dict.

    ``add(name, before, after)`` records one value; ``changed`` is true when any value differs.
    ``before``/``after`` are deep-copied, so later edits of the caller's objects do not leak in.
    """

    def __init__(self, secret_keys=None):
        self._items = {}
        self._order = []
        self._secret_keys = set(SECRET_KEYS)
        if secret_keys:
            self._secret_keys.update(secret_keys)

    def secret(self, *names):
        """Declare more key names that must never be tracked."""
        self._secret_keys.update(names)

    def _check(self, name):
        if name in self._secret_keys:
            raise SecretInDiffError("refusing to track secret key %r in a diff" % name)

    def add(self, name, before, after):
        self._check(name)
        if name not in self._items:
            self._order.append(name)
        self._items[name] = (before if before is MISSING else copy.deepcopy(before),
                             after if after is MISSING else copy.deepcopy(after))

    def add_dict(self, before, after):
        """Add every key of two dicts; a key missing on one side stays missing in that side's dict."""
        before = before or {}
        after = after or {}
        for name in sorted(set(before) | set(after)):
            self.add(name, before.get(name, MISSING), after.get(name, MISSING))

    @property
    def changed(self):
        return any(before != after for before, after in self._items.values())

    def differences(self):
        """Names whose before and after differ, in insertion order."""
        return [name for name in self._order if self._items[name][0] != self._items[name][1]]

    def get_before_after(self):
        before = dict((name, self._items[name][0]) for name in self._order if self._items[name][0] is not MISSING)
        after = dict((name, self._items[name][1]) for name in self._order if self._items[name][1] is not MISSING)
        return before, after

    def as_diff(self):
        """The value for the module result's ``diff`` key."""
        before, after = self.get_before_after()
        return dict(before=before, after=after)

    def __contains__(self, name):
        return name in self._items

    def __len__(self):
        return len(self._items)
