"""A workbook's sheets read in a background thread, while the rest of feedun loads or works.

calamine (under fastexcel) parses a sheet in Rust with the GIL released, so on a machine with a second core the
read can run beside Python work. `feedun import` starts one for its first file before it loads pandas,
SQLAlchemy and the store (about a second of a 200k-row import, spent beside the one-second read instead of
before it), and one for the next file while it imports the current one; `feedun run` does the latter for each
file after the first (by the time it reads the first, it has nothing left to load). `Sheet._load` (intake/read.py) takes
the sheet's batch from here instead of reading it; anything this did not read, or read from bytes that have
changed since, it reads itself as before.

Only what `Sheet._load` would read whole in one call is read ahead: an .xls, or an .xlsx/.ods package whose
parts expand to less than `sheet_chunks.MIN_SHEET_BYTES` (larger sheets are read a part at a time, and a
package that large could also be one `read.sniff_kind` refuses), and less still for a file read beside another
one's import (`read_ahead`). Anything else, including a file this cannot read, is left to the reader proper,
which says what is wrong; a failure here is never reported.

Kept light (no pandas, no pyarrow until fastexcel hands a batch over): it is imported before them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def load_batch(reader: Any, sheet: str) -> Any:
    """One sheet as an Arrow batch of text cells: the read both this module and `Sheet._load` make.

    skip_rows=0 with no header row: leading blank rows are kept (fastexcel drops them otherwise). Eager: one Arrow
    batch built from the sheet's cells as calamine reads them (1M rows: 19.7 -> 15.4 s, and less memory than the
    lazy sheet object; the same frame)."""
    return reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)


def _state(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _worth_reading(path: Path, max_bytes: int) -> bool:
    """Whether `Sheet._load` would read each sheet of this file whole with one fastexcel call, and the file is
    within `max_bytes` (an .xlsx package expanded; an .xls as it is)."""
    import zipfile

    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE):
        return path.stat().st_size < max_bytes
    if not head.startswith(_ZIP):
        return False  # a text, HTML or SpreadsheetML file: read.py parses those itself
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist()) < max_bytes


class ReadAhead:
    """Reads every sheet of the workbook at `path`, in order, in a thread started at once.

    The thread is not a daemon: the interpreter waits for it at exit, so a process never shuts down while
    calamine is still reading (a native thread running on under a finalising interpreter can abort it). A batch
    nobody took goes with the ReadAhead object.
    """

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path, self.max_bytes = Path(path), max_bytes
        self._batches: dict[str, Any] = {}
        self._finished = False
        self._state: tuple[int, int, int] | None = None  # the file as it was while read (None: not read)
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="feedun-read-ahead")
        self._thread.start()

    def wait(self) -> None:
        """Until the read has ended; a batch nobody took is dropped."""
        self._thread.join()
        with self._changed:
            self._batches.clear()

    def take(self, path: Path, sheet: str) -> Any | None:
        """The sheet's batch (once: it is handed over, not kept), waiting for it if it is being read; None if it
        was not read ahead, or was read from a file whose bytes may have changed since (size, time or inode)."""
        if Path(path) != self.path:
            return None
        with self._changed:
            self._changed.wait_for(lambda: sheet in self._batches or self._finished)
            batch = self._batches.pop(sheet, None)
        if batch is None:
            return None
        self._thread.join()  # the state is known once the thread has ended
        return batch if self._state is not None and self._state == _state(self.path) else None

    def _read(self) -> None:
        try:
            before = _state(self.path)
            if before is None or not _worth_reading(self.path, self.max_bytes):
                return
            import fastexcel

            reader = fastexcel.read_excel(str(self.path))
            for name in reader.sheet_names:
                batch = load_batch(reader, name)
                with self._changed:
                    self._batches[name] = batch
                    self._changed.notify_all()
            if _state(self.path) == before:
                self._state = before
        except BaseException:  # the reader proper reads the file again and says what is wrong
            pass  # (BaseException: a calamine panic is pyo3's PanicException; ^C goes to the main thread)
        finally:
            with self._changed:
                self._finished = True
                self._changed.notify_all()


def _cores() -> int:
    """The cores this process may run on (a container's or `taskset`'s limit; the machine's where that is unknown,
    as on Windows and macOS)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def read_ahead(path: Path | None, *, alone: bool) -> ReadAhead | None:
    """A ReadAhead of `path`, or None where it cannot help: no path, or a process allowed only one core (the read
    would take turns with the work it was meant to run beside).

    `alone`: nothing else of size is in memory while it is read (a command's first file), so any file read whole
    is read ahead. Otherwise (the next file, read while this one's lines are normalised and written) only a
    package expanding to less than `sheet_chunks.CHUNK_BYTES` (~120k rows): at most about what one part of a
    large sheet holds while calamine reads it comes on top of the import under way.
    """
    from feedun.intake.sheet_chunks import CHUNK_BYTES, MIN_SHEET_BYTES

    if path is None or _cores() < 2:
        return None
    return ReadAhead(path, MIN_SHEET_BYTES if alone else CHUNK_BYTES)
