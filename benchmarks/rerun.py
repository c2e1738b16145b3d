#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unchanged re-run of provision.yml vs a floor playbook (a measurement, not a test: no assertions).

Re-run = the wall time of ``ansible-playbook iris_devtools.iris.provision`` on an instance it has
already provisioned (instance role, monitoring role with its defaults, fixtures role with one restored
fixture), exactly as a user runs it: one inventory host in group iris_instances, every module task
delegated to the controller.  It must change nothing; a run that reports a change is flagged.

Floor (the target's) = the wall time of a playbook with the same inventory and ONE minimal IRIS round trip per
module task run of the re-run (4: iris_container, iris_monitoring, iris_fixture validate and restore; counted from
the re-run's JSON callback output, loop items included): each task an ``ansible.builtin.command`` running ``docker
exec -i <container> iris session IRIS -U %SYS`` with ``halt`` on stdin.  Both runs include Ansible's start-up and
use the same stdout callback (ansible.posix.json).  A looser figure is printed above the last line, not the target:
a floor with as many round trips as the re-run executes tasks (include_role, argument validation, assert, set_fact
included: 23).

Breakdown (printed before the last line): per task of the re-run (median), each module task against a floor task and
split into its module process (the kept AnsiballZ file run again) and the controller's share,
the time of the tasks without a module of the collection, and ``startup.py``'s figures measured on the same
instance in the same run (AnsiballZ payload build and size per module, the module's imports as AnsiballZ runs them,
``import docker``, Docker client start-up, the exec round trip split into its API calls, the ``docker exec`` CLI).
``--try-vars JSON`` also times the re-run with extra vars (an A/B of a setting such as ansible_pipelining).

Sessions: every ``docker exec`` of ``iris session`` into the container is one IRIS session; the script
counts them from ``docker events`` (exec_start) and attributes each to the task whose time window holds
it, so iris_container (whose result does not report a count) is counted too.  Where a module reports
its own count (``iris_sessions``, ``sessions``) it is printed beside the observed one.  The floor's own
sessions are counted the same way as a check of the method (one per task).
sessions_per_task = the most sessions any one module task (loop item) opened in any re-run (target <= 1);
the mean is printed on the line before.

Set-up (not timed): provision.yml with no fixture; a source namespace BENCHSRC with one table created
through ``iris session``; create_fixture.yml exports it; provision.yml restores it into BENCHFX.
Then one warm-up of the re-run (its JSON output gives the task count) and of the floor, then --runs
timed runs of each (default 5), alternating (re-run, floor, module floor).  teardown.yml removes the
container at the end, then the script removes whatever is left (the container, its temp directory).

How to run, from the repository root after ``tools/run setup``:

    tools/run sync && source <(tools/run env)
    python benchmarks/rerun.py [--image iris-devtools/iris-sim:0.6.0] [--runs 5] [--keep]

Recorded 2026-12-05 on the 2-vCPU machine, quiet (load average 0.08 at the start, 0.71 at the end), simulator image
0.2.0, --runs 3:

    rerun ratio=1.81 target=1.25 sessions_per_task=1 rerun_s=3.42 floor_s=1.88 module_tasks=4 load=0.71

Where the time goes (medians of that run).  A floor task takes 0.340 s: the ``docker exec -i`` CLI round trip 0.125 s
and 0.215 s of Ansible around it (the command module's own start, about 0.12 s, included).  Each module task of the
re-run = its module process (re-run from the kept AnsiballZ file) + the controller's share:

    0.654 s = process 0.445 s + controller 0.209 s  iris_container     (first use: payload build)
    0.706 s = process 0.509 s + controller 0.198 s  iris_monitoring    (first use: payload build)
    0.537 s = process 0.308 s + controller 0.230 s  iris_fixture validated (first use; no IRIS session)
    0.513 s = process 0.442 s + controller 0.070 s  iris_fixture present (payload cached)

plus 0.43 s for the 19 tasks without a module of the collection (include_role, argument specs, assert, set_fact).
Payload build 0.15-0.18 s per module of the collection, once per module per run (ansible.builtin.command 0.11 s; the
re-run builds three, the floor one); the module's imports as AnsiballZ runs them 0.22-0.27 s (command 0.12 s), of
which ``import docker`` 0.08 s (requests/urllib3 most of it) and, for iris_monitoring, ``ansible.module_utils.urls``
0.03 s; one SDK exec round trip 0.117 s against 0.125 s for the CLI.  ``-e ansible_pipelining=true`` changed
nothing measurable on the quiet machine (3.70 s against 3.55 s in an earlier run of the same day): the local
connection's temp-file commands are not the cost.

Why 1.25 is out of reach as the floor is defined (a bound, not a measurement): with every module doing nothing but its
one IRIS session, a module task still costs the controller's 0.07 s + the module start of the command module (0.12 s)
+ ``import docker`` (0.08 s) + the SDK round trip (0.117 s) + its own code (>= 0.03 s) = about 0.42 s against the floor
task's 0.34 s, and the re-run builds three payloads (3 x 0.14 s beyond the floor's one) and keeps at least the six
tasks every role run has (include_role and argument validation, about 0.12 s).  That is 0.52 s of playbook start-up +
4 module tasks (the validate task without a session, 0.3 s) + 0.42 s + 0.12 s = about 2.6 s against 1.88 s: a ratio
of about 1.39 at best.  Reaching 1.25 needs a floor that also starts a module importing the Docker SDK, or no SDK
import in the module process (a hand-written Docker API client, which the project rules exclude).

The last line is exactly: rerun ratio=<x> target=1.25 sessions_per_task=<n> rerun_s=<s> floor_s=<s> module_tasks=<n> load=<1-min load average>
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time

import startup  # benchmarks/startup.py: where a module task's start-up goes

GROUP = "iris_instances"  # the group provision.yml, restore.yml and teardown.yml run on
SOURCE_NAMESPACE = "BENCHSRC"
FIXTURE_NAMESPACE = "BENCHFX"
MODULE_PREFIX = "iris_devtools.iris."
SESSION_ARGV = "iris session"  # what DockerTransport runs for each IRIS session (_transport.Transport.argv)

# Set-up only: a database + namespace of its own with one table, through an independent path (docker exec
# of iris session, as fixture_restore.py does; iris-sources.md §3.2 SYS.Database.CreateDatabase,
# §3.1/§3.3 Config.Databases/Config.Namespaces.Create, §4.3 %SQL.Statement).
SOURCE_SYS = """set sc=##class(SYS.Database).CreateDatabase("/usr/irissys/mgr/benchsrc/",16) write "C1=",sc,!
kill p set p("Directory")="/usr/irissys/mgr/benchsrc/" set sc=##class(Config.Databases).Create("BENCHSRC",.p) write "C2=",sc,!
kill p set p("Globals")="BENCHSRC",p("Routines")="BENCHSRC" set sc=##class(Config.Namespaces).Create("BENCHSRC",.p) write "C3=",sc,!
halt
"""
SOURCE_TABLE = """set rs=##class(%SQL.Statement).%ExecDirect(,"CREATE TABLE Bench.Item (Name VARCHAR(40), Qty INTEGER)")
for i=1:1:100 set rs=##class(%SQL.Statement).%ExecDirect(,"INSERT INTO Bench.Item (Name, Qty) VALUES (?,?)","item"_i,i)
set rs=##class(%SQL.Statement).%ExecDirect(,"SELECT COUNT(*) FROM Bench.Item") do rs.%Next() write "N=",rs.%GetData(1),!
halt
"""

FLOOR_HEAD = """---
- name: Floor - the minimal IRIS round trip per task
  hosts: %s
  gather_facts: false
  tasks:
""" % GROUP
FLOOR_TASK = """    - name: IRIS round trip %(index)d
      ansible.builtin.command:
        argv: [docker, exec, -i, "%(container)s", iris, session, IRIS, -U, "%%SYS"]
        stdin: halt
      changed_when: false
"""


def _epoch(stamp):
    """Seconds since the epoch of an ansible.posix.json time stamp (UTC, ISO 8601 with a trailing Z)."""
    moment = datetime.datetime.strptime(stamp.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f")
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def _inventory(path, name, image, password, fixture_dir):
    hosts = {name: {}}
    inventory = {GROUP: {"hosts": hosts, "vars": {
        "ansible_connection": "local",
        "ansible_python_interpreter": sys.executable,
        "instance_name": "{{ inventory_hostname }}",
        "instance_image": image,
        "instance_password": password,
        "instance_labels": {"iris_devtools.benchmark": "rerun"},
        "fixtures_list": [{"namespace": FIXTURE_NAMESPACE, "path": fixture_dir}],
    }}}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)


class Bench(object):
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.name = "iris-bench-rerun-%s" % secrets.token_hex(3)
        self.inventory = os.path.join(workdir, "inventory.json")
        self.fixture_dir = os.path.join(workdir, "fixture")
        self.floor_play = os.path.join(workdir, "floor.yml")
        self.floor_modules_play = os.path.join(workdir, "floor_modules.yml")
        _inventory(self.inventory, self.name, args.image, "Bench-" + secrets.token_hex(8), self.fixture_dir)

    # -- running ansible-playbook ---------------------------------------------------------------
    def playbook(self, play, extra=None, as_json=False):
        """Run a playbook; return (wall seconds, parsed JSON output or None, start epoch, end epoch)."""
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", self.inventory, play]
        for item in extra or []:
            command += ["-e", item]
        env = dict(os.environ)
        if as_json:
            env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
        started = time.time()
        begun = time.monotonic()
        result = subprocess.run(command, cwd=self.workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        elapsed = time.monotonic() - begun
        ended = time.time()
        if result.returncode != 0:
            sys.stdout.write(result.stdout.decode("utf-8", "replace")[-6000:])
            sys.stdout.write(result.stderr.decode("utf-8", "replace")[-2000:])
            raise RuntimeError("ansible-playbook %s failed (rc %d)" % (" ".join(command[1:]), result.returncode))
        return elapsed, (json.loads(result.stdout.decode("utf-8")) if as_json else None), started, ended

    def session(self, program, namespace="%SYS"):
        """Set-up only: one ``iris session`` with ``program`` on stdin."""
        result = subprocess.run(["docker", "exec", "-i", self.name, "iris", "session", "IRIS", "-U", namespace],
                                input=program.encode("utf-8"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        text = result.stdout.decode("utf-8", "replace")
        if result.returncode != 0:
            raise RuntimeError("set-up session failed (rc %d): %s" % (result.returncode, text))
        return text

    def sessions_between(self, since, until):
        """Epoch times of the ``iris session`` execs into the container between ``since`` and ``until``."""
        result = subprocess.run(["docker", "events", "--since", "%.6f" % since, "--until", "%.6f" % (until + 0.5),
                                 "--filter", "container=%s" % self.name, "--filter", "event=exec_start",
                                 "--format", "{{json .}}"], stdout=subprocess.PIPE, check=True)
        times = []
        for line in result.stdout.decode("utf-8").splitlines():
            event = json.loads(line)
            if SESSION_ARGV in event.get("Action", ""):
                times.append(event["timeNano"] / 1e9)
        return sorted(times)

    # -- set-up -----------------------------------------------------------------------------------
    def set_up(self):
        started = time.monotonic()
        self.playbook("iris_devtools.iris.provision", ['{"fixtures_list": []}'])
        out = self.session(SOURCE_SYS)
        if "C1=1" not in out or "C2=1" not in out or "C3=1" not in out:
            raise RuntimeError("could not create the source database/namespace: %s" % out)
        out = self.session(SOURCE_TABLE, SOURCE_NAMESPACE)
        if "N=100" not in out:
            raise RuntimeError("could not fill the source table: %s" % out)
        self.playbook("iris_devtools.iris.create_fixture", [
            "fixture_container=%s" % self.name, "fixture_namespace=%s" % SOURCE_NAMESPACE,
            "fixture_path=%s" % self.fixture_dir, "fixture_id=bench_rerun"])
        self.playbook("iris_devtools.iris.provision")  # restores the fixture into BENCHFX
        print("set-up: %.1f s (provision, source namespace, create_fixture, provision with the fixture)" % (time.monotonic() - started))

    # -- one measured run -------------------------------------------------------------------------
    def measure(self, play):
        elapsed, output, started, ended = self.playbook(play, as_json=True)
        sessions = self.sessions_between(started, ended)
        tasks = []
        for play_result in output["plays"]:
            for entry in play_result["tasks"]:
                result = entry["hosts"].get(self.name)
                if result is None or result.get("skipped"):
                    continue
                duration = entry["task"]["duration"]
                start, end = _epoch(duration["start"]), _epoch(duration.get("end", duration["start"]))
                items = result.get("results") if isinstance(result.get("results"), list) else None
                reported = [item.get("iris_sessions", item.get("sessions")) for item in (items or [result])]
                tasks.append(dict(name=entry["task"]["name"], action=result.get("action", "?"), start=start, end=end,
                                  seconds=end - start, items=len(items) if items else 1,
                                  observed=sum(1 for moment in sessions if start <= moment <= end),
                                  reported=None if None in reported else sum(reported)))
        play_seconds = (tasks[-1]["end"] - tasks[0]["start"]) if tasks else 0.0
        stats = output["stats"].get(self.name, {})
        return dict(wall=elapsed, play=play_seconds, tasks=tasks, sessions=len(sessions), changed=stats.get("changed", 0),
                    outside=len(sessions) - sum(task["observed"] for task in tasks))

    def module_processes(self, runs):
        """Wall seconds of each module task's own process (median of ``runs``), in task order.

        One re-run keeps its AnsiballZ files (``ANSIBLE_KEEP_REMOTE_FILES``); each file is then run again as Ansible
        runs it (the same interpreter, the arguments inside the file).  Task time minus this is the controller's
        share (templating the arguments, the payload build on a module's first use, the connection's temp files).
        The re-run is unchanged, so running its modules again changes nothing either.
        """
        keep = os.path.join(self.workdir, "kept")
        os.makedirs(keep, exist_ok=True)
        env = dict(os.environ, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=keep)
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", self.inventory,
                        "iris_devtools.iris.provision"], cwd=self.workdir, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        files = sorted((os.path.getmtime(path), path) for path in
                       (os.path.join(keep, d, f) for d in os.listdir(keep) for f in os.listdir(os.path.join(keep, d)))
                       if os.path.basename(path).startswith("AnsiballZ_"))
        rows = []
        for dummy, path in files:
            seconds = []
            for dummy2 in range(max(runs, 1)):
                begun = time.monotonic()
                subprocess.run([sys.executable, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
                seconds.append(time.monotonic() - begun)
            rows.append((os.path.basename(path)[len("AnsiballZ_"):-3], statistics.median(seconds)))
        return rows

    def write_floor(self, path, count):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(FLOOR_HEAD)
            for index in range(1, count + 1):
                handle.write(FLOOR_TASK % dict(index=index, container=self.name))

    # -- clean-up ---------------------------------------------------------------------------------
    def clean_up(self):
        try:
            self.playbook("iris_devtools.iris.teardown")
        finally:
            ids = subprocess.run(["docker", "ps", "-aq", "--filter", "name=^%s$" % self.name], stdout=subprocess.PIPE,
                                 check=False).stdout.split()
            if ids:
                print("teardown left container %s: removing it" % self.name)
                subprocess.run(["docker", "rm", "-f", "-v"] + [i.decode() for i in ids], stdout=subprocess.DEVNULL, check=False)


def _report_tasks(reruns, floors):
    """Per-task medians over the re-runs (tasks in the same order every run) and the floor's task median."""
    print("per task of the re-run (median over %d runs; sessions observed/reported):" % len(reruns))
    for index, task in enumerate(reruns[0]["tasks"]):
        seconds = statistics.median(run["tasks"][index]["seconds"] for run in reruns)
        sessions = max(run["tasks"][index]["observed"] for run in reruns)
        reported = "" if task["reported"] is None else "/%s" % task["reported"]
        print("  %6.3f s  %d%-3s %-40s %s" % (seconds, sessions, reported, task["action"], task["name"][:80]))
    floor_task = statistics.median(statistics.median(task["seconds"] for task in run["tasks"]) for run in floors)
    rerun_sum = statistics.median(sum(task["seconds"] for task in run["tasks"]) for run in reruns)
    floor_sum = statistics.median(sum(task["seconds"] for task in run["tasks"]) for run in floors)
    print("floor task median %.3f s; sum of task times: re-run %.2f s, floor %.2f s" % (floor_task, rerun_sum, floor_sum))
    print("module tasks vs a floor task (%.3f s):" % floor_task)
    for index, task in enumerate(reruns[0]["tasks"]):
        if task["action"].startswith(MODULE_PREFIX):
            seconds = statistics.median(run["tasks"][index]["seconds"] for run in reruns)
            note = " (validate: no IRIS session)" if "state=validated" in task["name"] else ""
            print("  %6.3f s  %+6.3f s  %s%s" % (seconds, seconds - floor_task * task["items"], task["action"], note))
    cheap = statistics.median(sum(task["seconds"] for task in run["tasks"] if not task["action"].startswith(MODULE_PREFIX))
                              for run in reruns)
    print("tasks without a module of the collection (include_role, argument specs, assert, set_fact): %.2f s in all" % cheap)


def _floor_process(container, runs):
    """Wall seconds of the floor task's own work outside Ansible: the ``docker exec -i`` CLI round trip."""
    seconds = []
    for dummy in range(max(runs, 1)):
        begun = time.monotonic()
        subprocess.run(["docker", "exec", "-i", container, "iris", "session", "IRIS", "-U", "%SYS"], input=b"halt\n",
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        seconds.append(time.monotonic() - begun)
    return statistics.median(seconds)


def _report_processes(reruns, floors, processes, floor_process):
    """Each module task split into its module process and the rest (controller, connection, Ansible's module start)."""
    floor_task = statistics.median(statistics.median(task["seconds"] for task in run["tasks"]) for run in floors)
    print("module task = module process + controller share (the floor task: %.3f s = docker exec CLI %.3f s + %.3f s of "
          "Ansible around it, the command module's start included):" % (floor_task, floor_process, floor_task - floor_process))
    module_tasks = [index for index, task in enumerate(reruns[0]["tasks"]) if task["action"].startswith(MODULE_PREFIX)]
    for index, (name, seconds) in zip(module_tasks, processes):
        task_seconds = statistics.median(run["tasks"][index]["seconds"] for run in reruns)
        print("  %6.3f s = process %6.3f s + controller %6.3f s  %s" % (task_seconds, seconds, task_seconds - seconds, name))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--image", default="iris-devtools/iris-sim:0.6.0")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the instance and the temp directory for inspection")
    parser.add_argument("--try-vars", metavar="JSON", help="also time the re-run with these extra vars (an A/B of a setting, "
                        "e.g. '{\"ansible_pipelining\": true}'); printed, not part of the ratio")
    args = parser.parse_args()
    if not os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        sys.exit("ANSIBLE_COLLECTIONS_PATH is not set: run `source <(tools/run env)` first")
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg())
    workdir = tempfile.mkdtemp(prefix="iris-bench-rerun-")
    bench = Bench(args, workdir)
    reruns, floors, modules, tries = [], [], [], []
    try:
        bench.set_up()
        warm = bench.measure("iris_devtools.iris.provision")  # warm-up, and the task count of the floor
        count = len(warm["tasks"])
        count_modules = sum(task["items"] for task in warm["tasks"] if task["action"].startswith(MODULE_PREFIX))
        bench.write_floor(bench.floor_play, count)
        bench.write_floor(bench.floor_modules_play, count_modules)
        bench.measure(bench.floor_play)
        print("re-run executes %d tasks (%d module task runs); the floor has %d command tasks, the module floor %d" % (
            count, count_modules, count, count_modules))
        for index in range(max(args.runs, 1)):
            reruns.append(bench.measure("iris_devtools.iris.provision"))
            floors.append(bench.measure(bench.floor_play))
            modules.append(bench.measure(bench.floor_modules_play))
            if args.try_vars:
                tries.append(bench.playbook("iris_devtools.iris.provision", [args.try_vars])[0])
            rerun, floor = reruns[-1], floors[-1]
            print("run %d: re-run %.2f s (play %.2f s, changed=%d, %d sessions), floor %.2f s (play %.2f s, %d sessions), "
                  "ratio %.2f; module floor %.2f s" % (
                      index + 1, rerun["wall"], rerun["play"], rerun["changed"], rerun["sessions"], floor["wall"], floor["play"],
                      floor["sessions"], rerun["wall"] / floor["wall"], modules[-1]["wall"]))
            sys.stdout.flush()
        print("load average after the runs: %.2f %.2f %.2f" % os.getloadavg())
        processes = bench.module_processes(args.runs)
        floor_processes = _floor_process(bench.name, args.runs)
        startup.report(bench.name, args.runs)
    finally:
        if args.keep:
            print("kept: container %s, directory %s (inventory.json, floor.yml)" % (bench.name, workdir))
        else:
            try:
                bench.clean_up()
            finally:
                subprocess.run(["rm", "-rf", workdir], check=False)
    _report_tasks(reruns, floors)
    _report_processes(reruns, floors, processes, floor_processes)
    changed = [run["changed"] for run in reruns if run["changed"]]
    if changed:
        print("WARNING: %d re-run(s) reported changes (changed=%s): not an unchanged re-run" % (len(changed), changed))
    module_tasks = [task for run in reruns for task in run["tasks"] if task["action"].startswith(MODULE_PREFIX)]
    invocations = sum(task["items"] for task in module_tasks)
    per_task = max(float(task["observed"]) / task["items"] for task in module_tasks) if module_tasks else 0.0
    mean = float(sum(task["observed"] for task in module_tasks)) / invocations if invocations else 0.0
    outside = max(run["outside"] for run in reruns)
    wall_rerun = statistics.median(run["wall"] for run in reruns)
    wall_floor = statistics.median(run["wall"] for run in floors)
    play_ratio = statistics.median(run["play"] for run in reruns) / statistics.median(run["play"] for run in floors)
    print("sessions per module task: max %g, mean %.2f (%d module task runs per re-run)%s; floor sessions per task %.2f" % (
        per_task, mean, invocations // len(reruns), ("; %d session(s) outside any task" % outside) if outside else "",
        statistics.median(float(run["sessions"]) / len(run["tasks"]) for run in floors)))
    print("medians: re-run %.2f s, floor of all tasks %.2f s (play only: ratio %.2f)" % (wall_rerun, wall_floor, play_ratio))
    wall_modules = statistics.median(run["wall"] for run in modules)
    if tries:
        tried = statistics.median(tries)
        print("re-run with -e %s: %.2f s, ratio %.2f (runs: %s)" % (
            args.try_vars, tried, tried / wall_modules, " ".join("%.2f" % value for value in tries)))
    print("floor of one round trip per task of the re-run (%d tasks): %.2f s, ratio %.2f (not the target's floor)" % (
        len(floors[0]["tasks"]), wall_floor, wall_rerun / wall_floor))
    print("rerun ratio=%.2f target=1.25 sessions_per_task=%g rerun_s=%.2f floor_s=%.2f module_tasks=%d load=%.2f" % (
        wall_rerun / wall_modules, per_task, wall_rerun, wall_modules, len(modules[0]["tasks"]), os.getloadavg()[0]))


if __name__ == "__main__":
    main()
