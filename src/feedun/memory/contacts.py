"""Contacts with owners: the one list of outcome codes, channels, and recording a contact (with its promise)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.core.errors import FeedunError, UsageError
from feedun.core.numbers import DATE_FORMS, parse_day
from feedun.core.vocab import CHANNEL_LABELS, FAILED_OUTCOMES, OUTCOME_LABELS, Channel, Outcome, choices
from feedun.store.contacts import ContactEntry, contacts_of_rooms, insert_contacts
from feedun.store.promises import NewPromise, insert_promises
from feedun.store.rooms import find_room
from feedun.store.snapshots import arrears_in_snapshot, snapshots_on

if TYPE_CHECKING:
    from feedun.store import Store
    from feedun.store.handle import Connection
    from feedun.store.rooms import Room

# One list of outcomes and channels (docs/design.md, "Contacts"), defined in core/vocab.py. These names stay for
# the modules that import them from here (call lists and their read-back, letters, the policy, views).
OUTCOMES = OUTCOME_LABELS
CHANNELS = CHANNEL_LABELS
__all__ = ["CHANNELS", "FAILED_OUTCOMES", "OUTCOMES", "ContactRequest", "LoggedContact", "choices", "log_contact",
           "parse_money", "parse_time", "record_contact", "record_contacts", "validate"]


_CLOCK = re.compile(r"(?:^|(?<=[\sT日号]))(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?$")


def parse_time(text: str | None, option: str, now: datetime, *, forward: bool = False) -> datetime | None:
    """A time as people write it: a date (core/numbers.py, parse_day: 2026-12-03, 2026/12/03, 2026年12月3日,
    20261203, 12月3日 …) with an optional HH:MM[:SS] (full-width colon too), or ISO 8601
    ('2026-12-03T19:00:00+08:00'); a bare date is midnight. A date without a year is in `now`'s year, or with
    `forward` (a callback) the next year when that day has passed. Anything else is refused naming `option`."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    try:
        value: datetime | None = datetime.fromisoformat(s)
    except ValueError:
        value = None
    if value is None:
        clock = _CLOCK.search(s)
        day_text = s[:clock.start()].rstrip(" T") if clock else s
        day = parse_day(day_text, today=now.date(), forward=forward) if day_text else None
        try:
            value = (datetime(day.year, day.month, day.day, *(int(g) for g in clock.groups(default="0")))
                     if clock else datetime(day.year, day.month, day.day)) if day is not None else None
        except ValueError:  # 25:00, 19:75
            value = None
        if value is None:
            raise UsageError(f"{option} 的值“{text}”不是可识别的时间。",
                             hint=f"写成 2026-12-03 19:00；日期也可写 {DATE_FORMS}，时间写 19:00。")
    if value.tzinfo is not None:  # stored as local wall-clock time, like everything a collector types
        value = value.astimezone().replace(tzinfo=None)
    return value.replace(microsecond=0)


def parse_money(text: str | None, option: str) -> int | None:
    from feedun.intake.values import parse_amount

    if text is None:
        return None
    try:
        fen = parse_amount(text)
    except ValueError as exc:
        raise UsageError(f"{option}：{exc}", hint="金额以元为单位，例如 600 或 1,234.50。") from None
    if fen is None or fen <= 0:
        raise UsageError(f"{option} 应为大于 0 的金额。", hint="例如 --promise-amount 600。")
    return fen


@dataclass
class ContactRequest:
    room: str
    outcome: str  # an Outcome id; checked by validate(), since people and call lists type it
    channel: str = Channel.CALL
    estate: str | None = None
    promise_date: date | None = None
    promise_amount: int | None = None  # fen
    callback_at: datetime | None = None
    by: str = ""
    at: datetime | None = None
    note: str = ""


