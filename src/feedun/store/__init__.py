"""The store: SQLAlchemy Core over SQLite (default) or PostgreSQL, one schema for both."""

from feedun.store.schema import SCHEMA_VERSION, open_store

__all__ = ["SCHEMA_VERSION", "open_store"]
