# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The options of ``transport: native`` (issue 13) are validated for what they are, in ``_argspec.validate_common``,
before anything runs: a host name or address, a port, an IRIS user name, a password (never shown), an SSLDefs.ini
section name, a number of seconds.  Every module that reaches a running instance takes them through the shared spec and
documents them through the shared fragment."""

from __future__ import annotations

import pytest
import yaml

from ansible_collections.iris_devtools.iris.plugins.doc_fragments._iris import ModuleDocFragment
from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _instance
from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import (
    iris_common_argument_spec,
    iris_lifecycle_argument_spec,
    validate_common,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.modules import iris_container, iris_fixture, iris_info, iris_monitoring, iris_task
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_argspec import forbid_running

HOSTILE = {
    "newline": "iris\nhalt",
    "carriage return": "iris\rx",
    "NUL": "ir\x00is",
    "double quote": 'ir"is',
    "single quote": "ir'is",
    "backquote": "ir`is",
    "unicode": "iris\u00e9",
    "emoji": "iris\U0001F600",
    "space": "ir is",
    "10 kB": "a" * 10240,
}
NATIVE = dict(transport="native", host="iris.example.com", port=1972, username="_SYSTEM", password="Pw-1",
              ssl_config=None, connect_timeout=30)


def _refused(**params):
    with pytest.raises(IrisModuleError) as info:
        validate_common(dict(NATIVE, **params))
    error = info.value
    assert error.hint and error.msg.endswith(".")
    assert len(error.msg) < 240, error.msg  # a 10 kB value is cut, not echoed
    assert "\n" not in error.msg and "\x00" not in error.msg and "\r" not in error.msg
    return error


@pytest.mark.parametrize("params", [
    dict(host="iris.example.com"), dict(host="IRIS-1.Example.COM."), dict(host="localhost"), dict(host="iris_db"),
    dict(host="127.0.0.1"), dict(host="::1"), dict(host="2001:db8::17"), dict(host="a" * 63 + ".example"),
    dict(host=None), dict(host=""), dict(host="xn--bcher-kva.example"),
    dict(port=1), dict(port=65535), dict(port=None),
    dict(username="SuperUser"), dict(username="%admin"), dict(username="jane.doe@example.com"), dict(username="u" * 160),
    dict(password="SYS"), dict(password="p@ss w0rd!\"'`\u00e9\u4e2d"), dict(password="x" * 1024), dict(password=None),
    dict(ssl_config="tls_1.2-client"), dict(ssl_config=""), dict(connect_timeout=0), dict(connect_timeout=86400),
])
def test_good_values_pass(params):
    validate_common(dict(NATIVE, **params))


@pytest.mark.parametrize("option", ["host", "username", "ssl_config"])
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_values_are_refused(option, kind):
    error = _refused(**{option: HOSTILE[kind]})
    assert error.msg.startswith("%s " % option) and " is not valid: " in error.msg


@pytest.mark.parametrize("value, reason", [
    ("[::1]", "without brackets"), ("iris.example.com:1972", "a port goes into the port option"),
    ("256.1.1.1", "not a valid IPv4 address"), ("1.2.3", "not a valid IPv4 address"), ("a..b", "empty label"),
    (".iris", "empty label"), ("-iris.example", "starts or ends with '-'"), ("iris-.example", "starts or ends with '-'"),
    ("a" * 64 + ".example", "longer than 63"), ("a" * 254, "254 characters long (at most 253)"),
    ("iris\nx", "control character"), ("b\u00fccher.example", "non-ASCII"), ("ir is", "space"),
    ("tcp://iris", "neither an IPv6 address nor a host name"), ("iris/x", "not allowed"),
])
def test_the_host_message_says_what_is_wrong(value, reason):
    error = _refused(host=value)
    assert reason in error.msg, error.msg
    assert "DNS name" in error.hint and "IPv4/IPv6" in error.hint


@pytest.mark.parametrize("value", [0, -1, 65536, 10 ** 9, True])
def test_port_is_a_tcp_port(value):
    error = _refused(port=value)
    assert error.msg.startswith("port ") and "from 1 to 65535" in error.msg


@pytest.mark.parametrize("value", [-1, 86401, True])
def test_connect_timeout_is_bounded(value):
    error = _refused(connect_timeout=value)
    assert error.msg.startswith("connect_timeout ") and "from 0 to 86400" in error.msg


@pytest.mark.parametrize("value", ["-jane", ".jane", "ja ne", "ja\\ne", "ja/ne", "u" * 161])
def test_username_is_a_safe_iris_user_name(value):
    assert _refused(username=value).msg.startswith("username ")


PASSWORDS = {
    "newline": "Secret-Canary\n", "NUL": "Secret\x00Canary", "carriage return": "Secret\rCanary", "tab": "Secret\tCanary",
    "DEL": "Secret\x7fCanary", "C1": "Secret\x85Canary", "10 kB": "Secret-Canary" * 800, "empty": "",
}


@pytest.mark.parametrize("kind", sorted(PASSWORDS))
def test_a_bad_password_is_refused_without_showing_it(kind):
    value = PASSWORDS[kind]
    error = _refused(password=value)
    assert error.msg.startswith("password is not valid: "), error.msg
    shown = repr(error.as_result())
    assert "Secret" not in shown and "Canary" not in shown
    assert "U+" not in error.msg  # not even which character
    expected = {"empty": "it is empty", "10 kB": "longer than 1024"}.get(kind, "it contains a control character")
    assert expected in error.msg


@pytest.mark.parametrize("transport", ["docker", "local"])
def test_the_other_transports_ignore_the_native_options(transport):
    """An IRIS_PASSWORD or IRIS_HOST left in the environment for something else does not fail a docker or local run;
    iris_container's own password option (transport docker only) keeps its own rules (_container_password)."""
    validate_common(dict(NATIVE, transport=transport, host="a b", password="", username="x y", port=0))


