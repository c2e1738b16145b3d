# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_fixture's manager against the in-process IRIS simulator: export -> validate -> restore into a new
namespace -> rows equal -> re-run is a no-op in one session -> absent leaves nothing; and the faults of
issue #5 item 7 (checksum mismatch, truncated file, missing manifest field, a namespace holding another
fixture, an IRIS error in the middle of a restore) leave the instance exactly as before."""

from __future__ import annotations

import json
import os
import subprocess
import threading

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _copy, _files, _fixture, _fixture_lock, _instance, _manifest
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.tests.unit.conftest import SimConnect
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_files import slow_hashlib


class FakeModule(object):
    def __init__(self, check_mode=False, diff=True, **params):
        self.params = dict(state="present", path=None, namespace=None, database=None, database_dir=None,
                           reload="on_change", fixture_id=None, version="1.0.0", description="", force=False,
                           transport="local", container=None, instance="IRIS", timeout=30, docker_host=None,
                           verify_checksum="cached")
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = diff

    @staticmethod
    def run_command(argv, binary_data=False, errors=None, encoding=None):
        """AnsibleModule.run_command as _instance.LocalInstance calls it (bytes out): the temp-file listing runs here."""
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        return proc.returncode, proc.stdout, proc.stderr


def manager(sim, **params):
    check_mode = params.pop("check_mode", False)
    module = FakeModule(check_mode=check_mode, **params)
    return _fixture.FixtureManager(module, instance=SimConnect(sim).instance_from_module(module))


def run(sim, **params):
    return manager(sim, **params).run()


def sql(sim, namespace, statement):
    return sim.run(namespace, 'set rs=##class(%SQL.Statement).%ExecDirect(,"' + statement.replace('"', '""') + '") '
                              'if rs.%SQLCODE<0 { write "SQLERR ",rs.%SQLCODE } else { do rs.%Next() write "=",rs.%GetData(1) }')


def count(sim, namespace, table):
    out = sql(sim, namespace, "SELECT COUNT(*) FROM " + table)
    assert "=" in out, out
    return int(out.rsplit("=", 1)[1].split()[0])


def make_source(sim, name="SRC", rows=3):
    """A namespace with a database of its own holding two tables."""
    directory = os.path.join(sim.inst.mgr_dir, name.lower())
    out = sim.run("%SYS", 'write ##class(SYS.Database).CreateDatabase("%s",1)' % directory,
                  'set p("Directory")="%s" write ##class(Config.Databases).Create("%s",.p)' % (directory, name),
                  'set n("Globals")="%s",n("Routines")="%s" write ##class(Config.Namespaces).Create("%s",.n)' % (name, name, name))
    assert out.replace("%SYS>", " ").split() == ["1", "1", "1"], out
    sql(sim, name, "CREATE TABLE Shop.Item (Name VARCHAR(40), Price INTEGER)")
    sql(sim, name, "CREATE TABLE Shop.Customer (Name VARCHAR(40))")
    for index in range(rows):
        sql(sim, name, "INSERT INTO Shop.Item (Name, Price) VALUES ('item%d', %d)" % (index, index * 10))
    sql(sim, name, "INSERT INTO Shop.Customer (Name) VALUES ('ann')")
    return directory


def snapshot(sim):
    """What a fixture run may touch: namespaces, databases, mounts, files under mgr/, our records."""
    sim.inst.reload()
    files = []
    for root, dirs, names in os.walk(sim.inst.mgr_dir):
        for name in names:
            if not name.startswith("sim-"):
                files.append(os.path.relpath(os.path.join(root, name), sim.inst.mgr_dir))
        for name in dirs:
            files.append(os.path.relpath(os.path.join(root, name), sim.inst.mgr_dir) + "/")
    records = sim.run("%SYS", 'set k="" for { set k=$ORDER(^IrisDevTools("fixture",k)) quit:k=""  write k,";" }')
    return dict(namespaces=sorted(sim.inst.config.namespaces()), databases=sorted(sim.inst.config.databases()),
                mounts=sorted(sim.inst.runtime_info().get("mounts", {})), files=sorted(files),
                records=records.replace("%SYS>", "").strip())


@pytest.fixture
def exported(iris_sim, tmp_path):
    make_source(iris_sim)
    path = str(tmp_path / "fx")
    result = run(iris_sim, state="exported", namespace="SRC", path=path, fixture_id="shop", version="2.0.0", description="d")
    return path, result


# -- every option validated for what it is, before anything is read or changed (issue 11 item 1) -------------------
@pytest.mark.parametrize("params, option, problem", [
    (dict(state="present", database_dir="fix\ndir"), "database_dir", "U+000A (line feed)"),
    (dict(state="present", database_dir="x\ny"), "database_dir", "U+000A (line feed)"),
    (dict(state="present", database_dir="fixdir\r"), "database_dir", "U+000D (carriage return)"),
    (dict(state="present", database_dir="fix\x00dir"), "database_dir", "U+0000 (NUL)"),
    (dict(state="present", database_dir="fix\x7f"), "database_dir", "U+007F (DEL)"),
    (dict(state="present", database_dir="a,b"), "database_dir", "contains ','"),
    (dict(state="present", database_dir="../../etc"), "database_dir", "'..' component"),
    (dict(state="present", database_dir="/usr/irissys/mgr/./x"), "database_dir", "'..' component"),
    (dict(state="present", database_dir="/"), "database_dir", "is not a database directory"),
    (dict(state="present", database_dir="d" * 201), "database_dir", "(at most 200)"),
    (dict(state="absent", database_dir="fix\ndir"), "database_dir", "U+000A"),
    (dict(state="present", path="/srv/fx\nx"), "path", "U+000A"),
    (dict(state="validated", path="/srv/fx\x00"), "path", "U+0000"),
    (dict(state="present", namespace="FIX\n1"), "namespace", "U+000A"),
    (dict(state="absent", namespace="FIX\x00"), "namespace", "U+0000"),
    (dict(state="present", namespace="FIX1\n"), "namespace", "U+000A"),  # "$" of the old pattern accepted a trailing LF
    (dict(state="present", database="FIXDB\n"), "database", "U+000A"),
    (dict(state="present", database="DB\r"), "database", "U+000D"),
    (dict(state="exported", namespace="SRC", fixture_id="a\nb"), "fixture_id", "U+000A"),
    (dict(state="exported", namespace="SRC", fixture_id="a b"), "fixture_id", "it contains a space"),
    (dict(state="exported", namespace="SRC", version="1.0\n"), "version", "U+000A"),
    (dict(state="exported", namespace="SRC", description="a\x00b"), "description", "U+0000"),
    (dict(state="exported", namespace="SRC", description="x" * 4097), "description", "(at most 4096)"),
    (dict(state="exported", namespace="SRC", description="line\n\tline\r\n\x85"), "description", "U+0085"),
])
def test_hostile_options_fail_before_anything_runs(iris_sim, tmp_path, params, option, problem):
    params = dict(dict(path=str(tmp_path / "fx"), namespace="FIX1"), **params)
    before = snapshot(iris_sim)
    mgr = manager(iris_sim, **params)
    with pytest.raises(IrisModuleError) as err:
        mgr.run()
    # One message style with the shared options (_argspec): "<option> <value> is not valid: <reason>." + a Fix.
    assert err.value.msg.startswith("%s " % option) and " is not valid: " in err.value.msg, err.value.msg
    assert problem in err.value.msg and err.value.msg.endswith(".") and err.value.hint, err.value.msg
    assert "\n" not in err.value.msg and "\x00" not in err.value.msg  # the value is shown escaped
    assert mgr.sessions == 0 and snapshot(iris_sim) == before and not os.path.exists(params["path"])


@pytest.mark.parametrize("namespace", ["SRC\n", "SRC X", "SRC'", "S" * 65])
def test_hostile_export_namespace_is_refused_by_the_shared_rule(run_module_main, tmp_path, namespace):
    """The namespace an export reads is checked by _argspec.validate_common (run_module) like in every module."""
    from ansible_collections.iris_devtools.iris.plugins.modules import iris_fixture
    path = str(tmp_path / "fx")
    result, failed = run_module_main(iris_fixture, dict(state="exported", namespace=namespace, path=path, transport="local"))
    assert failed and result["msg"].startswith("namespace ") and " is not valid: " in result["msg"], result
    assert "1 to 64 characters" in result["msg"] and not os.path.exists(path)


def test_database_dir_with_a_line_break_never_reaches_the_configuration(iris_sim, exported):
    """The reproduction of issue 11: 'x\ny' wrote a second line into the configuration (a database definition that
    survived state=absent) and the instance could not start; now nothing of it reaches the instance."""
    path, dummy = exported
    before = snapshot(iris_sim)
    for value in ("x\ny", "fixdir\nFAKEDB=/tmp/evil/"):
        with pytest.raises(IrisModuleError):
            run(iris_sim, state="present", namespace="FIX1", database_dir=value, path=path)
    assert snapshot(iris_sim) == before and "FAKEDB" not in sim_config_text(iris_sim)


def sim_config_text(sim):
    """The simulator's configuration file (its iris.cpf), read independently."""
    with open(sim.inst.cpf_path) as handle:
        return handle.read()


