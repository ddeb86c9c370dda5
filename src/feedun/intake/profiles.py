"""`feedun import` for owner profile sheets (业主档案): tags, vehicles, alternate contacts, workplaces.

Rows are matched to rooms that ledgers have named; each is accepted, rejected with a reason, or skipped.
The whole file lands in one transaction, like a ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import InputFileError
from feedun.intake.headers import ColumnMap, profile_columns
from feedun.intake.normalize import Reject, _skip_masks, _strip
from feedun.intake.read import Sheet
from feedun.intake.values import canonical_room, clean_text, parse_phones
from feedun.memory.profiles import TAGS, TagRequest

if TYPE_CHECKING:
    from feedun.intake.importer import ImportResult

_LABEL_TO_TAG = {label: tag for tag, label in TAGS.items()} | {tag: tag for tag in TAGS}
_YES = {"是", "y", "yes", "true", "1", "勿扰", "√", "✓"}


@dataclass
class ProfileRow:
    row: int
    estate: str
    room: str
    owner: str
    request: TagRequest


def _tags(text: str) -> tuple[list[str], list[str]]:
    words = [w for w in re.split(r"[,，、;；/|\s]+", text) if w]
    return [_LABEL_TO_TAG[w] for w in words if w in _LABEL_TO_TAG], [w for w in words if w not in _LABEL_TO_TAG]


def read_profile_rows(body: pd.DataFrame, first_row: int, cmap: ColumnMap, default_estate: str | None
                      ) -> tuple[list[ProfileRow], list[Reject], dict[str, int], int]:
    """Rows of a profile sheet as requests, plus rejects, skip counts and rows read. Rooms are not checked here."""
    data = _strip(body.reset_index(drop=True))
    blank, total, repeated = _skip_masks(data, cmap)
    skipped = {"空行": int(blank.sum()), "合计/小计行": int(total.sum()), "重复的表头行": int(repeated.sum())}
    columns = profile_columns(cmap.headers)

    def cell(values: list, name: str, fields: dict[str, int]) -> str:
        value = values[fields[name]] if name in fields else None
        return "" if value is None or value != value else clean_text(value)  # NaN: a blank cell

    rows, rejects = [], []
    previous_estate = default_estate or ""
    for index, values in enumerate(data.itertuples(index=False, name=None)):
        if blank[index] or total[index] or repeated[index]:
            continue
        number = first_row + index
        values = list(values)
        estate = cell(values, "estate", cmap.fields) or previous_estate
        previous_estate = estate
        room = canonical_room(cell(values, "building", cmap.fields), cell(values, "unit", cmap.fields),
                              cell(values, "room", cmap.fields), estate=estate)
        problems = []
        if not estate:
            problems.append("管理处为空")
        if not room:
            problems.append("房号为空")
        tags, unknown = _tags(cell(values, "tags", columns))
        if unknown:
            problems.append(f"不认识的标签：{'、'.join(unknown)}（可用：{'、'.join(TAGS.values())}）")
        alt = [t for t in [cell(values, "alt_contact", columns)] if t]
        alt += [f"紧急联系人：{t}" for t in [cell(values, "emergency_contact", columns)] if t]
        for col in cmap.phone_columns:
            value = values[col]
            good, _ = parse_phones(None if value is None or value != value else value)
            alt += [f"档案电话：{p}" for p in good]
        if problems:
            rejects.append(Reject(number, "；".join(problems)))
            continue
        dnc = cell(values, "do_not_contact", columns).lower()
        rows.append(ProfileRow(number, estate, room, cell(values, "owner", cmap.fields), TagRequest(
            room=room, estate=estate, add=tags, plate=cell(values, "plate", columns) or None,
            slot=cell(values, "slot", columns) or None, alt_contacts=alt,
            workplace=cell(values, "workplace", columns) or None,
            do_not_contact=True if dnc in _YES else None)))
    return rows, rejects, skipped, len(data)


def import_profile_sheet(path: Path, sha: str, sheet: Sheet, cmap: ColumnMap, settings: Settings, *,
                         db_url: str | None, as_of: date | None, estate: str | None) -> ImportResult:
    """Apply a profile sheet to the store in one transaction; rows for unknown rooms or other owners are rejected."""
    import json

    from sqlalchemy import select

    from feedun.intake.importer import ImportResult
    from feedun.intake.rejects import write_rejects
    from feedun.memory.profiles import apply_profile
    from feedun.store import open_store
    from feedun.store.rooms import Room
    from feedun.store.schema import imports, rooms

    body = sheet.body(cmap.header_row + 1)
    first_row = cmap.header_row + 2
    rows, rejects, skipped, rows_read = read_profile_rows(body, first_row, cmap, estate or settings.import_.estate)
    if rows_read == 0:
        raise InputFileError("表头下面没有数据行。", path=path, row=cmap.header_row + 1, hint="确认导出时选择了数据范围。")
    engine = open_store(settings.db_url(db_url))
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        known = {(r.estate, r.room): Room(r.id, r.estate, r.room, r.owner, r.collector)
                 for r in conn.execute(select(rooms))}
        if not known:
            raise InputFileError("还没有导入过台账，无法对应业主档案中的房间。", path=path,
                                 hint="先用 feedun import 导入欠费台账，再导入业主档案。")
        accepted = []
        for row in rows:
            room = known.get((row.estate, row.room))
            if room is None:
                rejects.append(Reject(row.row, f"台账中没有 {row.estate} {row.room} 这个房间"))
            elif row.owner and room.owner and row.owner != room.owner:
                rejects.append(Reject(row.row, f"业主“{row.owner}”与最新台账中的业主“{room.owner}”不一致"))
            else:
                accepted.append((row, room))
        rejects.sort(key=lambda r: r.row)
        rejects_path = None
        if rejects:
            rejects_path = write_rejects(settings.rejects_dir / f"{path.stem}-拒收行-{sha[:8]}.xlsx", cmap.headers,
                                         body, first_row, rejects, path.name)
        if not accepted:
            raise InputFileError(f"全部 {len(rejects)} 行档案都被拒收，没有导入任何内容。", path=path,
                                 hint=f"打开拒收文件查看每行的原因：{rejects_path}")
        snapshot = as_of or date.today()
        mapping = {name: cmap.headers[col] for name, col in {**cmap.fields, **profile_columns(cmap.headers)}.items()}
        import_id = conn.execute(imports.insert().values(
            kind="profiles", file_name=path.name, sha256=sha, sheet=sheet.name, as_of=snapshot, layout=None,
            rows_read=rows_read, accepted=len(accepted), rejected=len(rejects), skipped=sum(skipped.values()),
            column_mapping=json.dumps(mapping, ensure_ascii=False),
            rejects_file=str(rejects_path) if rejects_path else None, imported_at=now)).inserted_primary_key[0]
        changed = sum(1 for row, room in accepted
                      if apply_profile(conn, room, row.request, now, source="业主档案：").changes)
    return ImportResult(
        file=str(path), rows_read=rows_read, accepted=len(accepted), rejected=len(rejects),
        skipped=sum(skipped.values()), rejects_file=str(rejects_path) if rejects_path else None,
        as_of=snapshot.isoformat(), import_id=int(import_id), sheet=sheet.name, layout=None, kind="profiles",
        skipped_detail={k: c for k, c in skipped.items() if c}, column_mapping=mapping,
        changes=[f"{changed} 户业主档案有更新（标签、车辆、备用联系人、工作单位等）"] if changed else [])

