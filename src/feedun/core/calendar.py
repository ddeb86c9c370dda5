"""Workdays and reminder nodes: a node on a Chinese public holiday moves to the next workday.

Where the holidays come from: chinesecalendar (the State Council's announced holidays and make-up workdays, 调休),
plus what feedun.toml [calendar] adds for a year the installed library does not know yet: the State Council
announces the coming year's holidays in the autumn, and the library follows weeks later. A year known to neither
falls back to Monday–Friday; every such year is remembered (`missing_years`) and said once per command or run,
not once per date asked about.

The added days are process-wide state, set by `configure` when settings are validated (config.py): the calendar
is a fact of the country, asked from many places that have no settings at hand.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone

# Beijing time, UTC+8 all year (no daylight saving): the hours owners may be contacted are Beijing hours, whatever
# time zone the server running cron is set to.
CHINA = timezone(timedelta(hours=8), "北京时间")

_added_off: frozenset[date] = frozenset()  # [calendar] holidays
_added_on: frozenset[date] = frozenset()  # [calendar] workdays (调休: a weekend day worked)
_missing: set[int] = set()  # years asked about that neither chinesecalendar nor [calendar] knows


def china_now() -> datetime:
    """Now in Beijing time, naive (as every time feedun stores)."""
    return datetime.now(CHINA).replace(tzinfo=None)


def configure(holidays: frozenset[date] = frozenset(), workdays: frozenset[date] = frozenset()) -> None:
    """The days feedun.toml [calendar] adds; a year with any added day counts as known."""
    global _added_off, _added_on
    _added_off, _added_on = frozenset(holidays), frozenset(workdays)


def missing_years() -> list[int]:
    """Years asked about with no holiday data (worked out Monday–Friday), in order."""
    return sorted(_missing)


def missing_years_warning(*, consume: bool = True) -> str | None:
    """The one warning a command or run prints for the years without holiday data, or None. Consumed once said,
    so a run that puts it in its summary is not followed by the same line from the command line."""
    years = missing_years()
    if not years:
        return None
    if consume:
        _missing.clear()
    listed = "、".join(f"{y} 年" for y in years)
    return (f"节假日数据不含 {listed}：这些年份按周一至周五计算工作日（法定节假日和调休不会顺延）。"
            f"请在 feedun.toml 的 [calendar] 填入国务院公布的当年放假日期（holidays）和调休上班日期（workdays），"
            f"或升级 chinesecalendar（pip install -U chinesecalendar）。")


def is_workday(day: date) -> bool:
    """[calendar]'s added days first, then chinesecalendar; a year neither knows is Monday–Friday (and remembered)."""
    import chinese_calendar

    if day in _added_on:
        return True
    if day in _added_off:
        return False
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if not any(d.year == day.year for d in _added_off | _added_on):
            _missing.add(day.year)
        return day.weekday() < 5


def next_workday(day: date) -> date:
    """The day itself when it is a workday, else the next one."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def workday_after(day: date) -> date:
    return next_workday(day + timedelta(days=1))


def node_dates(year: int, month: int, days: list[int]) -> dict[int, date]:
    """Configured day-of-month -> the date it falls on this month (moved past holidays and weekends off)."""
    last = calendar.monthrange(year, month)[1]
    return {d: next_workday(date(year, month, min(d, last))) for d in days}


def sms_node_today(today: date, days: list[int]) -> int | None:
    """The configured node day whose (moved) date is today, if any."""
    for node, on in node_dates(today.year, today.month, days).items():
        if on == today:
            return node
    return None
