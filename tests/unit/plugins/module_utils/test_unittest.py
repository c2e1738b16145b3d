# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_unittest: what runs, the one program (against the in-process simulator), and the outcome read from ^UnitTest.Result."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _unittest
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_TESTS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "sample_app", "tests", "SampleApp"))
DIRECTORY_QSPEC = "/load/run/nodisplay/loadudl/recursive/delete"


# -- what runs ---------------------------------------------------------------------------------------------------------
def test_plan_directory_runs():
    assert _unittest.plan_runs(dict(directory="/opt/tests/", suite="unit")) == ("/opt/tests", ["unit"])
    assert _unittest.plan_runs(dict(directory="/t", suite="unit", test_class="A.B", test_method="TestX")) == (
        "/t", ["unit:A.B:TestX"])
    assert _unittest.qspec_for(dict(directory="/t")) == DIRECTORY_QSPEC
    assert _unittest.qspec_for(dict(directory="/t", load_udl=None, recursive=None, delete_classes=None)) == DIRECTORY_QSPEC
    assert _unittest.qspec_for(dict(directory="/t", load_udl=False, recursive=False, delete_classes=False)) == (
        "/load/run/nodisplay/noloadudl/norecursive/nodelete")


def test_plan_class_runs():
    assert _unittest.plan_runs(dict(classes=["A.B", "%Z.C"])) == ("", ["loaded:A.B", "loaded:%Z.C"])
    assert _unittest.plan_runs(dict(classes=["A.B"], suite="ci", test_method="TestY")) == ("", ["ci:A.B:TestY"])
    assert _unittest.qspec_for(dict(classes=["A.B"])) == "/noload/nodelete/run/nodisplay/norecursive"


@pytest.mark.parametrize("params, needle", [
    (dict(directory="relative/dir", suite="u"), "directory must be an absolute path"),
    (dict(directory="/a\nb", suite="u"), "without control characters"),
    (dict(directory="/t", suite="a:b"), "suite must be the name of one directory"),
    (dict(directory="/t", suite="a/b"), "suite must be the name of one directory"),
    (dict(directory="/t", suite=".."), "suite must be the name of one directory"),
    (dict(directory="/t", suite="u", test_class="NoPackage"), "test_class must be a class name"),
    (dict(directory="/t", suite="u", test_class="A.B", test_method="Test(1)"), "test_method must be a method name"),
    (dict(directory="/t", suite="u", test_method="TestX"), "test_method needs test_class"),
    (dict(classes=["A.B", "A.B"]), "more than once"),
    (dict(classes=["A.B", "A.C"], test_method="TestX"), "exactly one class"),
    (dict(classes=["A.B\" quit"]), "classes must be a class name"),
    (dict(classes=["A.B\n"]), "classes must be a class name"),  # "$" took a trailing line feed into the testspec
    (dict(directory="/t", suite="u", test_class="A.B\n"), "test_class must be a class name"),
    (dict(directory="/t", suite="u", test_class="A.B", test_method="TestX\n"), "test_method must be a method name"),
    (dict(directory="/t", suite="u\x9b"), "suite must be the name of one directory"),  # C1 control (CSI)
    (dict(directory="/t\x85", suite="u"), "without control characters"),
    (dict(classes=[]), "Nothing to run"),
    (dict(classes=["A.B"], delete_classes=True), "delete_classes is not used with classes"),
    (dict(classes=["A.B"], load_udl=False), "load_udl is not used with classes"),
])
def test_plan_refuses_bad_input(params, needle):
    with pytest.raises(IrisModuleError) as info:
        _unittest.plan_runs(params)
    assert needle in info.value.msg and info.value.hint


def test_ipm_command_runs_the_test_phase_alone_with_failures_read_from_the_results():
    assert _unittest.ipm_command(dict(ipm_module="sample-app")) == "test sample-app -only -DUnitTest.FailuresAreFatal=0"


@pytest.mark.parametrize("params, needle", [
    (dict(ipm_module="a b"), "is not an IPM module name"),
    (dict(ipm_module='a"b'), "is not an IPM module name"),
    (dict(ipm_module="m", suite="unit"), "suite is not used with ipm_module"),
    (dict(ipm_module="m", test_method="TestX"), "test_method is not used with ipm_module"),
    # options of directory runs are refused, not ignored: also false, and also their IRIS default true
    (dict(ipm_module="m", delete_classes=False), "delete_classes is not used with ipm_module"),
    (dict(ipm_module="m", load_udl=True, recursive=False), "load_udl, recursive are not used with ipm_module"),
])
def test_ipm_command_refuses_bad_input(params, needle):
    with pytest.raises(IrisModuleError) as info:
        _unittest.ipm_command(params)
    assert needle in info.value.msg and info.value.hint


# -- the outcome ---------------------------------------------------------------------------------------------------------
def method(name, status, asserts=(), category="", message="", passed=0, failed=0, skipped=0):
    return dict(name=name, status=status, time=0.5, category=category, message=message, asserts=[list(a) for a in asserts],
                asserts_passed=passed, asserts_failed=failed, asserts_skipped=skipped)


