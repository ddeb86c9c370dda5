"""`[purge] retention_days`: `feedun purge` without --before erases personal data of owners settled for longer than
the retention period; --before overrides it; `feedun run` never purges."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from feedun.admin.purge import ERASED, purge, retention_cutoff
from feedun.config import PurgeSettings, Settings, load_settings
from feedun.core.errors import ConfigError
from feedun.store import Store
from helpers import db_url, query, run_feedun, run_import, write_xlsx

HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"]
WANG = ["阳光花园", "1-1-101", "王芳", "13812345678", "物业服务费", "2024-01", 300]  # pays in February 2024
LI = ["阳光花园", "1-1-102", "李雷", "13912345678", "物业服务费", "2024-01", 200]  # still owes


def _config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "feedun.toml"
    path.write_text(body, encoding="utf-8")
    return path


def _store(tmp_path: Path, settings: Settings) -> None:
    """王芳 last owed on 2024-02-01 and has paid since; 李雷 still owes. (Imported through the command, so this
    setup does not depend on the importer's library signature.)"""
    for name, rows, as_of in [("a.xlsx", [HEADER, WANG, LI], "2024-02-01"), ("b.xlsx", [HEADER, LI], "2024-03-01")]:
        done = run_import(tmp_path, write_xlsx(tmp_path / name, rows), "--as-of", as_of)
        assert done.returncode == 0, done.stderr


def _owners(tmp_path: Path) -> set[str]:
    return {owner for (owner,) in query(tmp_path, "SELECT DISTINCT owner FROM ledger_lines")}


# ---- the setting ---------------------------------------------------------------------------------------------


@pytest.mark.no_store
def test_retention_days_is_read_and_checked(tmp_path: Path) -> None:
    assert load_settings(_config(tmp_path, "[purge]\nretention_days = 400\n")).purge.retention_days == 400
    assert load_settings(_config(tmp_path, "[run]\n")).purge.retention_days == 1095  # about three years
    for body, message in [("retention_days = 7", "purge.retention_days：不能小于 30"),
                          ('retention_days = "三年"', "purge.retention_days：应为整数"),
                          ("days = 400", "purge.days：不认识的配置项")]:
        with pytest.raises(ConfigError, match=message):
            load_settings(_config(tmp_path, f"[purge]\n{body}\n"))


@pytest.mark.no_store
def test_the_example_config_documents_the_default(tmp_path: Path) -> None:
    done = run_feedun(["init", "ws"], tmp_path)
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "ws" / "feedun.toml").read_text(encoding="utf-8")
    assert "[purge]" in text and "保存期限" in text
    assert load_settings(tmp_path / "ws" / "feedun.toml").purge == PurgeSettings()


@pytest.mark.no_store
def test_cutoff_is_today_minus_the_retention() -> None:
    settings = Settings.model_validate({"purge": {"retention_days": 365}})
    assert retention_cutoff(settings, date(2026, 11, 27)) == date(2025, 11, 27)
    assert retention_cutoff(Settings(), date(2026, 11, 27)) == date(2023, 11, 28)  # 1095 days


# ---- purge with it ----------------------------------------------------------------------------------------------


def test_purge_without_a_date_uses_the_retention_and_a_date_overrides_it(tmp_path: Path) -> None:
    settings = Settings.model_validate({"purge": {"retention_days": 365}})
    settings.workspace = tmp_path
    _store(tmp_path, settings)
    store = Store.open(db_url(tmp_path))
    early = purge(store, settings, today=date(2025, 1, 15))  # cut-off 2024-01-16: 王芳 owed after it
    assert (early.before, early.retention_days, early.rooms) == (date(2024, 1, 16), 365, 0)
    late = purge(store, settings, today=date(2025, 3, 1))  # cut-off 2024-03-01: 王芳 last owed before it
    assert (late.before, late.retention_days, late.rooms, late.applied) == (date(2024, 3, 1), 365, 1, False)
    assert (late.lines, late.contacts, late.profiles) == (1, 0, 0)
    explicit = purge(store, settings, before=date(2024, 1, 1), today=date(2025, 3, 1))
    assert (explicit.before, explicit.retention_days, explicit.rooms) == (date(2024, 1, 1), None, 0)
    assert _owners(tmp_path) == {"王芳", "李雷"}  # counting only
    done = purge(store, settings, apply=True, today=date(2025, 3, 1))
    assert (done.rooms, done.applied) == (1, True)
    assert _owners(tmp_path) == {ERASED, "李雷"}


def test_feedun_purge_takes_the_retention_from_feedun_toml(tmp_path: Path) -> None:
    config = _config(tmp_path, "[purge]\nretention_days = 30\n")
    _store(tmp_path, load_settings(config))
    url = db_url(tmp_path)
    counted = run_feedun(["purge", "--db", url], tmp_path)
    assert counted.returncode == 0, counted.stderr
    cutoff = date.today() - timedelta(days=30)
    assert "保存期限 30 天（feedun.toml [purge] retention_days）" in counted.stdout  # not eaten as markup
    assert f"截止日期 {cutoff}" in counted.stdout
    assert "将清除 1 户" in counted.stdout and "--yes" in counted.stdout
    overridden = run_feedun(["purge", "--before", "2024-01-15", "--db", url], tmp_path)
    assert overridden.returncode == 0, overridden.stderr
    assert "将清除 0 户" in overridden.stdout and "保存期限" not in overridden.stdout
    _config(tmp_path, "[purge]\nretention_days = 36500\n")
    kept = run_feedun(["purge", "--yes", "--db", url], tmp_path)
    assert kept.returncode == 0, kept.stderr
    assert "已清除" not in kept.stdout and "将清除 0 户" in kept.stdout
    assert _owners(tmp_path) == {"王芳", "李雷"}
    _config(tmp_path, "[purge]\nretention_days = 30\n")
    done = run_feedun(["purge", "--yes", "--db", url], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "已清除 1 户" in done.stdout
    assert _owners(tmp_path) == {ERASED, "李雷"}
    bad = run_feedun(["purge", "--before", "2024-13-45", "--db", url], tmp_path)  # 2024/01/15 is a date now (item 11)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_run_does_not_purge(tmp_path: Path) -> None:
    config = _config(tmp_path, "[purge]\nretention_days = 30\n")
    _store(tmp_path, load_settings(config))
    done = run_feedun(["run", "--db", db_url(tmp_path)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert _owners(tmp_path) == {"王芳", "李雷"}
