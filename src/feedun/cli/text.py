"""Simplified-Chinese text for the parts of the help and usage errors that Typer/Click write themselves."""

from __future__ import annotations

import re

_PATTERNS = [
    (r"^No such option: (.+?)(?: Did you mean (.+)\?)?$", lambda m: f"没有这个选项：{m[1]}"
     + (f"（是不是想用 {m[2]}？）" if m[2] else "")),
    (r"^No such command '?(.+?)'?\.?$", lambda m: f"没有这个命令：{m[1]}"),
    (r"^Missing argument '?(.+?)'?\.?$", lambda m: f"缺少参数 {m[1]}"),
    (r"^Missing option '?(.+?)'?\.?$", lambda m: f"缺少选项 {m[1]}"),
    (r"^Option '?(.+?)'? requires an argument\.?$", lambda m: f"选项 {m[1]} 需要一个值"),
    (r"^Got unexpected extra arguments? \((.+)\)$", lambda m: f"多余的参数：{m[1]}"),
    (r"^Invalid value for (.+?): (.+)$", lambda m: f"{m[1].replace(chr(39), '')} 的值无效：{_choice(m[2])}"),
]


def _choice(detail: str) -> str:
    """"'x' is not one of 'dunning', 'lawyer'." (an Enum option) -> "“x”不是可选的值；可选：dunning、lawyer"."""
    detail = detail.strip().removeprefix("Value error, ")
    if m := re.match(r"^'(.*)' is not one of (.+?)\.?$", detail, re.DOTALL):
        codes = [c.strip().strip(chr(39)) for c in m[2].split(",")]
        return f"“{m[1]}”不是可选的值；可选：{'、'.join(_with_label(c) for c in codes)}"
    return detail


def _with_label(code: str) -> str:
    """'promised' -> 'promised（承诺缴费）' for the vocabularies options take; other codes as they are."""
    from feedun.core.vocab import CHANNEL_LABELS, DELIVERY_LABELS, LETTER_KIND_LABELS, OUTCOME_LABELS

    for labels in (OUTCOME_LABELS, CHANNEL_LABELS, LETTER_KIND_LABELS, DELIVERY_LABELS):
        if code in labels:
            return f"{code}（{labels[code]}）"
    return code


def translate(message: str) -> str:
    for pattern, render in _PATTERNS:
        if m := re.match(pattern, message.strip(), re.DOTALL):
            return render(m)
    return message


def install() -> None:
    """Point Typer's rich help and error output at Chinese titles and messages."""
    from typer import rich_utils

    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "用法错误"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看用法。"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    if getattr(rich_utils.rich_format_error, "_feedun", False):
        return
    from typer._click import core

    plain_help_option = core.Command.get_help_option

    def get_help_option(self, ctx):
        option = plain_help_option(self, ctx)
        if option is not None:
            option.help = "显示本帮助并退出。"
        return option

    core.Command.get_help_option = get_help_option
    original = rich_utils.rich_format_error

    def rich_format_error(self) -> None:
        plain = self.format_message
        self.format_message = lambda: translate(plain())
        original(self)

    rich_format_error._feedun = True  # type: ignore[attr-defined]
    rich_utils.rich_format_error = rich_format_error
