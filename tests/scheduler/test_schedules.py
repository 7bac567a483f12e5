"""Schedules: the two written forms, and when a source is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingestion import schedules
from ingestion.schedules import ScheduleError

pytestmark = pytest.mark.fast  # no database: `make test-fast`


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("every 1h", "every 1h"),
        ("every  30 seconds", "every 30s"),
        ("Every 15 min", "every 15m"),
        ("every 2 days", "every 2d"),
        ("0 6 * * *", "0 6 * * *"),
        ("*/10  *  * * 1-5", "*/10 * * * 1-5"),
    ],
    ids=["hour", "seconds", "minutes", "days", "cron", "cron-spaces"],
)
def test_parse(text: str, stored: str) -> None:
    assert schedules.parse(text) == stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every 0h", "is not an interval"),
        ("every hour", "is not an interval"),
        ("hourly", "is not a cron expression"),
        ("0 25 * * *", "is not a cron expression"),
    ],
    ids=["zero", "no-number", "word", "bad-hour"],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        schedules.parse(text)


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "last", "due"),
    [
        ("every 1h", None, True),
        ("every 1h", NOW - timedelta(minutes=59), False),
        ("every 1h", NOW - timedelta(minutes=61), True),
        ("0 6 * * *", NOW.replace(hour=5), True),  # 06:00 came after the last sync
        ("0 6 * * *", NOW.replace(hour=7), False),  # next is 06:00 tomorrow
    ],
    ids=["never", "interval-not-yet", "interval-due", "cron-due", "cron-not-yet"],
)
def test_is_due(schedule: str, last: datetime | None, due: bool) -> None:
    assert schedules.is_due(schedule, last, NOW) is due


def test_next_due_is_the_first_fire_after_the_last_sync() -> None:
    last = NOW - timedelta(hours=3)
    assert schedules.next_due("every 1h", last, NOW) == last + timedelta(hours=1)
    assert schedules.next_due("0 6 * * *", NOW, NOW) == datetime(2026, 11, 24, 6, tzinfo=UTC)
