"""Benchmark `feedun run` for a realistic company at 10k / 30k / 100k rooms, two months, through the CLI only.

    .venv/bin/python benchmarks/bench_run.py                                  # 10k, 30k and 100k rooms
    .venv/bin/python benchmarks/bench_run.py --sizes 10000                    # a quick run
    .venv/bin/python benchmarks/bench_run.py --sizes 10000,30000 --json > figures.json
    .venv/bin/python benchmarks/bench_run.py --feedun /tmp/old/.venv/bin/feedun --workdir /tmp/bench-run

The company (benchmarks/make_company.py, deterministic, cached in benchmarks/data/company-<size>-s<seed>-g<v>/):
estates of 2,500 rooms; 12 monthly 物业服务费 lines per room in each month's .xlsx ledger (1.2M lines at 100k
rooms, there in two files of whole estates, as no sheet holds more than Excel's 1,048,576 rows; month 2 adds the
2025-12 line of each room still owing it); a third of the rooms owing; phones per room
(8% two mobiles, 1% a landline only, 2% blank); a collector per ~600 rooms, assigned by building in [collectors];
a filled call list with the debtors' contacts of 2026-06..2026-11. In month 2, 30% of the debtors have paid
everything, 10% their older half, and 3% of the other rooms did not pay December.

Per size, in a workspace fresh from `feedun init` (its [collectors] filled), each step a subprocess:

* month 1: the December ledger file(s) (as of 2026-12-01) and the call list placed in the workspace inbox, then
  `feedun run --as-of 2026-12-07 --json` (December's SMS node day, as `feedun nodes --month 2026-12` lists it:
  the 5th is a Saturday): imports the inbox, classifies, writes call lists, SMS, letters, the report;
* month 2: the January ledger (as of 2027-01-01) placed in the inbox, `feedun run --as-of 2027-01-05 --json`;
* baseline, before each run: the raw fastexcel read of that month's ledger files (one process, one after the
  other), as src/feedun/intake/read.py does it
  (`fastexcel.read_excel(path).load_sheet(name, header_row=None, skip_rows=0, dtypes="string", eager=True)`, handed to
  pandas by read.py's own `_to_pandas`, under feedun's Arrow memory pool),
  in a subprocess measured the same way as the run (whole process: interpreter start, imports, the read);
* after month 2: `feedun explain ROOM --estate E --as-of 2027-01-05` (the run's day: explain reads the stored
  decision) and `feedun history ROOM --estate E` for one chronic debtor, each 3 times (the median is checked);
  `feedun explain` of the next day (no stored run: the room is decided again) is measured and reported too.

Seconds are whole processes, start to exit. CPU seconds (user + system) are each child's own, from os.wait4()
for that pid (its own children's included). Peak memory is the most the child and its children held together:
their PSS summed, sampled every 0.5 s, or the child's ru_maxrss if that is higher (feedun run writes the call
lists in a forked second process, whose RSS alone would count every page it shares with its parent). Seconds per phase come from the run's JSON ("phases"). Data is
generated in a child process, so this process stays small; FEEDUN_* variables are removed from the children's
environment. This script uses only the CLI and its JSON: it never imports feedun.

Checks (every size and month): the run exits 0, fails no file, accepts every ledger line and rejects none, accepts
every contact, decides exactly the rooms with arrears (tactics + held), writes call lists, SMS and a report, reports
all phases. Targets (issue 18), at 100,000 rooms, both months: run < 60 s, peak < 1.5 GiB, run <= 8x the raw
fastexcel read, call_lists phase < 15 s, explain and history < 1 s; growth from the smallest to the largest size
at most 1.1x the ratio of rooms (11x for 10k -> 100k). A target whose size was not run is SKIP. Exit status 0 when
every check and every evaluated target passed, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_company as mc
from bench_import import Run, child_env, load_average, machine, run_measured

DEFAULT_SIZES = (10_000, 30_000, 100_000)
TARGET_ROOMS = 100_000
TARGET_RUN_SECONDS = 60.0
TARGET_PEAK_MIB = 1536.0
TARGET_RAW_RATIO = 8.0
TARGET_GROWTH_SLACK = 1.1  # time grows at most 1.1x as fast as rooms (11x for 10x the rooms)
TARGET_CALL_LISTS_SECONDS = 15.0
TARGET_LOOKUP_SECONDS = 1.0
PHASES = ("import", "classify", "call_lists", "visits", "sms", "letters", "report")
LOOKUP_REPEAT = 3

RAW_READ_CODE = """
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
import fastexcel
import pandas
from feedun.intake.read import _to_pandas  # as read.py hands the batch over (and feedun's Arrow memory pool)
t1, c1 = time.perf_counter(), time.process_time()
shapes = []
for path in sys.argv[1:]:  # a month's ledger files one after the other, one sheet in memory at a time
    reader = fastexcel.read_excel(path)
    frame = _to_pandas(reader.load_sheet(reader.sheet_names[0], header_row=None, skip_rows=0, dtypes="string",
                                         eager=True))
    shapes.append(list(frame.shape))
    del frame, reader
