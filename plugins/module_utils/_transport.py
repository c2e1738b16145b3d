# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Runs an ``_objectscript.Program`` in an IRIS instance and returns its JSON result.

* ``DockerTransport``: ``docker exec <container> iris session <instance> -U <namespace>`` through
  the Docker SDK, program on stdin (iris-sources.md §4.1 S36/S28; docker exec runs as the image's
  default user irisowner with OS authentication, S25).
* ``LocalTransport``: the same command on the target host via ``module.run_command(data=...)``.
* ``NativeTransport``: over a superserver connection of the InterSystems client (``_native.connect``), the program
  runs in the server-side runner ``_native_runner`` (docs/native-transport-design.md D1-D9); its transcript is read
  by the same ``parse_output``.

The program only ever travels on stdin; it never appears in argv, the environment, labels, results
or error messages (it may carry secrets).  Success is the result frame of *this* run's random
token, parsed as JSON; exit codes and output text are never taken as success
(iris-sources.md LESSONS §0.10, §7C; iris-sources.md §0.7).
"""

from __future__ import annotations

import json
import re
import secrets

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker, _native, _native_runner
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import (
    DEFAULT_INSTANCE,
    DEFAULT_NAMESPACE,
    DEFAULT_TIMEOUT,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

FRAME_START = "\x02"
FRAME_END = "\x03"
OUTPUT_LINES = 20
# An IRIS error as the shell prints it: <UNDEFINED> *x, <CLASS DOES NOT EXIST> *Foo, ...
IRIS_ERROR = re.compile(r"<([A-Z][A-Z0-9]*(?: [A-Z0-9]+)*)>")
STATUS_ERROR = re.compile(r"ERROR #\d+:[^\r\n]*")
# Lines of our own program (an echo of stdin, or the shell repeating the failed line) carry the
# protocol variables; they are dropped from anything we report.
_PROGRAM_LINE = re.compile(r"\bidt[A-Z]")
_REDACTED = "********"

_REPORT_BUG = "this is probably a bug in the collection; please report it with the task and the IRIS version"
_VERSION_HINT = ("this IRIS version lacks %s; check the instance's version (iris_info) against the collection's "
                 "supported versions, or report a bug")
IRIS_ERROR_HINTS = {
    "CLASS DOES NOT EXIST": _VERSION_HINT,
    "METHOD DOES NOT EXIST": _VERSION_HINT,
    "PROPERTY DOES NOT EXIST": _VERSION_HINT,
    "NOROUTINE": _VERSION_HINT,
    "NOLINE": _VERSION_HINT,
    "PROTECT": ("the IRIS user of the session lacks a privilege (docker transport: exec runs as irisowner with OS "
                "authentication; local transport: run the task as the instance owner, become: true)"),
    "NAMESPACE": "the namespace does not exist (or is not accessible); create it first or check the namespace option",
    "LICENSE LIMIT EXCEEDED": ("all IRIS license units are in use; wait for other sessions to end, run fewer "
                               "sessions in parallel (serial: / throttle:), or use a larger license key"),
    "DIRECTORY": "a database directory is missing or not mounted; check the database and its directory",
    "INVALID OREF": "an object the program expected does not exist (was it deleted meanwhile?); " + _REPORT_BUG,
    "UNDEFINED": _REPORT_BUG,
    "SYNTAX": "IRIS rejected the program's syntax (an older version?); " + _REPORT_BUG,
    "MAXSTRING": "a value is longer than IRIS strings can be; pass less data",
    "FILEFULL": "a database is full; raise its maximum size or free space",
    "DISKHARD": "a disk error occurred inside IRIS; check the instance's storage and messages.log",
    "STORE": "the IRIS process ran out of memory; raise bbsiz or pass less data",
}
_DEFAULT_HINT = "see the IRIS error above and the instance's messages.log"
_NO_RESULT_HINT = ("check that the instance is running and accepts logins (iris_container waits for readiness), that "
                   "the instance and namespace options are right, and see output_lines")


def _hint_for(name, data):
    hint = IRIS_ERROR_HINTS.get(name, _DEFAULT_HINT)
    if "%s" in hint:
        what = (str(data).lstrip("*").strip() if data else "") or "a class, method or property the collection uses"
        hint = hint % what
    return hint


def _redactor(program):
    values = []
    for value in getattr(program, "secret_values", ()) or ():
        text = str(value)
        if text:
            values.append(text)
    values.sort(key=len, reverse=True)

    def redact(text):
        for value in values:
            text = text.replace(value, _REDACTED)
        return text
    return redact


def _to_text(data):
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


def _output_lines(text, redact, count=OUTPUT_LINES):
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.replace(FRAME_START, "").replace(FRAME_END, "")
        if not line.strip():
            continue
        # Echoed program text is dropped; an IRIS error line (`<UNDEFINED> *idtX`) is kept.
        if _PROGRAM_LINE.search(line) and not IRIS_ERROR.match(line.strip()):
            continue
        lines.append(redact(line))
    return lines[-count:]


def _loads(body):
    try:
        return json.loads(body)
    except ValueError:
        # A terminal wrapping long output would insert line breaks inside the frame [inf].
        return json.loads(body.replace("\r", "").replace("\n", ""))


def find_frames(token, text):
    """Return [(kind, body)] for complete frames of ``token`` in ``text``; kind is 'R' or 'E'."""
    frames = []
    prefix = token + ":"
    for segment in text.split(FRAME_START)[1:]:
        if not segment.startswith(prefix) or len(segment) < len(prefix) + 2:
            continue
        kind = segment[len(prefix)]
        if kind not in "RE" or segment[len(prefix) + 1] != ":" or FRAME_END not in segment:
            continue
        frames.append((kind, segment[len(prefix) + 2:segment.index(FRAME_END)]))
    return frames


def _error_from_frame(body, redact, exit_code, output_lines):
    try:
        info = _loads(body)
    except ValueError:
        info = None
    if not isinstance(info, dict):
        return IrisModuleError("IRIS reported an error that could not be read", hint=_REPORT_BUG,
                               exit_code=exit_code, output_lines=output_lines)
    kind = info.get("kind")
    template = info.get("template")
    where = " (step %s, %s)" % (info.get("step"), template) if template else ""
    details = dict(exit_code=exit_code, iris_step=template)
    if kind == "status":
        text = redact(_to_text(info.get("text")).strip()) or "unknown error"
        codes = redact(str(info.get("codes", "")))
        details.update(iris_status=text, iris_error_codes=codes)
        return IrisModuleError("IRIS returned an error status%s: %s" % (where, text),
                               hint="IRIS refused the operation; the error text says why (codes %s)" % (codes or "?"),
                               **details)
    if kind == "sql":
        text = redact(_to_text(info.get("text")))
        details.update(iris_sqlcode=info.get("code"))
        return IrisModuleError("IRIS SQL error %s%s: %s" % (info.get("code"), where, text),
                               hint="the SQL statement failed; " + _REPORT_BUG, **details)
    name = _to_text(info.get("name")).strip()
    bare = name.strip("<>").strip()
    data = redact(_to_text(info.get("data")))
    text = redact(_to_text(info.get("text")))
    details.update(iris_error=name, iris_error_code=info.get("code"), iris_location=redact(_to_text(info.get("location"))))
    if data:
        details["iris_error_data"] = data
    shown = text or ("%s %s" % (name, data)).strip()
    return IrisModuleError("IRIS error%s: %s" % (where, shown), hint=_hint_for(bare, data), **details)


def parse_output(token, exit_code, stdout, stderr=None, program=None):
    """Turn a session's output into the result dict, or raise IrisModuleError."""
    redact = _redactor(program)
    out_text = _to_text(stdout)
    err_text = _to_text(stderr)
    output_lines = _output_lines(out_text + "\n" + err_text, redact)
    frames = find_frames(token, out_text)
    for kind, body in frames:
        if kind == "E":
            raise _error_from_frame(body, redact, exit_code, output_lines)
    results = [body for kind, body in frames if kind == "R"]
    if len(results) == 1:
        try:
            result = _loads(results[0])
        except ValueError:
            result = None
        if isinstance(result, dict):
            return result
        raise IrisModuleError("The IRIS session returned a result that is not a JSON object", hint=_REPORT_BUG,
                              exit_code=exit_code, output_lines=output_lines)
    if len(results) > 1:
        raise IrisModuleError("The IRIS session returned more than one result", hint=_REPORT_BUG,
                              exit_code=exit_code, output_lines=output_lines)
    # No frame: the shell itself failed (login, namespace, license, <SYNTAX> in a step ...).
    details = dict(exit_code=exit_code, output_lines=output_lines)
    for line in reversed(output_lines):
        match = IRIS_ERROR.search(line)
        if match:
            name = match.group(1)
            data = line[match.end():].strip()
            details.update(iris_error="<%s>" % name)
            raise IrisModuleError(
                "The IRIS session failed with <%s>%s" % (name, (" " + data) if data else ""),
                hint=_hint_for(name, data), **details)
    for line in reversed(output_lines):
        match = STATUS_ERROR.search(line)
        if match:
            raise IrisModuleError("The IRIS session failed: %s" % match.group(0), hint=_DEFAULT_HINT, **details)
    if exit_code in (126, 127):
        raise IrisModuleError("The iris command could not be run (exit code %s)" % exit_code,
                              hint="is this an InterSystems IRIS container/host? the 'iris' command must be on PATH",
                              **details)
    raise IrisModuleError("The IRIS session produced no result (exit code %s)" % exit_code,
                          hint=_NO_RESULT_HINT, **details)


