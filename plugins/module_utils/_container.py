# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The manager behind ``iris_devtools.iris.iris_container``: read the container → compare the wanted
configuration with the *actual* one → act unless check mode → report (iris-sources.md ANCHORS §3.7).

Facts relied on (iris-sources.md §5, S25 unless said otherwise):
- the image runs ``iris-main`` as entrypoint; extra arguments (``--key``, ``--password-file``,
  ``--check-caps false``, ``-a``) are the container command; instance ``IRIS``; owner ``irisowner``
  UID 51773; superserver 1972, web server 52773 (S29);
- ``--password-file <path>`` sets the password of the predefined accounts (CSPSystem included), which
  stay "configured to require a password change on first login" (ADOCK-AUTH, audit F5/F7); whether
  iris-main deletes, renames or keeps the file is not documented (audit F6);
- ``ISC_CPF_MERGE_FILE`` (S27) and ``ISC_DATA_DIRECTORY`` (durable %SYS; the host directory must be
  writable by UID 51773, iris-sources.md NEEDS §2.8);
- readiness: ``Enabling logons`` in the log since this start, then a real session (iris-sources.md §0
  item 11, iris-sources.md LESSONS §0.4: an open port is not readiness);
- "Invalid Community Edition license, may have exceeded core limit" in the log has two causes (audit F12):
  the image's time-limited Community licence has expired (iris-sources.md NEEDS §2.1), or the container
  sees more than 20 CPU cores, the Community limit (see FATAL_LOG_PATTERNS).

