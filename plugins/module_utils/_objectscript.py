# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

ObjectScript program building.  Two rules hold everything together:

* ``literal()`` is THE one function that turns a Python value into ObjectScript source.
  Nothing else may put a value into a program.
* Programs are straight-line sequences of vetted templates from ``TEMPLATES`` (the one place
  where ObjectScript text lives).  Templates take values through ``<<name>>`` placeholders;
  every value is passed through ``literal()``.  ``<<`` and ``>>`` never occur in valid
  ObjectScript (there are no shift operators), so the syntax cannot clash with ``{}``, ``$``,
  ``%``, ``^`` or ``##class``.

Program protocol (consumed by ``_transport.py``):

* The ``iris session`` shell runs stdin line by line, prints errors (``<SYNTAX>``,
  ``<UNDEFINED>`` ...) and goes on with the next line (iris-sources.md LESSONS §2.3, §7C).
  So each line is guarded: ``halt:$get(idtStep)'=N  try { BODY set idtStep=N+1 } catch ...``.
  A line that failed in any way (runtime error, ``<SYNTAX>`` the shell skipped, failed
  ``%Status``, SQL error) leaves ``idtStep`` at N, and the next line halts.
* Results are JSON frames ``\\x02<token>:R:<json>\\x03``; errors ``\\x02<token>:E:<json>\\x03``.
  The ``\\x02``/``\\x03`` bytes are produced at run time with ``$CHAR(2)``/``$CHAR(3)``, and
  ``literal()`` never emits a raw control character, so the shell's echo of the program text
  can never contain a frame.  The token comes from the transport, fresh for every run.
* Variables whose names start with ``idt`` belong to this protocol; templates use only those.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from decimal import Decimal

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

# ---------------------------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------------------------
# IRIS string values hold at most 3,641,144 characters (long strings, the default since 2012.2)
# [doc] https://docs.intersystems.com/latest/csp/docbook/DocBook.UI.Page.cls?KEY=GORIENT_APPX_LIMITS
# and https://docs.intersystems.com/csp/docbook/DocBook.UI.Page.cls?KEY=GCOS_strings ; counted in
# UTF-16 code units (astral characters are surrogate pairs) [inf].
MAX_STRING_LENGTH = 3641144
# How long a line the `iris session` shell reads is NOT documented in the sources we have.  We
# therefore keep every program line below the classic 32,767-character string limit [inf]:
# a value whose literal is longer than INLINE_LITERAL_LIMIT is hoisted out of the template line
# into a local built up over several lines (`set idtL(n)=idtL(n)_<chunk>`), HOIST_CHUNK_CHARS
# characters of the value per line (worst case ~13 source characters per character when every
# character needs $CHAR, so a hoist line stays < 30,000).  Render refuses lines > MAX_LINE_LENGTH.
INLINE_LITERAL_LIMIT = 4000
HOIST_CHUNK_CHARS = 2000
MAX_LINE_LENGTH = 32000
# $CHAR(...) calls take several code points; keep each call readable.
_CHAR_GROUP = 32
# IRIS numbers are a 64-bit signed integer mantissa times a power of ten; 9223372036854775807
# is the largest exact integer; the largest number is about 9.223372036854775807E145 and the
# exponent floor is about -128 [inf from the ObjectScript numeric model; verify on a live
# instance].  Floats outside [1E-127, 1E145] are rejected rather than silently changed.
MAX_EXACT_INTEGER = 9223372036854775807
_MAX_FLOAT = 1e145
_MIN_FLOAT = 1e-127

_BUG_HINT = "this is a bug in the collection; please report it with the task that failed"


