"""`feedun report`: the month in figures — collection rate, arrears aging, promises, which tactics work, limitation.

This module computes; it reads the store once (store/report.py, in one `Store.read()` snapshot) and writes
nothing. The workbook (workbook.py) and the terminal summary (terminal.py) only show a `Report`.
Definitions (the 口径 also written into the workbook; see docs/design.md, "The report"):

- **报表月份 (the report month)** by default: the month of the newest ledger snapshot dated on or before today, so
  early in a month the report is of the month the ledger speaks of (an empty store: the current month).
- **收费率 (collection rate) of month M.** For each estate take its newest ledger snapshot dated on or before the
  last day of month M+1 (the month's bills and the following month to pay them); when the estate has no snapshot
  that old, its oldest one. Of that snapshot, take the lines whose period (start month) is M and that carry an
  amount due. receivable = Σ amount_due; collected = receivable − Σ outstanding (outstanding below zero — a
  credit — counts as 0), i.e. what the ledger shows as paid or discounted. rate = collected ÷ receivable.
  Lines without an amount due (wide-layout or arrears-only ledgers) cannot say what was billed: a group with no
  such line shows 应收不详 (and no rate is charted), and such lines are left out of every sum.
- **欠费走势 (arrears month on month).** For each of the 12 months, each estate's newest snapshot dated within the
  month (up to the report day): rooms with arrears and their arrears. A month without a snapshot of an estate is
  unknown for it, never 0 (an older snapshot repeated would show payments not yet seen as still owed).
- **本月回收 (recovered).** Payments seen in snapshots dated in the report month (up to the report day): every fall
  in a room's arrears since its previous snapshot (paid or waived; a room gone from the ledger paid up), by estate,
  collector and the tactic of the room's (same owner's) latest decision in the 90 days before the payment was seen.
  Known on every ledger, with or without an amount due.
- **账龄 (aging)** as of the report day (the last day of the report month, or today if that is earlier): each room
  with arrears in the snapshot current that day, by whole months since the due date of its oldest unpaid period
  (features.months_overdue): ≤1, 2–3, 4–6, 7–12, over 12 months. Amounts are the room's whole arrears.
- **承诺 (promises)** made (contact time) in the report month, in their state now. Promises void because the room
  changed hands are left out. 兑现率 = kept ÷ (kept + broken); open ones are not judged yet.
- **招数效果 (tactic effectiveness).** Every decision of the classify runs dated within 90 days up to the report day:
  did the room (same owner) pay anything seen in a ledger snapshot dated in (run date, run date + 30 days], and
  how much. A room decided in several runs counts once per run (房次).
- **发函 (letters sent)** in the report month up to the report day: letters of the register marked sent on such a
  day that left the office (sent, signed or returned now; voided ones left out), by kind.
- **诉讼时效 (limitation).** Rooms whose oldest unpaid period fell due more than 30 months before the report day with
  no demand that reached the owner since (features.limitation_risk); the 3-year limit (民法典 188) runs from then.

Money is integer fen throughout; rates are exact fractions of integers, rounded only when shown.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import UsageError
from feedun.core.periods import add_months, period_text
from feedun.core.tactics import FACTS, Tactic, label
from feedun.core.vocab import PromiseState
from feedun.decide.features import feature_table
from feedun.memory.collectors import collector_for
from feedun.store.report import (
    ArrearsPoint,
    Payment,
    PeriodLine,
    PeriodTotals,
    PromiseMade,
    RoomDecision,
    RunDecision,
    SeenPayment,
    Snapshot,
    collector_overrides,
    ledger_estates,
    letters_sent,
    month_arrears,
    newest_ledger_date,
    payments_between,
    payments_seen,
    period_lines,
    periods_totals,
    promises_made,
    room_decisions,
    run_decisions,
    runs_between,
)
from feedun.store.snapshots import current_snapshot, ledger_snapshots

if TYPE_CHECKING:
    from feedun.store import Store

TREND_MONTHS = 12
EFFECT_LOOKBACK_DAYS = 90
EFFECT_WINDOW_DAYS = 30
LIMITATION_YEARS = 3  # 民法典 188
NO_DATA = "无数据"
RECEIVABLE_UNKNOWN = "应收不详"  # the ledger gave no amount due: no collection rate can be computed
NO_LEDGER = "没有台账"
NO_RUN = "近期没有分类记录"
UNCOMPARED = "不详（本月的台账之前没有同一管理处的台账可比较）"
NO_COLLECTOR = "未分配管家"  # rooms no collector is assigned to (feedun.toml [collectors] or feedun tag)
TOTAL = "合计"

# (label, lowest months_overdue, highest or None)
AGING_BUCKETS: list[tuple[str, int, int | None]] = [
    ("1个月及以内", 0, 1), ("2–3个月", 2, 3), ("4–6个月", 4, 6), ("7–12个月", 7, 12), ("12个月以上", 13, None)]

DIMENSIONS = {"total": "合计", "estate": "管理处", "building": "楼栋", "collector": "管家", "tactic": "招数"}

DEFINITIONS = [
    "收费率 = 实收 ÷ 应收。某月的应收 = 各管理处在次月月底（含）之前最新一份台账中，所属期间为该月的费用行的应收金额之和；"
    "没有那么早的台账时用最早的一份。",
    "实收 = 应收 − 这些费用行的欠费金额（即台账显示的已收和减免）；欠费为负数（预存）的行按 0 计。",
    "台账没有应收金额的费用行（横排台账、只列欠费的台账）无法算收费率，不计入合计，整组都没有时显示“应收不详”。",
    "跨月的费用行按起始月份计入。",
    "欠费走势：每月取各管理处在该月内（不晚于统计日）日期最新的一份台账，统计其中有欠费的户数和欠费金额；"
    "该月没有台账的管理处不计入（不当作 0）。",
    "本月回收：快照日期在本月内（不晚于统计日）的台账中，比同一房间上一份台账欠费减少的金额（缴费或减免；"
    "房间从台账消失按全部缴清计）。按招数统计时用缴费前 90 天内最近一次分类给这户（同一业主）的招数。",
]

Overrides = dict[tuple[str, str], str | None]


# ---- the report --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Receivable and collected in fen; both None when the ledger gave no amount due."""

    receivable: int | None
    collected: int | None

    @property
    def has_data(self) -> bool:
        return self.receivable is not None

    @property
    def rate(self) -> float | None:
        if self.receivable is None or self.collected is None or self.receivable == 0:
            return None
        return self.collected / self.receivable

    @property
    def unpaid(self) -> int | None:
        """Receivable − collected in fen; None without data."""
        if self.receivable is None or self.collected is None:
            return None
        return self.receivable - self.collected

    def __add__(self, other: Rate) -> Rate:
        """Sums of the groups that have data; a group without data adds nothing (and stays 无数据 alone)."""
        if not other.has_data:
            return self
        if not self.has_data:
            return other
        return Rate(self.receivable + other.receivable, self.collected + other.collected)  # type: ignore[operator]

    def to_dict(self) -> dict[str, Any]:
        return {"receivable": yuan_number(self.receivable), "collected": yuan_number(self.collected),
                "rate": self.rate}


