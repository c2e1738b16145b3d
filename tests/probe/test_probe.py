# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the probe kit's own logic (parser, verdicts, table); no Docker.

Run by ``tools/run probe`` (and so by ``tools/run test``): ``cd tests/probe && pytest -p no:cacheprovider test_probe.py``.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import probe  # noqa: E402  pylint: disable=wrong-import-position


def test_program_markers_are_built_at_run_time_so_an_echo_is_not_a_result():
    p = probe.Program("abc123").emit("k", '"v"')
    text = p.text()
    assert text.endswith("halt\n")
    # The program text itself (what an echoing shell prints back) holds no complete marker.
    assert probe.parse_marks("abc123", text) == {}
    out = text + "\r\n%SYS><<P:abc123:k>>v<</P>>\r\n%SYS>"
    assert probe.parse_marks("abc123", out) == {"k": "v"}


def test_parse_marks_other_tokens_first_wins_and_multiline_values():
    out = "<<P:aa:k>>1<</P>> <<P:bb:k>>2<</P>> <<P:aa:k>>3<</P>> <<P:aa:m>>x\r\ny<</P>> <<P:aa:open>>no end"
    assert probe.parse_marks("aa", out) == {"k": "1", "m": "x\r\ny"}


def test_parse_errors_and_not_modelled():
    out = "%SYS>\r\n<METHOD DOES NOT EXIST> *TimePeriodLogicalToDisplay,%SYS.Task\r\n%SYS>\r\n<UNDEFINED> *x\r\n"
    assert probe.parse_errors(out) == ["METHOD DOES NOT EXIST", "UNDEFINED"]
    assert probe.says_not_modelled(out)
    assert probe.says_not_modelled("ERROR: TimePeriod 3 is Not Modelled by the simulator")
    assert not probe.says_not_modelled("%SYS>\r\n<UNDEFINED> *x\r\n")
    # An error name inside a value, not at the start of a line, is not an error of the session.
    assert probe.parse_errors("%SYS>save: error <CLASS DOES NOT EXIST> *X") == []


@pytest.mark.parametrize("good, tolerant, status", [(True, False, "ok"), (False, False, "FAIL"),
                                                    (False, True, "ok (tolerant)"), (True, True, "ok (tolerant)")])
def test_verdict(good, tolerant, status):
    assert probe.verdict(good, tolerant) == status


def test_slug_and_literal():
    assert probe.slug("containers.intersystems.com/intersystems/iris-community:2025.1") == \
        "containers.intersystems.com-intersystems-iris-community-2025.1"
    assert probe.slug("///") == "image"
    assert probe.os_literal('a"b') == '"a""b"'


def _rows():
    return [probe.Row("A1", "f|act", "x", "line1\nline2", probe.OK),
            probe.Row("B2", "g", "y", "z", probe.SKIP_SIM),
            probe.Row("C3", "h", "w", "v", probe.FAIL)]


def test_markdown_and_json_tables():
    rows = _rows()
    md = probe.render_markdown(rows, {"image": "img:1", "date": "2026-12-05T00:00:00Z"})
    assert "| row | fact | collection expects | observed | ok? |" in md
    assert "| A1 | f\\|act | x | line1 line2 | ok |" in md
    assert md.rstrip().endswith("rows: 3, not ok: 1 (C3)")
    data = json.loads(probe.render_json(rows, {"image": "img:1"}))
    assert [r["passed"] for r in data["rows"]] == [True, True, False]
    assert data["meta"]["image"] == "img:1"


def test_exit_code():
    rows = _rows()
    assert probe.exit_code(rows) == 1
    assert probe.exit_code(rows[:2]) == 0
    assert probe.exit_code([]) == 1  # no row at all is not a pass


class FakeInstance:
    """Answers programs from a table: substring of the program -> output."""

    def __init__(self, answers, is_sim=True):
        self.answers = answers
        self.is_sim = is_sim

    def run(self, program, **kwargs):
        text = program.text()
        for needle, out in self.answers.items():
            if needle in text:
                out = out.replace("TOKEN", program.token)
                return probe.Result(out, probe.parse_marks(program.token, out), probe.parse_errors(out), 0)
        return probe.Result("", {}, [], 0)


def _probes():
    def answered(inst, ctx):
        (v,) = inst.run(probe.Program().emit("v", "$ZV")).need("v")
        return v, v == "good"

    def crashes(inst, ctx):
        raise RuntimeError("boom")

    def missing(inst, ctx):
        inst.run(probe.Program().emit("v", "##class(X).Y()")).need("v")
        return "", True

    return [(probe.Row("R1", "f", "e"), answered, False),
            (probe.Row("R2", "f", "e"), crashes, False),
            (probe.Row("R3", "f", "e"), missing, False),
            (probe.Row("R4", "f", "e"), missing, True),
            (probe.Row("R5", "f", "e", tolerant=True), answered, False)]