class Secret(object):
    """Marks a value as secret: ``Program`` records ``has_secrets`` when one is added."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return "Secret(********)"


# ---------------------------------------------------------------------------------------------
# literal()
# ---------------------------------------------------------------------------------------------
_UNSAFE_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))


def _needs_char(ch):
    """True if ``ch`` may not stand inside a one-line ``"..."`` literal fed to the shell.

    Emitted as $CHAR(n): every control character (C0 incl. NUL/CR/LF, DEL, C1 incl. NEL
    U+0085), line/paragraph separators, format characters (BOM, bidi controls: invisible and
    easy to abuse), surrogates, private-use and unassigned code points, and every astral
    character (emitted as its UTF-16 surrogate pair, IRIS's internal form [inf]), so that the
    program text is plain printable BMP text whatever the shell's line editing and input
    translation do.  ``"`` is doubled instead.  tree-sitter-objectscript rejects a raw NUL.
    """
    code = ord(ch)
    if code < 0x20 or 0x7F <= code < 0xA0 or code > 0xFFFF:
        return True
    return unicodedata.category(ch) in _UNSAFE_CATEGORIES


def _utf16_units(ch):
    code = ord(ch)
    if code > 0xFFFF:
        code -= 0x10000
        return [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]
    return [code]


def _string_literal(value):
    pieces = []
    safe = []
    units = []

    def flush_safe():
        if safe:
            pieces.append('"%s"' % "".join(safe).replace('"', '""'))
            del safe[:]

    def flush_units():
        for start in range(0, len(units), _CHAR_GROUP):
            pieces.append("$CHAR(%s)" % ",".join(str(u) for u in units[start:start + _CHAR_GROUP]))
        del units[:]

    for ch in value:
        if _needs_char(ch):
            flush_safe()
            units.extend(_utf16_units(ch))
        else:
            if units:
                flush_units()
            safe.append(ch)
    flush_safe()
    flush_units()
    if not pieces:
        return '""'
    return "_".join(pieces)


def _canonical_decimal(dec):
    """ObjectScript canonical form: no exponent, no leading 0 before '.', no trailing zeros."""
    text = format(dec, "f")
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    text = text.lstrip("0")
    if text.startswith(".") or text == "":
        text = text or "0"
    if text == "0":
        return "0"
    return ("-" + text) if negative else text


def _utf16_length(value):
    return len(value) + sum(1 for ch in value if ord(ch) > 0xFFFF)


def literal(value):
    """Return ONE ObjectScript expression that evaluates to ``value``.

    * ``str``: ``"..."`` with ``"`` doubled; characters that cannot stand in a one-line literal
      become ``$CHAR(n,...)`` pieces joined with ``_`` (see ``_needs_char``).  Strings longer
      than MAX_STRING_LENGTH are rejected (IRIS cannot hold them).
    * ``bool``: ``1``/``0``.  ``None``: ``""``.
    * ``int``: decimal digits; beyond the exact 64-bit range it is rejected (pass a string).
    * ``float``: canonical ObjectScript number (``.5``, ``-1.25``, ``100000000000000000000``);
      nan/inf and magnitudes IRIS cannot represent are rejected.
    * ``Secret``: the literal of the wrapped value.
    Anything else is rejected.  Errors are IrisModuleError and never contain the value.
    """
    if isinstance(value, Secret):
        return literal(value.value)
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        if abs(value) > MAX_EXACT_INTEGER:
            raise IrisModuleError(
                "Integer with %d digits is outside the exact range of an ObjectScript number" % len(str(abs(value))),
                hint="pass the value as a string")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise IrisModuleError("ObjectScript has no literal for nan or infinity",
                                  hint="pass a finite number")
        if value != 0 and not _MIN_FLOAT <= abs(value) <= _MAX_FLOAT:
            raise IrisModuleError("The number %r is outside the range of an ObjectScript number" % value,
                                  hint="pass the value as a string, or a number between 1E-127 and 1E145")
        # repr() is the shortest string that round-trips, so Decimal(repr) is the intended value.
        return _canonical_decimal(Decimal(repr(value)))
    if isinstance(value, str):
        if _utf16_length(value) > MAX_STRING_LENGTH:
            raise IrisModuleError(
                "A string of %d characters is longer than an IRIS string can be (%d)" % (len(value), MAX_STRING_LENGTH),
                hint="pass large data as a file (iris_fixture), not as a value")
        return _string_literal(value)
    raise IrisModuleError("Cannot express a value of type %s in ObjectScript" % type(value).__name__, hint=_BUG_HINT)


def int_or_none(value):
    """An IRIS value read back (number, numeric text, "" for empty) as a Python int; None when empty or not numeric.

    The inverse direction of ``literal()`` for integers: IRIS returns numbers as JSON numbers or as text
    (``"3600"``, ``"1.0"``), and empty properties as ``""``.
    """
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except (OverflowError, ValueError):
            return None


def record_text(value):
    """The JSON text of a collection record (``state_set`` value, ``^IrisDevTools(area,name)``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def record_value(text, unreadable=None):
    """A record read back with ``state_get``/``state_list``: the dict, None when there is none, ``unreadable``
    when the text is not a JSON object (written by something else)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return unreadable
    return value if isinstance(value, dict) else unreadable


# ---------------------------------------------------------------------------------------------
# Templates: THE one place where ObjectScript text lives.
# ---------------------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"<<([a-z][a-z0-9_]*)>>")
# Placeholders that stand for ObjectScript identifiers, not values: they are written into the code
# as they are, so only collection constants that match these patterns are accepted (never user input).
IDENTIFIER_PATTERNS = {
    "class": re.compile(r"\A%?[A-Za-z][A-Za-z0-9]*(\.%?[A-Za-z][A-Za-z0-9]*)*\Z"),
    "method": re.compile(r"\A%?[A-Za-z][A-Za-z0-9]*\Z"),
    "label": re.compile(r"\A%?[A-Za-z][A-Za-z0-9]*\Z"),
}
CHECK_STATUS = "status"   # after the body: fail if idtSC is an error %Status
CHECK_SQL = "sql"         # after the body: fail if idtRS.%SQLCODE < 0


class Template(object):
    """A vetted piece of ObjectScript: one or more lines, each run as one guarded step.

    ``lines`` is a list of ``(text, check)``; ``check`` is None, CHECK_STATUS or CHECK_SQL.
    ``source`` cites what the template relies on (docs/iris-sources.md keys or doc URLs).
    """

    def __init__(self, name, lines, source, doc):
        self.name = name
        self.lines = [(line, None) if isinstance(line, str) else tuple(line) for line in lines]
        self.source = source
        self.doc = doc
        self.params = []
        for text, dummy in self.lines:
            for param in PLACEHOLDER.findall(text):
                if param not in self.params:
                    self.params.append(param)


def _t(name, lines, source, doc):
    return name, Template(name, lines, source, doc)


# Exception properties Name/Code/Location/Data: %Exception.SystemException class reference [doc]
#   https://docs.intersystems.com/irislatest/csp/documatic/%25CSP.Documatic.cls?CLASSNAME=%25Exception.SystemException&LIBRARY=%25SYS
#   ("Name: the name of the exception, such as <UNDEFINED>; Code: a numerical code; Location: routine
#   and line; Data: extra data, e.g. the undefined variable").  DisplayString(): %Exception.StatusException
#   / %Exception.CPPException class reference [doc] ("returns a string that represents the exception").
# %Status checks: iris-sources.md §1.4 (code-live S8-S11): $SYSTEM.Status.IsError / GetErrorText; GetErrorCodes (code,
#   VistA/S10) because error text can be localised (§1.4 row 4).
# %DynamicObject %New/%Set/%ToJSON(): GJSON_refapi_to-json [doc]
#   https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GJSON_refapi_to-json
#   (called via DO, %ToJSON writes to the current device, so the result is not bound by the string limit);
#   %Set(key,value,"boolean") [doc, GJSON "Overriding a Default Datatype with %Set()"].
# $CHAR(n,...) returns one character per argument [doc, RCOS $CHAR]; HALT ends the session (iris-sources.md S36, S28).
_NEW_OBJ = "##class(%DynamicObject).%New()"
_WRITE_E = 'write !,$CHAR(2),idtTok,":E:" do idtE.%ToJSON() write $CHAR(3),! halt'
_WRITE_R = 'write !,$CHAR(2),idtTok,":R:" do idtR.%ToJSON() write $CHAR(3),!'
# Native rendering (docs/native-transport-design.md D6): the frames are appended to the public variable idtOut,
# which the server-side runner returns; nothing is written and nothing halts the server process.
_APPEND_E = 'set idtOut=idtOut_$CHAR(2)_idtTok_":E:"_idtE.%ToJSON()_$CHAR(3)'
_APPEND_R = 'set idtOut=idtOut_$CHAR(2)_idtTok_":R:"_idtR.%ToJSON()_$CHAR(3)'


def _sp_guarded(call):
    """``call`` (a ^SystemPerformance call) with ``$IO`` saved before and USEd again after it, also when it throws
    (audit C14: MCP live report, "run^SystemPerformance and waittime^SystemPerformance switch the current device";
    its fix is ``Set io=$IO`` ... ``Use io``).  USE [doc RCOS_cuse]; THROW of the caught exception [doc]."""
    return "set idtIO=$IO try { %s } catch idtSPE { use idtIO throw idtSPE } use idtIO" % call


# One run's state into idtC (run id in idtK, its log directory in idtL): see sp_run_waits.
_SP_RUN_STATE = ('set:$EXTRACT(idtL,$LENGTH(idtL))\'="/" idtL=idtL_"/" set idtF=$ZSEARCH(idtL_"*_"_idtK_".html"),idtC=' + _NEW_OBJ +
                 ' do idtC.%Set("report",idtF) if idtF="" { ' + _sp_guarded("set idtW=$$waittime^SystemPerformance(idtK)") +
                 ' do idtC.%Set("wait",idtW) }')


TEMPLATES = dict([
    # -- framing / session ------------------------------------------------------------------
    _t("namespace", ["set $NAMESPACE=<<namespace>>"],
       "RCOS_vnamespace [doc] https://docs.intersystems.com/latestj/csp/docbook/DocBook.UI.Page.cls?KEY=RCOS_vnamespace "
       "(SET $NAMESPACE switches; <NAMESPACE> if missing, <PROTECT> without access); iris-sources.md §0.2 (%SYS for admin calls)",
       "Switch the session to another namespace (e.g. %SYS) for the following steps."),
    _t("ping", ['do idtR.%Set("version",$ZVERSION),idtR.%Set("namespace",$NAMESPACE)'],
       "$ZVERSION [doc] https://docs.intersystems.com/latest/csp/docbook/DocBook.UI.Page.cls?KEY=RCOS_vzversion ; "
       "$NAMESPACE [doc] RCOS_vnamespace; iris-sources.md §4.1 S29/S32 (a trivial session as readiness check)",
       "Result keys 'version' ($ZV text) and 'namespace' (where the session runs)."),
    _t("result_value", ["do idtR.%Set(<<key>>,<<value>>)"],
       "%DynamicObject %Set [doc GJSON]", "Put a constant into the result (tests, markers)."),
    # -- generic, injection-proof building blocks --------------------------------------------
    # Class and method names are identifier placeholders (IDENTIFIER_PATTERNS): collection constants,
    # validated and written as the cited direct form ##class(Cls).Method(...) (iris-sources.md S8-S10, S23
    # show that form, incl. by-reference property arrays); property names travel as string literals
    # through $PROPERTY [doc GORIENT_object_functions].
    _t("call_arg", ["set idtArg($INCREMENT(idtArg))=<<value>>"],
       "variadic args... [doc GCOS 'Variable Number of Arguments']",
       "Append one argument for the next call_status / call_value."),
    _t("call_status", [("set idtSC=##class(<<class>>).<<method>>(idtArg...) kill idtArg set idtArg=0", CHECK_STATUS)],
       "direct class-method call (iris-sources.md S8-S10); variadic args... [doc]; iris-sources.md §1.4 (%Status)",
       "Call a class method returning %Status with the call_arg arguments; fail on an error status."),
    _t("call_value", ["set idtV=##class(<<class>>).<<method>>(idtArg...) kill idtArg set idtArg=0 do idtR.%Set(<<key>>,idtV)"],
       "direct class-method call (iris-sources.md S8-S10); variadic args... [doc]",
       "Call a class method with the call_arg arguments; its return value goes to result key <<key>>."),
    _t("props_set", ["set idtP(<<property>>)=<<value>>"],
       "iris-sources.md §3.3 S9, §6 S10 (Create/Modify(Name,.Props) style)",
       "Set one entry of the by-reference property array for call_props_status."),
    _t("call_props_status", [("set idtSC=##class(<<class>>).<<method>>(<<name>>,.idtP) kill idtP", CHECK_STATUS)],
       "iris-sources.md §3.3 S9 (Config.Namespaces.Create/Modify(Name,.Props)), §6 S10 (Security.Users.Modify), §1.4",
       "Call Class.Method(name,.props) with the props_set entries; fail on an error status."),
    _t("call_props_get", [
        ("kill idtP set idtSC=##class(<<class>>).<<method>>(<<name>>,.idtP)", CHECK_STATUS),
        'set idtD=' + _NEW_OBJ + ',idtK="" for { set idtK=$ORDER(idtP(idtK)) quit:idtK=""  '
        'do idtD.%Set(idtK,$GET(idtP(idtK))) } do idtR.%Set(<<key>>,idtD) kill idtP'],
       "iris-sources.md §3.3 S9 / §3.1 S20 / §6 S10 (Get(Name,.Props)); $ORDER [doc]",
       "Call Class.Method(name,.props) (a Get); the top-level props become object <<key>> in the result."),
    _t("object_new", ["set idtO(<<handle>>)=##class(<<class>>).%New()"],
       "iris-sources.md §1.3 S8/S11 (%New, set properties, %Save)", "Create a new object under handle <<handle>>."),
    _t("object_open", ["set idtO(<<handle>>)=##class(<<class>>).%OpenId(<<id>>) "
                       "do idtR.%Set(<<key>>,$ISOBJECT(idtO(<<handle>>)),\"boolean\")"],
       "iris-sources.md §1.3 S8 (%OpenId returns the object or \"\"); $ISOBJECT [doc]",
       "Open object <<id>> of <<class>> under <<handle>>; result key <<key>> is true if it exists."),
    _t("object_get", ['set idtD=' + _NEW_OBJ + ',idtC=<<properties>> for idtI=1:1:$LENGTH(idtC,",") '
                      '{ do idtD.%Set($PIECE(idtC,",",idtI),$PROPERTY(idtO(<<handle>>),$PIECE(idtC,",",idtI))) } '
                      'do idtR.%Set(<<key>>,idtD)'],
       "$PROPERTY [doc]; iris-sources.md §1.2 (property names)",
       "Read the comma-separated <<properties>> of <<handle>> into result object <<key>>."),
    _t("object_set", ["set $PROPERTY(idtO(<<handle>>),<<property>>)=<<value>>"],
       "$PROPERTY [doc]; iris-sources.md §1.2", "Set one property of <<handle>>."),
    _t("object_save", [("set idtSC=$METHOD(idtO(<<handle>>),\"%Save\")", CHECK_STATUS),
                       "do idtR.%Set(<<key>>,$METHOD(idtO(<<handle>>),\"%Id\"))"],
       "iris-sources.md §1.3 S8/S11 (%Save returns %Status; new ID via %Id()), §1.4",
       "Save <<handle>>; fail on an error status; its ID goes to result key <<key>>."),
    _t("object_delete", [("set idtSC=##class(<<class>>).%DeleteId(<<id>>)", CHECK_STATUS)],
       "iris-sources.md §1.3 S8 (%DeleteId returns %Status), §1.4", "Delete object <<id>> of <<class>>."),
    _t("sql_param", ["set idtQ($INCREMENT(idtQ))=<<value>>"],
       "variadic args... [doc]", "Append one ? parameter for the next sql_rows."),
    _t("sql_rows", [
        ("set idtRS=##class(%SQL.Statement).%ExecDirect(,<<sql>>,idtQ...) kill idtQ set idtQ=0", CHECK_SQL),
        'set idtA=##class(%DynamicArray).%New(),idtC=<<columns>> while idtRS.%Next() { set idtD=' + _NEW_OBJ + ' '
        'for idtI=1:1:$LENGTH(idtC,",") { do idtD.%Set($PIECE(idtC,",",idtI),idtRS.%Get($PIECE(idtC,",",idtI))) } '
        'do idtA.%Push(idtD) } do idtR.%Set(<<key>>,idtA)'],
       "iris-sources.md §4.3 (plain SQL via %SQL.Statement), §1.3 S11 (SELECT ... FROM %SYS.Task WHERE Name = ?); "
       "%SQL.Statement %ExecDirect/%SQLCODE/%Message/%Next/%Get (iris-sources.md VSRC %SQL/Statement.cls, audit A19)",
       "Run <<sql>> with the sql_param values; rows (comma-separated <<columns>>) go to result array <<key>>."),
    # -- IPM, the package manager (iris_ipm; run in the module's namespace: IPM 0.9+ is per namespace, iris-sources.md
    # T15) ------------------------------------------------------------------------------------------------------------
    # %IPM.Storage.Module: unique index Name (NameExists/NameOpen), property VersionString; IPM itself is module "zpm"
    # (iris-sources.md IPMSRC, T5).  Where IPM is not installed the class does not exist: <CLASS DOES NOT EXIST> is the
    # exception Name (audit A17, %Exception Name [doc]), read as "not installed"; any other error propagates.
    _t("ipm_module_version", ['set idtV="" try { if ##class(%IPM.Storage.Module).NameExists(<<name>>) '
                              '{ set idtM=##class(%IPM.Storage.Module).NameOpen(<<name>>) set:$ISOBJECT(idtM) idtV=idtM.VersionString } } '
                              'catch idtX { throw:idtX.Name\'="<CLASS DOES NOT EXIST>" idtX } do idtR.%Set(<<key>>,idtV)'],
       "iris-sources.md IPMSRC (Storage/Module.cls: Index Name Unique, VersionString), T5; audit A17 (<CLASS DOES NOT EXIST>)",
       "Result key <<key>>: the installed version of IPM module <<name>> ('' when it or IPM is not installed)."),
    _t("ipm_require_version", [('set idtSC=$SELECT(idtV=<<version>>:1,1:$SYSTEM.Status.Error(5001,"IPM "_$SELECT(idtV="":"(none)",1:idtV)'
                                '_" is installed after loading the installer, not the pinned "_<<version>>))', CHECK_STATUS)],
       "ObjectScript $SELECT [doc]; $SYSTEM.Status.Error (audit A13)",
       "After ipm_module_version: fail unless the version read is <<version>> (stops before any package command)."),
    # Offline install of IPM itself: $System.OBJ.Load(installer XML,"ck") (iris-sources.md T15, T39: the README and IPM's CI);
    # -d silences the display (T12); the status and the errorlog are both checked (T14).
    _t("ipm_load_installer", [('kill idtEL set idtSC=$SYSTEM.OBJ.Load(<<file>>,"ck-d",.idtEL) '
                               'set:\'$SYSTEM.Status.IsError(idtSC)&&(+$GET(idtEL)>0) idtSC=$SYSTEM.Status.Error(5001,'
                               '"the IPM installer "_<<file>>_" loaded with "_+$GET(idtEL)_" errors: "_$GET(idtEL(1)))', CHECK_STATUS)],
       "iris-sources.md T15, T39 ($System.OBJ.Load(zpm.xml,\"ck\")), T12 (qspec -d), T14 (check status and errorlog)",
       "Load the IPM installer export <<file>> (a path in the instance) and compile it; fail on an error."),
    # %IPM.Main.Shell(cmd) returns the command's exception as a %Status (0.9.0-0.10.9 alike; iris-sources.md IPMSRC,
    # T5); terminateOnError stays 0 so that a failure reaches the error frame instead of ending the session.
    _t("ipm_shell", [("set idtSC=##class(%IPM.Main).Shell(<<command>>)", CHECK_STATUS)],
       "iris-sources.md T5, IPMSRC (Main.cls Shell returns %Status)",
       "Run one IPM shell command (load, repo, install, uninstall); fail on an error status."),
    # -- Task Manager (run in %SYS: iris-sources.md §0.2) ------------------------------------------
    # LOCK +ref:timeout sets $TEST (1 = locked, 0 = timed out); a process's locks are released when it ends
    # (iris-sources.md LOCK: RCOS_clock, RCOS_clock_timeout, ALOCK).  Create-by-name takes the lock, then reads
    # the name again (task_select_by_name, then task_still_missing keeps the exact name as _task.current_from does): a task
    # another run created since this run read the instance stops the program (issue 11 item 3).
    _t("task_lock_name", [('lock +^IrisDevTools("lock","task",<<name>>):<<seconds>> set idtSC=$SELECT($TEST:1,'
                           '1:$SYSTEM.Status.Error(5001,"another run holds the lock on task "_<<name>>_" (waited "_<<seconds>>_" s)"))',
                           CHECK_STATUS)],
       "iris-sources.md LOCK (RCOS_clock_timeout: $TEST after a timed LOCK), ALOCK (released when the process halts)",
       "Lock task name <<name>> for this session, waiting at most <<seconds>> s; fail on timeout."),
    _t("task_still_missing", [
        ('set idtK="",idtN=0 for { set idtK=$ORDER(idtT(idtK)) quit:idtK=""  set idtW=##class(%SYS.Task).%OpenId(idtK) '
         'if $ISOBJECT(idtW)&&($PROPERTY(idtW,"Name")=<<name>>) { set idtN=idtN+1 } } kill idtT '
         'set idtSC=$SELECT(idtN:$SYSTEM.Status.Error(5001,"task "_<<name>>_'
         '" was created by another run after this run read the instance"),1:1)', CHECK_STATUS)],
       "iris-sources.md §1.3 S8 (%OpenId), §1.2 (Name); ObjectScript = compares strings exactly, $ORDER/$PROPERTY [doc]",
       "After task_select_by_name: fail if a selected task is named exactly <<name>> (read under the task_lock_name "
       "lock; the SQL match also finds names differing in case, which are other tasks)."),
    _t("task_open", ['set idtO(<<handle>>)=##class(%SYS.Task).%OpenId(<<id>>) '
                     'do idtR.%Set(<<key>>,$ISOBJECT(idtO(<<handle>>)),"boolean")'],
       "iris-sources.md §1.3 S8 (code-live): %SYS.Task %OpenId", "Open task <<id>> under <<handle>>; <<key>> true if found."),
    _t("task_new", ["set idtO(<<handle>>)=##class(%SYS.Task).%New()"],
       "iris-sources.md §1.3 S8, S11 (code-live): %SYS.Task %New", "New task object under <<handle>>."),
    _t("task_run_now", [("set idtSC=##class(%SYS.Task).RunNow(<<id>>)", CHECK_STATUS)],
       "iris-sources.md §1.3 S8 (code-live): RunNow(id) returns %Status, asynchronous (§0.3)", "Trigger a run of task <<id>>."),
    _t("task_suspend", [("set idtSC=##class(%SYS.Task).Suspend(<<id>>)", CHECK_STATUS)],
       "iris-sources.md §1.3 (code-live, public Rust test): Suspend(id) returns %Status", "Suspend task <<id>>."),
    _t("task_resume", [("set idtSC=##class(%SYS.Task).Resume(<<id>>)", CHECK_STATUS)],
       "iris-sources.md §1.3 (code-live; S2 lists Resume()): Resume(id) returns %Status", "Resume task <<id>>."),
    _t("task_delete", [("set idtSC=##class(%SYS.Task).%DeleteId(<<id>>)", CHECK_STATUS)],
       "iris-sources.md §1.3 S8 (code-live): %DeleteId returns %Status", "Delete task <<id>>."),
    # -- Namespaces and databases (run in %SYS) --------------------------------------------------
    _t("namespace_exists", ['do idtR.%Set(<<key>>,##class(Config.Namespaces).Exists(<<namespace>>),"boolean")'],
       "iris-sources.md §3.3 S9 (code-live): Config.Namespaces.Exists(Name)", "Result key <<key>>: does <<namespace>> exist."),
    _t("database_exists", ['do idtR.%Set(<<key>>,##class(Config.Databases).Exists(<<database>>),"boolean")'],
       "iris-sources.md §3.1 S20 (doc): Config.Databases.Exists(Name)", "Result key <<key>>: is database <<database>> defined."),
    # -- Predefined accounts after iris-main --password-file (iris_container, run in %SYS; audit F7) ----------
    # ADOCK-AUTH https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=ADOCK_iris_images_password_auth :
    # the accounts are "configured to require a password change on first login".  Security.Users.Exists(Name) -> 1/0 and
    # Modify(Name,.Props) with the BooleanYN keys ChangePassword / PasswordNeverExpires: iris-sources.md §6 S10 (code-live),
    # iris-sources.md LESSONS §2.4 (their live-verified form; ChangePassword()/SetPassword() methods do not exist).
    # A missing account is skipped (idtSC=1 is an OK %Status, iris-sources.md §1.4).
    _t("user_password_flags", [(
        'kill idtP set idtV=##class(Security.Users).Exists(<<name>>) do idtR.%Set(<<key>>,idtV,"boolean") '
        'if idtV { set:<<clear_change>> idtP("ChangePassword")=0 set:<<never_expires>> idtP("PasswordNeverExpires")=1 '
        'set idtSC=##class(Security.Users).Modify(<<name>>,.idtP) } else { set idtSC=1 } kill idtP', CHECK_STATUS)],
       "ADOCK-AUTH [doc]; iris-sources.md §6 S10 (code-live) Security.Users.Exists/Modify; iris-sources.md LESSONS §2.4",
       "If user <<name>> exists (result key <<key>>), clear its change-password flag and/or set PasswordNeverExpires."),
    # $SYSTEM.Security.Login(Username,Password) returns 1 when the login succeeds and 0 when it fails, and switches
    # the process to that user: %SYSTEM.Security class reference [doc]
    # https://docs.intersystems.com/irislatest/csp/documatic/%25CSP.Documatic.cls?LIBRARY=%25SYS&CLASSNAME=%25SYSTEM.Security
    # (linked from the SQL GRANT/REVOKE pages) and public code that uses its 1/0 as a credential check [code].
    # [inf] it refuses an account whose ChangePassword flag is set, as a DB-API login does (iris-sources.md LESSONS
    # §3 row 1); the probe kit checks it.  The LAST step of a program: everything after it would run as <<user>>.
    _t("password_login", ['do idtR.%Set(<<key>>,$SYSTEM.Security.Login(<<user>>,<<password>>),"boolean")'],
       "%SYSTEM.Security Login [doc]; [inf] refused while ChangePassword=1",
       "Result key <<key>>: does a password login of <<user>> with <<password>> (a Secret) succeed."),
    # -- The collection's own records: ^IrisDevTools(area,name) in %SYS (IRISSYS) ------------------
    # Not an IRIS API: our bookkeeping (what a module created or applied, e.g. a ^SystemPerformance
    # profile's settings, which has no documented read-back (iris-sources.md §2.1), or the fixture a
    # namespace holds).  Values are JSON text written and parsed by the collection.  Global
    # SET/KILL/$GET/$ORDER [doc GGBL_using]; run in %SYS so every namespace's records sit in one place.
    _t("state_get", ["do idtR.%Set(<<key>>,$GET(^IrisDevTools(<<area>>,<<name>>)))"],
       "$GET of a global node [doc RCOS_fget]", "Result key <<key>>: the record <<area>>/<<name>> ('' if none)."),
    _t("state_set", ["set ^IrisDevTools(<<area>>,<<name>>)=<<value>>"],
       "SET of a global node [doc RCOS_cset]", "Write the record <<area>>/<<name>>."),
    _t("state_kill", ["kill ^IrisDevTools(<<area>>,<<name>>)"],
       "KILL of a global node [doc RCOS_ckill]", "Remove the record <<area>>/<<name>>."),
    _t("state_list", ['set idtD=' + _NEW_OBJ + ',idtK="" for { set idtK=$ORDER(^IrisDevTools(<<area>>,idtK)) quit:idtK=""  '
                      'do idtD.%Set(idtK,$GET(^IrisDevTools(<<area>>,idtK))) } do idtR.%Set(<<key>>,idtD)'],
       "$ORDER over global subscripts [doc RCOS_forder]", "Result object <<key>>: every record of <<area>> by name."),
    # == Task Manager templates of _task.py (iris_task, iris_monitoring's schedule) ==================
    # Selection of task IDs into the local idtT (then task_read_selected reads them in one step).  SQL lookup by
    # Name (not unique: iris-sources.md §0.1, §1.3 S11 code-live); SQLUPPER matches case-insensitively
    # (iris-sources.md LESSONS §2.4 observed), so _task.py keeps only the exact names.
    _t("task_select_by_name", [
        ('set idtRS=##class(%SQL.Statement).%ExecDirect(,"SELECT ID FROM %SYS.Task WHERE Name = ?",<<name>>)', CHECK_SQL),
        'kill idtT while idtRS.%Next() { set idtT(idtRS.%Get("ID"))="" }'],
       "iris-sources.md §0.1, §1.3 S11 (code-live): SELECT ID FROM %SYS.Task WHERE Name = ? in %SYS; $ORDER/locals [doc]",
       "Select the IDs of every task named <<name>> (case-insensitive SQL match) for task_read_selected."),
    _t("task_select_all", [
        ('set idtRS=##class(%SQL.Statement).%ExecDirect(,"SELECT ID FROM %SYS.Task")', CHECK_SQL),
        'kill idtT while idtRS.%Next() { set idtT(idtRS.%Get("ID"))="" }'],
       "iris-sources.md §1.3 S11 (code-live): the class projects as table %SYS.Task (run in %SYS, §4.3)",
       "Select the IDs of every task for task_read_selected."),
    _t("task_select_id", ['kill idtT set idtT(<<id>>)=""'],
       "local array [doc GCOS]; the task is opened by task_read_selected (iris-sources.md §1.3 S8 %OpenId)",
       "Select task <<id>> for task_read_selected (a missing ID reads as no task)."),
    _t("task_select_saved", ['kill idtT set idtT($METHOD(idtO(<<handle>>),"%Id"))=""'],
       "iris-sources.md §1.3 S8/S11 (%Id() after %Save); $METHOD [doc]",
       "Select the task saved under <<handle>> in this program for task_read_selected."),
    # Reads each selected task: the comma-separated <<properties>> (iris-sources.md §1.2 names) with $PROPERTY, the
    # Settings $LB(name,value,...) pairs (iris-sources.md §1.1/§1.2: VistA code, S37) with $LISTLENGTH/$LISTGET [doc],
    # then the run information from the TaskListDetail query (iris-sources.md §1.3 S8 code-live: %ResultSet on
    # %SYS.Task:TaskListDetail, columns "ID", "Last Started", "Last Finished", "Last Status", "Last Result",
    # "Next Scheduled Date", "Next Scheduled Time").  A selected ID that %OpenId does not find is skipped.
    _t("task_read_selected", [
        'set idtA=##class(%DynamicArray).%New(),idtC=<<properties>>,idtK="" kill idtX '
        'for { set idtK=$ORDER(idtT(idtK)) quit:idtK=""  set idtW=##class(%SYS.Task).%OpenId(idtK) '
        'if $ISOBJECT(idtW) { set idtD=' + _NEW_OBJ + ' do idtD.%Set("ID",idtK) '
        'for idtI=1:1:$LENGTH(idtC,",") { do idtD.%Set($PIECE(idtC,",",idtI),$PROPERTY(idtW,$PIECE(idtC,",",idtI))) } '
        'set idtS=$PROPERTY(idtW,"Settings"),idtG=' + _NEW_OBJ + ' '
        'for idtI=1:2:$LISTLENGTH(idtS) { do idtG.%Set($LISTGET(idtS,idtI),$LISTGET(idtS,idtI+1)) } '
        'do idtD.%Set("Settings",idtG),idtA.%Push(idtD) set idtX(idtK)=idtD } }',
        ('set idtRL=##class(%ResultSet).%New("%SYS.Task:TaskListDetail"),idtSC=idtRL.Execute()', CHECK_STATUS),
        'while idtRL.Next() { set idtK=idtRL.Get("ID") if (idtK\'="")&&$DATA(idtX(idtK)) { set idtD=idtX(idtK) '
        'do idtD.%Set("LastStarted",idtRL.Get("Last Started")),idtD.%Set("LastFinished",idtRL.Get("Last Finished")) '
        'do idtD.%Set("LastStatus",idtRL.Get("Last Status")),idtD.%Set("LastResult",idtRL.Get("Last Result")) '
        'do idtD.%Set("NextDate",idtRL.Get("Next Scheduled Date")),idtD.%Set("NextTime",idtRL.Get("Next Scheduled Time")) } } '
        'do idtR.%Set(<<key>>,idtA) kill idtT,idtX'],
       "iris-sources.md §1.3 S8 (%OpenId; TaskListDetail columns), §1.2 (property names, Settings as $LB pairs); "
       "$PROPERTY, $LISTLENGTH, $LISTGET [doc]",
       "Result array <<key>>: one object per selected task (ID, <<properties>>, Settings object, run information)."),
    # Settings are written as $LB(name,value,...) (iris-sources.md §1.1 VistA code, §1.2 S37); concatenated $LISTBUILD
    # results form one list [doc RCOS_flistbuild].
    _t("task_setting", ["set idtSL=$GET(idtSL)_$LISTBUILD(<<name>>,<<value>>)"],
       "iris-sources.md §1.1/§1.2: Settings $LB(name,value,...) (VistA code, S37); $LISTBUILD [doc]",
       "Append one name/value pair to the settings list for task_settings_set."),
    _t("task_settings_set", ["set idtW=idtO(<<handle>>),idtW.Settings=$GET(idtSL) kill idtSL"],
       "iris-sources.md §1.2 Settings ($LB pairs)",
       "Set the Settings of the task under <<handle>> to the task_setting pairs."),
    # One setter per %SYS.Task property _task.py writes (names: iris-sources.md §1.2; a constant in the template text,
    # the value through the placeholder).  SET oref.Property on a local copy of the handle [doc GOBJ_propmethods].
    *[_t("task_set_" + _prop, ["set idtW=idtO(<<handle>>),idtW." + _prop + "=<<value>>"],
         "iris-sources.md §1.2 (%SYS.Task property " + _prop + ")", "Set " + _prop + " of the task under <<handle>>.")
      for _prop in ("Name", "Description", "TaskClass", "NameSpace", "RunAsUser", "Priority", "TimePeriod",
                    "TimePeriodEvery", "TimePeriodDay", "DailyFrequency", "DailyFrequencyTime", "DailyIncrement",
                    "DailyStartTime", "DailyEndTime", "StartDate", "EndDate")],
    _t("task_suspend_saved", [('set idtSC=##class(%SYS.Task).Suspend($METHOD(idtO(<<handle>>),"%Id"))', CHECK_STATUS)],
       "iris-sources.md §1.3 (code-live, public Rust test): Suspend(id) returns %Status; %Id() (S8)",
       "Suspend the task saved under <<handle>> in this program."),
    _t("task_resume_saved", [('set idtSC=##class(%SYS.Task).Resume($METHOD(idtO(<<handle>>),"%Id"))', CHECK_STATUS)],
       "iris-sources.md §1.3 (code-live; S2 lists Resume()): Resume(id) returns %Status; %Id() (S8)",
       "Resume the task saved under <<handle>> in this program."),
    _t("task_run_now_saved", [
        ('set idtSC=##class(%SYS.Task).RunNow($METHOD(idtO(<<handle>>),"%Id"))', CHECK_STATUS),
        'do idtR.%Set(<<key>>,$METHOD(idtO(<<handle>>),"%Id"))'],
       "iris-sources.md §1.3 S8 (code-live): RunNow(id) returns %Status, asynchronous (§0.3)",
       "Trigger a run of the task saved under <<handle>>; its ID goes to result key <<key>>."),
    # == ^SystemPerformance templates of _monitoring.py =============================================
    # ^SystemPerformance entry points return values, not %Status: 1 / "1^file" / a run id / "a:b:c:d_a:b:c:d" on
    # success and "0^reason" (or 0 for $$run) on failure (iris-sources.md §2.1, S13 doc).  sp_call turns a failure into an
    # error %Status (ERROR #5001 with the reason; %SYSTEM.Status.Error(code,text) [inf: %SYSTEM.Status class reference,
    # not in the sources]) so the program stops at that step and nothing after it runs.  Run in %SYS (S13, §0 item 2).
    # Audit C14 (MCP live report): $$run and $$waittime switch the current device, so a WRITE after them (our result
    # frame) would land on SystemPerformance's device.  Every call is therefore wrapped by _sp_guarded: $IO is saved
    # before it and USEd again after it, also when the call throws (then the error frame reaches the terminal).
    # The wrap is applied to every ^SystemPerformance call, not only the two reported ones [inf: cheap and safe].
    _t("sp_call", [(_sp_guarded('set idtV=$$<<label>>^SystemPerformance(idtArg...)') + ' kill idtArg set idtArg=0 '
                    'do idtR.%Set(<<key>>,idtV) '
                    'set idtSC=$SELECT($PIECE(idtV,"^")="0":$SYSTEM.Status.Error(5001,<<name>>_$SELECT($LENGTH(idtV,"^")>1:'
                    '": "_$PIECE(idtV,"^",2,$LENGTH(idtV,"^")),1:" failed")),1:1)', CHECK_STATUS)],
       "iris-sources.md §2.1 S13 (doc): addprofile/editprofile/delprofile -> 1 or 0^reason; run -> run id or 0; "
       "Collect -> 1 plus file or 0^reason; Stop -> a:b:c:d_a:b:c:d or 0^reason; $PIECE/$SELECT/$LENGTH [doc]; "
       "audit C14: $IO saved and USEd again",
       "Call $$<<label>>^SystemPerformance with the call_arg arguments; its value goes to result key <<key>>; "
       "a value whose first ^-piece is 0 fails the step with '<<name>>: reason' (<<name>> says what was called)."),
    _t("sp_value", [_sp_guarded("set idtV=$$<<label>>^SystemPerformance(idtArg...)") +
                    " kill idtArg set idtArg=0 do idtR.%Set(<<key>>,idtV)"],
       "extrinsic $$label^SystemPerformance(args) (iris-sources.md §2.1 S13: getlogdir, version, addprofile, delprofile); "
       "audit C14: $IO saved and USEd again",
       "Call $$<<label>>^SystemPerformance with the call_arg arguments; its value (unchecked) goes to result key <<key>>."),
    # Start a collection and record it in the collection's own bookkeeping ^IrisDevTools(<<area>>,runid) in the
    # same step, so a run the module started is always known to it (stop: latest).
    _t("sp_run", [(_sp_guarded("set idtV=$$run^SystemPerformance(<<name>>)") + " do idtR.%Set(<<key>>,idtV) "
                   'set idtSC=$SELECT(idtV=0:$SYSTEM.Status.Error(5001,"$$run^SystemPerformance("_<<name>>_") returned 0"),1:1)', CHECK_STATUS),
                  "set ^IrisDevTools(<<area>>,idtV)=<<value>>"],
       "iris-sources.md §2.1 S13 (doc): $$run^SystemPerformance(profile) returns the run id, or 0 on failure; "
       "global SET [doc RCOS_cset]; audit C14: $IO saved and USEd again",
       "Start profile <<name>>; the run id goes to result key <<key>> and its record <<area>>/<runid> is <<value>>."),
    # The state of runs (audit C8).  $$waittime^SystemPerformance(runid) is TEXT such as "7 minutes" (MCP live), kept
    # as IRIS gives it; an unknown id gives "-2^no such runid" (MCP live).  A run has ENDED when its report
    # <host>_<instance>_<runid>.html is in the log directory: it is written automatically when a run ends (audit C11;
    # MCP live: "a run still collecting has no report yet").  It is looked up with $ZSEARCH(dir*_<runid>.html)
    # [doc RCOS_fzsearch], so the host name need not be known.  $$waittime is asked only for runs without a report:
    # what it returns for an ended run is not sourced.  "report" = the report's full path or "".
    # The log directory is asked ONCE per program (sp_logdir, into idtLD); sp_run_waits and sp_run_state come after it.
    _t("sp_logdir", [_sp_guarded("set idtLD=$$getlogdir^SystemPerformance()") + " do idtR.%Set(<<key>>,idtLD)"],
       "iris-sources.md §2.1 S13 (doc): $$getlogdir^SystemPerformance() is the output directory; audit C14",
       "The log directory goes to result key <<key>> and to idtLD for sp_run_waits and sp_run_state after it."),
    _t("sp_run_waits", [
        'set idtD=' + _NEW_OBJ + ',idtK="" '
        'for { set idtK=$ORDER(^IrisDevTools(<<area>>,idtK)) quit:idtK=""  set idtJ=$GET(^IrisDevTools(<<area>>,idtK)),idtL="" '
        'if idtJ\'="" { set idtL=##class(%DynamicObject).%FromJSON(idtJ).%Get("log_dir") } '
        'set:idtL="" idtL=idtLD ' + _SP_RUN_STATE + ' do idtC.%Set("record",idtJ),idtD.%Set(idtK,idtC) } '
        'do idtR.%Set(<<key>>,idtD)'],
       "audit C8/C11 (MCP live: waittime text, -2^no such runid, report written when a run ends); $ZSEARCH "
       "[doc RCOS_fzsearch]; %FromJSON [doc GJSON]; $ORDER over global subscripts [doc RCOS_forder]; audit C14",
       "Result object <<key>>: for every run recorded under <<area>>, its record, its report path and (no report) "
       "$$waittime; needs sp_logdir earlier in the program."),
    _t("sp_run_state", [
        'set idtK=<<name>>,idtL=idtLD ' + _SP_RUN_STATE + ' '
        'do idtR.%Set(<<key>>,idtC)'],
       "as sp_run_waits (audit C8/C11/C14), for one run id in the current log directory",
       "Result object <<key>>: the report path and (no report) $$waittime of run <<name>>; needs sp_logdir earlier."),
    # == %UnitTest templates of _unittest.py (iris_unittest; run in the namespace under test) ==========
    # Module runs in one namespace take the lock ^IrisDevTools("lock","unittest",namespace) in %SYS, where the
    # collection keeps its records and locks (as iris_task's lock), then switch back (LOCK +ref:timeout sets $TEST:
    # iris-sources.md LOCK; released when the process ends: ALOCK), so ^UnitTestRoot, which is one global per namespace
    # (iris-sources.md T2), and the new ^UnitTest.Result indexes (T4: idx = the last index + 1) belong to one run
    # at a time.  A ^UnitTestRoot with subscripts is refused before anything changes: it could not be restored
    # (no MERGE/ZKILL in the programs: the node alone is saved and put back).
    _t("unittest_lock", [
        ('set idtNS=$NAMESPACE,$NAMESPACE="%SYS" lock +^IrisDevTools("lock","unittest",idtNS):<<seconds>> '
         'set idtLT=$TEST,$NAMESPACE=idtNS,idtSC=$SELECT(idtLT:1,1:$SYSTEM.Status.Error(5001,'
         '"another iris_unittest run in namespace "_idtNS_" holds the lock (waited "_<<seconds>>_" s)"))', CHECK_STATUS),
        ('set idtSC=$SELECT($DATA(^UnitTestRoot)\\10:$SYSTEM.Status.Error(5001,"^UnitTestRoot in namespace "_$NAMESPACE_'
         '" has subscripts, which iris_unittest cannot restore"),1:1)', CHECK_STATUS)],
       "iris-sources.md LOCK (RCOS_clock_timeout), ALOCK; T2 (^UnitTestRoot per namespace); $DATA [doc RCOS_fdata]",
       "Lock the namespace's unit-test runs for this session, waiting at most <<seconds>> s; fail on timeout or when "
       "^UnitTestRoot has subscripts."),
    _t("unittest_spec", ["set idtU($INCREMENT(idtU))=<<testspec>>"],
       "iris-sources.md T1 (testspec suite[:Pkg.Class[:Method]]); $INCREMENT [doc]",
       "Append one testspec for unittest_run."),
    # RunTest(testspec, qspec) returns a %Status (T1, T2), OK also when assertions fail (iris-sources.md IPMCI, UT3), so
    # it is only reported, and the outcome is read from ^UnitTest.Result (T4).  ^UnitTestRoot is set to
    # <<root>> (an existing directory also for classes already compiled, run with /noload: iris-sources.md UT2,
    # IRISREF24 "must specify a valid directory whose existence is checked") and put back in the same step, also when
    # RunTest throws (the error text goes to the result, the step does not fail).  The indexes after the newest one
    # before the run ($ORDER(...,-1): T4) are this run's: every RunTest writes one (T4: IPM collects them all).
    _t("unittest_run", [
        'set idtRD=$DATA(^UnitTestRoot),idtRV=$GET(^UnitTestRoot),idtB=$ORDER(^UnitTest.Result(""),-1),'
        'idtA=##class(%DynamicArray).%New(),idtXT="" set ^UnitTestRoot=<<root>> '
        'try { for idtI=1:1:$GET(idtU) { set idtSC=##class(%UnitTest.Manager).RunTest(idtU(idtI),<<qspec>>) '
        'do idtA.%Push($SELECT($SYSTEM.Status.IsError(idtSC):$SYSTEM.Status.GetErrorText(idtSC),1:"")) } } '
        'catch idtX { set idtXT=idtX.DisplayString() } '
        'if idtRD#10 { set ^UnitTestRoot=idtRV } else { kill ^UnitTestRoot } '
        'set idtN=##class(%DynamicArray).%New(),idtK=idtB for { set idtK=$ORDER(^UnitTest.Result(idtK)) quit:idtK=""  '
        'do idtN.%Push(idtK) } kill idtU set idtD=' + _NEW_OBJ + ' '
        'do idtD.%Set("statuses",idtA),idtD.%Set("error",idtXT),idtD.%Set("indexes",idtN),idtR.%Set(<<key>>,idtD)'],
       "iris-sources.md T1, T2 (RunTest(testspec,qspec) -> %Status; ^UnitTestRoot), T4 (result indexes, newest by "
       "$ORDER(,-1)), T10, UT2, IRISREF24 (an existing root, also with /noload); iris-sources.md §1.4 (%Status checks)",
       "Run RunTest for every unittest_spec with <<qspec>> under ^UnitTestRoot=<<root>> (restored); result object "
       "<<key>>: statuses (error text or \"\" per spec), error (a thrown error's text), indexes (the new result indexes)."),
    # IPM's test phase of an installed module (iris-sources.md IPMTEST, rows IPMT2-IPMT6): `test <module> -only` runs the
    # Test phase alone through %IPM.Main.Shell (the entry point of iris_ipm, IPMSRC); the resource processor stashes and
    # restores ^UnitTestRoot itself (IPMT2) and RunTest writes ^UnitTest.Result as usual (IPMT5), so the new indexes are
    # collected exactly as unittest_run does.  The command carries -DUnitTest.FailuresAreFatal=0 (IPMT4), so an error
    # status is a load, compile or command error, not failed assertions (read from the results instead).
    _t("unittest_ipm_run", [
        'set idtB=$ORDER(^UnitTest.Result(""),-1),idtA=##class(%DynamicArray).%New(),idtXT="" '
        'try { set idtSC=##class(%IPM.Main).Shell(<<command>>) '
        'do idtA.%Push($SELECT($SYSTEM.Status.IsError(idtSC):$SYSTEM.Status.GetErrorText(idtSC),1:"")) } '
        'catch idtX { set idtXT=idtX.DisplayString() } '
        'set idtN=##class(%DynamicArray).%New(),idtK=idtB for { set idtK=$ORDER(^UnitTest.Result(idtK)) quit:idtK=""  '
        'do idtN.%Push(idtK) } set idtD=' + _NEW_OBJ + ' '
        'do idtD.%Set("statuses",idtA),idtD.%Set("error",idtXT),idtD.%Set("indexes",idtN),idtR.%Set(<<key>>,idtD)'],
       "iris-sources.md IPMTEST (IPMT2, IPMT4, IPMT5, IPMT6), IPMSRC (Main.cls Shell returns %Status), T4 (result "
       "indexes, newest by $ORDER(,-1))",
       "Run IPM shell <<command>> (a module's test phase); result object <<key>>: statuses (the Shell status text or "
       "\"\"), error (a thrown error's text), indexes (the new ^UnitTest.Result indexes)."),
    # ^UnitTest.Result layout (T4, IPM's reader): (idx,suite)=$lb(status,time); (idx,suite,case) and
    # (idx,suite,case,method)=$lb(status,time,errCategory,errMsg); (idx,suite,case,method,n)=$lb(status,action,
    # description,location); status 1 passed, 0 failed, 2 skipped (T3, IRISREF24).  The suite node's pieces 3 and 4
    # are read too: %UnitTest.Result.TestSuite has ErrorAction/ErrorDescription (IRISREF24) [inf: their pieces].  Only the assertions that did not pass are
    # returned (the others are counted), so the result stays small.
    _t("unittest_results", [
        'set idtT=##class(%DynamicArray).%New() for idtI=0:1:idtN.%Size()-1 { set idtX=idtN.%Get(idtI),idtS="" '
        'for { set idtS=$ORDER(^UnitTest.Result(idtX,idtS)) quit:idtS=""  set idtV=$GET(^UnitTest.Result(idtX,idtS)),'
        'idtD=' + _NEW_OBJ + ',idtCA=##class(%DynamicArray).%New() do idtD.%Set("index",idtX),idtD.%Set("suite",idtS),'
        'idtD.%Set("status",$LISTGET(idtV,1)),idtD.%Set("time",$LISTGET(idtV,2)),idtD.%Set("category",$LISTGET(idtV,3)),'
        'idtD.%Set("message",$LISTGET(idtV,4)),idtD.%Set("cases",idtCA),idtT.%Push(idtD) '
        'set idtC="" for { set idtC=$ORDER(^UnitTest.Result(idtX,idtS,idtC)) quit:idtC=""  '
        'set idtV=$GET(^UnitTest.Result(idtX,idtS,idtC)),idtE2=' + _NEW_OBJ + ',idtMA=##class(%DynamicArray).%New() '
        'do idtE2.%Set("name",idtC),idtE2.%Set("status",$LISTGET(idtV,1)),idtE2.%Set("time",$LISTGET(idtV,2)),'
        'idtE2.%Set("category",$LISTGET(idtV,3)),idtE2.%Set("message",$LISTGET(idtV,4)),idtE2.%Set("methods",idtMA),'
        'idtCA.%Push(idtE2) set idtM="" for { set idtM=$ORDER(^UnitTest.Result(idtX,idtS,idtC,idtM)) quit:idtM=""  '
        'set idtV=$GET(^UnitTest.Result(idtX,idtS,idtC,idtM)),idtF=' + _NEW_OBJ + ',idtFA=##class(%DynamicArray).%New() '
        'do idtF.%Set("name",idtM),idtF.%Set("status",$LISTGET(idtV,1)),idtF.%Set("time",$LISTGET(idtV,2)),'
        'idtF.%Set("category",$LISTGET(idtV,3)),idtF.%Set("message",$LISTGET(idtV,4)),idtF.%Set("asserts",idtFA),'
        'idtMA.%Push(idtF) set idtJ="",idtAP=0,idtQ2=0,idtS2=0 '
        'for { set idtJ=$ORDER(^UnitTest.Result(idtX,idtS,idtC,idtM,idtJ)) quit:idtJ=""  '
        'set idtV=$GET(^UnitTest.Result(idtX,idtS,idtC,idtM,idtJ)),idtG=$LISTGET(idtV,1) '
        'if idtG=1 { set idtAP=idtAP+1 } elseif idtG=2 { set idtS2=idtS2+1 } else { set idtQ2=idtQ2+1 } '
        'if idtG\'=1 { set idtH=##class(%DynamicArray).%New() do idtH.%Push(idtG),idtH.%Push($LISTGET(idtV,2)),'
        'idtH.%Push($LISTGET(idtV,3)),idtH.%Push($LISTGET(idtV,4)),idtFA.%Push(idtH) } } '
        'do idtF.%Set("asserts_passed",idtAP),idtF.%Set("asserts_failed",idtQ2),idtF.%Set("asserts_skipped",idtS2) } } } } '
        'do idtR.%Set(<<key>>,idtT)'],
       "iris-sources.md T4 (the ^UnitTest.Result layout IPM reads), T3 (Status 0 failed, 1 passed, 2 skipped; Action, "
       "Description, Location); $ORDER/$LISTGET [doc]",
       "Result array <<key>>: the suites, cases, methods and the assertions that did not pass of the result indexes "
       "unittest_run found (needs unittest_run earlier in the program)."),
    # == Read-only templates of _info.py ============================================================
    # Config.Namespaces:List / Config.Databases:List through %ResultSet with Execute("*") (iris-sources.md §3.3, §3.1:
    # S9 code-live; columns Namespace / Name), then Get(Name,.Props) per row (S9 code-live, S20 doc).  A failed Get is
    # recorded in that row ("error") instead of failing the whole read.  Run in %SYS (iris-sources.md §0.2).
    _t("info_namespaces", [
        ('set idtRS=##class(%ResultSet).%New("Config.Namespaces:List"),idtSC=idtRS.Execute("*")', CHECK_STATUS),
        'set idtA=##class(%DynamicArray).%New() while idtRS.Next() { set idtN=idtRS.Get("Namespace"),idtD=' + _NEW_OBJ + ' '
        'kill idtP set idtS=##class(Config.Namespaces).Get(idtN,.idtP) do idtD.%Set("name",idtN) '
        'if $SYSTEM.Status.IsError(idtS) { do idtD.%Set("error",$SYSTEM.Status.GetErrorText(idtS)) } '
        'else { set idtC=' + _NEW_OBJ + ',idtK="" for { set idtK=$ORDER(idtP(idtK)) quit:idtK=""  '
        'do idtC.%Set(idtK,$GET(idtP(idtK))) } do idtD.%Set("props",idtC) } do idtA.%Push(idtD) } '
        'kill idtP do idtR.%Set(<<key>>,idtA)'],
       "iris-sources.md §3.3 S9 (code-live): query Config.Namespaces:List(\"*\") via %ResultSet, column Namespace; "
       "Config.Namespaces.Get(Name,.Props) -> Globals, Routines, Library, TempGlobals; §1.3 S8 (%ResultSet Execute/Next/Get); "
       "§1.4 (%Status checks); $ORDER [doc]",
       "Result array <<key>>: one object per namespace with 'name' and 'props' (the Get array) or 'error'."),
    # Physical facts: SYS.Database %OpenId(Directory) and its properties Mounted, ReadOnly, ReadOnlyMounted, Size,
    # MaxSize, ExpansionSize (MB), BlockSize, ResourceName (iris-sources.md §3.2 S19 doc; MB: S9).  Remote databases (a
    # Server in the Config entry, §3.1 S20/S9) have no local file and are skipped [inf].  An error while opening one
    # database's file is recorded in that row ("physical_error") [inf: %OpenId of an unusual database may throw].
    _t("info_databases", [
        ('set idtRS=##class(%ResultSet).%New("Config.Databases:List"),idtSC=idtRS.Execute("*")', CHECK_STATUS),
        'set idtA=##class(%DynamicArray).%New() while idtRS.Next() { set idtN=idtRS.Get("Name"),idtD=' + _NEW_OBJ + ' '
        'kill idtP set idtS=##class(Config.Databases).Get(idtN,.idtP) do idtD.%Set("name",idtN) '
        'if $SYSTEM.Status.IsError(idtS) { do idtD.%Set("error",$SYSTEM.Status.GetErrorText(idtS)) } '
        'else { set idtC=' + _NEW_OBJ + ',idtK="" for { set idtK=$ORDER(idtP(idtK)) quit:idtK=""  '
        'do idtC.%Set(idtK,$GET(idtP(idtK))) } do idtD.%Set("props",idtC) '
        'if $GET(idtP("Server"))="" { try { set idtB=##class(SYS.Database).%OpenId($GET(idtP("Directory"))) '
        'if $ISOBJECT(idtB) { set idtC=' + _NEW_OBJ + ',idtF="Mounted,ReadOnly,ReadOnlyMounted,Size,MaxSize,ExpansionSize,BlockSize,ResourceName" '
        'for idtI=1:1:$LENGTH(idtF,",") { do idtC.%Set($PIECE(idtF,",",idtI),$PROPERTY(idtB,$PIECE(idtF,",",idtI))) } '
        'do idtD.%Set("physical",idtC) } } catch idtX { do idtD.%Set("physical_error",idtX.DisplayString()) } } } '
        'do idtA.%Push(idtD) } kill idtP,idtB do idtR.%Set(<<key>>,idtA)'],
       "iris-sources.md §3.1 S9 (code-live): query Config.Databases:List(\"*\") via %ResultSet, column Name; S20 (doc): "
       "Config.Databases.Get(Name,.Props) -> Directory, Server, MountRequired, MountAtStartup ... (IRISREF24: no Resource); "
       "§3.2 S19 (doc): SYS.Database keyed by directory, %OpenId(dir), read-only Mounted/ReadOnlyMounted, "
       "Size/MaxSize/ExpansionSize/BlockSize/ReadOnly/ResourceName; $PROPERTY [doc]",
       "Result array <<key>>: one object per configured database with 'name', 'props' (the Get array), "
       "'physical' (SYS.Database properties, absent without a local file) or 'error'/'physical_error'."),
    # The guard of iris_info's tables section, in the CURRENT namespace (switch first), before fixture_tables lists and
    # counts them: the number of user tables (INFORMATION_SCHEMA.TABLES, TABLE_TYPE='BASE TABLE' lists user tables only:
    # audit A21) goes to result key <<key>>; more than <<limit>> throws, so no table is counted.
    _t("info_tables_limit", [
        ('set idtRS=##class(%SQL.Statement).%ExecDirect(,"SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES '
         'WHERE TABLE_TYPE = \'BASE TABLE\'")', CHECK_SQL),
        'do idtRS.%Next() set idtV=+idtRS.%GetData(1) do idtR.%Set(<<key>>,idtV) '
        'if idtV><<limit>> { throw ##class(%Exception.General).%New("IrisDevToolsInfo",5001,"",'
        '"namespace "_$NAMESPACE_" has "_idtV_" tables, more than "_<<limit>>) }'],
       "audit A21 (INFORMATION_SCHEMA.TABLES, TABLE_TYPE='BASE TABLE'); iris-sources.md §4.3 (%SQL.Statement; %GetData [inf]); "
       "THROW + %Exception.General [doc RCOS_cthrow]; $NAMESPACE [doc RCOS_vnamespace]",
       "Result key <<key>>: the number of user tables of the current namespace; fail if it is more than <<limit>>."),
    # == Database/namespace/file templates of _fixture.py ===========================================
    # A FRESH restore's prepare step at the end of its read session (issue #5 item 9: no session of its own).  It
    # exposes no data: the copy that follows hashes the bytes it sends and renames them onto IRIS.DAT only when the
    # checksum matches - a mismatch removes the temp file before anything is installed - and any failure rolls this
    # back with fixture_drop.  Only when the target is entirely free - no record
    # ^IrisDevTools(<<area>>,<<namespace>>), no namespace, no database definition <<database>>, no IRIS.DAT in the
    # directory (the checks of fixture_target_read / fixture_assert_free / fixture_assert_no_dat, same sources) - it
    # writes the 'restoring' record (<<value>>, JSON text, completed with the normalized directory and created_dir)
    # FIRST, then creates the directory, and sets result key <<key>> to that record; otherwise it changes nothing and
    # leaves <<key>> unset.  A failure after the record was written (the directory cannot be created) removes the record
    # and a directory it created before rethrowing, so the step is all or nothing.
    # %FromJSON(string) [doc GJSON_refapi_from-json; inf: the simulator models it from the same page]; %ToJSON() as an
    # expression returns the text [doc GJSON_refapi_to-json]; %File.CreateDirectoryChain returns a boolean and
    # RemoveDirectoryTree removes a tree (iris-sources.md §3.4 S9); THROW of a caught exception object [doc RCOS_cthrow].
    _t("fixture_prepare_fresh", [
        'set idtN=<<namespace>>,idtF=##class(%File).NormalizeDirectory(<<directory>>) '
        'if \'$DATA(^IrisDevTools(<<area>>,idtN)),\'##class(Config.Namespaces).Exists(idtN),'
        '\'##class(Config.Databases).Exists(<<database>>),\'##class(SYS.Database).%ExistsId(idtF) { '
        'set idtD=##class(%DynamicObject).%FromJSON(<<value>>),idtC=\'##class(%File).DirectoryExists(idtF) '
        'do idtD.%Set("directory",idtF),idtD.%Set("created_dir",idtC,"boolean") '
        'try { set ^IrisDevTools(<<area>>,idtN)=idtD.%ToJSON() '
        'if \'##class(%File).CreateDirectoryChain(idtF) { throw ##class(%Exception.General).%New("IrisDevToolsFixture",5001,"",'
        '"cannot create directory "_idtF) } } '
        'catch idtX { kill ^IrisDevTools(<<area>>,idtN) do:idtC ##class(%File).RemoveDirectoryTree(idtF) throw idtX } '
        'do idtR.%Set(<<key>>,idtD) }'],
       "iris-sources.md §3.3 S9 (Config.Namespaces.Exists), §3.1 S20 (Config.Databases.Exists), §3.2 S23 (SYS.Database.%ExistsId), "
       "§3.4 S9 (%File.NormalizeDirectory, DirectoryExists, CreateDirectoryChain, RemoveDirectoryTree); %FromJSON "
       "[doc GJSON_refapi_from-json, inf], %ToJSON [doc GJSON_refapi_to-json]; $DATA/SET/KILL of a global node "
       "[doc RCOS_fdata, RCOS_cset, RCOS_ckill]; THROW [doc RCOS_cthrow]",
       "If namespace <<namespace>> is entirely free: write the restoring record and create <<directory>>; result <<key>>."),
    # Every template here runs in %SYS (iris-sources.md §0.2) unless it says otherwise.  Failures that the
    # collection detects inside IRIS are thrown as %Exception.General("IrisDevToolsFixture",5001,"",text)
    # [doc RCOS_cthrow: THROW oref; %Exception.General %New(Name,Code,Location,Data)], caught by the program's
    # guard (Program docstring) and reported as an error frame; _fixture.py reads the text from 'data'.
    # What a restore target looks like now: namespace (Config.Namespaces.Exists/Get: Globals, Routines; iris-sources.md
    # §3.3 S9 code-live), database definition (Config.Databases.Exists/Get: Directory; §3.1 S20 doc, S9), the
    # directory (%File.NormalizeDirectory / DirectoryExists, §3.4 S9 code-live; a relative name is resolved under
    # the session's current directory: iris-sources.md IRISREF24; that this is mgr/ in %SYS [inf], audit D11),
    # whether it holds a database file (SYS.Database.%ExistsId(dir),
    # §3.2 S23) and whether that is mounted (SYS.Database.%OpenId(dir).Mounted, §3.2 S19 doc).
    _t("fixture_target_read", [
        'set idtN=<<namespace>>,idtB=<<database>>,idtF=##class(%File).NormalizeDirectory(<<directory>>),idtD=' + _NEW_OBJ + ' '
        'do idtD.%Set("directory",idtF),idtD.%Set("namespace_exists",##class(Config.Namespaces).Exists(idtN),"boolean"),'
        'idtD.%Set("database_exists",##class(Config.Databases).Exists(idtB),"boolean"),'
        'idtD.%Set("dir_exists",##class(%File).DirectoryExists(idtF),"boolean"),'
        'idtD.%Set("dat_exists",##class(SYS.Database).%ExistsId(idtF),"boolean")',
        'if ##class(Config.Namespaces).Exists(idtN) { kill idtP set idtS=##class(Config.Namespaces).Get(idtN,.idtP) '
        'do idtD.%Set("globals",$GET(idtP("Globals"))),idtD.%Set("routines",$GET(idtP("Routines"))) } '
        'if ##class(Config.Databases).Exists(idtB) { kill idtP set idtS=##class(Config.Databases).Get(idtB,.idtP) '
        'do idtD.%Set("database_directory",$GET(idtP("Directory"))) } kill idtP '
        'set idtO="" set:##class(SYS.Database).%ExistsId(idtF) idtO=##class(SYS.Database).%OpenId(idtF) '
        'do idtD.%Set("mounted",$SELECT($ISOBJECT(idtO):idtO.Mounted,1:0),"boolean") do idtR.%Set(<<key>>,idtD)'],
       "iris-sources.md §3.3 S9 (Config.Namespaces.Exists/Get), §3.1 S20/S9 (Config.Databases.Exists/Get -> Directory), "
       "§3.4 S9 (%File.NormalizeDirectory, DirectoryExists), §3.2 S23 (SYS.Database.%ExistsId), S19 (%OpenId, Mounted)",
       "Result object <<key>>: directory, namespace_exists, globals, routines, database_exists, database_directory, "
       "dir_exists, dat_exists, mounted."),
    # The source of an export: the namespace's Globals and Routines databases (iris-sources.md §3.3 S9), the globals
    # database's Directory (§3.1 S20/S9; iris-sources.md LESSONS §4.3 step 3 reads it the same way), its mount state
    # (§3.2 S19) and the IRIS version ($ZVERSION [doc RCOS_vzversion]; the manifest's iris_version, lessons §4.2).
    _t("fixture_source_read", [
        'set idtN=<<namespace>>,idtD=' + _NEW_OBJ + ' do idtD.%Set("iris_version",$ZVERSION),'
        'idtD.%Set("namespace_exists",##class(Config.Namespaces).Exists(idtN),"boolean")',
        'if ##class(Config.Namespaces).Exists(idtN) { kill idtP set idtS=##class(Config.Namespaces).Get(idtN,.idtP) '
        'set idtB=$GET(idtP("Globals")) do idtD.%Set("globals",idtB),idtD.%Set("routines",$GET(idtP("Routines"))) kill idtP '
        'if idtB\'="",##class(Config.Databases).Exists(idtB) { set idtS=##class(Config.Databases).Get(idtB,.idtP) '
        'set idtF=$GET(idtP("Directory")) do idtD.%Set("directory",idtF) set idtO="" '
        'set:##class(SYS.Database).%ExistsId(idtF) idtO=##class(SYS.Database).%OpenId(idtF) '
        'do idtD.%Set("mounted",$SELECT($ISOBJECT(idtO):idtO.Mounted,1:0),"boolean") } } kill idtP do idtR.%Set(<<key>>,idtD)'],
       "iris-sources.md §3.3 S9 (Config.Namespaces.Get -> Globals/Routines), §3.1 S20/S9 (Config.Databases.Get -> Directory), "
       "§3.2 S23/S19 (%ExistsId, %OpenId, Mounted); $ZVERSION [doc RCOS_vzversion]; iris-sources.md LESSONS §4.3",
       "Result object <<key>>: namespace_exists, globals, routines, directory, mounted, iris_version."),
    # Tables of the CURRENT namespace with their row counts (switch with the namespace template first):
    # INFORMATION_SCHEMA.TABLES (TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE='BASE TABLE': iris-sources.md LESSONS §4.6, §2.4),
    # then SELECT COUNT(*) per table through %SQL.Statement (iris-sources.md §4.3; %GetData [inf]).  Schemas starting with
    # "%" and INFORMATION_SCHEMA itself are system tables, not fixture data [inf].  A table whose count fails gets
    # 'error' (the SQL message) instead of 'row_count'.
    _t("fixture_tables", [
        ('set idtRS=##class(%SQL.Statement).%ExecDirect(,"SELECT TABLE_SCHEMA,TABLE_NAME FROM INFORMATION_SCHEMA.TABLES '
         'WHERE TABLE_TYPE = \'BASE TABLE\'")', CHECK_SQL),
        'set idtA=##class(%DynamicArray).%New() while idtRS.%Next() { set idtT=idtRS.%Get("TABLE_SCHEMA")_"."_idtRS.%Get("TABLE_NAME") '
        'if $EXTRACT(idtT)\'="%",$ZCONVERT($PIECE(idtT,"."),"U")\'="INFORMATION_SCHEMA" { set idtD=' + _NEW_OBJ + ' '
        'do idtD.%Set("name",idtT) set idtQS=##class(%SQL.Statement).%ExecDirect(,"SELECT COUNT(*) FROM "_idtT) '
        'if idtQS.%SQLCODE<0 { do idtD.%Set("error",idtQS.%Message) } else { do idtQS.%Next() do idtD.%Set("row_count",+idtQS.%GetData(1)) } '
        'do idtA.%Push(idtD) } } do idtR.%Set(<<key>>,idtA)'],
       "iris-sources.md LESSONS §4.6/§2.4 (INFORMATION_SCHEMA.TABLES, TABLE_TYPE='BASE TABLE'); iris-sources.md §4.3 "
       "(%SQL.Statement); %ExecDirect/%SQLCODE/%Message/%Next/%Get/%GetData [inf]",
       "Result array <<key>>: {name, row_count} (or {name, error}) per user table of the current namespace."),
    # Row count check of one manifest table in the CURRENT namespace (the restore's verification): the count goes to
    # result key <<key>>; a different count throws, so nothing after it (the record) runs.  <<table>> is a manifest
    # name validated by _manifest (letters, digits, _ and % only), so it cannot change the statement's shape.
    _t("fixture_expect_rows", [
        ('set idtRS=##class(%SQL.Statement).%ExecDirect(,"SELECT COUNT(*) FROM "_<<table>>)', CHECK_SQL),
        'do idtRS.%Next() set idtV=+idtRS.%GetData(1) do idtR.%Set(<<key>>,idtV) '
        'if idtV\'=<<expected>> { throw ##class(%Exception.General).%New("IrisDevToolsFixture",5001,"",'
        '"table "_<<table>>_" has "_idtV_" rows, the manifest says "_<<expected>>) }'],
       "iris-sources.md §4.3 (%SQL.Statement; %GetData [inf]); THROW + %Exception.General [doc RCOS_cthrow]",
       "Count the rows of <<table>>; result key <<key>>; fail unless it equals <<expected>>."),
    # Guards of the apply programs (they fail the program BEFORE it changes anything when the target is taken).
    _t("fixture_assert_free", [
        'if ##class(Config.Namespaces).Exists(<<namespace>>) { throw ##class(%Exception.General).%New("IrisDevToolsFixture",5001,"",'
        '"namespace "_<<namespace>>_" exists already") } '
        'if ##class(Config.Databases).Exists(<<database>>) { throw ##class(%Exception.General).%New("IrisDevToolsFixture",5001,"",'
        '"database "_<<database>>_" is defined already") }'],
       "iris-sources.md §3.3 S9 (Config.Namespaces.Exists), §3.1 S20 (Config.Databases.Exists); THROW [doc RCOS_cthrow]",
       "Fail unless neither namespace <<namespace>> nor database <<database>> exists."),
    _t("fixture_assert_no_dat", [
        'if ##class(SYS.Database).%ExistsId(<<directory>>) { throw ##class(%Exception.General).%New("IrisDevToolsFixture",5001,"",'
        '"a database file exists already in "_<<directory>>) }'],
       "iris-sources.md §3.2 S23 (SYS.Database.%ExistsId(dir)); THROW [doc RCOS_cthrow]",
       "Fail if <<directory>> holds an IRIS.DAT."),
    # The directory for the restored database (before the file is copied in; created by the instance, so it is owned
    # by the instance user, irisowner in containers: iris-sources.md §5.1 S25).
    _t("fixture_mkdir", [
        'if \'##class(%File).CreateDirectoryChain(<<directory>>) { throw ##class(%Exception.General).%New("IrisDevToolsFixture",5001,"",'
        '"cannot create directory "_<<directory>>) }'],
       "iris-sources.md §3.4 S9 (%File.CreateDirectoryChain returns a boolean); THROW [doc RCOS_cthrow]",
       "Create <<directory>> (and its parents); fail if that is not possible."),
    # Put a dismounted source database back (the export's finally step): mount only if it is not mounted now, so the
    # step is safe whatever state a failed dismount or copy left (SYS.Database %OpenId(dir).Mounted §3.2 S19;
    # MountDatabase(dir) returns %Status §3.2 S23).
    _t("fixture_ensure_mounted", [
        ('set idtO=##class(SYS.Database).%OpenId(<<directory>>),idtSC=1 '
         'if $ISOBJECT(idtO),\'idtO.Mounted { set idtSC=##class(SYS.Database).MountDatabase(<<directory>>) } set idtO=""', CHECK_STATUS)],
       "iris-sources.md §3.2 S19 (%OpenId, Mounted), S23 (MountDatabase returns %Status), §0 item 6 (dismount -> copy -> mount)",
       "Mount <<directory>> unless it is mounted; fail on an error status."),
    # Best-effort removal of what a restore created, in reverse order (namespace, database definition, mount, file or
    # directory), then a listing of what is left; the record ^IrisDevTools("fixture",<<namespace>>) is killed only when
    # nothing is left.  Never fails half-way: each removal's error text goes to the result.
    # Config.Namespaces.Delete (§3.3 S9), Config.Databases.Delete (§3.1 S20: config only), SYS.Database
    # DismountDatabase (§3.2 S23) / DeleteDatabase(dir) (§3.2 S19: removes IRIS.DAT), %File.RemoveDirectoryTree (§3.4 S9).
    _t("fixture_drop", [
        'set idtN=<<namespace>>,idtB=<<database>>,idtF=<<directory>>,idtD=' + _NEW_OBJ + ' '
        'if ##class(Config.Namespaces).Exists(idtN) { set idtS=##class(Config.Namespaces).Delete(idtN) '
        'do:$SYSTEM.Status.IsError(idtS) idtD.%Set("namespace_error",$SYSTEM.Status.GetErrorText(idtS)) } '
        'if ##class(Config.Databases).Exists(idtB) { set idtS=##class(Config.Databases).Delete(idtB) '
        'do:$SYSTEM.Status.IsError(idtS) idtD.%Set("database_error",$SYSTEM.Status.GetErrorText(idtS)) }',
        'if ##class(SYS.Database).%ExistsId(idtF) { set idtO=##class(SYS.Database).%OpenId(idtF) '
        'if $ISOBJECT(idtO),idtO.Mounted { set idtS=##class(SYS.Database).DismountDatabase(idtF) '
        'do:$SYSTEM.Status.IsError(idtS) idtD.%Set("dismount_error",$SYSTEM.Status.GetErrorText(idtS)) } '
        'set idtO="" set idtS=##class(SYS.Database).DeleteDatabase(idtF) '
        'do:$SYSTEM.Status.IsError(idtS) idtD.%Set("file_error",$SYSTEM.Status.GetErrorText(idtS)) } '
        'if <<remove_dir>>,##class(%File).DirectoryExists(idtF) { do:\'##class(%File).RemoveDirectoryTree(idtF) '
        'idtD.%Set("directory_error","cannot remove "_idtF) }',
        'do idtD.%Set("namespace_exists",##class(Config.Namespaces).Exists(idtN),"boolean"),'
        'idtD.%Set("database_exists",##class(Config.Databases).Exists(idtB),"boolean"),'
        'idtD.%Set("dat_exists",##class(SYS.Database).%ExistsId(idtF),"boolean"),'
        'idtD.%Set("dir_exists",##class(%File).DirectoryExists(idtF),"boolean") '
        'if \'##class(Config.Namespaces).Exists(idtN),\'##class(Config.Databases).Exists(idtB),\'##class(SYS.Database).%ExistsId(idtF),'
        '(\'<<remove_dir>>)||(\'##class(%File).DirectoryExists(idtF)) { kill ^IrisDevTools(<<area>>,idtN) } '
        'do idtD.%Set("record_exists",$DATA(^IrisDevTools(<<area>>,idtN))>0,"boolean") do idtR.%Set(<<key>>,idtD)'],
       "iris-sources.md §3.3 S9 (Config.Namespaces.Exists/Delete), §3.1 S20 (Config.Databases.Exists/Delete: config only), "
       "§3.2 S23 (%ExistsId, DismountDatabase), S19 (%OpenId, Mounted, DeleteDatabase removes IRIS.DAT), §3.4 S9 "
       "(%File.DirectoryExists, RemoveDirectoryTree); KILL/$DATA of a global node [doc RCOS_ckill, RCOS_fdata]",
       "Remove namespace, database definition, mount, file (and directory if <<remove_dir>>); result <<key>> says what is left."),
])

# == Templates of _code.py (iris_code: load and compile a source tree) ==========================================
# $SYSTEM.OBJ.Load(file, qspec, .errorlog, .loadedlist) and CompileList(items, qspec, .errorlog) (iris-sources.md T12
# class reference / community quote of CompileList with "A.cls,R.mac" items, T13 IPM usage); each returns a %Status AND
# fills errorlog, so both are read (T12, T14).  The errorlog layout is not in the sources [inf]: its first-level nodes
# are read generically as message texts.  A failed load or compile sets idtBad; the record steps after it then write
# nothing, so a failed run never records a hash (the next run loads again).  The record is ours:
# ^IrisDevTools(<<area>>,<<name>>,<file>) = JSON {"sha256","item"} in the namespace being loaded.
_CODE_LOG = ('set idtA=##class(%DynamicArray).%New(),idtI="" for { set idtI=$ORDER(idtLg(idtI)) quit:idtI=""  '
             'do idtA.%Push($GET(idtLg(idtI))) } '
             'set idtC=' + _NEW_OBJ + ' do idtC.%Set("what",<<what>>),idtC.%Set("errors",idtA) '
             'if $SYSTEM.Status.IsError(idtS) { do idtC.%Set("status",$SYSTEM.Status.GetErrorText(idtS)) } '
             'if $SYSTEM.Status.IsError(idtS)||idtA.%Size() { set idtBad=1 do idtCE.%Push(idtC) }')
CODE_TEMPLATES = dict([
    _t("code_read", [
        'set idtD=' + _NEW_OBJ + ',idtK="" for { set idtK=$ORDER(^IrisDevTools(<<area>>,<<name>>,idtK)) quit:idtK=""  '
        'do idtD.%Set(idtK,$GET(^IrisDevTools(<<area>>,<<name>>,idtK))) } '
        'set idtBad=0,idtCE=##class(%DynamicArray).%New(),idtCD=##class(%DynamicArray).%New() '
        'do idtR.%Set(<<key>>,idtD),idtR.%Set("namespace",$NAMESPACE),idtR.%Set("errors",idtCE),idtR.%Set("delete_errors",idtCD)'],
       "$ORDER over global subscripts, $GET [doc RCOS_forder]; %DynamicObject/%DynamicArray [doc GJSON]",
       "Result object <<key>>: file -> record text of the tree <<name>>; starts the error arrays the load steps fill."),
    _t("code_load", [
        'kill idtLg set idtS=$SYSTEM.OBJ.Load(<<path>>,<<qspec>>,.idtLg) ' + _CODE_LOG],
       "iris-sources.md T12, T13 (Load(file, qspec, .errorlog, ...)), T14 (check the status and the errorlog)",
       "Load one file (no compile); its errors go to result 'errors' with what=<<what>> and set idtBad."),
    _t("code_compile", [
        'kill idtLg set idtS=$SYSTEM.OBJ.CompileList(<<items>>,<<qspec>>,.idtLg) ' + _CODE_LOG],
       "iris-sources.md T12, VOBJ (CompileList(items with type suffix, qspec, .errorlog); order INT, CLS, MAC), "
       "N13 (flag b in qspec: subclasses compile again), T14",
       "Compile the loaded items together; errors go to result 'errors' with what=<<what>> and set idtBad."),
    _t("code_record", [
        'if \'idtBad { set ^IrisDevTools(<<area>>,<<name>>,<<file>>)=<<value>> }'],
       "SET of a global node [doc RCOS_cset]",
       "Record file <<file>> of tree <<name>> unless a load or compile step failed."),
    _t("code_forget", [
        'if \'idtBad { kill ^IrisDevTools(<<area>>,<<name>>,<<file>>) }'],
       "KILL of a global node [doc RCOS_ckill]",
       "Forget file <<file>> of tree <<name>> unless a load or compile step failed."),
    _t("code_delete_class", [
        'kill idtLg set idtS=$SYSTEM.OBJ.Delete(<<item>>,"-d",.idtLg) '
        'if $SYSTEM.Status.IsError(idtS) { do idtCD.%Push(<<item>>_": "_$SYSTEM.Status.GetErrorText(idtS)) }'],
       "iris-sources.md N10, VOBJ, IRISREF24 (Delete(classes, qspec, .errorlog) As %Status)",
       "Delete class <<item>>; a failure goes to result 'delete_errors'."),
    _t("code_delete_routine", [
        'set idtS=##class(%Library.Routine).Delete(<<item>>) '
        'if $SYSTEM.Status.IsError(idtS) { do idtCD.%Push(<<item>>_": "_$SYSTEM.Status.GetErrorText(idtS)) }'],
       "iris-sources.md N11, VOBJ, IRISREF24 (Delete(rtnname, flag=0) As %Status: flag 0 deletes MAC, INT and OBJ)",
       "Delete routine <<item>> (Name.mac, Name.int, Name.inc); a failure goes to result 'delete_errors'."),
])
TEMPLATES.update(CODE_TEMPLATES)


def _check_templates():
    """Import-time validation: placeholders well formed, no stray '<<'/'>>', no raw control chars."""
    for name, template in TEMPLATES.items():
        if template.name != name:
            raise IrisModuleError("Template %s registered under %s" % (template.name, name), hint=_BUG_HINT)
        for text, check in template.lines:
            stripped = PLACEHOLDER.sub("", text)
            if "<<" in stripped or ">>" in stripped or any(_needs_char(ch) for ch in text):
                raise IrisModuleError("Template %s has a malformed line" % name, hint=_BUG_HINT)
            if check not in (None, CHECK_STATUS, CHECK_SQL):
                raise IrisModuleError("Template %s has an unknown check" % name, hint=_BUG_HINT)


_check_templates()


# ---------------------------------------------------------------------------------------------
# Program
# ---------------------------------------------------------------------------------------------
TOKEN_PATTERN = re.compile(r"\A[A-Za-z0-9]{16,64}\Z")


def _catch_block(step, template_name, emit_error=_WRITE_E):
    where = 'idtE.%%Set("step",%d),idtE.%%Set("template",%s)' % (step, literal(template_name))
    return ("catch idtEx { set idtE=" + _NEW_OBJ + " "
            'do idtE.%Set("kind","exception"),idtE.%Set("name",idtEx.Name),idtE.%Set("code",idtEx.Code),'
            'idtE.%Set("location",idtEx.Location),idtE.%Set("data",idtEx.Data),' + where + ' '
            'do idtE.%Set("text",idtEx.DisplayString()) ' + emit_error + " }")


def _check_condition(check):
    """The ObjectScript condition that is true when a checked step failed ('' for unchecked steps)."""
    return {CHECK_STATUS: "$SYSTEM.Status.IsError(idtSC)", CHECK_SQL: "idtRS.%SQLCODE<0"}.get(check, "")


def _check_code(check, step, template_name, emit_error=_WRITE_E):
    """The error report of a failed checked step: ``{ set idtE=... <emit_error> }`` ('' for unchecked steps)."""
    where = 'idtE.%%Set("step",%d),idtE.%%Set("template",%s)' % (step, literal(template_name))
    if check == CHECK_STATUS:
        return ("{ set idtE=" + _NEW_OBJ + " "
                'do idtE.%Set("kind","status"),idtE.%Set("text",$SYSTEM.Status.GetErrorText(idtSC)),'
                'idtE.%Set("codes",$SYSTEM.Status.GetErrorCodes(idtSC)),' + where + " " + emit_error + " }")
    if check == CHECK_SQL:
        return ("{ set idtE=" + _NEW_OBJ + " "
                'do idtE.%Set("kind","sql"),idtE.%Set("code",idtRS.%SQLCODE),idtE.%Set("text",idtRS.%Message),'
                + where + " " + emit_error + " }")
    return ""


def _identifier(template_name, key, value):
    """Validate a class or method name for an identifier placeholder."""
    if isinstance(value, Secret) or not isinstance(value, str) or not IDENTIFIER_PATTERNS[key].match(value):
        raise IrisModuleError("Template %s: %r is not a valid %s name" % (template_name, value, key), hint=_BUG_HINT)
    return value


class Program(object):
    """A straight-line ObjectScript program made of template steps.

    ``add(template_name, **values)`` appends a template; values may be wrapped in ``Secret``.
    ``render(token)`` returns the text to feed to ``iris session`` on stdin (ends with ``halt``).
    The rendered text must never appear in logs, results or errors (it may hold secrets).
    """

    def __init__(self):
        self.steps = []         # (template_name, line_text, check) with values substituted
        self.has_secrets = False
        self.secret_values = []  # for redaction of error output; never logged
        self._hoisted = 0

    @property
    def template_names(self):
        names = []
        for name, dummy, dummy2 in self.steps:
            if not names or names[-1] != name:
                names.append(name)
        return names

    def add(self, template_name, **values):
        template = TEMPLATES.get(template_name)
        if template is None:
            raise IrisModuleError("Unknown ObjectScript template %r" % template_name, hint=_BUG_HINT)
        missing = [p for p in template.params if p not in values]
        unknown = sorted(k for k in values if k not in template.params)
        if missing or unknown:
            raise IrisModuleError(
                "Template %s: missing placeholders %s, unknown placeholders %s" % (template_name, missing, unknown),
                hint=_BUG_HINT)
        expressions = {}
        for key in template.params:
            value = values[key]
            if isinstance(value, Secret):
                self.has_secrets = True
                if value.value not in (None, ""):
                    self.secret_values.append(str(value.value))
            if key in IDENTIFIER_PATTERNS:
                expressions[key] = _identifier(template_name, key, value)
            else:
                expressions[key] = self._expression(template_name, value)
        for text, check in template.lines:
            line = PLACEHOLDER.sub(lambda match: expressions[match.group(1)], text)
            self.steps.append((template_name, line, check))
        return self

    def _expression(self, template_name, value):
        expr = literal(value)
        if len(expr) <= INLINE_LITERAL_LIMIT:
            return expr
        # Too long for one line: build it up in idtL(n) over several guarded lines.
        raw = value.value if isinstance(value, Secret) else value
        self._hoisted += 1
        var = "idtL(%d)" % self._hoisted
        for start in range(0, len(raw), HOIST_CHUNK_CHARS):
            chunk = literal(raw[start:start + HOIST_CHUNK_CHARS])
            if start == 0:
                self.steps.append((template_name, "set %s=%s" % (var, chunk), None))
            else:
                self.steps.append((template_name, "set %s=%s_%s" % (var, var, chunk), None))
        return var

    def lines(self, token, native=False):
        """The program as a list of lines (each run on its own by the shell).

        ``native=True`` renders the lines for the server-side runner of the native transport, which runs each line
        with XECUTE in a process that must go on serving the connection (docs/native-transport-design.md D6): a
        step that is not due ends its own XECUTE (``quit:``) instead of the session (``halt:``), a failed step
        reports instead of advancing ``idtStep`` (so every later line quits), the frames are appended to
        ``idtOut`` instead of written, and there is no final ``halt``.
        """
        if not TOKEN_PATTERN.match(token or ""):
            raise IrisModuleError("Invalid frame token", hint=_BUG_HINT)
        guard, emit_error = ("quit", _APPEND_E) if native else ("halt", _WRITE_E)
        out = ["set idtStep=1,idtTok=%s,idtR=%s,idtQ=0,idtArg=0%s" % (literal(token), _NEW_OBJ, ',idtOut=""' if native else "")]
        step = 0
        for step_index, (name, body, check) in enumerate(self.steps):
            step = step_index + 1
            report = _check_code(check, step, name, emit_error)
            if not report:
                advance = "set idtStep=%d" % (step + 1)
            elif native:
                advance = "if %s %s else { set idtStep=%d }" % (_check_condition(check), report, step + 1)
            else:
                advance = "if %s %s set idtStep=%d" % (_check_condition(check), report, step + 1)
            out.append("%s:$get(idtStep)'=%d  try { %s %s } %s" % (
                guard, step, body, advance, _catch_block(step, name, emit_error)))
        final = len(self.steps) + 1
        emit_result = _APPEND_R if native else _WRITE_R
        out.append("%s:$get(idtStep)'=%d  try { %s } %s" % (guard, final, emit_result, _catch_block(final, "result", emit_error)))
        if not native:
            out.append("halt")
        for line in out:
            if len(line) > MAX_LINE_LENGTH:
                raise IrisModuleError("A program line is longer than %d characters" % MAX_LINE_LENGTH, hint=_BUG_HINT)
        return out

    def render(self, token):
        """The program text for stdin: one line per step, ending with ``halt`` and a newline."""
        return "\n".join(self.lines(token)) + "\n"


def ping_program():
    """A trivial program for readiness checks: result ``{"version": $ZV, "namespace": $NAMESPACE}``."""
    return Program().add("ping")
