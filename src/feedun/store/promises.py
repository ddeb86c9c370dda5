"""Promises to pay: writing one with its contact, listing them, and settling them when a ledger arrives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Connection, select

from feedun.core.vocab import PromiseState
from feedun.store.bulk import insert_in_order
from feedun.store.frames import id_chunks
from feedun.store.schema import contacts, payments, promises, rooms


@dataclass(frozen=True)
class ListedPromise:
    """A promise with its room and who took it; `collector` is the room's override (None: feedun.toml decides)."""

    id: int
    estate: str
    room: str
    owner: str
    made_at: datetime
    promise_date: date
    amount: int | None  # fen; None = pay everything
    state: str
    paid: int | None  # fen the arrears fell by, once settled
    settled_on: date | None
    by: str
    collector: str | None


@dataclass(frozen=True)
class OpenPromise:
    """An open promise made before a snapshot, with what it is judged against (docs/design.md, "Settlement")."""

    id: int
    room: str
    made_on: date
    promise_date: date
    amount: int | None  # fen; None = pay everything
    baseline: int  # fen owed when it was made
    paid: int  # fen: the payments (falls in arrears) seen in the room's snapshots since the day it was made


@dataclass(frozen=True)
class NewPromise:
    """A promise about to be written: the contact it was made in and what it is judged against."""

    contact_id: int
    room_id: int
    owner: str
    made_at: datetime
    promise_date: date
    amount: int | None  # fen; None = pay everything
    baseline: int  # fen owed when it was made


def insert_promises(conn: Connection, new: Sequence[NewPromise]) -> list[int]:
    """Write open promises in this order in one statement; returns their ids in the same order."""
    if not new:
        return []
    values = [{"contact_id": p.contact_id, "room_id": p.room_id, "owner": p.owner, "made_at": p.made_at,
               "promise_date": p.promise_date, "amount": p.amount, "baseline": p.baseline, "state": PromiseState.OPEN}
              for p in new]
    return insert_in_order(conn, promises, values)


def listed_promises(conn: Connection, state: PromiseState | None = None,
                    due_on: date | None = None) -> list[ListedPromise]:
    """Promises in one state (all but void ones when None), optionally only open ones due on a day;
    ordered by promise date, estate and room."""
    query = (select(promises.c.id, rooms.c.estate, rooms.c.room, promises.c.owner, promises.c.made_at,
                    promises.c.promise_date, promises.c.amount, promises.c.state, promises.c.paid,
                    promises.c.settled_on, contacts.c.by, rooms.c.collector)
             .join(rooms, rooms.c.id == promises.c.room_id).join(contacts, contacts.c.id == promises.c.contact_id)
             .order_by(promises.c.promise_date, rooms.c.estate, rooms.c.room))
    query = query.where(promises.c.state == state if state is not None else promises.c.state != PromiseState.VOID)
    if due_on is not None:
        query = query.where(promises.c.state == PromiseState.OPEN, promises.c.promise_date == due_on)
    return [ListedPromise(*row) for row in conn.execute(query)]


@dataclass(frozen=True)
class SettledPromise:
    promise_date: date
    state: str
    paid: int | None  # fen
    settled_on: date


def settled_promises(conn: Connection, room_id: int) -> list[SettledPromise]:
    """The room's promises that have been settled (kept, broken), for its timeline."""
    query = (select(promises.c.promise_date, promises.c.state, promises.c.paid, promises.c.settled_on)
             .where(promises.c.room_id == room_id, promises.c.settled_on.is_not(None)).order_by(promises.c.id))
    return [SettledPromise(*row) for row in conn.execute(query)]


def open_promises_before(conn: Connection, estate: str, as_of: date) -> list[OpenPromise]:
    """Open promises in the estate made before the snapshot of `as_of`, each with what its room paid since: the
    payments seen after the day it was made, up to `as_of`. A snapshot of the promise's own day or earlier says
    nothing about it (its fall is already in the baseline)."""
    query = (select(promises.c.id, promises.c.room_id, rooms.c.room, promises.c.made_at, promises.c.promise_date,
                    promises.c.amount, promises.c.baseline)
             .join(rooms, rooms.c.id == promises.c.room_id)
             .where(rooms.c.estate == estate, promises.c.state == PromiseState.OPEN,
                    promises.c.made_at < datetime.combine(as_of, time.min))
             .order_by(promises.c.id))
    found = conn.execute(query).all()
    if not found:
        return []
    seen: dict[int, list[tuple[date, int]]] = {}
    room_ids = sorted({row.room_id for row in found})
    for part in id_chunks(room_ids):
        paid = select(payments.c.room_id, payments.c.seen_on, payments.c.amount).where(
            payments.c.room_id.in_(part), payments.c.seen_on <= as_of)
        for room_id, seen_on, amount in conn.execute(paid):
            seen.setdefault(room_id, []).append((seen_on, int(amount)))
    result = []
    for row in found:
        made_on = row.made_at.date()
        since = sum(amount for seen_on, amount in seen.get(row.room_id, []) if seen_on > made_on)
        result.append(OpenPromise(row.id, row.room, made_on, row.promise_date, row.amount, row.baseline, since))
    return result


def record_paid(conn: Connection, promise_id: int, paid: int) -> None:
    """What an open promise's room has paid since it was made (期间缴费), while it stays open."""
    conn.execute(promises.update().where(promises.c.id == promise_id, promises.c.state == PromiseState.OPEN)
                 .values(paid=paid))


def settle_promise(conn: Connection, promise_id: int, state: PromiseState, paid: int, settled_on: date,
                   import_id: int) -> None:
    """Mark a promise kept or broken by the snapshot `import_id`, with what the room paid since it was made."""
    conn.execute(promises.update().where(promises.c.id == promise_id).values(
        state=state, paid=paid, settled_on=settled_on, settled_import_id=import_id))


def void_open_promises(conn: Connection, room_id: int, owner: str) -> None:
    """A room changed hands: the previous owner's open promises no longer count for anyone."""
    conn.execute(promises.update().where(promises.c.room_id == room_id, promises.c.owner == owner,
                                         promises.c.state == PromiseState.OPEN).values(state=PromiseState.VOID))
