"""The store: SQLAlchemy Core over SQLite (default) or PostgreSQL, one schema for both, migrated by Alembic."""

from feedun.store.migrate import open_store
from feedun.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "open_store"]