@pytest.mark.parametrize("database_dir", ["fixdir", "sub/fixdir", "fix dir", "/tmp/x/fix_dir-2.0+a@b"])
def test_plausible_database_dirs_pass(database_dir):
    assert _fixture.check_database_dir(database_dir) == database_dir


# -- export -------------------------------------------------------------------------------------------
def test_export_writes_consistent_fixture_and_remounts(iris_sim, exported):
    path, result = exported
    assert result["changed"] is True
    manifest = _manifest.load(path)
    assert manifest["fixture_id"] == "shop" and manifest["version"] == "2.0.0" and manifest["namespace"] == "SRC"
    assert manifest["tables"] == [{"name": "Shop.Customer", "row_count": 1}, {"name": "Shop.Item", "row_count": 3}]
    assert manifest["iris_version"].startswith("IRIS for UNIX") or manifest["iris_version"]
    assert manifest["source_database"] == "SRC"
    # the copy was cold: no mount mark in the header (the simulator refuses copies of mounted files)
    with open(os.path.join(path, "IRIS.DAT"), "rb") as handle:
        header = handle.read(4096)
    assert b'"mount":null' in header
    # the source is mounted again and usable
    assert iris_sim.inst.is_mounted(os.path.join(iris_sim.inst.mgr_dir, "src"))
    assert count(iris_sim, "SRC", "Shop.Item") == 3
    assert result["iris_sessions"] == 3
    assert result["diff"]["after"]["fixture"]["checksum"] == manifest["checksum"]


def test_export_rerun_is_noop_and_refuses_other_fixture(iris_sim, exported):
    path, dummy = exported
    again = run(iris_sim, state="exported", namespace="SRC", path=path, fixture_id="shop", version="2.0.0")
    assert again["changed"] is False and again["iris_sessions"] == 0
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="exported", namespace="SRC", path=path, fixture_id="shop", version="3.0.0")
    assert "does not overwrite" in err.value.msg and "force" in err.value.hint
    forced = run(iris_sim, state="exported", namespace="SRC", path=path, fixture_id="shop", version="3.0.0", force=True)
    assert forced["changed"] is True and _manifest.load(path)["version"] == "3.0.0"


def test_export_check_mode_changes_nothing(iris_sim, tmp_path):
    make_source(iris_sim)
    before = snapshot(iris_sim)
    path = str(tmp_path / "fx")
    result = run(iris_sim, state="exported", namespace="SRC", path=path, check_mode=True)
    assert result["changed"] is True and not os.path.exists(path)
    assert result["diff"]["after"]["fixture"]["tables"][1] == {"name": "Shop.Item", "row_count": 3}
    assert snapshot(iris_sim) == before


def test_export_failure_remounts_source(iris_sim, tmp_path, monkeypatch):
    """The source namespace is back to its prior state (mounted) even when the copy fails."""
    make_source(iris_sim)
    before = snapshot(iris_sim)

    def broken_copy(instance, src, dest):
        assert not iris_sim.inst.runtime_info()["mounts"].get(os.path.join(iris_sim.inst.mgr_dir, "src") + "/")
        raise IrisModuleError("disk full (test)", hint="free space")
    monkeypatch.setattr(_copy, "fetch_file", broken_copy)
    path = str(tmp_path / "fx")
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="exported", namespace="SRC", path=path)
    assert "disk full" in err.value.msg
    assert snapshot(iris_sim) == before
    assert count(iris_sim, "SRC", "Shop.Item") == 3
    assert not os.path.exists(os.path.join(path, "IRIS.DAT")) and not os.path.exists(os.path.join(path, "manifest.json"))


def test_export_dismount_fault_leaves_source_mounted(iris_sim, tmp_path):
    from iris_sim import faults  # pylint: disable=import-error
    make_source(iris_sim)
    faults.set_fault(iris_sim.inst, "SYS.Database.DismountDatabase", 1)
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="exported", namespace="SRC", path=str(tmp_path / "fx"))
    assert "Simulated fault" in err.value.msg
    assert count(iris_sim, "SRC", "Shop.Item") == 3


