# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Built-in classes of the language layer.

* ``%Library.DynamicObject`` / ``%Library.DynamicArray`` (+ iterators): JSON literals, ``%Set`` ...
  [inf] behaviour from the ObjectScript JSON documentation as recalled; not verified live.
* ``%SYSTEM.Status`` (iris-sources.md §1.4, S8-S11, S10), ``%SYSTEM.Process`` (§4.1),
  ``%SYSTEM.Version`` and the ``$ZVERSION`` string (iris-sources.md LESSONS §6: 2025.1 Build 223U).
* ``%Exception.*``: the objects a ``catch`` receives.  [inf] property layout (Name, Code, Location,
  Data, InnerException) and ``DisplayString``/``AsStatus`` from the class reference as recalled.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import os
import random
import re
import time

from iris_sim import errors, values
from iris_sim.errors import IrisError, SessionEnd, ThrowSignal
from iris_sim.objects import ByRef, Prop, SimClass, SimObject, class_method, method, register

# The principal device of a terminal session, as ``$IO``/``$PRINCIPAL`` show it [inf: the name].
PRINCIPAL = "/dev/pts/0"

# Shape of $ZVERSION: "IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) 2025.1 (Build 223U) <date>"
# [inf]; version/build from iris-sources.md LESSONS §6.  It says it is the simulator.
SIM_VERSION = "2025.1"
SIM_BUILD = "223U"
ZVERSION = (f"IRIS for UNIX (Ubuntu Server LTS for x86-64 Containers) {SIM_VERSION} (Build {SIM_BUILD}) "
            "Thu Jan 1 2026 00:00:00 UTC [IRIS-SIM simulator, not InterSystems IRIS]")


def zversion(proc=None) -> str:
    """``$ZVERSION``; an instance may override it with a ``zversion`` attribute."""
    instance = getattr(proc, "instance", None)
    return getattr(instance, "zversion", None) or ZVERSION


# =============================================================================================
# JSON: %DynamicObject / %DynamicArray
# =============================================================================================

_UNASSIGNED = None


def _is_dynamic(value) -> bool:
    return isinstance(value, SimObject) and value.cls.name in (DynamicObject.name, DynamicArray.name)


def _type_of(value) -> str:
    if isinstance(value, SimObject):
        if value.cls.name == DynamicObject.name:
            return "object"
        if value.cls.name == DynamicArray.name:
            return "array"
        return "oref"
    if values.is_number(value):
        return "number"
    return "string"


def _coerce(value, type_name) -> tuple:
    """(value, json type) for ``%Set(key, value, type)``."""
    value = values.normalise(value)
    if type_name in (None, ""):
        return value, _type_of(value)
    type_name = values.to_str(type_name).lower()
    if type_name == "boolean":
        return (1 if values.to_bool(value) else 0), "boolean"
    if type_name == "null":
        return "", "null"
    if type_name == "number":
        return values.to_num(value), "number"
    if type_name == "string":
        return values.to_str(value), "string"
    raise IrisError("ILLEGAL VALUE", type_name)


def _json_number(value) -> str:
    text = values.num_to_str(values.to_num(value))
    # [inf] %ToJSON writes JSON-valid numbers: .5 → 0.5
    if text.startswith("."):
        return "0" + text
    if text.startswith("-."):
        return "-0" + text[1:]
    return text


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def json_string(text: str) -> str:
    """A JSON string literal as ``%ToJSON`` writes it (``/`` and non-ASCII left as they are) [inf]."""
    out = []
    for char in text:
        if char in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _json_value(value, type_name) -> str:
    if type_name == "null":
        return "null"
    if type_name == "boolean":
        return "true" if values.to_bool(value) else "false"
    if type_name == "number":
        return _json_number(value)
    if type_name in ("object", "array"):
        return to_json(value)
    if type_name == "oref":
        raise IrisError("INVALID OREF", str(value))  # [inf] a non-dynamic oref cannot be serialised
    return json_string(values.to_str(value))


def to_json(obj: SimObject) -> str:
    """``%ToJSON()`` of a dynamic object or array."""
    items = obj.state["items"]
    if obj.cls.name == DynamicObject.name:
        parts = [json_string(key) + ":" + _json_value(*entry) for key, entry in items.items()]
        return "{" + ",".join(parts) + "}"
    parts = ["null" if entry is _UNASSIGNED else _json_value(*entry) for entry in items]
    return "[" + ",".join(parts) + "]"


def _from_python(data, proc=None):
    if isinstance(data, dict):
        obj = new_dynamic_object()
        for key, val in data.items():
            obj.state["items"][values.to_units(key)] = _from_python_entry(val, proc)
        return obj
    array = new_dynamic_array()
    array.state["items"].extend(_from_python_entry(val, proc) for val in data)
    return array


def _from_python_entry(val, proc):
    if val is True or val is False:
        return (1 if val else 0), "boolean"
    if val is None:
        return "", "null"
    if isinstance(val, (dict, list)):
        child = _from_python(val, proc)
        return child, _type_of(child)
    if isinstance(val, _JsonNumber):
        return values.to_num(str(val)), "number"
    return values.to_units(val), "string"  # 16-bit character elements (values.py)


class _JsonNumber(str):
    """Marks a number literal read by ``json`` so it keeps its decimal value."""


def from_json(text: str, proc=None):
    """``%FromJSON(string)``; bad JSON throws an exception object (``<THROW>`` when uncaught) [inf]."""
    try:
        data = json.loads(values.to_str(text), parse_float=_JsonNumber, parse_int=_JsonNumber,
                          parse_constant=_JsonNumber)
    except ValueError as exc:
        pos = getattr(exc, "pos", 0)
        raise ThrowSignal(make_general_exception("Parsing error", 3, "", f"Line 1 Offset {pos}")) from exc
    if not isinstance(data, (dict, list)):
        raise ThrowSignal(make_general_exception("Parsing error", 3, "", "Line 1 Offset 0"))
    return _from_python(data, proc)


def new_dynamic_object() -> SimObject:
    """A new, empty %DynamicObject."""
    obj = SimObject(DynamicObject)
    obj.state["items"] = {}
    return obj


def new_dynamic_array() -> SimObject:
    """A new, empty %DynamicArray."""
    obj = SimObject(DynamicArray)
    obj.state["items"] = []
    return obj


def dynamic_set(obj: SimObject, key, value, type_name=None) -> None:
    """Store ``value`` under ``key`` (object key or 0-based array index)."""
    entry = _coerce(value, type_name)
    items = obj.state["items"]
    if obj.cls.name == DynamicObject.name:
        items[values.to_str(key)] = entry
        return
    index = _index(key)
    while len(items) <= index:
        items.append(_UNASSIGNED)
    items[index] = entry


def _index(key) -> int:
    index = values.to_int(key)
    if index < 0:
        raise IrisError("ILLEGAL VALUE", values.to_str(key))
    return index


