# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""literal() and the program builder, checked against tree-sitter-objectscript."""

from __future__ import annotations

import re
import struct

import pytest

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils import _objectscript as osc
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import (
    MAX_LINE_LENGTH,
    MAX_STRING_LENGTH,
    IDENTIFIER_PATTERNS,
    TEMPLATES,
    Program,
    Secret,
    literal,
    ping_program,
)

ts = pytest.importorskip("tree_sitter")
ts_os = pytest.importorskip("tree_sitter_objectscript_routine")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402  pylint: disable=wrong-import-position

PARSER = ts.Parser(ts.Language(ts_os.language_objectscript_routine()))
TOKEN = "0123456789abcdef0123456789abcdef"


# --------------------------------------------------------------------------------------------
# tree-sitter helpers
# --------------------------------------------------------------------------------------------
def parse_line(line):
    """Parse one program line the way the grammar reads routine code: indented by one space."""
    assert "\n" not in line and "\r" not in line
    return PARSER.parse((" " + line).encode("utf-8"))


def syntax_errors(node):
    if not node.has_error:          # tree-sitter: true if the subtree holds any ERROR or MISSING node
        return []
    found = []
    if node.type == "ERROR" or node.is_missing:
        found.append((node.type, node.start_point, node.text[:80]))
    for child in node.children:
        found.extend(syntax_errors(child))
    return found


def assert_parses(line):
    errors = syntax_errors(parse_line(line).root_node)
    assert not errors, (line[:300], errors[:3])


def literal_expression(lit):
    """Parse ``set x=<lit>`` and return the single expression node of the set argument."""
    tree = parse_line("set x=" + lit)
    assert not syntax_errors(tree.root_node), lit[:200]
    root = tree.root_node
    assert root.type == "source_file" and root.named_child_count == 1
    statement = root.named_children[0]
    assert statement.named_child_count == 1
    command = statement.named_children[0]
    assert command.type == "command_set"
    args = [c for c in command.named_children if c.type == "set_argument"]
    assert len(args) == 1
    exprs = [c for c in args[0].named_children if c.type == "expression"]
    assert len(exprs) == 1, "literal is not ONE expression"
    expr = exprs[0]
    assert expr.text == lit.encode("utf-8"), "expression does not span the whole literal"
    return expr


