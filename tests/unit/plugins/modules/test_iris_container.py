# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""iris_container with a fake Docker client: check == real, diff without secrets, password file
lifecycle, readiness and failure recognition, argspec messages."""

from __future__ import annotations

import io
import json
import os
import tarfile
import time

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _container as c
from ansible_collections.iris_devtools.iris.plugins.module_utils import _container_config as cc
from ansible_collections.iris_devtools.iris.plugins.module_utils import _container_password as pw
from ansible_collections.iris_devtools.iris.plugins.module_utils import _instance
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import IRISOWNER_UID
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.modules import iris_container

PASSWORD = "Canary-Pw-7f3a9"


# -- fakes -----------------------------------------------------------------------------------------

class NotFound(Exception):
    status_code = 404


class FakeImage(object):
    def __init__(self, ref, image_id="sha256:img1", env=None):
        self.id = image_id
        self.attrs = {"Id": image_id, "Config": {"Env": env or ["PATH=/bin"], "Labels": {"title": "sim"}, "Cmd": None}}


def _ts(when):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(when)) + (".%09dZ" % int((when % 1) * 1e9))


class FakeContainer(object):
    def __init__(self, client, name, image, command, kwargs):
        self.client = client
        self.id = "cid-%s-%d" % (name, len(client.created))
        self.name = name
        self.files = {}
        self.log = []
        env = list(image.attrs["Config"]["Env"]) + ["%s=%s" % kv for kv in sorted(kwargs.get("environment", {}).items())]
        labels = dict(image.attrs["Config"]["Labels"])
        labels.update(kwargs.get("labels") or {})
        bindings = {}
        for key, (host_ip, host_port) in (kwargs.get("ports") or {}).items():
            bindings[key] = [{"HostIp": host_ip, "HostPort": str(host_port) if host_port else ""}]
        mounts = [{"Type": m["Type"], "Source": m["Source"], "Target": m["Target"], "ReadOnly": m.get("ReadOnly", False)}
                  for m in kwargs.get("mounts") or []]
        self.attrs = {
            "Id": self.id, "Name": "/" + name, "Image": image.id,
            "Config": {"Image": kwargs.get("image_ref"), "Env": env, "Labels": labels, "Cmd": command},
            "HostConfig": {"PortBindings": bindings, "Mounts": mounts, "Memory": kwargs.get("mem_limit", 0),
                           "NanoCpus": kwargs.get("nano_cpus", 0), "CpusetCpus": kwargs.get("cpuset_cpus", "")},
            "State": {"Status": "created", "Running": False, "StartedAt": "0001-01-01T00:00:00Z", "ExitCode": 0},
            "NetworkSettings": {"Ports": {}},
        }

    @property
    def status(self):
        return self.attrs["State"]["Status"]

    def start(self):
        self.client.calls.append(("start", self.name))
        if self.client.port_taken:
            raise FakeAPIError("driver failed programming external connectivity: Bind for 127.0.0.1:41972 failed: "
                               "port is already allocated")
        now = time.time()
        self.attrs["State"].update(Status="running", Running=True, StartedAt=_ts(now))
        ports = {}
        for number, (key, bindings) in enumerate(sorted(self.attrs["HostConfig"]["PortBindings"].items())):
            port = bindings[0]["HostPort"] or str(32768 + number)
            ports[key] = [{"HostIp": bindings[0]["HostIp"], "HostPort": port}]
        self.attrs["NetworkSettings"]["Ports"] = ports
        self.client.on_start(self, now)

    def stop(self, timeout=None):
        self.client.calls.append(("stop", self.name))
        self.attrs["State"].update(Status="exited", Running=False)
        self.attrs["NetworkSettings"]["Ports"] = {}

    def remove(self, force=False, v=False):
        self.client.calls.append(("remove", self.name))
        self.client.containers.items.pop(self.name, None)

    def reload(self):
        pass

    def logs(self, timestamps=False, since=None, tail=None):
        return "".join("%s %s\n" % (_ts(when), line) for when, line in self.log).encode()

    def put_archive(self, path, data):
        self.client.calls.append(("put_archive", self.name, path))
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for member in tar.getmembers():
                content = None if member.isdir() else tar.extractfile(member).read()
                self.files[path + "/" + member.name] = (content, member.mode, member.uid)
        return True

    def get_archive(self, path):
        raise AssertionError("get_archive(%s): the module must not read container files back" % path)


class FakeAPIError(Exception):
    status_code = 500

    def __init__(self, explanation):
        super(FakeAPIError, self).__init__(explanation)
        self.explanation = explanation


class FakeContainers(object):
    def __init__(self, client):
        self.client = client
        self.items = {}

    def get(self, name):
        if name not in self.items:
            raise NotFound(name)
        return self.items[name]

    def create(self, image_ref, command=None, **kwargs):
        self.client.calls.append(("create", kwargs["name"]))
        self.client.created.append(dict(kwargs, command=command, image=image_ref))
        image = self.client.images.get(image_ref)
        container = FakeContainer(self.client, kwargs["name"], image, command, dict(kwargs, image_ref=image_ref))
        self.items[kwargs["name"]] = container
        return container


class FakeImages(object):
    def __init__(self):
        self.items = {"img:1": FakeImage("img:1"), "sha256:img1": FakeImage("img:1"),
                      "img:2": FakeImage("img:2", "sha256:img2"), "sha256:img2": FakeImage("img:2", "sha256:img2")}

    def get(self, ref):
        if ref not in self.items:
            raise NotFound(ref)
        return self.items[ref]


class FakeClient(object):
    """Behaves like the simulator: logs 'Enabling logons' and, at start, deletes the password file (or renames or
    keeps it: IRIS_SIM_PASSWORD_FILE of the simulator)."""

    def __init__(self, start_log=("Starting IRIS", "Enabling logons"), password_file="delete", exit_on_start=False):
        self.calls = []
        self.execs = []
        self.exec_results = {}  # argv[0:2] tuple -> (exit_code, stdout, stderr) or an exception
        self.login_ok = True
        self.created = []
        self.containers = FakeContainers(self)
        self.images = FakeImages()
        self.start_log = start_log
        self.password_file = password_file
        self.exit_on_start = exit_on_start
        self.port_taken = False

    def on_start(self, container, now):
        for offset, line in enumerate(self.start_log):
            container.log.append((now + 0.001 * (offset + 1), line))
        if pw.PASSWORD_PATH in container.files and self.password_file != "keep":
            content = container.files.pop(pw.PASSWORD_PATH)
            if self.password_file == "rename":
                container.files[pw.PASSWORD_PATH + ".done"] = content
        if self.exit_on_start:
            container.attrs["State"].update(Status="exited", Running=False, ExitCode=1)

    def exec_in(self, container, argv, user, timeout):
        """``Instance.run_command`` in a container of this fake Docker: records the call; `rm -rf` removes a container path."""
        self.calls.append(("exec", container.name, " ".join(argv), user))
        self.execs.append((tuple(argv), user, timeout))
        outcome = self.exec_results.get(tuple(argv[:2]), (0, b"", b""))
        if isinstance(outcome, Exception):
            raise outcome
        if argv[:2] == ["rm", "-rf"] and outcome[0] == 0:
            for path in [p for p in container.files if p == argv[2] or p.startswith(argv[2] + "/")]:
                del container.files[path]
        return outcome

    def mutating_calls(self):
        return [call for call in self.calls if call[0] in ("create", "start", "stop", "remove", "put_archive", "exec")]


def _run_command(instance, argv, user=None, timeout=None):
    """``run_command`` of an instance in a fake container: the fake Docker's exec, with the instance's bound."""
    return instance.container.client.exec_in(instance.container, argv, user, instance.timeout if timeout is None else timeout)


@pytest.fixture(autouse=True)
def fake_exec(monkeypatch):
    monkeypatch.setattr(_instance.DockerInstance, "run_command", _run_command)


class FakeTransport(object):
    programs = []  # every program run in %SYS, for assertions

    def __init__(self, namespace, results, client=None):
        self.namespace = namespace
        self.results = results
        self.client = client
        self.sessions = 0

    def run(self, program):
        self.sessions += 1
        if self.namespace == "%SYS":
            FakeTransport.programs.append(program)
            result = dict(self.results)
            names = program.template_names
            if "user_password_flags" in names:
                for index in range(len(pw.PREDEFINED_ACCOUNTS)):
                    result.setdefault("account%d" % index, True)
            if "password_login" in names:
                result.setdefault(pw.LOGIN_KEY, self.client.login_ok if self.client else True)
            return result
        return {"version": "IRIS fake 2025.1", "namespace": self.namespace}


class FakeInstance(_instance.Instance):
    """An instance in ``container`` whose transports come from ``factory(namespace)`` (one per namespace, as the real
    one); its commands run in the fake container."""

    def __init__(self, container, factory):
        super(FakeInstance, self).__init__(timeout=5)
        self.container = container
        self.factory = factory

    run_command = _run_command

    def _new_transport(self, namespace):
        return self.factory(namespace)


class FakeModule(object):
    def __init__(self, check_mode=False, diff=True, **params):
        self.params = dict(name="iris1", image="img:1", state="healthy", recreate="on_change", host_ip="127.0.0.1",
                           superserver_port=None, web_port=None, publish_web=True, published_ports=None, volumes=None,
                           durable_dir=None, license_key=None, password=None, cpf_merge=None, env=None, labels=None,
                           memory=None, cpus=None, command_args=None, wait_timeout=3, stop_timeout=1, keep_failed=False,
                           state_dir=None, instance="IRIS", namespace="USER", timeout=5, docker_host=None,
                           password_change_required=False, password_never_expires=False)
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []

    def warn(self, text):
        self.warnings.append(text)


class FakeClock(object):
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def run(client, check_mode=False, cpf_results=None, **params):
    module = FakeModule(check_mode=check_mode, **params)
    clock = FakeClock()
    manager = c.ContainerManager(module, client=client,
                                 instance_factory=lambda container: FakeInstance(container, lambda ns: FakeTransport(ns, cpf_results or {}, client)),
                                 clock=clock, sleep=clock.sleep)
    result = manager.run()
    return result, module, manager


UNKNOWABLE_IN_CHECK = ("iris_sessions", "container_id", "superserver_port", "web_port", "iris_version", "image_id")


def assert_check_matches(check, real):
    assert check["changed"] == real["changed"]
    assert check["actions"] == real["actions"]
    assert check.get("diff") == real.get("diff")
    assert set(check) == set(real)
    for key in set(real) - set(UNKNOWABLE_IN_CHECK):
        assert check[key] == real[key], key


# -- check == real, idempotence, diff ------------------------------------------------------------------

def test_create_four_steps(tmp_path):
    client = FakeClient()
    state_dir = str(tmp_path / "state")
    merge = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n"
    opts = dict(password=PASSWORD, cpf_merge=merge, state_dir=state_dir, env={"TZ": "UTC"}, memory="1g")
    check, dummy, dummy = run(client, check_mode=True, **opts)
    assert client.mutating_calls() == []
    assert not os.path.exists(state_dir)
    real, module, dummy = run(client, cpf_results={"a0": True}, **opts)
    assert real["changed"] and real["status"] == "running"
    assert real["actions"] == ["create container iris1 from img:1", "start container iris1"]
    assert_check_matches(check, real)
    assert real["superserver_port"] and real["web_port"] and real["iris_version"] == "IRIS fake 2025.1"
    assert real["diff"]["before"]["exists"] is False and real["diff"]["after"]["exists"] is True
    assert real["diff"]["after"]["cpf_merge"] == merge
    assert open(os.path.join(state_dir, "iris1", "merge.cpf")).read() == merge

    check2, dummy, dummy = run(client, check_mode=True, **opts)
    real2, dummy, dummy = run(client, **opts)
    assert not check2["changed"] and not real2["changed"]
    assert check2 == real2
    assert real2["diff"]["before"] == real2["diff"]["after"]
    assert real2["superserver_port"] == real["superserver_port"]
    assert len(client.created) == 1


def test_config_change_recreates_and_check_predicts_it():
    client = FakeClient()
    run(client)
    check, dummy, dummy = run(client, check_mode=True, env={"X": "1"}, image="img:2")
    real, dummy, dummy = run(client, env={"X": "1"}, image="img:2")
    assert_check_matches(check, real)
    assert real["actions"][0] == "remove container iris1 (configuration differs: image, env)"
    assert real["diff"]["before"]["env"] == {} and real["diff"]["after"]["env"] == {"X": "1"}
    assert real["image_id"] == "sha256:img2"


def test_recreate_never_warns_and_keeps():
    client = FakeClient()
    run(client)
    real, module, dummy = run(client, recreate="never", env={"X": "1"})
    assert not real["changed"]
    assert "recreate=never" in module.warnings[0] and "env" in module.warnings[0]


def test_recreate_always_is_not_idempotent():
    client = FakeClient()
    run(client)
    real, dummy, dummy = run(client, recreate="always")
    assert real["changed"] and "recreate=always" in real["actions"][0]


def test_stop_start_absent_with_check_mode():
    client = FakeClient()
    run(client)
    check, dummy, dummy = run(client, check_mode=True, state="stopped")
    real, dummy, dummy = run(client, state="stopped")
    assert_check_matches(check, real)
    assert real["actions"] == ["stop container iris1"] and real["status"] == "exited"
    check, dummy, dummy = run(client, check_mode=True, state="started", image=None)
    real, dummy, dummy = run(client, state="started", image=None)
    assert_check_matches(check, real)
    assert real["actions"] == ["start container iris1"]
    check, dummy, dummy = run(client, check_mode=True, state="absent")
    real, dummy, dummy = run(client, state="absent")
    assert_check_matches(check, real)
    assert real["actions"] == ["remove container iris1"]
    again, dummy, dummy = run(client, state="absent")
    assert not again["changed"]


IRIS_STOP = (("iris", "stop", "IRIS", "quietly"), "irisowner", 1)


def test_every_stop_path_runs_iris_stop_first():
    """Issue 10 item 3: state=stopped, recreate and absent shut IRIS down inside the container before Docker stops it."""
    client = FakeClient()
    run(client)
    for opts in (dict(state="stopped"), dict(state="started"), dict(recreate="always"), dict(state="absent")):
        del client.calls[:]
        run(client, **opts)
        if opts.get("state") == "started":
            assert [call for call in client.calls if call[0] == "exec"] == []
            continue
        stop_call = ("exec", "iris1", "iris stop IRIS quietly", "irisowner")
        assert stop_call in client.calls, opts
        assert client.calls.index(stop_call) < client.calls.index(("stop", "iris1"))
        assert IRIS_STOP in client.execs


def test_iris_stop_failure_or_timeout_is_a_warning():
    for outcome in ((1, b"IRIS is not running.\n", b""),
                    IrisModuleError("The command did not finish within 1 seconds", hint="x")):
        client = FakeClient()
        run(client)
        client.exec_results[("iris", "stop")] = outcome
        real, module, dummy = run(client, state="stopped")
        assert real["status"] == "exited" and ("stop", "iris1") in client.calls
        assert len(module.warnings) == 1
        assert module.warnings[0].startswith("'iris stop IRIS quietly' in container iris1 did not succeed: ")
        assert "stop_timeout=1s" in module.warnings[0]


def test_stopped_container_is_not_stopped_again():
    client = FakeClient()
    run(client, state="present")
    real, dummy, dummy = run(client, state="absent")
    assert client.execs == [] and ("stop", "iris1") not in client.calls


def test_present_does_not_start():
    client = FakeClient()
    real, dummy, dummy = run(client, state="present")
    assert real["actions"] == ["create container iris1 from img:1"] and real["status"] == "created"
    assert ("start", "iris1") not in client.calls


# -- secrets ---------------------------------------------------------------------------------------------

def test_password_goes_only_into_the_container_file():
    client = FakeClient(password_file="keep")
    container_files = {}

    def keep_files(container, now):
        container_files.update(container.files)
        container.files.pop(pw.PASSWORD_PATH, None)  # then consumed, like iris-main
        for offset, line in enumerate(client.start_log):
            container.log.append((now + 0.001 * (offset + 1), line))
    client.on_start = keep_files
    real, dummy, manager = run(client, password=PASSWORD)
    content, mode, uid = container_files[pw.PASSWORD_PATH]
    assert (content, mode, uid) == (PASSWORD.encode(), 0o600, 51773)
    # in a private directory of its own, created by the same archive
    assert pw.PASSWORD_PATH == "/tmp/iris-devtools-pw/password"
    assert container_files["/tmp/iris-devtools-pw"] == (None, 0o700, 51773)
    assert sorted(container_files) == ["/tmp/iris-devtools-pw", pw.PASSWORD_PATH]
    created = client.created[0]
    assert created["command"] == ["--password-file", pw.PASSWORD_PATH]
    assert PASSWORD not in repr(created)
    assert PASSWORD not in json.dumps(real)
    assert PASSWORD not in json.dumps(manager.fail_results, default=str)
    assert PASSWORD not in json.dumps(client.containers.get("iris1").attrs)
    # put_archive happened before start
    assert client.calls.index(("put_archive", "iris1", "/tmp")) < client.calls.index(("start", "iris1"))


def test_password_change_later_does_not_recreate():
    client = FakeClient()
    run(client, password=PASSWORD)
    real, dummy, dummy = run(client, password="another-one")
    assert not real["changed"]


@pytest.mark.parametrize("mode", ["keep", "rename", "delete"])
def test_password_directory_is_removed_whatever_iris_main_did_with_the_file(mode):
    """Audit F6: kept, renamed or deleted, no copy of the password file is left and the start succeeds; the
    directory goes with ONE `rm -rf` as root, and nothing is read back from the container (no get_archive)."""
    client = FakeClient(password_file=mode)
    real, module, dummy = run(client, password=PASSWORD)
    assert real["changed"] and real["status"] == "running"
    container = client.containers.get("iris1")
    assert container.files == {}
    assert [e for e in client.execs if e[0][0] == "rm"] == [(("rm", "-rf", "/tmp/iris-devtools-pw"), "root", 5)]
    assert module.warnings == []


def test_password_directory_that_cannot_be_removed_is_a_warning():
    client = FakeClient(password_file="rename")
    client.exec_results[("rm", "-rf")] = (1, b"", b"rm: cannot remove")
    real, module, dummy = run(client, password=PASSWORD)
    assert real["status"] == "running"
    assert "could not be removed" in module.warnings[0]
    assert "docker exec -u root iris1 rm -rf /tmp/iris-devtools-pw" in module.warnings[0]
    assert PASSWORD not in module.warnings[0]


def test_password_made_usable_and_checked_in_one_session():
    """Audit F7: the change-on-first-login flag is cleared on each predefined account, then a real login is checked,
    in the one %SYS session the start adds; the password enters the program only as a Secret literal."""
    FakeTransport.programs[:] = []
    client = FakeClient()
    merge = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n"
    real, dummy, manager = run(client, password=PASSWORD, cpf_merge=merge, cpf_results={"a0": True})
    assert len(FakeTransport.programs) == 1
    program = FakeTransport.programs[0]
    assert program.template_names == ["namespace_exists", "user_password_flags", "password_login"]
    assert program.has_secrets and program.secret_values == [PASSWORD]
    text = program.render("t" * 16)
    for name in pw.PREDEFINED_ACCOUNTS:
        assert '##class(Security.Users).Exists("%s")' % name in text
        assert '##class(Security.Users).Modify("%s",.idtP)' % name in text
    assert 'set:1 idtP("ChangePassword")=0 set:0 idtP("PasswordNeverExpires")=1' in text
    assert '$SYSTEM.Security.Login("_SYSTEM","%s")' % PASSWORD in text
    assert "ChangePassword(" not in text and "SetPassword(" not in text
    assert real["iris_sessions"] == 2  # the ping + one %SYS session
    again, dummy, dummy = run(client, password=PASSWORD, cpf_merge=merge)
    assert again["iris_sessions"] == 1 and len(FakeTransport.programs) == 1


def test_password_never_expires_option():
    FakeTransport.programs[:] = []
    run(FakeClient(), password=PASSWORD, password_never_expires=True)
    assert 'set:1 idtP("ChangePassword")=0 set:1 idtP("PasswordNeverExpires")=1' in FakeTransport.programs[0].render("t" * 16)


def test_password_change_required_leaves_the_flag_and_checks_no_login():
    FakeTransport.programs[:] = []
    client = FakeClient()
    client.login_ok = False  # IRIS refuses a password login while the flag is set [inf]
    real, dummy, dummy = run(client, password=PASSWORD, password_change_required=True)
    assert real["status"] == "running" and real["iris_sessions"] == 1
    assert FakeTransport.programs == []


def test_refused_password_login_fails_clearly_and_removes_the_container():
    client = FakeClient()
    client.login_ok = False
    with pytest.raises(IrisModuleError) as exc:
        run(client, password=PASSWORD)
    assert exc.value.details["reason"] == "password_login_refused"
    assert exc.value.msg.startswith("IRIS refused a password login for _SYSTEM after the password was set")
    assert "--password-file" in exc.value.hint
    assert "iris1" not in client.containers.items


class EchoTransport(object):
    """A real _transport.Transport whose session echoes the program and fails in the password step, with the
    password in IRIS's error output: nothing the module reports may contain it."""

    def __init__(self, namespace, kind):
        from ansible_collections.iris_devtools.iris.plugins.module_utils import _transport

        outer = self

        class Echo(_transport.Transport):
            def _execute(self, data):
                text = data.decode("utf-8")
                if kind == "frame":
                    token = text.split('idtTok="', 1)[1].split('"', 1)[0]
                    error = {"kind": "exception", "name": "<ILLEGAL VALUE>", "code": 1, "location": "x " + PASSWORD,
                             "data": PASSWORD, "text": "<ILLEGAL VALUE> " + PASSWORD, "step": 9, "template": "password_login"}
                    out = text + "\x02%s:E:%s\x03\n" % (token, json.dumps(error))
                else:
                    out = text + "<METHOD DOES NOT EXIST> *Login,%SYSTEM.Security " + PASSWORD + "\n"
                return 0, out.encode("utf-8"), ("stderr " + PASSWORD).encode("utf-8")
        self.inner = Echo(namespace=namespace)
        outer.sessions = 0

    @property
    def sessions(self):
        return self.inner.sessions

    @sessions.setter
    def sessions(self, value):
        pass

    def run(self, program):
        if self.inner.namespace != "%SYS":
            self.inner.sessions += 1
            return {"version": "IRIS echo", "namespace": self.inner.namespace}
        return self.inner.run(program)


