"""The Overview's "Data freshness" table: each source's status by the rule of
analytics.freshness, as plain text, and the day its data has been stale since."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

from analytics.freshness import allowed_lag, freshness
from ingestion.schedules import ScheduleError, period


def _when(value: object) -> datetime | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _day(value: object) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def with_status(fresh: pd.DataFrame, today: date | None = None) -> pd.DataFrame:
    """`fresh` (db.queries.freshness) with `status` and `stale_since` after `source`."""
    today = today or datetime.now(UTC).date()
    statuses, since = [], []
    for row in fresh.itertuples(index=False):
        try:
            every = period(row.schedule) if isinstance(row.schedule, str) else None
        except (ScheduleError, ValueError):
            every = None
        state = freshness(
            today,
            _day(row.last_charge_date),
            allowed_lag(row.kind if isinstance(row.kind, str) else None, every),
            _when(row.last_loaded_at),
            _when(row.last_failed_at),
        )
        statuses.append(state.status)
        since.append(state.stale_since)
    out = fresh.drop(columns=["kind", "schedule"])
    out.insert(1, "status", statuses)
    out.insert(2, "stale_since", since)
    return out
