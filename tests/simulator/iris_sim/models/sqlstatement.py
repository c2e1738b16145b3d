# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``%SQL.Statement`` and ``%SQL.StatementResult`` over ``iris_sim.sql`` (iris-sources.md §1.3, §4.3).

``%Prepare`` returns a %Status; an SQL error gives ``ERROR #5540: SQLCODE: <n> Message: <text>``
[inf: wording recollected].  ``%Execute``/``%ExecDirect`` always return a result object whose
``%SQLCODE`` is negative on error with ``%Message`` set.  ``%ROWCOUNT`` counts DML rows, and for a
SELECT the rows fetched so far by ``%Next`` [inf, IRIS semantics recollected].
"""

from __future__ import annotations

from iris_sim import sql, values
from iris_sim.errors import status_error, status_ok
from iris_sim.objects import ByRef, Prop, SimClass, SimObject, class_method, method, register
from iris_sim.models.resultset import Rows, find_query


def _prepare_error(exc: sql.SqlError) -> str:
    return status_error(5540, f"SQLCODE: {exc.sqlcode} Message: {exc.message}")


@register
class Statement(SimClass):
    """``%SQL.Statement``."""

    name = "%SQL.Statement"
    source = "iris-sources.md §1.3 (S11 SQL lookup), §4.3"
    properties = {"%SelectMode": Prop(0, source="inferred")}

    @method("%Prepare", source="S11")
    def prepare(self, proc, text=""):
        """Parse and check tables/columns → %Status."""
        text = values.to_str(text)
        try:
            plan = sql.parse(text)
            sql.check(proc.instance, proc.namespace, plan)
        except sql.SqlError as exc:
            self.state.pop("plan", None)
            return _prepare_error(exc)
        self.state["plan"] = plan
        self.state.pop("query", None)
        return status_ok()

    @method("%PrepareClassQuery", source="iris-sources.md §4.3 [inf]")
    def prepare_query(self, proc, class_name="", query=""):
        """Prepare a registered class query (``Config.Databases:List`` …)."""
        find_query(proc, f"{values.to_str(class_name)}:{values.to_str(query)}")
        self.state["query"] = f"{values.to_str(class_name)}:{values.to_str(query)}"
        self.state.pop("plan", None)
        return status_ok()

    @method("%Execute", source="S11")
    def execute(self, proc, *params):
        """Run the prepared statement → ``%SQL.StatementResult``."""
        if "query" in self.state:
            columns, fn = find_query(proc, self.state["query"])
            return _result(sql.SqlResult(columns, fn(proc, *params)))
        plan = self.state.get("plan")
        if plan is None:
            return _result(sql.SqlResult(sqlcode=-1, message="statement not prepared"))  # [inf]
        try:
            outcome = sql.execute(proc.instance, proc.namespace, plan, params, proc)
        except sql.SqlError as exc:
            outcome = sql.SqlResult(sqlcode=exc.sqlcode, message=exc.message)
        return _result(outcome)

    @class_method("%ExecDirect", source="iris-sources.md §4.3 [inf signature: (.stmt, sql, args...)]")
    def exec_direct(cls, proc, stmt=None, text="", *params):
        """Prepare and execute in one call; errors come back in ``%SQLCODE``/``%Message``."""
        obj = SimObject(cls)
        if isinstance(stmt, ByRef):
            stmt.value = obj
        status = Statement.prepare(obj, proc, text)
        if status != 1:
            try:
                sql.parse(values.to_str(text))
                sql.check(proc.instance, proc.namespace, sql.parse(values.to_str(text)))
            except sql.SqlError as exc:
                return _result(sql.SqlResult(sqlcode=exc.sqlcode, message=exc.message))
        return Statement.execute(obj, proc, *params)


def _result(outcome: sql.SqlResult) -> SimObject:
    obj = SimObject(StatementResult)
    obj.state["outcome"] = outcome
    obj.state["rows"] = Rows(outcome.columns, outcome.rows)
    obj.state["fetched"] = 0
    return obj


def _outcome(obj) -> sql.SqlResult:
    return obj.state["outcome"]


@register
class StatementResult(SimClass):
    """``%SQL.StatementResult``."""

    name = "%SQL.StatementResult"
    source = "iris-sources.md §4.3 [inf]"
    instantiable = False
    properties = {
        "%SQLCODE": Prop(0, compute=lambda o: _outcome(o).sqlcode, source="inferred"),
        "%Message": Prop("", compute=lambda o: _outcome(o).message, source="inferred"),
        "%ROWCOUNT": Prop(0, compute=lambda o: (o.state["fetched"] if _outcome(o).columns else _outcome(o).rowcount),
                          source="inferred"),
    }

    @method("%Next", source="inferred")
    def next_(self, proc, status=None):  # pylint: disable=unused-argument
        """1 while a row is current; SQLCODE becomes 100 at the end [inf]."""
        if _outcome(self).sqlcode < 0:
            return 0
        more = self.state["rows"].next()
        if more:
            self.state["fetched"] += 1
        else:
            _outcome(self).sqlcode = 100
        return more

    @method("%Get", source="iris-sources.md IRISREF24 (%SQL.StatementResult.%Get doc)")
    def get(self, proc, column):  # pylint: disable=unused-argument
        """Column value by name; an unknown column → ``<PROPERTY DOES NOT EXIST>`` (IRISREF24: the %Get doc)."""
        rows = self.state["rows"]
        if rows.index(column) < 0:
            from iris_sim.errors import IrisError  # pylint: disable=import-outside-toplevel
            raise IrisError("PROPERTY DOES NOT EXIST", f"{values.to_str(column)},%SQL.StatementResult")
        return rows.get(column)

    @method("%GetData", source="iris-sources.md IRISREF24 (%SQL.StatementResult.%GetData(colnbr))")
    def get_data(self, proc, number):  # pylint: disable=unused-argument
        """Column value by 1-based number."""
        return self.state["rows"].get_n(number)

    @method("%Display", source="inferred")
    def display(self, proc, delimiter="\t"):
        """Print the rows (header line first) [inf format]."""
        rows = self.state["rows"]
        delimiter = values.to_str(delimiter)
        proc.write(delimiter.join(rows.columns) + "\r\n")
        while StatementResult.next_(self, proc):
            proc.write(delimiter.join(values.to_str(v) for v in (rows.current() or [])) + "\r\n")
        proc.write(f"\r\n{self.state['fetched']} Rows(s) Affected")
        return None
