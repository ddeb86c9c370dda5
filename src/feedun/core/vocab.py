"""Every fixed vocabulary feedun stores or reads, as StrEnums, with the Chinese label people see.

Values are the ids stored in the database and written in policy files, so a member compares and hashes equal
to its id (`Outcome.PROMISED == "promised"`). Each label table is checked for completeness at import time
(`_complete`) and mappings that drive behaviour are written as `match` statements ending in `assert_never`, so a
new member that is not handled everywhere fails the type check and the tests (see docs/design.md, "Vocabularies").
"""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never


class Outcome(StrEnum):
    """What came of one contact with an owner (one list: call lists, their read-back, `feedun log`, the policy)."""

    PAID_CLAIMED = "paid_claimed"
    PROMISED = "promised"
    VAGUE = "vague"
    BUSY_AWAY = "busy_away"
    REFUSED_QUALITY = "refused_quality"
    REFUSED_SERVICE = "refused_service"
    REFUSED_UNFAIR = "refused_unfair"
    REFUSED_OTHER = "refused_other"
    NO_ANSWER = "no_answer"
    INVALID_NUMBER = "invalid_number"
    CALLBACK = "callback"
    WRONG_PERSON = "wrong_person"
    # From an SMS platform's delivery report (短信发送记录), never typed on a call list.
    SMS_DELIVERED = "sms_delivered"
    SMS_FAILED = "sms_failed"


class Channel(StrEnum):
    CALL = "call"
    SMS = "sms"
    VISIT = "visit"
    WECHAT = "wechat"
    LETTER = "letter"
    IN_PERSON = "in_person"


class PromiseState(StrEnum):
    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    VOID = "void"  # the owner changed


class LetterKind(StrEnum):
    DUNNING = "dunning"  # 催费函
    LAWYER = "lawyer"  # 律师函


class LetterState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    SIGNED = "signed"
    RETURNED = "returned"
    VOID = "void"


class Delivery(StrEnum):
    EMS = "ems"
    REGISTERED = "registered"
    HAND = "hand"


class ImportKind(StrEnum):
    LEDGER = "ledger"
    PROFILES = "profiles"
    CALLS = "calls"
    REGISTER = "register"
    SMS_RECEIPTS = "sms_receipts"


class Tag(StrEnum):
    RAPPORT = "rapport"
    HOT_TEMPERED = "hot_tempered"
    LEADER = "leader"
    TIMID = "timid"
    ABSENTEE = "absentee"


class Dispute(StrEnum):
    QUALITY = "quality"
    SERVICE = "service"
    NEIGHBOR = "neighbor"
    VACANCY = "vacancy"
    SHARED_COST = "shared_cost"
    OTHER = "other"


class SmsFormat(StrEnum):
    """What `feedun sms` writes: files for a person or a platform; feedun never sends."""

    CSV = "csv"  # one table, UTF-8 with BOM (opens in Excel)
    ALIYUN = "aliyun"  # Aliyun SendBatchSms requests
    TENCENT = "tencent"  # Tencent Cloud SendSms requests


class NodeKind(StrEnum):
    """What a reminder node (催费必达时间点) does on its day: tactic 1's calendar, [[nodes]] in feedun.toml."""

    SMS = "sms"  # a bill-notice SMS file
    CALL = "call"  # the rooms go to the top of the collectors' call lists
    VISIT = "visit"  # a visit sheet per collector (上门清单), the bill handed over
    NOTICE = "notice"  # a written payment notice per room (书面缴费通知单) with a tear-off receipt


