# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The argspec twin of the ``iris_devtools.iris._iris`` doc fragment: the options every
IRIS module shares.  Keep both in step (ansible-test validate-modules checks it).
Environment fallbacks use ``IRIS_*`` names so AWX credentials can inject them
(iris-sources.md ANCHORS §7 rows 8-9).

Two sets: ``iris_lifecycle_argument_spec()`` (fragment ``_iris``) for every module, including the
ones that manage the container itself (``iris_container``, no transport choice), and
``iris_common_argument_spec()`` (fragments ``_iris`` + ``_iris.connection``) for modules that run
programs in a running instance.

``validate_common(params)`` checks the values of those shared options for what they are (an instance
name, a namespace name, a container name or ID, a Docker daemon URL, a number of seconds, and for ``transport: native``
a host name or address, a port, an IRIS user name, a password, an SSLDefs.ini section name) before
anything runs: ``_module.run_module`` calls it for every module, before the manager runs.  A hostile value (a newline, a NUL, a quote, a
10 kB string) then fails with a message that says what is wrong instead of reaching argv or IRIS.
"""

from __future__ import annotations

import ipaddress
import re

from ansible.module_utils.basic import env_fallback

from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import (
    DEFAULT_INSTANCE,
    DEFAULT_NAMESPACE,
    DEFAULT_TIMEOUT,
    SUPERSERVER_PORT,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

TRANSPORTS = ("docker", "local", "native")
DEFAULT_CONNECT_TIMEOUT = 30  # seconds of retries while IRIS starts (docs/native-transport-design.md D11); ours

# Namespace names: 1 to 64 characters, the first a letter or %, the rest letters, digits, - or _;
# not case-sensitive, stored and returned upper case.  InterSystems, "Configuring Namespaces", Rules for
# Namespace Names: https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GSA_config_namespace
# ("alphabetic"/"alphanumeric" read as ASCII here [inf]: the collection refuses what it cannot quote on a command line).
NAMESPACE_RE = re.compile(r"\A[A-Za-z%][A-Za-z0-9_-]{0,63}\Z")
# Instance names: letters, digits, _ and -, at most 64 characters.  IRIS containers always use IRIS
# (iris-sources.md S25); the exact installer rule is not sourced [inf], this is the safe subset.
INSTANCE_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
# Container names as the Docker daemon accepts them ([a-zA-Z0-9][a-zA-Z0-9_.-]+, moby daemon/names
# RestrictedNameChars; an ID is hex, which the same pattern covers).  Docker sets no length limit; 255 is ours [inf].
# The leading "/" of Docker's inspect Name is refused: docker ps shows names without it, and iris_container's name is
# also a directory under state_dir (os.path.join would make "/x" an absolute path outside it).
CONTAINER_RE = re.compile(r"\A[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}\Z")
# Docker daemon addresses as the Docker SDK parses them (docker.utils.parse_host schemes).
DOCKER_HOST_RE = re.compile(r"\A(?:unix|tcp|http|https|ssh|npipe)://[!-~]{1,1024}\Z")
DOCKER_HOST_QUOTES = "\"'`\\"
TIMEOUT_MAX = 86400  # one day: a longer single IRIS session or Docker call is a mistake, not a plan
# transport native (issue 13).  Host names: RFC 1123 labels (letters, digits, '-', 1 to 63 characters, no '-' at either
# end; at most 253 characters), plus '_' inside a label because Docker's own DNS answers for container names, which may
# hold it (CONTAINER_RE) [inf: only the names users give us need it].  Addresses: what Python's ipaddress accepts.
HOST_LABEL_RE = re.compile(r"\A[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\Z")
HOST_MAX = 253
# IRIS user names: no sourced rule in the register [inf].  The safe subset: letters, digits and _ . @ - %, a letter,
# digit, '_' or '%' first (_SYSTEM, SuperUser, an LDAP name such as jane@example.com), at most 160 characters [inf].
# The name only reaches the client's login call (never argv or ObjectScript); the subset keeps messages readable.
USERNAME_RE = re.compile(r"\A[A-Za-z0-9_%][A-Za-z0-9_.@%-]{0,159}\Z")
# Passwords: IRIS's default PasswordPattern is 3.128ANP (3 to 128 alphabetic, numeric or punctuation characters;
# iris-sources.md S10).  An administrator may change the pattern, so only what no pattern of letters, digits and
# punctuation allows is refused here: control characters, and more than PASSWORD_MAX characters (ours).
PASSWORD_MAX = 1024
# SSLDefs.ini section names: the client looks the name up in the file (iris-sources.md WIRE §3.4); the file format's
# own rule is not sourced [inf], so the subset is letters, digits, '_', '.' and '-', a letter or digit first, at most 64.
SSL_CONFIG_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
# A package-qualified ObjectScript class name (Pkg.Class; a package may start with %): task classes, test classes.
CLASS_NAME_RE = re.compile(r"\A%?[A-Za-z][A-Za-z0-9]*(\.%?[A-Za-z][A-Za-z0-9]*)+\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SHOWN = 40


def shown(value):
    """``value`` as a message shows it: repr (control characters visible), long values cut."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > _SHOWN:
        return "%r... (%d characters)" % (text[:_SHOWN], len(text))
    return repr(text)


