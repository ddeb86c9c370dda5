"""The queries behind `feedun purge`: which rooms owe now, when each room last owed, and erasing personal data.

What counts as "settled long enough" is decided above (admin/purge.py) from the plain values these return; this
module only reads the facts and, when told, blanks the personal columns (see docs/design.md, "Personal data").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, case, func, select

from feedun.store.frames import id_chunks
from feedun.store.ledger import latest_snapshots
from feedun.store.schema import (
    contacts,
    imports,
    ledger_lines,
    letters,
    profiles,
    promises,
    room_events,
    rooms,
)

RoomKey = tuple[str, str]  # (estate, room)
# What stands where a purged owner's name was (rooms, ledger lines, contacts, promises, letters). Settlement
# (intake/settlement.py) knows it: a ledger naming a purged room again is not a sale.
ERASED = "（已清除）"


@dataclass(frozen=True)
class RoomOwner:
    id: int
    estate: str
    room: str
    owner: str

    @property
    def key(self) -> RoomKey:
        return (self.estate, self.room)


@dataclass(frozen=True)
class LedgerTrace:
    """What the ledgers say about one room over all snapshots."""

    last_owed: date | None  # the newest snapshot date in which it had arrears; None: never owed
    lines: int  # ledger lines naming it, in every snapshot


def owing_now(conn: Connection) -> set[RoomKey]:
    """Rooms with arrears in their estate's newest ledger snapshot."""
    owing: set[RoomKey] = set()
    for estate, import_id in latest_snapshots(conn, None).items():
        query = (select(ledger_lines.c.room)
                 .where(ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate,
                        ledger_lines.c.outstanding > 0)
                 .distinct())
        owing |= {(estate, room) for (room,) in conn.execute(query)}
    return owing


def ledger_traces(conn: Connection) -> dict[RoomKey, LedgerTrace]:
    """Per room named by any ledger: when it last owed and how many ledger lines name it (one grouped query)."""
    owed_on = func.max(case((ledger_lines.c.outstanding > 0, imports.c.as_of), else_=None))
    query = (select(ledger_lines.c.estate, ledger_lines.c.room, owed_on, func.count())
             .join(imports, imports.c.id == ledger_lines.c.import_id)
             .group_by(ledger_lines.c.estate, ledger_lines.c.room))
    return {(estate, room): LedgerTrace(last_owed, int(lines)) for estate, room, last_owed, lines in conn.execute(query)}


def room_owners(conn: Connection) -> list[RoomOwner]:
    """Every room and the owner it is recorded under now (an erased room shows the erased marker)."""
    query = select(rooms.c.id, rooms.c.estate, rooms.c.room, rooms.c.owner).order_by(rooms.c.id)
    return [RoomOwner(*row) for row in conn.execute(query)]


def count_contacts(conn: Connection, room_ids: list[int]) -> int:
    """Contacts logged with these rooms' owners."""
    return sum(conn.execute(select(func.count()).select_from(contacts).where(contacts.c.room_id.in_(part)))
               .scalar_one() for part in id_chunks(room_ids))


def count_profiles(conn: Connection, room_ids: list[int]) -> int:
    """Owner profiles (tags, disputes, plates, alternate contacts) kept for these rooms."""
    return sum(conn.execute(select(func.count()).select_from(profiles).where(profiles.c.room_id.in_(part)))
               .scalar_one() for part in id_chunks(room_ids))


def erase_personal_data(conn: Connection, chosen: list[RoomOwner], erased: str) -> None:
    """Blank names, phones, notes, evidence and profiles of the chosen rooms; amounts, dates, outcomes and letter
    numbers stay for the report. Runs inside the caller's transaction: all rooms or none."""
    for estate, room in sorted({r.key for r in chosen}):
        conn.execute(ledger_lines.update().where(ledger_lines.c.estate == estate, ledger_lines.c.room == room)
                     .values(owner=erased, phones="", phones_invalid="", remark=""))
    for ids in id_chunks([r.id for r in chosen]):
        conn.execute(contacts.update().where(contacts.c.room_id.in_(ids))
                     .values(owner=erased, note="", by="", callback_at=None))
        conn.execute(promises.update().where(promises.c.room_id.in_(ids)).values(owner=erased))
        conn.execute(letters.update().where(letters.c.room_id.in_(ids)).values(owner=erased, evidence=None))
        conn.execute(profiles.delete().where(profiles.c.room_id.in_(ids)))
        conn.execute(room_events.delete().where(room_events.c.room_id.in_(ids)))
        conn.execute(rooms.update().where(rooms.c.id.in_(ids)).values(owner=erased, collector=None))
