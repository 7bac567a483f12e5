"""The database contract other tools rely on: schemas, bronze columns, migrations."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from db import migrate
from focus.columns import COLUMNS


def test_schemas_exist(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        names = set(conn.execute(sa.text("SELECT nspname FROM pg_namespace")).scalars())
    assert {"bronze", "silver", "gold", "app"} <= names


def test_bronze_has_exactly_the_focus_columns(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'bronze' AND table_name = 'focus_cost'"
            )
        ).all()
    types = dict(rows)
    assert set(types) == {c.sql for c in COLUMNS} | {
        "x_source",
        "x_dataset",
        "x_load_id",
        "x_slice",
    }
    expected = {"money": "numeric", "number": "numeric", "timestamp": "timestamp with time zone"}
    expected |= {"text": "text", "json": "jsonb"}
    assert {c.sql: expected[c.kind] for c in COLUMNS} == {c.sql: types[c.sql] for c in COLUMNS}


def test_gold_daily_cost_columns(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        cols = set(
            conn.execute(
                sa.text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'gold' AND table_name = 'daily_cost'"
                )
            ).scalars()
        )
    keys = {
        "charge_date",
        "billing_period_start",
        "provider",
        "billing_account_id",
        "sub_account_id",
        "service_name",
        "service_category",
        "region_id",
        "charge_category",
        "billing_currency",
    }
    sums = {"billed_cost", "effective_cost", "list_cost", "contracted_cost", "row_count"}
    assert keys | sums <= cols


def test_upgrade_is_idempotent(engine: sa.Engine) -> None:
    before = migrate.current_revision(engine)
    migrate.upgrade_head(engine)
    versions = Path(migrate.__file__).parent / "migrations" / "versions"
    newest = max(p.stem[:4] for p in versions.glob("[0-9]*.py"))
    assert migrate.current_revision(engine) == before == newest


def test_source_and_sync_run_keep_the_contracted_names(engine: sa.Engine) -> None:
    sql = sa.text(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'app' AND table_name = :table"
    )
    with engine.connect() as conn:
        source = set(conn.execute(sql, {"table": "source"}).scalars())
        run = set(conn.execute(sql, {"table": "sync_run"}).scalars())
    assert {"name", "kind", "settings", "credentials", "schedule", "enabled"} <= source
    contracted = {"source", "started", "finished", "status", "files", "rows", "periods"}
    assert contracted | {"error", "attempts", "cancel_requested", "requested_by"} <= run


def test_tag_keys_get_a_normalized_lookup(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        normalized = conn.execute(
            sa.text(
                "SELECT app.normalize_tags(CAST(:tags AS jsonb))",
            ),
            {"tags": '{"user:CostCenter": "42", "Team": "web", "env": null, "app__Name": "x"}'},
        ).scalar_one()
    assert normalized == {"cost-center": "42", "team": "web", "env": None, "app-name": "x"}
