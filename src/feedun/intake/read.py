"""Open a spreadsheet or text file as sheets of string cells.

Excel-like files go through fastexcel (Rust calamine underneath); text files through the csv module
after the encoding is detected. Web systems' "Excel" exports that are really an HTML table or an
Excel 2003 XML (SpreadsheetML) workbook saved as .xls are parsed here with the standard library
(html.parser, xml.etree), whatever the extension says. Every cell arrives as text or None so that
normalisation sees what the user sees. This is the only module that imports fastexcel.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pandas as pd

from feedun.core.errors import InputFileError
from feedun.intake.ahead import OLE_MAGIC, ZIP_MAGIC, ReadAhead, expanded_bytes, load_batch

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
PREVIEW_ROWS = 40
# Resource limits (README "Limits"): refuse clearly rather than let one file exhaust the machine.
MAX_UNZIPPED_BYTES = 1 << 30  # an .xlsx whose parts expand beyond 1 GiB is refused (zip bombs)
MAX_TEXT_BYTES = 300 << 20  # CSV/TXT above 300 MB: split it, or save it as .xlsx
MAX_COLUMNS = 2000  # real ledgers have tens of columns
# HTML/XML "Excel" files obey MAX_TEXT_BYTES like CSV; spans (colspan, ss:MergeAcross...) could still blow a
# small file up into a huge grid, so the expanded grid of all its tables together is capped too.
MAX_GRID_CELLS = 20_000_000
SNIFF_BYTES = 64 << 10  # how much of a file's start decides whether it is HTML or SpreadsheetML

_NOT_SHEETS = {
    b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片", b"%PDF": "PDF 文档", b"GIF8": "GIF 图片",
    b"Rar!": "RAR 压缩包", b"7z\xbc\xaf": "7z 压缩包", b"{\\rtf": "RTF 文档",
}
_ENCODING_HINT = "用记事本或 Excel 把文件另存为“CSV UTF-8”，或用 --encoding gbk / utf-8 指定编码后重试。"


@dataclass
class Sheet:
    """One sheet (or a whole text file) as text cells, loaded once on first use.

    Row i of the frame is sheet row i + 1: leading blank rows are kept so row numbers match Excel's.
    """

    path: Path
    name: str
    _reader: object | None = None  # fastexcel reader; None when rows came from a text file
    _rows: list[list[str]] | None = None
    _frame: pd.DataFrame | None = None
    _ahead: ReadAhead | None = None  # the workbook being read in the background (intake/ahead.py), if it is

    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = self._load()
        return self._frame

    def preview(self) -> list[list[str | None]]:
        """The first rows, for finding the header and the title date."""
        head = self.frame().iloc[:PREVIEW_ROWS]
        return [[None if pd.isna(c) or not str(c).strip() else str(c) for c in row]
                for row in head.itertuples(index=False)]

    def body(self, start: int) -> pd.DataFrame:
        """Every row from 0-based sheet row `start` on (cells are text, or None when blank)."""
        return self.frame().iloc[start:].reset_index(drop=True)

    def _load(self) -> pd.DataFrame:
        if self._rows is not None:
            width = max((len(r) for r in self._rows), default=0)
            if width > MAX_COLUMNS:
                raise InputFileError(f"文件有 {width} 列，超过上限 {MAX_COLUMNS} 列。", path=self.path,
                                     hint="检查分隔符是否正确，删除多余的列后再导入。")
            rows = [r + [""] * (width - len(r)) for r in self._rows]
            return pd.DataFrame(rows, columns=range(width), dtype=object)
        batch = self._ahead.take(self.path, self.name) if self._ahead is not None else None
        frame = _to_pandas(batch) if batch is not None else self._read_in_parts()
        if frame is None:
            try:
                frame = _to_pandas(load_batch(self._reader, self.name))
            except Exception as exc:  # calamine errors carry no stable type
                raise InputFileError(f"读取工作表“{self.name}”失败：{_short(exc)}", path=self.path,
                                     hint="在 Excel 中打开并另存为 .xlsx 后重试。") from None
        if frame.shape[1] > MAX_COLUMNS:
            raise InputFileError(f"工作表“{self.name}”有 {frame.shape[1]} 列，超过上限 {MAX_COLUMNS} 列。", path=self.path,
                                 hint="删除多余的列后另存，再导入。")
        frame.columns = range(frame.shape[1])
        return frame

    def _read_in_parts(self) -> pd.DataFrame | None:
        """A large .xlsx sheet read a part of its rows at a time (intake/sheet_chunks.py: calamine holds every cell
        of what it reads, so the whole 1M-row sheet would take ~1.1 GiB), joined into the frame the whole read
        gives; None for a sheet read whole (small, not .xlsx, or a layout or part the cutting does not handle).
        The parts' Arrow batches are joined without copying (one table of several batches), then handed to
        pandas as the whole read's batch is."""
        import fastexcel
        import pyarrow as pa

        from feedun.intake.sheet_chunks import SENTINEL, chunks

        parts = chunks(self.path, self.name)
        if parts is None:
            return None
        batches: list[pa.RecordBatch] = []
        height = 0  # rows read so far: sheet rows 1..height
        try:
            for part in parts:
                batch = fastexcel.read_excel(part.data).load_sheet(
                    self.name, header_row=None, skip_rows=None if part.marked else 0, dtypes="string", eager=True)
                if part.marked:  # the part starts with its marker row, just above its first row
                    if batch.num_rows == 0 or batch.column(0)[0].as_py() != SENTINEL:
                        return None
                    batch = batch.slice(1)
                if batch.num_rows == 0:  # rows without a value: the whole read has them only before a row with one
                    continue
                if part.first_row - 1 > height:  # blank rows between two parts' values, as in the whole read
                    batches.append(_blank_rows(part.first_row - 1 - height, batch.num_columns))
                batches.append(batch)
                height = part.first_row - 1 + batch.num_rows
        except Exception:  # calamine errors carry no stable type; the whole read says what is wrong
            return None
        finally:
            parts.close()
        return _to_pandas(_joined(batches)) if batches else None