t2, c2 = time.perf_counter(), time.process_time()
print(json.dumps({"import_seconds": t1 - t0, "read_seconds": t2 - t1, "read_cpu_seconds": c2 - c1,
                  "shapes": shapes}))
"""


def label(rooms: int) -> str:
    return mc.size_label(rooms)


def add_collectors(config: Path, collectors: dict[str, str]) -> None:
    """Fill [collectors] in the feedun.toml that `feedun init` wrote (a second [collectors] table would be invalid)."""
    lines = "".join(f'"{k}" = "{v}"\n' for k, v in collectors.items())
    text = config.read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^\[collectors\][ \t]*\n", lambda m: m.group(0) + lines, text, count=1)
    if not found:
        text += "\n[collectors]\n" + lines
    config.write_text(text, encoding="utf-8")


def inbox_of(config: Path) -> Path:
    """The inbox folder named in feedun.toml's [run] (`inbox = "inbox"` as `feedun init` writes it)."""
    m = re.search(r'(?m)^inbox\s*=\s*"([^"]+)"', config.read_text(encoding="utf-8"))
    folder = Path(m[1] if m else "inbox")
    return folder if folder.is_absolute() else config.parent / folder


def feedun_info(feedun: Path) -> dict:
    """Where the measured feedun lives (its source folder and git commit) and its environment's versions."""
    code = ("import json, feedun\nfrom importlib import metadata\nv = {}\n"
            "for d in ('feedun', 'pandas', 'numpy', 'SQLAlchemy', 'openpyxl', 'fastexcel', 'docxtpl', 'Jinja2'):\n"
            "    try: v[d] = metadata.version(d)\n    except metadata.PackageNotFoundError: v[d] = None\n"
            "print(json.dumps({'file': feedun.__file__, 'versions': v}))")
    info: dict = {"executable": str(feedun), "python": None, "source": None, "commit": None, "versions": {}}
    python = feedun.parent / "python"
    if not python.exists():
        return info
    info["python"] = str(python)
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=child_env())
    if done.returncode != 0:
        return info
    found = json.loads(done.stdout)
    info["versions"] = found["versions"]
    package = Path(found["file"]).resolve().parent
    info["source"] = str(package)
    try:
        root = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=package, capture_output=True, text=True,
                              check=True).stdout.strip()
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
        info["commit"] = head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def figures(run: Run) -> dict:
    # peak_mib: what the process and its children held together (feedun run writes the call lists in a forked
    # child); process_peak_mib: the main process's own ru_maxrss
    return {"seconds": round(run.wall_seconds, 2), "cpu_seconds": round(run.cpu_seconds, 2),
            "peak_mib": round(max(run.tree_peak_mib, run.peak_mib)), "process_peak_mib": round(run.peak_mib)}


def ensure_data(root: Path, rooms: int, seed: int, force: bool, log) -> tuple[Path, dict]:
    """The company's files (generated by make_company.py in a child process unless cached) and its summary."""
    folder = root / f"company-{label(rooms)}-s{seed}-g{mc.GENERATOR_VERSION}"
    summary = None if force else mc.load_summary(folder, rooms, seed)
    if summary is not None:
        log(f"data: {folder} (cached)")
        return folder, summary
    log(f"generating {rooms:,} rooms into {folder} ...")
    cmd = [sys.executable, str(Path(mc.__file__).resolve()), "--rooms", str(rooms), "--seed", str(seed),
           "--out", str(folder)] + (["--force"] if force else [])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        sys.exit(f"error: generating the data failed (exit {done.returncode})")
    log(done.stderr.rstrip())
    summary = mc.load_summary(folder, rooms, seed)
    if summary is None:
        sys.exit(f"error: {folder} has no usable summary.json after generating")
    return folder, summary


