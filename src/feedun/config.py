"""feedun.toml → validated settings, and where the store lives."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from feedun.core.errors import ConfigError

CONFIG_NAME = "feedun.toml"
DB_NAME = "feedun.db"


class StoreSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = None


class ImportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    estate: str | None = None
    due_day: int = Field(default=15, ge=1, le=28)
    rejects_dir: str = "rejects"
    columns: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        from feedun.intake.headers import FIELDS

        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ValueError(f"未知字段 {', '.join(unknown)}；可用字段：{', '.join(FIELDS)}")
        return value


class FeeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The late fee per day of the overdue principal as the company's own contract states it; None (the default)
    # means no late fee at all: the rate is the contract's, never ours (docs/design.md, "Late fees"). Kept apart
    # from principal and shown as the contract figure; never put in an SMS.
    late_fee_daily_rate: str | None = None

    @field_validator("late_fee_daily_rate")
    @classmethod
    def _rate(cls, value: str | None) -> str | None:
        from decimal import Decimal, InvalidOperation

        if value is None or str(value).strip() == "":
            return None
        try:
            rate = Decimal(str(value))
        except InvalidOperation:
            raise ValueError("应为小数，例如 \"0.003\"（即每日千分之三）") from None
        if not (0 <= rate < 1):
            raise ValueError("应在 0 到 1 之间，例如 \"0.003\"")
        return str(rate)


class CompanySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "物业服务中心"  # as owners know it; used in scripts, SMS and letters
    phone: str = ""  # the service desk number owners can call back
    address: str = ""
    payment_methods: str = "物业服务中心前台、微信或支付宝缴费，也可银行转账"
    # The company's payment page, so owners pay on the spot: a QR code on notices, visit sheets and letters, and
    # {{ pay_link }} in an SMS template. May contain {room} and {estate} (filled in, URL-encoded); empty: none.
    payment_url: str = ""

    @field_validator("payment_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if not re.match(r"https?://[^\s/]+\.[^\s/]+", value):
            raise ValueError(f"缴费链接“{value}”不是网址：要以 https:// 开头，例如 https://pay.example.com/r/{{room}}")
        unknown = set(re.findall(r"\{([^}]*)\}", value)) - {"room", "estate"}
        if unknown:
            raise ValueError(f"缴费链接里只能用 {{room}} 和 {{estate}}，不认识：{'、'.join(sorted(unknown))}")
        return value


class LetterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deadline_days: int = Field(default=15, ge=3, le=90)  # a reasonable period to pay after a demand letter
    dunning_number: str = "催字〔{year}〕第{seq:04d}号"
    lawyer_number: str = "律字〔{year}〕第{seq:04d}号"
    contact_person: str = "物业服务中心客服"
    bank_name: str = ""
    bank_account: str = ""
    late_fee_basis: str = ""  # the contract clause, in the company's words; letters cite it only when it is set

    @field_validator("dunning_number", "lawyer_number")
    @classmethod
    def _number_format(cls, value: str) -> str:
        try:
            value.format(year=2026, seq=1)
        except (KeyError, IndexError, ValueError):
            raise ValueError("编号格式只能使用 {year} 和 {seq}，例如 催字〔{year}〕第{seq:04d}号") from None
        if "{seq" not in value:
            raise ValueError("编号格式必须包含 {seq}（当年的流水号）")
        return value


class LawFirmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    address: str
    lawyer: str
    phone: str
    # The lawyer's practising-licence number (执业证号). Optional so that a feedun.toml written before it existed
    # still loads; a draft without it leaves the line out and the batch warns (outputs/letters/generate.py).
    licence_number: str = ""


class CallSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    daily_capacity: int = Field(default=40, ge=1, le=500)  # calls one collector can make well in a day


SMS_EARLIEST, SMS_LATEST = "08:00", "21:00"  # collection guidelines: contact owners only between these hours


class SmsSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signature: str = "物业服务中心"  # 【签名】 as registered with the SMS platform; brackets typed around it are removed
    template_code: str = ""  # the platform's approved template id (Aliyun TemplateCode / Tencent TemplateId)
    sdk_app_id: str = ""  # Tencent SmsSdkAppId
    days: list[int] = Field(default_factory=lambda: [5, 15])  # reminder nodes with a bill-notice SMS (docs/design.md, "Reminder nodes")
    pay_hint: str = "前台、微信或支付宝缴纳"  # short, so that one notice stays one 70-character SMS
    # The approved platform template's parameters in its order ({1}, {2}, … on Tencent; ${name} on Aliyun). Empty:
    # the local template's variables in the order they first appear. Checked against the local template.
    params: list[str] = Field(default_factory=list)
    # Quiet hours, [from, until]: no SMS file is made for sending from the evening hour to the morning one. The
    # guidelines' 21:00–08:00 always applies; a company may only widen the quiet time (narrow the sending hours).
    quiet_hours: tuple[str, str] = (SMS_LATEST, SMS_EARLIEST)

    @field_validator("signature")
    @classmethod
    def _bare_signature(cls, value: str) -> str:
        """'【阳光物业】' and '[阳光物业]' as typed → '阳光物业': the brackets are added once, when the text is made."""
        bare = value.strip()
        while len(bare) >= 2 and (bare[0], bare[-1]) in (("【", "】"), ("[", "]"), ("［", "］")):
            bare = bare[1:-1].strip()
        if not bare:
            raise ValueError("短信签名不能为空（填在短信平台备案的签名，如 阳光物业）")
        return bare

    @field_validator("quiet_hours")
    @classmethod
    def _within_guidelines(cls, value: tuple[str, str]) -> tuple[str, str]:
        start, end = (_hhmm(v) for v in value)
        if not (_hhmm(SMS_EARLIEST) <= end < start <= _hhmm(SMS_LATEST)):
            raise ValueError(f"免打扰时段至少是 {SMS_LATEST} 到次日 {SMS_EARLIEST}（催收规范只允许 {SMS_EARLIEST}–{SMS_LATEST} "
                             f"联系业主），只能再放宽，例如 [\"20:00\", \"09:00\"]")
        return tuple(f"{m // 60:02d}:{m % 60:02d}" for m in (start, end))  # type: ignore[return-value]

    def sending_window(self) -> tuple[int, int]:
        """(first, last) minute of the day an SMS may go out: the quiet hours' end and start."""
        start, end = (_hhmm(v) for v in self.quiet_hours)
        return end, start


