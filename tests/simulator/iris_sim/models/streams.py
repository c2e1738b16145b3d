# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``%Stream.FileBinary`` on the container's file system and ``%SYSTEM.Encryption.SHAHashStream`` (DESIGN.md
Contract "nfiles"; iris-sources.md SFILEBIN, SYSENC, VSTREAM, IRISREF24).

Only the part of the class a file copy over the Native API needs is modelled, each piece from a source:

* ``%New()`` (no argument), ``LinkToFile(name)`` → %Status: an empty name and a missing directory of a file that
  does not exist are error statuses; linking to a missing file is allowed, the stream is then empty (AtEnd 1, Size 0)
  (VSTREAM; IRISREF24: the LinkToFile doc allows a file that does not exist yet, %IsNull until written);
* ``Write(data)`` → %Status: the stream linked to a file that did not exist writes into that file (VSTREAM: the
  temp file name is the linked name then); ``%Save()`` → %Status ends the write (VSTREAM: without it, closing the
  object deletes what was written - not modelled: the simulator keeps the file, which only makes it stricter for
  a caller that must delete its own temp file);
* ``Read(len=32000)``: at most ``len`` bytes (capped at the string limit), ``""`` at the end; ``AtEnd`` turns 1
  when the last byte was read; a Read after a Write rewinds first; ``Rewind()``; ``Size`` (VSTREAM; IRISREF24: the
  default len 32000 of FileBinary.Read, %Stream.Object.Read ends a Write and rewinds);
* ``$SYSTEM.Encryption.SHAHashStream(bits, stream)``: rewinds the stream, hashes it to its end, returns the digest
  one byte per character; bits 160, 224, 256, 384, 512 (VSTREAM, SYSENC; IRISREF24 states the bit lengths and the
  one-byte-per-character result, not the rewind).