NO_RATE = Rate(None, None)


@dataclass(frozen=True)
class RateRow:
    dimension: str  # total, estate, building, collector (the keys of DIMENSIONS)
    name: str
    rate: Rate
    estate: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "name": self.name, "estate": self.estate, **self.rate.to_dict()}


@dataclass(frozen=True)
class TrendRow:
    month: str
    total: Rate
    by_estate: dict[str, Rate]

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month, **self.total.to_dict(),
                "by_estate": {e: r.to_dict() for e, r in self.by_estate.items()}}


@dataclass(frozen=True)
class AgingRow:
    bucket: str
    rooms: int
    amount: int  # fen

    def to_dict(self) -> dict[str, Any]:
        return {"bucket": self.bucket, "rooms": self.rooms, "amount": yuan_number(self.amount)}


@dataclass(frozen=True)
class PromiseRow:
    collector: str
    made: int
    kept: int
    broken: int
    open: int

    @property
    def kept_rate(self) -> float | None:
        judged = self.kept + self.broken
        return self.kept / judged if judged else None

    def to_dict(self) -> dict[str, Any]:
        return {"collector": self.collector, "made": self.made, "kept": self.kept, "broken": self.broken,
                "open": self.open, "kept_rate": self.kept_rate}


@dataclass(frozen=True)
class EffectRow:
    tactic: Tactic | None  # None: held (暂缓)
    label: str
    decisions: int  # room-runs
    paid: int  # room-runs with a payment in the window
    recovered: int  # fen
    outstanding: int  # fen, at decision time

    @property
    def paid_share(self) -> float | None:
        return self.paid / self.decisions if self.decisions else None

    @property
    def recovered_share(self) -> float | None:
        return self.recovered / self.outstanding if self.outstanding else None

    def to_dict(self) -> dict[str, Any]:
        return {"tactic": None if self.tactic is None else str(self.tactic), "label": self.label,
                "decisions": self.decisions, "paid": self.paid, "paid_share": self.paid_share,
                "recovered": yuan_number(self.recovered), "outstanding": yuan_number(self.outstanding),
                "recovered_share": self.recovered_share}


