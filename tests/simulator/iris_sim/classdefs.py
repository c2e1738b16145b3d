# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""UDL class definitions: parse (``tree_sitter_objectscript_udl``), compile, and run their methods (issue 14 item 5).

Storage: the class definitions of a namespace live in its routines database (payload section ``classes``:
name → ``{"source", "file", "compiled"}``), so they persist like globals and a later session sees them
[inf: IRIS keeps class definitions in the namespace's routines database; the payload layout is our own].

Modelled (everything else is a compile error "... is not modelled by the simulator", never ignored):

* ``Class Pkg.Name [Extends A | (A, B)] [ [Not] Abstract, ProcedureBlock ]``: an ``Abstract`` class has no
  instances (its ``%New`` returns ``""``), a subclass is not abstract unless marked (iris-sources.md ROBJABS);
  superclasses ``%RegisteredObject`` (gives ``%New``), classes loaded in the same namespace, or a system class a
  model registers in ``MODELLED_SUPERCLASSES`` (``%UnitTest.TestCase``, models/unittest.py);
* the macros macros.py knows, expanded when the class compiles (DESIGN.md Contract 9);
* ``Parameter NAME [As type] = literal;`` read with ``..#NAME``;
* ``Property Name [As type] [ InitialExpression = literal ];`` on ``%RegisteredObject`` classes;
  the type is not checked [inf: a registered object validates only on demand];
* ``ClassMethod`` / ``Method`` with ``ByRef``/``Output`` and literal defaults (iris-sources.md GCOSPROC: defaults are literals),
  ``[ PublicList = ..., ProcedureBlock ]``, ``[ CodeMode = expression ]``; an ObjectScript body runs in the
  interpreter (interp.py): commands it cannot run are rejected when the class compiles.

Procedure blocks (iris-sources.md ROBJ, GCOSVARS): a method's variables are private to it; ``%`` variables
and the names in ``PublicList`` are the process's public variables; a by-reference argument (``.x``) shares the
caller's variable.  Every method is a procedure block [inf: the class-level default is not in the sources read];
``ProcedureBlock=0`` (class or method) is not modelled.

Messages of compile errors are the simulator's own text [inf]: IRIS's wording is not in the sources.
"""

from __future__ import annotations

import hashlib

import tree_sitter
import tree_sitter_objectscript_udl

from iris_sim import macros, objects, userroutines, values
from iris_sim.errors import IrisError
from iris_sim.interp import _COMMANDS, QuitSignal
from iris_sim.objects import ByRef, Prop, SimClass
from iris_sim.parser import PNode
from iris_sim.parser import _parser as routine_parser  # the routine grammar, for the line of a syntax error

SECTION = "classes"
"""Payload section of the routines database holding the namespace's class definitions."""
REGISTERED_OBJECT = "%Library.RegisteredObject"
NOT_MODELLED = "is not modelled by the simulator"
_SUPPORTED_COMMANDS = set(_COMMANDS)
_LITERALS = ("string_literal", "numeric_literal")
MODELLED_SUPERCLASSES: dict = {}
"""System superclasses a model provides (IRIS name → registered SimClass), e.g. ``%UnitTest.TestCase``
(models/unittest.py); any other system class as a superclass is a compile error."""


class CompileError(Exception):
    """One compile (or load) error: ``line`` (1-based, 0 = none) and ``text``."""

    def __init__(self, text: str, line: int = 0):
        super().__init__(text)
        self.text = text
        self.line = line


class UNode(PNode):
    """A PNode with its 1-based source line."""

    __slots__ = ("line",)

    def __init__(self, type_, text, children, named, line):
        super().__init__(type_, text, children, named)
        self.line = line


_LANGUAGE = None


def _parser() -> tree_sitter.Parser:
    global _LANGUAGE  # pylint: disable=global-statement
    if _LANGUAGE is None:
        _LANGUAGE = tree_sitter.Language(tree_sitter_objectscript_udl.language_objectscript_udl())
    return tree_sitter.Parser(_LANGUAGE)


def _mirror(node, source: bytes) -> UNode:
    children = [_mirror(child, source) for child in node.children]
    text = source[node.start_byte:node.end_byte].decode("utf-8", errors="replace")
    return UNode(node.type, text, children, node.is_named, node.start_point[0] + 1)


def _error_line(node) -> int | None:
    """Line of the first syntax error: the first ERROR/MISSING node; inside an ERROR that spans the whole class,
    the first child after the last complete member [inf: where the parser lost track]."""
    if node.is_missing:
        return node.start_point[0] + 1
    if node.is_error:
        last_good = None
        for child in node.children:
            if child.type in ("class_statement", "{", "keyword_class", "class_name", "class_extends",
                              "documatic_line", "[", "]", "class_keyword", ","):
                last_good = child
                continue
            inner = _error_line(child) if child.has_error else None
            return inner or child.start_point[0] + 1
        return (last_good.end_point[0] + 1) if last_good is not None else node.start_point[0] + 1
    if not node.has_error:
        return None
    for child in node.children:
        line = _error_line(child)
        if line is not None:
            return line
    return None


def _body_error_line(lines: list[str], member_line: int) -> int:
    """Refine a member's syntax error to a line of its body: the body (between the ``{`` and ``}`` lines in
    column 1 after ``member_line``) is parsed as routine code, each line indented by one space, as parser.py
    does for a program line; the first ERROR/MISSING node gives the line [inf]."""
    if not 0 < member_line <= len(lines) or not lines[member_line - 1][:1].isalpha():
        return member_line  # not a member's first line: the error is already placed inside a body
    start = next((i for i in range(member_line, len(lines)) if lines[i].rstrip() == "{" or lines[i][:1].isalpha()),
                 None)
    if start is None or lines[start].rstrip() != "{":
        return member_line
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() == "}"), len(lines))
    body = "\n".join(" " + line for line in lines[start + 1:end]).encode("utf-8")
    tree = routine_parser().parse(body)
    row = _first_error_row(tree.root_node)
    return member_line if row is None else start + 2 + row


