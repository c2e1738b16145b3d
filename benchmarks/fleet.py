#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fleet provisioning: 8 instances with forks=8 vs one instance (a measurement, not a test: no assertions).

Each measurement is the wall time of one ``ansible-playbook`` run of the ``iris_devtools.iris.instance``
role (instance_state=healthy: the container is created and IRIS accepts logons) from nothing, with one
inventory host per instance and iris_container delegated to the controller, exactly as a user runs it:

* single: 1 host;
* fleet:  8 hosts, ``--forks 8``.

Both include Ansible's own start-up. The containers are removed (instance_state=absent, not timed)
after each measurement. Median of --runs runs of each (default 5), single and fleet alternating.

ratio = fleet / single; target = 1.5 x 8 / min(cores, 8) (issue #6 item 7: wall <= 1.5 x single x
8 / cores; more than 8 cores cannot run 8 instances faster than one, hence the min).

How to run, from the repository root after ``tools/run setup``:

    tools/run sync && source <(tools/run env)
    python benchmarks/fleet.py [--image iris-devtools/iris-sim:0.6.0] [--runs 5] [--size 8]

The last line is exactly: fleet ratio=<x> target=<y>
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time

PLAY = """---
- name: Fleet benchmark
  hosts: all
  gather_facts: false
  roles:
    - role: iris_devtools.iris.instance
"""


def _cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _inventory(path, prefix, size, image, password):
    hosts = dict(("%s-%d" % (prefix, index), {}) for index in range(1, size + 1))
    inventory = {"all": {"hosts": hosts, "vars": {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "instance_image": image,
        "instance_name": "{{ inventory_hostname }}",
        "instance_password": password,
        "instance_labels": {"iris_devtools.benchmark": "fleet"},
    }}}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)


def _playbook(workdir, inventory, play, forks, extra=None):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", inventory, "--forks", str(forks), play]
    for item in extra or []:
        command += ["-e", item]
    started = time.monotonic()
    result = subprocess.run(command, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        sys.stdout.write(result.stdout.decode("utf-8", "replace")[-4000:])
        raise RuntimeError("ansible-playbook %s failed (rc %d)" % (" ".join(command[1:]), result.returncode))
    return elapsed


def measure(workdir, image, size, tag):
    """Provision ``size`` instances from nothing (timed), then remove them (not timed)."""
    prefix = "iris-bench-fleet-%s-%s" % (tag, secrets.token_hex(3))
    inventory = os.path.join(workdir, "%s.json" % prefix)
    _inventory(inventory, prefix, size, image, "Bench-" + secrets.token_hex(8))
    play = os.path.join(workdir, "fleet.yml")
    try:
        return _playbook(workdir, inventory, play, size)
    finally:
        try:
            _playbook(workdir, inventory, play, size, ["instance_state=absent"])
        finally:
            ids = subprocess.run(["docker", "ps", "-aq", "--filter", "name=%s-" % prefix], stdout=subprocess.PIPE,
                                 check=False).stdout.split()
            if ids:
                subprocess.run(["docker", "rm", "-f", "-v"] + [i.decode() for i in ids], stdout=subprocess.DEVNULL, check=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--image", default="iris-devtools/iris-sim:0.6.0")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=8)
    args = parser.parse_args()
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        sys.exit("ANSIBLE_COLLECTIONS_PATH is not set: run `source <(tools/run env)` first")
    cores = _cores()
    singles, fleets = [], []
    with tempfile.TemporaryDirectory(prefix="iris-bench-fleet-") as workdir:
        with open(os.path.join(workdir, "fleet.yml"), "w", encoding="utf-8") as handle:
            handle.write(PLAY)
        measure(workdir, args.image, 1, "warm")  # warm-up: page cache, image layers, Python imports
        for index in range(max(args.runs, 1)):
            singles.append(measure(workdir, args.image, 1, "one"))
            fleets.append(measure(workdir, args.image, args.size, "all"))
            print("run %d: single %.2f s, fleet of %d %.2f s" % (index + 1, singles[-1], args.size, fleets[-1]))
    single = statistics.median(singles)
    fleet = statistics.median(fleets)
    target = 1.5 * args.size / min(cores, args.size)
    print("cores=%d single=%.2f s fleet(%d, forks=%d)=%.2f s" % (cores, single, args.size, args.size, fleet))
    print("fleet ratio=%.2f target=%.2f" % (fleet / single, target))


if __name__ == "__main__":
    main()
