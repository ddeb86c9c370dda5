"""The `imports` table: one row per file taken in, of any kind, and the transaction an import runs in.

Every importer goes through `import_transaction` (docs/design.md, "Importers"): the import row is the first write,
so the transaction holds the write lock from its start and a second process importing the same file meets the
unique sha256 at once; database failures come back as one Chinese message, never a driver's exception.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from feedun.core.errors import FeedunError
from feedun.store.rooms import Room
from feedun.store.schema import imports, rooms

if TYPE_CHECKING:
    from feedun.store.handle import Store


@dataclass
class ImportRecord:
    """What the imports table keeps about one file."""

    kind: str
    file_name: str
    sha256: str
    sheet: str | None
    as_of: date
    layout: str | None
    rows_read: int
    accepted: int
    rejected: int
    skipped: int
    column_mapping: dict[str, str]
    rejects_file: str | None


class AlreadyImported(Exception):
    """Another process committed the same file (same sha256) while this one was reading it."""


def find_import(conn: Connection, sha256: str) -> dict[str, Any] | None:
    """The import of the file with this content, as a plain dict, or None."""
    row = conn.execute(select(imports).where(imports.c.sha256 == sha256)).mappings().first()
    return dict(row) if row else None


def count_imports(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(imports)).scalar_one())


def add_import(conn: Connection, record: ImportRecord, imported_at: datetime) -> int:
    """Insert the import row; its id, for the rows the import writes."""
    values = {**record.__dict__, "column_mapping": json.dumps(record.column_mapping, ensure_ascii=False),
              "imported_at": imported_at.replace(microsecond=0)}
    return int(conn.execute(imports.insert().values(**values)).inserted_primary_key[0])


def finish_import(conn: Connection, import_id: int, *, accepted: int, rejected: int, skipped: int,
                  rejects_file: str | None) -> None:
    """The counts known only once the rows were applied (call lists and registers learn them from the store)."""
    conn.execute(update(imports).where(imports.c.id == import_id).values(
        accepted=accepted, rejected=rejected, skipped=skipped, rejects_file=rejects_file))


def rooms_by_key(conn: Connection) -> dict[tuple[str, str], Room]:
    """(estate, room) -> Room for every room the ledgers have named: what profile sheets are matched against."""
    return {(r.estate, r.room): Room(r.id, r.estate, r.room, r.owner, r.collector) for r in conn.execute(select(rooms))}


def write_failed(exc: SQLAlchemyError) -> FeedunError:
    reason = getattr(exc, "orig", None) or exc
    return FeedunError(f"写入数据库失败，本次导入已全部撤销：{reason}",
                       hint="检查磁盘空间和数据库文件的写权限后重新导入同一个文件。")


@contextmanager
def import_transaction(store: Store, sha256: str) -> Iterator[Connection]:
    """One transaction for one file: committed at the end of the block, or nothing at all.

    AlreadyImported when the file's sha256 is taken meanwhile (the caller reports that import); any other
    database error becomes a FeedunError saying that nothing was imported. FeedunErrors raised in the block
    (e.g. every row rejected) roll back and pass through unchanged.
    """
    try:
        with store.write() as tx:
            yield tx
    except IntegrityError as exc:
        with store.connect() as conn:
            if find_import(conn, sha256) is not None:
                raise AlreadyImported(sha256) from None
        raise write_failed(exc) from None
    except SQLAlchemyError as exc:
        raise write_failed(exc) from None