Secrets: the password never enters env, labels, argv (only the in-container *path* of the file),
logs, results or the diff.  It is written into the *created, not yet started* container with the
Docker archive API (``put_archive``: a private directory PASSWORD_DIR, mode 0700, holding the file,
mode 0600, both owner 51773), so it never touches the Docker host's disk, and there is no bind mount
whose host source could vanish and block a later ``docker start``.  After a healthy first start the
whole directory is removed with one ``rm -rf`` (whatever iris-main did with the file, audit F6); it is
never read back.
"""

from __future__ import annotations

import calendar
import copy
import hashlib
import io
import ipaddress
import os
import re
import tarfile
import time

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec
from ansible_collections.iris_devtools.iris.plugins.module_utils._diff import DiffTracker
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

IRIS_UID = 51773  # irisowner (iris-sources.md §5.1, S25)
SUPERSERVER_PORT = 1972
WEB_PORT = 52773
SUPERSERVER_KEY = "%d/tcp" % SUPERSERVER_PORT
WEB_KEY = "%d/tcp" % WEB_PORT

MANAGED_LABEL = "iris_devtools.iris.managed"
CPF_SHA_LABEL = "iris_devtools.iris.cpf_merge_sha256"

DURABLE_TARGET = "/durable"
DURABLE_DATA_DIR = "/durable/iris"  # a sub-directory iris-main creates itself (avoids #5001 on the mount point)
KEY_TARGET = "/iris-devtools/key/iris.key"
MERGE_TARGET = "/iris-devtools/merge/merge.cpf"
DEFAULT_STATE_DIR = "~/.cache/iris_devtools/containers"
# The password file lives in a private directory of its own (owner 51773, mode 0700), created with the file by one
# put_archive into PASSWORD_PARENT.  Whatever iris-main does with the file (delete, rename, keep: not documented,
# audit F6), removing the whole directory after the start removes every copy.
PASSWORD_PARENT = "/tmp"
PASSWORD_DIR_NAME = "iris-devtools-pw"
PASSWORD_DIR = PASSWORD_PARENT + "/" + PASSWORD_DIR_NAME
PASSWORD_NAME = "password"
PASSWORD_PATH = PASSWORD_DIR + "/" + PASSWORD_NAME

STATES = ("present", "started", "stopped", "absent", "healthy")
RECREATE = ("never", "on_change", "always")
POLL_INTERVAL = 0.1
NAMESPACE_GRACE = 5.0  # seconds a <NAMESPACE> error may persist after "Enabling logons" before it is final
LOG_TAIL = 25

LOGONS_ENABLED = "Enabling logons"

# The predefined accounts whose "change password on first login" flag the module clears after
# --password-file (audit F7; ADOCK-AUTH names "the predefined accounts", iris-sources.md §5.4 S25 and
# iris-sources.md LESSONS §6 list these four).  An account that does not exist is skipped.
PREDEFINED_ACCOUNTS = ("_SYSTEM", "SuperUser", "Admin", "CSPSystem")
LOGIN_CHECK_USER = "_SYSTEM"  # the account whose password login proves the password usable (demo, README)
LOGIN_KEY = "password_login"
PASSWORD_TEMPLATES = ("user_password_flags", "password_login")
# The templates build_cpf_check_program uses (an error in one of them is the cpf_merge read-back's).
CPF_CHECK_TEMPLATES = ("database_exists", "namespace_exists", "call_arg", "call_value", "call_props_get")
IRIS_OWNER = "irisowner"  # exec user for `iris stop` (iris-sources.md §5.1 S25: owner irisowner, OS authentication)

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

_DOCKER_TS = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")
_MEMORY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)i?b?\s*$", re.I)
_MEMORY_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
_ACTION_LINE = re.compile(r"^\s*([A-Za-z]+)\s*:(.*)$")

# The password rule of the module and of the instance role (roles/instance/tasks/preflight.yml, same rule):
# 3 to 128 characters (IRIS's default password pattern 3.128ANP, iris-sources.md §5.4 S25), no control character
# (C0, DEL, C1: the password file is read as one line, so CR/LF would cut it), not the documented default
# password SYS in any letter case.
PASSWORD_MIN = 3
PASSWORD_MAX = 128
DEFAULT_PASSWORD = "SYS"
# docker run --cpuset-cpus: "0-3", "0,1", "0-2,5" (Docker reference, https://docs.docker.com/engine/containers/resource_constraints/).
_CPUSET = re.compile(r"^\d+(-\d+)?(,\d+(-\d+)?)*$")


# --------------------------------------------------------------------------------------------
# Pure helpers (unit-tested without Docker)
# --------------------------------------------------------------------------------------------

def parse_docker_time(text):
    """Docker RFC 3339 time (nanoseconds, ``Z``) -> float seconds since the epoch (None if unset)."""
    if not text or text.startswith("0001-01-01"):
        return None
    match = _DOCKER_TS.match(text.strip())
    if not match:
        return None
    base = calendar.timegm(time.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S"))
    fraction = float("0." + match.group(2)) if match.group(2) else 0.0
    zone = match.group(3)
    offset = 0
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return base + fraction - offset


def parse_memory(value):
    """``512m``, ``2g``, ``1073741824`` -> bytes (binary units, like ``docker run -m``); None/0 -> 0."""
    if value in (None, "", 0, "0"):
        return 0
    match = _MEMORY.match(str(value))
    if not match:
        raise IrisModuleError("memory %r is not a size." % (value,),
                              hint="write a number of bytes or a number with a unit: 512m, 2g")
    return int(float(match.group(1)) * _MEMORY_UNITS[match.group(2).lower()])


def parse_host_ip(value, option="host_ip"):
    """An IP address as Docker should bind it, normalised (``ipaddress``); anything else fails.

    Docker publishes on every interface when the address is empty or one it cannot use, so a host
    name, blanks or quotes are refused here instead (issue 11 item 1).
    """
    text = value if isinstance(value, str) else str(value)
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise IrisModuleError("%s %r is not an IP address." % (option, value),
                              hint="write an IPv4 or IPv6 address without blanks, for example 127.0.0.1 or ::1 (a host "
                                   "name such as localhost is not accepted); 0.0.0.0 or :: publish on all interfaces")


def check_password(password):
    """Refuse a password the password file cannot carry or that IRIS documents as default.

    None (not given) is fine: the container keeps the image's password.  The message never holds the value.
    """
    if password is None:
        return
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append("it has fewer than %d characters" % PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        problems.append("it has more than %d characters" % PASSWORD_MAX)
    if _argspec.has_control_character(password):
        problems.append("it contains a control character (a line break, tab, NUL or another one), which the "
                        "password file cannot carry")
    if password.upper() == DEFAULT_PASSWORD:
        problems.append("it is SYS, the documented default password of the predefined accounts")
    if problems:
        raise IrisModuleError("password is not usable: %s." % "; ".join(problems),
                              hint="give 3 to 128 characters without control characters, other than SYS")


def parse_cpuset(value):
    """``docker run --cpuset-cpus`` syntax (``0-3,5``) -> the same text; None/'' -> ''."""
    if value in (None, ""):
        return ""
    text = str(value)
    ok = bool(_CPUSET.match(text))
    if ok:
        for part in text.split(","):
            low, dummy, high = part.partition("-")
            if high and int(high) < int(low):
                ok = False
    if not ok:
        raise IrisModuleError("cpuset_cpus %r is not a CPU list." % (value,),
                              hint="write CPU numbers and ranges separated by commas, without blanks, "
                                   "for example 0-19 or 0-3,6")
    return text


def parse_volume(spec):
    """``host:container[:ro|rw]`` or a dict -> ``dict(type, source, target, read_only)``.

    An absolute (or ``~``/``.``-relative) source is a bind mount; anything else is a named volume.
    """
    if isinstance(spec, dict):
        source = spec.get("source")
        target = spec.get("target")
        read_only = bool(spec.get("read_only", False))
        if not source or not target:
            raise IrisModuleError("volume %r needs both 'source' and 'target'." % (spec,),
                                  hint="write volumes as 'host:container[:ro]' or {source: ..., target: ..., read_only: ...}")
    else:
        parts = str(spec).split(":")
        mode = "rw"
        if len(parts) == 3:
            source, target, mode = parts
        elif len(parts) == 2:
            source, target = parts
        else:
            raise IrisModuleError("volume %r is not 'host:container[:ro]'." % (spec,),
                                  hint="write volumes as 'host:container[:ro]' or {source: ..., target: ..., read_only: ...}")
        if mode not in ("ro", "rw"):
            raise IrisModuleError("volume %r: mode must be 'ro' or 'rw', not %r." % (spec, mode),
                                  hint="write volumes as 'host:container[:ro]'")
        read_only = mode == "ro"
    if not target.startswith("/"):
        raise IrisModuleError("volume %r: the container path %r must be absolute." % (spec, target),
                              hint="write the path inside the container starting with '/'")
    if source.startswith(("/", "~", ".")):
        source = os.path.abspath(os.path.expanduser(source))
        kind = "bind"
    else:
        kind = "volume"
    return dict(type=kind, source=source, target=target, read_only=read_only)


def parse_cpf_actions(text):
    """Return ``(actions, problems)`` of a CPF merge text.

    ``actions`` are ``(verb, {key: value})`` from the ``[Actions]`` section.  ``problems`` lists
    sections IRIS would silently ignore: a wrongly cased ``[actions]`` header
    (iris-sources.md NEEDS §2.6).
    """
    actions = []
    problems = []
    section = None
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if section.lower() == "actions" and section != "Actions":
                problems.append("section header '[%s]' must be written '[Actions]' exactly; IRIS ignores it silently" % section)
            continue
        if section != "Actions":
            continue
        match = _ACTION_LINE.match(line)
        if not match:
            continue
        props = {}
        for item in _split_props(match.group(2)):
            if "=" in item:
                key, value = item.split("=", 1)
                props[key.strip()] = _unquote(value.strip())
        actions.append((match.group(1), props))
    return actions, problems


def _split_props(text):
    """Split ``Name=A,Roles="x,y"`` on commas outside double quotes."""
    items, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        items.append("".join(current))
    return items


def _unquote(value):
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


# The [Actions] verbs whose effect is read back after readiness, with the IRIS calls used.
VERIFIABLE_ACTIONS = ("CreateDatabase", "CreateNamespace", "CreateUser", "ModifyService")


def build_cpf_check_program(actions, objectscript):
    """One program (one IRIS session, run in %SYS) that reads back the effect of each verifiable action.

    ``objectscript`` is the ``_objectscript`` module; the program is built from its vetted templates
    only, so every value enters through its ``literal()``.  Returns ``(program, expectations)``;
    ``expectations`` maps each result key to ``(description, expected)`` (None: nothing to check).
    IRIS classes (all in %SYS, iris-sources.md §0.2): ``Config.Databases.Exists`` (§3.1 S20, S9),
    ``Config.Namespaces.Exists`` (§3.3 S9), ``Security.Users.Exists`` (§6 S10),
    ``Security.Services.Get(name, .p)`` with ``p("Enabled")``/``p("AutheEnabled")`` (§6 S23, S28).
    """
    program = objectscript.Program()
    expectations = {}
    for index, (verb, props) in enumerate(actions):
        name = props.get("Name")
        if verb not in VERIFIABLE_ACTIONS or not name:
            continue
        key = "a%d" % index
        if verb == "CreateDatabase":
            program.add("database_exists", key=key, database=name)
            expectations[key] = ("database %s exists (CreateDatabase)" % name, 1)
        elif verb == "CreateNamespace":
            program.add("namespace_exists", key=key, namespace=name)
            expectations[key] = ("namespace %s exists (CreateNamespace)" % name, 1)
        elif verb == "CreateUser":
            program.add("call_arg", value=name)
            program.add("call_value", **{"class": "Security.Users", "method": "Exists", "key": key})
            expectations[key] = ("user %s exists (CreateUser)" % name, 1)
        elif verb == "ModifyService":
            program.add("call_props_get", **{"class": "Security.Services", "method": "Get", "name": name, "key": key})
            expectations[key] = ("service %s exists (ModifyService)" % name, None)
            for prop in ("Enabled", "AutheEnabled"):
                if prop in props:
                    expectations["%s.%s" % (key, prop)] = ("service %s %s=%s (ModifyService)" % (name, prop, props[prop]), props[prop])
    return program, expectations


def _normalise(value):
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value).strip()


def check_cpf_results(result, expectations):
    """Return the descriptions of expectations the read-back did not meet."""
    missing = []
    for key in sorted(expectations):
        description, expected = expectations[key]
        if "." in key:
            outer, inner = key.split(".", 1)
            actual = ((result or {}).get(outer) or {}).get(inner)
        else:
            actual = (result or {}).get(key)
        if expected is None:
            if actual is None:
                missing.append("%s: not found" % description)
            continue
        if actual is None or _normalise(actual) != _normalise(expected):
            missing.append("%s: got %r" % (description, actual))
    return missing


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


def module_files_dir(params):
    """Where the module keeps a container's files on the Docker host (the CPF merge file): state_dir/<name>."""
    state_dir = params.get("state_dir") or DEFAULT_STATE_DIR
    return os.path.join(os.path.abspath(os.path.expanduser(state_dir)), params["name"])


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


