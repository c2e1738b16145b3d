# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure logic of the iris_container manager: no Docker."""

from __future__ import annotations

import io
import tarfile

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _container_config as cc
from ansible_collections.iris_devtools.iris.plugins.module_utils import _container_password as pw
from ansible_collections.iris_devtools.iris.plugins.module_utils import _cpf as cpf
from ansible_collections.iris_devtools.iris.plugins.module_utils import _readiness as rd
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import MANAGED_LABEL
from ansible_collections.iris_devtools.iris.plugins.module_utils import _objectscript
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError


def params(**kwargs):
    base = dict(name="iris1", image="img:1", state="healthy", recreate="on_change", host_ip="127.0.0.1",
                superserver_port=None, web_port=None, publish_web=True, published_ports=None, volumes=None,
                durable_dir=None, license_key=None, password=None, cpf_merge=None, env=None, labels=None,
                memory=None, cpus=None, command_args=None, wait_timeout=5, stop_timeout=1, keep_failed=False,
                state_dir="/tmp/state", instance="IRIS", namespace="USER", timeout=5, docker_host=None)
    base.update(kwargs)
    return base


# -- parsing -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (None, 0), ("0", 0), ("1024", 1024), ("512m", 512 * 1024 ** 2), ("2g", 2 * 1024 ** 3), ("2GiB", 2 * 1024 ** 3),
    ("1.5g", int(1.5 * 1024 ** 3)), ("64k", 65536),
])
def test_parse_memory(value, expected):
    assert cc.parse_memory(value) == expected


def test_parse_memory_rejects_garbage():
    with pytest.raises(IrisModuleError) as exc:
        cc.parse_memory("lots")
    assert "512m" in exc.value.hint


def test_parse_volume_forms():
    assert cc.parse_volume("/data:/mnt:ro") == dict(type="bind", source="/data", target="/mnt", read_only=True)
    assert cc.parse_volume("vol1:/mnt") == dict(type="volume", source="vol1", target="/mnt", read_only=False)
    assert cc.parse_volume({"source": "/d", "target": "/t"}) == dict(type="bind", source="/d", target="/t", read_only=False)


@pytest.mark.parametrize("spec", ["/data", "/a:/b:xx", "/a:relative", {"source": "/a"}])
def test_parse_volume_errors(spec):
    with pytest.raises(IrisModuleError):
        cc.parse_volume(spec)


def test_docker_time():
    assert cc.parse_docker_time("1970-01-01T00:00:01.5Z") == 1.5
    assert cc.parse_docker_time("1970-01-01T01:00:01+01:00") == 1.0
    assert cc.parse_docker_time("0001-01-01T00:00:00Z") is None
    assert cc.parse_docker_time("") is None


# -- CPF merge -----------------------------------------------------------------------------------

MERGE = """[config]
globals=0,0,256,0,0,0
[Actions]
CreateDatabase:Name=APP,Directory=/usr/irissys/mgr/app
CreateNamespace:Name=APP,Globals=APP,Routines=APP
ModifyService:Name=%Service_CallIn,Enabled=1,AutheEnabled=48
CreateUser:Name=bob,Roles="%DB_APP,%SQL"
CreateResource:Name=%DB_X
"""


def test_parse_cpf_actions():
    actions, problems = cpf.parse_cpf_actions(MERGE)
    assert problems == []
    assert [verb for verb, dummy in actions] == ["CreateDatabase", "CreateNamespace", "ModifyService", "CreateUser", "CreateResource"]
    assert actions[3][1] == {"Name": "bob", "Roles": "%DB_APP,%SQL"}


def test_lower_case_actions_header_is_a_problem():
    dummy, problems = cpf.parse_cpf_actions("[actions]\nCreateNamespace:Name=X\n")
    assert problems and "[Actions]" in problems[0]
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(cpf_merge="[actions]\nCreateNamespace:Name=X\n"))
    assert "[Actions]" in exc.value.hint


