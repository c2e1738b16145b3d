# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_files: chunked SHA-256, atomic copies that leave nothing behind, private directories."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError


def _blob(size, seed=1):
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"%d-%d" % (seed, counter)).digest()
        counter += 1
    return bytes(out[:size])


def test_chunk_size():
    assert _files.CHUNK_SIZE == 4 * 1024 * 1024


@pytest.mark.parametrize("size", [0, 1, 4096, _files.CHUNK_SIZE - 1, _files.CHUNK_SIZE, 2 * _files.CHUNK_SIZE + 17])
def test_sha256_equals_hashlib_of_whole_file(tmp_path, size):
    data = _blob(size, seed=size)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    assert _files.sha256_file(str(path)) == "sha256:" + hashlib.sha256(data).hexdigest()


def test_sha256_reads_in_chunks(tmp_path, monkeypatch):
    data = _blob(3 * 1024 * 1024 + 5)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    sizes = []
    real_open = open

    class Spy(object):
        def __init__(self, handle):
            self.handle = handle

        def readinto(self, buf):
            sizes.append(len(buf))
            return self.handle.readinto(buf)

        def __enter__(self):
            return self

        def __exit__(self, *args):
            self.handle.close()

    monkeypatch.setattr(_files, "open", lambda *a, **k: Spy(real_open(*a, **k)), raising=False)
    assert _files.sha256_file(str(path), chunk_size=1024 * 1024) == "sha256:" + hashlib.sha256(data).hexdigest()
    assert sizes == [1024 * 1024] * 5  # 4 full reads (the last one partial) + the EOF read, never the whole file


def test_sha256_missing_file(tmp_path):
    with pytest.raises(IrisModuleError) as info:
        _files.sha256_file(str(tmp_path / "missing.DAT"))
    assert "Cannot read" in info.value.msg and info.value.hint


def test_copy_atomic_copies_and_sets_mode(tmp_path):
    data = _blob(2 * _files.CHUNK_SIZE + 3)
    src = tmp_path / "src.DAT"
    src.write_bytes(data)
    dest = tmp_path / "out" / "IRIS.DAT"
    os.mkdir(str(tmp_path / "out"))
    _files.copy_atomic(str(src), str(dest), mode="0640", owner=os.getuid(), group=os.getgid())
    assert dest.read_bytes() == data
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o640
    assert os.listdir(str(tmp_path / "out")) == ["IRIS.DAT"]
    # replacing keeps it atomic and applies the new mode
    src.write_bytes(b"new")
    _files.copy_atomic(str(src), str(dest), mode=0o600)
    assert dest.read_bytes() == b"new" and stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o600


def test_copy_atomic_returns_the_hash_of_one_read(tmp_path, monkeypatch):
    """The copy hashes what it writes (issue 11 item 2): the SHA-256 comes back without a second read of src or dest."""
    data = _blob(_files.CHUNK_SIZE + 9)
    (tmp_path / "src").write_bytes(data)
    opened = []
    real = _files.open_source
    monkeypatch.setattr(_files, "open_source", lambda name: opened.append(name) or real(name))
    checksum = _files.copy_atomic(str(tmp_path / "src"), str(tmp_path / "dst"))
    assert (tmp_path / "dst").read_bytes() == data and opened == [str(tmp_path / "src")]
    assert checksum == "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("where", ["copy", "fsync", "chown", "rename"])
