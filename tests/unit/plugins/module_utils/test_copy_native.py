# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_copy over ``transport: native`` (_copy_native): branches with a stand-in Native API object, then the real client
intersystems-irispython 5.4.1 against the simulator's superserver (tests/simulator, in process)."""

from __future__ import annotations

import hashlib
import os

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _copy, _copy_native
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

PREFIX = _copy.UPLOAD_PREFIX
MIB = 1024 * 1024


def _sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


# -- a stand-in for the client's iris.IRIS over a directory of this host --------------------------------------------
class FakeStream(object):
    def __init__(self, owner):
        self.owner = owner
        self.path = None
        self.pos = 0
        self.closed = False

    def invoke(self, method, *args):
        self.owner.calls.append(method)
        if method in self.owner.fail:
            raise RuntimeError(self.owner.fail[method])
        if method == "LinkToFile":
            if not os.path.isdir(os.path.dirname(args[0])):
                return "0 bad"
            self.path = args[0]
            return 1
        if method == "Write":
            data = self.owner.corrupt(args[0])
            with open(self.path, "ab") as handle:
                handle.write(data)
            return self.owner.write_status
        if method == "%Save":
            return 1
        raise AssertionError(method)

    def invokeBytes(self, method, length):  # noqa: N802  (the client's name)
        assert method == "Read"
        with open(self.path, "rb") as handle:
            handle.seek(self.pos)
            data = handle.read(length)
        self.pos += len(data)
        return data[:self.owner.short_read] if self.owner.short_read is not None else data

    def get(self, prop):
        assert prop == "Size"
        return os.path.getsize(self.path) if os.path.exists(self.path) else 0

    def close(self):
        self.closed = True


class FakeIris(object):
    """``classMethodObject``/``classMethodValue``/``classMethodBytes`` on this host's file system."""

    def __init__(self):
        self.calls = []
        self.fail = {}
        self.streams = []
        self.write_status = 1
        self.rename_result = 1
        self.delete_result = None
        self.short_read = None
        self.corrupt = lambda data: data
        self.server_hash = None

    def classMethodObject(self, cls, method):  # noqa: N802
        assert (cls, method) == ("%Stream.FileBinary", "%New")
        self.streams.append(FakeStream(self))
        return self.streams[-1]

    def classMethodBytes(self, cls, method, bits, stream):  # noqa: N802
        assert (cls, method, bits) == ("%SYSTEM.Encryption", "SHAHashStream", 256)
        if self.server_hash is not None:
            return self.server_hash
        with open(stream.path, "rb") as handle:
            return hashlib.sha256(handle.read()).digest()

    def classMethodValue(self, cls, method, *args):  # noqa: N802
        self.calls.append(method)
        if method in self.fail:
            raise RuntimeError(self.fail[method])
        if cls == "%SYSTEM.Status":
            return "ERROR #5001: " + str(args[0])
        assert cls == "%Library.File"
        if method == "Exists":
            return int(os.path.exists(args[0]))
        if method == "DirectoryExists":
            return int(os.path.isdir(args[0]))
        if method == "Delete":
            if self.delete_result is not None:
                return self.delete_result
            try:
                os.remove(args[0])
            except OSError:
                return 0
            return 1
        if method == "Rename":
            if not self.rename_result:
                return 0
            os.rename(args[0], args[1])
            return 1
        raise AssertionError(method)


class NativeInstance(object):
    """What _copy needs of helper ninst's NativeInstance: ``kind`` and ``iris()``."""
    kind = "native"

    def __init__(self, irs):
        self._irs = irs

    def iris(self):
        return self._irs


def _source(tmp_path, data):
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    dest = tmp_path / "db"
    dest.mkdir(exist_ok=True)
    return src, dest