def _string_units(node):
    text = node.text.decode("utf-8")
    assert text[0] == '"' and text[-1] == '"'
    inner = text[1:-1]
    assert re.sub('""', "", inner).count('"') == 0
    data = inner.replace('""', '"').encode("utf-16-le", "surrogatepass")
    return list(struct.unpack("<%dH" % (len(data) // 2), data))


_CHAR_CALL = re.compile(r"\$CHAR\((\d+(?:,\d+)*)\)\Z")


def _char_units(node):
    """A $CHAR(n,...) call whose arguments are plain integer literals (checked on text + arity)."""
    match = _CHAR_CALL.match(node.text.decode("ascii"))
    assert match, node.text
    units = [int(arg) for arg in match.group(1).split(",")]
    assert node.named_child_count == len(units)
    assert all(0 <= unit <= 0xFFFF for unit in units)
    return units


def decode_expression(expr):
    """Decode a literal's parse tree: string literals and $CHAR(n,...) joined by '_' only."""
    units = []
    expect_operand = True
    for child in expr.children:
        if expect_operand:
            if child.type == "string_literal":
                units.extend(_string_units(child))
            elif child.type == "system_defined_function":
                units.extend(_char_units(child))
            elif child.type == "expression":
                assert child.named_child_count == 1
                inner = child.named_children[0]
                if inner.type == "string_literal":
                    units.extend(_string_units(inner))
                elif inner.type == "system_defined_function":
                    units.extend(_char_units(inner))
                else:
                    raise AssertionError("unexpected node %s" % inner.type)
            else:
                raise AssertionError("unexpected node %s" % child.type)
        else:
            assert child.type == "binary_operator" and child.text == b"_", child.type
        expect_operand = not expect_operand
    assert not expect_operand, "dangling operator"
    return struct.pack("<%dH" % len(units), *units).decode("utf-16-le", "surrogatepass")


def roundtrip(value):
    lit = literal(value)
    assert "\n" not in lit and "\r" not in lit and "\x00" not in lit
    return decode_expression(literal_expression(lit))


# --------------------------------------------------------------------------------------------
# literal(): strings
# --------------------------------------------------------------------------------------------
HOSTILE_STRINGS = [
    "", "plain", '"', '""', 'a"b', '"_$CHAR(0)_"', "line1\nline2", "cr\r\nlf", "\x00", "nul\x00in",
    "tab\tx", "\x1b[31mred", "\x7f\x85\x9f", "\u2028\u2029", "\ufeffbom", "\u200bzw", "é ü 中文", "😀 astral",
    "\U0010ffff", "\ud800 lone surrogate", "_", "$C(65)", "$CHAR(", "// comment", "; comment", "{ } }", "<<key>>",
    "\x02tok:R:{}\x03", "halt", ' halt  write "x"', "\\", "'", "&sql(", "##class(%SYS.Task).%DeleteId(1)",
    "x" * 5000, '"' * 3000, "\n" * 500,
]


@pytest.mark.parametrize("value", HOSTILE_STRINGS)
def test_literal_roundtrips_hostile_strings(value):
    assert roundtrip(value) == value


def test_literal_shapes():
    assert literal("") == '""'
    assert literal('a"b') == '"a""b"'
    assert literal("a\nb") == '"a"_$CHAR(10)_"b"'
    assert literal("\x00") == "$CHAR(0)"
    assert literal("😀") == "$CHAR(55357,56832)"
    assert literal(Secret("pw")) == '"pw"'


def test_literal_never_emits_frame_bytes_or_controls():
    lit = literal("".join(chr(i) for i in range(0, 0x2100)))
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in lit)


def test_literal_rejects_too_long_strings():
    literal("x" * 1000)
    with pytest.raises(IrisModuleError) as exc:
        literal("x" * (MAX_STRING_LENGTH + 1))
    assert "xxx" not in exc.value.msg
    with pytest.raises(IrisModuleError):
        literal("😀" * (MAX_STRING_LENGTH // 2 + 1))   # UTF-16 length counts


# --------------------------------------------------------------------------------------------
# literal(): other types
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (True, "1"), (False, "0"), (None, '""'), (0, "0"), (-7, "-7"), (42, "42"),
    (9223372036854775807, "9223372036854775807"), (-9223372036854775807, "-9223372036854775807"),
    (0.5, ".5"), (-0.5, "-.5"), (1.0, "1"), (-0.0, "0"), (0.0, "0"), (100.25, "100.25"),
    (1e20, "100000000000000000000"), (1.5e-7, ".00000015"), (0.1 + 0.2, ".30000000000000004"),
    (123456.789, "123456.789"), (-2.5e3, "-2500"),
])
def test_literal_numbers(value, expected):
    lit = literal(value)
    assert lit == expected
    tree = parse_line("set x=" + lit)
    assert not syntax_errors(tree.root_node)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 1e200, -1e146, 1e-200,
                                   9223372036854775808, -(10 ** 30), b"bytes", [1], {"a": 1}, object()])
def test_literal_rejects(value):
    with pytest.raises(IrisModuleError):
        literal(value)


# --------------------------------------------------------------------------------------------
# Hypothesis: >= 10,000 arbitrary strings parse as ONE literal expression that decodes back
# --------------------------------------------------------------------------------------------
_HOSTILE_PIECES = ['"', '""', "\n", "\r", "\r\n", "_", "$C(", "$CHAR(", ")", "//", ";", "\x00", "\x02", "\x03",
                   "\x1b", "\u2028", "\x85", "é", "中", "😀", "\ud83d", "{", "}", "<<", ">>", " ", "a", "1", "\\", "'"]
_ALL_CHARS = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=())
STRINGS = st.one_of(
    st.text(),
    st.text(alphabet=_ALL_CHARS, max_size=60),
    st.lists(st.sampled_from(_HOSTILE_PIECES), max_size=40).map("".join),
    st.text(alphabet=st.characters(max_codepoint=0x2FF, blacklist_categories=()), max_size=80),
    st.tuples(st.lists(st.sampled_from(_HOSTILE_PIECES), min_size=1, max_size=4).map("".join),
              st.integers(min_value=50, max_value=1500)).map(lambda t: t[0] * t[1]),
)


