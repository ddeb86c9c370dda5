"""Options shared by every command module (cli/*_cmds.py, cli/db.py), dates typed on the command line, and JSON printing."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="配置文件 feedun.toml 的路径（默认：当前文件夹）。",
                                                show_default=False)]
DbOpt = Annotated[str | None, typer.Option("--db", help="数据库地址或 SQLite 文件路径（默认：配置文件旁的 feedun.db；也可用环境变量 FEEDUN_DB）。",
                                           show_default=False)]
EstateOpt = Annotated[str | None, typer.Option("--estate", help="小区名（同一房号在多个小区都有时必填）。", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出结果，便于其他程序读取。")]


def print_json(payload: object) -> None:
    from feedun.cli.console import print_json as emit

    emit(json.dumps(payload, ensure_ascii=False, indent=2, default=str, allow_nan=False))  # strict JSON: no NaN


def parse_date_option(text: str | None, option: str) -> date | None:
    """'2026-11-30' for --as-of and the like; anything else is a usage error naming the option."""
    from feedun.core.errors import UsageError

    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"{option} 的值“{text}”不是 YYYY-MM-DD 格式的日期。", hint="例如 --as-of 2026-11-30。") from None
