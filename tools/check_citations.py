#!/usr/bin/env python
# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Citations resolve inside the repository (issue 10 item 6; CONTRIBUTING.md, "Citations for IRIS calls").

    tools/check_citations.py [REPO]

Checks, in plugins/, roles/ and playbooks/ (and the user-facing READMEs and docsite pages):

1. every key cited as ``iris-sources.md <key>[, <key>...]`` is listed in docs/iris-sources.md
   (S/T keys, audit evidence keys, project-note keys, § topics); ``audit <row>`` names a row of its
   "Calls and facts" table; a bare S<n>/T<n> is a listed key;
2. no file outside the repository is cited (iris-api.md, iris-api-next.md, the project notes, shared/docs/...);
   in user-facing text (module DOCUMENTATION/EXAMPLES/RETURN, doc fragments, role argument specs, READMEs,
   docsite pages, string literals of plugins/ code, which may become messages) the finding says so.

Strict by default (every comment cites the register): any finding fails (exit 1).  The local escape hatch,
``STRICT_CITATIONS=0 tools/check_citations.py``, prints the findings and exits 0, for a working tree in the
middle of moving citations; tools/run and CI never set it.
"""

from __future__ import annotations

import ast
import io
import os
import re
import sys
import tokenize

STRICT = 1

REGISTER = "docs/iris-sources.md"
SCOPES = ("plugins", "roles", "playbooks")
TEXT_SUFFIXES = (".py", ".yml", ".yaml", ".md", ".rst", ".j2", ".txt", ".cfg", ".sh", ".json", ".ini")
NOTE_KEYS = ("LESSONS", "NEEDS", "TOOLCHAIN", "ANCHORS", "PEERS", "WIRE")
OUTSIDE = re.compile(r"\b(iris-api(?:-next)?\.md|iris-api-next|iris-fidelity-audit(?:\.md)?|iris-devtester-lessons(?:\.md)?"
                     r"|iris-ci-user-needs(?:\.md)?|toolchain\.md|ansible-anchors\.md|peers\.md|iris-wire-protocol\.md"
                     r"|architecture\.md|shared/docs)")
KEY = r"(?:[ST]\d+(?:[-–][ST]?\d+)?|§\d+(?:\.\d+)?|[A-Z][A-Z0-9]+(?:-[A-Z0-9]+)*)"
CITATION = re.compile(r"iris-sources\.md[ \t\[(:]*(%s(?:(?:[ \t]*[,/+][ \t]*|[ \t]+and[ \t]+|[ \t]+)%s)*)" % (KEY, KEY))
AUDIT = re.compile(r"\baudit(?: rows?)? ([A-H]\d+(?:(?:[ \t]*[,/][ \t]*|[ \t]+and[ \t]+)[A-H]\d+)*)\b")
BARE = re.compile(r"(?<![\w.-])([ST]\d{1,3})(?![\w-])")
DOC_NAMES = ("DOCUMENTATION", "EXAMPLES", "RETURN")


def register_keys(path):
    """(keys, audit rows) from the first column of every table of the register."""
    keys, rows = set(), set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            match = re.match(r"\|\s*([^|]+?)\s*\|", line)
            if not match or set(match.group(1)) <= set("-: "):
                continue
            cell = match.group(1)
            if re.fullmatch(r"[A-H]\d+", cell):
                rows.add(cell)
            elif re.fullmatch(KEY, cell):
                keys.add(cell)
    return keys, rows


def expand(token):
    """S8-S10 -> [S8, S9, S10]; other tokens unchanged."""
    match = re.fullmatch(r"([ST])(\d+)[-–]([ST]?)(\d+)", token)
    if not match:
        return [token]
    first, last = int(match.group(2)), int(match.group(4))
    if last < first or last - first > 50:
        return [token]
    return ["%s%d" % (match.group(1), n) for n in range(first, last + 1)]


def cited_keys(text):
    """Keys of every ``iris-sources.md <keys>`` citation in ``text``: [(offset, key)]."""
    found = []
    for match in CITATION.finditer(text):
        tokens = re.findall(KEY, match.group(1))
        in_note = False
        for token in tokens:
            if in_note and token.startswith("§"):
                continue  # LESSONS §4.3, §4.8: sections of that note
            in_note = token in NOTE_KEYS
            for key in expand(token):
                found.append((match.start(1), key))
    return found


def python_strings(text):
    """[(start, end, kind)] offsets of the string literals of a Python file; kind is "doc" (DOCUMENTATION,
    EXAMPLES, RETURN), "docstring" or "string" (may become a message or a hint)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    docstrings, docs = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.add((first.value.lineno, first.value.col_offset))
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and any(isinstance(t, ast.Name) and t.id in DOC_NAMES for t in node.targets):
            docs.add((node.value.lineno, node.value.col_offset))
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    spans = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type != tokenize.STRING:
                continue
            kind = "doc" if tok.start in docs else "docstring" if tok.start in docstrings else "string"
            spans.append((starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1], kind))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []
    return spans


