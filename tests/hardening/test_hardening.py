"""Hardening: hostile files, resource limits, killed processes, concurrent writers, owner-only files.

Seeded and bounded for CI; FEEDUN_LONG=1 runs the fuzzing and kill loops longer.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from feedun.config import Settings
from feedun.core.errors import FeedunError, InputFileError
from feedun.intake import read
from feedun.intake.headers import synonyms
from feedun.intake.importer import parse_ledger
from feedun.store import Store
from helpers import db_url, query, store_counts

FEEDUN = Path(sys.executable).with_name("feedun")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LONG = bool(os.environ.get("FEEDUN_LONG"))


# ---- resource limits ---------------------------------------------------------------------------------


def test_zip_bomb_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_UNZIPPED_BYTES", 8 << 20)
    bomb = tmp_path / "台账.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/worksheets/sheet1.xml", "w") as fh:
        for _ in range(16):
            fh.write(b"\0" * (1 << 20))
    assert bomb.stat().st_size < 100_000
    with pytest.raises(InputFileError, match="解压后"):
        parse_ledger(bomb, Settings(workspace=tmp_path))


def test_oversized_text_and_too_many_columns_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"列{i}" for i in range(2500)) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="超过上限 2000 列"):
        parse_ledger(wide, Settings(workspace=tmp_path))
    monkeypatch.setattr(read, "MAX_TEXT_BYTES", 1000)
    big = tmp_path / "big.csv"
    big.write_text("房号,欠费金额,所属期间\n" + "1-1-101,10,2026-10\n" * 200, encoding="utf-8")
    with pytest.raises(InputFileError, match="超过上限"):
        parse_ledger(big, Settings(workspace=tmp_path))


# ---- fuzzed ledgers ----------------------------------------------------------------------------------

NOISE = ["", "  ", "合计", "小计", "=1+1", "-", "\x07控制", "\u202e右到左", "x" * 3000, "1e308", "-99999999999999",
         "NaN", "2026-13", "0000-00", "99991231", "13800000000", "8栋2单元1201室", "¥1,234.50", "（元）", "None"]


@st.composite
def ledgers(draw: st.DrawFn) -> str:
    words = sorted(synonyms().fields)
    headers = draw(st.lists(st.one_of(st.sampled_from(words), st.sampled_from(NOISE)), min_size=1, max_size=14))
    cell = st.one_of(st.sampled_from(NOISE), st.integers(-10**15, 10**15).map(str),
                     st.floats(allow_nan=True, allow_infinity=True).map(repr), st.text(max_size=12))
    titles = draw(st.lists(st.lists(cell, max_size=3), max_size=3))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(headers) + 2), max_size=25))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([*titles, headers, *rows])
    return buffer.getvalue()


@hsettings(max_examples=400 if LONG else 60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                                   HealthCheck.function_scoped_fixture])
@pytest.mark.no_store
@given(text=ledgers(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
@example(text="应收未收,所属月份,资源名称\r\n1e+26\r\n", encoding="utf-8")  # found by the long run: Decimal overflow
@example(text="应收未收,所属月份,资源名称\r\n", encoding="utf-8")  # found by the long run: a header and no rows
def test_fuzzed_ledgers_never_crash_and_every_row_is_accounted_for(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        parsed = parse_ledger(path, Settings(workspace=tmp_path), estate="测试小区", as_of=date(2026, 11, 27))
    except FeedunError:
        return  # a clear refusal is a correct outcome
    r = parsed.result
    assert r.rows_read == r.accepted + r.rejected + r.skipped_total
    assert (r.lines["outstanding"].abs() < 10**13).all()


# ---- killed processes ----------------------------------------------------------------------------------


def _counts(folder: Path) -> tuple[int, int]:
    return store_counts(folder)


def test_sigkill_during_import_leaves_it_fully_there_or_fully_absent(tmp_path: Path) -> None:
    rng = random.Random(20261127)
    db = db_url(tmp_path)
    attempts = 12 if LONG else 4
    outcomes = set()
    for _ in range(attempts):
        proc = subprocess.Popen([str(FEEDUN), "import", str(EXAMPLES / "ledger.xlsx"), "--db", db],
                                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        imports, lines = _counts(tmp_path)
        assert (imports, lines) in {(0, 0), (1, 18564)}
        outcomes.add(imports)
        if imports:
            break
    done = subprocess.run([str(FEEDUN), "import", str(EXAMPLES / "ledger.xlsx"), "--db", db],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert _counts(tmp_path) == (1, 18564)


def test_a_killed_run_leaves_no_visible_batch_and_the_next_run_recovers(tmp_path: Path) -> None:
    (tmp_path / "inbox").mkdir()
    shutil.copy(EXAMPLES / "ledger-2026-10.csv", tmp_path / "inbox")
    stale = tmp_path / "outbox" / ".2026-10-27.partial-999999"
    stale.mkdir(parents=True)
    (stale / "half.xlsx").write_bytes(b"half")
    proc = subprocess.Popen([str(FEEDUN), "run", "--as-of", "2026-10-27"], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (tmp_path / "outbox" / "2026-10-27").exists() or (tmp_path / "outbox" / "2026-10-27" / "summary.json").exists()
    done = subprocess.run([str(FEEDUN), "run", "--as-of", "2026-10-27"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr  # the kernel released the lock with the killed process
    assert (tmp_path / "outbox" / "2026-10-27" / "summary.json").exists()
    assert not list((tmp_path / "outbox").glob(".*.partial-*"))


# ---- concurrent writers ---------------------------------------------------------------------------------


def test_collectors_log_while_a_run_imports_a_ledger(tmp_path: Path) -> None:
    from feedun.intake.importer import import_file

    import_file(EXAMPLES / "ledger-2026-10.csv", Settings(workspace=tmp_path))
    (tmp_path / "inbox").mkdir()
    shutil.copy(EXAMPLES / "ledger.xlsx", tmp_path / "inbox")
    runner = subprocess.Popen([str(FEEDUN), "run", "--as-of", "2026-11-27"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rooms = ["1-1-1001", "1-1-1201", "1-1-1204", "1-1-1402"]
    loggers = [subprocess.Popen([str(FEEDUN), "log", room, "--estate", "翠湖苑", "--outcome", "no_answer",
                                 "--at", f"2026-11-20 {9 + i}:{j:02d}"], cwd=tmp_path, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
               for i, room in enumerate(rooms) for j in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in loggers]
    assert runner.wait(timeout=300) == 0, runner.stderr.read()
    assert all(code == 0 for code, _ in results), results
    assert not any("locked" in err for _, err in results)
    assert query(tmp_path, "select count(*) from contacts") == [(len(loggers),)]
    assert query(tmp_path, "select count(*) from imports where kind = 'ledger'") == [(2,)]


# ---- personal data ----------------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # the SQLite file's own mode bits
def test_files_holding_personal_data_are_owner_only(tmp_path: Path) -> None:
    bad = tmp_path / "l.csv"
    bad.write_text("房号,业主,欠费金额,所属期间\n1-1-101,王芳,100,2026-10\n1-1-102,李雷,待核,2026-10\n", encoding="utf-8")
    proc = subprocess.run([str(FEEDUN), "import", str(bad), "--estate", "阳光花园"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE((tmp_path / "feedun.db").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "rejects").stat().st_mode) == 0o700
    [rejects] = (tmp_path / "rejects").iterdir()
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600


def test_purge_removes_personal_data_of_settled_owners_and_keeps_amounts(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    from feedun.admin.purge import ERASED, purge
    from feedun.intake.importer import import_file
    from feedun.memory.contacts import ContactRequest, log_contact

    settings = Settings(workspace=tmp_path)

    def snapshot(name: str, rows: list[list[object]], day: date) -> None:
        wb = Workbook()
        ws = wb.active
        ws.append(["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"])
        for row in rows:
            ws.append(row)
        wb.save(tmp_path / name)
        import_file(tmp_path / name, settings, as_of=day)

    snapshot("a.xlsx", [["阳光花园", "1-1-101", "王芳", "13812345678", "物业服务费", "2024-01", 300],
                        ["阳光花园", "1-1-102", "李雷", "13912345678", "物业服务费", "2024-01", 200]], date(2024, 2, 1))
    log_contact(Store.for_settings(settings), settings, ContactRequest(room="1-1-101", outcome="vague", at=datetime(2024, 2, 2, 10),
                                         note="说过两天交"), now=datetime(2024, 2, 3))
    snapshot("b.xlsx", [["阳光花园", "1-1-102", "李雷", "13912345678", "物业服务费", "2024-01", 200]], date(2024, 3, 1))
    dry = purge(Store.for_settings(settings), settings, before=date(2025, 1, 1))
    assert (dry.rooms, dry.applied) == (1, False)
    done = purge(Store.for_settings(settings), settings, before=date(2025, 1, 1), apply=True)
    assert (done.rooms, done.lines, done.contacts) == (1, 1, 1)
    assert query(tmp_path, "select owner, phones, outstanding from ledger_lines where room='1-1-101'") == [
        (ERASED, "", 30000)]
    assert query(tmp_path, "select owner, note, outcome from contacts") == [(ERASED, "", "vague")]
    assert query(tmp_path, "select owner from rooms where room='1-1-102'") == [("李雷",)]  # still owes
    assert purge(Store.for_settings(settings), settings, before=date(2025, 1, 1), apply=True).rooms == 0  # idempotent