def test_spec_and_required_if():
    spec = iris_common_argument_spec()
    assert spec["transport"]["choices"] == ["docker", "local", "native"]
    assert spec["password"]["no_log"] is True
    assert spec["port"]["default"] == 1972 and spec["connect_timeout"]["default"] == 30
    fallbacks = dict((name, option["fallback"][1]) for name, option in spec.items() if "fallback" in option)
    assert fallbacks["host"] == ["IRIS_HOST"] and fallbacks["port"] == ["IRIS_PORT"]
    assert fallbacks["username"] == ["IRIS_USERNAME"] and fallbacks["password"] == ["IRIS_PASSWORD"]
    assert fallbacks["ssl_config"] == ["IRIS_SSL_CONFIG"] and fallbacks["connect_timeout"] == ["IRIS_CONNECT_TIMEOUT"]
    connection = {"transport", "container", "host", "port", "username", "password", "ssl_config", "connect_timeout"}
    assert set(spec) == set(iris_lifecycle_argument_spec()) | connection
    rules = _argspec.iris_common_required_if()
    assert ("transport", "native", ("username", "password")) in rules
    assert ("transport", "native", ("host", "container"), True) in rules


# ---------------------------------------------------------------------------------------------
# Every module: the fragment documents what the shared spec takes; bad values refused before anything runs.
# ---------------------------------------------------------------------------------------------
MODULES = [iris_info, iris_task, iris_monitoring, iris_fixture, iris_container]
CONNECTION_OPTIONS = yaml.safe_load(ModuleDocFragment.CONNECTION)["options"]


