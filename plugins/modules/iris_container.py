#!/usr/bin/python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: iris_container
short_description: Manage an InterSystems IRIS test container and wait until it accepts logons
version_added: 0.1.0
description:
  - Creates, recreates, starts, stops and removes a Docker container that runs an InterSystems IRIS image
    (for example C(containers.intersystems.com/intersystems/iris-community:<tag>)), through the Docker SDK for Python
    (never the C(docker) command).
  - The wanted configuration is compared with the container's I(actual) configuration (image ID, environment,
    published ports, mounts, labels, memory and CPU limits, command). O(recreate) decides what a difference does.
  - With O(state=healthy) the module returns only once IRIS accepts logons - C(Enabling logons) in the container log
    since this start I(and) a real C(iris session) succeeds. An open port is not readiness.
  - Known start failures are recognised from the log within seconds instead of waiting for O(wait_timeout) - the
    Community licence refused (expired, or more than 20 CPU cores, see O(cpuset_cpus)), a failed capability check,
    a durable %SYS directory IRIS cannot write. A running container whose IRIS instance is down (C(iris qlist) says
    C(down)) fails at once with what IRIS says; the module does not start IRIS itself.
  - The module never pulls images. Build, load or pull the image on the Docker host first.
author:
  - IRIS DevTools contributors (!UNKNOWN)
extends_documentation_fragment:
  - iris_devtools.iris._iris
  - iris_devtools.iris._attributes
  - iris_devtools.iris._attributes.actiongroup_iris
attributes:
  check_mode:
    support: full
    details:
      - Check mode predicts the real run - the same RV(ignore:changed), RV(actions) and diff. Values Docker assigns only
        when it creates or starts the container (RV(container_id), random host ports, RV(iris_version)) are V(null)
        in check mode when the container does not exist or is not running yet.
  diff_mode:
    support: full
    details:
      - The diff shows the container configuration before and after. The password never appears in it.
      - "When the container is recreated, the diff also says so and names the settings that differ, for example
        C(container iris-ci would be recreated (IRIS data outside durable_dir and volumes is lost): cpf_merge changed),
        in check mode and in the real run alike."
  idempotent:
    support: partial
    details:
      - Not idempotent with O(recreate=always), which replaces the container on every run.