@pytest.mark.parametrize("kind", ["frame", "noframe"])
def test_password_never_reaches_errors_with_a_canary(kind):
    client = FakeClient()
    module = FakeModule(password=PASSWORD)
    clock = FakeClock()
    manager = c.ContainerManager(module, client=client, instance_factory=lambda container: FakeInstance(container, lambda ns: EchoTransport(ns, kind)),
                                 clock=clock, sleep=clock.sleep)
    with pytest.raises(IrisModuleError) as exc:
        manager.run()
    error = exc.value
    # a known failing step names the password steps; without one the attribution stays neutral
    assert error.details["reason"] == ("password_not_usable" if kind == "frame" else "post_start_checks_failed")
    everything = json.dumps([error.msg, error.hint, error.details, manager.fail_results, module.warnings], default=str)
    assert PASSWORD not in everything
    assert "idtTok" not in everything and "Security.Users" not in everything  # no program text either


# -- readiness and failures -------------------------------------------------------------------------------

def test_expired_licence_is_recognised_and_container_removed(tmp_path):
    key = tmp_path / "iris.key"
    key.write_text("EXPIRED")
    client = FakeClient(start_log=("Starting", "Invalid Community Edition license, may have exceeded core limit"),
                        exit_on_start=True)
    with pytest.raises(IrisModuleError) as exc:
        run(client, license_key=str(key))
    assert exc.value.details["reason"] == "expired_license"
    assert "newer image tag" in exc.value.hint
    assert "iris1" not in client.containers.items
    assert client.created[0]["command"] == ["--key", cc.KEY_TARGET]


