"""What settling a new ledger snapshot reads and writes: per-room balances, neighbouring snapshots, rooms' owners.

Called by intake/settlement.py inside the import's transaction (see docs/design.md, "Settlement").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, case, func, select, tuple_

from feedun.core.vocab import ImportKind
from feedun.store.schema import import_estates, imports, ledger_lines, rooms


@dataclass(frozen=True)
class KnownRoom:
    id: int
    owner: str


def room_balances(conn: Connection, import_id: int, estate: str) -> dict[str, tuple[str, int]]:
    """room -> (owner, arrears in fen) in one snapshot of an estate. Credits do not offset arrears."""
    arrears = func.sum(case((ledger_lines.c.outstanding > 0, ledger_lines.c.outstanding), else_=0))
    query = (select(ledger_lines.c.room, func.max(ledger_lines.c.owner), arrears)
             .where(ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate)
             .group_by(ledger_lines.c.room))
    return {room: (owner or "", int(total or 0)) for room, owner, total in conn.execute(query)}


def _estate_ledgers(estate: str):
    return (imports.join(import_estates, import_estates.c.import_id == imports.c.id),
            (import_estates.c.estate == estate) & (imports.c.kind == ImportKind.LEDGER))


def previous_snapshot(conn: Connection, estate: str, import_id: int, as_of: date) -> int | None:
    """The estate's snapshot just before (as_of, import_id), or None."""
    joined, is_ledger = _estate_ledgers(estate)
    query = (select(imports.c.id).select_from(joined)
             .where(is_ledger, tuple_(imports.c.as_of, imports.c.id) < tuple_(as_of, import_id))
             .order_by(imports.c.as_of.desc(), imports.c.id.desc()).limit(1))
    return conn.execute(query).scalar()


def is_newest(conn: Connection, estate: str, import_id: int, as_of: date) -> bool:
    """No snapshot of the estate is later than (as_of, import_id)."""
    joined, is_ledger = _estate_ledgers(estate)
    query = (select(func.count()).select_from(joined)
             .where(is_ledger, tuple_(imports.c.as_of, imports.c.id) > tuple_(as_of, import_id)))
    return conn.execute(query).scalar_one() == 0


def estate_rooms(conn: Connection, estate: str) -> dict[str, KnownRoom]:
    """room -> its id and current owner, for every room of the estate feedun has seen."""
    query = select(rooms.c.room, rooms.c.id, rooms.c.owner).where(rooms.c.estate == estate)
    return {room: KnownRoom(int(room_id), owner) for room, room_id, owner in conn.execute(query)}


def add_rooms(conn: Connection, estate: str, owners: dict[str, str], import_id: int) -> None:
    """Rooms a snapshot lists for the first time: room -> owner as the ledger names them."""
    if owners:
        conn.execute(rooms.insert(), [{"estate": estate, "room": room, "owner": owner, "last_import_id": import_id}
                                      for room, owner in owners.items()])


def set_owner(conn: Connection, room_id: int, owner: str, import_id: int) -> None:
    """The room's current owner, as the snapshot `import_id` names them."""
    conn.execute(rooms.update().where(rooms.c.id == room_id).values(owner=owner, last_import_id=import_id))
