# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Superserver framing and the $LIST value codec (iris-sources.md WIRE §1, §2, §3.2).

All layouts here are confirmed against the client 5.4.1 only, not against a real IRIS (iris-sources.md WIRE).
"""

from __future__ import annotations

import decimal
import struct

HEADER = struct.Struct("<III2s")  # WIRE §1: payload length, message id, statement id, function code / status
MAX_PAYLOAD = 64 * 1024 * 1024     # [inf] our own bound: a 3 MB message is confirmed (WIRE §1), larger ones refused


class WireError(Exception):
    """A message the server cannot decode (the connection is closed after a log line)."""


class Undefined:  # pylint: disable=too-few-public-methods
    """The ``01`` item: an argument the client did not bind (WIRE §2)."""

    def __repr__(self):
        return "UNDEFINED"


UNDEFINED = Undefined()


class Oref(str):
    """An object reference item (type 25/26, WIRE §2): the text the client sends (``"N"``) or we send."""


class ByRefItem:  # pylint: disable=too-few-public-methods
    """A by-reference argument (type + 32, WIRE §2); not modelled, refused by the callers."""

    def __init__(self, value):
        self.value = value


def recv_exact(sock, count: int) -> bytes:
    data = bytearray()
    while len(data) < count:
        chunk = sock.recv(min(count - len(data), 1 << 20))
        if not chunk:
            raise EOFError("connection closed by the client")
        data += chunk
    return bytes(data)


def read_message(sock):
    """``(msg_id, stmt_id, code, payload)``; ``code`` is the raw 2 bytes (WIRE §1)."""
    length, msg_id, stmt_id, code = HEADER.unpack(recv_exact(sock, HEADER.size))
    if length > MAX_PAYLOAD:
        raise WireError("payload of %d bytes exceeds the simulator's bound of %d" % (length, MAX_PAYLOAD))
    return msg_id, stmt_id, code, recv_exact(sock, length) if length else b""


def frame(msg_id: int, stmt_id: int, status: bytes, payload: bytes = b"") -> bytes:
    """A reply repeats the request's message and statement ids (WIRE §1)."""
    return HEADER.pack(len(payload), msg_id, stmt_id, status) + payload


# -- $LIST items (WIRE §2) ------------------------------------------------------------------------------

def _item(type_byte: int, data: bytes) -> bytes:
    size = len(data) + 2
    if size <= 255:
        return bytes((size, type_byte)) + data
    if len(data) + 1 <= 0xFFFF:
        return b"\x00" + struct.pack("<H", len(data) + 1) + bytes((type_byte,)) + data
    return b"\x00\x00\x00" + struct.pack("<I", len(data) + 1) + bytes((type_byte,)) + data


def _int_bytes(value: int) -> bytes:
    if value >= 0:
        return value.to_bytes((value.bit_length() + 7) // 8, "little")
    size = 1
    while not -(1 << (8 * size - 1)) <= value:
        size += 1
    return value.to_bytes(size, "little", signed=True)


def encode(value) -> bytes:
    """One item: ``None`` → null, ``""`` → empty string, ``int``, ``float``, ``str``, ``Oref``, ``bytes``."""
    if value is None:
        return b"\x02\x01"
    if isinstance(value, Undefined):
        return b"\x01"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, Oref):
        try:
            return _item(25, value.encode("ascii"))
        except UnicodeEncodeError:
            return _item(26, value.encode("utf-16-le"))
    if isinstance(value, int):
        return _item(4 if value >= 0 else 5, _int_bytes(value))
    if isinstance(value, float):
        return _item(8, struct.pack("<d", value))
    if isinstance(value, decimal.Decimal):
        # WIRE §2: scale byte + mantissa; 06 for a positive mantissa, 07 for a negative one [inf].
        sign, digits, exponent = value.normalize().as_tuple() if value else (0, (0,), 0)
        mantissa = int("".join(map(str, digits))) * (-1 if sign else 1)
        if not -128 <= exponent <= 127:
            return encode(str(value))
        return _item(7 if mantissa < 0 else 6, struct.pack("<b", exponent) + _int_bytes(mantissa))
    if isinstance(value, bytes):
        return b"\x03\x01\x00" if not value else _item(1, value)
    text = str(value)
    if text == "":
        return b"\x03\x01\x00"
    try:
        return _item(1, text.encode("latin-1"))
    except UnicodeEncodeError:
        return _item(2, text.encode("utf-16-le"))


