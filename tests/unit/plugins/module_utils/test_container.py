# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure logic of the iris_container manager: no Docker."""

from __future__ import annotations

import io
import tarfile

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _container as c
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
    assert c.parse_memory(value) == expected


def test_parse_memory_rejects_garbage():
    with pytest.raises(IrisModuleError) as exc:
        c.parse_memory("lots")
    assert "512m" in exc.value.hint


def test_parse_volume_forms():
    assert c.parse_volume("/data:/mnt:ro") == dict(type="bind", source="/data", target="/mnt", read_only=True)
    assert c.parse_volume("vol1:/mnt") == dict(type="volume", source="vol1", target="/mnt", read_only=False)
    assert c.parse_volume({"source": "/d", "target": "/t"}) == dict(type="bind", source="/d", target="/t", read_only=False)


@pytest.mark.parametrize("spec", ["/data", "/a:/b:xx", "/a:relative", {"source": "/a"}])
def test_parse_volume_errors(spec):
    with pytest.raises(IrisModuleError):
        c.parse_volume(spec)


def test_docker_time():
    assert c.parse_docker_time("1970-01-01T00:00:01.5Z") == 1.5
    assert c.parse_docker_time("1970-01-01T01:00:01+01:00") == 1.0
    assert c.parse_docker_time("0001-01-01T00:00:00Z") is None
    assert c.parse_docker_time("") is None


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
    actions, problems = c.parse_cpf_actions(MERGE)
    assert problems == []
    assert [verb for verb, dummy in actions] == ["CreateDatabase", "CreateNamespace", "ModifyService", "CreateUser", "CreateResource"]
    assert actions[3][1] == {"Name": "bob", "Roles": "%DB_APP,%SQL"}


def test_lower_case_actions_header_is_a_problem():
    dummy, problems = c.parse_cpf_actions("[actions]\nCreateNamespace:Name=X\n")
    assert problems and "[Actions]" in problems[0]
    with pytest.raises(IrisModuleError) as exc:
        c.WantedConfig(params(cpf_merge="[actions]\nCreateNamespace:Name=X\n"))
    assert "[Actions]" in exc.value.hint


def test_cpf_check_program_uses_literal_for_values():
    actions, dummy = c.parse_cpf_actions('[Actions]\nCreateNamespace:Name=A"B\n')
    program, expectations = c.build_cpf_check_program(actions, _objectscript)
    text = program.render("a" * 16)
    assert '"A""B"' in text  # the ObjectScript literal of A"B
    assert expectations == {"a0": ("namespace A\"B exists (CreateNamespace)", 1)}


def test_cpf_check_program_covers_the_four_verbs():
    actions, dummy = c.parse_cpf_actions(MERGE)
    program, expectations = c.build_cpf_check_program(actions, _objectscript)
    text = program.render("b" * 16)
    for needle in ("Config.Databases).Exists", "Config.Namespaces).Exists", "##class(Security.Users).Exists(",
                   '##class(Security.Services).Get("%Service_CallIn",.idtP)'):
        assert needle in text
    assert "CreateResource" not in text
    assert set(expectations) == {"a0", "a1", "a2", "a2.Enabled", "a2.AutheEnabled", "a3"}


def test_check_cpf_results():
    actions, dummy = c.parse_cpf_actions(MERGE)
    dummy, expectations = c.build_cpf_check_program(actions, _objectscript)
    good = {"a0": True, "a1": True, "a2": {"Enabled": 1, "AutheEnabled": 48}, "a3": 1}
    assert c.check_cpf_results(good, expectations) == []
    bad = {"a0": True, "a1": False, "a2": {"Enabled": 0, "AutheEnabled": 48}, "a3": 0}
    missing = c.check_cpf_results(bad, expectations)
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
    logons, fatal = c.scan_log(["starting", line])
    assert fatal is not None and fatal[0] == kind
    assert fatal[3] == line


