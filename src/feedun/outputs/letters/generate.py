"""Demand letters (催费函) and lawyer-letter drafts (律师函): numbering, rendering, the register and its states.

Only sent letters count: for escalation (classify) and as demands that restart the limitation clock.
"""

from __future__ import annotations

import os
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import ConfigError, FeedunError, UsageError
from feedun.core.money import yuan
from feedun.core.periods import period_text
from feedun.core.tactics import Tactic
from feedun.core.vocab import Delivery, LetterState
from feedun.decide.decisions import Decisions
from feedun.outputs.letters.register import KINDS, METHODS, STATES, TACTIC_OF, LetterRow, list_letters, write_register
from feedun.store import Store

LAWYER_DEADLINE_DAYS = 14
MONEY_FORMAT = "#,##0.00"  # amounts in the evidence pack: 12,345.60
# An evidence-pack line whose ledger gives no due date. A lawyer reads the pack for when each amount fell due
# (limitation, the late fee): the column stays, so every pack reads the same, and says that the ledger itself
# lists no date (the date then comes from the contract's payment clause), rather than a blank that could mean
# the date was lost on the way.
DUE_NOT_LISTED = "台账未列"
NOT_RECORDED = "未记录"  # a contact whose record does not say who made it


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
    warnings: list[str] = field(default_factory=list)  # Chinese; each said once per batch


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


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _lawyer_name(name: str) -> str:
    """The lawyer's name without a trailing 律师: the templates add the title (「指派{{ lawyer }}律师」)."""
    name = name.strip()
    bare = name.removesuffix("律师").strip()
    return bare or name


def _demand_text(demand: dict[str, Any]) -> str:
    """How a sent demand letter left the office and what became of it, as the store records it: 送达 only for a
    letter signed for (docs/design.md, "True sentences only")."""
    state, method, evidence = demand["state"], demand["delivery"] or "", demand["evidence"] or ""
    label = METHODS.get(method, method)
    on = f"{demand['sent_on'].isoformat()} " if demand["sent_on"] else ""
    posted = method in (Delivery.EMS, Delivery.REGISTERED)
    if state == LetterState.SIGNED:
        how = f"以{label}寄出" if posted else ("由专人递交" if method == Delivery.HAND else "发出")
        return f"{on}{how}，已签收送达" + (f"（凭证：{evidence}）" if evidence else "")
    if state == LetterState.RETURNED:
        return f"{on}已寄出" + (f"（{label}）" if label else "") + "，被退回" + (f"（记录：{evidence}）" if evidence else "")
    if posted:
        return f"{on}已寄出（{label}" + (f"，单号 {evidence}" if evidence else "") + "）"
    if method == Delivery.HAND:
        return f"{on}已由专人递交" + (f"（记录：{evidence}）" if evidence else "")
    return f"{on}已发出" + (f"（{label}" + (f"，凭证：{evidence}" if evidence else "") + "）" if label else
                           (f"（凭证：{evidence}）" if evidence else ""))


def _missing_licence(settings: Settings) -> str | None:
    """One warning when [law_firm] gives no practising-licence number: the drafts leave the line out."""
    firm = settings.law_firm
    if firm is None or firm.licence_number.strip():
        return None
    return ("feedun.toml 的 [law_firm] 没有填写 licence_number（承办律师的执业证号）：律师函草稿中没有执业证号这一项，"
            "律师事务所出具前须补上。在 [law_firm] 小节加上 licence_number = \"执业证号\" 后重新生成"
            "（同一天重新生成沿用原编号）。")


def _missing_company_details(settings: Settings) -> str | None:
    """One warning naming the [company] details that are not configured and whose sentences were left out."""
    missing = [f"{key}（{label}）" for key, label in (("phone", "服务中心电话"), ("address", "地址"))
               if not getattr(settings.company, key).strip()]
    if not missing:
        return None
    return (f"feedun.toml 的 [company] 没有填写 {'、'.join(missing)}：函件中写这些信息的句子已省略。"
            f"在 feedun.toml 的 [company] 小节填上后重新生成（同一天重新生成沿用原编号）。")


