"""Scope is enforced in the query layer: a scoped user's numbers come from their accounts only.

Every reader of cost is called with a scoped user and checked against literal values of a
three-row input, and every .sql file that reads cost must have run during those calls (the
statements that reach the driver are recorded), so a file that ignores the scope, or a new file
no scoped test runs, fails here whatever text it contains."""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from db import explore, queries, showback
from db.extract import write_line_items
from db.queries import CostFilter
from db.users import Scope
from focus.periods import month_to_date
from ingestion.loader import load_file
from tests.conftest import ROOT
from tests.focus_files import row, write_csv

SQL = ROOT / "db" / "sql"
# The loader's own statements: they write bronze and gold, or find what a slice held.
WRITERS = {"gold_stage", "refresh_gold", "refresh_gold_tags", "delete_periods", "load_totals",
           "slice_delete", "slice_periods"}  # fmt: skip
# gold_freshness: per source, shown only to users who see everything; export_focus*: the
# operator's `python -m ingestion export-focus`, no signed-in user involved.
UNSCOPED_BY_DESIGN = {"gold_freshness", "export_focus", "export_focus_profile"}
SCOPE = Scope(providers=("AWS",), sub_accounts=("mine",))


def reads_cost(path: Path) -> bool:
    """Named for gold, or naming a cost table (some name theirs through a whitelisted {TABLE})."""
    text = path.read_text()
    return path.stem.startswith("gold_") or bool(re.search(r"\b(gold|silver|bronze)\.\w", text))


COST_READERS = sorted(
    p.stem
    for p in SQL.glob("*.sql")
    if not p.stem.startswith("_") and p.stem not in WRITERS | UNSCOPED_BY_DESIGN and reads_cost(p)
)


@dataclass(frozen=True)
class Ran:
    sql: str
    params: dict


def _normal(text: str) -> str:
    """SQL without comments, each bind marker (`:name` as written, `%(name)s` as sent) as ?."""
    text = re.sub(r"--[^\n]*", "", text).replace("%%", "%")
    return re.sub(r"%\(\w+\)s|(?<![:\w]):\w+", "?", text)


def _pattern(name: str) -> re.Pattern[str]:
    """What file `name` looks like once run: its {PLACEHOLDERS} (the scope clause, whitelisted
    identifiers) may hold anything; blanks may grow or shrink; `{{` is a literal brace."""
    chunks = re.split(r"(?<!\{)\{\w+\}(?!\})", _normal((SQL / f"{name}.sql").read_text()))
    chunks = [c.replace("{{", "{").replace("}}", "}") for c in chunks]  # psycopg.sql's escapes
    literal = [r"\s*".join(map(re.escape, chunk.split())) for chunk in chunks]
    return re.compile(r"\s*" + r".*?".join(literal) + r"\s*;?\s*", re.DOTALL)


def runs_of(name: str, ran: list[Ran]) -> list[Ran]:
    pattern = _pattern(name)
    return [r for r in ran if pattern.fullmatch(_normal(r.sql))]


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[Ran]:
    """Every statement the driver is given while the test runs (SQLAlchemy's and raw COPYs)."""
    seen: list[Ran] = []

    def record(cursor: psycopg.Cursor, query: object, params: object) -> None:
        text = query.as_string(cursor) if isinstance(query, psycopg.sql.Composable) else query
        if isinstance(text, bytes):
            text = text.decode()
        seen.append(Ran(str(text), dict(params) if isinstance(params, dict) else {}))

    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy

    def recording_execute(self, query, params=None, **kwargs):
        record(self, query, params)
        return execute(self, query, params, **kwargs)

    def recording_copy(self, statement, params=None, **kwargs):
        record(self, statement, params)
        return copy(self, statement, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording_execute)
    monkeypatch.setattr(psycopg.Cursor, "copy", recording_copy)
    return seen


