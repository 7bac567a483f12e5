"""app.sync_run: one row per sync of a source, from request to outcome, plus the locks that make
"one sync per source at a time" and "one scheduler at a time" true across processes.

The page writes two things here, both as rows the scheduler reads: a queued run ("Sync now")
and a cancel flag. Everything else is written by the process running the sync.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from db.sources import SOURCE_LOCK, Source
from db.sql import statement

# Session-level advisory lock held by the scheduler that runs jobs (the leader); the others wait.
LEADER_LOCK = 7_402_113_003
ACTIVE = ("queued", "running")
ABANDONED = "scheduler stopped during the run; the next run loads what this one did not"


@dataclass(frozen=True)
class SyncRun:
    sync_run_id: int
    source: str
    reason: str
    requested_by: str | None
    requested_at: datetime
    status: str
    started: datetime | None
    finished: datetime | None
    files_total: int | None
    files: int
    files_skipped: int
    rows: int
    periods: list[date]
    current_file: str | None
    error: str | None
    attempts: int
    cancel_requested: bool
    runner: str | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass(frozen=True)
class Leader:
    name: str  # the application_name the scheduler gave its connection: host and pid
    since: datetime | None  # None when the database role may not see other sessions' details


def _audit(conn: sa.Connection, actor: str | None, action: str, detail: dict) -> None:
    conn.execute(
        statement("audit_insert"),
        {"username": actor, "action": action, "detail": json.dumps(detail, default=str)},
    )


def runs(
    engine: sa.Engine, *, source: str | None = None, run_id: int | None = None, limit: int = 50
) -> list[SyncRun]:
    """Newest first."""
    params = {"source": source, "run_id": run_id, "limit": limit}
    with engine.connect() as conn:
        rows = conn.execute(statement("sync_runs"), params).all()
    return [SyncRun(**r._mapping) for r in rows]


def get_run(engine: sa.Engine, run_id: int) -> SyncRun | None:
    found = runs(engine, run_id=run_id, limit=1)
    return found[0] if found else None


def request(engine: sa.Engine, source: Source, requested_by: str | None) -> int:
    """Queue a sync for the scheduler ("Sync now"); returns the run to watch."""
    with engine.begin() as conn:
        run_id = conn.execute(
            statement("sync_run_request"),
            {"source_id": source.source_id, "source": source.name, "requested_by": requested_by},
        ).scalar_one()
        _audit(conn, requested_by, "sync_requested", {"source": source.name, "run": run_id})
    return run_id


def cancel(engine: sa.Engine, run_id: int, actor: str | None) -> str | None:
    """Ask a run to stop: a queued one is cancelled at once, a running one at its next file
    boundary. Returns the run's status now, or None when it had already ended."""
    with engine.begin() as conn:
        status = conn.execute(statement("sync_run_cancel"), {"run_id": run_id}).scalar()
        if status is not None:
            _audit(conn, actor, "sync_cancelled", {"run": run_id})
    return status


def drop_request(engine: sa.Engine, run_id: int, why: str) -> None:
    with engine.begin() as conn:
        conn.execute(statement("sync_run_drop"), {"run_id": run_id, "error": why})


def cancel_requested(engine: sa.Engine, run_id: int) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(statement("sync_run_cancel_requested"), {"run_id": run_id}).scalar()
        )


def queued(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(statement("sync_run_queued"))]


def last_success_starts(engine: sa.Engine) -> dict[str, datetime]:
    with engine.connect() as conn:
        return {r.source: r.started for r in conn.execute(statement("sync_run_last_success"))}


def fail_abandoned(
    engine: sa.Engine, source: str | None = None, *, lock_held: bool = False
) -> list[tuple[int, str]]:
    """Mark runs whose process died as failed (all sources, or one); returns (run, source).
    `lock_held`: the caller holds `source`'s lock (source_lock), so its running rows are dead."""
    if lock_held and source is None:
        raise ValueError("lock_held needs the source whose lock is held")
    params = {
        "source": source,
        "lock_held": lock_held,
        "lock_namespace": SOURCE_LOCK,
        "error": ABANDONED,
    }
    with engine.begin() as conn:
        return [tuple(r) for r in conn.execute(statement("sync_run_abandoned"), params)]


def start(
    engine: sa.Engine,
    source: Source,
    *,
    reason: str,
    runner: str,
    run_id: int | None = None,
) -> int | None:
    """The caller holds the source's lock. Claims the queued run asked for (`run_id`), else the
    source's waiting request, else (unless a particular run was asked for) records a new run.
    None: the run asked for is no longer queued (cancelled, or already taken)."""
    with engine.begin() as conn:
        claimed = conn.execute(
            statement("sync_run_claim"),
            {
                "source_id": source.source_id,
                "source": source.name,
                "run_id": run_id,
                "runner": runner,
            },
        ).scalar()
        if claimed is not None or run_id is not None:
            return claimed
        return conn.execute(
            statement("sync_run_start"),
            {
                "source_id": source.source_id,
                "source": source.name,
                "reason": reason,
                "runner": runner,
            },
        ).scalar_one()


_UNSET = object()


def progress(
    engine: sa.Engine,
    run_id: int,
    *,
    files_total: int | None = None,
    files: int | None = None,
    files_skipped: int | None = None,
    rows: int | None = None,
    periods: list[date] | None = None,
    current_file: str | None | object = _UNSET,
) -> None:
    params = {
        "run_id": run_id,
        "files_total": files_total,
        "files": files,
        "files_skipped": files_skipped,
        "rows": rows,
        "periods": periods,
        "set_current_file": current_file is not _UNSET,
        "current_file": None if current_file is _UNSET else current_file,
    }
    with engine.begin() as conn:
        conn.execute(statement("sync_run_progress"), params)


def add_attempt(engine: sa.Engine, run_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(statement("sync_run_attempt"), {"run_id": run_id})


def finish(engine: sa.Engine, run_id: int, status: str, error: str | None = None) -> None:
    """End the run; an idle scheduled tick also replaces the idle ticks before it."""
    with engine.begin() as conn:
        conn.execute(
            statement("sync_run_finish"), {"run_id": run_id, "status": status, "error": error}
        )
        conn.execute(statement("sync_run_prune_idle"), {"run_id": run_id})


@contextlib.contextmanager
def source_lock(engine: sa.Engine, source_id: int) -> Iterator[bool]:
    """Hold the source's advisory lock for the block, on a connection of its own (in autocommit,
    so it never idles inside a transaction); yields False when another process holds it. The
    lock ends with the block, or with the process: the server drops it with the connection."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        key = {"ns": SOURCE_LOCK, "id": source_id}
        held = conn.execute(sa.text("SELECT pg_try_advisory_lock(:ns, CAST(:id AS integer))"), key)
        if not held.scalar():
            yield False
            return
        try:
            yield True
        finally:
            try:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:ns, CAST(:id AS integer))"), key)
            except sa.exc.SQLAlchemyError:
                # Never hand a connection that may still hold the lock back to the pool:
                # closing it is what releases a session lock for sure.
                conn.invalidate()


def leader(engine: sa.Engine) -> Leader | None:
    """The scheduler that runs jobs now, if any (the page warns when there is none)."""
    with engine.connect() as conn:
        row = conn.execute(statement("scheduler_leader"), {"key": LEADER_LOCK}).first()
    return Leader(row.application_name, row.backend_start) if row else None
