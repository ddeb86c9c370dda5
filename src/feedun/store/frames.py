"""Query results as pandas frames, and reading several tables as of one moment."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, CursorResult, Engine

if TYPE_CHECKING:  # loaded when a frame is made: `feedun history` and other one-room commands need no pandas
    import pandas as pd


def begin_consistent_read(conn: Connection) -> None:
    """Make every following SELECT on conn see the store as of one moment, even while others write.

    PostgreSQL's default gives each statement its own snapshot; pysqlite starts no transaction for SELECTs.
    Call first on a fresh connection.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


@contextmanager
def reading(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection from an engine (closed afterwards), or the caller's own (left open, in its snapshot)."""
    if isinstance(bind, Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


def result_frame(result: CursorResult) -> pd.DataFrame:
    """Rows as plain tuples: pandas probes each SQLAlchemy Row for array attributes, which costs ~3x the query."""
    import pandas as pd

    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))


IN_LIST_SIZE = 5_000  # ids per IN (...) list: well under SQLite's limit on bound parameters


def id_chunks(ids: list[int]) -> list[list[int]]:
    """Ids in slices small enough for one IN (...) list on every backend."""
    return [ids[i:i + IN_LIST_SIZE] for i in range(0, len(ids), IN_LIST_SIZE)]
