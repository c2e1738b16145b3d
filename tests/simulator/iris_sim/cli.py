# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's ``iris`` command (``/usr/irissys/bin/iris``) and the ``iris-sim`` test helper.

It is NOT IRIS.  Modelled (iris-sources.md §4.1; S25, S29, S31, S36):

- ``iris session|terminal <INST> [-U <NS>] ["entryref"]``: stdin lines or one entry reference;
- ``iris qlist [INST]``: one line of 13 ``^``-separated fields (S31);
- ``iris list``: human-readable listing [inf: layout from memory];
- ``iris merge <INST> <file>``: merge into the running instance (S27; user-needs §2.6 quirks);
- ``iris stop <INST> [quietly|restart]``, ``iris start <INST>``: inside a container they stop/start
  the instance without ending PID 1 (control file read by ``iris-main``);
- ``iris help``.

``iris-sim load --cpu N --memory N [--disk N] [--license N] [--set name=value] | --reset``,
``iris-sim state`` (JSON), ``iris-sim monitor ok|warn|alert`` are simulator-only helpers
(DESIGN.md Contract 5).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time

from iris_sim import main as _main

# Version reported by qlist/list.  [inf] a plausible 2025.1 Community build number.
IRIS_VERSION = "2025.1.0.223.0"

# [inf] messages of the real `iris` command for these cases (not found in the cited sources).
MSG_NOT_RUNNING = "IRIS is not running."
MSG_STARTING = "Sign-on inhibited: startup of InterSystems IRIS is in progress."
MSG_UNKNOWN_INSTANCE = "Instance '{name}' not found."

USAGE = """\
Usage: iris <command> [<instance>] [options]   (IRIS simulator - NOT InterSystems IRIS)
  session|terminal <instance> [-U <namespace>] ["<entryref>"]  ObjectScript shell (stdin lines)
  qlist [<instance>]                                           machine-readable status line
  list [<instance>]                                            human-readable status
  merge <instance> <absolute merge file>                       apply a configuration merge file
  start <instance>                                             start the instance
  stop <instance> [quietly|restart]                            stop (or restart) the instance
  help                                                         this text
"""

SIM_USAGE = """\
Usage: iris-sim <command>   (IRIS simulator test helper)
  load --cpu N --memory N [--disk N] [--license N] [--set name=value ...] | --reset
  state                        platform and instance state as JSON
  monitor ok|warn|alert        set the System Monitor state (qlist field 9, health check)
"""


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _check_instance(name: str | None) -> bool:
    """S25: the only instance is IRIS; names are case-insensitive (S29 uses `iris session iris`)."""
    if name is None or name.upper() != _main.instance_name().upper():
        _err(MSG_UNKNOWN_INSTANCE.format(name=name or ""))
        return False
    return True


def _fmt_time(epoch) -> str:
    # S31 sample: "running, since Fri May 13 22:07:02 2016"
    try:
        epoch = float(epoch)
    except (TypeError, ValueError):
        epoch = time.time()
    return time.strftime("%a %b %d %H:%M:%S %Y", time.localtime(epoch))


def instance_status(state: dict) -> str:
    """Normalised status: running / starting / down (a dead iris-main means down)."""
    status = state.get("status") or "down"
    if status != "down" and not _main.pid_alive(state.get("main_pid")):
        return "down"
    return status


def qlist_line(state: dict | None = None) -> str:
    """S31: name^install dir^version^status^cpf^superserver^webserver^JDBC gateway^state^product^
    mirror member type^mirror status^data dir.  Field 4 says ``running`` while IRIS starts, before logons
    are enabled (S29, S32)."""
    state = _main.read_state() if state is None else state
    status = instance_status(state)
    if status == "down":
        status_text = "down, last used %s" % _fmt_time(state.get("last_used", state.get("since")))
        monitor = "ok"
    else:
        status_text = "running, since %s" % _fmt_time(state.get("since"))
        monitor = _main.system_state_name(_main.effective_system_state(state))
    install = _main.install_dir().rstrip("/") + "/"
    data = _main.data_dir().rstrip("/") + "/"
    fields = [_main.instance_name(), install, IRIS_VERSION, status_text, "iris.cpf", "1972", "52773", "0",
              monitor, "IRIS", "", "", data]
    return "^".join(fields)


def cmd_qlist(args: list[str]) -> int:
    if args and not _check_instance(args[0]):
        return 1
    print(qlist_line(), flush=True)
    return 0


def cmd_list(args: list[str]) -> int:
    if args and not _check_instance(args[0]):
        return 1
    fields = qlist_line().split("^")
    print("\nConfiguration '%s'   (default)" % fields[0])
    print("\tdirectory:    %s" % fields[1])
    print("\tversionid:    %s" % fields[2])
    print("\tdatadir:      %s" % fields[12])
    print("\tconf file:    %s  (SuperServer port = %s, WebServer = %s)" % (fields[4], fields[5], fields[6]))
    print("\tstatus:       %s" % fields[3])
    print("\tstate:        %s" % fields[8])
    print("\tproduct:      InterSystems IRIS (simulator)", flush=True)
    return 0


