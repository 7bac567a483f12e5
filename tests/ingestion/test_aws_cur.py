"""AWS CUR (legacy CSV, Athena Parquet, CUR 2.0) into gold, reconciled with the files' own sums.

The expected totals are computed here from the native columns with csv/pyarrow and Decimal,
applying the billed/amortized rule in the plainest way, independently of the module under test.
"""

from __future__ import annotations

import csv
import gzip
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from focus.columns import header_key
from ingestion.formats import open_export
from ingestion.formats.aws_cur import ATHENA, CUR2, LEGACY, AwsCur
from ingestion.formats.export_file import sniff
from ingestion.loader import load_file
from tests.conftest import SHARED_DATA, TRUNCATE_ALL, shared_file

WORKSHOP = [
    f"aws-wa-labs-workshop-cur/{m}2018-WorkshopCUR-00001.snappy.parquet"
    for m in ("Oct", "Nov", "Dec")
]
# relative path -> (format name, lineItem/UnblendedCost total as SOURCES.md prints it)
SAMPLES = {
    "koku/aws/test_cur.csv": (LEGACY, "0.08275"),
    "koku/aws/test_cur.csv.gz": (LEGACY, "0.08275"),
    "koku/aws/2023-06-01.csv": (LEGACY, "30"),
    "koku/aws/2023-06-01-not-final.csv": (LEGACY, "30"),
    "koku/aws/2022-07-01-alt-columns.csv": (ATHENA, "0"),
    "focus-converters/aws/sample-anonymous-aws-export-dataset.csv": (LEGACY, "1.68231"),
    "koku/aws-local-bucket/koku-local-1.csv.gz": (LEGACY, "143228"),
    WORKSHOP[0]: (ATHENA, "4064.48"),
    WORKSHOP[1]: (ATHENA, "3505.33"),
    WORKSHOP[2]: (ATHENA, "408.376"),
}
# koku's test_cur.csv has 131 header names but 130 fields in every row: the shared reader
# reads the trailing column as empty.

UNBLENDED, KIND, PERIOD = (
    "lineitemunblendedcost",
    "lineitemlineitemtype",
    "billbillingperiodstartdate",
)
SP_EFFECTIVE, RI_EFFECTIVE, RI_ARN = (
    "savingsplansavingsplaneffectivecost",
    "reservationeffectivecost",
    "reservationreservationarn",
)
RI_UNUSED = (
    "reservationunusedamortizedupfrontfeeforbillingperiod",
    "reservationunusedrecurringfee",
)
SP_COMMITMENT = ("savingsplantotalcommitmenttodate", "savingsplanusedcommitment")
NEEDED = {UNBLENDED, KIND, PERIOD, SP_EFFECTIVE, RI_EFFECTIVE, RI_ARN, *RI_UNUSED, *SP_COMMITMENT}


# --- the reference: native columns, plain Python ---------------------------------------------


def native_rows(path: Path) -> tuple[set[str], list[dict[str, object]]]:
    """The columns (by key) the file has, and its rows restricted to the ones the rule needs."""
    if path.name.endswith(".parquet"):
        names = {header_key(n): n for n in pq.ParquetFile(path).schema_arrow.names}
        present = {k: n for k, n in names.items() if k in NEEDED}
        table = pq.read_table(path, columns=list(present.values()))
        rows = table.rename_columns(list(present)).to_pylist()
        return set(present), rows
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        keys = {header_key(n): n for n in reader.fieldnames or []}
        present = {k: n for k, n in keys.items() if k in NEEDED}
        rows = [{k: r.get(n) for k, n in present.items()} for r in reader]
    return set(present), rows


def dec(value: object) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))


def period(value: object) -> date:
    return value.date() if isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def amortized(row: dict[str, object], has: set[str]) -> Decimal:
    """AWS's amortized cost of one line item (the rule the FOCUS converters use too)."""
    kind = row[KIND]
    if SP_EFFECTIVE in has:
        if kind == "SavingsPlanCoveredUsage":
            return dec(row[SP_EFFECTIVE])
        if kind in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
            return Decimal(0)
        if kind == "SavingsPlanRecurringFee" and set(SP_COMMITMENT) <= has:
            return dec(row[SP_COMMITMENT[0]]) - dec(row[SP_COMMITMENT[1]])
    if RI_EFFECTIVE in has:
        if kind == "DiscountedUsage":
            return dec(row[RI_EFFECTIVE])
        if kind == "Fee" and row.get(RI_ARN):
            return Decimal(0)
        if kind == "RIFee" and set(RI_UNUSED) <= has:
            return dec(row[RI_UNUSED[0]]) + dec(row[RI_UNUSED[1]])
    return dec(row[UNBLENDED])


