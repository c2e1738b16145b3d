# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared unit-test fixtures: a fake Docker SDK client whose exec socket is a real socketpair."""

from __future__ import annotations

import socket
import struct
import tempfile
import threading

import pytest


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch):
    """Every test gets its own HOME and temporary directory: defaults under ``~`` (iris_container's state_dir,
    iris_fixture's instance locks and verified checksums, all under ``~/.cache/iris_devtools``) and files in
    ``tempfile.gettempdir()`` then never touch the user's, and two tests on two xdist workers never share (and remove,
    or wait for) one file."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("tmp")))
    return home


def mux(stream, payload):
    """One frame of Docker's multiplexed exec stream (tty=False)."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    return struct.pack(">BxxxL", stream, len(payload)) + payload


class FakeExecAPI(object):
    """Stands in for ``client.api``: exec_create / exec_start(socket=True) / exec_inspect.

    ``responder(stdin_bytes) -> bytes`` builds the multiplexed reply once stdin reached EOF.
    ``hold_open``: never reply nor close (timeouts).  ``chunk``: reply in pieces this small.
    """

    def __init__(self, responder=None, exit_code=0, hold_open=False, chunk=3, create_error=None):
        self.responder = responder or (lambda data: mux(1, data))
        self.exit_code = exit_code
        self.hold_open = hold_open
        self.chunk = chunk
        self.create_error = create_error
        self.created = []
        self.received = []
        self._release = threading.Event()
        self._threads = []
        self._sockets = []

    def exec_create(self, container, cmd, **kwargs):
        if self.create_error is not None:
            raise self.create_error
        self.created.append(dict(container=container, cmd=list(cmd), kwargs=dict(kwargs)))
        return {"Id": "exec%d" % len(self.created)}

    def exec_start(self, exec_id, socket=False, tty=False, **kwargs):  # pylint: disable=redefined-outer-name
        assert socket is True and tty is False and not kwargs
        ours, theirs = _socketpair()
        self._sockets.extend([ours, theirs])
        thread = threading.Thread(target=self._serve, args=(theirs,))
        thread.daemon = True
        thread.start()
        self._threads.append(thread)
        return _SocketIOLike(ours)

    def _serve(self, sock):
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        self.received.append(data)
        if self.hold_open:
            self._release.wait(30)
            sock.close()
            return
        reply = self.responder(data)
        for start in range(0, len(reply), self.chunk):
            sock.sendall(reply[start:start + self.chunk])
        sock.close()

    def exec_inspect(self, exec_id):
        return {"ExitCode": self.exit_code, "Running": False}

    def close(self):
        self._release.set()
        for thread in self._threads:
            thread.join(5)
        for sock in self._sockets:
            try:
                sock.close()
            except OSError:
                pass


def _socketpair():
    return socket.socketpair()


class _SocketIOLike(object):
    """What the docker SDK returns for a unix-socket exec: a SocketIO-ish wrapper with ``_sock``."""

    def __init__(self, sock):
        self._sock = sock

    def close(self):
        pass


class FakeDockerClient(object):
    def __init__(self, api):
        self.api = api


@pytest.fixture
def fake_docker():
    """Factory: ``fake_docker(responder=..., exit_code=0, hold_open=False)`` -> FakeDockerClient."""
    apis = []

    def factory(**kwargs):
        api = FakeExecAPI(**kwargs)
        apis.append(api)
        return FakeDockerClient(api)
    yield factory
    for api in apis:
        api.close()


# ---------------------------------------------------------------------------------------------
# The IRIS simulator in process: run the collection's programs against the executable model of
# IRIS (tests/simulator/iris_sim) without Docker.  The simulator never imports the collection;
# only the tests bring the two together.
# ---------------------------------------------------------------------------------------------
def _simulator_dir():
    import os
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "simulator"))


class SimTransport(object):
    """A ``_transport.Transport`` whose sessions run in an in-process simulated instance.

    ``sim.transport(namespace="%SYS")`` returns a Transport (the real parse/redaction path);
    ``sim.run(namespace, *lines)`` runs raw ObjectScript for independent checks;
    ``sim.inst`` is the ``iris_sim.instance.Instance`` for direct inspection.
    """

    def __init__(self, root):
        import sys
        sim_dir = _simulator_dir()
        if sim_dir not in sys.path:
            sys.path.insert(0, sim_dir)
        from iris_sim.instance import Instance  # pylint: disable=import-error
        self.root = str(root)
        self.inst = Instance(self.root + "/install", self.root + "/data")
        self.inst.initialize()
        self.inst.set_status("starting")
        self.inst.set_status("running")

    def _session(self, namespace, lines):
        import io
        from iris_sim.shell import run_session  # pylint: disable=import-error
        out = io.StringIO()
        with self.inst.session_lock():
            self.inst.reload()
            code = run_session(self.inst, namespace, list(lines), out)
            self.inst.save()
        return code, out.getvalue()

    def run(self, namespace, *lines):
        """Raw lines in a session; the output text (prompts included)."""
        return self._session(namespace, lines)[1]

    def transport(self, namespace="USER", instance="IRIS", timeout=60):
        from ansible_collections.iris_devtools.iris.plugins.module_utils._transport import Transport
        sim = self

        class _InProcess(Transport):
            def _execute(self, data):
                text = data.decode("utf-8")
                code, out = sim._session(self.namespace, text.split("\n"))
                return code, out.encode("utf-8"), b""
        return _InProcess(instance=instance, namespace=namespace, timeout=timeout)


