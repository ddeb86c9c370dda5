"""`feedun explain` decides one room from its own rows (`decide_room`); classify decides the whole company. For
EVERY room of a varied store, on several days and under two policies, both must give the room the same row:
every feature, the tactic, hold, next action, reasons, eligible tactics, collector, and so the same explanation.

The store is built to catch a filter that drops or leaks a row: the same room numbers in two estates, estates whose
current snapshots are different imports (one file naming two estates, then a newer file naming one), a ledger
without periods over three snapshots (arrears of unknown period date from their first snapshot), a sale (the old
owner's contacts, promises and letters stop counting), settled and open promises, contacts after the day, tags,
disputes, a collector override, draft / void / sent letters, and more lawyer-letter picks per estate than the cap
lets through (the one cross-room step). The second policy's lawyer rule does not ask for demand letters, so the
cap ranks the whole estate.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

import feedun.decide.classify as classify_module
from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.core.periods import add_months
from feedun.decide.classify import decide_room, decide_rooms
from feedun.decide.decisions import Decisions
from feedun.decide.explain import explain_room
from feedun.decide.policy.load import default_policy_text
from feedun.intake.importer import import_file
from feedun.memory.contacts import ContactRequest, log_contact
from feedun.memory.profiles import TagRequest, tag_room
from feedun.store import Store
from feedun.store.letter_drafts import insert_draft
from feedun.store.letters import find_letter, record_sent_letter, update_letter
from feedun.store.rooms import find_room

pytestmark = pytest.mark.module_store  # one store built once per backend (fixture `built`)

SUNNY, LAKE, QUIET = "阳光花园", "翠湖苑", "静园"
HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应缴日期", "欠费金额(元)"]
NO_PERIOD_HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "欠费金额(元)"]
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
DAYS = [date(2026, 10, 20), date(2026, 11, 30), date(2026, 12, 7)]
NOW = datetime(2026, 12, 10, 9, 0)
SOLD = "1-1-103"  # changes owner between the October and the November snapshot of 阳光花园


def _phone(i: int) -> str:
    return "" if i % 5 == 0 else "12345" if i % 7 == 3 else f"1381234{i:04d}"


def _flat_lines(estate: str, room: str, owner: str, i: int, snap: date) -> list[list[object]]:
    """Room i's owed lines as of `snap`: 1-8 months, some with the ledger's due date, one range line, a paid line."""
    rows = []
    for back in range(1 + i % 8):
        month = add_months(snap, -back - 1)
        due = f"{month:%Y-%m}-20" if i % 4 == 1 else None
        rows.append([estate, room, owner, _phone(i), "物业服务费", f"{month:%Y-%m}", due, 100 + 37 * i + back])
    if i % 6 == 2:
        rows.append([estate, room, owner, _phone(i), "车位管理费", "2026-05至2026-07", None, 360])
    if i % 10 == 9:  # unpaid for over 30 months: limitation risk unless a demand reached the owner since
        rows.append([estate, room, owner, _phone(i), "物业服务费", "2023-04", None, 55])
    if i % 3 == 0:
        rows.append([estate, room, owner, _phone(i), "公摊水电", f"{add_months(snap, -1):%Y-%m}", None, 0])
    return rows


def _owner(estate: str, i: int, snap: date) -> str:
    sold = estate == SUNNY and f"1-1-{101 + i}" == SOLD and snap >= NOV
    return f"{'新' if sold else ''}{estate[0]}业主{i}"


def _ledger(path: Path, estates: dict[str, int], snap: date) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.title = path.name
    ws = wb.active
    ws.append(HEADER)
    for estate, count in estates.items():
        for i in range(count):
            room = f"1-1-{101 + i}"
            if estate == SUNNY and snap >= NOV and room == "1-1-104":
                continue  # paid up: absent from the newer snapshot
            lines = _flat_lines(estate, room, _owner(estate, i, snap), i, snap)
            if estate == SUNNY and snap >= NOV and room == "1-1-105":
                lines = lines[:1]  # paid most of it: a kept promise
            for line in lines:
                ws.append(line)
    wb.save(path)
    return path


def _quiet_ledger(path: Path, owing: list[int], snap: date) -> Path:
    """A ledger without periods (期间不详): each listed room owes, the rest are absent."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.title = path.name
    ws = wb.active
    ws.append(NO_PERIOD_HEADER)
    for i in owing:
        ws.append([QUIET, f"2-1-{201 + i}", f"静业主{i}", _phone(i + 1), "物业服务费", 300 + 10 * i + snap.month])
    wb.save(path)
    return path


