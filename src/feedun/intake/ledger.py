"""Arrears ledgers (欠费台账): header → normalised lines → the import's lines, estates and what they settle.

Any sheet with a recognisable ledger header is a ledger, except the two workbooks feedun writes itself and reads
back (a filled call list, a letter register), which have importers of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import InputFileError
from feedun.core.vocab import ImportKind
from feedun.intake import settlement
from feedun.intake.calls import is_call_list
from feedun.intake.headers import (
    CHECKED_FIELDS,
    FIELD_LABELS,
    ROOMS_NEEDED,
    SUMMED_FIELDS,
    ColumnMap,
    map_columns,
    missing_fields,
    pick_sheet,
    receipt_columns,
    role_conflicts,
    sheet_kind,
    title_date,
    title_estate,
)
from feedun.intake.normalize import Normalised, normalise
from feedun.intake.protocol import Applied, Extracted, FoundSheet, Options, Transaction
from feedun.intake.read import Sheet, open_sheets
from feedun.intake.register import is_register
from feedun.store import ledger as queries


@dataclass
class ParsedLedger:
    """A ledger file read and normalised, before anything is stored."""

    path: Path
    sheet: Sheet
    cmap: ColumnMap
    body: pd.DataFrame
    first_row: int
    as_of: date
    result: Normalised
    other_sheets: list[str]
    estate_rule: str | None = None


# How a ledger's estate is known, in the order tried; `import --json` reports which one applied.
ESTATE_RULES = {
    "column": "台账的管理处/小区列",
    "option": "命令行 --estate",
    "title": "表头上方标题行（如“项目：锦绣家园”）",
    "config": "feedun.toml 的 [import] estate",
    "store": "数据库中唯一已有的小区",
}


def resolve_estate(cmap: ColumnMap, title_rows: list[list[str | None]], option: str | None, config: str | None,
                   known: tuple[str, ...]) -> tuple[str | None, str | None]:
    """(the estate for rows that name none, the rule that gave it). With an estate column that column wins and
    the value returned only fills its blank cells; (None, None) when no rule applies."""
    fallback, rule = None, None
    for name, value in (("option", option), ("title", title_estate(title_rows)), ("config", config),
                        ("store", known[0] if len(known) == 1 else None)):
        if value:
            fallback, rule = value.strip(), name
            break
    if "estate" in cmap.fields:
        return fallback, "column"
    return fallback, rule


def _no_estate(path: Path, header_row: int, known: tuple[str, ...], command: str) -> InputFileError:
    ways = "；".join(f"{i}. {text}" for i, text in enumerate(ESTATE_RULES.values(), start=1))
    stored = f"数据库中已有 {len(known)} 个小区（{'、'.join(known[:5])}{'等' if len(known) > 5 else ''}），无法确定是哪一个" \
        if known else "数据库中还没有任何小区"
    return InputFileError(f"无法确定这份台账属于哪个小区：表格没有管理处/小区列，标题行也没有写明小区；{stored}。", path=path,
                          row=header_row + 1,
                          hint=f"feedun 依次按以下方式确定小区：{ways}。"
                               f"{'加上 --estate 小区名，或' if command == 'import' else ''}"
                               "在 feedun.toml 的 [import] 小节写 estate = \"小区名\"（只有一个小区时最方便）。")


def _no_room(path: Path, header_row: int, headers: list[str]) -> InputFileError:
    seen = "、".join(h.strip() for h in headers if h.strip())
    return InputFileError(f"第 {header_row + 1} 行的表头没有房号列。看到的列：{seen}", path=path, row=header_row + 1,
                          hint=ROOMS_NEEDED)


def parse_sheet(found: FoundSheet, settings: Settings, *, as_of: date | None = None, estate: str | None = None,
                progress=None, known_estates: tuple[str, ...] = (), command: str = "import") -> ParsedLedger:
    """Map the header's columns and normalise every row below it. Touches no store."""
    path, sheet, header_row = found.path, found.sheet, found.header_row
    headers = [c or "" for c in sheet.preview()[header_row]]
    cmap = map_columns(header_row, headers, settings.import_.columns)
    if "room" not in cmap.fields:
        raise _no_room(path, header_row, headers)
    missing = missing_fields(cmap)
    if missing:
        seen = "、".join(h.strip() for h in headers if h.strip())
        raise InputFileError(f"第 {header_row + 1} 行的表头缺少必需的列：{'、'.join(missing)}。看到的列：{seen}",
                             path=path, row=header_row + 1,
                             hint="在 feedun.toml 的 [import.columns] 中指定对应的列名，例如 outstanding = \"欠费总额\"。")
    conflicts = role_conflicts(cmap)
    if conflicts:
        raise InputFileError(f"第 {header_row + 1} 行的表头有多列表示同一项：{'；'.join(conflicts)}，无法确定用哪一列。",
                             path=path, row=header_row + 1,
                             hint="在 feedun.toml 的 [import.columns] 中指定要用的那一列，例如 outstanding = \"欠费金额\"；"
                                  "减免、优惠、实收、滞纳金这类金额列有多列时会自动相加。")
    title_rows = sheet.preview()[:header_row]
    default_estate, estate_rule = resolve_estate(cmap, title_rows, estate, settings.import_.estate, known_estates)
    if estate_rule is None:
        raise _no_estate(path, header_row, known_estates, command)
    if as_of is None:
        ymd = title_date(sheet.preview()[:header_row])
        as_of = date(*ymd) if ymd else date.today()
    if progress is not None:
        progress.stage("读取表格")
    body = sheet.body(header_row + 1)
    first_row = header_row + 2  # 1-based sheet row number of body's first row
    if progress is not None:
        progress.stage("检查与规范化")
    result = normalise(body, first_row, cmap, default_estate)
    if result.rows_read == 0:
        raise InputFileError("表头下面没有数据行。", path=path, row=header_row + 1,
                             hint="确认导出时选择了数据范围；空台账不需要导入。")
    for name, cols in cmap.extra.items():
        shown = "、".join(f"“{cmap.headers[c].strip()}”" for c in [cmap.fields[name], *cols])
        if name in SUMMED_FIELDS:
            result.warnings.append(f"{FIELD_LABELS[name]}有多列（{shown}），已按每行相加")
        elif name in CHECKED_FIELDS:
            result.warnings.append(f"{FIELD_LABELS[name]}有多列（{shown}），已逐行核对一致")
        else:
            first = cmap.headers[cmap.fields[name]].strip()
            result.warnings.append(f"{FIELD_LABELS[name]}有多列（{shown}）：欠费以欠费金额列为准，只用“{first}”核对")
    if estate_rule != "column":
        result.warnings.append(f"小区“{default_estate}”来自{ESTATE_RULES[estate_rule]}")
    return ParsedLedger(path, sheet, cmap, body, first_row, as_of, result, found.other_sheets, estate_rule)


