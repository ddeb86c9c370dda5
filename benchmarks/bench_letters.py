"""Benchmark rendering dunning letters: plain docxtpl per letter against PreparedTemplate, alone and on 2 cores.

    .venv/bin/python benchmarks/bench_letters.py                    # 5,000 letters (the naive loop takes minutes)
    .venv/bin/python benchmarks/bench_letters.py --letters 500 --json

N deterministic letter contexts (random.Random(seed)) with every key templates/letters/dunning.docx uses, shaped
as feedun.outputs.letters.generate.generate_letters builds them (owner, estate, room, 1-12 unpaid items, principal and late fee as
yuan strings, principal in capitals, dates as 2026年11月27日, company and bank fields). In one process, each side
into its own temporary folder, one after the other, every letter written to its own .docx file:

* (a) naive: feedun.outputs.letters.docx_render.render_naive(template, ctx, out) per letter, i.e. DocxTemplate opened,
  rendered and saved for every letter (the baseline; the issue measured about 21 ms a letter);
* (b) prepared: PreparedTemplate(template) once (counted), then .render(ctx) and Path.write_bytes per letter;
* (c) prepared x 2 processes: concurrent.futures.ProcessPoolExecutor(max_workers=2); each worker builds its own
  PreparedTemplate once (pool initializer) and renders whole chunks of letters to files. Counted from creating
  the pool to its shutdown (worker start, the contexts pickled to the workers, both templates prepared).

One untimed warm-up letter per side runs first (imports, page cache). Output is checked after the clock stops:
N files per side; every (b) file opens with python-docx; every (c) file is byte-identical to its (b) file (any
that is not is opened and text-compared on its own); and for a sample (the first, every 50th, the last letter)
the visible text (each paragraph's text and each table cell's text, in document order, headers and footers
included) of the naive and prepared documents is equal.
Target: naive seconds / best fast path seconds >= 5. Exit status 0 when it passes and the output checks pass,
1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_classify import ESTATES, _name
from bench_import import load_average, machine, project_commit

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "letters" / "dunning.docx"
DEFAULT_LETTERS = 5000
DEFAULT_SEED = 20261127
DEFAULT_WORKERS = 2
SAMPLE_EVERY = 50
TARGET_SPEEDUP = 5.0

AS_OF = date(2026, 11, 27)
PERIODS = [(2025, 12)] + [(2026, m) for m in range(1, 12)]  # 12 billing months, oldest first
LATE_FEE_PER_DAY = 0.0005  # 万分之五 a day, as the late_fee_basis below says
NUMBER_FORMAT = "催字〔{year}〕第{seq:04d}号"  # feedun's default dunning_number
COMPANIES = [  # estates split between three service companies; one has no address and no bank account ({% if %})
    {"company": "嘉禾物业服务有限公司", "company_address": "杭州市西湖区文三路 388 号嘉禾大厦 5 楼",
     "company_phone": "0571-88126688", "payment_methods": "物业服务中心前台、微信或支付宝缴费，也可银行转账",
     "bank_name": "中国工商银行杭州文三路支行", "bank_account": "1202 0212 0900 1234 567",
     "contact_person": "客服部 李女士", "late_fee_basis": "物业服务合同第十二条：逾期按欠费金额每日万分之五计收滞纳金",
     "deadline_days": 15},
    {"company": "翠湖物业管理有限公司", "company_address": "",
     "company_phone": "0571-86903321", "payment_methods": "物业服务中心前台刷卡或现金、“翠湖生活”小程序",
     "bank_name": "", "bank_account": "", "contact_person": "物业服务中心客服",
     "late_fee_basis": "物业服务合同约定：逾期按欠费金额每日万分之五计收滞纳金", "deadline_days": 15},
    {"company": "锦绣江南物业服务（杭州）有限公司", "company_address": "杭州市滨江区江南大道 1088 号 A 座",
     "company_phone": "", "payment_methods": "前台 & 线上（微信、支付宝、云闪付）",
     "bank_name": "招商银行杭州滨江支行", "bank_account": "5719 0368 1010 888",
     "contact_person": "收费组 王先生", "late_fee_basis": "《前期物业服务合同》第 8.3 条：每日万分之五",
     "deadline_days": 30},
]
TRADE_NAMES = ["恒通贸易", "鑫源投资", "盛达商贸", "华瑞科技", "博远文化"]


# ---- the letters ----------------------------------------------------------------------------------

def _room(rng: random.Random, estate) -> str:
    floor = rng.randint(1, estate.floors)
    return f"{rng.randint(1, 12)}-{rng.randint(1, estate.units)}-{floor}{rng.randint(1, estate.rooms_per_floor):02d}"


def _owner(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.01:
        return ""  # unknown: generate_letters writes 业主
    if roll < 0.03:
        return f"杭州{rng.choice(TRADE_NAMES)}有限公司"
    if roll < 0.08:
        return f"{_name(rng)}、{_name(rng)}"  # joint owners
    if roll < 0.09:
        return f"{_name(rng)} & {_name(rng)}"  # as typed into the ERP: exercises XML escaping
    return _name(rng)


def _due(year: int, month: int) -> date:
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, 15)  # a month is due on the 15th of the next month


def make_contexts(n: int, seed: int) -> list[dict[str, Any]]:
    """n letter contexts, the keys generate_letters passes to the template (its '_' keys are not needed)."""
    from feedun.core.money import yuan
    from feedun.outputs.capitals import capitals

    rng = random.Random(seed)
    estate_company = {e.name: COMPANIES[i % len(COMPANIES)] for i, e in enumerate(ESTATES)}
    weights = [e.weight for e in ESTATES]
    issued = f"{AS_OF.year}年{AS_OF.month}月{AS_OF.day}日"
    contexts = []
    for i in range(n):
        estate = rng.choices(ESTATES, weights)[0]
        company = estate_company[estate.name]
        area_m2 = rng.randint(60, 180)
        fees = {"物业服务费": area_m2 * estate.price_fen, "公摊水电费": rng.randint(1_500, 6_000)}
        if rng.random() < 0.35:
            fees["车位管理费"] = estate.parking_fen
        owed: list[tuple[str, tuple[int, int], tuple[int, int] | None, int]] = []
        months = sorted(rng.sample(range(len(PERIODS)), rng.randint(1, 12)))
        for m in months:
            for fee_item, fen in fees.items():
                if len(owed) == 12:
                    break
                if fee_item != "物业服务费" and rng.random() < 0.5:
                    continue
                if rng.random() < 0.15:
                    fen = fen * rng.randint(10, 90) // 100  # partly paid
                end = None
                if fee_item == "车位管理费" and rng.random() < 0.2 and m + 2 < len(PERIODS):
                    end, fen = PERIODS[m + 2], fen * 3  # billed by the quarter
                owed.append((fee_item, PERIODS[m], end, fen))
        owed.sort(key=lambda x: (f"{x[1][0]}-{x[1][1]:02d}", x[0]))
        items = [{"fee_item": fee_item, "period": f"{y}-{mo:02d}" + (f" 至 {end[0]}-{end[1]:02d}" if end else ""),
                  "amount": yuan(fen)} for fee_item, (y, mo), end, fen in owed]
        principal = sum(x[3] for x in owed)
        late_fee = sum(int(fen * LATE_FEE_PER_DAY * max((AS_OF - _due(*period)).days, 0))
                       for _, period, _, fen in owed)
        deadline = AS_OF + timedelta(days=company["deadline_days"])
        contexts.append({
            "number": NUMBER_FORMAT.format(year=AS_OF.year, seq=i + 1), "company": company["company"],
            "company_address": company["company_address"],
            "company_phone": company["company_phone"],
            "payment_methods": company["payment_methods"], "bank_name": company["bank_name"],
            "bank_account": company["bank_account"], "contact_person": company["contact_person"],
            "owner": _owner(rng) or "业主", "estate": estate.name, "room": _room(rng, estate), "items": items,
            "principal": yuan(principal), "principal_capitals": capitals(principal), "late_fee": yuan(late_fee),
            "late_fee_basis": company["late_fee_basis"], "issued": issued, "balance_date": issued,
            "has_late_fee": late_fee > 0, "dispute_resolved": False,
            "deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日",
            "demands": [], "law_firm": "", "lawyer": "", "law_firm_phone": "", "law_firm_address": "", "licence_number": "", "pay_qr": None,
        })
    return contexts



def file_name(ctx: dict[str, Any]) -> str:
    from feedun.outputs.safe import safe_filename

    return f"{safe_filename(ctx['number'])}-{safe_filename(ctx['estate'] + ctx['room'])}.docx"


# ---- the three ways -------------------------------------------------------------------------------

def run_naive(template: Path, contexts: list[dict], folder: Path) -> None:
    from feedun.outputs.letters.docx_render import render_naive

    for ctx in contexts:
        render_naive(template, ctx, folder / file_name(ctx))


def run_prepared(template: Path, contexts: list[dict], folder: Path) -> float:
    """Returns the seconds PreparedTemplate() took (included in the caller's timing)."""
    from feedun.outputs.letters.docx_render import PreparedTemplate

    started = time.perf_counter()
    prepared = PreparedTemplate(template)
    prepare_seconds = time.perf_counter() - started
    for ctx in contexts:
        (folder / file_name(ctx)).write_bytes(prepared.render(ctx))
    return prepare_seconds


_worker_template = None
_worker_prepare_seconds = 0.0


def _worker_init(template: str) -> None:
    from feedun.outputs.letters.docx_render import PreparedTemplate

    global _worker_template, _worker_prepare_seconds
    started = time.perf_counter()
    _worker_template = PreparedTemplate(Path(template))
    _worker_prepare_seconds = time.perf_counter() - started


def _worker_chunk(contexts: list[dict], folder: str) -> tuple[int, int, float, float]:
    started = time.perf_counter()
    for ctx in contexts:
        (Path(folder) / file_name(ctx)).write_bytes(_worker_template.render(ctx))
    return os.getpid(), len(contexts), time.perf_counter() - started, _worker_prepare_seconds


def run_parallel(template: Path, contexts: list[dict], folder: Path, workers: int, chunk: int,
                 start_method: str | None) -> dict:
    ctx = multiprocessing.get_context(start_method)
    per_worker: dict[int, dict] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                                                initargs=(str(template),)) as pool:
        futures = [pool.submit(_worker_chunk, contexts[i:i + chunk], str(folder))
                   for i in range(0, len(contexts), chunk)]
        for future in concurrent.futures.as_completed(futures):
            pid, count, seconds, prepare = future.result()
            w = per_worker.setdefault(pid, {"letters": 0, "render_seconds": 0.0, "prepare_seconds": prepare})
            w["letters"] += count
            w["render_seconds"] += seconds
    return {"start_method": ctx.get_start_method(), "chunks": len(futures), "chunk_size": chunk,
            "workers": sorted(per_worker.values(), key=lambda w: -w["letters"])}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy (all CPUs, /proc/stat), or None off Linux."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user..steal; guest is inside user


