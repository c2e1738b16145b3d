# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The fixture manifest (``manifest.json`` next to ``IRIS.DAT``): its schema, validation,
construction, (atomic) reading/writing, identity, and the offline validation of a whole fixture
directory (``validate_fixture``).  No IRIS, no Docker; files through ``_files``.

API (used by ``_fixture.py`` / ``iris_fixture``; names are stable)::

    MANIFEST_FILE = "manifest.json"; DAT_FILE = "IRIS.DAT"; SCHEMA_VERSION = "1.0"
    load(fixture_dir) -> dict            # read + validate; IrisModuleError(msg naming the field, hint=fix, field=...)
    validate(manifest) -> dict           # normalised copy (checksum lower-cased, key order fixed)
    build(fixture_id, version, namespace, iris_version, checksum, tables, size_bytes,
          description="", created_at=None, extra=None) -> dict   # validated
    write(fixture_dir, manifest, force=False) -> str   # atomic; refuses to overwrite unless force; returns the path
    identity(manifest) -> dict           # fixture_id, version, checksum, tables (for diff and records)
    validate_fixture(fixture_dir, verify_checksum=True) -> (manifest, dat_path)
        # the whole offline check: manifest schema, dat_file present and a regular file,
        # size == size_bytes (if the manifest has it), checksum; IrisModuleError with what + fix
    check_checksum(manifest, dat_path, actual) -> None   # IrisModuleError "Checksum mismatch ..." unless equal

Schema (compatible with the predecessor, iris-sources.md LESSONS §4.2, so its fixtures load):

=================  ===========================  ==========================================================
field              type                         rule
=================  ===========================  ==========================================================
fixture_id         str                          required, not empty
version            str                          required, not empty (e.g. "1.0.0")
schema_version     str                          required; major version must be 1 ("1.0" is written)
description        str                          required, may be empty
created_at         str                          required, ISO-8601 date-time, e.g. "2025-11-04T10:00:00Z"
iris_version       str                          required, not empty ("unknown" allowed, the predecessor wrote it)
namespace          str                          required, not empty: the source namespace
dat_file           str                          required, relative path inside the fixture directory
                                                (normally "IRIS.DAT"); no absolute path, no ".."
checksum           str                          required, "sha256:" + 64 hex characters of the whole dat_file
                                                (upper case is accepted and normalised to lower case)
tables             list of {name, row_count}    required, may be empty (the predecessor refused an empty list;
                                                we accept it: a globals-only fixture has no SQL tables);
                                                name = SQL table name "Schema.Table" or "Table" made of letters,
                                                digits, "_" and "%" (it is used in SELECT COUNT(*) FROM <name>);
                                                row_count = integer >= 0; names unique (case-insensitive)
=================  ===========================  ==========================================================

