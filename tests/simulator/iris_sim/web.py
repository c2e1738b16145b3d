# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Network side of the simulator (DESIGN.md Contract 5).  It is NOT IRIS.

- HTTP on 52773 (the private web server of Community images, iris-sources.md §5.1, S29):
  ``/api/monitor/metrics`` in Prometheus text with the metric names of iris-sources.md §2.4 (S16, S17),
  ``/api/monitor/alerts`` (``[]``; S16), and a stub Management Portal page.  The simulated load comes
  from ``<mgr>/sim-load.json``, written by ``iris-sim load`` (defaults: cpu 5 %, memory 20 %).
- TCP on 1972: the superserver (``iris_sim.superserver``, iris-sources.md WIRE): the protocol the
  intersystems-irispython client speaks (login, DB-API, Native API); TLS when ``IRIS_SIM_SSLDEFS`` names an
  SSLDefs.ini file (section ``IRIS_SIM_SSLCONFIG``, default ``superserver``, with ``CertFile``/``KeyFile``).
  What it does not model is refused loudly and logged in messages.log.

Knobs (for tests on a host): IRIS_SIM_BIND (default 0.0.0.0), IRIS_SIM_WEB_PORT (52773),
IRIS_SIM_SUPERSERVER_PORT (1972); port 0 picks a free port.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from iris_sim import main as _main

DEFAULT_LOAD = {"cpu": 5.0, "memory": 20.0}


def read_load(mgr: str) -> dict:
    load = dict(DEFAULT_LOAD)
    load.update(_main.read_json(os.path.join(mgr, _main.LOAD_FILE)))
    return load


def _fmt(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        text = ("%.3f" % value).rstrip("0").rstrip(".")
        return text or "0"
    return str(value)


def _labels(**labels) -> str:
    if not labels:
        return ""
    return "{%s}" % ",".join('%s="%s"' % (k, str(v).replace("\\", "\\\\").replace('"', '\\"'))
                             for k, v in labels.items())


def database_rows(mgr: str) -> list[tuple[str, str]]:
    """(name, directory) of the databases configured in ``<mgr>/iris.cpf`` (read without the
    session lock: the CPF is replaced atomically enough for a metrics scrape)."""
    rows: list[tuple[str, str]] = []
    try:
        from iris_sim import cpf, instance
        conf = cpf.Cpf.read(os.path.join(mgr, cpf.CPF_NAME))
        for name, props in conf.databases().items():
            directory = instance.norm_dir(props.get("Directory", ""), mgr)
            if directory:
                rows.append((str(name), directory.rstrip("/") + "/"))
    except Exception:  # no CPF yet: the default layout
        rows = []
    if not rows:
        rows = [("IRISSYS", mgr.rstrip("/") + "/"), ("USER", os.path.join(mgr, "user") + "/")]
    return rows


def _db_size_mb(directory: str) -> float:
    try:
        return round(os.path.getsize(os.path.join(directory, "IRIS.DAT")) / 1048576.0, 3)
    except OSError:
        return 0.0


def _disk_percent(directory: str, load: dict) -> float:
    if "disk" in load:
        return float(load["disk"])
    try:
        usage = shutil.disk_usage(directory)
        return round(100.0 * usage.used / usage.total, 2) if usage.total else 0.0
    except OSError:
        return 0.0


def metrics_text(mgr: str) -> str:
    """Prometheus text of /api/monitor/metrics (names: iris-sources.md §2.4, S16/S17).  Values are the
    simulated load (``iris-sim load``) or plausible constants; ``set`` in the load file overrides any
    unlabelled metric."""
    load = read_load(mgr)
    state = _main.read_state(mgr)
    system_state = _main.effective_system_state(state, mgr)
    license_pct = float(load.get("license", 10.0))
    try:
        processes = int(load.get("processes", sum(1 for p in os.listdir("/proc") if p.isdigit())))
    except OSError:
        processes = 1
    values = {
        "iris_cpu_usage": float(load["cpu"]),
        "iris_phys_mem_percent_used": float(load["memory"]),
        "iris_page_space_percent_used": float(load.get("page_space", 0.0)),
        "iris_process_count": processes,
        "iris_system_state": system_state,
        "iris_system_alerts": int(load.get("alerts", 1 if system_state == 2 else 0)),
        "iris_license_percent_used": license_pct,
        "iris_license_available": 5 - int(round(license_pct / 20.0)),
        "iris_license_consumed": int(round(license_pct / 20.0)),
        "iris_license_days_remaining": int(load.get("license_days", 365)),
        "iris_glo_ref_per_sec": float(load.get("glo_ref", 12.0)),
        "iris_glo_seize_per_sec": 0.0,
        "iris_phys_reads_per_sec": 0.0,
        "iris_phys_writes_per_sec": 0.0,
        "iris_cache_efficiency": 1500.0,
        "iris_wd_cycle_time": 0.0,
        "iris_smh_total": 5120,
        "iris_smh_total_percent_full": 12.0,
        "iris_trans_open_count": 0,
        "iris_trans_open_secs": 0.0,
        "iris_trans_open_secs_max": 0.0,
        "iris_jrn_size": 1,
    }
    for key, value in (load.get("set") or {}).items():
        values[str(key)] = value
    lines = ["%s %s" % (name, _fmt(value)) for name, value in values.items()]
    for daemon in ("CSPDMN", "CSPSRV", "ECPWorker", "GARCOL", "JRNDMN", "LICENSESRV", "WDSLAVE", "WRTDMN"):
        lines.append("iris_cpu_pct%s %s" % (_labels(id=daemon), _fmt(0)))
    for name, directory in database_rows(mgr):
        size = _db_size_mb(directory)
        lines.append("iris_db_size_mb%s %s" % (_labels(id=name, dir=directory), _fmt(size)))
        lines.append("iris_db_max_size_mb%s %s" % (_labels(id=name, dir=directory), _fmt(0)))
        lines.append("iris_db_free_space%s %s" % (_labels(id=name, dir=directory), _fmt(round(size * 0.1, 3))))
        lines.append("iris_db_latency%s %s" % (_labels(id=name, dir=directory), _fmt(0.1)))
        lines.append("iris_disk_percent_full%s %s" % (_labels(id=name, dir=directory),
                                                      _fmt(_disk_percent(directory, load))))
        lines.append("iris_directory_space%s %s" % (_labels(id=name, dir=directory), _fmt(1024.0)))
    lines.append("iris_db_expansion_size_mb %s" % _fmt(0))
    lines.append("iris_jrn_free_space%s %s" % (_labels(id="WIJ", dir=mgr.rstrip("/") + "/"), _fmt(1024.0)))
    lines.append("iris_sql_queries_per_second%s %s" % (_labels(id="all"), _fmt(0)))
    return "\n".join(lines) + "\n"


PORTAL_PAGE = ("<html><head><title>IRIS simulator (not IRIS)</title></head><body>"
               "<p>This is the IRIS simulator of iris_devtools.iris. It is NOT InterSystems IRIS "
               "and has no Management Portal.</p></body></html>\n")


def make_handler(mgr: str):
    class Handler(BaseHTTPRequestHandler):
        server_version = "IRIS-simulator"
        sys_version = ""

        def _send(self, code: int, body: str, ctype: str) -> None:
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self):  # noqa: N802 - http.server API
            path = self.path.split("?", 1)[0]
            if path == "/api/monitor/metrics":
                self._send(200, metrics_text(mgr), "text/plain; version=0.0.4; charset=utf-8")
            elif path == "/api/monitor/alerts":
                self._send(200, json.dumps([]), "application/json")
            elif path.startswith("/csp/sys/"):
                self._send(200, PORTAL_PAGE, "text/html; charset=utf-8")
            else:
                self._send(404, "Not Found\n", "text/plain; charset=utf-8")

        do_HEAD = do_GET

        def log_message(self, format, *args):  # noqa: A002 - keep the container log quiet
            return

    return Handler


