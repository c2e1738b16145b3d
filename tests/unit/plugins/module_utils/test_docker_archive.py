# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_copy.upload_file / download_file: streaming archive copies, against a fake archive API and
(only when Docker and the simulator image are available) against a real simulator container."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading
import time
import uuid

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _copy, _docker, _files
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError

docker = pytest.importorskip("docker")
requests_exceptions = pytest.importorskip("requests.exceptions")

SIM_IMAGE = os.environ.get("IRIS_TEST_IMAGE", "iris-devtools/iris-sim:0.6.0")
MIB = 1024 * 1024


def _blob(size, seed=0):
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"%d:%d" % (seed, counter)).digest() * 64
        counter += 1
    return bytes(out[:size])


# ------------------------------------------------------------------------------------------------
# A fake of the Docker SDK's archive API: an in-memory container file system.
# ------------------------------------------------------------------------------------------------
class FakeArchiveAPI(object):
    """``put_archive`` / ``get_archive`` / ``inspect_container`` over ``files`` {path: dict(data, uid, gid, mode)}.

    Faults: ``stop_after`` (bytes received, then the container stops and the connection drops),
    ``no_space_after`` (bytes, then the daemon answers 500 "no space left on device"),
    ``break_download_after`` (bytes of the download stream, then the stream breaks).
    Like the daemon, a failed extraction leaves the partial member in the file system.
    """

    def __init__(self, dirs=("/usr/irissys/mgr", "/tmp"), stop_after=None, no_space_after=None, break_download_after=None):
        self.dirs = set(dirs)
        self.files = {}
        self.running = True
        self.exists = True
        self.stop_after = stop_after
        self.no_space_after = no_space_after
        self.break_download_after = break_download_after
        self.put_chunk_sizes = []
        self.commands = []

    def _not_found(self, path, container):
        return docker.errors.NotFound("Could not find the file %s in container %s" % (path, container),
                                      explanation="Could not find the file %s in container %s" % (path, container))

    def inspect_container(self, container):
        if not self.exists:
            raise docker.errors.NotFound("No such container: %s" % container, explanation="No such container: %s" % container)
        return {"State": {"Running": self.running, "Status": "running" if self.running else "exited"}}

    def put_archive(self, container, path, data):
        if not self.exists:
            raise docker.errors.NotFound("No such container", explanation="No such container: %s" % container)
        if path not in self.dirs:
            raise self._not_found(path, container)
        received = bytearray()
        failure = None
        for chunk in data:
            self.put_chunk_sizes.append(len(chunk))
            received += chunk
            if self.stop_after is not None and len(received) >= self.stop_after:
                self.running = False
                failure = requests_exceptions.ConnectionError("Connection aborted: broken pipe")
                break
            if self.no_space_after is not None and len(received) >= self.no_space_after:
                failure = docker.errors.APIError("500 Server Error", explanation="write /x: no space left on device")
                break
        # Extract what arrived (a truncated member is kept partially, as the daemon does).
        header = tarfile.TarFile(fileobj=io.BytesIO(bytes(received) + b"\0" * 1024 * 1024), mode="r")
        member = header.next()
        offset = member.offset_data
        body = bytes(received[offset:offset + member.size])
        self.files["%s/%s" % (path, member.name)] = dict(data=body, uid=member.uid, gid=member.gid, mode=member.mode)
        if failure is not None:
            raise failure
        return True

    def get_archive(self, container, path, chunk_size=None):
        if path not in self.files:
            if path in self.dirs:
                return iter([b""]), {"name": os.path.basename(path), "size": 4096, "mode": (1 << 31) | 0o755, "linkTarget": ""}
            raise self._not_found(path, container)
        entry = self.files[path]
        info = tarfile.TarInfo(os.path.basename(path))
        info.size = len(entry["data"])
        info.mode, info.uid, info.gid = entry["mode"], entry["uid"], entry["gid"]
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as archive:
            archive.addfile(info, io.BytesIO(entry["data"]))
        raw = buf.getvalue()
        step = chunk_size or 65536

        def chunks():
            for start in range(0, len(raw), step):
                if self.break_download_after is not None and start >= self.break_download_after:
                    self.running = False
                    raise requests_exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")
                yield raw[start:start + step]
        return chunks(), {"name": info.name, "size": info.size, "mode": entry["mode"], "linkTarget": ""}


