#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that every role's meta/argument_specs.yml is in step with its defaults/main.yml.

Pattern of prometheus-community/ansible's lint_arguments_spec.sh (iris-sources.md ANCHORS §6), stricter:

* every role has ``meta/argument_specs.yml`` with a ``main`` entry point that has ``options``;
* the options of ``main`` are exactly the keys of ``defaults/main.yml``, except options with
  ``required: true``, which must NOT have a default there (a default would make ``required`` a lie);
* every option and every defaults key starts with the role prefix ``<role>_`` (internal roles whose
  name starts with ``_`` use ``_<role>_``);
* every option has ``description`` and ``type``; ``elements`` only with ``type: list``;
* an option's ``default`` in the spec, when given, equals the value in ``defaults/main.yml``;
* a default value that is not a template is one of the option's ``choices``.

Usage: tools/check_role_specs.py [ROLES_DIR]   (default: roles/ next to this script's parent)
Exit status 0 when every role passes, 1 otherwise; each problem is printed as
``roles/<role>/<file>: <what is wrong> - <how to fix it>``.
"""

from __future__ import annotations

import os
import sys

import yaml


def _load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _is_template(value):
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def check_role(roles_dir, role):
    """Return the problems of one role as a list of strings."""
    problems = []
    base = os.path.join(roles_dir, role)
    rel = "roles/%s" % role
    prefix = ("_%s_" % role.lstrip("_")) if role.startswith("_") else "%s_" % role
    specs_path = os.path.join(base, "meta", "argument_specs.yml")
    defaults_path = os.path.join(base, "defaults", "main.yml")

    if not os.path.isfile(specs_path):
        return ["%s/meta/argument_specs.yml: missing - document every variable of defaults/main.yml there "
                "(argument_specs: main: options: ...)" % rel]
    try:
        specs = _load(specs_path) or {}
    except yaml.YAMLError as exc:
        return ["%s/meta/argument_specs.yml: not valid YAML (%s) - fix the syntax" % (rel, str(exc).replace("\n", " "))]
    defaults = {}
    if os.path.isfile(defaults_path):
        try:
            defaults = _load(defaults_path) or {}
        except yaml.YAMLError as exc:
            return ["%s/defaults/main.yml: not valid YAML (%s) - fix the syntax" % (rel, str(exc).replace("\n", " "))]
    if not isinstance(defaults, dict):
        return ["%s/defaults/main.yml: not a mapping - write one 'name: value' per variable" % rel]

    entry_points = (specs.get("argument_specs") if isinstance(specs, dict) else None) or {}
    main = entry_points.get("main") if isinstance(entry_points, dict) else None
    if not isinstance(main, dict):
        return ["%s/meta/argument_specs.yml: no 'argument_specs: main:' entry point - add it with "
                "short_description, description and options" % rel]
    for key in ("short_description", "description"):
        if not main.get(key):
            problems.append("%s/meta/argument_specs.yml: entry point main has no %s - add one" % (rel, key))

    for name in sorted(entry_points):
        options = (entry_points[name] or {}).get("options") or {}
        if not isinstance(options, dict):
            problems.append("%s/meta/argument_specs.yml: options of entry point %s is not a mapping - "
                            "write one option per key" % (rel, name))
            continue
        for option in sorted(options):
            problems.extend(_check_option(rel, name, option, options[option] or {}, prefix, defaults))

    options = main.get("options") or {}
    if isinstance(options, dict):
        required = set(o for o in options if (options[o] or {}).get("required"))
        documented = set(options) - required
        in_defaults = set(defaults)
        for key in sorted(in_defaults - set(options)):
            problems.append("%s/defaults/main.yml: %s is not documented - add it to the options of entry point main "
                            "in meta/argument_specs.yml (description, type, default)" % (rel, key))
        for key in sorted(documented - in_defaults):
            problems.append("%s/meta/argument_specs.yml: option %s has no default in defaults/main.yml - add "
                            "'%s: <value>' there, or mark the option required: true" % (rel, key, key))
        for key in sorted(required & in_defaults):
            problems.append("%s/defaults/main.yml: %s is required in meta/argument_specs.yml but has a default - "
                            "remove the default, or drop required: true" % (rel, key))
    for key in sorted(defaults):
        if not key.startswith(prefix):
            problems.append("%s/defaults/main.yml: %s does not start with the role prefix %s - rename it "
                            "(ansible-lint var-naming[no-role-prefix])" % (rel, key, prefix))
    return problems


def _check_option(rel, entry, option, spec, prefix, defaults):
    problems = []
    where = "%s/meta/argument_specs.yml: option %s (entry point %s)" % (rel, option, entry)
    if not option.startswith(prefix):
        problems.append("%s does not start with the role prefix %s - rename it" % (where, prefix))
    if not spec.get("description"):
        problems.append("%s has no description - say what it does" % where)
    if not spec.get("type"):
        problems.append("%s has no type - add type: str|int|bool|list|dict|path|raw|float" % where)
    if "elements" in spec and spec.get("type") != "list":
        problems.append("%s has elements but type %s - elements goes with type: list" % (where, spec.get("type")))
    if entry != "main" or option not in defaults:
        return problems
    value = defaults[option]
    if "default" in spec and spec["default"] != value:
        problems.append("%s has default %r but defaults/main.yml has %r - make them equal" % (where, spec["default"], value))
    choices = spec.get("choices")
    if choices and value is not None and not _is_template(value) and value not in choices:
        problems.append("%s: the default %r in defaults/main.yml is not one of the choices %s - fix one of them"
                        % (where, value, choices))
    return problems


def main(argv):
    roles_dir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "roles")
    if not os.path.isdir(roles_dir):
        print("check_role_specs: no roles directory at %s" % roles_dir)
        return 0
    roles = sorted(d for d in os.listdir(roles_dir) if os.path.isdir(os.path.join(roles_dir, d)) and not d.startswith("."))
    problems = []
    for role in roles:
        problems.extend(check_role(roles_dir, role))
    for problem in problems:
        print(problem)
    print("check_role_specs: %d role(s), %d problem(s)" % (len(roles), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
