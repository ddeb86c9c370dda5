"""Tactic 1's calendar (适时提醒): the month's reminder nodes (催费必达时间点) and the rooms each one reaches.

The seed's first tactic reminds each owner individually on fixed days from the 5th, by channel and by kind of
owner. The table is feedun.toml [[nodes]]; without one, docs/design.md's default: a bill-notice SMS on each
[sms] days (5th and 15th), calls on the 10th and 15th, a door visit with the bill on the 20th for rooms at least
two months overdue, and a written payment notice on the 25th. A node day on a weekend or public holiday moves to
the next workday (core/calendar.py); a node of last month moved into this one by a long holiday still happens.

A node reaches the rooms the day's decisions leave active (a tactic, not held, not 勿扰) that match its filter;
what it reaches is handed to the outputs (SMS, call lists, visit sheets, written notices), never decided again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from feedun.config import Settings
from feedun.core.calendar import node_dates
from feedun.core.tactics import label as tactic_label
from feedun.core.vocab import NODE_KIND_LABELS, TAG_LABELS, NodeKind, Tag

DEFAULT_NODES = ((10, NodeKind.CALL, 0), (15, NodeKind.CALL, 0), (20, NodeKind.VISIT, 2), (25, NodeKind.NOTICE, 0))


@dataclass(frozen=True)
class Node:
    day: int  # day of the month as configured (before moving past holidays)
    kind: NodeKind
    min_months: int = 0
    tactic: str | None = None
    tag: str | None = None

    @property
    def label(self) -> str:
        """'每月 20 日 上门送账单（欠费 2 个月以上）'."""
        who = [f"欠费 {self.min_months} 个月以上"] if self.min_months else []
        who += [tactic_label(self.tactic)] if self.tactic else []
        who += [f"标签：{TAG_LABELS[Tag(self.tag)]}"] if self.tag else []
        return f"每月 {self.day} 日 {NODE_KIND_LABELS[self.kind]}" + (f"（{'，'.join(who)}）" if who else "")


def node_table(settings: Settings) -> list[Node]:
    """The configured nodes, or the default table with [sms] days as its SMS nodes; in day order."""
    if settings.nodes is not None:
        nodes = [Node(n.day, NodeKind(n.kind), n.min_months, n.tactic, n.tag) for n in settings.nodes]
    else:
        nodes = [Node(d, NodeKind.SMS) for d in sorted(set(settings.sms.days))]
        nodes += [Node(day, kind, months) for day, kind, months in DEFAULT_NODES]
    return sorted(nodes, key=lambda n: (n.day, list(NodeKind).index(n.kind)))


def node_days(settings: Settings, kind: NodeKind) -> list[int]:
    return sorted({n.day for n in node_table(settings) if n.kind == kind})


def month_nodes(settings: Settings, year: int, month: int) -> list[tuple[date, Node]]:
    """Each node of the month with the date it falls on (moved past holidays), in date order."""
    table = node_table(settings)
    dates = node_dates(year, month, sorted({n.day for n in table}))
    return sorted(((dates[n.day], n) for n in table), key=lambda item: (item[0], item[1].day))


def nodes_on(settings: Settings, day: date, kind: NodeKind | None = None) -> list[Node]:
    """The nodes whose (moved) date is `day`: this month's, and last month's pushed into this one by a holiday."""
    before = day.replace(day=1) - timedelta(days=1)
    found = [n for on, n in month_nodes(settings, day.year, day.month) + month_nodes(settings, before.year,
                                                                                     before.month) if on == day]
    return [n for n in dict.fromkeys(found) if kind is None or n.kind == kind]


def reached(nodes: list[Node], frame: pd.DataFrame) -> pd.Series:
    """Rows of a decisions frame that any of `nodes` reaches: active (a tactic, not 勿扰), owing, and matching the
    node's months, tactic and tag. All False with no nodes."""
    hit = pd.Series(False, index=frame.index)
    if frame.empty or not nodes:
        return hit
    active = frame["tactic"].notna() & ~frame["do_not_contact"].astype(bool) & (frame["outstanding_fen"] > 0)
    for node in nodes:
        match = active & (frame["months_overdue"] >= node.min_months)
        if node.tactic:
            match &= frame["tactic"] == node.tactic
        if node.tag:
            tags = frame["tags"] if "tags" in frame else pd.Series([frozenset()] * len(frame), index=frame.index)
            match &= pd.Series([node.tag in (t or ()) for t in tags], index=frame.index, dtype=bool)
        hit |= match
    return hit


@dataclass
class PlannedNode:
    on: date
    node: Node
    rooms: int  # rooms the node reaches by the given decisions
    amount_fen: int


def plan_month(settings: Settings, frame: pd.DataFrame, year: int, month: int) -> list[PlannedNode]:
    """The month's nodes with the rooms each would reach by today's decisions (a plan: payments before a node
    change what it reaches on the day)."""
    plan = []
    for on, node in month_nodes(settings, year, month):
        if frame.empty:  # no ledger imported yet (the frame then has no columns): the node reaches nobody
            plan.append(PlannedNode(on, node, 0, 0))
            continue
        hit = reached([node], frame)
        plan.append(PlannedNode(on, node, int(hit.sum()), int(frame.loc[hit, "outstanding_fen"].sum())))
    return plan
