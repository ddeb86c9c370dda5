"""write_sheet styles body cells by copying one prototype's style array per kind (issue 18): the cells must look
exactly as if each had been styled on its own, and restyling one cell must leave the others alone."""

from __future__ import annotations

from copy import copy
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side

from feedun.outputs.xlsx import BODY_PT, FONT, MONEY, write_sheet

HEADERS = ["名称", "金额", "备注", "日期"]
ROWS = [["王芳", 1234.5, "第一行\n第二行", date(2026, 11, 27)],
        ["=1+1", 7, None, datetime(2026, 11, 27, 9, 30)],
        ["+86", "不详", "很长很长很长很长很长很长很长很长很长的备注", None],
        ["李雷", 0.1, "", date(2026, 1, 5)]]


def _naive(ws, rows, wrap, formats) -> None:
    """What write_sheet did before: every cell styled through openpyxl's descriptors."""
    body = Font(name=FONT, size=BODY_PT)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c)
            cell.value = value
            if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
                cell.data_type = "s"
            cell.font = body
            cell.alignment = Alignment(vertical="top", wrap_text=HEADERS[c - 1] in wrap)
            if formats.get(HEADERS[c - 1]) and isinstance(value, (int, float)):
                cell.number_format = formats[HEADERS[c - 1]]


def test_body_cells_look_as_if_styled_one_by_one(tmp_path: Path) -> None:
    wb = Workbook()
    ws = write_sheet(wb, "表", HEADERS, ROWS, formats={"金额": MONEY}, wrap={"备注"})
    reference = Workbook().active
    _naive(reference, ROWS, {"备注"}, {"金额": MONEY})
    for r in range(2, len(ROWS) + 2):
        for c in range(1, len(HEADERS) + 1):
            got, want = ws.cell(r, c), reference.cell(r, c)
            assert (got.value, got.data_type, got.number_format) == (want.value, want.data_type, want.number_format)
            for kind in ("font", "alignment", "border", "fill", "protection"):
                assert copy(getattr(got, kind)) == copy(getattr(want, kind)), (r, c, kind)
    assert ws["A3"].data_type == "s" and ws["A3"].value == "=1+1"  # formula-like text stays text
    assert ws["D2"].is_date and ws["B4"].number_format == "General"  # text in a money column keeps its look


def test_restyling_one_cell_leaves_its_neighbours(tmp_path: Path) -> None:
    wb = Workbook()
    ws = write_sheet(wb, "表", HEADERS, ROWS, formats={"金额": MONEY})
    ws["A3"].border = Border(top=Side(style="medium"))
    ws["B2"].number_format = "0.0"
    ws.append(["追加"])  # a caller's append still goes below the table and its totals
    path = tmp_path / "t.xlsx"
    wb.save(path)
    back = load_workbook(path)["表"]
    assert back["A3"].border.top.style == "medium"
    assert all(back.cell(r, 1).border.top.style is None for r in (2, 4, 5))
    assert back["B2"].number_format == "0.0" and back["B3"].number_format == MONEY
    assert back.cell(len(ROWS) + 2, 1).value == "追加"
