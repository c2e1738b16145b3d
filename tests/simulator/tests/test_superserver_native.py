# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Native API over the superserver with the real client 5.4.1 (iris-sources.md WIRE §5)."""

from __future__ import annotations

import gc

import pytest

from superserver_support import PASSWORD, fixture_served, guarded  # noqa: F401  pylint: disable=unused-import


@pytest.fixture(name="irs")
def fixture_irs(served):
    import iris  # pylint: disable=import-outside-toplevel
    conn = served.connect()
    yield guarded(iris.createIRIS, conn)
    guarded(conn.close)


def test_class_method_value(irs):
    assert guarded(irs.classMethodValue, "%SYSTEM.Version", "GetNumber") == "2025.1"
    assert guarded(irs.classMethodValue, "%SYSTEM.Version", "GetMajor") == 2025
    assert "IRIS-SIM simulator" in guarded(irs.classMethodString, "%SYSTEM.Version", "GetVersion")


def test_class_method_arguments_and_void(served, irs):
    with pytest.raises(RuntimeError, match=r"<CLASS DOES NOT EXIST> \*Security.Users"):
        guarded(irs.classMethodValue, "Security.Users", "Exists", "_SYSTEM")  # %SYS classes: not in USER
    import iris  # pylint: disable=import-outside-toplevel
    sys_irs = guarded(iris.createIRIS, served.connect(namespace="%SYS"))
    assert guarded(sys_irs.classMethodValue, "Security.Users", "Exists", "_SYSTEM") == 1
    assert guarded(sys_irs.classMethodValue, "Security.Users", "Exists", "NoSuchUser") == 0
    assert guarded(irs.classMethodValue, "%SYSTEM.Status", "IsOK", 1) == 1
    guarded(irs.classMethodVoid, "%SYSTEM.Version", "GetNumber")


def test_object_handle_invoke_and_release(served, irs):
    obj = guarded(irs.classMethodObject, "%Library.DynamicObject", "%New")
    guarded(obj.invokeVoid, "%Set", "answer", 42)
    assert guarded(obj.invoke, "%Get", "answer") == 42
    assert guarded(obj.invoke, "%ToJSON") == '{"answer":42}'
    with pytest.raises(RuntimeError) as err:
        guarded(obj.invoke, "NoSuchMethod")
    assert str(err.value) == "<METHOD DOES NOT EXIST> *NoSuchMethod,%Library.DynamicObject"
    # WIRE §5: after about 100 closed proxies the client releases them with %Net.Remote.Gateway %ReleaseObjects.
    for i in range(120):
        tmp = guarded(irs.classMethodObject, "%Library.DynamicObject", "%New")
        guarded(tmp.invokeVoid, "%Set", "i", i)
        del tmp
    gc.collect()
    assert guarded(irs.classMethodValue, "%SYSTEM.Version", "GetMajor") == 2025
    assert served.wait_log("released objects ")
    assert guarded(obj.invoke, "%Get", "answer") == 42  # the open handle survives the release


def test_globals_set_get_kill_isdefined(served, irs):
    guarded(irs.set, "v1", "^SimSS", "a", 1)
    guarded(irs.set, 7, "SimSS")
    assert guarded(irs.get, "^SimSS", "a", 1) == "v1"
    assert guarded(irs.getInteger, "^SimSS") == 7
    assert guarded(irs.isDefined, "^SimSS", "a") == 10
    assert guarded(irs.isDefined, "^SimSS") == 11
    assert guarded(irs.get, "^SimSS", "zz") is None   # WIRE §5: error 1009 → None
    assert served.write("USER", "^SimSS(\"a\",1)") == "v1"  # the shell sees the same global
    guarded(irs.kill, "^SimSS", "a")
    assert guarded(irs.isDefined, "^SimSS", "a") == 0
    guarded(irs.kill, "^SimSS")
    assert guarded(irs.isDefined, "^SimSS") == 0


def test_unmodelled_class_and_method_raise(served, irs):
    with pytest.raises(RuntimeError) as err:
        guarded(irs.classMethodValue, "No.Such", "X")
    assert str(err.value) == "<CLASS DOES NOT EXIST> *No.Such"
    with pytest.raises(RuntimeError) as err:
        guarded(irs.classMethodValue, "%SYSTEM.Version", "NoSuch")
    assert str(err.value) == "<METHOD DOES NOT EXIST> *NoSuch,%SYSTEM.Version"
    assert "<CLASS DOES NOT EXIST> *No.Such" in served.messages_log()


@pytest.mark.parametrize("call", ["increment", "tStart"])
def test_unmodelled_native_functions_raise(served, irs, call):
    with pytest.raises(RuntimeError) as err:
        guarded(getattr(irs, call), *((1, "^SimSS") if call == "increment" else ()))
    assert "is not modelled" in str(err.value)
    assert "is not modelled" in served.messages_log()