def timed(name: str, label: str, work: Callable[[], Any], n: int, log: Callable[..., None]) -> dict:
    log(f"{label} ...")
    busy0, cpu0, child0, t0 = machine_busy(), time.process_time(), children_cpu(), time.perf_counter()
    info = work()
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0 + children_cpu() - child0
    busy1 = machine_busy()
    # CPU the rest of the machine used meanwhile (other processes, the kernel, steal): a noise indicator
    others = None if busy0 is None or busy1 is None else max(busy1 - busy0 - cpu, 0.0)
    log(f"  {seconds:.2f} s, {seconds / n * 1000:.2f} ms/letter, cpu {cpu:.2f} s (this process + workers)"
        + ("" if others is None else f"; other processes used {others:.1f} CPU s meanwhile"))
    return {"name": name, "label": label, "seconds": seconds, "ms_per_letter": seconds / n * 1000,
            "cpu_seconds": cpu, "other_cpu_seconds": others, "info": info}


# ---- the checks -----------------------------------------------------------------------------------

def visible_text(path: Path) -> list[str]:
    """Each paragraph's text and each table cell's text in document order; then headers and footers."""
    import docx
    from docx.table import Table

    document = docx.Document(str(path))

    def walk(container) -> list[str]:
        out = []
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                for row in block.rows:
                    out.extend(cell.text for cell in row.cells)
            else:
                out.append(block.text)
        return out

    lines = walk(document)
    for i, section in enumerate(document.sections):
        for kind in ("header", "first_page_header", "even_page_header", "footer", "first_page_footer",
                     "even_page_footer"):
            part = getattr(section, kind)
            if not part.is_linked_to_previous:
                lines += [f"[section {i} {kind}]", *walk(part)]
    return lines


