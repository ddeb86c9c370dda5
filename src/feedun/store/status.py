"""What a store is and where its schema stands, read without changing it (`feedun db status`, `db upgrade`).

Every other command opens its store with `Store.open`/`Store.for_settings`, which migrates at once. These two
must see an old store as it is, so they get a `Store` on an engine that has not been migrated (`inspecting`) and
ask for the upgrade explicitly (see docs/design.md, "The store boundary").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, func, inspect, select

from feedun.store.handle import Store
from feedun.store.migrate import UpgradeResult, create_store_engine, current_revision, head, upgrade
from feedun.store.schema import metadata

__all__ = ["UpgradeResult", "head", "inspecting", "row_counts", "schema_revision", "upgrade_schema"]


@contextmanager
def inspecting(url: str) -> Iterator[Store]:
    """A Store on `url` that is neither created nor migrated by opening it; its connections close afterwards."""
    engine = create_store_engine(url)
    try:
        yield Store(engine, url)
    finally:
        engine.dispose()


def schema_revision(conn: Connection) -> str | None:
    """The store's Alembic revision; None for an empty database."""
    return current_revision(conn)


def row_counts(conn: Connection) -> dict[str, int]:
    """Rows per feedun table that exists, in foreign-key order (tables a newer revision adds are left out)."""
    existing = set(inspect(conn).get_table_names())
    return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables if t.name in existing}


def upgrade_schema(store: Store) -> UpgradeResult:
    """Apply the migrations the store lacks, now, in one locked transaction (store/migrate.py)."""
    return upgrade(store.engine)
