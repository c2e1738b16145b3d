# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SQL CREATE METHOD / DROP METHOD (iris-sources.md RSQLMETH, RSQLDROP, GSQLNAMES; DESIGN.md Contract "DDL methods")
and what a runner method of the native transport uses: XECUTE against public variables, name indirection, NEW
$NAMESPACE, OPEN/USE/CLOSE of the null device, argumentless LOCK, TROLLBACK:$TLEVEL; with the real client 5.4.1."""

from __future__ import annotations

import pytest

import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from superserver_support import PASSWORD, fixture_served, guarded  # noqa: F401  pylint: disable=unused-import
from test_models_support import Sim, fixture_sim  # noqa: F401  pylint: disable=unused-import
from test_sql_procedures import _exec

# The shape of the collection's runner (plugins/module_utils/_native_runner.py; the simulator never imports the
# collection, so this is a copy of its pattern, not its pinned text).  No ":<digit>" (the client's preparser).
RUNNER = """CREATE METHOD Run(IN idtzProgram VARCHAR(3641144), IN idtzNs VARCHAR(64), IN idtzKill VARCHAR(32000))
  RETURNS VARCHAR(3641144)
  FOR Sim.NativeV1
  LANGUAGE OBJECTSCRIPT
{
 new $NAMESPACE
 set idtzIO=$IO,idtzNul="/dev/null",idtzOut=""
 open idtzNul use idtzNul
 try {
  set $NAMESPACE=idtzNs
  xecute idtzKill
  set idtzN=$LENGTH(idtzProgram,$CHAR(10)),idtzI=0
  for {
   set idtzI=idtzI+1
   quit:idtzI>idtzN
   xecute $PIECE(idtzProgram,$CHAR(10),idtzI)
  }
  set idtzOut=$GET(@"idtOut")
 } catch idtzEx {
  set idtzOut=$GET(@"idtOut")_$CHAR(10)_idtzEx.DisplayString()
 }
 try { xecute idtzKill } catch {}
 lock
 trollback:$TLEVEL
 use idtzIO close idtzNul
 quit idtzOut
}"""


def _run(sim, namespace, program, ns="USER", kill="kill idtOut"):
    quoted = '"' + program.replace('"', '""').replace("\n", '"_$char(10)_"') + '"'
    return sim.write(namespace, f'##class(Sim.NativeV1).Run({quoted},"{ns}","{kill}")')


def test_create_method_makes_a_class_method_not_a_procedure(sim):
    assert _exec(sim, "USER", RUNNER)[:2] == (0, "")
    assert _run(sim, "USER", 'set idtOut="a" write "gone"\nset idtOut=idtOut_$NAMESPACE') == "aUSER"
    # RSQLMETH: a stored procedure only with the PROCEDURE keyword: no SQL name, no CALL
    assert sim.write("USER", '$SYSTEM.SQL.Schema.ProcedureExists("Sim.Run")') == "0"
    assert _exec(sim, "USER", "CALL Sim.Run('x','USER','kill idtOut')")[0] == -428
    # per namespace: the class lives in USER's routines database
    assert sim.run("%SYS", 'write ##class(Sim.NativeV1).Run("","USER","kill idtOut")') == \
        "<CLASS DOES NOT EXIST> *Sim.NativeV1"


def test_create_method_without_for_and_more_methods(sim):
    """GSQLNAMES: without FOR the class is <package>.meth<Name>; FOR an existing DDL class adds a method."""
    assert _exec(sim, "USER", "CREATE METHOD Demo.Twice(n INTEGER) RETURNS INTEGER LANGUAGE OBJECTSCRIPT { quit n*2 }")[0] == 0
    assert sim.write("USER", "##class(Demo.methTwice).Twice(21)") == "42"
    assert _exec(sim, "USER", "CREATE METHOD Thrice(n INTEGER) FOR Demo.methTwice LANGUAGE OBJECTSCRIPT { quit n*3 }")[0] == 0
    assert sim.write("USER", "##class(Demo.methTwice).Thrice(2)_##class(Demo.methTwice).Twice(2)") == "64"
    code, message, dummy = _exec(sim, "USER", "CREATE METHOD Thrice(n INTEGER) FOR Demo.methTwice LANGUAGE OBJECTSCRIPT "
                                              "{ quit 0 }")
    assert code == -361 and "Thrice" in message  # RSQLMETH
    # DROP one method: the class keeps the other; DROP the last: the class goes (RSQLDROP)
    assert _exec(sim, "USER", "DROP METHOD Thrice FROM Demo.methTwice")[:2] == (0, "")
    assert sim.write("USER", "##class(Demo.methTwice).Thrice(2)") == "<METHOD DOES NOT EXIST> *Thrice,Demo.methTwice"
    assert sim.write("USER", "##class(Demo.methTwice).Twice(2)") == "4"
    assert _exec(sim, "USER", "DROP METHOD Thrice FROM Demo.methTwice")[0] == -362
    assert _exec(sim, "USER", "DROP METHOD IF EXISTS Thrice FROM Demo.methTwice")[:2] == (0, "")
    assert _exec(sim, "USER", "DROP METHOD Demo.Twice")[:2] == (0, "")
    assert sim.write("USER", "##class(Demo.methTwice).Twice(2)") == "<CLASS DOES NOT EXIST> *Demo.methTwice"
    assert _exec(sim, "USER", "DROP METHOD Twice FROM Demo.methTwice")[0] == -360
    assert _exec(sim, "USER", "DROP METHOD IF EXISTS Twice FROM Demo.methTwice")[:2] == (0, "")


@pytest.mark.parametrize("text", [
    "CREATE METHOD Run() FOR Sim.NativeV1 LANGUAGE OBJECTSCRIPT { quit 1 }",  # the method exists: -361 (RSQLMETH)
    "CREATE METHOD M() FOR %SYSTEM.Version LANGUAGE OBJECTSCRIPT { quit 1 }",  # a system class
    "CREATE METHOD M() FOR Sim.procP LANGUAGE OBJECTSCRIPT { quit 1 }",  # a class made by CREATE PROCEDURE
    "CREATE METHOD run() FOR Sim.NativeV1 LANGUAGE OBJECTSCRIPT { quit 1 }",  # differs only in case
    "CREATE METHOD M() FOR Sim.Other LANGUAGE OBJECTSCRIPT { read x }",  # a command the interpreter lacks
    "DROP METHOD P FROM Sim.procP",  # not made by CREATE METHOD
])
def test_unmodelled_method_ddl_is_a_loud_error(sim, text):
    assert _exec(sim, "USER", RUNNER)[0] == 0
    assert _exec(sim, "USER", "CREATE PROCEDURE Sim.P() LANGUAGE OBJECTSCRIPT { quit }")[0] == 0
    code, message, dummy = _exec(sim, "USER", text)
    expected = -361 if text.startswith("CREATE METHOD Run()") else -400
    assert code == expected, message
    assert sim.write("USER", '##class(Sim.Other).M()') == "<CLASS DOES NOT EXIST> *Sim.Other"


def test_session_process_holds_the_privilege(sim):
    """RSQLMETH: CREATE METHOD needs %CREATE_METHOD (held through %All here [inf]); RSQLDROP: DROP METHOD %DROP_METHOD."""
    assert _exec(sim, "USER", RUNNER)[0] == 0
    out = sim.run("USER", 'set r=##class(%SQL.Statement).%ExecDirect(,"CREATE METHOD X() FOR Sim.Y LANGUAGE OBJECTSCRIPT '
                          '{ quit 1 }")', 'write r.%SQLCODE')
    assert out == "0"  # a session process (the instance owner, OS authentication) has %All [inf]


def test_runner_hygiene_in_a_session(sim):
    assert _exec(sim, "USER", RUNNER)[0] == 0
    # XECUTE sees public variables only; the kill list removes what the program left
    assert _run(sim, "USER", "set idtX=1\nset idtOut=$get(idtzOut,\"none\")_idtX", kill="kill idtOut,idtX") == "none1"
    assert sim.run("USER", 'set x=##class(Sim.NativeV1).Run("set idtOut=1","USER","kill idtOut,idtX")',
                   'write $data(idtX),$data(idtOut),x') == "001"
    # NEW $NAMESPACE: the caller's namespace comes back, also when the method fails
    assert sim.run("USER", 'set x=##class(Sim.NativeV1).Run("set idtOut=$NAMESPACE","%SYS","kill idtOut")',
                   'write x,"|",$NAMESPACE') == "%SYS|USER"
    assert sim.run("USER", 'set x=##class(Sim.NativeV1).Run("set $NAMESPACE=""%SYS"" set idtOut=1","USER","kill idtOut")',
                   'write x,"|",$NAMESPACE,"|",$IO') == "1|USER|/dev/pts/0"
    # an error that escapes a line (a syntax error of an XECUTE) is appended, and the run ends there
    assert _run(sim, "USER", 'set idtOut="a"\nset x=(\nset idtOut="b"') == "a\n<SYNTAX>"


def test_devices_and_commands_outside_the_model_are_refused(sim):
    assert sim.run("USER", 'open "/tmp/x"').startswith("<COMMAND> *simulator: OPEN of '/tmp/x' is not modelled")
    assert sim.run("USER", 'open "/dev/null":("W")').startswith("<COMMAND>")  # device parameters
    assert sim.run("USER", 'close "/dev/null"').startswith("<COMMAND>")  # not open
    assert sim.run("USER", 'open "/dev/null" use "/dev/null" close "/dev/null"').startswith("<COMMAND>")  # current
    assert sim.run("USER", 'open "/dev/null" use "/dev/null" write "x" use $PRINCIPAL close "/dev/null" write "y"') == "y"
    assert sim.run("USER", 'trollback').startswith("<COMMAND> *simulator: TROLLBACK is not modelled")
    assert sim.run("USER", 'trollback:$TLEVEL  write "ok"') == "ok"
    assert sim.run("USER", 'set x=@"y"') == "<UNDEFINED> *y"
    assert sim.run("USER", 'set y=5 write $get(@"y"),@"y"') == "55"
    assert sim.run("USER", 'set y(1)=5 write $get(@"y(1)")').startswith("<COMMAND>")  # subscripts: not modelled


# -- the real client 5.4.1 over the simulator's superserver -------------------------------------------------------
def test_native_api_reaches_the_created_method(served):
    import iris  # pylint: disable=import-outside-toplevel
    conn = served.connect()
    api = guarded(iris.createIRIS, conn)
    with pytest.raises(RuntimeError, match=r"^<CLASS DOES NOT EXIST> \*Sim.NativeV1$"):
        guarded(api.classMethodValue, "Sim.NativeV1", "Run", "set idtOut=1", "USER", "kill idtOut")
    cur = conn.cursor()
    guarded(cur.execute, RUNNER)
    program = 'set idtOut="",idtX=6\nwrite "to /dev/null"\nset idtOut=idtOut_(idtX*7)_$NAMESPACE'
    assert guarded(api.classMethodValue, "Sim.NativeV1", "Run", program, "USER", "kill idtOut,idtX") == "42USER"
    # the connection's one server process: public variables persist between calls unless killed
    assert guarded(api.classMethodValue, "Sim.NativeV1", "Run", "set idtOut=$data(idtX)_$data(idtY),idtY=1", "USER",
                   "kill idtOut") == "00"
    assert guarded(api.classMethodValue, "Sim.NativeV1", "Run", "set idtOut=$data(idtY)", "USER", "kill idtOut") == 1
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-361"):
        guarded(cur.execute, RUNNER)
    with pytest.raises(RuntimeError, match=r"^<METHOD DOES NOT EXIST> \*Nope,Sim.NativeV1$"):
        guarded(api.classMethodValue, "Sim.NativeV1", "Nope")
    guarded(cur.execute, "DROP METHOD Run FROM Sim.NativeV1")
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-360"):
        guarded(cur.execute, "DROP METHOD Run FROM Sim.NativeV1")
    with pytest.raises(RuntimeError, match=r"^<CLASS DOES NOT EXIST> \*Sim.NativeV1$"):
        guarded(api.classMethodValue, "Sim.NativeV1", "Run", "set idtOut=1", "USER", "kill idtOut")
    guarded(conn.close)


def test_real_client_create_method_needs_the_privilege(served):
    import iris  # pylint: disable=import-outside-toplevel
    assert served.run("%SYS", 'write ##class(Security.Users).Create("dev","%%Developer","%s")' % PASSWORD) == "1"
    conn = served.connect(user="dev")
    cur = conn.cursor()
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-99.*%CREATE_METHOD"):
        guarded(cur.execute, RUNNER)
    with pytest.raises(iris.dbapi.DatabaseError, match=r"-99.*%DROP_METHOD"):
        guarded(cur.execute, "DROP METHOD Run FROM Sim.NativeV1")
    admin = served.connect().cursor()
    guarded(admin.execute, RUNNER)
    # running it needs no SQL privilege: it is not a stored procedure [inf]
    api = guarded(iris.createIRIS, conn)
    assert guarded(api.classMethodValue, "Sim.NativeV1", "Run", "set idtOut=7", "USER", "kill idtOut") == 7


def test_lock_left_by_a_program_is_released(served):
    """Argumentless LOCK releases the process's locks (iris-sources.md LOCK): another connection gets the lock."""
    import iris  # pylint: disable=import-outside-toplevel
    conn = served.connect(namespace="%SYS")
    guarded(conn.cursor().execute, RUNNER)
    api = guarded(iris.createIRIS, conn)
    assert guarded(api.classMethodValue, "Sim.NativeV1", "Run", 'lock +^IDT("x"):0 set idtOut=$TEST', "%SYS",
                   "kill idtOut") == 1
    other = guarded(iris.createIRIS, served.connect(namespace="%SYS"))
    assert guarded(other.classMethodValue, "Sim.NativeV1", "Run", 'lock +^IDT("x"):0 set idtOut=$TEST', "%SYS",
                   "kill idtOut") == 1
