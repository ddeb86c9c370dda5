"""`feedun report`: the month in figures — collection rate, arrears aging, promises, which tactics work, limitation.

Definitions (the 口径 also written into the workbook):

- **收费率 (collection rate) of month M.** For each estate take its newest ledger snapshot dated on or before the
  last day of month M+1 (the month's bills and the following month to pay them); when the estate has no snapshot
  that old, its oldest one. Of that snapshot, take the lines whose period (start month) is M and that carry an
  amount due. receivable = Σ amount_due; collected = receivable − Σ outstanding (outstanding below zero — a
  credit — counts as 0), i.e. what the ledger shows as paid or discounted. rate = collected ÷ receivable.
  Lines without an amount due (wide-layout or arrears-only ledgers) cannot say what was billed: a group with no
  such line shows 无数据, and such lines are left out of every sum.
- **账龄 (aging)** as of the report day (the last day of the report month, or today if that is earlier): each room
  with arrears in the snapshot current that day, by whole months since the due date of its oldest unpaid period
  (features.months_overdue): ≤1, 2–3, 4–6, 7–12, over 12 months. Amounts are the room's whole arrears.
- **承诺 (promises)** made (contact time) in the report month, in their state now. Promises void because the room
  changed hands are left out. 兑现率 = kept ÷ (kept + broken); open ones are not judged yet.
- **招数效果 (tactic effectiveness).** Every decision of the classify runs dated within 90 days up to the report day:
  did the room (same owner) pay anything seen in a ledger snapshot dated in (run date, run date + 30 days], and
  how much. A room decided in several runs counts once per run (房次).
- **诉讼时效 (limitation).** Rooms whose oldest unpaid period fell due more than 30 months before the report day with
  no demand that reached the owner since (features.limitation_risk); the 3-year limit (民法典 188) runs from then.

Money is integer fen throughout; rates are exact fractions of integers, rounded only when shown.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from feedun.config import Settings
from feedun.core.errors import UsageError
from feedun.core.money import yuan

TREND_MONTHS = 12
EFFECT_LOOKBACK_DAYS = 90
EFFECT_WINDOW_DAYS = 30
NO_DATA = "无数据"
NO_COLLECTOR = "未指定管家"

# (label, lowest months_overdue, highest or None)
AGING_BUCKETS: list[tuple[str, int, int | None]] = [
    ("1个月及以内", 0, 1), ("2–3个月", 2, 3), ("4–6个月", 4, 6), ("7–12个月", 7, 12), ("12个月以上", 13, None)]

DIMENSIONS = {"total": "合计", "estate": "管理处", "building": "楼栋", "collector": "管家"}

DEFINITIONS = [
    "收费率 = 实收 ÷ 应收。某月的应收 = 各管理处在次月月底（含）之前最新一份台账中，所属期间为该月的费用行的应收金额之和；"
    "没有那么早的台账时用最早的一份。",
    "实收 = 应收 − 这些费用行的欠费金额（即台账显示的已收和减免）；欠费为负数（预存）的行按 0 计。",
    "台账没有应收金额的费用行（横排台账、只列欠费的台账）无法算收费率，不计入合计，整组都没有时显示“无数据”。",
    "跨月的费用行按起始月份计入。",
]
AGING_NOTE = "按房间统计：欠费月数 = 最早一期欠费的应缴日到统计日的整月数；金额为该房间全部欠费。"
PROMISE_NOTE = ("统计当月登记的缴费承诺，状态为现在的状态；房屋过户而作废的承诺不计入。"
                "兑现率 = 已兑现 ÷（已兑现 + 未兑现），未到期或待下一份台账核对的不计入。")
EFFECT_NOTE = (f"统计日前 {EFFECT_LOOKBACK_DAYS} 天内各次分类的每户决定：分类日之后 {EFFECT_WINDOW_DAYS} 天内"
               "（以台账快照日期为准）同一业主的欠费有减少即算有缴费，回收金额为减少的合计。一户参加多次分类按多“房次”计。")
LIMITATION_NOTE = ("最早一期欠费的应缴日已超过 30 个月，且此后没有送达业主的催收（联系上业主或寄出催费函/律师函）。"
                   "诉讼时效 3 年（民法典第188条），送达的催收可中断时效（第195条）：请尽快发函并保留送达凭证。")


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

    def to_dict(self) -> dict[str, Any]:
        return {"receivable": _yuan_number(self.receivable), "collected": _yuan_number(self.collected),
                "rate": self.rate}


@dataclass(frozen=True)
class RateRow:
    dimension: str  # total, estate, building, collector
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
        return {"bucket": self.bucket, "rooms": self.rooms, "amount": _yuan_number(self.amount)}


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
    tactic: str | None  # None: held (暂缓)
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
        return {"tactic": self.tactic, "label": self.label, "decisions": self.decisions, "paid": self.paid,
                "paid_share": self.paid_share, "recovered": _yuan_number(self.recovered),
                "outstanding": _yuan_number(self.outstanding), "recovered_share": self.recovered_share}


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
                "outstanding": _yuan_number(self.outstanding)}


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

    @property
    def total_rate(self) -> Rate:
        return next((r.rate for r in self.rates if r.dimension == "total"), Rate(None, None))

    @property
    def promise_total(self) -> PromiseRow:
        return self.promises[-1] if self.promises else PromiseRow("合计", 0, 0, 0, 0)

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
                "definitions": DEFINITIONS}


def _yuan_number(fen: int | None) -> float | None:
    from decimal import Decimal

    return None if fen is None else float(Decimal(int(fen)) / 100)


# ---- months --------------------------------------------------------------------------------------------


def parse_month(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"月份“{text}”的格式不对。", hint="--month 写成 年-月，例如 2026-11。")
    return int(match.group(1)), int(match.group(2))


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# ---- building it -------------------------------------------------------------------------------------


def build_report(settings: Settings, month: str | None = None, db_url: str | None = None, *,
                 today: date | None = None) -> Report:
    """Everything the report shows, for `month` (YYYY-MM; default: the current month)."""
    from feedun.decide.features import feature_table
    from feedun.store import open_store

    today = today or date.today()
    year, mon = parse_month(month) if month else (today.year, today.month)
    as_of = min(_month_end(year, mon), today)
    engine = open_store(settings.db_url(db_url))
    with engine.connect() as conn:
        overrides = _collector_overrides(conn)
        estates = _estates(conn)
        report = Report(month=_month_text(year, mon), as_of=as_of, generated_on=today, estates=estates, snapshots={})
        report.rates, report.snapshots = _month_rates(conn, settings, overrides, estates, year, mon)
        report.trend = _trend(conn, estates, year, mon)
        report.promises = _promises(conn, settings, overrides, year, mon)
        report.effectiveness, report.runs = _effectiveness(conn, as_of)
    features = feature_table(settings, as_of, db_url)
    report.aging = _aging(features)
    report.limitation = _limitation(settings, features)
    return report


def _collector_overrides(conn) -> dict[tuple[str, str], str | None]:
    from sqlalchemy import select

    from feedun.store.schema import rooms

    return {(e, r): c for e, r, c in conn.execute(select(rooms.c.estate, rooms.c.room, rooms.c.collector))}


def _collector(settings: Settings, overrides: dict[tuple[str, str], str | None], estate: str, room: str) -> str:
    from feedun.memory.collectors import collector_for

    return collector_for(settings, estate, room, overrides.get((estate, room))) or NO_COLLECTOR


def _estates(conn) -> list[str]:
    from sqlalchemy import select

    from feedun.store.schema import import_estates, imports

    query = (select(import_estates.c.estate).join(imports, imports.c.id == import_estates.c.import_id)
             .where(imports.c.kind == "ledger").distinct())
    return sorted(e for (e,) in conn.execute(query))


def _snapshot(conn, estate: str, cutoff: date) -> tuple[int, date] | None:
    from sqlalchemy import select

    from feedun.store.schema import imports
    from feedun.store.snapshots import snapshot_on

    import_id = snapshot_on(conn, estate, cutoff)
    if import_id is None:
        return None
    return import_id, conn.execute(select(imports.c.as_of).where(imports.c.id == import_id)).scalar_one()


def _sum_lines(conn, import_id: int, estate: str, period: str) -> Rate:
    from sqlalchemy import case, func, select

    from feedun.store.schema import ledger_lines as ll

    owed = case((ll.c.outstanding > 0, ll.c.outstanding), else_=0)
    count, due, left = conn.execute(
        select(func.count(), func.sum(ll.c.amount_due), func.sum(owed))
        .where(ll.c.import_id == import_id, ll.c.estate == estate, ll.c.period == period,
               ll.c.amount_due.is_not(None))).one()
    if not count:
        return Rate(None, None)
    return Rate(int(due or 0), int(due or 0) - int(left or 0))


def _add(a: Rate, b: Rate) -> Rate:
    if not b.has_data:
        return a
    if not a.has_data:
        return b
    return Rate(a.receivable + b.receivable, a.collected + b.collected)  # type: ignore[operator]


def _month_rates(conn, settings: Settings, overrides, estates: list[str], year: int,
                 mon: int) -> tuple[list[RateRow], dict[str, date]]:
    """The report month by estate, building and collector, from each estate's snapshot for that month."""
    from sqlalchemy import select

    from feedun.store.schema import ledger_lines as ll

    period = _month_text(year, mon)
    cutoff = _month_end(*_shift(year, mon, 1))
    by_estate: dict[str, Rate] = {}
    by_building: dict[tuple[str, str], Rate] = {}
    by_collector: dict[str, Rate] = {}
    snapshots: dict[str, date] = {}
    for estate in estates:
        found = _snapshot(conn, estate, cutoff)
        if found is None:
            continue
        import_id, snap_date = found
        snapshots[estate] = snap_date
        by_estate[estate] = Rate(None, None)
        rows = conn.execute(select(ll.c.building, ll.c.room, ll.c.amount_due, ll.c.outstanding)
                            .where(ll.c.import_id == import_id, ll.c.estate == estate, ll.c.period == period))
        for building, room, due, outstanding in rows:
            key = (estate, building or "")
            by_building.setdefault(key, Rate(None, None))
            collector = _collector(settings, overrides, estate, room)
            by_collector.setdefault(collector, Rate(None, None))
            if due is None:
                continue
            line = Rate(int(due), int(due) - max(int(outstanding), 0))
            by_estate[estate] = _add(by_estate[estate], line)
            by_building[key] = _add(by_building[key], line)
            by_collector[collector] = _add(by_collector[collector], line)
    total = Rate(None, None)
    for rate in by_estate.values():
        total = _add(total, rate)
    rows_out = [RateRow("total", "合计", total)]
    rows_out += [RateRow("estate", e, r, e) for e, r in sorted(by_estate.items())]
    rows_out += [RateRow("building", f"{e} {b}栋" if b else f"{e}（未分楼栋）", r, e)
                 for (e, b), r in sorted(by_building.items(), key=lambda item: (item[0][0], _natural(item[0][1])))]
    rows_out += [RateRow("collector", c, r) for c, r in sorted(by_collector.items(), key=lambda i: (i[0] == NO_COLLECTOR, i[0]))]
    return rows_out, snapshots


