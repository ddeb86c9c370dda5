"""A day's decisions as one typed value, made once by `classify` and handed to every output.

`Decisions.frame` has one row per room with arrears: every feature column of decide/features.py plus the
decision columns (tactic, eligible, hold, hold_name, next_action, reasons, collector). Its invariant, checked
when the value is made (`typed`), is what lets outputs read it without coercions:

- money and counts are int64 (money in fen); flags are bool;
- text columns hold str ("" where the data has none), never NaN;
- optional columns (collector, tactic, hold, hold_name) hold a str or None, never NaN;
- list columns (eligible, reasons, alt_contacts) hold lists, tags a frozenset.

So `to_dict()` is strict JSON (a missing collector is `null`), and `rows()` gives one `Decision` per room for
code that wants attributes rather than columns (docs/design.md, "Decide once").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from feedun.core.tactics import Tactic

INT_COLUMNS = ("room_id", "outstanding_fen", "late_fee_fen", "unpaid_periods", "months_overdue", "attempts",
               "failed_streak", "vague_count", "busy_count", "refused_quality", "refused_service", "refused_unfair",
               "refused_other", "days_since_last_contact", "promises_made", "promises_kept", "promises_broken",
               "promises_open", "promises_due", "demand_letters_sent", "days_since_last_demand",
               "days_to_lawyer_deadline")
BOOL_COLUMNS = ("has_phone", "dispute_open", "do_not_contact", "service_issue_open", "reachable", "limitation_risk")
TEXT_COLUMNS = ("estate", "room", "owner", "phones", "oldest_period", "last_outcome", "dispute",
                "lawyer_letter_state", "next_action")
OPTIONAL_TEXT_COLUMNS = ("collector", "tactic", "hold", "hold_name")
LIST_COLUMNS = ("eligible", "reasons", "alt_contacts")


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the invariant above (a copy); columns it does not know are left as they are."""
    frame = frame.copy()
    for name in INT_COLUMNS:
        if name in frame:
            frame[name] = frame[name].fillna(0).astype(np.int64)
    for name in BOOL_COLUMNS:
        if name in frame:
            frame[name] = frame[name].fillna(False).astype(bool)
    for name in TEXT_COLUMNS:
        # already text without a gap (a frame typed before, or built so): one C pass tells, no Python per value
        if name in frame and not (frame[name].dtype == object
                                  and pd.api.types.infer_dtype(frame[name], skipna=False) == "string"):
            frame[name] = pd.Series([("" if _missing(v) else str(v)) for v in frame[name]], index=frame.index,
                                    dtype=object)
    for name in OPTIONAL_TEXT_COLUMNS:
        if name in frame:
            frame[name] = pd.Series([(None if _missing(v) or v == "" else str(v)) for v in frame[name]],
                                    index=frame.index, dtype=object)
    for name in LIST_COLUMNS:
        if name in frame:
            frame[name] = pd.Series([list(v) if isinstance(v, list | tuple) else [] for v in frame[name]],
                                    index=frame.index, dtype=object)
    if "tags" in frame:
        frame["tags"] = pd.Series([v if isinstance(v, frozenset) else frozenset() for v in frame["tags"]],
                                  index=frame.index, dtype=object)
    return frame


@dataclass(frozen=True)
class Decision:
    """One room's decision, as outputs and `classify --json` read it."""

    room_id: int
    estate: str
    room: str
    owner: str
    collector: str | None
    tactic: Tactic | None
    eligible: tuple[Tactic, ...]
    hold: str | None
    hold_name: str | None
    next_action: str
    reasons: tuple[str, ...]
    outstanding_fen: int
    late_fee_fen: int
    months_overdue: int
    unpaid_periods: int
    oldest_period: str

    def to_dict(self) -> dict[str, Any]:
        """The `classify --json` shape: amounts in yuan (exact decimal → float for JSON), None as null."""
        return {"estate": self.estate, "room": self.room, "owner": self.owner,
                "tactic": self.tactic.value if self.tactic else None,
                "eligible": [t.value for t in self.eligible], "hold": self.hold, "next_action": self.next_action,
                "collector": self.collector, "outstanding": float(Decimal(self.outstanding_fen) / 100),
                "months_overdue": self.months_overdue, "unpaid_months": self.unpaid_periods,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Decisions:
    """Every room with arrears on `as_of`, decided once; `run_id` is the stored run (None when not stored)."""

    as_of: date
    policy: str
    frame: pd.DataFrame
    run_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "frame", typed(self.frame))

    def __len__(self) -> int:
        return len(self.frame)

    def rows(self) -> list[Decision]:
        f = self.frame
        if f.empty:
            return []
        return [Decision(int(r.room_id), r.estate, r.room, r.owner, r.collector,
                         Tactic(r.tactic) if r.tactic else None, tuple(Tactic(t) for t in r.eligible), r.hold,
                         r.hold_name, r.next_action, tuple(r.reasons), int(r.outstanding_fen), int(r.late_fee_fen),
                         int(r.months_overdue), int(r.unpaid_periods), r.oldest_period)
                for r in f.itertuples(index=False)]

    def active(self) -> pd.DataFrame:
        """Rooms with a tactic today (not on hold)."""
        return self.frame[self.frame["tactic"].notna()] if len(self.frame) else self.frame

    def with_tactic(self, tactic: Tactic) -> pd.DataFrame:
        return self.frame[self.frame["tactic"] == tactic.value] if len(self.frame) else self.frame

    @property
    def held(self) -> int:
        return int(self.frame["tactic"].isna().sum()) if len(self.frame) else 0

    def tactic_counts(self) -> dict[str, int]:
        """tactic id -> rooms, for summaries (held rooms are counted by `held`)."""
        if not len(self.frame):
            return {}
        return {str(k): int(v) for k, v in self.frame["tactic"].value_counts().items()}

    def to_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "run_id": self.run_id,
                "decisions": [d.to_dict() for d in self.rows()]}
