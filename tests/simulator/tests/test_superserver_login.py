# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Superserver handshake and login driven by the real intersystems-irispython 5.4.1 client (iris-sources.md WIRE §3)."""

from __future__ import annotations

import pytest

from superserver_support import PASSWORD, fixture_served, guarded  # noqa: F401  pylint: disable=unused-import

REFUSED = "<COMMUNICATION LINK ERROR> Failed to connect to server; Details: <COMMUNICATION ERROR> Invalid Message received; Details: "


def test_connect_and_disconnect(served):
    conn = served.connect()
    assert not conn.isClosed()
    guarded(conn.close)
    assert conn.isClosed()
    assert served.wait_log("login of _SYSTEM in USER")
    assert served.wait_log("disconnect (DC)")


def test_namespace_is_case_insensitive(served):
    conn = served.connect(namespace="%sys")
    guarded(conn.close)


@pytest.mark.parametrize("kwargs, text", [
    ({"password": "wrong"}, "Access Denied"),
    ({"user": "NoSuchUser"}, "Access Denied"),
    ({"namespace": "NOSUCH"}, "Namespace NOSUCH does not exist"),
])
def test_refused_logins(served, kwargs, text):
    with pytest.raises(RuntimeError) as err:
        served.connect(**kwargs)
    assert str(err.value) == REFUSED + text
    assert "login refused" in served.messages_log()


@pytest.mark.parametrize("line, text", [
    # iris-sources.md LESSONS §3 row 1: a DB-API login is refused while the account must change its password.
    ('set p("ChangePassword")=1 write ##class(Security.Users).Modify("_SYSTEM",.p)', "Password change required"),
    ('set p("Enabled")=0 write ##class(Security.Users).Modify("_SYSTEM",.p)', "Access Denied"),
    ('set p("Enabled")=0 write ##class(Security.Services).Modify("%Service_Bindings",.p)', "Access Denied"),
], ids=["password-change-required", "disabled-user", "bindings-service-disabled"])
def test_refused_by_instance_state(served, line, text):
    assert served.run("%SYS", "kill p " + line) == "1"
    with pytest.raises(RuntimeError) as err:
        served.connect()
    assert str(err.value) == REFUSED + text
    assert "login refused for _SYSTEM in USER" in served.messages_log()


def test_disabled_user_reason(served):
    served.run("%SYS", 'kill p set p("Enabled")=0 write ##class(Security.Users).Modify("_SYSTEM",.p)')
    assert served.inst.authenticate("_SYSTEM", PASSWORD) == (False, "disabled")


def test_instance_not_running(served):
    served.inst.set_status("down")
    with pytest.raises(RuntimeError) as err:
        served.connect()
    assert str(err.value) == REFUSED + "Startup in progress"