def _contact(store: Store, settings: Settings, room: str, outcome: str, at: datetime, estate: str = SUNNY,
             **extra: Any) -> None:
    log_contact(store, settings, ContactRequest(room=room, estate=estate, outcome=outcome, by="李管家", at=at,
                                                **extra), now=NOW)


def _tag(store: Store, settings: Settings, room: str, estate: str = SUNNY, **extra: Any) -> None:
    tag_room(store, settings, TagRequest(room=room, estate=estate, **extra))


def _letter(store: Store, room: str, kind: str, sent_on: date, estate: str = SUNNY, deadline: date | None = None,
            state: str = "sent") -> None:
    with store.write() as conn:
        number = record_sent_letter(conn, find_room(conn, room, estate), kind, sent_on, 50000, deadline=deadline)
        if state != "sent":
            update_letter(conn, find_letter(conn, number)["id"], state=state)


def _october_memory(store: Store, s: Settings) -> None:
    """Before the November snapshot: promises it settles, and the old owner's history of the sold flat."""
    _contact(store, s, "1-1-105", "promised", datetime(2026, 10, 5, 10), promise_date=date(2026, 10, 20),
             promise_amount=50000)
    _contact(store, s, "1-1-106", "promised", datetime(2026, 10, 5, 11), promise_date=date(2026, 10, 20))
    for day in (6, 9):
        _contact(store, s, SOLD, "vague", datetime(2026, 10, day, 10))
    for day in (2, 12):
        _letter(store, SOLD, "dunning", date(2026, 10, day))
    _tag(store, s, SOLD, add=["hot_tempered"])
    for day in (3, 8, 13):
        _contact(store, s, "1-1-107", "no_answer", datetime(2026, 10, day, 15))


def _november_contacts(store: Store, s: Settings) -> None:
    plan = {"1-1-107": ["callback"], "1-1-108": ["vague", "vague"], "1-1-109": ["busy_away", "busy_away"],
            "1-1-110": ["no_answer", "no_answer", "no_answer"], "1-1-111": ["invalid_number"],
            "1-1-112": ["refused_quality"], "1-1-113": ["refused_service"],
            "1-1-114": ["callback", "refused_unfair"], "1-1-115": ["refused_other", "wrong_person"],
            "1-1-116": ["paid_claimed", "callback", "callback"], SOLD: ["callback"]}
    for room, outcomes in plan.items():
        for n, outcome in enumerate(outcomes):
            _contact(store, s, room, outcome, datetime(2026, 11, 2 + 3 * n, 10 + n))
    _contact(store, s, "1-1-117", "promised", datetime(2026, 11, 10, 10), promise_date=date(2026, 12, 10))
    _contact(store, s, "1-1-118", "promised", datetime(2026, 11, 10, 10), promise_date=date(2026, 11, 20))
    _contact(store, s, "1-1-119", "no_answer", datetime(2026, 12, 3, 10))  # after 11-30, before 12-07
    for room, estate in (("1-1-102", LAKE), ("1-1-105", LAKE), ("2-1-202", QUIET)):
        _contact(store, s, room, "vague", datetime(2026, 11, 4, 10), estate=estate)
        _contact(store, s, room, "busy_away", datetime(2026, 11, 14, 10), estate=estate)


def _november_profiles(store: Store, s: Settings) -> None:
    _tag(store, s, "1-1-107", add=["rapport"])
    _tag(store, s, "1-1-108", add=["rapport", "hot_tempered"], alt_contacts=["13900001111"])
    _tag(store, s, "1-1-112", dispute="quality", dispute_open=True)
    _tag(store, s, "1-1-113", dispute="service", dispute_open=True)
    _tag(store, s, "1-1-114", dispute="vacancy", dispute_open=False)
    _tag(store, s, "1-1-120", do_not_contact=True)
    _tag(store, s, "1-1-116", collector="赵管家")
    _tag(store, s, "1-1-108", estate=LAKE, add=["leader"])
    _tag(store, s, "1-1-102", estate=LAKE, add=["timid"])


