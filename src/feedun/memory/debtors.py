"""Who owes, from the newest ledger snapshot of each estate."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from feedun.config import Settings
from feedun.core.periods import default_due_date, months_in, whole_months
from feedun.store.ledger import snapshot_lines, unknown_period_since

if TYPE_CHECKING:
    from feedun.store import Store


@dataclass
class Debtor:
    estate: str
    room: str
    owner: str
    phones: list[str]
    outstanding: int  # fen
    oldest_period: str
    months_overdue: int  # 账龄: whole months since the oldest unpaid due date
    unpaid_months: int = 0  # 欠费月数: the unpaid monthly periods (what owners and collectors call 欠费N个月)

    def to_dict(self) -> dict[str, Any]:
        """The --json shape: amounts in yuan."""
        return {"estate": self.estate, "room": self.room, "owner": self.owner, "phones": self.phones,
                "outstanding": float(Decimal(self.outstanding) / 100), "oldest_period": self.oldest_period,
                "months_overdue": self.months_overdue, "unpaid_months": self.unpaid_months}


def _natural(text: str) -> list[Any]:
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text) if t]


def list_debtors(store: Store, settings: Settings, *, as_of: date | None = None) -> list[Debtor]:
    """Rooms with arrears as of a date (default today), ordered by estate and room."""
    as_of = as_of or date.today()
    due_day = settings.import_.due_day
    with store.read() as conn:
        lines = snapshot_lines(conn, as_of)
        since = unknown_period_since(conn, as_of)
    if lines.empty:
        return []
    # The due date as the ledger says, else day `due_day` of the period's month; a line without a period
    # (期间不详) counts from the snapshot its arrears first appeared in (as classify does, decide/features.py).
    lines["effective_due"] = [
        d if d is not None and d == d else default_due_date(p, due_day) if p else since.get((e, r), as_of)
        for d, p, e, r in zip(lines["due_date"], lines["period"], lines["estate"], lines["room"], strict=True)
    ]
    debtors = []
    for (estate, room), group in lines.groupby(["estate", "room"], sort=False):
        known = group.loc[group["period"] != "", "period"]
        oldest = known.min() if len(known) else ""
        due = group["effective_due"].min()
        phones = list(dict.fromkeys(p for cell in group["phones"] for p in cell.split(",") if p))
        owners = [o for o in group["owner"] if o]
        debtors.append(Debtor(
            estate=estate, room=room, owner=owners[-1] if owners else "", phones=phones,
            outstanding=int(group["outstanding"].sum()), oldest_period=oldest,
            months_overdue=whole_months(due, as_of),
            unpaid_months=len({m for p, e in zip(group["period"], group["period_end"], strict=True)
                               for m in months_in(p, e if isinstance(e, str) else None)})))
    debtors.sort(key=lambda d: (d.estate, _natural(d.room)))
    return debtors
