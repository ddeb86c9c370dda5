"""Benchmark `feedun classify` on a large store against just loading classify's inputs from that store.

    .venv/bin/python benchmarks/bench_classify.py                  # 100,000 rooms, 300,000 contacts
    .venv/bin/python benchmarks/bench_classify.py --repeat 3 --json
    .venv/bin/python benchmarks/bench_classify.py --build-only --force

The store is written directly with SQLAlchemy Core bulk inserts (not through `feedun import`, which would need a
multi-million-row spreadsheet and minutes of xlsx parsing): ~10 estates, 100,000 rooms, one ledger snapshot of
12 months (2025-12..2026-11, as of 2026-11-25), 300,000 contacts over the past 6 months, promises, profiles and
sent letters. It is cached as benchmarks/data/classify-100k.db (git-ignored) with a .json summary beside it and
rebuilt only with --force, when the generator version or feedun's SCHEMA_VERSION changed, or when it is missing.
Only lines that owe something plus every line of the newest month are stored (see the README); --full-ledger
stores every line. The build runs in its own subprocess, so its ~1 GiB of rows never inflates the measured peaks.

Each repetition copies the cached store to a fresh temporary folder (classify writes a run and its decisions)
and runs two subprocesses on the copy, one after the other, each timed and measured on its own:

* load: `Store.open(url)` then `feedun.decide.features.load_inputs(store, as_of)`, the baseline: only reading
  classify's inputs;
* classify: `Store.open(url)` then `feedun.decide.classify.classify(store, settings, as_of=...)`: load + features +
  policy + storing the run and its decisions.

Seconds are opening the store plus the call, timed inside the child after its imports (pandas, SQLAlchemy,
feedun.decide.classify, feedun.decide.features, feedun.decide.policy, feedun.store are imported by both children
before the clock starts); opening is timed on both sides, as the old `db_url` functions opened the store inside
the call. Peak memory is each
child's own ru_maxrss from os.wait4() for that pid (so it includes the interpreter and those imports).
After classify, the copy is checked: exactly one decision per room with arrears (outstanding > 0 in the snapshot).
Targets: classify seconds <= 3 x load seconds (best of --repeat) and classify peak RSS < 2 GiB.
Exit status 0 when both pass, 1 when a target is missed or classify misbehaves, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import Figures, child_env, load_average, machine, project_commit, run_measured

DATA_DIR = Path(__file__).resolve().parent / "data"
GENERATOR_VERSION = 1  # bump when the generated store changes, so cached stores are rebuilt
DEFAULT_ROOMS = 100_000
DEFAULT_CONTACTS = 300_000
DEFAULT_SEED = 20261125

TARGET_RATIO = 3.0  # classify seconds / load seconds, at most
TARGET_PEAK_MIB = 2048.0

AS_OF = date(2026, 11, 25)
PERIODS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]  # 12 billing months, oldest first
DUE_DAY = 15
CONTACT_DAYS = 183  # contacts fall in the 6 months before AS_OF


@dataclass(frozen=True)
class Estate:
    name: str
    units: int  # per building
    floors: int
    rooms_per_floor: int
    price_fen: int  # 物业服务费 per m² per month
    parking_fen: int  # 车位管理费 per month
    weight: int  # share of all rooms, in percent


ESTATES = [
    Estate("阳光花园", 2, 11, 2, 180, 8_000, 6),
    Estate("翠湖苑", 3, 18, 2, 220, 12_000, 8),
    Estate("金桂华庭", 2, 26, 4, 280, 15_000, 10),
    Estate("锦绣江南", 2, 33, 4, 350, 20_000, 12),
    Estate("滨江壹号", 1, 32, 2, 480, 30_000, 6),
    Estate("碧水湾", 2, 18, 3, 200, 10_000, 8),
    Estate("紫荆公馆", 2, 28, 4, 300, 15_000, 10),
    Estate("御景东方", 3, 30, 4, 260, 12_000, 14),
    Estate("桃源新村", 4, 6, 2, 120, 6_000, 14),
    Estate("星河湾", 2, 34, 4, 380, 25_000, 12),
]
SURNAMES = [*"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚",
            "欧阳", "司马"]
GIVEN_CHARS = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然欣怡子涵梓轩雨婷佳琪")
MOBILE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                   "158", "159", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189"]
COLLECTORS = ["李管家", "王管家", "张管家", "刘管家", "陈管家", "杨管家", "黄管家", "赵管家", "周管家", "吴管家",
              "徐管家", "孙管家", "马管家", "朱管家", "胡管家"]
# (share of rooms, chance that a month is unpaid): most rooms almost always pay, some often not, a few never.
ROOM_ARREARS_P = [(0.60, 0.05), (0.25, 0.50), (0.15, 0.95)]
PARKING_SHARE = 0.35  # rooms with a parking slot, billed 车位管理费
PARTIAL_SHARE = 0.15  # unpaid lines that were partly paid
OUTCOME_WEIGHTS = {  # of contacts; every code of feedun.memory.contacts.OUTCOMES
    "no_answer": 30, "promised": 12, "vague": 12, "busy_away": 8, "callback": 8, "paid_claimed": 6,
    "refused_quality": 3, "refused_service": 3, "refused_unfair": 3, "refused_other": 2, "invalid_number": 3,
    "wrong_person": 2,
}
CHANNEL_WEIGHTS = {"call": 70, "sms": 10, "wechat": 10, "visit": 6, "in_person": 3, "letter": 1}
PREVIOUS_OWNER_SHARE = 0.02  # rooms sold in the last months: older contacts/promises/profiles are the seller's
PROFILE_SHARE = 0.20
TAG_P = {"rapport": 0.40, "hot_tempered": 0.15, "leader": 0.05, "timid": 0.10, "absentee": 0.10}
DISPUTE_WEIGHTS = {"quality": 30, "service": 25, "neighbor": 10, "vacancy": 15, "shared_cost": 15, "other": 5}

Log = Callable[..., None]


# ---- the store ------------------------------------------------------------------------------------

def default_db(rooms: int, contacts: int, seed: int, full_ledger: bool) -> Path:
    label = f"{rooms // 1000}k" if rooms % 1000 == 0 else str(rooms)
    if contacts != rooms * 3:
        label += f"-c{contacts}"
    if seed != DEFAULT_SEED:
        label += f"-s{seed}"
    if full_ledger:
        label += "-full"
    return DATA_DIR / f"classify-{label}.db"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


def _mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _split(total: int, weights: list[int]) -> list[int]:
    shares = [total * w // sum(weights) for w in weights]
    shares[-1] += total - sum(shares)
    return shares


def _room_codes(estate: Estate, count: int) -> list[tuple[str, str, str]]:
    """(building, unit, canonical room '3-2-1201') in building/unit/floor/room order."""
    codes = []
    building = 0
    while len(codes) < count:
        building += 1
        for unit in range(1, estate.units + 1):
            for floor in range(1, estate.floors + 1):
                for r in range(1, estate.rooms_per_floor + 1):
                    if len(codes) < count:
                        codes.append((str(building), str(unit), f"{building}-{unit}-{floor}{r:02d}"))
    return codes


class Inserter:
    """Bulk inserts through SQLAlchemy Core: the insert compiled once for the dialect, SQLAlchemy's own bind
    processors applied per column (dates as SQLite text the way feedun reads them back), one executemany."""

    def __init__(self, conn, batch: int = 50_000) -> None:
        self.conn, self.batch, self.counts = conn, batch, {}

    def __call__(self, table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        names = [c.name for c in table.c if c.name in rows[0]]
        compiled = table.insert().compile(dialect=self.conn.dialect, column_keys=names)
        processors = {n: table.c[n].type._cached_bind_processor(self.conn.dialect) for n in names}
        order = list(compiled.positiontup) if compiled.positional else names
        sql = str(compiled)
        for start in range(0, len(rows), self.batch):
            params = []
            for row in rows[start:start + self.batch]:
                values = []
                for n in order:
                    v = row[n]
                    p = processors[n]
                    values.append(p(v) if p is not None and v is not None else v)
                params.append(tuple(values) if compiled.positional else dict(zip(order, values, strict=True)))
            self.conn.exec_driver_sql(sql, params)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)


def build_store(path: Path, n_rooms: int, n_contacts: int, seed: int, full_ledger: bool, log: Log) -> dict:
    """Write the benchmark store to `path` (replaced atomically); return its summary."""
    from feedun.store import open_store
    from feedun.store.schema import (
        SCHEMA_VERSION,
        contacts,
        import_estates,
        imports,
        ledger_lines,
        letters,
        profiles,
        promises,
        rooms,
    )

    started = time.perf_counter()
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".building")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{tmp}")

    # Rooms, owners, the arrears pattern of each room.
    room_rows: list[dict] = []
    info: list[dict] = []  # per room id - 1: what the later tables need
    per_estate = _split(n_rooms, [e.weight for e in ESTATES])
    estate_collector = {e.name: COLLECTORS[i % len(COLLECTORS)] for i, e in enumerate(ESTATES)}
    for estate, count in zip(ESTATES, per_estate, strict=True):
        for building, unit, code in _room_codes(estate, count):
            owner = _name(rng)
            phones = "" if rng.random() < 0.02 else (
                f"{_mobile(rng)},{_mobile(rng)}" if rng.random() < 0.08 else _mobile(rng))
            u = rng.random()
            p_unpaid = next(p for share, p in _cumulative(ROOM_ARREARS_P) if u < share)
            room_id = len(room_rows) + 1
            room_rows.append({"id": room_id, "estate": estate.name, "room": code, "owner": owner,
                              "collector": rng.choice(COLLECTORS) if rng.random() < 0.01 else None,
                              "last_import_id": 1})
            info.append({"estate": estate, "building": building, "unit": unit, "room": code, "owner": owner,
                         "phones": phones, "p": p_unpaid, "area": round(rng.uniform(55, 180), 2),
                         "parking": rng.random() < PARKING_SHARE,
                         "previous_owner": _name(rng) if rng.random() < PREVIOUS_OWNER_SHARE else None})

    # The ledger snapshot: each room x month x fee item; a month is either paid or unpaid for all its items.
    line_rows: list[dict] = []
    slots = 0
    owed_months: list[int] = []  # per room
    outstanding: list[int] = []  # per room, fen
    for r in info:
        est: Estate = r["estate"]
        items = [("物业服务费", round(r["area"] * est.price_fen)), ("公摊水电费", rng.randrange(2_000, 8_000))]
        if r["parking"]:
            items.append(("车位管理费", est.parking_fen))
        months = 0
        owed_total = 0
        for m, (year, month) in enumerate(PERIODS):
            unpaid = rng.random() < r["p"]
            months += unpaid
            latest = m == len(PERIODS) - 1
            due = date(year, month, DUE_DAY)
            for fee_item, amount in items:
                slots += 1
                if unpaid:
                    paid = rng.randrange(1, amount) if rng.random() < PARTIAL_SHARE else 0
                    discount = 0
                    owed = amount - paid
                    late = owed * max((AS_OF - due).days, 0) * 5 // 10_000
                elif latest or full_ledger:
                    paid, discount, owed, late = amount, 0, 0, 0
                else:
                    continue  # a paid line of an older month: not stored (see the README)
                line_rows.append({
                    "import_id": 1, "source_row": len(line_rows) + 4, "estate": est.name,
                    "building": r["building"], "unit": r["unit"], "room": r["room"], "owner": r["owner"],
                    "phones": r["phones"], "phones_invalid": "", "area": r["area"], "fee_item": fee_item,
                    "period": f"{year:04d}-{month:02d}", "period_end": None, "due_date": due, "amount_due": amount,
                    "paid": paid, "discount": discount, "outstanding": owed, "late_fee": late, "remark": "",
                })
                owed_total += owed
        owed_months.append(months)
        outstanding.append(owed_total)
    debtors = [i for i, o in enumerate(outstanding) if o > 0]
    owed_lines = sum(1 for line in line_rows if line["outstanding"] > 0)
    log(f"  {len(room_rows):,} rooms, {len(debtors):,} with arrears; {len(line_rows):,} ledger lines stored "
        f"({owed_lines:,} owed) of {slots:,} room x month x fee item lines")

    # Contacts: mostly with debtors, the more chronic the more often; a few with rooms that paid up since.
    weights = [0.1 + owed_months[i] for i in range(len(info))]
    first_day = AS_OF - timedelta(days=CONTACT_DAYS)
    outcomes, outcome_w = list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values())
    channels, channel_w = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    picked = rng.choices(range(len(info)), weights=weights, k=n_contacts)
    contact_rows: list[dict] = []
    promise_rows: list[dict] = []
    seen: set[tuple[int, datetime, str]] = set()
    for i in picked:
        r = info[i]
        at = datetime.combine(first_day + timedelta(days=rng.randrange(CONTACT_DAYS + 1)), datetime.min.time()) \
            + timedelta(seconds=rng.randrange(8 * 3600, 21 * 3600))
        outcome = rng.choices(outcomes, outcome_w)[0]
        key = (i + 1, at, outcome)
        if key in seen:
            continue
        seen.add(key)
        owner = r["previous_owner"] if r["previous_owner"] and at.date() < AS_OF - timedelta(days=60) else r["owner"]
        collector = room_rows[i]["collector"] or estate_collector[r["estate"].name]
        promise_date = (at + timedelta(days=rng.randrange(3, 31))).date() if outcome == "promised" else None
        contact_id = len(contact_rows) + 1
        contact_rows.append({
            "id": contact_id, "room_id": i + 1, "owner": owner, "at": at, "channel": rng.choices(channels, channel_w)[0],
            "outcome": outcome, "promise_date": promise_date,
            "promise_amount": rng.randrange(10_000, 200_000) if promise_date and rng.random() < 0.3 else None,
            "callback_at": at + timedelta(days=rng.randrange(1, 8)) if outcome == "callback" else None,
            "by": collector, "note": "", "recorded_at": at + timedelta(minutes=rng.randrange(1, 120)),
        })
        if promise_date is not None:
            if owner != r["owner"]:
                state = "void"
            elif promise_date >= AS_OF:
                state = "open"
            else:
                state = "kept" if rng.random() < 0.45 else "broken"
            baseline = max(outstanding[i], 10_000)
            paid = baseline if state == "kept" else (rng.randrange(0, baseline // 2) if state == "broken" else None)
            promise_rows.append({
                "contact_id": contact_id, "room_id": i + 1, "owner": owner, "made_at": at,
                "promise_date": promise_date, "amount": contact_rows[-1]["promise_amount"], "baseline": baseline,
                "state": state, "paid": paid,
                "settled_on": AS_OF if state in ("kept", "broken") else None,
                "settled_import_id": 1 if state in ("kept", "broken") else None,
            })

    # Profiles: a fifth of the rooms, with tags, some disputes, a few do-not-contact; sellers keep theirs.
    profile_rows: list[dict] = []
    tags, tag_p = list(TAG_P), list(TAG_P.values())
    disputes, dispute_w = list(DISPUTE_WEIGHTS), list(DISPUTE_WEIGHTS.values())
    for i, r in enumerate(info):
        owners = [r["owner"]] if rng.random() < PROFILE_SHARE else []
        if r["previous_owner"] and rng.random() < 0.5:
            owners.append(r["previous_owner"])
        for owner in owners:
            has_dispute = rng.random() < 0.15
            profile_rows.append({
                "room_id": i + 1, "owner": owner,
                "tags": ",".join(t for t, p in zip(tags, tag_p, strict=True) if rng.random() < p),
                "dispute": rng.choices(disputes, dispute_w)[0] if has_dispute else None,
                "dispute_open": int(rng.random() < 0.6) if has_dispute else None,
                "plate": f"粤B{rng.randrange(10**5):05d}" if r["parking"] else None,
                "slot": f"B{rng.randrange(1, 3)}-{rng.randrange(1, 400):03d}" if r["parking"] else None,
                "alt_contacts": json.dumps([_mobile(rng)]) if rng.random() < 0.1 else "[]",
                "do_not_contact": int(rng.random() < 0.02), "workplace": None,
                "updated_at": datetime.combine(first_day + timedelta(days=rng.randrange(CONTACT_DAYS)),
                                               datetime.min.time()) + timedelta(hours=10),
            })

    # Letters: dunning letters to rooms owing 3+ months, lawyer letters to a few chronic ones; some drafts/voids.
    letter_rows: list[dict] = []
    numbers: dict[tuple[str, int], int] = {}

    def letter(i: int, kind: str, issued: date, state: str, deadline: date | None) -> None:
        key = (kind, issued.year)
        numbers[key] = numbers.get(key, 0) + 1
        prefix = "催字" if kind == "dunning" else "律字"
        letter_rows.append({
            "number": f"{prefix}〔{issued.year}〕第{numbers[key]:05d}号", "kind": kind, "room_id": i + 1,
            "owner": info[i]["owner"], "amount": outstanding[i], "late_fee": 0, "issued_on": issued,
            "deadline": deadline, "delivery": rng.choice(("EMS", "当面送达", "张贴")), "evidence": "",
            "state": state, "sent_on": issued if state in ("sent", "signed", "returned") else None,
        })

    for i in debtors:
        if owed_months[i] >= 3 and rng.random() < 0.4:
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                issued = AS_OF - timedelta(days=rng.randrange(0, 240))
                letter(i, "dunning", issued, rng.choices(("sent", "signed", "returned", "draft", "void"),
                                                         (70, 15, 5, 7, 3))[0], None)
            if owed_months[i] >= 9 and rng.random() < 0.08:
                issued = AS_OF - timedelta(days=rng.randrange(0, 120))
                letter(i, "lawyer", issued, rng.choices(("sent", "signed", "returned", "draft"), (60, 25, 10, 5))[0],
                       issued + timedelta(days=rng.choice((15, 30))))

    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        insert = Inserter(conn)
        insert(imports, [{
            "id": 1, "kind": "ledger", "file_name": f"benchmark-{n_rooms}-rooms.xlsx",
            "sha256": f"{seed:064x}"[-64:], "sheet": "欠费明细", "as_of": AS_OF, "layout": "long",
            "rows_read": len(line_rows), "accepted": len(line_rows), "rejected": 0, "skipped": 0,
            "column_mapping": json.dumps({}, ensure_ascii=False), "rejects_file": None,
            "imported_at": datetime.combine(AS_OF, datetime.min.time()) + timedelta(hours=9),
        }])
        insert(import_estates, [{"import_id": 1, "estate": e.name} for e in ESTATES])
        insert(rooms, room_rows)
        insert(ledger_lines, line_rows)
        insert(contacts, contact_rows)
        insert(promises, promise_rows)
        insert(profiles, profile_rows)
        insert(letters, letter_rows)
        counts = dict(insert.counts)
    engine.dispose()
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    con.close()
    for p in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    os.replace(tmp, path)
    Path(f"{tmp}-wal").unlink(missing_ok=True)
    Path(f"{tmp}-shm").unlink(missing_ok=True)

    summary = {
        "generator_version": GENERATOR_VERSION, "schema_version": SCHEMA_VERSION, "seed": seed,
        "as_of": AS_OF.isoformat(), "estates": [e.name for e in ESTATES], "rooms_per_estate": per_estate,
        "collectors": estate_collector, "full_ledger": full_ledger, "ledger_line_slots": slots,
        "rows": counts, "owed_lines": owed_lines, "rooms_with_arrears": len(debtors),
        "promise_states": _tally(p["state"] for p in promise_rows),
        "letters_by_kind_state": _tally(f"{x['kind']}/{x['state']}" for x in letter_rows),
        "profiles_with_dispute": sum(1 for p in profile_rows if p["dispute"]),
        "db_mib": round(path.stat().st_size / 2**20, 1), "build_seconds": round(time.perf_counter() - started, 1),
    }
    path.with_suffix(".json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return summary


def _cumulative(pairs: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out, total = [], 0.0
    for share, p in pairs:
        total += share
        out.append((total, p))
    out[-1] = (float("inf"), out[-1][1])
    return out


def _tally(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return dict(sorted(counts.items()))


def cached_summary(path: Path) -> dict | None:
    """The summary of a cached store that this generator and this feedun's schema would write, else None."""
    from feedun.store.schema import SCHEMA_VERSION

    sidecar = path.with_suffix(".json")
    if not (path.exists() and sidecar.exists()):
        return None
    summary = json.loads(sidecar.read_text(encoding="utf-8"))
    if summary.get("generator_version") != GENERATOR_VERSION or summary.get("schema_version") != SCHEMA_VERSION:
        return None
    return summary


