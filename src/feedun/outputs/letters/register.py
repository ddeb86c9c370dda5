"""The letter register: every letter's number, kind, room, amounts and state, and the state changes.

draft → sent → signed/returned; draft or sent → void (core/vocab.py, `letter_transitions`). Only sent letters count
for escalation and limitation (docs/design.md, "Letters"). A state change is `set_state` on a connection, so
`feedun letters mark-*` (one transaction of its own) and a filled register's import (inside the import's one
transaction) apply exactly the same rules; the SQL is in store/letters.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, assert_never

from feedun.core.errors import FeedunError, UsageError
from feedun.core.numbers import canonical_letter_number
from feedun.core.tactics import Tactic
from feedun.core.vocab import (
    DELIVERY_LABELS,
    LETTER_KIND_LABELS,
    LETTER_STATE_LABELS,
    Delivery,
    LetterKind,
    LetterState,
    choices,
    letter_transitions,
)
from feedun.store import letters as queries

if TYPE_CHECKING:
    from feedun.store import Store

# The old names, kept for the modules that import them: the vocabularies' label tables.
KINDS = LETTER_KIND_LABELS
STATES = LETTER_STATE_LABELS
METHODS = DELIVERY_LABELS
TRANSITIONS: dict[LetterState, frozenset[LetterState]] = {s: letter_transitions(s) for s in LetterState}


def letter_tactic(kind: LetterKind) -> Tactic:
    """The tactic whose decisions a letter of this kind carries out."""
    match kind:
        case LetterKind.DUNNING:
            return Tactic.DEMAND_LETTER
        case LetterKind.LAWYER:
            return Tactic.LAWYER_LETTER
        case _:
            assert_never(kind)


TACTIC_OF: dict[LetterKind, Tactic] = {k: letter_tactic(k) for k in LetterKind}


@dataclass
class LetterRow:
    number: str
    kind: LetterKind
    estate: str
    room: str
    owner: str
    state: LetterState
    issued: date
    deadline: date | None
    amount: int  # fen
    late_fee: int = 0
    delivery: str | None = None
    evidence: str | None = None
    sent_on: date | None = None
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "kind": str(self.kind), "estate": self.estate, "room": self.room,
                "owner": self.owner, "state": str(self.state), "issued": self.issued.isoformat(),
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "amount": float(Decimal(self.amount) / 100)}


def register_rows(conn: Any) -> list[LetterRow]:
    """The register as read on the caller's connection (inside its transaction or snapshot)."""
    return [LetterRow(**{**entry, "kind": LetterKind(entry["kind"]), "state": LetterState(entry["state"])})
            for entry in queries.register_entries(conn)]


def list_letters(store: Store) -> list[LetterRow]:
    """Every letter, oldest first (issue date, then number)."""
    with store.connect() as conn:
        return register_rows(conn)


def write_register(path: Path, rows: list[LetterRow]) -> Path:
    """Every letter in one sheet (it lists the letters of all days, so it grows with the history: XlsxWriter)."""
    from feedun.outputs.xlsx import new_book, write_table

    book = new_book(path)
    write_table(book, "函件登记", ["编号", "类型", "管理处", "房号", "业主", "状态", "出具日期", "期限", "本金(元)",
                               "滞纳金(元)", "寄送方式", "单号/凭证", "发出日期"],
                [[r.number, KINDS[r.kind], r.estate, r.room, r.owner, STATES[r.state], r.issued.isoformat(),
                  str(r.deadline or ""), float(r.amount) / 100, float(r.late_fee) / 100,
                  METHODS.get(r.delivery or "", r.delivery or ""), r.evidence or "", str(r.sent_on or "")]
                 for r in rows],
                {"编号": 22, "单号/凭证": 20})
    book.close()
    return path


def check_request(state: LetterState, method: str | None) -> None:
    """What `feedun letters mark-*` must be told before anything is read: a known method, and one for 已发出."""
    if method is not None and method not in METHODS:
        raise UsageError(f"不认识的寄送方式“{method}”。", hint="可用：" + choices(METHODS))
    if state == LetterState.SENT and method is None:
        raise UsageError("标记为已发出时要写明寄送方式。", hint="加上 --method ems|registered|hand，EMS 和挂号信再加 --tracking 单号。")


def set_state(conn: Any, number: str, state: LetterState, *, method: Delivery | str | None = None,
              tracking: str | None = None, on: date) -> LetterState:
    """Move one letter to `state` on the caller's connection (inside its transaction); the state it had.

    FeedunError, before anything is written, for an unknown number or a change the state machine forbids.
    """
    state = LetterState(state)
    number = canonical_letter_number(number)  # '催字2026第1号' as typed finds 催字〔2026〕第0001号
    row = queries.find_letter(conn, number)
    if row is None:
        raise FeedunError(f"没有编号为 {number} 的函件。", hint="用 feedun letters list 查看登记表。")
    current = LetterState(row["state"])
    allowed = TRANSITIONS[state]
    if current not in allowed:
        only = f"（只能从{'、'.join(STATES[s] for s in sorted(allowed))}改）" if allowed else ""
        raise FeedunError(f"{number} 现在是“{STATES[current]}”，不能改为“{STATES[state]}”{only}。")
    values: dict[str, Any] = {"state": str(state)}
    match state:
        case LetterState.SENT:
            values.update(sent_on=on, delivery=str(method) if method is not None else None,
                          evidence=tracking or row["evidence"])
        case LetterState.SIGNED | LetterState.RETURNED:
            note = f"{STATES[state]} {on.isoformat()}" + (f"；{tracking}" if tracking else "")
            values.update(evidence="；".join(filter(None, [row["evidence"], note])))
        case LetterState.VOID | LetterState.DRAFT:
            pass
        case _:
            assert_never(state)
    queries.update_letter(conn, row["id"], **values)
    return current


def change_state(store: Store, numbers: list[str], state: LetterState | str, *, method: Delivery | str | None = None,
                 tracking: str | None = None, on: date | None = None) -> list[LetterRow]:
    """draft → sent → signed/returned; draft or sent → void. All numbers or none, in one transaction."""
    state = LetterState(state)
    check_request(state, method)
    on = on or date.today()
    numbers = [canonical_letter_number(n) for n in numbers]
    with store.write() as tx:
        for number in numbers:
            set_state(tx, number, state, method=method, tracking=tracking, on=on)
        wanted = set(numbers)
        return [r for r in register_rows(tx) if r.number in wanted]