def test_outcome_classifies_every_test():
    results = [dict(index=3, suite="unit", status=0, time=1.5, cases=[
        dict(name="P.Ok", status=1, time=1, category="", message="", methods=[
            method("TestA", 1, passed=2),
            method("TestSkip", 1, [(2, "AssertSkipped", "not here", "TestSkip+1^P.Ok.1")], skipped=1),
            method("TestSomeSkipped", 1, [(2, "AssertSkipped", "n/a", "x")], passed=1, skipped=1)]),
        dict(name="P.Bad", status=0, time=1, category="OnAfterAllTests", message="ERROR #5001: cleanup", methods=[
            method("TestFail", 0, [(0, "AssertEquals", "2+2=5", "TestFail+1^P.Bad.1"),
                                   (0, "AssertTrue", "x", "TestFail+2^P.Bad.1")], passed=1, failed=2),
            method("TestErr", 0, category="TestErr", message="<UNDEFINED> *x", passed=1)]),
    ])]
    outcome = _unittest.outcome_from(results)
    assert outcome["counts"] == dict(tests=6, passed=2, failed=1, errors=2, skipped=1)
    assert outcome["assertions"] == dict(total=9, passed=5, failed=2, skipped=2)
    assert outcome["duration"] == 1.5
    assert outcome["failures"] == [
        dict(suite="unit", **{"class": "P.Bad"}, method="TestFail", outcome="failed", message="AssertEquals: 2+2=5",
             assertions=[dict(action="AssertEquals", description="2+2=5", location="TestFail+1^P.Bad.1"),
                         dict(action="AssertTrue", description="x", location="TestFail+2^P.Bad.1")]),
        dict(suite="unit", **{"class": "P.Bad"}, method="TestErr", outcome="error", message="TestErr: <UNDEFINED> *x",
             assertions=[]),
        dict(suite="unit", **{"class": "P.Bad"}, method="OnAfterAllTests", outcome="error",
             message="OnAfterAllTests: ERROR #5001: cleanup", assertions=[]),
    ]
    cases = outcome["suites"][0]["testcases"]
    assert [(c["name"], c["outcome"]) for c in cases] == [
        ("TestA", "passed"), ("TestSkip", "skipped"), ("TestSomeSkipped", "passed"), ("TestFail", "failed"),
        ("TestErr", "error"), ("OnAfterAllTests", "error")]
    assert cases[3]["details"] == "AssertEquals: 2+2=5 (TestFail+1^P.Bad.1)\nAssertTrue: x (TestFail+2^P.Bad.1)"


def test_outcome_of_nothing():
    assert _unittest.outcome_from([])["counts"] == dict(tests=0, passed=0, failed=0, errors=0, skipped=0)


def test_a_failed_suite_without_a_failed_test_is_an_error():
    """A suite RunTest recorded as failed but with no failed test (it could not run it: iris-sources.md UT2,
    IRISREF24) is an error, so the task cannot pass with nothing run; a failed suite with a failed test adds nothing."""
    results = [dict(index=4, suite="loaded", status=0, time=0, category="Finding directories",
                    message="ERROR #5001: directory invalid", cases=[])]
    outcome = _unittest.outcome_from(results)
    assert outcome["counts"] == dict(tests=1, passed=0, failed=0, errors=1, skipped=0)
    assert outcome["failures"] == [dict(suite="loaded", **{"class": ""}, method="", outcome="error",
                                        message="suite loaded failed without a failed test: Finding directories: "
                                                "ERROR #5001: directory invalid", assertions=[])]
    assert outcome["suites"][0]["testcases"][0]["name"] == "Finding directories"
    bare = _unittest.outcome_from([dict(index=5, suite="s", status=0, time=0, cases=[])])
    assert bare["failures"][0]["message"] == "suite s failed without a failed test"
    failing = [dict(index=6, suite="s", status=0, time=0, cases=[
        dict(name="P.Bad", status=0, time=0, category="", message="", methods=[method("TestF", 0, failed=1)])])]
    assert _unittest.outcome_from(failing)["counts"] == dict(tests=1, passed=0, failed=1, errors=0, skipped=0)


def test_lock_seconds():
    assert [_unittest.lock_seconds_for(t) for t in (0, 1, 60, 10000)] == [1, 1, 30, 300]


# -- the program, in the simulator ----------------------------------------------------------------------------------------
def run(iris_sim, params, namespace="USER", root=None):
    """The program of plan_runs; ``root`` stands for the staging root UnitTestManager.run makes (classes)."""
    planned, specs = _unittest.plan_runs(params)
    root = planned if root is None else root
    program = _unittest.build_program(root, specs, _unittest.qspec_for(params), 5)
    return iris_sim.transport(namespace).run(program)


def global_value(iris_sim, ref):
    out = iris_sim.run("USER", 'write "<<",$DATA(%s),":",$GET(%s),">>"' % (ref, ref))
    return re.search(r"<<(.*?)>>", out).group(1)


