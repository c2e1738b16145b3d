# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Stored procedures created with SQL DDL (iris-sources.md T43, T44, T45, T46; DESIGN.md Contract 10).

``CREATE PROCEDURE|FUNCTION ... LANGUAGE OBJECTSCRIPT { body }`` (parsed in ``sql.py``) becomes a class with one
class method whose body is the code_body, compiled by ``classdefs.py`` and stored in the namespace's class table
(the routines database, Contract 8), so later sessions and connections see it and ``##class(...)``, ``$CLASSMETHOD``
and the Native API call it like any compiled class.

Names (T46, "SQL to Class Name Transformations"; T43, T44): an unqualified name takes the default schema
``SQLUser`` (package ``User``); a schema becomes the package, an underscore in it a sub-package; the class is
``<package>.proc<Name>`` (PROCEDURE) or ``<package>.func<Name>`` (FUNCTION) and its method ``<Name>``, the SQL name
stripped of punctuation (``Store_Name`` → ``User.procStoreName``, method ``StoreName``).  ``FOR Pkg.Cls`` names the
class; the SQL name is then ``<schema of Pkg>.<name>`` (SqlName = procname).  The default schema is not
configurable here (``$SYSTEM.SQL.Schema.Default()`` is not modelled).

Errors: an existing name → SQLCODE -361; a name that differs only in letter case → -400 (T44); DROP of a
missing name → -362, unless ``IF EXISTS``; ``FROM`` a class that does not exist → -360 (T45).  A run-time
ObjectScript error inside the body → SQLCODE -400 "Fatal error occurred" (T47: the general error) with the
error text [inf: IRIS's exact %msg is not in the sources].  Calling an unknown function in a SELECT → -359, an
unknown procedure in CALL → -428 [inf: codes recalled, not read].

Methods (iris-sources.md RSQLMETH, RSQLDROP, GSQLNAMES): ``CREATE METHOD name(params) [RETURNS t] [FOR Pkg.Cls]
LANGUAGE OBJECTSCRIPT { body }`` adds a class method to the class (``FOR``; without it ``<package>.meth<Name>``), which
DDL creates when it does not exist; it is not a stored procedure (no SQL name: ``ProcedureExists`` and ``CALL`` do not
see it).  An existing method of that name → -361.  ``DROP METHOD [IF EXISTS] name [FROM Pkg.Cls]``: a missing method
→ -362, a ``FROM`` class that does not exist → -360; the class left empty is deleted [inf: the current IRIS page was
not read in full; the Caché and 2019 pages say so].  Only classes made by CREATE METHOD take more methods.

Privileges: each statement needs its SQL administrative privilege (%CREATE_PROCEDURE RSQLPROC, %CREATE_FUNCTION
RSQLFUNC, %CREATE_METHOD RSQLMETH, %DROP_PROCEDURE / %DROP_METHOD RSQLDROP, %DROP_FUNCTION [inf]); without it
SQLCODE -99.  Held here only through the role %All [inf: which roles grant which privilege is not in the sources
read; GRANT is not modelled]; a session process (OS authentication as the instance owner) has %All ($ROLES) [inf].

Not modelled (SQLCODE -400 "not modelled by the simulator"): adding a procedure to a class that exists already
(``FOR`` an existing class), ``OR REPLACE`` of a routine of the other kind, DROP PROCEDURE of a function and DROP
FUNCTION of a procedure, a body line in column 1 (a label), parameter names that are not ObjectScript names, a
procedure without RETURNS called in a SELECT, more arguments than parameters; ``CREATE OR REPLACE METHOD``; a method
added to a class that CREATE METHOD did not make; two methods whose names differ only in letter case.
"""

from __future__ import annotations

import re

from iris_sim import classdefs, objects, values
from iris_sim.errors import IrisError, SessionEnd, ThrowSignal
from iris_sim.models.security import find_user
from iris_sim.objects import ByRef, SimClass, class_method, register
from iris_sim.sql import NOT_MODELLED, SqlError, SqlResult

DEFAULT_SCHEMA = "SQLUser"     # T44: the initial system-wide default schema, package User
_OS_NAME = re.compile(r"%?[A-Za-z][A-Za-z0-9]*")


def _process(inst, namespace: str, proc):
    if proc is not None:
        return proc
    from iris_sim.interp import Process  # pylint: disable=import-outside-toplevel
    return Process(inst, namespace)


def _package_of(schema: str) -> str:
    """T46: the schema becomes the package; ``_`` makes a sub-package; SQLUser is package User."""
    return "User" if schema.upper() == DEFAULT_SCHEMA.upper() else schema.replace("_", ".")


def _schema_of(package: str) -> str:
    """The SQL schema of a package (the inverse of ``_package_of``) [inf]."""
    return DEFAULT_SCHEMA if package == "User" else package.replace(".", "_")


def split_name(name: str) -> tuple[str, str]:
    """``(schema, sqlname)``; unqualified → the default schema (T43, T44)."""
    schema, dummy, sqlname = name.rpartition(".")
    return (schema or DEFAULT_SCHEMA), sqlname


def sql_key(schema: str, sqlname: str) -> str:
    """SQL names compare without regard to case (T45: procname is not case-sensitive)."""
    return f"{schema}.{sqlname}".upper()


def _names(plan: dict) -> dict:
    schema, sqlname = split_name(plan["name"])
    method = re.sub(r"[^A-Za-z0-9%]", "", sqlname)  # T46: punctuation stripped
    if not _OS_NAME.fullmatch(method):
        raise SqlError(-400, f"simulator: the procedure name '{sqlname}' gives no valid method name; it is "
                             f"{NOT_MODELLED}")
    if plan["for"]:
        cls = plan["for"] if "." in plan["for"] else "User." + plan["for"]  # [inf] an unqualified FOR class
        schema = _schema_of(cls.rpartition(".")[0])  # T43: FOR my.class → call it as my.procname()
    else:
        cls = _package_of(schema) + "." + ("func" if plan["routine"] == "function" else "proc") + method
    return {"schema": schema, "name": sqlname, "sql": sql_key(schema, sqlname), "class": cls, "method": method,
            "routine": plan["routine"]}


def _table(inst, namespace: str, proc):
    proc = _process(inst, namespace, proc)
    return proc, classdefs.routines_db(proc), classdefs.class_table(proc)


def _find(table: dict, key: str):
    """``(class name, entry)`` of the routine with SQL name ``key`` (upper case), or None."""
    for name, entry in table.items():
        meta = entry.get("sqlproc")
        if meta and meta["sql"] == key:
            return name, entry
    return None


def _source(meta: dict, plan: dict) -> tuple[str, int]:
    """The UDL text of the generated class and the UDL line of the body's first line [inf: IRIS also marks the method
    SqlProc with SqlName; classdefs.py models no such keyword, and the SQL name is kept beside the class]."""
    formals = []
    for pname, dummy in plan["params"]:
        if not _OS_NAME.fullmatch(pname):
            raise SqlError(-400, f"simulator: parameter name '{pname}' (not an ObjectScript variable name) is "
                                 f"{NOT_MODELLED}")
        formals.append(pname)
    verb = "FUNCTION" if plan["routine"] == "function" else "PROCEDURE"
    head = (f"/// CREATE {verb} {meta['schema']}.{meta['name']} (SQL DDL)\n"
            f"Class {meta['class']}\n{{\n\nClassMethod {meta['method']}({', '.join(formals)})\n{{\n")
    return head + plan["body"] + "\n}\n\n}\n", head.count("\n") + 1


def _check_indented(body: str) -> None:
    """T43, T44: ObjectScript code lines must be indented; a line in column 1 would be a label (not modelled)."""
    for number, line in enumerate(body.split("\n"), start=1):
        if line.strip() and not line[0].isspace():
            raise SqlError(-400, f"simulator: code_body line {number} starts in column 1 (a label; T43: code lines "
                                 f"must be indented); labels are {NOT_MODELLED}")


_PRIVILEGES = {  # (statement, routine) → the SQL administrative privilege it needs
    ("create", "procedure"): "%CREATE_PROCEDURE",  # iris-sources.md RSQLPROC
    ("create", "function"): "%CREATE_FUNCTION",    # iris-sources.md RSQLFUNC
    ("create", "method"): "%CREATE_METHOD",        # iris-sources.md RSQLMETH
    ("drop", "procedure"): "%DROP_PROCEDURE",      # iris-sources.md RSQLDROP
    ("drop", "method"): "%DROP_METHOD",            # iris-sources.md RSQLDROP
    ("drop", "function"): "%DROP_FUNCTION",        # [inf] by analogy
}


def _roles(proc) -> list[str]:
    """The roles of the process's user: a superserver process's login user (its Roles), a session's $ROLES."""
    username = getattr(proc, "username", "")
    if not username:
        return [r.strip().upper() for r in values.to_str(getattr(proc, "roles", None) or "%All").split(",")]
    user = find_user(proc.instance, username)
    return [r.strip().upper() for r in values.to_str((user or {}).get("Roles", "")).split(",")]