def _hhmm(text: str) -> int:
    """'8:30' / '08:30' / '８：３０' → minutes after midnight; ValueError in Chinese otherwise."""
    import unicodedata

    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", unicodedata.normalize("NFKC", str(text)).strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"时间“{text}”看不懂，请写成 时:分，例如 08:30")
    return int(match[1]) * 60 + int(match[2])


class NodeSettings(BaseModel):
    """One reminder node: on `day` of each month (moved past weekends and holidays), `kind` reaches the rooms with
    arrears that match: at least `min_months` months overdue, and only `tactic` / owners tagged `tag` when given."""

    model_config = ConfigDict(extra="forbid")
    day: int = Field(ge=1, le=31)
    kind: str
    min_months: int = Field(default=0, ge=0, le=120)
    tactic: str | None = None
    tag: str | None = None  # only owners with this tag (feedun tag), e.g. absentee: 长期不在本地

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        from feedun.core.vocab import TAG_LABELS, Tag, choices

        if value is None:
            return None
        value = {label: tag.value for tag, label in TAG_LABELS.items()}.get(value.strip(), value.strip())
        if value not in {t.value for t in Tag}:
            raise ValueError(f"不认识的标签“{value}”；可选：{choices(TAG_LABELS)}")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        from feedun.core.vocab import NODE_KIND_LABELS, NodeKind, choices

        by_label = {label: kind.value for kind, label in NODE_KIND_LABELS.items()}
        value = by_label.get(value.strip(), value.strip())
        if value not in {k.value for k in NodeKind}:
            raise ValueError(f"不认识的节点类型“{value}”；可选：{choices(NODE_KIND_LABELS)}")
        return value

    @field_validator("tactic")
    @classmethod
    def _tactic(cls, value: str | None) -> str | None:
        from feedun.core.tactics import Tactic

        if value is not None and value not in {t.value for t in Tactic}:
            raise ValueError(f"不认识的招数“{value}”；可选：{'、'.join(t.value for t in Tactic)}")
        return value


class CalendarSettings(BaseModel):
    """Holidays and make-up workdays (调休) of a year the installed chinesecalendar does not know yet, as the State
    Council announced them: single dates or ranges ("2027-02-15..2027-02-21", also with ～ or 至)."""

    model_config = ConfigDict(extra="forbid")
    holidays: list[str] = Field(default_factory=list)
    workdays: list[str] = Field(default_factory=list)

    @field_validator("holidays", "workdays")
    @classmethod
    def _dates(cls, value: list[str]) -> list[str]:
        for item in value:
            _date_range(item)
        return value

    def days(self) -> tuple[frozenset, frozenset]:
        """(holidays, workdays) as sets of dates."""
        off = frozenset(d for item in self.holidays for d in _date_range(item))
        on = frozenset(d for item in self.workdays for d in _date_range(item))
        both = sorted(off & on)
        if both:
            raise ValueError(f"{both[0].isoformat()} 同时写在 holidays 和 workdays 里")
        return off, on