def _natural(text: str) -> list[tuple[int, int, str]]:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text) if t]


def _trend(conn, estates: list[str], year: int, mon: int) -> list[TrendRow]:
    out = []
    for back in range(TREND_MONTHS - 1, -1, -1):
        y, m = _shift(year, mon, -back)
        cutoff = _month_end(*_shift(y, m, 1))
        by_estate = {}
        total = Rate(None, None)
        for estate in estates:
            found = _snapshot(conn, estate, cutoff)
            rate = _sum_lines(conn, found[0], estate, _month_text(y, m)) if found else Rate(None, None)
            by_estate[estate] = rate
            total = _add(total, rate)
        out.append(TrendRow(_month_text(y, m), total, by_estate))
    return out


def _promises(conn, settings: Settings, overrides, year: int, mon: int) -> list[PromiseRow]:
    from datetime import datetime

    from sqlalchemy import select

    from feedun.store.schema import promises, rooms

    start = datetime(year, mon, 1)
    end = datetime(*_shift(year, mon, 1), 1)
    query = (select(rooms.c.estate, rooms.c.room, promises.c.state).join(rooms, rooms.c.id == promises.c.room_id)
             .where(promises.c.made_at >= start, promises.c.made_at < end, promises.c.state != "void"))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for estate, room, state in conn.execute(query):
        counts[_collector(settings, overrides, estate, room)][state] += 1
    rows = [PromiseRow(c, sum(s.values()), s["kept"], s["broken"], s["open"])
            for c, s in sorted(counts.items(), key=lambda i: (i[0] == NO_COLLECTOR, i[0]))]
    rows.append(PromiseRow("合计", sum(r.made for r in rows), sum(r.kept for r in rows), sum(r.broken for r in rows),
                           sum(r.open for r in rows)))
    return rows


