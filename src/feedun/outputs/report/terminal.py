"""The report on the terminal: the month's headline, then one table per section, in Chinese.

Only shows a `Report` (metrics.py); printing goes through `feedun.cli.console`, the one module that knows rich.
A receivable the ledger did not give prints as 应收不详 and the rate tables are left out when no month has one;
欠费走势 and 本月回收 are shown always. Missing figures print as 应收不详, 没有台账 or —, never nan or None.
"""

from __future__ import annotations

from pathlib import Path

from feedun.cli.console import out, table
from feedun.core.money import yuan
from feedun.outputs.report.metrics import (
    DIMENSIONS,
    EFFECT_LOOKBACK_DAYS,
    EFFECT_WINDOW_DAYS,
    NO_LEDGER,
    RECEIVABLE_UNKNOWN,
    TREND_MONTHS,
    UNCOMPARED,
    Report,
)


def _pct_text(value: float | None, empty: str = RECEIVABLE_UNKNOWN) -> str:
    """0.6364 -> '63.64%'; None -> 应收不详 (or the given words)."""
    return empty if value is None else f"{value * 100:.2f}%"


def _fen_text(fen: int | None) -> str:
    """Fen as yuan text, or 应收不详."""
    return RECEIVABLE_UNKNOWN if fen is None else yuan(fen)


def print_report(report: Report, path: Path | None = None) -> None:
    """The summary people read after `feedun report`; `path` is the workbook written, shown last."""
    total = report.total_rate
    got = report.recovered_total
    if report.receivable_known:
        out.print(f"[bold]{report.month} 收费报表[/]（统计日 {report.as_of}）：应收 {_fen_text(total.receivable)} 元，"
                  f"实收 {_fen_text(total.collected)} 元，收费率 {_pct_text(total.rate)}")
        money_cols = [("应收(元)", "right"), ("实收(元)", "right"), ("收费率", "right")]
        out.print(table("收费率", [("维度", "left"), ("名称", "left"), *money_cols],
                        [[DIMENSIONS[r.dimension], r.name, _fen_text(r.rate.receivable), _fen_text(r.rate.collected),
                          _pct_text(r.rate.rate)] for r in report.rates]))
        out.print(table(f"收费率趋势（近 {TREND_MONTHS} 个月）", [("月份", "left"), *money_cols],
                        [[t.month, _fen_text(t.total.receivable), _fen_text(t.total.collected), _pct_text(t.total.rate)]
                         for t in report.trend]))
    else:
        recovered = (f"本月回收 {yuan(got.amount)} 元（{got.rooms} 户有缴费）。" if got else
                     f"本月回收{UNCOMPARED}。")
        out.print(f"[bold]{report.month} 收费报表[/]（统计日 {report.as_of}）：{RECEIVABLE_UNKNOWN}——台账没有应收金额，"
                  f"无法计算收费率。{recovered}")
    out.print(table(f"欠费走势（近 {TREND_MONTHS} 个月，各月内最新的台账）",
                    [("月份", "left"), ("欠费户数", "right"), ("欠费金额(元)", "right"), ("较上月(元)", "right"),
                     ("台账日期", "left")],
                    [[a.month, NO_LEDGER if a.rooms is None else str(a.rooms),
                      NO_LEDGER if a.amount is None else yuan(a.amount), "—" if a.change is None else yuan(a.change),
                      "；".join(f"{e} {d}" for e, d in a.snapshots.items()) or "—"]
                     for a in report.arrears_trend]))
    if got is None:
        out.print(f"本月回收：{UNCOMPARED}。")
    else:
        out.print(table(f"本月回收（{report.month} 的台账显示的欠费减少）",
                        [("维度", "left"), ("名称", "left"), ("有缴费的户数", "right"), ("回收金额(元)", "right")],
                        [[DIMENSIONS[r.dimension], r.name, str(r.rooms), yuan(r.amount)] for r in report.recovered]))
    out.print(table(f"欠费账龄（截至 {report.as_of}）", [("账龄", "left"), ("户数", "right"), ("欠费金额(元)", "right")],
                    [[a.bucket, str(a.rooms), yuan(a.amount)] for a in report.aging]))
    out.print(table("缴费承诺（当月登记）", [("管家", "left"), ("承诺", "right"), ("已兑现", "right"), ("未兑现", "right"),
                                            ("待核对", "right"), ("兑现率", "right")],
                    [[p.collector, str(p.made), str(p.kept), str(p.broken), str(p.open), _pct_text(p.kept_rate, "—")]
                     for p in report.promises]))
    if report.effectiveness:
        out.print(table(f"招数效果（近 {EFFECT_LOOKBACK_DAYS} 天的分类，{EFFECT_WINDOW_DAYS} 天内缴费）",
                        [("招数", "left"), ("房次", "right"), ("有缴费", "right"), ("缴费比例", "right"),
                         ("回收(元)", "right")],
                        [[e.label, str(e.decisions), str(e.paid), _pct_text(e.paid_share, "—"), yuan(e.recovered)]
                         for e in report.effectiveness]))
        pending = [r for r in report.runs if not r.complete]
        if pending:
            out.print("观察期未满的分类：" + "、".join(str(r.as_of) for r in pending) + "（之后的台账导入后数字还会变）")
    else:
        out.print(f"招数效果：统计日前 {EFFECT_LOOKBACK_DAYS} 天内没有分类记录。")
    if report.limitation:
        out.print(table("临近诉讼时效（请尽快发函并保留送达凭证）",
                        [("管理处", "left"), ("房号", "left"), ("最早欠费期间", "left"), ("时效届满日(约)", "left"),
                         ("欠费金额(元)", "right")],
                        [[r.estate, r.room, r.oldest_period, r.limit_date.isoformat(), yuan(r.outstanding)]
                         for r in report.limitation]))
    else:
        out.print("没有临近诉讼时效的房间。")
    if path is not None:
        out.print(f"报表文件：{path}")
