"""The policy language: conditions (parsed by a grammar, never eval'd), policy files with line-numbered problems,
`feedun rules check`, and the nine tactics handled everywhere they are mapped."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from feedun.core.tactics import ACTORS, FACTS, Tactic, label
from feedun.decide.features import FIELDS
from feedun.decide.policy.grammar import Condition, ConditionError, parse
from feedun.decide.policy.load import DEFAULT_SOURCE, PolicyError, default_policy_text, load_policy, parse_policy
from helpers import run_feedun

pytestmark = pytest.mark.no_store  # policies are parsed and evaluated on frames; no store is opened

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ALL_TACTICS = [t.value for t in Tactic]


# ---- conditions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "field", "op", "value", "described"), [
    ("months_overdue >= 3", "months_overdue", ">=", 3, "账龄（月） ≥ 3"),
    ("outstanding > 0.5", "outstanding", ">", 0.5, "欠费金额(元) > 0.5"),
    ("attempts<2", "attempts", "<", 2, "联系次数 < 2"),
    ("vague_count != 0", "vague_count", "!=", 0, "含糊推托次数 ≠ 0"),
    ("months_overdue in [1, 2]", "months_overdue", "in", [1, 2], "账龄（月） 属于 1、2"),
    ("dispute_open == false", "dispute_open", "==", False, "纠纷处理中 = 否"),
    ("reachable == true", "reachable", "==", True, "联系得上 = 是"),
    ('dispute == "quality"', "dispute", "==", "quality", "纠纷类型 = 房屋质量/整改"),
    ("last_outcome == 'vague'", "last_outcome", "==", "vague", "最近一次联系结果 = 含糊推托"),
    ('dispute in ["quality", "service"]', "dispute", "in", ["quality", "service"], "纠纷类型 属于 房屋质量/整改、服务问题"),
    ('dispute not  in ["neighbor"]', "dispute", "not in", ["neighbor"], "纠纷类型 不属于 邻里纠纷"),
    ('"rapport" in tags', "tags", "in", "rapport", "标签含 关系融洽"),
    ('"hot_tempered" not in tags', "tags", "not in", "hot_tempered", "标签不含 脾气急躁"),
    ("'leader' in tags", "tags", "in", "leader", "标签含 带头人"),
])
def test_valid_conditions(text: str, field: str, op: str, value: object, described: str) -> None:
    condition = parse(text)
    assert (condition.field, condition.op, condition.value) == (field, op, value)
    assert type(condition.value) is type(value)
    assert condition.text == text.strip()
    assert condition.describe() == described


def test_conditions_select_rows_like_their_single_value_test() -> None:
    frame = pd.DataFrame({
        "months_overdue": [0, 3, 7],
        "dispute": ["", "quality", "neighbor"],
        "dispute_open": [False, True, True],
        "tags": [frozenset(), frozenset({"rapport"}), frozenset({"rapport", "hot_tempered"})],
    })
    expected = {
        "months_overdue >= 3": [False, True, True],
        "months_overdue in [0, 7]": [True, False, True],
        'dispute in ["quality", "service"]': [False, True, False],
        'dispute not in ["quality", "service"]': [True, False, True],
        "dispute_open == true": [False, True, True],
        '"rapport" in tags': [False, True, True],
        '"hot_tempered" not in tags': [True, True, False],
    }
    for text, rows in expected.items():
        condition = parse(text)
        assert condition.mask(frame).tolist() == rows, text
        assert [condition.holds_for(v) for v in frame[condition.field]] == rows, text


@pytest.mark.parametrize(("text", "message"), [
    ("months_overdu >= 3", "未知字段 months_overdu"),
    ('"rapport" in tag', "未知字段 tag"),
    ("months_overdue => 3", "格式应为"),
    ("months_overdue ~ 3", "格式应为"),
    ("months_overdue", "格式应为"),
    ("", "格式应为"),
    ("__import__('os').system('true')", "格式应为"),
    ("months_overdue >= 3 or true", "无法识别"),
    ("months_overdue >= three", "无法识别"),
    ("months_overdue >= {}", "无法识别"),
    ("months_overdue >= null", "无法识别"),
    ('months_overdue >= "3"', "不是数字"),
    ("months_overdue >= true", "不是数字"),
    ('months_overdue in [1, "2"]', "不是数字"),
    ("dispute_open == 1", "true 或 false"),
    ('dispute_open == "false"', "true 或 false"),
    ("dispute == quality", "无法识别"),
    ("dispute == 3", "加引号"),
    ('dispute in "quality"', "列表"),
    ("dispute in []", "列表"),
    ('tags == "rapport"', "集合"),
    ('tags not in ["rapport"]', "集合"),
    ('"quality" in dispute', "集合"),
    ("dispute_open >= true", "不能用 >= 比较"),
    ("reachable < false", "不能用 < 比较"),
    ('dispute > "quality"', "不能用 > 比较"),
])
def test_refused_conditions_say_why_in_chinese(text: str, message: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert CHINESE.search(str(caught.value))


@pytest.mark.parametrize("text", ["months_overdue >= NaN", "attempts != NaN", "months_overdue in [1, NaN]"])
def test_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ConditionError):
        parse(text)


def test_condition_is_a_frozen_value() -> None:
    condition = parse("months_overdue >= 3")
    assert condition == Condition("months_overdue >= 3", "months_overdue", ">=", 3)
    with pytest.raises(AttributeError):
        condition.value = 4  # type: ignore[misc]


# ---- policy files --------------------------------------------------------------------------------


def test_default_policy_parses_and_covers_all_nine() -> None:
    policy = parse_policy(default_policy_text(), DEFAULT_SOURCE)
    assert sorted(policy.tactics) == sorted(ALL_TACTICS)
    assert policy.rules[-1].tactic == "reminder"
    assert policy.lawyer_per_cohort == 1
    assert {"do_not_contact", "promise_open", "demand_quiet", "lawyer_quiet"} <= {h.id for h in policy.holds}
    lines = default_policy_text().splitlines()
    for rule in policy.rules:
        assert f'"{rule.tactic}"' in lines[rule.line - 1]
        assert rule.conditions
    assert load_policy(None).sha256 == policy.sha256 and load_policy(None).source == DEFAULT_SOURCE


def line_of(text: str, needle: str) -> int:
    (number,) = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    return number


BAD = """\
[settings]
lawyer_per_cohort = 1