@settings(max_examples=10000, deadline=None)
@given(STRINGS)
def test_literal_property_roundtrip(value):
    assert roundtrip(value) == value


# --------------------------------------------------------------------------------------------
# Programs
# --------------------------------------------------------------------------------------------
REPRESENTATIVE = {
    "namespace": "%SYS", "key": "result", "value": "x", "class": "%SYS.Task", "method": "RunNow",
    "property": "Name", "properties": "Name,Suspended,TimePeriod", "name": "nightly", "handle": "t",
    "id": 1001, "label": "addprofile", "area": "monitoring",
    "sql": "SELECT ID, Name FROM %SYS.Task WHERE Name = ?", "columns": "ID,Name", "database": "USER",
    "directory": "/usr/irissys/mgr/fx/", "table": "SQLUser.Person", "expected": 2, "remove_dir": True, "what": "profile", "limit": 500, "seconds": 30,
    "user": "_SYSTEM", "password": Secret("Pw-1"), "clear_change": True, "never_expires": False,
    "root": "/opt/app/tests", "qspec": "/load/run/nodisplay/loadudl", "testspec": "unit:App.Test.Orders:TestTotal",
    "items": "Demo.A.cls,Demo.R.mac", "path": "/tmp/stage/Demo/A.cls", "file": "Demo/A.cls", "item": "Demo.A",
}
# iris_ipm's templates (ipm_load_installer, ipm_shell, ipm_require_version)
REPRESENTATIVE.update({"file": "/tmp/zpm-0.10.9.xml", "command": "load /tmp/app-1.0.0.tgz", "version": "0.10.9"})
HOSTILE_VALUES = ['"; halt', "a\nb\r\nc", "\x00\x02\x03", "<<key>>", "}{ catch", "😀\u2028", "x" * 9000,
                  '"' * 5000, -1.5, 0, True, None, Secret("s3cr\"et\n")]


def _all_programs():
    programs = [("ping", ping_program())]
    for name, template in sorted(TEMPLATES.items()):
        values = dict((p, REPRESENTATIVE[p]) for p in template.params)
        programs.append((name, Program().add(name, **values)))
        for hostile in HOSTILE_VALUES:
            # identifier placeholders (class, method) take collection constants only: keep them representative
            hostile_values = dict((p, REPRESENTATIVE[p] if p in IDENTIFIER_PATTERNS else hostile) for p in template.params)
            programs.append(("%s/hostile" % name, Program().add(name, **hostile_values)))
    big = Program()
    for name, template in sorted(TEMPLATES.items()):
        big.add(name, **dict((p, REPRESENTATIVE[p]) for p in template.params))
    programs.append(("all", big))
    return programs