class BuiltinHold(StrEnum):
    """Holds feedun itself applies; a policy file names its own holds besides these."""

    NO_RULE = "no_rule"
    LAWYER_CANDIDATE = "lawyer_candidate"


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.PAID_CLAIMED: "称已缴费",
    Outcome.PROMISED: "承诺缴费",
    Outcome.VAGUE: "含糊推托",
    Outcome.BUSY_AWAY: "忙或不在本地",
    Outcome.REFUSED_QUALITY: "因房屋质量拒缴",
    Outcome.REFUSED_SERVICE: "因服务问题拒缴",
    Outcome.REFUSED_UNFAIR: "认为收费不合理拒缴",
    Outcome.REFUSED_OTHER: "其他原因拒缴",
    Outcome.NO_ANSWER: "无人接听",
    Outcome.INVALID_NUMBER: "号码无效",
    Outcome.CALLBACK: "约定回电",
    Outcome.WRONG_PERSON: "非业主本人",
    Outcome.SMS_DELIVERED: "短信已送达",
    Outcome.SMS_FAILED: "短信未送达",
}
CHANNEL_LABELS: dict[Channel, str] = {
    Channel.CALL: "电话", Channel.SMS: "短信", Channel.VISIT: "上门", Channel.WECHAT: "微信",
    Channel.LETTER: "函件", Channel.IN_PERSON: "当面",
}
PROMISE_STATE_LABELS: dict[PromiseState, str] = {
    PromiseState.OPEN: "待兑现", PromiseState.KEPT: "已兑现", PromiseState.BROKEN: "未兑现",
    PromiseState.VOID: "已作废（业主变更）",
}
LETTER_KIND_LABELS: dict[LetterKind, str] = {LetterKind.DUNNING: "催费函", LetterKind.LAWYER: "律师函"}
LETTER_STATE_LABELS: dict[LetterState, str] = {
    LetterState.DRAFT: "草稿", LetterState.SENT: "已发出", LetterState.SIGNED: "已签收",
    LetterState.RETURNED: "被退回", LetterState.VOID: "已作废",
}
DELIVERY_LABELS: dict[Delivery, str] = {
    Delivery.EMS: "EMS 特快专递", Delivery.REGISTERED: "挂号信", Delivery.HAND: "专人送达",
}
IMPORT_KIND_LABELS: dict[ImportKind, str] = {
    ImportKind.LEDGER: "台账", ImportKind.PROFILES: "业主档案", ImportKind.CALLS: "填好的催缴清单",
    ImportKind.REGISTER: "函件登记表", ImportKind.SMS_RECEIPTS: "短信发送记录",
}
TAG_LABELS: dict[Tag, str] = {
    Tag.RAPPORT: "关系融洽", Tag.HOT_TEMPERED: "脾气急躁", Tag.LEADER: "带头人", Tag.TIMID: "胆小怕事",
    Tag.ABSENTEE: "长期不在本地",
}
DISPUTE_LABELS: dict[Dispute, str] = {
    Dispute.QUALITY: "房屋质量/整改", Dispute.SERVICE: "服务问题", Dispute.NEIGHBOR: "邻里纠纷",
    Dispute.VACANCY: "空置房收费", Dispute.SHARED_COST: "公摊费用", Dispute.OTHER: "其他",
}
NODE_KIND_LABELS: dict[NodeKind, str] = {
    NodeKind.SMS: "缴费提醒短信", NodeKind.CALL: "电话提醒", NodeKind.VISIT: "上门送账单", NodeKind.NOTICE: "书面缴费通知",
}
BUILTIN_HOLD_LABELS: dict[BuiltinHold, str] = {
    BuiltinHold.NO_RULE: "没有符合的规则", BuiltinHold.LAWYER_CANDIDATE: "律师函候选",
}


def failed(outcome: Outcome) -> bool:
    """An attempt that did not reach the owner (counts toward the failed-attempt streak)."""
    match outcome:
        case Outcome.NO_ANSWER | Outcome.INVALID_NUMBER | Outcome.WRONG_PERSON | Outcome.SMS_FAILED:
            return True  # an SMS the network could not deliver: the number is doubtful (feeds tactic 4, trace)
        case (Outcome.PAID_CLAIMED | Outcome.PROMISED | Outcome.VAGUE | Outcome.BUSY_AWAY | Outcome.REFUSED_QUALITY
              | Outcome.REFUSED_SERVICE | Outcome.REFUSED_UNFAIR | Outcome.REFUSED_OTHER | Outcome.CALLBACK
              | Outcome.SMS_DELIVERED):
            return False  # a delivered bill notice reached the owner's phone: a demand that arrived (民法典 195)
        case _:
            assert_never(outcome)


