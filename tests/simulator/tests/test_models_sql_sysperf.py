# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""%SQL.Statement subset (iris-sources.md §1.3, §3.3) and ^SystemPerformance (§2.1-§2.2)."""

from __future__ import annotations

import os
import time

from iris_sim.models import sysperf
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

DIRECT = '##class(%SQL.Statement).%ExecDirect(,'


def sp_value(sim, expr):
    """Value of a ^SystemPerformance extrinsic, written after restoring the saved device (audit C14)."""
    return sim.run("%SYS", f"set io=$IO,v={expr} use io write v")


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
    runid = sp_value(sim, '$$run^SystemPerformance("quick")')
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
    assert sp_value(sim, '$$waittime^SystemPerformance("nope")') == "-2^no such runid"
    assert sp_value(sim, '$$run^SystemPerformance("nope")') == "0"


def test_stop_deletes_logs(sim):
    """Stop(runid) deletes the logs by default and returns a:b:c:d_a:b:c:d (S13)."""
    runid = sp_value(sim, '$$run^SystemPerformance("test")')
    out = sim.write("%SYS", f'$$Stop^SystemPerformance("{runid}")')
    assert out.count(":") == 6 and "_" in out
    assert sim.write("%SYS", f'$$Stop^SystemPerformance("{runid}")').startswith("0^")


def test_run_and_waittime_switch_the_current_device(sim):
    """Audit C14 / S4 (MCP live report): run and waittime leave another device current; a WRITE after the call
    is lost unless the program USEs its saved $IO again."""
    assert sim.run("%SYS", 'set r=$$run^SystemPerformance("test") write "R:",r') == ""
    assert sim.run("%SYS", 'write $$waittime^SystemPerformance("nope")') == ""
    assert sim.run("%SYS", 'set io=$IO,w=$$waittime^SystemPerformance("nope") use io write "W:",w') == "W:-2^no such runid"
    assert sim.run("%SYS", 'write $IO=$PRINCIPAL') == "1"
    # Errors still reach the terminal: "displays an error message on the principal device" (GCOSERR).
    assert "<UNDEFINED>" in sim.run("%SYS", 'set w=$$waittime^SystemPerformance("nope") write nope')
    # Other entry points do not switch (only run and waittime are reported).
    assert sim.write("%SYS", '$$getlogdir^SystemPerformance()').endswith("/mgr/")


def test_waittime_is_text_for_a_running_run_and_not_modelled_once_ended(sim):
    """Audit C8 / S1 (MCP live): waittime returns text such as "7 minutes", -2^no such runid for an unknown id;
    its value for an ended run is not sourced, so the simulator refuses loudly."""
    sim.run("%SYS", 'write $$addprofile^SystemPerformance("seven","s",60,7)')
    runid = sp_value(sim, '$$run^SystemPerformance("seven")')
    assert sp_value(sim, f'$$waittime^SystemPerformance("{runid}")') == "7 minutes"
    assert sp_value(sim, '$$Stop^SystemPerformance("' + runid + '",0)').count(":") == 6
    out = sim.run("%SYS", f'set io=$IO,w=$$waittime^SystemPerformance("{runid}") use io write w')
    assert "<FUNCTION>" in out and "not modelled" in out


def test_addprofile_strips_blanks_and_reports_duplicates_in_iris_words(sim):
    """Audit S2 (measured live): "bad name" returns 1 and is stored as "badname"; S3: a duplicate answers
    0^profile name exists already."""
    assert sim.write("%SYS", '$$addprofile^SystemPerformance("bad name","d",5,10)') == "1"
    assert "badname" in sim.inst.system["sp"]["profiles"] and "bad name" not in sim.inst.system["sp"]["profiles"]
    assert sim.write("%SYS", '$$addprofile^SystemPerformance("badname","d",5,10)') == "0^profile name exists already"


def test_zsearch_and_use(sim, tmp_path):
    """$ZSEARCH: full path of the first match of a wildcard, "" when none (RCOS_fzsearch); the continuation
    form is not modelled.  USE of a device that is not open is not modelled."""
    (tmp_path / "host_IRIS_20260101_000000_p.html").write_text("x")
    assert sim.write("%SYS", f'$ZSEARCH("{tmp_path}/*_20260101_000000_p.html")') == f"{tmp_path}/host_IRIS_20260101_000000_p.html"
    assert sim.write("%SYS", f'$ZSEARCH("{tmp_path}/*_nothing.html")') == ""
    assert "<FUNCTION>" in sim.write("%SYS", '$ZSEARCH("")')
    # a missing directory: not in the doc, so not modelled (never an invented "")
    assert "not modelled" in sim.write("%SYS", f'$ZSEARCH("{tmp_path}/missing/*.html")')
    assert "<COMMAND>" in sim.run("%SYS", 'use "/dev/tty9"')
