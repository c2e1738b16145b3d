# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_copy with a local instance: put, fetch and read files (the Docker side: test_docker_archive.py)."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _copy, _docker, _instance
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError


class FakeModule(object):
    params = dict(transport="local", container=None, instance="IRIS", namespace="USER", timeout=30, docker_host=None)


def test_local_files(tmp_path):
    instance = _instance.instance_from_module(FakeModule())
    src = tmp_path / "src.bin"
    src.write_bytes(b"abc" * 1000)
    dest_dir = tmp_path / "db"
    dest_dir.mkdir()
    checksum = "sha256:" + hashlib.sha256(b"abc" * 1000).hexdigest()
    _copy.put_file(instance, str(src), str(dest_dir), "IRIS.DAT", expected_checksum=checksum)
    assert (dest_dir / "IRIS.DAT").read_bytes() == b"abc" * 1000
    assert _copy.fetch_file(instance, str(dest_dir / "IRIS.DAT"), str(tmp_path / "out.bin")) == checksum
    assert (tmp_path / "out.bin").read_bytes() == b"abc" * 1000
    assert _copy.read_file(instance, str(src)) == b"abc" * 1000


def test_local_put_refuses_other_bytes(tmp_path):
    instance = _instance.instance_from_module(FakeModule())
    src = tmp_path / "src.bin"
    src.write_bytes(b"abc")
    with pytest.raises(IrisModuleError):
        _copy.put_file(instance, str(src), str(tmp_path), "IRIS.DAT", expected_checksum="sha256:" + "0" * 64)
    assert not (tmp_path / "IRIS.DAT").exists()


def test_local_read_limits(tmp_path):
    instance = _instance.instance_from_module(FakeModule())
    src = tmp_path / "src.bin"
    src.write_bytes(b"abc" * 10)
    with pytest.raises(IrisModuleError, match="more than the 10 bytes"):
        _copy.read_file(instance, str(src), max_bytes=10)
    with pytest.raises(IrisModuleError) as info:
        _copy.read_file(instance, str(tmp_path / "missing"))
    assert info.value.details["missing_file"] is True


# ------------------------------------------------------------------------------------------------
# The host copy into a container directory that this process sees (issue 12 item 5), against a fake
# engine whose volume (Mounts[].Source) is a directory of tmp_path; the archive copy is the fallback.
# ------------------------------------------------------------------------------------------------
MOUNT = "/usr/irissys/mgr"


class HostEngine(object):
    """``inspect_container``/``put_archive`` and the commands ``upload_file`` runs (``stat``, ``mv``, ``rm``) over a
    volume at ``root``.  ``proof`` False: the container's ``stat`` reports another directory (a tmpfs, a remote
    engine); ``container_sees`` False: the container does not see what the host wrote (``mv`` fails)."""

    def __init__(self, root, rw=True, proof=True, container_sees=True):
        self.api = self
        self.root = str(root)
        self.rw = rw
        self.proof = proof
        self.container_sees = container_sees
        self.commands = []
        self.archives = 0
        self.archived = set()  # names put_archive wrote: the container sees those

    def host(self, path):
        return self.root + path[len(MOUNT):]

    def inspect_container(self, container):
        return {"State": {"Running": True, "Status": "running"},
                "Mounts": [{"Type": "volume", "Source": self.root, "Destination": MOUNT, "RW": self.rw}],
                "GraphDriver": {"Name": "overlay2", "Data": {"MergedDir": "/nonexistent-merged"}}}

    def put_archive(self, container, path, data):
        self.archives += 1
        with tarfile.open(fileobj=io.BytesIO(b"".join(data)), mode="r") as archive:
            member = archive.next()
            self.archived.add(member.name)
            with open(os.path.join(self.host(path), member.name), "wb") as out:
                out.write(archive.extractfile(member).read())
        return True

    def execute(self, client, container, argv, data, timeout, user=None):
        self.commands.append(list(argv))
        if argv[:3] == ["stat", "-c", "%d:%i"]:
            info = os.stat(self.host(argv[4]))
            return 0, (b"%d:%d\n" % (info.st_dev, info.st_ino + (0 if self.proof else 1))), b""
        if argv[:3] == ["mv", "-f", "--"]:
            if not self.container_sees and os.path.basename(argv[3]) not in self.archived:
                return 1, b"", b"mv: cannot stat: No such file or directory"
            os.rename(self.host(argv[3]), self.host(argv[4]))
            return 0, b"", b""
        if argv[:3] == ["rm", "-f", "--"]:
            if os.path.exists(self.host(argv[3])):
                os.unlink(self.host(argv[3]))
            return 0, b"", b""
        raise AssertionError("unexpected command %r" % argv)


