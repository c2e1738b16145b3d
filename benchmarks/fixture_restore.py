#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Restore time of a 1 GiB iris_fixture as a ratio to the floor (a measurement, not a test: no assertions).

Floor = what any restore must do at least, measured in the same run on the same file: the Python
SHA-256 of IRIS.DAT (``_files.sha256_file``) + copying the same file into the container
(``_docker.upload_file``, the Docker archive API).  Restore = ``iris_fixture state=present`` into a
new namespace (checksum, copy, database + namespace creation, mount, row-count verification,
record).  Re-run = the same ``state=present`` again, which must change nothing; its time must not
depend on the fixture size.  The manager is imported and driven directly (the same code
ansible-playbook runs, as in ``readiness.py``), so Ansible's process start-up is not in the numbers.

The fixture is produced the realistic way: a simulator container started with
``IRIS_SIM_DAT_FILL=random`` (incompressible padding, like a real database), a 1 GiB database with a
namespace and a table created through ``iris session``, exported by ``iris_fixture state=exported``.
With ``--floor-only`` (or while ``iris_fixture`` does not exist) the fixture is a 1 GiB random file
written on the host and only the floor is measured.

How to run, from the repository root after ``tools/run setup``:

    tools/run sync && source <(tools/run env)
    PYTHONPATH="$WORK" python benchmarks/fixture_restore.py [--image iris-devtools/iris-sim:0.1.0] [--runs 5]
        [--size-mb 1024] [--floor-only] [--keep] [--timeline] [--order alternate|floor-first|restore-first]

Output: one line per run (floor, restore, per-run ratio, which went first, re-run), then the load average,
the import time of a module run (a fresh interpreter; not in the ratio, which drives the manager
in-process), a breakdown of where a restore's time goes (medians; measured by wrapping the functions
the manager calls, ``--timeline`` prints each restore's intervals), the ratio per order, the medians and
the last line.  ``--order alternate`` (default) runs the floor first in odd runs and the restore first in
even ones: a 1 GiB copy varies by up to 0.5 s run to run, and in some series the second copy of a run was
the slow one, so a fixed order could load that onto one side (``--order floor-first`` is the order used
before 2026-11-26).

Recorded 2026-11-26 on the 2-vCPU machine against the simulator image 0.1.0, 1 GiB fixture, ``--runs 5``,
load average 0.78 at the start and 1.02 at the end (other helpers idle), after the prepare step of a fresh
restore moved into the read session (beside the hash):

    fixture_restore ratio=1.14 target=1.25 rerun_module_s=0.125 target_rerun=0.3

(floor 2.09-2.64 s = SHA-256 0.56-0.57 s + copy 1.52-2.07 s; restore 2.34-2.55 s, per-run ratios 0.92-1.22;
re-run 0.12-0.18 s in one IRIS session.)  Breakdown (medians): the checksum is known 0.58 s after the start,
0.02 s later than the floor's SHA-256 alone - the docker client, the container lookup (0.01 s) and the read+prepare
session (0.12 s) all run beside the hash; after it the upload takes what the floor's copy takes (-0.15 s in this
series: copy noise) and the apply session 0.39 s, of which 0.10 s is the fixed cost of any session (an empty one)
and about 0.25 s the simulator's MountDatabase flushing the freshly copied 1 GiB to disk (it fsyncs the file;
with the file synced first the mount costs no more than an empty session) - the durable write the floor's copy
does not include.  The apply session is the one structural overhead left, about 18 % of the floor, so the
expected ratio is about 1.2 and one 5-run median lands anywhere in 1.1-1.35 with the copy noise.  Same code,
same hour, ``--order floor-first``: ratio 1.24 (per run 0.86-1.48); earlier floor-first series at load 0.6-2.4:
1.20, 1.30, 1.33.  The previous code (prepare as its own session after the hash: 3 sessions), floor-first, the
same quiet hour: ratio 1.30 (prepare session 0.11 s, apply 0.40 s); recorded before at load 1.9: 1.28 and 1.38.
The re-run target is met; the ratio target is met in the recorded series but not by a margin the copy noise
cannot erase.

Medians of --runs runs (default 5; copy timings vary run to run, toolchain.md §5.2).  Needs about
3 x size free in Docker's data root and 1 x size in the temp directory.