class Bench:
    def __init__(self, feedun: Path, log) -> None:
        self.feedun, self.log = feedun, log
        self.env = child_env()
        self.problems: list[str] = []

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.problems.append(message)
            self.log(f"  CHECK FAILED: {message}")

    def feedun_step(self, cmd: list[str], cwd: Path, what: str, fatal: bool = True) -> Run:
        run = run_measured([str(self.feedun), *cmd], cwd, self.env)
        if run.returncode != 0:
            message = f"{what} exited {run.returncode}: feedun {' '.join(cmd)} (in {cwd})"
            print(f"error: {message}\n--- stderr:\n{run.stderr[-4000:]}\n--- stdout:\n{run.stdout[-2000:]}",
                  file=sys.stderr)
            if fatal:
                sys.exit(1)
            self.problems.append(message)
        return run

    def raw_read(self, paths: list[Path]) -> dict:
        with tempfile.TemporaryDirectory(prefix="feedun-bench-raw-") as tmp:
            run = run_measured([sys.executable, "-c", RAW_READ_CODE, *map(str, paths)], Path(tmp), self.env)
        if run.returncode != 0:
            print(f"error: the raw fastexcel read failed\n{run.stderr[-4000:]}", file=sys.stderr)
            sys.exit(1)
        info = json.loads(run.stdout.strip().splitlines()[-1])
        return {**figures(run), "read_seconds": round(info["read_seconds"], 2),
                "read_cpu_seconds": round(info["read_cpu_seconds"], 2), "shapes": info["shapes"],
                "rows": sum(shape[0] for shape in info["shapes"]), "stderr": run.stderr.strip()[-1000:]}

    def month(self, ws: Path, data: Path, summary: dict, index: int) -> dict:
        month = summary["months"][index]
        number = index + 1
        ledgers = [f["file"] for f in month["files"]]
        inbox = inbox_of(ws / "feedun.toml")
        inbox.mkdir(parents=True, exist_ok=True)
        for name in ledgers:
            shutil.copyfile(data / name, inbox / name)
        files = list(ledgers)
        if number == 1:
            calls = summary["calls"]["file"]
            shutil.copyfile(data / calls, inbox / calls)
            files.append(calls)
        raw = self.raw_read([inbox / name for name in ledgers])
        self.log(f"  month {number}: raw fastexcel read {raw['seconds']:6.1f} s, cpu {raw['cpu_seconds']:6.1f} s, "
                 f"peak {raw['peak_mib']:5.0f} MiB (the read alone {raw['read_seconds']:.1f} s), {len(ledgers)} "
                 f"file(s), shapes {raw['shapes']}")
        self.check([shape[0] for shape in raw["shapes"]] == [f["sheet_rows"] for f in month["files"]],
                   f"{label(summary['rooms'])} month {number}: fastexcel read {raw['shapes']}, the ledger files have "
                   f"{[f['sheet_rows'] for f in month['files']]} rows")
        self.check(not raw["stderr"], f"{label(summary['rooms'])} month {number}: the raw read warned: {raw['stderr']}")
        as_of = month["run_as_of"]
        run = self.feedun_step(["run", "--as-of", as_of, "--json"], ws, f"feedun run (month {number})", fatal=False)
        where = f"{label(summary['rooms'])} month {number}"
        try:
            out = json.loads(run.stdout)
        except json.JSONDecodeError:
            out = None
        if not isinstance(out, dict):
            self.check(False, f"{where}: feedun run --json printed no JSON object (exit {run.returncode})")
            return {"as_of": as_of, "ledger": month, "raw": raw, "run": figures(run), "ok": False,
                    "stderr": run.stderr[-4000:]}
        imported = {i.get("file"): i for i in out.get("imported", [])}
        for f in month["files"]:
            got = imported.get(f["file"], {})
            self.check(got.get("kind") == "ledger" and got.get("accepted") == f["lines"] and got.get("rejected") == 0,
                       f"{where}: {f['file']} kind {got.get('kind')}, accepted {got.get('accepted')} (expected "
                       f"{f['lines']}), rejected {got.get('rejected')}")
        if number == 1:
            got = imported.get(summary["calls"]["file"], {})
            expected = summary["calls"]["contacts"]
            self.check(got.get("kind") == "calls" and got.get("accepted") == expected and got.get("rejected") == 0,
                       f"{where}: call list kind {got.get('kind')}, accepted {got.get('accepted')} (expected "
                       f"{expected}), rejected {got.get('rejected')}")
        self.check(sorted(imported) == sorted(files), f"{where}: imported {sorted(imported)}, expected {files}")
        self.check(not out.get("failed") and not out.get("nothing_to_do"),
                   f"{where}: failed {out.get('failed')}, nothing_to_do {out.get('nothing_to_do')}")
        decided = sum(out.get("tactics", {}).values()) + out.get("held", 0)
        self.check(decided == month["rooms_with_arrears"],
                   f"{where}: run decided {decided} rooms, the ledger has {month['rooms_with_arrears']} with arrears")
        outputs = out.get("outputs", {})
        self.check(outputs.get("call_lists", 0) > 0 and outputs.get("sms", 0) > 0 and bool(outputs.get("report")),
                   f"{where}: outputs {outputs} (expected call lists, SMS on the node day and a report)")
        self.check(bool(out.get("nodes")), f"{where}: {as_of} is no reminder node day by the run's JSON")
        if number == 1:
            self.check(outputs.get("demand_letters", 0) > 0, f"{where}: no demand letters drafted")
        phases = {p["phase"]: p for p in out.get("phases", [])}
        self.check(all(p in phases for p in PHASES),
                   f"{where}: phases {sorted(phases)} (expected {', '.join(PHASES)})")
        log_path = ws / "feedun.log"
        log_lines = [ln for ln in log_path.read_text(encoding="utf-8").splitlines()
                     if " WARNING " in ln or " ERROR " in ln] if log_path.exists() else []
        self.log(f"           feedun run {run.wall_seconds:6.1f} s, cpu {run.cpu_seconds:6.1f} s, peak "
                 f"{max(run.tree_peak_mib, run.peak_mib):5.0f} MiB; decided {decided:,} ({out.get('held')} held); "
                 + ", ".join(f"{p} {phases[p]['seconds']:.1f}" for p in PHASES if p in phases))
        return {"as_of": as_of, "ledger": month, "raw": raw, "run": figures(run), "ok": run.returncode == 0,
                "phases": [phases[p] for p in PHASES if p in phases] + [v for k, v in phases.items()
                                                                         if k not in PHASES],
                "decided": decided, "tactics": out.get("tactics"), "held": out.get("held"), "outputs": outputs,
                "nodes": out.get("nodes"), "imported": out.get("imported"), "warnings": out.get("warnings"),
                "log_warnings": log_lines[-20:], "stderr": run.stderr.strip()[-2000:]}

    def lookups(self, ws: Path, summary: dict, as_of: str) -> dict:
        probe = summary["probe"]
        result = {"estate": probe["estate"], "room": probe["room"]}
        next_day = (date.fromisoformat(as_of) + timedelta(days=1)).isoformat()  # no stored run: decided again
        for what, cmd in (("explain", ["explain", probe["room"], "--estate", probe["estate"], "--as-of", as_of]),
                          ("explain_decided", ["explain", probe["room"], "--estate", probe["estate"], "--as-of",
                                               next_day]),
                          ("history", ["history", probe["room"], "--estate", probe["estate"]])):
            runs = [self.feedun_step(cmd, ws, f"feedun {what}", fatal=False) for _ in range(LOOKUP_REPEAT)]
            self.check(all(probe["room"] in r.stdout for r in runs),
                       f"{label(summary['rooms'])}: feedun {what} {probe['room']} does not mention the room")
            seconds = [r.wall_seconds for r in runs]
            result[what] = {"seconds": round(statistics.median(seconds), 2), "all_seconds": [round(s, 2) for s in seconds],
                            "cpu_seconds": round(statistics.median(r.cpu_seconds for r in runs), 2),
                            "peak_mib": round(max(r.peak_mib for r in runs))}
        self.log(f"  explain {result['explain']['seconds']:.2f} s (cpu {result['explain']['cpu_seconds']:.2f}; "
                 f"{result['explain_decided']['seconds']:.2f} s on a day without a stored run), "
                 f"history {result['history']['seconds']:.2f} s (cpu {result['history']['cpu_seconds']:.2f}) for "
                 f"{probe['estate']} {probe['room']}")
        return result

    def size(self, rooms: int, data: Path, summary: dict, ws: Path) -> dict:
        if ws.exists():
            shutil.rmtree(ws)
        ws.parent.mkdir(parents=True, exist_ok=True)
        self.feedun_step(["init", str(ws)], ws.parent, "feedun init")
        add_collectors(ws / "feedun.toml", summary["collectors"])
        months = []
        for i in range(len(summary["months"])):
            months.append(self.month(ws, data, summary, i))
            if not months[-1]["ok"]:
                break
        lookups = self.lookups(ws, summary, months[-1]["as_of"]) if all(m["ok"] for m in months) else None
        store = sum(p.stat().st_size for p in ws.glob("feedun.db*"))
        return {"rooms": rooms, "data": str(data), "workspace": str(ws), "store_mib": round(store / 2**20, 1),
                "company": {k: v for k, v in summary.items() if k != "collectors"}, "months": months,
                "lookups": lookups}


