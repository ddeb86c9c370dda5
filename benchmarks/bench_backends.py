"""Benchmark a 200k-row ledger import on SQLite and on PostgreSQL, in one run.

    .venv/bin/python benchmarks/bench_backends.py --pg postgresql+psycopg://feedun@127.0.0.1:55432/postgres
    .venv/bin/python benchmarks/bench_backends.py --pg URL --rows 50000 --repeat 3 --json

`--pg` is an admin URL; each measurement gets a new, empty database there (dropped afterwards), and every
SQLite measurement a new file in a temporary folder. The same 200k-row xlsx (benchmarks/make_ledger.py) is:

* imported whole by the CLI, `feedun import PATH --db URL`, from process start to exit, on each backend;
* parsed once in this process, and its lines written by the store stage alone (one `import_transaction` with
  `add_import` and `feedun.intake.ledger.write_lines`: the import row, all lines and settlement), on SQLite
  (compiled executemany), on PostgreSQL with COPY (what feedun uses) and on PostgreSQL with the executemany path
  (the baseline COPY replaces).

Without `--pg` only the SQLite measurements run (a smoke test: `--rows 1000 --repeat 1`) and no ratios are given.

Reported: best-of-`--repeat` seconds, and the ratios SQLite / PostgreSQL (whole import and store stage) and
executemany / COPY (store stage on PostgreSQL). The server is whatever --pg points at; for the figures in
benchmarks/README.md it was .ci/postgres (Debian's PostgreSQL 15, loopback, fsync off on a throwaway cluster)
on the same machine, so network latency is not part of them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_ledger

FEEDUN = str(Path(sys.executable).with_name("feedun"))


def new_database(admin_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def cli_import(path: Path, url: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([FEEDUN, "import", str(path), "--json", "--db", url], capture_output=True, text=True,
                          check=False, cwd=Path(url.removeprefix("sqlite:///")).parent if url.startswith("sqlite") else None)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"feedun import failed on {url.split('://')[0]}:\n{done.stderr}")
    return seconds


def store_stage(parsed, url: str, use_copy: bool) -> float:
    """The store stage alone, on a fresh store, for lines parsed beforehand: what feedun's ledger importer does in
    its transaction (the import row, then `write_lines`: estates, lines, settlement), nothing else."""
    from feedun.intake.ledger import write_lines
    from feedun.store import Store
    from feedun.store.imports import ImportRecord, add_import, import_transaction

    store = Store.open(url)
    result = parsed.result
    sha = f"{time.time_ns():064d}"[-64:]
    record = ImportRecord(kind="ledger", file_name="bench.xlsx", sha256=sha,
                          sheet=None, as_of=parsed.as_of, layout=parsed.cmap.layout, rows_read=result.rows_read,
                          accepted=result.accepted, rejected=result.rejected, skipped=result.skipped_total,
                          column_mapping={}, rejects_file=None)
    estates = sorted(set(result.lines["estate"]))
    lines = result.lines.copy()
    start = time.perf_counter()
    with import_transaction(store, sha) as tx:
        import_id = add_import(tx, record, datetime.now())
        settled = write_lines(tx, import_id, lines, estates, parsed.as_of, use_copy=use_copy)
    seconds = time.perf_counter() - start
    store.close()
    assert settled is not None
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="PostgreSQL admin URL (postgresql+psycopg://user@host:port/db); "
                                     "without it only SQLite is measured")
    parser.add_argument("--rows", type=int, default=make_ledger.DEFAULT_ROWS)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from feedun.config import Settings
    from feedun.intake.importer import parse_ledger

    path = make_ledger.ensure_ledger(args.rows)
    best: dict[str, float] = {}

    def keep(name: str, seconds: float) -> None:
        best[name] = min(seconds, best.get(name, seconds))
        print(f"  {name}: {seconds:.2f} s", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        parsed = parse_ledger(path, Settings(workspace=Path(tmp)))
        lines = len(parsed.result.lines)
        for attempt in range(args.repeat):
            print(f"round {attempt + 1}/{args.repeat} ({lines:,} lines)", file=sys.stderr)
            sqlite_dir = Path(tempfile.mkdtemp(dir=tmp))
            keep("cli_sqlite", cli_import(path, f"sqlite:///{sqlite_dir}/feedun.db"))
            if args.pg:
                keep("cli_postgresql", cli_import(path, new_database(args.pg, "feedun_bench")))
            sqlite_dir = Path(tempfile.mkdtemp(dir=tmp))
            keep("store_sqlite", store_stage(parsed, f"sqlite:///{sqlite_dir}/feedun.db", True))
            if args.pg:
                keep("store_postgresql_copy", store_stage(parsed, new_database(args.pg, "feedun_bench"), True))
                keep("store_postgresql_executemany",
                     store_stage(parsed, new_database(args.pg, "feedun_bench"), False))
        if args.pg:
            drop_database(args.pg, "feedun_bench")
    report = {
        "rows": args.rows, "lines": lines, "repeat": args.repeat, "best_seconds": {k: round(v, 2) for k, v in best.items()},
    }
    if args.pg:
        report.update({
            "sqlite_over_postgresql_cli": round(best["cli_sqlite"] / best["cli_postgresql"], 2),
            "sqlite_over_postgresql_store": round(best["store_sqlite"] / best["store_postgresql_copy"], 2),
            "executemany_over_copy": round(best["store_postgresql_executemany"] / best["store_postgresql_copy"], 2),
        })
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, seconds in report["best_seconds"].items():
            print(f"{name:32s} {seconds:8.2f} s")
        if args.pg:
            print(f"whole import, SQLite / PostgreSQL:        {report['sqlite_over_postgresql_cli']:.2f}x")
            print(f"store stage, SQLite / PostgreSQL (COPY):  {report['sqlite_over_postgresql_store']:.2f}x")
            print(f"store stage on PostgreSQL, executemany / COPY: {report['executemany_over_copy']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
