# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""%DynamicObject / %DynamicArray: literals, methods, %ToJSON/%FromJSON round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, strategies as st

from iris_sim import builtins_lang, values
from iris_sim.errors import ThrowSignal
from test_lang_support import output


def test_literal_to_json():
    text = output('set x=4 set o={"a":(x*2),"b":[1,"x",true,false,null,-.5,2.50],"c":{},"d":"q\\"/"} write o.%ToJSON()')
    assert text == '{"a":8,"b":[1,"x",true,false,null,-0.5,2.5],"c":{},"d":"q\\"/"}'


def test_string_vs_number_types_survive():
    assert output('set o={} set o.s="5",o.n=5,o.m=2+3 write o.%ToJSON()') == '{"s":"5","n":5,"m":5}'


def test_control_characters_are_escaped():
    text = output('set o={} do o.%Set("k","a"_$c(10)_"b"_$c(9)_$c(1)_"\\") write o.%ToJSON()')
    assert text == '{"k":"a\\nb\\t\\u0001\\\\"}'


def test_object_methods():
    text = output('set o={"a":1} do o.%Set("b","two").%Set("t",1,"boolean").%Set("z","","null")',
                  'write o.%Get("a"),o.b,o.%Size(),o.%IsDefined("a"),o.%IsDefined("nope"),o.%GetTypeOf("t"),o.%GetTypeOf("z")',
                  'write "|",o.%Remove("a"),o.%Size(),"|",o.%Get("nope","dflt"),"|",o.nope,"|",o.%ToJSON()')
    assert text == '1two410booleannull|13|dflt||{"b":"two","t":true,"z":null}'


def test_array_methods():
    text = output('set a=[] do a.%Push(1).%Push("x") do a.%Set(4,"far")',
                  'write a.%Size(),a.%Get(0),a.%Get(1),"|",a.%ToJSON(),"|",a.%Pop(),a.%Size(),"|",a.%Remove(0),a.%ToJSON()')
    assert text == '51x|[1,"x",null,null,"far"]|far4|1["x",null,null]'


def test_iterator_walks_in_insertion_order():
    text = output('set o={"z":1,"a":[2],"m":"s"} set it=o.%GetIterator()',
                  'while it.%GetNext(.k,.v) { write k,"=",$select($isobject(v):v.%ToJSON(),1:v),";" }')
    assert text == 'z=1;a=[2];m=s;'
    assert output('set it=["a","b"].%GetIterator() while it.%GetNext(.k,.v) { write k,v }') == "0a1b"


def test_nested_property_chain():
    assert output('set o={"a":{"b":{"c":7}}} write o.a.b.c set o.a.b.c=8 write o.%ToJSON()') == '7{"a":{"b":{"c":8}}}'


def test_from_json_and_back():
    text = output('set o=##class(%DynamicObject).%FromJSON("{""k"":[1,2.50,true,null,""s""],""n"":-0.5}")',
                  'write o.k.%Get(1),"|",o.n,"|",o.%ToJSON(),"|",$classname(o.k)')
    assert text == '2.5|-.5|{"k":[1,2.5,true,null,"s"],"n":-0.5}|%Library.DynamicArray'


def test_from_json_bad_input_throws_parsing_error():
    assert output('try { set o={}.%FromJSON("{bad") } catch ex { write ex.Name }') == "Parsing error"
    with pytest.raises(ThrowSignal):
        output('set o=##class(%DynamicArray).%FromJSON("nope")')


_JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**15, 10**15),
                          st.text(alphabet=st.characters(min_codepoint=1, max_codepoint=0x2FF), max_size=12))
_JSON = st.recursive(_JSON_SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(max_size=5), children, max_size=4)), max_leaves=12)


@given(st.one_of(st.lists(_JSON, max_size=4), st.dictionaries(st.text(max_size=5), _JSON, max_size=4)))
def test_json_round_trip_property(data):
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    obj = builtins_lang.from_json(text)
    # to_json is the internal text (a character above U+FFFF as its surrogate pair); the terminal shows from_units of it
    assert json.loads(values.from_units(builtins_lang.to_json(obj))) == data
    assert builtins_lang.to_json(builtins_lang.from_json(builtins_lang.to_json(obj))) == builtins_lang.to_json(obj)


def test_to_json_output_is_compact_valid_json():
    proc_text = output('write {"a":[1,{"b":null}],"c":"é"}.%ToJSON()')
    assert proc_text == '{"a":[1,{"b":null}],"c":"é"}'
    assert json.loads(proc_text) == {"a": [1, {"b": None}], "c": "é"}
    assert values.to_str(builtins_lang.json_string("/")) == '"/"'
