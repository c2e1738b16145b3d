# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""UDL classes: $SYSTEM.OBJ Load/LoadDir/Compile and running class and instance methods (issue 14 item 5)."""

from __future__ import annotations

# importing the models registers %SYSTEM.OBJ
import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from iris_sim.models.sysobj import QspecError, parse_qspec
from test_models_support import Sim, fixture_sim  # noqa: F401  pylint: disable=unused-import

import pytest

CALC = '''/// A small class for the tests
Class Demo.Calc Extends %RegisteredObject
{

Parameter GREETING = "hello";

Property Name As %String [ InitialExpression = "world" ];

/// Adds two numbers
ClassMethod Add(a As %Integer, b As %Integer = 2) As %Integer
{
    set x = a + b
    if x > 10 {
        quit x * 2
    }
    quit x
}

ClassMethod Swap(ByRef a, Output b) As %Integer
{
    set b = a, a = "swapped"
    quit ..Add(1)
}

ClassMethod Greet() As %String
{
    quit ..#GREETING_"!"
}

ClassMethod Scope() [ PublicList = shared ]
{
    set private = 1, shared = 2, %pub = 3
    quit $data(outside)
}

ClassMethod Twice(n) As %Integer [ CodeMode = expression ]
{
n * 2
}

Method Hello(punct = ".") As %String
{
    quit "Hi "_..Name_punct
}

Method Rename(new) As %String
{
    set ..Name = new
    quit $this.Hello("?")
}

}
'''

BAD_SYNTAX = '''Class Demo.Bad
{

ClassMethod Ok() As %Integer
{
    quit 1
}

ClassMethod Broken()
{
    set x = (1 +
    quit x
}

}
'''

UNMODELLED = '''Class Demo.Stored Extends %RegisteredObject
{

ClassMethod Ok() As %Integer
{
    quit 1
}

Index NameIdx On Name;

}
'''

MACRO = '''Class Demo.Macro
{

ClassMethod Status() As %Status
{
    quit $$$ThrowOnError
}

}
'''


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _loaded(sim, tmp_path):
    path = _write(tmp_path, "Calc.cls", CALC)
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.err,.list) write sc,"|",err,"|",$data(list("Demo.Calc.cls"))')
    assert out == "1|0|1", out
    return path


def test_load_compile_and_call_class_methods(sim, tmp_path):
    """Load with "ck" compiles; class methods run their ObjectScript bodies with arguments and defaults."""
    _loaded(sim, tmp_path)
    assert sim.write("USER", "##class(Demo.Calc).Add(3,4)") == "7"
    assert sim.write("USER", "##class(Demo.Calc).Add(3)") == "5"
    assert sim.write("USER", "##class(Demo.Calc).Add(5,6)") == "22"  # quit inside an if block
    assert sim.write("USER", '$CLASSMETHOD("Demo.Calc","Add",1,1)') == "2"
    assert sim.write("USER", "##class(Demo.Calc).Greet()") == "hello!"
    assert sim.write("USER", "##class(Demo.Calc).Twice(21)") == "42"


def test_byref_output_and_relative_calls(sim, tmp_path):
    """``.a`` shares the caller's variable; ``..Add()`` calls a method of the same class."""
    _loaded(sim, tmp_path)
    out = sim.run("USER", 'set a="in" set r=##class(Demo.Calc).Swap(.a,.b) write r,"|",a,"|",b')
    assert out == "3|swapped|in"


def test_procedure_block_scope(sim, tmp_path):
    """Method variables are private; % variables and PublicList names are public (ROBJ, GCOSVARS)."""
    _loaded(sim, tmp_path)
    out = sim.run("USER", 'set outside=1 do ##class(Demo.Calc).Scope() write $data(private),$data(shared),$data(%pub)',
                  'write ##class(Demo.Calc).Scope()')
    assert out == "011\r\n0"