def add_password_steps(program, objectscript, password, change_required=False, never_expires=False):
    """Append the steps that make the --password-file password usable for a password login (audit F7/F6).

    Unless ``change_required``: clear ``ChangePassword`` of each predefined account that exists (and set
    ``PasswordNeverExpires`` if ``never_expires``), then check a real password login of LOGIN_CHECK_USER
    as the LAST step (``$SYSTEM.Security.Login`` switches the process's user).  With ``change_required``
    IRIS refuses a password login until the password is changed [inf], so nothing is checked.  The
    password enters the program only as ``objectscript.Secret`` through ``literal()``.  Returns the
    result keys of the account steps (key -> account name).
    """
    keys = {}
    if not change_required or never_expires:
        for index, name in enumerate(PREDEFINED_ACCOUNTS):
            key = "account%d" % index
            program.add("user_password_flags", key=key, name=name, clear_change=not change_required,
                        never_expires=bool(never_expires))
            keys[key] = name
    if not change_required:
        program.add("password_login", key=LOGIN_KEY, user=LOGIN_CHECK_USER, password=objectscript.Secret(password))
    return keys


def password_archive(password):
    """An in-memory tar, extracted into PASSWORD_PARENT: the private directory PASSWORD_DIR_NAME (0700) holding the
    password file (0600), both owned by 51773.  Never written to disk."""
    data = password.encode("utf-8")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        folder = tarfile.TarInfo(PASSWORD_DIR_NAME)
        folder.type = tarfile.DIRTYPE
        folder.mode = 0o700
        folder.uid = folder.gid = IRIS_UID
        folder.uname = folder.gname = "irisowner"
        folder.mtime = int(time.time())
        tar.addfile(folder)
        info = tarfile.TarInfo(PASSWORD_DIR_NAME + "/" + PASSWORD_NAME)
        info.size = len(data)
        info.mode = 0o600
        info.uid = info.gid = IRIS_UID
        info.uname = info.gname = "irisowner"
        info.mtime = int(time.time())
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def strip_password_args(command):
    """Remove the ``--password-file <path>`` pair (a creation-time detail) from a command."""
    result = []
    skip = False
    for arg in command or []:
        if skip:
            skip = False
            continue
        if arg == "--password-file":
            skip = True
            continue
        if arg.startswith("--password-file="):
            continue
        result.append(arg)
    return result


def _env_dict(entries):
    env = {}
    for entry in entries or []:
        key, sep, value = entry.partition("=")
        env[key] = value if sep else ""
    return env


def _minus(actual, defaults):
    """Items of ``actual`` that the image does not already set to the same value."""
    return dict((k, v) for k, v in (actual or {}).items() if (defaults or {}).get(k) != v)


def _port_view(binding):
    return dict(host_ip=binding[0], host_port=binding[1])


# --------------------------------------------------------------------------------------------
# Wanted configuration
# --------------------------------------------------------------------------------------------

class WantedConfig(object):
    """The configuration the user asked for, normalised the same way in check and real runs."""

    def __init__(self, params):
        self.name = params["name"]
        self.image = params.get("image")
        # An IP address only; Docker would publish an empty or unusable one on all interfaces (issue 11 item 1).
        self.host_ip = parse_host_ip(params["host_ip"] if params.get("host_ip") is not None else "127.0.0.1")
        env = dict((str(k), "" if v is None else str(v)) for k, v in (params.get("env") or {}).items())
        labels = dict((str(k), "" if v is None else str(v)) for k, v in (params.get("labels") or {}).items())
        for key in labels:
            if key.startswith("iris_devtools.iris."):
                raise IrisModuleError("label %r uses the prefix 'iris_devtools.iris.' that the module reserves." % key,
                                      hint="rename the label")
        labels[MANAGED_LABEL] = "true"
        mounts = [parse_volume(v) for v in (params.get("volumes") or [])]
        command = [str(a) for a in (params.get("command_args") or [])]

        self.durable_dir = params.get("durable_dir")
        if self.durable_dir:
            self.durable_dir = os.path.abspath(os.path.expanduser(self.durable_dir))
            mounts.append(dict(type="bind", source=self.durable_dir, target=DURABLE_TARGET, read_only=False))
            self._reserve(env, "ISC_DATA_DIRECTORY", DURABLE_DATA_DIR, "durable_dir")
        self.license_key = params.get("license_key")
        if self.license_key:
            self.license_key = os.path.abspath(os.path.expanduser(self.license_key))
            mounts.append(dict(type="bind", source=self.license_key, target=KEY_TARGET, read_only=True))
            if "--key" in command:
                raise IrisModuleError("command_args contains '--key' and license_key is set.",
                                      hint="use only license_key; the module adds '--key %s' itself" % KEY_TARGET)
            command = ["--key", KEY_TARGET] + command
        if "--password-file" in command or any(a.startswith("--password-file=") for a in command):
            raise IrisModuleError("command_args must not contain '--password-file'.",
                                  hint="use the password option; the module writes the file into the container itself")
        self.cpf_merge = params.get("cpf_merge")
        self.cpf_merge_file = None
        if self.cpf_merge:
            if not self.cpf_merge.endswith("\n"):
                self.cpf_merge += "\n"
            dummy, problems = parse_cpf_actions(self.cpf_merge)
            if problems:
                raise IrisModuleError("cpf_merge would be ignored in part by IRIS: %s." % "; ".join(problems),
                                      hint="write the section header as [Actions] (IRIS is case-sensitive here)")
            self.cpf_merge_file = os.path.join(module_files_dir(params), "merge.cpf")
            mounts.append(dict(type="bind", source=self.cpf_merge_file, target=MERGE_TARGET, read_only=True))
            self._reserve(env, "ISC_CPF_MERGE_FILE", MERGE_TARGET, "cpf_merge")
            labels[CPF_SHA_LABEL] = hashlib.sha256(self.cpf_merge.encode("utf-8")).hexdigest()

        targets = [m["target"] for m in mounts]
        for target in set(targets):
            if targets.count(target) > 1:
                raise IrisModuleError("two volumes mount onto %s." % target,
                                      hint="give every volume its own container path (durable_dir uses %s, license_key %s, "
                                           "cpf_merge %s)" % (DURABLE_TARGET, KEY_TARGET, MERGE_TARGET))

        ports = {}
        ports[SUPERSERVER_KEY] = (self.host_ip, self._host_port(params.get("superserver_port"), "superserver_port"))
        if params.get("publish_web", True):
            ports[WEB_KEY] = (self.host_ip, self._host_port(params.get("web_port"), "web_port"))
        for spec in params.get("published_ports") or []:
            for key, binding in self._parse_port(spec):
                if key in ports:
                    raise IrisModuleError("published port %r publishes container port %s a second time." % (spec, key),
                                          hint="publish every container port once (1972 and 52773 are published by "
                                               "superserver_port and web_port)")
                ports[key] = binding

        self.env = env
        self.labels = labels
        self.mounts = sorted(mounts, key=lambda m: m["target"])
        self.command = command
        self.ports = ports
        self.memory = parse_memory(params.get("memory"))
        cpus = params.get("cpus")
        if cpus is not None and cpus < 0:
            raise IrisModuleError("cpus %r is negative." % (cpus,), hint="give a number of CPUs such as 2 or 1.5, or 0 for no limit")
        self.nano_cpus = int(round(float(cpus) * 1e9)) if cpus else 0
        self.cpuset_cpus = parse_cpuset(params.get("cpuset_cpus"))

    @staticmethod
    def _reserve(env, key, value, option):
        if key in env and env[key] != value:
            raise IrisModuleError("env sets %s, which the %s option manages." % (key, option),
                                  hint="remove %s from env" % key)
        env[key] = value

    @staticmethod
    def _host_port(value, option):
        if value in (None, 0):
            return None
        if not 1 <= value <= 65535:
            raise IrisModuleError("%s %r is not a port number." % (option, value),
                                  hint="give a port from 1 to 65535, or leave %s unset so Docker picks a free one" % option)
        return value

    def _parse_port(self, spec):
        """``[host_ip:][host_port:]container_port[/proto]`` (ranges too) -> [(key, (host_ip, host_port))].

        Parsed by the Docker SDK (``docker.utils.ports.split_port``, the ``docker run -p`` syntax); a missing
        address is O(host_ip), never all interfaces; a written address must be an IP address.
        """
        from docker.utils.ports import split_port  # the SDK is present: the client was created first
        text = str(spec)
        bad = IrisModuleError("published port %r is not '[host_ip:][host_port:]container_port[/protocol]'." % (spec,),
                              hint="for example '127.0.0.1:8080:8080', '8080:80' or '8080' (no blanks; IPv6 in brackets: "
                                   "'[::1]:8080:80')")
        try:
            internal, external = split_port(text)
        except ValueError:
            raise bad
        if external is None:
            external = [None] * len(internal)
        if len(external) != len(internal):
            raise bad
        result = []
        for container_port, binding in zip(internal, external):
            number, dummy, proto = container_port.partition("/")
            host_ip, host_port = binding if isinstance(binding, tuple) else (None, binding)
            host_ip = self.host_ip if host_ip in (None, "") else parse_host_ip(host_ip, "published port %r: the address" % (spec,))
            try:
                number = int(number)
                host_port = int(host_port) if host_port not in (None, "") else None
            except ValueError:
                raise bad
            if not 1 <= number <= 65535 or (host_port is not None and not 1 <= host_port <= 65535):
                raise bad
            result.append(("%d/%s" % (number, proto or "tcp"), (host_ip, host_port)))
        return result

    def view(self, running, image_id=None):
        """The diff view of this configuration (no secrets)."""
        return config_view(self, running, image_id, self.cpf_merge)


