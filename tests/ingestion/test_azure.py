"""Azure cost exports against real Postgres: every shared sample reconciles with gold to the cent,
an actual and an amortized export of one bill never double count, and broken files fail whole."""

from __future__ import annotations

import csv
import gzip
import re
import shutil
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from ingestion.formats import FORMATS, open_export
from ingestion.formats.azure import AzureCost
from ingestion.formats.export_file import sniff
from ingestion.loader import load_file
from tests.conftest import SHARED_DATA, shared_file
from tests.sql import all_rows, gold_totals, scalar

ACTUAL = "microsoft-finops-toolkit/EA_ActualCost_Small.csv"
AMORTIZED = "microsoft-finops-toolkit/EA_AmortizedCost_Small.csv"
# Sample -> its cost total as SOURCES.md states it (rounded there to a few significant digits).
SAMPLES = {
    ACTUAL: "8.54501",
    AMORTIZED: "16.2969",
    "focus-converters/azure/sample-anonymous-ea-export-dataset.csv": "1.26137",
    "koku/azure/azure_camelCased.csv": "0.00011016",
    "koku/azure/azure_version_2.csv": "19.9984",
    "koku/azure/camel_azure_version_2.csv": "2.6e-05",
    "koku/azure/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv": "0.00011",
    "opencost-azure/Enterprise.csv": "0",
    "opencost-azure/German.csv": "0.075",
    "opencost-azure/PayAsYouGo.csv": "0.075",
    "opencost-azure/VirtualMachine.csv": "4",
    "opencost-azure/test_azure_billing.csv": "42.676",
}
HEADER_ONLY = ["microsoft-finops-toolkit/EA_NoRows.csv", "koku/azure/empty_frame.csv"]
LEGACY = {
    "koku/azure/azure_camelCased.csv",
    "koku/azure/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv",
    "opencost-azure/German.csv",
    "opencost-azure/PayAsYouGo.csv",
}


def _ids(paths: list[str]) -> list[str]:
    return [Path(p).stem[:32] for p in paths]


# --- an independent reading of the native files: csv + Decimal, nothing from the module -------


def _native_key(name: str) -> str:
    english = re.search(r"\(([^()]+)\)\s*$", name)  # German.csv: "Kosten (PreTaxCost)" style
    return re.sub(r"[^a-z0-9]", "", (english.group(1) if english else name).lower())


def _native_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{_native_key(k): v for k, v in r.items()} for r in csv.DictReader(f)]


def _first_of_month(text: str) -> date:
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt).date().replace(day=1)
        except ValueError:
            continue
    raise ValueError(text)


def reference_totals(path: Path) -> dict[tuple[str, date], Decimal]:
    """Cost per billing period: the cost column summed, the period stated or the charge month."""
    totals: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    for r in _native_rows(path):
        cost = next(r[k] for k in ("costinbillingcurrency", "cost", "pretaxcost") if k in r)
        period = r.get("billingperiodstartdate") or r.get("date") or r["usagedatetime"]
        totals[("Microsoft", _first_of_month(period))] += Decimal(cost or "0")
    return dict(totals)


BRONZE_ROWS = "SELECT count(*) FROM bronze.focus_cost"


def loaded(engine: sa.Engine, path: Path, **kwargs: object) -> None:
    result = load_file(engine, path, **kwargs)
    assert result.status == "loaded", result.error


# --- reconciliation ----------------------------------------------------------------------------


@pytest.mark.parametrize("relative", list(SAMPLES), ids=_ids(list(SAMPLES)))
def test_gold_reconciles_to_the_file(empty_db: sa.Engine, relative: str) -> None:
    path = shared_file(relative)
    loaded(empty_db, path, source="azure")
    expected = reference_totals(path)
    amortized = "Amortized" in path.name  # one view per file: amortized rows are never billed
    zero = {key: Decimal(0) for key in expected}
    assert gold_totals(empty_db, "billed_cost") == (zero if amortized else expected)
    assert gold_totals(empty_db, "effective_cost") == expected  # alone, each view is effective
    stated = Decimal(SAMPLES[relative])  # SOURCES.md, to the digits it shows
    gold = sum(gold_totals(empty_db, "effective_cost").values(), Decimal(0))
    assert gold.quantize(stated) == stated