def test_keep_failed_keeps_the_container():
    client = FakeClient(start_log=("Starting", "boom"), exit_on_start=True)
    with pytest.raises(IrisModuleError) as exc:
        run(client, keep_failed=True)
    assert exc.value.details["reason"] == "exited"
    assert exc.value.details["log_lines"] == ["Starting", "boom"]
    assert "iris1" in client.containers.items


def test_timeout_without_logons():
    client = FakeClient(start_log=("Starting",))
    with pytest.raises(IrisModuleError) as exc:
        run(client, wait_timeout=1)
    assert exc.value.details["reason"] == "timeout"
    assert "Enabling logons" in exc.value.msg


def test_port_taken():
    client = FakeClient()
    client.port_taken = True
    with pytest.raises(IrisModuleError) as exc:
        run(client, superserver_port=41972)
    assert "already in use" in exc.value.msg and "superserver_port" in exc.value.hint
    assert "iris1" not in client.containers.items


def test_unknown_image():
    with pytest.raises(IrisModuleError) as exc:
        run(FakeClient(), image="nope:1")
    assert "not found locally; build or load it, or check the name" in exc.value.msg


def test_cpf_merge_without_effect_fails():
    client = FakeClient()
    merge = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\nModifyService:Name=%Service_CallIn,Enabled=1\n"
    with pytest.raises(IrisModuleError) as exc:
        run(client, cpf_merge=merge, cpf_results={"a0": False, "a1": {"Enabled": 0}})
    assert exc.value.details["reason"] == "cpf_merge_not_applied"
    assert "namespace APP" in exc.value.msg and "Enabled=1" in exc.value.msg