class FakeClient(object):
    def __init__(self, api):
        self.api = api


@pytest.fixture
def fake(monkeypatch):
    """(client, api): exec_with_stdin is replaced by a model of ``mv``/``rm`` on the fake file system."""
    api = FakeArchiveAPI()

    def fake_exec(client, container, argv, data, timeout, user=None):
        api.commands.append((list(argv), user))
        if not api.running:
            return 126, b"", b"container is not running"
        if argv[:3] == ["mv", "-f", "--"]:
            api.files[argv[4]] = api.files.pop(argv[3])
            return 0, b"", b""
        if argv[:3] == ["rm", "-f", "--"]:
            api.files.pop(argv[3], None)
            return 0, b"", b""
        raise AssertionError("unexpected command %r" % argv)

    monkeypatch.setattr(_docker, "exec_with_stdin", fake_exec)
    return FakeClient(api), api


def _src(tmp_path, size, seed=0):
    data = _blob(size, seed)
    path = tmp_path / "src.DAT"
    path.write_bytes(data)
    return str(path), data


def test_upload_streams_owner_mode_and_renames(fake, tmp_path):
    client, api = fake
    src, data = _src(tmp_path, 9 * MIB + 123)
    copied = _copy.upload_file(client, "iris1", src, "/usr/irissys/mgr", "IRIS.DAT")
    assert copied == len(data)
    assert list(api.files) == ["/usr/irissys/mgr/IRIS.DAT"]
    entry = api.files["/usr/irissys/mgr/IRIS.DAT"]
    assert entry["data"] == data and (entry["uid"], entry["gid"], entry["mode"]) == (51773, 51773, 0o660)
    # streamed: no chunk bigger than CHUNK_SIZE (never the whole file at once)
    assert max(api.put_chunk_sizes) <= _files.CHUNK_SIZE and len(api.put_chunk_sizes) >= 4
    (mv, user), = api.commands
    assert mv[:3] == ["mv", "-f", "--"] and mv[3].startswith("/usr/irissys/mgr/" + _copy.UPLOAD_PREFIX) and user == "root"
    assert mv[4] == "/usr/irissys/mgr/IRIS.DAT"


def test_upload_custom_owner_mode_and_empty_file(fake, tmp_path):
    client, api = fake
    src, dummy = _src(tmp_path, 0)
    assert _copy.upload_file(client, "iris1", src, "/tmp/", "x", uid=1000, gid=1001, mode=0o600) == 0
    assert api.files["/tmp/x"] == dict(data=b"", uid=1000, gid=1001, mode=0o600)


def test_upload_missing_dest_dir(fake, tmp_path):
    client, api = fake
    src, dummy = _src(tmp_path, 100)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, "iris1", src, "/nope", "IRIS.DAT")
    assert "/nope does not exist in container iris1" in info.value.msg and "must exist" in info.value.hint
    assert api.files == {}


def test_upload_missing_source(fake, tmp_path):
    client, dummy = fake
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, "iris1", str(tmp_path / "none"), "/tmp", "IRIS.DAT")
    assert "cannot read the source file" in info.value.msg


def test_upload_container_stopped_mid_copy(fake, tmp_path):
    client, api = fake
    api.stop_after = 5 * MIB
    src, dummy = _src(tmp_path, 12 * MIB)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, "iris1", src, "/usr/irissys/mgr", "IRIS.DAT")
    assert "is not running (status exited)" in info.value.msg and "stopped during or before the copy" in info.value.msg
    assert "start the container" in info.value.hint
    # never a partial file under the final name; the temp one is named in the error
    assert "/usr/irissys/mgr/IRIS.DAT" not in api.files
    assert list(api.files) == [info.value.details["partial_path"]]
    assert info.value.details["partial_path"] in info.value.msg


