# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SQL DDL stored procedures (iris-sources.md T43-T46; DESIGN.md Contract 10): CREATE/DROP PROCEDURE|FUNCTION with
LANGUAGE OBJECTSCRIPT bodies, called through %SQL.Statement in a session, DB-API and the Native API (real client)."""

from __future__ import annotations

import pytest

# importing the models registers %SQL.Statement and %SYSTEM.SQL.Schema
import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from iris_sim import sql
from superserver_support import fixture_served, guarded  # noqa: F401  pylint: disable=unused-import
from test_models_support import Sim, fixture_sim  # noqa: F401  pylint: disable=unused-import

# The pattern the collection's native transport uses: the program's lines arrive as one argument, each line runs
# with XECUTE and leaves its result in a % variable (public, so XECUTE sees it), which is the function's value.
# No ":<digit>" in the body: the 5.4.1 client's preparser rejects it in the statement text (see test below).
RUNNER = """CREATE FUNCTION IDT.Run(prog VARCHAR(32000)) RETURNS VARCHAR(32000) LANGUAGE OBJECTSCRIPT
{
 set %idtOut="", i=0, n=$length(prog,$char(10))
 for {
  set i=i+1
  quit:i>n
  set line=$piece(prog,$char(10),i)
  if line'="" { xecute line }
 }
 quit %idtOut
}"""
PROGRAM = 'set %idtOut=%idtOut_"a"\nset x=2\nset %idtOut=%idtOut_(x*21)\n'


def _exec(sim, namespace, text, *args):
    """(SQLCODE, message, rows) of %SQL.Statement.%ExecDirect in a session; rows as '|'-joined lines."""
    quoted = '"' + text.replace('"', '""').replace("\n", '"_$char(10)_"') + '"'
    arglist = "".join("," + ('"' + a.replace('"', '""').replace("\n", '"_$char(10)_"') + '"') for a in args)
    out = sim.run(namespace, f"set r=##class(%SQL.Statement).%ExecDirect(,{quoted}{arglist})",
                  'write r.%SQLCODE,"~",r.%Message,"~"',
                  'while r.%Next() { write r.%GetData(1),"|" }')
    code, message, rows = out.split("~", 2)
    return int(code), message, rows.replace("\r\n", "")


def test_function_runs_program_lines_in_a_session(sim):
    """T43/T44: the function is created, then called in a SELECT without FROM; XECUTE sees the % variable."""
    assert _exec(sim, "USER", RUNNER)[:2] == (0, "")
    code, message, rows = _exec(sim, "USER", "SELECT IDT.Run(?)", PROGRAM)
    assert (code, message, rows) == (0, "", "a42|")
    # a later session sees the stored class (T46: schema IDT → package IDT, class IDT.funcRun, method Run)
    assert sim.write("USER", '##class(IDT.funcRun).Run("set %idtOut=""direct""")') == "direct"
    # IRISREF24: the metadata is $LB(SchemaName, ProcedureName, Classname, Procedure type)
    assert sim.write("USER", '$SYSTEM.SQL.Schema.ProcedureExists("IDT.Run",.t)_"/"_$LISTTOSTRING(t,"|")') \
        == "1/IDT|Run|IDT.funcRun|function"
    assert sim.write("USER", '$SYSTEM.SQL.Schema.ProcedureExists("idt.run")') == "1"  # SQL names ignore case
    assert sim.write("%SYS", '$SYSTEM.SQL.Schema.ProcedureExists("IDT.Run")') == "0"  # per namespace


def test_function_with_from_runs_per_row(sim):
    assert _exec(sim, "USER", "CREATE TABLE Demo.T (Name VARCHAR(20))")[0] == 0
    for name in ("ann", "bob"):
        assert _exec(sim, "USER", "INSERT INTO Demo.T (Name) VALUES (?)", name)[0] == 0
    assert _exec(sim, "USER", 'CREATE FUNCTION Demo.Up(s VARCHAR(20)) RETURNS VARCHAR(20) LANGUAGE OBJECTSCRIPT '
                              '{ quit $zconvert(s,"U")_%sfx }')[0] == 0
    assert sim.run("USER", "set %sfx=\"!\"",
                   'set r=##class(%SQL.Statement).%ExecDirect(,"SELECT Demo.Up(Name) AS u FROM Demo.T ORDER BY Name")',
                   'while r.%Next() { write r.%Get("u"),"," }') == "ANN!,BOB!,"