def test_default_state_dir_is_under_home_and_absent_removes_it(private_home):
    """conftest gives each test its own HOME: two xdist workers once shared ~/.cache/iris_devtools/containers/iris1,
    and one test's state=absent removed the directory while another wrote its merge file there."""
    client = FakeClient()
    merge = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n"
    run(client, cpf_merge=merge, cpf_results={"a0": True})
    files = private_home / ".cache" / "iris_devtools" / "containers" / "iris1"
    assert (files / "merge.cpf").read_text() == merge
    real, dummy, dummy = run(client, state="absent")
    assert real["actions"] == ["remove container iris1"] and not files.exists()


def test_merge_file_is_written_atomically_not_through_a_predictable_name(private_home):
    """The merge file goes through _files' atomic writer (a random temporary name, fsync, rename): a file planted at
    the old predictable name merge.cpf.tmp (here a symlink to another file) is neither followed nor used."""
    files = private_home / ".cache" / "iris_devtools" / "containers" / "iris1"
    files.mkdir(parents=True)
    victim = private_home / "victim"
    victim.write_text("untouched")
    (files / "merge.cpf.tmp").symlink_to(victim)
    merge = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n"
    run(FakeClient(), cpf_merge=merge, cpf_results={"a0": True})
    assert victim.read_text() == "untouched"
    assert (files / "merge.cpf").read_text() == merge and not (files / "merge.cpf").is_symlink()
    assert oct((files / "merge.cpf").stat().st_mode & 0o777) == oct(0o644)


