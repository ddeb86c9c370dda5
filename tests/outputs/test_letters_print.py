"""Letters as an office prints them (issue 16): the closing block kept with the body, amounts right-aligned with
thousands separators, the lawyer draft on the firm's letterhead with the practising-licence number, delivery
methods in Chinese, evidence packs that read when printed; and, where LibreOffice is installed, the printed pages.

Documents are read back with python-docx and openpyxl; the printed pages through tests/rendering.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import Workbook, load_workbook

from feedun.config import Settings
from feedun.core.errors import ConfigError
from feedun.decide.classify import classify
from feedun.intake.importer import import_file
from feedun.memory.contacts import ContactRequest, log_contact
from feedun.outputs.letters.docx_render import starting_on_a_new_page
from feedun.outputs.letters.generate import LetterBatch
from feedun.outputs.letters.generate import generate_letters as generate
from feedun.outputs.letters.register import change_state
from feedun.outputs.xlsx import display_width
from feedun.store import Store
from rendering import read_pdf, requires_office, to_pdf

LEDGER_ON = date(2026, 11, 25)
AS_OF = date(2026, 12, 4)
ISSUED = "2026年12月4日"
ESTATE = "阳光花园"
COMPANY = "阳光物业服务有限公司"
FIRM = {"name": "某某律师事务所", "address": "杭州市西湖区某路 1 号", "lawyer": "张明律师", "phone": "0571-87000000"}
LICENCE = "13301200910123456"
MONTHLY, PARKING = 1312.50, 12345.60  # the room of 8 monthly lines owes 8 × 1,312.50 + 12,345.60 = 22,845.60
MONEY = re.compile(r"\d{1,3}(,\d{3})*\.\d{2}")
RAW_DELIVERY = re.compile(r"\b(ems|registered|hand)\b")  # the codes; their labels are EMS 特快专递, 挂号信, 专人送达


def room(index: int) -> str:
    return f"8-2-{1101 + index}"


def workspace(tmp_path: Path, lines: dict[str, int], *, due_dates: bool = True, licence: str | None = LICENCE,
              ) -> Settings:
    """A company whose ledger gives each room `lines[room]` monthly lines of 1,312.50 and a parking line of
    12,345.60; a law firm configured (with the licence number unless `licence` is None)."""
    firm = dict(FIRM) | ({"licence_number": licence} if licence is not None else {})
    settings = Settings.model_validate({"company": {"name": COMPANY, "phone": "0571-88001234",
                                                    "address": "杭州市某区某路 8 号"}, "law_firm": firm})
    settings.workspace = tmp_path
    wb = Workbook()
    ws = wb.active
    ws.append(["管理处", "房号", "业主姓名", "收费项目", "所属期间"] + (["应缴日期"] if due_dates else []) + ["欠费金额(元)"])
    for name, count in lines.items():
        for month in range(count):
            year, month0 = divmod(2024 * 12 + month, 12)
            period = f"{year}-{month0 + 1:02d}"
            ws.append([ESTATE, name, "王芳", "物业服务费", period] + ([f"{period}-15"] if due_dates else []) + [MONTHLY])
        ws.append([ESTATE, name, "王芳", "车位管理费", "2026-10"] + (["2026-10-15"] if due_dates else []) + [PARKING])
    wb.save(tmp_path / "台账.xlsx")
    import_file(tmp_path / "台账.xlsx", settings, as_of=LEDGER_ON)
    return settings


def letters(settings: Settings, kind: str, rooms: list[str], *, as_of: date = AS_OF) -> LetterBatch:
    store = Store.for_settings(settings)
    return generate(store, settings, classify(store, settings, as_of=as_of), kind, rooms=rooms, force=kind == "lawyer")


def send_demands(settings: Settings, name: str) -> None:
    """Two demand letters to the room: one by EMS and signed for, one by registered post."""
    store = Store.for_settings(settings)
    [first] = letters(settings, "dunning", [name], as_of=date(2026, 11, 25)).letters
    [second] = letters(settings, "dunning", [name], as_of=date(2026, 11, 26)).letters
    change_state(store, [first.number], "sent", method="ems", tracking="EA123456789CN", on=date(2026, 11, 25))
    change_state(store, [first.number], "signed", on=date(2026, 11, 27))
    change_state(store, [second.number], "sent", method="registered", tracking="XA2", on=date(2026, 11, 26))


def closing_cell(doc):
    """The cell of the closing block: the table whose cell holds the seal line."""
    [cell] = [t.rows[0].cells[0] for t in doc.tables if "（盖章）" in t.rows[0].cells[0].text]
    return cell


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


# ---- the closing block, kept together --------------------------------------------------------------------------

@pytest.mark.parametrize("kind,body_end", [("dunning", "依法主张"), ("lawyer", "本律师联系")])
def test_closing_block_is_one_row_that_never_splits_and_keeps_with_the_body(tmp_path: Path, kind: str,
                                                                             body_end: str) -> None:
    settings = workspace(tmp_path, {room(0): 8})
    [letter] = letters(settings, kind, [room(0)]).letters
    doc = Document(letter.file)
    cell = closing_cell(doc)
    row = cell._tc.getparent()
    assert row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None  # LibreOffice never splits such a row
    paragraphs = cell.paragraphs
    assert body_end in paragraphs[0].text  # the last body paragraph is in the block
    [seal] = [p for p in paragraphs if "（盖章）" in p.text]
    assert seal is paragraphs[-1] and f"日期：{ISSUED}" in seal.text  # seal, signature, date: one paragraph
    assert seal.paragraph_format.keep_together
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[:-1])  # what Word reads
    last = doc.element.body.findall(qn("w:p"))[-1]
    assert last.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is None  # nothing chains into the next letter
    if kind == "dunning":
        [receipt] = [p for p in doc.paragraphs if "签收回执" in p.text]
        assert "签收人" in receipt.text and receipt.paragraph_format.keep_together  # the tear-off slip: one block


@pytest.mark.parametrize("kind", ["dunning", "lawyer"])
def test_amounts_right_aligned_with_thousands_separators(tmp_path: Path, kind: str) -> None:
    settings = workspace(tmp_path, {room(0): 8})
    [letter] = letters(settings, kind, [room(0)]).letters
    table = Document(letter.file).tables[0]
    header, *rows = table.rows
    assert header.cells[2].text == "欠费金额（元）"
    assert header._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None  # repeated on a second page
    amounts = [row.cells[2] for row in rows]
    assert [c.text for c in amounts] == ["1,312.50"] * 8 + ["12,345.60", "22,845.60"]
    assert rows[-1].cells[0].text == "合计"
    for cell in amounts:
        assert MONEY.fullmatch(cell.text)
        assert cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT


# ---- the lawyer draft: letterhead, licence number, seal and signature -------------------------------------------

def test_lawyer_draft_on_the_firms_letterhead_with_the_licence_number(tmp_path: Path) -> None:
    settings = workspace(tmp_path, {room(0): 8})
    batch = letters(settings, "lawyer", [room(0)])
    [letter] = batch.letters
    doc = Document(letter.file)
    head = [p.text for p in doc.paragraphs[:4]]
    assert head[0] == "某某律师事务所"
    assert head[1] == "地址：杭州市西湖区某路 1 号    电话：0571-87000000"
    assert "律 师 函（代拟稿）" in head
    seal = closing_cell(doc).paragraphs[-1].text
    assert seal.startswith("某某律师事务所（盖章）")
    assert f"承办律师：张明    执业证号：{LICENCE}" in seal and "律师律师" not in seal
    assert "律师（签名）：____" in seal and f"日期：{ISSUED}" in seal
    assert not [w for w in batch.warnings if "licence_number" in w]


def test_lawyer_draft_without_a_licence_number_leaves_the_line_out_and_warns_once(tmp_path: Path) -> None:
    settings = workspace(tmp_path, {room(0): 8, room(1): 3}, licence=None)
    batch = letters(settings, "lawyer", [room(0), room(1)])
    assert len(batch.letters) == 2
    for letter in batch.letters:
        text = text_of(Path(letter.file))
        assert "执业证号" not in text and "承办律师：张明" in text  # nothing false, no blank label
    [warning] = [w for w in batch.warnings if "licence_number" in w]
    assert "[law_firm]" in warning and "执业证号" in warning
    assert not [w for w in letters(settings, "dunning", [room(0)]).warnings if "licence_number" in w]


def test_a_feedun_toml_without_the_licence_key_loads_and_a_misspelt_key_is_named_in_chinese(tmp_path: Path) -> None:
    from feedun.config import load_settings

    section = '[law_firm]\nname = "某某律师事务所"\naddress = "某路 1 号"\nlawyer = "张明"\nphone = "0571-00000000"\n'
    config = tmp_path / "feedun.toml"
    config.write_text(section, encoding="utf-8")
    assert load_settings(config).law_firm.licence_number == ""
    config.write_text(section + 'licence_numbr = "1330"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"law_firm\.licence_numbr：不认识的配置项"):
        load_settings(config)


# ---- delivery methods in Chinese ------------------------------------------------------------------------------

def cells_of(path: Path) -> list[str]:
    return [str(c.value) for ws in load_workbook(path) for row in ws.iter_rows() for c in row if c.value is not None]


def test_delivery_methods_in_chinese_in_letters_evidence_packs_and_the_register(tmp_path: Path) -> None:
    settings = workspace(tmp_path, {room(0): 8})
    send_demands(settings, room(0))
    batch = letters(settings, "lawyer", [room(0)])
    letter_text = text_of(Path(batch.letters[0].file))
    assert "EMS 特快专递" in letter_text and "挂号信" in letter_text
    assert not RAW_DELIVERY.search(letter_text)
    pack = load_workbook(batch.evidence[0])["函件记录"]
    column = [c.value for c in pack[1]].index("寄送方式")
    assert [row[column].value for row in pack.iter_rows(min_row=2)] == ["EMS 特快专递", "挂号信", None]  # the draft
    for workbook in (batch.evidence[0], batch.register):
        assert not [v for v in cells_of(workbook) if RAW_DELIVERY.search(v)]


# ---- evidence packs -------------------------------------------------------------------------------------------

def shown(value: object, number_format: str) -> str:
    """A cell's text as a spreadsheet shows it (amounts with their format)."""
    if isinstance(value, int | float) and number_format == "#,##0.00":
        return f"{value:,.2f}"
    return "" if value is None else str(value)


