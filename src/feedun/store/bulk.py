"""Writing many rows fast, inside the caller's transaction: each backend's bulk path, and ids in order.

Kept free of pandas, so the commands that write a few rows (feedun log, history's store) do not import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError


def _processed(values: list[Any], process: Any) -> list[Any]:
    """A bind processor applied once per distinct value (a ledger's 200k lines share a dozen due dates)."""
    done: dict[Any, Any] = {}
    try:
        return [done[x] if x in done else done.setdefault(x, process(x)) for x in values]
    except TypeError:  # an unhashable value: one by one
        return [process(x) for x in values]


def _copy_rows(conn: Connection, table: Table, columns: dict[str, list[Any]]) -> None:
    """PostgreSQL's COPY FROM STDIN through psycopg, inside the caller's transaction."""
    names = list(columns)
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(name) for name in names)
    statement = f"COPY {table.name} ({quoted}) FROM STDIN"
    try:
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in zip(*columns.values(), strict=True):
                copy.write_row(row)
    except conn.dialect.dbapi.Error as exc:  # raw psycopg here: wrap it as SQLAlchemy would, for the callers
        raise DBAPIError.instance(statement, None, exc, conn.dialect.dbapi.Error) from None


def bulk_insert(conn: Connection, table: Table, columns: dict[str, list[Any]], use_copy: bool = True) -> None:
    """Bulk insert with each backend's fast path: COPY on PostgreSQL (psycopg); elsewhere the Core statement
    compiled for the dialect, skipping per-row dict handling (several times faster than executemany with dicts)."""
    names = list(columns)
    for name in names:  # the type conversions SQLAlchemy would apply (e.g. dates on SQLite)
        process = table.c[name].type._cached_bind_processor(conn.dialect)
        if process is not None:
            columns[name] = _processed(columns[name], process)
    if use_copy and conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_rows(conn, table, columns)
        return
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=names)
    if compiled.positional:
        order = [columns[name] for name in compiled.positiontup]
        params: list[Any] = list(zip(*order, strict=True))
    else:
        params = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    conn.exec_driver_sql(str(compiled), params)


def insert_in_order(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows (dicts with the same keys) in this order, inside the caller's transaction; their ids, in the
    same order: the ids inserting them one by one gives.

    Elsewhere, one INSERT ... RETURNING sorted by parameter order (SQLAlchemy's insertmanyvalues). On SQLite,
    SQLAlchemy keeps that order only by sending one statement per row (a call list of 75k contacts: 4 s of
    statements). Here the rows go in with one executemany (bulk_insert), and their ids are the run that ends at
    last_insert_rowid(): from its first row the statement holds SQLite's write lock, so no other connection's row
    comes between two of ours, and each row gets the table's largest id + 1 (no id is given here), with or without
    AUTOINCREMENT. tests/store/test_insert_in_order.py checks them against SQLAlchemy's ids.
    """
    if not rows:
        return []
    if conn.dialect.name != "sqlite":
        returned = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), list(rows))
        return [int(row_id) for row_id in returned.scalars()]
    names = list(rows[0])
    bulk_insert(conn, table, {name: [row[name] for row in rows] for name in names})
    last = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    return list(range(last - len(rows) + 1, last + 1))
