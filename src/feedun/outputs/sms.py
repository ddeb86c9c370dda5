"""Bill-notice SMS (缴费提醒): one personalised text per room on the SMS node days, for upload to an SMS platform.

Texts read as bill notices, never as dunning: SMS platforms reject "催款" templates, and the late fee never
appears in an SMS (docs/design.md, "SMS platforms" and "Late fees"). The principal comes from `outstanding_fen` only.

Lengths follow the platforms' billing: every character counts as one (a character outside the BMP, such as an emoji
or a rare name character, as two), the 【签名】 included; up to 70 characters is one SMS, longer texts are billed in
segments of 67, and no platform sends more than 500.

The request files follow the platforms' documented shapes (Tencent SendSms 2021-01-11: PhoneNumberSet in E.164, at
most 200 numbers per request, TemplateParamSet with exactly the approved template's parameters in order; Aliyun
SendBatchSms: at most 100 numbers per request, TemplateParamJson keyed by the template's variables). The template's
parameters are `[sms] params`, checked against the local template before any file is written.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from feedun.config import Settings
from feedun.core.calendar import node_dates, sms_node_today
from feedun.core.errors import ConfigError, FeedunError, UsageError
from feedun.core.money import mask_phone
from feedun.core.vocab import NodeKind, SmsFormat
from feedun.decide.decisions import Decisions
from feedun.decide.nodes import node_days, nodes_on, reached
from feedun.outputs.paylink import pay_url
from feedun.outputs.templating import renderer

TEMPLATE = "sms/bill_notice.j2"
SINGLE_LIMIT = 70  # characters in one SMS
SEGMENT_LIMIT = 67  # characters per billed segment of a long SMS
MAX_SEGMENTS = 2  # above this a warning line per message
MAX_CHARS = 500  # the platforms' limit for one (long) SMS, signature included
ALIYUN_BATCH = 100  # SendBatchSms accepts at most 100 numbers per request
TENCENT_BATCH = 200  # SendSms accepts at most 200 numbers per request (all with the same parameters)
FORMATS = tuple(f.value for f in SmsFormat)

# The variables a bill-notice template may use (the CSV's extra columns, in this order). A platform template uses
# some of them, declared in order by [sms] params.
VARIABLES = ("salutation", "estate", "room", "amount", "months", "oldest_period", "month", "pay_short",
             "company_phone", "pay_link")

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
REASON_TOO_LONG = f"短信超过 {MAX_CHARS} 字（平台上限）"

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
    send_from: datetime | None = None  # the earliest time the files may be sent (outside the quiet hours)
    messages: list[SmsMessage] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # Chinese reason -> rooms
    warnings: list[str] = field(default_factory=list)


def sms_length(text: str) -> tuple[int, int]:
    """(characters, billed segments) of the full text, 【签名】 included: ≤ 70 is one SMS, else ceil(n / 67).

    A character outside the Basic Multilingual Plane counts as two, as the platforms count UTF-16 units.

    >>> sms_length("【阳光物业】您好"), sms_length("好" * 71), sms_length("𠀾"), sms_length("")
    ((8, 1), (71, 2), (2, 1), (0, 0))
    """
    chars = len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    if chars == 0:
        return 0, 0
    return chars, 1 if chars <= SINGLE_LIMIT else math.ceil(chars / SEGMENT_LIMIT)


def plain_yuan(fen: int) -> str:
    """Money as a platform variable: a plain number, no thousands separator (107250 -> '1072.50').

    >>> plain_yuan(107250), plain_yuan(5), plain_yuan(123456789)
    ('1072.50', '0.05', '1234567.89')
    """
    whole, cents = divmod(int(fen), 100)
    return f"{whole}.{cents:02d}"


def template_params(settings: Settings) -> list[str]:
    """The platform template's parameters in order: [sms] params, else the local template's variables in the order
    they first appear. A ConfigError naming the difference when the two disagree, or when the local template uses
    something a platform template cannot ({% if %}, filters): the platform would send a different text."""
    from feedun.outputs.templating import template_variables

    used, constructs = template_variables(settings, TEMPLATE)
    if constructs:
        raise ConfigError(f"短信模板 {TEMPLATE} 用了平台模板做不到的写法（{'、'.join(constructs)}），平台发出的文字会和本地不同。",
                          hint="平台模板只能是固定文字加变量：去掉条件、循环和过滤器，只用 {{ 变量 }}。")
    unknown = [v for v in used if v not in VARIABLES]
    if unknown:
        raise ConfigError(f"短信模板 {TEMPLATE} 用到了不认识的变量：{'、'.join(unknown)}。",
                          hint=f"可用的变量：{'、'.join(VARIABLES)}。")
    declared = [p.strip() for p in settings.sms.params]
    if not declared:
        return used
    missing = [v for v in used if v not in declared]
    extra = [p for p in declared if p not in used]
    repeated = sorted({p for p in declared if declared.count(p) > 1})
    if missing or extra or repeated:
        parts = ([f"模板用到而 params 没有声明：{'、'.join(missing)}"] if missing else []) + (
            [f"params 声明了而模板没有用到：{'、'.join(extra)}"] if extra else []) + (
            [f"params 重复：{'、'.join(repeated)}"] if repeated else [])
        raise ConfigError(f"短信模板 {TEMPLATE} 与 feedun.toml [sms] params 不一致：{'；'.join(parts)}。",
                          hint="params 要和短信平台审核通过的模板参数完全一致（个数和顺序），本地模板也要用同样的变量；"
                               "改好其中一边后重试。")
    return declared


def plan_sending(settings: Settings, at: datetime | None, now: datetime) -> datetime:
    """When the day's SMS files are for: `at` (feedun sms --at) or now, refused inside the quiet hours.

    Collection guidelines allow contacting owners only from 08:00 to 21:00 (Beijing time); a file made at 22:00 is
    sent at 22:00 by someone clearing their desk, so none is made then. `--at` prepares one for the morning."""
    quiet = f"{settings.sms.quiet_hours[0]}–次日 {settings.sms.quiet_hours[1]}"
    if at is None:
        if sending_time(settings, now) != now:
            morning = sending_time(settings, now)
            raise FeedunError(f"现在是北京时间 {now:%H:%M}，在免打扰时段（{quiet}）内，不生成用于发送的短信文件。",
                              hint=f"准备明早发送的文件：加 --at \"{morning:%Y-%m-%d %H:%M}\"，并在那之后再上传发送。")
        return now
    if sending_time(settings, at) != at:
        raise FeedunError(f"--at {at:%Y-%m-%d %H:%M} 在免打扰时段（{quiet}）内。",
                          hint=f"选 {settings.sms.quiet_hours[1]}–{settings.sms.quiet_hours[0]} 之间的时间。")
    return at


def _check_pay_link(settings: Settings) -> None:
    """A template that links to the payment page needs one: refused rather than sent with an empty link."""
    from feedun.outputs.templating import template_variables

    if not settings.company.payment_url and "pay_link" in template_variables(settings, TEMPLATE)[0]:
        raise ConfigError(f"短信模板 {TEMPLATE} 用了 {{{{ pay_link }}}}，但还没有配置缴费链接。",
                          hint="在 feedun.toml 的 [company] 填写 payment_url（公司的缴费页面网址，可含 {room}），"
                               "或从模板中去掉 pay_link。")


def sending_time(settings: Settings, at: datetime) -> datetime:
    """`at` when it is inside the sending hours, else the next moment they open (the quiet hours' end).

    >>> s = Settings()
    >>> sending_time(s, datetime(2026, 12, 2, 22, 30)), sending_time(s, datetime(2026, 12, 3, 7, 0))
    (datetime.datetime(2026, 12, 3, 8, 0), datetime.datetime(2026, 12, 3, 8, 0))
    >>> sending_time(s, datetime(2026, 12, 3, 9, 15))
    datetime.datetime(2026, 12, 3, 9, 15)
    """
    first, last = settings.sms.sending_window()
    minute = at.hour * 60 + at.minute
    opens = time(first // 60, first % 60)
    if minute < first:
        return datetime.combine(at.date(), opens)
    if minute >= last:
        return datetime.combine(at.date() + timedelta(days=1), opens)
    return at


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
    days = node_days(settings, NodeKind.SMS)
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
    days = node_days(settings, NodeKind.SMS)
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


def build_sms(settings: Settings, decisions: Decisions, *, any_day: bool = False,
              send_from: datetime | None = None) -> SmsBatch:
    """One bill-notice SMS per room with arrears, to its first mobile; held, do-not-contact and rooms without a
    mobile are skipped and counted. Off the node days an empty batch with a warning, unless `any_day`.
    `send_from` (checked by the caller against the quiet hours, see `sending_time`) is said with the files.

    Reads the typed decisions as they are (decide/decisions.py: no NaN, money in int fen)."""
    as_of = decisions.as_of
    node = node_today(settings, as_of)
    batch = SmsBatch(as_of=as_of, node=node, send_from=send_from)
    if node is None and not any_day:
        batch.warnings.append(_not_a_node(settings, as_of))
        return batch

    _check_pay_link(settings)
    skipped: Counter[str] = Counter()
    todays = nodes_on(settings, as_of, NodeKind.SMS)
    narrowed = node is not None and all(n.min_months or n.tactic for n in todays)
    in_scope = reached(todays, decisions.frame) if narrowed else None
    company_phone = settings.company.phone.strip()
    pay = pay_short(settings)
    signature = f"【{settings.sms.signature}】"  # the setting is stored without brackets (config.py)
    render = renderer(settings, TEMPLATE)
    for position, row in enumerate(decisions.frame.itertuples(index=False)):
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
        if in_scope is not None and not in_scope.iloc[position]:
            skipped[f"不在今天的短信节点范围（{'；'.join(n.label for n in todays)}）"] += 1
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
            "amount": plain_yuan(fen),  # a platform variable: 1072.50, never 1,072.50
            "months": int(row.unpaid_periods),  # 欠费月数: unpaid months, not the age
            "oldest_period": row.oldest_period.strip(),
            "month": as_of.month,
            "pay_short": pay,
            "company_phone": company_phone,
            "pay_link": pay_url(settings, row.estate.strip(), row.room.strip()) or "",  # counted in the length
        }
        text = signature + render(variables)
        chars, segments = sms_length(text)
        if chars > MAX_CHARS:
            skipped[REASON_TOO_LONG] += 1
            batch.warnings.append(f"{variables['estate']} {variables['room']}：短信 {chars} 字，超过平台上限 {MAX_CHARS} 字，"
                                  f"没有生成；请精简模板 {TEMPLATE}。")
            continue
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
    params = template_params(settings) if fmt != "csv" else []
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    day = batch.as_of.isoformat()
    if fmt == "csv":
        return [_write_csv(batch, out_dir / f"短信-{day}.csv")]
    if fmt == "aliyun":
        return _write_aliyun(batch, out_dir, day, settings, params)
    return [_write_tencent(batch, out_dir / f"短信-腾讯云-{day}.json", settings, params)]


def aliyun_request(messages: list[SmsMessage], settings: Settings, params: list[str]) -> dict[str, str]:
    """An Aliyun SendBatchSms request (≤ 100 numbers): parallel JSON-string lists of numbers, signatures and
    template parameters, each keyed by exactly the template's variables."""
    if len(messages) > ALIYUN_BATCH:
        raise ValueError(f"SendBatchSms takes at most {ALIYUN_BATCH} numbers, got {len(messages)}")
    sign = settings.sms.signature
    return {
        "PhoneNumberJson": _json([m.phone for m in messages]),
        "SignNameJson": _json([sign] * len(messages)),
        "TemplateCode": settings.sms.template_code.strip(),
        "TemplateParamJson": _json([{name: _param(m, name) for name in params} for m in messages]),
    }


def tencent_requests(messages: list[SmsMessage], settings: Settings, params: list[str]) -> list[dict[str, Any]]:
    """Tencent SendSms requests: owners whose parameters are the same share a request (up to 200 numbers, E.164);
    TemplateParamSet is the template's parameters in its order ({1}, {2}, …)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for m in messages:
        groups.setdefault(tuple(_param(m, name) for name in params), []).append(e164(m.phone))
    requests = []
    for values, phones in groups.items():
        for i in range(0, len(phones), TENCENT_BATCH):
            requests.append({
                "PhoneNumberSet": phones[i:i + TENCENT_BATCH],
                "SmsSdkAppId": settings.sms.sdk_app_id.strip(),
                "SignName": settings.sms.signature,
                "TemplateId": settings.sms.template_code.strip(),
                "TemplateParamSet": list(values),
            })
    return requests


def e164(mobile: str) -> str:
    """A mainland mobile in E.164: '13812345678' -> '+8613812345678'."""
    if not MOBILE.fullmatch(mobile):
        raise ValueError(f"not a mainland mobile number: {mobile!r}")
    return f"+86{mobile}"


def _write_csv(batch: SmsBatch, path: Path) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*CSV_HEADERS, *VARIABLES])
        for m in batch.messages:
            writer.writerow([m.estate, m.room, m.owner, m.phone, m.text, m.chars, m.segments,
                             *(m.variables.get(name, "") for name in VARIABLES)])
    return path


def _write_aliyun(batch: SmsBatch, out_dir: Path, day: str, settings: Settings, params: list[str]) -> list[Path]:
    paths = []
    chunks = [batch.messages[i:i + ALIYUN_BATCH] for i in range(0, len(batch.messages), ALIYUN_BATCH)]
    for number, chunk in enumerate(chunks, start=1):
        path = out_dir / f"短信-阿里云-{day}-{number:02d}.json"
        _write_json(path, aliyun_request(chunk, settings, params))
        paths.append(path)
    # a smaller re-run of the same day must not leave last run's extra batch files behind to be sent twice
    written = set(paths)
    for stale in out_dir.glob(f"短信-阿里云-{day}-*.json"):
        if stale not in written and re.fullmatch(rf"短信-阿里云-{re.escape(day)}-\d{{2,}}\.json", stale.name):
            stale.unlink()
    return paths


def _write_tencent(batch: SmsBatch, path: Path, settings: Settings, params: list[str]) -> Path:
    _write_json(path, tencent_requests(batch.messages, settings, params))
    return path


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _param(message: SmsMessage, name: str) -> str:
    """A template parameter as a string (both platforms take string values only)."""
    return str(message.variables[name])


def _not_a_node(settings: Settings, as_of: date) -> str:
    days = node_days(settings, NodeKind.SMS)
    if not days:
        return f"{as_of.isoformat()} 不发短信：没有配置短信节点日（feedun.toml 的 [[nodes]] 或 [sms] days）。"
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
