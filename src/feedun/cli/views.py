"""What people read in the terminal: summaries of library results. Rendering only, no logic."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from feedun.cli.console import err, out, table
from feedun.core.money import mask_phone, mask_phones_in, yuan
from feedun.core.periods import period_text

if TYPE_CHECKING:  # type hints only: `feedun history` must not load the import pipeline (issue 18, start-up)
    from feedun.admin.db import StoreStatus
    from feedun.decide.decisions import Decisions
    from feedun.decide.explain import Explanation
    from feedun.intake.importer import ImportResult
    from feedun.memory.contacts import LoggedContact
    from feedun.memory.debtors import Debtor
    from feedun.memory.history import Timeline
    from feedun.memory.profiles import Profile
    from feedun.memory.promises import PromiseRow
    from feedun.outputs.calllist import CallLists
    from feedun.outputs.letters.generate import LetterBatch
    from feedun.outputs.letters.register import LetterRow
    from feedun.outputs.sms import SmsBatch
    from feedun.run import RunSummary
    from feedun.store.copy import CopyResult


def warn(text: str) -> None:
    """A warning on stderr: the label styled, the text as written ('[import] estate' is not markup)."""
    err.print("[yellow]提示[/]：", end="")
    err.print(text, markup=False)


def import_summary(result: ImportResult) -> None:
    if result.duplicate:
        out.print(f"[yellow]已导入过[/]：{result.file}（第 {result.import_id} 次导入，快照日期 {result.as_of}），"
                  "这次没有做任何改动。")
        return
    skipped = "，".join(f"{k} {v}" for k, v in result.skipped_detail.items()) or "无"
    rows = [["文件", result.file], ["工作表", f"{result.sheet}（{_layout(result)}）"]]
    if result.kind == "profiles":
        rows += [["读取行数", str(result.rows_read)], ["导入", f"{result.accepted} 户"]]
    elif result.kind == "calls":
        rows += [["读取行数", str(result.rows_read)], ["导入", f"{result.accepted} 条联系记录"]]
    elif result.kind == "register":
        rows += [["读取行数", str(result.rows_read)], ["导入", f"{result.accepted} 份函件状态更新"]]
    else:
        rows += [["快照日期", result.as_of or ""], ["管理处", "、".join(result.estates)],
                 ["读取行数", str(result.rows_read)], ["导入", f"{result.accepted} 行（{result.lines} 条费用明细）"]]
    rows += [
        ["拒收", f"{result.rejected} 行" + (f"，原因见 {result.rejects_file}" if result.rejects_file else "")],
        ["跳过", f"{result.skipped} 行（{skipped}）"],
    ]
    out.print(table(f"导入完成（第 {result.import_id} 次导入）", [("项目", "left"), ("结果", "left")], rows))
    for change in result.changes:
        out.print(f"· {change}")
    for warning in result.warnings:
        warn(warning)


def _field_name(key: str) -> str:
    from feedun.intake.headers import FIELD_LABELS

    if key.startswith("wide:"):
        return "合计列（核对）" if key == "wide:total" else f"收费项目：{key[5:]}"
    return FIELD_LABELS.get(key, key)


def check_summary(result) -> None:
    """`feedun import --check`: what would be imported, and how; for a refused file why, and what to add."""
    from feedun.intake.headers import FIELD_LABELS
    from feedun.intake.ledger import ESTATE_RULES
    out.print(f"[bold]检查[/]：{result.file}（只检查，没有导入）")
    if result.sheet:
        out.print(f"工作表：{result.sheet}；表头在第 {result.header_row} 行；类型：{result.kind}")
    if result.mapping:
        out.print(table("列对应", [("feedun 字段", "left"), ("表格中的列", "left")],
                        [[_field_name(k), v] for k, v in result.mapping.items()]))
    if result.ignored:
        out.print("未使用的列：" + "、".join(result.ignored))
    if result.error:
        err.print("[red]不能导入[/]：", end="")
        err.print(mask_phones_in(str(result.error["error"])), markup=False)  # '[import] estate' is text, not markup
        if result.error.get("hint"):
            err.print(f"处理办法：{mask_phones_in(str(result.error['hint']))}", markup=False)
        if result.suggested_columns:
            lines = "\n".join(f'{k} = "{v}"' for k, v in result.suggested_columns.items())
            out.print("可以在 feedun.toml 中加入（按表头猜测，请核对）：\n\\[import.columns]\n" + lines, markup=True)
        return
    if result.estate:
        out.print(f"小区：{result.estate}（来自{ESTATE_RULES.get(result.estate_rule or '', '')}）")
    out.print(f"快照日期：{result.as_of}；读取 {result.rows_read} 行：导入 {result.accepted}，拒收 {result.rejected}，"
              f"跳过 {sum(result.skipped.values())}" + (f"（{'，'.join(f'{k} {v}' for k, v in result.skipped.items())}）"
                                                      if result.skipped else ""))
    if result.first_lines:
        columns = ["estate", "room", "owner", "fee_item", "period", "period_end", "outstanding"]
        out.print(table(f"前 {len(result.first_lines)} 行导入后的样子", [(FIELD_LABELS.get(c, c) if c != "period_end"
                                                                          else "结束月份", "left") for c in columns],
                        [[_shown(line.get(c), c) for c in columns] for line in result.first_lines]))
    for reject in result.rejects:
        out.print(f"拒收 第 {reject['row']} 行：{mask_phones_in(str(reject['reason']))}", markup=False)
    for warning in result.warnings:
        warn(warning)


def _shown(value, column: str) -> str:
    from feedun.core.periods import period_text

    if column == "outstanding":
        return yuan(int(value or 0))
    if column == "period":
        return period_text(value)
    if column == "owner":
        return str(value or "（无）")
    return "" if value is None else str(value)


def _layout(result: ImportResult) -> str:
    if result.kind == "profiles":
        return "业主档案"
    if result.kind == "calls":
        return "填好的催缴清单"
    if result.kind == "register":
        return "函件登记表"
    return "台账宽表：每个收费项目一列" if result.layout == "wide" else "台账明细表"


def debtors_table(debtors: list[Debtor], limit: int | None = None) -> None:
    if not debtors:
        out.print("没有欠费的房间（或还没有导入台账：先运行 feedun import 台账文件）。")
        return
    shown = debtors if limit is None else sorted(debtors, key=lambda d: -d.outstanding)[:limit]
    rows = [[d.estate, d.room, d.owner, " ".join(mask_phone(p) for p in d.phones) or "（无有效号码）",
             yuan(d.outstanding), period_text(d.oldest_period), str(d.unpaid_months), str(d.months_overdue)]
            for d in shown]
    title = "欠费房间" if limit is None else f"欠费金额最多的 {len(shown)} 户"
    out.print(table(title, [("管理处", "left"), ("房号", "left"), ("业主", "left"), ("电话", "left"),
                            ("欠费金额(元)", "right"), ("最早欠费期间", "left"), ("欠费月数", "right"), ("账龄(月)", "right")], rows))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in debtors:
        totals[d.estate][0] += 1
        totals[d.estate][1] += d.outstanding
    out.print(table("按管理处合计", [("管理处", "left"), ("欠费户数", "right"), ("欠费金额(元)", "right")],
                    [[e, str(n), yuan(f)] for e, (n, f) in sorted(totals.items())]))


def logged_contact(result: LoggedContact) -> None:
    from feedun.memory.contacts import OUTCOMES

    if result.duplicate:
        out.print(f"[yellow]已记录过[/]：{result.estate} {result.room} {result.at:%Y-%m-%d %H:%M} 的“{OUTCOMES[result.outcome]}”，未重复记录。")
        return
    extra = "，并登记了缴费承诺（导入之后的台账时自动核对）" if result.promise_id else ""
    out.print(f"已记录：{result.estate} {result.room}（{result.owner}）{result.at:%Y-%m-%d %H:%M} "
              f"{OUTCOMES[result.outcome]}{extra}。")


def profile_summary(profile: Profile) -> None:
    from feedun.memory.profiles import DISPUTES, TAGS

    if not profile.changes:
        out.print(f"{profile.estate} {profile.room}：没有变化。")
    else:
        out.print(f"{profile.estate} {profile.room}（{profile.owner}）：" + "；".join(profile.changes))
    tags = "、".join(TAGS[t] for t in profile.tags) or "无"
    dispute = (f"{DISPUTES[profile.dispute]}（{'处理中' if profile.dispute_open else '已解决'}）"
               if profile.dispute else "无")
    out.print(f"现在：标签 {tags}；纠纷 {dispute}；负责管家 {profile.collector or '按配置'}"
              + ("；勿扰" if profile.do_not_contact else ""))


def promises_table(rows: list[PromiseRow]) -> None:
    from feedun.memory.promises import STATES

    if not rows:
        out.print("没有符合条件的缴费承诺。")
        return
    out.print(table("缴费承诺", [("管理处", "left"), ("房号", "left"), ("业主", "left"), ("承诺日期", "left"),
                                 ("承诺金额(元)", "right"), ("状态", "left"), ("期间缴费(元)", "right"),
                                 ("记录时间", "left"), ("经办", "left")],
                    [[r.estate, r.room, r.owner, r.promise_date.isoformat(),
                      yuan(r.amount) if r.amount is not None else "全部欠费", STATES[r.state],
                      yuan(r.paid) if r.paid is not None else "", r.made_at, r.by] for r in rows]))


def timeline(result: Timeline) -> None:
    out.print(f"[bold]{result.estate} {result.room}[/]  业主：{result.owner}  负责管家：{result.collector or '未指定'}")
    if not result.events:
        out.print("（没有记录）")
        return
    out.print(table(None, [("时间", "left"), ("事项", "left")],
                    [[e.at.strftime("%Y-%m-%d %H:%M") if e.at.time() != e.at.min.time() else e.at.strftime("%Y-%m-%d"),
                      e.text] for e in result.events]))


def classify_summary(run: Decisions) -> None:
    from feedun.decide.classify import summary

    by_tactic, by_collector = summary(run)
    columns = [("", "left"), ("户数", "right"), ("欠费金额(元)", "right")]
    out.print(table(f"分类结果（截至 {run.as_of}，第 {run.run_id} 次分类；规则：{run.policy}）",
                    [("招数", "left"), *columns[1:]], [[a, str(b), yuan(c)] for a, b, c in by_tactic]))
    out.print(table("按管家", [("管家", "left"), *columns[1:]], [[a, str(b), yuan(c)] for a, b, c in by_collector]))
    out.print("每户的原因：feedun explain 房号；完整结果：feedun classify --json")


def explanation(result: Explanation) -> None:
    from feedun.core.tactics import label

    decided = label(result.tactic) if result.tactic else f"暂缓（{result.hold_name}）"
    out.print(f"[bold]{result.estate} {result.room}[/]  业主：{result.owner}  截至 {result.as_of}")
    out.print(f"结论：{decided}。下一步：{result.next_action}")
    out.print(f"[dim]实际值取自当天第 {result.run_id} 次分类保存的结果[/]" if result.run_id is not None
              else "[dim]当天没有可用的分类结果，实际值按现有数据现算[/]")
    rows = []
    for rule in result.rules:
        mark = "[green]✓ 符合[/]" if rule.matches else "✗"
        for i, check in enumerate(rule.checks):
            rows.append([f"{rule.label}（第 {rule.line} 行）" if i == 0 else "", mark if i == 0 else "",
                         check.condition, check.actual, "✓" if check.ok else "✗"])
    out.print(table("各招条件（从上到下，第一条符合的为准）",
                    [("招数", "left"), ("", "left"), ("条件", "left"), ("实际值", "left"), ("", "left")], rows))
    rows = []
    for hold in result.holds:
        for i, check in enumerate(hold.checks):
            rows.append([hold.label if i == 0 else "", "[yellow]暂缓[/]" if hold.matches and i == 0 else "",
                         check.condition, check.actual, "✓" if check.ok else "✗"])
    out.print(table("暂缓条件（任一条件组全部满足则暂缓）",
                    [("暂缓", "left"), ("", "left"), ("条件", "left"), ("实际值", "left"), ("", "left")], rows))


def call_lists_summary(result: CallLists) -> None:
    rows = [[c.collector, str(c.today), yuan(c.amount_today), str(c.backlog), str(c.days_needed), str(c.path)]
            for c in result.lists]
    out.print(table(f"催缴清单（{result.as_of}，拨打日 {result.work_day}）",
                    [("管家", "left"), ("今日", "right"), ("今日金额(元)", "right"), ("顺延", "right"),
                     ("需要天数", "right"), ("文件", "left")], rows))
    if result.overview:
        out.print(f"主管总览（电话已隐去中间四位）：{result.overview}")
    if result.watch_list:
        out.print(f"门岗、车管、前台提醒名单（无金额、无电话）：{result.watch_list}")
    if result.held:
        out.print(f"另有 {result.held} 户暂缓（承诺期内、静默期、勿扰等），不在清单中。")
    out.print("管家填好“联系时间、联系方式、结果”等列后，用 feedun import 文件 导回。")


def sms_summary(batch: SmsBatch, files: list) -> None:
    segments = sum(m.segments for m in batch.messages)
    node = f"（每月 {batch.node} 日提醒节点）" if batch.node else ""
    out.print(f"缴费提醒短信 {batch.as_of}{node}：{len(batch.messages)} 条，计费 {segments} 条")
    for reason, count in batch.skipped.items():
        out.print(f"  未生成 {count} 户：{reason}")
    if batch.messages:
        sample = batch.messages[0]
        out.print(f"示例（{sample.chars} 字，计 {sample.segments} 条）：{sample.text}")
    for path in files:
        out.print(f"文件：{path}")
    for warning in batch.warnings:
        warn(warning)
    if batch.messages:
        when = f"{batch.send_from:%Y-%m-%d %H:%M} 之后" if batch.send_from else ""
        out.print(f"feedun 只生成文件，不发送；请在{when}到短信平台上传发送（北京时间 21:00–08:00 不发短信）。")


def letters_table(rows: list[LetterRow]) -> None:
    from feedun.outputs.letters.register import KINDS, METHODS, STATES

    if not rows:
        out.print("登记表中还没有函件。")
        return
    out.print(table("函件登记", [("编号", "left"), ("类型", "left"), ("管理处", "left"), ("房号", "left"),
                                 ("业主", "left"), ("状态", "left"), ("出具日期", "left"), ("期限", "left"),
                                 ("本金(元)", "right"), ("寄送", "left")],
                    [[r.number, KINDS[r.kind], r.estate, r.room, r.owner, STATES[r.state], r.issued.isoformat(),
                      str(r.deadline or ""), yuan(r.amount),
                      " ".join(filter(None, [METHODS.get(r.delivery or "", r.delivery), r.evidence]))]
                     for r in rows]))


def letters_summary(batch: LetterBatch) -> None:
    from feedun.outputs.letters.register import KINDS

    if not batch.letters:
        out.print(f"截至 {batch.as_of}，没有需要出具{KINDS[batch.kind]}的房间（见 feedun classify）。")
        return
    new = len(batch.letters) - batch.reused
    out.print(f"{KINDS[batch.kind]}：{len(batch.letters)} 份（新编号 {new} 份，沿用当天已有草稿 {batch.reused} 份），状态为草稿。")
    out.print(f"Word 文件：{batch.folder}")
    out.print(f"合并打印：{batch.combined}")
    out.print(f"登记表：{batch.register}")
    for path in batch.evidence:
        out.print(f"证据材料：{path}")
    for path in batch.pdfs:
        out.print(f"PDF：{path}")
    out.print("盖章寄出后运行 feedun letters mark-sent 编号 --method ems --tracking 单号；只有已寄出的函件才计入后续升级和时效。")


def nodes_table(year: int, month: int, plan: list, warning: str | None) -> None:
    from feedun.core.money import yuan

    rows = [[f"{p.on.isoformat()}（{'一二三四五六日'[p.on.weekday()]}）", p.node.label,
             "" if p.on.day == p.node.day and p.on.month == month else f"由 {p.node.day} 日顺延", str(p.rooms),
             yuan(p.amount_fen)] for p in plan]
    out.print(table(f"{year} 年 {month} 月的提醒节点（覆盖户数按今天的分类估算）",
                    [("日期", "left"), ("节点", "left"), ("说明", "left"), ("户数", "right"), ("欠费(元)", "right")],
                    rows))
    if warning:
        warn(warning)


def run_summary(summary: RunSummary) -> None:
    from feedun.core.tactics import label

    if summary.nothing_to_do:
        out.print(f"{summary.as_of} 已经运行过，收件文件夹没有新文件，这次没有做任何改动。输出：{summary.outbox}")
        return
    head = "（演练，没有写任何东西）" if summary.dry_run else ""
    out.print(f"[bold]feedun run {summary.as_of}[/]{head}")
    for item in summary.imported:
        if item.get("kind") == "planned":
            out.print(f"  将导入：{item['file']}")
        else:
            note = "（已导入过）" if item.get("duplicate") else ""
            out.print(f"  已导入：{item['file']}：{item['accepted']} 行，拒收 {item['rejected']} 行{note}")
            for change in item.get("changes") or []:
                out.print(f"    · {change}")
    for item in summary.failed:
        out.print("  [red]无法导入[/]：", end="")
        out.print(f"{item['file']}：{item['reason']}", markup=False)
    if summary.tactics:
        out.print("  分类：" + "，".join(f"{label(t)} {n} 户" for t, n in summary.tactics.items())
                  + f"，暂缓 {summary.held} 户")
    if summary.nodes:
        out.print("  今天的提醒节点：" + "；".join(summary.nodes), markup=False)
    if summary.outputs:
        o = summary.outputs
        visits = (f"，上门清单 {o['visit_sheets']} 份" if o.get("visit_sheets") else "") + (
            f"，书面缴费通知 {o['notices']} 户" if o.get("notices") else "")
        out.print(f"  输出：催缴清单 {o.get('call_lists', 0)} 份，短信 {o.get('sms', 0)} 条{visits}，催费函 {o.get('demand_letters', 0)} 份，"
                  f"律师函 {o.get('lawyer_letters', 0)} 份" + (f"，报表 {o['report']}" if o.get("report") else ""))
    if summary.outbox and not summary.dry_run:
        out.print(f"  文件夹：{summary.outbox}")
    for warning in summary.warnings:
        warn(warning)


TABLE_NAMES = {"imports": "导入记录", "import_estates": "导入的小区", "ledger_lines": "台账明细", "rooms": "房间",
               "contacts": "联系记录", "promises": "缴费承诺", "payments": "缴费", "profiles": "业主档案",
               "room_events": "房间事件", "letters": "函件", "letter_sequences": "函件编号", "runs": "分类运行",
               "decisions": "分类结果", "meta": "元数据"}
MONEY_NAMES = {"amount_due": "应收", "paid": "实收/已付", "discount": "减免", "outstanding": "欠费", "late_fee": "滞纳金",
               "promise_amount": "承诺金额", "amount": "金额", "baseline": "承诺时欠费"}


def store_status_view(status: StoreStatus, counts: bool = True) -> None:
    kind = {"sqlite": "SQLite 文件", "postgresql": "PostgreSQL"}.get(status.backend, status.backend)
    out.print(f"数据库：{status.url}（{kind}）")
    if status.revision is None:
        out.print(f"表结构：尚未建立（首次使用时自动建立，当前程序版本 {status.head}）")
    elif status.current:
        out.print(f"表结构：版本 {status.revision}，已是最新")
    else:
        out.print(f"表结构：版本 {status.revision}，当前程序为 {status.head}；运行 feedun db upgrade 升级")
    if status.tables and counts:
        out.print(table("各表行数", [("表", "left"), ("行数", "right")],
                        [[f"{TABLE_NAMES.get(name, name)}（{name}）", f"{count:,}"] for name, count in status.tables.items()]))


def copy_view(result: CopyResult) -> None:
    out.print(f"已复制：{result.source} → {result.target}，共 {result.rows:,} 行")
    rows = []
    for check in result.tables:
        money = "；".join(f"{MONEY_NAMES.get(name, name)} {yuan(check.totals_target[name])}" for name in check.totals_target
                         if check.totals_source[name] or check.totals_target[name])
        rows.append([TABLE_NAMES.get(check.table, check.table), f"{check.rows_source:,}", f"{check.rows_target:,}",
                     money or "—", "一致" if check.ok else "[red]不一致[/]"])
    out.print(table("核对", [("表", "left"), ("源", "right"), ("目标", "right"), ("金额合计（元）", "left"),
                             ("结果", "left")], rows))
    if result.ok:
        out.print("行数和金额合计全部一致。把 feedun.toml 的 \\[store] url 改为新地址（或设置 FEEDUN_DB）后，各命令即使用新数据库。")
    else:
        err.print("有表的行数或金额合计不一致：复制期间可能有人在写入原数据库。请停止定时任务和录入后，换一个空的目标库重新复制。")
