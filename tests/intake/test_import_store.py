"""Ledger import into a real SQLite store: counts, idempotence, atomicity, concurrency, snapshots."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.intake.importer import import_file
from feedun.memory.debtors import list_debtors
from feedun.store import Store
from helpers import db_url, execute, query

HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应缴日期", "应收金额(元)", "实收金额(元)", "欠费金额(元)"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write_ledger(path: Path, rows: list[list[object]], title: str | None = None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def line(estate: str, room: str, period: str, outstanding: float, due: str | None = None,
         owner: str = "张三") -> list[object]:
    return [estate, room, owner, "13812345678", "物业服务费", period, due, outstanding, 0, outstanding]



def db_rows(settings: Settings, sql: str) -> list[tuple]:
    return query(settings.workspace, sql)


def test_import_counts_and_stores_every_accepted_line(tmp_path: Path, settings: Settings, store: Store) -> None:
    path = write_ledger(tmp_path / "l.xlsx", [
        line("阳光花园", "1-1-101", "2026-10", 100.5),
        line("阳光花园", "1-1-101", "2026-11", 100.5),
        ["合计", None, None, None, None, None, None, 201, 0, 201],
        line("阳光花园", "1-1-102", "2026-13", 50),
    ], title="欠费明细 截止日期：2026年11月20日")
    result = import_file(path, settings, store=store)
    assert (result.rows_read, result.accepted, result.rejected, result.skipped) == (4, 2, 1, 1)
    assert result.as_of == "2026-11-20"
    assert not result.duplicate
    assert db_rows(settings, "select count(*), sum(outstanding) from ledger_lines") == [(2, 20100)]
    assert db_rows(settings, "select kind, rows_read, accepted, rejected, skipped, as_of from imports") == [
        ("ledger", 4, 2, 1, 1, "2026-11-20")]
    mapping = json.loads(db_rows(settings, "select column_mapping from imports")[0][0])
    assert mapping["room"] == "房号" and mapping["outstanding"] == "欠费金额(元)"
    assert Path(result.rejects_file).exists()


def test_same_file_twice_is_a_no_op(tmp_path: Path, settings: Settings, store: Store) -> None:
    path = write_ledger(tmp_path / "l.xlsx", [line("阳光花园", "1-1-101", "2026-11", 100)])
    first = import_file(path, settings, store=store)
    second = import_file(path, settings, store=store)
    assert second.duplicate and second.import_id == first.import_id
    assert second.rows_read == first.rows_read and second.accepted == first.accepted
    assert db_rows(settings, "select count(*) from imports") == [(1,)]
    assert db_rows(settings, "select count(*) from ledger_lines") == [(1,)]


def test_as_of_option_beats_title_date(tmp_path: Path, settings: Settings, store: Store) -> None:
    path = write_ledger(tmp_path / "l.xlsx", [line("阳光花园", "1-1-101", "2026-11", 100)],
                        title="截止日期：2026年11月20日")
    assert import_file(path, settings, store=store, as_of=date(2026, 12, 1)).as_of == "2026-12-01"


def test_failed_write_leaves_nothing_behind(tmp_path: Path, settings: Settings, store: Store) -> None:
    """A database failure half-way through the lines rolls back the whole import and its rejects file."""
    rows = [line("阳光花园", f"1-1-{100 + i}", "2026-11", 10) for i in range(30)]
    rows.append(line("阳光花园", "1-1-999", "2026-13", 10))  # one reject, so a rejects file is written
    path = write_ledger(tmp_path / "l.xlsx", rows)
    # a real failure inside the database, on the 20th line
    if settings.db_url().startswith("sqlite"):
        execute(tmp_path, "CREATE TRIGGER boom BEFORE INSERT ON ledger_lines WHEN NEW.source_row = 21 "
                          "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    else:
        execute(tmp_path, "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                          "IF NEW.source_row = 21 THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$")
        execute(tmp_path, "CREATE TRIGGER boom BEFORE INSERT ON ledger_lines FOR EACH ROW EXECUTE FUNCTION boom()")
    with pytest.raises(FeedunError, match=r"写入数据库失败.*disk full"):
        import_file(path, settings, store=store)
    assert db_rows(settings, "select count(*) from imports") == [(0,)]
    assert db_rows(settings, "select count(*) from ledger_lines") == [(0,)]
    assert db_rows(settings, "select count(*) from import_estates") == [(0,)]
    assert not list((tmp_path / "rejects").glob("*.xlsx"))


def test_two_processes_importing_the_same_file_store_it_once(tmp_path: Path) -> None:
    path = write_ledger(tmp_path / "l.xlsx", [line("阳光花园", f"1-1-{100 + i}", "2026-11", 10) for i in range(500)])
    feedun = Path(sys.executable).with_name("feedun")
    db = db_url(tmp_path)
    procs = [subprocess.Popen([str(feedun), "import", str(path), "--json", "--db", db], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    results = [json.loads(out) for out, _ in outputs]
    assert sorted(r["duplicate"] for r in results) == [False, True]
    assert {r["import_id"] for r in results} == {1}
    assert query(tmp_path, "select count(*) from ledger_lines") == [(500,)]


# ---- snapshots and debtors -------------------------------------------------------------------------


def test_newest_snapshot_per_estate_decides_who_owes(tmp_path: Path, settings: Settings, store: Store) -> None:
    october = write_ledger(tmp_path / "oct.xlsx", [
        line("阳光花园", "1-1-101", "2026-09", 100),
        line("阳光花园", "1-1-102", "2026-09", 200),
        line("翠湖苑", "2-1201", "2026-08", 300),
    ])
    november = write_ledger(tmp_path / "nov.xlsx", [  # 1-1-102 paid up: absent from the newer snapshot
        line("阳光花园", "1-1-101", "2026-09", 100),
        line("阳光花园", "1-1-101", "2026-10", 100),
    ])
    import_file(october, settings, store=store, as_of=date(2026, 10, 31))
    import_file(november, settings, store=store, as_of=date(2026, 11, 30))

    now = {(d.estate, d.room): d for d in list_debtors(store, settings, as_of=date(2026, 11, 30))}
    assert set(now) == {("阳光花园", "1-1-101"), ("翠湖苑", "2-1201")}  # 翠湖苑 keeps its only snapshot
    assert now[("阳光花园", "1-1-101")].outstanding == 20000
    assert now[("阳光花园", "1-1-101")].oldest_period == "2026-09"

    then = {(d.estate, d.room) for d in list_debtors(store, settings, as_of=date(2026, 11, 1))}
    assert then == {("阳光花园", "1-1-101"), ("阳光花园", "1-1-102"), ("翠湖苑", "2-1201")}
    assert list_debtors(store, settings, as_of=date(2026, 10, 1)) == []


@pytest.mark.parametrize("period,due,as_of,months", [
    ("2026-05", None, date(2026, 11, 14), 5),  # default due day 15
    ("2026-05", None, date(2026, 11, 15), 6),
    ("2026-05", "2026-05-31", date(2026, 11, 30), 6),  # the ledger's own due date wins
    ("2026-05", "2026-05-31", date(2026, 11, 29), 5),
    ("2026-01至2026-03", None, date(2026, 11, 30), 10),  # a range counts from its start month
    ("2026-11", None, date(2026, 11, 10), 0),  # not yet due
])
def test_months_overdue(tmp_path: Path, settings: Settings, store: Store, period: str, due: str | None, as_of: date,
                        months: int) -> None:
    path = write_ledger(tmp_path / "l.xlsx", [line("阳光花园", "1-1-101", period, 88.8, due=due)])
    import_file(path, settings, store=store, as_of=date(2026, 1, 1))
    [debtor] = list_debtors(store, settings, as_of=as_of)
    assert debtor.months_overdue == months
    unpaid = 3 if "至" in period else 1  # 欠费月数 counts each month of a range; 账龄 is the age
    assert debtor.to_dict() == {"estate": "阳光花园", "room": "1-1-101", "owner": "张三", "phones": ["13812345678"],
                                "outstanding": 88.8, "oldest_period": period[:7], "months_overdue": months,
                                "unpaid_months": unpaid}


def test_due_day_comes_from_config(tmp_path: Path) -> None:
    settings = Settings.model_validate({"import": {"due_day": 5}})
    settings.workspace = tmp_path
    path = write_ledger(tmp_path / "l.xlsx", [line("阳光花园", "1-1-101", "2026-05", 10)])
    store = Store.for_settings(settings)
    import_file(path, settings, store=store, as_of=date(2026, 1, 1))
    [debtor] = list_debtors(store, settings, as_of=date(2026, 11, 6))
    assert debtor.months_overdue == 6


def test_example_ledger_in_three_layouts_gives_the_same_debtors(tmp_path: Path) -> None:
    """examples/: the same company as long xlsx, GBK CSV and wide xlsx; each alone says the same."""
    results = []
    for name in ("ledger.xlsx", "ledger-gbk.csv", "ledger-wide.xlsx"):
        settings = Settings(workspace=tmp_path / name)
        settings.workspace.mkdir()
        store = Store.for_settings(settings)
        result = import_file(EXAMPLES / name, settings, store=store)
        assert result.accepted > 0 and result.as_of == "2026-11-25"
        debtors = list_debtors(store, settings, as_of=date(2026, 11, 25))
        results.append([(d.estate, d.room, d.outstanding, d.oldest_period, d.months_overdue) for d in debtors])
    assert len(results[0]) > 50
    assert results[0] == results[1] == results[2]
