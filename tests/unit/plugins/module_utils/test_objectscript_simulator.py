# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The generic templates run against the in-process IRIS simulator (the ``iris_sim`` fixture)."""

from __future__ import annotations

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import Program


def test_records_round_trip_and_list(iris_sim):
    transport = iris_sim.transport("%SYS")
    result = transport.run(Program()
                           .add("state_set", area="monitoring", name="p1", value='{"interval": 30}')
                           .add("state_set", area="monitoring", name="p2", value="x")
                           .add("state_get", key="one", area="monitoring", name="p1")
                           .add("state_get", key="none", area="monitoring", name="missing")
                           .add("state_list", key="all", area="monitoring"))
    assert result == {"one": '{"interval": 30}', "none": "", "all": {"p1": '{"interval": 30}', "p2": "x"}}
    result = transport.run(Program().add("state_kill", area="monitoring", name="p1")
                           .add("state_list", key="all", area="monitoring"))
    assert result["all"] == {"p2": "x"}
    # independent path: the global as plain ObjectScript sees it
    assert "x" in iris_sim.run("%SYS", 'write $GET(^IrisDevTools("monitoring","p2"))')


def test_sp_value_passes_call_args_in_order(iris_sim):
    transport = iris_sim.transport("%SYS")
    result = transport.run(Program()
                           .add("call_arg", value="idtprof").add("call_arg", value="a profile")
                           .add("call_arg", value=30).add("call_arg", value=10)
                           .add("sp_value", key="added", label="addprofile")
                           .add("call_arg", value="idtprof").add("call_arg", value="a profile")
                           .add("call_arg", value=30).add("call_arg", value=10)
                           .add("sp_value", key="again", label="addprofile"))
    assert result["added"] == 1
    assert str(result["again"]).startswith("0^")  # the name is taken (S13 ch. 47: returns 0^reason)


def test_class_call_with_call_args(iris_sim):
    result = iris_sim.transport("%SYS").run(
        Program().add("call_arg", value="/").add("call_value", key="k", **{"class": "%Library.File", "method": "DirectoryExists"}))
    assert result["k"] == 1


def test_unknown_routine_label_is_an_error(iris_sim):
    with pytest.raises(IrisModuleError, match="NOLINE"):
        iris_sim.transport("%SYS").run(Program().add("sp_value", key="k", label="nosuchlabel"))