def _first_error_row(node) -> int | None:
    if node.is_error or node.is_missing:
        for child in node.children:
            if child.has_error or child.is_error or child.is_missing:
                return _first_error_row(child)
        return node.start_point[0]
    if not node.has_error:
        return None
    for child in node.children:
        row = _first_error_row(child)
        if row is not None:
            return row
    return None


def parse_class(text: str) -> UNode:
    """Parse UDL text into a ``source_file`` tree; a syntax error raises CompileError with its line."""
    source = text.encode("utf-8")
    tree = _parser().parse(source)
    line = _error_line(tree.root_node)
    if line is not None:
        raise CompileError("syntax error (tree-sitter-objectscript UDL grammar)",
                           _body_error_line(text.splitlines(), line))
    return _mirror(tree.root_node, source)


def defined_class_name(root: UNode) -> str:
    """The name of the one class a parsed file defines; none or several → CompileError."""
    definitions = root.children_of("class_definition")
    if len(definitions) != 1:
        raise CompileError("the file must hold exactly one class definition", 1)
    return definitions[0].child("class_name").text


def class_name_of(text: str) -> str:
    """The name after ``Class`` in UDL text ("" when none), used to name a class whose text does not parse."""
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0].lower() == "class":
            return words[1].rstrip("{")
    return ""


# -- the compiled form ------------------------------------------------------------------------------
class Formal:
    """One formal argument: name, literal default (None = none), by-reference keyword."""

    def __init__(self, name: str, default=None, byref: str = ""):
        self.name, self.default, self.byref = name, default, byref


class MethodDef:
    """A compiled method: name, class method flag, formals, public list, body (statements) or expression."""

    def __init__(self, name, is_class, formals, public, body=None, expression=None, line=0):
        self.name, self.is_class, self.formals, self.public = name, is_class, formals, public
        self.body, self.expression, self.line = body, expression, line


