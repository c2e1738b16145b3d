# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""%Stream.FileBinary, $SYSTEM.Encryption.SHAHashStream and %File.Rename (DESIGN.md Contract "nfiles"), from
ObjectScript and through the Native API of the real client 5.4.1 (iris-sources.md SFILEBIN, SYSENC, VSTREAM, WIRE §5)."""

from __future__ import annotations

import hashlib
import os

import pytest

from superserver_support import fixture_served, guarded  # noqa: F401  pylint: disable=unused-import


@pytest.fixture(name="irs")
def fixture_irs(served):
    import iris  # pylint: disable=import-outside-toplevel
    conn = served.connect()
    yield guarded(iris.createIRIS, conn)
    guarded(conn.close)


def _stream(irs, path):
    stream = guarded(irs.classMethodObject, "%Stream.FileBinary", "%New")
    assert guarded(stream.invoke, "LinkToFile", str(path)) == 1
    return stream


def test_write_save_hash_and_read_back_over_native(irs, tmp_path):
    data = bytes(range(256)) * 5000  # every byte value, 1.28 MB: more than one 1 MiB chunk
    path = tmp_path / "out.bin"
    stream = _stream(irs, path)
    assert guarded(stream.get, "AtEnd") == 1 and guarded(stream.get, "Size") == 0  # VSTREAM: linked, not yet there
    assert guarded(stream.invoke, "Write", data[:1 << 20]) == 1
    assert guarded(stream.invoke, "Write", data[1 << 20:]) == 1
    assert guarded(stream.invoke, "%Save") == 1
    assert path.read_bytes() == data
    assert guarded(stream.get, "Size") == len(data)
    digest = guarded(irs.classMethodBytes, "%SYSTEM.Encryption", "SHAHashStream", 256, stream)
    assert digest == hashlib.sha256(data).digest()
    # SHAHashStream read the stream to its end; Rewind and Read it again in pieces.
    assert guarded(stream.invoke, "Rewind") == 1 and guarded(stream.get, "AtEnd") == 0
    first = guarded(stream.invokeBytes, "Read", 1 << 20)
    assert len(first) == 1 << 20 and guarded(stream.get, "AtEnd") == 0
    rest = guarded(stream.invokeBytes, "Read", 1 << 20)
    assert first + rest == data and guarded(stream.get, "AtEnd") == 1


@pytest.mark.parametrize("bits,name", [(160, "sha1"), (224, "sha224"), (384, "sha384"), (512, "sha512")])
def test_sha_hash_stream_other_sourced_lengths(irs, tmp_path, bits, name):
    (tmp_path / "f").write_bytes(b"abc")
    stream = _stream(irs, tmp_path / "f")
    assert guarded(irs.classMethodBytes, "%SYSTEM.Encryption", "SHAHashStream", bits, stream) == hashlib.new(name, b"abc").digest()


def test_link_errors_are_statuses(irs, tmp_path):
    stream = guarded(irs.classMethodObject, "%Stream.FileBinary", "%New")
    for name in ("", str(tmp_path / "no" / "such" / "f")):
        status = guarded(stream.invoke, "LinkToFile", name)
        assert status != 1
        assert "simulator: LinkToFile" in guarded(irs.classMethodValue, "%SYSTEM.Status", "GetErrorText", status)


def test_read_of_an_existing_file_and_an_empty_one(irs, tmp_path):
    (tmp_path / "f").write_bytes(b"0123456789")
    stream = _stream(irs, tmp_path / "f")
    assert guarded(stream.get, "Size") == 10 and guarded(stream.get, "AtEnd") == 0
    assert guarded(stream.invokeBytes, "Read", 4) == b"0123"
    assert guarded(stream.invokeBytes, "Read", 100) == b"456789"
    assert guarded(stream.get, "AtEnd") == 1
    (tmp_path / "empty").write_bytes(b"")
    empty = _stream(irs, tmp_path / "empty")
    assert guarded(empty.get, "AtEnd") == 1 and guarded(empty.get, "Size") == 0
    # WIRE §2: "" travels as 03 01 00, which the 5.4.1 client's invokeBytes returns as one NUL byte: a reader must
    # count on Size, never on an empty chunk.
    assert guarded(empty.invokeBytes, "Read", 10) == b"\x00"


def test_file_rename_delete_exists_over_native(irs, tmp_path):
    (tmp_path / "a").write_bytes(b"x")
    target = tmp_path / "b \u00e9\u4e16"  # UTF-16 on the wire (WIRE §2)
    assert guarded(irs.classMethodValue, "%Library.File", "Rename", str(tmp_path / "a"), str(target)) == 1
    assert target.read_bytes() == b"x" and not (tmp_path / "a").exists()
    assert guarded(irs.classMethodValue, "%Library.File", "Rename", str(tmp_path / "a"), str(tmp_path / "c")) == 0
    assert guarded(irs.classMethodValue, "%Library.File", "Exists", str(target)) == 1
    assert guarded(irs.classMethodValue, "%Library.File", "Delete", str(target)) == 1
    assert guarded(irs.classMethodValue, "%Library.File", "Exists", str(target)) == 0
    assert guarded(irs.classMethodValue, "%Library.File", "Delete", str(target)) == 0


@pytest.mark.parametrize("call", ["rename_onto_existing", "wide_write", "write_unlinked", "write_existing",
                                  "write_after_save", "bits", "read_zero", "new_with_location", "other_method"])
def test_unmodelled_is_refused_loudly(served, irs, tmp_path, call):
    (tmp_path / "old").write_bytes(b"old")
    (tmp_path / "x").write_bytes(b"x")
    with pytest.raises(RuntimeError, match="simulator: .* not modelled|METHOD DOES NOT EXIST"):
        if call == "rename_onto_existing":
            guarded(irs.classMethodValue, "%Library.File", "Rename", str(tmp_path / "x"), str(tmp_path / "old"))
        elif call == "wide_write":
            guarded(_stream(irs, tmp_path / "new").invoke, "Write", "\u4e16")
        elif call == "write_unlinked":
            guarded(guarded(irs.classMethodObject, "%Stream.FileBinary", "%New").invoke, "Write", b"a")
        elif call == "write_existing":
            guarded(_stream(irs, tmp_path / "old").invoke, "Write", b"a")
        elif call == "write_after_save":
            stream = _stream(irs, tmp_path / "new")
            guarded(stream.invoke, "Write", b"a")
            guarded(stream.invoke, "%Save")
            guarded(stream.invoke, "Write", b"b")
        elif call == "bits":
            guarded(irs.classMethodBytes, "%SYSTEM.Encryption", "SHAHashStream", 128, _stream(irs, tmp_path / "x"))
        elif call == "read_zero":
            guarded(_stream(irs, tmp_path / "x").invoke, "Read", 0)
        elif call == "new_with_location":
            guarded(irs.classMethodObject, "%Stream.FileBinary", "%New", str(tmp_path))
        else:
            guarded(_stream(irs, tmp_path / "x").invoke, "CopyFrom", "")
    assert (tmp_path / "old").read_bytes() == b"old" and (tmp_path / "x").read_bytes() == b"x"
    if call != "other_method":
        assert "not modelled" in served.messages_log()


def test_from_objectscript(served, tmp_path):
    path = tmp_path / "os.bin"
    out = served.run("USER",
                     'set s=##class(%Stream.FileBinary).%New()',
                     f'set sc=s.LinkToFile("{path}")',
                     'set sc2=s.Write("abc"_$CHAR(0,255)),sc3=s.%Save()',
                     'set h=$SYSTEM.Encryption.SHAHashStream(256,s)',
                     'do s.Rewind() set r=s.Read(3)',
                     'write sc,sc2,sc3,"|",$LENGTH(h),"|",r,"|",s.AtEnd,"|",s.Size,"|",s.Read(),"|",s.AtEnd')
    assert out == "111|32|abc|0|5|" + "\x00\xff" + "|1"
    assert path.read_bytes() == b"abc\x00\xff"
    assert served.write("USER", f'##class(%File).Rename("{path}","{tmp_path}/os2.bin")') == "1"
    assert os.listdir(tmp_path).count("os2.bin") == 1


def test_rename_fault(served, tmp_path):
    """Fault injection (faults.py) turns a Rename into 0 and changes nothing."""
    import json  # pylint: disable=import-outside-toplevel
    from iris_sim import faults  # pylint: disable=import-outside-toplevel
    with open(faults.faults_path(served.inst), "w", encoding="utf-8") as handle:
        json.dump({"%Library.File.Rename": 1}, handle)
    (tmp_path / "a").write_bytes(b"x")
    assert served.write("USER", f'##class(%File).Rename("{tmp_path}/a","{tmp_path}/b")') == "0"
    assert (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_file_set_query_over_native_and_objectscript(served, irs, tmp_path):
    for name in (".up-b", ".up-a", "keep", ".tmp-c"):
        (tmp_path / name).write_bytes(b"12")
    (tmp_path / ".up-dir").mkdir()
    result = guarded(irs.classMethodObject, "%Library.ResultSet", "%New", "%Library.File:FileSet")
    assert guarded(result.invoke, "Execute", str(tmp_path), ".up-*;.tmp-*") == 1
    rows = []
    while guarded(result.invoke, "Next") == 1:
        rows.append((guarded(result.invoke, "Get", "ItemName"), guarded(result.invoke, "Get", "Type"),
                     guarded(result.invoke, "Get", "Name")))
    assert rows == [(".tmp-c", "F", str(tmp_path / ".tmp-c")), (".up-a", "F", str(tmp_path / ".up-a")),
                    (".up-b", "F", str(tmp_path / ".up-b")), (".up-dir", "D", str(tmp_path / ".up-dir"))]
    out = served.run("USER", 'set rs=##class(%ResultSet).%New("%File:FileSet")',
                     f'set sc=rs.Execute("{tmp_path}","k*") while rs.Next() {{ write rs.Get("ItemName"),"=",rs.Get("Size") }}')
    assert out == "keep=2"
    missing = guarded(irs.classMethodObject, "%Library.ResultSet", "%New", "%Library.File:FileSet")
    assert guarded(missing.invoke, "Execute", str(tmp_path / "nope"), "*") != 1
    with pytest.raises(RuntimeError, match="not modelled"):
        guarded(missing.invoke, "Execute", str(tmp_path), "*", "Size")
