"""Call lists: the workbooks collectors and managers get, and reading filled lists back."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.core.vocab import LIST_OUTCOME_LABELS
from feedun.decide.classify import classify
from feedun.intake.importer import import_file
from feedun.memory.promises import list_promises
from feedun.outputs.calllist import CALL_HEADERS
from feedun.outputs.calllist import write_call_lists as write_lists
from feedun.outputs.safe import safe_filename
from feedun.outputs.xlsx import column_dimension
from feedun.store import Store

AS_OF = date(2026, 11, 27)
EVIL = '=HYPERLINK("http://evil.example","点我")'


def setup_store(tmp_path: Path, capacity: int = 40) -> Settings:
    from openpyxl import Workbook

    settings = Settings.model_validate({"collectors": {"阳光花园": "李管家", "阳光花园/9": "王/..管家"},
                                        "calls": {"daily_capacity": capacity}})
    settings.workspace = tmp_path
    wb = Workbook()
    ws = wb.active
    ws.append(["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"])
    ws.append(["阳光花园", "1-1-101", "王芳", "13812345678", "物业服务费", "2026-09", 300])
    ws.append(["阳光花园", "1-1-102", EVIL, "13812345679", "物业服务费", "2026-10", 200])
    ws.append(["阳光花园", "1-1-103", "李雷", "13812345670/0571-88123456", "物业服务费", "2026-05", 900])
    ws.append(["阳光花园", "9-1-101", "韩梅", "13912345678", "物业服务费", "2026-10", 100])
    ws["C3"].data_type = "s"  # the ERP exported the name as text
    wb.save(tmp_path / "ledger.xlsx")
    import_file(tmp_path / "ledger.xlsx", settings, as_of=date(2026, 11, 25))
    return settings


def write_call_lists(settings: Settings, *, as_of: date, **options):
    """The day's decisions (one classify), then the call lists from them, as `feedun calls` does."""
    store = Store.for_settings(settings)
    return write_lists(store, settings, classify(store, settings, as_of=as_of), **options)


def rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = load_workbook(path)[sheet]
    headers = [c.value for c in ws[1]]
    listed = [dict(zip(headers, [c.value for c in r], strict=True)) for r in ws.iter_rows(min_row=2)]
    return [r for r in listed if r.get("序号") != "合计"]  # the printed totals row is not a room


def test_collector_workbooks_overview_and_watch_list(tmp_path: Path) -> None:
    settings = setup_store(tmp_path)
    result = write_call_lists(settings, as_of=AS_OF)
    by_name = {c.collector: c for c in result.lists}
    assert set(by_name) == {"李管家", "王/..管家"}
    odd = by_name["王/..管家"].path
    assert odd.parent == tmp_path / "calls" / "2026-11-27" and "/" not in odd.name.replace("催缴清单-", "")
    book = load_workbook(by_name["李管家"].path)
    assert book.sheetnames == ["今日清单", "话术", "查找联系方式", "承诺回访"]
    ws = book["今日清单"]
    assert [c.value for c in ws[1]] == CALL_HEADERS
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape"
    lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1 for v in ws.data_validations.dataValidation}
    result_col = ws.cell(1, CALL_HEADERS.index("结果") + 1).column_letter
    assert all(label in lists[result_col] for label in LIST_OUTCOME_LABELS) and "短信已送达" not in lists[result_col]
    assert column_dimension(ws, CALL_HEADERS.index("键（勿改）") + 1).hidden
    listed = rows(by_name["李管家"].path, "今日清单")
    # Chosen by priority, printed in walking order (building, unit, floor) so the collector walks it in order.
    assert [r["房号"] for r in listed] == ["1-1-101", "1-1-102", "1-1-103"]
    assert "13812345670" in str(listed[2]["电话"])  # full numbers in the collector's own list
    assert all(r["话术"] and "\n" not in r["话术"] for r in listed)
    # The manager's overview masks every number.
    overview = rows(result.overview, "全部明细")
    assert overview and all(not re.search(r"1\d{10}", str(r["电话"])) for r in overview)
    assert any("138****5670" in str(r["电话"]) for r in overview)
    # The gate's list: no amounts, no phone numbers.
    gate = load_workbook(result.watch_list)["全员提醒"]
    headers = [c.value for c in gate[1]]
    assert not any("金额" in h or "电话" in h for h in headers)


