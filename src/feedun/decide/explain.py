"""`feedun explain ROOM`: every tactic's conditions with the room's actual values, then the holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from feedun.config import Settings
from feedun.store import Store


@dataclass
class Check:
    condition: str  # Chinese description
    text: str  # as written in the policy
    actual: str
    ok: bool


@dataclass
class RuleExplanation:
    tactic: str
    label: str
    line: int
    checks: list[Check]

    @property
    def matches(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass
class Explanation:
    estate: str
    room: str
    owner: str
    as_of: date
    tactic: str | None
    hold: str | None
    hold_name: str | None
    next_action: str
    reasons: list[str]
    rules: list[RuleExplanation] = field(default_factory=list)
    holds: list[RuleExplanation] = field(default_factory=list)
    run_id: int | None = None  # the day's stored run the values were read from; None: the room was decided now

    def to_dict(self) -> dict[str, Any]:
        def rule(r: RuleExplanation) -> dict[str, Any]:
            return {"tactic": r.tactic, "label": r.label, "line": r.line, "matches": r.matches,
                    "conditions": [c.__dict__ for c in r.checks]}

        return {"estate": self.estate, "room": self.room, "owner": self.owner, "as_of": self.as_of.isoformat(),
                "tactic": self.tactic, "hold": self.hold, "hold_name": self.hold_name, "next_action": self.next_action, "reasons": self.reasons,
                "rules": [rule(r) for r in self.rules], "holds": [rule(h) for h in self.holds], "run_id": self.run_id}


def explain_room(store: Store, settings: Settings, room_text: str, *, estate: str | None = None,
                 as_of: date | None = None) -> Explanation:
    """Every tactic's and hold's conditions with this room's values, and stores nothing.

    The values are the room's features of the day as classify decided them: read back from the day's stored
    run while nothing it was decided from has changed (`stored_room`: after the morning's `feedun run`, explain
    answers in a fraction of a second, without pandas), else decided again from the room's own rows
    (`decide_room`, the same row classify would give it). Either way each condition is tested anew here."""
    from feedun.core.errors import FeedunError
    from feedun.core.tactics import label
    from feedun.decide.fields import show_value
    from feedun.decide.policy.load import load_policy
    from feedun.decide.stored import stored_room
    from feedun.store.rooms import find_room

    as_of = as_of or date.today()
    policy = load_policy(settings.policy_path)
    with store.connect() as conn:
        room = find_room(conn, room_text, estate)
    stored = stored_room(store, settings, policy, as_of, room)
    row = stored.row if stored is not None else _decided_row(store, settings, as_of, room.estate, room.room)
    if row is None:
        raise FeedunError(f"{room.label} 截至 {as_of} 没有欠费，不需要分类。", hint="用 feedun history 查看这户的记录。")

    def checks(conditions) -> list[Check]:
        return [Check(c.describe(), c.text, show_value(c.field, row[c.field]), c.holds_for(row[c.field]))
                for c in conditions]

    result = Explanation(room.estate, room.room, room.owner, as_of, row["tactic"], row["hold"], row["hold_name"],
                         row["next_action"], list(row["reasons"]))
    result.rules = [RuleExplanation(r.tactic, label(r.tactic), r.line, checks(r.conditions)) for r in policy.rules]
    result.holds = [RuleExplanation(h.id, h.name, h.line, checks(h.conditions)) for h in policy.holds]
    result.run_id = stored.run_id if stored is not None else None
    return result


def _decided_row(store: Store, settings: Settings, as_of: date, estate: str, room: str) -> dict[str, Any] | None:
    """The room's row decided now from its own rows (pandas is loaded only on this path), or None: it owes nothing."""
    from feedun.decide.classify import decide_room

    frame = decide_room(store, settings, as_of, estate, room).frame
    return None if frame.empty else frame.iloc[0].to_dict()
