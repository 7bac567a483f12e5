"""Calendar arithmetic finance uses for 'month to date' comparisons. Pure functions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class MonthToDate:
    as_of: date
    month_start: date
    last_month_start: date
    last_month_same_day: date  # same day-of-month last month, clipped to its length


def month_to_date(as_of: date) -> MonthToDate:
    month_start = as_of.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    last_month_start = last_month_end.replace(day=1)
    days_last_month = calendar.monthrange(last_month_start.year, last_month_start.month)[1]
    same_day = last_month_start.replace(day=min(as_of.day, days_last_month))
    return MonthToDate(as_of, month_start, last_month_start, same_day)


def as_of_date(last_data_date: date | None, today: date) -> date:
    """Figures are 'as of' the last day with data, never a future day: exports lag by a day or
    more, and a historic dataset should still show its own month to date, not an empty month."""
    if last_data_date is None:
        return today
    return min(last_data_date, today)


def pct_change(current: float, previous: float) -> float | None:
    if previous == 0:
        return None
    return (current - previous) / abs(previous) * 100


def whole_months(start: date, end: date) -> tuple[date, date]:
    """The first day of start's month and the last day of end's month: the billing periods
    (calendar months for every provider Cloudlens reads) that the range touches, whole."""
    last = calendar.monthrange(end.year, end.month)[1]
    return start.replace(day=1), end.replace(day=last)