def _spec_of(module, monkeypatch):
    """The argument spec ``module.main()`` hands to ``_module.run_module`` (its own + the shared one it names)."""
    seen = {}

    def capture(manager_class, argument_spec, common_spec=_argspec.iris_common_argument_spec, **kwargs):
        seen.update(common_spec() if common_spec else {})
        seen.update(argument_spec)
    monkeypatch.setattr(module, "run_module", capture)
    module.main()
    return seen


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__.rsplit(".", 1)[-1] for m in MODULES])
def test_every_module_documents_the_options_its_spec_takes(module, monkeypatch):
    spec = _spec_of(module, monkeypatch)
    fragments = yaml.safe_load(module.DOCUMENTATION)["extends_documentation_fragment"]
    takes_connection = "host" in spec
    assert ("iris_devtools.iris._iris.connection" in fragments) is takes_connection
    assert takes_connection is (module is not iris_container)
    if not takes_connection:
        # iris_container manages the container: transport docker only; its container and password are its own.
        assert spec["transport"]["choices"] == ["docker"]
        assert not set(CONNECTION_OPTIONS) & (set(spec) - {"password", "transport", "container"})
        return
    for name, doc in CONNECTION_OPTIONS.items():
        option = spec[name]
        assert option["type"] == doc["type"], name
        assert option.get("default") == doc.get("default"), name
        assert option.get("choices") == doc.get("choices"), name
        if "fallback" in option:
            assert "E(%s)" % option["fallback"][1][0] in " ".join(doc["description"]), name
    assert spec["password"].get("no_log") is True


@pytest.fixture
def nothing_may_run(monkeypatch):
    return forbid_running(monkeypatch)


CONNECTED = [
    (iris_info, {}),
    (iris_task, {"name": "t"}),
    (iris_monitoring, {}),
    (iris_fixture, {"namespace": "APP", "path": "/nonexistent/fixture"}),
]
NATIVE_ARGS = dict(transport="native", host="iris.example.com", username="_SYSTEM", password="Canary-Pw-77")
CASES = [(option, kind, HOSTILE[kind]) for option in ("host", "username", "ssl_config") for kind in sorted(HOSTILE)]
CASES += [("port", "zero", 0), ("port", "too big", 70000), ("connect_timeout", "negative", -1)]
CASES += [("password", kind, PASSWORDS[kind]) for kind in ("newline", "NUL", "10 kB", "empty")]


@pytest.mark.parametrize("module, base", CONNECTED, ids=[m.__name__.rsplit(".", 1)[-1] for m, b in CONNECTED])
@pytest.mark.parametrize("option, kind, value", CASES, ids=["%s-%s" % (o, k) for o, k, v in CASES])
def test_every_module_refuses_before_anything_runs(module, base, option, kind, value, nothing_may_run, run_module_main):
    args = dict(base, **NATIVE_ARGS)
    args[option] = value
    result, failed = run_module_main(module, args)
    if "\x00" in str(value) and "embedded null character" in str(result):
        assert nothing_may_run == []  # ansible-core 2.21 refuses a NUL in the arguments itself
        return
    assert failed, result
    assert result["msg"].startswith("%s " % option), result["msg"]
    assert ". Fix: " in result["msg"], result["msg"]
    assert nothing_may_run == []
    if option == "password":
        assert "Secret" not in repr(result) and "Canary" not in repr(result)


@pytest.mark.parametrize("module, base", CONNECTED, ids=[m.__name__.rsplit(".", 1)[-1] for m, b in CONNECTED])
@pytest.mark.parametrize("missing", ["username", "password", "host"])
def test_native_needs_credentials_and_a_host_or_container(module, base, missing, nothing_may_run, run_module_main):
    if module is iris_fixture:
        base = {"namespace": "APP", "state": "absent"}  # a state that reaches the instance at once
    args = dict(base, **NATIVE_ARGS)
    del args[missing]
    result, failed = run_module_main(module, args)
    assert failed, result
    assert missing in result["msg"], result["msg"]
    assert "Canary" not in repr(result)
    assert nothing_may_run == []


def test_the_instance_checks_the_credentials_itself_when_the_module_has_no_required_if():
    """iris_fixture (common_required_if=False) reaches _instance without AnsibleModule's required_if."""
    with pytest.raises(IrisModuleError, match="username and password") as info:
        _instance.native_instance(dict(transport="native", host="h", username=None, password=None))
    assert "IRIS_USERNAME" in info.value.hint
    with pytest.raises(IrisModuleError, match="host"):
        _instance.native_instance(dict(transport="native", username="u", password="p", container=None))
