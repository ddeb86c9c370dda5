"""Conditions: `FIELD OP VALUE` (or `VALUE in FIELD` for sets), parsed by a small grammar. Never eval.

    months_overdue >= 3          dispute in ["quality", "service"]
    dispute_open == false        "hot_tempered" not in tags
"""

from __future__ import annotations

import json
import math
import operator
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from feedun.decide.fields import FIELDS
from feedun.decide.policy.labels import value_label

if TYPE_CHECKING:  # `mask` takes a frame; parsing and `holds_for` (explain of a stored decision) need no pandas
    import pandas as pd

COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq,
           "!=": operator.ne}
OP_LABELS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "=", "!=": "≠", "in": "属于", "not in": "不属于"}

_FIELD_FIRST = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(>=|<=|==|!=|>|<|not\s+in|in)\s*(.+?)\s*$")
_VALUE_FIRST = re.compile(r"^\s*(\".*?\"|'.*?')\s+(not\s+in|in)\s+([a-z_][a-z0-9_]*)\s*$")


class ConditionError(ValueError):
    """A condition that does not parse or does not fit its field; the message is Chinese."""


@dataclass(frozen=True)
class Condition:
    text: str
    field: str
    op: str
    value: Any

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Which rows satisfy the condition (vectorised)."""
        column = frame[self.field]
        kind = FIELDS[self.field].kind
        if kind == "set":
            hit = column.map(lambda items: self.value in items)
            return ~hit if self.op == "not in" else hit
        if self.op in ("in", "not in"):
            hit = column.isin(self.value)
            return ~hit if self.op == "not in" else hit
        return COMPARE[self.op](column, self.value)

    def holds_for(self, actual: Any) -> bool:
        """The same test on one value, for explain."""
        if FIELDS[self.field].kind == "set":
            return (self.value in actual) != (self.op == "not in")
        if self.op in ("in", "not in"):
            return (actual in self.value) != (self.op == "not in")
        return bool(COMPARE[self.op](actual, self.value))

    def describe(self) -> str:
        """Chinese: '欠费月数 ≥ 3', '标签 不含 脾气急躁'."""
        label = FIELDS[self.field].label
        if FIELDS[self.field].kind == "set":
            return f"{label}{'不含' if self.op == 'not in' else '含'} {_show(self.value)}"
        return f"{label} {OP_LABELS[self.op]} {_show(self.value)}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_show(v) for v in value)
    if isinstance(value, str):
        return value_label(value)
    return str(value)


def _literal(text: str) -> Any:
    """A number, true/false, a quoted string, or a JSON-style list of those."""
    t = text.strip()
    if t in ("true", "false"):
        return t == "true"
    if t.startswith("'") and t.endswith("'"):
        t = '"' + t[1:-1] + '"'
    try:
        value = json.loads(t)
    except json.JSONDecodeError:
        raise ConditionError(f"值 {text} 无法识别：数字直接写，文字加引号，列表写成 [\"a\", \"b\"]") from None
    if isinstance(value, dict) or value is None:
        raise ConditionError(f"值 {text} 无法识别")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, float) and not math.isfinite(item):
            raise ConditionError(f"值 {text} 不是有限的数字")
    return value


def parse(text: str) -> Condition:
    """Parse and validate one condition against the known fields."""
    if m := _VALUE_FIRST.match(text):
        value, op, field = _literal(m[1]), re.sub(r"\s+", " ", m[2]), m[3]
        if field not in FIELDS:
            raise ConditionError(f"未知字段 {field}")
        if FIELDS[field].kind != "set":
            raise ConditionError(f"“值 in 字段”只用于标签这类集合字段，{field} 请写成 {field} == 值")
        return Condition(text.strip(), field, op, value)
    m = _FIELD_FIRST.match(text)
    if not m:
        raise ConditionError("格式应为“字段 运算符 值”，例如 months_overdue >= 3")
    field, op, raw = m[1], re.sub(r"\s+", " ", m[2]), m[3]
    if field not in FIELDS:
        raise ConditionError(f"未知字段 {field}；可用字段：{', '.join(FIELDS)}")
    value = _literal(raw)
    kind = FIELDS[field].kind
    if kind == "set":
        raise ConditionError(f"{field} 是集合，写成 \"标签\" in {field} 或 \"标签\" not in {field}")
    if op in ("in", "not in"):
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{op} 后面应是一个列表，例如 [\"quality\", \"service\"]")
        items = value
    else:
        items = [value]
    for item in items:
        if kind == "number" and (isinstance(item, bool) or not isinstance(item, int | float)):
            raise ConditionError(f"{field} 是数字，值 {raw} 不是数字")
        if kind == "bool" and not isinstance(item, bool):
            raise ConditionError(f"{field} 是是/否字段，值应为 true 或 false")
        if kind == "text" and not isinstance(item, str):
            raise ConditionError(f"{field} 是文字，值要加引号")
    if kind in ("bool", "text") and op in (">", "<", ">=", "<="):
        raise ConditionError(f"{field} 不能用 {op} 比较")
    return Condition(text.strip(), field, op, value)
