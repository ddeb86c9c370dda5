"""Rooms: which rooms exist, who owns them now, and finding one from what a person typed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from feedun.core.errors import FeedunError, UsageError
from feedun.intake.values import canonical_room, clean_text
from feedun.store.frames import IN_LIST_SIZE
from feedun.store.schema import rooms


@dataclass(frozen=True)
class Room:
    id: int
    estate: str
    room: str
    owner: str
    collector: str | None

    @property
    def label(self) -> str:
        return f"{self.estate} {self.room}"


def _row(row) -> Room:
    return Room(id=row.id, estate=row.estate, room=row.room, owner=row.owner, collector=row.collector)


def find_room(conn: Connection, text: str, estate: str | None = None) -> Room:
    """The room a person means by '8-2-1201' / '8栋2单元1201室', or an error that suggests the closest ones."""
    wanted = canonical_room(None, None, text, estate=estate or "")
    query = select(rooms).where(rooms.c.room == wanted)
    if estate:
        query = query.where(rooms.c.estate == clean_text(estate))
    found = [_row(r) for r in conn.execute(query)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        estates = "、".join(r.estate for r in found)
        raise UsageError(f"房号 {wanted} 在多个小区都有：{estates}。", hint=f"加上 --estate 指定小区，例如 --estate {found[0].estate}。")
    only = clean_text(estate) if estate else None
    names = select(rooms.c.room).distinct()
    names = sorted(conn.execute(names.where(rooms.c.estate == only) if only is not None else names).scalars())
    if not names and not conn.execute(select(rooms.c.id).limit(1)).first():
        raise FeedunError("还没有任何房间的记录。", hint="先用 feedun import 导入台账，再记录联系或标签。")
    close = _close_rooms(wanted, names)
    similar = select(rooms.c.estate, rooms.c.room).where(rooms.c.room.in_(close)).order_by(rooms.c.id)
    if only is not None:
        similar = similar.where(rooms.c.estate == only)
    suggestions = [f"{e} {r}" for e, r in conn.execute(similar)][:5] if close else []
    hint = f"是不是：{'、'.join(suggestions)}？" if suggestions else "用 feedun debtors 查看有哪些房间。"
    where = f"小区“{only}”中" if estate else "台账中"
    raise FeedunError(f"{where}没有房间 {wanted}（输入的是“{text}”）。", hint=hint)


def rooms_by_code(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Room]:
    """The rooms named exactly (estate, canonical room code), as find_room would find each with its estate given;
    a key with no such room is left out (find_room then says why). One query per estate and slice of rooms."""
    by_estate: dict[str, set[str]] = {}
    for estate, room in keys:
        by_estate.setdefault(estate, set()).add(room)
    found: dict[tuple[str, str], Room] = {}
    for estate, codes in by_estate.items():
        wanted = sorted(codes)
        for start in range(0, len(wanted), IN_LIST_SIZE):
            query = select(rooms).where(rooms.c.estate == estate, rooms.c.room.in_(wanted[start:start + IN_LIST_SIZE]))
            found.update(((r.estate, r.room), _row(r)) for r in conn.execute(query))
    return found


WHOLE_LIST_LIMIT = 5_000  # room numbers difflib compares with all at once; a 100k-room store takes seconds


def _close_rooms(wanted: str, names: list[str]) -> list[str]:
    """Up to 5 room numbers like `wanted` (difflib, ratio ≥ 0.5), sought first among the same building and unit
    ('8-2-1210' → '8-2-…') or, for a bare '1201', the rooms ending in it; then among numbers of about its length;
    then, in a store small enough, among all of them. A typo in a 100k-room store stays well under a second."""
    head = wanted.rpartition("-")[0]
    near = [n for n in names if n.startswith(f"{head}-")] if head else [n for n in names if n.endswith(wanted)]
    pools = [near, [n for n in names if abs(len(n) - len(wanted)) <= 1]]
    if len(names) <= WHOLE_LIST_LIMIT:
        pools.append(names)
    for pool in pools:
        close = difflib.get_close_matches(wanted, pool, n=5, cutoff=0.5)
        if close:
            return close
    return []


def rooms_by_mobile(conn: Connection, as_of: date | None = None) -> dict[str, list[tuple[str, str]]]:
    """Number -> the (estate, room) pairs whose current ledger snapshot lists it, sorted: how an SMS delivery
    report, which names only numbers, finds its rooms."""
    from sqlalchemy import and_

    from feedun.store.ledger import latest_snapshots
    from feedun.store.schema import ledger_lines

    found: dict[str, set[tuple[str, str]]] = {}
    for estate, import_id in latest_snapshots(conn, as_of).items():
        query = select(ledger_lines.c.room, ledger_lines.c.phones).where(and_(
            ledger_lines.c.import_id == import_id, ledger_lines.c.estate == estate,
            ledger_lines.c.phones != "")).distinct()
        for room, phones in conn.execute(query):
            for number in phones.split(","):
                if number.strip():
                    found.setdefault(number.strip(), set()).add((estate, room))
    return {number: sorted(pairs) for number, pairs in found.items()}
