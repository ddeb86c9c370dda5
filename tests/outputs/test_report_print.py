"""The report on paper: 摘要 is one A4 portrait page a manager hands round; the detailed sheets print their charts.

Structural checks read the workbook back with openpyxl (page setup, print area, where the charts lie, the page's
height at 100 %); the `requires_office` checks print it through LibreOffice and measure the PDF
(tests/rendering.py). The reports are built by hand (no store): a rich month of a large company and a thin one
(an arrears-only ledger's first month); what the figures say is tested against stores in test_report.py.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from feedun.outputs.report import (
    AgingRow,
    ArrearsRow,
    LimitationRow,
    PromiseRow,
    Rate,
    RateRow,
    RecoveredRow,
    Report,
    TrendRow,
    write_report_xlsx,
)
from feedun.outputs.report.metrics import AGING_BUCKETS, NO_RATE
from rendering import read_pdf, requires_office, to_pdf

pytestmark = pytest.mark.no_store

MONTHS = ["2025-12", *[f"2026-{m:02d}" for m in range(1, 12)]]
ESTATES = ["翠湖苑", "阳光花园"]
EMU_PER_PT = 12700
A4 = 9  # paperSize
CHART_TITLES = {"收费率趋势": ["收费率趋势"], "欠费走势": ["欠费金额走势"],
                "欠费账龄": ["欠费户数（按账龄）", "欠费金额（元，按账龄）"]}


def rich() -> Report:
    """A year of ledgers of a large company: eight-figure arrears, ten collectors, letters, limitation."""
    trend, arrears = [], []
    amount = 1_198_765_432  # fen
    for i, month in enumerate(MONTHS):
        day = date(int(month[:4]), int(month[5:]), 25)
        change = None if i == 0 else 1_234_567 * (1 if i % 3 else -2)
        amount += change or 0
        arrears.append(ArrearsRow(month, dict.fromkeys(ESTATES, day), [], 2300 + i, amount, change))
        trend.append(TrendRow(month, Rate(98_000_000, 71_000_000 + 100_000 * i),
                              {e: Rate(49_000_000, 35_500_000 + 50_000 * i) for e in ESTATES}))
    collectors = [f"{name}管家" for name in "李王赵钱孙周吴郑冯陈"]
    recovered = [RecoveredRow("total", "合计", 310, 87_654_321),
                 *[RecoveredRow("estate", e, 155, 43_827_160) for e in ESTATES],
                 *[RecoveredRow("collector", c, 31 - i, 9_000_000 - 400_000 * i) for i, c in enumerate(collectors)]]
    aging = [AgingRow(name, rooms, rooms * 523_456) for (name, _, _), rooms in zip(AGING_BUCKETS, [900, 600, 400,
                                                                                                    300, 124],
                                                                                    strict=True)]
    limitation = [LimitationRow("阳光花园", f"3-1-{i:03d}", "赵四", "赵管家", "2023-05", date(2023, 5, 15),
                                date(2026, 5, 15), 42, 1_234_500) for i in range(1, 8)]
    return Report(month="2026-11", as_of=date(2026, 11, 30), generated_on=date(2026, 12, 2), estates=ESTATES,
                  snapshots=dict.fromkeys(ESTATES, date(2026, 11, 25)),
                  rates=[RateRow("total", "合计", Rate(98_000_000, 72_100_000)),
                         *[RateRow("estate", e, Rate(49_000_000, 36_050_000), e) for e in ESTATES]],
                  trend=trend, aging=aging,
                  promises=[PromiseRow(c, 6, 3, 2, 1) for c in collectors] + [PromiseRow("合计", 60, 30, 20, 10)],
                  limitation=limitation, arrears_trend=arrears, recovered=recovered,
                  letters_sent={"dunning": 45, "lawyer": 3}, ledger_on=date(2026, 11, 25),
                  company="杭州阳光物业服务有限公司第一分公司")


def thin() -> Report:
    """An arrears-only ledger, the company's first: one month, nothing to compare, no collection rate."""
    arrears = [ArrearsRow(m, {}, ["绿洲家园"], None, None) for m in MONTHS[:-1]]
    arrears.append(ArrearsRow("2026-11", {"绿洲家园": date(2026, 11, 28)}, [], 11, 1_269_000))
    aging = [AgingRow(name, rooms, rooms * 115_000) for (name, _, _), rooms in zip(AGING_BUCKETS, [7, 1, 0, 1, 2],
                                                                                    strict=True)]
    return Report(month="2026-11", as_of=date(2026, 11, 30), generated_on=date(2026, 12, 2), estates=["绿洲家园"],
                  snapshots={"绿洲家园": date(2026, 11, 28)}, rates=[RateRow("total", "合计", NO_RATE)],
                  trend=[TrendRow(m, NO_RATE, {"绿洲家园": NO_RATE}) for m in MONTHS], aging=aging,
                  promises=[PromiseRow("合计", 0, 0, 0, 0)], arrears_trend=arrears, ledger_on=date(2026, 11, 28),
                  company="物业服务中心")


