# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""LOCK: incremental lock/unlock, timeout and $TEST, one lock table per instance shared by its processes.

Sources: RCOS_clock, RCOS_clock_with_argument, RCOS_clock_timeout, ALOCK (cited in iris_sim/locks.py).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import time

import pytest

import iris_sim
from iris_sim.errors import IrisError
from iris_sim.interp import Process
from iris_sim.shell import run_session
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

REF = '^IrisDevTools("lock","task","job")'


def _proc(sim) -> Process:
    out = io.StringIO()
    proc = Process(instance=sim.inst, namespace="%SYS", out=out)
    proc.output = out
    return proc


def _run(proc, line) -> str:
    start = proc.output.tell()
    proc.execute(line)
    return proc.output.getvalue()[start:]


def test_lock_with_timeout_sets_test_and_a_second_process_waits(sim):
    """RCOS_clock_timeout: $TEST 1 on success, 0 when another process holds the lock past the timeout."""
    first, second = _proc(sim), _proc(sim)
    assert _run(first, f"lock +{REF}:1 write $TEST") == "1"
    started = time.monotonic()
    assert _run(second, f"lock +{REF}:0.3 write $TEST") == "0"
    assert time.monotonic() - started >= 0.25  # it waited for the timeout
    assert _run(second, f"lock +{REF}:0 write $TEST") == "0"  # 0 = one attempt
    _run(first, f"lock -{REF}")
    assert _run(second, f"lock +{REF}:0 write $TEST") == "1"  # released: the other process gets it


def test_incremental_lock_needs_as_many_unlocks(sim):
    """RCOS_clock_with_argument: + accumulates on the same name; - decrements; released at zero."""
    owner, other = _proc(sim), _proc(sim)
    _run(owner, f"lock +{REF}:1 lock +{REF}:1")
    _run(owner, f"lock -{REF}")
    assert _run(other, f"lock +{REF}:0 write $TEST") == "0"  # still held once
    _run(owner, f"lock -{REF}")
    assert _run(other, f"lock +{REF}:0 write $TEST") == "1"


def test_locks_are_per_name(sim):
    first, second = _proc(sim), _proc(sim)
    _run(first, f"lock +{REF}:1")
    assert _run(second, 'lock +^IrisDevTools("lock","task","other"):0 write $TEST') == "1"


def test_locks_end_with_the_session(sim):
    """ALOCK: when a process ends, the system releases its locks (a halted session keeps nothing)."""
    out = io.StringIO()
    run_session(sim.inst, "%SYS", [f"lock +{REF}:1", "halt"], out)
    assert _run(_proc(sim), f"lock +{REF}:0 write $TEST") == "1"


def test_lock_is_shared_between_os_processes(sim):
    """The lock table is the instance's, so an `iris session` in another OS process conflicts with this one."""
    holder = _proc(sim)
    _run(holder, f"lock +{REF}:1")
    script = textwrap.dedent(f"""
        import io, sys
        from iris_sim.instance import Instance
        from iris_sim.interp import Process
        inst = Instance({sim.root + "/install"!r}, {sim.root + "/data"!r})
        out = io.StringIO()
        proc = Process(instance=inst, namespace="%SYS", out=out)
        proc.execute({"lock +" + REF + ":0.2 write $TEST"!r})
        print(out.getvalue())
    """)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(iris_sim.__file__)))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "0"
    _run(holder, f"lock -{REF}")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "1"


@pytest.mark.parametrize("line", [
    'lock ^IrisDevTools("x")',                # no +/-: release all, then lock
    'lock +(^a,^b):1',                        # several names
    'lock +^a#"S":1',                         # lock types
    'lock +x:1',                              # local lock name
    'lock +^IrisDevTools("no","timeout")',    # would wait indefinitely
    'lock -^IrisDevTools("never","held")',    # unlock of a name not held
])
def test_other_lock_forms_are_not_modelled(sim, line):
    with pytest.raises(IrisError) as info:
        _proc(sim).execute(line)
    assert info.value.name == "COMMAND" and "not modelled" in info.value.detail


def test_a_lock_outside_sys_is_not_modelled(sim):
    """Lock names by mapped database are not modelled; the collection locks only in %SYS."""
    proc = Process(instance=sim.inst, namespace="USER", out=io.StringIO())
    with pytest.raises(IrisError) as info:
        proc.execute(f"lock +{REF}:0")
    assert info.value.name == "COMMAND" and "LOCK outside %SYS" in info.value.detail


def test_argumentless_lock_releases_everything(sim):
    owner = _proc(sim)
    _run(owner, f"lock +{REF}:1 lock +{REF}:1 lock")
    assert _run(_proc(sim), f"lock +{REF}:0 write $TEST") == "1"
