"""Pure normalisers: one messy cell in, one clean value out, or ValueError with a Chinese reason.

They are applied once per distinct cell value (see normalize.py), so they may be plain Python.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
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
    return room_of_parts(part_token(building), part_token(unit), clean_text(room), clean_text(estate))


def room_of_parts(building: str, unit: str, room: str, estate: str) -> str:
    """canonical_room of cells already reduced: building and unit as part_token gives them, room and estate as
    clean_text does. A ledger repeats each building, unit and room cell across many rooms, so the importer
    reduces each distinct cell once and calls this once per room (intake/normalize.py _rooms).

    >>> room_of_parts("8", "2", "1201室", "阳光花园"), room_of_parts("8", "", "阳光花园-8栋-1201", "阳光花园")
    ('8-2-1201', '8-1201')
    """
    if estate and room.startswith(estate) and len(room) > len(estate):
        room = room[len(estate):]
    tokens = room_tokens(room)
    if not tokens:
        return ""
    if len(tokens) >= 2:
        return "-".join(tokens)
    return "-".join([*(p for p in (building, unit) if p), tokens[0]])


# ---- phones ---------------------------------------------------------------------------------------

_PHONE_SPLIT = re.compile(r"[,，;；/、|]+")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")


@lru_cache(maxsize=8192)
def _mobile_prefix_valid(prefix7: str) -> bool:
    """Validity of a Chinese mobile number depends on its first digits; ask phonenumbers once per block."""
    import phonenumbers

    return phonenumbers.is_valid_number(phonenumbers.parse(prefix7 + "0000", "CN"))


@lru_cache(maxsize=65536)
def _mobile_block_valid(prefix7: str) -> bool:
    """_mobile_prefix_valid without phonenumbers.parse, for the vectorised path (intake/fast.py), where tens of
    thousands of distinct blocks are common: 14 µs a block instead of 64.

    The same answer for every block '1[3-9]ddddd': parse('1xxxxxxxxxx', 'CN') has no '+' or 00 to strip, and the
    only national prefix China strips from such a number (a '179xx' carrier code) is kept when the six digits
    after it could not be a number, which six digits never are. tests/intake/test_fast_path.py compares them.
    """
    import phonenumbers

    return phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=86, national_number=int(prefix7 + "0000")))


def _one_phone(raw: str) -> str | None:
    digits = _PHONE_NOISE.sub("", raw)
    country = re.match(r"\+86|0086", digits)
    digits = re.sub(r"^(\+86|0086|\+)", "", digits)
    if country and digits[:1] not in ("0", "1"):  # '+86 571 88123456' drops the area code's trunk 0
        digits = "0" + digits
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


def _phone_with_extension(part: str) -> tuple[str, str] | None:
    """'0571-88123456' -> ('0571-88123456', ''); '0571-88123456-8001' -> ('0571-88123456', '8001').

    A trailing '-digits' is an extension only after a valid landline: '138-1234-5678' is one mobile.
    """
    number = _one_phone(part)
    if number is not None:
        return number, ""
    if m := re.fullmatch(r"(.*\d)-(\d{1,6})", part):
        number = _one_phone(m[1])
        if number is not None and number.startswith("0"):
            return number, m[2]
    return None


@dataclass(frozen=True, slots=True)
class PhoneCell:
    """One phone cell, parsed: valid numbers, pieces that are not numbers, and remarks worth keeping.

    valid: mobiles as 11 digits, landlines as '0571-88123456', without duplicates.
    invalid: what looked like a phone but is not one ('12345', '空号'), kept so nothing is silently lost.
    notes: extensions and who a number belongs to ('0571-88123456 转 8001', '13812345678（父亲）').
    """

    valid: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# Words that only say "this is a phone number"; stripped from the edges of a remark.
_PHONE_LABELS = (r"(?:手机号码|手机号|手机|移动电话|联系电话|联系方式|联系人|电话号码|电话|座机号码|座机号|座机"
                 r"|固定电话|固话|号码|tel|mobile|mob|phone)")
_PHONE_LABEL_EDGE = re.compile(rf"^{_PHONE_LABELS}+|{_PHONE_LABELS}+$", re.IGNORECASE)
_PHONE_PUNCT = " :()[]【】<>《》-—–_.,;、|/\\\"'“”‘’?？!！*#"
_PHONE_SELF = {"本人", "业主", "业主本人", "户主", "自己"}  # the owner's own number: nothing to remark
_PHONE_BLANK = {"", "无", "暂无", "没有", "无号码", "未知", "不详", "空", "待补充", "null", "none", "nan", "n/a", "na"}
_PHONE_DEAD = re.compile(r"(?:已|是)?(?:空号|停机|停用|销号|错号)|号码(?:错误|有误|无效|不存在)|(?:错误|无效)号码")
_PHONE_TOKEN = re.compile(
    r"(?P<sep>[,;/、|]+)"
    r"|(?P<note>\([^()\d]*\))"  # '(本人)', '(父亲)': brackets without digits annotate a number
    r"|(?P<run>\+?(?:\((?=\d))?\d(?:[\d \-]|\((?=\d)|(?<=\d)\))*)"  # '+86 138 1234 5678', '(0571)88123456'
    r"(?:\s*(?:转分机|转|分机|ext\.?|x)\s*(?P<ext>\d{1,6})(?!\d))?"  # '0571-88123456转8001'
    r"|(?P<text>[^,;/、|()\d+]+|.)",
    re.IGNORECASE,
)


def _phone_remark(text: str) -> tuple[str, str]:
    """What a bit of text next to a number is: ('drop' | 'blank' | 'dead' | 'note', the remark itself)."""
    s = text.strip(_PHONE_PUNCT)
    if _PHONE_DEAD.fullmatch(s):
        return "dead", s
    if s.lower() in _PHONE_BLANK:
        return "blank", s
    while (stripped := _PHONE_LABEL_EDGE.sub("", s).strip(_PHONE_PUNCT)) != s:
        s = stripped
    if _PHONE_DEAD.fullmatch(s):
        return "dead", s
    if s.lower() in _PHONE_BLANK or s in _PHONE_SELF:
        return ("drop" if s in _PHONE_SELF or not s else "blank"), s
    return "note", s


class _Number:
    __slots__ = ("dead", "ext", "number", "raw", "remarks")

    def __init__(self, raw: str, found: tuple[str, str] | None) -> None:
        self.raw = raw
        self.number, self.ext = found if found is not None else (None, "")
        self.remarks: list[str] = []
        self.dead = False


def _phone_items(s: str) -> list[list[tuple[_Number | str, bool, bool, bool]]]:
    """The cell as pieces (between separators) of items: (a number or a text, bracketed, glued left, glued right).

    Glued means no space between the item and its neighbour: '张先生13812345678' belongs together.
    """
    pieces: list[list[tuple[_Number | str, bool, bool, bool]]] = [[]]
    for m in _PHONE_TOKEN.finditer(s):
        if m["sep"]:
            pieces.append([])
            continue
        left = m.start() > 0 and not s[m.start() - 1].isspace() and not m[0][0].isspace()
        right = m.end() < len(s) and not s[m.end()].isspace() and not m[0][-1].isspace()
        if m["run"]:
            run = m["run"].rstrip(" -")
            right = right and run == m["run"]
            whole = _phone_with_extension(run)
            parts = [(run, whole)] if whole is not None else [
                (p, _phone_with_extension(p)) for p in _spaced_numbers(run) if re.search(r"\d", p)]
            for i, (raw, found) in enumerate(parts):
                number = _Number(raw, found)
                if m["ext"] and i == len(parts) - 1:
                    if number.number is not None and not number.ext:
                        number.ext = m["ext"]
                    else:  # an extension after something that is no number: keep it with that something
                        number.raw = m[0].strip()
                pieces[-1].append((number, False, left and i == 0, right and i == len(parts) - 1))
        elif m["note"]:
            pieces[-1].append((m["note"][1:-1], True, left, right))
        elif (pieces[-1] and isinstance(pieces[-1][-1][0], str) and not pieces[-1][-1][1]
              and pieces[-1][-1][3]):  # glue consecutive text together ('(' then '本人')
            text, _, glued_left, _ = pieces[-1][-1]
            pieces[-1][-1] = (text + m[0], False, glued_left, right)
        else:
            pieces[-1].append((m[0], False, left, right))
    return pieces


@lru_cache(maxsize=65536)
def parse_phone_cell(text: str | None) -> PhoneCell:
    """A phone cell as valid numbers, invalid pieces and notes.

    Numbers: mobiles as 11 digits, landlines as '0571-88123456'; '+86', '0086', brackets, dashes and spaces go.
        '+86-571-88123456', '+86 571 8812 3456', '(0571)88123456', '0571 88123456' -> valid ('0571-88123456',)
    Extensions are notes, so the caller can keep them in the remark:
        '0571-88123456-8001', '0571-88123456转8001' -> valid ('0571-88123456',), notes ('0571-88123456 转 8001',)
    Words next to a number are no invalid phone. Labels ('手机', '座机', '电话:') and '本人' are dropped; anything
    else is who the number belongs to and becomes a note:
        '手机：13812345678；座机：0571-88123456' -> valid ('13812345678', '0571-88123456')
        '13812345678（本人）', '13812345678 本人' -> valid ('13812345678',), no notes
        '13812345678（父亲）', '父亲13812345678' -> valid ('13812345678',), notes ('13812345678（父亲）',)
        '张先生 13812345678' -> valid ('13812345678',), notes ('13812345678（张先生）',)
    A remark attaches to the number it is glued to, else to the number before it when the piece starts with a
    number ('13812345678 父亲 13912345678 母亲'), else to the number after it ('手机 138… 座机 0571…').
    Blank markers are neither valid nor invalid: '无', '暂无', '-', '/', '不详' -> all empty.
    A dead number is invalid, with the reason: '空号' -> invalid ('空号',); '13812345678（空号）' -> no valid
    number, invalid ('13812345678（空号）',). Digits that are no number stay invalid: '1381234567', '12345'.
    Text with no number at all is invalid ('请联系物业'), unless the cell has a valid number it can annotate.
    """
    s = clean_text(text).replace("—", "-").replace("–", "-")
    if not s or _phone_remark(s)[0] == "blank":
        return PhoneCell()
    whole = _phone_with_extension(s)  # '0571 8812 3456' is one number, not three
    if whole is not None:
        number, ext = whole
        return PhoneCell((number,), (), (f"{number} 转 {ext}",) if ext else ())
    pieces = _phone_items(s)
    invalid: list[str] = []
    orphans: list[tuple[int, str]] = []  # remarks in a piece without numbers: (piece index, text)
    for index, items in enumerate(pieces):
        numbers = [i for i, (item, *_) in enumerate(items) if isinstance(item, _Number)]
        numbers_first = bool(items) and isinstance(items[0][0], _Number)
        for i, (item, bracketed, glued_left, glued_right) in enumerate(items):
            if isinstance(item, _Number):
                continue
            before = [n for n in numbers if n < i]
            after = [n for n in numbers if n > i]
            glued_after = glued_right and after and after[0] == i + 1
            glued_before = glued_left and before and before[-1] == i - 1
            if not numbers:
                orphans.append((index, item))
                continue
            if glued_after and not (bracketed or glued_before):
                target = after[0]
            elif bracketed or glued_before or not after or (numbers_first and before):
                target = before[-1] if before else after[0]
            else:
                target = after[0]
            kind, remark = _phone_remark(item)
            owner = items[target][0]
            assert isinstance(owner, _Number)
            if kind == "dead":
                owner.dead = True
                owner.remarks.append(remark)
            elif kind == "note":
                owner.remarks.append(remark)
    valid_numbers = [item for items in pieces for item, *_ in items
                     if isinstance(item, _Number) and item.number is not None and not item.dead]
    for index, text_ in orphans:
        kind, remark = _phone_remark(text_)
        if kind == "dead":
            invalid.append(remark)
        elif kind == "note":
            earlier = [n for n in valid_numbers if _piece_of(pieces, n) < index]
            if earlier or valid_numbers:  # '13812345678；父亲': the number before, else the first one after
                (earlier[-1] if earlier else valid_numbers[0]).remarks.append(remark)
            else:
                invalid.append(text_.strip(_PHONE_PUNCT))
    valid: list[str] = []
    notes: list[str] = []
    for items in pieces:
        for item, *_ in items:
            if not isinstance(item, _Number):
                continue
            remark = f"（{'，'.join(dict.fromkeys(item.remarks))}）" if item.remarks else ""
            if item.number is None or item.dead:
                invalid.append(f"{item.raw if item.number is None else item.number}{remark}")
                continue
            if item.number not in valid:
                valid.append(item.number)
            if item.ext or remark:
                notes.append(f"{item.number}{f' 转 {item.ext}' if item.ext else ''}{remark}")
    return PhoneCell(tuple(valid), tuple(dict.fromkeys(invalid)), tuple(dict.fromkeys(notes)))


def _piece_of(pieces: list[list[tuple[_Number | str, bool, bool, bool]]], number: _Number) -> int:
    return next(i for i, items in enumerate(pieces) if any(item is number for item, *_ in items))


@lru_cache(maxsize=65536)
def parse_phones(text: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Valid numbers (mobiles as 11 digits, landlines as 0571-88123456) and the pieces that are not.

    parse_phone_cell without its notes: '0571-88123456转8001' -> (('0571-88123456',), ()).
    """
    cell = parse_phone_cell(text)
    return cell.valid, cell.invalid