def _required_demands(settings: Settings) -> int | None:
    """How many sent demand letters the policy's lawyer-letter rules ask for at least, when every such rule says it
    simply (`demand_letters_sent >= N`); None when it is not that simple (then the room's decision decides)."""
    from feedun.decide.policy.load import load_policy

    needed = []
    for rule in load_policy(settings.policy_path).rules:
        if rule.tactic != Tactic.LAWYER_LETTER:
            continue
        counts = [c for c in rule.conditions if c.field == "demand_letters_sent" and c.op in (">=", ">", "==")]
        if len(counts) != 1:
            return None
        condition = counts[0]
        needed.append(int(condition.value) + (1 if condition.op == ">" else 0))
    return min(needed) if needed else None


def _lawyer_shortfalls(settings: Settings, chosen: pd.DataFrame) -> dict[int, str]:
    """room_id -> why a lawyer letter for this named room goes beyond the policy (too few sent demand letters)."""
    from feedun.core.tactics import label

    required = _required_demands(settings)
    short: dict[int, str] = {}
    for row in chosen.itertuples(index=False):
        sent = int(row.demand_letters_sent)
        if required is not None:
            if sent < required:
                short[int(row.room_id)] = f"{row.estate} {row.room} 已寄出的催费函 {sent} 份，规则要求至少 {required} 份"
        elif row.tactic != Tactic.LAWYER_LETTER and Tactic.LAWYER_LETTER not in row.eligible:
            decided = label(row.tactic) if row.tactic else (row.hold_name or "暂缓")
            short[int(row.room_id)] = (f"{row.estate} {row.room} 今天的分类结果是“{decided}”，不符合律师函的条件"
                                       f"（已寄出的催费函 {sent} 份）")
    return short