class ClassDef:
    """A compiled class: name, superclasses, parameters, properties, methods."""

    def __init__(self, name: str):
        self.name = name
        self.supers: list[str] = []
        self.parameters: dict = {}
        self.properties: dict = {}
        self.methods: dict[str, MethodDef] = {}
        self.param_refs: list[tuple[str, int]] = []
        self.macro_needs: dict[str, int] = {}  # superclass an expanded macro requires → line (macros.py)
        self.defines: dict = {}  # #define constants of the included .inc files (userroutines.py)
        self.includes: dict = {}  # include name → its #define constants at this compile (kept by mark_compiled)
        self.abstract = False  # [ Abstract ] (iris-sources.md ROBJABS): no instances; not inherited


def _literal(node: UNode, what: str):
    inner = node
    while inner.type in ("default_argument_value", "expression") and inner.named_children:
        inner = inner.named_children[0]
    if inner.type == "string_literal":
        return inner.text[1:-1].replace('""', '"')
    if inner.type == "numeric_literal":
        return values.str_to_num(inner.text)
    raise CompileError(f"{what}: a value other than a string or number literal {NOT_MODELLED}", node.line)


def _keyword_name(node: UNode) -> tuple[str, str]:
    """(name, value text) of a ``Keyword [= value]`` node."""
    name, dummy, value = node.text.partition("=")
    return name.strip(), value.strip()


def _check_body(node: UNode, context=None, parent=None) -> None:
    """Reject what the interpreter cannot run: unknown commands, embedded SQL, preprocessor lines; expand the
    macros macros.py knows (anything else is an error there)."""
    if node.type.startswith("command_") and node.type not in _SUPPORTED_COMMANDS and node.named and \
            (parent is None or parent.type == "statement"):  # a command, not its parts (command_new_argument, ...)
        raise CompileError(f"command '{node.text.split()[0] if node.text.split() else node.type}' {NOT_MODELLED}",
                           node.line)
    if node.type == "macro" and context is not None and parent is not None:
        try:
            macros.expand(node, parent, context, node.line)
        except macros.MacroError as exc:
            raise CompileError(str(exc), node.line) from None
        return
    if node.type == "macro" or node.type.startswith("embedded_") or node.type.startswith("pound_"):
        raise CompileError(f"'{node.text[:40]}' (macros, embedded code, preprocessor) {NOT_MODELLED}", node.line)
    for child in list(node.children):  # a copy: an expanded macro replaces its node in ``children``
        _check_body(child, context, node)


def _param_refs(node: UNode, out: list) -> None:
    if node.type == "relative_dot_parameter":
        name = node.child("oref_parameter").child("parameter_name").text
        out.append((name, node.line))
    for child in node.children:
        _param_refs(child, out)


