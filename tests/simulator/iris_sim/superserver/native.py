# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Native API messages (``iris.createIRIS(conn)``) on the simulator's object model and globals (iris-sources.md WIRE §5).

Function code = 0xC240 + n; reply status = 0xCA00 + error (0 = success); any error status makes the client raise
``RuntimeError(<first item>)``; global get answers error 1009 for an undefined node (the client returns ``None``).
"""

from __future__ import annotations

import struct

from iris_sim import objects, values
from iris_sim.errors import IrisError, SessionEnd
from iris_sim.superserver import wire

BASE = 0xC240
OK = struct.pack("<H", 0xCA00)
UNDEFINED_NODE = 1009           # WIRE §5: global get of an undefined node
GENERIC_ERROR = 1               # WIRE §5: the PoC's error number for a class-method error [guess → inf]

CLASS_METHOD_VALUE, CLASS_METHOD_VOID = 11, 12
INVOKE, INVOKE_VOID, PROPERTY_GET, PROPERTY_SET = 27, 28, 29, 30
GLOBAL_GET, GLOBAL_SET, GLOBAL_KILL, GLOBAL_DATA = 1, 2, 3, 9
GATEWAY = "%Net.Remote.Gateway"  # WIRE §5: closed proxies are released through %ReleaseObjects


def is_native(code: bytes) -> bool:
    value = struct.unpack("<H", code)[0]
    return BASE <= value < BASE + 0xBF


def error_status(err: int) -> bytes:
    return struct.pack("<H", (0xCA00 + err) & 0xFFFF)


class NativeError(Exception):
    """An error reply: ``text`` is what the client raises."""

    def __init__(self, text: str, err: int = GENERIC_ERROR):
        super().__init__(text)
        self.text = text
        self.err = err


def _arg(value):
    """A wire item as an ObjectScript value (Contract 1 argument)."""
    if isinstance(value, wire.ByRefItem):
        raise NativeError("<PARAMETER> simulator: by-reference arguments (IRISReference) are not modelled")
    if isinstance(value, wire.Undefined):
        return None
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, float):
        return values.normalise(value) if hasattr(values, "normalise") else value
    if not isinstance(value, (str, int)):
        return values.to_str(str(value))  # Decimal → its canonical text [inf]
    return value


class NativeState:
    """Per-connection state: the oref table (WIRE §5: ``"N@Class"`` out, ``Oref('N')`` back)."""

    def __init__(self, session):
        self.session = session
        self.orefs: dict[str, objects.SimObject] = {}
        self.next_oref = 1

    # -- values -----------------------------------------------------------------------------------
    def out(self, value):
        if isinstance(value, objects.SimObject):
            for key, obj in self.orefs.items():
                if obj is value:
                    break
            else:
                key = str(self.next_oref)
                self.next_oref += 1
                self.orefs[key] = value
            return wire.Oref("%s@%s" % (key, value.cls.name))
        if value is None:
            return ""   # a method returning nothing gives "" (Contract 1)
        if isinstance(value, (int, float, str)):
            return value
        return values.to_str(value)

    def arg(self, value):
        if isinstance(value, wire.Oref):
            return self.obj(value)
        return _arg(value)

    def obj(self, oref):
        key = str(oref).split("@", 1)[0]
        obj = self.orefs.get(key)
        if obj is None:
            raise NativeError("<INVALID OREF> simulator: object %s is not open on this connection" % key)
        return obj

    # -- dispatch ---------------------------------------------------------------------------------
    def handle(self, msg_id, stmt_id, code: bytes, payload: bytes) -> None:
        n = struct.unpack("<H", code)[0] - BASE
        reader = wire.Reader(payload)
        try:
            handler = {CLASS_METHOD_VALUE: self.class_method, CLASS_METHOD_VOID: self.class_method,
                       INVOKE: self.invoke, INVOKE_VOID: self.invoke, PROPERTY_GET: self.property_get,
                       PROPERTY_SET: self.property_set,
                       GLOBAL_GET: self.global_get, GLOBAL_SET: self.global_set, GLOBAL_KILL: self.global_kill,
                       GLOBAL_DATA: self.global_data}.get(n)
            if handler is None:
                raise NativeError("<FUNCTION> simulator: Native API function %d (code 0x%04X) is not modelled"
                                  % (n, BASE + n))
            result = handler(n, reader)
        except NativeError as exc:
            level = 1 if exc.err == UNDEFINED_NODE else 2
            self.session.log("Native API function %d: %s" % (n, exc.text), level)
            self.session.send(msg_id, stmt_id, error_status(exc.err), wire.encode(exc.text))
            return
        except IrisError as exc:
            self.session.log("Native API function %d: %s" % (n, exc), 1)
            self.session.send(msg_id, stmt_id, error_status(GENERIC_ERROR), wire.encode(str(exc)))
            return
        except SessionEnd:
            # HALT in the connection's server process: what IRIS does then (end the job, the client sees a closed
            # connection?) is in no source we have, so it is refused loudly and the process goes on serving.
            text = "<HALT> simulator: HALT in a superserver process is not modelled (it would end the connection's job)"
            self.session.log("Native API function %d: %s" % (n, text), 2)
            self.session.send(msg_id, stmt_id, error_status(GENERIC_ERROR), wire.encode(text))
            return
        body = b"" if n in (CLASS_METHOD_VOID, INVOKE_VOID, PROPERTY_SET, GLOBAL_SET, GLOBAL_KILL) else wire.encode(result)
        self.session.send(msg_id, stmt_id, OK, body)

    def _process(self, inst):
        """The connection's one server process, shared with its SQL (sqlmsg.SqlState.process) [inf: WIRE §3.2 gives one
        server job id per login]: public variables a call leaves behind are there for the next call on the same
        connection (a runner that forgets to clean up must be seen failing here), never on another one."""
        return self.session.sql.process(inst)

    def _call_args(self, reader) -> list:
        argc = reader.int()
        return [self.arg(v) for v in reader.items(argc)]

    def class_method(self, n, reader):
        class_name, method = str(reader.item()), str(reader.item())
        args = self._call_args(reader)
        if class_name == GATEWAY and method == "%ReleaseObjects":
            # WIRE §5: a comma list of handles; the reply echoes a comma list of integers.
            keys = [k for k in str(args[0] if args else "").split(",") if k.strip()]
            for key in keys:
                self.orefs.pop(key.strip(), None)
            self.session.log("released objects %s (%s)" % (",".join(k.strip() for k in keys), GATEWAY), 0)
            return ",".join(k.strip() for k in keys) or "0"
        with self.session.locked() as inst:
            result = objects.call_class_method(self._process(inst), class_name, method, args)
        return None if n == CLASS_METHOD_VOID else self.out(result)

    def invoke(self, n, reader):
        obj = self.obj(reader.item())
        method = str(reader.item())
        args = self._call_args(reader)
        with self.session.locked() as inst:
            result = objects.call_method(self._process(inst), obj, method, args)
        return None if n == INVOKE_VOID else self.out(result)

    def property_get(self, n, reader):  # pylint: disable=unused-argument
        obj = self.obj(reader.item())
        prop = str(reader.item())
        with self.session.locked() as inst:
            return self.out(objects.get_property(self._process(inst), obj, prop))

    def property_set(self, n, reader):  # pylint: disable=unused-argument
        """n 30: oref, property, value.  WIRE §5 lists the call as not exercised; this layout is [inf] (the same
        order as property get plus the value), accepted by the 5.4.1 client in this simulator's tests."""
        obj = self.obj(reader.item())
        prop = str(reader.item())
        value = self.arg(reader.item())
        if not reader.at_end():
            raise NativeError("<FUNCTION> simulator: property set with more than one value is not modelled")
        with self.session.locked() as inst:
            objects.set_property(self._process(inst), obj, prop, value)

    # -- globals (WIRE §5: name as the caller wrote it, nsubs, subs...) ------------------------------
    def _node(self, reader):
        name = str(reader.item())
        nsubs = reader.int()
        subs = [_arg(s) for s in reader.items(nsubs)]
        bare = name[1:] if name.startswith("^") else name
        if not bare or "(" in bare:
            raise NativeError("<SYNTAX> simulator: global name %r" % name)
        return bare, subs

    def global_get(self, n, reader):  # pylint: disable=unused-argument
        name, subs = self._node(reader)
        with self.session.locked() as inst:
            value = inst.global_store(self.session.namespace).get(name, subs)
        if value is None:
            raise NativeError("<UNDEFINED> ^%s" % name, UNDEFINED_NODE)
        return self.out(value)

    def global_set(self, n, reader):  # pylint: disable=unused-argument
        name = str(reader.item())
        nsubs = reader.int()
        subs = [_arg(s) for s in reader.items(nsubs)]
        value = _arg(reader.item())
        bare = name[1:] if name.startswith("^") else name
        with self.session.locked() as inst:
            inst.global_store(self.session.namespace).set(bare, subs, value)

    def global_kill(self, n, reader):  # pylint: disable=unused-argument
        name, subs = self._node(reader)
        with self.session.locked() as inst:
            inst.global_store(self.session.namespace).kill(name, subs)

    def global_data(self, n, reader):  # pylint: disable=unused-argument
        name, subs = self._node(reader)
        with self.session.locked() as inst:
            return inst.global_store(self.session.namespace).data(name, subs)
