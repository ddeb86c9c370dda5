"""Calendar arithmetic on billing periods: due dates and whole months overdue."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's end (Jan 31 + 1 → Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months(start: date, end: date) -> int:
    """Whole months from start to end: 2026-05-15 → 2026-11-14 is 5, → 2026-11-15 is 6; never negative."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def default_due_date(period: str, due_day: int) -> date:
    """Day `due_day` of a 'YYYY-MM' period's month, for ledgers that give no due date."""
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


PERIOD_UNKNOWN_TEXT = "期间不详"


def period_text(period: str | None, period_end: str | None = None) -> str:
    """A ledger period as people read it: '2026-09', '2026-07 至 2026-09', or '期间不详' for a ledger that gave
    none (stored as ''): never a made-up month, never 'nan'."""
    if not period or period != period:  # '' or NaN
        return PERIOD_UNKNOWN_TEXT
    if period_end and period_end == period_end and period_end != period:
        return f"{period} 至 {period_end}"
    return period


def months_in(period: str, period_end: str | None = None) -> list[str]:
    """The months a ledger line covers: '2026-07', '2026-09' -> ['2026-07', '2026-08', '2026-09']; one month
    when there is no end; [] for a period we do not know ('')."""
    if not period:
        return []
    year, month = int(period[:4]), int(period[5:7])
    end = period_end if period_end and period_end == period_end and period_end > period else period
    months = []
    while True:
        text = f"{year:04d}-{month:02d}"
        months.append(text)
        if text >= end:
            return months
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def split_fen(amount: int, parts: int) -> list[int]:
    """An amount in fen spread over `parts` months, exactly: 1000 over 3 -> [333, 333, 334] (the last takes the
    remainder, so the parts always add back to the amount)."""
    if parts <= 1:
        return [amount]
    base = amount // parts
    return [base] * (parts - 1) + [amount - base * (parts - 1)]
