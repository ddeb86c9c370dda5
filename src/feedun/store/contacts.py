"""Contacts with owners: finding one already logged, writing a new one, and a room's contacts for its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

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


def find_contact(conn: Connection, room_id: int, at: datetime, outcome: str) -> tuple[int, int | None] | None:
    """(contact id, its promise's id or None) of the contact logged for this room, time and outcome, if any.

    The same room, time and outcome logged twice is one contact: `feedun log` repeated and a call list
    imported again must not double the history.
    """
    row = conn.execute(
        select(contacts.c.id, promises.c.id.label("promise_id"))
        .outerjoin(promises, promises.c.contact_id == contacts.c.id)
        .where(contacts.c.room_id == room_id, contacts.c.at == at, contacts.c.outcome == outcome)
        .order_by(contacts.c.id).limit(1)).first()
    if row is None:
        return None
    return int(row.id), (int(row.promise_id) if row.promise_id is not None else None)


def insert_contact(conn: Connection, room_id: int, entry: ContactEntry, recorded_at: datetime) -> int:
    """Write one contact; returns its id."""
    values = {"room_id": room_id, "owner": entry.owner, "at": entry.at, "channel": entry.channel,
              "outcome": entry.outcome, "promise_date": entry.promise_date, "promise_amount": entry.promise_amount,
              "callback_at": entry.callback_at, "by": entry.by, "note": entry.note, "recorded_at": recorded_at}
    return int(conn.execute(contacts.insert().values(**values)).inserted_primary_key[0])


def room_contacts(conn: Connection, room_id: int) -> list[ContactEntry]:
    """Every contact with the room's owners, past ones included, in the order they were written."""
    query = (select(contacts.c.at, contacts.c.owner, contacts.c.channel, contacts.c.outcome, contacts.c.promise_date,
                    contacts.c.promise_amount, contacts.c.callback_at, contacts.c.by, contacts.c.note)
             .where(contacts.c.room_id == room_id).order_by(contacts.c.id))
    return [ContactEntry(*row) for row in conn.execute(query)]
