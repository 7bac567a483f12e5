"""Explorer queries over every composed shape (tag or not, tag values filtered, week and month,
a non-default metric), checked against sums of the hand-made rows below."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from db import explore
from db.explore import ExploreQuery
from db.queries import CostFilter
from db.users import Scope
from ingestion.loader import load_file
from tests.focus_files import row, write_csv

SEPT = CostFilter(date(2024, 9, 1), date(2024, 9, 30), "USD", Scope())


@pytest.fixture(scope="module")
def loaded(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    rows = [
        row("2024-08-30", "8.00", tags='{"team": "web"}'),
        row("2024-09-02", "10.00", tags='{"team": "web"}'),
        row("2024-09-03", "4.00", tags='{"team": "data"}'),
        row("2024-09-10", "1.50", provider="Microsoft", service="Storage", tags=""),
        row("2024-09-17", "2.25", tags='{"team": "ml"}'),
    ]
    path = write_csv(tmp_path_factory.mktemp("explore") / "e.csv", rows)
    assert load_file(engine, path).status == "loaded"
    return engine


def cells(df) -> list[tuple]:
    return [(str(r.period), r.dim1, r.dim2, r.cost) for r in df.itertuples()]


def test_week_by_provider_and_service(loaded) -> None:
    q = ExploreQuery(SEPT, ("provider", "service"), "week")
    assert cells(explore.explore(loaded, q)) == [
        ("2024-09-02", "AWS", "Amazon EC2", Decimal("14.00")),
        ("2024-09-09", "Microsoft", "Storage", Decimal("1.50")),
        ("2024-09-16", "AWS", "Amazon EC2", Decimal("2.25")),
    ]


def test_month_by_tag_with_chosen_tag_values(loaded) -> None:
    q = ExploreQuery(SEPT, ("tag:team",), "month", filters=(("tag:team", ("web", "ml")),))
    assert cells(explore.explore(loaded, q)) == [
        ("2024-09-01", "ml", None, Decimal("2.25")),
        ("2024-09-01", "web", None, Decimal("10.00")),
    ]


def test_untagged_is_a_value_of_its_own(loaded) -> None:
    q = ExploreQuery(SEPT, ("tag:team", "provider"), "month")
    assert cells(explore.explore(loaded, q)) == [
        ("2024-09-01", "(untagged)", "Microsoft", Decimal("1.50")),
        ("2024-09-01", "data", "AWS", Decimal("4.00")),
        ("2024-09-01", "ml", "AWS", Decimal("2.25")),
        ("2024-09-01", "web", "AWS", Decimal("10.00")),
    ]
    assert explore.dimension_values(loaded, "tag:team", SEPT) == ["web", "data", "ml", "(untagged)"]
    assert explore.dimension_values(loaded, "provider", SEPT) == ["AWS", "Microsoft"]


def test_movers_against_the_window_before(loaded) -> None:
    week = CostFilter(date(2024, 9, 1), date(2024, 9, 7), "USD", Scope())
    moved = explore.movers(loaded, week, "service")
    assert list(zip(moved["value"], moved["change"], strict=True)) == [
        ("Amazon EC2", Decimal("6.00"))
    ]


def test_metric_is_a_whitelisted_column(loaded) -> None:
    months = explore.account_tag_months(loaded, SEPT, "team", "list_cost")
    assert list(months.columns) == ["provider", "billing_account_id", "tag_value", "month", "cost"]
    with pytest.raises(ValueError, match="unknown metric 'billed_cost; drop'"):
        explore.account_tag_months(loaded, SEPT, "team", "billed_cost; drop")
