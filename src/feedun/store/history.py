"""A room's events besides ledgers, contacts and payments (profile changes, owner changes), and its snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, case, func, select

from feedun.core.vocab import ImportKind
from feedun.store.schema import import_estates, imports, ledger_lines, room_events


@dataclass(frozen=True)
class RoomEvent:
    at: datetime
    kind: str  # profile, owner_change
    detail: str  # Chinese, as shown in the timeline


@dataclass(frozen=True)
class RoomSnapshot:
    """The room in one ledger snapshot of its estate: owner '' and arrears 0 when the ledger does not list it."""

    as_of: date
    file_name: str
    owner: str
    arrears: int  # fen; credits do not offset arrears


def add_room_event(conn: Connection, room_id: int, at: datetime, kind: str, detail: str) -> None:
    conn.execute(room_events.insert().values(room_id=room_id, at=at, kind=kind, detail=detail))


def room_events_of(conn: Connection, room_id: int) -> list[RoomEvent]:
    query = (select(room_events.c.at, room_events.c.kind, room_events.c.detail)
             .where(room_events.c.room_id == room_id).order_by(room_events.c.id))
    return [RoomEvent(*row) for row in conn.execute(query)]


def room_snapshots(conn: Connection, estate: str, room: str) -> list[RoomSnapshot]:
    """Every ledger snapshot of the estate, oldest first, with the room's owner and arrears in it (one query)."""
    lines = and_(ledger_lines.c.import_id == imports.c.id, ledger_lines.c.estate == estate,
                 ledger_lines.c.room == room)
    arrears = func.sum(case((ledger_lines.c.outstanding > 0, ledger_lines.c.outstanding), else_=0))
    query = (select(imports.c.as_of, imports.c.file_name, func.max(ledger_lines.c.owner), arrears)
             .join(import_estates, import_estates.c.import_id == imports.c.id)
             .outerjoin(ledger_lines, lines)
             .where(import_estates.c.estate == estate, imports.c.kind == ImportKind.LEDGER)
             .group_by(imports.c.id, imports.c.as_of, imports.c.file_name)
             .order_by(imports.c.as_of, imports.c.id))
    return [RoomSnapshot(as_of, file_name, owner or "", int(total or 0))
            for as_of, file_name, owner, total in conn.execute(query)]