def test_instance_methods_and_properties(sim, tmp_path):
    """%New on a %RegisteredObject class, ..Prop, set ..Prop, $this, InitialExpression."""
    _loaded(sim, tmp_path)
    out = sim.run("USER", 'set o=##class(Demo.Calc).%New() write o.Hello(),"|",o.Rename("you"),"|",o.Name')
    assert out == "Hi world.|Hi you?|you"


def test_class_survives_the_session(sim, tmp_path):
    """A class loaded and compiled in one session is callable in the next (stored in the routines database)."""
    _loaded(sim, tmp_path)
    sim.inst.reload()
    assert sim.write("USER", "##class(Demo.Calc).Add(1,2)") == "3"
    assert "CLASS DOES NOT EXIST" in sim.write("%SYS", "##class(Demo.Calc).Add(1,2)")  # per namespace


def test_load_without_compile_then_compile(sim, tmp_path):
    """Load without "c" stores the class uncompiled (not callable [inf]); Compile makes it callable."""
    path = _write(tmp_path, "Calc.cls", CALC)
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","-d")') == "1"
    assert sim.write("USER", "##class(Demo.Calc).Add(1,2)") == "<CLASS DOES NOT EXIST> *Demo.Calc"
    assert sim.run("USER", 'write $SYSTEM.OBJ.Compile("Demo.Calc","-d",.e),"|",e') == "1|0"
    assert sim.write("USER", "##class(Demo.Calc).Add(1,2)") == "3"


def test_load_dir_recurse(sim, tmp_path):
    """LoadDir loads every .cls (subdirectories with recurse=1) and compiles with "c"."""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    _write(src, "Calc.cls", CALC)
    child = 'Class Demo.Child Extends Demo.Calc\n{\n\nClassMethod Three() As %Integer\n{\n    quit ..Add(1) + ..#GREETING\n}\n\n}\n'
    _write(src / "sub", "Child.cls", child)
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.LoadDir("{src}","ck-d",.err,1,.list) write sc,"|",err,"|",'
                          '$data(list("Demo.Child.cls"))')
    assert out == "1|0|1"
    assert sim.write("USER", "##class(Demo.Child).Three()") == "3"  # inherited method and parameter
    flat = sim.run("USER", f'kill list set sc=$SYSTEM.OBJ.LoadDir("{src}","-d",.err,0,.list) write $data(list("Demo.Child.cls"))')
    assert flat == "0"


def test_syntax_error_fails_with_errorlog(sim, tmp_path):
    """A file that does not parse: failing %Status, errorlog names class and line; the class is not loaded."""
    path = _write(tmp_path, "Bad.cls", BAD_SYNTAX)
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.err) write $SYSTEM.Status.IsError(sc),"|",err,"|",err(1)')
    assert out.startswith("1|1|Class 'Demo.Bad': ")
    assert f"{path}(11)" in out and "syntax error" in out  # the body line that does not parse [inf]
    assert sim.write("USER", "##class(Demo.Bad).Ok()") == "<CLASS DOES NOT EXIST> *Demo.Bad"


def test_unmodelled_member_is_a_loud_compile_error(sim, tmp_path):
    """An Index (not modelled) is a compile error naming the line, never silently ignored."""
    path = _write(tmp_path, "Stored.cls", UNMODELLED)
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.err) write $SYSTEM.Status.GetErrorText(sc),"|",err')
    assert "not modelled by the simulator" in out and f"{path}(9)" in out and out.endswith("|1")
    assert sim.write("USER", "##class(Demo.Stored).Ok()") == "<CLASS DOES NOT EXIST> *Demo.Stored"


def test_macros_are_refused(sim, tmp_path):
    """A macro the simulator does not know is a compile error, not a guess (iris_sim/macros.py)."""
    path = _write(tmp_path, "Macro.cls", MACRO)
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.err) write err,"|",err(1)')
    assert out.startswith("1|") and "$$$ThrowOnError" in out and "not modelled" in out