options:
  name:
    description:
      - Name of the container.
      - Required unless O(container) is set.
    type: str
  container:
    description:
      - The name the other modules of the collection use for the container they talk to. This module uses it as
        the container's name when O(name) is not set, so one C(module_defaults) entry for the group
        C(group/iris_devtools.iris.iris) can name the container for all modules. When O(name) is set, O(container)
        is ignored.
    type: str
  transport:
    description:
      - Accepted so that C(module_defaults) for the whole C(group/iris_devtools.iris.iris) can set the other modules'
        O(ignore:transport) option. This module always talks to Docker, so only V(docker) is valid.
    type: str
    choices: [docker]
    default: docker
  image:
    description:
      - Image to run, as C(repository:tag) or image ID. It must exist on the Docker host; the module does not pull.
      - Required to create the container. When it is omitted and the container exists, the module only starts,
        stops or removes it and compares no configuration.
    type: str
  state:
    description:
      - V(present) - the container exists with the wanted configuration. A stopped container is not started; a
        running container that must be recreated is started again.
      - V(started) - the container exists with the wanted configuration and runs. The module does not wait for IRIS.
      - V(healthy) - like V(started), then waits (at most O(wait_timeout) seconds) until IRIS accepts logons and one
        C(iris session) in O(namespace) succeeds, and returns the connection details. This is what a test run wants,
        hence the default (unlike M(community.docker.docker_container), whose default is V(started)).
      - The O(password) steps after the first start (removing the password file, clearing the change-password flag,
        checking the login, O(password_never_expires)) run only in the run that B(creates) the container with
        V(healthy). A container created with V(present), V(started) or V(stopped) and started later with V(healthy)
        never gets them; create it with V(healthy) (or recreate it with O(recreate=always)).
      - V(stopped) - the container exists with the wanted configuration and does not run (IRIS is shut down
        with C(iris stop IRIS quietly) inside the container, then the container is stopped; see O(stop_timeout)). A
        missing container is created and not started.
      - V(absent) - the container is removed (with its anonymous volumes), and so are the module's own files for it
        under O(state_dir). O(durable_dir) and O(volumes) are never deleted.
    type: str
    choices: [present, started, stopped, absent, healthy]
    default: healthy
  recreate:
    description:
      - V(on_change) - recreate the container when its actual configuration differs from the wanted one.
      - V(never) - keep an existing container even if it differs (a warning names the differences).
      - V(always) - recreate the container on every run (not idempotent).
      - Recreating removes the container, so all IRIS state that is not in O(durable_dir) or O(volumes) is lost.
    type: str
    choices: [never, on_change, always]
    default: on_change
  host_ip:
    description:
      - Host address the published ports bind to. The default keeps IRIS reachable only from the Docker host.
      - An IPv4 or IPv6 address, nothing else - a host name such as V(localhost), blanks or quotes are refused
        (Docker would publish such a value on all interfaces). IPv6 addresses are normalised (V(0:0:0:0:0:0:0:1)
        is V(::1)).
      - Ports are published on all interfaces only when you write V(0.0.0.0) or V(::) (then RV(host) is the
        O(docker_host) name, or V(127.0.0.1)).
    type: str
    default: 127.0.0.1
  superserver_port:
    description:
      - Host port for the superserver (container port 1972, used by SQL, the Native SDK and DB-API), 1 to 65535.
      - If not set, Docker picks a free host port; RV(superserver_port) returns it. A container whose port was
        picked that way is not recreated because of it.
    type: int
  web_port:
    description:
      - Host port for the web server (container port 52773, Management Portal and REST APIs).
      - If not set, Docker picks a free host port; RV(web_port) returns it.
    type: int
  publish_web:
    description:
      - Whether to publish the web server port 52773 at all.
    type: bool
    default: true
  published_ports:
    description:
      - More ports to publish, each as C([host_ip:][host_port:]container_port[/protocol]) (the C(docker run -p)
        syntax, ranges included; an IPv6 address in brackets, C([::1]:8080:80)). A missing host port means a free port;
        a missing host address means O(host_ip), never all interfaces. A written host address must be an IP
        address, as for O(host_ip).
      - Each container port may be published once; 1972 and 52773 are published by O(superserver_port) and
        O(web_port).
    type: list
    elements: str
  volumes:
    description:
      - Volumes to mount. A string is C(source:target[:ro|rw]); a dict has the keys C(source), C(target) and
        C(read_only).
      - A source that starts with C(/), C(~) or C(.) is a host path (bind mount; it must exist); any other source is
        a named Docker volume.
      - IRIS runs as UID 51773 (C(irisowner)); host paths it must write to must be writable by that UID.
    type: list
    elements: raw
  durable_dir:
    description:
      - Host directory for durable %SYS (the instance's configuration, C(mgr/), journals and logs), so IRIS state
        survives recreating the container. It is mounted at C(/durable) and E(ISC_DATA_DIRECTORY) is set to
        C(/durable/iris).
      - It must be owned by UID 51773. If it does not exist, the module creates it with that owner (this needs root,
        for example O(ignore:become=true)). If it exists with another owner, the module fails at once and says how
        to fix it, instead of letting the container exit.
      - Host paths (O(durable_dir), O(license_key), O(volumes), O(state_dir)) are paths on the machine where the
        module runs, which must be the Docker host.
    type: path
  license_key:
    description:
      - Path of an IRIS licence key file (C(iris.key)) on the Docker host. It is mounted read-only and passed to
        C(iris-main --key), which activates it at start.
      - Changing the file's content does not recreate the container; IRIS reads it at the next start.
    type: path
  password:
    description:
      - Password for the predefined IRIS accounts (C(SuperUser), C(_SYSTEM), C(Admin), C(CSPSystem), ...), set by
        C(iris-main --password-file) when the container is B(created).
      - The module writes the file into the created, not yet started container through the Docker archive API (mode
        0600, owner UID 51773), so the password is never written to the Docker host's disk and never appears in the
        environment, labels, command line, logs, results or diff. Only the in-container path of the file is on the
        command line. The file lives in a directory of its own, C(/tmp/iris-devtools-pw) (mode 0700, owner UID
        51773). C(iris-main) reads the file when IRIS starts; with O(state=healthy), once IRIS accepts logons, the
        module removes that whole directory, so no copy is left whether C(iris-main) deleted, renamed or kept the
        file (a failure to remove it is a warning).
      - IRIS leaves the predefined accounts "configured to require a password change on first login", so a client
        that logs in with the password (DB-API, JDBC, the Native SDK) would be refused. With O(state=healthy) the
        module therefore clears that flag on each predefined account that exists (C(_SYSTEM), C(SuperUser),
        C(Admin), C(CSPSystem)) and then checks that a password login of C(_SYSTEM) with the password really
        succeeds, in the same IRIS session; it fails if IRIS refuses the login. See O(password_change_required).
      - With O(state=started), O(state=present) or O(state=stopped) the module does not wait for IRIS, so it neither
        removes the password directory, nor clears the flag, nor checks the login. These steps run only in the run
        that creates the container with O(state=healthy); a container created with another state and started later
        with O(state=healthy) keeps the flag set (and the password directory, if C(iris-main) left the file). The
        module does not catch up later, because it cannot know whether the password has been changed since; create
        the container with O(state=healthy), or recreate it (O(recreate=always)) with O(state=healthy).
      - Applied at creation only (like C(update_password=on_create) elsewhere) - IRIS does not let anyone read a
        password back, so the module cannot compare it. Changing O(password) later neither changes the password nor
        recreates the container; set it in IRIS (or recreate with O(recreate=always)) to change it.
      - With O(keep_failed=true), a container that never started may still hold the unread password file.
      - 3 to 128 characters, without control characters (line breaks, tabs, NUL, DEL, ... - the password file is
        read as one line), and not C(SYS) in any letter case (the documented default password). The
        C(iris_devtools.iris.instance) role applies the same rule. If not set, the predefined accounts keep the
        image's default password.
    type: str
  password_change_required:
    description:
      - What happens to the predefined accounts' "change password on first login" flag after O(password) is set.
      - V(false) - the module clears the flag, so the password works for a password login right away, and checks
        such a login (see O(password)). This is what a test instance usually wants.
      - V(true) - the module leaves the flag as IRIS sets it, so the first password login of each account must change
        the password (clients that cannot change a password, such as DB-API, are refused until then). The module
        cannot check the password by a login in this case.
      - Applied when the container is created with O(state=healthy) (like the password steps of O(password));
        changing it later has no effect on an existing container. A container created with O(state=present),
        O(state=started) or O(state=stopped) keeps the flag as IRIS sets it whatever this option says, also after a
        later start with O(state=healthy).
    type: bool
    default: false
  password_never_expires:
    description:
      - If V(true), the module also sets "password never expires" on the predefined accounts that exist, when it
        creates the container with O(password) and O(state=healthy) (not when a container created with another
        state is started later).
      - If V(false), the accounts keep the instance's password expiry policy.
    type: bool
    default: false
  cpf_merge:
    description:
      - Text of a CPF merge file, applied by IRIS at every start (E(ISC_CPF_MERGE_FILE)). The module writes it to
        O(state_dir) on the Docker host, mounts it read-only and recreates the container when the text changes.
      - The text must not hold secrets (it is shown in the diff); use O(password) for passwords.
      - IRIS ignores mistakes silently (for example a lower-case C([actions]) header, which the module refuses).
        After readiness (O(state=healthy)) the module reads back, in one IRIS session, the effect of each
        C(CreateDatabase), C(CreateNamespace), C(CreateUser) and C(ModifyService) (C(Enabled), C(AutheEnabled)) line
        of the C([Actions]) section, and fails if one did not take effect. Other actions are applied but not checked
        (a warning names them).
    type: str
  env:
    description:
      - Environment variables for the container. Values are converted to strings.
      - E(ISC_DATA_DIRECTORY) and E(ISC_CPF_MERGE_FILE) are set by O(durable_dir) and O(cpf_merge).
      - Do not put secrets here; the environment is visible to anyone who can inspect the container.
    type: dict
  labels:
    description:
      - Labels for the container. The module adds its own labels with the prefix C(iris_devtools.iris.).
    type: dict
  memory:
    description:
      - Memory limit, as bytes or with a unit (V(512m), V(2g)). V(0) or unset means no limit.
    type: str
  cpus:
    description:
      - CPU limit as a number of CPUs (V(1.5), Docker's C(--cpus)). V(0) or unset means no limit.
      - This limits CPU time, not the number of cores IRIS sees; for the Community Edition core limit use
        O(cpuset_cpus).
      - A change recreates the container.
    type: float
  cpuset_cpus:
    description:
      - CPUs the container may run on, in Docker's C(--cpuset-cpus) syntax - CPU numbers and ranges separated by
        commas, without blanks (V(0-19), V(0-3,6)). Unset means all CPUs of the host.
      - IRIS Community Edition refuses to start on more than 20 CPU cores (it logs C(Invalid Community Edition
        license, may have exceeded core limit)); on such a host set V(0-19).
      - A change recreates the container.
    type: str
  command_args:
    description:
      - Extra arguments for the image's C(iris-main) entrypoint, for example V(['--check-caps', 'false']) or
        V(['-a', 'iris session iris -U%SYS ...']).
      - C(--key) and C(--password-file) are managed by O(license_key) and O(password).
    type: list
    elements: str
  wait_timeout:
    description:
      - Seconds O(state=healthy) waits for IRIS to accept logons before it fails.
    type: int
    default: 120
  stop_timeout:
    description:
      - Every path that stops a running container (O(state=stopped), O(state=absent), recreating) first shuts IRIS
        down inside it with C(iris stop <instance> quietly), run as C(irisowner) and given at most this many seconds,
        then stops the container, which Docker kills if it has not stopped within this many seconds more.
      - If C(iris stop) fails or takes longer, the module warns and stops the container anyway (IRIS then recovers
        at its next start).
    type: int
    default: 60
  keep_failed:
    description:
      - If V(false), a container created by this run is removed when the run fails (it could not start or did not
        become ready), so a retry starts clean. The error reports its last log lines first.
      - If V(true), it is kept for inspection.
    type: bool
    default: false
  state_dir:
    description:
      - Host directory where the module keeps files it mounts into containers (the CPF merge file), one
        sub-directory per container name, removed with O(state=absent).
      - If not set, C(~/.cache/iris_devtools/containers) of the user that runs the module is used.
    type: path
notes:
  - Containers are created without C(testcontainers) labels, so no reaper (ryuk) removes them behind the
    playbook's back.
  - Containers started by the module are not removed when the playbook ends; remove them with O(state=absent)
    (for example in an C(always) section).
seealso:
  - name: Running InterSystems IRIS containers
    description: iris-main options, passwords, licence keys and durable %SYS.
    link: https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=ADOCK_iris_iscmain
  - name: Configuration merge
    description: The CPF merge file and its C([Actions]) section.
    link: https://docs.intersystems.com/irislatest/csp/docbook/Doc.View.cls?KEY=RACS_cpf_edit_merge
"""

EXAMPLES = r"""
---
- name: Start a throw-away IRIS and wait until it accepts logons
  iris_devtools.iris.iris_container:
    name: iris-ci
    image: containers.intersystems.com/intersystems/iris-community:2025.1
    password: "{{ iris_password }}"
  register: iris

- name: Use the returned connection details
  ansible.builtin.debug:
    msg: "IRIS {{ iris.iris_version }} at {{ iris.host }}:{{ iris.superserver_port }}, portal on port {{ iris.web_port }}"

- name: IRIS with durable %SYS, fixed ports, an application namespace and limits
  iris_devtools.iris.iris_container:
    name: iris-app
    image: containers.intersystems.com/intersystems/iris-community:2025.1
    state: healthy
    namespace: APP
    superserver_port: 41972
    web_port: 42773
    durable_dir: /srv/iris-app/durable
    memory: 4g
    cpus: 2
    cpuset_cpus: 0-19  # IRIS Community runs on at most 20 cores
    cpf_merge: |
      [Actions]
      CreateDatabase:Name=APP,Directory=/durable/iris/mgr/app
      CreateNamespace:Name=APP,Globals=APP,Routines=APP
      ModifyService:Name=%Service_CallIn,Enabled=1,AutheEnabled=48
    wait_timeout: 300
  become: true

- name: Licensed image with a key file; skip the capability check of an older tag
  iris_devtools.iris.iris_container:
    name: iris-ent
    image: containers.intersystems.com/intersystems/iris:2024.1
    license_key: /etc/iris/iris.key
    command_args: ['--check-caps', 'false']

- name: Set defaults for every module of the collection
  module_defaults:
    group/iris_devtools.iris.iris:
      timeout: 120
  block:
    - name: Stop the instance (graceful shutdown)
      iris_devtools.iris.iris_container:
        name: iris-ci
        state: stopped

- name: Remove the instance
  iris_devtools.iris.iris_container:
    name: iris-ci
    state: absent
"""

RETURN = r"""
iris_sessions:
  description:
    - How many IRIS sessions the module opened - 1 for an unchanged running instance (one readiness check), more while
      it waits for a new one to accept logons, 0 when it did not talk to IRIS (for example O(state=absent)).
    - Plus 1 (the password steps and the C(cpf_merge) read-back share it) when O(state=healthy) creates the container
      with O(password) or O(cpf_merge), or starts an existing container with O(cpf_merge) again. O(password) with
      O(password_change_required=true) adds none (nothing to check), unless O(cpf_merge) or
      O(password_never_expires=true) is set.
  returned: always
  type: int
  sample: 1
recreated:
  description:
    - Whether the module removed the existing container and created it again (in check mode - would do so). IRIS
      state outside O(durable_dir) and O(volumes) is lost then.
  returned: always
  type: bool
  sample: true
differences:
  description:
    - The settings of an existing container that differ from the wanted ones, named after the options
      (V(image), V(env), V(labels), V(ports), V(volumes), V(durable_dir), V(license_key), V(cpf_merge),
      V(command_args), V(memory), V(cpus), V(cpuset_cpus)). With O(recreate=never) the container is kept anyway.
  returned: always
  type: list
  elements: str
  sample: [cpf_merge]
actions:
  description: The steps the module took (or, in check mode, would take), in order.
  returned: always
  type: list
  elements: str
  sample: ["create container iris-ci from iris-community:2025.1", "start container iris-ci"]
container_name:
  description: Name of the container.
  returned: always
  type: str
  sample: iris-ci
container_id:
  description: ID of the container; V(null) when it does not exist (or, in check mode, is not created yet).
  returned: always
  type: str
  sample: 8e47bf643eb9b2f2d5d2b7a3e9dcb0ff7c3cb79c8b8fdb1e4ec5c3c3b0e1e4f2
image_id:
  description: ID of the image the container runs.
  returned: always
  type: str
  sample: sha256:559167575a2b0c2c0d8b0c8b0e9f3c0b6ad4b8c9e1f2a3b4c5d6e7f8091a2b3c
status:
  description: Docker status of the container (V(running), V(created), V(exited), ...), or V(absent).
  returned: always
  type: str
  sample: running
host:
  description: Address to reach the published ports at.
  returned: always
  type: str
  sample: 127.0.0.1
superserver_port:
  description: Host port published for the superserver (1972); V(null) when not known (not running, or check mode).
  returned: always
  type: int
  sample: 32768
web_port:
  description: Host port published for the web server (52773); V(null) when not published or not known.
  returned: always
  type: int
  sample: 32769
namespace:
  description: The namespace the readiness session ran in (O(namespace)).
  returned: always
  type: str
  sample: USER
instance:
  description: The IRIS instance name (O(instance)).
  returned: always
  type: str
  sample: IRIS
iris_version:
  description: The C($ZVERSION) text of the instance, read by the readiness session.
  returned: when O(state=healthy) and the instance is ready (V(null) in check mode if it is not running yet)
  type: str
  sample: IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2025.1 (Build 223U) Tue Mar 11 2025 18:14:42 EDT
"""

from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import iris_lifecycle_argument_spec
from ansible_collections.iris_devtools.iris.plugins.module_utils._container import RECREATE, STATES, ContainerManager
from ansible_collections.iris_devtools.iris.plugins.module_utils._module import run_module


def argument_spec():
    return dict(
        name=dict(type="str"),
        container=dict(type="str"),
        image=dict(type="str"),
        transport=dict(type="str", choices=["docker"], default="docker"),
        state=dict(type="str", choices=list(STATES), default="healthy"),
        recreate=dict(type="str", choices=list(RECREATE), default="on_change"),
        host_ip=dict(type="str", default="127.0.0.1"),
        superserver_port=dict(type="int"),
        web_port=dict(type="int"),
        publish_web=dict(type="bool", default=True),
        published_ports=dict(type="list", elements="str"),
        volumes=dict(type="list", elements="raw"),
        durable_dir=dict(type="path"),
        license_key=dict(type="path", no_log=False),
        password=dict(type="str", no_log=True),
        password_change_required=dict(type="bool", default=False, no_log=False),
        password_never_expires=dict(type="bool", default=False, no_log=False),
        cpf_merge=dict(type="str"),
        env=dict(type="dict"),
        labels=dict(type="dict"),
        memory=dict(type="str"),
        cpus=dict(type="float"),
        cpuset_cpus=dict(type="str"),
        command_args=dict(type="list", elements="str"),
        wait_timeout=dict(type="int", default=120),
        stop_timeout=dict(type="int", default=60),
        keep_failed=dict(type="bool", default=False),
        state_dir=dict(type="path"),
    )


def main():
    run_module(ContainerManager, argument_spec(), common_spec=iris_lifecycle_argument_spec, common_required_if=False,
               required_one_of=[("name", "container")])


if __name__ == "__main__":
    main()
