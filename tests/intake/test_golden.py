"""Golden files: each tests/intake/golden/<case>/input.* beside the normalised lines, rejects and counts expected.

Regenerate after an intended change with UPDATE_GOLDEN=1, then read the diff line by line before committing.
The same messy ledger written as xlsx, xls and ods must normalise exactly like its CSV.
"""

from __future__ import annotations

import csv
import json
import os
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from feedun.config import Settings
from feedun.intake.importer import parse_ledger

pytestmark = pytest.mark.no_store  # pure functions: run once, whatever the backend

GOLDEN = Path(__file__).parent / "golden"
CASES = {  # case -> (input file, --estate, --as-of)
    "long_messy": ("input.csv", None, None),
    "wide": ("input.csv", None, None),
    "fen_start_end": ("input.csv", "枫林小区", date(2026, 11, 30)),
}


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def normalised(path: Path, estate: str | None, as_of: date | None) -> dict[str, object]:
    parsed = parse_ledger(path, Settings(workspace=path.parent), estate=estate, as_of=as_of)
    result = parsed.result
    lines = [[_cell(v) for v in row] for row in result.lines.itertuples(index=False)]
    return {
        "lines": [list(result.lines.columns), *lines],
        "rejects": [["row", "reason"], *[[str(r.row), r.reason] for r in result.rejects]],
        "summary": {"as_of": parsed.as_of.isoformat(), "layout": parsed.cmap.layout,
                    "rows_read": result.rows_read, "accepted": result.accepted, "rejected": result.rejected,
                    "skipped": result.skipped, "warnings": result.warnings},
    }


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _expected(case: str, got: dict[str, object]) -> dict[str, object]:
    folder = GOLDEN / case
    if os.environ.get("UPDATE_GOLDEN"):
        _write_csv(folder / "expected_lines.csv", got["lines"])  # type: ignore[arg-type]
        _write_csv(folder / "expected_rejects.csv", got["rejects"])  # type: ignore[arg-type]
        (folder / "expected_summary.json").write_text(
            json.dumps(got["summary"], ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {
        "lines": _read_csv(folder / "expected_lines.csv"),
        "rejects": _read_csv(folder / "expected_rejects.csv"),
        "summary": json.loads((folder / "expected_summary.json").read_text(encoding="utf-8")),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_csv(case: str) -> None:
    name, estate, as_of = CASES[case]
    got = normalised(GOLDEN / case / name, estate, as_of)
    expected = _expected(case, got)
    assert got["summary"] == expected["summary"]
    assert got["lines"] == expected["lines"]
    assert got["rejects"] == expected["rejects"]
    summary = got["summary"]
    assert summary["rows_read"] == summary["accepted"] + summary["rejected"] + sum(summary["skipped"].values())


def test_golden_gbk_csv_matches_utf8(tmp_path: Path) -> None:
    source = GOLDEN / "long_messy" / "input.csv"
    gbk = tmp_path / "input.csv"
    gbk.write_bytes(source.read_text(encoding="utf-8").encode("gbk"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    expected = normalised(source, None, None)
    assert normalised(gbk, None, None) == expected
    assert normalised(bom, None, None) == expected


# ---- the same ledger as real spreadsheets ------------------------------------------------------

NUMERIC_HEADERS = ("建筑面积", "应收金额", "实收金额", "减免金额", "欠费金额", "滞纳金")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _typed_rows() -> list[list[object]]:
    """long_messy as a spreadsheet would hold it: amounts as numbers, ISO due dates as date cells."""
    rows = _read_csv(GOLDEN / "long_messy" / "input.csv")
    header = rows[4]
    numeric = {i for i, h in enumerate(header) if h.startswith(NUMERIC_HEADERS)}
    due = header.index("应缴日期")
    typed: list[list[object]] = []
    for index, row in enumerate(rows):
        out: list[object] = []
        for col, text in enumerate(row):
            if index > 4 and col in numeric and _PLAIN_NUMBER.fullmatch(text):
                out.append(float(text))
            elif index > 4 and col == due and _ISO_DATE.fullmatch(text):
                out.append(date.fromisoformat(text))
            elif index > 4 and col == due and text.isdigit():
                out.append(int(text))  # the Excel serial number stays a number
            else:
                out.append(text if text != "" else None)
        typed.append(out)
    return typed


def _write_xlsx(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "欠费明细"
    for row in rows:
        ws.append(row)
    ws.merge_cells("A1:P1")  # exports merge the title across the columns
    wb.save(path)


def _write_xls(path: Path, rows: list[list[object]]) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("欠费明细")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, date):
                ws.write(r, c, value, date_style)
            else:
                ws.write(r, c, value)
    wb.save(str(path))


def _write_ods(path: Path, rows: list[list[object]]) -> None:
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([r + [None] * (width - len(r)) for r in rows])
    frame.to_excel(path, engine="odf", header=False, index=False, sheet_name="欠费明细")


@pytest.mark.parametrize("suffix,writer", [(".xlsx", _write_xlsx), (".xls", _write_xls), (".ods", _write_ods)])
def test_spreadsheet_formats_match_csv_golden(tmp_path: Path, suffix: str, writer) -> None:
    path = tmp_path / f"ledger{suffix}"
    writer(path, _typed_rows())
    got = normalised(path, None, None)
    expected = _expected("long_messy", normalised(GOLDEN / "long_messy" / "input.csv", None, None))
    assert got["summary"] == expected["summary"]
    assert got["rejects"] == expected["rejects"]
    assert got["lines"] == expected["lines"]
