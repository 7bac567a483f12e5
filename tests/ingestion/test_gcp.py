"""GCP billing export: detection, mapping, reconciliation to the cent, and the errors people see.

Reference sums are computed here from the native columns with csv + Decimal alone (credits
summed with a regex over the cell), never through the reader under test.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from ingestion.formats import FORMATS, open_export
from ingestion.formats.export_file import sniff
from ingestion.formats.gcp import GcpBilling
from ingestion.loader import load_file
from tests.conftest import SHARED_DATA, shared_file
from tests.sql import all_rows, scalar

FORMAT = "GCP billing export"
STANDARD = "koku/gcp/202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08:2020-11-11.csv"
DETAILED = "koku/gcp/2022-08-01_5.csv"
# SOURCES.md: sample -> (rows, plain sum of `cost`)
SAMPLES = {STANDARD: (25, Decimal("3.2e-05")), DETAILED: (9, Decimal("1.2e-05"))}
SAMPLE_IDS = ["standard", "detailed"]
_AMOUNT = re.compile(r"""['"]amount['"]\s*:\s*([-+0-9.eE]+)""")

Totals = dict[tuple[str, date], tuple[Decimal, Decimal, Decimal]]


def reference_totals(path: Path) -> Totals:
    """(billed, effective, contracted) per billing month: cost + credits, cost + credits, cost."""
    sums: dict[tuple[str, date], list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cost = Decimal(r["cost"])
            credits = sum((Decimal(a) for a in _AMOUNT.findall(r["credits"])), Decimal(0))
            month = r["invoice.month"]
            s = sums[("Google Cloud", date(int(month[:4]), int(month[4:]), 1))]
            s[0] += cost + credits
            s[1] += cost + credits
            s[2] += cost
    return {k: (v[0], v[1], v[2]) for k, v in sums.items()}


def gold_totals(engine: sa.Engine) -> Totals:
    query = sa.text(
        "SELECT provider, billing_period_start, sum(billed_cost), sum(effective_cost), "
        "sum(contracted_cost) FROM gold.daily_cost GROUP BY 1, 2"
    )
    with engine.connect() as conn:
        return {(p, d): (b, e, c) for p, d, b, e, c in conn.execute(query)}


BRONZE_ROWS = "SELECT count(*) FROM bronze.focus_cost"


# --- a small export written by the tests: credits, tax, adjustments, a commitment fee --------

HEADER = [
    "billing_account_id", "service.id", "service.description", "sku.id", "sku.description",
    "usage_start_time", "usage_end_time", "project.id", "project.name", "project.labels",
    "labels", "system_labels", "location.location", "location.region", "location.zone", "cost",
    "currency", "usage.amount", "usage.unit", "usage.amount_in_pricing_units",
    "usage.pricing_unit", "credits", "invoice.month", "cost_type", "cost_at_list",
    "adjustment_info.id", "resource.name", "resource.global_name",
]  # fmt: skip
CUD = "projects/p1/regions/us-central1/commitments/cud-1"
_VM = "//compute.googleapis.com/projects/p1/zones/us-central1-a/instances/vm-1"


def gcp_row(**values: str) -> dict[str, str]:
    row = {
        "billing_account_id": "0A0A0A-1B1B1B-2C2C2C",
        "service.id": "6F81-5844-456A",
        "service.description": "Compute Engine",
        "sku.id": "CP-COMPUTEENGINE-VMIMAGE",
        "sku.description": "N2 Instance Core running in Americas",
        "usage_start_time": "2024-05-31 23:00:00 UTC",
        "usage_end_time": "2024-06-01 00:00:00 UTC",
        "project.id": "shop-prod",
        "project.name": "Shop (prod)",
        "project.labels": '[{"key": "team", "value": "shop"}, {"key": "env", "value": "prod"}]',
        "labels": "[{'key': 'env', 'value': 'canary'}, {'key': 'App', 'value': 'Cart'}]",
        "system_labels": '[{"key": "compute.googleapis.com/cores", "value": "2"}]',
        "location.location": "us-central1-a",
        "location.region": "us-central1",
        "location.zone": "us-central1-a",
        "cost": "10.00",
        "currency": "EUR",
        "usage.amount": "3600",
        "usage.unit": "seconds",
        "usage.amount_in_pricing_units": "1",
        "usage.pricing_unit": "hour",
        "credits": "[]",
        "invoice.month": "202405",
        "cost_type": "regular",
        "cost_at_list": "12.50",
        "adjustment_info.id": "",
        "resource.name": "vm-1",
        "resource.global_name": _VM,
    }
    return row | values


FIXTURE = [
    gcp_row(  # usage with a sustained use discount and a committed use discount
        credits=(
            '[{"name": "Sustained usage discount", "amount": -1.25, "full_name": null, '
            '"id": "", "type": "SUSTAINED_USAGE_DISCOUNT"}, {"name": "Committed use discount", '
            f'"amount": -0.5, "full_name": "{CUD}", "id": "", '
            '"type": "COMMITTED_USAGE_DISCOUNT"}]'
        )
    ),
    gcp_row(  # the commitment fee itself: a purchase
        **{"sku.description": "Commitment v1: Cpu in Americas for 1 Year", "cost": "3.10"},
        **{"cost_at_list": "", "resource.name": "", "resource.global_name": "", "labels": "[]"},
    ),
    gcp_row(  # tax on the invoice, no project
        **{"service.description": "Invoice", "sku.description": "Tax", "cost_type": "tax"},
        **{"cost": "0.83", "project.id": "", "project.name": "", "project.labels": "[]"},
        **{"labels": "[]", "cost_at_list": "", "usage.amount": "0"},
    ),
    gcp_row(  # an adjustment, correcting an earlier charge
        **{"cost_type": "adjustment", "cost": "-2", "adjustment_info.id": "adj-42"},
        **{"cost_at_list": ""},
    ),
    gcp_row(cost_type="rounding_error", cost="0.004", cost_at_list=""),
    gcp_row(  # December invoice: the period ends on the first of January
        **{"invoice.month": "202412", "usage_start_time": "2024-12-31 23:00:00 UTC"},
        **{"usage_end_time": "2025-01-01 00:00:00 UTC", "cost": "1.005", "cost_at_list": "1.2"},
        **{"credits": "[{'name': 'FreeTrial', 'amount': -0.005, 'type': 'PROMOTION'}]"},
    ),
]


def write_export(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def with_cell(source: Path, target: Path, row: int, column: str, value: str) -> Path:
    """A copy of a CSV export with one cell (1-based data row) replaced."""
    with open(source, newline="") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0])
    rows[row - 1][column] = value
    return write_export(target, rows, header)