def test_cpf_check_program_uses_literal_for_values():
    actions, dummy = cpf.parse_cpf_actions('[Actions]\nCreateNamespace:Name=A"B\n')
    program, expectations = cpf.build_cpf_check_program(actions, _objectscript)
    text = program.render("a" * 16)
    assert '"A""B"' in text  # the ObjectScript literal of A"B
    assert expectations == {"a0": ("namespace A\"B exists (CreateNamespace)", 1)}


def test_cpf_check_program_covers_the_four_verbs():
    actions, dummy = cpf.parse_cpf_actions(MERGE)
    program, expectations = cpf.build_cpf_check_program(actions, _objectscript)
    text = program.render("b" * 16)
    for needle in ("Config.Databases).Exists", "Config.Namespaces).Exists", "##class(Security.Users).Exists(",
                   '##class(Security.Services).Get("%Service_CallIn",.idtP)'):
        assert needle in text
    assert "CreateResource" not in text
    assert set(expectations) == {"a0", "a1", "a2", "a2.Enabled", "a2.AutheEnabled", "a3"}


def test_check_cpf_results():
    actions, dummy = cpf.parse_cpf_actions(MERGE)
    dummy, expectations = cpf.build_cpf_check_program(actions, _objectscript)
    good = {"a0": True, "a1": True, "a2": {"Enabled": 1, "AutheEnabled": 48}, "a3": 1}
    assert cpf.check_cpf_results(good, expectations) == []
    bad = {"a0": True, "a1": False, "a2": {"Enabled": 0, "AutheEnabled": 48}, "a3": 0}
    missing = cpf.check_cpf_results(bad, expectations)
    assert len(missing) == 3
    assert any("namespace APP" in m for m in missing)
    assert any("Enabled=1" in m for m in missing)


# -- log recognition -----------------------------------------------------------------------------

@pytest.mark.parametrize("line, kind", [
    ("11/26/26-10:00:00:000 (1) 2 [Generic.Event] Invalid Community Edition license, may have exceeded core limit", "expired_license"),
    ("Error: required capabilities are missing: CAP_SETUID", "capabilities"),
    ("[ERROR] Linux capability check failed: missing CAP_SETGID", "capabilities"),
    ("Durable folder /durable/iris does not exist, or cannot be created", "durable_ownership"),
    ("ERROR #5001: Cannot create target /durable/iris", "durable_ownership"),
    ("<LICENSE LIMIT EXCEEDED>", "license_limit"),
])
def test_fatal_log_lines(line, kind):
    logons, fatal = rd.scan_log(["starting", line])
    assert fatal is not None and fatal[0] == kind
    assert fatal[3] == line


def test_logons_line():
    assert rd.scan_log(["x", "11/26/26-10:00:00:000 (7) 0 [Utility.Event] Enabling logons"]) == (True, None)
    assert rd.scan_log(["Private webserver started on 52773"]) == (False, None)


def test_split_log_keeps_only_this_start():
    raw = (b"1970-01-01T00:00:09.000000000Z Enabling logons\n"
           b"1970-01-01T00:00:10.100000000Z Starting\n"
           b"1970-01-01T00:00:10.200000000Z Enabling logons\n")
    assert rd.split_log(raw, 10.0) == ["Starting", "Enabling logons"]
    assert rd.scan_log(rd.split_log(raw, 10.15))[0] is True
    assert rd.scan_log(rd.split_log(raw[:80], 10.0))[0] is False


# -- password file -------------------------------------------------------------------------------

def test_password_archive_is_private_to_irisowner():
    data = pw.password_archive("s3cr3t-Pw")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
        # extracted into /tmp: a private directory of its own (0700), then the file in it (0600)
        assert [m.name for m in members] == ["iris-devtools-pw", "iris-devtools-pw/password"]
        folder, member = members
        assert folder.isdir() and (folder.mode, folder.uid, folder.gid) == (0o700, 51773, 51773)
        assert member.isfile() and (member.mode, member.uid, member.gid) == (0o600, 51773, 51773)
        assert tar.extractfile(member).read() == b"s3cr3t-Pw"
    assert pw.PASSWORD_PARENT + "/" + members[1].name == pw.PASSWORD_PATH == "/tmp/iris-devtools-pw/password"


