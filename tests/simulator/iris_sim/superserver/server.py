# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The superserver listener: one thread per connection, session (HS/CN/DC) and dispatch (iris-sources.md WIRE).

Everything the session does not model gets a loud error reply (the client raises) and a log line; it never
answers with success and never leaves the client waiting for a reply (iris-sources.md WIRE §7).
"""

from __future__ import annotations

import os
import socket
import socketserver
import ssl
import struct
import threading
import traceback

from iris_sim.superserver import native, sqlmsg, wire

PROTOCOL = 69             # WIRE §3.1: the 5.4.1 client sends 69; the reply repeats it
FEATURES = 1              # WIRE §3.1: bit 0 = Unicode server; compact double (bit 1) is not offered
LOCALE = "LATIN1"         # WIRE §3.1: the locale the client accepted [guess → inf]
LOGIN_REFUSED = 417       # WIRE §3.2: any non-zero status refuses; 417 is the PoC's choice [inf]
NO_REPLY = {b"AF", b"AN", b"RC", b"RU", b"CC", b"CS", b"DC"}  # WIRE §1: requests the client expects no reply to


class LoginRefused(Exception):
    """A refused ``CN``: the text goes to the client (WIRE §3.2)."""


class Session:  # pylint: disable=too-many-instance-attributes
    """One client connection."""

    def __init__(self, sock, server: "Superserver", peer):
        self.sock = sock
        self.server = server
        self.peer = peer
        self.inst = server.instance_factory()
        self.namespace = ""
        self.username = ""
        self.logged_in = False
        self.autocommit = True
        self.sql = sqlmsg.SqlState(self)
        self.native = native.NativeState(self)

    # -- plumbing ---------------------------------------------------------------------------------
    def log(self, text: str, severity: int = 1) -> None:
        self.server.log("Superserver %s: %s" % (self.peer, text), severity)

    def send(self, msg_id: int, stmt_id: int, status: bytes, payload: bytes = b"") -> None:
        self.sock.sendall(wire.frame(msg_id, stmt_id, status, payload))

    def locked(self):
        """The instance state for one request: lock, reload; the caller saves (``Instance`` contract 3)."""
        return _Locked(self.inst)

    # -- loop -------------------------------------------------------------------------------------
    def run(self) -> None:
        while True:
            try:
                msg_id, stmt_id, code, payload = wire.read_message(self.sock)
            except (EOFError, ConnectionError, OSError):
                return
            except wire.WireError as exc:
                self.log("refused a malformed message and closed the connection: %s" % exc, 2)
                return
            try:
                if not self.dispatch(msg_id, stmt_id, code, payload):
                    return
            except (ConnectionError, OSError):
                return
            except Exception as exc:  # pylint: disable=broad-except
                # A simulator defect must not look like success: log it and answer with an error the client raises.
                self.log("internal error on %r: %s\n%s" % (code, exc, traceback.format_exc()), 2)
                text = "simulator: internal error on %r: %s" % (code, exc)
                if native.is_native(code):
                    self.send(msg_id, stmt_id, native.error_status(native.GENERIC_ERROR), wire.encode(text))
                else:
                    self.sql.error(msg_id, stmt_id, sqlmsg.NOT_MODELLED, text)

    def dispatch(self, msg_id, stmt_id, code: bytes, payload: bytes) -> bool:
        if code == b"HS":
            return self.handshake(msg_id, stmt_id, payload)
        if code == b"CN":
            return self.login(msg_id, stmt_id, payload)
        if code == b"DC":
            self.log("disconnect (DC)", 0)
            return False
        if not self.logged_in:
            self.log("refused %r before login and closed the connection" % code, 2)
            return False
        if native.is_native(code):
            self.native.handle(msg_id, stmt_id, code, payload)
            return True
        if code in (b"AF", b"AN"):
            self.autocommit = code == b"AN"  # WIRE §4.2: no reply
            return True
        if code in sqlmsg.HANDLERS or code in NO_REPLY:
            self.sql.handle(msg_id, stmt_id, code, payload)
            return True
        # WIRE §7 / risk 2: an unknown function code is refused loudly and logged.
        text = "simulator: superserver message %r is not modelled" % code.decode("latin-1")
        self.log("refused " + text, 2)
        self.send(msg_id, stmt_id, native.error_status(1), wire.encode("<FUNCTION> " + text))
        return True

    # -- session messages --------------------------------------------------------------------------
    def handshake(self, msg_id, stmt_id, payload) -> bool:
        version = struct.unpack_from("<H", payload)[0] if len(payload) >= 2 else 0
        if version < 61:  # WIRE §3.1: the client side refuses below 61; we do not model older protocols [inf]
            self.log("refused handshake with protocol %d (not modelled)" % version, 2)
            return False
        body = struct.pack("<HH", PROTOCOL, FEATURES) + wire.encode(LOCALE)  # WIRE §3.1
        self.send(msg_id, stmt_id, b"\x00\x00", body)
        return True

    def login(self, msg_id, stmt_id, payload) -> bool:
        items = wire.Reader(payload).rest()
        namespace = str(items[0] or "") if items else ""
        username = ""
        try:
            if len(items) < 3 or items[1] is None:
                raise LoginRefused("Access Denied")  # no user name: token/other logins are not modelled [inf]
            username = wire.deobfuscate(items[1])
            password = wire.deobfuscate(items[2])
            with self.locked() as inst:
                self._check_login(inst, namespace, username, password)
        except LoginRefused as exc:
            self.log("login refused for %s in %s: %s" % (username or "?", namespace or "?", exc), 1)
            body = wire.encode(str(exc))
            self.send(msg_id, stmt_id, struct.pack("<H", LOGIN_REFUSED), body)
            return False  # WIRE §3.2: the client closes without DC
        self.namespace = namespace.upper()
        self.username = username
        self.logged_in = True
        if len(items) > 9 and items[9] == 2:
            self.autocommit = False  # WIRE §3.2 item 10
        from iris_sim.builtins_lang import zversion  # pylint: disable=import-outside-toplevel
        # WIRE §3.2 success layout; the values are [inf] (feature options 0 = fast paths and redirection off).
        body = wire.encode_list(["%s|%s" % (zversion(), self.inst.install_dir), 1, 0, 0,
                                 str(threading.get_ident() % 100000), 0, 0])
        self.log("login of %s in %s" % (username, self.namespace), 0)  # before the reply: the client may read the log next
        self.send(msg_id, stmt_id, b"\x00\x00", body)
        return True

    @staticmethod
    def _check_login(inst, namespace: str, username: str, password: str) -> None:
        from iris_sim.models.security import find_service  # pylint: disable=import-outside-toplevel
        if inst.status != "running":
            raise LoginRefused("Startup in progress")  # [inf] text; logons are not enabled yet
        service = find_service(inst, "%Service_Bindings") or {}
        if not int(service.get("Enabled", 1)):
            raise LoginRefused("Access Denied")  # [inf] the service that carries superserver clients is off
        ok, reason = inst.authenticate(username, password)
        if not ok:
            if reason == "password change required":
                # iris-sources.md LESSONS §3 row 1: a DB-API login is refused with "password change required".
                raise LoginRefused("Password change required")
            raise LoginRefused("Access Denied")  # WIRE §3.2; disabled and unknown users alike [inf]
        if not inst.has_namespace(namespace):
            # WIRE §3.2: a bad namespace is refused the same way with its own text (the text is [inf]).
            raise LoginRefused("Namespace %s does not exist" % namespace.upper())


class _Locked:  # pylint: disable=too-few-public-methods
    def __init__(self, inst):
        self.inst = inst
        self._cm = None

    def __enter__(self):
        self._cm = self.inst.session_lock()
        self._cm.__enter__()
        self.inst.reload()
        return self.inst

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.inst.save()
        finally:
            self._cm.__exit__(exc_type, exc, tb)
        return False


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server: Superserver = self.server.owner  # type: ignore[attr-defined]
        sock = self.request
        sock.settimeout(server.idle_timeout)
        peer = "%s:%s" % self.client_address[:2]
        try:
            first = sock.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first[:1] == b"\x16":  # WIRE §3.4: a TLS ClientHello before HS
            if server.tls is None:
                server.log("Superserver %s: TLS ClientHello refused: no SSLDefs section configured" % peer, 2)
                return
            try:
                sock = server.tls.wrap_socket(sock, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                server.log("Superserver %s: TLS handshake failed: %s" % (peer, exc), 2)
                return
        elif server.tls_required:
            server.log("Superserver %s: plain connection refused (TLS required)" % peer, 2)
            return
        with server.track(sock):
            Session(sock, server, peer).run()


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Superserver:
    """The listener.  ``instance_factory()`` returns a fresh ``Instance`` per connection (each holds its
    own lock depth); ``log(text, severity)`` writes the log line."""

    def __init__(self, instance_factory, bind="0.0.0.0", port=1972, log=None, tls_context=None,
                 tls_required=False, idle_timeout=None):
        self.instance_factory = instance_factory
        self.log = log or (lambda text, severity=0: None)
        self.tls = tls_context
        self.tls_required = tls_required
        self.idle_timeout = idle_timeout
        self._tcp = _TCPServer((bind, port), _Handler)
        self._tcp.owner = self  # type: ignore[attr-defined]
        self.port = self._tcp.server_address[1]
        self._socks: set = set()
        self._guard = threading.Lock()
        self._thread = threading.Thread(target=self._tcp.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="superserver", daemon=True)
        self._thread.start()

    def track(self, sock):
        owner = self

        class _Track:
            def __enter__(self):
                with owner._guard:
                    owner._socks.add(sock)

            def __exit__(self, *exc):
                with owner._guard:
                    owner._socks.discard(sock)
                try:
                    sock.close()
                except OSError:
                    pass
                return False
        return _Track()

    def stop(self) -> None:
        self._tcp.shutdown()
        self._tcp.server_close()
        with self._guard:
            for sock in list(self._socks):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(2)


def tls_context_from_ssldefs(path: str, section: str) -> ssl.SSLContext:
    """A server context from an SSLDefs.ini-style section (WIRE §3.4 names the client side's keys; the server
    side reads ``CertFile`` and ``KeyFile`` from the same format [inf])."""
    import configparser  # pylint: disable=import-outside-toplevel
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.optionxform = str
    if not cfg.read(path):
        raise ValueError("SSLDefs file %s cannot be read. Fix: point IRIS_SIM_SSLDEFS at an existing file" % path)
    if not cfg.has_section(section):
        raise ValueError("SSLDefs file %s has no section [%s]. Fix: add it or set IRIS_SIM_SSLCONFIG" % (path, section))
    sect = cfg[section]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(sect["CertFile"], sect.get("KeyFile") or None)
    return ctx


def start_from_env(mgr: str, bind: str, port: int, log) -> Superserver:
    """``iris_sim.main``/``web.py``: the superserver on the instance from the environment (Contract 3)."""
    from iris_sim.instance import Instance  # pylint: disable=import-outside-toplevel
    tls = None
    ssldefs = os.environ.get("IRIS_SIM_SSLDEFS", "").strip()
    if ssldefs:
        tls = tls_context_from_ssldefs(ssldefs, os.environ.get("IRIS_SIM_SSLCONFIG", "superserver"))
    del mgr  # the instance comes from the environment, like every other part of the simulator
    return Superserver(Instance.open, bind=bind, port=port, log=log, tls_context=tls)