def ensure_store(args: argparse.Namespace, path: Path, log: Log) -> dict:
    """Find the cached store or build it. Building holds ~1 GiB of rows, so unless this process only builds
    (--build-only), it runs in a subprocess: a child's ru_maxrss would otherwise start from this process's RSS
    (Linux carries the parent's high-water mark over fork/vfork + exec), inflating the measured peaks."""
    summary = None if args.force else cached_summary(path)
    if summary is not None:
        log(f"store: {path} (cached, {summary['db_mib']} MiB; --force rebuilds it)")
        return summary
    if args.build_only:
        log(f"store: building {path} ...")
        summary = build_store(path, args.rooms, args.contacts, args.seed, args.full_ledger, log)
        log(f"  built in {summary['build_seconds']} s, {summary['db_mib']} MiB")
        return summary
    cmd = [sys.executable, str(Path(__file__).resolve()), "--build-only", "--force", "--rooms", str(args.rooms),
           "--contacts", str(args.contacts), "--seed", str(args.seed), "--db", str(path)]
    if args.full_ledger:
        cmd.append("--full-ledger")
    subprocess.run(cmd, check=True, stdin=subprocess.DEVNULL, stdout=sys.stderr if args.json else None)
    summary = cached_summary(path)
    if summary is None:
        fail(f"building {path} left no usable store")
    return summary