def first_difference(a: list[str], b: list[str]) -> str:
    for k, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"line {k}: {x!r} != {y!r}"
    return f"{len(a)} lines != {len(b)} lines"


def document_xml(path: Path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml")


def check_outputs(contexts: list[dict], folders: dict[str, Path], log: Callable[..., None]) -> dict:
    import docx

    n = len(contexts)
    names = [file_name(ctx) for ctx in contexts]
    problems: list[str] = []
    counts = {side: sum(1 for _ in folder.glob("*.docx")) for side, folder in folders.items()}
    for side, count in counts.items():
        if count != n:
            problems.append(f"{side}: {count} files, expected {n}")

    log("checking: every prepared file opens with python-docx ...")
    opened, unopenable = 0, []
    identical_parallel, differing_parallel = 0, []
    for name in names:
        prepared = folders["prepared"] / name
        try:
            docx.Document(str(prepared))
            opened += 1
        except Exception as exc:  # any failure to open is the finding
            unopenable.append(f"prepared/{name}: {type(exc).__name__}: {exc}")
        parallel = folders["parallel"] / name
        if parallel.read_bytes() == prepared.read_bytes():
            identical_parallel += 1
            continue
        differing_parallel.append(name)
        try:
            docx.Document(str(parallel))
            opened += 1
        except Exception as exc:
            unopenable.append(f"parallel/{name}: {type(exc).__name__}: {exc}")
    problems += unopenable[:10]

    sample = sorted({0, n - 1, *range(0, n, SAMPLE_EVERY)})
    log(f"checking: visible text of {len(sample)} sampled letters, naive vs prepared ...")
    text_equal, xml_identical, lines_compared = 0, 0, 0
    for k in sample:
        name = names[k]
        naive = visible_text(folders["naive"] / name)
        lines_compared += len(naive)
        ok = True
        for side in ("prepared", "parallel"):
            if side == "parallel" and name not in differing_parallel:
                continue  # byte-identical to the prepared file just compared
            other = visible_text(folders[side] / name)
            if other != naive:
                ok = False
                problems.append(f"{side}/{name}: text differs from naive, {first_difference(naive, other)}")
        text_equal += ok
        xml_identical += document_xml(folders["naive"] / name) == document_xml(folders["prepared"] / name)
    for name in differing_parallel:  # never expected; compare each one that is not byte-identical
        if names.index(name) not in sample and \
                visible_text(folders["parallel"] / name) != visible_text(folders["naive"] / name):
            problems.append(f"parallel/{name}: text differs from naive")
    return {
        "files": counts, "opened_with_python_docx": opened, "unopenable": len(unopenable),
        "parallel_byte_identical_to_prepared": identical_parallel, "parallel_differing": len(differing_parallel),
        "sample": len(sample), "sample_text_equal": text_equal, "sample_lines_compared": lines_compared,
        "sample_document_xml_byte_identical": xml_identical, "problems": problems, "ok": not problems,
    }


# ---- main -----------------------------------------------------------------------------------------

def versions() -> dict:
    out = {}
    for dist in ("docxtpl", "python-docx", "Jinja2", "lxml"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=DEFAULT_LETTERS, help="letters per side (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--template", type=Path, default=TEMPLATE, help="the .docx template (default: dunning)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help="processes for the parallel side (default %(default)s)")
    parser.add_argument("--chunk", type=int, default=None,
                        help="letters per task sent to a worker (default: letters / (workers x 8), at least 1)")
    parser.add_argument("--start-method", choices=multiprocessing.get_all_start_methods(), default=None,
                        help="multiprocessing start method (default: the platform's, fork on Linux)")
    parser.add_argument("--keep", action="store_true", help="keep the three output folders and print where")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    args = parser.parse_args(argv)
    if args.letters < 1:
        parser.error("--letters must be at least 1")
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if not args.template.is_file():
        parser.error(f"--template {args.template}: no such file")
    template = args.template.resolve()
    chunk = args.chunk or max(1, -(-args.letters // (args.workers * 8)))

    def log(*parts: object) -> None:  # progress goes to stderr under --json, so stdout stays pure JSON
        print(*parts, file=sys.stderr if args.json else sys.stdout, flush=True)

    from docxtpl import DocxTemplate

    started = time.perf_counter()
    contexts = make_contexts(args.letters, args.seed)
    needed = DocxTemplate(str(template)).get_undeclared_template_variables()
    missing = sorted(needed - set(contexts[0]))
    if missing:
        print(f"error: the contexts lack template variables: {', '.join(missing)}", file=sys.stderr)
        return 1
    items = [len(c["items"]) for c in contexts]
    log(f"{args.letters:,} letters (seed {args.seed}) made in {time.perf_counter() - started:.1f} s: "
        f"{sum(items):,} items, {min(items)}-{max(items)} a letter; template {template.name} needs "
        f"{len(needed)} variables, all present")

    commit = project_commit()
    loads = [load_average()]
    tmp = Path(tempfile.mkdtemp(prefix="feedun-bench-letters-"))
    folders = {side: tmp / side for side in ("naive", "prepared", "parallel")}
    for folder in folders.values():
        folder.mkdir()
    try:
        warm = tmp / "warm-up"  # imports, template in the page cache, lazy imports inside feedun
        warm.mkdir()
        run_naive(template, contexts[:1], warm)
        run_prepared(template, contexts[:1], warm)

        n = args.letters
        naive = timed("naive", "(a) naive: render_naive() per letter", lambda: run_naive(
            template, contexts, folders["naive"]), n, log)
        loads.append(load_average())
        prepared = timed("prepared", "(b) PreparedTemplate once + .render() per letter", lambda: {
            "prepare_seconds": run_prepared(template, contexts, folders["prepared"])}, n, log)
        loads.append(load_average())
        parallel = timed("parallel", f"(c) the same in ProcessPoolExecutor(max_workers={args.workers})",
                         lambda: run_parallel(template, contexts, folders["parallel"], args.workers, chunk,
                                              args.start_method), n, log)
        loads.append(load_average())
        checks = check_outputs(contexts, folders, log)
    finally:
        if args.keep:
            log(f"outputs kept in {tmp}")
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)

    if project_commit() != commit:
        log(f"warning: the feedun checkout changed during the runs (was {commit}, now {project_commit()})")
        commit = f"{commit} -> {project_commit()}"
    speedup_b = naive["seconds"] / prepared["seconds"]
    speedup_c = naive["seconds"] / parallel["seconds"]
    best = max(("prepared", speedup_b), ("parallel", speedup_c), key=lambda x: x[1])
    speed_ok = best[1] >= TARGET_SPEEDUP
    report = {
        "letters": args.letters, "seed": args.seed, "template": str(template), "items": sum(items),
        "naive": naive, "prepared": prepared, "parallel": parallel,
        "speedup_prepared": speedup_b, "speedup_parallel": speedup_c,
        "cpu_speedup_prepared": naive["cpu_seconds"] / prepared["cpu_seconds"],
        "best_fast_path": best[0], "best_speedup": best[1], "checks": checks,
        "targets": {"speedup_min": TARGET_SPEEDUP}, "pass": {"speedup": speed_ok, "output": checks["ok"]},
        "machine": {**machine(), "letter_versions": versions()}, "load_average_1min": loads,
        "feedun_commit": commit,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        m = report["machine"]
        print()
        print(f"machine: {m['nproc']} CPU ({m['cpu']}), {m['memory_gib']} GiB RAM, Python {m['python']}; "
              + ", ".join(f"{k} {v}" for k, v in m["letter_versions"].items()))
        print(f"feedun {commit}; 1-min load average during the runs: "
              + ", ".join("?" if x is None else f"{x:.1f}" for x in loads))
        width = max(len(x["label"]) for x in (naive, prepared, parallel))
        print(f"{'':{width}}  {'seconds':>9}  {'ms/letter':>9}  {'cpu s':>9}  {'speedup':>8}  {'others cpu s':>12}")
        for side, speedup in ((naive, 1.0), (prepared, speedup_b), (parallel, speedup_c)):
            others = "?" if side["other_cpu_seconds"] is None else f"{side['other_cpu_seconds']:.1f}"
            print(f"{side['label']:{width}}  {side['seconds']:9.2f}  {side['ms_per_letter']:9.2f}  "
                  f"{side['cpu_seconds']:9.2f}  {speedup:7.2f}x  {others:>12}")
        print(f"  (b) PreparedTemplate() took {prepared['info']['prepare_seconds'] * 1000:.0f} ms; (c) "
              f"{parallel['info']['start_method']}, {parallel['info']['chunks']} chunks of "
              f"{parallel['info']['chunk_size']}: "
              + "; ".join(f"worker {w['letters']:,} letters, render {w['render_seconds']:.1f} s, prepare "
                          f"{w['prepare_seconds'] * 1000:.0f} ms" for w in parallel["info"]["workers"]))
        c = checks
        print(f"output: files {c['files']}; {c['opened_with_python_docx']:,} prepared files opened with python-docx "
              f"({c['unopenable']} failed); (c) byte-identical to (b): {c['parallel_byte_identical_to_prepared']:,}"
              f"/{args.letters:,}; sample {c['sample']} letters, visible text equal {c['sample_text_equal']}"
              f"/{c['sample']} ({c['sample_lines_compared']:,} lines), document.xml byte-identical "
              f"{c['sample_document_xml_byte_identical']}/{c['sample']}  {'PASS' if c['ok'] else 'FAIL'}")
        for problem in c["problems"][:10]:
            print(f"  {problem}")
        print(f"speedup naive/prepared {speedup_b:.2f}x, naive/parallel {speedup_c:.2f}x; best {best[0]} "
              f"{best[1]:.2f}x (target >= {TARGET_SPEEDUP:g})  {'PASS' if speed_ok else 'FAIL'}")
    return 0 if speed_ok and checks["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
