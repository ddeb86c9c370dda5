"""`feedun run`: the unattended job for cron. Inbox → imports → classify → outbox/YYYY-MM-DD, safely and repeatably.

- one run at a time (a lock file; the second exits 1), never back-dated without --force;
- the same day twice with nothing new changes nothing;
- outputs are built in a hidden temporary folder and renamed into place only when complete;
- the log (feedun.log, rotated) holds counts and file names, never owners or phone numbers.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import shutil
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.core.money import mask_phones_in
from feedun.decide.decisions import Decisions
from feedun.store import Store

SPREADSHEETS = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv"}


@dataclass
class RunSummary:
    as_of: str
    dry_run: bool = False
    nothing_to_do: bool = False
    imported: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    tactics: dict[str, int] = field(default_factory=dict)
    held: int = 0
    outputs: dict[str, Any] = field(default_factory=dict)
    nodes: list[str] = field(default_factory=list)  # today's reminder nodes (tactic 1's calendar), as labels
    warnings: list[str] = field(default_factory=list)
    outbox: str | None = None
    # seconds and the process's peak memory after each stage, for the IT person and benchmarks/bench_run.py
    phases: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RunLocked(FeedunError):
    pass


def _logger(settings: Settings) -> logging.Logger:
    """Log to feedun.log beside this workspace's config (one file handler, switched when the workspace changes)."""
    log = logging.getLogger("feedun.run")
    target = str((settings.workspace / "feedun.log").resolve())
    for handler in list(log.handlers):
        if isinstance(handler, logging.handlers.RotatingFileHandler) and handler.baseFilename != target:
            log.removeHandler(handler)
            handler.close()
    if not any(isinstance(h, logging.handlers.RotatingFileHandler) for h in log.handlers):
        handler = logging.handlers.RotatingFileHandler(target, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return log


@contextmanager
def _phase(summary: RunSummary, name: str):
    """Time one stage of the run; the peak is the whole process's so far (ru_maxrss never goes down)."""
    import resource
    import time

    start = time.perf_counter()
    try:
        yield
    finally:
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        summary.phases.append({"phase": name, "seconds": round(time.perf_counter() - start, 3),
                               "peak_mib": round(peak_kib / 1024)})


@contextmanager
def run_lock(settings: Settings):
    """An exclusive, non-blocking lock on feedun.lock beside the config: two runs never overlap."""
    import fcntl

    path = settings.workspace / "feedun.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise RunLocked("另一个 feedun run 正在运行，本次没有做任何事。", path=path,
                        hint="等它结束后再运行；如果确定没有在运行，检查是否有卡住的 feedun 进程。") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {datetime.now().isoformat(timespec='seconds')}\n")
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


@contextmanager
def store_run_lock(store: Store):
    """On a shared PostgreSQL store, one `feedun run` per company database, whichever machine starts it."""
    from feedun.store.meta import database_run_lock

    with database_run_lock(store.engine) as got:
        if not got:
            raise RunLocked("另一台电脑上的 feedun run 正在使用同一个数据库，本次没有做任何事。",
                            hint="同一个数据库同一时间只运行一个 feedun run；等它结束后再运行，或只在一台服务器上设定时任务。")
        yield


def _last_run(store: Store) -> str | None:
    from feedun.store.meta import get_value

    with store.connect() as conn:
        return get_value(conn, "last_run_as_of")


def _remember_run(store: Store, as_of: date) -> None:
    from feedun.store.meta import set_value

    with store.write() as tx:
        set_value(tx, "last_run_as_of", as_of.isoformat())


def _inbox_files(inbox: Path) -> list[Path]:
    if not inbox.is_dir():
        return []
    return sorted(p for p in inbox.iterdir() if p.is_file() and p.suffix.lower() in SPREADSHEETS
                  and not p.name.startswith(("~$", ".")))


def _holiday_data_warning(summary: RunSummary) -> None:
    """Once per run, in the summary and the log: a year the holiday calendar does not know (core/calendar.py)."""
    from feedun.core.calendar import missing_years_warning

    warning = missing_years_warning()
    if warning:
        summary.warnings.append(warning)


