# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Evaluator of the ObjectScript subset (issue #3 item 4) over ``parser.PNode`` trees.

Semantics modelled (ObjectScript language reference, as recalled; [inf] where marked):

* Binary operators are evaluated strictly left to right, with no precedence: ``1+2*3`` is 9.
* ``&&``/``||`` short-circuit, ``&``/``!`` evaluate both operands.
* Commands take postconditionals (``set:cond x=1``); the legacy ``if`` sets ``$TEST`` and the
  legacy ``else`` reads it; block ``if {} elseif {} else {}`` does not touch ``$TEST`` [inf].
* Errors are ``IrisError`` (``<UNDEFINED> *x`` ...); inside ``try`` they become
  ``%Exception.SystemException`` objects.  Anything not modelled raises (``<FUNCTION>``,
  ``<COMMAND>``, ``<SYNTAX>``); nothing unknown silently succeeds.
"""

from __future__ import annotations

import os
import re
import time

from iris_sim import builtins_lang, locks, objects, routines, values
from iris_sim.errors import IrisError, SessionEnd, ThrowSignal
from iris_sim.builtins_lang import PRINCIPAL, FUNCTIONS, REF_FUNCTIONS, SPECIAL_VARIABLES, canonical_function, canonical_variable, set_function
from iris_sim.objects import ByRef, SimObject
from iris_sim.parser import PNode, parse_line

NEWLINE = "\r\n"
"""What ``write !`` emits.  [inf] the terminal device writes CR LF."""
FORM_FEED = "\x0c"
"""What ``write #`` emits on a non-terminal device [inf]."""
NULL_DEVICE = "/dev/null"
"""The null device of a Unix-like server: OPEN and USE of it make a dummy device whose WRITEs go nowhere
(iris-sources.md GIODDEV).  The only device besides the principal one that OPEN/USE/CLOSE model."""
MAX_HANG = 0.05
"""``hang n`` sleeps at most this long (seconds): the simulator does not need real waiting."""


_LOCAL_NAME = re.compile(r"%?[A-Za-z][A-Za-z0-9]*")


def namespace_exists(instance, namespace: str) -> bool:
    """``instance.has_namespace(ns)`` (Contract 3); an instance without that method accepts any name."""
    if not hasattr(instance, "has_namespace"):
        return True
    return bool(instance.has_namespace(namespace))


class QuitSignal(Exception):
    """``quit`` in flight (ends the innermost loop, or the line in direct mode)."""

    def __init__(self, value=None):
        super().__init__("quit")
        self.value = value


_COMPARE_OPS = {
    "=": values.equals,
    "<": values.less,
    ">": values.greater,
    "]": values.follows,
    "]]": values.sorts_after,
    "[": values.contains,
}

_ARITH_OPS = {
    "+": values.add,
    "-": values.subtract,
    "*": values.mul,
    "/": values.div,
    "\\": values.int_div,
    "#": values.modulo,
    "**": values.power,
    "_": lambda a, b: values.to_str(a) + values.to_str(b),
}


def apply_binary(op: str, left, right):
    """Apply one binary operator (no short-circuit ones)."""
    if op in _ARITH_OPS:
        return _ARITH_OPS[op](left, right)
    negated = op.startswith("'")
    base = op[1:] if negated else op
    if base in _COMPARE_OPS:
        result = _COMPARE_OPS[base](left, right)
    elif base == "<=":
        result = not values.greater(left, right)
    elif base == ">=":
        result = not values.less(left, right)
    elif base in ("&", "&&"):
        result = values.to_bool(left) and values.to_bool(right)
    elif base in ("!", "||"):
        result = values.to_bool(left) or values.to_bool(right)
    else:
        raise IrisError("SYNTAX")
    return int(result != negated)


def format_subscripts(subs) -> str:
    """``(1,"a")`` as IRIS shows subscripts in error details and ZWRITE."""
    if not subs:
        return ""
    return "(" + ",".join(quote(s) for s in subs) + ")"


def quote(value) -> str:
    """A value as an ObjectScript literal: canonical numbers bare, strings quoted, lists as ``$lb(..)``."""
    if values.is_number(value):
        return values.to_str(value)
    text = values.to_str(value)
    if text and any(ord(c) < 32 for c in text) and values.is_list(text):
        items = values.list_elements(text)
        return "$lb(" + ",".join("" if item is None else quote(item) for item in items) + ")"
    if values.is_canonical_number(text):
        return text
    if any(ord(c) < 32 for c in text):
        parts = []
        run = ""
        for char in text:
            if ord(char) < 32:
                if run:
                    parts.append('"' + run.replace('"', '""') + '"')
                    run = ""
                parts.append(f"$c({ord(char)})")
            else:
                run += char
        if run:
            parts.append('"' + run.replace('"', '""') + '"')
        return "_".join(parts)
    return '"' + text.replace('"', '""') + '"'


class LocalRef:
    """A local variable reference ``name(subs)``."""

    def __init__(self, proc: "Process", name: str, subs: tuple):
        self.proc, self.name, self.subs = proc, name, subs

    def table(self):
        """The variables this reference names: the process's current ones (a method's frame, or the public table)."""
        return self.proc.locals

    def node(self, create: bool):
        """The variable's root node."""
        node = self.table().get(self.name)
        if node is None and create:
            node = values.Node()
            self.table()[self.name] = node
        return node

    def get(self):
        """Value or None."""
        node = self.node(False)
        return None if node is None else node.get(self.subs)

    def set(self, value):
        """Assign."""
        self.node(True).set(self.subs, value)

    def kill(self):
        """Kill."""
        if not self.subs:
            self.table().pop(self.name, None)
            return
        node = self.node(False)
        if node is not None:
            node.kill(self.subs)

    def data(self) -> int:
        """$Data."""
        node = self.node(False)
        return 0 if node is None else node.data(self.subs)

    def order(self, direction: int):
        """$Order."""
        node = self.node(False)
        if not self.subs:
            raise IrisError("SUBSCRIPT")  # [inf] $ORDER of an unsubscripted local
        return "" if node is None else node.order(self.subs, direction)

    def text(self) -> str:
        """``x(1,"a")``."""
        return self.name + format_subscripts(self.subs)


