# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The IPM model (models/ipm.py, DESIGN.md Contract 13): the installer stand-in, %IPM.Main.Shell and its commands,
%IPM.Storage.Module, module.xml, per-namespace state.  Data: tests/data/ipm."""

from __future__ import annotations

import io
import os
import shutil
import tarfile

import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from iris_sim.shell import run_session
from test_models_support import Sim, fixture_sim  # noqa: F401  pylint: disable=unused-import
from test_unittest_manager import ipm_summary, result_tree

import pytest

DATA = os.path.join(os.path.dirname(__file__), "data", "ipm")
REPO = os.path.join(DATA, "repo")
SHELL = 'set sc=##class(%IPM.Main).Shell({cmd}) write !,"SC=",$SYSTEM.Status.IsError(sc)'


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _install_ipm(sim, version="0.10.9", ns="USER") -> str:
    path = os.path.join(DATA, f"zpm-{version}.xml")
    return sim.run(ns, f'set sc=$SYSTEM.OBJ.Load({_q(path)},"ck-d",.err) write "SC=",$SYSTEM.Status.IsError(sc),"/",err')


def _shell(sim, cmd: str, ns="USER") -> str:
    return "\n".join(line for line in sim.run(ns, SHELL.format(cmd=_q(cmd))).splitlines() if line)


def _version(sim, name: str, ns="USER") -> str:
    return sim.run(ns, f'set m=##class(%IPM.Storage.Module).NameOpen({_q(name)},,.sc) '
                       f'write $SELECT($ISOBJECT(m):m.VersionString,1:"-")')


def test_installer_stand_in_installs_ipm_in_its_namespace_only(sim):
    """T15: Load(zpm.xml,"ck") installs IPM; 0.9+ is per namespace; NameOpen("zpm") gives its version (IPMSRC)."""
    assert sim.run("USER", 'write ##class(%IPM.Storage.Module).NameExists("zpm")').startswith("<CLASS DOES NOT EXIST>")
    assert _install_ipm(sim) == "SC=0/0"
    assert _version(sim, "zpm") == "0.10.9"
    assert _shell(sim, "version").splitlines() == ["zpm 0.10.9", "SC=0"]
    assert sim.run("%SYS", 'write ##class(%IPM.Main).Shell("version")').startswith("<CLASS DOES NOT EXIST>")


def test_real_installer_and_legacy_versions_fail_loudly(sim):
    """Only the marked stand-in installs IPM; a real installer export, IPM < 0.9 on 2025.1 (T15) and other XML fail."""
    real = os.path.join(DATA, "zpm-real-shape.xml")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load({_q(real)},"ck-d",.err) write "SC=",$SYSTEM.Status.IsError(sc),"/",err(1)')
    assert out.startswith("SC=1/") and "not modelled" in out
    assert _install_ipm(sim, "0.7.3").startswith("SC=1/1")
    other = os.path.join(DATA, "other.xml")
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load({_q(other)},"ck-d",.err) write "SC=",$SYSTEM.Status.IsError(sc),"/",err(1)')
    assert out.startswith("SC=1/") and "not modelled" in out
    assert sim.run("USER", 'write ##class(%ZPM.PackageManager).Shell("version",1,1)').startswith("<CLASS DOES NOT EXIST>")


def test_load_directory_installs_module_with_classes_and_uninstall_removes_them(sim):
    """load <dir> (T5): module.xml name/version, the PKG resource's classes compiled; uninstall removes them."""
    _install_ipm(sim)
    out = _shell(sim, "load " + os.path.join(REPO, "greet-1.0.0"))
    assert out.endswith("SC=0"), out
    assert _version(sim, "greet") == "1.0.0"
    assert sim.write("USER", "##class(Greet.Hi).Version()") == "1.0.0"
    assert _shell(sim, "list-installed").splitlines() == ["greet 1.0.0", "zpm 0.10.9", "SC=0"]
    assert _shell(sim, "uninstall greet").endswith("SC=0")
    assert _version(sim, "greet") == "-"
    assert sim.write("USER", "##class(Greet.Hi).Version()").startswith("<CLASS DOES NOT EXIST>")
    assert _shell(sim, "uninstall greet").endswith("SC=1")


