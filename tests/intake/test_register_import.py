"""Importers behind one protocol: which importer claims a file, and the letter register imported in one transaction.

The register import is killed half way (SIGKILL after some letters were updated, inside the transaction) by the
fault mechanism of tests/hardening/test_hardening_faults.py (FAULT_SQL / FAULT_NTH); afterwards nothing of it is
in the store, and a plain re-run applies it whole.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from feedun.config import Settings
from feedun.core.errors import InputFileError
from feedun.core.vocab import ImportKind
from feedun.intake.importer import identify, import_file
from feedun.outputs.letters.register import change_state, list_letters, write_register
from feedun.store import Store
from helpers import db_url, execute, feedun_env, query, write_xlsx

LEDGER = [["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"]] + [
    ["阳光花园", f"1-1-{100 + i}", f"业主{i}", "", "物业服务费", "2026-10", "300"] for i in range(1, 7)]

# SIGKILL right after the NTH statement starting with FAULT_SQL has executed (inside its transaction, before the
# commit): the same mechanism as tests/hardening/test_hardening_faults.py's INJECT, reduced to that one fault.
INJECT = r'''
import os
import signal
import sys

from sqlalchemy import event
from sqlalchemy.engine import Engine

sql, nth, seen = os.environ["FAULT_SQL"].upper(), int(os.environ.get("FAULT_NTH", "1")), [0]


@event.listens_for(Engine, "after_cursor_execute")
def _after(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith(sql):
        seen[0] += 1
        if seen[0] == nth:
            os.kill(os.getpid(), signal.SIGKILL)


from feedun.cli.app import main

sys.argv = ["feedun", *sys.argv[1:]]
main()
'''


def _drafts(tmp_path: Path, settings: Settings) -> Store:
    """A store with six rooms and a draft demand letter for each (as `feedun letters` leaves them)."""
    store = Store.for_settings(settings)
    import_file(write_xlsx(tmp_path / "台账.xlsx", LEDGER), settings, store=store, as_of=date(2026, 11, 25))
    for room_id, owner in query(tmp_path, "SELECT id, owner FROM rooms ORDER BY room"):
        execute(tmp_path, "INSERT INTO letters (number, kind, room_id, owner, amount, late_fee, issued_on, state) "
                          "VALUES (:n, 'dunning', :r, :o, 30000, 0, :d, 'draft')",
                n=f"催字〔2026〕第{room_id:04d}号", r=room_id, o=owner, d=date(2026, 11, 27))
    return store


def _filled_register(path: Path, store: Store) -> Path:
    """The register with every draft marked 已发出 by EMS, as a clerk fills it after posting the letters."""
    from openpyxl import load_workbook

    write_register(path, list_letters(store))
    wb = load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    for row in range(2, ws.max_row + 1):
        ws.cell(row, col["状态"], "已发出")
        ws.cell(row, col["寄送方式"], "EMS")
        ws.cell(row, col["单号/凭证"], f"EA{row:03d}CN")
        ws.cell(row, col["发出日期"], "2026-11-28")
    wb.save(path)
    return path


def _states(tmp_path: Path) -> dict[str, tuple[str, str | None]]:
    return {n: (s, e) for n, s, e in query(tmp_path, "SELECT number, state, evidence FROM letters")}


def test_a_register_import_killed_half_way_applies_nothing(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path)
    store = _drafts(tmp_path, settings)
    register = _filled_register(tmp_path / "函件登记表.xlsx", store)
    before = _states(tmp_path)
    assert len(before) == 6 and {s for s, _ in before.values()} == {"draft"}
    imports_before = query(tmp_path, "SELECT COUNT(*) FROM imports")

    script = tmp_path / "inject.py"
    script.write_text(INJECT, encoding="utf-8")
    env = {**feedun_env(), "FAULT_SQL": "UPDATE LETTERS", "FAULT_NTH": "3"}  # three letters updated, three to go
    killed = subprocess.run([sys.executable, str(script), "import", str(register), "--db", db_url(tmp_path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
                            check=False)
    assert killed.returncode == -signal.SIGKILL, killed.stderr  # the fault point was reached
    assert _states(tmp_path) == before  # every letter still a draft
    assert query(tmp_path, "SELECT COUNT(*) FROM imports") == imports_before  # and no import row

    done = import_file(register, settings, store=store)
    assert (done.kind, done.accepted, done.rejected, done.skipped) == (ImportKind.REGISTER, 6, 0, 0)
    after = _states(tmp_path)
    assert {s for s, _ in after.values()} == {"sent"} and after["催字〔2026〕第0001号"][1] == "EA002CN"
    assert query(tmp_path, "SELECT sent_on, delivery FROM letters WHERE number = '催字〔2026〕第0001号'") == [
        ("2026-11-28", "ems")]


def test_register_rows_refused_by_the_state_machine_are_rejected_the_rest_applied(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path)
    store = _drafts(tmp_path, settings)
    change_state(store, ["催字〔2026〕第0002号"], "sent", method="hand", on=date(2026, 11, 27))
    change_state(store, ["催字〔2026〕第0002号"], "signed", on=date(2026, 11, 28))  # signed cannot be sent again
    register = _filled_register(tmp_path / "函件登记表.xlsx", store)
    result = import_file(register, settings, store=store)
    assert (result.accepted, result.rejected) == (5, 1)
    assert Path(result.rejects_file).exists()
    from openpyxl import load_workbook

    [reject] = list(load_workbook(result.rejects_file)["拒收行"].iter_rows(min_row=2, values_only=True))
    assert "不能改为“已发出”" in reject[1]
    assert _states(tmp_path)["催字〔2026〕第0002号"][0] == "signed"
    assert query(tmp_path, "SELECT kind, accepted, rejected, skipped FROM imports WHERE kind = 'register'") == [
        ("register", 5, 1, 0)]
    again = import_file(register, settings, store=store)
    assert again.duplicate and again.import_id == result.import_id


@pytest.mark.parametrize("headers,kind", [
    (["管理处", "房号", "业主姓名", "收费项目", "所属期间", "欠费金额(元)"], ImportKind.LEDGER),
    (["管理处", "房号", "业主姓名", "标签", "车牌号"], ImportKind.PROFILES),
    (["编号", "类型", "管理处", "房号", "业主", "状态", "本金(元)"], ImportKind.REGISTER),
])
def test_each_file_is_claimed_by_exactly_one_importer(tmp_path: Path, headers: list[str], kind: ImportKind) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", [headers, ["阳光花园"] * len(headers)])
    assert identify(path, Settings(workspace=tmp_path)) == kind


def test_a_file_two_importers_claim_is_refused_naming_both(tmp_path: Path) -> None:
    from feedun.outputs.calllist import KEY_HEADER

    headers = ["编号", "类型", "状态", "管理处", "房号", KEY_HEADER]  # a register row with a call list's key column
    path = write_xlsx(tmp_path / "两用.xlsx", [headers, ["x", "催费函", "草稿", "阳光花园", "1-1-101", "阳光花园|1-1-101"]])
    with pytest.raises(InputFileError, match=r"填好的催缴清单.*函件登记表"):
        identify(path, Settings(workspace=tmp_path))
    with pytest.raises(InputFileError, match="同时符合"):
        import_file(path, Settings(workspace=tmp_path), db_url=db_url(tmp_path))
    assert query(tmp_path, "SELECT COUNT(*) FROM imports") == [(0,)]


def test_a_sheet_nobody_claims_keeps_the_no_header_message(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "随便.xlsx", [["甲", "乙", "丙"], ["1", "2", "3"]])
    with pytest.raises(InputFileError, match="没有找到可识别的表头"):
        identify(path, Settings(workspace=tmp_path))
