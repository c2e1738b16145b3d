# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""In-process tests of the PLATFORM parts (cli helpers, web, scheduler, messages.log)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

SIM_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if SIM_ROOT not in sys.path:
    sys.path.insert(0, SIM_ROOT)

from iris_sim import cli, scheduler, web  # noqa: E402
from iris_sim import main as iris_main  # noqa: E402


@pytest.fixture()
def sim_dirs(tmp_path, monkeypatch):
    install = tmp_path / "irissys"
    (install / "mgr").mkdir(parents=True)
    for key in list(os.environ):
        if key.startswith(("ISC_", "IRIS_SIM_")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ISC_PACKAGE_INSTALLDIR", str(install))
    return install


def test_paths_follow_durable_sys(sim_dirs, monkeypatch, tmp_path):
    assert iris_main.mgr_dir() == os.path.join(str(sim_dirs), "mgr")
    monkeypatch.setenv("ISC_DATA_DIRECTORY", str(tmp_path / "durable") + "/")
    assert iris_main.data_dir() == str(tmp_path / "durable")
    assert iris_main.mgr_dir() == str(tmp_path / "durable" / "mgr")


def test_messages_log_line_shape(sim_dirs):
    line = iris_main.log_message("Enabling logons")
    # MM/DD/YY-HH:MM:SS:mmm (pid) 0 [Utility.Event] text
    assert re.fullmatch(r"\d\d/\d\d/\d\d-\d\d:\d\d:\d\d:\d{3} \(\d+\) 0 \[Utility\.Event\] Enabling logons", line)
    with open(iris_main.messages_log_path(), encoding="utf-8") as fh:
        assert fh.read() == line + "\n"


def test_qlist_fields_down_and_running(sim_dirs):
    fields = cli.qlist_line({}).split("^")
    assert len(fields) == 13
    assert fields[:3] == ["IRIS", str(sim_dirs) + "/", cli.IRIS_VERSION]
    assert fields[3].startswith("down, last used ")
    assert fields[4:10] == ["iris.cpf", "1972", "52773", "0", "ok", "IRIS"]
    # a status of running with a live iris-main (this process does not count: not iris_sim.main)
    assert cli.qlist_line({"status": "running", "main_pid": os.getpid()}).split("^")[3].startswith("down")


def test_qlist_running_uses_monitor_state(sim_dirs, monkeypatch):
    monkeypatch.setattr(iris_main, "pid_alive", lambda pid: True)
    mgr = iris_main.mgr_dir()
    with open(os.path.join(mgr, "sim-runtime.json"), "w", encoding="utf-8") as fh:
        json.dump({"monitor_state": 2}, fh)
    fields = cli.qlist_line({"status": "running", "main_pid": 1, "since": 0}).split("^")
    assert fields[3] == "running, since %s" % time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(0))
    assert fields[8] == "alert"
    with open(os.path.join(mgr, "sim-runtime.json"), "w", encoding="utf-8") as fh:
        json.dump({"monitor_state": 0}, fh)
    state = {"status": "running", "main_pid": 1, "warn_until": time.time() + 60}
    assert cli.qlist_line(state).split("^")[8] == "warn"  # IRIS_SIM_MONITOR_WARN_SECS window


@pytest.mark.parametrize("args,expected", [
    (["IRIS"], ("IRIS", "USER", None)),
    (["iris", "-U", "%SYS"], ("iris", "%SYS", None)),
    (["IRIS", "-U%SYS", "##class(A.B).C()"], ("IRIS", "%SYS", "##class(A.B).C()")),
    (["IRIS", "-U", "APP", "TEST^TEST"], ("IRIS", "APP", "TEST^TEST")),
])
def test_session_args(args, expected):
    assert cli._parse_session_args(args) == expected


def test_session_args_errors():
    with pytest.raises(ValueError):
        cli._parse_session_args([])
    with pytest.raises(ValueError):
        cli._parse_session_args(["IRIS", "-U"])
    with pytest.raises(ValueError):
        cli._parse_session_args(["IRIS", "-X"])


def test_unknown_instance_and_command(sim_dirs, capsys):
    assert cli.main(["iris", "qlist", "CACHE"]) == 1
    assert "CACHE" in capsys.readouterr().err
    assert cli.main(["iris", "frobnicate"]) == 1
    assert cli.main(["iris", "help"]) == 0
    assert "session" in capsys.readouterr().out


def test_sim_load_and_metrics(sim_dirs):
    mgr = iris_main.mgr_dir()
    text = web.metrics_text(mgr)
    assert "iris_cpu_usage 5\n" in text and "iris_phys_mem_percent_used 20\n" in text
    for name in ("iris_process_count", "iris_system_state", "iris_license_percent_used", "iris_glo_ref_per_sec"):
        assert re.search(r"^%s [0-9.]+$" % name, text, re.M), name
    assert re.search(r'^iris_db_size_mb\{id="[A-Z]+",dir="[^"]+"\} [0-9.]+$', text, re.M)
    assert re.search(r'^iris_disk_percent_full\{id="[A-Z]+",dir="[^"]+"\} [0-9.]+$', text, re.M)
    assert cli.main(["iris-sim", "load", "--cpu", "95", "--memory", "40.5", "--disk", "97",
                     "--set", "iris_glo_ref_per_sec=1234"]) == 0
    text = web.metrics_text(mgr)
    assert "iris_cpu_usage 95\n" in text and "iris_phys_mem_percent_used 40.5\n" in text
    assert "iris_glo_ref_per_sec 1234\n" in text
    assert re.search(r'^iris_disk_percent_full\{.*\} 97$', text, re.M)
    assert cli.main(["iris-sim", "load", "--reset"]) == 0
    assert "iris_cpu_usage 5\n" in web.metrics_text(mgr)
    assert cli.main(["iris-sim", "load", "--bogus", "1"]) == 1


