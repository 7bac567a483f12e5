"""The Exports page's monthly table, kept out of the page: which days it covers (whole billing
periods or exactly the sidebar's dates), one row per provider × billing account × cost centre,
one column per month labelled with the days it holds, and the sentence that says so."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from db.queries import CostFilter
from focus.periods import whole_months
from ui import data
from ui.explorer import TOTAL, pivot

# Tag keys finance names its cost centre by, most likely first: the table opens on the first
# one the data holds.
COST_CENTRE_KEYS = ("cost-center", "costcenter", "cost-centre")


def default_tag_key(keys: list[str]) -> str:
    return next((k for k in COST_CENTRE_KEYS if k in keys), keys[0])


@dataclass(frozen=True)
class AccountMonths:
    start: date  # first and last day the table covers
    end: date
    table: pd.DataFrame  # provider, billing account id and name, tag value, months..., Total
    months: list[str]  # the month columns and Total
    covers: str  # the days covered, in words


def account_months(
    f: CostFilter, tag_key: str, metric: str, whole: bool, first_date: date | None, as_of: date
) -> AccountMonths:
    """Monthly `metric` by billing account and the value of `tag_key`, over every month the
    sidebar's dates touch (`whole`) or exactly those dates. Columns say which days they hold:
    a month the data does not yet (or no longer) cover in full is labelled with its days, e.g.
    the open month "2026-12 (to 6 Dec)"; data runs from `first_date` to `as_of`."""
    lo, hi = whole_months(f.start, f.end) if whole else (f.start, f.end)
    long = data.account_tag_months(replace(f, start=lo, end=hi), tag_key, metric)
    held_from, held_to = max(lo, first_date or lo), min(hi, as_of)
    wide = pivot(
        long.rename(columns={"month": "period"}),
        ["provider", "billing_account_id", "tag_value"],
        "month",
        held_from,
        held_to,
    )
    names = data.account_names(f.scope)
    wide.insert(2, "billing_account_name", [names.get(a, "") for a in wide["billing_account_id"]])
    months = [c for c in wide.columns if c[:2] == "20" or c == TOTAL]
    if whole:
        covers = f"Whole billing periods {lo:%B %Y} – {hi:%B %Y} ({lo:%-d %b} – {hi:%-d %b %Y})"
        if (lo, hi) != (f.start, f.end):
            covers += f", widened from the sidebar's {f.start:%-d %b} – {f.end:%-d %b}"
    else:
        covers = f"Exactly {lo:%-d %b %Y} – {hi:%-d %b %Y}"
    if held_to < hi:
        covers += f"; costs so far run to {held_to:%-d %b %Y}"
    return AccountMonths(lo, hi, wide, months, covers)
