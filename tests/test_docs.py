"""The documentation keeps up with the code (in the spirit of sqlite-utils' tests/test_docs.py).

- every `feedun` command and sub-command is mentioned in README.md;
- docs/design.md's module list ("The tree") names only files that exist and every package of src/feedun;
- every section of docs/design.md that the code cites (`docs/design.md, "Section"`) exists;
- the README quotes only paths of src/feedun that exist, and points to docs/design.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from feedun.cli.app import app

pytestmark = pytest.mark.no_store

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "feedun"
README = (ROOT / "README.md").read_text("utf-8")
DESIGN = (ROOT / "docs" / "design.md").read_text("utf-8")

ENTRY = re.compile(r"^\s*[-*] `([^`]+)`")  # "- `store/rooms.py` — …" in "The tree"
CITATION = re.compile(r"docs/design\.md, [\"“]([^\"”]+)[\"”]")


def _commands() -> list[tuple[str, ...]]:
    """Every visible command as its words after `feedun`: ("import",), ("letters", "mark-sent"), …"""
    found: list[tuple[str, ...]] = []

    def walk(group, prefix: tuple[str, ...]) -> None:  # a click-style group (typer may vendor click)
        for name, command in sorted(group.commands.items()):
            if getattr(command, "hidden", False):
                continue
            found.append((*prefix, name))
            if getattr(command, "commands", None):
                walk(command, (*prefix, name))

    walk(typer.main.get_command(app), ())
    return found


def _mentioned(words: tuple[str, ...]) -> bool:
    """`feedun import` anywhere; a sub-command either in full (`feedun letters mark-sent`) or by its name on a
    line that mentions its group (`feedun letters list …  # mark-signed, mark-returned, void likewise`)."""
    word = r"(?![\w-])"
    if re.search(rf"feedun {re.escape(' '.join(words))}{word}", README):
        return True
    if len(words) < 2:
        return False
    group, name = " ".join(words[:-1]), words[-1]
    return any(re.search(rf"(?<![\w-]){re.escape(name)}{word}", line)
               for line in README.splitlines() if re.search(rf"feedun {re.escape(group)}{word}", line))


def _section(text: str, title: str) -> str:
    match = re.search(rf"^(#+) {re.escape(title)}\s*$", text, re.MULTILINE)
    assert match, f"docs/design.md has no section “{title}”"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.MULTILINE).search(text, match.end())
    return text[match.end(): end.start() if end else len(text)]


def _tree_entries() -> list[str]:
    return [m.group(1) for line in _section(DESIGN, "The tree").splitlines() if (m := ENTRY.match(line))]


def _headings() -> set[str]:
    return {m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", DESIGN, re.MULTILINE)}


def test_the_command_walk_finds_commands_and_sub_commands() -> None:
    commands = _commands()
    assert ("import",) in commands and ("letters", "mark-sent") in commands and ("db", "copy") in commands


@pytest.mark.parametrize("words", _commands(), ids=" ".join)
def test_every_command_is_in_the_readme(words: tuple[str, ...]) -> None:
    assert _mentioned(words), f"README.md does not mention `feedun {' '.join(words)}`"


def test_the_design_tree_names_only_files_that_exist() -> None:
    entries = _tree_entries()
    assert len(entries) > 20, "docs/design.md, The tree: no module list found"
    missing = [e for e in entries if not (SRC / e.rstrip("/")).exists()]
    assert missing == [], f"docs/design.md, The tree names files that do not exist: {missing}"
    not_dirs = [e for e in entries if e.endswith("/") and not (SRC / e).is_dir()]
    assert not_dirs == []


def test_the_design_tree_names_every_package() -> None:
    entries = {e.rstrip("/") for e in _tree_entries()}
    packages = sorted(str(p.parent.relative_to(SRC)) for p in SRC.rglob("__init__.py") if p.parent != SRC)
    assert packages, "no packages found under src/feedun"
    assert [p for p in packages if p not in entries] == [], "docs/design.md, The tree misses these packages"


def test_every_section_the_code_cites_exists() -> None:
    headings = _headings()
    cited: dict[str, set[str]] = {}
    for folder in (ROOT / "src", ROOT / "tests", ROOT / "benchmarks"):
        for path in folder.rglob("*.py"):
            if path == Path(__file__).resolve():  # its docstring shows the form
                continue
            for title in CITATION.findall(path.read_text("utf-8")):
                cited.setdefault(title, set()).add(str(path.relative_to(ROOT)))
    unknown = {title: sorted(paths) for title, paths in cited.items() if title not in headings}
    assert unknown == {}, "docs/design.md has no section with these titles"


def test_no_comment_cites_the_old_design_document() -> None:
    """The project's docs stand alone: comments cite docs/design.md by section title, not the section numbers of
    a design document outside the repository."""
    old = "DESIGN " + "§"  # spelt apart so that this file does not match itself
    stale = [f"{path.relative_to(ROOT)}:{n}" for folder in (ROOT / "src", ROOT / "tests")
             for path in folder.rglob("*.py")
             for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if old in line]
    assert stale == []


def test_the_readme_quotes_only_paths_that_exist() -> None:
    quoted = set(re.findall(r"src/feedun/[\w./-]*[\w/]", README))
    assert quoted, "README.md quotes no src/feedun/ path at all"
    assert sorted(p for p in quoted if not (ROOT / p).exists()) == []
    assert "docs/design.md" in README
