#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Readiness-detection latency of iris_container (a measurement, not a test: no assertions).

Latency = time from the instance accepting logons (the Docker timestamp of the "Enabling logons"
log line of this start) to the moment iris_container's manager returns from state=healthy.  The
manager is imported and driven directly (the same code ansible-playbook runs), so Ansible's process
start-up is not part of the number.  Median of --runs runs (default 5), each a fresh container.

How to run, from the repository root after ``tools/run setup`` (its WORK dir holds the synced
``ansible_collections/iris_devtools/iris`` copy and the venv with the docker SDK):

    tools/run sync && source <(tools/run env)
    PYTHONPATH="$WORK" python benchmarks/readiness.py [--image iris-devtools/iris-sim:0.6.0] [--runs 5]

Measured on the 2-vCPU CI machine against the simulator (2026-11-26): median 0.19 s.

The last line is exactly: readiness latency=<seconds> target=0.5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid


class _Module(object):
    """The minimum of AnsibleModule the manager uses."""

    def __init__(self, params):
        self.params = params
        self.check_mode = False
        self._diff = False

    def warn(self, text):
        print("warning: %s" % text, file=sys.stderr)


def _params(name, image):
    return dict(name=name, image=image, state="healthy", recreate="on_change", host_ip="127.0.0.1",
                superserver_port=None, web_port=None, publish_web=True, published_ports=None, volumes=None,
                durable_dir=None, license_key=None, password=None, cpf_merge=None, env=None, labels=None,
                memory=None, cpus=None, command_args=None, wait_timeout=180, stop_timeout=10, keep_failed=False,
                state_dir=None, instance="IRIS", namespace="USER", timeout=60, docker_host=None)


def one_run(image):
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _container
    from ansible_collections.iris_devtools.iris.plugins.module_utils._container_config import parse_docker_time
    from ansible_collections.iris_devtools.iris.plugins.module_utils._readiness import LOGONS_ENABLED

    name = "iris-bench-%s" % uuid.uuid4().hex[:8]
    manager = _container.ContainerManager(_Module(_params(name, image)))
    try:
        manager.run()
        returned = time.time()
        container = manager.client.containers.get(name)
        started = parse_docker_time(container.attrs["State"]["StartedAt"])
        raw = container.logs(timestamps=True)
        logons = None
        for line in raw.decode("utf-8", "replace").splitlines():
            stamp, dummy, rest = line.partition(" ")
            when = parse_docker_time(stamp)
            if when is not None and when >= started and LOGONS_ENABLED in rest:
                logons = when
                break
        if logons is None:
            raise RuntimeError("no 'Enabling logons' line in the log of %s" % name)
        return returned - logons
    finally:
        try:
            manager.client.containers.get(name).remove(force=True, v=True)
        except Exception:  # pylint: disable=broad-except
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--image", default="iris-devtools/iris-sim:0.6.0")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    latencies = []
    for index in range(max(args.runs, 1)):
        latency = one_run(args.image)
        latencies.append(latency)
        print("run %d: %.3f s" % (index + 1, latency))
    print("readiness latency=%.3f target=0.5" % statistics.median(latencies))


if __name__ == "__main__":
    main()
