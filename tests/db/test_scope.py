"""Scope is enforced in the query layer: every read of gold or silver carries the clause, and a
scoped user's numbers come from their accounts only."""

from __future__ import annotations

import gzip
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import explore, queries, showback
from db.extract import write_line_items
from db.queries import CostFilter
from db.users import Scope
from ingestion.loader import load_file
from tests.conftest import ROOT
from tests.focus_files import row, write_csv

SQL = ROOT / "db" / "sql"
WRITERS = {"gold_stage", "refresh_gold", "refresh_gold_tags", "delete_periods", "load_totals"}
# gold_freshness: per source, shown only to users who see everything; export_focus*: the
# operator's `python -m ingestion export-focus`, no signed-in user involved.
UNSCOPED_BY_DESIGN = {"gold_freshness", "export_focus", "export_focus_profile"}


def reads_cost(text: str) -> bool:
    return bool(re.search(r"\b(gold|silver)\.(daily_cost|daily_cost_by_tag|focus_cost)\b", text))


@pytest.mark.parametrize("path", sorted(SQL.glob("*.sql")), ids=lambda p: p.stem)
def test_every_cost_query_carries_the_scope_clause(path: Path) -> None:
    text = path.read_text()
    if path.stem in WRITERS | UNSCOPED_BY_DESIGN or not reads_cost(text):
        return
    assert "{SCOPE}" in text or "scope_all_providers" in text, f"{path.name} ignores scope"


@pytest.fixture
def two_accounts(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    rows = [
        row("2024-09-01", "10", account="mine", service="Mine Service", tags='{"team": "a"}'),
        row("2024-09-02", "1000", account="theirs", service="Secret Service", tags='{"team": "b"}'),
        row("2024-09-03", "77", provider="Microsoft", service="Hidden VM", tags='{"team": "c"}'),
    ]
    load_file(empty_db, write_csv(tmp_path / "two.csv", rows))
    return empty_db


def test_scoped_queries_see_only_their_accounts(two_accounts: sa.Engine, tmp_path: Path) -> None:
    scope = Scope(providers=("AWS",), sub_accounts=("mine",))
    f = CostFilter(date(2024, 9, 1), date(2024, 9, 30), "USD", scope)
    e = two_accounts
    b = queries.bounds(e, scope)
    assert b.providers == ("AWS",) and b.gold_rows == 1
    assert set(queries.top_services(e, f)["service_name"]) == {"Mine Service"}
    assert set(queries.top_accounts(e, f)["sub_account_id"]) == {"mine"}
    assert list(queries.provider_totals(e, f)["billed_cost"]) == [10]
    q = explore.ExploreQuery(f, ("service",), "month")
    assert set(explore.explore(e, q)["dim1"]) == {"Mine Service"}
    assert explore.dimension_values(e, "sub_account", f) == ["mine"]
    assert explore.tag_keys(e, f) == ["team"]
    assert set(showback.showback(e, f, "team")["value"]) == {"a"}
    assert set(explore.account_tag_months(e, f, "team")["tag_value"]) == {"a"}
    assert set(explore.movers(e, f, "service")["value"]) <= {"Mine Service"}
    extract = write_line_items(e, tmp_path / "x.csv.gz", date(2024, 9, 1), scope)
    with gzip.open(extract.path, "rt") as f_in:
        text = f_in.read()
    assert "Mine Service" in text and "Secret Service" not in text and "Hidden VM" not in text


def test_unlimited_scope_sees_everything(two_accounts: sa.Engine) -> None:
    f = CostFilter(date(2024, 9, 1), date(2024, 9, 30), "USD", Scope())
    assert sum(queries.provider_totals(two_accounts, f)["billed_cost"]) == 1087
