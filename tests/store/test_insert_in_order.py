"""store.bulk.insert_in_order (issue 18): rows written in one executemany on SQLite, ids taken from the run
ending at last_insert_rowid(). They must be the ids SQLAlchemy's INSERT ... RETURNING (sorted by parameter order)
gives, which the contact and promise writers used before and PostgreSQL still uses.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select

from feedun.config import Settings
from feedun.core.vocab import Channel, Outcome
from feedun.store import Store
from feedun.store.bulk import insert_in_order
from feedun.store.contacts import ContactEntry, insert_contacts
from feedun.store.schema import contacts, rooms

BATCHES = (250, 1, 40)
RECORDED = datetime(2026, 12, 3, 8, 0)


def _entries(n: int, start: int) -> list[ContactEntry]:
    return [ContactEntry(at=datetime(2026, 11, 1, 9) + timedelta(minutes=start + i), owner=f"业主{start + i}",
                         channel=Channel.CALL, outcome=Outcome.PROMISED if i % 3 == 0 else Outcome.NO_ANSWER,
                         promise_date=date(2026, 12, 1) if i % 3 == 0 else None,
                         promise_amount=1000 * i if i % 6 == 0 else None, callback_at=None, by="王管家",
                         note="" if i % 2 else "说“月底交”") for i in range(n)]


def _returning(conn, entries: list[tuple[int, ContactEntry]]) -> list[int]:
    """What insert_contacts did before: SQLAlchemy's ordered RETURNING."""
    values = [{"room_id": room_id, "owner": e.owner, "at": e.at, "channel": e.channel, "outcome": e.outcome,
               "promise_date": e.promise_date, "promise_amount": e.promise_amount, "callback_at": e.callback_at,
               "by": e.by, "note": e.note, "recorded_at": RECORDED} for room_id, e in entries]
    returned = conn.execute(contacts.insert().returning(contacts.c.id, sort_by_parameter_order=True), values)
    return [int(x) for x in returned.scalars()]


def _write(store: Store, insert_fn) -> tuple[list[list[int]], list[tuple]]:
    """Three batches of contacts; after the second, its newest row is deleted (SQLite then hands its id out
    again). The ids of each batch, and every row as stored."""
    with store.write() as conn:
        room_ids = [conn.execute(insert(rooms).values(estate="翠湖苑", room=f"1-1-{i}", owner="张三"))
                    .inserted_primary_key[0] for i in range(3)]
        ids, start = [], 0
        for k, n in enumerate(BATCHES):
            ids.append(insert_fn(conn, [(room_ids[i % 3], e) for i, e in enumerate(_entries(n, start))]))
            start += n
            if k == 1:
                conn.execute(delete(contacts).where(contacts.c.id == ids[-1][-1]))
        return ids, [tuple(r) for r in conn.execute(select(contacts).order_by(contacts.c.id))]


def test_each_id_names_the_row_written_for_it(store):
    ids, rows = _write(store, lambda conn, entries: insert_contacts(conn, entries, RECORDED))
    assert [len(batch) for batch in ids] == list(BATCHES)
    by_id = {row[0]: row for row in rows}
    start = 0
    for k, (batch, n) in enumerate(zip(ids, BATCHES, strict=True)):
        assert batch == sorted(batch) and len(set(batch)) == n
        for row_id, entry in zip(batch, _entries(n, start), strict=True):
            if k != 1:  # the second batch's one row was deleted (and its id may name a later row)
                assert (by_id[row_id][2], by_id[row_id][3]) == (entry.owner, entry.at)
        start += n
    assert len(rows) == sum(BATCHES) - 1


@pytest.mark.sqlite_only  # two stores side by side; on PostgreSQL insert_in_order is RETURNING itself
def test_the_same_ids_and_rows_as_returning_on_sqlite(tmp_path: Path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    ours = _write(Store.for_settings(Settings(workspace=tmp_path / "a")),
                  lambda conn, entries: insert_contacts(conn, entries, RECORDED))
    reference = _write(Store.for_settings(Settings(workspace=tmp_path / "b")), _returning)
    assert ours == reference
    assert ours[0][2][0] == ours[0][1][0]  # the deleted id was given out again, in both


def test_nothing_to_insert(store):
    with store.write() as conn:
        assert insert_in_order(conn, contacts, []) == []
        assert conn.execute(select(func.count()).select_from(contacts)).scalar_one() == 0


def test_the_small_writers_do_not_import_pandas():
    """feedun history and feedun log stay light: the bulk writers they reach (store/bulk.py) need no pandas
    (importing it alone takes most of a second on a small machine)."""
    import subprocess
    import sys

    code = ("import sys, feedun.store.contacts, feedun.store.promises, feedun.store.bulk, feedun.memory.history; "
            "print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
