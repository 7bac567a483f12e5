"""Read the database back in tests: SQL text with bound parameters only, never values (or
column names) formatted into it. Column names a test varies go through `money_column`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

# The cost columns tests sum, by name; anything else is refused rather than spliced into SQL.
MONEY_COLUMNS = ("billed_cost", "effective_cost", "list_cost", "contracted_cost")


def scalar(engine: sa.Engine, query: str, **params: object) -> object:
    """The one value of a one-row, one-column query."""
    with engine.connect() as conn:
        return conn.execute(sa.text(query), params).scalar_one()


def one(engine: sa.Engine, query: str, **params: object) -> tuple:
    """The one row of a query, as a tuple."""
    with engine.connect() as conn:
        return tuple(conn.execute(sa.text(query), params).one())


def all_rows(engine: sa.Engine, query: str, **params: object) -> list[tuple]:
    """Every row of a query, as tuples, in the query's order."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(query), params)]


def money_column(name: str) -> sa.ColumnClause:
    if name not in MONEY_COLUMNS:
        raise ValueError(f"not a cost column: {name!r}")
    return sa.column(name)


def gold_totals(engine: sa.Engine, column: str = "billed_cost") -> dict[tuple[str, date], Decimal]:
    """Sum of one cost column per (provider, billing period) in gold; '(unknown)' for no
    provider, as the pages say."""
    gold = sa.table(
        "daily_cost", sa.column("provider"), sa.column("billing_period_start"), schema="gold"
    )
    provider = sa.func.coalesce(gold.c.provider, sa.literal_column("'(unknown)'"))
    query = (
        sa.select(provider, gold.c.billing_period_start, sa.func.sum(money_column(column)))
        .select_from(gold)
        .group_by(provider, gold.c.billing_period_start)
    )
    with engine.connect() as conn:
        return {(p, d): v for p, d, v in conn.execute(query)}
