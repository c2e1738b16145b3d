# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of tools/check_citations.py (run by tools/run lint)."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import check_citations as cc  # noqa: E402  pylint: disable=wrong-import-position

REGISTER = "| key | t |\n| --- | --- |\n| S13 | x |\n| S8 | x |\n| S9 | x |\n| S10 | x |\n| §1.4 | x |\n| LESSONS | x |\n| C8 | x |\n"


def _repo(tmp_path, files):
    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "docs" / "iris-sources.md").write_text(REGISTER)
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path)


def test_keys_ranges_and_note_sections():
    assert [k for dummy, k in cc.cited_keys("# iris-sources.md S8-S10, §1.4 (x)")] == ["S8", "S9", "S10", "§1.4"]
    assert [k for dummy, k in cc.cited_keys("# iris-sources.md LESSONS §4.3, §4.8 and S13: y")] == ["LESSONS", "S13"]
    assert [k for dummy, k in cc.cited_keys("# iris-sources.md S13\nWEB = 1")] == ["S13"]


def test_findings(tmp_path):
    repo = _repo(tmp_path, {
        "plugins/module_utils/_x.py": ('"""Doc: iris-api.md S13."""\n'
                                       'A = 1  # iris-sources.md S13, S99: fine and unknown; audit C8, Z1\n'
                                       'B = 2  # iris-api.md S13\n'
                                       'raise Exception("x", hint="see iris-api.md S13")\n'),
        "plugins/modules/iris_x.py": 'DOCUMENTATION = r"""\ndescription: see toolchain.md\n"""\n',
        "roles/r/meta/argument_specs.yml": "# toolchain.md comment is fine\ndescription: from iris-api.md\n",
    })
    found = {(rel, line, kind) for rel, line, kind, dummy in cc.check(repo)}
    assert ("plugins/module_utils/_x.py", 2, "unknown-key") in found  # S99
    assert ("plugins/module_utils/_x.py", 1, "outside-file") in found  # docstring
    assert ("plugins/module_utils/_x.py", 3, "outside-file") in found  # comment
    assert ("plugins/module_utils/_x.py", 4, "message") in found
    assert ("plugins/modules/iris_x.py", 2, "user-facing") in found
    assert ("roles/r/meta/argument_specs.yml", 2, "user-facing") in found
    assert ("roles/r/meta/argument_specs.yml", 1, "outside-file") in found
    unknown = [m for rel, line, kind, m in cc.check(repo) if kind == "unknown-key"]
    assert unknown and all("S99" in m for m in unknown)  # audit Z1 is not an audit-row pattern ([A-H])


def test_strict_switch(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path, {"plugins/a.py": "# iris-api.md S13\n"})
    monkeypatch.setenv("STRICT_CITATIONS", "0")
    assert cc.main(["x", repo]) == 0
    monkeypatch.delenv("STRICT_CITATIONS", raising=False)
    assert cc.main(["x", repo]) == 1  # strict by default
    clean = _repo(tmp_path / "c", {"plugins/a.py": "# iris-sources.md S13: ok\n"})
    assert cc.main(["x", clean]) == 0
