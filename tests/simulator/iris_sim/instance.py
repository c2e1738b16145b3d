# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""On-disk state of one simulated instance (DESIGN.md Contract 3).

Where things live (modelled on IRIS; iris-sources.md §5.1/§5.3 S25):

* ``install_dir`` (``ISC_PACKAGE_INSTALLDIR``, default ``/usr/irissys``) holds IRISLIB
  (``<install>/mgr/irislib/``).
* ``data_dir`` (``ISC_DATA_DIRECTORY`` — durable %SYS — else the install dir) holds ``mgr/``:
  ``iris.cpf``, IRISSYS (``mgr/IRIS.DAT``), IRISTEMP, IRISAUDIT, USER (``mgr/user/``).
* Security, task and ^SystemPerformance state is kept in the IRISSYS database (payload section
  ``system``), as IRIS keeps it in IRISSYS [inf: real globals not modelled]; so it survives restarts
  and moves with durable %SYS.
* ``mgr/sim-runtime.json`` is the "shared memory" of a running instance: ``status``, ``since``,
  ``monitor_state``, ``mounts`` (directory → mount token), ``frozen``; plus whatever ``set_status``
  adds.  ``startup()`` rebuilds it.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import fcntl
import hashlib
import json
import os
import secrets

from iris_sim import cpf as cpf_mod
from iris_sim import storage, values
from iris_sim.errors import IrisError

RUNTIME_FILE = "sim-runtime.json"
LOCK_FILE = "sim-session.lock"
FROZEN_DIR = "sim-frozen"

PREDEFINED_USERS = ("_SYSTEM", "SuperUser", "Admin", "CSPSystem", "UnknownUser", "irisowner")  # S25
DEFAULT_PASSWORD = "SYS"  # iris-sources.md §5.4 S25
PBKDF2_ITERATIONS = 10000  # PasswordHash default work factor (iris-sources.md §5.4 S26)

# System tasks created at install get IDs < 1000 (iris-sources.md §1.1 S5, S11).  A few of S5's list;
# their schedules are inferred.
SYSTEM_TASKS = (
    (1, "Switch Journal", "%SYS.Task.SwitchJournal", 0, 0),
    (2, "Purge Journal", "%SYS.Task.PurgeJournal", 0, 7200),
    (3, "Purge Tasks", "%SYS.Task.PurgeTaskHistory", 0, 3600),
    (4, "Purge Errors and Logs", "%SYS.Task.PurgeErrorsAndLogs", 0, 3900),
    (5, "Integrity Check", "%SYS.Task.IntegrityCheck", 1, 7200),
    (6, "Purge Audit Database", "%SYS.Task.PurgeAudit", 0, 4200),
    (7, "Feature Tracker", "%SYS.Task.FeatureTracker", 0, 4500),
)

# Predefined ^SystemPerformance profiles (iris-sources.md §2.2 S13 (test), S15 (rest)):
# name -> (description, interval seconds, count)
SP_PROFILES = {
    "test": ("A 5 minute run sampling every 30 seconds. Used for testing purposes.", 30, 10),
    "30mins": ("A 30 minute run sampling every 1 second.", 1, 1800),
    "4hours": ("A 4 hour run sampling every 5 seconds.", 5, 2880),
    "8hours": ("An 8 hour run sampling every 10 seconds.", 10, 2880),
    "12hours": ("A 12 hour run sampling every 10 seconds.", 10, 4320),
    "24hours": ("A 24 hour run sampling every 10 seconds.", 10, 8640),
}


def hash_password(password: str, salt: str | None = None, iterations: int = PBKDF2_ITERATIONS) -> dict:
    """PBKDF2-SHA512 record (S26 names SHA512 + work factor 10000); never stores the clear text."""
    salt = salt or secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt.encode("utf-8"), int(iterations))
    return {"algorithm": "SHA512", "iterations": int(iterations), "salt": salt, "hash": digest.hex()}


def check_password(record: dict | None, password: str) -> bool:
    """True when ``password`` matches a ``hash_password`` record."""
    if not record:
        return False
    if record.get("algorithm") == "external":
        return False  # a PasswordHash given from outside: only its own hash scheme could verify it [inf]
    return hash_password(password, record["salt"], record["iterations"])["hash"] == record["hash"]


