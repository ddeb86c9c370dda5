"""One piece of a run's work in a second process while the run goes on (issue 18: the second core).

The daily run writes its outputs from one set of decisions; the call lists (a workbook per collector, about
10 s at 100k rooms) need nothing the other outputs write, so they are written by a forked child while the parent
writes the SMS file, the letters and the report.

Design, and why it is safe:
- fork, not spawn: the child starts with the parent's memory (the decisions, the settings) as it is, so nothing
  is pickled on the way in and no module is imported again. Only the result (a small dataclass) or the error
  goes back, pickled, through a pipe.
- The child must not touch what it shares with the parent: the caller reads from the store *before* starting
  the work (a database connection carried across fork is not safe with SQLite or PostgreSQL) and the work only
  writes its own files.
- The parent has threads by then: Arrow's thread pools (pandas' text columns are Arrow). Arrow re-creates its pools
  in a forked child (at-fork handlers, apache/arrow#14594, pyarrow >= 11; we require 15) and glibc's malloc is
  fork-safe; the child runs only this one work. Python 3.12 warns about any fork of a threaded process; that
  warning is silenced for this one fork, for that reason.
- `gc.freeze()` around the fork: the child's garbage collector then never walks (and so never copies) the
  parent's objects; the pages both share stay shared.
- The child dies with its parent (Linux's PR_SET_PDEATHSIG): a run killed by cron or by hand leaves no orphan
  writing into a folder the next run removes (the run lock, an fcntl lock, is not the child's and frees at once).
  The kernel watches the thread that forked, so `start` is called from the thread that lives as long as the run
  (the run's main thread).
- The child ends with `os._exit` (multiprocessing's own fork start does so): no atexit handler, lock release or
  buffered output of the parent runs twice.
- A child that dies without an answer (killed, out of memory) is an error in the parent, with its exit code; an
  exception in the child is raised again in the parent, a FeedunError with its Chinese message and hint intact.
- Where fork is not the platform's way (Windows, macOS) or `parallel` is off, the work runs in the caller's
  process when its result is asked for: the same result, one core.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import resource
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from feedun.core.errors import FeedunError

T = TypeVar("T")


def can_fork() -> bool:
    """fork is safe to use for this work only on Linux (macOS's system libraries are not fork-safe)."""
    return sys.platform == "linux"


class Pending(Generic[T]):
    """Work started by `start`; `result()` waits for it and returns its value (or raises its error)."""

    def __init__(self, work: Callable[..., T], args: tuple, kwargs: dict[str, Any], parallel: bool) -> None:
        self._work, self._args, self._kwargs = work, args, kwargs
        self._process = None
        self.seconds = 0.0  # how long the work itself took, wherever it ran
        self.peak_mib = 0  # the peak RSS of the process it ran in (a forked child's counts what it shares)
        if parallel and can_fork():
            context = multiprocessing.get_context("fork")
            self._receive, send = context.Pipe(duplex=False)
            self._process = context.Process(target=_child, args=(work, args, kwargs, send, os.getpid()), daemon=True)
            gc.freeze()
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message=r".*multi-threaded.*fork", category=DeprecationWarning)
                    self._process.start()
            finally:
                gc.unfreeze()
            send.close()  # the child's end: once the child exits, reading here ends instead of waiting forever

    @property
    def forked(self) -> bool:
        """Whether the work runs in a second process."""
        return self._process is not None

    def result(self) -> T:
        if self._process is None:
            ok, value, self.seconds, self.peak_mib = _answer(self._work, self._args, self._kwargs)
            if not ok:
                raise value
            return value
        try:
            try:
                ok, value, self.seconds, self.peak_mib = self._receive.recv()
            except EOFError:
                self._process.join()
                raise FeedunError(f"后台进程意外退出（退出码 {self._process.exitcode}），这部分输出没有生成。",
                                  hint="查看内存是否不足（系统日志中的 OOM 记录），然后重新运行；"
                                       "问题持续时在 feedun.toml 的 [run] 中设 parallel = false。") from None
        finally:
            self._receive.close()
        self._process.join()
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """End a child whose result will not be asked for (the caller failed meanwhile); nothing if it has ended."""
        if self._process is None:
            return
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def start(work: Callable[..., T], *args: Any, parallel: bool = True, **kwargs: Any) -> Pending[T]:
    """Start `work(*args, **kwargs)` in a forked child (see the module's docstring); `.result()` for its value."""
    return Pending(work, args, kwargs, parallel)


def _peak_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # KiB on Linux


def _die_with(parent: int) -> None:
    """Have the kernel send this process SIGKILL when its parent ends (prctl PR_SET_PDEATHSIG; Linux only), and end
    now if the parent is already gone (it may have died before the request was made)."""
    import ctypes
    import signal

    # A C library without prctl: the child then only outlives a killed parent.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _answer(work: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> tuple[bool, Any, float, int]:
    """(succeeded, the value or the error, seconds, peak MiB of this process): the work's outcome, wherever it ran."""
    started = time.perf_counter()
    try:
        value = work(*args, **kwargs)
        return True, value, time.perf_counter() - started, _peak_mib()
    except BaseException as exc:  # every failure goes back to the caller, which raises it
        return False, exc, time.perf_counter() - started, _peak_mib()


def _child(work: Callable[..., Any], args: tuple, kwargs: dict[str, Any], send, parent: int) -> None:
    _die_with(parent)
    answer = _answer(work, args, kwargs)
    try:
        send.send(answer)
    except Exception as exc:  # an error that does not pickle: its text, not its type
        send.send((False, RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})"), *answer[2:]))
    send.close()
