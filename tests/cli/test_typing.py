"""What a person types (issue 15, item 11): dates as people write them, errors that name the option used, Chinese
names wherever codes are accepted, TOML mistakes explained in Chinese with their line, and `feedun` on PATH."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from feedun.cli.options import parse_date_option, vocab_parser
from feedun.config import load_settings
from feedun.core.errors import ConfigError, UsageError
from feedun.core.vocab import CHANNEL_LABELS, OUTCOME_LABELS, Channel, Outcome
from feedun.decide.policy.load import PolicyError, parse_policy
from feedun.memory.contacts import parse_time
from feedun.memory.profiles import parse_dispute_word, parse_tag_words
from helpers import db_url, run_feedun, write_xlsx

ROOT = Path(__file__).resolve().parents[2]


def _flat(text: str) -> str:
    """stderr without rich's line breaks, panel borders and spaces."""
    return re.sub(r"[│\s]+", "", text)


# --- dates ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2026-12-20", "2026/12/20", "2026.12.20", "2026年12月20日", "20261220"])
def test_date_options_take_the_ways_people_write_dates(typed: str) -> None:
    assert parse_date_option(typed, "--as-of") == date(2026, 12, 20)


def test_month_and_day_alone() -> None:
    this_year = date.today().year
    assert parse_date_option("1月1日", "--as-of") == date(this_year, 1, 1)  # --as-of: this year
    promised = parse_date_option("1月1日", "--promise-date", forward=True, today=date(this_year, 6, 1))
    assert promised == date(this_year + 1, 1, 1)  # a promise date already past means next year
    assert parse_date_option("12月20日", "--promise-date", forward=True, today=date(2026, 11, 2)) == date(2026, 12, 20)


def test_a_bad_date_names_the_option_actually_used() -> None:
    with pytest.raises(UsageError) as caught:
        parse_date_option("下周一", "--promise-date")
    text = caught.value.render()
    assert "--promise-date" in text and "--as-of" not in text
    assert "2026年" in text and "月" in text  # the hint shows the other spellings


@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-12-03 19:00", datetime(2026, 12, 3, 19, 0)),
    ("2026/12/03 19:00", datetime(2026, 12, 3, 19, 0)),
    ("2026.12.3 19:00", datetime(2026, 12, 3, 19, 0)),
    ("2026年12月3日 19:00", datetime(2026, 12, 3, 19, 0)),
    ("2026年12月3日19：00", datetime(2026, 12, 3, 19, 0)),
    ("20261203 19:00", datetime(2026, 12, 3, 19, 0)),
    ("12月3日 19:00", datetime(2026, 12, 3, 19, 0)),
    ("2026年12月3日", datetime(2026, 12, 3)),
    ("2026-12-03T19:00:00", datetime(2026, 12, 3, 19, 0)),
])
def test_times_take_the_same_dates(typed: str, expected: datetime) -> None:
    assert parse_time(typed, "--callback", datetime(2026, 11, 2, 9, 0)) == expected


def test_a_callback_on_a_month_and_day_already_past_is_next_year() -> None:
    assert parse_time("1月3日 19:00", "--callback", datetime(2026, 11, 2, 9, 0), forward=True) == datetime(2027, 1, 3, 19)
    assert parse_time("1月3日 19:00", "--at", datetime(2026, 11, 2, 9, 0)) == datetime(2026, 1, 3, 19)


def test_a_bad_time_names_its_option() -> None:
    with pytest.raises(UsageError, match="--callback"):
        parse_time("明晚", "--callback", datetime(2026, 11, 2, 9, 0))


# --- Chinese names where codes are accepted -----------------------------------------------------------------


def test_tags_by_chinese_name() -> None:
    assert parse_tag_words(["+关系融洽", "-脾气急躁", "带头人", "＋胆小怕事"]) == (
        ["rapport", "leader", "timid"], ["hot_tempered"])
    with pytest.raises(UsageError) as caught:
        parse_tag_words(["+爱吵架"])
    assert "关系融洽" in caught.value.render()


def test_disputes_by_chinese_name() -> None:
    assert parse_dispute_word("服务问题") == "service"
    assert parse_dispute_word("service") == "service"
    assert parse_dispute_word(None) is None
    with pytest.raises(UsageError, match="不认识的纠纷类型"):
        parse_dispute_word("噪音")


