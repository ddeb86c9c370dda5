"""The letter register: every letter's number, kind, room, amounts and state, and the state changes.

draft → sent → signed/returned; draft or sent → void. Only sent letters count for escalation and limitation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from feedun.config import Settings
from feedun.core.errors import FeedunError, UsageError

KINDS = {"dunning": "催费函", "lawyer": "律师函"}
TACTIC_OF = {"dunning": "demand_letter", "lawyer": "lawyer_letter"}
STATES = {"draft": "草稿", "sent": "已发出", "signed": "已签收", "returned": "被退回", "void": "已作废"}
TRANSITIONS = {"sent": {"draft"}, "signed": {"sent"}, "returned": {"sent"}, "void": {"draft", "sent"}}
METHODS = {"ems": "EMS 特快专递", "registered": "挂号信", "hand": "专人送达"}


@dataclass
class LetterRow:
    number: str
    kind: str
    estate: str
    room: str
    owner: str
    state: str
    issued: date
    deadline: date | None
    amount: int  # fen
    late_fee: int = 0
    delivery: str | None = None
    evidence: str | None = None
    sent_on: date | None = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "estate": self.estate, "room": self.room,
                "owner": self.owner, "state": self.state, "issued": self.issued.isoformat(),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "amount": float(Decimal(self.amount) / 100)}


def list_letters(settings: Settings, *, db_url: str | None = None) -> list[LetterRow]:
    from sqlalchemy import select

    from feedun.store import open_store
    from feedun.store.schema import letters, rooms

    with open_store(settings.db_url(db_url)).connect() as conn:
        rows = conn.execute(select(letters, rooms.c.estate, rooms.c.room).join(rooms, rooms.c.id == letters.c.room_id)
                            .order_by(letters.c.issued_on, letters.c.number)).all()
    return [LetterRow(r.number, r.kind, r.estate, r.room, r.owner, r.state, r.issued_on, r.deadline, r.amount,
                      r.late_fee, r.delivery, r.evidence, r.sent_on) for r in rows]


def write_register(path: Path, rows: list[LetterRow]) -> Path:
    from openpyxl import Workbook

    from feedun.outputs.xlsx import write_sheet

    wb = Workbook()
    wb.remove(wb.active)
    write_sheet(wb, "函件登记", ["编号", "类型", "管理处", "房号", "业主", "状态", "出具日期", "期限", "本金(元)", "滞纳金(元)",
                            "寄送方式", "单号/凭证", "发出日期"],
           [[r.number, KINDS[r.kind], r.estate, r.room, r.owner, STATES[r.state], r.issued.isoformat(),
             str(r.deadline or ""), float(r.amount) / 100, float(r.late_fee) / 100,
             METHODS.get(r.delivery or "", r.delivery or ""), r.evidence or "", str(r.sent_on or "")] for r in rows],
           {"编号": 22, "单号/凭证": 20})
    wb.save(path)
    return path


def change_state(settings: Settings, numbers: list[str], state: str, *, method: str | None = None,
                 tracking: str | None = None, on: date | None = None, db_url: str | None = None) -> list[LetterRow]:
    """draft → sent → signed/returned; draft or sent → void. All numbers or none."""
    from sqlalchemy import select

    from feedun.store import open_store
    from feedun.store.schema import letters

    if method is not None and method not in METHODS:
        raise UsageError(f"不认识的寄送方式“{method}”。", hint="可用：" + "、".join(f"{k}（{v}）" for k, v in METHODS.items()))
    if state == "sent" and method is None:
        raise UsageError("标记为已发出时要写明寄送方式。", hint="加上 --method ems|registered|hand，EMS 和挂号信再加 --tracking 单号。")
    on = on or date.today()
    with open_store(settings.db_url(db_url)).begin() as conn:
        for number in numbers:
            row = conn.execute(select(letters).where(letters.c.number == number)).mappings().first()
            if row is None:
                raise FeedunError(f"没有编号为 {number} 的函件。", hint="用 feedun letters list 查看登记表。")
            if row["state"] not in TRANSITIONS[state]:
                allowed = "、".join(STATES[s] for s in TRANSITIONS[state])
                raise FeedunError(f"{number} 现在是“{STATES[row['state']]}”，不能改为“{STATES[state]}”（只能从{allowed}改）。")
            values: dict[str, Any] = {"state": state}
            if state == "sent":
                values.update(sent_on=on, delivery=method, evidence=tracking or row["evidence"])
            elif state in ("signed", "returned"):
                note = f"{STATES[state]} {on.isoformat()}" + (f"；{tracking}" if tracking else "")
                values.update(evidence="；".join(filter(None, [row["evidence"], note])))
            conn.execute(letters.update().where(letters.c.id == row["id"]).values(**values))
    return [r for r in list_letters(settings, db_url=db_url) if r.number in set(numbers)]