def _require(proc, statement: str, routine: str) -> None:
    """SQLCODE -99 unless the user holds the statement's administrative privilege (held through %All only [inf])."""
    privilege = _PRIVILEGES[(statement, routine)]
    if "%ALL" not in _roles(proc):
        user = getattr(proc, "username", "") or "the session user"
        raise SqlError(-99, f"Privilege violation: user {user} does not hold the {privilege} privilege")  # [inf] wording


def create(inst, namespace: str, plan: dict, proc=None) -> SqlResult:
    """CREATE [OR REPLACE] PROCEDURE|FUNCTION|METHOD: compile the body as a class method and store the class."""
    proc = _process(inst, namespace, proc)
    _require(proc, "create", plan["routine"])
    if plan["routine"] == "method":
        return _create_method(proc, plan)
    meta = _names(plan)
    proc, db, table = _table(inst, namespace, proc)
    found = _find(table, meta["sql"])
    if found is not None:
        old = found[1]["sqlproc"]
        if plan["replace"]:
            if old["routine"] != plan["routine"]:
                raise SqlError(-400, f"simulator: CREATE OR REPLACE of a {old['routine']} as a {plan['routine']} is "
                                     f"{NOT_MODELLED}")
            del table[found[0]]  # T44: OR REPLACE = DROP then CREATE
        elif f"{old['schema']}.{old['name']}" == f"{meta['schema']}.{meta['name']}":
            raise SqlError(-361, f"Procedure '{meta['schema']}.{meta['name']}' already exists")  # T43, T44
        else:  # T44: a name differing only in letter case
            raise SqlError(-400, f"'{meta['schema']}.{meta['name']}' differs only in letter case from the existing "
                                 f"'{old['schema']}.{old['name']}'")
    if meta["class"] in table or objects.class_exists(meta["class"]):
        raise SqlError(-400, f"simulator: adding a procedure to the existing class '{meta['class']}' is "
                             f"{NOT_MODELLED}")
    _check_indented(plan["body"])
    text, first = _source(meta, plan)
    try:
        classdefs.compile_tree(classdefs.parse_class(text))
    except classdefs.CompileError as exc:
        where = f" (code_body line {exc.line - first + 1})" if exc.line >= first else ""
        raise SqlError(-400, f"Compile error in {meta['class']}{where}: {exc.text}") from exc  # [inf] wording
    meta.update(params=[list(p) for p in plan["params"]], returns=plan["returns"])
    table[meta["class"]] = {"source": text, "file": "", "compiled": classdefs.source_hash(text), "sqlproc": meta}
    db.dirty = True
    classdefs.forget_classes(proc)
    return SqlResult()


