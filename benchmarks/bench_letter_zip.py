"""Benchmark packaging a letter's .docx: docx_render's hand-built archive against zipfile's append mode.

    .venv/bin/python benchmarks/bench_letter_zip.py                 # 3,000 letters, best of 3
    .venv/bin/python benchmarks/bench_letter_zip.py --letters 10000 --repeat 2

N document.xml texts made from the shipped dunning template (templates/letters/dunning.docx), each with one
paragraph of its own so no two are alike. In one process, one after the other, best of --repeat:

* before: what `PreparedTemplate._zip` did up to issue 18's third pass: `zipfile.ZipFile(BytesIO(base), "a")` over
  the template's pre-compressed unchanged parts, then writestr of document.xml, the relationships and the content
  types (each re-compressed per letter; the base's central directory re-read per letter);
* after: `PreparedTemplate.package(xml)`, the archive put together by hand (docx_render._entry).

Checked after the clock stops: for the first, every 100th and the last letter, every part of both archives reads
back byte for byte the same and zipfile's CRC check passes. No letter is written to disk (the file writes are the
same either way). Exit status 0 when the checks pass, 1 otherwise.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from pathlib import Path

from feedun.outputs.letters.docx_render import PreparedTemplate, document_xml_of
from feedun.outputs.templating import shipped_templates


def before(template: PreparedTemplate, xml: str) -> bytes:
    """The zipfile way (no pictures: a plain demand letter)."""
    buffer = io.BytesIO(template._base)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(template._document_info, xml.encode("utf-8"))
        archive.writestr(template._rels_info, template._rels.encode("utf-8"))
        archive.writestr(template._types_info, template._types.encode("utf-8"))
    return buffer.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if archive.testzip() is not None:
            raise ValueError("bad CRC")
        return {name: archive.read(name) for name in archive.namelist()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=3000, help="letters per side (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side, best kept (default %(default)s)")
    args = parser.parse_args(argv)
    path = shipped_templates() / "letters" / "dunning.docx"
    template = PreparedTemplate(path)
    base = document_xml_of(path)
    xmls = [base.replace("</w:body>", f"<w:p><w:r><w:t>第 {i} 封</w:t></w:r></w:p></w:body>")
            for i in range(args.letters)]
    best = {"before": float("inf"), "after": float("inf")}
    for _ in range(args.repeat):
        for side, make in (("before", lambda x: before(template, x)), ("after", template.package)):
            start = time.perf_counter()
            for xml in xmls:
                make(xml)
            best[side] = min(best[side], time.perf_counter() - start)
    sample = sorted({0, args.letters - 1, *range(0, args.letters, 100)})
    same = all(parts(template.package(xmls[i])) == parts(before(template, xmls[i])) for i in sample)
    per = {side: seconds / args.letters * 1000 for side, seconds in best.items()}
    print(f"{Path(path).name}, document.xml {len(base.encode('utf-8')):,} bytes, {args.letters:,} letters, "
          f"best of {args.repeat}")
    print(f"  before (zipfile append): {best['before']:.2f} s, {per['before']:.3f} ms a letter")
    print(f"  after (by hand):         {best['after']:.2f} s, {per['after']:.3f} ms a letter "
          f"({best['before'] / best['after']:.1f}x)")
    print(f"  parts equal on {len(sample)} sampled letters: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
