"""`feedun import` for a filled letter register (函件登记表): state changes typed into the 状态 column apply.

Each row names its letter by 编号; a row whose 状态 differs from the store moves that letter through the same
state machine as `feedun letters mark-sent|mark-signed|mark-returned|void`. Unchanged rows are skipped.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.intake.normalize import Reject
from feedun.intake.read import Sheet
from feedun.intake.values import clean_text, parse_date

if TYPE_CHECKING:
    from feedun.intake.importer import ImportResult

REGISTER_HEADERS = {"编号", "类型", "状态"}


def is_register(headers: list[str]) -> bool:
    return {clean_text(h) for h in headers} >= REGISTER_HEADERS


def import_register(path: Path, sha: str, sheet: Sheet, header_row: int, settings: Settings, *,
                    db_url: str | None) -> ImportResult:
    import json

    from sqlalchemy import select

    from feedun.intake.importer import ImportResult
    from feedun.intake.rejects import write_rejects
    from feedun.outputs.letters.register import METHODS, STATES, change_state
    from feedun.store import open_store
    from feedun.store.schema import imports, letters

    headers = [clean_text(h) for h in sheet.preview()[header_row]]
    col = {h: i for i, h in enumerate(headers) if h}
    body = sheet.body(header_row + 1)
    first_row = header_row + 2
    state_codes = {label: code for code, label in STATES.items()} | {code: code for code in STATES}
    method_codes = {label: code for code, label in METHODS.items()} | {code: code for code in METHODS} | {
        "EMS": "ems", "挂号": "registered", "专人": "hand"}
    engine = open_store(settings.db_url(db_url))
    with engine.connect() as conn:
        current = dict(conn.execute(select(letters.c.number, letters.c.state)).all())
    rejects, changed, unchanged, blank = [], 0, 0, 0

    def cell(values: tuple, name: str) -> str:
        value = values[col[name]] if name in col and col[name] < len(values) else None
        return "" if value is None or value != value else clean_text(value)

    for index, values in enumerate(body.itertuples(index=False, name=None)):
        number = cell(values, "编号")
        if not number:
            blank += 1
            continue
        try:
            wanted = state_codes.get(cell(values, "状态"))
            if wanted is None:
                raise ValueError(f"不认识的状态“{cell(values, '状态')}”（可用：{'、'.join(STATES.values())}）")
            if number not in current:
                raise ValueError(f"登记表中没有编号 {number}")
            if wanted == current[number]:
                unchanged += 1
                continue
            method = method_codes.get(cell(values, "寄送方式")) if cell(values, "寄送方式") else None
            if wanted == "sent" and method is None:
                raise ValueError("改为“已发出”时要填写寄送方式（EMS、挂号信或专人送达）")
            on = parse_date(cell(values, "发出日期")) if cell(values, "发出日期") else None
            change_state(settings, [number], wanted, method=method, tracking=cell(values, "单号/凭证") or None,
                         on=on, db_url=db_url)
            current[number] = wanted
            changed += 1
        except (ValueError, FeedunError) as exc:
            rejects.append(Reject(first_row + index, exc.message if isinstance(exc, FeedunError) else str(exc)))
    rejects_path = None
    if rejects:
        rejects_path = write_rejects(settings.rejects_dir / f"{path.stem}-拒收行-{sha[:8]}.xlsx", headers, body,
                                     first_row, rejects, path.name)
    now = datetime.now().replace(microsecond=0)
    skipped = unchanged + blank
    with engine.begin() as conn:
        import_id = conn.execute(imports.insert().values(
            kind="register", file_name=path.name, sha256=sha, sheet=sheet.name, as_of=now.date(), layout=None,
            rows_read=len(body), accepted=changed, rejected=len(rejects), skipped=skipped,
            column_mapping=json.dumps({h: h for h in col}, ensure_ascii=False),
            rejects_file=str(rejects_path) if rejects_path else None, imported_at=now)).inserted_primary_key[0]
    return ImportResult(
        file=str(path), rows_read=len(body), accepted=changed, rejected=len(rejects), skipped=skipped,
        rejects_file=str(rejects_path) if rejects_path else None, as_of=now.date().isoformat(),
        import_id=int(import_id), sheet=sheet.name, kind="register",
        skipped_detail={k: v for k, v in {"状态未变": unchanged, "空行": blank}.items() if v},
        changes=[f"{changed} 份函件的状态已更新"] if changed else [])
