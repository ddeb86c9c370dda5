"""Generate a large, realistic long-layout arrears ledger (xlsx) for benchmarking `feedun import`.

    .venv/bin/python benchmarks/make_ledger.py             # 200,000 rows -> benchmarks/data/ledger-200k.xlsx
    .venv/bin/python benchmarks/make_ledger.py --rows 50000 --out /tmp/l.xlsx --force

The sheet looks like a property ERP export: two title rows ("嘉禾物业 欠费明细表", "截止日期：2026年11月25日"),
then the header, then one row per room x month (2025-12..2026-11) x fee item (物业服务费, 车位管理费, 公摊水电费)
over 5 estates, and a 合计 row at the end. About 30% of the lines carry arrears. Money is computed in integer
fen and written as yuan with 2 decimals; 应缴日期 is a real date cell; phones are valid 11-digit mobiles, some
cells holding two ("138xxxxxxxx/139xxxxxxxx"). Every data row is valid, so feedun should accept all of them
and skip exactly the 合计 row.

Deterministic: all randomness comes from random.Random(seed), and the workbook's document properties and zip
timestamps are fixed, so the same --rows/--seed gives the same bytes. The parts are written straight into the
zip (the sheet streamed, text cells in a shared-string table as Excel exports have them; about 5 s per 200k rows),
and the file is not regenerated when it already exists unless --force.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_ROWS = 200_000
DEFAULT_SEED = 20261125

SHEET_NAME = "欠费明细"
TITLE = "嘉禾物业 欠费明细表"
CUTOFF = dt.date(2026, 11, 25)
CUTOFF_LINE = "截止日期：2026年11月25日"
FIXED_DOC_TIME = dt.datetime(2026, 11, 25, 9, 30, 0)
FIXED_ZIP_TIME = (2026, 11, 25, 9, 30, 0)

HEADER = [
    "管理处", "楼栋", "单元", "房号", "业主姓名", "联系电话", "建筑面积", "收费项目", "所属期间", "应缴日期",
    "应收金额(元)", "实收金额(元)", "减免金额(元)", "欠费金额(元)", "滞纳金(元)", "备注",
]
PERIODS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]  # 12 billing months
DUE_DAY = 15
FEE_ITEMS = ("物业服务费", "车位管理费", "公摊水电费")
LINES_PER_ROOM = len(PERIODS) * len(FEE_ITEMS)  # 36
LATE_FEE_PER_DAY = (5, 10_000)  # 万分之五 per day overdue, a common (if contested) contract term


@dataclass(frozen=True)
class Estate:
    name: str
    units: int  # units per building
    floors: int
    rooms_per_floor: int
    price_fen: int  # 物业服务费 per m² per month, in fen
    parking_fen: int  # 车位管理费 per month, in fen


ESTATES = [
    Estate("阳光花园", units=2, floors=11, rooms_per_floor=2, price_fen=180, parking_fen=8_000),
    Estate("翠湖苑", units=3, floors=18, rooms_per_floor=2, price_fen=220, parking_fen=12_000),
    Estate("金桂华庭", units=2, floors=26, rooms_per_floor=4, price_fen=280, parking_fen=15_000),
    Estate("锦绣江南", units=2, floors=33, rooms_per_floor=4, price_fen=350, parking_fen=20_000),
    Estate("滨江壹号", units=1, floors=32, rooms_per_floor=2, price_fen=480, parking_fen=30_000),
]

SURNAMES = [
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘",
    *"于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹",
    "欧阳", "司马",
]
GIVEN_CHARS = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然欣怡子涵梓轩雨婷佳琪")
# Prefixes that phonenumbers (and so feedun) accepts as Chinese mobiles.
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156", "157",
    "158", "159", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198",
    "199",
]
DEBTOR_REMARKS = ["已电话催缴", "业主在外地", "承诺月底缴清", "对维修有异议", "已发催缴函", "空置房", "租户居住"]

# Rooms differ in how often they owe: most almost never, some often, a few always (≈30% of lines overall).
ROOM_ARREARS_P = [(0.60, 0.05), (0.25, 0.50), (0.15, 0.95)]  # (share of rooms, chance a line is owed)


@dataclass(frozen=True)
class Room:
    estate: Estate
    building: int
    unit: int
    number: int  # floor * 100 + room


def default_out(rows: int, seed: int) -> Path:
    label = f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)
    suffix = "" if seed == DEFAULT_SEED else f"-s{seed}"
    return DATA_DIR / f"ledger-{label}{suffix}.xlsx"


def description(rows: int, seed: int) -> str:
    return f"feedun benchmark ledger: rows={rows} seed={seed}"


def make_rooms(count: int) -> list[Room]:
    """`count` rooms spread evenly over the estates, in building/unit/floor/room order within each."""
    rooms: list[Room] = []
    per_estate = [count // len(ESTATES) + (1 if i < count % len(ESTATES) else 0) for i in range(len(ESTATES))]
    for estate, wanted in zip(ESTATES, per_estate, strict=True):
        made = 0
        building = 0
        while made < wanted:
            building += 1
            for unit in range(1, estate.units + 1):
                for floor in range(1, estate.floors + 1):
                    for r in range(1, estate.rooms_per_floor + 1):
                        if made < wanted:
                            rooms.append(Room(estate, building, unit, floor * 100 + r))
                            made += 1
    return rooms


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    given = 1 if rng.random() < 0.3 else 2
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(given))


def yuan(fen: int) -> float:
    """Integer fen as a float whose shortest repr is the 2-decimal yuan amount (12345 -> 123.45)."""
    return fen / 100


def generate_rows(rows: int, seed: int):
    """Yield the sheet rows: title rows, header, `rows` data rows, the 合计 row."""
    rng = random.Random(seed)
    yield [TITLE]
    yield [CUTOFF_LINE]
    yield list(HEADER)
    rooms = make_rooms(-(-rows // LINES_PER_ROOM))
    due_dates = [dt.date(y, m, DUE_DAY) for y, m in PERIODS]
    period_texts = [f"{y:04d}-{m:02d}" for y, m in PERIODS]
    totals = [0, 0, 0, 0, 0]  # due, paid, discount, outstanding, late fee (fen)
    written = 0
    shares = [share for share, _ in ROOM_ARREARS_P]
    for room in rooms:
        estate = room.estate
        owner = name(rng)
        r = rng.random()
        phone = mobile(rng) + "/" + mobile(rng) if r < 0.08 else ("" if r < 0.10 else mobile(rng))
        area_centi = rng.randrange(4_500, 18_000)  # 45.00 .. 179.99 m²
        arrears_p = rng.choices(ROOM_ARREARS_P, weights=shares)[0][1]
        remark = rng.choice(DEBTOR_REMARKS) if arrears_p > 0.5 and rng.random() < 0.4 else None
        property_fen = (area_centi * estate.price_fen + 50) // 100
        base = [estate.name, f"{room.building}栋", f"{room.unit}单元", str(room.number), owner, phone or None,
                yuan(area_centi)]
        for p, period in enumerate(period_texts):
            due_date = due_dates[p]
            for item in FEE_ITEMS:
                if written == rows:
                    break
                if item == "物业服务费":
                    due = property_fen
                elif item == "车位管理费":
                    due = estate.parking_fen
                else:
                    due = rng.randrange(800, 6_000)  # shared utilities: 8.00 .. 59.99 a month
                discount = 0
                if rng.random() < 0.04:
                    discount = min(due, rng.choice([500, 1_000, 2_000, (due + 10) // 20]))
                if rng.random() < arrears_p:
                    payable = due - discount
                    partly_paid = rng.random() >= 0.8 and payable > 1
                    paid = rng.randrange(1, payable) if partly_paid else 0
                    outstanding = due - discount - paid
                    days = (CUTOFF - due_date).days
                    per_day, per = LATE_FEE_PER_DAY
                    late = (outstanding * days * per_day + per // 2) // per
                    line_remark = remark
                else:
                    paid, outstanding, late, line_remark = due - discount, 0, 0, None
                for i, amount in enumerate((due, paid, discount, outstanding, late)):
                    totals[i] += amount
                written += 1
                amounts = [yuan(due), yuan(paid), yuan(discount), yuan(outstanding), yuan(late)]
                yield [*base, item, period, due_date, *amounts, line_remark]
    yield ["合计", None, None, None, None, None, None, None, None, None, *(yuan(t) for t in totals), None]


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed timestamp, so the same options give the same bytes."""

    def _info(self, arcname: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(arcname, date_time=FIXED_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        return super().writestr(zinfo_or_arcname, data, *args, **kwargs)


COLUMNS = [chr(ord("A") + i) for i in range(len(HEADER))]  # A..P
DATE_STYLE = 1  # cellXfs index of the yyyy-mm-dd number format below
EXCEL_EPOCH = dt.date(1899, 12, 30)
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = XML_HEAD + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>")
ROOT_RELS = XML_HEAD + (
    f'<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{PKG_REL_NS}/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>")
WORKBOOK_RELS = XML_HEAD + (
    f'<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>")
WORKBOOK = XML_HEAD + (
    f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><bookViews><workbookView/></bookViews>'
    f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets></workbook>')
STYLES = XML_HEAD + (
    f'<styleSheet xmlns="{NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
APP = XML_HEAD + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Microsoft Excel</Application></Properties>")


def core_xml(rows: int, seed: int) -> str:
    stamp = FIXED_DOC_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    return XML_HEAD + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>feedun benchmarks/make_ledger.py</dc:creator>"
        f"<dc:description>{description(rows, seed)}</dc:description>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>")


def number_text(value: float) -> str:
    """A number as Excel stores it: shortest round-trip digits, no '.0' on whole numbers."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def sheet_chunks(rows: int, seed: int, strings: dict[str, int]):
    """The worksheet XML in pieces (a few thousand rows each); text cells go to the shared-string table
    `strings` (text -> index, filled in order of first use), as Excel itself writes them."""
    last = rows + 4  # title, cut-off line, header, data rows, 合计
    yield XML_HEAD + f'<worksheet xmlns="{NS}"><dimension ref="A1:{COLUMNS[-1]}{last}"/><sheetData>'
    parts: list[str] = []
    for r, row in enumerate(generate_rows(rows, seed), start=1):
        parts.append(f'<row r="{r}">')
        for col, value in zip(COLUMNS, row, strict=False):
            if value is None:
                continue
            if isinstance(value, str):
                index = strings.get(value)
                if index is None:
                    index = strings[value] = len(strings)
                parts.append(f'<c r="{col}{r}" t="s"><v>{index}</v></c>')
            elif isinstance(value, dt.date):
                parts.append(f'<c r="{col}{r}" s="{DATE_STYLE}"><v>{(value - EXCEL_EPOCH).days}</v></c>')
            else:
                parts.append(f'<c r="{col}{r}"><v>{number_text(value)}</v></c>')
        parts.append("</row>")
        if len(parts) > 50_000:
            yield "".join(parts)
            parts.clear()
    parts.append("</sheetData></worksheet>")
    yield "".join(parts)


def write_ledger(path: Path, rows: int, seed: int) -> None:
    """Write the workbook's parts straight into the zip: the sheet streamed row by row (memory stays flat),
    then the shared-string table it collected. About 20x faster than openpyxl's write_only mode."""
    from xml.sax.saxutils import escape

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    strings: dict[str, int] = {}
    try:
        with _FixedTimeZip(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", CONTENT_TYPES)
            zf.writestr("_rels/.rels", ROOT_RELS)
            zf.writestr("docProps/core.xml", core_xml(rows, seed))
            zf.writestr("docProps/app.xml", APP)
            zf.writestr("xl/workbook.xml", WORKBOOK)
            zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            zf.writestr("xl/styles.xml", STYLES)
            with zf.open(zf._info("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as sheet:
                for chunk in sheet_chunks(rows, seed, strings):
                    sheet.write(chunk.encode("utf-8"))
            table = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)  # dicts keep insertion order
            zf.writestr("xl/sharedStrings.xml", XML_HEAD + f'<sst xmlns="{NS}" uniqueCount="{len(strings)}">{table}</sst>')
        tmp.replace(path)  # never leave a half-written file that a later run would "reuse"
    finally:
        tmp.unlink(missing_ok=True)


def existing_description(path: Path) -> str | None:
    """The description stored in an existing workbook's docProps/core.xml, if any."""
    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    m = re.search(r"<dc:description>(.*?)</dc:description>", core)
    return m.group(1) if m else None


def ensure_ledger(rows: int = DEFAULT_ROWS, out: Path | None = None, seed: int = DEFAULT_SEED,
                  force: bool = False, log=print) -> Path:
    """Generate the ledger unless it is already there; returns its path."""
    path = Path(out) if out is not None else default_out(rows, seed)
    if path.exists() and not force:
        found = existing_description(path)
        if found is not None and found != description(rows, seed):
            log(f"note: {path} exists but was made with different options ({found}); "
                "pass --force to regenerate it", file=sys.stderr)
        log(f"{path} exists; not regenerating (use --force)", file=sys.stderr)
        return path
    log(f"writing {rows:,} data rows to {path} (about 5 s per 200k rows) ...",
        file=sys.stderr)
    started = time.perf_counter()
    write_ledger(path, rows, seed)
    log(f"done in {time.perf_counter() - started:.1f} s, {path.stat().st_size / 2**20:.1f} MiB",
        file=sys.stderr)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="data rows (default %(default)s)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output path (default benchmarks/data/ledger-200k.xlsx for 200000 rows)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--force", action="store_true", help="regenerate even if the file exists")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    path = ensure_ledger(args.rows, args.out, args.seed, args.force)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
