# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Readiness of an ``iris_devtools.iris.iris_container`` container, read from its log: ``Enabling logons`` since this
start, then a real session (iris-sources.md §0 item 11, iris-sources.md LESSONS §0.4: an open port is not
readiness), and the log lines that mean the start has failed (FATAL_LOG_PATTERNS).

"Invalid Community Edition license, may have exceeded core limit" in the log has two causes (audit F12): the
image's time-limited Community licence has expired (iris-sources.md NEEDS §2.1), or the container sees more than
20 CPU cores, the Community limit.
"""

from __future__ import annotations

import re

from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
from ansible_collections.iris_devtools.iris.plugins.module_utils._container_config import parse_docker_time
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

POLL_INTERVAL = 0.1
NAMESPACE_GRACE = 5.0  # seconds a <NAMESPACE> error may persist after "Enabling logons" before it is final
LOG_TAIL = 25

LOGONS_ENABLED = "Enabling logons"

# Log lines that mean the start has failed, recognised while waiting (iris-sources.md NEEDS §2.1,
# §2.2, §2.8; iris-sources.md §5.2 --check-caps).  (name, pattern, message, hint)
FATAL_LOG_PATTERNS = (
    # Two causes give this line (audit F12): the image's time-limited Community licence has expired
    # (iris-sources.md NEEDS §2.1), or the host has more than 20 CPU cores, the Community limit (public
    # READMEs: "On a host with more than 20 CPU cores, IRIS Community stops at start-up with 'Invalid
    # Community Edition license, may have exceeded core limit' ... --cpuset-cpus=0-19").
    ("expired_license",
     re.compile(r"Invalid Community Edition license", re.I),
     "IRIS refused the image's Community Edition licence (it logged 'Invalid Community Edition license, may have "
     "exceeded core limit'): either the licence has expired, or the container sees more than 20 CPU cores, "
     "the Community Edition limit.",
     "on a host with more than 20 CPU cores, limit the container with cpuset_cpus (for example 0-19); otherwise use "
     "a newer image tag (Community images carry a time-limited licence), or pass a valid key file with license_key"),
    ("license_limit",
     re.compile(r"LICENSE LIMIT EXCEEDED", re.I),
     "IRIS ran out of licence units while starting.",
     "use a licence key with more units (license_key) or fewer concurrent sessions"),
    ("capabilities",
     re.compile(r"capabilit(y|ies)\b.{0,80}\b(missing|not (set|present|granted|permitted|available)|fail)"
                r"|(missing|required) (linux )?capabilit", re.I),
     "iris-main's Linux capability check failed, so IRIS did not start.",
     "run the container with the capabilities the image needs (the Docker defaults include SETUID/SETGID), "
     "or skip the check with command_args ['--check-caps', 'false']"),
    ("cpf_merge_failed",
     re.compile(r"merge file.{0,200}\bfailed\b", re.I),
     "IRIS could not apply the CPF merge file (cpf_merge).",
     "fix the action or parameter IRIS names in the message (see log_lines); check the section names and "
     "[Actions] lines against the CPF reference"),
    ("durable_ownership",
     re.compile(r"Durable folder.{0,200}(does not exist|cannot be created|not writable)"
                r"|Cannot create target|ISC_DATA_DIRECTORY.{0,120}(permission|denied|not writable)", re.I),
     "IRIS cannot write its durable %SYS directory (ISC_DATA_DIRECTORY).",
     "make the host directory given as durable_dir owned by UID 51773 (irisowner): "
     "'sudo chown -R 51773:51773 <durable_dir>', or let the module create a new directory"),
)


def scan_log(lines):
    """Return ``(logons_enabled, fatal)`` for log lines; ``fatal`` is None or (name, msg, hint, line)."""
    logons = False
    for line in lines:
        if LOGONS_ENABLED in line:
            logons = True
        for name, pattern, message, hint in FATAL_LOG_PATTERNS:
            if pattern.search(line):
                return logons, (name, message, hint, line)
    return logons, None


def split_log(raw, started):
    """Split ``docker logs --timestamps`` output; keep lines of the current start (time >= started)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else (raw or "")
    kept = []
    for line in text.splitlines():
        stamp, sep, rest = line.partition(" ")
        when = parse_docker_time(stamp) if sep else None
        if when is None:
            kept.append(line)
        elif started is None or when >= started - 0.0005:
            kept.append(rest)
    return kept


def log_tail(container, name, started):
    """The last LOG_TAIL log lines since ``started`` (all if None) for a failure result; [] if Docker cannot say."""
    try:
        raw = _docker.container_logs(container, name, timestamps=True, tail=LOG_TAIL * 4)
    except IrisModuleError:
        return []
    return split_log(raw, started)[-LOG_TAIL:]


