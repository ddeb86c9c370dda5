"""What a call list shows besides the day's decisions: each room's last contact and promise, and its vehicle."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, func, select

from feedun.store.schema import contacts, profiles, promises, rooms


def last_contacts(conn: Connection) -> dict[tuple[str, str], tuple[datetime, str, str]]:
    """(estate, room) -> (at, channel, outcome) of the current owner's latest contact."""
    latest = (select(contacts.c.room_id, func.max(contacts.c.at).label("at"))
              .join(rooms, rooms.c.id == contacts.c.room_id).where(contacts.c.owner == rooms.c.owner)
              .group_by(contacts.c.room_id).subquery())
    query = (select(rooms.c.estate, rooms.c.room, contacts.c.at, contacts.c.channel, contacts.c.outcome)
             .join(latest, latest.c.room_id == rooms.c.id)
             .join(contacts, (contacts.c.room_id == latest.c.room_id) & (contacts.c.at == latest.c.at)))
    return {(estate, room): (at, channel, outcome) for estate, room, at, channel, outcome in conn.execute(query)}


def latest_promise_dates(conn: Connection) -> dict[tuple[str, str], date]:
    """(estate, room) -> the current owner's latest promised date (void promises left out)."""
    query = (select(rooms.c.estate, rooms.c.room, func.max(promises.c.promise_date))
             .join(rooms, rooms.c.id == promises.c.room_id)
             .where(promises.c.owner == rooms.c.owner, promises.c.state != "void")
             .group_by(rooms.c.estate, rooms.c.room))
    return {(estate, room): day for estate, room, day in conn.execute(query)}


def vehicles(conn: Connection) -> dict[tuple[str, str], tuple[str, str]]:
    """(estate, room) -> (plate, parking slot) from the current owner's profile; '' where unknown."""
    query = (select(rooms.c.estate, rooms.c.room, profiles.c.plate, profiles.c.slot)
             .join(profiles, (profiles.c.room_id == rooms.c.id) & (profiles.c.owner == rooms.c.owner)))
    return {(estate, room): (plate or "", slot or "") for estate, room, plate, slot in conn.execute(query)}
