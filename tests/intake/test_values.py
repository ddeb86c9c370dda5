"""Pure normalisers in feedun.intake.values, plus the small helpers in feedun.core.periods and feedun.core.money."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedun.core.money import mask_phone, yuan
from feedun.core.periods import add_months, default_due_date, whole_months
from feedun.intake.values import (
    PhoneCell,
    canonical_room,
    clean_text,
    parse_amount,
    parse_date,
    parse_period,
    parse_phone_cell,
    parse_phones,
    part_token,
    room_tokens,
    split_owner_cell,
)

pytestmark = pytest.mark.no_store  # pure functions: run once, whatever the backend

EXCEL_EPOCH = date(1899, 12, 30)
_FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def full_width(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def as_yuan(fen: int, commas: bool = False) -> str:
    """Independent of money.yuan: exact integer formatting of fen as yuan with two decimals."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}" if commas else f"{sign}{whole}.{cents:02d}"


# ---- parse_amount ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,234.50", 123450),
        ("¥1234.5", 123450),
        ("￥1,234.50", 123450),
        ("1234.5元", 123450),
        ("￥1,234.50元", 123450),
        ("人民币 88.8", 8880),
        ("RMB 10", 1000),
        ("３１２．５０", 31250),
        ("１，２３４．５０", 123450),
        ("(12.00)", -1200),
        ("（12.00）", -1200),
        ("-12.5", -1250),
        ("0", 0),
        ("0.01", 1),
        ("12.345", 1235),
        ("12.344", 1234),
        ("  66.6  ", 6660),
        ("300.00000000000006", 30000),
        ("299.99999999999997", 30000),
        ("0.30000000000000004", 30),
        ("99999999999.99", 9_999_999_999_999),
    ],
)
def test_parse_amount_yuan(text, expected):
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["-", "--", "—", "——", "－", "/"])
def test_parse_amount_dash_is_zero(text):
    assert parse_amount(text) == 0


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_parse_amount_blank_is_none(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12345", 12345), ("12345分", 12345), ("12,345", 12345), ("(100)", -100), ("123.5", 124), ("-", 0)],
)
def test_parse_amount_fen(text, expected):
    assert parse_amount(text, unit="fen") == expected


def test_parse_amount_fen_and_yuan_differ_by_100():
    assert parse_amount("88", unit="fen") == 88
    assert parse_amount("88", unit="yuan") == 8800


@pytest.mark.parametrize("text", ["待核", "12元5角", "abc", "12.3.4", "NaN", "Infinity", "见附件"])
def test_parse_amount_garbage_raises_with_chinese_message(text):
    with pytest.raises(ValueError, match="不是有效金额") as excinfo:
        parse_amount(text)
    assert f"「{text}」" in str(excinfo.value)


@pytest.mark.parametrize("text", ["100000000000.00", "13812345678901", "1e20", "(100000000000)"])
def test_parse_amount_huge_raises(text):
    with pytest.raises(ValueError, match="金额过大") as excinfo:
        parse_amount(text)
    assert text in str(excinfo.value)


def test_parse_amount_huge_fen_raises():
    assert parse_amount("9999999999999", unit="fen") == 9_999_999_999_999
    with pytest.raises(ValueError, match="金额过大"):
        parse_amount("10000000000000", unit="fen")


_FEN = st.integers(min_value=-(10**13) + 1, max_value=10**13 - 1)


@given(_FEN)
def test_parse_amount_round_trips_written_styles(fen):
    plain, commas = as_yuan(fen), as_yuan(fen, commas=True)
    styles = {
        "plain": plain,
        "commas": commas,
        "yen": "¥" + plain,
        "full-width yen with commas": "￥" + commas,
        "yuan suffix": plain + "元",
        "yen, commas and suffix": "¥" + commas + "元",
        "full-width digits": full_width(plain),
        "full-width with commas": full_width(commas),
        "spreadsheet float": repr(fen / 100),
        "padded": f"  {commas} ",
    }
    for style, text in styles.items():
        assert parse_amount(text) == fen, (style, text)


@given(st.integers(min_value=1, max_value=10**13 - 1))
def test_parse_amount_parentheses_negate(fen):
    assert parse_amount(f"({as_yuan(fen, commas=True)})") == -fen
    assert parse_amount(full_width(f"（{as_yuan(fen)}）")) == -fen


