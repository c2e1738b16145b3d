# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

iris_unittest's manager: run %UnitTest in a namespace and read the outcome from IRIS's own result storage
(the register's rows: iris-sources.md UT1, UT2, UT3, UT4).

* **What runs** (``plan_runs``): ``%UnitTest.Manager.RunTest(testspec, qspec)`` (iris-sources.md T1, T2).
  - From a directory on the IRIS server (``directory`` + ``suite``), or from a directory on the host running the module
    (``src`` + ``suite``: the suite's files are staged into the instance with ``_copy.put_tree``, the staging directory
    is ^UnitTestRoot for the run and is removed afterwards, also when the run fails): ``^UnitTestRoot`` = the directory, testspec
    ``suite[:Pkg.Class[:Method]]``, qspec ``/load/run/nodisplay`` plus ``/loadudl`` (``.cls`` files: T1),
    ``/recursive`` and ``/delete`` or their negations (T1) from the options.
  - Classes already compiled in the namespace (``classes``, for example loaded by iris_code): one RunTest per class,
    testspec ``suite:Pkg.Class[:Method]`` with ``/noload/nodelete/run/nodisplay/norecursive`` (T1, T2: /noload runs
    what is compiled and neither loads nor deletes; T10 runs ``RunTest("<suite>:<Class>:<Method>", "/noload/nodelete")``
    in a suite directory that exists).  ^UnitTestRoot is a staging directory holding an empty suite directory (only a
    placeholder file), made for the run and removed afterwards like O(src)'s: the 2024.1 RunTest doc says ^UnitTestRoot
    "must specify a valid directory whose existence is checked" and the testsuite is a directory under it
    (iris-sources.md UT2, IRISREF24), so the root "" T9 used is not relied on; /norecursive as DebugRunTestCase and IPM's
    single-class runs (IPMT4) pass it.  ``DebugRunTestCase`` is not used: it "breaks into the debugger at the end if a
    test failed" (T2), which a scripted session cannot answer.
* **One session** (``_objectscript`` templates ``unittest_*``): lock the namespace's runs, refuse a ^UnitTestRoot with
  subscripts, remember ^UnitTestRoot, set it, run every testspec, put ^UnitTestRoot back in the same step (also when
  RunTest throws), collect the result indexes written since the newest index before the run (T4), then read them.
* **Outcome** (``outcome_from``), from ``^UnitTest.Result`` (T4 layout; T3 statuses 0 failed / 1 passed / 2
  skipped), never from RunTest's %Status (OK also when tests fail: iris-sources.md IPMCI, UT3; an error there means
  the suite could not load or run) nor from printed text: a test method is ``passed``
  (status 1), ``failed`` (status 0, no error category: failed assertions), ``error`` (status 0 with an error
  category: an uncaught error or a failing OnBeforeOneTest/OnAfterOneTest, T4) or ``skipped`` (it passed and every
  assertion it made was skipped [inf: T3 gives the assertion status only]).  A test class with an error category
  (a failing OnBeforeAllTests/OnAfterAllTests, T4) adds one ``error`` test named after that method, as IPM's JUnit
  output does (T4).  A suite recorded as failed without any failed test (RunTest could not run it, for example
  refused its directory: iris-sources.md UT2, IRISREF24) adds one ``error`` test named after its error action, so a
  run cannot pass with nothing run.  The duration is the sum of the suites' times (T4; IRISREF24: seconds).
* **IPM's test phase of an installed module** (``ipm_module``; iris-sources.md IPMTEST, IPMCI, rows IPMT1-IPMT8): one
  read session checks that IPM (0.9.x or 0.10.x, as iris_ipm: IPMSRC) and the module are installed, then the run
  session runs ``test <module> -only -DUnitTest.FailuresAreFatal=0`` through ``%IPM.Main.Shell`` (IPMT4, IPMT6; the
  entry point of iris_ipm).  IPM loads the ``<UnitTest>`` directory, compiles the package, sets and restores
  ^UnitTestRoot and calls RunTest itself on ``<Name>/<Package as directories>/`` (IPMT2, IPMT3); its result indexes
  are read as for the other sources (IPMT5).
  An error status of the command is a load, compile or command error (failures are not fatal to it, IPMT4).