@pytest.fixture
def two_accounts(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    rows = [
        row("2024-09-01", "10", account="mine", service="Mine Service", tags='{"team": "a"}'),
        row("2024-09-02", "1000", account="theirs", service="Secret Service", tags='{"team": "b"}'),
        row("2024-09-03", "77", provider="Microsoft", service="Hidden VM", tags='{"team": "c"}'),
    ]
    load_file(empty_db, write_csv(tmp_path / "two.csv", rows))
    return empty_db


def records(df) -> list[tuple]:
    return [tuple(r) for r in df.itertuples(index=False)]


def test_scoped_readers_see_only_their_accounts(
    two_accounts: sa.Engine, tmp_path: Path, ran: list[Ran]
) -> None:
    """The scoped user owns one row: AWS, sub-account mine, Mine Service, team a, 10 on 1 Sep."""
    e = two_accounts
    f = CostFilter(date(2024, 9, 1), date(2024, 9, 30), "USD", SCOPE)
    b = queries.bounds(e, SCOPE)
    assert (b.first_date, b.last_date, b.providers, b.currencies, b.gold_rows) == (
        date(2024, 9, 1),
        date(2024, 9, 1),
        ("AWS",),
        ("USD",),
        1,
    )
    assert queries.billing_periods(e, SCOPE) == [date(2024, 9, 1)]
    kpis = queries.kpis(e, f, month_to_date(date(2024, 9, 3)))
    assert (kpis["month_to_date"], kpis["last_month"]) == (10, 0)
    assert records(queries.daily_by_provider(e, f)) == [(date(2024, 9, 1), "AWS", 10)]
    assert records(queries.top_services(e, f)) == [("Mine Service", "AWS", 10)]
    assert records(queries.top_accounts(e, f)) == [("AWS", "999", "mine", "acct mine", 10)]
    assert records(queries.provider_totals(e, f)) == [("AWS", 10)]

    q = explore.ExploreQuery(f, ("service",), "month")
    assert records(explore.explore(e, q)) == [(date(2024, 9, 1), "Mine Service", None, 10)]
    by_tag = explore.ExploreQuery(f, ("tag:team",), "month")
    assert records(explore.explore(e, by_tag)) == [(date(2024, 9, 1), "a", None, 10)]
    assert explore.dimension_values(e, "sub_account", f) == ["mine"]
    assert explore.dimension_values(e, "tag:team", f) == ["a"]
    assert explore.tag_keys(e, f) == ["team"]
    assert explore.account_names(e, SCOPE) == {"999": "Payer"}
    assert explore.account_names(e, SCOPE, "sub_account") == {"mine": "acct mine"}
    assert records(explore.movers(e, f, "service")) == [("Mine Service", 10, 0, 10)]
    months = explore.account_tag_months(e, f, "team")
    assert [
        (r.provider, r.billing_account_id, r.tag_value, r.cost) for r in months.itertuples()
    ] == [("AWS", "999", "a", 10)]
    assert records(showback.showback(e, f, "team")) == [("a", 10, 0, 10)]

    extract = write_line_items(e, tmp_path / "x.csv.gz", date(2024, 9, 1), SCOPE)
    with gzip.open(extract.path, "rt") as f_in:
        lines = f_in.read().splitlines()
    assert len(lines) == 2 and "Mine Service" in lines[1]  # a header and the one row

    missing = [name for name in COST_READERS if not runs_of(name, ran)]
    assert not missing, f"no scoped test runs {missing}: add its reader above, with literal values"
    unscoped = [
        name
        for name in COST_READERS
        for r in runs_of(name, ran)
        if r.params.get("scope_sub_accounts") != ["mine"]
    ]
    assert not unscoped, f"run without the user's scope bound: {unscoped}"


def test_unlimited_scope_sees_everything(two_accounts: sa.Engine) -> None:
    f = CostFilter(date(2024, 9, 1), date(2024, 9, 30), "USD", Scope())
    assert sum(queries.provider_totals(two_accounts, f)["billed_cost"]) == Decimal(1087)


@pytest.mark.fast
def test_every_cost_reader_file_is_known() -> None:
    """The list the scoped test must cover is not empty by accident (a renamed folder, say)."""
    assert {"gold_kpis", "gold_explore", "showback_allocate", "line_items"} <= set(COST_READERS)
