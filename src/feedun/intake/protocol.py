"""What every importer is (in the spirit of beangulp's Importer): it says whether a sheet is its kind, extracts
rows from it without touching the store, and applies them inside the transaction it is given.

The shared path in intake/importer.py does the rest for every kind alike: finds the sheet and its header, asks
each importer to identify it (exactly one must), writes the rejects file, records the import and commits, all in
one transaction per file (docs/design.md, "Importers"). Importers never import intake/importer.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from feedun.config import Settings
from feedun.core.vocab import ImportKind
from feedun.intake.headers import ColumnMap
from feedun.intake.normalize import Reject
from feedun.intake.read import Sheet

# A store transaction (`Store.write()`), handed unopened to store query functions and to memory/ functions that
# take a connection. Typed loosely on purpose: nothing above store/ may name SQLAlchemy's types.
Transaction = Any


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
    kind: str = ImportKind.LEDGER
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
    estate_rule: str | None = None  # ledgers: column, option, title, config or store (docs/design.md, "Importers")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FoundSheet:
    """The sheet of a file that will be imported and its header: all that `identify` may look at."""

    path: Path
    sheets: list[Sheet]
    sheet: Sheet
    header_row: int  # 0-based
    cmap: ColumnMap
    other_sheets: list[str]  # other sheets with a recognisable header

    @property
    def headers(self) -> list[str]:
        return self.cmap.headers


@dataclass
class Options:
    """What the person running `feedun import` said, and the moment the import runs."""

    as_of: date | None = None
    estate: str | None = None
    known_estates: tuple[str, ...] = ()  # estates the store already has ledgers of (the last estate rule)
    command: str = "import"  # which command imports: `feedun run` has no --estate to suggest
    now: datetime = field(default_factory=datetime.now)
    progress: Any = None  # cli.console.progress bar, or None


@dataclass
class Extracted:
    """One file's rows as read, before the store is touched: the kind's own rows plus rejects and skip counts.

    `headers`, `body` and `first_row` are what the rejects file copies rows from.
    """

    path: Path
    sheet: str
    as_of: date
    rows: Any  # the kind's rows: ledger lines (a frame), ProfileRows, CallRows, RegisterRows
    rows_read: int
    headers: list[str]
    body: pd.DataFrame
    first_row: int  # 1-based sheet row of body's first row
    rejects: list[Reject] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    column_mapping: dict[str, str] = field(default_factory=dict)
    layout: str | None = None
    warnings: list[str] = field(default_factory=list)
    estate_rule: str | None = None  # ledgers: which rule named the estate (intake/ledger.py, ESTATE_RULES)


@dataclass
class Applied:
    """What applying the rows did: rows taken, rows the store refused, rows already there, and for people."""

    accepted: int
    rejects: list[Reject] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # further ImportResult fields (estates, payments, ...)
    refused: str | None = None  # nothing may be imported: this message, and the whole transaction rolls back


class Importer(Protocol):
    """One kind of file feedun reads."""

    kind: ImportKind

    def identify(self, found: FoundSheet) -> bool:
        """Whether the sheet is this importer's kind, from its header alone."""
        ...

    def extract(self, found: FoundSheet, settings: Settings, options: Options) -> Extracted:
        """Read and check every row; InputFileError for a sheet that cannot be imported at all. No store."""
        ...

    def apply(self, tx: Transaction, extracted: Extracted, settings: Settings, *, import_id: int,
              options: Options) -> Applied:
        """Write this kind's rows inside the given transaction (the import row `import_id` already exists)."""
        ...


def rejects_name(path: Path, sha256: str) -> str:
    """The rejects workbook's file name: the source's stem and the start of its hash, so re-imports overwrite it."""
    return f"{path.stem}-拒收行-{sha256[:8]}.xlsx"
