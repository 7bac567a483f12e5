"""Explorer shaping, kept out of the page: the pivot people read, its period labels, the
names shown for account ids, and the vocabulary the pages pick from (dimensions, granularities
and cost metrics; db.explore owns them, as its SQL is built from them)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from db.explore import DIMENSIONS, PERIODS
from db.explore import METRICS as METRICS  # cost metric -> its label: every page's metric picker
from db.explore import TAG_PREFIX as TAG_PREFIX
from db.explore import ExploreQuery as ExploreQuery
from db.explore import label as label

# What the explorer's pickers offer, by key (the SQL behind each stays in db.explore).
DIMENSION_KEYS: tuple[str, ...] = tuple(DIMENSIONS)
GRANULARITIES: tuple[str, ...] = tuple(PERIODS)

# Where a click leads: from a provider to its billing accounts, an account to its services...
DRILL = {
    "provider": "billing_account",
    "billing_account": "sub_account",
    "sub_account": "service",
    "service": "region",
    "service_category": "service",
    "region": "service",
    "charge_category": "service",
}
TOTAL = "Total"
# Dimensions whose values are ids with a name in gold: shown by name, kept as ids in the URL.
NAMED = ("billing_account", "sub_account")


def next_dimension(key: str) -> str:
    return "service" if key.startswith(TAG_PREFIX) else DRILL[key]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def period_end(first: date, granularity: str) -> date:
    """Last day of the period that starts on `first`."""
    if granularity == "month":
        return first.replace(day=calendar.monthrange(first.year, first.month)[1])
    if granularity == "week":
        return first + timedelta(days=6)
    return first


def _day(d: date) -> str:
    return f"{d.day} {d:%b}"


def period_label(
    value: object, granularity: str, start: date | None = None, end: date | None = None
) -> str:
    """'2026-09', 'Week of 2026-08-31' or '2026-09-05'; a month or week the range [start, end]
    cuts says which days it holds: '2026-09 (from 5 Sep)', '2026-12 (to 6 Dec)'. A column
    headed '2026-09' therefore always means the whole of September."""
    first = _as_date(value)
    if granularity == "month":
        text = f"{first:%Y-%m}"
    elif granularity == "week":
        text = f"Week of {first.isoformat()}"
    else:
        return first.isoformat()
    last = period_end(first, granularity)
    cut_start = start is not None and first < start <= last
    cut_end = end is not None and first <= end < last
    if cut_start and cut_end:
        assert start is not None and end is not None
        lo = str(start.day) if start.month == end.month else _day(start)
        return f"{text} ({lo}–{_day(end)})"
    if cut_start:
        assert start is not None
        return f"{text} (from {_day(start)})"
    if cut_end:
        assert end is not None
        return f"{text} (to {_day(end)})"
    return text


def pivot(
    df: pd.DataFrame,
    index: list[str],
    granularity: str,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """One row per `index` group, one column per period (from columns period and cost), in
    date order and labelled by period_label over [start, end], plus Total; biggest first;
    exact Decimals."""
    if df.empty:
        return pd.DataFrame(columns=[*index, TOTAL])
    firsts = sorted({_as_date(p) for p in df["period"]})
    labels = {p: period_label(p, granularity, start, end) for p in firsts}
    shaped = df.assign(period=[labels[_as_date(p)] for p in df["period"]])
    wide = shaped.groupby([*index, "period"])["cost"].sum().unstack("period")
    wide = wide.reindex([labels[p] for p in firsts], axis=1).astype(object)
    wide = wide.where(wide.notna(), Decimal(0))
    wide[TOTAL] = wide.sum(axis=1)
    wide = wide.reset_index()
    wide.columns.name = None
    order = wide[TOTAL].astype("float64").sort_values(ascending=False).index
    return wide.loc[order].reset_index(drop=True)


def display_names(names: dict[str, str]) -> dict[str, str]:
    """What a person reads for each id: its name, or 'name (id)' where two ids share a name, so
    no two values look alike; ids without a name show as themselves."""
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {i: n if counts[n] == 1 else f"{n} ({i})" for i, n in names.items() if n}


def shown(key: str, value: str, names: dict[str, dict[str, str]]) -> str:
    """The text for one value of a dimension: the account's name where it has one."""
    return names.get(key, {}).get(value, value)
