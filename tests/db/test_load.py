"""Loads against real Postgres: reconciliation to the cent, restatement, atomic failure, skips."""

from __future__ import annotations

import contextlib
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from db.load import hashed_plans
from db.sql import statement
from ingestion.loader import load_file
from tests.conftest import SHARED_DATA, shared_file
from tests.focus_files import reference_totals, row, write_csv
from tests.sql import gold_totals, scalar

FOCUS_FILES = sorted(
    str(p.relative_to(SHARED_DATA))
    for folder in ("focus-sample-data", "focus-spec")
    for p in (SHARED_DATA / folder).rglob("*.csv")
)


def bronze_count(engine: sa.Engine) -> int:
    return scalar(engine, "SELECT count(*) FROM bronze.focus_cost")


@pytest.mark.fast
def test_every_shared_focus_file_is_found() -> None:
    assert len(FOCUS_FILES) >= 28, "expected the FOCUS sample and the spec examples"


@pytest.mark.parametrize("relative", FOCUS_FILES, ids=[Path(f).stem[:40] for f in FOCUS_FILES])
@pytest.mark.parametrize("column", ["BilledCost", "EffectiveCost"])
def test_gold_reconciles_to_the_file(empty_db: sa.Engine, relative: str, column: str) -> None:
    path = shared_file(relative)
    result = load_file(empty_db, path, source="sample")
    assert result.status == "loaded", result.error
    expected = reference_totals(path, column)
    got = gold_totals(empty_db, "billed_cost" if column == "BilledCost" else "effective_cost")
    assert got == expected  # Decimal equality: exact, so equal to the cent and beyond


def test_focus_sample_matches_published_total(empty_db: sa.Engine) -> None:
    result = load_file(empty_db, shared_file("focus-sample-data/FOCUS-1.0/focus_sample.csv"))
    assert result.summary is not None and result.summary.row_count == 1000
    total = sum(gold_totals(empty_db).values())
    assert round(total, 4) == Decimal("20.5202")  # SOURCES.md: BilledCost=20.5202


def test_restated_period_replaces_the_old_one(empty_db: sa.Engine, tmp_path: Path) -> None:
    sept_v1 = write_csv(tmp_path / "v1.csv", [row("2024-09-01", "10.00"), row("2024-09-02", "5")])
    october = write_csv(tmp_path / "oct.csv", [row("2024-10-01", "7.77")])
    other = write_csv(tmp_path / "other.csv", [row("2024-09-03", "100", provider="Microsoft")])
    assert load_file(empty_db, sept_v1, source="aws").status == "loaded"
    assert load_file(empty_db, october, source="aws").status == "loaded"
    assert load_file(empty_db, other, source="azure").status == "loaded"

    sept_v2 = write_csv(
        tmp_path / "v2.csv", [row("2024-09-01", "11.11"), row("2024-09-05", "0.01")]
    )
    assert load_file(empty_db, sept_v2, source="aws").status == "loaded"

    totals = gold_totals(empty_db)
    from datetime import date

    assert totals[("AWS", date(2024, 9, 1))] == Decimal("11.12")  # v2 alone, not v1 + v2
    assert totals[("AWS", date(2024, 10, 1))] == Decimal("7.77")  # other period untouched
    assert totals[("Microsoft", date(2024, 9, 1))] == Decimal("100")  # other source untouched
    assert bronze_count(empty_db) == 4


FAILURES = {
    "empty": lambda p: p.write_bytes(b""),
    "header-only": lambda p: write_csv(p, []),
    "non-numeric": lambda p: write_csv(p, [row("2024-09-01", "1"), row("2024-09-02", "x1")]),
    "bad-tags-json": lambda p: write_csv(
        p, [row("2024-09-01", "1"), row("2024-09-02", "2", tags="{oops")]
    ),
    "missing-column": lambda p: p.write_text("BilledCost,ChargePeriodStart\n1,2024-09-01\n"),
}


@pytest.mark.parametrize("case", list(FAILURES), ids=list(FAILURES))
def test_failed_load_leaves_loaded_data_untouched(
    empty_db: sa.Engine, tmp_path: Path, case: str
) -> None:
    good = write_csv(tmp_path / "good.csv", [row("2024-09-01", "42.00")])
    assert load_file(empty_db, good).status == "loaded"
    before = gold_totals(empty_db)

    bad = tmp_path / "bad.csv"
    FAILURES[case](bad)
    result = load_file(empty_db, bad)

    assert result.status == "failed" and result.bad_input
    assert result.error and result.error.startswith("bad.csv")
    assert gold_totals(empty_db) == before
    assert bronze_count(empty_db) == 1
    with empty_db.connect() as conn:
        status, error = conn.execute(
            sa.text("SELECT status, error FROM app.load_log ORDER BY load_id DESC LIMIT 1")
        ).one()
    assert status == "failed" and error == result.error