Optional fields written by us: ``size_bytes`` (int >= 0: size of dat_file, checked before hashing),
``created_by`` (str: the tool that wrote the fixture).  Optional fields of the predecessor:
``features`` (dict or null), ``known_queries`` (list of dicts or null).  Any other field is kept
unchanged (extra fields are allowed: loading never drops or rejects them).
"""

from __future__ import annotations

import datetime
import json
import os
import re

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec, _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

MANIFEST_FILE = "manifest.json"
DAT_FILE = "IRIS.DAT"
# iris-sources.md LESSONS §4.2: the predecessor writes schema_version "1.0".
SCHEMA_VERSION = "1.0"
_SCHEMA_MAJOR = "1"
CREATED_BY = "iris_devtools.iris"

REQUIRED_FIELDS = ("fixture_id", "version", "schema_version", "description", "created_at", "iris_version",
                   "namespace", "dat_file", "checksum", "tables")
OPTIONAL_FIELDS = ("size_bytes", "created_by", "features", "known_queries")
IDENTITY_FIELDS = ("fixture_id", "version", "checksum", "tables")

# Anchored with \A and \Z (with re.match, "$" alone would accept a trailing line feed).
_CHECKSUM_RE = re.compile(r"\Asha256:[0-9a-fA-F]{64}\Z")
_ISO_RE = re.compile(r"\A\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?\Z")
_IDENT = r"[A-Za-z%_][A-Za-z0-9%_]*"
_TABLE_RE = re.compile(r"\A(%s\.)?%s\Z" % (_IDENT, _IDENT))
_MANIFEST_DOC = "see the manifest format in the iris_fixture module documentation"
# Control characters (C0 incl. NUL/CR/LF, DEL and C1): the collection's one rule, _argspec.control_character.  A
# manifest is input like any option (issue 11 item 1): its texts reach the restore record, actions, diffs and error
# messages, and dat_file a file name.

# Longest text field we accept (description: TEXT_LIMIT_LONG); a fixture id or a version is a short label.
TEXT_LIMIT = 255
TEXT_LIMIT_LONG = 4096


def _field_error(field, problem, fix, **details):
    details.setdefault("field", field)
    return IrisModuleError("Invalid fixture manifest: field '%s' %s." % (field, problem), hint=fix, **details)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _text(manifest, field, allow_empty=False, limit=TEXT_LIMIT, allowed_controls=""):
    if field not in manifest:
        raise _field_error(field, "is missing", "add \"%s\" to manifest.json (%s)" % (field, _MANIFEST_DOC))
    value = manifest[field]
    if not isinstance(value, str):
        raise _field_error(field, "must be a string, got %s" % type(value).__name__,
                           "write \"%s\" as a JSON string" % field)
    if not allow_empty and not value.strip():
        raise _field_error(field, "must not be empty", "give \"%s\" a value" % field)
    bad = _argspec.control_character(value, allowed_controls)
    if bad is not None:
        raise _field_error(field, "contains the control character %s" % _argspec.describe_char(bad),
                           "remove control characters from \"%s\" (the manifest is not what the exporter wrote)" % field)
    if len(value) > limit:
        raise _field_error(field, "has %d characters, more than %d" % (len(value), limit),
                           "shorten \"%s\" to at most %d characters" % (field, limit))
    return value


def _check_dat_file(value):
    norm = value.replace("\\", "/")
    parts = [p for p in norm.split("/") if p not in ("", ".")]
    if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm) or not parts or ".." in parts:
        raise _field_error("dat_file", "must be a relative path inside the fixture directory, got %r" % value,
                           "set \"dat_file\" to \"%s\" and put the database file next to manifest.json" % DAT_FILE)
    return "/".join(parts)


def _check_tables(value):
    if not isinstance(value, list):
        raise _field_error("tables", "must be a list of {\"name\": ..., \"row_count\": ...}, got %s" % type(value).__name__,
                           "write \"tables\" as a JSON list, e.g. [{\"name\": \"SQLUser.Person\", \"row_count\": 2}]")
    tables = []
    seen = {}
    for index, entry in enumerate(value):
        where = "tables[%d]" % index
        if not isinstance(entry, dict):
            raise _field_error(where, "must be an object with name and row_count, got %s" % type(entry).__name__,
                               "write it as {\"name\": \"SQLUser.Person\", \"row_count\": 2}")
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise _field_error(where + ".name", "is missing or not a non-empty string",
                               "give every table a qualified SQL name, e.g. \"SQLUser.Person\"")
        if not _TABLE_RE.fullmatch(name):
            raise _field_error(where + ".name", "is not a plain SQL table name: %r" % name,
                               "use Schema.Table made of letters, digits, '_' and '%' (e.g. \"SQLUser.Person\"); "
                               "delimited identifiers are not supported")
        if name.lower() in seen:
            raise _field_error(where + ".name", "repeats table %r (also tables[%d])" % (name, seen[name.lower()]),
                               "list every table once")
        seen[name.lower()] = index
        count = entry.get("row_count")
        if not _is_int(count) or count < 0:
            raise _field_error(where + ".row_count", "must be an integer >= 0, got %r" % (count,),
                               "set row_count to the table's SELECT COUNT(*) at export time")
        normalised = dict(entry)
        normalised["name"] = name
        normalised["row_count"] = count
        tables.append(normalised)
    return tables


def validate(manifest):
    """Return a validated, normalised copy of ``manifest`` (a dict).

    Raises IrisModuleError naming the first invalid field (``details['field']``) with the fix as hint.
    Key order of the copy: required fields, then our optional fields, then any extra fields as given.
    """
    if not isinstance(manifest, dict):
        raise IrisModuleError("Invalid fixture manifest: expected a JSON object, got %s." % type(manifest).__name__,
                              hint="manifest.json must contain one JSON object with the fields %s" % ", ".join(REQUIRED_FIELDS))
    out = {}
    for field in ("fixture_id", "version"):
        out[field] = _text(manifest, field)
    schema = _text(manifest, "schema_version")
    if schema.split(".", 1)[0] != _SCHEMA_MAJOR:
        raise _field_error("schema_version", "is %r; this collection reads schema %s.x" % (schema, _SCHEMA_MAJOR),
                           "use a collection version that supports schema %s, or re-export the fixture" % schema)
    out["schema_version"] = schema
    # A description may span lines (tab, line feed, carriage return); no other control character.
    out["description"] = _text(manifest, "description", allow_empty=True, limit=TEXT_LIMIT_LONG, allowed_controls="\t\n\r")
    created = _text(manifest, "created_at")
    if not _ISO_RE.fullmatch(created):
        raise _field_error("created_at", "is not an ISO-8601 date-time: %r" % created,
                           "write it like \"2025-11-04T10:00:00Z\" (UTC)")
    out["created_at"] = created
    out["iris_version"] = _text(manifest, "iris_version")
    out["namespace"] = _text(manifest, "namespace")
    out["dat_file"] = _check_dat_file(_text(manifest, "dat_file"))
    checksum = _text(manifest, "checksum")
    if not _CHECKSUM_RE.fullmatch(checksum):
        raise _field_error("checksum", "must be \"sha256:\" followed by 64 hex characters, got %r" % checksum,
                           "recompute it with sha256 over the whole %s and write \"sha256:<hex>\"" % DAT_FILE)
    out["checksum"] = checksum.lower()
    if "tables" not in manifest:
        raise _field_error("tables", "is missing", "add \"tables\": [{\"name\": \"SQLUser.Person\", \"row_count\": 2}] "
                           "(an empty list for a fixture without SQL tables)")
    out["tables"] = _check_tables(manifest["tables"])

    if "size_bytes" in manifest:
        size = manifest["size_bytes"]
        if not _is_int(size) or size < 0:
            raise _field_error("size_bytes", "must be an integer >= 0, got %r" % (size,),
                               "set it to the size of %s in bytes, or remove it" % out["dat_file"])
        out["size_bytes"] = size
    if "created_by" in manifest:
        out["created_by"] = _text(manifest, "created_by", allow_empty=True)
    if manifest.get("features") is not None and not isinstance(manifest["features"], dict):
        raise _field_error("features", "must be an object or null", "write \"features\" as a JSON object, or remove it")
    queries = manifest.get("known_queries")
    if queries is not None and not (isinstance(queries, list) and all(isinstance(q, dict) for q in queries)):
        raise _field_error("known_queries", "must be a list of objects or null",
                           "write \"known_queries\" as a JSON list of objects, or remove it")
    for key, value in manifest.items():
        if key not in out:
            out[key] = value
    return out


def utc_now():
    """The current UTC time as the manifest writes it: ``2025-11-04T10:00:00Z``."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build(fixture_id, version, namespace, iris_version, checksum, tables, size_bytes,
          description="", created_at=None, extra=None):
    """Return a validated manifest for a freshly exported fixture.

    ``tables``: list of ``{"name": "Schema.Table", "row_count": n}`` (or ``(name, count)`` pairs).
    ``created_at`` defaults to now (UTC, ``...Z``).  ``extra``: additional fields (e.g. ``features``);
    it may not replace a required field.
    """
    rows = []
    for entry in tables or []:
        if isinstance(entry, (list, tuple)):
            entry = {"name": entry[0], "row_count": entry[1]}
        rows.append(dict(entry))
    manifest = {
        "fixture_id": fixture_id,
        "version": version,
        "schema_version": SCHEMA_VERSION,
        "description": description or "",
        "created_at": created_at or utc_now(),
        "iris_version": iris_version or "unknown",
        "namespace": namespace,
        "dat_file": DAT_FILE,
        "checksum": checksum,
        "tables": rows,
        "size_bytes": size_bytes,
        "created_by": CREATED_BY,
    }
    for key, value in (extra or {}).items():
        if key in REQUIRED_FIELDS:
            raise IrisModuleError("Cannot build the fixture manifest: extra field '%s' would replace a required field." % key,
                                  hint="pass '%s' as its own argument, not in extra" % key, field=key)
        manifest[key] = value
    return validate(manifest)


