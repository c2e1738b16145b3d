# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_fixture_cache: an entry proves a file unchanged only while every stat field is the same, is never stored for a
file that changed while it was hashed, and a broken entry is a miss.  (The whole state=validated flow, with counted
reads of IRIS.DAT, is in test_fixture.py.)"""

from __future__ import annotations

import os

from ansible_collections.iris_devtools.iris.plugins.module_utils import _fixture_cache

CHECKSUM = "sha256:" + "ab" * 32


def _files(tmp_path):
    dat, manifest = tmp_path / "IRIS.DAT", tmp_path / "manifest.json"
    dat.write_bytes(b"data")
    manifest.write_text("{}")
    return str(dat), str(manifest)


def test_remembered_entry_is_a_hit_for_that_checksum_only(tmp_path):
    dat, manifest = _files(tmp_path)
    assert not _fixture_cache.lookup(dat, manifest, CHECKSUM)
    assert _fixture_cache.remember(dat, manifest, CHECKSUM, _fixture_cache.fingerprint(dat, manifest)) is None
    assert _fixture_cache.lookup(dat, manifest, CHECKSUM)
    assert not _fixture_cache.lookup(dat, manifest, "sha256:" + "cd" * 32)  # the manifest now names another checksum


def test_a_file_changed_while_hashed_is_not_remembered(tmp_path):
    dat, manifest = _files(tmp_path)
    before = _fixture_cache.fingerprint(dat, manifest)
    with open(dat, "ab") as handle:  # a writer appends during the hash
        handle.write(b"more")
    assert _fixture_cache.remember(dat, manifest, CHECKSUM, before) is None
    assert not _fixture_cache.lookup(dat, manifest, CHECKSUM)


def test_a_file_replaced_by_another_with_the_same_times_is_a_miss(tmp_path):
    dat, manifest = _files(tmp_path)
    _fixture_cache.remember(dat, manifest, CHECKSUM, _fixture_cache.fingerprint(dat, manifest))
    info = os.stat(dat)
    other = str(tmp_path / "other")
    with open(other, "wb") as handle:
        handle.write(b"DATA")
    os.utime(other, ns=(info.st_atime_ns, info.st_mtime_ns))
    os.replace(other, dat)  # same size and mtime, another inode
    assert not _fixture_cache.lookup(dat, manifest, CHECKSUM)


def test_broken_or_missing_entries_are_misses(tmp_path):
    dat, manifest = _files(tmp_path)
    _fixture_cache.remember(dat, manifest, CHECKSUM, _fixture_cache.fingerprint(dat, manifest))
    (entry,) = [os.path.join(_fixture_cache.cache_dir(), name) for name in os.listdir(_fixture_cache.cache_dir())]
    with open(entry, "wb") as handle:
        handle.write(b"\xff not json")
    assert not _fixture_cache.lookup(dat, manifest, CHECKSUM)
    with open(entry, "w") as handle:
        handle.write("[1, 2]")
    assert not _fixture_cache.lookup(dat, manifest, CHECKSUM)
    os.unlink(dat)
    assert not _fixture_cache.lookup(dat, manifest, CHECKSUM) and _fixture_cache.fingerprint(dat, manifest) is None
