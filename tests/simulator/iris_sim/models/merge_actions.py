# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Merge-file sections and ``[Actions]`` (iris-sources.md §5.5 S27/S28; user-needs §2.6), used by ``cpf.merge``.

Actions are idempotent (S28: re-run at every start): an action whose effect is already there reports
``unchanged``.  Each action maps to the class method of the same area (S27), here the model
functions of ``databases``/``security``.
"""

from __future__ import annotations

import os

from iris_sim import storage, values
from iris_sim.cpf import CpfError
from iris_sim.instance import PREDEFINED_USERS, norm_dir
from iris_sim.models import databases, security
from iris_sim.models._common import OpError


def apply_section(inst, section: str, params: dict, report: dict) -> None:
    """An ordinary section: set its parameters in ``iris.cpf``.

    ``[Databases]`` lines only register databases (no IRIS.DAT — user-needs §2.6).  ``[Startup]
    PasswordHash=hash,salt[,wf,alg]`` is applied to the predefined accounts still on the default
    password, except CSPSystem (newer S26 semantics) and is not kept in the CPF [inf].
    """
    for key, value in params.items():
        if section == "Startup" and key == "PasswordHash":
            for uname in PREDEFINED_USERS:
                user = security.find_user(inst, uname)
                if uname != "CSPSystem" and user is not None and user.get("DefaultPassword"):
                    security.apply_user_props(user, {"PasswordHash": value})
            report["parameters"].append("[Startup] PasswordHash=<hidden>")
            continue
        if section == "Databases":
            fields = value.split(",")
            fields[0] = norm_dir(fields[0], inst.mgr_dir)
            value = ",".join(fields)
        inst.config.section(section)[key] = value
        report["parameters"].append(f"[{section}] {key}={value}")


def _fail(verb: str, exc: Exception) -> CpfError:
    text = exc.text if isinstance(exc, OpError) else str(exc)
    return CpfError(f"{verb}: {text}")


def _create_database(inst, props: dict) -> str:
    """CPF entry AND IRIS.DAT (S27); an existing IRIS.DAT is adopted [inf, §5.5 open question];
    accepts ``Resource`` (templates, S28) and ``ResourceName`` (docs, S27) for the database file's ResourceName (S19;
    IRISREF24: SYS.Database.Resource "only used for Merge command property validation"); Config.Databases has no
    resource (IRISREF24)."""
    name = values.to_str(props.get("Name", "")).upper()
    directory = norm_dir(props.get("Directory", ""), inst.mgr_dir)
    if not name or not directory:
        raise OpError("Name and Directory are required")
    existing = inst.config.databases().get(name)
    changed = False
    if existing is None:
        entry = {"Directory": directory}
        databases.config_db_create(inst, name, entry)
        changed = True
    elif norm_dir(existing["Directory"], inst.mgr_dir) != directory:
        raise OpError(f"Database {name} already exists with directory {existing['Directory']}")
    if not os.path.exists(storage.dat_path(directory)):
        databases.sysdb_create(inst, directory, props.get("Size", 1) or 1, props.get("BlockSize", 8192) or 8192,
                               props.get("MaxSize", 0) or 0, props.get("ExpansionSize", 0) or 0,
                               props.get("ResourceName", props.get("Resource", "")))
        changed = True
    elif not inst.is_mounted(directory):
        databases.sysdb_mount(inst, directory)
        changed = True
    return "applied" if changed else "unchanged"


def _create_namespace(inst, props: dict) -> str:
    name = values.to_str(props.get("Name", ""))
    if inst.has_namespace(name):
        return "unchanged"
    globals_db = props.get("Globals", "")
    if not globals_db:
        raise OpError("Globals is required")
    databases.ns_create(inst, name, {"Globals": globals_db, "Routines": props.get("Routines", globals_db)})
    return "applied"


def _modify_service(inst, props: dict) -> str:
    record = security.find_service(inst, props.get("Name", ""))
    before = dict(record) if record else None
    security.modify_service(inst, props.get("Name", ""), {k: v for k, v in props.items() if k != "Name"})
    return "unchanged" if before == security.find_service(inst, props.get("Name", "")) else "applied"


def _create_user(inst, props: dict) -> str:
    if security.find_user(inst, props.get("Name", "")) is not None:
        return "unchanged"
    security.create_user(inst, props.get("Name", ""), {k: v for k, v in props.items() if k != "Name"})
    return "applied"


def _modify_user(inst, props: dict) -> str:
    user = security.find_user(inst, props.get("Name", ""))
    before = dict(user) if user else None
    security.modify_user(inst, props.get("Name", ""), {k: v for k, v in props.items() if k != "Name"})
    return "unchanged" if before == security.find_user(inst, props.get("Name", "")) else "applied"


def _modify_startup(inst, props: dict) -> str:
    section = inst.config.section("Startup")
    changed = False
    for key, value in props.items():
        if section.get(key) != value:
            section[key] = value
            changed = True
    return "applied" if changed else "unchanged"


def _delete_database(inst, props: dict) -> str:
    if values.to_str(props.get("Name", "")).upper() not in inst.config.databases():
        return "unchanged"
    databases.config_db_delete(inst, props["Name"])
    return "applied"


def _delete_namespace(inst, props: dict) -> str:
    if not inst.has_namespace(props.get("Name", "")):
        return "unchanged"
    databases.ns_delete(inst, props["Name"])
    return "applied"


def _modify_database(inst, props: dict) -> str:
    databases.config_db_modify(inst, props.get("Name", ""), {k: v for k, v in props.items() if k != "Name"})
    return "applied"


def _create_database_file(inst, props: dict) -> str:
    directory = norm_dir(props.get("Directory", ""), inst.mgr_dir)
    if os.path.exists(storage.dat_path(directory)):
        return "unchanged"
    databases.sysdb_create(inst, directory, props.get("Size", 1) or 1)
    return "applied"


def _delete_database_file(inst, props: dict) -> str:
    directory = norm_dir(props.get("Directory", ""), inst.mgr_dir)
    if not os.path.exists(storage.dat_path(directory)):
        return "unchanged"
    databases.sysdb_delete(inst, directory)
    return "applied"


def _create_resource(inst, props: dict) -> str:
    resources = inst.system.setdefault("resources", {})
    name = values.to_str(props.get("Name", ""))
    if name in resources:
        return "unchanged"
    resources[name] = {k: values.to_str(v) for k, v in props.items() if k != "Name"}
    return "applied"


ACTIONS = {
    "CreateDatabase": _create_database, "CreateNamespace": _create_namespace, "ModifyService": _modify_service,
    "CreateUser": _create_user, "ModifyUser": _modify_user, "ModifyStartup": _modify_startup,
    "DeleteDatabase": _delete_database, "DeleteNamespace": _delete_namespace, "ModifyDatabase": _modify_database,
    "CreateDatabaseFile": _create_database_file, "DeleteDatabaseFile": _delete_database_file,
    "CreateResource": _create_resource,
}  # names from the S27 action index


def run_action(inst, verb: str, props: dict) -> str:
    """Run one action → ``applied``/``unchanged``; ``CpfError`` on failure or an unknown verb [inf]."""
    handler = ACTIONS.get(verb)
    if handler is None:
        raise CpfError(f"{verb}: unknown or unsupported action")
    try:
        return handler(inst, props)
    except (OpError, storage.DatError) as exc:
        raise _fail(verb, exc) from exc
