"""The one error type users see: a Chinese message with the file, the row and what to do next."""

from __future__ import annotations

from pathlib import Path


class FeedunError(Exception):
    """An expected failure. The CLI prints it without a traceback and exits with `exit_code`."""

    exit_code = 1

    def __init__(self, message: str, *, path: str | Path | None = None, row: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.row = row
        self.hint = hint

    def render(self) -> str:
        """The whole message as the user reads it, one fact per line."""
        where = []
        if self.path is not None:
            where.append(f"文件：{self.path}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        lines = [f"错误：{self.message}"]
        if where:
            lines.append("位置：" + "，".join(where))
        if self.hint:
            lines.append(f"处理办法：{self.hint}")
        return "\n".join(lines)


    def to_dict(self) -> dict[str, object]:
        """For `--json`: a program reading stdout gets the failure as data, not nothing."""
        return {"error": self.message,
                "where": {"file": str(self.path) if self.path is not None else None, "row": self.row},
                "hint": self.hint, "exit_code": self.exit_code}


class InputFileError(FeedunError):
    """A file that cannot be read or understood at all; nothing of it is imported."""


class ConfigError(FeedunError):
    """feedun.toml (or another setting) is wrong."""


class UsageError(FeedunError):
    """The command line itself is wrong (exit code 2, like Click's own usage errors)."""

    exit_code = 2
