"""`feedun import`: any file feedun reads, told apart by its header, through one path for every kind.

file → sheet and header → exactly one importer claims it (intake/protocol.py) → its rows extracted → one
transaction: the import row, the kind's rows, the rejects file, the counts → commit (docs/design.md, "Importers").
A file already imported (same sha256) is reported, not imported again.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from feedun.config import Settings
from feedun.core.errors import FeedunError, InputFileError
from feedun.core.vocab import IMPORT_KIND_LABELS, ImportKind, import_order
from feedun.intake.ahead import ReadAhead, read_ahead
from feedun.intake.calls import CallListImporter
from feedun.intake.headers import no_header_found, suggest_columns
from feedun.intake.ledger import LedgerImporter, ParsedLedger, find_sheet, parse_ledger
from feedun.intake.normalize import Reject
from feedun.intake.profiles import ProfileImporter
from feedun.intake.protocol import Applied, Extracted, FoundSheet, Importer, ImportResult, Options, rejects_name
from feedun.intake.read import open_sheets, sniff_kind
from feedun.intake.receipts import SmsReceiptImporter
from feedun.intake.register import RegisterImporter
from feedun.intake.rejects import write_rejects
from feedun.store import Store
from feedun.store.imports import (
    AlreadyImported,
    ImportRecord,
    add_import,
    find_import,
    finish_import,
    import_transaction,
)
from feedun.store.ledger import known_estates

__all__ = ["IMPORTERS", "KIND_ORDER", "CheckResult", "ImportResult", "OpenedFile", "ParsedLedger", "check_file",
           "file_sha256", "identify", "import_file", "open_file", "parse_ledger", "read_next"]

IMPORTERS: tuple[Importer, ...] = (LedgerImporter(), ProfileImporter(), CallListImporter(), RegisterImporter(),
                                   SmsReceiptImporter())

# `feedun run` imports a folder in this order (ledgers settle promises first); kept for callers of the old name.
KIND_ORDER: dict[ImportKind, int] = {kind: import_order(kind) for kind in ImportKind}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_next(path: Path, store: Store) -> ReadAhead | None:
    """The next file of a command, read in the background while the one before it is read and imported
    (intake/ahead.py): only a small file (`alone=False`), and not one whose bytes were imported before, which
    nobody would read."""
    try:
        sha = file_sha256(path)
    except OSError:
        return None  # open_file says what is wrong with it
    with store.connect() as conn:
        if find_import(conn, sha) is not None:
            return None
    return read_ahead(path, alone=False)


def claim(found: FoundSheet) -> Importer:
    """The one importer whose kind the sheet is. Two claiming it is an error naming both (the file is ambiguous,
    and guessing would write rows into the wrong tables); none claiming it reads as a sheet without a header."""
    claims = [importer for importer in IMPORTERS if importer.identify(found)]
    if len(claims) == 1:
        return claims[0]
    if not claims:
        raise no_header_found(found.sheet, found.path)
    kinds = "、".join(f"{IMPORT_KIND_LABELS[i.kind]}（{i.kind}）" for i in claims)
    raise InputFileError(f"无法确定工作表“{found.sheet.name}”是哪一种文件：它的表头同时符合{kinds}。", path=found.path,
                         row=found.header_row + 1,
                         hint="删去不属于这种文件的列后重新导入；工作簿有多个工作表时，用 --sheet 指定要导入的那一个。")


def identify(path: Path, settings: Settings, encoding: str | None = None) -> ImportKind:
    """Which kind of file this is, from its headers (exactly one importer must claim it); FeedunError if none."""
    return claim(find_sheet(Path(path), settings, encoding=encoding)).kind


@dataclass
class OpenedFile:
    """A file read once: its digest, and either the import that already holds it or its sheet and the importer
    that claims it. `feedun run` orders the inbox by `kind` and hands this to `import_file`, so no file is read
    twice (a 1.2M-line ledger is the largest cost of a run)."""

    path: Path
    sha: str
    previous: dict | None = None  # the earlier import of the same bytes
    found: FoundSheet | None = None
    importer: Importer | None = None

    @property
    def kind(self) -> ImportKind:
        if self.importer is not None:
            return self.importer.kind
        return ImportKind(self.previous["kind"])


def open_file(path: Path, settings: Settings, *, store: Store, encoding: str | None = None,
              sheet_name: str | None = None, ahead: ReadAhead | None = None) -> OpenedFile:
    """Sniff, digest and (unless these bytes were imported before) read the file and find who claims it; `ahead`:
    the file as it is being read in the background (intake/ahead.py), if it is.

    Raises FeedunError for a file that cannot be imported at all (not a sheet, no header, claimed twice)."""
    path = Path(path)
    sniff_kind(path)  # a clear message for a file that is not a sheet, before anything else
    sha = file_sha256(path)
    with store.connect() as conn:
        previous = find_import(conn, sha)
    if previous is not None:
        return OpenedFile(path, sha, previous=previous)
    if ahead is not None and not ahead.same_bytes(sha):  # not read ahead, or the file changed since: read it here
        ahead = None
    sheets = open_sheets(path, encoding, ahead) if ahead is not None else None
    found = find_sheet(path, settings, encoding=encoding, sheet_name=sheet_name, sheets=sheets)
    return OpenedFile(path, sha, found=found, importer=claim(found))


def _duplicate(path: Path, previous: dict) -> ImportResult:
    return ImportResult(
        file=str(path), rows_read=previous["rows_read"], accepted=previous["accepted"],
        rejected=previous["rejected"], skipped=previous["skipped"], rejects_file=previous["rejects_file"],
        as_of=previous["as_of"].isoformat(), import_id=previous["id"], duplicate=True,
        kind=previous["kind"], sheet=previous["sheet"], layout=previous["layout"])


def _merged(first: dict[str, int], then: dict[str, int]) -> dict[str, int]:
    """Skip counts of extraction and of applying, in the order people read them (first's keys first)."""
    total = dict(first)
    for reason, count in then.items():
        total[reason] = total.get(reason, 0) + count
    return total


def import_file(path: Path, settings: Settings, *, store: Store | None = None, as_of: date | None = None,
                encoding: str | None = None, sheet_name: str | None = None, estate: str | None = None,
                progress=None, db_url: str | None = None, command: str = "import",
                opened: OpenedFile | None = None, ahead: ReadAhead | None = None) -> ImportResult:
    """Import one file of any kind (ledger, owner profiles, filled call list, letter register) in one transaction.

    `store` is the command's opened store; without it (older callers) the store of `db_url` / the settings is
    opened here. `opened` is the file as `open_file` already read it (then it is not read again); `ahead`, the
    file as it is being read in the background (intake/ahead.py).
    Raises FeedunError for a file that cannot be imported at all.
    """
    store = store or Store.for_settings(settings, db_url)
    opened = opened or open_file(path, settings, store=store, encoding=encoding, sheet_name=sheet_name, ahead=ahead)
    if opened.previous is not None:
        return _duplicate(opened.path, opened.previous)
    path, sha, found, importer = opened.path, opened.sha, opened.found, opened.importer
    with store.connect() as conn:
        estates = tuple(known_estates(conn))
    options = Options(as_of=as_of, estate=estate, progress=progress, known_estates=estates, command=command)
    extracted = importer.extract(found, settings, options)
    try:
        return _store(store, importer, extracted, settings, options, sha)
    except AlreadyImported:  # lost a race with an identical import: report that one
        with store.connect() as conn:
            return _duplicate(path, find_import(conn, sha))


@dataclass
class CheckResult:
    """What `feedun import FILE --check` shows: how the file would be read, and nothing written."""

    file: str
    kind: str | None = None
    sheet: str | None = None
    header_row: int | None = None  # 1-based
    mapping: dict[str, str] = field(default_factory=dict)  # field -> header as written
    ignored: list[str] = field(default_factory=list)  # headers feedun does not use
    estate: str | None = None
    estate_rule: str | None = None
    as_of: str | None = None
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    first_lines: list[dict[str, object]] = field(default_factory=list)  # ledgers: as they would be stored
    rejects: list[dict[str, object]] = field(default_factory=list)  # the first few, with reasons
    warnings: list[str] = field(default_factory=list)
    error: dict[str, object] | None = None  # why it would be refused
    suggested_columns: dict[str, str] = field(default_factory=dict)  # [import.columns] lines to add

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


CHECK_ROWS = 5


def check_file(path: Path, settings: Settings, *, store: Store, as_of: date | None = None,
               encoding: str | None = None, sheet_name: str | None = None, estate: str | None = None) -> CheckResult:
    """Read and normalise a file exactly as `import_file` would, and write nothing: the sheet, the header, the
    mapping, the estate rule, the first rows as they would be stored, the counts; for a refused file, why, and
    for an unrecognised header the `[import.columns]` lines that would make it readable (best guesses)."""
    path = Path(path)
    result = CheckResult(file=str(path))
    with store.connect() as conn:
        estates = tuple(known_estates(conn))
    found = None
    try:
        sniff_kind(path)
        found = find_sheet(path, settings, encoding=encoding, sheet_name=sheet_name)
        importer = claim(found)
        result.kind, result.sheet, result.header_row = importer.kind.value, found.sheet.name, found.header_row + 1
        extracted = importer.extract(found, settings, Options(as_of=as_of, estate=estate, known_estates=estates))
    except FeedunError as exc:
        result.error = exc.to_dict()
        sheets = found.sheets if found is not None else _sheets_quietly(path, encoding)
        if sheets:
            result.suggested_columns = suggest_columns(sheets[0], settings.import_.columns)
        if found is not None:
            result.mapping = found.cmap.describe()
        return result
    cmap = found.cmap
    result.mapping = extracted.column_mapping
    result.ignored = [cmap.headers[c].strip() for c in cmap.ignored if cmap.headers[c].strip()]
    result.estate_rule, result.as_of = extracted.estate_rule, extracted.as_of.isoformat()
    result.rows_read, result.rejected = extracted.rows_read, len(extracted.rejects)
    result.skipped = {k: v for k, v in extracted.skipped.items() if v}
    result.accepted = extracted.rows_read - result.rejected - sum(result.skipped.values())
    result.rejects = [{"row": r.row, "reason": r.reason} for r in extracted.rejects[:CHECK_ROWS]]
    result.warnings = list(extracted.warnings)
    if importer.kind == ImportKind.LEDGER:
        lines = extracted.rows.lines
        estates_seen = sorted(set(lines["estate"])) if len(lines) else []
        result.estate = "、".join(estates_seen) or None
        result.first_lines = [{k: _plain(v) for k, v in row.items()} for row in lines.head(CHECK_ROWS).to_dict("records")]
    return result


def _plain(value: object) -> object:
    """A cell of a normalised line as JSON and people read it: money stays integer fen, NaN/None is None."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _sheets_quietly(path: Path, encoding: str | None) -> list:
    try:
        return open_sheets(path, encoding)
    except FeedunError:
        return []


def _store(store: Store, importer: Importer, extracted: Extracted, settings: Settings, options: Options,
           sha: str) -> ImportResult:
    """The shared path: import row, the kind's rows, rejects file, final counts; one transaction, all or nothing.

    The rejects file is written inside the transaction and removed if it fails, so a rejects file always belongs
    to a committed import, except when every row was rejected: then it stays, for the person to read why.
    """
    path = extracted.path
    record = ImportRecord(
        kind=importer.kind, file_name=path.name, sha256=sha, sheet=extracted.sheet, as_of=extracted.as_of,
        layout=extracted.layout, rows_read=extracted.rows_read, accepted=0, rejected=len(extracted.rejects),
        skipped=sum(extracted.skipped.values()), column_mapping=extracted.column_mapping, rejects_file=None)
    rejects_path: Path | None = None
    keep_rejects = False
    try:
        with import_transaction(store, sha) as tx:
            import_id = add_import(tx, record, options.now)
            applied = importer.apply(tx, extracted, settings, import_id=import_id, options=options)
            rejects = sorted([*extracted.rejects, *applied.rejects], key=lambda r: r.row)
            if rejects:
                rejects_path = _write_rejects(settings.rejects_dir, extracted, rejects, sha)
            if applied.refused is not None:
                keep_rejects = True
                raise InputFileError(applied.refused, path=path, hint=f"打开拒收文件查看每行的原因：{rejects_path}")
            skipped = _merged(extracted.skipped, applied.skipped)
            finish_import(tx, import_id, accepted=applied.accepted, rejected=len(rejects),
                          skipped=sum(skipped.values()), rejects_file=str(rejects_path) if rejects_path else None)
    except BaseException:
        if rejects_path is not None and not keep_rejects:
            rejects_path.unlink(missing_ok=True)
        raise
    return _result(importer.kind, extracted, applied, import_id, rejects, skipped, rejects_path)


def _write_rejects(folder: Path, extracted: Extracted, rejects: list[Reject], sha: str) -> Path:
    return write_rejects(folder / rejects_name(extracted.path, sha), extracted.headers, extracted.body,
                         extracted.first_row, rejects, extracted.path.name)


def _result(kind: ImportKind, extracted: Extracted, applied: Applied, import_id: int, rejects: list[Reject],
            skipped: dict[str, int], rejects_path: Path | None) -> ImportResult:
    return ImportResult(
        file=str(extracted.path), rows_read=extracted.rows_read, accepted=applied.accepted, rejected=len(rejects),
        skipped=sum(skipped.values()), rejects_file=str(rejects_path) if rejects_path else None,
        as_of=extracted.as_of.isoformat(), import_id=import_id, kind=kind, sheet=extracted.sheet,
        layout=extracted.layout, skipped_detail={k: c for k, c in skipped.items() if c},
        column_mapping=extracted.column_mapping, warnings=[*extracted.warnings, *applied.warnings],
        changes=applied.changes, estate_rule=extracted.estate_rule, **applied.details)