def _blank_rows(rows: int, columns: int):
    import pyarrow as pa

    return pa.RecordBatch.from_arrays([pa.nulls(rows, pa.string())] * columns, names=[str(i) for i in range(columns)])


def _joined(batches: list):
    """Parts of one sheet, one under another, as one Arrow table (the batches are not copied): as wide as the
    widest part, a narrower part's missing cells blank, every column text."""
    import pyarrow as pa

    width = max(b.num_columns for b in batches)
    names = [str(i) for i in range(width)]
    same = [pa.RecordBatch.from_arrays([b.column(i).cast(pa.string()) if i < b.num_columns
                                        else pa.nulls(b.num_rows, pa.string()) for i in range(width)], names=names)
            for b in batches]
    return pa.Table.from_batches(same)


def _to_pandas(batch) -> pd.DataFrame:
    """An Arrow batch of text columns as the frame `batch.to_pandas()` gives, without its detour through Python
    objects. pandas 3 keeps text in Arrow (its default "str" dtype); told that dtype up front, pyarrow hands the
    columns over as they are (960k rows x 16 columns: 1.7-1.9 s -> 0.03-0.12 s). Under pandas 2, where text is
    object, to_pandas is already the right frame.
    """
    text = pd.Series(["x"]).dtype  # the dtype pandas itself gives text
    if not isinstance(text, pd.StringDtype):
        return batch.to_pandas()
    import pyarrow as pa

    return batch.to_pandas(types_mapper={pa.string(): text, pa.large_string(): text}.get)