# --- the shared samples ----------------------------------------------------------------------


@pytest.mark.parametrize("relative", list(SAMPLES), ids=SAMPLE_IDS)
def test_sample_reconciles_to_the_cent(empty_db: sa.Engine, relative: str) -> None:
    path = shared_file(relative)
    result = load_file(empty_db, path, source="gcp")
    assert result.status == "loaded", result.error
    rows, cost = SAMPLES[relative]
    assert result.summary is not None and result.summary.row_count == rows
    got = gold_totals(empty_db)
    assert got == reference_totals(path)  # Decimal equality: exact, so equal to the cent
    assert sum(c for _, _, c in got.values()) == cost  # SOURCES.md's plain sum of `cost`


@pytest.mark.fast
@pytest.mark.parametrize("relative", list(SAMPLES), ids=SAMPLE_IDS)
def test_sample_is_detected_as_gcp_only(relative: str) -> None:
    path = shared_file(relative)
    assert open_export(path).format == f"{FORMAT} CSV"
    _, header = sniff(path)
    # FOCUS, tried last, accepts any header with a FOCUS column (sku.id reads as SkuId).
    claimed = [name for name, fmt in FORMATS.items() if name != "focus" and fmt.matches(header)]
    assert claimed == ["gcp"]


@pytest.mark.fast
def test_no_other_sample_is_taken_for_gcp() -> None:
    others = [
        p
        for p in sorted(SHARED_DATA.rglob("*"))
        if p.suffix in (".csv", ".parquet", ".gz") and "gcp" not in p.parent.name
    ]
    assert any("focus_sample" in p.name for p in others)
    assert len(others) > 40
    taken = [p.name for p in others if GcpBilling().matches(sniff(p)[1])]
    assert taken == []