def generate_letters(store: Store, settings: Settings, decisions: Decisions, kind: str, *,
                     rooms: list[str] | None = None, estate: str | None = None, pdf: bool = False,
                     out_dir: Path | None = None, force: bool = False) -> LetterBatch:
    """Draft letters for the rooms whose decision (the day's, made once by classify) is this kind's tactic, or
    the rooms named; render them and write the register. Re-running the same day reuses the drafts numbered.

    A lawyer letter for a named room with fewer sent demand letters than the policy asks for is refused unless
    `force`; a forced one is recorded as a room event (`letter_override`, shown in the room's history) and
    said in the batch's warnings. The combined print file holds every draft of the kind issued that day."""
    from feedun.outputs.capitals import capitals
    from feedun.outputs.letters.docx_render import PreparedTemplate, document_xml_of, pictures_of
    from feedun.outputs.safe import safe_filename
    from feedun.store.history import add_room_event
    from feedun.store.ledger import snapshot_lines
    from feedun.store.letter_drafts import (
        contact_history,
        days_drafts,
        insert_drafts,
        sent_demands_by_room,
        snapshot_dates,
        todays_drafts,
    )
    from feedun.store.letters import lock_numbering, next_numbers
    from feedun.store.rooms import find_room

    if kind not in KINDS:
        raise UsageError(f"不认识的函件类型“{kind}”。", hint="用 --kind dunning（催费函）或 --kind lawyer（律师函）。")
    firm = settings.law_firm
    if kind == "lawyer" and firm is None:
        raise ConfigError("没有配置律师事务所，不能生成律师函。律师函必须由真实的律师事务所出具。",
                          path=settings.workspace / "feedun.toml",
                          hint="在 feedun.toml 中加入 [law_firm] 小节：name、address、lawyer、phone、licence_number"
                               "（律所名称、地址、律师、电话、律师执业证号）。")
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
    shortfalls = _lawyer_shortfalls(settings, chosen) if kind == "lawyer" and rooms else {}
    if shortfalls and not force:
        raise FeedunError("律师函不能出具：" + "；".join(shortfalls.values()) + "。",
                          hint="先发催费函，盖章寄出后用 feedun letters mark-sent 登记；确需提前出具律师函，加 --force"
                               "（会记入该房间的记录）。")
    with store.read() as conn:
        lines = snapshot_lines(conn, as_of)
        balance_dates = snapshot_dates(conn, as_of)
    lines = _lines_of_rooms(lines, set(zip(chosen["estate"], chosen["room"], strict=True)))
    items_of = _items_by_room(lines)
    lines_of = ({key: part for key, part in lines.groupby(["estate", "room"], sort=False)}  # evidence packs
                if kind == "lawyer" else {})
    empty = lines.iloc[0:0]
    deadline_days = settings.letters.deadline_days if kind == "dunning" else LAWYER_DEADLINE_DAYS
    deadline = as_of + timedelta(days=deadline_days)
    contexts = []
    number_format = settings.letters.dunning_number if kind == "dunning" else settings.letters.lawyer_number
    with store.write() as conn:
        lock_numbering(conn, kind, as_of.year)  # a concurrent run waits here, then reuses these drafts
        existing = todays_drafts(conn, kind, as_of)
        rows = list(chosen.itertuples(index=False))
        new = iter(next_numbers(conn, kind, as_of.year, sum(int(r.room_id) not in existing for r in rows),
                                number_format))
        demands_of = sent_demands_by_room(conn, {int(r.room_id) for r in rows})
        drafts = []
        for row in rows:
            room_id = int(row.room_id)
            number = existing.get(room_id)
            if number is not None:
                batch.reused += 1
            else:
                number = next(new)
                drafts.append({"number": number, "kind": kind, "room_id": room_id, "owner": row.owner,
                               "amount": int(row.outstanding_fen), "late_fee": int(row.late_fee_fen),
                               "issued_on": as_of, "deadline": deadline})
                if room_id in shortfalls:  # forced: the override stays in the room's history
                    note = f"律师函 {number} 按 --force 提前出具：{shortfalls[room_id]}"
                    add_room_event(conn, room_id, datetime.now().replace(microsecond=0), "letter_override", note)
                    batch.warnings.append(note)
            demands = [{"number": d["number"], "sent_on": d["sent_on"].isoformat() if d["sent_on"] else "",
                        "delivery": METHODS.get(d["delivery"] or "", d["delivery"] or ""),
                        "evidence": d["evidence"] or "", "signed": d["state"] == LetterState.SIGNED,
                        "how": _demand_text(d)}
                       for d in demands_of.get(room_id, [])]
            balance_on = balance_dates.get(row.estate)
            contexts.append({
                "number": number, "company": settings.company.name,
                "company_address": settings.company.address.strip(), "company_phone": settings.company.phone.strip(),
                "payment_methods": settings.company.payment_methods, "bank_name": settings.letters.bank_name,
                "bank_account": settings.letters.bank_account, "contact_person": settings.letters.contact_person,
                "owner": row.owner or "业主", "estate": row.estate, "room": row.room,
                "items": items_of.get((row.estate, row.room), []),
                "principal": yuan(int(row.outstanding_fen)), "principal_capitals": capitals(int(row.outstanding_fen)),
                "balance_date": _day(balance_on) if balance_on else "",
                "has_late_fee": int(row.late_fee_fen) > 0,
                "late_fee": yuan(int(row.late_fee_fen)), "late_fee_basis": settings.letters.late_fee_basis.strip(),
                "dispute_resolved": bool(row.dispute) and not bool(row.dispute_open),
                "issued": _day(as_of), "deadline": _day(deadline),
                "demands": demands, "law_firm": firm.name if firm else "",
                "lawyer": _lawyer_name(firm.lawyer) if firm else "",
                "law_firm_phone": firm.phone.strip() if firm else "",
                "law_firm_address": firm.address.strip() if firm else "",
                "licence_number": firm.licence_number.strip() if firm else "",
                "pay_qr": None,  # set below for a demand letter when the company has a payment page
                "_room_id": room_id, "_collector": row.collector,
            })
            batch.letters.append(LetterRow(number, kind, row.estate, row.room, row.owner, "draft", as_of,
                                           deadline, int(row.outstanding_fen), int(row.late_fee_fen)))
        insert_drafts(conn, drafts)
        contact_rows = {}
        if kind == "lawyer":
            for ctx in contexts:
                contact_rows[ctx["number"]] = contact_history(conn, ctx["_room_id"])
        todays = days_drafts(conn, kind, as_of)
    missing_details = _missing_company_details(settings)
    if missing_details:
        batch.warnings.append(missing_details)
    if kind == "lawyer" and (missing_licence := _missing_licence(settings)):
        batch.warnings.append(missing_licence)

    folder = out_dir or settings.workspace / "letters" / as_of.isoformat() / KINDS[kind]
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(folder)
    template = PreparedTemplate(_template_path(settings, kind))

    def file_of(number: str, estate: str, room: str) -> Path:
        return folder / f"{safe_filename(number)}-{safe_filename(estate + room)}.docx"

    batch.folder = folder
    batch.combined = folder / f"{KINDS[kind]}-合并打印-{as_of.isoformat()}.docx"
    ours = {letter.number: (letter, ctx) for letter, ctx in zip(batch.letters, contexts, strict=True)}

    def write_letter(letter: LetterRow, ctx: dict[str, Any]) -> tuple[str, dict[str, bytes]]:
        path = file_of(letter.number, letter.estate, letter.room)
        pictures = _pay_code(settings, kind, letter, ctx)
        xml = template.document_xml(ctx)
        with _replacing(path) as temp:
            temp.write_bytes(template.package(xml, pictures))
        letter.file = str(path)
        return xml, pictures

    # One pass in the combined file's order (every draft of the day, by number): each letter of this batch is
    # written to its own file and into the combined one as it is rendered, so memory holds one letter at a time.
    absent = []
    with _replacing(batch.combined) as temp, template.combined_writer(temp) as combined:
        for number, estate, room in todays:
            if number in ours:
                combined.add(*write_letter(*ours.pop(number)))
                continue
            path = file_of(number, estate, room)
            try:  # a draft of an earlier batch the same day: from its file
                combined.add(document_xml_of(path), pictures_of(path))
            except (OSError, KeyError, zipfile.BadZipFile):
                absent.append(number)
    for letter, ctx in ours.values():  # not a draft of the day (cannot happen while todays lists them all)
        write_letter(letter, ctx)
    if absent:
        batch.warnings.append(f"当天较早的草稿 {'、'.join(absent)} 的 Word 文件不在本文件夹，合并打印文件中没有它们。")
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


