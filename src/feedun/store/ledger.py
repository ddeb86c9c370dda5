"""Reading and writing ledger imports and their lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.exc import IntegrityError

from feedun.store.schema import import_estates, imports, ledger_lines

INSERT_BATCH = 20_000


@dataclass
class ImportRecord:
    kind: str
    file_name: str
    sha256: str
    sheet: str | None
    as_of: date
    layout: str
    rows_read: int
    accepted: int
    rejected: int
    skipped: int
    column_mapping: dict[str, str]
    rejects_file: str | None


def find_import(engine: Engine, sha256: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(imports).where(imports.c.sha256 == sha256)).mappings().first()
    return dict(row) if row else None


def _records(lines: pd.DataFrame, import_id: int) -> list[dict[str, Any]]:
    """Frame rows as plain Python values (no numpy scalars, NaN as None) for the DB driver."""
    frame = lines.astype(object).where(lines.notna(), None)
    frame.insert(0, "import_id", import_id)
    return frame.to_dict("records")


def save_ledger_import(engine: Engine, record: ImportRecord, lines: pd.DataFrame, estates: list[str],
                       progress=None) -> int | None:  # noqa: ANN001
    """Write the import, its estates and all its lines in one transaction; None if that file is already in."""
    try:
        with engine.begin() as conn:
            values = {**record.__dict__, "column_mapping": json.dumps(record.column_mapping, ensure_ascii=False),
                      "imported_at": datetime.now().replace(microsecond=0)}
            import_id = conn.execute(imports.insert().values(**values)).inserted_primary_key[0]
            if estates:
                conn.execute(import_estates.insert(), [{"import_id": import_id, "estate": e} for e in estates])
            for start in range(0, len(lines), INSERT_BATCH):
                chunk = lines.iloc[start:start + INSERT_BATCH]
                conn.execute(ledger_lines.insert(), _records(chunk, import_id))
                if progress is not None:
                    progress.advance(len(chunk))
    except IntegrityError:
        # Another process imported the same file between our check and our commit.
        return None
    return int(import_id)


def latest_snapshots(engine: Engine, as_of: date | None) -> dict[str, int]:
    """estate -> id of its newest ledger import on or before as_of (newest as-of date, then newest import)."""
    query = (select(import_estates.c.estate, imports.c.id, imports.c.as_of)
             .join(imports, imports.c.id == import_estates.c.import_id)
             .where(imports.c.kind == "ledger"))
    if as_of is not None:
        query = query.where(imports.c.as_of <= as_of)
    newest: dict[str, tuple[date, int]] = {}
    with engine.connect() as conn:
        for estate, import_id, snap_date in conn.execute(query):
            key = (snap_date, import_id)
            if estate not in newest or key > newest[estate]:
                newest[estate] = key
    return {estate: key[1] for estate, key in newest.items()}


def snapshot_lines(engine: Engine, as_of: date | None, only_outstanding: bool = True) -> pd.DataFrame:
    """The lines of each estate's current snapshot."""
    snapshots = latest_snapshots(engine, as_of)
    columns = [c for c in ledger_lines.c if c.name not in ("id",)]
    frames = []
    with engine.connect() as conn:
        for estate, import_id in sorted(snapshots.items()):
            conditions = [ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate]
            if only_outstanding:
                conditions.append(ledger_lines.c.outstanding > 0)
            result = conn.execute(select(*columns).where(and_(*conditions)))
            frames.append(pd.DataFrame(result.fetchall(), columns=list(result.keys())))
    if not frames:
        return pd.DataFrame(columns=[c.name for c in columns])
    return pd.concat(frames, ignore_index=True)


def count_imports(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(imports)).scalar_one())
