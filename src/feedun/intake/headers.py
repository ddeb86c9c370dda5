"""Find the header row of a ledger sheet and map its columns to canonical fields.

The synonym table lives in headers.toml (data, not code); feedun.toml [import.columns] overrides it.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from feedun.core.errors import InputFileError, UsageError
from feedun.core.money import mask_phones_in

if TYPE_CHECKING:
    from feedun.intake.read import Sheet

# Canonical ledger fields, in the order people read them.
FIELDS = (
    "estate", "building", "unit", "room", "owner", "phones", "area", "fee_item", "period",
    "period_start", "period_end", "due_date", "amount_due", "paid", "discount", "outstanding",
    "late_fee", "remark",
)
AMOUNT_FIELDS = ("amount_due", "paid", "discount", "outstanding", "late_fee")

# Chinese names of the fields, for messages and the rejects file.
FIELD_LABELS = {
    "estate": "管理处/小区", "building": "楼栋", "unit": "单元", "room": "房号", "owner": "业主",
    "phones": "电话", "area": "面积", "fee_item": "收费项目", "period": "所属期间",
    "period_start": "开始日期", "period_end": "结束日期", "due_date": "应缴日期",
    "amount_due": "应收金额", "paid": "实收金额", "discount": "减免金额", "outstanding": "欠费金额",
    "late_fee": "滞纳金", "remark": "备注",
}

HEADER_SCAN_ROWS = 30  # title and print-info rows above the header are rarely more than a few

_SUFFIX = re.compile(r"[(\[【<]([^)\]】>]*)[)\]】>]")
_MARKS = re.compile(r"^[*＊※#]+|[*＊※]+$")


@dataclass(frozen=True)
class Synonyms:
    fields: dict[str, str]  # normalised header -> field
    wide_items: frozenset[str]
    wide_suffixes: tuple[str, ...]
    wide_totals: frozenset[str]
    row_totals: tuple[str, ...]
    subtotal_suffixes: tuple[str, ...]
    footers: tuple[str, ...]
    profile_fields: dict[str, str]  # normalised header -> profile field (业主档案 columns)


LEDGER_ONLY = frozenset({"period", "period_start", "period_end", "due_date", "amount_due", "paid", "discount",
                         "outstanding", "late_fee", "fee_item"})


@cache
def synonyms() -> Synonyms:
    data = tomllib.loads(resources.files("feedun.intake").joinpath("headers.toml").read_text("utf-8"))
    fields: dict[str, str] = {}
    for name, words in data["fields"].items():
        for word in words:
            fields[normalise_header(word)[0]] = name
    return Synonyms(
        fields=fields,
        wide_items=frozenset(normalise_header(w)[0] for w in data["wide"]["fee_items"]),
        wide_suffixes=tuple(data["wide"]["suffixes"]),
        wide_totals=frozenset(normalise_header(w)[0] for w in data["wide"]["totals"]),
        row_totals=tuple(data["rows"]["totals"]),
        subtotal_suffixes=tuple(data["rows"]["subtotal_suffixes"]),
        footers=tuple(data["rows"]["footers"]),
        profile_fields={normalise_header(w)[0]: name for name, words in data["profile_fields"].items()
                        for w in words},
    )


def normalise_header(text: object) -> tuple[str, str | None]:
    """Header text without decoration, and the money unit its suffix names ("fen"/"yuan"/None).

    "欠费金额（单位：元）" -> ("欠费金额", "yuan"); "*房号(必填)" -> ("房号", None).
    """
    if text is None:
        return "", None
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    unit = None
    for inner in _SUFFIX.findall(s):
        if "分" in inner and "元" not in inner:
            unit = "fen"
        elif "元" in inner:
            unit = "yuan"
    s = _SUFFIX.sub("", s)
    s = _MARKS.sub("", s)
    if s.endswith("/元") or s.endswith("/分"):
        unit = "fen" if s.endswith("分") else "yuan"
        s = s[:-2]
    return s.lower(), unit


@dataclass
class ColumnMap:
    """Which sheet column feeds which field. Column positions are 0-based."""

    header_row: int  # 0-based row index of the header within the sheet
    headers: list[str]  # the header cells as written, for messages and the rejects file
    fields: dict[str, int] = field(default_factory=dict)
    phone_columns: list[int] = field(default_factory=list)
    units: dict[int, str] = field(default_factory=dict)  # column -> "fen" for amounts given in 分
    wide_items: dict[int, str] = field(default_factory=dict)  # column -> fee item name (wide layout)
    wide_total: int | None = None  # a wide layout's row-total column: checked against the items, not a fee item
    extra: dict[str, list[int]] = field(default_factory=dict)  # field -> its 2nd, 3rd… columns (never dropped)
    ignored: list[int] = field(default_factory=list)

    @property
    def layout(self) -> str:
        return "wide" if self.wide_items else "long"

    def describe(self) -> dict[str, str]:
        """The mapping used, as stored with the import: field -> header as written."""
        used = {name: self.headers[col] for name, col in self.fields.items() if name != "phones"}
        if self.phone_columns:
            used["phones"] = " + ".join(self.headers[c] for c in self.phone_columns)
        for name, cols in self.extra.items():
            used[name] = " + ".join(self.headers[c] for c in [self.fields[name], *cols])
        for col, item in self.wide_items.items():
            used[f"wide:{item}"] = self.headers[col]
        if self.wide_total is not None:
            used["wide:total"] = self.headers[self.wide_total]
        return used


def _field_for(header: str, overrides: dict[str, str]) -> str | None:
    if header in overrides:
        return overrides[header]
    return synonyms().fields.get(header)


def score_row(cells: list[str], overrides: dict[str, str]) -> int:
    """How many distinct fields a row's cells name: the header row names the most."""
    found = {_field_for(normalise_header(c)[0], overrides) for c in cells if c}
    found.discard(None)
    return len(found)


