"""The report workbook: 概览 plus one sheet per section; the trends and the aging as native Excel charts.

Only shows a `Report` (metrics.py); the one module of the report that uses openpyxl. Sheets are written with
`feedun.outputs.xlsx.write_sheet` so they print like every other feedun workbook. Where the ledger gave no
amount due the cells say 应收不详 and no rate is charted (an arrears-only ledger has no collection rate; 欠费走势
and 本月回收 show what it does tell); shares of nothing say —; never nan or None. Chart ranges stay numbers or
empty so a missing month is a gap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font

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
    Report,
)
from feedun.outputs.xlsx import write_sheet

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
    """Grey italic lines under a table: the 口径 travels with the figures when a sheet is printed alone."""
    row = ws.max_row + 1 + gap
    for i, text in enumerate(lines):
        cell = ws.cell(row + i, 1, text)
        cell.font = Font(italic=True, color="595959")
        cell.alignment = Alignment(wrap_text=False, vertical="top")


def write_report_xlsx(report: Report, path: Path) -> Path:
    """概览 plus one sheet per section; the trend and the aging as native Excel charts."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    _overview_sheet(wb, report)
    _rates_sheet(wb, report)
    _trend_sheet(wb, report)
    _arrears_sheet(wb, report)
    _recovered_sheet(wb, report)
    _aging_sheet(wb, report)
    _promises_sheet(wb, report)
    _effect_sheet(wb, report)
    _limitation_sheet(wb, report)
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
    for col, title, anchor, fmt in ((2, "欠费户数（按账龄）", f"A{top}", "0"),
                                    (3, "欠费金额（元，按账龄）", f"A{top + 18}", "#,##0")):
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
        chart.height, chart.width = 8, 16
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
