"""What the Data sources page reads and changes, so the page holds layout only.

The web process asks, the scheduler acts: "Sync now" and "Test connection" are rows queued for
the scheduler, the one process that opens a source's credentials to reach it. The page reads
their progress and answers back from the database.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from db import queries, source_tests, sync_runs
from db import sources as sources_db
from db.credentials import CredentialsError
from db.source_tests import SourceTest
from db.sources import Source, SourceError
from db.sync_runs import Leader, SyncRun
from ingestion.schedules import DEFAULT, ScheduleError
from ingestion.sources.base import SourceConfigError
from ingestion.sources.kinds import KINDS, available
from ingestion.sources.service import add_source, edit_source
from ui import data

DEFAULT_SCHEDULE = DEFAULT
# What a person can correct in the forms: shown as one message, the form kept.
PROBLEMS = (SourceConfigError, SourceError, ScheduleError, CredentialsError)


def kinds() -> list[str]:
    """The kinds that can be added now."""
    return available()


def kind_label(kind: str) -> str:
    return KINDS[kind].label


def coming_later() -> list[str]:
    return [spec.label for spec in KINDS.values() if spec.connector is None]


def leader() -> Leader | None:
    return sync_runs.leader(data.engine())


def sources() -> list[Source]:
    return sources_db.all_sources(data.engine())


def loads() -> pd.DataFrame:
    """Every source ever loaded, from the command line too, with its last load."""
    return queries.freshness(data.engine())


def recent_runs(limit: int = 200) -> list[SyncRun]:
    return sync_runs.runs(data.engine(), limit=limit)


def latest_run(source: Source) -> SyncRun | None:
    found = sync_runs.runs(data.engine(), source=source.name, limit=1)
    return found[0] if found else None


def request_sync(source: Source, username: str) -> int:
    return sync_runs.request(data.engine(), source, username)


def cancel_run(run_id: int, username: str) -> None:
    sync_runs.cancel(data.engine(), run_id, username)


def request_test(source: Source, username: str) -> int:
    """Queue "Test connection" for the scheduler; the page shows its answer when it comes."""
    return source_tests.request(data.engine(), source, username)


def latest_test(source: Source) -> SourceTest | None:
    return source_tests.latest(data.engine(), source=source.name)


def add(
    *,
    name: str,
    kind: str,
    settings: Mapping[str, str],
    schedule: str,
    secrets: Mapping[str, str] | None,
    enabled: bool,
    username: str,
) -> Source:
    return add_source(
        data.engine(),
        data.settings(),
        name=name,
        kind=kind,
        settings=settings,
        schedule=schedule,
        secrets=secrets,
        enabled=enabled,
        actor=username,
    )


def change(
    source: Source,
    username: str,
    *,
    settings: Mapping[str, str] | None = None,
    schedule: str | None = None,
    enabled: bool | None = None,
    secrets: Mapping[str, str] | None = None,
) -> None:
    edit_source(
        data.engine(),
        data.settings(),
        source,
        settings=settings,
        schedule=schedule,
        enabled=enabled,
        secrets=secrets,
        actor=username,
    )


def remove(source: Source, username: str) -> None:
    sources_db.remove_source(data.engine(), source.name, actor=username)
