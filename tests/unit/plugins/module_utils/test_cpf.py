# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CPF merge file of iris_container (_cpf): [Actions] parsing, the read-back program and its check."""

from __future__ import annotations

from ansible_collections.iris_devtools.iris.plugins.module_utils import _cpf as cpf
from ansible_collections.iris_devtools.iris.plugins.module_utils import _objectscript


# -- CPF merge -----------------------------------------------------------------------------------

MERGE = """[config]
globals=0,0,256,0,0,0
[Actions]
CreateDatabase:Name=APP,Directory=/usr/irissys/mgr/app
CreateNamespace:Name=APP,Globals=APP,Routines=APP
ModifyService:Name=%Service_CallIn,Enabled=1,AutheEnabled=48
CreateUser:Name=bob,Roles="%DB_APP,%SQL"
CreateResource:Name=%DB_X
"""


def test_parse_cpf_actions():
    actions, problems = cpf.parse_cpf_actions(MERGE)
    assert problems == []
    assert [verb for verb, dummy in actions] == ["CreateDatabase", "CreateNamespace", "ModifyService", "CreateUser", "CreateResource"]
    assert actions[3][1] == {"Name": "bob", "Roles": "%DB_APP,%SQL"}


def test_lower_case_actions_header_is_a_problem():
    dummy, problems = cpf.parse_cpf_actions("[actions]\nCreateNamespace:Name=X\n")
    assert problems and "[Actions]" in problems[0]


def test_cpf_check_program_uses_literal_for_values():
    actions, dummy = cpf.parse_cpf_actions('[Actions]\nCreateNamespace:Name=A"B\n')
    program, expectations = cpf.build_cpf_check_program(actions, _objectscript)
    text = program.render("a" * 16)
    assert '"A""B"' in text  # the ObjectScript literal of A"B
    assert expectations == {"a0": ("namespace A\"B exists (CreateNamespace)", 1)}


def test_cpf_check_program_covers_the_four_verbs():
    actions, dummy = cpf.parse_cpf_actions(MERGE)
    program, expectations = cpf.build_cpf_check_program(actions, _objectscript)
    text = program.render("b" * 16)
    for needle in ("Config.Databases).Exists", "Config.Namespaces).Exists", "##class(Security.Users).Exists(",
                   '##class(Security.Services).Get("%Service_CallIn",.idtP)'):
        assert needle in text
    assert "CreateResource" not in text
    assert set(expectations) == {"a0", "a1", "a2", "a2.Enabled", "a2.AutheEnabled", "a3"}


def test_check_cpf_results():
    actions, dummy = cpf.parse_cpf_actions(MERGE)
    dummy, expectations = cpf.build_cpf_check_program(actions, _objectscript)
    good = {"a0": True, "a1": True, "a2": {"Enabled": 1, "AutheEnabled": 48}, "a3": 1}
    assert cpf.check_cpf_results(good, expectations) == []
    bad = {"a0": True, "a1": False, "a2": {"Enabled": 0, "AutheEnabled": 48}, "a3": 0}
    missing = cpf.check_cpf_results(bad, expectations)
    assert len(missing) == 3
    assert any("namespace APP" in m for m in missing)
    assert any("Enabled=1" in m for m in missing)
