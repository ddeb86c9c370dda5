"""The features the policy reads: their names, kinds and Chinese labels, and how a value is shown to a person.

Kept apart from the vectorised feature table (features.py) so that reading one room's stored decision
(`feedun explain` after the day's run, decide/stored.py) needs neither pandas nor numpy.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any

from feedun.core.vocab import DISPUTE_LABELS, TAG_LABELS
from feedun.decide.policy.labels import TEXT_LABELS

NONE_DAYS = 99_999  # "never": days since a thing that did not happen


@dataclass(frozen=True)
class Field:
    kind: str  # number, bool, text, set
    label: str  # 中文, for explain


FIELDS: dict[str, Field] = {
    "outstanding": Field("number", "欠费金额(元)"),
    "months_overdue": Field("number", "账龄（月）"),
    "unpaid_periods": Field("number", "欠费月数"),
    "oldest_period": Field("text", "最早欠费期间"),
    "late_fee": Field("number", "合同滞纳金(元)"),
    "promises_made": Field("number", "承诺次数"),
    "promises_kept": Field("number", "兑现承诺次数"),
    "promises_broken": Field("number", "未兑现承诺次数"),
    "promises_open": Field("number", "承诺日期未到的承诺数"),
    "promises_due": Field("number", "已到承诺日期、待核对的承诺数"),
    "vague_count": Field("number", "含糊推托次数"),
    "busy_count": Field("number", "称忙/不在本地次数"),
    "refused_quality": Field("number", "因质量拒缴次数"),
    "refused_service": Field("number", "因服务拒缴次数"),
    "refused_unfair": Field("number", "认为收费不合理次数"),
    "refused_other": Field("number", "其他原因拒缴次数"),
    "attempts": Field("number", "联系次数"),
    "failed_streak": Field("number", "连续未联系上次数"),
    "reachable": Field("bool", "联系得上"),
    "has_phone": Field("bool", "有有效电话"),
    "last_outcome": Field("text", "最近一次联系结果"),
    "dispute": Field("text", "纠纷类型"),
    "dispute_open": Field("bool", "纠纷处理中"),
    "service_issue_open": Field("bool", "有未解决的质量/服务问题"),
    "tags": Field("set", "标签"),
    "do_not_contact": Field("bool", "勿扰"),
    "demand_letters_sent": Field("number", "已发催费函"),
    "days_since_last_demand": Field("number", "距上次催费函天数"),
    "lawyer_letter_state": Field("text", "律师函状态"),
    "days_to_lawyer_deadline": Field("number", "距律师函期限天数"),
    "days_since_last_contact": Field("number", "距上次联系天数"),
    "limitation_risk": Field("bool", "临近诉讼时效"),
}


def show_value(field: str, value: Any) -> str:
    """A feature value as a person reads it: 是/否, labels for codes, "无" for nothing and for "never".

    `Integral` covers numpy's integers too (a value from the feature table or from a stored decision's JSON).
    """
    kind = FIELDS[field].kind
    if kind == "set":
        return "、".join(TAG_LABELS.get(t, t) for t in sorted(value)) or "无"
    if kind == "bool":
        return "是" if value else "否"
    if isinstance(value, Integral) and abs(int(value)) >= NONE_DAYS:
        return "无"
    if field == "dispute":
        return DISPUTE_LABELS.get(value, value) or "无"
    if field in ("last_outcome", "lawyer_letter_state"):
        return TEXT_LABELS.get(value, value) or "无"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value) if value != "" else "无"