def control_character(value, allowed=""):
    """The first C0 control character (NUL, CR, LF, ...), DEL or C1 control character of ``value`` that is not in
    ``allowed``, or None.  The one control-character rule of the collection (options, manifest fields)."""
    for match in _CONTROL.finditer(value):
        if match.group() not in allowed:
            return match.group()
    return None


def describe_char(char):
    """``U+000A (line feed)``-style name of a character for messages."""
    names = {"\x00": "NUL", "\n": "line feed", "\r": "carriage return", "\t": "tab", "\x7f": "DEL"}
    return "U+%04X%s" % (ord(char), " (%s)" % names[char] if char in names else "")


def _what_is_wrong(value, max_length, allowed_controls=""):
    """A short reason for a refused value: the first rule ``value`` breaks."""
    if not value:
        return "it is empty"
    if len(value) > max_length:
        return "it is %d characters long (at most %d)" % (len(value), max_length)
    bad = control_character(value, allowed_controls)
    if bad is not None:
        return "it contains a control character, %s" % describe_char(bad)
    if any(quote in value for quote in "\"'`"):
        return "it contains a quote"
    if any(ord(char) > 126 for char in value):
        return "it contains a non-ASCII character"
    if any(char.isspace() for char in value):
        return "it contains a space"
    return "it contains a character or starts with one that is not allowed"


def refuse(option, value, reason, rule):
    """Raise the collection's one "invalid option" error: ``<option> <value shown> is not valid: <reason>.``, hint ``rule``."""
    raise IrisModuleError("%s %s is not valid: %s." % (option, shown(value), reason), hint=rule)


def refuse_control_characters(option, value, rule, allowed="", shown_as=None):
    """IrisModuleError (see ``refuse``) when the string ``value`` holds a control character not in ``allowed``
    (``control_character``); other values pass.  For free-form options (a path, a URL, a key) that have no pattern.
    The message shows ``shown_as`` instead of the value when given (a URL with its password masked)."""
    bad = control_character(value, allowed) if isinstance(value, str) else None
    if bad is not None:
        refuse(option, value if shown_as is None else shown_as, "it contains a control character, %s" % describe_char(bad), rule)


def refuse_unless(value, option, pattern, max_length, rule, allowed_controls=""):
    """IrisModuleError (see ``refuse``) unless ``value`` (None passes) matches ``pattern`` (anchored with \\A and \\Z);
    the reason is the first rule it breaks (empty, longer than ``max_length``, a control character not in
    ``allowed_controls``, a quote, ...).  For module options with a rule of their own in the shared message style."""
    _check({option: value}, option, pattern, max_length, rule, allowed_controls=allowed_controls)


def _check(params, option, pattern, max_length, rule, empty_is_unset=False, allowed_controls=""):
    value = params.get(option)
    if value is None or (empty_is_unset and value == ""):
        return
    if not isinstance(value, str) or not pattern.match(value):
        refuse(option, value, _what_is_wrong(value if isinstance(value, str) else str(value), max_length, allowed_controls), rule)


def validate_namespace(value, option="namespace"):
    """IrisModuleError unless ``value`` (None passes) is an IRIS namespace name; the message names ``option``."""
    _check({option: value}, option, NAMESPACE_RE, 64,
           "give an IRIS namespace name: 1 to 64 characters, a letter or '%' first, then letters, digits, '-' or '_' "
           "(for example USER, %SYS or APP_TEST)")


