"""Amounts in Chinese capitals (大写), as letters and receipts write them: 12345 fen -> 壹佰贰拾叁元肆角伍分."""

from __future__ import annotations

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿", "万亿"]


def _four(n: int) -> str:
    """0 < n < 10000 -> capitals with inner zeros collapsed (1001 -> 壹仟零壹)."""
    out, zero = [], False
    for power in range(3, -1, -1):
        digit = n // 10**power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[digit] + UNITS[power])
    return "".join(out)


def capitals(fen: int) -> str:
    """Exact: integer fen in, e.g. 100000 -> 壹仟元整, 100203 -> 壹仟零贰元零叁分, -500 -> 负伍元整."""
    if fen < 0:
        return "负" + capitals(-fen)
    yuan, cents = divmod(int(fen), 100)
    jiao, fen_digit = divmod(cents, 10)
    parts: list[str] = []
    if yuan:
        groups = []
        index = 0
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append((index, group))
            index += 1
        text, need_zero = "", False
        for index, group in reversed(groups):
            if group == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or group < 1000):
                text += "零"
            text += _four(group) + GROUPS[index]
            need_zero = False
        parts.append(text + "元")
    if not jiao and not fen_digit:
        return ("".join(parts) or "零元") + "整"
    if jiao:
        parts.append(DIGITS[jiao] + "角")
    elif parts:
        parts.append("零")
    if fen_digit:
        parts.append(DIGITS[fen_digit] + "分")
    return "".join(parts)
