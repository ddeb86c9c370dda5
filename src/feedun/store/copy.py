"""`feedun db copy --to URL`: move a whole store (usually SQLite) into another (usually PostgreSQL).

Every table is copied with its ids, in foreign-key order, in one transaction on the target: the copy lands
whole or not at all. The target must be empty. Afterwards both stores are read again and every table's row
count and every money column's total must match, or the command says which do not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, Connection, Table, func, select, text

from feedun.core.errors import FeedunError
from feedun.store.bulk import bulk_insert
from feedun.store.frames import begin_consistent_read
from feedun.store.migrate import open_store, shown_url
from feedun.store.schema import meta, metadata

CHUNK = 20_000
SKIPPED = {meta.name}  # each store keeps its own schema stamp


@dataclass
class TableCheck:
    table: str
    rows_source: int
    rows_target: int
    totals_source: dict[str, int]  # money column -> total in fen
    totals_target: dict[str, int]

    @property
    def ok(self) -> bool:
        return self.rows_source == self.rows_target and self.totals_source == self.totals_target


@dataclass
class CopyResult:
    source: str
    target: str
    tables: list[TableCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)

    @property
    def rows(self) -> int:
        return sum(t.rows_target for t in self.tables)


def _tables() -> list[Table]:
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED]


def _money_columns(table: Table) -> list[str]:
    return [c.name for c in table.c if isinstance(c.type, BigInteger)]


def _figures(conn: Connection, table: Table) -> tuple[int, dict[str, int]]:
    money = _money_columns(table)
    row = conn.execute(select(func.count(), *(func.coalesce(func.sum(table.c[m]), 0) for m in money))
                       .select_from(table)).one()
    return int(row[0]), {m: int(v) for m, v in zip(money, row[1:], strict=True)}


def _refuse_unless_empty(conn: Connection, target: str) -> None:
    used = [t.name for t in _tables() if conn.execute(select(func.count()).select_from(t)).scalar_one()]
    if used:
        raise FeedunError(f"目标数据库 {target} 不是空的（{'、'.join(used)} 里已有数据），为避免混淆不会复制。",
                          hint="新建一个空的数据库作为目标，再运行 feedun db copy --to。")


def _reset_sequences(conn: Connection) -> None:
    """After inserting explicit ids, PostgreSQL's serial counters must move past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id":
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                              f"COALESCE((SELECT MAX({pk[0].name}) FROM {table.name}), 0) + 1, false)"))


def copy_store(source_url: str, target_url: str, progress: Callable[[str, int], None] | None = None) -> CopyResult:
    """Copy every row of the source store into the empty target store, then compare counts and totals."""
    if source_url == target_url:
        raise FeedunError("源数据库和目标数据库是同一个。", hint="--to 填新的 PostgreSQL 数据库地址。")
    source, target = open_store(source_url), open_store(target_url)
    result = CopyResult(source=shown_url(source), target=shown_url(target))
    try:
        with source.connect() as src, target.begin() as dst:
            begin_consistent_read(src)
            _refuse_unless_empty(dst, result.target)
            for table in _tables():
                names = [c.name for c in table.c]
                rows = src.execute(select(table).order_by(*table.primary_key.columns)).yield_per(CHUNK)
                for chunk in rows.partitions():
                    bulk_insert(dst, table, {name: [row[i] for row in chunk] for i, name in enumerate(names)})
                    if progress is not None:
                        progress(table.name, len(chunk))
            _reset_sequences(dst)
        with source.connect() as src, target.connect() as dst:
            begin_consistent_read(src)
            for table in _tables():
                (rows_s, totals_s), (rows_t, totals_t) = _figures(src, table), _figures(dst, table)
                result.tables.append(TableCheck(table.name, rows_s, rows_t, totals_s, totals_t))
    finally:
        source.dispose()
        target.dispose()
    return result
