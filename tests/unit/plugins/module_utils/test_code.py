# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_code's manager: the local scan, the plan, error attribution (pure) and the manager against the in-process
IRIS simulator (one session for an unchanged tree, compile errors with file and line, state absent)."""

from __future__ import annotations

import os
import shutil

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _code as c, _instance
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

SAMPLE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "sample_app", "src"))


class FakeModule(object):
    def __init__(self, check_mode=False, diff=True, **params):
        self.params = dict(name="app", state="present", src=None, files=None, recurse=True, compile_flags="ck",
                           delete_removed=False, delete_items=True, instance="IRIS", namespace="USER", timeout=60,
                           transport="local", container=None, docker_host=None)
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


class OneTransport(_instance.Instance):
    kind = "local"

    def __init__(self, transport):
        super(OneTransport, self).__init__()
        self._one = transport

    def _new_transport(self, namespace):
        return self._one


def run(sim, check_mode=False, **params):
    transport = sim.transport("USER")
    module = FakeModule(check_mode=check_mode, **params)
    result = c.CodeManager(module, instance=OneTransport(transport)).run()
    return result, transport.sessions


@pytest.fixture
def tree(tmp_path):
    dest = tmp_path / "src"
    shutil.copytree(SAMPLE, str(dest))
    return dest


# -- the local side (pure) --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, item", [
    ("A.cls", "/// doc\nClass Pkg.A Extends %RegisteredObject\n{\n}\n", "Pkg.A.cls"),
    ("A.cls", "Include X\n\nclass pkg.b {\n}\n", "pkg.b.cls"),
    ("R.mac", "\nROUTINE Pkg.R\n quit\n", "Pkg.R.mac"),
    ("R.mac", "ROUTINE Pkg.R [Type=INT]\n quit\n", "Pkg.R.int"),
    ("R.inc", "ROUTINE Pkg [ Type = INC ]\n#define X 1\n", "Pkg.inc"),
])
def test_item_of(name, text, item):
    assert c.item_of(name, text) == item


@pytest.mark.parametrize("name, text", [
    ("A.cls", "/// no class\n"),
    ("R.mac", " write 1\n"),
    ("R.mac", "ROUTINE R [Type=CLS]\n"),
    ("R.mac", "ROUTINE R\"x\n"),
])
def test_item_of_refuses(name, text):
    with pytest.raises(IrisModuleError):
        c.item_of(name, text)


def test_scan_tree_reads_sources_and_skips_hidden_and_other_files(tree):
    (tree / ".git").mkdir()
    (tree / ".git" / "X.cls").write_text("Class Hidden.X\n{\n}\n")
    (tree / "README.md").write_text("not code")
    sources = c.scan_tree(str(tree))
    assert [s.rel for s in sources] == ["SampleApp.inc", "SampleApp/Base.cls", "SampleApp/Calculator.cls",
                                        "SampleApp/Greeter.cls", "SampleApp/Util.mac"]
    assert sources[0].item == "SampleApp.inc" and len(sources[0].sha256) == 64
    assert [s.rel for s in c.scan_tree(str(tree), recurse=False)] == ["SampleApp.inc"]


def test_scan_refuses_bad_trees(tree, tmp_path):
    with pytest.raises(IrisModuleError, match="not an absolute path"):
        c.scan_tree("relative")
    with pytest.raises(IrisModuleError, match="not a directory"):
        c.scan_tree(str(tmp_path / "missing"))
    (tree / "Copy.cls").write_text((tree / "SampleApp" / "Base.cls").read_text())
    with pytest.raises(IrisModuleError, match="both define SampleApp.Base.cls"):
        c.scan_tree(str(tree))
    with pytest.raises(IrisModuleError, match="same file name"):
        c.scan_files([str(tree / "Copy.cls"), str(tmp_path / "src" / "Copy.cls")])
    with pytest.raises(IrisModuleError, match="extension"):
        c.scan_files([str(tree / "SampleApp" / "Base.cls"), "/etc/passwd"])
    with pytest.raises(IrisModuleError, match="line feed"):
        c.scan_files(["/tmp/a\nb.cls"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(IrisModuleError, match="holds no source file"):
        c.scan_tree(str(empty))


@pytest.mark.parametrize("flags, qspec", [("ck", "bck-d"), ("", "b-d"), ("cuk/multicompile=0", "bcuk-d/multicompile=0"),
                                          ("c-k", "bc-k-d"), ("ck-b", "bck-b-d")])
def test_validate_flags(flags, qspec):
    assert c.validate_flags(flags) == qspec


@pytest.mark.parametrize("flags", ['ck")', "c k", "ck/x=a b", "k-c", "ck/nocompile", "ck/compile=0", "x" * 300, "ck\n"])
def test_validate_flags_refuses(flags):
    with pytest.raises(IrisModuleError):
        c.validate_flags(flags)


def test_plan_added_changed_removed_and_deletes():
    sources = [c.SourceFile("/s/A.cls", "A.cls", "1", "P.A.cls"), c.SourceFile("/s/B.cls", "B.cls", "2", "P.B2.cls")]
    records = {"B.cls": {"sha256": "x", "item": "P.B.cls"}, "Old.mac": {"sha256": "y", "item": "Old.mac"}}
    added, changed, removed, delete = c.plan(sources, records, delete_removed=True)
    assert [s.rel for s in added] == ["A.cls"] and [s.rel for s in changed] == ["B.cls"]
    assert removed == ["Old.mac"] and delete == ["Old.mac", "P.B.cls"]
    assert c.plan(sources, records, delete_removed=False)[3] == []


def test_attribute_errors_maps_staged_paths_and_items():
    sources = [c.SourceFile("/src/P/A.cls", "P/A.cls", "1", "P.A.cls"), c.SourceFile("/src/R.mac", "R.mac", "2", "R.mac")]
    entries = [{"what": "compile", "errors": ["Class 'P.A': /tmp/st/P/A.cls(7): bad", "Routine R.mac failed"]},
               {"what": "R.mac", "errors": [], "status": "ERROR #5001: cannot load"}]
    errors = c.attribute_errors(entries, "/tmp/st", sources)
    assert errors == [dict(file="/src/P/A.cls", line=7, message="Class 'P.A': P/A.cls(7): bad"),
                      dict(file="/src/R.mac", line=None, message="Routine R.mac failed"),
                      dict(file="/src/R.mac", line=None, message="ERROR #5001: cannot load")]


def test_attribute_errors_maps_a_subclass_error_to_its_unchanged_file():
    loaded = [c.SourceFile("/src/P/A.cls", "P/A.cls", "1", "P.A.cls")]
    everything = loaded + [c.SourceFile("/src/P/AB.cls", "P/AB.cls", "2", "P.AB.cls")]
    entries = [{"what": "compile", "errors": ["Class 'P.AB': /tmp/old/P/AB.cls: parameter 'X' does not exist"]}]
    assert c.attribute_errors(entries, "/tmp/st", loaded, everything)[0]["file"] == "/src/P/AB.cls"
    entries = [{"what": "compile", "errors": ["Class 'P.AB': /tmp/iris-devtools-stage-ab12/P/AB.cls(6): no X"]}]
    assert c.attribute_errors(entries, "/tmp/st", loaded, everything) == [
        dict(file="/src/P/AB.cls", line=6, message="Class 'P.AB': P/AB.cls(6): no X")]
    assert c.attribute_errors(entries, "/tmp/st", loaded)[0]["file"] == "/src/P/A.cls"  # without: the wrong file


# -- the manager against the simulator --------------------------------------------------------------------------

def test_load_is_idempotent_in_one_session(iris_sim, tree, tmp_path, monkeypatch):
    stage_base = tmp_path / "stage"
    stage_base.mkdir()
    monkeypatch.setattr(c, "STAGING_BASE", str(stage_base))  # a private base: other tests stage in /tmp meanwhile
    check, check_sessions = run(iris_sim, check_mode=True, src=str(tree))
    real, real_sessions = run(iris_sim, src=str(tree))
    again, again_sessions = run(iris_sim, src=str(tree))
    assert check["changed"] and real["changed"] and not again["changed"]
    assert check["files_added"] == real["files_added"] and len(real["files_added"]) == 5
    assert check["diff"] == real["diff"]
    assert (check_sessions, real_sessions, again_sessions) == (1, 2, 1)
    assert again["files_unchanged"] == 5
    out = iris_sim.run("USER", 'write ##class(SampleApp.Greeter).Greet("u"),"|",$$Add^SampleApp.Util(1,2)')
    assert "Hello, u!|3" in out
    assert not os.listdir(str(stage_base))


def test_compile_error_fails_with_file_and_line_and_records_nothing(iris_sim, tree):
    bad = tree / "SampleApp" / "Broken.cls"
    bad.write_text("Class SampleApp.Broken Extends %RegisteredObject\n{\n\nClassMethod X()\n{\n    set x = $$$Nope\n}\n\n}\n")
    with pytest.raises(IrisModuleError) as caught:
        run(iris_sim, src=str(tree))
    assert "SampleApp/Broken.cls(6)" in caught.value.msg
    again, dummy = run(iris_sim, check_mode=True, src=str(tree))
    assert len(again["files_added"]) == 6  # nothing was recorded


def test_changed_removed_and_absent(iris_sim, tree):
    run(iris_sim, src=str(tree))
    (tree / "SampleApp" / "Greeter.cls").unlink()
    removed, dummy = run(iris_sim, src=str(tree), delete_removed=True)
    assert removed["files_removed"] == ["SampleApp/Greeter.cls"] and removed["items_deleted"] == ["SampleApp.Greeter.cls"]
    assert "CLASS DOES NOT EXIST" in iris_sim.run("USER", 'write ##class(SampleApp.Greeter).Greet("u")')
    gone, dummy = run(iris_sim, state="absent")
    assert gone["changed"] and "SampleApp.Util.mac" in gone["items_deleted"]
    assert "NOROUTINE" in iris_sim.run("USER", "write $$Add^SampleApp.Util(1,2)")
    again, sessions = run(iris_sim, state="absent")
    assert not again["changed"] and sessions == 1


def test_bad_name_and_missing_sources(iris_sim):
    with pytest.raises(IrisModuleError, match="name"):
        run(iris_sim, name='a"b', src="/tmp")
    with pytest.raises(IrisModuleError, match="needs the sources"):
        run(iris_sim)


DEP_BASE = "Class Dep.Base Extends %RegisteredObject\n{\n\nParameter {0} = \"hi\";\n\n}\n"
DEP_SUB = "Class Dep.Sub Extends Dep.Base\n{\n\nClassMethod Greet() As %String\n{\n    quit ..#{0}\n}\n\n}\n"


def test_subclass_of_a_changed_class_compiles_again(iris_sim, tmp_path):
    """Flag b (iris-sources.md N13): a superclass change that breaks an unchanged subclass fails the task and names
    the subclass's file; fixing the subclass compiles both."""
    src = tmp_path / "dep"
    src.mkdir()
    (src / "Base.cls").write_text(DEP_BASE.replace("{0}", "GREETING"))
    (src / "Sub.cls").write_text(DEP_SUB.replace("{0}", "GREETING"))
    run(iris_sim, src=str(src))
    (src / "Base.cls").write_text(DEP_BASE.replace("{0}", "SALUTE"))
    with pytest.raises(IrisModuleError) as caught:
        run(iris_sim, src=str(src))
    assert "parameter 'GREETING' does not exist" in caught.value.msg
    manager = c.CodeManager(FakeModule(src=str(src)), instance=OneTransport(iris_sim.transport("USER")))
    with pytest.raises(IrisModuleError):
        manager.run()
    assert [(e["file"], e["line"]) for e in manager.fail_results["errors"]] == [(str(src / "Sub.cls"), 6)]
    (src / "Sub.cls").write_text(DEP_SUB.replace("{0}", "SALUTE"))
    fixed, dummy = run(iris_sim, src=str(src))
    assert sorted(fixed["files_changed"]) == ["Base.cls", "Sub.cls"]
    assert "hi" in iris_sim.run("USER", "write ##class(Dep.Sub).Greet()")


