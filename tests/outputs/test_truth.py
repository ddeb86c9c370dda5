"""Every fact in every output is true of its room (issue 15): one scenario richer than the demo produces every
output, and all of it is scanned for text no owner, collector or manager should read; then the facts of each
room are cross-checked between the call list, the SMS, the letters and `debtors --json`.

The scenario: collectors per estate and per room (`tag --collector`), a second estate whose export has no estate
column (its title names it) and a range line (2026-07至2026-09), no company phone or address, a resolved dispute,
contacts and promises, a purge dry run, `feedun run` on a reminder node day.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import db_url, run_feedun, write_xlsx

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AS_OF = "2026-12-07"  # the day-5 SMS node moved off Saturday: the run writes SMS too
# What must never be read: missing values, template syntax, labels standing in for values, wrong or doubled words.
FORBIDDEN = re.compile(r"\bnan\b|\bNaN\b|\bNone\b|\{\{|\}\}|\{%|%\}|未指定|(?<![0-9])0个月|物业服务中心电话|律师律师"
                       r"|电话：\s*$|地址：\s*$|至 nan|Traceback")


def _strict(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def _texts_of(path: Path) -> list[str]:
    """The text a person reads in a file feedun wrote."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        return [str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    if path.suffix == ".docx":
        from docx import Document

        doc = Document(str(path))
        texts = [p.text for p in doc.paragraphs]
        texts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
        return texts
    if path.suffix in (".csv", ".txt", ".json", ".log"):
        return path.read_text(encoding="utf-8-sig").splitlines()
    return []


def _json_strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, backend: str) -> dict:
    ws = tmp_path_factory.mktemp("truth")
    db = ["--db", db_url(ws)]
    outputs: dict[str, object] = {"stdout": []}

    def run(*args: str, ok: bool = True) -> str:
        proc = run_feedun([*args, *db], ws)
        assert proc.returncode == 0 or not ok, (args, proc.stderr)
        outputs["stdout"].append(proc.stdout)  # type: ignore[union-attr]
        outputs.setdefault("stderr", []).append(proc.stderr)  # type: ignore[union-attr]
        return proc.stdout

    assert run_feedun(["init", "."], ws).returncode == 0
    config = ws / "feedun.toml"
    text = config.read_text("utf-8")
    text = text.replace('# "阳光花园" = "李管家"', '"阳光花园" = "李管家"\n"翠湖苑" = "赵管家"\n"锦绣家园" = "孙管家"')
    text += ('\n[law_firm]\nname = "示例律师事务所"\naddress = "示例市示例路 1 号"\nlawyer = "张明律师"\n'
             'phone = "0571-88000000"\n')
    config.write_text(text, "utf-8")
    inbox = ws / "inbox"
    inbox.mkdir()
    shutil.copy(EXAMPLES / "ledger-2026-10.csv", inbox)
    shutil.copy(EXAMPLES / "profiles.xlsx", inbox)
    run("run", "--as-of", "2026-10-27")
    run("tag", "1-1-101", "--estate", "阳光花园", "--collector", "王管家")
    run("tag", "1-1-201", "--estate", "阳光花园", "--dispute", "service")  # recorded, not open: resolved
    for room, outcome, extra in (("1-1-101", "promised", ["--promise-date", "2026-11-20"]),
                                 ("1-1-401", "no_answer", []), ("1-1-401", "no_answer", []),
                                 ("1-1-401", "no_answer", [])):
        run("log", room, "--estate", "阳光花园", "--outcome", outcome, "--at",
            f"2026-11-0{len(outputs['stdout']) % 9 + 1} 10:00", *extra, ok=False)
    shutil.copy(EXAMPLES / "ledger.xlsx", inbox)
    write_xlsx(inbox / "锦绣家园.xlsx", [["项目：锦绣家园"], ["截止日期：2026年11月25日"],
                                       ["房屋编码", "业主", "联系电话", "费用名称", "账单月份", "需收金额", "已付金额"],
                                       ["1栋-1单元-1101", "张伟(13812345678)", "", "物业费", "2026-07至2026-09",
                                        "900", "0"],
                                       ["1栋-1单元-1102", "李娜", "13912345678", "物业费", "2026-11", "300", "0"],
                                       ["合计", "", "", "", "", "1200", "0"]])
    summary = _strict(run("run", "--as-of", AS_OF, "--json"))
    assert summary["failed"] == [], summary  # type: ignore[index]
    outputs["json"] = [summary]
    for args in (("debtors", "--as-of", AS_OF), ("classify", "--as-of", AS_OF), ("promises",),
                 ("letters", "list"), ("report", "--month", "2026-11"),
                 ("explain", "1-1-1101", "--estate", "锦绣家园", "--as-of", AS_OF),
                 ("history", "1-1-101", "--estate", "阳光花园")):
        outputs["json"].append(_strict(run(*args, "--json")))  # type: ignore[union-attr]
    for estate, room in (("阳光花园", "1-1-101"), ("阳光花园", "1-1-201"), ("锦绣家园", "1-1-1101")):
        outputs["json"].append(_strict(run("letters", "--kind", "dunning", "--as-of", AS_OF, "--room", room,
                                           "--estate", estate, "--json")))
    outputs["json"].append(_strict(run("letters", "--kind", "lawyer", "--as-of", AS_OF, "--room", "1-1-1101",
                                       "--estate", "锦绣家园", "--force", "--json")))  # with its evidence pack
    run("purge")  # a dry run: who would be cleared, as text
    outputs["debtors"] = outputs["json"][1]  # type: ignore[index]
    outputs["folder"] = ws
    outputs["outbox"] = ws / "outbox" / AS_OF
    return outputs


