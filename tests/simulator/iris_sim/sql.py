# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The SQL subset behind ``%SQL.Statement`` (iris-sources.md §1.3, §3.3, §4.3).

Statements: ``SELECT [TOP n] cols|*|COUNT(*) FROM t [WHERE c op v [AND ...]] [ORDER BY c [ASC|DESC], ...]``,
``CREATE TABLE t (col type, ...)``, ``INSERT INTO t [(cols)] VALUES (...)``, ``UPDATE t SET c=v, ... [WHERE]``,
``DELETE FROM t [WHERE]``, ``DROP TABLE t``.  Values: ``?`` parameters, ``'text'``, numbers, ``NULL``.

Stored procedures (iris-sources.md T43, T44, T45, T46; models/sqlprocs.py runs them) and methods (RSQLMETH, RSQLDROP):
``CREATE [OR REPLACE] PROCEDURE|PROC|FUNCTION|METHOD name([IN] p type, ...) [RETURNS type] [FOR class]
LANGUAGE OBJECTSCRIPT { code_body }``, ``DROP PROCEDURE|PROC|FUNCTION|METHOD [IF EXISTS] name [FROM class]``,
``CALL name(args)``, and a function call as a SELECT item, ``SELECT [schema.]f(args) [AS a], ... [FROM t ...]``
(FROM optional: one row).  The body is cut out of the text before tokenizing (its ObjectScript is not SQL).
Every other procedure form (LANGUAGE SQL/JAVA/PYTHON/DOTNET, OUT/INOUT/DEFAULT, FINAL, PRIVATE, SELECTMODE,
RESULT SETS, CREATE QUERY) is SQLCODE -400 "not modelled by the simulator".

Tables:

