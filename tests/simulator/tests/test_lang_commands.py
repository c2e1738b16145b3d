# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Commands: Set, Write, If/ElseIf/Else, For, While, Quit, Kill, New, Hang, Halt, postconditionals, globals."""

from __future__ import annotations

import pytest

from iris_sim.errors import IrisError, SessionEnd
from iris_sim.interp import Process
from test_lang_support import FakeInstance, output, value


def test_set_multiple_and_list_targets():
    assert output("set a=1,b=a+1,(c,d)=b*2 write a,b,c,d") == "1244"


def test_write_controls():
    assert output('write "a",!,"b"') == "a\r\nb"
    assert output('write "ab",?5,"c"') == "ab   c"
    assert output('write "abcdef",?2,"c"') == "abcdefc"
    assert output("write *65,#") == "A\x0c"


def test_write_without_arguments_lists_locals():
    assert output('set b="x",a(1)=2,a=1', "write") == 'a=1\r\na(1)=2\r\nb="x"\r\n'


def test_zwrite_quotes_strings_and_lists():
    assert output('set x="a""b",y=$lb(1,"z"),n=5', "zwrite x,y,n") == 'x="a""b"\r\ny=$lb(1,"z")\r\nn=5\r\n'


def test_block_if_elseif_else():
    line = 'if x=1 {{ write "one" }} elseif x=2 {{ write "two" }} else {{ write "other" }}'
    assert output("set x=1", line.format()) == "one"
    assert output("set x=2", line.format()) == "two"
    assert output("set x=3", line.format()) == "other"
    assert output('if 1,0 { write "no" } else { write "yes" }') == "yes"


def test_legacy_if_else_uses_test():
    assert output('set x=0', 'if x write "t"', 'else  write "f"') == "f"
    assert output('if 1 write "a" write "b"') == "ab"
    assert output('if 0 write "a" write "b"') == ""
    assert value("$test", "if 1") == 1


def test_for_forms():
    assert output('for i=1:1:3 { write i }') == "123"
    assert output('for i=3:-1:1 { write i }') == "321"
    assert output('for i=1:2:6 write i') == "135"
    assert output('for i="a","b" write i') == "ab"
    assert output('set n=0 for { set n=n+1 quit:n>4 } write n') == "5"
    assert output('for i=1:1 { quit:i>3  write i }') == "123"
    assert value("i", "for i=1:1:3 { }") == 3


def test_while_and_do_while():
    assert output("set n=0 while n<3 { set n=n+1 write n }") == "123"
    assert output("set n=5 do { write n set n=n+1 } while n<3") == "5"


def test_quit_with_postconditional_ends_line():
    assert output('write 1 quit:1  write 2') == "1"
    assert output('write 1 quit:0  write 2') == "12"


def test_postconditionals_on_commands():
    assert output('set:0 x=1 write $data(x)') == "0"
    assert output('set:1 x=1 write:x=1 "yes" write:x=2 "no"') == "yes"


def test_kill_and_exclusive_kill_and_new():
    assert output('set a=1,b=2,c=3 kill a write $data(a),$data(b)') == "01"
    assert output('set a=1,b=2,c=3 kill (a) write $data(a),$data(b),$data(c)') == "100"
    assert output('set a(1)=1,a(2)=2 kill a(1) write $data(a(1)),$data(a(2))') == "01"
    assert output('set a=1 new a write $data(a)') == "0"
    assert output('set a=1 kill  write $data(a)') == "0"


def test_halt_and_hang():
    proc = Process(instance=FakeInstance())
    proc.execute("hang 0.01")
    with pytest.raises(SessionEnd) as info:
        proc.execute("halt")
    assert info.value.exit_code == 0


def test_globals_set_get_order_kill():
    inst = FakeInstance()
    text = output('set ^G(1)="a",^G(2,"x")="b",^G="top"',
                  'write ^G,$data(^G),$data(^G(2)),$get(^G(9),"d"),$order(^G("")),$order(^G(1)),$order(^G(""),-1)',
                  'kill ^G(1) write $data(^G(1)),$increment(^C),$increment(^C)', instance=inst)
    assert text == "top1110d122012"
    assert inst.stores["USER"].get("G", (2, "x")) == "b"


def test_namespace_switch_changes_global_store():
    inst = FakeInstance()
    output('set ^X=1 zn "%SYS" set ^X=2 set $namespace="USER" write ^X', instance=inst)
    assert inst.stores["%SYS"].get("X", ()) == 2
    assert inst.stores["USER"].get("X", ()) == 1
    with pytest.raises(IrisError) as info:
        output('zn "NOPE"', instance=inst)
    assert info.value.name == "NAMESPACE"


def test_xecute_runs_a_string():
    assert output('xecute "write 1+1"') == "2"


def test_unsupported_command_raises():
    with pytest.raises(IrisError) as info:
        output("read x")
    assert info.value.name == "COMMAND"
    with pytest.raises(IrisError) as info:
        output("lock +^a")
    assert info.value.name == "COMMAND"


def test_syntax_error_runs_nothing_on_the_line():
    proc = Process(instance=FakeInstance())
    with pytest.raises(IrisError) as info:
        proc.execute("set x=1 set y=(")
    assert str(info.value) == "<SYNTAX>"
    assert "x" not in proc.locals


def test_macros_are_not_expanded():
    with pytest.raises(IrisError) as info:
        output("write $$$ISOK(1)")
    assert info.value.name == "SYNTAX"


@pytest.mark.parametrize("line", ["h", "HALT", "halt  "])
def test_halt_forms(line):
    with pytest.raises(SessionEnd):
        output(line)


@pytest.mark.parametrize("line, name", [
    ("merge a=b", "COMMAND"), ("lock +^a", "COMMAND"), ("job a^b", "COMMAND"), ("open 1", "COMMAND"),
    ('set ^|"X"|a=1', "SYNTAX"), ('write $get(^["X"]a)', "SYNTAX"), ("set ^(1)=2", "SYNTAX"),
    ("do ..Method()", "NO CURRENT OBJECT"), ("quit 1", "COMMAND"),
])
def test_unmodelled_forms_raise(line, name):
    with pytest.raises(IrisError) as info:
        output(line)
    assert info.value.name == name


def test_abbreviated_and_uppercase_commands():
    assert output('s x=1 w x', 'i x=1 w "y"', 'e  w "n"', 'f i=1:1:2 w i', 'k x w $d(x)', 'Set X=2 Write X') == "1y1202"


def test_comment_only_lines_do_nothing():
    assert output("; a comment", "// another", "write 1 ; trailing") == "1"
