# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's ``IRIS.DAT`` format (own format; DESIGN.md Contract 3).

A real IRIS database is one ``IRIS.DAT`` file per directory (iris-sources.md §3.4, GORIENT); its block
layout is not public (S22), so this format is our own and deliberately opaque to the collection:

* bytes ``0..4095`` — header block: ``IRIS-SIM-DAT 001\\n`` + a JSON object (space padded,
  ``\\n`` at byte 4095).  The JSON holds the physical properties (``size_mb``, ``max_size_mb``,
  ``expansion_mb``, ``block_size``, ``read_only``, ``resource``), the payload length and SHA-256,
  and the **mount mark** (``mount``: ``null`` or ``{"token": ..., "frozen": bool}``).
* bytes ``4096..4096+payload_len`` — payload: JSON ``{"globals": ..., "tables": ..., ...}``.
* the rest up to ``size_mb`` MiB — padding (zeros, sparse by default; ``fill="random"`` writes
  incompressible bytes).  Nothing reads the padding, so a 1 GiB file costs one header read.

The mount mark is written at mount and cleared at a clean dismount, so a copy taken while mounted
carries it and the simulator refuses to mount that copy cleanly (models "never copy a mounted
database", iris-sources.md §0.6, S21, S23).  The header records nothing about the directory the
file lives in: a file restored into another directory mounts there (inferred; this is one of the
untested hypotheses for iris-devtester's ``<DIRECTORY>`` failure, iris-sources.md LESSONS §4.8 —
"the restored DAT still recording its original directory" — which the simulator therefore does NOT
reproduce; a torn copy of a mounted DAT, another hypothesis there, it does).
"""

from __future__ import annotations

import decimal
import hashlib
import json
import os
from typing import Any

from iris_sim import values

MAGIC = b"IRIS-SIM-DAT"
FORMAT_VERSION = 1
HEADER_SIZE = 4096
MIB = 1024 * 1024
FILE_NAME = "IRIS.DAT"


class DatError(Exception):
    """An ``IRIS.DAT`` that cannot be used: missing, corrupt, truncated, full, foreign mount mark."""

    def __init__(self, path: str, reason: str, kind: str = "corrupt"):
        self.path = path
        self.reason = reason
        self.kind = kind  # "missing" | "corrupt" | "truncated" | "full" | "mounted" | "exists"
        super().__init__(f"{path}: {reason}")


def dat_path(directory: str) -> str:
    """``<directory>/IRIS.DAT``."""
    return os.path.join(directory, FILE_NAME)


def new_header(size_mb: int = 1, block_size: int = 8192, max_size_mb: int = 0, expansion_mb: int = 0,
               resource: str = "", read_only: int = 0) -> dict:
    """A fresh header.  Sizes in MB (iris-sources.md §3.2 S9: Size/MaxSize/ExpansionSize are MB)."""
    return {
        "format": FORMAT_VERSION,
        "block_size": int(block_size),  # 8192 default (iris-sources.md §3.4 S22)
        "size_mb": max(1, int(size_mb)),
        "max_size_mb": int(max_size_mb),  # 0 = unlimited [inf]
        "expansion_mb": int(expansion_mb),  # 0 = system default growth [inf]
        "resource": resource,
        "read_only": int(read_only),
        "payload_len": 0,
        "payload_sha256": "",
        "mount": None,
    }


def _encode_header(header: dict) -> bytes:
    body = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    first = MAGIC + b" %03d\n" % FORMAT_VERSION
    room = HEADER_SIZE - len(first) - 1
    if len(body) > room:
        raise ValueError("IRIS.DAT header too large")
    return first + body + b" " * (room - len(body)) + b"\n"


def read_header(path: str) -> dict:
    """Parse the header; ``DatError`` when the file is missing, foreign, corrupt or truncated."""
    try:
        with open(path, "rb") as handle:
            block = handle.read(HEADER_SIZE)
            file_len = os.fstat(handle.fileno()).st_size
    except FileNotFoundError as exc:
        raise DatError(path, "no IRIS.DAT", "missing") from exc
    except IsADirectoryError as exc:
        raise DatError(path, "not a file", "corrupt") from exc
    if not block.startswith(MAGIC):
        raise DatError(path, "not a database file (bad label block)")
    if len(block) < HEADER_SIZE:
        raise DatError(path, "file is truncated (label block incomplete)", "truncated")
    try:
        version = int(block[len(MAGIC) + 1:len(MAGIC) + 4])
        header = json.loads(block[len(MAGIC) + 5:].decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatError(path, "corrupt label block") from exc
    if version != FORMAT_VERSION or not isinstance(header, dict) or "payload_len" not in header:
        raise DatError(path, "unsupported database format version")
    needed = max(HEADER_SIZE + int(header["payload_len"]), int(header["size_mb"]) * MIB)
    if file_len < needed:
        raise DatError(path, f"file is truncated ({file_len} of {needed} bytes)", "truncated")
    return header


def write_header(path: str, header: dict) -> None:
    """Rewrite the header block in place (the payload and padding are untouched).

    No fsync: the simulator does not model durability against a host crash (a killed container keeps the page cache),
    and no source says that IRIS forces a whole database file to disk when it writes its label at mount.  An fsync here
    made every mount of a freshly copied IRIS.DAT write the whole file back first (1 GiB: 0.5 s, /proc/meminfo Dirty
    1 GB -> 0 during the mounting session; benchmarks/fixture_restore.py), a cost of the simulator's own choice.
    """
    with open(path, "r+b") as handle:
        handle.write(_encode_header(header))
        handle.flush()


def read_payload(path: str, header: dict | None = None) -> dict:
    """Read and verify the payload (only ``payload_len`` bytes, never the padding)."""
    header = header or read_header(path)
    with open(path, "rb") as handle:
        handle.seek(HEADER_SIZE)
        raw = handle.read(int(header["payload_len"]))
    if hashlib.sha256(raw).hexdigest() != header["payload_sha256"]:
        raise DatError(path, "payload checksum mismatch (database is corrupt)")
    try:
        payload = json.loads(raw.decode("utf-8")) if raw else {}
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatError(path, "corrupt payload") from exc
    return payload


def _grow_size(header: dict, needed_bytes: int) -> None:
    """Expand ``size_mb`` to hold ``needed_bytes`` in ``expansion_mb`` steps; honour ``max_size_mb``."""
    size = int(header["size_mb"])
    if needed_bytes <= size * MIB:
        return
    step = int(header.get("expansion_mb") or 0) or max(1, size // 8)  # [inf] default growth ~12 %
    while size * MIB < needed_bytes:
        size += step
    max_mb = int(header.get("max_size_mb") or 0)
    if max_mb and size > max_mb:
        raise DatError("", f"database would exceed MaxSize {max_mb} MB", "full")
    header["size_mb"] = size


def _fill(handle, start: int, end: int, fill: str) -> None:
    if end <= start:
        return
    if fill == "random":
        handle.seek(start)
        remaining = end - start
        while remaining > 0:
            chunk = min(remaining, 4 * MIB)
            handle.write(os.urandom(chunk))
            remaining -= chunk
    else:
        handle.truncate(end)  # sparse zeros


def create(path: str, header: dict, payload: dict | None = None, fill: str = "zero") -> dict:
    """Create a new ``IRIS.DAT`` (``DatError`` kind ``exists`` if one is there)."""
    if os.path.exists(path):
        raise DatError(path, "IRIS.DAT already exists", "exists")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(_encode_header(header))
    write_payload(path, header, payload or {"globals": {}, "tables": {}}, fill=fill)
    return header


def write_payload(path: str, header: dict, payload: dict, fill: str = "zero") -> None:
    """Write ``payload`` after the header, grow the file as needed, then rewrite the header."""
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")
    _grow_size(header, HEADER_SIZE + len(raw))
    header["payload_len"] = len(raw)
    header["payload_sha256"] = hashlib.sha256(raw).hexdigest()
    with open(path, "r+b") as handle:
        handle.seek(HEADER_SIZE)
        handle.write(raw)
        current = os.fstat(handle.fileno()).st_size
        target = int(header["size_mb"]) * MIB
        if current < target:
            _fill(handle, max(current, HEADER_SIZE + len(raw)), target, fill)
        handle.seek(0)
        handle.write(_encode_header(header))
        handle.flush()
        os.fsync(handle.fileno())


def resize(path: str, header: dict, size_mb: int, fill: str = "zero") -> None:
    """Expand the file to ``size_mb`` (shrinking is refused [inf], like Size on SYS.Database S19)."""
    if int(size_mb) < int(header["size_mb"]):
        raise DatError(path, f"cannot shrink database from {header['size_mb']} MB to {size_mb} MB", "corrupt")
    header["size_mb"] = int(size_mb)
    with open(path, "r+b") as handle:
        current = os.fstat(handle.fileno()).st_size
        _fill(handle, current, int(size_mb) * MIB, fill)
    write_header(path, header)


# ---------------------------------------------------------------------------------------------
# globals <-> JSON
# ---------------------------------------------------------------------------------------------

def _enc_value(value: Any):
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int) or isinstance(value, str):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        return {"n": values.to_str(value)}
    return values.to_str(value)


def _dec_value(value: Any):
    if isinstance(value, dict):
        return values.to_num(value["n"])
    return value


def encode_globals(globals_: dict) -> dict:
    """``{name: values.Node}`` → ``{name: [[subs...], value], ...]}`` (subscripts as strings)."""
    out = {}
    for name, root in globals_.items():
        rows: list = []
        _walk(root, [], rows)
        if rows:
            out[name] = rows
    return out


def _walk(node, path: list, rows: list) -> None:
    if node.value is not None:
        rows.append([list(path), _enc_value(node.value)])
    for key in node.keys:
        sub = values._key_value(key)  # pylint: disable=protected-access
        _walk(node.children[sub], path + [values.to_str(sub)], rows)


def decode_globals(data: dict) -> dict:
    """Inverse of ``encode_globals``.  String subscripts are never canonical numbers, so the
    round trip through ``values.subscript`` is exact."""
    out = {}
    for name, rows in data.items():
        root = values.Node()
        for subs, value in rows:
            root.set(tuple(values.subscript(s) for s in subs), _dec_value(value))
        out[name] = root
    return out


def encode_rows(rows: dict) -> dict:
    """Table rows ``{id: [values]}`` → JSON-safe."""
    return {str(k): [_enc_value(v) for v in row] for k, row in rows.items()}


def decode_rows(rows: dict) -> dict:
    """Inverse of ``encode_rows`` (ids become ints)."""
    return {int(k): [_dec_value(v) for v in row] for k, row in rows.items()}


# ---------------------------------------------------------------------------------------------
# an opened database
# ---------------------------------------------------------------------------------------------

class Database:
    """One ``IRIS.DAT`` loaded into memory: ``header``, ``globals`` (name → ``values.Node``),
    ``tables`` (SQL tables, see sql.py), ``extra`` (other payload sections, e.g. ``system``)."""

    def __init__(self, directory: str):
        self.directory = directory
        self.path = dat_path(directory)
        self.header: dict = {}
        self.globals: dict = {}
        self.tables: dict = {}
        self.extra: dict = {}
        self.dirty = False

    def load(self, pending: dict | None = None) -> "Database":
        """Read header and payload; ``pending`` (a payload written during a freeze) wins."""
        self.header = read_header(self.path)
        payload = pending if pending is not None else read_payload(self.path, self.header)
        self.from_payload(payload)
        self.dirty = False
        return self

    def from_payload(self, payload: dict) -> None:
        """Fill globals/tables/extra from a payload dict."""
        payload = dict(payload)
        self.globals = decode_globals(payload.pop("globals", {}))
        tables = payload.pop("tables", {})
        for table in tables.values():
            table["rows"] = decode_rows(table.get("rows", {}))
        self.tables = tables
        self.extra = payload

    def to_payload(self) -> dict:
        """The JSON-safe payload dict."""
        tables = {}
        for key, table in self.tables.items():
            copy = dict(table)
            copy["rows"] = encode_rows(table.get("rows", {}))
            tables[key] = copy
        payload = {"globals": encode_globals(self.globals), "tables": tables}
        payload.update(self.extra)
        return payload

    def save(self) -> None:
        """Write the payload (the header is re-read first so a mount mark set meanwhile survives)."""
        header = read_header(self.path)
        for key in ("size_mb", "max_size_mb", "expansion_mb", "read_only", "resource"):
            header[key] = self.header.get(key, header[key])
        write_payload(self.path, header, self.to_payload())
        self.header = header
        self.dirty = False