def test_upload_no_space_removes_partial_temp(fake, tmp_path):
    client, api = fake
    api.no_space_after = 5 * MIB
    src, dummy = _src(tmp_path, 12 * MIB)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, "iris1", src, "/usr/irissys/mgr", "IRIS.DAT")
    assert "no space left on device" in info.value.msg and "free space" in info.value.hint
    assert api.files == {}  # the partial temp file was removed (container still running)
    assert api.commands[-1][0][:3] == ["rm", "-f", "--"]
    assert "partial_path" not in info.value.details


def test_upload_timeout_removes_partial_temp(fake, tmp_path, monkeypatch):
    client, api = fake
    src, dummy = _src(tmp_path, 12 * MIB)
    clock = iter([0.0, 0.0] + [100.0] * 100)
    monkeypatch.setattr(_copy.time, "monotonic", lambda: next(clock))
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, "iris1", src, "/tmp", "IRIS.DAT", timeout=5)
    assert "within 5 seconds" in info.value.msg and "timeout" in info.value.hint
    assert api.files == {}


def test_upload_rename_failure_while_running(fake, tmp_path, monkeypatch):
    client, api = fake
    src, dummy = _src(tmp_path, 10)
    calls = []

    def failing_mv(client_, container, argv, data, timeout, user=None):
        calls.append(argv)
        if argv[0] == "mv":
            return 1, b"", b"mv: cannot move: Permission denied"
        api.files.pop(argv[3], None)
        return 0, b"", b""
    monkeypatch.setattr(_docker, "exec_with_stdin", failing_mv)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, "iris1", src, "/tmp", "IRIS.DAT")
    assert "Permission denied" in info.value.msg and "writable" in info.value.hint
    assert api.files == {} and calls[-1][0] == "rm"


def test_upload_container_missing(fake, tmp_path):
    client, api = fake
    api.exists = False
    src, dummy = _src(tmp_path, 10)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, "iris1", src, "/tmp", "IRIS.DAT")
    assert "container iris1 does not exist" in info.value.msg


def test_download_hashes_and_writes_atomically(fake, tmp_path):
    client, api = fake
    data = _blob(9 * MIB + 5, seed=3)
    api.files["/usr/irissys/mgr/user/IRIS.DAT"] = dict(data=data, uid=51773, gid=51773, mode=0o660)
    dest = tmp_path / "out" / "IRIS.DAT"
    os.mkdir(str(tmp_path / "out"))
    checksum = _copy.download_file(client, "iris1", "/usr/irissys/mgr/user/IRIS.DAT", str(dest))
    assert checksum == "sha256:" + hashlib.sha256(data).hexdigest()
    assert dest.read_bytes() == data
    assert os.listdir(str(tmp_path / "out")) == ["IRIS.DAT"]


def test_download_broken_stream_leaves_nothing(fake, tmp_path):
    client, api = fake
    api.files["/db/IRIS.DAT"] = dict(data=_blob(12 * MIB), uid=0, gid=0, mode=0o644)
    api.break_download_after = 5 * MIB
    dest = tmp_path / "IRIS.DAT"
    dest.write_bytes(b"previous")
    with pytest.raises(IrisModuleError) as info:
        _copy.download_file(client, "iris1", "/db/IRIS.DAT", str(dest))
    assert "not running" in info.value.msg
    assert sorted(os.listdir(str(tmp_path))) == ["IRIS.DAT"] and dest.read_bytes() == b"previous"


def test_download_truncated_archive_while_running(fake, tmp_path, monkeypatch):
    client, api = fake
    api.files["/db/IRIS.DAT"] = dict(data=_blob(3 * MIB), uid=0, gid=0, mode=0o644)
    real = api.get_archive

    def truncated(container, path, chunk_size=None):
        chunks, stat = real(container, path, chunk_size=chunk_size)
        return iter([next(chunks)[:MIB]]), stat
    monkeypatch.setattr(api, "get_archive", truncated)
    with pytest.raises(IrisModuleError) as info:
        _copy.download_file(client, "iris1", "/db/IRIS.DAT", str(tmp_path / "IRIS.DAT"))
    assert "ended early or is unreadable" in info.value.msg
    assert os.listdir(str(tmp_path)) == []