def test_every_output_reads_true(scenario: dict) -> None:
    files = [p for p in scenario["folder"].rglob("*") if p.is_file() and p.suffix in (".xlsx", ".docx", ".csv", ".json")
             and "inbox" not in p.parts and "rejects" not in p.parts]
    assert any(p.suffix == ".docx" for p in files) and any("催缴清单" in p.name for p in files)
    found = []
    for path in files:
        for text in _texts_of(path):
            if FORBIDDEN.search(text):
                found.append(f"{path.relative_to(scenario['folder'])}: {text[:120]}")
    for out in scenario["stdout"]:
        found += [f"stdout: {line[:120]}" for line in out.splitlines() if FORBIDDEN.search(line)]
    for data in scenario["json"]:
        found += [f"json: {s[:120]}" for s in _json_strings(data) if FORBIDDEN.search(s)]
    assert found == []


def test_each_rooms_facts_agree_between_outputs(scenario: dict) -> None:
    from openpyxl import load_workbook

    debtors = {(d["estate"], d["room"]): d for d in scenario["debtors"]}
    assert debtors[("锦绣家园", "1-1-1101")]["unpaid_months"] == 3  # the range line is three months
    classified = next(j for j in scenario["json"] if isinstance(j, dict) and "decisions" in j)
    decided = {(d["estate"], d["room"]): d["collector"] or "未分配管家" for d in classified["decisions"]}
    assert decided[("阳光花园", "1-1-101")] == "王管家" and decided[("锦绣家园", "1-1-1102")] == "孙管家"
    lists = list((scenario["outbox"] / "催缴清单").glob("催缴清单-*.xlsx"))
    seen = 0
    for path in lists:
        ws = load_workbook(path, read_only=True).worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
        header = list(rows[0])
        for row in rows[1:]:
            cells = dict(zip(header, row, strict=False))
            if not cells.get("房号") or (cells.get("管理处"), cells["房号"]) not in debtors:
                continue
            d = debtors[(cells["管理处"], cells["房号"])]
            assert round(float(cells["欠费金额(元)"]) * 100) == round(d["outstanding"] * 100), cells
            assert int(cells["欠费月数"]) == d["unpaid_months"], cells
            assert cells["最早欠费月份"] == (d["oldest_period"] or "期间不详"), cells
            collector = path.name.split("-")[1]  # 催缴清单-<collector>-<date>.xlsx
            assert decided[(cells["管理处"], cells["房号"])] == collector, cells
            seen += 1
    assert seen > 10
    sms = list((scenario["outbox"] / "短信").glob("*.csv"))
    assert sms, "a node day writes SMS"
    with sms[0].open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            key = (row.get("管理处") or row.get("小区"), row.get("房号"))
            if key in debtors:
                assert f"{debtors[key]['outstanding']:,.2f}".replace(",", "") in row["短信内容"].replace(",", ""), row


def test_each_letter_states_the_rooms_own_amount_and_period(scenario: dict) -> None:
    from docx import Document

    debtors = {(d["estate"], d["room"]): d for d in scenario["debtors"]}
    letters = sorted((scenario["folder"] / "letters").rglob("催字*.docx"))
    assert len(letters) == 3
    for path in letters:
        estate, room = next((e, r) for (e, r) in debtors if path.stem.endswith(f"{e}{r}"))
        doc = Document(str(path))
        text = "\n".join([p.text for p in doc.paragraphs]
                         + [c.text for t in doc.tables for row in t.rows for c in row.cells])
        assert f"{debtors[(estate, room)]['outstanding']:,.2f}" in text, path.name
        if (estate, room) == ("锦绣家园", "1-1-1101"):
            assert "2026-07 至 2026-09" in text and "截至 2026年11月25日" in text  # its snapshot's date
