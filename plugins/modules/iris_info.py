#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_info
short_description: Read facts about an InterSystems IRIS instance, optionally filtered with a JMESPath query
version_added: 0.1.0
description:
  - Returns read-only facts about one IRIS instance - its version, its state, namespaces, databases, Task Manager tasks,
    C(^SystemPerformance) profiles and runs, the tables of a namespace with their row counts, and the metrics of its
    C(/api/monitor/metrics) endpoint.
  - O(gather) chooses the sections. Everything that is read inside IRIS is read by one program in B(one) C(iris session),
    whatever is gathered, and the program holds only the steps of the sections asked for.
  - O(query) applies a JMESPath expression to the facts and returns its value as RV(query_result), so playbooks need no
    extra collection for C(json_query).
  - The module never changes anything, so check mode returns the same facts as a normal run.
author:
  - IRIS DevTools contributors (!UNKNOWN)
extends_documentation_fragment:
  - iris_devtools.iris._iris
  - iris_devtools.iris._iris.connection
  - iris_devtools.iris._attributes
  - iris_devtools.iris._attributes.actiongroup_iris
  - iris_devtools.iris._attributes.info_module
  - iris_devtools.iris._attributes.idempotent_not_modify_state
options:
  gather:
    description:
      - The sections to read.
      - V(version) - the C($ZVERSION) text and its parts (RV(version)).
      - V(state) - whether a session in O(namespace) works, and with O(transport=docker) the container's Docker status and
        health (RV(instance_state)).
      - V(namespaces) - every namespace with its globals and routines databases (RV(namespaces)).
      - V(databases) - every configured database with its directory, mount state and sizes (RV(databases)).
      - V(tasks) - every Task Manager task (RV(tasks)).
      - V(monitoring) - C(^SystemPerformance) profiles and runs (RV(monitoring)).
      - V(tables) - the user tables of namespace O(tables_namespace) with their row counts (RV(tables)). Every table is
        counted with C(SELECT COUNT(*)), which reads the whole table, so it is not part of the default.
      - V(metrics) - the instance's C(/api/monitor/metrics) (RV(metrics)). This is an HTTP request to the IRIS web server,
        not an IRIS session, so it is not part of the default.
      - If not set, every section except V(tables) and V(metrics) is read.
    type: list
    elements: str
    choices: [version, state, namespaces, databases, tasks, monitoring, tables, metrics]
  tables_namespace:
    description:
      - The namespace whose tables O(gather=tables) lists and counts. If not set, O(namespace) is used.
      - The same rule as O(namespace) applies (1 to 64 characters, a letter or V(%) first, then letters, digits, V(-) or
        V(_)); IRIS does not distinguish upper and lower case in namespace names.
      - At most 500 tables are counted. A namespace with more user tables fails the task before any table is counted.
      - The tables are read in the same IRIS session as the other sections.
    type: str
  query:
    description:
      - A JMESPath expression applied to the gathered facts (a dictionary whose keys are the returned sections, for example
        C(namespaces), C(databases), C(version)). Its value is returned as RV(query_result).
      - Needs the Python package C(jmespath) where the module runs.
      - An invalid expression fails the task before anything is read.
    type: str
  metrics_url:
    description:
      - URL of the C(/api/monitor/metrics) endpoint, for O(gather=metrics).
      - If not set, with O(transport=docker) the host port Docker publishes for the container's web server port 52773 is
        used, and with O(transport=local) V(http://127.0.0.1:52773/api/monitor/metrics) on the managed host. With
        O(transport=native) and O(container) (no O(host)), the host port Docker publishes for that container's port
        52773, found like the superserver port. With O(transport=native) and O(host), set it, because the module does not guess
        where a remote instance's web server is, and fails with a message that says so.
      - C(/api/monitor) needs no login by default (U(https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GCM_rest)).
        When it does, give the login in O(metrics_username) and O(metrics_password). A URL with a user name or
        password in it (V(http://user:pass@host/...)) is refused before anything is read, because the task's
        arguments would show it.
    type: str
  metrics_username:
    description:
      - User name for HTTP basic authentication at O(metrics_url) (or the found metrics URL), for O(gather=metrics).
      - With a user name a redirect is not followed (the login would go to the new address, perhaps another host) - the
        task fails and names the address; give that final URL as O(metrics_url).
    type: str
  metrics_password:
    description:
      - Password of O(metrics_username) (which it requires). Never shown in results, diffs or logs.
    type: str
notes:
  - With O(transport=local), run the task as the instance owner (for example C(irisowner), or O(ignore:become=true)), so that
    C(iris session) logs in with OS authentication.
requirements:
  - jmespath (Python package) for O(query)
seealso:
  - module: iris_devtools.iris.iris_container
  - name: JMESPath specification
    description: The query language of O(query).
    link: https://jmespath.org/specification.html
"""

EXAMPLES = r"""
---
- name: Everything one IRIS session can read
  iris_devtools.iris.iris_info:
    container: iris-ci
  register: iris

- name: Show the version
  ansible.builtin.debug:
    msg: "IRIS {{ iris.version.version }} build {{ iris.version.build }} on {{ iris.version.platform }}"

- name: Only namespaces and databases
  iris_devtools.iris.iris_info:
    container: iris-ci
    gather: [namespaces, databases]
  register: storage

- name: The globals database of namespace USER, with a JMESPath query
  iris_devtools.iris.iris_info:
    container: iris-ci
    gather: [namespaces]
    query: "namespaces[?name=='USER'] | [0].globals"
  register: user_db

- name: Databases that are not mounted
  iris_devtools.iris.iris_info:
    container: iris-ci
    gather: [databases]
    query: "databases[?mounted == `false`].name"
  register: not_mounted

- name: Row counts of every table in namespace APP
  iris_devtools.iris.iris_info:
    container: iris-ci
    gather: [tables]
    tables_namespace: APP
  register: app_tables

- name: The rows of one table, with a JMESPath query
  iris_devtools.iris.iris_info:
    container: iris-ci
    gather: [tables]
    tables_namespace: APP
    query: "tables[?schema=='SQLUser' && name=='Orders'] | [0].rows"
  register: order_rows

- name: CPU usage from /api/monitor/metrics
  iris_devtools.iris.iris_info:
    container: iris-ci
    gather: [metrics]
    query: "metrics.samples.iris_cpu_usage[0].value"
  register: cpu

- name: On a host where IRIS is installed (iris session runs on the managed host)
  iris_devtools.iris.iris_info:
    transport: local
    gather: [version, state]
  become: true
  become_user: irisowner
"""

RETURN = r"""
iris_sessions:
  description: How many IRIS sessions the module opened (1, or 0 when only O(gather=metrics) was asked for).
  returned: always
  type: int
  sample: 1
gathered:
  description: The sections that were read, in the order of O(gather)'s choices.
  returned: always
  type: list
  elements: str
  sample: [version, state, namespaces, databases, tasks, monitoring, tables]
version:
  description: The C($ZVERSION) text and its parts. Parts are V(null) when the text has an unknown shape.
  returned: when V(version) is in O(gather)
  type: dict
  contains:
    zv:
      description: The C($ZVERSION) text.
      type: str
      sample: IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2025.1 (Build 223U) Tue Mar 11 2025 18:14:42 EDT
    product:
      description: The product name.
      type: str
      sample: IRIS
    os:
      description: The operating-system family.
      type: str
      sample: UNIX
    platform:
      description: The platform text in parentheses.
      type: str
      sample: Ubuntu Server LTS for x86-64 Containers
    version:
      description: The release, C(year.release[.maintenance]).
      type: str
      sample: "2025.1"
    version_info:
      description: The release as a list of integers, for comparisons.
      type: list
      elements: int
      sample: [2025, 1]
    suffix:
      description: Letters right after the release number (pre-release or special builds), if any.
      type: str
      sample: null
    build:
      description: The build text.
      type: str
      sample: 223U
    build_number:
      description: The leading number of the build.
      type: int
      sample: 223
    build_date:
      description: The text after the build (the build date).
      type: str
      sample: Tue Mar 11 2025 18:14:42 EDT
    container:
      description: Whether the platform is a container build.
      type: bool
      sample: true
instance_state:
  description: The state of the instance.
  returned: when V(state) is in O(gather)
  type: dict
  contains:
    transport:
      description: O(transport).
      type: str
      sample: docker
    instance:
      description: O(instance).
      type: str
      sample: IRIS
    container:
      description:
        - The container's Docker state (keys C(name), C(id), C(image), C(status), C(running), C(health), C(started_at)).
        - V(null) with O(transport=local) or O(transport=native). C(health) is V(null) when the image has no health check.
      type: dict
      sample: {name: iris-ci, id: 8e47bf643eb9, image: "iris-community:2025.1", status: running, running: true,
               health: healthy, started_at: "2026-01-01T10:00:00.123456789Z"}
    session:
      description:
        - Whether an C(iris session) in O(namespace) worked (C(ok)), and the namespace it ran in (C(namespace)).
        - C(namespace) is the name as IRIS reports it, in upper case (V(USER) also when O(namespace=user)).
      type: dict
      sample: {ok: true, namespace: USER}
namespaces:
  description:
    - Every namespace (C(Config.Namespaces)), sorted by name, with its default globals and routines databases, library
      and temporary globals database.
    - An entry whose configuration could not be read has an C(error) text.
    - IRIS stores and returns namespace names in upper case, so C(name) is always upper case (V(APP) for a namespace
      created as V(app)); compare names with upper-case strings, for example C(namespaces[?name=='APP']).
  returned: when V(namespaces) is in O(gather)
  type: list
  elements: dict
  sample:
    - {name: "%SYS", globals: IRISSYS, routines: IRISSYS, library: IRISLIB, temp_globals: IRISTEMP}
    - {name: USER, globals: USER, routines: USER, library: IRISLIB, temp_globals: IRISTEMP}
databases:
  description:
    - Every configured database (C(Config.Databases)), sorted by name, with its file's state (C(SYS.Database)).
    - Sizes are in MB. The file keys (C(resource), C(mounted), C(read_only), C(read_only_mounted), C(size_mb), C(max_size_mb),
      C(expansion_size_mb), C(block_size)) are V(null) when there is no local database file (C(file_exists) is V(false)),
      for example for a remote database (C(server)).
    - An entry that could not be read completely has an C(error) text.
  returned: when V(databases) is in O(gather)
  type: list
  elements: dict
  sample:
    - {name: USER, directory: /usr/irissys/mgr/user/, server: null, mount_required: false, mount_at_startup: true,
       resource: "%DB_USER", file_exists: true, mounted: true, read_only: false, read_only_mounted: false, size_mb: 11,
       max_size_mb: 0, expansion_size_mb: 0, block_size: 8192}
tasks:
  description:
    - Every Task Manager task, ordered by ID, in the form M(iris_devtools.iris.iris_task) returns one (C(id), C(name),
      C(task_class), C(settings), C(task_namespace), C(description), C(run_as_user), C(priority), C(schedule), C(suspended),
      C(last_run), C(next_run)).
  returned: when V(tasks) is in O(gather)
  type: list
  elements: dict
  sample:
    - {id: 2, name: Purge Journal, task_class: "%SYS.Task.PurgeJournal", settings: {}, task_namespace: "%SYS",
       description: "", run_as_user: _SYSTEM, priority: normal,
       schedule: {period: daily, interval: 1, at: "02:00", start_date: null, end_date: null}, suspended: false,
       last_run: null, next_run: "2026-01-02 02:00:00"}
monitoring:
  description:
    - C(^SystemPerformance) facts as M(iris_devtools.iris.iris_monitoring) reports them - C(profiles) (the profiles the
      collection manages), C(runs), C(log_dir) (where reports are written) and C(version) (of C(^SystemPerformance)).
    - Each run the collection started has C(run_id), C(profile), C(log_dir), C(started) (Unix time), C(known_to_iris),
      C(running), C(report_path) and C(wait_time).
    - A run has ended (C(running=false)) when its report C(<host>_<instance>_<run_id>.html) is in its log directory
      (IRIS writes it when the run ends); C(report_path) is then its path. Otherwise C(wait_time) is what
      C($$waittime^SystemPerformance) answered, text such as V(7 minutes), exactly as IRIS wrote it; an answer with
      a negative number before C(^) (IRIS gives V(-2^no such runid)) means IRIS does not know the run
      (C(known_to_iris=false)).
  returned: when V(monitoring) is in O(gather)
  type: dict
  sample:
    profiles: [{name: idt_30s, description: "30 s for 1 hour", interval: 30, count: 120, duration: 3600,
                task_name: "iris_devtools monitoring idt_30s", suspended_by: null}]
    runs: [{run_id: 20260417_011706_idt_30s, profile: idt_30s, log_dir: /usr/irissys/mgr/, started: 1776388626,
            known_to_iris: true, running: true, report_path: null, wait_time: "7 minutes"}]
    log_dir: /usr/irissys/mgr/
    version: "2.0"
tables:
  description:
    - The user tables of namespace O(tables_namespace), sorted by schema and name, each with its schema (C(schema)), its
      name (C(name)) and its number of rows (C(rows)).
    - User tables are the C(INFORMATION_SCHEMA.TABLES) rows of type C(BASE TABLE); system tables (schemas starting with
      V(%), C(INFORMATION_SCHEMA)) and views are not listed.
    - A table whose count failed has C(rows) V(null) and an C(error) text (the SQL message).
  returned: when V(tables) is in O(gather)
  type: list
  elements: dict
  contains:
    schema:
      description: The table's schema (C(SQLUser) for classes of the default package).
      type: str
      sample: SQLUser
    name:
      description: The table's name.
      type: str
      sample: Orders
    rows:
      description: The number of rows, V(null) when the count failed.
      type: int
      sample: 42
    error:
      description: The SQL error of a count that failed; only present then.
      type: str
      sample: "Table 'SQLUser.Broken' not found"
  sample:
    - {schema: SQLUser, name: Customers, rows: 3}
    - {schema: SQLUser, name: Orders, rows: 42}
metrics:
  description:
    - The metrics of C(/api/monitor/metrics) - C(url) that was read and C(samples), a dictionary from metric name to a
      list of samples, each with C(labels) and C(value) (V(null) for C(NaN)).
  returned: when V(metrics) is in O(gather)
  type: dict
  sample:
    url: http://127.0.0.1:32769/api/monitor/metrics
    samples:
      iris_cpu_usage: [{labels: {}, value: 12.0}]
      iris_db_size_mb: [{labels: {id: USER, dir: /usr/irissys/mgr/user/}, value: 11.0}]
query_result:
  description: The value of O(query) applied to the gathered facts; V(null) when the expression matches nothing.
  returned: when O(query) is set
  type: raw
  sample: USER
"""

from ansible_collections.iris_devtools.iris.plugins.module_utils._info import SECTIONS, InfoManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module


def argument_spec():
    return dict(
        gather=dict(type="list", elements="str", choices=list(SECTIONS)),
        query=dict(type="str"),
        metrics_url=dict(type="str"),
        tables_namespace=dict(type="str"),
        metrics_username=dict(type="str"),
        metrics_password=dict(type="str", no_log=True),
    )


def main():
    run_module(InfoManager, argument_spec(), required_by=dict(metrics_password="metrics_username"))


if __name__ == "__main__":
    main()