def _effectiveness(conn, as_of: date) -> tuple[list[EffectRow], list[RunRow]]:
    from sqlalchemy import func, select

    from feedun.core.tactics import FACTS, label
    from feedun.store.schema import decisions, imports, payments, runs

    since = as_of - timedelta(days=EFFECT_LOOKBACK_DAYS)
    run_dates = {rid: d for rid, d in conn.execute(
        select(runs.c.id, runs.c.as_of).where(runs.c.as_of >= since, runs.c.as_of <= as_of))}
    newest = conn.execute(select(func.max(imports.c.as_of)).where(imports.c.kind == "ledger")).scalar()
    if not run_dates:
        return [], []
    chosen = conn.execute(select(decisions.c.run_id, decisions.c.room_id, decisions.c.owner, decisions.c.tactic,
                                 decisions.c.outstanding).where(decisions.c.run_id.in_(list(run_dates)))).all()
    paid: dict[tuple[int, str], list[tuple[date, int]]] = defaultdict(list)
    first = min(run_dates.values())
    for room_id, owner, seen_on, amount in conn.execute(
            select(payments.c.room_id, payments.c.owner, payments.c.seen_on, payments.c.amount)
            .where(payments.c.seen_on > first, payments.c.seen_on <= max(run_dates.values())
                   + timedelta(days=EFFECT_WINDOW_DAYS))):
        paid[(room_id, owner)].append((seen_on, int(amount)))

    totals: dict[str | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    per_run: dict[int, int] = defaultdict(int)
    for run_id, room_id, owner, tactic, outstanding in chosen:
        start = run_dates[run_id]
        end = start + timedelta(days=EFFECT_WINDOW_DAYS)
        recovered = sum(a for seen, a in paid.get((room_id, owner), []) if start < seen <= end)
        t = totals[tactic]
        t[0] += 1
        t[1] += int(recovered > 0)
        t[2] += recovered
        t[3] += int(outstanding)
        per_run[run_id] += 1
    order = sorted(totals, key=lambda t: FACTS[_tactic(t)].number if t else 99)
    effect = [EffectRow(t, label(t), *totals[t]) for t in order]
    run_rows = [RunRow(d, per_run.get(rid, 0), d + timedelta(days=EFFECT_WINDOW_DAYS),
                       newest is not None and newest >= d + timedelta(days=EFFECT_WINDOW_DAYS))
                for rid, d in sorted(run_dates.items(), key=lambda i: i[1])]
    return effect, run_rows


def _tactic(value: str):
    from feedun.core.tactics import Tactic

    return Tactic(value)


def _aging(features) -> list[AgingRow]:
    months = features["months_overdue"].astype(int).tolist() if len(features) else []
    amounts = [int(x) for x in features["outstanding_fen"]] if len(features) else []
    rows = []
    for name, low, high in AGING_BUCKETS:
        picked = [a for m, a in zip(months, amounts, strict=True) if m >= low and (high is None or m <= high)]
        rows.append(AgingRow(name, len(picked), sum(picked)))
    return rows


def _limitation(settings: Settings, features) -> list[LimitationRow]:
    from feedun.core.periods import add_months
    from feedun.memory.collectors import collector_for

    if not len(features):
        return []
    risky = features[features["limitation_risk"]].sort_values(["oldest_due", "estate", "room"], kind="stable")
    rows = []
    for r in risky.itertuples(index=False):
        collector = collector_for(settings, r.estate, r.room, r.collector if isinstance(r.collector, str) else None)
        rows.append(LimitationRow(r.estate, r.room, r.owner or "", collector or NO_COLLECTOR, r.oldest_period,
                                  r.oldest_due, add_months(r.oldest_due, 36), int(r.months_overdue),
                                  int(r.outstanding_fen)))
    return rows


# ---- the workbook -------------------------------------------------------------------------------------


def default_report_path(settings: Settings, month: str) -> Path:
    return settings.workspace / "reports" / f"report-{month}.xlsx"


MONEY = "#,##0.00"
PERCENT = "0.00%"


def _money(fen: int | None) -> float | str:
    return NO_DATA if fen is None else int(fen) / 100


def _pct(value: float | None, empty: str = NO_DATA) -> float | str:
    return empty if value is None else value


def _format(ws, column: int, fmt: str, first: int = 2, last: int | None = None) -> None:
    for row in range(first, (last or ws.max_row) + 1):
        cell = ws.cell(row, column)
        if isinstance(cell.value, (int, float)):
            cell.number_format = fmt


def _notes(ws, lines: list[str], gap: int = 1) -> None:
    from openpyxl.styles import Alignment, Font

    row = ws.max_row + 1 + gap
    for i, text in enumerate(lines):
        cell = ws.cell(row + i, 1, text)
        cell.font = Font(italic=True, color="595959")
        cell.alignment = Alignment(wrap_text=False, vertical="top")


def write_report_xlsx(report: Report, path: Path) -> Path:
    """概览 plus one sheet per section; the trend and the aging as native Excel charts."""
    from openpyxl import Workbook

    from feedun.outputs.xlsx import write_sheet

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    _overview_sheet(wb, report, write_sheet)
    _rates_sheet(wb, report, write_sheet)
    _trend_sheet(wb, report, write_sheet)
    _aging_sheet(wb, report, write_sheet)
    _promises_sheet(wb, report, write_sheet)
    _effect_sheet(wb, report, write_sheet)
    _limitation_sheet(wb, report, write_sheet)
    wb.save(path)
    return path


def _overview_sheet(wb, report: Report, sheet) -> None:
    total = report.total_rate
    debt_rooms = sum(a.rooms for a in report.aging)
    debt = sum(a.amount for a in report.aging)
    p = report.promise_total
    best = max((e for e in report.effectiveness if e.tactic and e.decisions), key=lambda e: (e.paid_share or 0),
               default=None)
    rows: list[list[Any]] = [
        ["报表月份", report.month, ""],
        ["统计日", report.as_of.isoformat(), "月底，或生成日期（如早于月底）"],
        ["生成日期", report.generated_on.isoformat(), ""],
        ["当月应收金额(元)", _money(total.receivable), "只计台账有应收金额的费用行"],
        ["当月实收金额(元)", _money(total.collected), "台账显示的已收和减免"],
        ["当月收费率", _pct(total.rate), "实收 ÷ 应收，口径见“收费率”表"],
        ["欠费户数", debt_rooms, f"截至 {report.as_of}"],
        ["欠费金额(元)", debt / 100, f"截至 {report.as_of}"],
        ["当月登记的缴费承诺", p.made, f"已兑现 {p.kept}，未兑现 {p.broken}，待核对 {p.open}"],
        ["承诺兑现率", _pct(p.kept_rate, "—"), "已兑现 ÷（已兑现 + 未兑现）"],
        ["缴费比例最高的招数", best.label if best else "—",
         f"{best.paid}/{best.decisions} 房次在 {EFFECT_WINDOW_DAYS} 天内有缴费" if best else "近期没有分类记录"],
        ["临近诉讼时效的房间", len(report.limitation), "见“诉讼时效”表，请尽快发函并保留送达凭证"],
    ]
    ws = sheet(wb, "概览", ["项目", "数值", "说明"], rows, {"项目": 20, "数值": 18, "说明": 50})
    for row in ws.iter_rows(min_row=2, max_col=2):
        name, value = row[0].value, row[1]
        if isinstance(value.value, (int, float)) and "元" in name:
            value.number_format = MONEY
        elif isinstance(value.value, float):
            value.number_format = PERCENT
    _notes(ws, ["口径：", *DEFINITIONS])


def _rates_sheet(wb, report: Report, sheet) -> None:
    headers = ["维度", "名称", "应收金额(元)", "实收金额(元)", "未收金额(元)", "收费率"]
    rows = []
    for r in report.rates:
        rate = r.rate
        unpaid = None if not rate.has_data else rate.receivable - rate.collected  # type: ignore[operator]
        rows.append([DIMENSIONS[r.dimension], r.name, _money(rate.receivable), _money(rate.collected),
                     _money(unpaid), _pct(rate.rate)])
    ws = sheet(wb, "收费率", headers, rows, {"名称": 22})
    for col in (3, 4, 5):
        _format(ws, col, MONEY)
    _format(ws, 6, PERCENT)
    used = "；".join(f"{e} {d}" for e, d in sorted(report.snapshots.items())) or "没有台账"
    _notes(ws, [f"{report.month} 的收费率。使用的台账快照：{used}", "口径：", *DEFINITIONS])


def _trend_sheet(wb, report: Report, sheet) -> None:
    from openpyxl.chart import LineChart, Reference

    headers = ["月份", "应收金额(元)", "实收金额(元)", "收费率", *[f"{e}收费率" for e in report.estates], "说明"]
    rows = []
    for t in report.trend:
        # Chart cells stay numbers or empty (a gap): text in a charted range would be drawn as 0.
        rows.append([t.month, _money(t.total.receivable), _money(t.total.collected), t.total.rate,
                     *[t.by_estate[e].rate for e in report.estates],
                     "" if t.total.has_data else f"{NO_DATA}：台账没有该月的应收金额"])
    ws = sheet(wb, "收费率趋势", headers, rows, {"说明": 32})
    for col in (2, 3):
        _format(ws, col, MONEY)
    for col in range(4, 5 + len(report.estates)):
        _format(ws, col, PERCENT)
    last = len(rows) + 1
    chart = LineChart()
    chart.title = f"收费率趋势（近 {TREND_MONTHS} 个月）"
    chart.y_axis.title = "收费率"
    chart.x_axis.title = "月份"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.display_blanks = "gap"
    chart.height, chart.width = 9, 18
    data = Reference(ws, min_col=4, max_col=4 + len(report.estates), min_row=1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=last))
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    _notes(ws, ["收费率为空的月份：台账没有该月的应收金额（无数据），图中断开。", *DEFINITIONS], gap=0)
    ws.add_chart(chart, f"A{ws.max_row + 2}")