def test_unqualified_procedure_naming_and_call(sim):
    """T46: an unqualified Store_Name gives class User.procStoreName with method StoreName; CALL runs it."""
    body = 'CREATE PROCEDURE Store_Name(v VARCHAR(10)) LANGUAGE OBJECTSCRIPT\n{\n set ^IDTStore=v\n}'
    assert _exec(sim, "USER", body)[:2] == (0, "")
    assert _exec(sim, "USER", "CALL Store_Name(?)", "kept")[:2] == (0, "")
    assert sim.write("USER", "^IDTStore") == "kept"
    assert sim.write("USER", '$SYSTEM.SQL.Schema.ProcedureExists("SQLUser.Store_Name")') == "1"
    assert sim.run("USER", 'do ##class(User.procStoreName).StoreName("again")', "write ^IDTStore") == "again"
    # a procedure has no RETURNS: not modelled as a SELECT item
    assert _exec(sim, "USER", "SELECT Store_Name('x')")[0] == -400


def test_for_class_names_the_class(sim):
    """T43: FOR my.class → the method is called as my.procname()."""
    assert _exec(sim, "USER", "CREATE FUNCTION Twice(n INTEGER) RETURNS INTEGER FOR Calc.Lib LANGUAGE OBJECTSCRIPT "
                              "{ quit n*2 }")[0] == 0
    assert _exec(sim, "USER", "SELECT Calc.Twice(21) AS v")[2] == "42|"
    assert sim.write("USER", "##class(Calc.Lib).Twice(5)") == "10"


def test_duplicate_drop_and_replace(sim):
    assert _exec(sim, "USER", RUNNER)[0] == 0
    code, message, dummy = _exec(sim, "USER", RUNNER)
    assert code == -361 and "IDT.Run" in message  # T43, T44
    assert _exec(sim, "USER", RUNNER.replace("IDT.Run", "IDT.RUN"))[0] == -400  # T44: differs only in case
    replaced = RUNNER.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION").replace("quit %idtOut", "quit 99")
    assert _exec(sim, "USER", replaced)[0] == 0
    assert _exec(sim, "USER", "SELECT IDT.Run('')")[2] == "99|"
    assert _exec(sim, "USER", "DROP PROCEDURE IDT.Run")[0] == -400  # the other kind: not modelled
    assert _exec(sim, "USER", "DROP FUNCTION IDT.Run")[:2] == (0, "")
    assert sim.write("USER", '$SYSTEM.SQL.Schema.ProcedureExists("IDT.Run",.t)_"/"_t') == "0/"
    assert sim.run("USER", 'write ##class(IDT.funcRun).Run("")') == "<CLASS DOES NOT EXIST> *IDT.funcRun"
    assert _exec(sim, "USER", "DROP FUNCTION IDT.Run")[0] == -362  # T45
    assert _exec(sim, "USER", "DROP FUNCTION IF EXISTS IDT.Run")[:2] == (0, "")  # T45
    assert _exec(sim, "USER", "DROP FUNCTION Run FROM IDT.funcNone")[0] == -360  # T45
    assert _exec(sim, "USER", "DROP FUNCTION IDT.Run()")[0] == -25  # T45
    assert _exec(sim, "USER", "SELECT IDT.Run('')")[0] == -359


def test_error_inside_the_body_is_an_sql_error(sim):
    assert _exec(sim, "USER", RUNNER)[0] == 0
    code, message, rows = _exec(sim, "USER", "SELECT IDT.Run(?)", "set %idtOut=undefinedVar")
    assert code == -400 and "<UNDEFINED> *undefinedVar" in message and rows == ""
    code, message, dummy = _exec(sim, "USER", "SELECT IDT.Run(?)", "halt")
    assert code == -400 and "HALT" in message


