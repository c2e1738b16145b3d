# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""XML exports of classes and routines (iris-sources.md XMLEXP; DESIGN.md Contract "xmlexp").

An export is ``<Export generator="IRIS" version="26">`` (or ``generator="Cache" version="25"``) holding
``<Class name="Pkg.Cls">`` and ``<Routine name="R" type="MAC" languagemode="0"><![CDATA[lines]]></Routine>`` items
(XMLEXP). The simulator turns each item into the UDL text the UDL loader already models (a class definition, a
routine with its ``ROUTINE`` header) [inf: the translation is ours; the sources show the two forms side by side only
through the class members they name]. Only the elements and attributes XMLEXP shows are modelled; anything else
raises XmlExportError "... is not modelled by the simulator" — never ignored. A DOCTYPE (entities) is refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from iris_sim.classdefs import NOT_MODELLED

_EXPORT_ATTRS = {"generator", "version", "zv", "ts"}
_GENERATORS = {"IRIS", "Cache"}
_CLASS_CHILDREN = {"Abstract", "Description", "IncludeCode", "Super", "TimeCreated", "Parameter", "Method", "Property"}
_METHOD_CHILDREN = {"Description", "ClassMethod", "FormalSpec", "ReturnType", "Private", "Implementation"}
_PARAMETER_CHILDREN = {"Default"}
# XMLEXP (IPM test data) shows <Property name><Type>; its <Calculated>, <SqlComputed>, <SqlComputeCode> children and
# any other (InitialExpression, Collection, ...) are not modelled (row N16)
_PROPERTY_CHILDREN = {"Description", "Type"}
_ROUTINE_TYPES = {"MAC"}  # XMLEXP shows type="MAC"; INC and INT are not in the sources read (row N16)
_NAME = re.compile(r"^%?[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$")


class XmlExportError(Exception):
    """An export the simulator cannot load (malformed, or holding something not modelled)."""


def _attrs(elem, allowed: set, what: str) -> None:
    for key in elem.attrib:
        if key not in allowed:
            raise XmlExportError(f"{what}: attribute '{key}' {NOT_MODELLED}")


def _children(elem, allowed: set, what: str) -> None:
    for child in elem:
        if child.tag not in allowed:
            raise XmlExportError(f"{what}: element <{child.tag}> {NOT_MODELLED}")
        if child.attrib and child.tag not in ("Parameter", "Method", "Property"):
            raise XmlExportError(f"{what}: attributes of <{child.tag}> {NOT_MODELLED}")


def _flag(elem, tag: str, what: str) -> bool:
    text = (elem.findtext(tag) or "").strip()
    if text not in ("", "0", "1"):
        raise XmlExportError(f"{what}: <{tag}>{text}</{tag}> (only 0 or 1) {NOT_MODELLED}")
    return text == "1"


def _split_top(text: str) -> list:
    """Split a FormalSpec on the commas outside quotes and parentheses."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        if char == "," and not quoted and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current)
    return parts


def formal_spec_to_udl(spec: str, what: str) -> str:
    """``a:%String,&b,*c:%Integer=0`` (XMLEXP) → ``a As %String, ByRef b, Output c As %Integer = 0`` [inf: the UDL
    spelling of the same argument list]."""
    out = []
    for raw in _split_top(spec.strip()):
        arg = raw.strip()
        prefix = ""
        if arg.startswith("&"):
            prefix, arg = "ByRef ", arg[1:]
        elif arg.startswith("*"):
            prefix, arg = "Output ", arg[1:]
        name_type, eq, default = arg.partition("=")
        name, colon, typ = name_type.partition(":")
        if not re.match(r"^%?[A-Za-z][A-Za-z0-9]*$", name.strip()) or "(" in typ or "..." in arg:
            raise XmlExportError(f"{what}: FormalSpec argument '{raw.strip()}' {NOT_MODELLED}")
        text = prefix + name.strip()
        if colon:
            text += " As " + typ.strip()
        if eq:
            text += " = " + default.strip()
        out.append(text)
    return ", ".join(out)


def _description(elem) -> list:
    text = elem.findtext("Description")
    if text is None:
        return []
    return ["/// " + line if line else "///" for line in text.strip("\n").split("\n")]


def _class_udl(elem) -> tuple[str, str]:
    name = elem.get("name", "")
    what = f"<Class name=\"{name}\">"
    if not _NAME.match(name):
        raise XmlExportError(f"{what}: not a class name")
    _attrs(elem, {"name"}, what)
    _children(elem, _CLASS_CHILDREN, what)
    lines = []
    includes = [i.strip() for i in (elem.findtext("IncludeCode") or "").split(",") if i.strip()]
    if includes:
        lines.append("Include " + (includes[0] if len(includes) == 1 else "(" + ", ".join(includes) + ")"))
        lines.append("")
    lines += _description(elem)
    supers = [s.strip() for s in (elem.findtext("Super") or "").split(",") if s.strip()]
    head = f"Class {name}"
    if supers:
        head += " Extends " + (supers[0] if len(supers) == 1 else "(" + ", ".join(supers) + ")")
    if _abstract(elem, what):
        head += " [ Abstract ]"
    lines += [head, "{", ""]
    for member in elem:
        if member.tag == "Parameter":
            lines += _parameter_udl(member, name)
        elif member.tag == "Method":
            lines += _method_udl(member, name)
        elif member.tag == "Property":
            lines += _property_udl(member, name)
    lines.append("}")
    return name, "\n".join(lines) + "\n"


def _abstract(elem, what: str) -> bool:
    """``<Abstract>1</Abstract>`` (XMLEXP, row ABS2) → the UDL class keyword ``[ Abstract ]``, ``0`` → none: the
    element carries %Dictionary.ClassDefinition's ``Abstract As %Boolean`` (iris-sources.md IRISREF24) [inf: the
    export's class children are that class's properties]. Any other value is refused."""
    found = elem.findall("Abstract")
    if not found:
        return False
    text = (found[-1].text or "").strip()
    if len(found) > 1 or text not in ("0", "1"):
        raise XmlExportError(f"{what}: <Abstract>{text}</Abstract> is not a %Boolean 0 or 1"
                             + (" (the element is repeated)" if len(found) > 1 else "")
                             + ". Fix: write <Abstract>1</Abstract> or <Abstract>0</Abstract>")
    return text == "1"


def _member(elem, cls: str, children) -> tuple:
    """A <Parameter>/<Method>/<Property> element's checked name and its place for messages."""
    name = elem.get("name", "")
    what = f"<Class name=\"{cls}\"> <{elem.tag} name=\"{name}\">"
    _attrs(elem, {"name"}, what)
    _children(elem, children, what)
    if not re.match(r"^%?[A-Za-z][A-Za-z0-9]*$", name):
        raise XmlExportError(f"{what}: not a {elem.tag.lower()} name")
    return name, what


