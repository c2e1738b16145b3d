# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""XML exports through $SYSTEM.OBJ.Load (iris-sources.md XMLEXP; DESIGN.md Contract "xmlexp")."""

from __future__ import annotations

import pytest

import iris_sim.models  # noqa: F401  pylint: disable=unused-import
from iris_sim import xmlexport
from test_models_support import fixture_sim  # noqa: F401  pylint: disable=unused-import

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<Export generator="IRIS" version="26">\n'

EXPORT = HEAD + """<Class name="Xml.Demo">
<Description>
A demo class</Description>
<Super>%RegisteredObject</Super>
<TimeCreated>65562,40375.11222</TimeCreated>
<Parameter name="GREETING">
<Default>Hello</Default>
</Parameter>
<Method name="Greet">
<ClassMethod>1</ClassMethod>
<FormalSpec><![CDATA[name:%String,&extra,count:%Integer=2]]></FormalSpec>
<ReturnType>%String</ReturnType>
<Implementation><![CDATA[
    quit ..#GREETING_", "_name_count_$$Twice^XmlRtn(2)
]]></Implementation>
</Method>
</Class>
<Routine name="XmlRtn" type="MAC" languagemode="0"><![CDATA[
XmlRtn ; demo
 quit
Twice(n) public {
 quit n*2
}
]]></Routine>
</Export>
"""


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _load(sim, path, flags="ck-d"):
    return sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","{flags}",.err,.list) write $SYSTEM.Status.IsOK(sc),"|",'
                           '$data(list("Xml.Demo.cls")),$data(list("XmlRtn.mac")),"|",'
                           '$SYSTEM.Status.GetErrorText(sc)')


def test_export_loads_compiles_and_runs(sim, tmp_path):
    out = _load(sim, _write(tmp_path, "demo.xml", EXPORT))
    assert out.startswith("1|11|"), out
    assert sim.run("USER", 'write ##class(Xml.Demo).Greet("you")') == "Hello, you24"
    assert sim.run("USER", 'write $$Twice^XmlRtn(5)') == "10"


def test_formal_spec_translation():
    assert xmlexport.formal_spec_to_udl("a:%String,&b,*c:%Integer=0", "m") == (
        "a As %String, ByRef b, Output c As %Integer = 0")


@pytest.mark.parametrize("body, needle", [
    ('<Class name="X.Y"><Property name="P"><Type>%String</Type><Calculated>1</Calculated></Property></Class>',
     "element <Calculated> is not modelled"),
    ('<Class name="X.Y"><Property name="P"><InitialExpression>1</InitialExpression></Property></Class>',
     "element <InitialExpression> is not modelled"),
    ('<Class name="X.Y"><Storage name="Default"><Type>%Library.CacheStorage</Type></Storage></Class>',
     "element <Storage> is not modelled"),
    ('<Class name="X.Y"><Property name="_P"><Type>%String</Type></Property></Class>', "not a property name"),
    ('<Class name="X.Y"><Property name="P"><Type>%String(MAXLEN=1)</Type></Property></Class>',
     "<Type>%String(MAXLEN=1)</Type> (a class name) is not modelled"),
    ('<Class name="X.Y"><XData name="D"/></Class>', "element <XData> is not modelled"),
    ('<Class name="X.Y"><Method name="M"><Language>python</Language></Method></Class>',
     "element <Language> is not modelled"),
    ('<Class name="X.Y" extra="1"></Class>', "attribute 'extra' is not modelled"),
    ('<Routine name="R" type="INC"><![CDATA[#define A 1\n]]></Routine>', 'type="INC" is not modelled'),
    ('<Routine name="R" type="MAC" languagemode="6"><![CDATA[R\n quit\n]]></Routine>',
     'languagemode="6" is not modelled'),
    ('<Global><Node/></Global>', "element <Global> is not modelled"),
    ('', "holds no <Class> or <Routine>"),
])
def test_unknown_content_is_loud(sim, tmp_path, body, needle):
    out = _load(sim, _write(tmp_path, "bad.xml", HEAD + body + "</Export>\n"))
    assert out.startswith("0|00|") and needle in out, out