def evaluate(results: list[dict]) -> list[dict]:
    """The issue's targets: PASS/FAIL, or SKIP when the size they are set for was not run."""
    targets: list[dict] = []

    def target(name: str, value: float | None, limit: float, unit: str, ok: bool | None, where: str) -> None:
        status = "SKIP" if ok is None else "PASS" if ok else "FAIL"
        targets.append({"target": name, "where": where, "value": value, "limit": limit, "unit": unit,
                        "status": status})

    at = next((r for r in results if r["rooms"] == TARGET_ROOMS), None)
    n_months = max((len(r["months"]) for r in results), default=2)
    for m in range(n_months):
        month = at["months"][m] if at and m < len(at["months"]) and at["months"][m]["ok"] else None
        where = f"{label(TARGET_ROOMS)} month {m + 1}"
        if month is None:
            for name, limit, unit in (("run seconds", TARGET_RUN_SECONDS, "s"), ("run peak", TARGET_PEAK_MIB, "MiB"),
                                      ("run / raw fastexcel read", TARGET_RAW_RATIO, "x"),
                                      ("call_lists phase", TARGET_CALL_LISTS_SECONDS, "s")):
                target(name, None, limit, unit, None, where)
        else:
            run, raw = month["run"], month["raw"]
            ratio = run["seconds"] / raw["seconds"]
            call_lists = next((p["seconds"] for p in month["phases"] if p["phase"] == "call_lists"), None)
            target("run seconds", run["seconds"], TARGET_RUN_SECONDS, "s", run["seconds"] < TARGET_RUN_SECONDS, where)
            target("run peak", run["peak_mib"], TARGET_PEAK_MIB, "MiB", run["peak_mib"] < TARGET_PEAK_MIB, where)
            target("run / raw fastexcel read", round(ratio, 1), TARGET_RAW_RATIO, "x", ratio <= TARGET_RAW_RATIO, where)
            target("call_lists phase", call_lists, TARGET_CALL_LISTS_SECONDS, "s",
                   call_lists is not None and call_lists < TARGET_CALL_LISTS_SECONDS, where)
        ok = [r for r in results if m < len(r["months"]) and r["months"][m]["ok"]]
        small = min(ok, key=lambda r: r["rooms"]) if ok else None
        large = max(ok, key=lambda r: r["rooms"]) if ok else None
        if small is None or large is small:
            target("growth of run seconds", None, TARGET_GROWTH_SLACK * 10, "x", None, f"month {m + 1}")
        else:
            rooms_ratio = large["rooms"] / small["rooms"]
            growth = large["months"][m]["run"]["seconds"] / small["months"][m]["run"]["seconds"]
            limit = round(TARGET_GROWTH_SLACK * rooms_ratio, 1)
            target("growth of run seconds", round(growth, 1), limit, "x", growth <= limit,
                   f"{label(small['rooms'])} -> {label(large['rooms'])} month {m + 1}")
    for what in ("explain", "history"):
        value = at["lookups"][what]["seconds"] if at and at.get("lookups") else None
        target(f"feedun {what}", value, TARGET_LOOKUP_SECONDS, "s",
               None if value is None else value < TARGET_LOOKUP_SECONDS, label(TARGET_ROOMS))
    return targets


