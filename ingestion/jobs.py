"""What the scheduler process runs: the job of one source, a "Sync now" request, a "Test
connection" request, and (for `scheduler.py --once`) everything due now. Each sync is
ingestion.run_source underneath, so every path shares its locking, retries and records; a test
is ingestion.connection_tests.answer, a listing only.

APScheduler names these functions by reference (module:function) in its Postgres job store, so
they take plain arguments and find the engine and settings themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import sqlalchemy as sa
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_when_event_set,
    wait_exponential_jitter,
)

import logs
from config import Settings
from db import source_tests, sync_runs
from db import sources as sources_db
from db.engine import get_engine
from ingestion import connection_tests, schedules
from ingestion.sync import SHUTDOWN, Outcome, RetryPolicy, is_transient, run_source

log = logs.Events("cloudlens.scheduler")
T = TypeVar("T")


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


def run_test(test_id: int, name: str) -> bool | None:
    """A "Test connection" request the scheduler found queued."""
    return _surviving(
        name,
        lambda: connection_tests.answer(get_engine(), Settings.from_env(), test_id, name),
    )


def _surviving(name: str, call: Callable[[], T]) -> T | None:
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
    """`scheduler.py --once`: the waiting "Test connection" and "Sync now" requests, then every
    source that is due; or, with `only`, that source now, due or not. Says what it left: files
    waiting to settle, and each source that was not due, with its next run and how to force
    one."""
    if only is not None:
        outcome = run_source(engine, app_settings, only, reason="once")
        outcomes = [outcome] if outcome else []
        _report_waiting(engine, outcomes)
        return outcomes
    for test_id, name in source_tests.queued(engine):
        connection_tests.answer(engine, app_settings, test_id, name)
    outcomes, done = [], set()
    for run_id, name in sync_runs.queued(engine):
        outcomes.append(run_source(engine, app_settings, name, reason="request", run_id=run_id))
        done.add(name.lower())
    for name in due_sources(engine):
        if name.lower() not in done:
            outcomes.append(run_source(engine, app_settings, name, reason="once"))
            done.add(name.lower())
    ran = [o for o in outcomes if o is not None]
    _report_waiting(engine, ran)
    _report_not_due(engine, done)
    return ran


def _report_waiting(engine: sa.Engine, outcomes: list[Outcome]) -> None:
    """A run that left files to settle: when they can load, and how to load them then."""
    last = {k.lower(): v for k, v in sync_runs.last_success_starts(engine).items()}
    now = datetime.now(UTC)
    for o in outcomes:
        if not o.waiting:
            continue
        source = sources_db.get_source(engine, o.source)
        ready = max((w.ready_at for w in o.waiting if w.ready_at), default=None)
        next_run = (
            schedules.next_due(source.schedule, last.get(o.source.lower()), now)
            if source is not None
            else None
        )
        log.info(
            "files_waiting",
            source=o.source,
            files=[w.name for w in o.waiting[:20]],
            ready_at=_iso(ready),
            next_run=_iso(next_run),
            hint=f"the next run after {_iso(ready) or 'they settle'} loads them; to load them "
            f"then without waiting for the schedule: python scheduler.py --once --source "
            f"{o.source}",
        )


def _report_not_due(engine: sa.Engine, ran: set[str]) -> None:
    """Each source this run left alone: when it runs next, and how to run it now."""
    last = {k.lower(): v for k, v in sync_runs.last_success_starts(engine).items()}
    now = datetime.now(UTC)
    sources = sources_db.all_sources(engine)
    if not sources:
        log.info("nothing_due", why="no sources", hint="add one: python -m ingestion source add")
        return
    for s in sources:
        if s.name.lower() in ran:
            continue
        if not s.enabled:
            log.info("not_due", source=s.name, why="disabled")
            continue
        next_run = schedules.next_due(s.schedule, last.get(s.name.lower()), now)
        log.info(
            "not_due",
            source=s.name,
            schedule=s.schedule,
            last_success=_iso(last.get(s.name.lower())),
            next_run=_iso(next_run),
            in_s=max(round((next_run - now).total_seconds()), 0),
            hint=f"to run it now: python scheduler.py --once --source {s.name}",
        )
    if not ran:
        log.info("nothing_due", why="no source is due and no 'Sync now' is waiting")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


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