@dataclass(frozen=True)
class RunRow:
    as_of: date
    decisions: int
    window_end: date
    complete: bool  # a ledger snapshot dated on or after window_end exists

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "decisions": self.decisions,
                "window_end": self.window_end.isoformat(), "complete": self.complete}


@dataclass(frozen=True)
class LimitationRow:
    estate: str
    room: str
    owner: str
    collector: str
    oldest_period: str
    oldest_due: date
    limit_date: date  # oldest_due + 3 years, unless interrupted
    months_overdue: int
    outstanding: int  # fen

    def to_dict(self) -> dict[str, Any]:
        return {"estate": self.estate, "room": self.room, "owner": self.owner, "collector": self.collector,
                "oldest_period": self.oldest_period, "oldest_due": self.oldest_due.isoformat(),
                "limit_date": self.limit_date.isoformat(), "months_overdue": self.months_overdue,
                "outstanding": yuan_number(self.outstanding)}


@dataclass(frozen=True)
class ArrearsRow:
    """One month of 欠费走势: the estates with a snapshot dated in the month; rooms and amount None when none has."""

    month: str
    snapshots: dict[str, date]  # estate -> date of the snapshot the month's figures come from
    missing: list[str]  # estates without a snapshot dated in the month
    rooms: int | None
    amount: int | None  # fen
    change: int | None = None  # fen, against the month before when both months cover the same estates

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month, "rooms": self.rooms, "amount": yuan_number(self.amount),
                "change": yuan_number(self.change), "snapshots": {e: d.isoformat() for e, d in self.snapshots.items()},
                "missing": self.missing}


@dataclass(frozen=True)
class RecoveredRow:
    dimension: str  # total, estate, collector, tactic (keys of DIMENSIONS)
    name: str
    rooms: int  # rooms (房间) with a payment seen
    amount: int  # fen

    def to_dict(self) -> dict[str, Any]:
        return {"dimension": self.dimension, "name": self.name, "rooms": self.rooms, "amount": yuan_number(self.amount)}


