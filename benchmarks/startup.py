#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where a module task's start-up goes (a measurement, not a test: no assertions).

``rerun.py`` imports this file for the breakdown it prints; it also runs alone.  Every figure is the median of
``--runs`` measurements, each beside the same figure for ``ansible.builtin.command`` (the module of the floor):

* payload: the AnsiballZ payload Ansible builds on the controller for each module, once per module per
  ``ansible-playbook`` run (its cache lives in the run's own temp directory): the build time
  (``module_common.recursive_finder``: it parses every file of the module's import closure, then zips it), the zip
  size, its file count and how much of it is the collection's code;
* imports: the module's imports inside a fresh Python with the payload zip first on ``sys.path``, as AnsiballZ
  runs it (a zip holds no byte code: every file is compiled on every run), and ``import docker`` alone (from its
  installed byte code);
* Docker (with ``--container``): the client as ``_docker.get_docker_client`` creates it (the SDK's
  ``from_env`` with ``version="auto"`` asks the daemon ``/version``; a fixed version does not), the ping,
  ``containers.get``, and one exec round trip of ``iris session IRIS -U %SYS`` with ``halt`` split into
  ``exec_create``, ``exec_start`` + the session until EOF, ``exec_inspect``; and the floor's round trip, the
  ``docker exec -i`` CLI.

How to run, from the repository root after ``tools/run setup``:

    tools/run sync && source <(tools/run env)
    python benchmarks/startup.py [--container <running IRIS container>] [--runs 5]
"""

from __future__ import annotations

import argparse
import base64
import datetime
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

import docker
from ansible._internal._ansiballz import _builder
from ansible._internal._datatag._tags import Origin
from ansible.executor import module_common
from ansible.plugins.loader import init_plugin_loader, module_loader

MODULES = ("ansible.builtin.command", "iris_devtools.iris.iris_container", "iris_devtools.iris.iris_monitoring",
           "iris_devtools.iris.iris_fixture", "iris_devtools.iris.iris_task", "iris_devtools.iris.iris_info")
SESSION = ["iris", "session", "IRIS", "-U", "%SYS"]


def _median_of(runs, measure):
    return statistics.median(measure() for dummy in range(max(runs, 1)))


def _remote_name(fqcn):
    namespace, collection, name = fqcn.split(".")
    if (namespace, collection) == ("ansible", "builtin"):
        return "ansible.modules.%s" % name
    return "ansible_collections.%s.%s.plugins.modules.%s" % (namespace, collection, name)


def _build(fqcn, compression=zipfile.ZIP_DEFLATED):
    """(seconds, zip bytes) of building the AnsiballZ payload zip of ``fqcn`` the way the controller does."""

    path = module_loader.find_plugin_with_context(fqcn).plugin_resolved_path
    with open(path, "rb") as handle:
        source = handle.read()
    begun = time.perf_counter()
    output = io.BytesIO()
    archive = zipfile.ZipFile(output, mode="w", compression=compression)
    module_common.recursive_finder(fqcn.rsplit(".", 1)[-1], _remote_name(fqcn), Origin(path=path).tag(source), archive,
                                   datetime.datetime.now(), _builder.ExtensionManager.create(task_vars={}))
    archive.writestr(_remote_name(fqcn).replace(".", "/") + ".py", source)
    archive.close()
    # The controller base64-encodes the zip into the payload.
    data = base64.b64encode(output.getvalue())
    return time.perf_counter() - begun, base64.b64decode(data)


def _import_seconds(zip_path, module):
    """Seconds to run ``module``'s top level (its imports) in a fresh Python with ``zip_path`` first on sys.path."""
    member = module.replace(".", "/") + ".py"
    code = ("import sys, time, zipfile; sys.path.insert(0, %r); source = zipfile.ZipFile(%r).read(%r); "
            "t = time.perf_counter(); exec(compile(source, %r, 'exec'), {'__name__': 'startup'}); "
            "print(time.perf_counter() - t)" % (zip_path, zip_path, member, member))
    result = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if result.returncode != 0:
        raise RuntimeError("import of %s failed: %s" % (module, result.stderr.decode("utf-8", "replace")[-500:]))
    return float(result.stdout.decode().strip())


def payloads(runs, modules=MODULES):
    """Per module: build seconds, zip bytes, files, collection bytes (uncompressed), import seconds."""

    init_plugin_loader()
    rows = []
    with tempfile.TemporaryDirectory(prefix="iris-bench-startup-") as workdir:
        for fqcn in modules:
            seconds = statistics.median(_build(fqcn)[0] for dummy in range(max(runs, 1)))
            data = _build(fqcn)[1]
            zip_path = os.path.join(workdir, fqcn + ".zip")
            with open(zip_path, "wb") as handle:
                handle.write(data)
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
            collection = sum(info.file_size for info in infos if info.filename.startswith("ansible_collections/"))
            imports = _median_of(runs, lambda: _import_seconds(zip_path, _remote_name(fqcn)))
            rows.append(dict(module=fqcn, build=seconds, zip_bytes=len(data), files=len(infos), collection_bytes=collection,
                             imports=imports))
    return rows


def docker_import_seconds(runs):
    code = "import time; t = time.perf_counter(); import docker; print(time.perf_counter() - t)"
    return _median_of(runs, lambda: float(subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                                         check=True).stdout.decode().strip()))


def _timed(call):
    begun = time.perf_counter()
    value = call()
    return time.perf_counter() - begun, value


def _exec_once(client, container_id):
    """One exec of ``iris session`` with ``halt``: (create, start + session, inspect) seconds."""
    create, exec_id = _timed(lambda: client.api.exec_create(container_id, SESSION, stdin=True, stdout=True, stderr=True,
                                                            tty=False)["Id"])

    def session():
        sock = client.api.exec_start(exec_id, socket=True, tty=False)
        raw = getattr(sock, "_sock", sock)
        raw.sendall(b"halt\n")
        raw.shutdown(socket.SHUT_WR)
        while raw.recv(65536):
            pass
        sock.close()
    start, dummy = _timed(session)
    inspect, dummy = _timed(lambda: client.api.exec_inspect(exec_id))
    return create, start, inspect


def docker_calls(container, runs):
    """Medians (seconds) of the Docker client start-up and of one exec round trip, SDK and CLI."""

    rows = {key: [] for key in ("client_auto", "client_fixed", "ping", "containers_get", "exec_create",
                                "exec_start_session", "exec_inspect", "cli_round_trip")}
    for dummy in range(max(runs, 1)):
        seconds, client = _timed(lambda: docker.from_env(timeout=60))
        rows["client_auto"].append(seconds)
        seconds, fixed = _timed(lambda: docker.from_env(timeout=60, version=docker.constants.MINIMUM_DOCKER_API_VERSION))
        rows["client_fixed"].append(seconds)
        fixed.close()
        rows["ping"].append(_timed(client.ping)[0])
        seconds, found = _timed(lambda: client.containers.get(container))
        rows["containers_get"].append(seconds)
        create, start, inspect = _exec_once(client, found.id)
        rows["exec_create"].append(create)
        rows["exec_start_session"].append(start)
        rows["exec_inspect"].append(inspect)
        rows["cli_round_trip"].append(_timed(lambda: subprocess.run(["docker", "exec", "-i", container] + SESSION, input=b"halt\n",
                                                                    stdout=subprocess.DEVNULL, check=True))[0])
        client.close()
    return {key: statistics.median(values) for key, values in rows.items()}


def report(container=None, runs=5, out=sys.stdout):
    """Print the breakdown; return the payload rows."""
    rows = payloads(runs)
    out.write("payload per module (built once per module per ansible-playbook run; median of %d):\n" % runs)
    out.write("  %-36s %8s %10s %6s %12s %9s\n" % ("module", "build s", "zip bytes", "files", "collection B", "import s"))
    for row in rows:
        out.write("  %-36s %8.3f %10d %6d %12d %9.3f\n" % (row["module"], row["build"], row["zip_bytes"], row["files"],
                                                           row["collection_bytes"], row["imports"]))
    out.write("import docker (installed byte code): %.3f s\n" % docker_import_seconds(runs))
    if container:
        calls = docker_calls(container, runs)
        out.write("docker client: from_env(version=auto) %.4f s (asks /version), fixed version %.4f s, ping %.4f s, "
                  "containers.get %.4f s\n" % (calls["client_auto"], calls["client_fixed"], calls["ping"], calls["containers_get"]))
        out.write("exec round trip (SDK): exec_create %.4f s, exec_start + IRIS session (halt) %.4f s, exec_inspect %.4f s; "
                  "the floor's docker exec -i CLI %.4f s\n" % (
                      calls["exec_create"], calls["exec_start_session"], calls["exec_inspect"], calls["cli_round_trip"]))
    out.flush()
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--container", help="a running IRIS (or simulator) container for the Docker figures")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        sys.exit("ANSIBLE_COLLECTIONS_PATH is not set: run `source <(tools/run env)` first")
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg())
    report(args.container, args.runs)


if __name__ == "__main__":
    main()