def test_strip_password_args():
    assert pw.strip_password_args(["--check-caps", "false", "--password-file", "/tmp/x", "-a", "y"]) == \
        ["--check-caps", "false", "-a", "y"]
    assert pw.strip_password_args(["--password-file=/x"]) == []
    assert pw.strip_password_args(["--password-file", pw.PASSWORD_PATH]) == []
    assert pw.strip_password_args(None) == []


def test_password_file_in_command_args_is_refused():
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(command_args=["--password-file", "/x"]))
    assert "password option" in exc.value.hint


# -- wanted vs actual ----------------------------------------------------------------------------

def actual_attrs(**overrides):
    attrs = {
        "Id": "cid", "Name": "/iris1", "Image": "sha256:img1",
        "Config": {"Image": "img:1", "Env": ["PATH=/bin", "ISC_PACKAGE_INSTANCENAME=IRIS"],
                   "Labels": {"org.opencontainers.image.title": "x", MANAGED_LABEL: "true"}, "Cmd": None},
        "HostConfig": {"PortBindings": {"1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}],
                                        "52773/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]},
                       "Mounts": [], "Memory": 0, "NanoCpus": 0},
        "State": {"Status": "running", "Running": True, "StartedAt": "2026-01-01T00:00:00.5Z"},
        "NetworkSettings": {"Ports": {"1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32768"}]}},
    }
    for key, value in overrides.items():
        attrs[key].update(value)
    return attrs


IMAGE = {"Config": {"Env": ["PATH=/bin", "ISC_PACKAGE_INSTANCENAME=IRIS"], "Labels": {"org.opencontainers.image.title": "x"},
                    "Cmd": None}}


def test_matching_container_has_no_differences():
    actual = cc.ActualConfig(actual_attrs(), IMAGE)
    assert actual.env == {}
    assert actual.labels == {MANAGED_LABEL: "true"}
    assert cc.compare(cc.WantedConfig(params()), "sha256:img1", actual) == []


