"""Contacts, promises, profiles, payments and owner changes across real ledger snapshots (issue 3)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from feedun.config import Settings
from feedun.core.errors import FeedunError, UsageError
from feedun.intake.importer import import_file
from feedun.memory.contacts import OUTCOMES, ContactRequest, log_contact
from feedun.memory.history import room_history
from feedun.memory.profiles import TAGS, TagRequest, parse_tag_words, tag_room
from feedun.memory.promises import list_promises
from feedun.store import Store
from helpers import query, store_counts

HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"]
NOW = datetime(2026, 11, 2, 9, 0)


def write_snapshot(path: Path, rooms: dict[str, tuple[str, float]]) -> Path:
    """A one-estate arrears ledger: room -> (owner, arrears in yuan)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for room, (owner, owed) in rooms.items():
        ws.append(["阳光花园", room, owner, "13812345678", "物业服务费", "2026-09", owed])
    wb.save(path)
    return path



def promise(store: Store, settings: Settings, room: str, on: str, amount: float | None = 300) -> None:
    log_contact(store, settings, ContactRequest(room=room, outcome="promised", promise_date=date.fromisoformat(on),
                                                promise_amount=None if amount is None else int(amount * 100),
                                                at=datetime(2026, 11, 1, 10, 0), by="李管家"), now=NOW)


def states(store: Store, settings: Settings) -> dict[str, tuple[str, int | None]]:
    return {p.room: (p.state, p.paid) for p in list_promises(store, settings, state=None)} | {
        p.room: (p.state, p.paid) for p in list_promises(store, settings, state="void")}


def test_promises_settle_across_two_snapshots(tmp_path: Path, settings: Settings, store: Store) -> None:
    october = {r: ("张三" if r == "1-1-105" else f"业主{r}", 300) for r in
               ("1-1-101", "1-1-102", "1-1-103", "1-1-104", "1-1-105", "1-1-106")}
    import_file(write_snapshot(tmp_path / "oct.xlsx", october), settings, as_of=date(2026, 10, 31))
    promise(store, settings, "1-1-101", "2026-11-10")  # pays it all: room leaves the ledger -> kept
    promise(store, settings, "1-1-102", "2026-11-10")  # pays nothing -> broken
    promise(store, settings, "1-1-103", "2026-11-10")  # pays 100 of 300 -> broken, partial payment recorded
    promise(store, settings, "1-1-104", "2026-11-20", amount=None)  # "I'll pay everything", does so early -> kept
    promise(store, settings, "1-1-105", "2026-11-10")  # the flat is sold before the date -> void
    promise(store, settings, "1-1-106", "2026-12-15")  # not yet due at the next snapshot -> still open
    tag_room(store, settings, TagRequest(room="1-1-105", add=["hot_tempered"], dispute="quality", dispute_open=True))

    november = {"1-1-102": ("业主1-1-102", 300), "1-1-103": ("业主1-1-103", 200), "1-1-105": ("李四", 300),
                "1-1-106": ("业主1-1-106", 300)}
    result = import_file(write_snapshot(tmp_path / "nov.xlsx", november), settings, as_of=date(2026, 11, 30))

    assert (result.promises_kept, result.promises_broken, result.owner_changes) == (2, 2, 1)
    assert result.payments == 3
    assert any("兑现 2 个，未兑现 2 个" in w for w in result.changes)
    assert any("1-1-105：张三 → 李四" in w for w in result.changes)
    assert states(store, settings) == {
        "1-1-101": ("kept", 30000), "1-1-102": ("broken", 0), "1-1-103": ("broken", 10000),
        "1-1-104": ("kept", 30000), "1-1-105": ("void", None), "1-1-106": ("open", 0)}
    assert [p.room for p in list_promises(store, settings, state="broken")] == ["1-1-102", "1-1-103"]

    paid = query(tmp_path, "select r.room, p.amount, p.paid_up, p.seen_on from payments p "
                           "join rooms r on r.id = p.room_id order by r.room")
    assert paid == [("1-1-101", 30000, 1, "2026-11-30"), ("1-1-103", 10000, 0, "2026-11-30"),
                    ("1-1-104", 30000, 1, "2026-11-30")]

    # The new owner starts clean: no tags, no dispute; the history says so once.
    fresh = tag_room(store, settings, TagRequest(room="1-1-105"))
    assert (fresh.owner, fresh.tags, fresh.dispute) == ("李四", [], None)
    events = room_history(store, settings, "1-1-105").events
    assert [e.kind for e in events].count("owner_change") == 1
    assert any("张三" in e.text and "李四" in e.text for e in events if e.kind == "owner_change")


