"""A source's schedule: `every 1h` (an interval) or a five-field cron expression, in UTC.

The same text builds the APScheduler trigger the scheduler runs and answers "is it due?" for
`scheduler.py --once`, so both modes agree on when a source syncs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

DEFAULT = "every 1h"
_INTERVAL = re.compile(
    r"^every\s+(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)$", re.I
)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class ScheduleError(ValueError):
    """Neither an interval nor a cron expression; the message shows both forms."""


def _interval(text: str) -> tuple[int, str] | None:
    found = _INTERVAL.match(text.strip())
    if not found:
        return None
    return int(found.group(1)), found.group(2)[0].lower()


def parse(text: str) -> str:
    """The schedule as stored: `every <n><s|m|h|d>`, or the cron expression's five fields."""
    text = " ".join(text.split())
    if text.lower().startswith("every"):
        interval = _interval(text)
        if interval is None or interval[0] == 0:
            raise ScheduleError(
                f"{text!r} is not an interval: write it like 'every 30s', 'every 15m', "
                "'every 1h' or 'every 1d'"
            )
        return f"every {interval[0]}{interval[1]}"
    try:
        CronTrigger.from_crontab(text, timezone=UTC)
    except ValueError as exc:
        raise ScheduleError(
            f"{text!r} is not a cron expression ({exc}): five fields, minute hour day month "
            "weekday, in UTC, like '0 6 * * *'"
        ) from None
    return text


def trigger(schedule: str) -> BaseTrigger:
    interval = _interval(schedule)
    if interval is not None:
        return IntervalTrigger(seconds=interval[0] * _SECONDS[interval[1]], timezone=UTC)
    return CronTrigger.from_crontab(schedule, timezone=UTC)


def next_due(schedule: str, last_success: datetime | None, now: datetime) -> datetime:
    """When the source should next sync: now if it never synced successfully, else the first
    time its schedule fires after that sync started (which may be in the past: it is overdue)."""
    if last_success is None:
        return now
    fire = trigger(schedule).get_next_fire_time(last_success, now)
    return fire or now


def is_due(schedule: str, last_success: datetime | None, now: datetime) -> bool:
    return next_due(schedule, last_success, now) <= now


def period(schedule: str, now: datetime | None = None) -> timedelta:
    """The longest gap between two runs of the schedule: its interval, or for a cron expression
    the widest of its next gaps over two weeks (a weekday-only cron: the weekend's)."""
    interval = _interval(schedule)
    if interval is not None:
        return timedelta(seconds=interval[0] * _SECONDS[interval[1]])
    cron = trigger(schedule)
    moment = now or datetime.now(UTC)
    fires = []
    previous = None
    while len(fires) < 400:  # every 5 minutes for a day is 288 fires: enough to see the pattern
        fire = cron.get_next_fire_time(previous, moment)
        if fire is None:
            break
        fires.append(fire)
        previous, moment = fire, fire + timedelta(seconds=1)
        if fire - fires[0] > timedelta(days=14):
            break
    gaps = [b - a for a, b in zip(fires, fires[1:], strict=False)]
    return max(gaps, default=timedelta(days=1))