def _lines_of_rooms(lines: pd.DataFrame, rooms: set[tuple[str, str]]) -> pd.DataFrame:
    """The snapshot lines of these (estate, room) pairs only."""
    if lines.empty:
        return lines
    keys = pd.MultiIndex.from_arrays([lines["estate"], lines["room"]])
    return lines[keys.isin(list(rooms))].reset_index(drop=True)


def _items_by_room(lines: pd.DataFrame) -> dict[tuple[str, str], list[dict[str, str]]]:
    """(estate, room) -> the letter's table of owed lines (fee item, period, amount), by period then fee item.

    One stable sort of all lines and one pass over plain columns (a sort and a frame per letter cost 4 ms each)."""
    if lines.empty:
        return {}
    ordered = lines.sort_values(["estate", "room", "period", "fee_item"], kind="stable")
    result: dict[tuple[str, str], list[dict[str, str]]] = {}
    columns = (ordered[c].tolist() for c in ("estate", "room", "fee_item", "period", "period_end", "outstanding"))
    for estate, room, fee_item, period, period_end, outstanding in zip(*columns, strict=True):
        result.setdefault((estate, room), []).append(
            {"fee_item": fee_item, "period": period_text(period, period_end), "amount": yuan(int(outstanding))})
    return result


def _pay_code(settings: Settings, kind: str, letter: LetterRow, ctx: dict[str, Any]) -> dict[str, bytes]:
    """A demand letter's QR code of the room's payment page (issue 17: pay on the spot), placed by the template's
    `{{r pay_qr }}`; {} for a lawyer letter (a firm's letter does not carry the company's payment page) or when
    the company has none."""
    from feedun.outputs.letters.docx_render import inline_picture, pay_qr_id
    from feedun.outputs.paylink import pay_url, qr_png

    url = pay_url(settings, letter.estate, letter.room) if kind == "dunning" else None
    if url is None:
        return {}
    rid = pay_qr_id(letter.number)
    ctx["pay_qr"] = inline_picture(rid, 2.6)
    return {rid: qr_png(url, scale=6)}