def test_paid_before_the_promise_date_is_kept_at_the_snapshot_that_shows_it(tmp_path: Path, settings: Settings,
                                                                            store: Store) -> None:
    """Issue 15, item 9: a payment that covers an open promise before its date keeps it at once, with 期间缴费."""
    import_file(write_snapshot(tmp_path / "a.xlsx", {"1-1-101": ("王五", 300), "1-1-102": ("赵六", 50)}),
                  settings, as_of=date(2026, 10, 31))
    promise(store, settings, "1-1-101", "2026-11-20")
    # Paid on the 5th: the snapshot of the 8th no longer lists the room; the promise is kept, not left open.
    early = import_file(write_snapshot(tmp_path / "b.xlsx", {"1-1-102": ("赵六", 50)}), settings,
                          as_of=date(2026, 11, 8))
    assert (early.payments, early.promises_kept, early.promises_broken) == (1, 1, 0)
    assert states(store, settings)["1-1-101"] == ("kept", 30000)
    assert any("兑现 1 个" in c for c in early.changes)
    late = import_file(write_snapshot(tmp_path / "c.xlsx", {"1-1-102": ("赵六", 50), "1-1-103": ("钱七", 9)}),
                         settings, as_of=date(2026, 11, 30))
    assert (late.payments, late.promises_kept, late.promises_broken) == (0, 0, 0)  # settled once
    assert states(store, settings)["1-1-101"] == ("kept", 30000)
    shown = {p.room: p.to_dict() for p in list_promises(store, settings, state="kept")}
    assert (shown["1-1-101"]["state_label"], shown["1-1-101"]["paid"]) == ("已兑现", 300.0)


