"""Pure normalisers: one messy cell in, one clean value out, or ValueError with a Chinese reason.

They are applied once per distinct cell value (see normalize.py), so they may be plain Python.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 1990, 2100


def clean_text(text: str | None) -> str:
    """Full-width to half-width, collapsed spaces; None -> ''."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text))).strip()


# ---- money -------------------------------------------------------------------------------------

_MONEY_NOISE = re.compile(r"[¥￥,，\s]|人民币|RMB|CNY|元$", re.IGNORECASE)
_DASHES = {"-", "--", "—", "——", "－", "/"}


def parse_amount(text: str | None, unit: str = "yuan") -> int | None:
    """Money as integer fen. '1,234.50', '¥1234.5', '1234.5元', '(12.00)' -> 123450 ...; '' -> None.

    Spreadsheet numbers arrive as their shortest decimal text, so Decimal rounding to the fen is exact.
    """
    s = clean_text(text)
    if not s:
        return None
    if s in _DASHES:
        return 0
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    s = _MONEY_NOISE.sub("", s)
    if unit == "fen" and s.endswith("分"):
        s = s[:-1]
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"「{clean_text(text)}」不是有效金额") from None
    if not value.is_finite():
        raise ValueError(f"「{clean_text(text)}」不是有效金额")
    too_large = ValueError(f"「{clean_text(text)}」金额过大，不像是一笔物业费")
    if value.copy_abs() >= 10**13:  # before any arithmetic, which overflows the decimal context past 1e999999
        raise too_large
    if negative:
        value = -value
    fen = (value if unit == "fen" else value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if abs(fen) >= 10**13:  # 1000 亿元: a typo, a phone number in the wrong column, or 1e+26
        raise too_large
    return int(fen)


_MAX_FLOAT = Decimal(sys.float_info.max)


def parse_area(text: str | None) -> float | None:
    """Floor area in m² ('89.5', '89.50㎡', '89.5平方米')."""
    s = clean_text(text)
    if not s:
        return None
    s = re.sub(r"(m2|㎡|平方米|平米|平)$", "", s, flags=re.IGNORECASE).replace(",", "").strip()
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(f"面积「{clean_text(text)}」不是有效数字") from None
    if not value.is_finite() or value < 0 or value > _MAX_FLOAT:  # '1e400' is a finite Decimal but no float
        raise ValueError(f"面积「{clean_text(text)}」不是有效数字")
    return float(value)


# ---- dates and periods ---------------------------------------------------------------------------

_YM = re.compile(r"^(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*月?(?:份)?$")
_YMD = re.compile(
    r"^(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_RANGE = re.compile(r"^(.+?)\s*(?:至|到|~|～|—|–|－|\s-\s|(?<=[\d月日])-(?=\d{4}))\s*(.+)$")


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"「{text}」的年份 {year} 不合理")


def _ym(year: int, month: int, text: str) -> str:
    _check_year(year, text)
    if not 1 <= month <= 12:
        raise ValueError(f"「{text}」的月份 {month} 不存在")
    return f"{year:04d}-{month:02d}"


def _ymd(year: int, month: int, day: int, text: str) -> date:
    _ym(year, month, text)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"「{text}」不是存在的日期") from None


def _excel_serial(s: str) -> date | None:
    """Excel day numbers (46341 = 2026-11-15) when a date cell was exported as a plain number."""
    if re.fullmatch(r"\d{5}(?:\.\d+)?", s):
        day = EXCEL_EPOCH + timedelta(days=int(float(s)))
        _check_year(day.year, s)
        return day
    return None


@lru_cache(maxsize=4096)
def parse_date(text: str | None) -> date | None:
    """'2026-11-15', '2026/11/15', '2026年11月15日', '20261115', '2026-11-15 00:00:00', 46341."""
    s = clean_text(text)
    if not s:
        return None
    serial = _excel_serial(s)
    if serial is not None:
        return serial
    if m := _YMD.match(s):
        return _ymd(int(m[1]), int(m[2]), int(m[3]), s)
    if m := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s):
        return _ymd(int(m[1]), int(m[2]), int(m[3]), s)
    raise ValueError(f"「{s}」不是可识别的日期")


def _parse_month(s: str) -> str:
    serial = _excel_serial(s)
    if serial is not None:
        return f"{serial.year:04d}-{serial.month:02d}"
    if m := _YM.match(s):
        return _ym(int(m[1]), int(m[2]), s)
    if m := re.fullmatch(r"(\d{4})(\d{2})", s):
        return _ym(int(m[1]), int(m[2]), s)
    day = parse_date(s)
    assert day is not None
    return f"{day.year:04d}-{day.month:02d}"


@lru_cache(maxsize=4096)
def parse_period(text: str | None) -> tuple[str, str | None] | None:
    """A billing period as (start month, end month or None): '2026-11', '2026年11月', '202611',
    a date, an Excel serial, or a range such as '2026-01至2026-03' / '2026.01-2026.03'."""
    s = clean_text(text)
    if not s:
        return None
    try:
        return _parse_month(s), None
    except ValueError as single_error:
        m = _RANGE.match(s)
        if not m:
            raise ValueError(f"所属期间{single_error}") from None
    start, end = _parse_month(m[1].strip()), _parse_month(m[2].strip())
    if end < start:
        raise ValueError(f"所属期间「{s}」的结束早于开始")
    return start, (end if end != start else None)


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# ---- rooms ----------------------------------------------------------------------------------------