@pytest.mark.parametrize("text, code", [
    ("CREATE FUNCTION A.F() RETURNS INTEGER LANGUAGE SQL BEGIN RETURN 1; END", -400),
    ("CREATE FUNCTION A.F() RETURNS INTEGER BEGIN RETURN 1; END", -400),
    ("CREATE FUNCTION A.F() RETURNS INTEGER { quit 1 }", -400),  # no LANGUAGE: SQL is the default (T44)
    ("CREATE PROCEDURE A.P() LANGUAGE PYTHON EXTERNAL NAME 'x.y'", -400),
    ("CREATE PROCEDURE A.P(OUT x INTEGER) LANGUAGE OBJECTSCRIPT { set x=1 }", -400),
    ("CREATE PROCEDURE A.P(x INTEGER DEFAULT 1) LANGUAGE OBJECTSCRIPT { quit }", -400),
    ("CREATE PROCEDURE A.P() FINAL LANGUAGE OBJECTSCRIPT { quit }", -400),
    ("CREATE PROCEDURE A.P() RESULT SETS LANGUAGE OBJECTSCRIPT { quit }", -400),
    ("CREATE OR REPLACE METHOD A.M() LANGUAGE OBJECTSCRIPT { quit }", -400),
    ("CREATE QUERY A.Q() SELECT 1", -400),
    ("CREATE PROCEDURE A.P() NONSENSE LANGUAGE OBJECTSCRIPT { quit }", -47),  # T43
    ("CREATE PROCEDURE A.P() LANGUAGE OBJECTSCRIPT LANGUAGE OBJECTSCRIPT { quit }", -44),  # T43
    ("CREATE PROCEDURE A.P() LANGUAGE OBJECTSCRIPT {\nlabel quit\n}", -400),  # T43: lines must be indented
    ("CREATE PROCEDURE A.P() LANGUAGE OBJECTSCRIPT { read x }", -400),  # a command the interpreter lacks
    ("CREATE PROCEDURE A.P() LANGUAGE OBJECTSCRIPT { set x=( }", -400),  # compile (syntax) error
    ("DROP QUERY A.Q", -400),
])
def test_unmodelled_or_invalid_ddl_is_a_loud_error(sim, text, code):
    got, message, dummy = _exec(sim, "USER", text)
    assert got == code, message
    if code == -400:
        assert message
    assert sim.write("USER", '$SYSTEM.SQL.Schema.ProcedureExists("A.P")_$SYSTEM.SQL.Schema.ProcedureExists("A.F")') \
        == "00"


def test_parse_keeps_the_body_verbatim():
    plan = sql.parse("CREATE FUNCTION X.F(a VARCHAR(5), IN b INTEGER) RETURNS NUMERIC(10,2) LANGUAGE OBJECTSCRIPT "
                     "{\n quit \"{'}\"_a_b\n};")
    assert plan["body"] == "\n quit \"{'}\"_a_b\n"
    assert plan["params"] == [("a", "VARCHAR(5)"), ("b", "INTEGER")]
    assert (plan["returns"], plan["routine"], plan["replace"]) == ("NUMERIC(10,2)", "function", False)


# -- the real client 5.4.1 over the simulator's superserver -------------------------------------------------
def _create_runner(served):
    conn = served.connect()
    cur = conn.cursor()
    guarded(cur.execute, RUNNER)
    return conn, cur


def test_dbapi_creates_and_calls_the_function(served):
    conn, cur = _create_runner(served)
    guarded(cur.execute, "SELECT IDT.Run(?)", [PROGRAM])
    assert [tuple(r) for r in guarded(cur.fetchall)] == [("a42",)]
    assert cur.description[0][:2] == ("Expression_1", 12)  # RETURNS VARCHAR → ODBC VARCHAR (WIRE §4.2)
    guarded(cur.execute, "SELECT IDT.Run('set %idtOut=7') AS r")  # a literal travels as :%qpar (WIRE §4.1)
    assert [tuple(r) for r in guarded(cur.fetchall)] == [("7",)]
    guarded(conn.close)


