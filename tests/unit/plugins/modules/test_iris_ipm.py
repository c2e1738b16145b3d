# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_ipm through main(): argspec, check mode = real run, diff, idempotency, version change, absent, the IPM version
traps and bad inputs, against the in-process simulator (its IPM model and installer stand-ins)."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile

import pytest

from ansible_collections.iris_devtools.iris.plugins.modules import iris_ipm

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "simulator", "tests", "data", "ipm"))
REPO = os.path.join(DATA, "repo")
INSTALLER = os.path.join(DATA, "zpm-0.10.9.xml")
INSTALLER_09 = os.path.join(DATA, "zpm-0.9.2.xml")


def _sha(path):
    with open(path, "rb") as handle:
        return "sha256:" + hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def main(iris_sim_connect, run_module_main, tmp_path):
    """``main(args, check=False, diff=True) -> result`` (with ``failed``); sessions run in the simulator."""
    upload = tmp_path / "upload"
    upload.mkdir()

    def call(args, check=False, diff=True):
        iris_sim_connect.reset()
        args = dict(dict(container="sim", upload_dir=str(upload)), **args)
        result, failed = run_module_main(iris_ipm, args, check_mode=check, diff=diff)
        if not failed:
            assert result["iris_sessions"] == iris_sim_connect.sessions
        return dict(result, failed=failed, sessions=iris_sim_connect.sessions)
    call.sim = iris_sim_connect.sim
    call.upload = upload
    return call


def _installed(sim, name, namespace="USER"):
    """Independent check: the version %IPM.Storage.Module reports ('-' when not installed, 'NOIPM' without IPM)."""
    out = sim.run(namespace, 'try { set m=##class(%IPM.Storage.Module).NameOpen("' + name + '") '
                             'write "V=",$SELECT($ISOBJECT(m):m.VersionString,1:"-"),! } catch e { write "V=NOIPM",! }')
    return [line.split("V=", 1)[1] for line in out.splitlines() if "V=" in line and "write" not in line][-1]


def _four_steps(main, args):
    """check, real, check, real: the first pair changes, check predicts real, the second pair changes nothing."""
    check = main(args, check=True)
    real = main(args)
    assert not check["failed"] and not real["failed"], (check.get("msg"), real.get("msg"))
    for key in ("changed", "actions", "commands", "ipm_version"):
        assert check[key] == real[key], key
    assert check["changed"] is True
    check2 = main(args, check=True)
    real2 = main(args)
    for result in (check2, real2):
        assert not result["failed"] and result["changed"] is False and result["actions"] == [] and result["sessions"] == 1
    assert real2["package"] == real["package"] and real2["ipm_version"] == real["ipm_version"]
    return check, real


def test_ipm_installed_offline_at_the_pinned_version(main):
    args = dict(ipm_version="0.10.9", ipm_installer=INSTALLER, ipm_checksum=_sha(INSTALLER))
    assert _installed(main.sim, "zpm") == "NOIPM"
    check, real = _four_steps(main, args)
    assert real["actions"] == ["install_ipm"] and real["ipm_version"] == "0.10.9" and real["sessions"] == 2
    assert real["diff"] == {"before": {"ipm_version": None}, "after": {"ipm_version": "0.10.9"}}
    assert check["diff"] == real["diff"]
    assert _installed(main.sim, "zpm") == "0.10.9"
    assert _installed(main.sim, "zpm", "%SYS") == "NOIPM"  # 0.9+: per namespace
    assert os.listdir(main.upload) == []  # the uploaded installer was removed


def test_ipm_upgrade_from_09_to_010(main):
    assert not main(dict(ipm_version="0.9.2", ipm_installer=INSTALLER_09))["failed"]
    result = main(dict(ipm_version="0.10.9", ipm_installer=INSTALLER))
    assert result["changed"] and result["diff"]["before"]["ipm_version"] == "0.9.2"
    assert _installed(main.sim, "zpm") == "0.10.9"


