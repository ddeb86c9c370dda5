"""Letters: documents read back with python-docx, numbering, the register's state machine, lawyer-letter guard."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document

from feedun.config import Settings
from feedun.core.errors import ConfigError, FeedunError, UsageError
from feedun.decide.classify import classify
from feedun.decide.features import feature_table
from feedun.intake.importer import import_file
from feedun.memory.contacts import ContactRequest, log_contact
from feedun.outputs.capitals import capitals
from feedun.outputs.letters.generate import generate_letters as generate
from feedun.outputs.letters.register import change_state, list_letters
from feedun.store import Store
from helpers import query

AS_OF = date(2026, 11, 27)
HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应缴日期", "欠费金额(元)"]


def generate_letters(settings: Settings, kind: str, *, as_of: date, **options):
    """The day's decisions (one classify), then the letters from them, as `feedun letters` does."""
    store = Store.for_settings(settings)
    return generate(store, settings, classify(store, settings, as_of=as_of), kind, **options)


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    from openpyxl import Workbook

    s = Settings.model_validate({"letters": {"bank_name": "某银行某支行", "bank_account": "6222 0000 1111"},
                                 "company": {"name": "阳光物业服务有限公司", "phone": "0571-88001234"}})
    s.workspace = tmp_path
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for month in range(3, 11):  # 8 months of 312.50 and a parking fee of 150 → 3,700.00 in all
        ws.append(["阳光花园", "8-2-1201", "王芳", "13812345678", "物业服务费", f"2026-{month:02d}",
                   f"2026-{month:02d}-15", 312.50])
    ws.append(["阳光花园", "8-2-1201", "王芳", "13812345678", "车位管理费", "2026-10", "2026-10-15", 1200.00])
    ws.append(["阳光花园", "3-1-101", "李雷", "13912345678", "物业服务费", "2026-10", "2026-10-15", 100.00])
    wb.save(tmp_path / "l.xlsx")
    import_file(tmp_path / "l.xlsx", s, as_of=date(2026, 11, 25))
    for day in (2, 9, 16):  # private tactics tried: the policy now asks for a demand letter
        log_contact(Store.for_settings(s), s, ContactRequest(room="8-2-1201", outcome="no_answer", at=datetime(2026, 11, day, 10)),
                    now=datetime(2026, 11, 27, 12))
    return s


def test_demand_letter_document_amounts_capitals_number_deadline(settings: Settings) -> None:
    batch = generate_letters(settings, "dunning", as_of=AS_OF)
    [letter] = batch.letters
    assert (letter.number, letter.room, letter.amount, letter.state) == ("催字〔2026〕第0001号", "8-2-1201", 370000, "draft")
    text = text_of(Path(letter.file))
    assert "催字〔2026〕第0001号" in text and "王芳" in text and "阳光花园 8-2-1201" in text
    assert "3,700.00" in text and capitals(370000) == "叁仟柒佰元整" and "叁仟柒佰元整" in text
    assert "2026年12月12日" in text  # 15 days after 2026-11-27
    assert "第九百四十四条" in text and "签收回执" in text and "6222 0000 1111" in text
    assert text.count("物业服务费") >= 8 and "车位管理费" in text and "2026-03" in text
    for word in ("停水", "停电", "断水", "断电", "停气"):
        assert word not in text
    late = int(feature_table(Store.for_settings(settings), settings, as_of=AS_OF).set_index("room").loc["8-2-1201", "late_fee_fen"])
    assert f"{late // 100:,}.{late % 100:02d}" in text  # the contractual late fee, shown apart from principal
    combined = text_of(batch.combined)
    assert "催字〔2026〕第0001号" in combined
    register = batch.register
    from openpyxl import load_workbook

    row = [c.value for c in load_workbook(register).active[2]]
    assert row[:2] == ["催字〔2026〕第0001号", "催费函"] and row[5] == "草稿"


def test_rerun_same_day_reuses_numbers_next_day_numbers_on(settings: Settings) -> None:
    first = generate_letters(settings, "dunning", as_of=AS_OF)
    again = generate_letters(settings, "dunning", as_of=AS_OF)
    assert again.reused == 1 and [x.number for x in again.letters] == [x.number for x in first.letters]
    explicit = generate_letters(settings, "dunning", as_of=AS_OF, rooms=["3-1-101"])
    assert explicit.letters[0].number == "催字〔2026〕第0002号"
    assert len(list_letters(Store.for_settings(settings))) == 2