def encode_list(values) -> bytes:
    return b"".join(encode(v) for v in values)


def _decode_data(type_byte: int, data: bytes):
    byref = type_byte >= 32 and type_byte not in (25, 26)
    kind = type_byte - 32 if byref else type_byte
    if kind == 1:
        value = data.decode("latin-1")
    elif kind == 2:
        value = data.decode("utf-16-le")
    elif kind == 4:
        value = int.from_bytes(data, "little")
    elif kind == 5:
        value = int.from_bytes(data, "little", signed=True) if data else -1  # [inf] empty negative
    elif kind in (6, 7):
        # WIRE §2: a signed scale byte then the mantissa (06 = positive, 07 = negative [inf]).
        scale = struct.unpack("<b", data[:1])[0] if data else 0
        mantissa = int.from_bytes(data[1:], "little", signed=kind == 7)
        value = decimal.Decimal(mantissa).scaleb(scale)
    elif kind == 8:
        value = struct.unpack("<d", data)[0] if len(data) == 8 else 0.0
    elif kind in (25, 26):
        value = Oref(data.decode("ascii" if kind == 25 else "utf-16-le"))
    else:
        raise WireError("$LIST item type %d is not modelled by the simulator" % type_byte)
    return ByRefItem(value) if byref else value


def decode_item(buf: bytes, pos: int):
    """``(value, next_pos)`` for the item at ``pos``."""
    if pos >= len(buf):
        raise WireError("$LIST ends early at byte %d" % pos)
    size = buf[pos]
    if size == 0:
        medium = struct.unpack_from("<H", buf, pos + 1)[0]
        if medium:
            start, end = pos + 4, pos + 3 + medium
        else:
            long_ = struct.unpack_from("<I", buf, pos + 3)[0]
            start, end = pos + 8, pos + 7 + long_
        type_byte = buf[start - 1]
    elif size == 1:
        return UNDEFINED, pos + 1
    else:
        type_byte, start, end = buf[pos + 1], pos + 2, pos + size
    if end > len(buf):
        raise WireError("$LIST item at byte %d runs past the payload" % pos)
    data = buf[start:end]
    if type_byte == 1 and not data:
        return None, end      # 02 01 = null (WIRE §2)
    if type_byte == 1 and data == b"\x00" and size == 3:
        return "", end        # 03 01 00 = "" (WIRE §2)
    return _decode_data(type_byte, data), end


class Reader:
    """Sequential reader of a payload's items and raw fields."""

    def __init__(self, payload: bytes, pos: int = 0):
        self.buf = payload
        self.pos = pos

    def item(self):
        value, self.pos = decode_item(self.buf, self.pos)
        return value

    def items(self, count: int) -> list:
        return [self.item() for dummy in range(count)]

    def int(self) -> int:
        value = self.item()
        if value is None or value == "":
            return 0
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError as exc:
                raise WireError("expected an integer item, got %r" % value) from exc
        return int(value)

    def u16(self) -> int:
        value = struct.unpack_from("<H", self.buf, self.pos)[0]
        self.pos += 2
        return value

    def rest(self) -> list:
        out = []
        while self.pos < len(self.buf):
            out.append(self.item())
        return out

    def at_end(self) -> bool:
        return self.pos >= len(self.buf)


# -- login obfuscation (WIRE §3.2) -------------------------------------------------------------------

def _rot(byte: int, left: int) -> int:
    return ((byte << left) | (byte >> (8 - left))) & 0xFF


def obfuscate(text: str) -> bytes:
    """WIRE §3.2: per character XOR 0xA7, add the position, rotate left 5 bits, in reverse order.  The
    position counts in the stored (reversed) order: checked against what the 5.4.1 client sends."""
    return bytes(_rot(((b ^ 0xA7) + i) & 0xFF, 5) for i, b in enumerate(text.encode("latin-1")[::-1]))


def deobfuscate(data) -> str:
    """Inverse of :func:`obfuscate`; ``data`` as the item arrived (a latin-1 str or bytes)."""
    if data is None:
        return ""
    raw = data.encode("latin-1") if isinstance(data, str) else bytes(data)
    return bytes(((_rot(b, 3) - i) & 0xFF) ^ 0xA7 for i, b in enumerate(raw))[::-1].decode("latin-1")
