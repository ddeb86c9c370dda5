"""`feedun calls`, `sms`, `letters …`, `report`: what people work from. Thin: parse, call one library function, print."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from feedun.cli.options import ConfigOpt, DbOpt, EstateOpt, JsonOpt, parse_date_option
from feedun.cli.options import print_json as _print_json
from feedun.core.errors import UsageError
from feedun.core.vocab import Delivery, LetterKind, SmsFormat

if TYPE_CHECKING:
    from feedun.config import Settings
    from feedun.decide.decisions import Decisions
    from feedun.store import Store


def _store(settings: Settings, db: str | None) -> Store:
    from feedun.store import Store

    return Store.for_settings(settings, db)


def _decisions(store: Store, settings: Settings, as_of: date) -> Decisions:
    """The day's decisions for an output: the stored run read back, or one classify now, said on stderr."""
    from feedun.cli.console import err
    from feedun.decide.classify import decisions_for

    decided, note = decisions_for(store, settings, as_of)
    if note:
        err.print(f"提示：{note}", markup=False)
    return decided


def calls_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    collector: Annotated[str | None, typer.Option("--collector", help="只生成这位管家的清单。", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件夹（默认：calls/日期/）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """生成每位管家的催缴清单（xlsx，含话术、全员提醒、查找联系方式、承诺回访）和给主管的总览；填好后用 feedun import 导回。"""
    from feedun.cli.views import call_lists_summary
    from feedun.config import load_settings
    from feedun.outputs.calllist import write_call_lists

    settings = load_settings(config)
    store = _store(settings, db)
    decided = _decisions(store, settings, parse_date_option(as_of, "--as-of") or date.today())
    result = write_call_lists(store, settings, decided, collector=collector, out_dir=out)
    if as_json:
        _print_json({"as_of": result.as_of.isoformat(), "work_day": result.work_day.isoformat(),
                     "overview": str(result.overview) if result.overview else None,
                     "watch_list": str(result.watch_list) if result.watch_list else None, "held": result.held,
                     "lists": [{"collector": c.collector, "file": str(c.path), "today": c.today,
                                "backlog": c.backlog, "days_needed": c.days_needed} for c in result.lists]})
    else:
        call_lists_summary(result)



def nodes_cmd(
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM（默认：本月）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """显示当月的提醒节点（第1招 适时提醒）：哪天发短信、打电话、上门、发书面通知，按今天的分类各会覆盖多少户。"""
    from feedun.cli.views import nodes_table
    from feedun.config import load_settings
    from feedun.core.calendar import missing_years_warning
    from feedun.decide.nodes import plan_month
    from feedun.outputs.report.metrics import parse_month

    settings = load_settings(config)
    today = date.today()
    year, number = parse_month(month) if month else (today.year, today.month)
    decided = _decisions(_store(settings, db), settings, today)
    plan = plan_month(settings, decided.frame, year, number)
    warning = missing_years_warning()
    if as_json:
        _print_json({"month": f"{year}-{number:02d}", "warning": warning,
                     "nodes": [{"date": p.on.isoformat(), "day": p.node.day, "kind": p.node.kind.value,
                                "label": p.node.label, "rooms": p.rooms, "amount": p.amount_fen / 100} for p in plan]})
    else:
        nodes_table(year, number, plan, warning)


def sms_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    fmt: Annotated[SmsFormat, typer.Option("--format", help="输出格式：csv、aliyun（阿里云批量发送）、tencent（腾讯云）。")] = SmsFormat.CSV,
    any_day: Annotated[bool, typer.Option("--any-day", help="今天不是短信提醒节点也生成。")] = False,
    at: Annotated[str | None, typer.Option("--at", help="计划发送的时间，如 \"2026-12-03 08:30\"（北京时间，须在 08:00–21:00"
                                                      " 之间；默认：现在，免打扰时段内拒绝生成）。", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件夹（默认：sms/）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """按提醒节点为每户生成个性化的缴费提醒短信（不是群发，不提滞纳金），统计字数和计费条数；只生成文件，不发送。"""
    from feedun.cli.views import sms_summary
    from feedun.config import load_settings
    from feedun.core.calendar import china_now
    from feedun.memory.contacts import parse_time
    from feedun.outputs.sms import build_sms, plan_sending, write_sms

    settings = load_settings(config)
    now = china_now()
    send_from = plan_sending(settings, parse_time(at, "--at", now, forward=True), now)
    day = parse_date_option(as_of, "--as-of") or date.today()
    decided = _decisions(_store(settings, db), settings, day)
    batch = build_sms(settings, decided, any_day=any_day, send_from=send_from)
    files = write_sms(batch, fmt.value, out or settings.workspace / "sms", settings)
    if as_json:
        _print_json({"as_of": day.isoformat(), "node": batch.node, "messages": len(batch.messages),
                     "segments": sum(m.segments for m in batch.messages), "skipped": batch.skipped,
                     "send_from": send_from.isoformat(timespec="minutes"),
                     "warnings": batch.warnings, "files": [str(f) for f in files]})
    else:
        sms_summary(batch, files)


letters_app = typer.Typer(help="催费函与律师函：生成、登记、标记寄出/签收/退回/作废。")


@letters_app.callback(invoke_without_command=True)
def letters_cmd(
    ctx: typer.Context,
    kind: Annotated[LetterKind | None, typer.Option("--kind", help="dunning（催费函）或 lawyer（律师函材料，需配置律所）。",
                                                    show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="出具日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    room: Annotated[list[str] | None, typer.Option("--room", help="只为这些房间出函（可写多次）；默认按分类结果。",
                                                   show_default=False)] = None,
    estate: EstateOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 转成 PDF。")] = False,
    force: Annotated[bool, typer.Option("--force", help="用 --room 指定的房间已寄出的催费函少于规则要求时，仍出具律师函"
                                                         "（记入该房间的记录）。")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """按分类结果为业主出具催费函或律师函材料（Word），并写入函件登记表。"""
    if ctx.invoked_subcommand is not None:
        return
    if kind is None:
        raise UsageError("请用 --kind 指定函件类型。", hint="feedun letters --kind dunning 生成催费函；feedun letters list 查看登记表。")
    from feedun.cli.views import letters_summary
    from feedun.config import load_settings
    from feedun.outputs.letters.generate import generate_letters

    settings = load_settings(config)
    store = _store(settings, db)
    decided = _decisions(store, settings, parse_date_option(as_of, "--as-of") or date.today())
    batch = generate_letters(store, settings, decided, kind.value, rooms=room, estate=estate, pdf=pdf, force=force)
    if as_json:
        _print_json({"kind": batch.kind, "as_of": batch.as_of.isoformat(), "reused": batch.reused,
                     "combined": str(batch.combined) if batch.combined else None,
                     "register": str(batch.register) if batch.register else None,
                     "letters": [dict(x.to_dict(), file=x.file) for x in batch.letters],
                     "warnings": batch.warnings})
    else:
        letters_summary(batch)
        from feedun.cli.console import err

        for warning in batch.warnings:  # each once per command (missing company details, a forced lawyer letter)
            err.print(f"[yellow]提示[/]：{warning}")


@letters_app.command("list")
def letters_list_cmd(config: ConfigOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """函件登记表：编号、类型、房间、状态、出具日期、期限、金额。"""
    from feedun.cli.views import letters_table
    from feedun.config import load_settings
    from feedun.outputs.letters.register import list_letters

    rows = list_letters(_store(load_settings(config), db))
    if as_json:
        _print_json([r.to_dict() for r in rows])
    else:
        letters_table(rows)


def _letters_state(state: str, numbers: list[str], method: str | None, tracking: str | None, on: str | None,
                   config: Path | None, db: str | None) -> None:
    from feedun.cli.views import letters_table
    from feedun.config import load_settings
    from feedun.core.numbers import canonical_letter_number
    from feedun.outputs.letters.register import change_state

    settings = load_settings(config)
    formats = (settings.letters.dunning_number, settings.letters.lawyer_number)  # a company's own numbering too
    numbers = [canonical_letter_number(n, formats) for n in numbers]
    letters_table(change_state(_store(settings, db), numbers, state, method=method,
                               tracking=tracking, on=parse_date_option(on, "--date")))


NumbersArg = Annotated[list[str], typer.Argument(help="函件编号，如 催字〔2026〕第0012号（可写多个）。", show_default=False)]
DateOpt = Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD（默认：今天）。", show_default=False)]


@letters_app.command("mark-sent")
def letters_sent_cmd(
    numbers: NumbersArg,
    method: Annotated[Delivery, typer.Option("--method", help="寄送方式：ems、registered（挂号信）、hand（专人送达）。",
                                             show_default=False)],
    tracking: Annotated[str | None, typer.Option("--tracking", help="快递单号或送达凭证。", show_default=False)] = None,
    on: DateOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """标记函件已寄出：之后才计入升级（律师函条件）和诉讼时效的催告记录。"""
    _letters_state("sent", numbers, method.value, tracking, on, config, db)


@letters_app.command("mark-signed")
def letters_signed_cmd(numbers: NumbersArg, tracking: Annotated[str | None, typer.Option("--note", help="签收说明。", show_default=False)] = None,
                       on: DateOpt = None, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """标记函件已签收（回执已收回）。"""
    _letters_state("signed", numbers, None, tracking, on, config, db)


@letters_app.command("mark-returned")
def letters_returned_cmd(numbers: NumbersArg, tracking: Annotated[str | None, typer.Option("--note", help="退回原因。", show_default=False)] = None,
                         on: DateOpt = None, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """标记函件被退回。"""
    _letters_state("returned", numbers, None, tracking, on, config, db)


@letters_app.command("void")
def letters_void_cmd(numbers: NumbersArg, config: ConfigOpt = None, db: DbOpt = None) -> None:
    """作废函件（编号保留不再使用）。"""
    _letters_state("void", numbers, None, None, None, config, db)



def report_cmd(
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM（默认：最新台账所在的月份）。", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="报表文件路径（默认：reports/report-月份.xlsx）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """收费报表：收费率（按小区、楼栋、管家及 12 个月趋势）、欠费账龄、缴费承诺、各招效果、诉讼时效风险；另存 xlsx（含图表）。"""
    from feedun.config import load_settings
    from feedun.outputs.report import build_report, default_report_path, print_report, write_report_xlsx

    settings = load_settings(config)
    report = build_report(_store(settings, db), settings, month, today=date.today())
    path = write_report_xlsx(report, out or default_report_path(settings, report.month))
    if as_json:
        _print_json(dict(report.to_dict(), file=str(path)))
    else:
        print_report(report, path)
