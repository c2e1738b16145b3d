# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``iris.cpf`` and configuration merge (iris-sources.md §3.1 S20, §5.5 S27/S28; user-needs §2.6).

The CPF is INI-like: ``[Section]`` headers and ``Name=Value`` lines; section and parameter names are
kept with their case.  Modelled sections:

* ``[Databases]`` ``NAME=Directory[,Server,MountRequired,ClusterMountMode,MountAtStartup,StreamLocation]``
  — the first fields follow S20 (``Name=dir,remote,mustMount,,,streamLocation``); the field order
  after ``MountRequired`` is our own simplification.  No resource field: Config.Databases has no such property
  (IRISREF24); a database's resource is SYS.Database.ResourceName (S19).
* ``[Namespaces]`` ``NAME=GlobalsDB,RoutinesDB`` — own simplification (real IRIS keeps the routines
  database in mapping sections); a single value means both.
* ``[Startup]``, ``[config]`` and any other section: parameters kept as text.
* ``[Actions]`` is never allowed inside ``iris.cpf``: it aborts startup (user-needs §2.6, RACS_actions).
"""

from __future__ import annotations

import os
import re

CPF_NAME = "iris.cpf"
DB_FIELDS = ("Directory", "Server", "MountRequired", "ClusterMountMode", "MountAtStartup", "StreamLocation")  # IRISREF24

_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")


class CpfError(Exception):
    """A CPF or merge file that cannot be used."""


class Cpf:
    """Parsed ``iris.cpf``: ``sections`` is ``{section: {param: value}}`` in file order."""

    def __init__(self, sections: dict | None = None):
        self.sections: dict[str, dict[str, str]] = sections or {}

    # -- text --------------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> "Cpf":
        """Parse CPF/merge text.  Blank lines and ``;``/``#`` comments are skipped [inf]."""
        sections: dict[str, dict[str, str]] = {}
        current = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith(";") or line.startswith("#"):
                continue
            match = _SECTION.match(line)
            if match:
                current = sections.setdefault(match.group(1).strip(), {})
                continue
            if current is None:
                raise CpfError(f"line {number}: parameter outside a section: {line}")
            if "=" not in line and ":" not in line:
                raise CpfError(f"line {number}: not a Name=Value line: {line}")
            if "=" in line and (":" not in line or line.index("=") < line.index(":")):
                key, value = line.split("=", 1)
            else:
                # [Actions] lines are "Verb:Key=Value,..." (S27); keep them whole.
                key, value = line, ""
            current[key.strip()] = value.strip()
        return cls(sections)

    def render(self) -> str:
        """CPF text."""
        out = []
        for section, params in self.sections.items():
            out.append(f"[{section}]")
            for key, value in params.items():
                out.append(f"{key}={value}" if value != "" or ":" not in key else key)
            out.append("")
        return "\n".join(out)

    @classmethod
    def read(cls, path: str) -> "Cpf":
        """Read ``path``."""
        with open(path, encoding="utf-8") as handle:
            return cls.parse(handle.read())

    def write(self, path: str) -> None:
        """Write atomically (temp file + rename)."""
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(self.render())
        os.replace(tmp, path)

    def check_startup(self) -> None:
        """Startup validation: ``[Actions]`` in ``iris.cpf`` aborts startup (user-needs §2.6)."""
        if "Actions" in self.sections:
            raise CpfError("[Actions] section is not allowed in iris.cpf; startup aborted")

    # -- accessors -----------------------------------------------------------------------------
    def section(self, name: str) -> dict:
        """The section (created empty if missing)."""
        return self.sections.setdefault(name, {})

    def get(self, section: str, key: str, default: str = "") -> str:
        """One parameter."""
        return self.sections.get(section, {}).get(key, default)

    def databases(self) -> dict:
        """``{NAME: {Directory, Server, ...}}`` from ``[Databases]`` (S20)."""
        out = {}
        for name, value in self.sections.get("Databases", {}).items():
            fields = value.split(",")
            props = {key: (fields[i] if i < len(fields) else "") for i, key in enumerate(DB_FIELDS)}
            out[name] = props
        return out

    def set_database(self, name: str, props: dict) -> None:
        """Write one ``[Databases]`` line."""
        fields = [str(props.get(key, "")) for key in DB_FIELDS]
        while len(fields) > 1 and fields[-1] == "":
            fields.pop()
        self.section("Databases")[name] = ",".join(fields)

    def delete_database(self, name: str) -> None:
        """Remove a ``[Databases]`` line."""
        self.section("Databases").pop(name, None)

    def namespaces(self) -> dict:
        """``{NAME: {Globals, Routines}}`` from ``[Namespaces]`` (own simplification)."""
        out = {}
        for name, value in self.sections.get("Namespaces", {}).items():
            parts = value.split(",")
            globals_db = parts[0]
            routines_db = parts[1] if len(parts) > 1 else parts[0]
            out[name] = {"Globals": globals_db, "Routines": routines_db}
        return out

    def set_namespace(self, name: str, globals_db: str, routines_db: str) -> None:
        """Write one ``[Namespaces]`` line."""
        self.section("Namespaces")[name] = f"{globals_db},{routines_db}"

    def delete_namespace(self, name: str) -> None:
        """Remove a ``[Namespaces]`` line."""
        self.section("Namespaces").pop(name, None)