def test_chunk_plan_never_ends_with_one_byte():
    assert _copy_native.chunk_plan(0) == []
    assert _copy_native.chunk_plan(1) == [1]
    assert _copy_native.chunk_plan(MIB) == [MIB]
    assert _copy_native.chunk_plan(MIB + 1) == [MIB - 1, 2]
    assert _copy_native.chunk_plan(2 * MIB + 5) == [MIB, MIB, 5]
    for size in (2, 3, MIB - 1, 3 * MIB + 1):
        plan = _copy_native.chunk_plan(size)
        assert sum(plan) == size and min(plan) >= 2 and max(plan) <= MIB


def test_put_through_copy_dispatch(tmp_path):
    data = os.urandom(MIB + 1)
    src, dest = _source(tmp_path, data)
    irs = FakeIris()
    assert _copy.put_file(NativeInstance(irs), str(src), str(dest), "IRIS.DAT", expected_checksum=_sha(data)) == len(data)
    assert (dest / "IRIS.DAT").read_bytes() == data
    assert os.listdir(str(dest)) == ["IRIS.DAT"]
    assert irs.calls.count("Write") == 2 and irs.streams[0].closed
    assert irs.streams[0].path.startswith(str(dest) + "/" + PREFIX)


def test_empty_file_is_one_empty_write(tmp_path):
    src, dest = _source(tmp_path, b"")
    irs = FakeIris()
    assert _copy.put_file(NativeInstance(irs), str(src), str(dest), "f", expected_checksum=_sha(b"")) == 0
    assert irs.calls.count("Write") == 1 and (dest / "f").read_bytes() == b""


def test_expected_checksum_mismatch_never_lands_and_leaves_no_temp(tmp_path):
    src, dest = _source(tmp_path, b"abc")
    irs = FakeIris()
    with pytest.raises(IrisModuleError, match="Checksum mismatch") as info:
        _copy.put_file(NativeInstance(irs), str(src), str(dest), "IRIS.DAT", expected_checksum="sha256:" + "0" * 64)
    assert os.listdir(str(dest)) == []
    assert "Rename" not in irs.calls and "partial_path" not in info.value.details


def test_server_side_corruption_is_refused(tmp_path):
    """A chunk altered on its way (the server stores other bytes): the server's hash differs, nothing lands."""
    data = b"x" * (MIB + 10)
    src, dest = _source(tmp_path, data)
    (dest / "IRIS.DAT").write_bytes(b"old")
    irs = FakeIris()
    irs.corrupt = lambda chunk: chunk[:-1] + b"?" if len(chunk) == 10 else chunk
    with pytest.raises(IrisModuleError, match="the server stored bytes with") as info:
        _copy.put_file(NativeInstance(irs), str(src), str(dest), "IRIS.DAT", expected_checksum=_sha(data))
    assert info.value.hint and info.value.details["checksum"] != info.value.details["expected_checksum"]
    assert os.listdir(str(dest)) == ["IRIS.DAT"] and (dest / "IRIS.DAT").read_bytes() == b"old"


def test_existing_destination_is_replaced_only_after_a_match(tmp_path):
    src, dest = _source(tmp_path, b"new")
    (dest / "f").write_bytes(b"old")
    irs = FakeIris()
    _copy.put_file(NativeInstance(irs), str(src), str(dest), "f", expected_checksum=_sha(b"new"))
    assert (dest / "f").read_bytes() == b"new"
    assert irs.calls.index("Delete") < irs.calls.index("Rename")


@pytest.mark.parametrize("case,match", [
    ("link", "linking a stream"), ("write", "writing to"), ("rename", "renaming"), ("delete_dest", "cannot be deleted"),
    ("raise", "over the native connection: <DISCONNECT> gone"), ("short_hash", "instead of 32")])