def _date_text(value: Any, missing: str = "") -> str:
    """A date cell's text: 2026-11-03, or `missing` for a date the record does not have."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return missing
    if isinstance(value, datetime):  # pandas' Timestamp too
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)


def _evidence_pack(folder: Path, letter: LetterRow, ctx: dict[str, Any], lines: pd.DataFrame, contact_rows: list,
                   register: list[LetterRow]) -> Path:
    """The lawyer's evidence workbook for one letter: the room's ledger lines, its letters, its contacts. Every
    column readable when printed (times 2026-11-03 14:20 not cut), amounts as 12,345.60, delivery methods in
    Chinese, and no column left blank without saying why."""
    from openpyxl import Workbook

    from feedun.memory.contacts import CHANNELS, OUTCOMES
    from feedun.outputs.safe import safe_filename
    from feedun.outputs.xlsx import write_sheet

    def amount(fen: int) -> Decimal:  # exact: integer fen to yuan, never a float
        return Decimal(int(fen)) / 100

    wb = Workbook()
    wb.remove(wb.active)
    own = lines.sort_values(["period", "fee_item"])  # this letter's room's lines
    header = f"证据材料 {letter.number} {letter.estate} {letter.room}"
    # Widths fit the longest value of each column (a date 10, a time 16, an amount 12,345.60), so nothing is cut.
    sheets = [
        write_sheet(wb, "欠费明细", ["管理处", "房号", "业主", "收费项目", "所属期间", "应缴日期", "欠费金额(元)", "台账原行号"],
                    [[r.estate, r.room, r.owner, r.fee_item, period_text(r.period, r.period_end),
                      _date_text(r.due_date, DUE_NOT_LISTED), amount(r.outstanding), int(r.source_row)]
                     for r in own.itertuples(index=False)],
                    {"管理处": 14, "房号": 12, "业主": 10, "收费项目": 14, "所属期间": 18, "应缴日期": 12,
                     "欠费金额(元)": 14, "台账原行号": 11},
                    totals=["合计", "", "", "", "", "", amount(int(own["outstanding"].sum())), ""],
                    page_header=header),
        # No total: every letter of a room states the room's arrears again; adding them up means nothing.
        write_sheet(wb, "函件记录", ["编号", "类型", "状态", "出具日期", "期限", "寄送方式", "凭证", "发出日期", "金额(元)"],
                    [[x.number, KINDS[x.kind], STATES[x.state], x.issued.isoformat(), _date_text(x.deadline),
                      METHODS.get(x.delivery or "", x.delivery or ""), x.evidence or "", _date_text(x.sent_on),
                      amount(x.amount)]
                     for x in register if (x.estate, x.room) == (letter.estate, letter.room)],
                    {"编号": 22, "类型": 9, "状态": 9, "出具日期": 12, "期限": 12, "寄送方式": 14, "凭证": 26,
                     "发出日期": 12, "金额(元)": 14}, page_header=header),
        write_sheet(wb, "联系记录", ["时间", "方式", "结果", "经办", "备注"],
                    [[f"{at:%Y-%m-%d %H:%M}", CHANNELS.get(channel, channel), OUTCOMES.get(outcome, outcome),
                      by or NOT_RECORDED, note or ""]
                     for at, channel, outcome, by, note in contact_rows],
                    {"时间": 18, "方式": 10, "结果": 14, "经办": 12, "备注": 48}, page_header=header),
    ]
    for ws in sheets:  # write_sheet's `formats` covers int and float; these amounts are exact Decimals
        money = [cell.column for cell in ws[1] if str(cell.value).endswith("(元)")]
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if cell.column in money and isinstance(cell.value, (int, float, Decimal)):
                    cell.number_format = MONEY_FORMAT
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