class LogonWait(object):
    """Wait until IRIS in ``container`` logged ``Enabling logons`` since ``started`` and a session succeeds.

    ``session()`` runs the readiness program (its result is returned); ``run_command(argv)`` runs a plain command
    in the container (``iris qlist``) and returns ``(exit_code, stdout, stderr)``.  Fails (IrisModuleError) on a
    fatal log line, a container that stopped, a missing namespace after NAMESPACE_GRACE seconds, IRIS down in a
    running container, or wait_timeout.
    """

    DOWN_CHECK_INTERVAL = 1.0

    def __init__(self, container, started, name, namespace, instance, wait_timeout, session, run_command, clock, sleep):
        self.container = container
        self.started = started
        self.name = name
        self.namespace = namespace
        self.instance = instance
        self.wait_timeout = wait_timeout
        self.session = session
        self.run_command = run_command
        self.clock = clock
        self.sleep = sleep
        self._next_down_check = 0

    def run(self):
        """The readiness program's result once ready."""
        container, started, name = self.container, self.started, self.name
        timeout = self.wait_timeout
        deadline = self.clock() + timeout
        since = int(started) if started else None
        logons = False
        last_error = None
        namespace_error_since = None
        last_details = {}
        ping = None
        while True:
            _docker.reload_container(container, name)
            status = container.status
            kwargs = dict(timestamps=True)
            if since:
                kwargs["since"] = since
            raw = _docker.container_logs(container, name, **kwargs)
            lines = split_log(raw, started)
            seen, fatal = scan_log(lines)
            logons = logons or seen
            if fatal is not None:
                kind, message, hint, line = fatal
                # Quote the error lines IRIS logged before the fatal one: they name the cause
                # (e.g. the merge action that failed); the log never holds the password.
                causes = [entry.strip() for entry in lines if "ERROR" in entry and entry != line][-3:]
                if causes:
                    message = "%s IRIS logged: %s" % (message, " | ".join(causes))
                raise IrisModuleError("Container %s: %s" % (name, message), hint=hint, reason=kind, log_line=line,
                                      log_lines=lines[-LOG_TAIL:])
            if status not in ("running", "created", "restarting"):
                code = (container.attrs.get("State") or {}).get("ExitCode")
                raise IrisModuleError(
                    "Container %s stopped while IRIS was starting (status %s, exit code %s)." % (name, status, code),
                    hint="read log_lines for the cause; common ones: an expired image licence (use a newer tag), "
                         "durable_dir not owned by UID 51773, a wrong ISC_CPF_MERGE_FILE/merge content, or the capability check "
                         "(command_args ['--check-caps', 'false'])",
                    reason="exited", log_lines=lines[-LOG_TAIL:])
            if logons:
                try:
                    ping = self.session()
                    break
                except IrisModuleError as error:
                    last_error = error.msg
                    last_details = dict((k, v) for k, v in error.details.items() if k in ("output_lines", "iris_error", "exit_code"))
                    if error.details.get("iris_error") == "<NAMESPACE>":
                        namespace_error_since = namespace_error_since or self.clock()
                        if self.clock() - namespace_error_since >= NAMESPACE_GRACE:
                            raise IrisModuleError(
                                "Container %s accepts logons, but namespace %s does not exist." % (name, self.namespace),
                                hint="create the namespace (for example with cpf_merge: [Actions] CreateDatabase and CreateNamespace) "
                                     "or set the namespace option to an existing one such as USER",
                                reason="namespace_missing")
                    self._fail_if_iris_down(error)
            if self.clock() >= deadline:
                why = ("IRIS logged 'Enabling logons' but a session did not succeed: %s" % last_error) if logons else \
                    "IRIS did not log 'Enabling logons'"
                raise IrisModuleError(
                    "Container %s was not ready within wait_timeout=%ss: %s." % (name, timeout, why),
                    hint="raise wait_timeout (a first start on a slow host can take minutes), and read log_lines",
                    reason="timeout", log_lines=log_tail(container, name, started), **last_details)
            self.sleep(POLL_INTERVAL)
        return ping

    def _fail_if_iris_down(self, error):
        """A session failed although IRIS enabled logons: is the instance down inside a running container?

        Decided by ``iris qlist <instance>`` field 4 ("running, since ..." / "down, last used ...", iris-sources.md
        §4.1 S31), not by the session's wording.  We fail at once with IRIS's own words instead of waiting for
        wait_timeout; the module does not start IRIS itself - it did not stop it, and something may have
        stopped it on purpose (issue 11 item 6).  At most one qlist per DOWN_CHECK_INTERVAL seconds.
        """
        now = self.clock()
        if now < self._next_down_check:
            return
        self._next_down_check = now + self.DOWN_CHECK_INTERVAL
        instance = self.instance
        argv = ["iris", "qlist", instance]
        try:
            code, out, dummy = self.run_command(argv)
        except IrisModuleError:
            return  # no verdict: keep waiting as before
        text = out.decode("utf-8", "replace") if isinstance(out, bytes) else (out or "")
        fields = (text.strip().splitlines() or [""])[0].split("^")
        if code != 0 or len(fields) < 4 or not fields[3].strip().lower().startswith("down"):
            return
        said = " | ".join([line.strip() for line in error.details.get("output_lines") or [] if line.strip()][-3:])
        if said:
            said = " The session said: %s%s" % (said, "" if said.endswith(".") else ".")
        raise IrisModuleError(
            "Container %s is running, but IRIS instance %s in it is down (iris qlist: '%s').%s" % (
                self.name, instance, fields[3].strip(), said),
            hint="start IRIS in the container ('docker exec %s iris start %s'), or recreate the container "
                 "(recreate=always); read log_lines for why it stopped" % (self.name, instance),
            reason="iris_down", log_lines=log_tail(self.container, self.name, None))
