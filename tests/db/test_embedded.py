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
