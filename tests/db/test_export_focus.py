"""`export-focus` on real Postgres: the export sums to gold, loads back to the same gold, passes
check-focus, honours its filters and streams."""

from __future__ import annotations

import csv
import gzip
import json
import re
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from db import load
from focus.columns import COLUMNS
from ingestion.__main__ import main
from ingestion.conformance.checker import check_file
from ingestion.conformance.report import CheckReport
from ingestion.focus_export import export_focus
from ingestion.formats import open_export
from ingestion.loader import load_file
from tests.conftest import SHARED_DATA, TEST_DATA, TRUNCATE_ALL, shared_file
from tests.ingestion.test_focus_check import focus_row, write_focus

FOCUS_FILES = sorted(
    str(p.relative_to(SHARED_DATA))
    for folder in ("focus-sample-data", "focus-spec")
    for p in (SHARED_DATA / folder).rglob("*.csv")
)
SUFFIXES = [".csv", ".csv.gz", ".parquet"]


def gold(engine: sa.Engine) -> list[tuple]:
    """Every gold row, every column: the whole of what the pages can show."""
    with engine.connect() as conn:
        return sorted(
            conn.execute(sa.text("SELECT * FROM gold.daily_cost")).all(), key=lambda r: str(r)
        )


def gold_totals(engine: sa.Engine) -> dict[tuple[str, date], tuple[Decimal, Decimal]]:
    query = sa.text(
        "SELECT coalesce(provider, '(unknown)'), billing_period_start, sum(billed_cost), "
        "sum(effective_cost) FROM gold.daily_cost GROUP BY 1, 2"
    )
    with engine.connect() as conn:
        return {(p, d): (b, e) for p, d, b, e in conn.execute(query)}


def file_totals(path: Path) -> dict[tuple[str, date], tuple[Decimal, Decimal]]:
    """The export's own sums per provider x billing period, read with csv/pyarrow and Decimal."""
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    else:
        with _open_text(path) as f:
            rows = list(csv.DictReader(f))
    totals: dict = defaultdict(lambda: (Decimal(0), Decimal(0)))
    for r in rows:
        key = (
            r["ProviderName"] or "(unknown)",
            date.fromisoformat(str(r["BillingPeriodStart"])[:10]),
        )
        billed, effective = totals[key]
        totals[key] = (
            billed + Decimal(str(r["BilledCost"] or 0)),
            effective + Decimal(str(r["EffectiveCost"] or 0)),
        )
    return dict(totals)


def _open_text(path: Path) -> TextIO:
    return (
        gzip.open(path, "rt", newline="") if path.name.endswith(".gz") else open(path, newline="")
    )


def reload(engine: sa.Engine, path: Path) -> None:
    """Empty the database, then load the export as a new source."""
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    result = load_file(engine, path, source="roundtrip")
    assert result.status == "loaded", result.error


def valid_rows() -> list[dict[str, str]]:
    return [
        focus_row("2024-09-01", "10.123456789"),
        focus_row("2024-09-02", "-2.5", ChargeCategory="Credit", Tags=""),
        focus_row("2024-09-03", "0.0000000000000000000001", BillingCurrency="EUR"),
        focus_row("2024-10-01", "7", ProviderName="Microsoft", ChargeDescription='a, "b"\nc'),
        focus_row(
            "2024-10-02",
            "100",
            ChargeCategory="Purchase",
            ChargeFrequency="One-Time",
            EffectiveCost="0",
            ChargePeriodEnd="2025-10-02T00:00:00Z",
        ),
    ]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_valid_data_round_trips_and_passes_check(
    empty_db: sa.Engine, tmp_path: Path, suffix: str
) -> None:
    assert load_file(empty_db, write_focus(tmp_path / "in.csv", valid_rows())).status == "loaded"
    before = gold(empty_db)
    out = tmp_path / f"export{suffix}"

    result = export_focus(empty_db, out)

    assert result.rows == 5 and out.exists()
    report = check_file(out)
    assert report.ok and report.findings == {}, report.lines()
    assert report.version == "1.2"
    assert file_totals(out) == gold_totals(empty_db)
    reload(empty_db, out)
    assert gold(empty_db) == before


