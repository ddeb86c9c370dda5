"""core/background.py: work in a forked child gives the caller its value or its error, and a child that dies
is said plainly. Real processes: each test forks."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from feedun.core import background
from feedun.core.errors import FeedunError, InputFileError

pytestmark = [pytest.mark.no_store,
              pytest.mark.skipif(not background.can_fork(), reason="the second process is used on Linux only")]


def _pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def test_the_value_comes_back_from_a_second_process() -> None:
    pending = background.start(_pid_and, 21)
    assert pending.forked
    pid, value = pending.result()
    assert value == 42 and pid != os.getpid()
    assert pending.seconds >= 0 and pending.peak_mib > 0


def test_without_parallel_the_work_runs_here_when_asked_for() -> None:
    pending = background.start(_pid_and, 21, parallel=False)
    assert not pending.forked
    assert pending.result() == (os.getpid(), 42)


def _fails() -> None:
    raise InputFileError("工作表读不出来。", path="/tmp/台账.xlsx", row=7, hint="另存为 .xlsx 后重试。")


def test_an_error_in_the_child_is_raised_in_the_caller_as_it_was() -> None:
    with pytest.raises(InputFileError) as caught:
        background.start(_fails).result()
    assert caught.value.render() == InputFileError("工作表读不出来。", path="/tmp/台账.xlsx", row=7,
                                                   hint="另存为 .xlsx 后重试。").render()


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle this")


def _fails_oddly() -> None:
    raise _Unpicklable("磁盘满了")


def test_an_error_that_cannot_travel_comes_back_as_its_text() -> None:
    with pytest.raises(RuntimeError, match="_Unpicklable: 磁盘满了"):
        background.start(_fails_oddly).result()


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_child_that_dies_without_an_answer_is_an_error_with_its_exit_code() -> None:
    with pytest.raises(FeedunError, match=r"后台进程意外退出（退出码 -9）") as caught:
        background.start(_killed).result()
    assert "parallel = false" in caught.value.hint


def test_the_caller_goes_on_while_the_child_works(tmp_path) -> None:
    """The parent writes a file the child waits for: the two run at the same time (serially this would hang)."""
    flag = tmp_path / "go"

    def wait_for_flag() -> str:
        import time

        for _ in range(500):
            if flag.exists():
                return flag.read_text()
            time.sleep(0.01)
        return "timed out"

    pending = background.start(wait_for_flag)
    flag.write_text("同时进行")
    assert pending.result() == "同时进行"


def _sleeps() -> None:
    import time

    time.sleep(60)


def test_a_child_whose_result_is_not_wanted_is_stopped() -> None:
    import time

    pending = background.start(_sleeps)
    started = time.perf_counter()
    pending.stop()
    assert time.perf_counter() - started < 10  # ended, not waited for
    assert not pending._process.is_alive() and pending._process.exitcode == -signal.SIGTERM
    pending.stop()  # again: nothing


def test_no_fork_warning_for_a_process_with_arrow_threads() -> None:
    """Python 3.12+ warns on any fork of a threaded process; Arrow's pools (pandas text columns) make the run's
    process threaded. The warning is silenced for this fork (Arrow re-creates its pools in the child), so the cron
    log stays clean. (On 3.11 there is no such warning; checked by hand on 3.13.)"""
    import warnings

    import pandas as pd

    text = pd.Series(["甲", "乙"] * 50_000, dtype="str")
    assert text.groupby(text).size().sum() == 100_000  # Arrow's thread pool has started
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert background.start(_pid_and, 1).result()[1] == 2
    assert not [w for w in caught if "fork" in str(w.message)]


ORPHAN_SCRIPT = """
import os, sys, time
from pathlib import Path
from feedun.core import background

def work(folder):
    # written whole, then renamed: the parent kills itself as soon as the name exists, and its child dies with
    # it (that is the point), so a file still being written could be left empty
    Path(folder, "child.tmp").write_text(str(os.getpid()))
    os.replace(Path(folder, "child.tmp"), Path(folder, "child.pid"))
    time.sleep(120)

pending = background.start(work, sys.argv[1])
while not Path(sys.argv[1], "child.pid").exists():
    time.sleep(0.01)
os.kill(os.getpid(), 9)  # the run killed mid-batch
"""


def test_a_killed_parent_leaves_no_child_behind(tmp_path) -> None:
    """A real parent process, killed with SIGKILL while its second process works: the child ends too."""
    import subprocess
    import sys
    import time

    finished = subprocess.run([sys.executable, "-c", ORPHAN_SCRIPT, str(tmp_path)], timeout=60)
    assert finished.returncode == -signal.SIGKILL
    child = int((tmp_path / "child.pid").read_text())
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        if Path(f"/proc/{child}/stat").read_text().split()[2] == "Z":  # dead, not yet reaped by init
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the child outlived its killed parent")
