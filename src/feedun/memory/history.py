"""`feedun history ROOM`: one timeline of a room — snapshots, payments, contacts, promises, profile changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.core.money import yuan
from feedun.core.vocab import CHANNEL_LABELS, OUTCOME_LABELS, PROMISE_STATE_LABELS, PromiseState
from feedun.memory.collectors import collector_for
from feedun.store.contacts import ContactEntry, room_contacts
from feedun.store.history import room_events_of, room_snapshots
from feedun.store.payments import room_payments
from feedun.store.promises import settled_promises
from feedun.store.rooms import find_room

if TYPE_CHECKING:
    from feedun.store import Store


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


def room_history(store: Store, settings: Settings, room_text: str, *, estate: str | None = None) -> Timeline:
    """Everything feedun knows about a room, oldest first, read from one consistent snapshot of the store."""
    with store.read() as conn:
        room = find_room(conn, room_text, estate)
        snapshots = room_snapshots(conn, room.estate, room.room)
        payments = room_payments(conn, room.id)
        contacts = room_contacts(conn, room.id)
        promises = settled_promises(conn, room.id)
        others = room_events_of(conn, room.id)
    events: list[Event] = []
    for snap in snapshots:
        text = (f"台账快照（{snap.file_name}）：欠费 {yuan(snap.arrears)} 元" if snap.owner or snap.arrears
                else f"台账快照（{snap.file_name}）：不在欠费台账中")
        events.append(Event(_day(snap.as_of), "snapshot", text))
    for p in payments:
        suffix = "，欠费已结清" if p.paid_up else ""
        events.append(Event(_day(p.seen_on), "payment", f"缴费 {yuan(p.amount)} 元（台账对比得出）{suffix}"))
    events += [Event(c.at, "contact", _contact_text(c, room.owner)) for c in contacts]
    for pr in promises:
        state = PromiseState(pr.state)
        paid = (f"，期间缴费 {yuan(pr.paid or 0)} 元" if state in (PromiseState.KEPT, PromiseState.BROKEN)
                else "")
        events.append(Event(_day(pr.settled_on), "promise",
                            f"{pr.promise_date} 的缴费承诺：{PROMISE_STATE_LABELS[state]}{paid}"))
    events += [Event(e.at, e.kind, e.detail) for e in others]
    order = {"snapshot": 0, "payment": 1, "promise": 2, "owner_change": 3, "profile": 4, "contact": 5}
    events.sort(key=lambda e: (e.at, order.get(e.kind, 9)))
    return Timeline(room.estate, room.room, room.owner, collector_for(settings, room.estate, room.room, room.collector),
                    events)


def _contact_text(c: ContactEntry, current_owner: str) -> str:
    parts = [f"{CHANNEL_LABELS.get(c.channel, c.channel)}联系：{OUTCOME_LABELS.get(c.outcome, c.outcome)}"]
    if c.promise_date:
        amount = f"{yuan(c.promise_amount)} 元" if c.promise_amount else "全部欠费"
        parts.append(f"承诺 {c.promise_date} 前缴 {amount}")
    if c.callback_at:
        parts.append(f"约定 {c.callback_at:%Y-%m-%d %H:%M} 回电")
    if c.by:
        parts.append(f"经办：{c.by}")
    if c.note:
        parts.append(f"备注：{c.note}")
    if c.owner != current_owner:
        parts.append(f"（原业主 {c.owner}）")
    return "；".join(parts)
