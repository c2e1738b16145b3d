# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every default image tag of the simulator in the repository is the one tests/simulator/VERSION builds.

Molecule scenarios, benchmarks, role docs and the demo name ``iris-devtools/iris-sim:<version>`` as a default; a tag
left behind at a version bump makes them use an old image (or none) without any error.  Changelog fragments are
history and keep the version they were written for.
"""

from __future__ import annotations

import os
import re

SIM_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(os.path.dirname(SIM_DIR))
TAG = re.compile(r"iris-devtools/iris-sim:(\d+\.\d+\.\d+)")
SKIPPED_DIRS = {".git", "changelogs", "output", "__pycache__", ".tox", ".nox", "node_modules"}
TEXT_SUFFIXES = (".py", ".yml", ".yaml", ".md", ".rst", ".sh", ".cfg", ".toml", ".txt", ".j2", ".ini")


def _version() -> str:
    with open(os.path.join(SIM_DIR, "VERSION"), encoding="utf-8") as fh:
        return fh.read().strip()


def _tags():
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        for name in files:
            if not name.endswith(TEXT_SUFFIXES) and name not in ("run", "bootstrap", "Dockerfile"):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as fh:
                for number, line in enumerate(fh, 1):
                    for match in TAG.finditer(line):
                        yield os.path.relpath(path, REPO), number, match.group(1)


def test_every_simulator_tag_is_the_built_version():
    version = _version()
    found = list(_tags())
    stale = ["%s:%d names %s" % (path, number, tag) for path, number, tag in found if tag != version]
    assert len(found) >= 10, "the scan found too few tags (%d); has the layout changed?" % len(found)
    assert not stale, "simulator tags other than VERSION %s (replace them): %s" % (version, "; ".join(stale))
