"""Tables, the schema version, and opening a store."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from feedun.errors import FeedunError

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # ledger (later: calls, profiles)
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("sheet", Text),
    Column("as_of", Date, nullable=False),
    Column("layout", String(8)),
    Column("rows_read", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("skipped", Integer, nullable=False),
    Column("column_mapping", Text, nullable=False),  # JSON: field -> header as written
    Column("rejects_file", Text),
    Column("imported_at", DateTime, nullable=False),
)

# Which estates an import is a snapshot of: the newest import of an estate is its current ledger.
import_estates = Table(
    "import_estates", metadata,
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
    Column("estate", String(200), primary_key=True),
)

# Money is integer fen; NULL where the ledger did not say (e.g. amount_due in a wide layout).
ledger_lines = Table(
    "ledger_lines", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", Integer, ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
    Column("source_row", Integer, nullable=False),
    Column("estate", String(200), nullable=False),
    Column("building", String(50), nullable=False),
    Column("unit", String(50), nullable=False),
    Column("room", String(100), nullable=False),
    Column("owner", Text, nullable=False),
    Column("phones", Text, nullable=False),  # comma-separated valid numbers
    Column("phones_invalid", Text, nullable=False),  # what the ledger said that is not a number
    Column("area", Float),
    Column("fee_item", String(100), nullable=False),
    Column("period", String(7), nullable=False),  # YYYY-MM, start month
    Column("period_end", String(7)),  # YYYY-MM when the line covers a range
    Column("due_date", Date),
    Column("amount_due", BigInteger),
    Column("paid", BigInteger),
    Column("discount", BigInteger),
    Column("outstanding", BigInteger, nullable=False),
    Column("late_fee", BigInteger, nullable=False),
    Column("remark", Text, nullable=False),
)
Index("ix_ledger_lines_import_estate_room", ledger_lines.c.import_id, ledger_lines.c.estate, ledger_lines.c.room)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")  # cron and a person may import at the same time
    cursor.close()


def _create_schema(engine: Engine, attempts: int = 5) -> None:
    """create_all, tolerating another process creating the same tables at the same moment."""
    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                metadata.create_all(conn)
            return
        except OperationalError as exc:
            if "already exists" not in str(exc.orig) or attempt == attempts - 1:
                raise


def open_store(url: str) -> Engine:
    """Connect, create the schema on first use, and refuse a store from a newer feedun."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _create_schema(engine)
        with engine.connect() as conn:
            version = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        if version is None:
            try:
                with engine.begin() as conn:
                    conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            except IntegrityError:
                pass  # another process stamped it first
        elif int(version) > SCHEMA_VERSION:
            raise FeedunError(
                f"数据库的结构版本是 {version}，比当前 feedun 支持的 {SCHEMA_VERSION} 新。",
                hint="请升级 feedun 后再使用这个数据库。")
    except OperationalError as exc:
        raise FeedunError(f"无法打开数据库：{exc.orig}", hint="检查 --db / FEEDUN_DB / feedun.toml 中的数据库地址和权限。") from None
    return engine
