"""`feedun import`: every kind of file feedun reads, told apart by its headers. Thin: open the store once, call
the importer for each file, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from feedun.cli.options import ConfigOpt, DbOpt, JsonOpt, parse_date_option
from feedun.cli.options import print_json as _print_json
from feedun.core.errors import FeedunError


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
    check: Annotated[bool, typer.Option("--check", help="只检查不导入：显示识别出的工作表、表头、列对应关系、小区来源、"
                                                  "前几行的导入结果和计数；认不出的表头给出 [import.columns] 建议。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """导入物业系统导出的欠费/应收台账。每一行要么导入，要么写入拒收文件并注明原因，要么作为空行/合计行跳过并计数。"""
    from feedun.config import load_settings
    from feedun.intake.ahead import read_ahead

    settings = load_settings(config)  # a mistake here is reported at once, before any file is read
    snapshot = parse_date_option(as_of, "--as-of")
    # The first workbook is read in the background while the rest of feedun loads and the store opens; each next
    # one while the one before it is read and imported. Not for --check (it reads a few rows) or --sheet (one
    # sheet of many).
    reading_ahead = not check and sheet is None
    ahead = read_ahead(files[0], alone=True) if reading_ahead else None
    from feedun.cli.console import err, progress
    from feedun.cli.views import import_summary
    from feedun.intake.importer import import_file, read_next
    from feedun.store import Store

    store = Store.for_settings(settings, db)  # opened (and migrated) once for all the files
    if check:
        _check(files, settings, store, snapshot, encoding, sheet, estate, as_json)
        return
    results, failed = [], 0
    for index, path in enumerate(files):
        following = read_next(files[index + 1], store) if reading_ahead and index + 1 < len(files) else None
        try:
            with progress(not as_json) as bar:
                result = import_file(path, settings, store=store, as_of=snapshot, encoding=encoding,
                                     sheet_name=sheet, estate=estate, progress=bar, ahead=ahead)
        except FeedunError as exc:
            if len(files) == 1 or exc.exit_code != 1:
                raise
            failed += 1
            err.print(exc.render())
            if as_json:
                results.append({"file": str(path), **exc.to_dict()})
            continue
        finally:
            if ahead is not None:
                ahead.discard()  # what this file's import did not take (an already imported file's sheets)
            ahead = following
        results.append(result)
        if not as_json:
            import_summary(result)
    if as_json:
        payload = [r if isinstance(r, dict) else r.to_dict() for r in results]
        _print_json(payload[0] if len(files) == 1 else payload)
    if failed:
        raise typer.Exit(1)


def _check(files, settings, store, as_of, encoding, sheet, estate, as_json: bool) -> None:
    """`feedun import --check`: how each file would be read; nothing is written. Exit 1 if any would be refused."""
    from feedun.cli.views import check_summary
    from feedun.intake.importer import check_file

    results = [check_file(path, settings, store=store, as_of=as_of, encoding=encoding, sheet_name=sheet,
                          estate=estate) for path in files]
    if as_json:
        payload = [r.to_dict() for r in results]
        _print_json(payload[0] if len(files) == 1 else payload)
    else:
        for result in results:
            check_summary(result)
    if any(r.error for r in results):
        raise typer.Exit(1)
