# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""IRIS error shapes, try/catch/throw, exception objects, %Status helpers."""

from __future__ import annotations

import pytest

from iris_sim import errors, routines
from iris_sim.errors import IrisError
from test_lang_support import output


@pytest.mark.parametrize("line, text", [
    ("write x", "<UNDEFINED> *x"),
    ('write x(1,"a")', '<UNDEFINED> *x(1,"a")'),
    ("write ^NoSuch(2)", "<UNDEFINED> *^NoSuch(2)"),
    ("set x=(", "<SYNTAX>"),
    ("write ##class(No.Such).M()", "<CLASS DOES NOT EXIST> *No.Such"),
    ("write ##class(%SYSTEM.Status).Nope()", "<METHOD DOES NOT EXIST> *Nope,%SYSTEM.Status"),
    ("set o={} write o.%Nope()", "<METHOD DOES NOT EXIST> *%Nope,%Library.DynamicObject"),
    ("set e=##class(%Exception.General).%New() write e.Nope", "<PROPERTY DOES NOT EXIST> *Nope,%Exception.General"),
    ("do ^NoRoutine", "<NOROUTINE> *^NoRoutine"),
    ("write $$lab^NoRoutine()", "<NOROUTINE> *^NoRoutine"),
    ("write 1/0", "<DIVIDE>"),
    ("set x=1 write x.Prop", "<INVALID OREF>"),
    ("set x=1 do x.M()", "<INVALID OREF>"),
    ('set x("")=1', '<SUBSCRIPT> *x("")'),
    ("read x", "<COMMAND> *simulator: the READ command is not modelled"),
    ("tstart", "<COMMAND> *simulator: the TSTART command is not modelled"),
    ("write $zzz(1)", "<SYNTAX>"),  # not a function name the grammar knows
    ("write $zu(4,$j,1)", "<FUNCTION> *simulator: the $ZU function is not modelled"),  # known name, not modelled
    ("write ^|\"USER\"|x", "<SYNTAX> *simulator: the reference ^|\"USER\"|x is not modelled (naked, extended and ^$ names)"),
    ("write ^$LOCK(\"x\")", "<SYNTAX> *simulator: the expression ^$LOCK(\"x\") (ssvn) is not modelled"),
    ("write $system.Nope.X()", "<CLASS DOES NOT EXIST> *%SYSTEM.Nope"),
    ("write $select(0:1)", "<SELECT>"),
])
def test_error_text(line, text):
    with pytest.raises(IrisError) as info:
        output(line)
    assert str(info.value) == text


def test_noline_for_unknown_label_of_known_routine():
    @routines.routine_label("LangTestRtn", "known", source="test", extrinsic=True)
    def _known(proc, arg=""):  # pylint: disable=unused-argument
        return "k" + str(arg)
    try:
        assert output("write $$known^LangTestRtn(1)") == "k1"
        with pytest.raises(IrisError) as info:
            output("do other^LangTestRtn")
        assert str(info.value) == "<NOLINE> *other^LangTestRtn"
    finally:
        routines.unregister_routine("LangTestRtn")


def test_error_with_location_shape():
    assert str(IrisError("UNDEFINED", "x", "zMain+3^Test")) == "<UNDEFINED>zMain+3^Test *x"
    assert IrisError("<NOLINE>").name == "NOLINE"
    assert IrisError("NOLINE").iris_name == "<NOLINE>"


def test_catch_gives_system_exception_properties():
    text = output('try { write nope } catch ex { write ex.Name,"|",ex.Data,"|",ex.Code,"|",ex.Location,"|",$classname(ex) }')
    assert text == "<UNDEFINED>|nope|9||%Exception.SystemException"
    assert output('try { write nope } catch ex { write ex.DisplayString() }') == "<UNDEFINED> *nope"
    assert output('try { write 1/0 } catch { write "caught" } write "after"') == "caughtafter"


def test_try_without_error_skips_catch_and_zerror_is_set():
    assert output('try { write 1 } catch ex { write 2 } write 3') == "13"
    assert output('try { write nope } catch ex { } write $zerror') == "<UNDEFINED> *nope"


def test_throw_general_exception_and_catch_it():
    line = ('try { throw ##class(%Exception.General).%New("MyError",42,"here","detail") } '
            'catch ex { write ex.Name,"/",ex.Code,"/",ex.Location,"/",ex.Data,"/",ex.DisplayString() }')
    assert output(line) == "MyError/42/here/detail/MyError 42 here detail"


def test_rethrow_of_system_exception_keeps_error_text():
    with pytest.raises(errors.ThrowSignal) as info:
        output("try { write nope } catch ex { throw ex }")
    assert info.value.exception_object.props["Name"] == "<UNDEFINED>"


def test_exception_as_status():
    text = output('try { write nope } catch ex { set sc=ex.AsStatus() } write $system.Status.GetErrorText(sc)')
    assert text == "ERROR #5002: ObjectScript error: <UNDEFINED> *nope"


def test_status_exception_from_status():
    text = output('set sc=$system.Status.Error(5001,"bad") try { throw ##class(%Exception.StatusException).CreateFromStatus(sc) } '
                  'catch ex { write ex.Code,"|",ex.DisplayString(),"|",$system.Status.GetErrorCodes(ex.AsStatus()) }')
    assert text == "5001|ERROR #5001: bad|5001"


def test_throw_non_object_is_an_error():
    with pytest.raises(IrisError) as info:
        output("throw 1")
    assert info.value.name == "THROW"


def test_status_helpers():
    sc = errors.status_error(5001, "boom")
    assert sc.startswith("0 ")
    assert errors.is_error(sc)
    assert not errors.is_error(1)
    assert not errors.is_error("1")
    assert errors.status_text(sc) == "ERROR #5001: boom"
    assert errors.status_codes(sc) == "5001"
    assert errors.status_text(1) == ""


def test_system_status_class_methods():
    text = output('set sc=$system.Status.Error(5001,"x"),ok=$system.Status.OK()',
                  'write $system.Status.IsOK(ok),$system.Status.IsError(ok),$system.Status.IsOK(sc),$system.Status.IsError(sc)',
                  'write "|",$system.Status.GetOneStatusText(sc,1),"|",$system.Status.GetOneErrorText(sc,1),"|"',
                  'set both=$system.Status.AppendStatus(sc,$system.Status.Error(5002,"y")) write $system.Status.GetErrorCodes(both)',
                  'write "|",$select($system.Status.IsOK(sc):1,1:0)')
    assert text == "1001|x|ERROR #5001: x|5001,5002|0"
