# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The CPF merge file of ``iris_devtools.iris.iris_container`` (``ISC_CPF_MERGE_FILE``, iris-sources.md S27): parse
its ``[Actions]`` section (IRIS ignores a wrongly cased header silently, iris-sources.md NEEDS §2.6), build the one
%SYS program that reads back the effect of the verifiable actions, and check its results.  IRIS applies merge
files silently, so the read-back is the only proof an action took effect.
"""

from __future__ import annotations

import re

# The templates build_cpf_check_program uses (an error in one of them is the cpf_merge read-back's).
CPF_CHECK_TEMPLATES = ("database_exists", "namespace_exists", "call_arg", "call_value", "call_props_get")
_ACTION_LINE = re.compile(r"^\s*([A-Za-z]+)\s*:(.*)$")


def parse_cpf_actions(text):
    """Return ``(actions, problems)`` of a CPF merge text.

    ``actions`` are ``(verb, {key: value})`` from the ``[Actions]`` section.  ``problems`` lists
    sections IRIS would silently ignore: a wrongly cased ``[actions]`` header
    (iris-sources.md NEEDS §2.6).
    """
    actions = []
    problems = []
    section = None
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line or line.startswith(";") or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if section.lower() == "actions" and section != "Actions":
                problems.append("section header '[%s]' must be written '[Actions]' exactly; IRIS ignores it silently" % section)
            continue
        if section != "Actions":
            continue
        match = _ACTION_LINE.match(line)
        if not match:
            continue
        props = {}
        for item in _split_props(match.group(2)):
            if "=" in item:
                key, value = item.split("=", 1)
                props[key.strip()] = _unquote(value.strip())
        actions.append((match.group(1), props))
    return actions, problems


def _split_props(text):
    """Split ``Name=A,Roles="x,y"`` on commas outside double quotes."""
    items, current, quoted = [], [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        items.append("".join(current))
    return items


def _unquote(value):
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


# The [Actions] verbs whose effect is read back after readiness, with the IRIS calls used.
VERIFIABLE_ACTIONS = ("CreateDatabase", "CreateNamespace", "CreateUser", "ModifyService")


def build_cpf_check_program(actions, objectscript):
    """One program (one IRIS session, run in %SYS) that reads back the effect of each verifiable action.

    ``objectscript`` is the ``_objectscript`` module; the program is built from its vetted templates
    only, so every value enters through its ``literal()``.  Returns ``(program, expectations)``;
    ``expectations`` maps each result key to ``(description, expected)`` (None: nothing to check).
    IRIS classes (all in %SYS, iris-sources.md §0.2): ``Config.Databases.Exists`` (§3.1 S20, S9),
    ``Config.Namespaces.Exists`` (§3.3 S9), ``Security.Users.Exists`` (§6 S10),
    ``Security.Services.Get(name, .p)`` with ``p("Enabled")``/``p("AutheEnabled")`` (§6 S23, S28).
    """
    program = objectscript.Program()
    expectations = {}
    for index, (verb, props) in enumerate(actions):
        name = props.get("Name")
        if verb not in VERIFIABLE_ACTIONS or not name:
            continue
        key = "a%d" % index
        if verb == "CreateDatabase":
            program.add("database_exists", key=key, database=name)
            expectations[key] = ("database %s exists (CreateDatabase)" % name, 1)
        elif verb == "CreateNamespace":
            program.add("namespace_exists", key=key, namespace=name)
            expectations[key] = ("namespace %s exists (CreateNamespace)" % name, 1)
        elif verb == "CreateUser":
            program.add("call_arg", value=name)
            program.add("call_value", **{"class": "Security.Users", "method": "Exists", "key": key})
            expectations[key] = ("user %s exists (CreateUser)" % name, 1)
        elif verb == "ModifyService":
            program.add("call_props_get", **{"class": "Security.Services", "method": "Get", "name": name, "key": key})
            expectations[key] = ("service %s exists (ModifyService)" % name, None)
            for prop in ("Enabled", "AutheEnabled"):
                if prop in props:
                    expectations["%s.%s" % (key, prop)] = ("service %s %s=%s (ModifyService)" % (name, prop, props[prop]), props[prop])
    return program, expectations


def _normalise(value):
    if value is True:
        return "1"
    if value is False:
        return "0"
    return str(value).strip()


def check_cpf_results(result, expectations):
    """Return the descriptions of expectations the read-back did not meet."""
    missing = []
    for key in sorted(expectations):
        description, expected = expectations[key]
        if "." in key:
            outer, inner = key.split(".", 1)
            actual = ((result or {}).get(outer) or {}).get(inner)
        else:
            actual = (result or {}).get(key)
        if expected is None:
            if actual is None:
                missing.append("%s: not found" % description)
            continue
        if actual is None or _normalise(actual) != _normalise(expected):
            missing.append("%s: got %r" % (description, actual))
    return missing