def _entry(obj: SimObject, key):
    items = obj.state["items"]
    if obj.cls.name == DynamicObject.name:
        return items.get(values.to_str(key), _UNASSIGNED)
    index = values.to_int(key)
    return items[index] if 0 <= index < len(items) else _UNASSIGNED


def dynamic_get(obj: SimObject, key, default=""):
    """``%Get(key)``: the value, ``""`` for null, ``default`` for unassigned."""
    entry = _entry(obj, key)
    if entry is _UNASSIGNED:
        return default
    return entry[0]


class _DynamicBase(SimClass):
    """Shared members of %DynamicObject and %DynamicArray."""

    instantiable = True

    @class_method("%New", source="[inf] JSON docs")
    def new(cls, proc):  # pylint: disable=unused-argument
        """``%New()``: an empty dynamic entity."""
        return new_dynamic_object() if cls.name == DynamicObject.name else new_dynamic_array()

    @class_method("%FromJSON", source="[inf] JSON docs")
    def from_json_method(cls, proc, text):  # pylint: disable=unused-argument
        """``%FromJSON(string)``."""
        return from_json(text, proc)

    # JSON guide, %ToJSON() (docs.intersystems.com GJSON_refapi_to-json): without an output stream,
    # called via DO it writes the JSON to the current device; as an expression it returns it.
    @method("%ToJSON", source="GJSON_refapi_to-json")
    def to_json_method(self, proc, outstream=None):
        """``%ToJSON()``: the JSON text, or written to the device when called by DO."""
        if outstream not in (None, ""):
            raise IrisError("INVALID ARGUMENT", "streams and files are not modelled by the simulator")
        text = to_json(self)
        if getattr(proc, "do_call", False):
            proc.write(text)
            return None
        return text

    @method("%Get", source="[inf] JSON docs")
    def get(self, proc, key, default="", type_name=None):  # pylint: disable=unused-argument
        """``%Get(key[,default])``."""
        return dynamic_get(self, key, default)

    @method("%Set", source="[inf] JSON docs")
    def set(self, proc, key, value, type_name=None):  # pylint: disable=unused-argument
        """``%Set(key,value[,type])``: returns the object itself (chainable)."""
        dynamic_set(self, key, value, type_name)
        return self

    @method("%IsDefined", source="[inf] JSON docs")
    def is_defined(self, proc, key):  # pylint: disable=unused-argument
        """``%IsDefined(key)``: 1 when assigned (null counts as assigned) [inf]."""
        return 0 if _entry(self, key) is _UNASSIGNED else 1

    @method("%GetTypeOf", source="[inf] JSON docs")
    def get_type_of(self, proc, key):  # pylint: disable=unused-argument
        """``%GetTypeOf(key)``: string, number, boolean, null, object, array, oref, unassigned."""
        entry = _entry(self, key)
        return "unassigned" if entry is _UNASSIGNED else entry[1]

    @method("%Size", source="[inf] JSON docs")
    def size(self, proc):  # pylint: disable=unused-argument
        """``%Size()``."""
        return len(self.state["items"])

    @method("%GetIterator", source="[inf] JSON docs")
    def get_iterator(self, proc):  # pylint: disable=unused-argument
        """``%GetIterator()``: an iterator whose ``%GetNext(.key,.value)`` walks the entries."""
        iterator = SimObject(DynamicIterator)
        items = self.state["items"]
        if self.cls.name == DynamicObject.name:
            iterator.state["entries"] = list(items.items())
        else:
            iterator.state["entries"] = [(i, v) for i, v in enumerate(items) if v is not _UNASSIGNED]
        iterator.state["pos"] = 0
        return iterator

    @method("%IsA", source="[inf]")
    def is_a(self, proc, class_name):  # pylint: disable=unused-argument
        """``%IsA(class)``."""
        wanted = values.to_str(class_name)
        return 1 if wanted in (self.cls.name, "%" + self.cls.name.split(".")[-1], "%Library.DynamicAbstractObject") else 0

    @method("%ClassName", source="[inf]")
    def class_name(self, proc, full=0):  # pylint: disable=unused-argument
        """``%ClassName(full)``."""
        return self.cls.name if values.to_bool(full) else self.cls.name.split(".")[-1]


@register
class DynamicObject(_DynamicBase):
    """``%Library.DynamicObject``: properties are the JSON keys (``o.name``; unassigned reads ``""``)."""

    name = "%Library.DynamicObject"
    aliases = ("%DynamicObject",)
    source = "[inf] ObjectScript JSON documentation"

    @classmethod
    def get_property(cls, obj, pname, proc=None):
        return dynamic_get(obj, pname, "")

    @classmethod
    def set_property(cls, obj, pname, value, proc=None):
        dynamic_set(obj, pname, value)

    @method("%Remove", source="[inf] JSON docs")
    def remove(self, proc, key):  # pylint: disable=unused-argument
        """``%Remove(key)``: returns the removed value."""
        entry = self.state["items"].pop(values.to_str(key), _UNASSIGNED)
        return "" if entry is _UNASSIGNED else entry[0]


@register
class DynamicArray(_DynamicBase):
    """``%Library.DynamicArray`` (0-based)."""

    name = "%Library.DynamicArray"
    aliases = ("%DynamicArray",)
    source = "[inf] ObjectScript JSON documentation"

    @method("%Push", source="[inf] JSON docs")
    def push(self, proc, value, type_name=None):  # pylint: disable=unused-argument
        """``%Push(value[,type])``: returns the array (chainable)."""
        self.state["items"].append(_coerce(value, type_name))
        return self

    @method("%Pop", source="[inf] JSON docs")
    def pop(self, proc):  # pylint: disable=unused-argument
        """``%Pop()``: removes and returns the last element (``""`` when empty)."""
        items = self.state["items"]
        if not items:
            return ""
        entry = items.pop()
        return "" if entry is _UNASSIGNED else entry[0]

    @method("%Remove", source="[inf] JSON docs")
    def remove(self, proc, key):  # pylint: disable=unused-argument
        """``%Remove(index)``: removes and returns the element; later elements shift down."""
        items = self.state["items"]
        index = values.to_int(key)
        if not 0 <= index < len(items):
            return ""
        entry = items.pop(index)
        return "" if entry is _UNASSIGNED else entry[0]


@register
class DynamicIterator(SimClass):
    """``%Iterator.Object`` / ``%Iterator.Array`` returned by ``%GetIterator()`` [inf]."""

    name = "%Iterator.Object"
    aliases = ("%Iterator.Array",)
    source = "[inf] ObjectScript JSON documentation"
    instantiable = False

    @method("%GetNext", source="[inf] JSON docs")
    def get_next(self, proc, key=None, value=None, type_ref=None):  # pylint: disable=unused-argument
        """``%GetNext(.key,.value[,.type])``: 1 and the next entry, or 0 at the end."""
        entries, pos = self.state["entries"], self.state["pos"]
        if pos >= len(entries):
            return 0
        self.state["pos"] = pos + 1
        entry_key, (entry_value, entry_type) = entries[pos]
        for ref, val in ((key, entry_key), (value, entry_value), (type_ref, entry_type)):
            if isinstance(ref, ByRef):
                ref.value = val
        return 1


