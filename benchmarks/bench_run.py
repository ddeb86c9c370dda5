"""Benchmark one whole `feedun run` at 30,000 rooms, end to end, through the CLI as subprocesses.

    .venv/bin/python benchmarks/bench_run.py                          # 30,000 rooms, one repetition
    .venv/bin/python benchmarks/bench_run.py --repeat 3 --json
    .venv/bin/python benchmarks/bench_run.py --feedun /tmp/old-checkout/.venv/bin/feedun --workdir /tmp/bench-run

The data is generated here, deterministically (random.Random(seed)), as two UTF-8 CSV files:

* a long-layout receivables/arrears ledger like a property ERP export (title rows, the header 管理处 | 楼栋 | 单元 |
  房号 | 业主姓名 | 联系电话 | 建筑面积 | 收费项目 | 所属期间 | 应缴日期 | 应收金额(元) | 实收金额(元) | 减免金额(元) |
  欠费金额(元) | 滞纳金(元) | 备注, a 合计 row), as of 2026-12-01: 30,000 rooms over 5 estates; every room's lines for
  the last 3 months (2026-09..2026-11: 物业服务费, 公摊水电费, and 车位管理费 for rooms with a parking slot), plus
  the older months a room still owes (arrears carried forward, back to 2025-06). About 30% of the rooms owe
  something (occasional, frequent and chronic debtors). Money is integer fen, written as yuan with 2 decimals.
* a filled call list (催缴清单-王管家-2026-11-30.csv, the read-back format of `feedun calls`: the hidden key column
  键（勿改） = 管理处|房号) with the collectors' contacts with debtors from 2026-06 to 2026-11 (no answer, vague,
  busy, promised, refused, ...), so that the default policy has attempts to count and decides demand letters,
  pin-downs and traces, not only reminders. --no-contacts leaves it out (then no demand letters are drafted).

Each repetition gets a fresh workspace and does the same work, three subprocesses timed one after the other:

* (a) `feedun import LEDGER --as-of 2026-12-01 --json` in a workspace fresh from `feedun init` (collectors per
  estate and building added to its [collectors]);
* setup, timed for information: `feedun import 催缴清单-....csv --json` (the contacts and promises);
* (b) `feedun run --as-of 2026-12-07 --json` with an empty inbox: classify, call lists, the SMS file (2026-12-07 is
  the December node day 5, moved from Saturday the 5th to Monday), demand letters, the report, summary.json.

Seconds are each whole CLI process, start to exit (interpreter start and imports included). CPU seconds (user +
system) and peak memory (ru_maxrss) are each child's own, from os.wait4() for that pid. Data is generated in a
separate subprocess, so this process stays small. FEEDUN_* variables are removed from the children's environment.
Checks: the import accepts every ledger line and rejects none; every contact is accepted; `feedun run` exits 0,
imports nothing, fails nothing, and decides exactly the rooms with arrears (tactics + holds); its outbox exists.
There is no target: the figures are for comparing checkouts (--feedun). Exit status 0 when every step and check
passed, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import Figures, Run, child_env, load_average, machine, run_measured
from make_ledger import ESTATES, make_rooms, mobile, name

DATA_DIR = Path(__file__).resolve().parent / "data"
GENERATOR_VERSION = 1
DEFAULT_ROOMS = 30_000
DEFAULT_SEED = 20261201

LEDGER_AS_OF = date(2026, 12, 1)
RUN_AS_OF = date(2026, 12, 7)  # SMS node day 5 of December 2026 (the 5th is a Saturday)
CONTACTS_UNTIL = date(2026, 11, 30)
CONTACTS_FROM = date(2026, 6, 1)
COMPANY = "嘉禾物业服务有限公司"
PERIODS = [(2025, m) for m in range(6, 13)] + [(2026, m) for m in range(1, 12)]  # 2025-06 .. 2026-11
WINDOW = 3  # months every room is listed for (paid or not); older months only while owed
DUE_DAY = 15
LATE_FEE_PER_DAY = (5, 10_000)  # 万分之五 a day, as in make_ledger.py
PARKING_SHARE = 0.35
HEADER = [
    "管理处", "楼栋", "单元", "房号", "业主姓名", "联系电话", "建筑面积", "收费项目", "所属期间", "应缴日期",
    "应收金额(元)", "实收金额(元)", "减免金额(元)", "欠费金额(元)", "滞纳金(元)", "备注",
]
# (class, share of rooms, fewest and most unpaid months, contacts made with the room)
ROOM_CLASSES = [
    ("paid_up", 0.70, 0, 0, (0, 0)),
    ("occasional", 0.13, 1, 2, (0, 1)),
    ("frequent", 0.09, 3, 6, (1, 4)),
    ("chronic", 0.08, 7, 18, (2, 7)),
]
DEBTOR_REMARKS = ["已电话催缴", "业主在外地", "承诺月底缴清", "对维修有异议", "已发催缴函", "空置房", "租户居住"]

# The call list's read-back columns (src/feedun/outputs/calllist.py) and outcome labels
# (src/feedun/core/vocab.py, OUTCOME_LABELS).
CALLS_FILE = "催缴清单-王管家-2026-11-30.csv"
CALLS_HEADER = ["序号", "管理处", "房号", "业主", "联系时间", "联系方式", "结果", "承诺日期", "承诺金额", "回电时间",
                "备注", "键（勿改）", "业主键（勿改）"]
OUTCOMES = [  # (label as in the list's drop-down, weight)
    ("无人接听", 30), ("含糊推托", 14), ("忙或不在本地", 10), ("约定回电", 8), ("承诺缴费", 10), ("称已缴费", 5),
    ("认为收费不合理拒缴", 6), ("因房屋质量拒缴", 3), ("因服务问题拒缴", 3), ("其他原因拒缴", 5), ("号码无效", 3),
    ("非业主本人", 3),
]
CHANNELS = [("电话", 80), ("上门", 10), ("微信", 10)]
COLLECTORS = ["李管家", "王管家", "张管家", "刘管家", "陈管家", "杨管家", "赵管家", "黄管家", "周管家", "吴管家"]


def fen_text(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def phone_cell(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.02:
        return ""
    if r < 0.03:
        return f"0571-8{rng.randrange(10**7):07d}"  # a landline only: no SMS
    if r < 0.11:
        return mobile(rng) + "/" + mobile(rng)
    return mobile(rng)


def data_label(rooms: int, seed: int) -> str:
    label = f"{rooms // 1000}k" if rooms % 1000 == 0 else str(rooms)
    return f"run-{label}" + ("" if seed == DEFAULT_SEED else f"-s{seed}")


def ledger_name() -> str:
    return f"欠费明细-{LEDGER_AS_OF.isoformat()}.csv"


def collectors_for(rooms) -> dict[str, str]:
    """[collectors]: one collector per estate, and every third building of an estate to the next collector."""
    result: dict[str, str] = {}
    buildings: dict[str, set[int]] = {}
    for room in rooms:
        buildings.setdefault(room.estate.name, set()).add(room.building)
    spare = len(ESTATES)
    for i, estate in enumerate(ESTATES):
        result[estate.name] = COLLECTORS[i % len(COLLECTORS)]
        extra = COLLECTORS[spare % len(COLLECTORS)]
        taken = False
        for b in sorted(buildings.get(estate.name, ())):
            if b % 3 == 0:
                result[f"{estate.name}/{b}"] = extra
                taken = True
        spare += taken
    return result


def generate(out_dir: Path, rooms_count: int, seed: int, with_contacts: bool) -> dict:
    """Write the ledger (and the filled call list) into out_dir; returns the summary (also written as JSON)."""
    rng = random.Random(seed)
    rooms = make_rooms(rooms_count)
    due_dates = [date(y, m, DUE_DAY) for y, m in PERIODS]
    period_texts = [f"{y:04d}-{m:02d}" for y, m in PERIODS]
    n = len(PERIODS)
    shares = [c[1] for c in ROOM_CLASSES]
    stats = Counter()
    totals = [0, 0, 0, 0, 0]  # due, paid, discount, outstanding, late fee (fen)
    classes = Counter()
    contacts_rows: list[list[str]] = []
    outcomes = Counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    ledger_path = out_dir / ledger_name()
    tmp = ledger_path.with_name(ledger_path.name + ".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"{COMPANY} 应收欠费明细表"])
        w.writerow([f"截止日期：{LEDGER_AS_OF.year}年{LEDGER_AS_OF.month}月{LEDGER_AS_OF.day}日"])
        w.writerow(HEADER)
        for room in rooms:
            estate = room.estate
            owner = name(rng)
            phones = phone_cell(rng)
            area_centi = rng.randrange(4_500, 18_000)
            parking = rng.random() < PARKING_SHARE
            cls, _, lo, hi, (c_lo, c_hi) = rng.choices(ROOM_CLASSES, weights=shares)[0]
            classes[cls] += 1
            unpaid = rng.randint(lo, hi) if hi else 0
            end = n - 1 if rng.random() < 0.8 else n - 1 - rng.randint(1, 2)
            owed = set(range(max(0, end - unpaid + 1), end + 1)) if unpaid else set()
            remark = rng.choice(DEBTOR_REMARKS) if cls in ("frequent", "chronic") and rng.random() < 0.4 else ""
            property_fen = (area_centi * estate.price_fen + 50) // 100
            items = ["物业服务费", "公摊水电费"] + (["车位管理费"] if parking else [])
            code = f"{room.building}-{room.unit}-{room.number}"
            base = [estate.name, f"{room.building}栋", f"{room.unit}单元", str(room.number), owner, phones,
                    fen_text(area_centi)]
            room_outstanding = 0
            for p in range(n):
                if p < n - WINDOW and p not in owed:
                    continue
                for item in items:
                    due = (property_fen if item == "物业服务费" else estate.parking_fen if item == "车位管理费"
                           else rng.randrange(800, 6_000))
                    discount = min(due, rng.choice([500, 1_000, (due + 10) // 20])) if rng.random() < 0.04 else 0
                    if p in owed:
                        payable = due - discount
                        paid = rng.randrange(1, payable) if rng.random() < 0.15 and payable > 1 else 0
                        outstanding = payable - paid
                        per_day, per = LATE_FEE_PER_DAY
                        late = (outstanding * (LEDGER_AS_OF - due_dates[p]).days * per_day + per // 2) // per
                        line_remark = remark
                        stats["owing_lines"] += 1 if outstanding > 0 else 0
                    else:
                        paid, outstanding, late, line_remark = due - discount, 0, 0, ""
                    for i, amount in enumerate((due, paid, discount, outstanding, late)):
                        totals[i] += amount
                    room_outstanding += outstanding
                    stats["lines"] += 1
                    w.writerow([*base, item, period_texts[p], due_dates[p].isoformat(), fen_text(due), fen_text(paid),
                                fen_text(discount), fen_text(outstanding), fen_text(late), line_remark])
            if room_outstanding > 0:
                stats["rooms_with_arrears"] += 1
            if with_contacts and room_outstanding > 0 and c_hi:
                first_owed = due_dates[min(owed)] if owed else CONTACTS_UNTIL
                start = max(CONTACTS_FROM, first_owed)
                span = (CONTACTS_UNTIL - start).days + 1
                made = min(rng.randint(c_lo, c_hi), span)
                for offset in sorted(rng.sample(range(span), made)):
                    day = start + timedelta(days=offset)
                    at = datetime(day.year, day.month, day.day, rng.randint(9, 20), rng.choice((0, 10, 20, 30, 40, 50)))
                    outcome = rng.choices([o for o, _ in OUTCOMES], weights=[wt for _, wt in OUTCOMES])[0]
                    channel = rng.choices([c for c, _ in CHANNELS], weights=[wt for _, wt in CHANNELS])[0]
                    promise_date = promise_amount = callback = ""
                    if outcome == "承诺缴费":
                        promise_date = (day + timedelta(days=rng.randint(3, 25))).isoformat()
                        if rng.random() < 0.3:
                            promise_amount = fen_text(max(100, room_outstanding // 2 // 100 * 100))
                    elif outcome == "约定回电":
                        callback = f"{(day + timedelta(days=rng.randint(1, 3))).isoformat()} 19:00"
                    outcomes[outcome] += 1
                    contacts_rows.append([str(len(contacts_rows) + 1), estate.name, code, owner,
                                          at.strftime("%Y-%m-%d %H:%M"), channel, outcome, promise_date,
                                          promise_amount, callback, "", f"{estate.name}|{code}", owner])
        w.writerow(["合计", "", "", "", "", "", "", "", "", "", *(fen_text(t) for t in totals), ""])
    tmp.replace(ledger_path)
    calls_path = out_dir / CALLS_FILE
    if with_contacts:
        tmp = calls_path.with_name(calls_path.name + ".part")
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(CALLS_HEADER)
            w.writerows(contacts_rows)
        tmp.replace(calls_path)
    else:
        calls_path.unlink(missing_ok=True)
    summary = {
        "generator_version": GENERATOR_VERSION, "rooms": rooms_count, "seed": seed, "contacts_file": with_contacts,
        "ledger": ledger_path.name, "ledger_bytes": ledger_path.stat().st_size, "ledger_as_of": LEDGER_AS_OF.isoformat(),
        "lines": stats["lines"], "owing_lines": stats["owing_lines"],
        "rooms_with_arrears": stats["rooms_with_arrears"], "room_classes": dict(classes),
        "totals_fen": dict(zip(("due", "paid", "discount", "outstanding", "late_fee"), totals, strict=True)),
        "calls": CALLS_FILE if with_contacts else None, "contacts": len(contacts_rows),
        "contact_outcomes": dict(outcomes.most_common()),
        "collectors": collectors_for(rooms),
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def ensure_data(out_dir: Path, rooms: int, seed: int, with_contacts: bool, force: bool, log) -> dict:
    """Reuse out_dir's files when its summary.json matches; else generate them in a child process."""
    summary_path = out_dir / "summary.json"
    if summary_path.exists() and not force:
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            summary = {}
        wanted = {"generator_version": GENERATOR_VERSION, "rooms": rooms, "seed": seed, "contacts_file": with_contacts}
        if all(summary.get(k) == v for k, v in wanted.items()) and (out_dir / summary["ledger"]).exists() \
                and (not with_contacts or (out_dir / CALLS_FILE).exists()):
            log(f"data: {out_dir} exists; not regenerating (use --force)")
            return summary
    log(f"generating {rooms:,} rooms into {out_dir} ...")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--generate-only", "--rooms", str(rooms), "--seed", str(seed),
           "--data", str(out_dir)] + ([] if with_contacts else ["--no-contacts"])
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        sys.exit(f"error: generating the data failed (exit {done.returncode})")
    return json.loads(summary_path.read_text(encoding="utf-8"))


