# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every package of tests/unit/requirements.txt is installed where the unit tests run.

Many tests skip (``pytest.importorskip``) when an optional package is missing, so that ``ansible-test units`` can run
elsewhere.  In our own venvs a missing package must fail instead: a stale venv once skipped the JUnit schema
validation on one ansible-core leg while the run stayed green.
"""

from __future__ import annotations

import os
import re
from importlib import metadata

import pytest

REQUIREMENTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "requirements.txt")


def _names():
    names = []
    with open(REQUIREMENTS, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(re.split(r"[ ;<>=!~\[]", line, maxsplit=1)[0])
    return names


def test_requirements_file_lists_packages():
    assert "xmlschema" in _names() and "docker" in _names()


@pytest.mark.parametrize("name", _names())
def test_requirement_is_installed(name):
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        pytest.fail("%s (tests/unit/requirements.txt) is not installed in this Python: the tests that need it would "
                    "skip. Fix: tools/run setup (or pip install -c tests/constraints.txt -r tests/unit/requirements.txt)"
                    % name)
