# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""4-byte characters (above U+FFFF) as IRIS handles them (issue 10 item 4).

On a Unicode instance an IRIS string is a sequence of 16-bit character elements; a character above U+FFFF is a
surrogate pair, which $LENGTH/$EXTRACT/$ASCII/$CHAR count as two characters and the $W* functions as one
(InterSystems ObjectScript reference: $WLENGTH RCOS_fwlength, $WCHAR RCOS_fwchar, $WASCII RCOS_fwascii,
$WISWIDE RCOS_fwiswide, $CHAR RCOS_fchar).  Output to the terminal is UTF-8 [inf].
"""

from __future__ import annotations

import io

import pytest

from iris_sim import values
from iris_sim.errors import IrisError
from iris_sim.shell import run_session
from test_lang_support import FakeInstance, output, session

SMILE = "\U0001F600"            # 😀, UTF-16: D83D DE00
PAIR = "\ud83d\ude00"


def test_a_literal_is_two_character_elements():
    assert output('write $LENGTH("%s")' % SMILE) == "2"
    assert output('write $LENGTH("a%sb")' % SMILE) == "4"


def test_a_literal_equals_its_surrogate_pair():
    assert output('write "%s"=$CHAR(55357,56832)' % SMILE) == "1"
    assert output('write $ASCII("%s"),",",$ASCII("%s",2)' % (SMILE, SMILE)) == "55357,56832"


def test_extract_reaches_into_the_pair_and_rejoins():
    assert output('write $ASCII($EXTRACT("a%sb",2))' % SMILE) == "55357"
    assert output('write $EXTRACT("a%sb",2,3)' % SMILE) == SMILE
    assert output('write $EXTRACT("a%sb",4)' % SMILE) == "b"


def test_output_is_the_character_not_its_halves():
    out, code = session('write "x%sy",!\nwrite $CHAR(55357,56832)' % SMILE)
    assert out == "USER>x%sy\r\nUSER>%s\r\nUSER>" % (SMILE, SMILE) and code == 0
    assert out.encode("utf-8")  # no lone surrogate reaches the device


def test_writing_half_a_pair_fails_loudly():
    out, _code = session('write $EXTRACT("%s",1)' % SMILE)
    assert "<WRITE>" in out and "not modelled" in out


def test_char_above_ffff_is_empty_wchar_builds_the_pair():
    # $CHAR: "Values larger than 65535 return an empty string" (RCOS_fchar); $WCHAR returns the pair (RCOS_fwchar).
    assert output("write $LENGTH($CHAR(128512))") == "0"
    assert output("write $LENGTH($WCHAR(128512)),$WCHAR(128512)=$CHAR(55357,56832)") == "21"
    assert output("write $WC(65,128512)") == "A" + SMILE


def test_w_functions_count_a_pair_as_one():
    # The doc example of $WLENGTH: "AB"_pair_"CD" -> $LENGTH 6, $WLENGTH 5 (RCOS_fwlength).
    assert output('set s="AB"_$CHAR(55302,56326)_"CD" write $LENGTH(s),",",$WLENGTH(s),",",$WL(s)') == "6,5,5"
    # $WISWIDE: a pair in the right order only (RCOS_fwiswide example).
    assert output('write $WISWIDE("AB"_$CHAR(55302,56326)),$WISWIDE("AB"_$CHAR(56326,55302)),$WISWIDE("AB")') == "100"
    # $WASCII: the code point, position counting a pair as one (RCOS_fwascii).
    assert output('write $WASCII("%s"),",",$WASCII("a%sb",3),",",$WA("a%sb",2)' % (SMILE, SMILE, SMILE)) == "128512,98,128512"


def test_json_reads_and_writes_pairs():
    assert output('set o=##class(%%DynamicObject).%%FromJSON("{""a"":""%s""}") write $LENGTH(o.a)' % SMILE) == "2"
    assert output('set o=##class(%DynamicObject).%FromJSON("{""a"":""\\ud83d\\ude00""}") write $LENGTH(o.a),o.a') == "2" + SMILE
    assert output('set o={"a":"%s"} write $LENGTH(o.a)' % SMILE) == "2"
    out = output('set o=##class(%DynamicObject).%New() do o.%Set("a",$CHAR(55357,56832)) write o.%ToJSON()')
    assert out == '{"a":"%s"}' % SMILE


def test_listbuild_keeps_the_pair():
    assert output('write $LENGTH($LISTGET($LISTBUILD("%s"),1))' % SMILE) == "2"


def test_units_round_trip():
    assert values.to_units(SMILE) == PAIR
    assert values.from_units(PAIR) == SMILE
    assert values.to_units("plain é") == "plain é"
    with pytest.raises(IrisError):
        values.from_units("\ud83d")


def test_the_shell_output_encodes_as_utf8():
    """What the shell writes encodes as UTF-8 (was: UnicodeEncodeError on the lone surrogates of a pair)."""
    out = io.StringIO()
    run_session(FakeInstance(), "USER", ['write $LENGTH("%s"),":",$CHAR(55357,56832)' % SMILE], out)
    assert out.getvalue().encode("utf-8").decode("utf-8") == "USER>2:%s\r\nUSER>" % SMILE
