# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_ipm's pure logic: versions, names, paths, module.xml, local sources and packing, and the IPM templates."""

from __future__ import annotations

import os
import tarfile

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _ipm
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program

MODULE_XML = (b'<?xml version="1.0"?><Export generator="Cache" version="25"><Document name="demo.ZPM"><Module>'
              b'<Name>demo</Name><Version>1.2.3-beta.1</Version></Module></Document></Export>')


def test_versions_order_like_semver():
    assert _ipm.version_tuple("0.10.9") > _ipm.version_tuple("0.9.2")
    assert _ipm.version_tuple("1.0.0-rc.1") < _ipm.version_tuple("1.0.0")
    assert _ipm.version_tuple("1.0") is None and _ipm.version_tuple("v1.0.0") is None
    assert _ipm.version_tuple("1.0.0\n") is None  # a trailing newline is not a version
    assert _ipm.version_tuple("\u0661.\u0660.\u0660") is None  # Arabic-Indic digits went into IPM's install command


@pytest.mark.parametrize("version, ok", [("0.9.0", True), ("0.10.9", True), ("0.10.10-beta.1", True),
                                         ("0.8.9", False), ("0.7.3", False), ("0.11.0", False), ("1.0.0", False)])
def test_ipm_series(version, ok):
    if ok:
        assert _ipm.check_ipm_version(version) == version
    else:
        with pytest.raises(IrisModuleError):
            _ipm.check_ipm_version(version)


@pytest.mark.parametrize("name", ["demo", "sample-app", "%ZPM", "a" * 255])
def test_names_accepted(name):
    assert _ipm.check_name(name) == name


@pytest.mark.parametrize("name", ["", "two words", 'q"uote', "a" * 256, "tab\there", "nul\x00byte", "bell\x07", "del\x7f", "demo\n", "csi\x9b", None])
def test_names_refused(name):
    with pytest.raises(IrisModuleError) as info:
        _ipm.check_name(name)
    assert info.value.hint


def test_instance_paths():
    assert _ipm.check_instance_path("/opt/pkgs/", "x") == "/opt/pkgs"
    for bad in ("opt/pkgs", "/a b", "/a'b", "/a\x00b", "/opt/pkgs\n", "/a\x9bb", "", None):
        with pytest.raises(IrisModuleError):
            _ipm.check_instance_path(bad, "x")


def test_module_identity_reads_export_and_bare_module():
    assert _ipm.module_identity(MODULE_XML, "m") == ("demo", "1.2.3-beta.1")
    assert _ipm.module_identity(b"<Module><Name>x</Name><Version>1.0.0</Version></Module>", "m") == ("x", "1.0.0")
    for bad, needle in ((b"<Export/>", "no <Export><Document><Module>"), (b"<oops", "not valid XML"),
                        (b"<Module><Name>x y</Name><Version>1.0.0</Version></Module>", "not an IPM module name"),
                        (b"<Module><Name>x</Name><Version>latest</Version></Module>", "not a semantic version")):
        with pytest.raises(IrisModuleError) as info:
            _ipm.module_identity(bad, "m")
        assert needle in info.value.msg


def test_local_sources_directory_tarball_nested_and_packing(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "src").mkdir(parents=True)
    (pkg / "module.xml").write_bytes(MODULE_XML)
    (pkg / "src" / "A.cls").write_text("Class A {}\n")
    assert _ipm.local_source(str(pkg)) == dict(kind="dir", name="demo", version="1.2.3-beta.1", nested=False)
    packed = tmp_path / "out.tgz"
    _ipm.pack_directory(str(pkg), str(packed))
    with tarfile.open(str(packed)) as archive:
        assert sorted(archive.getnames()) == ["module.xml", "src", "src/A.cls"]  # module.xml at the top
    assert _ipm.local_source(str(packed))["nested"] is False
    nested = tmp_path / "nested.tar.gz"
    with tarfile.open(str(nested), "w:gz") as archive:
        archive.add(str(pkg), arcname="demo-main")
    info = _ipm.local_source(str(nested))
    assert info["nested"] is True and info["name"] == "demo"
    empty = tmp_path / "empty.tgz"
    with tarfile.open(str(empty), "w:gz") as archive:
        archive.add(str(pkg / "src"), arcname="src")
    with pytest.raises(IrisModuleError, match="holds no module.xml"):
        _ipm.local_source(str(empty))
    (tmp_path / "bad.tgz").write_bytes(b"not gzip")
    with pytest.raises(IrisModuleError, match="Cannot read the tarball"):
        _ipm.local_source(str(tmp_path / "bad.tgz"))
    os.remove(str(pkg / "module.xml"))
    with pytest.raises(IrisModuleError, match="no readable module.xml"):
        _ipm.local_source(str(pkg))


