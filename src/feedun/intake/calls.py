"""`feedun import` for filled call lists: rows with a result become contacts (and promises).

Rows are found by the hidden key column, so a list that was re-sorted, filtered or annotated reads back exactly.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from feedun.config import Settings
from feedun.core.errors import FeedunError, InputFileError
from feedun.intake.normalize import Reject
from feedun.intake.read import Sheet
from feedun.intake.values import clean_text, parse_date
from feedun.memory.contacts import CHANNELS, OUTCOMES, ContactRequest, parse_money, parse_time, record_contact
from feedun.outputs.calllist import KEY_HEADER, OWNER_KEY_HEADER

if TYPE_CHECKING:
    from feedun.intake.importer import ImportResult

_OUTCOME_CODES = {label: code for code, label in OUTCOMES.items()} | {code: code for code in OUTCOMES}
_CHANNEL_CODES = {label: code for code, label in CHANNELS.items()} | {code: code for code in CHANNELS}


KEY = clean_text(KEY_HEADER)  # headers are compared after NFKC: （） becomes ()
OWNER_KEY = clean_text(OWNER_KEY_HEADER)


def is_call_list(headers: list[str]) -> bool:
    return KEY in [clean_text(h) for h in headers]


def _cell(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else clean_text(value)


def _when(text: str, column: str, now: datetime) -> datetime | None:
    if not text:
        return None
    try:
        return parse_time(text, column, now)
    except FeedunError:
        day = parse_date(text)  # an Excel serial or a bare date: ValueError with a reason when it is neither
        return datetime.combine(day, time(12, 0)) if day else None


def import_call_list(path: Path, sha: str, sheet: Sheet, header_row: int, settings: Settings, *,
                     db_url: str | None) -> ImportResult:
    from feedun.intake.importer import ImportResult
    from feedun.intake.rejects import write_rejects
    from feedun.store import open_store
    from feedun.store.rooms import find_room
    from feedun.store.schema import imports

    headers = [clean_text(h) for h in sheet.preview()[header_row]]
    col = {h: i for i, h in enumerate(headers) if h}
    body = sheet.body(header_row + 1)
    first_row = header_row + 2
    now = datetime.now()
    by = clean_text(Path(path).stem.split("-")[1]) if Path(path).stem.count("-") >= 2 else ""
    rejects: list[Reject] = []
    skipped = {"未填写结果": 0, "空行": 0, "已记录过": 0}
    accepted = 0
    engine = open_store(settings.db_url(db_url))
    with engine.begin() as conn:
        for index, values in enumerate(body.itertuples(index=False, name=None)):
            number = first_row + index
            cells = {h: _cell(values[i]) if i < len(values) else "" for h, i in col.items()}
            if not any(cells.values()):
                skipped["空行"] += 1
                continue
            result = cells.get("结果", "")
            if not result:
                skipped["未填写结果"] += 1
                continue
            try:
                estate, _, room_code = cells.get(KEY, "").partition("|")
                if not room_code:
                    raise ValueError("找不到房间键（隐藏的“键（勿改）”列被删改了）")
                outcome = _OUTCOME_CODES.get(result)
                if outcome is None:
                    raise ValueError(f"不认识的结果“{result}”，请从下拉列表中选择")
                channel = _CHANNEL_CODES.get(cells.get("联系方式", "") or "电话")
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
                    callback_at=_when(cells.get("回电时间", ""), "回电时间", now), by=by,
                    note=cells.get("备注", ""))
                room = find_room(conn, room_code, estate)
                owner = cells.get(OWNER_KEY, "")
                if owner and room.owner and owner != room.owner:
                    raise ValueError(f"房间业主已变更为“{room.owner}”，这一行记录的是原业主“{owner}”")
                logged = record_contact(conn, room, request, now)
            except (ValueError, FeedunError) as exc:
                reason = exc.message if isinstance(exc, FeedunError) else str(exc)
                rejects.append(Reject(number, reason.replace("--promise-amount", "承诺金额")))
                continue
            if logged.duplicate:
                skipped["已记录过"] += 1
            else:
                accepted += 1
        rows_read = len(body)
        rejects_path = None
        if rejects:
            rejects_path = write_rejects(settings.rejects_dir / f"{path.stem}-拒收行-{sha[:8]}.xlsx",
                                         [h for h in headers], body, first_row, rejects, path.name)
        if accepted == 0 and rejects and not skipped["已记录过"]:
            raise InputFileError(f"全部 {len(rejects)} 行联系记录都被拒收，没有导入任何内容。", path=path,
                                 hint=f"打开拒收文件查看每行的原因：{rejects_path}")
        import_id = conn.execute(imports.insert().values(
            kind="calls", file_name=path.name, sha256=sha, sheet=sheet.name, as_of=now.date(), layout=None,
            rows_read=rows_read, accepted=accepted, rejected=len(rejects), skipped=sum(skipped.values()),
            column_mapping=json.dumps({h: h for h in col}, ensure_ascii=False),
            rejects_file=str(rejects_path) if rejects_path else None,
            imported_at=now.replace(microsecond=0))).inserted_primary_key[0]
    return ImportResult(
        file=str(path), rows_read=rows_read, accepted=accepted, rejected=len(rejects),
        skipped=sum(skipped.values()), rejects_file=str(rejects_path) if rejects_path else None,
        as_of=now.date().isoformat(), import_id=int(import_id), sheet=sheet.name, kind="calls",
        skipped_detail={k: c for k, c in skipped.items() if c},
        changes=[f"{accepted} 条联系记录已登记"] if accepted else [])