def test_state_machine_and_only_sent_letters_count(settings: Settings) -> None:
    [letter] = generate_letters(settings, "dunning", as_of=AS_OF).letters
    store = Store.for_settings(settings)
    f = feature_table(Store.for_settings(settings), settings, as_of=AS_OF).set_index("room")
    assert f.loc["8-2-1201", "demand_letters_sent"] == 0  # a draft does not count
    with pytest.raises(UsageError, match="寄送方式"):
        change_state(store, [letter.number], "sent")
    with pytest.raises(FeedunError, match="不能改为"):
        change_state(store, [letter.number], "signed")
    [sent] = change_state(store, [letter.number], "sent", method="ems", tracking="EA123456789CN", on=AS_OF)
    assert (sent.state, sent.delivery, sent.evidence, sent.sent_on) == ("sent", "ems", "EA123456789CN", AS_OF)
    f = feature_table(Store.for_settings(settings), settings, as_of=date(2026, 11, 30)).set_index("room")
    assert (f.loc["8-2-1201", "demand_letters_sent"], f.loc["8-2-1201", "days_since_last_demand"]) == (1, 3)
    [signed] = change_state(store, [letter.number], "signed", on=date(2026, 11, 29))
    assert signed.state == "signed" and "已签收 2026-11-29" in signed.evidence
    with pytest.raises(FeedunError, match="不能改为"):
        change_state(store, [letter.number], "void")
    with pytest.raises(FeedunError, match="没有编号"):
        change_state(store, ["催字〔2026〕第9999号"], "void")


def test_lawyer_letter_refused_without_a_law_firm_then_drafted_with_evidence(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="律师事务所"):
        generate_letters(settings, "lawyer", as_of=AS_OF)
    settings.law_firm = Settings.model_validate({"law_firm": {"name": "某某律师事务所", "address": "某路 1 号",
                                                               "lawyer": "张律师", "phone": "0571-00000000"}}).law_firm
    [d1] = generate_letters(settings, "dunning", as_of=date(2026, 11, 25), rooms=["8-2-1201"]).letters
    [d2] = generate_letters(settings, "dunning", as_of=date(2026, 11, 26), rooms=["8-2-1201"]).letters
    store = Store.for_settings(settings)
    change_state(store, [d1.number], "sent", method="ems", tracking="EA1", on=date(2026, 11, 25))
    change_state(store, [d2.number], "sent", method="hand", tracking="本人签收", on=date(2026, 11, 26))
    assert generate_letters(settings, "lawyer", as_of=date(2026, 11, 30)).letters == []  # 7 quiet days first
    batch = generate_letters(settings, "lawyer", as_of=date(2026, 12, 4))
    [letter] = batch.letters
    assert letter.number == "律字〔2026〕第0001号" and letter.deadline == date(2026, 12, 18)  # 14 days
    text = text_of(Path(letter.file))
    assert "某某律师事务所" in text and "张律师" in text and d1.number in text and "EA1" in text
    assert "2026年12月18日" in text and "诉讼" in text
    from openpyxl import load_workbook

    pack = load_workbook(batch.evidence[0])
    assert pack.sheetnames == ["欠费明细", "函件记录", "联系记录"]
    assert pack["欠费明细"].max_row == 11 and pack["联系记录"].max_row == 4  # 9 lines, the header and the 合计 row