def test_install_from_filesystem_repository_with_dependencies(sim):
    """repo -fs (T15) then install <name> [version]: dependencies from the repository; uninstall is refused while
    a dependent is installed unless -force (T5)."""
    _install_ipm(sim)
    assert _shell(sim, "install hello").endswith("SC=1")  # no repository configured
    assert _shell(sim, f"repo -name local -fs -path {REPO} -depth 2").endswith("SC=0")
    assert _shell(sim, "install greet 1.0.0").endswith("SC=0")
    assert _shell(sim, "install hello").endswith("SC=0")
    assert sim.write("USER", "##class(Hello.World).Say()") == "hello 1.0.0"
    assert _shell(sim, "uninstall greet").endswith("SC=1")
    assert _version(sim, "greet") == "1.0.0"
    assert _shell(sim, "install greet 1.1.0").endswith("SC=0")  # an upgrade replaces the version
    assert sim.write("USER", "##class(Hello.World).Say()") == "hello 1.1.0"
    assert _shell(sim, "install greet 1.0.0").endswith("SC=1")  # a downgrade is not modelled
    assert _shell(sim, "install greet 9.9.9").endswith("SC=1")
    assert _shell(sim, "uninstall greet -force").endswith("SC=0")
    out = sim.run("USER", 'do ##class(%IPM.Main).GetVersion("hello,greet,zpm",.o) zwrite o')
    assert 'o("hello")=$lb("USER","2.0.0")' in out and "greet" not in out


def test_load_tarball_and_version_traps(sim, tmp_path):
    """.tgz loads on 0.9 and 0.10; .tar.gz and a nested module.xml only from 0.10.0 (CHANGELOG #474)."""
    nested = tmp_path / "nested.tar.gz"
    flat = tmp_path / "greet.tgz"
    with tarfile.open(nested, "w:gz") as archive:
        archive.add(os.path.join(REPO, "greet-1.0.0"), arcname="greet-main")
    with tarfile.open(flat, "w:gz") as archive:
        for entry in os.listdir(os.path.join(REPO, "greet-1.0.0")):
            archive.add(os.path.join(REPO, "greet-1.0.0", entry), arcname=entry)
    _install_ipm(sim, "0.9.2")
    assert _shell(sim, f"load {nested}").endswith("SC=1")
    assert _shell(sim, f"load {flat}").endswith("SC=0")
    assert sim.write("USER", "##class(Greet.Hi).Version()") == "1.0.0"
    assert _shell(sim, "uninstall greet").endswith("SC=0")
    _install_ipm(sim, "0.10.9")  # an upgrade of IPM itself
    assert _version(sim, "zpm") == "0.10.9"
    assert _shell(sim, f"load {nested}").endswith("SC=0")
    assert _install_ipm(sim, "0.9.2").startswith("SC=1")  # a downgrade is not modelled


def test_failed_load_rolls_back_and_unknown_commands_fail(sim, tmp_path):
    """A compile error fails the load and keeps nothing (T5: rollback outside -dev); unmodelled input fails."""
    _install_ipm(sim)
    out = _shell(sim, "load " + os.path.join(DATA, "broken"))
    assert out.endswith("SC=1")
    assert _version(sim, "broken") == "-"
    assert sim.write("USER", "##class(Broken.Bad).X()").startswith("<CLASS DOES NOT EXIST>")
    for cmd in ("enable -community", "greet test", "load /nonexistent", "install greet -env x.json", "", "uninstall -all"):
        assert _shell(sim, cmd).endswith("SC=1"), cmd
    bad = tmp_path / "bad"
    shutil.copytree(os.path.join(REPO, "greet-1.0.0"), bad)
    text = (bad / "module.xml").read_text().replace("<Packaging>", "<Invoke Class=\"X\" Method=\"Y\"/><Packaging>")
    (bad / "module.xml").write_text(text)
    assert "not modelled" in _shell(sim, f"load {bad}")


def test_shell_terminate_on_error_sets_the_exit_status(sim):
    """Shell(cmd,1) terminates the process with exit status 1 on an error (T5); success goes on."""
    _install_ipm(sim)
    out = io.StringIO()
    with sim.inst.session_lock():
        sim.inst.reload()
        code = run_session(sim.inst, "USER", ['do ##class(%IPM.Main).Shell("nosuchcommand",1)', 'write "after"'], out)
        sim.inst.save()
    assert code == 1 and "after" not in out.getvalue()
    with sim.inst.session_lock():
        sim.inst.reload()
        code = run_session(sim.inst, "USER", ['do ##class(%IPM.Main).Shell("version",1,1)', 'write "after"'], out)
    assert code == 0 and "after" not in out.getvalue()


def test_packages_persist_per_namespace(sim):
    """The installed packages survive the session (IRIS.DAT) and belong to the namespace."""
    _install_ipm(sim)
    _shell(sim, "load " + os.path.join(REPO, "greet-1.0.0"))
    fresh = Sim.__new__(Sim)
    fresh.root, fresh.inst = sim.root, type(sim.inst)(sim.root + "/install", sim.root + "/data")
    assert _version(fresh, "greet") == "1.0.0"


