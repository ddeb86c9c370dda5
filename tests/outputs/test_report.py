"""`feedun report`: collection rate, aging, promises, tactic effectiveness and limitation from real snapshots."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest

from feedun.config import Settings
from feedun.core.errors import UsageError
from feedun.decide.classify import classify, decide_rooms
from feedun.decide.features import feature_table
from feedun.intake.importer import import_file
from feedun.memory.contacts import ContactRequest, log_contact
from feedun.outputs.report import build_report, print_report, write_report_xlsx
from feedun.store import Store
from feedun.store.letters import find_letter, record_sent_letter, update_letter
from feedun.store.rooms import find_room

pytestmark = pytest.mark.module_store  # one store built once per backend (fixture `built`)

HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应收金额(元)", "实收金额(元)", "减免金额(元)",
          "欠费金额(元)"]
TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 18, 0)
A, B, C = "阳光花园", "翠湖苑", "绿洲家园"

# Per snapshot: (estate, room, owner, period, due, paid, discount) in yuan; outstanding = due - paid - discount.
SEPTEMBER = [
    (A, "1-1-101", "王一", "2026-08", 300, 300, 0), (A, "1-1-101", "王一", "2026-09", 300, 300, 0),
    (A, "1-1-102", "李二", "2026-08", 300, 0, 0), (A, "1-1-102", "李二", "2026-09", 300, 0, 0),
    (A, "2-1-201", "张三", "2026-08", 300, 300, 0), (A, "2-1-201", "张三", "2026-09", 300, 0, 0),
    (B, "3-1-301", "赵四", "2023-12", 200, 0, 0),
    (B, "3-1-301", "赵四", "2026-08", 100, 100, 0), (B, "3-1-301", "赵四", "2026-09", 100, 100, 0),
    (B, "3-1-302", "钱五", "2026-08", 100, 100, 0), (B, "3-1-302", "钱五", "2026-09", 100, 0, 0),
]
OCTOBER = [
    (A, "1-1-101", "王一", "2026-08", 300, 300, 0), (A, "1-1-101", "王一", "2026-09", 300, 300, 0),
    (A, "1-1-101", "王一", "2026-10", 300, 300, 0),
    (A, "1-1-102", "李二", "2026-08", 300, 0, 0), (A, "1-1-102", "李二", "2026-09", 300, 0, 0),
    (A, "1-1-102", "李二", "2026-10", 300, 0, 0),
    (A, "2-1-201", "张三", "2026-08", 300, 300, 0), (A, "2-1-201", "张三", "2026-09", 300, 0, 0),
    (A, "2-1-201", "张三", "2026-10", 300, 0, 0),
    (B, "3-1-301", "赵四", "2023-12", 200, 0, 0),
    (B, "3-1-301", "赵四", "2026-08", 100, 100, 0), (B, "3-1-301", "赵四", "2026-09", 100, 100, 0),
    (B, "3-1-301", "赵四", "2026-10", 100, 100, 0),
    (B, "3-1-302", "钱五", "2026-08", 100, 100, 0), (B, "3-1-302", "钱五", "2026-09", 100, 50, 0),
    (B, "3-1-302", "钱五", "2026-10", 100, 0, 0),
]
NOVEMBER = [
    (A, "1-1-101", "王一", "2026-08", 300, 300, 0), (A, "1-1-101", "王一", "2026-09", 300, 300, 0),
    (A, "1-1-101", "王一", "2026-10", 300, 300, 0), (A, "1-1-101", "王一", "2026-11", 300, 300, 0),
    (A, "1-1-102", "李二", "2026-08", 300, 0, 0), (A, "1-1-102", "李二", "2026-09", 300, 0, 0),
    (A, "1-1-102", "李二", "2026-10", 300, 0, 0), (A, "1-1-102", "李二", "2026-11", 300, 0, 0),
    (A, "2-1-201", "张三", "2026-08", 300, 300, 0), (A, "2-1-201", "张三", "2026-09", 300, 300, 0),
    (A, "2-1-201", "张三", "2026-10", 300, 300, 0), (A, "2-1-201", "张三", "2026-11", 300, 300, 0),
    (B, "3-1-301", "赵四", "2023-12", 200, 0, 0),
    (B, "3-1-301", "赵四", "2026-08", 100, 100, 0), (B, "3-1-301", "赵四", "2026-09", 100, 100, 0),
    (B, "3-1-301", "赵四", "2026-10", 100, 100, 0), (B, "3-1-301", "赵四", "2026-11", 100, 80, 20),
    (B, "3-1-302", "钱五", "2026-08", 100, 100, 0), (B, "3-1-302", "钱五", "2026-09", 100, 50, 50),
    (B, "3-1-302", "钱五", "2026-10", 100, 100, 0), (B, "3-1-302", "钱五", "2026-11", 100, 0, 0),
]


def write_ledger(path: Path, lines: list[tuple]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for estate, room, owner, period, due, paid, discount in lines:
        ws.append([estate, room, owner, "13812345678", "物业服务费", period, due, paid, discount, due - paid - discount])
    wb.save(path)
    return path


def write_arrears_only(path: Path) -> Path:
    """A ledger that lists arrears only (no amount due): its estate has no collection rate."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"])
    ws.append([C, "5-1-501", "孙六", "13912345678", "物业服务费", "2026-11", 100])
    wb.save(path)
    return path


