# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The configuration model of iris_container (_container_config): parsing, wanted vs actual; no Docker."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _container_config as cc
from ansible_collections.iris_devtools.iris.plugins.module_utils import _container_password as pw
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import MANAGED_LABEL
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError


def params(**kwargs):
    base = dict(name="iris1", image="img:1", state="healthy", recreate="on_change", host_ip="127.0.0.1",
                superserver_port=None, web_port=None, publish_web=True, published_ports=None, volumes=None,
                durable_dir=None, license_key=None, password=None, cpf_merge=None, env=None, labels=None,
                memory=None, cpus=None, command_args=None, wait_timeout=5, stop_timeout=1, keep_failed=False,
                state_dir="/tmp/state", instance="IRIS", namespace="USER", timeout=5, docker_host=None)
    base.update(kwargs)
    return base


@pytest.mark.parametrize("value, expected", [
    (None, 0), ("0", 0), ("1024", 1024), ("512m", 512 * 1024 ** 2), ("2g", 2 * 1024 ** 3), ("2GiB", 2 * 1024 ** 3),
    ("1.5g", int(1.5 * 1024 ** 3)), ("64k", 65536),
    # every form the old parser took, through human_to_bytes: unit letter in any case, optional "i" and "b", blanks
    ("512M", 512 * 1024 ** 2), ("2G", 2 * 1024 ** 3), ("2gb", 2 * 1024 ** 3), ("2GB", 2 * 1024 ** 3), ("2Gi", 2 * 1024 ** 3),
    ("512mib", 512 * 1024 ** 2), (" 512 m ", 512 * 1024 ** 2), ("1t", 1024 ** 4), ("5b", 5), ("64K", 65536), (1024, 1024),
])
def test_parse_memory(value, expected):
    assert cc.parse_memory(value) == expected


@pytest.mark.parametrize("value", ["lots", "\u0665\u0661\u0662m"])  # Arabic-Indic 512: human_to_bytes failed with a traceback
def test_parse_memory_rejects_garbage(value):
    with pytest.raises(IrisModuleError) as exc:
        cc.parse_memory(value)
    assert "512m" in exc.value.hint


def test_parse_volume_forms():
    assert cc.parse_volume("/data:/mnt:ro") == dict(type="bind", source="/data", target="/mnt", read_only=True)
    assert cc.parse_volume("vol1:/mnt") == dict(type="volume", source="vol1", target="/mnt", read_only=False)
    assert cc.parse_volume({"source": "/d", "target": "/t"}) == dict(type="bind", source="/d", target="/t", read_only=False)


@pytest.mark.parametrize("spec", ["/data", "/a:/b:xx", "/a:relative", {"source": "/a"}])
def test_parse_volume_errors(spec):
    with pytest.raises(IrisModuleError):
        cc.parse_volume(spec)


@pytest.mark.parametrize("kwargs, option", [
    (dict(durable_dir="/data/iris\n"), "durable_dir"), (dict(license_key="/keys/iris.key\x00"), "license_key"),
    (dict(image="img:1\n"), "image"), (dict(state_dir="/tmp/st\x1bate"), "state_dir"),
    (dict(volumes=["/data\n:/mnt"]), "volume"), (dict(volumes=[{"source": "vol", "target": "/m\x7fnt"}]), "volume"),
    (dict(env={"A\nB": "1"}), "env"), (dict(labels={"team\x00": "x"}), "labels"),
])
def test_control_characters_are_refused(kwargs, option):
    """A line feed in durable_dir or state_dir would name a new directory on the Docker host; a NUL fails in the daemon."""
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(**kwargs))
    assert exc.value.msg.startswith(option + " ") and "is not valid: it contains a control character" in exc.value.msg
    assert exc.value.hint.startswith("write ")


def test_the_state_dir_of_an_absent_container_is_checked_too():
    with pytest.raises(IrisModuleError, match="state_dir .* control character"):
        cc.module_files_dir(dict(name="iris1", state_dir="/tmp/state\n"))


def test_docker_time():
    assert cc.parse_docker_time("1970-01-01T00:00:01.5Z") == 1.5
    assert cc.parse_docker_time("1970-01-01T01:00:01+01:00") == 1.0
    assert cc.parse_docker_time("0001-01-01T00:00:00Z") is None
    assert cc.parse_docker_time("") is None


@pytest.mark.parametrize("text, expected", [
    ("2026-01-01T00:00:00.123456789Z", 1767225600.123456),  # Docker's 9 fraction digits: cut to microseconds
    ("2026-01-01T00:00:00Z", 1767225600.0),
    ("2026-01-01T00:00:00", 1767225600.0),  # no zone: UTC, as Docker writes
    ("2026-01-01T02:00:00.5+02:00", 1767225600.5),
    ("2026-01-01T00:00:00.1-00:30", 1767227400.1),
    ("not a time", None),
])
def test_docker_time_forms(text, expected):
    value = cc.parse_docker_time(text)
    assert value == pytest.approx(expected, abs=1e-6) if expected is not None else value is None


def test_lower_case_actions_header_is_refused():
    with pytest.raises(IrisModuleError) as exc:
        cc.WantedConfig(params(cpf_merge="[actions]\nCreateNamespace:Name=X\n"))
    assert "[Actions]" in exc.value.hint


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


@pytest.mark.parametrize("value, expected", [(None, ""), ("", ""), ("0", "0"), ("0-19", "0-19"), ("0-3,5,7-8", "0-3,5,7-8")])
def test_cpuset_cpus(value, expected):
    assert cc.WantedConfig(params(cpuset_cpus=value)).cpuset_cpus == expected


@pytest.mark.parametrize("value", ["0 - 3", "0-", "a", "3-1", "0,,1", " 0", "-1", "0-3;rm", "0-3\n", "\u0660-\u0663"])
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