def test_absent_with_only_module_files_left_is_a_change(private_home):
    files = private_home / ".cache" / "iris_devtools" / "containers" / "iris1"
    files.mkdir(parents=True)
    (files / "merge.cpf").write_text("x")
    check, dummy, dummy = run(FakeClient(), check_mode=True, state="absent")
    real, dummy, dummy = run(FakeClient(), state="absent")
    assert check["changed"] and real["changed"] and real["actions"] == ["remove module files %s" % files]
    assert not files.exists()
    again, dummy, dummy = run(FakeClient(), state="absent")
    assert not again["changed"] and again["actions"] == []


def test_absent_reports_module_files_it_cannot_remove(private_home, monkeypatch):
    files = private_home / ".cache" / "iris_devtools" / "containers" / "iris1"
    files.mkdir(parents=True)
    (files / "merge.cpf").write_text("x")

    def refuse(path, *args, **kwargs):
        raise OSError(39, "Directory not empty", path)
    monkeypatch.setattr(c.shutil, "rmtree", refuse)
    with pytest.raises(IrisModuleError) as exc:
        run(FakeClient(), state="absent")
    assert exc.value.msg.startswith("Cannot remove the module files %s: " % files)
    assert "one container name, one task" in exc.value.hint


def test_durable_dir_wrong_owner_fails_fast_in_check_mode_too(tmp_path):
    if os.stat(str(tmp_path)).st_uid == IRISOWNER_UID:
        pytest.skip("test directory is owned by 51773")
    for check_mode in (True, False):
        client = FakeClient()
        with pytest.raises(IrisModuleError) as exc:
            run(client, check_mode=check_mode, durable_dir=str(tmp_path))
        assert "51773" in exc.value.msg and "chown" in exc.value.hint
        assert client.mutating_calls() == []


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to 51773 needs root")
def test_durable_dir_is_created_with_owner(tmp_path):
    durable = tmp_path / "durable"
    real, dummy, dummy = run(FakeClient(), durable_dir=str(durable))
    assert os.stat(str(durable)).st_uid == IRISOWNER_UID
    assert real["actions"][0].startswith("create durable_dir")


