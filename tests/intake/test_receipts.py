"""SMS delivery reports: Aliyun and Tencent formats read into contacts, and what they change downstream."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from feedun.config import Settings
from feedun.decide.features import feature_table
from feedun.intake.importer import import_file
from feedun.store import Store
from helpers import query

GOLDEN = Path(__file__).parent / "golden" / "sms"
# (room, mobile, oldest period owed): 1-1-101 has owed since 2023-01, over 30 months before the snapshot.
ROOMS = [("1-1-101", "13900000001", "2023-01"), ("1-1-102", "13900000002", "2026-10"),
         ("1-1-103", "13900000003", "2026-10"), ("2-1-101", "13900000004", "2026-10"),
         ("2-1-102", "13900000004", "2026-10")]  # one owner, two rooms, one number


@pytest.fixture
def ledger(settings: Settings, tmp_path: Path) -> Settings:
    wb = Workbook()
    ws = wb.active
    ws.append(["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"])
    for room, mobile, period in ROOMS:
        ws.append(["阳光花园", room, "王芳", mobile, "物业服务费", period, 300])
    wb.save(tmp_path / "ledger.xlsx")
    import_file(tmp_path / "ledger.xlsx", settings, as_of=date(2026, 11, 25))
    return settings


def contacts(settings: Settings) -> list[tuple]:
    return query(settings.workspace, "select r.room, c.channel, c.outcome, c.at from contacts c "
                                     "join rooms r on r.id = c.room_id order by r.room, c.at")


def test_aliyun_console_export_gbk(ledger: Settings) -> None:
    result = import_file(GOLDEN / "aliyun-console.csv", ledger)
    assert result.kind == "sms_receipts"
    # 6 rows: 3 delivered (one number of two rooms, told apart by the room in the text), 1 failed, 1 waiting,
    # 1 number no room has.
    assert (result.rows_read, result.accepted, result.rejected, result.skipped_detail) == (6, 4, 1, {"等待回执": 1})
    assert [(room, channel, outcome) for room, channel, outcome, _ in contacts(ledger)] == [
        ("1-1-101", "sms", "sms_delivered"), ("1-1-102", "sms", "sms_failed"),
        ("2-1-101", "sms", "sms_delivered"), ("2-1-102", "sms", "sms_delivered")]
    assert str(contacts(ledger)[0][3]).startswith("2026-11-26 09:00:05")  # the receipt's time, Beijing
    from openpyxl import load_workbook

    [rejected] = list(load_workbook(result.rejects_file).active.iter_rows(min_row=2, values_only=True))
    assert "台账中没有手机号 139****0099 的房间" in rejected  # the reason column, the number masked
    assert import_file(GOLDEN / "aliyun-console.csv", ledger).duplicate  # the same file again changes nothing


@pytest.mark.parametrize(("name", "at"), [("aliyun-report.csv", "2026-11-27 10:00:03"),
                                          ("tencent-pull.csv", "2026-11-28 11:00:00")])
def test_platform_reports(ledger: Settings, name: str, at: str) -> None:
    result = import_file(GOLDEN / name, ledger)
    assert (result.kind, result.accepted, result.rejected) == ("sms_receipts", 2, 0)
    rows = contacts(ledger)
    assert [(r, o) for r, _, o, _ in rows] == [("1-1-101", "sms_delivered"), ("1-1-102", "sms_failed")]
    assert str(rows[0][3]).startswith(at)


def test_a_number_of_two_rooms_without_a_room_in_the_text_is_refused(ledger: Settings, tmp_path: Path) -> None:
    path = tmp_path / "回执.csv"
    path.write_text("手机号码,发送状态,发送时间\n13900000004,成功,2026-11-26 09:00:00\n", encoding="utf-8")
    from feedun.core.errors import FeedunError

    with pytest.raises(FeedunError, match="全部 1 行回执都被拒收"):
        import_file(path, ledger)
    assert contacts(ledger) == []  # nothing guessed


def test_a_delivered_notice_lifts_the_limitation_flag_and_failures_lead_to_trace(ledger: Settings) -> None:
    store = Store.for_settings(ledger)

    def feature(room: str, name: str, on: date = date(2026, 11, 30)):
        frame = feature_table(store, ledger, on)
        return frame.set_index("room").loc[room, name]

    assert bool(feature("1-1-101", "limitation_risk"))  # owed since 2023-01, no demand reached the owner
    import_file(GOLDEN / "aliyun-console.csv", ledger)
    assert not bool(feature("1-1-101", "limitation_risk"))  # the delivered bill notice reached them
    import_file(GOLDEN / "aliyun-report.csv", ledger)
    import_file(GOLDEN / "tencent-pull.csv", ledger)
    assert int(feature("1-1-102", "failed_streak")) == 3 and not bool(feature("1-1-102", "reachable"))
    from feedun.decide.classify import classify

    decided = classify(store, ledger, as_of=date(2026, 11, 30))
    assert decided.frame.set_index("room").loc["1-1-102", "tactic"] == "trace"
