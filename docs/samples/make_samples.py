"""Render the first page of each printed output as users get it, for docs/samples/ (linked from the README).

    .venv/bin/python docs/samples/make_samples.py        # needs LibreOffice (soffice) and poppler (pdftoppm)

The demo company (examples/), with a law firm and a payment page configured, on the demo's day and on its
month's visit and notice node days; each file goes through LibreOffice → PDF → PNG exactly as the rendering tests
print them (tests/rendering.py), so what is here is what an office printer gets.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DPI = 60


def _png(path: Path, name: str, work: Path) -> None:
    pdf_dir = work / "pdf"
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'lo').as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(pdf_dir), str(path)], check=True, capture_output=True, timeout=300)
    pdf = pdf_dir / (path.stem + ".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(HERE / name)], check=True, capture_output=True, timeout=120)
    print(f"docs/samples/{name}.png  ← {path.name}")


def main() -> None:
    from feedun.admin.demo import run_demo
    from feedun.config import LawFirmSettings, load_settings
    from feedun.decide.classify import classify
    from feedun.decide.nodes import month_nodes, nodes_on
    from feedun.outputs.letters.generate import generate_letters
    from feedun.outputs.visits import write_node_outputs
    from feedun.store import Store
    from feedun.store.meta import newest_ledger_dates

    work = Path(tempfile.mkdtemp(prefix="feedun-samples-"))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            folder = run_demo(work / "demo")
        settings = load_settings(folder / "feedun.toml")
        settings.law_firm = LawFirmSettings(name="示例律师事务所", address="杭州市西湖区示例路 1 号",
                                            lawyer="张明", phone="0571-87000000", licence_number="13301200000000000")
        settings.company.payment_url = "https://pay.example.com/r/{room}"
        store = Store.for_settings(settings)
        outbox = sorted((folder / "outbox").iterdir())[-1]
        calls = outbox / "催缴清单"
        _png(next(calls.glob("催缴清单-李管家-*.xlsx")), "call-list", work)
        _png(next(calls.glob("催缴总览-*.xlsx")), "overview", work)
        _png(next(outbox.glob("report-*.xlsx")), "report", work)
        _png(next((outbox / "催费函").glob("催字*.docx")), "dunning-letter", work)
        as_of = date.fromisoformat(outbox.name)
        decided = classify(store, settings, as_of=as_of)
        room = decided.frame.sort_values("months_overdue", ascending=False).iloc[0]
        lawyer = generate_letters(store, settings, decided, "lawyer", rooms=[room["room"]], estate=room["estate"],
                                  out_dir=work / "律师函", force=True)
        _png(Path(lawyer.letters[0].file), "lawyer-letter", work)
        for kind in ("visit", "notice"):
            day = next(on for on, node in month_nodes(settings, as_of.year, as_of.month) if node.kind == kind)
            on_day = classify(store, settings, as_of=day)
            with store.read() as conn:
                ledgers = newest_ledger_dates(conn, day)
            made = write_node_outputs(settings, on_day, nodes_on(settings, day), work / kind, ledgers)
            if kind == "visit":
                _png(next(p for p in made.visit_sheets if "李管家" in p.name), "visit-sheet", work)
            else:
                _png(made.notices, "notice", work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        sys.exit("需要 LibreOffice（soffice）和 poppler-utils（pdftoppm）")
    main()
