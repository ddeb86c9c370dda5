"""How a value in a condition or a feature reads in Chinese: tags, disputes, outcomes, letter states."""

from __future__ import annotations

from feedun.core.vocab import DISPUTE_LABELS, LETTER_STATE_LABELS, OUTCOME_LABELS, TAG_LABELS

# Text feature values that are not vocabulary members: "none" is lawyer_letter_state with no lawyer letter.
TEXT_LABELS: dict[str, str] = {**OUTCOME_LABELS, **LETTER_STATE_LABELS, "none": "无"}


def value_label(value: str) -> str:
    """'hot_tempered' -> '脾气急躁', 'quality' -> '房屋质量/整改', 'no_answer' -> '无人接听'; others as written."""
    return TAG_LABELS.get(value) or DISPUTE_LABELS.get(value) or TEXT_LABELS.get(value) or value