def test_logons_line():
    assert c.scan_log(["x", "11/26/26-10:00:00:000 (7) 0 [Utility.Event] Enabling logons"]) == (True, None)
    assert c.scan_log(["Private webserver started on 52773"]) == (False, None)


def test_split_log_keeps_only_this_start():
    raw = (b"1970-01-01T00:00:09.000000000Z Enabling logons\n"
           b"1970-01-01T00:00:10.100000000Z Starting\n"
           b"1970-01-01T00:00:10.200000000Z Enabling logons\n")
    assert c.split_log(raw, 10.0) == ["Starting", "Enabling logons"]
    assert c.scan_log(c.split_log(raw, 10.15))[0] is True
    assert c.scan_log(c.split_log(raw[:80], 10.0))[0] is False


# -- password file -------------------------------------------------------------------------------

def test_password_archive_is_private_to_irisowner():
    data = c.password_archive("s3cr3t-Pw")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == [c.PASSWORD_NAME]
        member = members[0]
        assert (member.mode, member.uid, member.gid) == (0o600, 51773, 51773)
        assert tar.extractfile(member).read() == b"s3cr3t-Pw"


def test_strip_password_args():
    assert c.strip_password_args(["--check-caps", "false", "--password-file", "/tmp/x", "-a", "y"]) == \
        ["--check-caps", "false", "-a", "y"]
    assert c.strip_password_args(["--password-file=/x"]) == []
    assert c.strip_password_args(None) == []


def test_password_file_in_command_args_is_refused():
    with pytest.raises(IrisModuleError) as exc:
        c.WantedConfig(params(command_args=["--password-file", "/x"]))
    assert "password option" in exc.value.hint


# -- wanted vs actual ----------------------------------------------------------------------------

