"""Benchmark `feedun import` against a plain pandas + openpyxl read, and the raw fastexcel read, of one ledger.

    .venv/bin/python benchmarks/make_ledger.py && .venv/bin/python benchmarks/bench_import.py
    .venv/bin/python benchmarks/bench_import.py --rows 50000 --repeat 3
    .venv/bin/python benchmarks/bench_import.py --file some-ledger.xlsx --json

Three subprocesses run on the same file, one after the other, each timed and measured on its own:

* baseline: `pandas.read_excel(path, engine="openpyxl", header=None)`, the plain read alone. Its seconds are
  the read_excel call as timed inside the child (interpreter start and `import pandas` excluded);
* raw read: only the read feedun's reader (src/feedun/intake/read.py) starts from,
  `fastexcel.read_excel(path).load_sheet(0, header_row=None, skip_rows=0, dtypes="string", eager=True)` handed to
  pandas by read.py's own `_to_pandas` (importing it also gives the child feedun's Arrow memory pool), timed
  inside the child the same way (interpreter start and imports excluded): the floor any import stands on;
* feedun: the whole CLI, `feedun import PATH --json --db sqlite:///<fresh temp dir>/feedun.db`, from process
  start to exit (interpreter start, imports, reading, normalising, rejects, SQLite transaction included).

Peak memory is each child's own ru_maxrss, taken from os.wait4() for that pid, so the two never mix.
CPU seconds (user + system) are reported too: on a shared machine they move less than wall time.
Targets (issue 18): baseline_seconds / feedun_seconds >= 5, feedun_seconds / raw_read_seconds <= 2.5 (wall time,
best of --repeat), and feedun peak RSS < 1 GiB. CPU-second ratios are printed beside them: on a shared machine
they move less than wall time.
Exit status 0 when both pass, 1 when a target is missed or the import misbehaves, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_ledger

TARGET_RATIO = 5.0
TARGET_RAW_RATIO = 2.5  # feedun import at most this many times the raw fastexcel read
TARGET_PEAK_MIB = 1024.0

BASELINE_CODE = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
t1, c1 = time.perf_counter(), time.process_time()
frame = pd.read_excel(sys.argv[1], engine="openpyxl", header=None)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import_seconds": t1 - t0, "read_seconds": t2 - t1, "read_cpu_seconds": c2 - c1,
                  "shape": list(frame.shape)}))
"""

RAW_CODE = """
import json, sys, time
import fastexcel, pandas, pyarrow
from feedun.intake.read import _to_pandas  # as read.py hands the batch over (and feedun's Arrow memory pool)
t1, c1 = time.perf_counter(), time.process_time()
batch = fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=None, skip_rows=0, dtypes="string", eager=True)
frame = _to_pandas(batch)
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"read_seconds": t2 - t1, "read_cpu_seconds": c2 - c1, "shape": list(frame.shape)}))
"""

Log = Callable[..., None]


@dataclass
class Run:
    wall_seconds: float
    cpu_seconds: float  # user + system
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str
    tree_peak_mib: float = 0.0  # the most the process and its children held together (sum of PSS, sampled)


@dataclass
class Figures:
    name: str
    seconds: list[float] = field(default_factory=list)  # the figure compared, one per repetition
    cpu_seconds: list[float] = field(default_factory=list)  # user + system CPU of the same span
    wall_seconds: list[float] = field(default_factory=list)  # whole subprocess, one per repetition
    peak_mib: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.seconds)

    def summary(self) -> dict:
        return {
            **asdict(self), "best_seconds": self.best, "median_seconds": statistics.median(self.seconds),
            "best_cpu_seconds": min(self.cpu_seconds), "max_peak_mib": max(self.peak_mib),
        }


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run cmd to completion: wall time, CPU time and peak RSS of that one child (and what it waited for), and the
    peak of the memory it and its own children held together (feedun run forks a second process)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = TreeMemory(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        tree_peak = sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            wall_seconds=wall, cpu_seconds=usage.ru_utime + usage.ru_stime,  # the child's children included
            peak_mib=usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux; one process's, never a sum
            returncode=proc.returncode, stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"), tree_peak_mib=max(tree_peak, usage.ru_maxrss / 1024),
        )


class TreeMemory:
    """Samples, every 0.5 s in a thread, the proportional set size (PSS: a page two processes share counts
    half in each) of a process and its descendants, summed: what they hold together. ru_maxrss cannot say it: it is
    one process's figure, and a forked child's RSS counts every page it shares with its parent."""

    def __init__(self, pid: int) -> None:
        import threading

        self.pid, self.peak_kib = pid, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak_kib / 1024

    def _sample(self) -> None:
        while not self._done.wait(0.5):
            total = sum(_pss_kib(pid) for pid in _tree(self.pid))
            self.peak_kib = max(self.peak_kib, total)


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass  # gone meanwhile
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDUN_")}
    env["NO_COLOR"] = "1"
    return env