# -- the module: argspec and the one fail site --------------------------------------------------------------

@pytest.mark.parametrize("args, needle", [
    ({}, "one of the following is required: name, container"),
    ({"name": "x", "state": "running"}, "value of state must be one of: present, started, stopped, absent, healthy"),
    ({"name": "x", "recreate": "yes"}, "value of recreate must be one of: never, on_change, always"),
    ({"name": "x", "superserver_port": "abc"}, "superserver_port"),
    ({"name": "x", "transport": "local"}, "value of transport must be one of: docker"),
])
def test_argspec_messages(args, needle, run_module_main):
    result, failed = run_module_main(iris_container, args)
    assert failed and needle in result["msg"]


def test_argspec_lists_password_as_no_log():
    spec = iris_container.argument_spec()
    assert spec["password"]["no_log"] is True
    assert spec["license_key"]["no_log"] is False


def test_manager_errors_reach_the_one_fail_site(monkeypatch, run_module_main):
    def broken(self):
        raise IrisModuleError("boom", hint="fix it", reason="x")
    monkeypatch.setattr(c.ContainerManager, "run", broken)
    result, failed = run_module_main(iris_container, {"name": "x", "password": PASSWORD})
    assert failed and result["msg"] == "boom. Fix: fix it" and result["reason"] == "x"
    assert result["actions"] == []


def test_group_module_defaults_keys_are_accepted(monkeypatch, run_module_main):
    """module_defaults for group/iris_devtools.iris.iris may set container and transport for every module:
    iris_container takes container as its name and transport docker."""
    seen = {}

    def record(self):
        seen.update(self.module.params)
        return dict(changed=False)
    monkeypatch.setattr(c.ContainerManager, "run", record)
    result, failed = run_module_main(iris_container, {"container": "iris1", "transport": "docker", "state": "absent"})
    assert not failed, result
    assert seen["name"] == "iris1" and seen["transport"] == "docker"
    result, failed = run_module_main(iris_container, {"container": "iris1", "name": "iris2", "state": "absent"})
    assert not failed and seen["name"] == "iris2"  # name wins; no alias warning
    assert not result.get("warnings")


# -- issue 11 / audit F12 hardening ----------------------------------------------------------------

def test_recreate_is_visible_in_check_mode_result_and_diff(tmp_path):
    """issue 11 item 5: --check --diff must say that the container (and its data) is replaced, and why."""
    client = FakeClient()
    state_dir = str(tmp_path / "state")
    first = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n"
    created, dummy, dummy = run(client, cpf_merge=first, state_dir=state_dir, cpf_results={"a0": True})
    assert created["recreated"] is False and created["differences"] == [] and "prepared" not in created["diff"]
    second = first + "CreateNamespace:Name=APP2,Globals=USER,Routines=USER\n"
    check, dummy, dummy = run(client, check_mode=True, cpf_merge=second, state_dir=state_dir)
    real, dummy, dummy = run(client, cpf_merge=second, state_dir=state_dir, cpf_results={"a0": True, "a1": True})
    assert_check_matches(check, real)
    assert check["recreated"] is True and check["differences"] == ["cpf_merge"]
    assert check["diff"]["prepared"] == ("container iris1 would be recreated (IRIS data outside durable_dir and volumes "
                                         "is lost): cpf_merge changed\n")
    assert check["actions"][0] == "remove container iris1 (configuration differs: cpf_merge)"
    kept, module, dummy = run(client, recreate="never", cpf_merge=first, state_dir=state_dir)
    assert kept["recreated"] is False and kept["differences"] == ["cpf_merge"] and "prepared" not in kept["diff"]
    always, dummy, dummy = run(client, check_mode=True, recreate="always", cpf_merge=second, state_dir=state_dir)
    assert always["recreated"] is True and always["diff"]["prepared"].endswith(": recreate=always\n")


