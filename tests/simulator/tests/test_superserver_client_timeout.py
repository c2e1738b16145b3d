# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the real client 5.4.1's ``iris.connect(timeout=...)`` bounds (iris-sources.md NR8; S33, S34).

The collection's doc fragment (``timeout`` with transport native) says what these tests pin: the client's timeout
bounds connecting (a listener that never answers fails after it), but not a Native API call once logged in (a reply
that never comes keeps the call waiting). The second test uses a relay in front of the simulator that stops passing
the server's replies on; it is a client fact, not a simulator model.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest

from superserver_support import PASSWORD, fixture_served, guarded  # noqa: F401  pylint: disable=unused-import

CLIENT_TIMEOUT = 2
WAITED = 8  # longer than CLIENT_TIMEOUT with a margin: a bounded call would have failed by then


class Relay:
    """127.0.0.1:<port> -> the simulator's superserver; ``stall`` set: the server's replies are dropped."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.stall = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.sockets = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        try:
            while True:
                client, dummy = self.listener.accept()
                server = socket.create_connection(("127.0.0.1", self.target_port))
                self.sockets += [client, server]
                threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
                threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()
        except OSError:
            return

    def _pump(self, src, dst, replies):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    return
                if not (replies and self.stall.is_set()):
                    dst.sendall(data)
        except OSError:
            return

    def close(self):
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass


def test_connect_to_a_silent_listener_fails_after_the_client_timeout():
    import iris  # pylint: disable=import-outside-toplevel
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    try:
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="timed out"):
            guarded(iris.connect, "127.0.0.1", silent.getsockname()[1], "USER", "_SYSTEM", PASSWORD,
                    timeout=CLIENT_TIMEOUT, seconds=WAITED * 2)
        assert time.monotonic() - started < WAITED
    finally:
        silent.close()


def test_a_call_whose_reply_never_comes_is_not_bounded_by_the_client_timeout(served):
    import iris  # pylint: disable=import-outside-toplevel
    relay = Relay(served.port)
    try:
        conn = guarded(iris.connect, "127.0.0.1", relay.port, "USER", "_SYSTEM", PASSWORD, timeout=CLIENT_TIMEOUT)
        irs = guarded(iris.createIRIS, conn)
        assert guarded(irs.classMethodValue, "%SYSTEM.Version", "GetNumber") == "2025.1"
        relay.stall.set()
        # Still waiting after WAITED seconds (4 x the client timeout): guarded gives up and fails.
        with pytest.raises(pytest.fail.Exception, match="hung for"):
            guarded(irs.classMethodValue, "%SYSTEM.Version", "GetNumber", seconds=WAITED)
    finally:
        relay.close()  # the waiting call sees the connection drop; its thread is a daemon
