# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Superserver framing and $LIST codec (iris-sources.md WIRE §1, §2, §3) and what a raw client gets for messages
the simulator does not model (refused loudly and logged, never a hang)."""

from __future__ import annotations

import socket
import struct
from decimal import Decimal

import pytest

from iris_sim.superserver import wire

from superserver_support import PASSWORD, fixture_served  # noqa: F401  pylint: disable=unused-import


@pytest.mark.parametrize("value, data", [
    (None, "0201"),
    ("", "030100"),
    (0, "0204"),
    (1, "030401"),
    (-1, "0305ff"),
    (Decimal("1.5"), "0406ff0f"),
    ("LATIN1", "08014c4154494e31"),
    (1.5, "0a08000000000000f83f"),
    (wire.Oref("1@%Library.DynamicObject"), "1a19" + b"1@%Library.DynamicObject".hex()),
    ("\u4e16", "0402164e"),
])
def test_items_as_the_protocol_note_gives_them(value, data):
    """WIRE §2 byte layouts; decoding gives the value back."""
    assert wire.encode(value).hex() == data
    decoded, end = wire.decode_item(bytes.fromhex(data), 0)
    assert end == len(data) // 2 and decoded == value and type(decoded) is type(value)


@pytest.mark.parametrize("size", [300, 70000, 3_000_000])
def test_medium_and_long_items(size):
    text = "x" * size
    data = wire.encode(text)
    assert data[0] == 0 and (data[1:3] != b"\0\0") == (size + 1 <= 0xFFFF)
    assert wire.decode_item(data, 0) == (text, len(data))


def test_undefined_item_and_byref():
    assert isinstance(wire.decode_item(b"\x01", 0)[0], wire.Undefined)
    assert isinstance(wire.decode_item(b"\x03\x24\x07", 0)[0], wire.ByRefItem)  # type 4 + 32 (WIRE §2)
    with pytest.raises(wire.WireError):
        wire.decode_item(b"\x03\x63\x00", 0)
    with pytest.raises(wire.WireError):
        wire.decode_item(b"\x09\x01ab", 0)


def test_login_obfuscation_round_trip():
    for text in ("_SYSTEM", PASSWORD, "", "ä-long-" * 20):
        assert wire.deobfuscate(wire.obfuscate(text).decode("latin-1")) == text


class RawClient:
    """Just enough of the protocol to send what the real client never sends."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.msg_id = 1

    def send(self, code: bytes, payload: bytes = b"", stmt_id: int = 0):
        self.sock.sendall(wire.frame(self.msg_id, stmt_id, code, payload))
        self.msg_id += 2

    def reply(self):
        return wire.read_message(self.sock)

    def login(self, user="_SYSTEM", password=PASSWORD):
        self.send(b"HS", struct.pack("<H", 69))
        dummy, dummy2, status, body = self.reply()
        assert status == b"\0\0" and struct.unpack_from("<HH", body) == (69, 1)
        self.send(b"CN", wire.encode_list(["USER", wire.obfuscate(user), wire.obfuscate(password)]))
        return self.reply()


def test_unknown_message_code_is_refused_and_logged(served):
    client = RawClient(served.port)
    assert client.login()[2] == b"\0\0"
    client.send(b"ZZ", b"", stmt_id=3)
    msg_id, stmt_id, status, body = client.reply()
    assert (msg_id, stmt_id) == (5, 3)
    assert status == struct.pack("<H", 0xCA01)
    assert wire.Reader(body).item() == "<FUNCTION> simulator: superserver message 'ZZ' is not modelled"
    assert "refused simulator: superserver message 'ZZ' is not modelled" in served.messages_log()
    client.send(struct.pack("<H", 0xC240 + 99))  # a Native API number nobody models
    assert "Native API function 99" in wire.Reader(client.reply()[3]).item()


def test_messages_before_login_close_the_connection(served):
    client = RawClient(served.port)
    client.send(b"PP", wire.encode_list([1, "SELECT 1", 0]))
    with pytest.raises(EOFError):
        client.reply()
    assert served.wait_log("refused b'PP' before login")


def test_refused_login_status(served):
    dummy, dummy2, status, body = RawClient(served.port).login(password="nope")
    assert struct.unpack("<H", status)[0] == 417 and wire.Reader(body).item() == "Access Denied"