def _aging_sheet(wb, report: Report, sheet) -> None:
    from openpyxl.chart import BarChart, Reference

    rows = [[a.bucket, a.rooms, a.amount / 100] for a in report.aging]
    rows.append(["合计", sum(a.rooms for a in report.aging), sum(a.amount for a in report.aging) / 100])
    ws = sheet(wb, "欠费账龄", ["账龄", "户数", "欠费金额(元)"], rows, {"账龄": 14, "户数": 10, "欠费金额(元)": 16})
    _format(ws, 3, MONEY)
    _notes(ws, [f"截至 {report.as_of}。{AGING_NOTE}"])
    last = len(report.aging) + 1  # the charts leave out the 合计 row
    categories = Reference(ws, min_col=1, min_row=2, max_row=last)
    top = ws.max_row + 2
    few = max((a.rooms for a in report.aging), default=0) <= 10
    for col, title, anchor, fmt in ((2, "欠费户数（按账龄）", f"A{top}", "0"),
                                    (3, "欠费金额（元，按账龄）", f"A{top + 18}", "#,##0")):
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.number_format = fmt
        chart.y_axis.scaling.min = 0
        if col == 2 and few:
            chart.y_axis.majorUnit = 1  # whole rooms
        chart.height, chart.width = 8, 16
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(categories)
        ws.add_chart(chart, anchor)