def test_export_refusals(iris_sim, tmp_path):
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="exported", namespace="NOPE", path=str(tmp_path / "a"))
    assert "does not exist" in err.value.msg
    make_source(iris_sim)
    iris_sim.run("%SYS", 'set n("Routines")="USER" do ##class(Config.Namespaces).Modify("SRC",.n)')
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="exported", namespace="SRC", path=str(tmp_path / "b"))
    assert "keeps its code in database USER" in err.value.msg


# -- validate -------------------------------------------------------------------------------------------
def test_validated_offline(exported):
    path, dummy = exported
    module = FakeModule(state="validated", path=path)
    result = _fixture.FixtureManager(module).run()  # no transport at all
    assert result["changed"] is False and result["fixture"]["fixture_id"] == "shop"
    assert result["diff"]["before"] == result["diff"]["after"]


def _validate(path, **params):
    return _fixture.FixtureManager(FakeModule(state="validated", path=path, **params)).run()


def test_validated_again_does_not_read_an_unchanged_fixture(exported, monkeypatch):
    """issue 12 item 4: the roles' validate step runs on every provision; a fixture verified before and provably
    unchanged (path + dev, inode, size, mtime, ctime of IRIS.DAT and manifest.json) is not read again."""
    path, dummy = exported
    dat = os.path.join(path, "IRIS.DAT")
    hashed = []
    real_sha256 = _files.sha256_file
    monkeypatch.setattr(_files, "sha256_file", lambda name, *a, **k: hashed.append(name) or real_sha256(name, *a, **k))
    reads = _count_reads(monkeypatch, dat)
    first = _validate(path)
    assert first["checksum_verified"] == "hashed" and len(hashed) == len(reads) == 1
    assert "checksum_cache_error" not in first
    second = _validate(path)
    assert second["checksum_verified"] == "cached" and len(hashed) == len(reads) == 1  # IRIS.DAT not opened
    assert dict(second, checksum_verified="hashed") == first  # the same result otherwise
    cache = os.path.expanduser("~/.cache/iris_devtools/fixtures/verified")
    assert os.stat(cache).st_mode & 0o777 == 0o700
    assert [os.stat(os.path.join(cache, name)).st_mode & 0o777 for name in os.listdir(cache)] == [0o600]
    # touching the file (a new mtime) hashes it again; then it is cached again
    info = os.stat(dat)
    os.utime(dat, ns=(info.st_atime_ns, info.st_mtime_ns + 10 ** 9))
    assert _validate(path)["checksum_verified"] == "hashed" and len(reads) == 2
    assert _validate(path)["checksum_verified"] == "cached" and len(reads) == 2
    # a change of the manifest alone hashes again too
    manifest_path = os.path.join(path, "manifest.json")
    os.utime(manifest_path, ns=(os.stat(manifest_path).st_atime_ns, os.stat(manifest_path).st_mtime_ns + 10 ** 9))
    assert _validate(path)["checksum_verified"] == "hashed" and len(reads) == 3
    # always reads on every run; never reads nothing
    assert _validate(path, verify_checksum="always")["checksum_verified"] == "hashed" and len(reads) == 4
    assert _validate(path, verify_checksum="never")["checksum_verified"] == "skipped" and len(reads) == 4


def test_validated_cache_catches_a_write_that_keeps_size_and_mtime(exported):
    """Bytes changed in place with the size kept and the mtime set back: the ctime differs, so the file is hashed
    and the mismatch found (a user can set the mtime back, not the ctime)."""
    path, dummy = exported
    dat = os.path.join(path, "IRIS.DAT")
    assert _validate(path)["checksum_verified"] == "hashed"
    assert _validate(path)["checksum_verified"] == "cached"
    info = os.stat(dat)
    with open(dat, "r+b") as handle:
        handle.seek(10)
        handle.write(b"\xff\xfe")
    os.utime(dat, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert os.stat(dat).st_size == info.st_size and os.stat(dat).st_mtime_ns == info.st_mtime_ns
    with pytest.raises(IrisModuleError) as err:
        _validate(path)
    assert "Checksum mismatch" in err.value.msg
    with pytest.raises(IrisModuleError):
        _validate(path)  # a mismatch is never remembered


def test_validated_cache_that_cannot_be_written_is_reported_not_fatal(exported):
    path, dummy = exported
    base = os.path.expanduser("~/.cache/iris_devtools/fixtures")
    os.makedirs(base, exist_ok=True)  # the export's lock made it
    with open(os.path.join(base, "verified"), "w") as handle:  # a file where the directory should be
        handle.write("x")
    result = _validate(path)
    assert result["checksum_verified"] == "hashed" and "checksum cache directory" in result["checksum_cache_error"]
    assert _validate(path)["checksum_verified"] == "hashed"


# -- restore ----------------------------------------------------------------------------------------------
def test_round_trip_restore_noop_absent(iris_sim, exported):
    path, dummy = exported
    # the source namespace goes away (issue #5 item 8)
    iris_sim.run("%SYS", 'do ##class(Config.Namespaces).Delete("SRC")')
    before = snapshot(iris_sim)

    check = run(iris_sim, state="present", namespace="FIX1", path=path, check_mode=True)
    assert check["changed"] is True and snapshot(iris_sim) == before
    real = run(iris_sim, state="present", namespace="FIX1", path=path)
    assert real["changed"] is True and real["actions"] == check["actions"] and real["diff"] == check["diff"]
    assert real["iris_sessions"] == 2  # read + prepare in one session (beside the hash), then apply
    assert real["tables"] == [{"name": "Shop.Customer", "row_count": 1}, {"name": "Shop.Item", "row_count": 3}]
    # independent verification: the new namespace uses the restored database for globals AND routines
    assert count(iris_sim, "FIX1", "Shop.Item") == 3 and count(iris_sim, "FIX1", "Shop.Customer") == 1
    conf = iris_sim.inst.config.namespaces()["FIX1"]
    assert conf == {"Globals": "FIX1", "Routines": "FIX1"} or (conf["Globals"], conf["Routines"]) == ("FIX1", "FIX1")
    assert iris_sim.inst.is_mounted(os.path.join(iris_sim.inst.mgr_dir, "fix1"))
    record = json.loads(iris_sim.run("%SYS", 'write ^IrisDevTools("fixture","FIX1")').replace("%SYS>", "").strip())
    assert record["status"] == "present" and record["fixture"]["checksum"] == _manifest.load(path)["checksum"]

    for check_mode in (True, False):
        again = run(iris_sim, state="present", namespace="FIX1", path=path, check_mode=check_mode)
        assert again["changed"] is False and again["iris_sessions"] == 1
        assert again["diff"]["before"] == again["diff"]["after"]

    gone_check = run(iris_sim, state="absent", namespace="FIX1", check_mode=True)
    assert gone_check["changed"] is True and count(iris_sim, "FIX1", "Shop.Item") == 3
    gone = run(iris_sim, state="absent", namespace="FIX1")
    assert gone["changed"] is True and gone["actions"] == gone_check["actions"]
    assert snapshot(iris_sim) == before
    for check_mode in (True, False):
        assert run(iris_sim, state="absent", namespace="FIX1", check_mode=check_mode)["changed"] is False


def test_restore_same_fixture_twice_in_two_namespaces(iris_sim, exported):
    path, dummy = exported
    run(iris_sim, state="present", namespace="FIXA", path=path)
    run(iris_sim, state="present", namespace="FIXB", path=path)
    sql(iris_sim, "FIXA", "INSERT INTO Shop.Customer (Name) VALUES ('bob')")
    assert count(iris_sim, "FIXA", "Shop.Customer") == 2 and count(iris_sim, "FIXB", "Shop.Customer") == 1


def test_reload_policies(iris_sim, exported, tmp_path):
    path, dummy = exported
    run(iris_sim, state="present", namespace="FIX1", path=path)
    sql(iris_sim, "SRC", "INSERT INTO Shop.Customer (Name) VALUES ('bob')")
    other = str(tmp_path / "fx2")
    run(iris_sim, state="exported", namespace="SRC", path=other, fixture_id="shop", version="2.1.0")
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX1", path=other, reload="never")
    assert "holds fixture shop 2.0.0" in err.value.msg and "reload: on_change" in err.value.hint
    assert count(iris_sim, "FIX1", "Shop.Customer") == 1
    result = run(iris_sim, state="present", namespace="FIX1", path=other)
    assert result["changed"] is True and count(iris_sim, "FIX1", "Shop.Customer") == 2
    assert result["diff"]["before"]["restore"]["fixture"]["version"] == "2.0.0"
    always = run(iris_sim, state="present", namespace="FIX1", path=other, reload="always")
    assert always["changed"] is True and count(iris_sim, "FIX1", "Shop.Customer") == 2
    # data changed inside the restored namespace is not detected (no data diff), on_change keeps it
    assert run(iris_sim, state="present", namespace="FIX1", path=other)["changed"] is False


def test_restore_refuses_foreign_namespace_and_database(iris_sim, exported):
    path, dummy = exported
    before = snapshot(iris_sim)
    for namespace in ("SRC", "USER", "%SYS"):
        with pytest.raises(IrisModuleError) as err:
            run(iris_sim, state="present", namespace=namespace, path=path)
        assert namespace in err.value.msg
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX9", database="SRC", path=path)
    assert "Database SRC is already defined" in err.value.msg
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="absent", namespace="SRC")
    assert "not restored by iris_fixture" in err.value.msg
    with pytest.raises(IrisModuleError):
        run(iris_sim, state="present", namespace="bad-name", path=path)
    assert snapshot(iris_sim) == before