def validate_container_name(value, option="container"):
    """IrisModuleError unless ``value`` (None or "" passes) is a Docker container name or ID; names ``option``."""
    _check({option: value}, option, CONTAINER_RE, 256,
           "give the container's name or ID as docker ps shows it: letters, digits, '_', '.' and '-', starting with a "
           "letter or digit", empty_is_unset=True)


def has_control_character(value):
    """True when ``value`` holds a C0 control character, DEL or a C1 control character (newline, NUL, ...)."""
    return control_character(value) is not None


def validate_host(value, option="host"):
    """IrisModuleError unless ``value`` (None or "" passes) is a DNS host name (RFC 1123 labels) or an IPv4/IPv6
    address; the message names ``option``."""
    if value is None or value == "":
        return
    rule = ("give the IRIS server's DNS name (letters, digits and '-' in dot-separated labels of at most 63 characters, "
            "for example iris.example.com; a non-ASCII name in its xn-- form) or its IPv4/IPv6 address, without a port "
            "(that is the port option) or brackets")
    text = value if isinstance(value, str) else str(value)
    if isinstance(value, str) and len(value) <= HOST_MAX and not has_control_character(value):
        try:
            ipaddress.ip_address(value)
            return
        except ValueError:
            pass
    reason = _what_is_wrong(text, HOST_MAX)
    if reason.startswith("it contains a character"):
        labels = text[:-1].split(".") if text.endswith(".") else text.split(".")
        if text.startswith("[") or text.endswith("]"):
            reason = "an address is given without brackets"
        elif ":" in text:
            reason = "it is neither an IPv6 address nor a host name (a port goes into the port option)"
        elif all(label.isdigit() for label in labels):
            reason = "it is not a valid IPv4 address"
        elif all(HOST_LABEL_RE.match(label) for label in labels):
            return
        elif any(not label for label in labels):
            reason = "it has an empty label (two dots in a row, or a dot first)"
        elif any(len(label) > 63 for label in labels):
            reason = "a label is longer than 63 characters"
        elif any(label.startswith("-") or label.endswith("-") for label in labels):
            reason = "a label starts or ends with '-'"
    refuse(option, value, reason, rule)


def validate_password(value, option="password"):
    """IrisModuleError unless ``value`` (None passes) can be a password: not empty, no control character, at most
    PASSWORD_MAX characters.  The message never shows the value, nor which character is wrong."""
    if value is None:
        return
    reason = None
    if not isinstance(value, str) or value == "":
        reason = "it is empty" if value == "" else "it is not a string"
    elif len(value) > PASSWORD_MAX:
        reason = "it is longer than %d characters" % PASSWORD_MAX
    elif has_control_character(value):
        reason = "it contains a control character"
    if reason:
        raise IrisModuleError("%s is not valid: %s." % (option, reason),
                              hint="give the password of the IRIS user (username) without control characters such as "
                                   "a line feed (a file read with lookup('file') already drops the last one), at most "
                                   "%d characters" % PASSWORD_MAX)


def _whole_number(params, option, low, high, rule):
    value = params.get(option)
    if value is None:
        return
    if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
        raise IrisModuleError("%s %s is not valid: it must be a whole number from %d to %d." % (option, shown(value), low, high),
                              hint=rule)


def validate_native(params):
    """Check the options of ``transport: native`` present in ``params`` (host, port, username, password, ssl_config,
    connect_timeout); IrisModuleError on the first bad one.  ``validate_common`` calls it for ``transport: native``."""
    validate_host(params.get("host"))
    _whole_number(params, "port", 1, 65535,
                  "give the IRIS superserver's TCP port (1972 unless it was changed or a container publishes it elsewhere)")
    _check(params, "username", USERNAME_RE, 160,
           "give the IRIS user name: letters, digits, '_', '.', '@', '-' and '%', starting with a letter, digit, '_' or '%', "
           "at most 160 characters (for example _SYSTEM or SuperUser)", empty_is_unset=True)
    validate_password(params.get("password"))
    _check(params, "ssl_config", SSL_CONFIG_RE, 64,
           "give the name of a section of the SSLDefs.ini file the client reads (letters, digits, '_', '.' and '-', "
           "starting with a letter or digit, at most 64 characters)", empty_is_unset=True)
    _whole_number(params, "connect_timeout", 0, TIMEOUT_MAX,
                  "set connect_timeout to the seconds the module may keep trying to log in while IRIS starts "
                  "(0: one attempt), for example 30")