def _compile_method(member: UNode, is_class: bool, cdef: ClassDef) -> MethodDef:
    definition = member.child("method_definition")
    name = definition.child("method_name").text
    formals = []
    arguments = definition.child("arguments")
    for arg in arguments.children_of("argument") if arguments else []:
        byref = "ByRef" if arg.child("keyword_byref") else "Output" if arg.child("keyword_output") else ""
        allowed = ("keyword_byref", "keyword_output", "method_arg", "return_type", "default_argument_value")
        other = [c for c in arg.named_children if c.type not in allowed]
        if other:
            raise CompileError(f"argument '{arg.text}' of {name} {NOT_MODELLED}", arg.line)
        default = arg.child("default_argument_value")
        formals.append(Formal(arg.child("method_arg").text.strip(),
                              None if default is None else _literal(default, f"default of {name}"), byref))
    public: list[str] = []
    expression = None
    for keywords in definition.named_children:
        if keywords.type in ("external_method_keywords",):
            raise CompileError(f"method {name}: keywords '{keywords.text}' (another language) {NOT_MODELLED}",
                               keywords.line)
        if keywords.type == "expression_method_keywords":
            expression = definition.child("expression")
            for keyword in keywords.named_children:
                kname, kvalue = _keyword_name(keyword)
                if kname.lower() != "codemode" or kvalue.lower() != "expression":
                    raise CompileError(f"method {name}: keyword '{keyword.text}' {NOT_MODELLED}", keyword.line)
        if keywords.type == "method_keywords":
            for keyword in keywords.named_children:
                kname, kvalue = _keyword_name(keyword)
                if kname == "PublicList":
                    public = [n.text for n in keyword.children_of("method_name")] or [kvalue]
                elif kname == "ProcedureBlock" and kvalue in ("", "1"):
                    continue
                else:
                    raise CompileError(f"method {name}: keyword '{keyword.text}' {NOT_MODELLED}", keyword.line)
    body = [c for c in definition.children if c.type == "statement"]
    brace = definition.child("{")
    context = macros.Context(cdef.name, name, brace.line if brace is not None else member.line)
    context.defines = cdef.defines
    for statement in body:
        _param_refs(statement, cdef.param_refs)
        _check_body(statement, context)
    if expression is not None:
        _param_refs(expression, cdef.param_refs)
        _check_body(expression, context, definition)
    for needed, line in context.needs.items():
        cdef.macro_needs.setdefault(needed, line)
    return MethodDef(name, is_class, formals, public, body, expression, member.line)


def compile_tree(root: UNode, includes=None) -> ClassDef:
    """The ClassDef of a parsed file; anything not modelled raises CompileError naming its line.  ``includes``
    (``fn(name, line) -> {macro: text}``) resolves ``Include Name`` to the ``#define`` lines of a loaded ``.inc``
    (userroutines.py); without it an ``Include`` is not modelled."""
    defines: dict = {}
    included: dict = {}
    for node in root.named_children:
        if node.type == "include_code" and includes is not None:
            text = node.text.strip()
            names = text.split(None, 1)[1] if len(text.split(None, 1)) == 2 else ""
            for name in names.strip("()").replace(" ", "").split(","):
                found = includes(name, node.line)
                included[name] = dict(found)
                defines.update(found)
        elif node.type in ("include_code", "import_code"):
            raise CompileError(f"'{node.text}' {NOT_MODELLED}", node.line)
    cdef = ClassDef(defined_class_name(root))
    cdef.defines = defines
    cdef.includes = included
    definition = root.child("class_definition")
    extends = definition.child("class_extends")
    if extends is not None:
        cdef.supers = [n.text for n in extends.children_of("class_name")]
    for keyword in definition.children_of("class_keyword"):
        kname, kvalue = _keyword_name(keyword)
        kname = " ".join(kname.split())
        if kname == "ProcedureBlock" and kvalue in ("", "1"):
            continue
        if kname in ("Abstract", "Not Abstract") and not kvalue:
            # iris-sources.md ROBJABS: [ Abstract ] marks the class abstract, [ Not Abstract ] (or no keyword) not
            cdef.abstract = kname == "Abstract"
            continue
        raise CompileError(f"class keyword '{keyword.text}' {NOT_MODELLED}", keyword.line)
    body = definition.child("class_body")
    for statement in body.children_of("class_statement"):
        member = statement.named_children[0]
        if member.type == "parameter":
            name = member.child("parameter_name").text
            if member.child("parameter_keywords") is not None:
                raise CompileError(f"parameter {name}: keywords {NOT_MODELLED}", member.line)
            default = member.child("default_argument_value")
            cdef.parameters[name] = "" if default is None else _literal(default, f"parameter {name}")
        elif member.type == "property":
            name = member.child("property_name").text
            initial = ""
            keywords = member.child("property_keywords")
            for keyword in keywords.named_children if keywords else []:
                kname, kvalue = _keyword_name(keyword)
                if kname != "InitialExpression":
                    raise CompileError(f"property {name}: keyword '{keyword.text}' {NOT_MODELLED}", keyword.line)
                initial = _keyword_literal(kvalue, keyword.line, name)
            cdef.properties[name] = initial
        elif member.type in ("classmethod", "method"):
            method = _compile_method(member, member.type == "classmethod", cdef)
            cdef.methods[method.name] = method
        else:
            raise CompileError(f"class member '{member.type}' {NOT_MODELLED}", member.line)
    return cdef