The last line is exactly: fixture_restore ratio=<x> target=1.25 rerun_module_s=<y> target_rerun=0.3
(with --floor-only: fixture_restore floor_s=<f> (floor only))
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid

MIB = 1024 * 1024


class _Module(object):
    """The minimum of AnsibleModule the managers use."""

    def __init__(self, params, check_mode=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = False

    def warn(self, text):
        print("warning: %s" % text, file=sys.stderr)

    def fail_json(self, **kwargs):
        raise RuntimeError("fail_json: %s" % kwargs.get("msg"))


def _defaults(*specs, **overrides):
    """Module params as AnsibleModule would build them: every option's default, then ``overrides``."""
    params = {}
    for spec in specs:
        for name, option in spec.items():
            params[name] = option.get("default")
    for name in overrides:
        if name not in params:
            raise KeyError("no option %r in the module's argument spec" % name)
    params.update(overrides)
    return params


def _fixture_module():
    """The iris_fixture module (for its argument spec), or None while it does not exist."""
    try:
        from ansible_collections.iris_devtools.iris.plugins.modules import iris_fixture
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _fixture  # noqa: F401 pylint: disable=unused-import
    except ImportError:
        return None
    return iris_fixture


def _fixture_params(module, **overrides):
    from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import iris_common_argument_spec
    return _defaults(iris_common_argument_spec(), module.argument_spec(), **overrides)


def _kind(program):
    """Which step of a restore a program is, from its templates (for the breakdown)."""
    names = set(program.template_names)
    if "fixture_target_read" in names:
        return "read+prepare" if "fixture_prepare_fresh" in names else "read"
    if "fixture_drop" in names and "state_set" not in names:
        return "rollback"
    if "fixture_assert_free" in names:
        return "prepare"
    return "apply"


class Timeline(object):
    """Intervals ``(label, start, end)`` of one restore, recorded by wrapping the functions the manager calls
    (the module code is not changed for the benchmark); ``start``/``end`` are seconds from the run's start."""

    def __init__(self):
        self.events = []
        self.t0 = None
        self._undo = []

    def _patch(self, owner, attr, label):
        original = getattr(owner, attr)
        timeline = self

        def wrapper(*args, **kwargs):
            name = label(*args, **kwargs) if callable(label) else label
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timeline.events.append((name, started - timeline.t0, time.perf_counter() - timeline.t0))
        setattr(owner, attr, wrapper)
        self._undo.append((owner, attr, original))

    def _patch_lock(self, module):
        """The lock is a context manager: time its acquisition (``__enter__``)."""
        original = module.instance_lock
        timeline = self

        @contextlib.contextmanager
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            with original(*args, **kwargs):
                timeline.events.append(("lock", started - timeline.t0, time.perf_counter() - timeline.t0))
                yield
        module.instance_lock = wrapper
        self._undo.append((module, "instance_lock", original))

    def __enter__(self):
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _files, _fixture, _transport
        self._patch(_files, "validate_fixture", "manifest+size")
        self._patch(_files, "sha256_file", "hash (thread)")
        self._patch(_files.Sha256Job, "result", "wait for the hash")
        self._patch(_fixture, "make_transport", "connect (client+container)")
        self._patch_lock(_fixture)
        self._patch(_transport.Transport, "run", lambda transport, program: "session: " + _kind(program))
        self._patch(_docker, "upload_file", "upload")
        self._patch(_docker, "exec_with_stdin", lambda client, container, argv, *a, **k: "  exec " + (argv[0] if argv else "?"))
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        for owner, attr, original in reversed(self._undo):
            setattr(owner, attr, original)
        self._undo = []
        return False

    def first(self, label):
        for event in self.events:
            if event[0] == label:
                return event
        return None

    def sum(self, label):
        return sum(end - start for name, start, end in self.events if name == label)

    def phases(self, total, floor_hash, floor_copy):
        """Where the time goes: a dict of named durations; ``known`` = when the checksum was known to the run."""
        wait = self.first("wait for the hash")
        known = wait[2] if wait else 0.0
        hashed = self.first("hash (thread)")
        upload = self.first("upload")
        sessions = [(name[len("session: "):], start, end) for name, start, end in self.events if name.startswith("session: ")]
        phases = dict(total=total, known=known, hash=(hashed[2] - hashed[1]) if hashed else 0.0,
                      hash_start=hashed[1] if hashed else 0.0, upload=(upload[2] - upload[1]) if upload else 0.0)
        for kind, start, end in sessions:
            phases[kind] = phases.get(kind, 0.0) + end - start
            # a session that ended before the checksum was known ran beside the hash
            phases["overlapped" if end <= known + 1e-6 else "after_hash_sessions"] = \
                phases.get("overlapped" if end <= known + 1e-6 else "after_hash_sessions", 0.0) + end - start
        phases["first_session_start"] = sessions[0][1] if sessions else 0.0
        phases["connect"] = self.sum("connect (client+container)")
        phases["manifest"] = self.sum("manifest+size")
        after = total - known
        phases["after_hash"] = after
        phases["after_hash_other"] = after - phases["upload"] - phases.get("after_hash_sessions", 0.0)
        phases["over_hash"] = known - floor_hash
        phases["over_copy"] = after - floor_copy
        phases["upload_over_copy"] = phases["upload"] - floor_copy
        return phases

    def lines(self):
        return ["    %6.3f-%6.3f %6.3f s  %s" % (start, end, end - start, name) for name, start, end in sorted(self.events, key=lambda e: e[1])]


class Bench(object):
    def __init__(self, args):
        self.args = args
        self.name = "iris-bench-fx-%s" % uuid.uuid4().hex[:8]
        self.tmp = tempfile.mkdtemp(prefix="iris-bench-fixture-")
        self.fixture_dir = os.path.join(self.tmp, "fixture")
        self.client = None
        self.container = None
        self.timelines = []
        self.module = None if args.floor_only else _fixture_module()
        if not args.floor_only and self.module is None:
            print("iris_fixture is not available yet: measuring the floor only", file=sys.stderr)

    # -- set-up ---------------------------------------------------------------------------------
    def start_container(self):
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _container
        from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import iris_lifecycle_argument_spec
        from ansible_collections.iris_devtools.iris.plugins.modules import iris_container
        params = _defaults(iris_lifecycle_argument_spec(), iris_container.argument_spec(), name=self.name, image=self.args.image,
                           env={"IRIS_SIM_DAT_FILL": "random"}, wait_timeout=180, stop_timeout=10)
        manager = _container.ContainerManager(_Module(params))
        manager.run()
        self.client = manager.client
        self.container = self.client.containers.get(self.name)

    def session(self, lines, namespace="%SYS"):
        """Raw ObjectScript through ``iris session`` (set-up only; an independent path, not the module)."""
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
        script = ("\n".join(lines) + "\nhalt\n").encode("utf-8")
        code, out, err = _docker.exec_with_stdin(self.client, self.container.id, ["iris", "session", "IRIS", "-U", namespace],
                                                 script, 600)
        text = out.decode("utf-8", "replace")
        if code not in (0, None):
            raise RuntimeError("set-up session failed (rc=%s): %s %s" % (code, text, err.decode("utf-8", "replace")))
        return text

    def make_source(self):
        """A namespace BENCHSRC on a database of --size-mb MiB (random padding) with one table of 1000 rows."""
        directory = "/usr/irissys/mgr/benchsrc/"
        out = self.session([
            'set sc=##class(SYS.Database).CreateDatabase("%s",%d) write "C1=",sc,!' % (directory, self.args.size_mb),
            'kill p set p("Directory")="%s" set sc=##class(Config.Databases).Create("BENCHSRC",.p) write "C2=",sc,!' % directory,
            'kill p set p("Globals")="BENCHSRC",p("Routines")="BENCHSRC" set sc=##class(Config.Namespaces).Create("BENCHSRC",.p) write "C3=",sc,!',
        ])
        if "C1=1" not in out or "C2=1" not in out or "C3=1" not in out:
            raise RuntimeError("could not create the source database/namespace: %s" % out)
        out = self.session([
            'set rs=##class(%SQL.Statement).%ExecDirect(,"CREATE TABLE Bench.Item (Name VARCHAR(40), Qty INTEGER)")',
            'for i=1:1:1000 set rs=##class(%SQL.Statement).%ExecDirect(,"INSERT INTO Bench.Item (Name, Qty) VALUES (?,?)","item"_i,i)',
            'set rs=##class(%SQL.Statement).%ExecDirect(,"SELECT COUNT(*) FROM Bench.Item") do rs.%Next() write "N=",rs.%GetData(1),!',
        ], namespace="BENCHSRC")
        if "N=1000" not in out:
            raise RuntimeError("could not fill the source table: %s" % out)

    def run_fixture(self, check_mode=False, **params):
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _fixture
        module = _Module(_fixture_params(self.module, container=self.name, timeout=600, **params), check_mode=check_mode)
        started = time.perf_counter()
        result = _fixture.FixtureManager(module).run()
        return time.perf_counter() - started, result

    def make_fixture(self):
        if self.module is None:
            os.mkdir(self.fixture_dir)
            with open(os.path.join(self.fixture_dir, "IRIS.DAT"), "wb") as handle:
                for dummy in range(self.args.size_mb):
                    handle.write(os.urandom(MIB))
            return os.path.join(self.fixture_dir, "IRIS.DAT")
        self.make_source()
        seconds, result = self.run_fixture(state="exported", namespace="BENCHSRC", path=self.fixture_dir,
                                           fixture_id="bench", version="1.0.0")
        print("export: %.2f s, %s" % (seconds, result.get("fixture")))
        dat = os.path.join(self.fixture_dir, "IRIS.DAT")
        print("fixture: %s (%d MiB)" % (dat, os.path.getsize(dat) // MIB))
        return dat

    # -- measurements ---------------------------------------------------------------------------
    def floor(self, dat, index):
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _files
        directory = "/usr/irissys/mgr/benchfloor%d" % index
        self.container.exec_run(["mkdir", "-p", directory])
        started = time.perf_counter()
        _files.sha256_file(dat)
        hashed = time.perf_counter()
        _docker.upload_file(self.client, self.container.id, dat, directory, "IRIS.DAT", timeout=600)
        done = time.perf_counter()
        self.container.exec_run(["rm", "-rf", directory], user="root")
        return done - started, hashed - started, done - hashed

    def restore(self, index):
        namespace = "BENCHFX%d" % index
        with Timeline() as timeline:
            seconds, result = self.run_fixture(state="present", namespace=namespace, path=self.fixture_dir)
        self.timelines.append(timeline)
        if not result.get("changed"):
            raise RuntimeError("the restore into %s changed nothing: %s" % (namespace, result))
        rerun, again = self.run_fixture(state="present", namespace=namespace, path=self.fixture_dir)
        if again.get("changed"):
            raise RuntimeError("the unchanged re-run into %s reported a change: %s" % (namespace, again))
        self.run_fixture(state="absent", namespace=namespace)
        return seconds, rerun, again.get("iris_sessions")

    def empty_session(self):
        """Time of an IRIS session that runs nothing (``halt``): the fixed cost every session of a restore pays."""
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
        started = time.perf_counter()
        _docker.exec_with_stdin(self.client, self.container.id, ["iris", "session", "IRIS", "-U", "%SYS"], b"halt\n", 60)
        return time.perf_counter() - started

    def cleanup(self):
        if self.container is not None and not self.args.keep:
            try:
                self.container.remove(force=True, v=True)
            except Exception:  # pylint: disable=broad-except
                pass
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def import_seconds():
    """Seconds a fresh interpreter needs to import what a restore runs (the module, its manager, the Docker SDK): part
    of every real module run, not of the ratio (this script imports them once)."""
    import subprocess
    code = ("import time; t = time.perf_counter(); "
            "from ansible_collections.iris_devtools.iris.plugins.modules import iris_fixture; "
            "from ansible_collections.iris_devtools.iris.plugins.module_utils import _fixture, _connect, _docker; "
            "import docker; print(time.perf_counter() - t)")
    try:
        out = subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
        return float(out.stdout.decode().strip().splitlines()[-1])
    except (subprocess.CalledProcessError, ValueError, IndexError):
        return float("nan")


def breakdown(phases):
    """Where a restore's time over the floor goes (medians over the runs, each key on its own)."""
    def med(key):
        return statistics.median([p.get(key, 0.0) for p in phases])
    kinds = sorted(set(k for p in phases for k in p if k.startswith(("read", "prepare", "apply", "rollback"))))
    sessions = ", ".join("%s %.3f" % (kind, med(kind)) for kind in kinds)
    return "\n".join([
        "breakdown (medians of %d restores; each figure on its own, so they need not add up exactly):" % len(phases),
        "  sessions: %s s; beside the hash: %.3f s, after it: %.3f s (an empty session: %.3f s)" % (
            sessions, med("overlapped"), med("after_hash_sessions"), med("empty_session")),
        "  until the checksum is known: %.3f s = %+.3f s over the floor's sha256 (hash thread %.3f s from %.3f s; "
        "manifest+size %.3f, connect %.3f, first session at %.3f)" % (
            med("known"), med("over_hash"), med("hash"), med("hash_start"), med("manifest"), med("connect"), med("first_session_start")),
        "  after it: %.3f s = %+.3f s over the floor's copy (upload %+.3f vs the floor's copy, sessions %.3f, python %.3f)" % (
            med("after_hash"), med("over_copy"), med("upload_over_copy"), med("after_hash_sessions"), med("after_hash_other")),
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--image", default="iris-devtools/iris-sim:0.1.0")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--floor-only", action="store_true", help="measure the floor only (no iris_fixture)")
    parser.add_argument("--keep", action="store_true", help="keep the container and the fixture for inspection")
    parser.add_argument("--timeline", action="store_true", help="print every restore's timeline (seconds from its start)")
    parser.add_argument("--order", choices=("alternate", "floor-first", "restore-first"), default="alternate",
                        help="which of floor and restore runs first in each run (default: alternate)")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    bench = Bench(args)
    try:
        bench.start_container()
        dat = bench.make_fixture()
        floors, restores, reruns, phases = [], [], [], []
        orders = {}
        for index in range(max(args.runs, 1)):
            # A 1 GiB copy varies by up to 0.5 s, and in some series the second copy of a run was the slow one (with either
            # order; cause not found): --order alternate (default) puts the floor first in odd runs and the restore first in
            # even ones, so a fixed order does not load that onto one side.
            restore_first = bench.module is not None and (args.order == "restore-first" or (args.order == "alternate" and index % 2))
            if restore_first:
                restore, rerun, sessions = bench.restore(index)
            floor, hashing, copying = bench.floor(dat, index)
            floors.append(floor)
            line = "run %d: floor %.3f s (sha256 %.3f + copy %.3f)" % (index + 1, floor, hashing, copying)
            if bench.module is not None:
                if not restore_first:
                    restore, rerun, sessions = bench.restore(index)
                restores.append(restore)
                reruns.append(rerun)
                orders.setdefault("restore first" if restore_first else "floor first", []).append((floor, restore))
                phases.append(bench.timelines[-1].phases(restore, hashing, copying))
                phases[-1]["empty_session"] = bench.empty_session()
                line += ", restore %.3f s (ratio %.2f, %s), unchanged re-run %.3f s (%s IRIS session(s))" % (
                    restore, restore / floor, "restore first" if restore_first else "floor first", rerun, sessions)
            print(line)
            if bench.module is not None and args.timeline:
                print("\n".join(bench.timelines[-1].lines()))
            sys.stdout.flush()
    finally:
        bench.cleanup()
    floor = statistics.median(floors)
    if not restores:
        print("fixture_restore floor_s=%.3f (floor only)" % floor)
        return
    print("load average at the start %.2f, at the end %.2f" % (load_start, os.getloadavg()[0]))
    print("imports of a module run (fresh interpreter; not in the ratio): %.3f s" % import_seconds())
    print(breakdown(phases))
    print("by order: " + "; ".join("%s: ratio %.2f (%d runs)" % (
        name, statistics.median(r for f, r in pairs) / statistics.median(f for f, r in pairs), len(pairs)) for name, pairs in sorted(orders.items())))
    print("medians: floor %.3f s, restore %.3f s, re-run %.3f s" % (floor, statistics.median(restores), statistics.median(reruns)))
    print("fixture_restore ratio=%.2f target=1.25 rerun_module_s=%.3f target_rerun=0.3" % (
        statistics.median(restores) / floor, statistics.median(reruns)))


if __name__ == "__main__":
    main()
