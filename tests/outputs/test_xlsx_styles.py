"""write_sheet styles body cells by copying one prototype's style array per kind (issue 18): the cells must look
exactly as if each had been styled on its own, and restyling one cell must leave the others alone."""

from __future__ import annotations

from copy import copy
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side

from feedun.outputs.xlsx import BODY_PT, FONT, MONEY, column_dimension, write_sheet

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


# ---- write_table (XlsxWriter) lays a table out as write_sheet (openpyxl) does ----------------------------------

def _looks(cell) -> tuple:
    kind = cell.data_type if cell.value is not None else None  # openpyxl stores "" as an empty inline string
    return (cell.value, kind, cell.number_format, cell.font.name, cell.font.sz, bool(cell.font.b),
            bool(cell.alignment.wrap_text), cell.alignment.vertical, cell.alignment.horizontal,
            cell.border.top.style, cell.fill.fill_type,
            cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else None)  # the colour (openpyxl writes alpha 00, XlsxWriter FF)


def _same_height(got: float | None, want: float | None) -> bool:
    """XlsxWriter stores a row height in whole pixels (0.75 pt at 96 dpi), rounded up: never shorter."""
    return got == want or (got is not None and want is not None and want <= got < want + 0.75)


def _setup(ws) -> tuple:
    setup, margins = ws.page_setup, ws.page_margins
    return (ws.print_area, ws.print_title_rows, ws.freeze_panes, ws.auto_filter.ref, setup.orientation,
            int(setup.paperSize), setup.fitToWidth or 1, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage,
            (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer),
            ws.print_options.horizontalCentered, ws.oddHeader.center.text, ws.oddHeader.center.size,
            ws.oddFooter.center.text, ws.oddFooter.center.size)


@pytest.mark.parametrize("portrait", [False, True])
def test_write_table_reads_back_as_write_sheet(tmp_path: Path, portrait: bool) -> None:
    import xlsxwriter

    from feedun.outputs.xlsx import write_table

    headers = [*HEADERS, "很长的表头要换行显示"]
    rows = [[*r, None] for r in ROWS]
    options = {"formats": {"金额": MONEY}, "wrap": {"备注", "很长的表头要换行显示"}, "totals": ["合计", 1234.6, None],
               "page_header": "清单 & 总览", "portrait": portrait, "printed": 3}
    widths = {"名称": 9, "备注": 12, "很长的表头要换行显示": 8}
    wb = Workbook()
    wb.remove(wb.active)
    write_sheet(wb, "表", headers, rows, widths, **options)
    wb.save(tmp_path / "openpyxl.xlsx")
    book = xlsxwriter.Workbook(str(tmp_path / "xlsxwriter.xlsx"))
    write_table(book, "表", headers, iter(rows), widths, **options)
    book.close()
    want, got = (load_workbook(tmp_path / f"{name}.xlsx")["表"] for name in ("openpyxl", "xlsxwriter"))
    assert (got.max_row, got.max_column) == (want.max_row, want.max_column) == (len(rows) + 2, len(headers))
    for r in range(1, want.max_row + 1):
        for c in range(1, want.max_column + 1):
            assert _looks(got.cell(r, c)) == _looks(want.cell(r, c)), (r, c)
        assert _same_height(got.row_dimensions[r].height, want.row_dimensions[r].height), r
    assert got.row_dimensions[1].height > 2 * 13  # the long header wraps to three lines
    for c in range(1, want.max_column + 1):
        assert column_dimension(got, c).width == column_dimension(want, c).width, c
    assert _setup(got) == _setup(want)
    assert got.oddHeader.center.text == "清单 && 总览"  # a literal ampersand, not a header code


def test_write_table_rules_heights_hidden_columns_and_choices(tmp_path: Path) -> None:
    import xlsxwriter

    from feedun.outputs.xlsx import LINE_PT, Choice, write_table

    headers = ["房号", "电话", "结果", "方式", "键"]
    rows = [["1-1-101", "13800000000\n13900000000\n13700000000", None, None, "k1"],
            ["1-1-102", "13800000001", None, None, "k2"], ["2-1-101", "", None, None, "k3"]]
    book = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    write_table(book, "清单", headers, rows, {"电话": 14}, printed=4, min_lines=2, rules=[2], hidden={"键"},
                choices={"结果": Choice(["已缴费", "承诺缴费"], strict=True, title="结果", message="请选择"),
                         "方式": Choice(["电话", "上门"])})
    book.close()
    ws = load_workbook(tmp_path / "t.xlsx")["清单"]
    heights = [ws.row_dimensions[r].height for r in (2, 3, 4)]
    assert all(_same_height(h, LINE_PT * n + 2) for h, n in zip(heights, (3, 2, 2), strict=True)), heights
    # the rule above the third room runs across the printed columns only
    assert [ws.cell(4, c).border.top.style for c in range(1, 6)] == ["medium"] * 4 + [None]
    assert all(ws.cell(r, c).border.top.style is None for r in (2, 3) for c in range(1, 6))
    assert column_dimension(ws, 5).hidden and not column_dimension(ws, 4).hidden
    strict, loose = sorted(ws.data_validations.dataValidation, key=lambda v: str(v.sqref))
    assert (str(strict.sqref), strict.formula1, strict.showErrorMessage, strict.errorTitle, strict.error) == (
        "C2:C4", '"已缴费,承诺缴费"', True, "结果", "请选择")
    assert (str(loose.sqref), loose.formula1, bool(loose.showErrorMessage)) == ("D2:D4", '"电话,上门"', False)
    assert ws["C2"].font.name == "等线" and ws["C2"].value is None  # an entry cell is styled for what is typed in