# =============================================================================================
# %SYSTEM.Status (iris-sources.md §1.4, S8-S11, S10)
# =============================================================================================

@register
class SystemStatus(SimClass):
    """``%SYSTEM.Status``: tests and texts of ``%Status`` values (iris-sources.md §1.4)."""

    name = "%SYSTEM.Status"
    source = "iris-sources.md §1.4, S8-S11, S10"
    instantiable = False

    @class_method("IsOK", source="S8-S11")
    def is_ok(cls, proc, sc=""):  # pylint: disable=unused-argument
        """1 when ``sc`` is OK."""
        return 0 if errors.is_error(sc) else 1

    @class_method("IsError", source="S8-S11")
    def is_error(cls, proc, sc=""):  # pylint: disable=unused-argument
        """1 when ``sc`` is an error status."""
        return 1 if errors.is_error(sc) else 0

    @class_method("GetErrorText", source="S10, §1.4")
    def get_error_text(cls, proc, sc="", language=None):  # pylint: disable=unused-argument
        """``ERROR #5001: text`` (``""`` for OK)."""
        return errors.status_text(sc)

    @class_method("GetErrorCodes", source="S10, §1.4")
    def get_error_codes(cls, proc, sc=""):  # pylint: disable=unused-argument
        """The error codes, comma-separated [inf]."""
        return errors.status_codes(sc)

    @class_method("GetOneErrorText", source="§1.4 [inf]")
    def get_one_error_text(cls, proc, sc="", index=1, language=None):  # pylint: disable=unused-argument
        """Text of error ``index`` with its code (``ERROR #5001: text``) [inf]."""
        return _one_entry(sc, index, with_code=True)

    @class_method("GetOneStatusText", source="S10, §1.4")
    def get_one_status_text(cls, proc, sc="", index=1, language=None):  # pylint: disable=unused-argument
        """Text of error ``index`` without the ``ERROR #n:`` prefix [inf]."""
        return _one_entry(sc, index, with_code=False)

    @class_method("Error", source="[inf] %SYSTEM.Status.Error(code, params...)")
    def error(cls, proc, code, *params):  # pylint: disable=unused-argument
        """An error status for ``code`` with message parameters."""
        return errors.status_error(values.to_int(code), *[values.to_str(p) for p in params])

    @class_method("OK", source="S8-S11")
    def ok(cls, proc):  # pylint: disable=unused-argument
        """The OK status, 1."""
        return errors.status_ok()

    @class_method("AppendStatus", source="[inf]")
    def append_status(cls, proc, sc1="", sc2=""):  # pylint: disable=unused-argument
        """Both statuses' errors in one status (OK when neither is an error)."""
        entries = errors.status_entries(sc1) + errors.status_entries(sc2)
        if not entries:
            return errors.status_ok()
        inner = [values.list_build([code, text]) for code, text in entries]
        return "0 " + values.list_build(inner)

    @class_method("DisplayError", source="[inf]")
    def display_error(cls, proc, sc=""):
        """Writes the error text to the current device."""
        text = errors.status_text(sc)
        if text:
            proc.write("\r\n" + text)
        return errors.status_ok()


def _one_entry(sc, index, with_code: bool) -> str:
    entries = errors.status_entries(sc)
    index = values.to_int(index)
    if not 1 <= index <= len(entries):
        return ""
    code, text = entries[index - 1]
    return f"ERROR #{code}: {text}" if with_code else text


# =============================================================================================
# %SYSTEM.Process (iris-sources.md §4.1) and %SYSTEM.Version
# =============================================================================================

def current_directory(proc) -> str:
    """The process's directory: ``<mgr>/`` in %SYS, ``<mgr>/<ns lower>/`` otherwise [inf]."""
    instance = getattr(proc, "instance", None)
    mgr = str(getattr(instance, "mgr_dir", None) or "/usr/irissys/mgr").rstrip("/") + "/"
    namespace = getattr(proc, "namespace", "USER")
    if namespace.upper() == "%SYS":
        return mgr
    return f"{mgr}{namespace.lower()}/"


@register
class SystemProcess(SimClass):
    """``%SYSTEM.Process``."""

    name = "%SYSTEM.Process"
    source = "iris-sources.md §4.1"
    instantiable = False

    @class_method("Terminate", source="iris-sources.md §4.1 (S23/S28 Dockerfiles, S31)")
    def terminate(cls, proc, pid=None, exit_code=0):  # pylint: disable=unused-argument
        """``Terminate(,code)``: ends this process; the ``iris session`` exit code becomes ``code``.

        Another pid: the simulator has no other processes → error status 5001 [inf].
        """
        own = str(getattr(proc, "job", os.getpid()))
        if pid in (None, "") or values.to_str(pid) == own:
            raise SessionEnd(values.to_int(exit_code))
        return errors.status_error(5001, f"Process {values.to_str(pid)} does not exist")

    @class_method("CurrentDirectory", source="[inf]")
    def current_directory(cls, proc, new_dir=None):  # pylint: disable=unused-argument
        """The process's current directory [inf]."""
        return current_directory(proc)

    @class_method("NameSpace", source="[inf]")
    def namespace(cls, proc):  # pylint: disable=unused-argument
        """The current namespace."""
        return proc.namespace


@register
class SystemVersion(SimClass):
    """``%SYSTEM.Version`` (values from iris-sources.md LESSONS §6: 2025.1 Build 223U) [inf]."""

    name = "%SYSTEM.Version"
    source = "iris-sources.md LESSONS §6 [inf]"
    instantiable = False

    @class_method("GetVersion", source="[inf]")
    def get_version(cls, proc):
        """The ``$ZVERSION`` string."""
        return zversion(proc)

    @class_method("GetNumber", source="[inf]")
    def get_number(cls, proc):  # pylint: disable=unused-argument
        """``2025.1``."""
        return SIM_VERSION

    @class_method("GetMajor", source="[inf]")
    def get_major(cls, proc):  # pylint: disable=unused-argument
        """``2025``."""
        return int(SIM_VERSION.split(".", maxsplit=1)[0])

    @class_method("GetMinor", source="[inf]")
    def get_minor(cls, proc):  # pylint: disable=unused-argument
        """``1``."""
        return int(SIM_VERSION.split(".")[1])

    @class_method("GetBuildNumber", source="[inf]")
    def get_build_number(cls, proc):  # pylint: disable=unused-argument
        """``223U``."""
        return SIM_BUILD

    @class_method("GetProduct", source="[inf]")
    def get_product(cls, proc):  # pylint: disable=unused-argument
        """``IRIS``."""
        return "IRIS"


# =============================================================================================
# %Exception.*
# =============================================================================================

_EXCEPTION_PROPS = {
    "Name": Prop("", source="[inf] %Exception.AbstractException"),
    "Code": Prop("", source="[inf] %Exception.AbstractException"),
    "Location": Prop("", source="[inf] %Exception.AbstractException"),
    "Data": Prop("", source="[inf] %Exception.AbstractException"),
    "InnerException": Prop("", source="[inf] %Exception.AbstractException"),
}