@given(_FEN)
def test_parse_amount_fen_unit_round_trips(fen):
    assert parse_amount(str(fen), unit="fen") == fen
    assert parse_amount(f"{fen}分", unit="fen") == fen


# ---- parse_period ------------------------------------------------------------------------------


def _month_forms(year: int, month: int) -> dict[str, str]:
    last = calendar.monthrange(year, month)[1]
    return {
        "dash": f"{year}-{month:02d}",
        "dash, no zero": f"{year}-{month}",
        "chinese": f"{year}年{month}月",
        "chinese padded": f"{year}年{month:02d}月",
        "chinese 份": f"{year}年{month}月份",
        "compact": f"{year}{month:02d}",
        "slash": f"{year}/{month:02d}",
        "slash, no zero": f"{year}/{month}",
        "dot": f"{year}.{month:02d}",
        "full date": f"{year}-{month:02d}-01",
        "full date, last day": f"{year}-{month:02d}-{last}",
        "slash date": f"{year}/{month}/15",
        "chinese date": f"{year}年{month}月15日",
        "compact date": f"{year}{month:02d}{last:02d}",
        "datetime": f"{year}-{month:02d}-15 00:00:00",
        "datetime T": f"{year}-{month:02d}-15T08:30",
        "excel serial": str((date(year, month, 15) - EXCEL_EPOCH).days),
        "excel serial with time": f"{(date(year, month, 15) - EXCEL_EPOCH).days}.5",
        "full-width": full_width(f"{year}-{month:02d}"),
        "full-width chinese": full_width(f"{year}年{month}月"),
        "padded": f"  {year}-{month:02d}  ",
    }


@pytest.mark.parametrize("month", range(1, 13))
@pytest.mark.parametrize("year", [1990, 2019, 2026, 2100])
def test_parse_period_single_month_forms(year, month):
    expected = (f"{year:04d}-{month:02d}", None)
    for form, text in _month_forms(year, month).items():
        assert parse_period(text) == expected, (form, text)


@given(st.integers(1990, 2100), st.integers(1, 12))
def test_parse_period_forms_agree(year, month):
    results = {form: parse_period(text) for form, text in _month_forms(year, month).items()}
    assert set(results.values()) == {(f"{year:04d}-{month:02d}", None)}, results


def test_parse_period_excel_serial():
    assert parse_period("46341") == ("2026-11", None)
    assert parse_date("46341") == date(2026, 11, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01至2026-03", ("2026-01", "2026-03")),
        ("2026.01-2026.03", ("2026-01", "2026-03")),
        ("2026-01-01~2026-03-31", ("2026-01", "2026-03")),
        ("20260101-20260331", ("2026-01", "2026-03")),
        ("202601-202603", ("2026-01", "2026-03")),
        ("2026-01到2026-03", ("2026-01", "2026-03")),
        ("2026/01-2026/03", ("2026-01", "2026-03")),
        ("2026-01 - 2026-03", ("2026-01", "2026-03")),
        ("2026年1月至2026年3月", ("2026-01", "2026-03")),
        ("2026年01月~2026年03月", ("2026-01", "2026-03")),
        ("2026.01—2026.03", ("2026-01", "2026-03")),
        ("2025-11至2026-02", ("2025-11", "2026-02")),
        ("2026-01至2026-01", ("2026-01", None)),
        ("2026-01-01至2026-01-31", ("2026-01", None)),
    ],
)
def test_parse_period_ranges(text, expected):
    assert parse_period(text) == expected


_YEAR_MONTH = st.tuples(st.integers(1990, 2100), st.integers(1, 12))


