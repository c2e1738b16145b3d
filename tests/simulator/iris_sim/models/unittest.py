# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``%UnitTest.TestCase`` and ``%UnitTest.Manager.RunTest`` (issue 14 item 5; DESIGN.md Contract 9).

Sources: iris-sources.md T1 (test specs and qualifiers), T2 (Manager, lifecycle), T3 (result classes: Action,
Status 0/1/2, Location), T4 (IPM's reader: the ``^UnitTest.Result`` layout), IPMCI (RunTest's status, the
lifecycle outcomes), UTCASE (TestCase, the assert macros), SYSMACROS (status macros, in iris_sim/macros.py), IRISREF24 (the 2024.1
``%UnitTest.Manager.RunTest`` doc: the qualifiers' defaults, deletion after /load and /run; rows UT1-UT3).

* **TestCase** (UTCASE): a modelled superclass of loaded UDL classes (``Extends %UnitTest.TestCase``); it extends
  %RegisteredObject.  Its lifecycle methods return $$$OK unless the test class overrides them [inf: the default
  bodies are not in the sources].  The ``$$$Assert...`` macros expand (macros.py, [inf] mechanism) into calls of
  the ``Assert...ViaMacro`` methods the class reference lists, with the simulator's extra last argument, the
  location ``Method+n^Pkg.Cls.1`` [inf] (IRIS finds it from the stack).  Each call records one assertion
  (Action = the macro name without ``$$$``, Status 1 passed / 0 failed / 2 skipped, Description, Location: T3)
  and returns 1 or 0 (UTCASE: a macro "returns false" when it fails).  Outside a RunTest there is nothing to
  record into: ``<INVALID OREF>`` [inf].  ``$$$AssertFilesSame``, ``$$$AssertFilesSQLUnorderedSame`` and every
  macro the sources do not list (``$$$LogMessage`` ...) are compile errors.
* **RunTest(testspec, qspec, .userparam)** (T1, T2): ``testspec`` = ``suite[:Pkg.Class[:Method]]``, the suite a
  subdirectory of ``^UnitTestRoot``, both checked to exist also with ``/noload`` (IRISREF24, row UT2).  An empty
  testspec runs the ``^UnitTestRoot`` directory itself (IRISREF24: "the directory referenced in the ^UnitTestRoot
  global will be used for the testsuite value"); its results are stored under the suite name ``^UnitTestRoot``'s value
  [inf: the subscript IRIS records is not in the sources, row IPMT8].  Subdirectories whose names begin with ``_`` are
  skipped (IRISREF24); an ``_autoload`` directory (the ``/autoload`` default loads it from the suite directory and its
  ancestors) is not modelled.
  Qualifiers (T1: ``/x``, ``/nox``, ``/x=0``): ``/load`` ``/run`` ``/delete``
  ``/recursive`` ``/loadudl`` (default on: IRISREF24, RunTest doc), ``/display`` (``/display=all|none``,
  ``/nodisplay``: T4).  The classes a run loaded are deleted after it when ``/load``, ``/run`` and ``/delete`` are on
  (IRISREF24: "If both the /load and /run qualifiers are enabled ... deleted"; /norun only loads).  ``/debug`` (a
  BREAK when a test fails: IRISREF24) and everything else: the call fails, "not modelled".  Refused as not
  modelled, not guessed: subdirectories with files under ``/recursive`` (IRISREF24 makes them sub-testsuites but
  not how they are named in the results), XML/routine files, ``/noload`` without a class in the testspec, and an
  abstract TestCase class among the classes to run (``[ Abstract ]``: no source says what RunTest does with one,
  iris-sources.md ABS3; the call fails before anything runs or is recorded).
* Results (T4): ``^UnitTest.Result(idx,suite)=$lb(status,time)``, ``(idx,suite,case)`` and
  ``(idx,suite,case,method)=$lb(status,time,errCategory,errMsg)``, ``(idx,suite,case,method,n)=
  $lb(status,action,description,location)``; ``idx`` = the last index + 1, so ``$order(^UnitTest.Result(""),-1)``
  is the newest run.  A case with failed methods has errMsg "There are failed TestMethods" (T4).  An uncaught
  error in a test method or a failing lifecycle method fails the method/case with errCategory = the method's
  name [inf] and errMsg = the error text [inf].  Times are seconds (IRISREF24: the result classes' Duration).  The ``%UnitTest_Result`` SQL tables
  are not modelled.
* Return value: ``$$$OK`` when the suite ran, also when tests failed (IPMCI: IPM's own test of its test phase writes
  its output file after ``$$$ThrowOnError`` of RunTest's status with 12 failed methods; T9's handler said otherwise);
  an error %Status when loading, compiling or the qspec failed [inf: not live-verified]; tools must read
  ``^UnitTest.Result``.
* Display [inf, the sources give no text]: one line per test method and a summary line per suite; nothing with
  ``/nodisplay``.  ``userparam`` is accepted and not passed on (TestCase's ``Manager`` is not modelled).
"""

from __future__ import annotations

import os
import time

from iris_sim import classdefs, macros, objects, values
from iris_sim.errors import IrisError, ThrowSignal, is_error, status_error, status_ok, status_text
from iris_sim.interp import uncaught_text
from iris_sim.macros import NOT_MODELLED, MacroError, quote
from iris_sim.models import sysobj
from iris_sim.objects import SimClass, class_method, method, register

TESTCASE = "%UnitTest.TestCase"
RESULT = "UnitTest.Result"
AUTOLOAD = "_autoload"  # IRISREF24: RunTest's /autoload default
_STATE = "sim_unittest"  # obj.state key: the assertion list of the running test method
# Defaults: iris-sources.md IRISREF24 (RunTest doc: /load, /run, /recursive, /loadudl on; /display=all; /nodelete to keep).
_QUALIFIERS = {"load": 1, "run": 1, "delete": 1, "recursive": 1, "loadudl": 1, "display": 1}


# -- the assert macros (UTCASE) ---------------------------------------------------------------------------
_ASSERTS = {  # macro name → (number of value arguments); the last optional argument is the description
    "AssertEquals": 2, "AssertNotEquals": 2, "AssertTrue": 1, "AssertNotTrue": 1, "AssertStatusOK": 1,
    "AssertStatusNotOK": 1, "AssertSuccess": 0, "AssertFailure": 0, "AssertSkipped": 0,
}


def _assert_expander(name: str, count: int):
    def expand(args, context, line):
        if args is None:
            args = []
        args = macros.arity(name, args, count, count + 1)
        context.needs.setdefault(TESTCASE, line)
        values_text = args[:count]
        description = args[count] if len(args) > count and args[count] else '""'
        autoquoted = quote(",".join(values_text))  # [inf] the text IRIS's macro passes is not in the sources
        parts = [autoquoted, *values_text, description, quote(context.location(line))]
        return f"..{name}ViaMacro({','.join(parts)})"
    return expand


for _name, _count in _ASSERTS.items():
    macros.MACROS[_name] = _assert_expander(_name, _count)


def _not_modelled_macro(name: str):
    def expand(args, context, line):  # pylint: disable=unused-argument
        raise MacroError(f"macro '$$${name}' (listed by the TestCase class reference) {NOT_MODELLED}")
    return expand


for _name in ("AssertFilesSame", "AssertFilesSQLUnorderedSame"):
    macros.MACROS[_name] = _not_modelled_macro(_name)


def _record(obj, proc, action: str, passed, autoquoted, description, location):
    """Record one assertion of the running test method; returns 1 (passed or skipped) or 0 (failed)."""
    asserts = obj.state.get(_STATE)
    if asserts is None:
        raise IrisError("INVALID OREF", "Manager")  # [inf] no RunTest is running this test case
    text = values.to_str(description if description is not None else "")
    if text == "":
        text = values.to_str(autoquoted if autoquoted is not None else "")  # UTCASE: made from the expression
    asserts.append((passed, action, text, values.to_str(location if location is not None else "")))
    return 0 if passed == 0 else 1


def _equal(left, right) -> bool:
    return values.equals(left, right)  # the ObjectScript "=" operator [inf: the macro's comparison]


@register
class TestCase(SimClass):
    """``%UnitTest.TestCase`` (UTCASE): superclass of test classes; lifecycle and assert methods."""

    name = TESTCASE
    source = "iris-sources.md UTCASE, T2, T3"
    instantiable = True  # UTCASE: extends %RegisteredObject

    @method("OnBeforeAllTests", source="UTCASE, T2")
    def on_before_all(self, proc):  # pylint: disable=unused-argument
        """Default: nothing to prepare, $$$OK [inf]."""
        return 1

    @method("OnAfterAllTests", source="UTCASE, T2")
    def on_after_all(self, proc):  # pylint: disable=unused-argument
        """Default: $$$OK [inf]."""
        return 1

    @method("OnBeforeOneTest", source="UTCASE, T2")
    def on_before_one(self, proc, testname=None):  # pylint: disable=unused-argument
        """Default: $$$OK [inf]."""
        return 1

    @method("OnAfterOneTest", source="UTCASE, T2")
    def on_after_one(self, proc, testname=None):  # pylint: disable=unused-argument
        """Default: $$$OK [inf]."""
        return 1

    @method("AssertEqualsViaMacro", source="UTCASE, T3")
    def assert_equals(self, proc, autoquoted=None, value1="", value2="", description=None, location=None):
        """Passes when the two values are equal."""
        return _record(self, proc, "AssertEquals", int(_equal(value1, value2)), autoquoted, description, location)

    @method("AssertNotEqualsViaMacro", source="UTCASE, T3")
    def assert_not_equals(self, proc, autoquoted=None, value1="", value2="", description=None, location=None):
        """Passes when the two values differ."""
        return _record(self, proc, "AssertNotEquals", int(not _equal(value1, value2)), autoquoted, description,
                       location)

    @method("AssertTrueViaMacro", source="UTCASE, T3")
    def assert_true(self, proc, autoquoted=None, value="", description=None, location=None):
        """Passes when the value is true."""
        return _record(self, proc, "AssertTrue", int(values.to_bool(value)), autoquoted, description, location)

    @method("AssertNotTrueViaMacro", source="UTCASE, T3")
    def assert_not_true(self, proc, autoquoted=None, value="", description=None, location=None):
        """Passes when the value is false."""
        return _record(self, proc, "AssertNotTrue", int(not values.to_bool(value)), autoquoted, description,
                       location)

    @method("AssertStatusOKViaMacro", source="UTCASE, T3")
    def assert_status_ok(self, proc, autoquoted=None, status="", description=None, location=None):
        """Passes when the status is OK (UTCASE: "If it is 1, the test passes")."""
        return _record(self, proc, "AssertStatusOK", int(not is_error(status)), autoquoted,
                       _with_status(description, status), location)

    @method("AssertStatusNotOKViaMacro", source="UTCASE, T3")
    def assert_status_not_ok(self, proc, autoquoted=None, status="", description=None, location=None):
        """Passes when the status is an error."""
        return _record(self, proc, "AssertStatusNotOK", int(is_error(status)), autoquoted, description, location)

    @method("AssertSuccessViaMacro", source="UTCASE, T3")
    def assert_success(self, proc, autoquoted=None, description=None, location=None):
        """Records a passed assertion."""
        return _record(self, proc, "AssertSuccess", 1, autoquoted, description, location)

    @method("AssertFailureViaMacro", source="UTCASE, T3")
    def assert_failure(self, proc, autoquoted=None, description=None, location=None):
        """Records a failed assertion."""
        return _record(self, proc, "AssertFailure", 0, autoquoted, description, location)

    @method("AssertSkippedViaMacro", source="UTCASE, T3")
    def assert_skipped(self, proc, autoquoted=None, description=None, location=None):
        """Records a skipped assertion (T3: Status 2)."""
        return _record(self, proc, "AssertSkipped", 2, autoquoted, description, location)


def _with_status(description, status):
    """The description of a failed AssertStatusOK keeps the status text [inf: shape of IRIS's text unknown]."""
    if not is_error(status):
        return description
    text = values.to_str(description if description is not None else "")
    return (text + ": " if text else "") + status_text(status)


classdefs.MODELLED_SUPERCLASSES[TESTCASE] = TestCase


# -- RunTest -------------------------------------------------------------------------------------------
class SpecError(Exception):
    """A qspec or testspec the model refuses."""


def parse_qspec(qspec) -> dict:
    """RunTest qualifiers (T1): ``/x``, ``/nox``, ``/x=0|1``; ``/display=all|none`` (T4)."""
    spec = dict(_QUALIFIERS)
    text = values.to_str(qspec) if qspec is not None else ""
    if text and not text.startswith("/"):
        raise SpecError(f"qspec '{text}': flags other than /qualifiers {NOT_MODELLED}")
    for part in text.split("/")[1:]:
        if not part:
            continue
        key, eq, value = part.partition("=")
        key = key.lower()
        on = 1
        if not eq and key.startswith("no") and key[2:] in _QUALIFIERS:
            key, on = key[2:], 0
        elif eq and key == "display" and value.lower() in ("all", "none"):
            on = 1 if value.lower() == "all" else 0
        elif eq:
            if value not in ("0", "1"):
                raise SpecError(f"qualifier '/{part}': value {NOT_MODELLED}")
            on = int(value)
        if key not in _QUALIFIERS:
            raise SpecError(f"qualifier '/{part}' {NOT_MODELLED}")  # /debug included (IRISREF24: a BREAK on failure)
        spec[key] = on
    return spec


class _Run:
    """One RunTest call: output and the result tree."""

    def __init__(self, proc, spec):
        self.proc, self.spec = proc, spec
        self.failed = False

    def say(self, text: str) -> None:
        if self.spec.get("display"):
            self.proc.write(text)
            self.proc.newline()


def _status_of(result) -> bool:
    """A lifecycle method's result: an error %Status fails it; anything else (no value, 1) passes."""
    return not (result is not None and result != "" and is_error(result))


def _call(proc, obj, mname: str, *args):
    """Call a lifecycle or test method; ("", "") when it passed, else (category, text) [inf]."""
    fn = obj.cls.find_method(mname)
    if fn is None:
        return "", ""
    formals = _formal_count(obj.cls, mname)
    try:
        result = fn(obj, proc, *args[:formals]) if formals is not None else fn(obj, proc, *args)
    except IrisError as exc:
        return mname, uncaught_text(exc)
    except ThrowSignal as exc:
        return mname, uncaught_text(exc)
    if not _status_of(result):
        return mname, status_text(result)
    return "", ""


def _formal_count(cls, mname: str):
    """Number of formal arguments of a UDL method (None for a modelled one)."""
    for klass in cls.class_chain():
        cdef = getattr(klass, "definition", None)
        if cdef is not None and mname in cdef.methods:
            return len(cdef.methods[mname].formals)
        if mname in getattr(klass, "iris_methods", {}):
            return None
    return None


def _test_methods(cls) -> list:
    """Instance methods whose names begin with Test (UTCASE), in name order [inf: the run order is not sourced]."""
    names = set()
    for klass in cls.class_chain():
        cdef = getattr(klass, "definition", None)
        if cdef is None:
            continue
        names.update(m.name for m in cdef.methods.values() if not m.is_class and m.name.startswith("Test"))
    return sorted(names)


def _run_case(run: _Run, cls, method_filter: str, store, idx, suite: str) -> bool:
    """Run one TestCase class (T2 lifecycle); write its result nodes; True when it passed."""
    proc = run.proc
    started = time.monotonic()
    obj = objects.call_class_method(proc, cls, "%New", [])
    case_category, case_text = _call(proc, obj, "OnBeforeAllTests")
    methods = [m for m in _test_methods(cls) if not method_filter or m == method_filter]
    case_ok = not case_category
    if case_ok:
        for mname in methods:
            case_ok = _run_method(run, obj, mname, store, (idx, suite, cls.name)) and case_ok
        category, text = _call(proc, obj, "OnAfterAllTests")
        if category:
            case_ok, case_category, case_text = False, category, text
    if not case_ok and not case_category:
        case_text = "There are failed TestMethods"  # T4: the aggregate text
    store.set(RESULT, (idx, suite, cls.name),
              values.list_build([int(case_ok), _seconds(started), case_category, case_text]))
    if case_category:
        run.say(f"  {cls.name} failed: {case_category}: {case_text}")
    return case_ok


def _run_method(run: _Run, obj, mname: str, store, prefix: tuple) -> bool:
    """OnBeforeOneTest, the test method, OnAfterOneTest (T2); write the method's nodes; True when it passed."""
    proc = run.proc
    started = time.monotonic()
    asserts: list = []
    obj.state[_STATE] = asserts
    try:
        category, text = _call(proc, obj, "OnBeforeOneTest", mname)
        if not category:
            category, text = _call(proc, obj, mname)
            after_category, after_text = _call(proc, obj, "OnAfterOneTest", mname)
            if not category and after_category:
                category, text = after_category, after_text
    finally:
        obj.state.pop(_STATE, None)
    passed = not category and all(a[0] != 0 for a in asserts)
    for number, (status, action, description, location) in enumerate(asserts, 1):
        store.set(RESULT, prefix + (mname, number), values.list_build([status, action, description, location]))
    store.set(RESULT, prefix + (mname,), values.list_build([int(passed), _seconds(started), category, text]))
    run.say(f"    {prefix[2]}.{mname} {'passed' if passed else 'failed'}")  # [inf] display text
    for status, action, description, location in asserts:
        if status == 0:
            run.say(f"      {action} failed: {description} ({location})")  # [inf] display text
    if category:
        run.say(f"      {category}: {text}")
    return passed


def _seconds(started: float):
    return values.str_to_num(f"{time.monotonic() - started:.6f}")


def _parse_testspec(testspec) -> tuple[str, str, str]:
    text = values.to_str(testspec if testspec is not None else "")
    if text == "":
        return "", "", ""  # IRISREF24: the ^UnitTestRoot directory itself is the testsuite
    parts = text.split(":")
    if len(parts) > 3 or not parts[0]:
        raise SpecError(f"testspec '{values.to_str(testspec)}': expected suite[:Pkg.Class[:Method]] (T1)")
    parts += [""] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def _suite_dir(root: str, suite: str) -> str:
    """The suite directory under ^UnitTestRoot, with /load and /noload alike (iris-sources.md UT2, IRISREF24: the
    RunTest doc says ^UnitTestRoot "must specify a valid directory whose existence is checked during the invocation of
    the RunTest(...) method" and the testsuite is a directory under it); else SpecError [inf: wording and form]."""
    if not root or not os.path.isdir(root):
        raise SpecError(f"^UnitTestRoot '{root}' is not a directory. Fix: set ^UnitTestRoot to the directory "
                        "that holds the suite directories")  # [inf] wording
    directory = os.path.join(root, suite) if suite else root
    if not os.path.isdir(directory):
        raise SpecError(f"suite directory '{directory}' does not exist")  # [inf] wording
    _refuse_autoload(root, directory)
    return directory


def _refuse_autoload(root: str, directory: str) -> None:
    """IRISREF24 (RunTest doc): /autoload (default ``_autoload``) loads that subdirectory of the suite directory and of
    its ancestors; which ancestors and in what order is not in the sources: an ``_autoload`` there is not modelled."""
    top = os.path.realpath(root)
    current = os.path.realpath(directory)
    while True:
        if os.path.isdir(os.path.join(current, AUTOLOAD)):
            raise SpecError(f"the {AUTOLOAD} directory in '{current}' (RunTest's /autoload) {NOT_MODELLED}")
        if current == top or os.path.dirname(current) == current:
            return
        current = os.path.dirname(current)


def _suite_files(root: str, suite: str, spec: dict) -> list:
    """The ``.cls`` files of the suite directory; what the model cannot load → SpecError."""
    directory = _suite_dir(root, suite)
    files, others = [], []
    for entry in sorted(os.listdir(directory)):
        path = os.path.join(directory, entry)
        if os.path.isdir(path):
            if entry.startswith("_"):
                continue  # IRISREF24: "Any subdirectory whose name begins with an underscore ( _ ) will be skipped"
            if spec["recursive"] and any(True for dummy in os.scandir(path)):
                raise SpecError(f"subdirectory '{path}' under /recursive {NOT_MODELLED}. Fix: pass /norecursive "
                                "or give each directory its own RunTest")
            continue
        (files if entry.lower().endswith(".cls") else others).append(path)
    loadable = [p for p in others if p.lower().endswith((".xml", ".mac", ".int", ".inc"))]
    if loadable:
        raise SpecError(f"loading '{loadable[0]}': only UDL .cls test files are modelled; this file type "
                        f"{NOT_MODELLED}")
    return files if spec["loadudl"] else []


def _load(proc, paths: list) -> tuple[list, list]:
    """Load and compile the files with the $SYSTEM.OBJ model (Contract 8); (class names, error texts)."""
    run = sysobj._Run(proc, {"display": 0}, None)  # pylint: disable=protected-access
    loaded: list = []
    for path in paths:
        sysobj._load_file(run, path, loaded)  # pylint: disable=protected-access
    if loaded:
        sysobj._compile(run, loaded)  # pylint: disable=protected-access
    return loaded, run.errors


def _delete(proc, names) -> None:
    """Delete the classes RunTest loaded (T1, T2: the default /delete)."""
    db = classdefs.routines_db(proc)
    table = db.extra.get(classdefs.SECTION, {})
    for name in names:
        table.pop(name, None)
    db.dirty = True
    classdefs.forget_classes(proc)


def _is_test_case(cls) -> bool:
    return any(getattr(klass, "name", "") == TESTCASE for klass in cls.class_chain())


@register
class Manager(SimClass):
    """``%UnitTest.Manager`` (T1, T2): RunTest."""

    name = "%UnitTest.Manager"
    source = "iris-sources.md T1, T2, T4, IPMCI"
    instantiable = False

    @class_method("RunTest", source="T1, T2, T4, IPMCI, IRISREF24")
    def run_test(cls, proc, testspec="", qspec="", userparam=None):  # pylint: disable=unused-argument
        """Load the suite, run its TestCase classes, store the results, delete what it loaded."""
        spec = {"display": 1}  # until the qspec is read: a refusal is displayed [inf]
        try:
            spec = parse_qspec(qspec)
            suite, class_filter, method_filter = _parse_testspec(testspec)
            if method_filter and not class_filter:
                raise SpecError("a method in the testspec needs its class (T1)")
            paths: list = []
            root = values.to_str(proc.global_store().get("UnitTestRoot", (), ""))
            if spec["load"]:
                paths = _suite_files(root, suite, spec)
            elif not class_filter:
                raise SpecError(f"/noload without a class in the testspec {NOT_MODELLED}. Fix: name the class "
                                "(suite:Pkg.Class)")
            else:
                _suite_dir(root, suite)
        except SpecError as exc:
            return _fail(proc, spec, str(exc))
        run = _Run(proc, spec)
        loaded, errors = _load(proc, paths) if paths else ([], [])
        try:
            if errors:
                for text in errors:
                    run.say("ERROR #5001: " + text)  # [inf] like $SYSTEM.OBJ's display
                return status_error(5001, f"RunTest: {len(errors)} load/compile error(s); the first: {errors[0]}")
            if not spec["run"]:
                return status_ok()
            names = [class_filter] if class_filter else loaded
            classes = []
            for name in names:
                try:
                    klass = objects.find_class(name, proc)
                except IrisError:
                    if class_filter:
                        return _fail(proc, spec, f"class '{name}' does not exist (not loaded or not compiled)")
                    continue
                if _is_test_case(klass):
                    classes.append(klass)
            abstract = sorted(k.name for k in classes if getattr(k, "abstract", False))
            if abstract:
                # iris-sources.md ABS3: no source read says whether RunTest skips, runs or fails an abstract
                # TestCase class (its %New creates nothing: ROBJABS); refused before anything runs, never guessed
                return _fail(proc, spec, f"simulator: running the abstract TestCase class '{abstract[0]}' "
                             "is not modelled (what RunTest does with an abstract class is not in the sources). "
                             "Fix: keep abstract base classes out of the suite directory (load and compile them "
                             "before RunTest) or drop the Abstract keyword")
            # [inf] IPMT8: an empty testspec's results are stored under ^UnitTestRoot's value (IRISREF24 makes that
            # directory the testsuite; the subscript IRIS writes is not in the sources)
            return _run_suite(run, suite or root, sorted(classes, key=lambda k: k.name), method_filter)
        finally:
            # IRISREF24 (RunTest doc): deleted after the run only when /load and /run are both on (and not /nodelete).
            if spec["delete"] and spec["load"] and spec["run"] and loaded:
                _delete(proc, loaded)


def _run_suite(run: _Run, suite: str, classes: list, method_filter: str):
    store = run.proc.global_store()
    last = store.order(RESULT, ("",), -1) if store.data(RESULT) else ""
    idx = (values.to_int(last) if last != "" else 0) + 1
    started = time.monotonic()
    run.say(f"Suite {suite}: {len(classes)} test case class(es)")  # [inf] display text
    passed = True
    for klass in classes:
        passed = _run_case(run, klass, method_filter, store, idx, suite) and passed
    store.set(RESULT, (idx, suite), values.list_build([int(passed), _seconds(started)]))
    run.say(f"Suite {suite} {'passed' if passed else 'failed'} (^UnitTest.Result({idx}))")  # [inf] display text
    return status_ok()  # IPMCI: RunTest's status is OK also when tests failed


def _fail(proc, spec: dict, text: str):
    """A refused call: an error %Status (and the text on the display) [inf wording]."""
    if spec.get("display", 1):
        proc.write("ERROR #5001: " + text)
        proc.newline()
    return status_error(5001, text)
