# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_copy with a local instance: put, fetch and read files (the Docker side: test_docker_archive.py)."""

from __future__ import annotations

import hashlib
import io
import os
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


# -- put_tree ---------------------------------------------------------------------------------------------------------

class _LocalInstance(object):
    kind = "local"


def test_put_tree_local_stages_and_remove_tree_cleans(tmp_path):
    src = tmp_path / "a.txt"
    src.write_bytes(b"hello")
    base = tmp_path / "base"
    base.mkdir()
    good = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    root = _copy.put_tree(_LocalInstance(), [(str(src), "d/e/a.txt", good), (str(src), "b.txt", None)], base_dir=str(base))
    assert os.path.basename(root).startswith(_copy.STAGE_PREFIX)
    assert open(os.path.join(root, "d", "e", "a.txt"), "rb").read() == b"hello"
    assert _copy.remove_tree(_LocalInstance(), root) and not os.path.exists(root)
    with pytest.raises(IrisModuleError):
        _copy.put_tree(_LocalInstance(), [(str(src), "a.txt", "sha256:" + "0" * 64)], base_dir=str(base))
    assert os.listdir(str(base)) == []  # a checksum mismatch leaves nothing behind
    for rel in ("../x", "/abs", "a//b", ""):
        with pytest.raises(IrisModuleError):
            _copy.put_tree(_LocalInstance(), [(str(src), rel, None)], base_dir=str(base))
    with pytest.raises(IrisModuleError):
        _copy.put_tree(_LocalInstance(), [(str(src), "a", None), (str(src), "a", None)], base_dir=str(base))
    with pytest.raises(IrisModuleError, match="not a staging directory"):
        _copy.remove_tree(_LocalInstance(), str(base))


def test_put_tree_docker_sends_one_archive(tmp_path, monkeypatch):
    monkeypatch.setattr(_docker, "require_docker", lambda: None)
    src = tmp_path / "a.txt"
    src.write_bytes(b"hello" * 300)
    calls = []

    class API(object):
        def put_archive(self, container_id, path, stream):
            calls.append((container_id, path, b"".join(stream)))
            return True

    class Client(object):
        api = API()

    class Container(object):
        id = "cid"
        name = "cname"

    class Instance(object):
        kind = "docker"
        client = Client()
        container = Container()
        timeout = 60

    digest = "sha256:" + hashlib.sha256(b"hello" * 300).hexdigest()
    root = _copy.put_tree(Instance(), [(str(src), "P/a.txt", digest), (str(src), "b.txt", None)])
    assert len(calls) == 1 and calls[0][:2] == ("cid", "/tmp")
    with tarfile.open(fileobj=io.BytesIO(calls[0][2])) as archive:
        names = archive.getnames()
        name = os.path.basename(root)
        assert names == [name, name + "/P", name + "/P/a.txt", name + "/b.txt"]
        member = archive.getmember(name + "/P/a.txt")
        assert member.uid == 51773 and archive.extractfile(member).read() == b"hello" * 300


# -- leftover temp files: one dispatch for every transport (issue 13) ------------------------------------------------

class _ShellInstance(object):
    """A docker/local-like instance whose commands beside IRIS run here (the listing script's sh)."""

    kind = "docker"

    def __init__(self):
        self.calls = []

    def run_command(self, argv, user=None, timeout=None):
        import subprocess  # pylint: disable=import-outside-toplevel
        self.calls.append((argv[0], user))
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        return proc.returncode, proc.stdout, proc.stderr


class _NativeInstance(object):
    kind = "native"

    def run_command(self, argv, user=None, timeout=None):
        raise AssertionError("no command runs beside IRIS over native")

    def iris(self):
        return "the connection's iris.IRIS"


PREFIXES = (_copy.UPLOAD_PREFIX, ".iris-devtools-tmp-")


def test_temp_files_beside_iris_list_then_remove(tmp_path):
    for name in (_copy.UPLOAD_PREFIX + "1-IRIS.DAT", ".iris-devtools-tmp-x", "IRIS.DAT"):
        (tmp_path / name).write_bytes(b"x")
    instance = _ShellInstance()
    expected = sorted([_copy.UPLOAD_PREFIX + "1-IRIS.DAT", ".iris-devtools-tmp-x"])
    assert _copy.temp_files(instance, str(tmp_path), PREFIXES, remove=False) == (expected, expected, [])
    assert _copy.temp_files(instance, str(tmp_path), PREFIXES, remove=True) == (expected, [], [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["IRIS.DAT"] and instance.calls[0] == ("sh", "root")


def test_temp_files_over_native_go_through_the_server(monkeypatch):
    """Over native the listing is _copy_native's (%File on the module's connection), never a command beside IRIS."""
    seen = []
    monkeypatch.setattr(_copy._copy_native, "temp_files",
                        lambda irs, directory, prefixes, remove: seen.append((irs, directory, prefixes, remove)) or (["a"], []))
    assert _copy.temp_files(_NativeInstance(), "/db/", PREFIXES, remove=True) == (["a"], [], [])
    assert seen == [("the connection's iris.IRIS", "/db/", PREFIXES, True)]