def test_header_only_export_loads_as_zero_rows(empty_db: sa.Engine, tmp_path: Path) -> None:
    header = shared_file(DETAILED).read_text().splitlines()[0]
    path = tmp_path / "empty.csv"
    path.write_text(header + "\n")
    result = load_file(empty_db, path, source="gcp")
    assert result.status == "loaded", result.error
    assert result.summary is not None and result.summary.row_count == 0
    assert gold_totals(empty_db) == {}


def test_identity_columns_are_filled(empty_db: sa.Engine) -> None:
    load_file(empty_db, shared_file(DETAILED), source="gcp")
    rows = all_rows(
        empty_db,
        "SELECT DISTINCT provider_name, publisher_name, billing_account_id, billing_account_type, "
        "sub_account_id, sub_account_name, sub_account_type, service_name, service_category, "
        "region_id, region_name, resource_id, resource_name, billing_currency, charge_category "
        "FROM bronze.focus_cost",
    )
    assert rows == [
        (
            "Google Cloud", "Google Cloud", "018984-D0AAA4-940B88", "Billing Account",
            "cloud-billing-292519", "cm_example", "Project", "Compute Engine", "Compute",
            "us-central1", "Iowa", "//example", "instance-1", "USD", "Usage",
        )
    ]  # fmt: skip


def test_sample_labels_become_tags(empty_db: sa.Engine) -> None:
    load_file(empty_db, shared_file(STANDARD), source="gcp")
    tags = all_rows(
        empty_db,
        "SELECT DISTINCT tags::text FROM bronze.focus_cost WHERE service_name = :service",
        service="Stackdriver Logging",
    )
    assert sorted(t for (t,) in tags) == [
        '{"goog-resource-type": "bigquery_dataset"}',
        '{"goog-resource-type": "bigquery_project"}',
        '{"goog-resource-type": "bigquery_resource"}',
    ]
    untagged = "SELECT count(*) FROM bronze.focus_cost WHERE tags IS NULL"
    assert scalar(empty_db, untagged) == 15  # '[]' labels: no Tags


# --- the written fixture: credits arithmetic, tax, commitments, tags -------------------------


def test_credits_tax_and_adjustments(empty_db: sa.Engine, tmp_path: Path) -> None:
    path = write_export(tmp_path / "fixture.csv", FIXTURE)
    result = load_file(empty_db, path, source="gcp")
    assert result.status == "loaded", result.error
    rows = all_rows(
        empty_db,
        "SELECT charge_category, billed_cost, effective_cost, contracted_cost, list_cost, "
        "charge_class, charge_frequency, pricing_category FROM bronze.focus_cost "
        "WHERE billing_period_start = :period",
        period="2024-05-01",
    )
    assert sorted(rows, key=str) == sorted(
        [
            ("Usage", Decimal("8.25"), Decimal("8.25"), Decimal("10.00"), Decimal("12.50"), None,
             "Usage-Based", "Committed"),
            ("Purchase", Decimal("3.10"), Decimal("3.10"), Decimal("3.10"), None, None,
             "Recurring", "Committed"),
            ("Tax", Decimal("0.83"), Decimal("0.83"), Decimal("0.83"), None, None, None, None),
            ("Adjustment", Decimal("-2"), Decimal("-2"), Decimal("-2"), None, "Correction",
             None, None),
            ("Adjustment", Decimal("0.004"), Decimal("0.004"), Decimal("0.004"), None, None,
             None, None),
        ],
        key=str,
    )  # fmt: skip
    # The late-May usage belongs to the invoice month; the December row to December.
    assert gold_totals(empty_db) == {
        ("Google Cloud", date(2024, 5, 1)): (
            Decimal("10.184"),
            Decimal("10.184"),
            Decimal("11.934"),
        ),
        ("Google Cloud", date(2024, 12, 1)): (Decimal("1.000"), Decimal("1.000"), Decimal("1.005")),
    }
    assert gold_totals(empty_db) == reference_totals(path)