# ---- owner cells ----------------------------------------------------------------------------------

_OWNER_RUN = re.compile(r"\+?(?:\((?=\d))?\d(?:[\d \-]|\((?=\d)|(?<=\d)\))*")
_OWNER_EXT = re.compile(r"\s*(?:转分机|转|分机|ext\.?|x)\s*\d|-\d", re.IGNORECASE)
_OWNER_LABEL = re.compile(rf"(?:{_PHONE_LABELS})\s*:?\s*$", re.IGNORECASE)
_OWNER_EMPTY_BRACKETS = re.compile(rf"\(\s*(?:{_PHONE_LABELS}|[:\s,;/、|-])*\)", re.IGNORECASE)


_NO_PHONE = re.compile(r"[(（]\s*(?:null|none|nan|无|-)?\s*[)）]\s*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def split_owner_cell(text: str | None) -> tuple[str, tuple[str, ...]]:
    """An owner cell that also holds phone numbers, as (name, valid numbers).

    '张伟(13812345678)', '张伟 13812345678', '张伟 电话:13812345678' -> ('张伟', ('13812345678',))
    '张伟/李娜 13812345678' -> ('张伟/李娜', ('13812345678',)); '张伟' -> ('张伟', ())
    '李四()', '王强(null)' -> ('李四', ()), ('王强', ()): an export's empty phone, not part of the name.
    '深圳市2号商贸有限公司' -> ('深圳市2号商贸有限公司', ()): digits that are no valid number stay in the name,
    and so does a number with an extension ('0571-88123456转8001'), which has nowhere else to go.
    The name is clean_text'd; None -> ('', ()).
    """
    s = clean_text(text)
    phones: list[str] = []
    out: list[str] = []
    last = 0
    for m in _OWNER_RUN.finditer(s):
        run = m[0].rstrip(" -")
        while run.endswith(")") and run.count(")") > run.count("("):  # '张伟(电话:13812345678)'
            run = run[:-1].rstrip(" -")
        end = m.start() + len(run)
        if _OWNER_EXT.match(s, end):
            continue
        whole = _one_phone(run)
        parts = [run] if whole is not None else _spaced_numbers(run)
        found = [_one_phone(p) for p in parts]
        if not any(found):
            continue
        before = s[last:m.start()]
        if out or before:
            out.append(_OWNER_LABEL.sub("", before))
        out.append(" ".join(p for p, number in zip(parts, found, strict=True) if number is None))
        phones.extend(n for n in found if n is not None and n not in phones)
        last = end
    if not phones:
        # '李四()', '王强(null)': an export that printed the owner's missing phone; the name alone
        return _NO_PHONE.sub("", s).strip(), ()
    name = "".join(out) + s[last:]
    name = _OWNER_EMPTY_BRACKETS.sub(" ", name)
    name = re.sub(r"\s*([,;/、|])(?:\s*[,;/、|])*\s*", r"\1", name)
    name = clean_text(name).strip(" ,;/、|:-")
    return name, tuple(phones)
