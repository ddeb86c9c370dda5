"""Bad input files: one Chinese message naming the file and the next step, exit 1, no traceback, store untouched."""

from __future__ import annotations

import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import GOOD_ROWS, HEADERS, run_import, store_counts, write_xlsx


def _png() -> bytes:
    """A valid 1x1 greyscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def _zip_with_random_members(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("foo.bin", os.urandom(512))
        zf.writestr("docs/readme.txt", "这不是工作簿")


def _truncated_workbook(path: Path) -> None:
    whole = write_xlsx(path.with_name("whole.xlsx"), [HEADERS, *GOOD_ROWS]).read_bytes()
    path.with_name("whole.xlsx").unlink()
    path.write_bytes(whole[: len(whole) // 2])


def _encrypted_workbook(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(path.with_name("plain.xlsx"), [HEADERS, *GOOD_ROWS])
    with plain.open("rb") as src, path.open("wb") as dst:
        OOXMLFile(src).encrypt("mima123", dst)
    plain.unlink()


def _empty_sheet(path: Path) -> None:
    write_xlsx(path, [])


# name -> (file name, how to make it, words the message must contain)
CASES = {
    "zero-byte xlsx": ("台账.xlsx", lambda p: p.write_bytes(b""), ["0 字节"]),
    "zero-byte csv": ("台账.csv", lambda p: p.write_bytes(b""), ["0 字节"]),
    "zip with random members": ("损坏.xlsx", _zip_with_random_members, ["工作簿"]),
    "truncated workbook": ("截断.xlsx", _truncated_workbook, ["工作簿"]),
    "password protected": ("加密.xlsx", _encrypted_workbook, ["密码"]),
    "png renamed xlsx": ("图片.xlsx", lambda p: p.write_bytes(_png()), ["PNG 图片", "不是表格"]),
    "empty sheet": ("空表.xlsx", _empty_sheet, ["空的"]),
    "csv with NUL bytes": ("空字节.csv", lambda p: p.write_bytes("房号,欠费金额\n1-1-101,\x00\x00\n".encode()),
                           ["编码", "空字节"]),
    "csv neither utf-8 nor gb18030": ("乱码.csv", lambda p: p.write_bytes(b"\x80\x80\xff,\x80\n"), ["编码", "GB18030"]),
    "no recognisable header": ("无表头.xlsx", lambda p: write_xlsx(p, [["foo", "bar"], ["1", "2"], ["3", "4"]]),
                               ["表头", "foo、bar"]),
    "missing required columns": (
        "缺列.xlsx",
        lambda p: write_xlsx(p, [["管理处", "房号", "业主姓名"], ["阳光花园", "1-1-101", "张三"]]),
        ["缺少必需的列", "欠费金额", "看到的列：管理处、房号、业主姓名", "[import.columns]"]),
    "nonexistent path": ("没有这个文件.xlsx", lambda p: None, ["不存在"]),
}


def _assert_clean_failure(proc, name: str, words: list[str], tmp_path: Path) -> None:
    err = proc.stderr.replace("\n", "")  # rich wraps long lines at 80 columns; see the xfail below
    assert proc.returncode == 1, (proc.returncode, err)
    assert "Traceback" not in err
    assert proc.stderr.startswith("错误：") and err.count("错误：") == 1, err  # one message, not a cascade
    assert name in err, err  # names the file
    assert "处理办法：" in err, err  # says what to do next
    for word in words:
        assert word in err, (word, err)
    assert proc.stdout.strip() == ""
    assert store_counts(tmp_path) == (0, 0)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_fails_cleanly(tmp_path: Path, case: str) -> None:
    name, make, words = CASES[case]
    make(tmp_path / name)
    proc = run_import(tmp_path, name)
    _assert_clean_failure(proc, name, words, tmp_path)


def test_encrypted_fixture_is_really_encrypted(tmp_path: Path) -> None:
    """Guard for the password case: the file is an OLE container that msoffcrypto sees as encrypted."""
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "加密.xlsx"
    _encrypted_workbook(path)
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    with path.open("rb") as fh:
        assert OOXMLFile(fh).is_encrypted()


def test_csv_decodable_only_with_the_wrong_explicit_encoding(tmp_path: Path) -> None:
    (tmp_path / "gbk.csv").write_bytes(",".join(HEADERS).encode("gbk") + b"\n")
    proc = run_import(tmp_path, "gbk.csv", "--encoding", "utf-8")
    _assert_clean_failure(proc, "gbk.csv", ["utf-8", "编码"], tmp_path)


def test_all_rows_rejected(tmp_path: Path) -> None:
    rows = [[*r[:6], "待核", "不详", "？？"] for r in GOOD_ROWS]
    write_xlsx(tmp_path / "全错.xlsx", [HEADERS, *rows])
    proc = run_import(tmp_path, "全错.xlsx")
    _assert_clean_failure(proc, "全错.xlsx", ["全部 3 行", "拒收"], tmp_path)
    rejects = list((tmp_path / "rejects").glob("全错-拒收行-*.xlsx"))
    assert len(rejects) == 1
    ws = load_workbook(rejects[0], read_only=True)["拒收行"]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [2, 3, 4]


def test_some_bad_rows_import_the_rest_and_write_rejects(tmp_path: Path) -> None:
    bad_amount = ["阳光花园", "1-1-103", "赵六", "13700137000", "物业费", "2026-10", "300", "0", "待核"]
    bad_period = ["阳光花园", "1-1-104", "钱七", "", "物业费", "2026-13", "300", "0", "300"]
    no_room = ["翠湖苑", "", "孙八", "", "物业费", "2026-10", "300", "0", "300"]
    rows = [GOOD_ROWS[0], bad_amount, GOOD_ROWS[1], bad_period, no_room, GOOD_ROWS[2]]
    write_xlsx(tmp_path / "部分错.xlsx", [HEADERS, *rows])

    proc = run_import(tmp_path, "部分错.xlsx", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert (result["rows_read"], result["accepted"], result["rejected"], result["skipped"]) == (6, 3, 3, 0)
    assert store_counts(tmp_path) == (1, 3)

    rejects = Path(result["rejects_file"])
    assert rejects.parent == tmp_path / "rejects"
    assert rejects.name.startswith("部分错-拒收行-") and rejects.suffix == ".xlsx"
    wb = load_workbook(rejects, read_only=True)
    assert wb.sheetnames[0] == "拒收行"
    table = list(wb["拒收行"].iter_rows(values_only=True))
    assert list(table[0]) == ["原行号", "原因", *HEADERS]
    by_row = {r[0]: r for r in table[1:]}
    assert sorted(by_row) == [3, 5, 6]  # sheet rows: header is row 1
    assert "待核" in by_row[3][1] and "欠费金额" in by_row[3][1]
    assert "2026-13" in by_row[5][1]
    assert "房号为空" in by_row[6][1]
    # The original cells follow, as text.
    assert list(by_row[3][2:]) == bad_amount
    assert list(by_row[5][2:]) == [c or None for c in bad_period]
    assert by_row[6][2:5] == ("翠湖苑", None, "孙八")


def test_bad_file_among_good_files_fails_only_itself(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "好.xlsx", [HEADERS, *GOOD_ROWS])
    (tmp_path / "空.csv").write_bytes(b"")
    proc = run_import(tmp_path, "空.csv", "好.xlsx")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "空.csv" in proc.stderr and "0 字节" in proc.stderr
    assert store_counts(tmp_path) == (1, 3)


def test_long_path_in_message_is_not_split(tmp_path: Path) -> None:
    folder = tmp_path / ("物业公司财务部导出的台账文件" * 3) / "2026年11月"
    folder.mkdir(parents=True)
    path = folder / "阳光花园欠费明细（截至2026年11月30日）.xlsx"
    path.write_bytes(b"")
    proc = run_import(tmp_path, path)
    assert proc.returncode == 1
    assert str(path) in proc.stderr, proc.stderr