def _parse_session_args(args: list[str]):
    """``<INST> [-U <NS>|-U<NS>] ["entryref"]``; returns (instance, namespace, entryref) or raises."""
    if not args:
        raise ValueError("missing instance name")
    inst_name = args[0]
    namespace = None
    entry = None
    rest = args[1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        if arg == "-U":
            if i + 1 >= len(rest):
                raise ValueError("-U needs a namespace")
            namespace = rest[i + 1]
            i += 2
            continue
        if arg.startswith("-U") and len(arg) > 2:
            namespace = arg[2:]  # S29: `iris session iris -U%SYS '...'`
        elif arg.startswith("-") and entry is None and arg != "-":
            raise ValueError("unknown option %s" % arg)
        else:
            entry = arg
        i += 1
    return inst_name, namespace or "USER", entry


def _logons_allowed() -> str | None:
    state = _main.read_state()
    status = instance_status(state)
    if status == "down":
        return MSG_NOT_RUNNING
    if status == "starting" or not state.get("logons"):
        return MSG_STARTING
    return None


def _stdin_lines():
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def cmd_session(args: list[str]) -> int:
    try:
        inst_name, namespace, entry = _parse_session_args(args)
    except ValueError as exc:
        _err("iris session: %s" % exc)
        return 1
    if not _check_instance(inst_name):
        return 1
    problem = _logons_allowed()
    if problem:
        _err(problem)
        return 1
    importlib.import_module("iris_sim.models")  # registers the modelled classes
    from iris_sim import shell  # LANG, DESIGN.md Contract 4
    inst = _main.open_instance()
    out = _Flushing(sys.stdout)  # prompts appear before the next line is read (docker exec -it)
    with inst.session_lock():
        inst.reload()
        if entry is not None:
            # Single-command form (S29, S23): the entry reference runs as `do <entryref>`; nothing is
            # printed unless the code writes, so no prompt is echoed.
            rc = _run_single(shell, inst, namespace, entry, out)
        else:
            rc = shell.run_session(inst, namespace, _stdin_lines(), out)
        inst.save()
    out.flush()
    return int(rc or 0)


class _Flushing:
    """Writes through and flushes at once."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        n = self.out.write(text)
        self.out.flush()
        return n

    def flush(self):
        self.out.flush()


class _PromptFilter:
    """Drops the shell's prompt writes (``NS>``) for the single-command form."""

    def __init__(self, out, prompts):
        self.out = out
        self.prompts = prompts

    def write(self, text):
        if text in self.prompts:
            return len(text)
        return self.out.write(text)

    def flush(self):
        self.out.flush()

    def __getattr__(self, name):
        return getattr(self.out, name)


def _run_single(shell, inst, namespace, entry, out) -> int:
    line = "do " + entry
    run_single = getattr(shell, "run_command", None)
    if callable(run_single):
        return run_single(inst, namespace, line, out)
    prompts = {namespace + ">", namespace.upper() + ">", namespace + ">\n", namespace + "> "}
    return shell.run_session(inst, namespace, [line], _PromptFilter(out, prompts))


def cmd_merge(args: list[str]) -> int:
    if len(args) < 2:
        _err("Usage: iris merge <instance> <merge file>")
        return 1
    if not _check_instance(args[0]):
        return 1
    path = args[1]
    if instance_status(_main.read_state()) == "down":
        _err(MSG_NOT_RUNNING)  # [inf] the simulator merges only into a running instance
        return 1
    from iris_sim import cpf
    inst = _main.open_instance()
    with inst.session_lock():
        inst.reload()
        report = cpf.merge(inst, path)
        inst.save()
    ok = report.get("ok", True) if isinstance(report, dict) else True
    # user-needs §2.6: the real `iris merge` reports success for a file that does not exist; the
    # simulator does the same on purpose (callers must verify the effects), and logs it.
    _main.log_message("Configuration merge %s %s" % (path, "completed" if ok else "failed"),
                      0 if ok else 2)
    for line in _main.merge_result_lines(report):
        _main.log_message(line, 0 if ok else 2)
    if not ok:
        for line in _main.merge_result_lines(report):
            _err(line)
        return 1
    print("Merge of %s complete." % path, flush=True)  # [inf] wording
    return 0


def _wait_state(predicate, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate(_main.read_state()):
            return True
        time.sleep(0.1)
    return False


def cmd_stop(args: list[str]) -> int:
    if not args:
        _err("Usage: iris stop <instance> [quietly|restart]")
        return 1
    if not _check_instance(args[0]):
        return 1
    restart = "restart" in [a.lower() for a in args[1:]]
    state = _main.read_state()
    if instance_status(state) == "down":
        _err(MSG_NOT_RUNNING)
        return 1
    if state.get("main_mode") == "daemon" and not restart:
        # Started by `iris start` without the entrypoint: end that process (clean shutdown on SIGTERM).
        os.kill(int(state["main_pid"]), 15)
        ok = _wait_state(lambda s: s.get("status") == "down", 60)
    else:
        req = _main.request_control("restart" if restart else "stop")
        ok = _wait_state(lambda s: s.get("control_done") == req, 60)
        if ok and restart:
            ok = _main.read_state().get("control_rc", 0) == 0
    if not ok:
        _err("iris stop: the instance did not stop in time")
        return 1
    return 0


def cmd_start(args: list[str]) -> int:
    if not args:
        _err("Usage: iris start <instance>")
        return 1
    if not _check_instance(args[0]):
        return 1
    state = _main.read_state()
    if instance_status(state) != "down":
        print("Instance %s is already running." % _main.instance_name(), flush=True)  # [inf]
        return 0
    if _main.pid_alive(state.get("main_pid")):
        req = _main.request_control("start")
        ok = _wait_state(lambda s: s.get("control_done") == req, 120)
        rc = _main.read_state().get("control_rc", 1) if ok else 1
    else:
        # No iris-main (e.g. a Dockerfile RUN step): start one in the background, like `iris start`
        # starting the instance's daemons.
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + (
            ":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        subprocess.Popen([sys.executable, "-m", "iris_sim.main", "--daemon"], env=env,  # noqa: S603
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True, cwd="/")
        ok = _wait_state(lambda s: s.get("logons") and _main.pid_alive(s.get("main_pid")), 120)
        rc = 0 if ok else 1
    if rc:
        _err("iris start: the instance did not start; see %s" % _main.messages_log_path())
    return rc


def cmd_help(_args: list[str]) -> int:
    print(USAGE, end="", flush=True)
    return 0


COMMANDS = {
    "session": cmd_session,
    "terminal": cmd_session,
    "qlist": cmd_qlist,
    "list": cmd_list,
    "merge": cmd_merge,
    "stop": cmd_stop,
    "start": cmd_start,
    "help": cmd_help,
}


def iris_main(argv: list[str]) -> int:
    if not argv:
        print(USAGE, end="", file=sys.stderr, flush=True)
        return 1
    fn = COMMANDS.get(argv[0].lower())
    if fn is None:
        _err("iris: unknown command '%s'" % argv[0])
        print(USAGE, end="", file=sys.stderr, flush=True)
        return 1
    return fn(argv[1:])


# ------------------------------------------------------------------------------------------------
# iris-sim helper
# ------------------------------------------------------------------------------------------------

def sim_load(args: list[str]) -> int:
    path = os.path.join(_main.mgr_dir(), _main.LOAD_FILE)
    if "--reset" in args:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        return 0
    load = _main.read_json(path)
    keys = {"--cpu": "cpu", "--memory": "memory", "--disk": "disk", "--license": "license",
            "--processes": "processes", "--alerts": "alerts"}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in keys or arg == "--set":
            if i + 1 >= len(args):
                _err("iris-sim load: %s needs a value" % arg)
                return 1
            value = args[i + 1]
            if arg == "--set":
                name, dummy, raw = value.partition("=")
                load.setdefault("set", {})[name] = float(raw)
            else:
                load[keys[arg]] = float(value)
            i += 2
            continue
        _err("iris-sim load: unknown argument %s" % arg)
        print(SIM_USAGE, end="", file=sys.stderr)
        return 1
    _main._atomic_write_json(path, load)
    return 0


def sim_state(_args: list[str]) -> int:
    state = _main.read_state()
    out = {
        "platform": state,
        "status": instance_status(state),
        "qlist": qlist_line(state),
        "paths": {"install_dir": _main.install_dir(), "data_dir": _main.data_dir(), "mgr_dir": _main.mgr_dir()},
        "load": _main.read_json(os.path.join(_main.mgr_dir(), _main.LOAD_FILE)),
    }
    try:
        inst = _main.open_instance()
        inst.reload()
        dump = getattr(inst, "to_json", None) or getattr(inst, "dump", None)
        if callable(dump):
            out["instance"] = dump()
    except Exception as exc:  # the dump is best effort
        out["instance_error"] = str(exc)
    print(json.dumps(out, indent=1, sort_keys=True, default=str), flush=True)
    return 0


def sim_monitor(args: list[str]) -> int:
    codes = {"ok": 0, "warn": 1, "alert": 2}
    if len(args) != 1 or args[0] not in codes:
        _err("Usage: iris-sim monitor ok|warn|alert")
        return 1
    inst = _main.open_instance()
    with inst.session_lock():
        inst.set_monitor_state(codes[args[0]])  # the instance model keeps %SYSTEM.Monitor.State
    _main.update_state(warn_until=0)
    return 0


SIM_COMMANDS = {"load": sim_load, "state": sim_state, "monitor": sim_monitor}


def sim_main(argv: list[str]) -> int:
    if not argv or argv[0] not in SIM_COMMANDS:
        print(SIM_USAGE, end="", file=sys.stderr, flush=True)
        return 1
    return SIM_COMMANDS[argv[0]](argv[1:])


def main(argv: list[str] | None = None) -> int:
    """Entry point of the wrapper: ``python3 -m iris_sim.cli <program name> args...``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = argv.pop(0) if argv and argv[0] in ("iris", "iris-sim") else "iris"
    try:
        return sim_main(argv) if prog == "iris-sim" else iris_main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 141


if __name__ == "__main__":
    sys.exit(main())