def reference_totals(path: Path) -> dict[tuple[str, date], tuple[Decimal, Decimal]]:
    has, rows = native_rows(path)
    sums: dict[tuple[str, date], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in rows:
        total = sums[("AWS", period(row[PERIOD]))]
        total[0] += dec(row[UNBLENDED])
        total[1] += amortized(row, has)
    return {k: (billed, effective) for k, (billed, effective) in sums.items()}


def gold_totals(engine: sa.Engine) -> dict[tuple[str, date], tuple[Decimal, Decimal]]:
    query = sa.text(
        "SELECT provider, billing_period_start, sum(billed_cost), sum(effective_cost) "
        "FROM gold.daily_cost GROUP BY 1, 2"
    )
    with engine.connect() as conn:
        return {(p, d): (b, e) for p, d, b, e in conn.execute(query)}


def bronze(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def assert_loaded(engine: sa.Engine, path: Path, **kwargs: object) -> None:
    result = load_file(engine, path, source="aws", **kwargs)
    assert result.status == "loaded", result.error


# --- every shared sample --------------------------------------------------------------------


def assert_published_total(relative: str, expected: dict) -> None:
    """The file's lineItem/UnblendedCost sum, to the digits SOURCES.md prints."""
    grand = sum(billed for billed, _ in expected.values())
    published = SAMPLES[relative][1]
    assert round(grand, len(published.partition(".")[2])) == Decimal(published)


# The workshop files are reconciled further down, loaded once: each load costs seconds of gold
# refresh, so loading them here too would double the file's run time.
CSV_SAMPLES = [rel for rel in SAMPLES if rel not in WORKSHOP]


@pytest.mark.parametrize(
    "relative",
    [pytest.param(rel) for rel in CSV_SAMPLES],
    ids=[Path(r).name[:32] for r in CSV_SAMPLES],
)
def test_sample_reconciles_with_gold(empty_db: sa.Engine, relative: str) -> None:
    path = shared_file(relative)
    assert_loaded(empty_db, path)
    expected = reference_totals(path)
    assert gold_totals(empty_db) == expected  # exact Decimal equality: to the cent and beyond
    assert_published_total(relative, expected)


@pytest.mark.fast
@pytest.mark.parametrize("relative", list(SAMPLES), ids=[Path(r).name[:32] for r in SAMPLES])
def test_sample_is_detected_as_aws_cur(relative: str) -> None:
    path = shared_file(relative)
    assert open_export(path).fmt.name == SAMPLES[relative][0]


def other_files() -> list[Path]:
    aws = {"aws", "aws-local-bucket", "aws-wa-labs-workshop-cur"}
    return sorted(
        p
        for p in SHARED_DATA.rglob("*")
        if p.suffix in (".csv", ".gz", ".parquet")
        and not aws & set(p.relative_to(SHARED_DATA).parts)
    )


@pytest.mark.fast
def test_other_providers_and_focus_files_are_not_taken() -> None:
    others = other_files()
    assert any("focus_sample" in p.name for p in others) and len(others) > 30
    taken = [p.name for p in others if AwsCur().matches(sniff(p)[1])]
    assert taken == []


def test_header_only_export_loads_as_zero_rows(empty_db: sa.Engine) -> None:
    result = load_file(empty_db, shared_file("koku/aws/empty_frame.csv"))
    assert result.status == "loaded", result.error
    assert result.summary is not None and result.summary.row_count == 0
    assert gold_totals(empty_db) == {}


def test_not_final_bill_loads_without_invoice_id(empty_db: sa.Engine) -> None:
    assert_loaded(empty_db, shared_file("koku/aws/2023-06-01-not-final.csv"))
    rows = bronze(empty_db, "SELECT invoice_id, billed_cost, effective_cost FROM bronze.focus_cost")
    assert rows == [(None, Decimal(10), Decimal("0.1"))] * 3  # SP-covered: amortized 0.1 each


def test_identity_and_dimensions_are_filled(empty_db: sa.Engine) -> None:
    assert_loaded(
        empty_db, shared_file("focus-converters/aws/sample-anonymous-aws-export-dataset.csv")
    )
    [(rows, *counts)] = bronze(
        empty_db,
        "SELECT count(*), count(provider_name), count(billing_account_id), "
        "count(sub_account_id), count(billing_currency), count(service_name), "
        "count(service_category), count(charge_category), count(charge_period_end), "
        "count(billing_period_end) FROM bronze.focus_cost",
    )
    assert rows == 1281 and counts == [rows] * len(counts)
    assert bronze(
        empty_db, "SELECT DISTINCT provider_name, charge_category FROM bronze.focus_cost ORDER BY 2"
    ) == [("AWS", "Tax"), ("AWS", "Usage")]


# --- tags ---------------------------------------------------------------------------------


def test_legacy_resource_tag_columns_become_one_json_object(
    empty_db: sa.Engine, tmp_path: Path
) -> None:
    source = shared_file("koku/aws/2023-06-01.csv")
    with open(source, newline="") as f:
        reader = csv.DictReader(f)
        header = [
            *(reader.fieldnames or []),
            "resourceTags/user:Team",
            "resourceTags/aws:createdBy",
        ]
        rows = list(reader)
    tags = [("web", "IAMUser:alice"), ('say "hi"', ""), ("", "")]
    for row, (team, creator) in zip(rows, tags, strict=True):
        row["resourceTags/user:Team"], row["resourceTags/aws:createdBy"] = team, creator
    path = tmp_path / "tagged.csv"
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)
    assert_loaded(empty_db, path)
    got = [
        t
        for (t,) in bronze(
            empty_db, "SELECT tags FROM bronze.focus_cost ORDER BY charge_period_start"
        )
    ]
    assert got == [
        {"user:Team": "web", "aws:createdBy": "IAMUser:alice"},
        {"user:Team": 'say "hi"'},
        None,
    ]


def test_athena_tag_columns_get_their_prefix_back(empty_db: sa.Engine) -> None:
    assert_loaded(empty_db, shared_file("koku/aws/2022-07-01-alt-columns.csv"))
    got = [t for (t,) in bronze(empty_db, "SELECT tags FROM bronze.focus_cost")]
    assert {"aws:created_by": "IAMUser:fake:and"} in got  # resource_tags_aws_created_by


# --- CUR 2.0 (Data Exports): a fixture built from the AWS table dictionary -----------------

BASE = {
    "bill_bill_type": "Anniversary",
    "bill_billing_entity": "AWS",
    "bill_invoice_id": "EUINIE24-000123",
    "bill_invoicing_entity": "Amazon Web Services EMEA SARL",
    "bill_payer_account_id": "111122223333",
    "bill_payer_account_name": "Acme Payer",
    "cost_category": {"team": "platform"},
    "discount": {},
    "identity_time_interval": "2024-05-03T00:00:00Z/2024-05-04T00:00:00Z",
    "line_item_availability_zone": "eu-west-1a",
    "line_item_currency_code": "EUR",
    "line_item_legal_entity": "Amazon Web Services EMEA SARL",
    "line_item_line_item_description": "EU-BoxUsage:m5.large",
    "line_item_operation": "RunInstances",
    "line_item_product_code": "AmazonEC2",
    "line_item_resource_id": "i-0abc",
    "line_item_usage_account_id": "444455556666",
    "line_item_usage_account_name": "Acme Dev",
    "line_item_usage_amount": "24",
    "line_item_usage_type": "EU-BoxUsage:m5.large",
    "pricing_currency": "EUR",
    "pricing_public_on_demand_cost": "",
    "pricing_public_on_demand_rate": "",
    "pricing_term": "OnDemand",
    "pricing_unit": "Hrs",
    "product": {"product_name": "Amazon Elastic Compute Cloud", "region": "eu-west-1"},
    "product_location": "EU (Ireland)",
    "product_region_code": "eu-west-1",
    "product_servicecode": "AmazonEC2",
    "product_sku": "ABCD1234",
    "reservation_effective_cost": "0",
    "reservation_reservation_a_r_n": "",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "0",
    "reservation_unused_recurring_fee": "0",
    "resource_tags": {},
    "savings_plan_savings_plan_a_r_n": "",
    "savings_plan_savings_plan_effective_cost": "0",
    "savings_plan_total_commitment_to_date": "0",
    "savings_plan_used_commitment": "0",
}
RI = "arn:aws:ec2:eu-west-1:111122223333:reserved-instances/ri-1"
SP = "arn:aws:savingsplans::111122223333:savingsplan/sp-1"
# line item type, unblended, expected effective, expected ChargeCategory, overrides
CUR2_LINES = [
    (
        "Usage",
        "1.25",
        "1.25",
        "Usage",
        {"resource_tags": {"user_team": "web", "aws_created_by": "Role:ci", "user_env": ""}},
    ),
    (
        "Usage",
        "0.10",
        "0.10",
        "Usage",
        {
            "line_item_usage_type": "EU-SpotUsage:m5.large",
            "product": {"product_name": 'Red Hat® "RHEL"'},  # JSON text escapes both
        },
    ),
    (
        "DiscountedUsage",
        "0",
        "0.70",
        "Usage",
        {"reservation_effective_cost": "0.70", "reservation_reservation_a_r_n": RI},
    ),
    (
        "RIFee",
        "50.00",
        "5.00",
        "Purchase",
        {
            "reservation_unused_amortized_upfront_fee_for_billing_period": "3.00",
            "reservation_unused_recurring_fee": "2.00",
            "reservation_reservation_a_r_n": RI,
        },
    ),
    ("Fee", "500.00", "0", "Purchase", {"reservation_reservation_a_r_n": RI}),
    (
        "SavingsPlanCoveredUsage",
        "2.00",
        "1.20",
        "Usage",
        {"savings_plan_savings_plan_effective_cost": "1.20", "savings_plan_savings_plan_a_r_n": SP},
    ),
    ("SavingsPlanNegation", "-2.00", "0", "Usage", {"savings_plan_savings_plan_a_r_n": SP}),
    (
        "SavingsPlanRecurringFee",
        "10.00",
        "8.80",
        "Purchase",
        {
            "savings_plan_total_commitment_to_date": "10.00",
            "savings_plan_used_commitment": "1.20",
            "savings_plan_savings_plan_a_r_n": SP,
        },
    ),
    ("SavingsPlanUpfrontFee", "100.00", "0", "Purchase", {"savings_plan_savings_plan_a_r_n": SP}),
    ("Tax", "3.21", "3.21", "Tax", {"product": {"region": "eu-west-1"}}),
    ("Credit", "-5.00", "-5.00", "Credit", {}),
    ("Refund", "-1.00", "-1.00", "Credit", {}),
    ("BundledDiscount", "-0.30", "-0.30", "Credit", {}),
    ("EdpDiscount", "-0.40", "-0.40", "Credit", {}),
    ("Usage", "0.99", "0.99", "Usage", {"june": True}),
]


def cur2_rows() -> list[dict[str, object]]:
    rows = []
    for i, (kind, unblended, _, _, overrides) in enumerate(CUR2_LINES):
        june = overrides.get("june", False)
        row = {**BASE, **{k: v for k, v in overrides.items() if k != "june"}}
        start = datetime(2024, 6 if june else 5, 3, tzinfo=UTC)
        row.update(
            identity_line_item_id=f"line-{i}",
            bill_billing_period_start_date=datetime(2024, 6 if june else 5, 1, tzinfo=UTC),
            bill_billing_period_end_date=datetime(2024, 7 if june else 6, 1, tzinfo=UTC),
            line_item_usage_start_date=start,
            line_item_usage_end_date=start.replace(day=4),
            line_item_line_item_type=kind,
            line_item_unblended_cost=unblended,
            line_item_blended_cost=unblended,
            line_item_net_unblended_cost=unblended,
            line_item_unblended_rate="0.05",
        )
        rows.append(row)
    return rows


def number_column(name: str) -> bool:
    return name.endswith(
        (
            "_cost",
            "_fee_for_billing_period",
            "_recurring_fee",
            "_commitment",
            "_to_date",
            "_amount",
            "_rate",
        )
    )


def write_cur2_parquet(path: Path, rows: list[dict[str, object]]) -> Path:
    """Parquet as Data Exports writes it: doubles, UTC timestamps, MAP<string,string> columns."""
    columns = {}
    for name in rows[0]:
        values = [r[name] for r in rows]
        if isinstance(values[0], dict):
            columns[name] = pa.array(
                [list(v.items()) for v in values], pa.map_(pa.string(), pa.string())
            )
        elif isinstance(values[0], datetime):
            columns[name] = pa.array(values, pa.timestamp("ms", "UTC"))
        elif number_column(name):
            columns[name] = pa.array([float(v) if v != "" else None for v in values], pa.float64())
        else:
            columns[name] = pa.array(values, pa.string())
    pq.write_table(pa.table(columns), path)
    return path


def write_cur2_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    """CSV as Data Exports writes it: MAP columns as JSON text, ISO timestamps."""

    def cell(value: object) -> str:
        if isinstance(value, dict):
            return json.dumps(value)
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return str(value)

    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(rows[0])
        writer.writerows([cell(v) for v in r.values()] for r in rows)
    return path


CUR2_WRITERS = {"parquet": write_cur2_parquet, "csv": write_cur2_csv}


@pytest.mark.parametrize("container", list(CUR2_WRITERS))
def test_cur2_maps_every_line_item_type(
    empty_db: sa.Engine, tmp_path: Path, container: str
) -> None:
    path = CUR2_WRITERS[container](tmp_path / f"cur2.{container}", cur2_rows())
    assert open_export(path).fmt.name == CUR2
    assert_loaded(empty_db, path)
    assert gold_totals(empty_db) == reference_totals(path)
    got = bronze(
        empty_db,
        "SELECT charge_category, billed_cost, effective_cost FROM bronze.focus_cost "
        "ORDER BY charge_period_start, billed_cost",
    )
    expected = sorted(
        (
            (cat, Decimal(billed), Decimal(eff))
            for _, billed, eff, cat, o in CUR2_LINES
            if "june" not in o
        ),
        key=lambda t: t[1],
    ) + [("Usage", Decimal("0.99"), Decimal("0.99"))]
    assert got == expected


@pytest.mark.parametrize("container", list(CUR2_WRITERS))
def test_cur2_identity_tags_and_service(
    empty_db: sa.Engine, tmp_path: Path, container: str
) -> None:
    path = CUR2_WRITERS[container](tmp_path / f"cur2.{container}", cur2_rows())
    assert_loaded(empty_db, path)
    rows = bronze(
        empty_db,
        "SELECT billing_account_id, billing_account_name, sub_account_id, sub_account_name, "
        "billing_currency, region_id, service_name, service_category, tags, pricing_category, "
        "commitment_discount_id, invoice_issuer_name FROM bronze.focus_cost "
        "WHERE charge_category IN ('Usage', 'Tax') ORDER BY billed_cost DESC LIMIT 3",
    )
    identity = ("111122223333", "Acme Payer", "444455556666", "Acme Dev", "EUR", "eu-west-1")
    issuer = "Amazon Web Services EMEA SARL"
    assert rows == [
        (*identity, "AmazonEC2", "Compute", None, None, None, issuer),  # Tax: no product_name
        (*identity, "Amazon Elastic Compute Cloud", "Compute", None, "Committed", SP, issuer),
        (
            *identity,
            "Amazon Elastic Compute Cloud",
            "Compute",
            {"user:team": "web", "aws:created_by": "Role:ci"},
            "Standard",
            None,
            issuer,
        ),
    ]
    spot = "SELECT service_name, pricing_category FROM bronze.focus_cost WHERE billed_cost = 0.1"
    assert bronze(empty_db, spot) == [('Red Hat® "RHEL"', "Dynamic")]


# --- the workshop CUR: three months loaded once, then November restated ---------------------


@dataclass
class Workshop:
    seconds: float  # wall time of the three loads
    gold: dict[tuple[str, date], tuple[Decimal, Decimal]]  # gold's totals right after them


def load_workshop(engine: sa.Engine) -> Workshop:
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    started = time.perf_counter()
    for relative in WORKSHOP:
        assert_loaded(engine, shared_file(relative))
    return Workshop(time.perf_counter() - started, gold_totals(engine))


@pytest.fixture(scope="module")
def workshop(engine: sa.Engine) -> Workshop:
    """The three Parquet files loaded once: each load refreshes gold (most of its time)."""
    return load_workshop(engine)


@pytest.mark.parametrize("relative", WORKSHOP, ids=[Path(r).name[:5] for r in WORKSHOP])
def test_workshop_month_reconciles_with_gold(workshop: Workshop, relative: str) -> None:
    expected = reference_totals(shared_file(relative))
    assert {k: workshop.gold[k] for k in expected} == expected  # exact, as for the samples
    assert_published_total(relative, expected)


def test_workshop_is_three_billing_periods_loaded_in_seconds(workshop: Workshop) -> None:
    print(f"workshop CUR, 3 Parquet files, 334,911 rows: {workshop.seconds:.1f} s")
    assert sorted(d for _, d in workshop.gold) == [date(2018, m, 1) for m in (10, 11, 12)]
    assert workshop.seconds < 90  # gold's tag refresh takes most of it (see the report)


def test_restated_november_changes_only_november(
    workshop: Workshop, engine: sa.Engine, tmp_path: Path
) -> None:
    if gold_totals(engine) != workshop.gold:  # another test emptied the database meanwhile
        workshop = load_workshop(engine)
    table = pq.read_table(shared_file(WORKSHOP[1]))
    kinds = table.column("line_item_line_item_type").to_pylist()
    row = kinds.index("Usage")
    costs = table.column("line_item_unblended_cost").to_pylist()
    old, costs[row] = costs[row], costs[row] + 1000.0
    column = table.column_names.index("line_item_unblended_cost")
    restated = tmp_path / "Nov2018-restated.parquet"
    pq.write_table(table.set_column(column, "line_item_unblended_cost", pa.array(costs)), restated)
    assert_loaded(engine, restated)

    after = gold_totals(engine)
    delta = dec(costs[row]) - dec(old)
    november = ("AWS", date(2018, 11, 1))
    billed, effective = workshop.gold[november]
    assert after[november] == (billed + delta, effective + delta)  # a Usage row: both move
    assert {k: v for k, v in after.items() if k != november} == {
        k: v for k, v in workshop.gold.items() if k != november
    }


# --- files a person has to fix ------------------------------------------------------------


def copy_csv(
    source: Path, target: Path, drop: str = "", change: tuple[int, str, str] | None = None
) -> Path:
    """A copy of a CUR CSV without one column, or with one cell (row, column, value) changed."""
    with open(source, newline="") as f:
        reader = csv.DictReader(f)
        header = [h for h in reader.fieldnames or [] if h != drop]
        rows = list(reader)
    if change:
        rows[change[0] - 1][change[1]] = change[2]
    with open(target, "w", newline="") as f:
        writer = csv.DictWriter(f, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return target


SAMPLE = "focus-converters/aws/sample-anonymous-aws-export-dataset.csv"
BAD_FILES = {
    "missing-unblended": (
        lambda d: copy_csv(shared_file(SAMPLE), d / "bad.csv", drop="lineItem/UnblendedCost"),
        "bad.csv (AWS CUR (legacy)), column lineItem/UnblendedCost: required AWS CUR column",
    ),
    "missing-period-parquet": (
        lambda d: write_cur2_parquet(
            d / "bad.parquet",
            [
                {k: v for k, v in r.items() if k != "bill_billing_period_start_date"}
                for r in cur2_rows()
            ],
        ),
        "bad.parquet (AWS CUR 2.0), column bill_billing_period_start_date: required AWS CUR",
    ),
    "bad-unblended": (
        lambda d: copy_csv(
            shared_file(SAMPLE), d / "bad.csv", change=(1200, "lineItem/UnblendedCost", "n/a")
        ),
        "bad.csv (AWS CUR (legacy)), row 1200, column lineItem/UnblendedCost: 'n/a' is not a",
    ),
    "bad-amortization-input": (
        lambda d: copy_csv(
            shared_file(SAMPLE), d / "bad.csv", change=(1200, "reservation/EffectiveCost", "1,2")
        ),
        "bad.csv (AWS CUR (legacy)), row 1200, column reservation/EffectiveCost: '1,2' is not",
    ),
    "bad-tags-json": (
        lambda d: write_cur2_csv(
            d / "bad.csv",
            [{**r, "resource_tags": "{oops"} if i == 3 else r for i, r in enumerate(cur2_rows())],
        ),
        "bad.csv (AWS CUR 2.0), row 4, column resource_tags: '{oops' is not a JSON object",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_and_gold_unchanged(
    empty_db: sa.Engine, tmp_path: Path, case: str
) -> None:
    assert_loaded(empty_db, shared_file("koku/aws/2023-06-01.csv"))
    before = gold_totals(empty_db)
    make, message = BAD_FILES[case]
    # small reads, so the row number has to survive several batches
    result = load_file(empty_db, make(tmp_path), source="aws", batch_bytes=64 * 1024)
    assert result.status == "failed" and result.bad_input
    assert result.error is not None and result.error.startswith(message), result.error
    assert gold_totals(empty_db) == before
