"""The unattended run: idempotence, the lock, back-dating, failed files, stale ledgers, crash safety."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.run import RunLocked, run_cycle, run_lock
from feedun.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FEEDUN = Path(sys.executable).with_name("feedun")


@pytest.fixture
def ws(tmp_path: Path) -> Settings:
    settings = Settings(workspace=tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "ledger-2026-10.csv", inbox)
    shutil.copy(EXAMPLES / "profiles.xlsx", inbox)
    (inbox / "坏文件.xlsx").write_bytes(b"not a workbook at all")
    return settings


def test_a_run_imports_in_order_sets_failures_aside_and_publishes_one_batch(ws: Settings) -> None:
    summary = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
    assert [i["file"] for i in summary.imported] == ["ledger-2026-10.csv", "profiles.xlsx"]  # ledger first
    assert [f["file"] for f in summary.failed] == ["坏文件.xlsx"]
    failed = ws.workspace / "inbox" / "failed"
    assert (failed / "坏文件.xlsx").exists() and "不是有效的 Excel" in (failed / "坏文件.xlsx.原因.txt").read_text("utf-8")
    assert sorted(p.name for p in (ws.workspace / "inbox" / "archive" / "2026-10-27").iterdir()) == [
        "ledger-2026-10.csv", "profiles.xlsx"]
    out = ws.workspace / "outbox" / "2026-10-27"
    data = json.loads((out / "summary.json").read_text("utf-8"))
    assert data["tactics"]["reminder"] > 100 and data["outputs"]["call_lists"] == 1
    assert list((out / "催缴清单").glob("催缴清单-*.xlsx"))
    assert not [p for p in (ws.workspace / "outbox").iterdir() if p.name.startswith(".")]
    log = (ws.workspace / "feedun.log").read_text("utf-8")
    assert "imported ledger-2026-10.csv" in log
    import re

    assert not re.search(r"1[3-9]\d{9}", log)  # no phone numbers in the log


def test_second_run_same_day_changes_nothing_and_back_dating_is_refused(ws: Settings) -> None:
    run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
    out = ws.workspace / "outbox" / "2026-10-27"
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
    assert again.nothing_to_do
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before
    with pytest.raises(FeedunError, match="更早"):
        run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 20))
    assert run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 20), force=True).outbox.endswith("2026-10-20")


def test_dry_run_writes_nothing(ws: Settings) -> None:
    summary = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27), dry_run=True)
    assert summary.dry_run and [i["file"] for i in summary.imported] == ["ledger-2026-10.csv", "profiles.xlsx"]
    assert not (ws.workspace / "outbox").exists()
    assert sorted(p.name for p in (ws.workspace / "inbox").iterdir()) == ["ledger-2026-10.csv", "profiles.xlsx",
                                                                          "坏文件.xlsx"]


def test_a_crash_before_publishing_leaves_no_partial_batch(ws: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import feedun.run as pipeline

    def crash(temp: Path, target: Path) -> None:
        raise OSError("disk unplugged")

    monkeypatch.setattr(pipeline, "publish", crash)
    with pytest.raises(OSError):
        run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
    assert list((ws.workspace / "outbox").iterdir()) == []  # neither the day's folder nor a partial one


def test_two_runs_cannot_overlap(ws: Settings) -> None:
    with run_lock(ws):
        with pytest.raises(RunLocked):
            run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
        other = subprocess.run([str(FEEDUN), "run", "--as-of", "2026-10-27"], cwd=ws.workspace, capture_output=True,
                               text=True, timeout=120)
    assert other.returncode == 1 and "另一个 feedun run 正在运行" in other.stderr
    assert not (ws.workspace / "outbox").exists()


def test_stale_ledger_warning_on_a_node_day(ws: Settings) -> None:
    run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
    late = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 11, 16))  # the 15th is a Sunday: the node moves to Monday the 16th
    assert any("最新台账是 2026-10-25" in w for w in late.warnings)
    assert "最新台账" in (ws.workspace / "feedun.log").read_text("utf-8")


def test_one_run_evaluates_the_policy_once_and_every_output_uses_those_decisions(
        ws: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Call lists, SMS, both kinds of letters and the report all come from one classify (issue 13)."""
    from feedun.config import LawFirmSettings
    from feedun.decide import features
    from feedun.decide.policy import evaluate

    ws.law_firm = LawFirmSettings(name="示例律师事务所", address="示例路 1 号", lawyer="张明", phone="0571-88000000")
    calls = {"decide": 0, "build_features": 0}
    real_decide, real_features = evaluate.decide, features.build_features

    def counting_decide(*args, **kwargs):
        calls["decide"] += 1
        return real_decide(*args, **kwargs)

    def counting_features(*args, **kwargs):
        calls["build_features"] += 1
        return real_features(*args, **kwargs)

    monkeypatch.setattr(evaluate, "decide", counting_decide)
    monkeypatch.setattr(features, "build_features", counting_features)
    import feedun.decide.classify as classify_module

    monkeypatch.setattr(classify_module, "build_features", counting_features)
    summary = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
    assert summary.outputs["call_lists"] >= 1 and summary.outputs["report"]
    assert calls == {"decide": 1, "build_features": 1}


