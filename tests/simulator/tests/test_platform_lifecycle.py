# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PLATFORM lifecycle tests: iris-main and the iris command run as processes on the host, in a
temporary install dir, on loopback with free ports (no docker needed; tests/simulator/smoke.sh
covers the image)."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SIM_ROOT not in sys.path:
    sys.path.insert(0, SIM_ROOT)


def sim_env(tmp_path, **extra) -> dict:
    """Environment for a simulated instance under ``tmp_path`` (loopback, free ports, short delays)."""
    install = tmp_path / "irissys"
    home = tmp_path / "home"
    install.mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ISC_", "IRIS_SIM_"))}
    env.update({
        "PYTHONPATH": SIM_ROOT,
        "ISC_PACKAGE_INSTALLDIR": str(install),
        "ISC_PACKAGE_INSTANCENAME": "IRIS",
        "HOME": str(home),
        "IRIS_SIM_BIND": "127.0.0.1",
        "IRIS_SIM_WEB_PORT": "0",
        "IRIS_SIM_SUPERSERVER_PORT": "0",
        "IRIS_SIM_STARTUP_DELAY": "0.2",
        "IRIS_SIM_LOGON_DELAY": "0.1",
        "IRIS_SIM_TASK_POLL": "0.2",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def mgr_of(env) -> str:
    data = env.get("ISC_DATA_DIRECTORY") or env["ISC_PACKAGE_INSTALLDIR"]
    return os.path.join(data, "mgr")


def start_main(env, *args):
    return subprocess.Popen([sys.executable, "-m", "iris_sim.main", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def read_state(env) -> dict:
    try:
        with open(os.path.join(mgr_of(env), "sim-platform.json"), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def wait_for(predicate, timeout=15.0, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in %ss" % timeout)


def wait_logons(env, proc, timeout=20.0):
    def ready():
        if proc.poll() is not None:
            raise AssertionError("iris-main exited early: %s" % proc.stdout.read())
        state = read_state(env)
        return state.get("main_pid") == proc.pid and state.get("logons")
    wait_for(ready, timeout)


def iris(env, *args, stdin=None):
    return subprocess.run([sys.executable, "-m", "iris_sim.cli", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=60, check=False)


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------


def _stop(proc, timeout=20):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        out, dummy = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, dummy = proc.communicate()
    return proc.returncode, out


def _exit(proc, timeout=20):
    """Wait for an iris-main that is expected to fail on its own."""
    out, dummy = proc.communicate(timeout=timeout)
    return proc.returncode, out


def test_start_qlist_metrics_sigterm_and_restart(tmp_path):
    env = sim_env(tmp_path)
    proc = start_main(env)
    try:
        wait_logons(env, proc)
        res = iris(env, "iris", "qlist", "iris")  # instance name is case-insensitive (S29)
        assert res.returncode == 0, res.stderr
        fields = res.stdout.strip().split("^")
        assert len(fields) == 13  # S31
        assert fields[0] == "IRIS"
        assert fields[3].startswith("running, since ")
        assert fields[8] == "ok"
        assert fields[12] == env["ISC_PACKAGE_INSTALLDIR"] + "/"
        state = read_state(env)
        body = urllib.request.urlopen("http://127.0.0.1:%d/api/monitor/metrics" % state["web_port"],
                                      timeout=5).read().decode()
        assert "iris_cpu_usage 5\n" in body
        assert 'iris_db_size_mb{id="USER",' in body
        assert iris(env, "iris-sim", "load", "--cpu", "95", "--memory", "40").returncode == 0
        body = urllib.request.urlopen("http://127.0.0.1:%d/api/monitor/metrics" % state["web_port"],
                                      timeout=5).read().decode()
        assert "iris_cpu_usage 95\n" in body and "iris_phys_mem_percent_used 40\n" in body
        alerts = urllib.request.urlopen("http://127.0.0.1:%d/api/monitor/alerts" % state["web_port"],
                                        timeout=5).read().decode()
        assert json.loads(alerts) == []
        with socket.create_connection(("127.0.0.1", state["superserver_port"]), timeout=5) as conn:
            # the superserver answers the handshake (iris-sources.md WIRE §3.1: protocol 69, feature bits 1)
            conn.sendall(struct.pack("<III2sH", 2, 1, 0, b"HS", 69))
            header = conn.recv(14)
            assert header[:4] != b"" and header[12:14] == b"\0\0"
    finally:
        rc, out = _stop(proc)
    assert rc == 0, out
    assert "Enabling logons" in out and "Shutdown complete" in out
    assert out.index("Enabling logons") < out.index("Shutdown complete")
    res = iris(env, "iris", "qlist")
    assert res.stdout.split("^")[3].startswith("down, last used ")
    # Second start on the same state: no abnormal-shutdown message, monitor ok.
    proc = start_main(env)
    try:
        wait_logons(env, proc)
        assert iris(env, "iris", "qlist").stdout.split("^")[8] == "ok"
    finally:
        rc, out = _stop(proc)
    assert rc == 0 and "abnormal" not in out


def test_killed_instance_is_reported_abnormal_and_alert(tmp_path):
    env = sim_env(tmp_path)
    proc = start_main(env)
    wait_logons(env, proc)
    proc.kill()
    proc.communicate()
    res = iris(env, "iris", "qlist")
    assert res.stdout.split("^")[3].startswith("down")  # dead iris-main means down
    proc = start_main(env)
    try:
        wait_logons(env, proc)
        fields = iris(env, "iris", "qlist").stdout.split("^")
        assert fields[8] == "alert"  # S32: health check fails after an abnormal shutdown
        assert iris(env, "iris-sim", "monitor", "ok").returncode == 0
        assert iris(env, "iris", "qlist").stdout.split("^")[8] == "ok"
    finally:
        rc, out = _stop(proc)
    assert "Previous system shutdown was abnormal" in out


def test_session_refused_while_down_and_unknown_instance(tmp_path):
    env = sim_env(tmp_path)
    res = iris(env, "iris", "session", "IRIS", "-U", "%SYS", stdin="write 1\n")
    assert res.returncode != 0 and "not running" in res.stderr
    res = iris(env, "iris", "qlist", "FOO")
    assert res.returncode != 0 and "FOO" in res.stderr


def test_session_refused_before_logons_enabled(tmp_path):
    env = sim_env(tmp_path, IRIS_SIM_STARTUP_DELAY="0.1", IRIS_SIM_LOGON_DELAY="3")
    proc = start_main(env)
    try:
        wait_for(lambda: read_state(env).get("main_pid") == proc.pid and read_state(env).get("status") == "running")
        # S29/S32: qlist says running, but sessions are refused until "Enabling logons".
        assert iris(env, "iris", "qlist").stdout.split("^")[3].startswith("running")
        res = iris(env, "iris", "session", "IRIS", stdin="halt\n")
        assert res.returncode != 0 and "Sign-on inhibited" in res.stderr
    finally:
        _stop(proc)


def test_password_file_consumed(tmp_path):
    env = sim_env(tmp_path)
    pw = tmp_path / "pw.txt"
    pw.write_text("Secret-123\n")
    proc = start_main(env, "--password-file", str(pw))
    try:
        wait_logons(env, proc)
        assert not pw.exists()
        sys.path.insert(0, SIM_ROOT)
        from iris_sim.instance import Instance, check_password
        inst = Instance(env["ISC_PACKAGE_INSTALLDIR"])
        inst.reload()
        for name in ("_SYSTEM", "SUPERUSER", "ADMIN", "CSPSYSTEM"):
            user = inst.system["users"][name]
            assert check_password(user["Password"], "Secret-123"), name
            assert user["ChangePassword"] == 1  # ADOCK-AUTH: still "require a password change on first login"
    finally:
        rc, out = _stop(proc)
    assert "deleted" in out


@pytest.mark.parametrize("mode, left", [("keep", "pw.txt"), ("rename", "pw.txt.done")])
def test_password_file_kept_or_renamed_when_asked(tmp_path, mode, left):
    """Audit F6/S6: what iris-main does with the file is not sourced; IRIS_SIM_PASSWORD_FILE models the options."""
    env = sim_env(tmp_path, IRIS_SIM_PASSWORD_FILE=mode)
    pw = tmp_path / "pw.txt"
    pw.write_text("Secret-123\n")
    proc = start_main(env, "--password-file", str(pw))
    try:
        wait_logons(env, proc)
        assert sorted(p.name for p in tmp_path.glob("pw.txt*")) == [left]
    finally:
        _stop(proc)


def test_unknown_password_file_mode_is_loud(tmp_path):
    env = sim_env(tmp_path, IRIS_SIM_PASSWORD_FILE="shred")
    pw = tmp_path / "pw.txt"
    pw.write_text("Secret-123\n")
    rc, out = _exit(start_main(env, "--password-file", str(pw)))
    assert rc != 0 and "IRIS_SIM_PASSWORD_FILE=shred is not modelled" in out


def test_abrupt_sigterm_mode_and_iris_stop_first(tmp_path):
    """IRIS_SIM_SIGTERM=abrupt models iris-devtester's report [inf]: a bare SIGTERM leaves an abnormal shutdown;
    `iris stop IRIS quietly` first (iris-sources.md §4.1 S36) shuts IRIS down cleanly."""
    env = sim_env(tmp_path, IRIS_SIM_SIGTERM="abrupt")
    proc = _wait_started(env)
    rc, dummy = _stop(proc)
    assert rc == 128 + signal.SIGTERM
    proc = _wait_started(env)
    try:
        assert iris(env, "iris", "qlist").stdout.split("^")[8] == "alert"
        assert iris(env, "iris-sim", "monitor", "ok").returncode == 0
        assert iris(env, "iris", "stop", "IRIS", "quietly").returncode == 0
    finally:
        rc, out = _stop(proc)
    assert rc == 0 and "Shutdown complete" in out
    proc = _wait_started(env)
    try:
        assert iris(env, "iris", "qlist").stdout.split("^")[8] == "ok"
    finally:
        rc, out = _stop(proc)
    assert "abnormal" not in out


def test_durable_folder_errors(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    env = sim_env(tmp_path, ISC_DATA_DIRECTORY=str(blocker / "iris"))
    rc, out = _exit(start_main(env))
    assert rc != 0
    assert "Durable folder: %s does not exists, or cannot be created" % (blocker / "iris") in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_durable_not_writable(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    env = sim_env(tmp_path, ISC_DATA_DIRECTORY=str(ro))
    rc, out = _exit(start_main(env))
    assert rc != 0 and "ERROR #5001: Cannot create target" in out


def test_durable_sys_keeps_state(tmp_path):
    durable = tmp_path / "durable" / "iris"
    env = sim_env(tmp_path, ISC_DATA_DIRECTORY=str(durable))
    rc, out = _stop(_wait_started(env))
    assert rc == 0, out
    assert (durable / "mgr" / "iris.cpf").exists()
    assert (durable / "mgr" / "messages.log").exists()
    fields = iris(env, "iris", "qlist").stdout.strip().split("^")
    assert fields[12] == str(durable) + "/"
    assert fields[1] == env["ISC_PACKAGE_INSTALLDIR"] + "/"


def _wait_started(env, *args):
    proc = start_main(env, *args)
    wait_logons(env, proc)
    return proc


def test_expired_license_key(tmp_path):
    env = sim_env(tmp_path)
    key = tmp_path / "iris.key"
    key.write_text("[License]\nEXPIRED\n")
    rc, out = _exit(start_main(env, "--key", str(key)))
    assert rc != 0
    assert "Invalid Community Edition license, may have exceeded core limit" in out
    with open(os.path.join(mgr_of(env), "messages.log"), encoding="utf-8") as fh:
        assert "Invalid Community Edition license" in fh.read()


def test_valid_key_is_copied(tmp_path):
    env = sim_env(tmp_path)
    key = tmp_path / "iris.key"
    key.write_text("[License]\nvalid\n")
    proc = _wait_started(env, "--key", str(key))
    _stop(proc)
    with open(os.path.join(mgr_of(env), "iris.key"), encoding="utf-8") as fh:
        assert "valid" in fh.read()


def test_check_caps(tmp_path):
    env = sim_env(tmp_path, IRIS_SIM_FAIL_CAPS="1")
    rc, out = _exit(start_main(env))
    assert rc != 0 and "capabilities" in out
    proc = _wait_started(env, "--check-caps", "false")
    rc, dummy = _stop(proc)
    assert rc == 0


def test_before_after_hooks(tmp_path):
    env = sim_env(tmp_path)
    marker = tmp_path / "after.txt"
    proc = start_main(env, "-b", "echo before-ran", "-a", "echo after > %s" % marker)
    try:
        wait_for(marker.exists)
    finally:
        rc, out = _stop(proc)
    assert rc == 0 and "before-ran" in out


def test_in_container_stop_start_keeps_main(tmp_path):
    env = sim_env(tmp_path)
    proc = _wait_started(env)
    try:
        assert iris(env, "iris", "stop", "IRIS", "quietly").returncode == 0
        assert proc.poll() is None  # PID 1 stays
        assert iris(env, "iris", "qlist").stdout.split("^")[3].startswith("down")
        res = iris(env, "iris", "start", "IRIS")
        assert res.returncode == 0, res.stderr
        assert read_state(env)["logons"] is True
        assert iris(env, "iris", "stop", "IRIS", "restart").returncode == 0
        assert iris(env, "iris", "qlist").stdout.split("^")[3].startswith("running")
    finally:
        rc, dummy = _stop(proc)
    assert rc == 0


def test_iris_start_without_entrypoint_runs_a_daemon(tmp_path):
    env = sim_env(tmp_path)
    res = iris(env, "iris", "start", "IRIS")
    assert res.returncode == 0, res.stderr
    pid = read_state(env)["main_pid"]
    try:
        assert iris(env, "iris", "qlist").stdout.split("^")[3].startswith("running")
        assert iris(env, "iris", "stop", "IRIS", "quietly").returncode == 0
        wait_for(lambda: not os.path.exists("/proc/%d" % pid) or _zombie(pid), 10)
    finally:
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, signal.SIGKILL)


def _zombie(pid):
    try:
        with open("/proc/%d/stat" % pid, encoding="utf-8") as fh:
            return fh.read().split()[2] == "Z"
    except OSError:
        return True


def test_merge_file_at_start_and_iris_merge(tmp_path):
    merge = tmp_path / "merge.cpf"
    merge.write_text("[config]\nglobals=0,0,256,0,0,0\n")
    env = sim_env(tmp_path, ISC_CPF_MERGE_FILE=str(merge))
    proc = _wait_started(env)
    try:
        with open(os.path.join(mgr_of(env), "messages.log"), encoding="utf-8") as fh:
            log = fh.read()
        assert "Applying configuration merge file %s" % merge in log
        # user-needs §2.6: a missing file is reported as success; a relative path is refused.
        res = iris(env, "iris", "merge", "IRIS", str(tmp_path / "missing.cpf"))
        assert res.returncode == 0, res.stderr
        res = iris(env, "iris", "merge", "IRIS", "relative.cpf")
        assert res.returncode != 0
    finally:
        _stop(proc)
