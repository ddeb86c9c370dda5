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
- `lawyer`: the lawyer's name without a trailing 律师 (the template adds the title).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

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
    return doc


def _p(doc: Document, text: str, *, bold: bool = False, size: int | None = None, center: bool = False,
       right: bool = False) -> None:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _items_table(doc: Document) -> None:
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["收费项目", "所属期间", "欠费金额（元）"], strict=True):
        cell.text = text
    table.add_row().cells[0].text = "{%tr for item in items %}"
    row = table.add_row().cells
    row[0].text, row[1].text, row[2].text = "{{ item.fee_item }}", "{{ item.period }}", "{{ item.amount }}"
    table.add_row().cells[0].text = "{%tr endfor %}"
    total = table.add_row().cells
    total[0].text, total[1].text, total[2].text = "合计", "", "{{ principal }}"


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
    _p(doc, "    如对金额有疑问，请在期限内联系 {{ contact_person }}{% if company_phone %}（电话 {{ company_phone }}）"
            "{% endif %}，我们将逐项核对。")
    _p(doc, "    依据《中华人民共和国民法典》第九百四十四条，业主应当按照约定向物业服务人支付物业费；"
            "逾期不支付的，物业服务人可以催告其在合理期限内支付，合理期限届满仍不支付的，物业服务人可以提起诉讼或者申请仲裁。"
            "如期限届满仍未缴纳，公司将依法通过诉讼或仲裁解决，届时可能产生的费用将依法主张。")
    _p(doc, "    特此函告。")
    _p(doc, "{{ company }}（盖章）", right=True)
    _p(doc, "经办人：{{ contact_person }}    日期：{{ issued }}", right=True)
    _p(doc, "-------------------------------- 沿此线剪下 --------------------------------", center=True, size=9)
    _p(doc, "签收回执", bold=True, center=True)
    _p(doc, "本人已收到 {{ company }} 发出的《物业服务费缴费通知函》（{{ number }}），房屋：{{ estate }} {{ room }}。")
    _p(doc, "签收人：____________    与业主关系：____________    签收日期：______年____月____日")
    doc.save(HERE / "dunning.docx")


def lawyer() -> None:
    doc = _document()
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
    _p(doc, "    如有异议，请在上述期限内与委托人（{{ contact_person }}{% if company_phone %}，电话 {{ company_phone }}"
            "{% endif %}）或本律师联系。")
    _p(doc, "{{ law_firm }}", right=True)
    _p(doc, "律师：{{ lawyer }}    电话：{{ law_firm_phone }}", right=True)
    _p(doc, "地址：{{ law_firm_address }}", right=True)
    _p(doc, "日期：{{ issued }}", right=True)
    doc.save(HERE / "lawyer.docx")


if __name__ == "__main__":
    dunning()
    lawyer()
    print("templates written:", ", ".join(p.name for p in sorted(HERE.glob("*.docx"))))