def test_random_port_is_kept_but_a_fixed_port_differs():
    actual = cc.ActualConfig(actual_attrs(HostConfig={"PortBindings": {
        "1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": "41972"}], "52773/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}}), IMAGE)
    assert cc.compare(cc.WantedConfig(params()), "sha256:img1", actual) == []
    assert cc.compare(cc.WantedConfig(params(superserver_port=41972)), "sha256:img1", actual) == []
    assert cc.compare(cc.WantedConfig(params(superserver_port=41973)), "sha256:img1", actual) == ["ports"]
    assert cc.compare(cc.WantedConfig(params(host_ip="0.0.0.0")), "sha256:img1", actual) == ["ports"]
    assert cc.compare(cc.WantedConfig(params(publish_web=False)), "sha256:img1", actual) == ["ports"]


def test_each_setting_is_compared():
    actual = cc.ActualConfig(actual_attrs(), IMAGE)
    assert cc.compare(cc.WantedConfig(params()), "sha256:other", actual) == ["image"]
    assert cc.compare(cc.WantedConfig(params(env={"A": 1})), "sha256:img1", actual) == ["env"]
    assert cc.compare(cc.WantedConfig(params(labels={"team": "qa"})), "sha256:img1", actual) == ["labels"]
    assert cc.compare(cc.WantedConfig(params(memory="1g")), "sha256:img1", actual) == ["memory"]
    assert cc.compare(cc.WantedConfig(params(cpus=1.5)), "sha256:img1", actual) == ["cpus"]
    assert cc.compare(cc.WantedConfig(params(command_args=["--check-caps", "false"])), "sha256:img1", actual) == ["command_args"]
    assert cc.compare(cc.WantedConfig(params(volumes=["v:/data"])), "sha256:img1", actual) == ["volumes"]


def test_password_file_argument_does_not_count_as_command():
    actual = cc.ActualConfig(actual_attrs(Config={"Cmd": ["--password-file", pw.PASSWORD_PATH]}), IMAGE)
    assert actual.command == [] and actual.has_password_file
    assert cc.compare(cc.WantedConfig(params()), "sha256:img1", actual) == []


def test_options_that_add_env_mounts_and_args():
    wanted = cc.WantedConfig(params(durable_dir="/srv/d", license_key="/k/iris.key", cpf_merge="[Actions]\n",
                                   command_args=["--check-caps", "false"]))
    assert wanted.env == {"ISC_DATA_DIRECTORY": cc.DURABLE_DATA_DIR, "ISC_CPF_MERGE_FILE": cc.MERGE_TARGET}
    assert wanted.command == ["--key", cc.KEY_TARGET, "--check-caps", "false"]
    assert [m["target"] for m in wanted.mounts] == sorted([cc.DURABLE_TARGET, cc.KEY_TARGET, cc.MERGE_TARGET])
    assert wanted.cpf_merge_file == "/tmp/state/iris1/merge.cpf"
    assert cc.CPF_SHA_LABEL in wanted.labels


@pytest.mark.parametrize("kwargs, needle", [
    (dict(env={"ISC_DATA_DIRECTORY": "/x"}, durable_dir="/d"), "ISC_DATA_DIRECTORY"),
    (dict(labels={"iris_devtools.iris.managed": "no"}), "reserves"),
    (dict(command_args=["--key", "/k"], license_key="/k"), "--key"),
    (dict(volumes=["/a:/durable"], durable_dir="/d"), "/durable"),
    (dict(published_ports=["x:y"]), "published port"),
])
def test_conflicting_options(kwargs, needle):
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(**kwargs))
    assert needle in exc.value.msg


def test_published_ports():
    wanted = cc.WantedConfig(params(published_ports=["8080", "9090:80", "0.0.0.0:8443:443/tcp", "53/udp"]))
    assert wanted.ports["8080/tcp"] == ("127.0.0.1", None)
    assert wanted.ports["80/tcp"] == ("127.0.0.1", 9090)
    assert wanted.ports["443/tcp"] == ("0.0.0.0", 8443)
    assert wanted.ports["53/udp"] == ("127.0.0.1", None)


# -- the password steps (audit F7) against the in-process simulator ----------------------------------

CANARY = 'Canary-"pw"-9Zq'


def _file_password(iris_sim, password):
    """What iris-main --password-file does (ADOCK-AUTH: password set, change still required)."""
    with iris_sim.inst.session_lock():
        iris_sim.inst.reload()
        iris_sim.inst.set_predefined_passwords(password)
        iris_sim.inst.save()


def test_password_steps_make_the_password_usable(iris_sim):
    _file_password(iris_sim, CANARY)
    assert iris_sim.inst.authenticate("_SYSTEM", CANARY) == (False, "password change required")
    program = _objectscript.Program()
    keys = pw.add_password_steps(program, _objectscript, CANARY)
    assert program.template_names == ["user_password_flags", "password_login"]
    assert program.secret_values == [CANARY]
    result = iris_sim.transport("%SYS").run(program)
    assert result[pw.LOGIN_KEY] is True
    assert sorted(keys.values()) == sorted(pw.PREDEFINED_ACCOUNTS)
    assert all(result[key] is True for key in keys)
    for name in pw.PREDEFINED_ACCOUNTS:  # independent read
        assert "CHG=0" in iris_sim.run("%SYS", 'do ##class(Security.Users).Get("%s",.p) write "CHG=",p("ChangePassword")' % name)
        assert iris_sim.inst.system["users"][name.upper()]["PasswordNeverExpires"] == 0


def test_password_steps_never_expires_and_wrong_password(iris_sim):
    _file_password(iris_sim, "other-password")
    program = _objectscript.Program()
    pw.add_password_steps(program, _objectscript, CANARY, never_expires=True)
    result = iris_sim.transport("%SYS").run(program)
    assert result[pw.LOGIN_KEY] is False  # the file's password is not the module's: the login check catches it
    assert iris_sim.inst.system["users"]["SUPERUSER"]["PasswordNeverExpires"] == 1


def test_password_change_required_adds_no_login(iris_sim):
    program = _objectscript.Program()
    assert pw.add_password_steps(program, _objectscript, CANARY, change_required=True) == {}
    assert program.steps == []
    program = _objectscript.Program()
    pw.add_password_steps(program, _objectscript, CANARY, change_required=True, never_expires=True)
    assert program.template_names == ["user_password_flags"] and not program.has_secrets
    assert 'set:0 idtP("ChangePassword")=0 set:1 idtP("PasswordNeverExpires")=1' in program.render("k" * 16)


# -- issue 11 / audit F12 hardening ----------------------------------------------------------------

def test_differences_are_named_after_the_options():
    """issue 11 item 5: a recreate names what changed as the user wrote it (cpf_merge, not labels/env/mounts)."""
    actual = cc.ActualConfig(actual_attrs(), IMAGE)
    assert cc.compare(cc.WantedConfig(params(cpf_merge="[Actions]\n")), "sha256:img1", actual) == ["cpf_merge"]
    assert cc.compare(cc.WantedConfig(params(durable_dir="/srv/d")), "sha256:img1", actual) == ["durable_dir"]
    assert cc.compare(cc.WantedConfig(params(license_key="/k/iris.key")), "sha256:img1", actual) == ["license_key"]
    with_merge = cc.WantedConfig(params(cpf_merge="[Actions]\nA:Name=1\n"))
    merged = cc.ActualConfig(actual_attrs(
        Config={"Env": ["PATH=/bin", "ISC_PACKAGE_INSTANCENAME=IRIS", "ISC_CPF_MERGE_FILE=" + cc.MERGE_TARGET],
                "Labels": dict(with_merge.labels)},
        HostConfig={"Mounts": [dict(Type="bind", Source=with_merge.cpf_merge_file, Target=cc.MERGE_TARGET, ReadOnly=True)]}),
        IMAGE)
    assert cc.compare(with_merge, "sha256:img1", merged) == []
    changed = cc.WantedConfig(params(cpf_merge="[Actions]\nB:Name=2\n", labels={"team": "qa"}))
    assert cc.compare(changed, "sha256:img1", merged) == ["labels", "cpf_merge"]


@pytest.mark.parametrize("value", ["localhost", "127.0.0.1 ", " 127.0.0.1", 'a"b', "", "0", "1.2.3", "::g", "127.0.0.1/32"])
def test_host_ip_must_be_an_ip_address(value):
    """issue 11 item 1: Docker published these on 0.0.0.0 and ::."""
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(host_ip=value))
    assert exc.value.msg == "host_ip %r is not an IP address." % value
    assert "localhost is not accepted" in exc.value.hint