# -- faults (issue #5 item 7) -------------------------------------------------------------------------------
def _corrupt(path, how):
    dat = os.path.join(path, "IRIS.DAT")
    manifest_path = os.path.join(path, "manifest.json")
    if how == "checksum":
        with open(dat, "r+b") as handle:
            handle.seek(5000)
            handle.write(b"X")
    elif how == "truncated":
        with open(dat, "r+b") as handle:
            handle.truncate(os.path.getsize(dat) - 10)
    elif how == "missing_field":
        with open(manifest_path) as handle:
            data = json.load(handle)
        del data["checksum"]
        with open(manifest_path, "w") as handle:
            json.dump(data, handle)


@pytest.mark.parametrize("how, text", [("checksum", "Checksum mismatch"), ("truncated", "truncated"),
                                       ("missing_field", "'checksum' is missing")])
def test_damaged_fixture_never_reaches_the_instance(iris_sim, exported, how, text):
    path, dummy = exported
    _corrupt(path, how)
    before = snapshot(iris_sim)
    sessions = []
    mgr = manager(iris_sim, state="present", namespace="FIX1", path=path)
    with pytest.raises(IrisModuleError) as err:
        mgr.run()
    sessions.append(mgr.sessions)
    assert text in err.value.msg and err.value.hint
    # manifest and size are checked before the instance is read; the checksum beside the read session (which prepares
    # this fresh restore: record + directory) and before anything is copied; a mismatch rolls the preparation back
    # (a second session), so the instance is as before
    assert sessions == [2 if how == "checksum" else 0] and snapshot(iris_sim) == before
    if how == "checksum":
        assert "Everything this run created was removed again" in err.value.msg
        assert err.value.details["expected_checksum"] == _manifest.load(path)["checksum"]
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX1", path=path, check_mode=True)
    assert text in err.value.msg
    with pytest.raises(IrisModuleError):
        _fixture.FixtureManager(FakeModule(state="validated", path=path)).run()


@pytest.mark.parametrize("member", ["Config.Databases.Create", "SYS.Database.MountDatabase", "Config.Namespaces.Create",
                                    "%Library.File.CreateDirectoryChain"])
def test_iris_error_mid_restore_rolls_back(iris_sim, exported, member):
    from iris_sim import faults  # pylint: disable=import-error
    path, dummy = exported
    before = snapshot(iris_sim)
    faults.set_fault(iris_sim.inst, member, 1)
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX1", path=path)
    assert "Everything this run created was removed again" in err.value.msg, err.value.msg
    assert faults.pending(iris_sim.inst) == {}
    assert snapshot(iris_sim) == before
    # and the next run works
    assert run(iris_sim, state="present", namespace="FIX1", path=path)["changed"] is True


def test_row_count_mismatch_rolls_back(iris_sim, exported):
    path, dummy = exported
    manifest = _manifest.load(path)
    manifest["tables"][1]["row_count"] = 99
    _manifest.write(path, manifest, force=True)
    before = snapshot(iris_sim)
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX1", path=path)
    assert "table Shop.Item has 3 rows, the manifest says 99" in err.value.msg
    assert snapshot(iris_sim) == before


def test_interrupted_restore_is_repaired_or_removed(iris_sim, exported, monkeypatch):
    """A run that died after the prepare step (e.g. the container stopped mid-copy) leaves a 'restoring' record;
    the next run cleans it up and restores, and state=absent removes it."""
    path, dummy = exported
    before = snapshot(iris_sim)

    class Died(Exception):
        pass

    def die(self, dat_path, directory, *args):
        with open(os.path.join(directory, ".iris-devtools-upload-x-IRIS.DAT"), "wb") as handle:
            handle.write(b"partial")
        raise Died()
    monkeypatch.setattr(_fixture.FixtureManager, "_copy_in", die)
    with pytest.raises(Died):
        run(iris_sim, state="present", namespace="FIX1", path=path)
    monkeypatch.undo()
    left = snapshot(iris_sim)
    assert left != before and "FIX1" in left["records"]
    assert run(iris_sim, state="absent", namespace="FIX1")["changed"] is True
    assert snapshot(iris_sim) == before
    with pytest.raises(Died):
        monkeypatch.setattr(_fixture.FixtureManager, "_copy_in", die)
        run(iris_sim, state="present", namespace="FIX1", path=path)
    monkeypatch.undo()
    result = run(iris_sim, state="present", namespace="FIX1", path=path)
    assert result["changed"] is True and "clean up a failed restore" in result["actions"][0]
    assert count(iris_sim, "FIX1", "Shop.Item") == 3
    run(iris_sim, state="absent", namespace="FIX1")
    assert snapshot(iris_sim) == before


