# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ``iris session`` shell with piped stdin (DESIGN.md Contract 4; iris-sources.md §4.1, S36).

* The prompt ``NS>`` (``%SYS>`` in %SYS) is written before each line is read (S36: the prompt is the
  namespace name; S28/S12: piped sessions print prompts around the output).  [inf] a prompt starts
  on a fresh line: when the previous output left the cursor mid-line, CR LF comes first.
* Each line runs on its own (a ``{`` block must close on the same line).
* An uncaught error is printed as the terminal does (``<UNDEFINED> *x`` on its own line) and the
  session goes on with the next line (iris-sources.md LESSONS §2.3).
* ``halt`` ends the session at once (remaining input is ignored); EOF ends it too.
* The exit code is 0 unless ``##class(%SYSTEM.Process).Terminate(,n)`` ran (iris-sources.md §4.1).
* Unknown namespace for ``-U``: ``<NAMESPACE>`` message and exit code 1 [inf].
"""

from __future__ import annotations

from iris_sim.errors import IrisError, SessionEnd, ThrowSignal
from iris_sim.interp import NEWLINE, Process, namespace_exists, uncaught_text


def prompt_for(namespace: str) -> str:
    """``USER>``, ``%SYS>``."""
    return namespace.upper() + ">"


def _writer(out):
    if callable(out):
        return out
    return out.write


def run_session(instance, namespace, lines, out) -> int:
    """Run piped ``lines`` in ``namespace`` of ``instance``, writing to ``out``; return the exit code."""
    write = _writer(out)
    namespace = (namespace or "USER").upper()
    if not namespace_exists(instance, namespace):
        write(f"<NAMESPACE> *{namespace}{NEWLINE}")
        return 1
    proc = Process(instance=instance, namespace=namespace, out=write)
    try:
        return run_lines(proc, lines)
    finally:
        proc.release_locks()  # the process ends: its locks are released (ALOCK, iris_sim/locks.py)


def run_lines(proc: Process, lines) -> int:
    """The read-eval-print loop over an existing process."""
    iterator = iter(lines)
    while True:
        if proc.x != 0:
            proc.write_principal(NEWLINE)
            proc.x = 0
        # The prompt goes to the principal device [inf], even when the program left another device current.
        proc.write_principal(prompt_for(proc.namespace))
        line = next(iterator, None)
        if line is None:
            return 0
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            proc.execute(line)
        except SessionEnd as end:
            return end.exit_code
        except (IrisError, ThrowSignal) as exc:
            report_error(proc, exc)


def report_error(proc: Process, exc: Exception) -> None:
    """Print an uncaught error on its own line and remember it in ``$ZERROR``."""
    text = uncaught_text(exc)
    proc.zerror = text
    # GCOSERR: the error message is displayed "on the principal device".
    if proc.x != 0:
        proc.write_principal(NEWLINE)
    proc.write_principal(text + NEWLINE)
    proc.x = 0


def run_command(instance, namespace, line, out) -> int:
    """The single-command form ``iris session IRIS -U NS "entry"`` (iris-sources.md §4.1, S29/S23).

    Runs one line without prompts; nothing is printed unless the code writes (or an error occurs).
    Returns the exit code (``Terminate(,n)`` → n).
    """
    write = _writer(out)
    namespace = (namespace or "USER").upper()
    if not namespace_exists(instance, namespace):
        write(f"<NAMESPACE> *{namespace}{NEWLINE}")
        return 1
    proc = Process(instance=instance, namespace=namespace, out=write)
    try:
        proc.execute(line)
    except SessionEnd as end:
        return end.exit_code
    except (IrisError, ThrowSignal) as exc:
        report_error(proc, exc)
    finally:
        proc.release_locks()  # ALOCK: locks end with the process
    return 0
