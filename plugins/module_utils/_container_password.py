# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The password of the predefined accounts in an ``iris_devtools.iris.iris_container`` container: the rule a password
must meet, the private file ``iris-main --password-file`` reads (iris-sources.md §5, S25), and the %SYS steps that
make it usable for a password login after the first start (audit F7).

Secrets: the password never enters env, labels, argv (only the in-container *path* of the file), logs, results or
the diff.  It is written into the *created, not yet started* container with the Docker archive API
(``put_archive``: a private directory PASSWORD_DIR, mode 0700, holding the file, mode 0600, both owner 51773), so it
never touches the Docker host's disk, and there is no bind mount whose host source could vanish and block a later
``docker start``.  After a healthy first start the whole directory is removed with one ``rm -rf`` (whatever
iris-main did with the file, audit F6); it is never read back.
"""

from __future__ import annotations

import io
import tarfile
import time

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import IRISOWNER, IRISOWNER_GID, IRISOWNER_UID
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

# The password file lives in a private directory of its own (owner 51773, mode 0700), created with the file by one
# put_archive into PASSWORD_PARENT.  Whatever iris-main does with the file (delete, rename, keep: not documented,
# audit F6), removing the whole directory after the start removes every copy.
PASSWORD_PARENT = "/tmp"
PASSWORD_DIR_NAME = "iris-devtools-pw"
PASSWORD_DIR = PASSWORD_PARENT + "/" + PASSWORD_DIR_NAME
PASSWORD_NAME = "password"
PASSWORD_PATH = PASSWORD_DIR + "/" + PASSWORD_NAME

# The password rule of the module and of the instance role (roles/instance/tasks/preflight.yml, same rule):
# 3 to 128 characters (IRIS's default password pattern 3.128ANP, iris-sources.md §5.4 S25), no control character
# (C0, DEL, C1: the password file is read as one line, so CR/LF would cut it), not the documented default
# password SYS in any letter case.
PASSWORD_MIN = 3
PASSWORD_MAX = 128
DEFAULT_PASSWORD = "SYS"

# The predefined accounts whose "change password on first login" flag the module clears after
# --password-file (audit F7; ADOCK-AUTH names "the predefined accounts", iris-sources.md §5.4 S25 and
# iris-sources.md LESSONS §6 list these four).  An account that does not exist is skipped.
PREDEFINED_ACCOUNTS = ("_SYSTEM", "SuperUser", "Admin", "CSPSystem")
LOGIN_CHECK_USER = "_SYSTEM"  # the account whose password login proves the password usable (demo, README)
LOGIN_KEY = "password_login"
PASSWORD_TEMPLATES = ("user_password_flags", "password_login")


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
        folder.uid, folder.gid = IRISOWNER_UID, IRISOWNER_GID
        folder.uname = folder.gname = IRISOWNER
        folder.mtime = int(time.time())
        tar.addfile(folder)
        info = tarfile.TarInfo(PASSWORD_DIR_NAME + "/" + PASSWORD_NAME)
        info.size = len(data)
        info.mode = 0o600
        info.uid, info.gid = IRISOWNER_UID, IRISOWNER_GID
        info.uname = info.gname = IRISOWNER
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
