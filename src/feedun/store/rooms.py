"""Rooms: which rooms exist, who owns them now, and finding one from what a person typed."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from feedun.core.errors import FeedunError, UsageError
from feedun.intake.values import canonical_room, clean_text
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
    candidates = conn.execute(select(rooms.c.estate, rooms.c.room)).all()
    if not candidates:
        raise FeedunError("还没有任何房间的记录。", hint="先用 feedun import 导入台账，再记录联系或标签。")
    labels = {f"{r.estate} {r.room}": r.room for r in candidates if not estate or r.estate == clean_text(estate)}
    close = difflib.get_close_matches(wanted, list(set(labels.values())), n=5, cutoff=0.5)
    suggestions = [label for label, room in labels.items() if room in close][:5]
    hint = f"是不是：{'、'.join(suggestions)}？" if suggestions else "用 feedun debtors 查看有哪些房间。"
    where = f"小区“{clean_text(estate)}”中" if estate else "台账中"
    raise FeedunError(f"{where}没有房间 {wanted}（输入的是“{text}”）。", hint=hint)


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
