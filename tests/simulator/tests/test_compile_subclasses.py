# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compile flag ``b`` ("Include sub classes", iris-sources.md N13, VOBJ): subclasses of a compiled class compile again."""

from __future__ import annotations

import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

BASE = """Class Dep.Base Extends %RegisteredObject
{{

Parameter {param} = "hi";

}}
"""

CHILD = """Class Dep.Child Extends Dep.Base
{

ClassMethod Greet() As %String
{
    quit ..#GREETING
}

}
"""

GRAND = """Class Dep.Grand Extends Dep.Child
{

}
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _setup(sim, tmp_path):
    for name, text in (("Base.cls", BASE.format(param="GREETING")), ("Child.cls", CHILD), ("Grand.cls", GRAND)):
        path = _write(tmp_path, name, text)
        assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","-d")') == "1"
    assert sim.run("USER", 'write $SYSTEM.OBJ.CompileList("Dep.Base.cls,Dep.Child.cls,Dep.Grand.cls","ck-d")') == "1"
    # the superclass changes: the parameter the subclass uses is renamed
    path = _write(tmp_path, "Base.cls", BASE.format(param="SALUTE"))
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","-d")') == "1"


def test_flag_b_compiles_subclasses_and_reports_their_errors(sim, tmp_path):
    _setup(sim, tmp_path)
    out = sim.run("USER", 'set sc=$SYSTEM.OBJ.CompileList("Dep.Base.cls","bck-d",.err) '
                          'write $SYSTEM.Status.IsError(sc),"|",err,"|",err(1)')
    assert out.startswith("1|1|Class 'Dep.Child':")
    assert "parameter 'GREETING' does not exist" in out
    # fixed subclass: both compile
    child = _write(tmp_path, "Child.cls", CHILD.replace("GREETING", "SALUTE"))
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{child}","-d")') == "1"
    assert sim.run("USER", 'write $SYSTEM.OBJ.CompileList("Dep.Base.cls,Dep.Child.cls","bck-d")') == "1"
    assert sim.run("USER", "write ##class(Dep.Grand).Greet()") == "hi"


def test_without_flag_b_subclasses_are_not_compiled(sim, tmp_path):
    _setup(sim, tmp_path)
    assert sim.run("USER", 'write $SYSTEM.OBJ.CompileList("Dep.Base.cls","ck-d")') == "1"
