"""Every `--json` output is strict JSON: parsed with a parser that refuses NaN and Infinity (issue 13).

The scenario is the one that leaked `"collector": NaN`: one room gets a collector by `feedun tag --collector`,
the others have none in the config. Every command with `--json` then runs once against that store.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import db_url, run_feedun

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AS_OF = "2026-11-30"


def _strict(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    folder = tmp_path_factory.mktemp("json")
    assert run_feedun(["init", "."], folder).returncode == 0
    return folder


def _run(folder: Path, *args: str) -> object:
    proc = run_feedun([*args, "--json", "--db", db_url(folder)], folder)
    assert proc.returncode == 0, proc.stderr
    return _strict(proc.stdout)


def test_every_json_output_is_strict_json(workspace: Path) -> None:
    folder = workspace
    shutil.copy(EXAMPLES / "ledger.xlsx", folder / "ledger.xlsx")
    imported = _run(folder, "import", "ledger.xlsx", "--as-of", "2026-11-25")
    assert imported["accepted"] > 0
    debtors = _run(folder, "debtors", "--as-of", AS_OF)
    room = debtors[0]["room"] if isinstance(debtors, list) else debtors["debtors"][0]["room"]
    estate = debtors[0]["estate"] if isinstance(debtors, list) else debtors["debtors"][0]["estate"]
    _run(folder, "tag", room, "--estate", estate, "--collector", "王管家")
    _run(folder, "log", room, "--estate", estate, "--outcome", "promised", "--promise-date", "2026-12-20",
         "--at", "2026-11-28 10:00")
    classified = _run(folder, "classify", "--as-of", AS_OF)
    collectors = {d["collector"] for d in classified["decisions"]}
    assert "王管家" in collectors and None in collectors  # a room without a collector is null, not NaN
    assert len(collectors) == 2
    for args in (("explain", room, "--estate", estate, "--as-of", AS_OF), ("promises",),
                 ("history", room, "--estate", estate), ("calls", "--as-of", AS_OF),
                 ("sms", "--as-of", AS_OF, "--any-day", "--at", "2026-11-30 09:00"), ("letters", "--kind", "dunning", "--as-of", AS_OF),
                 ("letters", "list"), ("report", "--month", "2026-11"), ("db", "status"),
                 ("run", "--as-of", AS_OF)):
        assert _run(folder, *args) is not None, args


def test_calls_after_classify_read_the_stored_run_and_say_when_they_classify(tmp_path: Path) -> None:
    folder = tmp_path
    assert run_feedun(["init", "."], folder).returncode == 0
    shutil.copy(EXAMPLES / "ledger.xlsx", folder / "ledger.xlsx")
    _run(folder, "import", "ledger.xlsx", "--as-of", "2026-11-25")
    fresh = run_feedun(["calls", "--as-of", "2026-12-01", "--db", db_url(folder)], folder)
    assert fresh.returncode == 0, fresh.stderr
    assert "已先分类" in fresh.stderr  # no stored run of that date: classified once, and said so
    again = run_feedun(["sms", "--as-of", "2026-12-01", "--any-day", "--at", "2026-12-01 10:00", "--db", db_url(folder)],
                       folder)
    assert again.returncode == 0 and "已先分类" not in again.stderr  # read back, not decided again
    letters = run_feedun(["letters", "--kind", "dunning", "--as-of", "2026-12-01", "--db", db_url(folder)], folder)
    assert letters.returncode == 0 and "已先分类" not in letters.stderr, letters.stderr
    drafts_written = run_feedun(["calls", "--as-of", "2026-12-01", "--db", db_url(folder)], folder)
    assert "已先分类" not in drafts_written.stderr  # the letters' drafts change no decision
    debtors = _strict(run_feedun(["debtors", "--json", "--db", db_url(folder)], folder).stdout)
    first = debtors[0] if isinstance(debtors, list) else debtors["debtors"][0]
    logged = run_feedun(["log", first["room"], "--estate", first["estate"], "--outcome", "no_answer",
                         "--at", "2026-12-01 09:00", "--db", db_url(folder)], folder)
    assert logged.returncode == 0, logged.stderr
    stale = run_feedun(["calls", "--as-of", "2026-12-01", "--db", db_url(folder)], folder)
    assert stale.returncode == 0 and "有变化，已先分类" in stale.stderr  # a new contact: decided again, and said