def test_a_broken_policy_stops_the_run_before_the_inbox_is_touched(ws: Settings) -> None:
    """Issue 15 item 10: the policy is validated first; the inbox stays as it was and nothing is imported."""
    from feedun.decide.policy.load import PolicyError
    from feedun.store.ledger import latest_snapshots

    (ws.workspace / "policy.toml").write_text('[[rule]]\ntactic = "reminder"\nwhen = ["months_overdue >>> 1"]\n',
                                              encoding="utf-8")
    inbox = ws.workspace / "inbox"
    before = sorted(p.name for p in inbox.iterdir())
    store = Store.for_settings(ws)
    with pytest.raises(PolicyError, match="规则文件"):
        run_cycle(store, ws, as_of=date(2026, 10, 27))
    assert sorted(p.name for p in inbox.iterdir()) == before  # no archive/, no failed/
    assert latest_snapshots(store.engine, None) == {}
    assert not (ws.workspace / "outbox").exists()


def test_a_broken_policy_or_config_exits_1_in_chinese_with_the_inbox_untouched(ws: Settings) -> None:
    inbox = ws.workspace / "inbox"
    before = sorted(p.name for p in inbox.iterdir())
    (ws.workspace / "policy.toml").write_text("[[rule]\n", encoding="utf-8")
    proc = subprocess.run([str(FEEDUN), "run", "--as-of", "2026-10-27"], cwd=ws.workspace, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "规则文件" in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(p.name for p in inbox.iterdir()) == before
    (ws.workspace / "policy.toml").unlink()
    (ws.workspace / "feedun.toml").write_text("[run\n", encoding="utf-8")
    proc = subprocess.run([str(FEEDUN), "run", "--as-of", "2026-10-27"], cwd=ws.workspace, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "配置文件" in proc.stderr
    assert sorted(p.name for p in inbox.iterdir()) == before


def test_the_stale_ledger_warning_judges_each_estate_by_its_own_newest_snapshot(ws: Settings) -> None:
    """Issue 15 item 10: a fresh ledger of one estate does not hide another estate's stale one."""
    run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 10, 27))
    lines = (EXAMPLES / "ledger-2026-10.csv").read_text("utf-8-sig").splitlines()
    fresh = [lines[0], "截止日期：2026年11月14日", lines[2], *[x for x in lines[3:] if x.startswith("翠湖苑")]]
    (ws.workspace / "inbox" / "翠湖苑-2026-11.csv").write_text("\n".join(fresh) + "\n", encoding="utf-8")
    late = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 11, 16))  # node day (the 15th is a Sunday)
    assert [i["file"] for i in late.imported] == ["翠湖苑-2026-11.csv"]
    stale = [w for w in late.warnings if "最新台账" in w]
    assert len(stale) == 1 and "阳光花园" in stale[0] and "2026-10-25" in stale[0] and "翠湖苑" not in stale[0]


def test_the_run_reports_the_month_of_the_newest_snapshot(ws: Settings) -> None:
    """Issue 15 item 8: early in November, with October's ledger the newest, the report is October's."""
    summary = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 11, 3))
    assert summary.outputs["report"] == "report-2026-10.xlsx"
    assert (ws.workspace / "outbox" / "2026-11-03" / "report-2026-10.xlsx").is_file()


@pytest.mark.parametrize(("clock", "said"), [((23, 10), "2026-11-17 08:00"), ((10, 0), None)])
def test_a_night_run_prepares_the_sms_file_for_the_morning(ws: Settings, monkeypatch: pytest.MonkeyPatch,
                                                           clock: tuple[int, int], said: str | None) -> None:
    """Issue 17: no SMS goes out between 21:00 and 08:00; a cron run at night still writes the file and says when
    it may be sent."""
    from datetime import datetime

    import feedun.core.calendar as calendar

    monkeypatch.setattr(calendar, "china_now", lambda: datetime(2026, 11, 16, *clock))
    summary = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 11, 16))  # the day-15 node, moved to Monday
    assert summary.outputs["sms"] > 0
    assert list((ws.workspace / "outbox" / "2026-11-16" / "短信").glob("短信-*.csv"))
    night = [w for w in summary.warnings if "之后再上传发送" in w]
    assert night == ([f"短信文件请在北京时间 {said} 之后再上传发送（21:00–次日 08:00 不发短信）。"] if said else [])


