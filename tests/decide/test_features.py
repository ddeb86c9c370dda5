"""The feature table classify reads: exact money, streaks, current owner only, letters, limitation risk."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from feedun.config import Settings
from feedun.decide.features import FIELDS, NONE_DAYS, feature_table
from feedun.intake.importer import import_file
from feedun.memory.contacts import ContactRequest, log_contact
from feedun.store import Store
from feedun.store.letters import record_sent_letter
from feedun.store.rooms import find_room

HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应缴日期", "欠费金额(元)"]
NOW = datetime(2026, 11, 30, 12, 0)


def ledger(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    s = Settings(workspace=tmp_path)
    import_file(ledger(tmp_path / "l.xlsx", [
        ["阳光花园", "1-1-101", "王芳", "13812345678", "物业服务费", "2026-09", "2026-09-15", 100.00],
        ["阳光花园", "1-1-101", "王芳", "13812345678", "物业服务费", "2026-10", "2026-10-15", 100.00],
        ["阳光花园", "1-1-102", "李雷", "", "物业服务费", "2023-04", "2023-04-15", 55.55],
        ["阳光花园", "1-1-103", "韩梅", "13812345679", "物业服务费", "2026-10", "2026-10-15", 0],
    ]), s, as_of=date(2026, 11, 1))
    return s


@pytest.fixture
def store(settings: Settings) -> Store:
    return Store.for_settings(settings)


def row(frame, room: str):
    return frame[frame["room"] == room].iloc[0]


def test_one_row_per_room_with_arrears_and_every_field(settings: Settings, store: Store) -> None:
    f = feature_table(store, settings, as_of=date(2026, 11, 30))
    assert sorted(f["room"]) == ["1-1-101", "1-1-102"]  # 1-1-103 owes nothing
    assert set(FIELDS) <= set(f.columns)
    a = row(f, "1-1-101")
    assert (a["outstanding_fen"], a["outstanding"], a["unpaid_periods"], a["oldest_period"]) == (20000, 200.0, 2,
                                                                                               "2026-09")
    assert a["months_overdue"] == 2
    assert a["late_fee_fen"] == 0  # no late fee unless the company's contract rate is configured
    settings.fees.late_fee_daily_rate = "0.003"
    a = row(feature_table(store, settings, as_of=date(2026, 11, 30)), "1-1-101")
    # 3‰ a day on each line's principal from its own due date: 100 yuan × (76 + 46 days) × 0.003 = 36.60 yuan.
    assert a["late_fee_fen"] == 3660
    assert a["has_phone"] and a["reachable"]
    assert (a["attempts"], a["days_since_last_contact"], a["demand_letters_sent"]) == (0, NONE_DAYS, 0)
    b = row(f, "1-1-102")
    assert not b["has_phone"] and not b["reachable"]
    assert b["limitation_risk"]  # due 2023-04-15, 43 months ago, never demanded
    assert not a["limitation_risk"]


def test_contact_streaks_and_counts(settings: Settings, store: Store) -> None:
    for day, outcome in ((2, "vague"), (3, "busy_away"), (4, "no_answer"), (5, "no_answer"), (6, "no_answer")):
        log_contact(store, settings, ContactRequest(room="1-1-101", outcome=outcome, at=datetime(2026, 11, day, 10)),
                    now=NOW)
    a = row(feature_table(store, settings, as_of=date(2026, 11, 30)), "1-1-101")
    assert (a["attempts"], a["failed_streak"], a["vague_count"], a["busy_count"]) == (5, 3, 1, 1)
    assert a["last_outcome"] == "no_answer" and not a["reachable"]
    assert a["days_since_last_contact"] == 24
    log_contact(store, settings, ContactRequest(room="1-1-101", outcome="callback", at=datetime(2026, 11, 7, 10)),
                now=NOW)
    a = row(feature_table(store, settings, as_of=date(2026, 11, 30)), "1-1-101")
    assert a["failed_streak"] == 0 and a["reachable"]
    # Contacts after the as-of date do not count.
    assert row(feature_table(store, settings, as_of=date(2026, 11, 2)), "1-1-101")["attempts"] == 1


def test_sent_letters_and_lawyer_deadline(settings: Settings, store: Store) -> None:
    with store.write() as conn:
        room = find_room(conn, "1-1-101")
        record_sent_letter(conn, room, "dunning", date(2026, 11, 1), 20000)
        record_sent_letter(conn, room, "dunning", date(2026, 11, 10), 20000)
        number = record_sent_letter(conn, room, "lawyer", date(2026, 11, 20), 20000, deadline=date(2026, 12, 4))
    assert number == "律字〔2026〕第0001号"
    a = row(feature_table(store, settings, as_of=date(2026, 11, 30)), "1-1-101")
    assert (a["demand_letters_sent"], a["days_since_last_demand"]) == (2, 20)
    assert (a["lawyer_letter_state"], a["days_to_lawyer_deadline"]) == ("sent", 4)


def test_a_recent_demand_clears_limitation_risk(settings: Settings, store: Store) -> None:
    log_contact(store, settings, ContactRequest(room="1-1-102", outcome="refused_other", channel="visit",
                                         at=datetime(2026, 11, 20, 10)), now=NOW)
    assert not row(feature_table(store, settings, as_of=date(2026, 11, 30)), "1-1-102")["limitation_risk"]


def test_open_promise_is_quiet_until_its_date_then_due(settings: Settings, store: Store) -> None:
    log_contact(store, settings, ContactRequest(room="1-1-101", outcome="promised", promise_date=date(2026, 11, 20),
                                         at=datetime(2026, 11, 10, 10)), now=NOW)
    before = row(feature_table(store, settings, as_of=date(2026, 11, 19)), "1-1-101")
    on_the_day = row(feature_table(store, settings, as_of=date(2026, 11, 20)), "1-1-101")
    assert (before["promises_open"], before["promises_due"]) == (1, 0)
    assert (on_the_day["promises_open"], on_the_day["promises_due"]) == (0, 1)


def test_unpaid_months_count_each_month_of_a_range_and_this_month_counts_one(tmp_path: Path) -> None:
    """欠费月数 is the unpaid months (issue 15, item 3): a room owing only this month owes 1 (its 账龄 is 0), a
    range line 2026-07至2026-09 is 3 months, a late fee on it accrues per month from each month's due date."""
    s = Settings.model_validate({"fees": {"late_fee_daily_rate": "0.001"}})
    s.workspace = tmp_path
    path = tmp_path / "r.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["管理处", "房号", "业主", "收费项目", "所属期间", "欠费金额"])
    ws.append(["阳光花园", "9-1-502", "张伟", "物业服务费", "2026-11", 100])
    ws.append(["阳光花园", "9-1-503", "李娜", "物业服务费", "2026-07至2026-09", 300])
    ws.append(["阳光花园", "9-1-504", "王强", "物业服务费", "2026-08", 100])
    ws.append(["阳光花园", "9-1-504", "王强", "物业服务费", "2026-07至2026-09", 300])
    wb.save(path)
    store = Store.for_settings(s)
    import_file(path, s, store=store, as_of=date(2026, 11, 25))
    f = feature_table(store, s, as_of=date(2026, 11, 30)).set_index("room")
    assert (f.loc["9-1-502", "unpaid_periods"], f.loc["9-1-502", "months_overdue"]) == (1, 0)
    assert f.loc["9-1-503", "unpaid_periods"] == 3 and f.loc["9-1-504", "unpaid_periods"] == 3  # 08 counted once
    # 100 yuan for each of 07, 08, 09, due the 15th: (138 + 107 + 76 days) × 1‰ × 100 yuan = 32.10 yuan, not
    # 300 yuan × 138 days × 1‰ = 41.40 yuan from the range's first due date.
    assert f.loc["9-1-503", "late_fee_fen"] == 3210


