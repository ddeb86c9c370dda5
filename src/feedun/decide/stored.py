"""A day's stored decisions, read back: when a stored run may stand for deciding again, and a stored decision as
the row classify made (features and decision columns).

`classify` stores each room's decision with its features (detail JSON) and a key of what it was decided from:
the store's fingerprint, the policy and the configuration (`inputs_key`). While the key still matches, deciding
again would give the same rows (docs/design.md, "Decide once"), so `decisions_for` hands the stored run to an
output and `feedun explain` reads one room's stored decision (`stored_room`) instead of building features. The
one-room path imports neither pandas nor numpy: after the day's run, explain answers without loading them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.store import Store
from feedun.store.rooms import Room
from feedun.store.runs import inputs_fingerprint, load_room_decision

if TYPE_CHECKING:
    from feedun.decide.policy.load import Policy


def policy_label(policy: Policy) -> str:
    return f"{policy.source} sha256:{policy.sha256[:12]}"


def inputs_key(fingerprint: str, policy: str, settings: Settings) -> str:
    """What a run is decided from: the store (`inputs_fingerprint`), the policy (`policy_label`), the config."""
    config = hashlib.sha256(settings.model_dump_json().encode("utf-8")).hexdigest()[:16]
    return json.dumps({"store": fingerprint, "policy": policy, "config": config}, ensure_ascii=False)


def decision_row(record: dict[str, Any]) -> dict[str, Any]:
    """A stored decision (a row of `load_run`'s frame) as the row classify made: the detail JSON's features
    spread out, JSON lists and dates back to Python values, and the yuan figures the policy compares recomputed
    from fen (they are not stored, `classify._DERIVED`)."""
    row = {k: v for k, v in record.items() if k not in ("detail", "outstanding")}
    row.update(json.loads(record["detail"]))
    row["outstanding_fen"] = int(record["outstanding"])
    row["eligible"] = json.loads(record["eligible"])
    row["reasons"] = json.loads(record["reasons"])
    row["tags"] = frozenset(row.get("tags") or ())
    due = row.get("oldest_due")
    row["oldest_due"] = date.fromisoformat(due) if isinstance(due, str) else due
    row["outstanding"] = row["outstanding_fen"] / 100
    row["late_fee"] = row["late_fee_fen"] / 100
    return row


@dataclass(frozen=True)
class StoredRoom:
    run_id: int  # the stored run (`feedun classify`'s 第 N 次分类)
    row: dict[str, Any] | None  # the room's decision row; None: the run decided no row for it (it owed nothing)


def stored_room(store: Store, settings: Settings, policy: Policy, as_of: date, room: Room) -> StoredRoom | None:
    """The room's decision in the stored run of `as_of`, while that run still stands for deciding again; None when
    there is no such run, it is stale (anything it was decided from changed since), or a later run took its
    features (only the newest run keeps detail)."""
    with store.read() as conn:
        stored = load_room_decision(conn, as_of, room.id)
        if stored is None:
            return None
        fingerprint = inputs_fingerprint(conn)
    if stored.inputs != inputs_key(fingerprint, policy_label(policy), settings):
        return None
    if stored.record is None:
        return StoredRoom(stored.run_id, None)
    if stored.record["detail"] is None:
        return None
    return StoredRoom(stored.run_id, decision_row(stored.record))
