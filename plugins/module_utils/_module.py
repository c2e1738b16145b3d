# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The tiny runner every module's ``main()`` calls: build the ``AnsibleModule`` from the module's own
argspec plus the shared options, check the shared options' values (``_argspec.validate_common``), run the manager, and turn an ``IrisModuleError`` into the one
``fail_json`` call (``_errors.fail``).  Shape: community.crypto ``ModuleFailException.do_fail`` and
community.docker ``AnsibleDockerClient`` (iris-sources.md ANCHORS §3.4, §3.8, §8 rows 5 and 15).

A manager is a ``BaseManager`` subclass: ``Manager(module)`` with ``run() -> dict`` (the result for ``exit_json``).
``BaseManager`` holds what every manager shares: the module, its params, check mode, the list of actions (done, or
that check mode would do), the one diff tracker, the instance (``_instance``, built on first use, closed by
``run_module`` when the manager is done, whatever happened) and the
``fail_results`` (actions, last log lines: never secrets) merged into the failure result.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.iris_devtools.iris.plugins.module_utils._argspec import (
    iris_common_argument_spec,
    iris_common_required_if,
    validate_common,
)
from ansible_collections.iris_devtools.iris.plugins.module_utils._diff import DiffTracker
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError, fail
from ansible_collections.iris_devtools.iris.plugins.module_utils import _instance


class BaseManager(object):
    """What every manager shares.  ``instance`` may be injected (tests); otherwise it is built from the module's
    connection options the first time a subclass asks for it (so offline states never need Docker)."""

    def __init__(self, module, instance=None, secret_keys=None):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.actions = []
        self.diff = DiffTracker(secret_keys)
        # A failure reports what was done or attempted up to then (the same list object, filled as the run goes).
        self.fail_results = dict(actions=self.actions)
        self._instance = instance
        self._sessions_before = instance.sessions if instance is not None else 0

    @property
    def instance(self):
        if self._instance is None:
            self._instance = _instance.instance_from_module(self.module)
        return self._instance

    def close(self):
        """Close the instance if one was built or given (the native connection; a no-op for the others)."""
        if self._instance is not None:
            self._instance.close()

    @property
    def sessions(self):
        """IRIS sessions this manager opened (an injected instance may have counted some before)."""
        return (self._instance.sessions - self._sessions_before) if self._instance is not None else 0

    def result(self, changed=None, **values):
        """The ``exit_json`` result: ``changed`` (from the diff tracker unless given), ``actions``, ``diff`` when the
        task runs with ``--diff``, then ``values``."""
        result = dict(changed=self.diff.changed if changed is None else bool(changed), actions=list(self.actions))
        if self.module._diff:
            result["diff"] = self.diff.as_diff()
        result.update(values)
        return result


def build_module(argument_spec, common_spec=iris_common_argument_spec, supports_check_mode=True,
                 required_if=None, common_required_if=True, **constraints):
    """Return an ``AnsibleModule`` for ``argument_spec`` merged over ``common_spec()``.

    ``common_spec`` is one of the ``_argspec`` functions (or None for no shared options).  The
    shared constraints (``iris_common_required_if``) are added when the shared ``transport``
    option is part of the spec, unless ``common_required_if`` is false (a module with offline
    states, such as ``iris_fixture`` ``state=validated``, then checks them itself through ``_instance``).
    """
    spec = dict(common_spec()) if common_spec else {}
    spec.update(argument_spec)
    merged_required_if = list(required_if or [])
    if common_required_if and "transport" in spec and "container" in spec:
        merged_required_if.extend(iris_common_required_if())
    return AnsibleModule(argument_spec=spec, supports_check_mode=supports_check_mode,
                         required_if=merged_required_if or None, **constraints)


def run_module(manager_class, argument_spec, common_spec=iris_common_argument_spec, **module_kwargs):
    """Build the module, run ``manager_class(module).run()`` and exit (the one fail site)."""
    module = build_module(argument_spec, common_spec=common_spec, **module_kwargs)
    manager = None
    try:
        try:
            # The shared options are checked for what they are before the manager (or anything) runs.
            validate_common(module.params)
            manager = manager_class(module)
            result = manager.run()
        finally:
            # Whatever happened (a result, an IrisModuleError, a bug): the connection of transport native ends here,
            # before the module exits (docs/native-transport-design.md D10).
            if manager is not None:
                manager.close()
    except IrisModuleError as error:
        if "exception" not in error.details:
            error.details["exception"] = traceback.format_exc()
        fail(module, error, **dict(getattr(manager, "fail_results", None) or {}))
        return  # fail_json exits; this line only matters for test doubles that do not
    module.exit_json(**result)