def test_a_visit_node_day_writes_visit_sheets_and_a_notice_day_the_notices(ws: Settings) -> None:
    """Issue 17: the run writes what the day's nodes call for (default table: visits on the 20th for rooms two
    months overdue, notices on the 25th)."""
    visit = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 11, 20))
    assert visit.nodes == ["每月 20 日 上门送账单（欠费 2 个月以上）"]
    sheets = list((ws.workspace / "outbox" / "2026-11-20" / "上门清单").glob("上门清单-*.xlsx"))
    assert visit.outputs["visit_sheets"] == len(sheets) >= 1 and visit.outputs["notices"] == 0
    notice = run_cycle(Store.for_settings(ws), ws, as_of=date(2026, 11, 25))
    assert notice.nodes == ["每月 25 日 书面缴费通知"] and notice.outputs["notices"] > 0
    assert list((ws.workspace / "outbox" / "2026-11-25" / "书面通知").glob("书面缴费通知单-*.docx"))


def test_each_inbox_file_is_read_once_in_import_order_and_the_stages_are_timed(tmp_path: Path,
                                                                              monkeypatch) -> None:
    """Issue 18: `feedun run` used to read every sheet twice (once to tell its kind, once to import it)."""
    import feedun.intake.importer as importer

    settings = Settings(workspace=tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "profiles.xlsx", inbox / "a-业主资料.xlsx")  # sorts first, imported after the ledger
    shutil.copy(EXAMPLES / "ledger-2026-10.csv", inbox / "z-台账.csv")
    reads: list[str] = []
    real = importer.find_sheet

    def counting(path, *args, **kwargs):
        reads.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(importer, "find_sheet", counting)
    summary = run_cycle(Store.for_settings(settings), settings, as_of=date(2026, 10, 27))
    assert sorted(reads) == ["a-业主资料.xlsx", "z-台账.csv"]  # each once
    assert [i["file"] for i in summary.imported] == ["z-台账.csv", "a-业主资料.xlsx"]  # the ledger first
    assert [i["kind"] for i in summary.imported] == ["ledger", "profiles"]
    assert [p["phase"] for p in summary.phases] == ["import", "classify", "call_lists", "visits", "sms", "letters",
                                                    "report"]
    assert all(p["seconds"] >= 0 and p["peak_mib"] > 0 for p in summary.phases)
    assert "seconds per stage import" in (tmp_path / "feedun.log").read_text("utf-8")


def test_the_run_reads_its_inbox_ahead_and_no_read_outlives_the_import(tmp_path: Path, monkeypatch) -> None:
    """Each workbook after the first is read in the background (intake/ahead.py) while the one before it is
    imported. The reader itself reads nothing then, a broken file is still set aside with its reason, and no
    background read is left running when the outputs begin (they fork a process)."""
    import threading
    import time

    import feedun.intake.ahead as ahead
    import feedun.intake.read as read
    from feedun.intake.sheet_chunks import CHUNK_BYTES
    monkeypatch.setattr(ahead, "_cores", lambda: 2)
    started: list[tuple[str, int]] = []
    real_ahead, real_read = ahead.ReadAhead, read.load_batch
    on_main_thread: list[str] = []

    def counted(path: Path, max_bytes: int):
        started.append((Path(path).name, max_bytes))
        return real_ahead(path, max_bytes)

    def own_read(reader, sheet):
        if threading.current_thread() is threading.main_thread():
            on_main_thread.append(sheet)
        return real_read(reader, sheet)

    def slow_to_give_up(path: Path, max_bytes: int) -> bytes | None:  # a read nobody takes, still going when
        if path.name.startswith("b-"):                               # the import stage would end without
            time.sleep(3)                                            # waiting for it
        return real_wanted(path, max_bytes)

    real_wanted = ahead._wanted
    monkeypatch.setattr(ahead, "ReadAhead", counted)
    monkeypatch.setattr(ahead, "_wanted", slow_to_give_up)
    monkeypatch.setattr(read, "load_batch", own_read)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "profiles.xlsx", inbox / "a-业主资料.xlsx")
    (inbox / "b-坏文件.xlsx").write_bytes(b"not a workbook at all")
    shutil.copy(EXAMPLES / "ledger.xlsx", inbox / "c-台账.xlsx")  # the profiles' rooms are this ledger's
    settings = Settings(workspace=tmp_path)
    outputs_began: list[list[str]] = []
    real_outputs = sys.modules["feedun.run"]._outputs

    def outputs(*args, **kwargs):
        outputs_began.append([t.name for t in threading.enumerate() if t.name == "feedun-read-ahead"])
        return real_outputs(*args, **kwargs)

    monkeypatch.setattr(sys.modules["feedun.run"], "_outputs", outputs)
    summary = run_cycle(Store.for_settings(settings), settings, as_of=date(2026, 10, 27))
    assert started == [("b-坏文件.xlsx", CHUNK_BYTES), ("c-台账.xlsx", CHUNK_BYTES)]
    assert on_main_thread == ["业主档案"]  # the first file's sheet; the ledger came from the background read
    assert [(i["file"], i["kind"]) for i in summary.imported] == [("c-台账.xlsx", "ledger"),
                                                                  ("a-业主资料.xlsx", "profiles")]
    assert all(i["accepted"] > 0 for i in summary.imported)
    assert [f["file"] for f in summary.failed] == ["b-坏文件.xlsx"]
    assert outputs_began == [[]]
