"""OCI cost and usage reports: detection, mapping, reconciliation to the cent, wrong files."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.formats import FORMATS, open_export
from ingestion.formats.export_file import sniff
from ingestion.loader import load_file
from tests.conftest import SHARED_DATA, shared_file
from tests.sql import gold_totals, scalar

FC_COST = "focus-converters/oci/reports_cost-csv_0000000030000269.csv"
KOKU_COST = "koku/oci/reports_cost-csv_0001000000603747.csv"
KOKU_USAGE = "koku/oci/reports_usage-csv_0001000000829494.csv"
FOCUS_SAMPLE = "focus-sample-data/FOCUS-1.0/focus_sample.csv"

# sample -> (format, grand total of cost/myCost as SOURCES.md prints it, decimals it shows)
SAMPLES = {
    FC_COST: ("OCI cost report", Decimal("2.52359"), 5),
    KOKU_COST: ("OCI cost report", Decimal("0.000041"), 6),
    KOKU_USAGE: ("OCI usage report", None, None),
}
IDS = [Path(s).stem for s in SAMPLES]


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def expected_totals(path: Path) -> dict[tuple[str, date], Decimal]:
    """cost/myCost per UTC month of the charge, from csv + Decimal alone; 0 for a usage report."""
    totals: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for row in read_rows(path)[1]:
        start = row["lineItem/intervalUsageStart"]  # OCI writes UTC with Z: 2022-04-21T18:00Z
        assert start.endswith("Z")
        month = date(int(start[:4]), int(start[5:7]), 1)
        totals[("Oracle", month)] += Decimal(row.get("cost/myCost") or 0)
    return dict(totals)


def bronze_count(engine: sa.Engine) -> int:
    return scalar(engine, "SELECT count(*) FROM bronze.focus_cost")


@pytest.mark.parametrize("relative", list(SAMPLES), ids=IDS)
def test_gold_reconciles_to_the_report(empty_db: sa.Engine, relative: str) -> None:
    path = shared_file(relative)
    result = load_file(empty_db, path, source="oci")
    assert result.status == "loaded", result.error
    expected = expected_totals(path)
    # Decimal equality: exact, so equal to the cent and beyond
    assert gold_totals(empty_db, "billed_cost") == expected
    assert gold_totals(empty_db, "effective_cost") == expected
    _, published, places = SAMPLES[relative]
    if published is not None:
        assert round(sum(expected.values()), places) == published  # SOURCES.md


@pytest.mark.fast
@pytest.mark.parametrize("relative", list(SAMPLES), ids=IDS)
def test_each_sample_is_detected_as_oci_only(relative: str) -> None:
    path = shared_file(relative)
    _, header = sniff(path)
    assert [key for key, fmt in FORMATS.items() if fmt.matches(header)] == ["oci"]
    assert open_export(path).fmt.name == SAMPLES[relative][0]


@pytest.mark.fast
def test_no_other_shared_file_is_taken_for_oci() -> None:
    others = [
        p
        for p in SHARED_DATA.rglob("*")
        if p.name.endswith((".csv", ".csv.gz", ".parquet")) and p.parent.name != "oci"
    ]
    assert shared_file(FOCUS_SAMPLE) in others
    taken = [p.name for p in others if FORMATS["oci"].matches(sniff(p)[1])]
    assert taken == []


@pytest.mark.parametrize("relative", list(SAMPLES), ids=IDS)
def test_header_only_report_loads_as_zero_rows(
    empty_db: sa.Engine, tmp_path: Path, relative: str
) -> None:
    header, _ = read_rows(shared_file(relative))
    path = write_rows(tmp_path / Path(relative).name, header, [])
    result = load_file(empty_db, path)
    assert result.status == "loaded", result.error
    assert result.summary is not None and result.summary.row_count == 0
    assert bronze_count(empty_db) == 0


def test_tags_become_one_json_object(empty_db: sa.Engine) -> None:
    load_file(empty_db, shared_file(KOKU_COST))
    query = "SELECT tags FROM bronze.focus_cost WHERE resource_id = :r"
    assert scalar(empty_db, query, r="ocid1.bootvolume.oc1.uk-london-1") == {
        "Oracle-Tags.CreatedBy": "default/testing@redhat.com",
        "Oracle-Tags.CreatedOn": "2022-02-23T11:52:23.927Z",
        "new-tags.tarnished-tags": "qa",
        "orcl-cloud.free-tier-retained": "true",
    }
    assert scalar(empty_db, query, r="oci_objectstorage") is None  # no tag values: NULL


def test_identity_and_mapping_columns(empty_db: sa.Engine) -> None:
    load_file(empty_db, shared_file(FC_COST))
    missing = scalar(
        empty_db,
        "SELECT count(*) FROM bronze.focus_cost WHERE provider_name IS DISTINCT FROM 'Oracle' "
        "OR billing_account_id IS NULL OR sub_account_id IS NULL OR sub_account_name IS NULL "
        "OR service_name IS NULL OR service_category IS NULL OR region_id IS NULL "
        "OR billing_currency IS DISTINCT FROM 'USD' OR charge_category IS DISTINCT FROM 'Usage' "
        "OR sku_id IS NULL OR charge_description IS NULL OR pricing_unit IS NULL "
        "OR billing_account_type IS DISTINCT FROM 'Tenancy' "
        "OR sub_account_type IS DISTINCT FROM 'Compartment'",
    )
    assert missing == 0
    with empty_db.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT billing_account_id, sub_account_name, service_name, service_category, "
                "region_id, availability_zone, resource_type, billing_period_start, "
                "billing_period_end FROM bronze.focus_cost WHERE resource_id LIKE "
                "'ocid1.autonomousdatabase.%' LIMIT 1"
            )
        ).one()
    assert row[0].startswith("ocid1.tenancy.oc1..")
    assert row[1:7] == (
        "platformpm2022",
        "DATABASE",
        "Databases",
        "us-sanjose-1",
        "sj-1",
        "autonomousdatabase",
    )
    assert (row[7].isoformat(), row[8].isoformat()) == (
        "2023-11-01T00:00:00+00:00",
        "2023-12-01T00:00:00+00:00",
    )
    assert scalar(empty_db, "SELECT count(*) FROM bronze.focus_cost WHERE list_cost IS NULL") == 506
    wrong_contracted = (
        "SELECT count(*) FROM bronze.focus_cost "
        "WHERE contracted_cost IS DISTINCT FROM contracted_unit_price * pricing_quantity"
    )
    assert scalar(empty_db, wrong_contracted) == 0


def test_usage_report_carries_no_money(empty_db: sa.Engine) -> None:
    result = load_file(empty_db, shared_file(KOKU_USAGE), source="oci")
    assert result.status == "loaded", result.error
    zero = {("Oracle", date(2022, 4, 1)): Decimal(0)}
    for column in ("billed_cost", "effective_cost", "list_cost", "contracted_cost"):
        assert gold_totals(empty_db, column) == zero
    money = scalar(
        empty_db,
        "SELECT count(*) FROM bronze.focus_cost WHERE billed_cost IS NOT NULL "
        "OR effective_cost IS NOT NULL OR list_cost IS NOT NULL OR contracted_cost IS NOT NULL",
    )
    assert money == 0
    filled = "SELECT count(*) FROM bronze.focus_cost WHERE consumed_quantity IS NOT NULL "
    assert scalar(empty_db, filled + "AND consumed_unit IS NOT NULL AND x_dataset = 'usage'") == 6


def test_usage_report_beside_cost_report_keeps_cost_totals(empty_db: sa.Engine) -> None:
    assert load_file(empty_db, shared_file(KOKU_COST), source="oci").status == "loaded"
    cost = gold_totals(empty_db, "billed_cost")
    assert load_file(empty_db, shared_file(KOKU_USAGE), source="oci").status == "loaded"
    assert gold_totals(empty_db, "billed_cost") == cost
    assert gold_totals(empty_db, "effective_cost") == cost
    by_dataset = "SELECT count(*) FROM bronze.focus_cost WHERE x_dataset = :d"
    assert (scalar(empty_db, by_dataset, d="cost"), scalar(empty_db, by_dataset, d="usage")) == (
        5,
        6,
    )


def test_correction_is_an_adjustment(empty_db: sa.Engine, tmp_path: Path) -> None:
    header, rows = read_rows(shared_file(KOKU_COST))
    correction = rows[3] | {"lineItem/isCorrection": "true", "cost/myCost": "-0.000040641"}
    path = write_rows(tmp_path / "reports_cost-csv_fix.csv", header, [rows[3], correction])
    assert load_file(empty_db, path).status == "loaded"
    with empty_db.connect() as conn:
        by_category = dict(
            conn.execute(
                sa.text("SELECT charge_category, sum(billed_cost) FROM gold.daily_cost GROUP BY 1")
            ).all()
        )
    assert by_category == {
        "Usage": Decimal("0.000040641000"),
        "Adjustment": Decimal("-0.000040641"),
    }


def test_billing_period_is_the_utc_month_of_the_charge(empty_db: sa.Engine, tmp_path: Path) -> None:
    header, rows = read_rows(shared_file(KOKU_COST))
    starts = ["2023-11-30T23:00Z", "2023-12-01T00:00Z", "2023-12-01T00:30+01:00"]
    dated = [rows[3] | {"lineItem/intervalUsageStart": s, "cost/myCost": "1"} for s in starts]
    assert load_file(empty_db, write_rows(tmp_path / "p.csv", header, dated)).status == "loaded"
    assert gold_totals(empty_db, "billed_cost") == {
        ("Oracle", date(2023, 11, 1)): Decimal(2),
        ("Oracle", date(2023, 12, 1)): Decimal(1),
    }


def test_contracted_cost_is_exact_beyond_the_fast_path(empty_db: sa.Engine, tmp_path: Path) -> None:
    header, rows = read_rows(shared_file(KOKU_COST))
    tiny = rows[3] | {"cost/unitPrice": "1.5E-30", "usage/billedQuantity": "3.000000000000"}
    assert load_file(empty_db, write_rows(tmp_path / "c.csv", header, [tiny])).status == "loaded"
    got = scalar(empty_db, "SELECT contracted_cost FROM bronze.focus_cost")
    assert got == Decimal("4.5E-30")


Rows = list[dict[str, str]]
Edit = Callable[[list[str], Rows], tuple[list[str], Rows]]


def _without(columns: set[str]) -> Edit:
    def edit(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        return [h for h in header if h not in columns], rows

    return edit


def _value(row: int, column: str, value: str) -> Edit:
    """Set one value; `row` counts data rows from 1, as the error message does."""

    def edit(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        rows[row - 1] = rows[row - 1] | {column: value}
        return header, rows

    return edit


# case -> (how the koku cost report is spoiled, file name, format named, where, reason)
WRONG = {
    "no-myCost": (
        _without({"cost/myCost"}),
        "reports_cost-csv_0001.csv",
        "OCI cost report",
        "column cost/myCost",
        "a required column of an OCI cost report is missing",
    ),
    "cost-named-no-cost-columns": (
        lambda h, r: ([c for c in h if not c.startswith("cost/")], r),
        "reports_cost-csv_0002.csv",
        "OCI cost report",
        "column cost/myCost",
        "has no cost columns",
    ),
    "no-interval-start": (
        _without({"lineItem/intervalUsageStart"}),
        "reports_cost-csv_0003.csv",
        "OCI cost report",
        "column lineItem/intervalUsageStart",
        "missing",
    ),
    "bad-cost": (
        _value(3, "cost/myCost", "12,3x"),
        "reports_cost-csv_0004.csv",
        "OCI cost report",
        "row 3, column cost/myCost",
        "'12,3x' is not a number",
    ),
    "bad-start": (
        _value(2, "lineItem/intervalUsageStart", "2022-13-01T00:00Z"),
        "reports_cost-csv_0005.csv",
        "OCI cost report",
        "row 2, column lineItem/intervalUsageStart",
        "is not a date/time",
    ),
    "empty-start": (
        _value(4, "lineItem/intervalUsageStart", ""),
        "reports_cost-csv_0006.csv",
        "OCI cost report",
        "row 4, column lineItem/intervalUsageStart",
        "a value is required here",
    ),
    "bad-unit-price": (
        _value(5, "cost/unitPrice", "n/a"),
        "reports_cost-csv_0007.csv",
        "OCI cost report",
        "row 5, column cost/unitPrice",
        "'n/a' is not a number",
    ),
}


@pytest.mark.parametrize("case", list(WRONG), ids=list(WRONG))
def test_wrong_file_is_refused_and_gold_unchanged(
    empty_db: sa.Engine, tmp_path: Path, case: str
) -> None:
    assert load_file(empty_db, shared_file(FC_COST), source="oci").status == "loaded"
    before, rows_before = gold_totals(empty_db, "billed_cost"), bronze_count(empty_db)

    spoil, name, fmt, where, reason = WRONG[case]
    header, rows = spoil(*read_rows(shared_file(KOKU_COST)))
    result = load_file(empty_db, write_rows(tmp_path / name, header, rows), source="oci")

    assert result.status == "failed" and result.bad_input
    assert result.error is not None
    assert result.error.startswith(f"{name} ({fmt}), {where}: "), result.error
    assert reason in result.error
    assert gold_totals(empty_db, "billed_cost") == before
    assert bronze_count(empty_db) == rows_before


def test_headers_in_other_casing_and_gzip_load_the_same(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    header, rows = read_rows(shared_file(KOKU_COST))
    lower = [{k.lower(): v for k, v in r.items()} for r in rows]
    path = tmp_path / "reports_cost-csv_lower.csv.gz"
    with gzip.open(path, "wt", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[h.lower() for h in header])
        writer.writeheader()
        writer.writerows(lower)
    result = load_file(empty_db, path)
    assert result.status == "loaded", result.error
    assert result.format == "OCI cost report CSV (gzip)"
    assert gold_totals(empty_db, "billed_cost") == expected_totals(shared_file(KOKU_COST))