@pytest.mark.parametrize("value, expected", [
    ("127.0.0.1", "127.0.0.1"), ("0:0:0:0:0:0:0:1", "::1"), ("::", "::"), ("0.0.0.0", "0.0.0.0"), ("10.1.2.3", "10.1.2.3"),
])
def test_host_ip_is_normalised(value, expected):
    wanted = cc.WantedConfig(params(host_ip=value))
    assert wanted.ports[cc.SUPERSERVER_KEY] == (expected, None) and wanted.ports[cc.WEB_KEY] == (expected, None)


@pytest.mark.parametrize("spec", ["localhost:8080:80", "a\"b:8080:80", " 127.0.0.1:8080:80", "127.0.0.1 :8080:80",
                                  "1:2:3:4", "8080:80:", "70000:80", "8080:0", "http", "::8000:8000"])
def test_published_port_addresses_and_numbers_are_checked(spec):
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(published_ports=[spec]))
    assert "published port %r" % spec in exc.value.msg


def test_published_ports_never_default_to_all_interfaces():
    wanted = cc.WantedConfig(params(host_ip="10.0.0.5", published_ports=[
        "8080", "9090:80", "[::1]:8443:443", "0:0:0:0:0:0:0:1:7000:7000", "[::]:8000:8000", "127.0.0.1::5000",
        "6000-6001:6000-6001/udp"]))
    assert wanted.ports["8080/tcp"] == ("10.0.0.5", None)
    assert wanted.ports["80/tcp"] == ("10.0.0.5", 9090)
    assert wanted.ports["443/tcp"] == ("::1", 8443)
    assert wanted.ports["7000/tcp"] == ("::1", 7000)
    assert wanted.ports["8000/tcp"] == ("::", 8000)  # written explicitly: all interfaces, as asked
    assert wanted.ports["5000/tcp"] == ("127.0.0.1", None)
    assert wanted.ports["6000/udp"] == ("10.0.0.5", 6000) and wanted.ports["6001/udp"] == ("10.0.0.5", 6001)
    assert all(binding[0] not in ("", None) for binding in wanted.ports.values())


