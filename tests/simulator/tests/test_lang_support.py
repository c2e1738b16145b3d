# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers for the LANG tests: a fake instance with in-memory globals, and runners."""

from __future__ import annotations

import io

from iris_sim import values
from iris_sim.interp import Process
from iris_sim.shell import run_session


class FakeGlobals:
    """In-memory global store with the Contract 3 methods."""

    def __init__(self):
        self.roots: dict[str, values.Node] = {}

    def _root(self, name, create=False):
        root = self.roots.get(name)
        if root is None and create:
            root = self.roots[name] = values.Node()
        return root

    def get(self, name, subs):
        root = self._root(name)
        return None if root is None else root.get(tuple(subs))

    def set(self, name, subs, value):
        self._root(name, True).set(tuple(subs), value)

    def kill(self, name, subs):
        root = self._root(name)
        if root is not None:
            root.kill(tuple(subs))

    def data(self, name, subs):
        root = self._root(name)
        return 0 if root is None else root.data(tuple(subs))

    def order(self, name, subs, direction):
        root = self._root(name)
        return "" if root is None else root.order(tuple(subs), direction)


class FakeInstance:
    """Namespaces USER and %SYS, each with its own globals."""

    def __init__(self, namespaces=("USER", "%SYS")):
        self.stores = {ns: FakeGlobals() for ns in namespaces}
        self.mgr_dir = "/usr/irissys/mgr"

    def has_namespace(self, namespace):
        return namespace.upper() in self.stores

    def global_store(self, namespace):
        return self.stores[namespace.upper()]


def session(text: str, namespace: str = "USER", instance=None) -> tuple[str, int]:
    """Run ``text`` (lines) through ``run_session``; (output, exit code)."""
    out = io.StringIO()
    code = run_session(instance if instance is not None else FakeInstance(), namespace, text.splitlines(), out)
    return out.getvalue(), code


def output(*lines: str, instance=None) -> str:
    """Output of ``lines`` run in one process, without prompts; errors propagate."""
    out = io.StringIO()
    proc = Process(instance=instance if instance is not None else FakeInstance(), namespace="USER", out=out)
    for line in lines:
        proc.execute(line)
    return out.getvalue()


def value(expr: str, *setup: str):
    """The value of an ObjectScript expression (after running ``setup`` lines)."""
    proc = Process(instance=FakeInstance(), namespace="USER", out=io.StringIO())
    for line in setup:
        proc.execute(line)
    proc.execute(f"set %result={expr}")
    return proc.locals["%result"].get(())
