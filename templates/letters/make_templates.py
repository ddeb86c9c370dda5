"""Build the default letter templates (dunning.docx, lawyer.docx) with python-docx.

Companies replace these with their own letterhead: any .docx with the same jinja tags works (docxtpl syntax;
`{%tr for item in items %}` repeats a table row). Re-run with `python templates/letters/make_templates.py`.

Every sentence is true of its owner (docs/design.md, "True sentences only"); the tags that keep it so:
- `company_phone`, `company_address`: "" when [company] does not configure them; their words are left out.
- `balance_date`: the date of the ledger snapshot the amounts come from (截至), "" if unknown; `issued` is the
  letter's own date (the late fee accrues to it).
- `has_late_fee`: a late fee at the contract's configured rate; `late_fee_basis` may be "".
- `dispute_resolved`: the owner raised a dispute that is recorded as resolved.
- `demands` (lawyer): each sent demand letter with `number`, `how` (sent / signed for (送达) / returned, with
  the delivery and tracking number as recorded), `signed`, `sent_on`, `delivery`, `evidence`.
- `lawyer`: the lawyer's name without a trailing 律师 (the template adds the title); `licence_number`: the
  lawyer's practising-licence number (执业证号), "" when [law_firm] does not give one (its words are left out);
  `law_firm_address`, `law_firm_phone`: the firm's, for its letterhead, "" when not given.
- `item.amount`, `principal`: amounts with thousands separators (12,345.60); their table cells are right-aligned.

Printing (issue 16): the closing block (the last body paragraph, then the seal line, the signature and the date)
never breaks over two pages, so the seal and signature are never alone on a page. Its paragraphs carry keep-with-
next and keep-lines, as Word expects, and sit in the one row of a borderless table whose row may not split
(w:cantSplit): LibreOffice (7.4) does not reliably honour keep-with-next (along a chain of paragraphs it moves only
the tail, and sometimes not even one paragraph with the next), but it never splits such a row. The seal, the
signature and the date are one paragraph, their lines separated by line breaks. The tear-off receipt is one
paragraph that is never split. The amounts table's header row repeats on a new page and no row of it is split.
The last paragraph of a letter never keeps with the next, so a combined print file does not chain one letter to
the next (each starts on a new page there: docx_render.py).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

HERE = Path(__file__).resolve().parent


def _document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    style.paragraph_format.widow_control = True  # never one line of a paragraph alone at a page's top or bottom
    return doc


def _p(doc, text: str, *, bold: bool = False, size: int | None = None, center: bool = False,
       right: bool = False, keep_next: bool = False, keep_lines: bool = False,
       space_before: int | None = None) -> Paragraph:
    """One paragraph (of the document or a table cell), a line break for each newline in `text`; keep_next: on the same page as the next paragraph;
    keep_lines: never split over two pages. (A jinja tag never spans a newline: each line is a run of its own.)"""
    paragraph = doc.add_paragraph()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if index < len(lines) - 1:
            run.add_break()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fmt = paragraph.paragraph_format
    if keep_next:
        fmt.keep_with_next = True
    if keep_lines:
        fmt.keep_together = True
    if space_before is not None:
        fmt.space_before = Pt(space_before)
    return paragraph


def _rule(doc: Document) -> None:
    """A thin line across the page under a letterhead (a bottom border on an empty, small paragraph)."""
    paragraph = _p(doc, "", size=4)
    paragraph.paragraph_format.space_after = Pt(6)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def _closing(doc: Document):
    """The cell that holds the closing block: one row of a borderless, full-width table that never splits over two
    pages, with no cell margins so its text lines up with the body's."""
    table = doc.add_table(rows=1, cols=1)
    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "0")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = properties.find(qn("w:tblLook"))
    if look is not None:  # schema order: tblCellMar before tblLook
        look.addprevious(margins)
    else:
        properties.append(margins)
    _row_props(table.rows[0])
    cell = table.rows[0].cells[0]
    cell.width = Cm(16.0)  # the text width: A4 less 2.5 cm margins
    cell._tc.remove(cell.paragraphs[0]._p)  # the paragraphs are added by the caller
    return cell


