# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The object protocol of DESIGN.md Contract 1, exercised through ObjectScript."""

from __future__ import annotations

import pytest

from iris_sim import errors, objects
from iris_sim.errors import IrisError
from iris_sim.objects import ByRef, Prop, SimClass, SimObject, class_method, method, register
from test_lang_support import output


@pytest.fixture(name="sim_classes")
def fixture_sim_classes():
    """Register two test classes (a base and a subclass) for the duration of a test."""

    @register
    class Base(SimClass):
        name = "Test.Base"
        source = "test"
        aliases = ("Test.BaseAlias",)
        properties = {
            "Name": Prop("", source="test"),
            "Count": Prop(0, source="test"),
            "Fixed": Prop("f", source="test", readonly=True),
            "Upper": Prop(source="test", compute=lambda obj: str(obj.props["Name"]).upper()),
        }

        @class_method("Open", source="test")
        def open(cls, proc, id_, concurrency=None):  # pylint: disable=unused-argument
            obj = SimObject(cls)
            obj.props["Name"] = id_
            obj.state["concurrency"] = concurrency
            return obj

        @class_method("Fill", source="test")
        def fill(cls, proc, ref, *rest):  # pylint: disable=unused-argument
            if not isinstance(ref, ByRef):
                return errors.status_error(5001, "not by reference")
            ref.value = "top"
            ref.set("one", 1)
            ref.set("two", 2, "x")
            return errors.status_ok()

        @class_method("Args", source="test")
        def args(cls, proc, *args):  # pylint: disable=unused-argument
            return "|".join("None" if a is None else str(a) for a in args)

        @class_method("Nothing", source="test")
        def nothing(cls, proc):  # pylint: disable=unused-argument
            return None

        @method("Bump", source="test")
        def bump(self, proc, by=1):  # pylint: disable=unused-argument
            self.props["Count"] += int(by)
            return self

        @method("Instance", source="test")
        def instance_only(self, proc):  # pylint: disable=unused-argument
            return 1

    @register
    class Child(SimClass):
        name = "Test.Child"
        source = "test"
        superclass = "Test.Base"
        properties = {"Extra": Prop("e", source="test")}

    yield Base, Child
    objects.unregister("Test.Base")
    objects.unregister("Test.Child")


def test_class_method_property_and_chain(sim_classes):  # pylint: disable=unused-argument
    text = output('set o=##class(Test.Base).Open("abc")',
                  'write o.Name,"|",o.Count,"|",o.Fixed,"|",o.Upper,"|"',
                  'do o.Bump(2) write o.Bump().Count,"|",##class(Test.Base).Open("z").Bump(5).Count')
    assert text == "abc|0|f|ABC|3|5"


def test_alias_and_new_and_inheritance(sim_classes):  # pylint: disable=unused-argument
    text = output("set c=##class(Test.Child).%New() set c.Name=\"n\" write c.Name,c.Extra,c.Count,$classname(c)",
                  'write "|",##class(Test.BaseAlias).Open("q").Name,"|",##class(Test.Child).Open("w").Extra')
    assert text == "ne0Test.Child|q|e"


def test_byref_argument_reaches_caller_variable(sim_classes):  # pylint: disable=unused-argument
    text = output("set sc=##class(Test.Base).Fill(.out) write sc,out,out(1),out(2,\"x\"),$order(out(\"\"))",
                  "set sc=##class(Test.Base).Fill(out) write \"|\",$system.Status.GetErrorText(sc)")
    assert text == "1toponetwo1|ERROR #5001: not by reference"


def test_empty_and_trailing_arguments(sim_classes):  # pylint: disable=unused-argument
    assert output('write ##class(Test.Base).Args(1,,3)') == "1|None|3"
    assert output('write ##class(Test.Base).Args(,2)') == "None|2"
    assert output('write ##class(Test.Base).Args()') == ""
    assert output('set x=##class(Test.Base).Nothing() write "[",x,"]"') == "[]"


def test_protocol_errors(sim_classes):  # pylint: disable=unused-argument
    cases = [
        ('set o=##class(Test.Base).Open(1) write o.Missing', "<PROPERTY DOES NOT EXIST> *Missing,Test.Base"),
        ('set o=##class(Test.Base).Open(1) set o.Missing=1', "<PROPERTY DOES NOT EXIST> *Missing,Test.Base"),
        ('set o=##class(Test.Base).Open(1) set o.Fixed=1', "<CANNOT SET THIS PROPERTY> *Fixed,Test.Base"),
        ('set o=##class(Test.Base).Open(1) set o.Upper=1', "<CANNOT SET THIS PROPERTY> *Upper,Test.Base"),
        ('do ##class(Test.Base).Missing()', "<METHOD DOES NOT EXIST> *Missing,Test.Base"),
        ('do ##class(Test.Base).Instance()', "<NO CURRENT OBJECT> *Instance,Test.Base"),
        ('do ##class(test.base).Open(1)', "<CLASS DOES NOT EXIST> *test.base"),
    ]
    for line, text in cases:
        with pytest.raises(IrisError) as info:
            output(line)
        assert str(info.value) == text, line


def test_python_helpers(sim_classes):
    base = sim_classes[0]
    assert objects.find_class("Test.BaseAlias") is base
    assert objects.class_exists("%DynamicObject")
    assert objects.find_class("%DynamicArray").name == "%Library.DynamicArray"
    obj = objects.new_object("Test.Base")
    assert isinstance(obj, SimObject) and obj.props["Count"] == 0
    assert str(obj) == f"{obj.oref}@Test.Base"
    assert objects.call_method(None, obj, "Bump", (4,)) is obj and obj.props["Count"] == 4


def test_system_classes_are_found_case_insensitively():
    assert output("write $SYSTEM.Status.IsOK(1),$system.status.IsOK(1)") == "11"
    assert output("write $system.Version.GetNumber(),\"|\",$system.Version.GetMajor()") == "2025.1|2025"
    assert output("write $system.Process.NameSpace()") == "USER"
    assert output("write $system.Process.CurrentDirectory()") == "/usr/irissys/mgr/user/"


def test_variadic_arguments_expand_the_array(sim_classes):  # pylint: disable=unused-argument
    """``f(args...)`` passes args(1)..args(args); an undefined element is an omitted argument [doc GCOS]."""
    assert output('set a=3,a(1)="x",a(3)=7 write ##class(Test.Base).Args(a...)') == "x|None|7"
    assert output('set a=0 write ##class(Test.Base).Args(a...),"."') == "."
    with pytest.raises(IrisError, match="UNDEFINED"):
        output("write ##class(Test.Base).Args(nope...)")


def test_set_property_function_sets_the_property(sim_classes):  # pylint: disable=unused-argument
    """``set $PROPERTY(o,"Name")=v`` [doc RCOS_fproperty]; unknown names still fail."""
    assert output('set o=##class(Test.Base).%New() set $PROPERTY(o,"Name")="n1" write o.Name') == "n1"
    with pytest.raises(IrisError, match="PROPERTY DOES NOT EXIST"):
        output('set o=##class(Test.Base).%New() set $PROPERTY(o,"Nope")=1')