def find_sheet(path: Path, settings: Settings, *, encoding: str | None = None, sheet_name: str | None = None,
               sheets: list[Sheet] | None = None) -> FoundSheet:
    """Open the file and find the sheet to import and its header row."""
    path = Path(path)
    sheets = sheets or open_sheets(path, encoding)
    sheet, header_row, others = pick_sheet(sheets, sheet_name, settings.import_.columns, path)
    cmap = map_columns(header_row, [c or "" for c in sheet.preview()[header_row]], settings.import_.columns)
    return FoundSheet(path, sheets, sheet, header_row, cmap, others)


def parse_ledger(path: Path, settings: Settings, *, as_of: date | None = None, encoding: str | None = None,
                 sheet_name: str | None = None, estate: str | None = None,
                 progress=None, sheets: list[Sheet] | None = None) -> ParsedLedger:
    """Read, find the header, map columns and normalise every row. Touches no store."""
    found = find_sheet(path, settings, encoding=encoding, sheet_name=sheet_name, sheets=sheets)
    return parse_sheet(found, settings, as_of=as_of, estate=estate, progress=progress)


def write_lines(tx: Transaction, import_id: int, lines: pd.DataFrame, estates: list[str], as_of: date,
                progress=None, use_copy: bool = True) -> settlement.Settlement:
    """The store stage of a ledger import, inside the caller's transaction: estates, lines, then what they settle
    (payments, promises kept or broken, owner changes; intake/settlement.py)."""
    queries.add_import_estates(tx, import_id, estates)
    queries.add_lines(tx, import_id, lines, progress, use_copy)
    return settlement.settle_import(tx, import_id, as_of, estates)


class LedgerImporter:
    kind = ImportKind.LEDGER

    def identify(self, found: FoundSheet) -> bool:
        headers = found.headers
        return (sheet_kind(found.cmap, headers) == "ledger" and not is_call_list(headers) and not is_register(headers)
                and not receipt_columns(headers))

    def extract(self, found: FoundSheet, settings: Settings, options: Options) -> Extracted:
        parsed = parse_sheet(found, settings, as_of=options.as_of, estate=options.estate, progress=options.progress,
                             known_estates=options.known_estates, command=options.command)
        result, cmap = parsed.result, parsed.cmap
        warnings = list(result.warnings)
        if parsed.other_sheets:
            warnings.append(f"工作簿中还有像台账的工作表未导入：{'、'.join(parsed.other_sheets)}；需要时用 --sheet 分别导入")
        return Extracted(
            path=found.path, sheet=parsed.sheet.name, as_of=parsed.as_of, rows=result, rows_read=result.rows_read,
            headers=cmap.headers, body=parsed.body, first_row=parsed.first_row, rejects=list(result.rejects),
            skipped=dict(result.skipped), column_mapping=cmap.describe(), layout=cmap.layout, warnings=warnings,
            estate_rule=parsed.estate_rule)

    def apply(self, tx: Transaction, extracted: Extracted, settings: Settings, *, import_id: int,
              options: Options) -> Applied:
        result: Normalised = extracted.rows
        if result.accepted == 0:
            return Applied(0, refused=f"全部 {result.rejected} 行数据都被拒收，没有导入任何内容。")
        estates = sorted(set(result.lines["estate"].unique()))
        if options.progress is not None:
            options.progress.stage("写入数据库", total=len(result.lines))
        settled = write_lines(tx, import_id, result.lines, estates, extracted.as_of, options.progress)
        return Applied(
            result.accepted, changes=settlement.describe(settled), warnings=settled.notes,
            details={"lines": len(result.lines), "estates": estates, "payments": settled.payments,
                     "promises_kept": settled.promises_kept, "promises_broken": settled.promises_broken,
                     "owner_changes": len(settled.owner_changes)})
