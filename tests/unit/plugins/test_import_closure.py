# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each module ships only what it uses (issue 12).

Ansible packs into a module's AnsiballZ payload every module_utils file the module imports, recursively.  This test
computes that closure by parsing the imports with ``ast`` (never importing the code) and asserts the layout's rules:
a module does not ship another domain's code, module_utils files import each other without cycles, and every import of
the collection's code sits at the top of its file (a function-level import hides a dependency, and the import cost,
from the reader and from this test).
"""

from __future__ import annotations

import ast
import fnmatch
import os

import pytest

PREFIX = "ansible_collections.iris_devtools.iris.plugins.module_utils"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MODULES_DIR = os.path.join(ROOT, "plugins", "modules")
UTILS_DIR = os.path.join(ROOT, "plugins", "module_utils")

FIXTURE_CODE = ("_fixture*", "_manifest*")
CONTAINER_CODE = ("_container*", "_cpf*", "_readiness*")
DOMAINS_OF_STATE = ("_task*", "_monitoring*", "_schedule*", "_metrics*")

# (module, file patterns its closure must not contain, why).
RULES = [
    ("iris_task", FIXTURE_CODE, "task code ships no fixture code"),
    ("iris_task", CONTAINER_CODE, "task code ships no container code"),
    ("iris_task", ("_copy*",), "task code copies no files"),
    ("iris_monitoring", FIXTURE_CODE, "monitoring code ships no fixture code"),
    ("iris_monitoring", CONTAINER_CODE, "monitoring code ships no container code"),
    ("iris_info", FIXTURE_CODE, "info reads facts: no fixture code"),
    ("iris_info", CONTAINER_CODE, "info reads facts: no container code"),
    ("iris_info", ("_copy*",), "info reads facts: no copy code"),
    ("iris_container", FIXTURE_CODE, "container code ships no fixture code"),
    ("iris_container", DOMAINS_OF_STATE, "container code ships no task, monitoring, schedule or metrics code"),
    ("iris_fixture", CONTAINER_CODE + DOMAINS_OF_STATE, "fixture code ships no container, task, monitoring, schedule or "
                                                        "metrics code"),
    ("iris_unittest", FIXTURE_CODE + CONTAINER_CODE + DOMAINS_OF_STATE,
     "unit-test code ships no fixture, container, task, monitoring, schedule or metrics code"),
    # iris_unittest's src uploads a test directory with _copy.put_tree (issue 14 item 4), so _copy is in its closure;
    # it still ships no container or fixture code (above).
    ("iris_ipm", FIXTURE_CODE + CONTAINER_CODE + DOMAINS_OF_STATE, "IPM code ships no fixture, container, task, monitoring, "
                                                                   "schedule or metrics code"),
    ("iris_code", FIXTURE_CODE + CONTAINER_CODE + DOMAINS_OF_STATE,
     "code loading ships no fixture, container, task, monitoring, schedule or metrics code"),
]


# -- the scanner ---------------------------------------------------------------------------------------------------

def _parse(path):
    with open(path, "rb") as handle:
        return ast.parse(handle.read(), filename=path)


def collection_imports(tree, utils_dir):
    """Names of the module_utils files (``_x``) the tree imports, wherever the import statement is."""
    names = set()

    def add(name):
        if os.path.isfile(os.path.join(utils_dir, name + ".py")):
            names.add(name)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == PREFIX:
                for alias in node.names:
                    add(alias.name)
            elif node.module.startswith(PREFIX + "."):
                add(node.module[len(PREFIX) + 1:].split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PREFIX + "."):
                    add(alias.name[len(PREFIX) + 1:].split(".")[0])
    return names


def closure(path, utils_dir=UTILS_DIR):
    """The module_utils files ``path`` pulls in, recursively (sorted names)."""
    seen = set()
    todo = sorted(collection_imports(_parse(path), utils_dir))
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(collection_imports(_parse(os.path.join(utils_dir, name + ".py")), utils_dir) - seen)
    return sorted(seen)


def lines_of(names, utils_dir=UTILS_DIR):
    total = 0
    for name in names:
        with open(os.path.join(utils_dir, name + ".py"), "rb") as handle:
            total += handle.read().count(b"\n")
    return total


def misplaced_imports(tree):
    """``[(line, statement)]``: imports that are not at the top level of the file.  A top-level ``try:`` (optional
    third-party libraries guarded by ``except ImportError``) counts as top level."""
    allowed = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            allowed.add(id(node))
        elif isinstance(node, ast.Try):
            for part in node.body + node.orelse + node.finalbody + [n for h in node.handlers for n in h.body]:
                if isinstance(part, (ast.Import, ast.ImportFrom)):
                    allowed.add(id(part))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in allowed:
            names = ", ".join(alias.name for alias in node.names)
            found.append((node.lineno, ("from %s import %s" % (node.module, names)) if isinstance(node, ast.ImportFrom)
                          else "import %s" % names))
    return found


def import_cycle(utils_dir=UTILS_DIR):
    """One import cycle among the module_utils files (a list of names, first == last), or None."""
    names = sorted(name[:-3] for name in os.listdir(utils_dir) if name.endswith(".py") and name != "__init__.py")
    graph = dict((name, sorted(collection_imports(_parse(os.path.join(utils_dir, name + ".py")), utils_dir)))
                 for name in names)
    state = {}

    def visit(name, stack):
        state[name] = "open"
        stack.append(name)
        for other in graph.get(name, ()):
            if state.get(other) == "open":
                return stack[stack.index(other):] + [other]
            if other not in state:
                cycle = visit(other, stack)
                if cycle:
                    return cycle
        stack.pop()
        state[name] = "done"
        return None
    for name in names:
        if name not in state:
            cycle = visit(name, [])
            if cycle:
                return cycle
    return None


def _plugin_files():
    for directory in (MODULES_DIR, UTILS_DIR):
        for name in sorted(os.listdir(directory)):
            if name.endswith(".py") and name != "__init__.py":
                yield os.path.join(directory, name)


def _modules():
    return sorted(name[:-3] for name in os.listdir(MODULES_DIR) if name.endswith(".py") and name != "__init__.py")


def _closures_text():
    rows = []
    for module in _modules():
        names = closure(os.path.join(MODULES_DIR, module + ".py"))
        rows.append("%s: %d files, %d lines: %s" % (module, len(names), lines_of(names), ", ".join(names)))
    return "\n".join(rows)


# -- the rules on the collection -----------------------------------------------------------------------------------

@pytest.mark.parametrize("module, forbidden, why", [
    pytest.param(module, forbidden, why, id="%s-%s" % (module, forbidden[0].strip("_*")))
    for module, forbidden, why in RULES])
def test_each_module_ships_only_its_own_code(module, forbidden, why):
    names = closure(os.path.join(MODULES_DIR, module + ".py"))
    pulled = sorted(name for name in names if any(fnmatch.fnmatch(name, pattern) for pattern in forbidden))
    assert not pulled, "%s pulls %s (%s).\nEvery module's closure:\n%s" % (module, ", ".join(pulled), why, _closures_text())


def test_no_import_cycle_among_module_utils():
    cycle = import_cycle()
    assert cycle is None, "import cycle: %s\nEvery module's closure:\n%s" % (" -> ".join(cycle), _closures_text())


@pytest.mark.parametrize("path", [
    pytest.param(path, id=os.path.relpath(path, ROOT))
    for path in _plugin_files()])
def test_imports_sit_at_the_top_of_the_file(path):
    found = misplaced_imports(_parse(path))
    assert not found, "%s imports inside functions or classes: %s" % (
        os.path.relpath(path, ROOT), "; ".join("line %d: %s" % item for item in found))


# -- the scanner itself (each check catches what it is for) ---------------------------------------------------------

def _write(directory, name, text):
    path = directory / name
    path.write_text(text)
    return str(path)


def test_the_scanner_finds_a_planted_function_level_import(tmp_path):
    path = _write(tmp_path, "m.py", (
        "from __future__ import annotations\n"
        "import os\n"
        "try:\n    import jmespath\nexcept ImportError:\n    jmespath = None\n"
        "def f():\n    from %s import _task\n    return _task\n"
        "class C(object):\n    import json\n" % PREFIX))
    assert misplaced_imports(_parse(path)) == [(8, "from %s import _task" % PREFIX), (11, "import json")]


def test_the_scanner_follows_every_import_form_and_finds_a_cycle(tmp_path):
    utils = tmp_path / "module_utils"
    utils.mkdir()
    _write(utils, "_a.py", "from %s import _b\n" % PREFIX)
    _write(utils, "_b.py", "from %s._c import thing\n" % PREFIX)
    _write(utils, "_c.py", "import %s._d\n" % PREFIX)
    _write(utils, "_d.py", "import os\n")
    module = _write(tmp_path, "mod.py", "def main():\n    from %s import _a\n" % PREFIX)
    assert closure(module, str(utils)) == ["_a", "_b", "_c", "_d"]
    assert lines_of(["_a", "_d"], str(utils)) == 2
    assert import_cycle(str(utils)) is None
    _write(utils, "_d.py", "from %s import _b\n" % PREFIX)
    assert import_cycle(str(utils)) == ["_b", "_c", "_d", "_b"]
