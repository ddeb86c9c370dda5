"""Vocabularies: every member has its Chinese label and its behaviour, and every tactic has its scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedun.core import vocab
from feedun.core.tactics import FACTS, Tactic

pytestmark = pytest.mark.no_store

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LABELS = [(vocab.Outcome, vocab.OUTCOME_LABELS), (vocab.Channel, vocab.CHANNEL_LABELS),
          (vocab.PromiseState, vocab.PROMISE_STATE_LABELS), (vocab.LetterKind, vocab.LETTER_KIND_LABELS),
          (vocab.LetterState, vocab.LETTER_STATE_LABELS), (vocab.Delivery, vocab.DELIVERY_LABELS),
          (vocab.ImportKind, vocab.IMPORT_KIND_LABELS), (vocab.Tag, vocab.TAG_LABELS),
          (vocab.Dispute, vocab.DISPUTE_LABELS), (vocab.BuiltinHold, vocab.BUILTIN_HOLD_LABELS)]


@pytest.mark.parametrize(("enum", "labels"), LABELS, ids=[e.__name__ for e, _ in LABELS])
def test_every_member_has_a_chinese_label(enum, labels) -> None:
    assert set(labels) == set(enum)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in labels[m]) or m == vocab.Delivery.EMS for m in enum)


def test_members_are_their_stored_ids() -> None:
    assert vocab.Outcome.PROMISED == "promised" and {vocab.LetterState.SENT: 1}["sent"] == 1


def test_behaviour_is_defined_for_every_member() -> None:
    assert {vocab.Outcome.NO_ANSWER, vocab.Outcome.INVALID_NUMBER, vocab.Outcome.WRONG_PERSON,
            vocab.Outcome.SMS_FAILED} == vocab.FAILED_OUTCOMES
    assert {o for o in vocab.Outcome if not vocab.typed_by_people(o)} == {vocab.Outcome.SMS_DELIVERED,
                                                                         vocab.Outcome.SMS_FAILED}
    assert {vocab.LetterState.SENT, vocab.LetterState.SIGNED, vocab.LetterState.RETURNED} == vocab.SENT_STATES
    assert sorted(vocab.ImportKind, key=vocab.import_order)[0] == vocab.ImportKind.LEDGER
    assert len({vocab.import_order(k) for k in vocab.ImportKind}) == len(vocab.ImportKind)
    for state in vocab.LetterState:
        assert vocab.letter_transitions(state) <= set(vocab.LetterState)


def test_a_member_the_code_does_not_handle_fails() -> None:
    with pytest.raises(AssertionError):
        vocab.failed("hung_up")  # type: ignore[arg-type]  # as a new Outcome would, until handled


@pytest.mark.parametrize("tactic", list(Tactic))
def test_every_tactic_has_its_facts_and_script_templates(tactic: Tactic) -> None:
    assert tactic in FACTS
    for name in (f"{tactic.value}.j2", f"{tactic.value}.short.j2"):
        path = TEMPLATES / "scripts" / name
        assert path.is_file() and path.read_text("utf-8").strip(), f"templates/scripts/{name} is missing"