def _keyword_literal(text: str, line: int, prop: str):
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    if values.is_canonical_number(text) or text.lstrip("-").replace(".", "", 1).isdigit():
        return values.str_to_num(text)
    raise CompileError(f"property {prop}: InitialExpression other than a literal {NOT_MODELLED}", line)


def source_hash(text: str) -> str:
    """Content hash of a class's source."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- namespace storage ------------------------------------------------------------------------------
def routines_db(proc):
    """The routines database of the process's namespace (where class definitions live) [inf]."""
    inst = proc.instance
    if not hasattr(inst, "namespace_config"):
        raise IrisError("PROTECT", "no routines database")  # [inf] a process without an instance
    return inst.database_by_name(inst.namespace_config(proc.namespace)["Routines"])


def class_table(proc) -> dict:
    """name → {"source", "file", "compiled"} of the process's namespace (mutable; mark the db dirty)."""
    return routines_db(proc).extra.setdefault(SECTION, {})


def store_class(proc, name: str, text: str, path: str) -> None:
    """Store (replace) a loaded, not yet compiled class definition."""
    db = routines_db(proc)
    db.extra.setdefault(SECTION, {})[name] = {"source": text, "file": path, "compiled": ""}
    db.dirty = True
    forget_classes(proc)


def delete_class(proc, name: str) -> bool:
    """Remove a class definition; False when it does not exist."""
    db = routines_db(proc)
    entry = db.extra.setdefault(SECTION, {}).pop(name, None)
    db.dirty = True
    forget_classes(proc)
    return entry is not None


def mark_compiled(proc, name: str, includes: dict | None = None) -> None:
    """Record that the stored source of ``name`` compiled; ``includes`` (``ClassDef.includes``) keeps the macros of
    its include files as they were at this compile: the class runs with them until it compiles again
    (iris-sources.md MACPP: macros are substituted when the class compiles)."""
    db = routines_db(proc)
    entry = db.extra[SECTION][name]
    entry["compiled"] = source_hash(entry["source"])
    if includes is None:
        entry.pop("includes", None)
    else:
        entry["includes"] = includes
    db.dirty = True
    forget_classes(proc)


def forget_classes(proc) -> None:
    """Drop the process's cache of built classes (after a load or compile)."""
    proc.__dict__.pop("_udl_classes", None)


def compile_stored(proc, name: str, batch: set) -> ClassDef:
    """Compile the stored class ``name``; its superclasses must be %RegisteredObject, compiled, or in ``batch``."""
    entry = class_table(proc).get(name)
    if entry is None:
        raise CompileError(f"class '{name}' does not exist")  # [inf] wording
    cdef = compile_tree(parse_class(entry["source"]), _includes(proc))
    for super_name in cdef.supers:
        resolved = _resolve_super(super_name)
        if resolved == REGISTERED_OBJECT or super_name in MODELLED_SUPERCLASSES:
            continue
        if objects.class_exists(super_name):
            raise CompileError(f"superclass '{super_name}' {NOT_MODELLED}", 0)
        other = class_table(proc).get(super_name)
        if other is None or (not other["compiled"] and super_name not in batch):
            raise CompileError(f"superclass '{super_name}' does not exist (load and compile it first)", 0)
    for needed, line in cdef.macro_needs.items():
        if needed not in _ancestors(proc, cdef):
            raise CompileError(f"the macros of {needed} are defined only in its subclasses", line)  # [inf] wording
    defined = _all_parameters(proc, cdef, batch)
    for pname, line in cdef.param_refs:
        if pname not in defined:
            raise CompileError(f"parameter '{pname}' does not exist in class '{cdef.name}'", line)
    return cdef


