"""`feedun db …`: schema status and upgrades, and moving a store to PostgreSQL. Thin: parse, call, print."""

from __future__ import annotations

from typing import Annotated

import typer

from feedun.cli.options import ConfigOpt, DbOpt, JsonOpt, print_json

db_app = typer.Typer(help="数据库：查看结构版本、升级表结构、把数据整体复制到 PostgreSQL。", no_args_is_help=True)


@db_app.command("status")
def db_status_cmd(config: ConfigOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """数据库地址、类型、表结构版本，以及各表的行数。"""
    from feedun.admin.db import store_status
    from feedun.cli.views import store_status_view
    from feedun.config import load_settings
    from feedun.store.status import inspecting

    with inspecting(load_settings(config).db_url(db)) as store:  # not migrated: status shows the store as it is
        status = store_status(store)
    if as_json:
        print_json({"url": status.url, "backend": status.backend, "revision": status.revision, "head": status.head,
                    "current": status.current, "tables": status.tables})
    else:
        store_status_view(status)


@db_app.command("upgrade")
def db_upgrade_cmd(config: ConfigOpt = None, db: DbOpt = None) -> None:
    """把表结构升级到当前 feedun 的版本（各命令打开数据库时也会自动升级；需要建表/改表权限）。"""
    from feedun.admin.db import upgrade_store
    from feedun.cli.console import out
    from feedun.config import load_settings
    from feedun.store.status import inspecting

    with inspecting(load_settings(config).db_url(db)) as store:
        result = upgrade_store(store)
    if not result.applied:
        out.print(f"表结构已是最新（版本 {result.after}），无需升级。")
    else:
        out.print(f"表结构已升级：{result.before or '空数据库'} → {result.after}（应用了 {'、'.join(result.applied)}）。")


@db_app.command("copy")
def db_copy_cmd(
    to: Annotated[str, typer.Option("--to", help="目标数据库地址（空的 PostgreSQL 库），例如 "
                                    "postgresql+psycopg://feedun:密码@服务器/feedun", show_default=False)],
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """把当前数据库（通常是 feedun.db）整体复制到一个空的新数据库，并逐表核对行数和金额合计。"""
    from feedun.admin.db import copy_to
    from feedun.cli.views import copy_view
    from feedun.config import load_settings

    result = copy_to(load_settings(config), to, db_url=db)
    if as_json:
        print_json({"source": result.source, "target": result.target, "ok": result.ok,
                    "tables": [t.__dict__ | {"ok": t.ok} for t in result.tables]})
    else:
        copy_view(result)
    if not result.ok:
        raise typer.Exit(1)
