"""Visit nodes and notice nodes of tactic 1: the visit sheet (上门清单) and the written payment notice (书面缴费通知单).

A visit sheet is a call list for walking: one per collector, the rooms in walking order (building, unit, floor),
printed on A4 landscape with room to write the outcome and the owner's signature. Filled in, it reads back
through `feedun import` like a call list (the same hidden key columns; 联系方式 is already 上门).

A written notice is a notice, not a demand: the amount, the months, how to pay and whom to ask; no legal wording
and no late fee (docs/design.md, "Demands, not pressure"). One page per room with a receipt to tear off and hand
back, so the office knows the notice arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from feedun.config import Settings
from feedun.core.money import yuan
from feedun.core.periods import period_text
from feedun.core.vocab import CHANNEL_LABELS, LIST_OUTCOME_LABELS, Channel
from feedun.decide.decisions import Decisions
from feedun.decide.nodes import Node, reached
from feedun.outputs.calllist import (
    KEY_HEADER,
    OWNER_KEY_HEADER,
    TOTAL_LABEL,
    UNASSIGNED,
    WRITE_LINES,
    building_of,
    contact_hours,
    salutation,
    walking_key,
)
from feedun.outputs.safe import safe_filename
from feedun.outputs.xlsx import LINE_PT, MONEY, write_sheet

VISIT_PRINTED = ["序号", "房号", "称呼", "欠费金额(元)", "欠费月数", "账单期间", "结果", "承诺日期", "承诺金额",
                 "业主签字", "备注"]
VISIT_SCREEN = ["联系时间", "联系方式", "管理处", "业主", "电话"]
VISIT_HEADERS = [*VISIT_PRINTED, *VISIT_SCREEN, KEY_HEADER, OWNER_KEY_HEADER]
QR_HEADER = "扫码缴费"
QR_ROW_PT = 52  # a 64-pixel code with a margin
VISIT_WIDTHS = {QR_HEADER: 10, "序号": 5, "房号": 11, "称呼": 11, "欠费金额(元)": 12, "欠费月数": 9, "账单期间": 18, "结果": 12,
                "承诺日期": 10, "承诺金额": 10, "业主签字": 16, "备注": 20, "联系时间": 17, "联系方式": 9,
                "管理处": 12, "业主": 10, "电话": 26}
# Words a payment notice never carries: it informs, it does not threaten (checked by the tests on every notice).
NOT_IN_A_NOTICE = ("律师", "诉讼", "起诉", "法院", "仲裁", "法律", "滞纳金", "违约金", "催")


@dataclass
class NodeOutputs:
    visit_sheets: list[Path] = field(default_factory=list)
    notices: Path | None = None
    notice_rooms: int = 0


def _walk(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(_walk=frame["room"].map(walking_key)).sort_values(["estate", "_walk"], kind="stable")


def write_visit_sheets(settings: Settings, decisions: Decisions, nodes: list[Node], out_dir: Path) -> list[Path]:
    """One visit sheet per collector for the rooms today's visit nodes reach; none when they reach nobody."""
    frame = decisions.frame
    rooms = frame[reached(nodes, frame)].copy()
    if rooms.empty:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    rooms["collector"] = rooms["collector"].fillna(UNASSIGNED)
    label = "；".join(n.label for n in nodes)
    paths = []
    for collector, part in sorted(rooms.groupby("collector"), key=lambda item: item[0]):
        path = out_dir / f"上门清单-{safe_filename(collector)}-{decisions.as_of.isoformat()}.xlsx"
        _visit_book(settings, path, collector, _walk(part), decisions.as_of, label)
        paths.append(path)
    return paths