* **changed** only when the JUnit file is written (``_junit``, ``_files.write_bytes_atomic``); ^UnitTest.Result gains
  entries on every run, as every RunTest does, and that is not a change the module reports.
"""

from __future__ import annotations

import os
import re
import tempfile

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _copy, _files, _ipm, _junit
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program

DEFAULT_LOADED_SUITE = "loaded"
LOCK_SECONDS_MAX = 300
# ObjectScript method names (T1 testspec piece Method; class names: _argspec.CLASS_NAME_RE). Anchored with \A and \Z:
# with re.match, "$" would also accept a trailing line feed.
_METHOD_NAME = re.compile(r"\A%?[A-Za-z][A-Za-z0-9]*\Z")
_MAX_PATH = 4096
# O(src): the suite's files are staged under this directory of the instance (as iris_code stages its sources).
STAGING_BASE = "/tmp"
# O(classes): the only file of the staged (empty) suite directory; nothing loads it (/noload).
SUITE_PLACEHOLDER = ".iris-devtools-suite"
MAX_SRC_FILES = 20000
MAX_SRC_BYTES = 256 * 1024 * 1024


def lock_seconds_for(timeout):
    """How long a run waits for another run in the same namespace: half of ``timeout``, at least 1, at most 300 s."""
    return min(LOCK_SECONDS_MAX, max(1, int(timeout or 0) // 2))


# -- validation --------------------------------------------------------------------------------------------------
def _directory(value):
    text = str(value)
    if not text.startswith("/") or _argspec.has_control_character(text) or len(text) > _MAX_PATH:
        raise IrisModuleError("directory must be an absolute path on the IRIS server without control characters, got %r"
                              % (value,), hint="give the directory that holds the suite directories, for example "
                                               "/opt/app/tests (copy it in first)")
    return text.rstrip("/") or "/"


def _src(value):
    """O(src) checked as iris_code checks its O(src): absolute, no control characters or backslashes, a directory."""
    text = str(value)
    if not os.path.isabs(text):
        _argspec.refuse("src", text, "it is not an absolute path",
                        "give the absolute path of a directory on the host running the module")
    bad = _argspec.control_character(text)
    if bad is not None or "\\" in text or len(text) > _MAX_PATH:
        _argspec.refuse("src", text, "it contains %s" % (_argspec.describe_char(bad) if bad else "a backslash or is too long"),
                        "give the absolute path of a directory without control characters or backslashes")
    if not os.path.isdir(text):
        raise IrisModuleError("src %s is not a directory on the host running the module." % _argspec.shown(text),
                              hint="check the path (the tests must be on the host where the module runs: copy them "
                                   "there first, or use delegate_to: localhost)")
    return text.rstrip("/") or "/"


def scan_src(src, suite):
    """The files of the suite directory ``src/suite`` to stage: ``[(local path, relative destination)]``, sorted.

    Every regular, non-hidden file under it (test classes, and any data file the tests read relative to
    ^UnitTestRoot); hidden files and directories are skipped.  The destination keeps the suite directory first."""
    top = os.path.join(src, suite)
    if not os.path.isdir(top):
        raise IrisModuleError("src %s has no suite directory %s." % (_argspec.shown(src), _argspec.shown(suite)),
                              hint="suite names a subdirectory of src that holds the test classes, for example "
                                   "src: /ci/tests with suite: unit for /ci/tests/unit")
    found, total = [], 0
    for current, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(current, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            rel = os.path.relpath(path, src).replace(os.sep, "/")
            bad = _argspec.control_character(rel)
            if bad is not None or "\\" in rel:
                _argspec.refuse("src", rel, "a file name contains %s" % (_argspec.describe_char(bad) if bad else "a backslash"),
                                "rename the file: test file names may not hold control characters or backslashes")
            total += os.path.getsize(path)
            found.append((path, rel))
    if not found:
        raise IrisModuleError("The suite directory %s under src holds no file." % _argspec.shown(suite),
                              hint="put the suite's .cls test classes there (hidden files are skipped)")
    if len(found) > MAX_SRC_FILES or total > MAX_SRC_BYTES:
        raise IrisModuleError("The suite directory %s holds %d files (%d bytes), more than the %d files or %d bytes "
                              "iris_unittest uploads." % (_argspec.shown(suite), len(found), total, MAX_SRC_FILES,
                                                          MAX_SRC_BYTES),
                              hint="split the suite, or copy it to the server yourself and use directory")
    return found


def _suite(value):
    text = str(value)
    if not text or text in (".", "..") or ":" in text or "/" in text or _argspec.has_control_character(text):
        raise IrisModuleError("suite must be the name of one directory (no ':' or '/', no control characters), got %r"
                              % (value,), hint="name a subdirectory of directory, for example suite: unit")
    return text


def _class_name(value, option):
    text = str(value)
    if not _argspec.CLASS_NAME_RE.match(text):
        raise IrisModuleError("%s must be a class name such as App.Test.Orders, got %r" % (option, value),
                              hint="give the package and class name of a %UnitTest.TestCase subclass")
    return text


def _method_name(value):
    text = str(value)
    if not _METHOD_NAME.match(text):
        raise IrisModuleError("test_method must be a method name such as TestAdd, got %r" % (value,),
                              hint="give the name of one Test method of the class, without parentheses")
    return text


def _junit_path(value):
    text = str(value)
    if not os.path.isabs(text) or _argspec.has_control_character(text) or text.endswith("/"):
        raise IrisModuleError("junit_path must be an absolute file path on the host the module runs on, got %r"
                              % (value,), hint="for example junit_path: /tmp/ci/junit.xml (its directory must exist)")
    directory = os.path.dirname(text)
    if not os.path.isdir(directory):
        # Checked before any test runs (and in check mode), so a run is not wasted on a report it cannot write.
        raise IrisModuleError("Cannot write the JUnit file %s: the directory %s does not exist" % (text, directory),
                              hint="create the directory first (ansible.builtin.file with state: directory) or choose an "
                                   "existing one", file_path=text)
    return text


def ipm_command(params):
    """The IPM shell command of O(ipm_module) (iris-sources.md IPMT4, IPMT6); IrisModuleError on bad input."""
    name = _ipm.check_name(params["ipm_module"], "ipm_module")
    for option in ("suite", "test_class", "test_method"):
        if params.get(option):
            raise IrisModuleError("%s is not used with ipm_module: IPM runs the <UnitTest> resources of the module's "
                                  "module.xml" % option, hint="remove %s, or run the test classes with directory, src "
                                                              "or classes instead" % option)
    _refuse_loading_options(params, "ipm_module", "IPM chooses how it loads, runs and keeps the test classes")
    # -only: the Test phase alone (IPMT6: no Reload or Compile of the installed module); failures are read from
    # ^UnitTest.Result, so IPM is told not to turn them into the command's error (IPMT4).
    return "test %s -only -DUnitTest.FailuresAreFatal=0" % name


def plan_runs(params):
    """The (testspec, qspec) pairs and the ^UnitTestRoot value the options ask for; IrisModuleError on bad input."""
    method = _method_name(params["test_method"]) if params.get("test_method") else None
    if params.get("directory") or params.get("src"):
        # With src the root is the staging directory, known only once the files are uploaded (UnitTestManager.run).
        root = _directory(params["directory"]) if params.get("directory") else _src(params["src"])
        suite = _suite(params.get("suite") or "")
        spec = suite
        if params.get("test_class"):
            spec += ":" + _class_name(params["test_class"], "test_class")
            if method:
                spec += ":" + method
        elif method:
            raise IrisModuleError("test_method needs test_class", hint="name the class of the method in test_class")
        return root, [spec]
    classes = params.get("classes") or []
    if not classes:
        raise IrisModuleError("Nothing to run: neither directory, src nor classes is set",
                              hint="set directory (and suite) for test classes on the server, src (and suite) for test "
                                   "classes on the host running the module, or classes for test classes already compiled "
                                   "in the namespace")
    if params.get("test_class"):
        raise IrisModuleError("test_class is for directory runs; with classes, list the classes there",
                              hint="remove test_class or move it into classes")
    _refuse_loading_options(params, "classes", "compiled classes run with /noload/nodelete/norecursive")
    names = [_class_name(name, "classes") for name in classes]
    if len(set(names)) != len(names):
        raise IrisModuleError("classes lists a class more than once", hint="list each test class once")
    if method and len(names) != 1:
        raise IrisModuleError("test_method needs exactly one class in classes",
                              hint="list only the class of the method in classes")
    suite = _suite(params.get("suite") or DEFAULT_LOADED_SUITE)
    # T1, T2: /noload runs compiled classes; T10: "/noload/nodelete"; the root is a staged directory holding the suite
    # directory, known once it is made (UnitTestManager.run; iris-sources.md UT2, IRISREF24).
    specs = [suite + ":" + name + ((":" + method) if method else "") for name in names]
    return "", specs


LOADING_OPTIONS = ("load_udl", "recursive", "delete_classes")


def _refuse_loading_options(params, source, why):
    """O(load_udl), O(recursive), O(delete_classes) set with a source they do not apply to: refused, not ignored."""
    given = [option for option in LOADING_OPTIONS if params.get(option) is not None]
    if given:
        raise IrisModuleError("%s %s not used with %s: %s" % (", ".join(given), "is" if len(given) == 1 else "are",
                                                              source, why),
                              hint="remove %s; only directory and src runs take it" % " and ".join(given))


def qspec_for(params):
    """The RunTest qualifiers for the options (see plan_runs); an unset loading option means IRIS's default (on)."""
    if params.get("directory") or params.get("src"):
        # T1: /load (default), /run, /loadudl for UDL .cls files, /recursive, /delete; /nodisplay (T1, T4).
        qspec = "/load/run/nodisplay" + ("/noloadudl" if params.get("load_udl") is False else "/loadudl")
        qspec += "/norecursive" if params.get("recursive") is False else "/recursive"
        qspec += "/nodelete" if params.get("delete_classes") is False else "/delete"
        return qspec
    return "/noload/nodelete/run/nodisplay/norecursive"


