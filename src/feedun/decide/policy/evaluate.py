"""Evaluate a policy over the feature table: one decision per room, with its reasons, vectorised by condition."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from feedun.core.tactics import FACTS, Tactic, label
from feedun.core.vocab import BUILTIN_HOLD_LABELS, BuiltinHold
from feedun.decide.fields import FIELDS, show_value
from feedun.decide.policy.grammar import Condition
from feedun.decide.policy.load import Policy


def _mask(conditions: tuple[Condition, ...], frame: pd.DataFrame) -> np.ndarray:
    mask = np.ones(len(frame), dtype=bool)
    for condition in conditions:
        mask &= condition.mask(frame).to_numpy(dtype=bool)
    return mask


def reasons_for(conditions: tuple[Condition, ...], row: Any) -> list[str]:
    """row: anything indexable by field name (a Series, or a _Row over column lists)."""
    return [f"{c.describe()}（实际：{show_value(c.field, row[c.field])}）" for c in conditions]


class _Row:
    """Row i of column lists: per-row access without building a Series (100k rooms stay fast)."""

    def __init__(self, columns: dict[str, list[Any]], i: int) -> None:
        self.columns, self.i = columns, i

    def __getitem__(self, name: str) -> Any:
        return self.columns[name][self.i]


def decide(policy: Policy, features: pd.DataFrame) -> pd.DataFrame:
    """Add tactic / eligible / hold / next_action / reasons columns to a copy of the feature table."""
    frame = features.copy().reset_index(drop=True)
    n = len(frame)
    rule_masks = [_mask(rule.conditions, frame) for rule in policy.rules]
    chosen = np.full(n, -1)
    for index in range(len(policy.rules) - 1, -1, -1):  # walk backwards so the first match wins
        chosen = np.where(rule_masks[index], index, chosen)
    eligible_masks = {t: np.zeros(n, dtype=bool) for t in policy.tactics}
    for rule, mask in zip(policy.rules, rule_masks, strict=True):
        eligible_masks[rule.tactic] |= mask
    hold_index = np.full(n, -1)
    for index in range(len(policy.holds) - 1, -1, -1):
        hold_index = np.where(_mask(policy.holds[index].conditions, frame), index, hold_index)

    tactics: list[str | None] = []
    eligible: list[list[str]] = []
    holds: list[str | None] = []
    actions: list[str] = []
    reasons: list[list[str]] = []
    columns = {name: frame[name].tolist() for name in FIELDS if name in frame}
    for i in range(n):
        row = _Row(columns, i)
        eligible.append([t for t in policy.tactics if eligible_masks[t][i]])
        if hold_index[i] >= 0:
            hold = policy.holds[hold_index[i]]
            tactics.append(None)
            holds.append(hold.id)
            actions.append(hold.next_action)
            reasons.append([f"暂缓（{hold.name}）：" + "；".join(reasons_for(hold.conditions, row))])
        elif chosen[i] >= 0:
            rule = policy.rules[chosen[i]]
            tactics.append(rule.tactic)
            holds.append(None)
            actions.append(FACTS[Tactic(rule.tactic)].next_action)
            reasons.append(reasons_for(rule.conditions, row))
        else:
            tactics.append(None)
            holds.append(BuiltinHold.NO_RULE.value)
            actions.append("没有符合的规则：检查规则文件")
            reasons.append(["没有任何规则的条件全部满足"])
    # object dtype: None stays None (pandas would otherwise infer strings with NaN)
    frame["tactic"] = pd.Series(tactics, dtype=object)
    frame["eligible"] = pd.Series(eligible, dtype=object)
    frame["hold"] = pd.Series(holds, dtype=object)
    names = {h.id: h.name for h in policy.holds} | {h.value: BUILTIN_HOLD_LABELS[h] for h in BuiltinHold}
    frame["hold_name"] = pd.Series([names.get(h) if h else None for h in holds], dtype=object)
    frame["next_action"] = pd.Series(actions, dtype=object)
    frame["reasons"] = pd.Series(reasons, dtype=object)
    _lawyer_cohorts(policy, frame, rule_masks)
    return frame


def _lawyer_cohorts(policy: Policy, frame: pd.DataFrame, rule_masks: list[np.ndarray]) -> None:
    """Never many lawyer letters at once: per estate keep `lawyer_per_cohort`, leader first, then timid, then
    the longest overdue; the others take their next tactic and wait as candidates."""
    picked = frame.index[frame["tactic"] == Tactic.LAWYER_LETTER]
    if picked.empty:
        return
    order = frame.loc[picked].assign(
        _leader=frame.loc[picked, "tags"].map(lambda t: "leader" in t),
        _timid=frame.loc[picked, "tags"].map(lambda t: "timid" in t),
    ).sort_values(["estate", "_leader", "_timid", "months_overdue", "outstanding_fen", "room"],
                  ascending=[True, False, False, False, False, True])
    waiting = order.groupby("estate").cumcount() >= policy.lawyer_per_cohort
    for i in order.index[waiting.to_numpy()]:
        why = f"律师函候选：本小区这次只发 {policy.lawyer_per_cohort} 份（先带头人、再胆小怕事的、再欠费最久的）"
        fallback = next((index for index, rule in enumerate(policy.rules)
                         if rule.tactic != Tactic.LAWYER_LETTER and rule_masks[index][i]), None)
        if fallback is None:  # a user policy with no other rule for this room: it waits, on hold
            frame.at[i, "tactic"] = None
            frame.at[i, "hold"] = BuiltinHold.LAWYER_CANDIDATE.value
            frame.at[i, "hold_name"] = BUILTIN_HOLD_LABELS[BuiltinHold.LAWYER_CANDIDATE]
            frame.at[i, "next_action"] = "等待下一批律师函"
            frame.at[i, "reasons"] = [why]
            continue
        rule = policy.rules[fallback]
        frame.at[i, "tactic"] = rule.tactic
        frame.at[i, "next_action"] = FACTS[Tactic(rule.tactic)].next_action
        frame.at[i, "reasons"] = [f"{why}，暂用{label(rule.tactic)}", *reasons_for(rule.conditions, frame.loc[i])]
