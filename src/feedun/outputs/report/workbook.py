"""The report workbook: a one-page 摘要 first, then 概览 and one sheet per section, with native Excel charts.

Only shows a `Report` (metrics.py); the one module of the report that uses openpyxl. 摘要 is what a manager hands
round at the weekly meeting: the month's key figures and three charts (arrears trend, aging, recovered by
collector) laid out by hand to print on one A4 portrait page at 100 % (fitted to 1 × 1 as a guard). The detailed
sheets are written with `feedun.outputs.xlsx.write_sheet` so they print like every other feedun workbook; their
print area is widened to hold their charts and a chart that would straddle a page break starts a new page.
Where the ledger gave no amount due the cells say 应收不详 and no rate is charted (an arrears-only ledger has no
collection rate; 欠费走势 and 本月回收 show what it does tell); shares of nothing say —; a figure we do not have
says why in words and its chart is left out with a line saying so; never nan or None. Chart ranges stay numbers
or empty so a missing month is a gap.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from feedun.config import Settings
from feedun.outputs.report.metrics import (
    DEFINITIONS,
    DIMENSIONS,
    EFFECT_LOOKBACK_DAYS,
    EFFECT_WINDOW_DAYS,
    NO_LEDGER,
    RECEIVABLE_UNKNOWN,
    TOTAL,
    TREND_MONTHS,
    UNCOMPARED,
    ArrearsRow,
    Report,
)
from feedun.outputs.safe import set_cell
from feedun.outputs.xlsx import print_on_a4, write_sheet

AGING_NOTE = "按房间统计：欠费月数 = 最早一期欠费的应缴日到统计日的整月数；金额为该房间全部欠费。"
PROMISE_NOTE = ("统计当月登记的缴费承诺，状态为现在的状态；房屋过户而作废的承诺不计入。"
                "兑现率 = 已兑现 ÷（已兑现 + 未兑现），未到期或待下一份台账核对的不计入。")
EFFECT_NOTE = (f"统计日前 {EFFECT_LOOKBACK_DAYS} 天内各次分类的每户决定：分类日之后 {EFFECT_WINDOW_DAYS} 天内"
               "（以台账快照日期为准）同一业主的欠费有减少即算有缴费，回收金额为减少的合计。一户参加多次分类按多“房次”计。")
LIMITATION_NOTE = ("最早一期欠费的应缴日已超过 30 个月，且此后没有送达业主的催收（联系上业主或寄出催费函/律师函）。"
                   "诉讼时效 3 年（民法典第188条），送达的催收可中断时效（第195条）：请尽快发函并保留送达凭证。")


def default_report_path(settings: Settings, month: str) -> Path:
    """reports/report-YYYY-MM.xlsx in the workspace."""
    return settings.workspace / "reports" / f"report-{month}.xlsx"


MONEY = "#,##0.00"
PERCENT = "0.00%"
AGING_CM = (12.5, 8)  # the two aging charts side by side fit a landscape A4 page (27.7 cm printable)


def _money(fen: int | None) -> float | str:
    """A receivable or collected cell: yuan as a number Excel can sum, or 应收不详."""
    return RECEIVABLE_UNKNOWN if fen is None else int(fen) / 100


def _pct(value: float | None, empty: str = RECEIVABLE_UNKNOWN) -> float | str:
    """A share cell (formatted as a percentage), or the words for no data."""
    return empty if value is None else value


def _format(ws, column: int, fmt: str, first: int = 2, last: int | None = None) -> None:
    """Number format for the numeric cells of a column; text such as 无数据 stays as it is."""
    for row in range(first, (last or ws.max_row) + 1):
        cell = ws.cell(row, column)
        if isinstance(cell.value, (int, float)):
            cell.number_format = fmt


def _notes(ws, lines: list[str], gap: int = 1) -> None:
    """Grey italic lines under a table: the 口径 travels with the figures when a sheet is printed alone.

    Each line is wrapped across the table's columns (merged) with a row height to match, so a printed sheet
    shows the whole line instead of cutting it at the edge of the print area."""
    row = ws.max_row + 1 + gap
    last = max(ws.max_column, 1)
    width = _columns_pt(ws, 1, last)
    for i, text in enumerate(lines):
        cell = ws.cell(row + i, 1, text)
        cell.font = Font(italic=True, color="595959", size=NOTE_PT)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if last > 1:
            ws.merge_cells(start_row=row + i, start_column=1, end_row=row + i, end_column=last)
        ws.row_dimensions[row + i].height = _text_lines(text, width, NOTE_PT) * _line_pt(NOTE_PT) + 3


def write_report_xlsx(report: Report, path: Path) -> Path:
    """摘要 (one printed page), then 概览 and one sheet per section; trends, aging and recovered as native charts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    _summary_sheet(wb, report)
    _overview_sheet(wb, report)
    _rates_sheet(wb, report)
    _trend_sheet(wb, report)
    _arrears_sheet(wb, report)
    _recovered_sheet(wb, report)
    _aging_sheet(wb, report)
    _promises_sheet(wb, report)
    _effect_sheet(wb, report)
    _limitation_sheet(wb, report)
    for ws in wb.worksheets[1:]:
        _print_detail(ws, report)
    wb.save(path)
    return path