def test_failures_remove_the_temp_file(tmp_path, case, match):
    src, dest = _source(tmp_path, b"abc")
    irs = FakeIris()
    if case == "link":
        dest_dir = str(tmp_path / "missing")
    else:
        dest_dir = str(dest)
    if case == "write":
        irs.write_status = "0 disk full"
    elif case == "rename":
        irs.rename_result = 0
    elif case == "delete_dest":
        (dest / "f").write_bytes(b"old")
        irs.delete_result = 0
        irs.fail = {}
    elif case == "raise":
        irs.fail = {"%Save": "<DISCONNECT> gone"}
    elif case == "short_hash":
        irs.server_hash = b"short"
    with pytest.raises(IrisModuleError, match=match) as info:
        _copy.put_file(NativeInstance(irs), str(src), dest_dir, "f", expected_checksum=_sha(b"abc"))
    assert info.value.hint
    left = sorted(os.listdir(str(dest)))
    if case == "delete_dest":
        # the temp file could not be deleted either (Delete answers 0): it is named, never the final name
        assert info.value.details["partial_path"].startswith(str(dest) + "/" + PREFIX)
        assert (dest / "f").read_bytes() == b"old"
    else:
        assert left == [], left


def test_cleanup_failure_names_the_temp_file(tmp_path):
    src, dest = _source(tmp_path, b"abc")
    irs = FakeIris()
    irs.fail = {"%Save": "<COMMUNICATION LINK ERROR> closed", "Exists": "<COMMUNICATION LINK ERROR> closed"}
    with pytest.raises(IrisModuleError) as info:
        _copy.put_file(NativeInstance(irs), str(src), str(dest), "f", expected_checksum=_sha(b"abc"))
    assert "never the final name" in info.value.msg
    assert info.value.details["partial_path"].startswith(str(dest) + "/" + PREFIX)
    assert not (dest / "f").exists()


def test_bad_dest_name_and_source(tmp_path):
    irs = FakeIris()
    with pytest.raises(IrisModuleError, match="plain file name"):
        _copy.put_file(NativeInstance(irs), str(tmp_path), str(tmp_path), "a/b")
    with pytest.raises(IrisModuleError, match="cannot read the source file"):
        _copy.put_file(NativeInstance(irs), str(tmp_path / "missing"), str(tmp_path), "f")
    assert irs.calls == []


def test_fetch_and_read(tmp_path):
    data = os.urandom(2 * MIB + 1)
    (tmp_path / "f").write_bytes(data)
    irs = FakeIris()
    instance = NativeInstance(irs)
    assert _copy.fetch_file(instance, str(tmp_path / "f"), str(tmp_path / "out")) == _sha(data)
    assert (tmp_path / "out").read_bytes() == data
    assert _copy.read_file(instance, str(tmp_path / "f")) == data
    with pytest.raises(IrisModuleError, match="more than the 10 bytes"):
        _copy.read_file(instance, str(tmp_path / "f"), max_bytes=10)
    with pytest.raises(IrisModuleError) as info:
        _copy.read_file(instance, str(tmp_path / "missing"))
    assert info.value.details["missing_file"] is True
    with pytest.raises(IrisModuleError, match="is a directory"):
        _copy.fetch_file(instance, str(tmp_path), str(tmp_path / "out2"))


@pytest.mark.parametrize("case", ["short", "hash"])
def test_fetch_refuses_what_does_not_match(tmp_path, case):
    (tmp_path / "f").write_bytes(b"abcdef")
    (tmp_path / "out").write_bytes(b"before")
    irs = FakeIris()
    if case == "short":
        irs.short_read = 3
    else:
        irs.server_hash = b"\x00" * 32
    with pytest.raises(IrisModuleError, match="changed during the copy|the server's file has"):
        _copy.fetch_file(NativeInstance(irs), str(tmp_path / "f"), str(tmp_path / "out"))
    assert (tmp_path / "out").read_bytes() == b"before"
    assert sorted(os.listdir(str(tmp_path))) == ["f", "out"]  # no temp file of the atomic write left


# -- the real client against the simulator's superserver ---------------------------------------------------------
def _support():
    """The simulator suite's superserver helpers (tests/simulator/tests/superserver_support.py): ``Served`` and the
    hang guard ``guarded`` (a layout mistake makes the client hang instead of failing, WIRE §7)."""
    pytest.importorskip("tree_sitter")
    pytest.importorskip("tree_sitter_objectscript_routine")
    pytest.importorskip("iris")
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    for sub in ("", "tests"):
        path = os.path.normpath(os.path.join(here, "..", "..", "..", "simulator", sub))
        if path not in sys.path:
            sys.path.insert(0, path)
    import superserver_support  # pylint: disable=import-error
    return superserver_support