def test_outcomes_and_channels_by_code_or_chinese_name() -> None:
    outcome, channel = vocab_parser(Outcome, OUTCOME_LABELS), vocab_parser(Channel, CHANNEL_LABELS)
    assert outcome("承诺缴费") is Outcome.PROMISED and outcome("promised") is Outcome.PROMISED
    assert outcome(" 无人接听 ") is Outcome.NO_ANSWER
    assert channel("电话") is Channel.CALL and channel("visit") is Channel.VISIT
    with pytest.raises(ValueError, match="'吵架' is not one of 'paid_claimed', 'promised'"):
        outcome("吵架")


HEADER = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"]


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    write_xlsx(tmp_path / "l.xlsx", [HEADER, ["阳光花园", "8-2-1201", "王芳", "13812345678", "物业服务费", "2026-09", 500]])
    proc = run_feedun(["import", "l.xlsx", "--as-of", "2026/10/31", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    return tmp_path


def test_log_and_tag_take_chinese_names_and_dates(ledger: Path) -> None:
    db = ["--db", db_url(ledger)]
    logged = run_feedun(["log", "8-2-1201", "--outcome", "承诺缴费", "--channel", "电话", "--promise-date", "11月20日",
                         "--at", "2026年11月1日 10:00", "--callback", "2026/11/20 19:00", "--json", *db], ledger)
    assert logged.returncode == 0, logged.stderr
    assert json.loads(logged.stdout)["outcome"] == "promised"
    promises = json.loads(run_feedun(["promises", "--json", *db], ledger).stdout)
    assert [str(p["promise_date"]) for p in promises] == ["2026-11-20"], promises
    tagged = run_feedun(["tag", "8-2-1201", "+关系融洽", "-脾气急躁", "--dispute", "服务问题", "--json", *db], ledger)
    assert tagged.returncode == 0, tagged.stderr
    assert json.loads(tagged.stdout)["tags"] == ["rapport"] and json.loads(tagged.stdout)["dispute"] == "service"


@pytest.mark.parametrize(("args", "message"), [
    (["--outcome", "吵架"], "--outcome/-o的值无效：“吵架”不是可选的值；可选：paid_claimed（称已缴费）、promised（承诺缴费）"),
    (["--outcome", "vague", "--channel", "飞鸽"], "--channel的值无效：“飞鸽”不是可选的值；可选：call（电话）"),
    (["--outcome", "promised", "--promise-date", "2026-13-45"], "--promise-date的值“2026-13-45”不是"),
])
def test_log_refuses_what_it_does_not_know(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run_feedun(["log", "8-2-1201", *args, "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert message in _flat(proc.stderr), proc.stderr
    assert "--as-of" not in proc.stderr and "Traceback" not in proc.stderr


def test_log_help_still_lists_the_choices(tmp_path: Path) -> None:
    out = run_feedun(["log", "--help"], tmp_path).stdout
    assert "<paid_claimed|promised" in out and "<call|sms|visit" in out
    assert "promised（承诺缴费）" in out and "代码或中文" in out


# --- TOML mistakes ----------------------------------------------------------------------------------------------


def test_a_config_syntax_error_is_explained_in_chinese_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "feedun.toml"
    path.write_text('[company]\nname = "阳光物业"\nphone = 0755-1234\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert caught.value.row == 3 and "第 3 行" in caught.value.message
    assert "引号" in caught.value.message  # the reason, in Chinese: an unquoted text value
    assert re.findall(r"[A-Za-z]{2,}", caught.value.message.replace("TOML", "")) == []


def test_a_policy_syntax_error_is_explained_in_chinese_with_its_line() -> None:
    text = '[[rule]]\ntactic = "reminder"\nwhen = ["outstanding > 0"\n'
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "policy.toml")
    assert caught.value.row is not None and f"第 {caught.value.row} 行" in caught.value.message
    assert "方括号" in caught.value.message  # an unclosed list
    assert re.findall(r"[A-Za-z]{2,}", caught.value.message.replace("TOML", "")) == []


# --- feedun on PATH -----------------------------------------------------------------------------------------------


def test_the_readme_says_how_to_get_feedun_on_path() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    using = readme.split("## Using it", 1)[1].split("```", 1)[0]
    assert "source .venv/bin/activate" in using and "pipx install ." in using
