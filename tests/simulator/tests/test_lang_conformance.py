# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Conformance programs: ``conformance/*.os`` run through ``run_session``; output must equal ``*.out``.

In ``*.out`` a line break stands for the CR LF the simulated terminal writes.  A first line
``; expect-exit: N`` in the program sets the expected exit code (default 0).
"""

from __future__ import annotations

import pathlib
import re

import pytest

from test_lang_support import session

CONFORMANCE = pathlib.Path(__file__).parent / "conformance"
PROGRAMS = sorted(CONFORMANCE.glob("*.os"))


def test_programs_exist():
    assert len(PROGRAMS) >= 6
    for program in PROGRAMS:
        assert program.with_suffix(".out").exists(), program.name


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_program(program):
    source = program.read_text(encoding="utf-8")
    expected = program.with_suffix(".out").read_text(encoding="utf-8")
    match = re.match(r";\s*expect-exit:\s*(\d+)", source)
    out, code = session(source)
    assert out == expected.rstrip("\n").replace("\n", "\r\n")
    assert code == (int(match.group(1)) if match else 0)
