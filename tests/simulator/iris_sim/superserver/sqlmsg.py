# Copyright (c) 2026, IRIS DevTools contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""DB-API messages (PP/PQ/FD/PU/OE/TC/TR) on the simulator's SQL engine (iris-sources.md WIRE §4).

The client's preparser sends ``:%qpar(n)`` for every ``?`` and every literal, and spaces qualified names
(``Sample . Person``); paramInfo says which parameter was a literal (``'c'`` + cast code) and which was bound
(``'?'``) (WIRE §4.1).  This module turns the text back into the SQL subset of ``sql.py``: literals go back
inline, bound parameters become ``?``.
"""

from __future__ import annotations

import decimal
import os
import re
import struct

from iris_sim import classdefs
from iris_sim import sql as sqlengine
from iris_sim import values
from iris_sim.errors import IrisError
from iris_sim.superserver import wire

BLOCK_ROWS = int(os.environ.get("IRIS_SIM_SS_BLOCK_ROWS", "500"))  # [inf] rows per PQ/FD block (our choice)
LAST_BLOCK, MORE_BLOCKS = 100, 0       # WIRE §4.2: status 100 = last block, 0 = the client sends FD
NOT_MODELLED = -400                    # sql.py: SQLCODE for what the simulator does not model
CAST_INT, CAST_NUM, CAST_STR = 10, 11, 4   # WIRE §4.1 paramInfo cast codes
ODBC_INTEGER, ODBC_NUMERIC, ODBC_VARCHAR = 4, 2, 12   # WIRE §4.2 column ODBC types
FLAGS = "0" * 12                       # WIRE §4.2: 12 flags (auto-increment ... row-id), all off [inf]
_QPAR = re.compile(r":%qpar\((\d+)\)", re.IGNORECASE)
_DOT = re.compile(r'(?<=[\w%"])\s+\.\s+(?=[%\w"])|(?<=[\w%"])\s+\.(?=[%\w"])|(?<=[\w%"])\.\s+(?=[%\w"])')
_BARE_NAME = re.compile(r"\s*[%\w]+(?:\s*\.\s*[%\w]+)*\s*")
_EXPR_SELECT = re.compile(r"^\s*SELECT\s+(.*)$", re.IGNORECASE | re.DOTALL)


class Statement:  # pylint: disable=too-few-public-methods
    """One prepared statement (keyed by the header's statement id)."""

    def __init__(self, text: str, info: list):
        self.text = text          # as the client sent it (with :%qpar(n))
        self.info = info          # [(kind, cast)] per parameter, kind '?' or 'c'
        self.is_query = text.lstrip().upper().startswith("SELECT")
        self.columns: list = []   # [(name, odbc_type)]
        self.pending: list = []   # rows not yet sent (paging)


def odbc_type(sql_type: str) -> int:
    upper = (sql_type or "").upper()
    if upper.startswith(("INT", "BIGINT", "SMALLINT", "TINYINT", "BIT")):
        return ODBC_INTEGER
    if upper.startswith(("NUMERIC", "DECIMAL", "DOUBLE", "FLOAT")):
        return ODBC_NUMERIC
    return ODBC_VARCHAR


def _literal(value, cast: int) -> str:
    if cast in (CAST_INT, CAST_NUM) and values.is_canonical_number(str(value)):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _refuse_output(text) -> None:
    """Where the terminal output of a superserver process goes is not in the sources (iris-sources.md WIRE §8 lists
    output redirection as unknown): a WRITE inside an SQL routine fails loudly instead of vanishing."""
    raise IrisError("COMMAND", "simulator: WRITE in a superserver process (output %r) is not modelled. Fix: return "
                               "the value instead of writing it" % text[:40])


class SqlState:
    """Per-connection SQL state."""

    def __init__(self, session):
        self.session = session
        self.statements: dict[int, Statement] = {}
        self.errors: dict[int, str] = {}
        self.code = ""
        self.proc = None  # the connection's server process: SQL routines run in it (models/sqlprocs.py)

    def process(self, inst):
        """The connection's ObjectScript process, so public (%) variables live as long as the connection [inf: one
        server process per connection]; it sees the instance of the current request."""
        from iris_sim.interp import Process  # pylint: disable=import-outside-toplevel
        if self.proc is None:
            self.proc = Process(inst, self.session.namespace, out=_refuse_output)
            self.proc.username = getattr(self.session, "username", "")
        self.proc.instance = inst
        classdefs.forget_classes(self.proc)  # another connection may have dropped or replaced a class since
        return self.proc

    # -- replies ----------------------------------------------------------------------------------
    def error(self, msg_id, stmt_id, sqlcode: int, message: str) -> None:
        """WIRE §4.3: the SQLCODE as the int16 status, empty body; the client asks for the text with OE."""
        sqlcode = sqlcode if sqlcode < 0 else NOT_MODELLED
        # The text shape is IRIS's "[SQLCODE: <-29>:<...>]" [inf].
        self.errors[sqlcode & 0xFFFF] = "[SQLCODE: <%d>:<%s>]" % (sqlcode, message)
        self.session.log("SQL error %d: %s" % (sqlcode, message), 1 if sqlcode != NOT_MODELLED else 2)
        self.session.send(msg_id, stmt_id, struct.pack("<h", sqlcode))

    def handle(self, msg_id, stmt_id, code: bytes, payload: bytes) -> None:
        if code in (b"CC", b"CS", b"RC", b"RU"):  # WIRE §1: no reply
            if code in (b"CC", b"CS"):
                self.statements.pop(stmt_id, None)
            return
        handler = HANDLERS[code]
        self.code = code.decode("latin-1")
        try:
            handler(self, msg_id, stmt_id, wire.Reader(payload))
        except sqlengine.SqlError as exc:
            self.error(msg_id, stmt_id, exc.sqlcode, exc.message)

    # -- statement text ---------------------------------------------------------------------------
    @staticmethod
    def _read_text(reader) -> str:
        chunks = reader.int()
        return "".join(str(reader.item() or "") for dummy in range(chunks))

    @staticmethod
    def _read_info(reader) -> list:
        count = reader.int()
        info = []
        for dummy in range(count):
            kind = str(reader.item())
            cast = reader.int()
            info.append((kind, cast))
        return info

    def to_engine(self, stmt: Statement, args) -> tuple[str, list]:
        """``(sql for sql.py, params)``; ``args`` None = prepare time (literals as placeholders)."""
        params: list = []

        def repl(match):
            index = int(match.group(1)) - 1
            if index >= len(stmt.info):
                raise sqlengine.SqlError(-1, "parameter :%%qpar(%d) without paramInfo" % (index + 1))
            kind, cast = stmt.info[index]
            if kind == "c":
                if args is None:
                    return "0" if cast in (CAST_INT, CAST_NUM) else "'x'"
                return _literal(args[index], cast)
            params.append(None if args is None else args[index])
            return "?"
        text = _QPAR.sub(repl, stmt.text)
        text = _DOT.sub(".", text)
        return text, params

    # -- SELECT without FROM (values only) ---------------------------------------------------------
    def _expr_select(self, stmt: Statement, args):
        """``SELECT :%qpar(1) [AS a], ...`` with no FROM: one row of the parameter values, or None if it is not one."""
        match = _EXPR_SELECT.match(stmt.text)
        if not match or re.search(r"\bFROM\b", match.group(1), re.IGNORECASE) or "(" in _QPAR.sub("", match.group(1)):
            return None  # FROM or a function call (sql.py runs those)
        columns, row = [], []
        for pos, part in enumerate(match.group(1).split(","), start=1):
            tokens = part.split()
            if not tokens or not _QPAR.fullmatch(tokens[0]):
                raise sqlengine.SqlError(NOT_MODELLED, "simulator: SELECT without FROM supports only values")
            index = int(_QPAR.fullmatch(tokens[0]).group(1)) - 1
            name = "Expression_%d" % pos  # WIRE §4.2: SELECT 1 describes as Expression_1
            if len(tokens) == 3 and tokens[1].upper() == "AS":
                name = tokens[2].strip('"')
            elif len(tokens) != 1:
                raise sqlengine.SqlError(NOT_MODELLED, "simulator: SELECT expression %r is not modelled" % part.strip())
            kind, cast = stmt.info[index]
            ctype = {CAST_INT: ODBC_INTEGER, CAST_NUM: ODBC_NUMERIC}.get(cast, ODBC_VARCHAR) if kind == "c" else ODBC_VARCHAR
            columns.append((name, ctype))
            row.append(None if args is None else args[index])
        return columns, [row]

    def _columns(self, inst, plan: dict, result) -> list:
        types = {}
        try:
            src = None
            if plan.get("table"):
                src = sqlengine._source(inst, self.session.namespace, plan["table"])  # pylint: disable=protected-access
            if src is not None and src.table is not None:
                types = {c["name"].upper(): c["type"] for c in src.table["columns"]}
                types["ID"] = "INTEGER"
        except sqlengine.SqlError:
            pass
        types.update({name.upper(): ctype for name, ctype in result.types.items()})
        cols = []
        for name in result.columns:
            if name == "Aggregate_1":
                cols.append((name, ODBC_INTEGER))
            else:
                cols.append((name, odbc_type(types.get(name.upper(), "VARCHAR"))))
        return cols

    # -- messages ---------------------------------------------------------------------------------
    def prepare(self, msg_id, stmt_id, reader) -> None:
        """PP: check the statement; reply metadata (WIRE §4.2)."""
        stmt = Statement(self._read_text(reader), self._read_info(reader))
        if _BARE_NAME.fullmatch(stmt.text):
            # WIRE §4.1/§8: CALL x(?) loses its keyword; the reply the client expects is not known
            raise sqlengine.SqlError(NOT_MODELLED, "simulator: CALL through execute() (PP with the bare procedure name "
                                                   "%r) is not modelled. Fix: call a function in a SELECT" % stmt.text)
        self.statements[stmt_id] = stmt
        self.session.send(msg_id, stmt_id, b"\x00\x00", self._metadata(stmt))

    def direct_query(self, msg_id, stmt_id, reader) -> None:
        """DQ (``cursor.direct_execute``): text, paramInfo, parameter sets, timeout, maxRows; two replies with the
        request's id: the metadata (as for PP), then the first block of rows (as for PQ) (WIRE §4.2)."""
        stmt = Statement(self._read_text(reader), self._read_info(reader))
        if not stmt.is_query:
            raise sqlengine.SqlError(NOT_MODELLED, "simulator: direct execution of a non-query is not modelled")
        self.statements[stmt_id] = stmt
        metadata = self._metadata(stmt)
        sets = self._param_sets(reader)
        rows = self._rows(stmt, sets[0] if sets else [])
        self.session.send(msg_id, stmt_id, b"\x00\x00", metadata)
        stmt.pending = rows
        self._block(msg_id, stmt_id, stmt)

    def _metadata(self, stmt: Statement) -> bytes:
        with self.session.locked() as inst:
            expr = self._expr_select(stmt, None) if stmt.is_query else None
            if expr is not None:
                stmt.columns = expr[0]
            else:
                text, params = self.to_engine(stmt, None)
                plan = sqlengine.parse(text)
                sqlengine.check(inst, self.session.namespace, plan)
                if stmt.is_query:  # describe only: a function in the SELECT must not run at prepare time
                    result = sqlengine.execute(inst, self.session.namespace, plan, params, self.process(inst),
                                               describe=True)
                    stmt.columns = self._columns(inst, plan, result)
        body = b""
        if stmt.is_query:
            body += wire.encode(len(stmt.columns))
            for name, ctype in stmt.columns:
                # WIRE §4.2: name, ODBC type, precision, scale, nullable, label, table, schema, catalog, flags
                precision = 10 if ctype == ODBC_INTEGER else 32767
                body += wire.encode_list([name, ctype, precision, 0, 2, name, "", "", None, FLAGS])
        body += wire.encode(len(stmt.info))
        for dummy in stmt.info:
            body += wire.encode_list([ODBC_VARCHAR, 32767, 0, 2])  # WIRE §4.2: 4 fields per parameter [inf values]
        body += wire.encode(0)  # addToCache 0: the client prepares again on every execute (WIRE §4.2)
        return body

    def _statement(self, stmt_id) -> Statement:
        stmt = self.statements.get(stmt_id)
        if stmt is None:
            raise sqlengine.SqlError(NOT_MODELLED, "simulator: statement %d was not prepared" % stmt_id)
        return stmt

    def _param_sets(self, reader) -> list:
        sets = reader.int()
        count = reader.int()
        out = []
        for dummy in range(max(sets, 0)):
            row = []
            for value in reader.items(count):
                if isinstance(value, (wire.ByRefItem, wire.Oref)):
                    raise sqlengine.SqlError(NOT_MODELLED, "simulator: parameter of this kind is not modelled")
                row.append(None if isinstance(value, wire.Undefined) else value)
            out.append(row)
        return out

    def query(self, msg_id, stmt_id, reader) -> None:
        """PQ: run the prepared query; first block of rows (WIRE §4.2)."""
        stmt = self._statement(stmt_id)
        sets = self._param_sets(reader)
        stmt.pending = self._rows(stmt, sets[0] if sets else [])
        self._block(msg_id, stmt_id, stmt)

    def _rows(self, stmt: Statement, args) -> list:
        with self.session.locked() as inst:
            expr = self._expr_select(stmt, args)
            if expr is not None:
                rows = expr[1]
            else:
                text, params = self.to_engine(stmt, args)
                result = sqlengine.run(inst, self.session.namespace, text, params, self.process(inst))
                if result.sqlcode < 0:
                    raise sqlengine.SqlError(result.sqlcode, result.message)
                rows = result.rows
        return [[self._cell(v, t) for v, (dummy, t) in zip(row, stmt.columns)] for row in rows]

    @staticmethod
    def _cell(value, ctype):
        if value is None:
            return None
        if ctype == ODBC_INTEGER and values.is_canonical_number(values.to_str(value)):
            return int(values.to_num(value)) if not isinstance(value, int) else value
        if ctype == ODBC_NUMERIC and values.is_canonical_number(values.to_str(value)):
            return decimal.Decimal(values.to_str(value))  # WIRE §2/§4.2: the client returns Decimal
        if isinstance(value, (int, float, str)):
            return value if ctype != ODBC_VARCHAR or isinstance(value, str) else values.to_str(value)
        return values.to_str(value)

    def _block(self, msg_id, stmt_id, stmt: Statement) -> None:
        block, stmt.pending = stmt.pending[:BLOCK_ROWS], stmt.pending[BLOCK_ROWS:]
        status = MORE_BLOCKS if stmt.pending else LAST_BLOCK
        body = b"".join(wire.encode_list(row) for row in block)
        self.session.send(msg_id, stmt_id, struct.pack("<h", status), body)

    def fetch(self, msg_id, stmt_id, reader) -> None:  # pylint: disable=unused-argument
        """FD: the next block (WIRE §4.2)."""
        self._block(msg_id, stmt_id, self._statement(stmt_id))

    def update(self, msg_id, stmt_id, reader) -> None:
        """PU: autoKey, timeout, then the parameter sets; one row count per set (WIRE §4.2)."""
        stmt = self._statement(stmt_id)
        if not self.session.autocommit:
            # The engine applies every change at once, so a later rollback could not undo it; and the 5.4.1
            # client does not raise on an error reply to TR (seen in this simulator's tests).  Refuse here instead.
            raise sqlengine.SqlError(NOT_MODELLED, "simulator: changes with autocommit off (transactions) are not "
                                                   "modelled. Fix: keep autocommit on")
        reader.item()   # autoKey
        reader.item()   # timeout
        sets = self._param_sets(reader) or [[]]
        counts = []
        with self.session.locked() as inst:
            for args in sets:
                text, params = self.to_engine(stmt, args)
                result = sqlengine.run(inst, self.session.namespace, text, params, self.process(inst))
                if result.sqlcode < 0:
                    raise sqlengine.SqlError(result.sqlcode, result.message)
                counts.append(result.rowcount)
        self.session.send(msg_id, stmt_id, b"\x00\x00", wire.encode_list(counts))

    def error_text(self, msg_id, stmt_id, reader) -> None:
        """OE: the text of an SQLCODE (WIRE §4.3)."""
        code = reader.int() & 0xFFFF
        text = self.errors.get(code, "[SQLCODE: <%d>:<simulator: no message recorded>]" % struct.unpack(
            "<h", struct.pack("<H", code))[0])
        self.session.send(msg_id, stmt_id, b"\x00\x00", wire.encode(text))

    def commit(self, msg_id, stmt_id, reader) -> None:  # pylint: disable=unused-argument
        """TC: every change is applied when it runs (autocommit), so a commit has nothing left to do."""
        self.session.send(msg_id, stmt_id, b"\x00\x00")

    def rollback(self, msg_id, stmt_id, reader) -> None:  # pylint: disable=unused-argument
        """TR: nothing to undo: changes run under autocommit only (``update`` refuses them otherwise)."""
        self.session.send(msg_id, stmt_id, b"\x00\x00")

    def not_modelled(self, msg_id, stmt_id, reader) -> None:  # pylint: disable=unused-argument
        raise sqlengine.SqlError(NOT_MODELLED, "simulator: SQL message '%s' is not modelled" % self.code)


HANDLERS = {b"PP": SqlState.prepare, b"PQ": SqlState.query, b"FD": SqlState.fetch, b"PU": SqlState.update,
            b"DQ": SqlState.direct_query,
            b"OE": SqlState.error_text, b"TC": SqlState.commit, b"TR": SqlState.rollback,
            # WIRE §4.2 / §8: direct update, stored procedures, multiple result sets: refused loudly.
            **{code: SqlState.not_modelled for code in (b"DU", b"SP", b"SU", b"SQ", b"MS", b"MD", b"MR")}}