@pytest.fixture
def engine(tmp_path, monkeypatch):
    """(engine, volume dir, source file, its checksum, fchown calls); this process counts as root."""
    volume = tmp_path / "volume"
    (volume / "db").mkdir(parents=True)
    src = tmp_path / "src.DAT"
    data = os.urandom(3 * 1024 * 1024 + 17)
    src.write_bytes(data)
    chowned = []
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(os, "fchown", lambda fd, uid, gid: chowned.append((os.fstat(fd).st_ino, uid, gid)))
    monkeypatch.setattr(_docker, "HAS_DOCKER", True)
    fake = HostEngine(volume)
    monkeypatch.setattr(_docker, "exec_with_stdin", fake.execute)
    return fake, volume / "db", src, "sha256:" + hashlib.sha256(data).hexdigest(), chowned


def test_host_copy_lands_owned_with_mode_after_the_proof(engine):
    fake, db, src, checksum, chowned = engine
    assert _copy.upload_file(fake, "iris1", str(src), MOUNT + "/db", "IRIS.DAT", expected_checksum=checksum) == src.stat().st_size
    landed = db / "IRIS.DAT"
    assert landed.read_bytes() == src.read_bytes() and os.listdir(str(db)) == ["IRIS.DAT"]
    assert fake.archives == 0  # no put_archive: the host copy ran
    assert stat.S_IMODE(landed.stat().st_mode) == 0o660
    assert chowned == [(landed.stat().st_ino, 51773, 51773)]
    # the proof came first, the rename ran in the container (so it sees the file)
    assert [argv[0] for argv in fake.commands] == ["stat", "mv"]
    assert fake.commands[1][3].startswith(MOUNT + "/db/" + _copy.UPLOAD_PREFIX) and fake.commands[1][4] == MOUNT + "/db/IRIS.DAT"


def test_host_copy_of_other_bytes_never_lands(engine):
    fake, db, src, checksum, dummy = engine
    with pytest.raises(IrisModuleError, match="Checksum mismatch"):
        _copy.upload_file(fake, "iris1", str(src), MOUNT + "/db", "IRIS.DAT", expected_checksum="sha256:" + "0" * 64)
    assert os.listdir(str(db)) == [] and fake.archives == 0
    assert [argv[0] for argv in fake.commands] == ["stat"]  # no mv


@pytest.mark.parametrize("case", ["proof fails", "read-only mount", "not root", "symlink below the mount"])
def test_host_copy_falls_back_to_the_archive_copy(engine, monkeypatch, case):
    fake, db, src, checksum, chowned = engine
    dest_dir = MOUNT + "/db"
    if case == "proof fails":
        fake.proof = False
    elif case == "read-only mount":
        fake.rw = False
    elif case == "not root":
        monkeypatch.setattr(os, "geteuid", lambda: 1000)
    else:
        # an absolute link in the container's path resolves on the host's root: never followed
        os.symlink(str(db), str(db.parent / "hostlink"))
        dest_dir = MOUNT + "/hostlink"
    assert _copy.host_view(fake, "iris1", dest_dir) is None
    _copy.upload_file(fake, "iris1", str(src), dest_dir, "IRIS.DAT", expected_checksum=checksum)
    assert fake.archives == 1 and chowned == []
    assert (db / "IRIS.DAT").read_bytes() == src.read_bytes() and os.listdir(str(db)) == ["IRIS.DAT"]


def test_host_copy_the_container_does_not_see_falls_back(engine):
    fake, db, src, checksum, dummy = engine
    fake.container_sees = False
    _copy.upload_file(fake, "iris1", str(src), MOUNT + "/db", "IRIS.DAT", expected_checksum=checksum)
    # the host's temp file is gone, the archive copy installed the file
    assert fake.archives == 1 and os.listdir(str(db)) == ["IRIS.DAT"]
    assert [argv[0] for argv in fake.commands] == ["stat", "mv", "mv"]