ANSWERS = {"$ZV": "<<P:TOKEN:v>>bad<</P>>", "##class(X)": "\r\n<CLASS DOES NOT EXIST> *X\r\n"}


def test_run_probes_one_failure_does_not_hide_the_others_and_simulator_skips():
    rows = probe.run_probes(FakeInstance(ANSWERS, is_sim=True), _probes())
    assert [(r.key, r.status) for r in rows] == [
        ("R1", "FAIL"), ("R2", "FAIL"), ("R3", probe.SKIP_SIM), ("R4", "FAIL"), ("R5", "ok (tolerant)")]
    assert rows[0].observed == "bad"
    assert "boom" in rows[1].observed
    assert "CLASS DOES NOT EXIST" in rows[2].observed


def test_run_probes_real_iris_never_skips():
    rows = probe.run_probes(FakeInstance(ANSWERS, is_sim=False), _probes())
    assert rows[2].status == "FAIL"


def test_registered_probes_cover_the_brief():
    keys = [row.key for row, func, sim_required in probe.PROBES]
    assert len(keys) == len(set(keys))
    for key in ("A3", "A15", "A16", "B3", "B8", "B14", "B24", "B25", "C2", "C8", "C8-unknown", "C14", "D7", "D11",
                "D13", "F6", "F7", "F7-login", "F10", "F14", "F15", "H3"):
        assert key in keys


def test_registered_probes_cover_the_1_0_0_rows():
    keys = [row.key for row, func, sim_required in probe.PROBES]
    for key in ("N2-pending", "N6", "N10", "N11", "NF1", "NF2", "NF1-native", "NF2-native", "UT1", "UT2", "UT3",
                "IPM2", "IPM5", "IPMT7", "IPMT3", "IPMT8", "NR1", "NR2", "NR4", "NR6-lock", "NR6", "NR7"):
        assert key in keys


def test_abstract_rows_are_registered_and_their_sources_hold_the_keyword():
    """Rows ABS1 and ABS3 (docs/iris-sources.md) have probes; their classes are marked [ Abstract ]."""
    keys = [row.key for row, func, sim_required in probe.PROBES]
    assert "ABS1" in keys and "ABS3" in keys
    sources = probe.abs_class_sources("P.Base", "P.Sub")
    assert "Class P.Base Extends %RegisteredObject [ Abstract ]" in sources["Base.cls"]
    assert sources["Sub.cls"].startswith("Class P.Sub Extends P.Base\n")
    assert "[ Abstract ]" in probe.ABS_TEST_SOURCES["AbsBase.cls"]


def test_sqlcode_of_db_api_error_texts():
    assert probe.sqlcode_of("[SQLCODE: <-361>:<Method or Query name not unique>]") == -361
    assert probe.sqlcode_of("SQLCODE -99 privilege violation") == -99
    assert probe.sqlcode_of("<CLASS DOES NOT EXIST> *X") is None


def test_runner_ddl_is_the_probes_own_and_one_statement():
    ddl = probe.nr_ddl()
    assert ddl.startswith("CREATE METHOD Run(") and "FOR IrisProbe.NativeV1 LANGUAGE OBJECTSCRIPT" in ddl
    # NEW $NAMESPACE before the SET; LOCK and TROLLBACK:$TLEVEL before the quit; body lines indented (no labels).
    body = ddl.split("{", 1)[1]
    assert body.index("new $NAMESPACE") < body.index("set $NAMESPACE=ns") < body.index(" lock\n") < body.index("if $TLEVEL { trollback }")
    assert ":" not in ddl  # the client would read ":x" as a named parameter
    assert all(line.startswith(" ") for line in body.strip("\n}").split("\n") if line)
    assert "IrisDevTools" not in ddl  # never the collection's class: a parallel install must not collide
    assert probe.nr_where_ddl().startswith("CREATE METHOD Where() RETURNS VARCHAR(64) FOR IrisProbe.NativeV1")


def test_stream_program_writes_every_byte_and_emits_the_hash_in_hex():
    p = probe.Program("t1")
    probe.stream_lines(p, "/tmp/x.bin", b"\x00a\xff")
    text = p.text()
    assert 'LinkToFile("/tmp/x.bin")' in text and "set x=$char(0,97,255),sc=s.Write(x)" in text
    assert "SHAHashStream(256,s)" in text and "$extract(d,a\\16+1)_$extract(d,a#16+1)" in text
    for key in ("link", "write", "save", "size", "same", "hash"):
        assert ":%s>>" % key in text
    # every byte value appears in the data written by the rows
    assert set(probe.STREAM_DATA) == set(range(256))