def find_header_row(rows: list[list[str]], column_overrides: dict[str, str]) -> int | None:
    """Index of the first row naming the most fields (at least two, one of them a room), or None."""
    overrides = {normalise_header(h)[0]: f for f, h in column_overrides.items()}
    best, best_score = None, 1
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        names = {_field_for(normalise_header(c)[0], overrides) for c in cells if c}
        if not names & {"room", "building"}:
            continue
        score = len(names - {None})
        if score > best_score:
            best, best_score = index, score
    return best


def map_columns(header_row: int, cells: list[str], column_overrides: dict[str, str]) -> ColumnMap:
    """Map each header cell to a field; detect the wide layout (one column per fee item)."""
    overrides = {normalise_header(h)[0]: f for f, h in column_overrides.items()}
    syn = synonyms()
    cmap = ColumnMap(header_row=header_row, headers=[c or "" for c in cells])
    unmapped: list[tuple[int, str, str | None]] = []
    for col, cell in enumerate(cells):
        text, unit = normalise_header(cell)
        if not text:
            continue
        name = _field_for(text, overrides)
        if name == "phones":
            cmap.phone_columns.append(col)
        elif name is not None and name not in cmap.fields:
            cmap.fields[name] = col
        elif name is not None:  # a second column of one role: summed or refused later, never dropped
            cmap.extra.setdefault(name, []).append(col)
        else:
            unmapped.append((col, text, unit))
            continue
        if unit == "fen":
            cmap.units[col] = "fen"
    if "phones" not in cmap.fields and cmap.phone_columns:
        cmap.fields["phones"] = cmap.phone_columns[0]
    has_amount = "outstanding" in cmap.fields or "amount_due" in cmap.fields
    for col, text, unit in unmapped:
        is_item = text in syn.wide_items or (
            text.endswith(syn.wide_suffixes) and text not in syn.fields and text not in syn.wide_totals
        )
        if not has_amount and is_item:
            cmap.wide_items[col] = _item_name(cells[col]) or text
            if unit == "fen":
                cmap.units[col] = "fen"
        elif not has_amount and text in syn.wide_totals and cmap.wide_total is None:
            cmap.wide_total = col
            if unit == "fen":
                cmap.units[col] = "fen"
        else:
            cmap.ignored.append(col)
    if not has_amount and not cmap.wide_items and cmap.wide_total is not None:
        # Totals-only layouts (one 合计 / 欠费合计 per room, no items): that total is what the room owes.
        cmap.fields["outstanding"] = cmap.wide_total
        cmap.wide_total = None
    return cmap


