# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The manager behind ``iris_devtools.iris.iris_info``: read-only facts about one IRIS instance.

* Every section that needs IRIS is read by ONE program, so a run opens at most one IRIS session
  whatever it gathers (none at all when only ``metrics`` is asked for).  The program holds only the
  steps of the sections asked for.
* ``version``: ``$ZVERSION`` (the ``ping`` template) parsed by ``parse_version``.
* ``state``: the kind of instance, the container's Docker state (read from its inspect data) and whether a session works.
* ``namespaces`` / ``databases``: the ``info_*`` templates of ``_objectscript.py`` (iris-sources.md §3.1-§3.3).
* ``tasks`` / ``monitoring``: the read steps of ``_task.py`` / ``_monitoring_records.py`` (imported at the top: every section is always there).
* ``tables``: the user tables of one namespace (``tables_namespace``, default ``namespace``) with their row
  counts: the ``info_tables_limit`` guard (at most ``TABLES_LIMIT`` tables) then the ``fixture_tables`` template
  that iris_fixture uses for the same job (INFORMATION_SCHEMA.TABLES BASE TABLEs, audit A21; SELECT COUNT(*) per
  table, audit D13), in the same session, after the %SYS sections.
* ``metrics``: ``/api/monitor/metrics`` over HTTP (``_metrics.py``; iris-sources.md §2.4 S16), no session.
* ``query``: a JMESPath expression applied to the facts (``query_result``).
"""

from __future__ import annotations

import math
import re
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.iris_devtools.iris.plugins.module_utils import _metrics, _monitoring_records, _task
from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import validate_namespace
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import (
    DEFAULT_NAMESPACE,
    DEFAULT_TIMEOUT,
    SYS_NAMESPACE,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program, int_or_none

try:
    import jmespath
    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None
except ImportError:
    jmespath = None
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()

# Config.* and SYS.Database run in %SYS (iris-sources.md §0.2): _constants.SYS_NAMESPACE.

# Sections in the order they are returned, and the result key of each.
SECTIONS = ("version", "state", "namespaces", "databases", "tasks", "monitoring", "tables", "metrics")
RESULT_KEYS = {"version": "version", "state": "instance_state", "namespaces": "namespaces", "databases": "databases",
               "tasks": "tasks", "monitoring": "monitoring", "tables": "tables", "metrics": "metrics"}
# What gather defaults to: everything one IRIS session can read.  ``metrics`` needs the web server
# (an HTTP request and a published port), so it is only read when asked for; ``tables`` counts rows (a full scan per
# table), so it is only read when asked for too.
DEFAULT_GATHER = ("version", "state", "namespaces", "databases", "tasks", "monitoring")
# Program result keys of the sections (``ping`` writes "version" and "namespace" itself).
_KEY_NAMESPACES = "namespaces"
_KEY_DATABASES = "databases"
_KEY_TASKS = "tasks"
_KEY_MONITORING = "monitoring"
_KEY_TABLES = "tables"
_KEY_TABLE_COUNT = "table_count"
# At most this many tables are counted (one SELECT COUNT(*) each, in one session); a namespace with more fails
# before any table is counted.  Documented in iris_info's tables_namespace option.
TABLES_LIMIT = 500


# --------------------------------------------------------------------------------------------
# $ZVERSION
# --------------------------------------------------------------------------------------------
# Shape: "<product> for <os> (<platform>) <year.release[.maint]>[suffix] (Build <build>) <build date>", e.g.
#   IRIS for UNIX (Ubuntu Server LTS for ARM64 Containers) 2023.2 (Build 227U) Mon Jul 31 2023 17:43:25 EDT
# (iris-sources.md S29, testcontainers-iris-python docstring; more real strings in tests/unit/.../test_info.py).
# The field layout is our reading of those strings [inf]; anything that does not match is returned unparsed.
_ZV = re.compile(
    r"^\s*(?P<product>\S.*?) for (?P<os>[^()]+?) \((?P<platform>[^()]*)\) "
    r"(?P<version>\d{4}\.\d+(?:\.\d+)*)(?P<suffix>[A-Za-z][A-Za-z0-9]*)?"
    r"(?: \(Build (?P<build>[^()]*)\))?(?:\s+(?P<build_date>.*?))?\s*$")


def parse_version(zv):
    """``$ZVERSION`` text -> dict (``zv`` always; the other keys None when the text has another shape)."""
    text = (zv or "").strip()
    info = dict(zv=text, product=None, os=None, platform=None, version=None, version_info=None, suffix=None,
                build=None, build_number=None, build_date=None, container=None)
    match = _ZV.match(text)
    if not match:
        return info
    info.update(match.groupdict())
    info["version_info"] = [int(part) for part in info["version"].split(".")]
    if info["build"]:
        digits = re.match(r"\d+", info["build"])
        info["build_number"] = int(digits.group(0)) if digits else None
    info["container"] = "container" in info["platform"].lower()
    info["build_date"] = info["build_date"] or None
    return info


# --------------------------------------------------------------------------------------------
# Program building and result conversion
# --------------------------------------------------------------------------------------------

def needs_session(sections):
    return any(section in sections for section in ("version", "state", "namespaces", "databases", "tasks", "monitoring", "tables"))


def build_program(sections, tables_namespace=DEFAULT_NAMESPACE):
    """The one program that reads ``sections`` (None when no section needs IRIS).

    ``tables`` runs last: it switches to ``tables_namespace`` after every %SYS section."""
    if not needs_session(sections):
        return None
    program = Program()
    if "version" in sections or "state" in sections:
        # Before switching: the session's own namespace proves it works (iris-sources.md §4.1 S29/S32).
        program.add("ping")
    program.add("namespace", namespace=SYS_NAMESPACE)
    if "namespaces" in sections:
        program.add("info_namespaces", key=_KEY_NAMESPACES)
    if "databases" in sections:
        program.add("info_databases", key=_KEY_DATABASES)
    if "tasks" in sections:
        _task.add_read_all(program, _KEY_TASKS)
    if "monitoring" in sections:
        _monitoring_records.add_read_info(program, _KEY_MONITORING)
    if "tables" in sections:
        program.add("namespace", namespace=tables_namespace)
        program.add("info_tables_limit", key=_KEY_TABLE_COUNT, limit=TABLES_LIMIT)
        program.add("fixture_tables", key=_KEY_TABLES)
    return program


def _bool(value):
    if value in (None, ""):
        return None
    try:
        return bool(int(value))
    except (TypeError, ValueError):
        return str(value).lower() in ("true", "yes")


def _text(value):
    return None if value in (None, "") else str(value)


# Config.Namespaces Get array -> our keys (iris-sources.md §3.3 S9).
_NAMESPACE_PROPS = (("Globals", "globals"), ("Routines", "routines"), ("Library", "library"), ("TempGlobals", "temp_globals"))


def _rows_from(result, key, build, sort_key=lambda item: str(item["name"])):
    """The rows of section ``key``: ``build(row)`` for each raw row, the row's ``error`` kept unless ``build`` set
    a more precise one, sorted by ``sort_key``."""
    rows = []
    for row in result.get(key) or []:
        item = build(row)
        if row.get("error"):
            item.setdefault("error", _text(row["error"]))
        rows.append(item)
    return sorted(rows, key=sort_key)


def _namespace_row(row):
    props = row.get("props") or {}
    item = dict(name=row.get("name"))
    for prop, name in _NAMESPACE_PROPS:
        item[name] = _text(props.get(prop))
    return item


def namespaces_from(result, key=_KEY_NAMESPACES):
    return _rows_from(result, key, _namespace_row)


def _database_row(row):
    props = row.get("props") or {}
    physical = row.get("physical")
    item = dict(
        name=row.get("name"),
        directory=_text(props.get("Directory")),        # S20
        server=_text(props.get("Server")),              # S20/S9: remote database
        mount_required=_bool(props.get("MountRequired")),
        mount_at_startup=_bool(props.get("MountAtStartup")),
        resource=None,  # iris-sources.md IRISREF24: Config.Databases has no resource; SYS.Database.ResourceName (S19)
        file_exists=physical is not None,
        mounted=None, read_only=None, read_only_mounted=None, size_mb=None, max_size_mb=None,
        expansion_size_mb=None, block_size=None,
    )
    if physical is not None:                            # S19 (Size/MaxSize/ExpansionSize in MB: S9)
        item.update(mounted=_bool(physical.get("Mounted")), read_only=_bool(physical.get("ReadOnly")),
                    read_only_mounted=_bool(physical.get("ReadOnlyMounted")), size_mb=int_or_none(physical.get("Size")),
                    max_size_mb=int_or_none(physical.get("MaxSize")), expansion_size_mb=int_or_none(physical.get("ExpansionSize")),
                    block_size=int_or_none(physical.get("BlockSize")))
        item["resource"] = _text(physical.get("ResourceName"))
    if row.get("physical_error"):
        item["error"] = row["physical_error"]
    return item


def databases_from(result, key=_KEY_DATABASES):
    return _rows_from(result, key, _database_row)


def _table_row(row):
    schema, _dot, table = str(row.get("name") or "").partition(".")
    return dict(schema=schema, name=table, rows=int_or_none(row.get("row_count")))


def tables_from(result, key=_KEY_TABLES):
    """``fixture_tables`` rows (``name`` "SCHEMA.TABLE", ``row_count`` or ``error``) -> [{schema, name, rows[, error]}]."""
    return _rows_from(result, key, _table_row, sort_key=lambda item: (item["schema"], item["name"]))


def container_state(container):
    """Docker facts of the container (docker transport), read from its inspect data (Docker Engine API
    ``ContainerInspect``: ``Name`` with its leading ``/``, ``Id``, ``Config.Image``, ``State``)."""
    if container is None:
        return None
    attrs = getattr(container, "attrs", None) or {}
    state = attrs.get("State") or {}
    return dict(name=(attrs.get("Name") or "").lstrip("/") or getattr(container, "name", None), id=attrs.get("Id"),
                image=(attrs.get("Config") or {}).get("Image"), status=state.get("Status"),
                running=bool(state.get("Running")), health=(state.get("Health") or {}).get("Status"),
                started_at=state.get("StartedAt"))


def _clean_number(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None  # NaN/Inf (iris-sources.md §2.4: the parser must accept NaN) are not JSON
    return value


def clean_metrics(parsed):
    out = {}
    for name, samples in (parsed or {}).items():
        out[name] = [dict(labels=dict(sample.get("labels") or {}), value=_clean_number(sample.get("value")))
                     for sample in samples]
    return out


# --------------------------------------------------------------------------------------------
# JMESPath
# --------------------------------------------------------------------------------------------

def compile_query(expression):
    """Compile ``expression``; IrisModuleError if jmespath is missing or the expression is invalid."""
    if not HAS_JMESPATH:
        raise IrisModuleError(missing_required_lib("jmespath"),
                              hint="install jmespath ('pip install jmespath') in the Python that runs the module, or drop the query option",
                              exception=JMESPATH_IMPORT_ERROR)
    try:
        return jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        raise IrisModuleError("query is not a valid JMESPath expression: %s" % (str(exc).strip() or exc.__class__.__name__),
                              hint="fix the expression (https://jmespath.org/specification.html); quote keys that are not plain "
                                   "identifiers with double quotes and string literals with single quotes or backticks")


def apply_query(compiled, facts):
    try:
        return compiled.search(facts)
    except jmespath.exceptions.JMESPathError as exc:
        raise IrisModuleError("query failed on the gathered facts: %s" % (str(exc).strip() or exc.__class__.__name__),
                              hint="check the types the expression expects against the returned facts (run once without query)")


# --------------------------------------------------------------------------------------------
# The manager
# --------------------------------------------------------------------------------------------

class InfoManager(BaseManager):
    """``InfoManager(module).run() -> result``.  ``instance`` (``BaseManager``) and ``metrics_fetch(url, timeout)`` are
    injectable for tests."""

    def __init__(self, module, instance=None, metrics_fetch=None):
        super(InfoManager, self).__init__(module, instance=instance)
        self.metrics_fetch = metrics_fetch
        # Read-only: a failure reports what was gathered (the state section), never actions.
        self.fail_results = {}

    def _sections(self):
        """The sections to gather, in SECTIONS order (the argspec's choices checked each name)."""
        wanted = self.params.get("gather")
        if wanted is None:
            wanted = DEFAULT_GATHER
        if not wanted:
            raise IrisModuleError("gather is empty, so there is nothing to read.",
                                  hint="list at least one section (%s), or omit gather for the default" % ", ".join(SECTIONS))
        return [name for name in SECTIONS if name in wanted]

    def run(self):
        params = self.params
        sections = self._sections()
        compiled = compile_query(params["query"]) if params.get("query") else None
        if params.get("metrics_url"):
            # Issue 11 item 4: credentials never inside the URL (a task argument); metrics_username/password instead.
            _metrics.validate_metrics_url(params.get("metrics_url"))
        tables_namespace = self._tables_namespace(sections)
        program = build_program(sections, tables_namespace)
        # The instance is reached only when a section needs it: a session, the container's state, or the published
        # web port the metrics are read from (no metrics_url).  Its kind tells what the state section can show.
        uses_instance = program is not None or "state" in sections or ("metrics" in sections and not params.get("metrics_url"))
        instance = self.instance if uses_instance else None
        container = instance.container if instance is not None and instance.kind == "docker" else None

        facts = {}
        state = None
        if "state" in sections:
            state = dict(transport=instance.kind, instance=params.get("instance"),
                         container=container_state(container), session=dict(ok=False, namespace=None))
            self.fail_results[RESULT_KEYS["state"]] = state
        result = self._run(instance.transport(), program, tables_namespace) if program is not None else {}

        if "version" in sections:
            facts["version"] = parse_version(result.get("version"))
        if state is not None:
            state["session"] = dict(ok=True, namespace=result.get("namespace"))
            facts["instance_state"] = state
        if "namespaces" in sections:
            facts["namespaces"] = namespaces_from(result)
        if "databases" in sections:
            facts["databases"] = databases_from(result)
        if "tasks" in sections:
            facts["tasks"] = _task.all_from(result, _KEY_TASKS)
        if "monitoring" in sections:
            facts["monitoring"] = _monitoring_records.info_from(result, _KEY_MONITORING)
        if "tables" in sections:
            facts["tables"] = tables_from(result)
        if "metrics" in sections:
            facts["metrics"] = self._metrics(instance, container)

        out = dict(changed=False, gathered=sections, iris_sessions=self.sessions)
        out.update(facts)
        if compiled is not None:
            out["query_result"] = apply_query(compiled, facts)
        return out

    def _tables_namespace(self, sections):
        """O(tables_namespace) (default O(namespace)), checked like every namespace before anything runs."""
        if "tables" not in sections:
            return None
        option = "tables_namespace" if self.params.get("tables_namespace") is not None else "namespace"
        value = self.params.get(option) or DEFAULT_NAMESPACE
        validate_namespace(value, option)
        return value

    def _run(self, transport, program, tables_namespace):
        try:
            return transport.run(program)
        except IrisModuleError as exc:
            step = exc.details.get("iris_step")
            if tables_namespace is None:
                raise
            if step == "info_tables_limit" and exc.details.get("iris_error_data"):
                raise IrisModuleError("Cannot count the tables of namespace %s: it has more than %d tables." % (tables_namespace, TABLES_LIMIT),
                                      hint="gather tables of a namespace with fewer tables, or count the tables you need with "
                                           "your own SQL (iris_info counts at most %d)" % TABLES_LIMIT, **exc.details)
            if step == "namespace" and exc.details.get("iris_error") == "<NAMESPACE>":
                raise IrisModuleError("Namespace %s does not exist in the instance, so its tables cannot be counted." % tables_namespace,
                                      hint="check tables_namespace (or namespace); gather namespaces lists the existing ones",
                                      **exc.details)
            raise

    def _metrics_url(self, instance, container):
        params = self.params
        return _metrics.instance_metrics_url(instance, params.get("metrics_url"), params.get("docker_host"))

    def _metrics(self, instance, container):
        url = self._metrics_url(instance, container)
        timeout = self.params.get("timeout") or DEFAULT_TIMEOUT
        if self.metrics_fetch is not None:
            text = self.metrics_fetch(url, timeout)
        else:
            text = _metrics.fetch(url, timeout, self.params.get("metrics_username"), self.params.get("metrics_password"))
        return dict(url=_metrics.shown_url(url), samples=clean_metrics(_metrics.parse(text)))
