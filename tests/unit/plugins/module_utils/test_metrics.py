# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of _metrics: the Prometheus parser, metrics URLs, Docker stats figures, the hysteresis rule."""

from __future__ import annotations

import math

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _metrics
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

# Shaped like live captures of /api/monitor/metrics (iris-sources.md §2.4, S16/S17): values without a leading
# zero, NaN, label sets that differ between versions ({id} vs {id,dir}), escaped label values, comments.
CAPTURE_2024 = """\
# HELP iris_cpu_usage Percent of CPU usage by all processes
# TYPE iris_cpu_usage gauge
iris_cpu_pct{id="AUXWD"} 0
iris_cpu_pct{id="CSPDMN"} 0
iris_cpu_pct{id="WRTDMN"} .2
iris_cpu_usage 7
iris_csp_activity{id="127.0.0.1:52773"} 95
iris_db_free_space{id="USER"} .81
iris_db_latency{id="IRISSYS"} .106
iris_db_size_mb{id="USER",dir="/usr/irissys/mgr/user/"} 11
iris_phys_mem_percent_used 48.5
iris_wd_cycle_time NaN
iris_license_days_remaining +Inf
iris_label_escapes{id="a\\"b\\\\c",dir="x\\ny"} 1
"""

CAPTURE_2025 = """\
iris_cpu_usage 93.25 1713312000000
iris_db_free_space{id="USER",path="/durable/iris/mgr/user/"} 2.5
iris_phys_mem_percent_used 1e2
this line is not a sample
iris_broken{id="x" 3
# EOF
"""


def test_parse_values_without_leading_zero_nan_and_labels():
    metrics = _metrics.parse(CAPTURE_2024)
    assert metrics["iris_cpu_usage"] == [{"labels": {}, "value": 7.0}]
    assert metrics["iris_db_free_space"] == [{"labels": {"id": "USER"}, "value": 0.81}]
    assert metrics["iris_db_latency"][0]["value"] == pytest.approx(0.106)
    assert math.isnan(metrics["iris_wd_cycle_time"][0]["value"])
    assert math.isinf(metrics["iris_license_days_remaining"][0]["value"])
    assert metrics["iris_db_size_mb"][0]["labels"] == {"id": "USER", "dir": "/usr/irissys/mgr/user/"}
    assert metrics["iris_label_escapes"][0]["labels"] == {"id": 'a"b\\c', "dir": "x\ny"}
    assert [row["labels"]["id"] for row in metrics["iris_cpu_pct"]] == ["AUXWD", "CSPDMN", "WRTDMN"]
    assert metrics["iris_cpu_pct"][2]["value"] == pytest.approx(0.2)


def test_parse_other_label_sets_timestamps_and_junk():
    metrics = _metrics.parse(CAPTURE_2025.encode("utf-8"))
    assert metrics["iris_cpu_usage"][0]["value"] == pytest.approx(93.25)  # timestamp ignored
    assert metrics["iris_db_free_space"][0]["labels"] == {"id": "USER", "path": "/durable/iris/mgr/user/"}
    assert metrics["iris_phys_mem_percent_used"][0]["value"] == 100.0
    assert "this" not in metrics and "iris_broken" not in metrics


def test_sample_prefers_unlabelled_and_matches_labels():
    metrics = _metrics.parse(CAPTURE_2024)
    assert _metrics.sample(metrics, "iris_cpu_pct", {"id": "WRTDMN"}) == pytest.approx(0.2)
    assert _metrics.sample(metrics, "iris_cpu_pct") == 0.0
    assert _metrics.sample(metrics, "iris_missing") is None
    assert _metrics.usage_from_metrics(metrics) == {"cpu": 7.0, "memory": 48.5}
    assert _metrics.usage_from_metrics({}) == {"cpu": None, "memory": None}


def test_parse_simulator_output(tmp_path):
    """The simulator's metrics page (an independent writer, DESIGN.md Contract 5) parses and carries its load."""
    import json
    import os
    import sys
    sim_dir = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "simulator"))
    if sim_dir not in sys.path:
        sys.path.insert(0, sim_dir)
    web = pytest.importorskip("iris_sim.web")
    (tmp_path / "sim-load.json").write_text(json.dumps({"cpu": 95.5, "memory": 0.81}))
    metrics = _metrics.parse(web.metrics_text(str(tmp_path)))
    assert _metrics.usage_from_metrics(metrics) == {"cpu": 95.5, "memory": 0.81}
    assert len(metrics["iris_cpu_pct"]) > 1 and all("id" in row["labels"] for row in metrics["iris_cpu_pct"])