def validate_common(params):
    """Check the shared options present in ``params``; IrisModuleError on the first bad one.

    Nothing has run when this fails: it is called before any Docker call or IRIS session.
    """
    _check(params, "instance", INSTANCE_RE, 64,
           "give the IRIS instance name: letters, digits, '_' and '-', starting with a letter or digit, at most 64 "
           "characters (containers use IRIS)")
    validate_namespace(params.get("namespace"), "namespace")
    validate_container_name(params.get("container"), "container")
    host = params.get("docker_host")
    if host not in (None, "") and (not isinstance(host, str) or not DOCKER_HOST_RE.match(host)
                                   or any(quote in host for quote in DOCKER_HOST_QUOTES)):
        reason = _what_is_wrong(host if isinstance(host, str) else str(host), 1030)
        if reason.startswith("it contains a character"):
            reason = "it is not a Docker daemon URL"
        raise IrisModuleError("docker_host %s is not valid: %s." % (shown(host), reason),
                              hint="give the Docker daemon's URL, for example unix:///var/run/docker.sock, tcp://127.0.0.1:2375 "
                                   "or ssh://user@host (or unset docker_host and DOCKER_HOST for the default socket)")
    timeout = params.get("timeout")
    if timeout is not None and not (isinstance(timeout, int) and not isinstance(timeout, bool) and 1 <= timeout <= TIMEOUT_MAX):
        raise IrisModuleError("timeout %s is not valid: it must be a whole number of seconds from 1 to %d." % (shown(timeout), TIMEOUT_MAX),
                              hint="set timeout to the seconds one IRIS session or Docker call may take, for example 60")
    if params.get("transport") == "native":
        # Only then: the other transports never use these options, and an IRIS_PASSWORD or IRIS_HOST left in the
        # environment for something else (community images and testcontainers read them too) must not fail them.
        # iris_container's own password option (transport docker only) keeps its own rule.
        validate_native(params)


def iris_lifecycle_argument_spec():
    """Return a fresh copy of the options of the ``_iris`` fragment (every module)."""
    return dict(
        instance=dict(type="str", default=DEFAULT_INSTANCE, fallback=(env_fallback, ["IRIS_INSTANCE"])),
        namespace=dict(type="str", default=DEFAULT_NAMESPACE, fallback=(env_fallback, ["IRIS_NAMESPACE"])),
        timeout=dict(type="int", default=DEFAULT_TIMEOUT, fallback=(env_fallback, ["IRIS_TIMEOUT"])),
        docker_host=dict(type="str", fallback=(env_fallback, ["DOCKER_HOST"])),
    )


def iris_common_argument_spec():
    """Return a fresh copy of the options of the ``_iris`` + ``_iris.connection`` fragments."""
    spec = dict(
        transport=dict(type="str", choices=list(TRANSPORTS), default="docker",
                       fallback=(env_fallback, ["IRIS_TRANSPORT"])),
        container=dict(type="str", fallback=(env_fallback, ["IRIS_CONTAINER"])),
        # transport native (issue 13): the superserver login.  The password is read from the task or IRIS_PASSWORD
        # only, and goes to the client's login call only (docs/native-transport-design.md D13).
        host=dict(type="str", fallback=(env_fallback, ["IRIS_HOST"])),
        port=dict(type="int", default=SUPERSERVER_PORT, fallback=(env_fallback, ["IRIS_PORT"])),
        username=dict(type="str", fallback=(env_fallback, ["IRIS_USERNAME"])),
        password=dict(type="str", no_log=True, fallback=(env_fallback, ["IRIS_PASSWORD"])),
        ssl_config=dict(type="str", fallback=(env_fallback, ["IRIS_SSL_CONFIG"])),
        connect_timeout=dict(type="int", default=DEFAULT_CONNECT_TIMEOUT, fallback=(env_fallback, ["IRIS_CONNECT_TIMEOUT"])),
    )
    spec.update(iris_lifecycle_argument_spec())
    return spec


def iris_common_required_if():
    """Constraints that go with the shared options."""
    return [
        ("transport", "docker", ("container",)),
        ("transport", "native", ("username", "password")),
        # native: the host to log in to, or a container whose published superserver port is looked up.
        ("transport", "native", ("host", "container"), True),
    ]
