"""Every workbook the demo day writes prints on A4 at a readable size: no sheet is left to print at 3 pt.

One demo run (the bundled example company), then every sheet of every xlsx it wrote is checked the way a printer
would see it: A4, fitted to the page width (never to a page height, which shrinks long lists), printed columns
narrow enough for 8 pt or more, the header repeated and the pages numbered. A sheet added later without
`write_sheet`'s print setup fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from feedun.outputs.xlsx import BODY_PT, print_scale

# Sheets laid out by hand for one page (the report's summary) are held to their own tests.
ONE_PAGE = {"摘要"}


@pytest.fixture(scope="module")
def demo_books(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from feedun.admin.demo import run_demo

    folder = tmp_path_factory.mktemp("demo") / "演示"
    run_demo(folder)
    books = sorted(p for p in (folder / "outbox").rglob("*.xlsx") if not p.name.startswith("."))
    assert len(books) >= 6, books  # call lists, overview, watch list, report, letter register …
    return books


def test_every_demo_sheet_prints_at_eight_points_or_more(demo_books: list[Path]) -> None:
    checked = []
    for path in demo_books:
        for ws in load_workbook(path):
            where = f"{path.name}:{ws.title}"
            assert int(ws.page_setup.paperSize) == 9, where  # A4
            assert ws.sheet_properties.pageSetUpPr.fitToPage, where
            if ws.title in ONE_PAGE:
                continue
            # fitToWidth absent is 1, the OOXML default (XlsxWriter, which writes the call lists, leaves it out)
            assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0), where
            assert BODY_PT * print_scale(ws) >= 8, (where, print_scale(ws))
            assert ws.print_title_rows == "$1:$1" and "&P" in ws.oddFooter.center.text, where
            checked.append(where)
    assert any("催缴清单-" in w for w in checked) and any("report-" in w for w in checked)
