"""Faster ways to the same result in the ledger import (issue 18): each is compared with the way it replaced.

* read._to_pandas (Arrow text handed to pandas as it is) against pyarrow's own to_pandas, on every golden
  workbook and the ERP corpus (tests/intake/golden/**/input.xls*), sheet by sheet: equal frames, equal dtypes.
* normalize._kept (a slice when the kept rows are one run) against the boolean take it replaced, for every
  shape of keep, and that a run is not copied.
* normalize._rooms (each distinct cell reduced once, then values.room_of_parts per room) against the per-row
  rule it replaced (values.canonical_room, then the building prefix), over the golden cells and tricky
  spellings drawn at random.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from feedun.intake import normalize
from feedun.intake import values as v
from feedun.intake.read import _to_pandas, open_sheets

pytestmark = pytest.mark.no_store  # pure functions

GOLDEN = Path(__file__).parent / "golden"
WORKBOOKS = sorted(p for p in GOLDEN.rglob("input.*") if p.suffix in (".xlsx", ".xls"))


def test_golden_workbooks_are_there():
    assert len(WORKBOOKS) >= 15


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.parent.name)
def test_to_pandas_gives_pyarrows_frame(path):
    import fastexcel

    reader = fastexcel.read_excel(str(path))
    for name in reader.sheet_names:
        batch = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", eager=True)
        ours, theirs = _to_pandas(batch), batch.to_pandas()
        pd.testing.assert_frame_equal(ours, theirs)
        assert ours.dtypes.tolist() == theirs.dtypes.tolist()


def test_to_pandas_keeps_gaps_and_unicode():
    import pyarrow as pa

    batch = pa.RecordBatch.from_arrays([pa.array(["８栋", None, "　", ""]), pa.array([None, None, None, None],
                                                                                    type=pa.string())],
                                       names=["a", "b"])
    pd.testing.assert_frame_equal(_to_pandas(batch), batch.to_pandas())


def _frame(n: int = 12) -> pd.DataFrame:
    return pd.DataFrame({0: pd.array([f"r{i}" for i in range(n)], dtype="str"),
                         1: pd.array([None if i % 3 else str(i) for i in range(n)], dtype="str"),
                         2: np.arange(n)})


KEEPS = {
    "all": [True] * 12,
    "totals row last": [True] * 11 + [False],
    "title above, footer below": [False, False] + [True] * 8 + [False, False],
    "page header in the middle": [True] * 5 + [False] + [True] * 6,
    "scattered": [i % 2 == 0 for i in range(12)],
    "none": [False] * 12,
    "one": [False] * 6 + [True] + [False] * 5,
}


@pytest.mark.parametrize("keep", KEEPS.values(), ids=KEEPS.keys())
def test_kept_rows_equal_a_boolean_take(keep):
    data = _frame()
    keep = np.array(keep)
    pd.testing.assert_frame_equal(normalize._kept(data, keep), data[keep].reset_index(drop=True))


def test_a_run_of_kept_rows_is_not_copied():
    data = _frame()
    kept = normalize._kept(data, np.array(KEEPS["totals row last"]))
    assert np.shares_memory(kept[2].to_numpy(), data[2].to_numpy())


def _reference_room(estate, building, unit, room) -> str:
    """The per-row rule _rooms replaced (normalize._room_from_key before issue 18's second pass)."""
    estate, building, unit, room = ("" if c is None else str(c) for c in (estate, building, unit, room))
    canonical = v.canonical_room(building, unit, room, estate=estate)
    tokens = canonical.split("-")
    b = v.part_token(building)
    if b and len(tokens) >= 2 and tokens[0] != b and not canonical.startswith(f"{b}-"):
        return f"{b}-{canonical}"
    return canonical


def _golden_cells() -> list[str]:
    cells: set[str] = set()
    for path in sorted(p for p in GOLDEN.rglob("input.*") if p.suffix in (".csv", ".xlsx", ".xls")):
        for sheet in open_sheets(path):
            frame = normalize.strip_cells(sheet.frame())
            for col in frame.columns:
                cells.update(str(c) for c in frame[col].dropna().tolist() if len(str(c)) <= 20)
    return sorted(cells)


ESTATES = [None, "阳光花园", "阳光花园 ", "ＡＢ苑", "御景-名邸", "8栋"]
BUILDINGS = [None, "8", "8栋", "08", "８号楼", "A座", "3幢", "1-2", "B区3栋", "十栋", "8 栋", "0"]
UNITS = [None, "2", "2单元", "02", "二单元", "1-1", "A"]
ROOMS = [None, "1201", "1201室", "2-1201", "8-2-1201", "8栋2单元1201室", "阳光花园-8栋-1201", "阳光花园1201",
         "８－２－１２０１", "B-101", "101号", "车位A-12", " 1201 ", "0101", "8#1201", "商铺3", "阳光花园"]


def test_rooms_equal_the_per_row_rule():
    rng = random.Random(18)
    cells = _golden_cells()
    rows = [(rng.choice(ESTATES), rng.choice(BUILDINGS + cells[:200]), rng.choice(UNITS + cells[:50]),
             rng.choice(ROOMS + cells)) for _ in range(20_000)]
    rows += [(e, b, u, r) for e in ESTATES[:3] for b in BUILDINGS for u in UNITS for r in ROOMS]
    columns = [np.array([row[i] for row in rows], dtype=object) for i in range(4)]
    got = normalize._rooms(columns)
    want = [_reference_room(*row) for row in rows]
    differ = [(row, g, w) for row, g, w in zip(rows, got.tolist(), want, strict=True) if g != w]
    assert not differ, differ[:10]
    assert len(set(want)) > 500  # the corpus is varied, not one room over and over


def test_room_of_parts_is_canonical_room():
    for estate in ESTATES:
        for building in BUILDINGS:
            for unit in UNITS:
                for room in ROOMS:
                    assert v.room_of_parts(v.part_token(building), v.part_token(unit), v.clean_text(room),
                                           v.clean_text(estate)) == v.canonical_room(building, unit, room,
                                                                                     estate=estate or "")


@pytest.mark.parametrize(("env", "expected"), [(None, "system"), ("jemalloc", "jemalloc")])
def test_arrow_memory_pool_is_chosen_before_arrow_starts(env, expected):
    """feedun picks Arrow's system allocator (mimalloc's page faults cost a third of a large import), unless the
    user chose one: checked in a fresh interpreter, where pyarrow starts after feedun is imported."""
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env is not None:
        environ["ARROW_DEFAULT_MEMORY_POOL"] = env
    code = "import feedun, pyarrow; print(pyarrow.default_memory_pool().backend_name)"
    out = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected
