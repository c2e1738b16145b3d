# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""%UnitTest.TestCase, the assert macros and %UnitTest.Manager.RunTest (issue 14 item 5; DESIGN.md Contract 9).

The sample suite is tests/data/unittest/demo: a class under test, a passing and a failing TestCase class."""

from __future__ import annotations

import os
import shutil

# importing the models registers %UnitTest.* and %SYSTEM.OBJ
import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from iris_sim import values
from iris_sim.models.unittest import SpecError, parse_qspec
from test_models_support import Sim, fixture_sim  # noqa: F401  pylint: disable=unused-import

import pytest

DATA = os.path.join(os.path.dirname(__file__), "data", "unittest")
RUN = 'set sc=##class(%UnitTest.Manager).RunTest({spec},{qspec}) write "SC=",$SYSTEM.Status.IsError(sc)'


def _root(sim, root=DATA):
    assert sim.run("USER", f'set ^UnitTestRoot="{root}"') == ""


def _run(sim, spec='"demo"', qspec='"/loadudl/nodisplay"') -> str:
    return sim.run("USER", RUN.format(spec=spec, qspec=qspec))


def result_tree(sim, idx=None) -> dict:
    """^UnitTest.Result(idx) as {subscripts after idx: decoded $list} (read through the global store)."""
    with sim.inst.session_lock():
        sim.inst.reload()
        store = sim.inst.global_store("USER")
        if idx is None:
            idx = store.order("UnitTest.Result", ("",), -1)
        out: dict = {}

        def walk(subs):
            sub = store.order("UnitTest.Result", subs + ("",))
            while sub != "":
                here = subs + (sub,)
                value = store.get("UnitTest.Result", here)
                if value is not None:
                    out[here[1:]] = values.list_items(value)
                walk(here)
                sub = store.order("UnitTest.Result", here)

        walk((idx,))
    return out


def test_run_test_results_in_the_ipm_layout(sim):
    """Suite, case, method and assertion nodes in T4's layout; failures, texts, locations, skipped status 2."""
    _root(sim)
    assert _run(sim) == "SC=0"  # IPMCI: RunTest returns OK also when a test failed (the results say it)
    tree = result_tree(sim)
    assert tree[("demo",)][0] == 0
    passing, failing = ("demo", "Sample.Test.Passing"), ("demo", "Sample.Test.Failing")
    assert tree[passing][0] == 1 and tree[passing][2:] == ["", ""]
    assert tree[failing][0] == 0 and tree[failing][2:] == ["", "There are failed TestMethods"]
    methods = {key[2]: val[0] for key, val in tree.items() if len(key) == 3}
    assert methods == {"TestAdd": 1, "TestStatus": 1, "TestWrongSum": 0, "TestError": 0, "TestFailure": 0}
    assert tree[failing + ("TestWrongSum", 1)] == [0, "AssertEquals", "Add(2,2)=5",
                                                   "TestWrongSum+1^Sample.Test.Failing.1"]
    assert tree[failing + ("TestWrongSum", 2)][:2] == [1, "AssertTrue"]
    assert tree[failing + ("TestFailure", 2)] == [0, "AssertFailure", "explicit failure",
                                                  "TestFailure+4^Sample.Test.Failing.1"]
    # an uncaught error: the method fails with the error text; the assertion before it is kept
    assert tree[failing + ("TestError",)][2:] == ["TestError", "<UNDEFINED> *undefinedvar"]
    assert tree[failing + ("TestError", 1)][:3] == [1, "AssertSuccess", "reached"]
    status = {key[3]: val for key, val in tree.items() if len(key) == 4 and key[:3] == passing + ("TestStatus",)}
    assert [s[1] for s in status.values()] == ["AssertStatusOK", "AssertTrue", "AssertStatusNotOK", "AssertNotTrue",
                                               "AssertSkipped"]
    assert status[5][0] == 2 and status[5][2] == "not on this platform"  # T3: 2 = skipped
    assert status[2][2] == "$$$ISOK(sc)"  # no description: made from the expression (UTCASE) [inf text]


def test_counts_through_session_lines(sim):
    """The newest run index is $order(^UnitTest.Result(""),-1) (T4); counts read with ObjectScript."""
    _root(sim)
    _run(sim)
    _run(sim)
    count = ('set i=$order(^UnitTest.Result(""),-1),s="demo",(p,f)=0,c="" '
             'for { set c=$order(^UnitTest.Result(i,s,c)) quit:c=""  set m="" '
             'for { set m=$order(^UnitTest.Result(i,s,c,m)) quit:m=""  '
             'if $listget(^UnitTest.Result(i,s,c,m)) { set p=p+1 } else { set f=f+1 } } } '
             'write i,"|",p,"|",f')
    assert sim.run("USER", count) == "2|2|3"


def test_lifecycle_methods_run(sim):
    """OnBeforeAllTests once, OnBeforeOneTest per test method with its name, OnAfterAllTests (T2)."""
    _root(sim)
    _run(sim)
    out = sim.run("USER", 'write ^SampleLog("before all"),$data(^SampleLog("before","TestAdd")),'
                          '$data(^SampleLog("before","TestStatus")),^SampleLog("after all")')
    assert out == "1111"


def test_loaded_classes_are_deleted_unless_nodelete(sim):
    """/delete is the default (T1, T2): the suite's classes are gone after the run; /nodelete keeps them."""
    _root(sim)
    _run(sim)
    assert sim.write("USER", "##class(Sample.Calc).Add(1,2)") == "<CLASS DOES NOT EXIST> *Sample.Calc"
    _run(sim, qspec='"/loadudl/nodelete/nodisplay"')
    assert sim.write("USER", "##class(Sample.Calc).Add(1,2)") == "3"
    # /noload runs the compiled class named in the testspec (T1)
    assert _run(sim, spec='"demo:Sample.Test.Passing"', qspec='"/noload/nodisplay"') == "SC=0"
    assert {key[1] for key in result_tree(sim) if len(key) == 2} == {"Sample.Test.Passing"}


def test_testspec_class_and_method(sim):
    """suite:Pkg.Class:Method runs that method only (T1)."""
    _root(sim)
    assert _run(sim, spec='"demo:Sample.Test.Failing:TestWrongSum"') == "SC=0"  # failed; the status is OK (IPMCI)
    assert [key for key in result_tree(sim) if len(key) == 3] == [("demo", "Sample.Test.Failing", "TestWrongSum")]


def test_display_and_nodisplay(sim):
    """Display on by default: a line per method [inf]; /nodisplay writes nothing."""
    _root(sim)
    out = sim.run("USER", 'do ##class(%UnitTest.Manager).RunTest("demo","/loadudl")')
    assert "Sample.Test.Failing.TestWrongSum failed" in out and "AssertEquals failed: Add(2,2)=5" in out
    assert sim.run("USER", 'do ##class(%UnitTest.Manager).RunTest("demo","/loadudl/nodisplay")') == ""


def test_loadudl_is_on_by_default(sim):
    """/loadudl is on unless negated (iris-sources.md IRISREF24, RunTest doc): an empty qspec loads the .cls files."""
    _root(sim)
    assert _run(sim, qspec='"/nodisplay"') == "SC=0"  # the suite ran (its failing test too)
    assert {key[1] for key in result_tree(sim) if len(key) == 2} == {"Sample.Test.Failing", "Sample.Test.Passing"}
    # /noloadudl loads no .cls file: nothing to run
    assert _run(sim, qspec='"/noloadudl/nodisplay"') == "SC=0"


def test_load_norun_keeps_the_classes(sim):
    """/load/norun only loads (IRISREF24: the loaded classes are deleted only when /load and /run are both on)."""
    _root(sim)
    assert _run(sim, qspec='"/norun/nodisplay"') == "SC=0"
    assert sim.write("USER", "##class(Sample.Calc).Add(1,2)") == "3"
    assert sim.run("USER", 'write $data(^UnitTest.Result)') == "0"


@pytest.mark.parametrize("qspec, expected", [
    ('"/loadudl/debug"', "qualifier '/debug' is not modelled"),
    ('"ck/loadudl"', "flags other than /qualifiers"),
])
def test_refused_qspecs(sim, qspec, expected):
    """What the sources leave open is refused with an error status, never run on a guess."""
    _root(sim)
    out = sim.run("USER", f'set sc=##class(%UnitTest.Manager).RunTest("demo",{qspec}) '
                          'write $SYSTEM.Status.GetErrorText(sc)')
    assert expected in out and "ERROR #5001" in out
    assert sim.run("USER", 'write $data(^UnitTest.Result)') == "0"


def test_bad_root_and_suite(sim, tmp_path):
    """^UnitTestRoot not a directory or a missing suite: an error status with a hint."""
    assert "^UnitTestRoot '' is not a directory" in _run(sim, qspec='"/loadudl"')
    _root(sim, str(tmp_path))
    assert "does not exist" in _run(sim, qspec='"/loadudl"')