# Several columns of one role: amounts that add up are summed; for the rest, which one is meant is not ours to guess.
SUMMED_FIELDS = ("paid", "discount", "late_fee")


# Several room columns are compared row by row (the same room written two ways, as some exports do): a row where
# they disagree is rejected with both values. Several due columns only matter without an arrears column.
CHECKED_FIELDS = ("room",)


def role_conflicts(cmap: ColumnMap) -> list[str]:
    """Fields named by more than one column that cannot be summed, as '欠费金额（欠费、欠费金额）' for the message."""
    problems = []
    for name, cols in cmap.extra.items():
        if name in SUMMED_FIELDS or name in CHECKED_FIELDS or (name == "amount_due" and "outstanding" in cmap.fields):
            continue
        shown = "、".join(f"“{cmap.headers[c].strip()}”" for c in [cmap.fields[name], *cols])
        problems.append(f"{FIELD_LABELS[name]}（{shown}）")
    return problems


def _item_name(cell: str) -> str:
    """A fee-item header as a clean name: '*物业\n服务费(元)' -> '物业服务费' (case kept, unlike the key)."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell or ""))
    return _MARKS.sub("", _SUFFIX.sub("", s))


def missing_fields(cmap: ColumnMap) -> list[str]:
    """Required fields the sheet lacks, as Chinese labels. The estate may come from elsewhere (resolve_estate);
    the period may be unknown (a ledger with arrears per fee item only: its lines say 期间不详)."""
    missing = []
    if "room" not in cmap.fields:
        missing.append(FIELD_LABELS["room"])
    if cmap.layout == "long" and "outstanding" not in cmap.fields and "amount_due" not in cmap.fields:
        missing.append(f"{FIELD_LABELS['outstanding']}（或{FIELD_LABELS['amount_due']}）")
    return missing


_TITLE_ESTATE = re.compile(r"(?:项目名称|小区名称|管理处名称|项目|小区|管理处|楼盘|物业项目)\s*[:：]\s*([^\s:：,，;；]+)")


def title_estate(rows: list[list[str | None]]) -> str | None:
    """The estate a single-estate export names above its header: '项目：锦绣家园', '小区名称: 观山水'."""
    for cells in rows:
        for cell in cells:
            if cell and (m := _TITLE_ESTATE.search(unicodedata.normalize("NFKC", str(cell)))):
                return m[1]
    return None


_TITLE_DATE = re.compile(r"(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_TITLE_KEYS = ("截止", "截至", "统计", "期末", "数据日期", "报表日期", "账期")  # the as-of date
_TITLE_WEAK_KEYS = ("打印", "制表", "导出", "生成")  # when the sheet was made, a fallback only


def title_date(rows: list[list[str | None]]) -> tuple[int, int, int] | None:
    """The as-of date written above the header ('截止日期：2026年11月25日'), keyword cells first."""
    found: list[tuple[int, tuple[int, int, int]]] = []
    for cells in rows:
        for cell in cells:
            if not cell:
                continue
            text = unicodedata.normalize("NFKC", str(cell))
            if m := _TITLE_DATE.search(text):
                before = text[: m.start()]
                rank = 0 if any(k in before for k in _TITLE_KEYS) else 2 if any(
                    k in before for k in _TITLE_WEAK_KEYS) else 1
                found.append((rank, (int(m[1]), int(m[2]), int(m[3]))))
    if not found:
        return None
    return min(found, key=lambda item: item[0])[1]


def profile_columns(headers: list[str]) -> dict[str, int]:
    """Profile field -> column for the 业主档案 columns of a header row (first of each wins)."""
    found: dict[str, int] = {}
    for col, cell in enumerate(headers):
        name = synonyms().profile_fields.get(normalise_header(cell)[0])
        if name is not None and name not in found:
            found[name] = col
    return found


def sheet_kind(cmap: ColumnMap, headers: list[str]) -> str:
    """'profiles' for an owner profile sheet (profile columns, no ledger-only ones), else 'ledger'."""
    if cmap.wide_items or set(cmap.fields) & LEDGER_ONLY:
        return "ledger"
    return "profiles" if profile_columns(headers) else "ledger"


def headers_seen(sheet: Sheet) -> str:
    """The fullest row near the top, which is most likely what the user thinks the header is."""
    rows = [r for r in sheet.preview()[:15] if any(r)]
    if not rows:
        return "（前几行都是空的）"
    best = max(rows, key=lambda r: sum(1 for c in r if c))
    return mask_phones_in("、".join(str(c).strip() for c in best if c))  # may be a data row: the message is logged


ROOMS_NEEDED = ("feedun 按房间催缴：缴费、承诺、函件和诉讼时效都记在房间上，同名业主、一户多房都靠房号区分，"
                "按客户名汇总的收款表无法导入。请从物业系统导出带房号（或楼栋+房号）的欠费明细；"
                "如果房号列的名字特别，在 feedun.toml 的 [import.columns] 中指定，例如 room = \"资源编号\"。")


def no_header_found(sheet: Sheet, path: Path) -> InputFileError:
    """The message for a sheet with no recognisable header (or that no importer claims). A row that names other
    ledger fields but no room is a list by customer: said so, with why rooms are needed."""
    for index, cells in enumerate(sheet.preview()[:HEADER_SCAN_ROWS]):
        names = {_field_for(normalise_header(c)[0], {}) for c in cells if c} - {None}
        if len(names) >= 2 and not names & {"room", "building"}:
            seen = "、".join(str(c).strip() for c in cells if c)
            return InputFileError(f"第 {index + 1} 行的表头没有房号列。看到的列：{seen}", path=path, row=index + 1,
                                  hint=ROOMS_NEEDED)
    return InputFileError(
        f"在工作表“{sheet.name}”的前 30 行中没有找到可识别的表头。看到的内容：{headers_seen(sheet)}",
        path=path,
        hint="表头至少要有房号（或楼栋）和另一个已知列，如欠费金额、所属期间。"
             "如果列名特别，在 feedun.toml 的 [import.columns] 中指定，例如 room = \"资源编号\"；"
             "可以先用 feedun import 文件 --check 查看建议的写法；如果看到的是乱码，用 --encoding 指定编码。")


# An SMS platform's delivery report (短信发送记录) has no room: it is found by its own columns and read by
# intake/receipts.py. Names as the platforms' documents give them: Aliyun QuerySendDetails (phoneNum, sendStatus,
# errCode, content, sendDate, receiveDate) and SmsReport (phone_number, send_time, report_time, success, err_code,
# err_msg); Tencent PullSmsSendStatus (PhoneNumber, SubscriberNumber, ReportStatus, Description, UserReceiveTime)
# and its callback (mobile, report_status, user_receive_time, errmsg, description); and the consoles' Chinese
# labels for the same fields. Compared lower-case, without spaces or underscores.
RECEIPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "phone": ("手机号码", "手机号", "接收号码", "接收手机号", "号码", "phonenum", "phonenumber", "mobile",
              "subscribernumber"),
    "status": ("发送状态", "回执状态", "接收状态", "状态", "sendstatus", "success", "reportstatus"),
    "sent_at": ("发送时间", "提交时间", "senddate", "sendtime"),
    "received_at": ("接收时间", "回执时间", "送达时间", "状态报告时间", "receivedate", "reporttime", "userreceivetime"),
    "content": ("短信内容", "内容", "content"),
    "detail": ("错误码", "失败原因", "状态说明", "描述", "errcode", "errmsg", "description"),
}
_RECEIPT_NAMES = {name: field for field, names in RECEIPT_COLUMNS.items() for name in names}


def receipt_columns(cells: list[str]) -> dict[str, int]:
    """field -> column index of a delivery report's header row (first match wins); {} for anything else."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = re.sub(r"[\s_]+", "", normalise_header(cell)[0]).lower()
        field = _RECEIPT_NAMES.get(key)
        if field and field not in found:
            found[field] = index
    return found if {"phone", "status"} <= set(found) and "room" not in {
        _field_for(normalise_header(c)[0], {}) for c in cells if c} else {}