def _overview_sheet(wb: Workbook, report: Report) -> None:
    total = report.total_rate
    p = report.promise_total
    best = report.best_tactic
    got = report.recovered_total
    last = report.arrears_trend[-1] if report.arrears_trend else None
    rate_note = "" if report.receivable_known else "台账没有应收金额，无法计算收费率；见“欠费走势”“本月回收”"
    rows: list[list[Any]] = [
        ["报表月份", report.month, ""],
        ["统计日", report.as_of.isoformat(), "月底，或生成日期（如早于月底）"],
        ["生成日期", report.generated_on.isoformat(), ""],
        ["当月应收金额(元)", _money(total.receivable), rate_note or "只计台账有应收金额的费用行"],
        ["当月实收金额(元)", _money(total.collected), rate_note or "台账显示的已收和减免"],
        ["当月收费率", _pct(total.rate), rate_note or "实收 ÷ 应收，口径见“收费率”表"],
        ["欠费户数", report.debt_rooms, f"截至 {report.as_of}"],
        ["欠费金额(元)", report.debt / 100, f"截至 {report.as_of}"],
        ["欠费金额较上月(元)", "不详" if last is None or last.change is None else last.change / 100,
         "本月和上月都有台账时才比较，见“欠费走势”表"],
        ["当月回收金额(元)", got.amount / 100 if got else UNCOMPARED, "本月台账显示的欠费减少（缴费或减免），见“本月回收”表"],
        ["当月有缴费的户数", got.rooms if got else UNCOMPARED, "本月台账中欠费比上一份台账减少的房间"],
        ["当月登记的缴费承诺", p.made, f"已兑现 {p.kept}，未兑现 {p.broken}，待核对 {p.open}"],
        ["承诺兑现率", _pct(p.kept_rate, "—"), "已兑现 ÷（已兑现 + 未兑现）"],
        ["缴费比例最高的招数", best.label if best else "—",
         f"{best.paid}/{best.decisions} 房次在 {EFFECT_WINDOW_DAYS} 天内有缴费" if best else "近期没有分类记录"],
        ["临近诉讼时效的房间", len(report.limitation), "见“诉讼时效”表，请尽快发函并保留送达凭证"],
    ]
    ws = write_sheet(wb, "概览", ["项目", "数值", "说明"], rows, {"项目": 20, "数值": 18, "说明": 50})
    for row in ws.iter_rows(min_row=2, max_col=2):
        name, value = row[0].value, row[1]
        if isinstance(value.value, (int, float)) and "元" in name:
            value.number_format = MONEY
        elif isinstance(value.value, float):
            value.number_format = PERCENT
    _notes(ws, ["口径：", *DEFINITIONS])


def _rates_sheet(wb: Workbook, report: Report) -> None:
    headers = ["维度", "名称", "应收金额(元)", "实收金额(元)", "未收金额(元)", "收费率"]
    rows = []
    for r in report.rates:
        rate = r.rate
        rows.append([DIMENSIONS[r.dimension], r.name, _money(rate.receivable), _money(rate.collected),
                     _money(rate.unpaid), _pct(rate.rate)])
    ws = write_sheet(wb, "收费率", headers, rows, {"名称": 22})
    for col in (3, 4, 5):
        _format(ws, col, MONEY)
    _format(ws, 6, PERCENT)
    used = "；".join(f"{e} {d}" for e, d in sorted(report.snapshots.items())) or "没有台账"
    _notes(ws, [f"{report.month} 的收费率。使用的台账快照：{used}", "口径：", *DEFINITIONS])


