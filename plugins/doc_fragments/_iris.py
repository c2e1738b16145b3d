# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# Two composable fragments, each option documented once:
#   iris_devtools.iris._iris             instance, namespace, timeout, docker_host (every module);
#                                         twin: iris_lifecycle_argument_spec()
#   iris_devtools.iris._iris.connection  transport, container (modules that talk to a running instance);
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
      - If not set, the value of the E(IRIS_TRANSPORT) environment variable is used.
    type: str
    choices: [docker, local]
    default: docker
  container:
    description:
      - Name or ID of the container that runs IRIS. Required when O(transport=docker).
      - A container name as C(docker ps) shows it (letters, digits, V(_), V(.) and V(-), starting with a letter or
        digit; not the V(/name) form of C(docker inspect)) or an ID, at most 255 characters.
      - If not set, the value of the E(IRIS_CONTAINER) environment variable is used.
    type: str
"""