def test_unknown_class_and_method(sim, tmp_path):
    """Unknown class → <CLASS DOES NOT EXIST>; unknown method → <METHOD DOES NOT EXIST>."""
    assert sim.write("USER", "##class(Demo.Nope).X()") == "<CLASS DOES NOT EXIST> *Demo.Nope"
    _loaded(sim, tmp_path)
    assert sim.write("USER", "##class(Demo.Calc).Nope()") == "<METHOD DOES NOT EXIST> *Nope,Demo.Calc"
    assert sim.run("USER", 'write $SYSTEM.OBJ.Compile("Demo.Nope","-d",.e),"|",e') .endswith("|1")


def test_display_prints_errors(sim, tmp_path):
    """With display on (the default, T12) the errors are written; "-d" silences them."""
    path = _write(tmp_path, "Bad.cls", BAD_SYNTAX)
    assert "ERROR #5001: Class 'Demo.Bad'" in sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck")')
    assert sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d")') == ""


def test_other_file_types_and_missing_files_fail(sim, tmp_path):
    """.mac and missing files: failing status, never a silent success."""
    mac = _write(tmp_path, "R.mac", "R ;\n quit\n")
    assert "not modelled" in sim.run("USER", f'write $SYSTEM.Status.GetErrorText($SYSTEM.OBJ.Load("{mac}","-d"))')
    out = sim.run("USER", f'write $SYSTEM.Status.IsError($SYSTEM.OBJ.Load("{tmp_path}/none.cls","-d"))')
    assert out == "1"


def test_qspec():
    """Flags, negation and qualifiers (T12); unknown ones are refused."""
    assert parse_qspec("ck-d") == {"display": 0, "compile": 1, "keepsource": 1}
    assert parse_qspec("c/displaylog=0/nodisplay")["display"] == 0
    assert parse_qspec("bck-d")["includesubclasses"] == 1  # N13, VOBJ
    with pytest.raises(QspecError):
        parse_qspec("cek")
    with pytest.raises(QspecError):
        parse_qspec("c/multicompile=0")


def test_direct_mode_has_no_current_object(sim):
    """..Member and $this outside a method: <NO CURRENT OBJECT> [inf]."""
    assert sim.write("USER", "..Foo()").startswith("<NO CURRENT OBJECT>")
    assert sim.write("USER", "$this").startswith("<NO CURRENT OBJECT>")


def test_run_time_error_inside_a_method(sim, tmp_path):
    """An error in a method body surfaces with IRIS's error shape."""
    path = _write(tmp_path, "E.cls", "Class Demo.E\n{\n\nClassMethod U()\n{\n    write undefinedvar\n}\n\n}\n")
    assert sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d")') == ""
    assert sim.run("USER", "do ##class(Demo.E).U()") == "<UNDEFINED> *undefinedvar"
    assert Sim  # the helper class is shared with the other model tests


SCOPES = '''Class Demo.Scopes Extends %RegisteredObject
{

Property Seed;

Method %OnNew(seed) As %Status
{
    set ..Seed = seed
    quit 1
}

ClassMethod Outer() As %String [ PublicList = shared ]
{
    set shared = "from outer", mine = "private"
    quit ..Inner()
}

ClassMethod Inner() As %String [ PublicList = shared ]
{
    quit shared_"|"_$data(mine)
}

}
'''


def test_public_list_reaches_called_methods_and_on_new(sim, tmp_path):
    """A PublicList variable is seen by the methods it calls (ROBJ); %New passes its arguments to %OnNew [inf]."""
    path = _write(tmp_path, "Scopes.cls", SCOPES)
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d")') == "1"
    assert sim.write("USER", "##class(Demo.Scopes).Outer()") == "from outer|0"
    assert sim.write("USER", "##class(Demo.Scopes).%New(7).Seed") == "7"


def test_return_command_is_refused_at_compile_time(sim, tmp_path):
    """A command the interpreter lacks (RETURN) is a compile error naming its line, not a run-time surprise."""
    path = _write(tmp_path, "R.cls", "Class Demo.R\n{\n\nClassMethod M()\n{\n    return 1\n}\n\n}\n")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.err) write err(1)')
    assert f"{path}(6)" in out and "command 'return' is not modelled by the simulator" in out