def _visit_book(settings: Settings, path: Path, collector: str, rooms: pd.DataFrame, as_of: date, label: str) -> None:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    # With a payment page, a printed 扫码缴费 column: the owner at the door scans their own room's code.
    qr = bool(settings.company.payment_url)
    printed = [*VISIT_PRINTED[:6], QR_HEADER, *VISIT_PRINTED[6:]] if qr else VISIT_PRINTED
    headers = [*printed, *VISIT_SCREEN, KEY_HEADER, OWNER_KEY_HEADER]
    wb = Workbook()
    wb.remove(wb.active)
    rows, starts, previous = [], [], None
    for number, r in enumerate(rooms.itertuples(index=False), start=1):
        place = (r.estate, building_of(r.room))
        if place != previous and number > 1:
            starts.append(number + 1)
        previous = place
        period = period_text(r.oldest_period)
        values: dict[str, Any] = {
            "序号": number, "房号": r.room, "称呼": salutation(r.owner), "欠费金额(元)": int(r.outstanding_fen) / 100,
            "欠费月数": int(r.unpaid_periods), "账单期间": f"{period} 起" if period else None,
            "联系方式": CHANNEL_LABELS[Channel.VISIT], "管理处": r.estate, "业主": r.owner,
            "电话": " ".join(p for p in r.phones.split(",") if p), KEY_HEADER: f"{r.estate}|{r.room}",
            OWNER_KEY_HEADER: r.owner}
        rows.append([values.get(h) for h in headers])
    total = int(rooms["outstanding_fen"].sum())
    estates = "、".join(sorted(set(rooms["estate"])))
    widths = {**VISIT_WIDTHS, "备注": 12, "业主签字": 14} if qr else VISIT_WIDTHS  # room for the code column
    ws = write_sheet(wb, "上门清单", headers, rows, widths, formats={"欠费金额(元)": MONEY},
                     totals=[TOTAL_LABEL, f"{len(rows)} 户", None, total / 100],
                     page_header=f"上门清单　{collector}　{as_of.isoformat()}　{estates}　{label}　{contact_hours(settings)}",
                     printed=len(printed), wrap={"称呼", "备注"})
    from openpyxl.styles import Border, Side

    height = QR_ROW_PT if qr else LINE_PT * (WRITE_LINES + 1) + 2  # a signature needs more room than a tick
    for r in range(2, len(rows) + 2):
        ws.row_dimensions[r].height = max(ws.row_dimensions[r].height or 0, height)
    for r in starts:
        for c in range(1, len(printed) + 1):
            ws.cell(r, c).border = Border(top=Side(style="medium"))
    col = {h: ws.cell(1, i + 1).column_letter for i, h in enumerate(headers)}
    if qr:
        _place_codes(settings, ws, rooms, col[QR_HEADER])
    outcome = DataValidation(type="list", formula1='"' + ",".join(LIST_OUTCOME_LABELS) + '"', allow_blank=True,
                             showErrorMessage=True, errorTitle="结果", error="请从下拉列表中选择结果")
    outcome.add(f"{col['结果']}2:{col['结果']}{len(rows) + 1}")
    ws.add_data_validation(outcome)
    for h in (KEY_HEADER, OWNER_KEY_HEADER):
        ws.column_dimensions[col[h]].hidden = True
    wb.save(path)


def _place_codes(settings: Settings, ws, rooms: pd.DataFrame, column: str) -> None:
    """One QR code per room in its row: the room's own payment page."""
    import io

    from openpyxl.drawing.image import Image

    from feedun.outputs.paylink import pay_url, qr_png

    for row, r in enumerate(rooms.itertuples(index=False), start=2):
        image = Image(io.BytesIO(qr_png(pay_url(settings, r.estate, r.room), scale=3)))
        image.width = image.height = 64
        ws.add_image(image, f"{column}{row}")


