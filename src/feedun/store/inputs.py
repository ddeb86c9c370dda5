"""What classify reads: the snapshot's owed lines and the memory tables, as frames, from one connection.

With a scope (one estate, or one room of it: `feedun explain`) every query is restricted to the scope's rooms;
the frames are then exactly the company-wide frames' rows for those rooms, so the features built from them are
the same (the features of a room depend only on its own rows; the one cross-room step, the lawyer-letter cap per
estate, is classify's: decide/classify.py `decide_room`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, select

from feedun.store.frames import IN_LIST_SIZE, result_frame
from feedun.store.ledger import snapshot_lines, unknown_period_since
from feedun.store.room_inputs import (
    Scope,
    room_ids,
    rooms_with_demand_letters,
    scoped_snapshot_lines,
    scoped_unknown_period_since,
)
from feedun.store.schema import contacts, letters, profiles, promises, rooms

__all__ = ["IN_LIST_SIZE", "Scope", "read_inputs", "rooms_with_demand_letters"]


def _read(conn: Connection, columns, scope: Scope | None, room_id) -> pd.DataFrame:
    """The columns' rows; with a scope, only those whose `room_id` column is a room in scope."""
    query = select(*columns)
    if scope is not None:
        query = query.where(room_id.in_(room_ids(scope)))
    return result_frame(conn.execute(query))


# The line columns the features use (decide/features.py): a line's room, phones, period and what it owes.
LINE_COLUMNS = ("estate", "room", "phones", "period", "period_end", "due_date", "outstanding")


def _lines(conn: Connection, as_of: date, scope: Scope | None) -> dict:
    if scope is None:
        return {"lines": snapshot_lines(conn, as_of, columns=LINE_COLUMNS),
                "unknown_since": unknown_period_since(conn, as_of)}
    return {"lines": scoped_snapshot_lines(conn, as_of, scope, columns=LINE_COLUMNS),
            "unknown_since": scoped_unknown_period_since(conn, as_of, scope)}


def read_inputs(conn: Connection, as_of: date, scope: Scope | None = None) -> dict:
    """lines, rooms, contacts, promises, profiles, letters: call inside `Store.read()` so all six agree.
    scope None: the whole company; else only the scope's rooms (the same rows the whole read has for them)."""
    return {
        **_lines(conn, as_of, scope),
        "rooms": _read(conn, [rooms.c.id.label("room_id"), rooms.c.estate, rooms.c.room, rooms.c.owner,
                              rooms.c.collector], scope, rooms.c.id),
        "contacts": _read(conn, [contacts.c.room_id, contacts.c.owner, contacts.c.at, contacts.c.outcome], scope,
                          contacts.c.room_id),
        "promises": _read(conn, [promises.c.room_id, promises.c.owner, promises.c.state, promises.c.promise_date],
                          scope, promises.c.room_id),
        "profiles": _read(conn, list(profiles.c), scope, profiles.c.room_id),
        "letters": _read(conn, [letters.c.room_id, letters.c.owner, letters.c.kind, letters.c.state,
                                letters.c.sent_on, letters.c.deadline], scope, letters.c.room_id),
    }
