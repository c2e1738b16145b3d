# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Live resource figures of an IRIS instance and the hysteresis rule that acts on them.

* ``parse(text)``: the Prometheus/OpenMetrics text of ``/api/monitor/metrics`` (iris-sources.md §2.4, S16;
  values such as ``.81`` and ``NaN`` and label sets that differ between versions, S17).
* ``fetch(url, timeout, username, password)``: GET the metrics page with ``ansible.module_utils.urls.open_url``
  (the web application is unauthenticated by default, S16; HTTP basic authentication when a user name is given).
* ``validate_metrics_url(url, option)``: a URL that carries a user name or password is refused before anything
  runs (it would show in the task's arguments): credentials go in ``metrics_username``/``metrics_password``.
* ``metrics_url_for(...)``: where that page is - the host port Docker published for the container's
  web server port 52773 (iris-sources.md §5.1, S29), or ``http://127.0.0.1:52773`` on the IRIS host itself;
  ``instance_metrics_url(instance, ...)``: the same for an ``_instance.Instance`` (over ``transport: native`` the
  container whose superserver port was looked up, else a failure that asks for the URL), or a failure with a fix.
* ``usage_from_stats(stats, nano_cpus)``: CPU and memory percentages of a container from one Docker
  stats sample (the Docker Engine API's ``/containers/{id}/stats``; iris-sources.md §2.4 recommends Docker
  stats for container pressure [inf]).
* ``decide(...)``: the pure hysteresis decision (defaults from the seed; iris-sources.md LESSONS §5.3:
  disable when CPU > 90 % or memory > 95 %, enable when CPU < 85 % and memory < 90 %).

Figures are always read live; nothing here has a built-in CPU or memory value
(iris-sources.md LESSONS §5.4: the predecessor returned constants).
"""

from __future__ import annotations

import math
import re
from urllib.error import HTTPError
from urllib.parse import urlsplit

from ansible.module_utils.urls import open_url

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import WEB_PORT
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

METRICS_PATH = "/api/monitor/metrics"  # iris-sources.md §2.4 S16
CPU_METRIC = "iris_cpu_usage"  # whole-OS CPU %, iris-sources.md §2.4 S16/S17
MEMORY_METRIC = "iris_phys_mem_percent_used"  # physical memory %, iris-sources.md §2.4 S16/S17

SOURCES = ("auto", "iris", "docker")
THRESHOLD_DEFAULTS = dict(cpu_disable=90.0, memory_disable=95.0, cpu_enable=85.0, memory_enable=90.0)

# One sample line: name, optional {labels}, value, optional timestamp (Prometheus text format 0.0.4 and
# OpenMetrics 1.0).  Values are whatever float() reads: 1, .81, 1e3, NaN, +Inf, -Inf.
_SAMPLE = re.compile(r"^(?P<name>[A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(?P<labels>.*)\})?\s+(?P<value>\S+)(?:\s+\S+)?\s*$")
_LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
_UNESCAPE = {"\\": "\\", '"': '"', "n": "\n"}


def _unescape(text):
    return re.sub(r"\\(.)", lambda match: _UNESCAPE.get(match.group(1), "\\" + match.group(1)), text)


def _labels(text):
    labels = {}
    position = 0
    text = text or ""
    while position < len(text.rstrip()):
        match = _LABEL.match(text, position)
        if not match:
            return None
        labels[match.group(1)] = _unescape(match.group(2))
        position = match.end()
    return labels


def _value(text):
    try:
        return float(text)
    except ValueError:
        return None


def parse(text):
    """Parse Prometheus/OpenMetrics text into ``{name: [{"labels": {...}, "value": float}]}``.

    Comments (``# HELP``, ``# TYPE``, ``# EOF``) and blank lines are skipped; a line that is not a
    sample (a truncated line, an unknown value) is skipped too, so one odd metric never hides the
    others.  ``NaN`` becomes ``float('nan')``; ``.81`` is 0.81 (iris-sources.md §2.4, S17).
    """
    result = {}
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            continue
        labels = _labels(match.group("labels"))
        value = _value(match.group("value"))
        if labels is None or value is None:
            continue
        result.setdefault(match.group("name"), []).append(dict(labels=labels, value=value))
    return result


def sample(metrics, name, labels=None):
    """The value of ``name`` whose labels include ``labels`` (first match), or None.

    Without ``labels`` an unlabelled sample is preferred, else the first one.
    """
    rows = metrics.get(name) or []
    wanted = labels or {}
    matching = [row for row in rows if all(row["labels"].get(k) == v for k, v in wanted.items())]
    if not labels:
        unlabelled = [row for row in matching if not row["labels"]]
        matching = unlabelled or matching
    return matching[0]["value"] if matching else None


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)?.*@", re.S)


def shown_url(url):
    """``url`` as results and messages show it: everything between the scheme and the LAST ``@`` is replaced by
    ``********`` - a user name and password, also in a URL without a scheme (``admin:pw@host:52773/x``) or with an
    unencoded ``@`` or ``/`` in the password.  An ``@`` in a path or query masks more than needed: safe, never less."""
    return _USERINFO.sub(lambda match: (match.group(1) or "") + "********@", url) if url else url


def validate_metrics_url(url, option="metrics_url", credentials_option="metrics_username/metrics_password"):
    """Refuse a metrics URL that is not http(s) or that carries a user name or password (issue 11 item 4: the URL is
    a module argument, so it shows in ``invocation.module_args``); returns ``url``."""
    if url is None:
        return None
    # Before urlsplit, which drops a line feed, carriage return or tab silently (Python 3.9.5+, bpo-43882).
    _argspec.refuse_control_characters(option, url, "give the URL on one line without control characters, for example "
                                                    "http://127.0.0.1:52773/api/monitor/metrics", shown_as=shown_url(url))
    try:
        parts = urlsplit(url)
        parts.port  # pylint: disable=pointless-statement  # raises ValueError for a port that is not a number
    except ValueError:  # its text may quote a part of the password (a port "pw/x" that is not a number): not shown
        raise IrisModuleError("%s %r is not a valid URL: its host or port cannot be read." % (option, shown_url(url)),
                              hint="give a URL such as http://127.0.0.1:52773/api/monitor/metrics")
    if "@" in (parts.netloc or ""):
        raise IrisModuleError("%s must not contain a user name or password (%s); the URL is a task argument and would "
                              "show in logs." % (option, shown_url(url)),
                              hint="use %s, and give the URL without them" % credentials_option)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IrisModuleError("%s %r is not an http:// or https:// URL with a host." % (option, shown_url(url)),
                              hint="give a URL such as http://127.0.0.1:52773/api/monitor/metrics")
    return url


def fetch(url, timeout=10, username=None, password=None):
    """GET ``url`` (the metrics page) and return its text; errors become IrisModuleError.

    With ``username``, HTTP basic authentication (``open_url`` url_username/url_password, sent at once with
    force_basic_auth): ``/api/monitor`` is unauthenticated by default (S16), but an administrator may require a login.
    Then redirects are NOT followed: ansible-core's redirect handler copies the request headers, Authorization
    included, to the new URL, which may be another host.  A redirect fails with the address it pointed to.
    """
    auth = {}
    follow = "safe"
    if username:
        auth = dict(url_username=username, url_password=password or "", force_basic_auth=True)
        follow = "none"
    try:
        response = open_url(url, method="GET", timeout=timeout, follow_redirects=follow,
                            headers={"Accept": "text/plain; version=0.0.4, application/openmetrics-text; q=0.5"}, **auth)
        data = response.read()
    except HTTPError as exc:
        if username and 300 <= exc.code < 400:
            target = (exc.headers or {}).get("Location") or exc.filename or "another address"
            raise IrisModuleError(
                "The metrics endpoint %s redirected (HTTP %d) to %s; with a user name the module does not follow "
                "redirects, so that the password is never sent to another address." % (shown_url(url), exc.code, shown_url(target)),
                hint="give the final URL of the metrics page as metrics_url (thresholds.metrics_url of iris_monitoring)",
                metrics_url=shown_url(url))
        raise _unreadable(url, exc)
    except Exception as exc:  # pylint: disable=broad-except  # open_url raises many types (URLError, OSError, ...)
        raise _unreadable(url, exc)
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return data


def _unreadable(url, exc):
    return IrisModuleError(
        "Cannot read the IRIS metrics at %s: %s." % (shown_url(url), str(exc).rstrip(".")),
        hint="check that the instance's web server is reachable from where the module runs (for a container, "
             "publish port %d - iris_container does by default), that /api/monitor is enabled (it is by default) "
             "and, if it needs a login, that the user name and password are right, or set metrics_url "
             "(thresholds.metrics_url of iris_monitoring); "
             "thresholds.source=docker reads Docker stats instead"
             % WEB_PORT, metrics_url=shown_url(url))


def _host_of_docker_url(docker_host):
    """The host name of a tcp:// or ssh:// Docker daemon URL, else None (a local socket)."""
    match = re.match(r"^(?:tcp|ssh|https?)://(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)", docker_host or "")
    return match.group(1) if match else None


def metrics_url_for(transport="docker", container_attrs=None, metrics_url=None, docker_host=None):
    """Where ``/api/monitor/metrics`` of the instance is, seen from where the module runs.

    * ``metrics_url`` wins (a full URL; a URL without a path gets ``/api/monitor/metrics``).
    * ``local``: ``http://127.0.0.1:52773/api/monitor/metrics`` (the IRIS host itself).
    * ``docker``: the host port published for container port 52773/tcp (``NetworkSettings.Ports`` of the
      container's attributes); a wildcard binding (``0.0.0.0``/``::``/empty) is reached on 127.0.0.1, or on
      the Docker daemon's host for a ``tcp://``/``ssh://`` daemon.  Returns None when the port is not published.
    """
    if metrics_url:
        if re.match(r"\Ahttps?://[^/]+/?\Z", metrics_url):
            return metrics_url.rstrip("/") + METRICS_PATH
        return metrics_url
    if transport == "local":
        return "http://127.0.0.1:%d%s" % (WEB_PORT, METRICS_PATH)
    ports = (((container_attrs or {}).get("NetworkSettings") or {}).get("Ports") or {}).get("%d/tcp" % WEB_PORT) or []
    remote = _host_of_docker_url(docker_host)
    candidates = []
    for binding in ports:
        host_port = binding.get("HostPort")
        if not host_port:
            continue
        host_ip = binding.get("HostIp") or ""
        if host_ip in ("", "0.0.0.0", "::"):
            host = remote or ("127.0.0.1" if host_ip != "::" else "[::1]")
            rank = 0 if host_ip != "::" else 1
        elif remote and host_ip in ("127.0.0.1", "::1"):
            continue  # bound to the daemon host's loopback: not reachable from here
        else:
            host = "[%s]" % host_ip if ":" in host_ip else host_ip
            rank = 0 if host_ip == "127.0.0.1" else 2
        candidates.append((rank, "http://%s:%s%s" % (host, host_port, METRICS_PATH)))
    if not candidates:
        return None
    return sorted(candidates)[0][1]


def instance_metrics_url(instance, metrics_url=None, docker_host=None, url_option="metrics_url", other_hint=""):
    """``metrics_url_for`` for an ``_instance.Instance``; IrisModuleError with a fix when no URL is known.

    Over ``transport: native`` the web port is discovered like the superserver port: from the container the module
    looked up (``instance.container``, set when O(container) named it and O(host) was not given).  For a server given
    by its host the module does not guess a URL (a remote web server can be on another port, behind a proxy, or
    off): the task must set ``url_option``."""
    if metrics_url:
        return metrics_url_for(metrics_url=metrics_url)
    kind = getattr(instance, "kind", None)
    if kind == "local":
        return metrics_url_for("local")
    container = getattr(instance, "container", None)
    if kind == "native" and container is None:
        raise IrisModuleError(
            "The metrics URL of the IRIS server at %s:%s is not known over transport native without a container."
            % (getattr(instance, "host", "?"), getattr(instance, "port", "?")),
            hint="set %s to the server's /api/monitor/metrics URL (the module does not guess where a remote "
                 "instance's web server is), or name the container (container option, host unset)%s"
                 % (url_option, other_hint))
    url = metrics_url_for("docker", getattr(container, "attrs", None), docker_host=docker_host)
    if url is None:
        raise IrisModuleError(
            "Container %s does not publish the IRIS web server port %d, so its metrics cannot be read."
            % (getattr(container, "name", None) or "?", WEB_PORT),
            hint="publish it (iris_devtools.iris.iris_container publish_web: true, the default), or set %s%s"
                 % (url_option, other_hint))
    return url


def usage_from_metrics(metrics):
    """``{"cpu": float|None, "memory": float|None}`` from parsed metrics (iris-sources.md §2.4, S16)."""
    return dict(cpu=sample(metrics, CPU_METRIC), memory=sample(metrics, MEMORY_METRIC))


def usage_from_stats(stats, nano_cpus=None):
    """``{"cpu": float|None, "memory": float|None}`` from one Docker stats sample (stream=False).

    CPU: the container's share of the CPUs it may use, in percent (0-100): the CPU time delta over the
    system delta times the online CPUs, divided by the CPU limit (``NanoCpus``) when one is set.
    Memory: usage minus the inactive page cache over the limit, in percent (what ``docker stats`` shows;
    cgroup v2 ``inactive_file``, v1 ``total_inactive_file``).  [inf: Docker Engine API stats object; the
    formulas follow the docker CLI]
    """
    stats = stats or {}
    cpu = None
    cpu_stats = stats.get("cpu_stats") or {}
    pre = stats.get("precpu_stats") or {}
    total = (cpu_stats.get("cpu_usage") or {}).get("total_usage")
    pre_total = (pre.get("cpu_usage") or {}).get("total_usage")
    system = cpu_stats.get("system_cpu_usage")
    pre_system = pre.get("system_cpu_usage")
    online = cpu_stats.get("online_cpus") or len((cpu_stats.get("cpu_usage") or {}).get("percpu_usage") or []) or 1
    if None not in (total, pre_total, system, pre_system) and system > pre_system:
        used_cpus = float(total - pre_total) / float(system - pre_system) * online
        capacity = float(online)
        if nano_cpus:
            capacity = min(capacity, nano_cpus / 1e9)
        cpu = round(max(0.0, min(100.0, 100.0 * used_cpus / capacity)), 2)
    memory = None
    mem = stats.get("memory_stats") or {}
    usage = mem.get("usage")
    limit = mem.get("limit")
    if usage is not None and limit:
        inner = mem.get("stats") or {}
        cache = inner.get("inactive_file", inner.get("total_inactive_file", 0)) or 0
        used = usage - cache if cache < usage else usage
        memory = round(max(0.0, min(100.0, 100.0 * used / float(limit))), 2)
    return dict(cpu=cpu, memory=memory)


# ---------------------------------------------------------------------------------------------
# Thresholds and the hysteresis rule
# ---------------------------------------------------------------------------------------------
def validate_thresholds(thresholds):
    """Check the four limits: each in 1-100 and each enable limit strictly below its disable limit."""
    problems = []
    for key in ("cpu_disable", "memory_disable", "cpu_enable", "memory_enable"):
        value = thresholds.get(key)
        if value is None or not 0 < float(value) <= 100:
            problems.append("thresholds.%s must be a percentage above 0 and at most 100 (got %r)" % (key, value))
    if not problems:
        for what in ("cpu", "memory"):
            if float(thresholds[what + "_enable"]) >= float(thresholds[what + "_disable"]):
                problems.append("thresholds.%s_enable (%s) must be below thresholds.%s_disable (%s), or the task would flap"
                                % (what, thresholds[what + "_enable"], what, thresholds[what + "_disable"]))
    if problems:
        raise IrisModuleError("Invalid thresholds: " + "; ".join(problems),
                              hint="use percentages such as cpu_disable=90, cpu_enable=85 (re-enable below the disable limit)")


def _known(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def decide(cpu, memory, thresholds, suspended, suspended_by_pressure):
    """The hysteresis rule; pure.  Returns ``(decision, reason)``.

    ``decision`` is ``suspend`` (pressure and the task runs), ``resume`` (recovered and the task was
    suspended because of pressure) or ``unchanged``.  Pressure: CPU above ``cpu_disable`` OR memory above
    ``memory_disable``.  Recovered: CPU below ``cpu_enable`` AND memory below ``memory_enable``.  In
    between nothing changes.  A task suspended for another reason (by hand, or ``state=suspended``) is
    never resumed here.  A figure that is unknown (None or NaN) never causes a suspension and blocks a
    resumption.
    """
    cpu_known, memory_known = _known(cpu), _known(memory)
    over = []
    if cpu_known and cpu > thresholds["cpu_disable"]:
        over.append("CPU %.1f %% > %s %%" % (cpu, thresholds["cpu_disable"]))
    if memory_known and memory > thresholds["memory_disable"]:
        over.append("memory %.1f %% > %s %%" % (memory, thresholds["memory_disable"]))
    recovered = (cpu_known and memory_known and cpu < thresholds["cpu_enable"] and memory < thresholds["memory_enable"])
    if over:
        if suspended:
            return "unchanged", "under pressure (%s); the task is already suspended" % ", ".join(over)
        return "suspend", "under pressure: %s" % ", ".join(over)
    if recovered:
        figures = "CPU %.1f %% < %s %% and memory %.1f %% < %s %%" % (cpu, thresholds["cpu_enable"], memory, thresholds["memory_enable"])
        if suspended and suspended_by_pressure:
            return "resume", "recovered: %s" % figures
        if suspended:
            return "unchanged", ("recovered (%s), but the task was suspended for another reason (by hand or state=suspended); "
                                 "it is never resumed automatically" % figures)
        return "unchanged", "no pressure: %s" % figures
    missing = [name for name, known in (("CPU", cpu_known), ("memory", memory_known)) if not known]
    if missing:
        return "unchanged", "%s not known; nothing changes" % " and ".join(missing)
    return "unchanged", ("between the limits (CPU %.1f %%, memory %.1f %%): hysteresis keeps the task %s"
                         % (cpu, memory, "suspended" if suspended else "running"))
