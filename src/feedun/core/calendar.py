"""Workdays and reminder nodes: a node on a Chinese public holiday moves to the next workday."""

from __future__ import annotations

import calendar
import warnings
from datetime import date, datetime, timedelta, timezone

# Beijing time, UTC+8 all year (no daylight saving): the hours owners may be contacted are Beijing hours, whatever
# time zone the server running cron is set to.
CHINA = timezone(timedelta(hours=8), "北京时间")


def china_now() -> datetime:
    """Now in Beijing time, naive (as every time feedun stores)."""
    return datetime.now(CHINA).replace(tzinfo=None)


def is_workday(day: date) -> bool:
    """chinesecalendar (official holidays and make-up workdays); outside its data, Monday–Friday with a warning."""
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        warnings.warn(f"节假日数据不含 {day.year} 年，按周一至周五计算工作日", stacklevel=2)
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