@dataclass
class LoggedContact:
    contact_id: int
    estate: str
    room: str
    owner: str
    at: datetime
    outcome: str
    duplicate: bool
    promise_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"contact_id": self.contact_id, "estate": self.estate, "room": self.room, "owner": self.owner,
                "at": self.at.isoformat(sep=" "), "outcome": self.outcome,
                "outcome_label": OUTCOME_LABELS[Outcome(self.outcome)], "duplicate": self.duplicate, "promise_id": self.promise_id}


def validate(request: ContactRequest, now: datetime) -> datetime:
    """Check a contact before anything is written; returns its time. Pure, so the CLI can call it before it opens
    the store and a typo never creates or touches one."""
    if request.outcome not in OUTCOME_LABELS:
        raise UsageError(f"不认识的联系结果“{request.outcome}”。", hint=f"可用的结果代码：{choices(OUTCOME_LABELS)}。")
    if request.channel not in CHANNEL_LABELS:
        raise UsageError(f"不认识的联系方式“{request.channel}”。", hint=f"可用的方式：{choices(CHANNEL_LABELS)}。")
    at = request.at or now.replace(microsecond=0)
    if at > now + timedelta(minutes=5):
        raise UsageError(f"联系时间 {at:%Y-%m-%d %H:%M} 在将来。", hint="--at 填实际联系的时间；不填则为现在。")
    if request.outcome == Outcome.PROMISED:
        if request.promise_date is None:
            raise UsageError("结果为 promised（承诺缴费）时必须给出承诺日期。", hint="加上 --promise-date 2026-12-05，金额用 --promise-amount。")
        if request.promise_date < at.date():
            raise UsageError(f"承诺日期 {request.promise_date} 早于联系时间 {at:%Y-%m-%d}。",
                             hint="承诺日期应在联系当天或之后。")
    elif request.promise_date is not None or request.promise_amount is not None:
        raise UsageError("只有结果为 promised（承诺缴费）时才能填写承诺日期和金额。",
                         hint="业主答应了具体日期，就用 --outcome promised。")
    if request.callback_at is not None and request.callback_at < at:
        raise UsageError("约定回电时间早于联系时间。", hint="--callback 填将来回电的时间。")
    return at


def log_contact(store: Store, settings: Settings, request: ContactRequest, *,
                now: datetime | None = None) -> LoggedContact:
    """Record one contact (and its promise) in one transaction; the same room, time and outcome again is a no-op.

    `settings` is taken like every memory command's library call, for a uniform signature.
    """
    now = now or datetime.now()
    validate(request, now)
    with store.write() as conn:
        room = find_room(conn, request.room, request.estate)
        return record_contact(conn, room, request, now)


def record_contact(conn: Connection, room: Room, request: ContactRequest, now: datetime) -> LoggedContact:
    """Inside the caller's transaction (never opens its own): validate, then write the contact and its promise
    unless already there."""
    result = record_contacts(conn, [(room, request)], now)[0]
    if isinstance(result, FeedunError):
        raise result
    return result


