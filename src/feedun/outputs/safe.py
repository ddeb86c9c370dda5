"""Writing what owners and collectors typed into files we produce: never a formula, never a path trick."""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def set_cell(cell, value: Any) -> None:
    """Assign a value; text that Excel would read as a formula (=, +, -, @, tab, CR) stays text."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"


def safe_filename(text: str) -> str:
    """A file-name part from a collector or room name: no separators, no '..', no control characters."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).replace("..", "_").strip(" ._")
    return cleaned[:60] or "未命名"