def sniff_kind(path: Path) -> str:
    """'excel', 'html', 'xml' (SpreadsheetML 2003) or 'text' from the content (extensions lie).

    InputFileError for anything else.
    """
    if not path.exists():
        raise InputFileError("文件不存在。", path=path, hint="检查文件名和路径。")
    if path.is_dir():
        raise InputFileError("这是一个文件夹，不是文件。", path=path, hint="请给出台账文件本身的路径。")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError("文件是空的（0 字节）。", path=path,
                             hint="从物业系统重新导出台账；如果是下载的，检查下载是否完整。")
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    for magic, what in _NOT_SHEETS.items():
        if head.startswith(magic):
            raise InputFileError(f"文件内容是 {what}，不是表格。", path=path,
                                 hint="请导入物业系统导出的 Excel（.xlsx/.xls）或 CSV 台账文件。")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise InputFileError("工作簿设有打开密码，无法读取。", path=path,
                                 hint="在 Excel 中打开，去掉密码（文件→信息→保护工作簿→用密码进行加密，清空）后另存再导入。")
        return "excel"
    if head.startswith(ZIP_MAGIC):
        _check_zip(path)
        return "excel"
    markup = _sniff_markup(path)
    if markup is not None:
        return markup
    if suffix in EXCEL_SUFFIXES:
        raise InputFileError(f"文件扩展名是 {suffix}，但内容不是有效的 Excel 工作簿。", path=path,
                             hint="文件可能已损坏或被改了扩展名；请从物业系统重新导出。")
    return "text"


def _check_zip(path: Path) -> None:
    """A workbook is a zip: refuse one whose parts would expand past MAX_UNZIPPED_BYTES before reading it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            expanded = expanded_bytes(archive)
    except (zipfile.BadZipFile, OSError):
        raise InputFileError("工作簿已损坏，无法打开。", path=path, hint="从物业系统重新导出，或在 Excel 中打开后另存为 .xlsx。") from None
    if expanded > MAX_UNZIPPED_BYTES:
        raise InputFileError(f"工作簿解压后有 {expanded >> 20} MB，超过上限 {MAX_UNZIPPED_BYTES >> 20} MB，已拒绝（可能是异常文件）。",
                             path=path, hint="确认文件来源；正常的台账请按小区或月份拆分后分别导入。")


def _is_encrypted_ooxml(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container with an 'EncryptionInfo' stream."""
    with path.open("rb") as fh:
        data = fh.read(1 << 20)
    return "EncryptionInfo".encode("utf-16-le") in data


def open_sheets(path: Path, encoding: str | None = None, ahead: ReadAhead | None = None) -> list[Sheet]:
    """All sheets of a workbook in order, the tables of an HTML file, or the single 'sheet' of a text file.

    `ahead`: the workbook as it is being read in the background (intake/ahead.py); its sheets are taken from there.
    """
    path = Path(path)
    kind = sniff_kind(path)
    if kind == "text":
        return [_text_sheet(path, encoding)]
    if kind == "html":
        return _html_sheets(path, encoding)
    if kind == "xml":
        return _spreadsheetml_sheets(path, encoding)
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheets = [Sheet(path=path, name=name, _reader=reader, _ahead=ahead) for name in reader.sheet_names]
    except Exception as exc:
        raise InputFileError(f"无法读取这个工作簿。（技术信息：{_short(exc)}）", path=path,
                             hint="文件可能已损坏、加密或不是 Excel 格式；在 Excel 中打开并另存为 .xlsx 后重试。") from None
    return sheets


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def decode_text(path: Path, encoding: str | None, declared: str | None = None,
                what: str = "文本文件") -> tuple[str, str]:
    """The file's text and the encoding used: BOMs first, then UTF-8, then GB18030 (a superset of GBK).

    `declared` is the charset a web page or XML file names for itself; it is tried first (after a BOM), but a
    page whose bytes do not fit it falls back to UTF-8 / GB18030, as servers often re-encode without updating it.
    """
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise InputFileError(f"{what}有 {size >> 20} MB，超过上限 {MAX_TEXT_BYTES >> 20} MB。", path=path,
                             hint="按小区或月份拆分后分别导入，或在 Excel 中另存为 .xlsx。")
    raw = path.read_bytes()
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputFileError(f"不认识的编码名称“{encoding}”。", path=path,
                                 hint="常用的有 utf-8、gbk、gb18030、utf-16。") from None
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise InputFileError(f"按 {encoding} 编码无法读取（第 {exc.start} 字节附近）。", path=path,
                                 hint=_ENCODING_HINT) from None
    if raw.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]  # Excel's "Unicode 文本" export
    elif b"\x00" in raw[:4096]:
        raise InputFileError("无法识别文件编码（含有空字节，可能是二进制文件或无 BOM 的 UTF-16）。", path=path,
                             hint=_ENCODING_HINT)
    else:
        candidates = ["utf-8", "gb18030"]
        # a page calling itself latin-1 is really UTF-8 or GBK; latin-1 would "decode" it into mojibake
        if declared and declared not in _WESTERN and declared not in candidates:
            candidates.insert(0, declared)
    for name in candidates:
        try:
            return raw.decode(name), name
        except UnicodeDecodeError:
            continue
    raise InputFileError("无法识别文件编码（既不是 UTF-8，也不是 GBK/GB18030）。", path=path, hint=_ENCODING_HINT)