def _count_reads(monkeypatch, path):
    """The list of the times ``path`` is opened for reading by _files (sha256_file, copy_atomic, uploads)."""
    reads = []
    real = _files.open_source

    def counting(name):
        if os.path.abspath(name) == os.path.abspath(path):
            reads.append(name)
        return real(name)
    monkeypatch.setattr(_files, "open_source", counting)
    return reads


def test_a_repair_reads_the_fixture_once_and_a_reload_twice(iris_sim, exported, monkeypatch):
    """A repair (the leftovers of a failed restore) has no good old fixture to protect: the copy's own hash is the one
    read.  A reload hashes the file before it removes the old fixture, then the copy hashes what it sends."""
    path, dummy = exported
    dat = os.path.join(path, "IRIS.DAT")

    class Died(Exception):
        pass

    def die(self, *args):
        raise Died()
    monkeypatch.setattr(_fixture.FixtureManager, "_copy_in", die)
    with pytest.raises(Died):
        run(iris_sim, state="present", namespace="FIX1", path=path)
    monkeypatch.undo()
    reads = _count_reads(monkeypatch, dat)
    result = run(iris_sim, state="present", namespace="FIX1", path=path)
    assert "clean up a failed restore" in result["actions"][0] and count(iris_sim, "FIX1", "Shop.Item") == 3
    assert len(reads) == 1, reads
    del reads[:]
    assert run(iris_sim, state="present", namespace="FIX1", path=path, reload="always")["changed"] is True
    assert len(reads) == 2, reads


def test_a_local_export_reads_the_database_once(iris_sim, tmp_path, monkeypatch):
    """The export's copy returns the SHA-256 it computed while copying: neither the source nor the copy is read again."""
    source = make_source(iris_sim)
    path = str(tmp_path / "fx")
    opened = []
    real = _files.open_source
    monkeypatch.setattr(_files, "open_source", lambda name: opened.append(os.path.abspath(name)) or real(name))
    result = run(iris_sim, state="exported", namespace="SRC", path=path)
    assert opened == [os.path.join(os.path.abspath(source), "IRIS.DAT")], opened
    assert result["manifest"]["checksum"] == real_sha256(os.path.join(path, "IRIS.DAT"))


def real_sha256(name):
    import hashlib
    with open(name, "rb") as handle:
        return "sha256:" + hashlib.sha256(handle.read()).hexdigest()


def test_concurrent_restores_are_serialized(iris_sim, exported):
    """Two restores into one instance at once: the lock serializes them; both namespaces end up correct."""
    path, dummy = exported
    results, errors = {}, {}

    def worker(namespace):
        try:
            results[namespace] = run(iris_sim, state="present", namespace=namespace, path=path)
        except Exception as exc:  # pylint: disable=broad-except
            errors[namespace] = exc
    threads = [threading.Thread(target=worker, args=(ns,)) for ns in ("FIXA", "FIXA", "FIXB")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert count(iris_sim, "FIXA", "Shop.Item") == 3 and count(iris_sim, "FIXB", "Shop.Item") == 3


class _Engine(object):
    """A Docker client whose daemon reports ``engine`` as its ID (``docker info``)."""

    def __init__(self, engine, base_url):
        self.engine = engine
        self.api = type("Api", (), {"base_url": base_url})()

    def info(self):
        return {"ID": self.engine}


class _Container(object):
    def __init__(self, ident):
        self.id = ident


def _docker_manager(docker_host, engine="ENGINE-A", container="c0ffee", instance="IRIS"):
    module = FakeModule(transport="docker", docker_host=docker_host, container="iris1", instance=instance)
    return _fixture.FixtureManager(module, instance=_instance.DockerInstance(_Engine(engine, docker_host), _Container(container),
                                                                             name=instance))


def _docker_lock(docker_host, **kwargs):
    """The lock file the manager's lock() holds (it is keyed by instance.identity())."""
    with _docker_manager(docker_host, **kwargs).lock():
        return [os.path.join(_fixture_lock.lock_dir(), name) for name in os.listdir(_fixture_lock.lock_dir())][0]


def test_lock_is_keyed_by_the_docker_engine_not_the_spelling_of_docker_host():
    """issue 11 item 3: one engine (its daemon ID) is one lock whatever URL reached it; another engine, container or
    instance is another."""
    one = _docker_lock("unix:///var/run/docker.sock")
    assert _docker_lock("unix:///var/run/docker.sock", engine="ENGINE-B") != one
    assert _docker_lock("unix:///var/run/docker.sock", container="other") != one
    assert _docker_lock("unix:///var/run/docker.sock", instance="IRIS2") != one
    # two runs through the two spellings really exclude each other
    with _docker_manager("/var/run/docker.sock").lock():
        with pytest.raises(IrisModuleError) as err:
            with _fixture_lock.instance_lock(_docker_manager("unix:///var/run/docker.sock").instance.identity(), 1):
                pass
    assert "did not finish within" in err.value.msg


def test_engine_without_an_id_is_known_by_the_sdks_base_url():
    """The fallback of _docker.engine_id: the Docker SDK's base_url, which is the same for every unix socket."""
    docker = pytest.importorskip("docker")
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker

    class NoId(object):
        def __init__(self, base_url):
            self.api = docker.APIClient(base_url=base_url, version="1.41")  # no daemon contacted

        def info(self):
            return {}
    assert _docker.engine_id(_Engine("ENGINE-A", "unix:///x")) == "ENGINE-A"
    one = _docker.engine_id(NoId("unix:///var/run/docker.sock"))
    assert one == "url:http+docker://localhost" == _docker.engine_id(NoId("unix:///tmp/other.sock"))
    assert _docker.engine_id(NoId("tcp://127.0.0.1:2375")) != one


def test_absent_failure_keeps_record_and_retries(iris_sim, exported):
    """A removal that IRIS refuses half-way names what is left, keeps the record, and the next run finishes."""
    from iris_sim import faults  # pylint: disable=import-error
    path, dummy = exported
    before = snapshot(iris_sim)
    run(iris_sim, state="present", namespace="FIX1", database="FIXDB", database_dir="fixdir", path=path)
    faults.set_fault(iris_sim.inst, "Config.Namespaces.Delete", 1)
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="absent", namespace="FIX1")
    assert "left namespace_exists" in err.value.msg and "Simulated fault" in err.value.msg
    assert "FIX1" in snapshot(iris_sim)["records"]
    # the record remembers database FIXDB and directory fixdir: no need to repeat them
    assert run(iris_sim, state="absent", namespace="FIX1")["changed"] is True
    assert snapshot(iris_sim) == before


