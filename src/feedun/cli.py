"""The Typer app: parse arguments, call one library function, print its result.

Exit codes: 0 ok, 1 data or validation problem, 2 usage error. Expected failures never show a traceback.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from feedun import cli_text
from feedun.errors import FeedunError, UsageError

cli_text.install()

app = typer.Typer(
    name="feedun",
    help="feedun：物业费欠费催缴工具。导入物业系统导出的台账，找出谁欠费、该用哪一招、下一步做什么。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="配置文件 feedun.toml 的路径（默认：当前文件夹）。",
                                                show_default=False)]
DbOpt = Annotated[str | None, typer.Option("--db", help="数据库地址或 SQLite 文件路径（默认：配置文件旁的 feedun.db；也可用环境变量 FEEDUN_DB）。",
                                           show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出结果，便于其他程序读取。")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="日期 YYYY-MM-DD。", show_default=False)]


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"{option} 的值“{text}”不是 YYYY-MM-DD 格式的日期。", hint="例如 --as-of 2026-11-30。") from None


@app.command("init")
def init_cmd(folder: Annotated[Path, typer.Argument(help="要初始化的文件夹（默认：当前文件夹）。")] = Path(".")) -> None:
    """在文件夹中生成带中文说明的配置文件 feedun.toml；已有的文件不会被覆盖。"""
    from feedun.console import err
    from feedun.init import scaffold

    written, kept = scaffold(folder)
    for path in written:
        err.print(f"已生成 {path}")
    for path in kept:
        err.print(f"已存在，未覆盖 {path}")


@app.command("import")
def import_cmd(
    files: Annotated[list[Path], typer.Argument(help="一个或多个台账文件（.xlsx/.xlsm/.xls/.ods/.csv/.txt）。",
                                                show_default=False)],
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="快照日期 YYYY-MM-DD（默认：标题行中的日期，否则今天）。",
                                              show_default=False)] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="CSV 的编码，如 gbk、utf-8（默认自动识别）。",
                                                 show_default=False)] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="工作表名称或序号（默认：第一个有可识别表头的工作表）。",
                                              show_default=False)] = None,
    estate: Annotated[str | None, typer.Option("--estate", help="台账没有管理处/小区列时使用的小区名。",
                                               show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """导入物业系统导出的欠费/应收台账。每一行要么导入，要么写入拒收文件并注明原因，要么作为空行/合计行跳过并计数。"""
    from feedun.config import load_settings
    from feedun.console import err, progress
    from feedun.ledger.importer import import_ledger
    from feedun.views import import_summary

    settings = load_settings(config)
    snapshot = _date(as_of, "--as-of")
    results, failed = [], 0
    for path in files:
        try:
            with progress(not as_json) as bar:
                result = import_ledger(path, settings, db_url=db, as_of=snapshot, encoding=encoding,
                                       sheet_name=sheet, estate=estate, progress=bar)
        except FeedunError as exc:
            if len(files) == 1 or exc.exit_code != 1:
                raise
            failed += 1
            err.print(exc.render())
            continue
        results.append(result)
        if not as_json:
            import_summary(result)
    if as_json:
        payload = [r.to_dict() for r in results]
        _print_json(payload[0] if len(files) == 1 else payload)
    if failed:
        raise typer.Exit(1)


@app.command("debtors")
def debtors_cmd(
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="统计日期 YYYY-MM-DD（默认：今天）。",
                                              show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出欠费的房间：按各小区最新一次导入的台账，显示欠费金额、最早欠费期间和欠费月数。"""
    from feedun.config import load_settings
    from feedun.debtors import list_debtors
    from feedun.views import debtors_table

    debtors = list_debtors(load_settings(config), db_url=db, as_of=_date(as_of, "--as-of"))
    if as_json:
        _print_json([d.to_dict() for d in debtors])
    else:
        debtors_table(debtors)


@app.command("demo")
def demo_cmd(
    folder: Annotated[Path | None, typer.Argument(help="演示用的新文件夹（默认：新建一个临时文件夹）。",
                                                  show_default=False)] = None,
) -> None:
    """用自带的示例台账完整演示一遍：初始化、导入、列出欠费房间。"""
    from feedun.demo import run_demo

    run_demo(folder)


def _print_json(payload: object) -> None:
    from feedun.console import print_json

    print_json(json.dumps(payload, ensure_ascii=False, indent=2, default=str))


def main() -> None:
    """Console-script entry: run the app, turn expected failures into a message and an exit code."""
    try:
        app()
    except FeedunError as exc:
        from feedun.console import err

        err.print(exc.render(), markup=False)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