def test_metrics_url_for():
    attrs = {"NetworkSettings": {"Ports": {"52773/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49160"},
                                                         {"HostIp": "::", "HostPort": "49160"}],
                                           "1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49161"}]}}}
    assert _metrics.metrics_url_for("docker", attrs) == "http://127.0.0.1:49160/api/monitor/metrics"
    local = {"NetworkSettings": {"Ports": {"52773/tcp": [{"HostIp": "127.0.0.1", "HostPort": "41773"}]}}}
    assert _metrics.metrics_url_for("docker", local) == "http://127.0.0.1:41773/api/monitor/metrics"
    assert _metrics.metrics_url_for("docker", attrs, docker_host="tcp://dockerhost:2375") == \
        "http://dockerhost:49160/api/monitor/metrics"
    assert _metrics.metrics_url_for("docker", local, docker_host="tcp://dockerhost:2375") is None
    assert _metrics.metrics_url_for("docker", {"NetworkSettings": {"Ports": {"52773/tcp": None}}}) is None
    assert _metrics.metrics_url_for("docker", None) is None
    assert _metrics.metrics_url_for("local") == "http://127.0.0.1:52773/api/monitor/metrics"
    assert _metrics.metrics_url_for("docker", attrs, metrics_url="http://h:1") == "http://h:1/api/monitor/metrics"
    assert _metrics.metrics_url_for("local", metrics_url="http://h:1/custom") == "http://h:1/custom"


class _Box(object):
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


def test_instance_metrics_url_over_native_discovers_the_container_port_or_asks_for_the_url():
    """issue 13: over native the web port comes from the container the superserver port was looked up in; for a
    server given by its host the module does not guess a URL and says which option to set."""
    attrs = {"NetworkSettings": {"Ports": {"52773/tcp": [{"HostIp": "127.0.0.1", "HostPort": "41773"}],
                                           "1972/tcp": [{"HostIp": "127.0.0.1", "HostPort": "41972"}]}}}
    looked_up = _Box(kind="native", container=_Box(name="iris1", attrs=attrs), host="127.0.0.1", port=41972)
    assert _metrics.instance_metrics_url(looked_up) == "http://127.0.0.1:41773/api/monitor/metrics"
    with pytest.raises(IrisModuleError, match="Container iris1 does not publish"):  # loopback of a remote daemon
        _metrics.instance_metrics_url(looked_up, docker_host="tcp://dockerhost:2375")
    remote = _Box(kind="native", container=None, host="iris.example.com", port=1972)
    with pytest.raises(IrisModuleError) as info:
        _metrics.instance_metrics_url(remote)
    assert "iris.example.com:1972" in info.value.msg and "not known over transport native" in info.value.msg
    assert info.value.hint.startswith("set metrics_url to the server's /api/monitor/metrics URL")
    with pytest.raises(IrisModuleError) as info:
        _metrics.instance_metrics_url(remote, url_option="thresholds.metrics_url")
    assert info.value.hint.startswith("set thresholds.metrics_url ")
    assert _metrics.instance_metrics_url(remote, metrics_url="http://iris.example.com:52773") == \
        "http://iris.example.com:52773/api/monitor/metrics"
    unpublished = _Box(kind="native", container=_Box(name="iris2", attrs={"NetworkSettings": {"Ports": {}}}))
    with pytest.raises(IrisModuleError, match="Container iris2 does not publish the IRIS web server port 52773"):
        _metrics.instance_metrics_url(unpublished)
    docker = _Box(kind="docker", container=_Box(name="iris1", attrs=attrs))
    assert _metrics.instance_metrics_url(docker) == "http://127.0.0.1:41773/api/monitor/metrics"
    assert _metrics.instance_metrics_url(_Box(kind="local")) == "http://127.0.0.1:52773/api/monitor/metrics"


