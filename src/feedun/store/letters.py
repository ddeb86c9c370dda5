"""Letters in the store. Issue 5/6 adds the `feedun letters` commands; classify already reads sent letters."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from feedun.store.rooms import Room
from feedun.store.schema import letters

PREFIX = {"dunning": "催字", "lawyer": "律字"}


def record_sent_letter(conn: Connection, room: Room, kind: str, sent_on: date, amount: int,
                       deadline: date | None = None, delivery: str = "EMS", evidence: str = "") -> str:
    """A letter already sent (e.g. by hand before feedun), numbered 催字〔YYYY〕第NNNN号; returns its number."""
    year = sent_on.year
    count = conn.execute(select(func.count()).select_from(letters).where(
        letters.c.kind == kind, letters.c.number.like(f"{PREFIX[kind]}〔{year}〕%"))).scalar_one()
    number = f"{PREFIX[kind]}〔{year}〕第{count + 1:04d}号"
    conn.execute(letters.insert().values(number=number, kind=kind, room_id=room.id, owner=room.owner, amount=amount,
                                         late_fee=0, issued_on=sent_on, deadline=deadline, delivery=delivery,
                                         evidence=evidence, state="sent", sent_on=sent_on))
    return number