def test_templates_quote_values_through_literal():
    """Names and commands reach ObjectScript only as literals: a quote cannot end the string."""
    text = Program().add("ipm_module_version", name='a"b', key="k").add("ipm_shell", command='load /x"y').render("T" * 16)
    assert '"a""b"' in text and '"load /x""y"' in text
    assert "##class(%IPM.Main).Shell(" in text and "##class(%IPM.Storage.Module).NameExists(" in text


def test_read_program_against_the_simulator(iris_sim):
    """The read template gives '' without IPM (<CLASS DOES NOT EXIST> is caught) and the version with it."""
    transport = iris_sim.transport("USER")
    result = transport.run(Program().add("ipm_module_version", name="zpm", key="ipm"))
    assert result["ipm"] == ""
    installer = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "simulator", "tests", "data",
                                              "ipm", "zpm-0.10.9.xml"))
    program = Program().add("ipm_load_installer", file=installer).add("ipm_module_version", name="zpm", key="ipm")
    program.add("ipm_require_version", version="0.10.9").add("ipm_module_version", name="nope", key="other")
    result = transport.run(program)
    assert result == {"ipm": "0.10.9", "other": ""}
    with pytest.raises(IrisModuleError) as info:
        transport.run(Program().add("ipm_module_version", name="zpm", key="ipm").add("ipm_require_version", version="0.10.8"))
    assert "not the pinned 0.10.8" in info.value.msg
    with pytest.raises(IrisModuleError) as info:
        transport.run(Program().add("ipm_shell", command="frobnicate"))
    assert "not modelled" in info.value.msg


# -- cleanup of the uploads: one _copy.remove_files for every transport, a leftover is warned about ---------------
class _Module(object):
    check_mode = False

    def __init__(self, upload_dir):
        self.params = dict(upload_dir=upload_dir)
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


class _NativeIris(object):
    """%Library.File over a directory of this host; ``delete_ok`` False: Delete answers 0 and the file stays."""

    def __init__(self, delete_ok):
        self.delete_ok = delete_ok
        self.calls = []

    def classMethodValue(self, cls, method, path):  # noqa: N802  (the client's name)
        assert cls == "%Library.File"
        self.calls.append((method, path))
        if method == "Exists":
            return int(os.path.exists(path))
        assert method == "Delete"
        if self.delete_ok:
            os.remove(path)
        return int(self.delete_ok)


class _NativeInstance(object):
    kind = "native"
    sessions = 0

    def __init__(self, irs):
        self.irs = irs

    def iris(self):
        return self.irs

    def run(self, dummy_program):
        return {"ipm": "0.10.9"}  # iris_sim's stand-in installer version


@pytest.mark.parametrize("delete_ok", [True, False])
def test_uploads_are_removed_over_native_or_named_in_a_warning(tmp_path, monkeypatch, delete_ok):
    """Over native the installer upload goes through %File (no command beside IRIS); one that stays is warned about."""
    def put_file(dummy_instance, dummy_src, dest_dir, dest_name, **dummy_kwargs):
        (tmp_path / dest_name).write_bytes(b"<Export/>")
    monkeypatch.setattr(_ipm._copy, "put_file", put_file)
    module = _Module(str(tmp_path))
    irs = _NativeIris(delete_ok)
    manager = _ipm.IpmManager(module, instance=_NativeInstance(irs))
    manager.wanted = dict(name=None, version=None, state="present", ipm_version="0.10.9", installer="zpm.xml",
                          checksum=None, source=None)
    assert manager._apply(dict(install_ipm=True, actions=[], commands=[])) == {"ipm": "0.10.9", "package": ""}
    upload = str(tmp_path / "iris-devtools-ipm-installer-0.10.9.xml")
    assert ("Delete", upload) in irs.calls
    if delete_ok:
        assert os.listdir(str(tmp_path)) == [] and module.warnings == []
    else:
        assert os.path.exists(upload)
        assert len(module.warnings) == 1 and upload in module.warnings[0]
