"""The shipped letter templates carry only what a letter uses (make_templates._save, issue 18).

Every letter copies its template's parts, so a part the letter never uses is written thousands of times a day
(python-docx's blank document: 38 KB a letter; without its unused styles and parts: about 12 KB). Nothing the
letter refers to may go missing, and the file properties must not name python-docx as the author.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

import pytest

from feedun.outputs.templating import shipped_templates

pytestmark = pytest.mark.no_store

KINDS = ["dunning", "lawyer"]


def _parts(kind: str) -> dict[str, bytes]:
    with zipfile.ZipFile(shipped_templates() / "letters" / f"{kind}.docx") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.parametrize("kind", KINDS)
def test_no_part_a_letter_never_uses(kind):
    names = set(_parts(kind))
    assert not [name for name in names if "stylesWithEffects" in name or name.startswith("customXml/")
                or "thumbnail" in name]
    assert sum(len(data) for data in _parts(kind).values()) < 80_000  # was 838,560 bytes unpacked


@pytest.mark.parametrize("kind", KINDS)
def test_every_relationship_and_content_type_names_a_part_that_is_there(kind):
    parts = _parts(kind)
    for rels_name in [name for name in parts if name.endswith(".rels")]:
        folder = posixpath.dirname(posixpath.dirname(rels_name))  # word/_rels/document.xml.rels -> word
        for target in re.findall(r'Target="([^"]+)"', parts[rels_name].decode()):
            assert posixpath.normpath(posixpath.join(folder, target)) in parts, (rels_name, target)
    types = parts["[Content_Types].xml"].decode()
    for part_name in re.findall(r'PartName="/([^"]+)"', types):
        assert part_name in parts, part_name


@pytest.mark.parametrize("kind", KINDS)
def test_every_style_the_letter_names_is_defined(kind):
    parts = _parts(kind)
    styles = parts["word/styles.xml"].decode()
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    named = set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', parts["word/document.xml"].decode()))
    assert named and named <= defined
    based = set(re.findall(r'<w:(?:basedOn|link|next) w:val="([^"]+)"', styles))
    assert based <= defined
    for family in ("paragraph", "character", "table"):  # the defaults Word falls back on
        assert re.search(rf'<w:style w:type="{family}" w:default="1"', styles), family


@pytest.mark.parametrize("kind", KINDS)
def test_the_file_properties_name_no_library_as_author(kind):
    core = _parts(kind)["docProps/core.xml"].decode()
    assert "python-docx" not in core and "<dc:creator>" not in core
    assert {"dunning": "缴费通知函", "lawyer": "律师函"}[kind] in core
    app = _parts(kind)["docProps/app.xml"].decode()  # no page or word count of a blank page, no other program
    assert "<Pages>" not in app and "<Words>" not in app and "Microsoft" not in app
