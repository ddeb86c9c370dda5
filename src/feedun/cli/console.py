"""The only module that imports rich: consoles, tables and progress bars.

Data goes to stdout; messages and progress go to stderr. Colour only on a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

_no_color = bool(os.environ.get("NO_COLOR"))
out = Console(no_color=_no_color, highlight=False, soft_wrap=True)
if not out.is_terminal and not os.environ.get("COLUMNS"):
    out.width = 160  # logs and pipes: wide enough that tables are not cut
err = Console(stderr=True, no_color=_no_color, highlight=False, soft_wrap=True)  # paths stay whole in logs


def print_json(text: str) -> None:
    """Machine-readable output: exactly the text, no markup, no wrapping."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def table(title: str | None, columns: list[tuple[str, str]], rows: list[list[str]]) -> Table:
    """A plain table; columns are (header, justify)."""
    t = Table(title=title, title_justify="left", show_lines=False)
    for header, justify in columns:
        t.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        t.add_row(*row)
    return t


class StageProgress:
    """A few named stages of one long job, shown on stderr only when it is a terminal."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task: TaskID | None = None

    def stage(self, description: str, total: int | None = None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(description, total=total)

    def advance(self, amount: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, amount)


@contextmanager
def progress(enabled: bool = True) -> Iterator[StageProgress]:
    """Progress on stderr; silent when stderr is not a terminal (cron logs stay clean)."""
    if not (enabled and err.is_terminal):
        yield StageProgress(None)
        return
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   console=err, transient=True)
    with bar:
        yield StageProgress(bar)