FAILED_OUTCOMES = frozenset(o for o in Outcome if failed(o))


def typed_by_people(outcome: Outcome) -> bool:
    """Outcomes a collector picks on a call list or visit sheet (the SMS ones come from delivery reports)."""
    match outcome:
        case Outcome.SMS_DELIVERED | Outcome.SMS_FAILED:
            return False
        case (Outcome.PAID_CLAIMED | Outcome.PROMISED | Outcome.VAGUE | Outcome.BUSY_AWAY | Outcome.REFUSED_QUALITY
              | Outcome.REFUSED_SERVICE | Outcome.REFUSED_UNFAIR | Outcome.REFUSED_OTHER | Outcome.NO_ANSWER
              | Outcome.INVALID_NUMBER | Outcome.CALLBACK | Outcome.WRONG_PERSON):
            return True
        case _:
            assert_never(outcome)


LIST_OUTCOME_LABELS = [OUTCOME_LABELS[o] for o in Outcome if typed_by_people(o)]  # the lists' 结果 dropdown


def letter_transitions(state: LetterState) -> frozenset[LetterState]:
    """The states a letter may be changed to `state` from."""
    match state:
        case LetterState.DRAFT:
            return frozenset()  # letters are born drafts; nothing goes back
        case LetterState.SENT:
            return frozenset({LetterState.DRAFT})
        case LetterState.SIGNED | LetterState.RETURNED:
            return frozenset({LetterState.SENT})
        case LetterState.VOID:
            return frozenset({LetterState.DRAFT, LetterState.SENT})
        case _:
            assert_never(state)


def counts_as_sent(state: LetterState) -> bool:
    """Only letters that left the office count for escalation and as demands (limitation)."""
    match state:
        case LetterState.SENT | LetterState.SIGNED | LetterState.RETURNED:
            return True
        case LetterState.DRAFT | LetterState.VOID:
            return False
        case _:
            assert_never(state)


SENT_STATES = frozenset(s for s in LetterState if counts_as_sent(s))


def import_order(kind: ImportKind) -> int:
    """`feedun run` imports ledgers first (they settle promises), then profiles, call lists, registers."""
    match kind:
        case ImportKind.LEDGER:
            return 0
        case ImportKind.PROFILES:
            return 1
        case ImportKind.CALLS:
            return 2
        case ImportKind.SMS_RECEIPTS:
            return 3
        case ImportKind.REGISTER:
            return 4
        case _:
            assert_never(kind)


def choices(labels: dict) -> str:
    """'call（电话）、sms（短信）…': what a person may type, for help and error hints."""
    return "、".join(f"{code}（{label}）" for code, label in labels.items())


def _complete() -> None:
    tables = [(Outcome, OUTCOME_LABELS), (Channel, CHANNEL_LABELS), (PromiseState, PROMISE_STATE_LABELS),
              (LetterKind, LETTER_KIND_LABELS), (LetterState, LETTER_STATE_LABELS), (Delivery, DELIVERY_LABELS),
              (ImportKind, IMPORT_KIND_LABELS), (Tag, TAG_LABELS), (Dispute, DISPUTE_LABELS),
              (BuiltinHold, BUILTIN_HOLD_LABELS), (NodeKind, NODE_KIND_LABELS)]
    for enum, labels in tables:
        missing = set(enum) - set(labels)
        if missing:  # pragma: no cover - a programming error caught on import
            raise AssertionError(f"{enum.__name__} has no label for {sorted(missing)}")


_complete()
