"""A workbook read in the background (intake/ahead.py) gives exactly the frames the reader's own read gives, is used
instead of that read, and is never used when it may be wrong: another file, bytes changed since, a file the reader
parses itself, a package too large to read whole. A file it cannot read is reported by the reader, as before.

Workbooks: every real ERP export of the golden corpus (tests/intake/golden/erp, sources in each case's SOURCE.md,
including one Excel 97-2003 .xls) and the examples.
"""

from __future__ import annotations

import json
import threading
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import feedun.intake.ahead as ahead_module
import feedun.intake.read as read_module
from feedun.core.errors import InputFileError
from feedun.intake.ahead import ReadAhead, read_ahead
from feedun.intake.importer import file_sha256
from feedun.intake.read import open_sheets
from feedun.intake.sheet_chunks import CHUNK_BYTES, MIN_SHEET_BYTES
from helpers import GOOD_ROWS, HEADERS, db_url, write_xlsx

ROOT = Path(__file__).parents[2]
CORPUS = sorted([*ROOT.glob("tests/intake/golden/**/input.xls*"), *ROOT.glob("examples/*.xlsx")])
pure = pytest.mark.no_store  # reading only: run once, whatever the backend


@pytest.fixture
def no_reading_here(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The reader's own read, allowed only off the main thread (where ReadAhead reads): the sheets it was asked for
    on the main thread are listed, and the read itself goes on, so a test can tell "read ahead" from "read again"."""
    asked: list[str] = []
    own_read = read_module.load_batch

    def spy(reader, sheet):
        if threading.current_thread() is threading.main_thread():
            asked.append(sheet)
        return own_read(reader, sheet)

    monkeypatch.setattr(read_module, "load_batch", spy)
    return asked


def _frames(path: Path, ahead: ReadAhead | None = None) -> dict[str, pd.DataFrame]:
    return {sheet.name: sheet.frame() for sheet in open_sheets(path, ahead=ahead)}


@pure
def test_corpus_is_there() -> None:
    assert len(CORPUS) >= 15 and any(p.suffix == ".xls" for p in CORPUS)


@pure
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.parent.name if p.stem == "input" else p.stem)
def test_read_ahead_gives_the_readers_own_frames(path: Path, no_reading_here: list[str]) -> None:
    own = _frames(path)
    no_reading_here.clear()
    ahead = _frames(path, ReadAhead(path, MIN_SHEET_BYTES))
    assert no_reading_here == []  # every sheet came from the background read
    assert ahead.keys() == own.keys()
    for name, frame in own.items():
        pd.testing.assert_frame_equal(ahead[name], frame, obj=f"{path.name}/{name}")


def _two_sheets(path: Path, first_rows: list[list[object]], second_rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "汇总"
    for row in first_rows:
        wb.active.append(row)
    ledger = wb.create_sheet("欠费明细")
    for row in second_rows:
        ledger.append(row)
    wb.save(path)
    return path


@pure
def test_every_sheet_is_read_ahead_once_and_handed_over(tmp_path: Path, no_reading_here: list[str]) -> None:
    path = _two_sheets(tmp_path / "两页.xlsx", [["合计", "450"]], [HEADERS, *GOOD_ROWS])
    ahead = ReadAhead(path, MIN_SHEET_BYTES)
    frames = _frames(path, ahead)
    assert list(frames) == ["汇总", "欠费明细"] and no_reading_here == []
    assert frames["欠费明细"].iloc[1, 1] == "1-1-101"
    assert ahead.take(path, "欠费明细") is None  # handed over, not kept: a second reader of the file reads it itself
    assert _frames(path, ahead).keys() == frames.keys() and no_reading_here == ["汇总", "欠费明细"]


@pure
def test_a_discarded_read_stops_after_its_sheet_and_keeps_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = _two_sheets(tmp_path / "两页.xlsx", [["合计", "450"]], [HEADERS, *GOOD_ROWS])
    read: list[str] = []
    holder: list[ReadAhead] = []
    own = ahead_module.load_batch

    def discarded_meanwhile(reader, sheet):  # the import that wanted it ended while this sheet was being read
        read.append(sheet)
        batch = own(reader, sheet)
        holder[0].discard()
        return batch

    monkeypatch.setattr(ahead_module, "load_batch", discarded_meanwhile)
    started = threading.Event()
    monkeypatch.setattr(ahead_module, "_wanted", lambda p, m: started.wait() and p.read_bytes())
    holder.append(ReadAhead(path, MIN_SHEET_BYTES))
    started.set()
    holder[0].wait()
    assert read == ["汇总"] and holder[0]._batches == {}
    assert holder[0].take(path, "汇总") is None


def _opened(path: Path, tmp_path: Path, ahead: ReadAhead) -> pd.DataFrame:
    """The ledger sheet as `open_file` finds it (digest, store lookup, sheets), with this read ahead on offer."""
    from feedun.config import Settings
    from feedun.intake.importer import open_file
    from feedun.store import Store

    settings = Settings(workspace=tmp_path)
    opened = open_file(path, settings, store=Store.for_settings(settings, db_url(tmp_path)), ahead=ahead)
    return opened.found.sheet.frame()


def test_open_file_takes_the_read_ahead_of_the_bytes_it_hashed(tmp_path: Path, no_reading_here: list[str]) -> None:
    path = write_xlsx(tmp_path / "台账.xlsx", [HEADERS, *GOOD_ROWS])
    ahead = ReadAhead(path, MIN_SHEET_BYTES)
    assert ahead.same_bytes(file_sha256(path))
    assert len(_opened(path, tmp_path, ahead)) == 4 and no_reading_here == []


def test_a_file_changed_after_it_was_read_ahead_is_read_again(tmp_path: Path, no_reading_here: list[str]) -> None:
    """Re-exported after the background read, with the same size and time: the digest differs, so open_file reads
    the new bytes itself (the rows imported are always those of the bytes the import row names)."""
    import os

    path = write_xlsx(tmp_path / "台账.xlsx", [HEADERS, *GOOD_ROWS])
    ahead = ReadAhead(path, MIN_SHEET_BYTES)
    ahead.wait()
    before = path.stat()
    write_xlsx(path, [HEADERS, *GOOD_ROWS[:1]])
    changed = path.read_bytes()
    assert len(changed) < before.st_size
    path.write_bytes(changed + bytes(before.st_size - len(changed)))  # the old size: zip readers skip the tail
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert not ahead.same_bytes(file_sha256(path))
    assert len(_opened(path, tmp_path, ahead)) == 2 and no_reading_here == ["台账"]  # the new file's rows


@pure
def test_another_path_is_not_served(tmp_path: Path, no_reading_here: list[str]) -> None:
    one = write_xlsx(tmp_path / "一.xlsx", [HEADERS, *GOOD_ROWS])
    other = write_xlsx(tmp_path / "二.xlsx", [HEADERS, *GOOD_ROWS[:2]])
    ahead = ReadAhead(one, MIN_SHEET_BYTES)
    assert len(_frames(other, ahead)["台账"]) == 3 and no_reading_here == ["台账"]
    assert ahead.take(one, "台账") is not None


@pure
@pytest.mark.parametrize("name", ["台账.csv", "伪装.xls"])
def test_files_the_reader_parses_itself_are_not_read_ahead(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("管理处,房号,欠费金额\n阳光花园,1-1-101,300\n", encoding="gbk")
    else:  # a web system's "Excel": an HTML table saved as .xls
        path.write_text("<html><body><table><tr><td>管理处</td><td>房号</td></tr><tr><td>阳光花园</td><td>1-1-101</td></tr>"
                        "</table></body></html>",
                        encoding="utf-8")
    assert ahead_module._wanted(path, MIN_SHEET_BYTES) is None
    ahead = ReadAhead(path, MIN_SHEET_BYTES)
    assert ahead.take(path, "台账") is None and ahead._batches == {}
    assert not ahead.same_bytes(file_sha256(path))  # not read, so not these bytes (and no waiting for ever)
    assert open_sheets(path, ahead=ahead)[0].frame().shape[0] == 2


@pure
def test_a_package_above_the_limit_is_left_to_the_reader(tmp_path: Path, no_reading_here: list[str]) -> None:
    path = write_xlsx(tmp_path / "台账.xlsx", [HEADERS, *GOOD_ROWS])
    with zipfile.ZipFile(path) as package:
        expanded = sum(info.file_size for info in package.infolist())
    assert ahead_module._wanted(path, expanded + 1) is not None
    ahead = ReadAhead(path, max_bytes=expanded)  # the zip is smaller than the limit, the package is not
    ahead.wait()
    assert ahead._batches == {} and ahead.sha256 is None
    assert len(_frames(path, ahead)["台账"]) == 4 and no_reading_here == ["台账"]


@pure
def test_a_file_it_cannot_read_is_reported_by_the_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    escaped: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_value))
    path = write_xlsx(tmp_path / "台账.xlsx", [HEADERS, *GOOD_ROWS])
    data = bytearray(path.read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = b"\0" * 64  # a damaged sheet inside an intact zip directory
    path.write_bytes(bytes(data))
    ahead = ReadAhead(path, MIN_SHEET_BYTES)
    ahead.wait()
    assert escaped == [] and ahead._batches == {}
    with pytest.raises(InputFileError) as raised:
        _frames(path, ahead)
    assert raised.value.path == path


@pure
def test_a_calamine_panic_stays_in_the_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              no_reading_here: list[str]) -> None:
    """A Rust panic reaches Python as pyo3's PanicException, a BaseException: no thread traceback on the terminal;
    the reader proper reads the file itself."""
    class PanicException(BaseException):
        pass

    def panics(reader, sheet):
        raise PanicException("index out of bounds")

    escaped: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_value))
    monkeypatch.setattr(ahead_module, "load_batch", panics)
    path = write_xlsx(tmp_path / "台账.xlsx", [HEADERS, *GOOD_ROWS])
    ahead = ReadAhead(path, MIN_SHEET_BYTES)
    ahead.wait()
    assert escaped == []
    assert len(_frames(path, ahead)["台账"]) == 4 and no_reading_here == ["台账"]


@pure
def test_read_ahead_only_where_it_helps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_xlsx(tmp_path / "台账.xlsx", [HEADERS, *GOOD_ROWS])
    assert read_ahead(None, alone=True) is None
    monkeypatch.setattr(ahead_module, "_cores", lambda: 2)
    first, beside = read_ahead(path, alone=True), read_ahead(path, alone=False)
    first.wait()
    beside.wait()
    assert first.max_bytes == MIN_SHEET_BYTES  # a command's first file: anything read whole
    assert beside.max_bytes == CHUNK_BYTES  # beside another import: small files only
    monkeypatch.setattr(ahead_module, "_cores", lambda: 1)
    assert read_ahead(path, alone=True) is None  # one core: the read would only take turns with the rest


@pure
def test_cores_are_the_process_own_where_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ahead_module.os, "sched_getaffinity", lambda pid: {3}, raising=False)  # taskset -c 3
    monkeypatch.setattr(ahead_module.os, "cpu_count", lambda: 8)
    assert ahead_module._cores() == 1
    monkeypatch.delattr(ahead_module.os, "sched_getaffinity", raising=False)  # Windows, macOS
    assert ahead_module._cores() == 8


def test_feedun_import_reads_each_file_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             no_reading_here: list[str]) -> None:
    """`feedun import A B`: A is read while feedun loads, B while A is imported; both land as without it."""
    from feedun.cli.app import app

    monkeypatch.setattr(ahead_module, "_cores", lambda: 2)
    started: list[tuple[str, int]] = []
    real = ahead_module.ReadAhead

    def counted(path: Path, max_bytes: int) -> ReadAhead:
        started.append((Path(path).name, max_bytes))
        return real(path, max_bytes)

    monkeypatch.setattr(ahead_module, "ReadAhead", counted)
    first = write_xlsx(tmp_path / "一.xlsx", [HEADERS, *GOOD_ROWS])
    second = write_xlsx(tmp_path / "二.xlsx", [HEADERS, [*GOOD_ROWS[0][:5], "2026-11", "300", "0", "300"]])
    result = CliRunner().invoke(app, ["import", str(first), str(second), "--json", "--db", db_url(tmp_path)])
    assert result.exit_code == 0, result.output
    assert started == [("一.xlsx", MIN_SHEET_BYTES), ("二.xlsx", CHUNK_BYTES)] and no_reading_here == []
    imported = json.loads(result.stdout)
    assert [(r["file"], r["accepted"], r["duplicate"]) for r in imported] == [
        (str(first), 3, False), (str(second), 1, False)]


def test_feedun_import_does_not_read_ahead_a_file_imported_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 no_reading_here: list[str]) -> None:
    """`feedun import B A C` after A was imported: A is reported as imported before and never read (not even in
    the background, where nobody would take it); B and C are read ahead."""
    from feedun.cli.app import app

    monkeypatch.setattr(ahead_module, "_cores", lambda: 2)
    a = write_xlsx(tmp_path / "一.xlsx", [HEADERS, *GOOD_ROWS])
    b = write_xlsx(tmp_path / "二.xlsx", [HEADERS, [*GOOD_ROWS[0][:5], "2026-11", "300", "0", "300"]])
    c = write_xlsx(tmp_path / "三.xlsx", [HEADERS, [*GOOD_ROWS[1][:5], "2026-11", "280", "0", "280"]])
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(a), "--db", db_url(tmp_path)]).exit_code == 0
    started: list[str] = []
    real = ahead_module.ReadAhead

    def counted(path: Path, max_bytes: int) -> ReadAhead:
        started.append(Path(path).name)
        return real(path, max_bytes)

    monkeypatch.setattr(ahead_module, "ReadAhead", counted)
    no_reading_here.clear()
    result = runner.invoke(app, ["import", str(b), str(a), str(c), "--json", "--db", db_url(tmp_path)])
    assert result.exit_code == 0, result.output
    assert started == ["二.xlsx", "三.xlsx"] and no_reading_here == []
    assert [(r["file"], r["duplicate"]) for r in json.loads(result.stdout)] == [
        (str(b), False), (str(a), True), (str(c), False)]
