# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Value semantics: canonical numbers, coercion, subscripts, $LISTBUILD encoding, patterns."""

from __future__ import annotations

import decimal

import pytest
from hypothesis import given, strategies as st

from iris_sim import values
from iris_sim.errors import IrisError


@pytest.mark.parametrize("text, expected", [
    ("007", "7"), ("1.0", "1"), (".5", ".5"), ("0.50", ".5"), ("-0.5", "-.5"), ("12abc", "12"),
    ("abc", "0"), ("--5", "5"), ("+-3", "-3"), ("1E2", "100"), ("1.5e1x", "15"), ("", "0"), (" 5", "0"),
    ("-", "0"), ("00.100", ".1"),
])
def test_string_to_canonical_number(text, expected):
    assert values.to_str(values.to_num(text)) == expected


def test_decimal_arithmetic_is_exact():
    assert values.to_str(values.add(".1", ".2")) == ".3"
    assert values.to_str(values.div(1, 3)) == ".3333333333333333333"
    assert values.to_str(values.div(10, 4)) == "2.5"
    assert values.div(10, 5) == 2


def test_integer_division_and_modulo_signs():
    assert values.int_div(7, 2) == 3
    assert values.int_div(-7, 2) == -3
    assert values.modulo(7, 3) == 1
    assert values.modulo(-7, 3) == 2
    assert values.modulo(7, -3) == -2
    assert values.to_str(values.modulo("5.5", 2)) == "1.5"


@pytest.mark.parametrize("fn", [values.div, values.int_div, values.modulo])
def test_zero_divisor_is_divide_error(fn):
    with pytest.raises(IrisError) as info:
        fn(1, 0)
    assert str(info.value) == "<DIVIDE>"


@pytest.mark.parametrize("text, canonical", [
    ("0", True), ("7", True), ("-7", True), (".5", True), ("-.5", True), ("1.25", True),
    ("07", False), ("1.0", False), ("1.", False), ("-0", False), ("0.5", False), ("", False), ("a", False), ("+1", False),
])
def test_canonical_number_detection(text, canonical):
    assert values.is_canonical_number(text) is canonical


def test_comparisons_are_string_or_numeric():
    assert values.equals(1, "1")
    assert not values.equals("01", 1)
    assert values.less("2", "10")
    assert values.follows("b", "a")
    assert values.contains("hello", "ell")
    assert values.sorts_after("a", 10)
    assert not values.sorts_after(2, 10)


def test_node_order_collates_numbers_before_strings():
    node = values.Node()
    for sub in ("b", 10, 2, "a", "10x", -1, ".5"):
        node.set((sub,), 1)
    found, sub = [], ""
    while True:
        sub = node.order((sub,), 1)
        if sub == "":
            break
        found.append(values.to_str(sub))
    assert found == ["-1", ".5", "2", "10", "10x", "a", "b"]
    assert values.to_str(node.order(("",), -1)) == "b"
    assert values.to_str(node.order((2,), -1)) == ".5"


def test_node_data_and_kill_prunes_empty_parents():
    node = values.Node()
    node.set((1, 2), "x")
    assert node.data(()) == 10
    assert node.data((1,)) == 10
    assert node.data((1, 2)) == 1
    node.set((), "top")
    assert node.data(()) == 11
    node.kill((1, 2))
    assert node.data((1,)) == 0
    assert node.order(("",), 1) == ""


def test_string_subscript_that_looks_canonical_is_numeric():
    node = values.Node()
    node.set(("1",), "a")
    assert node.get((1,)) == "a"
    node.set(("01",), "b")
    assert node.get((1,)) == "a"
    assert node.get(("01",)) == "b"


def test_empty_subscript_is_subscript_error():
    with pytest.raises(IrisError) as info:
        values.Node().set(("",), 1)
    assert info.value.name == "SUBSCRIPT"


def test_listbuild_round_trip_keeps_types_and_undefined():
    items = [1, "a", None, -5, decimal.Decimal("2.5"), "é€", "", 0, 300, "x" * 300]
    encoded = values.list_build(items)
    assert values.list_elements(encoded) == items
    assert values.list_elements(values.list_build([1]) + values.list_build(["b"])) == [1, "b"]
    assert values.is_list(encoded)
    assert not values.is_list("abc")


@given(st.lists(st.one_of(st.integers(-10**12, 10**12), st.text(max_size=20), st.none()), max_size=8))
def test_listbuild_round_trip_property(items):
    # strings come back as 16-bit character elements (a character above U+FFFF as its surrogate pair)
    assert values.list_elements(values.list_build(items)) == [values.to_units(i) if isinstance(i, str) else i for i in items]


@given(st.integers(-10**15, 10**15), st.integers(-10**6, 10**6))
def test_arithmetic_matches_python_for_integers(a, b):
    assert values.add(a, b) == a + b
    assert values.mul(a, b) == a * b
    assert values.to_num(values.to_str(a)) == a


@pytest.mark.parametrize("text, pattern, expected", [
    ("123", "3N", True), ("12", "3N", False), ("abc", "1.A", True), ("Ab", "1U1L", True),
    ("ab", "1U1L", False), ("a-1", "1A1\"-\"1N", True), ("x", "1(1N,1A)", True), ("", ".N", True),
    ("a.b", "1.A1P1.A", True), ("anything at all", ".E", True), ("12ab", "2N2A", True), ("12ab", "1.3N.A", True),
])
def test_pattern_match(text, pattern, expected):
    assert values.pattern_match(text, pattern) is expected