def _text_sheet(path: Path, encoding: str | None) -> Sheet:
    text, _ = decode_text(path, encoding)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputFileError(f"CSV 格式有误：{exc}", path=path, hint="在 Excel 中打开后另存为 .xlsx 再导入。") from None
    return Sheet(path=path, name=path.name, _rows=rows)


# ---- HTML tables and SpreadsheetML saved as .xls ---------------------------------------------------------

_HTML_MARKS = (b"<table", b"<html", b"<!doctype html", b"urn:schemas-microsoft-com:office:excel")
_XML_WORKBOOK = b"urn:schemas-microsoft-com:office:spreadsheet"
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_WESTERN = {"iso8859-1", "cp1252", "ascii"}  # codecs.lookup(...).name of the charsets web pages misdeclare
_HTML_SPACE = re.compile("[ \t\n\r\f\xa0]+")
_HTML_HINT = "在 Excel 中打开这个文件，另存为 .xlsx 后再导入。"


def _head_text(path: Path) -> bytes:
    """The file's first SNIFF_BYTES, lower-cased ASCII, BOM removed (UTF-16 pages narrowed to bytes)."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        head = head.decode("utf-16", errors="ignore").encode("utf-8", errors="ignore")
    elif head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    return head.lower()


def _sniff_markup(path: Path) -> str | None:
    """'html' for a web page with tables (what web systems send as .xls), 'xml' for SpreadsheetML, else None."""
    head = _head_text(path)
    if not head.lstrip().startswith(b"<"):
        return None
    if head.lstrip().startswith((b"<?xml", b"<workbook")) and _XML_WORKBOOK in head and b"<workbook" in head:
        return "xml"
    if any(mark in head for mark in _HTML_MARKS):
        return "html"
    return None


def _declared_charset(path: Path, pattern: re.Pattern[bytes]) -> str | None:
    """The codec a page's <meta charset> / XML declaration names, if Python knows it (GBK/GB2312 read as GB18030)."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    m = pattern.search(head)
    if not m:
        return None
    declared = m[1].decode("ascii", errors="ignore").lower()
    if "gb" in declared:  # gbk, gb2312, x-gbk, gb_2312-80...: GB18030 reads them all
        return "gb18030"
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return None


def _cell_text(parts: list[str]) -> str:
    """A cell's text as a browser shows it: &nbsp; and line breaks become spaces, runs of spaces collapse."""
    return _HTML_SPACE.sub(" ", "".join(parts)).strip(" ")  # HTML's own spaces and &nbsp;, not U+3000 (全角空格)


