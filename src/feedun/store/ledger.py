"""Ledger lines: writing an import's lines fast, and reading each estate's current snapshot.

The import row itself is store/imports.py's; the transaction is the importer's (intake/importer.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, and_, select

from feedun.store.bulk import bulk_insert
from feedun.store.frames import reading, result_frame
from feedun.store.schema import import_estates, imports, ledger_lines

INSERT_BATCH = 20_000


def _column_values(series: pd.Series) -> list[Any]:
    """Plain Python values (no numpy scalars, None for missing) for the DB driver."""
    if series.dtype != object and not isinstance(series.dtype, pd.StringDtype):
        return series.to_numpy().tolist()
    return series.to_numpy(dtype=object, na_value=None).tolist()  # NaN and None as None, in one pass


def add_import_estates(conn: Connection, import_id: int, estates: list[str]) -> None:
    """The estates this import is a snapshot of: its lines become their current ledger."""
    if estates:
        conn.execute(import_estates.insert(), [{"import_id": import_id, "estate": e} for e in estates])


def add_lines(conn: Connection, import_id: int, lines: pd.DataFrame, progress=None, use_copy: bool = True) -> None:
    """All of an import's normalised lines, in batches (COPY on PostgreSQL), inside the caller's transaction."""
    for start in range(0, len(lines), INSERT_BATCH):
        chunk = lines.iloc[start:start + INSERT_BATCH]
        columns = {"import_id": [import_id] * len(chunk)}
        columns.update({name: _column_values(chunk[name]) for name in chunk.columns})
        bulk_insert(conn, ledger_lines, columns, use_copy)
        if progress is not None:
            progress.advance(len(chunk))


def latest_snapshots(engine: Engine | Connection, as_of: date | None) -> dict[str, int]:
    """estate -> id of its newest ledger import on or before as_of (newest as-of date, then newest import)."""
    query = (select(import_estates.c.estate, imports.c.id, imports.c.as_of)
             .join(imports, imports.c.id == import_estates.c.import_id)
             .where(imports.c.kind == "ledger"))
    if as_of is not None:
        query = query.where(imports.c.as_of <= as_of)
    newest: dict[str, tuple[date, int]] = {}
    with reading(engine) as conn:
        for estate, import_id, snap_date in conn.execute(query):
            key = (snap_date, import_id)
            if estate not in newest or key > newest[estate]:
                newest[estate] = key
    return {estate: key[1] for estate, key in newest.items()}


def line_columns(names: Sequence[str] | None = None) -> list:
    """The ledger_lines columns a snapshot read returns: these names, or all but the id."""
    if names is None:
        return [c for c in ledger_lines.c if c.name != "id"]
    return [ledger_lines.c[name] for name in names]


def snapshot_lines(engine: Engine | Connection, as_of: date | None, only_outstanding: bool = True,
                   columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The lines of each estate's current snapshot; columns: only these (classify reads 7 of 20, a third of
    the time at 100k rooms)."""
    snapshots = latest_snapshots(engine, as_of)
    columns = line_columns(columns)
    frames = []
    with reading(engine) as conn:
        for estate, import_id in sorted(snapshots.items()):
            conditions = [ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate]
            if only_outstanding:
                conditions.append(ledger_lines.c.outstanding > 0)
            result = conn.execute(select(*columns).where(and_(*conditions)))
            frames.append(result_frame(result))
    if not frames:
        return pd.DataFrame(columns=[c.name for c in columns])
    return pd.concat(frames, ignore_index=True)


def known_estates(conn: Connection) -> list[str]:
    """Every estate some ledger import was a snapshot of, sorted."""
    return sorted(conn.execute(select(import_estates.c.estate).distinct()).scalars())


def unknown_period_since(conn: Connection, as_of: date | None) -> dict[tuple[str, str], date]:
    """(estate, room) -> when its arrears of unknown period (a ledger without periods) first appeared: the date of
    the earliest snapshot of the estate from which on every snapshot, up to the current one, shows such arrears
    for the room. Only rooms with such arrears in the current snapshot are listed.

    Read per estate through the (import_id, estate, room) index, newest snapshot first, and only as far back as
    some room's run goes: a company whose ledgers have periods costs one short query per estate, however many
    snapshots the store keeps (a scan of every line ever imported grew with the history, not the company).
    """
    query = (select(import_estates.c.estate, imports.c.id, imports.c.as_of)
             .join(imports, imports.c.id == import_estates.c.import_id).where(imports.c.kind == "ledger"))
    if as_of is not None:
        query = query.where(imports.c.as_of <= as_of)
    snapshots: dict[str, list[tuple[date, int]]] = {}
    for estate, import_id, snap_date in conn.execute(query):
        snapshots.setdefault(estate, []).append((snap_date, import_id))
    since: dict[tuple[str, str], date] = {}
    for estate, snaps in snapshots.items():
        newest_first = sorted(snaps, reverse=True)  # the first is the current snapshot
        start: dict[str, date] = {}
        running: set[str] | None = None  # rooms whose run of snapshots with such arrears reaches this one
        for snap_date, import_id in newest_first:
            owing = select(ledger_lines.c.room).where(
                ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate, ledger_lines.c.period == "",
                ledger_lines.c.outstanding > 0).distinct()
            present = set(conn.execute(owing).scalars())
            running = present if running is None else running & present
            if not running:
                break
            start.update(dict.fromkeys(running, snap_date))
        since.update({(estate, room): day for room, day in start.items()})
    return since