@dataclass
class Report:
    month: str  # YYYY-MM
    as_of: date  # the report day: the month's last day, or today if earlier
    generated_on: date
    estates: list[str]
    snapshots: dict[str, date]  # estate -> date of the snapshot the month's collection rate uses
    rates: list[RateRow] = field(default_factory=list)  # the report month: total, by estate, building, collector
    trend: list[TrendRow] = field(default_factory=list)  # oldest month first, the report month last
    aging: list[AgingRow] = field(default_factory=list)
    promises: list[PromiseRow] = field(default_factory=list)  # by collector, then a 合计 row
    effectiveness: list[EffectRow] = field(default_factory=list)
    runs: list[RunRow] = field(default_factory=list)
    limitation: list[LimitationRow] = field(default_factory=list)
    arrears_trend: list[ArrearsRow] = field(default_factory=list)  # oldest month first, the report month last
    # 合计, then by estate, collector, tactic; empty when no snapshot of the month had an earlier one to compare with
    recovered: list[RecoveredRow] = field(default_factory=list)
    letters_sent: dict[str, int] = field(default_factory=dict)  # kind (dunning, lawyer) -> sent in the month
    ledger_on: date | None = None  # the newest ledger snapshot dated on or before the report day; None: none
    company: str = ""  # as owners know it (feedun.toml [company] name), for the printed page header

    @property
    def letters_total(self) -> int:
        """Letters that left the office in the report month (up to the report day)."""
        return sum(self.letters_sent.values())

    @property
    def receivable_known(self) -> bool:
        """Whether any ledger line of the month or the trend said what was billed (else: 应收不详, no rate)."""
        return any(r.rate.has_data for r in self.rates) or any(t.total.has_data for t in self.trend)

    @property
    def recovered_total(self) -> RecoveredRow | None:
        """None: unknown (no snapshot of the month could be compared with an earlier one)."""
        return next((r for r in self.recovered if r.dimension == "total"), None)

    @property
    def total_rate(self) -> Rate:
        return next((r.rate for r in self.rates if r.dimension == "total"), NO_RATE)

    @property
    def promise_total(self) -> PromiseRow:
        return self.promises[-1] if self.promises else PromiseRow(TOTAL, 0, 0, 0, 0)

    @property
    def debt_rooms(self) -> int:
        """Rooms with arrears on the report day."""
        return sum(a.rooms for a in self.aging)

    @property
    def debt(self) -> int:
        """Their arrears in fen."""
        return sum(a.amount for a in self.aging)

    @property
    def best_tactic(self) -> EffectRow | None:
        """The tactic whose decisions were most often followed by a payment (holds left out)."""
        return max((e for e in self.effectiveness if e.tactic and e.decisions), key=lambda e: e.paid_share or 0,
                   default=None)

    def to_dict(self) -> dict[str, Any]:
        """The --json shape: amounts in yuan, rates as fractions (0.5 = 50%), null where there is no data."""
        return {"month": self.month, "as_of": self.as_of.isoformat(), "generated_on": self.generated_on.isoformat(),
                "estates": self.estates, "snapshots": {e: d.isoformat() for e, d in self.snapshots.items()},
                "collection_rate": [r.to_dict() for r in self.rates],
                "trend": [t.to_dict() for t in self.trend],
                "aging": [a.to_dict() for a in self.aging],
                "promises": [p.to_dict() for p in self.promises],
                "effectiveness": [e.to_dict() for e in self.effectiveness],
                "runs": [r.to_dict() for r in self.runs],
                "limitation": [r.to_dict() for r in self.limitation],
                "receivable_known": self.receivable_known,
                "arrears_trend": [a.to_dict() for a in self.arrears_trend],
                "recovered": [r.to_dict() for r in self.recovered],
                "letters_sent": {kind: self.letters_sent.get(kind, 0) for kind in ("dunning", "lawyer")},
                "ledger_on": None if self.ledger_on is None else self.ledger_on.isoformat(),
                "definitions": DEFINITIONS}


def yuan_number(fen: int | None) -> float | None:
    """Fen as a JSON number of yuan, exact to the fen (Decimal, not fen / 100 rounding twice)."""
    return None if fen is None else float(Decimal(int(fen)) / 100)


# ---- months --------------------------------------------------------------------------------------------


def parse_month(text: str) -> tuple[int, int]:
    """'2026-11' -> (2026, 11); anything else is a usage error naming --month."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"月份“{text}”的格式不对。", hint="--month 写成 年-月，例如 2026-11。")
    return int(match.group(1)), int(match.group(2))


def shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def report_day(year: int, month: int, today: date) -> date:
    """The day the report is as of: the month's last day, or today when the month is not over yet."""
    return min(month_end(year, month), today)