def test_web_server_endpoints(sim_dirs):
    mgr = iris_main.mgr_dir()
    servers = web.start_servers(mgr, bind="127.0.0.1", web_port=0, ss_port=0)
    try:
        base = "http://127.0.0.1:%d" % servers.web_port
        with urllib.request.urlopen(base + "/api/monitor/metrics", timeout=5) as resp:
            assert resp.headers["Content-Type"].startswith("text/plain")
            assert b"iris_cpu_usage" in resp.read()
        with urllib.request.urlopen(base + "/api/monitor/alerts", timeout=5) as resp:
            assert json.loads(resp.read()) == []
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + "/api/atelier/", timeout=5)
        assert err.value.code == 404
    finally:
        servers.stop()


class _FakeInst:
    """Just what the scheduler needs: a lock, reload, save, and the task model's entry point."""

    def __init__(self):
        self.saved = 0
        self.requested = []
        self.lock = threading.Lock()

    @contextlib.contextmanager
    def session_lock(self):
        with self.lock:
            yield self

    def reload(self):
        pass

    def save(self):
        self.saved += 1

    def run_due_tasks(self, now):
        ran, self.requested = self.requested, []
        return ran


def test_scheduler_runs_requested_task_quickly(monkeypatch):
    inst = _FakeInst()
    # the task model's clock entry point, faked: smoke.sh runs a real RunLegacyTask end to end
    monkeypatch.setattr(scheduler.tasks, "run_due_tasks", lambda fake, now: fake.run_due_tasks(now))
    sched = scheduler.TaskScheduler(inst, poll=0.05)
    sched.start()
    try:
        started = time.time()
        inst.requested = ["1000"]  # a RunNow
        while sched.runs == 0 and time.time() - started < 2:
            time.sleep(0.01)
        assert sched.runs == 1 and inst.saved == 1
        assert time.time() - started < 2  # IRIS polls every 60 s (S1); the simulator within ~2 s
    finally:
        sched.stop()


def test_scheduler_poll_knob(monkeypatch):
    monkeypatch.setenv("IRIS_SIM_TASK_POLL", "0.5")
    assert scheduler.poll_interval() == 0.5
    monkeypatch.setenv("IRIS_SIM_TASK_POLL", "junk")
    assert scheduler.poll_interval() == 1.0


def test_merge_report_lines():
    report = {"ok": True, "file": "/m.cpf", "missing_file": True, "parameters": [], "actions": [
        {"action": "CreateDatabase", "name": "APP", "result": "applied"}], "ignored_sections": ["actions"],
        "errors": []}
    lines = iris_main.merge_result_lines(report)
    assert lines[0].startswith("merge file /m.cpf does not exist")
    assert "CreateDatabase APP: applied" in lines
    assert "section [actions] ignored" in lines


def test_prompt_filter():
    buf = io.StringIO()
    filt = cli._PromptFilter(buf, {"USER>"})
    filt.write("USER>")
    filt.write("hello")
    assert buf.getvalue() == "hello"


def test_image_tag_defaults_follow_version():
    """Places that name the simulator tag as a fallback must match tests/simulator/VERSION."""
    root = Path(__file__).resolve().parents[3]
    version = (root / "tests/simulator/VERSION").read_text(encoding="utf-8").strip()
    files = ["playbooks/demo.yml", "tests/integration/targets/setup_iris_image/tasks/main.yml", "benchmarks/readiness.py"]
    for name in files:
        tags = re.findall(r"iris-devtools/iris-sim:([0-9][0-9A-Za-z.]*)", (root / name).read_text(encoding="utf-8"))
        assert tags, name
        assert set(tags) == {version}, (name, tags, version)


def test_pid_alive_ignores_threads_and_other_programs():
    """A thread id (which /proc also resolves) is not a live iris-main: after `docker kill` + start the old
    main pid can be a thread of the new process."""
    import subprocess
    from iris_sim import main as iris_main
    assert not iris_main.pid_alive(os.getpid())  # pytest, not iris_sim.main
    assert not iris_main.pid_alive("x") and not iris_main.pid_alive(0)
    script = ("import sys, threading, time\n"
              "t = threading.Thread(target=time.sleep, args=(30,), daemon=True)\n"
              "t.start()\n"
              "print(t.native_id, flush=True)\n"
              "time.sleep(30)\n")
    # The dummy argument puts "iris_sim.main" into the process's cmdline, as for the real iris-main.
    child = subprocess.Popen([sys.executable, "-c", script, "iris_sim.main"], stdout=subprocess.PIPE, text=True)
    try:
        tid = int(child.stdout.readline())
        assert tid != child.pid
        assert iris_main.pid_alive(child.pid)
        assert not iris_main.pid_alive(tid)
    finally:
        child.kill()
        child.wait()
