"""What people type for numbers: letter numbers without the exact brackets, and dates the way they write them.

Pure text → value functions; the callers say which option or column the text came from and refuse it in their own
words when it is not recognised.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable
from datetime import date

# The default numbering of letters; feedun.toml [letters] dunning_number / lawyer_number may replace them (the same
# defaults as config.LetterSettings and store/letters.py, DEFAULT_FORMAT; tests/core/test_numbers.py keeps them equal).
DEFAULT_LETTER_FORMATS = ("催字〔{year}〕第{seq:04d}号", "律字〔{year}〕第{seq:04d}号")

# Brackets people use around the year instead of 〔〕: [] ［］ () （） 【】 〈〉 《》 {} ｛｝ 〖〗
_BRACKETS = "〔〕[]［］()（）【】〈〉《》{}｛｝〖〗"
_BRACKET = "[" + re.escape(_BRACKETS) + "]?"
_OPTIONAL = frozenset("第号")  # often left out when typed


def _loose(fmt: str) -> re.Pattern[str]:
    """A letter-number format as a forgiving pattern: any bracket or none, 第/号 optional, spaces anywhere, the
    sequence with or without its leading zeros."""
    parts = [r"\s*"]
    for literal, field, _spec, _conv in string.Formatter().parse(fmt):
        for char in literal:
            if char in _BRACKETS:
                parts.append(_BRACKET)
            elif char in _OPTIONAL:
                parts.append(re.escape(char) + "?")
            elif char.isspace():
                continue
            else:
                parts.append(re.escape(unicodedata.normalize("NFKC", char)))
            parts.append(r"\s*")
        if field == "year":
            parts.append(r"(?P<year>\d{4})\s*")
        elif field == "seq":
            parts.append(r"(?P<seq>\d{1,9})\s*")
        elif field is not None:  # config refuses any other field; a stray one matches nothing
            return re.compile(r"(?!)")
    return re.compile("".join(parts))


def canonical_letter_number(text: str, formats: Iterable[str] = DEFAULT_LETTER_FORMATS) -> str:
    """'催字2026第1号', '催字[2026]第0001号', '催字〔2026〕第1号' -> '催字〔2026〕第0001号' (the number as the register
    holds it); text that fits none of `formats` comes back as typed (stripped), so a lookup says it is unknown."""
    typed = text.strip()
    normal = unicodedata.normalize("NFKC", typed)  # full-width digits and brackets as their plain forms
    for fmt in formats:
        found = _loose(fmt).fullmatch(normal)
        if found is None:
            continue
        fields = found.groupdict()
        year = int(fields["year"]) if fields.get("year") else None
        seq = int(fields["seq"])
        return fmt.format(seq=seq, **({"year": year} if year is not None else {}))
    return typed


# --- dates -------------------------------------------------------------------------------------------------------

_FULL = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?)")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")

DATE_FORMS = "2026-12-20、2026/12/20、2026.12.20、2026年12月20日、20261220 或 12月20日"


def parse_day(text: str, *, today: date, forward: bool = False) -> date | None:
    """A date as people write it, or None when `text` is none (or no real day, like 2026-13-45).

    2026-12-20, 2026/12/20, 2026.12.20, 2026年12月20日 (or 号), 20261220; 12月20日 without a year is in `today`'s
    year, or, when `forward` (a date that can only lie ahead, like a promised payment or a callback) and that day
    has passed, in the next year.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    try:
        if m := _FULL.fullmatch(s):
            return date(int(m[1]), int(m[2] or m[4]), int(m[3] or m[5]))
        if m := _COMPACT.fullmatch(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MONTH_DAY.fullmatch(s):
            day = date(today.year, int(m[1]), int(m[2]))
            if forward and day < today:
                day = date(today.year + 1, day.month, day.day)
            return day
    except ValueError:  # a month or day that does not exist
        return None
    return None
