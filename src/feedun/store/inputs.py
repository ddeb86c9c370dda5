"""What classify reads: the snapshot's owed lines and the memory tables, as frames, from one connection."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, select

from feedun.store.frames import result_frame
from feedun.store.ledger import snapshot_lines, unknown_period_since
from feedun.store.schema import contacts, letters, profiles, promises, rooms


def _read(conn: Connection, columns) -> pd.DataFrame:
    return result_frame(conn.execute(select(*columns)))


def read_inputs(conn: Connection, as_of: date) -> dict:
    """lines, rooms, contacts, promises, profiles, letters: call inside `Store.read()` so all six agree."""
    return {
        "lines": snapshot_lines(conn, as_of),
        "unknown_since": unknown_period_since(conn, as_of),
        "rooms": _read(conn, [rooms.c.id.label("room_id"), rooms.c.estate, rooms.c.room, rooms.c.owner,
                              rooms.c.collector]),
        "contacts": _read(conn, [contacts.c.room_id, contacts.c.owner, contacts.c.at, contacts.c.outcome]),
        "promises": _read(conn, [promises.c.room_id, promises.c.owner, promises.c.state, promises.c.promise_date]),
        "profiles": _read(conn, list(profiles.c)),
        "letters": _read(conn, [letters.c.room_id, letters.c.owner, letters.c.kind, letters.c.state,
                                letters.c.sent_on, letters.c.deadline]),
    }
