"""A workbook's sheets read in a background thread, while the rest of feedun loads or works.

calamine (under fastexcel) parses a sheet in Rust with the GIL released, so on a machine with a second core the
read can run beside Python work. `feedun import` starts one for its first file before it loads pandas,
SQLAlchemy and the store (about a second of a 200k-row import, spent beside the one-second read instead of
before it), and one for the next file while it imports the current one; `feedun run` does the latter for each
file after the first (by the time it reads the first, it has nothing left to load). `open_file` uses the read
only when the file it hashed is the file this read (`ReadAhead.same_bytes`); `Sheet._load` (intake/read.py) then
takes the sheet's batch from here instead of reading it, and reads anything else itself as before.

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
import zipfile
from pathlib import Path
from typing import Any

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .xlsm, .ods: a zip package
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an encrypted .xlsx: an OLE container


def expanded_bytes(archive: zipfile.ZipFile) -> int:
    """What a package's parts take once inflated, from its central directory alone (nothing is inflated)."""
    return sum(info.file_size for info in archive.infolist())


def load_batch(reader: Any, sheet: str) -> Any:
    """One sheet as an Arrow batch of text cells: the read both this module and `Sheet._load` make.

    skip_rows=0 with no header row: leading blank rows are kept (fastexcel drops them otherwise). Eager: one Arrow
    batch built from the sheet's cells as calamine reads them (1M rows: 19.7 -> 15.4 s, and less memory than the
    lazy sheet object; the same frame)."""
    return reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string", eager=True)


def _wanted(path: Path, max_bytes: int) -> bytes | None:
    """The file's bytes if `Sheet._load` would read each of its sheets whole with one fastexcel call and the file
    is within `max_bytes` (an .xlsx package expanded; an .xls as it is); else None, without reading it all."""
    import io

    if path.stat().st_size >= max_bytes:  # a package is never smaller than its zip
        return None
    with path.open("rb") as fh:
        head = fh.read(8)
    if not head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return None  # a text, HTML or SpreadsheetML file: read.py parses those itself
    data = path.read_bytes()
    if data.startswith(ZIP_MAGIC):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if expanded_bytes(archive) >= max_bytes:
                return None
    return data


class ReadAhead:
    """Reads the file at `path` once into memory, takes its sha256, then reads every sheet of those bytes in order,
    in a thread started at once.

    The digest ties the read to the import: `open_file` hands this to the reader only when the file it hashed has
    the same digest (`same_bytes`), so the rows imported are those of the bytes the import row names, even if the
    file was replaced meanwhile. The thread is not a daemon: the interpreter waits for it at exit, so a process
    never shuts down while calamine is still reading (a native thread running on under a finalising interpreter can
    abort it). `discard` drops what nobody took and stops the read after the sheet in hand.
    """

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path, self.max_bytes = Path(path), max_bytes
        self.sha256: str | None = None  # of the bytes read; None until hashed, or if the file is not read ahead
        self._hashed = threading.Event()
        self._batches: dict[str, Any] = {}
        self._finished = self._discarded = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="feedun-read-ahead")
        self._thread.start()

    def same_bytes(self, sha256: str) -> bool:
        """Whether this reads the bytes with this digest (waiting until it has taken its own)."""
        self._hashed.wait()
        return self.sha256 == sha256

    def discard(self) -> None:
        """Drop every batch nobody took; a read still going stops after its current sheet."""
        with self._changed:
            self._discarded = True
            self._batches.clear()

    def wait(self) -> None:
        """Until the thread has ended."""
        self._thread.join()

    def take(self, path: Path, sheet: str) -> Any | None:
        """The sheet's batch (once: it is handed over, not kept), waiting for it if it is being read; None if it
        was not read ahead."""
        if Path(path) != self.path:
            return None
        with self._changed:
            self._changed.wait_for(lambda: sheet in self._batches or self._finished)
            return self._batches.pop(sheet, None)

    def _read(self) -> None:
        try:
            data = _wanted(self.path, self.max_bytes)
            if data is None:
                return
            import hashlib

            self.sha256 = hashlib.sha256(data).hexdigest()
            self._hashed.set()
            import fastexcel

            reader = fastexcel.read_excel(data)
            for name in reader.sheet_names:
                if self._discarded:
                    return
                batch = load_batch(reader, name)
                with self._changed:
                    if not self._discarded:
                        self._batches[name] = batch
                    self._changed.notify_all()
        except BaseException:  # the reader proper reads the file again and says what is wrong
            pass  # (BaseException: a calamine panic is pyo3's PanicException; ^C goes to the main thread)
        finally:
            self._hashed.set()
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