RUNNER = '''Class Demo.Runner
{

ClassMethod Run(code) As %String
{
    set mine = "private"
    xecute code
    quit $get(result)_"|"_$data(%out)
}

}
'''


def test_xecute_inside_a_method_uses_public_variables(sim, tmp_path):
    """XECUTE'd code inside a method sets and sees public variables, not the method's private ones [inf]."""
    path = _write(tmp_path, "Runner.cls", RUNNER)
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d")') == "1"
    out = sim.run("USER", 'write ##class(Demo.Runner).Run("set %out=$data(mine),result=1"),"|",%out,"|",result')
    assert out == "|1|0|1"


def test_crlf_and_bom_files_load(sim, tmp_path):
    """A file saved on Windows (CR LF line ends, UTF-8 BOM) loads and compiles like any other [inf]."""
    path = tmp_path / "Win.cls"
    path.write_bytes(b"\xef\xbb\xbf" + CALC.replace("\n", "\r\n").encode("utf-8"))
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d",.e),"|",e') == "1|0"
    assert sim.write("USER", "##class(Demo.Calc).Add(2,2)") == "4"


def test_new_needs_registered_object(sim, tmp_path):
    """A class that does not extend %RegisteredObject has no %New: <METHOD DOES NOT EXIST>."""
    path = _write(tmp_path, "Hello.cls", "Class Demo.Plain\n{\n\nClassMethod One()\n{\n    quit 1\n}\n\n}\n")
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d")') == "1"
    assert sim.write("USER", "##class(Demo.Plain).%New()") == "<METHOD DOES NOT EXIST> *%New,Demo.Plain"


SHAPES = {
    "Shape.cls": ('Class Demo.Shape Extends %RegisteredObject [ Abstract, ProcedureBlock ]\n{\n\n'
                  'Property Side As %Integer [ InitialExpression = 3 ];\n\n'
                  'ClassMethod Kind() As %String\n{\n    quit "shape"\n}\n\n'
                  'Method Area() As %Integer\n{\n    quit ..Side * ..Side\n}\n\n'
                  'Method %OnNew() As %Status\n{\n    set ^AbsOnNew = 1\n    quit 1\n}\n\n}\n'),
    "Square.cls": 'Class Demo.Square Extends Demo.Shape\n{\n\n}\n',
    "Plain.cls": 'Class Demo.NotAbs Extends %RegisteredObject [ Not Abstract ]\n{\n\n}\n',
}


def test_abstract_class_has_no_instances(sim, tmp_path):
    """[ Abstract ] (ROBJABS): no instance, %New returns "" (IRISREF24 %New doc) and %OnNew does not run; class
    methods still run; a subclass is not abstract (the keyword is not inherited); [ Not Abstract ] is the default."""
    for name, text in SHAPES.items():
        _write(tmp_path, name, text)
    assert sim.run("USER", f'write $SYSTEM.OBJ.LoadDir("{tmp_path}","ck-d",.e),"|",e') == "1|0"
    assert sim.write("USER", "##class(Demo.Shape).Kind()") == "shape"
    assert sim.run("USER", 'set o=##class(Demo.Shape).%New() write o="",$data(^AbsOnNew)') == "10"
    assert sim.run("USER", 'write $CLASSMETHOD("Demo.Shape","%New")=""') == "1"
    assert sim.run("USER", 'set o=##class(Demo.Shape).%New() write o.Area()').startswith("<INVALID OREF>")
    assert sim.run("USER", 'set o=##class(Demo.Square).%New() write o.Area(),$data(^AbsOnNew)') == "91"
    assert sim.run("USER", 'write $isobject(##class(Demo.NotAbs).%New())') == "1"


def test_other_class_keywords_stay_refused(sim, tmp_path):
    """Only Abstract and ProcedureBlock are modelled: [ Abstract, Final ] is a compile error naming Final."""
    path = _write(tmp_path, "Final.cls", "Class Demo.Final Extends %RegisteredObject [ Abstract, Final ]\n{\n\n}\n")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.e) write e,"|",e(1)')
    assert out.startswith("1|") and "class keyword 'Final' is not modelled" in out, out