def test_actual_and_amortized_exports_of_one_bill_never_double_count(empty_db: sa.Engine) -> None:
    actual, amortized = shared_file(ACTUAL), shared_file(AMORTIZED)
    actual_total = sum(reference_totals(actual).values(), Decimal(0))
    amortized_total = sum(reference_totals(amortized).values(), Decimal(0))

    loaded(empty_db, actual, source="ea")
    assert sum(gold_totals(empty_db, "billed_cost").values()) == actual_total
    assert sum(gold_totals(empty_db, "effective_cost").values()) == actual_total

    loaded(empty_db, amortized, source="ea")
    assert sum(gold_totals(empty_db, "billed_cost").values()) == actual_total
    assert sum(gold_totals(empty_db, "effective_cost").values()) == amortized_total

    before = (gold_totals(empty_db, "billed_cost"), gold_totals(empty_db, "effective_cost"))
    count = scalar(empty_db, BRONZE_ROWS)
    loaded(empty_db, actual, source="ea", force=True)  # the same actual file delivered again
    assert (gold_totals(empty_db, "billed_cost"), gold_totals(empty_db, "effective_cost")) == before
    assert scalar(empty_db, BRONZE_ROWS) == count
    assert round(actual_total, 2) == Decimal("8.55")
    assert round(amortized_total, 2) == Decimal("16.30")


def test_reloading_the_actual_export_changes_nothing(empty_db: sa.Engine) -> None:
    actual = shared_file(ACTUAL)
    loaded(empty_db, actual)
    before = (gold_totals(empty_db, "billed_cost"), gold_totals(empty_db, "effective_cost"))
    loaded(empty_db, actual, force=True)
    assert (gold_totals(empty_db, "billed_cost"), gold_totals(empty_db, "effective_cost")) == before
    assert scalar(empty_db, BRONZE_ROWS) == 11


def test_parquet_export_reconciles_like_its_csv(empty_db: sa.Engine, tmp_path: Path) -> None:
    table = pa_csv.read_csv(shared_file(ACTUAL))  # typed: Cost as double, dates as text
    pq.write_table(table, tmp_path / "EA_ActualCost.parquet")
    loaded(empty_db, tmp_path / "EA_ActualCost.parquet")
    expected = reference_totals(shared_file(ACTUAL))
    got = gold_totals(empty_db, "billed_cost")
    assert {k: round(v, 2) for k, v in got.items()} == {k: round(v, 2) for k, v in expected.items()}


# --- detection and datasets --------------------------------------------------------------------


def _others() -> list[str]:
    return sorted(
        str(p.relative_to(SHARED_DATA))
        for p in SHARED_DATA.rglob("*")
        if p.name.endswith((".csv", ".csv.gz", ".parquet"))
        and str(p.relative_to(SHARED_DATA)) not in {*SAMPLES, *HEADER_ONLY}
    )


@pytest.mark.fast
@pytest.mark.parametrize("relative", [*SAMPLES, *HEADER_ONLY], ids=_ids([*SAMPLES, *HEADER_ONLY]))
def test_each_azure_sample_is_detected_as_azure_only(relative: str) -> None:
    path = shared_file(relative)
    export = open_export(path)
    assert export.fmt.name.startswith("Azure")
    _, header = sniff(path)
    claimed = [key for key, fmt in FORMATS.items() if key != "focus" and fmt.matches(header)]
    assert claimed == ["azure"]
    legacy = export.fmt.name.startswith("Azure legacy usage details")
    assert legacy == (relative in LEGACY or relative == "koku/azure/empty_frame.csv")