def _promises_sheet(wb, report: Report, sheet) -> None:
    rows = [[p.collector, p.made, p.kept, p.broken, p.open, _pct(p.kept_rate, "—")] for p in report.promises]
    ws = sheet(wb, "缴费承诺", ["管家", "承诺数", "已兑现", "未兑现", "未到期/待核对", "兑现率"], rows, {"管家": 14})
    _format(ws, 6, PERCENT)
    _notes(ws, [f"{report.month}：{PROMISE_NOTE}"])


def _effect_sheet(wb, report: Report, sheet) -> None:
    rows = [[e.label, e.decisions, e.paid, _pct(e.paid_share, "—"), e.recovered / 100, e.outstanding / 100,
             _pct(e.recovered_share, "—")] for e in report.effectiveness]
    ws = sheet(wb, "招数效果", ["招数", "房次", f"{EFFECT_WINDOW_DAYS}天内有缴费", "缴费比例", "回收金额(元)",
                                "分类时欠费(元)", "回收比例"], rows, {"招数": 22})
    for col, fmt in ((4, PERCENT), (5, MONEY), (6, MONEY), (7, PERCENT)):
        _format(ws, col, fmt)
    runs = [f"分类 {r.as_of}：{r.decisions} 户，观察至 {r.window_end}" + ("" if r.complete else "（观察期未满，之后的台账导入后数字还会变）")
            for r in report.runs] or [f"统计日前 {EFFECT_LOOKBACK_DAYS} 天内没有分类记录（feedun classify）。"]
    _notes(ws, [EFFECT_NOTE, *runs])


