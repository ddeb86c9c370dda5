"""A large .xlsx sheet read a part of its rows at a time (intake/sheet_chunks.py) gives exactly the frame the whole
read gives. Parts are forced small here (a few hundred bytes of XML, read in odd-sized blocks) so that every
workbook is cut many times, at every kind of place: between title rows, inside runs of blank rows, where a part's
rows use only later columns, before the totals row.

Workbooks: every real ERP export of the golden corpus (tests/intake/golden/erp, sources in each case's
SOURCE.md) and the examples, plus layouts made here that real writers produce:
- shared strings (Excel, POI's XSSF) and inline strings (POI's SXSSF, which EasyExcel uses for big exports;
  openpyxl's write-only mode);
- the `x:` namespace prefix the .NET Open XML SDK writes (`<x:worksheet>`, `<x:row>`);
- the 1904 date system, real date cells, a merged title, empty styled cells and empty `<row r="N"/>` elements;
- the ledger on the second sheet of a workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from openpyxl.styles import Font

import feedun.intake.sheet_chunks as sheet_chunks
from feedun.intake.read import open_sheets

pytestmark = pytest.mark.no_store  # pure reading: run once, whatever the backend

ROOT = Path(__file__).parents[2]
CORPUS = sorted([*ROOT.glob("tests/intake/golden/**/input.xlsx"), *ROOT.glob("examples/*.xlsx")])


def _frames(path: Path, monkeypatch: pytest.MonkeyPatch, *, parts: bool, chunk: int = 400,
            block: int = 97) -> dict[str, pd.DataFrame]:
    """Every sheet's frame, read whole or in parts of about `chunk` bytes of XML."""
    with monkeypatch.context() as m:
        m.setattr(sheet_chunks, "MIN_SHEET_BYTES", 0 if parts else 1 << 60)
        m.setattr(sheet_chunks, "CHUNK_BYTES", chunk)
        m.setattr(sheet_chunks, "_READ_BYTES", block)
        return {sheet.name: sheet.frame() for sheet in open_sheets(path)}


def _parts_of(path: Path, sheet: str, monkeypatch: pytest.MonkeyPatch, chunk: int = 400) -> list[sheet_chunks.Part]:
    with monkeypatch.context() as m:
        m.setattr(sheet_chunks, "MIN_SHEET_BYTES", 0)
        m.setattr(sheet_chunks, "CHUNK_BYTES", chunk)
        m.setattr(sheet_chunks, "_READ_BYTES", 97)
        found = sheet_chunks.chunks(path, sheet)
        return list(found) if found is not None else []


