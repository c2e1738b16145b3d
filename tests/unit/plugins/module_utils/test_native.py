# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_native.connect: retries what waiting can cure, fails at once with a fix for the rest, never shows the password.

The error texts are the ones the real client 5.4.1 raises against the simulator's superserver
(tests/simulator/tests/test_superserver_login.py pins them with the real client)."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _native
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

PASSWORD = "Canary-Pw-42"
LINK = "<COMMUNICATION LINK ERROR> Failed to connect to server; Details: "
REFUSED = LINK + "<COMMUNICATION ERROR> Invalid Message received; Details: "
TEXTS = {
    "unreachable": LINK + "Error code: -1 Error message: ",
    "no_answer": "<COMMUNICATION LINK ERROR> Failed to receive message; Details: Error code: 110 Error message: "
                 "Communication timed out",
    "starting": REFUSED + "Startup in progress",
    "password_change": REFUSED + "Password change required",
    "access_denied": REFUSED + "Access Denied",
    "namespace": REFUSED + "Namespace NOSUCH does not exist",
}


class Clock(object):
    """A clock that only moves when the code under test sleeps."""

    def __init__(self):
        self.now = 100.0
        self.pauses = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


class Client(object):
    """Stands in for the ``iris`` module: fails with the given texts, then connects."""

    def __init__(self, *failures):
        self.failures = list(failures)
        self.calls = []

    def connect(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if self.failures:
            raise RuntimeError(self.failures.pop(0))
        return "connection"


def _connect(client, clock, connect_timeout=30, **kwargs):
    return _native.connect("db.example", 1972, "USER", "_SYSTEM", PASSWORD, 10, connect_timeout, client=client,
                           clock=clock, sleep=clock.sleep, **kwargs)


@pytest.mark.parametrize("kind", ["unreachable", "no_answer", "starting"])
def test_waits_while_waiting_can_help(kind):
    clock, client = Clock(), Client(TEXTS[kind], TEXTS[kind], TEXTS[kind])
    assert _connect(client, clock) == "connection"
    assert clock.pauses == [0.5, 1.0, 2.0]
    assert len(client.calls) == 4
    assert client.calls[0] == (("db.example", 1972, "USER", "_SYSTEM", PASSWORD), {"timeout": 10})


def test_pauses_grow_to_five_seconds_and_stop_at_connect_timeout():
    clock, client = Clock(), Client(*[TEXTS["unreachable"]] * 50)
    with pytest.raises(IrisModuleError) as caught:
        _connect(client, clock, connect_timeout=20)
    assert clock.pauses == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]  # the next 5 s pause would pass the 20 s budget
    assert caught.value.details["reason"] == "unreachable"
    assert caught.value.details["attempts"] == 7
    assert "IRIS is not reachable at db.example:1972 (7 attempts in 20 seconds)" == caught.value.msg
    assert "superserver port" in caught.value.hint


@pytest.mark.parametrize("kind, message, hint", [
    ("password_change", "IRIS refused the login of _SYSTEM: the password must be changed first", "ChangePassword=0"),
    ("access_denied", "IRIS refused the login of _SYSTEM", "%Service_Bindings"),
    ("namespace", "Namespace USER does not exist on db.example:1972 (or _SYSTEM may not use it)", "namespace option"),
])
def test_fails_at_once_with_a_fix(kind, message, hint):
    clock, client = Clock(), Client(TEXTS[kind])
    with pytest.raises(IrisModuleError) as caught:
        _connect(client, clock)
    assert clock.pauses == [] and len(client.calls) == 1
    assert caught.value.msg == message
    assert hint in caught.value.hint
    assert caught.value.details["reason"] == kind
    assert caught.value.details["client_error"] == TEXTS[kind]


@pytest.mark.parametrize("text", ["<SOMETHING NEW> happened", REFUSED + "Something else"])
def test_unknown_failures_are_reported_as_the_client_gave_them(text):
    clock, client = Clock(), Client(text, text)
    with pytest.raises(IrisModuleError) as caught:
        _connect(client, clock)
    assert caught.value.msg == "Cannot log in to IRIS at db.example:1972: " + text
    assert len(client.calls) == 1  # a refusal in the server's words is never retried


def test_the_password_never_reaches_a_message():
    clock, client = Clock(), Client(REFUSED + "Access Denied for password " + PASSWORD)
    with pytest.raises(IrisModuleError) as caught:
        _connect(client, clock)
    text = repr((caught.value.msg, caught.value.hint, caught.value.details))
    assert PASSWORD not in text and "********" in caught.value.details["client_error"]


def test_tls_section_goes_to_the_client():
    clock, client = Clock(), Client()
    _connect(client, clock, ssl_config="idt-tls")
    assert client.calls[0][1] == {"timeout": 10, "sslconfig": "idt-tls"}


def test_missing_client_says_what_to_install(monkeypatch):
    monkeypatch.setattr(_native, "HAS_IRIS_CLIENT", False)
    monkeypatch.setattr(_native, "IRIS_CLIENT_IMPORT_ERROR", "Traceback ...")
    with pytest.raises(IrisModuleError) as caught:
        _native.connect("db.example", 1972, "USER", "_SYSTEM", PASSWORD, 10, 30)
    assert "intersystems-irispython" in caught.value.msg
    assert "transport: native" in caught.value.hint
