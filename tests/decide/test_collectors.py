"""Issue 15, item 1: a collector given to one room by `feedun tag --collector` leaves every other room's collector
(from feedun.toml) as it was; the call lists and scripts name the right person; nobody is 未指定."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from feedun.config import Settings
from feedun.decide.classify import classify
from feedun.intake.importer import import_file
from feedun.memory.profiles import TagRequest, tag_room
from feedun.outputs.calllist import write_call_lists
from feedun.store import Store
from helpers import write_xlsx


def test_one_rooms_collector_leaves_the_others_theirs(tmp_path: Path) -> None:
    s = Settings.model_validate({"collectors": {"阳光花园": "李管家", "翠湖苑": "赵管家"}})
    s.workspace = tmp_path
    store = Store.for_settings(s)
    path = write_xlsx(tmp_path / "l.xlsx", [["管理处", "房号", "业主", "联系电话", "所属期间", "欠费金额"],
                                            *[[e, f"1-1-10{i}", f"业主{i}", f"1381234567{i}", "2026-10", "300"]
                                              for e in ("阳光花园", "翠湖苑") for i in range(1, 4)]])
    import_file(path, s, store=store, as_of=date(2026, 11, 25))
    tag_room(store, s, TagRequest(room="1-1-101", estate="阳光花园", collector="王管家"))
    decided = classify(store, s, as_of=date(2026, 11, 27))
    collectors = {(d.estate, d.room): d.collector for d in decided.rows()}
    assert collectors == {("阳光花园", "1-1-101"): "王管家", ("阳光花园", "1-1-102"): "李管家",
                          ("阳光花园", "1-1-103"): "李管家", ("翠湖苑", "1-1-101"): "赵管家",
                          ("翠湖苑", "1-1-102"): "赵管家", ("翠湖苑", "1-1-103"): "赵管家"}
    json.loads(json.dumps(decided.to_dict()), parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
    lists = write_call_lists(store, s, decided, out_dir=tmp_path / "calls")
    assert sorted(c.collector for c in lists.lists) == ["李管家", "王管家", "赵管家"]  # no 未分配管家 list


def test_a_room_nobody_looks_after_is_called_by_the_role_not_by_a_label(tmp_path: Path) -> None:
    s = Settings(workspace=tmp_path)
    store = Store.for_settings(s)
    path = write_xlsx(tmp_path / "l.xlsx", [["管理处", "房号", "业主", "联系电话", "所属期间", "欠费金额"],
                                            ["阳光花园", "1-1-101", "张伟", "13812345671", "2026-11", "300"]])
    import_file(path, s, store=store, as_of=date(2026, 11, 25))
    decided = classify(store, s, as_of=date(2026, 11, 27))
    [book] = write_call_lists(store, s, decided, out_dir=tmp_path / "calls").lists
    from openpyxl import load_workbook

    cells = [str(c) for ws in load_workbook(book.path) for r in ws.iter_rows(values_only=True) for c in r if c]
    scripts = [c for c in cells if "我是" in c]
    assert scripts and all("未分配" not in c and "未指定" not in c for c in scripts)
    assert any("的管家" in c for c in scripts) and not any("0个月" in c for c in cells)
