"""Demand letters (催费函) and lawyer-letter drafts (律师函): numbering, rendering, the register and its states.

Only sent letters count: for escalation (classify) and as demands that restart the limitation clock.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import ConfigError, FeedunError, UsageError
from feedun.core.money import yuan
from feedun.core.periods import period_text
from feedun.decide.decisions import Decisions
from feedun.outputs.letters.register import KINDS, METHODS, STATES, TACTIC_OF, LetterRow, list_letters, write_register
from feedun.store import Store

LAWYER_DEADLINE_DAYS = 14


@dataclass
class LetterBatch:
    kind: str
    as_of: date
    letters: list[LetterRow] = field(default_factory=list)
    reused: int = 0
    folder: Path | None = None
    combined: Path | None = None
    register: Path | None = None
    evidence: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)


def _template_path(settings: Settings, kind: str) -> Path:
    from feedun.outputs.templating import shipped_templates

    user = settings.workspace / "templates" / "letters" / f"{kind}.docx"
    return user if user.exists() else shipped_templates() / "letters" / f"{kind}.docx"


@contextmanager
def _replacing(path: Path):
    """A hidden name beside `path`, renamed onto it once written: a killed process never leaves half a letter
    under a letter's name, only a `.NAME.partial-PID` that the next run removes."""
    temp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        yield temp
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _remove_stale_partials(folder: Path) -> None:
    """Partial files of killed runs (not of one still writing)."""
    for stale in folder.glob(".*.partial-*"):
        pid = stale.name.rpartition("-")[2]
        try:
            os.kill(int(pid), 0)
        except (ValueError, ProcessLookupError):
            stale.unlink(missing_ok=True)
        except PermissionError:
            pass  # alive, someone else's


def generate_letters(store: Store, settings: Settings, decisions: Decisions, kind: str, *,
                     rooms: list[str] | None = None, estate: str | None = None, pdf: bool = False,
                     out_dir: Path | None = None) -> LetterBatch:
    """Draft letters for the rooms whose decision (the day's, made once by classify) is this kind's tactic, or
    the rooms named; render them and write the register. Re-running the same day reuses the drafts numbered."""
    from feedun.outputs.capitals import capitals
    from feedun.outputs.letters.docx_render import PreparedTemplate
    from feedun.outputs.safe import safe_filename
    from feedun.store.ledger import snapshot_lines
    from feedun.store.letter_drafts import contact_history, insert_draft, sent_demands, todays_draft
    from feedun.store.letters import lock_numbering, next_number
    from feedun.store.rooms import find_room

    if kind not in KINDS:
        raise UsageError(f"不认识的函件类型“{kind}”。", hint="用 --kind dunning（催费函）或 --kind lawyer（律师函）。")
    firm = settings.law_firm
    if kind == "lawyer" and firm is None:
        raise ConfigError("没有配置律师事务所，不能生成律师函。律师函必须由真实的律师事务所出具。",
                          path=settings.workspace / "feedun.toml",
                          hint="在 feedun.toml 中加入 [law_firm] 小节：name、address、lawyer、phone（律所名称、地址、律师、电话）。")
    as_of = decisions.as_of
    decided = decisions.frame
    if rooms:
        with store.connect() as conn:
            wanted = {(r.estate, r.room) for r in (find_room(conn, text, estate) for text in rooms)}
        chosen = decided[[(e, r) in wanted for e, r in zip(decided["estate"], decided["room"], strict=True)]] \
            if not decided.empty else decided
        missing = wanted - set(zip(chosen["estate"], chosen["room"], strict=True)) if not chosen.empty else wanted
        if missing:
            raise FeedunError(f"这些房间截至 {as_of} 没有欠费：{'、'.join(f'{e} {r}' for e, r in sorted(missing))}。",
                              hint="没有欠费的房间不发函。")
    else:
        chosen = decided[decided["tactic"] == TACTIC_OF[kind]] if not decided.empty else decided
    batch = LetterBatch(kind=kind, as_of=as_of)
    if chosen.empty:
        return batch
    with store.read() as conn:
        lines = snapshot_lines(conn, as_of)
    lines_of = {key: part for key, part in lines.groupby(["estate", "room"], sort=False)}  # once, not per letter
    empty = lines.iloc[0:0]
    deadline_days = settings.letters.deadline_days if kind == "dunning" else LAWYER_DEADLINE_DAYS
    contexts = []
    number_format = settings.letters.dunning_number if kind == "dunning" else settings.letters.lawyer_number
    with store.write() as conn:
        lock_numbering(conn, kind, as_of.year)  # a concurrent run waits here, then reuses these drafts
        for row in chosen.itertuples(index=False):
            room_id = int(row.room_id)
            existing = todays_draft(conn, room_id, kind, as_of)
            if existing is not None:
                number = existing
                batch.reused += 1
            else:
                number = next_number(conn, kind, as_of.year, number_format)
                insert_draft(conn, number=number, kind=kind, room_id=room_id, owner=row.owner,
                             amount=int(row.outstanding_fen), late_fee=int(row.late_fee_fen), issued_on=as_of,
                             deadline=as_of + timedelta(days=deadline_days))
            own = lines_of.get((row.estate, row.room), empty).sort_values(["period", "fee_item"])
            items = [{"fee_item": r.fee_item, "period": period_text(r.period, r.period_end),
                      "amount": yuan(int(r.outstanding))} for r in own.itertuples(index=False)]
            demands = [{"number": d["number"], "sent_on": d["sent_on"].isoformat() if d["sent_on"] else "",
                        "delivery": METHODS.get(d["delivery"] or "", d["delivery"] or "（未记录）"),
                        "evidence": d["evidence"] or ""}
                       for d in sent_demands(conn, room_id)]
            contexts.append({
                "number": number, "company": settings.company.name, "company_address": settings.company.address,
                "company_phone": settings.company.phone or "物业服务中心电话",
                "payment_methods": settings.company.payment_methods, "bank_name": settings.letters.bank_name,
                "bank_account": settings.letters.bank_account, "contact_person": settings.letters.contact_person,
                "owner": row.owner or "业主", "estate": row.estate, "room": row.room, "items": items,
                "principal": yuan(int(row.outstanding_fen)), "principal_capitals": capitals(int(row.outstanding_fen)),
                "late_fee": yuan(int(row.late_fee_fen)), "late_fee_basis": settings.letters.late_fee_basis,
                "issued": f"{as_of.year}年{as_of.month}月{as_of.day}日",
                "deadline": f"{(d := as_of + timedelta(days=deadline_days)).year}年{d.month}月{d.day}日",
                "demands": demands, "law_firm": firm.name if firm else "", "lawyer": firm.lawyer if firm else "",
                "law_firm_phone": firm.phone if firm else "", "law_firm_address": firm.address if firm else "",
                "_room_id": room_id, "_collector": row.collector,
            })
            batch.letters.append(LetterRow(number, kind, row.estate, row.room, row.owner, "draft", as_of,
                                           as_of + timedelta(days=deadline_days), int(row.outstanding_fen),
                                           int(row.late_fee_fen)))
        contact_rows = {}
        if kind == "lawyer":
            for ctx in contexts:
                contact_rows[ctx["number"]] = contact_history(conn, ctx["_room_id"])

    folder = out_dir or settings.workspace / "letters" / as_of.isoformat() / KINDS[kind]
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(folder)
    template = PreparedTemplate(_template_path(settings, kind))
    for letter, ctx in zip(batch.letters, contexts, strict=True):
        path = folder / f"{safe_filename(letter.number)}-{safe_filename(letter.estate + letter.room)}.docx"
        with _replacing(path) as temp:
            temp.write_bytes(template.render(ctx))
        letter.file = str(path)
    batch.folder = folder
    batch.combined = folder / f"{KINDS[kind]}-合并打印-{as_of.isoformat()}.docx"
    with _replacing(batch.combined) as temp:
        temp.write_bytes(template.render_combined(contexts))
    batch.register = folder / f"{KINDS[kind]}登记表-{as_of.isoformat()}.xlsx"
    with _replacing(batch.register) as temp:
        write_register(temp, list_letters(store))
    if kind == "lawyer":
        register = list_letters(store)
        for letter, ctx in zip(batch.letters, contexts, strict=True):
            own = lines_of.get((letter.estate, letter.room), empty)
            batch.evidence.append(_evidence_pack(folder, letter, ctx, own, contact_rows[letter.number], register))
    if pdf:
        batch.pdfs = to_pdf([Path(x.file) for x in batch.letters] + [batch.combined], folder)
    return batch