def rate_cutoff(year: int, month: int) -> date:
    """A month's collection rate reads the snapshot current at the end of the following month."""
    return month_end(*shift_month(year, month, 1))


# ---- building it -------------------------------------------------------------------------------------


@dataclass
class _Read:
    """Everything the report reads from the store, taken in one snapshot."""

    overrides: Overrides
    estates: list[str]
    month_snapshots: dict[str, Snapshot]  # estate -> snapshot of the report month's rate
    month_lines: dict[str, list[PeriodLine]]
    trend: list[tuple[str, dict[str, PeriodTotals | None]]]  # month -> estate -> totals (None: no snapshot)
    promises: list[PromiseMade]
    run_dates: dict[int, date]
    decisions: list[RunDecision]
    payments: list[Payment]
    newest: date | None
    arrears: list[tuple[str, dict[str, ArrearsPoint]]]  # month -> estate -> arrears (absent: no snapshot)
    seen: list[SeenPayment]  # payments seen in the report month
    seen_decisions: list[RoomDecision]  # decisions on those rooms in the lookback before the month
    compared: bool  # a snapshot of the month could be compared with an earlier one of its estate
    letters: dict[str, int]  # kind -> letters sent in the month up to the report day
    ledger_on: date | None  # the newest ledger snapshot dated on or before the report day


def default_month(store: Store, today: date) -> str:
    """The month of the newest ledger snapshot dated on or before `today` (YYYY-MM); the current month without one.

    Early in a month the newest ledger is usually last month's: its month has figures, the current one has none."""
    with store.connect() as conn:
        newest = newest_ledger_date(conn, today)
    day = newest or today
    return month_text(day.year, day.month)


def build_report(store: Store, settings: Settings, month: str | None = None, *, today: date | None = None,
                 features: pd.DataFrame | None = None) -> Report:
    """Everything the report shows, for `month` (YYYY-MM; default: the newest snapshot's month, `default_month`).

    `features` is the feature table of the report day (`feedun run` passes the day's decisions, which carry every
    feature column) so the day is decided once; without it the table is built here from the store.
    """
    today = today or date.today()
    year, mon = parse_month(month or default_month(store, today))
    as_of = report_day(year, mon, today)
    with store.read() as conn:
        read = _read(conn, year, mon, as_of)
    if features is None:
        features = feature_table(store, settings, as_of)
    rates = month_rates(settings, read.overrides, read.month_lines)
    effect, runs = effectiveness(read.run_dates, read.decisions, read.payments, read.newest)
    return Report(month=month_text(year, mon), as_of=as_of, generated_on=today, estates=read.estates,
                  snapshots={e: s.as_of for e, s in read.month_snapshots.items()}, rates=rates,
                  trend=[trend_row(m, totals) for m, totals in read.trend],
                  aging=aging(features), promises=promise_rows(settings, read.overrides, read.promises),
                  effectiveness=effect, runs=runs, limitation=limitation(settings, features),
                  arrears_trend=arrears_rows(read.estates, read.arrears),
                  recovered=recovered_rows(settings, read.overrides, read.seen, read.seen_decisions)
                  if read.compared else [], letters_sent=read.letters, ledger_on=read.ledger_on,
                  company=settings.company.name)


