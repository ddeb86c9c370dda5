"""Issue 14: real ERP export layouts import without per-file flags, to the fen.

Each tests/intake/golden/erp/<case>/ holds an input written by make_corpus.py with the system's real headers,
sheet name and title/footer rows (SOURCE.md says where they come from; the data rows are made up), a case.toml
(as_of, estate for feedun.toml, expect = "imports" with the row counts, or "refused" with a message substring)
and, for imports, expected_debtors.csv worked out by hand (never regenerate it from feedun's output) and
expected_lines.csv, the lines as stored (UPDATE_GOLDEN=1 rewrites it; read the diff before committing).
"""

from __future__ import annotations

import csv
import os
import shutil
import tomllib
from datetime import date
from pathlib import Path

import pytest

from feedun.config import load_settings
from feedun.core.errors import FeedunError
from feedun.intake.importer import import_file, parse_ledger
from feedun.memory.debtors import list_debtors
from feedun.store import Store

pytestmark = pytest.mark.sqlite_only  # the cases open their own SQLite store

CORPUS = Path(__file__).parent / "golden" / "erp"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.toml").is_file())
ALLOWED_KEYS = {"as_of", "estate", "columns", "expect", "message", "rows_read", "accepted", "rejected", "skipped"}


def _case(name: str) -> dict:
    case = tomllib.loads((CORPUS / name / "case.toml").read_text(encoding="utf-8"))
    assert set(case) <= ALLOWED_KEYS, f"unknown keys in {name}/case.toml: {set(case) - ALLOWED_KEYS}"
    assert case["expect"] in ("imports", "refused")
    return case


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _workspace(tmp_path: Path, case: dict):
    lines = ["[import]"]
    if case.get("estate"):
        lines.append(f"estate = {_toml_string(case['estate'])}")
    if case.get("columns"):
        lines.append("[import.columns]")
        lines += [f"{field} = {_toml_string(header)}" for field, header in case["columns"].items()]
    config = tmp_path / "feedun.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = load_settings(config)
    store = Store.open(f"sqlite:///{tmp_path}/feedun.db")
    return settings, store


def _input(name: str, tmp_path: Path) -> Path:
    found = sorted((CORPUS / name).glob("input.*"))
    assert len(found) == 1, f"{name}: expected exactly one input.* file, found {found}"
    target = tmp_path / "ledger" / found[0].name  # a copy: nothing is written beside the corpus
    target.parent.mkdir()
    shutil.copyfile(found[0], target)
    return target


def _expected_debtors(name: str) -> list[tuple[str, str, str, str, int]]:
    with (CORPUS / name / "expected_debtors.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [(r["estate"], r["room"], r["owner"], r["phones"], int(r["outstanding_fen"])) for r in rows]


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 16
    for name in CASES:
        folder = CORPUS / name
        assert (folder / "SOURCE.md").is_file(), name
        if _case(name)["expect"] == "imports":
            assert (folder / "expected_debtors.csv").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_erp_layout(name: str, tmp_path: Path) -> None:
    case = _case(name)
    as_of = date.fromisoformat(case["as_of"])
    settings, store = _workspace(tmp_path, case)
    path = _input(name, tmp_path)
    try:
        if case["expect"] == "refused":
            with pytest.raises(FeedunError) as raised:
                import_file(path, settings, store=store, as_of=as_of)
            assert case["message"] in raised.value.message
            return

        result = import_file(path, settings, store=store, as_of=as_of)
        counts = (result.rows_read, result.accepted, result.rejected, result.skipped)
        assert result.rows_read == result.accepted + result.rejected + result.skipped
        assert counts == (case["rows_read"], case["accepted"], case["rejected"], case["skipped"]), \
            f"(rows_read, accepted, rejected, skipped); skipped: {result.skipped_detail}; warnings: {result.warnings}"

        got = [(d.estate, d.room, d.owner, ",".join(d.phones), d.outstanding)
               for d in list_debtors(store, settings, as_of=as_of)]
        assert got == _expected_debtors(name)
        lines = parse_ledger(path, settings, as_of=as_of).result.lines
        rows = [list(lines.columns), *[["" if v is None or v != v else str(v) for v in row]
                                       for row in lines.itertuples(index=False)]]
        expected = CORPUS / name / "expected_lines.csv"  # every stored line; UPDATE_GOLDEN=1 rewrites, then review
        if os.environ.get("UPDATE_GOLDEN"):
            with expected.open("w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, lineterminator="\n").writerows(rows)
        with expected.open(encoding="utf-8", newline="") as fh:
            assert rows == list(csv.reader(fh))
    finally:
        store.close()
