# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The shared options are validated for what they are, in one place (``_argspec.validate_common``), before any Docker
call or IRIS session: every module refuses a hostile instance, namespace, container, docker_host or timeout with a
message that says what is wrong and ends with a Fix."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _docker, _native, _transport
from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import validate_common
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.modules import iris_container, iris_fixture, iris_info, iris_monitoring, iris_task

HOSTILE = {
    "newline": "IRIS\nhalt",
    "carriage return": "IRIS\rx",
    "NUL": "US\x00ER",
    "double quote": 'AB"C',
    "single quote": "AB'C",
    "unicode": "IRIS\u00e9",
    "emoji": "IRIS\U0001F600",
    "space": "A B",
    "10 kB": "A" * 10240,
}
HOSTILE_HOSTS = dict((name, "unix:///var/run/" + value) for name, value in HOSTILE.items())

GOOD = [
    dict(instance="IRIS", namespace="USER", container="iris-1", docker_host=None, timeout=60),
    dict(instance="IRIS_2-b", namespace="%SYS", container="0123456789ab", docker_host="unix:///var/run/docker.sock", timeout=1),
    dict(instance="IRIS", namespace="app_test-1", container="my.iris_1", docker_host="tcp://127.0.0.1:2375", timeout=86400),
    dict(instance="IRIS", namespace="N" * 64, container=None, docker_host="ssh://me@host", timeout=60),
    dict(instance="IRIS", namespace=None, container="", docker_host="", timeout=60),  # unset / empty env variables
]


@pytest.mark.parametrize("params", GOOD)
def test_good_values_pass(params):
    validate_common(params)


@pytest.mark.parametrize("option", ["instance", "namespace", "container"])
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_names_are_refused(option, kind):
    params = dict(GOOD[0])
    params[option] = HOSTILE[kind]
    with pytest.raises(IrisModuleError) as info:
        validate_common(params)
    assert info.value.msg.startswith("%s " % option) and info.value.msg.endswith(".")
    assert info.value.hint
    assert len(info.value.msg) < 200  # a 10 kB value is cut, not echoed
    assert "\n" not in info.value.msg and "\x00" not in info.value.msg


@pytest.mark.parametrize("kind", sorted(HOSTILE_HOSTS))
def test_hostile_docker_hosts_are_refused(kind):
    params = dict(GOOD[0], docker_host=HOSTILE_HOSTS[kind])
    with pytest.raises(IrisModuleError) as info:
        validate_common(params)
    assert info.value.msg.startswith("docker_host ") and "unix:///var/run/docker.sock" in info.value.hint


@pytest.mark.parametrize("value, reason", [
    ("IRIS\nx", "control character"), ("US\x00ER", "control character"), ('A"B', "quote"), ("IRIS\u00e9", "non-ASCII"),
    ("A" * 10240, "10240 characters long (at most 64)"), ("", "empty"), ("_USER", "not allowed"),
])
def test_the_message_says_what_is_wrong(value, reason):
    with pytest.raises(IrisModuleError) as info:
        validate_common(dict(namespace=value))
    assert reason in info.value.msg, info.value.msg


@pytest.mark.parametrize("value", ["/var/run/docker.sock", "docker.sock", "unix://", "http://a b", "host:2375"])
def test_docker_host_must_be_a_url(value):
    with pytest.raises(IrisModuleError):
        validate_common(dict(docker_host=value))


@pytest.mark.parametrize("option", ["instance", "namespace", "container", "docker_host"])
def test_a_nul_is_refused_by_validate_common_itself(option):
    """ansible-core 2.21 refuses a NUL in module arguments before main(); validate_common must refuse it on its own."""
    value = "unix:///var/run/docker\x00.sock" if option == "docker_host" else "IRIS\x00x"
    params = dict(GOOD[0])
    params[option] = value
    with pytest.raises(IrisModuleError) as info:
        validate_common(params)
    assert info.value.msg.startswith("%s " % option) and "control character" in info.value.msg
    assert "\x00" not in info.value.msg and info.value.hint


@pytest.mark.parametrize("option, value", [("container", "/iris-1"), ("container", "-iris"), ("instance", "_IRIS")])
def test_the_first_character_is_a_letter_or_digit(option, value):
    """The documented rule (doc fragment _iris): no leading '/' (docker inspect's form, an absolute state_dir path for
    iris_container's name), '-' or '_'."""
    with pytest.raises(IrisModuleError, match="starts with one that is not allowed") as info:
        validate_common({option: value})
    assert "starting with a letter or digit" in info.value.hint


@pytest.mark.parametrize("value", [0, -1, 86401, 10 ** 9, True])
def test_timeout_is_bounded(value):
    with pytest.raises(IrisModuleError) as info:
        validate_common(dict(timeout=value))
    assert "from 1 to 86400" in info.value.msg


