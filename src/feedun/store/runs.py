"""Classify runs and their decisions: one run per as-of date, replaced as a whole when that date is decided again.

A run stores each room's decision (tactic, hold, reasons…) and, for the newest run only, the room's features as
JSON (`detail`), so outputs made later the same day read the decisions back instead of deciding again. `inputs`
fingerprints what the run was decided from; a caller reuses a stored run only while the fingerprint still matches
(`inputs_fingerprint`): any new import, contact, promise, profile, event or sent-letter change makes it stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, func, select, update

from feedun.store.frames import result_frame
from feedun.store.schema import contacts, decisions, imports, letters, profiles, promises, room_events, rooms, runs

if TYPE_CHECKING:  # a whole run is a frame; one room's decision (`feedun explain`) is a dict and needs no pandas
    import pandas as pd


@dataclass(frozen=True)
class StoredRun:
    run_id: int
    as_of: date
    policy: str
    inputs: str | None
    frame: pd.DataFrame  # decision columns + detail features, one row per room


def inputs_fingerprint(conn: Connection) -> str:
    """Counts and newest ids/dates of every table a decision depends on; equal fingerprints, equal inputs."""
    parts: list[Any] = []
    for table in (imports, contacts, promises, room_events, rooms):
        parts.append(list(conn.execute(select(func.count(), func.max(table.c.id))).one()))
    parts.append(list(conn.execute(select(func.count(), func.max(profiles.c.updated_at))).one()))
    parts.append(sorted(map(list, conn.execute(select(promises.c.state, func.count()).group_by(promises.c.state)))))
    # Letters count once they leave the office; drafts (written by the outputs themselves) change no decision.
    parts.append(sorted(map(list, conn.execute(
        select(letters.c.state, func.count(), func.max(letters.c.id), func.max(letters.c.sent_on))
        .where(letters.c.state != "draft").group_by(letters.c.state)))))
    parts.append(sorted(map(list, conn.execute(
        select(rooms.c.collector, func.count()).where(rooms.c.collector.is_not(None)).group_by(rooms.c.collector)))))
    return json.dumps(parts, default=str, ensure_ascii=False)


RUNS_LOCK_KEY = 0x66656564 + 2  # beside migrate.PG_LOCK_KEY and meta.RUN_LOCK_KEY


def replace_run(conn: Connection, as_of: date, policy: str, inputs: str, rows: list[dict[str, Any]]) -> int:
    """Store a run for `as_of` (replacing that date's earlier run); older runs lose their detail. Returns its id.

    Several commands may classify the same date at once (`feedun letters` run by two people): they queue here.
    PostgreSQL takes a transaction-scoped advisory lock; on SQLite the first statement is a write, so the
    transaction holds the write lock before it reads anything (a read first could not be upgraded once another
    writer had committed). The last one to commit is the date's run.
    """
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({RUNS_LOCK_KEY})")
    old_runs = select(runs.c.id).where(runs.c.as_of == as_of).scalar_subquery()
    conn.execute(delete(decisions).where(decisions.c.run_id.in_(old_runs)))
    conn.execute(delete(runs).where(runs.c.as_of == as_of))
    conn.execute(update(decisions).where(decisions.c.detail.is_not(None)).values(detail=None))
    run_id = conn.execute(runs.insert().values(as_of=as_of, policy=policy, inputs=inputs,
                                               created_at=datetime.now().replace(microsecond=0))
                          ).inserted_primary_key[0]
    if rows:
        conn.execute(decisions.insert(), [{**row, "run_id": run_id} for row in rows])
    return int(run_id)


# A stored decision as read back: its own columns, the room's estate and room, and the features (detail JSON).
_DECISION_COLUMNS = (decisions.c.room_id, rooms.c.estate, rooms.c.room, decisions.c.owner, decisions.c.tactic,
                     decisions.c.eligible, decisions.c.hold, decisions.c.next_action, decisions.c.collector,
                     decisions.c.outstanding, decisions.c.months_overdue, decisions.c.reasons, decisions.c.detail)


def load_run(conn: Connection, as_of: date) -> StoredRun | None:
    """The stored run of `as_of` with its decisions (rooms' estate and room joined), or None."""
    run = conn.execute(select(runs.c.id, runs.c.policy, runs.c.inputs).where(runs.c.as_of == as_of)).first()
    if run is None:
        return None
    frame = result_frame(conn.execute(
        select(*_DECISION_COLUMNS).join(rooms, rooms.c.id == decisions.c.room_id).where(decisions.c.run_id == run.id)
        .order_by(rooms.c.estate, rooms.c.room)))
    return StoredRun(int(run.id), as_of, run.policy, run.inputs, frame)


@dataclass(frozen=True)
class StoredRoomDecision:
    run_id: int
    inputs: str | None  # what the run was decided from (see inputs_fingerprint)
    record: dict[str, Any] | None  # the room's decision, columns as load_run's frame; None: it owed nothing


def load_room_decision(conn: Connection, as_of: date, room_id: int) -> StoredRoomDecision | None:
    """One room's decision in the stored run of `as_of`, or None when that date has no run."""
    run = conn.execute(select(runs.c.id, runs.c.inputs).where(runs.c.as_of == as_of)).first()
    if run is None:
        return None
    row = conn.execute(select(*_DECISION_COLUMNS).join(rooms, rooms.c.id == decisions.c.room_id)
                       .where(decisions.c.run_id == run.id, decisions.c.room_id == room_id)).first()
    return StoredRoomDecision(int(run.id), run.inputs, dict(row._mapping) if row is not None else None)
