"""The store on both backends: Alembic migrations, letter numbering under concurrency, concurrent writers,
`feedun db copy` into PostgreSQL, and the permissions a PostgreSQL user needs (README)."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from feedun.config import Settings
from feedun.core.errors import FeedunError
from feedun.intake.importer import import_file
from feedun.store import open_store
from feedun.store.migrate import HEAD, _migration_connection, create_store_engine, head, stored_revision
from helpers import FEEDUN, db_url, execute, feedun_env, query, run_feedun, write_xlsx

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LEDGER_HEADERS = ["管理处", "房号", "业主姓名", "联系电话", "收费项目", "所属期间", "欠费金额(元)"]


def small_ledger(tmp_path: Path, rooms: int = 12, name: str = "台账.xlsx") -> Path:
    rows = [["阳光花园", f"1-1-{101 + i}", f"业主{i}", f"1381234{i:04d}", "物业服务费", f"2026-{m:02d}", 200]
            for i in range(rooms) for m in range(1, 11)]
    return write_xlsx(tmp_path / name, [LEDGER_HEADERS, *rows])


def alembic_upgrade_to(url: str, revision: str) -> None:
    """Build a store as an older feedun left it: migrated to `revision` only."""
    from alembic import command
    from alembic.config import Config

    from feedun.store.migrate import MIGRATIONS

    engine = create_store_engine(url)
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    engine.dispose()


# ---- migrations ---------------------------------------------------------------------------------------------


def test_a_new_store_is_created_at_the_head_revision(tmp_path: Path) -> None:
    engine = open_store(db_url(tmp_path))
    assert stored_revision(engine) == head() == HEAD == "0003"  # HEAD: the fast open check's copy of Alembic's head
    assert query(tmp_path, "select value from meta where key = 'schema_version'") == [("5",)]
    assert "letter_sequences" in inspect(engine).get_table_names()


def test_a_store_from_before_alembic_is_brought_up_and_keeps_its_letter_count(tmp_path: Path) -> None:
    url = db_url(tmp_path)
    alembic_upgrade_to(url, "0001")
    execute(tmp_path, "drop table alembic_version")  # feedun 0.1 had no Alembic, only meta.schema_version = 3
    execute(tmp_path, "insert into meta (key, value) values ('schema_version', '3')")
    execute(tmp_path, "insert into rooms (id, estate, room, owner) values (1, '阳光花园', '1-1-101', '张三')")
    for i, day in enumerate(["2026-03-01", "2026-05-01", "2025-12-01"], start=1):
        execute(tmp_path, "insert into letters (number, kind, room_id, owner, amount, late_fee, issued_on, state) "
                          "values (:n, 'dunning', 1, '张三', 100, 0, :d, 'sent')", n=f"旧{i}", d=date.fromisoformat(day))
    engine = open_store(url)
    assert stored_revision(engine) == "0003"
    assert sorted(query(tmp_path, "select kind, year, last from letter_sequences")) == [
        ("dunning", 2025, 1), ("dunning", 2026, 2)]
    assert query(tmp_path, "select value from meta where key = 'schema_version'") == [("5",)]
    from feedun.store.letters import lock_numbering, next_number

    with engine.begin() as conn:
        lock_numbering(conn, "dunning", 2026)
        assert next_number(conn, "dunning", 2026) == "催字〔2026〕第0003号"


def test_a_version_1_store_missing_later_tables_gets_them(tmp_path: Path) -> None:
    url = db_url(tmp_path)
    alembic_upgrade_to(url, "0001")
    for table in ["decisions", "runs", "letters", "room_events", "promises", "payments", "profiles", "contacts",
                  "alembic_version"]:
        execute(tmp_path, f"drop table {table}")
    engine = open_store(url)
    assert {"contacts", "letters", "letter_sequences", "decisions"} <= set(inspect(engine).get_table_names())
    assert stored_revision(engine) == head()


def test_a_store_from_a_newer_feedun_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    open_store(db_url(tmp_path))
    execute(tmp_path, "update alembic_version set version_num = '0099'")
    with pytest.raises(FeedunError, match=r"0099.*比当前 feedun"):
        open_store(db_url(tmp_path))
    proc = run_feedun(["debtors", "--db", db_url(tmp_path)], tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "升级 feedun" in proc.stderr
    assert query(tmp_path, "select version_num from alembic_version") == [("0099",)]  # left untouched


def test_db_upgrade_and_status_commands(tmp_path: Path) -> None:
    alembic_upgrade_to(db_url(tmp_path), "0001")
    status = run_feedun(["db", "status", "--json", "--db", db_url(tmp_path)], tmp_path)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["revision"] == "0001" and not json.loads(status.stdout)["current"]
    done = run_feedun(["db", "upgrade", "--db", db_url(tmp_path)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "0001 → 0003" in done.stdout
    again = run_feedun(["db", "upgrade", "--db", db_url(tmp_path)], tmp_path)
    assert "已是最新" in again.stdout


def test_processes_opening_an_old_store_together_migrate_it_once(tmp_path: Path) -> None:
    alembic_upgrade_to(db_url(tmp_path), "0001")
    procs = [subprocess.Popen([FEEDUN, "db", "upgrade", "--db", db_url(tmp_path)], cwd=tmp_path,
                              env=feedun_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, outs
    assert sum("0001 → 0003" in out for out, _ in outs) == 1
    assert sum("已是最新" in out for out, _ in outs) == 5
    assert query(tmp_path, "select version_num from alembic_version") == [("0003",)]


def test_a_failed_migration_step_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    """DDL inside the migration transaction is rolled back too (SQLite needs BEGIN IMMEDIATE for that)."""
    engine = open_store(db_url(tmp_path))
    with pytest.raises(RuntimeError), _migration_connection(engine) as conn:
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES ('half', 'done')")
        raise RuntimeError("the next step failed")
    assert "half_done" not in inspect(create_engine(db_url(tmp_path))).get_table_names()
    assert query(tmp_path, "select count(*) from meta where key = 'half'") == [(0,)]


# ---- letter numbers ----------------------------------------------------------------------------------------------


def test_numbering_waits_for_the_other_transaction_and_continues_its_count(tmp_path: Path) -> None:
    from feedun.store.letters import lock_numbering, next_number

    first, second = open_store(db_url(tmp_path)), create_store_engine(db_url(tmp_path))
    got: list[str] = []
    with first.begin() as conn:
        lock_numbering(conn, "dunning", 2026)
        taken = [next_number(conn, "dunning", 2026) for _ in range(3)]

        def other() -> None:
            with second.begin() as conn2:
                lock_numbering(conn2, "dunning", 2026)
                got.append(next_number(conn2, "dunning", 2026))

        worker = threading.Thread(target=other)
        worker.start()
        time.sleep(1.0)
        assert not got, "the second transaction must wait for the first"
    worker.join(timeout=60)
    assert taken == [f"催字〔2026〕第{i:04d}号" for i in (1, 2, 3)]
    assert got == ["催字〔2026〕第0004号"]
    second.dispose()


def test_concurrent_letters_runs_give_unique_gap_free_numbers(tmp_path: Path) -> None:
    import_file(small_ledger(tmp_path), Settings(workspace=tmp_path), as_of=date(2026, 11, 20))
    rooms = [f"1-1-{101 + i}" for i in range(8)]
    runs = [[room] for room in rooms] + [rooms[:4], rooms[:4]]  # and two runs for the same four rooms
    procs = [subprocess.Popen([FEEDUN, "letters", "--kind", "dunning", "--as-of", "2026-11-27", "--json",
                               *[a for r in rs for a in ("--room", r)]],
                              cwd=tmp_path, env=feedun_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for rs in runs]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), outs
    numbers = query(tmp_path, "select number, room_id from letters order by number")
    assert [n for n, _ in numbers] == [f"催字〔2026〕第{i:04d}号" for i in range(1, 9)]  # unique, 1..8, no gaps
    assert len({room for _, room in numbers}) == 8  # one draft per room, never two
    assert query(tmp_path, "select last from letter_sequences where kind = 'dunning' and year = 2026") == [(8,)]


# ---- concurrent writers ----------------------------------------------------------------------------------------------


def test_collectors_log_while_one_imports_and_one_classifies(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path)
    import_file(EXAMPLES / "ledger-2026-10.csv", settings)
    importer = subprocess.Popen([FEEDUN, "import", str(EXAMPLES / "ledger.xlsx")], cwd=tmp_path, env=feedun_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    classifier = subprocess.Popen([FEEDUN, "classify", "--as-of", "2026-11-27", "--json"], cwd=tmp_path, env=feedun_env(),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rooms = [room for (room,) in query(tmp_path, "select room from rooms where estate = '翠湖苑' order by id limit 6")]
    loggers = [subprocess.Popen([FEEDUN, "log", room, "--estate", "翠湖苑", "--outcome", "vague", "--at",
                                 f"2026-11-20 {9 + j}:{i:02d}"], cwd=tmp_path, env=feedun_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
               for i, room in enumerate(rooms) for j in range(3)]
    logged = [(p.wait(timeout=300), p.stderr.read()) for p in loggers]
    imported = importer.communicate(timeout=300)
    classified = classifier.communicate(timeout=300)
    assert importer.returncode == 0, imported
    assert classifier.returncode == 0, classified
    assert [c for c, _ in logged] == [0] * len(loggers), logged
    assert not any(word in err for _, err in logged for word in ("locked", "deadlock", "Traceback"))
    assert query(tmp_path, "select count(*) from contacts") == [(len(loggers),)]
    assert query(tmp_path, "select count(*) from imports where kind = 'ledger'") == [(2,)]
    [(run_id,)] = query(tmp_path, "select id from runs")
    assert query(tmp_path, "select count(*) from decisions where run_id = :r", r=run_id)[0][0] == \
        len(json.loads(classified[0])["decisions"])


# ---- PostgreSQL only ----------------------------------------------------------------------------------------------


@pytest.mark.postgresql_only
def test_db_copy_moves_a_sqlite_store_into_postgresql_and_verifies_it(tmp_path: Path, pg_admin) -> None:
    from conftest import drop_pg_database, new_pg_database

    sqlite = f"sqlite:///{tmp_path / 'feedun.db'}"
    for args in (["import", str(EXAMPLES / "ledger-2026-10.csv")],
                 ["log", "1-1-1001", "--estate", "翠湖苑", "--outcome", "promised", "--promise-date", "2026-11-10",
                  "--at", "2026-11-01 10:00"],
                 ["import", str(EXAMPLES / "ledger.xlsx")], ["classify", "--as-of", "2026-11-27"],
                 ["letters", "--kind", "dunning", "--as-of", "2026-11-27"]):
        done = run_feedun([*args, "--db", sqlite], tmp_path)
        assert done.returncode == 0, (args, done.stderr)
    target = db_url(tmp_path)
    copied = run_feedun(["db", "copy", "--db", sqlite, "--to", target, "--json"], tmp_path)
    assert copied.returncode == 0, copied.stderr
    report = json.loads(copied.stdout)
    assert report["ok"] and all(t["ok"] for t in report["tables"])
    lines = next(t for t in report["tables"] if t["table"] == "ledger_lines")
    assert lines["rows_target"] > 19000 and lines["totals_target"]["outstanding"] > 0
    for sql in ("select count(*), sum(outstanding) from ledger_lines", "select number, state from letters order by 1",
                "select room_id, outcome, promise_date from contacts order by 1"):
        assert query(tmp_path, sql) == _sqlite_rows(tmp_path / "feedun.db", sql)
    # the copy is a working store: ids continue past the copied ones, reports agree
    logged = run_feedun(["log", "1-1-1201", "--estate", "翠湖苑", "--outcome", "no_answer", "--at", "2026-11-26 9:00",
                         "--db", target], tmp_path)
    assert logged.returncode == 0, logged.stderr
    debtors = [run_feedun(["debtors", "--json", "--as-of", "2026-11-27", "--db", url], tmp_path) for url in (sqlite, target)]
    assert json.loads(debtors[0].stdout) == json.loads(debtors[1].stdout)
    again = run_feedun(["db", "copy", "--db", sqlite, "--to", target], tmp_path)
    assert again.returncode == 1 and "不是空的" in again.stderr

    # a target that changes money on the way in is caught by the totals check
    other = new_pg_database(pg_admin)
    try:
        open_store(other)
        engine = create_engine(other)
        with engine.begin() as conn:
            conn.execute(text("CREATE FUNCTION shave() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                              "NEW.outstanding = NEW.outstanding - 1; RETURN NEW; END $$"))
            conn.execute(text("CREATE TRIGGER shave BEFORE INSERT ON ledger_lines FOR EACH ROW EXECUTE FUNCTION shave()"))
        engine.dispose()
        shaved = run_feedun(["db", "copy", "--db", sqlite, "--to", other], tmp_path)
        assert shaved.returncode == 1 and "不一致" in shaved.stdout + shaved.stderr
    finally:
        drop_pg_database(pg_admin, other)


@pytest.mark.postgresql_only
def test_a_user_with_table_rights_only_works_but_cannot_migrate(tmp_path: Path, pg_admin) -> None:
    """README: the owner runs `feedun db upgrade`; collectors' role needs DML on tables and sequences only."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url(tmp_path))
    role = f"clerk_{url.database}"
    with pg_admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    clerk = url.set(username=role).render_as_string(hide_password=False)
    try:
        refused = run_feedun(["debtors", "--db", clerk], tmp_path)
        assert refused.returncode == 1 and "db upgrade" in refused.stderr and "Traceback" not in refused.stderr
        # README's recipe: default privileges first, then the owner creates the schema (`feedun db upgrade`)
        execute(tmp_path, f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE '
                          f'ON TABLES TO "{role}"')
        execute(tmp_path, f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"')
        owner = run_feedun(["db", "upgrade", "--db", db_url(tmp_path)], tmp_path)
        assert owner.returncode == 0 and "空数据库 → 0003" in owner.stdout, owner.stderr
        imported = run_feedun(["import", str(small_ledger(tmp_path)), "--db", clerk], tmp_path)
        assert imported.returncode == 0, imported.stderr
        logged = run_feedun(["log", "1-1-101", "--outcome", "vague", "--at", "2026-11-20 9:00", "--db", clerk], tmp_path)
        assert logged.returncode == 0, logged.stderr
        letters = run_feedun(["letters", "--kind", "dunning", "--room", "1-1-102", "--db", clerk], tmp_path)
        assert letters.returncode == 0, letters.stderr
    finally:
        execute(tmp_path, f'DROP OWNED BY "{role}"')  # its grants live in this test's database
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP ROLE "{role}"'))


@pytest.mark.postgresql_only
def test_import_uses_copy_on_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from feedun.store import bulk

    used = []
    original = bulk._copy_rows
    monkeypatch.setattr(bulk, "_copy_rows", lambda *a: used.append(1) or original(*a))
    result = import_file(small_ledger(tmp_path), Settings(workspace=tmp_path))
    assert used and result.accepted == 120
    assert query(tmp_path, "select count(*), sum(outstanding) from ledger_lines") == [(120, 120 * 20000)]


def _sqlite_rows(path: Path, sql: str) -> list[tuple]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as conn:
        return [tuple(row) for row in conn.execute(sql)]


@pytest.mark.postgresql_only
def test_a_run_on_another_machine_holding_the_database_stops_this_one(tmp_path: Path) -> None:
    from feedun.store.meta import RUN_LOCK_KEY

    (tmp_path / "inbox").mkdir()
    small_ledger(tmp_path / "inbox", name="台账.xlsx")
    other = create_engine(db_url(tmp_path))
    with other.connect() as conn:  # the other machine's run, on its own connection
        assert conn.execute(text(f"SELECT pg_try_advisory_lock({RUN_LOCK_KEY})")).scalar()
        blocked = run_feedun(["run", "--as-of", "2026-11-27"], tmp_path)
        assert blocked.returncode == 1 and "另一台电脑" in blocked.stderr and "Traceback" not in blocked.stderr
        assert (tmp_path / "inbox" / "台账.xlsx").exists()  # untouched
    other.dispose()  # its session ended: the lock is gone
    done = run_feedun(["run", "--as-of", "2026-11-27"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "inbox" / "台账.xlsx").exists()


def test_db_copy_into_a_new_sqlite_file_is_a_verified_backup(tmp_path: Path) -> None:
    import_file(small_ledger(tmp_path), Settings(workspace=tmp_path), as_of=date(2026, 11, 20))
    done = run_feedun(["log", "1-1-101", "--outcome", "vague", "--at", "2026-11-21 9:00", "--db", db_url(tmp_path)],
                      tmp_path)
    assert done.returncode == 0, done.stderr
    copied = run_feedun(["db", "copy", "--to", "备份.db", "--db", db_url(tmp_path)], tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert "全部一致" in copied.stdout
    assert _sqlite_rows(tmp_path / "备份.db", "select count(*), sum(outstanding) from ledger_lines") == [(120, 2400000)]
    assert _sqlite_rows(tmp_path / "备份.db", "select outcome from contacts") == [("vague",)]


@pytest.mark.sqlite_only
def test_db_url_at_the_top_of_feedun_toml_names_the_store(tmp_path: Path) -> None:
    (tmp_path / "feedun.toml").write_text(f'db_url = "sqlite:///{tmp_path}/公司.db"\n', encoding="utf-8")
    status = run_feedun(["db", "status", "--json"], tmp_path)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["url"] == f"sqlite:///{tmp_path}/公司.db"
    (tmp_path / "feedun.toml").write_text(f'db_url = "sqlite:///{tmp_path}/公司.db"\n[store]\nurl = "别的.db"\n',
                                          encoding="utf-8")
    clash = run_feedun(["db", "status"], tmp_path)
    assert clash.returncode == 1 and "只保留一个" in clash.stderr and "：：" not in clash.stderr