# -- XML exports (iris-sources.md XMLEXP) -----------------------------------------------------------------------

EXPORT = os.path.join(os.path.dirname(SAMPLE), "exports", "SampleApp.Export.xml")
HEAD = '<?xml version="1.0"?>\n<Export generator="IRIS" version="26">\n'


def test_export_items_from_top_level_class_and_routine():
    text = HEAD + '<Class name="P.A"><Super>%RegisteredObject</Super></Class>\n' \
                  '<Routine name="R" type="MAC" languagemode="0"><![CDATA[R\n quit\n]]></Routine>\n' \
                  '<Routine name="I" type="INC"><![CDATA[#define X 1\n]]></Routine>\n</Export>\n'
    assert c.item_of("/x/a.xml", text) == ["P.A.cls", "R.mac", "I.inc"]


@pytest.mark.parametrize("text, needle", [
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Export/>', "DOCTYPE"),
    (HEAD + '<Class name="P.A">', "not well-formed"),
    ('<Other/>', "not <Export>"),
    (HEAD + '<Global><Node/></Global></Export>', "<Global name="),
    (HEAD + '<Routine name="R" type="BAS"/></Export>', "<Routine name="),
    (HEAD + '<Class name="bad name"/></Export>', "<Class name="),
    (HEAD + '</Export>', "holds no"),
])
def test_export_refused_before_loading(text, needle):
    with pytest.raises(IrisModuleError, match=needle) as caught:
        c.item_of("/x/a.xml", text)
    assert caught.value.hint


