"""Bill-notice SMS: length and billing at the edges, salutations, who gets a text and who is skipped (and why),
node days moved past weekends and holidays, no late fee and no dunning words, and the csv / Aliyun / Tencent files."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from feedun.config import Settings
from feedun.core.errors import ConfigError, FeedunError, UsageError
from feedun.decide.decisions import Decisions
from feedun.outputs.sms import (
    CSV_HEADERS,
    REASON_DO_NOT_CONTACT,
    REASON_NO_MOBILE,
    REASON_NO_PHONE,
    VARIABLES,
    SmsBatch,
    build_sms,
    salutation,
    sending_time,
    sms_length,
    template_params,
    write_sms,
)
from feedun.outputs.templating import shipped_templates

pytestmark = pytest.mark.no_store  # pure functions: run once, whatever the backend

NODE = date(2026, 12, 7)  # the 5th of December 2026 is a Saturday: the day-5 node moves to Monday the 7th
OFF_NODE = date(2026, 12, 5)
FORBIDDEN = ("催", "欠款", "逾期", "滞纳金")
LATE_FEE_FEN = 98_765  # 987.65 元: must never reach a text

STAND_IN = ("{{ salutation }}您好！{{ estate }}{{ room }}截至{{ month }}月待缴物业服务费等{{ amount }}元"
            "（{{ months }}个月，自{{ oldest_period }}起），可通过{{ pay_short }}缴纳。"
            "{% if company_phone %}咨询{{ company_phone }}{% endif %}")


def _settings(tmp_path: Path) -> Settings:
    """Default settings in tmp_path; a stand-in bill_notice.j2 there only while feedun ships none."""
    if not (shipped_templates() / "sms" / "bill_notice.j2").exists():
        user = tmp_path / "templates" / "sms"
        user.mkdir(parents=True, exist_ok=True)
        (user / "bill_notice.j2").write_text(STAND_IN, encoding="utf-8")
    settings = Settings(workspace=tmp_path)
    settings.sms.days = [5, 15]
    settings.sms.template_code = "SMS_123456789"
    settings.sms.sdk_app_id = "1400000000"
    settings.company.phone = "0571-88886666"
    return settings


def _row(room: str, owner: str = "张三", phones: str = "13800138000", tactic: str | None = "reminder",
         hold: str | None = None, hold_name: str | None = None, do_not_contact: bool = False,
         fen: int = 123_456, estate: str = "阳光花园") -> dict:
    return {"estate": estate, "room": room, "owner": owner, "phones": phones, "tactic": tactic, "hold": hold,
            "hold_name": hold_name, "do_not_contact": do_not_contact, "outstanding_fen": fen,
            "late_fee_fen": LATE_FEE_FEN, "months_overdue": 3, "unpaid_periods": 3, "oldest_period": "2026-09", "collector": "小王"}


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for name in ("tactic", "hold", "hold_name"):  # as decide() makes them: None stays None
        frame[name] = pd.Series(list(frame[name]), dtype=object)
    return frame


def _decided(frame: pd.DataFrame, as_of: date) -> Decisions:
    return Decisions(as_of=as_of, policy="test", frame=frame)


def _mixed() -> pd.DataFrame:
    return _frame([
        _row("1-1-101", owner="欧阳娜娜", phones="0571-86001234,13800138000"),  # landline first, mobile second
        _row("1-1-102", owner="李四", tactic=None, hold="small_amount", hold_name="金额很小"),
        _row("1-1-103", owner="王五", tactic=None, hold="do_not_contact", hold_name="勿扰"),
        _row("1-1-104", owner="赵六", do_not_contact=True),
        _row("1-1-105", owner="孙七", phones="0571-86005678"),
        _row("1-1-106", owner="周八", phones=""),
    ])


def _many(n: int) -> pd.DataFrame:
    return _frame([_row(f"9-1-{i:03d}", owner=f"业主{i}", phones=f"139{i:08d}") for i in range(1, n + 1)])


# --- length and billing ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("chars", "segments"), [(1, 1), (69, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3),
                                                 (202, 4)])
def test_length_edges(chars: int, segments: int) -> None:
    assert sms_length("费" * chars) == (chars, segments)


def test_signature_counts() -> None:
    signature = "【物业服务中心】"  # 8 characters
    assert sms_length(signature + "好" * 62) == (70, 1)
    assert sms_length(signature + "好" * 63) == (71, 2)
    assert sms_length("") == (0, 0)


# --- salutation --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("owner", "expected"), [
    ("张三", "张先生/女士"),
    ("王小明", "王先生/女士"),
    ("欧阳娜娜", "欧阳先生/女士"),
    ("诸葛亮", "诸葛先生/女士"),
    ("司马光", "司马先生/女士"),
    ("申屠华", "申屠先生/女士"),
    (" 李四 ", "李先生/女士"),
    ("张三、李四", "张先生/女士"),
    ("杭州某某科技有限公司", "杭州某某科技有限公司"),
    ("华远集团", "华远集团"),
    ("社区服务中心", "社区服务中心"),
    ("", "业主"),
    (None, "业主"),
])
def test_salutation(owner: str | None, expected: str) -> None:
    assert salutation(owner) == expected


# --- who gets a text ---------------------------------------------------------------------------------------

def test_build_on_node_day(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    batch = build_sms(settings, _decided(_mixed(), NODE))

    assert batch.node == 5
    assert [m.room for m in batch.messages] == ["1-1-101"]
    message = batch.messages[0]
    assert message.phone == "13800138000"  # the first mobile; the landline cannot receive SMS
    assert message.owner == "欧阳娜娜"
    assert message.text.startswith("【物业服务中心】")
    assert (message.chars, message.segments) == sms_length(message.text)
    assert message.variables["salutation"] == "欧阳先生/女士"
    assert message.variables["amount"] == "1234.56"  # a platform variable: no thousands separator
    assert message.variables["month"] == 12
    assert message.variables["months"] == 3
    assert message.variables["oldest_period"] == "2026-09"
    assert message.variables["company_phone"] == "0571-88886666"
    assert set(message.variables) == set(VARIABLES)
    assert "欧阳" in message.text and "1234.56" in message.text  # the text the platform renders from the same values

    assert batch.skipped == {"暂缓（金额很小）": 1, "暂缓（勿扰）": 1, REASON_DO_NOT_CONTACT: 1,
                             REASON_NO_MOBILE: 1, REASON_NO_PHONE: 1}
    assert sum(batch.skipped.values()) + len(batch.messages) == 6


def test_text_is_a_bill_notice_without_late_fee(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    batch = build_sms(settings, _decided(_many(5), NODE))
    assert len(batch.messages) == 5
    for message in batch.messages:
        assert "987.65" not in message.text and "987" not in message.text
        assert not [word for word in FORBIDDEN if word in message.text], message.text
    assert not [w for w in batch.warnings if "催款" in w]


def test_personalised_per_owner(tmp_path: Path) -> None:
    rows = [_row("1-1-101", owner="张三", fen=10_000), _row("1-1-102", owner="欧阳娜娜", phones="13900139000",
                                                           fen=25_050)]
    batch = build_sms(_settings(tmp_path), _decided(_frame(rows), NODE))
    texts = [m.text for m in batch.messages]
    assert len(set(texts)) == 2
    assert "张先生/女士" in texts[0] and "100.00" in texts[0]
    assert "欧阳先生/女士" in texts[1] and "250.50" in texts[1]


def test_off_node_day_is_empty_with_the_next_node(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    batch = build_sms(settings, _decided(_mixed(), OFF_NODE))
    assert batch.messages == [] and batch.node is None and batch.skipped == {}
    assert len(batch.warnings) == 1
    assert "2026-12-07" in batch.warnings[0] and "不是短信节点日" in batch.warnings[0]
    assert write_sms(batch, "csv", tmp_path / "out", settings) == []
    assert not (tmp_path / "out").exists()


def test_next_node_may_be_next_month(tmp_path: Path) -> None:
    batch = build_sms(_settings(tmp_path), _decided(_mixed(), date(2026, 11, 20)))
    assert "2026-12-07" in batch.warnings[0]


def test_any_day_sends_off_node(tmp_path: Path) -> None:
    batch = build_sms(_settings(tmp_path), _decided(_mixed(), OFF_NODE), any_day=True)
    assert batch.node is None
    assert [m.room for m in batch.messages] == ["1-1-101"]
    assert batch.warnings == []


def test_day_15_node(tmp_path: Path) -> None:
    assert build_sms(_settings(tmp_path), _decided(_mixed(), date(2026, 12, 15))).node == 15  # a Tuesday


def test_long_messages_are_warned_and_counted(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.sms.signature = "阳光花园物业服务有限公司" * 12  # 144 characters: every text is at least 3 segments
    batch = build_sms(settings, _decided(_many(3), NODE))
    assert all(m.segments >= 3 for m in batch.messages)
    per_message = [w for w in batch.warnings if "按" in w and "条计费" in w]
    assert len(per_message) == 3
    assert any("共 3 条短信超过 2 条" in w for w in batch.warnings)


def test_dunning_words_in_a_user_template_are_warned(tmp_path: Path) -> None:
    user = tmp_path / "templates" / "sms"
    user.mkdir(parents=True)
    (user / "bill_notice.j2").write_text("{{ salutation }}：您已逾期欠款{{ amount }}元，请速缴。", encoding="utf-8")
    batch = build_sms(_settings(tmp_path), _decided(_many(1), NODE))
    assert any("逾期" in w and "欠款" in w and "bill_notice.j2" in w for w in batch.warnings)


def test_shared_phone_is_warned(tmp_path: Path) -> None:
    rows = [_row("1-1-101"), _row("1-1-102")]  # one owner, two flats, one mobile
    batch = build_sms(_settings(tmp_path), _decided(_frame(rows), NODE))
    assert len(batch.messages) == 2
    assert any("138****8000" in w and "2 条" in w for w in batch.warnings)


# --- files -------------------------------------------------------------------------------------------------

def test_csv_reads_back(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    batch = build_sms(settings, _decided(_mixed(), NODE))
    paths = write_sms(batch, "csv", tmp_path / "out", settings)
    assert [p.name for p in paths] == ["短信-2026-12-07.csv"]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with paths[0].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [*CSV_HEADERS, *VARIABLES]
    assert len(rows) == 1
    row = rows[0]
    message = batch.messages[0]
    assert (row["管理处"], row["房号"], row["业主"], row["手机"]) == ("阳光花园", "1-1-101", "欧阳娜娜", "13800138000")
    assert row["短信内容"] == message.text
    assert (int(row["字数"]), int(row["计费条数"])) == (message.chars, message.segments)
    assert row["amount"] == "1234.56" and row["salutation"] == "欧阳先生/女士"


@pytest.mark.parametrize(("n", "sizes"), [(100, [100]), (101, [100, 1]), (250, [100, 100, 50])])
def test_aliyun_batches(tmp_path: Path, n: int, sizes: list[int]) -> None:
    settings = _settings(tmp_path)
    batch = build_sms(settings, _decided(_many(n), NODE))
    paths = write_sms(batch, "aliyun", tmp_path, settings)
    assert [p.name for p in paths] == [f"短信-阿里云-2026-12-07-{i:02d}.json" for i in range(1, len(sizes) + 1)]
    phones: list[str] = []
    for path, size in zip(paths, sizes, strict=True):
        request = json.loads(path.read_text(encoding="utf-8"))
        assert set(request) == {"PhoneNumberJson", "SignNameJson", "TemplateCode", "TemplateParamJson"}
        assert all(isinstance(v, str) for v in request.values())
        numbers = json.loads(request["PhoneNumberJson"])
        signs = json.loads(request["SignNameJson"])
        params = json.loads(request["TemplateParamJson"])
        assert len(numbers) == len(signs) == len(params) == size <= 100
        assert set(signs) == {"物业服务中心"}
        assert request["TemplateCode"] == "SMS_123456789"
        # Exactly the template's variables (the default: the local template's, in their order), values as strings.
        assert all(list(p) == ["salutation", "room", "month", "amount", "pay_short"] for p in params)
        assert all(isinstance(v, str) for p in params for v in p.values())
        assert all("987.65" not in v for p in params for v in p.values())
        phones += numbers
    assert phones == [m.phone for m in batch.messages]


def test_aliyun_rerun_leaves_no_stale_batch(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    write_sms(build_sms(settings, _decided(_many(101), NODE)), "aliyun", tmp_path, settings)
    paths = write_sms(build_sms(settings, _decided(_many(100), NODE)), "aliyun", tmp_path, settings)
    assert sorted(p.name for p in tmp_path.glob("短信-阿里云-*.json")) == [p.name for p in paths] == [
        "短信-阿里云-2026-12-07-01.json"]


def test_tencent_shape(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    rows = [_row("1-1-101", owner="张三"), _row("1-1-102", owner="欧阳娜娜", phones="13900139000", fen=5_000)]
    batch = build_sms(settings, _decided(_frame(rows), NODE))
    paths = write_sms(batch, "tencent", tmp_path, settings)
    assert [p.name for p in paths] == ["短信-腾讯云-2026-12-07.json"]
    requests = json.loads(paths[0].read_text(encoding="utf-8"))
    assert len(requests) == 2
    for request, message in zip(requests, batch.messages, strict=True):
        assert set(request) == {"PhoneNumberSet", "SmsSdkAppId", "SignName", "TemplateId", "TemplateParamSet"}
        assert request["PhoneNumberSet"] == [f"+86{message.phone}"]
        assert request["SmsSdkAppId"] == "1400000000"
        assert request["SignName"] == "物业服务中心"
        assert request["TemplateId"] == "SMS_123456789"
        assert request["TemplateParamSet"] == [str(message.variables[name]) for name in template_params(settings)]
        assert all(isinstance(v, str) for v in request["TemplateParamSet"])
    assert requests[1]["TemplateParamSet"] == ["欧阳先生/女士", "1-1-102", "12", "50.00", "前台、微信或支付宝缴纳"]


def test_empty_batch_writes_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    empty = SmsBatch(as_of=NODE, node=5)
    for fmt in ("csv", "aliyun", "tencent"):
        assert write_sms(empty, fmt, tmp_path / "out", settings) == []
    assert not (tmp_path / "out").exists()


def test_unknown_format(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with pytest.raises(UsageError) as info:
        write_sms(build_sms(settings, _decided(_many(1), NODE)), "xlsx", tmp_path, settings)
    assert all(choice in info.value.message for choice in ("csv", "aliyun", "tencent"))
    assert info.value.exit_code == 2


def test_platform_files_need_a_template_code(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.sms.template_code = ""
    batch = build_sms(settings, _decided(_many(1), NODE))
    for fmt in ("aliyun", "tencent"):
        with pytest.raises(ConfigError, match="模板编号"):
            write_sms(batch, fmt, tmp_path, settings)
    assert write_sms(batch, "csv", tmp_path, settings)  # the csv needs no platform settings


# --- what the platforms accept (issue 17) -------------------------------------------------------------------
# Shapes from the platforms' API references: Tencent SendSms 2021-01-11 (cloud.tencent.com/document/api/382/55981:
# PhoneNumberSet E.164, ≤ 200 numbers; "模板参数的个数需要与 TemplateId 对应模板的变量个数保持一致") and Aliyun
# SendBatchSms (help.aliyun.com/zh/sms/developer-reference/api-dysmsapi-2017-05-25-sendbatchsms: ≤ 100 numbers).


def _with_template(tmp_path: Path, text: str, **sms) -> Settings:
    user = tmp_path / "templates" / "sms"
    user.mkdir(parents=True, exist_ok=True)
    (user / "bill_notice.j2").write_text(text, encoding="utf-8")
    settings = _settings(tmp_path)
    for key, value in sms.items():
        setattr(settings.sms, key, value)
    return settings


def test_declared_params_set_the_order_of_both_platforms(tmp_path: Path) -> None:
    settings = _with_template(tmp_path, "{{ salutation }}您好，{{ room }}物业费{{ amount }}元待缴，{{ pay_short }}。",
                              params=["room", "salutation", "amount", "pay_short"])  # the approved order
    batch = build_sms(settings, _decided(_frame([_row("1-1-101", fen=107_250)]), NODE))
    [tencent] = json.loads(write_sms(batch, "tencent", tmp_path, settings)[0].read_text(encoding="utf-8"))
    assert tencent["TemplateParamSet"] == ["1-1-101", "张先生/女士", "1072.50", "前台、微信或支付宝缴纳"]
    [aliyun] = write_sms(batch, "aliyun", tmp_path, settings)
    [params] = json.loads(json.loads(aliyun.read_text(encoding="utf-8"))["TemplateParamJson"])
    assert list(params) == ["room", "salutation", "amount", "pay_short"] and params["amount"] == "1072.50"


@pytest.mark.parametrize(("params", "named"), [
    (["salutation", "room", "amount"], "模板用到而 params 没有声明：pay_short"),
    (["salutation", "room", "amount", "pay_short", "months"], "params 声明了而模板没有用到：months"),
    (["salutation", "room", "room", "amount", "pay_short"], "params 重复：room"),
])
def test_params_that_disagree_with_the_template_are_refused(tmp_path: Path, params: list[str], named: str) -> None:
    settings = _with_template(tmp_path, "{{ salutation }}您好，{{ room }}物业费{{ amount }}元待缴，{{ pay_short }}。",
                              params=params)
    batch = build_sms(settings, _decided(_frame([_row("1-1-101")]), NODE))
    for fmt in ("tencent", "aliyun"):
        with pytest.raises(FeedunError) as caught:
            write_sms(batch, fmt, tmp_path / fmt, settings)
        assert named in caught.value.message and not (tmp_path / fmt).exists()
    assert write_sms(batch, "csv", tmp_path / "csv", settings)  # a table for a person is not a platform request


def test_a_template_with_conditions_is_not_paired_with_a_platform_template(tmp_path: Path) -> None:
    settings = _with_template(tmp_path, "{{ salutation }}您好{% if company_phone %}，电话{{ company_phone }}{% endif %}")
    batch = build_sms(settings, _decided(_frame([_row("1-1-101")]), NODE))
    with pytest.raises(FeedunError, match="条件"):
        write_sms(batch, "tencent", tmp_path, settings)


def test_tencent_shares_a_request_between_identical_parameters_up_to_200(tmp_path: Path) -> None:
    # A template without personal values: every owner gets the same text, so requests carry up to 200 numbers.
    settings = _with_template(tmp_path, "{{ month }}月物业费账单已出，可{{ pay_short }}。")
    batch = build_sms(settings, _decided(_many(450), NODE))
    requests = json.loads(write_sms(batch, "tencent", tmp_path, settings)[0].read_text(encoding="utf-8"))
    assert [len(r["PhoneNumberSet"]) for r in requests] == [200, 200, 50]
    numbers = [n for r in requests for n in r["PhoneNumberSet"]]
    assert numbers == [f"+86{m.phone}" for m in batch.messages]
    assert all(re.fullmatch(r"\+861\d{10}", n) for n in numbers)  # E.164
    assert all(r["TemplateParamSet"] == ["12", "前台、微信或支付宝缴纳"] for r in requests)


@pytest.mark.parametrize("typed", ["阳光物业", "【阳光物业】", " 【阳光物业】 ", "[阳光物业]", "【【阳光物业】】"])
def test_signature_typed_with_brackets_is_never_doubled(tmp_path: Path, typed: str) -> None:
    settings = Settings.model_validate({"sms": {"signature": typed, "days": [5]}})
    settings.workspace = tmp_path
    assert settings.sms.signature == "阳光物业"
    [message] = build_sms(settings, _decided(_frame([_row("1-1-101")]), NODE)).messages
    assert message.text.startswith("【阳光物业】") and "【【" not in message.text
    assert message.chars == len(message.text)


def test_length_counts_characters_outside_the_bmp_twice_and_refuses_past_500(tmp_path: Path) -> None:
    assert sms_length("【物业】" + "𠀾" * 31) == (66, 1)  # 4 + 31 × 2
    assert sms_length("【物业】" + "𠀾" * 34) == (72, 2)
    settings = _with_template(tmp_path, "{{ salutation }}" + "物业费账单已出。" * 62)  # 【物业服务中心】 + 6 + 496 > 500
    batch = build_sms(settings, _decided(_frame([_row("1-1-101"), _row("1-1-102", owner="欧阳娜娜")]), NODE))
    assert batch.messages == [] and batch.skipped == {"短信超过 500 字（平台上限）": 2}
    assert any("超过平台上限 500 字" in w for w in batch.warnings)


@pytest.mark.parametrize(("at", "expected"), [
    (datetime(2026, 12, 7, 7, 59), datetime(2026, 12, 7, 8, 0)),
    (datetime(2026, 12, 7, 8, 0), datetime(2026, 12, 7, 8, 0)),
    (datetime(2026, 12, 7, 20, 59), datetime(2026, 12, 7, 20, 59)),
    (datetime(2026, 12, 7, 21, 0), datetime(2026, 12, 8, 8, 0)),
    (datetime(2026, 12, 7, 23, 30), datetime(2026, 12, 8, 8, 0)),
])
def test_quiet_hours_move_sending_to_the_next_morning(at: datetime, expected: datetime) -> None:
    assert sending_time(Settings(), at) == expected


def test_quiet_hours_may_only_be_widened() -> None:
    wider = Settings.model_validate({"sms": {"quiet_hours": ["20:00", "9:30"]}})
    assert sending_time(wider, datetime(2026, 12, 7, 20, 15)) == datetime(2026, 12, 8, 9, 30)
    for narrower in (["22:00", "08:00"], ["21:00", "07:00"], ["8:00", "21:00"]):
        with pytest.raises(ValueError, match="免打扰时段至少是 21:00 到次日 08:00"):
            Settings.model_validate({"sms": {"quiet_hours": narrower}})