# ---- the measured children ------------------------------------------------------------------------

CHILD_CODE = r"""
import json, sys, time
from datetime import date
from pathlib import Path
t0 = time.perf_counter()
import pandas, sqlalchemy
import feedun.decide.classify, feedun.decide.features, feedun.decide.policy.evaluate, feedun.decide.policy.load
import feedun.store.inputs, feedun.store.ledger, feedun.store.runs
from feedun.config import Settings
from feedun.store import Store
mode, db_url, as_of, config = sys.argv[1], sys.argv[2], date.fromisoformat(sys.argv[3]), json.loads(sys.argv[4])
settings = Settings.model_validate(config)
settings.workspace = Path.cwd()  # no policy.toml here: the default policy decides
stages = {}

def timed(module, name):
    inner = getattr(module, name)
    def wrapper(*args, **kwargs):
        s = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            stages[name] = stages.get(name, 0.0) + time.perf_counter() - s
    setattr(module, name, wrapper)

t1, c1 = time.perf_counter(), time.process_time()
if mode == "load":
    store = Store.open(db_url)
    inputs = feedun.decide.features.load_inputs(store, as_of)
    t2, c2 = time.perf_counter(), time.process_time()
    info = {name: len(frame) for name, frame in inputs.items()}
else:
    # classify reads through the names it imported (read_inputs, build_features, inputs_fingerprint, _decide are
    # looked up in feedun.decide.classify at call time; decide as evaluate.decide), so those are wrapped.
    for module, name in ((feedun.decide.classify, "read_inputs"), (feedun.decide.classify, "inputs_fingerprint"),
                         (feedun.decide.classify, "build_features"), (feedun.decide.policy.evaluate, "decide"),
                         (feedun.decide.classify, "_decide")):
        timed(module, name)
    t1, c1 = time.perf_counter(), time.process_time()
    store = Store.open(db_url)
    stages["open_store"] = time.perf_counter() - t1
    run = feedun.decide.classify.classify(store, settings, as_of=as_of)
    t2, c2 = time.perf_counter(), time.process_time()
    whole_decide = stages.pop("_decide")
    stages = {"open_store": stages["open_store"], "load_inputs": stages["read_inputs"],
              "inputs_fingerprint": stages["inputs_fingerprint"], "build_features": stages["build_features"],
              "decide": stages["decide"],
              "collectors_and_sort": whole_decide - stages["read_inputs"] - stages["inputs_fingerprint"]
              - stages["build_features"] - stages["decide"],
              "store_run": (t2 - t1) - stages["open_store"] - whole_decide}
    frame = run.frame
    info = {"run_id": run.run_id, "decisions": len(run), "policy": run.policy,
            "tactics": frame["tactic"].fillna("hold:" + frame["hold"].fillna("")).value_counts().to_dict()}
print(json.dumps({"import_seconds": t1 - t0, "seconds": t2 - t1, "cpu_seconds": c2 - c1, "info": info,
                  "stages": stages}, ensure_ascii=False))
"""


