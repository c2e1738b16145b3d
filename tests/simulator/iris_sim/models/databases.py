# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``Config.Databases``, ``Config.Namespaces`` and ``SYS.Database`` (iris-sources.md §3.1-§3.3).

* ``Config.Databases`` writes the CPF ``[Databases]`` entry only — no ``IRIS.DAT``, no
  ``Size``/``MaxSize``/``ExpansionSize`` (iris-sources.md §0.5, S9 code-live, S20).
* ``SYS.Database`` is the physical file, keyed by directory (S19, S23, S9).
* Mount state: configured databases are mounted at startup; ``MountDatabase``/``DismountDatabase``
  change it until the next restart (GSA_manage_databases_details).  A database that is configured
  but not mounted gives ``<DIRECTORY>`` on use [inf] — e.g. a ``Config.Databases.Create`` over a
  copied ``IRIS.DAT`` without ``MountDatabase`` (one hypothesis of iris-sources.md LESSONS §4.8).
"""

from __future__ import annotations

import os
import shutil

from iris_sim import faults, storage, values
from iris_sim.errors import IrisError, status_ok
from iris_sim.instance import norm_dir
from iris_sim.objects import Prop, SimClass, SimObject, class_method, method, register
from iris_sim.models._common import (OpError, as_status, byref_props, fill_byref, require_sys, set_byref,
                                     to_boolean, to_integer)
from iris_sim.models.resultset import register_query

SYSTEM_DBS = ("IRISSYS", "IRISLIB", "IRISTEMP", "IRISAUDIT")  # S20: exist even if not listed
# S20, S9; IRISREF24 (Config.Databases 2024.1: these are its properties and the keys of its Get example; it has no
# Resource - a database's resource is SYS.Database.ResourceName, S19).
CONFIG_DB_PROPS = ("Directory", "Server", "MountRequired", "ClusterMountMode", "MountAtStartup", "StreamLocation")
# S9; IRISREF24 (the Get example of Config.Namespaces 2024.1 lists these six).
NS_PROPS = ("Globals", "Routines", "Library", "TempGlobals", "SysGlobals", "SysRoutines")


def _key(mapping: dict, name) -> str | None:
    wanted = values.to_str(name).upper()
    for key in mapping:
        if key.upper() == wanted:
            return key
    return None


# ---------------------------------------------------------------------------------------------
# Config.Databases
# ---------------------------------------------------------------------------------------------

def config_db_create(inst, name, props: dict) -> None:
    """CPF entry only (S9, S20).  Unknown keys (``Size`` …) are ignored [inf, like lessons §2.4]."""
    name = values.to_str(name).upper()  # IRISREF24: Config.Databases "Database name is always capitalized"
    if not name:
        raise OpError("Database name is required")
    if _key(inst.config.databases(), name) is not None:
        raise OpError(f"Database {name} already exists")
    directory = norm_dir(props.get("Directory", ""), inst.mgr_dir)
    if not directory:
        raise OpError("Directory", 5659)  # IRISREF24: Directory is [ Required ]; the error number and text [inf]
    entry = {key: values.to_str(props.get(key, "")) for key in CONFIG_DB_PROPS}
    entry["Directory"] = directory
    inst.config.set_database(name, entry)


def config_db_modify(inst, name, props: dict) -> None:
    """Change CPF fields of an existing entry."""
    key = _key(inst.config.databases(), name)
    if key is None:
        raise OpError(f"Database {values.to_str(name)} does not exist")
    entry = inst.config.databases()[key]
    for prop in CONFIG_DB_PROPS:
        if prop in props:
            entry[prop] = values.to_str(props[prop])
    entry["Directory"] = norm_dir(entry["Directory"], inst.mgr_dir)
    inst.config.set_database(key, entry)


def config_db_delete(inst, name) -> None:
    """Remove the CPF entry; the file stays (S37: removing the config entry leaves the file).

    Refused while a namespace uses it [inf]; a mounted database is dismounted [inf].
    """
    key = _key(inst.config.databases(), name)
    if key is None:
        raise OpError(f"Database {values.to_str(name)} does not exist")
    if key in SYSTEM_DBS:
        raise OpError(f"Database {key} is a system database and cannot be deleted")
    users = [ns for ns, conf in inst.config.namespaces().items() if key in (conf["Globals"], conf["Routines"])]
    if users:
        raise OpError(f"Database {key} is used by namespace(s) {','.join(users)}")
    inst.dismount(inst.db_dir(key))
    inst.config.delete_database(key)


def config_db_props(inst, name) -> dict:
    """The ``Get`` array."""
    key = _key(inst.config.databases(), name)
    if key is None:
        raise OpError(f"Database {values.to_str(name)} does not exist")
    stored = inst.config.databases()[key]
    entry = {prop: stored.get(prop, "") for prop in CONFIG_DB_PROPS}  # IRISREF24: the class's properties only
    entry["Directory"] = norm_dir(entry["Directory"], inst.mgr_dir)
    return entry


def _config_object(cls, name: str, props: dict) -> SimObject:
    obj = SimObject(cls)
    obj.props.update(props)
    obj.props["Name"] = name
    return obj


@register
class ConfigDatabases(SimClass):
    """``Config.Databases`` (S20 doc, S9 code-live)."""

    name = "Config.Databases"
    source = "iris-sources.md §3.1 S20, S9"
    properties = {key: Prop("", source="S20") for key in ("Name",) + CONFIG_DB_PROPS}

    @class_method("Create", source="S20, S9")
    def create(cls, proc, name, props=None, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Create(Name, .Properties)`` — CPF only, no IRIS.DAT (§0 item 5)."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "Config.Databases.Create"):  # fault injection for tests (faults.py), never accepts anything
            return faults.fault_status("Config.Databases.Create")
        return as_status(config_db_create, proc.instance, name, byref_props(props))

    @class_method("Modify", source="S20")
    def modify(cls, proc, name, props=None, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Modify(Name, .Properties)``."""
        require_sys(proc, cls.name)
        return as_status(config_db_modify, proc.instance, name, byref_props(props))

    @class_method("Get", source="S20, iris-sources.md LESSONS §2.4")
    def get(cls, proc, name, props=None, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Get(Name, .Properties)``."""
        require_sys(proc, cls.name)
        try:
            fill_byref(props, config_db_props(proc.instance, name))
        except OpError as exc:
            return exc.status()
        return status_ok()

    @class_method("Delete", source="S20")
    def delete(cls, proc, name, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Delete(Name)`` — config only."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "Config.Databases.Delete"):  # fault injection for tests (faults.py), never accepts anything
            return faults.fault_status("Config.Databases.Delete")
        return as_status(config_db_delete, proc.instance, name)

    @class_method("Exists", source="S20; iris-sources.md LESSONS §2.4")
    def exists(cls, proc, name, obj=None, status=None):
        """``Exists(Name, .Obj, .Status)`` → 1/0; ``Obj.Directory`` etc."""
        require_sys(proc, cls.name)
        try:
            props = config_db_props(proc.instance, name)
        except OpError as exc:
            set_byref(status, exc.status())
            return 0
        set_byref(obj, _config_object(cls, values.to_str(name).upper(), props))
        set_byref(status, status_ok())
        return 1


def _list_dbs(proc, pattern="*"):  # pylint: disable=unused-argument
    inst = proc.instance
    return [[name, norm_dir(p["Directory"], inst.mgr_dir)] for name, p in sorted(inst.config.databases().items())]


register_query("Config.Databases", "List", ["Name", "Directory"], _list_dbs, sys_only=True)  # S9 (Name column)


# ---------------------------------------------------------------------------------------------
# Config.Namespaces
# ---------------------------------------------------------------------------------------------

def ns_create(inst, name, props: dict) -> None:
    """CPF ``[Namespaces]`` entry (S9).

    Without a ``Globals`` property (e.g. ``Create(ns)`` or a by-value second argument, lessons
    §4.7) the namespace is created with no database and is unusable (``<DIRECTORY>``) [inf].
    A named database that is not configured → #5001 [inf].
    """
    name = values.to_str(name).upper()
    if not name:
        raise OpError("Namespace name is required")
    if inst.has_namespace(name):
        raise OpError(f"Namespace {name} already exists")
    globals_db = values.to_str(props.get("Globals", "")).upper()
    # IRISREF24: the Config.Namespaces class doc creates a namespace with Globals only and Get shows Routines = Globals;
    # names are capitalized (GlobalsSet/RoutinesSet/NameSet).
    routines_db = values.to_str(props.get("Routines", globals_db)).upper()
    for dbname in (globals_db, routines_db):
        if dbname and _key(inst.config.databases(), dbname) is None:
            raise OpError(f"Database {dbname} does not exist")
    inst.config.set_namespace(name, globals_db, routines_db)


def ns_modify(inst, name, props: dict) -> None:
    """Change ``Globals``/``Routines``."""
    key = inst.namespace_key(name)
    if key is None:
        raise OpError(f"Namespace {values.to_str(name)} does not exist")
    conf = inst.config.namespaces()[key]
    for prop in ("Globals", "Routines"):
        if prop in props:
            dbname = values.to_str(props[prop]).upper()
            if dbname and _key(inst.config.databases(), dbname) is None:
                raise OpError(f"Database {dbname} does not exist")
            conf[prop] = dbname
    inst.config.set_namespace(key, conf["Globals"], conf["Routines"])


def ns_delete(inst, name) -> None:
    """Remove the namespace; its databases stay (lessons §4.6)."""
    key = inst.namespace_key(name)
    if key is None:
        raise OpError(f"Namespace {values.to_str(name)} does not exist")
    if key in ("%SYS",):
        raise OpError("Namespace %SYS cannot be deleted")
    inst.config.delete_namespace(key)


def ns_props(inst, name) -> dict:
    """The ``Get`` array."""
    key = inst.namespace_key(name)
    if key is None:
        raise OpError(f"Namespace {values.to_str(name)} does not exist")
    conf = inst.config.namespaces()[key]
    return {"Globals": conf["Globals"], "Routines": conf["Routines"], "Library": "IRISLIB", "TempGlobals": "IRISTEMP",
            "SysGlobals": "IRISSYS", "SysRoutines": "IRISSYS"}


@register
class ConfigNamespaces(SimClass):
    """``Config.Namespaces`` (S9 code-live)."""

    name = "Config.Namespaces"
    source = "iris-sources.md §3.3 S9"
    properties = {key: Prop("", source="S9") for key in ("Name",) + NS_PROPS}

    @class_method("Create", source="S9")
    def create(cls, proc, name, props=None, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Create(Name, .Properties)``."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "Config.Namespaces.Create"):  # fault injection for tests (faults.py), never accepts anything
            return faults.fault_status("Config.Namespaces.Create")
        return as_status(ns_create, proc.instance, name, byref_props(props))

    @class_method("Modify", source="S9")
    def modify(cls, proc, name, props=None, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Modify(Name, .Properties)``."""
        require_sys(proc, cls.name)
        return as_status(ns_modify, proc.instance, name, byref_props(props))

    @class_method("Get", source="S9")
    def get(cls, proc, name, props=None, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Get(Name, .Properties)`` — returns a %Status; the array is filled by reference."""
        require_sys(proc, cls.name)
        try:
            fill_byref(props, ns_props(proc.instance, name))
        except OpError as exc:
            return exc.status()
        return status_ok()

    @class_method("Delete", source="S9; iris-sources.md LESSONS §2.4")
    def delete(cls, proc, name, cpf_file=None, flags=None):  # pylint: disable=unused-argument
        """``Delete(Name)``."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "Config.Namespaces.Delete"):  # fault injection for tests (faults.py), never accepts anything
            return faults.fault_status("Config.Namespaces.Delete")
        return as_status(ns_delete, proc.instance, name)

    @class_method("Exists", source="S9; iris-sources.md LESSONS §2.4")
    def exists(cls, proc, name, obj=None, status=None):
        """``Exists(Name, .Obj, .Status)`` → 1/0."""
        require_sys(proc, cls.name)
        try:
            props = ns_props(proc.instance, name)
        except OpError as exc:
            set_byref(status, exc.status())
            return 0
        set_byref(obj, _config_object(cls, proc.instance.namespace_key(name), props))
        set_byref(status, status_ok())
        return 1


def _list_ns(proc, pattern="*"):  # pylint: disable=unused-argument
    inst = proc.instance
    return [[name, conf["Globals"], conf["Routines"]] for name, conf in sorted(inst.config.namespaces().items())]


register_query("Config.Namespaces", "List", ["Namespace", "Globals", "Routines"], _list_ns, sys_only=True)  # S9


# ---------------------------------------------------------------------------------------------
# SYS.Database
# ---------------------------------------------------------------------------------------------

SYSDB_SETTABLE = ("Size", "MaxSize", "ExpansionSize", "ReadOnly", "ResourceName", "BlockSize", "GlobalJournalState",
                  "NewGlobalCollation", "NewGlobalIsKeep", "EncryptedDB", "ClusterMountMode")  # S19


def sysdb_create(inst, directory, size=1, block_size=8192, max_size=0, expansion=0, resource="") -> str:
    """Create ``IRIS.DAT`` in ``directory`` (created if missing [inf]) and mount it [inf]."""
    directory = norm_dir(directory, inst.mgr_dir)
    if not directory:
        raise OpError("Directory is required")
    path = storage.dat_path(directory)
    if os.path.exists(path):
        raise OpError(f"Database {directory} already exists")
    size = to_integer(size if values.to_str(size) != "" else 1, "Size", 0)
    block = to_integer(block_size if values.to_str(block_size) != "" else 8192, "BlockSize")
    if block not in (8192, 16384, 32768, 65536):  # S22
        raise OpError(f"Invalid block size {block}")
    os.makedirs(directory, exist_ok=True)
    header = storage.new_header(size_mb=max(1, size), block_size=block,
                                max_size_mb=to_integer(values.to_str(max_size) or 0, "MaxSize", 0),
                                expansion_mb=to_integer(values.to_str(expansion) or 0, "ExpansionSize", 0),
                                resource=values.to_str(resource))
    storage.create(path, header, fill=os.environ.get("IRIS_SIM_DAT_FILL", "zero"))
    inst.mount(directory)
    return directory


def sysdb_mount(inst, directory) -> None:
    """``MountDatabase(dir)``: refuses missing/corrupt/truncated files and foreign mount marks."""
    directory = norm_dir(directory, inst.mgr_dir)
    try:
        inst.mount(directory)
    except storage.DatError as exc:
        if exc.kind == "mounted":
            # [inf] wording; models "never copy a mounted database" (iris-sources.md §0.6, S21/S23)
            raise OpError(f"Cannot mount database {directory}: it is marked as mounted by another system "
                          "(IRIS.DAT copied while mounted; dismount or ExternalFreeze before copying)") from exc
        raise OpError(f"Cannot mount database {directory}: {exc.reason}") from exc


def sysdb_dismount(inst, directory) -> None:
    """``DismountDatabase(dir)``: IRISSYS/IRISLIB/IRISTEMP cannot be dismounted [inf]."""
    directory = norm_dir(directory, inst.mgr_dir)
    if inst.db_name_for_dir(directory) in ("IRISSYS", "IRISLIB", "IRISTEMP"):
        raise OpError(f"Cannot dismount system database {directory}")
    if not os.path.exists(storage.dat_path(directory)):
        raise OpError(f"Database {directory} does not exist")
    inst.dismount(directory)


def sysdb_delete(inst, directory) -> None:
    """``DeleteDatabase(dir)``: dismount and remove ``IRIS.DAT`` (the config entry stays [inf])."""
    directory = norm_dir(directory, inst.mgr_dir)
    path = storage.dat_path(directory)
    if not os.path.exists(path):
        raise OpError(f"Database {directory} does not exist")
    if inst.db_name_for_dir(directory) in SYSTEM_DBS:
        raise OpError(f"Cannot delete system database {directory}")
    inst.dismount(directory)
    os.remove(path)
    stream = os.path.join(directory, "stream")
    if os.path.isdir(stream):
        shutil.rmtree(stream)


def sysdb_props(inst, directory) -> dict:
    """Properties read from the file header + mount state (S19)."""
    directory = norm_dir(directory, inst.mgr_dir)
    header = storage.read_header(storage.dat_path(directory))
    return {"Directory": directory, "Size": header["size_mb"], "MaxSize": header["max_size_mb"],
            "ExpansionSize": header["expansion_mb"], "BlockSize": header["block_size"],
            "ReadOnly": header["read_only"], "ResourceName": header.get("resource", ""),
            "Mounted": 1 if inst.is_mounted(directory) else 0,
            "ReadOnlyMounted": 1 if inst.is_mounted(directory) and header["read_only"] else 0,
            "Expanding": 0, "GlobalJournalState": 3, "NewGlobalCollation": 5, "NewGlobalIsKeep": 0,
            "EncryptedDB": 0, "ClusterMountMode": 0}


def sysdb_modify(inst, directory, props: dict) -> None:
    """Apply ``Size`` (grow only), ``MaxSize``, ``ExpansionSize``, ``ReadOnly``, ``ResourceName`` (S19)."""
    directory = norm_dir(directory, inst.mgr_dir)
    path = storage.dat_path(directory)
    inst.flush_database(directory)
    header = storage.read_header(path)
    if "MaxSize" in props:
        header["max_size_mb"] = to_integer(props["MaxSize"], "MaxSize", 0)
    if "ExpansionSize" in props:
        header["expansion_mb"] = to_integer(props["ExpansionSize"], "ExpansionSize", 0)
    if "ReadOnly" in props:
        header["read_only"] = to_boolean(props["ReadOnly"], "ReadOnly")
    if "ResourceName" in props:
        header["resource"] = values.to_str(props["ResourceName"])
    new_size = to_integer(props.get("Size", header["size_mb"]), "Size", 0)
    if new_size < header["size_mb"]:
        raise OpError(f"Size {new_size} MB is smaller than the current size {header['size_mb']} MB")
    if header["max_size_mb"] and new_size > header["max_size_mb"]:
        raise OpError(f"Size {new_size} MB exceeds MaxSize {header['max_size_mb']} MB")
    if new_size > header["size_mb"]:
        storage.resize(path, header, new_size, fill=os.environ.get("IRIS_SIM_DAT_FILL", "zero"))
    else:
        storage.write_header(path, header)


def _sysdb_object(cls, inst, directory) -> SimObject:
    obj = SimObject(cls)
    obj.props.update(sysdb_props(inst, directory))
    obj.state["id"] = obj.props["Directory"]
    return obj


def _ro(default, source="S19"):
    return Prop(default, source=source, readonly=True)


@register
class SysDatabase(SimClass):
    """``SYS.Database``: the physical database, keyed by directory (S19 doc, S9/S23 code)."""

    name = "SYS.Database"
    source = "iris-sources.md §3.2 S19, S23, S9"
    properties = {
        "Directory": Prop("", source="S19"), "Size": Prop(1, source="S19"), "MaxSize": Prop(0, source="S19"),
        "ExpansionSize": Prop(0, source="S19"), "BlockSize": Prop(8192, source="S19"), "ReadOnly": Prop(0, source="S19"),
        "ResourceName": Prop("", source="S19"), "GlobalJournalState": Prop(3, source="S19"),
        "NewGlobalCollation": Prop(5, source="S19"), "NewGlobalIsKeep": Prop(0, source="S19"),
        "EncryptedDB": Prop(0, source="S19"), "ClusterMountMode": Prop(0, source="S19"),
        "Mounted": _ro(0), "ReadOnlyMounted": _ro(0), "Expanding": _ro(0),
    }

    @class_method("CreateDatabase", source="S9 (code-live), S23; IRISREF24 (2024.1 signature: 10th/11th = MaxSize/ExpansionSize)")
    def create_database(cls, proc, directory, size=1, block_size=8192, encrypted=None, resource="",  # pylint: disable=too-many-arguments
                        arg6=None, arg7=None, arg8=None, arg9=None, max_size=0, expansion=0, *rest):
        """``CreateDatabase(dir, size, , , , , , , , maxSize, expSize)``; positions 4, 6-9 ignored [inf]."""
        require_sys(proc, cls.name)
        del encrypted, arg6, arg7, arg8, arg9, rest
        return as_status(sysdb_create, proc.instance, directory, size if size is not None else 1,
                         block_size if block_size is not None else 8192, max_size if max_size is not None else 0,
                         expansion if expansion is not None else 0, resource if resource is not None else "")

    @class_method("%OpenId", source="S19")
    def open_id(cls, proc, directory, concurrency=None, status=None):  # pylint: disable=unused-argument
        """Object for ``directory``; ``""`` when no IRIS.DAT is there (sets #5809 [inf])."""
        require_sys(proc, cls.name)
        try:
            return _sysdb_object(cls, proc.instance, directory)
        except storage.DatError:
            set_byref(status, OpError("", 5809, "SYS.Database", values.to_str(directory)).status())
            return ""

    @class_method("%ExistsId", source="S23")
    def exists_id(cls, proc, directory):
        """1 when ``IRIS.DAT`` exists in ``directory``."""
        require_sys(proc, cls.name)
        return 1 if os.path.exists(storage.dat_path(norm_dir(directory, proc.instance.mgr_dir) or "/nonexistent")) else 0

    @class_method("MountDatabase", source="S23; iris-sources.md IRISREF24 (MountDatabase(Directory,readonly=0,cluster=0,mirrorcatchup=1))")
    def mount(cls, proc, directory, read_only=None, *rest):
        """``MountDatabase(dir)`` → %Status.  IRISREF24 documents ``readonly``, ``cluster`` and ``mirrorcatchup``
        arguments; a read-only, cluster or mirror mount is not modelled and fails loudly instead of mounting read-write."""
        require_sys(proc, cls.name)
        if values.to_int(read_only if read_only is not None else 0) or any(arg is not None for arg in rest):
            raise IrisError("FUNCTION", "simulator: SYS.Database.MountDatabase with readonly/cluster/mirrorcatchup is not modelled")
        if faults.trip(proc, "SYS.Database.MountDatabase"):  # fault injection for tests (faults.py), never accepts anything
            return faults.fault_status("SYS.Database.MountDatabase")
        return as_status(sysdb_mount, proc.instance, directory)

    @class_method("DismountDatabase", source="S23, S21")
    def dismount(cls, proc, directory, *rest):  # pylint: disable=unused-argument
        """``DismountDatabase(dir)`` → %Status; clears the mount mark."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "SYS.Database.DismountDatabase"):  # fault injection for tests (faults.py), never accepts anything
            return faults.fault_status("SYS.Database.DismountDatabase")
        return as_status(sysdb_dismount, proc.instance, directory)

    @class_method("DeleteDatabase", source="S19")
    def delete_database(cls, proc, directory):
        """``DeleteDatabase(dir)`` → %Status."""
        require_sys(proc, cls.name)
        if faults.trip(proc, "SYS.Database.DeleteDatabase"):  # fault injection for tests (faults.py), never accepts anything
            return faults.fault_status("SYS.Database.DeleteDatabase")
        return as_status(sysdb_delete, proc.instance, directory)

    @method("%Save", source="S19")
    def save(self, proc):
        """Create the file (new object) or apply the modifiable properties (opened object)."""
        require_sys(proc, SysDatabase.name)
        inst = proc.instance
        directory = norm_dir(self.props.get("Directory", ""), inst.mgr_dir)
        if not directory:
            return OpError("Directory", 5659).status()
        if "id" not in self.state:
            status = as_status(sysdb_create, inst, directory, self.props.get("Size", 1), self.props.get("BlockSize", 8192),
                               self.props.get("MaxSize", 0), self.props.get("ExpansionSize", 0),
                               self.props.get("ResourceName", ""))
            if status == 1:
                self.state["id"] = directory
            return status
        return as_status(sysdb_modify, inst, self.state["id"],
                         {k: self.props[k] for k in ("Size", "MaxSize", "ExpansionSize", "ReadOnly", "ResourceName")})

    @method("%Id", source="S19")
    def id_(self, proc):  # pylint: disable=unused-argument
        """The directory."""
        return self.state.get("id", "")

    @method("Delete", source="S19 (%OpenId(dir).Delete())")
    def delete(self, proc):
        """Delete this database's file."""
        require_sys(proc, SysDatabase.name)
        return as_status(sysdb_delete, proc.instance, self.state.get("id", self.props.get("Directory", "")))