def _includes(proc, frozen: dict | None = None):
    """The ``includes`` resolver of compile_tree for the process's namespace; ``frozen`` (a compiled entry's
    ``includes``) answers first: the expansion of the class's last compile (iris-sources.md MACPP)."""
    def resolve_include(name: str, line: int) -> dict:
        try:
            return userroutines.include_defines(proc, name, line, frozen)
        except userroutines.RoutineError as exc:
            raise CompileError(exc.text, line) from None
    return resolve_include


def _resolve_super(name: str) -> str:
    if name in ("%RegisteredObject", REGISTERED_OBJECT):
        return REGISTERED_OBJECT
    return name


def _stored_def(proc, name: str) -> ClassDef | None:
    """The ClassDef of the stored class ``name``; None when there is none or it does not compile."""
    entry = class_table(proc).get(name)
    if entry is None:
        return None
    try:
        return compile_tree(parse_class(entry["source"]), _includes(proc))
    except CompileError:
        return None


def _ancestors(proc, cdef: ClassDef, seen=None) -> set:
    """Names of all superclasses of ``cdef`` (through the namespace's stored classes)."""
    seen = set() if seen is None else seen
    for super_name in cdef.supers:
        if super_name not in seen:
            seen.add(super_name)
            parent = _stored_def(proc, super_name)
            if parent is not None:
                _ancestors(proc, parent, seen)
    return seen


def _declared_supers(text: str) -> list:
    """The ``Extends`` names of a stored class's source (parse only: no compile)."""
    definition = parse_class(text).child("class_definition")
    extends = definition.child("class_extends") if definition is not None else None
    return [n.text for n in extends.children_of("class_name")] if extends is not None else []


def subclasses(proc, names: list) -> list:
    """Stored classes that extend one of ``names``, directly or further down, sorted (compile flag ``b``,
    iris-sources.md N13, VOBJ: "Include sub classes").  The IRIS doc also includes classes that reference a class
    in SQL usage (QSPECZH): only %RegisteredObject classes are modelled (no SQL projection), so there are none.
    A stored class whose source no longer parses raises CompileError (the model cannot tell its superclasses)."""
    table = class_table(proc)
    parents: dict = {}
    for other, entry in table.items():
        try:
            parents[other] = _declared_supers(entry["source"])
        except CompileError:
            raise CompileError(f"class '{other}': cannot tell whether it is a subclass (flag b): {NOT_MODELLED}") from None
    found: set = set()
    wanted = set(names)
    grew = True
    while grew:
        grew = False
        for other, supers in parents.items():
            if other not in found and other not in names and wanted.intersection(supers):
                found.add(other)
                wanted.add(other)
                grew = True
    return sorted(found)


def _all_parameters(proc, cdef: ClassDef, batch: set, seen=None) -> dict:
    seen = seen or set()
    params = dict(cdef.parameters)
    for super_name in cdef.supers:
        if _resolve_super(super_name) == REGISTERED_OBJECT or super_name in seen:
            continue
        seen.add(super_name)
        parent = _stored_def(proc, super_name)
        if parent is None:
            continue
        for key, value in _all_parameters(proc, parent, batch, seen).items():
            params.setdefault(key, value)
    return params


# -- run time -------------------------------------------------------------------------------------
class Frame(dict):
    """The local variables of a procedure-block method (ROBJ, GCOSVARS): private names live here, ``%`` names
    and the method's ``PublicList`` names in the process's public table.  ``kill``/``write`` without arguments
    see only the private names [inf]."""

    def __init__(self, public: dict, public_names):
        super().__init__()
        self.public = public
        self.public_names = set(public_names)

    def _is_public(self, name) -> bool:
        return isinstance(name, str) and (name.startswith("%") or name in self.public_names)

    def get(self, name, default=None):
        return self.public.get(name, default) if self._is_public(name) else super().get(name, default)

    def __getitem__(self, name):
        return self.public[name] if self._is_public(name) else super().__getitem__(name)

    def __setitem__(self, name, value):
        if self._is_public(name):
            self.public[name] = value
        else:
            super().__setitem__(name, value)

    def __delitem__(self, name):
        if self._is_public(name):
            del self.public[name]
        else:
            super().__delitem__(name)

    def __contains__(self, name):
        return name in self.public if self._is_public(name) else super().__contains__(name)

    def pop(self, name, *default):
        return self.public.pop(name, *default) if self._is_public(name) else super().pop(name, *default)