def find_receipt_header(rows: list[list[str]]) -> int | None:
    """The header row of a delivery report (a phone and a status column, no room), or None."""
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        if receipt_columns([c or "" for c in cells]):
            return index
    return None


def pick_sheet(sheets: list[Sheet], wanted: str | None, column_overrides: dict[str, str],
               path: Path) -> tuple[Sheet, int, list[str]]:
    """The requested sheet (name or 1-based number), else the first one with a recognisable header; its header
    row; and the names of the other sheets that have one (so a second ledger in the workbook is not missed)."""
    if wanted is not None:
        names = [s.name for s in sheets]
        chosen = next((s for s in sheets if s.name == wanted), None)
        if chosen is None and wanted.isdigit() and 1 <= int(wanted) <= len(sheets):
            chosen = sheets[int(wanted) - 1]
        if chosen is None:
            raise UsageError(f"工作簿中没有名为“{wanted}”的工作表。", path=path,
                             hint=f"可选的工作表：{'、'.join(names)}（也可以用序号，从 1 开始）。")
        candidates = [chosen]
    else:
        candidates = sheets
    found = [(s, _header_row(s.preview(), column_overrides)) for s in candidates]
    found = [(s, h) for s, h in found if h is not None]
    if not found:
        sheet = candidates[0]
        if not any(any(r) for r in sheet.preview()):
            raise InputFileError(f"工作表“{sheet.name}”是空的。", path=path,
                                 hint="确认导出的是有数据的工作表；需要时用 --sheet 指定工作表。")
        raise no_header_found(sheet, path)
    sheet, header_row = found[0]
    return sheet, header_row, [s.name for s, _ in found[1:]]