# ---------------------------------------------------------------------------------------------
# Every module, through main(): refused before any Docker call or IRIS session.
# ---------------------------------------------------------------------------------------------
MODULES = [
    (iris_info, {"container": "c"}),
    (iris_task, {"container": "c", "name": "t"}),
    (iris_monitoring, {"container": "c"}),
    (iris_fixture, {"container": "c", "namespace": "APP", "path": "/nonexistent/fixture"}),
    (iris_container, {"name": "c"}),
]
CASES = [(option, kind, HOSTILE[kind]) for option in ("instance", "namespace", "container") for kind in sorted(HOSTILE)]
CASES += [("docker_host", kind, HOSTILE_HOSTS[kind]) for kind in sorted(HOSTILE_HOSTS)]
CASES += [("timeout", "zero", 0), ("timeout", "negative", -5), ("timeout", "huge", 10 ** 7)]


def forbid_running(monkeypatch):
    """Make every way to reach Docker or IRIS (docker, local and native transports) fail the test; return the list of
    the ones called anyway."""
    calls = []

    def forbidden(name):
        def call(*args, **kwargs):
            calls.append(name)
            raise AssertionError("%s was called although an option is invalid" % name)
        return call
    monkeypatch.setattr(_docker, "get_docker_client", forbidden("get_docker_client"))
    monkeypatch.setattr(_docker, "exec_with_stdin", forbidden("exec_with_stdin"))
    monkeypatch.setattr(_transport.Transport, "run", forbidden("Transport.run"))
    monkeypatch.setattr(_transport.LocalTransport, "_execute", forbidden("LocalTransport._execute"))
    monkeypatch.setattr(_native, "connect", forbidden("_native.connect"))
    return calls


@pytest.fixture
def nothing_may_run(monkeypatch):
    return forbid_running(monkeypatch)


@pytest.mark.parametrize("module, base", MODULES, ids=[m.__name__.rsplit(".", 1)[-1] for m, b in MODULES])
@pytest.mark.parametrize("option, kind, value", CASES, ids=["%s-%s" % (o, k) for o, k, v in CASES])
def test_every_module_refuses_before_anything_runs(module, base, option, kind, value, nothing_may_run, run_module_main):
    if module is iris_container and option == "container":
        args = dict(container=value)  # iris_container's container is the name of the container it manages
    else:
        args = dict(base)
        args[option] = value
    result, failed = run_module_main(module, args)
    if "\x00" in str(value) and "embedded null character" in str(result):
        # ansible-core 2.21 itself refuses a NUL in the arguments (logging the invocation) before main() goes on.
        assert nothing_may_run == []
        return
    assert failed, result
    assert result["msg"].startswith("%s " % option), result["msg"]
    assert ". Fix: " in result["msg"], result["msg"]
    assert nothing_may_run == []


# Options with a rule of their own, with a trailing line feed or a NUL: refused through main() before anything runs.
OWN_OPTIONS = [
    (iris_container, {"name": "c", "image": "img:1"}, "durable_dir", "/data/iris\n", "durable_dir "),
    (iris_container, {"name": "c", "image": "img:1"}, "state_dir", "/tmp/state\n", "state_dir "),
    (iris_container, {"name": "c"}, "image", "img:1\n", "image "),
    (iris_container, {"name": "c", "image": "img:1"}, "cpuset_cpus", "0-3\n", "cpuset_cpus "),
    (iris_monitoring, {"container": "c"}, "profile", "quick\n", "Invalid profile name "),
    (iris_monitoring, {"container": "c"}, "fetch_report", "/tmp/report\n.html", "fetch_report "),
    (iris_info, {"container": "c", "gather": ["metrics"]}, "metrics_url", "http://iris:52773/\n", "metrics_url "),
]


@pytest.mark.parametrize("module, base, option, value, start", OWN_OPTIONS,
                         ids=["%s-%s" % (m.__name__.rsplit(".", 1)[-1], o) for m, b, o, v, s in OWN_OPTIONS])
def test_own_options_refuse_control_characters_before_anything_runs(module, base, option, value, start, nothing_may_run,
                                                                    run_module_main):
    args = dict(base)
    args[option] = value
    result, failed = run_module_main(module, args)
    assert failed, result
    assert result["msg"].startswith(start) and ". Fix: " in result["msg"], result["msg"]
    assert nothing_may_run == []


def test_refuse_control_characters_names_the_character_and_shows_what_it_is_told():
    _argspec.refuse_control_characters("path", "/a\tb", "rule", allowed="\t")
    _argspec.refuse_control_characters("path", None, "rule")
    with pytest.raises(IrisModuleError) as info:
        _argspec.refuse_control_characters("url", "http://u:secret\r@h/", "rule", shown_as="http://********@h/")
    assert info.value.msg == "url 'http://********@h/' is not valid: it contains a control character, U+000D (carriage return)."
    assert info.value.hint == "rule"
