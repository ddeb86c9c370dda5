"""Pay in one tap: the room's payment page as a QR code that decodes back to it, and as a link in the SMS."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from docx import Document
from PIL import Image

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.decide.nodes import nodes_on
from feedun.outputs.paylink import pay_url, qr_png
from feedun.outputs.sms import build_sms, sms_length
from feedun.outputs.visits import write_node_outputs
from outputs.test_visits import AS_OF, ROOMS, _day
from outputs.test_visits import company as company

URL = "https://pay.example.com/r/{estate}/{room}"


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_qr_decodes_to_the_rooms_url() -> None:
    settings = Settings.model_validate({"company": {"payment_url": URL}})
    url = pay_url(settings, "阳光花园", "8-2-1201")
    assert url == "https://pay.example.com/r/%E9%98%B3%E5%85%89%E8%8A%B1%E5%9B%AD/8-2-1201"
    assert _decode(qr_png(url)) == [url]


@pytest.mark.parametrize(("url", "named"), [("pay.example.com/r", "不是网址"), ("https://pay.example.com/{owner}", "owner")])
def test_a_payment_url_that_is_not_one_is_refused(url: str, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Settings.model_validate({"company": {"payment_url": url}})


def test_notices_and_visit_sheets_carry_each_rooms_code(company: Settings, tmp_path: Path) -> None:
    company.company.payment_url = URL
    _, decided = _day(company)
    out = write_node_outputs(company, decided, nodes_on(company, AS_OF), tmp_path / "out",
                             {"阳光花园": date(2026, 11, 25)})
    expected = {pay_url(company, "阳光花园", room) for room, _ in ROOMS}
    notice = Document(out.notices)
    pictures = [p.blob for p in notice.part.related_parts.values() if p.content_type.startswith("image/")]
    assert len(notice.inline_shapes) == len(ROOMS)  # one code per notice
    assert sorted(c for png in pictures for c in _decode(png)) == sorted(expected)  # each its own room's page
    [sheet] = out.visit_sheets
    with zipfile.ZipFile(sheet) as z:
        images = [z.read(n) for n in z.namelist() if n.startswith("xl/media/")]
    visited = {pay_url(company, "阳光花园", room) for room, months in ROOMS if months >= 2}
    assert {c for png in images for c in _decode(png)} == visited and len(images) == len(visited)


def _sms_settings(tmp_path: Path, url: str) -> Settings:
    user = tmp_path / "templates" / "sms"
    user.mkdir(parents=True)
    (user / "bill_notice.j2").write_text("{{ salutation }}您好，{{ room }}物业费{{ amount }}元待缴，点此缴费：{{ pay_link }}",
                                         encoding="utf-8")
    settings = Settings.model_validate({"company": {"payment_url": url}, "sms": {"days": [27]}})
    settings.workspace = tmp_path
    return settings


def test_the_sms_link_is_the_rooms_and_counts_in_the_length(company: Settings, tmp_path: Path) -> None:
    _, decided = _day(company)
    settings = _sms_settings(tmp_path / "a", "https://pay.example.com/r/{room}")
    [first, *_] = build_sms(settings, decided, any_day=True).messages
    assert first.text.endswith(f"点此缴费：https://pay.example.com/r/{first.room}")
    assert (first.chars, first.segments) == sms_length(first.text)
    with pytest.raises(FeedunError, match="pay_link"):
        build_sms(_sms_settings(tmp_path / "b", ""), decided, any_day=True)
