"""Options shared by every command module (cli/*_cmds.py, cli/db.py), dates typed on the command line, and JSON printing."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="配置文件 feedun.toml 的路径（默认：当前文件夹）。",
                                                show_default=False)]
DbOpt = Annotated[str | None, typer.Option("--db", help="数据库地址或 SQLite 文件路径（默认：配置文件旁的 feedun.db；也可用环境变量 FEEDUN_DB）。",
                                           show_default=False)]
EstateOpt = Annotated[str | None, typer.Option("--estate", help="小区名（同一房号在多个小区都有时必填）。", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出结果，便于其他程序读取。")]

E = TypeVar("E", bound=Enum)


def print_json(payload: object) -> None:
    from feedun.cli.console import print_json as emit

    emit(json.dumps(payload, ensure_ascii=False, indent=2, default=str, allow_nan=False))  # strict JSON: no NaN


def parse_date_option(text: str | None, option: str, *, forward: bool = False, today: date | None = None) -> date | None:
    """A date typed for `option` (--as-of, --promise-date, …) in any way people write one (core/numbers.py,
    parse_day): 2026-12-20, 2026/12/20, 2026.12.20, 2026年12月20日, 20261220, or 12月20日 — this year, or with
    `forward` (a date that can only lie ahead, like a promise) the next year when that day has passed `today`.
    Anything else is a usage error naming `option`."""
    from feedun.core.errors import UsageError
    from feedun.core.numbers import DATE_FORMS, parse_day

    if text is None:
        return None
    day = parse_day(text, today=today or date.today(), forward=forward)
    if day is None:
        year_rule = "不写年份的为下一个这样的日子" if forward else "不写年份的为今年"
        raise UsageError(f"{option} 的值“{text}”不是 YYYY-MM-DD 格式的日期，也不是其他可识别的日期写法。",
                         hint=f"例如 {option} 2026-11-30；也可写 {DATE_FORMS}（{year_rule}）。")
    return day


def vocab_parser(enum: type[E], labels: Mapping[E, str]) -> Callable[[str], E]:
    """For a vocabulary option (`--outcome`, `--channel`): the code or its Chinese label (core/vocab.py) -> the member.

    Used as `typer.Option(parser=...)` on an Enum-typed option, so --help still lists the codes and shell completion
    offers them; anything else is refused like Click refuses a choice (cli/text.py turns that into Chinese, with
    every code and its label), exit code 2.
    """
    by_text = {str(member.value): member for member in labels} | {label: member for member, label in labels.items()}

    def parse(value: str | E) -> E:
        if isinstance(value, enum):
            return value
        typed = unicodedata.normalize("NFKC", str(value)).strip()
        member = by_text.get(typed) or by_text.get(typed.lower())
        if member is None:
            raise ValueError(f"{str(value)!r} is not one of {', '.join(repr(str(m.value)) for m in labels)}.")
        return member

    return parse


def vocab_help(labels: Mapping[Any, str]) -> str:
    """'paid_claimed（称已缴费） promised（承诺缴费） …': the codes and names an option takes, for its help (spaces
    between them, so that a narrow terminal wraps the list instead of cutting it)."""
    return " ".join(f"{member.value}（{label}）" for member, label in labels.items())