@pytest.mark.fast
def test_no_other_sample_is_taken_for_azure() -> None:
    others = _others()
    assert "focus-sample-data/FOCUS-1.0/focus_sample.csv" in others
    stolen = [rel for rel in others if AzureCost().matches(sniff(SHARED_DATA / rel)[1])]
    assert stolen == []
    assert open_export(SHARED_DATA / "focus-sample-data/FOCUS-1.0/focus_sample.csv").fmt.name == (
        "FOCUS"
    )


@pytest.mark.fast
@pytest.mark.parametrize(
    ("relative", "renamed", "dataset"),
    [
        (AMORTIZED, "september.csv", "amortized"),  # its rows: reservation usage with a cost
        (ACTUAL, "september.csv", "actual"),  # its rows: a reservation purchase
        (
            "focus-converters/azure/sample-anonymous-ea-export-dataset.csv",
            "Export_AmortizedCost_2023.csv",
            "amortized",
        ),  # rows say nothing: the Cost Management export name decides
        ("focus-converters/azure/sample-anonymous-ea-export-dataset.csv", "sept.csv", "actual"),
        ("opencost-azure/PayAsYouGo.csv", "usage.csv", "actual"),
    ],
    ids=["amortized-rows", "actual-rows", "amortized-name", "default", "legacy"],
)
def test_dataset_from_rows_then_name_then_actual(
    tmp_path: Path, relative: str, renamed: str, dataset: str
) -> None:
    path = tmp_path / renamed
    shutil.copy(shared_file(relative), path)
    export = open_export(path)
    assert export.dataset == dataset
    assert export.fmt.name.endswith(f"({dataset})")


@pytest.mark.fast
def test_gzip_export_is_read_and_its_rows_decide_the_dataset(tmp_path: Path) -> None:
    path = tmp_path / "part_0.csv.gz"
    with gzip.open(path, "wb") as f:
        f.write(shared_file(AMORTIZED).read_bytes())
    export = open_export(path)
    assert (export.container, export.dataset) == ("CSV (gzip)", "amortized")
    assert sum(batch.data.num_rows for batch in export.batches()) == 28


# --- what lands in bronze ----------------------------------------------------------------------


@pytest.mark.parametrize("relative", HEADER_ONLY, ids=_ids(HEADER_ONLY))
def test_header_only_export_loads_as_zero_rows(empty_db: sa.Engine, relative: str) -> None:
    result = load_file(empty_db, shared_file(relative))
    assert result.status == "loaded", result.error
    assert result.summary is not None and result.summary.row_count == 0
    assert gold_totals(empty_db, "billed_cost") == {}


def test_tags_become_one_json_object(empty_db: sa.Engine) -> None:
    loaded(empty_db, shared_file(ACTUAL))  # tags without braces
    loaded(empty_db, shared_file("koku/azure/azure_camelCased.csv"))  # tags with braces
    by_resource = "SELECT tags FROM bronze.focus_cost WHERE resource_name = :name"
    (without_braces,) = all_rows(empty_db, by_resource, name="dbstoragewp6hglwvvrad2")[0]
    assert without_braces == {
        "CostCenter": "1234",
        "env": "prod",
        "org": "trey",
        "application": "databricks",
        "databricks-environment": "true",
    }
    with_braces = all_rows(
        empty_db,
        "SELECT DISTINCT tags FROM bronze.focus_cost WHERE resource_name = :name",
        name="test-vm-1",
    )
    assert with_braces == [({"project": "p1"},)]
    untagged = all_rows(
        empty_db, "SELECT tags FROM bronze.focus_cost WHERE charge_category = :c", c="Purchase"
    )
    assert untagged == [(None,)]


