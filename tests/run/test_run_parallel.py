"""The daily run writes its call lists in a second process (core/background.py): the lists are the same as
when one process writes everything, and the run says where they were written."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from feedun.config import RunSettings, Settings
from feedun.core import background
from feedun.run import run_cycle
from feedun.store import Store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.sqlite_only


def _run(folder: Path, parallel: bool):
    settings = Settings(workspace=folder, run=RunSettings(parallel=parallel))
    (folder / "inbox").mkdir(parents=True)
    shutil.copy(EXAMPLES / "ledger-2026-10.csv", folder / "inbox")
    shutil.copy(EXAMPLES / "profiles.xlsx", folder / "inbox")
    return run_cycle(Store.for_settings(settings), settings, as_of=date(2026, 10, 27))


def _cells(folder: Path) -> dict[str, dict[str, list[tuple]]]:
    books = {}
    for path in sorted(folder.glob("*.xlsx")):
        workbook = load_workbook(path)
        books[path.name] = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    return books


def test_the_call_lists_are_the_same_from_one_process_or_two(tmp_path: Path) -> None:
    one, two = _run(tmp_path / "one", parallel=False), _run(tmp_path / "two", parallel=True)
    lists_one = _cells(tmp_path / "one" / "outbox" / "2026-10-27" / "催缴清单")
    lists_two = _cells(tmp_path / "two" / "outbox" / "2026-10-27" / "催缴清单")
    assert lists_one and lists_one == lists_two
    assert one.outputs == two.outputs and one.tactics == two.tactics
    order = ["import", "classify", "call_lists", "visits", "sms", "letters", "report"]
    assert [p["phase"] for p in one.phases] == [p["phase"] for p in two.phases] == order
    calls_one, calls_two = (next(p for p in s.phases if p["phase"] == "call_lists") for s in (one, two))
    assert calls_one["second_process"] is False
    assert calls_two["second_process"] is background.can_fork()
    assert calls_two["seconds"] > 0 and calls_two["peak_mib"] > 0
    if background.can_fork():  # the cron log says where the lists were written
        assert "call_lists" in (tmp_path / "two" / "feedun.log").read_text("utf-8").split("seconds per stage")[1]
        assert "(second process)" in (tmp_path / "two" / "feedun.log").read_text("utf-8")
        assert "(second process)" not in (tmp_path / "one" / "feedun.log").read_text("utf-8")


def test_a_run_that_fails_meanwhile_stops_the_second_process_and_leaves_no_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import feedun.run as pipeline

    stopped = []
    original = background.Pending.stop

    def stop(self) -> None:
        stopped.append(self.forked)
        original(self)

    def no_report(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(background.Pending, "stop", stop)
    monkeypatch.setattr(pipeline, "_write_report", no_report)
    with pytest.raises(OSError, match="磁盘已满"):
        _run(tmp_path / "ws", parallel=True)
    assert stopped == [background.can_fork()]
    assert not [p for p in (tmp_path / "ws" / "outbox").iterdir()]  # no batch, no hidden partial folder