def _parameter_udl(elem, cls: str) -> list:
    pname, what = _member(elem, cls, _PARAMETER_CHILDREN)
    default = elem.findtext("Default")
    if default is None:
        return [f"Parameter {pname};", ""]
    return [f"Parameter {pname} = \"{default.replace(chr(34), chr(34) * 2)}\";", ""]  # [inf] a string literal


def _property_udl(elem, cls: str) -> list:
    """``<Property name="Foo"><Type>%String</Type></Property>`` (XMLEXP, row N16) → ``Property Foo As %String;``
    [inf: the UDL spelling of the same member]."""
    pname, what = _member(elem, cls, _PROPERTY_CHILDREN)
    typ = (elem.findtext("Type") or "").strip()
    if typ and not _NAME.match(typ):
        raise XmlExportError(f"{what}: <Type>{typ}</Type> (a class name) {NOT_MODELLED}")
    return _description(elem) + [f"Property {pname}" + (f" As {typ}" if typ else "") + ";", ""]


def _method_udl(elem, cls: str) -> list:
    mname, what = _member(elem, cls, _METHOD_CHILDREN)
    kind = "ClassMethod" if _flag(elem, "ClassMethod", what) else "Method"
    head = f"{kind} {mname}({formal_spec_to_udl(elem.findtext('FormalSpec') or '', what)})"
    returns = (elem.findtext("ReturnType") or "").strip()
    if returns:
        head += " As " + returns
    if _flag(elem, "Private", what):
        head += " [ Private ]"
    body = elem.findtext("Implementation") or ""
    body = body[1:] if body.startswith("\n") else body
    body = body.rstrip("\n")
    return _description(elem) + [head, "{"] + ([body] if body else []) + ["}", ""]


def _routine_udl(elem) -> tuple[str, str, str]:
    name = elem.get("name", "")
    what = f"<Routine name=\"{name}\">"
    _attrs(elem, {"name", "type", "languagemode"}, what)
    if len(elem):
        raise XmlExportError(f"{what}: child elements {NOT_MODELLED}")
    if not _NAME.match(name):
        raise XmlExportError(f"{what}: not a routine name")
    kind = elem.get("type", "")
    if kind.upper() not in _ROUTINE_TYPES:
        raise XmlExportError(f"{what}: type=\"{kind}\" {NOT_MODELLED} (XMLEXP shows type=\"MAC\")")
    mode = elem.get("languagemode")
    if mode not in (None, "0"):
        raise XmlExportError(f"{what}: languagemode=\"{mode}\" {NOT_MODELLED}")
    body = elem.text or ""
    body = body[1:] if body.startswith("\n") else body
    return name, kind.lower(), f"ROUTINE {name} [Type={kind.upper()}]\n" + body


def parse_export(text: str) -> list:
    """The items of an export, in file order: ``("cls", name, udl)`` / ``(type, name, udl)``."""
    if re.match(r"\A\ufeff?(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", text, re.IGNORECASE | re.DOTALL):
        raise XmlExportError(f"a DOCTYPE or ENTITY declaration in an export {NOT_MODELLED}")  # only in a DOCTYPE
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise XmlExportError(f"not well-formed XML: {exc}") from exc
    if root.tag != "Export":
        raise XmlExportError(f"root element <{root.tag}> (not <Export>) {NOT_MODELLED}")
    _attrs(root, _EXPORT_ATTRS, "<Export>")
    if root.get("generator") not in _GENERATORS:
        raise XmlExportError(f"<Export generator=\"{root.get('generator', '')}\"> {NOT_MODELLED}")
    if (root.text or "").strip():
        raise XmlExportError("<Export>: text outside the items " + NOT_MODELLED)
    items = []
    for child in root:
        if (child.tail or "").strip():
            raise XmlExportError("<Export>: text outside the items " + NOT_MODELLED)
        if child.tag == "Class":
            name, udl = _class_udl(child)
            items.append(("cls", name, udl))
        elif child.tag == "Routine":
            items.append(_routine_item(child))
        else:
            raise XmlExportError(f"<Export>: element <{child.tag}> {NOT_MODELLED}")
    if not items:
        raise XmlExportError("<Export> holds no <Class> or <Routine> item")  # [inf] refused, not an empty success
    return items


def _routine_item(elem) -> tuple:
    name, kind, udl = _routine_udl(elem)
    return (kind, name, udl)
