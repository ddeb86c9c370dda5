"""What a new ledger snapshot tells about the rooms of its estates: owners, payments, promises kept or broken.

Runs inside the import's transaction, so an import and its consequences land together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, and_, case, func, select, tuple_

from feedun.core.money import yuan
from feedun.store.schema import import_estates, imports, ledger_lines, payments, promises, room_events, rooms


@dataclass
class Settlement:
    new_rooms: int = 0
    payments: int = 0
    paid_total: int = 0  # fen
    promises_kept: int = 0
    promises_broken: int = 0
    owner_changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def room_balances(conn: Connection, import_id: int, estate: str) -> dict[str, tuple[str, int]]:
    """room -> (owner, arrears in fen) in one snapshot of an estate. Credits do not offset arrears."""
    arrears = func.sum(case((ledger_lines.c.outstanding > 0, ledger_lines.c.outstanding), else_=0))
    query = (select(ledger_lines.c.room, func.max(ledger_lines.c.owner), arrears)
             .where(ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate)
             .group_by(ledger_lines.c.room))
    return {room: (owner or "", int(total or 0)) for room, owner, total in conn.execute(query)}


def previous_snapshot(conn: Connection, estate: str, import_id: int, as_of: date) -> int | None:
    """The estate's snapshot just before (as_of, import_id), or None."""
    query = (select(imports.c.id)
             .join(import_estates, import_estates.c.import_id == imports.c.id)
             .where(import_estates.c.estate == estate, imports.c.kind == "ledger",
                    tuple_(imports.c.as_of, imports.c.id) < tuple_(as_of, import_id))
             .order_by(imports.c.as_of.desc(), imports.c.id.desc()).limit(1))
    return conn.execute(query).scalar()


def is_newest(conn: Connection, estate: str, import_id: int, as_of: date) -> bool:
    query = (select(func.count()).select_from(imports)
             .join(import_estates, import_estates.c.import_id == imports.c.id)
             .where(import_estates.c.estate == estate, imports.c.kind == "ledger",
                    tuple_(imports.c.as_of, imports.c.id) > tuple_(as_of, import_id)))
    return conn.execute(query).scalar_one() == 0


def settle_import(conn: Connection, import_id: int, as_of: date, estates: list[str]) -> Settlement:
    result = Settlement()
    now = datetime.now().replace(microsecond=0)
    for estate in estates:
        if not is_newest(conn, estate, import_id, as_of):
            result.notes.append(f"{estate}：已有更晚日期的台账，这份较早的快照不用于计算缴费和承诺")
            continue
        current = room_balances(conn, import_id, estate)
        previous_id = previous_snapshot(conn, estate, import_id, as_of)
        previous = room_balances(conn, previous_id, estate) if previous_id else {}
        ids = _upsert_rooms(conn, estate, current, import_id, now, result)
        _record_payments(conn, estate, previous, current, ids, import_id, as_of, result)
        _settle_promises(conn, estate, current, import_id, as_of, result)
    return result


def _upsert_rooms(conn: Connection, estate: str, current: dict[str, tuple[str, int]], import_id: int,
                  now: datetime, result: Settlement) -> dict[str, int]:
    known = {r.room: r for r in conn.execute(select(rooms).where(rooms.c.estate == estate))}
    fresh = [{"estate": estate, "room": room, "owner": owner, "last_import_id": import_id}
             for room, (owner, _) in current.items() if room not in known]
    if fresh:
        conn.execute(rooms.insert(), fresh)
        result.new_rooms += len(fresh)
    for room, (owner, _) in current.items():
        old = known.get(room)
        if old is None:
            continue
        if owner and old.owner and owner != old.owner:
            # A sale: the previous owner's tags, disputes and open promises stay with them.
            conn.execute(rooms.update().where(rooms.c.id == old.id).values(owner=owner, last_import_id=import_id))
            conn.execute(promises.update().where(promises.c.room_id == old.id, promises.c.owner == old.owner,
                                                 promises.c.state == "open").values(state="void"))
            detail = f"业主由“{old.owner}”变更为“{owner}”，原业主的标签、纠纷和未兑现的承诺不再沿用"
            conn.execute(room_events.insert().values(room_id=old.id, at=now, kind="owner_change", detail=detail))
            result.owner_changes.append(f"{room}：{old.owner} → {owner}")
        elif owner and not old.owner:  # the ledger now names an owner it left blank before
            conn.execute(rooms.update().where(rooms.c.id == old.id).values(owner=owner, last_import_id=import_id))
    return {r.room: r.id for r in conn.execute(select(rooms.c.room, rooms.c.id).where(rooms.c.estate == estate))}


def _record_payments(conn: Connection, estate: str, previous: dict[str, tuple[str, int]],
                     current: dict[str, tuple[str, int]], ids: dict[str, int], import_id: int, as_of: date,
                     result: Settlement) -> None:
    rows = []
    for room, (owner, before) in previous.items():
        after = current.get(room, (owner, 0))[1]  # gone from the newest snapshot: paid up
        if after < before and room in ids:
            rows.append({"room_id": ids[room], "owner": owner, "amount": before - after, "seen_on": as_of,
                         "import_id": import_id, "paid_up": int(after == 0)})
    if rows:
        conn.execute(payments.insert(), rows)
        result.payments += len(rows)
        result.paid_total += sum(r["amount"] for r in rows)


def _settle_promises(conn: Connection, estate: str, current: dict[str, tuple[str, int]], import_id: int,
                     as_of: date, result: Settlement) -> None:
    """Open promises whose date has passed: kept when the arrears fell by the amount promised (or to zero)."""
    due = conn.execute(
        select(promises, rooms.c.room).join(rooms, rooms.c.id == promises.c.room_id)
        .where(and_(rooms.c.estate == estate, promises.c.state == "open", promises.c.promise_date < as_of))
    ).all()
    for p in due:
        now_owing = current.get(p.room, ("", 0))[1]
        fell = max(p.baseline - now_owing, 0)
        kept = now_owing == 0 or (p.amount is not None and fell >= p.amount)
        conn.execute(promises.update().where(promises.c.id == p.id).values(
            state="kept" if kept else "broken", paid=fell, settled_on=as_of, settled_import_id=import_id))
        if kept:
            result.promises_kept += 1
        else:
            result.promises_broken += 1


def describe(result: Settlement) -> list[str]:
    """Lines for the import summary (notes about skipped settlement go with the warnings)."""
    lines = []
    if result.payments:
        lines.append(f"与上一份台账相比，{result.payments} 户欠费减少，共 {yuan(result.paid_total)} 元，已记为缴费")
    if result.promises_kept or result.promises_broken:
        lines.append(f"到期的缴费承诺：兑现 {result.promises_kept} 个，未兑现 {result.promises_broken} 个")
    if result.owner_changes:
        shown = "；".join(result.owner_changes[:5]) + ("等" if len(result.owner_changes) > 5 else "")
        lines.append(f"{len(result.owner_changes)} 个房间业主变更（{shown}）：原业主的标签、纠纷和未兑现承诺不再沿用")
    return lines
