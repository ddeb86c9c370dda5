"""One estate's or one room's share of what classify reads (`feedun explain`), restricted in the queries.

Each function returns exactly the rows its company-wide counterpart (store/ledger.py `snapshot_lines`,
`unknown_period_since`) returns for the rooms in scope, with the same columns: a feature computed from them is
the feature classify computes (tests/decide/test_explain_one_room.py checks every room of a varied store).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, and_, select

from feedun.store.frames import IN_LIST_SIZE, result_frame
from feedun.store.ledger import line_columns
from feedun.store.schema import import_estates, imports, ledger_lines, letters, rooms


@dataclass(frozen=True)
class Scope:
    """The rooms to read: every room of `estate`, or only the named `rooms` of it (at most IN_LIST_SIZE)."""

    estate: str
    rooms: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.rooms is not None and len(self.rooms) > IN_LIST_SIZE:
            raise ValueError(f"a scope names at most {IN_LIST_SIZE} rooms; read the whole estate instead")


def room_ids(scope: Scope):
    """A subquery of the ids of the rooms in scope, for `room_id IN (...)`."""
    query = select(rooms.c.id).where(rooms.c.estate == scope.estate)
    return query.where(rooms.c.room.in_(scope.rooms)) if scope.rooms is not None else query


def _ledger_snapshots(conn: Connection, estate: str, as_of: date | None) -> list[tuple[date, int]]:
    """(as-of date, import id) of every ledger import of the estate on or before as_of, oldest first: the last
    is the estate's current snapshot (newest as-of date, then newest import), as in ledger.latest_snapshots."""
    query = (select(imports.c.as_of, imports.c.id)
             .join(import_estates, import_estates.c.import_id == imports.c.id)
             .where(imports.c.kind == "ledger", import_estates.c.estate == estate))
    if as_of is not None:
        query = query.where(imports.c.as_of <= as_of)
    return sorted((snap_date, import_id) for snap_date, import_id in conn.execute(query))


def _in_scope(import_id: int, scope: Scope) -> list:
    """Conditions on ledger_lines for the scope's lines of one import (the (import_id, estate, room) index)."""
    conditions = [ledger_lines.c.import_id == import_id, ledger_lines.c.estate == scope.estate]
    if scope.rooms is not None:
        conditions.append(ledger_lines.c.room.in_(scope.rooms))
    return conditions


def scoped_snapshot_lines(conn: Connection, as_of: date | None, scope: Scope,
                          columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The owed lines (outstanding > 0) of the scope's rooms in their estate's current snapshot: the rows of
    `snapshot_lines(conn, as_of, columns=columns)` for those rooms, same columns."""
    columns = line_columns(columns)
    snapshots = _ledger_snapshots(conn, scope.estate, as_of)
    if not snapshots:
        return pd.DataFrame(columns=[c.name for c in columns])
    conditions = [*_in_scope(snapshots[-1][1], scope), ledger_lines.c.outstanding > 0]
    return result_frame(conn.execute(select(*columns).where(and_(*conditions))))


def scoped_unknown_period_since(conn: Connection, as_of: date | None, scope: Scope) -> dict[tuple[str, str], date]:
    """The entries of `unknown_period_since(conn, as_of)` for the scope's rooms: (estate, room) -> the date of the
    earliest snapshot from which on every snapshot, up to the current one, shows arrears of unknown period."""
    snapshots = _ledger_snapshots(conn, scope.estate, as_of)
    if not snapshots:
        return {}
    present: set[tuple[int, str]] = set()
    for _, import_id in snapshots:
        query = select(ledger_lines.c.room).where(
            *_in_scope(import_id, scope), ledger_lines.c.period == "", ledger_lines.c.outstanding > 0).distinct()
        present.update((import_id, room) for room in conn.execute(query).scalars())
    current = snapshots[-1][1]
    since: dict[tuple[str, str], date] = {}
    for room in {r for i, r in present if i == current}:
        start = snapshots[-1][0]
        for snap_date, import_id in reversed(snapshots[:-1]):
            if (import_id, room) not in present:
                break
            start = snap_date
        since[(scope.estate, room)] = start
    return since


def rooms_with_demand_letters(conn: Connection, estate: str, as_of: date) -> list[str]:
    """The estate's rooms with a demand letter (催费函) dated on or before as_of that left the office (any state
    but draft), sorted: a superset of the rooms whose `demand_letters_sent` is at least 1 on that day."""
    query = (select(rooms.c.room).join(letters, letters.c.room_id == rooms.c.id)
             .where(rooms.c.estate == estate, letters.c.kind == "dunning", letters.c.state != "draft",
                    letters.c.sent_on <= as_of).distinct())
    return sorted(conn.execute(query).scalars())