@given(_YEAR_MONTH, _YEAR_MONTH)
def test_parse_period_range_forms_agree(a, b):
    (y1, m1), (y2, m2) = sorted([a, b])
    start, end = f"{y1:04d}-{m1:02d}", f"{y2:04d}-{m2:02d}"
    expected = (start, end if end != start else None)
    last = calendar.monthrange(y2, m2)[1]
    forms = [
        f"{start}至{end}",
        f"{y1}.{m1:02d}-{y2}.{m2:02d}",
        f"{y1}-{m1:02d}-01~{y2}-{m2:02d}-{last}",
        f"{y1}{m1:02d}01-{y2}{m2:02d}{last:02d}",
        f"{y1}年{m1}月至{y2}年{m2}月",
        f"{y1}{m1:02d}-{y2}{m2:02d}",
    ]
    for text in forms:
        assert parse_period(text) == expected, text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-13", "月份 13 不存在"),
        ("2026-00", "月份 0 不存在"),
        ("2026年13月", "月份 13 不存在"),
        ("202613", "月份 13 不存在"),
        ("2026-02-30", "不是存在的日期"),
        ("2026-04-31", "不是存在的日期"),
        ("20260230", "不是存在的日期"),
        ("1800-01", "年份 1800 不合理"),
        ("1800年1月", "年份 1800 不合理"),
        ("1989-12", "年份 1989 不合理"),
        ("2101-01", "年份 2101 不合理"),
        ("2026-03至2026-01", "结束早于开始"),
        ("2026-03-01~2025-12-31", "结束早于开始"),
        ("待定", "不是可识别的日期"),
        ("2026-13至2026-14", "月份 13 不存在"),
    ],
)
def test_parse_period_impossible_raises_with_chinese_reason(text, reason):
    with pytest.raises(ValueError) as excinfo:
        parse_period(text)
    assert reason in str(excinfo.value)


def test_parse_period_error_names_the_cell():
    with pytest.raises(ValueError, match="所属期间「2026-13」"):
        parse_period("2026-13")
    with pytest.raises(ValueError, match="所属期间「2026-03至2026-01」的结束早于开始"):
        parse_period("2026-03至2026-01")


@pytest.mark.parametrize("text", [None, "", "  "])
def test_parse_period_blank_is_none(text):
    assert parse_period(text) is None


@pytest.mark.parametrize("text", ["2026年1月-2026年3月", "2026年1月1日-2026年3月31日"])
def test_parse_period_chinese_range_with_hyphen(text):
    assert parse_period(text) == ("2026-01", "2026-03")


@pytest.mark.parametrize("text", ["25000", "79999"])
def test_parse_period_excel_serial_outside_year_range_raises(text):
    # 25000 is 1968-06-11 and 79999 is 2119-01-10: both outside MIN_YEAR..MAX_YEAR.
    with pytest.raises(ValueError, match="年份"):
        parse_period(text)


# ---- parse_date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-15",
        "2026/11/15",
        "2026.11.15",
        "2026年11月15日",
        "2026 年 11 月 15 日",
        "20261115",
        "2026-11-15 00:00:00",
        "2026/11/15 8:05",
        "2026-11-15 00:00:00.000",
        "46341",
        "46341.25",
        "２０２６－１１－１５",
    ],
)
def test_parse_date_forms(text):
    assert parse_date(text) == date(2026, 11, 15)


def test_parse_date_leap_day():
    assert parse_date("2024-02-29") == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-29", "不是存在的日期"),
        ("2026-11-31", "不是存在的日期"),
        ("2026-13-01", "月份 13 不存在"),
        ("1800-01-01", "年份 1800 不合理"),
        ("2026-11", "不是可识别的日期"),
        ("明天", "不是可识别的日期"),
    ],
)
def test_parse_date_invalid_raises(text, reason):
    with pytest.raises(ValueError, match=reason) as excinfo:
        parse_date(text)
    assert text in str(excinfo.value)


@pytest.mark.parametrize("text", [None, "", " "])
def test_parse_date_blank_is_none(text):
    assert parse_date(text) is None


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_parse_date_round_trips(day):
    forms = [
        day.isoformat(),
        day.strftime("%Y/%m/%d"),
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        f"{day.isoformat()} 00:00:00",
        str((day - EXCEL_EPOCH).days),
    ]
    for text in forms:
        assert parse_date(text) == day, text


# ---- rooms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8-2-1201", "8-2-1201"),
        ("8栋2单元1201室", "8-2-1201"),
        ("8幢-1201", "8-1201"),
        ("8号楼2单元1201", "8-2-1201"),
        ("８栋２单元１２０１", "8-2-1201"),
        ("８栋1201", "8-1201"),
        ("8 栋 2 单元 1201 室", "8-2-1201"),
        ("8#2单元1201", "8-2-1201"),
        ("8栋2单元1201号", "8-2-1201"),
        ("8/2/1201", "8-2-1201"),
        ("08栋02单元0101", "8-2-0101"),
        ("008-002-0101", "8-2-0101"),
        ("A座1201", "A-1201"),
        ("a座1201", "A-1201"),
        ("B区3栋1201", "B-3-1201"),
        ("1201", "1201"),
    ],
)
def test_canonical_room_from_one_cell(text, expected):
    assert canonical_room(None, None, text) == expected


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("8-2-1201", ("8", "2", "1201")),
        ("8栋2单元1201室", ("8", "2", "1201")),
        ("8幢-1201", ("8", "1201")),
        ("08栋02单元0101", ("8", "2", "0101")),
        ("A座1201", ("A", "1201")),
        ("", ()),
        (None, ()),
    ],
)
def test_room_tokens(text, tokens):
    assert room_tokens(text) == tokens