def path_of(fixture_dir):
    """The path of the manifest file in ``fixture_dir``."""
    return os.path.join(fixture_dir, MANIFEST_FILE)


def load(fixture_dir):
    """Read and validate ``<fixture_dir>/manifest.json``; return the normalised manifest.

    Raises IrisModuleError (what + fix; ``details['field']`` for schema errors, ``details['path']``).
    """
    if not os.path.isdir(fixture_dir):
        raise IrisModuleError("Fixture directory %s does not exist (or is not a directory)." % fixture_dir,
                              hint="check the path option; a fixture is a directory holding %s and %s" % (MANIFEST_FILE, DAT_FILE),
                              file_path=fixture_dir)
    path = path_of(fixture_dir)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except (IOError, OSError) as exc:
        raise IrisModuleError("Cannot read the fixture manifest %s: %s." % (path, exc.strerror or exc),
                              hint="a fixture directory must contain %s; export the fixture again or fix the path" % MANIFEST_FILE,
                              file_path=path)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise IrisModuleError("The fixture manifest %s is not valid JSON: %s." % (path, exc),
                              hint="repair the JSON (e.g. python -m json.tool %s) or export the fixture again" % path,
                              file_path=path)
    try:
        return validate(data)
    except IrisModuleError as exc:
        exc.details.setdefault("path", path)
        exc.msg = exc.msg.replace("Invalid fixture manifest:", "Invalid fixture manifest %s:" % path, 1)
        exc.args = (exc.msg,)
        raise