def run_cycle(store: Store, settings: Settings, *, as_of: date | None = None, inbox: Path | None = None,
              outbox: Path | None = None, dry_run: bool = False, force: bool = False) -> RunSummary:
    """Import the inbox, decide once, write every output of the day from those decisions, publish atomically."""
    as_of = as_of or date.today()
    inbox = inbox or settings.workspace / settings.run.inbox
    outbox = outbox or settings.workspace / settings.run.outbox
    summary = RunSummary(as_of=as_of.isoformat(), dry_run=dry_run)
    log = _logger(settings)
    with run_lock(settings), store_run_lock(store):
        last = _last_run(store)
        if last and as_of.isoformat() < last and not force:
            raise FeedunError(f"上次运行的日期是 {last}，本次日期 {as_of} 更早，已拒绝。",
                              hint="补跑历史日期请加 --force（会按该日期重新分类）。")
        _preflight(settings)
        files = _inbox_files(inbox)
        target = outbox / as_of.isoformat()
        if last == as_of.isoformat() and not files and target.exists() and not force:
            summary.nothing_to_do = True
            summary.outbox = str(target)
            log.info("run %s: already done today, no new files; nothing changed", as_of)
            return summary
        with _phase(summary, "import"):
            _import_inbox(store, settings, files, inbox, as_of, summary, dry_run, log)
        _stale_ledger_warning(store, settings, as_of, summary)
        if dry_run:
            from feedun.decide.classify import decide_rooms

            decided = decide_rooms(store, settings, as_of)
            summary.tactics, summary.held = decided.tactic_counts(), decided.held
            _holiday_data_warning(summary)
            return summary
        _outputs(store, settings, as_of, outbox, target, summary)
        _remember_run(store, as_of)
        log.info("run %s: imported %d, failed %d, decided %s, held %d, outbox %s", as_of, len(summary.imported),
                 len(summary.failed), summary.tactics, summary.held, target)
        log.info("run %s: seconds per stage %s", as_of,
                 ", ".join(f"{p['phase']} {p['seconds']:.1f}" + (" (second process)" if p.get("second_process") else "")
                           for p in summary.phases))
        for warning in summary.warnings:
            log.warning("run %s: %s", as_of, warning)
    return summary


def _preflight(settings: Settings) -> None:
    """Everything the run will need that a person may have got wrong, checked before the inbox is touched.

    The config was validated when it was loaded (config.load_settings); the policy file is read only when the
    run classifies, after the inbox was imported and archived, so a broken one is found here instead and the run
    stops with its Chinese error (PolicyError, exit 1), every file still in the inbox and nothing imported."""
    from feedun.decide.policy.load import load_policy

    load_policy(settings.policy_path)


def _import_inbox(store: Store, settings: Settings, files: list[Path], inbox: Path, as_of: date,
                  summary: RunSummary, dry_run: bool, log: logging.Logger) -> None:
    """Ledgers first, then profile sheets, filled call lists and registers; failures go to inbox/failed.

    Each file is read once (`open_file`). Ledgers, which come first anyway, are imported as soon as they are read
    (in name order), so at most one large sheet is in memory; the other kinds, small, wait for their turn. As in
    `feedun import`, each next file, if small, is read in the background while the one before it is read and
    imported (intake/ahead.py). The first is not: by now the run has loaded what an import needs, so nothing would run
    beside its read (10k rooms: the import stage took 0.1-0.2 s longer with it)."""
    from feedun.core.vocab import ImportKind, import_order
    from feedun.intake.importer import open_file, read_next

    ahead = None
    started = []
    first = import_order(ImportKind.LEDGER)
    waiting = []
    try:
        for index, path in enumerate(files):
            following = read_next(files[index + 1], store) if index + 1 < len(files) else None
            started.append(following)
            try:
                opened = open_file(path, settings, store=store, ahead=ahead)
            except FeedunError as exc:
                _failed(path, exc, inbox, as_of, summary, dry_run, log)
                continue
            finally:
                if ahead is not None:
                    ahead.discard()  # what this file's opening did not take
                ahead = following
            if dry_run:
                summary.imported.append({"file": path.name, "kind": "planned"})
            elif import_order(opened.kind) == first:
                _import_one(store, settings, opened, inbox, as_of, summary, log)
            else:
                waiting.append(opened)
    finally:  # no read outlives this stage: the outputs fork a process
        for each in started:
            if each is not None:
                each.wait()
    for opened in sorted(waiting, key=lambda o: (import_order(o.kind), o.path.name)):
        _import_one(store, settings, opened, inbox, as_of, summary, log)