def test_evidence_pack_columns_fit_amounts_formatted_every_column_filled(tmp_path: Path) -> None:
    settings = workspace(tmp_path, {room(0): 8})
    store = Store.for_settings(settings)
    log_contact(store, settings, ContactRequest(room=room(0), outcome="no_answer", at=datetime(2026, 11, 3, 14, 20),
                                                by="李管家"), now=datetime(2026, 11, 27, 12))
    send_demands(settings, room(0))
    pack = load_workbook(letters(settings, "lawyer", [room(0)]).evidence[0])
    assert pack.sheetnames == ["欠费明细", "函件记录", "联系记录"]
    for ws in pack:
        headers = [c.value for c in ws[1]]
        for index, header in enumerate(headers):
            letter = ws.cell(1, index + 1).column_letter
            width = ws.column_dimensions[letter].width
            values = [shown(c.value, c.number_format) for c in ws[letter][1:]]
            if header not in ("凭证", "备注"):  # free text wraps; every other value is read on one line
                assert width >= max(map(display_width, [*values, header])) + 1, (ws.title, header, values)
            if header.endswith("(元)"):
                assert all(c.number_format == "#,##0.00" for c in ws[letter][1:]), (ws.title, header)
    lines = pack["欠费明细"]
    rows = [[c.value for c in row] for row in lines.iter_rows(min_row=2)]
    assert [r[5] for r in rows[:-1]] == [f"2024-{m:02d}-15" for m in range(1, 9)] + ["2026-10-15"]
    assert rows[-1][0] == "合计" and rows[-1][6] == pytest.approx(22845.60)  # the letter's principal
    assert [r[6] for r in rows[:-1]] == [MONTHLY] * 8 + [PARKING]
    contacts = pack["联系记录"]
    assert contacts["A2"].value == "2026-11-03 14:20" and contacts.column_dimensions["A"].width >= 17
    assert contacts["D2"].value == "李管家"