def test_fixture_columns(empty_db: sa.Engine, tmp_path: Path) -> None:
    load_file(empty_db, write_export(tmp_path / "fixture.csv", FIXTURE), source="gcp")
    (usage,) = all_rows(
        empty_db,
        "SELECT tags, commitment_discount_category, commitment_discount_name, "
        "commitment_discount_type, consumed_quantity, consumed_unit, pricing_quantity, "
        "pricing_unit, resource_id, resource_type, availability_zone, charge_period_start, "
        "billing_currency FROM bronze.focus_cost "
        "WHERE charge_category = :category AND billing_period_start = :period",
        category="Usage",
        period="2024-05-01",
    )
    # Project labels are inherited; the resource's own labels win (env); system labels stay out.
    assert usage[0] == {"team": "shop", "env": "canary", "App": "Cart"}
    assert usage[1:4] == ("Usage", CUD, "Committed Use Discount")
    assert usage[4:8] == (Decimal("3600"), "seconds", Decimal("1"), "hour")
    assert usage[8:11] == (_VM, "compute.instances", "us-central1-a")
    assert usage[11].isoformat() == "2024-05-31T23:00:00+00:00"
    assert usage[12] == "EUR"
    (tax,) = all_rows(
        empty_db,
        "SELECT sub_account_id, tags, consumed_quantity, billing_account_id "
        "FROM bronze.focus_cost WHERE charge_category = :category",
        category="Tax",
    )
    assert tax == (None, None, None, "0A0A0A-1B1B1B-2C2C2C")
    (december,) = all_rows(
        empty_db,
        "SELECT billing_period_start, billing_period_end FROM bronze.focus_cost "
        "WHERE billed_cost = :cost",
        cost=Decimal("1.000"),
    )
    assert [d.isoformat() for d in december] == [
        "2024-12-01T00:00:00+00:00",
        "2025-01-01T00:00:00+00:00",
    ]


def test_underscored_headers_and_parquet_read_alike(empty_db: sa.Engine, tmp_path: Path) -> None:
    """BigQuery flattening may write service_description; Parquet brings typed values."""
    underscored = [h.replace(".", "_") for h in HEADER]
    rows = [{k.replace(".", "_"): v for k, v in r.items()} for r in FIXTURE]
    csv_path = write_export(tmp_path / "underscored.csv", rows, underscored)
    parquet_path = tmp_path / "typed.parquet"
    pq.write_table(pa_csv.read_csv(write_export(tmp_path / "f.csv", FIXTURE)), parquet_path)
    assert pa.types.is_floating(pq.read_schema(parquet_path).field("cost").type)
    expected = reference_totals(write_export(tmp_path / "ref.csv", FIXTURE))
    for path in (csv_path, parquet_path):
        result = load_file(empty_db, path, source=path.stem)
        assert result.status == "loaded", result.error
        assert result.format is not None and result.format.startswith(FORMAT)
        assert source_totals(empty_db, path.stem) == expected


def source_totals(engine: sa.Engine, source: str) -> Totals:
    """Totals of one source straight from silver (gold mixes every loaded source)."""
    query = sa.text(
        "SELECT provider, billing_period, sum(billed_cost), sum(effective_cost), "
        "sum(contracted_cost) FROM silver.focus_cost WHERE x_source = :s GROUP BY 1, 2"
    )
    with engine.connect() as conn:
        return {(p, d): (b, e, c) for p, d, b, e, c in conn.execute(query, {"s": source})}


def test_nested_parquet_credits_and_labels(empty_db: sa.Engine, tmp_path: Path) -> None:
    label = pa.struct([("key", pa.string()), ("value", pa.string())])
    credit = pa.struct([("name", pa.string()), ("amount", pa.float64()), ("type", pa.string())])
    table = pa.table(
        {
            "billing_account_id": ["A"],
            "service.description": ["Cloud Storage"],
            "usage_start_time": pa.array([1717200000], pa.timestamp("s", "UTC")),  # 2024-06-01
            "project.id": ["p"],
            "labels": pa.array([[{"key": "team", "value": "data"}]], pa.list_(label)),
            "cost": [0.3],
            "currency": ["USD"],
            "credits": pa.array(
                [[{"name": "FreeTier", "amount": -0.1, "type": "FREE_TIER"}]], pa.list_(credit)
            ),
            "invoice.month": [202406],
        }
    )
    path = tmp_path / "nested.parquet"
    pq.write_table(table, path)
    result = load_file(empty_db, path, source="gcp")
    assert result.status == "loaded", result.error
    assert all_rows(
        empty_db, "SELECT billed_cost, service_category, tags FROM bronze.focus_cost"
    ) == [(Decimal("0.2"), "Storage", {"team": "data"})]