@register
class AbstractException(SimClass):
    """``%Exception.AbstractException``: Name, Code, Location, Data, InnerException [inf]."""

    name = "%Exception.AbstractException"
    source = "[inf] class reference as recalled"
    properties = dict(_EXCEPTION_PROPS)

    @staticmethod
    def on_new(obj, proc, name="", code="", location="", data="", inner=""):  # pylint: disable=unused-argument
        """``%New(Name, Code, Location, Data, InnerException)``."""
        for key, val in (("Name", name), ("Code", code), ("Location", location), ("Data", data), ("InnerException", inner)):
            obj.props[key] = values.normalise(val)
        return errors.status_ok()

    @method("DisplayString", source="[inf]")
    def display_string(self, proc, level=None):  # pylint: disable=unused-argument
        """``Name Code Location Data`` for general exceptions; the terminal text for system ones [inf]."""
        return exception_text(self)

    @method("AsStatus", source="[inf]")
    def as_status(self, proc):  # pylint: disable=unused-argument
        """A %Status carrying the exception's text [inf]."""
        if "status" in self.state:
            return self.state["status"]
        if self.cls.name == SystemException.name:
            return errors.status_error(5002, exception_text(self))
        return errors.status_error(5001, exception_text(self))

    @method("Log", source="[inf]")
    def log(self, proc):  # pylint: disable=unused-argument
        """Logging to the application error log is a no-op here; returns OK."""
        return errors.status_ok()


@register
class GeneralException(AbstractException):
    """``%Exception.General``: user-thrown exceptions [inf]."""

    name = "%Exception.General"
    superclass = "%Exception.AbstractException"


@register
class SystemException(AbstractException):
    """``%Exception.SystemException``: what ``catch`` receives for runtime errors [inf]."""

    name = "%Exception.SystemException"
    superclass = "%Exception.AbstractException"


@register
class StatusException(AbstractException):
    """``%Exception.StatusException``: wraps an error %Status [inf]."""

    name = "%Exception.StatusException"
    superclass = "%Exception.AbstractException"

    @class_method("CreateFromStatus", source="[inf]")
    def create_from_status(cls, proc, sc):  # pylint: disable=unused-argument
        """An exception object for the first error in ``sc`` (Name ``ERROR #code``, Code ``code``) [inf]."""
        entries = errors.status_entries(sc) or [(5001, "")]
        code, text = entries[0]
        obj = SimObject(cls)
        obj.props.update({"Name": f"ERROR #{code}", "Code": code, "Data": text})
        obj.state["status"] = sc
        return obj


def make_general_exception(name, code, location, data) -> SimObject:
    """A ``%Exception.General`` object."""
    obj = SimObject(GeneralException)
    obj.props.update({"Name": name, "Code": code, "Location": location, "Data": data})
    return obj


def system_exception(error: IrisError) -> SimObject:
    """The ``%Exception.SystemException`` for a runtime error.

    [inf] Name is the bracketed error name (``<UNDEFINED>``), Code its number, Location the
    ``label+n^routine`` (empty in direct mode), Data the detail after ``*`` (``x``).
    """
    obj = SimObject(SystemException)
    obj.props.update({"Name": error.iris_name, "Code": error.code, "Location": error.location, "Data": error.detail})
    obj.state["error"] = error
    return obj


def exception_text(obj: SimObject) -> str:
    """The display text of an exception object."""
    error = obj.state.get("error")
    if error is not None:
        return str(error)
    if "status" in obj.state:
        return errors.status_text(obj.state["status"])
    parts = [values.to_str(obj.props.get(key, "")) for key in ("Name", "Code", "Location", "Data")]
    return " ".join(part for part in parts if part != "")


def is_exception(value) -> bool:
    """True for an object of a ``%Exception.AbstractException`` class."""
    return isinstance(value, SimObject) and any(k.name == AbstractException.name for k in value.cls.class_chain())


# =============================================================================================
# $functions and special variables
# =============================================================================================
# [inf] semantics from the ObjectScript function reference as recalled; the simulator models the
# common argument forms only and raises <FUNCTION> for anything else.

_FUNCTION_NAMES = {
    "d": "data", "data": "data", "g": "get", "get": "get", "o": "order", "order": "order",
    "p": "piece", "piece": "piece", "l": "length", "length": "length",
    "lb": "listbuild", "listbuild": "listbuild", "lg": "listget", "listget": "listget",
    "li": "list", "list": "list", "ll": "listlength", "listlength": "listlength",
    "lf": "listfind", "listfind": "listfind", "lts": "listtostring", "listtostring": "listtostring",
    "lfs": "listfromstring", "listfromstring": "listfromstring", "lv": "listvalid", "listvalid": "listvalid",
    "zdt": "zdatetime", "zdatetime": "zdatetime", "zd": "zdate", "zdate": "zdate", "zt": "ztime", "ztime": "ztime",
    "zdth": "zdatetimeh", "zdatetimeh": "zdatetimeh", "zdh": "zdateh", "zdateh": "zdateh",
    "c": "char", "char": "char", "a": "ascii", "ascii": "ascii", "s": "select", "select": "select",
    "case": "case", "e": "extract", "extract": "extract", "f": "find", "find": "find",
    "tr": "translate", "translate": "translate", "zcvt": "zconvert", "zconvert": "zconvert",
    "j": "justify", "justify": "justify", "num": "number", "number": "number",
    "fn": "fnumber", "fnumber": "fnumber", "i": "increment", "increment": "increment", "now": "now",
    "zstrip": "zstrip", "r": "random", "random": "random", "re": "reverse", "reverse": "reverse",
    "classname": "classname", "isobject": "isobject", "isvalidnum": "isvalidnum", "property": "property",
    "classmethod": "classmethod", "method": "method", "zabs": "zabs", "zse": "zsearch", "zsearch": "zsearch",
    "wc": "wchar", "wchar": "wchar", "wl": "wlength", "wlength": "wlength", "wa": "wascii", "wascii": "wascii",
    "wiswide": "wiswide",
}

_VARIABLE_NAMES = {
    "h": "horolog", "horolog": "horolog", "zv": "zversion", "zversion": "zversion", "j": "job", "job": "job",
    "zts": "ztimestamp", "ztimestamp": "ztimestamp", "ze": "zerror", "zerror": "zerror",
    "namespace": "namespace", "znspace": "namespace", "x": "x", "y": "y", "t": "test", "test": "test",
    "io": "io", "principal": "principal", "p": "principal", "zh": "zhorolog", "zhorolog": "zhorolog", "username": "username", "roles": "roles",
    "tlevel": "tlevel", "tl": "tlevel", "ecode": "ecode", "ec": "ecode", "this": "this",
}


