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


# Date-range presets for the sidebar, by the name a URL carries (`?range=last_month`), so a
# shared link keeps meaning "last month" on the day it is opened. "Last N months" are whole
# calendar months before the as-of month, as "last month" is one of them; "to date" ranges end
# on the as-of day. Insertion order is the order the sidebar offers them.
PRESETS: dict[str, str] = {
    "last_90_days": "Last 90 days",
    "this_month": "This month",
    "last_month": "Last month",
    "last_3_months": "Last 3 months",
    "last_6_months": "Last 6 months",
    "last_12_months": "Last 12 months",
    "quarter_to_date": "Quarter to date",
    "year_to_date": "Year to date",
    "custom": "Custom",
}
DEFAULT_PRESET = "last_90_days"
CUSTOM = "custom"


def add_months(month_start: date, months: int) -> date:
    """The first day of the month `months` away (negative: earlier) from `month_start`'s."""
    index = month_start.year * 12 + month_start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def preset_range(preset: str, as_of: date) -> tuple[date, date]:
    """First and last day (both included) of a preset, relative to the as-of day.
    `custom` has no range of its own: the caller keeps the dates the person picked."""
    this_month = as_of.replace(day=1)
    if preset == "last_90_days":
        return as_of - timedelta(days=89), as_of
    if preset == "this_month":
        return this_month, as_of
    months_back = {"last_month": 1, "last_3_months": 3, "last_6_months": 6, "last_12_months": 12}
    if preset in months_back:
        return add_months(this_month, -months_back[preset]), this_month - timedelta(days=1)
    if preset == "quarter_to_date":
        return as_of.replace(month=(as_of.month - 1) // 3 * 3 + 1, day=1), as_of
    if preset == "year_to_date":
        return as_of.replace(month=1, day=1), as_of
    raise ValueError(f"no date range for preset {preset!r}")


def earliest_preset_start(as_of: date) -> date:
    """How far back any preset reaches: the date picker must allow it."""
    return min(preset_range(p, as_of)[0] for p in PRESETS if p != CUSTOM)


def kpi_date(range_end: date, as_of: date) -> date:
    """The day the month-to-date figures stand on: the range's end, or the as-of day when the
    range runs up to it (or past it), so a range ending in September shows September."""
    return min(range_end, as_of)
