"""Print our outputs as an office does (LibreOffice → PDF) and measure the pages: page count, text size, edges.

The tests that use this are marked `requires_office`: they skip where LibreOffice is not installed, and fail
instead when FEEDUN_REQUIRE_OFFICE=1 (`.ci/run` installs LibreOffice and sets it, so CI always prints).
Text sizes come from the PDF itself (pdfminer: a glyph's size is its font size times the page scale), so a sheet
fitted to one page at 3 pt measures 3 pt.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _missing() -> bool:
    if office() is not None:
        return False
    if os.environ.get("FEEDUN_REQUIRE_OFFICE") == "1":
        raise RuntimeError("FEEDUN_REQUIRE_OFFICE=1 but LibreOffice (soffice) is not installed")
    return True


requires_office = pytest.mark.skipif(_missing(), reason="LibreOffice (soffice) is not installed")

# One LibreOffice profile per test process: two soffice processes sharing a profile refuse to start.
_PROFILE = Path(tempfile.gettempdir()) / f"feedun-lo-profile-{os.getpid()}"


def to_pdf(path: Path, out_dir: Path) -> Path:
    """The PDF LibreOffice prints from an xlsx/docx (every sheet of a workbook, in order)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([office(), f"-env:UserInstallation={_PROFILE.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out_dir), str(path)], check=True, capture_output=True, timeout=300)
    pdf = out_dir / (Path(path).stem + ".pdf")
    assert pdf.exists(), f"LibreOffice made no PDF of {path}"
    return pdf


@dataclass
class Char:
    text: str
    size: float  # points on paper
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    number: int  # from 1
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # text lines top to bottom, as pdfminer groups them

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def min_size(self) -> float:
        """The smallest text on the page (the page header and footer included); 0 for a page without text."""
        return min((c.size for c in self.chars if c.text.strip()), default=0.0)

    def sizes_of(self, fragment: str) -> list[float]:
        """Sizes of the glyphs of the lines that contain `fragment`."""
        found = [c.size for line in self._char_lines() if fragment in "".join(c.text for c in line) for c in line]
        return found

    def outside(self, margin: float = 0.0) -> list[Char]:
        """Glyphs that reach past the paper's edge (less `margin` points): text cut off when printed."""
        return [c for c in self.chars if c.text.strip() and (c.x0 < margin or c.y0 < margin
                                                             or c.x1 > self.width - margin
                                                             or c.y1 > self.height - margin)]

    def _char_lines(self) -> list[list[Char]]:
        rows: dict[int, list[Char]] = {}
        for c in self.chars:
            rows.setdefault(round(c.y0), []).append(c)
        return [sorted(row, key=lambda c: c.x0) for _, row in sorted(rows.items(), reverse=True)]


def _walk(item, page: Page, lines: list[tuple[float, float, str]]) -> None:
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    if isinstance(item, LTChar):
        page.chars.append(Char(item.get_text(), round(item.size, 2), item.x0, item.y0, item.x1, item.y1))
        return
    if isinstance(item, LTTextLine):
        lines.append((-item.y1, item.x0, item.get_text().strip()))
    if isinstance(item, LTTextContainer) or hasattr(item, "__iter__"):
        for child in item:
            _walk(child, page, lines)


def read_pdf(pdf: Path) -> list[Page]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    pages = []
    for number, layout in enumerate(extract_pages(str(pdf), laparams=LAParams()), start=1):
        page = Page(number, layout.width, layout.height)
        lines: list[tuple[float, float, str]] = []
        for item in layout:
            _walk(item, page, lines)
        page.lines = [text for _, _, text in sorted(lines) if text]
        pages.append(page)
    return pages


def render_png(pdf: Path, page: int = 1, dpi: int = 70) -> Path:
    """Page `page` as a PNG beside the PDF (pdftoppm), for looking at it."""
    stem = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(stem)], check=True, capture_output=True, timeout=120)
    return stem.with_suffix(".png")