def fail(message: str, run: Run | None = None) -> None:
    print(f"error: {message}", file=sys.stderr)
    if run is not None:
        print(f"--- exit code {run.returncode}; stderr:\n{run.stderr[-4000:]}", file=sys.stderr)
        print(f"--- stdout:\n{run.stdout[-2000:]}", file=sys.stderr)
    sys.exit(1)


def run_baseline(path: Path, figures: Figures, log: Log) -> dict:
    with tempfile.TemporaryDirectory(prefix="feedun-bench-") as tmp:
        run = run_measured([sys.executable, "-c", BASELINE_CODE, str(path)], Path(tmp), child_env())
    if run.returncode != 0:
        fail("the pandas baseline failed", run)
    info = json.loads(run.stdout.strip().splitlines()[-1])
    figures.seconds.append(info["read_seconds"])
    figures.cpu_seconds.append(info["read_cpu_seconds"])
    figures.wall_seconds.append(run.wall_seconds)
    figures.peak_mib.append(run.peak_mib)
    log(f"  baseline: read_excel {info['read_seconds']:.1f} s, cpu {info['read_cpu_seconds']:.1f} s "
        f"(whole process {run.wall_seconds:.1f} s), peak {run.peak_mib:.0f} MiB, shape {info['shape']}")
    return info


def run_raw(path: Path, figures: Figures, log: Log) -> dict:
    with tempfile.TemporaryDirectory(prefix="feedun-bench-") as tmp:
        run = run_measured([sys.executable, "-c", RAW_CODE, str(path)], Path(tmp), child_env())
    if run.returncode != 0:
        fail("the raw fastexcel read failed", run)
    info = json.loads(run.stdout.strip().splitlines()[-1])
    figures.seconds.append(info["read_seconds"])
    figures.cpu_seconds.append(info["read_cpu_seconds"])
    figures.wall_seconds.append(run.wall_seconds)
    figures.peak_mib.append(run.peak_mib)
    log(f"  raw read: fastexcel {info['read_seconds']:.1f} s, cpu {info['read_cpu_seconds']:.1f} s "
        f"(whole process {run.wall_seconds:.1f} s), peak {run.peak_mib:.0f} MiB, shape {info['shape']}")
    return info