@pytest.fixture(params=["rich", "thin"])
def workbook(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    report = rich() if request.param == "rich" else thin()
    return write_report_xlsx(report, tmp_path / f"report-{request.param}.xlsx")


def column_pt(ws, index: int) -> float:
    """A column's width in points as Excel converts it (7 px per unit, 5 px padding, 96 dpi)."""
    dim = ws.column_dimensions.get(get_column_letter(index))
    width = dim.width if dim is not None and dim.width else 8.43
    return (width * 7 + 5) * 0.75


def row_pt(ws, index: int) -> float:
    dim = ws.row_dimensions.get(index)
    return dim.height if dim is not None and dim.height else 15.0


def print_area(ws) -> tuple[int, int, int, int]:
    area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
    return range_boundaries(area.split("!")[-1].replace("$", ""))


def chart_box(ws, chart) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a chart in points from the sheet's top-left corner."""
    start = chart.anchor._from
    left = sum(column_pt(ws, c) for c in range(1, start.col + 1)) + start.colOff / EMU_PER_PT
    top = sum(row_pt(ws, r) for r in range(1, start.row + 1)) + start.rowOff / EMU_PER_PT
    ext = chart.anchor.ext
    return left, top, left + ext.width / EMU_PER_PT, top + ext.height / EMU_PER_PT


def test_the_summary_is_set_up_as_one_a4_portrait_page(workbook: Path) -> None:
    wb = load_workbook(workbook)
    ws = wb.worksheets[0]
    assert ws.title == "摘要"
    setup = ws.page_setup
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth, setup.fitToHeight) == (1, 1)
    assert setup.orientation == "portrait" and int(setup.paperSize) == A4
    margins = ws.page_margins
    assert 0.3 <= margins.left <= 0.8 and 0.3 <= margins.right <= 0.8 and margins.top >= 0.5 and margins.bottom >= 0.5
    month = "2026-11"
    assert month in ws.oddHeader.center.text and "第 &P 页" in ws.oddFooter.center.text
    min_col, min_row, max_col, max_row = print_area(ws)
    assert (min_col, min_row, max_col) == (1, 1, 6)  # A–F
    # At 100 % the printed rows and columns fit inside the margins: fit-to-page is a guard, not a shrink.
    width = (8.27 - margins.left - margins.right) * 72
    height = (11.69 - margins.top - margins.bottom) * 72
    assert sum(column_pt(ws, c) for c in range(min_col, max_col + 1)) <= width
    assert sum(row_pt(ws, r) for r in range(min_row, max_row + 1)) <= height
    # everything written in A–F is printed; the charts' numbers to the right are not
    printed = [c for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=max_col) for c in row if c.value]
    assert max(c.row for c in printed) <= max_row


def test_the_summary_charts_lie_inside_the_print_area(workbook: Path) -> None:
    wb = load_workbook(workbook)
    ws = wb["摘要"]
    min_col, min_row, max_col, max_row = print_area(ws)
    right = sum(column_pt(ws, c) for c in range(min_col, max_col + 1))
    bottom = sum(row_pt(ws, r) for r in range(min_row, max_row + 1))
    assert ws._charts, "no chart on the summary"
    for chart in ws._charts:
        start = chart.anchor._from
        assert min_col <= start.col + 1 <= max_col and min_row <= start.row + 1 <= max_row
        x0, y0, x1, y1 = chart_box(ws, chart)
        assert 0 <= x0 < x1 <= right and 0 <= y0 < y1 <= bottom, (chart.tagname, (x0, y0, x1, y1), (right, bottom))
        # each chart reads its numbers from cells of the workbook, not from a copy inside the chart
        assert all("!" in s.val.numRef.f for s in chart.series)
    boxes = sorted(chart_box(ws, c) for c in ws._charts)
    for a, b in itertools.pairwise(boxes):  # side by side or one under another, never overlapping
        assert a[2] <= b[0] or a[3] <= b[1] or b[3] <= a[1]