class ClassContext:
    """What ``..Member``, ``..#PARAM`` and ``$THIS`` refer to inside a running method."""

    def __init__(self, cls, obj):
        self.cls, self.obj = cls, obj

    def this(self):
        """``$THIS``: the object, or the class name in a class method [inf]."""
        return self.obj if self.obj is not None else self.cls.name

    def eval_relative(self, proc, node: PNode):
        """``..Method(args)``, ``..Prop``, ``..#PARAM``."""
        if node.type == "relative_dot_parameter":
            name = node.child("oref_parameter").child("parameter_name").text
            return self.cls.parameter(name)
        if node.type == "relative_dot_method":
            method = node.child("oref_method")
            mname = method.child("method_name").text
            args = proc.arguments(method.child("method_args"))
            if self.obj is not None:
                return proc.call_value(objects.call_method(proc, self.obj, mname, args))
            return proc.call_value(objects.call_class_method(proc, self.cls, mname, args))
        if node.type == "relative_dot_property":
            if self.obj is None:
                raise IrisError("NO CURRENT OBJECT", node.text)  # [inf] a property in a class method
            return objects.get_property(proc, self.obj, node.child("oref_property").child("property_name").text)
        raise IrisError("SYNTAX")

    def set_relative(self, proc, node: PNode, value) -> None:
        """``set ..Prop = value``."""
        if self.obj is None:
            raise IrisError("NO CURRENT OBJECT", node.text)
        objects.set_property(proc, self.obj, node.child("oref_property").child("property_name").text, value)


def run_method(method: MethodDef, proc, cls, obj, args):
    """Run a compiled method with ObjectScript arguments; its ``quit value`` is the result (None without)."""
    if len(args) > len(method.formals):
        raise IrisError("PARAMETER", f"{method.name},{cls.name}")  # [inf] more actual than formal arguments
    outer = proc.locals
    public = outer.public if isinstance(outer, Frame) else outer
    frame = Frame(public, method.public)
    for index, formal in enumerate(method.formals):
        arg = args[index] if index < len(args) else None
        if isinstance(arg, ByRef):
            frame[formal.name] = arg.node  # the caller's variable itself (by reference)
        elif arg is not None or formal.default is not None:
            node = values.Node()
            node.set((), formal.default if arg is None else arg)
            frame[formal.name] = node
    saved_context = proc.class_context
    proc.locals, proc.class_context = frame, ClassContext(cls, obj)
    try:
        if method.expression is not None:
            return proc.eval(method.expression)
        proc.run_block(method.body)
    except QuitSignal as signal:
        return signal.value
    finally:
        proc.locals, proc.class_context = outer, saved_context
        if "new_namespace" in frame.__dict__:  # NEW $NAMESPACE: back when the method ends or fails (iris-sources.md RCOSNS)
            proc.namespace = frame.__dict__["new_namespace"]
    return None


