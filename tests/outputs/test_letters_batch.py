"""Issue 18: letters in bulk. Numbers taken as a block equal numbers taken one by one (held numbers skipped);
the streamed combined print file holds what `combine` joins; skipping docxtpl's listing pass changes nothing."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert

from feedun.config import Settings
from feedun.outputs.letters.docx_render import PreparedTemplate
from feedun.outputs.templating import shipped_templates
from feedun.store import Store
from feedun.store.letters import lock_numbering, next_number, next_numbers
from feedun.store.schema import letters, rooms


def _store_with_held_numbers(tmp_path: Path) -> Store:
    """A store where hand-made letters already hold numbers 3, 4 and 7 of 2026."""
    store = Store.for_settings(Settings(workspace=tmp_path))
    with store.write() as conn:
        room_id = conn.execute(insert(rooms).values(estate="翠湖苑", room="1-1-101", owner="张三")).inserted_primary_key[0]
        for seq in (3, 4, 7):
            conn.execute(insert(letters).values(number=f"催字〔2026〕第{seq:04d}号", kind="dunning", room_id=room_id,
                                                owner="张三", amount=100, late_fee=0, issued_on=date(2026, 1, 5),
                                                state="sent"))
    return store


class _Undo(Exception):
    """Raised to roll a transaction back after looking at what it did."""


def test_a_block_of_numbers_is_what_one_at_a_time_gives(tmp_path: Path) -> None:
    store = _store_with_held_numbers(tmp_path)  # one store (on PostgreSQL the test's one database)
    singly: list[str] = []
    with pytest.raises(_Undo), store.write() as conn:  # numbers taken one by one, then rolled back
        lock_numbering(conn, "dunning", 2026)
        singly = [next_number(conn, "dunning", 2026) for _ in range(6)]
        raise _Undo
    with store.write() as conn:
        lock_numbering(conn, "dunning", 2026)
        together = next_numbers(conn, "dunning", 2026, 6)
    assert together == singly
    assert [int(n[-5:-1]) for n in together] == [5, 6, 8, 9, 10, 11]  # counter at 3 (letters of 2026); 4, 7 held
    with store.write() as conn:
        lock_numbering(conn, "dunning", 2026)
        assert next_numbers(conn, "dunning", 2026, 0) == []
        assert next_number(conn, "dunning", 2026) == "催字〔2026〕第0012号"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_streamed_combined_file_holds_the_same_parts_as_combine(tmp_path: Path) -> None:
    template = PreparedTemplate(shipped_templates() / "letters" / "dunning.docx")
    base = {"company": "嘉禾物业", "company_address": "", "company_phone": "", "payment_methods": [], "bank_name": "",
            "bank_account": "", "contact_person": "", "owner": "张三", "estate": "翠湖苑", "room": "1-1-101",
            "items": [{"fee_item": "物业服务费", "period": "2026年10月", "amount": "120.00"}],
            "principal": "120.00", "principal_capitals": "壹佰贰拾元整", "balance_date": "2026年12月1日",
            "has_late_fee": False, "late_fee": "0.00", "late_fee_basis": "", "dispute_resolved": False,
            "issued": "2026年12月7日", "deadline": "2026年12月22日", "demands": [], "law_firm": "", "lawyer": "",
            "law_firm_phone": "", "law_firm_address": "", "licence_number": "", "pay_qr": None}
    xmls = [template.document_xml({**base, "number": f"催字〔2026〕第{i:04d}号", "owner": f"业主{i}\n（代收）"})
            for i in range(1, 4)]
    assert "<w:br/>" in xmls[0]  # a newline in a value still becomes a line break (the listing pass ran)
    images = {"rIdPayQr20260001": b"\x89PNG one", "rIdPayQr20260003": b"\x89PNG three"}
    whole = tmp_path / "whole.docx"
    whole.write_bytes(template.combine(xmls, images))
    streamed = tmp_path / "streamed.docx"
    with template.combined_writer(streamed) as writer:
        writer.add(xmls[0], {"rIdPayQr20260001": images["rIdPayQr20260001"]})
        writer.add(xmls[1])
        writer.add(xmls[2], {"rIdPayQr20260003": images["rIdPayQr20260003"]})
    assert _parts(streamed) == _parts(whole)
    plain = template.document_xml({**base, "number": "催字〔2026〕第0009号"})
    assert plain == template._docxtpl.resolve_listing(plain)  # nothing to resolve: skipping it is exact