def test_doctype_and_malformed_refused(sim, tmp_path):
    doctype = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Export generator="IRIS" version="26"></Export>'
    assert "DOCTYPE or ENTITY" in _load(sim, _write(tmp_path, "d.xml", doctype))
    assert "not well-formed" in _load(sim, _write(tmp_path, "m.xml", HEAD + "<Class name='A.B'>"))


def test_compile_error_names_class_and_file(sim, tmp_path):
    broken = EXPORT.replace("quit ..#GREETING", "quit ((..#GREETING")
    out = _load(sim, _write(tmp_path, "broken.xml", broken))
    assert out.startswith("0|") and "Class 'Xml.Demo'" in out and "broken.xml" in out, out


def test_a_bad_item_stores_nothing(sim, tmp_path):
    mixed = EXPORT.replace("</Export>", '<Routine name="R2" type="INT"><![CDATA[R2\n]]></Routine>\n</Export>')
    out = _load(sim, _write(tmp_path, "mixed.xml", mixed))
    assert out.startswith("0|00|"), out
    assert "CLASS DOES NOT EXIST" in sim.run("USER", 'try { write ##class(Xml.Demo).Greet("x") } '
                                                     'catch e { write e.Name }')


PROPS = HEAD + """<Class name="P.C">
<Super>%RegisteredObject</Super>
<TimeCreated>64509,41396.297647</TimeCreated>

<Property name="Foo">
<Description>
The foo</Description>
<Type>%String</Type>
</Property>

<Property name="Bar">
<Type>%String</Type>
</Property>
</Class>
</Export>
"""


def test_properties_load_and_hold_values(sim, tmp_path):
    path = _write(tmp_path, "props.xml", PROPS)
    out = sim.run("USER", f'set sc=$SYSTEM.OBJ.Load("{path}","ck-d",.err,.list) write $SYSTEM.Status.IsOK(sc),"|",'
                          '$data(list("P.C.cls")),"|",$SYSTEM.Status.GetErrorText(sc)')
    assert out.startswith("1|1|"), out
    assert sim.run("USER", 'set o=##class(P.C).%New(),o.Foo="x",o.Bar="y" write o.Foo,o.Bar') == "xy"


def test_property_translation():
    items = xmlexport.parse_export(PROPS)
    assert "/// The foo\nProperty Foo As %String;" in items[0][2] and "Property Bar As %String;" in items[0][2]


ABSTRACT = HEAD + """<Class name="A.Base">
<Abstract>1</Abstract>
<Super>%RegisteredObject</Super>
<TimeCreated>64509,41396.297647</TimeCreated>

<Method name="Kind">
<ClassMethod>1</ClassMethod>
<Implementation><![CDATA[
    quit "base"
]]></Implementation>
</Method>
</Class>
<Class name="A.Concrete">
<Abstract>0</Abstract>
<Super>A.Base</Super>
</Class>
</Export>
"""


def test_abstract_becomes_the_class_keyword(sim, tmp_path):
    """<Abstract>1</Abstract> (XMLEXP, row ABS2) → [ Abstract ]: %New gives "" (ROBJABS); 0 → no keyword."""
    items = xmlexport.parse_export(ABSTRACT)
    assert "Class A.Base Extends %RegisteredObject [ Abstract ]\n" in items[0][2]
    assert "Class A.Concrete Extends A.Base\n" in items[1][2]
    path = _write(tmp_path, "abs.xml", ABSTRACT)
    assert sim.run("USER", f'write $SYSTEM.OBJ.Load("{path}","ck-d",.e),"|",e') == "1|0"
    assert sim.run("USER", 'write ##class(A.Base).Kind(),"|",##class(A.Base).%New()=""') == "base|1"
    assert sim.run("USER", 'write $isobject(##class(A.Concrete).%New())') == "1"


@pytest.mark.parametrize("value", ["<Abstract>2</Abstract>", "<Abstract>true</Abstract>", "<Abstract/>",
                                   "<Abstract>1</Abstract><Abstract>1</Abstract>"])
def test_abstract_other_values_are_errors(sim, tmp_path, value):
    """A value other than 0 or 1 (a %Boolean: IRISREF24 %Dictionary.ClassDefinition.Abstract) fails the Load."""
    out = _load(sim, _write(tmp_path, "bad.xml", HEAD + f'<Class name="X.Y">{value}</Class></Export>\n'))
    assert out.startswith("0|00|") and "is not a %Boolean 0 or 1" in out, out