def test_download_missing_and_directory(fake, tmp_path):
    client, api = fake
    with pytest.raises(IrisModuleError) as info:
        _copy.download_file(client, "iris1", "/usr/irissys/mgr/nope/IRIS.DAT", str(tmp_path / "x"))
    assert "does not exist in container iris1" in info.value.msg and info.value.details["missing_path"]
    with pytest.raises(IrisModuleError) as info:
        _copy.download_file(client, "iris1", "/tmp", str(tmp_path / "x"))
    assert "not a regular file" in info.value.msg
    assert os.listdir(str(tmp_path)) == []


def test_download_no_space_on_host(fake, tmp_path, monkeypatch):
    client, api = fake
    api.files["/db/IRIS.DAT"] = dict(data=_blob(2 * MIB), uid=0, gid=0, mode=0o644)

    class Full(object):
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            raise OSError(28, "No space left on device")

    real = _files.atomic_output

    class FullOutput(object):
        def __init__(self, dest, **kwargs):
            self.inner = real(dest, **kwargs)

        def __enter__(self):
            return Full(self.inner.__enter__())

        def __exit__(self, *exc_info):
            return self.inner.__exit__(*exc_info)

    monkeypatch.setattr(_files, "atomic_output", FullOutput)
    with pytest.raises(IrisModuleError) as info:
        _copy.download_file(client, "iris1", "/db/IRIS.DAT", str(tmp_path / "IRIS.DAT"))
    assert "No space left" in info.value.msg and "free space" in info.value.hint
    assert os.listdir(str(tmp_path)) == []


# ------------------------------------------------------------------------------------------------
# Against a real simulator container (skipped unless Docker answers and the image is present).
# ------------------------------------------------------------------------------------------------
def _docker_client():
    try:
        client = docker.from_env(timeout=60)
        client.ping()
        client.images.get(SIM_IMAGE)
        return client
    except Exception:  # pylint: disable=broad-except
        return None


@pytest.fixture
def sim_container():
    client = _docker_client()
    if client is None:
        pytest.skip("Docker or the image %s is not available" % SIM_IMAGE)
    name = "iris-ut-archive-%s" % uuid.uuid4().hex[:8]
    container = client.containers.run(SIM_IMAGE, name=name, detach=True)
    try:
        yield client, container
    finally:
        container.remove(force=True, v=True)


def _ls(container, directory):
    """Names, owner and mode via a tar of the directory (works on stopped containers too)."""
    bits, dummy = container.get_archive(directory)
    with tarfile.open(fileobj=io.BytesIO(b"".join(bits)), mode="r") as archive:
        return {os.path.basename(m.name): (m.uid, m.gid, m.mode & 0o7777, m.size) for m in archive.getmembers() if m.isfile()}


def test_real_upload_download_50mib(sim_container, tmp_path):
    client, container = sim_container
    src, data = _src(tmp_path, 50 * MIB, seed=7)
    container.exec_run(["mkdir", "-p", "/usr/irissys/mgr/fxut"])
    assert _copy.upload_file(client, container.name, src, "/usr/irissys/mgr/fxut", "IRIS.DAT") == 50 * MIB
    assert _ls(container, "/usr/irissys/mgr/fxut") == {"IRIS.DAT": (51773, 51773, 0o660, 50 * MIB)}
    # independent channel: sha256sum inside the container, ownership by name
    out = container.exec_run(["sh", "-c", "sha256sum /usr/irissys/mgr/fxut/IRIS.DAT; stat -c '%U:%G %a' /usr/irissys/mgr/fxut/IRIS.DAT"]).output.decode()
    assert hashlib.sha256(data).hexdigest() in out and "irisowner:irisowner 660" in out
    dest = tmp_path / "back" / "IRIS.DAT"
    os.mkdir(str(tmp_path / "back"))
    assert _copy.download_file(client, container, "/usr/irissys/mgr/fxut/IRIS.DAT", str(dest)) == \
        "sha256:" + hashlib.sha256(data).hexdigest()
    assert dest.read_bytes() == data and os.listdir(str(tmp_path / "back")) == ["IRIS.DAT"]