class Transport(object):
    """Runs programs in one IRIS instance; ``sessions`` counts the IRIS sessions opened."""

    def __init__(self, instance=DEFAULT_INSTANCE, namespace=DEFAULT_NAMESPACE, timeout=DEFAULT_TIMEOUT):
        self.instance = instance
        self.namespace = namespace
        self.timeout = timeout
        self.sessions = 0
        self.last_exit_code = None

    def argv(self):
        """The command line of one session: no program text in it, ever."""
        return ["iris", "session", self.instance, "-U", self.namespace]

    def _execute(self, data):
        """Run one session with ``data`` (bytes) on stdin; return (exit_code, stdout, stderr)."""
        raise NotImplementedError

    def run(self, program):
        """Run ``program`` in one session and return its result object (a dict)."""
        token = secrets.token_hex(16)
        data = program.render(token).encode("utf-8")
        self.sessions += 1
        redact = _redactor(program)
        try:
            exit_code, stdout, stderr = self._execute(data)
        except IrisModuleError as exc:
            if "stdout_lines" in exc.details:
                exc.details["output_lines"] = _output_lines("\n".join(exc.details.pop("stdout_lines")), redact)
            raise
        self.last_exit_code = exit_code
        return parse_output(token, exit_code, stdout, stderr, program)