def print_tables(report: dict) -> None:
    m = report["machine"]
    info = report["feedun"]
    print()
    print(f"machine: {m['nproc']} CPU ({m['cpu']}), {m['memory_gib']} GiB RAM, Python {m['python']}")
    print(f"feedun {info['commit']} ({info['source']}); 1-min load average before/after each size: "
          + ", ".join("?" if x is None else f"{x:.1f}" for x in report["load_average_1min"]))
    for r in report["sizes"]:
        c = r["company"]
        print(f"{label(r['rooms'])}: {c['estates']} estates, {c['buildings']} buildings, {c['collector_names']} "
              f"collectors, phones {c['phones']}; " + "; ".join(
                  f"month {i + 1}: {m['ledger']['lines']:,} lines in {len(m['ledger'].get('files', [1]))} file(s), "
                  f"{m['ledger']['rooms_with_arrears']:,} rooms owing"
                  for i, m in enumerate(r["months"])) + f"; {c['calls']['contacts']:,} contacts; month-2 "
              f"{c['month2_fates']}")
    print("seconds are whole processes (wall); cpu = user + system of that process (and its children); MiB = the "
          "peak it and its children held together (PSS summed, sampled), or its own peak RSS if higher")
    head = (f"{'rooms':>6} {'mo':>2} {'lines':>10} | {'raw s':>6} {'cpu':>6} {'MiB':>5} | {'run s':>7} {'cpu':>7} "
            f"{'MiB':>5} {'x raw':>6} {'cpu x':>5} | " + " ".join(f"{p[:10]:>10}" for p in PHASES) + f" | {'decided':>7}")
    print(head)
    print("-" * len(head))
    for r in report["sizes"]:
        for i, month in enumerate(r["months"]):
            raw, run = month["raw"], month["run"]
            phases = {p["phase"]: p["seconds"] for p in month.get("phases", [])}
            ratio = run["seconds"] / raw["seconds"]
            cpu_ratio = run["cpu_seconds"] / raw["cpu_seconds"]
            print(f"{label(r['rooms']):>6} {i + 1:>2} {month['ledger']['lines']:>10,} | {raw['seconds']:6.1f} "
                  f"{raw['cpu_seconds']:6.1f} {raw['peak_mib']:5.0f} | {run['seconds']:7.1f} {run['cpu_seconds']:7.1f} "
                  f"{run['peak_mib']:5.0f} {ratio:5.1f}x {cpu_ratio:4.1f}x | "
                  + " ".join(f"{phases[p]:10.1f}" if p in phases else f"{'-':>10}" for p in PHASES)
                  + f" | {month.get('decided', 0):>7,}")
    print("(raw = the fastexcel read of that month's ledger as read.py does it, whole process; x raw = run s / raw s,"
          " the target; cpu x = the same by CPU seconds, steadier on a shared machine; phases from feedun run --json)")
    for r in report["sizes"]:
        for i, month in enumerate(r["months"]):
            if month.get("stderr"):
                print(f"stderr of feedun run, {label(r['rooms'])} month {i + 1}: {month['stderr'][-300:]}")
    print()
    print(f"{'rooms':>6} {'store MiB':>9} | {'explain s':>9} {'cpu':>5} {'MiB':>5} | {'no run s':>8} {'MiB':>5} | "
          f"{'history s':>9} {'cpu':>5} {'MiB':>5} | room")
    for r in report["sizes"]:
        lk = r.get("lookups")
        if not lk:
            continue
        e, d, h = lk["explain"], lk.get("explain_decided"), lk["history"]
        decided = f"{d['seconds']:8.2f} {d['peak_mib']:5.0f}" if d else f"{'-':>8} {'-':>5}"
        print(f"{label(r['rooms']):>6} {r['store_mib']:9.1f} | {e['seconds']:9.2f} {e['cpu_seconds']:5.2f} "
              f"{e['peak_mib']:5.0f} | {decided} | {h['seconds']:9.2f} {h['cpu_seconds']:5.2f} {h['peak_mib']:5.0f} | "
              f"{lk['estate']} {lk['room']} (median of {LOOKUP_REPEAT})")
    print("(explain: after the day's run, which it reads back; no run: the next day, when explain decides the room "
          "again from its own rows)")
    print()
    for t in report["targets"]:
        value = "not measured" if t["value"] is None else f"{t['value']:g} {t['unit']}"
        comparison = "<=" if t["unit"] == "x" else "<"
        print(f"{t['status']:4}  {t['target']:<26} {t['where']:<22} {value:>14}  (target {comparison} {t['limit']:g} "
              f"{t['unit']})")
    print("checks: " + ("all passed" if not report["problems"] else "FAILED: " + "; ".join(report["problems"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="rooms per company, comma-separated (default %(default)s)")
    parser.add_argument("--seed", type=int, default=mc.DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--feedun", type=Path, default=None,
                        help="the feedun executable to measure (default: the one next to this Python)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="put the workspaces here (DIR/ws-<size>, kept); default: a temporary folder, removed")
    parser.add_argument("--data", type=Path, default=mc.DATA_DIR,
                        help="folder of the generated companies (default %(default)s)")
    parser.add_argument("--force", action="store_true", help="regenerate the data even if it is cached")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces (always kept with --workdir)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    parser.add_argument("--tables", type=Path, default=None, metavar="JSON",
                        help="only print the tables of the figures a --json run saved in this file")
    args = parser.parse_args(argv)
    if args.tables:
        report = json.loads(args.tables.read_text(encoding="utf-8"))
        print_tables(report)
        return 1 if report["problems"] or any(t["status"] == "FAIL" for t in report["targets"]) else 0
    try:
        sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes {args.sizes}: not a comma-separated list of numbers")
    if not sizes or sizes[0] < 100:
        parser.error("--sizes: each size must be at least 100 rooms")

    def log(*parts: object) -> None:  # progress goes to stderr under --json, so stdout stays pure JSON
        print(*parts, file=sys.stderr if args.json else sys.stdout, flush=True)

    feedun = (args.feedun or Path(sys.executable).parent / "feedun").absolute()
    if not feedun.exists():
        parser.error(f"no feedun executable at {feedun}; install feedun or pass --feedun PATH")
    info = feedun_info(feedun)
    log(f"feedun: {feedun} (source {info['source']}, commit {info['commit']})")
    datasets = [(rooms, *ensure_data(args.data.resolve(), rooms, args.seed, args.force, log)) for rooms in sizes]
    for rooms, _, s in datasets:
        log(f"{label(rooms)}: {s['estates']} estates, {s['buildings']} buildings, {s['collector_names']} collectors; "
            + "; ".join(f"month {i + 1} {m['lines']:,} lines ({m['bytes'] / 2**20:.1f} MiB xlsx), "
                        f"{m['rooms_with_arrears']:,} rooms owing" for i, m in enumerate(s["months"]))
            + f"; {s['calls']['contacts']:,} contacts")

    if args.workdir:
        root = args.workdir.resolve()
        root.mkdir(parents=True, exist_ok=True)
        temp = None
    else:
        temp = tempfile.mkdtemp(prefix="feedun-bench-run-")
        root = Path(temp)
    keep = args.keep or args.workdir is not None
    bench = Bench(feedun, log)
    loads = [load_average()]
    results = []
    try:
        for rooms, data, summary in datasets:
            ws = root / f"ws-{label(rooms)}"
            log(f"{label(rooms)} rooms: workspace {ws}")
            results.append(bench.size(rooms, data, summary, ws))
            loads.append(load_average())
            if not keep:
                shutil.rmtree(ws, ignore_errors=True)
    finally:
        if temp and not keep:
            shutil.rmtree(temp, ignore_errors=True)
    after = feedun_info(feedun)["commit"]
    if after != info["commit"]:
        log(f"warning: the measured checkout changed during the runs (was {info['commit']}, now {after})")
        info["commit"] = f"{info['commit']} -> {after}"
    targets = evaluate(results)
    report = {"feedun": info, "sizes": results, "targets": targets, "problems": bench.problems,
              "workspaces": str(root) if keep else None, "machine": machine(), "load_average_1min": loads}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_tables(report)
    failed = bench.problems or any(t["status"] == "FAIL" for t in targets)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