def test_evidence_pack_says_when_the_ledger_lists_no_due_date_or_a_contact_no_collector(tmp_path: Path) -> None:
    settings = workspace(tmp_path, {room(0): 3}, due_dates=False)
    log_contact(Store.for_settings(settings), settings,
                ContactRequest(room=room(0), outcome="no_answer", at=datetime(2026, 11, 3, 14, 20)),
                now=datetime(2026, 11, 27, 12))
    pack = load_workbook(letters(settings, "lawyer", [room(0)]).evidence[0])
    lines = pack["欠费明细"]
    column = [c.value for c in lines[1]].index("应缴日期")
    assert [row[column].value for row in lines.iter_rows(min_row=2, max_row=lines.max_row - 1)] == ["台账未列"] * 4
    assert pack["联系记录"]["D2"].value == "未记录"


# ---- the day's combined print file ----------------------------------------------------------------------------

def test_combined_print_file_starts_each_letter_on_a_new_page_without_an_empty_paragraph(tmp_path: Path) -> None:
    settings = workspace(tmp_path, {room(0): 8, room(1): 3, room(2): 1})
    batch = letters(settings, "dunning", [room(0), room(1), room(2)])
    doc = Document(str(batch.combined))
    starts = [p for p in doc.paragraphs if p.text == COMPANY]
    assert len(starts) == 3
    assert [bool(p.paragraph_format.page_break_before) for p in starts] == [False, True, True]
    assert not doc.element.body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']")
    assert sum("签收回执" in p.text for p in doc.paragraphs) == 3


