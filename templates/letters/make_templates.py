"""Build the default letter templates (dunning.docx, lawyer.docx) with python-docx.

Companies replace these with their own letterhead: any .docx with the same jinja tags works (docxtpl syntax;
`{%tr for item in items %}` repeats a table row). Re-run with `python templates/letters/make_templates.py`.
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
    _p(doc, "{% if company_address %}地址：{{ company_address }}    {% endif %}电话：{{ company_phone }}", size=10,
       center=True)
    _p(doc, "物业服务费缴费通知函", bold=True, size=18, center=True)
    _p(doc, "{{ number }}", right=True)
    _p(doc, "{{ owner }}（{{ estate }} {{ room }} 业主）：")
    _p(doc, "    感谢您一直以来对我们工作的支持。根据双方的物业服务合同，经核对账目，截至 {{ issued }}，"
            "您名下的上述房屋尚有以下费用未缴纳：")
    _items_table(doc)
    _p(doc, "    欠费本金合计人民币 {{ principal }} 元（大写：{{ principal_capitals }}）。")
    _p(doc, "    另按合同约定（{{ late_fee_basis }}），截至 {{ issued }} 的滞纳金为 {{ late_fee }} 元，单独列明，"
            "不计入上述本金；如您在期限内缴清本金，公司可酌情减免。")
    _p(doc, "    我们对您此前提出的问题已作说明或处理。请您于 {{ deadline }} 前缴清上述费用。缴费方式：{{ payment_methods }}"
            "{% if bank_account %}；银行转账：{{ bank_name }}，户名 {{ company }}，账号 {{ bank_account }}{% endif %}。")
    _p(doc, "    如对金额有疑问，请在期限内联系 {{ contact_person }}（电话 {{ company_phone }}），我们将逐项核对。")
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
    _p(doc, "    一、根据委托人提供的物业服务合同及账目，您名下的上述房屋欠缴以下费用：")
    _items_table(doc)
    _p(doc, "    欠费本金合计人民币 {{ principal }} 元（大写：{{ principal_capitals }}）；按合同约定（{{ late_fee_basis }}），"
            "滞纳金 {{ late_fee }} 元另计。")
    _p(doc, "    二、委托人已多次提醒，并已书面催告：")
    _p(doc, "{%p for d in demands %}")
    _p(doc, "    {{ d.number }}，{{ d.sent_on }} 以 {{ d.delivery }} 送达{% if d.evidence %}（凭证：{{ d.evidence }}）{% endif %}；")
    _p(doc, "{%p endfor %}")
    _p(doc, "    三、依据《中华人民共和国民法典》第九百四十四条，业主应当按照约定支付物业费；经催告在合理期限内仍不支付的，"
            "物业服务人可以提起诉讼或者申请仲裁。")
    _p(doc, "    请您于 {{ deadline }} 前（本函发出之日起 14 日内）向委托人缴清上述欠费。逾期未缴，本律师将建议委托人依法提起诉讼，"
            "由此产生的诉讼费用等将依法主张由您承担。")
    _p(doc, "    如有异议，请在上述期限内与委托人（{{ contact_person }}，电话 {{ company_phone }}）或本律师联系。")
    _p(doc, "{{ law_firm }}", right=True)
    _p(doc, "律师：{{ lawyer }}    电话：{{ law_firm_phone }}", right=True)
    _p(doc, "地址：{{ law_firm_address }}", right=True)
    _p(doc, "日期：{{ issued }}", right=True)
    doc.save(HERE / "lawyer.docx")


if __name__ == "__main__":
    dunning()
    lawyer()
    print("templates written:", ", ".join(p.name for p in sorted(HERE.glob("*.docx"))))