def test_unit_test_results_program_and_verdict():
    p = probe.Program("t2")
    probe.ut_result_lines(p, "after", "r")
    text = p.text()
    assert '^UnitTest.Result(after,su,ca,"TestFail",1)' in text and "$listget(" in text
    good = {"r_suite": "probe/IrisProbe.UT", "r_pass": "1", "r_fail": "0", "r_assert": "0"}
    assert probe.ut_verdict(good, "r") == ("suite/case probe/IrisProbe.UT; TestPass 1, TestFail 0, its assertion 0", True)
    assert not probe.ut_verdict(dict(good, r_fail="1"), "r")[1]
    assert not probe.ut_verdict({}, "r")[1]
    assert "Extends %UnitTest.TestCase" in probe.UT_SOURCE and "Class IrisProbe.UT " in probe.UT_SOURCE


class SkipInstance(FakeInstance):
    native_port = None


def test_skips_are_clear_and_pass():
    rows = probe.run_probes(SkipInstance({}), [entry for entry in probe.PROBES if entry[0].key in ("IPM2", "IPM5")],
                            ctx={"ipm_installer": None})
    assert [(r.key, r.status, r.passed) for r in rows] == [("IPM2", probe.NO_IPM, True), ("IPM5", probe.NO_IPM, True)]


def test_native_rows_skip_without_the_client(monkeypatch):
    monkeypatch.setitem(sys.modules, "iris", None)  # "import iris" raises ImportError
    rows = probe.run_probes(SkipInstance({}), [entry for entry in probe.PROBES if entry[0].key.startswith("NR")])
    assert {r.status for r in rows} == {probe.NO_CLIENT}
    assert all(r.passed for r in rows)


def test_delete_rows_sources_and_try_lines():
    assert probe.try_expr_line("v", '$$hello^R()') == 'try { set v=$$hello^R() } catch e { set v="caught "_e.Name }'
    cls = probe.del_class_source("IrisProbe.Del1")
    assert cls.startswith("Class IrisProbe.Del1\n{") and "ClassMethod Hello() As %String" in cls
    rou = probe.del_routine_source("IrisProbeR1")
    assert rou.splitlines()[:2] == ["ROUTINE IrisProbeR1", "IrisProbeR1 ;"]
    # code lines start with a blank, labels in column 1
    assert all(line.startswith(" ") or line.split(" ")[0] in ("ROUTINE", "IrisProbeR1", 'hello()') for line in rou.splitlines())


class _FakeIRIS:
    def __init__(self, error):
        self.error = error

    def classMethodValue(self, cls, method, *args):  # noqa: N802  (the client's name)
        raise RuntimeError(self.error)


def test_runner_call_errors():
    assert probe._call(_FakeIRIS("<METHOD DOES NOT EXIST> *X"), "X") == (None, "<METHOD DOES NOT EXIST> *X")  # pylint: disable=protected-access
    with pytest.raises(probe.NoAnswer):
        probe._call(_FakeIRIS("<COMMAND> *simulator: LOCK is not modelled"), "Run")  # pylint: disable=protected-access


def _ipmt_rows(inst, installer):
    return probe.run_probes(inst, [entry for entry in probe.PROBES if entry[0].key in ("IPMT7", "IPMT3")],
                            ctx={"ipm_installer": installer})


class ShellInstance(FakeInstance):
    """FakeInstance that also takes files (docker exec) and records the programs it ran."""

    def __init__(self, answers, is_sim=True):
        super().__init__(answers, is_sim)
        self.programs, self.files = [], []

    def shell(self, argv, stdin="", user=None, timeout=120):
        self.files.append(argv[-1])
        return 0, ""

    def run(self, program, **kwargs):
        self.programs.append(program.text())
        return super().run(program, **kwargs)


LOADED = {"$SYSTEM.OBJ.Load(": "<<P:TOKEN:load>>1<</P>>"}


def _ipmt_answer(runs, c3="11", test="1"):
    marks = dict(load="1", exists="1", test=test, runs=runs, c0="11", c1="11", c2="11", c3=c3)
    return "".join("<<P:TOKEN:%s>>%s<</P>>" % item for item in marks.items())


def test_ipm_test_phase_rows_skip_without_an_installer():
    rows = _ipmt_rows(SkipInstance({}), None)
    assert [(r.key, r.status, r.passed) for r in rows] == [("IPMT7", probe.NO_IPM, True), ("IPMT3", probe.NO_IPM, True)]