def test_export_record_and_plan_delete_every_item():
    source = c.SourceFile("/s/E.xml", "E.xml", "1", ["P.A.cls", "R.mac"])
    assert '"items":["P.A.cls","R.mac"]' in source.record
    records = {"E.xml": {"sha256": "0", "items": ["P.A.cls", "P.Gone.cls"]}}
    assert c.plan([source], records, delete_removed=True)[3] == ["P.Gone.cls"]
    assert c.plan([], records, delete_removed=True)[3] == ["P.A.cls", "P.Gone.cls"]


def test_xml_export_in_a_list_loads_idempotently_and_absent_deletes_it(iris_sim, tmp_path):
    path = str(tmp_path / "SampleApp.Export.xml")
    shutil.copy(EXPORT, path)
    check, dummy = run(iris_sim, check_mode=True, name="xml", files=[path])
    real, dummy = run(iris_sim, name="xml", files=[path])
    again, sessions = run(iris_sim, name="xml", files=[path])
    assert check["changed"] and real["changed"] and not again["changed"] and sessions == 1
    assert check["actions"] == real["actions"] == ["load SampleApp.Export.xml"]
    assert sorted(real["items_loaded"]) == ["SampleApp.Exported.cls", "SampleAppXml.mac"]
    assert "Hello from u!" in iris_sim.run("USER", 'write ##class(SampleApp.Exported).Hello("u")')
    gone, dummy = run(iris_sim, name="xml", state="absent")
    assert gone["items_deleted"] == ["SampleApp.Exported.cls", "SampleAppXml.mac"]
    assert "CLASS DOES NOT EXIST" in iris_sim.run("USER", 'write ##class(SampleApp.Exported).Hello()')


