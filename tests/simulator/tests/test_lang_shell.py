# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The piped ``iris session`` shell (DESIGN.md Contract 4)."""

from __future__ import annotations

import io

from iris_sim.shell import run_command, run_session
from test_lang_support import FakeInstance, session


def test_prompts_precede_each_line_and_eof_ends():
    out, code = session('write "a",!\nwrite "b"')
    assert out == "USER>a\r\nUSER>b\r\nUSER>"
    assert code == 0


def test_sys_prompt_and_lowercase_namespace():
    out, code = session("write $namespace", namespace="%sys")
    assert out == "%SYS>%SYS\r\n%SYS>"
    assert code == 0


def test_error_is_printed_and_session_continues():
    out, code = session('write "x" write y\nwrite "next"')
    assert out == "USER>x\r\n<UNDEFINED> *y\r\nUSER>next\r\nUSER>"
    assert code == 0


def test_halt_stops_reading():
    out, code = session('write 1\nhalt\nwrite 2')
    assert out == "USER>1\r\nUSER>"
    assert code == 0


def test_terminate_sets_exit_code():
    out, code = session('write "bye"\ndo ##class(%SYSTEM.Process).Terminate(,7)\nwrite "never"')
    assert out == "USER>bye\r\nUSER>"
    assert code == 7
    code = session("if '$system.Status.IsOK(0) do ##class(%SYSTEM.Process).Terminate(, 1)")[1]
    assert code == 1
    code = session("do ##class(%SYSTEM.Process).Terminate($job,3)")[1]
    assert code == 3


def test_locals_persist_across_lines_and_zn_changes_prompt():
    out = session('set x=5\nzn "%SYS"\nwrite x')[0]
    # [inf] a prompt starts on a fresh line, so a line without output leaves an empty prompt line.
    assert out == "USER>\r\nUSER>\r\n%SYS>5\r\n%SYS>"


def test_unknown_namespace_fails():
    out, code = session("write 1", namespace="NOPE")
    assert out == "<NAMESPACE> *NOPE\r\n"
    assert code == 1


def test_blank_lines_and_trailing_newlines():
    out = session("\n  \nwrite 1\r\n")[0]
    assert out == "USER>\r\nUSER>\r\nUSER>1\r\nUSER>"


def test_uncaught_throw_is_reported():
    out = session('throw ##class(%Exception.General).%New("Boom",5)\nwrite "after"')[0]
    assert out.splitlines()[:2] == ["USER>", "<THROW> *%Exception.General Boom 5"]
    assert "after" in out


def test_run_command_has_no_prompts():
    out = io.StringIO()
    assert run_command(FakeInstance(), "USER", 'write "hi"', out) == 0
    assert out.getvalue() == "hi"
    out = io.StringIO()
    assert run_command(FakeInstance(), "USER", "##class(%SYSTEM.Process).Terminate(,4)".join(["do ", ""]), out) == 4
    out = io.StringIO()
    assert run_command(FakeInstance(), "USER", "write nope", out) == 0
    assert out.getvalue() == "<UNDEFINED> *nope\r\n"


def test_output_callable_and_instance_without_namespaces():
    chunks = []
    code = run_session(object(), "USER", ["write 1+1"], chunks.append)
    assert "".join(chunks) == "USER>2\r\nUSER>"
    assert code == 0
