"""Real exports in the containers providers deliver them in, loaded as a new user would
(`python -m ingestion load` in a real process): a legacy CUR in a ZIP, a GCP billing table as
BigQuery exports it to JSON (newline-delimited, an array, gzip'd), a FOCUS 0.5 file. Totals
are reconciled against the source file re-read here with csv + Decimal.
"""

from __future__ import annotations

import ast
import csv
import gzip
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.formats import open_export
from ingestion.loader import load_file
from tests.conftest import shared_file
from tests.ingestion.load_cli import cli, gold
from tests.ingestion.test_gcp import STANDARD, reference_totals, source_totals

CUR = "focus-converters/aws/sample-anonymous-aws-export-dataset.csv"


@pytest.fixture
def loaded(app_env: str, empty_db: sa.Engine) -> list[tuple]:
    """Something already in gold (loaded in-process: a CLI start costs seconds here), which
    every refusal below must leave as it is."""
    assert load_file(empty_db, shared_file(CUR), source="earlier").status == "loaded"
    return gold(empty_db)


def test_legacy_cur_in_a_zip_loads(app_env: str, empty_db: sa.Engine, tmp_path: Path) -> None:
    source = shared_file(CUR)
    path = tmp_path / "cur-2023-11.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(source, "cur-2023-11-00001.csv")
    run = cli(app_env, str(path), "--source", "zipped")
    assert run.returncode == 0, run.stderr
    assert (
        "loaded cur-2023-11.zip [AWS CUR (legacy) CSV (ZIP member cur-2023-11-00001.csv)]: "
        "1,281 rows"
    ) in run.stdout
    with open(source, newline="", encoding="utf-8") as f:
        expected = sum((Decimal(r["lineItem/UnblendedCost"]) for r in csv.DictReader(f)), 0)
    query = "SELECT sum(billed_cost) FROM bronze.focus_cost WHERE x_source = 'zipped'"
    with empty_db.connect() as conn:
        assert conn.execute(sa.text(query)).scalar_one() == expected


def test_zip_of_several_files_or_none_and_a_cut_json_record_are_refused(
    app_env: str, empty_db: sa.Engine, loaded: list[tuple], tmp_path: Path
) -> None:
    several, empty = tmp_path / "several.zip", tmp_path / "empty.zip"
    with zipfile.ZipFile(several, "w") as archive:
        archive.writestr("a.csv", "BilledCost\n1\n")
        archive.writestr("b.csv", "BilledCost\n2\n")
    with zipfile.ZipFile(empty, "w"):
        pass
    lines = [json.dumps(r) for r in bigquery_records(shared_file(STANDARD))[:3]]
    lines[2] = lines[2][:-5]  # cut short, as a partial download leaves it
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = cli(app_env, str(several), str(empty), str(cut))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: several.zip: a ZIP archive of 2 files (a.csv, b.csv): one archive must hold "
        "one export; unzip it and load the files",
        "error: empty.zip: a ZIP archive with no file in it",
        "error: cut.jsonl (GCP billing export), row 3: not valid JSON (Invalid control "
        f"character, character {len(lines[2]) + 1} of the record)",
    ]
    assert gold(empty_db) == loaded


def bigquery_records(path: Path) -> list[dict]:
    """The CSV sample's rows as BigQuery writes them to JSON: RECORD columns nested, repeated
    ones as arrays, NULL fields left out, FLOAT64 as numbers, timestamps with ' UTC'."""
    records = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            record: dict = {}
            for column, text in r.items():
                if text == "":
                    continue
                if column in ("credits", "labels", "project.labels", "system_labels"):
                    value: object = ast.literal_eval(text)
                elif column in ("cost", "currency_conversion_rate", "usage.amount"):
                    value = float(text)
                elif column.endswith(("_time", "partition_date")):
                    value = text.replace("+00:00", " UTC")
                else:
                    value = text
                *parents, leaf = column.split(".")
                node = record
                for parent in parents:
                    node = node.setdefault(parent, {})
                node[leaf] = value
            records.append(record)
    return records