def _read(conn, year: int, mon: int, as_of: date) -> _Read:
    """All the store queries of one report, on one connection (the caller's consistent snapshot)."""
    estates = ledger_estates(conn)
    dated = {estate: ledger_snapshots(conn, estate) for estate in estates}  # each estate's imports, read once

    def snapshot(estate: str, cutoff: date) -> Snapshot | None:
        found = current_snapshot(dated[estate], cutoff)
        return None if found is None else Snapshot(found[1], found[0])

    period = month_text(year, mon)
    month_snapshots = {e: s for e in estates if (s := snapshot(e, rate_cutoff(year, mon))) is not None}
    month_lines = {e: period_lines(conn, s.import_id, e, period) for e, s in month_snapshots.items()}
    months = [shift_month(year, mon, -back) for back in range(TREND_MONTHS - 1, -1, -1)]
    trend_snapshots = {(month_text(y, m), e): snapshot(e, rate_cutoff(y, m)) for y, m in months for e in estates}
    totals = periods_totals(conn, [(found.import_id, estate, text)
                                   for (text, estate), found in trend_snapshots.items() if found is not None])
    trend: list[tuple[str, dict[str, PeriodTotals | None]]] = []
    for y, m in months:
        text = month_text(y, m)
        trend.append((text, {estate: totals[(found.import_id, estate, text)]
                             if (found := trend_snapshots[(text, estate)]) is not None else None
                             for estate in estates}))
    start = datetime(year, mon, 1)
    end = datetime(*shift_month(year, mon, 1), 1)
    run_dates = runs_between(conn, as_of - timedelta(days=EFFECT_LOOKBACK_DAYS), as_of)
    paid: list[Payment] = []
    if run_dates:
        paid = payments_between(conn, min(run_dates.values()),
                                max(run_dates.values()) + timedelta(days=EFFECT_WINDOW_DAYS))
    arrears = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        y, m = shift_month(year, mon, -back)
        arrears.append((month_text(y, m), month_arrears(conn, date(y, m, 1), min(month_end(y, m), as_of))))
    first = date(year, mon, 1)
    seen = payments_seen(conn, first - timedelta(days=1), as_of)
    earlier = month_arrears(conn, date(1900, 1, 1), first - timedelta(days=1))
    compared = bool(seen) or any(e in earlier for e in arrears[-1][1])
    seen_decisions = room_decisions(conn, (p.room_id for p in seen), first - timedelta(days=EFFECT_LOOKBACK_DAYS),
                                    as_of)
    return _Read(overrides=collector_overrides(conn), estates=estates, month_snapshots=month_snapshots,
                 month_lines=month_lines, trend=trend, promises=promises_made(conn, start, end), run_dates=run_dates,
                 decisions=run_decisions(conn, run_dates), payments=paid, newest=newest_ledger_date(conn),
                 arrears=arrears, seen=seen, seen_decisions=seen_decisions, compared=compared,
                 letters=letters_sent(conn, first, as_of), ledger_on=newest_ledger_date(conn, as_of))


def collector_name(settings: Settings, overrides: Overrides, estate: str, room: str) -> str:
    """Who looks after the room, as the report shows it (未分配管家 when nobody does)."""
    return collector_for(settings, estate, room, overrides.get((estate, room))) or NO_COLLECTOR


def _collectors_last(name: str) -> tuple[bool, str]:
    return name == NO_COLLECTOR, name


def natural_key(text: str) -> list[tuple[int, int, str]]:
    """'10' after '9': numbers in a name compare as numbers."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text) if t]


def month_rates(settings: Settings, overrides: Overrides, lines: dict[str, list[PeriodLine]]) -> list[RateRow]:
    """The report month: 合计, then by estate, building and collector, from each estate's lines of the month.

    A building or collector with lines but no amount due on any of them is listed as 无数据.
    """
    by_estate: dict[str, Rate] = {}
    by_building: dict[tuple[str, str], Rate] = {}
    by_collector: dict[str, Rate] = {}
    for estate, estate_lines in lines.items():
        by_estate[estate] = NO_RATE
        for line in estate_lines:
            key = (estate, line.building)
            collector = collector_name(settings, overrides, estate, line.room)
            by_building.setdefault(key, NO_RATE)
            by_collector.setdefault(collector, NO_RATE)
            if line.amount_due is None:
                continue
            rate = Rate(line.amount_due, line.amount_due - max(line.outstanding, 0))
            by_estate[estate] += rate
            by_building[key] += rate
            by_collector[collector] += rate
    total = sum(by_estate.values(), NO_RATE)
    rows = [RateRow("total", TOTAL, total)]
    rows += [RateRow("estate", e, r, e) for e, r in sorted(by_estate.items())]
    rows += [RateRow("building", f"{e} {b}栋" if b else f"{e}（未分楼栋）", r, e)
             for (e, b), r in sorted(by_building.items(), key=lambda item: (item[0][0], natural_key(item[0][1])))]
    rows += [RateRow("collector", c, r) for c, r in sorted(by_collector.items(), key=lambda i: _collectors_last(i[0]))]
    return rows


def totals_rate(totals: PeriodTotals | None) -> Rate:
    """A period's sums as a Rate; 无数据 when no line carries an amount due."""
    if totals is None or not totals.lines:
        return NO_RATE
    return Rate(totals.amount_due, totals.amount_due - totals.owed)


