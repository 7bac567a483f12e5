"""Cost explorer queries: any one or two dimensions, any filter, any cost metric, over gold.

Group-by columns cannot be bound parameters, so the SQL text is composed (psycopg.sql) from the
fixed whitelists below, never from user text; every value a person picks is a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pandas as pd
import sqlalchemy as sa
from psycopg import sql

from db.queries import CostFilter
from db.sql import composed, source
from db.users import Scope

TAG_PREFIX = "tag:"


def _gold(column: str, missing: str) -> sql.Composable:
    """A column of gold (alias g), a missing value shown as `missing` so it can be picked."""
    return sql.SQL("coalesce({}, {})").format(sql.Identifier("g", column), sql.Literal(missing))


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    column: str  # in gold.daily_cost and gold.daily_cost_by_tag
    missing: str = "(none)"

    @property
    def expr(self) -> sql.Composable:
        return _gold(self.column, self.missing)


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("provider", "Provider", "provider", "(unknown)"),
        Dimension("billing_account", "Billing account", "billing_account_id"),
        Dimension("sub_account", "Sub-account", "sub_account_id"),
        Dimension("service", "Service", "service_name"),
        Dimension("service_category", "Service category", "service_category"),
        Dimension("region", "Region", "region_id"),
        Dimension("charge_category", "Charge category", "charge_category"),
    )
}
TAG_EXPR = _gold("tag_value", "(untagged)")

METRICS: dict[str, str] = {
    "billed_cost": "Billed cost",
    "effective_cost": "Effective cost",
    "list_cost": "List cost",
    "contracted_cost": "Contracted cost",
}
_DAY = sql.Identifier("g", "charge_date")
PERIODS: dict[str, sql.Composable] = {
    "day": _DAY,
    "week": sql.SQL("date_trunc('week', {})::date").format(_DAY),
    "month": sql.SQL("date_trunc('month', {})::date").format(_DAY),
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


def _expr(key: str) -> sql.Composable:
    return TAG_EXPR if key.startswith(TAG_PREFIX) else DIMENSIONS[key].expr


def metric_column(metric: str) -> sql.Composable:
    """Gold's column for a cost metric; checked against METRICS, as a column is no parameter."""
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}")
    return sql.Identifier("g", metric)


def _source(tag_key: str | None, tag_values: tuple[str, ...]) -> dict[str, sql.Composable]:
    """The table to read and, for a tag, the clause picking its key (and chosen values)."""
    if tag_key is None:
        return {"table": sql.Identifier("gold", "daily_cost"), "tag_filter": sql.SQL("")}
    tag_filter = sql.SQL("AND g.tag_key = :tag_key")
    if tag_values:
        tag_filter += sql.SQL(" AND {} = ANY(CAST(:f_tag AS text[]))").format(TAG_EXPR)
    return {"table": sql.Identifier("gold", "daily_cost_by_tag"), "tag_filter": tag_filter}


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
    query = composed(
        "gold_explore",
        period=PERIODS[q.granularity],
        dim1=_expr(q.group_by[0]),
        dim2=_expr(q.group_by[1]) if len(q.group_by) > 1 else sql.SQL("NULL::text"),
        metric=metric_column(q.metric),
        **_source(q.tag_key, tag_values),
    )
    with engine.connect() as conn:
        result = conn.execute(query, _params(q))
        return pd.DataFrame(result.fetchall(), columns=["period", "dim1", "dim2", "cost"])


def dimension_values(engine: sa.Engine, key: str, cost: CostFilter) -> list[str]:
    """Values a filter can offer, most expensive first."""
    tag_key = key.removeprefix(TAG_PREFIX) if key.startswith(TAG_PREFIX) else None
    query = composed("gold_dimension_values", dim=_expr(key), **_source(tag_key, ()))
    params = cost.params() | {"tag_key": tag_key}
    with engine.connect() as conn:
        return [row.value for row in conn.execute(query, params)]


def tag_keys(engine: sa.Engine, cost: CostFilter) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(source("gold_tag_keys")), cost.params())
        return [row.tag_key for row in rows]


def movers(engine: sa.Engine, cost: CostFilter, key: str, limit: int = 5) -> pd.DataFrame:
    """The values of one dimension whose cost rose or fell most against the previous window of
    the same length; the biggest absolute changes first."""
    days = (cost.end - cost.start).days + 1
    params = cost.params() | {"previous_start": cost.start - timedelta(days=days)}
    query = composed("gold_movers", dim=DIMENSIONS[key].expr)
    with engine.connect() as conn:
        result = conn.execute(query, params)
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
    query = composed("gold_account_tag_months", metric=metric_column(metric))
    with engine.connect() as conn:
        result = conn.execute(query, cost.params() | {"tag_key": tag_key})
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)


_NAME_SQL = {"billing_account": "gold_account_names", "sub_account": "gold_sub_account_names"}


def account_names(engine: sa.Engine, scope: Scope, key: str = "billing_account") -> dict[str, str]:
    """Id to name for billing accounts or sub-accounts (the latest name a bill gave each):
    pages show names and keep ids in links, which stay valid when an account is renamed."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text(source(_NAME_SQL[key])), scope.params())
        return {account: name for account, name in rows}
