"""`feedun import` for ledgers: file → header → normalised lines → rejects file → one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from feedun.config import Settings
from feedun.core.errors import InputFileError, UsageError
from feedun.core.money import mask_phones_in
from feedun.intake.headers import ColumnMap, find_header_row, map_columns, missing_fields, sheet_kind, title_date
from feedun.intake.normalize import Normalised
from feedun.intake.read import Sheet, open_sheets, sniff_kind


@dataclass
class ImportResult:
    file: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    rejects_file: str | None = None
    as_of: str | None = None
    import_id: int | None = None
    duplicate: bool = False
    # Details for people; not part of the --json contract's required keys but included there too.
    kind: str = "ledger"  # or "profiles" for an owner profile sheet
    sheet: str | None = None
    layout: str | None = None
    lines: int = 0
    estates: list[str] = field(default_factory=list)
    skipped_detail: dict[str, int] = field(default_factory=dict)
    column_mapping: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what this snapshot settled: payments, promises, owners
    payments: int = 0
    promises_kept: int = 0
    promises_broken: int = 0
    owner_changes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _headers_seen(sheet: Sheet) -> str:
    """The fullest row near the top, which is most likely what the user thinks the header is."""
    rows = [r for r in sheet.preview()[:15] if any(r)]
    if not rows:
        return "（前几行都是空的）"
    best = max(rows, key=lambda r: sum(1 for c in r if c))
    return mask_phones_in("、".join(str(c).strip() for c in best if c))  # may be a data row: the message is logged


def _pick_sheet(sheets: list[Sheet], wanted: str | None, settings: Settings,
                path: Path) -> tuple[Sheet, int, list[str]]:
    """The requested sheet, else the first one with a recognisable header; plus other ledger-like sheets."""
    overrides = settings.import_.columns
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
    found = [(s, find_header_row(s.preview(), overrides)) for s in candidates]
    found = [(s, h) for s, h in found if h is not None]
    if not found:
        sheet = candidates[0]
        if not any(any(r) for r in sheet.preview()):
            raise InputFileError(f"工作表“{sheet.name}”是空的。", path=path,
                                 hint="确认导出的是有数据的工作表；需要时用 --sheet 指定工作表。")
        raise InputFileError(
            f"在工作表“{sheet.name}”的前 30 行中没有找到可识别的表头。看到的内容：{_headers_seen(sheet)}",
            path=path,
            hint="表头至少要有房号（或楼栋）和另一个已知列，如欠费金额、所属期间。"
                 "如果列名特别，在 feedun.toml 的 [import.columns] 中指定，例如 room = \"资源编号\"；"
                 "如果看到的是乱码，用 --encoding 指定编码。")
    sheet, header_row = found[0]
    others = [s.name for s, _ in found[1:]]
    return sheet, header_row, others


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


def parse_ledger(path: Path, settings: Settings, *, as_of: date | None = None, encoding: str | None = None,
                 sheet_name: str | None = None, estate: str | None = None,
                 progress=None, sheets: list[Sheet] | None = None) -> ParsedLedger:
    """Read, find the header, map columns and normalise every row. Touches no store."""
    from feedun.intake.normalize import normalise

    path = Path(path)
    sheets = sheets or open_sheets(path, encoding)
    sheet, header_row, other_sheets = _pick_sheet(sheets, sheet_name, settings, path)
    headers = [c or "" for c in sheet.preview()[header_row]]
    cmap = map_columns(header_row, headers, settings.import_.columns)
    default_estate = estate or settings.import_.estate
    missing = missing_fields(cmap, has_default_estate=bool(default_estate))
    if missing:
        seen = "、".join(h.strip() for h in headers if h.strip())
        hint = "在 feedun.toml 的 [import.columns] 中指定对应的列名，例如 room = \"资源编号\""
        if any("管理处" in m for m in missing):
            hint += "；台账没有管理处/小区列时，用 --estate 指定小区名"
        raise InputFileError(f"第 {header_row + 1} 行的表头缺少必需的列：{'、'.join(missing)}。看到的列：{seen}",
                             path=path, row=header_row + 1, hint=hint + "。")
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
    return ParsedLedger(path, sheet, cmap, body, first_row, as_of, result, other_sheets)


def import_file(path: Path, settings: Settings, *, db_url: str | None = None, as_of: date | None = None,
                  encoding: str | None = None, sheet_name: str | None = None, estate: str | None = None,
                  progress=None) -> ImportResult:
    """Import one ledger (or owner profile sheet, told apart by its headers).
    Raises FeedunError for a file that cannot be imported at all."""
    from feedun.intake.rejects import write_rejects
    from feedun.intake.settlement import describe
    from feedun.store import open_store
    from feedun.store.ledger import ImportRecord, find_import, save_ledger_import

    path = Path(path)
    sniff_kind(path)  # a clear message for a file that is not a sheet, before anything else
    sha = file_sha256(path)
    engine = open_store(settings.db_url(db_url))
    previous = find_import(engine, sha)
    if previous is not None:
        return ImportResult(
            file=str(path), rows_read=previous["rows_read"], accepted=previous["accepted"],
            rejected=previous["rejected"], skipped=previous["skipped"], rejects_file=previous["rejects_file"],
            as_of=previous["as_of"].isoformat(), import_id=previous["id"], duplicate=True,
            kind=previous["kind"], sheet=previous["sheet"], layout=previous["layout"])

    sheets = open_sheets(path, encoding)
    sheet, header_row, _ = _pick_sheet(sheets, sheet_name, settings, path)
    cmap = map_columns(header_row, [c or "" for c in sheet.preview()[header_row]], settings.import_.columns)
    from feedun.intake.calls import import_call_list, is_call_list

    if is_call_list(cmap.headers):
        return import_call_list(path, sha, sheet, header_row, settings, db_url=db_url)
    from feedun.intake.register import import_register, is_register

    if is_register(cmap.headers):
        return import_register(path, sha, sheet, header_row, settings, db_url=db_url)
    if sheet_kind(cmap, cmap.headers) == "profiles":
        from feedun.intake.profiles import import_profile_sheet

        return import_profile_sheet(path, sha, sheet, cmap, settings, db_url=db_url, as_of=as_of, estate=estate)
    parsed = parse_ledger(path, settings, as_of=as_of, encoding=encoding, sheet_name=sheet_name,
                          estate=estate, progress=progress, sheets=sheets)
    result, cmap = parsed.result, parsed.cmap
    rejects_path = None
    if result.rejects:
        name = f"{path.stem}-拒收行-{sha[:8]}.xlsx"
        rejects_path = write_rejects(settings.rejects_dir / name, cmap.headers, parsed.body, parsed.first_row,
                                     result.rejects, path.name)
    if result.accepted == 0:
        raise InputFileError(f"全部 {result.rejected} 行数据都被拒收，没有导入任何内容。", path=path,
                             hint=f"打开拒收文件查看每行的原因：{rejects_path}")

    estates = sorted(set(result.lines["estate"]))
    warnings = list(result.warnings)
    if parsed.other_sheets:
        warnings.append(f"工作簿中还有像台账的工作表未导入：{'、'.join(parsed.other_sheets)}；需要时用 --sheet 分别导入")
    record = ImportRecord(
        kind="ledger", file_name=path.name, sha256=sha, sheet=parsed.sheet.name, as_of=parsed.as_of,
        layout=cmap.layout, rows_read=result.rows_read, accepted=result.accepted, rejected=result.rejected,
        skipped=result.skipped_total, column_mapping=cmap.describe(),
        rejects_file=str(rejects_path) if rejects_path else None)
    if progress is not None:
        progress.stage("写入数据库", total=len(result.lines))
    try:
        saved = save_ledger_import(engine, record, result.lines, estates, progress)
    except BaseException:
        if rejects_path is not None:
            rejects_path.unlink(missing_ok=True)
        raise
    if saved is None:  # lost a race with an identical import: report that one
        return import_file(path, settings, db_url=db_url, as_of=as_of, encoding=encoding,
                             sheet_name=sheet_name, estate=estate)
    import_id, settlement = saved
    return ImportResult(
        file=str(path), rows_read=result.rows_read, accepted=result.accepted, rejected=result.rejected,
        skipped=result.skipped_total, rejects_file=record.rejects_file, as_of=parsed.as_of.isoformat(),
        import_id=import_id, sheet=parsed.sheet.name, layout=cmap.layout, lines=len(result.lines),
        estates=estates, skipped_detail={k: c for k, c in result.skipped.items() if c},
        column_mapping=record.column_mapping, warnings=warnings + settlement.notes,
        changes=describe(settlement), payments=settlement.payments,
        promises_kept=settlement.promises_kept, promises_broken=settlement.promises_broken,
        owner_changes=len(settlement.owner_changes))


KIND_ORDER = {"ledger": 0, "profiles": 1, "calls": 2, "register": 3}


def identify(path: Path, settings: Settings, encoding: str | None = None) -> str:
    """Which kind of file this is (ledger, profiles, calls, register), from its headers; FeedunError if none."""
    from feedun.intake.calls import is_call_list
    from feedun.intake.register import is_register

    path = Path(path)
    sheets = open_sheets(path, encoding)
    sheet, header_row, _ = _pick_sheet(sheets, None, settings, path)
    cmap = map_columns(header_row, [c or "" for c in sheet.preview()[header_row]], settings.import_.columns)
    if is_call_list(cmap.headers):
        return "calls"
    if is_register(cmap.headers):
        return "register"
    return sheet_kind(cmap, cmap.headers)
