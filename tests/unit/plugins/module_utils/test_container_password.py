# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The password of iris_container (_container_password): the rule, the private file, the steps in %SYS."""

from __future__ import annotations

import io
import tarfile

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _container_password as pw
from ansible_collections.iris_devtools.iris.plugins.module_utils import _objectscript
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError


# -- password file -------------------------------------------------------------------------------

def test_password_archive_is_private_to_irisowner():
    data = pw.password_archive("s3cr3t-Pw")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = tar.getmembers()
        # extracted into /tmp: a private directory of its own (0700), then the file in it (0600)
        assert [m.name for m in members] == ["iris-devtools-pw", "iris-devtools-pw/password"]
        folder, member = members
        assert folder.isdir() and (folder.mode, folder.uid, folder.gid) == (0o700, 51773, 51773)
        assert member.isfile() and (member.mode, member.uid, member.gid) == (0o600, 51773, 51773)
        assert tar.extractfile(member).read() == b"s3cr3t-Pw"
    assert pw.PASSWORD_PARENT + "/" + members[1].name == pw.PASSWORD_PATH == "/tmp/iris-devtools-pw/password"


def test_strip_password_args():
    assert pw.strip_password_args(["--check-caps", "false", "--password-file", "/tmp/x", "-a", "y"]) == \
        ["--check-caps", "false", "-a", "y"]
    assert pw.strip_password_args(["--password-file=/x"]) == []
    assert pw.strip_password_args(["--password-file", pw.PASSWORD_PATH]) == []
    assert pw.strip_password_args(None) == []


# -- the password steps (audit F7) against the in-process simulator ----------------------------------

CANARY = 'Canary-"pw"-9Zq'


def _file_password(iris_sim, password):
    """What iris-main --password-file does (ADOCK-AUTH: password set, change still required)."""
    with iris_sim.inst.session_lock():
        iris_sim.inst.reload()
        iris_sim.inst.set_predefined_passwords(password)
        iris_sim.inst.save()


def test_password_steps_make_the_password_usable(iris_sim):
    _file_password(iris_sim, CANARY)
    assert iris_sim.inst.authenticate("_SYSTEM", CANARY) == (False, "password change required")
    program = _objectscript.Program()
    keys = pw.add_password_steps(program, _objectscript, CANARY)
    assert program.template_names == ["user_password_flags", "password_login"]
    assert program.secret_values == [CANARY]
    result = iris_sim.transport("%SYS").run(program)
    assert result[pw.LOGIN_KEY] is True
    assert sorted(keys.values()) == sorted(pw.PREDEFINED_ACCOUNTS)
    assert all(result[key] is True for key in keys)
    for name in pw.PREDEFINED_ACCOUNTS:  # independent read
        assert "CHG=0" in iris_sim.run("%SYS", 'do ##class(Security.Users).Get("%s",.p) write "CHG=",p("ChangePassword")' % name)
        assert iris_sim.inst.system["users"][name.upper()]["PasswordNeverExpires"] == 0


def test_password_steps_never_expires_and_wrong_password(iris_sim):
    _file_password(iris_sim, "other-password")
    program = _objectscript.Program()
    pw.add_password_steps(program, _objectscript, CANARY, never_expires=True)
    result = iris_sim.transport("%SYS").run(program)
    assert result[pw.LOGIN_KEY] is False  # the file's password is not the module's: the login check catches it
    assert iris_sim.inst.system["users"]["SUPERUSER"]["PasswordNeverExpires"] == 1


def test_password_change_required_adds_no_login(iris_sim):
    program = _objectscript.Program()
    assert pw.add_password_steps(program, _objectscript, CANARY, change_required=True) == {}
    assert program.steps == []
    program = _objectscript.Program()
    pw.add_password_steps(program, _objectscript, CANARY, change_required=True, never_expires=True)
    assert program.template_names == ["user_password_flags"] and not program.has_secrets
    assert 'set:0 idtP("ChangePassword")=0 set:1 idtP("PasswordNeverExpires")=1' in program.render("k" * 16)


@pytest.mark.parametrize("password", ["", "ab", "SYS", "sys", "Sys", "x" * 129, "line1\nline2", "abc\r", "a\x00bcd",
                                      "tab\there", "del\x7fx", "c1\x85xx"])
def test_password_rule_refuses(password):
    """issue 11 item 1: one rule with the instance role (3-128 characters, no control character, not SYS)."""
    with pytest.raises(IrisModuleError) as exc:
        pw.check_password(password)
    assert exc.value.msg.startswith("password is not usable: ")
    if len(password) > 3 and password.upper() != "SYS":  # shorter ones are words of the message itself
        assert password not in exc.value.msg and password not in (exc.value.hint or "")


@pytest.mark.parametrize("password", [None, "abc", "x" * 128, "Pässwörd with spaces!", "SYS1", "sys-admin"])
def test_password_rule_accepts(password):
    pw.check_password(password)
