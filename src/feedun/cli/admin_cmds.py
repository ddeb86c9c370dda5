"""`feedun init`, `purge`, `demo`: setting up, clearing personal data, the guided tour. Thin: parse, call one library function, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from feedun.cli.options import ConfigOpt, DbOpt, parse_date_option


def init_cmd(folder: Annotated[Path, typer.Argument(help="要初始化的文件夹（默认：当前文件夹）。")] = Path(".")) -> None:
    """在文件夹中生成带中文说明的配置文件 feedun.toml 和可修改的话术、短信模板；已有的文件不会被覆盖。"""
    from feedun.admin.init import scaffold
    from feedun.cli.console import err

    written, kept = scaffold(folder)
    for path in written:
        if path.suffix != ".j2":
            err.print(f"已生成 {path}")
    templates = [p for p in written if p.suffix == ".j2"]
    if templates:
        err.print(f"已复制 {len(templates)} 个话术和短信模板到 {folder / 'templates'}（可按公司习惯修改）")
    for path in kept:
        if path.suffix != ".j2":
            err.print(f"已存在，未覆盖 {path}")
    if any(p.suffix == ".j2" for p in kept):
        err.print(f"已有的 {sum(p.suffix == '.j2' for p in kept)} 个模板未覆盖（{folder / 'templates'}）")



def purge_cmd(
    before: Annotated[str | None, typer.Option("--before", help="清除最后一次欠费早于这一天（YYYY-MM-DD）、现已无欠费的业主的个人信息（默认：今天减去 feedun.toml 中 \\[purge] retention_days 的天数）。",
                                               show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", help="确认执行；不加则只统计会清除多少。")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """按保存期限清除已结清业主的个人信息（姓名、电话、备注、档案），保留金额、日期等统计所需的数据。"""
    from feedun.admin.purge import purge
    from feedun.cli.console import out
    from feedun.config import load_settings
    from feedun.store import Store

    settings = load_settings(config)
    cutoff = parse_date_option(before, "--before")
    result = purge(Store.for_settings(settings, db), settings, before=cutoff, apply=yes)
    if result.retention_days is not None:
        out.print(f"保存期限 {result.retention_days} 天（feedun.toml \\[purge] retention_days）：截止日期 {result.before}。")
    verb = "已清除" if result.applied else "将清除"
    out.print(f"{verb} {result.rooms} 户的个人信息（台账明细 {result.lines} 行、联系记录 {result.contacts} 条、"
              f"档案 {result.profiles} 份）；金额、期间、日期和函件编号保留。")
    if not yes and result.rooms:
        out.print("确认无误后加 --yes 执行。")



def demo_cmd(
    folder: Annotated[Path | None, typer.Argument(help="演示用的新文件夹（默认：新建一个临时文件夹）。",
                                                  show_default=False)] = None,
    db: Annotated[str | None, typer.Option("--db", help="演示用的空数据库（例如一个新建的 PostgreSQL 库）；默认在演示文件夹里新建 "
                                           "feedun.db。演示从不使用 FEEDUN_DB 指向的数据库。", show_default=False)] = None,
) -> None:
    """用自带的示例台账完整演示一遍：初始化、导入、列出欠费房间。"""
    from feedun.admin.demo import run_demo

    run_demo(folder, db_url=db)