def drop(inst, namespace: str, plan: dict, proc=None) -> SqlResult:
    """DROP PROCEDURE|FUNCTION|METHOD [IF EXISTS] name [FROM className] (T45, iris-sources.md RSQLDROP)."""
    proc, db, table = _table(inst, namespace, proc)
    _require(proc, "drop", plan["routine"])
    if plan["routine"] == "method":
        return _drop_method(proc, plan)
    schema, sqlname = split_name(plan["name"])
    if plan["from"]:
        cls = plan["from"] if "." in plan["from"] else "User." + plan["from"]  # T45: FROM funcBonusCalc → User.
        entry = table.get(cls)
        if entry is None:
            if plan["if_exists"]:
                return SqlResult()  # [inf] IF EXISTS also covers a missing class
            raise SqlError(-360, f"Class '{cls}' does not exist")  # T45
        meta = entry.get("sqlproc")
        method = re.sub(r"[^A-Za-z0-9%]", "", sqlname)
        if meta is None:
            raise SqlError(-400, f"simulator: DROP of a method of the class '{cls}' (not created by SQL DDL) is "
                                 f"{NOT_MODELLED}")
        found = (cls, entry) if meta["method"].upper() == method.upper() else None  # [inf] case
    else:
        found = _find(table, sql_key(schema, sqlname))
    if found is None:
        if plan["if_exists"]:
            return SqlResult()  # T45: IF EXISTS suppresses the error
        raise SqlError(-362, f"{plan['routine'].capitalize()} '{schema}.{sqlname}' does not exist")  # T45
    meta = found[1]["sqlproc"]
    if meta["routine"] != plan["routine"]:
        raise SqlError(-400, f"simulator: DROP {plan['routine'].upper()} of a {meta['routine']} is {NOT_MODELLED}")
    del table[found[0]]  # T45: the class held only this routine, so the class goes too
    db.dirty = True
    classdefs.forget_classes(proc)
    return SqlResult()


