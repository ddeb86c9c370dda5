"""The holiday calendar: chinesecalendar, the days feedun.toml [calendar] adds, and one warning per missing year."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from feedun.config import Settings
from feedun.core.calendar import is_workday, missing_years, missing_years_warning, next_workday, node_dates

pytestmark = pytest.mark.no_store
FEEDUN = Path(sys.executable).with_name("feedun")


@pytest.fixture(autouse=True)
def fresh_calendar():
    Settings()  # no [calendar]: nothing added
    missing_years_warning()  # forget what earlier tests asked about
    yield
    Settings()
    missing_years_warning()


def test_a_known_year_moves_nodes_past_holidays_without_a_warning() -> None:
    assert node_dates(2026, 10, [5]) == {5: date(2026, 10, 8)}  # National Day holiday, 2026-10-01..07
    assert is_workday(date(2026, 9, 20))  # Sunday 2026-09-20 is a make-up workday (调休)
    assert missing_years() == []


def test_a_year_without_data_is_monday_to_friday_and_said_once() -> None:
    assert next_workday(date(2027, 1, 2)) == date(2027, 1, 4)  # Saturday → Monday
    assert [is_workday(date(2027, 1, d)) for d in (1, 4, 9)] == [True, True, False]
    assert missing_years() == [2027]
    warning = missing_years_warning()
    assert warning and warning.startswith("节假日数据不含 2027 年") and "[calendar]" in warning
    assert missing_years_warning() is None  # said once


def test_calendar_settings_add_a_years_holidays_and_makeup_workdays() -> None:
    Settings.model_validate({"calendar": {"holidays": ["2027-01-01", "2027-10-01..2027-10-07"],
                                          "workdays": ["2027-09-26"]}})
    assert not is_workday(date(2027, 1, 1)) and not is_workday(date(2027, 10, 5))
    assert is_workday(date(2027, 9, 26))  # a Sunday worked
    assert node_dates(2027, 10, [5]) == {5: date(2027, 10, 8)}
    assert missing_years() == []  # the year is declared: no fallback warning


@pytest.mark.parametrize("item", ["2027-13-01", "2027-02-21..2027-02-15", "2027-01-01..2027-03-01", "明年元旦"])
def test_bad_calendar_dates_are_refused_in_chinese(item: str) -> None:
    with pytest.raises(ValueError, match="看不懂"):
        Settings.model_validate({"calendar": {"holidays": [item]}})


def test_a_day_both_off_and_on_is_refused() -> None:
    with pytest.raises(ValueError, match="同时写在 holidays 和 workdays 里"):
        Settings.model_validate({"calendar": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}})


def test_a_2027_command_prints_the_warning_once_and_no_python_warning(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    assert subprocess.run([FEEDUN, "init", "."], cwd=tmp_path, env=env, capture_output=True).returncode == 0
    proc = subprocess.run([FEEDUN, "calls", "--as-of", "2027-01-06"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("节假日数据不含 2027 年") == 1
    assert "Warning" not in proc.stderr
    # The config feedun init writes has an empty [calendar]: declaring 2027's days silences the warning.
    text = (tmp_path / "feedun.toml").read_text(encoding="utf-8").replace(
        "holidays = []", 'holidays = ["2027-01-01"]', 1)
    (tmp_path / "feedun.toml").write_text(text, encoding="utf-8")
    quiet = subprocess.run([FEEDUN, "calls", "--as-of", "2027-01-06"], cwd=tmp_path, env=env, capture_output=True,
                           text=True, timeout=120)
    assert quiet.returncode == 0 and "节假日数据不含" not in quiet.stderr, quiet.stderr
