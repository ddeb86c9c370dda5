"""Listing promises to pay: open, kept, broken, and those due today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.core.vocab import PROMISE_STATE_LABELS, PromiseState
from feedun.memory.collectors import collector_for
from feedun.store.promises import listed_promises

if TYPE_CHECKING:
    from feedun.store import Store

# The labels live in core/vocab.py; this name stays for the modules that import it from here (views, history).
STATES = PROMISE_STATE_LABELS


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
                "amount": yuan(self.amount), "state": self.state,
                "state_label": PROMISE_STATE_LABELS[PromiseState(self.state)],
                "paid": yuan(self.paid), "settled_on": self.settled_on.isoformat() if self.settled_on else None,
                "by": self.by, "collector": self.collector}


def list_promises(store: Store, settings: Settings, *, state: PromiseState | str | None = None,
                  due_on: date | None = None) -> list[PromiseRow]:
    """Promises of current owners (void ones only when asked), optionally one state or open and due on a day."""
    wanted = PromiseState(state) if state is not None else None
    with store.connect() as conn:
        rows = listed_promises(conn, wanted, due_on)
    return [PromiseRow(id=r.id, estate=r.estate, room=r.room, owner=r.owner,
                       made_at=r.made_at.isoformat(sep=" ", timespec="minutes"), promise_date=r.promise_date,
                       amount=r.amount, state=r.state, paid=r.paid, settled_on=r.settled_on, by=r.by,
                       collector=collector_for(settings, r.estate, r.room, r.collector)) for r in rows]