@pytest.mark.parametrize("body,expected", [
    ("<w:p><w:r/></w:p>", "<w:p><w:pPr><w:pageBreakBefore/></w:pPr><w:r/></w:p>"),
    ('<w:p w:rsidR="1"><w:pPr/><w:r/></w:p>', '<w:p w:rsidR="1"><w:pPr><w:pageBreakBefore/></w:pPr><w:r/></w:p>'),
    ('<w:p><w:pPr><w:pStyle w:val="a"/><w:keepNext/><w:jc w:val="center"/></w:pPr></w:p>',
     '<w:p><w:pPr><w:pStyle w:val="a"/><w:keepNext/><w:pageBreakBefore/><w:jc w:val="center"/></w:pPr></w:p>'),
    ('<w:p><w:pPr><w:pageBreakBefore w:val="0"/></w:pPr></w:p>', "<w:p><w:pPr><w:pageBreakBefore/></w:pPr></w:p>"),
])
def test_page_break_before_goes_where_the_schema_puts_it(body: str, expected: str) -> None:
    assert starting_on_a_new_page(body) == expected


def test_a_letter_that_starts_with_a_table_gets_a_page_breaking_paragraph_before_it() -> None:
    started = starting_on_a_new_page("<w:tbl><w:tr/></w:tbl><w:p/>")
    assert started.startswith("<w:p><w:pPr><w:pageBreakBefore/>") and started.endswith("<w:tbl><w:tr/></w:tbl><w:p/>")


# ---- printed through LibreOffice ------------------------------------------------------------------------------

def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def printed_letters(pdf: Path, letterhead: str) -> list[list[str]]:
    """The pages of a combined print file grouped by letter: a letter starts on a page whose first line is the
    letterhead (and on no other)."""
    grouped: list[list[str]] = []
    for page in read_pdf(pdf):
        text = flat(page.text)
        if page.lines and flat(page.lines[0]) == letterhead:
            grouped.append([])
        assert grouped, f"page {page.number} is not part of a letter: {page.lines[:2]}"
        grouped[-1].append(text)
    return grouped


# Arrears of 1 to 24 months: the closing block falls at every height of page 1, then onto page 2.
SWEEP = {room(i): i + 1 for i in range(24)}


@requires_office
@pytest.mark.parametrize("kind,letterhead,body_end", [("dunning", COMPANY, "依法主张"),
                                                      ("lawyer", FIRM["name"], "本律师联系")])
def test_printed_letters_never_leave_the_seal_and_signature_alone_on_a_page(tmp_path: Path, kind: str,
                                                                              letterhead: str, body_end: str) -> None:
    settings = workspace(tmp_path, SWEEP)
    batch = letters(settings, kind, list(SWEEP))
    printed = printed_letters(to_pdf(batch.combined, tmp_path / "pdf"), letterhead)
    assert len(printed) == len(SWEEP)  # each letter starts on a page of its own
    seal_pages = []
    for number, pages in enumerate(printed, start=1):
        assert flat(batch.letters[number - 1].number) in pages[0]
        [at] = [i for i, text in enumerate(pages) if "（盖章）" in text]
        seal = pages[at]
        # The page with the seal also carries the end of the body; the signature and date are on it too.
        assert body_end in seal and f"日期：{ISSUED}" in seal, (number, pages)
        if kind == "lawyer":
            assert f"执业证号：{LICENCE}" in seal and "律师（签名）" in seal
            assert at == len(pages) - 1  # nothing after the closing block
        else:  # after the closing block only the tear-off receipt, whole, on the same page or the next
            assert at >= len(pages) - 2
            [receipt] = [text for text in pages if "签收回执" in text]
            assert "签收人" in receipt and "沿此线剪下" in receipt
        seal_pages.append(at)
    assert 0 in seal_pages and max(seal_pages) >= 1  # the sweep crossed the page end


@requires_office
def test_printed_evidence_pack_is_readable_and_uncut(tmp_path: Path) -> None:
    settings = workspace(tmp_path, {room(0): 8})
    log_contact(Store.for_settings(settings), settings,
                ContactRequest(room=room(0), outcome="no_answer", at=datetime(2026, 11, 3, 14, 20), by="李管家"),
                now=datetime(2026, 11, 27, 12))
    send_demands(settings, room(0))
    pages = read_pdf(to_pdf(letters(settings, "lawyer", [room(0)]).evidence[0], tmp_path / "pdf"))
    assert len(pages) == 3  # one page per sheet
    for page in pages:
        assert page.min_size >= 8 and not page.outside(), page.number
    lines = [flat(line) for page in pages for line in page.lines]
    assert any("2026-11-0314:20" in line for line in lines)  # the time on one line, not wrapped or cut
    assert any("12,345.60" in line for line in lines) and any("22,845.60" in line for line in lines)
    assert any("EMS特快专递" in line for line in lines)