class PublicRef(LocalRef):
    """A local named through name indirection (``@"name"``): inside a procedure it refers to the public variable, not
    to the procedure's private one (iris-sources.md GCOSXEC: name indirection runs outside the procedure's scope)."""

    def table(self):
        return getattr(self.proc.locals, "public", self.proc.locals)


class GlobalRef(LocalRef):
    """A global reference ``^name(subs)`` through ``instance.global_store(namespace)`` (Contract 3)."""

    def store(self):
        """The namespace's global store (``<PROTECT>`` when the instance has none) [inf]."""
        return self.proc.global_store()

    def get(self):
        return self.store().get(self.name, self.subs)

    def set(self, value):
        self.store().set(self.name, self.subs, values.normalise(value))

    def kill(self):
        self.store().kill(self.name, self.subs)

    def data(self) -> int:
        return int(self.store().data(self.name, self.subs))

    def order(self, direction: int):
        if not self.subs:
            raise IrisError("SUBSCRIPT")
        return self.store().order(self.name, self.subs, direction)

    def text(self) -> str:
        return "^" + self.name + format_subscripts(self.subs)


class Process:
    """One ObjectScript process (``proc`` in Contract 1): locals, namespace, output device."""

    def __init__(self, instance=None, namespace: str = "USER", out=None):
        self.instance = instance
        self.namespace = namespace
        self.locals: dict[str, values.Node] = {}
        self._out = out
        self.x = 0
        self.y = 0
        self.test = 0
        self.zerror = ""
        self.do_call = False  # True while DO runs the last method of its chain (see _segment)
        self.job = os.getpid()
        self.started = time.monotonic()
        # The current device ($IO).  Program output (WRITE, %ToJSON ...) goes to it; only the principal device
        # reaches the session's output.  ^SystemPerformance's run/waittime switch it (audit C14, models/sysperf.py).
        self.device = PRINCIPAL
        self.open_devices: set[str] = set()  # devices OPENed and not yet CLOSEd (only NULL_DEVICE is modelled)
        # The class and object of the running UDL method (iris_sim/classdefs.py), None in direct mode.
        self.class_context = None

    # -- device -----------------------------------------------------------------------------
    def write(self, text) -> None:
        """Write to the current device (``$IO``); only the principal device's output is seen."""
        if self.device != PRINCIPAL:
            return  # another device is current (audit C14): the text does not reach the terminal
        self.write_principal(text)

    def write_principal(self, text) -> None:
        """Write to the principal device and track ``$X``/``$Y``."""
        text = values.to_str(text)
        if not text:
            return
        if self._out is not None:
            shown = values.from_units(text)  # surrogate pairs leave as their character (values.py: 16-bit elements)
            if callable(self._out):
                self._out(shown)
            else:
                self._out.write(shown)
        last = max(text.rfind("\n"), text.rfind("\r"), text.rfind(FORM_FEED))
        self.y += text.count("\n")
        self.x = len(text) - last - 1 if last >= 0 else self.x + len(text)

    def newline(self) -> None:
        """``write !``."""
        self.write(NEWLINE)
        self.x = 0

    # -- namespace and globals ----------------------------------------------------------------
    def set_namespace(self, namespace) -> None:
        """``set $namespace=`` / ``znspace``: unknown → ``<NAMESPACE>`` [inf]."""
        name = values.to_str(namespace)
        if not name or not namespace_exists(self.instance, name):
            raise IrisError("NAMESPACE", name)
        self.namespace = name.upper()

    def global_store(self):
        """The global store of the current namespace (Contract 3)."""
        if not hasattr(self.instance, "global_store"):
            raise IrisError("PROTECT", "no global storage")  # [inf] no database behind this process
        return self.instance.global_store(self.namespace)

    # -- entry points ---------------------------------------------------------------------------
    def execute(self, line: str) -> None:
        """Parse and run one direct-mode line.  Raises IrisError, ThrowSignal or SessionEnd."""
        root = parse_line(line)
        try:
            self.run_block(root.children)
        except QuitSignal as signal:
            if signal.value is not None:
                raise IrisError("COMMAND") from None  # [inf] QUIT with a value in direct mode

    def run_block(self, nodes) -> None:
        """Run the statements among ``nodes``."""
        for node in nodes:
            if node.type == "statement":
                self.run_statement(node)

    def run_statement(self, statement: PNode) -> None:
        """Run the command(s) of one statement."""
        for command in statement.named_children:
            handler = _COMMANDS.get(command.type)
            if handler is None:
                if "comment" in command.type:
                    continue
                # Named, so that a reader (and the probe kit) tells "not modelled" from a real <COMMAND>.
                raise IrisError("COMMAND", "simulator: the %s command is not modelled" % command.type.replace("command_", "").upper())
            if not self._postcondition(command):
                continue
            handler(self, command)

    def _postcondition(self, node: PNode) -> bool:
        cond = node.child("post_conditional")
        if cond is None:
            return True
        return values.to_bool(self.eval(cond.child("expression")))

    # =========================================================================================
    # commands
    # =========================================================================================
    def cmd_set(self, node: PNode) -> None:
        """``set target=expr,...``."""
        for arg in node.children_of("set_argument"):
            value = self.eval(arg.child("expression"))
            target_list = arg.child("set_target_list")
            targets = target_list.children_of("set_target") if target_list else [arg.child("set_target")]
            for target in targets:
                self.assign(target.named_children[0], value)

    def assign(self, target: PNode, value) -> None:
        """Store ``value`` into a set target (variable, property, $PIECE, $EXTRACT, $LIST, $NAMESPACE)."""
        kind = target.type
        if kind in ("lvn", "gvn"):
            self.reference(target).set(value)
        elif kind == "oref_chain_expr":
            base, last = self.chain_until_last(target)
            if last.type != "oref_property":
                raise IrisError("SYNTAX")
            objects.set_property(self, base, self.property_name(last), value)
        elif kind == "system_defined_function":
            self.assign_function(target, value)
        elif kind == "system_defined_variable":
            self.assign_variable(target, value)
        elif kind == "relative_dot_property":
            self.current_class_context(target).set_relative(self, target, value)
        else:
            raise IrisError("SYNTAX")

    def assign_function(self, target: PNode, value) -> None:
        """``set $piece(x,d,n)=v`` / ``set $extract(x,f,t)=v`` / ``set $list(x,n)=v``."""
        name = canonical_function(target)
        args = self.function_arg_nodes(target)
        if name == "property" and len(args) == 2 and None not in args:
            # SET $PROPERTY(oref,name)=value sets the property [doc RCOS_fproperty].
            objects.set_property(self, self.eval(args[0]), values.to_str(self.eval(args[1])), value)
            return
        if name not in ("piece", "extract", "list") or not args or args[0] is None:
            raise IrisError("SYNTAX")
        ref = self.reference(self.unwrap(args[0]))
        current = ref.get()
        current = "" if current is None else current
        extra = [None if a is None else self.eval(a) for a in args[1:]]
        ref.set(set_function(name, current, extra, value))

    def assign_variable(self, target: PNode, value) -> None:
        """``set $namespace=..`` (and ``$znspace``), ``$x``/``$y``."""
        name = canonical_variable(target.text)
        if name == "namespace":
            self.set_namespace(value)
        elif name == "x":
            self.x = values.to_int(value)
        elif name == "y":
            self.y = values.to_int(value)
        else:
            raise IrisError("SYNTAX")

    def cmd_write(self, node: PNode) -> None:
        """``write`` arguments: ``!``, ``#``, ``?n``, ``*n``, expressions; argless lists locals."""
        args = node.children_of("write_argument")
        if not args:
            self.zwrite_all()
            return
        for arg in args:
            inner = arg.named_children[0]
            if inner.type == "write_device_control":
                self.write_control(inner.named_children[0])
            else:
                self.write(self.eval(inner))

    def write_control(self, control: PNode) -> None:
        """``!``, ``#``, ``?n``, ``*n``."""
        if control.type == "write_device_fflf":
            for char in control.text:
                if char == "!":
                    self.newline()
                elif char == "#":
                    self.write(FORM_FEED)
                    self.x = 0
        elif control.type == "write_device_tab":
            column = values.to_int(self.eval(control.child("expression")))
            if column > self.x:
                self.write(" " * (column - self.x))
        elif control.type == "write_device_char":
            code = values.to_int(self.eval(control.child("expression")))
            if code >= 0:
                self.write(chr(code))
        else:
            raise IrisError("SYNTAX")

    def cmd_zwrite(self, node: PNode) -> None:
        """``zwrite [var,...]``."""
        exprs = node.children_of("expression")
        if not exprs:
            self.zwrite_all()
            return
        for expr in exprs:
            inner = self.unwrap(expr)
            if inner.type not in ("lvn", "gvn"):
                raise IrisError("SYNTAX")
            ref = self.reference(inner)
            if isinstance(ref, GlobalRef):
                raise IrisError("COMMAND")  # [inf] ZWRITE of globals is not modelled
            root = self.locals.get(ref.name)
            if root is None:
                continue
            self.zwrite_node(ref.name, list(ref.subs), root.walk(ref.subs, False))

    def zwrite_all(self) -> None:
        """All locals, sorted by name, as ``name(subs)=value`` lines."""
        for name in sorted(self.locals):
            self.zwrite_node(name, [], self.locals[name])

    def zwrite_node(self, name: str, subs: list, node) -> None:
        """One variable subtree."""
        if node is None:
            return
        if node.value is not None:
            self.write(f"{name}{format_subscripts(subs)}={self.zwrite_value(node.value)}")
            self.newline()
        for key in node.keys:
            sub = values.key_value(key)
            self.zwrite_node(name, subs + [sub], node.children[sub])

    @staticmethod
    def zwrite_value(value) -> str:
        """A value as ZWRITE shows it [inf for objects]."""
        if isinstance(value, SimObject):
            if value.cls.name in (builtins_lang.DynamicObject.name, builtins_lang.DynamicArray.name):
                kind = "OBJECT" if value.cls.name == builtins_lang.DynamicObject.name else "ARRAY"
                return f"{builtins_lang.to_json(value)}  ; <DYNAMIC {kind}>"
            return f"<OBJECT REFERENCE>[{value}]"
        return quote(value)

    def cmd_do(self, node: PNode) -> None:
        """``do`` with class methods, instance methods, ``label^routine(args)`` and ``$SYSTEM``."""
        params = node.children_of("do_parameter")
        if not params:
            raise IrisError("COMMAND")  # argumentless DO with dot blocks is not modelled
        for param in params:
            if not self._postcondition(param):
                continue
            self.do_parameter(param)

    def do_parameter(self, param: PNode) -> None:
        """One DO argument."""
        parts = [c for c in param.children if c.named and c.type != "post_conditional"]
        if len(parts) == 1 and parts[0].type == "routine_tag_call":
            self.call_routine(parts[0], extrinsic=False)
            return
        self._run_chain(self._chain_parts(parts), as_do=True)

    def cmd_if(self, node: PNode) -> None:
        """Block ``if {} elseif {} else {}`` or legacy ``if cond cmd...`` (sets ``$TEST``)."""
        legacy = node.child("keyword_old_if") is not None
        conds = [c for c in node.children if c.type == "expression"]
        if legacy and not conds:
            if self.test:
                self.run_block(node.children)
            return
        truth = all(values.to_bool(self.eval(c)) for c in conds) if legacy else self._all_true(conds)
        if legacy:
            self.test = 1 if truth else 0
            if truth:
                self.run_block(node.children)
            return
        if truth:
            self.run_block(node.children)
            return
        for branch in node.children:
            if branch.type == "elseif_block":
                if self._all_true(branch.children_of("expression")):
                    self.run_block(branch.children)
                    return
            elif branch.type == "else_block":
                self.run_block(branch.children)
                return

    def _all_true(self, conds) -> bool:
        # Comma-separated conditions: each evaluated left to right, stopping at the first false.
        for cond in conds:
            if not values.to_bool(self.eval(cond)):
                return False
        return True

    def cmd_else(self, node: PNode) -> None:
        """Legacy ``else cmd...``: runs when ``$TEST`` is 0."""
        if not self.test:
            self.run_block(node.children)

    def cmd_for(self, node: PNode) -> None:
        """``for {..}``, ``for i=a:b:c {..}``, ``for i=1,2,3 cmd``; ``quit`` ends the loop."""
        param = node.child("for_parameter")
        try:
            if param is None:
                while True:
                    self.run_block(node.children)
                return
            ref = self.reference(param.child("lvn"))
            for arg in param.children_of("for_parameter_arg"):
                self._for_arg(ref, arg, node)
        except QuitSignal as signal:
            if signal.value is not None:
                raise

    def _for_arg(self, ref: LocalRef, arg: PNode, node: PNode) -> None:
        exprs = arg.children_of("expression")
        start = self.eval(exprs[0])
        if len(exprs) == 1:
            ref.set(start)
            self.run_block(node.children)
            return
        step = values.to_num(self.eval(exprs[1]))
        end = values.to_num(self.eval(exprs[2])) if len(exprs) > 2 else None
        current = values.to_num(start)
        while end is None or (current <= end if step >= 0 else current >= end):
            ref.set(current)
            self.run_block(node.children)
            value = ref.get()
            if value is None:
                raise IrisError("UNDEFINED", ref.text())
            current = values.add(value, step)

    def cmd_while(self, node: PNode) -> None:
        """``while cond {..}``."""
        cond = node.child("expression")
        try:
            while values.to_bool(self.eval(cond)):
                self.run_block(node.children)
        except QuitSignal as signal:
            if signal.value is not None:
                raise

    def cmd_dowhile(self, node: PNode) -> None:
        """``do {..} while cond``."""
        cond = node.child("expression")
        try:
            while True:
                self.run_block(node.children)
                if not values.to_bool(self.eval(cond)):
                    break
        except QuitSignal as signal:
            if signal.value is not None:
                raise

    def cmd_quit(self, node: PNode) -> None:
        """``quit [expr]``."""
        expr = node.child("expression")
        raise QuitSignal(None if expr is None else self.eval(expr))

    def cmd_halt_or_hang(self, node: PNode) -> None:
        """``halt`` ends the session; ``hang n`` sleeps (briefly: ``MAX_HANG``)."""
        expr = node.child("expression")
        if node.child("keyword_halt") is not None or expr is None:
            raise SessionEnd(0)  # "h" without an argument is HALT
        seconds = values.to_num(self.eval(expr))
        if seconds > 0:
            time.sleep(min(float(seconds), MAX_HANG))

    def cmd_lock(self, node: PNode) -> None:
        """``lock +^g(subs):timeout`` / ``lock -^g(subs)`` / argumentless ``lock`` (iris_sim/locks.py cites the docs).

        ``$TEST``: 1/0 after a lock with a timeout (RCOS_clock_timeout); untouched otherwise [inf].  Other forms
        (lock types, parenthesised lists, no +/-, local names, any namespace but %SYS) raise ``<COMMAND>`` "not modelled"."""
        table = self.lock_table()
        arguments = node.children_of("command_lock_argument")
        if not arguments:
            table.release_all()  # argumentless LOCK releases every lock of the process (RCOS_clock)
            return
        for argument in arguments:
            signs = [child.type for child in argument.children if child.type in ("+", "-")]
            targets = argument.children_of("lock_arg")
            if len(targets) != 1 or argument.child("(") is not None:
                locks.not_modelled("LOCK of several names in parentheses")
            if not signs:
                locks.not_modelled("LOCK without + or - (release all, then lock)")
            target = targets[0]
            if target.child("locktype") is not None:
                locks.not_modelled("LOCK with a lock type (#\"S\", #\"E\", #\"I\", #\"D\")")
            variable = target.child("gvn")
            if variable is None:
                locks.not_modelled("LOCK of a local (non-^) lock name")
            if self.namespace.upper() != "%SYS":
                # IRIS keys a global lock by the database the global maps to (iris-sources.md LOCK: ALOCK) [inf]; the
                # model has no mapping for locks, and the collection locks only in %SYS (iris_task's create).
                locks.not_modelled("LOCK outside %SYS (lock names by mapped database)")
            name = self.namespace.upper() + "|" + self.reference(variable).text()
            timeout_node = argument.child("timeout")
            if signs[0] == "-":
                if timeout_node is not None:
                    locks.not_modelled("LOCK - with a timeout")
                table.release(name)
                continue
            if timeout_node is None:
                # Sourced (it waits indefinitely), but a simulator process must never hang, and its effect on
                # $TEST is not in the sources we have: not modelled.
                locks.not_modelled("LOCK + without a timeout")
            timeout = max(0.0, float(values.to_num(self.eval(timeout_node.child("expression")))))
            held = table.acquire(name, timeout)
            self.test = 1 if held else 0  # RCOS_clock_timeout

    def lock_table(self):
        """This process's locks in the instance's shared lock table (iris_sim/locks.py)."""
        table = getattr(self, "_lock_table", None)
        if table is None:
            mgr_dir = getattr(self.instance, "mgr_dir", None)
            if not mgr_dir:
                locks.not_modelled("LOCK in a process without an instance")
            table = self._lock_table = locks.LockTable(mgr_dir)
        return table

    def release_locks(self) -> None:
        """The process ends: the system releases every lock it owns (ALOCK; iris_sim/locks.py)."""
        table = getattr(self, "_lock_table", None)
        if table is not None:
            table.release_all()

    def cmd_kill(self, node: PNode) -> None:
        """``kill [vars]``; ``kill (a,b)`` keeps only a and b."""
        exclusive = node.child("kill_target_list")
        targets = node.children_of("kill_target")
        if exclusive is None and len(targets) == 1 and targets[0].children[0].type == "(":
            exclusive = targets[0]  # "kill (a)" parses as a parenthesised single target
        if exclusive is not None:
            keep = {self.identifier(self.unwrap(t.named_children[0])) for t in exclusive.named_children}
            for name in [n for n in self.locals if n not in keep]:
                del self.locals[name]
            return
        if not targets:
            self.locals.clear()
            return
        for target in targets:
            self.reference(target.named_children[0]).kill()

    def cmd_new(self, node: PNode) -> None:
        """``new [vars]``: in direct mode there is no frame to restore, so it kills them [inf]."""
        items = [arg.named_children[0].named_children[0] for arg in node.children_of("command_new_argument")]
        if not items:
            self.locals.clear()
            return
        for item in items:
            if item.type == "lvn":
                self.locals.pop(self.identifier(item), None)
            elif item.type != "system_defined_variable" or canonical_variable(item.text) != "namespace":
                raise IrisError("SYNTAX")
            elif hasattr(self.locals, "public"):
                # In a method (a classdefs.Frame): the namespace comes back when the method ends or fails
                # (iris-sources.md RCOSNS); classdefs.run_method restores it.  In direct mode there is no frame [inf].
                self.locals.__dict__.setdefault("new_namespace", self.namespace)

    def cmd_trycatch(self, node: PNode) -> None:
        """``try {..} catch [ex] {..}``: runtime errors arrive as %Exception.SystemException.

        [inf] an argumentless QUIT inside the TRY block leaves the TRY block (not an enclosing loop).
        """
        catch = node.child("catch_block")
        try:
            self.run_block(node.children)
        except QuitSignal as signal:
            if signal.value is not None:
                raise
        except IrisError as error:
            self.zerror = str(error)
            self._catch(catch, builtins_lang.system_exception(error))
        except ThrowSignal as thrown:
            self._catch(catch, thrown.exception_object)

    def _catch(self, catch: PNode | None, exception: SimObject) -> None:
        if catch is None:
            return
        var = catch.child("lvn")
        if var is not None:
            self.reference(var).set(exception)
        self.run_block(catch.children)

    def cmd_throw(self, node: PNode) -> None:
        """``throw oref``: the object must be an exception [inf: otherwise <THROW>]."""
        expr = node.child("expression")
        if expr is None:
            raise IrisError("COMMAND")
        value = self.eval(expr)
        if not builtins_lang.is_exception(value):
            raise IrisError("THROW", values.to_str(value))
        raise ThrowSignal(value)

    def cmd_use(self, node: PNode) -> None:
        """``use device``: makes an open device current [doc RCOS_cuse].

        Modelled: the principal device and the device that is current now (e.g. ``set io=$IO ... use io``, the
        pattern of audit C14).  Device parameters and other devices are not modelled: <COMMAND>.
        """
        for arg in node.children_of("use_argument"):
            if arg.child("device_params") is not None:
                raise IrisError("COMMAND")  # USE with device parameters is not modelled
            device = values.to_str(self.eval(arg.child("device").child("expression")))
            if device not in (PRINCIPAL, self.device) and device not in self.open_devices:
                raise IrisError("COMMAND")  # [inf] <NOTOPEN> on IRIS; devices other than these are not modelled
            self.device = device

    def _device_argument(self, arg: PNode, command: str) -> str:
        """The device of one OPEN/CLOSE argument: only the null device, without parameters or timeout."""
        device = values.to_str(self.eval(arg.child("device").child("expression")))
        extra = [c for c in arg.named_children if c.type != "device"]
        if device != NULL_DEVICE or extra:
            raise IrisError("COMMAND", f"simulator: {command} of {device!r}{' with parameters' if extra else ''} is "
                                       f"not modelled (only {command} {NULL_DEVICE!r}, iris-sources.md GIODDEV)")
        return device

    def cmd_open(self, node: PNode) -> None:
        """``open "/dev/null"``: the null device becomes available to ``use`` (iris-sources.md GIODDEV)."""
        for arg in node.children_of("open_argument"):
            self.open_devices.add(self._device_argument(arg, "OPEN"))

    def cmd_close(self, node: PNode) -> None:
        """``close "/dev/null"``: releases the device (iris-sources.md GIODDEV).  Closing a device that is not open,
        or the current device, is not modelled (what $IO becomes is not in the sources)."""
        for arg in node.children_of("close_argument"):
            device = self._device_argument(arg, "CLOSE")
            if device not in self.open_devices or device == self.device:
                raise IrisError("COMMAND", f"simulator: CLOSE of a device that is {'current' if device == self.device else 'not open'} "
                                           "is not modelled")
            self.open_devices.discard(device)

    def cmd_trollback(self, node: PNode) -> None:  # pylint: disable=unused-argument
        """``trollback``: TSTART is not modelled, so $TLEVEL is always 0 and ``trollback:$TLEVEL`` never runs; a
        TROLLBACK that does run is refused (what it does with no transaction is not in the sources read)."""
        raise IrisError("COMMAND", "simulator: TROLLBACK is not modelled (TSTART is not, so $TLEVEL is always 0)")

    def cmd_zn(self, node: PNode) -> None:
        """``znspace "NS"``."""
        self.set_namespace(self.eval(node.child("expression")))

    def cmd_xecute(self, node: PNode) -> None:
        """``xecute "code"``: runs the string as a line.  Inside a UDL method (a procedure-block frame,
        iris_sim/classdefs.py) the code sees the public variables only, not the method's private ones [inf]."""
        for arg in node.children_of("xecute_argument"):
            code = values.to_str(self.eval(arg.child("expression")))
            frame = self.locals
            self.locals = getattr(frame, "public", frame)
            try:
                self.run_block(parse_line(code).children)
            except QuitSignal:
                pass
            finally:
                self.locals = frame

    # =========================================================================================
    # expressions
    # =========================================================================================
    def eval(self, node: PNode):
        """Evaluate an expression node to an ObjectScript value."""
        handler = _EVAL.get(node.type)
        if handler is None:  # the grammar knows the form, the model does not
            raise IrisError("SYNTAX", f"simulator: the expression {node.text[:40]} ({node.type}) is not modelled")
        return handler(self, node)

    def eval_expression(self, node: PNode):
        """An ``expression``: operand (op operand)*, strictly left to right."""
        children = node.children
        value, index = self._operand(children, 0)
        while index < len(children):
            child = children[index]
            if child.type == "binary_operator":
                value, index = self._binary(children, index, value)
            elif child.type == "pattern_operator":
                pattern = child.child("pattern_expression")
                negated = child.children[0].type == "'?"
                if pattern is None or pattern.text.startswith("@"):
                    raise IrisError("SYNTAX")
                value = int(values.pattern_match(value, pattern.text) != negated)
                index += 1
            elif not child.named:
                index += 1
            else:
                raise IrisError("SYNTAX")
        return value

    def _binary(self, children, index, left):
        op = children[index].text.replace(" ", "")
        if op in ("&&", "||"):
            truth = values.to_bool(left)
            if (op == "&&" and not truth) or (op == "||" and truth):
                nxt = self._operand(children, index + 1, evaluate=False)[1]
                return int(truth), nxt
        right, nxt = self._operand(children, index + 1)
        return apply_binary(op, left, right), nxt

    def _operand(self, children, index, evaluate: bool = True):
        """(value, next index) of the operand starting at ``children[index]``."""
        child = children[index]
        if child.type == "(":
            inner = children[index + 1]
            return (self.eval(inner) if evaluate else None), index + 3
        if not evaluate:
            return None, index + 1
        return self.eval(child), index + 1

    def eval_numeric(self, node: PNode):
        """A number literal in canonical form (``1.0`` → 1, ``.50`` → .5)."""
        return values.str_to_num(node.text)

    def eval_string(self, node: PNode):
        """A string literal (``""`` inside is one quote); a character above U+FFFF becomes its surrogate pair."""
        return values.to_units(node.text[1:-1].replace('""', '"'))

    def eval_unary(self, node: PNode):
        """``'x``, ``-x``, ``+x``."""
        op = node.children[0].text
        operand = self.eval(node.named_children[-1])
        if op == "'":
            return 0 if values.to_bool(operand) else 1
        if op == "-":
            return values.negate(operand)
        if op == "+":
            return values.to_num(operand)
        raise IrisError("SYNTAX")

    def eval_variable(self, node: PNode):
        """A local or global read; undefined → ``<UNDEFINED> *x(subs)``."""
        ref = self.reference(node)
        value = ref.get()
        if value is None:
            raise IrisError("UNDEFINED", ref.text())
        return value

    def eval_special_variable(self, node: PNode):
        """``$HOROLOG``, ``$ZVERSION``, ``$JOB``, ``$NAMESPACE``..."""
        name = canonical_variable(node.text)
        handler = SPECIAL_VARIABLES.get(name)
        if handler is None:
            raise IrisError("SYNTAX")  # [inf] an unknown $variable does not compile
        return handler(self)

    def eval_function(self, node: PNode):
        """``$FUNCTION(args)`` or ``$SYSTEM.Class.Method(args)``."""
        class_part = node.child("class_name")
        if class_part is not None:
            segments = node.children_of("oref_chain_segment")
            if segments and node.child("method_args") is None and all(s.child("oref_method") for s in segments):
                # $SYSTEM.SQL.Schema.M(): the grammar reads Schema as the method and .M() as a chain segment
                parts = [class_part.text, node.child("method_name").text]
                parts += [s.child("oref_method").child("method_name").text for s in segments[:-1]]
                last = segments[-1].child("oref_method")
                cls = objects.find_system_class(".".join(parts))
                return self.call_value(objects.call_class_method(self, cls, last.child("method_name").text,
                                                                 self.arguments(last.child("method_args"))))
            cls = objects.find_system_class(class_part.text)
            mname = node.child("method_name").text
            return self.call_value(objects.call_class_method(self, cls, mname, self.arguments(node.child("method_args"))))
        name = canonical_function(node)
        if name in REF_FUNCTIONS:
            return REF_FUNCTIONS[name](self, node)
        handler = FUNCTIONS.get(name)
        if handler is None:
            raise IrisError("FUNCTION")
        return handler(self, [None if a is None else self.eval(a) for a in self.function_arg_nodes(node)])

    def eval_extrinsic(self, node: PNode):
        """``$$label^routine(args)``."""
        return self.call_routine(node, extrinsic=True)

    def eval_class_method_call(self, node: PNode):
        """``##class(Cls).Method(args)``."""
        cls = node.child("class_ref").child("class_name").text
        mname = node.child("method_name").text
        return self.call_value(objects.call_class_method(self, cls, mname, self.arguments(node.child("method_args"))))

    def eval_oref_chain(self, node: PNode):
        """``a.b.c()``, ``##class(X).Y().Z``..."""
        return self.eval_chain(node.named_children)

    def eval_json_object(self, node: PNode):
        """``{"key":value,...}`` → %DynamicObject."""
        obj = builtins_lang.new_dynamic_object()
        for pair in node.children_of("json_object_literal_pair"):
            key = self.eval_json_string(pair.children[0])
            value, type_name = self.json_value(pair.children[2:])
            builtins_lang.dynamic_set(obj, key, value, type_name)
        return obj

    def eval_json_array(self, node: PNode):
        """``[v1,v2,...]`` → %DynamicArray."""
        array = builtins_lang.new_dynamic_array()
        items: list[list] = [[]]
        for child in node.children[1:-1]:
            if child.type == ",":
                items.append([])
            else:
                items[-1].append(child)
        for item in items:
            if item:
                value, type_name = self.json_value(item)
                builtins_lang.DynamicArray.find_method("%Push")(array, self, value, type_name)
        return array

    def json_value(self, nodes):
        """(value, type) of a JSON literal element (``(expr)`` embeds ObjectScript)."""
        named = [n for n in nodes if n.named]
        node = named[0]
        if nodes[0].type == "(":
            return self.eval(node), None
        if node.type == "json_boolean_literal":
            return (1 if node.text == "true" else 0), "boolean"
        if node.type == "json_null_literal":
            return "", "null"
        if node.type == "json_string_literal":
            return self.eval_json_string(node), "string"
        if node.type == "numeric_literal":
            return values.str_to_num(node.text), "number"
        return self.eval(node), None

    def eval_json_string(self, node: PNode) -> str:
        """A JSON string literal (JSON escapes)."""
        import json  # pylint: disable=import-outside-toplevel

        try:
            return values.to_units(json.loads(node.text))  # \ud83d\ude00 and a raw 4-byte character alike: a pair
        except ValueError as exc:
            raise IrisError("SYNTAX") from exc

    def eval_macro(self, node: PNode):
        """``$$$MACRO``: not expanded in direct mode (iris-sources.md LESSONS §2.3) → <SYNTAX>."""
        raise IrisError("SYNTAX", node.text)

    def eval_relative(self, node: PNode):
        """``..Method()``, ``..Prop``, ``..#PARAM``: resolved by the running UDL method's class
        (iris_sim/classdefs.py); direct mode has no current object [inf]."""
        return self.current_class_context(node).eval_relative(self, node)

    def current_class_context(self, node: PNode):
        """The running method's class context; none (direct mode) → ``<NO CURRENT OBJECT>`` [inf]."""
        if self.class_context is None:
            raise IrisError("NO CURRENT OBJECT", node.text)
        return self.class_context

    # =========================================================================================
    # helpers: references, arguments, calls
    # =========================================================================================
    @staticmethod
    def unwrap(node: PNode) -> PNode:
        """Strip ``method_arg``/``expression`` wrappers around a single operand."""
        while node.type in ("method_arg", "expression") and len(node.named_children) == 1 \
                and node.children[0].type != "(":
            node = node.named_children[0]
        return node

    @staticmethod
    def identifier(node: PNode) -> str:
        """Name of an lvn/gvn."""
        for child in node.named_children:
            if child.type in ("objectscript_identifier", "identifier", "objectscript_identifier_special"):
                return child.text
        raise IrisError("SYNTAX")

    def variable_node(self, node: PNode) -> PNode:
        """The lvn/gvn inside ``node``; anything else → <SYNTAX>."""
        node = self.unwrap(node)
        if node.type not in ("lvn", "gvn"):
            raise IrisError("SYNTAX")
        if node.type == "gvn" and (node.child("identifier") is None or node.text[1:2] in ("|", "[")):
            raise IrisError("SYNTAX", f"simulator: the reference {node.text[:40]} is not modelled (naked, extended and ^$ names)")
        return node

    def reference(self, node: PNode) -> LocalRef:
        """A LocalRef/GlobalRef for an lvn/gvn node (subscripts evaluated now); a PublicRef for ``@"name"``."""
        if self.unwrap(node).type == "indirection":
            return self.indirect_reference(self.unwrap(node))
        node = self.variable_node(node)
        args = node.child("method_args")
        subs = tuple(self.arguments(args)) if args is not None else ()
        if any(s is None or isinstance(s, ByRef) for s in subs):
            raise IrisError("SYNTAX")
        subs = tuple(values.subscript(s) for s in subs)
        if any(s == "" for s in subs):
            raise IrisError("SUBSCRIPT", self.identifier(node) + format_subscripts(subs))
        name = self.identifier(node)
        return GlobalRef(self, name, subs) if node.type == "gvn" else LocalRef(self, name, subs)

    def indirect_reference(self, node: PNode) -> LocalRef:
        """Name indirection ``@expr`` naming an unsubscripted local: the public variable (iris-sources.md GCOSXEC).
        Subscripts, globals and other indirection forms are not modelled."""
        name = values.to_str(self.eval(node.child("expression")))
        if not _LOCAL_NAME.fullmatch(name):
            raise IrisError("COMMAND", f"simulator: name indirection of {name[:40]!r} is not modelled (only a plain "
                                       "local variable name)")
        return PublicRef(self, name, ())

    def eval_indirection(self, node: PNode):
        """``@"name"`` as a value: the public variable; undefined → ``<UNDEFINED>``."""
        ref = self.indirect_reference(node)
        value = ref.get()
        if value is None:
            raise IrisError("UNDEFINED", ref.text())
        return value

    def reference_for_order(self, node: PNode) -> LocalRef:
        """Like ``reference`` but a trailing ``""`` subscript is allowed ($ORDER)."""
        node = self.variable_node(node)
        args = node.child("method_args")
        subs = tuple(values.subscript(s) for s in self.arguments(args)) if args is not None else ()
        name = self.identifier(node)
        return GlobalRef(self, name, subs) if node.type == "gvn" else LocalRef(self, name, subs)

    def arguments(self, args_node: PNode | None) -> list:
        """Evaluated actual arguments; empty ones are None, trailing empty ones dropped; ``.x`` → ByRef."""
        if args_node is None:
            return []
        slots: list = [None]
        seen = False
        for child in args_node.children:
            if child.type == ",":
                slots.append(None)
            elif child.type == "method_arg":
                seen = True
                if child.named_children and child.named_children[0].type == "variadic_arg":
                    slots[-1:] = self.variadic_arguments(child.named_children[0])
                else:
                    slots[-1] = self.argument(child)
        if not seen:
            return []
        while slots and slots[-1] is None:
            slots.pop()
        return slots

    def variadic_arguments(self, node: PNode) -> list:
        """``args...``: pass ``args(1)``..``args(args)`` as separate arguments; undefined ones are
        omitted arguments [doc GCOS 'Variable Number of Arguments': the array's top node holds the
        count, its subscripts 1..n the values]."""
        var = node.child("lvn")
        if var is None or var.child("method_args") is not None:
            raise IrisError("SYNTAX")
        name = self.identifier(var)
        top = self.locals.get(name)
        if top is None or top.value is None:
            raise IrisError("UNDEFINED", name)
        count = int(values.to_num(top.value))
        return [top.get((index,)) for index in range(1, count + 1)]

    def argument(self, arg: PNode):
        """One actual argument."""
        inner = arg.named_children[0]
        if inner.type == "byref_arg":
            var = inner.child("lvn")
            if var is None or var.child("method_args") is not None:
                raise IrisError("SYNTAX")
            name = self.identifier(var)
            node = self.locals.get(name)
            if node is None:
                node = values.Node()
                self.locals[name] = node
            return ByRef(node, name)
        return self.eval(inner)

    def function_arg_nodes(self, node: PNode) -> list:
        """Argument expression nodes of a $function (None for empty ones)."""
        slots: list = [None]
        for child in node.children:
            if child.type == ",":
                slots.append(None)
            elif child.type in ("method_arg", "expression"):
                slots[-1] = child.named_children[0] if child.type == "method_arg" else child
            elif child.type == "dollar_func_pos":
                raise IrisError("SYNTAX")  # [inf] the $E(s,*-n) form is not modelled
        if slots == [None]:
            return []
        return slots

    @staticmethod
    def call_value(result):
        """Normalise a Python method's return value (None → "")."""
        return values.normalise(result)

    def call_routine(self, node: PNode, extrinsic: bool):
        """``label^routine(args)`` or ``$$label^routine(args)``."""
        line_ref = node.child("line_ref")
        routine_ref = line_ref.child("routine_ref") if line_ref is not None else node.child("routine_ref")
        label_node = (line_ref if line_ref is not None else node).child("method_name")
        label = label_node.text if label_node is not None else ""
        args = self.arguments(node.child("method_args"))
        current = getattr(self, "current_routine", None)
        if routine_ref is None and current is None:
            raise IrisError("NOLINE", label)  # [inf] no local labels exist in direct mode
        routine = routine_ref.child("routine_name").text if routine_ref is not None else current
        result = routines.call_label(self, routine, label, args, extrinsic=extrinsic,
                                     inside=routine_ref is None or routine == current)
        return self.call_value(result) if extrinsic else None

    def property_name(self, node: PNode) -> str:
        """Name of an ``oref_property``."""
        return node.child("property_name").text

    def chain_until_last(self, node: PNode):
        """(object before the last segment, last segment node) of a chain."""
        parts = self._chain_parts(node.named_children)
        if len(parts) < 2:
            raise IrisError("SYNTAX")
        return self._run_chain(parts[:-1]), parts[-1]

    @staticmethod
    def _chain_parts(nodes) -> list:
        parts = []
        for node in nodes:
            if node.type == "oref_chain_segment":
                parts.append(node.named_children[0])
            elif node.type != "post_conditional":
                parts.append(node)
        return parts

    def eval_chain(self, nodes):
        """Evaluate base + segments (``oref_property`` / ``oref_method``)."""
        return self._run_chain(self._chain_parts(nodes))

    def _run_chain(self, parts, as_do=False):
        base = parts[0]
        if base.type == "class_ref":
            if len(parts) < 2 or parts[1].type != "oref_method":
                raise IrisError("SYNTAX")
            cls = base.child("class_name").text
            method = parts[1]
            value = objects.call_class_method(self, cls, method.child("method_name").text,
                                              self.arguments(method.child("method_args")))
            rest = parts[2:]
        else:
            value = self.eval(base)
            rest = parts[1:]
        for index, part in enumerate(rest):
            value = self._segment(value, part, do_call=as_do and index == len(rest) - 1)
        return self.call_value(value)

    def _segment(self, value, part: PNode, do_call=False):
        if part.type == "oref_property":
            return objects.get_property(self, value, self.property_name(part))
        if part.type == "oref_method":
            args = self.arguments(part.child("method_args"))
            # Some methods behave differently when DO discards their value (%ToJSON writes to the
            # current device); the flag is set after the arguments are evaluated, for this call only.
            self.do_call = do_call
            try:
                return objects.call_method(self, value, part.child("method_name").text, args)
            finally:
                self.do_call = False
        raise IrisError("SYNTAX")


