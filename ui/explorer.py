"""Explorer shaping, kept out of the page: the pivot people read and the drill-down path."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from db.explore import TAG_PREFIX

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


def next_dimension(key: str) -> str:
    return "service" if key.startswith(TAG_PREFIX) else DRILL[key]


def period_label(value: object, granularity: str) -> str:
    text = str(value)[:10]
    if granularity == "month":
        return text[:7]
    if granularity == "week":
        return f"Week of {text}"
    return text


def pivot(df: pd.DataFrame, index: list[str], granularity: str) -> pd.DataFrame:
    """One row per `index` group, one column per period (from columns period and cost), plus
    Total; biggest first; exact Decimals."""
    if df.empty:
        return pd.DataFrame(columns=[*index, TOTAL])
    shaped = df.assign(period=[period_label(p, granularity) for p in df["period"]])
    wide = shaped.groupby([*index, "period"])["cost"].sum().unstack("period")
    wide = wide.reindex(sorted(wide.columns), axis=1).astype(object)
    wide = wide.where(wide.notna(), Decimal(0))
    wide[TOTAL] = wide.sum(axis=1)
    wide = wide.reset_index()
    wide.columns.name = None
    order = wide[TOTAL].astype("float64").sort_values(ascending=False).index
    return wide.loc[order].reset_index(drop=True)
