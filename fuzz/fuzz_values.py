"""atheris fuzz target for the cell normalisers (src/feedun/intake/values.py).

Every input is one cell's text, given to every normaliser. Property: each returns a value of its documented
shape, or raises ValueError with a reason (the importer turns that into a rejected row). Anything else (another
exception type, an amount over the limit, an infinite area, a year out of range, a malformed period or phone) is
a crash. Not part of the test suite or CI; see fuzz/README.md.
"""

from __future__ import annotations

import math
import re
import sys

import atheris

with atheris.instrument_imports():
    from feedun.intake import values as v

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
PHONE = re.compile(r"1\d{10}|0\d{2,3}-\d{5,8}|[48]00-\d{7}")  # mobile, landline, or a 400/800 service number


def _value_or_reason(fn, *args):
    try:
        return fn(*args)
    except ValueError as exc:
        assert str(exc), "a ValueError must carry a reason"
        return None


def check(text: str) -> None:
    cleaned = v.clean_text(text)
    assert v.clean_text(cleaned) == cleaned
    for unit in ("yuan", "fen"):
        fen = _value_or_reason(v.parse_amount, text, unit)
        assert fen is None or (type(fen) is int and abs(fen) < 10**13), fen
    area = _value_or_reason(v.parse_area, text)
    assert area is None or (math.isfinite(area) and area >= 0), area
    day = _value_or_reason(v.parse_date, text)
    assert day is None or v.MIN_YEAR <= day.year <= v.MAX_YEAR, day
    period = _value_or_reason(v.parse_period, text)
    if period is not None:
        start, end = period
        assert MONTH.fullmatch(start) and (end is None or (MONTH.fullmatch(end) and end > start)), period
    valid, invalid = v.parse_phones(text)
    assert all(PHONE.fullmatch(n) for n in valid), valid
    assert all(isinstance(piece, str) for piece in invalid)
    assert all(isinstance(t, str) and t for t in v.room_tokens(text))
    assert isinstance(v.part_token(text), str)
    building, unit, room, estate = [*text.split("\t"), "", "", ""][:4]
    assert isinstance(v.canonical_room(building, unit, room, estate), str)


def TestOneInput(data: bytes) -> None:
    check(data.decode("utf-8", errors="replace"))


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