def test_dbapi_long_argument(served):
    """A 100 KB program text goes through as one parameter, and a long value comes back whole (T43: the RETURNS
    length is ignored)."""
    dummy, cur = _create_runner(served)
    line = 'set %idtOut=%idtOut_"' + "x" * 1000 + '"\n'
    guarded(cur.execute, "SELECT IDT.Run(?)", [line * 100])
    (value,), = [tuple(r) for r in guarded(cur.fetchall)]
    assert len(value) == 100_000 and set(value) == {"x"}


def test_dbapi_errors(served):
    import iris  # pylint: disable=import-outside-toplevel
    dummy, cur = _create_runner(served)
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-361"):
        guarded(cur.execute, RUNNER)
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-400.*<UNDEFINED> \*nope"):
        guarded(cur.execute, "SELECT IDT.Run(?)", ["set %idtOut=nope"])
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-400.*WRITE in a superserver process"):
        guarded(cur.execute, "SELECT IDT.Run(?)", ['write "lost?"'])  # WIRE §8: where output goes is unknown
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-400.*CALL through execute\(\)"):
        guarded(cur.execute, "CALL IDT.Run(?)", ["set %idtOut=1"])
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-400.*LANGUAGE SQL"):
        guarded(cur.execute, "CREATE FUNCTION IDT.S() RETURNS INTEGER LANGUAGE SQL BEGIN RETURN 1; END")
    guarded(cur.execute, "DROP FUNCTION IDT.Run")
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-359"):
        guarded(cur.execute, "SELECT IDT.Run(?)", ["set %idtOut=1"])


def test_dbapi_client_rejects_colon_digit_in_the_body(served):
    """Seen with the real client 5.4.1: its preparser takes ``:1`` in the text (even inside the ObjectScript body, as in
    ``for i=1:1:n``) for a host variable and refuses the statement before sending it."""
    cur = served.connect().cursor()
    with pytest.raises(Exception, match=r"First value cannot be a digit"):
        guarded(cur.execute, "CREATE FUNCTION IDT.L() RETURNS INTEGER LANGUAGE OBJECTSCRIPT {\n for i=1:1:3 { }\n}")


def test_native_api_calls_the_generated_class(served):
    """T44/T46: CREATE FUNCTION IDT.Run → class IDT.funcRun, method Run, callable with classMethodValue."""
    import iris  # pylint: disable=import-outside-toplevel
    _create_runner(served)
    native = iris.createIRIS(served.connect())
    assert guarded(native.classMethodValue, "IDT.funcRun", "Run", PROGRAM) == "a42"


def test_dbapi_sees_a_replacement_made_on_another_connection(served):
    dummy, cur = _create_runner(served)
    guarded(cur.execute, "SELECT IDT.Run(?)", [PROGRAM])
    assert [tuple(r) for r in guarded(cur.fetchall)] == [("a42",)]
    other = served.connect().cursor()
    guarded(other.execute, RUNNER.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION").replace(
        "quit %idtOut", 'quit "v2:"_%idtOut'))
    guarded(cur.execute, "SELECT IDT.Run(?)", [PROGRAM])
    assert [tuple(r) for r in guarded(cur.fetchall)] == [("v2:a42",)]


def test_dbapi_unicode_and_null(served):
    dummy, cur = _create_runner(served)
    guarded(cur.execute, "SELECT IDT.Run(?)", ['set %idtOut="h\u00e9llo \u20ac \u4e2d"'])
    assert [tuple(r) for r in guarded(cur.fetchall)] == [("h\u00e9llo \u20ac \u4e2d",)]
    guarded(cur.execute, "SELECT IDT.Run(?)", [None])  # [inf] NULL arrives as "", "" comes back as NULL
    assert [tuple(r) for r in guarded(cur.fetchall)] == [(None,)]