def test_copy_atomic_failure_leaves_nothing_behind(tmp_path, monkeypatch, where):
    (tmp_path / "src").write_bytes(_blob(300000))
    os.mkdir(str(tmp_path / "out"))
    dest = tmp_path / "out" / "IRIS.DAT"
    dest.write_bytes(b"old content")

    def boom(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "copy":
        def half_copy(src_handle, dest_handle):
            dest_handle.write(src_handle.read(1000))
            boom()
        monkeypatch.setattr(_files, "_copy_and_hash", half_copy)
    elif where == "fsync":
        monkeypatch.setattr(_files.os, "fsync", boom)
    elif where == "chown":
        monkeypatch.setattr(_files.os, "chown", boom)
    else:
        monkeypatch.setattr(_files.os, "rename", boom)
    with pytest.raises(IrisModuleError) as info:
        _files.copy_atomic(str(tmp_path / "src"), str(dest), owner=os.getuid())
    assert "No space left" in info.value.msg and "free space" in info.value.hint
    assert os.listdir(str(tmp_path / "out")) == ["IRIS.DAT"]
    assert dest.read_bytes() == b"old content"


def test_copy_atomic_checks_free_space_first(tmp_path, monkeypatch):
    (tmp_path / "src").write_bytes(b"x" * 1000)

    class Usage(object):
        free = 10
    monkeypatch.setattr(_files.shutil, "disk_usage", lambda path: Usage())
    with pytest.raises(IrisModuleError) as info:
        _files.copy_atomic(str(tmp_path / "src"), str(tmp_path / "dst"))
    assert "Not enough space" in info.value.msg and info.value.details["free_bytes"] == 10
    assert sorted(os.listdir(str(tmp_path))) == ["src"]


def test_copy_atomic_missing_source_and_dest_dir(tmp_path):
    with pytest.raises(IrisModuleError) as info:
        _files.copy_atomic(str(tmp_path / "nope"), str(tmp_path / "dst"))
    assert "Cannot read" in info.value.msg
    (tmp_path / "src").write_bytes(b"x")
    with pytest.raises(IrisModuleError) as info:
        _files.copy_atomic(str(tmp_path / "src"), str(tmp_path / "no" / "dst"))
    assert "does not exist" in info.value.msg
    assert sorted(os.listdir(str(tmp_path))) == ["src"]


def test_copy_atomic_unknown_owner_and_bad_mode(tmp_path):
    (tmp_path / "src").write_bytes(b"x")
    with pytest.raises(IrisModuleError) as info:
        _files.copy_atomic(str(tmp_path / "src"), str(tmp_path / "dst"), owner="no-such-user-xyz")
    assert "Unknown user" in info.value.msg
    with pytest.raises(IrisModuleError) as info:
        _files.copy_atomic(str(tmp_path / "src"), str(tmp_path / "dst"), mode="rw-r")
    assert "Invalid file mode" in info.value.msg
    assert sorted(os.listdir(str(tmp_path))) == ["src"]


def test_atomic_output_propagates_caller_error_unchanged(tmp_path):
    class Boom(Exception):
        pass
    with pytest.raises(Boom):
        with _files.atomic_output(str(tmp_path / "f")) as handle:
            handle.write(b"partial")
            raise Boom()
    assert os.listdir(str(tmp_path)) == []


def test_write_bytes_atomic_mode(tmp_path):
    _files.write_bytes_atomic(str(tmp_path / "m.json"), b"{}", mode=0o644)
    assert (tmp_path / "m.json").read_bytes() == b"{}"
    assert stat.S_IMODE(os.stat(str(tmp_path / "m.json")).st_mode) == 0o644


# -- background hashing (iris_fixture overlaps it with the instance read) ----------------------------------
def test_sha256_job_result_equals_sha256_file(tmp_path):
    data = _blob(2 * _files.CHUNK_SIZE + 5)
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    job = _files.Sha256Job(str(path))
    assert job.result() == "sha256:" + hashlib.sha256(data).hexdigest()
    job.cancel()  # harmless after the end
    assert job.result() == "sha256:" + hashlib.sha256(data).hexdigest()


def test_sha256_job_reports_errors_in_the_caller(tmp_path):
    job = _files.Sha256Job(str(tmp_path / "missing"))
    with pytest.raises(IrisModuleError) as info:
        job.result()
    assert "Cannot read" in info.value.msg and info.value.hint


def slow_hashlib(fed, delay=0.01):
    """A stand-in for the ``hashlib`` module of ``_files`` (a spy on the hash function): ``sha256()`` objects append
    the size of every chunk they are fed to ``fed`` and take ``delay`` seconds per chunk."""
    real_sha256 = hashlib.sha256

    class Digest(object):
        def __init__(self):
            self._real = real_sha256()

        def update(self, data):
            fed.append(len(data))
            time.sleep(delay)
            self._real.update(data)

        def hexdigest(self):
            return self._real.hexdigest()

    class Hashlib(object):
        sha256 = Digest
    return Hashlib


def test_sha256_job_cancel_stops_reading(tmp_path, monkeypatch):
    path = tmp_path / "f.bin"
    path.write_bytes(_blob(1024 * 1024))
    monkeypatch.setattr(_files, "CHUNK_SIZE", 4096)  # 256 chunks x 10 ms: seconds for the whole file
    fed = []
    monkeypatch.setattr(_files, "hashlib", slow_hashlib(fed))
    job = _files.Sha256Job(str(path))
    time.sleep(0.05)
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 0.5
    assert 0 < sum(fed) < 1024 * 1024
    assert job.result() is None


def test_sha256_file_cancelled_before_start_reads_nothing(tmp_path):
    import threading
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    event = threading.Event()
    event.set()
    assert _files.sha256_file(str(path), cancel=event) is None


# -- hash the bytes as they are copied (issue 11 item 2) ----------------------------------------------------------------
# The reader that changes its file while it is read is the shared fixture ``mutating_source`` (tests/unit/conftest.py).


def test_verified_copy_installs_matching_bytes(tmp_path, monkeypatch):
    monkeypatch.setattr(_files, "CHUNK_SIZE", 4096)
    src = tmp_path / "src.DAT"
    src.write_bytes(os.urandom(5 * 4096 + 17))
    dest = tmp_path / "out" / "IRIS.DAT"
    dest.parent.mkdir()
    _files.copy_atomic(str(src), str(dest), mode=0o660, expected_checksum=_files.sha256_file(str(src)))
    assert dest.read_bytes() == src.read_bytes() and stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o660


def test_verified_copy_refuses_a_source_that_changes_after_the_first_chunk(tmp_path, monkeypatch, mutating_source):
    """The old copy_atomic copied (sendfile) whatever the second read found, with no check."""
    monkeypatch.setattr(_files, "CHUNK_SIZE", 4096)
    src = tmp_path / "src.DAT"
    src.write_bytes(os.urandom(5 * 4096))
    expected = _files.sha256_file(str(src))  # the hash an earlier read saw
    dest = tmp_path / "out" / "IRIS.DAT"
    dest.parent.mkdir()
    mutating_source()
    with pytest.raises(IrisModuleError) as err:
        _files.copy_atomic(str(src), str(dest), expected_checksum=expected)
    assert "Checksum mismatch" in err.value.msg and "nothing was installed" in err.value.msg
    assert err.value.details["expected_checksum"] == expected and err.value.details["checksum"] == _files.sha256_file(str(src))
    assert os.listdir(str(dest.parent)) == []  # neither IRIS.DAT nor a temp file


def test_stream_digest_equals_the_file_hash(tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 5)
    digest = _files.StreamDigest(depth=2)
    for start in range(0, len(data), 65536):
        digest.update(data[start:start + 65536])
    assert digest.checksum() == "sha256:" + hashlib.sha256(data).hexdigest()
    digest.close()  # idempotent


def test_private_dir_is_created_private_and_made_private_again(tmp_path):
    path = str(tmp_path / "a" / "b")
    assert _files.private_dir(path) == path and stat.S_IMODE(os.stat(path).st_mode) == 0o700
    os.chmod(path, 0o777)
    assert _files.private_dir(path) == path and stat.S_IMODE(os.stat(path).st_mode) == 0o700


def test_private_dir_refuses_a_link_or_a_file(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(IrisModuleError) as info:
        _files.private_dir(str(link), what="lock directory", contents="lock files")
    assert "lock directory" in info.value.msg and "not a directory owned by the user" in info.value.msg
    assert "lock files" in info.value.hint
    (tmp_path / "file").write_text("x")
    with pytest.raises(IrisModuleError) as info:
        _files.private_dir(str(tmp_path / "file"))
    assert "Cannot create the state directory" in info.value.msg
