"""Open a spreadsheet or text file as sheets of string cells.

Excel-like files go through fastexcel (Rust calamine underneath); text files through the csv module
after the encoding is detected. Every cell arrives as text or None so that normalisation sees what
the user sees. This is the only module that imports fastexcel.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from feedun.core.errors import InputFileError

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
PREVIEW_ROWS = 40
# Resource limits (README "Limits"): refuse clearly rather than let one file exhaust the machine.
MAX_UNZIPPED_BYTES = 1 << 30  # an .xlsx whose parts expand beyond 1 GiB is refused (zip bombs)
MAX_TEXT_BYTES = 300 << 20  # CSV/TXT above 300 MB: split it, or save it as .xlsx
MAX_COLUMNS = 2000  # real ledgers have tens of columns

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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
        try:
            # skip_rows=0 with no header row: keep leading blank rows (fastexcel drops them otherwise).
            sheet = self._reader.load_sheet(  # type: ignore[attr-defined]
                self.name, header_row=None, skip_rows=0, dtypes="string")
            frame = sheet.to_pandas()
        except Exception as exc:  # calamine errors carry no stable type
            raise InputFileError(f"读取工作表“{self.name}”失败：{_short(exc)}", path=self.path,
                                 hint="在 Excel 中打开并另存为 .xlsx 后重试。") from None
        if frame.shape[1] > MAX_COLUMNS:
            raise InputFileError(f"工作表“{self.name}”有 {frame.shape[1]} 列，超过上限 {MAX_COLUMNS} 列。", path=self.path,
                                 hint="删除多余的列后另存，再导入。")
        frame.columns = range(frame.shape[1])
        return frame


def sniff_kind(path: Path) -> str:
    """'excel' or 'text' from the content (extensions lie); InputFileError for anything else."""
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
    if head.startswith(_OLE):
        if _is_encrypted_ooxml(path):
            raise InputFileError("工作簿设有打开密码，无法读取。", path=path,
                                 hint="在 Excel 中打开，去掉密码（文件→信息→保护工作簿→用密码进行加密，清空）后另存再导入。")
        return "excel"
    if head.startswith(_ZIP):
        _check_zip(path)
        return "excel"
    if suffix in EXCEL_SUFFIXES:
        raise InputFileError(f"文件扩展名是 {suffix}，但内容不是有效的 Excel 工作簿。", path=path,
                             hint="文件可能已损坏或被改了扩展名；请从物业系统重新导出。")
    return "text"


def _check_zip(path: Path) -> None:
    """A workbook is a zip: refuse one whose parts would expand past MAX_UNZIPPED_BYTES before reading it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
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


def open_sheets(path: Path, encoding: str | None = None) -> list[Sheet]:
    """All sheets of a workbook in order, or the single 'sheet' of a text file."""
    path = Path(path)
    if sniff_kind(path) == "text":
        return [_text_sheet(path, encoding)]
    import fastexcel

    try:
        reader = fastexcel.read_excel(str(path))
        sheets = [Sheet(path=path, name=name, _reader=reader) for name in reader.sheet_names]
    except Exception as exc:
        raise InputFileError(f"无法读取这个工作簿。（技术信息：{_short(exc)}）", path=path,
                             hint="文件可能已损坏、加密或不是 Excel 格式；在 Excel 中打开并另存为 .xlsx 后重试。") from None
    return sheets


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def decode_text(path: Path, encoding: str | None) -> tuple[str, str]:
    """The file's text and the encoding used: BOMs first, then UTF-8, then GB18030 (a superset of GBK)."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise InputFileError(f"文本文件有 {size >> 20} MB，超过上限 {MAX_TEXT_BYTES >> 20} MB。", path=path,
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
