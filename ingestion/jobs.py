"""What the scheduler process runs: the job of one source, a "Sync now" request, and (for
`scheduler.py --once`) everything due now. Each is ingestion.run_source underneath, so
every path shares its locking, retries and records.

APScheduler names these functions by reference (module:function) in its Postgres job store, so
they take plain arguments and find the engine and settings themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from config import Settings
from db import sources as sources_db
from db import sync_runs
from db.engine import get_engine
from ingestion import schedules
from ingestion.sync import Outcome, run_source


def run_scheduled(name: str) -> None:
    """The scheduler's job for one source."""
    run_source(get_engine(), Settings.from_env(), name, reason="schedule")


def run_requested(run_id: int, name: str) -> Outcome | None:
    """A "Sync now" request the scheduler found queued."""
    return run_source(get_engine(), Settings.from_env(), name, reason="request", run_id=run_id)


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