def test_gcp_billing_export_as_json_reconciles(
    app_env: str, empty_db: sa.Engine, tmp_path: Path
) -> None:
    """BigQuery's newline-delimited JSON through the CLI; a JSON array and gzip'd lines of the
    same records in-process (the same load_file the CLI runs)."""
    source = shared_file(STANDARD)
    records = bigquery_records(source)
    assert any(r["credits"] for r in records)  # the credits' amounts are part of the sums
    lines = "".join(json.dumps(r) + "\n" for r in records)
    ndjson = tmp_path / "billing.jsonl"
    ndjson.write_text(lines, encoding="utf-8")
    run = cli(app_env, str(ndjson), "--source", "lines")
    assert run.returncode == 0, run.stderr
    assert f"loaded billing.jsonl [GCP billing export JSON lines]: {len(records)} rows" in (
        run.stdout
    )
    array = tmp_path / "billing.json"
    array.write_text(json.dumps(records, indent=1), encoding="utf-8")
    packed = tmp_path / "billing.jsonl.gz"
    packed.write_bytes(gzip.compress(lines.encode()))
    for path, label in ((array, "JSON array"), (packed, "JSON lines (gzip)")):
        result = load_file(empty_db, path, source=path.name)
        assert result.status == "loaded", result.error
        assert result.format == f"GCP billing export {label}"
    expected = reference_totals(source)
    for name in ("lines", "billing.json", "billing.jsonl.gz"):
        assert source_totals(empty_db, name) == expected


FOCUS_05 = [
    "BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
    "ChargePeriodStart", "ChargePeriodEnd", "ChargeType", "Provider", "Publisher",
    "InvoiceIssuer", "Region", "ServiceName", "BilledCost", "AmortizedCost", "UsageQuantity",
]  # fmt: skip


def test_focus_05_names_are_read_and_reversed_periods_warned(
    app_env: str, empty_db: sa.Engine, tmp_path: Path
) -> None:
    rows = [
        ["1", "USD", "2023-06-01", "2023-07-01", "2023-06-02", "2023-06-03", "Usage", "AWS",
         "AWS", "AWS", "us-east-1", "EC2", "10.50", "9.25", "24"],
        ["1", "USD", "2023-06-30", "2023-06-01", "2023-06-04", "2023-06-05", "Purchase", "AWS",
         "AWS", "AWS", "us-east-1", "EC2", "3.00", "0.00", ""],
    ]  # fmt: skip
    path = tmp_path / "focus05.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([FOCUS_05, *rows])
    run = cli(app_env, str(path), "--source", "v05")
    assert run.returncode == 0, run.stderr
    warnings = [line.strip() for line in run.stdout.splitlines() if "warning:" in line]
    assert warnings == [
        "warning: pre-1.0 FOCUS names read as their 1.0 names: ChargeType as ChargeCategory, "
        "Provider as ProviderName, Publisher as PublisherName, InvoiceIssuer as "
        "InvoiceIssuerName, Region as RegionId, AmortizedCost as EffectiveCost",
        "warning: ChargeType: FOCUS 0.5 lists credits as Adjustment, not Credit",
        "warning: UsageQuantity: a pre-1.0 FOCUS column, not read (ConsumedQuantity counts "
        "Usage rows only since FOCUS 1.0)",
        "warning: BillingPeriodEnd: before BillingPeriodStart in 1 rows (first: row 2); the "
        "rows are placed by their start",
    ]
    query = (
        "SELECT charge_category, effective_cost, provider_name, publisher_name, "
        "invoice_issuer_name, region_id, consumed_quantity FROM bronze.focus_cost "
        "WHERE x_source = 'v05' ORDER BY charge_period_start"
    )
    with empty_db.connect() as conn:
        got = [tuple(r) for r in conn.execute(sa.text(query))]
    assert got == [
        ("Usage", Decimal(r[13]), "AWS", "AWS", "AWS", "us-east-1", None) for r in rows[:1]
    ] + [("Purchase", Decimal("0.00"), "AWS", "AWS", "AWS", "us-east-1", None)]


@pytest.mark.fast
def test_json_keys_first_seen_late_are_named(tmp_path: Path) -> None:
    """The columns are the keys of the first 1,000 records: a key first seen later is not read,
    and the load says so rather than drop it in silence."""
    day = "2024-09-01"
    early = {"BilledCost": "1", "BillingPeriodStart": day, "ChargePeriodStart": day}
    records = [early] * 1000 + [{**early, "ServiceName": "late"}]
    path = tmp_path / "late.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    export = open_export(path)
    assert sum(b.data.num_rows for b in export.batches()) == 1001
    assert export.warnings == [
        "ServiceName: first seen after record 1,000, where the columns are taken from: not read"
    ]