def test_cli_letters_and_register_json(tmp_path: Path, settings: Settings) -> None:
    feedun = Path(sys.executable).with_name("feedun")
    made = subprocess.run([str(feedun), "letters", "--kind", "dunning", "--as-of", "2026-11-27", "--json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    listed = subprocess.run([str(feedun), "letters", "list", "--json"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    [row] = json.loads(listed.stdout)
    assert set(row) == {"number", "kind", "estate", "room", "owner", "state", "issued", "deadline", "amount"}
    assert (row["state"], row["amount"]) == ("draft", 3700.0)
    sent = subprocess.run([str(feedun), "letters", "mark-sent", row["number"], "--method", "ems", "--tracking",
                           "EA123456789CN"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert sent.returncode == 0, sent.stderr
    plain = subprocess.run([str(feedun), "letters", "list"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "COLUMNS": "250"})
    assert "EMS 特快专递 EA123456789CN" in " ".join(plain.stdout.split()) and " ems " not in plain.stdout
    lawyer = subprocess.run([str(feedun), "letters", "--kind", "lawyer"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert lawyer.returncode == 1 and "[law_firm]" in lawyer.stderr and "Traceback" not in lawyer.stderr
    assert query(tmp_path, "select count(*) from letters where kind = 'lawyer'") == [(0,)]


@pytest.mark.parametrize("fen,text", [(0, "零元整"), (5, "伍分"), (100, "壹元整"), (100203, "壹仟零贰元零叁分"),
                                      (1000000, "壹万元整"), (100000100, "壹佰万零壹元整"),
                                      (12300000000, "壹亿贰仟叁佰万元整"), (10050, "壹佰元伍角")])
def test_capitals(fen: int, text: str) -> None:
    assert capitals(fen) == text


def test_filled_register_moves_letters_through_the_same_states(settings: Settings, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    first = generate_letters(settings, "dunning", as_of=AS_OF)
    generate_letters(settings, "dunning", as_of=AS_OF, rooms=["3-1-101"])
    from feedun.outputs.letters.register import write_register

    store = Store.for_settings(settings)
    path = write_register(tmp_path / "登记表.xlsx", list_letters(store))
    wb = load_workbook(path)
    ws = wb.active
    col = {c.value: c.column for c in ws[1]}
    ws.cell(2, col["状态"], "已发出")
    ws.cell(2, col["寄送方式"], "EMS 特快专递")
    ws.cell(2, col["单号/凭证"], "EA999")
    ws.cell(2, col["发出日期"], "2026-11-28")
    ws.cell(3, col["状态"], "已签收")  # a draft cannot be signed before it was sent
    wb.save(path)
    result = import_file(path, settings)
    assert result.kind == "register" and (result.accepted, result.rejected) == (1, 1)
    states = {r.number: (r.state, r.evidence, r.sent_on) for r in list_letters(store)}
    assert states[first.letters[0].number] == ("sent", "EA999", date(2026, 11, 28))
    assert states["催字〔2026〕第0002号"][0] == "draft"


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice not installed")
def test_pdf_conversion_with_libreoffice(settings: Settings) -> None:
    batch = generate_letters(settings, "dunning", as_of=AS_OF, pdf=True)
    assert batch.pdfs and all(p.exists() and p.read_bytes()[:4] == b"%PDF" for p in batch.pdfs)


# ---- issue 15, items 5 and 6: every sentence of a letter is true of its owner ----------------------------------

def paragraphs_of(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs]


def with_law_firm(settings: Settings, lawyer: str = "张明律师") -> Settings:
    settings.law_firm = Settings.model_validate({"law_firm": {"name": "某某律师事务所", "address": "某路 1 号",
                                                               "lawyer": lawyer, "phone": "0571-00000000"}}).law_firm
    return settings


def send_two_demands(settings: Settings) -> tuple[str, str]:
    """Two demand letters to 8-2-1201: the first sent by EMS and signed for, the second only sent."""
    [d1] = generate_letters(settings, "dunning", as_of=date(2026, 11, 25), rooms=["8-2-1201"]).letters
    [d2] = generate_letters(settings, "dunning", as_of=date(2026, 11, 26), rooms=["8-2-1201"]).letters
    store = Store.for_settings(settings)
    change_state(store, [d1.number], "sent", method="ems", tracking="EA1", on=date(2026, 11, 25))
    change_state(store, [d1.number], "signed", on=date(2026, 11, 27))
    change_state(store, [d2.number], "sent", method="ems", tracking="EA2", on=date(2026, 11, 26))
    return d1.number, d2.number


RESOLVED = "我们对您此前提出的问题已作说明或处理"


def test_dispute_sentence_only_for_an_owner_whose_recorded_dispute_was_resolved(settings: Settings) -> None:
    from feedun.memory.profiles import TagRequest, tag_room

    [never] = generate_letters(settings, "dunning", as_of=AS_OF, rooms=["8-2-1201"]).letters
    assert RESOLVED not in text_of(Path(never.file))  # never raised anything
    store = Store.for_settings(settings)
    tag_room(store, settings, TagRequest(room="8-2-1201", dispute="vacancy", dispute_open=True))
    [open_] = generate_letters(settings, "dunning", as_of=date(2026, 11, 28), rooms=["8-2-1201"]).letters
    assert RESOLVED not in text_of(Path(open_.file))  # raised, not yet answered
    tag_room(store, settings, TagRequest(room="8-2-1201", dispute_open=False))
    [resolved] = generate_letters(settings, "dunning", as_of=date(2026, 11, 29), rooms=["8-2-1201"]).letters
    assert RESOLVED in text_of(Path(resolved.file))


def test_lawyer_draft_says_delivered_only_for_signed_demand_letters(settings: Settings) -> None:
    signed, sent = send_two_demands(with_law_firm(settings))
    [letter] = generate_letters(settings, "lawyer", as_of=date(2026, 12, 4)).letters
    lines = paragraphs_of(Path(letter.file))
    [signed_line] = [p for p in lines if signed in p]
    [sent_line] = [p for p in lines if sent in p]
    assert "送达" in signed_line and "EA1" in signed_line
    assert "送达" not in sent_line and "已寄出（EMS 特快专递，单号 EA2）" in sent_line


def test_balance_is_stated_as_of_the_ledger_snapshot_it_comes_from(settings: Settings) -> None:
    [letter] = generate_letters(settings, "dunning", as_of=AS_OF).letters  # the ledger is of 2026-11-25
    [balance] = [p for p in paragraphs_of(Path(letter.file)) if "尚有以下费用未缴纳" in p]
    assert "截至 2026年11月25日" in balance and "2026年11月27日" not in balance


def test_late_fee_sentence_only_with_a_late_fee(settings: Settings) -> None:
    [letter] = generate_letters(settings, "dunning", as_of=AS_OF).letters
    assert "滞纳金" not in text_of(Path(letter.file))  # no contract rate configured: no late fee at all
    settings.fees.late_fee_daily_rate = "0.0005"
    settings.letters.late_fee_basis = "物业服务合同第十二条"
    [letter] = generate_letters(settings, "dunning", as_of=date(2026, 11, 28)).letters
    [fee] = [p for p in paragraphs_of(Path(letter.file)) if "滞纳金" in p]
    assert "物业服务合同第十二条" in fee and "截至 2026年11月28日" in fee


def test_second_batch_the_same_day_keeps_the_first_in_the_print_file(settings: Settings) -> None:
    first = generate_letters(settings, "dunning", as_of=AS_OF)
    second = generate_letters(settings, "dunning", as_of=AS_OF, rooms=["3-1-101"])
    assert [x.number for x in second.letters] == ["催字〔2026〕第0002号"]
    assert second.combined == first.combined
    combined = text_of(second.combined)
    assert "催字〔2026〕第0001号" in combined and "催字〔2026〕第0002号" in combined
    assert combined.count("签收回执") == 2
    change_state(Store.for_settings(settings), ["催字〔2026〕第0002号"], "void")
    third = generate_letters(settings, "dunning", as_of=AS_OF, rooms=["8-2-1201"])  # the draft reused
    assert third.reused == 1 and "催字〔2026〕第0002号" not in text_of(third.combined)


def test_lawyer_letter_for_a_named_room_refused_below_the_policys_demand_letters_unless_forced(
        settings: Settings) -> None:
    with_law_firm(settings)
    [d1] = generate_letters(settings, "dunning", as_of=date(2026, 11, 25), rooms=["8-2-1201"]).letters
    change_state(Store.for_settings(settings), [d1.number], "sent", method="ems", tracking="EA1",
                 on=date(2026, 11, 25))
    with pytest.raises(FeedunError, match=r"已寄出的催费函 1 份.*至少 2 份") as refused:
        generate_letters(settings, "lawyer", as_of=date(2026, 12, 4), rooms=["8-2-1201"])
    assert "--force" in (refused.value.hint or "")
    assert query(settings.workspace, "select count(*) from letters where kind = 'lawyer'") == [(0,)]
    batch = generate_letters(settings, "lawyer", as_of=date(2026, 12, 4), rooms=["8-2-1201"], force=True)
    [letter] = batch.letters
    [(detail,)] = query(settings.workspace, "select detail from room_events where kind = 'letter_override'")
    assert letter.number in detail and "已寄出的催费函 1 份" in detail and "--force" in detail
    assert any(letter.number in w and "--force" in w for w in batch.warnings)
    again = generate_letters(settings, "lawyer", as_of=date(2026, 12, 4), rooms=["8-2-1201"], force=True)
    assert again.reused == 1  # the same draft: recorded once
    assert query(settings.workspace, "select count(*) from room_events where kind = 'letter_override'") == [(1,)]


def test_cli_lawyer_letter_force(tmp_path: Path, settings: Settings) -> None:
    from helpers import run_feedun

    (tmp_path / "feedun.toml").write_text('[law_firm]\nname = "某某律师事务所"\naddress = "某路 1 号"\n'
                                          'lawyer = "张明"\nphone = "0571-00000000"\n', encoding="utf-8")
    refused = run_feedun(["letters", "--kind", "lawyer", "--room", "8-2-1201", "--as-of", "2026-12-04"], tmp_path)
    assert refused.returncode == 1 and "已寄出的催费函 0 份" in refused.stderr and "--force" in refused.stderr
    forced = run_feedun(["letters", "--kind", "lawyer", "--room", "8-2-1201", "--as-of", "2026-12-04", "--force",
                         "--json"], tmp_path)
    assert forced.returncode == 0, forced.stderr
    made = json.loads(forced.stdout)
    assert [x["number"] for x in made["letters"]] == ["律字〔2026〕第0001号"]
    assert any("--force" in w for w in made["warnings"])


def test_missing_company_details_leave_their_sentences_out_and_are_reported_once(settings: Settings) -> None:
    settings.company.phone = ""
    settings.company.address = ""
    batch = generate_letters(settings, "dunning", as_of=AS_OF, rooms=["8-2-1201", "3-1-101"])
    for letter in batch.letters:
        text = text_of(Path(letter.file))
        assert "电话" not in text and "地址" not in text and "物业服务中心电话" not in text
    [warning] = batch.warnings
    assert "phone" in warning and "address" in warning and "feedun.toml" in warning and "[company]" in warning
    settings.company.phone = "0571-88001234"
    batch = generate_letters(settings, "dunning", as_of=AS_OF)
    assert "电话：0571-88001234" in text_of(Path(batch.letters[0].file)) and "地址" not in text_of(batch.combined)
    [warning] = batch.warnings
    assert "address" in warning and "phone" not in warning


@pytest.mark.parametrize("lawyer", ["张明律师", "张明"])
def test_lawyer_named_once_with_one_title(settings: Settings, lawyer: str) -> None:
    send_two_demands(with_law_firm(settings, lawyer))
    [letter] = generate_letters(settings, "lawyer", as_of=date(2026, 12, 4)).letters
    text = text_of(Path(letter.file))
    assert "指派张明律师，" in text and "律师律师" not in text


def test_a_demand_letter_carries_the_rooms_payment_code_and_the_combined_file_each_letters(settings: Settings) -> None:
    """Issue 17: pay on the spot. The code decodes back to the room's own page; a second batch the same day keeps
    the first letter's code in the combined print file."""
    import io
    import zipfile

    import zxingcpp
    from PIL import Image

    settings.company.payment_url = "https://pay.example.com/r/{room}"
    [letter] = generate_letters(settings, "dunning", as_of=AS_OF).letters
    assert "手机扫码，直接为本户缴费" in text_of(Path(letter.file))

    def codes(path: str | Path) -> list[str]:
        with zipfile.ZipFile(path) as z:
            pngs = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
        return sorted(r.text for png in pngs for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))

    assert codes(letter.file) == ["https://pay.example.com/r/8-2-1201"]
    second = generate_letters(settings, "dunning", as_of=AS_OF, rooms=["3-1-101"], force=True)
    assert codes(second.combined) == ["https://pay.example.com/r/3-1-101", "https://pay.example.com/r/8-2-1201"]
    assert len(Document(str(second.combined)).inline_shapes) == 2


def test_without_a_payment_page_a_letter_has_no_code_and_no_words_about_one(settings: Settings) -> None:
    import zipfile

    [letter] = generate_letters(settings, "dunning", as_of=AS_OF).letters
    assert "扫码" not in text_of(Path(letter.file))
    with zipfile.ZipFile(letter.file) as z:
        assert not [n for n in z.namelist() if n.startswith("word/media/")]