def _failed(path: Path, exc: FeedunError, inbox: Path, as_of: date, summary: RunSummary, dry_run: bool,
            log: logging.Logger) -> None:
    summary.failed.append({"file": path.name, "reason": mask_phones_in(exc.message)})
    if dry_run:
        return
    failed = inbox / "failed"
    failed.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), failed / path.name)
    (failed / f"{path.name}.原因.txt").write_text(mask_phones_in(exc.render()) + "\n", encoding="utf-8")
    # the reason may quote the file's cells (owners' names): the log says only where to read it
    log.warning("run %s: %s failed (%s); reason in inbox/failed/%s.原因.txt", as_of, path.name,
                type(exc).__name__, path.name)


def _import_one(store: Store, settings: Settings, opened, inbox: Path, as_of: date, summary: RunSummary,
                log: logging.Logger) -> None:
    from feedun.intake.importer import import_file

    path = opened.path
    try:
        result = import_file(path, settings, store=store, command="run", opened=opened)
    except FeedunError as exc:
        _failed(path, exc, inbox, as_of, summary, False, log)
        return
    finally:
        opened.found = None  # the sheet is not needed any more: let it go before the next file is read
    archive = inbox / "archive" / as_of.isoformat()
    archive.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), archive / path.name)
    summary.imported.append({"file": path.name, "kind": result.kind, "rows_read": result.rows_read,
                             "accepted": result.accepted, "rejected": result.rejected,
                             "duplicate": result.duplicate, "changes": result.changes})
    log.info("run %s: imported %s (%s): %d accepted, %d rejected%s", as_of, path.name, result.kind,
             result.accepted, result.rejected, " (already imported)" if result.duplicate else "")


def _stale_ledger_warning(store: Store, settings: Settings, as_of: date, summary: RunSummary) -> None:
    """On a reminder node day, one warning per estate whose own newest snapshot is too old: a fresh ledger of one
    estate says nothing about another's payments."""
    from feedun.decide.nodes import nodes_on
    from feedun.store.meta import newest_ledger_dates

    if not nodes_on(settings, as_of):  # any node: SMS, calls, visits and notices all state today's arrears
        return
    with store.read() as conn:
        newest = newest_ledger_dates(conn, as_of)
    if not newest:
        summary.warnings.append("还没有导入任何台账")
        return
    for estate, day in sorted(newest.items()):
        age = (as_of - day).days
        if age > settings.run.max_ledger_age_days:
            summary.warnings.append(f"今天是提醒节点日，但{estate}的最新台账是 {day}（{age} 天前），之后的缴费还不知道；"
                                    f"请财务导出{estate}的最新台账放入收件文件夹")


