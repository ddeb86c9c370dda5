"""`feedun db`: the store's schema revision, explicit upgrades, and copying a store to another database.

Status and upgrade work on a store that has not been migrated by opening it (store/status.py `inspecting`), so an
old store is shown as it is and upgraded only when someone asks; copying opens both stores itself (store/copy.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from feedun.config import Settings
from feedun.store import status as queries
from feedun.store.copy import CopyResult, copy_store

if TYPE_CHECKING:
    from feedun.store import Store
    from feedun.store.migrate import UpgradeResult


@dataclass
class StoreStatus:
    url: str  # password hidden
    backend: str  # sqlite, postgresql
    revision: str | None
    head: str
    tables: dict[str, int]  # rows per table that exists

    @property
    def current(self) -> bool:
        return self.revision == self.head


def store_status(store: Store | Settings, db_url: str | None = None) -> StoreStatus:
    """What the store is and where its schema stands, without changing it.

    Pass a Store from `store.status.inspecting(url)` (an opened Store has been migrated already). Settings
    (with `db_url`) is still accepted for callers that do not hold a Store (admin/demo.py)."""
    if isinstance(store, Settings):
        with queries.inspecting(store.db_url(db_url)) as inspected:
            return store_status(inspected)
    with store.connect() as conn:
        revision = queries.schema_revision(conn)
        tables = queries.row_counts(conn)
    return StoreStatus(store.shown_url, store.backend, revision, queries.head(), tables)


def upgrade_store(store: Store) -> UpgradeResult:
    """Bring the schema to this feedun's revision now (every command also does it when it opens the store)."""
    return queries.upgrade_schema(store)


def target_url(target: str) -> str:
    """`--to` as a database URL: a bare file name means a new SQLite file (a verified backup)."""
    return target if "://" in target else f"sqlite:///{Path(target).resolve()}"


def copy_to(settings: Settings, target: str, db_url: str | None = None, progress=None) -> CopyResult:
    """Copy the configured store (or `db_url`) into the empty store at `target`, then compare them table by table."""
    return copy_store(settings.db_url(db_url), target_url(target), progress)