@pytest.mark.parametrize(
    ("building", "unit", "room", "expected"),
    [
        ("3栋", "1单元", "1201", "3-1-1201"),
        ("03", "01", "1201", "3-1-1201"),
        ("３栋", "１单元", "１２０１室", "3-1-1201"),
        ("3号楼", None, "1201", "3-1201"),
        (None, "2单元", "1201", "2-1201"),
        ("3栋", "", "0101", "3-0101"),
        ("3栋", "1单元", "5-2-1201", "5-2-1201"),  # the room cell names its own building: it wins
        ("3栋", "1单元", "", ""),
        ("3栋", "1单元", None, ""),
    ],
)
def test_canonical_room_from_split_columns(building, unit, room, expected):
    assert canonical_room(building, unit, room) == expected


@pytest.mark.parametrize(
    ("room", "expected"),
    [
        ("阳光花园-8栋-1201", "8-1201"),
        ("阳光花园/8栋/2单元/1201", "8-2-1201"),
        ("阳光花园-8-2-1201", "8-2-1201"),
        ("8栋2单元1201", "8-2-1201"),  # no prefix: untouched
    ],
)
def test_canonical_room_strips_estate_prefix(room, expected):
    assert canonical_room(None, None, room, estate="阳光花园") == expected


def test_canonical_room_keeps_estate_name_without_estate():
    assert canonical_room(None, None, "阳光花园-8栋-1201") == "阳光花园-8-1201"


@pytest.mark.parametrize("room", ["阳光花园8栋2单元1201", "阳光花园 8栋2单元1201"])
def test_canonical_room_strips_glued_estate_prefix(room):
    assert canonical_room(None, None, room, estate="阳光花园") == "8-2-1201"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3栋", "3"), ("03", "3"), ("2单元", "2"), ("０２单元", "2"), ("A座", "A"), ("", ""), (None, "")],
)
def test_part_token(text, expected):
    assert part_token(text) == expected


# ---- phones ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "valid", "invalid"),
    [
        ("13812345678", ("13812345678",), ()),
        ("+86 138 1234 5678", ("13812345678",), ()),
        ("+8613812345678", ("13812345678",), ()),
        ("0086 13812345678", ("13812345678",), ()),
        ("008613812345678", ("13812345678",), ()),
        ("138-1234-5678", ("13812345678",), ()),
        ("１３８１２３４５６７８", ("13812345678",), ()),
        ("13812345678/13912345678", ("13812345678", "13912345678"), ()),
        ("13812345678；13912345678", ("13812345678", "13912345678"), ()),
        ("13812345678;13912345678", ("13812345678", "13912345678"), ()),
        ("13812345678、13912345678", ("13812345678", "13912345678"), ()),
        ("13812345678 13912345678", ("13812345678", "13912345678"), ()),
        ("13812345678，13912345678", ("13812345678", "13912345678"), ()),
        ("13812345678 / 13912345678", ("13812345678", "13912345678"), ()),
        ("0571-88123456", ("0571-88123456",), ()),
        ("0571 88123456", ("0571-88123456",), ()),
        ("057188123456", ("0571-88123456",), ()),
        ("0571 8812 3456", ("0571-88123456",), ()),
        ("(0571)88123456", ("0571-88123456",), ()),
        ("010-12345678", ("010-12345678",), ()),
        ("13812345678,0571-88123456", ("13812345678", "0571-88123456"), ()),
        ("13812345678/12345", ("13812345678",), ("12345",)),
        ("12345678901", (), ("12345678901",)),
        ("无", (), ()),  # a blank marker since issue 14, no longer an invalid piece
        ("13812345678/13812345678", ("13812345678",), ()),
        ("13812345678 0571-88123456", ("13812345678", "0571-88123456"), ()),
        ("", (), ()),
        (None, (), ()),
    ],
)
def test_parse_phones(text, valid, invalid):
    assert parse_phones(text) == (valid, invalid)


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("13812345678；+86 138 1234 5678", ("13812345678",)),
        ("0571-88123456/0571 88123456", ("0571-88123456",)),
        ("13812345678/0571 88123456", ("13812345678", "0571-88123456")),
        ("138 1234 5678/13912345678", ("13812345678", "13912345678")),
        ("+86 13812345678/13912345678", ("13812345678", "13912345678")),
    ],
)
def test_parse_phones_spaced_number_among_several(text, valid):
    assert parse_phones(text) == (valid, ())


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        ("13812345678；无", ()),
        ("13812345678 无", ()),
        ("13812345678 张先生", ("13812345678（张先生）",)),
        ("13812345678；父亲", ("13812345678（父亲）",)),
    ],
)
def test_parse_phones_keeps_valid_number_next_to_note(text, notes):
    assert parse_phones(text) == (("13812345678",), ())
    assert parse_phone_cell(text).notes == notes