# -- unchanged re-run speed (issue #5 item 9): the checksum only when a copy follows --------------------------------
@pytest.fixture
def slow_hash(monkeypatch):
    """Spy on the hash function _files uses: counts the bytes hashed; 4 KiB chunks at 10 ms each, so hashing a whole
    fixture takes seconds - far longer than an in-process read session."""
    fed = []
    monkeypatch.setattr(_files, "CHUNK_SIZE", 4096)
    monkeypatch.setattr(_files, "hashlib", slow_hashlib(fed))
    return fed


def test_unchanged_rerun_does_not_read_the_whole_file(iris_sim, exported, slow_hash):
    path, dummy = exported
    size = os.path.getsize(os.path.join(path, "IRIS.DAT"))
    assert size >= 64 * 4096, size  # enough chunks for the spy to tell a full read from a cancelled one
    restored = run(iris_sim, state="present", namespace="FIX1", path=path)
    assert restored["changed"] is True and sum(slow_hash) == size  # a restore verifies the whole file first
    for check_mode in (True, False):
        del slow_hash[:]
        again = run(iris_sim, state="present", namespace="FIX1", path=path, check_mode=check_mode)
        assert again["changed"] is False and again["iris_sessions"] == 1
        assert sum(slow_hash) < size, "the unchanged re-run hashed the whole fixture"


def _spy_copies(monkeypatch):
    """Record every _copy_in call (the real copy still runs) and whether it raised."""
    copies = []
    real = _fixture.FixtureManager._copy_in

    def spy(self, *args):
        try:
            real(self, *args)
        except IrisModuleError as exc:
            copies.append(("failed", exc.msg))
            raise
        copies.append(("copied", args[1]))
    monkeypatch.setattr(_fixture.FixtureManager, "_copy_in", spy)
    return copies


def test_changed_file_with_stale_manifest_is_never_installed(iris_sim, exported, monkeypatch):
    path, dummy = exported
    run(iris_sim, state="present", namespace="FIX1", path=path)
    _corrupt(path, "checksum")  # same size, manifest unchanged
    # in place already (the record holds the manifest's checksum): nothing to copy, so nothing to verify
    assert run(iris_sim, state="present", namespace="FIX1", path=path)["changed"] is False
    copies = _spy_copies(monkeypatch)
    before = snapshot(iris_sim)
    for params in (dict(namespace="FIX2"), dict(namespace="FIX1", reload="always")):
        for check_mode in (True, False):
            del copies[:]
            mgr = manager(iris_sim, state="present", path=path, check_mode=check_mode, **params)
            with pytest.raises(IrisModuleError) as err:
                mgr.run()
            # a real fresh restore (FIX2) prepared in its read session, hashed the bytes as it copied them, refused to
            # install them and rolled back: two sessions; a reload checks the file before it touches the old fixture
            fresh = params["namespace"] == "FIX2" and not check_mode
            assert "Checksum mismatch" in err.value.msg and mgr.sessions == (2 if fresh else 1)
            assert copies == ([("failed", copies[0][1])] if fresh else [])
    assert snapshot(iris_sim) == before
    # the reload was refused before the old fixture was touched
    assert count(iris_sim, "FIX1", "Shop.Item") == 3


def test_file_changed_between_reads_is_not_restored(iris_sim, exported, monkeypatch):
    """issue 11 item 2: bytes that change after any earlier read (same size, manifest unchanged) are caught by the copy
    itself, before anything is mounted; the old code hashed first and copied a second read, and restored them."""
    path, dummy = exported
    dat = os.path.join(path, "IRIS.DAT")
    before = snapshot(iris_sim)
    real = _fixture.FixtureManager._copy_in

    def change_then_copy(self, *args):
        _corrupt(path, "checksum")  # changed between the checksum test of the old code and its copy
        return real(self, *args)
    monkeypatch.setattr(_fixture.FixtureManager, "_copy_in", change_then_copy)
    mgr = manager(iris_sim, state="present", namespace="FIX1", path=path)
    with pytest.raises(IrisModuleError) as err:
        mgr.run()
    assert "Checksum mismatch" in err.value.msg and "the copy was removed and nothing was installed" in err.value.msg
    assert "Everything this run created was removed again" in err.value.msg and "Fix:" not in err.value.msg
    assert err.value.details["expected_checksum"] == _manifest.load(path)["checksum"] != err.value.details["checksum"]
    assert err.value.details["checksum"] == _files.sha256_file(dat)
    assert snapshot(iris_sim) == before  # no IRIS.DAT, directory, database, namespace or record of FIX1


def test_source_that_changes_after_the_first_chunk_is_caught(iris_sim, exported, monkeypatch, mutating_source):
    """The same through a reader that rewrites the rest of the source after the first chunk it returned."""
    path, dummy = exported
    before = snapshot(iris_sim)
    monkeypatch.setattr(_files, "CHUNK_SIZE", 4096)
    mutating_source(offset=4096 * 2)
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX1", path=path)
    assert "Checksum mismatch" in err.value.msg and snapshot(iris_sim) == before


# -- reload is not transactional: said in the actions and in the error -------------------------------------------------
def test_failed_reload_says_the_old_fixture_is_gone(iris_sim, exported):
    from iris_sim import faults  # pylint: disable=import-error
    path, dummy = exported
    run(iris_sim, state="present", namespace="FIX1", path=path)
    check = run(iris_sim, state="present", namespace="FIX1", path=path, reload="always", check_mode=True)
    assert check["actions"] == ["reload fixture shop 2.0.0 into namespace FIX1 (fixture shop 2.0.0 is removed first; "
                                "if the restore then fails, the namespace is left without a fixture)"]
    faults.set_fault(iris_sim.inst, "Config.Namespaces.Create", 1)
    mgr = manager(iris_sim, state="present", namespace="FIX1", path=path, reload="always")
    with pytest.raises(IrisModuleError) as err:
        mgr.run()
    assert "Simulated fault" in err.value.msg
    assert "previous fixture shop 2.0.0 of the namespace was removed" in err.value.msg
    assert "Everything this run created was removed again" in err.value.msg
    assert mgr.fail_results["actions"] == check["actions"]
    assert "FIX1" not in iris_sim.inst.config.namespaces()
    # running the task again brings a fixture back
    assert run(iris_sim, state="present", namespace="FIX1", path=path)["changed"] is True
    assert count(iris_sim, "FIX1", "Shop.Item") == 3