def _span(value: str | None, limit: int) -> int:
    """A colspan/rowspan attribute as a browser reads it: leading digits, at least 1, at most `limit` (0 = limit)."""
    m = re.match(r"\s*(\d+)", value or "")
    if not m:
        return 1
    n = int(m[1])
    return limit if n == 0 else max(1, min(n, limit))


class _Grid:
    """The cells of one table laid out as a spreadsheet: spanned positions blank, like merged Excel cells."""

    def __init__(self, path: Path, budget: list[int]) -> None:
        self.path = path
        self.rows: list[list[str]] = []
        self.caption = ""
        self.name = ""
        self._carry: dict[int, int] = {}  # column -> rows still covered by a rowspan/MergeDown from above
        self._budget = budget  # [cells left for the whole file], shared by its tables
        self._width = 0

    def new_row(self, index: int | None = None) -> None:
        """Start the next row (`index`: 0-based row it must land on, for SpreadsheetML's ss:Index)."""
        while index is not None and len(self.rows) < index:
            self._start_row()
        self._start_row()

    def _start_row(self) -> None:
        carry = self._carry
        self._carry = {c: n - 1 for c, n in carry.items() if n > 1}
        self.rows.append([])
        self._covered = set(carry)

    def add(self, text: str, colspan: int = 1, rowspan: int = 1, column: int | None = None) -> None:
        """Place a cell at the first free column (or at `column`), blanks for the rest of its span."""
        if not self.rows:
            self._start_row()
        row = self.rows[-1]
        if column is None and colspan == 1 and rowspan == 1 and not self._covered and len(row) < self._width:
            self._budget[0] -= 1  # the common plain cell; the width check is done (len(row) < width <= limit)
            if self._budget[0] < 0:
                self._spend(0)
            row.append(text)
            return
        col = len(row) if column is None else max(column, len(row))
        while col in self._covered:
            col += 1
        end = col + colspan
        if end > MAX_COLUMNS:
            raise InputFileError(f"表格有 {end} 列以上，超过上限 {MAX_COLUMNS} 列。", path=self.path,
                                 hint="删除多余的列后再导入；" + _HTML_HINT)
        self._spend(end - len(row))
        row.extend([""] * (end - len(row)))
        row[col] = text
        if rowspan > 1:
            for c in range(col, end):
                self._carry[c] = max(self._carry.get(c, 0), rowspan - 1)
        self._covered.update(range(col, end))
        self._width = max(self._width, end)

    def _spend(self, cells: int) -> None:
        self._budget[0] -= cells
        if self._budget[0] < 0:
            raise InputFileError(f"表格展开后超过 {MAX_GRID_CELLS} 个单元格的上限，已拒绝（可能是异常文件）。",
                                 path=self.path, hint="按小区或月份拆分后分别导入；" + _HTML_HINT)

    def finish(self) -> list[list[str]] | None:
        """The rows padded to one width (the caption as a first row), or None when the table has no text."""
        if not any(any(r) for r in self.rows):
            return None
        rows = self.rows
        if self.caption:
            rows = [[self.caption], *rows]
        width = max(self._width, 1)
        self._spend(sum(width - len(r) for r in rows))
        return [r + [""] * (width - len(r)) for r in rows]


class _TableParser(HTMLParser):
    """Every <table> of a page as a _Grid, in document order; nested tables are tables of their own.

    Browsers' implied end tags are honoured: a <td> closes the open cell, a <tr> the open row.
    """

    _BREAKS: ClassVar[set[str]] = {"br", "p", "div", "li"}

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.tables: list[_Grid] = []  # finished, in the order their <table> opened
        self._stack: list[_Grid] = []
        self._cell: list[str] | None = None  # text of the open cell of the innermost table
        self._cell_span = (1, 1)
        self._cells: list[tuple[list[str] | None, tuple[int, int]]] = []  # open cells of outer tables
        self._caption: list[str] | None = None
        self._skip = 0  # inside <script>/<style>
        self._budget = [MAX_GRID_CELLS]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "table":
            self._cells.append((self._cell, self._cell_span))
            self._cell = None
            grid = _Grid(self.path, self._budget)
            grid.name = (dict(attrs).get("id") or "").strip()
            self.tables.append(grid)
            self._stack.append(grid)
        elif not self._stack:
            return
        elif tag == "tr":
            self._close_cell()
            self._stack[-1].new_row()
        elif tag in ("td", "th"):
            self._close_cell()
            self._cell = []
            if attrs:
                a = dict(attrs)
                self._cell_span = (_span(a.get("colspan"), 1000), _span(a.get("rowspan"), 65534))
            else:
                self._cell_span = (1, 1)
        elif tag == "caption":
            self._caption = []
        elif tag in self._BREAKS and self._cell is not None:
            self._cell.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "td", "th", "tr"):  # <br/>; a self-closed cell is an empty cell
            self.handle_starttag(tag, attrs)
            if tag in ("td", "th"):
                self._close_cell()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif not self._stack:
            return
        elif tag == "table":
            self._close_cell()
            self._stack.pop()
            self._cell, self._cell_span = self._cells.pop()
        elif tag in ("td", "th", "tr"):
            self._close_cell()
        elif tag == "caption" and self._caption is not None:
            self._stack[-1].caption = _cell_text(self._caption)
            self._caption = None
        elif tag in self._BREAKS and self._cell is not None:
            self._cell.append(" ")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._caption is not None:
            self._caption.append(data)
        elif self._cell is not None:
            self._cell.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None:
            colspan, rowspan = self._cell_span
            self._stack[-1].add(_cell_text(self._cell), colspan, rowspan)
            self._cell = None

    def close(self) -> None:
        super().close()
        while self._stack:  # a page cut short: keep what arrived
            self.handle_endtag("table")


def _sheet_names(grids: list[tuple[_Grid, list[list[str]]]]) -> list[str]:
    """Each table's caption or id, else 表1, 表2...; made unique."""
    names: list[str] = []
    for n, (grid, _) in enumerate(grids, start=1):
        base = (grid.caption or grid.name)[:31] or f"表{n}"
        name, k = base, 2
        while name in names:
            name, k = f"{base}({k})", k + 1
        names.append(name)
    return names


def _html_sheets(path: Path, encoding: str | None) -> list[Sheet]:
    """Every table of a web page saved as .xls, one sheet each."""
    text, _ = decode_text(path, encoding, _declared_charset(path, _META_CHARSET), what="网页表格文件")
    parser = _TableParser(path)
    try:
        parser.feed(text)
        parser.close()
    except InputFileError:
        raise
    except Exception as exc:  # html.parser is lenient; anything else is a broken file
        raise InputFileError(f"无法解析这个网页格式的表格文件。（技术信息：{_short(exc)}）", path=path,
                             hint=_HTML_HINT) from None
    grids = [(g, rows) for g in parser.tables if (rows := g.finish()) is not None]
    if not grids:
        raise InputFileError("文件是网页（HTML）格式，但里面没有可读取的表格。", path=path,
                             hint="确认导出的是台账数据而不是登录页或错误页；在浏览器中打开看看内容，重新导出。")
    return [Sheet(path=path, name=name, _rows=rows) for name, (_, rows) in zip(_sheet_names(grids), grids, strict=True)]


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_MAX_XML_ROW = 1_048_576  # Excel's own row limit


def _xml_datetime(text: str) -> str:
    """SpreadsheetML writes dates as 2026-10-01T00:00:00.000: show them as Excel does (date, or date and time)."""
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?", text)
    if not m:
        return text
    return m[1] if m[2] == "00:00:00" else f"{m[1]} {m[2]}"