def test_ipm_test_phase_rows_on_the_simulator_are_skipped_not_failed(tmp_path):
    installer = tmp_path / "zpm.xml"
    installer.write_text('<Export iris-sim="ipm-installer"/>')
    said = ("ERROR: simulator: loading the test directory '/tmp/x/tests' with LoadTestDirectory and RunTest's default "
            "loading is not modelled by the simulator (iris-sources.md IPMT7)")
    inst = ShellInstance(dict(LOADED, **{"Shell(\"test ": "\r\n" + said + "\r\n" + _ipmt_answer("", test="error: " + said)}))
    rows = _ipmt_rows(inst, str(installer))
    assert [(r.key, r.status) for r in rows] == [("IPMT7", probe.SKIP_SIM), ("IPMT3", probe.SKIP_SIM)]
    assert "IPMT7" in rows[0].observed
    # one run of the module for both rows, then the cleanup (uninstall, delete the classes)
    assert sum('Shell("test iris-probe-ipmt -only -DUnitTest.FailuresAreFatal=0")' in t for t in inst.programs) == 1
    assert any('Shell("uninstall iris-probe-ipmt")' in t and "IrisProbe.IPMT.OutsideXml" in t for t in inst.programs)
    # a real IRIS never says "not modelled": the same answer there is a failure
    rows = _ipmt_rows(ShellInstance(inst.answers, is_sim=False), str(installer))
    assert [r.status for r in rows] == [probe.FAIL, probe.FAIL]


def test_ipm_test_phase_rows_on_a_real_image(tmp_path):
    installer = tmp_path / "zpm.xml"
    installer.write_text("<Export/>")
    runs = "7:IrisProbe.IPMT/IrisProbe.IPMT.UdlCase=1;7:IrisProbe.IPMT/IrisProbe.IPMT.XmlCase=1"
    inst = ShellInstance(dict(LOADED, **{"Shell(\"test ": _ipmt_answer(runs)}), is_sim=False)
    rows = _ipmt_rows(inst, str(installer))
    assert [r.status for r in rows] == [probe.OK_TOLERANT, probe.OK]
    assert "new indexes 7" in rows[0].observed and "LoadDir loads UDL .cls: yes" in rows[0].observed
    suites = probe.run_probes(inst, [entry for entry in probe.PROBES if entry[0].key == "IPMT8"],
                              ctx={"ipm_installer": str(installer)})
    assert [(r.status, r.observed) for r in suites] == [(probe.OK_TOLERANT, "suites: IrisProbe.IPMT")]
    assert "the RunTest root resolves: yes" in rows[0].observed
    # the module's files: manifest, two classes in the RunTest root, two of the package elsewhere
    assert sorted(probe.ipmt_files()) == ["module.xml", "tests/IrisProbe/IPMT/UdlCase.cls", "tests/IrisProbe/IPMT/XmlCase.xml",
                                          "tests/Other/OutsideUdl.cls", "tests/Other/OutsideXml.xml"]
    for path in probe.ipmt_files():
        assert any(cmd.endswith("/" + path) and "/tmp/iris-probe-ipmt-" in cmd for cmd in inst.files), path
    # a class outside the RunTest root that ran, or none in it that ran: IPMT3 is not what the register infers
    bad = runs + ";7:IrisProbe.IPMT/IrisProbe.IPMT.OutsideXml=1"
    rows = _ipmt_rows(ShellInstance(dict(LOADED, **{"Shell(\"test ": _ipmt_answer(bad)}), is_sim=False), str(installer))
    assert [r.status for r in rows] == [probe.OK_TOLERANT, probe.FAIL]
    rows = _ipmt_rows(ShellInstance(dict(LOADED, **{"Shell(\"test ": _ipmt_answer("", c3="00")}), is_sim=False), str(installer))
    assert [r.status for r in rows] == [probe.OK_TOLERANT, probe.FAIL]
    assert "the RunTest root resolves: no" in rows[0].observed


def test_ipm_test_module_files_and_program():
    files = probe.ipmt_files()
    assert '<UnitTest Name="/tests/" Package="IrisProbe.IPMT" Phase="test"/>' in files["module.xml"]
    assert files["tests/IrisProbe/IPMT/UdlCase.cls"].startswith("Class IrisProbe.IPMT.UdlCase Extends %UnitTest.TestCase")
    assert '<Class name="IrisProbe.IPMT.OutsideXml">' in files["tests/Other/OutsideXml.xml"]
    text = probe.ipmt_program("/tmp/m/").text()
    assert 'Shell("load /tmp/m/")' in text and 'NameExists("iris-probe-ipmt")' in text
    assert probe.ipmt_runs("3:s/A.B=1;4:t/C=0") == [("3", "s", "A.B", "1"), ("4", "t", "C", "0")]
    assert probe.ipmt_runs("") == []