class DockerTransport(Transport):
    """``iris session`` inside a container through the Docker SDK (``_docker.exec_with_stdin``)."""

    def __init__(self, client, container, instance=DEFAULT_INSTANCE, namespace=DEFAULT_NAMESPACE, timeout=DEFAULT_TIMEOUT, user=None):
        super(DockerTransport, self).__init__(instance=instance, namespace=namespace, timeout=timeout)
        self.client = client
        self.container = container
        self.user = user

    def _execute(self, data):
        return _docker.exec_with_stdin(self.client, self.container, self.argv(), data, self.timeout, user=self.user)


class LocalTransport(Transport):
    """``iris session`` on the target host itself (``module.run_command`` with the program as stdin)."""

    # The `iris` command's usual place when it is not on PATH (iris-sources.md S25: /usr/irissys).
    IRIS_DIRS = ["/usr/irissys/bin", "/usr/bin", "/usr/local/bin"]

    def __init__(self, module, instance=DEFAULT_INSTANCE, namespace=DEFAULT_NAMESPACE, timeout=DEFAULT_TIMEOUT):
        super(LocalTransport, self).__init__(instance=instance, namespace=namespace, timeout=timeout)
        self.module = module

    def argv(self):
        iris = self.module.get_bin_path("iris", required=False, opt_dirs=self.IRIS_DIRS)
        if not iris:
            raise IrisModuleError("The iris command was not found on the target",
                                  hint="install IRIS on the target, or use transport: docker with the container option")
        return [iris, "session", self.instance, "-U", self.namespace]

    def _execute(self, data):
        argv = self.argv()
        timeout_bin = self.module.get_bin_path("timeout", required=False)
        if timeout_bin:
            # coreutils timeout: exit 124 when the limit hit; KILL 5 s later if TERM is ignored.
            argv = [timeout_bin, "--kill-after=5", str(int(self.timeout))] + argv
        rc, stdout, stderr = self.module.run_command(argv, data=data, binary_data=True, errors="surrogate_or_replace")
        if timeout_bin and rc in (124, 137):
            raise IrisModuleError(
                "The IRIS session did not finish within %s seconds" % self.timeout,
                hint="raise the module's timeout option (IRIS may be busy or still starting)",
                stdout_lines=_to_text(stdout).splitlines()[-OUTPUT_LINES:])
        return rc, stdout, stderr


