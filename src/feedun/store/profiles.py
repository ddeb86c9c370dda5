"""Owner profiles (tags, disputes, vehicles, alternate contacts, do-not-contact) and a room's collector override.

A profile belongs to one owner of a room (a sale starts a clean one). How the fields are stored (comma-separated
tags, a JSON list of contacts, 0/1 flags) stays in here; above, a profile is a `ProfileFields`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from feedun.store.schema import profiles, rooms


@dataclass(frozen=True)
class ProfileFields:
    """What a profile holds; the defaults are an owner nobody has described yet."""

    tags: list[str] = field(default_factory=list)
    dispute: str | None = None
    dispute_open: bool | None = None
    plate: str | None = None
    slot: str | None = None
    alt_contacts: list[str] = field(default_factory=list)
    do_not_contact: bool = False
    workplace: str | None = None


@dataclass(frozen=True)
class StoredProfile:
    id: int
    fields: ProfileFields


def owner_profile(conn: Connection, room_id: int, owner: str) -> StoredProfile | None:
    """The profile of this owner of the room, or None when nothing was recorded about them."""
    row = conn.execute(select(profiles).where(profiles.c.room_id == room_id, profiles.c.owner == owner)).first()
    if row is None:
        return None
    return StoredProfile(int(row.id), ProfileFields(
        tags=row.tags.split(",") if row.tags else [],
        dispute=row.dispute,
        dispute_open=None if row.dispute_open is None else bool(row.dispute_open),
        plate=row.plate, slot=row.slot,
        alt_contacts=json.loads(row.alt_contacts) if row.alt_contacts else [],
        do_not_contact=bool(row.do_not_contact),
        workplace=row.workplace))


def save_profile(conn: Connection, room_id: int, owner: str, fields: ProfileFields, updated_at: datetime,
                 profile_id: int | None = None) -> None:
    """Write the owner's profile: a new row when `profile_id` is None, else replace that row's fields."""
    values = {"tags": ",".join(fields.tags), "dispute": fields.dispute,
              "dispute_open": None if fields.dispute_open is None else int(fields.dispute_open),
              "plate": fields.plate, "slot": fields.slot,
              "alt_contacts": json.dumps(fields.alt_contacts, ensure_ascii=False),
              "do_not_contact": int(fields.do_not_contact), "workplace": fields.workplace, "updated_at": updated_at}
    if profile_id is None:
        conn.execute(profiles.insert().values(room_id=room_id, owner=owner, **values))
    else:
        conn.execute(profiles.update().where(profiles.c.id == profile_id).values(**values))


def set_room_collector(conn: Connection, room_id: int, collector: str | None) -> None:
    """The room's own collector (`feedun tag --collector`); None hands it back to feedun.toml [collectors].

    Stored on the room rather than the profile: the collector looks after the room whoever owns it.
    """
    conn.execute(rooms.update().where(rooms.c.id == room_id).values(collector=collector))