def _november_letters(store: Store, s: Settings) -> None:
    """Lawyer-letter picks: more per estate than one, a leader and a timid one among them; quiet periods."""
    for room, estate in (("1-1-106", SUNNY), ("1-1-108", SUNNY), ("1-1-111", SUNNY), ("1-1-112", SUNNY),
                         ("1-1-102", LAKE), ("1-1-104", LAKE), ("1-1-108", LAKE)):
        _letter(store, room, "dunning", date(2026, 11, 2), estate=estate)
        _letter(store, room, "dunning", date(2026, 11, 9), estate=estate)
    _tag(store, s, "1-1-111", add=["timid"])
    _letter(store, "1-1-110", "dunning", date(2026, 11, 27))
    _letter(store, "1-1-115", "lawyer", date(2026, 11, 20), deadline=date(2026, 12, 4))
    _letter(store, "1-1-116", "lawyer", date(2026, 10, 1), deadline=date(2026, 10, 15), state="signed")
    _letter(store, "1-1-109", "dunning", date(2026, 11, 3), state="void")
    _letter(store, "1-1-109", "dunning", date(2026, 11, 4), state="returned")
    with store.write() as conn:
        room = find_room(conn, "1-1-117", SUNNY)
        insert_draft(conn, number="催字〔2026〕第9001号", kind="dunning", room_id=room.id, owner=room.owner,
                     amount=100, late_fee=0, issued_on=date(2026, 11, 5), deadline=date(2026, 11, 20))


BROAD_POLICY = default_policy_text().replace('"demand_letters_sent >= 2", ', "")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, module_store_url: str) -> tuple[Store, list[Settings]]:
    tmp = tmp_path_factory.mktemp("one_room")
    (tmp / "broad.toml").write_text(BROAD_POLICY, encoding="utf-8")
    config = {"store": {"url": module_store_url}, "fees": {"late_fee_daily_rate": "0.0005"},
              "collectors": {f"{SUNNY}/1": "李管家", LAKE: "王管家"}}
    default, broad = (Settings.model_validate(config | extra) for extra in ({}, {"policy": {"file": "broad.toml"}}))
    default.workspace = broad.workspace = tmp
    store = Store.for_settings(default)
    for day, owing in ((date(2026, 9, 1), [0, 1, 3]), (OCT, [0, 2, 3, 4]), (NOV, [0, 1, 3, 5])):
        import_file(_quiet_ledger(tmp / f"quiet-{day}.xlsx", owing, day), default, store=store, as_of=day)
    import_file(_ledger(tmp / "oct.xlsx", {SUNNY: 20, LAKE: 10}, OCT), default, store=store, as_of=OCT)
    _october_memory(store, default)
    import_file(_ledger(tmp / "nov.xlsx", {SUNNY: 20}, NOV), default, store=store, as_of=NOV)
    _november_contacts(store, default)
    _november_profiles(store, default)
    _november_letters(store, default)
    return store, [default, broad]


def _plain(value: Any) -> Any:
    """A cell as a comparable Python value: numpy scalars unwrapped, NaN/NaT/None as None, sets sorted."""
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) == "NaT":
        return None
    return value.item() if hasattr(value, "item") else value


def _rows(frame) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["estate"], r["room"]): {k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")}


def _every_room(store: Store) -> list[tuple[str, str]]:
    """(estate, room) of every room the store knows, owing or not."""
    from sqlalchemy import text

    with store.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(text("select estate, room from rooms")))


@pytest.mark.parametrize(("policy", "day"), [(0, DAYS[0]), (0, DAYS[1]), (0, DAYS[2]), (1, DAYS[2])],
                         ids=["default-oct", "default-nov", "default-dec", "broad-dec"])