# -- the program ---------------------------------------------------------------------------------------------------
def build_program(root, specs, qspec, lock_seconds):
    """One session: lock, run every spec under ^UnitTestRoot=root (restored), read the new result indexes."""
    program = Program()
    program.add("unittest_lock", seconds=int(lock_seconds))
    for spec in specs:
        program.add("unittest_spec", testspec=spec)
    program.add("unittest_run", root=root, qspec=qspec, key="run")
    program.add("unittest_results", key="results")
    return program


# -- the outcome ---------------------------------------------------------------------------------------------------
def _number(value, default=0.0):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _int(value, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _text(value):
    return "" if value is None else str(value)


def _assertion(row):
    row = list(row or []) + [None] * 4
    return {"status": _int(row[0], 0), "action": _text(row[1]), "description": _text(row[2]), "location": _text(row[3])}


def _method_outcome(method):
    status = _int(method.get("status"), 0)
    if status == 2:
        return "skipped"
    if status == 1:
        skipped = _int(method.get("asserts_skipped"), 0)
        if skipped and not _int(method.get("asserts_passed"), 0) and not _int(method.get("asserts_failed"), 0):
            return "skipped"  # [inf] every assertion skipped (T3 statuses)
        return "passed"
    return "error" if _text(method.get("category")) else "failed"


def _testcase(suite, case, method):
    """One test method -> a testcase dict (for _junit) and its failure entry (None when it passed or was skipped)."""
    outcome = _method_outcome(method)
    asserts = [_assertion(row) for row in method.get("asserts") or []]
    failed = [a for a in asserts if a["status"] == 0]
    skipped = [a for a in asserts if a["status"] == 2]
    testcase = {"classname": _text(case.get("name")), "name": _text(method.get("name")),
                "time": _number(method.get("time")), "outcome": outcome, "type": "", "message": "", "details": ""}
    entry = None
    if outcome in ("failed", "error"):
        lines = ["%s: %s (%s)" % (a["action"], a["description"], a["location"]) for a in failed]
        if outcome == "error":
            message = "%s: %s" % (_text(method.get("category")), _text(method.get("message")))
            testcase.update(type=_text(method.get("category")), message=message)
            lines.append(message)
        elif failed:
            testcase.update(type=failed[0]["action"], message="%s: %s" % (failed[0]["action"], failed[0]["description"]))
        else:
            testcase.update(type="failure", message=_text(method.get("message")) or "the test method failed")
        testcase["details"] = "\n".join(lines)
        entry = {"suite": _text(suite.get("suite")), "class": testcase["classname"], "method": testcase["name"],
                 "outcome": outcome, "message": testcase["message"],
                 "assertions": [dict((k, a[k]) for k in ("action", "description", "location")) for a in failed]}
    elif outcome == "skipped" and skipped:
        testcase["message"] = "%s: %s" % (skipped[0]["action"], skipped[0]["description"])
    return testcase, entry


def outcome_from(results):
    """``unittest_results`` rows -> dict(counts, assertions, duration, failures, suites (for _junit))."""
    counts = dict(tests=0, passed=0, failed=0, errors=0, skipped=0)
    assertions = dict(total=0, passed=0, failed=0, skipped=0)
    failures = []
    suites = []
    duration = 0.0
    key_of = {"passed": "passed", "failed": "failed", "error": "errors", "skipped": "skipped"}
    for suite in results or []:
        if not isinstance(suite, dict):
            continue
        duration += _number(suite.get("time"))
        testcases = []
        for case in suite.get("cases") or []:
            for method in case.get("methods") or []:
                testcase, entry = _testcase(suite, case, method)
                testcases.append(testcase)
                if entry:
                    failures.append(entry)
                for key in ("passed", "failed", "skipped"):
                    assertions[key] += _int(method.get("asserts_" + key), 0)
            if _text(case.get("category")):
                # T4: a case-level error (a failing OnBeforeAllTests/OnAfterAllTests) is a test of its own.
                message = "%s: %s" % (_text(case.get("category")), _text(case.get("message")))
                testcases.append({"classname": _text(case.get("name")), "name": _text(case.get("category")),
                                  "time": 0.0, "outcome": "error", "type": _text(case.get("category")),
                                  "message": message, "details": message})
                failures.append({"suite": _text(suite.get("suite")), "class": _text(case.get("name")),
                                 "method": _text(case.get("category")), "outcome": "error", "message": message,
                                 "assertions": []})
        if _int(suite.get("status"), 1) == 0 and not any(t["outcome"] in ("failed", "error") for t in testcases):
            # A suite recorded as failed without a failed test: RunTest could not run it (for example its directory
            # was refused; iris-sources.md UT2, IRISREF24: ^UnitTestRoot must be an existing directory).  It is an
            # error test of its own, so the run cannot pass with nothing run; the error fields are those of
            # %UnitTest.Result.TestSuite (IRISREF24: ErrorAction, ErrorDescription) [inf: their $lb pieces 3, 4].
            name = _text(suite.get("suite"))
            detail = ": ".join(t for t in (_text(suite.get("category")), _text(suite.get("message"))) if t)
            message = "suite %s failed without a failed test%s" % (name, (": " + detail) if detail else "")
            testcases.append({"classname": name, "name": _text(suite.get("category")) or "suite", "time": 0.0,
                              "outcome": "error", "type": "suite", "message": message, "details": message})
            failures.append({"suite": name, "class": "", "method": "", "outcome": "error", "message": message,
                             "assertions": []})
        for testcase in testcases:
            counts["tests"] += 1
            counts[key_of[testcase["outcome"]]] += 1
        suites.append({"name": _text(suite.get("suite")), "id": _text(suite.get("index")), "time": _number(suite.get("time")),
                       "testcases": testcases})
    assertions["total"] = assertions["passed"] + assertions["failed"] + assertions["skipped"]
    return dict(counts=counts, assertions=assertions, duration=round(duration, 6), failures=failures, suites=suites)


# -- the manager -----------------------------------------------------------------------------------------------------
class UnitTestManager(BaseManager):
    """iris_unittest: run the tests (one session), write the JUnit file, fail on failures unless told not to."""

    def run(self):
        if self.params.get("ipm_module"):
            return self._run_ipm()
        params = self.params
        root, specs = plan_runs(params)
        qspec = qspec_for(params)
        junit_path = _junit_path(params["junit_path"]) if params.get("junit_path") else None
        upload = scan_src(root, params["suite"]) if params.get("src") else []
        # O(classes): the suite directory RunTest needs under ^UnitTestRoot (iris-sources.md UT2, IRISREF24).
        empty_suite = None if (params.get("directory") or params.get("src")) else specs[0].split(":", 1)[0]
        runs = [dict(testspec=spec, qspec=qspec, status=None) for spec in specs]
        uploaded = [rel for dummy, rel in upload]
        self.fail_results.update(runs=runs, junit_path=junit_path, uploaded=uploaded)
        if self.check_mode:
            if upload:
                self.actions.append("upload_tests")
            self.actions.append("run_tests")
            if junit_path:
                self.actions.append("write_junit")
            return self.result(changed=bool(junit_path), runs=runs, root=None if upload else (root or None),
                               junit_path=junit_path, counts=None, assertions=None, duration=None, failures=[],
                               result_indexes=[], uploaded=uploaded, iris_sessions=0)
        transport = self.instance.transport()
        staging = None
        if upload:
            # The staging directory becomes ^UnitTestRoot; it is removed in every case (finally), like iris_code's.
            staging = _copy.put_tree(self.instance, [(path, rel, None) for path, rel in upload], base_dir=STAGING_BASE)
            self.actions.append("upload_tests")
            root = staging
        elif empty_suite:
            staging = root = self._stage_empty_suite(empty_suite)
        try:
            program = build_program(root, specs, qspec, lock_seconds_for(self.instance.timeout))
            self.actions.append("run_tests")
            result = transport.run(program)
        finally:
            if staging:
                _copy.remove_tree(self.instance, staging)
        run = result.get("run") or {}
        statuses = list(run.get("statuses") or [])
        for entry, status in zip(runs, statuses):
            entry["status"] = _text(status) or None
        indexes = [_int(index, index) for index in run.get("indexes") or []]
        self.fail_results.update(result_indexes=indexes, iris_sessions=self.sessions)
        if _text(run.get("error")):
            raise IrisModuleError("RunTest stopped with an IRIS error: %s" % _text(run.get("error")),
                                  hint="see the error; ^UnitTestRoot was put back. Check the test classes and the "
                                       "namespace")
        if not indexes:
            errors = [status for status in statuses if status]
            raise IrisModuleError(
                "RunTest ran no test%s" % ((": " + errors[0]) if errors else ""),
                hint="check that the suite directory exists under directory on the IRIS server and that its classes "
                     "load and compile (the error names the first problem), or that every class in classes is "
                     "compiled in the namespace")
        return self._report(result, runs, indexes, junit_path, dict(root=root or None, uploaded=uploaded))

    def _stage_empty_suite(self, suite):
        """A staging directory holding ``suite/`` with only a placeholder file (O(classes)); its path there."""
        handle, placeholder = tempfile.mkstemp(prefix="iris-devtools-suite-", dir=getattr(self.module, "tmpdir", None))
        os.close(handle)
        try:
            return _copy.put_tree(self.instance, [(placeholder, suite + "/" + SUITE_PLACEHOLDER, None)],
                                  base_dir=STAGING_BASE)
        finally:
            os.remove(placeholder)

    def _require_ipm(self, name):
        """Fail unless IPM (0.9.x/0.10.x) and module ``name`` are installed in the namespace (one read session)."""
        program = Program().add("ipm_module_version", name=_ipm.IPM_MODULE, key="ipm")
        program.add("ipm_module_version", name=name, key="package")
        found = self.instance.run(program)
        namespace = self.instance.namespace
        ipm_version, version = _text(found.get("ipm")), _text(found.get("package"))
        hint = "install it with iris_devtools.iris.iris_ipm"
        if not ipm_version:
            raise IrisModuleError("IPM is not installed in namespace %s (no %%IPM classes there), so module %s has no "
                                  "test phase to run." % (namespace, name), hint=hint)
        if (_ipm.version_tuple(ipm_version) or (None,))[:2] not in _ipm.SUPPORTED_SERIES:
            raise IrisModuleError("IPM %s is installed in namespace %s; iris_unittest knows the test phase of 0.9.x and "
                                  "0.10.x only." % (ipm_version, namespace),
                                  hint="install a 0.9.x or 0.10.x IPM with iris_devtools.iris.iris_ipm")
        if not version:
            raise IrisModuleError("IPM module %s is not installed in namespace %s." % (name, namespace), hint=hint)
        return ipm_version, version

    def _run_ipm(self):
        params = self.params
        command = ipm_command(params)
        junit_path = _junit_path(params["junit_path"]) if params.get("junit_path") else None
        name = params["ipm_module"]
        runs = [dict(command=command, status=None)]
        self.fail_results.update(runs=runs, junit_path=junit_path, ipm_module=name)
        ipm_version, version = self._require_ipm(name)
        extra = dict(root=None, uploaded=[], ipm=dict(version=ipm_version, module=name, module_version=version))
        if self.check_mode:
            self.actions.append("run_tests")
            if junit_path:
                self.actions.append("write_junit")
            return self.result(changed=bool(junit_path), runs=runs, junit_path=junit_path, counts=None,
                               assertions=None, duration=None, failures=[], result_indexes=[],
                               iris_sessions=self.sessions, **extra)
        program = Program()
        program.add("unittest_lock", seconds=lock_seconds_for(self.instance.timeout))
        program.add("unittest_ipm_run", command=command, key="run")
        program.add("unittest_results", key="results")
        self.actions.append("run_tests")
        result = self.instance.transport().run(program)
        run = result.get("run") or {}
        statuses = list(run.get("statuses") or [])
        runs[0]["status"] = _text(statuses[0]) or None if statuses else None
        indexes = [_int(index, index) for index in run.get("indexes") or []]
        self.fail_results.update(result_indexes=indexes, iris_sessions=self.sessions, **extra)
        error = _text(run.get("error")) or (runs[0]["status"] or "")
        if error:
            raise IrisModuleError("IPM's test phase of module %s stopped with an IRIS error: %s" % (name, error),
                                  hint="see the error (IPM loads the <UnitTest> directory of the module and compiles "
                                       "its package before running it); check the module's test classes")
        if not indexes:
            raise IrisModuleError("IPM's test phase of module %s ran no test" % name,
                                  hint="check that the module's module.xml has a <UnitTest> resource with "
                                       "Phase=\"test\" and that its test classes sit in <Name>/<Package as "
                                       "directories> (iris-sources.md IPMT3)")
        return self._report(result, runs, indexes, junit_path, extra)

    def _report(self, result, runs, indexes, junit_path, extra):
        """The outcome of a run from its ^UnitTest.Result indexes: JUnit file, result, failure (every source)."""
        transport = self.instance.transport()
        outcome = outcome_from(result.get("results"))
        changed = False
        if junit_path:
            properties = {"namespace": transport.namespace, "result_indexes": ",".join(str(i) for i in indexes)}
            data = _junit.junit_xml(outcome["suites"], name="iris_unittest %s" % transport.namespace,
                                    properties=properties)
            _files.write_bytes_atomic(junit_path, data)
            self.actions.append("write_junit")
            changed = True
        values = dict(runs=runs, junit_path=junit_path, counts=outcome["counts"],
                      assertions=outcome["assertions"], duration=outcome["duration"], failures=outcome["failures"],
                      result_indexes=indexes, iris_sessions=self.sessions, **extra)
        counts = outcome["counts"]
        if counts["tests"] == 0:
            self.module.warn("RunTest wrote result index(es) %s but no test method ran; check the suite and classes."
                             % ", ".join(str(i) for i in indexes))
        if (counts["failed"] or counts["errors"]) and self.params.get("fail_on_failure", True):
            self.fail_results.update(values, changed=changed)
            raise IrisModuleError(
                "%d of %d tests failed and %d raised errors (^UnitTest.Result %s)"
                % (counts["failed"], counts["tests"], counts["errors"], ", ".join(str(i) for i in indexes)),
                hint="see failures (class, method, assertion messages and locations)%s, or set fail_on_failure: false"
                     % (" and the JUnit file" if junit_path else ""))
        return self.result(changed=changed, **values)
