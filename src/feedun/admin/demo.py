"""`feedun demo`: the monthly cycle on the bundled example company, in a fresh folder."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from feedun.config import Settings

if TYPE_CHECKING:
    from feedun.store import Store
from feedun.core.errors import UsageError


def examples_dir() -> Path:
    """Bundled examples: inside the installed package, or beside src/ in a checkout."""
    packaged = Path(str(resources.files("feedun").joinpath("_examples")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "examples"


def log_example_contacts(store: Store, settings: Settings, path: Path) -> int:
    """What the collectors logged in early November (examples/contacts.csv), through `feedun log`'s library call."""
    from feedun.memory.contacts import ContactRequest, log_contact, parse_money, parse_time

    now = datetime.now()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        log_contact(store, settings, ContactRequest(
            room=row["房号"], estate=row["管理处"], at=parse_time(row["联系时间"], "联系时间", now),
            channel=row["方式"], outcome=row["结果"],
            promise_date=date.fromisoformat(row["承诺日期"]) if row["承诺日期"] else None,
            promise_amount=parse_money(row["承诺金额"] or None, "承诺金额"), by=row["经办人"], note=row["备注"]),
            now=now)
    return len(rows)


def _empty_store(url: str) -> None:
    """The demo fills a store with example owners: only ever an empty one."""
    from feedun.store import Store
    from feedun.store.imports import count_imports

    store = Store.open(url)
    try:
        with store.connect() as conn:
            used = count_imports(conn)
    finally:
        store.close()
    if used:
        raise UsageError("这个数据库里已经有导入记录，演示不会往里面写示例数据。", hint="新建一个空数据库给演示用，或不加 --db。")


