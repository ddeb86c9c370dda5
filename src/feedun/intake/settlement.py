"""What a new ledger snapshot tells about the rooms of its estates: owners, payments, promises kept or broken.

Runs inside the import's transaction (store/ledger.py calls `settle_import` with its connection), so an import
and its consequences land together or not at all. The rules are in docs/design.md, "Settlement"; the SQL is in
store/settlement.py, store/payments.py and store/promises.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from feedun.core.money import yuan
from feedun.core.vocab import PromiseState
from feedun.store.history import add_room_event
from feedun.store.payments import Payment, add_payments
from feedun.store.promises import open_promises_before, record_paid, settle_promise, void_open_promises
from feedun.store.purge import ERASED
from feedun.store.settlement import add_rooms, estate_rooms, is_newest, previous_snapshot, room_balances, set_owner

if TYPE_CHECKING:
    from feedun.store.handle import Connection

Balances = dict[str, tuple[str, int]]  # room -> (owner, arrears in fen), see store.settlement.room_balances


@dataclass
class Settlement:
    new_rooms: int = 0
    payments: int = 0
    paid_total: int = 0  # fen
    promises_kept: int = 0
    promises_broken: int = 0
    owner_changes: list[str] = field(default_factory=list)
    owners_restored: int = 0  # purged rooms the ledger names again (not owner changes)
    notes: list[str] = field(default_factory=list)


def settle_import(conn: Connection, import_id: int, as_of: date, estates: list[str]) -> Settlement:
    """Settle each estate of a just-written snapshot, inside the caller's transaction (never opens its own).

    Only the estate's newest snapshot settles anything: an older one imported late would read payments backwards.
    """
    result = Settlement()
    now = datetime.now().replace(microsecond=0)
    for estate in estates:
        if not is_newest(conn, estate, import_id, as_of):
            result.notes.append(f"{estate}：已有更晚日期的台账，这份较早的快照不用于计算缴费和承诺")
            continue
        current = room_balances(conn, import_id, estate)
        previous_id = previous_snapshot(conn, estate, import_id, as_of)
        previous = room_balances(conn, previous_id, estate) if previous_id else {}
        ids = update_rooms(conn, estate, current, import_id, now, result)
        record_payments(conn, previous, current, ids, import_id, as_of, result)
        settle_promises(conn, estate, current, import_id, as_of, result)
    return result


def update_rooms(conn: Connection, estate: str, current: Balances, import_id: int, now: datetime,
                 result: Settlement) -> dict[str, int]:
    """Add the rooms seen for the first time and follow owner changes; returns room -> id for the estate."""
    known = estate_rooms(conn, estate)
    fresh = {room: owner for room, (owner, _) in current.items() if room not in known}
    add_rooms(conn, estate, fresh, import_id)
    result.new_rooms += len(fresh)
    for room, (owner, _) in current.items():
        old = known.get(room)
        if old is None:
            continue
        if owner and old.owner == ERASED:
            # Purged for retention (admin/purge.py): the erased name cannot be compared, and the ledger names the
            # room's owner again. Not a sale: no event, nothing voided; history from now on is theirs.
            set_owner(conn, old.id, owner, import_id)
            result.owners_restored += 1
        elif owner and old.owner and owner != old.owner:
            # A sale: the previous owner's tags, disputes and open promises stay with them.
            set_owner(conn, old.id, owner, import_id)
            void_open_promises(conn, old.id, old.owner)
            detail = f"业主由“{old.owner}”变更为“{owner}”，原业主的标签、纠纷和未兑现的承诺不再沿用"
            add_room_event(conn, old.id, now, "owner_change", detail)
            result.owner_changes.append(f"{room}：{old.owner} → {owner}")
        elif owner and not old.owner:  # the ledger now names an owner it left blank before
            set_owner(conn, old.id, owner, import_id)
    return {room: r.id for room, r in estate_rooms(conn, estate).items()}


def record_payments(conn: Connection, previous: Balances, current: Balances, ids: dict[str, int], import_id: int,
                    as_of: date, result: Settlement) -> None:
    """Each fall in a room's arrears since the previous snapshot is a payment; a room gone from it paid up."""
    rows = []
    for room, (owner, before) in previous.items():
        after = current.get(room, (owner, 0))[1]
        if after < before and room in ids:
            rows.append(Payment(room_id=ids[room], owner=owner, amount=before - after, seen_on=as_of,
                                import_id=import_id, paid_up=after == 0))
    add_payments(conn, rows)
    result.payments += len(rows)
    result.paid_total += sum(p.amount for p in rows)


def settle_promises(conn: Connection, estate: str, current: Balances, import_id: int, as_of: date,
                    result: Settlement) -> None:
    """Judge the open promises this snapshot can speak for (made before its date), by what the room paid since.

    Kept as soon as the payments cover the promised amount (everything owed when promising, when no amount was
    given) or the arrears reach zero, on or before the promise date or at the first snapshot after it; broken when
    the date has passed without that; otherwise still open, with what was paid so far (期间缴费). Payments are the
    falls snapshot by snapshot (record_payments, run first), so a new bill between them hides no payment.
    """
    for p in open_promises_before(conn, estate, as_of):
        now_owing = current.get(p.room, ("", 0))[1]
        target = p.amount if p.amount is not None else p.baseline
        if now_owing == 0 or p.paid >= target:
            settle_promise(conn, p.id, PromiseState.KEPT, p.paid, as_of, import_id)
            result.promises_kept += 1
        elif p.promise_date < as_of:
            settle_promise(conn, p.id, PromiseState.BROKEN, p.paid, as_of, import_id)
            result.promises_broken += 1
        else:
            record_paid(conn, p.id, p.paid)


def describe(result: Settlement) -> list[str]:
    """Lines for the import summary (notes about skipped settlement go with the warnings)."""
    lines = []
    if result.payments:
        lines.append(f"与上一份台账相比，{result.payments} 户欠费减少，共 {yuan(result.paid_total)} 元，已记为缴费")
    if result.promises_kept or result.promises_broken:
        lines.append(f"到期的缴费承诺：兑现 {result.promises_kept} 个，未兑现 {result.promises_broken} 个")
    if result.owners_restored:
        lines.append(f"{result.owners_restored} 个房间的业主信息此前已按保存期限清除，本台账重新记载了业主姓名"
                     "（不视为业主变更）")
    if result.owner_changes:
        shown = "；".join(result.owner_changes[:5]) + ("等" if len(result.owner_changes) > 5 else "")
        lines.append(f"{len(result.owner_changes)} 个房间业主变更（{shown}）：原业主的标签、纠纷和未兑现承诺不再沿用")
    return lines
