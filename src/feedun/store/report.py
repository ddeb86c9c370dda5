"""What `feedun report` reads: month lines of a snapshot, arrears month on month, promises made, classify runs and
the payments after them, letters sent.

Each function takes a Connection (call them all inside one `Store.read()` so the figures agree with each other)
and returns plain values; the metrics themselves are computed above the store (outputs/report/metrics.py).
Money is integer fen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, case, func, select

from feedun.core.tactics import Tactic
from feedun.core.vocab import ImportKind, PromiseState
from feedun.store.schema import (
    decisions,
    import_estates,
    imports,
    ledger_lines,
    letters,
    payments,
    promises,
    rooms,
    runs,
)


@dataclass(frozen=True)
class Snapshot:
    """One estate's ledger import and the day it is dated."""

    import_id: int
    as_of: date


@dataclass(frozen=True)
class PeriodLine:
    """One ledger line of a period; amount_due is None when the ledger did not say what was billed."""

    building: str
    room: str
    amount_due: int | None
    outstanding: int


@dataclass(frozen=True)
class PeriodTotals:
    """Sums over a period's lines that carry an amount due (`lines` of them); owed counts credits as 0."""

    lines: int
    amount_due: int
    owed: int


@dataclass(frozen=True)
class PromiseMade:
    estate: str
    room: str
    state: PromiseState


@dataclass(frozen=True)
class RunDecision:
    """One room's decision in a stored classify run; tactic None when a hold applied."""

    run_id: int
    room_id: int
    owner: str
    tactic: Tactic | None
    outstanding: int


@dataclass(frozen=True)
class Payment:
    """A fall in a room's arrears, seen when a ledger snapshot dated `seen_on` was imported."""

    room_id: int
    owner: str
    seen_on: date
    amount: int


def collector_overrides(conn: Connection) -> dict[tuple[str, str], str | None]:
    """(estate, room) -> the collector set on the room itself (None: fall back to feedun.toml)."""
    return {(e, r): c for e, r, c in conn.execute(select(rooms.c.estate, rooms.c.room, rooms.c.collector))}


def ledger_estates(conn: Connection) -> list[str]:
    """Every estate any ledger import was a snapshot of, sorted."""
    query = (select(import_estates.c.estate).join(imports, imports.c.id == import_estates.c.import_id)
             .where(imports.c.kind == ImportKind.LEDGER).distinct())
    return sorted(e for (e,) in conn.execute(query))


def period_lines(conn: Connection, import_id: int, estate: str, period: str) -> list[PeriodLine]:
    """Every line of the snapshot for this estate and period (start month), with or without an amount due."""
    ll = ledger_lines
    rows = conn.execute(select(ll.c.building, ll.c.room, ll.c.amount_due, ll.c.outstanding)
                        .where(ll.c.import_id == import_id, ll.c.estate == estate, ll.c.period == period))
    return [PeriodLine(building or "", room, None if due is None else int(due), int(outstanding))
            for building, room, due, outstanding in rows]


def periods_totals(conn: Connection, wanted: Iterable[tuple[int, str, str]]) -> dict[tuple[int, str, str], PeriodTotals]:
    """period_totals for many (snapshot, estate, period): one grouped query per snapshot, not one per estate and
    month (a 12-month trend of 40 estates is 480 questions, each a scan of the estate's lines). Every key asked
    for is answered; a period without lines has zero totals."""
    ll = ledger_lines
    owed = case((ll.c.outstanding > 0, ll.c.outstanding), else_=0)
    keys = set(wanted)
    by_import: dict[int, tuple[set[str], set[str]]] = {}
    for import_id, estate, period in keys:
        estates, periods = by_import.setdefault(import_id, (set(), set()))
        estates.add(estate)
        periods.add(period)
    found = dict.fromkeys(keys, PeriodTotals(0, 0, 0))
    for import_id, (estates, periods) in by_import.items():
        query = (select(ll.c.estate, ll.c.period, func.count(), func.sum(ll.c.amount_due), func.sum(owed))
                 .where(ll.c.import_id == import_id, ll.c.estate.in_(sorted(estates)), ll.c.period.in_(sorted(periods)),
                        ll.c.amount_due.is_not(None))
                 .group_by(ll.c.estate, ll.c.period))
        for estate, period, count, due, left in conn.execute(query):
            if (import_id, estate, period) in found:
                found[(import_id, estate, period)] = PeriodTotals(int(count or 0), int(due or 0), int(left or 0))
    return found


def promises_made(conn: Connection, start: datetime, end: datetime) -> list[PromiseMade]:
    """Promises made in [start, end), in their state now; void ones (the room changed hands) left out."""
    query = (select(rooms.c.estate, rooms.c.room, promises.c.state).join(rooms, rooms.c.id == promises.c.room_id)
             .where(promises.c.made_at >= start, promises.c.made_at < end, promises.c.state != PromiseState.VOID))
    return [PromiseMade(estate, room, PromiseState(state)) for estate, room, state in conn.execute(query)]


def runs_between(conn: Connection, since: date, until: date) -> dict[int, date]:
    """Stored classify runs dated in [since, until]: run id -> date."""
    return {rid: d for rid, d in conn.execute(select(runs.c.id, runs.c.as_of)
                                              .where(runs.c.as_of >= since, runs.c.as_of <= until))}


