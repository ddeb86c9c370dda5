"""The vectorised fast path (intake/fast.py) and the careful per-value normalisers (intake/values.py) agree.

Corpus: every cell of every golden input (as the normaliser sees it: read by feedun, stripped), the fuzz seeds
and dictionary (fuzz/), and generated tricky spellings (full-width digits, spaces, +86 / 0086, landlines, dashes,
Excel's 1.2E+10, 2026年11月 / 2026/11 / 202611, ￥, thousands separators, negatives, brackets, 元...), plus
hypothesis-drawn text. For every value and every recogniser: when the fast path claims a value, its result equals
the careful one's, cell by cell; and the fast path must claim a sizeable share (it is not a no-op).
At the pipeline level, each golden ledger normalises to the same lines, rejects and counts with the fast path
switched off.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from feedun.config import Settings
from feedun.intake import fast, normalize
from feedun.intake import values as v
from feedun.intake.importer import parse_ledger
from feedun.intake.read import open_sheets

pytestmark = pytest.mark.no_store  # pure functions

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_INPUTS = sorted(p for p in GOLDEN.rglob("input.*") if p.suffix in (".csv", ".xlsx", ".xls"))


def _golden_cells() -> list[str]:
    cells: set[str] = set()
    for path in GOLDEN_INPUTS:
        for sheet in open_sheets(path):
            frame = normalize.strip_cells(sheet.frame())
            for col in frame.columns:
                cells.update(c for c in frame[col].dropna().tolist())
    return sorted(cells)


def _fuzz_cells() -> list[str]:
    cells = [p.read_text(encoding="utf-8", errors="replace") for p in sorted((ROOT / "fuzz" / "seeds").iterdir())]
    for line in (ROOT / "fuzz" / "values.dict").read_text(encoding="utf-8").splitlines():
        if line.startswith('"') and line.endswith('"'):
            cells.append(line[1:-1].encode("latin-1").decode("unicode_escape").encode("latin-1").decode(
                "utf-8", errors="replace"))
    return cells


def _generated_cells(seed: int = 18, count: int = 6000) -> list[str]:
    """Tricky spellings around the shapes the fast path claims, and shapes it must leave alone."""
    rng = random.Random(seed)
    fixed = [
        "13812345678", "13812345678/13912345678", "13812345678,13912345678", "13812345678，13912345678",
        "13812345678；13912345678", "13812345678、13912345678", "13812345678|13912345678", "13812345678//13912345678",
        "13812345678 / 13912345678", "13812345678/13812345678", "138 1234 5678", "+8613812345678", "008613812345678",
        "+86 138 1234 5678", "8613812345678", "013812345678", "１３８１２３４５６７８", "13812345678 ", " 13812345678",
        "138-1234-5678", "0571-88123456", "057188123456", "(0571)88123456", "0571-88123456-8001", "12345678901",
        "10012345678", "11012345678", "17951234567", "1795112345678", "14012345678", "19212345678", "1381234567",
        "138123456789", "13812345678（父亲）", "张先生13812345678", "空号", "无", "—", "-", "/", "--",
        "1234.50", "1234.5", "1234", "0", "0.00", "-0", "-0.5", "-1234.56", "(12.00)", "（12.00）", "1,234.50",
        "1，234.50", "¥1234.5", "￥1234.50", "1234.5元", "人民币1234", "RMB 12", "1.2E+10", "1.2e+10", "1E3",
        "12.345", "12.005", "1.005", "0.125", "99999999999.99", "100000000000", "999999999999", "0001234.5",
        "+12.5", ".5", "5.", "1 234.50", "１２３４．５", "12.50分", "NaN", "Infinity", "-Infinity", "36372380.670000002",
        "2026-11", "2026-1", "2026/11", "2026/1", "2026.11", "2026年11月", "2026年1月", "2026年11月份", "2026 年 11 月",
        "202611", "202613", "2026-13", "2026-00", "1989-12", "2101-01", "2100-12", "1990-01", "20261", "46341",
        "46341.5", "2026-11-15", "2026-11-15 00:00:00", "2026-11-15 08:30:00", "2026-11-15T00:00:00", "2026/11/15",
        "2026年11月15日", "20261115", "2026-02-29", "2024-02-29", "2000-02-29", "1900-02-28", "2026-02-30",
        "2026-04-31", "2026-11-31", "2026-11-00", "2026-01至2026-03", "2026.01-2026.03", "2026-03至2026-01",
        "２０２６－１１", "2026—11", "89.5", "89.50㎡", "120", "1e3", "0.1", "3.14159265358979323846", "1e400",
        "-5", "12.", "1" * 12, "1" * 13 + ".5", "9" * 13, "-" + "9" * 13, "9" * 14,
    ]
    digits = "0123456789"
    out = list(fixed)
    for _ in range(count):
        kind = rng.randrange(7)
        if kind == 0:  # mobiles, valid blocks or not
            out.append("1" + rng.choice("0123456789") + "".join(rng.choices(digits, k=rng.choice([9, 9, 9, 8, 10]))))
        elif kind == 1:  # two mobiles and a separator
            a, b = ("1" + rng.choice("3456789") + "".join(rng.choices(digits, k=9)) for _ in range(2))
            out.append(a + rng.choice([",", "/", "、", "|", ";", "，", "；", "／", "//", " ", "-", "\\"]) + b)
        elif kind == 2:  # amounts
            whole = str(rng.randrange(10 ** rng.randrange(1, 14)))
            frac = "".join(rng.choices(digits, k=rng.choice([0, 0, 1, 2, 2, 3])))
            text = whole + ("." + frac if frac else "")
            out.append(rng.choice(["", "", "-", "+", "¥", "("]) + text + rng.choice(["", "", "元", ")"]))
        elif kind == 3:  # months
            year, month = rng.randrange(1985, 2106), rng.randrange(0, 14)
            sep = rng.choice(["-", "/", ".", "年", ""])
            mm = f"{month:02d}" if sep == "" or rng.random() < 0.5 else str(month)
            out.append(f"{year}{sep}{mm}" + ("月" if sep == "年" and rng.random() < 0.8 else ""))
        elif kind == 4:  # ISO dates, real or not
            year, month, day = rng.randrange(1985, 2106), rng.randrange(0, 14), rng.randrange(0, 33)
            out.append(f"{year:04d}-{month:02d}-{day:02d}" + rng.choice(["", " 00:00:00", " 12:00:00"]))
        elif kind == 5:  # Excel floats
            out.append(repr(rng.uniform(0, 10 ** rng.randrange(1, 16))))
        else:  # areas
            out.append(f"{rng.randrange(20, 400)}.{rng.randrange(0, 100):02d}" + rng.choice(["", "", "㎡", "m2"]))
    return out


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    cells = {*_golden_cells(), *_fuzz_cells(), *_generated_cells()}
    return sorted(c.strip() for c in cells if c.strip())


def _careful(fn, text):
    try:
        return fn(text)
    except ValueError:
        return ValueError


def _careful_month(text: str) -> str:
    period = v.parse_period(text)
    return period[0] if period is not None and period[1] is None else "a range, or blank"


def _careful_mobiles(text: str) -> str:
    cell = v.parse_phone_cell(text)
    return ",".join(cell.valid) if not cell.invalid and not cell.notes else "not only valid numbers"


CHECKS = {  # recogniser -> the careful normaliser its values must equal
    "amounts(yuan)": (lambda u: fast.amounts(u, "yuan"), lambda t: v.parse_amount(t, "yuan")),
    "amounts(fen)": (lambda u: fast.amounts(u, "fen"), lambda t: v.parse_amount(t, "fen")),
    "areas": (fast.areas, v.parse_area),
    "dates": (fast.dates, v.parse_date),
    "months": (fast.months, _careful_month),
    "mobiles": (fast.mobiles, _careful_mobiles),
}


def _agree(texts: list[str]) -> dict[str, int]:
    """Every recogniser over `texts`: its claimed values against the careful path's, cell by cell.
    Returns how many texts each recogniser claimed."""
    claimed: dict[str, int] = {}
    array = np.array(texts, dtype=object)
    for name, (quick, careful) in CHECKS.items():
        values, ok = quick(array)
        assert len(values) == len(ok) == len(texts)
        mismatches = []
        for text, value in zip(array[ok], values[ok], strict=True):
            value = value.item() if isinstance(value, np.generic) else value  # as _apply stores it
            expected = _careful(careful, text)
            if expected is ValueError or expected != value or type(expected) is not type(value):
                mismatches.append((text, value, expected))
        assert not mismatches, f"{name}: fast and careful paths differ on {mismatches[:10]}"
        claimed[name] = int(ok.sum())
    return claimed


def test_fast_and_careful_paths_agree_on_every_value(corpus: list[str]) -> None:
    claimed = _agree(corpus)
    assert len(corpus) > 6000
    # Not a no-op: every recogniser claims a good share of what it is for.
    assert claimed["amounts(yuan)"] > 1500, claimed
    assert claimed["mobiles"] > 500, claimed
    assert claimed["months"] > 400, claimed
    assert claimed["dates"] > 300, claimed
    assert claimed["areas"] > 500, claimed
    assert sum(claimed.values()) > len(corpus) // 2, claimed


def test_golden_cells_are_mostly_claimed() -> None:
    cells = _golden_cells()
    claimed = _agree(cells)
    assert sum(claimed.values()) >= len(cells) // 4, (claimed, len(cells))


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("0123456789０１-./年月+ ,，、/|E元¥()13"), min_size=1, max_size=16),
                min_size=1, max_size=20))
def test_fast_and_careful_paths_agree_on_drawn_text(texts: list[str]) -> None:
    _agree([t.strip() for t in texts if t.strip()] or ["0"])


def test_mobile_blocks_match_phonenumbers_parse() -> None:
    """_mobile_block_valid (no parse) against _mobile_prefix_valid (parse, then validate) on every 4-digit start
    1[3-9]dd with random tails, and the blocks of the generated corpus."""
    rng = random.Random(7)
    blocks = {f"1{a}{b:02d}{rng.randrange(1000):03d}" for a in "3456789" for b in range(100) for _ in range(2)}
    blocks |= {c[:7] for c in _generated_cells() if len(c) == 11 and c.isdigit() and c[1] in "3456789"}
    blocks_list = sorted(blocks)
    careful = [v._mobile_prefix_valid(b) for b in blocks_list]
    differ = [b for b, ok in zip(blocks_list, careful, strict=True) if v._mobile_block_valid(b) != ok]
    assert not differ, differ[:20]
    vectorised = fast.mobile_blocks_valid(blocks_list).tolist()
    differ = [b for b, ok, quick in zip(blocks_list, careful, vectorised, strict=True) if quick != ok]
    assert not differ, differ[:20]
    assert 0 < sum(careful) < len(careful)  # both kinds of block are in the sample


def _no_fast(texts):
    return np.full(len(texts), None, dtype=object), np.zeros(len(texts), dtype=bool)


LEDGERS = [p for p in GOLDEN_INPUTS if p.parent.name != "sms"]


@pytest.mark.parametrize("path", LEDGERS, ids=lambda p: p.parent.name)
def test_golden_ledgers_normalise_the_same_without_the_fast_path(path: Path, monkeypatch) -> None:
    settings = Settings(workspace=path.parent)

    def parsed():
        try:
            result = parse_ledger(path, settings, estate="测试小区").result
        except Exception as exc:  # a refused case must be refused the same way
            return repr(exc)
        return (result.lines.to_dict("list"), [(r.row, r.reason) for r in result.rejects], result.skipped,
                result.rows_read, result.accepted, result.warnings)

    with_fast = parsed()
    for name in ("amounts", "areas", "dates", "months", "mobiles"):
        monkeypatch.setattr(fast, name, lambda *args, **kwargs: _no_fast(args[0]))
    without = parsed()
    assert with_fast == without