def _assert_same(path: Path, monkeypatch: pytest.MonkeyPatch, *, min_parts: int = 3, **sizes: int) -> None:
    whole = _frames(path, monkeypatch, parts=False)
    cut = _frames(path, monkeypatch, parts=True, **sizes)
    assert whole.keys() == cut.keys()
    for name, frame in whole.items():
        pd.testing.assert_frame_equal(cut[name], frame, obj=f"{path.name}/{name}")
    biggest = max(whole, key=lambda n: len(whole[n]))
    assert len(_parts_of(path, biggest, monkeypatch, sizes.get("chunk", 400))) >= min_parts  # really cut


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.parent.name if p.name == "input.xlsx" else p.stem)
def test_real_exports_read_in_parts_equal_the_whole_read(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with zipfile.ZipFile(path) as package:  # about a dozen parts of the largest sheet, however big the file
        largest = max(i.file_size for i in package.infolist() if i.filename.startswith("xl/worksheets/"))
    _assert_same(path, monkeypatch, chunk=max(400, largest // 12), block=max(97, largest // 40 + 1))


def test_corpus_is_there() -> None:
    assert len(CORPUS) >= 15


def _ledger(path: Path, *, shared: bool = True, date1904: bool = False, second_sheet: bool = False) -> Path:
    """A ledger with the messy parts of a real export: title rows, a merged title, blank runs, blank leading
    columns in some rows, real dates, numbers, a styled empty cell, a totals row."""
    wb = Workbook()
    if date1904:
        wb.epoch = dt.datetime(1904, 1, 1)
    ws = wb.active
    if second_sheet:
        ws.title = "说明"
        ws.append(["本表由系统导出"])
        ws = wb.create_sheet("欠费明细")
    ws.append(["嘉禾物业 欠费明细表"])
    ws.merge_cells("A1:F1")
    ws.append(["截止日期：2026年11月25日"])
    ws.append([])
    ws.append(["管理处", "房号", "业主姓名", "所属期间", "应缴日期", "欠费金额(元)"])
    for i in range(60):
        if i % 17 == 5:
            ws.append([])  # a blank row inside the data
            ws.append([])
        if i % 23 == 7:
            ws.append([None, None, None, None, None, f"备注{i}"])  # a row with only a late column
        ws.append(["阳光花园", f"1-{i // 10 + 1}-{100 + i}", f"业主{i}", f"2026-{i % 12 + 1:02d}",
                   dt.date(2026, i % 12 + 1, 20), round(100 + i * 3.37, 2)])
    ws.cell(row=ws.max_row, column=8).font = Font(bold=True)  # styled, no value
    ws.append(["合计", None, None, None, None, 12345.67])
    if shared:
        wb.save(path)
        return path
    buf = io.BytesIO()
    wb.save(buf)
    return _rewrite(path, buf.getvalue(), _inline_strings)


def _rewrite(path: Path, data: bytes, change, rels=None) -> Path:
    """Save `data` (an .xlsx) to path with every worksheet part passed through `change` (and the workbook's
    relationships through `rels`)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        strings = src.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in src.namelist() else b""
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                part = change(part, strings)
            if rels is not None and info.filename == "xl/_rels/workbook.xml.rels":
                part = rels(part)
            out.writestr(info, part)
    return path


def _absolute_targets(rels: bytes) -> bytes:
    """Relationship targets written from the package root (`/xl/worksheets/sheet1.xml`), as some exporters do."""
    return re.sub(rb'Target="/?(?:xl/)?', b'Target="/xl/', rels)


def _inline_strings(sheet: bytes, strings: bytes) -> bytes:
    """Shared-string cells as inline strings, the way POI's SXSSF and openpyxl's write-only mode store text."""
    table = [m.group(1) for m in re.finditer(rb"<si>(.*?)</si>", strings, re.S)]
    return re.sub(rb'<c r="([A-Z]+\d+)"([^>]*?) t="s"([^>]*)><v>(\d+)</v></c>',
                  lambda m: b'<c r="' + m[1] + b'"' + m[2] + b' t="inlineStr"' + m[3] + b"><is>"
                  + table[int(m[4])] + b"</is></c>", sheet)


def _prefixed(sheet: bytes, _strings: bytes) -> bytes:
    """The sheet with the `x:` prefix on every element, as the .NET Open XML SDK writes it."""
    sheet = sheet.replace(b'<worksheet xmlns="', b'<worksheet xmlns:x="')
    return re.sub(rb"<(/?)([a-zA-Z]+)([ >/])", rb"<\1x:\2\3", sheet)


def _empty_rows(sheet: bytes, _strings: bytes) -> bytes:
    """Empty `<row r="N"/>` elements before and among the rows (some writers emit one per formatted row)."""
    return re.sub(rb'<row r="(\d+)"', lambda m: b'<row r="' + str(int(m[1]) + 200).encode() + b'"/>' + m[0]
                  if int(m[1]) % 9 == 0 else m[0], sheet)


@pytest.mark.parametrize("chunk", [150, 400, 1500])
@pytest.mark.parametrize("layout", ["shared", "inline", "prefixed", "date1904", "second_sheet", "empty_rows",
                                    "absolute_targets"])
def test_layouts_read_in_parts_equal_the_whole_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str,
                                                    chunk: int) -> None:
    path = tmp_path / f"{layout}.xlsx"
    if layout == "inline":
        _ledger(path, shared=False)
    elif layout == "date1904":
        _ledger(path, date1904=True)
    elif layout == "second_sheet":
        _ledger(path, second_sheet=True)
    elif layout in ("prefixed", "empty_rows", "absolute_targets"):
        plain = _ledger(tmp_path / "plain.xlsx").read_bytes()
        if layout == "absolute_targets":
            _rewrite(path, plain, lambda sheet, _s: sheet, _absolute_targets)
        else:
            _rewrite(path, plain, _prefixed if layout == "prefixed" else _empty_rows)
    else:
        _ledger(path)
    if layout == "prefixed":
        with zipfile.ZipFile(path) as z:
            assert b"<x:row " in z.read("xl/worksheets/sheet1.xml")
    if layout == "absolute_targets":
        with zipfile.ZipFile(path) as z:
            assert b'Target="/xl/worksheets/sheet1.xml"' in z.read("xl/_rels/workbook.xml.rels")
    _assert_same(path, monkeypatch, chunk=chunk, min_parts=3 if chunk < 1500 else 2)


def test_a_dated_ledger_reads_its_dates_in_every_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only equal to the whole read: the values are the ledger's (the styles that make a number a date and
    the shared strings travel with every part)."""
    frame = _frames(_ledger(tmp_path / "l.xlsx"), monkeypatch, parts=True, chunk=200)["Sheet"]
    assert frame.iat[0, 0] == "嘉禾物业 欠费明细表"
    header = frame.index[frame[0] == "管理处"][0]
    first = frame.iloc[header + 1]
    assert (first[1], first[2], first[3]) == ("1-1-100", "业主0", "2026-01")
    assert str(first[4]).startswith("2026-01-20")
    assert frame.iloc[-1][0] == "合计" and frame.iloc[-1][5] == "12345.67"
    assert not (frame == sheet_chunks.SENTINEL).any().any()


def test_rows_without_their_number_are_read_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`r` is optional on a row; a part of such rows would be numbered from its own start, so the sheet is read
    whole (and the same as without parts)."""
    buf = io.BytesIO()
    _ledger(tmp_path / "plain.xlsx")
    buf.write((tmp_path / "plain.xlsx").read_bytes())
    path = _rewrite(tmp_path / "no_r.xlsx", buf.getvalue(),
                    lambda sheet, _s: re.sub(rb'<row r="\d+"( spans="[^"]*")?>', b"<row>", sheet))
    with pytest.raises(ValueError, match="without its number"):
        _parts_of(path, "Sheet", monkeypatch)
    whole = _frames(path, monkeypatch, parts=False)
    pd.testing.assert_frame_equal(_frames(path, monkeypatch, parts=True)["Sheet"], whole["Sheet"])


def test_small_sheets_and_other_formats_are_read_whole(tmp_path: Path) -> None:
    """Below the size where cutting pays, and for anything that is not an .xlsx package, there are no parts."""
    path = _ledger(tmp_path / "l.xlsx")
    assert sheet_chunks.chunks(path, "Sheet") is None  # 10 KB of XML: read whole
    (tmp_path / "l.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert sheet_chunks.chunks(tmp_path / "l.csv", "l") is None
    assert sheet_chunks.chunks(path, "没有这张表") is None


def test_stripping_keeps_the_sheets_own_columns_where_nothing_changes(tmp_path: Path) -> None:
    """normalize.strip_cells makes a new column only where a cell loses whitespace or becomes blank; the others
    are the sheet's own Arrow data, so a 1M-row sheet is not held twice while it is normalised (issue 18)."""
    import pyarrow as pa

    from feedun.intake.normalize import strip_cells

    path = tmp_path / "l.xlsx"
    wb = Workbook()
    for row in (["房号", "业主", "金额"], ["1-1-101", " 张三 ", "100"], ["1-1-102", "   ", "200"]):
        wb.active.append(row)
    wb.save(path)
    frame = open_sheets(path)[0].frame()
    stripped = strip_cells(frame)
    assert [None if pd.isna(v) else v for v in stripped[1]] == ["业主", "张三", None]

    def data_address(series: pd.Series) -> int:
        chunked = pa.chunked_array(pa.array(series, from_pandas=True))
        return chunked.chunk(0).buffers()[2].address

    for col in (0, 2):  # nothing to strip: the very same text buffer
        assert data_address(stripped[col]) == data_address(frame[col])
    assert data_address(stripped[1]) != data_address(frame[1])
