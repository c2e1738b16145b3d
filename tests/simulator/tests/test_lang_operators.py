# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Operators: strict left-to-right evaluation, no precedence."""

from __future__ import annotations

import pytest

from iris_sim import values
from test_lang_support import value


@pytest.mark.parametrize("expr, expected", [
    ("1+2*3", "9"), ("2+3*4-1", "19"), ("1+(2*3)", "7"), ("10-2-3", "5"), ("2**3**2", "64"),
    ("7\\2", "3"), ("7#3", "1"), ("-7#3", "2"), ("1/4", ".25"), ("3*-1", "-3"), ("-(1+2)*2", "-6"),
    ('"007"+0', "7"), ('"1.50"+0', "1.5"), ("+\"3abc\"", "3"), ('"a"_"b"_1', "ab1"), ("1_2+1", "13"),
    ("1=1", "1"), ('"01"=1', "0"), ("1'=2", "1"), ("2<10", "1"), ('"2"<"10"', "1"), ("3>2>0", "1"),
    ("3'<2", "1"), ("3'>2", "0"), ("2<=2", "1"), ("2>=3", "0"), ('"b"]"a"', "1"), ('"abc"["b"', "1"),
    ('"abc"\'["z"', "1"), ('"b"]]"a"', "1"), ("1&0", "0"), ("1!0", "1"), ("1&&1", "1"), ("0||0", "0"),
    ("'0", "1"), ("'1=0", "1"), ("'(1=0)", "1"), ("1+1=2", "1"), ("2=1+1", "1"), ('"123"?3N', "1"),
    ('"12a"?3N', "0"), ('"12a"\'?3N', "1"), ("-\"-5\"", "5"), (".1+.2", ".3"),
])
def test_left_to_right(expr, expected):
    assert values.to_str(value(expr)) == expected


def test_short_circuit_and_skips_right_operand():
    # x is undefined: && must not evaluate it when the left side is false.
    assert value("0&&x") == 0
    assert value("1||x") == 1


def test_non_short_circuit_and_evaluates_both():
    from iris_sim.errors import IrisError
    with pytest.raises(IrisError) as info:
        value("0&x")
    assert str(info.value) == "<UNDEFINED> *x"
