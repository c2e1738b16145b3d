#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_unittest
short_description: Run InterSystems IRIS %UnitTest tests and write a JUnit XML report
version_added: 0.1.0
description:
  - Runs C(%UnitTest) test classes in O(namespace) with C(%UnitTest.Manager.RunTest), reads the outcome from IRIS's own
    result storage (the C(^UnitTest.Result) global), returns the counts and every failed test with its assertion
    messages and locations, and optionally writes a JUnit XML file that CI servers read.
  - B(Test classes in a directory on the IRIS server) (O(directory) and O(suite)) - the module sets C(^UnitTestRoot)
    to O(directory), runs the suite O(suite) (a subdirectory of O(directory)), and puts C(^UnitTestRoot) back as it
    was in the same step, also when the run fails. RunTest loads and compiles the suite's C(.cls) files, runs them and,
    unless O(delete_classes=false), deletes the classes it loaded. The directory must be on the IRIS server's file
    system (in the container for O(transport=docker)); copy it there first, or use O(src).
  - B(Test classes in a directory on the host the module runs on) (O(src) and O(suite)) - the module copies the suite
    directory O(src)/O(suite) into a new staging directory of the instance (under C(/tmp) there), runs it as with
    O(directory) with that staging directory as C(^UnitTestRoot), and removes the staging directory afterwards, also
    when the run fails.
  - B(Test classes already compiled in the namespace) (O(classes)), for example loaded with the collection's code
    module - each class runs with C(RunTest) and the qualifiers C(/noload/nodelete/norecursive), which neither load
    nor delete anything. C(^UnitTestRoot) is then a new staging directory of the instance (under C(/tmp) there)
    holding an empty O(suite) directory, as C(RunTest) needs an existing root and suite directory; it is removed
    afterwards.
  - B(IPM's test phase of an installed IPM module) (O(ipm_module)) - the module checks that IPM (0.9.x or 0.10.x) and
    the module are installed in O(namespace), then runs C(test <module> -only -DUnitTest.FailuresAreFatal=0) through
    C(%IPM.Main.Shell) (the entry point of P(iris_devtools.iris.iris_ipm#module)). IPM loads the directory of each
    C(<UnitTest>) resource of the module's C(module.xml) with C(Phase="test"), compiles its C(Package), runs the classes
    in C(<Name>/<Package as directories>) with RunTest and puts C(^UnitTestRoot) back; the results are read from
    C(^UnitTest.Result) as for the other sources.
  - The task fails when a test fails or raises an error, unless O(fail_on_failure=false). The result (counts,
    RV(failures), RV(junit_path)) is returned either way.
  - Pass or fail is decided from C(^UnitTest.Result), never from the status RunTest returns or from printed text.
  - One IRIS session runs the tests and reads the results. Runs of the module in the same namespace take turns
    (a lock in IRIS), so each run reads only the result entries it wrote.
author:
  - IRIS DevTools contributors (!UNKNOWN)
extends_documentation_fragment:
  - iris_devtools.iris._iris
  - iris_devtools.iris._iris.connection
  - iris_devtools.iris._attributes
  - iris_devtools.iris._attributes.actiongroup_iris
attributes:
  check_mode:
    support: full
    details:
      - Check mode runs no test and opens no IRIS session. It returns what would run (RV(runs)) and whether the
        JUnit file would be written (RV(ignore:changed)).
  diff_mode:
    support: none
  idempotent:
    support: partial
    details:
      - Running the tests changes nothing the module reports - apart from the JUnit file, which a run with
        O(junit_path) writes every time (its times differ), so such a run reports RV(ignore:changed=true).
      - Every run of C(RunTest) adds an entry to C(^UnitTest.Result), as IRIS always does.
options:
  directory:
    description:
      - The directory on the IRIS server that holds the suite directories; the module sets C(^UnitTestRoot) to it for
        the run and restores the previous value afterwards (also when the run fails; a session killed by O(timeout)
        cannot restore it).
      - An absolute path. Requires O(suite). Excludes O(classes).
    type: str
  src:
    description:
      - Absolute path of a directory on the host where the module runs (usually the controller) that holds the suite
        directories. Only the suite directory O(src)/O(suite) is copied into the instance - every regular, non-hidden
        file under it (hidden files and directories are skipped) - into a staging directory that is C(^UnitTestRoot)
        for the run and is removed afterwards. The other options of O(directory) (O(test_class), O(load_udl),
        O(recursive), O(delete_classes)) apply.
      - Requires O(suite). Excludes O(directory) and O(classes).
    type: path
  suite:
    description:
      - With O(directory) or O(src) - the suite to run, the name of a subdirectory of O(directory) that holds the C(.cls) test
        classes (the first part of RunTest's test spec). Required with O(directory).
      - With O(classes) - the suite name the results are stored under (the module stages an empty directory of that
        name). Default V(loaded).
      - One directory name, without V(:) or V(/).
    type: str
  test_class:
    description:
      - With O(directory) or O(src) - run only this test class of the suite (C(Package.Class)).
    type: str
  test_method:
    description:
      - Run only this test method (for example V(TestAdd)). Needs O(test_class), or exactly one class in O(classes).
    type: str
  classes:
    description:
      - Test classes (subclasses of C(%UnitTest.TestCase)) already compiled in O(namespace), each run with the
        qualifiers C(/noload/nodelete/norecursive) - nothing is loaded or deleted. Excludes O(directory).
      - Each class becomes one C(RunTest) call and one result entry; RV(result_indexes) lists them all.
    type: list
    elements: str
  ipm_module:
    description:
      - Run IPM's test phase of this installed IPM module (the C(<Name>) of its C(module.xml)) - see the description.
        Excludes O(directory), O(src), O(classes), O(suite), O(test_class), O(test_method), O(load_udl), O(recursive)
        and O(delete_classes) (IPM chooses how it loads and runs the tests).
      - Install IPM and the module first with P(iris_devtools.iris.iris_ipm#module); the task fails if either is
        missing.
      - IPM runs the classes of a C(<UnitTest Name="/tests/" Package="MyApp.Test">) resource that sit in
        C(tests/MyApp/Test/). IPM before 0.10.7 keeps a module loaded from a tarball (P(iris_devtools.iris.iris_ipm#module)
        uploads a O(iris_devtools.iris.iris_ipm#module:src) directory as one) in a temporary directory, where a later
        test phase may not find the tests; IPM 0.10.7 and later keep it under their module root.
    type: str
  load_udl:
    description:
      - With O(directory) or O(src) - load the suite's UDL C(.cls) files (qualifier C(/loadudl)); V(false) passes
        C(/noloadudl). Unset means V(true).
      - Refused with O(classes) and O(ipm_module), which do not load from a suite directory.
    type: bool
  recursive:
    description:
      - With O(directory) or O(src) - also run the suite's subdirectories (qualifier C(/recursive), IRIS's default); V(false)
        passes C(/norecursive). Unset means V(true).
      - Refused with O(classes) and O(ipm_module).
    type: bool
  delete_classes:
    description:
      - With O(directory) or O(src) - delete the test classes RunTest loaded once they ran (qualifier C(/delete), IRIS's
        default). V(false) passes C(/nodelete) and leaves them compiled in the namespace. Unset means V(true).
      - Refused with O(classes) and O(ipm_module).
    type: bool
  junit_path:
    description:
      - Write a JUnit XML report of the run to this file on the host the module runs on. With O(transport=docker)
        that is the host that talks to Docker - usually the controller, when the task runs on C(localhost) or is
        delegated to it. When the module runs on another host, collect the file with M(ansible.builtin.fetch).
      - The directory must exist; the file is replaced atomically. The report has one C(testsuite) per suite and
        result entry, one C(testcase) per test method (C(classname) is the test class, C(name) the method), a
        C(failure) with every failed assertion's message and location, an C(error) for an uncaught error, and
        C(skipped) for a test whose assertions were all skipped. Characters XML cannot carry are written as
        C(\xNN) text.
      - Written also when tests fail, before the task fails.
    type: path
  fail_on_failure:
    description:
      - Fail the task when any test fails or raises an error. With V(false) the task succeeds and the outcome is in
        RV(counts) and RV(failures).
    type: bool
    default: true
notes:
  - The qualifiers are passed explicitly. The module always adds C(/nodisplay), so RunTest prints nothing; the
    outcome comes from C(^UnitTest.Result).
  - A run waits at most half of O(timeout) (and never more than 300 seconds) for another run of the module in the same
    namespace. Runs that do not go through the module (another tool calling RunTest at the same time in the same
    namespace) are not held back and could add result entries the module then reads as its own.
  - With O(directory) the test classes must be on the IRIS server's file system first; O(src) copies them from the
    host the module runs on for the run only.
seealso:
  - name: "%UnitTest tutorial: test specs and qualifiers"
    description: RunTest's test spec and qualifiers.
    link: https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=TUNT_SpecAndQual
  - name: "%UnitTest results"
    description: Where IRIS stores unit-test results.
    link: https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GUNITTEST_results
"""

EXAMPLES = r"""
---
- name: Run the suite "unit" from the controller's tests/ directory (uploaded for the run) with a JUnit report
  iris_devtools.iris.iris_unittest:
    container: iris-ci
    namespace: APP
    src: "{{ playbook_dir }}/tests"
    suite: unit
    junit_path: "{{ playbook_dir }}/junit.xml"

- name: Run the suite "unit" from /opt/app/tests, a directory on the IRIS server
  iris_devtools.iris.iris_unittest:
    container: iris-ci
    namespace: APP
    directory: /opt/app/tests
    suite: unit

- name: Run test classes already compiled in the namespace, one method only
  iris_devtools.iris.iris_unittest:
    container: iris-ci
    namespace: APP
    classes: [App.Test.Orders]
    test_method: TestTotal

- name: Collect the outcome without failing, then decide
  iris_devtools.iris.iris_unittest:
    container: iris-ci
    namespace: APP
    classes: [App.Test.Orders, App.Test.Customers]
    fail_on_failure: false
  register: tests

- name: Show the failed tests
  ansible.builtin.debug:
    msg: "{{ item.class }}.{{ item.method }}: {{ item.message }}"
  loop: "{{ tests.failures }}"
"""

RETURN = r"""
runs:
  description:
    - The RunTest calls, in order - the test spec, the qualifiers and the error text of the status RunTest returned
      (V(null) for an OK status or in check mode; IRIS may return an error status when tests fail, so it is shown
      but not used to decide). With O(ipm_module) one entry - the IPM command and the error text of the status
      C(%IPM.Main.Shell) returned.
  returned: always
  type: list
  elements: dict
  sample: [{"testspec": "unit", "qspec": "/load/run/nodisplay/loadudl/recursive/delete", "status": null}]
root:
  description:
    - The value C(^UnitTestRoot) had during the run. With O(src) or O(classes) the staging directory, which no
      longer exists when the module returns (V(null) in check mode).
  returned: always
  type: str
  sample: /tmp/tests
counts:
  description:
    - How many tests (test methods, plus one per test class whose C(OnBeforeAllTests) or C(OnAfterAllTests) failed)
      passed, failed (a failed assertion), raised errors, or were skipped (every assertion skipped). V(null) in check
      mode.
  returned: always
  type: dict
  sample: {"tests": 5, "passed": 3, "failed": 1, "errors": 1, "skipped": 0}
assertions:
  description: How many assertions passed, failed or were skipped (V(null) in check mode).
  returned: always
  type: dict
  sample: {"total": 9, "passed": 7, "failed": 1, "skipped": 1}
duration:
  description: The run's time in seconds as IRIS recorded it for the suites (V(null) in check mode).
  returned: always
  type: float
  sample: 0.84
failures:
  description:
    - Every test that failed or raised an error - its suite, class, method, V(failed) or V(error), the message, and
      the failed assertions with their action (the macro name), description and location.
  returned: always
  type: list
  elements: dict
  sample: [{"suite": "unit", "class": "App.Test.Calc", "method": "TestSum", "outcome": "failed",
            "message": "AssertEquals: Add(2,2)=5",
            "assertions": [{"action": "AssertEquals", "description": "Add(2,2)=5", "location": "TestSum+1^App.Test.Calc.1"}]}]
result_indexes:
  description: The C(^UnitTest.Result) entries this run wrote (one per RunTest call).
  returned: always
  type: list
  elements: int
  sample: [42]
junit_path:
  description: The JUnit XML file written (or, in check mode, that would be written); V(null) without O(junit_path).
  returned: always
  type: str
  sample: /home/ci/junit.xml
uploaded:
  description: With O(src) - the files copied into the staging directory (or that would be), relative to O(src).
  returned: always
  type: list
  elements: str
  sample: ["unit/PassingTest.cls", "unit/FailingTest.cls"]
ipm:
  description: With O(ipm_module) - the installed IPM version, the module and its installed version.
  returned: when O(ipm_module) is set
  type: dict
  sample: {"version": "0.10.9", "module": "sample-app", "module_version": "1.0.0"}
actions:
  description: What the module did (or would do) - V(upload_tests), V(run_tests), V(write_junit).
  returned: always
  type: list
  elements: str
  sample: ["run_tests", "write_junit"]
iris_sessions:
  description: How many IRIS sessions the module opened (1; 0 in check mode; with O(ipm_module) 2, 1 in check mode).
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module
from ansible_collections.iris_devtools.iris.plugins.module_utils._unittest import UnitTestManager


def argument_spec():
    return dict(
        directory=dict(type="str"),
        src=dict(type="path"),
        suite=dict(type="str"),
        test_class=dict(type="str"),
        test_method=dict(type="str"),
        classes=dict(type="list", elements="str"),
        ipm_module=dict(type="str"),
        load_udl=dict(type="bool"),
        recursive=dict(type="bool"),
        delete_classes=dict(type="bool"),
        junit_path=dict(type="path"),
        fail_on_failure=dict(type="bool", default=True),
    )


def main():
    run_module(UnitTestManager, argument_spec(),
               required_one_of=[("directory", "src", "classes", "ipm_module")],
               mutually_exclusive=[("directory", "src", "classes", "ipm_module"), ("test_class", "classes")],
               required_by={"directory": "suite", "src": "suite"})


if __name__ == "__main__":
    main()