@pytest.mark.parametrize("relative", list(SAMPLES), ids=_ids(list(SAMPLES)))
def test_identity_columns_are_filled(empty_db: sa.Engine, relative: str) -> None:
    loaded(empty_db, shared_file(relative))
    got = all_rows(
        empty_db,
        "SELECT provider_name, billing_account_id, sub_account_id, sub_account_name,"
        " billing_currency, service_name, service_category, charge_category, charge_period_end"
        " FROM bronze.focus_cost",
    )
    assert got
    legacy = relative in LEGACY
    for provider, account, sub, sub_name, currency, service, category, charge, end in got:
        assert provider == "Microsoft"
        assert sub and service and category and charge and end
        if not legacy:
            assert account
        if not legacy and "VirtualMachine" not in relative:  # that subset has neither column
            assert sub_name
        if "VirtualMachine" not in relative:
            assert currency


def test_ea_actual_rows_in_focus_terms(empty_db: sa.Engine) -> None:
    loaded(empty_db, shared_file(ACTUAL))
    (purchase,) = all_rows(
        empty_db,
        "SELECT charge_category, charge_frequency, commitment_discount_type, billed_cost,"
        " list_cost, contracted_cost, consumed_quantity, region_id, billing_period_start,"
        " billing_period_end FROM bronze.focus_cost WHERE charge_category = :c",
        c="Purchase",
    )
    assert purchase[:3] == ("Purchase", "Recurring", "Reservation")
    assert purchase[3:7] == (Decimal("3.25"), None, Decimal("3.25"), None)  # PayGPrice 0: no list
    assert purchase[7] == "uksouth"
    assert [d.isoformat()[:10] for d in purchase[8:]] == ["2023-09-01", "2023-10-01"]
    (vm,) = all_rows(
        empty_db,
        "SELECT service_name, service_category, region_id, region_name, list_cost,"
        " contracted_cost, consumed_quantity, pricing_category FROM bronze.focus_cost"
        " WHERE region_id = :region",
        region="southcentralus",
    )
    assert vm == (
        "Virtual Machines",
        "Compute",
        "southcentralus",
        "South Central US",
        Decimal("2.64"),  # PayGPrice 0.11 x Quantity 24
        Decimal("2.64"),  # UnitPrice 0.11 x Quantity 24
        Decimal("24"),
        "Standard",
    )


def test_charge_types_map_to_focus_categories(empty_db: sa.Engine, tmp_path: Path) -> None:
    header = "SubscriptionId,MeterCategory,Date,CostInBillingCurrency,ChargeType,PricingModel,"
    header += "ResourceLocation,PayGPrice,Quantity\n"
    lines = [
        "s1,Virtual Machines,2024-05-01,1.00,Usage,OnDemand,East US 2,0.5,2",
        "s1,Virtual Machines,2024-05-01,2.00,Usage,Reservation,eastus2,0,2",
        "s1,Virtual Machines,2024-05-01,3.00,UnusedReservation,Reservation,eastus2,0,1",
        "s1,Virtual Machines,2024-05-02,4.00,Purchase,SavingsPlan,,0,1",
        "s1,Virtual Machines,2024-05-03,-5.00,Refund,OnDemand,US East 2,,",
        "s1,Virtual Machines,2024-05-04,0.60,Tax,,,,",
        "s1,Virtual Machines,2024-05-05,0.01,RoundingAdjustment,,,,",
    ]
    path = tmp_path / "charges.csv"
    path.write_text(header + "\n".join(lines) + "\n")
    loaded(empty_db, path)
    got = all_rows(
        empty_db,
        "SELECT billed_cost, charge_category, commitment_discount_status,"
        " commitment_discount_type, region_id, list_cost, consumed_quantity"
        " FROM bronze.focus_cost",
    )
    assert sorted(got) == sorted(
        [
            (Decimal("1.00"), "Usage", None, None, "eastus2", Decimal("1.0"), Decimal(2)),
            (Decimal("2.00"), "Usage", "Used", "Reservation", "eastus2", None, Decimal(2)),
            (Decimal("3.00"), "Usage", "Unused", "Reservation", "eastus2", None, None),
            (Decimal("4.00"), "Purchase", None, "Savings Plan", None, None, None),
            (Decimal("-5.00"), "Credit", None, None, "eastus2", None, None),
            (Decimal("0.60"), "Tax", None, None, None, None, None),
            (Decimal("0.01"), "Adjustment", None, None, None, None, None),
        ]
    )


