# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE to the collection: may change at any time.

The server-side runner of the native transport (issue 13; docs/native-transport-design.md D1-D9, §2-§4): the class
method ``IrisDevTools.NativeV1.Run`` that runs a program's lines, created once per namespace with SQL
``CREATE METHOD ... FOR IrisDevTools.NativeV1 LANGUAGE OBJECTSCRIPT { ... }`` (iris-sources.md RSQLMETH, GSQLNAMES)
and called through the Native API (``classMethodValue``, iris-sources.md S34, WIRE §5).

* ``DDL`` is the frozen statement of version 1: a unit test pins its SHA-256 (D3).  A changed body is a new class
  (``NativeV2``), never an edit of this text.  The InterSystems client's SQL preparser refuses a statement that holds
  ``:`` followed by a digit anywhere (also inside the ObjectScript body), so the body loops with ``for { ... quit:...
  }`` and a unit test asserts the text has no such pair.
* ``kill_command(lines)`` is the runner's clean-up (D8): ``kill`` of every ``idt*`` variable the program's lines name,
  run before and after the program, because a superserver process outlives a call and its public variables with it.
* ``program_text(lines)`` joins the native lines with ``$CHAR(10)`` (D9) and refuses a program longer than an IRIS
  string can be (``_objectscript.MAX_STRING_LENGTH``) before anything is sent.

How the body works (each point is D-numbered in the design): its own variables start with ``idtz`` (no template
uses that prefix); it NEWs $NAMESPACE (comes back when the method ends or fails: iris-sources.md RCOSNS) and switches
to the program's namespace; it makes the null device current while the program runs (iris-sources.md GIODDEV: the
WRITEs of a dummy device go nowhere; Unix-like servers only [inf for Windows]); each line runs with XECUTE, which sees
only public variables (iris-sources.md GCOSXEC, RCOSXEC), and ``quit`` ends only that line; the frames are read from
the public ``idtOut`` through name indirection (GCOSXEC), so this works whether or not a DDL-created method is a
procedure block [inf]; an error that escapes a line (``<SYNTAX>`` of an XECUTE) is appended as its DisplayString, as
the session shell prints it; then it releases the process's locks (argumentless LOCK, iris-sources.md LOCK [inf for
the argumentless form]) and rolls back a transaction the program left open (``TROLLBACK:$TLEVEL`` [inf]): what
``halt`` gives a session (iris-sources.md RCOSHALT).
"""

from __future__ import annotations

import hashlib
import re

from ansible_collections.iris_devtools.iris.plugins.module_utils._errors import IrisModuleError
from ansible_collections.iris_devtools.iris.plugins.module_utils._objectscript import MAX_STRING_LENGTH

CLASS = "IrisDevTools.NativeV1"
METHOD = "Run"
KILL_LIMIT = 32000  # the longest kill list the runner accepts (its parameter's declared length); ours, far above need

# FROZEN (D3): tests/unit/plugins/module_utils/test_native_runner.py pins the SHA-256 of this text.  Body lines are
# indented (a line in column 1 would be a label: iris-sources.md T43).
DDL = """CREATE METHOD Run(IN idtzProgram VARCHAR(3641144), IN idtzNs VARCHAR(64), IN idtzKill VARCHAR(32000))
  RETURNS VARCHAR(3641144)
  FOR IrisDevTools.NativeV1
  LANGUAGE OBJECTSCRIPT
{
 new $NAMESPACE
 set idtzIO=$IO,idtzNul="/dev/null",idtzOut=""
 open idtzNul use idtzNul
 try {
  set $NAMESPACE=idtzNs
  xecute idtzKill
  set idtzN=$LENGTH(idtzProgram,$CHAR(10)),idtzI=0
  for {
   set idtzI=idtzI+1
   quit:idtzI>idtzN
   xecute $PIECE(idtzProgram,$CHAR(10),idtzI)
  }
  set idtzOut=$GET(@"idtOut")
 } catch idtzEx {
  set idtzOut=$GET(@"idtOut")_$CHAR(10)_idtzEx.DisplayString()
 }
 try { xecute idtzKill } catch {}
 lock
 trollback:$TLEVEL
 use idtzIO close idtzNul
 quit idtzOut
}"""

# The statement that removes the runner (D14; iris-sources.md RSQLDROP: the class left empty is deleted too [inf]).
DROP = "DROP METHOD Run FROM IrisDevTools.NativeV1"

_STRING = re.compile(r'"(?:[^"]|"")*"')
_PROTOCOL_NAME = re.compile(r"\bidt[A-Z][A-Za-z0-9]*")
_TOO_LONG_HINT = "pass large data as a file (iris_fixture), not as a value; or use transport docker or local"


def ddl_sha256():
    """The SHA-256 (hex) of the frozen DDL text."""
    return hashlib.sha256(DDL.encode("utf-8")).hexdigest()


def public_names(lines):
    """The sorted protocol variables (``idt`` + a capital letter ...) that ``lines`` name outside string literals."""
    names = set()
    for line in lines:
        names.update(_PROTOCOL_NAME.findall(_STRING.sub('""', line)))
    return sorted(names)


def kill_command(lines):
    """``kill idtA,idtB,...``: the ObjectScript line that removes every protocol variable of the program."""
    names = public_names(lines)
    if not names:
        raise IrisModuleError("A native program names no protocol variable",
                              hint="this is a bug in the collection; please report it with the task that failed")
    text = "kill " + ",".join(names)
    if len(text) > KILL_LIMIT:
        raise IrisModuleError("The program's variable list is longer than the native runner takes (%d characters)"
                              % KILL_LIMIT,
                              hint="this is a bug in the collection; please report it with the task that failed")
    return text


def program_text(lines):
    """The program as the one string argument of ``Run``: the lines joined with ``$CHAR(10)`` (D9).

    Refused before sending when it is longer than an IRIS string can be; the message never holds the program."""
    text = "\n".join(lines)
    length = len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)  # UTF-16 code units, as _objectscript counts
    if length > MAX_STRING_LENGTH:
        raise IrisModuleError(
            "The program is %d characters long, more than an IRIS string can hold (%d), so transport native cannot "
            "send it" % (length, MAX_STRING_LENGTH), hint=_TOO_LONG_HINT)
    return text