def test_a_container_port_is_published_once():
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(published_ports=["0.0.0.0:1972:1972"]))
    assert "a second time" in exc.value.msg


@pytest.mark.parametrize("option", ["superserver_port", "web_port"])
def test_fixed_ports_are_port_numbers(option):
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(**{option: 70000}))
    assert exc.value.msg == "%s 70000 is not a port number." % option


@pytest.mark.parametrize("password", ["", "ab", "SYS", "sys", "Sys", "x" * 129, "line1\nline2", "abc\r", "a\x00bcd",
                                      "tab\there", "del\x7fx", "c1\x85xx"])
def test_password_rule_refuses(password):
    """issue 11 item 1: one rule with the instance role (3-128 characters, no control character, not SYS)."""
    with pytest.raises(IrisModuleError) as exc:
        pw.check_password(password)
    assert exc.value.msg.startswith("password is not usable: ")
    if len(password) > 3 and password.upper() != "SYS":  # shorter ones are words of the message itself
        assert password not in exc.value.msg and password not in (exc.value.hint or "")


@pytest.mark.parametrize("password", [None, "abc", "x" * 128, "Pässwörd with spaces!", "SYS1", "sys-admin"])
def test_password_rule_accepts(password):
    pw.check_password(password)


@pytest.mark.parametrize("value, expected", [(None, ""), ("", ""), ("0", "0"), ("0-19", "0-19"), ("0-3,5,7-8", "0-3,5,7-8")])
def test_cpuset_cpus(value, expected):
    assert cc.WantedConfig(params(cpuset_cpus=value)).cpuset_cpus == expected


@pytest.mark.parametrize("value", ["0 - 3", "0-", "a", "3-1", "0,,1", " 0", "-1", "0-3;rm"])
def test_cpuset_cpus_refuses(value):
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(cpuset_cpus=value))
    assert exc.value.msg == "cpuset_cpus %r is not a CPU list." % value


def test_cpuset_cpus_is_compared():
    actual = cc.ActualConfig(actual_attrs(), IMAGE)
    assert cc.compare(cc.WantedConfig(params(cpuset_cpus="0-1")), "sha256:img1", actual) == ["cpuset_cpus"]
    pinned = cc.ActualConfig(actual_attrs(HostConfig={"CpusetCpus": "0-1"}), IMAGE)
    assert pinned.cpuset_cpus == "0-1"
    assert cc.compare(cc.WantedConfig(params(cpuset_cpus="0-1")), "sha256:img1", pinned) == []
    assert cc.compare(cc.WantedConfig(params()), "sha256:img1", pinned) == ["cpuset_cpus"]
    assert cc.WantedConfig(params(cpuset_cpus="0-1")).view(True)["cpuset_cpus"] == "0-1"


def test_community_licence_failure_names_both_causes():
    """audit F12: an expired licence or more than 20 cores; the fix names cpuset_cpus."""
    logons, fatal = rd.scan_log(["Invalid Community Edition license, may have exceeded core limit"])
    name, message, hint, dummy = fatal
    assert name == "expired_license"
    assert "expired" in message and "more than 20 CPU cores" in message
    assert "not a CPU problem" not in message
    assert "cpuset_cpus" in hint and "0-19" in hint and "newer image tag" in hint
