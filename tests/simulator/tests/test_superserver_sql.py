# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""DB-API over the superserver with the real client 5.4.1 on the simulator's SQL engine (iris-sources.md WIRE §4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from superserver_support import fixture_served, guarded  # noqa: F401  pylint: disable=unused-import


@pytest.fixture(name="cur")
def fixture_cur(served):
    conn = served.connect()
    cur = conn.cursor()
    guarded(cur.execute, "CREATE TABLE Sample.Person (Name VARCHAR(50), Age INTEGER)")
    guarded(cur.executemany, "INSERT INTO Sample.Person (Name, Age) VALUES (?, ?)",
            [("Ann", 30), ("Bob", 40), ("Cy", 50)])
    yield cur
    guarded(conn.close)


def _rows(cur, sql, params=None):
    if params is None:
        guarded(cur.execute, sql)
    else:
        guarded(cur.execute, sql, params)
    return [tuple(r) for r in guarded(cur.fetchall)]


def test_select_literals_without_from(served):
    """WIRE §4.1/§4.2: literals travel as :%qpar(n) with cast codes; SELECT 1 describes as Expression_1 INTEGER."""
    cur = served.connect().cursor()
    assert _rows(cur, "SELECT 1, 'x', 1.5") == [(1, "x", Decimal("1.5"))]
    assert cur.description[0] == ("Expression_1", 4, None, None, 10, 0, 2)
    assert cur.description[1][:2] == ("Expression_2", 12)


def test_select_without_parameters(cur):
    rows = _rows(cur, "SELECT Name, Age FROM Sample.Person WHERE Age >= 40 ORDER BY Age DESC")
    assert rows == [("Cy", 50), ("Bob", 40)]
    assert [d[:2] for d in cur.description] == [("Name", 12), ("Age", 4)]


def test_select_with_parameters(cur):
    assert _rows(cur, "SELECT Name FROM Sample.Person WHERE Age > ? AND Name <> ?", [35, "Cy"]) == [("Bob",)]
    assert _rows(cur, "SELECT TOP 1 ID, Name FROM Sample.Person WHERE Name = ?", ["ann"]) == [(1, "Ann")]


def test_select_count_and_spaced_names(cur):
    assert _rows(cur, "SELECT COUNT(*) FROM SAMPLE.PERSON") == [(3,)]


def test_update_rowcount_and_persistence(served, cur):
    assert guarded(cur.execute, "UPDATE Sample.Person SET Age = ? WHERE Name = ?", [41, "Bob"]) == 1
    assert cur.rowcount == 1
    assert guarded(cur.execute, "UPDATE Sample.Person SET Age = 1 WHERE Name = 'Nobody'") == 0
    assert served.run("USER", 'set r=##class(%SQL.Statement).%ExecDirect(,"SELECT Age FROM Sample.Person WHERE Name=\'Bob\'") '
                              'do r.%Next() write r.%Get("Age")') == "41"


def test_executemany_sums_rowcounts(cur):
    guarded(cur.executemany, "UPDATE Sample.Person SET Age = ? WHERE Name = ?", [(31, "Ann"), (51, "Cy"), (9, "Zed")])
    assert cur.rowcount == 2
    assert _rows(cur, "SELECT Age FROM Sample.Person ORDER BY Age") == [(31,), (40,), (51,)]


def test_fetch_more_than_one_block(cur):
    """WIRE §4.2: status 0 = more rows; the client fetches the rest with FD (here 1,203 rows in blocks of 500)."""
    guarded(cur.executemany, "INSERT INTO Sample.Person (Name, Age) VALUES (?, ?)", [("p%d" % i, i) for i in range(1200)])
    rows = _rows(cur, "SELECT ID, Age FROM Sample.Person")
    assert len(rows) == 1203
    assert rows[-1] == (1203, 1199)
    guarded(cur.execute, "SELECT Name FROM Sample.Person")
    assert len(guarded(cur.fetchmany, 700)) == 700
    assert len(guarded(cur.fetchall)) == 503


def test_sql_errors_are_database_errors(served, cur):
    import iris.dbapi  # pylint: disable=import-outside-toplevel
    with pytest.raises(iris.dbapi.DatabaseError) as err:
        guarded(cur.execute, "SELECT Nope FROM Sample.Person")
    assert str(err.value) == "<SQL ERROR>; Details: [SQLCODE: <-29>:<Field 'NOPE' not found in the applicable tables>]"
    with pytest.raises(iris.dbapi.DatabaseError) as err:
        guarded(cur.execute, "SELECT Name FROM No.Table")
    assert "SQLCODE: <-30>" in str(err.value)


def test_unmodelled_sql_is_loud(served, cur):
    """Stored procedures (SP) are not modelled: the client raises, the server logs (never success)."""
    import iris.dbapi  # pylint: disable=import-outside-toplevel
    with pytest.raises(iris.dbapi.DatabaseError) as err:
        guarded(cur.callproc, "Sample.Proc", [7])
    assert "SQLCODE: <-400>" in str(err.value) and "SQL message 'SP' is not modelled" in str(err.value)
    assert "not modelled" in served.messages_log()


def test_commit_rollback_and_autocommit_off(served, cur):
    """Changes run under autocommit only: with autocommit off an UPDATE is refused loudly (a rollback could not
    undo it), so commit and rollback stay truthful."""
    import iris.dbapi  # pylint: disable=import-outside-toplevel
    conn = served.connect()
    guarded(conn.commit)
    guarded(conn.rollback)
    guarded(conn.setAutoCommit, False)
    c2 = conn.cursor()
    with pytest.raises(iris.dbapi.DatabaseError, match="autocommit off"):
        guarded(c2.execute, "UPDATE Sample.Person SET Age = 1")
    guarded(conn.rollback)
    assert _rows(c2, "SELECT COUNT(*) FROM Sample.Person WHERE Age = 1") == [(0,)]
    guarded(conn.close)


def test_direct_execute_query_and_refused_direct_update(served, cur):
    """WIRE §4.2: DQ gets two replies (metadata, then rows); DU is not modelled and refused loudly."""
    import iris.dbapi  # pylint: disable=import-outside-toplevel
    assert guarded(cur.direct_execute, "SELECT Name FROM Sample.Person WHERE Age > ?", [35]) == -1
    assert [d[:2] for d in cur.description] == [("Name", 12)]
    assert [tuple(r) for r in guarded(cur.fetchall)] == [("Bob",), ("Cy",)]
    with pytest.raises(iris.dbapi.DatabaseError, match="SQL message 'DU' is not modelled"):
        guarded(cur.direct_execute, "UPDATE Sample.Person SET Age = 2")
    assert "SQL message 'DU' is not modelled" in served.messages_log()
    assert _rows(cur, "SELECT COUNT(*) FROM Sample.Person WHERE Age = 2") == [(0,)]