def add_collectors(config: Path, collectors: dict[str, str]) -> None:
    """Fill [collectors] in the feedun.toml that `feedun init` wrote (a second [collectors] table would be invalid)."""
    lines = "".join(f'"{k}" = "{v}"\n' for k, v in collectors.items())
    text = config.read_text(encoding="utf-8")
    text, found = re.subn(r"(?m)^\[collectors\][ \t]*\n", lambda m: m.group(0) + lines, text, count=1)
    if not found:
        text += "\n[collectors]\n" + lines
    config.write_text(text, encoding="utf-8")


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


def parse_json(run: Run) -> dict | list | None:
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        return None


def record(fig: Figures, run: Run) -> None:
    fig.seconds.append(run.wall_seconds)
    fig.cpu_seconds.append(run.cpu_seconds)
    fig.wall_seconds.append(run.wall_seconds)
    fig.peak_mib.append(run.peak_mib)


def outbox_contents(folder: Path) -> dict:
    """Files per top-level entry of the day's outbox folder, and their total size."""
    entries: dict[str, int] = {}
    total = 0
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
            entries[entry.name] = len(files)
            total += sum(p.stat().st_size for p in files)
    return {"entries": entries, "files": sum(entries.values()), "mib": round(total / 2**20, 1)}


class Bench:
    def __init__(self, feedun: Path, data: Path, summary: dict, log) -> None:
        self.feedun, self.data, self.summary, self.log = feedun, data, summary, log
        self.env = child_env()
        self.problems: list[str] = []

    def step(self, cmd: list[str], cwd: Path, what: str) -> Run:
        run = run_measured([str(self.feedun), *cmd], cwd, self.env)
        if run.returncode != 0:
            print(f"error: {what} exited {run.returncode}\n--- stderr:\n{run.stderr[-4000:]}\n"
                  f"--- stdout:\n{run.stdout[-2000:]}", file=sys.stderr)
            sys.exit(1)
        return run

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.problems.append(message)
            self.log(f"  CHECK FAILED: {message}")

    def repetition(self, ws: Path, as_of: date, figs: dict[str, Figures]) -> dict:
        s = self.summary
        if ws.exists():
            shutil.rmtree(ws)
        self.step(["init", str(ws)], ws.parent, "feedun init")
        add_collectors(ws / "feedun.toml", s["collectors"])
        ledger = self.data / s["ledger"]
        ledger.read_bytes()  # the page cache, so no repetition pays for the first disk read

        run = self.step(["import", str(ledger), "--as-of", LEDGER_AS_OF.isoformat(), "--json"], ws, "feedun import")
        record(figs["import"], run)
        res = parse_json(run) or {}
        self.check(res.get("accepted") == s["lines"] and res.get("rejected") == 0,
                   f"ledger import: accepted {res.get('accepted')} (expected {s['lines']}), "
                   f"rejected {res.get('rejected')}")
        self.check(res.get("rows_read") == (res.get("accepted") or 0) + (res.get("rejected") or 0)
                   + (res.get("skipped") or 0), "ledger import: rows_read != accepted + rejected + skipped")
        self.log(f"  (a) import:   {run.wall_seconds:6.1f} s, cpu {run.cpu_seconds:6.1f} s, peak "
                 f"{run.peak_mib:5.0f} MiB; rows_read {res.get('rows_read')}, accepted {res.get('accepted')}, "
                 f"rejected {res.get('rejected')}, skipped {res.get('skipped')}")
        contacts = None
        if s.get("calls"):
            run = self.step(["import", str(self.data / s["calls"]), "--json"], ws, "feedun import (call list)")
            record(figs["contacts"], run)
            contacts = parse_json(run) or {}
            self.check(contacts.get("kind") == "calls" and contacts.get("accepted") == s["contacts"]
                       and contacts.get("rejected") == 0,
                       f"call list import: kind {contacts.get('kind')}, accepted {contacts.get('accepted')} "
                       f"(expected {s['contacts']}), rejected {contacts.get('rejected')}")
            self.log(f"      contacts: {run.wall_seconds:6.1f} s, cpu {run.cpu_seconds:6.1f} s, peak "
                     f"{run.peak_mib:5.0f} MiB; accepted {contacts.get('accepted')}, rejected {contacts.get('rejected')}")

        run = self.step(["run", "--as-of", as_of.isoformat(), "--json"], ws, "feedun run")
        record(figs["run"], run)
        out = parse_json(run)
        if not isinstance(out, dict):
            print(f"error: feedun run --json did not print a JSON object\n{run.stdout[-2000:]}", file=sys.stderr)
            sys.exit(1)
        decided = sum(out.get("tactics", {}).values()) + out.get("held", 0)
        self.check(not out.get("failed") and not out.get("imported") and not out.get("nothing_to_do"),
                   f"run: failed {out.get('failed')}, imported {out.get('imported')}, "
                   f"nothing_to_do {out.get('nothing_to_do')}")
        self.check(decided == s["rooms_with_arrears"],
                   f"run decided {decided} rooms, the ledger has {s['rooms_with_arrears']} with arrears")
        target = ws / "outbox" / as_of.isoformat()
        self.check(target.is_dir(), f"run: no outbox folder {target}")
        outputs = out.get("outputs", {})
        self.check(outputs.get("call_lists", 0) > 0 and outputs.get("sms", 0) > 0 and outputs.get("report"),
                   f"run: outputs {outputs} (expected call lists, SMS on the node day and a report)")
        if s.get("calls"):
            self.check(outputs.get("demand_letters", 0) > 0, "run: no demand letters drafted")
        log_path = ws / "feedun.log"
        log_lines = [ln for ln in log_path.read_text(encoding="utf-8").splitlines()
                     if " WARNING " in ln or " ERROR " in ln] if log_path.exists() else []
        contents = outbox_contents(target)
        self.log(f"  (b) run:      {run.wall_seconds:6.1f} s, cpu {run.cpu_seconds:6.1f} s, peak "
                 f"{run.peak_mib:5.0f} MiB; decided {decided:,} ({out.get('held')} held), outputs {outputs}, "
                 f"{contents['files']} files ({contents['mib']} MiB)")
        for warning in out.get("warnings", []):
            self.log(f"      warning: {warning}")
        if run.stderr.strip():
            self.log(f"      stderr: {run.stderr.strip()[-1000:]}")
        return {"import": res, "contacts": contacts, "run": out, "decided": decided, "outbox": contents,
                "log_warnings": log_lines, "run_stderr": run.stderr.strip()[-4000:]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=DEFAULT_ROOMS, help="rooms in the ledger (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="repetitions, each in a fresh workspace (default %(default)s); best times are reported")
    parser.add_argument("--feedun", type=Path, default=None,
                        help="the feedun executable to measure (default: the one next to this Python)")
    parser.add_argument("--as-of", default=RUN_AS_OF.isoformat(),
                        help="the date given to feedun run (default %(default)s, an SMS node day)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="put the generated data (DIR/data) and the workspaces (DIR/ws-N, kept) here; "
                             "default: data in benchmarks/data/run-<rooms>/, workspaces in a temporary folder")
    parser.add_argument("--data", type=Path, default=None, help="folder of the generated data (overrides the default)")
    parser.add_argument("--no-contacts", action="store_true", help="no filled call list: ledger only")
    parser.add_argument("--force", action="store_true", help="regenerate the data even if it exists")
    parser.add_argument("--keep", action="store_true", help="keep the workspaces (always kept with --workdir)")
    parser.add_argument("--generate-only", action="store_true", help="only write the data and print its folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.rooms < 100:
        parser.error("--rooms must be at least 100")
    try:
        as_of = date.fromisoformat(args.as_of)
    except ValueError:
        parser.error(f"--as-of {args.as_of}: not a YYYY-MM-DD date")
    with_contacts = not args.no_contacts
    data = args.data or (args.workdir / "data" if args.workdir else DATA_DIR / data_label(args.rooms, args.seed))
    data = data.resolve()

    if args.generate_only:
        summary = generate(data, args.rooms, args.seed, with_contacts)
        print(data)
        return 0

    def log(*parts: object) -> None:  # progress goes to stderr under --json, so stdout stays pure JSON
        print(*parts, file=sys.stderr if args.json else sys.stdout, flush=True)

    feedun = (args.feedun or Path(sys.executable).parent / "feedun").absolute()
    if not feedun.exists():
        parser.error(f"no feedun executable at {feedun}; install feedun or pass --feedun PATH")
    summary = ensure_data(data, args.rooms, args.seed, with_contacts, args.force, log)
    info = feedun_info(feedun)
    log(f"feedun: {feedun} (source {info['source']}, commit {info['commit']})")
    log(f"ledger: {data / summary['ledger']} ({summary['ledger_bytes'] / 2**20:.1f} MiB): {summary['rooms']:,} rooms, "
        f"{summary['lines']:,} lines, {summary['owing_lines']:,} owing, {summary['rooms_with_arrears']:,} rooms "
        f"with arrears; contacts {summary['contacts']:,}")

    figs = {"import": Figures("(a) feedun import LEDGER --as-of --json"),
            "contacts": Figures("    feedun import call list (setup)"),
            "run": Figures(f"(b) feedun run --as-of {as_of} --json")}
    bench = Bench(feedun, data, summary, log)
    temp = None
    if args.workdir:
        root = args.workdir.resolve()
        root.mkdir(parents=True, exist_ok=True)
    else:
        temp = tempfile.mkdtemp(prefix="feedun-bench-run-")
        root = Path(temp)
    keep = args.keep or args.workdir is not None
    loads = [load_average()]
    reps = []
    try:
        for i in range(args.repeat):
            log(f"repetition {i + 1}/{args.repeat} (workspace {root / f'ws-{i + 1}'})")
            reps.append(bench.repetition(root / f"ws-{i + 1}", as_of, figs))
            loads.append(load_average())
            if not keep:
                shutil.rmtree(root / f"ws-{i + 1}", ignore_errors=True)
    finally:
        if temp and not keep:
            shutil.rmtree(temp, ignore_errors=True)
    if feedun_info(feedun)["commit"] != info["commit"]:
        log(f"warning: the measured checkout changed during the runs (was {info['commit']})")
        info["commit"] = f"{info['commit']} -> {feedun_info(feedun)['commit']}"
    same = all((r["run"].get("tactics"), r["run"].get("held"), r["run"].get("outputs"))
               == (reps[0]["run"].get("tactics"), reps[0]["run"].get("held"), reps[0]["run"].get("outputs"))
               for r in reps)
    bench.check(same, "the repetitions did not decide and produce the same")
    last = reps[-1]
    used = [f for f in figs.values() if f.seconds]
    report = {
        "feedun": info, "data": str(data), "ledger": summary, "as_of": as_of.isoformat(), "repeat": args.repeat,
        "workspaces": str(root) if keep else None,
        "import": figs["import"].summary(), "contacts_import": figs["contacts"].summary() if figs["contacts"].seconds
        else None, "run": figs["run"].summary(),
        "decided": last["decided"], "tactics": last["run"].get("tactics"), "held": last["run"].get("held"),
        "outputs": last["run"].get("outputs"), "outbox": last["outbox"], "warnings": last["run"].get("warnings"),
        "log_warnings": last["log_warnings"], "run_stderr": last["run_stderr"],
        "import_result": {k: last["import"].get(k) for k in ("rows_read", "accepted", "rejected", "skipped", "lines")},
        "problems": bench.problems, "machine": machine(), "load_average_1min": loads,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        m = report["machine"]
        width = max(len(f.name) for f in used)
        print()
        print(f"machine: {m['nproc']} CPU ({m['cpu']}), {m['memory_gib']} GiB RAM, Python {m['python']}")
        print(f"feedun {info['commit']} ({info['source']}); 1-min load average during the runs: "
              + ", ".join("?" if x is None else f"{x:.1f}" for x in loads))
        print(f"{summary['rooms']:,} rooms, {summary['lines']:,} ledger lines, {summary['contacts']:,} contacts; "
              f"best of {args.repeat}")
        print(f"{'':{width}}  {'seconds':>9}  {'cpu s':>9}  {'peak MiB':>9}   all runs")
        for f in used:
            print(f"{f.name:{width}}  {f.best:9.2f}  {min(f.cpu_seconds):9.2f}  {max(f.peak_mib):9.0f}   "
                  + " / ".join(f"{x:.1f}" for x in f.seconds))
        print(f"decided {last['decided']:,} rooms (rooms with arrears {summary['rooms_with_arrears']:,}): "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(report["tactics"].items(), key=lambda kv: -kv[1]))
              + f"; held {report['held']:,}")
        print(f"outputs: {report['outputs']}; outbox {last['outbox']['files']} files, {last['outbox']['mib']} MiB: "
              f"{last['outbox']['entries']}")
        for warning in report["warnings"] or []:
            print(f"run warning: {warning}")
        print("checks: " + ("all passed" if not bench.problems else "FAILED: " + "; ".join(bench.problems)))
    return 0 if not bench.problems else 1


if __name__ == "__main__":
    sys.exit(main())
