"""Run every store-using test on SQLite and, when a PostgreSQL server is given, on PostgreSQL too.

FEEDUN_TEST_PG is an admin URL (e.g. postgresql+psycopg://feedun@127.0.0.1:55432/postgres); `.ci/run` starts a
throwaway server and sets it. Each PostgreSQL test gets a fresh database, exported as FEEDUN_DB so library calls
and the `feedun` subprocesses (tests/helpers.run_feedun) both use it. Modules marked `no_store` and tests marked
`sqlite_only` (file permissions, the SQLite file itself) run once, on SQLite.
"""

from __future__ import annotations

import itertools
import os
import uuid

import pytest

PG_ADMIN = os.environ.get("FEEDUN_TEST_PG", "")
_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "no_store: the module never opens a store; run it once")
    config.addinivalue_line("markers", "sqlite_only: about the SQLite file itself; not run on PostgreSQL")
    config.addinivalue_line("markers", "postgresql_only: needs a PostgreSQL server (FEEDUN_TEST_PG)")
    config.addinivalue_line("markers", "module_store: the module builds one store in a module fixture (see "
                                       "module_store_url); tests get no database of their own")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    node = metafunc.definition
    if node.get_closest_marker("postgresql_only"):
        backends = ["postgresql"]
    elif PG_ADMIN and not (node.get_closest_marker("no_store") or node.get_closest_marker("sqlite_only")):
        backends = ["sqlite", "postgresql"]
    else:
        backends = ["sqlite"]
    metafunc.parametrize("backend", backends, indirect=True, scope="module")


@pytest.fixture(scope="module")
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_ADMIN:
        pytest.skip("需要 PostgreSQL：设置 FEEDUN_TEST_PG（.ci/run 会自动启动一个）")
    return request.param


def _admin_engine():
    from sqlalchemy import create_engine

    return create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", pool_size=1)


@pytest.fixture(scope="session")
def pg_admin():
    if not PG_ADMIN:
        pytest.skip("需要 PostgreSQL：设置 FEEDUN_TEST_PG（.ci/run 会自动启动一个）")
    engine = _admin_engine()
    yield engine
    engine.dispose()


def new_pg_database(admin) -> str:
    """A fresh, empty database on the test server; returns its URL."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"t{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin, url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


@pytest.fixture(autouse=True)
def _store_backend(request: pytest.FixtureRequest, backend: str, monkeypatch: pytest.MonkeyPatch):
    """On PostgreSQL: a fresh database for this test, given to library calls and subprocesses as FEEDUN_DB."""
    monkeypatch.delenv("FEEDUN_DB", raising=False)
    monkeypatch.delenv("FEEDUN_TEST_STORE", raising=False)
    if backend != "postgresql" or request.node.get_closest_marker("module_store"):
        yield
        return
    admin = request.getfixturevalue("pg_admin")
    url = new_pg_database(admin)
    monkeypatch.setenv("FEEDUN_DB", url)
    monkeypatch.setenv("FEEDUN_TEST_STORE", url)
    try:
        yield
    finally:
        drop_pg_database(admin, url)


@pytest.fixture(scope="module")
def module_store_url(request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory):
    """One store shared by a `module_store` module's tests: a SQLite file, or a PostgreSQL database."""
    if backend != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('store')}/feedun.db"
        return
    admin = request.getfixturevalue("pg_admin")
    url = new_pg_database(admin)
    yield url
    drop_pg_database(admin, url)


@pytest.fixture
def settings(tmp_path):
    """A workspace's settings with feedun's defaults (modules that need other settings define their own)."""
    from feedun.config import Settings

    return Settings(workspace=tmp_path)


@pytest.fixture
def store(settings):
    """The test's store, opened once as a command opens it (FEEDUN_DB when the suite runs on PostgreSQL)."""
    from feedun.store import Store

    return Store.for_settings(settings)