def test_cpuset_cpus_four_steps_and_change_recreates():
    """audit F12: cpuset_cpus reaches the Docker create call, is compared, and a change is a shown recreate."""
    client = FakeClient()
    check, dummy, dummy = run(client, check_mode=True, cpuset_cpus="0-1", cpus=1.5)
    real, dummy, dummy = run(client, cpuset_cpus="0-1", cpus=1.5)
    assert_check_matches(check, real)
    assert client.created[0]["cpuset_cpus"] == "0-1" and client.created[0]["nano_cpus"] == 1500000000
    assert real["diff"]["after"]["cpuset_cpus"] == "0-1"
    check2, dummy, dummy = run(client, check_mode=True, cpuset_cpus="0-1", cpus=1.5)
    real2, dummy, dummy = run(client, cpuset_cpus="0-1", cpus=1.5)
    assert not check2["changed"] and check2 == real2
    change, dummy, dummy = run(client, check_mode=True, cpuset_cpus="0", cpus=1.5)
    assert change["differences"] == ["cpuset_cpus"] and "cpuset_cpus changed" in change["diff"]["prepared"]
    assert change["diff"]["before"]["cpuset_cpus"] == "0-1" and change["diff"]["after"]["cpuset_cpus"] == "0"
    assert len(client.created) == 1


def test_image_inspect_error_fails_and_keeps_the_container():
    """issue 11 item 6: a transient image-inspect error once made recreate=on_change destroy the container."""
    client = FakeClient()
    run(client)
    real_get = client.images.get

    def flaky(ref):
        if ref.startswith("sha256:"):
            raise FakeAPIError("500 Server Error: Internal Server Error (\"context deadline exceeded\")")
        return real_get(ref)
    client.images.get = flaky
    before = list(client.calls)
    with pytest.raises(IrisModuleError) as exc:
        run(client)
    assert "inspect image sha256:img1 of container iris1" in exc.value.msg
    assert client.calls == before  # nothing removed, created or started
    assert "iris1" in client.containers.items


def test_image_gone_under_a_container_still_compares():
    client = FakeClient()
    run(client)
    del client.images.items["sha256:img1"]  # not found: no image defaults, not an error
    real, dummy, dummy = run(client, image=None, state="started")
    assert not real["changed"]


def test_failed_create_removes_the_module_files(tmp_path):
    """issue 11 item 6: the merge file written for a container that was then removed must go too."""
    client = FakeClient()
    client.port_taken = True
    state_dir = tmp_path / "state"
    merge = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n"
    with pytest.raises(IrisModuleError) as exc:
        run(client, cpf_merge=merge, state_dir=str(state_dir))
    assert "already in use" in exc.value.msg
    assert "iris1" not in client.containers.items
    assert not (state_dir / "iris1").exists()


def test_failed_create_kept_with_keep_failed_keeps_its_files(tmp_path):
    client = FakeClient(start_log=("Starting", "boom"), exit_on_start=True)
    state_dir = tmp_path / "state"
    with pytest.raises(IrisModuleError):
        run(client, cpf_merge="[Actions]\n", state_dir=str(state_dir), keep_failed=True)
    assert "iris1" in client.containers.items
    assert (state_dir / "iris1" / "merge.cpf").exists()


class DownTransport(FakeTransport):
    """A session into an instance that is down, as the simulator's `iris session` fails then."""

    def run(self, program):
        self.sessions += 1
        raise IrisModuleError("The IRIS session produced no result (exit code 1)", exit_code=1,
                              output_lines=["IRIS is not running."])


def _manager(client, module, transport):
    clock = FakeClock()
    manager = c.ContainerManager(module, client=client, instance_factory=lambda container: FakeInstance(container, lambda ns: transport(ns, {})),
                                 clock=clock, sleep=clock.sleep)
    return manager, clock


def test_running_container_with_iris_down_fails_fast():
    """issue 11 item 6: the module waited wait_timeout and then advised raising it."""
    client = FakeClient()
    run(client)
    client.exec_results[("iris", "qlist")] = (
        0, b"IRIS^/usr/irissys/^2025.1.0.223.0^down, last used Sat Dec  5 09:00:00 2026^iris.cpf^1972^52773^0^ok^IRIS^^^/usr/irissys/\n", b"")
    for check_mode in (True, False):
        manager, clock = _manager(client, FakeModule(check_mode=check_mode, wait_timeout=300), DownTransport)
        with pytest.raises(IrisModuleError) as exc:
            manager.run()
        assert exc.value.details["reason"] == "iris_down"
        assert exc.value.msg == ("Container iris1 is running, but IRIS instance IRIS in it is down (iris qlist: 'down, "
                                 "last used Sat Dec  5 09:00:00 2026'). The session said: IRIS is not running.")
        assert "iris start IRIS" in exc.value.hint and "wait_timeout" not in exc.value.hint
        assert clock.now < 5
    qlists = [e for e in client.execs if e[0][:2] == ("iris", "qlist")]
    assert qlists[0] == (("iris", "qlist", "IRIS"), None, 5)  # through Instance.run_command, the one exec path
    assert client.containers.get("iris1").status == "running"


