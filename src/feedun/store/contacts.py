"""Contacts with owners: finding one already logged, writing a new one, and a room's contacts for its timeline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from feedun.store.bulk import insert_in_order
from feedun.store.frames import id_chunks
from feedun.store.schema import contacts, promises


@dataclass(frozen=True)
class ContactEntry:
    """One stored contact, as the timeline shows it. `owner` is the owner at the time (a sale keeps it apart)."""

    at: datetime
    owner: str
    channel: str
    outcome: str
    promise_date: date | None
    promise_amount: int | None  # fen; None = the whole outstanding
    callback_at: datetime | None
    by: str
    note: str


def contacts_of_rooms(conn: Connection, room_ids: Iterable[int]) -> dict[tuple[int, datetime, str], tuple[int, int | None]]:
    """Every contact of these rooms, keyed by (room id, time, outcome): the first contact logged with that key,
    with its promise's id or None. The same room, time and outcome logged twice is one contact: `feedun log`
    repeated and a call list imported again must not double the history. One query per slice of rooms."""
    found: dict[tuple[int, datetime, str], tuple[int, int | None]] = {}
    for chunk in id_chunks(sorted(set(room_ids))):
        query = (select(contacts.c.room_id, contacts.c.at, contacts.c.outcome, contacts.c.id,
                        promises.c.id.label("promise_id"))
                 .outerjoin(promises, promises.c.contact_id == contacts.c.id)
                 .where(contacts.c.room_id.in_(chunk)).order_by(contacts.c.id, promises.c.id))
        for room_id, at, outcome, contact_id, promise_id in conn.execute(query):
            found.setdefault((room_id, at, outcome), (int(contact_id), None if promise_id is None else int(promise_id)))
    return found


def insert_contacts(conn: Connection, entries: Sequence[tuple[int, ContactEntry]], recorded_at: datetime) -> list[int]:
    """Write contacts (room id, entry) in this order in one statement; returns their ids in the same order, which
    are the ids writing them one by one gives."""
    if not entries:
        return []
    values = [{"room_id": room_id, "owner": e.owner, "at": e.at, "channel": e.channel, "outcome": e.outcome,
               "promise_date": e.promise_date, "promise_amount": e.promise_amount, "callback_at": e.callback_at,
               "by": e.by, "note": e.note, "recorded_at": recorded_at} for room_id, e in entries]
    return insert_in_order(conn, contacts, values)


def room_contacts(conn: Connection, room_id: int) -> list[ContactEntry]:
    """Every contact with the room's owners, past ones included, in the order they were written."""
    query = (select(contacts.c.at, contacts.c.owner, contacts.c.channel, contacts.c.outcome, contacts.c.promise_date,
                    contacts.c.promise_amount, contacts.c.callback_at, contacts.c.by, contacts.c.note)
             .where(contacts.c.room_id == room_id).order_by(contacts.c.id))
    return [ContactEntry(*row) for row in conn.execute(query)]
