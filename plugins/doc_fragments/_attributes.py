# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

# Shape follows community.docker: plugins/doc_fragments/_attributes.py (iris-sources.md ANCHORS §3.2, §8 row 2).
# Modules override the support level of an attribute in their own `attributes:` block
# (e.g. idempotent: support: partial, details: ...).


class ModuleDocFragment(object):

    # Standard attributes of a state-changing module.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
"""

    # Should be used together with the standard fragment: membership of the action group
    # (module_defaults: group/iris_devtools.iris.iris).
    ACTIONGROUP_IRIS = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/iris_devtools.iris.iris) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - iris_devtools.iris.iris
"""

    # For modules that only read (the *_info modules); use together with the standard fragment.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
"""

    # Together with INFO_MODULE: the module reads but does not modify state.
    IDEMPOTENT_NOT_MODIFY_STATE = r"""
options: {}
attributes:
  idempotent:
    support: full
    details:
      - This action does not modify state.
"""
