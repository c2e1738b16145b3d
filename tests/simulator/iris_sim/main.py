# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``iris-main``: the simulator's emulation of the IRIS container entrypoint (iris-sources.md §5.2, S25).

It is NOT IRIS.  What it models, with the source of each behaviour:

- options ``--password-file``, ``--key``, ``-a/--after``, ``-b/--before``, ``--check-caps``, ``-l``
  (iris-sources.md §5.2; S25, S29, S30);
- durable %SYS through ``ISC_DATA_DIRECTORY`` and its two failure messages (iris-sources.md LESSONS §6,
  iris-sources.md §5.3);
- ``ISC_CPF_MERGE_FILE`` applied at every start (S27, S28);
- ``qlist`` says ``running`` before ``Enabling logons`` (S29, S32; iris-sources.md §0.11);
- an expired licence key stops the start with the message users hit most (iris-sources.md NEEDS §2.1);
- an abnormal previous shutdown leaves the System Monitor in state alert (S32; iris-sources.md §0.12);
- SIGTERM (``docker stop``) shuts down cleanly (S25) and keeps the state for the next start.  Sources
  disagree here (iris-devtester 1.21 reports lost rows after a bare ``docker stop`` and says iris-main
  does not trap SIGTERM, iris-sources.md PEERS §2): ``IRIS_SIM_SIGTERM=abrupt`` models that report [inf] - a running
  instance then ends like a killed one (abnormal shutdown at the next start); ``iris stop`` first
  (``iris stop IRIS quietly``, iris-sources.md §4.1 S36) still shuts it down cleanly.

The platform state (status, since/last-used, logons, monitor state, pid) lives in
``<mgr>/sim-platform.json``; ``cli.py`` reads it for ``qlist`` and writes control requests to
``<mgr>/sim-control.json`` (``iris stop``/``iris start`` inside the container do not end PID 1).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import importlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime

SIM_VERSION_FILE = "sim-version"
STATE_FILE = "sim-platform.json"
CONTROL_FILE = "sim-control.json"
LOAD_FILE = "sim-load.json"
MESSAGES_LOG = "messages.log"

# Real message texts.  Sources beside each.
# iris-sources.md LESSONS §6 / §3 row 12 (observed text, grammar as quoted there):
MSG_DURABLE_MISSING = "Durable folder: {dir} does not exists, or cannot be created"
# iris-sources.md §5.3 (root-owned mount point):
MSG_CANNOT_CREATE_TARGET = "ERROR #5001: Cannot create target: {dir}"
# iris-sources.md NEEDS §2.1 (the licence failure users hit most):
MSG_LICENSE_EXPIRED = "Invalid Community Edition license, may have exceeded core limit"
# [inf] wording of the capability check failure (S25 documents the check, not its text):
MSG_CAPS = "Required Linux capabilities are missing: CAP_SETUID CAP_SETGID (use --check-caps false to skip this check)"


# ---------------------------------------------------------------------------------------------
# Paths and environment (DESIGN.md Contract 3 uses the same rule)
# ---------------------------------------------------------------------------------------------

def instance_name() -> str:
    """S25: the instance name is always IRIS in the official image."""
    return os.environ.get("ISC_PACKAGE_INSTANCENAME", "IRIS")


def install_dir() -> str:
    return os.environ.get("ISC_PACKAGE_INSTALLDIR", "/usr/irissys").rstrip("/") or "/"


def data_dir() -> str:
    """S25: durable %SYS (``ISC_DATA_DIRECTORY``) holds the instance-specific data; else the install dir."""
    durable = os.environ.get("ISC_DATA_DIRECTORY", "").strip()
    return durable.rstrip("/") if durable else install_dir()


def mgr_dir() -> str:
    return os.path.join(data_dir(), "mgr")