def run_demo(folder: Path | None, db_url: str | None = None) -> Path:
    from feedun.admin.db import store_status
    from feedun.admin.init import scaffold
    from feedun.cli.console import err, out
    from feedun.cli.views import (
        check_summary,
        classify_summary,
        debtors_table,
        explanation,
        nodes_table,
        promises_table,
        run_summary,
        sms_summary,
        store_status_view,
        timeline,
    )
    from feedun.config import load_settings
    from feedun.decide.classify import decisions_for
    from feedun.decide.explain import explain_room
    from feedun.decide.nodes import plan_month
    from feedun.intake.importer import check_file
    from feedun.memory.debtors import list_debtors
    from feedun.memory.history import room_history
    from feedun.memory.promises import list_promises
    from feedun.outputs.report import build_report, default_month, parse_month, print_report, report_day
    from feedun.outputs.sms import build_sms, write_sms
    from feedun.run import run_cycle
    from feedun.store import Store

    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="feedun-demo-"))
    elif folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"演示文件夹 {folder} 已存在，不是空的文件夹。", hint="换一个新的文件夹名，或不指定文件夹（自动新建临时文件夹）。")
    examples = examples_dir()
    out.print(f"[bold]feedun 演示[/]：示例物业公司（两个小区，约 500 户，12 个月台账），工作文件夹 {folder}\n")
    scaffold(folder)
    config = folder / "feedun.toml"  # the example company's collectors, as its IT would set them
    config.write_text(config.read_text("utf-8").replace('# "阳光花园" = "李管家"', '"阳光花园" = "李管家"')
                      .replace('# "阳光花园/3" = "王管家"', '"阳光花园/3" = "王管家"\n"翠湖苑" = "赵管家"')
                      .replace('name = "物业服务中心"', 'name = "阳光物业服务有限公司"')
                      .replace('phone = ""\n# 公司地址', 'phone = "0571-88001234"\n# 公司地址')
                      .replace('address = ""', 'address = "杭州市示例区阳光路 1 号"'), "utf-8")
    settings = load_settings(config)
    os.environ.pop("FEEDUN_DB", None)  # the demo never writes example owners into the store cron uses
    if db_url:
        _empty_store(db_url)
        settings.store.url = db_url
    store = Store.for_settings(settings)

    inbox, outbox = folder / settings.run.inbox, folder / settings.run.outbox
    inbox.mkdir()
    out.print("[bold]1. 十月：财务把台账和业主档案放进收件文件夹，定时任务 feedun run 处理[/]（截至 2026-10-25）")
    for name in ("ledger-2026-10.csv", "profiles.xlsx"):
        shutil.copy(examples / name, inbox / name)
    run_summary(run_cycle(store, settings, as_of=date(2026, 10, 27)))
    logged = log_example_contacts(store, settings, examples / "contacts.csv")
    out.print(f"\n[bold]2. 管家在 11 月记录了 {logged} 次联系[/]（feedun log 或导回填好的清单）：6 户承诺了缴费日期，"
              "另有含糊推托、无人接听、出差在外、因漏水拒缴等")

    today = max(date.today(), date(2026, 11, 27))
    out.print("\n[bold]3. 十一月：新台账放进收件文件夹，feedun run[/]（台账带标题行、合计行、重复表头和几行错误数据；"
              "对比上月记下缴费，核对到期的承诺，再分类并生成当天的全部材料）")
    out.print("先检查一下新台账 feedun 会怎么读（feedun import ledger.xlsx --check：只看不导入）：")
    check_summary(check_file(examples / "ledger.xlsx", settings, store=store))
    shutil.copy(examples / "ledger.xlsx", inbox / "ledger.xlsx")
    summary = run_cycle(store, settings, as_of=today)
    run_summary(summary)
    out.print("\n[bold]4. 同一天再运行一次[/]：没有新文件就什么都不改")
    run_summary(run_cycle(store, settings, as_of=today))

    out.print(f"\n[bold]5. 谁欠费[/]（feedun debtors；完整名单：feedun debtors --config {config}）")
    debtors_table(list_debtors(store, settings, as_of=today), limit=10)
    broken = list_promises(store, settings, state="broken")
    out.print("\n[bold]6. 未兑现的缴费承诺[/]（feedun promises --broken）")
    promises_table(broken)
    out.print(f"\n[bold]7. 分类结果[/]（feedun classify --as-of {today}，已由 feedun run 完成：这里读回当天保存的结果，不再分类）")
    decided, note = decisions_for(store, settings, today)
    if note:
        err.print(f"提示：{note}", markup=False)
    classify_summary(decided)
    if broken:
        room, estate = broken[0].room, broken[0].estate
        out.print(f"\n[bold]8. 为什么[/]（feedun explain {room} --estate {estate}）：承诺没兑现的业主用“断其后路”")
        explanation(explain_room(store, settings, room, estate=estate, as_of=today))
        out.print(f"\n[bold]9. 这户的完整记录[/]（feedun history {room} --estate {estate}）")
        timeline(room_history(store, settings, room, estate=estate))
    out.print(f"\n[bold]10. 缴费提醒短信[/]（feedun sms --as-of {today} --any-day；feedun run 只在提醒节点日生成）")
    batch = build_sms(settings, decided, any_day=True)
    sms_summary(batch, write_sms(batch, "csv", folder / "sms", settings))
    out.print(f"\n[bold]11. 本月的提醒节点[/]（feedun nodes --month {today:%Y-%m}：第1招 适时提醒按日历逐户提醒；"
              "上门日生成上门清单，通知日生成书面缴费通知，feedun run 在当天自动生成）")
    nodes_table(today.year, today.month, plan_month(settings, decided.frame, today.year, today.month), None)
    month = default_month(store, today)  # the newest snapshot's month, as feedun run and feedun report take it
    same_day = report_day(*parse_month(month), today) == today
    report = build_report(store, settings, month, today=today, features=decided.frame if same_day else None)
    out.print(f"\n[bold]12. 收费报表[/]（feedun report --month {report.month}）")
    print_report(report, Path(summary.outbox or outbox) / f"report-{report.month}.xlsx")
    day = Path(summary.outbox or outbox)
    out.print(f"\n[bold]13. 今天的材料都在 {day}[/]：")
    for path in sorted(day.iterdir()):
        count = f"（{sum(1 for _ in path.rglob('*.*'))} 个文件）" if path.is_dir() else ""
        out.print(f"  {path.name}{count}")
    out.print("\n[bold]14. 数据库[/]（feedun db status）：单机用 SQLite 文件；多人共用时换成 PostgreSQL，"
              "已有数据用 feedun db copy --to 地址 整体搬过去（见 README）")
    store_status_view(store_status(store), counts=False)
    err.print(f"\n演示数据保存在 {folder}；拒收行文件在其中的 rejects 文件夹。")
    return folder
