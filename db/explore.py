"""Cost explorer queries: any one or two dimensions, any filter, any cost metric, over gold.

Group-by columns cannot be bound parameters, so the SQL text takes expressions from the fixed
whitelists below (never from user text); every value a person picks is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pandas as pd
import sqlalchemy as sa

from db.queries import CostFilter
from db.sql import source
from db.users import Scope

TAG_PREFIX = "tag:"


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    expr: str  # SQL over gold alias g


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("provider", "Provider", "coalesce(g.provider, '(unknown)')"),
        Dimension("billing_account", "Billing account", "coalesce(g.billing_account_id, '(none)')"),
        Dimension("sub_account", "Sub-account", "coalesce(g.sub_account_id, '(none)')"),
        Dimension("service", "Service", "coalesce(g.service_name, '(none)')"),
        Dimension("service_category", "Service category", "coalesce(g.service_category, '(none)')"),
        Dimension("region", "Region", "coalesce(g.region_id, '(none)')"),
        Dimension("charge_category", "Charge category", "coalesce(g.charge_category, '(none)')"),
    )
}
TAG_EXPR = "coalesce(g.tag_value, '(untagged)')"

METRICS: dict[str, str] = {
    "billed_cost": "Billed cost",
    "effective_cost": "Effective cost",
    "list_cost": "List cost",
    "contracted_cost": "Contracted cost",
}
PERIODS: dict[str, str] = {
    "day": "g.charge_date",
    "week": "date_trunc('week', g.charge_date)::date",
    "month": "date_trunc('month', g.charge_date)::date",
}


def label(key: str) -> str:
    if key.startswith(TAG_PREFIX):
        return f"Tag: {key.removeprefix(TAG_PREFIX)}"
    return DIMENSIONS[key].label


@dataclass(frozen=True)
class ExploreQuery:
    cost: CostFilter
    group_by: tuple[str, ...] = ("provider",)
    granularity: str = "day"
    metric: str = "billed_cost"
    filters: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())  # (dimension, values)

    def __post_init__(self) -> None:
        if not 1 <= len(self.group_by) <= 2:
            raise ValueError("group by one or two dimensions")
        if self.granularity not in PERIODS or self.metric not in METRICS:
            raise ValueError("unknown granularity or metric")
        for key in (*self.group_by, *(d for d, _ in self.filters)):
            if not key.startswith(TAG_PREFIX) and key not in DIMENSIONS:
                raise ValueError(f"unknown dimension {key!r}")
        if len(self.tag_keys) > 1:
            raise ValueError("one tag key at a time: cost by tag is kept per key")

    @property
    def tag_keys(self) -> set[str]:
        keys = (*self.group_by, *(d for d, _ in self.filters))
        return {k.removeprefix(TAG_PREFIX) for k in keys if k.startswith(TAG_PREFIX)}

    @property
    def tag_key(self) -> str | None:
        return next(iter(self.tag_keys), None)


def _expr(key: str) -> str:
    return TAG_EXPR if key.startswith(TAG_PREFIX) else DIMENSIONS[key].expr


def _source(tag_key: str | None, tag_values: tuple[str, ...]) -> tuple[str, str]:
    if tag_key is None:
        return "gold.daily_cost", ""
    tag_filter = "AND g.tag_key = :tag_key"
    if tag_values:
        tag_filter += f" AND {TAG_EXPR} = ANY(CAST(:f_tag AS text[]))"
    return "gold.daily_cost_by_tag", tag_filter


def _params(q: ExploreQuery) -> dict[str, object]:
    chosen = dict(q.filters)
    params = q.cost.params()
    for key in DIMENSIONS:
        values = list(chosen.get(key, ()))
        params[f"f_{key}"] = values
        params[f"f_{key}_all"] = not values
    tag_values = next((v for k, v in q.filters if k.startswith(TAG_PREFIX)), ())
    params["f_tag"] = list(tag_values)
    params["tag_key"] = q.tag_key
    return params


def explore(engine: sa.Engine, q: ExploreQuery) -> pd.DataFrame:
    """Rows of period, dim1, dim2 (None with one dimension), cost as exact Decimal."""
    tag_values = next((v for k, v in q.filters if k.startswith(TAG_PREFIX)), ())
    table, tag_filter = _source(q.tag_key, tag_values)
    text = (
        source("gold_explore")
        .replace("{PERIOD}", PERIODS[q.granularity])
        .replace("{DIM1}", _expr(q.group_by[0]))
        .replace("{DIM2}", _expr(q.group_by[1]) if len(q.group_by) > 1 else "NULL::text")
        .replace("{METRIC}", f"g.{q.metric}")
        .replace("{TABLE}", table)
        .replace("{TAG_FILTER}", tag_filter)
    )
    with engine.connect() as conn:
        result = conn.execute(sa.text(text), _params(q))
        return pd.DataFrame(result.fetchall(), columns=["period", "dim1", "dim2", "cost"])


def dimension_values(engine: sa.Engine, key: str, cost: CostFilter) -> list[str]:
    """Values a filter can offer, most expensive first."""
    tag_key = key.removeprefix(TAG_PREFIX) if key.startswith(TAG_PREFIX) else None
    table, tag_filter = _source(tag_key, ())
    text = (
        source("gold_dimension_values")
        .replace("{DIM}", _expr(key))
        .replace("{TABLE}", table)
        .replace("{TAG_FILTER}", tag_filter)
    )
    params = cost.params() | {"tag_key": tag_key}
    with engine.connect() as conn:
        return [row.value for row in conn.execute(sa.text(text), params)]


def tag_keys(engine: sa.Engine, cost: CostFilter) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(source("gold_tag_keys")), cost.params())
        return [row.tag_key for row in rows]


def movers(engine: sa.Engine, cost: CostFilter, key: str, limit: int = 5) -> pd.DataFrame:
    """The values of one dimension whose cost rose or fell most against the previous window of
    the same length; the biggest absolute changes first."""
    days = (cost.end - cost.start).days + 1
    params = cost.params() | {"previous_start": cost.start - timedelta(days=days)}
    text = source("gold_movers").replace("{DIM}", DIMENSIONS[key].expr)
    with engine.connect() as conn:
        result = conn.execute(sa.text(text), params)
        df = pd.DataFrame(
            result.fetchall(), columns=["value", "current_cost", "previous_cost"], dtype=object
        )
    df["change"] = df["current_cost"] - df["previous_cost"]
    df = df[df["change"] != 0]
    order = df["change"].map(abs).astype("float64").sort_values(ascending=False).index
    return df.loc[order].head(limit).reset_index(drop=True)


def account_tag_months(
    engine: sa.Engine, cost: CostFilter, tag_key: str, metric: str = "billed_cost"
) -> pd.DataFrame:
    """Long rows (provider, billing_account_id, tag_value, month, cost) for finance's pivot."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    text = source("gold_account_tag_months").replace("{METRIC}", f"g.{metric}")
    with engine.connect() as conn:
        result = conn.execute(sa.text(text), cost.params() | {"tag_key": tag_key})
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)


_NAME_SQL = {"billing_account": "gold_account_names", "sub_account": "gold_sub_account_names"}


def account_names(engine: sa.Engine, scope: Scope, key: str = "billing_account") -> dict[str, str]:
    """Id to name for billing accounts or sub-accounts (the latest name a bill gave each):
    pages show names and keep ids in links, which stay valid when an account is renamed."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(source(_NAME_SQL[key])), scope.params())
        return {account: name for account, name in rows}
