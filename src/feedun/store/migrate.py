"""Opening a store and keeping its schema current with Alembic.

Every open checks the store's Alembic revision (one query). A store that is behind is upgraded at once, inside
one locked transaction: PostgreSQL takes an advisory lock, SQLite a `BEGIN IMMEDIATE` on a connection whose DDL
is transactional, so two processes opening an old store migrate it once and a failed migration leaves it as it
was. A store from a newer feedun is refused. Stores made before Alembic (no alembic_version table) are brought
in by the baseline migration, which only creates the tables they lack.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from feedun.core.errors import FeedunError

MIGRATIONS = Path(__file__).with_name("migrations")
PG_LOCK_KEY = 0x66656564  # "feed": one advisory lock id for schema changes
DB_HINT = "检查 --db / FEEDUN_DB / feedun.toml 中的数据库地址和权限。"


@dataclass
class UpgradeResult:
    before: str | None  # None: a new, empty store
    after: str
    applied: list[str]


@cache
def _script():  # alembic.script.ScriptDirectory, imported only when a store opens
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def head() -> str:
    return _script().get_current_head()


# The newest migration's revision (tests/store holds it to Alembic's own head): a store already at it is opened
# with one plain query, without importing Alembic or reading the migration scripts (0.2 s of every command).
HEAD = "0003"


def _stored_revision(conn: Connection) -> str | None:
    """The revision in alembic_version, read as Alembic reads it; None when the table is missing or does not hold
    exactly one row (then Alembic itself looks)."""
    try:
        rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:  # no such table (a new store, or one from before Alembic)
        conn.rollback()
        return None
    return rows[0] if len(rows) == 1 else None


def current_revision(conn: Connection) -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


BUSY_SECONDS = 30.0  # how long a connection waits for another one's lock (busy_timeout)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")  # cron and a person may import at once
    _wal(cursor)  # readers never block the collector who is logging a call
    cursor.close()


def _wal(cursor, pause: float = 0.02) -> None:
    """PRAGMA journal_mode=WAL, waiting out another connection that is switching the same new store.

    The switch needs the store to itself. When two processes open a store that does not exist yet (cron and a
    person importing at the same moment), the one that already holds a read lock while the other writes gets
    "database is locked" at once: SQLite does not call the busy handler there, as waiting could deadlock. Once
    the other has switched, the pragma finds WAL and needs no lock, so it is tried again, for as long as
    busy_timeout would have waited (1-2 of 100 pairs of fresh imports failed at `open_store` without this).
    """
    import sqlite3
    import time

    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(pause)


def create_store_engine(url: str) -> Engine:
    """An engine with feedun's connection settings, without touching the schema."""
    try:
        engine = create_engine(url)
    except ModuleNotFoundError as exc:
        raise FeedunError(f"缺少数据库驱动 {exc.name}，无法连接 {url.split('://')[0]}。",
                          hint="使用 PostgreSQL 时请安装：pip install 'feedun[postgresql]'") from None
    except Exception as exc:  # a malformed URL
        raise FeedunError(f"数据库地址无法识别：{exc}", hint=DB_HINT) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def shown_url(engine: Engine) -> str:
    """The store's address for people: password hidden, a SQLite path as written (not percent-encoded)."""
    if engine.dialect.name == "sqlite":
        return f"sqlite:///{engine.url.database}"
    return engine.url.render_as_string(hide_password=True)


def _explain(exc: DBAPIError) -> FeedunError:
    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    return FeedunError(f"无法打开数据库：{detail}", hint=DB_HINT)


_servers: dict[str, Engine] = {}  # one pool per server URL and process; SQLite files are cheap to reopen


def open_store(url: str) -> Engine:
    """Connect, bring the schema to the current revision if it is behind, refuse a store from a newer feedun."""
    engine = _servers.get(url) or create_store_engine(url)
    try:
        with engine.connect() as conn:
            current = _stored_revision(conn)
            if current != HEAD:
                current = current_revision(conn)
        if current != HEAD and current != head():
            upgrade(engine)
    except DBAPIError as exc:
        _servers.pop(url, None)
        engine.dispose()
        raise _explain(exc) from None
    except FeedunError:
        _servers.pop(url, None)
        engine.dispose()
        raise
    if engine.dialect.name != "sqlite":
        _servers[url] = engine
    return engine


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """One connection in one transaction that no other feedun process can be migrating at the same time."""
    if engine.dialect.name == "sqlite":
        # pysqlite commits before DDL on its own; take the transaction over so the migration is all-or-nothing.
        locked = create_engine(engine.url)

        @event.listens_for(locked, "connect")
        def _no_implicit_transactions(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(locked, "begin")
        def _begin_immediate(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        try:
            with locked.begin() as conn:
                yield conn
        finally:
            locked.dispose()
    else:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_LOCK_KEY})")
            yield conn


def _refuse_newer(current: str) -> None:
    from alembic.util import CommandError

    try:
        known = _script().get_revision(current) is not None
    except CommandError:
        known = False
    if not known:
        raise FeedunError(f"数据库的结构版本是 {current}，比当前 feedun（{head()}）新。",
                          hint="请先升级 feedun（pip install -U feedun），再使用这个数据库。")


def upgrade(engine: Engine) -> UpgradeResult:
    """Apply every migration the store lacks, in one locked transaction."""
    from alembic import command
    from alembic.config import Config

    from feedun.store.schema import SCHEMA_VERSION, meta

    try:
        with _migration_connection(engine) as conn:
            before = current_revision(conn)
            if before == head():
                return UpgradeResult(before, before, [])
            if before is not None:
                _refuse_newer(before)
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            after = current_revision(conn)
            conn.execute(meta.delete().where(meta.c.key == "schema_version"))
            conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
    except ProgrammingError as exc:
        if "permission denied" in str(exc.orig).lower() or "insufficient" in str(exc.orig).lower():
            raise FeedunError("数据库需要升级表结构，但当前数据库用户没有建表/改表权限。",
                              hint="请由数据库管理员（表的所有者）运行 feedun db upgrade，之后普通用户即可正常使用。") from None
        raise
    except OperationalError as exc:
        raise _explain(exc) from None
    revisions = [r.revision for r in _script().iterate_revisions(after, before or "base")]
    return UpgradeResult(before, after, list(reversed(revisions)))


def stored_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return current_revision(conn)