def test_bad_json_is_reported_at_its_row_and_column(empty_db: sa.Engine, tmp_path: Path) -> None:
    rows = [row("2024-09-01", "1"), row("2024-09-02", "2"), row("2024-09-03", "3", tags="{oops")]
    result = load_file(empty_db, write_csv(tmp_path / "tags.csv", rows))
    assert result.error is not None
    assert result.error.startswith("tags.csv (FOCUS), row 3, column Tags: ")


def test_same_content_is_skipped_and_logged(empty_db: sa.Engine, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row("2024-09-01", "3.00")])
    assert load_file(empty_db, path).status == "loaded"
    copy = tmp_path / "renamed.csv"
    shutil.copy(path, copy)
    assert load_file(empty_db, copy).status == "skipped"
    assert load_file(empty_db, copy, source="another").status == "loaded"
    assert load_file(empty_db, copy, force=True).status == "loaded"
    with empty_db.connect() as conn:
        statuses = conn.execute(
            sa.text("SELECT status FROM app.load_log ORDER BY load_id")
        ).scalars()
        assert list(statuses) == ["loaded", "skipped", "loaded", "loaded"]
    assert sum(gold_totals(empty_db).values()) == Decimal("6.00")  # local + another


def test_load_log_records_totals(empty_db: sa.Engine, tmp_path: Path) -> None:
    rows = [row("2024-09-01", "1.50"), row("2024-10-01", "2.25", currency="EUR")]
    load_file(empty_db, write_csv(tmp_path / "t.csv", rows))
    with empty_db.connect() as conn:
        log = conn.execute(sa.text("SELECT * FROM app.load_log")).one()._mapping
    assert log["status"] == "loaded" and log["row_count"] == 2
    assert [str(d) for d in log["billing_periods"]] == ["2024-09-01", "2024-10-01"]
    assert log["providers"] == ["AWS"]
    assert log["billed_cost"] == Decimal("3.75")
    assert {t["currency"]: t["billed_cost"] for t in log["totals"]} == {
        "USD": "1.50",
        "EUR": "2.25",
    }
    assert log["duration_s"] > 0


def test_cost_by_tag_adds_up_to_the_bill_for_every_key(empty_db: sa.Engine, tmp_path: Path) -> None:
    rows = [
        row("2024-09-01", "10.00", tags='{"Team": "web", "user:CostCenter": "42"}'),
        row("2024-09-01", "5.50", tags='{"team": "data"}'),
        row("2024-09-02", "2.25", tags=""),
        row("2024-09-03", "1.00", tags='{"env": "prod"}'),
    ]
    load_file(empty_db, write_csv(tmp_path / "tags.csv", rows))
    query = sa.text(
        "SELECT tag_key, coalesce(tag_value, '(untagged)'), sum(billed_cost) "
        "FROM gold.daily_cost_by_tag GROUP BY 1, 2"
    )
    with empty_db.connect() as conn:
        got = {(k, v): c for k, v, c in conn.execute(query)}
    assert got == {
        ("team", "web"): Decimal("10.00"),
        ("team", "data"): Decimal("5.50"),
        ("team", "(untagged)"): Decimal("3.25"),
        ("cost-center", "42"): Decimal("10.00"),
        ("cost-center", "(untagged)"): Decimal("8.75"),
        ("env", "prod"): Decimal("1.00"),
        ("env", "(untagged)"): Decimal("17.75"),
    }