def test_package_from_local_directory_then_version_change_then_absent(main, tmp_path):
    ipm = dict(ipm_version="0.10.9", ipm_installer=INSTALLER)
    args = dict(ipm, name="greet", src=os.path.join(REPO, "greet-1.0.0"))
    check, real = _four_steps(main, args)
    assert real["actions"] == ["install_ipm", "load"]
    assert real["commands"] == ["load %s/iris-devtools-ipm-greet-1.0.0.tgz" % main.upload]
    assert real["package"] == {"name": "greet", "version": "1.0.0", "installed": True}
    assert real["diff"]["before"]["package"] == {"name": "greet", "version": None, "installed": False}
    assert check["diff"] == real["diff"]
    assert _installed(main.sim, "greet") == "1.0.0"
    assert "1.0.0" in main.sim.run("USER", "write ##class(Greet.Hi).Version()")
    # a version pin change: uninstall, then load the other version
    args = dict(ipm, name="greet", version="1.1.0", src=os.path.join(REPO, "greet-1.1.0"))
    check, real = _four_steps(main, args)
    assert real["actions"] == ["uninstall", "load"]
    assert real["diff"]["before"]["package"]["version"] == "1.0.0" and real["package"]["version"] == "1.1.0"
    assert _installed(main.sim, "greet") == "1.1.0"
    # absent
    check, real = _four_steps(main, dict(name="greet", state="absent"))
    assert real["actions"] == ["uninstall"] and real["commands"] == ["uninstall greet"]
    assert real["package"] == {"name": "greet", "version": None, "installed": False}
    assert _installed(main.sim, "greet") == "-"


def test_package_from_tarball_and_from_remote_directory(main, tmp_path):
    main(dict(ipm_version="0.10.9", ipm_installer=INSTALLER))
    tgz = tmp_path / "greet.tar.gz"
    with tarfile.open(str(tgz), "w:gz") as archive:
        archive.add(os.path.join(REPO, "greet-1.0.0"), arcname="greet")  # nested: fine on 0.10.x
    check, real = _four_steps(main, dict(name="greet", src=str(tgz)))
    assert real["package"]["version"] == "1.0.0"
    main(dict(name="greet", state="absent"))
    check, real = _four_steps(main, dict(name="greet", remote_src=os.path.join(REPO, "greet-1.1.0")))
    assert real["commands"] == ["load %s" % os.path.join(REPO, "greet-1.1.0")]
    assert _installed(main.sim, "greet") == "1.1.0"


def test_package_from_filesystem_repository_with_dependency(main):
    main(dict(ipm_version="0.10.9", ipm_installer=INSTALLER))
    args = dict(name="hello", repository=REPO, repository_depth=2)
    check, real = _four_steps(main, args)
    assert real["commands"] == ["repo -name iris-devtools -fs -path %s -depth 2" % REPO, "install hello"]
    assert check["package"] == {"name": "hello", "version": None, "installed": True}  # not known before the install
    assert real["package"] == {"name": "hello", "version": "2.0.0", "installed": True}
    assert _installed(main.sim, "greet") == "1.1.0"  # the dependency, from the repository
    failed = main(dict(name="greet", state="absent"))  # IPM refuses: hello depends on it
    assert failed["failed"] and "required by hello" in failed["msg"]
    assert _installed(main.sim, "greet") == "1.1.0"


def test_ipm_09_refuses_a_nested_tarball_before_any_change(main, tmp_path):
    """iris-sources.md IPMSRC #474: below 0.10.0 module.xml must be at the tarball's top; the check fails first."""
    main(dict(ipm_version="0.9.2", ipm_installer=INSTALLER_09))
    tgz = tmp_path / "greet.tgz"
    with tarfile.open(str(tgz), "w:gz") as archive:
        archive.add(os.path.join(REPO, "greet-1.0.0"), arcname="greet")
    result = main(dict(name="greet", src=str(tgz)))
    assert result["failed"] and "below the archive's top" in result["msg"] and "Fix:" in result["msg"]
    assert result["sessions"] == 1
    result = main(dict(name="greet", remote_src=str(tmp_path / "x.tar.gz")))
    assert result["failed"] and ".tar.gz needs IPM 0.10.0" in result["msg"]
    assert not main(dict(name="greet", src=os.path.join(REPO, "greet-1.0.0")))["failed"]  # a directory is packed flat