def trend_row(month: str, by_estate: dict[str, PeriodTotals | None]) -> TrendRow:
    rates = {estate: totals_rate(t) for estate, t in by_estate.items()}
    return TrendRow(month, sum(rates.values(), NO_RATE), rates)


def arrears_rows(estates: list[str], months: list[tuple[str, dict[str, ArrearsPoint]]]) -> list[ArrearsRow]:
    """欠费走势: per month the estates with a snapshot in it; the change only between months covering the same
    estates (otherwise an estate's first ledger would read as arrears growing)."""
    rows: list[ArrearsRow] = []
    for month, found in months:
        missing = [e for e in estates if e not in found]
        known = bool(found)
        rooms = sum(p.rooms for p in found.values()) if known else None
        amount = sum(p.amount for p in found.values()) if known else None
        change = None
        if rows and amount is not None and rows[-1].amount is not None and set(rows[-1].snapshots) == set(found):
            change = amount - rows[-1].amount
        rows.append(ArrearsRow(month, {e: found[e].as_of for e in sorted(found)}, missing, rooms, amount, change))
    return rows


def recovered_rows(settings: Settings, overrides: Overrides, seen: Iterable[SeenPayment],
                   decided: Iterable[RoomDecision]) -> list[RecoveredRow]:
    """本月回收: 合计, then by estate, collector (未分配管家 last) and tactic (playbook order, holds, then rooms
    without a decision in the 90 days before the payment was seen)."""
    by_room: dict[tuple[int, str], list[RoomDecision]] = defaultdict(list)
    for d in decided:
        by_room[(d.room_id, d.owner)].append(d)
    groups: dict[tuple[str, str], tuple[set[int], list[int]]] = {}
    order: dict[str, Any] = {}

    def add(dimension: str, name: str, room_id: int, amount: int) -> None:
        rooms, amounts = groups.setdefault((dimension, name), (set(), []))
        rooms.add(room_id)
        amounts.append(amount)

    for p in seen:
        add("total", TOTAL, p.room_id, p.amount)
        add("estate", p.estate, p.room_id, p.amount)
        add("collector", collector_name(settings, overrides, p.estate, p.room), p.room_id, p.amount)
        window = p.seen_on - timedelta(days=EFFECT_LOOKBACK_DAYS)
        before = [d for d in by_room.get((p.room_id, p.owner), []) if window <= d.as_of < p.seen_on]
        if before:
            tactic = max(before, key=lambda d: d.as_of).tactic
            name = label(tactic)
            order[name] = FACTS[tactic].number if tactic else 98
        else:
            name = NO_RUN
            order[name] = 99
        add("tactic", name, p.room_id, p.amount)
    keys = {"total": lambda n: 0, "estate": natural_key, "collector": _collectors_last, "tactic": order.get}
    rows = []
    for dimension in ("total", "estate", "collector", "tactic"):
        names = sorted((n for d, n in groups if d == dimension), key=keys[dimension])  # type: ignore[arg-type]
        rows += [RecoveredRow(dimension, n, len(groups[(dimension, n)][0]), sum(groups[(dimension, n)][1]))
                 for n in names]
    return rows or [RecoveredRow("total", TOTAL, 0, 0)]


