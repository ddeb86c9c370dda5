"""`feedun history ROOM`: one timeline of a room — snapshots, payments, contacts, promises, profile changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from feedun.config import Settings
from feedun.core.money import yuan
from feedun.memory.contacts import CHANNELS, OUTCOMES
from feedun.memory.promises import STATES


@dataclass
class Event:
    at: datetime
    kind: str  # snapshot, payment, contact, promise, profile, owner_change
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(sep=" ", timespec="minutes"), "kind": self.kind, "text": self.text}


@dataclass
class Timeline:
    estate: str
    room: str
    owner: str
    collector: str | None
    events: list[Event]

    def to_dict(self) -> dict[str, Any]:
        return {"estate": self.estate, "room": self.room, "owner": self.owner, "collector": self.collector,
                "events": [e.to_dict() for e in self.events]}


def _day(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def room_history(settings: Settings, room_text: str, *, estate: str | None = None,
                 db_url: str | None = None) -> Timeline:
    from sqlalchemy import select

    from feedun.intake.settlement import room_balances
    from feedun.memory.collectors import collector_for
    from feedun.store import open_store
    from feedun.store.rooms import find_room
    from feedun.store.schema import contacts, import_estates, imports, payments, promises, room_events

    events: list[Event] = []
    with open_store(settings.db_url(db_url)).connect() as conn:
        room = find_room(conn, room_text, estate)
        snapshots = conn.execute(
            select(imports.c.id, imports.c.as_of, imports.c.file_name)
            .join(import_estates, import_estates.c.import_id == imports.c.id)
            .where(import_estates.c.estate == room.estate, imports.c.kind == "ledger")
            .order_by(imports.c.as_of, imports.c.id)).all()
        for snap in snapshots:
            owner, arrears = room_balances(conn, snap.id, room.estate).get(room.room, ("", 0))
            text = f"台账快照（{snap.file_name}）：欠费 {yuan(arrears)} 元" if owner or arrears else \
                f"台账快照（{snap.file_name}）：不在欠费台账中"
            events.append(Event(_day(snap.as_of), "snapshot", text))
        for p in conn.execute(select(payments).where(payments.c.room_id == room.id)):
            suffix = "，欠费已结清" if p.paid_up else ""
            events.append(Event(_day(p.seen_on), "payment", f"缴费 {yuan(p.amount)} 元（台账对比得出）{suffix}"))
        for c in conn.execute(select(contacts).where(contacts.c.room_id == room.id)):
            parts = [f"{CHANNELS.get(c.channel, c.channel)}联系：{OUTCOMES.get(c.outcome, c.outcome)}"]
            if c.promise_date:
                amount = f"{yuan(c.promise_amount)} 元" if c.promise_amount else "全部欠费"
                parts.append(f"承诺 {c.promise_date} 前缴 {amount}")
            if c.callback_at:
                parts.append(f"约定 {c.callback_at:%Y-%m-%d %H:%M} 回电")
            if c.by:
                parts.append(f"经办：{c.by}")
            if c.note:
                parts.append(f"备注：{c.note}")
            if c.owner != room.owner:
                parts.append(f"（原业主 {c.owner}）")
            events.append(Event(c.at, "contact", "；".join(parts)))
        for p in conn.execute(select(promises).where(promises.c.room_id == room.id, promises.c.settled_on.is_not(None))):
            paid = f"，期间欠费减少 {yuan(p.paid or 0)} 元" if p.state in ("kept", "broken") else ""
            events.append(Event(_day(p.settled_on), "promise", f"{p.promise_date} 的缴费承诺：{STATES[p.state]}{paid}"))
        for e in conn.execute(select(room_events).where(room_events.c.room_id == room.id)):
            events.append(Event(e.at, e.kind, e.detail))
    order = {"snapshot": 0, "payment": 1, "promise": 2, "owner_change": 3, "profile": 4, "contact": 5}
    events.sort(key=lambda e: (e.at, order.get(e.kind, 9)))
    return Timeline(room.estate, room.room, room.owner, collector_for(settings, room.estate, room.room, room.collector),
                    events)