def test_partial_payments_fill_the_paid_column_and_the_date_decides(tmp_path: Path, settings: Settings,
                                                                    store: Store) -> None:
    """Issue 15, item 9: what was paid since the promise shows while it is open; at its date the rules of
    docs/design.md, "Settlement" decide. Payments are the falls seen snapshot by snapshot, so a new month's bill
    between them does not hide what the owner paid."""
    rooms = {"1-1-101": ("王五", 300), "1-1-102": ("赵六", 300), "1-1-103": ("孙七", 300), "1-1-104": ("周八", 300)}
    import_file(write_snapshot(tmp_path / "a.xlsx", rooms), settings, as_of=date(2026, 10, 31))
    promise(store, settings, "1-1-101", "2026-11-20")  # pays 100 now, the rest by the date -> kept
    promise(store, settings, "1-1-102", "2026-11-20")  # pays 100 and no more -> broken, 100 paid
    promise(store, settings, "1-1-103", "2026-11-20", amount=None)  # pays the 300 owed while a new bill arrives
    promise(store, settings, "1-1-104", "2026-11-20", amount=200)  # pays 200 on the promise date -> kept
    part = import_file(write_snapshot(tmp_path / "b.xlsx", {"1-1-101": ("王五", 200), "1-1-102": ("赵六", 200),
                                                            "1-1-103": ("孙七", 300), "1-1-104": ("周八", 300)}),
                       settings, as_of=date(2026, 11, 10))
    assert (part.payments, part.promises_kept, part.promises_broken) == (2, 0, 0)
    assert states(store, settings) == {"1-1-101": ("open", 10000), "1-1-102": ("open", 10000),
                                       "1-1-103": ("open", 0), "1-1-104": ("open", 0)}
    shown = {p.room: p.to_dict() for p in list_promises(store, settings, state="open")}
    assert (shown["1-1-101"]["state_label"], shown["1-1-101"]["paid"]) == ("待兑现", 100.0)

    on_the_day = import_file(write_snapshot(tmp_path / "c.xlsx", {"1-1-101": ("王五", 0.5), "1-1-102": ("赵六", 200),
                                                                  "1-1-103": ("孙七", 400), "1-1-104": ("周八", 100)}),
                             settings, as_of=date(2026, 11, 20))
    # On the promise date: 1-1-101 has paid 299.50 of 300 (open until the date has passed), 1-1-103's arrears
    # rose by a new bill, 1-1-104 has paid the 200 it promised (kept).
    assert (on_the_day.promises_kept, on_the_day.promises_broken) == (1, 0)
    assert states(store, settings) == {"1-1-101": ("open", 29950), "1-1-102": ("open", 10000),
                                       "1-1-103": ("open", 0), "1-1-104": ("kept", 20000)}

    after = import_file(write_snapshot(tmp_path / "d.xlsx", {"1-1-102": ("赵六", 200), "1-1-103": ("孙七", 100),
                                                             "1-1-104": ("周八", 100)}),
                        settings, as_of=date(2026, 11, 30))
    # The first snapshot after the date: 1-1-101's arrears reached zero -> kept (design: "or to zero").
    # 1-1-103 paid 300 between the 20th and the 30th: everything owed when promising, though a bill came since.
    assert (after.promises_kept, after.promises_broken) == (2, 1)
    assert states(store, settings) == {"1-1-101": ("kept", 30000), "1-1-102": ("broken", 10000),
                                       "1-1-103": ("kept", 30000), "1-1-104": ("kept", 20000)}


def test_an_older_snapshot_imported_late_settles_nothing(tmp_path: Path, settings: Settings) -> None:
    import_file(write_snapshot(tmp_path / "nov.xlsx", {"1-1-101": ("王五", 300)}), settings, as_of=date(2026, 11, 30))
    old = import_file(write_snapshot(tmp_path / "oct.xlsx", {"1-1-101": ("王五", 900)}), settings,
                        as_of=date(2026, 10, 31))
    assert old.payments == 0
    assert any("较早的快照" in w for w in old.warnings)


# ---- logging contacts ----------------------------------------------------------------------------


@pytest.fixture
def ledger(tmp_path: Path, settings: Settings) -> Settings:
    rooms = {"8-2-1201": ("王芳", 500), "8-2-1202": ("李雷", 0), "3-1-101": ("韩梅梅", 200)}
    import_file(write_snapshot(tmp_path / "l.xlsx", rooms), settings, as_of=date(2026, 10, 31))
    return settings


def count(settings: Settings, table: str) -> int:
    return query(settings.workspace, f"select count(*) from {table}")[0][0]


def test_log_accepts_room_spellings_and_is_idempotent(ledger: Settings, store: Store) -> None:
    at = datetime(2026, 11, 1, 9)
    first = log_contact(store, ledger, ContactRequest(room="8栋2单元1201室", outcome="vague", at=at), now=NOW)
    again = log_contact(store, ledger, ContactRequest(room="8-2-1201", outcome="vague", at=at), now=NOW)
    assert (first.room, first.owner, first.duplicate) == ("8-2-1201", "王芳", False)
    assert again.duplicate and again.contact_id == first.contact_id
    assert count(ledger, "contacts") == 1