def files(repo):
    for scope in SCOPES:
        for root, dirs, names in os.walk(os.path.join(repo, scope)):
            dirs[:] = [d for d in dirs if d not in ("__pycache__", ".pytest_cache")]
            for name in sorted(names):
                if name.endswith(TEXT_SUFFIXES):
                    yield os.path.join(root, name)
    for name in ("README.md",):
        if os.path.exists(os.path.join(repo, name)):
            yield os.path.join(repo, name)
    docsite = os.path.join(repo, "docs", "docsite")
    for root, dirs, names in os.walk(docsite):
        for name in sorted(names):
            if name.endswith((".rst", ".md", ".yml")):
                yield os.path.join(root, name)


def is_user_facing_file(rel):
    base = os.path.basename(rel)
    return (base == "README.md" or rel.startswith("docs/") or base == "argument_specs.yml"
            or rel.startswith("plugins/doc_fragments/"))


def check(repo):
    """Return a list of findings ``(relpath, line, kind, message)``."""
    keys, rows = register_keys(os.path.join(repo, REGISTER))
    findings = []
    for path in files(repo):
        rel = os.path.relpath(path, repo)
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        spans = python_strings(text) if rel.endswith(".py") and rel.startswith("plugins/") else []
        facing_file = is_user_facing_file(rel)
        starts = [0] + [m.end() for m in re.finditer("\n", text)]

        def line_of(offset):
            lo, hi = 0, len(starts) - 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if starts[mid] <= offset:
                    lo = mid
                else:
                    hi = mid - 1
            return lo + 1

        for offset, key in cited_keys(text):
            if key not in keys:
                findings.append((rel, line_of(offset), "unknown-key",
                                 "cites %s, which is not a key of %s" % (key, REGISTER)))
        for match in AUDIT.finditer(text):
            for row in re.findall(r"[A-H]\d+", match.group(1)):
                if row not in rows:
                    findings.append((rel, line_of(match.start(1)), "unknown-key",
                                     "cites audit row %s, which is not a row of %s" % (row, REGISTER)))
        for match in BARE.finditer(text):
            if match.group(1) not in keys:
                findings.append((rel, line_of(match.start(1)), "unknown-key",
                                 "mentions %s, which is not a key of %s" % (match.group(1), REGISTER)))
        for match in OUTSIDE.finditer(text):
            kind = next((k for a, b, k in spans if a <= match.start() < b), "comment")
            line_text = text[starts[line_of(match.start()) - 1]:].split("\n", 1)[0]
            if not rel.endswith(".py") and facing_file and not line_text.lstrip().startswith("#"):
                kind = "doc"
            if kind == "doc":
                kind, what = "user-facing", "user-facing text"
            elif kind == "string":
                kind, what = "message", "a string (it may reach users as a message or hint)"
            else:
                kind, what = "outside-file", "a comment" if kind == "comment" else "a docstring"
            findings.append((rel, line_of(match.start()), kind, "%s cites %s, a file outside the repository; cite a key of %s"
                             % (what, match.group(1), REGISTER)))
    return findings


def main(argv):
    repo = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    strict = os.environ.get("STRICT_CITATIONS", str(STRICT)) == "1"
    findings = check(repo)
    for rel, line, kind, message in sorted(findings):
        print("%s:%d: [%s] %s" % (rel, line, kind, message))
    by_kind = {}
    for finding in findings:
        by_kind[finding[2]] = by_kind.get(finding[2], 0) + 1
    summary = ", ".join("%s %d" % item for item in sorted(by_kind.items())) or "none"
    if findings and not strict:
        print("check_citations: %d findings (%s); report-only (STRICT_CITATIONS=0)" % (len(findings), summary))
        return 0
    print("check_citations: %d findings (%s)" % (len(findings), summary))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
