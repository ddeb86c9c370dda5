"""The Typer app: parse arguments, call one library function, print its result.

Exit codes: 0 ok, 1 data or validation problem, 2 usage error. Expected failures never show a traceback.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from feedun.cli import text as cli_text
from feedun.cli.db import db_app
from feedun.cli.options import ConfigOpt, DbOpt, JsonOpt
from feedun.cli.options import print_json as _print_json
from feedun.core.errors import FeedunError, UsageError

cli_text.install()

app = typer.Typer(
    name="feedun",
    help="feedun：物业费欠费催缴工具。导入物业系统导出的台账，找出谁欠费、该用哪一招、下一步做什么。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)



def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise UsageError(f"{option} 的值“{text}”不是 YYYY-MM-DD 格式的日期。", hint="例如 --as-of 2026-11-30。") from None


@app.command("init")
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
    from feedun.cli.console import err, progress
    from feedun.cli.views import import_summary
    from feedun.config import load_settings
    from feedun.intake.importer import import_file

    settings = load_settings(config)
    snapshot = _date(as_of, "--as-of")
    results, failed = [], 0
    for path in files:
        try:
            with progress(not as_json) as bar:
                result = import_file(path, settings, db_url=db, as_of=snapshot, encoding=encoding,
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
    from feedun.cli.views import debtors_table
    from feedun.config import load_settings
    from feedun.memory.debtors import list_debtors

    debtors = list_debtors(load_settings(config), db_url=db, as_of=_date(as_of, "--as-of"))
    if as_json:
        _print_json([d.to_dict() for d in debtors])
    else:
        debtors_table(debtors)


EstateOpt = Annotated[str | None, typer.Option("--estate", help="小区名（同一房号在多个小区都有时必填）。", show_default=False)]


@app.command("log")
def log_cmd(
    room: Annotated[str, typer.Argument(help="房号，如 8-2-1201 或 8栋2单元1201室。", show_default=False)],
    outcome: Annotated[str, typer.Option("--outcome", "-o", help="联系结果代码：paid_claimed 称已缴费、promised 承诺缴费、vague 含糊推托、busy_away 忙或不在本地、refused_quality/refused_service/refused_unfair/refused_other 拒缴、no_answer 无人接听、invalid_number 号码无效、callback 约定回电、wrong_person 非本人。",
                                         show_default=False)],
    channel: Annotated[str, typer.Option("--channel", help="联系方式：call 电话、sms 短信、visit 上门、wechat 微信、letter 函件、in_person 当面。")] = "call",
    promise_date: Annotated[str | None, typer.Option("--promise-date", help="承诺缴费日期 YYYY-MM-DD（结果为 promised 时必填）。", show_default=False)] = None,
    promise_amount: Annotated[str | None, typer.Option("--promise-amount", help="承诺缴费金额（元；不填表示缴清全部欠费）。", show_default=False)] = None,
    callback: Annotated[str | None, typer.Option("--callback", help="约定回电时间，如 \"2026-12-03 19:00\"。", show_default=False)] = None,
    by: Annotated[str, typer.Option("--by", help="经办人（管家）姓名。")] = "",
    at: Annotated[str | None, typer.Option("--at", help="联系时间（YYYY-MM-DD HH:MM 或 ISO 8601；默认：现在）。", show_default=False)] = None,
    note: Annotated[str, typer.Option("--note", help="备注。")] = "",
    estate: EstateOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """记录一次与业主的联系（电话、短信、上门等）及结果；承诺缴费的会在之后导入台账时自动核对是否兑现。"""
    from feedun.cli.views import logged_contact
    from feedun.config import load_settings
    from feedun.memory.contacts import ContactRequest, log_contact, parse_money, parse_time

    now = datetime.now()
    request = ContactRequest(
        room=room, outcome=outcome.strip(), channel=channel.strip(), estate=estate,
        promise_date=_date(promise_date, "--promise-date"), promise_amount=parse_money(promise_amount, "--promise-amount"),
        callback_at=parse_time(callback, "--callback", now), by=by.strip(), at=parse_time(at, "--at", now),
        note=note.strip())
    result = log_contact(load_settings(config), request, db_url=db, now=now)
    if as_json:
        _print_json(result.to_dict())
    else:
        logged_contact(result)


@app.command("tag", context_settings={"ignore_unknown_options": True, "help_option_names": ["--help"]})
def tag_cmd(
    room: Annotated[str, typer.Argument(help="房号，如 8-2-1201。", show_default=False)],
    tags: Annotated[list[str] | None, typer.Argument(help="+标签 加上、-标签 去掉：rapport 关系融洽、hot_tempered 脾气急躁、leader 带头人、timid 胆小怕事、absentee 长期不在本地。",
                                                     show_default=False)] = None,
    dispute: Annotated[str | None, typer.Option("--dispute", help="纠纷类型：quality 房屋质量/整改、service 服务问题、neighbor 邻里纠纷、vacancy 空置房收费、shared_cost 公摊费用、other 其他。", show_default=False)] = None,
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
    from feedun.memory.profiles import TagRequest, parse_tag_words, tag_room

    add, remove = parse_tag_words(tags or [])
    request = TagRequest(room=room, estate=estate, add=add, remove=remove, dispute=dispute, dispute_open=dispute_open,
                         plate=plate, slot=slot, alt_contacts=[a.strip() for a in alt_contact or [] if a.strip()],
                         do_not_contact=do_not_contact, collector=collector)
    profile = tag_room(load_settings(config), request, db_url=db)
    if as_json:
        _print_json(profile.to_dict())
    else:
        profile_summary(profile)


@app.command("promises")
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
    from feedun.memory.promises import list_promises

    if sum([open_, broken, due_today]) > 1:
        raise UsageError("--open、--broken、--due-today 只能选一个。", hint="不加这些选项则列出全部承诺。")
    state = "open" if open_ else "broken" if broken else None
    due_on = (_date(today, "--today") or date.today()) if due_today else None
    rows = list_promises(load_settings(config), state=state, due_on=due_on, db_url=db)
    if as_json:
        _print_json([r.to_dict() for r in rows])
    else:
        promises_table(rows)


@app.command("history")
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

    result = room_history(load_settings(config), room, estate=estate, db_url=db)
    if as_json:
        _print_json(result.to_dict())
    else:
        timeline(result)


@app.command("classify")
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

    run = classify(load_settings(config), as_of=_date(as_of, "--as-of"), db_url=db)
    if as_json:
        _print_json(run.to_dict())
    else:
        classify_summary(run)


@app.command("explain")
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

    result = explain_room(load_settings(config), room, estate=estate, as_of=_date(as_of, "--as-of"), db_url=db)
    if as_json:
        _print_json(result.to_dict())
    else:
        explanation(result)


rules_app = typer.Typer(help="分类规则（policy.toml）相关命令。", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


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


@app.command("calls")
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

    result = write_call_lists(load_settings(config), as_of=_date(as_of, "--as-of"), collector=collector,
                              out_dir=out, db_url=db)
    if as_json:
        _print_json({"as_of": result.as_of.isoformat(), "work_day": result.work_day.isoformat(),
                     "overview": str(result.overview) if result.overview else None,
                     "watch_list": str(result.watch_list) if result.watch_list else None, "held": result.held,
                     "lists": [{"collector": c.collector, "file": str(c.path), "today": c.today,
                                "backlog": c.backlog, "days_needed": c.days_needed} for c in result.lists]})
    else:
        call_lists_summary(result)


@app.command("sms")
def sms_cmd(
    as_of: Annotated[str | None, typer.Option("--as-of", help="日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", help="输出格式：csv、aliyun（阿里云批量发送）、tencent（腾讯云）。")] = "csv",
    any_day: Annotated[bool, typer.Option("--any-day", help="今天不是短信提醒节点也生成。")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件夹（默认：sms/）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """按提醒节点为每户生成个性化的缴费提醒短信（不是群发，不提滞纳金），统计字数和计费条数；只生成文件，不发送。"""
    from feedun.cli.views import sms_summary
    from feedun.config import load_settings
    from feedun.decide.classify import decide_rooms
    from feedun.outputs.sms import build_sms, write_sms

    settings = load_settings(config)
    day = _date(as_of, "--as-of") or date.today()
    decided, _ = decide_rooms(settings, day, db)
    batch = build_sms(settings, decided, day, any_day=any_day)
    files = write_sms(batch, fmt, out or settings.workspace / "sms", settings)
    if as_json:
        _print_json({"as_of": day.isoformat(), "node": batch.node, "messages": len(batch.messages),
                     "segments": sum(m.segments for m in batch.messages), "skipped": batch.skipped,
                     "warnings": batch.warnings, "files": [str(f) for f in files]})
    else:
        sms_summary(batch, files)


app.add_typer(db_app, name="db")

letters_app = typer.Typer(help="催费函与律师函：生成、登记、标记寄出/签收/退回/作废。")
app.add_typer(letters_app, name="letters")


@letters_app.callback(invoke_without_command=True)
def letters_cmd(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help="dunning（催费函）或 lawyer（律师函材料，需配置律所）。",
                                             show_default=False)] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="出具日期 YYYY-MM-DD（默认：今天）。", show_default=False)] = None,
    room: Annotated[list[str] | None, typer.Option("--room", help="只为这些房间出函（可写多次）；默认按分类结果。",
                                                   show_default=False)] = None,
    estate: EstateOpt = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="同时用 LibreOffice 转成 PDF。")] = False,
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

    batch = generate_letters(load_settings(config), kind, as_of=_date(as_of, "--as-of"), rooms=room, estate=estate,
                             pdf=pdf, db_url=db)
    if as_json:
        _print_json({"kind": batch.kind, "as_of": batch.as_of.isoformat(), "reused": batch.reused,
                     "combined": str(batch.combined) if batch.combined else None,
                     "register": str(batch.register) if batch.register else None,
                     "letters": [dict(x.to_dict(), file=x.file) for x in batch.letters]})
    else:
        letters_summary(batch)


@letters_app.command("list")
def letters_list_cmd(config: ConfigOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """函件登记表：编号、类型、房间、状态、出具日期、期限、金额。"""
    from feedun.cli.views import letters_table
    from feedun.config import load_settings
    from feedun.outputs.letters.register import list_letters

    rows = list_letters(load_settings(config), db_url=db)
    if as_json:
        _print_json([r.to_dict() for r in rows])
    else:
        letters_table(rows)


def _letters_state(state: str, numbers: list[str], method: str | None, tracking: str | None, on: str | None,
                   config: Path | None, db: str | None) -> None:
    from feedun.cli.views import letters_table
    from feedun.config import load_settings
    from feedun.outputs.letters.register import change_state

    letters_table(change_state(load_settings(config), numbers, state, method=method, tracking=tracking,
                               on=_date(on, "--date"), db_url=db))


NumbersArg = Annotated[list[str], typer.Argument(help="函件编号，如 催字〔2026〕第0012号（可写多个）。", show_default=False)]
DateOpt = Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD（默认：今天）。", show_default=False)]


@letters_app.command("mark-sent")
def letters_sent_cmd(
    numbers: NumbersArg,
    method: Annotated[str, typer.Option("--method", help="寄送方式：ems、registered（挂号信）、hand（专人送达）。",
                                        show_default=False)],
    tracking: Annotated[str | None, typer.Option("--tracking", help="快递单号或送达凭证。", show_default=False)] = None,
    on: DateOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """标记函件已寄出：之后才计入升级（律师函条件）和诉讼时效的催告记录。"""
    _letters_state("sent", numbers, method, tracking, on, config, db)


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


@app.command("run")
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

    summary = run_cycle(load_settings(config), as_of=_date(as_of, "--as-of"), inbox=inbox, outbox=outbox,
                        dry_run=dry_run, force=force, db_url=db)
    if as_json:
        _print_json(summary.to_dict())
    else:
        run_summary(summary)
    if summary.failed and not dry_run:
        raise typer.Exit(1)


@app.command("report")
def report_cmd(
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM（默认：本月）。", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="报表文件路径（默认：reports/report-月份.xlsx）。", show_default=False)] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """收费报表：收费率（按小区、楼栋、管家及 12 个月趋势）、欠费账龄、缴费承诺、各招效果、诉讼时效风险；另存 xlsx（含图表）。"""
    from feedun.config import load_settings
    from feedun.outputs.report.report import build_report, default_report_path, print_report, write_report_xlsx

    settings = load_settings(config)
    report = build_report(settings, month, db_url=db)
    path = write_report_xlsx(report, out or default_report_path(settings, report.month))
    if as_json:
        _print_json(dict(report.to_dict(), file=str(path)))
    else:
        print_report(report, path)


@app.command("purge")
def purge_cmd(
    before: Annotated[str | None, typer.Option("--before", help="清除最后一次欠费早于这一天（YYYY-MM-DD）、现已无欠费的业主的个人信息（默认：今天减去 feedun.toml 中 [purge] retention_days 的天数）。",
                                               show_default=False)] = None,
    yes: Annotated[bool, typer.Option("--yes", help="确认执行；不加则只统计会清除多少。")] = False,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """按保存期限清除已结清业主的个人信息（姓名、电话、备注、档案），保留金额、日期等统计所需的数据。"""
    from feedun.admin.purge import purge
    from feedun.cli.console import out
    from feedun.config import load_settings

    result = purge(load_settings(config), _date(before, "--before"), apply=yes, db_url=db)
    if result.retention_days is not None:
        out.print(f"保存期限 {result.retention_days} 天（feedun.toml [purge] retention_days）：截止日期 {result.before}。")
    verb = "已清除" if result.applied else "将清除"
    out.print(f"{verb} {result.rooms} 户的个人信息（台账明细 {result.lines} 行、联系记录 {result.contacts} 条、"
              f"档案 {result.profiles} 份）；金额、期间、日期和函件编号保留。")
    if not yes and result.rooms:
        out.print("确认无误后加 --yes 执行。")


@app.command("demo")
def demo_cmd(
    folder: Annotated[Path | None, typer.Argument(help="演示用的新文件夹（默认：新建一个临时文件夹）。",
                                                  show_default=False)] = None,
    db: Annotated[str | None, typer.Option("--db", help="演示用的空数据库（例如一个新建的 PostgreSQL 库）；默认在演示文件夹里新建 "
                                           "feedun.db。演示从不使用 FEEDUN_DB 指向的数据库。", show_default=False)] = None,
) -> None:
    """用自带的示例台账完整演示一遍：初始化、导入、列出欠费房间。"""
    from feedun.admin.demo import run_demo

    run_demo(folder, db_url=db)


def main() -> None:
    """Console-script entry: run the app, turn expected failures into a message and an exit code.

    A failure's text may quote a cell or a database row (a message) or carry a value (a bug's traceback): what
    reaches the terminal has its phone numbers masked, and a bug is reported as one, with a traceback."""
    import os

    from feedun.core.money import mask_phones_in as hide_phones

    os.umask(0o077)  # the store, rejects, lists and letters hold personal data: owner-only files and folders

    try:
        app()
    except FeedunError as exc:
        from feedun.cli.console import err

        err.print(hide_phones(exc.render()), markup=False)
        sys.exit(exc.exit_code)
    except Exception:
        import traceback

        from feedun.cli.console import err

        err.print(hide_phones(traceback.format_exc()), markup=False)
        err.print("错误：feedun 内部出错（程序缺陷，不是台账或配置的问题），本次操作没有完成。\n"
                  "处理办法：把上面的技术信息（电话号码已隐去）和所用的命令发给维护人员。", markup=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