def promise(store: Store, settings: Settings, room: str, at: datetime, on: date, amount: int) -> None:
    log_contact(store, settings, ContactRequest(room=room, outcome="promised", promise_date=on,
                                                promise_amount=amount * 100, at=at, by="管家"), now=NOW)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, module_store_url: str) -> tuple[Store, Settings]:
    tmp = tmp_path_factory.mktemp("report")
    settings = Settings.model_validate({"collectors": {f"{A}/1": "李管家", f"{A}/2": "王管家", B: "赵管家"},
                                        "store": {"url": module_store_url}})
    settings.workspace = tmp
    store = Store.for_settings(settings)
    import_file(write_ledger(tmp / "sep.xlsx", SEPTEMBER), settings, as_of=date(2026, 9, 30))
    promise(store, settings, "1-1-102", datetime(2026, 10, 5, 10), date(2026, 10, 20), 600)  # October: not this report
    import_file(write_ledger(tmp / "oct.xlsx", OCTOBER), settings, as_of=date(2026, 10, 31))
    classify(store, settings, as_of=date(2026, 10, 31))
    promise(store, settings, "1-1-102", datetime(2026, 11, 2, 10), date(2026, 11, 20), 300)  # pays nothing: broken
    promise(store, settings, "2-1-201", datetime(2026, 11, 2, 11), date(2026, 11, 20), 600)  # pays 600: kept
    promise(store, settings, "3-1-302", datetime(2026, 11, 3, 9), date(2026, 11, 25), 50)  # pays 50: kept
    import_file(write_ledger(tmp / "nov.xlsx", NOVEMBER), settings, as_of=date(2026, 11, 30))
    import_file(write_arrears_only(tmp / "c.xlsx"), settings, as_of=date(2026, 11, 30))
    return store, settings


@pytest.fixture(scope="module")
def store(built: tuple[Store, Settings]) -> Store:
    return built[0]


@pytest.fixture(scope="module")
def settings(built: tuple[Store, Settings]) -> Settings:
    return built[1]


@pytest.fixture(scope="module")
def report(store: Store, settings: Settings):
    return build_report(store, settings, "2026-11", today=TODAY)


def rates(report, dimension: str) -> dict[str, tuple[int | None, int | None]]:
    return {r.name: (r.rate.receivable, r.rate.collected) for r in report.rates if r.dimension == dimension}


def test_collection_rate_of_the_month_by_estate_building_and_collector(report) -> None:
    assert report.as_of == TODAY and report.snapshots == {A: TODAY, B: TODAY, C: TODAY}
    # A: 101 and 201 paid, 102 did not; B: 301 paid 80 + 20 discount, 302 did not; C has no amount due.
    assert rates(report, "total") == {"合计": (110000, 70000)}
    assert rates(report, "estate") == {A: (90000, 60000), B: (20000, 10000), C: (None, None)}
    assert rates(report, "building") == {f"{A} 1栋": (60000, 30000), f"{A} 2栋": (30000, 30000),
                                         f"{B} 3栋": (20000, 10000), f"{C} 5栋": (None, None)}
    assert rates(report, "collector") == {"李管家": (60000, 30000), "王管家": (30000, 30000),
                                          "赵管家": (20000, 10000), "未分配管家": (None, None)}
    assert report.total_rate.rate == pytest.approx(7 / 11)
    estate_c = next(r for r in report.rates if r.name == C)
    assert estate_c.rate.rate is None and not estate_c.rate.has_data


