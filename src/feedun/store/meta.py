"""Small facts the store keeps about itself (`meta`), each estate's newest ledger date, and the one-run-per-database lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import Connection, Engine, select

from feedun.store.ledger import latest_snapshots
from feedun.store.schema import imports, meta

RUN_LOCK_KEY = 0x66656564 + 1  # beside migrate.PG_LOCK_KEY


def get_value(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar()


def set_value(conn: Connection, key: str, value: str) -> None:
    if get_value(conn, key) is None:
        conn.execute(meta.insert().values(key=key, value=value))
    else:
        conn.execute(meta.update().where(meta.c.key == key).values(value=value))


def newest_ledger_dates(conn: Connection, as_of: date) -> dict[str, date]:
    """estate -> the as-of date of its own newest ledger snapshot on or before `as_of` (estates without one absent)."""
    snapshots = latest_snapshots(conn, as_of)
    if not snapshots:
        return {}
    query = select(imports.c.id, imports.c.as_of).where(imports.c.id.in_(set(snapshots.values())))
    dates = {import_id: as_of for import_id, as_of in conn.execute(query)}
    return {estate: dates[import_id] for estate, import_id in snapshots.items()}


@contextmanager
def database_run_lock(engine: Engine) -> Iterator[bool]:
    """On PostgreSQL, hold a session advisory lock for one `feedun run` per company database, whichever machine
    starts it; yields False when another run holds it. The server releases it if the process dies. A SQLite
    store lives on one machine, where the lock file beside the config already decides: always True."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        got = bool(conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({RUN_LOCK_KEY})").scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({RUN_LOCK_KEY})")
                conn.commit()