def test_a_rooms_phones_are_each_listed_once_in_the_order_its_lines_give_them() -> None:
    """Issue 18: the join works once per distinct (room, cell); the answer is the one per line."""
    import pandas as pd

    from feedun.decide.features import _room_phones

    lines = pd.DataFrame({"room_id": [7, 3, 7, 7, 3, 7, None, 9],
                          "phones": ["139", "", "139,138", "137,139", "", "139", "136", ""]})
    joined = _room_phones(lines)
    assert joined.to_dict() == {7: "139,138,137", 3: "", 9: ""}
    assert list(joined.index) == [7, 3, 9] and joined.index.name == "room_id"


def test_a_rooms_oldest_due_date_is_the_earliest_of_its_lines() -> None:
    """Issue 18: the minimum is taken over day numbers, once per distinct date; the answer is groupby's own."""
    from datetime import date

    import pandas as pd

    from feedun.decide.features import _earliest

    days = pd.Series([date(2026, 3, 15), date(2025, 12, 15), date(2026, 1, 15), date(2025, 12, 15),
                      date(2024, 2, 29), date(2026, 11, 30)], index=[10, 11, 12, 13, 14, 15], dtype=object)
    rooms = pd.Series([7, 7, 3, 3, 9, 7], index=days.index)
    earliest = _earliest(days, rooms)
    assert earliest.to_dict() == {7: date(2025, 12, 15), 3: date(2025, 12, 15), 9: date(2024, 2, 29)}
    assert earliest.equals(days.groupby(rooms, sort=False).min().astype(object))
    assert all(type(d) is date for d in earliest)  # dates, as the features use them, not Timestamps


def test_typed_text_columns_are_plain_text_whatever_they_came_as() -> None:
    """Decisions' text columns: str, "" for a gap, object dtype. A column already so is kept as it is (issue 18:
    typed runs twice on a day's decisions); one with a gap or another dtype is rewritten."""
    import math

    import pandas as pd

    from feedun.decide.decisions import typed

    frame = pd.DataFrame({"estate": ["东湖苑", "西苑"], "owner": [None, "王芳"], "oldest_period": [math.nan, "2026-01"],
                          "dispute": pd.Series(["quality", pd.NA], dtype="string"), "room": [1201, "8-2-1201"]})
    once = typed(frame)
    assert once["owner"].tolist() == ["", "王芳"] and once["oldest_period"].tolist() == ["", "2026-01"]
    assert once["dispute"].tolist() == ["quality", ""] and once["room"].tolist() == ["1201", "8-2-1201"]
    assert all(once[c].dtype == object for c in once) and all(isinstance(v, str) for c in once for v in once[c])
    pd.testing.assert_frame_equal(typed(once), once)
