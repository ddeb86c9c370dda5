"""Which ledger snapshot was current for an estate on a given day, and a room's arrears in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Connection, case, func, select

from feedun.store.frames import IN_LIST_SIZE
from feedun.store.schema import import_estates, imports, ledger_lines


def snapshot_on(conn: Connection, estate: str, day: date | None) -> int | None:
    """The estate's newest ledger import dated on or before `day` (or the oldest one when none is that old)."""
    base = (select(imports.c.id).join(import_estates, import_estates.c.import_id == imports.c.id)
            .where(import_estates.c.estate == estate, imports.c.kind == "ledger"))
    if day is not None:
        found = conn.execute(base.where(imports.c.as_of <= day)
                             .order_by(imports.c.as_of.desc(), imports.c.id.desc()).limit(1)).scalar()
        if found is not None:
            return found
    return conn.execute(base.order_by(imports.c.as_of.asc(), imports.c.id.asc()).limit(1)).scalar()


def arrears_on(conn: Connection, estate: str, room: str, day: date | None) -> int:
    """A room's arrears in fen in the snapshot current on `day`; 0 when the room is not in it."""
    return arrears_of_rooms(conn, estate, [room], day)[room]


def arrears_of_rooms(conn: Connection, estate: str, room_codes: Iterable[str], day: date | None) -> dict[str, int]:
    """arrears_on for several rooms of one estate on one day: the snapshot looked up once, one sum per slice of
    rooms. Every room asked for is in the answer (0 when it is not in the snapshot)."""
    wanted = sorted(set(room_codes))
    found = dict.fromkeys(wanted, 0)
    import_id = snapshot_on(conn, estate, day)
    if import_id is None:
        return found
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