def test_owner_text_is_never_a_formula(tmp_path: Path) -> None:
    settings = setup_store(tmp_path)
    path = write_call_lists(settings, as_of=AS_OF, collector="李管家").lists[0].path
    ws = load_workbook(path)["今日清单"]
    owner_col = CALL_HEADERS.index("业主") + 1
    cells = [ws.cell(r, owner_col) for r in range(2, ws.max_row + 1)]
    evil = [c for c in cells if str(c.value).startswith("=")]
    assert len(evil) == 1 and evil[0].value == EVIL and evil[0].data_type == "s"
    assert safe_filename("../../etc/passwd") == "etc_passwd" and safe_filename("王/管家") == "王_管家"


def test_daily_capacity_rolls_the_rest(tmp_path: Path) -> None:
    settings = setup_store(tmp_path, capacity=2)
    mine = next(c for c in write_call_lists(settings, as_of=AS_OF).lists if c.collector == "李管家")
    assert (mine.today, mine.backlog, mine.days_needed) == (2, 1, 2)
    # The longest overdue, most owed room is chosen first; the two chosen print in walking order.
    assert [r["房号"] for r in rows(mine.path, "今日清单")] == ["1-1-101", "1-1-103"]


def test_filled_list_reads_back_even_when_resorted_and_annotated(tmp_path: Path) -> None:
    settings = setup_store(tmp_path)
    path = write_call_lists(settings, as_of=AS_OF, collector="李管家").lists[0].path
    wb = load_workbook(path)
    ws = wb["今日清单"]
    col = {c.value: c.column for c in ws[1]}
    # The collector re-sorts the rows (reverse them), adds a column of their own and fills three results.
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    for offset, row in enumerate(reversed(values), start=2):
        for index, value in enumerate(row, start=1):
            ws.cell(offset, index, value)
    ws.cell(1, ws.max_column + 1, "我的记号")
    filled = {}
    for r in range(2, ws.max_row + 1):
        filled[ws.cell(r, col["房号"]).value] = r
    ws.cell(filled["1-1-101"], col["联系时间"], "2026-11-27 09:30")
    ws.cell(filled["1-1-101"], col["结果"], "承诺缴费")
    ws.cell(filled["1-1-101"], col["承诺日期"], datetime(2026, 12, 5))
    ws.cell(filled["1-1-101"], col["承诺金额"], 300)
    ws.cell(filled["1-1-103"], col["联系时间"], datetime(2026, 11, 27, 9, 40))
    ws.cell(filled["1-1-103"], col["联系方式"], "上门")
    ws.cell(filled["1-1-103"], col["结果"], "忙或不在本地")
    ws.cell(filled["1-1-102"], col["联系时间"], "2026-13-40")
    ws.cell(filled["1-1-102"], col["结果"], "无人接听")
    ws.cell(filled["1-1-102"], ws.max_column, "自己的备注")
    back = tmp_path / "填好的清单.xlsx"
    wb.save(back)
    result = import_file(back, settings)
    assert result.kind == "calls"
    assert (result.accepted, result.rejected) == (2, 1)
    [promise] = list_promises(Store.for_settings(settings), settings, state="open")
    assert (promise.room, promise.promise_date, promise.amount) == ("1-1-101", date(2026, 12, 5), 30000)
    assert load_workbook(result.rejects_file).active.cell(2, 2).value.count("2026-13-40") == 1
    assert import_file(back, settings).duplicate
    # A copy saved again (new bytes) adds nothing either: the same contacts are already there.
    wb.save(tmp_path / "再存一次.xlsx")
    again = import_file(tmp_path / "再存一次.xlsx", settings)
    assert again.accepted == 0 and again.skipped_detail.get("已记录过") == 2


def test_a_broken_user_template_names_its_file_and_line(tmp_path: Path) -> None:
    settings = setup_store(tmp_path)
    folder = tmp_path / "templates" / "scripts"
    folder.mkdir(parents=True)
    (folder / "reminder.short.j2").write_text("{{ salutation }}您好\n{{ amount | yuan }\n", encoding="utf-8")
    with pytest.raises(FeedunError) as caught:
        write_call_lists(settings, as_of=AS_OF)
    assert caught.value.row == 2 and str(caught.value.path).endswith("reminder.short.j2")
    (folder / "reminder.short.j2").write_text("{{ salutation }}您好，{{ no_such_thing }}", encoding="utf-8")
    with pytest.raises(FeedunError, match="no_such_thing"):
        write_call_lists(settings, as_of=AS_OF)
