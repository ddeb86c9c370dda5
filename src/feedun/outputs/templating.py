"""Scripts and SMS texts as jinja2 templates users can edit: sandboxed, StrictUndefined, errors with file and line.

Lookup order: `templates/` beside feedun.toml (copied there by `feedun init`), then the templates feedun ships.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.core.money import mask_phone, yuan


@cache
def shipped_templates() -> Path:
    """The templates feedun ships: inside the installed package, or templates/ in a checkout (found once per
    process: a run renders tens of thousands of SMS and scripts)."""
    packaged = Path(str(resources.files("feedun").joinpath("templates")))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "templates"


def _environment(folders: tuple[str, ...]):
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(loader=FileSystemLoader(list(folders)), undefined=StrictUndefined,
                               autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["yuan"] = yuan
    env.filters["mask"] = mask_phone
    return env


@cache
def _cached_environment(folders: tuple[str, ...]):
    return _environment(folders)


def template_folders(settings: Settings) -> tuple[str, ...]:
    user = settings.workspace / "templates"
    return tuple(str(p) for p in (user, shipped_templates()) if p.is_dir())


def render(settings: Settings, name: str, context: dict[str, Any]) -> str:
    """Render templates/<name>; any template problem becomes a FeedunError naming the file and line."""
    return renderer(settings, name)(context)


def renderer(settings: Settings, name: str) -> Callable[[dict[str, Any]], str]:
    """render() for one template, its folders and environment looked up once: for a loop that renders it for
    every room (a run's 25,000 SMS or call-list rows). Jinja still notices an edited file, as render() does."""
    env = _cached_environment(template_folders(settings))

    def render_one(context: dict[str, Any]) -> str:
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

        try:
            return env.get_template(name).render(**context).strip()
        except TemplateNotFound:
            raise FeedunError(f"找不到模板 {name}。", hint="运行 feedun init 复制默认模板，或检查 templates 文件夹。") from None
        except TemplateSyntaxError as exc:
            raise FeedunError(f"模板语法错误：{exc.message}", path=exc.filename or name, row=exc.lineno,
                              hint="检查 {{ }} 和 {% %} 是否成对。") from None
        except TemplateError as exc:
            raise FeedunError(f"模板 {name} 无法生成：{exc}", path=_template_path(env, name),
                              row=_error_line(exc, name), hint="模板里只能使用文档列出的变量；改好模板后重试。") from None

    return render_one


def template_variables(settings: Settings, name: str) -> tuple[list[str], list[str]]:
    """(variables in the order they first appear, the constructs beyond plain text and {{ variable }}).

    An SMS platform template is fixed text with variables; what else a local template uses ({% if %}, a filter)
    is named so the caller can refuse to pair it with a platform template."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError, nodes

    env = _cached_environment(template_folders(settings))
    try:
        source = env.loader.get_source(env, name)[0]
        tree = env.parse(source)
    except TemplateNotFound:
        raise FeedunError(f"找不到模板 {name}。", hint="运行 feedun init 复制默认模板，或检查 templates 文件夹。") from None
    except TemplateSyntaxError as exc:
        raise FeedunError(f"模板语法错误：{exc.message}", path=exc.filename or name, row=exc.lineno,
                          hint="检查 {{ }} 和 {% %} 是否成对。") from None
    names: list[str] = []
    constructs: list[str] = []
    words = {nodes.If: "{% if %} 条件", nodes.For: "{% for %} 循环", nodes.Filter: "过滤器 |",
             nodes.Assign: "{% set %}", nodes.Macro: "{% macro %}", nodes.Call: "函数调用"}
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in names:
            names.append(node.name)
        for kind, word in words.items():
            if isinstance(node, kind) and word not in constructs:
                constructs.append(word)
    return names, constructs


def _template_path(env, name: str) -> str:
    try:
        source = env.loader.get_source(env, name)
        return source[1] or name
    except Exception:
        return name


def _error_line(exc: Exception, name: str) -> int | None:
    """The template line of a render error, from the traceback jinja2 rewrites to point at the template."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
