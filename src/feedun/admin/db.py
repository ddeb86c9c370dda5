"""`feedun db`: the store's schema revision, explicit upgrades, and copying a store to another database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from feedun.config import Settings
from feedun.store.copy import CopyResult


@dataclass
class StoreStatus:
    url: str  # password hidden
    backend: str  # sqlite, postgresql
    revision: str | None
    head: str
    tables: dict[str, int]  # rows per table, once the schema is current

    @property
    def current(self) -> bool:
        return self.revision == self.head


def store_status(settings: Settings, db_url: str | None = None) -> StoreStatus:
    """What the store is and where its schema stands, without changing it."""
    from sqlalchemy import func, inspect, select

    from feedun.store.migrate import create_store_engine, head, shown_url, stored_revision
    from feedun.store.schema import metadata

    engine = create_store_engine(settings.db_url(db_url))
    try:
        revision = stored_revision(engine)
        existing = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            tables = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                      for t in metadata.sorted_tables if t.name in existing}
        return StoreStatus(shown_url(engine), engine.dialect.name, revision, head(),
                           tables)
    finally:
        engine.dispose()


def upgrade_store(settings: Settings, db_url: str | None = None):  # -> feedun.store.migrate.UpgradeResult
    """Bring the schema to this feedun's revision now (every command also does it when it opens the store)."""
    from feedun.store.migrate import create_store_engine, upgrade

    engine = create_store_engine(settings.db_url(db_url))
    try:
        return upgrade(engine)
    finally:
        engine.dispose()


def copy_to(settings: Settings, target_url: str, db_url: str | None = None, progress=None) -> CopyResult:
    from feedun.store.copy import copy_store

    target = target_url if "://" in target_url else f"sqlite:///{Path(target_url).resolve()}"
    return copy_store(settings.db_url(db_url), target, progress)
