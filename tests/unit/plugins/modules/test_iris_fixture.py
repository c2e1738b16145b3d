# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_fixture through main(): argspec and required_if, state=validated needs no container, the docker path
(upload/download calls) against the in-process simulator, and a copy that dies mid-way rolls back."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess

import pytest
import yaml

from ansible_collections.iris_devtools.iris.plugins.module_utils import _files, _fixture
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.modules import iris_fixture
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_fixture import count, make_source, snapshot


@pytest.fixture
def run_main(run_module_main):
    """``run_main(args) -> result`` with ``failed`` set: iris_fixture's main() through conftest's run_module_main."""
    def call(args):
        result, failed = run_module_main(iris_fixture, args)
        return dict(result, failed=failed)
    return call


class FakeContainer(object):
    id = "cid-sim"
    name = "sim"


class FakeClient(object):
    """The Docker client: its daemon ID keys the fixture lock."""

    def info(self):
        return {"ID": "ENGINE-SIM"}


@pytest.fixture
def docker_sim(iris_sim, monkeypatch):
    """The simulator behind a 'docker' transport: upload/download are plain copies into its directories."""
    calls = []

    def make(module):
        transport = iris_sim.transport("%SYS")
        transport.client = FakeClient()
        transport.container = FakeContainer()
        return transport

    def upload_file(client, container, src_path, dest_dir, dest_name, uid=51773, gid=51773, mode=0o660, timeout=None,
                    expected_checksum=None):
        """Like _docker.upload_file: the bytes are hashed as they are copied and installed only when they match."""
        calls.append(("upload", container.id, dest_dir, dest_name, expected_checksum))
        _files.copy_atomic(src_path, os.path.join(dest_dir, dest_name), expected_checksum=expected_checksum)
        return os.path.getsize(src_path)

    def download_file(client, container, src_path, dest_path, timeout=None):
        calls.append(("download", container.id, src_path))
        shutil.copyfile(src_path, dest_path)
        with open(dest_path, "rb") as handle:
            return "sha256:" + hashlib.sha256(handle.read()).hexdigest()

    def exec_with_stdin(client, container, argv, data, timeout, user=None):
        """The simulator's directories are local: run the command (the temp-file listing script) here."""
        calls.append(("exec", container.id, argv[0], user))
        proc = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout, check=False)
        return proc.returncode, proc.stdout, proc.stderr
    monkeypatch.setattr(_fixture, "make_transport", make)
    monkeypatch.setattr(_fixture._docker, "exec_with_stdin", exec_with_stdin)
    monkeypatch.setattr(_fixture._copy, "upload_file", upload_file)
    monkeypatch.setattr(_fixture._copy, "download_file", download_file)
    iris_sim.calls = calls
    return iris_sim


@pytest.mark.parametrize("args, needle", [
    ({"state": "present", "path": "/x"}, "state is present but all of the following are missing: namespace"),
    ({"state": "exported", "namespace": "A"}, "missing: path"),
    ({"state": "validated"}, "missing: path"),
    ({"state": "absent"}, "missing: namespace"),
    ({"state": "gone", "namespace": "A"}, "value of state must be one of: present, absent, exported, validated"),
    ({"state": "present", "path": "/x", "namespace": "A", "reload": "yes"}, "value of reload must be one of"),
])
def test_argspec_messages(args, needle, run_main):
    result = run_main(args)
    assert result["failed"] and needle in result["msg"]


def test_validated_needs_no_container_nor_instance(tmp_path, monkeypatch, run_main):
    monkeypatch.delenv("IRIS_CONTAINER", raising=False)

    def no_instance(module):
        raise AssertionError("state=validated must not reach an instance")
    monkeypatch.setattr(_fixture, "make_transport", no_instance)
    result = run_main({"state": "validated", "path": str(tmp_path / "none")})
    assert result["failed"] and "does not exist" in result["msg"] and "Fix:" in result["msg"]


def test_docs_parse_and_match_argspec():
    doc = yaml.safe_load(iris_fixture.DOCUMENTATION)
    spec = iris_fixture.argument_spec()
    for name in spec:
        assert name in doc["options"], name
    assert doc["options"]["state"]["choices"] == list(_fixture.STATES)
    assert doc["options"]["reload"]["choices"] == list(_fixture.RELOAD)
    assert "default" not in spec["namespace"]


def test_docker_round_trip_through_main(docker_sim, tmp_path, run_main):
    make_source(docker_sim)
    path = str(tmp_path / "fx")
    base = {"container": "sim", "transport": "docker"}
    exported = run_main(dict(base, state="exported", namespace="SRC", path=path))
    assert not exported["failed"] and exported["changed"], exported.get("msg")
    assert docker_sim.calls[0] == ("download", "cid-sim", os.path.join(docker_sim.inst.mgr_dir, "src") + "/IRIS.DAT")
    docker_sim.run("%SYS", 'do ##class(Config.Namespaces).Delete("SRC")')
    before = snapshot(docker_sim)
    restored = run_main(dict(base, state="present", namespace="FIX1", path=path, _ansible_diff=True))
    assert not restored["failed"] and restored["changed"], restored.get("msg")
    # the upload is told the manifest's checksum: it hashes what it sends and installs only matching bytes
    assert docker_sim.calls[1] == ("upload", "cid-sim", os.path.join(docker_sim.inst.mgr_dir, "fix1"), "IRIS.DAT",
                                   exported["manifest"]["checksum"])
    assert count(docker_sim, "FIX1", "Shop.Item") == 3
    assert restored["diff"]["after"]["restore"]["fixture"]["fixture_id"] == "src"
    again = run_main(dict(base, state="present", namespace="FIX1", path=path))
    assert again["changed"] is False and again["iris_sessions"] == 1
    gone = run_main(dict(base, state="absent", namespace="FIX1"))
    assert gone["changed"] is True and snapshot(docker_sim) == before


