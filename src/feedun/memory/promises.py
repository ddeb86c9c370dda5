"""Listing promises to pay: open, kept, broken, and those due today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from feedun.config import Settings

STATES = {"open": "待兑现", "kept": "已兑现", "broken": "未兑现", "void": "已作废（业主变更）"}


@dataclass
class PromiseRow:
    id: int
    estate: str
    room: str
    owner: str
    made_at: str
    promise_date: date
    amount: int | None
    state: str
    paid: int | None
    settled_on: date | None
    by: str
    collector: str | None

    def to_dict(self) -> dict[str, Any]:
        def yuan(fen: int | None) -> float | None:
            return None if fen is None else float(Decimal(fen) / 100)

        return {"id": self.id, "estate": self.estate, "room": self.room, "owner": self.owner,
                "made_at": self.made_at, "promise_date": self.promise_date.isoformat(),
                "amount": yuan(self.amount), "state": self.state, "state_label": STATES[self.state],
                "paid": yuan(self.paid), "settled_on": self.settled_on.isoformat() if self.settled_on else None,
                "by": self.by, "collector": self.collector}


def list_promises(settings: Settings, *, state: str | None = None, due_on: date | None = None,
                  db_url: str | None = None) -> list[PromiseRow]:
    """Promises of current owners (void ones only when asked), optionally one state or open and due on a day."""
    from sqlalchemy import select

    from feedun.memory.collectors import collector_for
    from feedun.store import open_store
    from feedun.store.schema import contacts, promises, rooms

    query = (select(promises, rooms.c.estate, rooms.c.room, rooms.c.collector, contacts.c.by)
             .join(rooms, rooms.c.id == promises.c.room_id).join(contacts, contacts.c.id == promises.c.contact_id)
             .order_by(promises.c.promise_date, rooms.c.estate, rooms.c.room))
    query = query.where(promises.c.state == state if state is not None else promises.c.state != "void")
    if due_on is not None:
        query = query.where(promises.c.state == "open", promises.c.promise_date == due_on)
    with open_store(settings.db_url(db_url)).connect() as conn:
        rows = conn.execute(query).all()
    return [PromiseRow(id=r.id, estate=r.estate, room=r.room, owner=r.owner,
                       made_at=r.made_at.isoformat(sep=" ", timespec="minutes"), promise_date=r.promise_date,
                       amount=r.amount, state=r.state, paid=r.paid, settled_on=r.settled_on, by=r.by,
                       collector=collector_for(settings, r.estate, r.room, r.collector)) for r in rows]
