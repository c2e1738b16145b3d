# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The manager behind ``iris_devtools.iris.iris_container``, the state machine only: read the container → compare
the wanted configuration with the *actual* one → act unless check mode → wait until ready → report
(iris-sources.md ANCHORS §3.7).  What it decides on lives beside it: the configuration model
(``_container_config``), the CPF merge file (``_cpf``), the password (``_container_password``), readiness from the
log (``_readiness``); Docker calls are ``_docker``'s (its "container lifecycle" section), IRIS sessions and the
commands in the container (``iris qlist``, ``iris stop``, ``rm``) go through ``_instance`` (``transport``, ``run_command``).

The image runs ``iris-main`` (iris-sources.md §5, S25): instance ``IRIS``, owner ``irisowner`` UID 51773.
"""

from __future__ import annotations

import os
import re
import shutil
import time

from ansible_collections.iris_devtools.iris.plugins.module_utils import _argspec
from ansible_collections.iris_devtools.iris.plugins.module_utils import _docker
from ansible_collections.iris_devtools.iris.plugins.module_utils import _files
from ansible_collections.iris_devtools.iris.plugins.module_utils import _instance
from ansible_collections.iris_devtools.iris.plugins.module_utils import _objectscript
from ansible_collections.iris_devtools.iris.plugins.module_utils._constants import (
    DEFAULT_INSTANCE,
    DEFAULT_TIMEOUT,
    IRISOWNER,
    IRISOWNER_GID,
    IRISOWNER_UID,
    SYS_NAMESPACE,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._container_config import (
    CPF_SHA_LABEL,
    MERGE_TARGET,
    SUPERSERVER_KEY,
    WEB_KEY,
    ActualConfig,
    WantedConfig,
    compare,
    module_files_dir,
    parse_docker_time,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._container_password import (
    LOGIN_CHECK_USER,
    LOGIN_KEY,
    PASSWORD_DIR,
    PASSWORD_PARENT,
    PASSWORD_PATH,
    PASSWORD_TEMPLATES,
    add_password_steps,
    check_password,
    password_archive,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._cpf import (
    CPF_CHECK_TEMPLATES,
    VERIFIABLE_ACTIONS,
    build_cpf_check_program,
    check_cpf_results,
    parse_cpf_actions,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import BaseManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._readiness import LogonWait, log_tail

STATES = ("present", "started", "stopped", "absent", "healthy")
RECREATE = ("never", "on_change", "always")


class ContainerManager(BaseManager):
    """``ContainerManager(module).run() -> result``.  ``module`` needs ``params``, ``check_mode``,
    ``_diff`` and ``warn``.  Injectable for tests: ``client`` (the Docker client), ``instance_factory``
    (container -> an ``_instance.Instance`` whose ``transport(namespace)`` runs the IRIS sessions and ``run_command`` the
    commands in the container), ``clock``/``sleep``.

    The container is not the shared connection options' running container (it may not exist yet), so the manager
    builds one ``DockerInstance`` per container it waits for instead of ``BaseManager.instance``."""

    def __init__(self, module, client=None, instance_factory=None, clock=time.monotonic, sleep=time.sleep):
        super(ContainerManager, self).__init__(module)
        # O(container) stands in for O(name) when only it is set (module_defaults of the iris group).
        if not self.params.get("name"):
            self.params["name"] = self.params.get("container")
        self.client = client
        self.instance_factory = instance_factory or self._docker_instance
        self.clock = clock
        self.sleep = sleep
        self._instances = {}  # container id -> Instance, for iris_sessions

    # -- Docker helpers ------------------------------------------------------------------------

    def _docker(self):
        if self.client is None:
            self.client = _docker.get_docker_client(self.params.get("docker_host"), timeout=self.params.get("timeout") or DEFAULT_TIMEOUT)
        return self.client

    def _get_container(self):
        return _docker.find_container(self._docker(), self.params["name"])

    def _get_image(self, ref):
        image = _docker.find_image(self._docker(), ref)
        if image is None:
            raise IrisModuleError(
                "Image %s not found locally; build or load it, or check the name." % ref,
                hint="the module never pulls: run 'docker pull %s' (or docker load / build) on the Docker host first, "
                     "or correct the image name and tag" % ref)
        return image

    # -- main flow ----------------------------------------------------------------------------------

    def run(self):
        result = self._run()
        result["iris_sessions"] = sum(instance.sessions for instance in self._instances.values())
        return result

    def _run(self):
        params = self.params
        # The name becomes a directory under state_dir and a Docker name: refuse '../x', newlines, quotes first.
        _argspec.validate_container_name(params.get("name"), "name")
        state = params["state"]
        wanted = None
        if state != "absent":
            # The options are checked before the first Docker call (a bad path or image is not a Docker error).
            check_password(params.get("password"))  # issue 11 item 1: one rule with the instance role
            wanted = WantedConfig(params)
        container = self._get_container()
        actual = None
        if container is not None:
            actual_image = self._image_attrs_of(container)
            actual = ActualConfig(container.attrs, actual_image)
        if state == "absent":
            return self._absent(container, actual)

        image = None
        if wanted.image:
            image = self._get_image(wanted.image)
        elif container is None:
            raise IrisModuleError("Container %s does not exist and no image was given." % params["name"],
                                  hint="set the image option so the module can create the container")
        self._check_host_paths(wanted)

        differences = []
        if container is not None and wanted.image:
            differences = compare(wanted, image.id, actual)
            cpf_label = actual.labels.get(CPF_SHA_LABEL)
            if cpf_label and wanted.cpf_merge_file and not os.path.exists(wanted.cpf_merge_file) \
                    and "cpf_merge" not in differences:
                differences.append("cpf_merge")

        recreate = params["recreate"]
        create = container is None
        replace = container is not None and wanted.image is not None and (
            recreate == "always" or (recreate == "on_change" and bool(differences)))
        if differences and recreate == "never":
            self.module.warn("Container %s differs from the wanted configuration (%s) but recreate=never, so it is kept."
                             % (params["name"], ", ".join(differences)))

        was_running = actual.running if actual else False
        if state in ("started", "healthy"):
            want_running = True
        elif state == "stopped":
            want_running = False
        else:  # present: never starts a stopped container; a replaced running one keeps running
            want_running = was_running

        before = actual.view(self._cpf_text_of(actual)) if actual else dict(exists=False)
        if create or replace:
            after = wanted.view(want_running, image.id)
        else:  # kept as it is (matching, recreate=never, or no image given): only the run state may change
            after = dict(before, running=want_running)
        self.diff.add_dict(before, after)

        if (create or replace) and wanted.durable_dir and not os.path.exists(wanted.durable_dir):
            self.actions.append("create durable_dir %s owned by UID %d" % (wanted.durable_dir, IRISOWNER_UID))

        if replace:
            self.actions.append("remove container %s (configuration differs: %s)" % (
                params["name"], ", ".join(differences) or "recreate=always"))
        if create or replace:
            self.actions.append("create container %s from %s" % (params["name"], wanted.image))
        will_start = want_running and (create or replace or not was_running)
        if will_start:
            self.actions.append("start container %s" % params["name"])
        if not want_running and was_running and not replace:
            self.actions.append("stop container %s" % params["name"])
        # A recreate loses the IRIS state outside durable_dir and volumes: say so as such, in check mode too
        # (issue 11 item 5), with the options that differ.
        recreate_note = None
        if replace:
            recreate_note = "container %s would be recreated (IRIS data outside durable_dir and volumes is lost): %s\n" % (
                params["name"], ("%s changed" % ", ".join(differences)) if differences else "recreate=always")
        if self.module._diff:
            self.fail_results["diff"] = self._diff_with(recreate_note)

        # Changed when the container's configuration or run state differs from the wanted one (the diff), or when it
        # is replaced anyway (recreate=always on a matching container).
        result = self.result(changed=self.diff.changed or replace, recreated=replace, differences=list(differences))
        ready = None
        if not self.check_mode:
            container, ready = self._apply(container, wanted, image, create, replace, will_start, want_running, was_running)
        elif state == "healthy" and container is not None and not replace and was_running:
            # Read-only readiness probe so check mode returns what the real run returns.
            ready = self._wait_ready(container, actual.started_at, verify=None)
        result.update(self._returns(container if not (self.check_mode and (create or replace)) else None,
                                    wanted, ready, want_running))
        if self.module._diff:
            result["diff"] = self._diff_with(recreate_note)
        return result

    def _diff_with(self, note):
        """The diff; ``note`` (a recreate) goes into ``prepared``, which Ansible prints after the before/after diff."""
        diff = self.diff.as_diff()
        if note:
            diff["prepared"] = note
        return diff

    def _image_attrs_of(self, container):
        image_id = container.attrs.get("Image")
        if not image_id:
            return None
        # Image removed under a container: no defaults (None).  Any other error fails: without the image's defaults
        # every setting would look changed, and recreate=on_change would destroy the container (issue 11 item 6).
        image = _docker.find_image(self._docker(), image_id,
                                   "inspect image %s of container %s" % (image_id, self.params["name"]))
        return image.attrs if image is not None else None

    def _cpf_text_of(self, actual):
        """The merge text an existing container uses (read from its host file; None if none)."""
        if actual is None or CPF_SHA_LABEL not in actual.labels:
            return None
        for mount in actual.mounts:
            if mount["target"] == MERGE_TARGET and mount["type"] == "bind":
                try:
                    with open(mount["source"], "r") as handle:
                        return handle.read()
                except (IOError, OSError):
                    return None
        return None

    def _check_host_paths(self, wanted):
        """Host-side checks that do not change anything (run in check mode too)."""
        if wanted.license_key and not os.path.isfile(wanted.license_key):
            raise IrisModuleError("license_key %s is not a file on this host." % wanted.license_key,
                                  hint="give the path of an iris.key file on the Docker host")
        if wanted.durable_dir and os.path.exists(wanted.durable_dir):
            info = os.stat(wanted.durable_dir)
            if not os.path.isdir(wanted.durable_dir):
                raise IrisModuleError("durable_dir %s exists and is not a directory." % wanted.durable_dir,
                                      hint="point durable_dir at a directory")
            if info.st_uid != IRISOWNER_UID:
                raise IrisModuleError(
                    "durable_dir %s is owned by UID %d, but IRIS runs as UID %d (irisowner) and must write there; "
                    "the container would exit at start." % (wanted.durable_dir, info.st_uid, IRISOWNER_UID),
                    hint="run 'sudo chown -R %d:%d %s', or give a directory that does not exist yet (the module creates "
                         "it with the right owner)" % (IRISOWNER_UID, IRISOWNER_UID, wanted.durable_dir))

    def _prepare_host_files(self, wanted):
        if wanted.durable_dir and not os.path.exists(wanted.durable_dir):
            try:
                os.makedirs(wanted.durable_dir, 0o750)
                os.chown(wanted.durable_dir, IRISOWNER_UID, IRISOWNER_GID)
            except OSError as exc:
                raise IrisModuleError(
                    "Cannot create durable_dir %s owned by UID %d: %s." % (wanted.durable_dir, IRISOWNER_UID, exc),
                    hint="run the module with become: true (chown needs root), or create the directory yourself: "
                         "'sudo install -d -o %d -g %d %s'" % (IRISOWNER_UID, IRISOWNER_UID, wanted.durable_dir))
        if wanted.cpf_merge_file:
            directory = os.path.dirname(wanted.cpf_merge_file)
            try:
                if not os.path.isdir(directory):
                    os.makedirs(directory, 0o755)
                _files.write_bytes_atomic(wanted.cpf_merge_file, wanted.cpf_merge.encode("utf-8"), 0o644)
            except (IrisModuleError, OSError) as exc:
                why = exc.msg.rstrip(".") if isinstance(exc, IrisModuleError) else exc
                raise IrisModuleError("Cannot write the CPF merge file %s: %s." % (wanted.cpf_merge_file, why),
                                      hint="set state_dir to a writable directory on the Docker host")

    def _apply(self, container, wanted, image, create, replace, will_start, want_running, was_running):
        client = self._docker()
        name = self.params["name"]
        stop_timeout = self.params["stop_timeout"]
        if replace:
            self._remove(container, stop_timeout)
            container = None
        created_here = False
        ready = None
        try:
            if create or replace:
                self._prepare_host_files(wanted)
                container = self._create(client, wanted, image)
                created_here = True
            if will_start:
                _docker.start_container(container, name)
                _docker.reload_container(container, name)
            elif not want_running and was_running and not replace:
                self._stop(container, stop_timeout)
                _docker.reload_container(container, name)
            if self.params["state"] == "healthy":
                started = parse_docker_time((container.attrs.get("State") or {}).get("StartedAt"))
                verify = wanted if (will_start and (created_here or wanted.cpf_merge)) else None
                ready = self._wait_ready(container, started, verify=verify,
                                         password_given=created_here and bool(self.params.get("password")))
        except IrisModuleError as error:
            container_left = False
            if created_here and container is not None:
                self.fail_results["container_id"] = container.id
                container_left = True
                if not self.params["keep_failed"]:
                    error.details.setdefault("cleanup", "removed container %s created by this run (keep_failed=false)" % name)
                    try:
                        _docker.remove_container(container, name)
                        container_left = False
                    except IrisModuleError:  # best effort; the original error matters
                        error.details["cleanup"] = "could not remove container %s; remove it by hand" % name
            if (create or replace) and not container_left:
                # No container uses the files this run wrote under state_dir: remove them (issue 11 item 6).
                self._remove_written_files(error)
            raise
        return container, ready

    def _remove_written_files(self, error):
        files = module_files_dir(self.params)
        if not os.path.isdir(files):
            return
        try:
            shutil.rmtree(files)
        except OSError as exc:  # best effort; the original error matters
            error.details["cleanup_files"] = "could not remove the module files %s (%s); remove them by hand" % (files, exc)

    def _create(self, client, wanted, image):
        name = self.params["name"]
        command = list(wanted.command)
        password = self.params.get("password")
        if password:
            command = command + ["--password-file", PASSWORD_PATH]
        kwargs = dict(
            command=command or None,
            environment=dict(wanted.env),
            labels=dict(wanted.labels),
            ports=dict(wanted.ports),
        )
        if wanted.memory:
            kwargs["mem_limit"] = wanted.memory
        if wanted.nano_cpus:
            kwargs["nano_cpus"] = wanted.nano_cpus
        if wanted.cpuset_cpus:
            kwargs["cpuset_cpus"] = wanted.cpuset_cpus
        # Created from the name the user gave (Config.Image shows it); the image ID is compared separately.
        container = _docker.create_container(client, wanted.image, name, wanted.mounts, **kwargs)
        if password:
            try:
                ok = _docker.put_archive(container, PASSWORD_PARENT, password_archive(password),
                                         "copy the password file into container %s" % name)
            except IrisModuleError:
                _docker.remove_container(container, name)
                raise
            if not ok:
                _docker.remove_container(container, name)
                raise IrisModuleError("Docker refused to copy the password file into container %s." % name,
                                      hint="check that the image has a %s directory" % PASSWORD_PARENT)
        return container

    def _remove(self, container, stop_timeout):
        name = self.params["name"]
        if container.status == "running":
            self._stop(container, stop_timeout)
        _docker.remove_container(container, name)

    def _stop(self, container, stop_timeout):
        """Shut IRIS down inside the container first, then stop the container (issue 10 item 3).

        Sources disagree on whether iris-main shuts IRIS down cleanly on SIGTERM (iris-sources.md §5.2 S25 says
        yes; iris-devtester 1.21 lost rows after a bare ``docker stop``, iris-sources.md PEERS §2), so every path that
        stops IRIS (state=stopped, absent, recreate) runs ``iris stop <instance> quietly`` first: the
        ``iris`` command's stop function, ``quietly`` without prompts (iris-sources.md §4.1 S36: GCLI
        https://docs.intersystems.com/csp/docbook/DocBook.UI.Page.cls?KEY=GCLI_intro and the ``iris help``
        text, https://juejin.cn/post/7147083052043223048; Dockerfiles run ``iris stop $ISC_PACKAGE_INSTANCENAME
        quietly``).  It runs as irisowner, bounded by stop_timeout; a failure is a warning, not fatal, because
        Docker's stop (SIGTERM, then SIGKILL after stop_timeout) follows anyway.
        """
        name = self.params["name"]
        instance = self.params.get("instance") or DEFAULT_INSTANCE
        command = "iris stop %s quietly" % instance
        why = None
        try:
            argv = ["iris", "stop", instance, "quietly"]
            code, stdout, stderr = self._instance_of(container).run_command(argv, user=IRISOWNER, timeout=stop_timeout)
            if code not in (0, None):
                text = (stdout or b"") + b"\n" + (stderr or b"")
                lines = [line.strip() for line in text.decode("utf-8", "replace").splitlines() if line.strip()]
                why = "it exited with code %s%s" % (code, (" (%s)" % " | ".join(lines[-3:])) if lines else "")
        except IrisModuleError as error:
            why = error.msg.rstrip(".")
        if why:
            self.module.warn("'%s' in container %s did not succeed: %s. Docker stops the container anyway (SIGTERM, "
                             "then SIGKILL after stop_timeout=%ss); if IRIS was not shut down cleanly, it recovers at "
                             "the next start." % (command, name, why, stop_timeout))
        _docker.stop_container(container, name, stop_timeout)

    def _absent(self, container, actual):
        before = actual.view(self._cpf_text_of(actual)) if actual else dict(exists=False)
        self.diff.add_dict(before, dict(exists=False))
        files = module_files_dir(self.params)
        if container is not None:
            self.actions.append("remove container %s" % self.params["name"])
            if not self.check_mode:
                self._remove(container, self.params["stop_timeout"])
        if os.path.isdir(files):
            if container is None:
                self.actions.append("remove module files %s" % files)
            if not self.check_mode:
                try:
                    shutil.rmtree(files)
                except OSError as exc:
                    raise IrisModuleError("Cannot remove the module files %s: %s." % (files, exc),
                                          hint="check that no other task writes there at the same time (one container "
                                               "name, one task), then remove the directory and run again")
        # Changed when the container existed (the diff) or module files were left without it.
        return self.result(changed=self.diff.changed or bool(self.actions), recreated=False, differences=[],
                           status="absent", container_id=None, container_name=self.params["name"], image_id=None,
                           host=None, superserver_port=None, web_port=None, namespace=self.params["namespace"],
                           instance=self.params["instance"], iris_version=None)

    # -- readiness ----------------------------------------------------------------------------------

    def _docker_instance(self, container):
        return _instance.docker_instance(self._docker(), container, self.params)

    def _instance_of(self, container):
        """The instance in ``container`` (its sessions and commands): one per container per run."""
        if container.id not in self._instances:
            self._instances[container.id] = self.instance_factory(container)
        return self._instances[container.id]

    def _transport(self, container, namespace=None):
        """The transport of ``namespace`` (default O(namespace)) in ``container``."""
        return self._instance_of(container).transport(namespace or self.params["namespace"])

    def _wait_ready(self, container, started, verify=None, password_given=False):
        """Wait until ready (``_readiness.LogonWait``), then the post-start steps: remove the password directory, and
        in ONE %SYS session read back the CPF merge and make the password usable."""
        params = self.params
        ping = LogonWait(
            container, started, name=params["name"], namespace=params["namespace"], instance=params["instance"],
            wait_timeout=params["wait_timeout"],
            session=lambda: self._transport(container).run(_objectscript.ping_program()),
            run_command=self._instance_of(container).run_command,
            clock=self.clock, sleep=self.sleep).run()
        if password_given:
            self._remove_password_file(container)
        if password_given or (verify is not None and verify.cpf_merge):
            # One %SYS session for the CPF read-back and the password steps (README: a change adds one session).
            self._verify_cpf(container, verify, password_given)
        return ping or {}

    def _remove_password_file(self, container):
        """Audit F6: no source says whether iris-main deletes, renames or keeps the password file, so nothing is
        read back (no get_archive: the secret would cross the Docker API); the password is checked by a real
        login instead (_verify_cpf).  The file lives in its own private directory, so ONE ``rm -rf`` of that
        directory (as root) removes it under any name iris-main left it; a failure is a warning."""
        name = self.params["name"]
        why = None
        try:
            code, dummy, dummy2 = self._instance_of(container).run_command(["rm", "-rf", PASSWORD_DIR], user="root")
            if code not in (0, None):
                why = "rm exited with code %s" % code
        except IrisModuleError as error:
            why = error.msg.rstrip(".")
        if why:
            self.module.warn("The password directory %s in container %s could not be removed (%s); a password file "
                             "left there by iris-main holds the password in clear text: remove it with "
                             "'docker exec -u root %s rm -rf %s'." % (PASSWORD_DIR, name, why, name, PASSWORD_DIR))

    def _verify_cpf(self, container, wanted, password_given=False):
        """After readiness, in ONE %SYS session: read back the CPF merge [Actions] (if any), then make the
        --password-file password usable and check it by a password login (audit F7; add_password_steps)."""
        name = self.params["name"]
        program = _objectscript.Program()
        expectations = {}
        if wanted is not None and wanted.cpf_merge:
            actions, dummy = parse_cpf_actions(wanted.cpf_merge)
            program, expectations = build_cpf_check_program(actions, _objectscript)
            unverified = sorted(set(verb for verb, dummy in actions if verb not in VERIFIABLE_ACTIONS))
            if unverified:
                self.module.warn("cpf_merge: the effect of these [Actions] is not read back: %s." % ", ".join(unverified))
        accounts = {}
        if password_given:
            accounts = add_password_steps(program, _objectscript, self.params["password"],
                                          change_required=bool(self.params.get("password_change_required")),
                                          never_expires=bool(self.params.get("password_never_expires")))
        if not program.steps:
            return
        try:
            result = self._transport(container, SYS_NAMESPACE).run(program)
        except IrisModuleError as error:
            details = dict((k, v) for k, v in error.details.items() if k != "exception")
            step = error.details.get("iris_step")
            # Attributed by the step IRIS failed in only; without one (e.g. the session itself failed) nothing
            # says which check it was.
            if step in PASSWORD_TEMPLATES:
                raise IrisModuleError(
                    "Making the password of the predefined accounts usable in container %s failed: %s" % (name, error.msg),
                    hint="check that the image is an InterSystems IRIS image whose iris-main supports --password-file; "
                         "or set password_change_required: true to leave the accounts as IRIS sets them up. "
                         + (error.hint or ""),
                    reason="password_not_usable", **details)
            if step in CPF_CHECK_TEMPLATES:
                raise IrisModuleError(
                    "cpf_merge: reading back its [Actions] in container %s failed: %s" % (name, error.msg),
                    hint="an action did not take effect (e.g. ModifyService of a service that does not exist); "
                         "check the [Actions] lines against the CPF reference. " + (error.hint or ""),
                    reason="cpf_merge_not_applied", **details)
            raise IrisModuleError(
                "The checks after the start of container %s (%s) failed: %s" % (
                    name, " and ".join(([] if not expectations else ["cpf_merge read-back"]) +
                                       ([] if not password_given else ["password steps"])), error.msg),
                hint="read the IRIS output (output_lines) for the cause. " + (error.hint or ""),
                reason="post_start_checks_failed", **details)
        missing = check_cpf_results(result, expectations)
        if missing:
            raise IrisModuleError(
                "cpf_merge did not take effect in container %s: %s." % (name, "; ".join(missing)),
                hint="IRIS applies merge files silently: check the [Actions] verbs and keys against the CPF reference "
                     "(exact case, absolute paths, e.g. CreateDatabase:Name=APP,Directory=/usr/irissys/mgr/app)",
                reason="cpf_merge_not_applied")
        if password_given and not self.params.get("password_change_required") and result.get(LOGIN_KEY) is not True:
            found = [accounts[key] for key in sorted(accounts) if result.get(key) is True]
            raise IrisModuleError(
                "IRIS refused a password login for %s after the password was set (iris-main --password-file) and the "
                "change-password-on-first-login flag was cleared (accounts found: %s)."
                % (LOGIN_CHECK_USER, ", ".join(found) or "none"),
                hint="check that the image's iris-main applies --password-file (InterSystems images do) and that the "
                     "password meets the instance's password policy (by default 3 to 128 letters, digits or "
                     "punctuation characters); read log_lines for what iris-main logged about the password file",
                reason="password_login_refused", log_lines=log_tail(container, name, None))

    # -- results ------------------------------------------------------------------------------------

    def _returns(self, container, wanted, ready, want_running):
        params = self.params
        result = dict(container_name=params["name"], namespace=params["namespace"], instance=params["instance"],
                      container_id=None, image_id=None, status=None, host=None, superserver_port=None, web_port=None,
                      iris_version=None)
        host_ip = wanted.host_ip if wanted else "127.0.0.1"
        result["host"] = self._host_for(host_ip)
        if container is None:
            # Check mode, container to be created: only what is knowable before Docker assigns it.
            if wanted.ports.get(SUPERSERVER_KEY) and wanted.ports[SUPERSERVER_KEY][1]:
                result["superserver_port"] = wanted.ports[SUPERSERVER_KEY][1]
            if wanted.ports.get(WEB_KEY) and wanted.ports[WEB_KEY][1]:
                result["web_port"] = wanted.ports[WEB_KEY][1]
            result["status"] = "running" if want_running else "created"
            return result
        actual = ActualConfig(container.attrs, None)
        result["container_id"] = actual.id
        result["image_id"] = actual.image_id
        result["status"] = actual.status
        if self.check_mode and actual.running != want_running:
            result["status"] = "running" if want_running else "exited"
        # In check mode report the predicted run state: a container about to stop has no published ports.
        running_after = actual.running and (want_running if self.check_mode else True)
        published = actual.published if running_after else {}
        for key, field in ((SUPERSERVER_KEY, "superserver_port"), (WEB_KEY, "web_port")):
            if key in published:
                result[field] = published[key][1]
            elif key in actual.ports and actual.ports[key][1]:
                result[field] = actual.ports[key][1]
        if ready:
            result["iris_version"] = ready.get("version")  # the ping program's key (_objectscript ping_program)
        return result

    def _host_for(self, host_ip):
        if host_ip in ("0.0.0.0", "", "::", None):
            docker_host = self.params.get("docker_host") or ""
            match = re.match(r"^(?:tcp|ssh|https?)://(?:[^@/]*@)?([^:/]+)", docker_host)
            return match.group(1) if match else "127.0.0.1"
        return host_ip
