"""The command line as users meet it: Chinese help, exit codes 0/1/2, init, config errors, demo, --json, re-import."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from helpers import GOOD_ROWS, HEADERS, db_url, run_feedun, run_import, store_counts, write_xlsx

JSON_KEYS = {"file", "rows_read", "accepted", "rejected", "skipped", "rejects_file", "as_of", "import_id", "duplicate"}


def _flat(text: str) -> str:
    """stderr without the line breaks rich adds at 80 columns."""
    return text.replace("\n", "")


def _ledger(tmp_path: Path, name: str = "台账.xlsx") -> Path:
    return write_xlsx(tmp_path / name, [HEADERS, *GOOD_ROWS])


# --- help and usage errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["import", "--help"]])
def test_help_is_chinese(tmp_path: Path, args: list[str]) -> None:
    proc = run_feedun(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    for word in ("导入", "选项", "显示本帮助并退出"):
        assert word in proc.stdout, (word, proc.stdout)
    assert "Show this message and exit" not in proc.stdout


def test_top_level_help_lists_commands(tmp_path: Path) -> None:
    proc = run_feedun(["--help"], tmp_path)
    assert "命令" in proc.stdout
    for command in ("init", "import", "debtors", "demo"):
        assert re.search(rf"^│ {command}\b", proc.stdout, re.MULTILINE), command


def test_import_help_lists_options(tmp_path: Path) -> None:
    proc = run_feedun(["import", "--help"], tmp_path)
    for option in ("--config", "--db", "--as-of", "--encoding", "--sheet", "--estate", "--json"):
        assert option in proc.stdout
    assert "参数" in proc.stdout and "[必填]" in proc.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["import", "--bogus", "台账.xlsx"], "没有这个选项：--bogus"),
    (["import", "--as-of", "2026-13-45", "台账.xlsx"], "--as-of 的值“2026-13-45”不是 YYYY-MM-DD 格式的日期"),
    (["debtors", "--as-of", "2026-13-45"], "--as-of 的值“2026-13-45”不是 YYYY-MM-DD 格式的日期"),
    (["import"], "缺少参数 files"),
    (["frobnicate"], "没有这个命令：frobnicate"),
    (["import", "台账.xlsx", "--sheet", "第九页"], "工作簿中没有名为“第九页”的工作表"),
    # vocabularies are choices (core/vocab.py): Click's refusal, in Chinese, with what may be typed
    (["log", "1-1-101", "--outcome", "frob"], "“frob”不是可选的值；可选：paid_claimed（称已缴费）"),
    (["letters", "--kind", "x"], "--kind 的值无效：“x”不是可选的值；可选：dunning（催费函）、lawyer（律师函）"),
    (["sms", "--format", "xlsx"], "可选：csv、aliyun、tencent"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    _ledger(tmp_path)
    proc = run_feedun([*args, "--db", db_url(tmp_path)] if args[0] != "frobnicate" else args,
                      tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert message in _flat(proc.stderr), proc.stderr
    assert proc.stdout == ""
    assert store_counts(tmp_path) == (0, 0)


# --- init ---------------------------------------------------------------------------------------------------


def test_init_writes_commented_chinese_toml(tmp_path: Path) -> None:
    proc = run_feedun(["init", "物业台账"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    config = tmp_path / "物业台账" / "feedun.toml"
    assert "已生成" in proc.stderr and "feedun.toml" in proc.stderr
    text = config.read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comments) >= 10
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", c)) for c in comments) >= 10
    data = tomllib.loads(text)
    assert data["import"]["due_day"] == 15
    assert data["import"]["rejects_dir"] == "rejects"
    assert data["import"]["columns"] == {}


def test_generated_config_is_accepted(tmp_path: Path) -> None:
    assert run_feedun(["init", "ws"], tmp_path).returncode == 0
    _ledger(tmp_path)
    proc = run_import(tmp_path, "台账.xlsx", "--config", "ws/feedun.toml", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["accepted"] == 3


def test_second_init_keeps_edited_config(tmp_path: Path) -> None:
    assert run_feedun(["init", "ws"], tmp_path).returncode == 0
    config = tmp_path / "ws" / "feedun.toml"
    edited = "# 我改过的配置 MARKER-42\n[import]\ndue_day = 20\n"
    config.write_text(edited, encoding="utf-8")
    proc = run_feedun(["init", "ws"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert config.read_text(encoding="utf-8") == edited
    assert "已存在，未覆盖" in proc.stderr and "feedun.toml" in proc.stderr
    assert "已生成" not in proc.stderr


def test_init_defaults_to_current_folder(tmp_path: Path) -> None:
    proc = run_feedun(["init"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "feedun.toml").is_file()


def test_init_onto_a_file_fails_cleanly(tmp_path: Path) -> None:
    (tmp_path / "台账.xlsx").write_bytes(b"x")
    proc = run_feedun(["init", "台账.xlsx"], tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (1, 2)
    assert "台账.xlsx" in proc.stderr and "错误：" in proc.stderr


# --- config errors -----------------------------------------------------------------------------------------

BAD_CONFIGS = {
    "unknown key": ("[import]\nfoo = 1\n", ["import.foo"]),
    "bad value": ("[import]\ndue_day = 40\n", ["import.due_day"]),
    "unknown column field": ('[import.columns]\nfoo = "资源编号"\n', ["import.columns", "foo"]),
    "toml syntax": ("[import\ndue_day = 1\n", []),
}


@pytest.mark.parametrize(("case", "found_by"), [*((c, "--config") for c in BAD_CONFIGS), ("bad value", "cwd")])
def test_bad_config_exit_1_names_file(tmp_path: Path, case: str, found_by: str) -> None:
    text, words = BAD_CONFIGS[case]
    (tmp_path / "feedun.toml").write_text(text, encoding="utf-8")
    _ledger(tmp_path)
    args = ["台账.xlsx", "--config", "feedun.toml"] if found_by == "--config" else ["台账.xlsx"]
    proc = run_import(tmp_path, *args)
    err = _flat(proc.stderr)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("错误：配置") and err.count("错误：") == 1, err
    assert "文件：" in err and "feedun.toml" in err
    assert "处理办法：" in err and "feedun init" in err
    for word in words:
        assert word in err
    assert store_counts(tmp_path) == (0, 0)


def _english_left(text: str, allowed: list[str]) -> list[str]:
    for token in sorted(allowed, key=len, reverse=True):
        text = text.replace(token, "")
    return re.findall(r"[A-Za-z]{2,}", text)


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_bad_config_detail_is_chinese(tmp_path: Path, case: str) -> None:
    text, words = BAD_CONFIGS[case]
    (tmp_path / "feedun.toml").write_text(text, encoding="utf-8")
    proc = run_feedun(["debtors", "--config", "feedun.toml", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 1
    allowed = ["feedun.toml", "feedun init", "TOML", *words]
    if case == "unknown column field":  # the list of valid field names is fine to show
        allowed += ["estate", "building", "unit", "room", "owner", "phones", "area", "fee_item", "period_start",
                    "period_end", "period", "due_date", "amount_due", "paid", "discount", "outstanding",
                    "late_fee", "remark"]
    assert _english_left(_flat(proc.stderr), allowed) == [], proc.stderr


@pytest.mark.parametrize("command", ["import", "debtors"])
def test_missing_config_file_hints_init(tmp_path: Path, command: str) -> None:
    _ledger(tmp_path)
    args = ["import", "台账.xlsx"] if command == "import" else ["debtors"]
    proc = run_feedun([*args, "--config", "没有的配置.toml", "--db", db_url(tmp_path)], tmp_path)
    err = _flat(proc.stderr)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "找不到配置文件" in err and "没有的配置.toml" in err
    assert "feedun init" in err
    assert store_counts(tmp_path) == (0, 0)


def test_sms_for_a_quiet_hour_is_refused_with_the_morning_to_use(tmp_path: Path) -> None:
    assert run_feedun(["init", "."], tmp_path).returncode == 0
    proc = run_feedun(["sms", "--at", "2026-12-07 22:30", "--db", db_url(tmp_path)], tmp_path)
    err = _flat(proc.stderr)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "--at 2026-12-07 22:30 在免打扰时段（21:00–次日 08:00）内" in err and "08:00–21:00" in err
    assert not (tmp_path / "sms").exists()


# --- demo --------------------------------------------------------------------------------------------------


def test_demo_runs_in_a_fresh_folder_and_refuses_a_used_one(tmp_path: Path) -> None:
    on_postgresql = db_url(tmp_path).startswith("postgresql")
    proc = run_feedun(["demo", "演示", *(["--db", db_url(tmp_path)] if on_postgresql else [])], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "已先分类" not in proc.stderr  # the demo reads back the run's decisions, it does not decide again
    for word in ("欠费", "阳光花园", "翠湖苑", "feedun run 2026-10-27", "已经运行过", "兑现 3 个，未兑现 3 个",
                 "未兑现的缴费承诺", "电话联系：承诺缴费", "业主档案有更新", "分类结果", "缴费提醒短信", "收费报表",
                 "收费率", "表结构：版本 0003"):
        assert word in proc.stdout, word
    folder = tmp_path / "演示"
    assert (folder / "feedun.db").is_file() != on_postgresql and (folder / "feedun.toml").is_file()
    days = sorted(p.name for p in (folder / "outbox").iterdir())
    assert days[0] == "2026-10-27" and len(days) == 2  # two monthly runs through feedun run
    latest = folder / "outbox" / days[-1]
    assert len(list(latest.rglob("催缴清单-*.xlsx"))) == 3  # one per configured collector
    assert len(list(latest.rglob("催缴总览-*.xlsx"))) == 1
    assert list(latest.rglob("催字*.docx"))  # demand letters for the rooms classified to tactic 8
    assert list(latest.glob("report-*.xlsx")) and (latest / "summary.json").is_file()
    assert len(list((folder / "sms").glob("短信-*.csv"))) == 1
    assert sorted(p.name for p in (folder / "inbox" / "archive").rglob("*.*")) == [
        "ledger-2026-10.csv", "ledger.xlsx", "profiles.xlsx"]
    rejects = sorted(p.name.split("-拒收行-")[0] for p in (folder / "rejects").glob("*.xlsx"))
    assert rejects == ["ledger", "profiles"]  # 3 bad ledger rows, 2 profile rows that match no ledger room
    imports, lines = store_counts(folder)
    assert imports == 3 and lines > 10000  # October, profiles, November

    again = run_feedun(["demo", "演示"], tmp_path)
    assert again.returncode == 2, again.stderr
    assert "Traceback" not in again.stderr
    assert "不是空的" in _flat(again.stderr)
    assert store_counts(folder) == (imports, lines)


def test_demo_into_an_empty_existing_folder(tmp_path: Path) -> None:
    (tmp_path / "空文件夹").mkdir()
    proc = run_feedun(["demo", "空文件夹"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "空文件夹" / "feedun.db").is_file()


def test_demo_onto_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    proc = run_feedun(["demo", "a.txt"], tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 2


# --- import: --json, re-import, exit codes ----------------------------------------------------------------


def test_import_json_has_documented_keys(tmp_path: Path) -> None:
    _ledger(tmp_path)
    proc = run_import(tmp_path, "台账.xlsx", "--json", "--as-of", "2026-11-30")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert set(result) >= JSON_KEYS
    assert result["rows_read"] == result["accepted"] + result["rejected"] + result["skipped"]
    assert result["file"] == "台账.xlsx"
    assert (result["rows_read"], result["accepted"], result["rejected"], result["skipped"]) == (3, 3, 0, 0)
    assert result["rejects_file"] is None
    assert result["as_of"] == "2026-11-30"
    assert isinstance(result["import_id"], int) and result["import_id"] >= 1
    assert result["duplicate"] is False
    assert sorted(result["estates"]) == ["翠湖苑", "阳光花园"]
    assert store_counts(tmp_path) == (1, 3)


def test_import_json_counts_skipped_rows(tmp_path: Path) -> None:
    rows = [["阳光花园物业费欠费明细"], ["截止日期：2026年11月25日"], HEADERS, GOOD_ROWS[0], [], GOOD_ROWS[1],
            HEADERS, GOOD_ROWS[2], ["合计", "", "", "", "", "", "730.50", "80.50", "650.00"]]
    write_xlsx(tmp_path / "带标题.xlsx", rows)
    proc = run_import(tmp_path, "带标题.xlsx", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["as_of"] == "2026-11-25"  # from the title row
    assert (result["rows_read"], result["accepted"], result["rejected"], result["skipped"]) == (6, 3, 0, 3)
    assert result["rows_read"] == result["accepted"] + result["rejected"] + result["skipped"]


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    _ledger(tmp_path)
    first = run_import(tmp_path, "台账.xlsx", "--json")
    assert first.returncode == 0, first.stderr
    before = store_counts(tmp_path)
    assert before == (1, 3)

    second = run_import(tmp_path, "台账.xlsx", "--json")
    assert second.returncode == 0, second.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["duplicate"] is False and b["duplicate"] is True
    assert b["import_id"] == a["import_id"]
    assert (b["rows_read"], b["accepted"], b["rejected"], b["skipped"]) == (3, 3, 0, 0)
    assert store_counts(tmp_path) == before

    # Same bytes under another name are the same file.
    (tmp_path / "副本.xlsx").write_bytes((tmp_path / "台账.xlsx").read_bytes())
    third = run_import(tmp_path, "副本.xlsx")
    assert third.returncode == 0, third.stderr
    assert "已导入过" in third.stdout
    assert store_counts(tmp_path) == before


def test_import_plain_output_summarises(tmp_path: Path) -> None:
    _ledger(tmp_path)
    proc = run_import(tmp_path, "台账.xlsx", "--as-of", "2026-11-30")
    assert proc.returncode == 0, proc.stderr
    assert "导入完成" in proc.stdout and "2026-11-30" in proc.stdout and "读取行数" in proc.stdout


def test_import_json_several_files_is_a_list(tmp_path: Path) -> None:
    _ledger(tmp_path, "一.xlsx")
    write_xlsx(tmp_path / "二.xlsx", [HEADERS, [*GOOD_ROWS[0][:5], "2026-11", "300", "0", "300"]])
    proc = run_import(tmp_path, "一.xlsx", "二.xlsx", "--json")
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert [r["file"] for r in results] == ["一.xlsx", "二.xlsx"]
    assert [r["accepted"] for r in results] == [3, 1]
    assert store_counts(tmp_path) == (2, 4)


def test_failed_json_import_writes_the_error_as_json(tmp_path: Path) -> None:
    write_xlsx(tmp_path / "台账.xlsx", [["foo", "bar"], ["1", "2"]])
    proc = run_import(tmp_path, "台账.xlsx", "--json")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "没有找到可识别的表头" in proc.stderr
    error = json.loads(proc.stdout)  # a script reading --json gets the failure as data, never half a result
    assert set(error) == {"error", "where", "hint", "exit_code"} and "没有找到可识别的表头" in error["error"]
    assert error["where"]["file"].endswith("台账.xlsx") and error["exit_code"] == 1


@pytest.mark.sqlite_only
def test_demo_never_writes_example_owners_into_the_store_feedun_db_names(tmp_path: Path) -> None:
    import os
    import subprocess

    from helpers import FEEDUN

    real = tmp_path / "公司.db"
    assert run_import(tmp_path, write_xlsx(tmp_path / "l.xlsx", [HEADERS, *GOOD_ROWS])).returncode == 0
    (tmp_path / "feedun.db").rename(real)
    env = {**os.environ, "FEEDUN_DB": f"sqlite:///{real}"}
    before = real.read_bytes()
    demo = subprocess.run([FEEDUN, "demo", "演示"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert demo.returncode == 0, demo.stderr
    assert real.read_bytes() == before and (tmp_path / "演示" / "feedun.db").is_file()
    refused = subprocess.run([FEEDUN, "demo", "演示2", "--db", f"sqlite:///{real}"], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2 and "已经有导入记录" in _flat(refused.stderr), refused.stderr
    assert real.read_bytes() == before
