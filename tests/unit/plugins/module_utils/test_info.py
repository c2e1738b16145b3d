# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_info: $ZVERSION parsing, section selection -> program contents, JMESPath, and the facts read from the
in-process IRIS simulator (checked against independent ObjectScript run in the simulator), one session per run."""

from __future__ import annotations

import re

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _info, _instance
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

TOKEN = "0123456789abcdef0123456789abcdef"
SESSION_SECTIONS = [s for s in _info.SECTIONS if s != "metrics"]


# --------------------------------------------------------------------------------------------
# $ZVERSION strings seen in the wild
# --------------------------------------------------------------------------------------------
ZV_CASES = [
    # iris-sources.md S29: caretdev/testcontainers-iris-python, testcontainers/iris/__init__.py docstring
    ("IRIS for UNIX (Ubuntu Server LTS for ARM64 Containers) 2023.2 (Build 227U) Mon Jul 31 2023 17:43:25 EDT",
     dict(product="IRIS", os="UNIX", platform="Ubuntu Server LTS for ARM64 Containers", version="2023.2",
          version_info=[2023, 2], suffix=None, build="227U", build_number=227, build_date="Mon Jul 31 2023 17:43:25 EDT",
          container=True)),
    # the release/build of iris-sources.md LESSONS §6 (Community 2025.1 Build 223U) in the container shape above
    ("IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2025.1 (Build 223U) Tue Mar 11 2025 18:14:42 EDT",
     dict(product="IRIS", os="UNIX", platform="Ubuntu Server LTS for x86-64 Containers", version="2025.1",
          version_info=[2025, 1], build="223U", build_number=223, container=True)),
    # public code (embedded-Python article, repository not identified): iris.system.Version.Format() on Windows
    ("IRIS for Windows (x86-64) 2024.1.1 (Build 347U) Thu Jul 18 2024 17:35:51 EDT",
     dict(product="IRIS", os="Windows", platform="x86-64", version="2024.1.1", version_info=[2024, 1, 1],
          build="347U", build_number=347, build_date="Thu Jul 18 2024 17:35:51 EDT", container=False)),
    # public code (project notes, repository not identified): an ad-hoc build, no date
    ("IRIS for Windows (x86-64) 2023.1.1 (Build 380_0_22958U)",
     dict(version="2023.1.1", build="380_0_22958U", build_number=380, build_date=None, container=False)),
    # public code (MCP tool notes, repository not identified): a special release with a suffix
    ("IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2026.3.0AI (Build 136U) Tue Aug 18 2026 09:52:07 EDT",
     dict(version="2026.3.0", version_info=[2026, 3, 0], suffix="AI", build="136U", build_number=136)),
    # public code (Rust test of a shell-banner stripper, repository not identified): no build part at all
    ("IRIS for UNIX (Ubuntu Server LTS for ARM64 Containers) 2026.2.0L",
     dict(version="2026.2.0", suffix="L", build=None, build_number=None, build_date=None, container=True)),
    # public code (ZPM issue text, repository not identified): the predecessor product has the same shape
    ("Caché for Windows (x86-64) 2018.1.4 (Build 505_1U) Thu May 28 2020 10:01:40 EDT",
     dict(product="Caché", os="Windows", version="2018.1.4", build="505_1U", build_number=505)),
    # the simulator's own $ZV (tests/simulator/iris_sim/builtins_lang.py): extra text after the date is kept
    ("IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2025.1 (Build 223U) Thu Jan 1 2026 00:00:00 UTC [IRIS-SIM simulator]",
     dict(version="2025.1", build="223U", build_date="Thu Jan 1 2026 00:00:00 UTC [IRIS-SIM simulator]")),
]


@pytest.mark.parametrize("zv, expected", ZV_CASES, ids=[c[0][:60] for c in ZV_CASES])
def test_parse_version(zv, expected):
    info = _info.parse_version(zv)
    assert info["zv"] == zv
    for key, value in expected.items():
        assert info[key] == value, key


@pytest.mark.parametrize("text", ["", None, "not a version", "IRIS 2025.1", "  "])
def test_parse_version_unknown_shapes_stay_unparsed(text):
    info = _info.parse_version(text)
    assert info["zv"] == (text or "").strip()
    assert all(info[key] is None for key in info if key != "zv")


# --------------------------------------------------------------------------------------------
# Section selection -> program contents
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sections, templates", [
    (["version"], ["ping", "namespace"]),
    (["state"], ["ping", "namespace"]),
    (["namespaces"], ["namespace", "info_namespaces"]),
    (["databases"], ["namespace", "info_databases"]),
    (["version", "namespaces", "databases"], ["ping", "namespace", "info_namespaces", "info_databases"]),
])
def test_program_holds_only_the_sections_asked_for(sections, templates):
    program = _info.build_program(sections)
    assert program.template_names == templates
    text = program.render(TOKEN)
    assert ('"%SYS"' in text) and (("Config.Namespaces" in text) == ("namespaces" in sections))
    assert ("Config.Databases" in text) == ("databases" in sections)
    assert ("SYS.Database" in text) == ("databases" in sections)
    assert ("$ZVERSION" in text) == ("version" in sections or "state" in sections)


def test_metrics_alone_needs_no_session():
    assert _info.build_program(["metrics"]) is None
    assert not _info.needs_session(["metrics"])


def test_every_section_program_parses():
    ts = pytest.importorskip("tree_sitter")
    ts_os = pytest.importorskip("tree_sitter_objectscript_routine")
    parser = ts.Parser(ts.Language(ts_os.language_objectscript_routine()))

    def errors(node):
        found = [node.text[:80]] if node.type == "ERROR" or node.is_missing else []
        if node.has_error:
            for child in node.children:
                found.extend(errors(child))
        return found
    for count in range(1, len(SESSION_SECTIONS) + 1):
        program = _info.build_program(SESSION_SECTIONS[:count])
        for line in program.lines(TOKEN):
            tree = parser.parse((" " + line).encode("utf-8"))
            assert not errors(tree.root_node), line[:200]


def test_templates_cite_sections_of_iris_api():
    from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import TEMPLATES
    assert "§3.3" in TEMPLATES["info_namespaces"].source and "S9" in TEMPLATES["info_namespaces"].source
    assert "§3.2 S19" in TEMPLATES["info_databases"].source and "S20" in TEMPLATES["info_databases"].source


# --------------------------------------------------------------------------------------------
# JMESPath
# --------------------------------------------------------------------------------------------
FACTS = {"namespaces": [{"name": "%SYS", "globals": "IRISSYS"}, {"name": "USER", "globals": "USER"}],
         "databases": [{"name": "USER", "mounted": True}, {"name": "OLD", "mounted": False}]}


@pytest.mark.parametrize("expression, expected", [
    ("namespaces[?name=='USER'] | [0].globals", "USER"),
    ("databases[?mounted == `false`].name", ["OLD"]),
    ("length(namespaces)", 2),
    ("nothing.here", None),
])
def test_query(expression, expected):
    pytest.importorskip("jmespath")
    assert _info.apply_query(_info.compile_query(expression), FACTS) == expected


def test_database_resource_from_the_file_only():
    """iris-sources.md IRISREF24: Config.Databases (2024.1) has no Resource property, so a database's resource is
    SYS.Database.ResourceName (S19) and null without a local file; a Resource key in the Get array is not read."""
    result = {"dbs": [
        {"name": "REMOTE", "props": {"Directory": "/r/", "Server": "ECP1", "Resource": "%DB_STALE"}},
        {"name": "LOCAL", "props": {"Directory": "/l/", "Resource": "%DB_STALE"},
         "physical": {"Mounted": 1, "ResourceName": "%DB_LOCAL"}},
        {"name": "PLAIN", "props": {"Directory": "/p/", "Resource": "%DB_STALE"}, "physical": {"ResourceName": ""}}]}
    rows = dict((row["name"], row) for row in _info.databases_from(result, key="dbs"))
    assert rows["REMOTE"]["resource"] is None and rows["REMOTE"]["file_exists"] is False
    assert rows["LOCAL"]["resource"] == "%DB_LOCAL"
    assert rows["PLAIN"]["resource"] is None


@pytest.mark.parametrize("expression", ["namespaces[?name=='USER'", "databases[?mounted == `fals]", "a..b", "[?"])
def test_bad_query_is_a_clear_error(expression):
    pytest.importorskip("jmespath")
    with pytest.raises(IrisModuleError) as info:
        _info.compile_query(expression)
    assert info.value.msg.startswith("query is not a valid JMESPath expression")
    assert "jmespath.org" in info.value.hint


def test_query_type_error_is_a_clear_error():
    pytest.importorskip("jmespath")
    with pytest.raises(IrisModuleError, match="query failed on the gathered facts"):
        _info.apply_query(_info.compile_query("length(databases[0].mounted)"), FACTS)


def test_missing_jmespath(monkeypatch):
    monkeypatch.setattr(_info, "HAS_JMESPATH", False)
    with pytest.raises(IrisModuleError) as info:
        _info.compile_query("a")
    assert "jmespath" in info.value.msg and "pip install jmespath" in info.value.hint


# --------------------------------------------------------------------------------------------
# Against the in-process simulator
# --------------------------------------------------------------------------------------------
class FakeModule(object):
    def __init__(self, **params):
        self.params = dict(transport="docker", container="sim", instance="IRIS", namespace="USER", timeout=30,
                           docker_host=None, gather=None, query=None, metrics_url=None, tables_namespace=None)
        self.params.update(params)
        self.check_mode = False


class SimInstance(_instance.Instance):
    """A container instance without container facts whose sessions run in ``iris_sim``; ``transports`` lists them."""

    kind = "docker"
    container = None

    def __init__(self, sim, transports, namespace):
        super(SimInstance, self).__init__(namespace=namespace)
        self.sim = sim
        self.transports = transports

    def _new_transport(self, namespace):
        transport = self.sim.transport(namespace)
        self.transports.append(transport)
        return transport


class BareInstance(_instance.Instance):
    """An instance that must not open a session (metrics alone)."""

    def __init__(self, container=None, kind="docker"):
        super(BareInstance, self).__init__()
        self.container = container
        self.kind = kind

    def _new_transport(self, namespace):
        raise AssertionError("no IRIS session for metrics alone")


def manager(iris_sim, transports=None, **params):
    transports = [] if transports is None else transports
    module = FakeModule(**params)
    return _info.InfoManager(module, instance=SimInstance(iris_sim, transports, module.params["namespace"]))


def _written(iris_sim, namespace, expression, setup=""):
    out = iris_sim.run(namespace, (setup + " " if setup else "") + 'write "<<",' + expression + ',">>",!', "halt")
    match = re.search(r"<<(.*?)>>", out, re.S)
    assert match, out
    return match.group(1)


def test_default_gather_one_session_and_true_facts(iris_sim, tmp_path):
    # An extra database and namespace made through plain ObjectScript (iris-sources.md §3.2 S9/S23, §3.1 S20, §3.3 S9);
    # one more database configured but dismounted.
    app_dir = str(tmp_path / "appdb") + "/"
    old_dir = str(tmp_path / "olddb") + "/"
    out = iris_sim.run(
        "%SYS",
        'set sc=##class(SYS.Database).CreateDatabase(%s,5) write "c1=",sc,!' % _q(app_dir),
        'kill p set p("Directory")=%s set sc=##class(Config.Databases).Create("APPDB",.p) write "c2=",sc,!' % _q(app_dir),
        'kill p set p("Globals")="APPDB",p("Routines")="USER" set sc=##class(Config.Namespaces).Create("APP",.p) write "c3=",sc,!',
        'set sc=##class(SYS.Database).CreateDatabase(%s,2) write "c4=",sc,!' % _q(old_dir),
        'kill p set p("Directory")=%s set sc=##class(Config.Databases).Create("OLDDB",.p) write "c5=",sc,!' % _q(old_dir),
        'set sc=##class(SYS.Database).DismountDatabase(%s) write "c6=",sc,!' % _q(old_dir),
        "halt")
    for step in ("c1=1", "c2=1", "c3=1", "c4=1", "c5=1", "c6=1"):
        assert step in out, out

    transports = []
    result = manager(iris_sim, transports).run()
    assert len(transports) == 1 and transports[0].sessions == 1  # ONE session, whatever is gathered
    assert result["changed"] is False
    assert result["gathered"] == [s for s in SESSION_SECTIONS if s in _info.DEFAULT_GATHER]

    # version: the same $ZV an independent session writes
    assert result["version"]["zv"] == _written(iris_sim, "USER", "$ZVERSION")
    assert result["version"]["version"] == "2025.1" and result["version"]["build"] == "223U"

    # state: the session ran in the module's namespace; no container behind the in-process transport
    state = result["instance_state"]
    assert state["session"] == {"ok": True, "namespace": "USER"} and state["container"] is None
    assert state["transport"] == "docker" and state["instance"] == "IRIS"

    # namespaces: exactly the configured ones, with the databases Get reports independently
    names = [n["name"] for n in result["namespaces"]]
    assert names == sorted(iris_sim.inst.config.namespaces())
    assert "APP" in names
    for ns in result["namespaces"]:
        assert "error" not in ns
        setup = "kill p do ##class(Config.Namespaces).Get(%s,.p)" % _q(ns["name"])
        assert ns["globals"] == _written(iris_sim, "%SYS", '$GET(p("Globals"))', setup)
        assert ns["routines"] == _written(iris_sim, "%SYS", '$GET(p("Routines"))', setup)
    app = [n for n in result["namespaces"] if n["name"] == "APP"][0]
    assert (app["globals"], app["routines"]) == ("APPDB", "USER")

    # databases: every configured one, physical state as SYS.Database reports it
    by_name = dict((d["name"], d) for d in result["databases"])
    assert sorted(by_name) == sorted(iris_sim.inst.config.databases())
    assert by_name["APPDB"]["directory"] == app_dir and by_name["OLDDB"]["directory"] == old_dir
    assert by_name["APPDB"]["mounted"] is True and by_name["APPDB"]["size_mb"] == 5
    assert by_name["OLDDB"]["mounted"] is False and by_name["OLDDB"]["size_mb"] == 2
    for db in result["databases"]:
        assert "error" not in db and db["file_exists"] is True
        mounted = _written(iris_sim, "%SYS", "##class(SYS.Database).%%OpenId(%s).Mounted" % _q(db["directory"]))
        assert db["mounted"] is (mounted == "1")
        size = _written(iris_sim, "%SYS", "##class(SYS.Database).%%OpenId(%s).Size" % _q(db["directory"]))
        assert db["size_mb"] == int(size)
        assert db["block_size"] == 8192

    # tasks: the same IDs and names plain SQL sees (iris-sources.md §1.3 S11: SELECT ... FROM %SYS.Task in %SYS)
    if "tasks" in result:
        out = iris_sim.run("%SYS", 'set rs=##class(%SQL.Statement).%ExecDirect(,"SELECT ID, Name FROM %SYS.Task") '
                                   'while rs.%Next() { write "<",rs.%Get("ID"),"|",rs.%Get("Name"),">",! }', "halt")
        expected = sorted((int(i), n) for i, n in re.findall(r"<(\d+)\|([^>]*)>", out))
        assert expected and sorted((t["id"], t["name"]) for t in result["tasks"]) == expected

    # monitoring: where ^SystemPerformance writes, as an independent session asks it (iris-sources.md §2.1 S13)
    if "monitoring" in result:
        assert result["monitoring"]["log_dir"] == _written(iris_sim, "%SYS", "$$getlogdir^SystemPerformance()")
        assert result["monitoring"]["profiles"] == [] and result["monitoring"]["runs"] == []


def _q(text):
    from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import literal
    return literal(text)


@pytest.mark.parametrize("gather", [["version"], ["namespaces"], ["databases"], ["state", "databases"]] +
                         [["tables"]] + [[s] for s in ("tasks", "monitoring") if s in SESSION_SECTIONS])
def test_gather_subsets_return_only_their_sections(iris_sim, gather):
    transports = []
    result = manager(iris_sim, transports, gather=gather).run()
    assert transports[0].sessions == 1 and result["iris_sessions"] == 1
    assert result["gathered"] == [s for s in _info.SECTIONS if s in gather]
    returned = set(result) - {"changed", "gathered", "iris_sessions"}
    assert returned == set(_info.RESULT_KEYS[s] for s in gather)


def test_query_result_against_the_simulator(iris_sim):
    pytest.importorskip("jmespath")
    result = manager(iris_sim, gather=["namespaces", "version"],
                     query="{user: namespaces[?name=='USER'] | [0].globals, v: version.version}").run()
    assert result["query_result"] == {"user": "USER", "v": "2025.1"}


def test_bad_query_fails_before_any_session(iris_sim):
    pytest.importorskip("jmespath")
    transports = []
    with pytest.raises(IrisModuleError, match="not a valid JMESPath"):
        manager(iris_sim, transports, query="namespaces[").run()
    assert transports == []


def test_unknown_namespace_fails_with_the_transport_error_and_reports_state(iris_sim):
    mgr = manager(iris_sim, namespace="NOSUCHNS", gather=["state", "version"])
    with pytest.raises(IrisModuleError) as info:
        mgr.run()
    assert "NAMESPACE" in info.value.msg
    assert mgr.fail_results["instance_state"]["session"] == {"ok": False, "namespace": None}


def test_empty_gather_is_refused(iris_sim):
    with pytest.raises(IrisModuleError, match="gather is empty"):
        manager(iris_sim, gather=[]).run()


def test_check_mode_returns_the_same_facts(iris_sim):
    normal = manager(iris_sim).run()
    checked = manager(iris_sim)
    checked.module.check_mode = True
    assert checked.run() == normal


# --------------------------------------------------------------------------------------------
# Metrics and container facts (no IRIS needed)
# --------------------------------------------------------------------------------------------
class FakeContainer(object):
    def __init__(self, ports=None, health=None):
        state = {"Status": "running", "Running": True, "StartedAt": "2026-01-01T10:00:00.5Z"}
        if health:
            state["Health"] = {"Status": health}
        self.name = "sim"
        self.attrs = {"Id": "cid", "Name": "/sim", "Config": {"Image": "iris-sim:0.1.0"}, "State": state,
                      "NetworkSettings": {"Ports": ports or {}}}


def test_container_state():
    state = _info.container_state(FakeContainer(health="healthy"))
    assert state == {"name": "sim", "id": "cid", "image": "iris-sim:0.1.0", "status": "running", "running": True,
                     "health": "healthy", "started_at": "2026-01-01T10:00:00.5Z"}
    assert _info.container_state(FakeContainer())["health"] is None
    assert _info.container_state(None) is None


@pytest.mark.parametrize("binding, docker_host, expected", [
    ({"HostIp": "127.0.0.1", "HostPort": "32769"}, None, "http://127.0.0.1:32769"),
    ({"HostIp": "0.0.0.0", "HostPort": "8080"}, None, "http://127.0.0.1:8080"),
    ({"HostIp": "0.0.0.0", "HostPort": "8080"}, "tcp://docker.example:2375", "http://docker.example:8080"),
])
def test_metrics_url_of_the_published_web_port(binding, docker_host, expected):
    pytest.importorskip("ansible_collections.iris_devtools.iris.plugins.module_utils._metrics")
    container = FakeContainer(ports={"52773/tcp": [binding], "1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": "1"}]})
    asked = []
    mgr = _info.InfoManager(FakeModule(gather=["metrics"], docker_host=docker_host),
                            instance=BareInstance(container),
                            metrics_fetch=lambda url, timeout: asked.append(url) or "")
    assert mgr.run()["metrics"] == {"url": expected + "/api/monitor/metrics", "samples": {}}
    assert asked == [expected + "/api/monitor/metrics"]


def test_unpublished_web_port_fails_clearly():
    pytest.importorskip("ansible_collections.iris_devtools.iris.plugins.module_utils._metrics")
    container = FakeContainer(ports={"1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": "1"}]})
    mgr = _info.InfoManager(FakeModule(gather=["metrics"]), instance=BareInstance(container))
    with pytest.raises(IrisModuleError) as info:
        mgr.run()
    assert "does not publish the IRIS web server port 52773" in info.value.msg and "metrics_url" in info.value.hint


METRICS_TEXT = ("# HELP iris_cpu_usage CPU usage\niris_cpu_usage 12\n"
                'iris_db_size_mb{id="USER",dir="/usr/irissys/mgr/user/"} 11\n'
                'iris_db_latency{id="USER"} NaN\n')


def test_metrics_read_over_http_without_a_session():
    pytest.importorskip("ansible_collections.iris_devtools.iris.plugins.module_utils._metrics")
    container = FakeContainer(ports={"52773/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32769"}]})
    asked = []

    def fetch(url, timeout):
        asked.append((url, timeout))
        return METRICS_TEXT
    mgr = _info.InfoManager(FakeModule(gather=["metrics"]), instance=BareInstance(container),
                            metrics_fetch=fetch)
    result = mgr.run()
    assert asked == [("http://127.0.0.1:32769/api/monitor/metrics", 30)]
    samples = result["metrics"]["samples"]
    assert samples["iris_cpu_usage"] == [{"labels": {}, "value": 12.0}]
    assert samples["iris_db_size_mb"][0]["labels"] == {"id": "USER", "dir": "/usr/irissys/mgr/user/"}
    assert samples["iris_db_latency"][0]["value"] is None  # NaN is not JSON
    assert result["metrics"]["url"] == "http://127.0.0.1:32769/api/monitor/metrics"


def test_metrics_url_option_and_local_default():
    pytest.importorskip("ansible_collections.iris_devtools.iris.plugins.module_utils._metrics")
    asked = []

    def fetch(url, timeout):
        asked.append(url)
        return "iris_cpu_usage 1\n"
    for params in (dict(metrics_url="http://iris.example:8080/api/monitor/metrics"), dict(transport="local")):
        mgr = _info.InfoManager(FakeModule(gather=["metrics"], **params), instance=BareInstance(kind=params.get("transport")),
                                metrics_fetch=fetch)
        mgr.run()
    assert asked == ["http://iris.example:8080/api/monitor/metrics", "http://127.0.0.1:52773/api/monitor/metrics"]


def test_clean_metrics():
    assert _info.clean_metrics({"a": [{"labels": {"x": "1"}, "value": float("nan")}, {"value": float("inf")},
                                      {"labels": {}, "value": 2.5}]}) == {
        "a": [{"labels": {"x": "1"}, "value": None}, {"labels": {}, "value": None}, {"labels": {}, "value": 2.5}]}


# --------------------------------------------------------------------------------------------
# tables: the user tables of one namespace with their row counts (audit A21, D13)
# --------------------------------------------------------------------------------------------
def _sql(iris_sim, namespace, statement):
    out = iris_sim.run(namespace, 'set rs=##class(%SQL.Statement).%ExecDirect(,' + _q(statement) + ') '
                                  'write "SQLCODE=",rs.%SQLCODE,!', "halt")
    assert "SQLCODE=0" in out or "SQLCODE=100" in out, out
    return out


def _make_tables(iris_sim, namespace="USER"):
    _sql(iris_sim, namespace, "CREATE TABLE Shop.Item (Name VARCHAR(40), Price INTEGER)")
    _sql(iris_sim, namespace, "CREATE TABLE Shop.Customer (Name VARCHAR(40))")
    for index in range(3):
        _sql(iris_sim, namespace, "INSERT INTO Shop.Item (Name, Price) VALUES ('item%d', %d)" % (index, index))


def test_tables_with_row_counts_in_one_session(iris_sim):
    _make_tables(iris_sim)
    transports = []
    result = manager(iris_sim, transports, gather=["version", "namespaces", "tables"]).run()
    assert result["tables"] == [{"schema": "Shop", "name": "Customer", "rows": 0}, {"schema": "Shop", "name": "Item", "rows": 3}]
    assert result["gathered"] == ["version", "namespaces", "tables"]
    assert result["iris_sessions"] == 1 and len(transports) == 1
    assert [n["name"] for n in result["namespaces"]] == ["%SYS", "USER"]  # the %SYS sections still read before the switch


def test_tables_namespace_is_case_insensitive_and_defaults_to_namespace(iris_sim):
    _make_tables(iris_sim)
    lower = manager(iris_sim, gather=["tables"], tables_namespace="user").run()
    default = manager(iris_sim, gather=["tables"]).run()
    assert lower["tables"] == default["tables"] and len(default["tables"]) == 2


def test_tables_are_not_gathered_by_default(iris_sim):
    _make_tables(iris_sim)
    result = manager(iris_sim).run()
    assert "tables" not in result and "tables" not in result["gathered"]


def test_tables_of_a_missing_namespace_fail_clearly(iris_sim):
    with pytest.raises(IrisModuleError) as info:
        manager(iris_sim, gather=["tables"], tables_namespace="NOPE").run()
    assert info.value.msg == "Namespace NOPE does not exist in the instance, so its tables cannot be counted."
    assert "tables_namespace" in info.value.hint


def test_more_tables_than_the_limit_fail_before_counting(iris_sim, monkeypatch):
    _make_tables(iris_sim)
    monkeypatch.setattr(_info, "TABLES_LIMIT", 1)
    with pytest.raises(IrisModuleError) as info:
        manager(iris_sim, gather=["tables"]).run()
    assert info.value.msg == "Cannot count the tables of namespace USER: it has more than 1 tables."
    assert info.value.details["iris_step"] == "info_tables_limit"


def test_the_limit_is_the_documented_one():
    from ansible_collections.iris_devtools.iris.plugins.modules import iris_info
    assert "At most %d tables are counted." % _info.TABLES_LIMIT in iris_info.DOCUMENTATION


@pytest.mark.parametrize("value", ["APP\nhalt", "AP\x00P", 'A"B', "APP\u00e9", "A" * 10240, "_APP"])
def test_a_hostile_tables_namespace_is_refused_before_any_session(iris_sim, value):
    transports = []
    with pytest.raises(IrisModuleError) as info:
        manager(iris_sim, transports, gather=["tables"], tables_namespace=value).run()
    assert info.value.msg.startswith("tables_namespace ") and transports == []


def test_tables_from_keeps_errors():
    result = {"tables": [{"name": "B.T", "row_count": 2}, {"name": "A.Broken", "error": "Table not found"}]}
    assert _info.tables_from(result) == [{"schema": "A", "name": "Broken", "rows": None, "error": "Table not found"},
                                         {"schema": "B", "name": "T", "rows": 2}]


def test_metrics_url_with_credentials_is_refused_and_the_options_are_used(monkeypatch):
    pytest.importorskip("ansible_collections.iris_devtools.iris.plugins.module_utils._metrics")
    mgr = _info.InfoManager(FakeModule(gather=["metrics"], metrics_url="http://u:s3cret@iris:52773/api/monitor/metrics"),
                            instance=BareInstance())
    with pytest.raises(IrisModuleError) as info:
        mgr.run()
    assert "Fix: use metrics_username/metrics_password" in info.value.as_result()["msg"]
    assert "s3cret" not in info.value.as_result()["msg"]
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _metrics
    asked = []
    monkeypatch.setattr(_metrics, "fetch", lambda url, timeout, username=None, password=None:
                        asked.append((url, username, password)) or "iris_cpu_usage 1\n")
    mgr = _info.InfoManager(FakeModule(gather=["metrics"], metrics_url="http://iris:52773/api/monitor/metrics",
                                       metrics_username="monitor", metrics_password="s3cret"),
                            instance=BareInstance())
    assert mgr.run()["metrics"]["samples"]["iris_cpu_usage"][0]["value"] == 1.0
    assert asked == [("http://iris:52773/api/monitor/metrics", "monitor", "s3cret")]