Loud (``<FUNCTION> simulator: ... not modelled``), because no source we have says what IRIS does: a Write to a
stream that is not linked or linked to a file that already existed (IRIS then writes a temp file of its own
choosing), a Write of characters above 255 into a binary stream, ``%New`` with a location argument, a ``Read`` of
a non-positive length, any other bit length.  The data of a binary stream are bytes: one character 0-255 each.
"""

from __future__ import annotations

import hashlib
import os

from iris_sim import values
from iris_sim.errors import IrisError, status_error, status_ok
from iris_sim.objects import Prop, SimClass, class_method, method, register

STRING_LIMIT = 3_641_144  # VSTREAM: Read caps len at the local string limit (GORIENT_APPX_LIMITS: 3,641,144 characters)
DEFAULT_READ = 32000      # VSTREAM, SFILEBIN: Read's default length (the class example reads 32,000 per call)
_HASHES = {160: "sha1", 224: "sha224", 256: "sha256", 384: "sha384", 512: "sha512"}  # VSTREAM: the legal bit lengths

# Modes of the stream (our names for the states VSTREAM's class keeps).
NONE, NODATA, READ, WRITE, SAVED = "unlinked", "nodata", "read", "write", "saved"


def _unmodelled(what: str) -> IrisError:
    return IrisError("FUNCTION", "simulator: %s is not modelled (no source says what IRIS does)" % what)


def _size(obj) -> int:
    path = obj.state.get("path")
    if obj.state.get("mode", NONE) in (NONE, NODATA) or not path:
        return 0
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


@register
class FileBinary(SimClass):
    """``%Stream.FileBinary``: a binary stream kept in a file (SFILEBIN)."""

    name = "%Stream.FileBinary"
    source = "iris-sources.md SFILEBIN, VSTREAM"
    properties = {
        "AtEnd": Prop(1, source="VSTREAM", compute=lambda obj: 1 if obj.state.get("at_end", True) else 0),
        "Size": Prop(0, source="VSTREAM (SizeGet: the file's size)", compute=_size),
        "Filename": Prop("", source="VSTREAM (the linked file)", compute=lambda obj: obj.state.get("path") or ""),
    }

    @staticmethod
    def on_new(obj, proc, *args):  # pylint: disable=unused-argument
        """``%New()``: unlinked (VSTREAM: it would write to a temp file in the namespace's temp directory)."""
        if args and args[0] not in (None, ""):
            raise _unmodelled("%Stream.FileBinary.%New with a location argument")
        obj.state.update(mode=NONE, path=None, pos=0, at_end=True)
        return None

    @method("LinkToFile", source="SFILEBIN, VSTREAM")
    def link_to_file(self, proc, filename=None):  # pylint: disable=unused-argument
        """→ %Status.  VSTREAM: "" → error; a missing file in a missing directory → error; else linked."""
        name = values.from_units(values.to_str(filename if filename is not None else ""))
        if name == "":
            return status_error(5001, "simulator: LinkToFile: the file name is empty")  # VSTREAM FileNameInvalid [inf text]
        path = os.path.abspath(name)
        if os.path.isdir(path):
            raise _unmodelled("LinkToFile on a directory")
        exists = os.path.isfile(path)
        if not exists and not os.path.isdir(os.path.dirname(path)):
            # VSTREAM DirectoryNameInvalid; the code and text are ours [inf]
            return status_error(5001, "simulator: LinkToFile: directory %s does not exist" % os.path.dirname(path))
        self.state.update(path=path, pos=0)
        if exists:
            self.state.update(mode=READ, at_end=os.path.getsize(path) == 0)
        else:
            self.state.update(mode=NODATA, at_end=True)
        return status_ok()

    @method("Write", source="SFILEBIN, VSTREAM")
    def write(self, proc, data=""):  # pylint: disable=unused-argument
        """→ %Status: append ``data`` (bytes as characters 0-255) to the linked file that did not exist."""
        text = values.to_str(data if data is not None else "")
        mode = self.state.get("mode", NONE)
        if mode == NONE:
            raise _unmodelled("Write to a %Stream.FileBinary that is not linked to a file")
        if mode == READ:
            raise _unmodelled("Write to a stream linked to a file that already existed (IRIS writes a temp file then)")
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            raise _unmodelled("Write of characters above $CHAR(255) to a binary stream") from None
        if mode == SAVED:
            raise _unmodelled("Write after %Save (IRIS copies the file to append)")
        with open(self.state["path"], "ab" if mode == WRITE else "wb") as handle:
            handle.write(raw)
        self.state.update(mode=WRITE, at_end=False)  # VSTREAM: a write is never at the end
        return status_ok()

    @method("%Save", source="SFILEBIN, VSTREAM")
    def save(self, proc):  # pylint: disable=unused-argument
        """→ %Status; ends a write (VSTREAM: the linked file keeps its name)."""
        if self.state.get("mode") == WRITE:
            self.state.update(mode=SAVED)
        return status_ok()

    @method("Rewind", source="VSTREAM")
    def rewind(self, proc):  # pylint: disable=unused-argument
        """→ %Status; back to the first byte (AtEnd 1 only for a stream without data)."""
        mode = self.state.get("mode", NONE)
        if mode == WRITE:
            self.state["mode"] = SAVED  # VSTREAM: Rewind ends the write mode
        self.state.update(pos=0, at_end=mode in (NONE, NODATA))
        return status_ok()

    @method("Read", source="SFILEBIN, VSTREAM")
    def read(self, proc, length=None, sc=None):  # pylint: disable=unused-argument
        """At most ``length`` bytes (default 32000, capped at the string limit); "" at the end (AtEnd 1)."""
        count = DEFAULT_READ if length in (None, "") else values.to_int(length)
        if count <= 0:
            raise _unmodelled("Read with a length of %s" % count)
        count = min(count, STRING_LIMIT)
        if self.state.get("mode") == WRITE:
            self.rewind(proc)  # VSTREAM: a Read in write mode rewinds first
        mode = self.state.get("mode", NONE)
        if mode in (NONE, NODATA) or self.state.get("at_end") and self.state.get("pos", 0) >= _size(self):
            self.state["at_end"] = True
            return ""
        path, pos = self.state["path"], self.state.get("pos", 0)
        try:
            with open(path, "rb") as handle:
                handle.seek(pos)
                raw = handle.read(count)
                size = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            raise _unmodelled("Read of a file that cannot be opened (%s)" % exc.strerror) from None
        pos += len(raw)
        self.state.update(pos=pos, at_end=pos >= size)
        return raw.decode("latin-1")


@register
class Encryption(SimClass):
    """``%SYSTEM.Encryption``: SHAHashStream only (SYSENC, VSTREAM)."""

    name = "%SYSTEM.Encryption"
    source = "iris-sources.md SYSENC, VSTREAM"
    instantiable = False

    @class_method("SHAHashStream", source="SYSENC, VSTREAM")
    def sha_hash_stream(cls, proc, bits=None, stream=None, sc=None):  # pylint: disable=unused-argument
        """The digest of the whole stream, one byte per character; the stream is rewound first and read to its end."""
        bitlength = values.to_int(bits if bits is not None else "")
        if bitlength not in _HASHES:
            raise _unmodelled("SHAHashStream with bit length %r (legal: 160, 224, 256, 384, 512)" % bits)
        if not hasattr(stream, "cls") or not issubclass(stream.cls, FileBinary):
            raise _unmodelled("SHAHashStream of something other than a %Stream.FileBinary")
        digest = hashlib.new(_HASHES[bitlength])
        stream.cls.rewind(stream, proc)
        while True:
            chunk = stream.cls.read(stream, proc, DEFAULT_READ)
            if chunk == "":
                break
            digest.update(chunk.encode("latin-1"))
        return digest.digest().decode("latin-1")