def _ss_index(element, attr: str, path: Path) -> int | None:
    """A 1-based ss:Index / ss:MergeAcross style attribute as an int, None when absent."""
    value = element.get(_SS + attr)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise InputFileError(f"Excel 2003 XML 表格中 ss:{attr}=“{value[:20]}” 不是数字，文件已损坏。", path=path,
                             hint=_HTML_HINT) from None


def _spreadsheetml_sheets(path: Path, encoding: str | None) -> list[Sheet]:
    """The worksheets of an Excel 2003 XML workbook (SpreadsheetML), read incrementally with the standard library."""
    from xml.etree.ElementTree import ParseError, XMLPullParser

    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if b"<!doctype" in head.lower() or b"<!entity" in head.lower():  # Excel never writes one; entities can bomb
        raise InputFileError("Excel 2003 XML 表格中含有 DOCTYPE/实体声明，已拒绝（可能是异常文件）。", path=path,
                             hint=_HTML_HINT)
    text, _ = decode_text(path, encoding, _declared_charset(path, _XML_ENCODING), what="Excel 2003 XML 表格文件")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)  # the text is decoded already: drop its encoding claim
    parser = XMLPullParser(events=("start", "end"))
    budget = [MAX_GRID_CELLS]
    grids: list[tuple[_Grid, list[list[str]]]] = []
    grid: _Grid | None = None
    column: int | None = None
    try:
        for start in range(0, len(text), 1 << 20):
            parser.feed(text[start:start + (1 << 20)])
            for event, el in parser.read_events():
                tag = el.tag
                if event == "start":
                    if tag == _SS + "Worksheet":
                        grid = _Grid(path, budget)
                        grid.name = (el.get(_SS + "Name") or "").strip()
                    elif tag == _SS + "Row" and grid is not None:
                        index = _ss_index(el, "Index", path)
                        if index is not None and not 1 <= index <= _MAX_XML_ROW:
                            raise InputFileError(f"Excel 2003 XML 表格的行号 {index} 超出范围。", path=path, hint=_HTML_HINT)
                        grid.new_row(None if index is None else index - 1)
                        column = None
                    continue
                if tag == _SS + "Cell" and grid is not None:
                    index = _ss_index(el, "Index", path)
                    if index is not None and not 1 <= index <= MAX_COLUMNS:
                        raise InputFileError(f"Excel 2003 XML 表格的列号 {index} 超过上限 {MAX_COLUMNS} 列。",
                                             path=path, hint=_HTML_HINT)
                    data = el.find(_SS + "Data")
                    value = "" if data is None else "".join(data.itertext())
                    if data is not None and data.get(_SS + "Type") == "DateTime":
                        value = _xml_datetime(value.strip())
                    across = _ss_index(el, "MergeAcross", path) or 0
                    down = _ss_index(el, "MergeDown", path) or 0
                    column = None if index is None else index - 1
                    grid.add(value.strip(), max(1, min(across + 1, 1000)), max(1, min(down + 1, 65534)), column)
                    el.clear()
                elif tag == _SS + "Row":
                    el.clear()
                elif tag == _SS + "Worksheet" and grid is not None:
                    rows = grid.finish()
                    if rows is not None:
                        grids.append((grid, rows))
                    grid = None
                    el.clear()
        parser.close()
    except ParseError as exc:
        raise InputFileError(f"Excel 2003 XML 表格已损坏，无法读取。（技术信息：{_short(exc)}）", path=path,
                             hint="从物业系统重新导出；" + _HTML_HINT) from None
    if not grids:
        raise InputFileError("Excel 2003 XML 表格中没有任何数据。", path=path,
                             hint="确认导出时选择了数据范围；在 Excel 中打开看看内容，重新导出。")
    names = [g.name[:31] or f"Sheet{n}" for n, (g, _) in enumerate(grids, start=1)]
    return [Sheet(path=path, name=name, _rows=rows) for name, (_, rows) in zip(names, grids, strict=True)]