def _date_range(item: str) -> list:
    """'2027-02-15' or '2027-02-15..2027-02-21' → the dates; ValueError in Chinese otherwise."""
    import unicodedata
    from datetime import date, timedelta

    text = unicodedata.normalize("NFKC", str(item)).strip()
    parts = [p.strip() for p in re.split(r"\.\.|~|～|至", text)]
    try:
        first, last = (date.fromisoformat(parts[0]), date.fromisoformat(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        first = last = None
    if first is None or last is None or last < first or (last - first).days > 31:
        raise ValueError(f"日期“{item}”看不懂：写成 2027-01-01，或一段日期 2027-02-15..2027-02-21（不超过一个月）")
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


class RunSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inbox: str = "inbox"  # where finance and collectors drop files for the unattended run
    outbox: str = "outbox"
    max_ledger_age_days: int = Field(default=10, ge=1, le=120)  # older than this on a node day: warn
    parallel: bool = True  # call lists written by a second process beside the other outputs (Linux; core/background)


class PurgeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # How long personal data of an owner who no longer owes is kept after their last arrears: `feedun purge`
    # without --before erases it for owners whose last arrears are older than today minus this. 1095 days is
    # about the three-year limitation period for a claim (民法典 第一百八十八条).
    retention_days: int = Field(default=1095, ge=30, le=36500)


class PolicySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str | None = None  # a policy.toml replacing the default; default: policy.toml beside feedun.toml if present


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    store: StoreSettings = Field(default_factory=StoreSettings)
    import_: ImportSettings = Field(default_factory=ImportSettings, alias="import")
    # Collector (管家) per estate ("阳光花园") or per building ("阳光花园/3"); `feedun tag --collector` overrides.
    collectors: dict[str, str] = Field(default_factory=dict)
    fees: FeeSettings = Field(default_factory=FeeSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    company: CompanySettings = Field(default_factory=CompanySettings)
    calls: CallSettings = Field(default_factory=CallSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    letters: LetterSettings = Field(default_factory=LetterSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    purge: PurgeSettings = Field(default_factory=PurgeSettings)
    law_firm: LawFirmSettings | None = None
    calendar: CalendarSettings = Field(default_factory=CalendarSettings)
    # The reminder-node table ([[nodes]]); None: docs/design.md's default, its SMS days from [sms] days.
    nodes: list[NodeSettings] | None = None
    # The folder that holds feedun.toml (or the working folder when there is none).
    workspace: Path = Field(default_factory=Path.cwd, exclude=True)

    @model_validator(mode="after")
    def _configure_calendar(self) -> Settings:
        """The [calendar] days are the process's holiday calendar (core/calendar.py explains why it is global)."""
        from feedun.core import calendar

        holidays, workdays = self.calendar.days()
        calendar.configure(holidays, workdays)
        return self

    @model_validator(mode="before")
    @classmethod
    def _top_level_db_url(cls, data: Any) -> Any:
        """`db_url = "…"` at the top of feedun.toml is accepted as a spelling of [store] url."""
        if isinstance(data, dict) and "db_url" in data:
            data = dict(data)
            url = data.pop("db_url")
            store = dict(data.get("store") or {})
            if store.get("url") not in (None, url):
                raise ValueError("db_url 与 [store] url 同时设置且不一致，请只保留一个")
            data["store"] = {**store, "url": url}
        return data

    def db_url(self, override: str | None = None) -> str:
        """--db beats FEEDUN_DB beats [store] url beats feedun.db beside the config."""
        url = override or os.environ.get("FEEDUN_DB") or self.store.url
        if url:
            return url if "://" in url else f"sqlite:///{Path(url).resolve()}"
        return f"sqlite:///{(self.workspace / DB_NAME).resolve()}"

    @property
    def policy_path(self) -> Path | None:
        """The user's policy file, if any: [policy] file, else policy.toml beside the config."""
        if self.policy.file:
            return self.workspace / self.policy.file
        candidate = self.workspace / "policy.toml"
        return candidate if candidate.exists() else None

    @property
    def rejects_dir(self) -> Path:
        return self.workspace / self.import_.rejects_dir


_PYDANTIC_MESSAGES = {
    "extra_forbidden": "不认识的配置项（检查拼写，或删除这一行）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "string_type": "应为文字（加英文引号）",
    "dict_type": "应为一个 [小节]",
    "missing": "缺少这一项",
}


def _explain(error: dict) -> str:
    """One pydantic error in Chinese: where it is and what is wrong."""
    where = ".".join(str(p) for p in error["loc"]).replace("import_", "import")
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _PYDANTIC_MESSAGES:
        what = _PYDANTIC_MESSAGES[kind]
    elif kind == "less_than_equal":
        what = f"不能大于 {ctx.get('le')}"
    elif kind == "greater_than_equal":
        what = f"不能小于 {ctx.get('ge')}"
    elif kind == "value_error":
        what = str(ctx.get("error", error["msg"]))
    else:
        what = f"取值无效（{error['msg']}）"
    return f"{where}：{what}" if where else what


# What tomllib says is wrong, in Chinese (Python 3.11 gives only the English message; line and column are in it).
_TOML_REASONS = [
    ("Expected newline or end of document after a statement", "一项写完后这一行还有多余的内容（文字要加英文引号，一行只写一项）"),
    ("Invalid value", "这个值无法识别（文字要加英文引号，数字不加）"),
    ("Unterminated string", "引号没有成对（文字要写在同一行的一对英文引号之间）"),
    ("Illegal character", "引号没有成对或文字中有不能直接写的字符（文字要写在同一行的一对英文引号之间）"),
    ("Unclosed array", "列表的方括号 [ ] 没有成对"),
    ("Unclosed inline table", "花括号 { } 没有成对"),
    ("Expected ']' at the end of a table declaration", "小节名的方括号没有成对，应写成 [小节]"),
    ("Expected ']]' at the end of an array declaration", "应写成 [[小节]]，两对方括号"),
    ("Expected '=' after a key", "名称后面缺少等号 =（写成 名称 = 值，名称中不能有空格）"),
    ("Invalid initial character for a key part", "名称的写法不对（用英文字母、数字和下划线，或加英文引号）"),
    ("Invalid statement", "这一行既不是 名称 = 值，也不是 [小节]"),
    ("Cannot overwrite a value", "同一项写了两次"),
    ("Cannot declare", "同一个小节写了两次"),
    ("Cannot redefine namespace", "同一个小节写了两次"),
    ("Cannot mutate immutable namespace", "这一项已经在别处写成了值，不能再作为小节"),
    ("Duplicate inline table key", "花括号里同一项写了两次"),
    ("Invalid date or datetime", "日期的写法不对（写成 2026-12-20，或加英文引号当作文字）"),
    ("Unescaped '\\' in a string", "文字中的反斜杠 \\ 要写成 \\\\，或改用单引号"),
    ("Invalid hex value", "文字中的反斜杠 \\ 要写成 \\\\，或改用单引号"),
    ("Escaped character is not a Unicode scalar value", "文字中的反斜杠 \\ 要写成 \\\\，或改用单引号"),
]


def explain_toml_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, int | None]:
    """A TOML syntax error as '第 3 行第 10 列附近：<the reason in Chinese>' and its line (for the error's row); the
    policy file uses it too (decide/policy/load.py). An error at the end of the file is placed on its last line."""
    message = str(exc)
    reason = next((chinese for english, chinese in _TOML_REASONS if message.startswith(english)), "")
    if where := re.search(r"line (\d+), column (\d+)", message):
        line: int | None = int(where[1])
        at = f"第 {where[1]} 行第 {where[2]} 列附近"
    elif "end of document" in message:
        line = max(len(text.splitlines()), 1)
        at = f"文件末尾（第 {line} 行）"
    else:
        line, at = None, ""
    return "：".join(p for p in (at, reason) if p) or "无法按 TOML 格式读取", line


def find_config(explicit: Path | None) -> Path | None:
    if explicit is not None:
        return explicit
    env = os.environ.get("FEEDUN_CONFIG")
    if env:
        return Path(env)
    candidate = Path.cwd() / CONFIG_NAME
    return candidate if candidate.exists() else None


def load_settings(explicit: Path | None = None) -> Settings:
    """Read and validate the config; no config file at all means defaults in the working folder."""
    path = find_config(explicit)
    if path is None:
        return Settings()
    if path.is_dir():
        path = path / CONFIG_NAME
    if not path.exists():
        raise ConfigError("找不到配置文件。", path=path,
                          hint="先运行 feedun init 生成配置，或用 --config 指定已有的 feedun.toml。")
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError("配置文件不是 UTF-8 编码。", path=path,
                          hint="用记事本等编辑器把 feedun.toml 另存为 UTF-8 编码。") from None
    except tomllib.TOMLDecodeError as exc:
        where, line = explain_toml_error(exc, text)
        raise ConfigError(f"配置文件格式有误：{where}。", path=path, row=line,
                          hint="按 TOML 格式修改（[小节] 要成对方括号，文字要加英文引号），或删除后重新运行 feedun init。") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(_explain(e) for e in exc.errors(include_url=False))
        raise ConfigError(f"配置项有误：{problems}", path=path,
                          hint="对照 feedun init 生成的示例配置修改。") from None
    settings.workspace = path.resolve().parent
    return settings
