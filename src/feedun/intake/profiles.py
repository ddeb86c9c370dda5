"""Owner profile sheets (业主档案): tags, vehicles, alternate contacts, workplaces.

Rows are matched to rooms that ledgers have named; each is accepted, rejected with a reason, or skipped.
The whole file lands in one transaction, like a ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import InputFileError
from feedun.core.vocab import TAG_LABELS, ImportKind, Tag
from feedun.intake.headers import ColumnMap, profile_columns, receipt_columns, sheet_kind
from feedun.intake.normalize import (
    SKIP_BLANK,
    SKIP_FOOTER,
    SKIP_HEADER,
    SKIP_TOTAL,
    Reject,
    skip_masks,
    strip_cells,
)
from feedun.intake.protocol import Applied, Extracted, FoundSheet, Options, Transaction
from feedun.intake.values import canonical_room, clean_text, parse_phones
from feedun.memory.profiles import TagRequest, apply_profile
from feedun.store.imports import rooms_by_key

# A tag may be written as its label (带头人) or its id (leader).
_LABEL_TO_TAG: dict[str, Tag] = {label: tag for tag, label in TAG_LABELS.items()} | {t: t for t in Tag}
_YES = {"是", "y", "yes", "true", "1", "勿扰", "√", "✓"}


@dataclass
class ProfileRow:
    row: int
    estate: str
    room: str
    owner: str
    request: TagRequest


def _tags(text: str) -> tuple[list[Tag], list[str]]:
    words = [w for w in re.split(r"[,，、;；/|\s]+", text) if w]
    return [_LABEL_TO_TAG[w] for w in words if w in _LABEL_TO_TAG], [w for w in words if w not in _LABEL_TO_TAG]


def read_profile_rows(body: pd.DataFrame, first_row: int, cmap: ColumnMap, default_estate: str | None
                      ) -> tuple[list[ProfileRow], list[Reject], dict[str, int], int]:
    """Rows of a profile sheet as requests, plus rejects, skip counts and rows read. Rooms are not checked here."""
    data = strip_cells(body.reset_index(drop=True))
    blank, total, repeated, footer = skip_masks(data, cmap)
    skipped = {SKIP_BLANK: int(blank.sum()), SKIP_TOTAL: int(total.sum()), SKIP_HEADER: int(repeated.sum()),
               SKIP_FOOTER: int(footer.sum())}
    columns = profile_columns(cmap.headers)

    def cell(values: list, name: str, fields: dict[str, int]) -> str:
        value = values[fields[name]] if name in fields else None
        return "" if value is None or value != value else clean_text(value)  # NaN: a blank cell

    rows, rejects = [], []
    previous_estate = default_estate or ""
    for index, values in enumerate(data.itertuples(index=False, name=None)):
        if blank[index] or total[index] or repeated[index] or footer[index]:
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
            problems.append(f"不认识的标签：{'、'.join(unknown)}（可用：{'、'.join(TAG_LABELS.values())}）")
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


class ProfileImporter:
    """Rows are matched to rooms that ledgers have named; each is accepted, rejected with a reason, or skipped.
    A row naming another owner than the newest ledger is rejected (the room changed hands)."""

    kind = ImportKind.PROFILES

    def identify(self, found: FoundSheet) -> bool:
        return sheet_kind(found.cmap, found.headers) == "profiles" and not receipt_columns(found.headers)

    def extract(self, found: FoundSheet, settings: Settings, options: Options) -> Extracted:
        cmap = found.cmap
        body = found.sheet.body(cmap.header_row + 1)
        first_row = cmap.header_row + 2
        rows, rejects, skipped, rows_read = read_profile_rows(body, first_row, cmap,
                                                              options.estate or settings.import_.estate)
        if rows_read == 0:
            raise InputFileError("表头下面没有数据行。", path=found.path, row=cmap.header_row + 1,
                                 hint="确认导出时选择了数据范围。")
        mapping = {name: cmap.headers[col] for name, col in {**cmap.fields, **profile_columns(cmap.headers)}.items()}
        return Extracted(
            path=found.path, sheet=found.sheet.name, as_of=options.as_of or date.today(), rows=rows, rows_read=rows_read,
            headers=cmap.headers, body=body, first_row=first_row, rejects=rejects, skipped=skipped,
            column_mapping=mapping)

    def apply(self, tx: Transaction, extracted: Extracted, settings: Settings, *, import_id: int,
              options: Options) -> Applied:
        known = rooms_by_key(tx)
        if not known:
            raise InputFileError("还没有导入过台账，无法对应业主档案中的房间。", path=extracted.path,
                                 hint="先用 feedun import 导入欠费台账，再导入业主档案。")
        accepted, rejects = [], []
        for row in extracted.rows:
            room = known.get((row.estate, row.room))
            if room is None:
                rejects.append(Reject(row.row, f"台账中没有 {row.estate} {row.room} 这个房间"))
            elif row.owner and room.owner and row.owner != room.owner:
                rejects.append(Reject(row.row, f"业主“{row.owner}”与最新台账中的业主“{room.owner}”不一致"))
            else:
                accepted.append((row, room))
        if not accepted:
            return Applied(0, rejects=rejects,
                           refused=f"全部 {len(extracted.rejects) + len(rejects)} 行档案都被拒收，没有导入任何内容。")
        now = options.now.replace(microsecond=0)
        changed = sum(1 for row, room in accepted
                      if apply_profile(tx, room, row.request, now, source="业主档案：").changes)
        return Applied(len(accepted), rejects=rejects,
                       changes=[f"{changed} 户业主档案有更新（标签、车辆、备用联系人、工作单位等）"] if changed else [])