# -- CREATE METHOD / DROP METHOD (iris-sources.md RSQLMETH, RSQLDROP, GSQLNAMES) ---------------------------------
def _method_class(name: str, for_class) -> tuple[str, str]:
    """``(class, method)``: ``FOR`` names the class (RSQLMETH), else ``<package>.meth<Name>`` (GSQLNAMES); the
    method is the SQL name without punctuation (GSQLNAMES)."""
    schema, sqlname = split_name(name)
    method = re.sub(r"[^A-Za-z0-9%]", "", sqlname)
    if not _OS_NAME.fullmatch(method):
        raise SqlError(-400, f"simulator: the method name '{sqlname}' gives no valid method name; it is {NOT_MODELLED}")
    if for_class:
        return (for_class if "." in for_class else "User." + for_class), method  # [inf] an unqualified class
    return _package_of(schema) + ".meth" + method, method


def _methods_source(cls: str, methods: list) -> tuple[str, dict]:
    """UDL text of a class made by CREATE METHOD, and the UDL line of each method's first body line."""
    text = f"/// CREATE METHOD (SQL DDL)\nClass {cls}\n{{\n"
    first = {}
    for meta in methods:
        text += f"\nClassMethod {meta['method']}({', '.join(p for p, dummy in meta['params'])})\n{{\n"
        first[meta["method"]] = text.count("\n") + 1
        text += meta["body"] + "\n}\n"
    return text + "\n}\n", first


def _store_methods(proc, cls: str, methods: list, compile_method: str = "") -> None:
    """Compile the class made of ``methods`` and store it (or delete it when ``methods`` is empty)."""
    db, table = classdefs.routines_db(proc), classdefs.class_table(proc)
    if not methods:
        table.pop(cls, None)  # iris-sources.md RSQLDROP: a class left empty is deleted [inf for the current IRIS]
    else:
        text, first = _methods_source(cls, methods)
        try:
            classdefs.compile_tree(classdefs.parse_class(text))
        except classdefs.CompileError as exc:
            start = first.get(compile_method, 0)
            where = f" (code_body line {exc.line - start + 1})" if compile_method and exc.line >= start else ""
            raise SqlError(-400, f"Compile error in {cls}{where}: {exc.text}") from exc  # [inf] wording
        table[cls] = {"source": text, "file": "", "compiled": classdefs.source_hash(text), "sqlmethods": methods}
    db.dirty = True
    classdefs.forget_classes(proc)


def _create_method(proc, plan: dict) -> SqlResult:
    """CREATE METHOD: a class method added to the FOR class, created when missing (RSQLMETH, GSQLNAMES)."""
    cls, method = _method_class(plan["name"], plan["for"])
    if plan["replace"]:
        raise SqlError(-400, f"simulator: CREATE OR REPLACE METHOD is {NOT_MODELLED}")
    entry = classdefs.class_table(proc).get(cls)
    methods = []
    if entry is not None:
        if "sqlmethods" not in entry:
            raise SqlError(-400, f"simulator: adding a method to the class '{cls}' (not made by CREATE METHOD) is "
                                 f"{NOT_MODELLED}")
        methods = list(entry["sqlmethods"])
        for meta in methods:
            if meta["method"] == method:
                raise SqlError(-361, f"Method '{method}' already exists in class '{cls}'")  # RSQLMETH
            if meta["method"].upper() == method.upper():
                raise SqlError(-400, f"simulator: methods '{meta['method']}' and '{method}' differing only in letter "
                                     f"case are {NOT_MODELLED}")
    elif objects.class_exists(cls):
        raise SqlError(-400, f"simulator: adding a method to the system class '{cls}' is {NOT_MODELLED}")
    _check_indented(plan["body"])
    for pname, dummy in plan["params"]:
        if not _OS_NAME.fullmatch(pname):
            raise SqlError(-400, f"simulator: parameter name '{pname}' (not an ObjectScript variable name) is "
                                 f"{NOT_MODELLED}")
    methods.append({"method": method, "params": [list(p) for p in plan["params"]], "returns": plan["returns"],
                    "body": plan["body"]})
    _store_methods(proc, cls, methods, method)
    return SqlResult()


