"""Small shared helpers for the CLI tests: run the real console script, build tiny ledgers, peek at the store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

FEEDUN = str(Path(sys.executable).with_name("feedun"))

HEADERS = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应收金额(元)", "实收金额(元)", "欠费金额(元)"]
GOOD_ROWS = [
    ["阳光花园", "1-1-101", "张三", "13800138000", "物业费", "2026-09", "300.00", "0", "300.00"],
    ["阳光花园", "1-1-102", "李四", "13900139000", "物业费", "2026-10", "280.50", "80.50", "200.00"],
    ["翠湖苑", "2-3-1201", "王五", "", "车位管理费", "2026年10月", "150", "", "150"],
]


def run_feedun(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `feedun` script as a user runs it (no terminal, no inherited feedun settings)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FEEDUN_DB", "FEEDUN_CONFIG", "COLUMNS")}
    return subprocess.run([FEEDUN, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=180, check=False)


def run_import(tmp_path: Path, *args: object) -> subprocess.CompletedProcess[str]:
    """`feedun import ARGS --db sqlite:///tmp_path/feedun.db`, run in tmp_path."""
    return run_feedun(["import", *map(str, args), "--db", f"sqlite:///{tmp_path}/feedun.db"], tmp_path)


def write_xlsx(path: Path, rows: list[list[object]], title: str = "台账") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def store_counts(tmp_path: Path) -> tuple[int, int]:
    """(imports, ledger_lines) in tmp_path/feedun.db; (0, 0) when there is no store file at all."""
    db = tmp_path / "feedun.db"
    if not db.exists():
        return 0, 0
    with closing(sqlite3.connect(db)) as conn:
        return (conn.execute("SELECT COUNT(*) FROM imports").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM ledger_lines").fetchone()[0])