def default_cpf(dirs: dict, version: str = "2025.1") -> Cpf:
    """The configuration of a fresh instance; ``dirs`` maps database name → directory."""
    cpf = Cpf()
    cpf.section("ConfigFile").update({"Product": "IRIS", "Version": version})
    cpf.section("Startup").update({
        "DefaultPort": "1972",
        "WebServerPort": "52773",
        "SystemMode": "",
        "SystemPerformanceDailyReportsOn": "0",  # iris-sources.md §2.3 S14 (2025.3+; default 0)
        "SystemPerformanceDailyReportsRetentionDays": "60",  # S14
    })
    cpf.section("config").update({"globals": "0,0,0,0,0,0", "routines": "0", "gmheap": "37568", "locksiz": "16777216"})
    for name, directory in dirs.items():
        cpf.set_database(name, {"Directory": directory})
    cpf.set_namespace("%SYS", "IRISSYS", "IRISSYS")
    cpf.set_namespace("USER", "USER", "USER")
    return cpf


# ---------------------------------------------------------------------------------------------
# configuration merge (iris-sources.md §5.5)
# ---------------------------------------------------------------------------------------------

def parse_action(line: str) -> tuple[str, dict]:
    """``Verb:Key=Value,Key=Value`` → ``(verb, {key: value})`` (S27).

    Values may be double-quoted (``Description="a, b"``); a comma-separated piece without ``=``
    continues the previous value (``PasswordHash=hash,salt`` S26/S28).
    """
    if ":" not in line:
        raise CpfError(f"[Actions] line without ':': {line}")
    verb, rest = line.split(":", 1)
    pieces, buf, quoted = [], "", False
    for char in rest:
        if char == '"':
            quoted = not quoted
            buf += char
        elif char == "," and not quoted:
            pieces.append(buf)
            buf = ""
        else:
            buf += char
    pieces.append(buf)
    props: dict[str, str] = {}
    last = None
    for piece in pieces:
        if "=" in piece and not piece.startswith('"'):
            key, value = piece.split("=", 1)
            last = key.strip()
            props[last] = _unquote(value.strip())
        elif last is not None:
            props[last] += "," + _unquote(piece.strip())
        elif piece.strip():
            raise CpfError(f"[Actions] bad parameter '{piece}' in: {line}")
    return verb.strip(), props


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('""', '"')
    return value


def merge(instance, path: str) -> dict:
    """Apply merge file ``path`` to ``instance`` (call under ``instance.session_lock()``).

    Returns a report ``{"ok", "file", "missing_file", "parameters", "actions", "ignored_sections",
    "errors"}``; ``actions`` lists ``{"action", "name", "result"}`` with result ``applied`` or
    ``unchanged`` (actions are idempotent, S28).  The caller persists with ``instance.save()``.

    * A missing file: IRIS's ``iris merge`` reports success (user-needs §2.6), so ``ok`` stays true
      and ``missing_file`` is set — callers must verify effects.  A relative path is an error
      (user-needs §2.6).
    * ``[Actions]`` with exact casing runs actions; ``[actions]`` is silently ignored (user-needs §2.6).
    * An unknown action verb is an error [inf].
    """
    from iris_sim.models import merge_actions  # pylint: disable=import-outside-toplevel

    report = {"ok": True, "file": path, "missing_file": False, "parameters": [], "actions": [],
              "ignored_sections": [], "errors": []}
    if not os.path.isabs(path):
        report["ok"] = False
        report["errors"].append(f"merge file path must be absolute: {path}")
        return report
    if not os.path.isfile(path):
        report["missing_file"] = True
        return report
    try:
        merge_cpf = Cpf.read(path)
    except (CpfError, OSError, UnicodeDecodeError) as exc:
        report["ok"] = False
        report["errors"].append(str(exc))
        return report
    for section, params in merge_cpf.sections.items():
        if section == "Actions":
            continue
        if section.lower() == "actions":
            report["ignored_sections"].append(section)  # silently ignored like IRIS (user-needs §2.6)
            continue
        merge_actions.apply_section(instance, section, params, report)
    for line in merge_cpf.sections.get("Actions", {}):
        try:
            verb, props = parse_action(line)
            result = merge_actions.run_action(instance, verb, props)
            report["actions"].append({"action": verb, "name": props.get("Name", props.get("Directory", "")),
                                      "result": result})
        except CpfError as exc:
            report["ok"] = False
            report["errors"].append(str(exc))
    return report