# Compatibility: the hardening cases (tests/hardening/test_hardening_faults.py) through both functions.
@pytest.mark.parametrize(
    ("text", "valid", "invalid"),
    [
        ("+86 138 1234 5678, 0175-88123456", ("13812345678", "17588123456"), ()),
        ("013812345678", ("13812345678",), ()),
        ("010-88123456", ("010-88123456",), ()),
        ("005362761234", (), ("005362761234",)),
        ("0536-2761234", ("0536-2761234",), ()),
    ],
)
def test_parse_phones_hardening_cases_unchanged(text, valid, invalid):
    assert parse_phones(text) == (valid, invalid)
    assert parse_phone_cell(text) == PhoneCell(valid, invalid, ())


@pytest.mark.parametrize(
    ("text", "valid", "invalid", "notes"),
    [
        # extensions: the landline is valid, the extension a note
        ("0571-88888888-8001", ("0571-88888888",), (), ("0571-88888888 转 8001",)),
        ("0571-88888888转8001", ("0571-88888888",), (), ("0571-88888888 转 8001",)),
        ("0571-88888888 转 8001", ("0571-88888888",), (), ("0571-88888888 转 8001",)),
        ("0571-88888888分机8001", ("0571-88888888",), (), ("0571-88888888 转 8001",)),
        ("057188888888-8001", ("0571-88888888",), (), ("0571-88888888 转 8001",)),
        ("13800138000/0571-88888888-8001", ("13800138000", "0571-88888888"), (), ("0571-88888888 转 8001",)),
        ("0571-88888888转8001（办公室）", ("0571-88888888",), (), ("0571-88888888 转 8001（办公室）",)),
        ("138-0013-8000", ("13800138000",), (), ()),  # a dashed mobile is no landline with an extension
        ("12345转8001", (), ("12345转8001",), ()),
        # +86 before an area code, brackets, spaces
        ("+86-571-88888888", ("0571-88888888",), (), ()),
        ("+86 571 8888 8888", ("0571-88888888",), (), ()),
        ("0086-571-88888888", ("0571-88888888",), (), ()),
        ("(0571)88888888", ("0571-88888888",), (), ()),
        ("（0571）88888888", ("0571-88888888",), (), ()),
        ("0571 88888888", ("0571-88888888",), (), ()),
        ("0571—88888888", ("0571-88888888",), (), ()),
        ("手机 +86 571 8888 8888", ("0571-88888888",), (), ()),
        # who the number belongs to: 本人 dropped, anything else a note
        ("13800138000（本人）", ("13800138000",), (), ()),
        ("13800138000(本人)", ("13800138000",), (), ()),
        ("13800138000 本人", ("13800138000",), (), ()),
        ("13800138000（业主本人）", ("13800138000",), (), ()),
        ("13800138000（父亲）", ("13800138000",), (), ("13800138000（父亲）",)),
        ("父亲13800138000", ("13800138000",), (), ("13800138000（父亲）",)),
        ("张先生13800138000", ("13800138000",), (), ("13800138000（张先生）",)),
        ("张先生 13800138000", ("13800138000",), (), ("13800138000（张先生）",)),
        ("联系人张先生电话:13800138000", ("13800138000",), (), ("13800138000（张先生）",)),
        ("13800138000(父亲),13912345678(母亲)", ("13800138000", "13912345678"), (),
         ("13800138000（父亲）", "13912345678（母亲）")),
        ("父亲：13800138000 母亲：13912345678", ("13800138000", "13912345678"), (),
         ("13800138000（父亲）", "13912345678（母亲）")),
        ("13800138000 父亲 13912345678 母亲", ("13800138000", "13912345678"), (),
         ("13800138000（父亲）", "13912345678（母亲）")),
        ("13800138000（父亲）/13800138000", ("13800138000",), (), ("13800138000（父亲）",)),
        # labels
        ("手机13800138000 座机0571-88888888", ("13800138000", "0571-88888888"), (), ()),
        ("手机：13800138000；座机：0571-88888888", ("13800138000", "0571-88888888"), (), ()),
        ("手机:13800138000;座机:0571-88888888", ("13800138000", "0571-88888888"), (), ()),
        ("电话:13800138000", ("13800138000",), (), ()),
        ("电话：13800138000", ("13800138000",), (), ()),
        ("电话: 13800138000", ("13800138000",), (), ()),
        ("Tel:13800138000", ("13800138000",), (), ()),
        # still invalid
        ("1380013800", (), ("1380013800",), ()),
        ("12345", (), ("12345",), ()),
        ("手机:1380013800", (), ("1380013800",), ()),
        ("1380013800（父亲）", (), ("1380013800（父亲）",), ()),
        ("请联系物业", (), ("请联系物业",), ()),
        ("13800138000/12345", ("13800138000",), ("12345",), ()),
        # blank markers: neither valid nor invalid
        ("无", (), (), ()),
        ("暂无", (), (), ()),
        ("-", (), (), ()),
        ("--", (), (), ()),
        ("/", (), (), ()),
        ("不详", (), (), ()),
        ("n/a", (), (), ()),
        ("13800138000/无", ("13800138000",), (), ()),
        ("13800138000 - 13912345678", ("13800138000", "13912345678"), (), ()),
        # a dead number is invalid, with the reason
        ("空号", (), ("空号",), ()),
        ("已停机", (), ("已停机",), ()),
        ("13800138000（空号）", (), ("13800138000（空号）",), ()),
        ("13800138000 空号/13912345678", ("13912345678",), ("13800138000（空号）",), ()),
        ("", (), (), ()),
        (None, (), (), ()),
    ],
)
def test_parse_phone_cell(text, valid, invalid, notes):
    cell = parse_phone_cell(text)
    assert cell == PhoneCell(valid, invalid, notes)
    assert parse_phones(text) == (valid, invalid)  # the old 2-tuple, built on the same parse
    hash(cell)  # lru_cache-able, and distinct values can be keys


