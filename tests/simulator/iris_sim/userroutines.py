# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Routines loaded from UDL files: ``.mac``, ``.int``, ``.inc`` (issue 14 item 5; DESIGN.md Contract "code").

Loaded by ``$SYSTEM.OBJ.Load``/``LoadDir`` (models/sysobj.py, iris-sources.md T12, T13: routines load like
classes).  A file must start with the UDL header ``ROUTINE name [Type=MAC|INT|INC]``; the type defaults to the
file's extension [inf: the header form is what the UDL grammar (tree-sitter-objectscript) reads; a file without
it is refused as "not modelled"].

Storage: the routines database's payload section ``routines`` (``name.type`` lower case, e.g. ``Demo.Util.mac``
→ ``{"name", "type", "source", "file", "compiled"}``) [inf: layout our own, as the ``classes`` section].

Compile (``c`` flag or ``$SYSTEM.OBJ.Compile`` of ``name.mac``) parses the source with the routine grammar:

* ``#include Name`` names a loaded ``.inc``; its ``#define Name value`` lines (no arguments) expand
  ``$$$Name`` in the including routine or class (a class's ``Include Name``) [inf: the preprocessor mechanism is
  the simulator's, macros.py]; an ``#include`` of an include that is not loaded is a compile error;
* an ``.inc`` may hold only ``#define`` lines without arguments, ``#include`` lines of other include files (MACPP)
  and comments; anything else, an include file that includes itself and a macro defined twice with different values
  are "not modelled";
* labels (``Label`` or ``Label(a,b)`` in column 1) and procedures (``Label(a) [public] { ... }``);
* commands the interpreter cannot run, dot blocks, ``#if`` and other preprocessor lines: compile errors.

Running (``do label^Name``, ``$$label^Name(args)``, ``do ^Name``; inside a routine ``do label``/``$$label()``):
a label without braces runs from the line after it to a ``quit`` or the end of the routine (it falls through
later labels) with the caller's variables; its formal arguments are NEWed for the call and restored after
[inf: recalled, not read for the register]; a procedure runs in a procedure-block frame like a class method
(iris-sources.md ROBJ, GCOSVARS).  A call of a procedure not marked ``public`` from outside its routine, and a
fall-through into a procedure, are "not modelled" (loud).  A routine that is loaded but not compiled (or changed
since) does not exist for callers: ``<NOROUTINE>`` [inf].
"""

from __future__ import annotations

import hashlib
import os

from iris_sim import macros, routines, values
from iris_sim.errors import IrisError
from iris_sim.interp import _COMMANDS, QuitSignal
from iris_sim.parser import PNode, _find_error
from iris_sim.parser import _parser as routine_parser

SECTION = "routines"
TYPES = ("mac", "int", "inc")
NOT_MODELLED = "is not modelled by the simulator"


class RoutineError(Exception):
    """A load or compile error of a routine: ``line`` (1-based, 0 = none) and ``text``."""

    def __init__(self, text: str, line: int = 0):
        super().__init__(text)
        self.text, self.line = text, line


def source_hash(text: str) -> str:
    """Content hash of a routine's source."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _routines_db(proc):
    from iris_sim import classdefs  # pylint: disable=import-outside-toplevel  # classdefs imports this module
    return classdefs.routines_db(proc)


def table(proc) -> dict:
    """``name.type`` → entry of the process's namespace."""
    return _routines_db(proc).extra.setdefault(SECTION, {})


class LNode(PNode):
    """A PNode with its 1-based source line."""

    __slots__ = ("line",)

    def __init__(self, type_, text, children, named, line):
        super().__init__(type_, text, children, named)
        self.line = line


def _mirror(node, source: bytes) -> LNode:
    children = [_mirror(child, source) for child in node.children]
    text = source[node.start_byte:node.end_byte].decode("utf-8", errors="replace")
    return LNode(node.type, text, children, node.is_named, node.start_point[0] + 1)


def _parse(text: str) -> PNode:
    source = text.encode("utf-8")
    tree = routine_parser().parse(source)
    if _find_error(tree.root_node):
        raise RoutineError("syntax error (tree-sitter-objectscript routine grammar)", _error_row(tree.root_node) + 1)
    return _mirror(tree.root_node, source)


def _error_row(node) -> int:
    if node.is_error or node.is_missing:
        for child in node.children:
            if child.has_error or child.is_error or child.is_missing:
                return _error_row(child)
        return node.start_point[0]
    for child in node.children:
        if child.has_error or child.is_error or child.is_missing:
            return _error_row(child)
    return node.start_point[0]


def line_of(node: PNode) -> int:
    """The source line of a node of a parsed routine (0 for nodes a macro expansion made)."""
    return getattr(node, "line", 0)


def parse_header(text: str, path: str) -> tuple[str, str]:
    """(name, type) from the ``ROUTINE name [Type=X]`` header; the type defaults to the extension."""
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    first = next((line for line in text.splitlines() if line.strip()), "")
    words = first.split()
    if len(words) < 2 or words[0].upper() != "ROUTINE":
        raise RoutineError("a routine file without the UDL header 'ROUTINE name [Type=...]' " + NOT_MODELLED, 1)
    name = words[1]
    kind = ext
    rest = first.split(None, 2)[2].strip() if len(words) > 2 else ""
    if rest:
        inner = rest.strip("[]").replace(" ", "")
        key, eq, value = inner.partition("=")
        if key.lower() != "type" or not eq or value.lower() not in TYPES:
            raise RoutineError(f"routine header keyword '{rest}' {NOT_MODELLED}", 1)
        kind = value.lower()
    if kind not in TYPES:
        raise RoutineError(f"routine type '{kind}' {NOT_MODELLED}", 1)
    if not all(part and (part[0].isalpha() or part[0] == "%") and part.replace("%", "").isalnum()
               for part in name.split(".")):
        raise RoutineError(f"invalid routine name '{name}'", 1)  # [inf] wording
    return name, kind


def store(proc, name: str, kind: str, text: str, path: str) -> str:
    """Store (replace) a loaded, not yet compiled routine; return its item name ``name.type``."""
    db = _routines_db(proc)
    item = f"{name}.{kind}"
    db.extra.setdefault(SECTION, {})[item] = {"name": name, "type": kind, "source": text, "file": path, "compiled": ""}
    db.dirty = True
    forget(proc)
    return item


def delete(proc, item: str) -> bool:
    """Remove a routine; False when it does not exist."""
    db = _routines_db(proc)
    entry = db.extra.setdefault(SECTION, {}).pop(item, None)
    db.dirty = True
    forget(proc)
    return entry is not None


def forget(proc) -> None:
    """Drop the process's cache of compiled routines."""
    proc.__dict__.pop("_user_routines", None)


# -- include files ----------------------------------------------------------------------------------------
def include_defines(proc, name: str, line: int = 0, frozen: dict | None = None, seen: tuple = ()) -> dict:
    """The ``#define`` constants of the loaded include ``name`` (``name.inc``), with those of the include files it
    includes (iris-sources.md MACPP: "an include file ... can include other include files"); missing → RoutineError.
    ``frozen`` (the ``includes`` a compiled entry kept) answers first: a compiled class or routine keeps the
    expansion of its compile until it compiles again (iris-sources.md MACPP)."""
    if frozen and name in frozen:
        return dict(frozen[name])
    entry = table(proc).get(f"{name}.inc")
    if entry is None:
        raise RoutineError(f"include file '{name}' does not exist (load it first)", line)  # [inf] wording
    if name in seen:
        # what the preprocessor does with an include file that includes itself is not in the sources
        raise RoutineError(f"include file '{name}' including itself ({' -> '.join(seen + (name,))}) {NOT_MODELLED}",
                           line)
    return _defines(_parse(entry["source"]), proc, seen + (name,))


def _defines(root: PNode, proc, seen: tuple) -> dict:
    found: dict = {}

    def add(macro: str, value: str, node: PNode) -> None:
        if found.get(macro, value) != value:
            # MACPP does not say which definition wins when an include file defines a macro again
            raise RoutineError(f"macro '{macro}' defined again with another value {NOT_MODELLED}", line_of(node))
        found[macro] = value

    for statement in root.children_of("statement"):
        for node in statement.named_children:
            if node.type == "pound_include":
                for macro, value in include_defines(proc, node.child("class_name").text, line_of(node), None,
                                                    seen).items():
                    add(macro, value, node)
                continue
            if node.type != "pound_define":
                raise RoutineError(f"'{node.text[:40]}' in an include file {NOT_MODELLED} (only #define and #include)",
                                   line_of(node))
            if node.child("pound_define_variable_args") is not None:
                raise RoutineError(f"#define with arguments {NOT_MODELLED}", line_of(node))
            value = node.child("macro_value")
            add(node.child("macro_def").text, value.text.strip() if value is not None else "", node)
    return found


# -- compile ------------------------------------------------------------------------------------------------
class Compiled:
    """A compiled MAC/INT routine: its statements, labels (name → (index, formals, procedure node or None))."""

    def __init__(self, name: str):
        self.name = name
        self.statements: list[PNode] = []
        self.labels: dict[str, tuple] = {}
        self.includes: dict = {}  # include name → its #define constants at this compile (kept by mark_compiled)


def _formals(node: PNode | None) -> list:
    names = []
    for param in node.children_of("tag_parameter") if node is not None else []:
        if "=" in param.text:
            raise RoutineError(f"a default for formal argument '{param.text}' {NOT_MODELLED}", line_of(param))
        names.append(param.text.strip())
    return names


def _check(node: PNode, context, parent=None) -> None:
    if node.type.startswith("command_") and node.type not in _COMMANDS and node.named:
        raise RoutineError(f"command '{(node.text.split() or [node.type])[0]}' {NOT_MODELLED}", line_of(node))
    if node.type == "macro" and parent is not None:
        try:
            macros.expand(node, parent, context, line_of(node))
        except macros.MacroError as exc:
            raise RoutineError(str(exc), line_of(node)) from None
        return
    if node.type.startswith("pound_") or node.type.startswith("embedded_") or node.type == "macro":
        raise RoutineError(f"'{node.text[:40]}' {NOT_MODELLED}", line_of(node))
    if node.type == "dot_block" or (node.type == "statement" and node.text.lstrip().startswith(".")):
        raise RoutineError(f"dot blocks {NOT_MODELLED}", line_of(node))
    for child in list(node.children):
        _check(child, context, node)


def compile_routine(proc, item: str, frozen: dict | None = None) -> Compiled:
    """Compile the stored routine ``item`` (``name.mac``/``name.int``); an include only checks its defines.
    ``frozen``: the include macros of the routine's last compile (run time: ``_resolve``)."""
    entry = table(proc).get(item)
    if entry is None:
        raise RoutineError(f"routine '{item}' does not exist")  # [inf] wording
    root = _parse(entry["source"])
    if entry["type"] == "inc":
        _defines(_strip_header(root), proc, (entry["name"],))
        return Compiled(entry["name"])
    compiled = Compiled(entry["name"])
    context = macros.Context(entry["name"], "", 0)
    context.defines = {}
    for statement in _strip_header(root).children_of("statement"):
        first = statement.named_children[0] if statement.named_children else None
        if first is not None and first.type == "pound_include":
            name = first.child("class_name").text
            compiled.includes[name] = include_defines(proc, name, line_of(first), frozen)
            context.defines.update(compiled.includes[name])
            continue
        if first is not None and first.type == "tag_statement":
            label = first.child("tag").text
            compiled.labels.setdefault(label, (len(compiled.statements), _formals(first.child("parameter_list")), None))
        elif first is not None and first.type == "procedure":
            label = first.child("tag").text
            compiled.labels.setdefault(label, (len(compiled.statements), _formals(first.child("parameter_list")), first))
            for inner in first.children_of("statement"):
                _check(inner, context)
        else:
            _check(statement, context)
        compiled.statements.append(statement)
    return compiled


def _strip_header(root: PNode) -> PNode:
    root.children = [c for c in root.children if c.type != "routine_definition"]
    root._named_children = None  # pylint: disable=protected-access
    return root


def mark_compiled(proc, item: str, includes: dict | None = None) -> None:
    """Record that the stored source of ``item`` compiled; ``includes`` (``Compiled.includes``) keeps the macros of
    its include files as they were at this compile (iris-sources.md MACPP: macros are substituted when the
    routine compiles, so a later change of the .inc reaches it only when it compiles again)."""
    db = _routines_db(proc)
    entry = db.extra[SECTION][item]
    entry["compiled"] = source_hash(entry["source"])
    if includes is None:
        entry.pop("includes", None)
    else:
        entry["includes"] = includes
    db.dirty = True
    forget(proc)


# -- run time -----------------------------------------------------------------------------------------------
def _resolve(proc, routine: str) -> Compiled | None:
    if proc is None or not hasattr(getattr(proc, "instance", None), "namespace_config"):
        return None
    cache = proc.__dict__.setdefault("_user_routines", {})
    key = (proc.namespace, routine)
    if key in cache:
        return cache[key]
    try:
        entries = table(proc)
    except IrisError:
        return None
    for kind in ("mac", "int"):
        entry = entries.get(f"{routine}.{kind}")
        if entry is not None and entry.get("compiled") == source_hash(entry["source"]):
            try:
                compiled = compile_routine(proc, f"{routine}.{kind}", entry.get("includes"))
            except RoutineError:
                return None
            cache[key] = compiled
            return compiled
    return None


def call(proc, routine: str, label: str, args, extrinsic: bool, inside: bool = False):
    """Run ``label^routine(args)`` of a compiled user routine; None when no such routine is loaded."""
    compiled = _resolve(proc, routine)
    if compiled is None:
        return None, False
    if label == "":
        index, formals, procedure = 0, [], None
    else:
        if label not in compiled.labels:
            raise IrisError("NOLINE", f"{label}^{routine}")
        index, formals, procedure = compiled.labels[label]
    if len(args) > len(formals):
        raise IrisError("PARAMETER", f"{label}^{routine}")  # [inf] more actual than formal arguments
    saved_routine = getattr(proc, "current_routine", None)
    proc.current_routine = routine
    try:
        if procedure is not None:
            if not inside and procedure.child("keyword_public") is None:
                raise IrisError("NOLINE", f"{label}^{routine} (a private procedure: calls from outside its routine "
                                f"{NOT_MODELLED})")
            result = _run_procedure(proc, procedure, formals, args)
        else:
            result = _run_label(proc, compiled, index + (1 if label else 0), formals, args)
    finally:
        proc.current_routine = saved_routine
    if extrinsic and result is None:
        raise IrisError("COMMAND", f"{label}^{routine}")  # [inf] QUIT without a value in a $$ call
    return result, True


def _bind(frame, formals, args) -> None:
    from iris_sim.objects import ByRef  # pylint: disable=import-outside-toplevel
    for index, name in enumerate(formals):
        arg = args[index] if index < len(args) else None
        if isinstance(arg, ByRef):
            frame[name] = arg.node
        elif arg is not None:
            node = values.Node()
            node.set((), arg)
            frame[name] = node


def _run_label(proc, compiled: Compiled, start: int, formals, args):
    saved = {name: proc.locals.pop(name) for name in formals if name in proc.locals}
    _bind(proc.locals, formals, args)
    try:
        for statement in compiled.statements[start:]:
            first = statement.named_children[0] if statement.named_children else None
            if first is not None and first.type == "tag_statement":
                continue  # fall through into the next label
            if first is not None and first.type == "procedure":
                raise IrisError("COMMAND", f"falling into procedure {first.child('tag').text} {NOT_MODELLED}")
            proc.run_statement(statement)
    except QuitSignal as signal:
        return signal.value
    finally:
        for name in formals:
            proc.locals.pop(name, None)
        proc.locals.update(saved)
    return None


def _run_procedure(proc, procedure: PNode, formals, args):
    from iris_sim.classdefs import Frame  # pylint: disable=import-outside-toplevel  # classdefs imports this module
    outer = proc.locals
    public = outer.public if isinstance(outer, Frame) else outer
    frame = Frame(public, [])
    _bind(frame, formals, args)
    saved_context = proc.class_context
    proc.locals, proc.class_context = frame, None
    try:
        proc.run_block(procedure.children_of("statement"))
    except QuitSignal as signal:
        return signal.value
    finally:
        proc.locals, proc.class_context = outer, saved_context
    return None


routines.add_user_routines(call)