def canonical_function(node) -> str:
    """Full lower-case name of a ``$function`` node (abbreviations resolved); unknown → <FUNCTION>."""
    raw = node.text.split("(", 1)[0].lstrip("$").lower()
    name = _FUNCTION_NAMES.get(raw)
    if name is None:
        # Named, so that a reader (and the probe kit) tells "not modelled" from a real <FUNCTION>.
        raise IrisError("FUNCTION", f"simulator: the ${raw.upper()} function is not modelled")
    return name


def canonical_variable(text: str) -> str:
    """Full lower-case name of a special variable (``$H`` → ``horolog``); unknown → <SYNTAX>."""
    name = _VARIABLE_NAMES.get(text.lstrip("$").lower())
    if name is None:
        raise IrisError("SYNTAX")
    return name


def _arg(args, index, default=None):
    if index < len(args) and args[index] is not None:
        return args[index]
    return default


def _need(args, count):
    if len(args) < count or any(a is None for a in args[:count]):
        raise IrisError("SYNTAX")


# -- time -------------------------------------------------------------------------------------
_EPOCH = datetime.date(1840, 12, 31)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def horolog(moment: datetime.datetime) -> str:
    """``days,seconds`` since 1840-12-31 for a naive datetime."""
    days = (moment.date() - _EPOCH).days
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return f"{days},{seconds}"


def _now_local() -> datetime.datetime:
    return datetime.datetime.now()


def _now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _fraction(moment: datetime.datetime, digits: int) -> str:
    if digits <= 0:
        return ""
    return "." + f"{moment.microsecond:06d}"[:digits]


def _split_h(value) -> tuple[datetime.datetime, str]:
    text = values.to_str(value)
    day_part, _sep, time_part = text.partition(",")
    if not re.fullmatch(r"-?\d+", day_part.strip() or "x"):
        raise IrisError("ILLEGAL VALUE", text)
    seconds = decimal_seconds = values.to_num(time_part) if time_part else 0
    whole = values.to_int(seconds)
    frac_text = values.num_to_str(values.subtract(decimal_seconds, whole)) if seconds != whole else ""
    moment = datetime.datetime.combine(_EPOCH + datetime.timedelta(days=int(day_part)), datetime.time()) \
        + datetime.timedelta(seconds=whole)
    return moment, frac_text.lstrip("0") if frac_text else ""


def _format_date(moment: datetime.datetime, fmt: int) -> str:
    if fmt in (3, -3):
        return moment.strftime("%Y-%m-%d")
    if fmt == 8:
        return moment.strftime("%Y%m%d")
    if fmt == 1:
        return moment.strftime("%m/%d/%Y")
    if fmt == 4:
        return moment.strftime("%d/%m/%Y")
    if fmt == 2:
        return f"{moment.day:02d} {_MONTHS[moment.month - 1]} {moment.year}"
    raise IrisError("FUNCTION", f"simulator: date format {fmt} is not modelled")


def _format_time(moment: datetime.datetime, fmt: int, frac: str, precision) -> str:
    if fmt == 1:
        text = moment.strftime("%H:%M:%S")
    elif fmt == 2:
        return moment.strftime("%H:%M")
    else:
        raise IrisError("FUNCTION", f"simulator: time format {fmt} is not modelled")
    digits = values.to_int(precision) if precision not in (None, "") else 0
    if digits > 0:
        frac_digits = (frac.lstrip(".") + "0" * digits)[:digits]
        text += "." + frac_digits
    return text


def fn_zdatetime(proc, args):  # pylint: disable=unused-argument
    """``$ZDATETIME(h[,dformat[,tformat[,precision]]])``: formats 1 2 3 4 8 and -3 (UTC → local)."""
    _need(args, 1)
    moment, frac = _split_h(args[0])
    dformat = values.to_int(_arg(args, 1, 1))
    if dformat == -3:
        moment = moment.replace(tzinfo=datetime.timezone.utc).astimezone().replace(tzinfo=None)
    tformat = values.to_int(_arg(args, 2, 1))
    return _format_date(moment, dformat) + " " + _format_time(moment, tformat, frac, _arg(args, 3))


def fn_zdate(proc, args):  # pylint: disable=unused-argument
    """``$ZDATE(h[,format])``."""
    _need(args, 1)
    moment = _split_h(args[0])[0]
    return _format_date(moment, values.to_int(_arg(args, 1, 1)))


def fn_ztime(proc, args):  # pylint: disable=unused-argument
    """``$ZTIME(seconds[,format])``."""
    _need(args, 1)
    moment, frac = _split_h("0," + values.to_str(args[0]))
    return _format_time(moment, values.to_int(_arg(args, 1, 1)), frac, _arg(args, 2))


