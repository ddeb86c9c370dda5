"""Filled call lists (催缴清单) read back: rows with a result become contacts (and promises).

Rows are found by the hidden key column, so a list that was re-sorted, filtered or annotated reads back exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.core.vocab import CHANNEL_LABELS, OUTCOME_LABELS, Channel, ImportKind, Outcome
from feedun.intake.normalize import Reject
from feedun.intake.protocol import Applied, Extracted, FoundSheet, Options, Transaction
from feedun.intake.values import canonical_room, clean_text, parse_date
from feedun.memory.contacts import ContactRequest, parse_money, parse_time, record_contacts
from feedun.outputs.calllist import KEY_HEADER, OWNER_KEY_HEADER, TOTAL_LABEL
from feedun.store.rooms import Room, find_room, rooms_by_code

# What a collector may type (or pick from the list's drop-down) in 结果 and 联系方式: the label or the id.
_OUTCOME_CODES: dict[str, Outcome] = {label: code for code, label in OUTCOME_LABELS.items()} | {o: o for o in Outcome}
_CHANNEL_CODES: dict[str, Channel] = {label: code for code, label in CHANNEL_LABELS.items()} | {c: c for c in Channel}


KEY = clean_text(KEY_HEADER)  # headers are compared after NFKC: （） becomes ()
OWNER_KEY = clean_text(OWNER_KEY_HEADER)


def is_call_list(headers: list[str]) -> bool:
    """A call list feedun wrote (`feedun calls`), filled and handed back: it has the hidden key column."""
    return KEY in [clean_text(h) for h in headers]


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else clean_text(value)


def _cells(column: pd.Series) -> list[str]:
    """_cell of each cell of a column, worked out once per distinct value (a list's results, dates and
    channels repeat: 972k clean_text calls, 4.3 s, for a list of 75k rows), in row order."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    cleaned = [*(_cell(u) for u in uniques), ""]  # code -1 (a blank cell) picks the last
    return [cleaned[c] for c in codes.tolist()]


