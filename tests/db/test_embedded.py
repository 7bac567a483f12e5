"""The embedded server: a second start reuses the first, a killed server does not block a start."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from db.embedded import server_pid
from tests.conftest import ROOT

START = (
    "from pathlib import Path; import sys; from db.embedded import start; "
    "print(start(Path(sys.argv[1])))"
)


def start_in_process(pgdata: Path) -> str:
    run = subprocess.run(
        [sys.executable, "-c", START, str(pgdata)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def query(url: str) -> int:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        return conn.execute("SELECT 41 + 1").fetchone()[0]


@pytest.fixture
def pgdata(tmp_path: Path):
    path = tmp_path / "pgdata"
    yield path
    pid = server_pid(path)
    if pid:
        os.kill(pid, signal.SIGQUIT)


def test_second_start_reuses_the_running_server(pgdata: Path) -> None:
    url = start_in_process(pgdata)
    pid = server_pid(pgdata)
    assert pid and query(url) == 42
    assert start_in_process(pgdata) == url
    assert server_pid(pgdata) == pid


def test_killed_server_leaves_no_blocking_state(pgdata: Path) -> None:
    start_in_process(pgdata)
    pid = server_pid(pgdata)
    assert pid
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (pgdata / "postmaster.pid").exists()  # stale, left by the killed server
    url = start_in_process(pgdata)
    assert server_pid(pgdata) not in (None, pid)
    assert query(url) == 42


def stop_embedded(home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "db", "stop-embedded"],
        cwd=ROOT,
        env=clean | {"CLOUDLENS_HOME": str(home)} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_stop_embedded_stops_the_server_and_says_so(pgdata: Path) -> None:
    url = start_in_process(pgdata)
    pid = server_pid(pgdata)
    assert pid and query(url) == 42
    run = stop_embedded(pgdata.parent)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"stopped the embedded Postgres (pid {pid}, data in {pgdata})"
    assert not os.path.exists(f"/proc/{pid}") and server_pid(pgdata) is None
    with pytest.raises(psycopg.OperationalError):
        query(url)

    again = stop_embedded(pgdata.parent)  # nothing running: said, and not an error
    assert again.returncode == 0
    assert again.stdout.strip() == f"the embedded Postgres ({pgdata}) is not running"
    assert query(start_in_process(pgdata)) == 42  # the data folder starts again as before
    with_url = stop_embedded(pgdata.parent, DATABASE_URL="postgresql+psycopg://u@h:1/db")
    assert with_url.returncode == 0
    assert "stopped the embedded Postgres" in with_url.stdout
    assert "DATABASE_URL is set, and that server is left as it is" in with_url.stdout