@pytest.mark.parametrize("name", ["bad name", ""])
def test_module_name_rules(sim, tmp_path, name):
    """IPMSRC ModuleName: no spaces; a Name is required."""
    _install_ipm(sim)
    bad = tmp_path / "m"
    shutil.copytree(os.path.join(REPO, "greet-1.0.0"), bad)
    (bad / "module.xml").write_text((bad / "module.xml").read_text().replace("<Name>greet</Name>", f"<Name>{name}</Name>"))
    assert _shell(sim, f"load {bad}").endswith("SC=1")


def test_the_sample_application_manifest_loads(sim):
    """tests/sample_app/module.xml names resources that exist under its SourcesRoot and compile (issue 14)."""
    sample = os.path.join(os.path.dirname(__file__), "..", "..", "sample_app")
    assert _install_ipm(sim) == "SC=0/0"
    assert _shell(sim, "load " + os.path.normpath(sample)).splitlines()[-1] == "SC=0"
    assert _version(sim, "sample-app") == "1.0.0"
    assert sim.run("USER", "write ##class(SampleApp.Base).Version()") == "1.0"


def test_test_phase_of_a_module(sim):
    """test <module> -only (Contract 15; iris-sources.md IPMT2, IPMT4, IPMT6): a module without test resources runs
    nothing and succeeds; a test without -only, other -D data and a missing module fail."""
    _install_ipm(sim)
    assert _shell(sim, "load " + os.path.join(REPO, "greet-1.0.0")).endswith("SC=0")
    assert _shell(sim, "test greet -only -DUnitTest.FailuresAreFatal=0").endswith("SC=0")
    out = _shell(sim, "test greet")
    assert out.endswith("SC=1") and "without -only" in out and "not modelled" in out
    out = _shell(sim, "test greet -only -DUnitTest.JUnitOutput=/tmp/x.xml")
    assert out.endswith("SC=1") and "not modelled" in out
    assert "is not installed" in _shell(sim, "test nothing -only")


LIFECYCLE = os.path.join(os.path.dirname(__file__), "data", "unittest", "lifecycle")
MODULE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Export generator="IRIS" version="26"><Document name="life.ZPM"><Module>
  <Name>life</Name><Version>1.0.0</Version><Packaging>module</Packaging>
  <UnitTest Name="/tests/" Package="Life" Phase="test"/>
