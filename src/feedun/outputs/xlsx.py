"""One way to write a table sheet that prints: a sheet an office prints as it is, on A4, at a readable size.

Print layout (issue 16): body text is 10 pt and the sheet is fitted to the page width only, so the widths a caller
gives decide the printed size. Landscape A4 with these margins holds about 140 width units at 100 %; a caller
whose printed columns add up to more gets a smaller print, which `print_scale` tells (the tests hold every feedun
sheet to 8 pt or more on paper). Row heights are set from the wrapped text (LibreOffice and Excel keep a stored
height and do not re-fit rows on opening), the header row repeats on every page, the page header names the list
and the footer counts pages: 第 x 页 / 共 y 页.

Two writers lay a table out the same way (`_widths`, `_row_height`): `write_table` streams it with XlsxWriter,
about three times faster per cell than openpyxl, for the lists that grow with the company (call lists, overview,
watch list: some 500,000 cells at 100k rooms); `write_sheet` builds it in openpyxl for the books whose callers edit
sheets afterwards (the report's charts, a visit sheet's QR codes, letter packs).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from feedun.outputs.safe import set_cell

MONEY = "#,##0.00"
HEADER_FILL = "DDEBF7"
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


@lru_cache(maxsize=1 << 16)  # a list repeats its texts (estates, tactics, hints, states): measure each once
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
    from openpyxl.utils import range_boundaries

    orientation = ws.page_setup.orientation or "portrait"
    printable = (PAGE_INCHES[orientation] - ws.page_margins.left - ws.page_margins.right) * 96
    if ws.print_area:
        first = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area.split(",")[0]
        min_col, _, max_col, _ = range_boundaries(first.split("!")[-1].replace("$", ""))
    else:
        min_col, max_col = 1, ws.max_column
    pixels = 0.0
    for index in range(min_col, max_col + 1):
        dim = column_dimension(ws, index)
        if dim is not None and dim.hidden:
            continue
        width = dim.width if dim is not None and dim.width else 8.43
        pixels += width * 7 + 5
    return min(1.0, printable / pixels) if pixels else 1.0


def column_dimension(ws, index: int):
    """The dimension (width, hidden) of column `index` (1 = A) of a sheet read back by openpyxl, or None.

    A file may describe adjacent alike columns in one <col min max> (XlsxWriter does; openpyxl files one per
    column); openpyxl files such a range under its first letter only.
    """
    from openpyxl.utils import get_column_letter

    dim = ws.column_dimensions.get(get_column_letter(index))
    if dim is not None:
        return dim
    return next((d for d in ws.column_dimensions.values() if d.min and d.max and d.min <= index <= d.max), None)


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


def _widths(headers: Sequence[str], widths: dict[str, int] | None) -> dict[str, int]:
    """Each column's width: as the caller gives it, else the header's own width (8 at least)."""
    return {h: (widths or {}).get(h, max(8, display_width(h) + 2)) for h in headers}


def _header_height(headers: Sequence[str], widths: dict[str, int]) -> float:
    return LINE_PT * max(text_lines(h, widths[h]) for h in headers) + 4


def _columns(headers: Sequence[str], widths: dict[str, int], wrap: Collection[str] | None,
             formats: dict[str, str] | None) -> tuple[list[bool], list[str | None], list[tuple[int, int]]]:
    """Per column: does it wrap (default all), its number format, and the wrapping columns' (index, width) that
    measure a row's height."""
    wraps = [wrap is None or h in wrap for h in headers]
    measured = [(i, widths[h]) for i, (h, w) in enumerate(zip(headers, wraps, strict=True)) if w]
    return wraps, [(formats or {}).get(h) for h in headers], measured


def new_book(path):
    """An XlsxWriter workbook for `write_table`, built in memory and saved whole on close (no temporary files)."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {"in_memory": True})


def _row_height(values: Sequence[Any], measured: Sequence[tuple[int, float]], min_lines: int = 1) -> float | None:
    """A body row's height in points from its wrapped text (measured: the wrapping columns' indexes and widths),
    at least `min_lines` lines; None for a one-line row, which keeps the default height."""
    lines = min_lines
    for i, width in measured:
        if i < len(values) and isinstance(values[i], str) and values[i]:
            lines = max(lines, text_lines(values[i], width))
    return LINE_PT * lines + 2 if lines > 1 else None


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
    widths = _widths(headers, widths)
    header_font = Font(name=FONT, bold=True, size=BODY_PT)
    ws.append(headers)
    for cell in ws[1]:
        cell.font = header_font
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(vertical="center", horizontal="center", wrap_text=True)
    ws.row_dimensions[1].height = _header_height(headers, widths)
    body = Font(name=FONT, size=BODY_PT)
    wrapped, single = Alignment(vertical="top", wrap_text=True), Alignment(vertical="top")
    wraps, fmt, measured = _columns(headers, widths, wrap, formats)
    # Each body cell's style is one of a few (the column wraps or not, a number format or not). The first of each
    # kind is styled through openpyxl's descriptors, which hash the Font/Alignment and look it up in the workbook's
    # lists (three look-ups per cell were most of a 100k-room run); every other cell is made with a copy of that style array, the same ids
    # (as openpyxl's copy_worksheet does). The file is the same, byte for byte; 100k rows cost one Cell each.
    protos: dict[tuple[bool, str | None], Any] = {}
    cells = ws._cells
    for row_number, values in enumerate(rows, start=2):
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
        height = _row_height(values, measured)
        if height:
            ws.row_dimensions[row_number].height = height
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


def _whole_pixels(points: float) -> float:
    """A row height XlsxWriter keeps as given: whole pixels at 96 dpi (0.75 pt each), rounded up so the text
    the height was measured for still fits (XlsxWriter itself would round to the nearest pixel)."""
    return math.ceil(points / 0.75 - 1e-9) * 0.75


@dataclass(frozen=True)
class Choice:
    """A drop-down list on a column's body cells; strict: a typed value outside the list is refused."""

    values: Sequence[str]
    strict: bool = False
    title: str = ""
    message: str = ""


