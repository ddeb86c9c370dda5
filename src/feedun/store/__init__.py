"""The store: SQLAlchemy Core over SQLite (default) or PostgreSQL, one schema for both, migrated by Alembic.

Everything above this package uses `Store` (store/handle.py) and the query functions of the modules here;
no module outside `store/` imports SQLAlchemy.
"""

from feedun.store.handle import Store
from feedun.store.migrate import open_store
from feedun.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Store", "open_store"]