def test_one_room_decision_equals_the_whole_company_for_every_room(built, policy: int, day: date) -> None:
    store, settings_list = built
    settings = settings_list[policy]
    whole = _rows(decide_rooms(store, settings, day).frame)
    assert len(whole) >= 30  # most rooms owe: the comparison is not vacuous
    rooms = _every_room(store)
    assert len(rooms) >= 36 and len(rooms) > len(whole)  # some rooms owe nothing that day
    for estate, room in rooms:
        one = decide_room(store, settings, day, estate, room).frame
        expected = whole.get((estate, room))
        if expected is None:
            assert one.empty, (estate, room)
            continue
        assert len(one) == 1, (estate, room)
        got = _rows(one)[(estate, room)]
        assert got.keys() == expected.keys(), (estate, room)
        for column, value in expected.items():
            assert got[column] == value, (estate, room, column)
    if day >= NOV:  # the cap held picks back in each estate: the cross-room step is exercised
        picks = {r["estate"] for r in whole.values() if r["tactic"] == "lawyer_letter"}
        held = [r for r in whole.values() if "lawyer_letter" in r["eligible"] and r["tactic"] != "lawyer_letter"
                and any("律师函候选" in reason for reason in r["reasons"])]
        assert {SUNNY, LAKE} <= picks and len(held) >= 2, (picks, held)


def test_one_room_explanation_equals_the_whole_company_path(built, monkeypatch: pytest.MonkeyPatch) -> None:
    """The explanation (tactic, hold, reasons, every condition's actual value and ✓/✗) of each room, from one
    room's rows, equals the explanation made from the room's row of the whole-company decision."""
    store, (settings, _) = built
    day = DAYS[1]
    explained = {}
    for estate, room in _every_room(store):
        try:
            explained[(estate, room)] = explain_room(store, settings, room, estate=estate, as_of=day).to_dict()
        except FeedunError as exc:  # a room that owes nothing that day: the same message both ways
            explained[(estate, room)] = exc.message
    whole = decide_rooms(store, settings, day)

    def from_whole(_store, _settings, as_of, estate, room) -> Decisions:
        frame = whole.frame[(whole.frame["estate"] == estate) & (whole.frame["room"] == room)]
        return Decisions(as_of=as_of, policy=whole.policy, frame=frame.reset_index(drop=True))

    monkeypatch.setattr(classify_module, "decide_room", from_whole)
    owing = 0
    for (estate, room), got in explained.items():
        try:
            expected: Any = explain_room(store, settings, room, estate=estate, as_of=day).to_dict()
            owing += 1
        except FeedunError as exc:
            expected = exc.message
        assert got == expected, (estate, room)
    assert owing >= 20


def test_arrears_of_unknown_period_date_from_the_first_snapshot_of_their_unbroken_run(built) -> None:
    """The quiet estate's ledgers have no periods: owing rooms 0,1,3 on 09-01, 0,2,3,4 in October, 0,1,3,5 in
    November. A room's arrears date from the earliest snapshot of the run that reaches the current one; a gap
    starts the run again. Read per estate, newest snapshot first (issue 18): the same answer the scoped read gives."""
    from feedun.store.ledger import unknown_period_since
    from feedun.store.room_inputs import Scope, scoped_unknown_period_since

    store, _ = built
    room = {i: f"2-1-{201 + i}" for i in range(6)}
    sept = date(2026, 9, 1)
    with store.connect() as conn:
        got = {day: unknown_period_since(conn, day) for day in (sept, OCT, NOV, None)}
        scoped = {(QUIET, room[i]): scoped_unknown_period_since(conn, NOV, Scope(QUIET, (room[i],))) for i in range(6)}
        before = unknown_period_since(conn, date(2026, 8, 31))
    assert got[sept] == {(QUIET, room[i]): sept for i in (0, 1, 3)}
    assert got[OCT] == {(QUIET, room[0]): sept, (QUIET, room[2]): OCT, (QUIET, room[3]): sept, (QUIET, room[4]): OCT}
    assert got[NOV] == got[None] == {(QUIET, room[0]): sept, (QUIET, room[1]): NOV, (QUIET, room[3]): sept,
                                     (QUIET, room[5]): NOV}
    assert before == {}
    assert {k: v for part in scoped.values() for k, v in part.items()} == got[NOV]