def _end(doc: Document) -> None:
    """The paragraph a document needs after a table that ends it (Word adds one otherwise): 1 pt high, so that it
    never spills onto a page of its own."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(1)
    paragraph.add_run("").font.size = Pt(1)


def _row_props(row, *, header: bool = False) -> None:
    """A row never split over two pages; the header row repeated at the top of each page the table runs onto."""
    props = row._tr.get_or_add_trPr()
    props.append(OxmlElement("w:cantSplit"))  # schema order: cantSplit before tblHeader
    if header:
        props.append(OxmlElement("w:tblHeader"))


def _cells(row, texts: list[str], *, bold: bool = False, header: bool = False) -> None:
    """Fill a row: the amount column (the last) right-aligned so the figures line up on the decimal point."""
    for index, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        cell.text = ""
        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(text)
        run.bold = bold
        fmt = paragraph.paragraph_format
        fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0
        if header:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif index == len(texts) - 1:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _items_table(doc: Document) -> None:
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _cells(table.rows[0], ["收费项目", "所属期间", "欠费金额（元）"], bold=True, header=True)
    _row_props(table.rows[0], header=True)
    table.add_row().cells[0].text = "{%tr for item in items %}"
    row = table.add_row()
    _cells(row, ["{{ item.fee_item }}", "{{ item.period }}", "{{ item.amount }}"])
    _row_props(row)
    table.add_row().cells[0].text = "{%tr endfor %}"
    total = table.add_row()
    _cells(total, ["合计", "", "{{ principal }}"], bold=True)
    _row_props(total)
    for column, width in zip(table.columns, (Cm(6.0), Cm(5.0), Cm(5.0)), strict=True):
        for cell in column.cells:
            cell.width = width


def _receipt(doc: Document) -> None:
    """The tear-off receipt: one paragraph never split over two pages (the cut line and the title centred on a
    centre tab stop, since one paragraph has one alignment)."""
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.keep_together = True
    fmt.space_before = Pt(12)
    fmt.tab_stops.add_tab_stop(Cm(8.0), WD_TAB_ALIGNMENT.CENTER)  # the middle of the 16 cm text width
    lines = [("\t" + "-" * 40 + " 沿此线剪下 " + "-" * 40, False, 9),
             ("\t签收回执", True, None),
             ("本人已收到 {{ company }} 发出的《物业服务费缴费通知函》（{{ number }}），房屋：{{ estate }} {{ room }}。",
              False, None),
             ("签收人：__________  与业主关系：__________  签收日期：____年___月___日", False, None)]
    for index, (text, bold, size) in enumerate(lines):
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if index < len(lines) - 1:
            run.add_break()


def dunning() -> None:
    doc = _document()
    _p(doc, "{{ company }}", bold=True, size=16, center=True)
    # Company details that are not configured leave their words out, never a label in their place.
    _p(doc, "{%p if company_address or company_phone %}")
    _p(doc, "{% if company_address %}地址：{{ company_address }}{% endif %}"
            "{% if company_address and company_phone %}    {% endif %}"
            "{% if company_phone %}电话：{{ company_phone }}{% endif %}", size=10, center=True)
    _p(doc, "{%p endif %}")
    _p(doc, "物业服务费缴费通知函", bold=True, size=18, center=True)
    _p(doc, "{{ number }}", right=True)
    _p(doc, "{{ owner }}（{{ estate }} {{ room }} 业主）：")
    # 截至: the date of the ledger snapshot the amounts come from, not the day the letter was made.
    _p(doc, "    感谢您一直以来对我们工作的支持。根据双方的物业服务合同，经核对账目，"
            "{% if balance_date %}截至 {{ balance_date }}，{% endif %}您名下的上述房屋尚有以下费用未缴纳：")
    _items_table(doc)
    _p(doc, "    欠费本金合计人民币 {{ principal }} 元（大写：{{ principal_capitals }}）。")
    _p(doc, "{%p if has_late_fee %}")
    _p(doc, "    另按合同约定{% if late_fee_basis %}（{{ late_fee_basis }}）{% endif %}，截至 {{ issued }} 的滞纳金为 "
            "{{ late_fee }} 元，单独列明，不计入上述本金；如您在期限内缴清本金，公司可酌情减免。")
    _p(doc, "{%p endif %}")
    _p(doc, "    {% if dispute_resolved %}我们对您此前提出的问题已作说明或处理。{% endif %}"
            "请您于 {{ deadline }} 前缴清上述费用。缴费方式：{{ payment_methods }}"
            "{% if bank_account %}；银行转账：{{ bank_name }}，户名 {{ company }}，账号 {{ bank_account }}{% endif %}。")
    # [company] payment_url: the room's own payment page as a QR code (a picture run from outputs/letters).
    _p(doc, "{%p if pay_qr %}")
    _p(doc, "{{r pay_qr }}    手机扫码，直接为本户缴费")
    _p(doc, "{%p endif %}")
    _p(doc, "    如对金额有疑问，请在期限内联系 {{ contact_person }}{% if company_phone %}（电话 {{ company_phone }}）"
            "{% endif %}，我们将逐项核对。")
    # The closing block, never split: the last body paragraph, 特此函告, the seal line, the contact and the date.
    closing = _closing(doc)
    _p(closing, "    依据《中华人民共和国民法典》第九百四十四条，业主应当按照约定向物业服务人支付物业费；"
                "逾期不支付的，物业服务人可以催告其在合理期限内支付，合理期限届满仍不支付的，物业服务人可以提起诉讼或者申请仲裁。"
                "如期限届满仍未缴纳，公司将依法通过诉讼或仲裁解决，届时可能产生的费用将依法主张。", keep_next=True)
    _p(closing, "    特此函告。", keep_next=True, keep_lines=True)
    _p(closing, "{{ company }}（盖章）\n经办人：{{ contact_person }}    日期：{{ issued }}", right=True, keep_lines=True,
       space_before=18)
    _receipt(doc)
    doc.save(HERE / "dunning.docx")


def lawyer() -> None:
    doc = _document()
    # The firm's letterhead: its name, address and phone (a detail not given leaves its words out).
    _p(doc, "{{ law_firm }}", bold=True, size=16, center=True)
    _p(doc, "{%p if law_firm_address or law_firm_phone %}")
    _p(doc, "{% if law_firm_address %}地址：{{ law_firm_address }}{% endif %}"
            "{% if law_firm_address and law_firm_phone %}    {% endif %}"
            "{% if law_firm_phone %}电话：{{ law_firm_phone }}{% endif %}", size=10, center=True)
    _p(doc, "{%p endif %}")
    _rule(doc)
    _p(doc, "律 师 函（代拟稿）", bold=True, size=18, center=True)
    _p(doc, "{{ number }}", right=True)
    _p(doc, "致：{{ owner }}（{{ estate }} {{ room }} 业主）")
    _p(doc, "    {{ law_firm }}接受{{ company }}（以下简称“委托人”）的委托，指派{{ lawyer }}律师，就您拖欠物业服务费一事致函如下：")
    _p(doc, "    一、根据委托人提供的物业服务合同及账目，{% if balance_date %}截至 {{ balance_date }}，{% endif %}"
            "您名下的上述房屋欠缴以下费用：")
    _items_table(doc)
    _p(doc, "    欠费本金合计人民币 {{ principal }} 元（大写：{{ principal_capitals }}）"
            "{% if has_late_fee %}；按合同约定{% if late_fee_basis %}（{{ late_fee_basis }}）{% endif %}，"
            "截至 {{ issued }} 滞纳金 {{ late_fee }} 元另计{% endif %}。")
    # Only what the store records: the demand letters that left the office (none when the letter was forced).
    _p(doc, "    二、{% if demands %}委托人已书面催告：{% else %}委托人此前没有寄出书面催费函，现委托本所直接致函。{% endif %}")
    _p(doc, "{%p for d in demands %}")
    # d.how: sent, signed for (送达 only then) or returned, with the delivery and tracking number as recorded.
    _p(doc, "    {{ d.number }}，{{ d.how }}；")
    _p(doc, "{%p endfor %}")
    _p(doc, "    三、依据《中华人民共和国民法典》第九百四十四条，业主应当按照约定支付物业费；经催告在合理期限内仍不支付的，"
            "物业服务人可以提起诉讼或者申请仲裁。")
    _p(doc, "    请您于 {{ deadline }} 前（本函发出之日起 14 日内）向委托人缴清上述欠费。逾期未缴，本律师将建议委托人依法提起诉讼，"
            "由此产生的诉讼费用等将依法主张由您承担。")
    # The closing block, never split: the last paragraph, the firm's seal, the lawyer with the practising-licence
    # number (left out when [law_firm] gives none; the batch warns), the lawyer's signature line, the date.
    closing = _closing(doc)
    _p(closing, "    如有异议，请在上述期限内与委托人（{{ contact_person }}{% if company_phone %}，电话 {{ company_phone }}"
                "{% endif %}）或本律师联系。", keep_next=True)
    _p(closing, "{{ law_firm }}（盖章）\n"
                "承办律师：{{ lawyer }}{% if licence_number %}    执业证号：{{ licence_number }}{% endif %}\n"
                "\n"
                "律师（签名）：________________\n"
                "日期：{{ issued }}", right=True, keep_lines=True, space_before=18)
    _end(doc)
    doc.save(HERE / "lawyer.docx")


if __name__ == "__main__":
    dunning()
    lawyer()
    print("templates written:", ", ".join(p.name for p in sorted(HERE.glob("*.docx"))))
