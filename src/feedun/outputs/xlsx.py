"""One way to write a table sheet that prints: bold header, wrapped cells, frozen header, A4 landscape."""

from __future__ import annotations

from typing import Any

from feedun.outputs.safe import set_cell


def write_sheet(wb, title: str, headers: list[str], rows: list[list[Any]], widths: dict[str, int] | None = None):
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(title)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)  # one style object shared by every cell
    for row_number, values in enumerate(rows, start=2):
        # ws.cell by position: ws[ws.max_row] would rescan every cell per row (quadratic on a 9k-row sheet)
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row_number, column=column)
            set_cell(cell, value)
            cell.alignment = wrap
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = (widths or {}).get(header, max(10, len(header) * 2 + 2))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows = "1:1"  # header repeated on each printed page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws
