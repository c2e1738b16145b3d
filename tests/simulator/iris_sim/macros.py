# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Macro expansion in UDL method bodies (issue 14 item 5; DESIGN.md Contract 8).

IRIS expands macros with its preprocessor from include files.  The simulator has no preprocessor and no
include files: it knows a short list of macros by name, each with an expander that turns the macro call into
ObjectScript text, which is parsed with the routine grammar and put in the place of the macro node when the
class compiles.  The mechanism and the expansion texts are the simulator's own [inf]; what the expanded code
does follows the sources cited at each macro.  Any other macro is a compile error ("... is not modelled by
the simulator"), never left for run time.

Registered here: the status macros ``$$$OK``, ``$$$ISERR(sc)``, ``$$$ISOK(sc)`` (iris-sources.md SYSMACROS:
available to all classes; ``$$$OK`` is the success status, which equals 1).  models/unittest.py registers the
``$$$Assert...`` macros of %UnitTest.TestCase (iris-sources.md UTCASE).
"""

from __future__ import annotations

from typing import Callable

from iris_sim.parser import PNode, _find_error, _mirror
from iris_sim.parser import _parser as routine_parser

NOT_MODELLED = "is not modelled by the simulator"


class MacroError(Exception):
    """A macro that cannot be expanded (unknown, wrong arguments): a compile error of the class."""


class Context:
    """Where a macro is expanded: class, method, the line of the method's ``{``; ``needs`` collects the
    superclasses the expanded code requires (name → source line), checked when the class compiles."""

    def __init__(self, class_name: str, method_name: str, brace_line: int):
        self.class_name, self.method_name, self.brace_line = class_name, method_name, brace_line
        self.needs: dict[str, int] = {}

    def location(self, line: int) -> str:
        """``label+offset^doc`` of a source line: the method is the label, the offset counts from its ``{``
        line, the document is the class's generated routine ``Pkg.Cls.1`` [inf: iris-sources.md T3 gives the
        shape ``label+offset^...``; the offset base and the document name are not in the sources]."""
        return f"{self.method_name}+{max(line - self.brace_line, 0)}^{self.class_name}.1"


MACROS: dict[str, Callable[[list, Context, int], str]] = {}
"""Macro name (without ``$$$``) → ``fn(args, context, line)`` → ObjectScript text; ``args`` is None for a
macro constant (no parentheses), else the list of argument texts (``""`` for an empty one)."""


def macro(name: str):
    """Decorator: register an expander for ``$$$name``."""
    def decorate(fn):
        MACROS[name] = fn
        return fn
    return decorate


def quote(text: str) -> str:
    """ObjectScript string literal of ``text``."""
    return '"' + text.replace('"', '""') + '"'


def _split(node: PNode) -> tuple[str, list | None]:
    """(name, argument texts or None) of a ``macro`` node."""
    text = node.text.strip()
    if not text.startswith("$$$"):
        raise MacroError(f"'{text[:40]}' (a macro form) {NOT_MODELLED}")
    function = node.child("macro_function")
    if function is None:
        return text[3:], None
    name = text[3:text.index("(")] if "(" in text else text[3:]
    args_node = function.child("macro_func_args")
    args: list[str] = [""]
    for child in args_node.children if args_node is not None else []:
        if child.type == ",":
            args.append("")
        elif child.named:
            args[-1] = child.text.strip()
    if args == [""] and (args_node is None or not any(c.named for c in args_node.children)):
        args = []
    return name, args


def _replacement(text: str, in_do: bool) -> list[PNode]:
    """The nodes that stand for ``text`` in a DO argument or in an expression."""
    source = (" " + ("do " if in_do else "set %z=") + text).encode("utf-8")
    tree = routine_parser().parse(source)  # not parser.parse_line: its cached trees must not be changed
    if _find_error(tree.root_node):
        raise MacroError(f"the simulator's expansion '{text[:60]}' does not parse (an argument of the macro?)")
    root = _mirror(tree.root_node, source)
    command = root.named_children[0].named_children[0]
    if in_do:
        param = command.child("do_parameter")
        return [c for c in param.children if c.named]
    expression = command.child("set_argument").child("expression")
    named = expression.named_children
    return [named[0]] if len(expression.children) == 1 and named else [expression]


def expand(node: PNode, parent: PNode, context: Context, line: int) -> None:
    """Replace the ``macro`` node ``node`` (a child of ``parent``) by its expansion; nested macros in the
    expansion are expanded too.  Unknown macro or bad arguments → MacroError."""
    name, args = _split(node)
    expander = MACROS.get(name)
    defines = getattr(context, "defines", None) or {}
    if expander is None and name in defines:
        # a ``#define Name value`` of an included .inc (userroutines.py): the value text replaces the macro [inf]
        if args is not None:
            raise MacroError(f"macro '$$${name}' takes no arguments")
        text = defines[name]
    elif expander is None:
        raise MacroError(f"macro '$$${name}' {NOT_MODELLED} (modelled: "
                         + ", ".join("$$$" + n for n in sorted(MACROS)) + ")")
    else:
        text = expander(args, context, line)
    nodes = _replacement(text, parent.type == "do_parameter")
    for child in nodes:
        expand_all(child, None, context, line)
    index = next(i for i, child in enumerate(parent.children) if child is node)
    parent.children[index:index + 1] = nodes
    parent._named_children = None  # pylint: disable=protected-access  # the cached list is stale now


def expand_all(node: PNode, parent: PNode | None, context: Context, line: int) -> None:
    """Expand every macro below ``node`` (used for the nodes an expansion produced)."""
    if node.type == "macro" and parent is not None:
        expand(node, parent, context, line)
        return
    for child in list(node.children):
        expand_all(child, node, context, line)


def _arity(name: str, args, low: int, high: int) -> list:
    if args is None or not low <= len(args) <= high or any(a == "" for a in args[:low]):
        want = f"{low}" if low == high else f"{low} to {high}"
        raise MacroError(f"macro '$$${name}' takes {want} argument(s)")  # [inf] IRIS's own message is not sourced
    return args


@macro("OK")
def _ok(args, context, line):  # pylint: disable=unused-argument
    """``$$$OK``: the success status, 1 (iris-sources.md SYSMACROS)."""
    if args is not None:
        raise MacroError("macro '$$$OK' takes no arguments")
    return "1"


@macro("ISERR")
def _iserr(args, context, line):  # pylint: disable=unused-argument
    """``$$$ISERR(sc)``: true when ``sc`` is an error status (iris-sources.md SYSMACROS)."""
    return f"$SYSTEM.Status.IsError({_arity('ISERR', args, 1, 1)[0]})"


@macro("ISOK")
def _isok(args, context, line):  # pylint: disable=unused-argument
    """``$$$ISOK(sc)``: true when ``sc`` is a success status (iris-sources.md SYSMACROS)."""
    return f"$SYSTEM.Status.IsOK({_arity('ISOK', args, 1, 1)[0]})"


def arity(name: str, args, low: int, high: int) -> list:
    """The argument texts of ``$$$name(...)`` when there are ``low``..``high`` of them; else MacroError."""
    return _arity(name, args, low, high)