def _metrics_server(body, seen=None, redirect=None):
    """A real HTTP server on 127.0.0.1 that answers every GET with ``body`` (the Authorization headers go to ``seen``),
    or with a 302 to ``redirect``."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            if seen is not None:
                seen.append(self.headers.get("Authorization"))
            if redirect is not None:
                self.send_response(302)
                self.send_header("Location", redirect)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            return

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.daemon = True
    thread.start()
    return server, "http://127.0.0.1:%d/api/monitor/metrics" % server.server_address[1]


def _stop(server):
    server.shutdown()
    server.server_close()


def test_fetch_reads_a_real_http_server_and_fails_clearly():
    server, url = _metrics_server(CAPTURE_2024)
    try:
        assert _metrics.usage_from_metrics(_metrics.parse(_metrics.fetch(url, 5))) == {"cpu": 7.0, "memory": 48.5}
    finally:
        _stop(server)
    with pytest.raises(IrisModuleError) as info:
        _metrics.fetch(url, 2)
    assert "Cannot read the IRIS metrics" in info.value.msg and "metrics_url" in info.value.hint


def _stats(cpu_delta, system_delta, online=2, usage=600, limit=1000, inactive=100, v1=False):
    mem_stats = {"total_inactive_file": inactive} if v1 else {"inactive_file": inactive}
    return {"cpu_stats": {"cpu_usage": {"total_usage": 1000 + cpu_delta}, "system_cpu_usage": 50000 + system_delta,
                          "online_cpus": online},
            "precpu_stats": {"cpu_usage": {"total_usage": 1000}, "system_cpu_usage": 50000},
            "memory_stats": {"usage": usage, "limit": limit, "stats": mem_stats}}


def test_usage_from_stats():
    # 1 of 2 CPUs busy -> 50 % of the host; with a 1-CPU limit -> 100 % of what it may use.
    assert _metrics.usage_from_stats(_stats(500, 1000)) == {"cpu": 50.0, "memory": 50.0}
    assert _metrics.usage_from_stats(_stats(500, 1000), nano_cpus=1000000000)["cpu"] == 100.0
    assert _metrics.usage_from_stats(_stats(500, 1000, v1=True))["memory"] == 50.0
    # No previous sample (first reading): CPU unknown, memory still known.
    stats = _stats(500, 1000)
    stats["precpu_stats"] = {}
    assert _metrics.usage_from_stats(stats) == {"cpu": None, "memory": 50.0}
    assert _metrics.usage_from_stats({}) == {"cpu": None, "memory": None}


T = dict(_metrics.THRESHOLD_DEFAULTS)


@pytest.mark.parametrize("cpu, memory, suspended, by_pressure, decision", [
    # pressure -> suspend (either figure suffices)
    (95, 40, False, False, "suspend"),
    (10, 96, False, False, "suspend"),
    (90.5, 95.5, False, False, "suspend"),
    # pressure while already suspended -> unchanged
    (95, 40, True, True, "unchanged"),
    (95, 40, True, False, "unchanged"),
    # recovery (both below the enable limits) -> resume only a pressure suspension
    (10, 40, True, True, "resume"),
    (84.9, 89.9, True, True, "resume"),
    (10, 40, True, False, "unchanged"),     # suspended by hand: never auto-resumed
    (10, 40, False, False, "unchanged"),    # running and fine
    # in between (hysteresis band) -> unchanged either way
    (87, 40, True, True, "unchanged"),
    (87, 40, False, False, "unchanged"),
    (10, 92, True, True, "unchanged"),
    (90, 95, False, False, "unchanged"),    # at the limit is not above it
    (85, 40, True, True, "unchanged"),      # at the enable limit is not below it
    # unknown figures never suspend and never resume
    (None, 40, True, True, "unchanged"),
    (float("nan"), 40, False, False, "unchanged"),
    (None, 99, False, False, "suspend"),    # memory alone is enough for pressure
])
def test_hysteresis_table(cpu, memory, suspended, by_pressure, decision):
    got, reason = _metrics.decide(cpu, memory, T, suspended, by_pressure)
    assert got == decision, reason
    assert reason


def test_decide_reasons():
    assert "CPU 95.0 % > 90" in _metrics.decide(95, 40, T, False, False)[1]
    assert "never resumed" in _metrics.decide(10, 40, T, True, False)[1]
    assert "between" in _metrics.decide(87, 40, T, True, True)[1]


def test_validate_thresholds():
    _metrics.validate_thresholds(T)
    with pytest.raises(IrisModuleError, match="cpu_enable .* must be below"):
        _metrics.validate_thresholds(dict(T, cpu_enable=95))
    with pytest.raises(IrisModuleError, match="memory_disable must be a percentage"):
        _metrics.validate_thresholds(dict(T, memory_disable=150))


@pytest.mark.parametrize("url, shown", [
    ("http://user:s3cret@iris:52773/api/monitor/metrics", "http://********@iris:52773/api/monitor/metrics"),
    ("https://token@iris/api/monitor/metrics", "https://********@iris/api/monitor/metrics"),
    ("http://127.0.0.1:32768/api/monitor/metrics", "http://127.0.0.1:32768/api/monitor/metrics"),
    ("http://iris/api/monitor/metrics?x=a@b", "http://********@b"),  # over-masked: safe
    ("admin:Canary-9x@iris:52773/x", "********@iris:52773/x"),  # no scheme
    ("http://u:Canary@9x@iris/x", "http://********@iris/x"),  # unencoded @ in the password
    ("http://u:Canary/9x@iris/x", "http://********@iris/x"),  # unencoded / in the password
    (None, None),
])
def test_shown_url_hides_credentials(url, shown):
    assert _metrics.shown_url(url) == shown


def test_fetch_failure_never_shows_the_password():
    with pytest.raises(IrisModuleError) as info:
        _metrics.fetch("http://user:s3cret@127.0.0.1:9/api/monitor/metrics", timeout=2)
    assert "s3cret" not in info.value.msg and "s3cret" not in str(info.value.details)


# -- issue 11 item 4: credentials never inside the URL ------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://user:s3cret@iris:52773/api/monitor/metrics", "https://token@iris/api/monitor/metrics",
                                 "http://:s3cret@iris/api/monitor/metrics"])
def test_validate_metrics_url_refuses_credentials(url):
    with pytest.raises(IrisModuleError) as info:
        _metrics.validate_metrics_url(url)
    text = info.value.as_result()["msg"]
    assert "must not contain a user name or password" in text and "Fix: use metrics_username/metrics_password" in text
    assert "s3cret" not in text and "token" not in text


@pytest.mark.parametrize("url", ["ftp://iris/metrics", "iris:52773/api/monitor/metrics", "http:///x", "http://iris:port/x"])
def test_validate_metrics_url_refuses_what_is_not_an_http_url(url):
    with pytest.raises(IrisModuleError):
        _metrics.validate_metrics_url(url)


# urlsplit drops a line feed, carriage return or tab silently: the URL checked was not the URL used.
@pytest.mark.parametrize("url, shown", [("http://iris:52773/api/monitor/metrics\n", "U+000A (line feed)"),
                                        ("http://ir\nis:52773/x", "U+000A (line feed)"),
                                        ("http://iris\x00:52773/x", "U+0000 (NUL)"),
                                        ("http://a:Canary\r@iris/x", "U+000D (carriage return)")])
def test_validate_metrics_url_refuses_control_characters(url, shown):
    with pytest.raises(IrisModuleError) as info:
        _metrics.validate_metrics_url(url)
    assert "is not valid: it contains a control character, %s" % shown in info.value.msg and info.value.hint
    assert "Canary" not in str(info.value.as_result())


def test_validate_metrics_url_accepts_plain_urls():
    for url in ("http://127.0.0.1:32768/api/monitor/metrics", "https://iris.example/api/monitor/metrics?x=a@b", None):
        assert _metrics.validate_metrics_url(url) == url


def test_fetch_sends_basic_auth_from_the_username_and_password_options():
    import base64
    seen = []
    server, url = _metrics_server("iris_cpu_usage 3\n", seen)
    try:
        assert "iris_cpu_usage 3" in _metrics.fetch(url, 5, "monitor", "s3cret")
        assert "iris_cpu_usage 3" in _metrics.fetch(url, 5)
    finally:
        _stop(server)
    assert seen == ["Basic " + base64.b64encode(b"monitor:s3cret").decode("ascii"), None]


@pytest.mark.parametrize("url", ["admin:Canary-9x@iris:52773/api/monitor/metrics", "ftp://admin:Canary-9x@iris/x",
                                 "http://admin:Canary/9x@iris/x"])
def test_validate_metrics_url_never_echoes_credentials(url):
    with pytest.raises(IrisModuleError) as info:
        _metrics.validate_metrics_url(url)
    assert "Canary" not in str(info.value.as_result())


def test_fetch_with_a_password_never_follows_a_redirect_to_another_address():
    seen = []
    other, other_url = _metrics_server("iris_cpu_usage 3\n", seen)
    redirector, url = _metrics_server("", redirect=other_url)
    try:
        with pytest.raises(IrisModuleError) as info:
            _metrics.fetch(url, 5, "monitor", "Canary-s3cret")
        # without a user name a redirect is still followed (nothing secret is sent)
        assert "iris_cpu_usage 3" in _metrics.fetch(url, 5)
    finally:
        _stop(redirector)
        _stop(other)
    assert seen == [None]  # the Authorization header never reached the other port
    text = info.value.as_result()["msg"]
    assert "redirected (HTTP 302) to %s" % other_url in text and "Fix: give the final URL" in text
    assert "Canary" not in str(info.value.as_result())
