"""`feedun debtors`, `log`, `tag`, `promises`, `history`: what the store remembers of each room. Thin: parse, open the store once, call one library function, print."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from feedun.cli.options import ConfigOpt, DbOpt, EstateOpt, JsonOpt, parse_date_option, vocab_help, vocab_parser
from feedun.cli.options import print_json as _print_json
from feedun.core.errors import UsageError
from feedun.core.vocab import CHANNEL_LABELS, DISPUTE_LABELS, OUTCOME_LABELS, TAG_LABELS, Channel, Outcome


def debtors_cmd(
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="统计日期 YYYY-MM-DD（默认：今天）。",
                                              show_default=False)] = None,
    as_json: JsonOpt = False,
) -> None:
    """列出欠费的房间：按各小区最新一次导入的台账，显示欠费金额、最早欠费期间和欠费月数。"""
    from feedun.cli.views import debtors_table
    from feedun.config import load_settings
    from feedun.memory.debtors import list_debtors
    from feedun.store import Store

    settings = load_settings(config)
    day = parse_date_option(as_of, "--as-of")
    debtors = list_debtors(Store.for_settings(settings, db), settings, as_of=day)
    if as_json:
        _print_json([d.to_dict() for d in debtors])
    else:
        debtors_table(debtors)





def log_cmd(
    room: Annotated[str, typer.Argument(help="房号，如 8-2-1201 或 8栋2单元1201室。", show_default=False)],
    outcome: Annotated[Outcome, typer.Option("--outcome", "-o", parser=vocab_parser(Outcome, OUTCOME_LABELS),
                                             help=f"联系结果，代码或中文均可：{vocab_help(OUTCOME_LABELS)}。",
                                             show_default=False)],
    channel: Annotated[Channel, typer.Option("--channel", parser=vocab_parser(Channel, CHANNEL_LABELS),
                                             help=f"联系方式，代码或中文均可：{vocab_help(CHANNEL_LABELS)}。")] = Channel.CALL,
    promise_date: Annotated[str | None, typer.Option("--promise-date", help="承诺缴费日期，如 2026-12-20、2026/12/20、2026年12月20日 或 12月20日（不写年份的为联系之后最近的这一天；结果为承诺缴费时必填）。", show_default=False)] = None,
    promise_amount: Annotated[str | None, typer.Option("--promise-amount", help="承诺缴费金额（元；不填表示缴清全部欠费）。", show_default=False)] = None,
    callback: Annotated[str | None, typer.Option("--callback", help="约定回电时间，如 \"2026-12-03 19:00\" 或 \"12月3日 19:00\"。", show_default=False)] = None,
    by: Annotated[str, typer.Option("--by", help="经办人（管家）姓名。")] = "",
    at: Annotated[str | None, typer.Option("--at", help="联系时间，如 \"2026-12-01 10:00\" 或 \"2026年12月1日 10:00\"（默认：现在）。", show_default=False)] = None,
    note: Annotated[str, typer.Option("--note", help="备注。")] = "",
    estate: EstateOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """记录一次与业主的联系（电话、短信、上门等）及结果；承诺缴费的会在之后导入台账时自动核对是否兑现。"""
    from feedun.cli.views import logged_contact
    from feedun.config import load_settings
    from feedun.memory.contacts import ContactRequest, log_contact, parse_money, parse_time, validate
    from feedun.store import Store

    now = datetime.now()
    contacted = parse_time(at, "--at", now)
    # A promise date or callback typed without a year lies ahead of the contact, not of today.
    request = ContactRequest(
        room=room, outcome=outcome.value, channel=channel.value, estate=estate,
        promise_date=parse_date_option(promise_date, "--promise-date", forward=True, today=(contacted or now).date()),
        promise_amount=parse_money(promise_amount, "--promise-amount"),
        callback_at=parse_time(callback, "--callback", contacted or now, forward=True), by=by.strip(), at=contacted,
        note=note.strip())
    settings = load_settings(config)
    validate(request, now)  # a typo is refused before any store is opened (or created)
    result = log_contact(Store.for_settings(settings, db), settings, request, now=now)
    if as_json:
        _print_json(result.to_dict())
    else:
        logged_contact(result)



def tag_cmd(
    room: Annotated[str, typer.Argument(help="房号，如 8-2-1201。", show_default=False)],
    tags: Annotated[list[str] | None, typer.Argument(help=f"+标签 加上、-标签 去掉，代码或中文均可（如 +关系融洽 -脾气急躁）：{vocab_help(TAG_LABELS)}。",
                                                     show_default=False)] = None,
    dispute: Annotated[str | None, typer.Option("--dispute", help=f"纠纷类型，代码或中文均可：{vocab_help(DISPUTE_LABELS)}。", show_default=False)] = None,
    dispute_open: Annotated[bool | None, typer.Option("--dispute-open/--dispute-resolved", help="纠纷处理中 / 已解决。", show_default=False)] = None,
    plate: Annotated[str | None, typer.Option("--plate", help="车牌号。", show_default=False)] = None,
    slot: Annotated[str | None, typer.Option("--slot", help="车位号。", show_default=False)] = None,
    alt_contact: Annotated[list[str] | None, typer.Option("--alt-contact", help="备用联系人，如 \"姐姐 13900000000\"（可写多次）。", show_default=False)] = None,
    do_not_contact: Annotated[bool | None, typer.Option("--do-not-contact/--allow-contact", help="勿扰：不再主动联系 / 取消勿扰。", show_default=False)] = None,
    collector: Annotated[str | None, typer.Option("--collector", help="为这个房间单独指定负责的管家（空字符串表示恢复按配置）。", show_default=False)] = None,
    estate: Annotated[str | None, typer.Option("--estate", help="小区名（同一房号在多个小区都有时必填）。", show_default=False)] = None,
    config: Annotated[Path | None, typer.Option("--config", help="配置文件 feedun.toml 的路径。", show_default=False)] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """给房间的当前业主加减标签、记录纠纷、车辆和备用联系人、勿扰，或指定负责管家。"""
    from feedun.cli.views import profile_summary
    from feedun.config import load_settings
    from feedun.memory.profiles import TagRequest, check_tag_request, parse_dispute_word, parse_tag_words, tag_room
    from feedun.store import Store

    add, remove = parse_tag_words(tags or [])
    request = TagRequest(room=room, estate=estate, add=add, remove=remove, dispute=parse_dispute_word(dispute),
                         dispute_open=dispute_open,
                         plate=plate, slot=slot, alt_contacts=[a.strip() for a in alt_contact or [] if a.strip()],
                         do_not_contact=do_not_contact, collector=collector)
    settings = load_settings(config)
    check_tag_request(request)  # refused before any store is opened (or created)
    profile = tag_room(Store.for_settings(settings, db), settings, request)
    if as_json:
        _print_json(profile.to_dict())
    else:
        profile_summary(profile)



def promises_cmd(
    open_: Annotated[bool, typer.Option("--open", help="只看待兑现的承诺。")] = False,
    broken: Annotated[bool, typer.Option("--broken", help="只看未兑现（失信）的承诺。")] = False,
    due_today: Annotated[bool, typer.Option("--due-today", help="只看今天到期、待兑现的承诺。")] = False,
    today: Annotated[str | None, typer.Option("--today", help="把这一天当作今天（YYYY-MM-DD），用于核对。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """列出业主的缴费承诺：待兑现、已兑现、未兑现。"""
    from feedun.cli.views import promises_table
    from feedun.config import load_settings
    from feedun.core.vocab import PromiseState
    from feedun.memory.promises import list_promises
    from feedun.store import Store

    if sum([open_, broken, due_today]) > 1:
        raise UsageError("--open、--broken、--due-today 只能选一个。", hint="不加这些选项则列出全部承诺。")
    state = PromiseState.OPEN if open_ else PromiseState.BROKEN if broken else None
    due_on = (parse_date_option(today, "--today") or date.today()) if due_today else None
    settings = load_settings(config)
    rows = list_promises(Store.for_settings(settings, db), settings, state=state, due_on=due_on)
    if as_json:
        _print_json([r.to_dict() for r in rows])
    else:
        promises_table(rows)



def history_cmd(
    room: Annotated[str, typer.Argument(help="房号，如 8-2-1201。", show_default=False)],
    estate: EstateOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """一个房间的完整时间线：每次台账的欠费、缴费、联系记录、承诺、标签和纠纷、业主变更。"""
    from feedun.cli.views import timeline
    from feedun.config import load_settings
    from feedun.memory.history import room_history
    from feedun.store import Store

    settings = load_settings(config)
    result = room_history(Store.for_settings(settings, db), settings, room, estate=estate)
    if as_json:
        _print_json(result.to_dict())
    else:
        timeline(result)
