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
  ``<UNDEFINED>`` ...) and goes on with the next line (iris-devtester-lessons.md §2.3, §7C).
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


# ---------------------------------------------------------------------------------------------
# Templates: THE one place where ObjectScript text lives.
# ---------------------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"<<([a-z][a-z0-9_]*)>>")
# Placeholders that stand for ObjectScript identifiers, not values: they are written into the code
# as they are, so only collection constants that match these patterns are accepted (never user input).
IDENTIFIER_PATTERNS = {
    "class": re.compile(r"^%?[A-Za-z][A-Za-z0-9]*(\.%?[A-Za-z][A-Za-z0-9]*)*$"),
    "method": re.compile(r"^%?[A-Za-z][A-Za-z0-9]*$"),
    "label": re.compile(r"^%?[A-Za-z][A-Za-z0-9]*$"),
    "routine": re.compile(r"^%?[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$"),
}
CHECK_STATUS = "status"   # after the body: fail if idtSC is an error %Status
CHECK_SQL = "sql"         # after the body: fail if idtRS.%SQLCODE < 0


class Template(object):
    """A vetted piece of ObjectScript: one or more lines, each run as one guarded step.

    ``lines`` is a list of ``(text, check)``; ``check`` is None, CHECK_STATUS or CHECK_SQL.
    ``source`` cites what the template relies on (iris-api.md keys or doc URLs).
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
# %Status checks: iris-api.md §1.4 (code-live S8-S11): $SYSTEM.Status.IsError / GetErrorText; GetErrorCodes (code,
#   VistA/S10) because error text can be localised (§1.4 row 4).
# %DynamicObject %New/%Set/%ToJSON(): GJSON_refapi_to-json [doc]
#   https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GJSON_refapi_to-json
#   (called via DO, %ToJSON writes to the current device, so the result is not bound by the string limit);
#   %Set(key,value,"boolean") [doc, GJSON "Overriding a Default Datatype with %Set()"].
# $CHAR(n,...) returns one character per argument [doc, RCOS $CHAR]; HALT ends the session (iris-api.md S36, S28).
_NEW_OBJ = "##class(%DynamicObject).%New()"
_WRITE_E = 'write !,$CHAR(2),idtTok,":E:" do idtE.%ToJSON() write $CHAR(3),! halt'
_WRITE_R = 'write !,$CHAR(2),idtTok,":R:" do idtR.%ToJSON() write $CHAR(3),!'

TEMPLATES = dict([
    # -- framing / session ------------------------------------------------------------------
    _t("namespace", ["set $NAMESPACE=<<namespace>>"],
       "RCOS_vnamespace [doc] https://docs.intersystems.com/latestj/csp/docbook/DocBook.UI.Page.cls?KEY=RCOS_vnamespace "
       "(SET $NAMESPACE switches; <NAMESPACE> if missing, <PROTECT> without access); iris-api.md §0.2 (%SYS for admin calls)",
       "Switch the session to another namespace (e.g. %SYS) for the following steps."),
    _t("ping", ['do idtR.%Set("version",$ZVERSION),idtR.%Set("namespace",$NAMESPACE)'],
       "$ZVERSION [doc] https://docs.intersystems.com/latest/csp/docbook/DocBook.UI.Page.cls?KEY=RCOS_vzversion ; "
       "$NAMESPACE [doc] RCOS_vnamespace; iris-api.md §4.1 S29/S32 (a trivial session as readiness check)",
       "Result keys 'version' ($ZV text) and 'namespace' (where the session runs)."),
    _t("result_value", ["do idtR.%Set(<<key>>,<<value>>)"],
       "%DynamicObject %Set [doc GJSON]", "Put a constant into the result (tests, markers)."),
    # -- generic, injection-proof building blocks --------------------------------------------
    # Class and method names are identifier placeholders (IDENTIFIER_PATTERNS): collection constants,
    # validated and written as the cited direct form ##class(Cls).Method(...) (iris-api.md S8-S10, S23
    # show that form, incl. by-reference property arrays); property names travel as string literals
    # through $PROPERTY [doc GORIENT_object_functions].
    _t("call_arg", ["set idtArg($INCREMENT(idtArg))=<<value>>"],
       "variadic args... [doc GCOS 'Variable Number of Arguments']",
       "Append one argument for the next call_status / call_value."),
    _t("call_status", [("set idtSC=##class(<<class>>).<<method>>(idtArg...) kill idtArg set idtArg=0", CHECK_STATUS)],
       "direct class-method call (iris-api.md S8-S10); variadic args... [doc]; iris-api.md §1.4 (%Status)",
       "Call a class method returning %Status with the call_arg arguments; fail on an error status."),
    _t("call_value", ["set idtV=##class(<<class>>).<<method>>(idtArg...) kill idtArg set idtArg=0 do idtR.%Set(<<key>>,idtV)"],
       "direct class-method call (iris-api.md S8-S10); variadic args... [doc]",
       "Call a class method with the call_arg arguments; its return value goes to result key <<key>>."),
    _t("props_set", ["set idtP(<<property>>)=<<value>>"],
       "iris-api.md §3.3 S9, §6 S10 (Create/Modify(Name,.Props) style)",
       "Set one entry of the by-reference property array for call_props_status."),
    _t("call_props_status", [("set idtSC=##class(<<class>>).<<method>>(<<name>>,.idtP) kill idtP", CHECK_STATUS)],
       "iris-api.md §3.3 S9 (Config.Namespaces.Create/Modify(Name,.Props)), §6 S10 (Security.Users.Modify), §1.4",
       "Call Class.Method(name,.props) with the props_set entries; fail on an error status."),
    _t("call_props_get", [
        ("kill idtP set idtSC=##class(<<class>>).<<method>>(<<name>>,.idtP)", CHECK_STATUS),
        'set idtD=' + _NEW_OBJ + ',idtK="" for { set idtK=$ORDER(idtP(idtK)) quit:idtK=""  '
        'do idtD.%Set(idtK,$GET(idtP(idtK))) } do idtR.%Set(<<key>>,idtD) kill idtP'],
       "iris-api.md §3.3 S9 / §3.1 S20 / §6 S10 (Get(Name,.Props)); $ORDER [doc]",
       "Call Class.Method(name,.props) (a Get); the top-level props become object <<key>> in the result."),
    _t("object_new", ["set idtO(<<handle>>)=##class(<<class>>).%New()"],
       "iris-api.md §1.3 S8/S11 (%New, set properties, %Save)", "Create a new object under handle <<handle>>."),
    _t("object_open", ["set idtO(<<handle>>)=##class(<<class>>).%OpenId(<<id>>) "
                       "do idtR.%Set(<<key>>,$ISOBJECT(idtO(<<handle>>)),\"boolean\")"],
       "iris-api.md §1.3 S8 (%OpenId returns the object or \"\"); $ISOBJECT [doc]",
       "Open object <<id>> of <<class>> under <<handle>>; result key <<key>> is true if it exists."),
    _t("object_get", ['set idtD=' + _NEW_OBJ + ',idtC=<<properties>> for idtI=1:1:$LENGTH(idtC,",") '
                      '{ do idtD.%Set($PIECE(idtC,",",idtI),$PROPERTY(idtO(<<handle>>),$PIECE(idtC,",",idtI))) } '
                      'do idtR.%Set(<<key>>,idtD)'],
       "$PROPERTY [doc]; iris-api.md §1.2 (property names)",
       "Read the comma-separated <<properties>> of <<handle>> into result object <<key>>."),
    _t("object_set", ["set $PROPERTY(idtO(<<handle>>),<<property>>)=<<value>>"],
       "$PROPERTY [doc]; iris-api.md §1.2", "Set one property of <<handle>>."),
    _t("object_save", [("set idtSC=$METHOD(idtO(<<handle>>),\"%Save\")", CHECK_STATUS),
                       "do idtR.%Set(<<key>>,$METHOD(idtO(<<handle>>),\"%Id\"))"],
       "iris-api.md §1.3 S8/S11 (%Save returns %Status; new ID via %Id()), §1.4",
       "Save <<handle>>; fail on an error status; its ID goes to result key <<key>>."),
    _t("object_delete", [("set idtSC=##class(<<class>>).%DeleteId(<<id>>)", CHECK_STATUS)],
       "iris-api.md §1.3 S8 (%DeleteId returns %Status), §1.4", "Delete object <<id>> of <<class>>."),
    _t("sql_param", ["set idtQ($INCREMENT(idtQ))=<<value>>"],
       "variadic args... [doc]", "Append one ? parameter for the next sql_rows."),
    _t("sql_rows", [
        ("set idtRS=##class(%SQL.Statement).%ExecDirect(,<<sql>>,idtQ...) kill idtQ set idtQ=0", CHECK_SQL),
        'set idtA=##class(%DynamicArray).%New(),idtC=<<columns>> while idtRS.%Next() { set idtD=' + _NEW_OBJ + ' '
        'for idtI=1:1:$LENGTH(idtC,",") { do idtD.%Set($PIECE(idtC,",",idtI),idtRS.%Get($PIECE(idtC,",",idtI))) } '
        'do idtA.%Push(idtD) } do idtR.%Set(<<key>>,idtA)'],
       "iris-api.md §4.3 (plain SQL via %SQL.Statement), §1.3 S11 (SELECT ... FROM %SYS.Task WHERE Name = ?); "
       "%SQL.Statement %ExecDirect/%SQLCODE/%Message/%Next/%Get [inf: class reference not in iris-api.md]",
       "Run <<sql>> with the sql_param values; rows (comma-separated <<columns>>) go to result array <<key>>."),
    # -- Task Manager (run in %SYS: iris-api.md §0.2) ------------------------------------------
    _t("task_ids_by_name", [
        ('set idtRS=##class(%SQL.Statement).%ExecDirect(,"SELECT ID FROM %SYS.Task WHERE Name = ?",<<name>>)', CHECK_SQL),
        'set idtA=##class(%DynamicArray).%New() while idtRS.%Next() { do idtA.%Push(idtRS.%Get("ID")) } do idtR.%Set(<<key>>,idtA)'],
       "iris-api.md §0.1 and §1.3 S11 (code-live): Name is not unique, look up by SQL in %SYS",
       "IDs of all tasks named <<name>> (0, 1 or more) as result array <<key>>."),
    _t("task_open", ['set idtO(<<handle>>)=##class(%SYS.Task).%OpenId(<<id>>) '
                     'do idtR.%Set(<<key>>,$ISOBJECT(idtO(<<handle>>)),"boolean")'],
       "iris-api.md §1.3 S8 (code-live): %SYS.Task %OpenId", "Open task <<id>> under <<handle>>; <<key>> true if found."),
    _t("task_new", ["set idtO(<<handle>>)=##class(%SYS.Task).%New()"],
       "iris-api.md §1.3 S8, S11 (code-live): %SYS.Task %New", "New task object under <<handle>>."),
    _t("task_run_now", [("set idtSC=##class(%SYS.Task).RunNow(<<id>>)", CHECK_STATUS)],
       "iris-api.md §1.3 S8 (code-live): RunNow(id) returns %Status, asynchronous (§0.3)", "Trigger a run of task <<id>>."),
    _t("task_suspend", [("set idtSC=##class(%SYS.Task).Suspend(<<id>>)", CHECK_STATUS)],
       "iris-api.md §1.3 (code-live, public Rust test): Suspend(id) returns %Status", "Suspend task <<id>>."),
    _t("task_resume", [("set idtSC=##class(%SYS.Task).Resume(<<id>>)", CHECK_STATUS)],
       "iris-api.md §1.3 (code-live; S2 lists Resume()): Resume(id) returns %Status", "Resume task <<id>>."),
    _t("task_delete", [("set idtSC=##class(%SYS.Task).%DeleteId(<<id>>)", CHECK_STATUS)],
       "iris-api.md §1.3 S8 (code-live): %DeleteId returns %Status", "Delete task <<id>>."),
    # -- Namespaces and databases (run in %SYS) --------------------------------------------------
    _t("namespace_exists", ['do idtR.%Set(<<key>>,##class(Config.Namespaces).Exists(<<namespace>>),"boolean")'],
       "iris-api.md §3.3 S9 (code-live): Config.Namespaces.Exists(Name)", "Result key <<key>>: does <<namespace>> exist."),
    _t("database_exists", ['do idtR.%Set(<<key>>,##class(Config.Databases).Exists(<<database>>),"boolean")'],
       "iris-api.md §3.1 S20 (doc): Config.Databases.Exists(Name)", "Result key <<key>>: is database <<database>> defined."),
    # -- Routine entry points (e.g. ^SystemPerformance, iris-api.md §2.1 S13) ---------------------
    _t("routine_value", ["set idtV=$$<<label>>^<<routine>>(idtArg...) kill idtArg set idtArg=0 do idtR.%Set(<<key>>,idtV)"],
       "extrinsic function call $$label^routine(args) [doc GCOS 'User-defined Code']; variadic args... [doc]",
       "Call $$<<label>>^<<routine>> with the call_arg arguments; its value goes to result key <<key>>."),
    _t("routine_do", ["do <<label>>^<<routine>>(idtArg...) kill idtArg set idtArg=0"],
       "DO label^routine(args) [doc RCOS_cdo]; variadic args... [doc]",
       "Call <<label>>^<<routine>> with the call_arg arguments, discarding any value."),
    # -- The collection's own records: ^IrisDevTools(area,name) in %SYS (IRISSYS) ------------------
    # Not an IRIS API: our bookkeeping (what a module created or applied, e.g. a ^SystemPerformance
    # profile's settings, which has no documented read-back (iris-api.md §2.1), or the fixture a
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
    # == ^SystemPerformance templates of _monitoring.py =============================================
    # == Read-only templates of _info.py ============================================================
    # == Database/namespace/file templates of _fixture.py ===========================================
])


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
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9]{16,64}$")


def _catch_block(step, template_name):
    where = 'idtE.%%Set("step",%d),idtE.%%Set("template",%s)' % (step, literal(template_name))
    return ("catch idtEx { set idtE=" + _NEW_OBJ + " "
            'do idtE.%Set("kind","exception"),idtE.%Set("name",idtEx.Name),idtE.%Set("code",idtEx.Code),'
            'idtE.%Set("location",idtEx.Location),idtE.%Set("data",idtEx.Data),' + where + ' '
            'do idtE.%Set("text",idtEx.DisplayString()) ' + _WRITE_E + " }")


def _check_code(check, step, template_name):
    where = 'idtE.%%Set("step",%d),idtE.%%Set("template",%s)' % (step, literal(template_name))
    if check == CHECK_STATUS:
        return ("if $SYSTEM.Status.IsError(idtSC) { set idtE=" + _NEW_OBJ + " "
                'do idtE.%Set("kind","status"),idtE.%Set("text",$SYSTEM.Status.GetErrorText(idtSC)),'
                'idtE.%Set("codes",$SYSTEM.Status.GetErrorCodes(idtSC)),' + where + " " + _WRITE_E + " }")
    if check == CHECK_SQL:
        return ("if idtRS.%SQLCODE<0 { set idtE=" + _NEW_OBJ + " "
                'do idtE.%Set("kind","sql"),idtE.%Set("code",idtRS.%SQLCODE),idtE.%Set("text",idtRS.%Message),'
                + where + " " + _WRITE_E + " }")
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

    def lines(self, token):
        """The program as a list of lines (each run on its own by the shell)."""
        if not TOKEN_PATTERN.match(token or ""):
            raise IrisModuleError("Invalid frame token", hint=_BUG_HINT)
        out = ["set idtStep=1,idtTok=%s,idtR=%s,idtQ=0,idtArg=0" % (literal(token), _NEW_OBJ)]
        step = 0
        for step_index, (name, body, check) in enumerate(self.steps):
            step = step_index + 1
            check_code = _check_code(check, step, name)
            out.append("halt:$get(idtStep)'=%d  try { %s %sset idtStep=%d } %s" % (
                step, body, (check_code + " ") if check_code else "", step + 1, _catch_block(step, name)))
        final = len(self.steps) + 1
        out.append("halt:$get(idtStep)'=%d  try { %s } %s" % (final, _WRITE_R, _catch_block(final, "result")))
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