def test_container_stops_mid_copy(docker_sim, tmp_path, monkeypatch, run_main):
    """The upload fails half-way (partial temp file in the target directory): rollback removes it all."""
    make_source(docker_sim)
    path = str(tmp_path / "fx")
    base = {"container": "sim", "transport": "docker"}
    run_main(dict(base, state="exported", namespace="SRC", path=path))
    before = snapshot(docker_sim)

    def dying_upload(client, container, src_path, dest_dir, dest_name, **kwargs):
        with open(os.path.join(dest_dir, ".iris-devtools-upload-abc-IRIS.DAT"), "wb") as handle:
            handle.write(b"IRIS-SIM-DAT partial")
        raise IrisModuleError("Cannot copy: the container stopped during the copy", hint="start it and run again",
                              partial_path=os.path.join(dest_dir, ".iris-devtools-upload-abc-IRIS.DAT"))
    monkeypatch.setattr(_fixture._copy, "upload_file", dying_upload)
    result = run_main(dict(base, state="present", namespace="FIX1", path=path))
    assert result["failed"] and "container stopped" in result["msg"]
    assert "Everything this run created was removed again" in result["msg"]
    assert snapshot(docker_sim) == before


def test_docker_states_need_a_container(monkeypatch, run_main):
    """No shared required_if (state=validated is offline); _connect fails clearly when an instance is needed."""
    monkeypatch.delenv("IRIS_CONTAINER", raising=False)
    result = run_main({"state": "absent", "namespace": "FIX1", "transport": "docker"})
    assert result["failed"] and "needs the name of the container" in result["msg"] and "container option" in result["msg"]
    assert result["actions"] == []


def test_docker_absent_removes_upload_temp_files(docker_sim, tmp_path, run_main):
    """The listing script runs as root in the container; it removes only our temp files and lists what is left."""
    make_source(docker_sim)
    path = str(tmp_path / "fx")
    base = {"container": "sim", "transport": "docker"}
    run_main(dict(base, state="exported", namespace="SRC", path=path))
    kept = os.path.join(docker_sim.inst.mgr_dir, "kept dir")
    os.mkdir(kept)
    before = snapshot(docker_sim)
    assert not run_main(dict(base, state="present", namespace="FIX1", path=path, database_dir=kept))["failed"]
    for name in (".iris-devtools-upload-1f2e-IRIS.DAT", ".iris-devtools-upload-9c-IRIS.DAT", "keep-me.txt"):
        with open(os.path.join(kept, name), "wb") as handle:
            handle.write(b"partial")
    check = run_main(dict(base, state="absent", namespace="FIX1", _ansible_check_mode=True))
    assert check["actions"][1] == ("remove 2 leftover temp file(s) of an interrupted copy in %s/: .iris-devtools-upload-1f2e-IRIS.DAT, "
                                   ".iris-devtools-upload-9c-IRIS.DAT" % kept)
    assert len(os.listdir(kept)) == 4  # IRIS.DAT, two temp files, keep-me.txt
    gone = run_main(dict(base, state="absent", namespace="FIX1"))
    assert not gone["failed"] and gone["actions"] == check["actions"]
    assert ("exec", "cid-sim", "sh", "root") in docker_sim.calls
    assert sorted(os.listdir(kept)) == ["keep-me.txt"]
    os.unlink(os.path.join(kept, "keep-me.txt"))
    assert snapshot(docker_sim) == before


def test_hostile_database_dir_through_main(docker_sim, tmp_path, run_main):
    """issue 11 item 1 through main(): the message names the option, shows the value escaped and ends with a Fix."""
    result = run_main({"container": "sim", "transport": "docker", "state": "present", "namespace": "FIX1",
                       "path": str(tmp_path / "fx"), "database_dir": "x\ny"})
    assert result["failed"] and result["msg"].startswith("database_dir 'x\\ny' is not valid: it contains a control character, U+000A")
    assert ". Fix: " in result["msg"] and docker_sim.calls == []


@pytest.mark.parametrize("option, value", [
    ("namespace", "FIX\n1"),  # the shared rule (_argspec.validate_common)
    ("database_dir", "x\ny"), ("path", "/srv/fx\ny"), ("database", "DB\n"), ("fixture_id", "a\nb"), ("version", "1\n"),
    ("description", "a\x1bb"),
])
def test_one_message_style_for_every_option(docker_sim, tmp_path, run_main, option, value):
    """A run fails in one style whichever option is wrong (issue 11 item 1): the shared options' and iris_fixture's own
    checks both say "<option> <value> is not valid: it contains a control character, U+...". Fix: ..."."""
    args = {"container": "sim", "transport": "docker", "state": "exported" if option in ("fixture_id", "version", "description")
            else "present", "namespace": "FIX1", "path": str(tmp_path / "fx")}
    args[option] = value
    result = run_main(args)
    assert result["failed"] and result["msg"].startswith("%s %r is not valid: it contains a control character, U+" % (option, value)), result
    assert ". Fix: " in result["msg"] and docker_sim.calls == []
