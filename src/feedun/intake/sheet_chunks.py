"""A large .xlsx sheet cut into small workbooks of consecutive rows, so it can be read a part at a time.

calamine (under fastexcel) builds every cell of a sheet before it hands any over: a 1M-row ledger of 16 columns
holds about 1.1 GiB while it is read, though the text columns it gives back take a fifth of that. calamine has no
lazy reader (tafia/calamine#27, dimastbk/python-calamine#42). So for a sheet whose XML is large we stream that XML
out of the zip and cut it after a row's end tag every `CHUNK_BYTES`; each part becomes a small workbook in memory
with the original workbook part, its relationships, styles (which cells are dates), theme and shared strings, and
the original sheet's opening (namespaces, columns) minus its `<dimension>` (calamine would size its buffer from
it). Rows keep their numbers (`r="250001"`); `Part` says how the reader pins each part's first row.

Cutting is safe because markup cannot appear in cell text: a `</row>` there is escaped as `&lt;/row>`. Sheets are
read whole instead (`chunks` returns None) when they are small, are not in an .xlsx package, or (found while
cutting: ValueError) have a row without its `r` number (a part's rows would be numbered from the part's start).
A part calamine cannot read makes the caller read the whole sheet (intake/read.py, `Sheet._read_in_parts`).
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 64 << 20  # sheet XML per part: ~120k rows of a 16-column ledger, ~150 MiB while calamine reads it
MIN_SHEET_BYTES = 256 << 20  # smaller sheets are read whole (~460k rows of 16 columns: ~550 MiB while read)
_READ_BYTES = 4 << 20

_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_FIRST_ROW = re.compile(rb"\s*<(?:\w+:)?row\b[^>]*?\sr=\"(\d+)\"")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_COMMON_TYPES = ("/styles", "/sharedStrings", "/theme")  # the workbook's parts every part's reading needs


def _workbook_parts(archive: zipfile.ZipFile) -> tuple[set[str], dict[str, str]]:
    """(the parts every cut workbook copies, sheet name -> worksheet part), from the package's own pointers."""

    def resolve(folder: str, target: str) -> str:
        return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))

    root_rels = ET.fromstring(archive.read("_rels/.rels"))
    workbook = resolve("", next(r.get("Target", "") for r in root_rels
                                if r.get("Type", "").endswith("/officeDocument")))
    folder = posixpath.dirname(workbook)
    rels_part = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    rels = list(ET.fromstring(archive.read(rels_part)))
    targets = {r.get("Id"): resolve(folder, r.get("Target", "")) for r in rels}
    common = {"[Content_Types].xml", "_rels/.rels", workbook, rels_part}
    common |= {resolve(folder, r.get("Target", "")) for r in rels if r.get("Type", "").endswith(_COMMON_TYPES)}
    sheets = {element.get("name", ""): targets[element.get(_REL)]
              for element in ET.fromstring(archive.read(workbook)).iter()
              if _local(element.tag) == "sheet" and element.get(_REL) in targets}
    return common & set(archive.namelist()), sheets


@dataclass(frozen=True)
class Part:
    """Consecutive rows of the sheet as a small workbook. `first_row` is the sheet row (1-based) its rows start
    at. When that is beyond row 1, the part's sheet begins with one extra row just above it, holding `SENTINEL` in
    column A: fastexcel asked to keep blank leading rows (`skip_rows=0`) would build every row from the sheet's
    first (a part at row 900,000 costs what the whole sheet does), and asked to skip them it would start the frame
    wherever the part's first value is; a value in A(first_row - 1) pins the frame's first row and column."""

    first_row: int
    data: bytes

    @property
    def marked(self) -> bool:
        return self.first_row > 1


SENTINEL = "feedun:part-start"


def chunks(path: Path, sheet: str) -> Iterator[Part] | None:
    """The sheet as small workbooks of consecutive rows, in order, or None to read it whole."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile):
        return None
    try:
        common, sheets = _workbook_parts(archive)
        part = sheets.get(sheet)
        if part is None or archive.getinfo(part).file_size < MIN_SHEET_BYTES:
            archive.close()
            return None
    except (KeyError, StopIteration, ET.ParseError, ValueError):
        archive.close()
        return None
    return _parts(archive, part, common, CHUNK_BYTES)


def _parts(archive: zipfile.ZipFile, part: str, keep: set[str], chunk_bytes: int) -> Iterator[Part]:
    """Each part copies the `keep` parts (a few small files; not the other worksheets, drawings or pictures). The
    XML is held once per part: a bytearray read into, cut at a row end, the rest moved to its front."""
    with archive:
        common = {name: archive.read(name) for name in sorted(keep)}
        with archive.open(part) as stream:
            text = bytearray()
            while (found := _SHEET_DATA.search(text)) is None:
                block = stream.read(_READ_BYTES)
                if not block:
                    raise ValueError("no sheetData")
                text += block
            if found[2]:  # <sheetData/>: no rows
                return
            ns = bytes(found[1] or b"")  # before the bytearray changes under the match
            prefix = _DIMENSION.sub(b"", bytes(text[:found.end()]))
            del text[:found.end()]
            row_end, data_end = b"</" + ns + b"row>", b"</" + ns + b"sheetData>"
            suffix = data_end + b"</" + ns + b"worksheet>"
            done, wanted = False, chunk_bytes
            while not done:
                while len(text) < wanted and not done:
                    block = stream.read(_READ_BYTES)
                    done = not block
                    text += block
                if done:
                    cut = text.find(data_end)
                    if cut < 0:
                        raise ValueError("sheetData not closed")
                else:
                    cut = text.rfind(row_end, 0, chunk_bytes)
                    if cut < 0:  # one row longer than a part: up to the first row end there is
                        cut = text.find(row_end, chunk_bytes)
                        if cut < 0:  # not read to its end yet
                            wanted = len(text) + _READ_BYTES
                            continue
                    cut += len(row_end)
                wanted = chunk_bytes
                first = _FIRST_ROW.match(text, 0, cut)
                if first is not None:
                    yield _workbook(common, part, prefix, ns, int(first[1]), memoryview(text)[:cut], suffix)
                elif text[:cut].strip():
                    raise ValueError("a row without its number")
                del text[:cut]


def _workbook(common: dict[str, bytes], part: str, prefix: bytes, ns: bytes, first_row: int, rows: memoryview,
              suffix: bytes) -> Part:
    """A package of the common parts and this part's sheet, stored (not compressed: it is read at once)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, data in common.items():
            package.writestr(name, data)
        with package.open(part, "w") as sheet:
            sheet.write(prefix)
            if first_row > 1:
                n = first_row - 1
                sheet.write(f'<{{0}}row r="{n}"><{{0}}c r="A{n}" t="inlineStr"><{{0}}is><{{0}}t>{SENTINEL}</{{0}}t>'
                            f"</{{0}}is></{{0}}c></{{0}}row>".format(ns.decode("ascii")).encode("ascii"))
            sheet.write(rows)
            sheet.write(suffix)
    rows.release()
    return Part(first_row, out.getvalue())
