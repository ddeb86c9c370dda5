"""Generate the example arrears ledgers shipped with feedun.

The script writes three files into the folder it lives in (examples/):

* ``ledger.xlsx``      -- long layout ledger, one row per room / fee item /
  month, sheet "欠费明细", as a property-management ERP would export it
  (title rows, per-estate 小计 rows, a 合计 row, a blank row, a repeated
  header, a few malformed rows and some inconsistently formatted cells).
* ``ledger-gbk.csv``   -- exactly the same rows as ``ledger.xlsx``, comma
  separated, GBK encoded (the usual "save as CSV" on a Chinese Windows PC).
* ``ledger-wide.xlsx`` -- the same valid data in wide layout: one row per
  room per month, one column per fee item holding the outstanding amount
  (blank when nothing is outstanding or the item does not apply), plus a
  trailing 合计 column.  Only title rows, one blank row and a final 合计 row
  are added here; the malformed rows of the long layout are not included.

The data is synthetic and fully deterministic: all randomness comes from
``random.Random(20261127)`` and nothing depends on the wall clock (even the
xlsx metadata and zip timestamps are fixed), so re-running the script
reproduces the files byte for byte.  Re-run it with::

    python examples/make_examples.py

Money is handled in integer fen throughout and only divided by 100 when a
cell is written, so every valid row satisfies
欠费金额 = 应收金额 - 实收金额 - 减免金额 exactly, and every 小计/合计 row
equals the sum of the valid data rows above it (the three deliberately
malformed rows are NOT included in any 小计/合计).

Row order: estate (阳光花园, then 翠湖苑), building, unit, room number,
period, fee item (物业服务费, 电梯费, 车位管理费, 公摊水电费).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

SEED = 20261127
OUT_DIR = Path(__file__).resolve().parent

SHEET_NAME = "欠费明细"
TITLE = "阳光物业服务有限公司 欠费明细表"
CUTOFF = dt.date(2026, 11, 25)
CUTOFF_LINE = "截止日期：2026年11月25日"
PRINT_LINE = "打印人：财务部 王会计    打印时间：2026-11-25 09:30"
# Fixed timestamps for xlsx metadata and zip entries (reproducible output).
FIXED_DOC_TIME = dt.datetime(2026, 11, 25, 9, 30, 0)
FIXED_ZIP_TIME = (2026, 11, 25, 9, 30, 0)

# 12 billing periods: 2025-12 .. 2026-11.
PERIODS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]
DUE_DAY = 15

# Canonical fee-item order (also the sort order inside a room/period).
PROPERTY_FEE = "物业服务费"
ELEVATOR_FEE = "电梯费"
PARKING_FEE = "车位管理费"
UTILITY_FEE = "公摊水电费"
FEE_ITEMS = [PROPERTY_FEE, ELEVATOR_FEE, PARKING_FEE, UTILITY_FEE]
PARKING_FEN = 15000  # 150.00 yuan / month

LONG_HEADER = [
    "管理处", "楼栋", "单元", "房号", "业主姓名", "联系电话", "建筑面积(㎡)",
    "收费项目", "所属期间", "应缴日期", "应收金额(元)", "实收金额(元)",
    "减免金额(元)", "欠费金额(元)", "滞纳金(元)", "备注",
]
# Column indexes (0-based) of the money columns in the long layout.
COL_AREA = 6
COL_DUE_DATE = 9
MONEY_COLS = [10, 11, 12, 13, 14]

WIDE_HEADER = [
    "管理处", "楼栋", "单元", "房号", "业主姓名", "联系电话", "建筑面积(㎡)",
    "所属期间", *FEE_ITEMS, "合计",
]

REMARK_CALLED = "已电话提醒"
REMARK_LEAK = "业主称房屋漏水未修"
REMARK_VACANT = "空置房"
REMARK_RENTED = "车位已出租"


@dataclass(frozen=True)
class Estate:
    order: int
    name: str
    buildings: int
    units: int
    floors: int
    rooms_per_floor: int
    building_fmt: str
    unit_fmt: str
    property_price_fen: int  # fen per m² per month
    elevator_price_fen: int  # 0 = no elevator fee


ESTATES = [
    Estate(0, "阳光花园", 8, 2, 6, 2, "{}栋", "{}单元", 250, 0),
    Estate(1, "翠湖苑", 4, 1, 20, 4, "{}", "{}", 320, 30),
]


@dataclass
class Room:
    estate: Estate
    building: int
    unit: int
    number: int  # e.g. 1201
    owner: str = ""
    phone: str = ""
    area_centi: int = 0  # area in 0.01 m²
    has_parking: bool = False
    category: str = "full"
    owed: tuple[int, ...] = ()  # period indexes with nothing paid
    partial: tuple[int, ...] = ()  # period indexes with part of 物业服务费 paid
    pays_parking: bool = False  # owing room that still pays its parking fee
    charges_late_fee: bool = False

    @property
    def building_str(self) -> str:
        return self.estate.building_fmt.format(self.building)

    @property
    def unit_str(self) -> str:
        return self.estate.unit_fmt.format(self.unit)

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.estate.order, self.building, self.unit, self.number)


@dataclass
class Line:
    room: Room
    item: str
    period: int  # index into PERIODS
    receivable: int  # fen
    paid: int = 0
    discount: int = 0
    late_fee: int = 0
    remark: str = ""

    @property
    def outstanding(self) -> int:
        return self.receivable - self.paid - self.discount

    @property
    def key(self) -> tuple:
        return (*self.room.key, self.period, FEE_ITEMS.index(self.item))


class Cents(int):
    """An integer amount in hundredths (fen, or 0.01 m²) to be written with 2 decimals."""


def cents_text(value: int, thousands: bool = False) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    whole_text = f"{whole:,}" if thousands else str(whole)
    return f"{sign}{whole_text}.{frac:02d}"


def due_date(period: int) -> dt.date:
    year, month = PERIODS[period]
    return dt.date(year, month, DUE_DAY)


def period_text(period: int) -> str:
    year, month = PERIODS[period]
    return f"{year}-{month:02d}"


def round_div(numerator: int, denominator: int) -> int:
    """Integer division rounding half up (non-negative operands)."""
    return (2 * numerator + denominator) // (2 * denominator)


def to_fullwidth(text: str) -> str:
    return text.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})


# --------------------------------------------------------------------------
# People and phone numbers
# --------------------------------------------------------------------------

SURNAMES = [
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹"
    "薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤",
    "欧阳", "司马", "诸葛",
]
GIVEN_CHARS = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然"
    "欣怡子涵梓轩雨婷佳琪志强海燕晓东春梅丹凯博婉清思远宏亮嘉俊慧颖晨"
)
MOBILE_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    *(f"18{d}" for d in range(10)),
    "191", "193", "195", "198", "199",
]
INVALID_PHONES = ["1380013", "12345678901", "1391234567", "139001380000", "186-1234"]


def make_name(rng: random.Random) -> str:
    given_len = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(given_len))


def make_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def make_landline(rng: random.Random) -> str:
    return f"0571-{rng.choice('5678')}{rng.randrange(10**7):07d}"


def make_phone(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.02:
        return ""
    if r < 0.03:
        return rng.choice(INVALID_PHONES)
    if r < 0.05:
        return make_landline(rng)
    if r < 0.10:
        second = make_mobile(rng) if rng.random() < 0.7 else make_landline(rng)
        return make_mobile(rng) + rng.choice(["/", "；"]) + second
    if r < 0.16:
        return "+86 " + make_mobile(rng)
    return make_mobile(rng)


# --------------------------------------------------------------------------
# Ledger generation
# --------------------------------------------------------------------------

CATEGORY_SHARES = [("full", 0.70), ("recent", 0.15), ("mid", 0.08), ("long", 0.05), ("partial", 0.02)]


def make_rooms(rng: random.Random) -> list[Room]:
    rooms = []
    for estate in ESTATES:
        for b in range(1, estate.buildings + 1):
            for u in range(1, estate.units + 1):
                for floor in range(1, estate.floors + 1):
                    for r in range(1, estate.rooms_per_floor + 1):
                        rooms.append(Room(estate, b, u, floor * 100 + r))

    # Exact category proportions, randomly assigned to rooms.
    categories: list[str] = []
    for name, share in CATEGORY_SHARES[1:]:
        categories += [name] * round(len(rooms) * share)
    categories += ["full"] * (len(rooms) - len(categories))
    rng.shuffle(categories)

    n = len(PERIODS)
    for room, category in zip(rooms, categories, strict=True):
        room.owner = make_name(rng)
        room.phone = make_phone(rng)
        room.area_centi = rng.randint(6000, 16000)
        room.has_parking = rng.random() < 0.40
        room.category = category
        room.pays_parking = rng.random() < 0.5
        room.charges_late_fee = rng.random() < 0.7
        if category == "recent":
            months = rng.randint(1, 2)
        elif category == "mid":
            months = rng.randint(3, 6)
        elif category == "long":
            months = rng.randint(7, 12)
        else:
            months = 0
        room.owed = tuple(range(n - months, n))
        if category == "partial":
            room.partial = tuple(sorted(rng.sample(range(n), rng.randint(1, 3))))
    return rooms


def make_lines(rng: random.Random, rooms: list[Room]) -> list[Line]:
    lines: list[Line] = []
    for room in rooms:
        est = room.estate
        for p in range(len(PERIODS)):
            items = [(PROPERTY_FEE, round_div(room.area_centi * est.property_price_fen, 100))]
            if est.elevator_price_fen:
                items.append((ELEVATOR_FEE, round_div(room.area_centi * est.elevator_price_fen, 100)))
            if room.has_parking:
                items.append((PARKING_FEE, PARKING_FEN))
            items.append((UTILITY_FEE, rng.randint(800, 3500)))
            for item, amount in items:
                line = Line(room, item, p, amount)
                if p in room.owed and not (item == PARKING_FEE and room.pays_parking):
                    line.paid = 0
                elif p in room.partial and item == PROPERTY_FEE:
                    line.paid = (amount // 2) // 100 * 100  # paid about half, whole yuan
                else:
                    line.paid = amount
                lines.append(line)

    # Discounts on a handful of 物业服务费 lines.
    candidates = [i for i, ln in enumerate(lines) if ln.item == PROPERTY_FEE]
    for i in sorted(rng.sample(candidates, 12)):
        ln = lines[i]
        kind = rng.choice(["vacant", "fixed", "percent"])
        if kind == "vacant":
            discount = ln.receivable // 2
            ln.remark = REMARK_VACANT
        elif kind == "fixed":
            discount = rng.choice([2000, 5000, 10000])
        else:
            discount = round_div(ln.receivable, 10)
        if ln.paid == ln.receivable:
            ln.paid -= discount  # settled: paid the discounted amount
        else:
            discount = min(discount, ln.receivable - ln.paid)  # owing: discount reduces the arrears
        ln.discount = discount

    # Late fees: 0.03% per day on outstanding lines at least 3 months overdue.
    for ln in lines:
        d = due_date(ln.period)
        months_overdue = (CUTOFF.year - d.year) * 12 + CUTOFF.month - d.month - (CUTOFF.day < d.day)
        if (ln.outstanding > 0 and months_overdue >= 3 and ln.item != UTILITY_FEE
                and ln.room.charges_late_fee):
            ln.late_fee = round_div(ln.outstanding * (CUTOFF - d).days * 3, 10000)

    # Remarks.
    by_room: dict[tuple, list[Line]] = {}
    for ln in lines:
        by_room.setdefault(ln.room.key, []).append(ln)
    for room in rooms:
        room_lines = by_room[room.key]
        owing = [ln for ln in room_lines if ln.item == PROPERTY_FEE and ln.outstanding > 0]
        if owing and rng.random() < 0.4 and not owing[-1].remark:
            owing[-1].remark = REMARK_CALLED
        if owing and room.category in ("mid", "long") and rng.random() < 0.3 and not owing[0].remark:
            owing[0].remark = REMARK_LEAK
        if room.has_parking and rng.random() < 0.05:
            for ln in room_lines:
                if ln.item == PARKING_FEE and not ln.remark:
                    ln.remark = REMARK_RENTED

    lines.sort(key=lambda ln: ln.key)
    for ln in lines:
        assert ln.outstanding >= 0 and ln.paid >= 0 and ln.discount >= 0
    return lines


# --------------------------------------------------------------------------
# Long layout rows
# --------------------------------------------------------------------------

def line_cells(rng: random.Random, ln: Line) -> list:
    room = ln.room
    year, month = PERIODS[ln.period]
    r = rng.random()
    if r < 0.03:
        period = f"{year}年{month}月"
    elif r < 0.05:
        period = f"{year}{month:02d}"
    else:
        period = period_text(ln.period)
    outstanding: object = Cents(ln.outstanding)
    # About 2% of rows carry 欠费金额 as text, mostly on rows that actually owe money.
    if rng.random() < (0.12 if ln.outstanding else 0.01):
        outstanding = rng.choice([
            cents_text(ln.outstanding, thousands=True),
            "￥" + cents_text(ln.outstanding),  # full-width yen: the ASCII ¥ is not in GBK
            cents_text(ln.outstanding) + "元",
        ])
    return [
        room.estate.name, room.building_str, room.unit_str, str(room.number),
        room.owner, room.phone, Cents(room.area_centi), ln.item, period,
        due_date(ln.period), Cents(ln.receivable), Cents(ln.paid), Cents(ln.discount),
        outstanding, Cents(ln.late_fee), ln.remark,
    ]


def totals_cells(label: str, lines: list[Line]) -> list:
    cells: list = [label] + [None] * (len(LONG_HEADER) - 1)
    for col, attr in zip(MONEY_COLS, ["receivable", "paid", "discount", "outstanding", "late_fee"], strict=True):
        cells[col] = Cents(sum(getattr(ln, attr) for ln in lines))
    return cells


def title_rows() -> list[list]:
    return [[TITLE], [CUTOFF_LINE], [PRINT_LINE], []]


def build_long_rows(rng: random.Random, rooms: list[Room], lines: list[Line]) -> tuple[list[list], dict]:
    """Return all physical rows (title rows included) and a row-kind count."""
    data = [line_cells(rng, ln) for ln in lines]

    # A few rows with full-width digits in 楼栋/单元/房号.
    for i in sorted(rng.sample(range(len(data)), 5)):
        for col in (1, 2, 3):
            data[i][col] = to_fullwidth(data[i][col])

    keys = [ln.key for ln in lines]
    est_bounds = {e.order: (bisect.bisect_left(keys, (e.order,)), bisect.bisect_left(keys, (e.order + 1,)))
                  for e in ESTATES}
    extras: dict[int, list[tuple[str, list]]] = {}

    def add_extra(pos: int, kind: str, cells: list) -> None:
        extras.setdefault(pos, []).append((kind, cells))

    sun_lo, sun_hi = est_bounds[0]
    lake_lo, lake_hi = est_bounds[1]
    sun_rooms = [r for r in rooms if r.estate.order == 0]
    lake_rooms = [r for r in rooms if r.estate.order == 1]

    # Bad row 1: amount "待核" on a parking fee for a room that has no parking space.
    room = next(r for r in sun_rooms[len(sun_rooms) // 3:] if not r.has_parking)
    p = PERIODS.index((2026, 6))
    bad_key = (*room.key, p, FEE_ITEMS.index(PARKING_FEE))
    add_extra(bisect.bisect_left(keys, bad_key), "bad", [
        room.estate.name, room.building_str, room.unit_str, str(room.number), room.owner,
        room.phone, Cents(room.area_centi), PARKING_FEE, period_text(p), due_date(p),
        "待核", None, None, "待核", None, "车位归属待核实",
    ])

    # Bad row 2: period "2026-13" (typo), no due date can be derived.
    room = lake_rooms[len(lake_rooms) // 3]
    fee = round_div(room.area_centi * room.estate.property_price_fen, 100)
    add_extra(bisect.bisect_left(keys, (*room.key, len(PERIODS), 0)), "bad", [
        room.estate.name, room.building_str, room.unit_str, str(room.number), room.owner,
        room.phone, Cents(room.area_centi), PROPERTY_FEE, "2026-13", None,
        Cents(fee), Cents(0), Cents(0), Cents(fee), Cents(0), "",
    ])

    # Bad row 3: no 楼栋/单元/房号 (orphan charge typed in by hand).
    p = PERIODS.index((2026, 3))
    add_extra(sun_lo + (sun_hi - sun_lo) * 7 // 10, "bad", [
        ESTATES[0].name, "", "", "", make_name(rng), make_mobile(rng), None,
        UTILITY_FEE, period_text(p), due_date(p),
        Cents(2340), Cents(0), Cents(0), Cents(2340), Cents(0), "",
    ])

    # One entirely blank row, and the header repeated once (paged report).
    add_extra(sun_lo + (sun_hi - sun_lo) * 45 // 100, "blank", [None] * len(LONG_HEADER))
    add_extra(lake_lo + (lake_hi - lake_lo) // 2, "header", list(LONG_HEADER))

    for pos in extras:
        assert any(lo < pos < hi for lo, hi in est_bounds.values()), pos

    rows: list[tuple[str, list]] = [("title", r) for r in title_rows()]
    rows.append(("header", list(LONG_HEADER)))
    for estate in ESTATES:
        lo, hi = est_bounds[estate.order]
        for i in range(lo, hi):
            rows.extend(extras.get(i, []))
            rows.append(("data", data[i]))
        rows.append(("subtotal", totals_cells("小计", lines[lo:hi])))
    rows.append(("total", totals_cells("合计", lines)))

    counts: dict[str, int] = {}
    for kind, _ in rows:
        counts[kind] = counts.get(kind, 0) + 1
    return [cells for _, cells in rows], counts


# --------------------------------------------------------------------------
# Wide layout rows
# --------------------------------------------------------------------------

def build_wide_rows(rooms: list[Room], lines: list[Line]) -> tuple[list[list], int]:
    outstanding: dict[tuple, dict[str, int]] = {}
    for ln in lines:
        outstanding.setdefault((ln.room.key, ln.period), {})[ln.item] = ln.outstanding

    data = []
    item_sums = [0] * len(FEE_ITEMS)
    for room in sorted(rooms, key=lambda r: r.key):
        for p in range(len(PERIODS)):
            amounts = outstanding[(room.key, p)]
            cells = [
                room.estate.name, room.building_str, room.unit_str, str(room.number),
                room.owner, room.phone, Cents(room.area_centi), period_text(p),
            ]
            row_sum = 0
            for j, item in enumerate(FEE_ITEMS):
                fen = amounts.get(item, 0)
                cells.append(Cents(fen) if fen else None)
                row_sum += fen
                item_sums[j] += fen
            cells.append(Cents(row_sum))
            data.append(cells)

    grand = sum(item_sums)
    assert grand == sum(ln.outstanding for ln in lines)
    total = ["合计"] + [None] * 7 + [Cents(s) for s in item_sums] + [Cents(grand)]
    blank_at = len(data) * 55 // 100
    body = [*data[:blank_at], [None] * len(WIDE_HEADER), *data[blank_at:]]
    return [*title_rows(), list(WIDE_HEADER), *body, total], len(data)


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------

def save_xlsx_deterministic(wb: Workbook, path: Path) -> None:
    """Save without wall-clock data: fixed document properties and zip timestamps."""
    wb.properties.creator = "feedun examples"
    wb.properties.created = FIXED_DOC_TIME
    wb.properties.modified = FIXED_DOC_TIME
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))


def write_xlsx(path: Path, sheet: str, rows: list[list], ncols: int, widths: list[int]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    header_font = Font(bold=True)
    for row, cells in enumerate(rows, start=1):
        ws.append([int(v) / 100 if isinstance(v, Cents) else v for v in cells])
        for col, value in enumerate(cells, start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(value, Cents):
                cell.number_format = "0.00" if col == COL_AREA + 1 else "#,##0.00"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        if cells and cells[0] in ("管理处", "小计", "合计"):
            for col in range(1, len(cells) + 1):
                ws.cell(row=row, column=col).font = header_font
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    save_xlsx_deterministic(wb, path)


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Cents):
        return cents_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, rows: list[list]) -> None:
    with open(path, "w", encoding="gbk", newline="") as fh:
        writer = csv.writer(fh)
        for cells in rows:
            writer.writerow([csv_value(v) for v in cells])


LONG_WIDTHS = [10, 7, 8, 7, 10, 26, 12, 12, 11, 12, 13, 13, 13, 13, 11, 18]
WIDE_WIDTHS = [10, 7, 8, 7, 10, 26, 12, 10, 12, 10, 12, 12, 12]


def main() -> None:
    rng = random.Random(SEED)
    rooms = make_rooms(rng)
    lines = make_lines(rng, rooms)
    long_rows, counts = build_long_rows(rng, rooms, lines)
    wide_rows, wide_data = build_wide_rows(rooms, lines)

    write_xlsx(OUT_DIR / "ledger.xlsx", SHEET_NAME, long_rows, len(LONG_HEADER), LONG_WIDTHS)
    write_csv(OUT_DIR / "ledger-gbk.csv", long_rows)
    write_xlsx(OUT_DIR / "ledger-wide.xlsx", SHEET_NAME, wide_rows, len(WIDE_HEADER), WIDE_WIDTHS)

    cats: dict[str, int] = {}
    for room in rooms:
        cats[room.category] = cats.get(room.category, 0) + 1
    owing_rooms = len({ln.room.key for ln in lines if ln.outstanding > 0})
    skipped = len(long_rows) - counts["data"] - counts["bad"]
    print(f"rooms: {len(rooms)} ({', '.join(f'{e.name} {sum(r.estate is e for r in rooms)}' for e in ESTATES)})")
    print(f"payment categories: {cats}; rooms with arrears: {owing_rooms}")
    print(f"ledger.xlsx / ledger-gbk.csv: {len(long_rows)} physical rows = "
          f"{counts['data']} data + {counts['bad']} bad + {skipped} skipped "
          f"(title/empty {counts['title']}, header {counts['header']}, blank {counts['blank']}, "
          f"小计 {counts['subtotal']}, 合计 {counts['total']})")
    print(f"ledger-wide.xlsx: {len(wide_rows)} physical rows = {wide_data} data "
          f"+ {len(wide_rows) - wide_data} skipped (4 title/empty, 1 header, 1 blank, 1 合计)")
    print("totals (valid rows, yuan): 应收 {} 实收 {} 减免 {} 欠费 {} 滞纳金 {}".format(
        *(cents_text(sum(getattr(ln, a) for ln in lines), thousands=True)
          for a in ("receivable", "paid", "discount", "outstanding", "late_fee"))))


if __name__ == "__main__":
    main()