def _outputs(store: Store, settings: Settings, as_of: date, outbox: Path, target: Path, summary: RunSummary) -> None:
    """Everything for the day in a hidden temporary folder, then one rename: never half a batch.

    The policy is evaluated once (classify); every output takes that `Decisions` value."""
    from feedun.core import background
    from feedun.core.calendar import china_now
    from feedun.decide.classify import classify
    from feedun.decide.nodes import nodes_on
    from feedun.outputs.calllist import read_list_memory, write_lists
    from feedun.outputs.letters.generate import generate_letters
    from feedun.outputs.sms import build_sms, sending_time, write_sms
    from feedun.outputs.visits import write_node_outputs
    from feedun.store.meta import newest_ledger_dates

    outbox.mkdir(parents=True, exist_ok=True)
    for stale in outbox.glob(".*.partial-*"):  # left by a run that was killed; we hold the lock, so none is live
        shutil.rmtree(stale, ignore_errors=True)
    temp = outbox / f".{as_of.isoformat()}.partial-{os.getpid()}"
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir()
    calls_pending = None
    try:
        with _phase(summary, "classify"):
            decided = classify(store, settings, as_of=as_of)
        summary.tactics, summary.held = decided.tactic_counts(), decided.held
        # The call lists need nothing the other outputs write: on Linux a second process writes them meanwhile
        # (core/background.py). Their phase time is their own, as if they had run first.
        calls_pending = background.start(write_lists, read_list_memory(store), settings, decided,
                                         out_dir=temp / "催缴清单", parallel=settings.run.parallel)
        nodes = nodes_on(settings, as_of)
        summary.nodes = [n.label for n in nodes]
        with _phase(summary, "visits"):
            with store.read() as conn:
                ledger_dates = newest_ledger_dates(conn, as_of)
            visited = write_node_outputs(settings, decided, nodes, temp, ledger_dates)
        summary.outputs["visit_sheets"] = len(visited.visit_sheets)
        summary.outputs["notices"] = visited.notice_rooms
        now = china_now()
        send_from = sending_time(settings, now)  # a night run prepares the file for the morning (quiet hours)
        with _phase(summary, "sms"):
            batch = build_sms(settings, decided, send_from=send_from)
            if batch.messages:
                write_sms(batch, "csv", temp / "短信", settings)
        summary.outputs["sms"] = len(batch.messages)
        if batch.messages and send_from != now:
            summary.warnings.append(f"短信文件请在北京时间 {send_from:%Y-%m-%d %H:%M} 之后再上传发送"
                                    f"（{settings.sms.quiet_hours[0]}–次日 {settings.sms.quiet_hours[1]} 不发短信）。")
        summary.warnings.extend(w for w in batch.warnings if "不是短信节点日" not in w)
        with _phase(summary, "letters"):
            dunning = generate_letters(store, settings, decided, "dunning", out_dir=temp / "催费函")
            summary.outputs["demand_letters"] = len(dunning.letters)
            letter_warnings = list(dunning.warnings)
            if settings.law_firm is not None:
                lawyer = generate_letters(store, settings, decided, "lawyer", out_dir=temp / "律师函")
                summary.outputs["lawyer_letters"] = len(lawyer.letters)
                letter_warnings += lawyer.warnings
            else:
                summary.outputs["lawyer_letters"] = 0
        summary.warnings.extend(dict.fromkeys(letter_warnings))  # a missing company detail is said once, not per kind
        with _phase(summary, "report"):
            summary.outputs["report"] = _write_report(store, settings, decided, temp)
        calls = calls_pending.result()
        after_classify = next(i for i, p in enumerate(summary.phases) if p["phase"] == "classify") + 1
        summary.phases.insert(after_classify, {"phase": "call_lists", "seconds": round(calls_pending.seconds, 3),
                                               "peak_mib": calls_pending.peak_mib,
                                               "second_process": calls_pending.forked})
        summary.outputs["call_lists"] = len(calls.lists)
        _holiday_data_warning(summary)
        summary.outbox = str(target)
        (temp / "summary.json").write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2, default=str),
                                           encoding="utf-8")
        if target.exists():  # a forced re-run replaces the day's batch as a whole
            shutil.rmtree(target)
        publish(temp, target)
    finally:
        if calls_pending is not None:
            calls_pending.stop()  # the run failed before asking for the lists: their process ends before its folder goes
        shutil.rmtree(temp, ignore_errors=True)


def publish(temp: Path, target: Path) -> None:
    """The one step that makes a batch visible: an atomic rename on the same file system."""
    os.replace(temp, target)


def _write_report(store: Store, settings: Settings, decided: Decisions, folder: Path) -> str:
    """The report of the newest snapshot's month (early in a month that is the month before, not a month of
    无数据), from the day's decisions (their feature columns) when the report is as of the same day."""
    from feedun.outputs.report import build_report, default_month, parse_month, report_day, write_report_xlsx

    month = default_month(store, decided.as_of)
    same_day = report_day(*parse_month(month), decided.as_of) == decided.as_of
    report = build_report(store, settings, month, today=decided.as_of, features=decided.frame if same_day else None)
    return write_report_xlsx(report, folder / f"report-{report.month}.xlsx").name
