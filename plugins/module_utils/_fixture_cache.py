# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The verified-checksum cache of ``iris_fixture state=validated`` (issue 12 item 4: the roles' validate step must not
re-hash an unchanged fixture on every run).

An entry says "the file at this absolute path, with exactly these stat fields, had this SHA-256".  It is keyed by what
proves a file unchanged without reading it: the absolute path and ``(st_dev, st_ino, st_size, st_mtime_ns,
st_ctime_ns)`` of ``IRIS.DAT`` and of ``manifest.json``.  Any write to a file changes its ctime (and a content write its
mtime) on POSIX file systems, and a file put in its place has another inode, so any difference is a miss and the file
is hashed again.  A user can set the mtime back (``touch -d``), never the ctime.  An entry is stored only when the file's
stat is the same before and after the hash (a file changed while it was hashed is not remembered) and only after the
checksum matched the manifest.

The cache is an optimisation of validation only: a restore still hashes every byte it sends (``_copy.put_file`` with
``expected_checksum``), so a wrong or stale entry can never install a damaged file.

Entries live in ``~/.cache/iris_devtools/fixtures/verified`` (0700, ``_files.private_dir``) of the user running the
module, one JSON file (0600) per database file, named by the SHA-256 of its absolute path.  A missing, unreadable or
malformed entry is a miss; an entry that cannot be written is skipped (the result then says why in
``checksum_cache_error``).

API::

    lookup(dat_path, manifest_path, checksum) -> bool   # True: an entry proves the file has ``checksum``
    remember(dat_path, manifest_path, checksum, before) -> None or error text   # ``before``: fingerprint() taken before hashing
    fingerprint(dat_path, manifest_path) -> dict or None
"""

from __future__ import annotations

import hashlib
import json
import os

from ansible_collections.iris_devtools.iris.plugins.module_utils import _files, _fixture_lock
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

FORMAT = 1


def cache_dir():
    """The private directory of the entries (created 0700)."""
    return _files.private_dir(_fixture_lock.state_path("verified"), what="checksum cache directory",
                              contents="checksums the module computes again")


def _stat(path):
    info = os.stat(path)
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def fingerprint(dat_path, manifest_path):
    """What proves both files unchanged: their absolute paths and stat fields (None when one cannot be read)."""
    dat_path, manifest_path = os.path.abspath(dat_path), os.path.abspath(manifest_path)
    try:
        return dict(format=FORMAT, dat_path=dat_path, dat=_stat(dat_path), manifest_path=manifest_path,
                    manifest=_stat(manifest_path))
    except OSError:
        return None


def _entry_path(dat_path):
    name = hashlib.sha256(os.path.abspath(dat_path).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(cache_dir(), "verified-%s.json" % name)


def lookup(dat_path, manifest_path, checksum):
    """True when an entry proves that ``dat_path`` (unchanged since it was hashed) has ``checksum``."""
    now = fingerprint(dat_path, manifest_path)
    if now is None:
        return False
    try:
        with open(_entry_path(dat_path), "rb") as handle:
            entry = json.loads(handle.read().decode("utf-8"))
    except (IOError, OSError, ValueError, UnicodeDecodeError, IrisModuleError):
        return False
    if not isinstance(entry, dict):
        return False
    return entry.get("checksum") == checksum and dict((k, entry.get(k)) for k in now) == now


def remember(dat_path, manifest_path, checksum, before):
    """Store the entry when the files did not change while they were hashed; return None, or why it was not stored."""
    now = fingerprint(dat_path, manifest_path)
    if before is None or now != before:
        return None  # changed (or unreadable) meanwhile: the next run hashes again
    try:
        _files.write_bytes_atomic(_entry_path(dat_path), json.dumps(dict(now, checksum=checksum)).encode("utf-8"),
                                  mode=0o600)
    except IrisModuleError as exc:
        return exc.msg
    return None