# --- wrong files -------------------------------------------------------------------------------


def _cut_mid_last_line(source: Path, target: Path) -> Path:
    body = source.read_bytes().rstrip(b"\r\n")
    last = body.rfind(b"\n") + 1
    target.write_bytes(body[: last + (len(body) - last) // 2])
    return target


def _fails_leaving_gold_untouched(engine: sa.Engine, bad: Path) -> str:
    loaded(engine, shared_file("opencost-azure/test_azure_billing.csv"), source="azure")
    before = (gold_totals(engine, "billed_cost"), scalar(engine, BRONZE_ROWS))
    result = load_file(engine, bad, source="azure")
    assert result.status == "failed" and result.bad_input and result.error
    assert (gold_totals(engine, "billed_cost"), scalar(engine, BRONZE_ROWS)) == before
    return result.error


def test_file_cut_mid_row_fails_whole(empty_db: sa.Engine, tmp_path: Path) -> None:
    bad = _cut_mid_last_line(shared_file(ACTUAL), tmp_path / "EA_ActualCost_cut.csv")
    error = _fails_leaving_gold_untouched(empty_db, bad)
    assert error.startswith("EA_ActualCost_cut.csv (Azure cost details (actual))")
    assert "Expected 55 columns, got 31" in error


def test_file_cut_mid_row_names_the_row(empty_db: sa.Engine, tmp_path: Path) -> None:
    bad = _cut_mid_last_line(shared_file(ACTUAL), tmp_path / "EA_ActualCost_cut.csv")
    assert "row 11" in _fails_leaving_gold_untouched(empty_db, bad)


def _with_cell(source: Path, target: Path, row: int, column: str, value: str) -> Path:
    with open(source, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0])
    rows[row - 1][column] = value
    with open(target, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return target


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("Cost", "12,5 EUR", "is not a number"),
        ("Date", "2023-13-45", "is not a date/time"),
        ("BillingPeriodStartDate", "someday", "is not a date/time"),
        ("Tags", '"env": prod', "invalid input syntax for type json"),
    ],
    ids=["cost", "date", "billing-period", "tags"],
)
def test_bad_value_is_named_by_row_and_column(
    empty_db: sa.Engine, tmp_path: Path, column: str, value: str, reason: str
) -> None:
    bad = _with_cell(shared_file(ACTUAL), tmp_path / "EA_ActualCost_bad.csv", 3, column, value)
    error = _fails_leaving_gold_untouched(empty_db, bad)
    prefix = f"EA_ActualCost_bad.csv (Azure cost details (actual)), row 3, column {column}: "
    assert error.startswith(prefix), error
    assert reason in error


@pytest.mark.parametrize(
    ("header", "column"),
    [
        (
            "SubscriptionId,MeterCategory,Date,Quantity\ns,Storage,2024-01-01,1\n",
            "CostInBillingCurrency",
        ),
        ("SubscriptionGuid,MeterCategory,PreTaxCost\ns,Storage,1\n", "UsageDateTime"),
    ],
    ids=["no-cost", "no-date"],
)
def test_missing_required_column(
    empty_db: sa.Engine, tmp_path: Path, header: str, column: str
) -> None:
    bad = tmp_path / "azure.csv"
    bad.write_text(header)
    error = _fails_leaving_gold_untouched(empty_db, bad)
    assert error.startswith("azure.csv (Azure"), error
    assert f"column {column}: required Azure column is missing" in error
