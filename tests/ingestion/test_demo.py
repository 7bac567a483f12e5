"""The demo company's FOCUS files: same bytes for the same arguments, the shape a FinOps demo
needs (clouds, services, regions, tags with gaps, EUR, credits, a commitment), and a real load."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest
import sqlalchemy as sa

from focus.columns import COLUMNS
from ingestion.demo import generate, load_demo
from ingestion.demo.catalog import APP_GROUPS, APPS, PROVIDERS

END = date(2026, 10, 14)  # a Wednesday: the last month is partial
FOCUS_CATEGORIES = {
    "AI and Machine Learning", "Analytics", "Business Applications", "Compute", "Databases",
    "Developer Tools", "Identity", "Integration", "Internet of Things",
    "Management and Governance", "Media", "Migration", "Mobile", "Multicloud", "Networking",
    "Other", "Security", "Storage", "Web",
}  # fmt: skip


def read(path: Path) -> pa.Table:
    """Every column as text, the way a person opening the file would see it."""
    options = pa_csv.ConvertOptions(
        column_types={c.name: pa.string() for c in COLUMNS}, strings_can_be_null=True
    )
    return pa_csv.read_csv(path, convert_options=options)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("demo"), months=13, end=END)


@pytest.fixture(scope="module")
def rows(files: list[Path]) -> list[dict[str, str | None]]:
    return [r for path in files for r in read(path).to_pylist()]


def money(value: str | None) -> Decimal:
    return Decimal(value) if value else Decimal(0)


def tag_key(key: str) -> str:
    """As app.normalize_tag_key reads it: 'user:cost-center', 'CostCenter', 'cost_center'."""
    key = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", re.sub(r"^user:", "", key, flags=re.I))
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")


def test_same_arguments_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", months=2, end=END)
    again = generate(tmp_path / "b", months=2, end=END)
    other = generate(tmp_path / "c", months=2, end=END, seed=8)
    assert [p.name for p in first] == [
        f"demo-{cloud}-{month}.csv.gz"
        for month in ("2026-09", "2026-10")
        for cloud in ("aws", "azure", "gcp", "oci")
    ]
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert all(a.read_bytes() != c.read_bytes() for a, c in zip(first, other, strict=True))


def test_files_cover_13_months_daily_up_to_end(files: list[Path], rows: list[dict]) -> None:
    assert len(files) == 13 * 4
    assert read(files[0]).column_names == [c.name for c in COLUMNS]
    usage = [r for r in rows if r["ChargeCategory"] == "Usage"]
    days = {r["ChargePeriodStart"] for r in usage}
    assert min(days) == "2025-10-01T00:00:00Z" and max(days) == "2026-10-14T00:00:00Z"
    assert len(days) == (END - date(2025, 10, 1)).days + 1
    for r in usage[:: len(usage) // 500]:
        start = date.fromisoformat(r["ChargePeriodStart"][:10])
        assert r["ChargePeriodEnd"] == f"{start + timedelta(days=1)}T00:00:00Z"
        assert r["BillingPeriodStart"] == f"{start.replace(day=1)}T00:00:00Z"


def test_four_clouds_with_several_accounts_services_and_regions(rows: list[dict]) -> None:
    providers = {r["ProviderName"] for r in rows}
    assert providers == {"AWS", "Microsoft", "Google Cloud", "Oracle"}
    for provider in providers:
        mine = [r for r in rows if r["ProviderName"] == provider]
        assert len({r["SubAccountId"] for r in mine}) >= 2
    assert len({r["BillingAccountId"] for r in rows}) >= 5
    assert len({r["ServiceName"] for r in rows}) >= 30
    assert len({r["RegionId"] for r in rows if r["RegionId"]}) >= 8
    assert {r["ServiceCategory"] for r in rows} <= FOCUS_CATEGORIES


def test_tags_have_the_four_keys_and_about_15_percent_of_spend_has_no_team(
    rows: list[dict],
) -> None:
    keys: set[str] = set()
    total = untagged = Decimal(0)
    for r in rows:
        tags = {tag_key(k): v for k, v in json.loads(r["Tags"] or "{}").items()}
        keys |= tags.keys()
        total += money(r["BilledCost"])
        untagged += money(r["BilledCost"]) if "team" not in tags else 0
    assert keys == {"team", "env", "cost-center", "app"}
    assert Decimal("0.10") < untagged / total < Decimal("0.20")


def test_a_mid_size_company_that_grows(rows: list[dict]) -> None:
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        by_month[r["BillingPeriodStart"][:7]] += money(r["BilledCost"])  # EUR ~ USD here
    first, last_full = by_month["2025-10"], by_month["2026-09"]
    assert 150_000 < last_full < 400_000
    assert last_full > first * Decimal("1.25")


def test_weekdays_cost_more_than_weekends(rows: list[dict]) -> None:
    by_day: dict[date, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["ChargeCategory"] == "Usage":
            by_day[date.fromisoformat(r["ChargePeriodStart"][:10])] += money(r["BilledCost"])
    weekdays = [v for d, v in by_day.items() if d.weekday() < 5]
    weekends = [v for d, v in by_day.items() if d.weekday() >= 5]
    assert sum(weekends) / len(weekends) < Decimal("0.9") * sum(weekdays) / len(weekdays)


def test_eu_subsidiary_is_billed_in_eur_priced_in_usd(rows: list[dict]) -> None:
    eur = [r for r in rows if r["BillingCurrency"] == "EUR"]
    assert eur and {r["BillingAccountName"] for r in eur} == {"Northwind Labs GmbH"}
    assert {r["PricingCurrency"] for r in eur} == {"USD"}
    euros = sum(money(r["BilledCost"]) for r in eur)
    dollars = sum(money(r["PricingCurrencyEffectiveCost"]) for r in eur)
    assert Decimal("0.85") < euros / dollars < Decimal("0.97")  # an exchange rate, not 1


def test_usage_discounts_never_exceed_list(rows: list[dict]) -> None:
    usage = [r for r in rows if r["ChargeCategory"] == "Usage"]
    for r in usage:
        if r["CommitmentDiscountStatus"] != "Unused":
            assert money(r["ListCost"]) >= money(r["ContractedCost"]) >= money(r["EffectiveCost"])
    assert {r["PricingCategory"] for r in usage} == {"Standard", "Committed", "Dynamic"}


def test_credits_are_negative_and_tax_is_monthly(rows: list[dict]) -> None:
    credits = [r for r in rows if r["ChargeCategory"] == "Credit"]
    assert len(credits) >= 3 and all(money(r["BilledCost"]) < 0 for r in credits)
    tax = [r for r in rows if r["ChargeCategory"] == "Tax"]
    assert tax and all(r["ChargePeriodStart"] == r["BillingPeriodStart"] for r in tax)
    assert "2026-10" not in {r["BillingPeriodStart"][:7] for r in tax}  # not invoiced yet


def test_savings_plan_purchase_is_amortized_exactly_over_its_days(rows: list[dict]) -> None:
    (purchase,) = [r for r in rows if r["ChargeCategory"] == "Purchase"]
    assert purchase["ChargeFrequency"] == "One-Time"
    assert money(purchase["EffectiveCost"]) == 0 < money(purchase["BilledCost"])
    plan_id = purchase["CommitmentDiscountId"]
    daily: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["CommitmentDiscountId"] == plan_id and r["ChargeCategory"] == "Usage":
            daily[r["ChargePeriodStart"]] += money(r["EffectiveCost"])
            if r["CommitmentDiscountStatus"] == "Used":
                assert money(r["BilledCost"]) == 0
                assert money(r["EffectiveCost"]) < money(r["ContractedCost"])
    assert min(daily) == purchase["ChargePeriodStart"]
    assert set(daily.values()) == {money(purchase["BilledCost"]) / 365}


def file_totals(paths: list[Path]) -> dict[tuple[str, str], Decimal]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for path in paths:
        table = read(path).select(["ProviderName", "BillingCurrency", "BilledCost"])
        for provider, currency, billed in zip(*table.to_pydict().values(), strict=True):
            totals[provider, currency] += money(billed)
    return dict(totals)


def test_load_demo_lands_every_file_in_gold(empty_db: sa.Engine, tmp_path: Path) -> None:
    results = load_demo(empty_db, tmp_path, months=3, end=END)
    assert [r.status for r in results] == ["loaded"] * 12
    with empty_db.connect() as conn:
        gold = conn.execute(
            sa.text(
                "SELECT provider, billing_currency, sum(billed_cost) FROM gold.daily_cost "
                "GROUP BY 1, 2"
            )
        ).all()
        sources = conn.execute(sa.text("SELECT DISTINCT x_source FROM bronze.focus_cost")).all()
    assert {(p, c): total for p, c, total in gold} == file_totals([r.path for r in results])
    assert {currency for _, currency, _ in gold} == {"USD", "EUR"}
    assert sorted(s for (s,) in sources) == ["demo-aws", "demo-azure", "demo-gcp", "demo-oci"]
    again = load_demo(empty_db, tmp_path, months=3, end=END)
    assert {r.status for r in again} == {"skipped"}


def test_the_catalog_data_files_refer_only_to_what_they_define() -> None:
    """The catalog is data edited by hand: a workload naming a SKU, resource, account, region or
    app its cloud lacks would fail deep in the simulation, so it fails here by name."""
    for p in PROVIDERS:
        for key, sku in p.skus.items():
            assert sku.service in p.services, (p.key, key)
        for w in p.workloads:
            where = (p.key, w.resource, w.skus[0][0])
            assert w.resource in p.resources, where
            assert all(s in p.skus for s, _, _ in w.skus), where
            assert set(w.accounts) <= set(p.accounts), where
            assert set(w.regions) <= set(p.regions), where
            apps = {a for token in w.apps for a in APP_GROUPS.get(token, token).split()}
            assert apps <= set(APPS), where
    assert [p.key for p in PROVIDERS] == ["aws", "azure", "gcp", "oci"]
    assert sum(len(p.workloads) for p in PROVIDERS) == 90
    assert sum(len(p.skus) for p in PROVIDERS) == 107
