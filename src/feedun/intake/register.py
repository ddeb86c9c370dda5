"""A filled letter register (函件登记表) read back: state changes typed into the 状态 column apply.

Each row names its letter by 编号; a row whose 状态 differs from the store moves that letter through the same
state machine as `feedun letters mark-sent|mark-signed|mark-returned|void` (outputs/letters/register.py,
`set_state`), inside the import's one transaction: a register import lands whole or not at all. Unchanged rows
are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.core.vocab import DELIVERY_LABELS, LETTER_STATE_LABELS, Delivery, ImportKind, LetterState
from feedun.intake.normalize import Reject
from feedun.intake.protocol import Applied, Extracted, FoundSheet, Options, Transaction
from feedun.intake.values import clean_text, parse_date
from feedun.outputs.letters.register import set_state
from feedun.store.letters import letter_states

REGISTER_HEADERS = {"编号", "类型", "状态"}

# What a clerk may type: the label, the id, or the short names used at the post office.
_STATE_CODES: dict[str, LetterState] = ({label: s for s, label in LETTER_STATE_LABELS.items()}
                                        | {s: s for s in LetterState})
_METHOD_CODES: dict[str, Delivery] = ({label: d for d, label in DELIVERY_LABELS.items()} | {d: d for d in Delivery}
                                      | {"EMS": Delivery.EMS, "挂号": Delivery.REGISTERED, "专人": Delivery.HAND})


def is_register(headers: list[str]) -> bool:
    """A register feedun wrote (`feedun letters`, `letters list`): it has 编号, 类型 and 状态."""
    return {clean_text(h) for h in headers} >= REGISTER_HEADERS


@dataclass
class RegisterRow:
    """One row asking for a letter to be in `state` (it may already be)."""

    row: int
    number: str
    state: LetterState
    method: Delivery | None
    tracking: str | None
    on: str  # 发出日期 as typed: read only when the state changes (an unchanged row's date is not checked)


def _register_row(number: int, cell) -> RegisterRow:
    """ValueError with the reason when the row cannot be a state change."""
    wanted = _STATE_CODES.get(cell("状态"))
    if wanted is None:
        raise ValueError(f"不认识的状态“{cell('状态')}”（可用：{'、'.join(LETTER_STATE_LABELS.values())}）")
    method = _METHOD_CODES.get(cell("寄送方式")) if cell("寄送方式") else None
    return RegisterRow(number, cell("编号"), wanted, method, cell("单号/凭证") or None, cell("发出日期"))


class RegisterImporter:
    kind = ImportKind.REGISTER

    def identify(self, found: FoundSheet) -> bool:
        return is_register(found.headers)

    def extract(self, found: FoundSheet, settings: Settings, options: Options) -> Extracted:
        headers = [clean_text(h) for h in found.sheet.preview()[found.header_row]]
        col = {h: i for i, h in enumerate(headers) if h}
        body = found.sheet.body(found.header_row + 1)
        first_row = found.header_row + 2
        rows: list[RegisterRow] = []
        rejects: list[Reject] = []
        blank = 0
        for index, values in enumerate(body.itertuples(index=False, name=None)):

            def cell(name: str, values: tuple = values) -> str:
                value = values[col[name]] if name in col and col[name] < len(values) else None
                return "" if value is None or value != value else clean_text(value)

            if not cell("编号"):
                blank += 1
                continue
            try:
                rows.append(_register_row(first_row + index, cell))
            except ValueError as exc:
                rejects.append(Reject(first_row + index, str(exc)))
        return Extracted(
            path=found.path, sheet=found.sheet.name, as_of=options.now.date(), rows=rows, rows_read=len(body),
            headers=headers, body=body, first_row=first_row, rejects=rejects,
            skipped={"状态未变": 0, "空行": blank}, column_mapping={h: h for h in col})

    def apply(self, tx: Transaction, extracted: Extracted, settings: Settings, *, import_id: int,
              options: Options) -> Applied:
        current = letter_states(tx)  # the register, read once, inside the import's transaction
        rejects: list[Reject] = []
        changed = unchanged = 0
        for row in extracted.rows:
            try:
                if row.number not in current:
                    raise ValueError(f"登记表中没有编号 {row.number}")
                if row.state == current[row.number]:
                    unchanged += 1
                    continue
                if row.state == LetterState.SENT and row.method is None:
                    raise ValueError("改为“已发出”时要填写寄送方式（EMS、挂号信或专人送达）")
                on = parse_date(row.on) if row.on else None
                set_state(tx, row.number, row.state, method=row.method, tracking=row.tracking,
                          on=on if isinstance(on, date) else options.now.date())
            except (ValueError, FeedunError) as exc:
                rejects.append(Reject(row.row, exc.message if isinstance(exc, FeedunError) else str(exc)))
                continue
            current[row.number] = row.state
            changed += 1
        return Applied(changed, rejects=rejects, skipped={"状态未变": unchanged},
                       changes=[f"{changed} 份函件的状态已更新"] if changed else [])
