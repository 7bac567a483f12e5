"""The Overview's month-to-date figures, kept out of the page: which month they stand on, the
same point last month, the change between them, and the run rate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from db.queries import CostFilter
from focus.periods import MonthToDate, kpi_date, month_to_date, pct_change
from ui import data

RUN_RATE_DAYS = 30.4  # an average month: the run rate reads as "a month at this pace"


@dataclass(frozen=True)
class MonthFigures:
    as_of: date  # the day the figures stand on
    window: MonthToDate
    month_to_date: float
    last_month_to_date: float
    last_month: float
    change_pct: float | None  # month to date against the same days last month; None from 0
    run_rate: float  # month-to-date daily average × RUN_RATE_DAYS


def month_figures(f: CostFilter, data_as_of: date) -> MonthFigures:
    """The month the date range ends in, up to the data's last day (`data_as_of`), against the
    same days of the month before."""
    as_of = kpi_date(f.end, data_as_of)
    window = month_to_date(as_of)
    k = data.kpis(f, window)
    days_in = (as_of - window.month_start).days + 1
    return MonthFigures(
        as_of=as_of,
        window=window,
        month_to_date=k["month_to_date"],
        last_month_to_date=k["last_month_to_date"],
        last_month=k["last_month"],
        change_pct=pct_change(k["month_to_date"], k["last_month_to_date"]),
        run_rate=k["month_to_date"] / days_in * RUN_RATE_DAYS,
    )
