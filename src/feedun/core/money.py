"""Money and personal-data formatting shared by every output."""

from __future__ import annotations

import re


def yuan(fen: int) -> str:
    """12345 -> '123.45'; 123456789 -> '1,234,567.89'. Exact: integer arithmetic only."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def mask_phone(number: str) -> str:
    """138****5678 for mobiles, 0571-****3456 for landlines: enough to recognise, not to dial."""
    if re.fullmatch(r"1\d{10}", number):
        return f"{number[:3]}****{number[-4:]}"
    area, dash, rest = number.partition("-")
    if dash and len(rest) > 4:
        return f"{area}-{'*' * (len(rest) - 4)}{rest[-4:]}"
    return "*" * max(len(number) - 4, 0) + number[-4:]


def mask_phones_in(text: str) -> str:
    """Every mobile or landline inside free text masked (messages and tracebacks may quote a cell or a row)."""
    text = re.sub(r"(?<!\d)((?:\+?86|0086)?[ -]?1[3-9]\d)\d{4}(\d{4})(?!\d)", r"\1****\2", text)
    return re.sub(r"(?<![\d-])(0\d{2,3}-)\d{3,4}(\d{4})(?!\d)", r"\1****\2", text)