def newest_ledger_date(conn: Connection, until: date | None = None) -> date | None:
    """The date of the newest ledger snapshot of any estate (dated on or before `until`, when given)."""
    query = select(func.max(imports.c.as_of)).where(imports.c.kind == ImportKind.LEDGER)
    if until is not None:
        query = query.where(imports.c.as_of <= until)
    return conn.execute(query).scalar()


@dataclass(frozen=True)
class ArrearsPoint:
    """Rooms with arrears and their arrears (fen) in one estate's snapshot dated `as_of`."""

    as_of: date
    rooms: int
    amount: int


def month_arrears(conn: Connection, start: date, end: date) -> dict[str, ArrearsPoint]:
    """estate -> its arrears in its newest ledger snapshot dated in [start, end]; estates without one are absent.

    A room counts when any of its lines is in arrears; the amount is the sum of those lines (credits left out),
    as the debtor list counts them."""
    query = (select(import_estates.c.estate, imports.c.id, imports.c.as_of)
             .join(imports, imports.c.id == import_estates.c.import_id)
             .where(imports.c.kind == ImportKind.LEDGER, imports.c.as_of >= start, imports.c.as_of <= end))
    newest: dict[str, tuple[date, int]] = {}
    for estate, import_id, as_of in conn.execute(query):
        if estate not in newest or (as_of, import_id) > newest[estate]:
            newest[estate] = (as_of, import_id)
    ll = ledger_lines
    found = {}
    for estate, (as_of, import_id) in newest.items():
        count, amount = conn.execute(
            select(func.count(func.distinct(ll.c.room)), func.sum(ll.c.outstanding))
            .where(ll.c.import_id == import_id, ll.c.estate == estate, ll.c.outstanding > 0)).one()
        found[estate] = ArrearsPoint(as_of, int(count or 0), int(amount or 0))
    return found


@dataclass(frozen=True)
class SeenPayment:
    """A fall in a room's arrears seen in the snapshot dated `seen_on`, with the room's estate and number."""

    room_id: int
    estate: str
    room: str
    owner: str
    seen_on: date
    amount: int


def payments_seen(conn: Connection, after: date, until: date) -> list[SeenPayment]:
    """Payments seen in snapshots dated in (after, until], with their rooms."""
    query = (select(payments.c.room_id, rooms.c.estate, rooms.c.room, payments.c.owner, payments.c.seen_on,
                    payments.c.amount).join(rooms, rooms.c.id == payments.c.room_id)
             .where(payments.c.seen_on > after, payments.c.seen_on <= until))
    return [SeenPayment(room_id, estate, room, owner, seen_on, int(amount))
            for room_id, estate, room, owner, seen_on, amount in conn.execute(query)]


@dataclass(frozen=True)
class RoomDecision:
    """A room's decision in the classify run dated `as_of`; tactic None when a hold applied."""

    room_id: int
    owner: str
    as_of: date
    tactic: Tactic | None


def room_decisions(conn: Connection, room_ids: Iterable[int], since: date, before: date) -> list[RoomDecision]:
    """The decisions on these rooms in classify runs dated in [since, before)."""
    ids = sorted(set(room_ids))
    found: list[RoomDecision] = []
    for i in range(0, len(ids), 500):
        query = (select(decisions.c.room_id, decisions.c.owner, runs.c.as_of, decisions.c.tactic)
                 .join(runs, runs.c.id == decisions.c.run_id)
                 .where(decisions.c.room_id.in_(ids[i:i + 500]), runs.c.as_of >= since, runs.c.as_of < before))
        found += [RoomDecision(room_id, owner, as_of, Tactic(tactic) if tactic else None)
                  for room_id, owner, as_of, tactic in conn.execute(query)]
    return found


def run_decisions(conn: Connection, run_ids: Iterable[int]) -> list[RunDecision]:
    """Every room's decision in these runs."""
    ids = list(run_ids)
    if not ids:
        return []
    query = select(decisions.c.run_id, decisions.c.room_id, decisions.c.owner, decisions.c.tactic,
                   decisions.c.outstanding).where(decisions.c.run_id.in_(ids))
    return [RunDecision(run_id, room_id, owner, Tactic(tactic) if tactic else None, int(outstanding))
            for run_id, room_id, owner, tactic, outstanding in conn.execute(query)]


def payments_between(conn: Connection, after: date, until: date) -> list[Payment]:
    """Payments seen in snapshots dated in (after, until]."""
    query = (select(payments.c.room_id, payments.c.owner, payments.c.seen_on, payments.c.amount)
             .where(payments.c.seen_on > after, payments.c.seen_on <= until))
    return [Payment(room_id, owner, seen_on, int(amount)) for room_id, owner, seen_on, amount in conn.execute(query)]


SENT_STATES = ("sent", "signed", "returned")  # core.vocab.SENT_STATES: a letter that left the office


def letters_sent(conn: Connection, since: date, until: date) -> dict[str, int]:
    """kind (dunning, lawyer) -> letters sent in [since, until] that left the office (sent, signed or returned;
    a letter voided after it was marked sent is not counted)."""
    query = (select(letters.c.kind, func.count()).where(letters.c.state.in_(SENT_STATES), letters.c.sent_on >= since,
                                                         letters.c.sent_on <= until).group_by(letters.c.kind))
    return {kind: int(count) for kind, count in conn.execute(query)}
