# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_unittest through main(): argspec, check mode, the JUnit file, fail_on_failure, against the in-process simulator."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.iris_devtools.iris.plugins.modules import iris_unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE_TESTS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "sample_app", "tests", "SampleApp"))
XSD = os.path.normpath(os.path.join(HERE, "..", "module_utils", "junit", "junit-10.xsd"))


@pytest.fixture
def main(iris_sim_connect, run_module_main):
    """``main(args, check=False) -> result`` (``failed`` and ``sessions`` in it); sessions run in the simulator."""
    def call(args, check=False):
        iris_sim_connect.reset()
        result, failed = run_module_main(iris_unittest, dict(args, container="sim"), check_mode=check)
        return dict(result, failed=failed, sessions=iris_sim_connect.sessions)
    call.sim = iris_sim_connect.sim
    return call


@pytest.fixture
def tests_dir(tmp_path):
    target = tmp_path / "tests"
    shutil.copytree(SAMPLE_TESTS, str(target))
    return str(target)


@pytest.mark.parametrize("args, needle", [
    ({}, "one of the following is required: directory, src, classes, ipm_module"),
    ({"directory": "/t"}, "missing parameter(s) required by 'directory': suite"),
    ({"directory": "/t", "suite": "u", "classes": ["A.B"]}, "mutually exclusive: directory|src|classes|ipm_module"),
    ({"ipm_module": "m", "classes": ["A.B"]}, "mutually exclusive: directory|src|classes|ipm_module"),
    ({"ipm_module": "two words"}, "is not an IPM module name"),
    ({"ipm_module": "m", "suite": "unit"}, "suite is not used with ipm_module"),
    ({"ipm_module": "m", "test_class": "A.B"}, "test_class is not used with ipm_module"),
    ({"classes": ["A.B"], "test_class": "A.B"}, "mutually exclusive: test_class|classes"),
    ({"directory": "t", "suite": "u"}, "directory must be an absolute path"),
    ({"classes": ["A.B"], "junit_path": "relative.xml"}, "junit_path must be an absolute file path"),
    ({"classes": ["A.B"], "fail_on_failure": "maybe"}, "fail_on_failure"),
    ({"classes": ["not a class"]}, "classes must be a class name"),
])
def test_bad_input_fails_before_any_session(main, args, needle):
    result = main(args)
    assert result["failed"] and needle in result["msg"], result["msg"]
    assert result["sessions"] == 0


def test_check_mode_says_what_would_run(main, tests_dir, tmp_path):
    junit = str(tmp_path / "junit.xml")
    result = main({"directory": tests_dir, "suite": "Test", "junit_path": junit}, check=True)
    assert not result["failed"] and result["changed"] is True
    assert result["runs"] == [{"testspec": "Test", "qspec": "/load/run/nodisplay/loadudl/recursive/delete", "status": None}]
    assert result["actions"] == ["run_tests", "write_junit"] and result["iris_sessions"] == 0 == result["sessions"]
    assert not os.path.exists(junit)
    plain = main({"classes": ["A.B"]}, check=True)
    assert plain["changed"] is False and plain["runs"][0]["qspec"] == "/noload/nodelete/run/nodisplay/norecursive"


def test_failing_test_fails_the_task_with_counts_and_the_junit_file(main, tests_dir, tmp_path):
    junit = str(tmp_path / "junit.xml")
    result = main({"directory": tests_dir, "suite": "Test", "junit_path": junit})
    assert result["failed"]
    assert "1 of 4 tests failed and 0 raised errors" in result["msg"] and "fail_on_failure: false" in result["msg"]
    assert result["counts"] == {"tests": 4, "passed": 3, "failed": 1, "errors": 0, "skipped": 0}
    assert result["junit_path"] == junit and result["changed"] is True and result["result_indexes"] == [1]
    assert [(f["class"], f["method"]) for f in result["failures"]] == [("SampleApp.Test.Failing", "TestWrongSum")]
    root = ET.parse(junit).getroot()
    failure = root.find("testsuite/testcase[@name='TestWrongSum']/failure")
    assert failure.get("message") == 'AssertEquals: sum <2+2> & "five"'
    assert "TestWrongSum+1^SampleApp.Test.Failing.1" in failure.text
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(XSD).validate(junit)


def test_fail_on_failure_false_returns_the_outcome(main, tests_dir):
    result = main({"directory": tests_dir, "suite": "Test", "fail_on_failure": False})
    assert not result["failed"] and result["changed"] is False and result["junit_path"] is None
    assert result["counts"]["failed"] == 1 and result["assertions"]["failed"] == 1
    assert result["iris_sessions"] == 1 == result["sessions"] and result["actions"] == ["run_tests"]
    assert result["failures"][0]["assertions"][0]["location"] == "TestWrongSum+1^SampleApp.Test.Failing.1"