def _when(text: str, column: str, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        return parse_time(text, column, now)
    except FeedunError:
        day = parse_date(text)  # an Excel serial or a bare date: ValueError with a reason when it is neither
        return datetime.combine(day, time(12, 0)) if day else None


@dataclass
class CallRow:
    """A filled row: the contact it records, and who the list said owned the room then."""

    row: int
    estate: str
    room: str
    owner: str  # from the hidden owner key column; "" when the list predates it
    request: ContactRequest


def _call_row(number: int, cells: dict[str, str], by: str, now: datetime) -> CallRow:
    """One row with a result as a contact request; ValueError or FeedunError with the reason it is refused."""
    result = cells.get("结果", "")
    estate, _, room_code = cells.get(KEY, "").partition("|")
    if not room_code:
        raise ValueError("找不到房间键（隐藏的“键（勿改）”列被删改了）")
    outcome = _OUTCOME_CODES.get(result)
    if outcome is None:
        raise ValueError(f"不认识的结果“{result}”，请从下拉列表中选择")
    channel = _CHANNEL_CODES.get(cells.get("联系方式", "") or CHANNEL_LABELS[Channel.CALL])
    if channel is None:
        raise ValueError(f"不认识的联系方式“{cells['联系方式']}”")
    at = _when(cells.get("联系时间", ""), "联系时间", now)
    if at is None:
        raise ValueError("联系时间为空")
    promise_date = parse_date(cells["承诺日期"]) if cells.get("承诺日期") else None
    request = ContactRequest(
        room=room_code, estate=estate, outcome=outcome, channel=channel, at=at,
        promise_date=promise_date if isinstance(promise_date, date) else None,
        promise_amount=parse_money(cells.get("承诺金额") or None, "承诺金额"),
        callback_at=_when(cells.get("回电时间", ""), "回电时间", now), by=by, note=cells.get("备注", ""))
    return CallRow(number, estate, room_code, cells.get(OWNER_KEY, ""), request)


@lru_cache(maxsize=4096)
def _canonical(estate: str, room: str) -> tuple[str, str]:
    return clean_text(estate), canonical_room(None, None, room, estate=estate)


def _room_key(row: CallRow) -> tuple[str, str]:
    """(estate, room code) as find_room reads the row's key, to look the room up with all the others at once."""
    return _canonical(row.estate, row.room)


def _reason(exc: ValueError | FeedunError) -> str:
    reason = exc.message if isinstance(exc, FeedunError) else str(exc)
    return reason.replace("--promise-amount", "承诺金额")  # the column, not `feedun log`'s option


class CallListImporter:
    """Rows with a result become contacts (and promises); rows are found by the hidden key column, so a list that
    was re-sorted, filtered or annotated reads back exactly."""

    kind = ImportKind.CALLS

    def identify(self, found: FoundSheet) -> bool:
        return is_call_list(found.headers)

    def extract(self, found: FoundSheet, settings: Settings, options: Options) -> Extracted:
        headers = [clean_text(h) for h in found.sheet.preview()[found.header_row]]
        col = {h: i for i, h in enumerate(headers) if h}
        body = found.sheet.body(found.header_row + 1)
        first_row = found.header_row + 2
        stem = Path(found.path).stem
        by = clean_text(stem.split("-")[1]) if stem.count("-") >= 2 else ""  # 催缴清单-李管家-2026-11-27
        rows: list[CallRow] = []
        rejects: list[Reject] = []
        skipped = {"未填写结果": 0, "空行": 0, "合计行": 0, "已记录过": 0}
        names = list(col)
        columns = [_cells(body.iloc[:, i]) if i < body.shape[1] else [""] * len(body) for i in col.values()]
        for index, values in enumerate(zip(*columns, strict=True) if columns else [()] * len(body)):
            number = first_row + index
            cells = dict(zip(names, values, strict=True))
            if not any(cells.values()):
                skipped["空行"] += 1
            elif not cells.get(KEY) and cells.get("序号") == TOTAL_LABEL:
                skipped["合计行"] += 1  # the printed list's totals row, wherever a re-sort put it
            elif not cells.get("结果", ""):
                skipped["未填写结果"] += 1
            else:
                try:
                    rows.append(_call_row(number, cells, by, options.now))
                except (ValueError, FeedunError) as exc:
                    rejects.append(Reject(number, _reason(exc)))
        return Extracted(
            path=found.path, sheet=found.sheet.name, as_of=options.now.date(), rows=rows, rows_read=len(body), headers=headers,
            body=body, first_row=first_row, rejects=rejects, skipped=skipped, column_mapping={h: h for h in col})

    def apply(self, tx: Transaction, extracted: Extracted, settings: Settings, *, import_id: int,
              options: Options) -> Applied:
        rejects: list[Reject] = []
        accepted = duplicates = 0
        found = rooms_by_code(tx, {_room_key(row) for row in extracted.rows})
        to_record: list[tuple[CallRow, Room]] = []
        for row in extracted.rows:
            try:
                room = found.get(_room_key(row)) or find_room(tx, row.room, row.estate)  # find_room says why not
                if row.owner and room.owner and row.owner != room.owner:
                    raise ValueError(f"房间业主已变更为“{room.owner}”，这一行记录的是原业主“{row.owner}”")
            except (ValueError, FeedunError) as exc:
                rejects.append(Reject(row.row, _reason(exc)))
                continue
            to_record.append((row, room))
        logged = record_contacts(tx, [(room, row.request) for row, room in to_record], options.now)
        for (row, _), result in zip(to_record, logged, strict=True):
            if isinstance(result, FeedunError):
                rejects.append(Reject(row.row, _reason(result)))
            elif result.duplicate:
                duplicates += 1
            else:
                accepted += 1
        rejects.sort(key=lambda reject: reject.row)
        refused = None
        total_rejects = len(extracted.rejects) + len(rejects)
        if accepted == 0 and total_rejects and not duplicates:
            refused = f"全部 {total_rejects} 行联系记录都被拒收，没有导入任何内容。"
        return Applied(accepted, rejects=rejects, skipped={"已记录过": duplicates}, refused=refused,
                       changes=[f"{accepted} 条联系记录已登记"] if accepted else [])