def test_real_missing_paths(sim_container, tmp_path):
    client, container = sim_container
    src, dummy = _src(tmp_path, 10)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, container.name, src, "/usr/irissys/mgr/nope", "IRIS.DAT")
    assert "does not exist in container" in info.value.msg
    with pytest.raises(IrisModuleError) as info:
        _copy.download_file(client, container.name, "/usr/irissys/mgr/nope/IRIS.DAT", str(tmp_path / "x"))
    assert "does not exist in container" in info.value.msg
    assert sorted(os.listdir(str(tmp_path))) == ["src.DAT"]


def test_real_client_failure_mid_upload_leaves_no_file(sim_container, tmp_path, monkeypatch):
    """The stream breaks on our side half way (e.g. the source file became unreadable): no temp, no final file."""
    client, container = sim_container
    src, dummy = _src(tmp_path, 50 * MIB)
    container.exec_run(["mkdir", "-p", "/tmp/fx"])
    real = _copy._tar_stream

    def breaking(*args):
        for index, chunk in enumerate(real(*args)):
            if index == 6:
                raise IrisModuleError("simulated read failure", hint="none")
            yield chunk
    monkeypatch.setattr(_copy, "_tar_stream", breaking)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, container.name, src, "/tmp/fx", "IRIS.DAT")
    assert "simulated read failure" in info.value.msg
    time.sleep(0.5)
    assert _ls(container, "/tmp/fx") == {}


def test_real_container_stopped_mid_upload(sim_container, tmp_path, monkeypatch):
    """docker kill half way through the stream.  Docker serialises the kill with the archive copy
    (it waits for the copy, then stops the container), so the rename is what fails: the error says the
    container stopped, the final name never exists, the temp name is reported."""
    client, container = sim_container
    src, dummy = _src(tmp_path, 50 * MIB)
    container.exec_run(["mkdir", "-p", "/usr/irissys/mgr/fxstop"])
    real_stream = _copy._tar_stream
    real_exec = _docker.exec_with_stdin
    killer = []

    def kill():
        client.api.kill(container.id)

    def stream_with_kill(*args):
        for index, chunk in enumerate(real_stream(*args)):
            if index == 6:
                thread = threading.Thread(target=kill)
                thread.start()
                killer.append(thread)
                time.sleep(0.3)
            yield chunk

    def exec_after_kill(*args, **kwargs):
        for thread in killer:
            thread.join(30)
        return real_exec(*args, **kwargs)
    monkeypatch.setattr(_copy, "_tar_stream", stream_with_kill)
    monkeypatch.setattr(_docker, "exec_with_stdin", exec_after_kill)
    with pytest.raises(IrisModuleError) as info:
        _copy.upload_file(client, container.name, src, "/usr/irissys/mgr/fxstop", "IRIS.DAT")
    assert "is not running" in info.value.msg and "start the container" in info.value.hint
    container.reload()
    assert container.status == "exited"
    listing = _ls(container, "/usr/irissys/mgr/fxstop")
    assert "IRIS.DAT" not in listing
    partial = info.value.details["partial_path"]
    assert partial.startswith("/usr/irissys/mgr/fxstop/" + _copy.UPLOAD_PREFIX) and partial in info.value.msg
    assert set(listing) <= {os.path.basename(partial)}


def test_real_tmpfs_destination_fails_clearly(tmp_path):
    """Docker's archive API writes beneath a tmpfs mount (invisible in the container): a clear error, no file."""
    client = _docker_client()
    if client is None:
        pytest.skip("Docker or the image %s is not available" % SIM_IMAGE)
    container = client.containers.run(SIM_IMAGE, name="iris-ut-archive-%s" % uuid.uuid4().hex[:8], detach=True,
                                      tmpfs={"/mnt/small": "size=4m,uid=51773,gid=51773"})
    try:
        src, dummy = _src(tmp_path, 1 * MIB)
        with pytest.raises(IrisModuleError) as info:
            _copy.upload_file(client, container.name, src, "/mnt/small", "IRIS.DAT")
        assert "tmpfs" in info.value.hint
        assert container.exec_run(["ls", "-A", "/mnt/small"]).output == b""
    finally:
        container.remove(force=True, v=True)


