# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

Connections of the native transport (issue 13; docs/native-transport-design.md §5, increment 4): the official
InterSystems client ``intersystems-irispython`` (import name ``iris``, iris-sources.md S34) logs in over the
superserver port.  ``connect`` retries what can pass (nothing listening yet, no answer, IRIS still starting) with a
growing pause until ``connect_timeout`` runs out, and fails at once, with what to do, on what cannot (refused login,
password change required, unknown namespace, TLS).

The client reports every failure as a bare ``RuntimeError`` whose text carries the server's words (iris-sources.md
WIRE §5, §7), so failures are told apart by text, in ``FAILURES`` only.  Which texts a real IRIS sends is sourced
only where the row says so; the others are the simulator's [inf] texts and must be checked on a live instance.
The password goes to the client call only: never into a message, an argument list or the environment.

``_instance.NativeInstance`` opens the one connection of a module run with ``connect`` on first use, hands the Native
API object of it (``native_api``) to the code that needs one, and closes it (``close``) when the module ends.
"""

from __future__ import annotations

import re
import time
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

try:
    import iris as iris_client
    HAS_IRIS_CLIENT = True
    IRIS_CLIENT_IMPORT_ERROR = None
except ImportError:
    iris_client = None
    HAS_IRIS_CLIENT = False
    IRIS_CLIENT_IMPORT_ERROR = traceback.format_exc()

FIRST_PAUSE = 0.5  # seconds before the first retry; doubled after each, up to LONGEST_PAUSE
LONGEST_PAUSE = 5.0
_REDACTED = "********"


class Failure(object):
    """One kind of login failure: the client's text that identifies it, whether waiting can cure it, what to say."""

    def __init__(self, kind, pattern, retry, message, hint, source):
        self.kind = kind
        self.pattern = re.compile(pattern)
        self.retry = retry
        self.message = message
        self.hint = hint
        self.source = source


# First match wins: the server's own words first (a refused login also reads "Failed to connect to server; Details:
# <COMMUNICATION ERROR> Invalid Message received; Details: <text>", WIRE §3.2), the client's connection errors last.
# ``message`` and ``hint`` take %(host)s, %(port)s, %(namespace)s, %(username)s.
FAILURES = [
    Failure("starting", r"Startup in progress", True,
            "IRIS at %(host)s:%(port)s did not accept logins yet",
            "raise connect_timeout, or wait for the instance to be ready (iris_container waits for readiness)",
            "[inf] the simulator's text; a real IRIS's is not sourced"),
    Failure("password_change", r"Password change required", False,
            "IRIS refused the login of %(username)s: the password must be changed first",
            "set a password that needs no change: iris_container's password option (iris-main --password-file), "
            "a configuration merge that modifies the user with ChangePassword=0, or a task over transport "
            "docker/local; a client login cannot change it",
            "iris-sources.md LESSONS §3 (reported by users)"),
    Failure("access_denied", r"Access Denied", False,
            "IRIS refused the login of %(username)s",
            "check username and password; the user must be enabled and may use the %%Service_Bindings service",
            "iris-sources.md WIRE §3.2 (client format); server text from public drivers and user reports"),
    Failure("namespace", r"Namespace \S+ does not exist", False,
            "Namespace %(namespace)s does not exist on %(host)s:%(port)s (or %(username)s may not use it)",
            "check the namespace option, or create the namespace first",
            "[inf] the simulator's text (iris-sources.md WIRE §3.2: the server sends its own text)"),
    Failure("tls", r"(?i)\bSSL\b|\bTLS\b|certificate", False,
            "TLS to %(host)s:%(port)s failed",
            "check ssl_config (the section name) and the SSLDefs.ini file it is read from, and the server's certificate",
            "[inf] no client text observed"),
    Failure("unreachable", r"Failed to connect to server(?!.*Invalid Message received)", True,
            "IRIS is not reachable at %(host)s:%(port)s",
            "check host and port (the superserver port: 1972 unless the container publishes it elsewhere), "
            "that IRIS runs there and that no firewall is in the way",
            "iris-sources.md WIRE §7 (client 5.4.1)"),
    Failure("no_answer", r"Failed to receive message|Communication timed out", True,
            "The server at %(host)s:%(port)s did not answer the login",
            "check that the port is an IRIS superserver (not the web port 52773) and whether IRIS is still starting; "
            "raise connect_timeout if it starts slowly",
            "iris-sources.md WIRE §7 (client 5.4.1)"),
]


def require_client():
    """Raise IrisModuleError unless the InterSystems client can be imported."""
    if not HAS_IRIS_CLIENT:
        raise IrisModuleError(
            missing_required_lib("intersystems-irispython"),
            hint="install it ('pip install intersystems-irispython') in the Python that runs the module "
                 "(ansible_python_interpreter on the target); only transport: native needs it",
            exception=IRIS_CLIENT_IMPORT_ERROR)


def classify(text):
    """The ``Failure`` whose pattern the client's error text matches, or None."""
    for failure in FAILURES:
        if failure.pattern.search(text):
            return failure
    return None


def _redact(text, password):
    return text.replace(password, _REDACTED) if password else text


def connect(host, port, namespace, username, password, timeout, connect_timeout, ssl_config=None, client=None,
            clock=time.monotonic, sleep=time.sleep):
    """A logged-in connection, retried with growing pauses while the failure is one that waiting can cure.

    ``timeout`` bounds each attempt (the client's own timeout, seconds); ``connect_timeout`` bounds all attempts.
    ``client`` is the ``iris`` module (tests pass a stand-in), ``clock``/``sleep`` the time functions.
    """
    if client is None:
        require_client()
        client = iris_client
    values = dict(host=host, port=port, namespace=namespace, username=username)
    options = dict(timeout=timeout)
    if ssl_config:
        options["sslconfig"] = ssl_config
    deadline = clock() + connect_timeout
    pause, attempts = FIRST_PAUSE, 0
    while True:
        attempts += 1
        try:
            return client.connect(host, port, namespace, username, password, **options)
        except Exception as exc:  # pylint: disable=broad-except  # the client raises bare RuntimeErrors (WIRE §7)
            text = _redact(str(exc), password)
            failure = classify(text)
            if failure is not None and failure.retry and clock() + pause < deadline:
                sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
                continue
            # "from None": the client's own exception (its text unredacted) must not ride along in the traceback
            # that run_module puts into the failure result.
            if failure is None:
                raise IrisModuleError("Cannot log in to IRIS at %s:%s: %s" % (host, port, text),
                                      hint="see the client's error above", client_error=text, attempts=attempts) from None
            waited = " (%d attempts in %s seconds)" % (attempts, connect_timeout) if failure.retry else ""
            raise IrisModuleError((failure.message % values) + waited, hint=failure.hint % values,
                                  reason=failure.kind, client_error=text, attempts=attempts) from None


def native_api(connection, client=None):
    """The Native API object (``iris.IRIS``) of ``connection``: ``iris.createIRIS(connection)`` (iris-sources.md S34,
    WIRE §5).  ``client`` is the ``iris`` module (tests pass a stand-in)."""
    if client is None:
        require_client()
        client = iris_client
    return client.createIRIS(connection)


def close(connection):
    """Close ``connection`` (the client sends its disconnect message, iris-sources.md WIRE §3.3); never raises.

    It runs when the module has its result already (or its failure): a connection that is gone or breaks while
    closing changes neither.
    """
    try:
        connection.close()
    except Exception:  # pylint: disable=broad-except  # nothing left to report it to; see the docstring
        pass