def test_passing_run_writes_junit_each_time(main, tests_dir, tmp_path):
    junit = str(tmp_path / "junit.xml")
    args = {"directory": tests_dir, "suite": "Test", "test_class": "SampleApp.Test.Passing", "junit_path": junit}
    first = main(args)
    assert not first["failed"] and first["changed"] is True and first["counts"]["passed"] == 2
    second = main(args)
    assert second["result_indexes"] == [2] and second["counts"] == first["counts"]
    assert ET.parse(junit).getroot().find("testsuite").get("id") == "2"


def test_missing_junit_directory_fails_with_a_hint(main, tests_dir, tmp_path):
    result = main({"directory": tests_dir, "suite": "Test", "junit_path": str(tmp_path / "nope" / "junit.xml"),
                   "fail_on_failure": False})
    assert result["failed"] and "does not exist" in result["msg"] and "Fix: create the directory" in result["msg"]
    assert result["sessions"] == 0  # refused before any test runs
    checked = main({"classes": ["A.B"], "junit_path": str(tmp_path / "nope" / "junit.xml")}, check=True)
    assert checked["failed"] and "does not exist" in checked["msg"]


def test_missing_suite_fails_with_runtest_text(main, tests_dir):
    result = main({"directory": tests_dir, "suite": "nosuch"})
    assert result["failed"] and "RunTest ran no test" in result["msg"] and "does not exist" in result["msg"]
    assert result["result_indexes"] == []


# -- src: a test directory on the host running the module, staged into the instance for the run ------------------------
@pytest.fixture
def local_main(iris_sim_connect, run_module_main, tmp_path, monkeypatch):
    """Like ``main`` over transport local, with the staging base in ``tmp_path/stage`` (``call.stage``)."""
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _unittest
    stage = tmp_path / "stage"
    stage.mkdir()
    monkeypatch.setattr(_unittest, "STAGING_BASE", str(stage))

    def call(args, check=False):
        iris_sim_connect.reset()
        result, failed = run_module_main(iris_unittest, dict(args, transport="local"), check_mode=check)
        return dict(result, failed=failed, sessions=iris_sim_connect.sessions)
    call.stage = stage
    call.sim = iris_sim_connect.sim
    return call


@pytest.mark.parametrize("args, needle", [
    ({"src": "/t"}, "missing parameter(s) required by 'src': suite"),
    ({"src": "/t", "directory": "/t", "suite": "u"}, "mutually exclusive: directory|src|classes"),
    ({"src": "relative/tests", "suite": "unit"}, "is not valid: it is not an absolute path"),
    ({"src": "/no/such/dir", "suite": "unit"}, "is not a directory on the host running the module"),
])
def test_src_bad_input_fails_before_any_session(local_main, args, needle):
    result = local_main(args)
    assert result["failed"] and needle in result["msg"], result["msg"]
    assert result["sessions"] == 0 and list(local_main.stage.iterdir()) == []


def test_src_without_the_suite_directory_names_it(local_main, tests_dir):
    result = local_main({"src": tests_dir, "suite": "nosuch"})
    assert result["failed"] and "has no suite directory 'nosuch'" in result["msg"] and "Fix:" in result["msg"]
    assert result["sessions"] == 0


def test_src_check_mode_uploads_nothing(local_main, tests_dir):
    result = local_main({"src": tests_dir, "suite": "Test"}, check=True)
    assert not result["failed"] and result["changed"] is False and result["sessions"] == 0
    assert result["uploaded"] == ["Test/Failing.cls", "Test/Passing.cls"]
    assert result["actions"] == ["upload_tests", "run_tests"] and result["root"] is None
    assert list(local_main.stage.iterdir()) == []


def test_src_uploads_runs_and_removes_the_staging_directory(local_main, tests_dir, tmp_path):
    junit = str(tmp_path / "junit.xml")
    result = local_main({"src": tests_dir, "suite": "Test", "junit_path": junit})
    assert result["failed"] and "1 of 4 tests failed" in result["msg"]
    assert result["actions"] == ["upload_tests", "run_tests", "write_junit"]
    assert result["root"].startswith(str(local_main.stage) + "/iris-devtools-stage-")
    assert [(f["class"], f["method"]) for f in result["failures"]] == [("SampleApp.Test.Failing", "TestWrongSum")]
    assert ET.parse(junit).getroot().find("testsuite/testcase[@name='TestWrongSum']/failure") is not None
    assert list(local_main.stage.iterdir()) == []  # removed although the task failed
    passing = local_main({"src": tests_dir, "suite": "Test", "test_class": "SampleApp.Test.Passing"})
    assert not passing["failed"] and passing["counts"] == {"tests": 2, "passed": 2, "failed": 0, "errors": 0, "skipped": 0}
    assert passing["uploaded"] == ["Test/Failing.cls", "Test/Passing.cls"]
    assert list(local_main.stage.iterdir()) == []


def test_src_staging_directory_is_removed_when_the_run_breaks(local_main, tests_dir, monkeypatch):
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _unittest
    from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
    seen = []

    def broken(*args, **kwargs):
        seen.extend(os.listdir(str(local_main.stage)))
        raise IrisModuleError("the session broke", hint="none")
    monkeypatch.setattr(_unittest, "build_program", broken)
    result = local_main({"src": tests_dir, "suite": "Test"})
    assert result["failed"] and "the session broke" in result["msg"]
    assert len(seen) == 1 and seen[0].startswith("iris-devtools-stage-")
    assert list(local_main.stage.iterdir()) == []