def _drop_method(proc, plan: dict) -> SqlResult:
    """DROP METHOD [IF EXISTS] name [FROM className] (RSQLDROP): -362 no such method, -360 no such FROM class."""
    cls, method = _method_class(plan["name"], plan["from"])
    entry = classdefs.class_table(proc).get(cls)
    if entry is None:
        if plan["if_exists"]:
            return SqlResult()  # [inf] IF EXISTS also covers a missing class
        if plan["from"]:
            raise SqlError(-360, f"Class '{cls}' does not exist")  # RSQLDROP
        raise SqlError(-362, f"Method '{method}' does not exist")  # RSQLDROP [inf: no FROM, so no class was named]
    if "sqlmethods" not in entry:
        raise SqlError(-400, f"simulator: DROP METHOD of a method of the class '{cls}' (not made by CREATE METHOD) is "
                             f"{NOT_MODELLED}")
    methods = [meta for meta in entry["sqlmethods"] if meta["method"] != method]
    if len(methods) == len(entry["sqlmethods"]):
        if plan["if_exists"]:
            return SqlResult()  # RSQLDROP: IF EXISTS suppresses the error
        raise SqlError(-362, f"Method '{method}' does not exist in class '{cls}'")  # RSQLDROP
    _store_methods(proc, cls, methods)
    return SqlResult()


def lookup(inst, namespace: str, name: str, context: str) -> dict:
    """The stored routine called ``name`` (``context`` "SELECT" or "CALL"), or the SQL error of a missing one."""
    dummy, dummy2, table = _table(inst, namespace, None)
    schema, sqlname = split_name(name)
    found = _find(table, sql_key(schema, sqlname))
    if found is None or found[1].get("compiled") != classdefs.source_hash(found[1]["source"]):
        if context == "SELECT":
            raise SqlError(-359, f"User defined SQL function '{schema}.{sqlname}' does not exist")  # [inf] code
        raise SqlError(-428, f"Stored procedure '{schema}.{sqlname}' not found")  # [inf] code
    meta = found[1]["sqlproc"]
    if context == "SELECT" and not meta.get("returns"):
        raise SqlError(-400, f"simulator: calling '{schema}.{sqlname}' (no RETURNS) in a SELECT is {NOT_MODELLED}")
    return meta


def call(inst, namespace: str, name: str, args: list, proc, context: str):
    """Run the routine in ``proc`` (a new process when None) with SQL values; its value (None for NULL)."""
    meta = lookup(inst, namespace, name, context)
    if len(args) > len(meta["params"]):
        raise SqlError(-400, f"simulator: {len(args)} arguments for the {len(meta['params'])} parameters of "
                             f"'{meta['schema']}.{meta['name']}' are {NOT_MODELLED}")
    proc = _process(inst, namespace, proc)
    arguments = ["" if a is None else a for a in args]  # [inf] SQL NULL arrives as "" in ObjectScript
    try:
        value = objects.call_class_method(proc, meta["class"], meta["method"], arguments)
    except (IrisError, ThrowSignal) as exc:
        from iris_sim.interp import uncaught_text  # pylint: disable=import-outside-toplevel
        # T47: -400 is the general error; the ObjectScript error text follows [inf: IRIS's %msg wording]
        raise SqlError(-400, f"Fatal error occurred: {uncaught_text(exc)} (in {meta['class']}.{meta['method']})") \
            from exc
    except SessionEnd as exc:
        raise SqlError(-400, f"simulator: HALT inside the SQL routine {meta['class']}.{meta['method']} (it would "
                             f"end the server process) is {NOT_MODELLED}") from exc
    if value is None or value == "":
        return None  # [inf] no value / "" is SQL NULL
    return value


@register
class SqlSchema(SimClass):
    """``%SYSTEM.SQL.Schema`` (``$SYSTEM.SQL.Schema``): only ProcedureExists is modelled."""

    name = "%SYSTEM.SQL.Schema"
    source = "iris-sources.md T43"
    instantiable = False

    @class_method("ProcedureExists", source="T43; iris-sources.md IRISREF24 (%SYSTEM.SQL.Schema.ProcedureExists doc)")
    def procedure_exists(cls, proc, procname="", metadata=None):
        """1 when a procedure of that SQL name exists in the namespace (T43), else 0.  ``.metadata`` gets
        ``$ListBuild(SchemaName, ProcedureName, Classname, Procedure type)``, ``""`` when 0 (IRISREF24); the type is
        "function" as in the doc's example of a procedure projected by a class method (the simulator has no query
        procedures)."""
        inst = proc.instance
        schema, sqlname = split_name(values.to_str(procname))
        found = _find(classdefs.class_table(proc), sql_key(schema, sqlname)) if inst is not None else None
        if isinstance(metadata, ByRef):
            meta = found[1]["sqlproc"] if found else None
            metadata.value = values.list_build([meta["schema"], meta["name"], found[0], "function"]) if found else ""
        return 1 if found else 0
