"""`feedun report`: the month in figures, computed once (metrics), then written (workbook) and shown (terminal).

    store = Store.for_settings(settings, db)
    report = build_report(store, settings, "2026-11", today=date.today())  # None: the newest snapshot's month
    write_report_xlsx(report, default_report_path(settings, report.month))
    print_report(report, path)

The definitions (口径) are in metrics.py and docs/design.md, "The report".
"""

from feedun.outputs.report.metrics import (
    DEFINITIONS,
    RECEIVABLE_UNKNOWN,
    AgingRow,
    ArrearsRow,
    EffectRow,
    LimitationRow,
    PromiseRow,
    Rate,
    RateRow,
    RecoveredRow,
    Report,
    RunRow,
    TrendRow,
    build_report,
    default_month,
    parse_month,
    report_day,
)
from feedun.outputs.report.terminal import print_report
from feedun.outputs.report.workbook import default_report_path, write_report_xlsx

__all__ = ["DEFINITIONS", "RECEIVABLE_UNKNOWN", "AgingRow", "ArrearsRow", "EffectRow", "LimitationRow", "PromiseRow",
           "Rate", "RateRow", "RecoveredRow", "Report", "RunRow", "TrendRow", "build_report", "default_month",
           "default_report_path", "parse_month", "print_report", "report_day", "write_report_xlsx"]