def test_classes_run_under_a_staged_root_with_the_suite_directory(local_main, tests_dir):
    """classes: ^UnitTestRoot is a staged directory holding the (empty) suite directory, removed afterwards
    (iris-sources.md UT2, IRISREF24: RunTest checks that ^UnitTestRoot is an existing directory)."""
    keep = local_main({"src": tests_dir, "suite": "Test", "delete_classes": False, "fail_on_failure": False})
    assert not keep["failed"]
    result = local_main({"classes": ["SampleApp.Test.Passing"], "suite": "ci"})
    assert not result["failed"], result["msg"]
    assert result["counts"] == {"tests": 2, "passed": 2, "failed": 0, "errors": 0, "skipped": 0}
    assert result["runs"][0]["qspec"] == "/noload/nodelete/run/nodisplay/norecursive"
    assert result["root"].startswith(str(local_main.stage) + "/iris-devtools-stage-")
    assert list(local_main.stage.iterdir()) == []


def test_src_skips_hidden_files(local_main, tests_dir):
    with open(os.path.join(tests_dir, "Test", ".swp"), "w") as handle:
        handle.write("x")
    os.mkdir(os.path.join(tests_dir, "Test", ".git"))
    result = local_main({"src": tests_dir, "suite": "Test"}, check=True)
    assert result["uploaded"] == ["Test/Failing.cls", "Test/Passing.cls"]


# -- ipm_module: IPM's test phase (iris-sources.md IPMTEST; simulator Contract 15) ---------------------------------
IPM_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "simulator", "tests", "data", "ipm"))
SAMPLE_APP = os.path.normpath(os.path.join(HERE, "..", "..", "..", "sample_app"))


def _ipm(sim, *commands):
    installer = os.path.join(IPM_DATA, "zpm-0.10.9.xml")
    sim.run("USER", 'set sc=$SYSTEM.OBJ.Load("%s","ck-d",.err)' % installer)
    for command in commands:
        sim.run("USER", 'set sc=##class(%%IPM.Main).Shell("%s")' % command)


def test_ipm_module_without_ipm_fails_with_the_fix(main):
    result = main({"ipm_module": "sample-app"}, check=True)
    assert result["failed"] and "IPM is not installed in namespace USER" in result["msg"]
    assert "iris_devtools.iris.iris_ipm" in result["msg"] and result["sessions"] == 1


def test_ipm_module_not_installed_fails_with_the_fix(main):
    _ipm(main.sim)
    result = main({"ipm_module": "sample-app"})
    assert result["failed"] and "IPM module sample-app is not installed in namespace USER" in result["msg"]
    assert "install it with iris_devtools.iris.iris_ipm" in result["msg"]


def test_ipm_module_check_mode_then_a_module_without_tests(main, tmp_path):
    _ipm(main.sim, "load " + os.path.join(IPM_DATA, "repo", "greet-1.0.0"))
    junit = str(tmp_path / "junit.xml")
    check = main({"ipm_module": "greet", "junit_path": junit}, check=True)
    assert not check["failed"] and check["changed"] is True and check["actions"] == ["run_tests", "write_junit"]
    assert check["runs"] == [{"command": "test greet -only -DUnitTest.FailuresAreFatal=0", "status": None}]
    assert check["ipm"] == {"version": "0.10.9", "module": "greet", "module_version": "1.0.0"}
    assert check["sessions"] == 1 and not os.path.exists(junit)
    real = main({"ipm_module": "greet", "junit_path": junit})
    assert real["failed"] and "IPM's test phase of module greet ran no test" in real["msg"], real["msg"]
    assert real["sessions"] == 2 and not os.path.exists(junit)


def test_ipm_module_runs_the_sample_applications_test_phase(main, tmp_path):
    """IPM's test phase of the sample application (classes in tests/SampleApp/Test/, iris-sources.md IPMT3): the
    failing test fails the task, the JUnit file names it; fail_on_failure false passes and reports it."""
    _ipm(main.sim, "load " + SAMPLE_APP)
    junit = str(tmp_path / "junit.xml")
    result = main({"ipm_module": "sample-app", "junit_path": junit})
    assert result["failed"] and "1 of 4 tests failed" in result["msg"], result["msg"]
    assert result["counts"] == {"tests": 4, "passed": 3, "failed": 1, "errors": 0, "skipped": 0}
    assert [(f["class"], f["method"]) for f in result["failures"]] == [("SampleApp.Test.Failing", "TestWrongSum")]
    with open(junit, encoding="utf-8") as handle:
        assert 'classname="SampleApp.Test.Failing" name="TestWrongSum"' in handle.read()
    lenient = main({"ipm_module": "sample-app", "fail_on_failure": False})
    assert not lenient["failed"] and lenient["counts"]["failed"] == 1 and lenient["changed"] is False
