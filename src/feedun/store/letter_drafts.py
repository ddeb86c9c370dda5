"""Drafting letters: the day's draft of a room (reused on a re-run), a new draft, and what a letter cites
(the room's sent demand letters and its contact history). Numbering is in store/letters.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from feedun.store.schema import contacts, import_estates, imports, letters, rooms

SENT = ("sent", "signed", "returned")  # core.vocab.SENT_STATES; the store keeps no import of core


def todays_draft(conn: Connection, room_id: int, kind: str, issued_on: date) -> str | None:
    """The number of the room's draft of this kind issued that day, if any."""
    return conn.execute(select(letters.c.number).where(
        letters.c.room_id == room_id, letters.c.kind == kind, letters.c.issued_on == issued_on,
        letters.c.state == "draft")).scalar()


def todays_drafts(conn: Connection, kind: str, issued_on: date) -> dict[int, str]:
    """room_id -> the number of its draft of this kind issued that day (todays_draft for every room at once)."""
    return {room_id: number for room_id, number in conn.execute(select(letters.c.room_id, letters.c.number).where(
        letters.c.kind == kind, letters.c.issued_on == issued_on, letters.c.state == "draft").order_by(letters.c.id))}


def insert_drafts(conn: Connection, drafts: list[dict[str, Any]]) -> None:
    """Many drafts in one statement: dicts of insert_draft's keyword arguments."""
    if drafts:
        conn.execute(letters.insert(), [{**draft, "state": "draft"} for draft in drafts])


def insert_draft(conn: Connection, *, number: str, kind: str, room_id: int, owner: str, amount: int, late_fee: int,
                 issued_on: date, deadline: date) -> None:
    conn.execute(letters.insert().values(number=number, kind=kind, room_id=room_id, owner=owner, amount=amount,
                                         late_fee=late_fee, issued_on=issued_on, deadline=deadline, state="draft"))


def days_drafts(conn: Connection, kind: str, issued_on: date) -> list[tuple[str, str, str]]:
    """(number, estate, room) of every draft of this kind issued that day, in the order they were numbered:
    what the day's combined print file holds."""
    return [tuple(r) for r in conn.execute(
        select(letters.c.number, rooms.c.estate, rooms.c.room).join(rooms, rooms.c.id == letters.c.room_id)
        .where(letters.c.kind == kind, letters.c.issued_on == issued_on, letters.c.state == "draft")
        .order_by(letters.c.id))]


def snapshot_dates(conn: Connection, as_of: date) -> dict[str, date]:
    """estate -> the date of its newest ledger snapshot on or before as_of: the day a letter's balance is 截至."""
    query = (select(import_estates.c.estate, func.max(imports.c.as_of))
             .join(imports, imports.c.id == import_estates.c.import_id)
             .where(imports.c.kind == "ledger", imports.c.as_of <= as_of).group_by(import_estates.c.estate))
    return {estate: day for estate, day in conn.execute(query)}


def sent_demands(conn: Connection, room_id: int) -> list[dict[str, Any]]:
    """The room's demand letters that left the office, oldest first: number, state, sent_on, delivery, evidence."""
    rows = conn.execute(select(letters.c.number, letters.c.state, letters.c.sent_on, letters.c.delivery,
                               letters.c.evidence).where(
        letters.c.room_id == room_id, letters.c.kind == "dunning", letters.c.state.in_(SENT))
        .order_by(letters.c.sent_on)).mappings().all()
    return [dict(r) for r in rows]


def sent_demands_by_room(conn: Connection, room_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """sent_demands for many rooms in one query: room_id -> its sent demand letters, oldest first (rooms without
    any are absent)."""
    query = (select(letters.c.room_id, letters.c.number, letters.c.state, letters.c.sent_on, letters.c.delivery,
                    letters.c.evidence)
             .where(letters.c.kind == "dunning", letters.c.state.in_(SENT))
             .order_by(letters.c.room_id, letters.c.sent_on, letters.c.id))
    result: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(query).mappings():
        if row["room_id"] in room_ids:
            result.setdefault(row["room_id"], []).append(
                {k: row[k] for k in ("number", "state", "sent_on", "delivery", "evidence")})
    return result


def contact_history(conn: Connection, room_id: int) -> list[tuple[datetime, str, str, str, str]]:
    """(at, channel, outcome, by, note) of every contact with the room, oldest first (for an evidence pack)."""
    return [tuple(r) for r in conn.execute(
        select(contacts.c.at, contacts.c.channel, contacts.c.outcome, contacts.c.by, contacts.c.note)
        .where(contacts.c.room_id == room_id).order_by(contacts.c.at))]