class Servers:
    """The running web server and superserver."""

    def __init__(self, mgr: str, bind: str, web_port: int, ss_port: int):
        self._stop = threading.Event()
        self.http = ThreadingHTTPServer((bind, web_port), make_handler(mgr))
        self.http.daemon_threads = True
        try:
            from iris_sim.superserver import start_from_env  # pylint: disable=import-outside-toplevel
            self.ss = start_from_env(mgr, bind, ss_port,
                                     lambda text, severity=0: _main.log_message(text, severity, "Superserver", mgr=mgr))
        except (OSError, ValueError):
            self.http.server_close()
            raise
        self.web_port = self.http.server_address[1]
        self.ss_port = self.ss.port
        self._threads = [
            threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.2},
                             name="web", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.http.shutdown()
        self.http.server_close()
        self.ss.stop()
        for thread in self._threads:
            thread.join(2)


def start_servers(mgr: str, bind: str | None = None, web_port: int | None = None,
                  ss_port: int | None = None) -> Servers:
    bind = bind if bind is not None else os.environ.get("IRIS_SIM_BIND", "0.0.0.0")
    web_port = web_port if web_port is not None else int(os.environ.get("IRIS_SIM_WEB_PORT", "52773"))
    ss_port = ss_port if ss_port is not None else int(os.environ.get("IRIS_SIM_SUPERSERVER_PORT", "1972"))
    last = None
    for dummy in range(10):  # a port still held by a just-stopped server frees within a moment
        try:
            return Servers(mgr, bind, web_port, ss_port)
        except OSError as exc:
            last = exc
            time.sleep(0.2)
    raise last