@pytest.fixture
def tests_dir(tmp_path):
    """A copy of tests/sample_app/tests/SampleApp (the suite Test) the test may change."""
    target = tmp_path / "tests"
    shutil.copytree(SAMPLE_TESTS, str(target))
    return str(target)


def test_directory_run_reads_its_results_and_restores_the_root(iris_sim, tests_dir):
    iris_sim.run("USER", 'set ^UnitTestRoot="/previous/root"')
    result = run(iris_sim, dict(directory=tests_dir, suite="Test"))
    assert result["run"]["indexes"] == [1] and result["run"]["error"] == ""
    outcome = _unittest.outcome_from(result["results"])
    assert outcome["counts"] == dict(tests=4, passed=3, failed=1, errors=0, skipped=0)
    assert outcome["failures"][0]["assertions"] == [dict(action="AssertEquals", description='sum <2+2> & "five"',
                                                         location="TestWrongSum+1^SampleApp.Test.Failing.1")]
    assert global_value(iris_sim, "^UnitTestRoot") == "1:/previous/root"
    # /delete (the default): the loaded classes are gone again
    assert "CLASS DOES NOT EXIST" in iris_sim.run("USER", 'do ##class(SampleApp.Test.Passing).%New()')
    # a second run gets its own index, and reads only it
    again = run(iris_sim, dict(directory=tests_dir, suite="Test", test_class="SampleApp.Test.Passing"))
    assert again["run"]["indexes"] == [2]
    assert _unittest.outcome_from(again["results"])["counts"] == dict(tests=2, passed=2, failed=0, errors=0, skipped=0)


def test_root_without_a_previous_value_is_removed_again(iris_sim, tests_dir):
    run(iris_sim, dict(directory=tests_dir, suite="Test"))
    assert global_value(iris_sim, "^UnitTestRoot") == "0:"


def test_compile_error_runs_nothing_and_still_restores_the_root(iris_sim, tests_dir):
    with open(os.path.join(tests_dir, "Test", "Broken.cls"), "w") as handle:
        handle.write("Class SampleApp.Test.Broken Extends %UnitTest.TestCase\n{\nMethod TestX()\n{\n    set x = \n}\n}\n")
    iris_sim.run("USER", 'set ^UnitTestRoot="keep"')
    result = run(iris_sim, dict(directory=tests_dir, suite="Test"))
    assert result["run"]["indexes"] == [] and "load/compile error" in result["run"]["statuses"][0]
    assert global_value(iris_sim, "^UnitTestRoot") == "1:keep"


def test_root_with_subscripts_is_refused_before_anything_runs(iris_sim, tests_dir):
    iris_sim.run("USER", 'set ^UnitTestRoot("x")=1')
    with pytest.raises(IrisModuleError) as info:
        run(iris_sim, dict(directory=tests_dir, suite="Test"))
    assert "has subscripts" in info.value.msg
    assert global_value(iris_sim, "^UnitTestRoot") == "10:"
    assert global_value(iris_sim, "^UnitTest.Result") == "0:"


def _stage(tmp_path, *suites):
    """A root holding empty suite directories, as UnitTestManager.run stages for classes."""
    root = tmp_path / "stage"
    for suite in suites:
        (root / suite).mkdir(parents=True)
    return str(root)


def test_compiled_classes_run_with_noload(iris_sim, tests_dir, tmp_path):
    # load and keep the classes (as iris_code would), then run them as compiled classes
    run(iris_sim, dict(directory=tests_dir, suite="Test", delete_classes=False))
    stage = _stage(tmp_path, "loaded", "ci")
    result = run(iris_sim, dict(classes=["SampleApp.Test.Failing", "SampleApp.Test.Passing"]), root=stage)
    assert result["run"]["indexes"] == [2, 3]
    outcome = _unittest.outcome_from(result["results"])
    assert outcome["counts"] == dict(tests=4, passed=3, failed=1, errors=0, skipped=0)
    assert [s["name"] for s in outcome["suites"]] == ["loaded", "loaded"]
    one = run(iris_sim, dict(classes=["SampleApp.Test.Failing"], test_method="TestPasses", suite="ci"), root=stage)
    assert _unittest.outcome_from(one["results"])["counts"]["tests"] == 1
    # iris-sources.md UT2, IRISREF24: ^UnitTestRoot must be an existing directory, also with /noload
    empty = run(iris_sim, dict(classes=["SampleApp.Test.Passing"]), root="")
    assert empty["run"]["indexes"] == [] and "is not a directory" in empty["run"]["statuses"][0]


def test_a_class_that_is_not_compiled_runs_nothing(iris_sim, tmp_path):
    result = run(iris_sim, dict(classes=["SampleApp.Test.Missing"]), root=_stage(tmp_path, "loaded"))
    assert result["run"]["indexes"] == [] and "does not exist" in result["run"]["statuses"][0]