</Module></Document></Export>
"""


def _life_module(tmp_path) -> str:
    """A module whose UnitTest resource holds the lifecycle classes in tests/Life/ (IPMCI's layout)."""
    module = tmp_path / "life"
    shutil.copytree(LIFECYCLE, module / "tests")
    (module / "tests" / "README.md").write_text("not loaded\n", encoding="utf-8")
    (module / "module.xml").write_text(MODULE_XML, encoding="utf-8")
    return str(module)


def test_test_phase_runs_the_package_directory(sim, tmp_path):
    """IPMT2, IPMT3, IPMT7 (IPMCI): the package's classes under <Name>/<Package as directories>/ are loaded, compiled
    and run by RunTest("") under ^UnitTestRoot = that directory; the counts are those IPM's CI observes for classes
    of the same shapes; FailuresAreFatal (default 1) turns the 13 failure rows into an error status, =0 does not;
    ^UnitTestRoot is put back; the classes stay compiled (/nodelete)."""
    module = _life_module(tmp_path)
    _install_ipm(sim)
    assert sim.run("USER", 'set ^UnitTestRoot="/kept"') == ""
    assert _shell(sim, "load " + module).endswith("SC=0")
    out = _shell(sim, "test life -only")
    assert out.endswith("SC=1") and "13 failure(s)." in out
    tree = result_tree(sim)
    assert ipm_summary(tree) == {"total": 18, "passed": 6, "failed": 12, "rows": 13}
    assert {key[0] for key in tree} == {os.path.join(module, "tests", "Life", "")}  # [inf] IPMT8: the suite subscript
    out = _shell(sim, "test life -only -DUnitTest.FailuresAreFatal=0")
    assert out.endswith("SC=0") and "Test SUCCESS" in out
    assert sim.run("USER", "write ^UnitTestRoot") == "/kept"
    assert sim.run("USER", "write $ISOBJECT(##class(Life.Assertions).%New())") == "1"


@pytest.mark.parametrize("where", ["tests/Other.cls", "tests/Life/Sub/Deeper.cls"])
def test_test_phase_refuses_what_the_sources_leave_open(sim, tmp_path, where):
    """Classes outside the package's directory (IPMT3 [inf]) or in a sub-testsuite (IPMT8) are not modelled; _
    directories are skipped (IPMT2)."""
    module = _life_module(tmp_path)
    for path in (os.path.join(module, where), os.path.join(module, "tests", "_data", "X.cls")):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copy(os.path.join(LIFECYCLE, "Life", "Assertions.cls"), path)
    _install_ipm(sim)
    assert _shell(sim, "load " + module).endswith("SC=0")
    out = _shell(sim, "test life -only")
    assert out.endswith("SC=1") and "is outside the package's directory" in out and "not modelled" in out
    assert "_data" not in out
    assert sim.run("USER", "write $DATA(^UnitTest.Result)") == "0"


def test_test_phase_without_classes_and_with_compile_errors(sim, tmp_path):
    """No class in the package's directory: not modelled; a class that does not compile fails the phase before
    RunTest (IPMT2: $$$ThrowOnError of CompilePackage)."""
    module = _life_module(tmp_path)
    shutil.rmtree(os.path.join(module, "tests", "Life"))
    _install_ipm(sim)
    assert _shell(sim, "load " + module).endswith("SC=0")
    out = _shell(sim, "test life -only")
    assert out.endswith("SC=1") and "without classes" in out and "not modelled" in out
    os.makedirs(os.path.join(module, "tests", "Life"))
    with open(os.path.join(module, "tests", "Life", "Bad.cls"), "w", encoding="utf-8") as handle:
        handle.write("Class Life.Bad Extends %UnitTest.TestCase\n{\n\nMethod TestX()\n{\n    do $$$NoSuchMacro\n}\n\n}\n")
    out = _shell(sim, "test life -only -DUnitTest.FailuresAreFatal=0")
    assert out.endswith("SC=1") and "Life.Bad" in out
    assert sim.run("USER", "write $DATA(^UnitTest.Result)") == "0"


def test_test_phase_of_the_sample_application(sim):
    """tests/sample_app: <UnitTest Name="/tests/" Package="SampleApp.Test"/> with its classes in tests/SampleApp/Test/
    (IPMT2, IPMT3): one failed assertion is one failure row; the results name the failing method."""
    sample = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "sample_app"))
    _install_ipm(sim)
    assert _shell(sim, "load " + sample).splitlines()[-1] == "SC=0"
    out = _shell(sim, "test sample-app -only")
    assert out.endswith("SC=1") and "1 failure(s)." in out
    assert _shell(sim, "test sample-app -only -DUnitTest.FailuresAreFatal=0").endswith("SC=0")
    tree = result_tree(sim)
    methods = {key[1:]: value[0] for key, value in tree.items() if len(key) == 3}
    assert methods == {("SampleApp.Test.Failing", "TestPasses"): 1, ("SampleApp.Test.Failing", "TestWrongSum"): 0,
                       ("SampleApp.Test.Passing", "TestArithmetic"): 1, ("SampleApp.Test.Passing", "TestStatus"): 1}


def test_tarball_modules_keep_their_root_from_0_10_7(sim, tmp_path):
    """IPMSRC (CHANGELOG #945): from 0.10.7 a tarball load unpacks into <ModuleRoot><name>/<version>/ (default under
    the data directory) and the module is loaded from there, so its test phase finds its tests; before, the root was a
    temporary directory, and the test phase of such a module is not modelled."""
    module = _life_module(tmp_path)
    archive_path = str(tmp_path / "life.tgz")
    with tarfile.open(archive_path, "w:gz") as archive:
        for entry in os.listdir(module):
            archive.add(os.path.join(module, entry), arcname=entry)
    _install_ipm(sim)
    assert _shell(sim, "load " + archive_path).endswith("SC=0")
    root = os.path.join(sim.inst.data_dir, "ipm", "life", "1.0.0")
    assert os.path.isfile(os.path.join(root, "tests", "Life", "Assertions.cls"))
    out = _shell(sim, "test life -only -DUnitTest.FailuresAreFatal=0")
    assert out.endswith("SC=0")
    assert {key[0] for key in result_tree(sim)} == {os.path.join(root, "tests", "Life", "")}
    assert _install_ipm(sim, "0.9.2", ns="%SYS") == "SC=0/0"
    assert _shell(sim, "load " + archive_path, ns="%SYS").endswith("SC=0")
    out = _shell(sim, "test life -only", ns="%SYS")
    assert out.endswith("SC=1") and "root is gone" in out and "not modelled" in out