def _explain_every_room(store: Store, settings: Settings, day: date,
                        runs: set[int | None] | None = None) -> dict[tuple[str, str], Any]:
    """Each room's explanation (or the message for a room that owes nothing); the run ids it names go to `runs`."""
    explained: dict[tuple[str, str], Any] = {}
    for estate, room in _every_room(store):
        try:
            got = explain_room(store, settings, room, estate=estate, as_of=day).to_dict()
        except FeedunError as exc:  # a room that owes nothing that day
            explained[(estate, room)] = exc.message
            continue
        if runs is not None:
            runs.add(got["run_id"])
        explained[(estate, room)] = {k: v for k, v in got.items() if k != "run_id"}
    return explained


def _forget_run(store: Store, day: date) -> None:
    """Leave the module's store as the other tests expect it: no stored run."""
    from sqlalchemy import delete, select

    from feedun.store.schema import decisions, runs

    with store.write() as tx:
        tx.execute(delete(decisions).where(decisions.c.run_id.in_(select(runs.c.id).where(runs.c.as_of == day))))
        tx.execute(delete(runs).where(runs.c.as_of == day))


def test_explain_after_the_days_run_reads_the_stored_decision_while_it_stands(
        built, monkeypatch: pytest.MonkeyPatch) -> None:
    """After classify stored the day's run, explain reads each room's stored decision instead of deciding again,
    and says exactly what deciding again says, for every room (owing or not). Under another policy the stored
    run no longer stands for that decision: explain decides the room again."""
    from feedun.decide.classify import classify

    store, (settings, broad) = built
    day = DAYS[2]
    named: set[int | None] = set()
    decided_again = _explain_every_room(store, settings, day, named)
    broad_again = _explain_every_room(store, broad, day)
    assert sum(isinstance(v, dict) for v in decided_again.values()) >= 20
    assert named == {None}  # no stored run yet: every explanation says its values were decided now
    run_id = classify(store, settings, as_of=day).run_id
    try:
        real_decide_room = classify_module.decide_room
        calls: list[str] = []

        def refuse(*args: Any) -> Decisions:
            calls.append(args[-1])
            return real_decide_room(*args)

        monkeypatch.setattr(classify_module, "decide_room", refuse)
        named.clear()
        assert _explain_every_room(store, settings, day, named) == decided_again
        assert calls == []  # every answer came from the stored run, and says which
        assert named == {run_id} and run_id is not None
        named.clear()
        assert _explain_every_room(store, broad, day, named) == broad_again
        assert named == {None}
        assert len(calls) == len(broad_again)  # each room decided again, owing or not
    finally:
        _forget_run(store, day)


def test_stored_decision_reads_back_without_pandas(built) -> None:
    """The one-room read of a stored decision imports neither pandas nor numpy (explain's start-up, issue 18):
    a fresh interpreter explains a room from the stored run and reports what it loaded."""
    import json
    import subprocess
    import sys

    from feedun.decide.classify import classify

    store, (settings, _) = built
    day = DAYS[2]
    classify(store, settings, as_of=day)
    code = f"""
import json, sys
from datetime import date
from feedun.config import Settings
from feedun.store import Store
from feedun.decide.explain import explain_room
settings = Settings.model_validate_json(sys.argv[1])
settings.workspace = __import__("pathlib").Path(sys.argv[2])
got = explain_room(Store.for_settings(settings), settings, "1-1-101", estate={SUNNY!r}, as_of=date.fromisoformat(sys.argv[3]))
print(json.dumps({{"tactic": got.tactic, "rules": len(got.rules), "loaded": sorted(m for m in ("pandas", "numpy") if m in sys.modules)}}))
"""
    try:
        done = subprocess.run([sys.executable, "-c", code, settings.model_dump_json(by_alias=True), str(settings.workspace),
                               day.isoformat()], capture_output=True, text=True, timeout=120, check=False)
    finally:
        _forget_run(store, day)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["loaded"] == [] and answer["rules"] >= 9 and answer["tactic"], answer
