# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""%SQL.Statement subset (iris-api.md §1.3, §3.3) and ^SystemPerformance (§2.1-§2.2)."""

from __future__ import annotations

import os
import time

from iris_sim.models import sysperf
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

DIRECT = '##class(%SQL.Statement).%ExecDirect(,'


def test_sql_user_table_roundtrip(sim):
    """CREATE/INSERT/SELECT WHERE/ORDER BY/COUNT/DELETE/DROP in SQLUser, stored in the globals DB."""
    sim.run("USER", f'set rs={DIRECT}"CREATE TABLE Person (Name VARCHAR(20), Age INTEGER)")',
            f'for i=1:1:3 set rs={DIRECT}"INSERT INTO Person (Name, Age) VALUES (?,?)","p"_i,40+i)')
    out = sim.run("USER", 'set st=##class(%SQL.Statement).%New()',
                  'set sc=st.%Prepare("SELECT Name, Age FROM SQLUser.Person WHERE Age > ? ORDER BY Age DESC")',
                  'set rs=st.%Execute(41) while rs.%Next() { write rs.%Get("Name"),rs.%GetData(2)," " } write rs.%ROWCOUNT')
    assert out == "p343 p242 2"
    assert sim.run("USER", f'set rs={DIRECT}"SELECT COUNT(*) FROM Person WHERE Name = \'P1\'") do rs.%Next() write rs.%GetData(1)') == "1"
    assert sim.run("USER", f'set rs={DIRECT}"DELETE FROM Person WHERE Age = 41") write rs.%ROWCOUNT') == "1"
    assert "SQLUSER.PERSON" in sim.inst.namespace_db("USER").tables
    assert sim.run("USER", f'set rs={DIRECT}"SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES") do rs.%Next() write rs.%Get("TABLE_NAME")') == "Person"
    sim.run("USER", f'set rs={DIRECT}"DROP TABLE Person")')
    assert sim.run("USER", f'set rs={DIRECT}"SELECT * FROM Person") write rs.%SQLCODE') == "-30"


def test_sql_errors(sim):
    """-30 unknown table, -29 unknown column (§3.3), %Prepare status #5540 [inf]."""
    out = sim.run("%SYS", 'set st=##class(%SQL.Statement).%New(),sc=st.%Prepare("SELECT Name FROM Nope")',
                  'write $system.Status.GetErrorText(sc)')
    assert "SQLCODE: -30" in out
    out = sim.run("%SYS", 'set rs=##class(%SQL.Statement).%ExecDirect(,"SELECT Name FROM %SYS.Namespace_List()")',
                  'write rs.%SQLCODE')
    assert out == "-29"
    assert sim.run("%SYS", f'set rs={DIRECT}"SELECT Nsp FROM %SYS.Namespace_List()") do rs.%Next() write rs.%Get("Nsp")') == "%SYS"
    assert sim.run("%SYS", f'set rs={DIRECT}"SELEKT 1") write rs.%SQLCODE') == "-1"


def test_sql_insert_into_task_not_modelled(sim):
    """INSERT INTO %SYS.Task is refused (outcome unknown on IRIS, §1.3)."""
    out = sim.run("%SYS", f'set rs={DIRECT}"INSERT INTO %SYS.Task (Name) VALUES (\'x\')") write rs.%SQLCODE')
    assert out == "-400"


def test_profiles(sim):
    """addprofile validation, editprofile/delprofile of test refused, copy/gen (S13)."""
    assert sim.write("%SYS", '$$addprofile^SystemPerformance("p1","d",301,10)').startswith("0^")
    assert sim.write("%SYS", '$$addprofile^SystemPerformance("p1","d",5,10)') == "1"
    assert sim.write("%SYS", '$$addprofile^SystemPerformance("p1","d",5,10)').startswith("0^")
    assert sim.write("%SYS", '$$addprofile^SystemPerformance("bad name","d",5,10)').startswith("0^")
    assert sim.write("%SYS", '$$editprofile^SystemPerformance("test","x",5)').startswith("0^")
    assert sim.write("%SYS", '$$delprofile^SystemPerformance("test")').startswith("0^")
    assert sim.write("%SYS", '$$copyprofile^SystemPerformance("p1","p2")') == "1"
    assert sim.write("%SYS", '$$editprofile^SystemPerformance("p2",,20)') == "1"
    assert sim.inst.system["sp"]["profiles"]["p2"]["interval"] == 20
    assert sim.write("%SYS", '$$genprofile^SystemPerformance("1:30")') == "1"
    assert sim.inst.system["sp"]["profiles"]["90mins"]["count"] == 540


def test_run_materialises_files_and_report(sim):
    """run → YYYYMMDD_HHMMSS_profile; logs appear over time; report at the end; Collect (S13, S15)."""
    logdir = os.path.join(sim.root, "sp")
    sim.run("%SYS", f'do setlogdir^SystemPerformance("{logdir}")', 'write $$addprofile^SystemPerformance("quick","q",1,3)')
    assert sim.write("%SYS", "$$getlogdir^SystemPerformance()") == logdir + "/"
    runid = sim.write("%SYS", '$$run^SystemPerformance("quick")')
    assert len(runid.split("_")[0]) == 8 and len(runid.split("_")[1]) == 6 and runid.endswith("_quick")
    assert sim.write("%SYS", f'$$Collect^SystemPerformance("{runid}")').startswith("0^")
    with sim.inst.session_lock():
        sim.inst.reload()
        sysperf.observe(sim.inst, now=time.time() + 4)
        sim.inst.save()
    assert sorted(os.listdir(logdir))[:3] == [f"{runid}_{k}.log" for k in (1, 2, 3)]
    result = sim.write("%SYS", f'$$Collect^SystemPerformance("{runid}")')
    assert result.startswith("1^") and result.endswith(f"_IRIS_{runid}.html")
    assert os.path.exists(os.path.join(logdir, result[2:]))
    assert sim.write("%SYS", f'$$waittime^SystemPerformance("{runid}")') == "0"
    assert sim.write("%SYS", '$$waittime^SystemPerformance("nope")') == "-2^no such runid"
    assert sim.write("%SYS", '$$run^SystemPerformance("nope")') == "0"


def test_stop_deletes_logs(sim):
    """Stop(runid) deletes the logs by default and returns a:b:c:d_a:b:c:d (S13)."""
    runid = sim.write("%SYS", '$$run^SystemPerformance("test")')
    out = sim.write("%SYS", f'$$Stop^SystemPerformance("{runid}")')
    assert out.count(":") == 6 and "_" in out
    assert sim.write("%SYS", f'$$Stop^SystemPerformance("{runid}")').startswith("0^")