def config_view(config, running, image_id, cpf_merge):
    """The before/after view shared by WantedConfig and ActualConfig (never holds the password)."""
    return dict(
        exists=True,
        running=running,
        image=config.image,
        image_id=image_id,
        env=dict(config.env),
        labels=dict(config.labels),
        ports=dict((k, _port_view(v)) for k, v in sorted(config.ports.items())),
        mounts=copy.deepcopy(config.mounts),
        command=list(config.command),
        memory=config.memory,
        nano_cpus=config.nano_cpus,
        cpuset_cpus=config.cpuset_cpus,
        cpf_merge=cpf_merge,
    )


class ActualConfig(object):
    """The configuration of an existing container, normalised like WantedConfig."""

    def __init__(self, attrs, image_attrs):
        config = attrs.get("Config") or {}
        host = attrs.get("HostConfig") or {}
        image_config = (image_attrs or {}).get("Config") or {}
        self.id = attrs.get("Id")
        self.name = (attrs.get("Name") or "").lstrip("/")
        self.image_id = attrs.get("Image")
        self.image = config.get("Image")
        state = attrs.get("State") or {}
        self.status = state.get("Status")
        self.running = bool(state.get("Running"))
        self.started_at = parse_docker_time(state.get("StartedAt"))
        self.env = _minus(_env_dict(config.get("Env")), _env_dict(image_config.get("Env")))
        self.labels = _minus(config.get("Labels") or {}, image_config.get("Labels") or {})
        self.has_password_file = "--password-file" in (config.get("Cmd") or [])
        command = strip_password_args(config.get("Cmd"))
        if command == strip_password_args(image_config.get("Cmd")):
            command = []
        self.command = command
        ports = {}
        for key, bindings in (host.get("PortBindings") or {}).items():
            binding = (bindings or [{}])[0] or {}
            host_port = binding.get("HostPort")
            ports[key] = (binding.get("HostIp") or "0.0.0.0", int(host_port) if host_port not in (None, "", "0") else None)
        self.ports = ports
        mounts = []
        for mount in host.get("Mounts") or []:
            mounts.append(dict(type=mount.get("Type"), source=mount.get("Source"), target=mount.get("Target"),
                               read_only=bool(mount.get("ReadOnly"))))
        for bind in host.get("Binds") or []:
            mounts.append(parse_volume(bind))
        self.mounts = sorted(mounts, key=lambda m: m["target"])
        self.memory = host.get("Memory") or 0
        self.nano_cpus = host.get("NanoCpus") or 0
        self.cpuset_cpus = host.get("CpusetCpus") or ""
        self.published = {}
        for key, bindings in ((attrs.get("NetworkSettings") or {}).get("Ports") or {}).items():
            for binding in bindings or []:
                if binding.get("HostPort"):
                    self.published[key] = (binding.get("HostIp"), int(binding["HostPort"]))
                    break

    def view(self, cpf_merge):
        """The diff view of the container's configuration (no secrets)."""
        return config_view(self, self.running, self.image_id, cpf_merge)


# What each setting the module manages itself consists of, so a difference is named after the option the
# user wrote (issue 11 item 5: "container would be recreated: cpf_merge changed"), not after a label or mount.
_MANAGED_ENV = {"ISC_DATA_DIRECTORY": "durable_dir", "ISC_CPF_MERGE_FILE": "cpf_merge"}
_MANAGED_TARGETS = {DURABLE_TARGET: "durable_dir", KEY_TARGET: "license_key", MERGE_TARGET: "cpf_merge"}


def compare(wanted, wanted_image_id, actual):
    """Names of the settings (options) that differ, in a fixed order (empty list: the container matches)."""
    found = set()
    if wanted_image_id and actual.image_id != wanted_image_id:
        found.add("image")
    for key in set(wanted.env) | set(actual.env):
        if wanted.env.get(key) != actual.env.get(key):
            found.add(_MANAGED_ENV.get(key, "env"))
    for key in set(wanted.labels) | set(actual.labels):
        if wanted.labels.get(key) != actual.labels.get(key):
            found.add("cpf_merge" if key == CPF_SHA_LABEL else "labels")
    if set(wanted.ports) != set(actual.ports):
        found.add("ports")
    else:
        for key, (host_ip, host_port) in wanted.ports.items():
            actual_ip, actual_port = actual.ports[key]
            if host_ip != actual_ip or (host_port is not None and host_port != actual_port):
                found.add("ports")
                break
    wanted_mounts = dict((m["target"], m) for m in wanted.mounts)
    actual_mounts = dict((m["target"], m) for m in actual.mounts)
    for target in set(wanted_mounts) | set(actual_mounts):
        if wanted_mounts.get(target) != actual_mounts.get(target):
            found.add(_MANAGED_TARGETS.get(target, "volumes"))
    if wanted.command != actual.command:
        wanted_key, actual_key = "--key" in wanted.command, "--key" in actual.command
        rest_differs = [a for a in wanted.command if a not in ("--key", KEY_TARGET)] != \
            [a for a in actual.command if a not in ("--key", KEY_TARGET)]
        found.add("command_args" if rest_differs or wanted_key == actual_key else "license_key")
    if wanted.memory != actual.memory:
        found.add("memory")
    if wanted.nano_cpus != actual.nano_cpus:
        found.add("cpus")
    if wanted.cpuset_cpus != actual.cpuset_cpus:
        found.add("cpuset_cpus")
    order = ("image", "env", "labels", "ports", "volumes", "durable_dir", "license_key", "cpf_merge", "command_args",
             "memory", "cpus", "cpuset_cpus")
    return [name for name in order if name in found]


