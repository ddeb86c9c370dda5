"""Issue 15, item 7: `feedun purge` erases only owners who owed once and not within the retention period; a name
the ledger gives a purged room again is not an owner change."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from feedun.admin.purge import ERASED, purge
from feedun.config import Settings
from feedun.intake.importer import import_file
from feedun.memory.contacts import ContactRequest, log_contact
from feedun.memory.history import room_history
from feedun.memory.profiles import TagRequest, tag_room
from feedun.store import Store
from helpers import query

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"]



def snapshot(path: Path, rooms: dict[str, tuple[str, float]], period: str = "2022-01") -> Path:
    """A one-estate arrears ledger: room -> (owner, arrears in yuan)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for room, (owner, owed) in rooms.items():
        ws.append(["阳光花园", room, owner, "13812345678", "物业服务费", period, owed])
    wb.save(path)
    return path


def test_the_examples_offer_nobody_with_the_default_retention(settings: Settings, store: Store) -> None:
    """Data only from 2026: no one has been settled for three years. Rooms that never owed have nothing to purge;
    they are not 'last owed before the cut-off'."""
    import_file(EXAMPLES / "ledger-2026-10.csv", settings)
    import_file(EXAMPLES / "ledger.xlsx", settings)
    counted = purge(store, settings, today=date(2026, 12, 2))
    assert (counted.rooms, counted.lines) == (0, 0)
    # Even a cut-off after every snapshot offers only the eight rooms that owed in October and paid in November,
    # never the hundreds that never owed.
    late = purge(store, settings, before=date(2026, 12, 1), today=date(2026, 12, 2))
    assert late.rooms == 8
    done = purge(store, settings, apply=True, today=date(2026, 12, 2))
    assert (done.rooms, done.applied) == (0, False)
    assert query(settings.workspace, "select count(*) from rooms where owner = :e", e=ERASED) == [(0,)]


def test_a_purged_name_coming_back_is_not_an_owner_change(tmp_path: Path, settings: Settings, store: Store) -> None:
    import_file(snapshot(tmp_path / "a.xlsx", {"1-1-101": ("郑强", 300), "1-1-102": ("李雷", 200)}), settings,
                as_of=date(2022, 1, 31))
    import_file(snapshot(tmp_path / "b.xlsx", {"1-1-102": ("李雷", 200)}), settings, as_of=date(2022, 2, 28))
    done = purge(store, settings, apply=True, today=date(2026, 12, 2))  # 郑强 last owed in January 2022
    assert (done.rooms, done.applied) == (1, True)
    assert query(tmp_path, "select owner from rooms where room = '1-1-101'") == [(ERASED,)]

    back = import_file(snapshot(tmp_path / "c.xlsx", {"1-1-101": ("郑强", 300), "1-1-102": ("李雷", 200)},
                                period="2026-11"), settings, as_of=date(2026, 11, 30))
    assert back.owner_changes == 0
    assert not any("→" in c or ERASED in c for c in back.changes)
    assert any("重新记载了业主姓名（不视为业主变更）" in c for c in back.changes)
    assert query(tmp_path, "select owner from rooms where room = '1-1-101'") == [("郑强",)]
    assert [e for e in room_history(store, settings, "1-1-101").events if e.kind == "owner_change"] == []

    # The room is the owner's again: tags and promises follow them from now on.
    tag_room(store, settings, TagRequest(room="1-1-101", add=["rapport"]))
    log_contact(store, settings, ContactRequest(room="1-1-101", outcome="promised", promise_date=date(2026, 12, 10),
                                                at=datetime(2026, 12, 1, 10, 0), by="王管家"),
                now=datetime(2026, 12, 1, 11, 0))
    again = import_file(snapshot(tmp_path / "d.xlsx", {"1-1-101": ("郑强", 300), "1-1-102": ("李雷", 250)},
                                 period="2026-11"), settings, as_of=date(2026, 12, 5))
    assert again.owner_changes == 0
    assert tag_room(store, settings, TagRequest(room="1-1-101")).tags == ["rapport"]
    assert query(tmp_path, "select owner, state from promises") == [("郑强", "open")]