def run_feedun(path: Path, feedun: Path, figures: Figures, log: Log) -> dict:
    with tempfile.TemporaryDirectory(prefix="feedun-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'feedun.db'}"
        run = run_measured([str(feedun), "import", str(path), "--json", "--db", db], Path(tmp), child_env())
    if run.returncode != 0:
        fail("feedun import failed", run)
    try:
        result = json.loads(run.stdout)
    except json.JSONDecodeError:
        fail("feedun import --json did not print JSON", run)
    counted = result["accepted"] + result["rejected"] + result["skipped"]
    if result["rows_read"] != counted:
        fail(f"rows_read {result['rows_read']} != accepted + rejected + skipped ({counted})", run)
    if result["accepted"] <= 0:
        fail("feedun accepted no rows", run)
    if result.get("duplicate"):
        fail("feedun reported a duplicate import into a fresh database", run)
    figures.seconds.append(run.wall_seconds)
    figures.cpu_seconds.append(run.cpu_seconds)
    figures.wall_seconds.append(run.wall_seconds)
    figures.peak_mib.append(run.peak_mib)
    log(f"  feedun:   {run.wall_seconds:.1f} s, cpu {run.cpu_seconds:.1f} s, peak {run.peak_mib:.0f} MiB, "
        f"rows_read {result['rows_read']:,} = accepted {result['accepted']:,} + rejected {result['rejected']:,}"
        f" + skipped {result['skipped']:,}")
    return result


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def project_commit() -> str | None:
    """The feedun checkout measured: HEAD, with '+dirty' when src/ has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def machine() -> dict:
    mem_kib = 0
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("feedun", "pandas", "openpyxl", "fastexcel", "numpy", "SQLAlchemy"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": cpu, "memory_gib": round(mem_kib / 2**20, 1), "python": platform.python_version(),
        "platform": platform.platform(), "versions": versions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=make_ledger.DEFAULT_ROWS,
                        help="rows of the generated ledger when --file is not given (default %(default)s); "
                             "it is generated with make_ledger.py if missing")
    parser.add_argument("--file", type=Path, default=None, help="benchmark this ledger file instead")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each side (default %(default)s); the best times are compared")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.rows < 1:
        parser.error("--rows must be at least 1")

    def log(*parts: object) -> None:  # progress goes to stderr under --json, so stdout stays pure JSON
        print(*parts, file=sys.stderr if args.json else sys.stdout, flush=True)

    if args.file is not None:
        path = args.file.resolve()
        if not path.is_file():
            parser.error(f"--file {args.file}: no such file")
    else:
        path = make_ledger.ensure_ledger(args.rows, log=lambda *a, **k: print(*a, file=sys.stderr)).resolve()
    feedun = Path(sys.executable).parent / "feedun"
    if not feedun.exists():
        parser.error(f"no feedun executable next to {sys.executable}; install feedun into this environment")

    path.read_bytes()  # warm the page cache so neither side pays for the first disk read
    baseline = Figures("pandas.read_excel(engine='openpyxl', header=None)")
    raw = Figures("raw fastexcel read (load_sheet + read._to_pandas)")
    feedun_fig = Figures("feedun import --json (whole CLI process)")
    baseline_info: dict = {}
    import_result: dict = {}
    loads = [load_average()]
    commit = project_commit()
    log(f"file: {path} ({path.stat().st_size / 2**20:.1f} MiB); {args.repeat} run(s) each")
    for i in range(args.repeat):
        log(f"run {i + 1}/{args.repeat}")
        baseline_info = run_baseline(path, baseline, log)
        run_raw(path, raw, log)
        import_result = run_feedun(path, feedun, feedun_fig, log)
        loads.append(load_average())

    if project_commit() != commit:
        log(f"warning: the feedun checkout changed during the runs (was {commit}, now {project_commit()})")
        commit = f"{commit} -> {project_commit()}"
    ratio = baseline.best / feedun_fig.best
    cpu_ratio = min(baseline.cpu_seconds) / min(feedun_fig.cpu_seconds)
    raw_ratio = feedun_fig.best / raw.best
    raw_cpu_ratio = min(feedun_fig.cpu_seconds) / min(raw.cpu_seconds)
    peak = max(feedun_fig.peak_mib)
    ratio_ok = ratio >= TARGET_RATIO
    raw_ok = raw_ratio <= TARGET_RAW_RATIO
    memory_ok = peak < TARGET_PEAK_MIB
    counts = ("rows_read", "accepted", "rejected", "skipped", "lines")
    report = {
        "file": str(path), "file_mib": round(path.stat().st_size / 2**20, 2), "repeat": args.repeat,
        "baseline": {**baseline.summary(), "shape": baseline_info["shape"]},
        "raw_read": raw.summary(),
        "feedun": {**feedun_fig.summary(), **{k: import_result.get(k) for k in counts}},
        "ratio": ratio, "cpu_ratio": cpu_ratio, "raw_ratio": raw_ratio, "raw_cpu_ratio": raw_cpu_ratio,
        "targets": {"ratio_min": TARGET_RATIO, "raw_ratio_max": TARGET_RAW_RATIO,
                    "feedun_peak_mib_max": TARGET_PEAK_MIB},
        "pass": {"ratio": ratio_ok, "raw_ratio": raw_ok, "memory": memory_ok},
        "machine": machine(), "load_average_1min": loads, "feedun_commit": commit,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        m = report["machine"]
        width = max(len(baseline.name), len(raw.name), len(feedun_fig.name))
        print()
        print(f"machine: {m['nproc']} CPU ({m['cpu']}), {m['memory_gib']} GiB RAM, Python {m['python']}")
        print(f"feedun {report['feedun_commit']}; 1-min load average during the runs: "
              + ", ".join("?" if x is None else f"{x:.1f}" for x in loads))
        print(f"{'':{width}}  {'seconds':>9}  {'cpu s':>9}  {'peak MiB':>9}")
        for fig in (baseline, raw, feedun_fig):
            print(f"{fig.name:{width}}  {fig.best:9.2f}  {min(fig.cpu_seconds):9.2f}  {max(fig.peak_mib):9.0f}")
        print(f"ratio baseline/feedun: {ratio:.1f}x (target >= {TARGET_RATIO:g})  {'PASS' if ratio_ok else 'FAIL'}"
              f"   (by CPU time: {cpu_ratio:.1f}x, for information)")
        print(f"ratio feedun/raw fastexcel read: {raw_ratio:.2f}x (target <= {TARGET_RAW_RATIO:g})  "
              f"{'PASS' if raw_ok else 'FAIL'}   (by CPU time: {raw_cpu_ratio:.2f}x, for information)")
        print(f"feedun peak memory: {peak:.0f} MiB (target < {TARGET_PEAK_MIB:.0f} MiB)  "
              f"{'PASS' if memory_ok else 'FAIL'}")
    return 0 if ratio_ok and raw_ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
