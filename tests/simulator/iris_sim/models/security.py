# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``Security.Users`` and ``Security.Services`` (iris-sources.md §6, S10 code-live, S23, S28, S29).

Deliberately absent (iris-sources.md LESSONS §0.2, §2.4): ``Security.Users.ChangePassword()`` and
``SetPassword()`` → ``<METHOD DOES NOT EXIST>``.  Unknown property keys in ``Create``/``Modify``
arrays (e.g. ``ChangePasswordAtNextLogin``) are silently ignored (lessons §2.4 [DOC]).
"""

from __future__ import annotations

import fnmatch

from iris_sim import values
from iris_sim.errors import IrisError, status_ok
from iris_sim.instance import hash_password
from iris_sim.objects import ByRef, Prop, SimClass, SimObject, class_method, method, register
from iris_sim.models._common import (OpError, as_status, byref_props, fill_byref, require_sys, set_byref,
                                     to_boolean, to_integer)
from iris_sim.models.resultset import register_query

USER_BOOLEANS = ("Enabled", "ChangePassword", "PasswordNeverExpires", "AccountNeverExpires")  # S10, S28
USER_TEXT = ("FullName", "Roles", "NameSpace", "Comment", "ExpirationDate", "Routine", "EmailAddress")  # S10, S28
USER_GET = ("Name", "FullName", "Roles", "NameSpace", "Enabled", "ChangePassword", "PasswordNeverExpires",
            "AccountNeverExpires", "Comment", "ExpirationDate", "Password")


def _users(inst) -> dict:
    return inst.system.setdefault("users", {})


def find_user(inst, name) -> dict | None:
    """User record (usernames are case-insensitive [inf])."""
    return _users(inst).get(values.to_str(name).upper())


def apply_user_props(user: dict, props: dict) -> None:
    """Validate and apply ``Create``/``Modify`` properties to a user record (S10).

    ``Password``/``PasswordExternal`` are clear text and are hashed; ``PasswordHash`` is
    ``hash,salt[,workfactor,algorithm]`` stored as given (S26/S28).  Booleans must be 0/1 (#5001).
    """
    checked = {}
    for key in USER_BOOLEANS:
        if key in props:
            checked[key] = to_boolean(props[key], key)
    for key, value in checked.items():
        user[key] = value
    for key in USER_TEXT:
        if key in props:
            user[key] = values.to_str(props[key])
    for key in ("Password", "PasswordExternal"):
        if key in props:
            user["Password"] = hash_password(values.to_str(props[key]))
            user["DefaultPassword"] = 0
    if "PasswordHash" in props:
        parts = values.to_str(props["PasswordHash"]).split(",")
        user["Password"] = {"algorithm": "external", "hash": parts[0], "salt": parts[1] if len(parts) > 1 else "",
                            "iterations": int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 10000}
        user["DefaultPassword"] = 0


def create_user(inst, name, props: dict) -> None:
    """Create a user; exists → #5001 [inf wording]."""
    name = values.to_str(name)
    if not name:
        raise OpError("User name is required")
    if find_user(inst, name) is not None:
        raise OpError(f"User {name} already exists")
    user = {"Name": name, "FullName": "", "Comment": "", "Roles": "", "NameSpace": "", "Enabled": 1,
            "ChangePassword": 0, "PasswordNeverExpires": 0, "AccountNeverExpires": 0, "ExpirationDate": "",
            "Password": None, "DefaultPassword": 0}
    apply_user_props(user, props)
    _users(inst)[name.upper()] = user


def modify_user(inst, name, props: dict) -> None:
    """Modify a user; missing → #5001."""
    user = find_user(inst, name)
    if user is None:
        raise OpError(f"User {values.to_str(name)} does not exist")
    apply_user_props(user, props)


def user_props(user: dict) -> dict:
    """The ``Get`` array: ``Password`` is the stored hash, never clear text (S10)."""
    out = {key: user.get(key, "") for key in USER_GET if key != "Password"}
    record = user.get("Password") or {}
    out["Password"] = record.get("hash", "") if isinstance(record, dict) else values.to_str(record)
    return out


def _user_object(user: dict) -> SimObject:
    obj = SimObject(Users)
    for key, value in user_props(user).items():
        obj.props[key] = value
    obj.state["name"] = user["Name"]
    return obj


@register
class Users(SimClass):
    """``Security.Users`` (iris-sources.md §6, S10 code-live)."""

    name = "Security.Users"
    source = "iris-sources.md §6 S10 (code-live), S29, S30"
    properties = {key: Prop("", source="S10") for key in USER_GET}
    properties["PasswordExternal"] = Prop("", source="iris-sources.md LESSONS §2.4 [DOC]")

    @class_method("Create", source="S10, S29 (positional); IRISREF24 (both forms: positional and Create(User,.Properties))")
    def create(cls, proc, name, roles=None, password=None, full_name=None, namespace=None, *rest):
        """``Create(Name, .Props)`` or positional ``Create(Name, Roles, Password, FullName, NameSpace, ...)``."""
        require_sys(proc, cls.name)
        if isinstance(roles, ByRef):
            props = byref_props(roles)
        else:
            props = {}
            for key, value in (("Roles", roles), ("Password", password), ("FullName", full_name), ("NameSpace", namespace)):
                if value is not None and not (key == "Password" and values.to_str(value) == ""):
                    props[key] = value
            del rest  # [inf] further positional arguments not modelled
        return as_status(create_user, proc.instance, name, props)

    @class_method("Modify", source="S10")
    def modify(cls, proc, name, props=None):
        """``Modify(Name, .Props)``; ``ChangePassword`` must be a boolean (#5001, S10)."""
        require_sys(proc, cls.name)
        return as_status(modify_user, proc.instance, name, byref_props(props))

    @class_method("Get", source="S10")
    def get(cls, proc, name, props=None):
        """``Get(Name, .Props)``."""
        require_sys(proc, cls.name)
        user = find_user(proc.instance, name)
        if user is None:
            return OpError(f"User {values.to_str(name)} does not exist").status()
        fill_byref(props, user_props(user))
        return status_ok()

    @class_method("Exists", source="S10; iris-sources.md LESSONS §2.4; IRISREF24 (Exists(Username,.User,.Status) As %Boolean)")
    def exists(cls, proc, name, obj=None, status=None):
        """``Exists(Name, .User, .Status)`` → 1/0; fills an object handle."""
        require_sys(proc, cls.name)
        user = find_user(proc.instance, name)
        if user is None:
            set_byref(obj, "")
            set_byref(status, OpError(f"User {values.to_str(name)} does not exist").status())
            return 0
        set_byref(obj, _user_object(user))
        set_byref(status, status_ok())
        return 1

    @class_method("Delete", source="S10")
    def delete(cls, proc, name):
        """``Delete(Name)``."""
        require_sys(proc, cls.name)
        if find_user(proc.instance, name) is None:
            return OpError(f"User {values.to_str(name)} does not exist").status()
        del _users(proc.instance)[values.to_str(name).upper()]
        return status_ok()

    @class_method("UnExpireUserPasswords", source="S29, S30")
    def unexpire(cls, proc, pattern="*"):
        """Clear the forced change / expiry for users matching ``pattern`` (``*`` wildcard)."""
        require_sys(proc, cls.name)
        pattern = values.to_str(pattern).upper() or "*"
        for key, user in _users(proc.instance).items():
            if fnmatch.fnmatchcase(key, pattern):
                user["ChangePassword"] = 0
                user["ExpirationDate"] = ""
        return status_ok()

    @method("%Save", source="iris-sources.md LESSONS §2.4 (v1.5 object style)")
    def save(self, proc):
        """Save an object from ``Exists``; ``Password`` set on the object is stored literally (lessons §2.4 [DOC])."""
        require_sys(proc, Users.name)
        user = find_user(proc.instance, self.state.get("name", self.props.get("Name")))
        if user is None:
            return OpError(f"User {self.props.get('Name')} does not exist").status()
        props = {k: self.props[k] for k in USER_BOOLEANS + USER_TEXT if k in self.props}
        if values.to_str(self.props.get("PasswordExternal", "")):
            props["PasswordExternal"] = self.props["PasswordExternal"]
        status = as_status(apply_user_props, user, props)
        stored = user.get("Password") or {}
        literal = values.to_str(self.props.get("Password", ""))
        if literal and literal != stored.get("hash"):
            user["Password"] = {"algorithm": "literal", "hash": literal, "salt": "", "iterations": 0}
        return status


def _list_users(proc, pattern="*"):
    require_sys(proc, Users.name)
    pattern = values.to_str(pattern).upper() or "*"
    rows = []
    for key in sorted(_users(proc.instance)):
        user = _users(proc.instance)[key]
        if fnmatch.fnmatchcase(key, pattern):
            rows.append([user["Name"], user.get("FullName", ""), user.get("Enabled", 1), user.get("NameSpace", ""),
                         user.get("Roles", ""), user.get("Comment", ""), user.get("ExpirationDate", ""),
                         user.get("ChangePassword", 0)])
    return rows


register_query("Security.Users", "List",
               ["Name", "FullName", "Enabled", "NameSpace", "Roles", "Comment", "ExpirationDate", "ChangePassword"],
               _list_users, sys_only=True)  # iris-sources.md §6 S10


# ---------------------------------------------------------------------------------------------
# Security.Services
# ---------------------------------------------------------------------------------------------

def find_service(inst, name) -> dict | None:
    """Service record (names as IRIS spells them, case-insensitive lookup [inf])."""
    services = inst.system.setdefault("services", {})
    wanted = values.to_str(name).upper()
    for key, record in services.items():
        if key.upper() == wanted:
            return record
    return None


def modify_service(inst, name, props: dict) -> None:
    """``Enabled`` (boolean), ``AutheEnabled`` (bit mask, 48 = 32+16 [inf]) — S23, S28."""
    record = find_service(inst, name)
    if record is None:
        raise OpError(f"Service {values.to_str(name)} does not exist")
    updates = {}
    if "Enabled" in props:
        updates["Enabled"] = to_boolean(props["Enabled"], "Enabled")
    if "AutheEnabled" in props:
        updates["AutheEnabled"] = to_integer(props["AutheEnabled"], "AutheEnabled", 0)
    if "Description" in props:
        updates["Description"] = values.to_str(props["Description"])
    record.update(updates)


@register
class Services(SimClass):
    """``Security.Services`` (iris-sources.md §6, S23, S28; services of §0 item 9)."""

    name = "Security.Services"
    source = "iris-sources.md §6 S23, S28"
    properties = {"Name": Prop("", source="S23"), "Enabled": Prop(0, source="S23"),
                  "AutheEnabled": Prop(0, source="S28"), "Description": Prop("", source="inferred")}

    @class_method("Get", source="S23")
    def get(cls, proc, name, props=None):
        """``Get(Name, .Props)`` with ``Enabled``, ``AutheEnabled``."""
        require_sys(proc, cls.name)
        record = find_service(proc.instance, name)
        if record is None:
            return OpError(f"Service {values.to_str(name)} does not exist").status()
        fill_byref(props, {"Enabled": record["Enabled"], "AutheEnabled": record["AutheEnabled"],
                           "Description": record.get("Description", "")})
        return status_ok()

    @class_method("Modify", source="S23, S28")
    def modify(cls, proc, name, props=None):
        """``Modify(Name, .Props)``."""
        require_sys(proc, cls.name)
        return as_status(modify_service, proc.instance, name, byref_props(props))

    @class_method("Exists", source="iris-sources.md IRISREF24 (Security.Services.Exists(Name,.Service,.Status) As %Boolean)")
    def exists(cls, proc, name, obj=None, status=None):
        """``Exists(Name, .Obj, .Status)`` → 1/0."""
        require_sys(proc, cls.name)
        record = find_service(proc.instance, name)
        if record is None:
            set_byref(status, OpError(f"Service {values.to_str(name)} does not exist").status())
            return 0
        handle = SimObject(cls)
        handle.props.update({"Name": values.to_str(name), "Enabled": record["Enabled"],
                             "AutheEnabled": record["AutheEnabled"], "Description": record.get("Description", "")})
        set_byref(obj, handle)
        set_byref(status, status_ok())
        return 1


# ---------------------------------------------------------------------------------------------
# %SYSTEM.Security ($SYSTEM.Security)
# ---------------------------------------------------------------------------------------------

@register
class SystemSecurity(SimClass):
    """``%SYSTEM.Security`` (class reference [doc]
    https://docs.intersystems.com/irislatest/csp/documatic/%25CSP.Documatic.cls?LIBRARY=%25SYS&CLASSNAME=%25SYSTEM.Security).
    Only ``Login`` is modelled; any other method is ``<METHOD DOES NOT EXIST>``."""

    name = "%SYSTEM.Security"
    source = "%SYSTEM.Security class reference [doc]"

    @class_method("Login", source="%SYSTEM.Security Login [doc] (iris-sources.md IRISREF24: 0 failure, 1 success); ChangePassword refusal [inf]")
    def login(cls, proc, username=None, password=None, *rest):
        """``Login(Username, Password)`` → 1 when the password login succeeds, else 0; on success the
        process runs as that user (``$USERNAME``) [doc; public code uses the 1/0 as a credential check].

        0 for an unknown or disabled user, a wrong password, and [inf] while the account's
        ChangePassword flag is set: ADOCK-AUTH says the predefined accounts "require a password change on
        first login", and iris-devtester saw a DB-API login refused with "password change required"
        (iris-sources.md LESSONS §3 row 1); that Login refuses it the same way is inferred (the probe kit
        checks it).  Login without a password (a privileged process switching user) is not modelled."""
        if password is None or rest:
            raise IrisError("PARAMETER", "%SYSTEM.Security.Login without exactly (Username, Password) is not modelled")
        ok, dummy = proc.instance.authenticate(values.to_str(username), values.to_str(password))
        if ok:
            user = find_user(proc.instance, username)
            proc.username = user["Name"] if user else values.to_str(username)
        return 1 if ok else 0