def write_table(book, title: str, headers: list[str], rows: Iterable[Sequence[Any]],
                widths: dict[str, int] | None = None, *, formats: dict[str, str] | None = None,
                wrap: Collection[str] | None = None, totals: Sequence[Any] | None = None, page_header: str = "",
                portrait: bool = False, printed: int | None = None, min_lines: int = 1,
                rules: Collection[int] = (), hidden: Collection[str] = (),
                choices: dict[str, Choice] | None = None) -> None:
    """`write_sheet`'s table, written into an `xlsxwriter.Workbook`: the same widths, row heights, styles and print
    set-up, read back alike by openpyxl and printed alike by LibreOffice (tests/outputs/test_xlsx_styles.py).

    Besides write_sheet's options, what a caller of XlsxWriter cannot add once a cell is written: min_lines, the
    least height of a body row in lines (room to write by hand); rules, the body rows (0 = the first) with a
    medium rule above them across the printed columns; hidden, headers of columns hidden on screen; choices,
    header -> a drop-down list on its body cells. Text is always written as text (never a formula), numbers
    (int, float) as numbers, dates with a date format, None and "" as an empty styled cell.
    """
    ws = book.add_worksheet(title)
    widths = _widths(headers, widths)
    shown = printed or len(headers)
    wraps, fmt, measured = _columns(headers, widths, wrap, formats)
    base = {"font_name": FONT, "font_size": BODY_PT, "valign": "top"}
    styles: dict[tuple, Any] = {}

    def style(column: int, number: str | None, rule: bool = False, bold: bool = False):
        """The format of a cell: one XlsxWriter Format per kind, made on first use."""
        key = (wraps[column] and not bold, number, rule, bold)
        made = styles.get(key)
        if made is None:
            if bold:  # the totals row: bold under a thin rule, aligned as Excel's default
                spec = {"font_name": FONT, "font_size": BODY_PT, "bold": True, "top": 1}
            else:
                spec = dict(base, text_wrap=key[0])
            if number:
                spec["num_format"] = number
            if rule:
                spec["top"] = 2  # medium
            made = styles[key] = book.add_format(spec)
        return made

    def put(row: int, column: int, value: Any, *, rule: bool = False, bold: bool = False) -> None:
        if isinstance(value, str) and value:
            ws.write_string(row, column, value, style(column, None, rule, bold))
        elif isinstance(value, bool):
            ws.write_boolean(row, column, value, style(column, None, rule, bold))
        elif isinstance(value, (int, float)):
            ws.write_number(row, column, value, style(column, fmt[column], rule, bold))
        elif isinstance(value, (date, datetime)):
            shape = "yyyy-mm-dd h:mm:ss" if isinstance(value, datetime) else "yyyy-mm-dd"
            ws.write_datetime(row, column, value, style(column, shape, rule, bold))
        elif value is None or value == "":
            ws.write_blank(row, column, None, style(column, None, rule, bold))
        else:
            raise TypeError(f"write_table: cannot write {type(value).__name__} in column {headers[column]}")

    header_format = book.add_format(dict(base, bold=True, bg_color=f"#{HEADER_FILL}", pattern=1, align="center",
                                         valign="vcenter", text_wrap=True))
    for column, header in enumerate(headers):
        ws.write_string(0, column, header, header_format)
    ws.set_row(0, _whole_pixels(_header_height(headers, widths)))
    ruled = set(rules)
    count = 0
    for count, values in enumerate(rows, start=1):
        rule = count - 1 in ruled
        for column, value in enumerate(values):
            put(count, column, value, rule=rule and column < shown)
        height = _row_height(values, measured, min_lines)
        if height:
            ws.set_row(count, _whole_pixels(height))
    last = count  # 0-based index of the last body row (0: no rows)
    for column, header in enumerate(headers):
        # in pixels, so the file stores exactly `width` as write_sheet does (XlsxWriter adds Excel's padding to
        # a width in characters)
        ws.set_column_pixels(column, column, round(widths[header] * 7), None, {"hidden": header in hidden})
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(headers) - 1)
    for header, choice in (choices or {}).items():
        column = headers.index(header)
        ws.data_validation(1, column, max(last, 1), column, {
            "validate": "list", "source": list(choice.values), "ignore_blank": True, "show_error": choice.strict,
            "show_input": False, **({"error_title": choice.title} if choice.title else {}),
            **({"error_message": choice.message} if choice.message else {})})
    if totals is not None:
        last += 1
        for column, value in enumerate(totals):
            put(last, column, value, bold=True)
    ws.print_area(0, 0, last, shown - 1)
    ws.repeat_rows(0)  # header repeated on each printed page
    if portrait:
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(MARGINS["left"], MARGINS["right"], MARGINS["top"], MARGINS["bottom"])
    ws.center_horizontally()
    if page_header:
        ws.set_header(f"&C&{BODY_PT} " + page_header.replace("&", "&&"), {"margin": MARGINS["header"]})
    ws.set_footer(f"&C&9 {FOOTER}", {"margin": MARGINS["footer"]})