@pytest.fixture(name="served_iris")
def fixture_served_iris(tmp_path):
    """An ``iris.IRIS`` of the real client on a connection to an in-process simulator's superserver."""
    import iris
    support = _support()
    served = support.Served(tmp_path / "sim")
    conn = served.connect()
    try:
        yield support.guarded(iris.createIRIS, conn)
    finally:
        support.guarded(conn.close)
        served.server.stop()


def _guarded(func, *args):
    return _support().guarded(func, *args)


class _GuardedIris(object):
    """The real ``iris.IRIS`` with every call (and every call of the objects it returns) run through ``_guarded``."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args):
            value = _guarded(attr, *[a._target if isinstance(a, _GuardedIris) else a for a in args])
            return _GuardedIris(value) if type(value).__name__ == "IRISObject" else value
        return call


@pytest.mark.parametrize("data", [b"", b"\x00\x01\xff" * 7, os.urandom(MIB + 1), os.urandom(2 * MIB + 3)],
                         ids=["empty", "binary", "mib+1", "2mib+3"])
def test_real_client_round_trip(served_iris, tmp_path, data):
    irs = served_iris
    instance = NativeInstance(_GuardedIris(irs))
    src, dest = _source(tmp_path, data)
    name = "IRIS \u00e9\u4e16.DAT"  # a Unicode name travels as UTF-16 (WIRE §2)
    assert _copy.put_file(instance, str(src), str(dest), name, expected_checksum=_sha(data)) == len(data)
    assert (dest / name).read_bytes() == data
    assert os.listdir(str(dest)) == [name]
    assert _copy.fetch_file(instance, str(dest / name), str(tmp_path / "back")) == _sha(data)
    assert (tmp_path / "back").read_bytes() == data
    assert _copy.read_file(instance, str(dest / name)) == data


def test_real_client_mismatch_never_lands(served_iris, tmp_path):
    irs = served_iris
    instance = NativeInstance(_GuardedIris(irs))
    src, dest = _source(tmp_path, os.urandom(MIB + 7))
    (dest / "IRIS.DAT").write_bytes(b"old")
    with pytest.raises(IrisModuleError, match="Checksum mismatch"):
        _copy.put_file(instance, str(src), str(dest), "IRIS.DAT", expected_checksum="sha256:" + "1" * 64)
    assert os.listdir(str(dest)) == ["IRIS.DAT"] and (dest / "IRIS.DAT").read_bytes() == b"old"


def test_real_client_lost_nul_byte_is_refused(served_iris, tmp_path):
    """WIRE §2: a one-byte NUL goes out like the empty string; the server's hash check refuses the copy."""
    irs = served_iris
    src, dest = _source(tmp_path, b"\x00")
    with pytest.raises(IrisModuleError, match="the server stored bytes with"):
        _copy.put_file(NativeInstance(_GuardedIris(irs)), str(src), str(dest), "f", expected_checksum=_sha(b"\x00"))
    assert os.listdir(str(dest)) == []


def test_real_client_missing_and_unlinkable(served_iris, tmp_path):
    irs = served_iris
    instance = NativeInstance(_GuardedIris(irs))
    with pytest.raises(IrisModuleError) as info:
        _copy.read_file(instance, str(tmp_path / "missing"))
    assert info.value.details["missing_file"] is True
    src, dummy_dest = _source(tmp_path, b"abc")
    with pytest.raises(IrisModuleError, match="linking a stream .* directory .* does not exist"):
        _copy.put_file(instance, str(src), str(tmp_path / "no" / "dir"), "f", expected_checksum=_sha(b"abc"))


