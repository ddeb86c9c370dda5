"""What people read in the terminal: summaries of library results. Rendering only, no logic."""

from __future__ import annotations

from collections import defaultdict

from feedun.console import err, out, table
from feedun.debtors import Debtor
from feedun.ledger.importer import ImportResult
from feedun.money import mask_phone, yuan


def import_summary(result: ImportResult) -> None:
    if result.duplicate:
        out.print(f"[yellow]已导入过[/]：{result.file}（第 {result.import_id} 次导入，快照日期 {result.as_of}），"
                  "这次没有做任何改动。")
        return
    skipped = "，".join(f"{k} {v}" for k, v in result.skipped_detail.items()) or "无"
    rows = [
        ["文件", result.file],
        ["工作表", f"{result.sheet}（{'宽表：每个收费项目一列' if result.layout == 'wide' else '明细表'}）"],
        ["快照日期", result.as_of or ""],
        ["管理处", "、".join(result.estates)],
        ["读取行数", str(result.rows_read)],
        ["导入", f"{result.accepted} 行（{result.lines} 条费用明细）"],
        ["拒收", f"{result.rejected} 行" + (f"，原因见 {result.rejects_file}" if result.rejects_file else "")],
        ["跳过", f"{result.skipped} 行（{skipped}）"],
    ]
    out.print(table(f"导入完成（第 {result.import_id} 次导入）", [("项目", "left"), ("结果", "left")], rows))
    for warning in result.warnings:
        err.print(f"[yellow]提示[/]：{warning}")


def debtors_table(debtors: list[Debtor], limit: int | None = None) -> None:
    if not debtors:
        out.print("没有欠费的房间（或还没有导入台账：先运行 feedun import 台账文件）。")
        return
    shown = debtors if limit is None else sorted(debtors, key=lambda d: -d.outstanding)[:limit]
    rows = [[d.estate, d.room, d.owner, " ".join(mask_phone(p) for p in d.phones) or "（无有效号码）",
             yuan(d.outstanding), d.oldest_period, str(d.months_overdue)] for d in shown]
    title = "欠费房间" if limit is None else f"欠费金额最多的 {len(shown)} 户"
    out.print(table(title, [("管理处", "left"), ("房号", "left"), ("业主", "left"), ("电话", "left"),
                            ("欠费金额(元)", "right"), ("最早欠费期间", "left"), ("欠费月数", "right")], rows))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in debtors:
        totals[d.estate][0] += 1
        totals[d.estate][1] += d.outstanding
    out.print(table("按管理处合计", [("管理处", "left"), ("欠费户数", "right"), ("欠费金额(元)", "right")],
                    [[e, str(n), yuan(f)] for e, (n, f) in sorted(totals.items())]))