def test_trend_uses_the_snapshot_by_the_end_of_the_next_month(report) -> None:
    trend = {t.month: (t.total.receivable, t.total.collected) for t in report.trend}
    assert [t.month for t in report.trend] == ["2025-12", *[f"2026-{m:02d}" for m in range(1, 12)]]
    # 08 from the September snapshot, 09 from October's (302 had paid 50 of 100), 10 and 11 from November's.
    assert trend["2026-08"] == (110000, 80000)
    assert trend["2026-09"] == (110000, 45000)
    assert trend["2026-10"] == (110000, 80000)
    assert trend["2026-11"] == (110000, 70000)
    assert all(trend[f"2026-{m:02d}"] == (None, None) for m in range(1, 8))
    sept = next(t for t in report.trend if t.month == "2026-09")
    assert (sept.by_estate[A].receivable, sept.by_estate[A].collected) == (90000, 30000)
    assert sept.by_estate[C].rate is None


def test_aging_buckets_as_of_the_report_day(report) -> None:
    # 102 since 2026-08-15 (3 months, 1200); 301 since 2023-12-15 (35 months, 200); 302 and C's 501: 2026-11 (0).
    assert [(a.bucket, a.rooms, a.amount) for a in report.aging] == [
        ("1个月及以内", 2, 20000), ("2–3个月", 1, 120000), ("4–6个月", 0, 0), ("7–12个月", 0, 0),
        ("12个月以上", 1, 20000)]


def test_promises_made_in_the_month_by_collector(report) -> None:
    rows = {p.collector: (p.made, p.kept, p.broken, p.open) for p in report.promises}
    assert rows == {"李管家": (1, 0, 1, 0), "王管家": (1, 1, 0, 0), "赵管家": (1, 1, 0, 0), "合计": (3, 2, 1, 0)}
    assert report.promise_total.kept_rate == pytest.approx(2 / 3)


def test_tactic_effectiveness_from_the_october_run(report) -> None:
    assert [(r.as_of, r.decisions, r.window_end, r.complete) for r in report.runs] == [
        (date(2026, 10, 31), 4, date(2026, 11, 30), True)]
    by = {e.tactic: e for e in report.effectiveness}
    assert sum(e.decisions for e in report.effectiveness) == 4
    assert sum(e.paid for e in report.effectiveness) == 2
    assert sum(e.recovered for e in report.effectiveness) == 65000  # 201 paid 600, 302 paid 50
    # 102 broke a promise in October: pinned down, and paid nothing; the others were reminded.
    assert (by["pin_down"].decisions, by["pin_down"].paid, by["pin_down"].recovered) == (1, 0, 0)
    reminder = by["reminder"]
    assert (reminder.decisions, reminder.paid, reminder.recovered, reminder.outstanding) == (3, 2, 65000, 95000)
    assert reminder.paid_share == pytest.approx(2 / 3)
    assert reminder.label == "第1招 适时提醒"


def test_limitation_risk_row(report) -> None:
    assert [(r.estate, r.room, r.owner, r.collector, r.oldest_period, r.oldest_due, r.limit_date, r.outstanding)
            for r in report.limitation] == [
        (B, "3-1-301", "赵四", "赵管家", "2023-12", date(2023, 12, 15), date(2026, 12, 15), 20000)]


def test_runs_older_than_90_days_or_after_the_report_day_do_not_count(store: Store, settings: Settings) -> None:
    later = build_report(store, settings, "2027-03", today=date(2027, 3, 31))
    assert later.runs == [] and later.effectiveness == []
    earlier = build_report(store, settings, "2026-10", today=TODAY)
    assert earlier.as_of == date(2026, 10, 31)
    assert [(r.as_of, r.complete) for r in earlier.runs] == [(date(2026, 10, 31), True)]
    assert sum(e.recovered for e in earlier.effectiveness) == 65000
    assert build_report(store, settings, "2026-09", today=TODAY).runs == []  # the run is after that report day
    assert rates(earlier, "total") == {"合计": (110000, 80000)}  # October from the November snapshot
    assert earlier.promise_total.made == 1 and earlier.promise_total.broken == 1


def test_json_shape(report) -> None:
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    total = data["collection_rate"][0]
    assert total == {"dimension": "total", "name": "合计", "estate": None, "receivable": 1100.0, "collected": 700.0,
                     "rate": pytest.approx(7 / 11)}
    assert next(r for r in data["collection_rate"] if r["name"] == C)["rate"] is None
    assert data["aging"][1] == {"bucket": "2–3个月", "rooms": 1, "amount": 1200.0}
    assert data["promises"][-1]["kept_rate"] == pytest.approx(2 / 3)
    assert data["limitation"][0]["room"] == "3-1-301"