class _Container(object):
    """What read_file_from_container gets: a Docker SDK container object (client, id, name)."""

    def __init__(self, client, name="iris1"):
        self.client = client
        self.id = name
        self.name = name


def test_read_file_shares_the_archive_reader(fake):
    client, api = fake
    api.files["/usr/irissys/mgr/report.html"] = dict(data=b"<html>report</html>", uid=51773, gid=51773, mode=0o644)
    container = _Container(client)
    assert _copy.read_file_from_container(container, "/usr/irissys/mgr/report.html") == b"<html>report</html>"
    with pytest.raises(IrisModuleError) as info:
        _copy.read_file_from_container(container, "/usr/irissys/mgr/missing.html")
    assert info.value.details["missing_file"] is True and "does not exist" in info.value.msg
    with pytest.raises(IrisModuleError) as info:
        _copy.read_file_from_container(container, "/tmp")
    assert "not a regular file" in info.value.msg and not info.value.details.get("missing_file")
    with pytest.raises(IrisModuleError) as info:
        _copy.read_file_from_container(container, "/usr/irissys/mgr/report.html", max_bytes=5)
    assert "more than the 5 allowed" in info.value.msg


# -- hash the bytes as they are sent (issue 11 item 2) ------------------------------------------------------------------
def test_upload_with_checksum_hashes_what_it_sends(fake, tmp_path):
    client, api = fake
    src, data = _src(tmp_path, 9 * MIB + 5)
    expected = "sha256:" + hashlib.sha256(data).hexdigest()
    assert _copy.upload_file(client, "iris1", src, "/usr/irissys/mgr", "IRIS.DAT", expected_checksum=expected) == len(data)
    assert list(api.files) == ["/usr/irissys/mgr/IRIS.DAT"] and api.files["/usr/irissys/mgr/IRIS.DAT"]["data"] == data


def test_upload_refuses_a_source_that_changes_after_the_first_chunk(fake, tmp_path, mutating_source):
    """One read: the bytes sent are the bytes hashed; a change after the first chunk (same size) is never renamed onto
    IRIS.DAT, and the temp file is removed."""
    client, api = fake
    src, data = _src(tmp_path, 9 * MIB + 5)
    expected = "sha256:" + hashlib.sha256(data).hexdigest()
    mutating_source()
    with pytest.raises(IrisModuleError) as err:
        _copy.upload_file(client, "iris1", src, "/usr/irissys/mgr", "IRIS.DAT", expected_checksum=expected)
    with open(src, "rb") as handle:
        changed = handle.read()
    assert changed != data and len(changed) == len(data)
    assert "Checksum mismatch" in err.value.msg and err.value.details["checksum"] == "sha256:" + hashlib.sha256(changed).hexdigest()
    assert api.files == {}  # the temp file was removed; IRIS.DAT never existed
    assert [argv[0] for argv, user in api.commands] == ["rm"]  # no mv


def test_engine_id_does_not_depend_on_the_spelling_of_the_url():
    """Real clients for three spellings of the default socket (/var/run is /run): one engine ID (skipped without a
    Docker daemon there)."""
    docker_sdk = pytest.importorskip("docker")
    if not os.path.exists("/run/docker.sock") or os.path.realpath("/var/run/docker.sock") != os.path.realpath("/run/docker.sock"):
        pytest.skip("no Docker socket at /run/docker.sock = /var/run/docker.sock")
    try:
        clients = [docker_sdk.DockerClient(base_url=url, timeout=10)
                   for url in ("unix:///var/run/docker.sock", "unix:///run/docker.sock", "unix://var/run/docker.sock")]
        clients[0].ping()
    except Exception:  # pylint: disable=broad-except
        pytest.skip("no Docker daemon on /var/run/docker.sock")
    ids = set(_docker.engine_id(client) for client in clients)
    assert len(ids) == 1 and not ids.pop().startswith("url:")


def test_engine_id_without_an_id_uses_the_normalised_url():
    class Api(object):
        base_url = "http+docker://localhost"

    class Client(object):
        api = Api()

        def info(self):
            return {}
    assert _docker.engine_id(Client()) == "url:http+docker://localhost"
