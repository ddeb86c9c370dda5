"""SMS delivery reports (短信发送记录) from Aliyun or Tencent: each delivered or failed bill notice becomes a contact.

A delivered notice is a demand that reached the owner's phone: it counts as reaching the owner for the limitation
flag (民法典 第一百九十五条: a demand that arrives interrupts the three-year period; keep the platform's record as
evidence). A failed one counts as a failed attempt, so a number that fails again and again leads to tactic 4
(trace). Reports still waiting for the network's receipt are skipped and counted, to be imported again later.

A report names numbers, not rooms: the room is the one whose current ledger lists the number; when a number
belongs to several rooms, the room code in the text decides (feedun writes one notice per room, naming it), and
without one the row is refused rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from feedun.config import Settings
from feedun.core.calendar import CHINA, china_now
from feedun.core.errors import FeedunError
from feedun.core.vocab import Channel, ImportKind, Outcome
from feedun.intake.headers import receipt_columns
from feedun.intake.normalize import Reject
from feedun.intake.protocol import Applied, Extracted, FoundSheet, Options, Transaction
from feedun.intake.values import clean_text

DELIVERED = {"成功", "发送成功", "接收成功", "送达", "已送达", "delivered", "delivrd", "success", "true", "3"}
FAILED = {"失败", "发送失败", "接收失败", "未送达", "fail", "failed", "false", "2"}
WAITING = {"等待回执", "发送中", "待回执", "pending", "sending", "1"}
BY = "短信平台回执"


@dataclass
class ReceiptRow:
    row: int
    mobile: str
    delivered: bool
    at: datetime
    content: str
    detail: str


def _cell(values: tuple, index: int | None) -> str:
    if index is None or index >= len(values):
        return ""
    value = values[index]
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(value)


def mobile_of(text: str) -> str | None:
    """'+8613812345678', '8613812345678', '0086 138 1234 5678' -> '13812345678'; None for anything else.

    >>> mobile_of("+8613812345678"), mobile_of("0086 138-1234-5678"), mobile_of("13812345678"), mobile_of("0571-1")
    ('13812345678', '13812345678', '13812345678', None)
    """
    digits = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text))
    digits = re.sub(r"^(?:\+86|0086|86)(?=1\d{10}$)", "", digits)
    return digits if re.fullmatch(r"1\d{10}", digits) else None


def _time(text: str) -> datetime | None:
    """'2026-12-07 09:12:03', '2026/12/07 09:12', an ISO time, or a UNIX timestamp (Tencent's UserReceiveTime,
    seconds) as Beijing wall-clock time."""
    if not text:
        return None
    if re.fullmatch(r"\d{10}", text):
        return datetime.fromtimestamp(int(text), CHINA).replace(tzinfo=None)
    try:
        value = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None
    return value.astimezone(CHINA).replace(tzinfo=None) if value.tzinfo else value


def is_sms_receipt(headers: list[str]) -> bool:
    return bool(receipt_columns(headers))


class SmsReceiptImporter:
    """Delivery reports: one contact (channel sms, outcome delivered or failed) per reported message."""

    kind = ImportKind.SMS_RECEIPTS

    def identify(self, found: FoundSheet) -> bool:
        return is_sms_receipt(found.headers)

    def extract(self, found: FoundSheet, settings: Settings, options: Options) -> Extracted:
        headers = [clean_text(h) for h in found.sheet.preview()[found.header_row]]
        col = receipt_columns(headers)
        body = found.sheet.body(found.header_row + 1)
        first_row = found.header_row + 2
        rows: list[ReceiptRow] = []
        rejects: list[Reject] = []
        skipped = {"空行": 0, "等待回执": 0}
        for index, values in enumerate(body.itertuples(index=False, name=None)):
            number = first_row + index
            cells = {field: _cell(values, at) for field, at in col.items()}
            if not any(cells.values()):
                skipped["空行"] += 1
                continue
            status = cells.get("status", "").lower()
            if status in WAITING:
                skipped["等待回执"] += 1
                continue
            if status not in DELIVERED | FAILED:
                rejects.append(Reject(number, f"不认识的发送状态“{cells.get('status', '')}”"))
                continue
            mobile = mobile_of(cells.get("phone", ""))
            if mobile is None:
                rejects.append(Reject(number, f"“{cells.get('phone', '')}”不是手机号"))
                continue
            at = _time(cells.get("received_at", "")) or _time(cells.get("sent_at", ""))
            if at is None:
                rejects.append(Reject(number, "没有可读的发送时间或接收时间"))
                continue
            rows.append(ReceiptRow(number, mobile, status in DELIVERED, at, cells.get("content", ""),
                                   cells.get("detail", "")))
        return Extracted(path=found.path, sheet=found.sheet.name, as_of=options.now.date(), rows=rows,
                         rows_read=len(body), headers=headers, body=body, first_row=first_row, rejects=rejects,
                         skipped=skipped, column_mapping={headers[i]: field for field, i in col.items()})

    def apply(self, tx: Transaction, extracted: Extracted, settings: Settings, *, import_id: int,
              options: Options) -> Applied:
        from feedun.memory.contacts import ContactRequest, record_contact
        from feedun.store.rooms import find_room, rooms_by_mobile

        owners = rooms_by_mobile(tx)
        # Report times are Beijing time; a server on UTC would otherwise see them as hours in the future.
        now = max(options.now, china_now())
        rejects: list[Reject] = []
        delivered = failed = duplicates = 0
        for row in extracted.rows:
            try:
                estate, room = _room_of(row, owners.get(row.mobile, []))
                request = ContactRequest(
                    room=room, estate=estate, outcome=Outcome.SMS_DELIVERED if row.delivered else Outcome.SMS_FAILED,
                    channel=Channel.SMS, at=row.at, by=BY, note=row.detail)
                logged = record_contact(tx, find_room(tx, room, estate), request, now)
            except (ValueError, FeedunError) as exc:
                rejects.append(Reject(row.row, exc.message if isinstance(exc, FeedunError) else str(exc)))
                continue
            if logged.duplicate:
                duplicates += 1
            elif row.delivered:
                delivered += 1
            else:
                failed += 1
        changes = [f"{n} 条{what}" for n, what in ((delivered, "短信已送达，记为送达业主的催收"),
                                                  (failed, "短信未送达，号码存疑")) if n]
        refused = None
        if not delivered and not failed and not duplicates and (rejects or extracted.rejects):
            refused = f"全部 {len(rejects) + len(extracted.rejects)} 行回执都被拒收，没有导入任何内容。"
        return Applied(delivered + failed, rejects=rejects, skipped={"已记录过": duplicates}, changes=changes,
                       refused=refused)


def _room_of(row: ReceiptRow, candidates: list[tuple[str, str]]) -> tuple[str, str]:
    """The room a reported message was for; ValueError with the reason when the report cannot say."""
    if not candidates:
        raise ValueError(f"台账中没有手机号 {row.mobile[:3]}****{row.mobile[-4:]} 的房间")
    if len(candidates) == 1:
        return candidates[0]
    named = [c for c in candidates if row.content and c[1] in row.content]
    if len(named) == 1:
        return named[0]
    rooms = "、".join(f"{e} {r}" for e, r in candidates)
    raise ValueError(f"手机号 {row.mobile[:3]}****{row.mobile[-4:]} 对应多户（{rooms}），短信内容里没有可以区分的房号")