def _now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def norm_dir(directory: str, mgr_dir: str) -> str:
    """IRIS-style directory: absolute (relative → under ``mgr``, S13/S20 [inf]), normalised, trailing ``/``."""
    directory = values.to_str(directory).strip()
    if not directory:
        return ""
    if not os.path.isabs(directory):
        directory = os.path.join(mgr_dir, directory)
    return os.path.normpath(directory) + "/"


class GlobalStore:
    """Globals of one namespace: ``get/set/kill/data/order`` on ``(name, subs)``.

    ``name`` may carry the caret (``"^X"`` or ``"X"``).  Globals whose name starts with ``%`` live
    in IRISSYS, as in IRIS [inf: IRIS's default %-global mapping].  Using an unmounted database
    raises ``<DIRECTORY> *dir`` [inf], a read-only one on write ``<PROTECT>`` [inf].
    """

    def __init__(self, instance: "Instance", namespace: str):
        self.instance = instance
        self.namespace = namespace

    def _db(self, name: str):
        name = name.lstrip("^")
        if name.startswith("%"):
            return self.instance.database_by_name("IRISSYS"), name
        return self.instance.namespace_db(self.namespace), name

    def _root(self, name: str, create: bool):
        db, name = self._db(name)
        root = db.globals.get(name)
        if root is None and create:
            root = values.Node()
            db.globals[name] = root
        return db, name, root

    def get(self, name: str, subs=(), default=None):
        """Value of ``^name(subs)`` or ``default``."""
        dummy, dummy2, root = self._root(name, False)
        value = None if root is None else root.get(tuple(subs))
        return default if value is None else value

    def set(self, name: str, subs, value) -> None:
        """``set ^name(subs)=value``."""
        db, dummy, root = self._root(name, True)
        if int(db.header.get("read_only", 0)):
            raise IrisError("PROTECT", f"^{name.lstrip('^')},{db.directory}")
        root.set(tuple(subs), value)
        db.dirty = True

    def kill(self, name: str, subs=()) -> None:
        """``kill ^name(subs)``."""
        db, gname, root = self._root(name, False)
        if root is None:
            return
        if int(db.header.get("read_only", 0)):
            raise IrisError("PROTECT", f"^{gname},{db.directory}")
        root.kill(tuple(subs))
        if root.is_empty():
            db.globals.pop(gname, None)
        db.dirty = True

    def data(self, name: str, subs=()) -> int:
        """``$Data(^name(subs))``."""
        dummy, dummy2, root = self._root(name, False)
        return 0 if root is None else root.data(tuple(subs))

    def order(self, name: str, subs, direction: int = 1):
        """``$Order(^name(subs))``."""
        dummy, dummy2, root = self._root(name, False)
        if root is None:
            if not subs:
                raise IrisError("SUBSCRIPT")
            return ""
        return root.order(tuple(subs), direction)

    def names(self) -> list[str]:
        """Global names of the namespace's globals database (sorted)."""
        return sorted(self.instance.namespace_db(self.namespace).globals)