# --------------------------------------------------------------------------------------------
# The manager
# --------------------------------------------------------------------------------------------

class ContainerManager(object):
    """``ContainerManager(module).run() -> result``.  ``module`` needs ``params``, ``check_mode``,
    ``_diff`` and ``warn``; Docker access goes through ``self.client`` (injectable for tests)."""

    def __init__(self, module, client=None, transport_factory=None, objectscript=None, clock=time.monotonic, sleep=time.sleep):
        self.module = module
        self.params = module.params
        # O(container) stands in for O(name) when only it is set (module_defaults of the iris group).
        if not self.params.get("name"):
            self.params["name"] = self.params.get("container")
        self.check_mode = module.check_mode
        self.client = client
        self.transport_factory = transport_factory
        self.objectscript = objectscript
        self.clock = clock
        self.sleep = sleep
        self.actions = []
        self.fail_results = {"actions": self.actions}
        self.tracker = DiffTracker()
        self.transports = []  # every Transport opened, for iris_sessions

    # -- Docker helpers ------------------------------------------------------------------------

    def _docker(self):
        if self.client is None:
            from ansible_collections.iris_devtools.iris.plugins.module_utils._docker import get_docker_client
            self.client = get_docker_client(self.params.get("docker_host"), timeout=self.params.get("timeout") or 60)
        return self.client

    def _call(self, action, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except IrisModuleError:
            raise
        except Exception as exc:  # pylint: disable=broad-except  # translated into IrisModuleError
            raise self._translate(exc, action)

    def _translate(self, exc, action):
        from ansible_collections.iris_devtools.iris.plugins.module_utils._docker import translate_docker_error
        text = str(getattr(exc, "explanation", None) or exc)
        if "port is already allocated" in text or "address already in use" in text:
            return IrisModuleError(
                "Cannot %s: a host port is already in use (%s)." % (action, text),
                hint="choose other superserver_port/web_port values, or omit them so Docker picks free ports")
        if "bind source path does not exist" in text:
            return IrisModuleError(
                "Cannot %s: a bind-mounted host path does not exist (%s)." % (action, text),
                hint="create the host directory or file first (volumes, license_key), or fix the path")
        return translate_docker_error(exc, action)

    def _is_not_found(self, exc):
        return exc.__class__.__name__ in ("NotFound", "ImageNotFound") or getattr(exc, "status_code", None) == 404

    def _get_container(self):
        client = self._docker()
        try:
            return client.containers.get(self.params["name"])
        except Exception as exc:  # pylint: disable=broad-except
            if self._is_not_found(exc):
                return None
            raise self._translate(exc, "inspect container %s" % self.params["name"])

    def _get_image(self, ref):
        client = self._docker()
        try:
            return client.images.get(ref)
        except Exception as exc:  # pylint: disable=broad-except
            if self._is_not_found(exc):
                raise IrisModuleError(
                    "Image %s not found locally; build or load it, or check the name." % ref,
                    hint="the module never pulls: run 'docker pull %s' (or docker load / build) on the Docker host first, "
                         "or correct the image name and tag" % ref)
            raise self._translate(exc, "inspect image %s" % ref)

    # -- main flow ----------------------------------------------------------------------------------

    def run(self):
        result = self._run()
        result["iris_sessions"] = sum(transport.sessions for transport in self.transports)
        return result

    def _run(self):
        params = self.params
        # The name becomes a directory under state_dir and a Docker name: refuse '../x', newlines, quotes first.
        _argspec.validate_container_name(params.get("name"), "name")
        state = params["state"]
        container = self._get_container()
        actual = None
        if container is not None:
            actual_image = self._image_attrs_of(container)
            actual = ActualConfig(container.attrs, actual_image)
        if state == "absent":
            return self._absent(container, actual)

        check_password(params.get("password"))  # issue 11 item 1: one rule with the instance role
        wanted = WantedConfig(params)
        image = None
        if wanted.image:
            image = self._get_image(wanted.image)
        elif container is None:
            raise IrisModuleError("Container %s does not exist and no image was given." % params["name"],
                                  hint="set the image option so the module can create the container")
        self._check_host_paths(wanted)

        differences = []
        if container is not None and wanted.image:
            differences = compare(wanted, image.id, actual)
            cpf_label = actual.labels.get(CPF_SHA_LABEL)
            if cpf_label and wanted.cpf_merge_file and not os.path.exists(wanted.cpf_merge_file) \
                    and "cpf_merge" not in differences:
                differences.append("cpf_merge")

        recreate = params["recreate"]
        create = container is None
        replace = container is not None and wanted.image is not None and (
            recreate == "always" or (recreate == "on_change" and bool(differences)))
        if differences and recreate == "never":
            self.module.warn("Container %s differs from the wanted configuration (%s) but recreate=never, so it is kept."
                             % (params["name"], ", ".join(differences)))

        was_running = actual.running if actual else False
        if state in ("started", "healthy"):
            want_running = True
        elif state == "stopped":
            want_running = False
        else:  # present: never starts a stopped container; a replaced running one keeps running
            want_running = was_running

        before = actual.view(self._cpf_text_of(actual)) if actual else dict(exists=False)
        if create or replace:
            after = wanted.view(want_running, image.id)
        else:  # kept as it is (matching, recreate=never, or no image given): only the run state may change
            after = dict(before, running=want_running)
        self.tracker.add_dict(before, after)

        if (create or replace) and wanted.durable_dir and not os.path.exists(wanted.durable_dir):
            self.actions.append("create durable_dir %s owned by UID %d" % (wanted.durable_dir, IRIS_UID))

        if replace:
            self.actions.append("remove container %s (configuration differs: %s)" % (
                params["name"], ", ".join(differences) or "recreate=always"))
        if create or replace:
            self.actions.append("create container %s from %s" % (params["name"], wanted.image))
        will_start = want_running and (create or replace or not was_running)
        if will_start:
            self.actions.append("start container %s" % params["name"])
        if not want_running and was_running and not replace:
            self.actions.append("stop container %s" % params["name"])
        changed = bool(self.actions)
        # A recreate loses the IRIS state outside durable_dir and volumes: say so as such, in check mode too
        # (issue 11 item 5), with the options that differ.
        recreate_note = None
        if replace:
            recreate_note = "container %s would be recreated (IRIS data outside durable_dir and volumes is lost): %s\n" % (
                params["name"], ("%s changed" % ", ".join(differences)) if differences else "recreate=always")
        if self.module._diff:
            self.fail_results["diff"] = self._diff_with(recreate_note)

        result = dict(changed=changed, actions=list(self.actions), recreated=replace, differences=list(differences))
        ready = None
        if not self.check_mode:
            container, ready = self._apply(container, wanted, image, create, replace, will_start, want_running, was_running)
        elif state == "healthy" and container is not None and not replace and was_running:
            # Read-only readiness probe so check mode returns what the real run returns.
            ready = self._wait_ready(container, actual.started_at, verify=None)
        result.update(self._returns(container if not (self.check_mode and (create or replace)) else None,
                                    wanted, ready, want_running))
        if self.module._diff:
            result["diff"] = self._diff_with(recreate_note)
        return result

    def _diff_with(self, note):
        """The diff; ``note`` (a recreate) goes into ``prepared``, which Ansible prints after the before/after diff."""
        diff = self.tracker.as_diff()
        if note:
            diff["prepared"] = note
        return diff

    def _image_attrs_of(self, container):
        image_id = container.attrs.get("Image")
        if not image_id:
            return None
        try:
            return self._docker().images.get(image_id).attrs
        except Exception as exc:  # pylint: disable=broad-except
            if self._is_not_found(exc):  # image removed under a container: no defaults
                return None
            # Any other error must fail: without the image's defaults every setting would look changed, and
            # recreate=on_change would destroy the container (issue 11 item 6).
            raise self._translate(exc, "inspect image %s of container %s" % (image_id, self.params["name"]))

    def _cpf_text_of(self, actual):
        """The merge text an existing container uses (read from its host file; None if none)."""
        if actual is None or CPF_SHA_LABEL not in actual.labels:
            return None
        for mount in actual.mounts:
            if mount["target"] == MERGE_TARGET and mount["type"] == "bind":
                try:
                    with open(mount["source"], "r") as handle:
                        return handle.read()
                except (IOError, OSError):
                    return None
        return None

    def _check_host_paths(self, wanted):
        """Host-side checks that do not change anything (run in check mode too)."""
        if wanted.license_key and not os.path.isfile(wanted.license_key):
            raise IrisModuleError("license_key %s is not a file on this host." % wanted.license_key,
                                  hint="give the path of an iris.key file on the Docker host")
        if wanted.durable_dir and os.path.exists(wanted.durable_dir):
            info = os.stat(wanted.durable_dir)
            if not os.path.isdir(wanted.durable_dir):
                raise IrisModuleError("durable_dir %s exists and is not a directory." % wanted.durable_dir,
                                      hint="point durable_dir at a directory")
            if info.st_uid != IRIS_UID:
                raise IrisModuleError(
                    "durable_dir %s is owned by UID %d, but IRIS runs as UID %d (irisowner) and must write there; "
                    "the container would exit at start." % (wanted.durable_dir, info.st_uid, IRIS_UID),
                    hint="run 'sudo chown -R %d:%d %s', or give a directory that does not exist yet (the module creates "
                         "it with the right owner)" % (IRIS_UID, IRIS_UID, wanted.durable_dir))

    def _prepare_host_files(self, wanted):
        if wanted.durable_dir and not os.path.exists(wanted.durable_dir):
            try:
                os.makedirs(wanted.durable_dir, 0o750)
                os.chown(wanted.durable_dir, IRIS_UID, IRIS_UID)
            except OSError as exc:
                raise IrisModuleError(
                    "Cannot create durable_dir %s owned by UID %d: %s." % (wanted.durable_dir, IRIS_UID, exc),
                    hint="run the module with become: true (chown needs root), or create the directory yourself: "
                         "'sudo install -d -o %d -g %d %s'" % (IRIS_UID, IRIS_UID, wanted.durable_dir))
        if wanted.cpf_merge_file:
            directory = os.path.dirname(wanted.cpf_merge_file)
            try:
                if not os.path.isdir(directory):
                    os.makedirs(directory, 0o755)
                tmp = wanted.cpf_merge_file + ".tmp"
                with open(tmp, "w") as handle:
                    handle.write(wanted.cpf_merge)
                os.chmod(tmp, 0o644)
                os.rename(tmp, wanted.cpf_merge_file)
            except (IOError, OSError) as exc:
                raise IrisModuleError("Cannot write the CPF merge file %s: %s." % (wanted.cpf_merge_file, exc),
                                      hint="set state_dir to a writable directory on the Docker host")

    def _apply(self, container, wanted, image, create, replace, will_start, want_running, was_running):
        client = self._docker()
        name = self.params["name"]
        stop_timeout = self.params["stop_timeout"]
        if replace:
            self._remove(container, stop_timeout)
            container = None
        created_here = False
        ready = None
        try:
            if create or replace:
                self._prepare_host_files(wanted)
                container = self._create(client, wanted, image)
                created_here = True
            if will_start:
                self._call("start container %s" % name, container.start)
                self._call("inspect container %s" % name, container.reload)
            elif not want_running and was_running and not replace:
                self._stop(container, stop_timeout)
                self._call("inspect container %s" % name, container.reload)
            if self.params["state"] == "healthy":
                started = parse_docker_time((container.attrs.get("State") or {}).get("StartedAt"))
                verify = wanted if (will_start and (created_here or wanted.cpf_merge)) else None
                ready = self._wait_ready(container, started, verify=verify,
                                         password_given=created_here and bool(self.params.get("password")))
        except IrisModuleError as error:
            container_left = False
            if created_here and container is not None:
                self.fail_results["container_id"] = container.id
                container_left = True
                if not self.params["keep_failed"]:
                    error.details.setdefault("cleanup", "removed container %s created by this run (keep_failed=false)" % name)
                    try:
                        container.remove(force=True, v=True)
                        container_left = False
                    except Exception:  # pylint: disable=broad-except  # best effort; the original error matters
                        error.details["cleanup"] = "could not remove container %s; remove it by hand" % name
            if (create or replace) and not container_left:
                # No container uses the files this run wrote under state_dir: remove them (issue 11 item 6).
                self._remove_written_files(error)
            raise
        return container, ready

    def _remove_written_files(self, error):
        files = module_files_dir(self.params)
        if not os.path.isdir(files):
            return
        try:
            for entry in os.listdir(files):
                os.remove(os.path.join(files, entry))
            os.rmdir(files)
        except (IOError, OSError) as exc:  # best effort; the original error matters
            error.details["cleanup_files"] = "could not remove the module files %s (%s); remove them by hand" % (files, exc)

    def _create(self, client, wanted, image):
        from docker.types import Mount  # the SDK is present: _docker() succeeded

        name = self.params["name"]
        command = list(wanted.command)
        password = self.params.get("password")
        if password:
            command = command + ["--password-file", PASSWORD_PATH]
        mounts = [Mount(m["target"], m["source"], type=m["type"], read_only=m["read_only"]) for m in wanted.mounts]
        kwargs = dict(
            name=name,
            command=command or None,
            environment=dict(wanted.env),
            labels=dict(wanted.labels),
            ports=dict(wanted.ports),
            mounts=mounts,
            detach=True,
        )
        if wanted.memory:
            kwargs["mem_limit"] = wanted.memory
        if wanted.nano_cpus:
            kwargs["nano_cpus"] = wanted.nano_cpus
        if wanted.cpuset_cpus:
            kwargs["cpuset_cpus"] = wanted.cpuset_cpus
        # Created from the name the user gave (Config.Image shows it); the image ID is compared separately.
        container = self._call("create container %s" % name, client.containers.create, wanted.image, **kwargs)
        if password:
            try:
                ok = container.put_archive(PASSWORD_PARENT, password_archive(password))
            except Exception as exc:  # pylint: disable=broad-except
                container.remove(force=True, v=True)
                raise self._translate(exc, "copy the password file into container %s" % name)
            if not ok:
                container.remove(force=True, v=True)
                raise IrisModuleError("Docker refused to copy the password file into container %s." % name,
                                      hint="check that the image has a %s directory" % PASSWORD_PARENT)
        return container

    def _remove(self, container, stop_timeout):
        name = self.params["name"]
        if container.status == "running":
            self._stop(container, stop_timeout)
        self._call("remove container %s" % name, container.remove, force=True, v=True)

    def _exec(self, container, argv, user, timeout):
        """Run a command (no stdin) in the container: ``(exit_code, stdout, stderr)``; IrisModuleError on failure."""
        from ansible_collections.iris_devtools.iris.plugins.module_utils._docker import exec_with_stdin
        return exec_with_stdin(self._docker(), container, argv, b"", timeout, user=user)

    def _stop(self, container, stop_timeout):
        """Shut IRIS down inside the container first, then stop the container (issue 10 item 3).

        Sources disagree on whether iris-main shuts IRIS down cleanly on SIGTERM (iris-sources.md §5.2 S25 says
        yes; iris-devtester 1.21 lost rows after a bare ``docker stop``, iris-sources.md PEERS §2), so every path that
        stops IRIS (state=stopped, absent, recreate) runs ``iris stop <instance> quietly`` first: the
        ``iris`` command's stop function, ``quietly`` without prompts (iris-sources.md §4.1 S36: GCLI
        https://docs.intersystems.com/csp/docbook/DocBook.UI.Page.cls?KEY=GCLI_intro and the ``iris help``
        text, https://juejin.cn/post/7147083052043223048; Dockerfiles run ``iris stop $ISC_PACKAGE_INSTANCENAME
        quietly``).  It runs as irisowner, bounded by stop_timeout; a failure is a warning, not fatal, because
        Docker's stop (SIGTERM, then SIGKILL after stop_timeout) follows anyway.
        """
        name = self.params["name"]
        instance = self.params.get("instance") or "IRIS"
        command = "iris stop %s quietly" % instance
        why = None
        try:
            code, stdout, stderr = self._exec(container, ["iris", "stop", instance, "quietly"], IRIS_OWNER, stop_timeout)
            if code not in (0, None):
                text = (stdout or b"") + b"\n" + (stderr or b"")
                lines = [line.strip() for line in text.decode("utf-8", "replace").splitlines() if line.strip()]
                why = "it exited with code %s%s" % (code, (" (%s)" % " | ".join(lines[-3:])) if lines else "")
        except IrisModuleError as error:
            why = error.msg.rstrip(".")
        if why:
            self.module.warn("'%s' in container %s did not succeed: %s. Docker stops the container anyway (SIGTERM, "
                             "then SIGKILL after stop_timeout=%ss); if IRIS was not shut down cleanly, it recovers at "
                             "the next start." % (command, name, why, stop_timeout))
        self._call("stop container %s" % name, container.stop, timeout=stop_timeout)

    def _absent(self, container, actual):
        before = actual.view(self._cpf_text_of(actual)) if actual else dict(exists=False)
        self.tracker.add_dict(before, dict(exists=False))
        files = module_files_dir(self.params)
        if container is not None:
            self.actions.append("remove container %s" % self.params["name"])
            if not self.check_mode:
                self._remove(container, self.params["stop_timeout"])
        if os.path.isdir(files):
            if container is None:
                self.actions.append("remove module files %s" % files)
            if not self.check_mode:
                try:
                    for entry in os.listdir(files):
                        os.remove(os.path.join(files, entry))
                    os.rmdir(files)
                except (IOError, OSError) as exc:
                    raise IrisModuleError("Cannot remove the module files %s: %s." % (files, exc),
                                          hint="check that no other task writes there at the same time (one container "
                                               "name, one task), then remove the directory and run again")
        result = dict(changed=bool(self.actions), actions=list(self.actions), recreated=False, differences=[], status="absent",
                      container_id=None, container_name=self.params["name"], image_id=None,
                      host=None, superserver_port=None, web_port=None,
                      namespace=self.params["namespace"], instance=self.params["instance"], iris_version=None)
        if self.module._diff:
            result["diff"] = self.tracker.as_diff()
        return result

    # -- readiness ----------------------------------------------------------------------------------

    def _transport(self, container, namespace=None):
        namespace = namespace or self.params["namespace"]
        if self.transport_factory is not None:
            transport = self.transport_factory(container, namespace)
        else:
            from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import DockerTransport
            transport = DockerTransport(self._docker(), container, self.params["instance"], namespace, self.params["timeout"])
        self.transports.append(transport)
        return transport

    def _objectscript(self):
        if self.objectscript is None:
            from ansible_collections.iris_devtools.iris.plugins.module_utils import _objectscript
            self.objectscript = _objectscript
        return self.objectscript

    def _tail(self, container, started):
        try:
            raw = container.logs(timestamps=True, tail=LOG_TAIL * 4)
        except Exception:  # pylint: disable=broad-except
            return []
        return split_log(raw, started)[-LOG_TAIL:]

    def _wait_ready(self, container, started, verify=None, password_given=False):
        """Wait for logons enabled since ``started`` and a successful ping session."""
        name = self.params["name"]
        timeout = self.params["wait_timeout"]
        deadline = self.clock() + timeout
        since = int(started) if started else None
        logons = False
        last_error = None
        namespace_error_since = None
        last_details = {}
        ping = None
        while True:
            self._call("inspect container %s" % name, container.reload)
            status = container.status
            kwargs = dict(timestamps=True)
            if since:
                kwargs["since"] = since
            raw = self._call("read the log of container %s" % name, container.logs, **kwargs)
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
                    ping = self._transport(container).run(self._objectscript().ping_program())
                    break
                except IrisModuleError as error:
                    last_error = error.msg
                    last_details = dict((k, v) for k, v in error.details.items() if k in ("output_lines", "iris_error", "exit_code"))
                    if error.details.get("iris_error") == "<NAMESPACE>":
                        namespace_error_since = namespace_error_since or self.clock()
                        if self.clock() - namespace_error_since >= NAMESPACE_GRACE:
                            raise IrisModuleError(
                                "Container %s accepts logons, but namespace %s does not exist." % (name, self.params["namespace"]),
                                hint="create the namespace (for example with cpf_merge: [Actions] CreateDatabase and CreateNamespace) "
                                     "or set the namespace option to an existing one such as USER",
                                reason="namespace_missing")
                    self._fail_if_iris_down(container, error)
            if self.clock() >= deadline:
                why = ("IRIS logged 'Enabling logons' but a session did not succeed: %s" % last_error) if logons else \
                    "IRIS did not log 'Enabling logons'"
                raise IrisModuleError(
                    "Container %s was not ready within wait_timeout=%ss: %s." % (name, timeout, why),
                    hint="raise wait_timeout (a first start on a slow host can take minutes), and read log_lines",
                    reason="timeout", log_lines=self._tail(container, started), **last_details)
            self.sleep(POLL_INTERVAL)
        if password_given:
            self._remove_password_file(container)
        if password_given or (verify is not None and verify.cpf_merge):
            # One %SYS session for the CPF read-back and the password steps (README: a change adds one session).
            self._verify_cpf(container, verify, password_given)
        return ping or {}

    DOWN_CHECK_INTERVAL = 1.0

    def _fail_if_iris_down(self, container, error):
        """A session failed although IRIS enabled logons: is the instance down inside a running container?

        Decided by ``iris qlist <instance>`` field 4 ("running, since ..." / "down, last used ...", iris-sources.md
        §4.1 S31), not by the session's wording.  We fail at once with IRIS's own words instead of waiting for
        wait_timeout; the module does not start IRIS itself - it did not stop it, and something may have
        stopped it on purpose (issue 11 item 6).  At most one qlist per DOWN_CHECK_INTERVAL seconds.
        """
        now = self.clock()
        if now < getattr(self, "_next_down_check", 0):
            return
        self._next_down_check = now + self.DOWN_CHECK_INTERVAL
        instance = self.params["instance"]
        argv = ["iris", "qlist", instance]
        try:
            code, out, dummy = self._exec(container, argv, None, self.params["timeout"])
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
                self.params["name"], instance, fields[3].strip(), said),
            hint="start IRIS in the container ('docker exec %s iris start %s'), or recreate the container "
                 "(recreate=always); read log_lines for why it stopped" % (self.params["name"], instance),
            reason="iris_down", log_lines=self._tail(container, None))

    def _remove_password_file(self, container):
        """Audit F6: no source says whether iris-main deletes, renames or keeps the password file, so nothing is
        read back (no get_archive: the secret would cross the Docker API); the password is checked by a real
        login instead (_verify_cpf).  The file lives in its own private directory, so ONE ``rm -rf`` of that
        directory (as root) removes it under any name iris-main left it; a failure is a warning."""
        name = self.params["name"]
        why = None
        try:
            code, dummy, dummy2 = self._exec(container, ["rm", "-rf", PASSWORD_DIR], "root", self.params["timeout"])
            if code not in (0, None):
                why = "rm exited with code %s" % code
        except IrisModuleError as error:
            why = error.msg.rstrip(".")
        if why:
            self.module.warn("The password directory %s in container %s could not be removed (%s); a password file "
                             "left there by iris-main holds the password in clear text: remove it with "
                             "'docker exec -u root %s rm -rf %s'." % (PASSWORD_DIR, name, why, name, PASSWORD_DIR))

    def _verify_cpf(self, container, wanted, password_given=False):
        """After readiness, in ONE %SYS session: read back the CPF merge [Actions] (if any), then make the
        --password-file password usable and check it by a password login (audit F7; add_password_steps)."""
        name = self.params["name"]
        objectscript = self._objectscript()
        program = objectscript.Program()
        expectations = {}
        if wanted is not None and wanted.cpf_merge:
            actions, dummy = parse_cpf_actions(wanted.cpf_merge)
            program, expectations = build_cpf_check_program(actions, objectscript)
            unverified = sorted(set(verb for verb, dummy in actions if verb not in VERIFIABLE_ACTIONS))
            if unverified:
                self.module.warn("cpf_merge: the effect of these [Actions] is not read back: %s." % ", ".join(unverified))
        accounts = {}
        if password_given:
            accounts = add_password_steps(program, objectscript, self.params["password"],
                                          change_required=bool(self.params.get("password_change_required")),
                                          never_expires=bool(self.params.get("password_never_expires")))
        if not program.steps:
            return
        try:
            result = self._transport(container, "%SYS").run(program)
        except IrisModuleError as error:
            details = dict((k, v) for k, v in error.details.items() if k != "exception")
            step = error.details.get("iris_step")
            # Attributed by the step IRIS failed in only; without one (e.g. the session itself failed) nothing
            # says which check it was.
            if step in PASSWORD_TEMPLATES:
                raise IrisModuleError(
                    "Making the password of the predefined accounts usable in container %s failed: %s" % (name, error.msg),
                    hint="check that the image is an InterSystems IRIS image whose iris-main supports --password-file; "
                         "or set password_change_required: true to leave the accounts as IRIS sets them up. "
                         + (error.hint or ""),
                    reason="password_not_usable", **details)
            if step in CPF_CHECK_TEMPLATES:
                raise IrisModuleError(
                    "cpf_merge: reading back its [Actions] in container %s failed: %s" % (name, error.msg),
                    hint="an action did not take effect (e.g. ModifyService of a service that does not exist); "
                         "check the [Actions] lines against the CPF reference. " + (error.hint or ""),
                    reason="cpf_merge_not_applied", **details)
            raise IrisModuleError(
                "The checks after the start of container %s (%s) failed: %s" % (
                    name, " and ".join(([] if not expectations else ["cpf_merge read-back"]) +
                                       ([] if not password_given else ["password steps"])), error.msg),
                hint="read the IRIS output (output_lines) for the cause. " + (error.hint or ""),
                reason="post_start_checks_failed", **details)
        missing = check_cpf_results(result, expectations)
        if missing:
            raise IrisModuleError(
                "cpf_merge did not take effect in container %s: %s." % (name, "; ".join(missing)),
                hint="IRIS applies merge files silently: check the [Actions] verbs and keys against the CPF reference "
                     "(exact case, absolute paths, e.g. CreateDatabase:Name=APP,Directory=/usr/irissys/mgr/app)",
                reason="cpf_merge_not_applied")
        if password_given and not self.params.get("password_change_required") and result.get(LOGIN_KEY) is not True:
            found = [accounts[key] for key in sorted(accounts) if result.get(key) is True]
            raise IrisModuleError(
                "IRIS refused a password login for %s after the password was set (iris-main --password-file) and the "
                "change-password-on-first-login flag was cleared (accounts found: %s)."
                % (LOGIN_CHECK_USER, ", ".join(found) or "none"),
                hint="check that the image's iris-main applies --password-file (InterSystems images do) and that the "
                     "password meets the instance's password policy (by default 3 to 128 letters, digits or "
                     "punctuation characters); read log_lines for what iris-main logged about the password file",
                reason="password_login_refused", log_lines=self._tail(container, None))

    # -- results ------------------------------------------------------------------------------------

    def _returns(self, container, wanted, ready, want_running):
        params = self.params
        result = dict(container_name=params["name"], namespace=params["namespace"], instance=params["instance"],
                      container_id=None, image_id=None, status=None, host=None, superserver_port=None, web_port=None,
                      iris_version=None)
        host_ip = wanted.host_ip if wanted else "127.0.0.1"
        result["host"] = self._host_for(host_ip)
        if container is None:
            # Check mode, container to be created: only what is knowable before Docker assigns it.
            if wanted.ports.get(SUPERSERVER_KEY) and wanted.ports[SUPERSERVER_KEY][1]:
                result["superserver_port"] = wanted.ports[SUPERSERVER_KEY][1]
            if wanted.ports.get(WEB_KEY) and wanted.ports[WEB_KEY][1]:
                result["web_port"] = wanted.ports[WEB_KEY][1]
            result["status"] = "running" if want_running else "created"
            return result
        actual = ActualConfig(container.attrs, None)
        result["container_id"] = actual.id
        result["image_id"] = actual.image_id
        result["status"] = actual.status
        if self.check_mode and actual.running != want_running:
            result["status"] = "running" if want_running else "exited"
        # In check mode report the predicted run state: a container about to stop has no published ports.
        running_after = actual.running and (want_running if self.check_mode else True)
        published = actual.published if running_after else {}
        for key, field in ((SUPERSERVER_KEY, "superserver_port"), (WEB_KEY, "web_port")):
            if key in published:
                result[field] = published[key][1]
            elif key in actual.ports and actual.ports[key][1]:
                result[field] = actual.ports[key][1]
        if ready:
            result["iris_version"] = ready.get("version") or ready.get("zv") or ready.get("iris_version")
        return result

    def _host_for(self, host_ip):
        if host_ip in ("0.0.0.0", "", "::", None):
            docker_host = self.params.get("docker_host") or ""
            match = re.match(r"^(?:tcp|ssh|https?)://(?:[^@/]*@)?([^:/]+)", docker_host)
            return match.group(1) if match else "127.0.0.1"
        return host_ip