class UserClass(SimClass):
    """Base of the classes built from compiled UDL definitions (one Python class per process and class)."""

    definition: ClassDef | None = None
    chain: list = []
    instantiable = False
    abstract = False

    @classmethod
    def find_class_method(cls, mname: str):
        """``%New`` of an abstract object class creates nothing (iris-sources.md ROBJABS: "If an object class is
        Abstract, you cannot create instances of it"); it returns ``""`` as the %New doc says for an object it
        cannot create (IRISREF24 %Library.SystemBase.%New: "$$$NULLOREF if unable to create the object instance")
        [inf: that an abstract class is such a case; %OnNew is not called and %objlasterror is not set]."""
        if mname == "%New" and cls.abstract and cls.instantiable:
            return _abstract_new
        return super().find_class_method(mname)

    @classmethod
    def class_chain(cls):
        return cls.chain

    @classmethod
    def parameter(cls, name: str):
        """``..#NAME`` walking the superclasses."""
        for klass in cls.chain:
            cdef = getattr(klass, "definition", None)
            if cdef is not None and name in cdef.parameters:
                return cdef.parameters[name]
        raise IrisError("SYNTAX", f"#{name}")  # checked at compile time; [inf] if a superclass changed since

    @classmethod
    def on_new(cls, obj, proc, *args):
        """``%New(args)`` calls ``%OnNew(args)`` when the class defines it [inf]; its %Status decides."""
        fn = cls.find_method("%OnNew")
        if fn is None:
            if args:
                raise IrisError("PARAMETER", f"%New,{cls.name}")  # [inf] arguments without %OnNew
            return None
        return fn(obj, proc, *args)


def _abstract_new(cls, proc, *args):  # pylint: disable=unused-argument
    """``%New(args)`` of an abstract class: ``""`` (UserClass.find_class_method)."""
    return ""


def _method_callable(method: MethodDef):
    if method.is_class:
        def call_class(cls, proc, *args):
            return run_method(method, proc, cls, None, args)
        return call_class

    def call_instance(obj, proc, *args):
        return run_method(method, proc, obj.cls, obj, args)
    return call_instance


def build_class(proc, name: str, cdef: ClassDef):
    """A UserClass subclass for ``cdef`` (superclasses built first through the resolver)."""
    supers = []
    registered = False
    for super_name in cdef.supers:
        if _resolve_super(super_name) == REGISTERED_OBJECT:
            registered = True
            continue
        if super_name in MODELLED_SUPERCLASSES:
            supers.append(MODELLED_SUPERCLASSES[super_name])
            registered = registered or MODELLED_SUPERCLASSES[super_name].instantiable
            continue
        parent = resolve(proc, super_name)
        if parent is None:
            raise IrisError("CLASS DOES NOT EXIST", super_name)
        supers.append(parent)
        registered = registered or parent.instantiable
    cls = type("UDL_" + name.replace(".", "_").replace("%", "P"), (UserClass,), {})
    cls.name = name
    cls.source = "iris_sim/classdefs.py (a loaded UDL class)"
    cls.definition = cdef
    cls.properties = {pname: Prop(initial, source="UDL") for pname, initial in cdef.properties.items()}
    cls.iris_class_methods = {m.name: _method_callable(m) for m in cdef.methods.values() if m.is_class}
    cls.iris_methods = {m.name: _method_callable(m) for m in cdef.methods.values() if not m.is_class}
    cls.instantiable = registered
    cls.abstract = cdef.abstract  # ROBJABS: "This keyword is not inherited", so each class reads its own
    chain = [cls]
    for parent in supers:
        for klass in parent.class_chain():
            if klass not in chain:
                chain.append(klass)
    cls.chain = chain
    return cls


def resolve(proc, name: str):
    """objects resolver: the compiled UDL class ``name`` of the process's namespace, or None.

    A class that is loaded but not compiled (or changed since it compiled) does not exist for callers [inf]."""
    if proc is None or not hasattr(getattr(proc, "instance", None), "namespace_config"):
        return None
    cache = proc.__dict__.setdefault("_udl_classes", {})
    key = (proc.namespace, name)
    if key in cache:
        return cache[key]
    try:
        entry = class_table(proc).get(name)
    except IrisError:
        return None
    if entry is None or entry.get("compiled") != source_hash(entry["source"]):
        return None
    cache[key] = None  # a cycle of superclasses resolves to "does not exist"
    try:
        cdef = compile_tree(parse_class(entry["source"]), _includes(proc, entry.get("includes")))
    except CompileError:
        return None
    cls = build_class(proc, name, cdef)
    cache[key] = cls
    return cls


objects.add_resolver(resolve)
