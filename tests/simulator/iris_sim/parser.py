# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tree-sitter adapter for ObjectScript lines (grammar ``tree_sitter_objectscript_routine``).

The grammar reads routine syntax, where a line starting in column 1 is a label, so a program line is
parsed indented by one space.  The tree-sitter tree is mirrored into small ``PNode`` objects once
per distinct line (cached), so the interpreter never touches tree-sitter nodes.  ERROR or MISSING
nodes mean ``<SYNTAX>``: a direct-mode line is compiled before it runs, so nothing of it executes
[inf: matches the terminal's behaviour that a line with a syntax error runs no command].
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache

import tree_sitter
import tree_sitter_objectscript_routine

from iris_sim.errors import IrisError

_CACHE_SIZE = 4096
_CACHE: OrderedDict[str, "PNode"] = OrderedDict()


class PNode:
    """A parse-tree node: ``type``, ``text``, ``children`` (all) and ``named`` flag."""

    __slots__ = ("type", "text", "children", "named", "_named_children")

    def __init__(self, type_: str, text: str, children: list["PNode"], named: bool):
        self.type = type_
        self.text = text
        self.children = children
        self.named = named
        self._named_children = None

    @property
    def named_children(self) -> list["PNode"]:
        """The named children (punctuation and keywords' literal tokens left out)."""
        if self._named_children is None:
            self._named_children = [c for c in self.children if c.named]
        return self._named_children

    def child(self, type_: str) -> "PNode | None":
        """The first child of type ``type_``, or None."""
        for node in self.children:
            if node.type == type_:
                return node
        return None

    def children_of(self, type_: str) -> list["PNode"]:
        """All children of type ``type_``."""
        return [node for node in self.children if node.type == type_]

    def __repr__(self):
        return f"PNode({self.type!r}, {self.text!r})"


@lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    language = tree_sitter.Language(tree_sitter_objectscript_routine.language_objectscript_routine())
    return tree_sitter.Parser(language)


def _mirror(node, source: bytes) -> PNode:
    children = [_mirror(child, source) for child in node.children]
    text = source[node.start_byte:node.end_byte].decode("utf-8", errors="replace")
    return PNode(node.type, text, children, node.is_named)


def _find_error(node) -> bool:
    if node.is_error or node.is_missing:
        return True
    if not node.has_error:
        return False
    return any(_find_error(child) for child in node.children)


def parse_line(line: str) -> PNode:
    """Parse one program line (no label) into a ``source_file`` PNode; syntax error → ``<SYNTAX>``."""
    cached = _CACHE.get(line)
    if cached is not None:
        _CACHE.move_to_end(line)
        return cached
    stripped = line.strip()
    if not stripped or stripped.startswith((";", "//", "#;")):
        return PNode("source_file", line, [], True)  # an empty or comment-only line does nothing
    source = (" " + line).encode("utf-8")
    tree = _parser().parse(source)
    if _find_error(tree.root_node):
        raise IrisError("SYNTAX")
    root = _mirror(tree.root_node, source)
    _CACHE[line] = root
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return root
