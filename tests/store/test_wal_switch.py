"""Two processes opening a SQLite store that does not exist yet (cron and a person importing at the same moment):
switching it to WAL, the one holding a read lock while the other writes got "database is locked" at once, with no
busy wait (SQLite avoids a deadlock there), and `feedun import` failed with 「无法打开数据库：database is locked」
(1-2 of 100 pairs of fresh imports; seen in CI as tests/intake/test_import_store.py's two-process test failing).
store/migrate.py `_wal` tries the switch again until busy_timeout would have given up.

The race itself cannot be arranged from outside SQLite, so the switch is driven here through a cursor that answers
as SQLite does; the two-process test keeps the real thing.
"""

from __future__ import annotations

import sqlite3

import pytest

import feedun.store.migrate as migrate

pytestmark = pytest.mark.no_store


class Cursor:
    """Answers PRAGMA journal_mode=WAL with these errors first, then succeeds."""

    def __init__(self, *errors: str) -> None:
        self.errors, self.calls = list(errors), 0

    def execute(self, sql: str) -> None:
        assert sql == "PRAGMA journal_mode=WAL"
        self.calls += 1
        if self.errors:
            raise sqlite3.OperationalError(self.errors.pop(0))


def test_the_switch_waits_out_the_other_process() -> None:
    cursor = Cursor("database is locked", "database is locked")
    migrate._wal(cursor, pause=0)
    assert cursor.calls == 3


def test_other_errors_are_not_retried() -> None:
    cursor = Cursor("disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        migrate._wal(cursor, pause=0)
    assert cursor.calls == 1


def test_it_gives_up_when_busy_timeout_would(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate, "BUSY_SECONDS", 0.05)
    cursor = Cursor(*["database is locked"] * 10_000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        migrate._wal(cursor, pause=0.01)
    assert 2 <= cursor.calls < 10_000


def test_a_real_store_is_in_wal_mode(tmp_path) -> None:
    engine = migrate.create_store_engine(f"sqlite:///{tmp_path}/feedun.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 30_000
    engine.dispose()
