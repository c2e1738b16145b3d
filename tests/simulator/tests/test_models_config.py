# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Config.*, SYS.Database, Security.*, %File and CPF merge (iris-sources.md §3, §5.5, §6)."""

from __future__ import annotations

import os

from iris_sim import cpf, storage
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import


def test_config_databases_create_writes_no_file(sim):
    """§0 item 5: Config.Databases.Create only writes the CPF entry."""
    directory = os.path.join(sim.root, "app")
    out = sim.run("%SYS", f'set p("Directory")="{directory}",p("Size")=50 write ##class(Config.Databases).Create("APP",.p)')
    assert out == "1"
    assert "APP" in cpf.Cpf.read(sim.inst.cpf_path).databases()
    assert not os.path.exists(os.path.join(directory, "IRIS.DAT"))
    assert sim.run("%SYS", 'write ##class(Config.Databases).Exists("APP",.d),d.Directory') == f"1{directory}/"
    sim.run("%SYS", 'set n("Globals")="APP" do ##class(Config.Namespaces).Create("APP",.n)')
    assert "<DIRECTORY>" in sim.run("APP", "set ^x=1")


def test_sys_database_create_and_properties(sim):
    """SYS.Database.CreateDatabase(dir,size,,,,,,,,max,exp) (S9); %OpenId(dir) properties in MB (S19)."""
    directory = os.path.join(sim.root, "big")
    assert sim.write("%SYS", f'##class(SYS.Database).CreateDatabase("{directory}",3,,,,,,,,100,2)') == "1"
    out = sim.write("%SYS", f'##class(SYS.Database).%OpenId("{directory}").Size_":"_##class(SYS.Database).%OpenId("{directory}").MaxSize')
    assert out == "3:100"
    assert os.path.getsize(os.path.join(directory, "IRIS.DAT")) == 3 * storage.MIB
    sim.run("%SYS", f'set db=##class(SYS.Database).%OpenId("{directory}"),db.Size=5 write db.%Save()')
    assert os.path.getsize(os.path.join(directory, "IRIS.DAT")) == 5 * storage.MIB
    assert sim.write("%SYS", f'##class(SYS.Database).%ExistsId("{directory}")') == "1"
    assert sim.write("%SYS", f'##class(SYS.Database).%OpenId("{directory}").Mounted') == "1"
    assert sim.write("%SYS", f'##class(SYS.Database).DeleteDatabase("{directory}")') == "1"
    assert not os.path.exists(os.path.join(directory, "IRIS.DAT"))


def test_sys_database_mount_arguments(sim):
    """IRISREF24: MountDatabase(Directory, readonly, cluster, mirrorcatchup); only the plain mount is modelled, a
    read-only (or cluster/mirror) mount fails loudly instead of mounting read-write."""
    directory = os.path.join(sim.root, "mnt")
    assert sim.write("%SYS", f'##class(SYS.Database).CreateDatabase("{directory}")') == "1"
    assert sim.write("%SYS", f'##class(SYS.Database).DismountDatabase("{directory}")') == "1"
    out = sim.run("%SYS", f'write ##class(SYS.Database).MountDatabase("{directory}",1)')
    assert "<FUNCTION>" in out and "not modelled" in out
    assert sim.write("%SYS", f'##class(SYS.Database).%OpenId("{directory}").Mounted') == "0"
    assert sim.write("%SYS", f'##class(SYS.Database).MountDatabase("{directory}")') == "1"
    assert sim.write("%SYS", f'##class(SYS.Database).%OpenId("{directory}").Mounted') == "1"


def test_sys_database_new_save(sim):
    """%New + Directory + %Save creates the file (S19)."""
    directory = os.path.join(sim.root, "viaNew")
    assert sim.run("%SYS", f'set db=##class(SYS.Database).%New(),db.Directory="{directory}" write db.%Save()') == "1"
    assert os.path.exists(os.path.join(directory, "IRIS.DAT"))


def test_namespaces_get_modify_delete(sim):
    """Config.Namespaces Get/Modify/Delete/Exists (S9)."""
    sim.run("%SYS", 'set n("Globals")="USER" write ##class(Config.Namespaces).Create("T1",.n)')
    assert sim.run("%SYS", 'kill p do ##class(Config.Namespaces).Get("T1",.p) write p("Globals"),p("Routines")') == "USERUSER"
    assert sim.write("%SYS", '##class(Config.Namespaces).Exists("T1")') == "1"
    assert sim.write("%SYS", '##class(Config.Namespaces).Delete("T1")') == "1"
    assert sim.write("%SYS", '##class(Config.Namespaces).Exists("T1")') == "0"
    out = sim.run("%SYS", 'set rs=##class(%ResultSet).%New("Config.Namespaces:List") do rs.Execute("*")',
                  'while rs.Next() { write rs.Get("Namespace")," " }')
    assert out.split() == ["%SYS", "USER"]


def test_security_users_and_services(sim):
    """Security.Users Create/Get/Modify/UnExpire (S10, S29); Security.Services (S23, S28)."""
    assert sim.write("%SYS", '##class(Security.Users).Create("tester","%All","pw1")') == "1"
    assert sim.run("%SYS", 'do ##class(Security.Users).Get("tester",.p) write p("Roles"),":",p("ChangePassword")') == "%All:0"
    assert sim.inst.authenticate("tester", "pw1") == (True, "")
    sim.run("%SYS", 'set q("Password")="pw2",q("ChangePassword")=1 do ##class(Security.Users).Modify("tester",.q)')
    assert sim.inst.authenticate("tester", "pw2") == (False, "password change required")
    sim.run("%SYS", 'do ##class(Security.Users).UnExpireUserPasswords("*")')
    assert sim.inst.authenticate("tester", "pw2") == (True, "")
    assert sim.inst.authenticate("SuperUser", "SYS") == (True, "")
    sim.run("%SYS", 'do ##class(Security.Services).Get("%Service_CallIn",.s) set s("Enabled")=1,s("AutheEnabled")=48',
            'write ##class(Security.Services).Modify("%Service_CallIn",.s)')
    assert sim.run("%SYS", 'kill s do ##class(Security.Services).Get("%Service_CallIn",.s) write s("Enabled"),s("AutheEnabled")') == "148"


