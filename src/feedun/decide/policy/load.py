"""Load and validate a policy file; every problem is reported with its line."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from feedun.config import explain_toml_error
from feedun.core.errors import FeedunError
from feedun.core.tactics import Tactic
from feedun.decide.policy.grammar import Condition, ConditionError, parse


@dataclass(frozen=True)
class Rule:
    tactic: Tactic
    conditions: tuple[Condition, ...]
    line: int


@dataclass(frozen=True)
class Hold:
    id: str
    name: str
    conditions: tuple[Condition, ...]
    next_action: str
    line: int


@dataclass
class Policy:
    source: str  # file path, or "默认规则"
    sha256: str
    rules: list[Rule] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    lawyer_per_cohort: int = 1

    @property
    def tactics(self) -> list[str]:
        """Tactic ids in policy order, each once."""
        return list(dict.fromkeys(r.tactic for r in self.rules))


class PolicyError(FeedunError):
    pass


def _line_of(lines: list[str], text: str, start: int) -> int:
    """1-based line where `text` first appears at or after line `start` (0 when not found)."""
    for index in range(max(start - 1, 0), len(lines)):
        if text in lines[index]:
            return index + 1
    for index, line in enumerate(lines):
        if text in line:
            return index + 1
    return 0


def parse_policy(text: str, source: str) -> Policy:
    """Parse policy TOML text; raises PolicyError naming each bad line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where, line = explain_toml_error(exc, text)
        raise PolicyError(f"规则文件不是有效的 TOML：{where}。", path=source, row=line,
                          hint="检查引号、方括号是否成对；条件里的双引号写成 \\\" 或改用单引号。") from None
    lines = text.splitlines()
    problems: list[str] = []
    policy = Policy(source=source, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    unknown = set(data) - {"settings", "rule", "hold"}
    for key in sorted(unknown):
        problems.append(f"第 {_line_of(lines, key, 1)} 行：未知的小节 {key}（可用：settings、hold、rule）")
    settings = data.get("settings", {})
    cohort = settings.get("lawyer_per_cohort", 1)
    if not isinstance(cohort, int) or isinstance(cohort, bool) or cohort < 0:
        problems.append(f"第 {_line_of(lines, 'lawyer_per_cohort', 1)} 行：lawyer_per_cohort 应为不小于 0 的整数")
    else:
        policy.lawyer_per_cohort = cohort
    cursor = 1

    def conditions(entry: dict, where: str) -> tuple[Condition, ...]:
        nonlocal cursor
        when = entry.get("when")
        if not isinstance(when, list) or not all(isinstance(w, str) for w in when) or not when:
            problems.append(f"第 {cursor} 行：{where} 的 when 应为条件文字的列表")
            return ()
        parsed = []
        for text_ in when:
            line = _line_of(lines, text_.replace('"', '\\"'), cursor) or _line_of(lines, text_, cursor)
            cursor = max(cursor, line)
            try:
                parsed.append(parse(text_))
            except ConditionError as exc:
                problems.append(f"第 {line} 行：条件“{text_}”：{exc}")
        return tuple(parsed)

    for hold in data.get("hold", []):
        cursor = _line_of(lines, f'"{hold.get("id", "")}"', cursor) or cursor
        line = cursor
        if not hold.get("id"):
            problems.append(f"第 {line} 行：hold 缺少 id")
        policy.holds.append(Hold(str(hold.get("id", "")), str(hold.get("name", hold.get("id", ""))),
                                 conditions(hold, f"暂缓 {hold.get('id', '')}"),
                                 str(hold.get("next_action", "")), line))
    known = {t.value for t in Tactic}
    for rule in data.get("rule", []):
        tactic = rule.get("tactic")
        cursor = _line_of(lines, f'"{tactic}"', cursor) or cursor
        line = cursor
        if tactic not in known:
            problems.append(f"第 {line} 行：未知的招数 {tactic!r}（可用：{'、'.join(t.value for t in Tactic)}）")
        extra = set(rule) - {"tactic", "when"}
        if extra:
            problems.append(f"第 {line} 行：规则中未知的键 {', '.join(sorted(extra))}")
        rule_conditions = conditions(rule, f"规则 {tactic}")
        if tactic in known:  # an unknown tactic is already a problem: the policy is refused below
            policy.rules.append(Rule(Tactic(tactic), rule_conditions, line))
    if not policy.rules:
        problems.append("没有任何规则（[[rule]]）")
    elif policy.rules[-1].tactic != Tactic.REMINDER:
        problems.append(f"第 {policy.rules[-1].line} 行：最后一条规则应是兜底的 reminder（适时提醒）")
    if problems:
        raise PolicyError("规则文件有误：\n  " + "\n  ".join(problems), path=source,
                          hint="对照 feedun 自带的默认规则修改；改好后运行 feedun rules check。")
    return policy


DEFAULT_SOURCE = "默认规则"


def default_policy_text() -> str:
    return resources.files("feedun.decide.policy").joinpath("default.toml").read_text("utf-8")


def load_policy(path: Path | None) -> Policy:
    """The user's policy file when given, else the default that ships with feedun."""
    if path is None:
        return parse_policy(default_policy_text(), DEFAULT_SOURCE)
    if not path.exists():
        raise PolicyError("找不到规则文件。", path=path, hint="检查 feedun.toml 中 [policy] file 的路径。")
    return parse_policy(path.read_text(encoding="utf-8"), str(path))
