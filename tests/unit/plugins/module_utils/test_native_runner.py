# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_native_runner: the frozen runner DDL (docs/native-transport-design.md D3), the kill list (D8), the length limit (D9)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _native_runner
from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import MAX_STRING_LENGTH, TEMPLATES, Program, Secret
from ansible_collections.iris_devtools.iris.tests.unit.plugins.module_utils.test_objectscript import REPRESENTATIVE, TOKEN

# D3: a released runner's text never changes.  A failure here means the DDL was edited: restore it, and put the new
# body into a new class (IrisDevTools.NativeV2) instead.
PINNED_SHA256 = "af03e3d1b07a497b985c6c151406c3bc582b44bef2ce52d977b7150ec1a4d8df"


def test_ddl_is_frozen():
    assert _native_runner.ddl_sha256() == PINNED_SHA256


def test_ddl_has_no_colon_before_a_digit():
    """The InterSystems client's SQL preparser refuses ':' followed by a digit anywhere in a statement's text
    (tests/simulator/tests/test_sql_procedures.py, real client 5.4.1)."""
    assert re.search(r":\s*\d", _native_runner.DDL) is None


def test_ddl_shape():
    ddl = _native_runner.DDL
    head, dummy, body = ddl.partition("{")
    assert head.split()[:3] == ["CREATE", "METHOD", "Run(IN"]
    assert "FOR %s" % _native_runner.CLASS in head and "LANGUAGE OBJECTSCRIPT" in head
    assert "PROCEDURE" not in head  # D1: a class method, not a stored procedure
    assert ddl.rstrip().endswith("}")
    for line in body.rstrip().rstrip("}").split("\n"):
        assert not line or line[0].isspace(), line  # a line in column 1 would be a label
    assert "halt" not in body.lower().split()
    # its own variables never collide with a template's (idt + capital letter)
    assert set(re.findall(r"\bidt[a-z]\w*", body)) <= {"idtzProgram", "idtzNs", "idtzKill", "idtzIO", "idtzNul",
                                                       "idtzOut", "idtzN", "idtzI", "idtzEx"}
    assert not re.findall(r"\bidt[A-Z]\w*", body.replace('@"idtOut"', ""))
    assert _native_runner.DROP == "DROP METHOD Run FROM IrisDevTools.NativeV1"


def _program(name):
    return Program().add(name, **dict((p, REPRESENTATIVE[p]) for p in TEMPLATES[name].params))


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_kill_list_names_every_protocol_variable(name):
    lines = _program(name).lines(TOKEN, native=True)
    kill = _native_runner.kill_command(lines)
    assert kill.startswith("kill ") and " " not in kill[5:]
    names = kill[5:].split(",")
    assert names == sorted(set(names))
    assert {"idtOut", "idtStep", "idtTok", "idtR", "idtQ", "idtArg", "idtE"} <= set(names)
    for line in lines:
        for found in re.findall(r"\bidt[A-Z][A-Za-z0-9]*", re.sub(r'"(?:[^"]|"")*"', '""', line)):
            assert found in names


def test_kill_list_ignores_names_inside_values():
    lines = Program().add("result_value", key="idtEvil", value='x" kill idtFake').lines(TOKEN, native=True)
    names = _native_runner.public_names(lines)
    assert "idtEvil" not in names and "idtFake" not in names
    assert "idtR" in names


def test_kill_list_of_hoisted_values():
    lines = Program().add("result_value", key="k", value="v" * 9000).lines(TOKEN, native=True)
    assert "idtL" in _native_runner.public_names(lines)


def test_program_text_joins_lines():
    lines = Program().add("ping").lines(TOKEN, native=True)
    assert _native_runner.program_text(lines) == "\n".join(lines)


def test_program_longer_than_a_string_is_refused_without_the_program():
    secret = "S3cret-" + "q" * 20
    lines = ['set idtX="%s"' % secret, "x" * MAX_STRING_LENGTH]
    with pytest.raises(IrisModuleError) as err:
        _native_runner.program_text(lines)
    text = str(err.value) + " " + repr(err.value.as_result())
    assert "more than an IRIS string can hold (3641144)" in text and "Fix:" in text
    assert secret not in text and "qqqq" not in text
    # one character less fits
    assert len(_native_runner.program_text(["x" * (MAX_STRING_LENGTH - 2), "y"])) == MAX_STRING_LENGTH


def test_astral_characters_count_twice():
    with pytest.raises(IrisModuleError):
        _native_runner.program_text(["\U0001F600" * (MAX_STRING_LENGTH // 2 + 1)])


def test_a_program_with_secrets_keeps_them_out_of_the_kill_list():
    lines = Program().add("password_login", key="ok", user="u", password=Secret("idtPw-secret")).lines(TOKEN, native=True)
    assert "idtPw" not in _native_runner.kill_command(lines)
