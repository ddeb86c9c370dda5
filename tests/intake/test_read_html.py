"""Issue 14: "Excel" exports of web systems that are really an HTML table (or Excel 2003 XML) saved as .xls.

Such a file is read whatever its extension says: every <table> becomes a sheet of text cells laid out as Excel
shows it (spanned cells blank), and `feedun import` accepts its rows like those of a real workbook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feedun.core.errors import InputFileError
from feedun.intake import read
from feedun.intake.read import open_sheets, sniff_kind
from helpers import HEADERS, query, run_import, store_counts

ROWS = [  # leading zeros, long phone numbers and amounts must arrive exactly as written
    ["锦绣家园", "01-1-0101", "张三", "13800138000", "物业费", "2026-09", "300.00", "0", "300.00"],
    ["锦绣家园", "01-1-0102", "李四", "013912345678", "物业费", "2026-10", "280.50", "80.50", "200.00"],
    ["锦绣家园", "02-3-1201", "王五", "", "车位管理费", "2026年10月", "150", "", "150"],
]
TOTAL = ["合计", "", "", "", "", "", "730.50", "80.50", "650.00"]


def _tr(cells: list[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>\n"


def _page(tables: str, head: str = '<meta charset="utf-8">') -> str:
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">\n'
            f'<head>{head}<style>td {{mso-number-format:"\\@";}}</style></head>\n<body>\n{tables}</body></html>\n')


def _ledger_table(title: str = "锦绣家园 欠费明细表") -> str:
    """A title row spanning the width, the as-of date row, a th header, data rows and a 合计 row."""
    return ('<table border="1">\n'
            f'<tr><td colspan="9" align="center"><b>{title}</b></td></tr>\n'
            '<tr><td colspan="9">截止日期：2026年11月25日</td></tr>\n'
            + _tr(HEADERS, "th")
            + "".join(_tr(r) for r in ROWS)
            + '<tr><td>合计</td><td colspan="5">&nbsp;</td><td>730.50</td><td>80.50</td><td>650.00</td></tr>\n'
            "</table>\n")


def _cells(path: Path) -> list[list[list[str | None]]]:
    return [sheet.preview() for sheet in open_sheets(path)]


def _blank(row: list[str]) -> list[str | None]:
    return [c or None for c in row]


def _imported(tmp_path: Path, name: str, *extra: str) -> dict:
    proc = run_import(tmp_path, name, "--as-of", "2026-11-25", "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ---- reading ------------------------------------------------------------------------------------------


def test_utf8_page_with_title_rows_colspan_and_total(tmp_path: Path) -> None:
    path = tmp_path / "欠费明细.xls"
    path.write_text(_page(_ledger_table()), encoding="utf-8")
    assert sniff_kind(path) == "html"
    [sheet] = _cells(path)
    assert sheet[0] == ["锦绣家园 欠费明细表", *[None] * 8]  # the spanning title: its text, then blanks
    assert sheet[1] == ["截止日期：2026年11月25日", *[None] * 8]
    assert sheet[2] == HEADERS
    assert sheet[3:6] == [_blank(r) for r in ROWS]
    assert sheet[6] == _blank(TOTAL)
    assert len(sheet) == 7


def test_cells_are_text_as_a_browser_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "cells.xls"
    path.write_text(_page("<table><tr><td>张&nbsp;三<br>李四</td><td>\n  0101 \n</td><td>1,234.50</td>"
                          "<td>&lt;空&gt;&amp;</td><td>全角　空格</td><td><span>1-1</span>-<b>101</b></td>"
                          "<td x:num=\"3E+11\">300000000000</td></tr></table>"), encoding="utf-8")
    [sheet] = _cells(path)
    assert sheet == [["张 三 李四", "0101", "1,234.50", "<空>&", "全角　空格", "1-1-101", "300000000000"]]


def test_gbk_page_with_http_equiv_charset(tmp_path: Path) -> None:
    path = tmp_path / "gbk.xls"
    head = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    path.write_bytes(_page(_ledger_table("翠湖苑·锦绣家园 欠费明细表"), head).encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    [sheet] = _cells(path)
    assert sheet[0][0] == "翠湖苑·锦绣家园 欠费明细表"
    assert sheet[2] == HEADERS
    assert sheet[3] == _blank(ROWS[0])


def test_gbk_page_without_a_charset_and_a_page_that_lies_about_it(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xls"
    plain.write_bytes(_page(_ledger_table(), head="").encode("gb18030"))
    assert _cells(plain)[0][2] == HEADERS
    lying = tmp_path / "lying.xls"  # says GBK, is UTF-8 (re-encoded by a server): the bytes win
    lying.write_bytes(_page(_ledger_table(), head='<meta charset="gbk">').encode("utf-8"))
    assert _cells(lying)[0][2] == HEADERS
    latin = tmp_path / "latin.xls"  # says ISO-8859-1, which would "decode" anything into mojibake
    latin.write_bytes(_page(_ledger_table(), head='<meta charset="iso-8859-1">').encode("utf-8"))
    assert _cells(latin)[0][2] == HEADERS


def test_rowspan_leaves_blanks_below_and_keeps_columns_aligned(tmp_path: Path) -> None:
    path = tmp_path / "rowspan.xls"
    table = ("<table>" + _tr(HEADERS, "th")
             + '<tr><td rowspan="2">锦绣家园</td>' + "".join(f"<td>{c}</td>" for c in ROWS[0][1:]) + "</tr>"
             + "<tr>" + "".join(f"<td>{c}</td>" for c in ROWS[1][1:]) + "</tr>"
             + '<tr><td>翠湖苑</td><td rowspan="2">02-3-1201</td>' + "".join(f"<td>{c}</td>" for c in ROWS[2][2:])
             + "</tr><tr><td>翠湖苑</td>" + "".join(f"<td>{c}</td>" for c in ROWS[2][2:]) + "</tr></table>")
    path.write_text(_page(table), encoding="utf-8")
    [sheet] = _cells(path)
    assert sheet[1] == _blank(ROWS[0])
    assert sheet[2] == [None, *_blank(ROWS[1])[1:]]
    assert sheet[3] == _blank(["翠湖苑", *ROWS[2][1:]])
    assert sheet[4] == _blank(["翠湖苑", "", *ROWS[2][2:]])


def test_two_tables_are_two_sheets_named_by_caption_id_or_number(tmp_path: Path) -> None:
    path = tmp_path / "two.xls"
    query_table = '<table id="cond"><tr><td>查询条件</td><td>全部楼栋</td></tr></table>\n'
    ledger = _ledger_table().replace('<table border="1">', '<table border="1"><caption>欠费明细</caption>')
    unnamed = "<table><tr><td>制表人</td><td>李会计</td></tr></table>"
    empty = "<table><tr><td> </td></tr></table>"  # layout tables with no text are no sheets
    path.write_text(_page(query_table + ledger + empty + unnamed), encoding="utf-8")
    sheets = open_sheets(path)
    assert [s.name for s in sheets] == ["cond", "欠费明细", "表3"]
    assert sheets[0].preview() == [["查询条件", "全部楼栋"]]
    ledger_cells = sheets[1].preview()
    assert ledger_cells[0] == ["欠费明细", *[None] * 8]  # the caption stays visible above the title rows
    assert ledger_cells[3] == HEADERS


def test_implied_end_tags_and_nested_tables(tmp_path: Path) -> None:
    path = tmp_path / "sloppy.htm"
    path.write_text("<!DOCTYPE html><TABLE><TR><TD>房号<TD>欠费金额<TR><TD>1-101<TD>12.00"
                    "<tr><td>x<table><tr><td>内层</td></tr></table>y<td>z</table>", encoding="utf-8")
    sheets = open_sheets(path)
    assert [s.preview() for s in sheets] == [[["房号", "欠费金额"], ["1-101", "12.00"], ["xy", "z"]], [["内层"]]]


def test_html_detected_whatever_the_extension(tmp_path: Path) -> None:
    page = _page(_ledger_table())
    for name in ("a.xls", "b.xlsx", "c.html", "d.htm", "e.csv", "f.txt"):
        (tmp_path / name).write_text(page, encoding="utf-8")
        assert sniff_kind(tmp_path / name) == "html", name
    bom = tmp_path / "bom.xls"
    bom.write_bytes(b"\xef\xbb\xbf  \r\n" + page.encode("utf-8"))
    assert sniff_kind(bom) == "html"
    utf16 = tmp_path / "utf16.xls"  # Excel's "网页 (Unicode)" flavour
    utf16.write_bytes(page.encode("utf-16"))
    assert sniff_kind(utf16) == "html"
    assert _cells(utf16)[0][2] == HEADERS
    bare = tmp_path / "bare.xls"  # no <html>, just the table
    bare.write_text(_ledger_table(), encoding="utf-8")
    assert sniff_kind(bare) == "html"
    csv = tmp_path / "text.csv"  # a CSV mentioning a tag is still a CSV
    csv.write_text("房号,备注\n1-101,<table>\n", encoding="utf-8")
    assert sniff_kind(csv) == "text"


# ---- limits ---------------------------------------------------------------------------------------------


def test_huge_page_is_refused_like_a_huge_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "big.xls"
    path.write_text(_page(_ledger_table() * 5), encoding="utf-8")
    with pytest.raises(InputFileError, match="超过上限"):
        open_sheets(path)


def test_spans_cannot_blow_up_the_grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wide = tmp_path / "wide.xls"
    wide.write_text(_page('<table><tr><td colspan="999">a</td><td colspan="999">b</td><td colspan="9">c</td>'
                          "</tr></table>"), encoding="utf-8")
    with pytest.raises(InputFileError, match="超过上限 2000 列"):
        open_sheets(wide)
    monkeypatch.setattr(read, "MAX_GRID_CELLS", 10_000)
    tall = tmp_path / "tall.xls"
    tall.write_text(_page("<table>" + '<tr><td colspan="900">x</td></tr>' * 20 + "</table>"), encoding="utf-8")
    with pytest.raises(InputFileError, match="单元格的上限"):
        open_sheets(tall)


# ---- SpreadsheetML (Excel 2003 XML) ---------------------------------------------------------------------


def _ss_cell(value: str, kind: str = "String", extra: str = "") -> str:
    return f'<Cell{extra}><Data ss:Type="{kind}">{value}</Data></Cell>'


def _ss_row(values: list[str], attrs: str = "") -> str:
    """A Row as Excel writes it: blank cells left out, the next cell then carries its ss:Index."""
    cells, gap = [], False
    for i, value in enumerate(values):
        if not value:
            gap = True
            continue
        kind = "Number" if i >= 6 and value.replace(".", "").isdigit() else "String"
        cells.append(_ss_cell(value, kind, f' ss:Index="{i + 1}"' if gap else ""))
        gap = False
    return f"<Row{attrs}>" + "".join(cells) + "</Row>\n"


def _spreadsheetml(encoding: str = "UTF-8") -> str:
    title = _ss_cell("锦绣家园 欠费明细表", extra=' ss:MergeAcross="8"')
    notes = ('<Worksheet ss:Name="说明"><Table><Row><Cell ss:MergeDown="1">'
             '<Data ss:Type="String"><html:B>导出</html:B>时间</Data></Cell>'
             + _ss_cell("2026-11-25T09:30:00.000", "DateTime") + "</Row>"
             + "<Row>" + _ss_cell("2026-11-25T00:00:00.000", "DateTime") + "</Row></Table></Worksheet>\n")
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">\n'
            '<Styles><Style ss:ID="Default"/></Styles>\n'
            '<Worksheet ss:Name="欠费明细"><Table ss:ExpandedColumnCount="9">\n'
            f"<Row>{title}</Row>\n"
            + _ss_row(["截止日期：2026年11月25日"])
            + _ss_row(HEADERS, ' ss:Index="4"')
            + "".join(_ss_row(r) for r in ROWS)
            + _ss_row(["合计", *[""] * 7, "650"])
            + "</Table></Worksheet>\n" + notes
            + '<Worksheet ss:Name="空"><Table/></Worksheet>\n'
            "</Workbook>\n")


def test_spreadsheetml_sheets_and_cells(tmp_path: Path) -> None:
    path = tmp_path / "欠费明细.xls"
    path.write_text(_spreadsheetml(), encoding="utf-8")
    assert sniff_kind(path) == "xml"
    ledger, notes = open_sheets(path)
    assert (ledger.name, notes.name) == ("欠费明细", "说明")
    cells = ledger.preview()
    assert cells[0] == ["锦绣家园 欠费明细表", *[None] * 8]
    assert cells[1] == ["截止日期：2026年11月25日", *[None] * 8]
    assert cells[2] == [None] * 9  # ss:Index="4" skipped row 3
    assert cells[3] == HEADERS
    assert cells[4:7] == [_blank(r) for r in ROWS]
    assert cells[7] == _blank(["合计", *[""] * 7, "650"])
    # MergeDown covers the cell below, so the next row's first cell lands in column B
    assert notes.preview() == [["导出时间", "2026-11-25 09:30:00"], [None, "2026-11-25"]]


def test_spreadsheetml_in_gbk_and_with_an_entity_declaration(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.xls"
    gbk.write_bytes(_spreadsheetml("GB2312").encode("gbk"))
    assert open_sheets(gbk)[0].preview()[3] == HEADERS
    bare = tmp_path / "bare.xls"  # no <?xml ...?> prolog
    bare.write_text(_spreadsheetml().split("?>\n", 2)[2], encoding="utf-8")
    assert sniff_kind(bare) == "xml"
    assert open_sheets(bare)[0].preview()[3] == HEADERS
    bomb = tmp_path / "bomb.xls"
    bomb.write_text(_spreadsheetml().replace("<?mso-application", '<!DOCTYPE x [<!ENTITY a "aaaa">]><?mso-application'),
                    encoding="utf-8")
    with pytest.raises(InputFileError, match="实体"):
        open_sheets(bomb)
    broken = tmp_path / "broken.xls"
    broken.write_text(_spreadsheetml()[:-40], encoding="utf-8")
    with pytest.raises(InputFileError, match="已损坏"):
        open_sheets(broken)


# ---- end to end: the real CLI ---------------------------------------------------------------------------


def test_import_html_xls_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "锦绣家园欠费.xls").write_text(_page(_ledger_table()), encoding="utf-8")
    out = _imported(tmp_path, "锦绣家园欠费.xls")
    assert (out["rows_read"], out["accepted"], out["rejected"]) == (4, 3, 0)
    assert out["skipped_detail"] == {"合计/小计行": 1}
    assert out["sheet"] == "表1"
    rows = query(tmp_path, "SELECT room, phones, outstanding FROM ledger_lines ORDER BY source_row")
    assert [r[1] for r in rows][:1] == ["13800138000"]
    assert [r[2] for r in rows] == [30000, 20000, 15000]  # fen
    assert any("0101" in r[0] for r in rows), rows  # the room number's leading zeros survived


def test_import_gbk_html_with_rowspan_estate(tmp_path: Path) -> None:
    table = ("<table><tr><td colspan=9>截止日期：2026年11月25日</td></tr>" + _tr(HEADERS)
             + '<tr><td rowspan="3">锦绣家园</td>' + "".join(f"<td>{c}</td>" for c in ROWS[0][1:]) + "</tr>"
             + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>" for r in ROWS[1:])
             + "<tr>" + "".join(f"<td>{c}</td>" for c in TOTAL) + "</tr></table>")
    head = '<meta http-equiv="Content-Type" content="text/html; charset=GBK">'
    (tmp_path / "gbk.xls").write_bytes(_page(table, head).encode("gbk"))
    out = _imported(tmp_path, "gbk.xls")
    assert (out["accepted"], out["rejected"], out["skipped"]) == (3, 0, 1)
    assert out["estates"] == ["锦绣家园"]


def test_import_second_table_and_spreadsheetml(tmp_path: Path) -> None:
    two = _page('<table><tr><td>查询条件</td><td>全部</td></tr></table>' + _ledger_table())
    (tmp_path / "two.xls").write_text(two, encoding="utf-8")
    out = _imported(tmp_path, "two.xls")
    assert (out["sheet"], out["accepted"]) == ("表2", 3)
    (tmp_path / "2003.xls").write_text(_spreadsheetml(), encoding="utf-8")
    out = _imported(tmp_path, "2003.xls")
    assert (out["sheet"], out["accepted"], out["rejected"], out["skipped_detail"]) == (
        "欠费明细", 3, 0, {"合计/小计行": 1})


@pytest.mark.parametrize(("name", "content", "words"), [
    ("登录.xls", "<!DOCTYPE html><html><head><title>登录</title></head><body><p>会话已过期，请重新登录</p></body></html>",
     ["网页", "没有可读取的表格"]),
    ("空表.xls", "<html><body><table><tr><td></td></tr></table></body></html>", ["没有可读取的表格"]),
    ("空2003.xls", '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                   "<Worksheet/></Workbook>", ["没有任何数据"]),
])
def test_page_without_a_table_is_refused_in_chinese(tmp_path: Path, name: str, content: str,
                                                    words: list[str]) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    proc = run_import(tmp_path, name, "--as-of", "2026-11-25")
    err = proc.stderr.replace("\n", "")
    assert proc.returncode == 1, (proc.returncode, err)
    assert "Traceback" not in err
    assert err.startswith("错误：") and name in err and "处理办法：" in err, err
    for word in words:
        assert word in err, (word, err)
    assert store_counts(tmp_path) == (0, 0)