# -- absent removes temp files of an interrupted copy (issue #5 item 5) ----------------------------------------------------
def test_absent_removes_leftover_temp_files_in_a_kept_directory(iris_sim, exported, monkeypatch):
    path, dummy = exported
    kept = os.path.join(iris_sim.inst.mgr_dir, "kept")
    os.mkdir(kept)  # a directory the module did not create: it stays, the temp files must not
    before = snapshot(iris_sim)

    def die(self, dat_path, directory, *args):
        for name in (".iris-devtools-upload-0a1b-IRIS.DAT", ".iris-devtools-tmp-xyz"):
            with open(os.path.join(directory, name), "wb") as handle:
                handle.write(b"partial")
        raise IrisModuleError("Cannot copy: the container stopped (test)", hint="start it")
    monkeypatch.setattr(_fixture.FixtureManager, "_copy_in", die)
    monkeypatch.setattr(_fixture.FixtureManager, "_rollback", lambda self, error, *args, **kwargs: error)  # died with the container
    with pytest.raises(IrisModuleError):
        run(iris_sim, state="present", namespace="FIX1", database_dir=kept, path=path)
    monkeypatch.undo()
    assert sorted(n for n in os.listdir(kept) if n.startswith(".iris-devtools-")) == [
        ".iris-devtools-tmp-xyz", ".iris-devtools-upload-0a1b-IRIS.DAT"]

    check = run(iris_sim, state="absent", namespace="FIX1", check_mode=True)
    assert check["changed"] is True and any("2 leftover temp file(s)" in a for a in check["actions"])
    assert len([n for n in os.listdir(kept) if n.startswith(".iris-devtools-")]) == 2  # check mode removed nothing
    gone = run(iris_sim, state="absent", namespace="FIX1")
    assert gone["actions"] == check["actions"]
    assert os.path.isdir(kept) and [n for n in os.listdir(kept) if n.startswith(".iris-devtools-")] == []
    assert snapshot(iris_sim) == before


def test_absent_fails_when_a_temp_file_cannot_be_removed(iris_sim, exported, monkeypatch, tmp_path):
    path, dummy = exported
    run(iris_sim, state="present", namespace="FIX1", path=path)
    directory = os.path.join(iris_sim.inst.mgr_dir, "fix1")
    with open(os.path.join(directory, ".iris-devtools-upload-stuck-IRIS.DAT"), "wb") as handle:
        handle.write(b"x")
    # The listing script's rm refuses (as it would for a file the user may not remove: the tests run as root here).
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "rm").write_text('#!/bin/sh\nshift 2\necho "rm: cannot remove \'$1\': Permission denied" >&2\nexit 1\n')
    (fake_bin / "rm").chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (fake_bin, os.environ["PATH"]))
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="absent", namespace="FIX1")
    assert ".iris-devtools-upload-stuck-IRIS.DAT" in err.value.msg and "nothing else was changed" in err.value.msg
    stuck = os.path.join(directory, ".iris-devtools-upload-stuck-IRIS.DAT")
    assert err.value.details["temp_file_errors"] == ["rm: cannot remove '%s': Permission denied" % stuck]
    assert count(iris_sim, "FIX1", "Shop.Item") == 3  # nothing else was removed
    monkeypatch.undo()
    assert run(iris_sim, state="absent", namespace="FIX1")["changed"] is True
    assert not os.path.exists(directory)


def test_repair_removes_leftover_temp_files(iris_sim, exported, monkeypatch):
    """The next restore after an interrupted one cleans the kept directory's temp files before it copies again."""
    path, dummy = exported
    kept = os.path.join(iris_sim.inst.mgr_dir, "kept")
    os.mkdir(kept)

    def die(self, dat_path, directory, *args):
        with open(os.path.join(directory, ".iris-devtools-upload-0a1b-IRIS.DAT"), "wb") as handle:
            handle.write(b"partial")
        raise IrisModuleError("Cannot copy: the container stopped (test)", hint="start it")
    monkeypatch.setattr(_fixture.FixtureManager, "_copy_in", die)
    monkeypatch.setattr(_fixture.FixtureManager, "_rollback", lambda self, error, *args, **kwargs: error)
    with pytest.raises(IrisModuleError):
        run(iris_sim, state="present", namespace="FIX1", database_dir=kept, path=path)
    monkeypatch.undo()
    result = run(iris_sim, state="present", namespace="FIX1", database_dir=kept, path=path)
    assert result["changed"] is True and "clean up a failed restore" in result["actions"][0]
    assert sorted(os.listdir(kept)) == ["IRIS.DAT"] and count(iris_sim, "FIX1", "Shop.Item") == 3


# -- a fresh restore prepares in its read session, beside the hash (issue #5 item 9) ------------------------------------
def _spy_programs(monkeypatch, sim, fed=None):
    """Record, after every program a FixtureManager runs: its templates, the bytes hashed so far, the records and
    whether directory mgr/fix1 exists (read independently, not through the manager)."""
    calls = []
    real = _fixture.FixtureManager.run_program

    def spy(self, program):
        try:
            return real(self, program)
        finally:
            calls.append(dict(templates=program.template_names, hashed=sum(fed) if fed is not None else None,
                              records=snapshot(sim)["records"], dir=os.path.isdir(os.path.join(sim.inst.mgr_dir, "fix1"))))
    monkeypatch.setattr(_fixture.FixtureManager, "run_program", spy)
    return calls


def test_fresh_restore_hashes_while_it_copies_and_a_bad_checksum_rolls_it_back(iris_sim, exported, slow_hash, monkeypatch):
    path, dummy = exported
    _corrupt(path, "checksum")
    size = os.path.getsize(os.path.join(path, "IRIS.DAT"))
    before = snapshot(iris_sim)
    copies = _spy_copies(monkeypatch)
    calls = _spy_programs(monkeypatch, iris_sim, slow_hash)
    mgr = manager(iris_sim, state="present", namespace="FIX1", path=path)
    with pytest.raises(IrisModuleError) as err:
        mgr.run()
    assert "Checksum mismatch" in err.value.msg and "Everything this run created was removed again" in err.value.msg
    # session 1 read the target AND prepared (record + directory); nothing was hashed before the copy (one read) ...
    assert "fixture_prepare_fresh" in calls[0]["templates"] and "fixture_target_read" in calls[0]["templates"]
    assert calls[0]["hashed"] == 0 and "FIX1" in calls[0]["records"] and calls[0]["dir"] is True
    # ... the copy hashed every byte once and refused them; session 2 rolled the preparation back
    assert [c[0] for c in copies] == ["failed"] and calls[1]["templates"] == ["fixture_drop"] and calls[1]["hashed"] == size
    assert "FIX1" not in calls[1]["records"] and calls[1]["dir"] is False
    assert len(calls) == 2 and mgr.sessions == 2 and snapshot(iris_sim) == before
    assert err.value.details["rollback"]["record_exists"] is False