def test_iris_running_but_session_failing_still_waits_for_the_timeout():
    client = FakeClient()
    run(client)
    client.exec_results[("iris", "qlist")] = (
        0, b"IRIS^/usr/irissys/^2025.1^running, since Sat Dec  5 09:00:00 2026^iris.cpf^1972^52773^0^ok^IRIS^^^/x/", b"")
    manager, clock = _manager(client, FakeModule(wait_timeout=3), DownTransport)
    with pytest.raises(IrisModuleError) as exc:
        manager.run()
    assert exc.value.details["reason"] == "timeout"


@pytest.mark.parametrize("host_ip", ["localhost", "127.0.0.1 ", 'a"b'])
def test_module_refuses_host_names_before_docker_changes_anything(host_ip):
    client = FakeClient()
    with pytest.raises(IrisModuleError) as exc:
        run(client, host_ip=host_ip)
    assert "is not an IP address" in exc.value.msg
    assert client.mutating_calls() == []


@pytest.mark.parametrize("password", ["", "SYS", "sys", "x" * 129, PASSWORD + "\nsecond", PASSWORD + "\r", PASSWORD + "\x00"])
def test_module_refuses_unusable_passwords(password, run_module_main):
    """issue 11 item 1: the role refused these; the module created the container (CR/LF cut the password)."""
    result, failed = run_module_main(iris_container, {"name": "x", "image": "img:1", "password": password})
    assert failed and result["msg"].startswith("password is not usable: ")
    assert "Fix: give 3 to 128 characters" in result["msg"]
    assert PASSWORD not in json.dumps(result)
    client = FakeClient()
    with pytest.raises(IrisModuleError):
        run(client, password=password)
    assert client.mutating_calls() == []


def test_absent_needs_no_valid_password():
    client = FakeClient()
    run(client)
    real, dummy, dummy = run(client, state="absent", password="")
    assert real["actions"] == ["remove container iris1"] and real["recreated"] is False


@pytest.mark.parametrize("name", ["../escape", "a/b", "iris\n1", "iris\x001", "a'b", "x" * 300, "-dash"])
def test_module_refuses_a_container_name_that_is_not_a_docker_name(name, tmp_path):
    """issue 11 item 1: the name is a directory under state_dir (module files) and a Docker name; '../escape' used to
    put the module files outside state_dir, a newline reached the Docker API."""
    client = FakeClient()
    with pytest.raises(IrisModuleError) as exc:
        run(client, name=name, state_dir=str(tmp_path / "state"))
    assert exc.value.msg.startswith("name ") and "is not valid" in exc.value.msg
    assert client.mutating_calls() == [] and not (tmp_path / "state").exists() and not (tmp_path / "escape").exists()


def test_missing_merge_file_and_changed_merge_name_cpf_merge_once(tmp_path):
    """compare() already names cpf_merge; the missing host file must not add it a second time."""
    client = FakeClient()
    state_dir = str(tmp_path / "state")
    merge = "[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n"
    run(client, cpf_merge=merge, state_dir=state_dir, cpf_results={"a0": True})
    os.remove(os.path.join(state_dir, "iris1", "merge.cpf"))
    check, dummy, dummy = run(client, check_mode=True, cpf_merge=merge.replace("APP", "APP2"), state_dir=state_dir)
    assert check["differences"] == ["cpf_merge"]
    assert check["diff"]["prepared"].endswith(": cpf_merge changed\n")


class FailingSysTransport(FakeTransport):
    """The %SYS session after readiness fails; ``step`` is the template IRIS failed in (None: no step known)."""
    step = None

    def run(self, program):
        if self.namespace != "%SYS":
            return FakeTransport.run(self, program)
        self.sessions += 1
        raise IrisModuleError("The IRIS session produced no result (exit code 1)", exit_code=1,
                              iris_step=FailingSysTransport.step)


@pytest.mark.parametrize("step, cpf, reason", [
    (None, False, "post_start_checks_failed"),
    (None, True, "post_start_checks_failed"),
    ("password_login", False, "password_not_usable"),
    ("user_password_flags", True, "password_not_usable"),
    ("namespace_exists", True, "cpf_merge_not_applied"),
])
def test_post_start_failure_is_attributed_by_the_failing_step_only(step, cpf, reason, tmp_path, monkeypatch):
    monkeypatch.setattr(FailingSysTransport, "step", step)
    client = FakeClient()
    module = FakeModule(password=PASSWORD, state_dir=str(tmp_path),
                        cpf_merge="[Actions]\nCreateNamespace:Name=APP,Globals=USER,Routines=USER\n" if cpf else None)
    clock = FakeClock()
    manager = c.ContainerManager(module, client=client, instance_factory=lambda container: FakeInstance(container, lambda ns: FailingSysTransport(ns, {})),
                                 clock=clock, sleep=clock.sleep)
    with pytest.raises(IrisModuleError) as exc:
        manager.run()
    assert exc.value.details["reason"] == reason
    assert exc.value.as_result()["msg"].count(" Fix: ") == 1
    assert ". Fix: " in exc.value.as_result()["msg"]
