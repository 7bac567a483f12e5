"""Helpers for the scheduler tests: the real `scheduler.py` and `python -m ingestion source` in
subprocesses against the module's database, export files in a folder, and polling waits."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa

from db.sources import SOURCE_LOCK
from tests.conftest import ADMIN_PASSWORD, ROOT, TRUNCATE_ALL
from tests.focus_files import row, write_csv

T = TypeVar("T")
# A fixed Fernet key, so that every process of a test opens what another sealed.
SECRET_KEY = "dGVzdHMtb25seS1rZXktZm9yLWNsb3VkbGVucy0zMmI="


def wait_for(check: Callable[[], T], timeout: float = 30, what: str = "condition") -> T:
    """Poll until `check()` is truthy; its value. Fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def env_for(database_url: str, home: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CLOUDLENS_HOME": str(home),
        "CLOUDLENS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "CLOUDLENS_SECRET_KEY": SECRET_KEY,
        **extra,
    }


@dataclass
class SchedulerProcess:
    proc: subprocess.Popen
    log: Path
    _handle: object = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def events(self) -> list[dict]:
        """The JSON lines it has written so far (every line must be one). While it runs, a last
        line without its newline may be one it is still writing: that one is left for later."""
        text = self.log.read_text() if self.log.exists() else ""
        lines = text.splitlines()
        if lines and not text.endswith("\n") and self.proc.poll() is None:
            lines.pop()
        return [json.loads(line) for line in lines if line.strip()]

    def saw(self, event: str, **fields: object) -> dict | None:
        return next(
            (
                e
                for e in self.events()
                if e["event"] == event and all(e.get(k) == v for k, v in fields.items())
            ),
            None,
        )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self, timeout: float = 120) -> int:
        """SIGTERM, then its exit code: it first finishes the file it is loading, which for the
        big files of these tests takes a while on a loaded machine."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)


@pytest.fixture
def start_scheduler(database_url: str, tmp_path: Path) -> Iterator[Callable[..., SchedulerProcess]]:
    """Start `python scheduler.py ARGS` (stderr, the JSON log, to a file); all are stopped at
    the end of the test."""
    started: list[SchedulerProcess] = []

    def start(*args: str, **env: str) -> SchedulerProcess:
        log = tmp_path / f"scheduler-{len(started)}.log"
        handle = open(log, "w")  # noqa: SIM115 - closed when the test ends
        proc = subprocess.Popen(
            [sys.executable, "scheduler.py", *args],
            cwd=ROOT,
            env=env_for(database_url, tmp_path / "home", **env),
            stdout=subprocess.DEVNULL,
            stderr=handle,
        )
        process = SchedulerProcess(proc, log, handle)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait(timeout=30)
        process._handle.close()


def run_scheduler(
    database_url: str, home: Path, *args: str, timeout: float = 120
) -> tuple[int, list[dict]]:
    """`python scheduler.py ARGS` to its end: exit code and its JSON events."""
    done = subprocess.run(
        [sys.executable, "scheduler.py", *args],
        cwd=ROOT,
        env=env_for(database_url, home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return done.returncode, [json.loads(line) for line in lines]


def source_cli(
    database_url: str, home: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingestion", "source", *args],
        cwd=ROOT,
        env=env_for(database_url, home, **env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def clean(engine: sa.Engine) -> sa.Engine:
    """No sources, connection tests, runs, scheduler jobs, cost data or load history."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(f"{TRUNCATE_ALL}, app.source, app.source_test, app.sync_run, app.scheduler_job")
        )
    return engine


def month_file(path: Path, month: str, cost: str, days: int = 3) -> Path:
    """A small FOCUS CSV for one billing month (YYYY-MM): `days` rows of `cost` each. Written
    beside the folder and moved in (a rename is atomic), as the local_folder docs advise: a
    scheduler polling the folder with settle_seconds=0 never lists it half-written."""
    staging = path.parent.with_name(f".{path.parent.name}-staging")
    staging.mkdir(exist_ok=True)
    written = write_csv(
        staging / path.name, [row(f"{month}-{d:02d}", cost) for d in range(1, days + 1)]
    )
    os.replace(written, path)
    return path


def big_month_file(path: Path, month: str, rows: int, cost: str = "0.25") -> int:
    """A FOCUS CSV of about `rows` rows (a whole number of 28-day blocks, written fast) in one
    billing month, for loads that take seconds; returns the number of rows."""
    block = path.with_name(path.name + ".block")
    write_csv(block, [row(f"{month}-{d:02d}", cost, account=f"a{d % 5}") for d in range(1, 29)])
    header, *body = block.read_text().splitlines(keepends=True)
    block.unlink()
    blocks = rows // len(body)
    with open(path, "w") as f:
        f.write(header)
        f.write("".join(body) * blocks)
    return blocks * len(body)


def bronze_totals(engine: sa.Engine, source: str) -> dict[str, tuple[int, Decimal]]:
    """Rows and billed cost per billing month for a source, in bronze."""
    sql = sa.text(
        "SELECT to_char(billing_period_start AT TIME ZONE 'UTC', 'YYYY-MM') AS month, "
        "count(*) AS n, sum(billed_cost) AS billed FROM bronze.focus_cost "
        "WHERE x_source = :source GROUP BY 1 ORDER BY 1"
    )
    with engine.connect() as conn:
        return {r.month: (r.n, r.billed) for r in conn.execute(sql, {"source": source})}


def gold_totals(engine: sa.Engine) -> dict[str, tuple[int, Decimal]]:
    sql = sa.text(
        "SELECT to_char(billing_period_start, 'YYYY-MM') AS month, sum(row_count) AS n, "
        "sum(billed_cost) AS billed FROM gold.daily_cost GROUP BY 1 ORDER BY 1"
    )
    with engine.connect() as conn:
        return {r.month: (int(r.n), r.billed) for r in conn.execute(sql)}


def source_lock_free(engine: sa.Engine, source_id: int) -> bool:
    """No session holds the source's advisory lock (a killed process's session may outlive it
    for a moment: the server ends it, and frees its locks, when it notices the dropped socket)."""
    sql = sa.text(
        "SELECT NOT EXISTS (SELECT FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        "WHERE d.datname = current_database() AND l.locktype = 'advisory' "
        "AND l.classid = CAST(:ns AS oid) AND l.objid = CAST(:id AS oid) AND l.objsubid = 2)"
    )
    with engine.connect() as conn:
        return bool(conn.execute(sql, {"ns": SOURCE_LOCK, "id": source_id}).scalar())


def others_in_a_transaction(engine: sa.Engine) -> int:
    """Client sessions of this database, other than the asking one, inside a transaction."""
    sql = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
        "AND xact_start IS NOT NULL"
    )
    with engine.connect() as conn:
        return conn.execute(sql).scalar_one()


def runs(engine: sa.Engine, source: str) -> list[sa.Row]:
    sql = sa.text("SELECT * FROM app.sync_run WHERE source = :source ORDER BY sync_run_id")
    with engine.connect() as conn:
        return conn.execute(sql, {"source": source}).all()