def test_fresh_restore_record_and_sessions(iris_sim, exported):
    """Two sessions (read+prepare, apply); the 'restoring' record the read session wrote is what the apply completes."""
    path, dummy = exported
    mgr = manager(iris_sim, state="present", namespace="FIX1", database_dir="fixdir", path=path)
    result = mgr.run()
    assert result["changed"] is True and result["iris_sessions"] == 2
    record = json.loads(iris_sim.run("%SYS", 'write ^IrisDevTools("fixture","FIX1")').replace("%SYS>", "").strip())
    directory = os.path.join(iris_sim.inst.mgr_dir, "fixdir") + "/"
    assert record["status"] == "present" and record["directory"] == directory == result["directory"]
    assert record["created_dir"] is True and record["database"] == "FIX1" and record["source_namespace"] == "SRC"
    assert record["fixture"] == _manifest.identity(_manifest.load(path)) and "started_at" not in record and record["restored_at"]
    # an unchanged real re-run (its read session carries the prepare step) changes nothing, the record included
    text = iris_sim.run("%SYS", 'write ^IrisDevTools("fixture","FIX1")')
    state = snapshot(iris_sim)
    again = run(iris_sim, state="present", namespace="FIX1", database_dir="fixdir", path=path)
    assert again["changed"] is False and again["iris_sessions"] == 1
    assert iris_sim.run("%SYS", 'write ^IrisDevTools("fixture","FIX1")') == text and snapshot(iris_sim) == state
    # state=absent removes the directory the prepare step created (created_dir)
    run(iris_sim, state="absent", namespace="FIX1")
    assert not os.path.exists(directory)


def test_fresh_restore_into_an_existing_directory_keeps_it(iris_sim, exported):
    path, dummy = exported
    kept = os.path.join(iris_sim.inst.mgr_dir, "kept")
    os.mkdir(kept)
    before = snapshot(iris_sim)
    assert run(iris_sim, state="present", namespace="FIX1", database_dir=kept, path=path)["iris_sessions"] == 2
    record = json.loads(iris_sim.run("%SYS", 'write ^IrisDevTools("fixture","FIX1")').replace("%SYS>", "").strip())
    assert record["created_dir"] is False
    run(iris_sim, state="absent", namespace="FIX1")
    assert os.path.isdir(kept) and snapshot(iris_sim) == before


def test_fresh_prepare_leaves_a_target_that_is_not_free_alone(iris_sim, exported):
    """A directory holding a database file, a defined database, a foreign namespace: the read session prepares
    nothing, the run fails in one session, and the instance is unchanged."""
    path, dummy = exported
    before = snapshot(iris_sim)
    for params, text in ((dict(namespace="FIX1", database_dir="src"), "already holds a database file"),
                         (dict(namespace="FIX1", database="SRC"), "Database SRC is already defined"),
                         (dict(namespace="SRC"), "was not restored by iris_fixture")):
        mgr = manager(iris_sim, state="present", path=path, **params)
        with pytest.raises(IrisModuleError) as err:
            mgr.run()
        assert text in err.value.msg and mgr.sessions == 1, err.value.msg
        assert snapshot(iris_sim) == before


def test_fresh_prepare_is_never_part_of_a_check_mode_run(iris_sim, exported, monkeypatch):
    path, dummy = exported
    calls = _spy_programs(monkeypatch, iris_sim)
    run(iris_sim, state="present", namespace="FIX1", path=path, check_mode=True)
    assert [c["templates"] for c in calls] == [["fixture_target_read", "state_get"]] and "FIX1" not in calls[0]["records"]


def test_unreadable_file_after_fresh_prepare_rolls_back(iris_sim, exported, monkeypatch):
    path, dummy = exported
    before = snapshot(iris_sim)

    def unreadable(path_):
        raise OSError(5, "Input/output error")
    monkeypatch.setattr(_files, "open_source", unreadable)
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX1", path=path)
    assert "Input/output error" in err.value.msg and "Everything this run created was removed again" in err.value.msg
    assert snapshot(iris_sim) == before


def test_restore_without_a_fresh_prepare_uses_the_prepare_session(iris_sim, exported, monkeypatch):
    """When the read session did not prepare (the target was taken between its read and its prepare step, by another
    host), the separate prepare session runs with its guards: here it finds the database defined meanwhile and fails
    without leaving anything of this run."""
    path, dummy = exported
    real = _fixture.FixtureManager._read_target

    def no_prepare(self, namespace, database, directory, prepare=None):
        found = real(self, namespace, database, directory)
        if prepare is not None:
            iris_sim.run("%SYS", 'set p("Directory")="%s" write ##class(Config.Databases).Create("FIX1",.p)'
                         % os.path.join(iris_sim.inst.mgr_dir, "elsewhere"))
        return found
    monkeypatch.setattr(_fixture.FixtureManager, "_read_target", no_prepare)
    mgr = manager(iris_sim, state="present", namespace="FIX1", path=path)
    with pytest.raises(IrisModuleError) as err:
        mgr.run()
    assert "Cannot restore into namespace FIX1: database FIX1 is defined already" in err.value.msg, err.value.msg
    assert mgr.sessions == 2 and "FIX1" not in snapshot(iris_sim)["records"]
    iris_sim.run("%SYS", 'write ##class(Config.Databases).Delete("FIX1")')
    # without the race the same path restores in three sessions
    monkeypatch.setattr(_fixture.FixtureManager, "_read_target", lambda self, *args, **kwargs: real(self, *args[:3]))
    result = run(iris_sim, state="present", namespace="FIX1", path=path)
    assert result["changed"] is True and result["iris_sessions"] == 3 and count(iris_sim, "FIX1", "Shop.Item") == 3


def test_prepared_restore_that_the_run_does_not_want_is_rolled_back(iris_sim, exported, monkeypatch):
    """Defence in depth: should the decision ever disagree with the read session's preparation, the run fails and
    removes what the session prepared."""
    path, dummy = exported
    before = snapshot(iris_sim)
    monkeypatch.setattr(_fixture.FixtureManager, "_decide", lambda self, *args: "reload")
    with pytest.raises(IrisModuleError) as err:
        run(iris_sim, state="present", namespace="FIX1", path=path)
    assert "bug in iris_fixture" in err.value.hint and "Everything this run created was removed again" in err.value.msg
    assert snapshot(iris_sim) == before
