"""`feedun purge [--before DATE]`: remove personal data of owners who no longer owe, after a retention period.

Amounts, periods, dates, outcomes and letter numbers stay (the report's aggregates need them); names, phone
numbers, notes, profiles and alternate contacts go. Only rooms with no arrears in their estate's newest snapshot
whose last arrears were seen before DATE are touched. Without DATE: today minus `[purge] retention_days`.
Nothing purges on its own (not `feedun run` either): it is always someone's explicit `feedun purge --yes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from feedun.config import Settings

ERASED = "（已清除）"


@dataclass
class PurgeResult:
    before: date
    rooms: int
    lines: int
    contacts: int
    profiles: int
    applied: bool
    retention_days: int | None = None  # set when `before` came from [purge] retention_days


def retention_cutoff(settings: Settings, today: date | None = None) -> date:
    """The day before which settled owners' personal data has been kept long enough."""
    return (today or date.today()) - timedelta(days=settings.purge.retention_days)


def purge(settings: Settings, before: date | None = None, *, apply: bool = False, db_url: str | None = None,
          today: date | None = None) -> PurgeResult:
    """Erase (with apply) or count the personal data of owners settled before `before`, by default
    the retention cut-off (today minus [purge] retention_days)."""
    from sqlalchemy import and_, case, func, select

    from feedun.store import open_store
    from feedun.store.ledger import latest_snapshots
    from feedun.store.schema import (
        contacts,
        imports,
        ledger_lines,
        letters,
        profiles,
        promises,
        room_events,
        rooms,
    )

    retention = None
    if before is None:
        before, retention = retention_cutoff(settings, today), settings.purge.retention_days
    engine = open_store(settings.db_url(db_url))
    current = latest_snapshots(engine, None)
    with engine.begin() as conn:
        owing_now = set()
        for estate, import_id in current.items():
            query = (select(ledger_lines.c.room).where(ledger_lines.c.import_id == import_id,
                                                       ledger_lines.c.estate == estate, ledger_lines.c.outstanding > 0)
                     .distinct())
            owing_now |= {(estate, room) for (room,) in conn.execute(query)}
        last_owed = dict(((e, r), d) for e, r, d in conn.execute(
            select(ledger_lines.c.estate, ledger_lines.c.room, func.max(case(
                (ledger_lines.c.outstanding > 0, imports.c.as_of), else_=None)))
            .join(imports, imports.c.id == ledger_lines.c.import_id)
            .group_by(ledger_lines.c.estate, ledger_lines.c.room)))
        chosen = [(r.id, r.estate, r.room) for r in conn.execute(select(rooms))
                  if (r.estate, r.room) not in owing_now and r.owner != ERASED
                  and (last_owed.get((r.estate, r.room)) or date.min) < before]
        ids = [c[0] for c in chosen]
        keys = [(c[1], c[2]) for c in chosen]
        line_count = sum(conn.execute(select(func.count()).select_from(ledger_lines).where(
            and_(ledger_lines.c.estate == e, ledger_lines.c.room == r))).scalar_one() for e, r in keys)
        contact_count = conn.execute(select(func.count()).select_from(contacts)
                                     .where(contacts.c.room_id.in_(ids))).scalar_one() if ids else 0
        profile_count = conn.execute(select(func.count()).select_from(profiles)
                                     .where(profiles.c.room_id.in_(ids))).scalar_one() if ids else 0
        if apply and ids:
            for estate, room in keys:
                conn.execute(ledger_lines.update().where(ledger_lines.c.estate == estate, ledger_lines.c.room == room)
                             .values(owner=ERASED, phones="", phones_invalid="", remark=""))
            conn.execute(contacts.update().where(contacts.c.room_id.in_(ids))
                         .values(owner=ERASED, note="", by="", callback_at=None))
            conn.execute(promises.update().where(promises.c.room_id.in_(ids)).values(owner=ERASED))
            conn.execute(letters.update().where(letters.c.room_id.in_(ids)).values(owner=ERASED, evidence=None))
            conn.execute(profiles.delete().where(profiles.c.room_id.in_(ids)))
            conn.execute(room_events.delete().where(room_events.c.room_id.in_(ids)))
            conn.execute(rooms.update().where(rooms.c.id.in_(ids)).values(owner=ERASED, collector=None))
    return PurgeResult(before, len(ids), line_count, contact_count, profile_count, apply and bool(ids), retention)
