"""Payments: a fall in a room's arrears between two snapshots of its estate, as the ledgers show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from feedun.store.schema import payments


@dataclass(frozen=True)
class Payment:
    room_id: int
    owner: str
    amount: int  # fen
    seen_on: date  # the date of the snapshot that showed it
    import_id: int
    paid_up: bool  # the room left the ledger


def add_payments(conn: Connection, rows: list[Payment]) -> None:
    if rows:
        conn.execute(payments.insert(), [{**p.__dict__, "paid_up": int(p.paid_up)} for p in rows])


def room_payments(conn: Connection, room_id: int) -> list[Payment]:
    query = (select(payments.c.room_id, payments.c.owner, payments.c.amount, payments.c.seen_on, payments.c.import_id,
                    payments.c.paid_up)
             .where(payments.c.room_id == room_id).order_by(payments.c.id))
    return [Payment(r.room_id, r.owner, int(r.amount), r.seen_on, r.import_id, bool(r.paid_up))
            for r in conn.execute(query)]
