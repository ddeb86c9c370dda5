"""`feedun demo`: the monthly cycle on the bundled example company, in a fresh folder."""

from __future__ import annotations

import tempfile
from datetime import date
from importlib import resources
from pathlib import Path

from feedun.errors import UsageError


def examples_dir() -> Path:
    """Bundled examples: inside the installed package, or beside src/ in a checkout."""
    packaged = Path(str(resources.files("feedun").joinpath("_examples")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "examples"


def run_demo(folder: Path | None) -> Path:
    from feedun.config import load_settings
    from feedun.console import err, out
    from feedun.debtors import list_debtors
    from feedun.init import scaffold
    from feedun.ledger.importer import import_ledger
    from feedun.views import debtors_table, import_summary

    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="feedun-demo-"))
    elif folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"演示文件夹 {folder} 已存在，不是空的文件夹。", hint="换一个新的文件夹名，或不指定文件夹（自动新建临时文件夹）。")
    ledger = examples_dir() / "ledger.xlsx"
    out.print(f"[bold]feedun 演示[/]：示例物业公司（两个小区，约 500 户，12 个月台账），工作文件夹 {folder}\n")
    scaffold(folder)
    settings = load_settings(folder / "feedun.toml")

    out.print("[bold]1. 导入财务从物业系统导出的台账[/]（带标题行、合计行、重复表头和几行错误数据）")
    result = import_ledger(ledger, settings)
    import_summary(result)
    out.print("\n[bold]2. 再导入同一个文件[/]：同一文件不会重复导入")
    import_summary(import_ledger(ledger, settings))

    as_of = date.fromisoformat(result.as_of) if result.as_of else None
    out.print(f"\n[bold]3. 谁欠费[/]（截至快照日期 {as_of}；完整名单：feedun debtors --config {folder / 'feedun.toml'}）")
    debtors_table(list_debtors(settings, as_of=as_of), limit=15)
    err.print(f"\n演示数据保存在 {folder}；拒收行文件在其中的 rejects 文件夹。")
    return folder