class Instance:  # pylint: disable=too-many-instance-attributes,too-many-public-methods
    """One instance's state.  Use under ``session_lock()``; ``reload()`` then ``save()``."""

    name = "IRIS"

    def __init__(self, install_dir: str, data_dir: str | None = None, name: str = "IRIS"):
        self.install_dir = os.path.abspath(install_dir)
        self.data_dir = os.path.abspath(data_dir) if data_dir else self.install_dir
        self.mgr_dir = os.path.join(self.data_dir, "mgr")
        self.name = name
        self.cpf_path = os.path.join(self.mgr_dir, cpf_mod.CPF_NAME)
        self.config = cpf_mod.Cpf()
        self.system: dict = {}
        self.runtime: dict = {}
        self._dbs: dict[str, storage.Database] = {}
        self._lock_depth = 0
        self._lock_fd = None
        import iris_sim.models  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
        # registers the modelled classes/routines (models import this module, hence the late import)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def open(cls, install_dir: str | None = None, data_dir: str | None = None) -> "Instance":
        """Paths from the environment (S25): ``ISC_PACKAGE_INSTALLDIR`` (``/usr/irissys``) and
        ``ISC_DATA_DIRECTORY`` (durable %SYS, iris-sources.md §5.3) else the install dir."""
        install_dir = install_dir or os.environ.get("ISC_PACKAGE_INSTALLDIR") or "/usr/irissys"
        data_dir = data_dir or os.environ.get("ISC_DATA_DIRECTORY") or install_dir
        name = os.environ.get("ISC_PACKAGE_INSTANCENAME") or "IRIS"
        inst = cls(install_dir, data_dir, name)
        if os.path.exists(inst.cpf_path):
            inst.reload()
        return inst

    def is_initialized(self) -> bool:
        """True once ``iris.cpf`` exists."""
        return os.path.exists(self.cpf_path)

    def default_dirs(self) -> dict:
        """Default database directories (S25 layout; IRISLIB stays in the install dir)."""
        mgr = self.mgr_dir
        return {
            "IRISSYS": mgr + "/",
            "IRISLIB": os.path.join(self.install_dir, "mgr", "irislib") + "/",
            "IRISTEMP": os.path.join(mgr, "iristemp") + "/",
            "IRISAUDIT": os.path.join(mgr, "irisaudit") + "/",
            "USER": os.path.join(mgr, "user") + "/",
        }

    def initialize(self, version: str = "2025.1") -> bool:
        """Create the default layout on first start; ``False`` if ``iris.cpf`` already exists."""
        if self.is_initialized():
            self.reload()
            return False
        os.makedirs(self.mgr_dir, exist_ok=True)
        dirs = self.default_dirs()
        for dbname, directory in dirs.items():
            path = storage.dat_path(directory)
            if not os.path.exists(path):
                header = storage.new_header(size_mb=1)
                payload = {"globals": {}, "tables": {}}
                if dbname == "IRISSYS":
                    payload["system"] = self._initial_system()
                storage.create(path, header, payload)
        self.config = cpf_mod.default_cpf(dirs, version)
        self.config.write(self.cpf_path)
        self._write_runtime({"status": "down", "since": _now_iso(), "monitor_state": 0, "mounts": {}, "frozen": False})
        self.reload()
        return True

    @staticmethod
    def _initial_system() -> dict:
        users = {}
        for uname in PREDEFINED_USERS:
            users[uname.upper()] = {
                "Name": uname, "FullName": "", "Comment": "", "Roles": "%All" if uname != "UnknownUser" else "",
                "NameSpace": "", "Enabled": 1, "ChangePassword": 1,  # S25: must change at first login
                "PasswordNeverExpires": 0, "AccountNeverExpires": 0, "ExpirationDate": "",
                "Password": hash_password(DEFAULT_PASSWORD), "DefaultPassword": 1,
            }
        services = {
            # iris-sources.md §6 (S23/S28/S12/S35); default Enabled/AutheEnabled values are inferred.
            "%Service_Bindings": {"Enabled": 1, "AutheEnabled": 32, "Description": "Superserver clients (SQL, Native)"},
            "%Service_CallIn": {"Enabled": 0, "AutheEnabled": 48, "Description": "CallIn interface"},
            "%Service_Monitor": {"Enabled": 0, "AutheEnabled": 0, "Description": "SNMP/OpenTelemetry monitor"},
            "%Service_WebGateway": {"Enabled": 1, "AutheEnabled": 32, "Description": "Web Gateway"},
            "%Service_Mirror": {"Enabled": 0, "AutheEnabled": 0, "Description": "Mirroring"},
        }
        tasks = {}
        for tid, tname, tclass, period, start in SYSTEM_TASKS:
            tasks[str(tid)] = {"Name": tname, "Description": "", "TaskClass": tclass, "NameSpace": "%SYS",
                               "RunAsUser": "_SYSTEM", "TimePeriod": period, "TimePeriodEvery": 1,
                               "TimePeriodDay": 1 if period == 1 else "", "DailyFrequency": 0, "DailyStartTime": start,
                               "Suspended": 0, "Priority": 0}
        profiles = {name: {"description": d, "interval": i, "count": c} for name, (d, i, c) in SP_PROFILES.items()}
        return {
            "users": users, "services": services, "tasks": tasks, "next_task_id": 1000,  # S11: user IDs >= 1000
            "task_history": [], "resources": {}, "sp": {"profiles": profiles, "runs": {}, "logdir": ""},
            "instance_id": secrets.token_hex(8),
        }

    # -- locking / load / save -------------------------------------------------------------------
    @contextlib.contextmanager
    def session_lock(self):
        """Exclusive ``fcntl`` lock on ``mgr/sim-session.lock`` (re-entrant within this object)."""
        if self._lock_depth == 0:
            os.makedirs(self.mgr_dir, exist_ok=True)
            fd = os.open(os.path.join(self.mgr_dir, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o666)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._lock_fd = fd
        self._lock_depth += 1
        try:
            yield self
        finally:
            self._lock_depth -= 1
            if self._lock_depth == 0 and self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
                self._lock_fd = None

    def reload(self) -> None:
        """Read configuration, system state and runtime state from disk; drop cached databases.

        Before ``initialize()`` (no ``iris.cpf`` yet) this leaves an empty state.
        """
        self.runtime = self._read_runtime()
        self._dbs = {}
        if not self.is_initialized():
            self.config = cpf_mod.Cpf()
            self.system = {}
            return
        self.config = cpf_mod.Cpf.read(self.cpf_path)
        self.system = self._load_system()

    def _load_system(self) -> dict:
        directory = self.db_dir("IRISSYS") or self.default_dirs()["IRISSYS"]
        db = self._load_db(directory)
        self._dbs[directory] = db
        system = db.extra.setdefault("system", {})
        return system

    def save(self) -> None:  # pylint: disable=too-many-branches
        """Persist: ``iris.cpf``, the IRISSYS system state and every changed database.

        While frozen (``Backup.General.ExternalFreeze``, S21) database writes go to
        ``mgr/sim-frozen/`` and reach the ``IRIS.DAT`` files at thaw.
        """
        if not self.is_initialized():
            self._persist_runtime()
            return
        self.config.write(self.cpf_path)
        sys_dir = self.db_dir("IRISSYS")
        if sys_dir in self._dbs:
            self._dbs[sys_dir].extra["system"] = self.system
            self._dbs[sys_dir].dirty = True
        for directory, db in self._dbs.items():
            if not db.dirty:
                continue
            if self.runtime.get("frozen"):
                self._write_pending(directory, db.to_payload())
                db.dirty = False
            else:
                db.save()
        self._persist_runtime()

    def _persist_runtime(self) -> None:
        """Write the session-owned runtime keys; keep ``status``/extras set by main.py meanwhile."""
        data = self._read_runtime()
        for key in ("mounts", "frozen", "monitor_state"):
            if key in self.runtime:
                data[key] = self.runtime[key]
        self._write_runtime(data)

    # -- runtime / status ------------------------------------------------------------------------
    def _runtime_path(self) -> str:
        return os.path.join(self.mgr_dir, RUNTIME_FILE)

    def _read_runtime(self) -> dict:
        try:
            with open(self._runtime_path(), encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            data = {}
        data.setdefault("status", "down")
        data.setdefault("mounts", {})
        data.setdefault("frozen", False)
        data.setdefault("monitor_state", 0)
        return data

    def _write_runtime(self, data: dict) -> None:
        os.makedirs(self.mgr_dir, exist_ok=True)
        tmp = self._runtime_path() + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, self._runtime_path())

    @property
    def status(self) -> str:
        """``running`` | ``starting`` | ``down`` (read fresh from ``mgr/sim-runtime.json``)."""
        return self._read_runtime().get("status", "down")

    def runtime_info(self) -> dict:
        """The whole runtime file (status, since, monitor_state, mounts, frozen, extras)."""
        return self._read_runtime()

    def set_status(self, status: str, **extra) -> None:
        """Set the status (main.py); extra keys (e.g. ``pid``) are stored alongside.

        ``starting`` (or ``running``) while no database is mounted runs ``startup()`` first, so
        main.py's sequence reload → initialize → set_status("starting") → save mounts everything.
        """
        if status in ("starting", "running") and self.is_initialized() and not self._read_runtime().get("mounts"):
            self.startup()
        data = self._read_runtime()
        data["status"] = status
        data["since"] = _now_iso()
        data.update(extra)
        self.runtime.update({k: data[k] for k in ("status", "since")})
        self.runtime.update(extra)
        self._write_runtime(data)

    @property
    def monitor_state(self) -> int:
        """System Monitor state: 0 OK, 1 warning, 2 alert (``%SYSTEM.Monitor.State``)."""
        return int(self._read_runtime().get("monitor_state", 0))

    def set_monitor_state(self, state: int) -> None:
        """``$SYSTEM.Monitor.SetState`` (iris-sources.md LESSONS §2.4)."""
        self.runtime["monitor_state"] = int(state)
        self._persist_runtime()

    # -- configuration lookups -------------------------------------------------------------------
    def db_dir(self, dbname: str) -> str:
        """Directory of configured database ``dbname`` (``""`` if not configured)."""
        props = self.config.databases().get(dbname)
        return norm_dir(props["Directory"], self.mgr_dir) if props else ""

    def db_name_for_dir(self, directory: str) -> str:
        """Configured name of ``directory`` (``""`` if none)."""
        directory = norm_dir(directory, self.mgr_dir)
        for dbname, props in self.config.databases().items():
            if norm_dir(props["Directory"], self.mgr_dir) == directory:
                return dbname
        return ""

    def has_namespace(self, namespace: str) -> bool:
        """True when ``[Namespaces]`` has ``namespace`` (namespace names are case-insensitive [inf])."""
        return self.namespace_key(namespace) is not None

    def namespace_key(self, namespace: str) -> str | None:
        """The configured spelling of ``namespace`` or None."""
        wanted = values.to_str(namespace).upper()
        for key in self.config.namespaces():
            if key.upper() == wanted:
                return key
        return None

    def namespace_config(self, namespace: str) -> dict:
        """``{"Globals": db, "Routines": db}`` or ``<NAMESPACE>``."""
        key = self.namespace_key(namespace)
        if key is None:
            raise IrisError("NAMESPACE", values.to_str(namespace))
        return self.config.namespaces()[key]

    # -- databases -------------------------------------------------------------------------------
    def is_mounted(self, directory: str) -> bool:
        """True when ``directory`` is mounted in this instance."""
        return norm_dir(directory, self.mgr_dir) in self.runtime.get("mounts", {})

    def _pending_path(self, directory: str) -> str:
        digest = hashlib.sha1(directory.encode("utf-8")).hexdigest()
        return os.path.join(self.mgr_dir, FROZEN_DIR, digest + ".json")

    def _write_pending(self, directory: str, payload: dict) -> None:
        os.makedirs(os.path.join(self.mgr_dir, FROZEN_DIR), exist_ok=True)
        with open(self._pending_path(directory), "w", encoding="utf-8") as handle:
            json.dump({"directory": directory, "payload": payload}, handle)

    def _read_pending(self, directory: str):
        try:
            with open(self._pending_path(directory), encoding="utf-8") as handle:
                return json.load(handle)["payload"]
        except (OSError, ValueError, KeyError):
            return None

    def flush_pending(self) -> list[str]:
        """Write payloads deferred during a freeze into their files (at ``ExternalThaw``)."""
        flushed = []
        frozen_dir = os.path.join(self.mgr_dir, FROZEN_DIR)
        if not os.path.isdir(frozen_dir):
            return flushed
        for entry in sorted(os.listdir(frozen_dir)):
            path = os.path.join(frozen_dir, entry)
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            dat = storage.dat_path(data["directory"])
            header = storage.read_header(dat)
            storage.write_payload(dat, header, data["payload"])
            os.remove(path)
            flushed.append(data["directory"])
        for db in self._dbs.values():
            if os.path.exists(db.path):
                db.header = storage.read_header(db.path)
        return flushed

    def _load_db(self, directory: str) -> storage.Database:
        db = storage.Database(directory)
        return db.load(self._read_pending(directory))

    def database(self, directory: str) -> storage.Database:
        """The mounted database in ``directory`` (``<DIRECTORY> *dir`` when not mounted [inf])."""
        directory = norm_dir(directory, self.mgr_dir)
        if not self.is_mounted(directory) and directory != self.db_dir("IRISSYS"):
            raise IrisError("DIRECTORY", directory)
        db = self._dbs.get(directory)
        if db is None:
            try:
                db = self._load_db(directory)
            except storage.DatError as exc:
                raise IrisError("DIRECTORY", directory) from exc
            self._dbs[directory] = db
        return db

    def flush_database(self, directory: str) -> None:
        """Write a cached, changed database now and drop it from the cache (before header edits)."""
        directory = norm_dir(directory, self.mgr_dir)
        db = self._dbs.get(directory)
        if db is None or directory == self.db_dir("IRISSYS"):
            return
        if db.dirty:
            if self.runtime.get("frozen"):
                self._write_pending(directory, db.to_payload())
            else:
                db.save()
        del self._dbs[directory]

    def database_by_name(self, dbname: str) -> storage.Database:
        """The mounted database configured as ``dbname``."""
        directory = self.db_dir(dbname)
        if not directory:
            raise IrisError("DIRECTORY", dbname)  # [inf] a namespace whose database is not configured
        return self.database(directory)

    def namespace_db(self, namespace: str) -> storage.Database:
        """The globals database of ``namespace``."""
        conf = self.namespace_config(namespace)
        return self.database_by_name(conf["Globals"])

    def global_store(self, namespace: str) -> GlobalStore:
        """Globals of ``namespace`` (Contract 3)."""
        self.namespace_config(namespace)
        return GlobalStore(self, self.namespace_key(namespace))

    def mount(self, directory: str) -> None:
        """Mount ``directory``: validate the file and its mount mark, then write our mark.

        ``storage.DatError`` when the file is missing/corrupt/truncated or carries another
        mount's mark (a copy taken while mounted — iris-sources.md §0.6, S21/S23).  A mark made
        while frozen (``ExternalFreeze``, S21) is a consistent snapshot and mounts [inf].
        """
        directory = norm_dir(directory, self.mgr_dir)
        path = storage.dat_path(directory)
        header = storage.read_header(path)
        mounts = self.runtime.setdefault("mounts", {})
        mark = header.get("mount")
        if directory in mounts and mark and mark.get("token") == mounts[directory]:
            return  # already mounted here
        if mark and not mark.get("frozen") and mark.get("token") != mounts.get(directory):
            raise storage.DatError(path, "database is marked as mounted by another system "
                                         "(IRIS.DAT was copied while mounted)", "mounted")
        storage.read_payload(path, header)  # verify checksum before accepting
        token = secrets.token_hex(8)
        header["mount"] = {"token": token, "frozen": bool(self.runtime.get("frozen"))}
        storage.write_header(path, header)
        mounts[directory] = token
        self._dbs.pop(directory, None)

    def dismount(self, directory: str) -> None:
        """Clean dismount: write pending changes, clear the mark."""
        directory = norm_dir(directory, self.mgr_dir)
        mounts = self.runtime.setdefault("mounts", {})
        if directory not in mounts:
            return
        db = self._dbs.pop(directory, None)
        if db is not None and db.dirty and not self.runtime.get("frozen"):
            db.save()
        path = storage.dat_path(directory)
        try:
            header = storage.read_header(path)
            if header.get("mount") and header["mount"].get("token") == mounts[directory]:
                header["mount"] = None
                storage.write_header(path, header)
        except storage.DatError:
            pass  # file gone or damaged: the mount is forgotten anyway
        del mounts[directory]

    def set_frozen_marks(self, frozen: bool) -> None:
        """Mark every mounted file as frozen/unfrozen (``ExternalFreeze``/``ExternalThaw``, S21)."""
        for directory in self.runtime.get("mounts", {}):
            path = storage.dat_path(directory)
            try:
                header = storage.read_header(path)
            except storage.DatError:
                continue
            if header.get("mount"):
                header["mount"]["frozen"] = frozen
                storage.write_header(path, header)

    # -- lifecycle (called by main.py) -----------------------------------------------------------
    def startup(self) -> dict:
        """Mount every configured database.  Returns ``{"mounted", "recovered", "failed", "abnormal"}``.

        A mark left by this instance's previous run (killed, not stopped) is recovered and the
        System Monitor goes to alert (2), as after "Previous system shutdown was abnormal"
        (iris-sources.md §0.12, §5.3 S32).  A foreign mark or a damaged file fails that mount.
        """
        self.config = cpf_mod.Cpf.read(self.cpf_path)
        self.config.check_startup()
        old = self._read_runtime()
        old_mounts = old.get("mounts", {})
        abnormal = old.get("status") in ("running", "starting") and bool(old_mounts)
        self.runtime = {"status": old.get("status", "down"), "since": old.get("since", _now_iso()),
                        "monitor_state": 0, "mounts": {}, "frozen": False}
        self.flush_pending()
        report = {"mounted": [], "recovered": [], "failed": {}, "abnormal": False}
        for dbname in self.config.databases():
            directory = self.db_dir(dbname)
            path = storage.dat_path(directory)
            try:
                header = storage.read_header(path)
                mark = header.get("mount")
                if mark and mark.get("token") == old_mounts.get(directory):
                    header["mount"] = None  # our own mark from a run that did not stop cleanly
                    storage.write_header(path, header)
                    report["recovered"].append(dbname)
                self.mount(directory)
                report["mounted"].append(dbname)
            except storage.DatError as exc:
                report["failed"][dbname] = exc.reason
        report["abnormal"] = abnormal or bool(report["recovered"])
        if report["abnormal"]:
            self.runtime["monitor_state"] = 2
        self.reload_after_runtime()
        return report

    def reload_after_runtime(self) -> None:
        """Persist the runtime file and re-read everything else."""
        self._write_runtime(self.runtime)
        self.reload()

    def shutdown(self) -> None:
        """Clean stop: thaw if frozen, save, dismount everything (clears the marks)."""
        if self.runtime.get("frozen"):
            self.runtime["frozen"] = False
            self.flush_pending()
            self.set_frozen_marks(False)
        self.save()
        for directory in list(self.runtime.get("mounts", {})):
            self.dismount(directory)
        self._persist_runtime()

    def dismount_all(self) -> list[str]:
        """``shutdown()`` returning log lines (main.py's ``dismount_all`` adapter)."""
        mounted = sorted(self.runtime.get("mounts", {}))
        self.shutdown()
        return [f"Dismounted database {d}" for d in mounted]

    def set_predefined_passwords(self, password: str) -> None:
        """``iris-main --password-file`` (S25): every predefined account, CSPSystem included, gets the
        password and stays "configured to require a password change on first login" (ADOCK-AUTH,
        https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=ADOCK_iris_images_password_auth;
        audit F7/S5): ChangePassword is set to 1."""
        for uname in PREDEFINED_USERS:
            user = self.system.get("users", {}).get(uname.upper())
            if user is not None:
                user["Password"] = hash_password(password)
                user["ChangePassword"] = 1
                user["DefaultPassword"] = 0

    def authenticate(self, username: str, password: str) -> tuple[bool, str]:
        """Password login check for PLATFORM (web/superserver): ``(ok, reason)``.

        Reasons: ``no such user``, ``disabled``, ``bad password``, ``password change required``
        (the SQLCODE -853 case of iris-sources.md LESSONS §3 row 1).
        """
        user = self.system.get("users", {}).get(values.to_str(username).upper())
        if user is None:
            return False, "no such user"
        if not int(user.get("Enabled", 1)):
            return False, "disabled"
        if not check_password(user.get("Password"), password):
            return False, "bad password"
        if int(user.get("ChangePassword", 0)):
            return False, "password change required"
        return True, ""

    # -- small helpers for models ----------------------------------------------------------------
    def snapshot_system(self) -> dict:
        """Deep copy of the system state (tests)."""
        return copy.deepcopy(self.system)
