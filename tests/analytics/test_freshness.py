"""The freshness rule: daily exports are late after 2 days, a local drop by its schedule, and a
source late for more than a week is stale since the last day its data covers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from analytics.freshness import allowed_lag, freshness
from ingestion.schedules import period

pytestmark = pytest.mark.fast  # no database: `make test-fast`

TODAY = date(2026, 12, 6)
DAILY = allowed_lag(None, None)


@pytest.mark.parametrize(
    ("data_through", "status", "stale_since"),
    [
        (date(2026, 12, 6), "on time", None),
        (date(2026, 12, 5), "on time", None),
        (date(2026, 12, 4), "on time", None),  # two days behind: still on time
        (date(2026, 12, 3), "late", date(2026, 12, 3)),  # three: late
        (date(2026, 11, 27), "late", date(2026, 11, 27)),  # a week late
        (date(2026, 11, 26), "stale since 2026-11-26", date(2026, 11, 26)),
        (date(2018, 9, 30), "stale since 2018-09-30", date(2018, 9, 30)),  # eight years old
    ],
)
def test_a_daily_export_is_late_after_two_days_and_stale_a_week_later(
    data_through: date, status: str, stale_since: date | None
) -> None:
    got = freshness(TODAY, data_through, DAILY)
    assert (got.status, got.stale_since) == (status, stale_since)


def test_eight_year_old_data_is_never_on_time_whatever_the_load_time() -> None:
    loaded_just_now = datetime(2026, 12, 6, 1, tzinfo=UTC)
    got = freshness(TODAY, date(2018, 9, 30), DAILY, last_loaded_at=loaded_just_now)
    assert got.status == "stale since 2018-09-30"


def test_a_local_drop_is_late_by_its_schedule() -> None:
    weekly = allowed_lag("local_folder", timedelta(days=7))
    assert weekly == timedelta(days=8)
    assert freshness(TODAY, date(2026, 11, 28), weekly).status == "on time"  # 8 days
    assert freshness(TODAY, date(2026, 11, 27), weekly).status == "late"  # 9 days
    assert freshness(TODAY, date(2026, 11, 19), weekly).status == "stale since 2026-11-19"
    # A drop synced every hour still cannot have today's bill: a day of grace, like exports.
    assert allowed_lag("local_folder", timedelta(hours=1)) == timedelta(days=2)
    # Without a schedule (or another kind) it is taken as a daily export.
    assert allowed_lag("local_folder", None) == timedelta(days=2)
    assert allowed_lag("aws_s3_export", timedelta(days=30)) == timedelta(days=2)


def test_a_failed_load_after_the_last_good_one_is_said_first() -> None:
    good = datetime(2026, 12, 1, tzinfo=UTC)
    bad = datetime(2026, 12, 2, tzinfo=UTC)
    assert freshness(TODAY, date(2026, 12, 5), DAILY, good, bad).status == (
        "last load failed; on time"
    )
    assert freshness(TODAY, date(2026, 9, 30), DAILY, good, bad).status == (
        "last load failed; stale since 2026-09-30"
    )
    # An older failure, fixed by a later load, is no longer news.
    assert freshness(TODAY, date(2026, 12, 5), DAILY, bad, good).status == "on time"
    assert freshness(TODAY, None, DAILY, None, bad).status == "last load failed"
    assert freshness(TODAY, None, DAILY).status == "no data yet"


@pytest.mark.parametrize(
    ("schedule", "gap"),
    [
        ("every 1h", timedelta(hours=1)),
        ("every 2d", timedelta(days=2)),
        ("0 6 * * *", timedelta(days=1)),
        ("0 6 * * 1-5", timedelta(days=3)),  # weekdays only: the weekend's gap
        ("0 6 1 * *", timedelta(days=31)),  # from 1 Jan to 1 Feb
        ("*/5 * * * *", timedelta(minutes=5)),
    ],
)
def test_a_schedules_period_is_its_longest_gap(schedule: str, gap: timedelta) -> None:
    assert period(schedule, datetime(2026, 12, 6, tzinfo=UTC)) == gap