def run_child(mode: str, db: Path, summary: dict, figures: Figures, log: Log) -> dict:
    config = {"collectors": summary["collectors"]}
    cmd = [sys.executable, "-c", CHILD_CODE, mode, f"sqlite:///{db}", summary["as_of"],
           json.dumps(config, ensure_ascii=False)]
    run = run_measured(cmd, db.parent, child_env())
    if run.returncode != 0:
        fail(f"the {mode} child failed", run)
    try:
        result = json.loads(run.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        fail(f"the {mode} child did not print JSON", run)
    figures.seconds.append(result["seconds"])
    figures.cpu_seconds.append(result["cpu_seconds"])
    figures.wall_seconds.append(run.wall_seconds)
    figures.peak_mib.append(run.peak_mib)
    extra = ""
    if mode == "load":
        extra = ", rows " + ", ".join(f"{k} {v:,}" for k, v in result["info"].items())
    else:
        extra = ", stages " + ", ".join(f"{k} {v:.2f}" for k, v in result["stages"].items())
    log(f"  {mode + ':':9} {result['seconds']:.2f} s, cpu {result['cpu_seconds']:.2f} s (whole process "
        f"{run.wall_seconds:.1f} s), peak {run.peak_mib:.0f} MiB{extra}")
    return result


def fail(message: str, run=None) -> None:
    print(f"error: {message}", file=sys.stderr)
    if run is not None:
        print(f"--- exit code {run.returncode}; stderr:\n{run.stderr[-4000:]}", file=sys.stderr)
        print(f"--- stdout:\n{run.stdout[-2000:]}", file=sys.stderr)
    sys.exit(1)


def check_decisions(db: Path, run_id: int, summary: dict) -> dict:
    """Exactly one decision per room with arrears in the snapshot, and none for any other room."""
    con = sqlite3.connect(db)
    try:
        arrears = """SELECT r.id FROM rooms r JOIN (SELECT estate, room FROM ledger_lines WHERE import_id = 1
                     GROUP BY estate, room HAVING SUM(outstanding) > 0) l ON l.estate = r.estate AND l.room = r.room"""
        expected = con.execute(f"SELECT COUNT(*) FROM ({arrears})").fetchone()[0]
        total, distinct = con.execute("SELECT COUNT(*), COUNT(DISTINCT room_id) FROM decisions WHERE run_id = ?",
                                      (run_id,)).fetchone()
        missing = con.execute(f"SELECT COUNT(*) FROM ({arrears} EXCEPT SELECT room_id FROM decisions "
                              "WHERE run_id = ?)", (run_id,)).fetchone()[0]
        extra = con.execute(f"SELECT COUNT(*) FROM (SELECT room_id FROM decisions WHERE run_id = ? EXCEPT "
                            f"{arrears})", (run_id,)).fetchone()[0]
        runs = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    finally:
        con.close()
    check = {"rooms_with_arrears": expected, "decisions": total, "distinct_rooms": distinct, "missing": missing,
             "extra": extra, "runs": runs}
    problems = []
    if expected != summary["rooms_with_arrears"]:
        problems.append(f"the store has {expected} rooms with arrears, the generator made "
                        f"{summary['rooms_with_arrears']}")
    if not (total == distinct == expected and missing == 0 and extra == 0 and runs == 1):
        problems.append(f"decisions do not match rooms with arrears one to one: {check}")
    if problems:
        fail("; ".join(problems))
    return check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=DEFAULT_ROOMS, help="rooms in the store (default %(default)s)")
    parser.add_argument("--contacts", type=int, default=None, help="contacts in the store (default 3 per room)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--full-ledger", action="store_true",
                        help="also store the paid (outstanding 0) lines of the older months, i.e. every "
                             "room x month x fee item line (a store about 2.3x larger)")
    parser.add_argument("--db", type=Path, default=None, help="where to cache the store (default benchmarks/data/)")
    parser.add_argument("--force", action="store_true", help="rebuild the store even when it is cached")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the store and stop")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each side (default %(default)s); the best times are compared")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.rooms < 100:
        parser.error("--rooms must be at least 100")
    if args.contacts is None:
        args.contacts = args.rooms * 3
    if args.contacts < 0:
        parser.error("--contacts must not be negative")

    def log(*parts: object) -> None:  # progress goes to stderr under --json, so stdout stays pure JSON
        print(*parts, file=sys.stderr if args.json else sys.stdout, flush=True)

    db = args.db.resolve() if args.db else default_db(args.rooms, args.contacts, args.seed, args.full_ledger)
    summary = ensure_store(args, db, log)
    if args.build_only:
        if args.json:
            print(json.dumps({"db": str(db), **summary}, ensure_ascii=False, indent=2))
        return 0

    load = Figures("load_inputs (baseline)")
    whole = Figures("classify (load + features + policy + store)")
    loads = [load_average()]
    commit = project_commit()
    load_info: dict = {}
    classify_info: dict = {}
    checks = []
    stages: list[dict] = []
    log(f"{summary['rows']['rooms']:,} rooms ({summary['rooms_with_arrears']:,} with arrears), "
        f"{summary['rows']['ledger_lines']:,} ledger lines, {summary['rows']['contacts']:,} contacts; "
        f"{args.repeat} run(s) each, as of {summary['as_of']}")
    for i in range(args.repeat):
        log(f"run {i + 1}/{args.repeat}")
        with tempfile.TemporaryDirectory(prefix="feedun-bench-") as tmp:
            copy = Path(tmp) / "feedun.db"
            shutil.copyfile(db, copy)
            copy.read_bytes()  # warm the page cache for both children
            load_info = run_child("load", copy, summary, load, log)
            classify_info = run_child("classify", copy, summary, whole, log)
            checks.append(check_decisions(copy, classify_info["info"]["run_id"], summary))
            stages.append(classify_info["stages"])
        loads.append(load_average())
        log(f"  checked: {checks[-1]['decisions']:,} decisions = {checks[-1]['rooms_with_arrears']:,} rooms with "
            "arrears, one each")

    if project_commit() != commit:
        log(f"warning: the feedun checkout changed during the runs (was {commit}, now {project_commit()})")
        commit = f"{commit} -> {project_commit()}"
    ratio = whole.best / load.best
    cpu_ratio = min(whole.cpu_seconds) / min(load.cpu_seconds)
    peak = max(whole.peak_mib)
    ratio_ok = ratio <= TARGET_RATIO
    memory_ok = peak < TARGET_PEAK_MIB
    best = min(range(len(stages)), key=lambda k: whole.seconds[k])
    report = {
        "db": str(db), "store": summary, "repeat": args.repeat,
        "load": {**load.summary(), "rows": load_info["info"]},
        "classify": {**whole.summary(), "stages_of_best": stages[best], "stages": stages,
                     "tactics": classify_info["info"]["tactics"], "policy": classify_info["info"]["policy"]},
        "checks": checks, "ratio": ratio, "cpu_ratio": cpu_ratio,
        "targets": {"ratio_max": TARGET_RATIO, "classify_peak_mib_max": TARGET_PEAK_MIB},
        "pass": {"ratio": ratio_ok, "memory": memory_ok},
        "machine": machine(), "load_average_1min": loads, "feedun_commit": commit,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        m = report["machine"]
        width = max(len(load.name), len(whole.name))
        print()
        print(f"machine: {m['nproc']} CPU ({m['cpu']}), {m['memory_gib']} GiB RAM, Python {m['python']}")
        print(f"feedun {report['feedun_commit']}; 1-min load average during the runs: "
              + ", ".join("?" if x is None else f"{x:.1f}" for x in loads))
        print(f"{'':{width}}  {'seconds':>9}  {'cpu s':>9}  {'peak MiB':>9}")
        for fig in (load, whole):
            print(f"{fig.name:{width}}  {fig.best:9.2f}  {min(fig.cpu_seconds):9.2f}  {max(fig.peak_mib):9.0f}")
        print("classify stages (best run): "
              + ", ".join(f"{k} {v:.2f} s" for k, v in stages[best].items()))
        print(f"ratio classify/load: {ratio:.2f}x (target <= {TARGET_RATIO:g})  {'PASS' if ratio_ok else 'FAIL'}"
              f"   (by CPU time: {cpu_ratio:.2f}x, for information)")
        print(f"classify peak memory: {peak:.0f} MiB (target < {TARGET_PEAK_MIB:.0f} MiB)  "
              f"{'PASS' if memory_ok else 'FAIL'}")
    return 0 if ratio_ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