def actual_attrs(**overrides):
    attrs = {
        "Id": "cid", "Name": "/iris1", "Image": "sha256:img1",
        "Config": {"Image": "img:1", "Env": ["PATH=/bin", "ISC_PACKAGE_INSTANCENAME=IRIS"],
                   "Labels": {"org.opencontainers.image.title": "x", c.MANAGED_LABEL: "true"}, "Cmd": None},
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
    actual = c.ActualConfig(actual_attrs(), IMAGE)
    assert actual.env == {}
    assert actual.labels == {c.MANAGED_LABEL: "true"}
    assert c.compare(c.WantedConfig(params()), "sha256:img1", actual) == []


def test_random_port_is_kept_but_a_fixed_port_differs():
    actual = c.ActualConfig(actual_attrs(HostConfig={"PortBindings": {
        "1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": "41972"}], "52773/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}}), IMAGE)
    assert c.compare(c.WantedConfig(params()), "sha256:img1", actual) == []
    assert c.compare(c.WantedConfig(params(superserver_port=41972)), "sha256:img1", actual) == []
    assert c.compare(c.WantedConfig(params(superserver_port=41973)), "sha256:img1", actual) == ["ports"]
    assert c.compare(c.WantedConfig(params(host_ip="0.0.0.0")), "sha256:img1", actual) == ["ports"]
    assert c.compare(c.WantedConfig(params(publish_web=False)), "sha256:img1", actual) == ["ports"]


def test_each_setting_is_compared():
    actual = c.ActualConfig(actual_attrs(), IMAGE)
    assert c.compare(c.WantedConfig(params()), "sha256:other", actual) == ["image"]
    assert c.compare(c.WantedConfig(params(env={"A": 1})), "sha256:img1", actual) == ["env"]
    assert c.compare(c.WantedConfig(params(labels={"team": "qa"})), "sha256:img1", actual) == ["labels"]
    assert c.compare(c.WantedConfig(params(memory="1g")), "sha256:img1", actual) == ["memory"]
    assert c.compare(c.WantedConfig(params(cpus=1.5)), "sha256:img1", actual) == ["cpus"]
    assert c.compare(c.WantedConfig(params(command_args=["--check-caps", "false"])), "sha256:img1", actual) == ["command"]
    assert c.compare(c.WantedConfig(params(volumes=["v:/data"])), "sha256:img1", actual) == ["mounts"]


def test_password_file_argument_does_not_count_as_command():
    actual = c.ActualConfig(actual_attrs(Config={"Cmd": ["--password-file", c.PASSWORD_PATH]}), IMAGE)
    assert actual.command == [] and actual.has_password_file
    assert c.compare(c.WantedConfig(params()), "sha256:img1", actual) == []


def test_options_that_add_env_mounts_and_args():
    wanted = c.WantedConfig(params(durable_dir="/srv/d", license_key="/k/iris.key", cpf_merge="[Actions]\n",
                                   command_args=["--check-caps", "false"]))
    assert wanted.env == {"ISC_DATA_DIRECTORY": c.DURABLE_DATA_DIR, "ISC_CPF_MERGE_FILE": c.MERGE_TARGET}
    assert wanted.command == ["--key", c.KEY_TARGET, "--check-caps", "false"]
    assert [m["target"] for m in wanted.mounts] == sorted([c.DURABLE_TARGET, c.KEY_TARGET, c.MERGE_TARGET])
    assert wanted.cpf_merge_file == "/tmp/state/iris1/merge.cpf"
    assert c.CPF_SHA_LABEL in wanted.labels


@pytest.mark.parametrize("kwargs, needle", [
    (dict(env={"ISC_DATA_DIRECTORY": "/x"}, durable_dir="/d"), "ISC_DATA_DIRECTORY"),
    (dict(labels={"iris_devtools.iris.managed": "no"}), "reserves"),
    (dict(command_args=["--key", "/k"], license_key="/k"), "--key"),
    (dict(volumes=["/a:/durable"], durable_dir="/d"), "/durable"),
    (dict(published_ports=["x:y"]), "published port"),
])
def test_conflicting_options(kwargs, needle):
    with pytest.raises(IrisModuleError) as exc:
        c.WantedConfig(params(**kwargs))
    assert needle in exc.value.msg


def test_published_ports():
    wanted = c.WantedConfig(params(published_ports=["8080", "9090:80", "0.0.0.0:8443:443/tcp", "53/udp"]))
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
    keys = c.add_password_steps(program, _objectscript, CANARY)
    assert program.template_names == ["user_password_flags", "password_login"]
    assert program.secret_values == [CANARY]
    result = iris_sim.transport("%SYS").run(program)
    assert result[c.LOGIN_KEY] is True
    assert sorted(keys.values()) == sorted(c.PREDEFINED_ACCOUNTS)
    assert all(result[key] is True for key in keys)
    for name in c.PREDEFINED_ACCOUNTS:  # independent read
        assert "CHG=0" in iris_sim.run("%SYS", 'do ##class(Security.Users).Get("%s",.p) write "CHG=",p("ChangePassword")' % name)
        assert iris_sim.inst.system["users"][name.upper()]["PasswordNeverExpires"] == 0


def test_password_steps_never_expires_and_wrong_password(iris_sim):
    _file_password(iris_sim, "other-password")
    program = _objectscript.Program()
    c.add_password_steps(program, _objectscript, CANARY, never_expires=True)
    result = iris_sim.transport("%SYS").run(program)
    assert result[c.LOGIN_KEY] is False  # the file's password is not the module's: the login check catches it
    assert iris_sim.inst.system["users"]["SUPERUSER"]["PasswordNeverExpires"] == 1


def test_password_change_required_adds_no_login(iris_sim):
    program = _objectscript.Program()
    assert c.add_password_steps(program, _objectscript, CANARY, change_required=True) == {}
    assert program.steps == []
    program = _objectscript.Program()
    c.add_password_steps(program, _objectscript, CANARY, change_required=True, never_expires=True)
    assert program.template_names == ["user_password_flags"] and not program.has_secrets
    assert 'set:0 idtP("ChangePassword")=0 set:1 idtP("PasswordNeverExpires")=1' in program.render("k" * 16)