@given(st.text())
def test_parse_phone_cell_never_raises(text):
    cell = parse_phone_cell(text)
    assert parse_phones(text) == (cell.valid, cell.invalid)
    assert all(re.fullmatch(r"1\d{10}|0\d{2,3}-\d{5,8}", n) for n in cell.valid), cell
    assert len(set(cell.valid)) == len(cell.valid)
    assert all(isinstance(piece, str) and piece for piece in (*cell.invalid, *cell.notes))


@given(st.lists(st.sampled_from(["13800138000", "0571-88888888", "+86 571 8888 8888", "张先生", "（父亲）", "本人",
                                 "转8001", "12345", "无", "空号", "手机:", " ", "/", "；", "(", ")", "-", "138"])))
def test_parse_phone_cell_never_raises_on_phone_like_text(words):
    text = "".join(words)
    cell = parse_phone_cell(text)
    assert all(re.fullmatch(r"1\d{10}|0\d{2,3}-\d{5,8}", n) for n in cell.valid), (text, cell)


# ---- owner cells -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "phones"),
    [
        ("张伟(13812345678)", "张伟", ("13812345678",)),
        ("张伟（13812345678）", "张伟", ("13812345678",)),
        ("张伟 13812345678", "张伟", ("13812345678",)),
        ("张伟13812345678", "张伟", ("13812345678",)),
        ("张伟 138 1234 5678", "张伟", ("13812345678",)),
        ("张伟 电话:13812345678", "张伟", ("13812345678",)),
        ("张伟（电话：13812345678）", "张伟", ("13812345678",)),
        ("张伟(+86 571 8888 8888)", "张伟", ("0571-88888888",)),
        ("张伟/李娜 13812345678", "张伟/李娜", ("13812345678",)),
        ("张伟 13812345678/李娜 13912345678", "张伟/李娜", ("13812345678", "13912345678")),
        ("张伟 13812345678 13812345678", "张伟", ("13812345678",)),
        ("13812345678", "", ("13812345678",)),
        ("张伟", "张伟", ()),
        ("  张伟 ", "张伟", ()),
        ("深圳市2号商贸有限公司", "深圳市2号商贸有限公司", ()),
        ("杭州123456789012科技有限公司", "杭州123456789012科技有限公司", ()),
        ("张伟 1381234567", "张伟 1381234567", ()),  # no valid number: left for a human to see
        ("张伟 0571-88888888转8001", "张伟 0571-88888888转8001", ()),  # the extension would be lost
        ("张伟 0571-88888888-8001", "张伟 0571-88888888-8001", ()),
        ("", "", ()),
        (None, "", ()),
    ],
)
def test_split_owner_cell(text, name, phones):
    assert split_owner_cell(text) == (name, phones)


