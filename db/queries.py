"""Every read a page makes, against gold only, with bound parameters. Returns DataFrames.

Pages reach these through ui.data, which caches them; this module knows nothing of Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa

from db.sql import statement
from db.users import Scope
from focus.periods import MonthToDate


@dataclass(frozen=True)
class CostFilter:
    """What a page asks for. `scope` is the signed-in user's and has no default, so no query
    can be built without it."""

    start: date
    end: date
    currency: str | None
    scope: Scope
    providers: tuple[str, ...] = field(default=())  # empty: every provider

    def params(self) -> dict[str, object]:
        return self.scope.params() | {
            "start": self.start,
            "end": self.end,
            "currency": self.currency,
            "providers": list(self.providers),
            "all_providers": not self.providers,
        }


@dataclass(frozen=True)
class Bounds:
    first_date: date | None
    last_date: date | None
    providers: tuple[str, ...]
    currencies: tuple[str, ...]
    gold_rows: int

    @property
    def empty(self) -> bool:
        return self.gold_rows == 0


def bounds(engine: sa.Engine, scope: Scope) -> Bounds:
    with engine.connect() as conn:
        row = conn.execute(statement("gold_bounds"), scope.params()).one()
    return Bounds(
        row.first_date,
        row.last_date,
        tuple(sorted(row.providers)),
        tuple(row.currencies),
        row.gold_rows,
    )


def _frame(engine: sa.Engine, name: str, params: dict[str, object]) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(statement(name), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()), dtype=object)


def kpis(engine: sa.Engine, f: CostFilter, window: MonthToDate) -> dict[str, float]:
    params = f.params() | {
        "as_of": window.as_of,
        "month_start": window.month_start,
        "last_month_start": window.last_month_start,
        "last_month_same_day": window.last_month_same_day,
    }
    with engine.connect() as conn:
        row = conn.execute(statement("gold_kpis"), params).one()
    return {k: float(v) for k, v in row._mapping.items()}


def daily_by_provider(engine: sa.Engine, f: CostFilter) -> pd.DataFrame:
    df = _frame(engine, "gold_daily_by_provider", f.params())
    return df.astype({"billed_cost": "float64"})


def top_services(engine: sa.Engine, f: CostFilter, limit: int = 10) -> pd.DataFrame:
    return _frame(engine, "gold_top_services", f.params() | {"limit": limit})


def top_accounts(engine: sa.Engine, f: CostFilter, limit: int = 10) -> pd.DataFrame:
    return _frame(engine, "gold_top_accounts", f.params() | {"limit": limit})


def provider_totals(engine: sa.Engine, f: CostFilter) -> pd.DataFrame:
    return _frame(engine, "gold_provider_totals", f.params())


def freshness(engine: sa.Engine) -> pd.DataFrame:
    return _frame(engine, "gold_freshness", {})


def billing_periods(engine: sa.Engine, scope: Scope) -> list[date]:
    with engine.connect() as conn:
        return list(conn.execute(statement("gold_billing_periods"), scope.params()).scalars())