def test_bad_month_is_a_usage_error(store: Store, settings: Settings) -> None:
    for text in ("2026-13", "2026/11", "11月"):
        with pytest.raises(UsageError, match="月份"):
            build_report(store, settings, text, today=TODAY)


def test_workbook_sheets_headers_and_native_charts(report, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_report_xlsx(report, tmp_path / "out" / "report-2026-11.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["摘要", "概览", "收费率", "收费率趋势", "欠费走势", "本月回收", "欠费账龄", "缴费承诺",
                             "招数效果", "诉讼时效"]

    def header(name: str) -> list:
        return [c.value for c in wb[name][1] if c.value is not None]

    assert header("收费率") == ["维度", "名称", "应收金额(元)", "实收金额(元)", "未收金额(元)", "收费率"]
    assert report.estates == sorted([A, B, C])
    assert header("收费率趋势") == ["月份", "应收金额(元)", "实收金额(元)", "收费率",
                                    *[f"{e}收费率" for e in report.estates], "说明"]
    assert header("欠费账龄") == ["账龄", "户数", "欠费金额(元)"]
    assert header("缴费承诺") == ["管家", "承诺数", "已兑现", "未兑现", "未到期/待核对", "兑现率"]
    assert header("招数效果")[:4] == ["招数", "房次", "30天内有缴费", "缴费比例"]
    assert header("诉讼时效")[:2] == ["管理处", "房号"]

    rates_ws = wb["收费率"]
    total = [c.value for c in rates_ws[2]]
    assert total[:5] == ["合计", "合计", 1100, 700, 400] and total[5] == pytest.approx(7 / 11)
    assert rates_ws.cell(2, 6).number_format == "0.00%"
    assert any(row[1] == C and row[5] == "应收不详" for row in rates_ws.iter_rows(min_row=2, values_only=True))
    assert any("口径" in str(row[0]) for row in rates_ws.iter_rows(values_only=True))

    trend = wb["收费率趋势"]
    assert trend["A13"].value == "2026-11" and trend["D13"].value == pytest.approx(7 / 11)
    assert trend["D2"].value is None and "应收不详" in trend["H2"].value  # 2025-12: a gap in the chart, said in words
    (line,) = trend._charts
    assert line.tagname == "lineChart"
    refs = [s.val.numRef.f for s in line.series]
    assert refs == ["'收费率趋势'!$D$2:$D$13", "'收费率趋势'!$E$2:$E$13", "'收费率趋势'!$F$2:$F$13",
                    "'收费率趋势'!$G$2:$G$13"]
    cat = line.series[0].cat
    assert (cat.numRef or cat.strRef).f == "'收费率趋势'!$A$2:$A$13"

    aging = wb["欠费账龄"]
    assert [c.value for c in aging["A"][1:7]] == ["1个月及以内", "2–3个月", "4–6个月", "7–12个月", "12个月以上", "合计"]
    assert [c.value for c in aging["B"][1:7]] == [2, 1, 0, 0, 1, 4]
    bars = aging._charts
    assert len(bars) == 2 and all(b.tagname == "barChart" for b in bars)
    assert [b.series[0].val.numRef.f for b in bars] == ["'欠费账龄'!$B$2:$B$6", "'欠费账龄'!$C$2:$C$6"]

    overview = {row[0]: row[1] for row in wb["概览"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert overview["报表月份"] == "2026-11" and overview["当月收费率"] == pytest.approx(7 / 11)
    assert overview["临近诉讼时效的房间"] == 1
    limitation = next(wb["诉讼时效"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert limitation[:5] == (B, "3-1-301", "赵四", "赵管家", "2023-12")


def test_terminal_summary_in_chinese(report, capsys: pytest.CaptureFixture[str]) -> None:
    print_report(report)
    text = capsys.readouterr().out
    assert "收费率" in text and "63.64%" in text and "应收不详" in text
    assert "第1招 适时提醒" in text and "3-1-301" in text


def test_empty_store_reports_no_data(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path)
    report = build_report(Store.for_settings(settings), settings, "2026-11", today=TODAY)
    assert report.total_rate.rate is None and all(a.rooms == 0 for a in report.aging)
    assert report.limitation == [] and report.effectiveness == []
    write_report_xlsx(report, tmp_path / "empty.xlsx")


def test_the_days_decisions_stand_in_for_the_feature_table(store: Store, settings: Settings, report,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`feedun run` passes its decisions: the report then neither rebuilds features nor decides again."""
    import feedun.outputs.report.metrics as metrics

    decided = decide_rooms(store, settings, TODAY)  # not stored: the module's runs stay as they are

    def no_rebuild(*args, **kwargs):
        raise AssertionError("features were built again")

    monkeypatch.setattr(metrics, "feature_table", no_rebuild)
    again = build_report(store, settings, "2026-11", today=TODAY, features=decided.frame)
    assert again.aging == report.aging and again.limitation == report.limitation
    assert again.to_dict() == report.to_dict()


def test_missing_values_in_the_features_never_show_as_nan_or_none(store: Store, settings: Settings,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   tmp_path: Path) -> None:
    features = feature_table(store, settings, TODAY)
    risky = features["limitation_risk"]
    features["owner"] = features["owner"].astype(object)
    features.loc[risky, "owner"] = float("nan")
    features["collector"] = [None] * len(features)
    features["oldest_due"] = [d.isoformat() for d in features["oldest_due"]]  # as read back from a stored run
    report = build_report(store, settings, "2026-11", today=TODAY, features=features)
    (row,) = report.limitation
    assert (row.owner, row.collector, row.oldest_due) == ("", "赵管家", date(2023, 12, 15))
    text = json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False)
    assert "NaN" not in text and "nan" not in text
    print_report(report, tmp_path / "r.xlsx")
    shown = capsys.readouterr().out
    assert "nan" not in shown and "None" not in shown
    from openpyxl import load_workbook

    wb = load_workbook(write_report_xlsx(report, tmp_path / "r.xlsx"))
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert not any(c in ("nan", "None") for c in cells)


def test_report_command_json_is_strict(store: Store, tmp_path: Path) -> None:
    from helpers import run_feedun

    proc = run_feedun(["report", "--month", "2026-11", "--json", "--db", store.url, "--out", str(tmp_path / "r.xlsx")],
                      tmp_path)
    assert proc.returncode == 0, proc.stderr

    def no_constants(name: str):
        raise AssertionError(f"{name} in --json")

    data = json.loads(proc.stdout, parse_constant=no_constants)
    assert data["month"] == "2026-11" and data["collection_rate"][0]["receivable"] == 1100.0
    assert data["file"] == str(tmp_path / "r.xlsx") and (tmp_path / "r.xlsx").is_file()


def test_the_default_month_is_the_newest_snapshots_month(store: Store, settings: Settings) -> None:
    """Issue 15 item 8: early in December, with November's ledger the newest, the report is November's."""
    early = build_report(store, settings, None, today=date(2026, 12, 2))
    assert early.month == "2026-11" and early.as_of == TODAY
    assert rates(early, "total") == {"合计": (110000, 70000)}
    # a snapshot dated after the day asked about does not count: on 2026-11-15 the newest is October's
    assert build_report(store, settings, None, today=date(2026, 11, 15)).month == "2026-10"


def test_the_default_month_of_an_empty_store_is_the_current_month(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path)
    assert build_report(Store.for_settings(settings), settings, None, today=date(2026, 12, 2)).month == "2026-12"


ARREARS_HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"]
# (room, owner, period, arrears in yuan): an arrears-only ledger says nothing of what was billed.
ARREARS_OCT = [("5-1-501", "孙六", "2026-09", 100), ("5-1-501", "孙六", "2026-10", 100),
               ("5-1-502", "周七", "2026-10", 200), ("6-1-601", "吴八", "2026-08", 300)]
# 501 paid September and October, owes November: 100 less; 601 paid up (gone from the ledger); 502 owes a month more.
ARREARS_NOV = [("5-1-501", "孙六", "2026-11", 100),
               ("5-1-502", "周七", "2026-10", 200), ("5-1-502", "周七", "2026-11", 200)]


def write_arrears(path: Path, lines: list[tuple]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(ARREARS_HEADER)
    for room, owner, period, amount in lines:
        ws.append([C, room, owner, "13912345678", "物业服务费", period, amount])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def arrears_only(tmp_path_factory: pytest.TempPathFactory):
    """An arrears-only company: two snapshots, a classify run between them, two rooms that paid."""
    tmp = tmp_path_factory.mktemp("arrears")
    settings = Settings.model_validate({"collectors": {f"{C}/5": "孙管家", f"{C}/6": "吴管家"}})
    settings.workspace = tmp
    store = Store.for_settings(settings)
    import_file(write_arrears(tmp / "oct.xlsx", ARREARS_OCT), settings, as_of=date(2026, 10, 31))
    classify(store, settings, as_of=date(2026, 10, 31))
    import_file(write_arrears(tmp / "nov.xlsx", ARREARS_NOV), settings, as_of=date(2026, 11, 30))
    with store.write() as conn:  # letters: one sent in October, one in November, one sent in November then voided
        record_sent_letter(conn, find_room(conn, "5-1-501", C), "dunning", date(2026, 10, 20), 20000)
        record_sent_letter(conn, find_room(conn, "5-1-502", C), "dunning", date(2026, 11, 5), 40000)
        voided = record_sent_letter(conn, find_room(conn, "5-1-502", C), "lawyer", date(2026, 11, 8), 40000)
        update_letter(conn, find_letter(conn, voided)["id"], state="void")
    return store, settings


def test_arrears_only_the_receivable_is_unknown_and_what_is_known_is_shown(arrears_only) -> None:
    """Issue 15 item 8: no receivable column, no collection rate; arrears month on month and what was recovered."""
    store, settings = arrears_only
    report = build_report(store, settings, None, today=date(2026, 12, 2))
    assert report.month == "2026-11" and not report.receivable_known
    assert report.total_rate.rate is None and all(t.total.rate is None for t in report.trend)
    arrears = {a.month: (a.rooms, a.amount) for a in report.arrears_trend}
    assert list(arrears)[-1] == "2026-11" and len(arrears) == 12
    assert arrears["2026-10"] == (3, 70000) and arrears["2026-11"] == (2, 50000)
    assert all(arrears[m] == (None, None) for m in list(arrears)[:-2])  # no snapshot those months: unknown, not 0
    nov = report.arrears_trend[-1]
    assert nov.snapshots == {C: TODAY} and nov.change == -20000
    recovered = {(r.dimension, r.name): (r.rooms, r.amount) for r in report.recovered}
    assert recovered[("total", "合计")] == (2, 40000)
    assert recovered[("estate", C)] == (2, 40000)
    assert recovered[("collector", "孙管家")] == (1, 10000) and recovered[("collector", "吴管家")] == (1, 30000)
    by_tactic = {name: v for (dim, name), v in recovered.items() if dim == "tactic"}
    assert sum(v[0] for v in by_tactic.values()) == 2 and sum(v[1] for v in by_tactic.values()) == 40000
    assert all(name.startswith("第") or name == "暂缓" for name in by_tactic), by_tactic
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False))
    assert data["receivable_known"] is False
    assert data["arrears_trend"][-1]["amount"] == 500.0 and data["arrears_trend"][0]["amount"] is None
    assert data["recovered"][0] == {"dimension": "total", "name": "合计", "rooms": 2, "amount": 400.0}


def test_arrears_only_workbook_and_terminal_say_the_receivable_is_unknown(
        arrears_only, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import load_workbook

    store, settings = arrears_only
    report = build_report(store, settings, None, today=date(2026, 12, 2))
    wb = load_workbook(write_report_xlsx(report, tmp_path / "r.xlsx"))
    overview = {row[0]: row[1] for row in wb["概览"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert overview["当月收费率"] == "应收不详" and overview["当月应收金额(元)"] == "应收不详"
    assert overview["当月回收金额(元)"] == 400 and overview["当月有缴费的户数"] == 2
    assert wb["收费率趋势"]._charts == []  # no rate to chart
    trend = wb["收费率趋势"]
    assert all(row[3] in (None, "应收不详") for row in trend.iter_rows(min_row=2, max_row=13, values_only=True))
    arrears = wb["欠费走势"]
    assert [c.value for c in arrears[1]][:3] == ["月份", "欠费户数", "欠费金额(元)"]
    assert arrears["A13"].value == "2026-11" and arrears["C13"].value == 500 and arrears["C2"].value is None
    (chart,) = arrears._charts
    assert [s.val.numRef.f for s in chart.series] == ["'欠费走势'!$C$2:$C$13"]
    recovered = [row for row in wb["本月回收"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert recovered[0][:4] == ("合计", "合计", 2, 400)
    cells = [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert not any(c in ("nan", "None", "无数据") for c in cells)
    print_report(report)
    text = capsys.readouterr().out
    assert "应收不详" in text and "%" not in text.split("招数效果")[0]
    assert "欠费走势" in text and "500.00" in text and "本月回收" in text and "吴管家" in text


def test_recovered_is_unknown_without_an_earlier_snapshot_to_compare(arrears_only,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """A company's first ledger shows no payments, but that is not 0 recovered: it is unknown."""
    store, settings = arrears_only
    first = build_report(store, settings, "2026-10", today=date(2026, 10, 31))
    assert first.recovered == [] and first.recovered_total is None
    assert first.arrears_trend[-1].rooms == 3
    print_report(first)
    text = capsys.readouterr().out
    assert "本月回收不详" in text and "本月回收 0.00" not in text


# ---- 摘要: the one-page summary (issue 16) -----------------------------------------------------------------------

LABELS = ["欠费金额（元）", "上月欠费金额（元）", "欠费较上月（元）", "欠费户数", "本月回收（元）", "承诺兑现率",
          "本月寄出函件（封）", "临近诉讼时效（户）", "本月收费率"]


def summary_of(report, path: Path):
    """The summary sheet, its tiles (label -> (figure, number format, note)) and its charts."""
    from openpyxl import load_workbook

    wb = load_workbook(write_report_xlsx(report, path))
    ws = wb["摘要"]
    tiles = {}
    for row in ws.iter_rows(max_col=6):
        for cell in row:
            if cell.value in LABELS:
                value = ws.cell(cell.row + 1, cell.column)
                tiles[cell.value] = (value.value, value.number_format, ws.cell(cell.row + 2, cell.column).value)
    assert list(tiles) == LABELS
    return wb, ws, tiles


def chart_points(wb, chart) -> list[tuple[str, float | None]]:
    """(category, value) of a chart's one series, read from the cells it references."""
    from openpyxl.utils import range_boundaries

    def cells(ref: str) -> list:
        sheet, area = ref.rsplit("!", 1)
        min_col, min_row, max_col, max_row = range_boundaries(area.replace("$", ""))
        ws = wb[sheet.strip("'")]
        return [ws.cell(r, c).value for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]

    (series,) = chart.series
    values = cells(series.val.numRef.f)
    categories = cells((series.cat.strRef or series.cat.numRef).f)
    return list(zip(categories, values, strict=True))


def sheet_text(ws) -> list[str]:
    return [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]


def test_the_report_opens_on_a_summary_of_the_month(report, tmp_path: Path) -> None:
    wb, ws, tiles = summary_of(report, tmp_path / "r.xlsx")
    assert wb.sheetnames[0] == "摘要" and wb.active.title == "摘要"
    assert "2026年11月" in ws["A1"].value and "统计日 2026-11-30" in ws["A2"].value
    money, pct = "#,##0.00", "0.0%"
    # Arrears on the report day: 102 owes 1200, 301 200, 302 100, C's 501 100.
    assert tiles["欠费金额（元）"][:2] == (1600, money) and "2026-11-30" in tiles["欠费金额（元）"][2]
    # October's ledgers cover 阳光花园 and 翠湖苑 (900 + 600 + 200 + 150); 绿洲家园 came in November: no comparison.
    assert tiles["上月欠费金额（元）"][:2] == (1850, money) and "不含绿洲家园" in tiles["上月欠费金额（元）"][2]
    assert tiles["欠费较上月（元）"][0] == "不详" and "绿洲家园" in tiles["欠费较上月（元）"][2]
    assert tiles["欠费户数"][:2] == (4, "0")
    assert tiles["本月回收（元）"][:2] == (650, money) and "2 户" in tiles["本月回收（元）"][2]  # 201 paid 600, 302 50
    rate, fmt, note = tiles["承诺兑现率"]
    assert rate == pytest.approx(2 / 3) and fmt == pct and "已兑现 2 / 登记 3" in note and "未兑现 1" in note
    assert tiles["本月寄出函件（封）"][:2] == (0, "0") and "没有寄出" in tiles["本月寄出函件（封）"][2]
    assert tiles["临近诉讼时效（户）"][:2] == (1, "0")
    rate, fmt, note = tiles["本月收费率"]
    assert rate == pytest.approx(7 / 11) and fmt == pct and "绿洲家园" in note and "应收不详" in note

    trend, aging, collectors = ws._charts
    assert (trend.tagname, aging.tagname, collectors.tagname) == ("lineChart", "barChart", "barChart")
    # from the first month with a ledger; September and October leave out 绿洲家园, and the page says so
    assert chart_points(wb, trend) == [("9月", 1200), ("10月", 1850), ("11月", 1600)]
    assert "2026-09 至 2026-11" in trend.title.tx.rich.p[0].r[0].t
    assert any("2026-09、2026-10 不含绿洲家园" in text for text in sheet_text(ws))
    # horizontal bars are drawn bottom-up: the data runs from the oldest bucket so the page reads from the newest
    assert chart_points(wb, aging)[::-1] == [("1个月及以内\n2户", 200), ("2–3个月\n1户", 1200), ("4–6个月\n0户", 0),
                                             ("7–12个月\n0户", 0), ("12个月以上\n1户", 200)]
    assert chart_points(wb, collectors)[::-1] == [("王管家 1户", 600), ("赵管家 1户", 50)]
    cells = [c for sheet in wb for c in sheet_text(sheet)]
    assert not any(c in ("nan", "None") for c in cells)


def test_summary_of_an_arrears_only_ledger(arrears_only, tmp_path: Path) -> None:
    """No collection rate, but the arrears month on month, what was recovered and the letters sent."""
    store, settings = arrears_only
    report = build_report(store, settings, None, today=date(2026, 12, 2))
    assert report.letters_sent == {"dunning": 1}  # October's is another month's, the voided one never left
    wb, ws, tiles = summary_of(report, tmp_path / "r.xlsx")
    assert tiles["欠费金额（元）"][0] == 500 and tiles["上月欠费金额（元）"][0] == 700
    change, fmt, note = tiles["欠费较上月（元）"]
    assert change == -200 and fmt.startswith("+#,##0.00;-#,##0.00") and "减少" in note
    assert tiles["欠费户数"][0] == 2 and tiles["欠费户数"][2] == "上月 3 户"
    assert tiles["本月回收（元）"][0] == 400
    assert tiles["承诺兑现率"][0] == "本月无承诺"
    assert tiles["本月寄出函件（封）"][0] == 1 and "催费函 1，律师函 0" in tiles["本月寄出函件（封）"][2]
    assert tiles["本月收费率"][0] == "应收不详" and "无法计算收费率" in tiles["本月收费率"][2]
    trend, _, collectors = ws._charts
    assert chart_points(wb, trend) == [("10月", 700), ("11月", 500)]
    assert chart_points(wb, collectors)[::-1] == [("吴管家 1户", 300), ("孙管家 1户", 100)]


def test_summary_says_in_words_what_is_not_known(arrears_only, tmp_path: Path) -> None:
    """The company's first ledger: no last month, nothing to compare payments with, one month is no trend."""
    store, settings = arrears_only
    report = build_report(store, settings, "2026-10", today=date(2026, 10, 31))
    _, ws, tiles = summary_of(report, tmp_path / "r.xlsx")
    assert tiles["上月欠费金额（元）"][0] == "不详" and "2026-09 没有导入台账" in tiles["上月欠费金额（元）"][2]
    assert tiles["欠费较上月（元）"][0] == "不详" and "上月没有台账" in tiles["欠费较上月（元）"][2]
    assert tiles["本月回收（元）"][0] == "不详" and "没有同一管理处的台账可比较" in tiles["本月回收（元）"][2]
    assert tiles["本月寄出函件（封）"][0] == 1  # sent 2026-10-20
    (aging,) = ws._charts  # no trend from one month, no recovered chart from an unknown: lines saying why
    assert aging.tagname == "barChart"
    text = sheet_text(ws)
    assert any("只有 2026-10 一个月的台账" in t for t in text)
    assert any(t.startswith("本月回收按管家（元）：本月回收不详") for t in text)


def test_summary_of_an_empty_store_claims_no_figures(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path)
    report = build_report(Store.for_settings(settings), settings, "2026-11", today=TODAY)
    _, ws, tiles = summary_of(report, tmp_path / "r.xlsx")
    for label in ("欠费金额（元）", "上月欠费金额（元）", "欠费较上月（元）", "欠费户数", "本月回收（元）", "临近诉讼时效（户）"):
        assert tiles[label][0] == "不详", label
        assert tiles[label][2], label  # with the reason
    assert tiles["本月收费率"][0] == "应收不详"
    assert ws._charts == []
    assert sum("：" in t and ("没有" in t or "不详" in t) for t in sheet_text(ws)) >= 3  # one line per chart left out