_ROOM_MARKERS = re.compile(r"(号楼|栋|幢|座|楼|单元|#|区(?=\d))")
_ROOM_TAIL = re.compile(r"(室|号|房)$")
_ROOM_SPLIT = re.compile(r"[-_/\\·.、\s]+")


@lru_cache(maxsize=65536)
def room_tokens(text: str | None) -> tuple[str, ...]:
    """'8-2-1201', '8栋2单元1201室', '8幢-1201', '８号楼1201' -> ('8', '2', '1201') / ('8', '1201').

    Building and unit numbers lose leading zeros; the room number keeps its own form.
    """
    s = clean_text(text).upper().replace(" ", "")
    if not s:
        return ()
    s = _ROOM_TAIL.sub("", s)
    s = _ROOM_MARKERS.sub("-", s)
    tokens = [t for t in _ROOM_SPLIT.split(s) if t]
    return tuple([_strip_zeros(t) for t in tokens[:-1]] + tokens[-1:])


def _strip_zeros(token: str) -> str:
    return token.lstrip("0") or "0" if token.isdigit() else token


def part_token(text: str | None) -> str:
    """A building or unit cell ('3栋', '03', '2单元') as its bare token."""
    tokens = room_tokens(text)
    return "-".join(_strip_zeros(t) for t in tokens)


def canonical_room(building: str | None, unit: str | None, room: str | None, estate: str = "") -> str:
    """The canonical '楼栋-单元-房号'. A room cell that already names its building wins;
    a resource name that starts with the estate ('阳光花园-8栋-1201') loses that prefix."""
    text = clean_text(room)
    name = clean_text(estate)
    if name and text.startswith(name) and len(text) > len(name):
        text = text[len(name):]
    tokens = room_tokens(text)
    if not tokens:
        return ""
    if len(tokens) >= 2:
        return "-".join(tokens)
    parts = [p for p in (part_token(building), part_token(unit)) if p]
    return "-".join([*parts, tokens[0]])


# ---- phones ---------------------------------------------------------------------------------------

_PHONE_SPLIT = re.compile(r"[,，;；/、|]+")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")


@lru_cache(maxsize=8192)
def _mobile_prefix_valid(prefix7: str) -> bool:
    """Validity of a Chinese mobile number depends on its first digits; ask phonenumbers once per block."""
    import phonenumbers

    return phonenumbers.is_valid_number(phonenumbers.parse(prefix7 + "0000", "CN"))


def _one_phone(raw: str) -> str | None:
    digits = _PHONE_NOISE.sub("", raw)
    digits = re.sub(r"^(\+86|0086|\+)", "", digits)
    if re.fullmatch(r"861[3-9]\d{9}", digits):
        digits = digits[2:]
    if re.fullmatch(r"01[3-9]\d{9}", digits):  # a mobile dialled from another city; no area code is 01[3-9]
        digits = digits[1:]
    if re.fullmatch(r"1\d{10}", digits):
        return digits if _mobile_prefix_valid(digits[:7]) else None
    if not re.fullmatch(r"0\d{9,11}", digits):
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or number.country_code != 86:  # '0053…' dials Cuba, not 053x
        return None
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    area, _, rest = national.partition(" ")
    return f"{area}-{rest.replace(' ', '')}" if rest else area


@lru_cache(maxsize=65536)
def parse_phones(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Valid numbers (mobiles as 11 digits, landlines as 0571-88123456) and the pieces that are not."""
    s = clean_text(text)
    if not s:
        return (), ()
    whole = _one_phone(s)  # '0571 8812 3456' is one number, not three
    if whole is not None:
        return (whole,), ()
    valid: list[str] = []
    invalid: list[str] = []
    for piece in _PHONE_SPLIT.split(s):
        piece = piece.strip()
        if not piece:
            continue
        number = _one_phone(piece)
        if number is not None:
            found = [number]
        else:  # '13812345678 张先生', '+86 138…' mixed with notes: try the space-separated parts
            found = []
            for part in _spaced_numbers(piece):
                number = _one_phone(part)
                if number is None:
                    invalid.append(part)
                else:
                    found.append(number)
        valid.extend(n for n in found if n not in valid)
    return tuple(valid), tuple(invalid)


def _spaced_numbers(piece: str) -> list[str]:
    """Split a piece on spaces, but keep digit groups that form one number ('138 1234 5678') together."""
    parts: list[str] = []
    for word in piece.split():
        joined = f"{parts[-1]}{word}" if parts else ""
        if parts and re.fullmatch(r"[+\d\-()（）]+", word) and re.fullmatch(r"[+\d\-()（）]+", parts[-1]) \
                and len(re.sub(r"\D", "", joined)) <= 13 and _one_phone(parts[-1]) is None:
            parts[-1] = joined
        else:
            parts.append(word)
    return parts
