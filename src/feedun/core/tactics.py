"""The nine tactics (九招) and their fixed facts. Ids are English; every user-facing output shows the Chinese name."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tactic(StrEnum):
    REMINDER = "reminder"
    PIN_DOWN = "pin_down"
    SYMPATHY = "sympathy"
    TRACE = "trace"
    ALLY = "ally"
    GOODWILL = "goodwill"
    ALL_HANDS = "all_hands"
    DEMAND_LETTER = "demand_letter"
    LAWYER_LETTER = "lawyer_letter"


@dataclass(frozen=True)
class TacticFacts:
    number: int
    name: str  # 中文
    mandatory: bool
    actor: str  # individual / all_staff / company / legal
    formal: bool
    next_action: str  # what staff do, in the users' words
    hint: str  # the same in at most 9 characters: one printed line of the call list's 提示 column


ACTORS = {"individual": "管家个人", "all_staff": "全体员工", "company": "公司", "legal": "律师事务所"}

FACTS: dict[Tactic, TacticFacts] = {
    Tactic.REMINDER: TacticFacts(1, "适时提醒", True, "individual", False,
                                 "按提醒节点单独发缴费提醒短信、打电话，欠费两个月以上的上门送账单；不要群发",
                                 "报金额，约缴费时间"),
    Tactic.PIN_DOWN: TacticFacts(2, "断其后路", True, "individual", False,
                                 "提供转账或银行代扣，和业主约定具体的日期和金额，到日子准时回访确认",
                                 "约定缴费日期和金额"),
    Tactic.SYMPATHY: TacticFacts(3, "苦肉计", False, "individual", False,
                                 "由熟悉的管家诚恳说明自己的考核压力和难处，请业主体谅，点到为止",
                                 "讲难处，请业主体谅"),
    Tactic.TRACE: TacticFacts(4, "地毯搜索", True, "individual", False,
                              "通过开发商资料、中介、租户或代理人、紧急联系人、工作单位找到新的联系方式；不向第三方透露欠费",
                              "核实身份，更新电话"),
    Tactic.ALLY: TacticFacts(5, "统一战线", False, "individual", False,
                             "先跟进整改，站在业主一边向开发商反映，把物业费结算写进补偿协议",
                             "先谈整改，再谈费用"),
    Tactic.GOODWILL: TacticFacts(6, "糖衣炮弹", False, "individual", False,
                                 "先解决我们做得不好的地方，跟进报修，邀请参加社区活动；换一位同事出面",
                                 "先问问题，暂不催费"),
    Tactic.ALL_HANDS: TacticFacts(7, "全民总动员", False, "all_staff", False,
                                  "门岗、车管、前台见到业主时当面提醒；带上账单上门收取",
                                  "当面提醒，不说金额"),
    Tactic.DEMAND_LETTER: TacticFacts(8, "公司行为·催费函", False, "company", True,
                                      "以公司名义发催费函，列明欠费明细和缴费方式；发出后 7 天内不联系，之后再跟进",
                                      "告知将寄催费函"),
    Tactic.LAWYER_LETTER: TacticFacts(9, "法律途径·律师函", False, "legal", True,
                                      "为律师事务所准备律师函材料，期限 14 天；发函前几天私下提醒一次，期限内不主动联系",
                                      "私下告知将发律师函"),
}


def label(tactic: str | None) -> str:
    """'demand_letter' -> '第8招 公司行为·催费函'; None -> '暂缓'."""
    if tactic is None:
        return "暂缓"
    facts = FACTS[Tactic(tactic)]
    return f"第{facts.number}招 {facts.name}"