def test_xml_export_in_a_tree(iris_sim, tree):
    shutil.copy(EXPORT, str(tree / "SampleApp.Export.xml"))
    real, dummy = run(iris_sim, src=str(tree))
    assert "SampleApp.Export.xml" in real["files_added"] and "SampleAppXml.mac" in real["items_loaded"]


def test_doctype_text_inside_cdata_is_not_a_declaration():
    text = HEAD + '<Class name="P.Web"><Method name="Page"><Implementation><![CDATA[\n' \
                  ' write "<!DOCTYPE html>"\n]]></Implementation></Method></Class>\n</Export>\n'
    assert c.item_of("/x/a.xml", text) == ["P.Web.cls"]


# -- include files: what includes a changed .inc compiles again ---------------------------------------------------

INC = "ROUTINE Macros [Type=INC]\n#define GREETING \"{0}\"\n"
INC_CLASS = "Include Macros\n\nClass Inc.Greeter Extends %RegisteredObject\n{\n\nClassMethod Greet() As %String\n{\n" \
            "    quit $$$GREETING\n}\n\n}\n"
INC_ROUTINE = "ROUTINE Inc.Util\n#include Macros\nGreet() public {\n    quit $$$GREETING\n}\n"


def _include_tree(iris_sim, tmp_path):
    """A tree with Macros.inc, a class and a routine that include it, loaded once."""
    src = tmp_path / "inc"
    src.mkdir()
    (src / "Macros.inc").write_text(INC.replace("{0}", "hi"))
    (src / "Greeter.cls").write_text(INC_CLASS)
    (src / "Util.mac").write_text(INC_ROUTINE)
    run(iris_sim, src=str(src))
    return src


def test_dependents_of_a_changed_include_compile_again(iris_sim, tmp_path):
    """Macros are substituted when the including class or routine compiles (iris-sources.md MACPP): a change of the
    .inc alone recompiles what includes it, without loading it again."""
    src = _include_tree(iris_sim, tmp_path)
    assert "hi|hi" in iris_sim.run("USER", 'write ##class(Inc.Greeter).Greet(),"|",$$Greet^Inc.Util()')
    (src / "Macros.inc").write_text(INC.replace("{0}", "hello"))
    check, dummy = run(iris_sim, check_mode=True, src=str(src))
    real, sessions = run(iris_sim, src=str(src))
    assert "hello|hello" in iris_sim.run("USER", 'write ##class(Inc.Greeter).Greet(),"|",$$Greet^Inc.Util()')
    assert real["files_changed"] == ["Macros.inc"] and real["items_loaded"] == ["Macros.inc"] and sessions == 2
    assert check["items_recompiled"] == real["items_recompiled"] == ["Inc.Greeter.cls", "Inc.Util.mac"]
    assert real["actions"] == check["actions"] == ["load Macros.inc", "recompile Inc.Greeter.cls", "recompile Inc.Util.mac"]
    assert check["diff"] == real["diff"]
    again, sessions = run(iris_sim, src=str(src))
    assert not again["changed"] and sessions == 1 and again["items_recompiled"] == []


