"""`feedun init`: scaffold a working folder; never overwrite what is there."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from feedun.config import CONFIG_NAME
from feedun.core.errors import UsageError


def scaffold(folder: Path) -> tuple[list[Path], list[Path]]:
    """Write the default files into folder; returns (written, already there and left alone)."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} 是一个文件，不是文件夹。", hint="给出一个文件夹路径（不存在时会自动创建）。")
    folder.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    files = {CONFIG_NAME: resources.files("feedun").joinpath("feedun.example.toml").read_text("utf-8")}
    from feedun.outputs.templating import shipped_templates

    shipped = shipped_templates()
    for source in sorted(shipped.rglob("*.j2")):  # scripts and SMS texts, for the company to edit
        files[str(Path("templates") / source.relative_to(shipped))] = source.read_text("utf-8")
    for name, text in files.items():
        target = folder / name
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as fh:  # "x": never clobber, even in a race
            fh.write(text)
        written.append(target)
    return written, kept
