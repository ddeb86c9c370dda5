"""`feedun classify`: decide every room with arrears once, store the run, summarise by tactic and collector.

The policy is evaluated here and only here (docs/design.md, "Decide once"): `classify` makes a `Decisions`
value and stores it; `feedun run` hands that value to every output, and `feedun calls`/`sms`/`letters` read the
stored run of the date back (`decisions_for`) as long as nothing it was decided from has changed since.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd

from feedun.config import Settings
from feedun.core.tactics import FACTS, Tactic, label
from feedun.decide.decisions import Decisions
from feedun.decide.features import build_features
from feedun.decide.policy import evaluate
from feedun.decide.policy.load import Policy, load_policy
from feedun.decide.stored import decision_row, inputs_key, policy_label
from feedun.memory.collectors import collector_for
from feedun.store import Store
from feedun.store.inputs import IN_LIST_SIZE, Scope, read_inputs, rooms_with_demand_letters
from feedun.store.runs import inputs_fingerprint, load_run, replace_run

# Stored in their own columns; every other column of the frame goes into the decision's detail JSON.
_COLUMNS = ("room_id", "estate", "room", "owner", "tactic", "eligible", "hold", "next_action", "collector",
            "outstanding_fen", "months_overdue", "reasons")
_DERIVED = ("outstanding", "late_fee")  # yuan floats for policy comparisons, recomputed from fen on load


def _evaluate(policy: Policy, inputs: dict, as_of: date, settings: Settings) -> pd.DataFrame:
    """Features, the policy (once), collectors: one decision row per room with arrears in `inputs`, sorted."""
    frame = evaluate.decide(policy, build_features(inputs, as_of, settings))
    if len(frame):
        frame["collector"] = [collector_for(settings, e, r, c if isinstance(c, str) else None)
                              for e, r, c in zip(frame["estate"], frame["room"], frame["collector"], strict=True)]
        frame = frame.sort_values(["estate", "room"], kind="stable").reset_index(drop=True)
    return frame


def _decide(store: Store, settings: Settings, as_of: date) -> tuple[Decisions, str]:
    """Read the inputs from one snapshot, build the features, evaluate the policy (once), assign collectors."""
    policy = load_policy(settings.policy_path)
    with store.read() as conn:
        inputs = read_inputs(conn, as_of)
        fingerprint = inputs_fingerprint(conn)
    label_ = policy_label(policy)
    frame = _evaluate(policy, inputs, as_of, settings)
    return Decisions(as_of=as_of, policy=label_, frame=frame), inputs_key(fingerprint, label_, settings)


def decide_rooms(store: Store, settings: Settings, as_of: date) -> Decisions:
    """The decisions for every room with arrears, not stored (`feedun run --dry-run`)."""
    return _decide(store, settings, as_of)[0]


def _decide_scope(store: Store, settings: Settings, policy: Policy, as_of: date, scope: Scope) -> pd.DataFrame:
    with store.read() as conn:
        inputs = read_inputs(conn, as_of, scope)
    return _evaluate(policy, inputs, as_of, settings)


def _lawyer_cohort(store: Store, policy: Policy, as_of: date, estate: str) -> Scope:
    """The rooms the lawyer-letter cap may rank in the estate: all of them, or, when every lawyer rule fails for
    a room without a demand letter (`demand_letters_sent >= 2`…), only the rooms with one."""
    needs_letter = all(any(c.field == "demand_letters_sent" and not c.holds_for(0) for c in rule.conditions)
                       for rule in policy.rules if rule.tactic == Tactic.LAWYER_LETTER)
    if not needs_letter:
        return Scope(estate)
    with store.read() as conn:
        names = rooms_with_demand_letters(conn, estate, as_of)
    return Scope(estate, tuple(names)) if len(names) <= IN_LIST_SIZE else Scope(estate)


def decide_room(store: Store, settings: Settings, as_of: date, estate: str, room: str) -> Decisions:
    """One room's decision, not stored (`feedun explain`): its row of `decide_rooms`, with the same features and
    values, read from the room's own rows only. The frame has one row, or none when the room owes nothing.

    A room's features depend on its own rows alone; the one cross-room step is the lawyer-letter cap, which
    ranks the estate's lawyer-letter picks. A room the lawyer rule matches (`eligible`) is therefore decided
    again together with every room of its estate that could be such a pick, as classify decides it."""
    policy = load_policy(settings.policy_path)
    frame = _decide_scope(store, settings, policy, as_of, Scope(estate, (room,)))
    if len(frame) and Tactic.LAWYER_LETTER.value in frame.at[0, "eligible"]:
        cohort = _decide_scope(store, settings, policy, as_of, _lawyer_cohort(store, policy, as_of, estate))
        frame = cohort[cohort["room"] == room].reset_index(drop=True)
    return Decisions(as_of=as_of, policy=policy_label(policy), frame=frame)


def _detail(row: dict[str, Any]) -> str:
    detail = {k: v for k, v in row.items() if k not in _COLUMNS and k not in _DERIVED}
    detail["tags"] = sorted(detail.get("tags") or ())
    return json.dumps(detail, ensure_ascii=False, default=str)


def classify(store: Store, settings: Settings, *, as_of: date | None = None) -> Decisions:
    """Decide and store: a run per as-of date; re-running the same date replaces its decisions."""
    as_of = as_of or date.today()
    decided, key = _decide(store, settings, as_of)
    rows = [{"room_id": int(r["room_id"]), "owner": r["owner"], "tactic": r["tactic"],
             "eligible": json.dumps(list(r["eligible"])), "hold": r["hold"], "next_action": r["next_action"],
             "collector": r["collector"], "outstanding": int(r["outstanding_fen"]),
             "months_overdue": int(r["months_overdue"]), "reasons": json.dumps(list(r["reasons"]), ensure_ascii=False),
             "detail": _detail(r)}
            for r in decided.frame.to_dict("records")]
    with store.write() as tx:
        run_id = replace_run(tx, as_of, decided.policy, key, rows)
    return Decisions(as_of=as_of, policy=decided.policy, frame=decided.frame, run_id=run_id)


def _from_stored(stored) -> Decisions:
    frame = pd.DataFrame([decision_row(record) for record in stored.frame.to_dict("records")])
    return Decisions(as_of=stored.as_of, policy=stored.policy, frame=frame, run_id=stored.run_id)


def decisions_for(store: Store, settings: Settings, as_of: date) -> tuple[Decisions, str | None]:
    """The day's decisions for an output: the stored run of `as_of` while its inputs are unchanged, else a new
    classify (stored). The second value says, in Chinese, that a classify was done now (None when read back)."""
    policy = load_policy(settings.policy_path)
    with store.read() as conn:
        stored = load_run(conn, as_of)
        fingerprint = inputs_fingerprint(conn)
    if stored is not None:
        label_ = policy_label(policy)
        fresh = stored.inputs == inputs_key(fingerprint, label_, settings)
        complete = not stored.frame.empty and stored.frame["detail"].notna().all()  # empty: deciding is instant
        if fresh and complete:
            return _from_stored(stored), None
    decided = classify(store, settings, as_of=as_of)
    why = "没有当天的分类结果" if stored is None else "分类之后数据或配置有变化"
    return decided, f"{why}，已先分类（截至 {as_of}，第 {decided.run_id} 次分类）。"


def summary(decided: Decisions) -> tuple[list[list[Any]], list[list[Any]]]:
    """(by tactic, by collector): [label, rooms, fen] rows, tactics in playbook order then holds."""
    d = decided.frame
    by_tactic = []
    for tactic in sorted(FACTS, key=lambda t: FACTS[t].number):
        part = d[d["tactic"] == tactic.value] if len(d) else d
        if len(part):
            by_tactic.append([label(tactic.value), len(part), int(part["outstanding_fen"].sum())])
    held = d[d["tactic"].isna()] if len(d) else d
    if len(held):
        for hold, part in held.groupby("hold_name"):
            by_tactic.append([f"暂缓：{hold}", len(part), int(part["outstanding_fen"].sum())])
    by_collector = ([[name or "未分配管家", len(part), int(part["outstanding_fen"].sum())]
                     for name, part in d.assign(collector=d["collector"].fillna("")).groupby("collector")]
                    if len(d) else [])
    return by_tactic, by_collector
