"""The one way into the store for everything above `store/`: a `Store`, opened once per command and passed down.

Opening connects, checks the schema revision and migrates if needed (store/migrate.py), once. Callers never see
SQLAlchemy: they take a transaction with `store.write()` (all or nothing) or a consistent snapshot with
`store.read()`, and hand the connection it yields, unopened, to the query functions in `store/` modules. Money
stays integer fen in and out; query functions return plain values, dataclasses or pandas frames.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from feedun.store.frames import begin_consistent_read
from feedun.store.migrate import open_store, shown_url

if TYPE_CHECKING:
    from feedun.config import Settings

__all__ = ["Connection", "Store"]  # Connection: for annotations above store/, which never import SQLAlchemy


class Store:
    """An opened, current store. Cheap to pass around; opening is the expensive part and happens once."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @classmethod
    def open(cls, url: str) -> Store:
        return cls(open_store(url), url)

    @classmethod
    def for_settings(cls, settings: Settings, db_url: str | None = None) -> Store:
        """The store a command uses: --db, else FEEDUN_DB, else feedun.toml, else feedun.db beside it."""
        url = settings.db_url(db_url)
        return cls.open(url)

    def close(self) -> None:
        """Close the pooled connections now (a server store the process is done with)."""
        self.engine.dispose()

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @property
    def shown_url(self) -> str:
        """The address for people: password hidden."""
        return shown_url(self.engine)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back (all of it) on any exception."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only view of the store as of one moment, even while imports or collectors write."""
        with self.engine.connect() as conn:
            begin_consistent_read(conn)
            try:
                yield conn
            finally:
                conn.rollback()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain connection (each statement its own snapshot): for short single reads."""
        with self.engine.connect() as conn:
            yield conn