@pytest.mark.parametrize("request_, message", [
    (ContactRequest(room="8-2-1201", outcome="angry"), "不认识的联系结果"),
    (ContactRequest(room="8-2-1201", outcome="vague", channel="fax"), "不认识的联系方式"),
    (ContactRequest(room="8-2-1201", outcome="vague", at=datetime(2026, 11, 3, 9)), "在将来"),
    (ContactRequest(room="8-2-1201", outcome="promised"), "必须给出承诺日期"),
    (ContactRequest(room="8-2-1201", outcome="promised", promise_date=date(2026, 10, 30),
                    at=datetime(2026, 11, 1, 9)), "早于联系时间"),
    (ContactRequest(room="8-2-1201", outcome="vague", promise_date=date(2026, 11, 30)), "只有结果为 promised"),
])
def test_log_refuses_bad_input_and_writes_nothing(ledger: Settings, store: Store, request_: ContactRequest,
                                                   message: str) -> None:
    with pytest.raises(UsageError, match=message):
        log_contact(store, ledger, request_, now=NOW)
    assert count(ledger, "contacts") == 0


def test_unknown_room_suggests_the_closest(ledger: Settings, store: Store) -> None:
    with pytest.raises(FeedunError) as caught:
        log_contact(store, ledger, ContactRequest(room="8-2-1210", outcome="vague"), now=NOW)
    assert "没有房间 8-2-1210" in caught.value.message and "阳光花园 8-2-1201" in caught.value.hint
    assert count(ledger, "contacts") == 0


def test_promise_on_a_room_without_arrears_is_refused_and_rolled_back(ledger: Settings, store: Store) -> None:
    with pytest.raises(FeedunError, match="没有欠费"):
        log_contact(store, ledger, ContactRequest(room="8-2-1202", outcome="promised", promise_date=date(2026, 11, 5),
                                           at=datetime(2026, 11, 1, 9)), now=NOW)
    assert count(ledger, "contacts") == 0 and count(ledger, "promises") == 0


def test_every_outcome_code_can_be_logged(ledger: Settings, store: Store) -> None:
    for minute, code in enumerate(OUTCOMES):
        extra = {"promise_date": date(2026, 11, 20)} if code == "promised" else {}
        log_contact(store, ledger,
                    ContactRequest(room="3-1-101", outcome=code, at=datetime(2026, 11, 1, 8, minute), **extra), now=NOW)
    assert count(ledger, "contacts") == len(OUTCOMES)
    texts = [e.text for e in room_history(store, ledger, "3-1-101").events if e.kind == "contact"]
    assert all(any(label in t for t in texts) for label in OUTCOMES.values())


# ---- tags ----------------------------------------------------------------------------------------


def test_tag_words_and_unknown_tags() -> None:
    assert parse_tag_words(["+rapport", "-hot_tempered", "leader"]) == (["rapport", "leader"], ["hot_tempered"])
    with pytest.raises(UsageError) as caught:
        parse_tag_words(["+friendly"])
    assert all(tag in caught.value.hint for tag in TAGS)


def test_tags_disputes_and_profile_fields_accumulate(ledger: Settings, store: Store) -> None:
    tag_room(store, ledger, TagRequest(room="8-2-1201", add=["rapport", "leader"], dispute="quality", plate="川A12345",
                                alt_contacts=["姐姐 13900000000"]))
    profile = tag_room(store, ledger, TagRequest(room="8-2-1201", remove=["leader"], dispute_open=False,
                                          do_not_contact=True, collector="王管家"))
    assert profile.tags == ["rapport"]
    assert (profile.dispute, profile.dispute_open, profile.plate) == ("quality", False, "川A12345")
    assert profile.alt_contacts == ["姐姐 13900000000"] and profile.do_not_contact
    assert profile.collector == "王管家"
    assert room_history(store, ledger, "8-2-1201").collector == "王管家"
    with pytest.raises(UsageError, match="不认识的纠纷类型"):
        tag_room(store, ledger, TagRequest(room="8-2-1201", dispute="noise"))


def test_collectors_from_config_by_building_then_estate(tmp_path: Path) -> None:
    from feedun.memory.collectors import collector_for

    settings = Settings.model_validate({"collectors": {"阳光花园": "李管家", "阳光花园/8": "王管家"}})
    assert collector_for(settings, "阳光花园", "8-2-1201") == "王管家"
    assert collector_for(settings, "阳光花园", "3-1-101") == "李管家"
    assert collector_for(settings, "翠湖苑", "3-1-101") is None
    assert collector_for(settings, "阳光花园", "8-2-1201", override="赵管家") == "赵管家"