@pytest.mark.parametrize("label, program", _all_programs(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_program_parses(label, program):
    lines = program.lines(TOKEN)
    for line in lines:
        assert len(line) <= MAX_LINE_LENGTH
        assert_parses(line)
    text = program.render(TOKEN)
    assert text.endswith("halt\n")
    assert "\x02" not in text and "\x03" not in text and "\x00" not in text and "\r" not in text
    assert "<<" not in text.replace('"<<', "").replace("<<key>>", "")


@pytest.mark.parametrize("key, bad", [
    ("class", '"; halt'), ("class", "%SYS.Task).%DeleteId(1"), ("class", ""), ("class", Secret("%SYS.Task")),
    ("method", "RunNow(1) halt"), ("method", "Get.x"), ("method", 5), ("method", None),
    ("class", "Security.Services\n"), ("method", "Get\n"),  # "$" took a trailing line feed into the code
])
def test_identifier_placeholders_reject_anything_but_names(key, bad):
    values = {"class": "Security.Services", "method": "Get", "name": "%Service_CallIn", "key": "k"}
    values[key] = bad
    with pytest.raises(IrisModuleError, match="is not a valid %s name" % key):
        Program().add("call_props_get", **values)


def test_identifier_placeholders_write_the_direct_call():
    text = Program().add("call_props_get", **{"class": "Security.Services", "method": "Get",
                                              "name": "%Service_CallIn", "key": "k"}).render(TOKEN)
    assert '##class(Security.Services).Get("%Service_CallIn",.idtP)' in text


def test_guard_structure():
    program = Program().add("namespace", namespace="%SYS").add("task_select_by_name", name="n")
    lines = program.lines(TOKEN)
    assert lines[0].startswith("set idtStep=1,idtTok=%s," % literal(TOKEN))
    assert lines[-1] == "halt"
    guarded = lines[1:-1]
    assert len(guarded) == len(program.steps) + 1
    for index, line in enumerate(guarded):
        step = index + 1
        assert line.startswith("halt:$get(idtStep)'=%d  try { " % step)
        assert "catch idtEx {" in line
        if step <= len(program.steps):
            assert "set idtStep=%d }" % (step + 1) in line
    assert ':R:" do idtR.%ToJSON()' in guarded[-1]
    # the SQL step checks %SQLCODE, status steps check the %Status
    assert "idtRS.%SQLCODE<0" in guarded[1]
    status_line = Program().add("task_delete", id=5).lines(TOKEN)[1]
    assert "$SYSTEM.Status.IsError(idtSC)" in status_line and "GetErrorText(idtSC)" in status_line


def test_long_values_are_hoisted_and_decode_back():
    value = ("é\"\n" * 3000) + "😀" * 2000
    program = Program().add("result_value", key="k", value=value)
    lines = program.lines(TOKEN)
    hoist = [line for line in lines if "set idtL(1)=" in line]
    assert len(hoist) > 2
    pieces = []
    for line in hoist:
        assert len(line) < MAX_LINE_LENGTH
        assert_parses(line)
        match = re.search(r"set idtL\(1\)=(?:idtL\(1\)_)?(.*?) set idtStep=", line)
        pieces.append(decode_expression(literal_expression(match.group(1))))
    assert "".join(pieces) == value
    assert 'do idtR.%Set("k",idtL(1))' in lines[-3]


def test_placeholders_are_checked():
    with pytest.raises(IrisModuleError):
        Program().add("no_such_template")
    with pytest.raises(IrisModuleError):
        Program().add("task_delete")                      # missing
    with pytest.raises(IrisModuleError):
        Program().add("task_delete", id=1, extra=2)       # unknown
    with pytest.raises(IrisModuleError):
        Program().lines("bad token!")


def test_values_are_substituted_once():
    program = Program().add("result_value", key="<<value>>", value="<<key>>")
    line = program.lines(TOKEN)[1]
    assert 'do idtR.%Set("<<value>>","<<key>>")' in line


def test_secrets_are_tracked():
    program = Program().add("props_set", property="Password", value=Secret("hunter2"))
    assert program.has_secrets and program.secret_values == ["hunter2"]
    assert "hunter2" not in repr(Secret("hunter2"))
    assert not Program().add("ping").has_secrets


def test_templates_cite_sources_and_are_valid():
    for name, template in TEMPLATES.items():
        assert template.source and template.doc, name
        assert template.name == name
        for text, check in template.lines:
            assert check in (None, osc.CHECK_STATUS, osc.CHECK_SQL)
            for forbidden in ("$$$", "//", "\n"):
                assert forbidden not in text, name
            assert text.count("{") == text.count("}"), name
            if check == osc.CHECK_STATUS:
                assert "idtSC=" in text
            if check == osc.CHECK_SQL:
                assert "idtRS=" in text


def test_ping_program():
    program = ping_program()
    assert program.template_names == ["ping"]
    assert "$ZVERSION" in program.render(TOKEN) and "$NAMESPACE" in program.render(TOKEN)


@pytest.mark.parametrize("value, expected", [
    (None, None), ("", None), ("  ", None), ("abc", None), (3600, 3600), ("3600", 3600), ("1.0", 1), (" 7 ", 7),
    (True, 1), ("-5", -5), ("9223372036854775807", 9223372036854775807), ("1e999", None),
])
def test_int_or_none_reads_iris_values(value, expected):
    from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import int_or_none
    assert int_or_none(value) == expected


def test_records_round_trip_as_compact_sorted_json():
    from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import record_text, record_value
    assert record_text({"b": 1, "a": [1, "x"]}) == '{"a":[1,"x"],"b":1}'
    assert record_value(record_text({"b": 1, "a": None})) == {"a": None, "b": 1}
    assert record_value("") is None and record_value(None) is None
    assert record_value("not json") is None and record_value("[1]") is None
    assert record_value("not json", unreadable={"status": "unreadable"}) == {"status": "unreadable"}


# --------------------------------------------------------------------------------------------
# Native rendering (docs/native-transport-design.md D6): lines for the server-side runner
# --------------------------------------------------------------------------------------------
def _commands(line, node_type):
    """The command nodes of ``node_type`` in a parsed line (string literals are never commands)."""
    found, stack = [], [parse_line(line).root_node]
    while stack:
        node = stack.pop()
        if node.type == node_type:
            found.append(node.text.decode("utf-8"))
        stack.extend(node.children)
    return found


def _halts(line):
    # The grammar cannot tell HALT from HANG by an abbreviated keyword; our programs spell commands out.
    return [text for text in _commands(line, "command_halt_or_hang") if text.lower().startswith("halt")]


@pytest.mark.parametrize("label, program", _all_programs(), ids=lambda x: x if isinstance(x, str) else "")
def test_native_lines_parse_and_never_halt_or_write(label, program):
    lines = program.lines(TOKEN, native=True)
    for line in lines:
        assert len(line) <= MAX_LINE_LENGTH
        assert_parses(line)
        assert not _halts(line), line[:200]
        assert not _commands(line, "command_write"), line[:200]
    # the same program rendered for a session does halt (the check above can see a halt)
    assert any(_halts(line) for line in program.lines(TOKEN))


def test_native_guard_structure():
    program = (Program().add("namespace", namespace="%SYS").add("task_select_by_name", name="n")
               .add("task_delete", id=5))
    lines = program.lines(TOKEN, native=True)
    assert lines[0] == "set idtStep=1,idtTok=%s,idtR=##class(%%DynamicObject).%%New(),idtQ=0,idtArg=0,idtOut=\"\"" % literal(TOKEN)
    assert len(lines) == len(program.steps) + 2  # the first line, one per step, the result line; no final halt
    for step, line in enumerate(lines[1:], start=1):
        assert line.startswith("quit:$get(idtStep)'=%d  try { " % step)
        assert 'set idtOut=idtOut_$CHAR(2)_idtTok_":E:"_idtE.%ToJSON()_$CHAR(3) }' in line  # the catch block reports
    # an unchecked step advances; SQL and status steps advance only in the else branch of their check
    checks = {"none": [], "sql": [], "status": []}
    for step, ((dummy, body, check), line) in enumerate(zip(program.steps, lines[1:-1]), start=1):
        kind = {None: "none", osc.CHECK_SQL: "sql", osc.CHECK_STATUS: "status"}[check]
        checks[kind].append(step)
        if check is None:
            assert "try { %s set idtStep=%d } catch idtEx {" % (body, step + 1) in line
        else:
            condition = "idtRS.%SQLCODE<0" if check == osc.CHECK_SQL else "$SYSTEM.Status.IsError(idtSC)"
            assert "try { %s if %s { set idtE=" % (body, condition) in line
            assert "else { set idtStep=%d } } catch idtEx {" % (step + 1) in line
    assert all(checks.values()), checks  # the program has steps of every kind
    final = len(program.steps) + 1
    assert lines[-1].startswith("quit:$get(idtStep)'=%d  try { set idtOut=idtOut_$CHAR(2)_idtTok_\":R:\"_idtR.%%ToJSON()_$CHAR(3) }" % final)


def test_native_and_session_lines_run_the_same_bodies():
    program = Program().add("task_select_by_name", name="nightly").add("task_delete", id=7)
    session, native = program.lines(TOKEN), program.lines(TOKEN, native=True)
    for (name, body, dummy), line_s, line_n in zip(program.steps, session[1:], native[1:]):
        assert body in line_s and body in line_n, name