@pytest.fixture
def iris_sim(tmp_path):
    """A fresh simulated IRIS instance (skipped when the simulator's tree-sitter deps are missing)."""
    pytest.importorskip("tree_sitter")
    pytest.importorskip("tree_sitter_objectscript_routine")
    return SimTransport(tmp_path)


# ---------------------------------------------------------------------------------------------
# A module's main() in process: the module args as core 2.19+ reads them, exit_json/fail_json
# caught.  The one copy of this helper for every tests/unit/plugins/modules/test_*.py.
# ---------------------------------------------------------------------------------------------
class ModuleExit(Exception):
    """Raised by the patched exit_json/fail_json so main() stops where a real module would exit."""


@pytest.fixture
def run_module_main(monkeypatch):
    """``run_module_main(module, args, check_mode=False, diff=False) -> (result, failed)``.

    Runs ``module.main()`` (``module`` is the imported module file, for example ``iris_task``) with
    ``args`` as its module arguments (``ansible.module_utils.testing.patch_module_args``, the
    supported way since core 2.19; 2.21 keeps it).  ``check_mode``/``diff`` set
    ``_ansible_check_mode``/``_ansible_diff`` (when true; args may also carry them).  ``result`` is
    what the module passed to exit_json or fail_json; ``failed`` tells which of the two it called.
    A main() that returns without calling either fails the test.
    """
    from ansible.module_utils.testing import patch_module_args

    def call(module, args, check_mode=False, diff=False):
        outcome = {}

        def exit_json(self, **kwargs):
            outcome.update(result=kwargs, failed=False)
            raise ModuleExit()

        def fail_json(self, **kwargs):
            outcome.update(result=kwargs, failed=True)
            raise ModuleExit()
        monkeypatch.setattr("ansible.module_utils.basic.AnsibleModule.exit_json", exit_json)
        monkeypatch.setattr("ansible.module_utils.basic.AnsibleModule.fail_json", fail_json)
        args = dict(args)
        if check_mode:
            args["_ansible_check_mode"] = True
        if diff:
            args["_ansible_diff"] = True
        with patch_module_args(args):
            with pytest.raises(ModuleExit):
                module.main()
        return outcome["result"], outcome["failed"]
    return call


class SimConnect(object):
    """Stands in for ``_instance.instance_from_module``: every instance a module builds runs its sessions in
    ``iris_sim``.

    ``transports`` lists the transports those instances built, in order (each has ``namespace`` and ``sessions``);
    ``sessions`` is the number of IRIS sessions they opened; ``reset()`` forgets them (between two runs of a module).
    """

    def __init__(self, sim):
        self.sim = sim
        self.transports = []

    def instance_from_module(self, module, client=None):
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _instance
        connect = self

        class SimInstance(_instance.LocalInstance):
            def _new_transport(self, namespace):
                transport = connect.sim.transport(namespace, instance=self.name, timeout=self.timeout)
                connect.transports.append(transport)
                return transport

        params = module.params
        return SimInstance(module, name=params.get("instance") or "IRIS", namespace=params.get("namespace") or "USER",
                           timeout=params.get("timeout") or 60)

    @property
    def sessions(self):
        return sum(transport.sessions for transport in self.transports)

    def reset(self):
        del self.transports[:]


@pytest.fixture
def iris_sim_connect(iris_sim, monkeypatch):
    """``_instance.instance_from_module`` patched to build instances whose sessions run in ``iris_sim``."""
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _instance
    connect = SimConnect(iris_sim)
    monkeypatch.setattr(_instance, "instance_from_module", connect.instance_from_module)
    return connect


@pytest.fixture
def mutating_source(monkeypatch):
    """``mutating_source(offset=None)``: every source ``_files.open_source`` opens then rewrites part of its own file
    (same size) right after it returned its first chunk - at ``offset``, or just after that chunk - so the bytes read
    next differ from any hash an earlier read took (issue 11 item 2)."""
    from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
    real_open = _files.open_source

    class MutatingReader(object):
        def __init__(self, path, offset):
            self._handle = real_open(path)
            self._path = path
            self._offset = offset
            self.reads = 0

        def read(self, size=-1):
            data = self._handle.read(size)
            self.reads += 1
            if self.reads == 1:
                with open(self._path, "r+b") as other:
                    other.seek(len(data) if self._offset is None else self._offset)
                    other.write(b"\xff" * 64)
            return data

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._handle.close()

    def install(offset=None):
        monkeypatch.setattr(_files, "open_source", lambda path: MutatingReader(path, offset))
    return install
