# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The argspec twin of the ``iris_devtools.iris._iris`` doc fragment: the options every
IRIS module shares.  Keep both in step (ansible-test validate-modules checks it).
Environment fallbacks use ``IRIS_*`` names so AWX credentials can inject them
(ansible-anchors.md §7 rows 8-9).

Two sets: ``iris_lifecycle_argument_spec()`` (fragment ``_iris``) for every module, including the
ones that manage the container itself (``iris_container``, no transport choice), and
``iris_common_argument_spec()`` (fragments ``_iris`` + ``_iris.connection``) for modules that run
programs in a running instance.
"""

from __future__ import annotations

from ansible.module_utils.basic import env_fallback

TRANSPORTS = ("docker", "local")


def iris_lifecycle_argument_spec():
    """Return a fresh copy of the options of the ``_iris`` fragment (every module)."""
    return dict(
        instance=dict(type="str", default="IRIS", fallback=(env_fallback, ["IRIS_INSTANCE"])),
        namespace=dict(type="str", default="USER", fallback=(env_fallback, ["IRIS_NAMESPACE"])),
        timeout=dict(type="int", default=60, fallback=(env_fallback, ["IRIS_TIMEOUT"])),
        docker_host=dict(type="str", fallback=(env_fallback, ["DOCKER_HOST"])),
    )


def iris_common_argument_spec():
    """Return a fresh copy of the options of the ``_iris`` + ``_iris.connection`` fragments."""
    spec = dict(
        transport=dict(type="str", choices=list(TRANSPORTS), default="docker",
                       fallback=(env_fallback, ["IRIS_TRANSPORT"])),
        container=dict(type="str", fallback=(env_fallback, ["IRIS_CONTAINER"])),
    )
    spec.update(iris_lifecycle_argument_spec())
    return spec


def iris_common_required_if():
    """Constraints that go with the shared options."""
    return [("transport", "docker", ("container",))]
