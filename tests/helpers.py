"""Small shared helpers for the CLI tests: run the real console script, build tiny ledgers, peek at the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FEEDUN = str(Path(sys.executable).with_name("feedun"))

HEADERS = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "应收金额(元)", "实收金额(元)", "欠费金额(元)"]
GOOD_ROWS = [
    ["阳光花园", "1-1-101", "张三", "13800138000", "物业费", "2026-09", "300.00", "0", "300.00"],
    ["阳光花园", "1-1-102", "李四", "13900139000", "物业费", "2026-10", "280.50", "80.50", "200.00"],
    ["翠湖苑", "2-3-1201", "王五", "", "车位管理费", "2026年10月", "150", "", "150"],
]


def feedun_env() -> dict[str, str]:
    """The environment for a `feedun` subprocess: no inherited feedun settings, this test's store."""
    env = {k: v for k, v in os.environ.items() if k not in ("FEEDUN_DB", "FEEDUN_CONFIG", "COLUMNS")}
    if os.environ.get("FEEDUN_TEST_STORE"):  # the PostgreSQL database tests/conftest.py made for this test
        env["FEEDUN_DB"] = os.environ["FEEDUN_TEST_STORE"]
    return env


def run_feedun(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed `feedun` script as a user runs it (no terminal, no inherited feedun settings)."""
    return subprocess.run([FEEDUN, *map(str, args)], cwd=cwd, env=feedun_env(), capture_output=True, text=True,
                          encoding="utf-8", timeout=180, check=False)


def db_url(tmp_path: Path) -> str:
    """This test's store: its PostgreSQL database when the suite runs on PostgreSQL, else tmp_path/feedun.db."""
    return os.environ.get("FEEDUN_TEST_STORE") or f"sqlite:///{tmp_path}/feedun.db"


def run_import(tmp_path: Path, *args: object) -> subprocess.CompletedProcess[str]:
    """`feedun import ARGS --db <this test's store>`, run in tmp_path."""
    return run_feedun(["import", *map(str, args), "--db", db_url(tmp_path)], tmp_path)


def write_xlsx(path: Path, rows: list[list[object]], title: str = "台账") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def query(tmp_path: Path, sql: str, **params: object) -> list[tuple]:
    """Rows of a plain SQL query on this test's store (SQLite file or PostgreSQL database)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url(tmp_path))
    try:
        with engine.connect() as conn:
            return [tuple(_plain(v) for v in row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def _plain(value: object) -> object:
    """Dates as SQLite hands them back (ISO text), so one expected value serves both backends."""
    from datetime import date, datetime

    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def execute(tmp_path: Path, sql: str, **params: object) -> None:
    """Run one statement on this test's store and commit (to set up odd states the CLI would refuse)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url(tmp_path))
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def store_counts(tmp_path: Path) -> tuple[int, int]:
    """(imports, ledger_lines) in this test's store; (0, 0) when the store was never created."""
    if not os.environ.get("FEEDUN_TEST_STORE") and not (tmp_path / "feedun.db").exists():
        return 0, 0
    from sqlalchemy import create_engine, inspect

    engine = create_engine(db_url(tmp_path))
    try:
        if not inspect(engine).has_table("imports"):
            return 0, 0
    finally:
        engine.dispose()
    return (query(tmp_path, "SELECT COUNT(*) FROM imports")[0][0],
            query(tmp_path, "SELECT COUNT(*) FROM ledger_lines")[0][0])
