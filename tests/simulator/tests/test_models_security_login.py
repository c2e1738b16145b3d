# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Predefined accounts after --password-file, Security.Users.Modify and $SYSTEM.Security.Login
(audit F7, S5; ADOCK-AUTH; iris-sources.md §6 S10; iris-sources.md LESSONS §2.4, §3 row 1)."""

from __future__ import annotations

import pytest

from iris_sim.instance import PREDEFINED_USERS, check_password

from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

PW = "Canary-Pw-42"
ACCOUNTS = ("_SYSTEM", "SuperUser", "Admin", "CSPSystem")


def _set_file_password(sim):
    with sim.inst.session_lock():
        sim.inst.reload()
        sim.inst.set_predefined_passwords(PW)
        sim.inst.save()


def test_password_file_leaves_the_change_on_first_login_flag(sim):
    """ADOCK-AUTH: after --password-file the predefined accounts still require a change on first login."""
    _set_file_password(sim)
    for name in ACCOUNTS:
        user = sim.inst.system["users"][name.upper()]
        assert check_password(user["Password"], PW), name
        assert user["ChangePassword"] == 1, name
    assert sim.inst.authenticate("_SYSTEM", PW) == (False, "password change required")


def test_login_refused_while_change_required_then_accepted_after_modify(sim):
    _set_file_password(sim)
    assert sim.run("%SYS", 'write $SYSTEM.Security.Login("_SYSTEM","%s")' % PW) == "0"  # [inf] refusal
    # the collection's step (one line, iris-devtester's live-verified Modify form)
    line = ('kill p set v=##class(Security.Users).Exists("%s") if v { set:1 p("ChangePassword")=0 '
            'set:0 p("PasswordNeverExpires")=1 set sc=##class(Security.Users).Modify("%s",.p) } else { set sc=1 } write v,sc')
    for name in ACCOUNTS:
        assert sim.run("%SYS", line % (name, name)) == "11", name
        assert sim.inst.system["users"][name.upper()]["ChangePassword"] == 0
    assert sim.run("%SYS", line % ("NoSuchUser", "NoSuchUser")) == "01"
    out = sim.run("%SYS", 'write $USERNAME,":",$SYSTEM.Security.Login("_SYSTEM","%s"),":",$USERNAME' % PW)
    assert out == "irisowner:1:_SYSTEM"  # Login switches the process's user
    assert sim.run("%SYS", 'write $SYSTEM.Security.Login("_SYSTEM","wrong")') == "0"
    assert sim.run("%SYS", 'write $SYSTEM.Security.Login("NoSuchUser","%s")' % PW) == "0"


def test_modify_password_never_expires_and_passwords(sim):
    out = sim.run("%SYS", 'set p("PasswordNeverExpires")=1,p("ChangePassword")=0,p("PasswordExternal")="New-1"',
                  'write ##class(Security.Users).Modify("SuperUser",.p)')
    assert out == "1"
    user = sim.inst.system["users"]["SUPERUSER"]
    assert user["PasswordNeverExpires"] == 1 and check_password(user["Password"], "New-1")
    assert sim.run("%SYS", 'write $SYSTEM.Security.Login("SuperUser","New-1")') == "1"
    out = sim.run("%SYS", 'kill p set p("Password")="New-2" write ##class(Security.Users).Modify("SuperUser",.p)')
    assert out == "1" and sim.run("%SYS", 'write $SYSTEM.Security.Login("SuperUser","New-2")') == "1"
    assert sim.run("%SYS", 'set p("PasswordNeverExpires")="yes" write $system.Status.GetErrorCodes('
                   '##class(Security.Users).Modify("SuperUser",.p))') == "5001"


@pytest.mark.parametrize("call, error", [
    ('do ##class(Security.Users).ChangePassword("SuperUser","x")', "<METHOD DOES NOT EXIST> *ChangePassword,Security.Users"),
    ('do ##class(Security.Users).SetPassword("SuperUser","x")', "<METHOD DOES NOT EXIST> *SetPassword,Security.Users"),
    ('write $SYSTEM.Security.Logout()', "<METHOD DOES NOT EXIST> *Logout,%SYSTEM.Security"),
    ('write $SYSTEM.Security.Login("_SYSTEM")', "<PARAMETER>"),
])
def test_unknown_calls_are_loud(sim, call, error):
    assert error in sim.run("%SYS", call)


def test_predefined_users_are_the_documented_ones():
    assert set(ACCOUNTS) <= set(PREDEFINED_USERS)
