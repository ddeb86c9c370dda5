"""`feedun classify`, `explain`, `rules check`: the day's decisions and why. Thin: parse, call one library function, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from feedun.cli.options import ConfigOpt, DbOpt, EstateOpt, JsonOpt, parse_date_option
from feedun.cli.options import print_json as _print_json


def classify_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="分类日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """为每户欠费业主选出现在该用的一招（九招）、下一步做什么和原因；结果按日期保存，同一日期重跑会替换。"""
    from feedun.cli.views import classify_summary
    from feedun.config import load_settings
    from feedun.decide.classify import classify
    from feedun.store import Store

    settings = load_settings(config)
    run = classify(Store.for_settings(settings, db), settings, as_of=parse_date_option(as_of, "--as-of"))
    if as_json:
        _print_json(run.to_dict())
    else:
        classify_summary(run)



def explain_cmd(
    room: Annotated[str, typer.Argument(help="房号，如 8-2-1201。", show_default=False)],
    estate: EstateOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """逐条列出每一招的条件、这户的实际值和是否满足（✓/✗），再列出暂缓条件，说明为什么用这一招。"""
    from feedun.cli.views import explanation
    from feedun.config import load_settings
    from feedun.decide.explain import explain_room
    from feedun.store import Store

    settings = load_settings(config)
    result = explain_room(Store.for_settings(settings, db), settings, room, estate=estate,
                          as_of=parse_date_option(as_of, "--as-of"))
    if as_json:
        _print_json(result.to_dict())
    else:
        explanation(result)


rules_app = typer.Typer(help="分类规则（policy.toml）相关命令。", no_args_is_help=True)


@rules_app.command("check")
def rules_check_cmd(
    file: Annotated[Path | None, typer.Argument(help="要检查的规则文件（默认：当前使用的规则）。", show_default=False)] = None,
    config: ConfigOpt = None,
) -> None:
    """检查规则文件：未知的字段、运算符或招数会连同行号一起指出。"""
    from feedun.cli.console import out
    from feedun.config import load_settings
    from feedun.core.tactics import label
    from feedun.decide.policy.load import load_policy

    path = file if file is not None else load_settings(config).policy_path
    policy = load_policy(path)
    tactics = "、".join(label(t) for t in policy.tactics)
    out.print(f"规则文件没有问题：{policy.source}\n{len(policy.holds)} 条暂缓条件，{len(policy.rules)} 条规则，覆盖：{tactics}")
