"""A letter's .docx is put together by hand (docx_render._zip, issue 18): it must be the archive zipfile writes.

The reference below is the way it was built before: zipfile appending the letter's parts to the template's
pre-compressed unchanged ones. Every part reads back byte for byte the same, zipfile's CRC check passes, and
python-docx opens the letter; with pictures (a payment QR code) and without, for both shipped templates.
"""

from __future__ import annotations

import io
import zipfile

import pytest

from feedun.outputs.letters.docx_render import IMAGE_REL, PreparedTemplate, document_xml_of
from feedun.outputs.templating import shipped_templates

pytestmark = pytest.mark.no_store


def _reference(template: PreparedTemplate, xml: str, images: dict[str, bytes] | None) -> bytes:
    rels, types = template._rels, template._types
    if images:
        rels = rels.replace("</Relationships>", "".join(
            f'<Relationship Id="{rid}" Type="{IMAGE_REL}" Target="media/{rid}.png"/>' for rid in images)
            + "</Relationships>")
        if 'Extension="png"' not in types:
            types = types.replace("</Types>", '<Default Extension="png" ContentType="image/png"/></Types>')
    buffer = io.BytesIO(template._base)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(template._document_info, xml.encode("utf-8"))
        archive.writestr(template._rels_info, rels.encode("utf-8"))
        archive.writestr(template._types_info, types.encode("utf-8"))
        for rid, png in (images or {}).items():
            archive.writestr(f"word/media/{rid}.png", png, compress_type=zipfile.ZIP_STORED)
    return buffer.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None  # every part's CRC checks out
        names = archive.namelist()
        assert len(names) == len(set(names))
        return {name: archive.read(name) for name in names}


@pytest.mark.parametrize("kind", ["dunning", "lawyer"])
@pytest.mark.parametrize("images", [None, {"rIdPayQr20260001": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4}],
                         ids=["plain", "with a picture"])
def test_a_letter_is_the_archive_zipfile_writes(kind, images):
    import docx

    path = shipped_templates() / "letters" / f"{kind}.docx"
    template = PreparedTemplate(path)
    xml = document_xml_of(path).replace("</w:body>", "<w:p><w:r><w:t>测试 ✓</w:t></w:r></w:p></w:body>")
    ours = template.package(xml, images)
    assert _parts(ours) == _parts(_reference(template, xml, images))
    assert _parts(ours)["word/document.xml"] == xml.encode("utf-8")
    assert template.package(xml, images) == ours  # the same letter twice: the same bytes
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(ours)).paragraphs)
    assert "测试 ✓" in text


def test_letters_of_different_lengths_each_read_back():
    path = shipped_templates() / "letters" / "dunning.docx"
    template = PreparedTemplate(path)
    base = document_xml_of(path)
    for n in (0, 1, 50, 2000):
        xml = base.replace("</w:body>", "<w:p><w:r><w:t>行</w:t></w:r></w:p>" * n + "</w:body>")
        assert _parts(template.package(xml))["word/document.xml"] == xml.encode("utf-8")


def test_paragraph_breaks_are_undone_as_the_regular_expression_did():
    """document_xml undoes the line breaks put before paragraphs with two plain replacements; they give what
    re.sub(r"\\n<w:p([ >])", r"<w:p\\1") gave, on random strings made of the pieces that matter."""
    import random
    import re

    rng = random.Random(18)
    pieces = ["\n<w:p ", "\n<w:p>", "\n<w:pPr>", "<w:p>", "\n", "<w:p ", "x", "\n\n<w:p>", "\n<w:p\n<w:p >", "{_{"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert text.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>") == \
            re.sub(r"\n<w:p([ >])", r"<w:p\1", text)


CONTEXT = {"number": "催字〔2026〕第0001号", "company": "嘉禾物业", "company_address": "", "company_phone": "",
           "payment_methods": ["微信"], "bank_name": "", "bank_account": "", "contact_person": "",
           "owner": "张三\n（代收）", "estate": "翠湖苑", "room": "1-1-101",
           "items": [{"fee_item": "物业服务费", "period": "2026年10月", "amount": "120.00"}],
           "principal": "120.00", "principal_capitals": "壹佰贰拾元整", "balance_date": "2026年12月1日",
           "has_late_fee": False, "late_fee": "0.00", "late_fee_basis": "", "dispute_resolved": False,
           "issued": "2026年12月7日", "deadline": "2026年12月22日", "demands": [], "law_firm": "", "lawyer": "",
           "law_firm_phone": "", "law_firm_address": "", "licence_number": "", "pay_qr": None}


def test_a_rendered_letter_is_what_the_regular_expression_gave():
    import re

    template = PreparedTemplate(shipped_templates() / "letters" / "dunning.docx")
    raw = template._template.render(CONTEXT)
    old = re.sub(r"\n<w:p([ >])", r"<w:p\1", raw)
    old = old.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    old = template._docxtpl.resolve_listing(old)
    assert template.document_xml(CONTEXT) == old
    assert "\n<w:p" not in old and "<w:p" in old
