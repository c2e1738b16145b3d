# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception type and the one fail_json site; results never carry a top-level 'path'."""

from __future__ import annotations

import importlib
import os

import pytest
import yaml

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError, fail

MODULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")


class FakeModule(object):
    def __init__(self):
        self.failed = None

    def fail_json(self, **kwargs):
        self.failed = kwargs


def test_message_hint_and_details():
    module = FakeModule()
    fail(module, IrisModuleError("It broke.", hint="fix it", iris_error="<X>"), actions=["a"])
    assert module.failed == {"msg": "It broke. Fix: fix it", "hint": "fix it", "iris_error": "<X>", "actions": ["a"]}


def test_a_path_detail_is_renamed():
    """AnsibleModule adds the file attributes of a result's 'path', including 'state' (absent/file/directory)."""
    module = FakeModule()
    fail(module, IrisModuleError("Checksum mismatch.", hint="copy it again", path="/srv/f/IRIS.DAT"))
    assert "path" not in module.failed and module.failed["file_path"] == "/srv/f/IRIS.DAT"


@pytest.mark.parametrize("name", sorted(f[:-3] for f in os.listdir(MODULES_DIR) if f.endswith(".py") and not f.startswith("_")))
def test_no_module_returns_a_top_level_path(name):
    module = importlib.import_module("ansible_collections.iris_devtools.iris.plugins.modules." + name)
    returned = yaml.safe_load(module.RETURN) or {}
    assert "path" not in returned, "%s documents a top-level 'path' return value; Ansible would add file attributes" % name