def env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def sim_version() -> str:
    path = os.path.join(install_dir(), SIM_VERSION_FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return "0.6.0"


# ---------------------------------------------------------------------------------------------
# Platform state file
# ---------------------------------------------------------------------------------------------

def _atomic_write_json(path: str, data: dict) -> None:
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


def read_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def _state_lock(mgr: str):
    with open(os.path.join(mgr, "sim-platform.lock"), "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_state(mgr: str | None = None) -> dict:
    return read_json(os.path.join(mgr or mgr_dir(), STATE_FILE))


def update_state(mgr: str | None = None, **changes) -> dict:
    mgr = mgr or mgr_dir()
    with _state_lock(mgr):
        state = read_state(mgr)
        state.update(changes)
        _atomic_write_json(os.path.join(mgr, STATE_FILE), state)
    return state


def pid_alive(pid) -> bool:
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        # /proc/<n> also resolves thread ids: after a restart in the container's new pid namespace the old
        # main pid can be a THREAD of the new iris-main.  Only a process (Tgid == pid) counts.
        with open("/proc/%d/status" % pid, "r", encoding="utf-8") as fh:
            tgid = [line.split()[1] for line in fh if line.startswith("Tgid:")]
        with open("/proc/%d/cmdline" % pid, "rb") as fh:
            cmd = fh.read()
    except (OSError, IndexError):
        return False
    return tgid == [str(pid)] and b"iris_sim.main" in cmd


def system_state_name(code) -> str:
    """qlist field 9 (S31): ok / warn / alert from the System Monitor state 0 / 1 / 2."""
    try:
        code = int(code or 0)
    except (TypeError, ValueError):
        code = 2
    return {0: "ok", 1: "warn", 2: "alert"}.get(code, "alert")


RUNTIME_FILE = "sim-runtime.json"  # the instance model's runtime file: status, monitor_state, mounts


def read_runtime(mgr: str | None = None) -> dict:
    return read_json(os.path.join(mgr or mgr_dir(), RUNTIME_FILE))


def effective_system_state(state: dict, mgr: str | None = None) -> int:
    """System Monitor state (``%SYSTEM.Monitor.State``, kept by the instance model; 2 after an
    abnormal shutdown, S32).  IRIS_SIM_MONITOR_WARN_SECS models 'warning for the first minutes of a
    new container' (iris-sources.md LESSONS §3 row 11)."""
    try:
        code = int(read_runtime(mgr).get("monitor_state", 0) or 0)
    except (TypeError, ValueError):
        code = 2
    warn_until = float(state.get("warn_until", 0) or 0)
    if code == 0 and warn_until and time.time() < warn_until:
        return 1
    return code


# ---------------------------------------------------------------------------------------------
# messages.log
# ---------------------------------------------------------------------------------------------

def messages_log_path(mgr: str | None = None) -> str:
    return os.path.join(mgr or mgr_dir(), MESSAGES_LOG)


def log_message(text: str, severity: int = 0, category: str = "Utility.Event", mgr: str | None = None,
                pid: int | None = None) -> str:
    """Append one line in IRIS's messages.log shape:
    ``MM/DD/YY-HH:MM:SS:mmm (pid) severity [Category] text`` [inf: shape from memory of real logs]."""
    now = datetime.now()
    line = "%s:%03d (%d) %d [%s] %s" % (now.strftime("%m/%d/%y-%H:%M:%S"), now.microsecond // 1000,
                                        pid or os.getpid(), severity, category, text)
    path = messages_log_path(mgr)
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError:
        print(line, flush=True)
    return line


# ---------------------------------------------------------------------------------------------
# Adapters to the MODELS layer (instance.py, cpf.py); kept small so the platform works while the
# models evolve.
# ---------------------------------------------------------------------------------------------

def open_instance():
    from iris_sim.instance import Instance  # MODELS, DESIGN.md Contract 3
    return Instance.open()


def set_instance_status(inst, status: str) -> None:
    """Mirror the platform status into the instance model (DESIGN.md Contract 3: written by main.py)."""
    if inst is None:
        return
    setter = getattr(inst, "set_status", None)
    try:
        if callable(setter):
            setter(status)
        else:
            inst.status = status
    except Exception as exc:  # pragma: no cover - depends on MODELS
        log_message("simulator: could not record status %s: %s" % (status, exc), 1, "Generic.Event")


class _Tail:
    """Copies what is appended to a file to ``out`` (iris-main shows messages.log in the container
    log; ``-l`` adds files).  Starts at the file's current end (earlier runs are not repeated)."""

    def __init__(self, path: str, out):
        self.path = path
        self.out = out
        self.lock = threading.Lock()
        try:
            self.pos = os.path.getsize(path)
        except OSError:
            self.pos = 0

    def drain(self) -> None:
        with self.lock:
            try:
                size = os.path.getsize(self.path)
            except OSError:
                return
            if size < self.pos:
                self.pos = 0  # truncated or replaced
            if size == self.pos:
                return
            with open(self.path, encoding="utf-8", errors="replace") as fh:
                fh.seek(self.pos)
                chunk = fh.read()
                self.pos = fh.tell()
            try:
                self.out.write(chunk)
                self.out.flush()
            except (OSError, ValueError):
                pass

    def follow(self, stop: threading.Event) -> None:
        while not stop.wait(0.1):
            self.drain()


class IrisMain:
    """One iris-main process.  ``mode`` is ``entrypoint`` (PID 1's child under tini; tails the logs
    to stdout and keeps running while the instance is stopped) or ``daemon`` (started by ``iris start``
    without an entrypoint, e.g. in a Dockerfile RUN step; exits when the instance stops)."""

    def __init__(self, args, mode: str = "entrypoint", out=None):
        self.args = args
        self.mode = mode
        self.out = out or sys.stdout
        self.mgr = mgr_dir()
        self.inst = None
        self.servers = None
        self.scheduler = None
        self.wake = threading.Event()
        self.terminate = False
        self.running = False
        self._tails: list[_Tail] = []
        self._tail_threads: list[threading.Thread] = []
        self._tail_stop = threading.Event()
        self._main_log = None

    # -- output ---------------------------------------------------------------------------------
    def info(self, text: str, level: str = "INFO") -> None:
        """iris-main's own lines, ``[INFO] ...`` on stdout and in ~/iris-main.log (S25) [inf: wording]."""
        line = "[%s] %s" % (level, text)
        self.drain_tails()  # keep the container log in order
        try:
            print(line, file=self.out, flush=True)
        except (OSError, ValueError):
            pass
        if self._main_log is None:
            home = os.environ.get("HOME") or "/home/irisowner"
            try:
                self._main_log = open(os.path.join(home, "iris-main.log"), "a", encoding="utf-8")
            except OSError:
                self._main_log = False
        if self._main_log:
            self._main_log.write(line + "\n")
            self._main_log.flush()

    def msg(self, text: str, severity: int = 0, category: str = "Utility.Event") -> None:
        log_message(text, severity, category, mgr=self.mgr)

    def _start_tail(self, path: str) -> None:
        tail = _Tail(path, self.out)
        self._tails.append(tail)
        thread = threading.Thread(target=tail.follow, args=(self._tail_stop,), name="tail:" + path, daemon=True)
        thread.start()
        self._tail_threads.append(thread)

    def drain_tails(self) -> None:
        for tail in self._tails:
            tail.drain()

    def stop_tails(self) -> None:
        self.drain_tails()
        self._tail_stop.set()
        for thread in self._tail_threads:
            thread.join(1)
        self.drain_tails()

    # -- checks -----------------------------------------------------------------------------------
    def fail(self, text: str, code: int = 1) -> int:
        self.info(text, "ERROR")
        return code

    def check_durable(self) -> int:
        durable = os.environ.get("ISC_DATA_DIRECTORY", "").strip()
        if not durable:
            return 0
        durable = durable.rstrip("/")
        if not os.path.isdir(durable):
            try:
                os.makedirs(durable, exist_ok=True)
            except OSError:
                return self.fail(MSG_DURABLE_MISSING.format(dir=durable))
        if not os.access(durable, os.W_OK | os.X_OK):
            # iris-sources.md §5.3: a root-owned mount point gives ERROR #5001 Cannot create target.
            return self.fail(MSG_CANNOT_CREATE_TARGET.format(dir=os.path.join(durable, "mgr") + "/"))
        return 0

    def check_license(self) -> int:
        """Licence key: ``--key`` copies it to mgr/iris.key (S25); a key whose content contains
        ``EXPIRED`` (or IRIS_SIM_LICENSE=expired, modelling an old image's built-in licence) fails the
        start like an expired Community licence (iris-sources.md NEEDS §2.1)."""
        key = self.args.key
        target = os.path.join(self.mgr, "iris.key")
        if key:
            if not os.path.isfile(key):
                return self.fail("License key file %s does not exist" % key)  # [inf] wording
            try:
                shutil.copyfile(key, target)
            except OSError as exc:
                return self.fail("Cannot copy license key %s to %s: %s" % (key, target, exc.strerror))
            self.info("Copied license key %s to %s" % (key, target))
        expired = os.environ.get("IRIS_SIM_LICENSE", "").lower() == "expired"
        if os.path.isfile(target):
            try:
                with open(target, encoding="utf-8", errors="replace") as fh:
                    expired = expired or "EXPIRED" in fh.read()
            except OSError:
                pass
        if expired:
            self.msg(MSG_LICENSE_EXPIRED, 3, "Generic.Event")
            return self.fail(MSG_LICENSE_EXPIRED)
        return 0

    def run_hook(self, what: str, command: str) -> int:
        self.info("Executing command %s..." % command)  # [inf] wording
        proc = subprocess.run(["/bin/sh", "-c", command], stdout=self.out, stderr=subprocess.STDOUT,
                              check=False)
        if proc.returncode != 0:
            return self.fail("Command %s (%s) exited with status %d" % (command, what, proc.returncode))
        self.info("...executed command %s" % command)
        return 0

    # -- instance start/stop ------------------------------------------------------------------------
    def start_instance(self) -> int:
        os.makedirs(self.mgr, exist_ok=True)
        prev = read_state(self.mgr)
        other = prev.get("main_pid")
        if prev.get("status") in ("starting", "running") and other != os.getpid() and pid_alive(other):
            return self.fail("Instance %s is already running (pid %s)" % (instance_name(), other))
        rc = self.check_license()
        if rc:
            return rc
        self.info("Starting InterSystems IRIS instance %s..." % instance_name())
        update_state(self.mgr, status="starting", logons=False, main_pid=os.getpid(), main_mode=self.mode,
                     since=time.time(), instance=instance_name())
        self.msg("IRIS simulator %s starting instance %s (this is NOT InterSystems IRIS)"
                 % (sim_version(), instance_name()), 0, "Generic.Event")
        self.inst = open_instance()
        try:
            with self.inst.session_lock():
                self._initialize_if_needed()
                report = self.inst.startup()  # mounts the databases; detects an abnormal previous stop
                set_instance_status(self.inst, "starting")
        except Exception as exc:  # e.g. [Actions] in iris.cpf aborts startup (user-needs §2.6)
            self.msg("Startup aborted: %s" % exc, 3, "Generic.Event")
            update_state(self.mgr, status="down", logons=False, last_used=time.time())
            return self.fail("Startup of instance %s failed: %s" % (instance_name(), exc))
        for dbname, reason in sorted((report.get("failed") or {}).items()):
            self.msg("Failed to mount database %s: %s" % (dbname, reason), 2, "Generic.Event")
        if report.get("abnormal"):
            # S32 / iris-sources.md §0.12: the instance model put the System Monitor in alert, so
            # /irisHealth.sh fails although the instance recovered.
            self.msg("Previous system shutdown was abnormal, system forced down or crashed", 2,
                     "Generic.Event")
            for dbname in report.get("recovered") or ():
                self.msg("Database %s recovered" % dbname, 1, "Generic.Event")
        warn_secs = env_float("IRIS_SIM_MONITOR_WARN_SECS", 0.0)
        update_state(self.mgr, warn_until=(time.time() + warn_secs) if warn_secs > 0 else 0)
        self._apply_merge_file()
        rc = self._apply_password_file()
        if rc:
            self._abort_start()
            return rc
        self._start_servers()
        # S29/S32: qlist shows running a little before logons are enabled.
        time.sleep(max(0.0, env_float("IRIS_SIM_STARTUP_DELAY", 1.5)))
        if self.terminate:
            return 0
        update_state(self.mgr, status="running", since=time.time())
        self._set_status("running")
        time.sleep(max(0.0, env_float("IRIS_SIM_LOGON_DELAY", 0.5)))
        self._start_scheduler()
        self.msg("Enabling logons")
        # Running before logons are seen enabled: a SIGTERM right after a client saw them must find it running.
        self.running = True
        update_state(self.mgr, logons=True)
        self.info("...started InterSystems IRIS instance %s" % instance_name())
        return 0

    def _abort_start(self) -> None:
        self._stop_servers()
        if self.inst is not None:
            try:
                with self.inst.session_lock():
                    self.inst.reload()
                    self.inst.shutdown()
            except Exception as exc:  # pragma: no cover - best effort
                self.msg("simulator: dismount after a failed start: %s" % exc, 2, "Generic.Event")
        update_state(self.mgr, status="down", logons=False, last_used=time.time())
        self._set_status("down")

    def _set_status(self, status: str) -> None:
        if self.inst is None:
            return
        try:
            with self.inst.session_lock():
                self.inst.reload()
                set_instance_status(self.inst, status)
                self.inst.save()
        except Exception as exc:  # pragma: no cover - depends on MODELS
            self.msg("simulator: could not record status %s: %s" % (status, exc), 1, "Generic.Event")

    def _initialize_if_needed(self) -> None:
        """First start (also first start on a new durable %SYS): the instance model creates the
        default configuration, databases and predefined users with password SYS that must be
        changed (S25)."""
        if not self.inst.is_initialized():
            if os.environ.get("ISC_DATA_DIRECTORY"):
                self.msg("Durable %%SYS: initializing %s" % data_dir(), 0, "Generic.Event")
            self.inst.initialize()
        else:
            self.inst.reload()

    def _apply_merge_file(self) -> None:
        """S27/S28: ISC_CPF_MERGE_FILE is applied before the first start and at every start."""
        path = os.environ.get("ISC_CPF_MERGE_FILE", "").strip()
        if not path:
            return
        if not os.path.isfile(path):
            # [inf] a missing merge file does not stop the start; it is only logged.
            self.msg("Configuration merge file %s (ISC_CPF_MERGE_FILE) not found" % path, 1)
            return
        self.msg("Applying configuration merge file %s (ISC_CPF_MERGE_FILE)" % path)
        if self.inst is None:
            return
        try:
            from iris_sim import cpf
            with self.inst.session_lock():
                self.inst.reload()
                result = cpf.merge(self.inst, path)
                self.inst.save()
            ok = result.get("ok", True) if isinstance(result, dict) else True
            for line in merge_result_lines(result):
                self.msg(line, 0 if ok else 2)
            self.msg("Configuration merge file %s %s" % (path, "applied" if ok else "failed"), 0 if ok else 2)
        except Exception as exc:
            self.msg("Configuration merge file %s failed: %s" % (path, exc), 2)

    def _apply_password_file(self) -> int:
        """S25: --password-file sets the password of all predefined accounts, CSPSystem included.

        What happens to the file afterwards is NOT sourced (audit F6/S6: iris-sources.md §5.4 says
        "consumed", but no public text describes deletion, renaming or timing).  IRIS_SIM_PASSWORD_FILE
        chooses: ``delete`` (default [inf]), ``keep`` or ``rename`` (to ``<file>.done`` [inf]), so the
        collection can be tested against each; if deleting fails the log says so."""
        path = self.args.password_file
        if not path:
            return 0
        mode = os.environ.get("IRIS_SIM_PASSWORD_FILE", "delete").strip().lower() or "delete"
        if mode not in ("delete", "keep", "rename"):
            return self.fail("IRIS_SIM_PASSWORD_FILE=%s is not modelled (delete, keep or rename)" % mode)
        if not os.path.exists(path):
            # [inf] a consumed file on a later start (container restart) is not an error.
            self.info("Password file %s not found (already consumed?); passwords unchanged" % path, "WARNING")
            return 0
        try:
            with open(path, encoding="utf-8") as fh:
                password = fh.read().splitlines()[0] if os.path.getsize(path) else ""
        except (OSError, IndexError) as exc:
            return self.fail("Cannot read password file %s: %s" % (path, exc))
        if not password:
            return self.fail("Password file %s is empty" % path)
        if self.inst is not None:
            try:
                with self.inst.session_lock():
                    self.inst.reload()
                    self.inst.set_predefined_passwords(password)  # S25; ADOCK-AUTH
                    self.inst.save()
            except Exception as exc:
                return self.fail("Cannot set the password from %s: %s" % (path, exc))
        self.args.password_file = None  # consumed: not applied again by `iris stop restart`
        self.info("Password of the predefined accounts set from %s" % path)
        try:
            if mode == "delete":
                os.remove(path)
                self.info("Password file %s deleted" % path)
            elif mode == "rename":
                os.replace(path, path + ".done")
                self.info("Password file %s renamed to %s.done" % (path, path))
        except OSError as exc:
            self.info("Could not %s password file %s: %s" % (mode, path, exc.strerror), "WARNING")
        return 0

    def _start_servers(self) -> None:
        from iris_sim import web
        try:
            self.servers = web.start_servers(self.mgr)
            self.msg("Private webserver started on %d" % self.servers.web_port)
            self.msg("Superserver started on %d" % self.servers.ss_port)
            update_state(self.mgr, web_port=self.servers.web_port, superserver_port=self.servers.ss_port)
        except (OSError, ValueError) as exc:  # ValueError: an unusable IRIS_SIM_SSLDEFS section
            self.msg("Private webserver or superserver could not start: %s" % exc, 2)
            self.servers = None

    def _stop_servers(self) -> None:
        if self.servers is not None:
            self.servers.stop()
            self.servers = None

    def _start_scheduler(self) -> None:
        if self.inst is None:
            return
        importlib.import_module("iris_sim.models")  # registers the task model
        from iris_sim import scheduler
        self.scheduler = scheduler.TaskScheduler(self.inst, mgr=self.mgr,
                                                 log=lambda text: self.msg(text, 1, "Generic.Event"))
        self.scheduler.start()
        self.msg("Starting TASKMGR")

    def stop_instance(self, quietly: bool = True) -> None:
        if not self.running and read_state(self.mgr).get("status") == "down":
            return
        self.info("Shutting down InterSystems IRIS instance %s..." % instance_name())
        update_state(self.mgr, logons=False)
        self.msg("Shutting down the system")
        if self.scheduler is not None:
            self.scheduler.stop()
            self.scheduler = None
        self._stop_servers()
        if self.inst is not None:
            try:
                with self.inst.session_lock():
                    self.inst.reload()
                    self.inst.shutdown()  # saves and dismounts every database (clears the marks)
                    set_instance_status(self.inst, "down")
                self.msg("Databases dismounted", 0, "Generic.Event")
            except Exception as exc:
                self.msg("simulator: shutdown of the instance model failed: %s" % exc, 2, "Generic.Event")
        update_state(self.mgr, status="down", logons=False, last_used=time.time(), clean_shutdown=True)
        self.msg("Shutdown complete", 0, "Generic.Event")
        self.running = False
        self.info("...shut down InterSystems IRIS instance %s" % instance_name())

    # -- control ------------------------------------------------------------------------------------
    def handle_control(self) -> None:
        path = os.path.join(self.mgr, CONTROL_FILE)
        request = read_json(path)
        if not request:
            return
        with contextlib.suppress(OSError):
            os.remove(path)
        cmd = request.get("cmd")
        rc = 0
        if cmd in ("stop", "restart"):
            self.stop_instance()
        if cmd in ("start", "restart") and not self.running:
            rc = self.start_instance()
        update_state(self.mgr, control_done=request.get("id"), control_rc=rc)

    def loop(self) -> int:
        while not self.terminate:
            self.wake.wait(0.5)
            self.wake.clear()
            if self.terminate:
                break
            self.handle_control()
            if self.mode == "daemon" and not self.running:
                break
        return 0


def merge_result_lines(result) -> list[str]:
    """Log lines for whatever cpf.merge (or a model call) returned; a cpf.merge report is a dict
    ``{"ok", "file", "missing_file", "parameters", "actions", "ignored_sections", "errors"}``."""
    if result is None:
        return []
    if isinstance(result, str):
        return [result] if result else []
    if isinstance(result, (list, tuple)):
        return [str(x) for x in result]
    if isinstance(result, dict):
        lines = []
        if result.get("missing_file"):
            # user-needs §2.6: IRIS reports success for a merge file that does not exist.
            lines.append("merge file %s does not exist (nothing merged)" % result.get("file"))
        for param in result.get("parameters", []):
            lines.append(param if isinstance(param, str) else json.dumps(param, sort_keys=True))
        for action in result.get("actions", []):
            if isinstance(action, dict):
                lines.append("%s %s: %s" % (action.get("action"), action.get("name"), action.get("result")))
            else:
                lines.append(str(action))
        for section in result.get("ignored_sections", []):
            lines.append("section [%s] ignored" % section)
        for error in result.get("errors", []):
            lines.append("ERROR: %s" % error)
        return lines
    return [str(result)]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="iris-main", description="IRIS simulator entrypoint (NOT IRIS)")
    p.add_argument("--password-file", dest="password_file")
    p.add_argument("--key")
    p.add_argument("-a", "--after", action="append", default=[])
    p.add_argument("-b", "--before", action="append", default=[])
    p.add_argument("--check-caps", dest="check_caps", default="true")
    p.add_argument("-l", "--log", dest="log", action="append", default=[])
    p.add_argument("--ISCAgent", dest="isc_agent", default="true")  # S30: accepted, nothing to start
    p.add_argument("-i", "--instance", default=None)
    p.add_argument("--daemon", action="store_true", help=argparse.SUPPRESS)  # used by `iris start`
    return p


def _truthy(value: str) -> bool:
    return str(value).strip().lower() not in ("false", "0", "no", "off")


def run(argv=None, out=None) -> int:
    args = build_parser().parse_args(argv)
    mode = "daemon" if args.daemon else "entrypoint"
    main = IrisMain(args, mode, out)

    def on_term(signum, _frame):
        if signum == signal.SIGTERM and os.environ.get("IRIS_SIM_SIGTERM", "").lower() == "abrupt" and main.running:
            # [inf] iris-devtester's report (module docstring): IRIS is not shut down; it ends as if killed.
            os._exit(128 + signum)
        main.terminate = True
        main.wake.set()

    def on_wake(_signum, _frame):
        main.wake.set()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    signal.signal(signal.SIGUSR1, on_wake)

    main.info("IRIS simulator %s - this is NOT InterSystems IRIS" % sim_version())
    if _truthy(args.check_caps) and os.environ.get("IRIS_SIM_FAIL_CAPS") == "1":
        return main.fail(MSG_CAPS)
    rc = main.check_durable()
    if rc:
        return rc
    try:
        os.makedirs(main.mgr, exist_ok=True)
    except OSError:
        return main.fail(MSG_CANNOT_CREATE_TARGET.format(dir=main.mgr + "/"))
    if mode == "entrypoint":
        # iris-main shows messages.log in the container log; -l adds further files (iris-sources.md §5.2).
        main._start_tail(messages_log_path(main.mgr))
        for extra in args.log:
            if os.path.abspath(extra) != os.path.abspath(messages_log_path(main.mgr)):
                main._start_tail(extra)
    for cmd in args.before:
        rc = main.run_hook("--before", cmd)
        if rc:
            main.stop_tails()
            return rc
    rc = main.start_instance()
    if rc:
        main.stop_tails()
        return rc
    if not main.terminate:
        for cmd in args.after:
            rc = main.run_hook("--after", cmd)
            if rc:
                main.stop_instance()
                main.stop_tails()
                return rc
    rc = main.loop()
    if main.running or read_state(main.mgr).get("status") != "down":
        main.stop_instance()
    main.stop_tails()
    return rc


def request_control(cmd: str, mgr: str | None = None) -> str:
    """Used by ``iris stop/start``: hand a request to the running iris-main (control file + SIGUSR1)."""
    mgr = mgr or mgr_dir()
    req_id = uuid.uuid4().hex
    _atomic_write_json(os.path.join(mgr, CONTROL_FILE), {"cmd": cmd, "id": req_id})
    pid = read_state(mgr).get("main_pid")
    if pid_alive(pid):
        with contextlib.suppress(OSError):
            os.kill(int(pid), signal.SIGUSR1)
    return req_id


if __name__ == "__main__":
    sys.exit(run())
