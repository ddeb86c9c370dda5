"""Options shared by every command module (cli.py, cli_db.py), and JSON printing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="配置文件 feedun.toml 的路径（默认：当前文件夹）。",
                                                show_default=False)]
DbOpt = Annotated[str | None, typer.Option("--db", help="数据库地址或 SQLite 文件路径（默认：配置文件旁的 feedun.db；也可用环境变量 FEEDUN_DB）。",
                                           show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出结果，便于其他程序读取。")]


def print_json(payload: object) -> None:
    from feedun.cli.console import print_json as emit

    emit(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