def test_real_client_temp_files(served_iris, tmp_path):
    """The native twin of iris_fixture's leftover listing: %File:FileSet through a %ResultSet, then %File.Delete."""
    irs = _GuardedIris(served_iris)
    prefixes = (PREFIX, ".iris-devtools-tmp-")
    tmp_path = tmp_path / "db"
    tmp_path.mkdir()
    for name in (PREFIX + "abc-IRIS.DAT", ".iris-devtools-tmp-x", "IRIS.DAT"):
        (tmp_path / name).write_bytes(b"x")
    expected = sorted([PREFIX + "abc-IRIS.DAT", ".iris-devtools-tmp-x"])
    assert _copy_native.temp_files(irs, str(tmp_path), prefixes, remove=False) == (expected, expected)
    assert sorted(os.listdir(str(tmp_path))) == sorted(expected + ["IRIS.DAT"])
    assert _copy_native.temp_files(irs, str(tmp_path), prefixes, remove=True) == (expected, [])
    assert os.listdir(str(tmp_path)) == ["IRIS.DAT"]
    assert _copy_native.temp_files(irs, str(tmp_path), prefixes, remove=True) == ([], [])
    assert _copy_native.temp_files(irs, str(tmp_path / "missing"), prefixes, remove=True) == ([], [])


def test_wildcard_in_path_is_refused(tmp_path):
    src, dest = _source(tmp_path, b"abc")
    irs = FakeIris()
    with pytest.raises(IrisModuleError, match="wildcard"):
        _copy.put_file(NativeInstance(irs), str(src), str(dest), "IRIS*.DAT", expected_checksum=_sha(b"abc"))
    assert irs.calls == []


# -- put_tree / remove_tree over native (issue 13) -------------------------------------------------------------------
def _tree_sources(tmp_path):
    files = {"a.cls": b"Class A {}\n", "pkg/b.cls": os.urandom(MIB + 1), "pkg/sub/c.mac": b"\x00\x01 c\n"}
    srcdir = tmp_path / "srcs"
    srcdir.mkdir()
    members = []
    for index, (rel, data) in enumerate(sorted(files.items())):
        src = srcdir / ("f%d" % index)
        src.write_bytes(data)
        members.append((str(src), rel, _sha(data) if index != 1 else None))  # one member without a checksum
    return files, members


class _RecordingIris(_GuardedIris):
    """``_GuardedIris`` that records the ``%Library.File`` methods called: proves the work went through IRIS (the
    simulator shares this host's file system, so the local branch would give the same files)."""

    def __init__(self, target, log):
        super().__init__(target)
        self._log = log

    def __getattr__(self, name):
        call = super().__getattr__(name)
        if name != "classMethodValue":
            return call

        def recorded(*args):
            if args and args[0] == "%Library.File":
                self._log.append(args[1])
            return call(*args)
        return recorded


def _walk(root):
    found = {}
    for dirpath, dummy, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            found[os.path.relpath(full, root).replace(os.sep, "/")] = open(full, "rb").read()
    return found


def test_real_client_put_tree_round_trips(served_iris, tmp_path):
    log = []
    instance = NativeInstance(_RecordingIris(served_iris, log))
    files, members = _tree_sources(tmp_path)
    base = tmp_path / "base"
    base.mkdir()
    root = _copy.put_tree(instance, members, base_dir=str(base))
    assert os.path.dirname(root) == str(base) and os.path.basename(root).startswith(_copy.STAGE_PREFIX)
    assert _walk(root) == files  # no temp file left beside the members
    assert log.count("CreateDirectoryChain") == 3 and log.count("Rename") == 3  # root, pkg, pkg/sub; one per file
    assert _copy.remove_tree(instance, root) is True
    assert "RemoveDirectoryTree" in log
    assert os.listdir(str(base)) == []
    assert _copy.remove_tree(instance, root) is True  # already gone


def test_real_client_put_tree_bad_checksum_leaves_nothing(served_iris, tmp_path):
    log = []
    instance = NativeInstance(_RecordingIris(served_iris, log))
    dummy, members = _tree_sources(tmp_path)
    members[-1] = (members[-1][0], members[-1][1], "sha256:" + "1" * 64)  # the last member, after two landed
    base = tmp_path / "base"
    base.mkdir()
    with pytest.raises(IrisModuleError, match="Checksum mismatch"):
        _copy.put_tree(instance, members, base_dir=str(base))
    assert os.listdir(str(base)) == []
    assert log.count("Rename") == 2 and "RemoveDirectoryTree" in log