def test_noload_checks_the_root_and_suite_too(sim, tmp_path):
    """/noload too: ^UnitTestRoot must be an existing directory and the suite a directory under it (iris-sources.md
    UT2, IRISREF24: "must specify a valid directory whose existence is checked"); nothing runs otherwise."""
    _root(sim)
    _run(sim, qspec='"/nodelete/nodisplay"')  # the demo classes stay compiled
    assert sim.run("USER", 'kill ^UnitTest.Result set ^UnitTestRoot=""') == ""
    noload = '"/noload/nodelete/nodisplay/norecursive"'
    why = ('set sc=##class(%UnitTest.Manager).RunTest("loaded:Sample.Test.Passing",' + noload + ') '
           'write $SYSTEM.Status.GetErrorText(sc)')
    assert "^UnitTestRoot '' is not a directory" in sim.run("USER", why)
    _root(sim, str(tmp_path))
    assert "does not exist" in sim.run("USER", why)
    assert sim.run("USER", 'write $data(^UnitTest.Result)') == "0"
    (tmp_path / "loaded").mkdir()
    assert _run(sim, spec='"loaded:Sample.Test.Passing"', qspec=noload) == "SC=0"
    assert {key[1] for key in result_tree(sim) if len(key) == 2} == {"Sample.Test.Passing"}


def _suite(tmp_path, text, name="T.cls"):
    suite = tmp_path / "s"
    suite.mkdir(exist_ok=True)
    (suite / name).write_text(text, encoding="utf-8")
    return str(tmp_path)


def test_unmodelled_macro_is_a_compile_error(sim, tmp_path):
    """$$$LogMessage is in no source read: a compile error naming the macro and line; nothing runs."""
    text = ('Class T.Log Extends %UnitTest.TestCase\n{\n\nMethod TestIt()\n{\n'
            '    do $$$LogMessage("hello")\n}\n\n}\n')
    _root(sim, _suite(tmp_path, text))
    out = sim.run("USER", 'set sc=##class(%UnitTest.Manager).RunTest("s","/loadudl") '
                          'write !,$SYSTEM.Status.GetErrorText(sc)')
    assert "macro '$$$LogMessage' is not modelled by the simulator" in out and "T.cls(6)" in out
    assert sim.run("USER", 'write $data(^UnitTest.Result)') == "0"


def test_assert_macros_need_a_test_case(sim, tmp_path):
    """$$$AssertEquals in a class that is not a TestCase does not compile (the macros come with TestCase) [inf]."""
    path = tmp_path / "P.cls"
    path.write_text('Class T.Plain\n{\n\nClassMethod M()\n{\n    do $$$AssertTrue(1)\n}\n\n}\n', encoding="utf-8")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.e) write e,"|",e(1)')
    assert out.startswith("1|") and "%UnitTest.TestCase" in out and "(6)" in out


def test_assert_files_same_is_refused(sim, tmp_path):
    """A listed macro the model does not implement fails loudly at compile time."""
    text = ('Class T.F Extends %UnitTest.TestCase\n{\n\nMethod TestF()\n{\n'
            '    do $$$AssertFilesSame("a","b")\n}\n\n}\n')
    path = tmp_path / "F.cls"
    path.write_text(text, encoding="utf-8")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.e) write e(1)')
    assert "$$$AssertFilesSame" in out and "not modelled" in out


def test_status_macros_in_any_class(sim, tmp_path):
    """$$$OK, $$$ISERR, $$$ISOK expand in every class (SYSMACROS)."""
    text = ('Class T.S\n{\n\nClassMethod M(sc) As %String\n{\n    quit $$$OK_$$$ISERR(sc)_$$$ISOK(sc)\n}\n\n'
            'ClassMethod E() As %Boolean [ CodeMode = expression ]\n{\n'
            '$$$ISERR($SYSTEM.Status.Error(5001,"x"))\n}\n\n}\n')
    path = tmp_path / "S.cls"
    path.write_text(text, encoding="utf-8")
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d")') == "1"
    assert sim.write("USER", "##class(T.S).M(1)") == "101"
    assert sim.write("USER", "##class(T.S).E()") == "1"


def test_via_macro_outside_run_test(sim, tmp_path):
    """An assert method with no RunTest to record into: <INVALID OREF> [inf], not a silent pass."""
    text = 'Class T.V Extends %UnitTest.TestCase\n{\n\nMethod TestV()\n{\n    do $$$AssertTrue(1)\n}\n\n}\n'
    path = tmp_path / "V.cls"
    path.write_text(text, encoding="utf-8")
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d")') == "1"
    assert sim.run("USER", "do ##class(T.V).%New().TestV()").startswith("<INVALID OREF>")