def test_a_load_killed_midway_is_marked_failed_by_the_next_one(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    from db import load

    facts = {"source": "local", "file_name": "x.csv", "file_bytes": 1, "format": "FOCUS"}
    dead = load.start_log(empty_db, file_path="/gone.csv", checksum="a", **facts)
    live = load.start_log(empty_db, file_path="/busy.csv", checksum="b", **facts)
    with empty_db.connect() as holder:  # a load still in its transaction holds its row's lock
        holder.execute(
            sa.text("SELECT pg_advisory_xact_lock(:c, :id)"),
            {"c": load._LOAD_ROW_LOCK_CLASS, "id": live},
        )
        assert load_file(empty_db, write_csv(tmp_path / "n.csv", [row("2024-09-01", "1.00")]))
        with empty_db.connect() as conn:
            status = dict(conn.execute(sa.text("SELECT load_id, status FROM app.load_log")).all())
            error = conn.execute(
                sa.text("SELECT error FROM app.load_log WHERE load_id = :id"), {"id": dead}
            ).scalar_one()
        holder.rollback()
    assert status[dead] == "failed" and "stopped before it finished" in error
    assert status[live] == "running"
    assert sorted(status.values()) == ["failed", "loaded", "running"]


def _bronze_scans(plan: dict) -> list[tuple[str, int]]:
    """(node type, times executed) of every scan of bronze.focus_cost in an EXPLAIN ANALYZE tree."""
    found = (
        [(plan["Node Type"], plan["Actual Loops"])]
        if plan.get("Relation Name") == "focus_cost" and plan.get("Schema") == "bronze"
        else []
    )
    return found + [scan for child in plan.get("Plans", []) for scan in _bronze_scans(child)]


# Reads of bronze through silver: the line-items extract (one billing period), export-focus
# (everything), any reader bounding the period index, and the load's gold stage (planned as the
# load plans it).
_OCTOBER = {"lo": datetime(2024, 10, 1, tzinfo=UTC), "hi": datetime(2024, 10, 1, tzinfo=UTC)}
_SILVER_READS = {
    "line items": "SELECT * FROM silver.focus_cost s WHERE s.billing_period = '2024-10-01' "
    "ORDER BY s.charge_period_start",
    "export": "SELECT * FROM silver.focus_cost s WHERE s.x_dataset <> 'usage'",
    "one period by its bounds": "SELECT * FROM silver.focus_cost s "
    "WHERE s.billing_period_start BETWEEN :lo AND :hi",
    "gold stage": statement("gold_stage").text,
}


def test_bronze_is_read_once_per_query_on_stale_statistics(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    """Bronze analyzed while it held September only, then October loaded before any ANALYZE (as
    after a TRUNCATE, or a new source's first month): the planner expects one October row. It
    once ran silver's amortized lookup as one index scan of bronze per line item, quadratic on a
    real month (a CI run hung in it). Every read must scan bronze once, whatever the statistics."""
    september = [row(f"2024-09-{d % 28 + 1:02d}", "1", service=f"s{d % 300}") for d in range(20000)]
    october = [row(f"2024-10-{d % 28 + 1:02d}", "2", service=f"s{d % 300}") for d in range(5000)]
    with empty_db.begin() as conn:
        conn.execute(sa.text("ALTER TABLE bronze.focus_cost SET (autovacuum_enabled = off)"))
    try:
        assert load_file(empty_db, write_csv(tmp_path / "sep.csv", september)).status == "loaded"
        with empty_db.begin() as conn:
            conn.execute(sa.text("ANALYZE bronze.focus_cost"))
        assert load_file(empty_db, write_csv(tmp_path / "oct.csv", october)).status == "loaded"
        scans = {}
        with empty_db.begin() as conn:
            estimate = conn.execute(
                sa.text(
                    "EXPLAIN (FORMAT JSON) SELECT * FROM bronze.focus_cost "
                    "WHERE billing_period_start BETWEEN :lo AND :hi"
                ),
                _OCTOBER,
            ).scalar_one()[0]["Plan"]["Plan Rows"]
            for name, query in _SILVER_READS.items():
                explain = sa.text("EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) " + query)
                params = _OCTOBER | {"periods": [_OCTOBER["lo"]]}
                with hashed_plans(conn) if name == "gold stage" else contextlib.nullcontext():
                    plan = conn.execute(explain, params).scalar_one()[0]["Plan"]
                scans[name] = _bronze_scans(plan)
            conn.rollback()
    finally:
        with empty_db.begin() as conn:
            conn.execute(sa.text("ALTER TABLE bronze.focus_cost RESET (autovacuum_enabled)"))
    assert estimate < 50, f"statistics were not stale (October estimated at {estimate} rows)"
    for name, found in scans.items():
        # at most once: the amortized lookup runs for Azure actual-cost rows only (none here)
        assert max(loops for _, loops in found) == 1, (name, found)


def _blocks(plan: dict) -> int:
    """Table and index blocks a query touched (EXPLAIN's BUFFERS of its top node)."""
    return plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]


def test_a_load_reads_only_its_own_source_and_period(empty_db: sa.Engine, tmp_path: Path) -> None:
    """Bronze finds (period, source, dataset) through a BRIN index of the runs loads write: the
    delete and the totals of one source's month must not read the other sources' months. (On
    tables this small the planner would rather scan it all; the index must make it possible.)"""
    for source, month in [(s, m) for m in ("09", "10", "11") for s in ("aws", "azure")]:
        rows = [row(f"2024-{month}-{d % 28 + 1:02d}", "1", service=f"s{d}") for d in range(6000)]
        path = write_csv(tmp_path / f"{source}-{month}.csv", rows)
        assert load_file(empty_db, path, source=source).status == "loaded"
    with empty_db.connect() as conn:
        conn.execute(sa.text("SELECT brin_summarize_new_values('bronze.focus_cost_period_source')"))
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        total = conn.execute(
            sa.text(
                "SELECT pg_relation_size('bronze.focus_cost') / current_setting('block_size')::int"
            )
        ).scalar_one()
        query = statement("delete_periods").text.replace("DELETE FROM", "SELECT * FROM")
        september = datetime(2024, 9, 1, tzinfo=UTC)
        plan = conn.execute(
            sa.text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + query),
            {
                "source": "azure",
                "dataset": "cost",
                "periods": [september],
                "lo": september,
                "hi": september,
            },
        ).scalar_one()[0]["Plan"]
    read = _blocks(plan)
    assert 0 < read < total / 2, f"read {read} of bronze's {total} blocks for one of six loads"