def test_real_client_put_tree_refusals(served_iris, tmp_path):
    instance = NativeInstance(_GuardedIris(served_iris))
    dummy, members = _tree_sources(tmp_path)
    with pytest.raises(IrisModuleError, match="does not exist on the IRIS host") as info:
        _copy.put_tree(instance, members, base_dir=str(tmp_path / "missing"))
    assert info.value.hint.startswith("give a base directory")
    assert not (tmp_path / "missing").exists()
    with pytest.raises(IrisModuleError, match="relative path"):
        _copy.put_tree(instance, [(members[0][0], "../x", None)], base_dir=str(tmp_path))
    with pytest.raises(IrisModuleError, match="wildcard"):
        _copy.put_tree(instance, [(members[0][0], "a*.cls", None)], base_dir=str(tmp_path))
    with pytest.raises(IrisModuleError, match="Refusing to remove"):
        _copy.remove_tree(instance, str(tmp_path))


# -- _copy.remove_files: one removal for every transport (iris_ipm's uploads) -----------------------------------------
def test_remove_files_over_native_deletes_and_checks(tmp_path):
    irs = FakeIris()
    (tmp_path / "up-a").write_bytes(b"a")
    (tmp_path / "keep").write_bytes(b"k")
    assert _copy.remove_files(NativeInstance(irs), str(tmp_path), ["up-a", "up-missing"], "up-") == []
    assert os.listdir(str(tmp_path)) == ["keep"]
    assert irs.calls == ["Exists", "Delete", "Exists", "Exists"]


def test_remove_files_over_native_names_what_stays(tmp_path):
    irs = FakeIris()
    irs.delete_result = 0  # %File.Delete answers 0 and the file stays
    (tmp_path / "up-a").write_bytes(b"a")
    assert _copy.remove_files(NativeInstance(irs), str(tmp_path), ["up-a"], "up-") == [str(tmp_path / "up-a")]
    irs.fail["Exists"] = "<DISCONNECT>"
    assert _copy.remove_files(NativeInstance(irs), str(tmp_path), ["up-a"], "up-") == [str(tmp_path / "up-a")]


def test_remove_files_locally(tmp_path):
    class Local(object):
        kind = "local"
    (tmp_path / "up-a").write_bytes(b"a")
    (tmp_path / "up-d").mkdir()  # not a file: os.remove refuses, it is reported
    assert _copy.remove_files(Local(), str(tmp_path) + "/", ["up-a", "up-d"], "up-") == [str(tmp_path / "up-d")]


@pytest.mark.parametrize("directory,name", [
    ("relative/dir", "up-a"), ("/tmp/../etc", "up-a"), ("/tmp\n", "up-a"), ("/tmp/*", "up-a"),
    ("/tmp", "other"), ("/tmp", "up-a/../../etc/passwd"), ("/tmp", "up-\0"), ("/tmp", "up-*"), ("/tmp", "up-\n")])
def test_remove_files_refuses_what_is_not_an_own_upload(directory, name):
    irs = FakeIris()
    with pytest.raises(IrisModuleError, match="Refusing to remove"):
        _copy.remove_files(NativeInstance(irs), directory, ["up-ok", name], "up-")
    assert irs.calls == []  # refused before anything was removed


def test_real_client_remove_files(served_iris, tmp_path):
    """%File.Exists/Delete through the real client against the simulator."""
    instance = NativeInstance(_GuardedIris(served_iris))
    tmp_path = tmp_path / "up"
    tmp_path.mkdir()
    (tmp_path / "up-a").write_bytes(b"a")
    (tmp_path / "keep").write_bytes(b"k")
    assert _copy.remove_files(instance, str(tmp_path), ["up-a", "up-b"], "up-") == []
    assert os.listdir(str(tmp_path)) == ["keep"]
