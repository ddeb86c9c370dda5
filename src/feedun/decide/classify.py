"""`feedun classify`: decide every room with arrears, store the run, summarise by tactic and collector."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from feedun.config import Settings
from feedun.memory.collectors import collector_for


@dataclass
class Run:
    as_of: date
    run_id: int
    policy: str
    decisions: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for r in self.decisions.itertuples(index=False):
            rows.append({"estate": r.estate, "room": r.room, "owner": r.owner, "tactic": r.tactic,
                         "eligible": r.eligible, "hold": r.hold, "next_action": r.next_action,
                         "collector": r.collector, "outstanding": float(Decimal(int(r.outstanding_fen)) / 100),
                         "months_overdue": int(r.months_overdue), "reasons": r.reasons})
        return {"as_of": self.as_of.isoformat(), "run_id": self.run_id, "decisions": rows}


def decide_rooms(settings: Settings, as_of: date, db_url: str | None = None) -> tuple[pd.DataFrame, str]:
    """The decisions for every room with arrears (not stored), and a label of the policy that made them."""
    from feedun.decide.features import build_features, load_inputs
    from feedun.decide.policy.evaluate import decide
    from feedun.decide.policy.load import load_policy

    policy = load_policy(settings.policy_path)
    features = build_features(load_inputs(settings, as_of, db_url), as_of, settings)
    decisions = decide(policy, features)
    decisions["collector"] = [collector_for(settings, e, r, c) for e, r, c in
                              zip(decisions["estate"], decisions["room"], decisions["collector"], strict=True)]
    decisions = decisions.sort_values(["estate", "room"], kind="stable").reset_index(drop=True)
    return decisions, f"{policy.source} sha256:{policy.sha256[:12]}"


def classify(settings: Settings, *, as_of: date | None = None, db_url: str | None = None) -> Run:
    """Decide and store: a run per as-of date; re-running the same date replaces its decisions."""
    from sqlalchemy import delete, select

    from feedun.store import open_store
    from feedun.store.schema import decisions as decisions_table
    from feedun.store.schema import runs

    as_of = as_of or date.today()
    decided, policy = decide_rooms(settings, as_of, db_url)
    engine = open_store(settings.db_url(db_url))
    with engine.begin() as conn:
        old = conn.execute(select(runs.c.id).where(runs.c.as_of == as_of)).scalar()
        if old is not None:
            conn.execute(delete(decisions_table).where(decisions_table.c.run_id == old))
            conn.execute(delete(runs).where(runs.c.id == old))
        run_id = conn.execute(runs.insert().values(as_of=as_of, policy=policy,
                                                   created_at=datetime.now().replace(microsecond=0))
                              ).inserted_primary_key[0]
        rows = [{"run_id": run_id, "room_id": int(r.room_id), "owner": r.owner, "tactic": r.tactic,
                 "eligible": json.dumps(r.eligible), "hold": r.hold, "next_action": r.next_action,
                 "collector": r.collector, "outstanding": int(r.outstanding_fen),
                 "months_overdue": int(r.months_overdue), "reasons": json.dumps(r.reasons, ensure_ascii=False)}
                for r in decided.itertuples(index=False)]
        if rows:
            conn.execute(decisions_table.insert(), rows)
    return Run(as_of, int(run_id), policy, decided)


def summary(run: Run) -> tuple[list[list[Any]], list[list[Any]]]:
    """(by tactic, by collector): [label, rooms, fen] rows, tactics in playbook order then holds."""
    from feedun.core.tactics import FACTS, label

    d = run.decisions
    by_tactic = []
    for tactic in sorted(FACTS, key=lambda t: FACTS[t].number):
        part = d[d["tactic"] == tactic.value]
        if len(part):
            by_tactic.append([label(tactic.value), len(part), int(part["outstanding_fen"].sum())])
    held = d[d["tactic"].isna()]
    for hold, part in held.groupby("hold_name"):
        by_tactic.append([f"暂缓：{hold}", len(part), int(part["outstanding_fen"].sum())])
    by_collector = [[name or "未指定", len(part), int(part["outstanding_fen"].sum())]
                    for name, part in d.fillna({"collector": ""}).groupby("collector")]
    return by_tactic, by_collector
