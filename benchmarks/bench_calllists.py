"""Time `write_call_lists` (issue 18: call lists linear in rooms, 100k rooms' lists under 15 s).

    .venv/bin/python benchmarks/bench_calllists.py --config /tmp/calls-ws/feedun.toml --as-of 2026-12-07
    .venv/bin/python benchmarks/bench_calllists.py --config ... --sizes 10000,100000 --repeat 3 --keep /tmp/out

The workspace is a company already imported (e.g. `benchmarks/make_company.py` + `feedun import`, or the store
`feedun run` builds in `bench_run.py`); point --config at a COPY, the day's decisions are stored in it. The day's
decisions are read back (classified once first when there are none: not timed). For each size N the Decisions
value is cut to the rooms with the N lowest room ids (whole estates of the generated company, about 30 % owing),
then `write_call_lists` writes every collector's book, the overview and the watch list into a fresh folder. Wall
and CPU seconds (user + system of this process) per run, the best of --repeat, and the ratio of the largest size
to the smallest (linear: about the ratio of the sizes) are printed.

The store's contact history is read whole at every size (one query, about a second at 100k rooms): that fixed
cost is counted at the small sizes too, so the ratio errs a little on the low side.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def _decisions(config: Path, as_of: date):
    from feedun.config import load_settings
    from feedun.decide.classify import decisions_for
    from feedun.store import Store

    settings = load_settings(config)
    store = Store.for_settings(settings)
    started = time.perf_counter()
    decided, note = decisions_for(store, settings, as_of)
    print(f"decisions: {len(decided)} rooms owing ({time.perf_counter() - started:.1f} s"
          f"{'; ' + note if note else ', read back'})", file=sys.stderr)
    return settings, store, decided


def _cut(decided, rooms: int):
    from feedun.decide.decisions import Decisions

    frame = decided.frame[decided.frame["room_id"] <= rooms].reset_index(drop=True)
    return Decisions(as_of=decided.as_of, policy=decided.policy, frame=frame, run_id=decided.run_id)


def _run(store, settings, decided, out: Path, profile: Path | None) -> tuple[float, float]:
    from feedun.outputs.calllist import write_call_lists

    wall, cpu = time.perf_counter(), time.process_time()
    if profile:
        prof = cProfile.Profile()
        prof.runcall(write_call_lists, store, settings, decided, out_dir=out)
        prof.dump_stats(profile)
    else:
        write_call_lists(store, settings, decided, out_dir=out)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True, help="feedun.toml of an imported company (a copy)")
    parser.add_argument("--as-of", default="2026-12-07")
    parser.add_argument("--sizes", default="10000,100000", help="rooms, comma-separated (cut by room id)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the lists here (<size>/) instead of a temporary folder")
    parser.add_argument("--profile", action="store_true", help="cProfile one extra run per size; print the top")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    settings, store, decided = _decisions(args.config, date.fromisoformat(args.as_of))
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for size in sizes:
        part = _cut(decided, size)
        runs = []
        for i in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix="bench-calls-") as tmp:
                out = (args.keep / str(size)) if args.keep and i == args.repeat - 1 else Path(tmp) / "out"
                if out.exists():
                    shutil.rmtree(out)
                runs.append(_run(store, settings, part, out, None))
            print(f"{size:>7} rooms ({len(part)} owing): run {i + 1}: {runs[-1][0]:.2f} s wall, "
                  f"{runs[-1][1]:.2f} s CPU", file=sys.stderr)
        if args.profile:
            with tempfile.TemporaryDirectory(prefix="bench-calls-") as tmp:
                stats = Path(tmp) / "prof"
                _run(store, settings, part, Path(tmp) / "out", stats)
                pstats.Stats(str(stats), stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        best = min(runs)
        results.append({"rooms": size, "owing": len(part), "best_wall_s": round(best[0], 2),
                        "best_cpu_s": round(min(r[1] for r in runs), 2),
                        "wall_s": [round(r[0], 2) for r in runs], "cpu_s": [round(r[1], 2) for r in runs]})
    ratio = (results[-1]["best_wall_s"] / results[0]["best_wall_s"]) if len(results) > 1 else None
    cpu_ratio = (results[-1]["best_cpu_s"] / results[0]["best_cpu_s"]) if len(results) > 1 else None
    if args.json:
        print(json.dumps({"results": results, "ratio_wall": ratio, "ratio_cpu": cpu_ratio}, indent=2))
    else:
        print(f"{'rooms':>8} {'owing':>7} {'best wall s':>12} {'best CPU s':>11}  runs (wall)")
        for r in results:
            print(f"{r['rooms']:>8} {r['owing']:>7} {r['best_wall_s']:>12.2f} {r['best_cpu_s']:>11.2f}  {r['wall_s']}")
        if ratio is not None:
            print(f"ratio {sizes[-1]}/{sizes[0]}: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU "
                  f"(rooms {sizes[-1] / sizes[0]:.0f}x)")
        target = [r for r in results if r["rooms"] >= 100_000]
        if target:
            print(f"target 100k under 15 s: {'PASS' if target[-1]['best_wall_s'] < 15 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