# --- wrong files -----------------------------------------------------------------------------

WRONG = {
    "bad-date": (
        lambda src, dst: with_cell(src, dst, 3, "usage_start_time", "2020-13-45 25:00:00+00:00"),
        "row 3, column usage_start_time: '2020-13-45 25:00:00+00:00' is not a date/time",
    ),
    "bad-invoice-month": (
        lambda src, dst: with_cell(src, dst, 2, "invoice.month", "2020-11"),
        "row 2, column invoice.month: '2020-11' is not an invoice month (YYYYMM)",
    ),
    "bad-cost": (
        lambda src, dst: with_cell(src, dst, 4, "cost", "1,2,3"),
        "row 4, column cost: '1,2,3' is not a number",
    ),
    "bad-credits": (
        lambda src, dst: with_cell(src, dst, 5, "credits", "[{'amount': -5e-06"),
        "row 5, column credits: ",
    ),
    "bad-credit-amount": (
        lambda src, dst: with_cell(src, dst, 6, "credits", '[{"amount": "lots"}]'),
        "row 6, column credits: credit amount 'lots'",
    ),
    "bad-labels": (
        lambda src, dst: with_cell(src, dst, 7, "labels", "{'key': "),
        "row 7, column labels: ",
    ),
    "missing-cost": (
        lambda src, dst: dst.write_text(
            src.read_text().replace(",cost,", ",costs,", 1), encoding="utf-8"
        ),
        "column cost: required GCP billing export column is missing",
    ),
}


@pytest.mark.parametrize("case", list(WRONG), ids=list(WRONG))
def test_wrong_file_names_format_file_row_and_column(
    empty_db: sa.Engine, tmp_path: Path, case: str
) -> None:
    good = shared_file(STANDARD)
    assert load_file(empty_db, good, source="gcp").status == "loaded"
    before = gold_totals(empty_db)
    count = scalar(empty_db, BRONZE_ROWS)

    bad = tmp_path / "bad export.csv"
    make, message = WRONG[case]
    make(good, bad)
    result = load_file(empty_db, bad, source="gcp")

    assert result.status == "failed" and result.bad_input
    assert result.error is not None
    assert result.error.startswith(f"bad export.csv ({FORMAT}), {message}"), result.error
    assert gold_totals(empty_db) == before
    assert scalar(empty_db, BRONZE_ROWS) == count


def test_error_row_counts_across_batches(empty_db: sa.Engine, tmp_path: Path) -> None:
    """Rows are numbered through the whole file, not per batch."""
    rows = [gcp_row() for _ in range(400)]
    rows[350]["credits"] = "[oops"
    path = write_export(tmp_path / "big.csv", rows)
    result = load_file(empty_db, path, source="gcp", batch_bytes=16 * 1024)
    assert result.error is not None
    assert result.error.startswith(f"big.csv ({FORMAT}), row 351, column credits: ")


def test_billing_period_falls_back_to_the_charge_month(empty_db: sa.Engine, tmp_path: Path) -> None:
    """Exports older than invoice.month, or a row without one: the UTC month of usage."""
    header = [h for h in HEADER if h != "invoice.month"]
    rows = [gcp_row(usage_start_time="2024-07-31T23:30:00Z", cost="4")]
    assert load_file(empty_db, write_export(tmp_path / "old.csv", rows, header)).status == "loaded"
    blank = [gcp_row(**{"invoice.month": "", "usage_start_time": "2024-08-02 10:00:00+00:00"})]
    assert load_file(empty_db, write_export(tmp_path / "blank.csv", blank)).status == "loaded"
    periods = all_rows(
        empty_db,
        "SELECT billing_period_start, billing_period_end, billed_cost FROM bronze.focus_cost",
    )
    assert sorted((s.date(), e.date(), c) for s, e, c in periods) == [
        (date(2024, 7, 1), date(2024, 8, 1), Decimal("4")),
        (date(2024, 8, 1), date(2024, 9, 1), Decimal("10.00")),
    ]