# ---- the commands, as a collector runs them --------------------------------------------------------

FEEDUN = Path(sys.executable).with_name("feedun")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FEEDUN), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_commands_end_to_end(tmp_path: Path, ledger: Settings) -> None:
    ok = run(["log", "8-2-1201", "--outcome", "promised", "--promise-date", "2026-11-20", "--promise-amount", "200",
              "--at", "2026-11-01 10:00", "--by", "李管家", "--json"], tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["outcome_label"] == "承诺缴费"
    bad = run(["log", "8-2-1201", "--outcome", "shouted"], tmp_path)
    assert bad.returncode == 2 and "paid_claimed（称已缴费）" in bad.stderr and "Traceback" not in bad.stderr
    missing = run(["log", "9-9-999", "--outcome", "vague"], tmp_path)
    assert missing.returncode == 1 and "没有房间" in missing.stderr
    tagged = run(["tag", "8-2-1201", "+rapport", "-hot_tempered", "--dispute", "service", "--json"], tmp_path)
    assert tagged.returncode == 0, tagged.stderr
    assert json.loads(tagged.stdout)["tags"] == ["rapport"]
    unknown = run(["tag", "8-2-1201", "+grumpy"], tmp_path)
    assert unknown.returncode == 2 and "hot_tempered（脾气急躁）" in unknown.stderr
    due = run(["promises", "--due-today", "--today", "2026-11-20", "--json"], tmp_path)
    assert [p["room"] for p in json.loads(due.stdout)] == ["8-2-1201"]
    assert json.loads(run(["promises", "--broken", "--json"], tmp_path).stdout) == []
    history = json.loads(run(["history", "8-2-1201", "--json"], tmp_path).stdout)
    assert [e["kind"] for e in history["events"]][:2] == ["snapshot", "contact"]
    assert run(["promises", "--open", "--broken"], tmp_path).returncode == 2


@pytest.mark.sqlite_only
def test_a_typo_is_refused_before_any_store_is_opened(tmp_path: Path) -> None:
    """`log` and `tag` check their vocabularies before opening the store, so a typo never creates feedun.db."""
    bad_outcome = run(["log", "8-2-1201", "--outcome", "shouted"], tmp_path)
    bad_dispute = run(["tag", "8-2-1201", "--dispute", "noise"], tmp_path)
    assert (bad_outcome.returncode, bad_dispute.returncode) == (2, 2)
    assert "不认识的纠纷类型" in bad_dispute.stderr
    assert not (tmp_path / "feedun.db").exists()


def test_concurrent_log_calls_all_land(tmp_path: Path, ledger: Settings) -> None:
    """Several collectors logging at once on one SQLite file: every contact lands (WAL + busy timeout)."""
    procs = [subprocess.Popen([str(FEEDUN), "log", room, "--outcome", "no_answer", "--at", f"2026-11-01 {9 + i}:00",
                               "--by", f"管家{i}"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for i, room in enumerate(["8-2-1201", "8-2-1202", "3-1-101"] * 2)]
    results = [(p.wait(timeout=180), p.stderr.read()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert count(ledger, "contacts") == 6


# ---- owner profile sheets (业主档案) through the same `feedun import` ------------------------------


def write_profiles(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["业主档案导出"])
    ws.append(["管理处", "房号", "业主", "电话", "备用联系人", "紧急联系人", "工作单位", "车牌", "车位", "标签", "勿扰"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_profile_sheet_is_told_apart_by_headers_and_applied(tmp_path: Path, ledger: Settings, store: Store) -> None:
    path = write_profiles(tmp_path / "档案.xlsx", [
        ["阳光花园", "8栋2单元1201室", "王芳", "13912345678", "姐姐 13900000000", "母亲 13700000000", "市一医院",
         "川A12345", "B2-117", "带头人、rapport", ""],
        ["阳光花园", "8-2-1202", "张冒名", None, None, None, None, None, None, None, None],  # not the ledger's owner
        ["阳光花园", "9-9-999", "某人", None, None, None, None, None, None, None, None],  # no such room
        ["阳光花园", "3-1-101", "韩梅梅", None, None, None, None, None, None, "VIP", None],  # unknown tag
        [None, None, None, None, None, None, None, None, None, None, None],
        ["阳光花园", "3-1-101", "韩梅梅", None, None, None, None, None, None, "胆小怕事", "是"],
    ])
    result = import_file(path, ledger)
    assert result.kind == "profiles"
    assert (result.rows_read, result.accepted, result.rejected, result.skipped) == (6, 2, 3, 1)
    profile = tag_room(store, ledger, TagRequest(room="8-2-1201"))
    assert profile.tags == ["leader", "rapport"]
    assert (profile.plate, profile.slot) == ("川A12345", "B2-117")
    assert profile.alt_contacts == ["姐姐 13900000000", "紧急联系人：母亲 13700000000", "档案电话：13912345678"]
    assert tag_room(store, ledger, TagRequest(room="3-1-101")).do_not_contact

    from openpyxl import load_workbook

    sheet = load_workbook(result.rejects_file).active
    reasons = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "张冒名" in reasons[4] and "李雷" in reasons[4]
    assert "没有 阳光花园 9-9-999" in reasons[5]
    assert "VIP" in reasons[6]
    again = import_file(path, ledger)
    assert again.duplicate and again.kind == "profiles"
    assert query(ledger.workspace, "select kind, accepted from imports where kind = 'profiles'") == [("profiles", 2)]


def test_profile_sheet_before_any_ledger_is_refused(tmp_path: Path, settings: Settings) -> None:
    path = write_profiles(tmp_path / "档案.xlsx", [["阳光花园", "1-1-101", "王五", None, None, None, None, None, None,
                                                   "带头人", None]])
    with pytest.raises(FeedunError, match="还没有导入过台账"):
        import_file(path, settings)
    assert store_counts(tmp_path) == (0, 0)


# ---- contacts in bulk (issue 18: a filled call list of 75,000 rows) ----------------------------------


class _Undo(Exception):
    """Raised to roll a transaction back after looking at what it wrote."""


def _written(conn) -> list[tuple]:
    """Every contact with its promise, ids replaced by their order (a rolled-back PostgreSQL sequence moves on)."""
    from sqlalchemy import select

    from feedun.store.schema import contacts, promises

    rows = conn.execute(select(contacts.c.id, contacts.c.room_id, contacts.c.at, contacts.c.outcome, contacts.c.owner,
                               contacts.c.channel, contacts.c.by, contacts.c.note, promises.c.promise_date,
                               promises.c.amount, promises.c.baseline, promises.c.state)
                        .outerjoin(promises, promises.c.contact_id == contacts.c.id).order_by(contacts.c.id)).all()
    return [tuple(row[1:]) for row in rows]


def _shape(results: list) -> list[tuple]:
    """Results with contact and promise ids replaced by their order of first appearance."""
    order: dict[object, int] = {}
    shaped = []
    for r in results:
        if isinstance(r, FeedunError):
            shaped.append(("error", r.message, r.hint))
        else:
            shaped.append((order.setdefault(("c", r.contact_id), len(order)), r.room, r.owner, r.at, r.outcome,
                           r.duplicate, None if r.promise_id is None else order.setdefault(("p", r.promise_id), len(order))))
    return shaped


def test_contacts_in_bulk_are_what_one_at_a_time_gives(ledger: Settings, store: Store) -> None:
    from feedun.memory.contacts import record_contact, record_contacts
    from feedun.store.rooms import find_room

    at, later = datetime(2026, 11, 1, 9), datetime(2026, 11, 1, 10)
    log_contact(store, ledger, ContactRequest(room="8-2-1201", outcome="vague", at=at), now=NOW)  # already there
    wanted = [
        ("8-2-1201", ContactRequest(room="8-2-1201", outcome="vague", at=at)),  # duplicate of the stored one
        ("8-2-1201", ContactRequest(room="8-2-1201", outcome="promised", at=later, promise_date=date(2026, 11, 9),
                                    promise_amount=20000)),
        ("3-1-101", ContactRequest(room="3-1-101", outcome="no_answer", at=at, by="李管家", note="两次未接")),
        ("8-2-1201", ContactRequest(room="8-2-1201", outcome="promised", at=later, promise_date=date(2026, 11, 9))),
        ("8-2-1202", ContactRequest(room="8-2-1202", outcome="promised", at=at, promise_date=date(2026, 11, 5))),
        ("3-1-101", ContactRequest(room="3-1-101", outcome="angry", at=at)),  # refused by validate
        ("8-2-1202", ContactRequest(room="8-2-1202", outcome="promised", at=at, promise_date=date(2026, 11, 5))),
        ("3-1-101", ContactRequest(room="3-1-101", outcome="promised", at=later, promise_date=date(2026, 11, 20))),
        ("3-1-101", ContactRequest(room="3-1-101", outcome="no_answer", at=at)),  # repeats row 3 of this batch
    ]
    singly: list = []
    with pytest.raises(_Undo), store.write() as conn:
        for room, request in wanted:
            try:
                singly.append(record_contact(conn, find_room(conn, room), request, NOW))
            except FeedunError as exc:
                singly.append(exc)
        written_singly = _written(conn)
        raise _Undo
    with store.write() as conn:
        together = record_contacts(conn, [(find_room(conn, room), request) for room, request in wanted], NOW)
        written_together = _written(conn)
    assert _shape(together) == _shape(singly)
    assert written_together == written_singly
    assert [type(r).__name__ for r in together] == ["LoggedContact", "LoggedContact", "LoggedContact",
                                                    "LoggedContact", "FeedunError", "UsageError", "FeedunError",
                                                    "LoggedContact", "LoggedContact"]
    assert [getattr(r, "duplicate", None) for r in together] == [True, False, False, True, None, None, None, False,
                                                                 True]
    assert together[3].contact_id == together[1].contact_id and together[3].promise_id == together[1].promise_id
    assert [row[7:] for row in written_together if row[2] == "promised"] == [
        (date(2026, 11, 9), 20000, 50000, "open"), (date(2026, 11, 20), None, 20000, "open")]


def test_the_snapshot_current_on_each_day(tmp_path: Path, settings: Settings, store: Store) -> None:
    """snapshots_on answers for many days from one read of the estate's imports: the newest import
    dated on or before the day (of two the same day, the later), else the oldest; the arrears are that one's."""
    from feedun.store.snapshots import arrears_in_snapshot, snapshots_on

    ids = []
    for name, as_of, owed in (("a", date(2026, 10, 31), 300), ("b", date(2026, 11, 30), 200),
                              ("c", date(2026, 11, 30), 100), ("d", date(2026, 12, 31), 50)):
        import_file(write_snapshot(tmp_path / f"{name}.xlsx", {"1-1-101": ("张三", owed)}), settings, as_of=as_of)
        ids.append(query(settings.workspace, "select max(id) from imports")[0][0])
    days = [date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 15), date(2026, 11, 30), date(2027, 1, 1), None]
    with store.read() as conn:
        found = snapshots_on(conn, "阳光花园", days)
        assert found == {days[0]: ids[0], days[1]: ids[0], days[2]: ids[0], days[3]: ids[2], days[4]: ids[3],
                         None: ids[0]}
        assert all(snapshots_on(conn, "阳光花园", [day])[day] == found[day] for day in days)
        assert snapshots_on(conn, "没有的小区", days) == dict.fromkeys(days)
        assert [arrears_in_snapshot(conn, found[day], "阳光花园", ["1-1-101"])["1-1-101"] for day in days] == [
            30000, 30000, 30000, 10000, 5000, 30000]
        assert arrears_in_snapshot(conn, found[days[3]], "阳光花园", ["9-9-999"]) == {"9-9-999": 0}
