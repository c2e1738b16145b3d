# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils._diff import DiffTracker, SecretInDiffError


def test_unchanged_values_do_not_count():
    tracker = DiffTracker()
    tracker.add("image", "a", "a")
    tracker.add("env", {"X": "1"}, {"X": "1"})
    assert not tracker.changed
    assert tracker.differences() == []
    assert tracker.as_diff() == {"before": {"image": "a", "env": {"X": "1"}}, "after": {"image": "a", "env": {"X": "1"}}}


def test_changes_keep_insertion_order():
    tracker = DiffTracker()
    tracker.add("running", False, True)
    tracker.add("image", "a", "a")
    tracker.add("memory", 0, 1024)
    assert tracker.changed
    assert tracker.differences() == ["running", "memory"]
    assert list(tracker.as_diff()["before"]) == ["running", "image", "memory"]


def test_values_are_copied():
    env = {"X": "1"}
    tracker = DiffTracker()
    tracker.add("env", env, env)
    env["X"] = "2"
    assert tracker.as_diff()["after"]["env"] == {"X": "1"}


def test_add_dict_leaves_a_missing_key_out_of_that_side():
    tracker = DiffTracker()
    tracker.add_dict({"exists": False}, {"exists": True, "image": "i"})
    assert tracker.as_diff() == {"before": {"exists": False}, "after": {"exists": True, "image": "i"}}
    assert tracker.differences() == ["exists", "image"]
    tracker = DiffTracker()
    tracker.add_dict({"exists": True, "image": None}, {"exists": True})
    assert tracker.changed


@pytest.mark.parametrize("name", ["password", "token", "secret"])
def test_secret_keys_are_refused(name):
    with pytest.raises(SecretInDiffError):
        DiffTracker().add(name, None, "x")


def test_declared_secret_is_refused_in_add_dict():
    tracker = DiffTracker()
    tracker.secret("api_key")
    with pytest.raises(SecretInDiffError):
        tracker.add_dict({}, {"api_key": "k"})
    assert len(tracker) == 0