def test_file_utilities(sim):
    """%File (= %Library.File) helpers return booleans (S9, S23)."""
    base = os.path.join(sim.root, "f", "g")
    assert sim.write("%SYS", f'##class(%File).CreateDirectoryChain("{base}")') == "1"
    assert sim.write("USER", f'##class(%Library.File).DirectoryExists("{base}")') == "1"
    assert sim.write("%SYS", '##class(%File).NormalizeDirectory("/a/b/../c")') == "/a/c/"
    assert sim.write("%SYS", f'##class(%File).RemoveDirectoryTree("{base}")') == "1"


def _merge(sim, text: str) -> dict:
    path = os.path.join(sim.root, "merge.cpf")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    with sim.inst.session_lock():
        sim.inst.reload()
        report = cpf.merge(sim.inst, path)
        sim.inst.save()
    return report


def test_merge_actions_idempotent(sim):
    """[Actions] CreateDatabase (CPF + IRIS.DAT, Resource/ResourceName), CreateNamespace, ModifyService,
    CreateUser, ModifyUser, ModifyStartup; a second run reports unchanged (S27, S28)."""
    directory = os.path.join(sim.root, "mdb")
    text = ("[Startup]\nSystemPerformanceDailyReportsOn=1\n[Actions]\n"
            f"CreateDatabase:Name=MAPP,Directory={directory},Resource=%DB_MAPP\n"
            "CreateNamespace:Name=MAPP,Globals=MAPP,Routines=MAPP\n"
            "ModifyService:Name=%Service_CallIn,Enabled=1,AutheEnabled=48\n"
            'CreateUser:Name=ci,Roles=%All,Password=secret,FullName="CI, user"\n'
            "ModifyUser:Name=SuperUser,ChangePassword=0,PasswordNeverExpires=1\n"
            "ModifyStartup:WebServerPort=52774\n")
    report = _merge(sim, text)
    assert report["ok"], report
    assert [a["result"] for a in report["actions"]] == ["applied"] * 6
    assert os.path.exists(os.path.join(directory, "IRIS.DAT"))
    sim.run("MAPP", "set ^m=1")
    assert sim.inst.config.get("Startup", "SystemPerformanceDailyReportsOn") == "1"
    assert sim.inst.system["users"]["CI"]["FullName"] == "CI, user"
    again = _merge(sim, text)
    assert [a["result"] for a in again["actions"]] == ["unchanged"] * 6
    assert sim.write("MAPP", "^m") == "1"


def test_config_databases_has_no_resource(sim):
    """IRISREF24 (Config.Databases 2024.1): the Get array holds the class's properties (ClusterMountMode, Directory,
    MountAtStartup, MountRequired, Server, StreamLocation) and no Resource; a merge's Resource= goes to the database
    file's SYS.Database.ResourceName (S19; SYS.Database.Resource is for merge validation only)."""
    directory = os.path.join(sim.root, "rdb")
    assert _merge(sim, f"[Actions]\nCreateDatabase:Name=RAPP,Directory={directory},Resource=%DB_RAPP\n")["ok"]
    keys = sim.run("%SYS", 'kill p do ##class(Config.Databases).Get("RAPP",.p) set k="" '
                           'for { set k=$ORDER(p(k)) quit:k=""  write k,"," }')
    assert keys == "ClusterMountMode,Directory,MountAtStartup,MountRequired,Server,StreamLocation,"
    assert sim.write("%SYS", f'##class(SYS.Database).%OpenId("{directory}/").ResourceName') == "%DB_RAPP"
    assert sim.run("%SYS", 'kill p set p("Directory")="/tmp/x",p("Resource")="%DB_X" '
                           'do ##class(Config.Databases).Create("RX",.p) kill p do ##class(Config.Databases).Get("RX",.p) '
                           'write $DATA(p("Resource"))') == "0"


def test_merge_pitfalls(sim):
    """Lower-case [actions] ignored, unknown action → error, missing file → ok+missing_file,
    relative path → error (user-needs §2.6)."""
    report = _merge(sim, "[actions]\nCreateNamespace:Name=LOW,Globals=USER\n")
    assert report["ok"] and report["ignored_sections"] == ["actions"] and not sim.inst.has_namespace("LOW")
    report = _merge(sim, "[Actions]\nFrobnicate:Name=X\n")
    assert not report["ok"] and "Frobnicate" in report["errors"][0]
    with sim.inst.session_lock():
        assert cpf.merge(sim.inst, os.path.join(sim.root, "nope.cpf"))["missing_file"]
        assert not cpf.merge(sim.inst, "relative.cpf")["ok"]


def test_actions_in_iris_cpf_abort_startup(sim):
    """[Actions] inside iris.cpf aborts startup (user-needs §2.6)."""
    with open(sim.inst.cpf_path, "a", encoding="utf-8") as handle:
        handle.write("\n[Actions]\nCreateNamespace:Name=X,Globals=USER\n")
    try:
        sim.inst.startup()
    except cpf.CpfError as exc:
        assert "Actions" in str(exc)
    else:
        raise AssertionError("startup accepted [Actions] in iris.cpf")
