# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Routines (.mac/.int/.inc) through $SYSTEM.OBJ Load/LoadDir/Compile, #include, Delete (issue 14 item 5)."""

from __future__ import annotations

import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

INC = """ROUTINE Demo [Type=INC]
#define Greeting "Hello"
#define Answer 42
"""

MAC = """ROUTINE Demo.Util [Type=MAC]
#include Demo
Demo.Util ; the entry point
 write "top"
 quit
Greet(name) public {
 quit $$$Greeting_", "_name
}
Add(a,b)
 quit a+b
Hi
 write "hi",$$Add(1,2)
Fall
 write "-fall"
 quit
Answer()
 quit $$$Answer
"""

CLS = """Include Demo

Class Demo.UsesInc Extends %RegisteredObject
{

ClassMethod Hello() As %String
{
    quit $$$Greeting_"!"
}

}
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _load_dir(sim, tmp_path):
    _write(tmp_path, "Demo.inc", INC)
    _write(tmp_path, "Util.mac", MAC)
    _write(tmp_path, "UsesInc.cls", CLS)
    return sim.run("USER", f'set sc=$SYSTEM.OBJ.LoadDir("{tmp_path}","ck-d",.err,1,.list) write sc,"|",err,"|",'
                           '$data(list("Demo.Util.mac")),$data(list("Demo.inc")),$data(list("Demo.UsesInc.cls"))')


def test_routine_labels_run_after_load_dir(sim, tmp_path):
    """do label^routine, $$label^routine(), fall-through, local calls, #include constants."""
    assert _load_dir(sim, tmp_path) == "1|0|111"
    assert sim.write("USER", '$$Greet^Demo.Util("you")') == "Hello, you"
    assert sim.write("USER", "$$Add^Demo.Util(2,5)") == "7"
    assert sim.run("USER", "do Hi^Demo.Util") == "hi3-fall"
    assert sim.run("USER", "do ^Demo.Util") == "top"
    assert sim.write("USER", "$$Answer^Demo.Util()") == "42"
    assert sim.write("USER", "##class(Demo.UsesInc).Hello()") == "Hello!"


def test_macros_keep_the_expansion_of_their_compile(sim, tmp_path):
    """iris-sources.md MACPP: macros are substituted when the including class or routine compiles, so a change of
    the .inc alone leaves them with the old value until they compile again."""
    _load_dir(sim, tmp_path)
    inc = _write(tmp_path, "Demo.inc", INC.replace('"Hello"', '"Howdy"'))
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{inc}","ck-d")') == "1"
    assert sim.write("USER", '$$Greet^Demo.Util("you")') == "Hello, you"
    assert sim.write("USER", "##class(Demo.UsesInc).Hello()") == "Hello!"
    assert sim.run("USER", 'write $SYSTEM.OBJ.CompileList("Demo.Util.mac,Demo.UsesInc.cls","ck-d")') == "1"
    assert sim.write("USER", '$$Greet^Demo.Util("you")') == "Howdy, you"
    assert sim.write("USER", "##class(Demo.UsesInc).Hello()") == "Howdy!"


def test_formals_are_restored_and_errors(sim, tmp_path):
    _load_dir(sim, tmp_path)
    assert sim.run("USER", 'set a="mine" set x=$$Add^Demo.Util(1,1) write a,x') == "mine2"
    assert "<NOLINE>" in sim.run("USER", "do Nope^Demo.Util")
    assert "<NOROUTINE>" in sim.run("USER", "do ^Demo.None")


def test_compile_error_names_file_and_line(sim, tmp_path):
    bad = _write(tmp_path, "Bad.mac", "ROUTINE Bad\nBad\n set x=$$$Unknown\n quit\n")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{bad}","ck-d",.err) write err,"|",err(1)')
    assert out.startswith("1|Routine 'Bad.mac': " + bad + "(3): "), out
    assert "<NOROUTINE>" in sim.run("USER", "do ^Bad")


def test_missing_include_and_header(sim, tmp_path):
    mac = _write(tmp_path, "R.mac", "ROUTINE R\n#include Nope\n quit\n")
    assert "include file 'Nope' does not exist" in sim.run(
        "USER", f'set sc=$SYSTEM.OBJ.Load("{mac}","ck-d",.err) write err(1)')
    plain = _write(tmp_path, "P.mac", "P ;\n quit\n")
    assert "not modelled" in sim.run("USER", f'write $SYSTEM.Status.GetErrorText($SYSTEM.OBJ.Load("{plain}","-d"))')