def record_contacts(conn: Connection, requests: Sequence[tuple[Room, ContactRequest]],
                    now: datetime) -> list[LoggedContact | FeedunError]:
    """record_contact for each (room, request) in order, inside the caller's transaction, in a few statements:
    one result per request, the logged contact or the error that refused it (nothing written for that one).

    Invariant: the same as calling record_contact for each in turn, the same ids included. So a later request
    with the same room, time and outcome as an earlier one here is a duplicate of it; a promise's baseline (what
    the room owed that day) is read before anything is written, as no contact changes the ledger. A filled call
    list's import calls this once for all its rows.
    """
    results: list[LoggedContact | FeedunError | None] = [None] * len(requests)
    times: dict[int, datetime] = {}
    for i, (_, request) in enumerate(requests):
        try:
            times[i] = validate(request, now)
        except FeedunError as exc:
            results[i] = exc
    existing = contacts_of_rooms(conn, {requests[i][0].id for i in times})
    baselines = _baselines(conn, [(requests[i][0], at.date()) for i, at in times.items()
                                  if requests[i][1].outcome == Outcome.PROMISED])
    new: list[int] = []
    first_of: dict[tuple[int, datetime, str], int] = {}  # a key written here -> the request that writes it
    repeats: dict[int, int] = {}  # a request -> the earlier request here it repeats
    for i, at in times.items():
        room, request = requests[i]
        outcome = Outcome(request.outcome)
        key = (room.id, at, outcome.value)
        if key in existing:
            contact_id, promise_id = existing[key]
            results[i] = LoggedContact(contact_id, room.estate, room.room, room.owner, at, outcome, True, promise_id)
        elif key in first_of:
            repeats[i] = first_of[key]
        elif outcome is Outcome.PROMISED and baselines[(room.estate, room.room, at.date())] == 0:
            results[i] = FeedunError(f"{room.label} 在 {at:%Y-%m-%d} 的台账中没有欠费，无需记录缴费承诺。",
                                     hint="如业主称已缴费，用 --outcome paid_claimed。")
        else:
            first_of[key] = i
            new.append(i)
    entries = [(requests[i][0].id, _entry(requests[i][0], requests[i][1], times[i])) for i in new]
    contact_ids = dict(zip(new, insert_contacts(conn, entries, recorded_at=now.replace(microsecond=0)), strict=True))
    promised = [i for i in new if requests[i][1].outcome == Outcome.PROMISED]
    promise_ids = dict(zip(promised, insert_promises(conn, [_promise(requests[i], times[i], contact_ids[i], baselines)
                                                            for i in promised]), strict=True))
    for i in new:
        room, request = requests[i]
        results[i] = LoggedContact(contact_ids[i], room.estate, room.room, room.owner, times[i],
                                   Outcome(request.outcome), False, promise_ids.get(i))
    for i, first in repeats.items():
        room, request = requests[i]
        results[i] = LoggedContact(contact_ids[first], room.estate, room.room, room.owner, times[i],
                                   Outcome(request.outcome), True, promise_ids.get(first))
    return [result for result in results if result is not None]


def _baselines(conn: Connection, wanted: list[tuple[Room, date]]) -> dict[tuple[str, str, date], int]:
    """What each room owed on each day, in the snapshot current then: the snapshots looked up once per estate,
    the arrears summed once per snapshot."""
    days: dict[str, set[date]] = {}
    for room, day in wanted:
        days.setdefault(room.estate, set()).add(day)
    snapshot = {(estate, day): import_id for estate, those in days.items()
                for day, import_id in snapshots_on(conn, estate, sorted(those)).items()}
    groups: dict[tuple[str, int], set[str]] = {}
    for room, day in wanted:
        import_id = snapshot[(room.estate, day)]
        if import_id is not None:
            groups.setdefault((room.estate, import_id), set()).add(room.room)
    owed = {(estate, import_id, room): fen for (estate, import_id), codes in groups.items()
            for room, fen in arrears_in_snapshot(conn, import_id, estate, codes).items()}
    return {(room.estate, room.room, day): owed.get((room.estate, snapshot[(room.estate, day)], room.room), 0)
            for room, day in wanted}


def _entry(room: Room, request: ContactRequest, at: datetime) -> ContactEntry:
    return ContactEntry(at=at, owner=room.owner, channel=Channel(request.channel), outcome=Outcome(request.outcome),
                        promise_date=request.promise_date, promise_amount=request.promise_amount,
                        callback_at=request.callback_at, by=request.by, note=request.note)


def _promise(item: tuple[Room, ContactRequest], at: datetime, contact_id: int,
             baselines: dict[tuple[str, str, date], int]) -> NewPromise:
    room, request = item
    assert request.promise_date is not None  # validate() requires it of a promise
    return NewPromise(contact_id, room.id, room.owner, at, request.promise_date, request.promise_amount,
                      baselines[(room.estate, room.room, at.date())])
