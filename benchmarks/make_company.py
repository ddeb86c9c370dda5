"""Generate a realistic property-management company for `benchmarks/bench_run.py`: two months of .xlsx ledgers.

    .venv/bin/python benchmarks/make_company.py --rooms 10000            # -> benchmarks/data/company-10k-s.../
    .venv/bin/python benchmarks/make_company.py --rooms 2500 --out /tmp/c --check

The company (all randomness from random.Random(seed), so the same --rooms/--seed gives the same bytes):

* estates of 2,500 rooms (the last one smaller when --rooms is not a multiple), each of one building type
  (2 units x 25 floors x 2 rooms, 3 x 18 x 2, 2 x 32 x 4, 1 x 33 x 2 or 2 x 11 x 2), rooms coded
  building-unit-floor/room ("3-2-1201"), one owner per room, area 45..180 m², the estate's price per m²;
* phones per room: one 11-digit mobile mostly, two mobiles "138.../139..." in 8%, a landline only in 1%,
  blank in 2%;
* collectors per building: each collector looks after about 600 rooms (whole buildings) in one estate;
  [collectors] gets "estate/building" = collector for every building and "estate" = its first collector;
* a third of the rooms owe: occasional (1-2 months), frequent (3-6) and chronic (7-12) debtors; 15% of owed
  lines partly paid, 4% of lines with a discount, a late fee column at 万分之五 a day, remarks on some debtors;
* month 1: the ledger as of 2026-12-01, one 物业服务费 line per room per month for the 12 months 2025-12..2026-11
  (exactly 12 lines per room: 1.2M lines at 100k rooms), and a filled call list (催缴清单-....csv, the read-back
  format of `feedun calls`) with the collectors' contacts with the debtors from 2026-06 to 2026-11;
* month 2: the ledger as of 2027-01-01, 12 lines per room for 2026-01..2026-12, plus a 2025-12 line for each
  room still owing it (arrears carried forward). Of the month-1 debtors, 30% have paid everything, 10% paid their
  older half, the rest paid nothing more (and owe December too when they owed November); 3% of the rooms that
  owed nothing did not pay December (new debts).

A month's ledger is one .xlsx up to Excel's 1,048,576 rows per sheet; a larger company's ledger (100k rooms:
1.2M lines) comes as several files of whole estates (欠费明细-2026-12-01-1.xlsx, -2.xlsx), as an ERP export per
group of 管理处 would. Each ledger file is an .xlsx written here directly (openpyxl write_only is ~90 s per 200k rows): the sheet XML is
streamed into the zip, with a shared-string table as Excel and ERP exports have, a merged title row, a date row,
the header, the data (dates as date cells, money as numbers) and a 合计 row. Entries carry fixed timestamps.
--check opens the ledgers with fastexcel, openpyxl (read_only) and the standard library's XML parser and
compares what they see.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_ledger import MOBILE_PREFIXES, name  # read-only helpers shared with make_ledger.py

GENERATOR_VERSION = 2  # 2: a month's ledger split into files of at most Excel's 1,048,576 rows
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_SEED = 20261201
ROOMS_PER_ESTATE = 2_500
ROOMS_PER_COLLECTOR = 600
EXCEL_MAX_ROWS = 1_048_576  # rows per sheet; Excel cannot open more, so a larger export comes as several files

COMPANY = "嘉禾物业服务有限公司"
SHEET_NAME = "欠费明细"
ZIP_TIME = (2026, 12, 1, 9, 30, 0)
HEADER = [
    "管理处", "楼栋", "单元", "房号", "业主姓名", "联系电话", "建筑面积", "收费项目", "所属期间", "应缴日期",
    "应收金额(元)", "实收金额(元)", "减免金额(元)", "欠费金额(元)", "滞纳金(元)", "备注",
]
ITEM = "物业服务费"
PERIODS = [(2025, 12)] + [(2026, m) for m in range(1, 13)]  # 2025-12 .. 2026-12: 13 billing months
DUE_DAY = 15
LATE_FEE_PER_DAY = (5, 10_000)  # 万分之五 a day


@dataclass(frozen=True)
class Month:
    number: int
    ledger_as_of: date
    run_as_of: date  # a reminder node day: the SMS node of the 5th, moved past weekends
    first: int  # index into PERIODS of the window's first month (12 months)

    @property
    def window(self) -> range:
        return range(self.first, self.first + 12)

    @property
    def ledger_name(self) -> str:
        return f"欠费明细-{self.ledger_as_of.isoformat()}.xlsx"


MONTHS = (
    Month(1, date(2026, 12, 1), date(2026, 12, 7), 0),  # December's SMS node (the 5th is a Saturday)
    Month(2, date(2027, 1, 1), date(2027, 1, 5), 1),  # January's SMS node
)

# (units, floors, rooms per floor, 物业服务费 fen per m² per month)
BUILDING_TYPES = [(2, 25, 2, 220), (3, 18, 2, 180), (2, 32, 4, 280), (1, 33, 2, 480), (2, 11, 2, 150)]
ESTATE_PREFIXES = ["阳光", "翠湖", "金桂", "锦绣", "滨江", "碧水", "紫荆", "东湖", "西溪", "南山", "北辰", "香樟",
                   "银杏", "枫林", "御景", "春江", "明月", "绿洲", "天悦", "海棠"]
ESTATE_SUFFIXES = ["花园", "苑", "华庭", "家园", "名邸", "新城", "公馆", "雅居"]

# (class, share of rooms, fewest and most unpaid months in month 1, contacts made with the room)
ROOM_CLASSES = [
    ("paid_up", 0.667, 0, 0, (0, 0)),
    ("occasional", 0.140, 1, 2, (0, 1)),
    ("frequent", 0.100, 3, 6, (1, 4)),
    ("chronic", 0.093, 7, 12, (2, 7)),
]
PAID_ALL, PAID_OLDER_HALF, NEW_DEBT = 0.30, 0.10, 0.03  # month 2
DEBTOR_REMARKS = ["已电话催缴", "业主在外地", "承诺月底缴清", "对维修有异议", "已发催缴函", "空置房", "租户居住"]

CONTACTS_FROM, CONTACTS_UNTIL = date(2026, 6, 1), date(2026, 11, 30)
CALLS_FILE = "催缴清单-王管家-2026-11-30.csv"
CALLS_HEADER = ["序号", "管理处", "房号", "业主", "联系时间", "联系方式", "结果", "承诺日期", "承诺金额", "回电时间",
                "备注", "键（勿改）", "业主键（勿改）"]
OUTCOMES = [  # (label as in the call list's drop-down, src/feedun/core/vocab.py OUTCOME_LABELS; weight)
    ("无人接听", 30), ("含糊推托", 14), ("忙或不在本地", 10), ("约定回电", 8), ("承诺缴费", 10), ("称已缴费", 5),
    ("认为收费不合理拒缴", 6), ("因房屋质量拒缴", 3), ("因服务问题拒缴", 3), ("其他原因拒缴", 5), ("号码无效", 3),
    ("非业主本人", 3),
]
CHANNELS = [("电话", 80), ("上门", 10), ("微信", 10)]


@dataclass
class Room:
    index: int
    estate: str
    building: int
    unit: int
    number: int
    price_fen: int
    owner: str
    phones: str
    kind: str  # "mobile", "two", "landline", "blank"
    area_centi: int
    cls: str
    remark: str
    owed: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))  # PERIODS indexes, per month
    fate: str = ""  # month 2: paid_all, paid_part, unpaid, new_debt, ""

    @property
    def code(self) -> str:
        return f"{self.building}-{self.unit}-{self.number}"


def size_label(rooms: int) -> str:
    return f"{rooms // 1000}k" if rooms % 1000 == 0 else str(rooms)


def default_dir(rooms: int, seed: int) -> Path:
    return DATA_DIR / f"company-{size_label(rooms)}-s{seed}-g{GENERATOR_VERSION}"


def estate_names(count: int) -> list[str]:
    names = [p + s for s in ESTATE_SUFFIXES for p in ESTATE_PREFIXES]
    random.Random(7).shuffle(names)
    if count > len(names):
        names += [f"第{i}小区" for i in range(len(names) + 1, count + 1)]
    return names[:count]


def phone_cell(rng: random.Random) -> tuple[str, str]:
    r = rng.random()
    if r < 0.02:
        return "", "blank"
    if r < 0.03:
        return f"0571-8{rng.randrange(10**7):07d}", "landline"
    if r < 0.11:
        return _mobile(rng) + "/" + _mobile(rng), "two"
    return _mobile(rng), "mobile"


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def make_company(rooms_count: int, seed: int) -> tuple[list[Room], dict[str, str]]:
    """The rooms (owners, phones, debts in both months) and the [collectors] table."""
    rng = random.Random(seed)
    n_estates = -(-rooms_count // ROOMS_PER_ESTATE)
    names = estate_names(n_estates)
    rooms: list[Room] = []
    collectors: dict[str, str] = {}
    used_names: set[str] = set()

    def collector_name() -> str:
        while True:
            candidate = name(rng)
            if candidate not in used_names and len(candidate) >= 2:
                used_names.add(candidate)
                return candidate

    shares = [c[1] for c in ROOM_CLASSES]
    for e, estate in enumerate(names):
        units, floors, per_floor, price = BUILDING_TYPES[e % len(BUILDING_TYPES)]
        wanted = min(ROOMS_PER_ESTATE, rooms_count - e * ROOMS_PER_ESTATE)
        per_building = units * floors * per_floor
        buildings_per_collector = max(1, round(ROOMS_PER_COLLECTOR / per_building))
        made, building = 0, 0
        while made < wanted:
            building += 1
            if (building - 1) % buildings_per_collector == 0:
                current = collector_name()
                if building == 1:
                    collectors[estate] = current
            collectors[f"{estate}/{building}"] = current
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for r in range(1, per_floor + 1):
                        if made == wanted:
                            break
                        phones, kind = phone_cell(rng)
                        cls, _, lo, hi, _ = rng.choices(ROOM_CLASSES, weights=shares)[0]
                        room = Room(len(rooms), estate, building, unit, floor * 100 + r, price, name(rng), phones,
                                    kind, rng.randrange(4_500, 18_000), cls,
                                    rng.choice(DEBTOR_REMARKS) if cls in ("frequent", "chronic")
                                    and rng.random() < 0.4 else "")
                        owed1, owed2 = room.owed
                        if hi:
                            unpaid = rng.randint(lo, hi)
                            end = 11 if rng.random() < 0.8 or unpaid >= 11 else 11 - rng.randint(1, 2)
                            owed1.update(range(max(0, end - unpaid + 1), end + 1))
                            r2 = rng.random()
                            if r2 < PAID_ALL:
                                room.fate = "paid_all"
                            elif r2 < PAID_ALL + PAID_OLDER_HALF:
                                room.fate = "paid_part"
                                ordered = sorted(owed1)
                                owed2.update(ordered[(len(ordered) + 1) // 2:])
                                if 11 in owed1:
                                    owed2.add(12)
                                if not owed2:  # one month owed, the older half is all of it: December unpaid
                                    owed2.add(12)
                            else:
                                room.fate = "unpaid"
                                owed2.update(owed1)
                                if 11 in owed1:
                                    owed2.add(12)
                        elif rng.random() < NEW_DEBT:
                            room.fate = "new_debt"
                            owed2.add(12)
                        rooms.append(room)
                        made += 1
    return rooms, collectors


def _amount(fen: int) -> str:
    """Money as Excel stores it: the shortest decimal of the yuan value ("123.4", "80", "0")."""
    text = repr(fen / 100)
    return text[:-2] if text.endswith(".0") else text


def _serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


class SharedStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0  # string cells, as Excel's count attribute

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> bytes:
        parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" '
                 f'count="{self.count}" uniqueCount="{len(self.index)}">']
        parts += [f"<si><t>{escape(text)}</t></si>" for text in self.index]
        parts.append("</sst>")
        return "".join(parts).encode("utf-8")


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_COLUMNS = "ABCDEFGHIJKLMNOP"
_STATIC_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override '
        'PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'extended-properties+xml"/></Types>'),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/></Relationships>'),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.'
        'org/officeDocument/2006/extended-properties"><Application>Microsoft Excel</Application><DocSecurity>0'
        '</DocSecurity><ScaleCrop>false</ScaleCrop><Company>嘉禾物业</Company><AppVersion>16.0300</AppVersion>'
        '</Properties>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300"/></bookViews>'
        f'<sheets><sheet name="{SHEET_NAME}" sheetId="1" r:id="rId1"/></sheets>'
        '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"'{SHEET_NAME}'!$A$3:$P$3</definedName></definedNames></workbook>"),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
    # cellXfs: 0 general, 1 date (yyyy-mm-dd), 2 money (0.00), 3 bold (title and header)
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font>'
        '<font><b/><sz val="11"/><name val="等线"/><family val="2"/><charset val="134"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_ledger(path: Path, rooms: list[Room], month: Month, description: str) -> dict:
    """Stream one month's ledger into an .xlsx at path (atomically); returns its counts."""
    sst = SharedStrings()
    due_dates = [date(y, m, DUE_DAY) for y, m in PERIODS]
    serials = [_serial(d) for d in due_dates]
    period_ids = [sst(f"{y:04d}-{m:02d}") for y, m in PERIODS]
    owed_index = month.number - 1
    lines = sum(12 + (1 if month.first > 0 and 0 in r.owed[owed_index] else 0) for r in rooms)
    last_row = 3 + lines + 1
    if last_row > EXCEL_MAX_ROWS:
        raise ValueError(f"{path.name}: {last_row} rows, more than Excel's {EXCEL_MAX_ROWS}")
    totals = [0, 0, 0, 0, 0]
    owing_lines = rooms_owing = 0
    per_day, per = LATE_FEE_PER_DAY
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in ("[Content_Types].xml", "_rels/.rels"):
            zf.writestr(_zip_info(part), _STATIC_PARTS[part])
        core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://'
                'schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/'
                'elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/'
                f'XMLSchema-instance"><dc:creator>{COMPANY}</dc:creator><dc:description>{escape(description)}'
                '</dc:description><dcterms:created xsi:type="dcterms:W3CDTF">'
                f'{month.ledger_as_of.isoformat()}T09:30:00Z</dcterms:created><dcterms:modified xsi:type="dcterms:'
                f'W3CDTF">{month.ledger_as_of.isoformat()}T09:30:00Z</dcterms:modified></cp:coreProperties>')
        zf.writestr(_zip_info("docProps/core.xml"), core)
        zf.writestr(_zip_info("docProps/app.xml"), _STATIC_PARTS["docProps/app.xml"])
        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"):
            zf.writestr(_zip_info(part), _STATIC_PARTS[part])
        with zf.open(_zip_info("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as out:
            buf: list[str] = []
            widths = [12, 8, 8, 8, 10, 26, 10, 12, 10, 12, 13, 13, 13, 13, 11, 16]
            cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1))
            buf.append(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
                       f'xmlns:r="{_REL}"><dimension ref="A1:P{last_row}"/><sheetViews><sheetView '
                       'workbookViewId="0"><pane ySplit="3" topLeftCell="A4" activePane="bottomLeft" state="frozen"/>'
                       '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="14.25"/>'
                       f"<cols>{cols}</cols><sheetData>")
            title = sst(f"{COMPANY} 应收欠费明细表")
            d = month.ledger_as_of
            cutoff = sst(f"截止日期：{d.year}年{d.month}月{d.day}日")
            buf.append(f'<row r="1"><c r="A1" s="3" t="s"><v>{title}</v></c></row>'
                       f'<row r="2"><c r="A2" t="s"><v>{cutoff}</v></c></row><row r="3">')
            buf.extend(f'<c r="{c}3" s="3" t="s"><v>{sst(h)}</v></c>' for c, h in zip(_COLUMNS, HEADER, strict=True))
            buf.append("</row>")
            sst.count += 2 + len(HEADER)
            item = sst(ITEM)
            n = 3
            for room in rooms:
                owed = room.owed[owed_index]
                a, b, c, dd, e = (sst(room.estate), sst(f"{room.building}栋"), sst(f"{room.unit}单元"),
                                  sst(str(room.number)), sst(room.owner))
                phone = sst(room.phones) if room.phones else None
                remark = sst(room.remark) if room.remark else None
                area = _amount(room.area_centi)
                due = (room.area_centi * room.price_fen + 50) // 100
                prng = random.Random(room.index * 7919 + 17)  # the same draws for a period in both months
                draws = []
                for _ in PERIODS:
                    discount = min(due, prng.choice([500, 1_000, (due + 10) // 20])) if prng.random() < 0.04 else 0
                    partly = prng.random() < 0.15
                    draws.append((discount, prng.randrange(1, due - discount) if partly else 0))
                periods = ([0] if month.first > 0 and 0 in owed else []) + list(month.window)
                room_owes = False
                for p in periods:
                    n += 1
                    discount, part_paid = draws[p]
                    payable = due - discount
                    if p in owed:
                        paid = part_paid
                        outstanding = payable - paid
                        late = (outstanding * (month.ledger_as_of - due_dates[p]).days * per_day + per // 2) // per
                        note = remark
                        owing_lines += 1
                        room_owes = True
                    else:
                        paid, outstanding, late, note = payable, 0, 0, None
                    totals[0] += due
                    totals[1] += paid
                    totals[2] += discount
                    totals[3] += outstanding
                    totals[4] += late
                    sst.count += 7 + (phone is not None) + (note is not None)
                    buf.append(
                        f'<row r="{n}"><c r="A{n}" t="s"><v>{a}</v></c><c r="B{n}" t="s"><v>{b}</v></c>'
                        f'<c r="C{n}" t="s"><v>{c}</v></c><c r="D{n}" t="s"><v>{dd}</v></c>'
                        f'<c r="E{n}" t="s"><v>{e}</v></c>'
                        + ("" if phone is None else f'<c r="F{n}" t="s"><v>{phone}</v></c>')
                        + f'<c r="G{n}" s="2"><v>{area}</v></c><c r="H{n}" t="s"><v>{item}</v></c>'
                        f'<c r="I{n}" t="s"><v>{period_ids[p]}</v></c><c r="J{n}" s="1"><v>{serials[p]}</v></c>'
                        f'<c r="K{n}" s="2"><v>{_amount(due)}</v></c><c r="L{n}" s="2"><v>{_amount(paid)}</v></c>'
                        f'<c r="M{n}" s="2"><v>{_amount(discount)}</v></c>'
                        f'<c r="N{n}" s="2"><v>{_amount(outstanding)}</v></c>'
                        f'<c r="O{n}" s="2"><v>{_amount(late)}</v></c>'
                        + ("" if note is None else f'<c r="P{n}" t="s"><v>{note}</v></c>')
                        + "</row>")
                rooms_owing += room_owes
                if len(buf) >= 4096:
                    out.write("".join(buf).encode("utf-8"))
                    buf.clear()
            n += 1
            sst.count += 1
            buf.append(f'<row r="{n}"><c r="A{n}" s="3" t="s"><v>{sst("合计")}</v></c>')
            buf.extend(f'<c r="{col}{n}" s="2"><v>{_amount(t)}</v></c>' for col, t in zip("KLMNO", totals, strict=True))
            buf.append(f'</row></sheetData><autoFilter ref="A3:P{n - 1}"/><mergeCells count="2"><mergeCell ref="A1:P1"/>'
                       '<mergeCell ref="A2:P2"/></mergeCells><pageMargins left="0.7" right="0.7" top="0.75" '
                       'bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
            out.write("".join(buf).encode("utf-8"))
            assert n == last_row, (n, last_row)
        zf.writestr(_zip_info("xl/sharedStrings.xml"), sst.xml())
    tmp.replace(path)
    return {"file": path.name, "estates": len(dict.fromkeys(r.estate for r in rooms)), "lines": lines, "owing_lines": owing_lines, "rooms_with_arrears": rooms_owing, "sheet_rows": last_row,
            "bytes": path.stat().st_size, "shared_strings": len(sst.index),
            "totals_fen": dict(zip(("due", "paid", "discount", "outstanding", "late_fee"), totals, strict=True))}


def write_calls(path: Path, rooms: list[Room], seed: int) -> dict:
    """The filled call list: contacts with month-1 debtors from CONTACTS_FROM to CONTACTS_UNTIL."""
    rng = random.Random(seed + 1)
    contacts_range = {c[0]: c[4] for c in ROOM_CLASSES}
    rows: list[list[str]] = []
    outcomes = Counter()
    for room in rooms:
        owed = room.owed[0]
        c_lo, c_hi = contacts_range[room.cls]
        if not owed or not c_hi:
            continue
        y, m = PERIODS[min(owed)]
        start = max(CONTACTS_FROM, date(y, m, DUE_DAY))
        span = (CONTACTS_UNTIL - start).days + 1
        made = min(rng.randint(c_lo, c_hi), span)
        outstanding = (room.area_centi * room.price_fen + 50) // 100 * len(owed)
        for offset in sorted(rng.sample(range(span), made)):
            day = start + timedelta(days=offset)
            at = datetime(day.year, day.month, day.day, rng.randint(9, 20), rng.choice((0, 10, 20, 30, 40, 50)))
            outcome = rng.choices([o for o, _ in OUTCOMES], weights=[wt for _, wt in OUTCOMES])[0]
            channel = rng.choices([c for c, _ in CHANNELS], weights=[wt for _, wt in CHANNELS])[0]
            promise_date = promise_amount = callback = ""
            if outcome == "承诺缴费":
                promise_date = (day + timedelta(days=rng.randint(3, 25))).isoformat()
                if rng.random() < 0.3:
                    promise_amount = _amount(max(100, outstanding // 2 // 100 * 100))
            elif outcome == "约定回电":
                callback = f"{(day + timedelta(days=rng.randint(1, 3))).isoformat()} 19:00"
            outcomes[outcome] += 1
            rows.append([str(len(rows) + 1), room.estate, room.code, room.owner, at.strftime("%Y-%m-%d %H:%M"),
                         channel, outcome, promise_date, promise_amount, callback, "", f"{room.estate}|{room.code}",
                         room.owner])
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CALLS_HEADER)
        w.writerows(rows)
    tmp.replace(path)
    return {"file": path.name, "contacts": len(rows), "outcomes": dict(outcomes.most_common())}


def ledger_groups(rooms: list[Room]) -> list[list[Room]]:
    """Rooms split into as few ledger files as fit Excel's row limit in both months, whole estates per file."""
    estates: dict[str, list[Room]] = {}
    for room in rooms:
        estates.setdefault(room.estate, []).append(room)
    groups: list[list[Room]] = [[]]
    used = 4  # title, date, header, 合计
    for members in estates.values():
        rows = 13 * len(members)  # at most: 12 months and a carried-forward one
        if groups[-1] and used + rows > EXCEL_MAX_ROWS:
            groups.append([])
            used = 4
        groups[-1].extend(members)
        used += rows
    return groups


def probe_room(rooms: list[Room]) -> Room:
    """The room explain/history are timed on: the first chronic debtor, owing in both months, with a phone."""
    for room in rooms:
        if room.cls == "chronic" and room.fate == "unpaid" and room.kind == "mobile":
            return room
    return next(r for r in rooms if r.owed[1])


def description(rooms: int, seed: int, month: int) -> str:
    return f"feedun bench_run company: rooms={rooms} seed={seed} month={month} generator={GENERATOR_VERSION}"


def generate(out_dir: Path, rooms_count: int, seed: int, log=print) -> dict:
    """Write both ledgers, the call list and summary.json into out_dir; returns the summary."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").unlink(missing_ok=True)
    rooms, collectors = make_company(rooms_count, seed)
    log(f"  company: {len(rooms):,} rooms in {time.perf_counter() - started:.1f} s")
    months = []
    groups = ledger_groups(rooms)
    for month in MONTHS:
        t0 = time.perf_counter()
        files = []
        for k, group in enumerate(groups, start=1):
            path = out_dir / (month.ledger_name if len(groups) == 1 else month.ledger_name.replace(".xlsx", f"-{k}.xlsx"))
            files.append(write_ledger(path, group, month, description(rooms_count, seed, month.number)))
        totals = {k: sum(f["totals_fen"][k] for f in files) for k in files[0]["totals_fen"]}
        months.append({"ledger_as_of": month.ledger_as_of.isoformat(), "run_as_of": month.run_as_of.isoformat(),
                       "files": files, "totals_fen": totals,
                       **{k: sum(f[k] for f in files) for k in ("lines", "owing_lines", "rooms_with_arrears", "bytes")}})
        log(f"  month {month.number}: {months[-1]['lines']:,} lines in {len(files)} file(s), "
            f"{months[-1]['bytes'] / 2**20:.1f} MiB in {time.perf_counter() - t0:.1f} s")
    calls = write_calls(out_dir / CALLS_FILE, rooms, seed)
    probe = probe_room(rooms)
    estates = sorted({r.estate for r in rooms}, key=[r.estate for r in rooms].index)
    summary = {
        "generator_version": GENERATOR_VERSION, "rooms": rooms_count, "seed": seed, "estates": len(estates),
        "buildings": sum(1 for k in collectors if "/" in k), "collectors": collectors,
        "collector_names": len(set(collectors.values())),
        "room_classes": dict(Counter(r.cls for r in rooms)), "phones": dict(Counter(r.kind for r in rooms)),
        "month2_fates": dict(Counter(r.fate for r in rooms if r.fate)),
        "months": months, "calls": calls,
        "probe": {"estate": probe.estate, "room": probe.code, "months_owed": [len(o) for o in probe.owed]},
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def load_summary(out_dir: Path, rooms: int, seed: int) -> dict | None:
    """The summary of out_dir's data when it was made by this generator version for rooms/seed and is complete."""
    try:
        summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if (summary.get("generator_version"), summary.get("rooms"), summary.get("seed")) != (GENERATOR_VERSION, rooms,
                                                                                       seed):
        return None
    files = [f["file"] for m in summary["months"] for f in m["files"]] + [summary["calls"]["file"]]
    if not all((out_dir / f).is_file() for f in files):
        return None
    return summary


def check(out_dir: Path, summary: dict) -> list[str]:
    """Open each ledger with fastexcel, openpyxl (read_only) and xml.etree; return the disagreements."""
    import fastexcel
    from openpyxl import load_workbook

    problems = []
    for month in [f for m in summary["months"] for f in m["files"]]:
        path = out_dir / month["file"]
        frame = fastexcel.read_excel(str(path)).load_sheet(0, header_row=None, skip_rows=0,
                                                           dtypes="string").to_pandas()
        rows = frame.shape[0]
        if rows != month["sheet_rows"] or frame.shape[1] != len(HEADER):
            problems.append(f"{path.name}: fastexcel shape {frame.shape}, expected ({month['sheet_rows']}, 16)")
        if list(frame.iloc[2]) != HEADER:
            problems.append(f"{path.name}: fastexcel header {list(frame.iloc[2])}")
        wb = load_workbook(path, read_only=True)
        ws = wb[SHEET_NAME]
        seen = 0
        last = None
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            seen += 1
            if i == 3:
                first = row
            last = row
        wb.close()
        if seen != month["sheet_rows"]:
            problems.append(f"{path.name}: openpyxl sees {seen} rows")
        if not isinstance(first[9], datetime) or first[0] != frame.iloc[3, 0]:
            problems.append(f"{path.name}: openpyxl first data row {first}")
        total = round(month["totals_fen"]["outstanding"] / 100, 2)
        if last[0] != "合计" or round(last[13], 2) != total:
            problems.append(f"{path.name}: openpyxl total row {last}, expected outstanding {total}")
        outstanding = frame.iloc[3:-1, 13].astype(float).sum()
        if abs(outstanding - total) > 0.5:
            problems.append(f"{path.name}: fastexcel outstanding sum {outstanding}, expected {total}")
        import xml.etree.ElementTree as ET

        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                problems.append(f"{path.name}: zip CRC error")
            ET.fromstring(zf.read("xl/sharedStrings.xml"))
            with zf.open("xl/worksheets/sheet1.xml") as fh:
                count = sum(1 for ev, el in ET.iterparse(fh) if el.tag == f"{{{_MAIN}}}row" and not el.clear())
        if count != month["sheet_rows"]:
            problems.append(f"{path.name}: xml.etree counts {count} rows")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=10_000, help="rooms (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder (default benchmarks/data/company-<rooms>-s<seed>-g<version>/)")
    parser.add_argument("--force", action="store_true", help="regenerate even if the folder holds this data")
    parser.add_argument("--check", action="store_true", help="open the ledgers with three readers and compare")
    args = parser.parse_args(argv)
    if args.rooms < 100:
        parser.error("--rooms must be at least 100")
    out = (args.out or default_dir(args.rooms, args.seed)).resolve()
    summary = None if args.force else load_summary(out, args.rooms, args.seed)
    if summary is None:
        print(f"generating {args.rooms:,} rooms into {out} ...", file=sys.stderr)
        summary = generate(out, args.rooms, args.seed, log=lambda *a: print(*a, file=sys.stderr))
    else:
        print(f"{out}: already generated (use --force)", file=sys.stderr)
    if args.check:
        problems = check(out, summary)
        for p in problems:
            print(f"CHECK FAILED: {p}", file=sys.stderr)
        if problems:
            return 1
        print("check: fastexcel, openpyxl (read_only) and xml.etree agree", file=sys.stderr)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