def test_a_dependent_that_no_longer_compiles_fails_under_its_own_file(iris_sim, tmp_path):
    src = _include_tree(iris_sim, tmp_path)
    (src / "Macros.inc").write_text(INC.replace("GREETING", "SALUTE").replace("{0}", "hi"))
    manager = c.CodeManager(FakeModule(src=str(src)), instance=OneTransport(iris_sim.transport("USER")))
    with pytest.raises(IrisModuleError) as caught:
        manager.run()
    assert "GREETING" in caught.value.msg
    assert sorted((e["file"], e["line"]) for e in manager.fail_results["errors"]) == [
        (str(src / "Greeter.cls"), 8), (str(src / "Util.mac"), 4)]
    again, dummy = run(iris_sim, check_mode=True, src=str(src))
    assert again["files_changed"] == ["Macros.inc"]  # nothing was recorded: the next run compiles them again


@pytest.mark.parametrize("name, text, includes", [
    ("A.cls", "Include Macros\n\nClass P.A\n{\n}\n", {"P.A.cls": ["Macros"]}),
    ("A.cls", "include (Macros, Other)\nIncludeGenerator Gen\n/// doc\nClass P.A Extends %RegisteredObject\n{\n"
              "Include Later\n}\n", {"P.A.cls": ["Macros", "Other", "Gen"]}),
    ("A.cls", "Include (Macros\nIncludes X\nClass P.A\n{\n}\n", {}),
    ("A.cls", "Class P.A\n{\n}\n", {}),
    ("R.mac", "ROUTINE R\n#include Macros\n #INCLUDE Other ; why\n write \"#include Nope\"\n", {"R.mac": ["Macros", "Other"]}),
    ("M.inc", "ROUTINE M [Type=INC]\r\n#Include Base\r\n#define X 1\r\n", {"M.inc": ["Base"]}),
    ("R.int", "ROUTINE R [Type=INT]\n quit\n", {}),
])
def test_include_names_of_udl_files(tmp_path, name, text, includes):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    assert c.read_source(str(path), name).includes == includes


def test_include_names_of_an_export(tmp_path):
    path = tmp_path / "a.xml"
    path.write_text(HEAD + '<Class name="P.A"><IncludeCode>Macros,Other</IncludeCode><Super>%RegisteredObject</Super>'
                           '</Class>\n<Routine name="R" type="MAC"><![CDATA[R\n#include Macros\n quit\n]]></Routine>\n'
                           '<Routine name="Q" type="MAC"><![CDATA[Q\n quit\n]]></Routine>\n</Export>\n')
    assert c.read_source(str(path), "a.xml").includes == {"P.A.cls": ["Macros", "Other"], "R.mac": ["Macros"]}


def _with_includes(rel, item, names):
    return c.SourceFile("/s/" + rel, rel, "0", item, {item: names} if names else {})


def test_include_dependents_follow_chains_and_end_at_cycles():
    cycle_a, cycle_b = _with_includes("A.inc", "A.inc", ["B"]), _with_includes("B.inc", "B.inc", ["A"])
    base, mid = _with_includes("Base.inc", "Base.inc", []), _with_includes("Mid.inc", "Mid.inc", ["Base"])
    deep, routine = _with_includes("C.cls", "P.C.cls", ["Mid"]), _with_includes("R.mac", "R.mac", ["B"])
    other, loaded = _with_includes("O.cls", "P.O.cls", ["Nope"]), _with_includes("L.cls", "P.L.cls", ["Base"])
    everything = [cycle_a, cycle_b, base, mid, deep, routine, other, loaded]
    assert c.include_dependents(everything, [base, loaded]) == ["P.C.cls"]  # through Mid.inc; L is loaded anyway
    assert c.include_dependents(everything, [cycle_a]) == ["R.mac"]
    assert c.include_dependents(everything, [deep, routine]) == []
