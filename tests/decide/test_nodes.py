"""Tactic 1's calendar: the node table, node days moved past weekends and holidays, and whom a node reaches."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from feedun.config import Settings
from feedun.core.vocab import NodeKind
from feedun.decide.nodes import Node, month_nodes, node_table, nodes_on, plan_month, reached

pytestmark = pytest.mark.no_store


def test_default_table_is_the_design_table_with_sms_days_from_sms() -> None:
    table = node_table(Settings())
    assert [(n.day, n.kind.value, n.min_months) for n in table] == [
        (5, "sms", 0), (10, "call", 0), (15, "sms", 0), (15, "call", 0), (20, "visit", 2), (25, "notice", 0)]
    assert [n.day for n in node_table(Settings.model_validate({"sms": {"days": [8]}})) if n.kind == "sms"] == [8]


def test_a_month_of_node_days_with_a_holiday_moved() -> None:
    # October 2026: the 5th falls in the National Day holiday (1st-7th) and moves to Thursday the 8th; the 10th is
    # a Saturday worked in exchange (调休) and stays; the 25th is a Sunday and moves to Monday the 26th.
    plan = [(on.isoformat(), n.day, n.kind.value) for on, n in month_nodes(Settings(), 2026, 10)]
    assert plan == [("2026-10-08", 5, "sms"), ("2026-10-10", 10, "call"), ("2026-10-15", 15, "sms"),
                    ("2026-10-15", 15, "call"), ("2026-10-20", 20, "visit"), ("2026-10-26", 25, "notice")]
    assert [n.kind for n in nodes_on(Settings(), date(2026, 10, 8))] == [NodeKind.SMS]
    assert nodes_on(Settings(), date(2026, 10, 5)) == []


def test_a_node_pushed_into_next_month_still_happens() -> None:
    settings = Settings.model_validate({"nodes": [{"day": 31, "kind": "notice"}]})
    # 2026-01-31 is a Saturday: the notice goes out on Monday 2 February.
    assert [n.day for n in nodes_on(settings, date(2026, 2, 2), NodeKind.NOTICE)] == [31]


def test_configured_nodes_accept_chinese_kind_labels_and_refuse_unknown_ones() -> None:
    settings = Settings.model_validate({"nodes": [{"day": 12, "kind": "上门送账单", "min_months": 3}]})
    assert node_table(settings) == [Node(12, NodeKind.VISIT, 3)]
    assert node_table(settings)[0].label == "每月 12 日 上门送账单（欠费 3 个月以上）"
    with pytest.raises(ValueError, match="不认识的节点类型“fax”"):
        Settings.model_validate({"nodes": [{"day": 12, "kind": "fax"}]})
    tagged = Settings.model_validate({"nodes": [{"day": 12, "kind": "call", "tag": "长期不在本地"}]})
    assert node_table(tagged)[0].tag == "absentee" and "标签：长期不在本地" in node_table(tagged)[0].label
    with pytest.raises(ValueError, match="不认识的招数"):
        Settings.model_validate({"nodes": [{"day": 12, "kind": "call", "tactic": "threaten"}]})


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "room": ["1-1-101", "1-1-102", "1-1-103", "1-1-104", "1-1-105"],
        "tactic": ["reminder", "reminder", "pin_down", None, "reminder"],
        "do_not_contact": [False, False, False, False, True],
        "outstanding_fen": [100, 200, 300, 400, 500],
        "months_overdue": [1, 3, 6, 6, 6],
        "tags": [frozenset(), frozenset({"absentee"}), frozenset(), frozenset({"absentee"}), frozenset()],
    })


def test_a_node_reaches_active_owing_rooms_that_match_its_filter() -> None:
    frame = _frame()
    everyone = reached([Node(10, NodeKind.CALL)], frame)
    assert list(frame.loc[everyone, "room"]) == ["1-1-101", "1-1-102", "1-1-103"]  # not held, not 勿扰
    assert list(frame.loc[reached([Node(20, NodeKind.VISIT, 2)], frame), "room"]) == ["1-1-102", "1-1-103"]
    assert list(frame.loc[reached([Node(20, NodeKind.CALL, 0, "pin_down")], frame), "room"]) == ["1-1-103"]
    assert list(frame.loc[reached([Node(20, NodeKind.VISIT, 0, None, "absentee")], frame), "room"]) == ["1-1-102"]
    assert not reached([], frame).any()


def test_plan_month_counts_rooms_and_amount_per_node() -> None:
    plan = plan_month(Settings(), _frame(), 2026, 12)
    visit = next(p for p in plan if p.node.kind == NodeKind.VISIT)
    assert (visit.on, visit.rooms, visit.amount_fen) == (date(2026, 12, 21), 2, 500)  # the 20th is a Sunday


def test_a_month_planned_before_any_ledger_reaches_nobody() -> None:
    """`feedun nodes` in a fresh workspace: the decisions frame has no columns yet (was KeyError 'outstanding_fen')."""
    plan = plan_month(Settings(), pd.DataFrame(), 2026, 12)
    assert plan and all(p.rooms == 0 and p.amount_fen == 0 for p in plan)