_COMMANDS = {
    "command_set": Process.cmd_set,
    "command_write": Process.cmd_write,
    "command_zwrite": Process.cmd_zwrite,
    "command_do": Process.cmd_do,
    "command_if": Process.cmd_if,
    "command_else": Process.cmd_else,
    "command_for": Process.cmd_for,
    "command_while": Process.cmd_while,
    "command_dowhile": Process.cmd_dowhile,
    "command_quit": Process.cmd_quit,
    "command_halt_or_hang": Process.cmd_halt_or_hang,
    "command_kill": Process.cmd_kill,
    "command_lock": Process.cmd_lock,
    "command_new": Process.cmd_new,
    "command_trycatch": Process.cmd_trycatch,
    "command_throw": Process.cmd_throw,
    "command_zn": Process.cmd_zn,
    "command_use": Process.cmd_use,
    "command_xecute": Process.cmd_xecute,
    "command_open": Process.cmd_open,
    "command_close": Process.cmd_close,
    "command_trollback": Process.cmd_trollback,
}

_EVAL = {
    "expression": Process.eval_expression,
    "numeric_literal": Process.eval_numeric,
    "string_literal": Process.eval_string,
    "unary_expression": Process.eval_unary,
    "lvn": Process.eval_variable,
    "gvn": Process.eval_variable,
    "system_defined_variable": Process.eval_special_variable,
    "system_defined_function": Process.eval_function,
    "extrinsic_function": Process.eval_extrinsic,
    "class_method_call": Process.eval_class_method_call,
    "oref_chain_expr": Process.eval_oref_chain,
    "json_object_literal": Process.eval_json_object,
    "json_array_literal": Process.eval_json_array,
    "macro": Process.eval_macro,
    "relative_dot_method": Process.eval_relative,
    "relative_dot_property": Process.eval_relative,
    "relative_dot_parameter": Process.eval_relative,
    "method_arg": lambda proc, node: proc.eval(node.named_children[0]),
    "indirection": Process.eval_indirection,
}


def uncaught_text(exc: Exception) -> str:
    """How the terminal reports an uncaught error or thrown object [inf for thrown objects]."""
    if isinstance(exc, IrisError):
        return str(exc)
    if isinstance(exc, ThrowSignal):
        obj = exc.exception_object
        error = obj.state.get("error") if isinstance(obj, SimObject) else None
        if error is not None:
            return str(error)
        return f"<THROW> *{obj.cls.name} {builtins_lang.exception_text(obj)}"
    raise TypeError(exc)