def _header_row(rows: list[list[str]], column_overrides: dict[str, str]) -> int | None:
    """A ledger-like header (with a room), else an SMS delivery report's."""
    found = find_header_row(rows, column_overrides)
    return found if found is not None else find_receipt_header(rows)


# What `feedun import --check` proposes for a header it cannot read: the fields a ledger needs, most needed first.
_SUGGESTED = ("room", "outstanding", "amount_due", "estate", "owner", "phones", "period", "fee_item")


def suggest_columns(sheet: Sheet, column_overrides: dict[str, str]) -> dict[str, str]:
    """Best guesses for `[import.columns]`: for each needed field the header cell of the likeliest header row that
    reads most like one of the field's synonyms (difflib), e.g. {"room": "户号", "outstanding": "欠款额"}."""
    import difflib

    rows = [r for r in sheet.preview()[:HEADER_SCAN_ROWS] if any(r)]
    if not rows:
        return {}
    overrides = {normalise_header(h)[0]: f for f, h in column_overrides.items()}
    header = max(rows, key=lambda r: (score_row([c or "" for c in r], column_overrides),
                                      sum(1 for c in r if c and not any(ch.isdigit() for ch in str(c)))))
    cells = {normalise_header(c)[0]: str(c).strip() for c in header if c and str(c).strip()}
    by_field: dict[str, list[str]] = {}
    for word, name in synonyms().fields.items():
        by_field.setdefault(name, []).append(word)
    taken = {text for text in cells if _field_for(text, overrides)}
    guesses: dict[str, str] = {}
    for name in _SUGGESTED:
        if any(_field_for(text, overrides) == name for text in cells):
            continue  # already readable
        best, best_ratio = None, 0.0
        for text, written in cells.items():
            if text in taken or written in guesses.values():
                continue
            ratio = max(difflib.SequenceMatcher(None, text, word).ratio() for word in by_field.get(name, [""]))
            if ratio > best_ratio:
                best, best_ratio = written, ratio
        if best is not None and best_ratio >= 0.4:
            guesses[name] = best
    return guesses
