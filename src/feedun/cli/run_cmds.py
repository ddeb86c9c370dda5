"""`feedun run`: the unattended job for cron. Thin: parse, call one library function, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from feedun.cli.options import ConfigOpt, DbOpt, JsonOpt, parse_date_option
from feedun.cli.options import print_json as _print_json


def run_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    inbox: Annotated[Path | None, typer.Option("--inbox", help="收件文件夹（默认：配置中的 inbox）。", show_default=False)] = None,
    outbox: Annotated[Path | None, typer.Option("--outbox", help="输出文件夹（默认：配置中的 outbox）。", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出会做什么，不写任何东西。")] = False,
    force: Annotated[bool, typer.Option("--force", help="允许补跑比上次更早的日期，或重做当天。")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """定时任务（cron）用：导入收件文件夹中的新文件，分类，生成当天的清单、短信、函件、报表和 summary.json。"""
    from feedun.cli.views import run_summary
    from feedun.config import load_settings
    from feedun.run import run_cycle
    from feedun.store import Store

    settings = load_settings(config)
    summary = run_cycle(Store.for_settings(settings, db), settings, as_of=parse_date_option(as_of, "--as-of"),
                        inbox=inbox, outbox=outbox, dry_run=dry_run, force=force)
    if as_json:
        _print_json(summary.to_dict())
    else:
        run_summary(summary)
    if summary.failed and not dry_run:
        raise typer.Exit(1)