def dumps(manifest):
    """The JSON text written to manifest.json (indent 2, like the predecessor; trailing newline)."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def write(fixture_dir, manifest, force=False):
    """Validate ``manifest`` and write it atomically to ``<fixture_dir>/manifest.json``; return the path.

    Refuses to replace an existing manifest unless ``force``.  The directory must exist.
    """
    data = validate(manifest)
    path = path_of(fixture_dir)
    if os.path.exists(path) and not force:
        raise IrisModuleError("A fixture manifest already exists at %s." % path,
                              hint="choose another directory, remove the old fixture, or ask to overwrite it (force)",
                              file_path=path)
    _files.write_bytes_atomic(path, dumps(data).encode("utf-8"), mode=0o644)
    return path


def identity(manifest):
    """The parts of a manifest that identify its content: for diffs and the restore record."""
    return {
        "fixture_id": manifest.get("fixture_id"),
        "version": manifest.get("version"),
        "checksum": manifest.get("checksum"),
        "tables": [{"name": t.get("name"), "row_count": t.get("row_count")} for t in manifest.get("tables") or []],
    }


def check_checksum(manifest, dat_path, actual):
    """Raise the "Checksum mismatch" IrisModuleError unless ``actual`` is the manifest's checksum."""
    if actual != manifest["checksum"]:
        raise _files.checksum_error(dat_path, actual, manifest["checksum"])


def validate_fixture(fixture_dir, verify_checksum=True):
    """Validate a fixture directory offline; return ``(manifest, dat_path)``.

    Order (cheap first): directory and manifest (``load``) -> dat_file exists and is a regular file -> its size
    equals ``size_bytes`` when the manifest has it -> SHA-256 equals ``checksum`` (unless ``verify_checksum`` is
    false: ``iris_fixture`` then decides itself whether and when to hash, see ``_fixture_cache``).
    """
    manifest = load(fixture_dir)
    dat_path = os.path.join(fixture_dir, *manifest["dat_file"].split("/"))
    if not os.path.exists(dat_path):
        raise IrisModuleError("The fixture's database file %s is missing." % dat_path,
                              hint="copy the complete fixture directory (%s and %s), or export the fixture again"
                                   % (MANIFEST_FILE, manifest["dat_file"]), file_path=dat_path)
    if not os.path.isfile(dat_path):
        raise IrisModuleError("The fixture's database file %s is not a regular file." % dat_path,
                              hint="replace it with the %s file of the fixture" % manifest["dat_file"], file_path=dat_path)
    size = os.path.getsize(dat_path)
    expected_size = manifest.get("size_bytes")
    if expected_size is not None and size != expected_size:
        raise IrisModuleError("The fixture's database file %s has %d bytes, the manifest says %d: it is %s." % (
            dat_path, size, expected_size, "truncated" if size < expected_size else "larger than exported"),
            hint="copy the fixture again from its source (the copy is incomplete or altered), or export it again",
            file_path=dat_path, size_bytes=size, expected_size_bytes=expected_size)
    if verify_checksum:
        check_checksum(manifest, dat_path, _files.sha256_file(dat_path))
    return manifest, dat_path
