"""`check-focus`: the FOCUS rules as data, the official and spec files, and bad files caught."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import get_args

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from focus.columns import COLUMNS
from focus.vocabulary import CHARGE_CATEGORIES, MANDATORY, SERVICE_CATEGORIES
from ingestion.__main__ import main
from ingestion.conformance.checker import check_file
from ingestion.conformance.evaluate import EVALUATE
from ingestion.conformance.report import CheckReport
from ingestion.conformance.rules import HEADER_CHECKS, RULES, Check
from ingestion.errors import BadInput
from tests.conftest import SHARED_DATA, shared_file

pytestmark = pytest.mark.fast  # no database: `make test-fast`

OFFICIAL = "focus-sample-data/FOCUS-1.0/focus_sample.csv"
SPEC_FILES = sorted(
    str(p.relative_to(SHARED_DATA)) for p in (SHARED_DATA / "focus-spec").rglob("*.csv")
)


def focus_row(day: str = "2024-09-01", billed: str = "1.25", **changes: str) -> dict[str, str]:
    """One FOCUS 1.2 row that meets every rule; `changes` break or vary it."""
    period = day[:8] + "01"
    year, month = int(period[:4]), int(period[5:7])
    row = {
        "BilledCost": billed,
        "BillingAccountId": "999",
        "BillingAccountName": "Payer",
        "BillingCurrency": "USD",
        "BillingPeriodStart": f"{period}T00:00:00Z",
        "BillingPeriodEnd": f"{year + month // 12}-{month % 12 + 1:02d}-01T00:00:00Z",
        "ChargeCategory": "Usage",
        "ChargeClass": "",
        "ChargeDescription": "VM hours",
        "ChargeFrequency": "Usage-Based",
        "ChargePeriodStart": f"{day}T00:00:00Z",
        "ChargePeriodEnd": f"{day}T01:00:00Z",
        "ContractedCost": billed,
        "EffectiveCost": billed,
        "InvoiceId": "INV-1",
        "InvoiceIssuerName": "Amazon Web Services, Inc.",
        "ListCost": billed,
        "PricingQuantity": "1",
        "PricingUnit": "Hours",
        "ProviderName": "AWS",
        "PublisherName": "Amazon Web Services, Inc.",
        "RegionId": "us-east-1",
        "RegionName": "US East (N. Virginia)",
        "ServiceCategory": "Compute",
        "ServiceName": "Amazon EC2",
        "ServiceSubcategory": "Virtual Machines",
        "SubAccountId": "111111111111",
        "SubAccountName": "web",
        "Tags": '{"team": "web", "env": "prod"}',
    }
    return {**row, **changes}


def write_focus(path: Path, rows: list[dict[str, str]], drop: tuple[str, ...] = ()) -> Path:
    header = [k for k in rows[0] if k not in drop]
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def counts(report: CheckReport, severity: str = "error") -> dict[str, int]:
    found = report.errors if severity == "error" else report.warnings
    return {f.rule.id: f.count for f in found}


# --- the rules table -------------------------------------------------------------------------


def test_rules_are_unique_and_cover_every_mandatory_column() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert {r.column for r in RULES if r.check == "present"} == set(MANDATORY)
    assert len(MANDATORY) == 21
    assert all(r.ref.endswith(".md") for r in RULES)


def test_rules_data_names_real_columns_and_checks() -> None:
    """rules.json is read as data: each rule must name FOCUS columns, a check the checker can
    run, and a spec file."""
    names = {c.name for c in COLUMNS} | {"*"}
    assert [r.id for r in RULES if not set(r.columns) <= names] == []
    assert set(get_args(Check)) == HEADER_CHECKS | set(EVALUATE)
    assert {r.check for r in RULES} == set(get_args(Check))
    assert {r.severity for r in RULES} == {"error", "warning"}
    assert all(r.ref.startswith(("columns/", "attributes/")) for r in RULES)


def test_allowed_values_are_the_specs() -> None:
    allowed = {r.column: r.arg for r in RULES if r.check == "allowed"}
    spec = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
    assert allowed["ChargeCategory"] == CHARGE_CATEGORIES == spec
    assert allowed["ChargeClass"] == ("Correction",)
    assert allowed["ChargeFrequency"] == ("One-Time", "Recurring", "Usage-Based")
    assert allowed["PricingCategory"] == ("Standard", "Dynamic", "Committed", "Other")
    assert allowed["CommitmentDiscountStatus"] == ("Used", "Unused")
    assert allowed["ServiceCategory"] == SERVICE_CATEGORIES and len(SERVICE_CATEGORIES) == 19


# --- official sample and spec examples --------------------------------------------------------


def test_official_sample_as_focus_1_0() -> None:
    """Two genuine violations (the FOCUS-Sample-Data maintainers found the ContractedCost one
    too): 7 Oracle rows with NULL ContractedCost and a credit with ContractedUnitPrice -3."""
    report = check_file(shared_file(OFFICIAL))
    assert (report.version, report.rows) == ("1.0", 1000)
    assert counts(report) == {"ContractedCost.not_null": 7, "ContractedUnitPrice.non_negative": 1}
    first = report.findings["ContractedCost.not_null"]
    assert (first.first_row, first.first_value) == (926, "null")
    assert counts(report, "warning") == {
        "*.custom_prefix": 1,  # the sample's "Id" column
        "BillingPeriodEnd.utc_form": 1000,  # '2024-10-01 00:00:00': no T, no Z
        "BillingPeriodStart.utc_form": 1000,
        "ChargePeriodEnd.utc_form": 1000,
        "ChargePeriodStart.utc_form": 1000,
        "ChargeFrequency.allowed_case": 7,  # 'Usage-based'
        "ChargePeriodStart.within": 1,  # an Oracle charge of Sept 30 billed in October
    }


# The spec's illustrative files are column subsets, some with spreadsheet formatting: every one
# breaks a rule. Each entry is exactly what it breaks: the known exceptions of the README.
_CDF_MISSING = {
    "BillingAccountId", "BillingAccountName", "BillingCurrency", "ChargeClass",
    "ChargeDescription", "ContractedCost", "InvoiceIssuerName", "PricingUnit", "ProviderName",
    "PublisherName", "ServiceCategory", "ServiceName",
}  # fmt: skip
_CDS_MISSING = _CDF_MISSING | {"ListCost", "PricingQuantity"}
_DATES = {
    f"{c}.datetime"
    for c in ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
}
_MONEY = {
    f"{c}.decimal"
    for c in (
        "BilledCost",
        "ContractedCost",
        "ContractedUnitPrice",
        "EffectiveCost",
        "ListCost",
        "ListUnitPrice",
    )
}
_SIMPLE = _DATES | _MONEY | {"ServiceSubcategory.not_null"}
_SPEND_A = _DATES | {"ServiceCategory.allowed", "ServiceSubcategory.allowed"}
_SPEND_B = (
    _SPEND_A
    | {f"{c}.not_null" for c in ("ServiceCategory", "ServiceName")}
    | {"ServiceSubcategory.not_null"}
)
_VIRTUAL = _DATES | {"ServiceCategory.present"}
SPEC_EXPECTED: dict[str, set[str]] = {
    "aws_savings_plan_all_upfront_50pct": {"ServiceSubcategory.allowed"},
    "commitment_discount_purchase_scenario_1": {f"{c}.present" for c in _CDS_MISSING},
    "commitment_discount_purchase_scenario_2": {f"{c}.present" for c in _CDS_MISSING}
    | {"ChargePeriodEnd.datetime"},  # '2023-02-01T30:00:00Z'
    "commitment_discount_purchase_scenario_3": {f"{c}.present" for c in _CDS_MISSING}
    | {"ChargePeriodEnd.datetime"},  # the same hour 30
    **{
        f"commitment_discount_usage_scenario_{n}": {f"{c}.present" for c in _CDS_MISSING}
        for n in (1, 2, 3, 4)
    },
    **{
        name: {f"{c}.present" for c in _CDF_MISSING}
        for name in (
            "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_1_resource",
            "one_hundred_percent_utilization_with_commitment_discount_flexibility_with_2_resources",
            "one_hundred_percent_utilization_without_commitment_discount_flexibility",
            "zero_percent_utilization_without_commitment_discount_flexibility",
        )
    },
    **{f"simple_saas_agreements_{s}": _SIMPLE for s in ("a1", "a2", "a3", "b", "c")},
    "saas_spend_agreements_a1": _SPEND_A,
    "saas_spend_agreements_a2": _SPEND_A,
    "saas_spend_agreements_b1": _SPEND_B,
    "saas_spend_agreements_b2": _SPEND_B,
    **{
        f"virtual_currency_pricing_model_{s}": _VIRTUAL for s in ("a1", "a2", "b1", "b2", "b3", "c")
    },
}


def test_every_spec_example_is_listed() -> None:
    assert {Path(f).stem for f in SPEC_FILES} == set(SPEC_EXPECTED)


@pytest.mark.parametrize("relative", SPEC_FILES, ids=[Path(f).stem[:48] for f in SPEC_FILES])
def test_spec_example_breaks_exactly_the_known_rules(relative: str) -> None:
    report = check_file(shared_file(relative))
    assert set(counts(report)) == SPEC_EXPECTED[Path(relative).stem]


def test_spec_example_messages_name_row_and_value() -> None:
    report = check_file(
        shared_file(
            "focus-spec/commitment_discount_scenarios/commitment_discount_purchase_scenario_2.csv"
        )
    )
    bad = report.findings["ChargePeriodEnd.datetime"]
    assert (bad.count, bad.first_row, bad.first_value) == (1, 3, "'2023-02-01T30:00:00Z'")
    money = check_file(
        shared_file("focus-spec/saas_examples/simple_agreements/simple_saas_agreements_a1.csv")
    ).findings["BilledCost.decimal"]
    assert (money.first_row, money.first_value) == (1, "'$10,000.00 '")


# --- a valid file, and each kind of bad one ----------------------------------------------------


def test_valid_file_passes_as_1_2(tmp_path: Path) -> None:
    rows = [focus_row(), focus_row("2024-10-05", "-0.5", ChargeCategory="Credit")]
    report = check_file(write_focus(tmp_path / "ok.csv", rows))
    assert report.ok and report.findings == {}
    assert (report.version, report.rows) == ("1.2", 2)
    assert report.lines()[-1].startswith("verdict: PASS")


@pytest.mark.parametrize(
    ("changes", "rule", "value"),
    [
        ({"ChargeCategory": "Refund"}, "ChargeCategory.allowed", "'Refund'"),
        ({"BillingCurrency": "USDX"}, "BillingCurrency.currency", "'USDX'"),
        (
            {"ChargePeriodEnd": "2024-09-01T00:00:00Z"},
            "ChargePeriodStart.before",
            "ChargePeriodStart='2024-09-01T00:00:00Z', ChargePeriodEnd='2024-09-01T00:00:00Z'",
        ),
        ({"BilledCost": ""}, "BilledCost.not_null", "null"),
        ({"EffectiveCost": "$1.25"}, "EffectiveCost.decimal", "'$1.25'"),
        ({"ListCost": "+1.25"}, "ListCost.decimal", "'+1.25'"),
        ({"ChargePeriodStart": "9/1/24"}, "ChargePeriodStart.datetime", "'9/1/24'"),
        ({"ChargePeriodEnd": "2024-02-30T00:00:00Z"}, "ChargePeriodEnd.datetime", None),
        ({"Tags": '{"team": ["a"]}'}, "Tags.json", """'{"team": ["a"]}'"""),
        ({"Tags": "team=web"}, "Tags.json", "'team=web'"),
        ({"ChargeClass": "Refund"}, "ChargeClass.allowed", "'Refund'"),
        ({"ChargeFrequency": "Daily"}, "ChargeFrequency.allowed", "'Daily'"),
        ({"ServiceCategory": "Database"}, "ServiceCategory.allowed", "'Database'"),
        (
            {"ServiceSubcategory": "Containers", "ServiceCategory": "Storage"},
            "ServiceSubcategory.parent",
            None,
        ),
        ({"PricingUnit": ""}, "PricingUnit.not_null", "null"),
        ({"ChargeCategory": "Tax", "ChargeFrequency": "One-Time"}, "PricingQuantity.null", "'1'"),
        ({"ChargeCategory": "Purchase"}, "ChargeFrequency.excluded", "'Usage-Based'"),
    ],
)
def test_bad_value_is_reported_with_row_and_value(
    tmp_path: Path, changes: dict[str, str], rule: str, value: str | None
) -> None:
    rows = [focus_row(), focus_row(**changes), focus_row()]
    report = check_file(write_focus(tmp_path / "bad.csv", rows))
    assert not report.ok
    assert rule in counts(report), report.lines()
    finding = report.findings[rule]
    assert (finding.count, finding.first_row) == (1, 2)
    if value is not None:
        assert finding.first_value == value
    line = next(line for line in report.lines() if rule in line)
    assert "row 2" in line and finding.rule.ref in line


def test_missing_mandatory_column_is_an_error(tmp_path: Path) -> None:
    path = write_focus(tmp_path / "nocurrency.csv", [focus_row()], drop=("BillingCurrency",))
    report = check_file(path)
    assert counts(report) == {"BillingCurrency.present": 1}
    assert "error   BillingCurrency.present: column missing" in "\n".join(report.lines())


def test_presentation_issues_are_warnings(tmp_path: Path) -> None:
    row = focus_row(ChargePeriodStart="2024-09-01 00:00:00", ChargeFrequency="usage-based")
    row = {("billed_cost" if k == "BilledCost" else k): v for k, v in row.items()}
    report = check_file(write_focus(tmp_path / "soft.csv", [{**row, "x_Team": "a", "Owner": "b"}]))
    assert report.ok, report.lines()
    assert counts(report, "warning") == {
        "*.column_id": 1,  # billed_cost, read as BilledCost
        "*.custom_prefix": 1,  # Owner
        "ChargePeriodStart.utc_form": 1,
        "ChargeFrequency.allowed_case": 1,
    }


def test_recommended_column_missing_is_a_warning(tmp_path: Path) -> None:
    report = check_file(write_focus(tmp_path / "r.csv", [focus_row()], drop=("InvoiceId",)))
    assert report.ok and report.version == "1.1"  # ServiceSubcategory is the newest column left
    report = check_file(
        write_focus(tmp_path / "r.csv", [focus_row()], drop=("InvoiceId", "ServiceSubcategory")),
        version="1.2",
    )
    assert report.ok
    assert counts(report, "warning") == {
        "InvoiceId.recommended": 1,
        "ServiceSubcategory.recommended": 1,
    }
    assert report.version_reason == "as asked; its columns suggest 1.0"


def test_gzip_and_parquet_files_are_checked(tmp_path: Path) -> None:
    rows = [focus_row(), focus_row(BillingCurrency="usd")]
    gz = check_file(write_focus(tmp_path / "f.csv.gz", rows))
    assert gz.container == "CSV (gzip)" and counts(gz) == {"BillingCurrency.currency": 1}

    table = pa.table(
        {
            "BilledCost": pa.array([1.5, None]),
            "BillingPeriodStart": pa.array([pa.scalar(0, pa.timestamp("s", "UTC"))] * 2),
            "ChargeCategory": ["Usage", "Usage"],
            "Tags": pa.array([1, 2]),  # not JSON text
        }
    )
    pq.write_table(table, tmp_path / "f.parquet")
    report = check_file(tmp_path / "f.parquet")
    assert report.container == "Parquet"
    assert {k: v for k, v in counts(report).items() if not k.endswith(".present")} == {
        "BilledCost.not_null": 1,
        "Tags.json": 2,
    }


def test_unreadable_file_is_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(BadInput, match="empty.csv: the file is empty"):
        check_file(empty)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("BilledCost,ChargeCategory\n1,Usage\n1,Usage,extra\n")
    with pytest.raises(BadInput, match="ragged.csv.*malformed CSV"):
        check_file(ragged)


# --- the command line --------------------------------------------------------------------------


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_focus(tmp_path / "good.csv", [focus_row()])
    assert main(["check-focus", str(good)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("verdict: PASS: 0 rule(s)")

    bad = write_focus(tmp_path / "bad.csv", [focus_row(ChargeCategory="Refund")])
    assert main(["check-focus", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "error   ChargeCategory.allowed: 1 of 1 rows, first row 1: 'Refund'" in out
    assert out.splitlines()[-1].startswith("verdict: FAIL: 1 rule(s) violated")

    assert main(["check-focus", str(tmp_path / "nope.csv")]) == 2
    assert capsys.readouterr().err.strip() == "error: nope.csv: no such file"

    assert main(["check-focus", str(shared_file(OFFICIAL)), "--focus-version", "1.0"]) == 2
