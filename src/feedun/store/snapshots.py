"""Which ledger snapshot was current for an estate on a given day, and a room's arrears in it."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, case, func, select

from feedun.store.frames import IN_LIST_SIZE
from feedun.store.schema import import_estates, imports, ledger_lines


def snapshots_on(conn: Connection, estate: str, days: Iterable[date | None]) -> dict[date | None, int | None]:
    """For each day, the estate's ledger import current then (current_snapshot's rule), from one read of its imports;
    None when the estate has no ledger import."""
    dated = ledger_snapshots(conn, estate)
    return {day: None if (found := current_snapshot(dated, day)) is None else found[1] for day in days}


def ledger_snapshots(conn: Connection, estate: str) -> list[tuple[date, int]]:
    """The estate's ledger imports as (as_of, import id), ascending."""
    query = (select(imports.c.id, imports.c.as_of).join(import_estates, import_estates.c.import_id == imports.c.id)
             .where(import_estates.c.estate == estate, imports.c.kind == "ledger")
             .order_by(imports.c.as_of, imports.c.id))
    return [(as_of, int(import_id)) for import_id, as_of in conn.execute(query)]


def current_snapshot(dated: list[tuple[date, int]], day: date | None) -> tuple[date, int] | None:
    """Of an estate's ledger_snapshots, the one current on `day`: the newest dated on or before it (of two the same
    day, the later import), else the oldest; None when there is none.

    >>> a, b, c = (date(2026, 10, 31), 1), (date(2026, 11, 30), 2), (date(2026, 11, 30), 3)
    >>> [current_snapshot([a, b, c], d) for d in (date(2026, 10, 1), date(2026, 11, 15), date(2026, 12, 1), None)]
    [(datetime.date(2026, 10, 31), 1), (datetime.date(2026, 10, 31), 1), (datetime.date(2026, 11, 30), 3), (datetime.date(2026, 10, 31), 1)]
    """
    if not dated:
        return None
    current = 0 if day is None else bisect_right(dated, (day, math.inf))
    return dated[current - 1] if current else dated[0]


def arrears_in_snapshot(conn: Connection, import_id: int, estate: str, room_codes: Iterable[str]) -> dict[str, int]:
    """What each of these rooms of an estate owes in fen in one ledger snapshot (positive outstanding summed), one
    query per slice of rooms. Every room asked for is in the answer (0 when it is not in the snapshot)."""
    wanted = sorted(set(room_codes))
    found = dict.fromkeys(wanted, 0)
    arrears = func.sum(case((ledger_lines.c.outstanding > 0, ledger_lines.c.outstanding), else_=0))
    for start in range(0, len(wanted), IN_LIST_SIZE):
        chunk = wanted[start:start + IN_LIST_SIZE]
        query = (select(ledger_lines.c.room, arrears)
                 .where(ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate,
                        ledger_lines.c.room.in_(chunk))
                 .group_by(ledger_lines.c.room))
        for room, total in conn.execute(query):
            found[room] = int(total or 0)
    return found
