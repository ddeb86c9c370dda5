"""The shape of the code: one store boundary, no import cycles, data flowing one way (docs/design.md, "The tree").

Imports are read with `ast` from every module, including imports inside functions and under TYPE_CHECKING, so a
cycle hidden in a function body counts as a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_store

SRC = Path(__file__).resolve().parents[1] / "src" / "feedun"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SRC.rglob("*.py") if "migrations" not in p.parts}


def _imports(path: Path, name: str, known: set[str], *, runtime_only: bool = False) -> set[str]:
    """The feedun modules `name` imports (a package import counts as its __init__)."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    type_checking: set[int] = set()
    if runtime_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                type_checking.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")
                parent = parent[: len(parent) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _sqlalchemy_users() -> list[str]:
    users = []
    for name, path in _modules().items():
        if name == "feedun.store" or name.startswith("feedun.store."):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m == "sqlalchemy" or m.startswith(("sqlalchemy.", "feedun.store.schema", "alembic")) for m in mods):
                users.append(name)
                break
    return sorted(users)


def test_no_module_outside_store_imports_sqlalchemy() -> None:
    assert _sqlalchemy_users() == []


def _cycles(runtime_only: bool) -> list[list[str]]:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(path, name, known, runtime_only=runtime_only) for name, path in modules.items()}
    # A package's __init__ importing its own submodules is how packages re-export; it is not a dependency loop
    # unless the submodule imports the package back, which the edges below still show.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_import_cycles_counting_imports_inside_functions() -> None:
    assert _cycles(runtime_only=True) == []


def test_the_tree_reads_as_the_pipeline() -> None:
    top = sorted(p.name for p in SRC.iterdir() if not p.name.startswith(("_", ".")) and p.name != "py.typed")
    assert top == ["admin", "cli", "config.py", "core", "decide", "feedun.example.toml", "intake", "memory",
                   "outputs", "run.py", "store"]


def test_rich_stays_in_the_cli() -> None:
    users = []
    for name, path in _modules().items():
        text = path.read_text("utf-8")
        if ("import rich" in text or "from rich" in text) and not name.startswith("feedun.cli"):
            users.append(name)
    assert users == []