def test_global_values_unicode_and_large(irs):
    """WIRE §2: UTF-16 items for non-latin-1 text; medium/long items for 70 KB and 3 MB values."""
    text = "h\u00e9llo \u2713 \u4e16"
    guarded(irs.set, text, "^SimSS", text)
    assert guarded(irs.get, "^SimSS", text) == text
    for size in (70_000, 3_000_000):
        guarded(irs.set, "x" * size, "^SimSS", "big")
        assert guarded(irs.get, "^SimSS", "big") == "x" * size
    guarded(irs.set, -12345678901, "^SimSS", "n")
    assert guarded(irs.getLong, "^SimSS", "n") == -12345678901
    guarded(irs.kill, "^SimSS")


def test_property_get_and_set(served):
    """n 29/30 on a modelled class in %SYS; the set layout (oref, property, value) is [inf], accepted by the client."""
    import iris  # pylint: disable=import-outside-toplevel
    conn = served.connect(namespace="%SYS")
    irs = guarded(iris.createIRIS, conn)
    task = guarded(irs.classMethodObject, "%SYS.Task", "%New")
    guarded(task.set, "Name", "from-native")
    assert guarded(task.get, "Name") == "from-native"
    with pytest.raises(RuntimeError, match=r"^<PROPERTY DOES NOT EXIST> \*NoProp,%SYS.Task$"):
        guarded(task.set, "NoProp", 1)
    with pytest.raises(RuntimeError, match=r"^<CANNOT SET THIS PROPERTY> \*LastFinished,%SYS.Task$"):
        guarded(task.set, "LastFinished", 1)
    guarded(conn.close)


def test_parallel_connections(served):
    """One thread per connection; each request runs under the instance's session lock, so parallel clients
    neither block each other for good nor lose writes."""
    import iris  # pylint: disable=import-outside-toplevel

    def client(n):
        conn = iris.connect("127.0.0.1", served.port, "USER", "_SYSTEM", PASSWORD, timeout=5)
        irs = iris.createIRIS(conn)
        for i in range(20):
            irs.set(i, "^SimPar", n, i)
        values = [irs.get("^SimPar", n, i) for i in range(20)]
        conn.close()
        return values

    def run_all():
        import concurrent.futures  # pylint: disable=import-outside-toplevel
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            return list(pool.map(client, range(4)))

    assert guarded(run_all) == [list(range(20))] * 4
    assert served.write("USER", "$Order(^SimPar(3,\"\"),-1)") == "19"


STATE_CLASS = """Class Demo.State Extends %RegisteredObject
{

ClassMethod Remember(value) [ PublicList = idtKept ]
{
    set idtKept = value
}

ClassMethod Recall() As %String [ PublicList = idtKept ]
{
    quit $get(idtKept, "(none)")
}

ClassMethod Stop()
{
    halt
}

ClassMethod RememberShared(value)
{
    set %idtShared = value
}

}
"""


def _load_state_class(served, tmp_path):
    path = tmp_path / "State.cls"
    path.write_text(STATE_CLASS, encoding="utf-8")
    assert served.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d")') == "1"


def test_one_server_process_per_connection(served, tmp_path):
    """Public variables left by a call are there for the next call on the same connection, never on another."""
    _load_state_class(served, tmp_path)
    import iris  # pylint: disable=import-outside-toplevel
    first = guarded(iris.createIRIS, served.connect())
    guarded(first.classMethodVoid, "Demo.State", "Remember", "kept")
    assert guarded(first.classMethodValue, "Demo.State", "Recall") == "kept"
    second = guarded(iris.createIRIS, served.connect())
    assert guarded(second.classMethodValue, "Demo.State", "Recall") == "(none)"


def test_halt_in_a_server_process_is_refused_loudly(served, tmp_path):
    _load_state_class(served, tmp_path)
    import iris  # pylint: disable=import-outside-toplevel
    irs = guarded(iris.createIRIS, served.connect())
    with pytest.raises(RuntimeError, match="HALT in a superserver process is not modelled"):
        guarded(irs.classMethodVoid, "Demo.State", "Stop")
    assert served.wait_log("HALT in a superserver process is not modelled")
    assert guarded(irs.classMethodValue, "%SYSTEM.Version", "GetMajor") == 2025  # the connection goes on


def test_sql_and_native_calls_share_the_connections_process(served, tmp_path):
    """One connection is one server process for its SQL and its Native API calls alike."""
    _load_state_class(served, tmp_path)
    import iris  # pylint: disable=import-outside-toplevel
    conn = served.connect()
    cursor = guarded(conn.cursor)
    guarded(cursor.execute, "CREATE FUNCTION Demo.Shared() RETURNS VARCHAR(50) LANGUAGE OBJECTSCRIPT "
                            "{ quit $get(%idtShared, \"(none)\") }")
    guarded(cursor.execute, "SELECT Demo.Shared()")
    assert [tuple(row) for row in guarded(cursor.fetchall)] == [("(none)",)]
    guarded(guarded(iris.createIRIS, conn).classMethodVoid, "Demo.State", "RememberShared", "from native")
    guarded(cursor.execute, "SELECT Demo.Shared()")
    assert [tuple(row) for row in guarded(cursor.fetchall)] == [("from native",)]
