"""What the scheduler process runs: the job of one source, a "Sync now" request, and (for
`scheduler.py --once`) everything due now. Each is ingestion.run_source underneath, so
every path shares its locking, retries and records.

APScheduler names these functions by reference (module:function) in its Postgres job store, so
they take plain arguments and find the engine and settings themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_when_event_set,
    wait_exponential_jitter,
)

from config import Settings
from db import sources as sources_db
from db import sync_runs
from db.engine import get_engine
from ingestion import logs, schedules
from ingestion.sync import SHUTDOWN, Outcome, RetryPolicy, is_transient, run_source

log = logs.Events("cloudlens.scheduler")


def run_scheduled(name: str) -> None:
    """The scheduler's job for one source."""
    _surviving(name, lambda: run_source(get_engine(), Settings.from_env(), name, reason="schedule"))


def run_requested(run_id: int, name: str) -> Outcome | None:
    """A "Sync now" request the scheduler found queued."""
    return _surviving(
        name,
        lambda: run_source(
            get_engine(), Settings.from_env(), name, reason="request", run_id=run_id
        ),
    )


def _surviving(name: str, call: Callable[[], Outcome | None]) -> Outcome | None:
    """Run a job, trying again with backoff while the database is unreachable (a run cut off
    half-way is marked failed by the next try, which loads what it did not); after the last try,
    or once the scheduler stops leading, the job ends with a log line, not a traceback, and the
    next tick of the schedule tries again."""
    policy = RetryPolicy()

    def before_sleep(retry: RetryCallState) -> None:
        exc = retry.outcome.exception() if retry.outcome else None
        log.warning(
            "database_unreachable",
            source=name,
            tries=retry.attempt_number,
            retry_in_s=round(retry.next_action.sleep if retry.next_action else 0, 2),
            error=logs.redact(f"{type(exc).__name__}: {' '.join(str(exc).split())}")[:500],
        )

    retrying = Retrying(
        stop=stop_after_attempt(policy.attempts) | stop_when_event_set(SHUTDOWN),
        wait=wait_exponential_jitter(policy.initial_s, policy.max_s, jitter=policy.jitter_s),
        retry=retry_if_exception(is_transient),
        before_sleep=before_sleep,
        sleep=SHUTDOWN.wait,
        reraise=True,
    )
    try:
        return retrying(call)
    except Exception as exc:
        if not is_transient(exc):
            raise
        log.error(
            "job_gave_up",
            source=name,
            why="the database is unreachable; the next scheduled run tries again",
            error=logs.redact(f"{type(exc).__name__}: {' '.join(str(exc).split())}")[:500],
        )
        return None


def run_due(engine: sa.Engine, app_settings: Settings, only: str | None = None) -> list[Outcome]:
    """`scheduler.py --once`: the waiting "Sync now" requests, then every source that is due;
    or, with `only`, that source now, due or not."""
    if only is not None:
        outcome = run_source(engine, app_settings, only, reason="once")
        return [outcome] if outcome else []
    outcomes, done = [], set()
    for run_id, name in sync_runs.queued(engine):
        outcomes.append(run_source(engine, app_settings, name, reason="request", run_id=run_id))
        done.add(name.lower())
    for name in due_sources(engine):
        if name.lower() not in done:
            outcomes.append(run_source(engine, app_settings, name, reason="once"))
    return [o for o in outcomes if o is not None]


def due_sources(engine: sa.Engine, now: datetime | None = None) -> list[str]:
    """Enabled sources a `--once` run should sync: a "Sync now" is waiting, or the schedule has
    fired since the last successful sync started (or there was none)."""
    now = now or datetime.now(UTC)
    waiting = {source.lower() for _, source in sync_runs.queued(engine)}
    last = {k.lower(): v for k, v in sync_runs.last_success_starts(engine).items()}
    return [
        s.name
        for s in sources_db.all_sources(engine)
        if s.enabled
        and (
            s.name.lower() in waiting or schedules.is_due(s.schedule, last.get(s.name.lower()), now)
        )
    ]
