# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception type and the one fail_json site; results never carry a top-level 'path'."""

from __future__ import annotations

import ast
import importlib
import os

import pytest
import yaml

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError, end_sentence, fail, full_message

MODULES_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins", "modules")
PLUGINS_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "plugins")


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


# ---------------------------------------------------------------------------------------------
# Readable errors: every message ends its sentence before "Fix:" (issue 11 item 8).
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("msg, shown", [
    ("The IRIS session produced no result (exit code 1)", "The IRIS session produced no result (exit code 1)."),
    ("It broke.", "It broke."),
    ("Is it running?", "Is it running?"),
    ("Stop!", "Stop!"),
    ("It broke.  ", "It broke."),
    ("IRIS said: ", "IRIS said."),
    ('IRIS said "stop."', 'IRIS said "stop."'),
    ("Container x is not running (Docker status: exited)", "Container x is not running (Docker status: exited)."),
    ("Version 2025.1", "Version 2025.1."),
])
def test_end_sentence(msg, shown):
    assert end_sentence(msg) == shown
    assert end_sentence(end_sentence(msg)) == shown  # never doubled


@pytest.mark.parametrize("msg, hint, text", [
    ("The IRIS session produced no result (exit code 1)", "check the instance",
     "The IRIS session produced no result (exit code 1). Fix: check the instance"),
    ("It broke.", "fix it", "It broke. Fix: fix it"),
    ("Why?", "because", "Why? Fix: because"),
    ("no hint, no Fix", None, "no hint, no Fix"),
])
def test_message_and_hint_compose_into_sentences(msg, hint, text):
    assert full_message(msg, hint) == text
    module = FakeModule()
    fail(module, IrisModuleError(msg, hint=hint))
    assert module.failed["msg"] == text
    if hint:
        assert module.failed["hint"] == hint


def _message_literals():
    """(file:line, first argument) of every IrisModuleError(...) in plugins/ whose message is a plain string literal."""
    found = []
    for folder, _dirs, files in os.walk(PLUGINS_DIR):
        for name in files:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read(), path)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "IrisModuleError"):
                    continue
                if not node.args:
                    continue
                first = node.args[0]
                if isinstance(first, ast.BinOp) and isinstance(first.op, ast.Mod):
                    first = first.left  # "... %s" % (...)
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.append(("%s:%d" % (os.path.relpath(path, PLUGINS_DIR), node.lineno), first.value))
    return found


def test_the_scan_finds_the_messages():
    literals = _message_literals()
    assert len(literals) > 50
    assert any(text.startswith("The IRIS session produced no result") for _where, text in literals)


def _composes_badly(literals):
    """The literals whose composed message is wrong: one writing its own "Fix:" shows two (full_message adds the one
    from hint=), one ending with ':', ';' or ',' loses what should follow when end_sentence closes it."""
    return [(where, text) for where, text in literals
            if full_message(text, "h").count("Fix:") != 1 or text.rstrip().endswith((":", ";", ","))]


def test_the_composition_check_finds_bad_literals():
    bad = [("a", "It broke. Fix: restart it"), ("b", "IRIS said:"), ("c", "Cannot read %s,")]
    assert _composes_badly(bad + [("d", "It broke"), ("e", "Cannot read %s: %s")]) == bad


def test_every_message_literal_composes_into_one_sentence_and_one_fix():
    assert _composes_badly(_message_literals()) == []