[[hold]]
id = "do_not_contact"
name = "勿扰"
when = ["do_not_contact == true"]

[[rule]]
tactic = "lawyer_letter"
when = ["months_overdue >= 3", "demand_leters_sent >= 2"]

[[rule]]
tactic = "sweet_talk"
when = ["attempts >= 1"]

[[rule]]
tactic = "sympathy"
when = ["months_overdue <= 3",
        "dispute_open >= true"]

[[rule]]
tactic = "reminder"
when = ["outstanding > 0"]
"""


def test_bad_policy_names_every_problem_with_its_line() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(BAD, "bad.toml")
    message = caught.value.message
    unknown_field = line_of(BAD, "demand_leters_sent")
    unknown_tactic = line_of(BAD, "sweet_talk")
    bad_condition = line_of(BAD, "dispute_open >= true")
    assert (unknown_field, unknown_tactic, bad_condition) == (11, 14, 20)
    problems = message.splitlines()[1:]
    assert len(problems) == 3, message
    assert f"第 {unknown_field} 行" in problems[0] and "未知字段 demand_leters_sent" in problems[0]
    assert f"第 {unknown_tactic} 行" in problems[1] and "sweet_talk" in problems[1] and "未知的招数" in problems[1]
    assert f"第 {bad_condition} 行" in problems[2] and "不能用 >= 比较" in problems[2]
    assert str(caught.value.path) == "bad.toml" and "rules check" in caught.value.hint


def test_same_condition_twice_is_reported_at_each_line() -> None:
    text = default_policy_text().replace('"busy_count >= 2"', '"busy_count >= 2", "tags >= 1"').replace(
        '"outstanding > 0"', '"outstanding > 0", "tags >= 1"')
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.toml")
    found = [int(n) for n in re.findall(r"第 (\d+) 行", caught.value.message)]
    assert found == [line_of(text, '"busy_count >= 2", "tags >= 1"'), line_of(text, '"outstanding > 0", "tags >= 1"')]


@pytest.mark.parametrize(("text", "message"), [
    ('[[rule]]\ntactic = "reminder"\nwhen = ["outstanding > 0"]\n\n[[rule]]\ntactic = "pin_down"\n'
     'when = ["vague_count >= 2"]\n', "第 6 行：最后一条规则应是兜底的 reminder"),
    ("[settings]\nlawyer_per_cohort = 1\n", "没有任何规则"),
    ('[settings]\nlawyer_per_cohort = -1\n[[rule]]\ntactic = "reminder"\nwhen = ["outstanding > 0"]\n',
     "第 2 行：lawyer_per_cohort"),
    ('[[rule]]\ntactic = "reminder"\nwhen = "outstanding > 0"\n', "when 应为条件文字的列表"),
    ('[[rule]]\ntactic = "reminder"\nwhen = ["outstanding > 0"]\npriority = 1\n', "未知的键 priority"),
    ('[[rules]]\ntactic = "reminder"\n', "未知的小节 rules"),
    ('[[rule]]\ntactic = "reminder"\nwhen = ["outstanding > 0"\n', "不是有效的 TOML"),
])
def test_policies_refused(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "p.toml")
    assert message in caught.value.message


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="找不到规则文件"):
        load_policy(tmp_path / "none.toml")


def test_rules_check_command(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(default_policy_text(), encoding="utf-8")
    ok = run_feedun(["rules", "check", good], tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "没有问题" in ok.stdout and all(label(t) in ok.stdout for t in ALL_TACTICS)
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    refused = run_feedun(["rules", "check", bad], tmp_path)
    assert refused.returncode == 1
    assert all(f"第 {n} 行" in refused.stderr for n in (11, 14, 20)), refused.stderr
    assert "Traceback" not in refused.stderr


# ---- the nine tactics, everywhere they are mapped ------------------------------------------------------


def test_every_tactic_has_facts_a_label_and_a_default_rule() -> None:
    assert len(Tactic) == 9 and set(FACTS) == set(Tactic)
    assert sorted(f.number for f in FACTS.values()) == list(range(1, 10))
    text = default_policy_text()
    for tactic in Tactic:
        facts = FACTS[tactic]
        assert CHINESE.search(facts.name) and facts.actor in ACTORS and facts.next_action.strip()
        assert label(tactic.value) == f"第{facts.number}招 {facts.name}"
        assert f'tactic = "{tactic.value}"' in text
    assert {f.formal for f in FACTS.values() if f.actor in ("company", "legal")} == {True}
    assert label(None) == "暂缓"


def test_default_policy_fields_exist() -> None:
    """Every field the default policy reads is a known feature field (the policy and features.py agree)."""
    policy = parse_policy(default_policy_text(), DEFAULT_SOURCE)
    used = {c.field for r in [*policy.rules, *policy.holds] for c in r.conditions}
    assert used <= set(FIELDS)
