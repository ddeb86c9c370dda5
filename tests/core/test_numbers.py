"""What people type as numbers: letter numbers without the exact 〔〕, and dates in the ways people write them
(issue 15, item 11)."""

from __future__ import annotations

from datetime import date

import pytest

from feedun.core.numbers import DEFAULT_LETTER_FORMATS, canonical_letter_number, parse_day

pytestmark = pytest.mark.no_store


@pytest.mark.parametrize("typed", ["催字〔2026〕第0001号", "催字2026第1号", "催字[2026]第0001号", "催字〔2026〕第1号",
                                   "催字（2026）第1号", "催字【2026】第001号", " 催字 2026 第 1 号 ", "催字２０２６第１号",
                                   "催字〔2026〕1号", "催字2026第1"])
def test_dunning_numbers_typed_loosely_are_found(typed: str) -> None:
    assert canonical_letter_number(typed) == "催字〔2026〕第0001号"


def test_lawyer_numbers_and_long_sequences() -> None:
    assert canonical_letter_number("律字[2027]第12号") == "律字〔2027〕第0012号"
    assert canonical_letter_number("催字2026第12345号") == "催字〔2026〕第12345号"


@pytest.mark.parametrize("typed", ["", "催字", "2026第1号", "罚字〔2026〕第0001号", "催字〔26〕第1号", "hello"])
def test_what_is_no_letter_number_is_left_as_typed(typed: str) -> None:
    assert canonical_letter_number(typed) == typed.strip()


def test_a_company_format_is_followed() -> None:
    formats = ("阳光物催〔{year}〕{seq:03d}号",)
    assert canonical_letter_number("阳光物催2026007号", formats) == "阳光物催〔2026〕007号"
    assert canonical_letter_number("阳光物催（2026）7号", formats) == "阳光物催〔2026〕007号"
    assert canonical_letter_number("催字2026第1号", formats) == "催字2026第1号"


def test_default_formats_are_the_store_and_config_defaults() -> None:
    from feedun.config import LetterSettings
    from feedun.store.letters import DEFAULT_FORMAT

    assert set(DEFAULT_LETTER_FORMATS) == set(DEFAULT_FORMAT.values())
    assert set(DEFAULT_LETTER_FORMATS) == {LetterSettings().dunning_number, LetterSettings().lawyer_number}


TODAY = date(2026, 11, 30)


@pytest.mark.parametrize("typed", ["2026-12-20", "2026/12/20", "2026.12.20", "2026年12月20日", "2026年12月20号",
                                   "20261220", "2026-12-20 ", "２０２６年１２月２０日", "2026 年 12 月 20 日"])
def test_dates_as_people_write_them(typed: str) -> None:
    assert parse_day(typed, today=TODAY) == date(2026, 12, 20)


def test_month_and_day_alone_is_this_year_or_for_a_promise_the_next_one() -> None:
    assert parse_day("12月20日", today=TODAY) == date(2026, 12, 20)
    assert parse_day("3月5日", today=TODAY) == date(2026, 3, 5)  # --as-of and the like: this year
    assert parse_day("3月5日", today=TODAY, forward=True) == date(2027, 3, 5)  # a promise: a past day is next year
    assert parse_day("11月30日", today=TODAY, forward=True) == date(2026, 11, 30)  # today is not past


@pytest.mark.parametrize("typed", ["2026-13-45", "2026/2/30", "20261345", "13月1日", "下周一", "2026", "12-20", "",
                                   "2月29日"])
def test_what_is_no_date_is_none(typed: str) -> None:
    assert parse_day(typed, today=TODAY) is None