def test_exported_values_are_exact(empty_db: sa.Engine, tmp_path: Path) -> None:
    load_file(empty_db, write_focus(tmp_path / "in.csv", valid_rows()))
    export_focus(empty_db, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", newline="") as f:
        by_day = {r["ChargePeriodStart"][:10]: r for r in csv.DictReader(f)}
    first = by_day["2024-09-01"]
    assert first["BilledCost"] == "10.123456789"
    assert first["BillingPeriodStart"] == "2024-09-01T00:00:00Z"
    assert first["Tags"] in ('{"env": "prod", "team": "web"}', '{"team": "web", "env": "prod"}')
    assert by_day["2024-09-02"]["Tags"] == "" and by_day["2024-09-02"]["ChargeClass"] == ""
    assert by_day["2024-10-01"]["ChargeDescription"] == 'a, "b"\nc'
    table = pq.read_table(export_focus(empty_db, tmp_path / "out.parquet").path).to_pylist()
    tiny = next(r for r in table if r["BillingCurrency"] == "EUR")
    assert tiny["BilledCost"] == Decimal("1E-22")
    schema = pq.read_schema(tmp_path / "out.parquet")
    assert str(schema.field("BilledCost").type) == "decimal128(38, 22)"
    assert str(schema.field("ChargePeriodStart").type) == "timestamp[us, tz=UTC]"


def test_optional_columns_without_values_are_left_out(empty_db: sa.Engine, tmp_path: Path) -> None:
    rows = [{k: v for k, v in focus_row().items() if k not in ("Tags", "RegionName")}]
    load_file(empty_db, write_focus(tmp_path / "in.csv", rows))
    header = pq.read_schema(export_focus(empty_db, tmp_path / "o.parquet").path).names
    assert "Tags" not in header and "RegionName" not in header and "AvailabilityZone" not in header
    assert "ChargeClass" in header  # mandatory, though null in every row


def test_filters_by_source_and_period(empty_db: sa.Engine, tmp_path: Path) -> None:
    load_file(empty_db, write_focus(tmp_path / "a.csv", valid_rows()), source="a")
    load_file(empty_db, write_focus(tmp_path / "b.csv", [focus_row("2024-09-09")]), source="b")
    assert export_focus(empty_db, tmp_path / "all.csv").rows == 6
    assert export_focus(empty_db, tmp_path / "a.csv.gz", source="a").rows == 5
    sept = export_focus(empty_db, tmp_path / "s.csv", source="a", period=date(2024, 9, 1))
    assert sept.rows == 3
    assert export_focus(empty_db, tmp_path / "none.csv", source="zzz").rows == 0


def test_actual_and_amortized_export_as_silver_counts_them(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    """Azure-style pair for one source and period: the invoice (actual) fills BilledCost, the
    amortized view fills EffectiveCost; the export carries each exactly once."""
    actual = [focus_row("2024-09-01", "100", ChargeCategory="Purchase", ChargeFrequency="One-Time")]
    actual.append(focus_row("2024-09-02", "3"))
    amortized = [focus_row("2024-09-01", "8.33"), focus_row("2024-09-02", "3")]
    for dataset, rows in (("actual", actual), ("amortized", amortized)):
        export = open_export(write_focus(tmp_path / f"{dataset}.csv", rows))
        load_id = load.start_log(
            empty_db,
            source="azure",
            file_path="x",
            file_name="x",
            file_bytes=1,
            checksum=dataset,
            format="FOCUS CSV",
        )
        part = load.PartLoad(load_id, dataset, export.batches)
        load.write_delivery(
            empty_db,
            source="azure",
            mode="replace_period",
            parts=[part],
            started=time.perf_counter(),
        )
    expected = {("AWS", date(2024, 9, 1)): (Decimal("103"), Decimal("11.33"))}
    assert gold_totals(empty_db) == expected
    before = gold(empty_db)

    out = export_focus(empty_db, tmp_path / "out.parquet").path

    assert file_totals(out) == expected
    reload(empty_db, out)
    assert gold(empty_db) == before


def test_parquet_is_written_in_batches(empty_db: sa.Engine, tmp_path: Path) -> None:
    rows = [focus_row(f"2024-09-{d:02d}", f"{d}.01") for d in range(1, 29)] * 20
    load_file(empty_db, write_focus(tmp_path / "in.csv", rows))
    out = export_focus(empty_db, tmp_path / "o.parquet", block_bytes=8 * 1024).path
    meta = pq.ParquetFile(out).metadata
    assert meta.num_rows == 560 and meta.num_row_groups > 5


def _round_trip(engine: sa.Engine, source: Path, out: Path) -> CheckReport:
    """Load, export, reload: the export sums to gold and gives back the same gold; its report."""
    assert load_file(engine, source, source="sample").status == "loaded"
    before = gold(engine)
    export_focus(engine, out)
    assert file_totals(out) == gold_totals(engine)
    report = check_file(out)
    reload(engine, out)
    assert gold(engine) == before
    return report


FOCUS_CASES = [(f, SUFFIXES[i % len(SUFFIXES)]) for i, f in enumerate(FOCUS_FILES)]


@pytest.mark.parametrize(
    ("relative", "suffix"), FOCUS_CASES, ids=[Path(f).stem[:40] + s for f, s in FOCUS_CASES]
)
def test_every_focus_sample_round_trips_and_export_adds_no_violation(
    empty_db: sa.Engine, tmp_path: Path, relative: str, suffix: str
) -> None:
    """A file that breaks rules itself may keep those breaks in its export, never gain one in a
    column the source had clean (a column it lacked comes back empty: that is its own break)."""
    source = shared_file(relative)
    report = _round_trip(empty_db, source, tmp_path / f"export{suffix}")
    original = check_file(source)
    involved = {c for f in original.findings.values() for c in f.rule.columns}
    known = involved | {c.name for c in COLUMNS} - set(_focus_columns(source))
    assert [f.rule.id for f in report.errors if not set(f.rule.columns) & known] == []


# Converted native samples (lead: add each with the rules its converter cannot meet, and list
# those rules with the reason in the README).
# Each converted sample with the FOCUS rules its export still breaks, because the native
# export lacks the data (README: "what a converted format cannot meet"). The workshop CUR
# (334,911 rows) is left out for time; it breaks ContractedCost.not_null,
# InvoiceIssuerName.not_null and PricingUnit.not_null / null_with like the other CURs. The
# OCI usage report holds no money, and usage-only rows are not exported, by design.
NATIVE_SAMPLES: dict[str, set[str]] = {
    "koku/aws/2022-07-01-alt-columns.csv": {"ContractedCost.not_null"},
    "koku/aws/2023-06-01-not-final.csv": {"ContractedCost.not_null", "InvoiceIssuerName.not_null"},
    "koku/aws/2023-06-01.csv": {"ContractedCost.not_null", "InvoiceIssuerName.not_null"},
    "koku/aws/test_cur.csv": {
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "PublisherName.not_null",
    },
    "koku/aws/test_cur.csv.gz": {
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "PublisherName.not_null",
    },
    "koku/aws-local-bucket/koku-local-1.csv.gz": {
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "PublisherName.not_null",
    },
    "koku/azure/azure_camelCased.csv": {
        "BillingAccountId.not_null",
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
        "PricingUnit.not_null",
        "PricingUnit.null_with",
        "PublisherName.not_null",
    },
    "koku/azure/azure_version_2.csv": {
        "BillingCurrency.currency",
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
        "PublisherName.not_null",
    },
    "koku/azure/camel_azure_version_2.csv": {"InvoiceIssuerName.not_null"},
    "koku/azure/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv": {
        "BillingAccountId.not_null",
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
        "PricingUnit.not_null",
        "PricingUnit.null_with",
        "PublisherName.not_null",
    },
    "koku/gcp/202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08:2020-11-11.csv": {
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
    },
    "koku/gcp/2022-08-01_5.csv": {"InvoiceIssuerName.not_null", "ListCost.not_null"},
    "koku/oci/reports_cost-csv_0001000000603747.csv": {
        "BillingCurrency.not_null",
        "ContractedCost.not_null",
        "ListCost.not_null",
    },
    "focus-converters/aws/sample-anonymous-aws-export-dataset.csv": {
        "ContractedCost.not_null",
        "PricingQuantity.null",
    },
    "focus-converters/azure/sample-anonymous-ea-export-dataset.csv": {
        "InvoiceIssuerName.not_null",
        "PublisherName.not_null",
    },
    "focus-converters/oci/reports_cost-csv_0000000030000269.csv": {"ListCost.not_null"},
    "microsoft-finops-toolkit/EA_ActualCost_Small.csv": {
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
        "PublisherName.not_null",
    },
    "microsoft-finops-toolkit/EA_AmortizedCost_Small.csv": {
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
        "PublisherName.not_null",
    },
    "opencost-azure/Enterprise.csv": {"InvoiceIssuerName.not_null", "PublisherName.not_null"},
    "opencost-azure/German.csv": {
        "BillingAccountId.not_null",
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
        "PublisherName.not_null",
    },
    "opencost-azure/PayAsYouGo.csv": {
        "BillingAccountId.not_null",
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "ListCost.not_null",
        "PublisherName.not_null",
    },
    "opencost-azure/VirtualMachine.csv": {
        "BillingCurrency.not_null",
        "ContractedCost.not_null",
        "InvoiceIssuerName.not_null",
        "PricingQuantity.not_null",
        "PricingUnit.not_null",
        "PublisherName.not_null",
    },
    "opencost-azure/test_azure_billing.csv": {"InvoiceIssuerName.not_null"},
}


@pytest.mark.parametrize("relative", sorted(NATIVE_SAMPLES))
def test_every_converted_sample_round_trips_and_passes(
    empty_db: sa.Engine, tmp_path: Path, relative: str
) -> None:
    report = _round_trip(empty_db, shared_file(relative), tmp_path / "export.parquet")
    assert {f.rule.id for f in report.errors} <= NATIVE_SAMPLES[relative], report.lines()


def _focus_columns(path: Path) -> list[str]:
    """The FOCUS columns the loader read from the file (FOCUS files only, as here)."""
    return [c.name for c in open_export(path).fmt.columns.values()]


def test_cli(app_env: str, empty_db: sa.Engine, tmp_path: Path, capsys) -> None:
    load_file(empty_db, write_focus(tmp_path / "in.csv", valid_rows()), source="mine")
    out = tmp_path / "cli.csv.gz"
    assert main(["export-focus", "--out", str(out), "--source", "mine", "--period", "2024-10"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"exported 2 rows to {out} [FOCUS 1.2 CSV (gzip)], ")
    assert main(["check-focus", str(out)]) == 0

    assert main(["export-focus", "--out", str(tmp_path / "x.json")]) == 2
    assert "x.json: cannot tell the file type" in capsys.readouterr().err
    assert main(["export-focus", "--out", str(tmp_path / "no" / "x.csv")]) == 2
    assert "x.csv: no such folder" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial file
    with pytest.raises(SystemExit) as exited:
        main(["export-focus", "--out", str(out), "--period", "September"])
    assert exited.value.code == 2


# --- the FOCUS 1.2 specification's own column rules, written out here as literals -------------
# Independent of the project's checker (ingestion/conformance/) and column catalogue: a rule
# both get wrong the same way fails here. Spec: https://focus.finops.org/focus-specification/v1-2/

FOCUS_1_2_COLUMNS = {
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName",
    "BillingAccountType", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
    "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountQuantity", "CommitmentDiscountStatus", "CommitmentDiscountType",
    "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit", "ContractedCost",
    "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity",
    "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
    "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory",
    "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId", "SubAccountName",
    "SubAccountType", "Tags",
}  # fmt: skip
# Mandatory columns: present in every FOCUS dataset, under exactly these names.
MANDATORY = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
    "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory",
    "ServiceName",
)  # fmt: skip
NOT_NULL = (
    "BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
    "ChargeCategory", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
    "InvoiceIssuerName", "ListCost", "ProviderName", "PublisherName", "ServiceCategory",
    "ServiceName",
)  # fmt: skip
DECIMALS = (
    "BilledCost", "ContractedCost", "EffectiveCost", "ListCost", "PricingQuantity",
    "ConsumedQuantity", "ContractedUnitPrice", "ListUnitPrice", "CommitmentDiscountQuantity",
)  # fmt: skip
DATETIMES = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
ALLOWED = {
    "ChargeCategory": {"Usage", "Purchase", "Tax", "Credit", "Adjustment"},
    "ChargeClass": {"Correction"},
    "ChargeFrequency": {"One-Time", "Recurring", "Usage-Based"},
    "CommitmentDiscountCategory": {"Spend", "Usage"},
    "CommitmentDiscountStatus": {"Used", "Unused"},
    "PricingCategory": {"Standard", "Dynamic", "Committed", "Other"},
    "ServiceCategory": {
        "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
        "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
        "Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security",
        "Storage", "Web", "Other",
    },
}  # fmt: skip
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")  # no symbols, no thousands separators
CURRENCY = re.compile(r"[A-Z]{3}")  # ISO 4217 alphabetic code
UTC_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")  # ISO 8601, in UTC
# Each period's start is inclusive, its end exclusive: the start comes first.
PERIODS = (("ChargePeriodStart", "ChargePeriodEnd"), ("BillingPeriodStart", "BillingPeriodEnd"))


def _text(value: object) -> str:
    """A Parquet value as the CSV export writes it; None (null) as the empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def read_export(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return table.column_names, [{k: _text(v) for k, v in r.items()} for r in table.to_pylist()]
    with _open_text(path) as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def spec_violations(header: list[str], rows: list[dict[str, str]]) -> list[str]:
    """Every break of the rules above, as `column: what` (one per column and rule)."""
    found: set[str] = set()
    found |= {f"{c}: mandatory column missing" for c in MANDATORY if c not in header}
    foreign = [c for c in header if c not in FOCUS_1_2_COLUMNS and not c.startswith("x_")]
    found |= {f"{c}: not a FOCUS 1.2 column nor x_" for c in foreign}
    if len(set(header)) != len(header):
        found.add("header: a column twice")
    for r in rows:
        found |= {f"{c}: null" for c in NOT_NULL if c in r and r[c] == ""}
        found |= {f"{c}: not a number" for c in DECIMALS if r.get(c) and not NUMBER.fullmatch(r[c])}
        found |= {
            f"{c}: not ISO 8601 UTC"
            for c in DATETIMES
            if r.get(c) and not UTC_DATETIME.fullmatch(r[c])
        }
        found |= {
            f"{c}: value not allowed" for c, ok in ALLOWED.items() if r.get(c, "") not in ok | {""}
        }
        if r.get("BillingCurrency") and not CURRENCY.fullmatch(r["BillingCurrency"]):
            found.add("BillingCurrency: not a 3-letter code")
        for start, end in PERIODS:
            if r.get(start) and r.get(end) and not r[start] < r[end]:
                found.add(f"{start}: not before {end}")
        if r.get("Tags") and not _key_value(r["Tags"]):
            found.add("Tags: not a JSON object")
    return sorted(found)


def _key_value(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and all(isinstance(k, str) for k in value)


def spec_type_violations(schema: pa.Schema) -> list[str]:
    """Parquet carries types: Decimal columns numeric, Date/Time columns UTC timestamps, the
    others strings (Tags and SkuPriceDetails, key-value, may also be maps)."""
    found = []
    for field in schema:
        t = field.type
        if field.name in DECIMALS:
            ok = pa.types.is_decimal(t) or pa.types.is_floating(t) or pa.types.is_integer(t)
        elif field.name in DATETIMES:
            ok = pa.types.is_timestamp(t) and t.tz in ("UTC", "+00:00")
        elif field.name in ("Tags", "SkuPriceDetails"):
            ok = pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_map(t)
        elif field.name in FOCUS_1_2_COLUMNS - {"CapacityReservationId"}:
            ok = pa.types.is_string(t) or pa.types.is_large_string(t)
        else:
            ok = True
        if not ok:
            found.append(f"{field.name}: type {t}")
    return found


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_export_meets_the_spec_column_rules(
    empty_db: sa.Engine, tmp_path: Path, suffix: str
) -> None:
    assert load_file(empty_db, write_focus(tmp_path / "in.csv", valid_rows())).status == "loaded"
    out = export_focus(empty_db, tmp_path / f"export{suffix}").path
    header, rows = read_export(out)
    assert len(rows) == 5
    assert spec_violations(header, rows) == []
    if suffix == ".parquet":
        assert spec_type_violations(pq.read_schema(out)) == []


def test_export_of_real_focus_data_meets_the_spec_column_rules(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    """The FOCUS sample's first 200 rows (tests/data), converted to FOCUS 1.2 on the way out."""
    assert load_file(empty_db, TEST_DATA / "focus_small.csv").status == "loaded"
    for suffix in (".csv", ".parquet"):
        out = export_focus(empty_db, tmp_path / f"export{suffix}").path
        header, rows = read_export(out)
        assert len(rows) == 200
        assert spec_violations(header, rows) == [], suffix
    assert spec_type_violations(pq.read_schema(out)) == []


SPEC_BREAKS = {
    "category-case": ({"ChargeCategory": "usage"}, "ChargeCategory: value not allowed"),
    "category-null": ({"ChargeCategory": ""}, "ChargeCategory: null"),
    "class": ({"ChargeClass": "Refund"}, "ChargeClass: value not allowed"),
    "frequency": ({"ChargeFrequency": "Monthly"}, "ChargeFrequency: value not allowed"),
    "service-category": (
        {"ServiceCategory": "Compute Engine"},
        "ServiceCategory: value not allowed",
    ),
    "currency-symbol": ({"BillingCurrency": "$"}, "BillingCurrency: not a 3-letter code"),
    "currency-lower": ({"BillingCurrency": "usd"}, "BillingCurrency: not a 3-letter code"),
    "billed-null": ({"BilledCost": ""}, "BilledCost: null"),
    "billed-separator": ({"BilledCost": "1,000.00"}, "BilledCost: not a number"),
    "billed-symbol": ({"BilledCost": "$5"}, "BilledCost: not a number"),
    "effective-null": ({"EffectiveCost": ""}, "EffectiveCost: null"),
    "provider-null": ({"ProviderName": ""}, "ProviderName: null"),
    "charge-end-first": (
        {"ChargePeriodEnd": "2024-08-31T23:00:00Z"},
        "ChargePeriodStart: not before ChargePeriodEnd",
    ),
    "charge-empty-period": (
        {"ChargePeriodEnd": "2024-09-01T00:00:00Z"},
        "ChargePeriodStart: not before ChargePeriodEnd",
    ),
    "billing-end-first": (
        {"BillingPeriodEnd": "2024-08-01T00:00:00Z"},
        "BillingPeriodStart: not before BillingPeriodEnd",
    ),
    "datetime-space": (
        {"ChargePeriodStart": "2024-09-01 00:00:00"},
        "ChargePeriodStart: not ISO 8601 UTC",
    ),
    "datetime-offset": (
        {"BillingPeriodStart": "2024-09-01T00:00:00+02:00"},
        "BillingPeriodStart: not ISO 8601 UTC",
    ),
    "tags-not-json": ({"Tags": "team=web"}, "Tags: not a JSON object"),
    "tags-list": ({"Tags": '["web"]'}, "Tags: not a JSON object"),
}


@pytest.mark.fast
@pytest.mark.parametrize(("change", "expected"), SPEC_BREAKS.values(), ids=list(SPEC_BREAKS))
def test_each_spec_rule_catches_its_break(change: dict[str, str], expected: str) -> None:
    """The rules above can fail: a valid row passes them, the same row with one break fails
    with exactly that break."""
    good = focus_row()
    assert spec_violations(list(good), [good]) == []
    assert spec_violations(list(good), [{**good, **change}]) == [expected]


@pytest.mark.fast
def test_spec_column_names_are_exact() -> None:
    good = focus_row()
    renamed = {("billedCost" if k == "BilledCost" else k): v for k, v in good.items()}
    assert spec_violations(list(renamed), [renamed]) == [
        "BilledCost: mandatory column missing",
        "billedCost: not a FOCUS 1.2 column nor x_",
    ]
    extra = {**good, "Team": "web", "x_Team": "web"}
    assert spec_violations(list(extra), [extra]) == ["Team: not a FOCUS 1.2 column nor x_"]