def test_recursive_subdirectories_are_refused(sim, tmp_path):
    """Subdirectories with files under /recursive (the default): refused; /norecursive ignores them."""
    root = _suite(tmp_path, 'Class T.R Extends %UnitTest.TestCase\n{\n\nMethod TestR()\n{\n'
                            '    do $$$AssertTrue(1)\n}\n\n}\n')
    sub = tmp_path / "s" / "sub"
    sub.mkdir()
    shutil.copy(tmp_path / "s" / "T.cls", sub / "T2.cls")
    _root(sim, root)
    assert "under /recursive is not modelled" in _run(sim, spec='"s"', qspec='"/loadudl"')
    assert _run(sim, spec='"s"', qspec='"/loadudl/norecursive/nodisplay"') == "SC=0"


def test_parse_qspec():
    """T1 negation forms; /display=none (T4)."""
    assert parse_qspec("/noload/nodelete")["load"] == 0
    assert parse_qspec("/delete=0/display=none") == {"load": 1, "run": 1, "delete": 0, "recursive": 1,
                                                     "loadudl": 1, "display": 0}
    with pytest.raises(SpecError):
        parse_qspec("/coverage")
    assert Sim  # shared helper


def test_indirect_test_case_subclass(sim, tmp_path):
    """A class extending a loaded TestCase subclass inherits the macros and runs with the suite; an abstract-like
    base without Test methods records a passed case [inf]."""
    base = 'Class T.Base Extends %UnitTest.TestCase\n{\n\nMethod Helper() As %Integer\n{\n    quit 42\n}\n\n}\n'
    child = ('Class T.Child Extends T.Base\n{\n\nMethod TestHelper()\n{\n'
             '    do $$$AssertEquals(..Helper(), 42, "helper")\n}\n\n}\n')
    root = _suite(tmp_path, base, "Base.cls")
    _suite(tmp_path, child, "Child.cls")
    _root(sim, root)
    assert _run(sim, spec='"s"') == "SC=0"
    tree = result_tree(sim)
    assert tree[("s", "T.Child", "TestHelper", 1)] == [1, "AssertEquals", "helper", "TestHelper+1^T.Child.1"]
    assert tree[("s", "T.Base")][0] == 1


def test_result_sql_tables_are_not_modelled(sim):
    """The %UnitTest_Result.* tables (T3) are not modelled: a query fails (SQLCODE -30), never returns no rows."""
    _root(sim)
    _run(sim)
    query = "SELECT Action FROM %UnitTest_Result.TestAssert"
    out = sim.run("USER", f'set rs=##class(%SQL.Statement).%ExecDirect(,"{query}") write rs.%SQLCODE')
    assert out == "-30"


LIFECYCLE = os.path.join(DATA, "lifecycle")


def ipm_summary(tree: dict) -> dict:
    """Counts as IPM's reader makes them (iris-sources.md IPMCI, IPMT4): methods (a case-level error counts as one
    failed method) and failure rows (case errors, method errors - an error category recorded - and failed
    assertions)."""
    counts = {"total": 0, "passed": 0, "failed": 0, "rows": 0}
    for key, value in tree.items():
        if len(key) == 2 and value[2]:
            counts.update(total=counts["total"] + 1, failed=counts["failed"] + 1, rows=counts["rows"] + 1)
        elif len(key) == 3:
            counts["total"] += 1
            counts["passed" if value[0] else "failed"] += 1
            counts["rows"] += bool(value[2])
        elif len(key) == 4:
            counts["rows"] += value[0] == 0
    return counts


def test_lifecycle_outcomes_match_what_ipm_ci_observes(sim):
    """Failing lifecycle methods (by status and by error), failed assertions and an error in a test method: the
    counts IPM's own test of its test phase asserts on IRIS (iris-sources.md IPMCI: 12 failed and 6 passed methods,
    13 failure rows) for classes of the same shapes (tests/data/unittest/lifecycle, written for this test)."""
    _root(sim, LIFECYCLE)
    assert _run(sim, spec='"Life"') == "SC=0"  # IPMCI: RunTest's status is OK although tests failed
    tree = result_tree(sim)
    assert ipm_summary(tree) == {"total": 18, "passed": 6, "failed": 12, "rows": 13}
    # no method of a class whose OnBeforeAllTests failed runs; OnAfterOneTest fails a method whose assertion passed
    assert not [key for key in tree if len(key) == 3 and key[1].startswith("Life.SetupAll")]
    assert tree[("Life", "Life.TeardownOneStatus", "TestBody")][:1] == [0]
    assert tree[("Life", "Life.TeardownOneStatus", "TestBody", 1)][:1] == [1]


