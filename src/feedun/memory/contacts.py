"""Contacts with owners: the one list of outcome codes, channels, and recording a contact (with its promise)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.core.errors import FeedunError, UsageError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from feedun.store.rooms import Room

# DESIGN §4: one list, used by call lists, their read-back, `feedun log` and the policy.
OUTCOMES: dict[str, str] = {
    "paid_claimed": "称已缴费",
    "promised": "承诺缴费",
    "vague": "含糊推托",
    "busy_away": "忙或不在本地",
    "refused_quality": "因房屋质量拒缴",
    "refused_service": "因服务问题拒缴",
    "refused_unfair": "认为收费不合理拒缴",
    "refused_other": "其他原因拒缴",
    "no_answer": "无人接听",
    "invalid_number": "号码无效",
    "callback": "约定回电",
    "wrong_person": "非业主本人",
}
# Outcomes of an attempt that did not reach the owner.
FAILED_OUTCOMES = frozenset({"no_answer", "invalid_number", "wrong_person"})

CHANNELS: dict[str, str] = {
    "call": "电话", "sms": "短信", "visit": "上门", "wechat": "微信", "letter": "函件", "in_person": "当面",
}


def choices(vocabulary: dict[str, str]) -> str:
    return "、".join(f"{code}（{label}）" for code, label in vocabulary.items())


def parse_time(text: str | None, option: str, now: datetime) -> datetime | None:
    """'2026-12-03 19:00', ISO 8601 ('2026-12-03T19:00:00+08:00'), or a bare date (midnight)."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", text).strip().replace("/", "-")
    s = re.sub(r"(\d)\s*[年月]\s*", r"\1-", s).replace("日", " ").strip()
    try:
        value = datetime.fromisoformat(s)
    except ValueError:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2})[:：](\d{2})(?::(\d{2}))?)?", s)
        try:
            value = datetime(*(int(g) for g in m.groups(default="0"))) if m else None
        except ValueError:
            value = None
        if value is None:
            raise UsageError(f"{option} 的值“{text}”不是可识别的时间。",
                             hint="写成 2026-12-03 19:00 或 2026-12-03T19:00:00+08:00。") from None
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
    outcome: str
    channel: str = "call"
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
                "at": self.at.isoformat(sep=" "), "outcome": self.outcome, "outcome_label": OUTCOMES[self.outcome],
                "duplicate": self.duplicate, "promise_id": self.promise_id}


def validate(request: ContactRequest, now: datetime) -> datetime:
    """Check a contact before anything is written; returns its time."""
    if request.outcome not in OUTCOMES:
        raise UsageError(f"不认识的联系结果“{request.outcome}”。", hint=f"可用的结果代码：{choices(OUTCOMES)}。")
    if request.channel not in CHANNELS:
        raise UsageError(f"不认识的联系方式“{request.channel}”。", hint=f"可用的方式：{choices(CHANNELS)}。")
    at = request.at or now.replace(microsecond=0)
    if at > now + timedelta(minutes=5):
        raise UsageError(f"联系时间 {at:%Y-%m-%d %H:%M} 在将来。", hint="--at 填实际联系的时间；不填则为现在。")
    if request.outcome == "promised":
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


def log_contact(settings: Settings, request: ContactRequest, *, db_url: str | None = None,
                now: datetime | None = None) -> LoggedContact:
    """Record one contact (and its promise) in one transaction; the same room, time and outcome again is a no-op."""
    from feedun.store import open_store
    from feedun.store.rooms import find_room

    now = now or datetime.now()
    validate(request, now)
    with open_store(settings.db_url(db_url)).begin() as conn:
        room = find_room(conn, request.room, request.estate)
        return record_contact(conn, room, request, now)


def record_contact(conn: Connection, room: Room, request: ContactRequest, now: datetime) -> LoggedContact:
    """Inside the caller's transaction: validate, then insert the contact and its promise unless already there."""
    from sqlalchemy import select

    from feedun.store.schema import contacts, promises
    from feedun.store.snapshots import arrears_on

    at = validate(request, now)
    existing = conn.execute(select(contacts.c.id).where(
        contacts.c.room_id == room.id, contacts.c.at == at, contacts.c.outcome == request.outcome)).scalar()
    if existing is not None:
        promise = conn.execute(select(promises.c.id).where(promises.c.contact_id == existing)).scalar()
        return LoggedContact(existing, room.estate, room.room, room.owner, at, request.outcome, True, promise)
    promise_id = None
    baseline = 0
    if request.outcome == "promised":
        baseline = arrears_on(conn, room.estate, room.room, at.date())
        if baseline == 0:
            raise FeedunError(f"{room.label} 在 {at:%Y-%m-%d} 的台账中没有欠费，无需记录缴费承诺。",
                              hint="如业主称已缴费，用 --outcome paid_claimed。")
    contact_id = conn.execute(contacts.insert().values(
        room_id=room.id, owner=room.owner, at=at, channel=request.channel, outcome=request.outcome,
        promise_date=request.promise_date, promise_amount=request.promise_amount,
        callback_at=request.callback_at, by=request.by, note=request.note,
        recorded_at=now.replace(microsecond=0))).inserted_primary_key[0]
    if request.outcome == "promised":
        promise_id = conn.execute(promises.insert().values(
            contact_id=contact_id, room_id=room.id, owner=room.owner, made_at=at,
            promise_date=request.promise_date, amount=request.promise_amount, baseline=baseline,
            state="open")).inserted_primary_key[0]
    return LoggedContact(int(contact_id), room.estate, room.room, room.owner, at, request.outcome, False,
                         int(promise_id) if promise_id else None)
