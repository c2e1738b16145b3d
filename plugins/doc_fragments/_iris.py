# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# Two composable fragments, each option documented once:
#   iris_devtools.iris._iris             instance, namespace, timeout, docker_host (every module);
#                                         twin: iris_lifecycle_argument_spec()
#   iris_devtools.iris._iris.connection  transport, container, host, port, username, password, ssl_config,
#                                         connect_timeout (modules that talk to a running instance);
#                                         with the first, twin of iris_common_argument_spec()
# Both twins live in plugins/module_utils/_argspec.py; validate-modules checks them against these docs.


class ModuleDocFragment(object):

    # Options every module shares. Twin of iris_lifecycle_argument_spec().
    DOCUMENTATION = r"""
options:
  instance:
    description:
      - Name of the IRIS instance. Official containers always use V(IRIS).
      - Letters, digits, V(_) and V(-), starting with a letter or digit, at most 64 characters. Other values fail the
        task before anything runs.
      - If not set, the value of the E(IRIS_INSTANCE) environment variable is used.
    type: str
    default: IRIS
  namespace:
    description:
      - The namespace the module works in when it needs one (administrative calls always run in V(%SYS)).
      - "A namespace name has 1 to 64 characters: a letter or V(%) first, then letters, digits, V(-) or V(_)
        (InterSystems' rules for namespace names, U(https://docs.intersystems.com/irislatest/csp/docbook/DocBook.UI.Page.cls?KEY=GSA_config_namespace)).
        Other values (control characters, quotes, spaces, non-ASCII letters) fail the task before anything runs."
      - Namespace names are not case-sensitive. IRIS stores and returns them in upper case, so V(app) and V(APP) are the
        same namespace. Namespaces read from IRIS or created by a module are returned upper case (for example iris_info's
        C(namespaces[].name) and C(instance_state.session.namespace), iris_task's C(task_namespace), iris_fixture's
        C(namespace)), so compare returned names with upper-case strings.
      - If not set, the value of the E(IRIS_NAMESPACE) environment variable is used.
    type: str
    default: USER
  timeout:
    description:
      - Seconds one IRIS session (or one Docker call) may take before the module fails.
      - With O(transport=native) it is the client's connection timeout (C(iris.connect(timeout=...)), seconds),
        which bounds each login attempt (see the C(connect_timeout) option) and nothing else. The client applies no
        time limit to a call once logged in, so a program that IRIS runs longer than O(timeout) (a compile, a test
        run), or a reply that never comes, keeps the task waiting until IRIS answers or the connection breaks; bound
        the whole task with Ansible's C(timeout) keyword if needed.
      - From 1 to 86400 (one day).
      - If not set, the value of the E(IRIS_TIMEOUT) environment variable is used.
    type: int
    default: 60
  docker_host:
    description:
      - URL of the Docker daemon, for example V(unix:///var/run/docker.sock) or V(tcp://127.0.0.1:2375).
      - If not set, the value of the E(DOCKER_HOST) environment variable is used, then the Docker SDK default.
      - "The URL must start with V(unix://), V(tcp://), V(http://), V(https://), V(ssh://) or V(npipe://) and contain no
        spaces, quotes or control characters. An address without a scheme (V(host:2375), which the Docker SDK reads as
        TCP) is refused: write V(tcp://host:2375)."
    type: str

notes:
  - Every connection option falls back to an C(IRIS_*) environment variable (and O(docker_host) to E(DOCKER_HOST)),
    so AWX or Automation Platform credentials can inject them. Precedence is the task option, then the
    environment variable, then the default. The variables are read where the module runs.

requirements:
  - docker (Python Docker SDK) >= 7.0.0 where the module uses the Docker Engine API
"""

    # How a module reaches a running instance. With DOCUMENTATION, twin of iris_common_argument_spec().
    CONNECTION = r"""
options:
  transport:
    description:
      - How the module reaches the IRIS instance.
      - V(docker) runs C(iris session <instance> -U <namespace>) inside O(container) through the Docker
        Engine API, with the program on standard input (never on the command line).
      - V(local) runs C(iris session <instance> -U <namespace>) on the managed host itself.
      - V(native) logs in to the IRIS superserver at O(host):O(port) as O(username) with the InterSystems client
        C(intersystems-irispython) and runs the same programs over that one connection, which every namespace of the
        module run shares. It needs no Docker socket and no IRIS on the managed host, so it reaches an IRIS on a VM, in
        Kubernetes or in a cloud service. The connection logs in to the V(%SYS) namespace, so O(username) must be allowed
        to use it. See the notes for what it leaves on the instance and what it cannot do.
      - If not set, the value of the E(IRIS_TRANSPORT) environment variable is used.
    type: str
    choices: [docker, local, native]
    default: docker
  container:
    description:
      - Name or ID of the container that runs IRIS. Required when O(transport=docker).
      - With O(transport=native) and no O(host), the module looks the running container up and connects to the host
        port Docker publishes for its port O(port)/tcp (a binding to every address or to loopback is reached on
        V(127.0.0.1), or on the daemon's host for a V(tcp://) or V(ssh://) O(docker_host)). It fails when that port is
        not published. With O(host) set, O(container) is not used by O(transport=native).
      - A container name as C(docker ps) shows it (letters, digits, V(_), V(.) and V(-), starting with a letter or
        digit; not the V(/name) form of C(docker inspect)) or an ID, at most 255 characters.
      - If not set, the value of the E(IRIS_CONTAINER) environment variable is used.
    type: str
  host:
    description:
      - O(transport=native) only. DNS name or IPv4/IPv6 address of the IRIS server, without a port or brackets.
        Required with O(transport=native) unless O(container) is set.
      - A DNS name is made of dot-separated labels of letters, digits and V(-) (RFC 1123; V(_) is also accepted, as in
        Docker container names), each at most 63 characters and not starting or ending with V(-), at most 253
        characters in all. A non-ASCII name must be given in its V(xn--) form. Other values fail the task before
        anything runs.
      - If not set, the value of the E(IRIS_HOST) environment variable is used.
    type: str
  port:
    description:
      - O(transport=native) only. TCP port of the IRIS superserver, 1 to 65535.
      - With O(container) and no O(host), the container's port whose published host port is looked up.
      - If not set, the value of the E(IRIS_PORT) environment variable is used.
    type: int
    default: 1972
  username:
    description:
      - O(transport=native) only. The IRIS user the connection logs in as. Required with O(transport=native).
      - Letters, digits, V(_), V(.), V(@), V(-) and V(%), starting with a letter, digit, V(_) or V(%), at most 160
        characters.
      - The user must be enabled, may use the C(%Service_Bindings) service, and needs the privileges of what the module
        does (a user with the C(%All) role for the administrative modules).
      - If not set, the value of the E(IRIS_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - O(transport=native) only. The password of O(username). Required with O(transport=native).
      - It goes to the client's login call only, never onto a command line, into the environment, a log or a result.
        The login protocol only obfuscates it, so use TLS (O(ssl_config)) outside loopback.
      - A password that is empty, longer than 1024 characters or contains a control character fails the task before
        anything runs (the message does not show it).
      - A password that IRIS requires to be changed cannot be changed over this connection; set one that needs no
        change first (for example with iris_devtools.iris.iris_container's O(iris_devtools.iris.iris_container#module:password)).
      - If not set, the value of the E(IRIS_PASSWORD) environment variable is used.
    type: str
  ssl_config:
    description:
      - O(transport=native) only. Name of the section of an C(SSLDefs.ini) file that holds the TLS settings of the
        connection. The client reads that file from the path in the E(ISC_SSLconfigurations) environment variable where
        the module runs (set it with the task's C(environment) keyword). Without O(ssl_config) the connection does not
        use TLS.
      - Letters, digits, V(_), V(.) and V(-), starting with a letter or digit, at most 64 characters.
      - If not set, the value of the E(IRIS_SSL_CONFIG) environment variable is used.
    type: str
  connect_timeout:
    description:
      - O(transport=native) only. Seconds the module keeps trying to log in while nothing listens yet, the server does
        not answer or IRIS is still starting, with growing pauses (0.5 seconds, doubling, at most 5 seconds). V(0)
        tries once. A refused login, a password that must be changed, an unknown namespace or a TLS failure fail at
        once.
      - From 0 to 86400. Each attempt is bounded by O(timeout).
      - If not set, the value of the E(IRIS_CONNECT_TIMEOUT) environment variable is used.
    type: int
    default: 30

notes:
  - O(transport=native) needs the Python package C(intersystems-irispython) where the module runs
    (C(pip install intersystems-irispython)); the other transports do not.
  - O(transport=native) runs programs through a class method it creates once in the V(%SYS) namespace,
    C(IrisDevTools.NativeV1) (SQL C(CREATE METHOD)); later versions of the collection use a new class name. It creates
    no globals and no SQL procedure. To remove it, run C(DROP METHOD Run FROM IrisDevTools.NativeV1) in V(%SYS).
  - O(transport=native) cannot run commands beside IRIS (such as C(iris stop)) or read Docker stats; a step that needs
    them fails with a message that says which transport to use. Files (M(iris_devtools.iris.iris_fixture)'s
    C(IRIS.DAT) and its leftover temp files, M(iris_devtools.iris.iris_monitoring)'s report) go through IRIS on the
    same connection.
"""
