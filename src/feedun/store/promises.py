"""Promises to pay: writing one with its contact, listing them, and settling them when a ledger arrives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from feedun.core.vocab import PromiseState
from feedun.store.schema import contacts, promises, rooms


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
class DuePromise:
    """An open promise whose date has passed, with what it is judged against."""

    id: int
    room: str
    amount: int | None  # fen; None = pay everything
    baseline: int  # fen owed when it was made


def insert_promise(conn: Connection, contact_id: int, room_id: int, owner: str, made_at: datetime,
                   promise_date: date, amount: int | None, baseline: int) -> int:
    """Write an open promise that belongs to the contact it was made in; returns its id."""
    values = {"contact_id": contact_id, "room_id": room_id, "owner": owner, "made_at": made_at,
              "promise_date": promise_date, "amount": amount, "baseline": baseline, "state": PromiseState.OPEN}
    return int(conn.execute(promises.insert().values(**values)).inserted_primary_key[0])


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


def open_promises_due(conn: Connection, estate: str, before: date) -> list[DuePromise]:
    """Open promises in the estate whose date is before `before` (a snapshot's date): time to judge them."""
    query = (select(promises.c.id, rooms.c.room, promises.c.amount, promises.c.baseline)
             .join(rooms, rooms.c.id == promises.c.room_id)
             .where(rooms.c.estate == estate, promises.c.state == PromiseState.OPEN,
                    promises.c.promise_date < before)
             .order_by(promises.c.id))
    return [DuePromise(*row) for row in conn.execute(query)]


def settle_promise(conn: Connection, promise_id: int, state: PromiseState, paid: int, settled_on: date,
                   import_id: int) -> None:
    """Mark a promise kept or broken by the snapshot `import_id`, with how much the arrears fell meanwhile."""
    conn.execute(promises.update().where(promises.c.id == promise_id).values(
        state=state, paid=paid, settled_on=settled_on, settled_import_id=import_id))


def void_open_promises(conn: Connection, room_id: int, owner: str) -> None:
    """A room changed hands: the previous owner's open promises no longer count for anyone."""
    conn.execute(promises.update().where(promises.c.room_id == room_id, promises.c.owner == owner,
                                         promises.c.state == PromiseState.OPEN).values(state=PromiseState.VOID))