@given(st.text())
def test_split_owner_cell_never_raises(text):
    name, phones = split_owner_cell(text)
    assert isinstance(name, str) and all(re.fullmatch(r"1\d{10}|0\d{2,3}-\d{5,8}", n) for n in phones)
    if not phones:
        assert name == clean_text(text)


# ---- periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 5, 15), 6, date(2026, 11, 15)),
        (date(2026, 5, 15), 0, date(2026, 5, 15)),
        (date(2026, 5, 15), 24, date(2028, 5, 15)),
        (date(2026, 5, 15), -17, date(2024, 12, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 5, 15), date(2026, 11, 14), 5),
        (date(2026, 5, 15), date(2026, 11, 15), 6),
        (date(2026, 5, 15), date(2026, 11, 16), 6),
        (date(2026, 5, 15), date(2026, 5, 15), 0),
        (date(2026, 5, 15), date(2026, 6, 14), 0),
        (date(2026, 5, 15), date(2026, 6, 15), 1),
        (date(2026, 11, 15), date(2026, 5, 15), 0),
        (date(2026, 11, 15), date(2020, 1, 1), 0),
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2026, 1, 31), date(2026, 2, 28), 1),
        (date(2025, 12, 20), date(2026, 1, 19), 0),
        (date(2025, 12, 20), date(2026, 1, 20), 1),
        (date(2024, 2, 29), date(2025, 2, 28), 12),
    ],
)
def test_whole_months(start, end, expected):
    assert whole_months(start, end) == expected


_DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))


@given(_DAYS, st.integers(0, 240))
def test_whole_months_counts_add_months(start, n):
    end = add_months(start, n)
    assert whole_months(start, end) == n
    if n:
        assert whole_months(start, end - timedelta(days=1)) == n - 1


@given(_DAYS, _DAYS)
def test_whole_months_never_negative_and_monotone(a, b):
    assert whole_months(a, b) >= 0
    assert whole_months(a, b) <= whole_months(a, b + timedelta(days=1))
    if b <= a:
        assert whole_months(a, b) == 0


@pytest.mark.parametrize(
    ("period", "due_day", "expected"),
    [
        ("2026-11", 15, date(2026, 11, 15)),
        ("2026-11", 1, date(2026, 11, 1)),
        ("2026-02", 31, date(2026, 2, 28)),
        ("2024-02", 30, date(2024, 2, 29)),
        ("2026-04", 31, date(2026, 4, 30)),
        ("2026-12", 31, date(2026, 12, 31)),
    ],
)
def test_default_due_date(period, due_day, expected):
    assert default_due_date(period, due_day) == expected


# ---- money -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (12345, "123.45"),
        (123456789, "1,234,567.89"),
        (0, "0.00"),
        (5, "0.05"),
        (100, "1.00"),
        (-5, "-0.05"),
        (-123456, "-1,234.56"),
        (100000000, "1,000,000.00"),
    ],
)
def test_yuan(fen, text):
    assert yuan(fen) == text


@given(_FEN)
def test_yuan_parses_back(fen):
    assert parse_amount(yuan(fen)) == fen


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0571-88123456", "0571-****3456"),
        ("010-12345678", "010-****5678"),
        ("0571-1234", "*****1234"),
        ("12345", "*2345"),
        ("123", "123"),
    ],
)
def test_mask_phone(number, masked):
    assert mask_phone(number) == masked


def test_mask_phone_hides_middle_digits_of_parsed_numbers():
    for number in parse_phones("+86 138 1234 5678 / 0571 88123456")[0]:
        masked = mask_phone(number)
        assert masked[-4:] == number[-4:]
        assert "1234" not in masked[:-4] and "8812" not in masked