def test_delete_class_and_routine(sim, tmp_path):
    _load_dir(sim, tmp_path)
    assert sim.run("USER", 'write $SYSTEM.OBJ.Delete("Demo.UsesInc","-d")') == "1"
    assert "<CLASS DOES NOT EXIST>" in sim.run("USER", "write ##class(Demo.UsesInc).Hello()")
    assert sim.run("USER", 'write ##class(%Routine).Delete("Demo.Util.mac")') == "1"
    assert "<NOROUTINE>" in sim.run("USER", "do Hi^Demo.Util")
    # iris-sources.md N11, VOBJ: a routine that does not exist returns success
    assert sim.run("USER", 'write $SYSTEM.Status.IsError(##class(%Routine).Delete("Demo.Util.mac"))') == "0"
    assert sim.run("USER", 'write $SYSTEM.Status.IsError($SYSTEM.OBJ.Delete("Demo.UsesInc","-d"))') == "1"


def test_the_sample_application_loads_and_runs(sim):
    """tests/sample_app/src: classes, a routine, an include (issue 14 item 5)."""
    import os  # pylint: disable=import-outside-toplevel
    src = os.path.join(os.path.dirname(__file__), "..", "..", "sample_app", "src")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.LoadDir("{os.path.abspath(src)}","ck-d",.err,1) write sc,"|",err')
    assert out == "1|0", out
    assert sim.write("USER", "##class(SampleApp.Calculator).Add(2,3)") == "5"
    assert sim.write("USER", '##class(SampleApp.Greeter).Greet("CI")') == "Hello, CI!"
    assert sim.write("USER", "##class(SampleApp.Greeter).%New().Shout()") == "HELLO WORLD!"
    assert sim.write("USER", "##class(SampleApp.Calculator).Version()") == "1.0"


def test_include_files_include_other_include_files(sim, tmp_path):
    """iris-sources.md MACPP: an include file can include other include files; their macros reach the class that
    includes the outer one, and keep the expansion of its compile (N17). A cycle and a macro defined again with
    another value are not modelled."""
    _write(tmp_path, "Inner.inc", 'ROUTINE Inner [Type=INC]\n#define Greeting "Hello"\n')
    _write(tmp_path, "Outer.inc", 'ROUTINE Outer [Type=INC]\n#include Inner\n#define Answer 42\n')
    _write(tmp_path, "Chain.cls", 'Include Outer\n\nClass Demo.Chain Extends %RegisteredObject\n{\n\n'
                                  'ClassMethod Hello() As %String\n{\n    quit $$$Greeting_$$$Answer\n}\n\n}\n')
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.LoadDir("{tmp_path}","ck-d",.err,1) write sc,"|",err')
    assert out == "1|0", out
    assert sim.run("USER", "write ##class(Demo.Chain).Hello()") == "Hello42"
    # the inner include changes: the compiled class keeps its expansion until it compiles again (N17)
    _write(tmp_path, "Inner.inc", 'ROUTINE Inner [Type=INC]\n#define Greeting "Hi"\n')
    sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{tmp_path}/Inner.inc","ck-d")')
    assert sim.run("USER", "write ##class(Demo.Chain).Hello()") == "Hello42"
    sim.run("USER", 'set sc=$SYSTEM.OBJ.Compile("Demo.Chain","ck-d")')
    assert sim.run("USER", "write ##class(Demo.Chain).Hello()") == "Hi42"
    # a cycle, and a macro defined again with another value
    cycle = _write(tmp_path, "Inner.inc", 'ROUTINE Inner [Type=INC]\n#include Outer\n')
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{cycle}","ck-d",.err) write err(1)')
    assert "including itself (Inner -> Outer -> Inner)" in out and "not modelled" in out
    again = _write(tmp_path, "Inner.inc", 'ROUTINE Inner [Type=INC]\n#define Answer 7\n')
    sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{again}","k-d")')
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{tmp_path}/Outer.inc","ck-d",.err) write err(1)')
    assert "macro 'Answer' defined again with another value" in out
