"""Call lists, overview and watch list on paper: what the collector clips to a board and the manager hands round.

Structural checks read the workbook back with openpyxl (print area, fit to width, the printed scale, row heights,
totals); the `requires_office` checks print it through LibreOffice and measure the PDF (tests/rendering.py).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from feedun.config import Settings
from feedun.decide.classify import classify
from feedun.intake.importer import import_file
from feedun.outputs.calllist import CALL_HEADERS, PRINTED_HEADERS, write_call_lists
from feedun.outputs.xlsx import BODY_PT, LINE_PT, column_dimension, print_scale, text_lines
from feedun.store import Store
from rendering import read_pdf, requires_office, to_pdf

AS_OF = date(2026, 11, 27)
# Three buildings of one estate, listed out of walking order as ERPs do (sorted as text: 10 before 2), with
# owners of one-character surnames and compound ones, a room with two phones and one with none.
ROOMS = [(f"{b}-{u}-{f}0{n}", b) for b in (10, 2, 7) for u in (1, 2) for f in (3, 12, 5) for n in (1, 2)]


@pytest.fixture
def company(tmp_path: Path) -> Settings:
    settings = Settings.model_validate({"collectors": {"阳光花园": "李管家"}, "calls": {"daily_capacity": 30}})
    settings.workspace = tmp_path
    wb = Workbook()
    ws = wb.active
    ws.append(["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"])
    for i, (room, _) in enumerate(ROOMS):
        owner = ["王芳", "诸葛明亮", "李雷", "欧阳娜娜"][i % 4]
        phone = "" if i == 5 else ("13812345678/0571-88123456" if i == 7 else f"139{i:08d}")
        for month in range(1, 2 + i % 5):
            ws.append(["阳光花园", room, owner, phone, "物业服务费", f"2026-{month:02d}", 123456.78 if i == 3 else 321.5])
    wb.save(tmp_path / "ledger.xlsx")
    import_file(tmp_path / "ledger.xlsx", settings, as_of=date(2026, 11, 25))
    return settings


def lists(settings: Settings):
    store = Store.for_settings(settings)
    return write_call_lists(store, settings, classify(store, settings, as_of=AS_OF))


def test_call_list_prints_the_clipboard_columns_at_ten_points(company: Settings) -> None:
    result = lists(company)
    [mine] = result.lists
    ws = load_workbook(mine.path)["今日清单"]
    headers = [c.value for c in ws[1]]
    assert headers[: len(PRINTED_HEADERS)] == PRINTED_HEADERS and headers == CALL_HEADERS
    # Printed: the first twelve columns, the header on every page, fitted to one A4 landscape width only.
    last = mine.today + 2  # header, the rooms, the totals row
    assert ws.print_area == f"'今日清单'!$A$1:${ws.cell(1, len(PRINTED_HEADERS)).column_letter}${last}"
    assert ws.print_title_rows == "$1:$1"
    assert (ws.page_setup.orientation, int(ws.page_setup.paperSize)) == ("landscape", 9)  # 9: A4
    # fitToWidth absent is 1, the OOXML default: XlsxWriter leaves it out
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (
        1, 0, True)
    assert BODY_PT * print_scale(ws) >= 9.5  # the widths were chosen for 100 %
    assert all(ws.cell(2, c).font.sz == BODY_PT for c in range(1, len(PRINTED_HEADERS) + 1))
    # The page header names the collector, the date and the estate; the footer counts the pages.
    assert ws.oddHeader.center.text == "催缴清单　李管家　2026-11-27　阳光花园　联系时间 08:00–21:00"
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    # The full script stays on screen, outside the print area.
    assert CALL_HEADERS.index("话术") >= len(PRINTED_HEADERS)


def test_call_list_walks_the_buildings_and_totals_exactly(company: Settings) -> None:
    [mine] = lists(company).lists
    ws = load_workbook(mine.path)["今日清单"]
    col = {c.value: c.column for c in ws[1]}
    body = list(range(2, mine.today + 2))
    rooms = [ws.cell(r, col["房号"]).value for r in body]
    from feedun.outputs.calllist import walking_key

    assert rooms == sorted(rooms, key=walking_key) and rooms[0].startswith("2-1-")  # 2 before 7 before 10
    assert [ws.cell(r, col["序号"]).value for r in body] == list(range(1, mine.today + 1))
    # A rule above the first room of each new building.
    firsts = [r for r in body[1:] if rooms[r - 2].split("-")[0] != rooms[r - 3].split("-")[0]]
    assert firsts and all(ws.cell(r, 1).border.top.style == "medium" for r in firsts)
    assert all(ws.cell(r, 1).border.top.style is None for r in body[1:] if r not in firsts)
    # Totals: rooms and the exact amount (summed in fen), in bold under the list.
    total = mine.today + 2
    assert [ws.cell(total, c).value for c in (1, 2)] == ["合计", f"{mine.today} 户"]
    assert ws.cell(total, col["欠费金额(元)"]).value == mine.amount_today / 100
    assert ws.cell(total, 1).font.b and ws.cell(total, col["欠费金额(元)"]).number_format == "#,##0.00"
    assert all(ws.cell(r, col["欠费金额(元)"]).number_format == "#,##0.00" for r in body)
    # Every printed row has room to write and is tall enough for its wrapped text; two phones are two lines.
    for r in body:
        height = ws.row_dimensions[r].height
        assert height >= 2 * LINE_PT
        for h in ("称呼", "电话", "提示"):
            text = ws.cell(r, col[h]).value or ""
            assert height >= LINE_PT * text_lines(text, column_dimension(ws, col[h]).width)
    assert any("\n" in (ws.cell(r, col["电话"]).value or "") for r in body)
    # The hint is one printed line.
    assert all(text_lines(ws.cell(r, col["提示"]).value, 20) == 1 for r in body)


def test_totals_row_reads_back_as_skipped_not_rejected(company: Settings) -> None:
    [mine] = lists(company).lists
    result = import_file(mine.path, company)
    assert result.kind == "calls" and result.rejected == 0
    assert result.skipped_detail == {"合计行": 1, "未填写结果": mine.today}


def test_overview_and_watch_list_formats_and_print_setup(company: Settings) -> None:
    result = lists(company)
    book = load_workbook(result.overview)
    people, detail = book["按管家"], book["全部明细"]
    assert [c.value for c in people[1]][3] == "需要天数（每天 30 户）"
    assert people.cell(2, 7).number_format == "#,##0.00" and people.page_setup.orientation == "portrait"
    assert [people.cell(3, c).value for c in (1, 6)] == ["合计", len(ROOMS)]
    col = {c.value: c.column for c in detail[1]}
    phones = [detail.cell(r, col["电话"]) for r in range(2, detail.max_row)]
    width = column_dimension(detail, col["电话"]).width
    from feedun.outputs.xlsx import display_width

    # Phones never wrap: the column is as wide as the widest cell, and the cells do not wrap.
    assert all(not c.alignment.wrap_text and display_width(c.value or "") <= width for c in phones)
    assert detail.cell(2, col["欠费金额(元)"]).number_format == "#,##0.00"
    assert detail.cell(detail.max_row, 1).value == "合计"
    for ws in (people, detail):
        assert BODY_PT * print_scale(ws) >= 9 and ws.print_title_rows == "$1:$1"
        assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"


@requires_office
def test_printed_call_list_and_overview_read_at_nine_points(company: Settings, tmp_path: Path) -> None:
    result = lists(company)
    [mine] = result.lists
    for path, first_line in ((mine.path, "催缴清单"), (result.overview, "催缴总览"), (result.watch_list, "全员提醒")):
        pages = read_pdf(to_pdf(path, tmp_path / "pdf"))
        page = pages[0]
        assert page.text.startswith(first_line)  # the page header
        assert "第 1 页 / 共" in page.text
        assert page.min_size >= 8.5, (path.name, page.min_size)  # the footer is 9 pt, the body 10 pt at ~98 %
        assert not page.outside(margin=5), path.name
    # The call list's 30 rooms run over two pages: the header is printed again on page 2, and nothing of the
    # on-screen columns (the script) is printed.
    pages = read_pdf(to_pdf(mine.path, tmp_path / "pdf"))
    assert "欠费金额(元)" in pages[1].text and "第 2 页" in pages[1].text
    assert not any("话术" in p.text.split("\n")[1] for p in pages[:2])
    assert "合计" in "".join(p.text for p in pages)


@pytest.mark.no_store
def test_watch_list_salutations_stay_in_their_column(tmp_path: Path) -> None:
    """The gate's list: 王先生/女士 (11 columns wide) and 欧阳先生/女士 (13) fit their column on one line; a longer one
    wraps inside it with a row tall enough, never running into the plate number beside it."""
    import pandas as pd

    from feedun.outputs.calllist import _write_watch_book
    from feedun.outputs.xlsx import display_width

    owners = ["王芳", "欧阳娜娜", "Smith", ""]
    rooms = pd.DataFrame({"estate": ["阳光花园"] * 4, "room": ["1-1-101", "1-1-102", "1-1-103", "1-1-104"],
                          "owner": owners})
    path = tmp_path / "watch.xlsx"
    _write_watch_book(path, rooms, {}, AS_OF)
    ws = load_workbook(path)["全员提醒"]
    col = {c.value: c.column for c in ws[1]}
    width = column_dimension(ws, col["称呼"]).width
    cells = [ws.cell(r, col["称呼"]) for r in range(2, 6)]
    assert [c.value for c in cells] == ["王先生/女士", "欧阳先生/女士", "Smith先生/女士", "业主"]
    for cell in cells:
        lines = text_lines(cell.value, width)
        assert lines == 1 or (cell.alignment.wrap_text and ws.row_dimensions[cell.row].height >= LINE_PT * lines)
    assert all(text_lines(c.value, width) == 1 for c in cells[:2])
    assert display_width(cells[2].value) > width and cells[2].alignment.wrap_text
    assert BODY_PT * print_scale(ws) >= 9.5
