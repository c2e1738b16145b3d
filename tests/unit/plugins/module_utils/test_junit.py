# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_junit: the JUnit XML iris_unittest writes is valid against Jenkins' junit-10.xsd and carries any text safely."""

from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils import _junit

xmlschema = pytest.importorskip("xmlschema")

XSD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "junit", "junit-10.xsd")
# The member of the pytest 9.2.0 sdist (junit/README.md): a changed copy fails here.
XSD_SHA256 = "a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6"


@pytest.fixture(scope="module")
def schema():
    with open(XSD, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == XSD_SHA256
    return xmlschema.XMLSchema(XSD)


def validate(schema, data):
    """Validate the bytes against the schema; return the parsed root."""
    schema.validate(data.decode("utf-8"))
    return ET.fromstring(data)


def case(name, outcome="passed", classname="Pkg.Test", **extra):
    return dict(dict(classname=classname, name=name, time=0.0123456, outcome=outcome, message="", type="", details=""),
                **extra)


def test_counts_and_shape(schema):
    suites = [dict(name="unit", id="7", time=1.23456, testcases=[
        case("TestA"),
        case("TestB", "failed", message="AssertEquals: 2+2=5", type="AssertEquals", details="AssertEquals: 2+2=5 (TestB+1^Pkg.Test.1)"),
        case("TestC", "error", message="TestC: <UNDEFINED> *x", type="TestC", details="TestC: <UNDEFINED> *x"),
        case("TestD", "skipped", message="AssertSkipped: not here"),
    ])]
    root = validate(schema, _junit.junit_xml(suites, name="iris_unittest USER", properties={"namespace": "USER"}))
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors"), root.get("time")) == (
        "testsuites", "4", "1", "1", "1.235")
    suite = root.find("testsuite")
    assert dict(suite.attrib) == {"name": "unit", "id": "7", "tests": "4", "failures": "1", "errors": "1", "skipped": "1",
                                  "time": "1.235"}
    assert suite.find("properties/property").attrib == {"name": "namespace", "value": "USER"}
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name"), c.get("time")) for c in cases] == [
        ("Pkg.Test", "TestA", "0.012"), ("Pkg.Test", "TestB", "0.012"), ("Pkg.Test", "TestC", "0.012"),
        ("Pkg.Test", "TestD", "0.012")]
    assert list(cases[0]) == []
    failure = cases[1].find("failure")
    assert failure.attrib == {"message": "AssertEquals: 2+2=5", "type": "AssertEquals"}
    assert failure.text == "AssertEquals: 2+2=5 (TestB+1^Pkg.Test.1)"
    assert cases[2].find("error").get("message") == "TestC: <UNDEFINED> *x"
    assert cases[3].find("skipped").get("message") == "AssertSkipped: not here"


def test_no_suites_is_still_a_report(schema):
    root = validate(schema, _junit.junit_xml([]))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("0", "0", "0")


@pytest.mark.parametrize("text", [
    'sum <2+2> & "five" \'x\'',
    "line one\nline two\ttab\rreturn",
    "\u00e9t\u00e9 \u65e5\u672c \U0001f600",
    "]]> <![CDATA[ &amp;",
])
def test_text_survives_escaping(schema, text):
    suites = [dict(name=text, id="1", time=0, testcases=[
        case(text, "failed", classname=text, message=text, type="AssertTrue", details=text)])]
    root = validate(schema, _junit.junit_xml(suites))
    testcase = root.find("testsuite/testcase")
    # Attributes keep their line breaks and tabs (written as character references, not normalised away).
    assert root.find("testsuite").get("name") == text
    assert (testcase.get("classname"), testcase.get("name"), testcase.find("failure").get("message")) == (text, text, text)
    assert testcase.find("failure").text == text.replace("\r", "\n")  # XML parsers normalise a raw CR in text


def test_characters_xml_cannot_carry_are_written_out(schema):
    text = "bell\x07 nul\x00 esc\x1b del\x7f c1\x85 ffff\uffff surrogate\ud800 end"
    suites = [dict(name="s", id="1", time=0, testcases=[
        case("TestX\x01", "error", message=text, type="TestX", details=text)])]
    data = _junit.junit_xml(suites)
    root = validate(schema, data)
    error = root.find("testsuite/testcase/error")
    expected = "bell\\x07 nul\\x00 esc\\x1b del\x7f c1\x85 ffff\\uffff surrogate\\ud800 end"
    assert error.get("message") == expected and error.text == expected
    assert root.find("testsuite/testcase").get("name") == "TestX\\x01"


def test_xml_text():
    assert _junit.xml_text(None) == ""
    assert _junit.xml_text(12) == "12"
    assert _junit.xml_text("a\x02b") == "a\\x02b"
    assert _junit.xml_text("ok \u00e9") == "ok \u00e9"


def test_the_schema_refuses_a_broken_report(schema):
    """The check has teeth: a testsuite without its required counts is refused."""
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate('<testsuites><testsuite name="x"><testcase name="t"/></testsuite></testsuites>')
