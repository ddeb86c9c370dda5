"""Node outputs of tactic 1: call nodes in the call list, the visit sheet (上门清单) and the written notice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook

from feedun.config import Settings
from feedun.core.vocab import NodeKind
from feedun.decide.classify import classify
from feedun.decide.nodes import nodes_on
from feedun.intake.importer import import_file
from feedun.outputs.calllist import walking_key, write_call_lists
from feedun.outputs.visits import NOT_IN_A_NOTICE, VISIT_PRINTED, write_node_outputs
from feedun.outputs.xlsx import BODY_PT, print_scale
from feedun.store import Store

AS_OF = date(2026, 11, 27)  # a Friday
NODES = [{"day": 27, "kind": "visit", "min_months": 2}, {"day": 27, "kind": "notice"},
         {"day": 27, "kind": "call", "min_months": 6}]
# (room, months owed): listed out of walking order as ERPs sort text
ROOMS = [("10-1-101", 1), ("2-1-1201", 8), ("2-1-301", 3), ("7-2-501", 2), ("2-1-302", 1), ("7-1-101", 9)]


@pytest.fixture
def company(tmp_path: Path) -> Settings:
    settings = Settings.model_validate({"collectors": {"阳光花园": "李管家"}, "nodes": NODES,
                                        "company": {"name": "阳光物业", "phone": "0571-88001234"},
                                        "calls": {"daily_capacity": 2}})
    settings.workspace = tmp_path
    wb = Workbook()
    ws = wb.active
    ws.append(["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"])
    for i, (room, months) in enumerate(ROOMS):
        for m in range(months):
            ws.append(["阳光花园", room, ["王芳", "李雷", "韩梅"][i % 3], f"1391234567{i}", "物业服务费",
                       f"2026-{11 - months + m:02d}" if months < 11 else "2026-01", 100 + i])
    wb.save(tmp_path / "ledger.xlsx")
    import_file(tmp_path / "ledger.xlsx", settings, as_of=date(2026, 11, 25))
    return settings


def _day(settings: Settings):
    store = Store.for_settings(settings)
    return store, classify(store, settings, as_of=AS_OF)


def test_call_node_rooms_come_first_and_no_room_is_listed_twice(company: Settings) -> None:
    store, decided = _day(company)
    [mine] = write_call_lists(store, company, decided).lists
    ws = load_workbook(mine.path)["今日清单"]
    col = {c.value: c.column for c in ws[1]}
    rooms = [ws.cell(r, col["房号"]).value for r in range(2, mine.today + 2)]
    # Capacity 2: the two rooms the 6-month call node reaches, ahead of the others.
    assert sorted(rooms) == ["2-1-1201", "7-1-101"] and len(set(rooms)) == len(rooms)
    assert all(ws.cell(r, col["提示"]).value == "节点提醒，约缴费时间" for r in range(2, mine.today + 2))


def test_visit_sheet_walks_the_buildings_and_reads_back(company: Settings, tmp_path: Path) -> None:
    store, decided = _day(company)
    nodes = nodes_on(company, AS_OF)
    assert {n.kind for n in nodes} == {NodeKind.VISIT, NodeKind.NOTICE, NodeKind.CALL}
    out = write_node_outputs(company, decided, nodes, tmp_path / "out", {"阳光花园": date(2026, 11, 25)})
    [sheet] = out.visit_sheets
    assert sheet.name == "上门清单-李管家-2026-11-27.xlsx"
    ws = load_workbook(sheet)["上门清单"]
    col = {c.value: c.column for c in ws[1]}
    rooms = [ws.cell(r, col["房号"]).value for r in range(2, ws.max_row)]
    assert rooms == sorted(rooms, key=walking_key) == ["2-1-301", "2-1-1201", "7-1-101", "7-2-501"]  # ≥ 2 months
    assert ws.cell(ws.max_row, 1).value == "合计" and ws.cell(ws.max_row, 2).value == "4 户"
    assert [c.value for c in ws[1]][: len(VISIT_PRINTED)] == VISIT_PRINTED and "业主签字" in VISIT_PRINTED
    assert BODY_PT * print_scale(ws) >= 9 and ws.page_setup.orientation == "landscape"
    assert ws.cell(2, col["联系方式"]).value == "上门"
    # Filled in and handed back, it is read like a call list: a visit contact for the room.
    ws.cell(3, col["结果"], "承诺缴费")
    ws.cell(3, col["联系时间"], "2026-11-27 15:00")
    ws.cell(3, col["承诺日期"], "2026-12-05")
    ws.parent.save(sheet)
    result = import_file(sheet, company)
    assert (result.kind, result.accepted, result.rejected) == ("calls", 1, 0)
    from feedun.memory.promises import list_promises

    [promise] = list_promises(store, company, state="open")
    assert (promise.room, promise.promise_date) == ("2-1-1201", date(2026, 12, 5))


def test_written_notice_is_a_notice_not_a_demand(company: Settings, tmp_path: Path) -> None:
    _, decided = _day(company)
    out = write_node_outputs(company, decided, nodes_on(company, AS_OF), tmp_path / "out",
                             {"阳光花园": date(2026, 11, 25)})
    assert out.notice_rooms == len(ROOMS)
    text = "\n".join(p.text for p in Document(out.notices).paragraphs)
    assert text.count("缴费通知单回执") == len(ROOMS) and text.count("沿此线剪下") == len(ROOMS)
    assert "据截至 2026年11月25日的账目" in text  # the ledger's date, not the print date: later payments unknown
    assert "0571-88001234" in text and "王先生/女士" in text
    assert not [w for w in NOT_IN_A_NOTICE if w in text]
    assert "None" not in text and "nan" not in text