* user tables, kept in the namespace's globals database (``Database.tables``), schema-qualified;
  an unqualified name is in schema ``SQLUser`` (iris-sources.md LESSONS §2.4: "A table created with
  no schema shows up as SQLUser.<Name>");
* ``%SYS.Task`` (columns = property names, S11 code-live; ``UPDATE`` accepted, §1.3);
* ``INFORMATION_SCHEMA.TABLES`` (lessons §2.4) and ``%SYS.Namespace_List()`` (§3.3: column ``Nsp``).

Errors carry SQLCODEs: -1 invalid statement, -29 unknown column (§3.3), -30 unknown table, -201 table
exists [inf], -400 for things the simulator does not model; for procedures -25, -44, -47, -99, -360, -361, -362
(T43, T44, T45, RSQLMETH, RSQLDROP), -359 unknown function [inf].  String comparison and ORDER BY use
IRIS's default SQLUPPER collation (case-insensitive; lessons §2.4 observed upper-cased values) [inf].
"""

from __future__ import annotations

import re

from iris_sim import values

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?|-?\.\d+)|(?P<param>\?)|"
                    r"(?P<id>[%A-Za-z_][\w%.]*)|(?P<qid>\"[^\"]+\")|(?P<op><>|!=|<=|>=|[=<>(),*]))")
TASK_TABLE = "%SYS.TASK"


class SqlError(Exception):
    """An SQL error with its SQLCODE."""

    def __init__(self, sqlcode: int, message: str):
        self.sqlcode = sqlcode
        self.message = message
        super().__init__(f"SQLCODE {sqlcode}: {message}")


class SqlResult:
    """Outcome of one execution: ``columns``, ``rows``, ``sqlcode``, ``message``, ``rowcount``."""

    def __init__(self, columns=None, rows=None, sqlcode=0, message="", rowcount=0, types=None):
        self.columns = columns or []
        self.rows = rows or []
        self.sqlcode = sqlcode
        self.message = message
        self.rowcount = rowcount
        self.types = types or {}  # column name -> SQL type, for columns that are not table columns


def tokenize(sql: str) -> list[tuple[str, str]]:
    """``[(kind, text), ...]``; anything unrecognised → SQLCODE -1."""
    tokens, pos, sql = [], 0, sql.strip().rstrip(";")
    while pos < len(sql):
        match = _TOKEN.match(sql, pos)
        if not match or match.end() == pos:
            if sql[pos:].strip() == "":
                break
            raise SqlError(-1, f"Invalid SQL statement near '{sql[pos:pos + 20]}'")
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "qid":
            kind, text = "id", text[1:-1]
        tokens.append((kind, text))
        pos = match.end()
    return tokens


class _Parser:  # pylint: disable=too-few-public-methods
    def __init__(self, sql: str):
        self.tokens = tokenize(sql)
        self.pos = 0
        self.nparams = 0

    def peek(self, upper=True) -> str:
        if self.pos >= len(self.tokens):
            return ""
        text = self.tokens[self.pos][1]
        return text.upper() if upper else text

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise SqlError(-1, f"Invalid SQL statement: unexpected end{', expected ' + expected if expected else ''}")
        token = self.tokens[self.pos]
        if expected is not None and token[1].upper() != expected:
            raise SqlError(-1, f"Invalid SQL statement: expected {expected}, found '{token[1]}'")
        self.pos += 1
        return token

    def kind(self) -> str:
        """Kind of the next token ("" at the end)."""
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else ""

    def ident(self) -> str:
        kind, text = self.take()
        if kind != "id":
            raise SqlError(-1, f"Invalid SQL statement: identifier expected, found '{text}'")
        return text

    def value(self):
        kind, text = self.take()
        if kind == "param":
            self.nparams += 1
            return ("param", self.nparams - 1)
        if kind == "str":
            return ("lit", text[1:-1].replace("''", "'"))
        if kind == "num":
            return ("lit", values.to_num(text))
        if kind == "id" and text.upper() == "NULL":
            return ("lit", None)
        raise SqlError(-1, f"Invalid SQL statement: value expected, found '{text}'")

    def done(self) -> None:
        if self.pos != len(self.tokens):
            raise SqlError(-1, f"Invalid SQL statement near '{self.tokens[self.pos][1]}'")


def _conditions(parser: _Parser) -> list:
    conds = []
    if parser.peek() != "WHERE":
        return conds
    parser.take("WHERE")
    while True:
        col = parser.ident()
        kind, op = parser.take()
        if kind != "op" or op not in ("=", "<>", "!=", "<", ">", "<=", ">="):
            raise SqlError(-1, f"Invalid SQL statement: unsupported operator '{op}'")
        conds.append((col, op, parser.value()))
        if parser.peek() != "AND":
            return conds
        parser.take("AND")


def parse(sql: str) -> dict:
    """Parse into a plan dict (``kind`` plus parts); errors → ``SqlError``."""
    text = values.to_str(sql)
    if _ROUTINE_DDL.match(text):
        plan = parse_create_routine(text)
        plan["nparams"] = 0
        return plan
    parser = _Parser(text)
    verb = parser.peek()
    handler = {"SELECT": _parse_select, "INSERT": _parse_insert, "UPDATE": _parse_update, "DELETE": _parse_delete,
               "CREATE": _parse_create, "DROP": _parse_drop, "CALL": _parse_call}.get(verb)
    if handler is None:
        raise SqlError(-1, f"Invalid SQL statement '{values.to_str(sql)[:40]}'")
    plan = handler(parser)
    parser.done()
    plan["nparams"] = parser.nparams
    return plan


def _table_name(parser: _Parser) -> str:
    name = parser.ident()
    if parser.peek() == "(":  # table-valued function, e.g. %SYS.Namespace_List()
        parser.take("(")
        parser.take(")")
        name += "()"
    return name


def _parse_select(parser: _Parser) -> dict:
    parser.take("SELECT")
    top = None
    if parser.peek() == "TOP":
        parser.take("TOP")
        top = values.to_int(parser.take()[1])
    cols = []
    while True:
        if parser.peek() == "*":
            parser.take()
            cols.append(("*", None))
        elif parser.peek() == "COUNT":
            parser.take()
            parser.take("(")
            parser.take("*")
            parser.take(")")
            cols.append(("count", None))
        elif parser.kind() != "id" or parser.peek() == "NULL":
            cols.append(("val", parser.value()))
        else:
            name = parser.ident()
            if parser.peek() == "(":
                cols.append(("func", name, _call_args(parser)))
            else:
                cols.append(("col", name))
        if parser.peek() == "AS":
            parser.take("AS")
            cols[-1] = cols[-1] + (parser.ident(),)
        if parser.peek() != ",":
            break
        parser.take(",")
    if parser.peek() == "":  # SELECT without FROM: one row of values and function results
        if any(c[0] in ("*", "count", "col") for c in cols):
            raise SqlError(-1, "Invalid SQL statement: a column or * needs FROM")
        return {"kind": "select", "cols": cols, "table": None, "where": [], "order": [], "top": top}
    if any(c[0] == "val" for c in cols):
        raise SqlError(-400, "simulator: a value as a SELECT item with FROM is not modelled")
    parser.take("FROM")
    table = _table_name(parser)
    conds = _conditions(parser)
    order = []
    if parser.peek() == "ORDER":
        parser.take("ORDER")
        parser.take("BY")
        while True:
            col = parser.ident()
            desc = False
            if parser.peek() in ("ASC", "DESC"):
                desc = parser.take()[1].upper() == "DESC"
            order.append((col, desc))
            if parser.peek() != ",":
                break
            parser.take(",")
    return {"kind": "select", "cols": cols, "table": table, "where": conds, "order": order, "top": top}


def _parse_insert(parser: _Parser) -> dict:
    parser.take("INSERT")
    parser.take("INTO")
    table = parser.ident()
    cols = None
    if parser.peek() == "(":
        parser.take("(")
        cols = [parser.ident()]
        while parser.peek() == ",":
            parser.take(",")
            cols.append(parser.ident())
        parser.take(")")
    parser.take("VALUES")
    parser.take("(")
    vals = [parser.value()]
    while parser.peek() == ",":
        parser.take(",")
        vals.append(parser.value())
    parser.take(")")
    return {"kind": "insert", "table": table, "cols": cols, "values": vals}


def _parse_update(parser: _Parser) -> dict:
    parser.take("UPDATE")
    table = parser.ident()
    parser.take("SET")
    sets = []
    while True:
        col = parser.ident()
        parser.take("=")
        sets.append((col, parser.value()))
        if parser.peek() != ",":
            break
        parser.take(",")
    return {"kind": "update", "table": table, "sets": sets, "where": _conditions(parser)}


def _parse_delete(parser: _Parser) -> dict:
    parser.take("DELETE")
    parser.take("FROM")
    table = parser.ident()
    return {"kind": "delete", "table": table, "where": _conditions(parser)}


def _parse_create(parser: _Parser) -> dict:
    parser.take("CREATE")
    parser.take("TABLE")
    table = parser.ident()
    parser.take("(")
    columns = []
    while True:
        name = parser.ident()
        ctype = _sql_type(parser)
        while parser.peek() in ("NOT", "NULL", "PRIMARY", "KEY", "UNIQUE"):
            parser.take()
        columns.append({"name": name, "type": ctype})
        if parser.peek() != ",":
            break
        parser.take(",")
    parser.take(")")
    return {"kind": "create", "table": table, "columns": columns}


def _parse_drop(parser: _Parser) -> dict:
    parser.take("DROP")
    if parser.peek() in ("PROCEDURE", "PROC", "FUNCTION", "METHOD"):
        return _parse_drop_routine(parser)
    if parser.peek() == "QUERY":
        raise SqlError(-400, f"simulator: DROP {parser.peek()} is {NOT_MODELLED}")
    parser.take("TABLE")
    return {"kind": "drop", "table": parser.ident()}


# -- stored procedures (iris-sources.md T43, T44, T45) -------------------------------------------
NOT_MODELLED = "not modelled by the simulator"
_ROUTINE_DDL = re.compile(r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:STATIC\s+)?(?:PROC|PROCEDURE|FUNCTION|METHOD|QUERY)\b",
                          re.IGNORECASE)
# T43, T44: the characteristics IRIS documents; the model runs none of them but RETURNS, FOR and LANGUAGE
_CHARACTERISTICS = ("RETURNS", "FOR", "LANGUAGE", "FINAL", "PRIVATE", "SELECTMODE", "RESULT", "DYNAMIC", "PROCEDURE",
                    "CONTAINID", "RESULTS")
_SQL_TYPE_ARGS = re.compile(r"\d+")


def _not_modelled(what: str) -> SqlError:
    return SqlError(-400, f"simulator: {what} is {NOT_MODELLED}")


def _body_start(text: str) -> int:
    """Index of the ``{`` that opens an ObjectScript code_body (outside SQL string literals), or -1."""
    quoted = False
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif char == "{" and not quoted:
            return index
    return -1


def _sql_type(parser: _Parser) -> str:
    ctype = parser.ident().upper()
    if parser.peek() == "(":
        parser.take("(")
        args = [parser.take()[1]]
        while parser.peek() == ",":
            parser.take(",")
            args.append(parser.take()[1])
        parser.take(")")
        if not all(_SQL_TYPE_ARGS.fullmatch(a) for a in args):
            raise SqlError(-1, f"Invalid SQL statement: type arguments of {ctype} must be integers")
        ctype += "(" + ",".join(args) + ")"
    return ctype


def parse_create_routine(text: str) -> dict:
    """``CREATE [OR REPLACE] PROCEDURE|PROC|FUNCTION|METHOD name(params) [characteristics] LANGUAGE OBJECTSCRIPT { body }``.

    T43 (CREATE PROCEDURE) and T44 (CREATE FUNCTION) synopses: IN/OUT/INOUT parameters with a type and an optional
    DEFAULT; characteristics in any order, separated by white space; an invalid characteristic is SQLCODE -47, a
    repeated one -44 (T43); LANGUAGE OBJECTSCRIPT bodies are in braces, LANGUAGE SQL (the default) is BEGIN ... END.
    Only IN parameters, RETURNS, FOR and LANGUAGE OBJECTSCRIPT are modelled."""
    head = re.match(r"\s*CREATE\s+(OR\s+REPLACE\s+)?(STATIC\s+)?(\w+)", text, re.IGNORECASE)
    kind = head.group(3).upper()
    if kind == "QUERY" or head.group(2):
        raise _not_modelled(f"CREATE {'STATIC ' if head.group(2) else ''}{kind}")
    brace = _body_start(text)
    header = text if brace < 0 else text[:brace]
    other = re.search(r"\bLANGUAGE\s+(SQL|JAVA|PYTHON|DOTNET)\b|\bBEGIN\b|\bEXTERNAL\s+NAME\b", header, re.IGNORECASE)
    if other:
        raise _not_modelled(f"a {kind} with '{' '.join(other.group(0).split()).upper()}' (only LANGUAGE OBJECTSCRIPT "
                            "{ ... } bodies are)")
    if brace < 0:
        raise _not_modelled(f"a {kind} without an ObjectScript body (LANGUAGE SQL is the default: T43, T44)")
    tail = text[brace:].rstrip().rstrip(";").rstrip()
    if not tail.endswith("}") or len(tail) < 2:
        raise SqlError(-1, "Invalid SQL statement: the ObjectScript code_body must end with '}'")
    body = tail[1:-1]
    parser = _Parser(header)
    parser.take("CREATE")
    replace = False
    if parser.peek() == "OR":
        parser.take("OR")
        parser.take("REPLACE")
        replace = True
    parser.take()
    name = parser.ident()
    parser.take("(")
    params = []
    while parser.peek() != ")":
        if parser.peek() in ("OUT", "INOUT"):
            raise _not_modelled(f"an {parser.peek()} parameter")
        if parser.peek() == "IN":
            parser.take("IN")
        pname = parser.ident()
        ptype = _sql_type(parser)
        if parser.peek() == "DEFAULT":
            raise _not_modelled("a parameter DEFAULT")
        params.append((pname, ptype))
        if parser.peek() != ",":
            break
        parser.take(",")
    parser.take(")")
    seen: set = set()
    returns = for_class = language = None
    while parser.peek():
        word = parser.peek()
        if word not in _CHARACTERISTICS:
            raise SqlError(-47, f"Invalid characteristic '{parser.peek(upper=False)}' for {kind}")  # T43: SQLCODE -47
        if word in seen:
            raise SqlError(-44, f"Duplicate characteristic '{word}'")  # T43: SQLCODE -44
        seen.add(word)
        parser.take()
        if word == "RETURNS":
            returns = _sql_type(parser)
        elif word == "FOR":
            for_class = parser.ident()
        elif word == "LANGUAGE":
            language = parser.ident().upper()
            if language != "OBJECTSCRIPT":
                raise _not_modelled(f"LANGUAGE {language}")
        else:
            raise _not_modelled(f"the characteristic {word}")
    if language is None:
        raise _not_modelled(f"a {kind} without LANGUAGE OBJECTSCRIPT (the default is LANGUAGE SQL: T43, T44)")
    routine = {"FUNCTION": "function", "METHOD": "method"}.get(kind, "procedure")
    return {"kind": "create_routine", "routine": routine, "name": name,
            "params": params, "returns": returns, "for": for_class, "body": body, "replace": replace}


def _parse_drop_routine(parser: _Parser) -> dict:
    """``DROP PROCEDURE|PROC|FUNCTION|METHOD [IF EXISTS] name [FROM className]`` (T45, iris-sources.md RSQLDROP)."""
    word = parser.take()[1].upper()
    if_exists = False
    if parser.peek() == "IF":
        parser.take("IF")
        parser.take("EXISTS")
        if_exists = True
    name = parser.ident()
    if parser.peek() == "(":
        raise SqlError(-25, f"Input encountered after end of query: DROP {word} takes the name without parentheses")
    from_class = None
    if parser.peek() == "FROM":
        parser.take("FROM")
        from_class = parser.ident()
    routine = {"FUNCTION": "function", "METHOD": "method"}.get(word, "procedure")
    return {"kind": "drop_routine", "routine": routine, "name": name,
            "if_exists": if_exists, "from": from_class}


def _call_args(parser: _Parser) -> list:
    """``(arg, ...)`` of a procedure or function call: values (``?``, literals, NULL) or column names."""
    parser.take("(")
    args = []
    while parser.peek() != ")":
        if parser.kind() == "id" and parser.peek() != "NULL":
            args.append(("col", parser.ident()))
        else:
            args.append(parser.value())
        if parser.peek() != ",":
            break
        parser.take(",")
    parser.take(")")
    return args


def _parse_call(parser: _Parser) -> dict:
    """``CALL name(args)`` (T43: a stored procedure runs with CALL)."""
    parser.take("CALL")
    name = parser.ident()
    args = _call_args(parser) if parser.peek() == "(" else []
    if any(a[0] == "col" for a in args):
        raise SqlError(-1, "Invalid SQL statement: CALL arguments are values or ?")
    return {"kind": "call", "name": name, "args": args}


# ---------------------------------------------------------------------------------------------
# execution
# ---------------------------------------------------------------------------------------------

def qualify(name: str) -> tuple[str, str]:
    """``(schema, table)``; unqualified → ``SQLUser`` (lessons §2.4)."""
    if name.endswith("()"):
        schema, dummy, table = name.rpartition(".")
        return schema or "SQLUser", table
    schema, dummy, table = name.rpartition(".")
    return (schema or "SQLUser"), table


def _key(name: str) -> str:
    schema, table = qualify(name)
    return f"{schema}.{table}".upper()


def _bind(value, params):
    kind, data = value
    if kind == "param":
        if data >= len(params):
            return None  # [inf] a missing parameter is NULL
        return values.normalise(params[data])
    return data


def _cmp_key(value):
    if value is None or value == "":
        return (0, 0, "")
    if values.is_number(value) or (isinstance(value, str) and values.is_canonical_number(value)):
        return (1, values.to_num(value), "")
    return (2, 0, values.to_str(value).upper().rstrip())  # SQLUPPER [inf]


def _matches(row: dict, conds, params) -> bool:
    for col, op, value in conds:
        left, right = _cmp_key(row.get(col)), _cmp_key(_bind(value, params))
        if row.get(col) is None or _bind(value, params) is None:
            return False
        result = {"=": left == right, "<>": left != right, "!=": left != right, "<": left < right, ">": left > right,
                  "<=": left <= right, ">=": left >= right}[op]
        if not result:
            return False
    return True


class _Source:
    """A table as seen by the executor: columns and ``{id: {col: value}}`` rows."""

    def __init__(self, name, columns, rows, table=None, kind="user"):
        self.name = name
        self.columns = columns
        self.rows = rows
        self.table = table
        self.kind = kind

    def column(self, name: str) -> str:
        """Exact column name for ``name`` (case-insensitive; ``%ID`` = ``ID``) or SQLCODE -29."""
        wanted = "ID" if name.upper() == "%ID" else name.upper()
        for col in self.columns:
            if col.upper() == wanted:
                return col
        raise SqlError(-29, f"Field '{name.upper()}' not found in the applicable tables")


def _source(inst, namespace: str, name: str) -> _Source:
    key = _key(name)
    if key == TASK_TABLE:
        from iris_sim.models import tasks  # pylint: disable=import-outside-toplevel
        return _Source("%SYS.Task", tasks.sql_columns(), tasks.sql_rows(inst), kind="task")
    if key == "INFORMATION_SCHEMA.TABLES":
        db = inst.namespace_db(namespace)
        rows = {}
        for i, table in enumerate(sorted(db.tables.values(), key=lambda t: (t["schema"], t["name"])), start=1):
            rows[i] = {"TABLE_SCHEMA": table["schema"], "TABLE_NAME": table["name"], "TABLE_TYPE": "BASE TABLE"}
        return _Source("INFORMATION_SCHEMA.TABLES", ["TABLE_SCHEMA", "TABLE_NAME", "TABLE_TYPE"], rows, kind="virtual")
    if key == "%SYS.NAMESPACE_LIST()":
        rows = {i: {"Nsp": ns, "Status": 1, "Remote": 0} for i, ns in enumerate(sorted(inst.config.namespaces()), 1)}
        return _Source("%SYS.Namespace_List()", ["Nsp", "Status", "Remote"], rows, kind="virtual")
    db = inst.namespace_db(namespace)
    table = db.tables.get(key)
    if table is None:
        raise SqlError(-30, f"Table '{key}' not found")
    cols = ["ID"] + [c["name"] for c in table["columns"]]
    rows = {rid: dict(zip(cols, [rid] + list(vals))) for rid, vals in table["rows"].items()}
    src = _Source(f"{table['schema']}.{table['name']}", cols, rows, table=table)
    src.db = db  # pylint: disable=attribute-defined-outside-init
    return src


def _routines():
    from iris_sim.models import sqlprocs  # pylint: disable=import-outside-toplevel
    return sqlprocs


def check(inst, namespace: str, plan: dict) -> None:
    """Prepare-time checks: tables and columns exist (-30/-29), functions in a SELECT exist (-359 [inf])."""
    if plan["kind"] in ("create", "create_routine", "drop_routine"):
        return
    if plan["kind"] == "call":
        _routines().lookup(inst, namespace, plan["name"], "CALL")
        return
    for item in plan.get("cols", []):
        if item[0] == "func":
            _routines().lookup(inst, namespace, item[1], "SELECT")
    if plan.get("table") is None and plan["kind"] == "select":
        return
    src = _source(inst, namespace, plan["table"])
    names = []
    if plan["kind"] == "select":
        names = [c[1] for c in plan["cols"] if c[0] == "col"] + [o[0] for o in plan["order"]]
        names += [a[1] for c in plan["cols"] if c[0] == "func" for a in c[2] if a[0] == "col"]
    elif plan["kind"] == "insert":
        names = plan["cols"] or []
    elif plan["kind"] == "update":
        names = [s[0] for s in plan["sets"]]
    names += [c[0] for c in plan.get("where", [])]
    for name in names:
        src.column(name)


def execute(inst, namespace: str, plan: dict, params=(), proc=None, describe=False) -> SqlResult:
    """Run a parsed, checked plan.  ``proc``: the calling process (procedures run in it; None = a new one);
    ``describe``: a SELECT gives its columns only and calls no function (DB-API prepare)."""
    kind = plan["kind"]
    if kind == "create":
        return _create(inst, namespace, plan)
    if kind == "create_routine":
        return _routines().create(inst, namespace, plan, proc)
    if kind == "drop_routine":
        return _routines().drop(inst, namespace, plan, proc)
    if kind == "call":
        args = [_bind(a, params) for a in plan["args"]]
        _routines().call(inst, namespace, plan["name"], args, proc, "CALL")
        return SqlResult()  # [inf] CALL gives no result set; a function's value is not returned by CALL here
    if kind == "select" and plan["table"] is None:
        return _select_values(inst, namespace, plan, params, proc, describe)
    src = _source(inst, namespace, plan["table"])
    if kind == "drop":
        if src.table is None:
            raise SqlError(-400, f"simulator: DROP of {src.name} is not modelled")
        del src.db.tables[_key(plan["table"])]
        src.db.dirty = True
        return SqlResult()
    where = [(src.column(c), op, v) for c, op, v in plan.get("where", [])]
    hits = [rid for rid, row in sorted(src.rows.items()) if _matches(row, where, params)]
    if kind == "select":
        if describe:
            hits = []
        return _select(src, plan, hits, params, (inst, namespace, proc))
    if kind == "insert":
        return _insert(src, plan, params)
    if kind == "update":
        return _update(inst, src, plan, hits, params)
    return _delete(inst, src, hits)


def _function_value(context, item, row, params, src=None):
    """The value of a function call item for one row: arguments bound, the function run (models/sqlprocs.py)."""
    inst, namespace, proc = context
    args = [row.get(src.column(a[1])) if a[0] == "col" else _bind(a, params) for a in item[2]]
    return _routines().call(inst, namespace, item[1], args, proc, "SELECT")


def _item_name(item, position: int) -> str:
    """Column name of a SELECT item: its alias, else ``Expression_<n>`` (WIRE §4.2: SELECT 1 → Expression_1) [inf
    for a function call]."""
    if item[0] == "func":
        return item[3] if len(item) > 3 else f"Expression_{position}"
    return item[2] if len(item) > 2 else f"Expression_{position}"


def _select_values(inst, namespace, plan, params, proc, describe) -> SqlResult:
    """``SELECT f(?), 'x' [AS a]`` without FROM: one row."""
    columns, types, row = [], {}, []
    for position, item in enumerate(plan["cols"], start=1):
        name = _item_name(item, position)
        columns.append(name)
        if item[0] == "func":
            types[name] = _routines().lookup(inst, namespace, item[1], "SELECT").get("returns") or "VARCHAR"
            row.append(None if describe else _function_value((inst, namespace, proc), item, {}, params))
        else:
            value = _bind(item[1], params)
            types[name] = ("INTEGER" if isinstance(value, int) else "NUMERIC" if isinstance(value, float)
                           else "VARCHAR")
            row.append(value)
    return SqlResult(columns, [] if describe else [row], types=types)


def _select(src: _Source, plan: dict, hits: list, params, context=None) -> SqlResult:
    for col, desc in reversed(plan["order"]):
        exact = src.column(col)
        hits.sort(key=lambda rid, c=exact: _cmp_key(src.rows[rid].get(c)), reverse=desc)
    if plan["top"] is not None:
        hits = hits[:plan["top"]]
    if any(c[0] == "count" for c in plan["cols"]):
        return SqlResult(["Aggregate_1"], [[len(hits)]], rowcount=1)
    columns, getters, types = [], [], {}
    for position, item in enumerate(plan["cols"], start=1):
        if item[0] == "*":
            for col in src.columns:
                if src.kind != "user" or col != "ID":
                    columns.append(col)
                    getters.append(col)
        elif item[0] == "func":
            name = _item_name(item, position)
            types[name] = _routines().lookup(context[0], context[1], item[1], "SELECT").get("returns") or "VARCHAR"
            columns.append(name)
            getters.append(item)
        else:
            exact = src.column(item[1])
            columns.append(item[2] if len(item) > 2 else exact)
            getters.append(exact)
    rows = [[_function_value(context, g, src.rows[rid], params, src) if isinstance(g, tuple) else src.rows[rid].get(g)
             for g in getters] for rid in hits]
    return SqlResult(columns, rows, rowcount=0, types=types)


def _coerce(ctype: str, value):
    if value is None:
        return None
    if ctype.startswith(("INT", "BIGINT", "SMALLINT", "TINYINT", "BIT")):
        return values.to_int(value)
    if ctype.startswith(("NUMERIC", "DECIMAL", "DOUBLE", "FLOAT")):
        return values.to_num(value)
    if ctype.startswith(("VARCHAR", "CHAR")) and "(" in ctype:
        limit = values.to_int(ctype.split("(")[1].split(",")[0])
        text = values.to_str(value)
        if len(text) > limit:
            raise SqlError(-104, f"Field validation failed: value '{text[:20]}...' longer than {limit}")
        return text
    return value


def _insert(src: _Source, plan: dict, params) -> SqlResult:
    if src.table is None:
        raise SqlError(-400, f"simulator: INSERT into {src.name} is not modelled "
                             "(iris-sources.md §1.3: use %SYS.Task %New/%Save)")
    table = src.table
    names = [c["name"] for c in table["columns"]]
    cols = [src.column(c) for c in plan["cols"]] if plan["cols"] else names
    if len(cols) != len(plan["values"]):
        raise SqlError(-1, "Invalid SQL statement: number of values does not match number of columns")
    row = [None] * len(names)
    for col, value in zip(cols, plan["values"]):
        if col == "ID":
            raise SqlError(-111, "Cannot INSERT into the ID column")
        idx = names.index(col)
        row[idx] = _coerce(table["columns"][idx]["type"], _bind(value, params))
    rid = int(table.get("next_id", 1))
    table["next_id"] = rid + 1
    table["rows"][rid] = row
    src.db.dirty = True
    return SqlResult(rowcount=1)


def _update(inst, src: _Source, plan: dict, hits: list, params) -> SqlResult:
    changes = {src.column(c): _bind(v, params) for c, v in plan["sets"]}
    if src.kind == "task":
        from iris_sim.models import tasks  # pylint: disable=import-outside-toplevel
        from iris_sim.models._common import OpError  # pylint: disable=import-outside-toplevel
        for rid in hits:
            try:
                tasks.sql_update(inst, rid, changes)
            except OpError as exc:
                raise SqlError(-104, f"Field validation failed: {exc.text}") from exc
        return SqlResult(rowcount=len(hits), sqlcode=0 if hits else 100)
    if src.table is None:
        raise SqlError(-400, f"simulator: UPDATE of {src.name} is not modelled")
    names = [c["name"] for c in src.table["columns"]]
    for rid in hits:
        for col, value in changes.items():
            idx = names.index(col)
            src.table["rows"][rid][idx] = _coerce(src.table["columns"][idx]["type"], value)
    src.db.dirty = bool(hits) or src.db.dirty
    return SqlResult(rowcount=len(hits), sqlcode=0 if hits else 100)


def _delete(inst, src: _Source, hits: list) -> SqlResult:
    if src.kind == "task":
        from iris_sim.models import tasks  # pylint: disable=import-outside-toplevel
        for rid in hits:
            tasks.sql_delete(inst, rid)
    elif src.table is None:
        raise SqlError(-400, f"simulator: DELETE from {src.name} is not modelled")
    else:
        for rid in hits:
            del src.table["rows"][rid]
        src.db.dirty = bool(hits) or src.db.dirty
    return SqlResult(rowcount=len(hits), sqlcode=0 if hits else 100)


def _create(inst, namespace: str, plan: dict) -> SqlResult:
    key = _key(plan["table"])
    if key in (TASK_TABLE, "INFORMATION_SCHEMA.TABLES"):
        raise SqlError(-201, f"Table '{key}' already exists")
    db = inst.namespace_db(namespace)
    if key in db.tables:
        raise SqlError(-201, f"Table '{key}' already exists")  # [inf] SQLCODE of a duplicate table
    schema, table = qualify(plan["table"])
    db.tables[key] = {"schema": schema, "name": table, "columns": plan["columns"], "rows": {}, "next_id": 1}
    db.dirty = True
    return SqlResult()


def run(inst, namespace: str, sql: str, params=(), proc=None) -> SqlResult:
    """Parse, check and execute; errors come back in the result (``sqlcode`` < 0, ``message``)."""
    try:
        plan = parse(sql)
        check(inst, namespace, plan)
        return execute(inst, namespace, plan, params, proc)
    except SqlError as exc:
        return SqlResult(sqlcode=exc.sqlcode, message=exc.message)
