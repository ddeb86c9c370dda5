"""Bill-notice SMS (缴费提醒): one personalised text per room on the SMS node days, for upload to an SMS platform.

Texts read as bill notices, never as dunning: SMS platforms reject "催款" templates, and the late fee never
appears in an SMS (docs/design.md, "SMS platforms" and "Late fees"). The principal comes from `outstanding_fen` only.

Lengths follow the platforms' billing: every character counts as one, the 【签名】 included; up to 70 characters
is one SMS, longer texts are billed in segments of 67.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from feedun.config import Settings
from feedun.core.calendar import node_dates, sms_node_today
from feedun.core.errors import ConfigError, UsageError
from feedun.core.money import mask_phone, yuan
from feedun.core.vocab import SmsFormat
from feedun.decide.decisions import Decisions
from feedun.outputs.templating import render

TEMPLATE = "sms/bill_notice.j2"
SINGLE_LIMIT = 70  # characters in one SMS
SEGMENT_LIMIT = 67  # characters per billed segment of a long SMS
MAX_SEGMENTS = 2  # above this a warning line per message
ALIYUN_BATCH = 100  # SendBatchSms accepts at most 100 numbers per request
FORMATS = tuple(f.value for f in SmsFormat)

# The template variables, in the order of Tencent's TemplateParamSet ({1}..{9} in a Tencent template) and of the
# extra CSV columns. Aliyun templates use the names: ${salutation}, ${amount}, ...
VARIABLES = ("salutation", "estate", "room", "amount", "months", "oldest_period", "month", "pay_short",
             "company_phone")

COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                     "夏侯", "轩辕", "令狐", "钟离", "申屠")
ORGANISATION_MARKS = ("公司", "集团", "有限", "中心")
# Words an SMS platform reads as dunning (or that put the late fee in a text): a warning when a template uses them.
RISKY_WORDS = ("催", "欠款", "逾期", "滞纳金", "违约金")

MOBILE = re.compile(r"1\d{10}")

REASON_NO_MOBILE = "只有座机（收不到短信）"
REASON_NO_PHONE = "没有电话"
REASON_DO_NOT_CONTACT = "勿扰"
REASON_NO_ARREARS = "没有欠费"

CSV_HEADERS = ("管理处", "房号", "业主", "手机", "短信内容", "字数", "计费条数")


@dataclass
class SmsMessage:
    estate: str
    room: str
    owner: str
    phone: str
    text: str
    chars: int
    segments: int
    variables: dict[str, Any]


@dataclass
class SmsBatch:
    as_of: date
    node: int | None  # the configured node day this batch is for; None when sent off-node (any_day)
    messages: list[SmsMessage] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # Chinese reason -> rooms
    warnings: list[str] = field(default_factory=list)


def sms_length(text: str) -> tuple[int, int]:
    """(characters, billed segments) of the full text, 【签名】 included: ≤ 70 is one SMS, else ceil(n / 67)."""
    chars = len(text)
    if chars == 0:
        return 0, 0
    return chars, 1 if chars <= SINGLE_LIMIT else math.ceil(chars / SEGMENT_LIMIT)


def salutation(owner: str | None) -> str:
    """张先生/女士 (the gender is not on file), 欧阳先生/女士; a company by its name; no name → 业主."""
    name = (owner or "").strip()
    if not name:
        return "业主"
    if any(mark in name for mark in ORGANISATION_MARKS):
        return name
    name = re.split(r"[、，,；;/／&＆\s]+", name)[0] or name  # several owners on file: address the first
    name = re.sub(r"[（(].*$", "", name).strip() or name  # 张三（租户）
    if not re.match(r"[\u3400-\u9fff]", name):
        return f"{name}先生/女士"
    surname = name[:2] if name.startswith(COMPOUND_SURNAMES) else name[0]
    return f"{surname}先生/女士"


def pay_short(settings: Settings) -> str:
    """How to pay, short enough for an SMS: [sms] pay_hint, else the first clause of [company] payment_methods;
    read after 可 in the template."""
    if settings.sms.pay_hint.strip():
        return settings.sms.pay_hint.strip()
    methods = settings.company.payment_methods.strip()
    return re.split(r"[，。；,;]", methods)[0].strip() or methods


def next_node(settings: Settings, after: date) -> date | None:
    """The first SMS node date (moved past holidays) after `after`, or None with no node days configured."""
    days = list(settings.sms.days)
    if not days:
        return None
    year, month = after.year, after.month
    for _ in range(3):  # month by month: only ask the holiday calendar about the months needed
        upcoming = [d for d in node_dates(year, month, days).values() if d > after]
        if upcoming:
            return min(upcoming)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def node_today(settings: Settings, as_of: date) -> int | None:
    """The node day whose date is `as_of`, including a node of last month moved into this one by a long holiday."""
    days = list(settings.sms.days)
    if not days:
        return None
    node = sms_node_today(as_of, days)
    if node is not None:
        return node
    before = as_of.replace(day=1) - timedelta(days=1)
    for day, on in node_dates(before.year, before.month, days).items():
        if on == as_of:
            return day
    return None


def build_sms(settings: Settings, decisions: Decisions, *, any_day: bool = False) -> SmsBatch:
    """One bill-notice SMS per room with arrears, to its first mobile; held, do-not-contact and rooms without a
    mobile are skipped and counted. Off the node days an empty batch with a warning, unless `any_day`.

    Reads the typed decisions as they are (decide/decisions.py: no NaN, money in int fen)."""
    as_of = decisions.as_of
    node = node_today(settings, as_of)
    batch = SmsBatch(as_of=as_of, node=node)
    if node is None and not any_day:
        batch.warnings.append(_not_a_node(settings, as_of))
        return batch

    skipped: Counter[str] = Counter()
    company_phone = settings.company.phone.strip()
    pay = pay_short(settings)
    signature = f"【{settings.sms.signature.strip()}】"
    for row in decisions.frame.itertuples(index=False):
        fen = int(row.outstanding_fen)
        if fen <= 0:
            skipped[REASON_NO_ARREARS] += 1
            continue
        if row.tactic is None:
            skipped[f"暂缓（{row.hold_name or row.hold or '未说明'}）"] += 1
            continue
        if row.do_not_contact:
            skipped[REASON_DO_NOT_CONTACT] += 1
            continue
        phones = [p.strip() for p in row.phones.split(",") if p.strip()]
        mobile = next((p for p in phones if MOBILE.fullmatch(p)), None)
        if mobile is None:
            skipped[REASON_NO_MOBILE if phones else REASON_NO_PHONE] += 1
            continue
        owner = row.owner.strip()
        variables: dict[str, Any] = {
            "salutation": salutation(owner),
            "estate": row.estate.strip(),
            "room": row.room.strip(),
            "amount": yuan(fen),
            "months": int(row.unpaid_periods),  # 欠费月数: unpaid months, not the age
            "oldest_period": row.oldest_period.strip(),
            "month": as_of.month,
            "pay_short": pay,
            "company_phone": company_phone,
        }
        text = signature + render(settings, TEMPLATE, variables)
        chars, segments = sms_length(text)
        batch.messages.append(SmsMessage(variables["estate"], variables["room"], owner, mobile, text, chars,
                                         segments, variables))

    batch.skipped = dict(skipped)
    batch.warnings += _warnings(settings, batch)
    return batch


def write_sms(batch: SmsBatch, fmt: str, out_dir: Path, settings: Settings) -> list[Path]:
    """Write the batch as `csv` (UTF-8 with BOM, opens in Excel), `aliyun` (SendBatchSms requests, ≤ 100 numbers
    per file) or `tencent` (one file: a SendSms request per owner). An empty batch writes nothing."""
    if fmt not in FORMATS:
        raise UsageError(f"不支持的短信格式：{fmt}。可选：{'、'.join(FORMATS)}（csv 表格；aliyun 阿里云；tencent 腾讯云）。")
    if not batch.messages:
        return []
    if fmt != "csv" and not settings.sms.template_code.strip():
        raise ConfigError("还没有配置短信平台的模板编号，无法生成平台请求文件。",
                          hint="在 feedun.toml 的 [sms] 小节填写 template_code（平台审核通过的模板 CODE/ID）；"
                               "或改用 csv 格式。")
    if fmt == "tencent" and not settings.sms.sdk_app_id.strip():
        raise ConfigError("还没有配置腾讯云短信应用 ID，无法生成腾讯云请求文件。",
                          hint="在 feedun.toml 的 [sms] 小节填写 sdk_app_id（腾讯云短信控制台的 SdkAppId）；或改用 csv 格式。")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    day = batch.as_of.isoformat()
    if fmt == "csv":
        return [_write_csv(batch, out_dir / f"短信-{day}.csv")]
    if fmt == "aliyun":
        return _write_aliyun(batch, out_dir, day, settings)
    return [_write_tencent(batch, out_dir / f"短信-腾讯云-{day}.json", settings)]


def aliyun_request(messages: list[SmsMessage], settings: Settings) -> dict[str, str]:
    """An Aliyun SendBatchSms request: parallel JSON-string lists of numbers, signatures and template params."""
    sign = settings.sms.signature.strip()
    return {
        "PhoneNumberJson": _json([m.phone for m in messages]),
        "SignNameJson": _json([sign] * len(messages)),
        "TemplateCode": settings.sms.template_code.strip(),
        "TemplateParamJson": _json([_params(m) for m in messages]),
    }


def tencent_request(message: SmsMessage, settings: Settings) -> dict[str, Any]:
    """A Tencent SendSms request for one owner; TemplateParamSet follows VARIABLES ({1} = salutation, ...)."""
    params = _params(message)
    return {
        "PhoneNumberSet": [f"+86{message.phone}"],
        "SmsSdkAppId": settings.sms.sdk_app_id.strip(),
        "SignName": settings.sms.signature.strip(),
        "TemplateId": settings.sms.template_code.strip(),
        "TemplateParamSet": [params[name] for name in VARIABLES],
    }


def _write_csv(batch: SmsBatch, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*CSV_HEADERS, *VARIABLES])
        for m in batch.messages:
            writer.writerow([m.estate, m.room, m.owner, m.phone, m.text, m.chars, m.segments,
                             *(m.variables.get(name, "") for name in VARIABLES)])
    return path


def _write_aliyun(batch: SmsBatch, out_dir: Path, day: str, settings: Settings) -> list[Path]:
    paths = []
    chunks = [batch.messages[i:i + ALIYUN_BATCH] for i in range(0, len(batch.messages), ALIYUN_BATCH)]
    for number, chunk in enumerate(chunks, start=1):
        path = out_dir / f"短信-阿里云-{day}-{number:02d}.json"
        _write_json(path, aliyun_request(chunk, settings))
        paths.append(path)
    # a smaller re-run of the same day must not leave last run's extra batch files behind to be sent twice
    written = set(paths)
    for stale in out_dir.glob(f"短信-阿里云-{day}-*.json"):
        if stale not in written and re.fullmatch(rf"短信-阿里云-{re.escape(day)}-\d{{2,}}\.json", stale.name):
            stale.unlink()
    return paths


def _write_tencent(batch: SmsBatch, path: Path, settings: Settings) -> Path:
    _write_json(path, [tencent_request(m, settings) for m in batch.messages])
    return path


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _params(message: SmsMessage) -> dict[str, str]:
    """Template parameters as strings (both platforms take string values only)."""
    return {name: str(message.variables.get(name, "")) for name in VARIABLES}


def _not_a_node(settings: Settings, as_of: date) -> str:
    days = sorted(set(settings.sms.days))
    if not days:
        return f"{as_of.isoformat()} 不发短信：没有配置短信节点日（feedun.toml 的 [sms] days）。"
    upcoming = next_node(settings, as_of)
    listed = "、".join(str(d) for d in days)
    when = f"下一个短信节点日是 {upcoming.isoformat()}" if upcoming else "近期没有短信节点日"
    return (f"{as_of.isoformat()} 不是短信节点日（每月 {listed} 日，遇节假日顺延到下一个工作日），没有生成短信；"
            f"{when}。确需今天发送，可加 --any-day。")


def _warnings(settings: Settings, batch: SmsBatch) -> list[str]:
    lines = []
    long = [m for m in batch.messages if m.segments > MAX_SEGMENTS]
    for m in long:
        lines.append(f"{m.estate} {m.room}：短信 {m.chars} 字，按 {m.segments} 条计费（超过 {MAX_SEGMENTS} 条）。")
    if long:
        lines.append(f"共 {len(long)} 条短信超过 {MAX_SEGMENTS} 条计费长度，可精简模板 {TEMPLATE} 或签名。")
    risky = sorted({w for m in batch.messages for w in RISKY_WORDS if w in m.text})
    if risky:
        lines.append(f"短信内容含有「{'」「'.join(risky)}」：短信平台通常拒绝催款类内容，滞纳金也不应写进短信；"
                     f"请修改模板 {TEMPLATE}，写成缴费提醒。")
    shared = Counter(m.phone for m in batch.messages)
    for phone, count in sorted(shared.items()):
        if count > 1:
            lines.append(f"手机 {mask_phone(phone)} 将收到 {count} 条短信（名下有 {count} 户欠费）。")
    return lines