def test_failed_load_reports_ipm_error(main, tmp_path):
    main(dict(ipm_version="0.10.9", ipm_installer=INSTALLER))
    result = main(dict(name="broken", src=os.path.join(DATA, "broken")))
    assert result["failed"] and "compiling Broken.Bad failed" in result["msg"]
    assert result["msg"].startswith("IPM failed") and "Fix: read IPM's message" in result["msg"]
    assert _installed(main.sim, "broken") == "-"


def test_wrong_installer_version_stops_before_packages(main, tmp_path):
    wrong = tmp_path / "zpm-0.10.8.xml"
    shutil.copy(INSTALLER, str(wrong))  # holds 0.10.9
    result = main(dict(ipm_version="0.10.8", ipm_installer=str(wrong), name="greet", src=os.path.join(REPO, "greet-1.0.0")))
    assert result["failed"] and "not the pinned 0.10.8" in result["msg"] and "Fix: give the installer of version 0.10.8" in result["msg"]
    assert _installed(main.sim, "greet") == "-"


@pytest.mark.parametrize("args, needle", [
    ({}, "Nothing to manage"),
    ({"name": "x", "state": "gone"}, "value of state must be one of: present, absent"),
    ({"ipm_version": "0.10.9"}, "parameters are required together: ipm_version, ipm_installer"),
    ({"name": "x", "src": "/a", "repository": "/b"}, "mutually exclusive: src|remote_src|repository"),
    ({"ipm_version": "latest", "ipm_installer": INSTALLER}, "is not a semantic version"),
    ({"ipm_version": "0.7.3", "ipm_installer": INSTALLER}, "pin IPM 0.9.0 or later"),
    ({"ipm_version": "1.0.0", "ipm_installer": INSTALLER}, "newer than the versions this module knows"),
    ({"ipm_version": "0.10.9", "ipm_installer": "/nonexistent.xml"}, "is not a file"),
    ({"ipm_version": "0.10.9", "ipm_installer": INSTALLER, "ipm_checksum": "md5:abc"}, "is not of the form sha256"),
    ({"ipm_version": "0.10.9", "ipm_installer": INSTALLER, "ipm_checksum": "sha256:" + "0" * 64}, "not the expected"),
    ({"name": "bad name", "repository": "/r"}, "is not an IPM module name"),
    ({"name": "x"}, "none of src, remote_src and repository is set"),
    ({"name": "x", "version": "1.0", "repository": "/r"}, "version '1.0' is not a semantic version"),
    ({"name": "x", "version": "1.0.0", "state": "absent"}, "version is not used with state=absent"),
    ({"name": "x", "remote_src": "relative/dir"}, "is not an absolute path"),
    ({"name": "x", "remote_src": "/with space/x.tgz"}, "is not an absolute path"),
    ({"name": "x", "repository": "/r", "repository_depth": -1}, "is negative"),
    ({"name": "x", "repository": "/r", "upload_dir": "tmp"}, "upload_dir 'tmp' is not an absolute path"),
    ({"name": "x", "src": "/nonexistent"}, "does not exist on the host"),
    ({"name": "x", "src": INSTALLER}, "not a .tgz or .tar.gz"),
    ({"name": "x", "src": os.path.join(REPO, "greet-1.0.0")}, "holds package greet, not x"),
    ({"name": "greet", "version": "2.0.0", "src": os.path.join(REPO, "greet-1.0.0")}, "not version 2.0.0"),
    ({"name": "greet", "repository": REPO}, "IPM is not installed in namespace USER"),
])
def test_bad_inputs_fail_with_a_fix(main, args, needle):
    result = main(args)
    assert result["failed"] and needle in result["msg"], result["msg"]
    if "Fix:" not in result["msg"]:
        # argspec messages come from AnsibleModule itself
        assert "parameters" in result["msg"] or "value of" in result["msg"], result["msg"]