def _parse_datetime(text: str, dformat: int) -> datetime.datetime:
    patterns = {3: ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"), 8: ("%Y%m%d %H:%M:%S", "%Y%m%d"),
                1: ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y")}
    if dformat not in patterns:
        raise IrisError("FUNCTION", f"simulator: date format {dformat} is not modelled")
    for pattern in patterns[dformat]:
        try:
            return datetime.datetime.strptime(text.split(".")[0], pattern)
        except ValueError:
            continue
    raise IrisError("ILLEGAL VALUE", text)


def fn_zdatetimeh(proc, args):  # pylint: disable=unused-argument
    """``$ZDATETIMEH(string[,dformat])`` for formats 1, 3, 8."""
    _need(args, 1)
    return horolog(_parse_datetime(values.to_str(args[0]), values.to_int(_arg(args, 1, 1))))


def fn_zdateh(proc, args):  # pylint: disable=unused-argument
    """``$ZDATEH(string[,dformat])`` for formats 1, 3, 8."""
    _need(args, 1)
    return horolog(_parse_datetime(values.to_str(args[0]), values.to_int(_arg(args, 1, 1)))).split(",", maxsplit=1)[0]


def fn_now(proc, args):  # pylint: disable=unused-argument
    """``$NOW()``: local ``days,seconds.ffffff`` [inf]."""
    moment = _now_local()
    return horolog(moment) + _fraction(moment, 6).rstrip("0").rstrip(".")


def var_ztimestamp(proc):  # pylint: disable=unused-argument
    """``$ZTIMESTAMP``: UTC ``days,seconds.fff`` [inf: three fractional digits]."""
    moment = _now_utc()
    return horolog(moment) + _fraction(moment, 3)


# -- strings ------------------------------------------------------------------------------------
def fn_zsearch(proc, args):  # pylint: disable=unused-argument
    """``$ZSEARCH(target)``: the full path of the first file matching ``target`` (``*`` any string, ``?`` one
    character, in the last path element), "" if none [doc RCOS_fzsearch; zh translation
    https://juejin.cn/post/6905910158585495560].  Which match is "first" is platform dependent (doc): the simulator
    takes the first in sorted order [inf].  The continuation form ``$ZSEARCH("")`` (next match), relative targets
    and %ENV% names are not modelled: <FUNCTION>.  Nor is a target whose directory does not exist: the doc says
    nothing about it ("" or an error), so that raises <FUNCTION> "not modelled" instead of inventing "".
    """
    _need(args, 1)
    target = values.to_str(args[0])
    if not target.startswith("/") or "%" in target:
        raise IrisError("FUNCTION", "simulator: $ZSEARCH of a relative path or an %ENV% name is not modelled")
    directory, pattern = target.rsplit("/", 1)
    if not os.path.isdir(directory or "/"):
        raise IrisError("FUNCTION", "simulator: $ZSEARCH in a directory that does not exist is not modelled")
    names = sorted(os.listdir(directory or "/"))
    for name in names:
        if fnmatch.fnmatchcase(name, pattern):
            return (directory or "") + "/" + name
    return ""


def fn_piece(proc, args):  # pylint: disable=unused-argument
    """``$PIECE(s,d[,from[,to]])``."""
    _need(args, 2)
    text, delim = values.to_str(args[0]), values.to_str(args[1])
    start = values.to_int(_arg(args, 2, 1))
    end = values.to_int(_arg(args, 3, start))
    if not delim or end < start or end < 1:
        return ""
    pieces = text.split(delim)
    return delim.join(pieces[max(start, 1) - 1:end])


def fn_length(proc, args):  # pylint: disable=unused-argument
    """``$LENGTH(s[,d])``."""
    _need(args, 1)
    text = values.to_str(args[0])
    if len(args) < 2:
        return len(text)
    delim = values.to_str(args[1])
    return 0 if delim == "" else text.count(delim) + 1


def fn_extract(proc, args):  # pylint: disable=unused-argument
    """``$EXTRACT(s[,from[,to]])``."""
    _need(args, 1)
    text = values.to_str(args[0])
    start = values.to_int(_arg(args, 1, 1))
    end = values.to_int(_arg(args, 2, start))
    if end < start or end < 1:
        return ""
    return text[max(start, 1) - 1:end]


def fn_find(proc, args):  # pylint: disable=unused-argument
    """``$FIND(s,sub[,start])``: position after the match, 0 when absent."""
    _need(args, 2)
    text, sub = values.to_str(args[0]), values.to_str(args[1])
    start = max(values.to_int(_arg(args, 2, 1)), 1)
    if sub == "":
        return start
    index = text.find(sub, start - 1)
    return 0 if index < 0 else index + len(sub) + 1


def fn_translate(proc, args):  # pylint: disable=unused-argument
    """``$TRANSLATE(s,from[,to])``."""
    _need(args, 2)
    text, source = values.to_str(args[0]), values.to_str(args[1])
    target = values.to_str(_arg(args, 2, ""))
    table = {}
    for index, char in enumerate(source):
        if char not in table:
            table[char] = target[index] if index < len(target) else ""
    return "".join(table.get(c, c) for c in text)


def fn_zconvert(proc, args):  # pylint: disable=unused-argument
    """``$ZCONVERT(s,"U"|"L"|"W"|"S")`` and ``$ZCONVERT(s,"O","JSON")``."""
    _need(args, 2)
    text, mode = values.to_str(args[0]), values.to_str(args[1]).upper()
    if mode == "U":
        return text.upper()
    if mode == "L":
        return text.lower()
    if mode == "W":
        return re.sub(r"\b(\w)", lambda m: m.group(1).upper(), text.lower())
    if mode == "S":
        return text[:1].upper() + text[1:].lower()
    if mode == "O" and values.to_str(_arg(args, 2, "")).upper() == "JSON":
        return json_string(text)[1:-1]
    raise IrisError("FUNCTION", f"simulator: $ZCONVERT mode {mode!r} is not modelled")


def fn_justify(proc, args):  # pylint: disable=unused-argument
    """``$JUSTIFY(x,width[,decimals])``."""
    _need(args, 2)
    width = values.to_int(args[1])
    if len(args) > 2 and args[2] is not None:
        text = _fixed(values.to_num(args[0]), values.to_int(args[2]))
    else:
        text = values.to_str(args[0])
    return text.rjust(width)


def _fixed(number, decimals: int) -> str:
    quantum = values.decimal.Decimal(1).scaleb(-decimals)
    rounded = values.decimal.Decimal(number).quantize(quantum, rounding=values.decimal.ROUND_HALF_UP)
    return format(rounded, "f")


def fn_fnumber(proc, args):  # pylint: disable=unused-argument
    """``$FNUMBER(x,format[,decimals])`` with format ``""`` or ``","`` [inf]."""
    _need(args, 2)
    number = values.to_num(args[0])
    fmt = values.to_str(args[1])
    if set(fmt) - set(","):
        raise IrisError("FUNCTION", f"simulator: $FNUMBER format {fmt!r} is not modelled")
    text = _fixed(number, values.to_int(args[2])) if len(args) > 2 and args[2] is not None else values.to_str(number)
    if "," in fmt:
        sign = "-" if text.startswith("-") else ""
        body = text.lstrip("-")
        whole, dot, frac = body.partition(".")
        text = sign + f"{int(whole or 0):,}" + dot + frac
    return text


def fn_number(proc, args):  # pylint: disable=unused-argument
    """``$NUMBER(x)``: the canonical number, or ``""`` when ``x`` is not a number."""
    _need(args, 1)
    text = values.to_str(args[0]).strip()
    if not _VALID_NUM.fullmatch(text):
        return ""
    return values.to_num(text)


_VALID_NUM = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?", re.IGNORECASE)


def fn_isvalidnum(proc, args):  # pylint: disable=unused-argument
    """``$ISVALIDNUM(x)``."""
    _need(args, 1)
    return 1 if _VALID_NUM.fullmatch(values.to_str(args[0])) else 0


_STRIP_MASKS = {
    "W": lambda c: c in " \t\r\n",
    "C": lambda c: ord(c) < 32 or ord(c) == 127,
    "P": lambda c: 32 <= ord(c) < 127 and not c.isalnum() and c != " " or c == " ",
    "A": str.isalpha,
    "N": str.isdigit,
    "L": str.islower,
    "U": str.isupper,
    "E": lambda c: True,
}


def fn_zstrip(proc, args):  # pylint: disable=unused-argument
    """``$ZSTRIP(s,action[,remchars[,keepchars]])`` with actions ``* < > =`` and masks W C P A N L U E."""
    _need(args, 2)
    text, action = values.to_str(args[0]), values.to_str(args[1])
    extra, keep = values.to_str(_arg(args, 2, "")), values.to_str(_arg(args, 3, ""))
    for op, masks in re.findall(r"([*<>=]+)([ACELNPUW]*)", action.upper()):
        tests = [_STRIP_MASKS[m] for m in masks]

        def match(char, tests=tests):
            return char not in keep and (char in extra or any(t(char) for t in tests))
        text = _strip_ops(text, op, match)
    return text


def _strip_ops(text, ops, match):
    if "*" in ops:
        return "".join(c for c in text if not match(c))
    if "<" in ops:
        while text and match(text[0]):
            text = text[1:]
    if ">" in ops:
        while text and match(text[-1]):
            text = text[:-1]
    if "=" in ops:
        out = []
        for char in text:
            if not (out and match(char) and match(out[-1]) and char == out[-1]):
                out.append(char)
        text = "".join(out)
    return text


def fn_char(proc, args):  # pylint: disable=unused-argument
    """``$CHAR(n,...)``: 0..65535; "Values larger than 65535 return an empty string" (RCOS_fchar, values.py)."""
    return "".join(chr(values.to_int(a)) for a in args if a is not None and 0 <= values.to_int(a) <= 0xFFFF)


# The $W* functions see a surrogate pair as one character (values.py; InterSystems ObjectScript reference
# RCOS_fwlength, RCOS_fwchar, RCOS_fwascii, RCOS_fwiswide).
def fn_wchar(proc, args):  # pylint: disable=unused-argument
    """``$WCHAR(n,...)``: as $CHAR up to 65535; 65536..1114111 return the surrogate pair (RCOS_fwchar).
    Out-of-range values return "" as $CHAR does [inf: the $WCHAR page defers to $CHAR]."""
    return values.to_units("".join(chr(values.to_int(a)) for a in args if a is not None and 0 <= values.to_int(a) <= 0x10FFFF))


def fn_wlength(proc, args):  # pylint: disable=unused-argument
    """``$WLENGTH(s)``: characters, a surrogate pair counted once (RCOS_fwlength)."""
    if len(args) != 1:
        raise IrisError("FUNCTION", "simulator: $WLENGTH with a delimiter is not modelled")  # [inf] not in the reference
    return len(values.wide_chars(values.to_str(args[0])))


def fn_wascii(proc, args):  # pylint: disable=unused-argument
    """``$WASCII(s[,pos])``: the code of the character at pos, a pair counted as one (RCOS_fwascii); -1 out of range
    as $ASCII [inf]."""
    _need(args, 1)
    chars = values.wide_chars(values.to_str(args[0]))
    pos = values.to_int(_arg(args, 1, 1))
    return values.wide_code(chars[pos - 1]) if 1 <= pos <= len(chars) else -1


def fn_wiswide(proc, args):  # pylint: disable=unused-argument
    """``$WISWIDE(s)``: 1 if s holds a surrogate pair (high then low), else 0 (RCOS_fwiswide)."""
    _need(args, 1)
    text = values.to_str(args[0])
    return 1 if any(values.is_pair(text, index) for index in range(len(text) - 1)) else 0


def fn_ascii(proc, args):  # pylint: disable=unused-argument
    """``$ASCII(s[,pos])``: -1 when out of range."""
    _need(args, 1)
    text = values.to_str(args[0])
    pos = values.to_int(_arg(args, 1, 1))
    return ord(text[pos - 1]) if 1 <= pos <= len(text) else -1


def fn_reverse(proc, args):  # pylint: disable=unused-argument
    """``$REVERSE(s)``."""
    _need(args, 1)
    return values.to_str(args[0])[::-1]


def fn_random(proc, args):  # pylint: disable=unused-argument
    """``$RANDOM(n)``: 0..n-1."""
    _need(args, 1)
    limit = values.to_int(args[0])
    if limit < 1:
        raise IrisError("FUNCTION")
    return random.randrange(limit)  # nosec - not for security


def fn_zabs(proc, args):  # pylint: disable=unused-argument
    """``$ZABS(n)``."""
    _need(args, 1)
    number = values.to_num(args[0])
    return values.negate(number) if number < 0 else number


# -- lists --------------------------------------------------------------------------------------
def fn_listbuild(proc, args):  # pylint: disable=unused-argument
    """``$LISTBUILD(a,,b)``: empty arguments are undefined elements."""
    return values.list_build(args)


def _list_pos(items, pos) -> int:
    index = values.to_int(pos)
    return len(items) if index == -1 else index


def fn_listget(proc, args):  # pylint: disable=unused-argument
    """``$LISTGET(list[,pos[,default]])``."""
    _need(args, 1)
    items = values.list_elements(values.to_str(args[0]))
    pos = _list_pos(items, _arg(args, 1, 1))
    default = _arg(args, 2, "")
    if 1 <= pos <= len(items) and items[pos - 1] is not None:
        return items[pos - 1]
    return default


def fn_list(proc, args):  # pylint: disable=unused-argument
    """``$LIST(list[,pos[,end]])``: undefined element or out of range → <NULL VALUE>."""
    _need(args, 1)
    items = values.list_elements(values.to_str(args[0]))
    pos = _list_pos(items, _arg(args, 1, 1))
    if len(args) > 2 and args[2] is not None:
        end = _list_pos(items, args[2])
        return values.list_build(items[max(pos, 1) - 1:end])
    if not 1 <= pos <= len(items) or items[pos - 1] is None:
        raise IrisError("NULL VALUE")
    return items[pos - 1]


def fn_listlength(proc, args):  # pylint: disable=unused-argument
    """``$LISTLENGTH(list)``."""
    _need(args, 1)
    return len(values.list_elements(values.to_str(args[0])))


def fn_listfind(proc, args):  # pylint: disable=unused-argument
    """``$LISTFIND(list,value[,after])``."""
    _need(args, 2)
    items = values.list_elements(values.to_str(args[0]))
    wanted = values.to_str(args[1])
    after = values.to_int(_arg(args, 2, 0))
    for index in range(max(after, 0), len(items)):
        if items[index] is not None and values.to_str(items[index]) == wanted:
            return index + 1
    return 0


def fn_listtostring(proc, args):  # pylint: disable=unused-argument
    """``$LISTTOSTRING(list[,delim])``: undefined elements → <NULL VALUE> [inf]."""
    _need(args, 1)
    items = values.list_elements(values.to_str(args[0]))
    if any(item is None for item in items):
        raise IrisError("NULL VALUE")
    return values.to_str(_arg(args, 1, ",")).join(values.to_str(i) for i in items)


def fn_listfromstring(proc, args):  # pylint: disable=unused-argument
    """``$LISTFROMSTRING(s[,delim])``."""
    _need(args, 1)
    text = values.to_str(args[0])
    if text == "":
        return ""
    return values.list_build(text.split(values.to_str(_arg(args, 1, ","))))


def fn_listvalid(proc, args):  # pylint: disable=unused-argument
    """``$LISTVALID(x)``."""
    _need(args, 1)
    return 1 if values.is_list(args[0]) else 0


# -- objects ------------------------------------------------------------------------------------
def fn_classname(proc, args):  # pylint: disable=unused-argument
    """``$CLASSNAME(oref)``."""
    obj = _arg(args, 0, "")
    return obj.cls.name if isinstance(obj, SimObject) else ""


def fn_isobject(proc, args):  # pylint: disable=unused-argument
    """``$ISOBJECT(x)``: 1 for an oref, else 0."""
    _need(args, 1)
    return 1 if isinstance(args[0], SimObject) else 0


def fn_property(proc, args):
    """``$PROPERTY(oref,name)``."""
    _need(args, 2)
    from iris_sim import objects  # pylint: disable=import-outside-toplevel

    return objects.get_property(proc, args[0], values.to_str(args[1]))


def fn_classmethod(proc, args):
    """``$CLASSMETHOD(class,method,args...)``."""
    _need(args, 2)
    from iris_sim import objects  # pylint: disable=import-outside-toplevel

    return objects.call_class_method(proc, values.to_str(args[0]), values.to_str(args[1]), list(args[2:]))


def fn_method(proc, args):
    """``$METHOD(oref,method,args...)``."""
    _need(args, 2)
    from iris_sim import objects  # pylint: disable=import-outside-toplevel

    return objects.call_method(proc, args[0], values.to_str(args[1]), list(args[2:]))


# -- functions on references (arguments not evaluated up front) ---------------------------------
def _ref_arg(proc, node, for_order=False):
    nodes = proc.function_arg_nodes(node)
    if not nodes or nodes[0] is None:
        raise IrisError("SYNTAX")
    ref = proc.reference_for_order(nodes[0]) if for_order else proc.reference(nodes[0])
    rest = [None if n is None else proc.eval(n) for n in nodes[1:]]
    return ref, rest


def ref_data(proc, node):
    """``$DATA(var)``: 0, 1, 10, 11."""
    ref = _ref_arg(proc, node)[0]
    return ref.data()


def ref_get(proc, node):
    """``$GET(var[,default])``."""
    ref, rest = _ref_arg(proc, node)
    value = ref.get()
    if value is None:
        return _arg(rest, 0, "")
    return value


def ref_order(proc, node):
    """``$ORDER(var(subs)[,direction])``."""
    ref, rest = _ref_arg(proc, node, for_order=True)
    direction = values.to_int(_arg(rest, 0, 1))
    if direction not in (1, -1):
        raise IrisError("FUNCTION")
    return ref.order(direction)


def ref_increment(proc, node):
    """``$INCREMENT(var[,n])``."""
    ref, rest = _ref_arg(proc, node)
    current = ref.get()
    result = values.add("" if current is None else current, _arg(rest, 0, 1))
    ref.set(result)
    return result


def ref_select(proc, node):
    """``$SELECT(cond:value,...)``: no true condition → <SELECT>."""
    for pair in node.children_of("dollar_arg_pair"):
        cond, value = pair.children_of("expression")[:2]
        if values.to_bool(proc.eval(cond)):
            return proc.eval(value)
    raise IrisError("SELECT")


def ref_case(proc, node):
    """``$CASE(x,v1:r1,...,:default)``: no match and no default → <ILLEGAL VALUE>."""
    children = node.children
    target = proc.eval(next(c for c in children if c.type == "expression"))
    for pair in node.children_of("dollar_arg_pair"):
        candidate, result = pair.children_of("expression")[:2]
        if values.equals(target, proc.eval(candidate)):
            return proc.eval(result)
    for index, child in enumerate(children):
        if child.type == ":" and index + 1 < len(children):
            return proc.eval(children[index + 1])
    raise IrisError("ILLEGAL VALUE")


def set_function(name: str, current, args, value):
    """The new variable value for ``set $PIECE/$EXTRACT/$LIST(var,...)=value``."""
    text = values.to_str(current)
    if name == "piece":
        _need(args, 1)
        delim = values.to_str(args[0])
        start = values.to_int(_arg(args, 1, 1))
        end = values.to_int(_arg(args, 2, start))
        if not delim or end < start or end < 1:
            return text
        pieces = text.split(delim) if text != "" else [""]
        while len(pieces) < end:
            pieces.append("")
        pieces[max(start, 1) - 1:end] = [values.to_str(value)]
        return delim.join(pieces)
    if name == "extract":
        start = values.to_int(_arg(args, 0, 1))
        end = values.to_int(_arg(args, 1, start))
        if end < start:
            return text
        text = text.ljust(end)
        return text[:max(start, 1) - 1] + values.to_str(value) + text[end:]
    items = values.list_elements(text)
    pos = _list_pos(items, _arg(args, 0, 1))
    while len(items) < pos:
        items.append(None)
    items[pos - 1] = value
    return values.list_build(items)


# -- special variables ----------------------------------------------------------------------------
def var_this(proc):
    """``$THIS``: the running UDL method's object, or its class name in a class method [inf]; in direct mode
    there is none: ``<NO CURRENT OBJECT>`` [inf] (iris_sim/classdefs.py sets ``proc.class_context``)."""
    context = getattr(proc, "class_context", None)
    if context is None:
        raise IrisError("NO CURRENT OBJECT", "$this")
    return context.this()


SPECIAL_VARIABLES = {
    "horolog": lambda proc: horolog(_now_local()),
    "zversion": zversion,
    "job": lambda proc: proc.job,
    "ztimestamp": var_ztimestamp,
    "zerror": lambda proc: proc.zerror,
    "namespace": lambda proc: proc.namespace,
    "x": lambda proc: proc.x,
    "y": lambda proc: proc.y,
    "test": lambda proc: proc.test,
    "io": lambda proc: proc.device,  # the current device (interp.Process.device; audit C14)
    "this": var_this,
    "principal": lambda proc: PRINCIPAL,  # [inf] principal device name of a terminal session
    "zhorolog": lambda proc: values.to_num(f"{time.monotonic() - proc.started:.6f}"),
    "username": lambda proc: getattr(proc, "username", None) or "irisowner",  # [inf] docker exec user, S25
    "roles": lambda proc: getattr(proc, "roles", None) or "%All",  # [inf] OS-authenticated owner
    "tlevel": lambda proc: 0,
    "ecode": lambda proc: "",
}

FUNCTIONS = {
    "piece": fn_piece, "length": fn_length, "extract": fn_extract, "find": fn_find,
    "translate": fn_translate, "zconvert": fn_zconvert, "justify": fn_justify, "fnumber": fn_fnumber,
    "number": fn_number, "isvalidnum": fn_isvalidnum, "zstrip": fn_zstrip, "char": fn_char,
    "ascii": fn_ascii, "reverse": fn_reverse, "random": fn_random, "zabs": fn_zabs,
    "listbuild": fn_listbuild, "listget": fn_listget, "list": fn_list, "listlength": fn_listlength,
    "listfind": fn_listfind, "listtostring": fn_listtostring, "listfromstring": fn_listfromstring,
    "listvalid": fn_listvalid, "zdatetime": fn_zdatetime, "zdate": fn_zdate, "ztime": fn_ztime,
    "zdatetimeh": fn_zdatetimeh, "zdateh": fn_zdateh, "now": fn_now, "zsearch": fn_zsearch,
    "classname": fn_classname, "isobject": fn_isobject, "property": fn_property,
    "classmethod": fn_classmethod, "method": fn_method,
    "wchar": fn_wchar, "wlength": fn_wlength, "wascii": fn_wascii, "wiswide": fn_wiswide,
}

REF_FUNCTIONS = {
    "data": ref_data, "get": ref_get, "order": ref_order, "increment": ref_increment,
    "select": ref_select, "case": ref_case,
}