def promise_rows(settings: Settings, overrides: Overrides, made: Iterable[PromiseMade]) -> list[PromiseRow]:
    """By collector (未分配管家 last), then a 合计 row."""
    counts: dict[str, dict[PromiseState, int]] = defaultdict(lambda: defaultdict(int))
    for p in made:
        counts[collector_name(settings, overrides, p.estate, p.room)][p.state] += 1
    rows = [PromiseRow(c, sum(s.values()), s[PromiseState.KEPT], s[PromiseState.BROKEN], s[PromiseState.OPEN])
            for c, s in sorted(counts.items(), key=lambda i: _collectors_last(i[0]))]
    rows.append(PromiseRow(TOTAL, sum(r.made for r in rows), sum(r.kept for r in rows), sum(r.broken for r in rows),
                           sum(r.open for r in rows)))
    return rows


def effectiveness(run_dates: dict[int, date], chosen: Iterable[RunDecision], paid: Iterable[Payment],
                  newest: date | None) -> tuple[list[EffectRow], list[RunRow]]:
    """Per tactic (playbook order, holds last): room-runs, how many paid within the window, and how much.

    A run's window is complete once a ledger snapshot dated on or after its end has been imported (`newest`).
    """
    if not run_dates:
        return [], []
    by_room: dict[tuple[int, str], list[Payment]] = defaultdict(list)
    for p in paid:
        by_room[(p.room_id, p.owner)].append(p)
    totals: dict[Tactic | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_run: dict[int, int] = defaultdict(int)
    window = timedelta(days=EFFECT_WINDOW_DAYS)
    for d in chosen:
        start = run_dates[d.run_id]
        recovered = sum(p.amount for p in by_room.get((d.room_id, d.owner), []) if start < p.seen_on <= start + window)
        t = totals[d.tactic]
        t[0] += 1
        t[1] += int(recovered > 0)
        t[2] += recovered
        t[3] += d.outstanding
        per_run[d.run_id] += 1
    order = sorted(totals, key=lambda t: FACTS[t].number if t else 99)
    effect = [EffectRow(t, label(t), *totals[t]) for t in order]
    runs = [RunRow(d, per_run.get(rid, 0), d + window, newest is not None and newest >= d + window)
            for rid, d in sorted(run_dates.items(), key=lambda i: i[1])]
    return effect, runs


# ---- from the feature table ---------------------------------------------------------------------------
# The frame may be the day's decisions rather than a fresh feature table: missing values are NaN or None there,
# so every cell is read through the helpers below and the report never shows nan or None.


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _optional_text(value: object) -> str | None:
    return _text(value) or None


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def _int(value: object) -> int:
    return 0 if value is None or (isinstance(value, float) and math.isnan(value)) else int(value)  # type: ignore[call-overload]


def aging(features: pd.DataFrame) -> list[AgingRow]:
    """Rooms with arrears by whole months overdue (AGING_BUCKETS), with their whole arrears in fen."""
    months = [_int(m) for m in features["months_overdue"]] if len(features) else []
    amounts = [_int(x) for x in features["outstanding_fen"]] if len(features) else []
    rows = []
    for name, low, high in AGING_BUCKETS:
        picked = [a for m, a in zip(months, amounts, strict=True) if m >= low and (high is None or m <= high)]
        rows.append(AgingRow(name, len(picked), sum(picked)))
    return rows


def limitation(settings: Settings, features: pd.DataFrame) -> list[LimitationRow]:
    """Rooms flagged limitation_risk, the oldest due date first; the limit is that date + 3 years."""
    if not len(features):
        return []
    risky = features[features["limitation_risk"].fillna(False).astype(bool)]
    rows = []
    for r in risky.itertuples(index=False):
        estate, room = _text(r.estate), _text(r.room)
        collector = collector_for(settings, estate, room, _optional_text(r.collector))
        oldest_due = _day(r.oldest_due)
        rows.append(LimitationRow(estate, room, _text(r.owner), collector or NO_COLLECTOR, period_text(_text(r.oldest_period)),
                                  oldest_due, add_months(oldest_due, 12 * LIMITATION_YEARS), _int(r.months_overdue),
                                  _int(r.outstanding_fen)))
    rows.sort(key=lambda r: (r.oldest_due, r.estate, r.room))
    return rows