def _evidence_pack(folder: Path, letter: LetterRow, ctx: dict[str, Any], lines: pd.DataFrame, contact_rows: list,
                   register: list[LetterRow]) -> Path:
    from openpyxl import Workbook

    from feedun.memory.contacts import CHANNELS, OUTCOMES
    from feedun.outputs.safe import safe_filename
    from feedun.outputs.xlsx import write_sheet

    wb = Workbook()
    wb.remove(wb.active)
    own = lines.sort_values(["period", "fee_item"])  # this letter's room's lines
    write_sheet(wb, "欠费明细", ["管理处", "房号", "业主", "收费项目", "所属期间", "应缴日期", "欠费金额(元)", "台账原行号"],
           [[r.estate, r.room, r.owner, r.fee_item, period_text(r.period, r.period_end), str(r.due_date or ""), float(int(r.outstanding)) / 100,
             int(r.source_row)] for r in own.itertuples(index=False)])
    write_sheet(wb, "函件记录", ["编号", "类型", "状态", "出具日期", "期限", "寄送方式", "凭证", "发出日期", "金额(元)"],
           [[x.number, KINDS[x.kind], STATES[x.state], x.issued.isoformat(), str(x.deadline or ""), x.delivery or "",
             x.evidence or "", str(x.sent_on or ""), float(x.amount) / 100]
            for x in register if (x.estate, x.room) == (letter.estate, letter.room)])
    write_sheet(wb, "联系记录", ["时间", "方式", "结果", "经办", "备注"],
           [[f"{at:%Y-%m-%d %H:%M}", CHANNELS.get(channel, channel), OUTCOMES.get(outcome, outcome), by, note]
            for at, channel, outcome, by, note in contact_rows])
    path = folder / f"证据材料-{safe_filename(letter.number)}-{safe_filename(letter.estate + letter.room)}.xlsx"
    with _replacing(path) as temp:
        wb.save(temp)
    return path


def to_pdf(files: list[Path], folder: Path) -> list[Path]:
    """Convert with LibreOffice when installed; otherwise say how to install it."""
    import shutil
    import subprocess

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise FeedunError("没有找到 LibreOffice，无法转换为 PDF（Word 文件已生成）。",
                          hint="安装 LibreOffice（Debian/Ubuntu：apt-get install libreoffice-writer）后加 --pdf 重试。")
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(folder), *map(str, files)],
                   check=True, capture_output=True, timeout=600)
    return [folder / (f.stem + ".pdf") for f in files]