def test_empty_testspec_runs_the_root(sim, tmp_path):
    """An empty testspec runs ^UnitTestRoot itself (IRISREF24); the results' suite subscript is the root's value
    [inf: iris-sources.md IPMT8]."""
    root = os.path.join(str(tmp_path), "Life", "")
    shutil.copytree(os.path.join(LIFECYCLE, "Life"), root)
    _root(sim, root)
    assert _run(sim, spec='""') == "SC=0"
    tree = result_tree(sim)
    assert {key[0] for key in tree} == {root}
    assert ipm_summary(tree)["total"] == 18


def test_underscore_directories_are_skipped_and_autoload_refused(sim, tmp_path):
    """IRISREF24 (RunTest doc): subdirectories named _... are skipped, also under /recursive; _autoload (the /autoload
    default, loaded from the suite directory and its ancestors) is not modelled."""
    root = _suite(tmp_path, 'Class T.U Extends %UnitTest.TestCase\n{\n\nMethod TestU()\n{\n'
                            '    do $$$AssertTrue(1)\n}\n\n}\n')
    data = tmp_path / "s" / "_data"
    data.mkdir()
    (data / "Broken.cls").write_text("this is not a class\n", encoding="utf-8")
    _root(sim, root)
    assert _run(sim, spec='"s"', qspec='"/nodisplay"') == "SC=0"
    assert {key[1] for key in result_tree(sim) if len(key) == 2} == {"T.U"}
    (tmp_path / "_autoload").mkdir()
    out = sim.run("USER", 'set sc=##class(%UnitTest.Manager).RunTest("s","/nodisplay") '
                          'write $SYSTEM.Status.GetErrorText(sc)')
    assert "the _autoload directory in" in out and "is not modelled" in out


ABSTRACT_BASE = ('Class T.AbsBase Extends %UnitTest.TestCase [ Abstract ]\n{\n\nMethod Helper() As %Integer\n{\n'
                 '    quit 42\n}\n\nMethod TestBase()\n{\n    do $$$AssertTrue(1)\n}\n\n}\n')
ABSTRACT_CHILD = ('Class T.AbsChild Extends T.AbsBase\n{\n\nMethod TestHelper()\n{\n'
                  '    do $$$AssertEquals(..Helper(), 42, "helper")\n}\n\n}\n')


def test_abstract_test_case_is_refused(sim, tmp_path):
    """No source says what RunTest does with an abstract TestCase class (iris-sources.md ABS3): the call fails loudly
    before anything runs or is recorded, and deletes what it loaded; /noload naming one fails the same way."""
    root = _suite(tmp_path, ABSTRACT_BASE, "AbsBase.cls")
    _suite(tmp_path, ABSTRACT_CHILD, "AbsChild.cls")
    _root(sim, root)
    out = _run(sim, spec='"s"', qspec='"/loadudl"')
    assert "simulator: running the abstract TestCase class 'T.AbsBase' is not modelled" in out and "Fix:" in out
    assert out.endswith("SC=1"), out
    assert sim.run("USER", 'write $data(^UnitTest.Result)') == "0"
    assert sim.write("USER", "##class(T.AbsChild).%New()") == "<CLASS DOES NOT EXIST> *T.AbsChild"
    _run(sim, spec='"s"', qspec='"/norun/nodisplay"')  # loads and keeps them (IRISREF24: deleted only with /run)
    out = _run(sim, spec='"s:T.AbsBase"', qspec='"/noload"')
    assert "abstract TestCase class 'T.AbsBase'" in out and out.endswith("SC=1"), out
    assert sim.run("USER", 'write $data(^UnitTest.Result)') == "0"


def test_abstract_base_loaded_outside_the_suite_runs_its_subclass(sim, tmp_path):
    """The Fix of the refusal: the abstract base compiled beforehand, the suite holds the concrete class only."""
    base = tmp_path / "AbsBase.cls"
    base.write_text(ABSTRACT_BASE, encoding="utf-8")
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{base}","ck-d")') == "1"
    _root(sim, _suite(tmp_path, ABSTRACT_CHILD, "AbsChild.cls"))
    assert _run(sim, spec='"s"') == "SC=0"
    tree = result_tree(sim)
    assert {key[1] for key in tree if len(key) == 2} == {"T.AbsChild"}
    assert tree[("s", "T.AbsChild", "TestHelper", 1)][:3] == [1, "AssertEquals", "helper"]
    assert tree[("s", "T.AbsChild", "TestBase")][0] == 1  # inherited Test methods run in the subclass
