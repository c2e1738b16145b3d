# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""$functions and special variables."""

from __future__ import annotations

import datetime
import os
import re

import pytest

from iris_sim import values
from iris_sim.errors import IrisError
from test_lang_support import value


@pytest.mark.parametrize("expr, expected", [
    ('$piece("a,b,c",",",2)', "b"), ('$p("a,b,c",",")', "a"), ('$piece("a,b,c",",",2,3)', "b,c"),
    ('$piece("a,b,c",",",5)', ""), ('$length("abc")', "3"), ('$length("a,b,c",",")', "3"), ('$l("",",")', "1"),
    ('$extract("hello",2)', "e"), ('$e("hello",2,4)', "ell"), ('$e("hello")', "h"), ('$find("hello","l")', "4"),
    ('$find("hello","z")', "0"), ('$translate("hello","lo","01")', "he001"), ('$tr("a-b-c","-")', "abc"),
    ('$zconvert("Ab","U")', "AB"), ('$zcvt("Ab","L")', "ab"), ('$justify(5,3)', "  5"), ('$j(1.5,6,2)', "  1.50"),
    ('$j(.5,0,2)', "0.50"), ('$number("007")', "7"), ('$number("abc")', ""), ('$char(72,105)', "Hi"),
    ('$ascii("A")', "65"), ('$ascii("")', "-1"), ('$select(0:"a",1:"b")', "b"), ('$case(2,1:"one",2:"two",:"x")', "two"),
    ('$case(9,1:"one",:"other")', "other"), ('$zstrip("  a b  ","<>W")', "a b"), ('$zstrip("a1b2","*N")', "ab"),
    ('$reverse("abc")', "cba"), ('$fnumber(1234567.891,",",2)', "1,234,567.89"), ('$isvalidnum("1.5")', "1"),
    ('$isvalidnum("1.5x")', "0"), ('$zabs(-3)', "3"), ('$listlength($lb(1,2,3))', "3"), ('$ll("")', "0"),
    ('$listget($lb(1,"a"),2)', "a"), ('$lg($lb(1),3,"d")', "d"), ('$lg($lb(1,,3),2,"u")', "u"),
    ('$list($lb("x","y"),-1)', "y"), ('$listfind($lb("a","b"),"b")', "2"), ('$listtostring($lb(1,"a"),"|")', "1|a"),
    ('$ll($listfromstring("a,b,c"))', "3"), ('$listvalid($lb(1))', "1"), ('$isobject(1)', "0"),
    ('$isobject({})', "1"), ('$classname({})', "%Library.DynamicObject"), ('$zdate(67000,3)', "2024-06-09"),
    ('$zdatetime("67000,3661",3)', "2024-06-09 01:01:01"), ('$zdt("67000,3661.25",3,1,2)', "2024-06-09 01:01:01.25"),
    ('$zdatetime("67000,0",8)', "20240609 00:00:00"), ('$zdt("67000,0",1)', "06/09/2024 00:00:00"),
    ('$zdatetimeh("2024-06-09 01:01:01",3)', "67000,3661"), ('$ztime(3661)', "01:01:01"), ('$zdateh("20240609",8)', "67000"),
])
def test_function(expr, expected):
    assert values.to_str(value(expr)) == expected


def test_get_data_order_increment_on_locals():
    setup = ('set a(1)="x",a(2,1)="y",a("k")=3',)
    assert value("$data(a)", *setup) == 10
    assert value("$data(a(1))", *setup) == 1
    assert value("$data(a(2))", *setup) == 10
    assert value("$data(nope)", *setup) == 0
    assert value('$get(a(9),"dflt")', *setup) == "dflt"
    assert value("$get(a(1))", *setup) == "x"
    assert value('$order(a(""))', *setup) == 1
    assert value("$order(a(2))", *setup) == "k"
    assert value('$order(a(""),-1)', *setup) == "k"
    assert value('$order(a("k"))', *setup) == ""
    assert value("$increment(n)") == 1
    assert value("$i(n,5)", "set n=2") == 7


def test_set_piece_extract_list():
    assert value("p", 'set $piece(p,",",3)="c"') == ",,c"
    assert value("p", 'set p="a,b,c",$piece(p,",",2)="B"') == "a,B,c"
    assert value("e", 'set e="hello",$extract(e,1)="J"') == "Jello"
    assert value("$lg(l,2)", 'set l=$lb(1,2),$list(l,2)="two"') == "two"


def test_list_null_value():
    with pytest.raises(IrisError) as info:
        value("$list($lb(1,,3),2)")
    assert info.value.name == "NULL VALUE"


def test_select_without_true_condition():
    with pytest.raises(IrisError) as info:
        value("$select(0:1)")
    assert info.value.name == "SELECT"


def test_unknown_function_is_function_error():
    with pytest.raises(IrisError) as info:
        value("$zu(4,$j,1)")
    assert str(info.value) == "<FUNCTION> *simulator: the $ZU function is not modelled"


@pytest.mark.parametrize("expr, needle", [
    ("$zhex(255)", "the $ZHEX function is not modelled"),
    ('$zdate(1,5)', "date format 5 is not modelled"),
    ('$zconvert("a","Q")', "$ZCONVERT mode 'Q' is not modelled"),
    ('$fnumber(1,"P")', "$FNUMBER format 'P' is not modelled"),
])
def test_unmodelled_function_forms_name_themselves(expr, needle):
    """A form the simulator does not model says so (never a bare <FUNCTION>, which reads like IRIS's answer)."""
    with pytest.raises(IrisError) as info:
        value(expr)
    assert info.value.name == "FUNCTION" and info.value.detail == "simulator: " + needle


def test_time_variables_have_iris_shape():
    horolog = values.to_str(value("$horolog"))
    assert re.fullmatch(r"\d{5},\d{1,5}", horolog)
    days = int(horolog.split(",")[0])
    assert (datetime.date(1840, 12, 31) + datetime.timedelta(days=days)) == datetime.date.today()
    assert re.fullmatch(r"\d{5},\d{1,5}\.\d{3}", values.to_str(value("$ztimestamp")))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value("$zdt($h,3)"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", value("$zdt($zts,-3)"))
    assert re.fullmatch(r"\d{5},\d+(\.\d+)?", values.to_str(value("$now()")))


def test_zversion_and_job_and_namespace():
    zv = value("$zv")
    assert zv.startswith("IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2025.1 (Build 223U)")
    assert "IRIS-SIM" in zv
    assert value("$zversion") == zv
    assert value("$job") == os.getpid()
    assert value("$namespace") == "USER"
    assert value("$random(1)") == 0