def write_notices(settings: Settings, decisions: Decisions, nodes: list[Node], out_dir: Path,
                  ledger_dates: dict[str, date]) -> tuple[Path | None, int]:
    """The day's written payment notices, one page per room with a tear-off receipt, in one file to print.

    The amount is as of the estate's newest ledger (`ledger_dates`), and the notice says that date: payments
    after it are not known here, so "as of today" would not be true."""
    import io

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    from feedun.outputs.paylink import pay_url, qr_png

    frame = decisions.frame
    rooms = frame[reached(nodes, frame)].copy()
    if rooms.empty:
        return None, 0
    rooms["collector"] = rooms["collector"].fillna(UNASSIGNED)
    rooms = rooms.assign(_walk=rooms["room"].map(walking_key)).sort_values(["collector", "estate", "_walk"],
                                                                           kind="stable")
    company = settings.company.name.strip()
    phone = settings.company.phone.strip()
    methods = settings.company.payment_methods.strip()
    as_of = decisions.as_of
    day = f"{as_of.year}年{as_of.month}月{as_of.day}日"
    doc = Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    style.font.name = "宋体"
    # Paragraphs are appended to the body directly and the section settings moved to the end once: python-docx's
    # add_paragraph looks for w:sectPr among all the body's children each time, and doc.paragraphs[-1] lists them
    # all (both quadratic: a notice day of 9,000 rooms ran for many minutes).
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = doc.element.body
    section = body.find(qn("w:sectPr"))

    def para(text: str = "") -> Paragraph:
        element = OxmlElement("w:p")
        body.append(element)
        paragraph = Paragraph(element, doc._body)
        if text:
            paragraph.add_run(text)
        return paragraph

    last = None  # the previous notice's last paragraph
    for r in rooms.itertuples(index=False):
        if last is not None:
            last.add_run().add_break(WD_BREAK.PAGE)
        title = para()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(f"{company}缴费通知单" if company else "缴费通知单")
        run.bold, run.font.size = True, Pt(18)
        para(f"尊敬的{salutation(r.owner)}：")
        period = period_text(r.oldest_period)
        since = f"（{int(r.unpaid_periods)} 个月，自 {period} 起）" if period else ""
        known = ledger_dates.get(r.estate)
        books = f"据截至 {known.year}年{known.month}月{known.day}日的账目，" if known else "据物业服务中心的账目，"
        para(f"您好！{books}您家 {r.estate} {r.room} 尚有物业服务费等共 {yuan(int(r.outstanding_fen))} 元"
                          f"未缴纳{since}。")
        if methods:
            para(f"缴费方式：{methods}。")
        url = pay_url(settings, r.estate, r.room)
        if url:
            code = para()
            code.add_run().add_picture(io.BytesIO(qr_png(url)), width=Cm(2.8))
            code.add_run("  手机扫码，直接为本户缴费")
        ask = f"如对账目有疑问，欢迎致电 {phone} 或到物业服务中心查询明细。" if phone else "如对账目有疑问，欢迎到物业服务中心查询明细。"
        para(f"如您已在此之后缴纳，请忽略本通知。{ask}感谢您对我们工作的支持！")
        sign = para(company or "物业服务中心")
        sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        dated = para(day)
        dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        cut = para("- - - - - - - - - - 沿此线剪下，回执交回物业服务中心 - - - - - - - - - -")
        cut.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cut.paragraph_format.space_before = Pt(36)
        receipt = para()
        receipt.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading = receipt.add_run("缴费通知单回执")
        heading.bold = True
        para(f"房号：{r.estate} {r.room}　　通知日期：{day}")
        para("本户已收到缴费通知单。")
        last = para("签收人：＿＿＿＿＿＿＿＿　　签收日期：＿＿＿＿年＿＿月＿＿日")
    if section is not None:
        body.append(section)  # lxml moves it: the section settings close the body again
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"书面缴费通知单-{as_of.isoformat()}.docx"
    doc.save(path)
    return path, len(rooms)


def write_node_outputs(settings: Settings, decisions: Decisions, nodes: list[Node], out_dir: Path,
                       ledger_dates: dict[str, date]) -> NodeOutputs:
    """What today's visit and notice nodes call for (SMS and call nodes are the SMS file and the call lists)."""
    from feedun.core.vocab import NodeKind

    result = NodeOutputs()
    visits = [n for n in nodes if n.kind == NodeKind.VISIT]
    notices = [n for n in nodes if n.kind == NodeKind.NOTICE]
    if visits:
        result.visit_sheets = write_visit_sheets(settings, decisions, visits, out_dir / "上门清单")
    if notices:
        result.notices, result.notice_rooms = write_notices(settings, decisions, notices, out_dir / "书面通知",
                                                            ledger_dates)
    return result