def _limitation_sheet(wb, report: Report, sheet) -> None:
    rows = [[r.estate, r.room, r.owner, r.collector, r.oldest_period, r.oldest_due.isoformat(),
             r.limit_date.isoformat(), r.months_overdue, r.outstanding / 100] for r in report.limitation]
    ws = sheet(wb, "诉讼时效", ["管理处", "房号", "业主", "负责管家", "最早欠费期间", "最早应缴日", "时效届满日(约)",
                                "欠费月数", "欠费金额(元)"], rows, {"房号": 12})
    _format(ws, 9, MONEY)
    _notes(ws, [f"截至 {report.as_of}。{LIMITATION_NOTE}"])


# ---- the terminal --------------------------------------------------------------------------------------


def _pct_text(value: float | None, empty: str = NO_DATA) -> str:
    return empty if value is None else f"{value * 100:.2f}%"


def _fen_text(fen: int | None) -> str:
    return NO_DATA if fen is None else yuan(fen)


def print_report(report: Report, path: Path | None = None) -> None:
    from feedun.cli.console import out, table

    total = report.total_rate
    out.print(f"[bold]{report.month} 收费报表[/]（统计日 {report.as_of}）：应收 {_fen_text(total.receivable)} 元，"
              f"实收 {_fen_text(total.collected)} 元，收费率 {_pct_text(total.rate)}")
    money_cols = [("应收(元)", "right"), ("实收(元)", "right"), ("收费率", "right")]
    out.print(table("收费率", [("维度", "left"), ("名称", "left"), *money_cols],
                    [[DIMENSIONS[r.dimension], r.name, _fen_text(r.rate.receivable), _fen_text(r.rate.collected),
                      _pct_text(r.rate.rate)] for r in report.rates]))
    out.print(table(f"收费率趋势（近 {TREND_MONTHS} 个月）", [("月份", "left"), *money_cols],
                    [[t.month, _fen_text(t.total.receivable), _fen_text(t.total.collected), _pct_text(t.total.rate)]
                     for t in report.trend]))
    out.print(table(f"欠费账龄（截至 {report.as_of}）", [("账龄", "left"), ("户数", "right"), ("欠费金额(元)", "right")],
                    [[a.bucket, str(a.rooms), yuan(a.amount)] for a in report.aging]))
    out.print(table("缴费承诺（当月登记）", [("管家", "left"), ("承诺", "right"), ("已兑现", "right"), ("未兑现", "right"),
                                            ("待核对", "right"), ("兑现率", "right")],
                    [[p.collector, str(p.made), str(p.kept), str(p.broken), str(p.open), _pct_text(p.kept_rate, "—")]
                     for p in report.promises]))
    if report.effectiveness:
        out.print(table(f"招数效果（近 {EFFECT_LOOKBACK_DAYS} 天的分类，{EFFECT_WINDOW_DAYS} 天内缴费）",
                        [("招数", "left"), ("房次", "right"), ("有缴费", "right"), ("缴费比例", "right"),
                         ("回收(元)", "right")],
                        [[e.label, str(e.decisions), str(e.paid), _pct_text(e.paid_share, "—"), yuan(e.recovered)]
                         for e in report.effectiveness]))
        pending = [r for r in report.runs if not r.complete]
        if pending:
            out.print("观察期未满的分类：" + "、".join(str(r.as_of) for r in pending) + "（之后的台账导入后数字还会变）")
    else:
        out.print(f"招数效果：统计日前 {EFFECT_LOOKBACK_DAYS} 天内没有分类记录。")
    if report.limitation:
        out.print(table("临近诉讼时效（请尽快发函并保留送达凭证）",
                        [("管理处", "left"), ("房号", "left"), ("最早欠费期间", "left"), ("时效届满日(约)", "left"),
                         ("欠费金额(元)", "right")],
                        [[r.estate, r.room, r.oldest_period, r.limit_date.isoformat(), yuan(r.outstanding)]
                         for r in report.limitation]))
    else:
        out.print("没有临近诉讼时效的房间。")
    if path is not None:
        out.print(f"报表文件：{path}")