def _trend_sheet(wb: Workbook, report: Report) -> None:
    headers = ["月份", "应收金额(元)", "实收金额(元)", "收费率", *[f"{e}收费率" for e in report.estates], "说明"]
    rows = []
    for t in report.trend:
        # Chart cells stay numbers or empty (a gap): text in a charted range would be drawn as 0.
        rows.append([t.month, _money(t.total.receivable), _money(t.total.collected), t.total.rate,
                     *[t.by_estate[e].rate for e in report.estates],
                     "" if t.total.has_data else f"{RECEIVABLE_UNKNOWN}：台账没有该月的应收金额"])
    ws = write_sheet(wb, "收费率趋势", headers, rows, {"说明": 32})
    for col in (2, 3):
        _format(ws, col, MONEY)
    for col in range(4, 5 + len(report.estates)):
        _format(ws, col, PERCENT)
    last = len(rows) + 1
    if not any(t.total.has_data for t in report.trend):
        _notes(ws, [f"{RECEIVABLE_UNKNOWN}：这 {TREND_MONTHS} 个月的台账都没有应收金额，无法计算收费率，不画收费率图。"
                    "已知的欠费变化和回收见“欠费走势”“本月回收”表。", *DEFINITIONS], gap=0)
        return
    chart = LineChart()
    chart.title = f"收费率趋势（近 {TREND_MONTHS} 个月）"
    chart.y_axis.title = "收费率"
    chart.x_axis.title = "月份"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    chart.height, chart.width = 9, 18
    data = Reference(ws, min_col=4, max_col=4 + len(report.estates), min_row=1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    _notes(ws, [f"收费率为空的月份：台账没有该月的应收金额（{RECEIVABLE_UNKNOWN}），图中断开。", *DEFINITIONS], gap=0)
    ws.add_chart(chart, f"A{ws.max_row + 2}")


def _arrears_sheet(wb: Workbook, report: Report) -> None:
    """欠费走势: rooms and arrears month on month from each month's own snapshots; a month without one is a gap."""
    headers = ["月份", "欠费户数", "欠费金额(元)", "较上月(元)", "台账日期", "说明"]
    rows = []
    for a in report.arrears_trend:
        dates = "；".join(f"{e} {d}" for e, d in a.snapshots.items())
        if not a.snapshots:
            note = f"{NO_LEDGER}：该月没有导入台账"
        elif a.missing:
            note = f"不含 {'、'.join(a.missing)}（该月没有台账）"
        else:
            note = ""
        rows.append([a.month, a.rooms, None if a.amount is None else a.amount / 100,
                     None if a.change is None else a.change / 100, dates, note])
    ws = write_sheet(wb, "欠费走势", headers, rows, {"台账日期": 30, "说明": 30})
    for col in (3, 4):
        _format(ws, col, MONEY)
    last = len(rows) + 1
    _notes(ws, [f"每月取该月内日期最新的一份台账；没有台账的月份留空（不当作 0），图中断开。截至 {report.as_of}。",
                "较上月：本月和上月覆盖相同管理处时才比较。"], gap=0)
    if not any(a.amount is not None for a in report.arrears_trend):
        return
    chart = LineChart()
    chart.title = f"欠费金额走势（元，近 {TREND_MONTHS} 个月）"
    chart.y_axis.title = "欠费金额(元)"
    chart.x_axis.title = "月份"
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.scaling.min = 0
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    chart.legend = None
    chart.height, chart.width = 9, 18
    chart.add_data(Reference(ws, min_col=3, max_col=3, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    ws.add_chart(chart, f"A{ws.max_row + 2}")


def _recovered_sheet(wb: Workbook, report: Report) -> None:
    rows = [[DIMENSIONS[r.dimension], r.name, r.rooms, r.amount / 100] for r in report.recovered] or [
        [DIMENSIONS["total"], TOTAL, UNCOMPARED, UNCOMPARED]]
    ws = write_sheet(wb, "本月回收", ["维度", "名称", "有缴费的户数", "回收金额(元)"], rows, {"名称": 22})
    _format(ws, 4, MONEY)
    _notes(ws, [f"{report.month}（截至 {report.as_of}）：快照日期在本月的台账中，比同一房间上一份台账欠费减少的金额"
                "（缴费或减免；房间从台账消失按全部缴清计）。",
                f"招数：缴费前 {EFFECT_LOOKBACK_DAYS} 天内最近一次分类给这户（同一业主）的招数；没有的记为“近期没有分类记录”。"])


def _aging_sheet(wb: Workbook, report: Report) -> None:
    rows = [[a.bucket, a.rooms, a.amount / 100] for a in report.aging]
    rows.append([TOTAL, report.debt_rooms, report.debt / 100])
    ws = write_sheet(wb, "欠费账龄", ["账龄", "户数", "欠费金额(元)"], rows, {"账龄": 14, "户数": 10, "欠费金额(元)": 16})
    _format(ws, 3, MONEY)
    _notes(ws, [f"截至 {report.as_of}。{AGING_NOTE}"])
    last = len(report.aging) + 1  # the charts leave out the 合计 row
    categories = Reference(ws, min_col=1, min_row=2, max_row=last)
    top = ws.max_row + 2
    few = max((a.rooms for a in report.aging), default=0) <= 10
    # side by side, so both print on the page under the table: the second starts past the first one's width
    column, width = 1, 0.0
    while width < (AGING_CM[0] + 0.5) * CM_PT:
        width += _column_pt(ws, column)
        column += 1
    for col, title, anchor, fmt in ((2, "欠费户数（按账龄）", f"A{top}", "0"),
                                    (3, "欠费金额（元，按账龄）", f"{get_column_letter(column)}{top}", "#,##0")):
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = fmt
        chart.y_axis.scaling.min = 0
        if col == 2 and few:
            chart.y_axis.majorUnit = 1  # whole rooms
        chart.width, chart.height = AGING_CM
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(categories)
        ws.add_chart(chart, anchor)


def _promises_sheet(wb: Workbook, report: Report) -> None:
    rows = [[p.collector, p.made, p.kept, p.broken, p.open, _pct(p.kept_rate, "—")] for p in report.promises]
    ws = write_sheet(wb, "缴费承诺", ["管家", "承诺数", "已兑现", "未兑现", "未到期/待核对", "兑现率"], rows, {"管家": 14})
    _format(ws, 6, PERCENT)
    _notes(ws, [f"{report.month}：{PROMISE_NOTE}"])


def _effect_sheet(wb: Workbook, report: Report) -> None:
    rows = [[e.label, e.decisions, e.paid, _pct(e.paid_share, "—"), e.recovered / 100, e.outstanding / 100,
             _pct(e.recovered_share, "—")] for e in report.effectiveness]
    ws = write_sheet(wb, "招数效果", ["招数", "房次", f"{EFFECT_WINDOW_DAYS}天内有缴费", "缴费比例", "回收金额(元)",
                                "分类时欠费(元)", "回收比例"], rows, {"招数": 22})
    for col, fmt in ((4, PERCENT), (5, MONEY), (6, MONEY), (7, PERCENT)):
        _format(ws, col, fmt)
    runs = [f"分类 {r.as_of}：{r.decisions} 户，观察至 {r.window_end}" + ("" if r.complete else "（观察期未满，之后的台账导入后数字还会变）")
            for r in report.runs] or [f"统计日前 {EFFECT_LOOKBACK_DAYS} 天内没有分类记录（feedun classify）。"]
    _notes(ws, [EFFECT_NOTE, *runs])


def _limitation_sheet(wb: Workbook, report: Report) -> None:
    rows = [[r.estate, r.room, r.owner, r.collector, r.oldest_period, r.oldest_due.isoformat(),
             r.limit_date.isoformat(), r.months_overdue, r.outstanding / 100] for r in report.limitation]
    ws = write_sheet(wb, "诉讼时效", ["管理处", "房号", "业主", "负责管家", "最早欠费期间", "最早应缴日", "时效届满日(约)",
                                "欠费月数", "欠费金额(元)"], rows, {"房号": 12})
    _format(ws, 9, MONEY)
    _notes(ws, [f"截至 {report.as_of}。{LIMITATION_NOTE}"])


# ---- 摘要: the page a manager hands round --------------------------------------------------------------------

SUMMARY = "摘要"
SUMMARY_PERCENT = "0.0%"
CHANGE = "+#,##0.00;-#,##0.00;0.00"  # money with its sign: a fall reads -1,234.00
UNKNOWN = "不详"
NOTE_PT = 10
SUMMARY_COLUMNS = 6  # A–F: three tiles of two columns; the charts fill the same width
SUMMARY_WIDTH = 15  # width units per column: 6 × (15 × 7 + 5) px = 660 px ≈ 17.5 cm, inside A4's 18.5 cm
SUMMARY_MARGINS = {"left": 0.5, "right": 0.5, "top": 0.7, "bottom": 0.7, "header": 0.3, "footer": 0.3}
A4_INCHES = (8.27, 11.69)
TREND_CM = (17.2, 7.0)  # width, tallest height (the page left decides)
BAR_CM = (8.4, 8.0)
SUMMARY_PAGE_PT = (A4_INCHES[1] - SUMMARY_MARGINS["top"] - SUMMARY_MARGINS["bottom"]) * 72 - 16  # 16: a reserve
DATA_COLUMN = SUMMARY_COLUMNS + 2  # H: the numbers the charts draw, beside the printed page
MOST_COLLECTORS = 8  # bars in 按管家 before the rest are summed
CM_PT = 72 / 2.54
DEFAULT_ROW_PT = 15.0
GREY = "595959"
RULE = Side(style="thin", color="BFBFBF")


@dataclass(frozen=True)
class Figure:
    """One key figure of 摘要: a number with its format, or words saying why there is none; a short note under it."""

    label: str
    value: int | float | str
    fmt: str
    note: str


@dataclass(frozen=True)
class SummaryChart:
    """A chart of 摘要: its points (category, value; None for a month without data), or why it is left out."""

    title: str
    points: list[tuple[str, float | None]]
    header: str  # the value column's header in the data block
    reason: str = ""  # set: no chart, this line instead
    caption: str = ""  # a line under the chart (e.g. months that leave out an estate)


def _yuan(fen: int) -> float:
    return int(fen) / 100


def _money_text(fen: int) -> str:
    return f"{int(fen) / 100:,.2f}"


def _dates(row: ArrearsRow) -> str:
    """The ledger dates a month's arrears come from: one date, or each estate's."""
    days = sorted(set(row.snapshots.values()))
    if len(days) == 1:
        return days[0].isoformat()
    return "；".join(f"{e} {d.isoformat()}" for e, d in row.snapshots.items())


def summary_figures(report: Report) -> list[Figure]:
    """The nine key figures of 摘要, in reading order (three rows of three)."""
    ledger = report.ledger_on is not None
    no_ledger = "统计日之前没有导入台账"
    now = report.arrears_trend[-1] if report.arrears_trend else None
    before = report.arrears_trend[-2] if len(report.arrears_trend) > 1 else None
    figures = []

    if ledger:
        figures.append(Figure("欠费金额（元）", _yuan(report.debt), MONEY, f"截至统计日 {report.as_of}"))
    else:
        figures.append(Figure("欠费金额（元）", UNKNOWN, "", no_ledger))
    if before is None or before.amount is None:
        month = before.month if before else "上月"
        figures.append(Figure("上月欠费金额（元）", UNKNOWN, "", f"{month} 没有导入台账"))
    else:
        left_out = f"，不含{'、'.join(before.missing)}" if before.missing else ""
        figures.append(Figure("上月欠费金额（元）", _yuan(before.amount), MONEY, f"{before.month} 的台账（{_dates(before)}）{left_out}"))
    if now is not None and now.change is not None:
        verb = "增加" if now.change > 0 else "减少" if now.change < 0 else "持平"
        note = f"本月台账比上月{verb}"
        if now.amount is not None and now.amount != report.debt:  # an estate without a ledger this month
            note += f"（本月台账合计 {_money_text(now.amount)} 元）"
        figures.append(Figure("欠费较上月（元）", _yuan(now.change), CHANGE, note))
    else:
        if now is None or now.amount is None:
            why = "本月没有导入台账，无法比较"
        elif before is None or before.amount is None:
            why = "上月没有台账，无法比较"
        else:
            only = sorted(set(now.snapshots) ^ set(before.snapshots))
            why = f"两个月的台账覆盖的管理处不同（{'、'.join(only)}），不能直接比较"
        figures.append(Figure("欠费较上月（元）", UNKNOWN, "", why))

    if ledger:
        compared = now is not None and now.change is not None and before is not None and before.rooms is not None
        note = f"上月 {before.rooms} 户" if compared and before is not None else f"截至统计日 {report.as_of}"
        figures.append(Figure("欠费户数", report.debt_rooms, "0", note))
    else:
        figures.append(Figure("欠费户数", UNKNOWN, "", no_ledger))
    got = report.recovered_total
    if got is None:
        figures.append(Figure("本月回收（元）", UNKNOWN, "", "本月的台账之前没有同一管理处的台账可比较"))
    elif got.amount == 0:
        figures.append(Figure("本月回收（元）", 0, MONEY, "本月台账中没有房间的欠费减少"))
    else:
        figures.append(Figure("本月回收（元）", _yuan(got.amount), MONEY, f"{got.rooms} 户的欠费减少（缴费或减免）"))
    p = report.promise_total
    if p.made == 0:
        figures.append(Figure("承诺兑现率", "本月无承诺", "", "本月没有登记缴费承诺"))
    elif p.kept_rate is None:
        figures.append(Figure("承诺兑现率", "未到期", "", f"登记 {p.made} 个，都未到期或待下一份台账核对"))
    else:
        figures.append(Figure("承诺兑现率", p.kept_rate, SUMMARY_PERCENT,
                              f"已兑现 {p.kept} / 登记 {p.made}\n未兑现 {p.broken}，待核对 {p.open}"))

    dunning, lawyer = report.letters_sent.get("dunning", 0), report.letters_sent.get("lawyer", 0)
    figures.append(Figure("本月寄出函件（封）", report.letters_total, "0",
                          f"催费函 {dunning}，律师函 {lawyer}（按函件登记表）" if report.letters_total
                          else "函件登记表中本月没有寄出的函件"))
    if ledger:
        count = len(report.limitation)
        figures.append(Figure("临近诉讼时效（户）", count, "0",
                              "请尽快发函并保留送达凭证，见“诉讼时效”表" if count else "没有超过 30 个月未送达催收的房间"))
    else:
        figures.append(Figure("临近诉讼时效（户）", UNKNOWN, "", no_ledger))
    total = report.total_rate
    if total.receivable is None:
        figures.append(Figure("本月收费率", RECEIVABLE_UNKNOWN, "", "台账没有应收金额，无法计算收费率"))
    elif total.rate is None:
        figures.append(Figure("本月收费率", UNKNOWN, "", "本月应收金额为 0"))
    else:
        unknown = [r.name for r in report.rates if r.dimension == "estate" and not r.rate.has_data]
        note = f"实收 {_money_text(total.collected or 0)} 元\n应收 {_money_text(total.receivable)} 元"
        figures.append(Figure("本月收费率", total.rate, SUMMARY_PERCENT,
                              note + (f"；不含{'、'.join(unknown)}（应收不详）" if unknown else "")))
    return figures


def summary_charts(report: Report) -> list[SummaryChart]:
    """The three charts of 摘要: arrears trend, aging, recovered by collector; each with its reason when left out."""
    charts = []
    title = "欠费金额走势（元）"
    known = [a for a in report.arrears_trend if a.amount is not None]
    if not known:
        charts.append(SummaryChart(title, [], "欠费金额(元)", reason=f"近 {TREND_MONTHS} 个月没有台账，没有走势可画。"))
    elif len(known) == 1:
        charts.append(SummaryChart(title, [], "欠费金额(元)", reason=f"近 {TREND_MONTHS} 个月只有 {known[0].month} 一个月的台账，"
                                   "有两个月的台账才画走势。"))
    else:
        start = report.arrears_trend.index(known[0])
        shown = report.arrears_trend[start:]
        partial: dict[str, list[str]] = {}
        for a in shown:
            if a.amount is not None and a.missing:
                partial.setdefault("、".join(a.missing), []).append(a.month)
        caption = "；".join(f"{'、'.join(months)} 不含{estates}（该月没有台账）" for estates, months in partial.items())
        gaps = [a.month for a in shown if a.amount is None]
        if gaps:
            caption = "；".join(filter(None, [caption, f"{'、'.join(gaps)} 没有台账，图中断开"]))
        # at most twelve months, named in the title: 「3月」 reads on a half-inch axis where 2026-03 wraps
        charts.append(SummaryChart(f"欠费金额走势（元，{shown[0].month} 至 {shown[-1].month}）",
                                   [(f"{int(a.month[5:])}月", None if a.amount is None else _yuan(a.amount))
                                    for a in shown], "欠费金额(元)", caption=caption))

    title = "欠费金额按账龄（元）"
    if report.ledger_on is None:
        charts.append(SummaryChart(title, [], "欠费金额(元)", reason="统计日之前没有导入台账。"))
    elif report.debt_rooms == 0:
        charts.append(SummaryChart(title, [], "欠费金额(元)", reason=f"截至统计日 {report.as_of} 没有欠费的房间。"))
    else:
        charts.append(SummaryChart(title, [(f"{a.bucket}\n{a.rooms}户", _yuan(a.amount)) for a in report.aging],
                                   "欠费金额(元)"))

    title = "本月回收按管家（元）"
    got = report.recovered_total
    if got is None:
        charts.append(SummaryChart(title, [], "回收金额(元)", reason="本月回收不详：本月的台账之前没有同一管理处的台账可比较。"))
    elif got.amount == 0:
        charts.append(SummaryChart(title, [], "回收金额(元)", reason="本月台账中没有房间的欠费减少，回收为 0。"))
    else:
        rows = sorted((r for r in report.recovered if r.dimension == "collector"), key=lambda r: -r.amount)
        points = [(f"{r.name} {r.rooms}户", _yuan(r.amount)) for r in rows[:MOST_COLLECTORS]]
        rest = rows[MOST_COLLECTORS:]
        if rest:
            points.append((f"其余 {len(rest)} 位管家 {sum(r.rooms for r in rest)}户", _yuan(sum(r.amount for r in rest))))
        charts.append(SummaryChart(title, points, "回收金额(元)"))
    return charts


def _ems(text: str) -> float:
    """Width of a text in ems: a Chinese character takes one, a Latin letter or digit a little over half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _text_lines(text: str, width_pt: float, size_pt: float) -> int:
    """Lines a text wraps to in a cell `width_pt` wide at `size_pt` (each explicit line break starts a line)."""
    per_line = max(width_pt - 8, size_pt) / size_pt
    return sum(max(1, math.ceil(_ems(part) / per_line)) for part in text.split("\n")) if text else 1


def _line_pt(size_pt: float) -> float:
    """One line of CJK text at this size, the font's line gap included (Noto Sans CJK: about 1.36 em)."""
    return size_pt * 1.36


def _column_pt(ws, index: int) -> float:
    """A column's width in points, converted as Excel does (7 px per unit and 5 px padding at 96 dpi)."""
    dim = ws.column_dimensions.get(get_column_letter(index))
    width = dim.width if dim is not None and dim.width else 8.43
    return (width * 7 + 5) * 0.75


def _columns_pt(ws, first: int, last: int) -> float:
    return sum(_column_pt(ws, i) for i in range(first, last + 1))


def _row_pt(ws, row: int) -> float:
    dim = ws.row_dimensions.get(row)
    return dim.height if dim is not None and dim.height else DEFAULT_ROW_PT


def _summary_sheet(wb: Workbook, report: Report) -> None:
    ws = wb.create_sheet(SUMMARY)
    ws.sheet_view.showGridLines = False
    for index in range(1, SUMMARY_COLUMNS + 1):
        ws.column_dimensions[get_column_letter(index)].width = SUMMARY_WIDTH
    full = _columns_pt(ws, 1, SUMMARY_COLUMNS)
    year, month = report.month.split("-")
    row = 1
    title = f"{report.company}欠费月报 · {int(year)}年{int(month)}月"
    size = 18 if _text_lines(title, full, 18) == 1 else 14  # a long company name: smaller, then wrapped
    _band(ws, row, title, Font(bold=True, size=size), _text_lines(title, full, size) * _line_pt(size) + 6)
    row += 1
    now = report.arrears_trend[-1] if report.arrears_trend else None
    ledgers = f"本月台账：{_dates(now)}" if now is not None and now.snapshots else "本月没有导入台账"
    if now is not None and now.snapshots and now.missing:
        ledgers += f"（{'、'.join(now.missing)} 本月没有台账）"
    sub = f"统计日 {report.as_of}（月底，或生成日期如早于月底） · {ledgers} · 生成日期 {report.generated_on}"
    _band(ws, row, sub, Font(size=NOTE_PT, color=GREY), _text_lines(sub, full, NOTE_PT) * _line_pt(NOTE_PT) + 4)
    row += 1
    ws.row_dimensions[row].height = 8
    row += 1

    figures = summary_figures(report)
    tile_pt = _columns_pt(ws, 1, 2)
    for first in range(0, len(figures), 3):
        three = figures[first:first + 3]
        lines = max(_text_lines(f.note, tile_pt, 9) for f in three)
        ws.row_dimensions[row].height = 18
        ws.row_dimensions[row + 1].height = 30
        ws.row_dimensions[row + 2].height = lines * _line_pt(9) + 4
        for i, figure in enumerate(three):
            _tile(ws, row, 1 + 2 * i, figure)
        ws.row_dimensions[row + 3].height = 6
        row += 4

    trend, aging, collectors = summary_charts(report)
    foot = ("口径和明细见后面各表（概览、收费率、欠费走势、本月回收、欠费账龄、缴费承诺、招数效果、诉讼时效）。"
            "兑现率 = 已兑现 ÷（已兑现 + 未兑现）；本月回收 = 本月台账比上一份台账欠费减少的金额。")
    foot_pt = _text_lines(foot, full, 9) * _line_pt(9) + 4
    bands = [[(1, trend)], [(1, aging), (1 + SUMMARY_COLUMNS // 2, collectors)]]
    # The charts get the page that is left: every row above them is known, so is the foot and each band's caption
    # or reason line; a page at 100 % keeps every text at its size (fit to one page is only the guard).
    free = SUMMARY_PAGE_PT - sum(_row_pt(ws, r) for r in range(1, row)) - foot_pt - 2 * 6 - 2 * 4
    for band in bands:
        free -= _band_text_pt(ws, band)
    tall_trend, tall_bars = (any(not spec.reason for _, spec in band) for band in bands)
    trend_cm = max(4.0, min(TREND_CM[1], free / CM_PT * (0.45 if tall_bars else 1.0))) if tall_trend else 0.0
    bars_cm = max(4.0, min(BAR_CM[1], free / CM_PT - trend_cm)) if tall_bars else 0.0
    data = _ChartData(ws)
    row = _chart_band(ws, row, bands[0], (TREND_CM[0], trend_cm), data, line=True)
    ws.row_dimensions[row].height = 6
    row += 1
    row = _chart_band(ws, row, bands[1], (BAR_CM[0], bars_cm), data, line=False)
    ws.row_dimensions[row].height = 6
    row += 1
    _band(ws, row, foot, Font(size=9, color=GREY), foot_pt)

    end = get_column_letter(SUMMARY_COLUMNS)
    ws.print_area = f"A1:{end}{row}"
    print_on_a4(ws, portrait=True, pages_tall=1, margins=SUMMARY_MARGINS)
    _page_header(ws, report)


def _band(ws, row: int, text: str, font: Font, height: float) -> None:
    """A line of text across the page (merged A–F)."""
    cell = ws.cell(row, 1)
    set_cell(cell, text)  # names from the ledger or feedun.toml: never a formula
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=SUMMARY_COLUMNS)
    ws.row_dimensions[row].height = height


def _tile(ws, row: int, column: int, figure: Figure) -> None:
    """A key figure over two columns: its name, the figure in large type, a note; a thin box round the three."""
    label, value, note = ws.cell(row, column), ws.cell(row + 1, column), ws.cell(row + 2, column)
    for cell, text in ((label, figure.label), (value, figure.value), (note, figure.note)):
        set_cell(cell, text)
    label.font = Font(bold=True, size=NOTE_PT, color=GREY)
    label.fill = PatternFill("solid", fgColor="F2F2F2")
    value.font = Font(bold=True, size=18 if isinstance(figure.value, (int, float)) else 16)
    if isinstance(figure.value, (int, float)):
        value.number_format = figure.fmt
    note.font = Font(size=9, color=GREY)
    for r, cell in enumerate((label, value, note)):
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=r != 1, shrink_to_fit=r == 1)
        ws.merge_cells(start_row=row + r, start_column=column, end_row=row + r, end_column=column + 1)
    for r in range(row, row + 3):
        for c in (column, column + 1):
            ws.cell(r, c).border = Border(left=RULE if c == column else None, right=RULE if c == column + 1 else None,
                                          top=RULE if r == row else None, bottom=RULE if r == row + 2 else None)


class _ChartData:
    """The numbers 摘要's charts draw, in a block right of the printed page (visible on screen, never printed)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.row = 1
        ws.column_dimensions[get_column_letter(DATA_COLUMN)].width = 24
        ws.column_dimensions[get_column_letter(DATA_COLUMN + 1)].width = 16
        note = ws.cell(self.row, DATA_COLUMN, "图表数据（摘要页的图取自这里，不打印）")
        note.font = Font(size=9, color=GREY)
        self.row += 2

    def add(self, chart: SummaryChart, reverse: bool) -> tuple[Reference, Reference]:
        """Write the points under a header; (values with the header, categories). Horizontal bars are drawn
        bottom-up, so their points go in reversed to read top-down on the page."""
        ws, first = self.ws, self.row
        ws.cell(first, DATA_COLUMN, chart.title).font = Font(bold=True, size=NOTE_PT)
        ws.cell(first, DATA_COLUMN + 1, chart.header).font = Font(bold=True, size=NOTE_PT)
        points = list(reversed(chart.points)) if reverse else chart.points
        for i, (category, value) in enumerate(points, start=1):
            set_cell(ws.cell(first + i, DATA_COLUMN), category)  # a collector's name: never a formula
            if value is not None:  # an unknown month stays empty: a gap in the line, never 0
                ws.cell(first + i, DATA_COLUMN + 1, value).number_format = MONEY
        last = first + len(points)
        self.row = last + 2
        return (Reference(ws, min_col=DATA_COLUMN + 1, min_row=first, max_row=last),
                Reference(ws, min_col=DATA_COLUMN, min_row=first + 1, max_row=last))


def _reason_pt(ws, band: list[tuple[int, SummaryChart]]) -> float:
    """Height of the row that says why a band's charts are left out."""
    width = _columns_pt(ws, 1, SUMMARY_COLUMNS // len(band))
    return max(_text_lines(f"{spec.title}：{spec.reason}", width, NOTE_PT) for _, spec in band) * _line_pt(NOTE_PT) + 8


def _caption(band: list[tuple[int, SummaryChart]]) -> str:
    return "；".join(spec.caption for _, spec in band if spec.caption and not spec.reason)


def _band_text_pt(ws, band: list[tuple[int, SummaryChart]]) -> float:
    """What a band takes besides its charts: its reason row when nothing in it is drawn, its caption row."""
    height = 0.0 if any(not spec.reason for _, spec in band) else _reason_pt(ws, band)
    caption = _caption(band)
    if caption:
        height += _text_lines(caption, _columns_pt(ws, 1, SUMMARY_COLUMNS), 9) * _line_pt(9) + 2
    return height


def _chart_band(ws, row: int, band: list[tuple[int, SummaryChart]], size: tuple[float, float], data: _ChartData, *,
                line: bool) -> int:
    """Charts (`size` in cm) side by side in one row as tall as they are; a chart left out leaves a line saying
    why in its place. Then one caption row if a chart has a caption. Returns the next free row."""
    span = SUMMARY_COLUMNS // len(band)
    width, height = size
    if any(not spec.reason for _, spec in band):
        ws.row_dimensions[row].height = height * CM_PT + 4
    else:
        ws.row_dimensions[row].height = _reason_pt(ws, band)
    for column, spec in band:
        if spec.reason:
            cell = ws.cell(row, column)
            set_cell(cell, f"{spec.title}：{spec.reason}")
            cell.font = Font(size=NOTE_PT, color=GREY)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + span - 1)
            continue
        values, categories = data.add(spec, reverse=not line)
        chart = _line_chart(spec) if line else _bar_chart(spec)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(categories)
        for series in chart.series:
            if line:
                series.marker.symbol = "circle"
                series.smooth = False
        chart.width, chart.height = width, height
        ws.add_chart(chart, f"{get_column_letter(column)}{row}")
    row += 1
    caption = _caption(band)
    if caption:
        _band(ws, row, caption, Font(size=9, color=GREY),
              _text_lines(caption, _columns_pt(ws, 1, SUMMARY_COLUMNS), 9) * _line_pt(9) + 2)
        row += 1
    return row


def _line_chart(spec: SummaryChart) -> LineChart:
    chart = LineChart()
    chart.title = spec.title
    chart.legend = None
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.scaling.min = 0
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    return chart


def _bar_chart(spec: SummaryChart) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal: the long category names read in full
    chart.title = spec.title
    chart.legend = None
    chart.x_axis.delete = False
    chart.y_axis.delete = True  # each bar carries its amount: no value axis to crowd a half-page chart
    chart.y_axis.majorGridlines = None
    chart.y_axis.scaling.min = 0
    chart.gapWidth = 60
    # the amount at the end of each bar, and nothing else (LibreOffice adds the category and series unless told)
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                     showPercent=False, dLblPos="outEnd", numFmt="#,##0")
    return chart


def _page_header(ws, report: Report, sheet: str = "") -> None:
    """Company, report month (and the sheet) at the top of each printed page; the page count at the foot."""
    title = f"{report.company} 欠费月报 {report.month}".strip()
    ws.oddHeader.center.text = (f"{title} · {sheet}" if sheet else title).replace("&", "&&")
    ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = f"统计日 {report.as_of} · 第 &P 页 / 共 &N 页"
    ws.oddFooter.center.size = 9


# ---- printing the detailed sheets ---------------------------------------------------------------------------


def _print_detail(ws, report: Report) -> None:
    """A detailed sheet on A4: the print area widened to hold its notes and charts, and a page break before a chart
    that would straddle one (a chart is printed whole on one page, never cut)."""
    charts = list(ws._charts)
    last_row, last_col = ws.max_row, ws.max_column
    for chart in charts:
        row, column = _anchor(chart)
        bottom = row
        height = 0.0
        while height < chart.height * CM_PT:
            ws.row_dimensions[bottom].height = _row_pt(ws, bottom)  # explicit, as LibreOffice must lay it out
            height += _row_pt(ws, bottom)
            bottom += 1
        right, width = column, 0.0
        while width < chart.width * CM_PT:
            width += _column_pt(ws, right)
            right += 1
        last_row, last_col = max(last_row, bottom), max(last_col, right - 1)
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    _break_before_charts(ws, charts, last_col)
    _page_header(ws, report, ws.title)


def _anchor(chart) -> tuple[int, int]:
    """(row, column), 1-based, of the cell a chart's top-left corner is anchored to."""
    anchor = chart.anchor
    if isinstance(anchor, str):
        from openpyxl.utils.cell import coordinate_to_tuple

        return coordinate_to_tuple(anchor)
    return anchor._from.row + 1, anchor._from.col + 1


def _break_before_charts(ws, charts: list, last_col: int) -> None:
    """Start a new page at a chart that would otherwise run over the bottom of its page.

    Heights are the sheet's at the scale it prints at (fitted to the width of its print area)."""
    orientation = ws.page_setup.orientation or "portrait"
    wide, tall = A4_INCHES if orientation == "portrait" else reversed(A4_INCHES)
    margins = ws.page_margins
    scale = min(1.0, (wide - margins.left - margins.right) * 72 / _columns_pt(ws, 1, last_col))
    page = (tall - margins.top - margins.bottom) * 72 / scale
    title = _row_pt(ws, 1) if ws.print_title_rows else 0.0
    starts = {}
    for chart in charts:
        row, _ = _anchor(chart)
        starts[row] = max(starts.get(row, 0.0), chart.height * CM_PT)
    used, row = 0.0, 1
    for start in sorted(starts):
        while row < start:  # the rows before the chart, page by page
            height = _row_pt(ws, row)
            used = title + height if used + height > page else used + height
            row += 1
        if used + starts[start] > page and used > title:
            ws.row_breaks.append(Break(id=start - 1))
            used = title