def test_the_summary_with_no_data_says_why_a_chart_is_missing(tmp_path: Path) -> None:
    wb = load_workbook(write_report_xlsx(thin(), tmp_path / "r.xlsx"))
    ws = wb["摘要"]
    assert [c.tagname for c in ws._charts] == ["barChart"]  # the aging; one month is no trend, recovered unknown
    text = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert any(t.startswith("欠费金额走势（元）：") and "只有 2026-11 一个月的台账" in t for t in text)
    assert any(t.startswith("本月回收按管家（元）：本月回收不详") for t in text)


def test_detail_sheets_print_their_charts_whole(workbook: Path) -> None:
    """Each chart of a detailed sheet lies inside the sheet's print area, and one that would run over the foot of
    a page starts on a new one (a manual break at its first row)."""
    wb = load_workbook(workbook)
    for ws in wb.worksheets[1:]:
        assert int(ws.page_setup.paperSize) == A4
        min_col, min_row, max_col, max_row = print_area(ws)
        assert max_row >= ws.max_row, ws.title  # the notes under a table are printed too
        right = sum(column_pt(ws, c) for c in range(min_col, max_col + 1))
        bottom = sum(row_pt(ws, r) for r in range(min_row, max_row + 1))
        for chart in ws._charts:
            _, _, x1, y1 = chart_box(ws, chart)
            assert x1 <= right and y1 <= bottom, (ws.title, chart.tagname)
        breaks = {b.id for b in ws.row_breaks.brk}
        for chart in ws._charts:  # no page break falls inside a chart
            first = chart.anchor._from.row + 1
            _, top, _, end = chart_box(ws, chart)
            inside = [b for b in breaks if top < sum(row_pt(ws, r) for r in range(1, b + 1)) < end]
            assert not inside, (ws.title, first, inside)
        assert ws.title in ws.oddHeader.center.text


@requires_office
def test_the_printed_summary_is_page_one_and_reads_at_eight_points(workbook: Path, tmp_path: Path) -> None:
    pages = read_pdf(to_pdf(workbook, tmp_path / "pdf"))
    first, second = pages[0], pages[1]
    assert first.lines[0].endswith("欠费月报 2026-11")  # the page header
    assert "欠费月报 · 2026年11月" in first.text and "欠费金额（元）" in first.text and "欠费账龄" not in first.lines[0]
    assert first.min_size >= 8, first.min_size
    assert not first.outside(margin=5)
    assert "###" not in first.text  # every figure fits its cell
    # the charts are printed on the summary page (their titles are text in the PDF)
    drawn = ["欠费金额按账龄（元）"] + (["欠费金额走势（元，2025-12 至 2026-11）", "本月回收按管家（元）"]
                                  if "rich" in workbook.name else [])
    for title in drawn:  # (LibreOffice spaces Latin text inside a chart title: compare without spaces)
        assert "".join(title.split()) in "".join(first.text.split()), title
    # the summary is exactly one page: page 2 is the next sheet, 概览
    assert second.lines[0].endswith("概览") and second.lines[1] == "项目"
    # every chart of the detailed sheets is printed (none left outside a print area)
    rest = "".join("".join(p.text.split()) for p in pages[1:])
    for sheet, titles in CHART_TITLES.items():
        if sheet == "收费率趋势" and "thin" in workbook.name:
            continue  # no collection rate to chart
        for title in titles:
            assert "".join(title.split()) in rest, (sheet, title)


def test_the_rich_summary_page_holds_the_large_figures(tmp_path: Path) -> None:
    """Eight-figure amounts keep their tiles: the value cell shrinks to fit rather than show ###."""
    wb = load_workbook(write_report_xlsx(rich(), tmp_path / "r.xlsx"))
    ws = wb["摘要"]
    values = [c for row in ws.iter_rows(max_col=6) for c in row if isinstance(c.value, float) and c.value > 1e6]
    assert values and all(c.alignment.shrink_to_fit for c in values)
    assert all(c.number_format == "#,##0.00" for c in values)


def test_names_on_the_summary_are_never_formulas(tmp_path: Path) -> None:
    report = rich()
    report.company = "=HYPERLINK(\"http://evil.example\")"
    report.recovered = [*report.recovered[:3], RecoveredRow("collector", "=1+1", 3, 50_000)]
    path = write_report_xlsx(report, tmp_path / "r.xlsx")
    ws = load_workbook(path)["摘要"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)
    assert any(c.value == "=1+1 3户" for c in cells)
