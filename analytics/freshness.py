"""Is a source's data as recent as its delivery promises? The one rule the Overview's "Data
freshness" table shows. Pure functions: the caller passes today and what it knows of the source.

Cloud billing exports are delivered daily and cover up to a day or two before: a source whose
data ends more than LATE_AFTER_DAILY before today is late. A local drop (`local_folder`) is
delivered by its schedule: it may lag one schedule period (at least a day) plus a day of grace.
A source late for more than STALE_AFTER_LATE on top of that is stale, "stale since" the last day
its data covers. A load that failed after the last good one is said first: nothing newer came.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

ONE_DAY = timedelta(days=1)
LATE_AFTER_DAILY = timedelta(days=2)
STALE_AFTER_LATE = timedelta(days=7)
SCHEDULED_KINDS = frozenset({"local_folder"})  # delivered by their schedule, not daily

ON_TIME = "on time"
LATE = "late"
NO_DATA = "no data yet"
FAILED = "last load failed"


@dataclass(frozen=True)
class Freshness:
    status: str  # plain text: "on time", "late", "stale since 2024-09-30", "last load failed; …"
    stale_since: date | None  # the last day with data, once the source is late or stale


def allowed_lag(kind: str | None, schedule_period: timedelta | None) -> timedelta:
    """How far behind today a source's data may end before it is late. `kind` is None for a
    source loaded from the command line (`load --source`, the demo): taken as a daily export."""
    if kind in SCHEDULED_KINDS and schedule_period is not None:
        return max(schedule_period, ONE_DAY) + ONE_DAY
    return LATE_AFTER_DAILY


def freshness(
    today: date,
    data_through: date | None,
    allowed: timedelta,
    last_loaded_at: datetime | None = None,
    last_failed_at: datetime | None = None,
) -> Freshness:
    """The status of one source on `today`, given the last day its data covers and how far
    behind that may be (allowed_lag)."""
    failed = last_failed_at is not None and (
        last_loaded_at is None or last_failed_at > last_loaded_at
    )
    if data_through is None:
        return Freshness(FAILED if failed else NO_DATA, None)
    lag = today - data_through
    if lag <= allowed:
        status, since = ON_TIME, None
    elif lag <= allowed + STALE_AFTER_LATE:
        status, since = LATE, data_through
    else:
        status, since = f"stale since {data_through.isoformat()}", data_through
    return Freshness(f"{FAILED}; {status}" if failed else status, since)