# -- native ---------------------------------------------------------------------------------------------------------
_MISSING_RUNNER = re.compile(r"<(?:CLASS|METHOD) DOES NOT EXIST>")
_SQLCODE = re.compile(r"SQLCODE: <(-?\d+)>")
_INSTALL_HINT = ("GRANT the SQL privilege %%CREATE_METHOD to the user of the connection (or a role with %%All), or have "
                 "an administrator create the runner once with the statement in the collection's native transport "
                 "documentation (%s)" % _native_runner.CLASS)


class NativeTransport(Transport):
    """Programs over one superserver connection: ``IrisDevTools.NativeV1.Run`` through the Native API (D2).

    ``connection`` is what ``_native.connect`` returned.  The Native API object (``iris.createIRIS``) is made once
    per transport, on its first run; several transports (one per namespace) may share one connection, because the
    runner lives in the connection's own namespace and switches to ``namespace`` inside itself (D10).  A missing
    runner is installed with its DDL over DB-API on the same connection, then called once more (D4).
    ``sessions`` counts the runs, like the other transports' sessions.
    """

    def __init__(self, connection, instance=DEFAULT_INSTANCE, namespace=DEFAULT_NAMESPACE, timeout=DEFAULT_TIMEOUT):
        super(NativeTransport, self).__init__(instance=instance, namespace=namespace, timeout=timeout)
        self.connection = connection
        self.installs = 0  # runner installs this transport ran (0 or 1: D4)
        self._native = None

    def argv(self):
        raise IrisModuleError("Transport native runs no command line", hint=_REPORT_BUG)

    def _api(self):
        if self._native is None:
            _native.require_client()
            self._native = _native.iris_client.createIRIS(self.connection)
        return self._native

    def _call(self, text, kill):
        return self._api().classMethodValue(_native_runner.CLASS, _native_runner.METHOD, text, self.namespace, kill)

    def _install(self):
        """Run the runner's DDL over DB-API (D4): -361 means a parallel run installed it first."""
        self.installs += 1
        cursor = None
        try:
            cursor = self.connection.cursor()
            cursor.execute(_native_runner.DDL)
        except Exception as exc:  # pylint: disable=broad-except  # the client's DatabaseError/RuntimeError
            text = str(exc)
            match = _SQLCODE.search(text)
            code = int(match.group(1)) if match else None
            if code == -361:  # iris-sources.md RSQLMETH: the method exists already
                return
            if code == -99:  # iris-sources.md RSQLMETH: the %CREATE_METHOD privilege is missing
                raise IrisModuleError("The IRIS user of the connection may not create the collection's runner class "
                                      "%s in the connection's namespace (SQLCODE -99)" % _native_runner.CLASS,
                                      hint=_INSTALL_HINT, iris_sqlcode=code, client_error=text)
            raise IrisModuleError("Installing the collection's runner class %s failed: %s"
                                  % (_native_runner.CLASS, text), hint=_REPORT_BUG, iris_sqlcode=code,
                                  client_error=text)
        finally:
            if cursor is not None:
                try:
                    cursor.close()
                except Exception:  # pylint: disable=broad-except  # closing a cursor must not hide the outcome
                    pass

    def _run_text(self, text, kill):
        try:
            return self._call(text, kill)
        except RuntimeError as exc:
            if not _MISSING_RUNNER.search(str(exc)):
                raise
        self._install()
        return self._call(text, kill)

    def run(self, program):
        """Run ``program`` in the runner and return its result object (a dict)."""
        token = secrets.token_hex(16)
        lines = program.lines(token, native=True)
        text = _native_runner.program_text(lines)
        kill = _native_runner.kill_command(lines)
        self.sessions += 1
        redact = _redactor(program)
        try:
            transcript = self._run_text(text, kill)
        except IrisModuleError:
            raise
        except Exception as exc:  # pylint: disable=broad-except  # the client raises bare RuntimeErrors (WIRE §5, §7)
            # Mapped like a session that failed: an IRIS error in the text (<PROTECT>, <COMMUNICATION LINK ERROR>, ...)
            # goes through parse_output as the shell's output would; lines of the program never reach a message.
            self.last_exit_code = None
            lines = _output_lines(_to_text(str(exc)), redact)
            if any(IRIS_ERROR.search(line) for line in lines):
                return parse_output(token, None, "\n".join(lines), None, program)
            raise IrisModuleError("The call to IRIS over transport native failed: %s" % (" ".join(lines) or type(exc).__name__),
                                  hint="check that IRIS is still running and reachable (the connection may have been "
                                       "closed or dropped by the network)",
                                  output_lines=lines)
        self.last_exit_code = 0
        return parse_output(token, 0, _to_text(transcript), None, program)
