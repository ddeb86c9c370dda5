"""One way to write a table sheet that prints: a sheet an office prints as it is, on A4, at a readable size.

Print layout (issue 16): body text is 10 pt and the sheet is fitted to the page width only, so the widths a caller
gives decide the printed size. Landscape A4 with these margins holds about 140 width units at 100 %; a caller
whose printed columns add up to more gets a smaller print, which `print_scale` tells (the tests hold every feedun
sheet to 8 pt or more on paper). Row heights are set from the wrapped text (LibreOffice and Excel keep a stored
height and do not re-fit rows on opening), the header row repeats on every page, the page header names the list
and the footer counts pages: 第 x 页 / 共 y 页.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Sequence
from typing import Any

from feedun.outputs.safe import set_cell

MONEY = "#,##0.00"
BODY_PT = 10
# 等线 is the body font of Chinese Office since 2016; where it is missing (LibreOffice on Linux) the system's
# sans-serif stands in for it, Latin and CJK alike, rather than a serif default.
FONT = "等线"
LINE_PT = 13.5  # one line of 10 pt CJK text (Noto Sans CJK's line gap included)
FOOTER = "第 &P 页 / 共 &N 页"
# Page margins in inches: narrow sides, room above and below for the page header and footer.
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6, "header": 0.25, "footer": 0.25}
PAGE_INCHES = {"landscape": 11.69, "portrait": 8.27}  # A4 width in each orientation


def display_width(text: str) -> int:
    """Width in columns as a spreadsheet shows it: a Chinese character takes two, a Latin one one.

    >>> display_width("8-2-1201"), display_width("王先生"), display_width("")
    (8, 6, 0)
    """
    if text.isascii():  # numbers, dates, room codes: every ASCII character is one column
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(text: str, width: float) -> int:
    """Lines a text wraps to in a column `width` units wide at 10 pt (each explicit line break starts a line).

    A width unit is one '0' of the 11 pt default font; 10 pt text fits a little more than one character per
    unit, less the cell's padding (the -1).

    >>> text_lines("", 10), text_lines("13812345678", 14), text_lines("请今天回访确认是否已缴费", 10)
    (1, 1, 3)
    """
    usable = max(width - 1, 1) / 0.92
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n")) if text else 1


def print_scale(ws) -> float:
    """The scale a fit-to-width sheet prints at: printable page width over the printed columns' width (≤ 1).

    Column widths are converted as Excel does (7 px per unit plus 5 px padding at 96 dpi). Used by the tests
    to hold printed text at 8 pt or more without a printer; LibreOffice's own figure is measured in the PDF.
    """
    from openpyxl.utils import get_column_letter, range_boundaries

    orientation = ws.page_setup.orientation or "portrait"
    printable = (PAGE_INCHES[orientation] - ws.page_margins.left - ws.page_margins.right) * 96
    if ws.print_area:
        first = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area.split(",")[0]
        min_col, _, max_col, _ = range_boundaries(first.split("!")[-1].replace("$", ""))
    else:
        min_col, max_col = 1, ws.max_column
    pixels = 0.0
    for index in range(min_col, max_col + 1):
        dim = ws.column_dimensions.get(get_column_letter(index))
        if dim is not None and dim.hidden:
            continue
        width = dim.width if dim is not None and dim.width else 8.43
        pixels += width * 7 + 5
    return min(1.0, printable / pixels) if pixels else 1.0


def print_on_a4(ws, *, portrait: bool, pages_tall: int = 0, margins: dict[str, float] = MARGINS) -> None:
    """A4, one page wide (and `pages_tall` high; 0: as many as it takes), these margins, centred on the page."""
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for side, inches in margins.items():
        setattr(ws.page_margins, side, inches)
    ws.print_options.horizontalCentered = True


def write_sheet(wb, title: str, headers: list[str], rows: Sequence[Sequence[Any]], widths: dict[str, int] | None = None,
                *, formats: dict[str, str] | None = None, wrap: Collection[str] | None = None,
                totals: Sequence[Any] | None = None, page_header: str = "", portrait: bool = False,
                printed: int | None = None):
    """A table sheet ready to print; returns the worksheet.

    widths: header -> column width (default: the header's own width); formats: header -> number format for the
    column's numbers (text such as 不详 keeps its look); wrap: the headers whose text wraps (default all) — the
    others stay on one line, so give them room; totals: a bold last row under a rule, outside the filter;
    page_header: centred at the top of each printed page; printed: how many leading columns are printed (the
    rest stay on screen only).
    """
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    ws = wb.create_sheet(title)
    widths = {h: (widths or {}).get(h, max(8, display_width(h) + 2)) for h in headers}
    header_font = Font(name=FONT, bold=True, size=BODY_PT)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = header_font
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(vertical="center", horizontal="center", wrap_text=True)
    ws.row_dimensions[1].height = LINE_PT * max(text_lines(h, widths[h]) for h in headers) + 4
    body = Font(name=FONT, size=BODY_PT)
    wrapped, single = Alignment(vertical="top", wrap_text=True), Alignment(vertical="top")
    wraps = [wrap is None or h in wrap for h in headers]
    fmt = [(formats or {}).get(h) for h in headers]
    measured = [i for i, w in enumerate(wraps) if w]
    # Each body cell's style is one of a few (the column wraps or not, a number format or not). The first of each
    # kind is styled through openpyxl's descriptors, which hash the Font/Alignment and look it up in the workbook's
    # lists (three look-ups per cell were most of a 100k-room run); every other cell is made with a copy of that style array, the same ids
    # (as openpyxl's copy_worksheet does). The file is the same, byte for byte; 100k rows cost one Cell each.
    protos: dict[tuple[bool, str | None], Any] = {}
    cells = ws._cells
    for row_number, values in enumerate(rows, start=2):
        lines = 1
        for column, value in enumerate(values, start=1):
            number = fmt[column - 1] if fmt[column - 1] and isinstance(value, (int, float)) else None
            key = (wraps[column - 1], number)
            proto = protos.get(key)
            if proto is None:
                proto = Cell(ws)  # never placed in the sheet: registers the styles in the workbook, in cell order
                proto.font = body
                proto.alignment = wrapped if key[0] else single
                if number:
                    proto.number_format = number
                protos[key] = proto._style
                proto = proto._style
            # the value after the style, as openpyxl binds it (a date still gets its date format); formula-like text
            # stays text (set_cell)
            cell = cells[(row_number, column)] = Cell(ws, row=row_number, column=column, style_array=proto)
            set_cell(cell, value)
        if values:
            ws._current_row = max(ws._current_row, row_number)  # as ws.cell does: a later ws.append goes below
        for i in measured:
            if i < len(values) and isinstance(values[i], str) and values[i]:
                lines = max(lines, text_lines(values[i], widths[headers[i]]))
        if lines > 1:  # a one-line row keeps the default height
            ws.row_dimensions[row_number].height = LINE_PT * lines + 2
    last = len(rows) + 1
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[ws.cell(1, index).column_letter].width = widths[header]
    ws.freeze_panes = "A2"
    end = ws.cell(1, len(headers)).column_letter
    ws.auto_filter.ref = f"A1:{end}{last}"
    if totals is not None:
        last += 1
        rule = Border(top=Side(style="thin"))
        bold = Font(name=FONT, bold=True, size=BODY_PT)
        for column, value in enumerate(totals, start=1):
            cell = ws.cell(row=last, column=column)
            set_cell(cell, value)
            cell.font, cell.border = bold, rule
            if fmt[column - 1] and isinstance(value, (int, float)):
                cell.number_format = fmt[column - 1]
    shown = ws.cell(1, printed or len(headers)).column_letter
    ws.print_area = f"A1:{shown}{last}"
    ws.print_title_rows = "1:1"  # header repeated on each printed page
    print_on_a4(ws, portrait=portrait)
    if page_header:
        ws.oddHeader.center.text = page_header.replace("&", "&&")
        ws.oddHeader.center.size = BODY_PT
    ws.oddFooter.center.text = FOOTER
    ws.oddFooter.center.size = 9
    return ws
