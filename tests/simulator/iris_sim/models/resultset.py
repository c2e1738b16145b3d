# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Class queries and ``%ResultSet`` (``%Library.ResultSet``).

``set rs=##class(%ResultSet).%New("%SYS.Task:TaskListDetail")``, ``rs.Execute(args...)``,
``rs.Next()``, ``rs.Get("Task Name")``, ``rs.Data("ID")``, ``rs.GetData(n)`` — the pattern of
iris-sources.md §1.3 (S8, code-live) and §3.1/§3.3 (``Config.*:List``, S9).  ``rs.Data("ID")`` is a
multidimensional property in IRIS; the simulator serves it as a method with the same call syntax
[inf: depends on the interpreter dispatching ``obj.Data(x)`` as a call].

Models register queries with ``register_query(class, query, columns, fn)``; ``fn(proc, *args)``
returns a list of row lists.
"""

from __future__ import annotations

from iris_sim import values
from iris_sim.errors import IrisError, status_error, status_ok
from iris_sim.objects import Prop, SimClass, method, register

QUERIES: dict[str, tuple[list[str], object, bool]] = {}


def register_query(class_name: str, query: str, columns: list[str], fn, sys_only: bool = False) -> None:
    """Register ``class_name:query``; ``sys_only`` queries exist only in %SYS (non-% classes)."""
    QUERIES[f"{class_name}:{query}"] = (list(columns), fn, sys_only)


def find_query(proc, spec: str):
    """``(columns, fn)`` for ``Class:Query``; unknown → ``<CLASS DOES NOT EXIST>``/``<METHOD DOES NOT EXIST>`` [inf]."""
    spec = values.to_str(spec)
    entry = QUERIES.get(spec)
    class_name = spec.split(":", 1)[0]
    if entry is None:
        if any(key.split(":", 1)[0] == class_name for key in QUERIES):
            raise IrisError("METHOD DOES NOT EXIST", f"{spec.split(':', 1)[-1]},{class_name}")
        raise IrisError("CLASS DOES NOT EXIST", class_name)
    columns, fn, sys_only = entry
    if sys_only and values.to_str(getattr(proc, "namespace", "%SYS")).upper() != "%SYS":
        raise IrisError("CLASS DOES NOT EXIST", class_name)
    return columns, fn


class Rows:
    """A materialised result: column names, row lists and a cursor."""

    def __init__(self, columns: list[str], rows: list[list]):
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.pos = -1

    def next(self) -> int:
        """Advance; 1 while a row is current."""
        self.pos += 1
        return 1 if self.pos < len(self.rows) else 0

    def current(self) -> list | None:
        """The current row or None."""
        if 0 <= self.pos < len(self.rows):
            return self.rows[self.pos]
        return None

    def index(self, name) -> int:
        """Column index by exact name, then case-insensitively [inf]; -1 if absent."""
        name = values.to_str(name)
        if name in self.columns:
            return self.columns.index(name)
        upper = [c.upper() for c in self.columns]
        return upper.index(name.upper()) if name.upper() in upper else -1

    def get(self, name):
        """Value of column ``name`` in the current row (``""`` if none)."""
        row = self.current()
        idx = self.index(name)
        if row is None or idx < 0:
            return ""
        return values.normalise(row[idx])

    def get_n(self, number):
        """Value of column ``number`` (1-based)."""
        row = self.current()
        idx = values.to_int(number) - 1
        if row is None or not 0 <= idx < len(row):
            return ""
        return values.normalise(row[idx])


@register
class ResultSet(SimClass):
    """``%Library.ResultSet`` over a registered class query (iris-sources.md §1.3 S8; §3.1 S9)."""

    name = "%Library.ResultSet"
    aliases = ("%ResultSet",)
    source = "iris-sources.md §1.3 S8 (code-live), §3.1 S9"
    properties = {
        "ClassName": Prop("", source="inferred", readonly=True),
        "QueryName": Prop("", source="inferred", readonly=True),
    }

    @staticmethod
    def on_new(obj, proc, spec=""):
        """``%New("Class:Query")``; the query is checked at Execute [inf]."""
        spec = values.to_str(spec)
        obj.props["ClassName"], dummy, obj.props["QueryName"] = spec.partition(":")
        obj.state["spec"] = spec
        obj.state["rows"] = None
        return status_ok()

    @method("Execute", source="S8")
    def execute(self, proc, *args):
        """Run the query; returns %Status."""
        columns, fn = find_query(proc, self.state["spec"])
        try:
            rows = fn(proc, *args)
        except IrisError:
            raise
        except Exception as exc:  # pylint: disable=broad-except
            return status_error(5001, str(exc))
        self.state["rows"] = Rows(columns, rows)
        return status_ok()

    def _rows(self) -> Rows:
        rows = self.state.get("rows")
        if rows is None:
            rows = Rows([], [])  # [inf] Next before Execute: no rows
            self.state["rows"] = rows
        return rows

    @method("Next", source="S8")
    def next_(self, proc, status=None):  # pylint: disable=unused-argument
        """1 while a row is current."""
        return ResultSet._rows(self).next()

    @method("Get", source="S8; iris-sources.md IRISREF24 (%Library.ResultSet.Get doc)")
    def get(self, proc, name):  # pylint: disable=unused-argument
        """Column value by name (``"Task Name"`` etc.); ``""`` for an unknown name (IRISREF24: the Get doc)."""
        return ResultSet._rows(self).get(name)

    @method("Data", source="S8")
    def data(self, proc, name):  # pylint: disable=unused-argument
        """``rs.Data("ID")`` (multidimensional property in IRIS)."""
        return ResultSet._rows(self).get(name)

    @method("GetData", source="S8")
    def get_data(self, proc, number):  # pylint: disable=unused-argument
        """Column value by 1-based number."""
        return ResultSet._rows(self).get_n(number)

    @method("GetColumnCount", source="inferred")
    def column_count(self, proc):  # pylint: disable=unused-argument
        """Number of columns."""
        return len(ResultSet._rows(self).columns) or len(find_query(proc, self.state["spec"])[0])

    @method("GetColumnName", source="inferred")
    def column_name(self, proc, number):
        """Name of column ``number``."""
        columns = find_query(proc, self.state["spec"])[0]
        idx = values.to_int(number) - 1
        return columns[idx] if 0 <= idx < len(columns) else ""

    @method("Close", source="inferred")
    def close(self, proc):  # pylint: disable=unused-argument
        """Discard the rows."""
        self.state["rows"] = None
        return status_ok()
