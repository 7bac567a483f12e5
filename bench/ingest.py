"""Ingestion throughput at scale: one large FOCUS 1.2 CSV, loaded exactly the way the app loads it.

    .venv/bin/python bench/ingest.py [--rows N] [--workdir DIR]

1. Generates (once; a later run reuses it) `DIR/focus_<N>.csv` (default 1,000,000 rows, DIR
   bench/out/, git-ignored): three billing periods (2024-09 to 2024-11) of AWS, Microsoft,
   Google Cloud and Oracle charges over a catalog of 20,000 resources: 30 services, 8 regions,
   several billing and sub accounts, mostly Usage with some Purchase, Tax and (negative) Credit
   rows, money with up to 10 fractional digits, ISO timestamps, a Tags JSON column. Written in
   blocks of 100,000 rows, so memory stays bounded whatever N is.
2. Opens the database the way the app does (`get_engine()`): DATABASE_URL when set, else the
   embedded server under CLOUDLENS_HOME, which defaults here to DIR/home so a user's own data is
   never touched. The server is left running afterwards, as the app leaves it.
3. Deletes the rows of earlier runs (source "bench" only), then times `load_file(..., force=True)`
   (read, convert, COPY into bronze, gold refresh, one transaction) in a child process, whose
   peak RSS is the figure reported (the Postgres server's memory is not included).
4. Times the re-run of the same file without force, which must be skipped by checksum.
5. Times a bare COPY of the same file into an UNLOGGED copy of bronze.focus_cost (typed columns,
   no indexes) as the floor a load could reach, then drops that table.
6. Prints one summary line and checks the sums: the file (summed by Postgres) = bronze for the
   bench source, and gold = silver for the billing periods loaded.

Run by hand; the figures go in the README.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

if TYPE_CHECKING:
    import sqlalchemy as sa

    from config import Settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCE = "bench"
COPY_TABLE = "bench_copy_target"  # created in the bronze schema, dropped after the run
CHUNK_ROWS = 100_000
RESOURCES = 20_000
SEED = 20240901
SCALE = 10  # fractional digits money is generated with (at most)
COPY_CHUNK = 1024 * 1024

# Billing periods (months) the file covers: 2024-09, 2024-10, 2024-11; the last entry ends them.
PERIOD_BOUNDS = np.array(["2024-09-01", "2024-10-01", "2024-11-01", "2024-12-01"], "datetime64[h]")
CATEGORIES = ("Usage", "Purchase", "Tax", "Credit")
CATEGORY_WEIGHTS = (0.93, 0.03, 0.02, 0.02)
CATEGORY_DESCRIPTIONS = ("", "Commitment purchase", "Sales tax", "Promotional credit")
CATEGORY_FREQUENCIES = ("Usage-Based", "Recurring", "One-Time", "One-Time")
PRICING_CATEGORIES = ("Standard", "Committed", "Dynamic")
NULL = pa.scalar(None, pa.string())


@dataclass(frozen=True)
class Provider:
    name: str
    weight: float  # share of resources
    daily: bool  # charge periods of a day (else an hour)
    digits: int  # fractional digits of its money columns
    billing_account_type: str
    sub_account_type: str
    commitment: tuple[str, str, str]  # category, type, name prefix
    regions: tuple[tuple[str, str], ...]  # id, name
    accounts: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # id, name, subs


@dataclass(frozen=True)
class Service:
    provider: int
    name: str
    category: str
    subcategory: str
    resource_type: str
    code: str  # used in resource and SKU ids
    unit: str
    price: float  # typical list unit price, USD
    committable: bool


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "AWS",
        0.45,
        False,
        10,
        "Management Account",
        "Member Account",
        ("Spend", "Savings Plan", "Compute Savings Plan"),
        (("us-east-1", "US East (N. Virginia)"), ("eu-west-1", "Europe (Ireland)")),
        (
            (
                "111122223333",
                "Acme Payer",
                (
                    ("210987654321", "acme-prod"),
                    ("310987654321", "acme-staging"),
                    ("410987654321", "acme-dev"),
                    ("510987654321", "acme-data"),
                ),
            ),
            (
                "444455556666",
                "Acme Europe Payer",
                (("610987654321", "acme-eu-prod"), ("710987654321", "acme-eu-dev")),
            ),
        ),
    ),
    Provider(
        "Microsoft",
        0.30,
        False,
        8,
        "Billing Profile",
        "Subscription",
        ("Usage", "Reservation", "Reserved VM Instance"),
        (("eastus", "East US"), ("westeurope", "West Europe")),
        (
            (
                "8f1c2e3a-5b6d-4e7f-9a0b-1c2d3e4f5a6b:0d1e2f3a-4b5c-6d7e-8f9a-0b1c2d3e4f5a_2019-05-31",
                "Acme Corp MCA",
                (
                    ("3c9e1a52-7d4b-4f0e-a1c2-5e6f7a8b9c0d", "Prod-Web"),
                    ("4d0f2b63-8e5c-4a1f-b2d3-6f7a8b9c0d1e", "Prod-Data"),
                    ("5e1a3c74-9f6d-4b2a-c3e4-7a8b9c0d1e2f", "Dev-Test"),
                ),
            ),
        ),
    ),
    Provider(
        "Google Cloud",
        0.17,
        True,
        6,
        "Billing Account",
        "Project",
        ("Spend", "Committed Use Discount", "Flexible CUD"),
        (("us-central1", "Iowa"), ("europe-west1", "Belgium")),
        (
            (
                "01A2B3-C4D5E6-F7A8B9",
                "Acme GCP Billing",
                (
                    ("acme-prod-analytics", "Acme Prod Analytics"),
                    ("acme-ml-training", "Acme ML Training"),
                    ("acme-dev-sandbox", "Acme Dev Sandbox"),
                ),
            ),
        ),
    ),
    Provider(
        "Oracle",
        0.08,
        True,
        4,
        "Tenancy",
        "Compartment",
        ("Spend", "Universal Credits", "Annual Universal Credits"),
        (("us-ashburn-1", "US East (Ashburn)"), ("eu-frankfurt-1", "Germany Central (Frankfurt)")),
        (
            (
                "ocid1.tenancy.oc1..aaaaaaaaacme4tenancy7x2q",
                "acme-tenancy",
                (
                    ("ocid1.compartment.oc1..aaaaaaaaerp3prod", "erp-prod"),
                    ("ocid1.compartment.oc1..aaaaaaaaerp3test", "erp-test"),
                ),
            ),
        ),
    ),
)

_AWS, _MS, _GCP, _OCI = range(4)
SERVICES: tuple[Service, ...] = (
    Service(_AWS, "Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Instance",
            "ec2", "Hours", 0.096, True),
    Service(_AWS, "Amazon Simple Storage Service", "Storage", "Object Storage", "Bucket",
            "s3", "GB-Hours", 0.000032, False),
    Service(_AWS, "Amazon Relational Database Service", "Databases", "Relational Databases",
            "DB Instance", "rds", "Hours", 0.171, True),
    Service(_AWS, "AWS Lambda", "Compute", "Serverless Compute", "Function", "lambda",
            "GB-Seconds", 0.0000166667, True),
    Service(_AWS, "Amazon CloudFront", "Networking", "Content Delivery", "Distribution",
            "cloudfront", "GB", 0.085, False),
    Service(_AWS, "Amazon DynamoDB", "Databases", "NoSQL Databases", "Table", "dynamodb",
            "ReadCapacityUnit-Hrs", 0.00013, False),
    Service(_AWS, "Amazon Elastic Kubernetes Service", "Compute", "Containers", "Cluster",
            "eks", "Hours", 0.10, False),
    Service(_AWS, "Amazon CloudWatch", "Management and Governance", "Observability",
            "Log Group", "logs", "GB", 0.50, False),
    Service(_AWS, "Amazon Virtual Private Cloud", "Networking", "Network Connectivity",
            "NAT Gateway", "vpc", "Hours", 0.045, False),
    Service(_MS, "Virtual Machines", "Compute", "Virtual Machines", "Virtual machine",
            "Microsoft.Compute/virtualMachines", "Hours", 0.192, True),
    Service(_MS, "Storage Accounts", "Storage", "Object Storage", "Storage account",
            "Microsoft.Storage/storageAccounts", "GB/Month", 0.0208, False),
    Service(_MS, "Azure SQL Database", "Databases", "Relational Databases", "SQL database",
            "Microsoft.Sql/servers/databases", "Hours", 0.5044, True),
    Service(_MS, "Azure Kubernetes Service", "Compute", "Containers", "Managed cluster",
            "Microsoft.ContainerService/managedClusters", "Hours", 0.10, False),
    Service(_MS, "Azure Functions", "Compute", "Serverless Compute", "Function app",
            "Microsoft.Web/sites", "GB-Seconds", 0.000016, False),
    Service(_MS, "Azure Monitor", "Management and Governance", "Observability",
            "Log Analytics workspace", "Microsoft.OperationalInsights/workspaces", "GB", 2.76,
            False),
    Service(_MS, "Azure Cosmos DB", "Databases", "NoSQL Databases", "Database account",
            "Microsoft.DocumentDB/databaseAccounts", "100 RU/s-Hours", 0.008, True),
    Service(_MS, "Bandwidth", "Networking", "Network Connectivity", "Public IP address",
            "Microsoft.Network/publicIPAddresses", "GB", 0.087, False),
    Service(_GCP, "Compute Engine", "Compute", "Virtual Machines", "Instance", "compute",
            "Hours", 0.0950, True),
    Service(_GCP, "Cloud Storage", "Storage", "Object Storage", "Bucket", "storage",
            "GiB-Months", 0.020, False),
    Service(_GCP, "BigQuery", "Analytics", "Data Processing", "Dataset", "bigquery",
            "TiB", 6.25, True),
    Service(_GCP, "Cloud SQL", "Databases", "Relational Databases", "Instance", "sqladmin",
            "Hours", 0.1645, True),
    Service(_GCP, "Google Kubernetes Engine", "Compute", "Containers", "Cluster", "container",
            "Hours", 0.10, False),
    Service(_GCP, "Cloud Run", "Compute", "Serverless Compute", "Service", "run",
            "vCPU-Seconds", 0.000024, True),
    Service(_GCP, "Cloud Logging", "Management and Governance", "Observability", "Log bucket",
            "logging", "GiB", 0.50, False),
    Service(_GCP, "Cloud Load Balancing", "Networking", "Network Connectivity",
            "Forwarding rule", "networking", "GiB", 0.12, False),
    Service(_OCI, "Compute", "Compute", "Virtual Machines", "Instance", "instance",
            "OCPU Hours", 0.025, True),
    Service(_OCI, "Object Storage", "Storage", "Object Storage", "Bucket", "bucket",
            "GB Months", 0.0255, False),
    Service(_OCI, "Autonomous Database", "Databases", "Relational Databases",
            "Autonomous Database", "autonomousdatabase", "ECPU Hours", 0.336, True),
    Service(_OCI, "Block Volume", "Storage", "Block Storage", "Volume", "volume",
            "GB Months", 0.0255, False),
    Service(_OCI, "Networking", "Networking", "Network Connectivity", "Load Balancer",
            "loadbalancer", "Hours", 0.0113, False),
)  # fmt: skip

TEAMS = ("platform", "payments", "search", "data", "ml", "web", "mobile", "finance")
ENVS = ("prod", "prod", "staging", "dev")
APPS = ("checkout", "catalog", "ledger", "recommender", "etl", "api", "portal", "reports")


# --------------------------------------------------------------------------- generation


@dataclass(frozen=True)
class Catalog:
    """One entry per resource; every row picks one and takes its dimensions from here."""

    weights: np.ndarray  # probability of each resource per row
    daily: np.ndarray  # bool
    digits: np.ndarray  # int64, money precision of its provider
    price: np.ndarray  # float64 list unit price
    discount: np.ndarray  # float64 negotiated discount of its billing account
    committable: np.ndarray  # bool
    account: np.ndarray  # int64 index into the billing accounts
    text: dict[str, pa.Array]  # FOCUS column -> resource-level value
    invoices: pa.Array  # billing account x period -> InvoiceId
    commitments: dict[str, pa.Array]  # FOCUS column -> billing-account-level value


def build_catalog(rng: np.random.Generator) -> Catalog:
    accounts = [(p, acct) for p, prov in enumerate(PROVIDERS) for acct in prov.accounts]
    weights = np.array([PROVIDERS[p].weight for p, _ in accounts])
    account = rng.choice(len(accounts), size=RESOURCES, p=weights / weights.sum())
    size = rng.lognormal(0.0, 0.9, RESOURCES)
    cols: dict[str, list[str | None]] = {}
    daily, digits, price, committable = [], [], [], []
    for i, a in enumerate(account):
        p, (acct_id, acct_name, subs) = accounts[a]
        prov = PROVIDERS[p]
        services = [s for s in SERVICES if s.provider == p]
        svc = services[int(rng.integers(len(services)))]
        region_id, region_name = prov.regions[int(rng.integers(len(prov.regions)))]
        sub_id, sub_name = subs[int(rng.integers(len(subs)))]
        team, env = TEAMS[int(rng.integers(len(TEAMS)))], ENVS[int(rng.integers(len(ENVS)))]
        app = APPS[int(rng.integers(len(APPS)))]
        name = f"{team}-{env}-{svc.code.rsplit('/', 1)[-1].lower()}-{i:05d}"
        row = {
            "ProviderName": prov.name,
            "BillingAccountId": acct_id,
            "BillingAccountName": acct_name,
            "BillingAccountType": prov.billing_account_type,
            "SubAccountId": sub_id,
            "SubAccountName": sub_name,
            "SubAccountType": prov.sub_account_type,
            "ServiceName": svc.name,
            "ServiceCategory": svc.category,
            "ServiceSubcategory": svc.subcategory,
            "RegionId": region_id,
            "RegionName": region_name,
            "AvailabilityZone": f"{region_id}{'abc'[i % 3]}" if p == _AWS and i % 2 else None,
            "ResourceId": _resource_id(p, svc, region_id, sub_id, name, i),
            "ResourceName": name,
            "ResourceType": svc.resource_type,
            "ConsumedUnit": svc.unit,
            "PricingUnit": svc.unit,
            "ChargeDescription": f"{svc.name} {svc.unit} in {region_name}",
            "SkuId": f"{svc.code.upper()[:12]}-{region_id}-{i % 40:02d}",
            "SkuPriceId": f"{svc.code.upper()[:12]}-{region_id}-{i % 40:02d}-OD",
            "SkuMeter": f"{svc.subcategory} {svc.unit}",
            "SkuPriceDetails": json.dumps({"Size": f"x{i % 40}", "OperatingSystem": "Linux"}),
            "CapacityReservationId": f"cr-{i:017x}" if svc.committable and i % 37 == 0 else None,
            "Tags": _tags(rng, team, env, app),
        }
        for key, value in row.items():
            cols.setdefault(key, []).append(value)
        daily.append(prov.daily)
        digits.append(prov.digits)
        price.append(svc.price * float(size[i]))
        committable.append(svc.committable)
    discount = 0.03 * (np.arange(len(accounts)) % 5)  # negotiated, per billing account
    months = [str(m)[:7].replace("-", "") for m in PERIOD_BOUNDS[:-1]]
    invoices = [f"INV-{acct[0][-6:].upper()}-{m}" for _, acct in accounts for m in months]
    commit_cols: dict[str, list[str]] = {}
    for a, (p, acct) in enumerate(accounts):
        category, kind, prefix = PROVIDERS[p].commitment
        commit_cols.setdefault("CommitmentDiscountCategory", []).append(category)
        commit_cols.setdefault("CommitmentDiscountType", []).append(kind)
        commit_cols.setdefault("CommitmentDiscountName", []).append(f"{prefix} {acct[1]}")
        commit_cols.setdefault("CommitmentDiscountId", []).append(f"cd-{a:04d}-{acct[0][-8:]}")
    popularity = 1.0 / (np.arange(RESOURCES) + 25.0)
    rng.shuffle(popularity)
    return Catalog(
        weights=popularity / popularity.sum(),
        daily=np.array(daily),
        digits=np.array(digits, dtype=np.int64),
        price=np.round(np.array(price), SCALE),
        discount=discount[account],
        committable=np.array(committable),
        account=account.astype(np.int64),
        text={k: pa.array(v, pa.string()) for k, v in cols.items()},
        invoices=pa.array(invoices),
        commitments={k: pa.array(v) for k, v in commit_cols.items()},
    )


def _resource_id(p: int, svc: Service, region: str, sub: str, name: str, i: int) -> str:
    if p == _AWS:
        return f"arn:aws:{svc.code}:{region}:{sub}:{svc.resource_type.lower()}/{name}-{i:08x}"
    if p == _MS:
        group = name.split("-")[0]
        return f"/subscriptions/{sub}/resourceGroups/rg-{group}/providers/{svc.code}/{name}"
    if p == _GCP:
        return f"//{svc.code}.googleapis.com/projects/{sub}/locations/{region}/{name}"
    return f"ocid1.{svc.code}.oc1.{region}.aaaaaaaa{i:024x}"


def _tags(rng: np.random.Generator, team: str, env: str, app: str) -> str | None:
    roll = rng.random()
    if roll < 0.2:
        return None  # untagged
    tags = {"team": team, "env": env}
    if roll < 0.6:
        tags["app"] = app
    if roll > 0.8:
        tags["CostCenter" if roll > 0.9 else "cost-center"] = f"cc-{1000 + TEAMS.index(team)}"
    return json.dumps(tags)


def timestamps() -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Every hour of the periods (plus a day) as ISO text; each period's first hour and length."""
    hours = np.arange(PERIOD_BOUNDS[0], PERIOD_BOUNDS[-1] + 24, np.timedelta64(1, "h"))
    text = np.char.add(np.datetime_as_string(hours, unit="s"), "Z")
    offsets = (PERIOD_BOUNDS[:-1] - PERIOD_BOUNDS[0]).astype(np.int64)
    lengths = np.diff(PERIOD_BOUNDS).astype(np.int64)
    return pa.array(text.tolist()), offsets, lengths


def decimal_text(values: np.ndarray, digits: np.ndarray | int) -> pa.Array:
    """Exact decimal strings ("12.5", "-0.0000123456") rounded to `digits` (at most SCALE)."""
    factor = np.power(10, SCALE - np.asarray(digits), dtype=np.int64)
    units = np.rint(values * np.power(10.0, digits)).astype(np.int64) * factor
    magnitude = np.abs(units)
    whole = pa.array(magnitude // 10**SCALE).cast(pa.string())
    frac = pa.array(magnitude % 10**SCALE).cast(pa.string())
    frac = pc.utf8_rtrim(pc.utf8_lpad(frac, SCALE, "0"), "0")
    text = pc.if_else(pc.equal(frac, ""), whole, pc.binary_join_element_wise(whole, frac, "."))
    return pc.if_else(pa.array(units < 0), pc.binary_join_element_wise("-", text, ""), text)


def only(mask: np.ndarray, arr: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), arr, NULL)


def generate_chunk(
    rng: np.random.Generator, cat: Catalog, hours: tuple[pa.Array, np.ndarray, np.ndarray], n: int
) -> pa.Table:
    ts_text, offsets, lengths = hours
    res = rng.choice(RESOURCES, size=n, p=cat.weights)
    kind = rng.choice(len(CATEGORIES), size=n, p=CATEGORY_WEIGHTS)
    usage, purchase = kind == 0, kind == 1
    period = rng.integers(0, len(lengths), n)
    start = offsets[period] + (rng.random(n) * lengths[period]).astype(np.int64)
    daily = cat.daily[res] | ~usage
    start = np.where(daily, start - start % 24, start)
    end = start + np.where(daily, 24, 1)

    qty = np.round(rng.lognormal(0.0, 0.75, n) * np.where(daily, 24.0, 1.0), 6)
    list_price = cat.price[res]
    contracted_price = np.round(list_price * (1.0 - cat.discount[res]), SCALE)
    committed = usage & cat.committable[res] & (rng.random(n) < 0.55)
    spot = usage & ~committed & (rng.random(n) < 0.04)
    list_cost = qty * list_price
    contracted = qty * contracted_price
    effective = np.where(committed, contracted * 0.63, np.where(spot, list_cost * 0.3, contracted))
    billed = np.where(committed, 0.0, effective)
    one_off = np.select(
        [purchase, kind == 2, kind == 3],
        [rng.lognormal(5.5, 1.0, n), rng.lognormal(1.5, 1.0, n), -rng.lognormal(2.5, 1.0, n)],
        0.0,
    )
    billed = np.where(usage, billed, one_off)
    effective = np.where(usage, effective, np.where(purchase, 0.0, one_off))
    list_cost = np.where(usage, list_cost, one_off)
    contracted = np.where(usage, contracted, one_off)

    digits = cat.digits[res]
    acct = cat.account[res]
    pricing = np.where(committed, 1, np.where(spot, 2, 0))
    commit_rows = committed | purchase
    money = {
        "BilledCost": decimal_text(billed, digits),
        "EffectiveCost": decimal_text(effective, digits),
        "ListCost": decimal_text(list_cost, digits),
        "ContractedCost": decimal_text(contracted, digits),
        "ListUnitPrice": only(usage, decimal_text(list_price, SCALE)),
        "ContractedUnitPrice": only(usage, decimal_text(contracted_price, SCALE)),
    }
    quantity = decimal_text(qty, 6)

    def take(values: pa.Array, index: np.ndarray) -> pa.Array:
        return values.take(pa.array(index))

    def res_col(name: str, mask: np.ndarray | None = None) -> pa.Array:
        values = take(cat.text[name], res)
        return values if mask is None else only(mask, values)

    cols: dict[str, pa.Array] = {
        name: res_col(name)
        for name in (
            "ProviderName", "BillingAccountId", "BillingAccountName", "BillingAccountType",
            "SubAccountId", "SubAccountName", "SubAccountType", "ServiceName",
            "ServiceCategory", "ServiceSubcategory", "RegionId", "RegionName",
        )
    }  # fmt: skip
    for name in (
        "AvailabilityZone", "ResourceId", "ResourceName", "ResourceType", "ConsumedUnit",
        "PricingUnit", "SkuId", "SkuPriceId", "SkuMeter", "SkuPriceDetails", "Tags",
    ):  # fmt: skip
        cols[name] = res_col(name, usage)
    capacity = res_col("CapacityReservationId", usage)
    cols |= money
    cols |= {
        "PublisherName": cols["ProviderName"],
        "InvoiceIssuerName": cols["ProviderName"],
        "BillingCurrency": pa.repeat("USD", n),
        "PricingCurrency": pa.repeat("USD", n),
        "BillingPeriodStart": take(ts_text, offsets[period]),
        "BillingPeriodEnd": take(ts_text, offsets[period] + lengths[period]),
        "ChargePeriodStart": take(ts_text, start),
        "ChargePeriodEnd": take(ts_text, end),
        "ChargeCategory": take(pa.array(CATEGORIES), kind),
        "ChargeClass": pa.nulls(n, pa.string()),
        "ChargeFrequency": take(pa.array(CATEGORY_FREQUENCIES), kind),
        "ChargeDescription": pc.if_else(
            pa.array(usage),
            res_col("ChargeDescription"),
            take(pa.array(CATEGORY_DESCRIPTIONS), kind),
        ),
        "CapacityReservationId": capacity,
        "CapacityReservationStatus": pc.if_else(pc.is_valid(capacity), "Used", NULL),
        "ConsumedQuantity": only(usage, quantity),
        "PricingQuantity": only(usage, quantity),
        "PricingCategory": only(usage | purchase, take(pa.array(PRICING_CATEGORIES), pricing)),
        "PricingCurrencyListUnitPrice": money["ListUnitPrice"],
        "PricingCurrencyContractedUnitPrice": money["ContractedUnitPrice"],
        "PricingCurrencyEffectiveCost": money["EffectiveCost"],
        "InvoiceId": take(cat.invoices, acct * len(lengths) + period),
        "CommitmentDiscountQuantity": only(committed, quantity),
        "CommitmentDiscountStatus": only(committed, pa.repeat("Used", n)),
        "CommitmentDiscountUnit": only(committed, pa.repeat("Hours", n)),
    }
    for name, values in cat.commitments.items():
        cols[name] = only(commit_rows, take(values, acct))
    return _in_focus_order(cols)


def _in_focus_order(cols: dict[str, pa.Array]) -> pa.Table:
    from focus.columns import COLUMNS

    names = [c.name for c in COLUMNS]
    if set(cols) != set(names):
        raise RuntimeError(f"generator columns differ from COLUMNS: {set(cols) ^ set(names)}")
    return pa.Table.from_arrays([cols[name] for name in names], names=names)


def chunks(rows: int) -> Iterator[pa.Table]:
    rng = np.random.default_rng(SEED)
    catalog = build_catalog(rng)
    hours = timestamps()
    for first in range(0, rows, CHUNK_ROWS):
        yield generate_chunk(rng, catalog, hours, min(CHUNK_ROWS, rows - first))


def ensure_csv(rows: int, workdir: Path) -> Path:
    """DIR/focus_<rows>.csv, generated when missing (written to a temporary name, then renamed,
    so an interrupted run never leaves a short file that a later run would reuse)."""
    path = workdir / f"focus_{rows}.csv"
    if path.is_file():
        print(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".csv.partial")
    started = time.perf_counter()
    writer: pa_csv.CSVWriter | None = None
    try:
        for table in chunks(rows):
            writer = writer or pa_csv.CSVWriter(str(partial), table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    partial.replace(path)
    seconds = time.perf_counter() - started
    size = path.stat().st_size / 1e6
    print(f"generated {path} ({rows:,} rows, {size:,.0f} MB) in {seconds:.1f} s", flush=True)
    return path


# --------------------------------------------------------------------------- database


def configure_env(workdir: Path) -> str:
    """Point the app's settings at a bench-only embedded database unless the user chose one."""
    if os.environ.get("DATABASE_URL", "").strip():
        return "DATABASE_URL"
    if os.environ.get("CLOUDLENS_HOME", "").strip():
        return f"embedded server under CLOUDLENS_HOME={os.environ['CLOUDLENS_HOME']}"
    home = workdir / "home"
    os.environ["CLOUDLENS_HOME"] = str(home)
    os.environ.setdefault("CLOUDLENS_ADMIN_PASSWORD", "bench-admin-password")
    return f"embedded server under {home} (bench-only)"


def open_engine() -> tuple[Settings, sa.Engine]:
    """The app's settings and engine; imported here, after configure_env set the environment."""
    from config import Settings
    from db.engine import get_engine

    settings = Settings.from_env()
    return settings, get_engine(settings)


def clear_previous(engine: sa.Engine) -> None:
    """Rows of earlier bench runs only; the load then refreshes gold for the periods it covers."""
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM bronze.focus_cost WHERE x_source = :s"), {"s": SOURCE})
        conn.execute(sa.text("DELETE FROM app.load_log WHERE source = :s"), {"s": SOURCE})
    # Reclaim the deleted rows now, so the timed load does not pay for them.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE bronze.focus_cost"))


def peak_rss_mib() -> float:
    """Peak RSS of this process image. Linux's ru_maxrss keeps the parent's peak across fork and
    exec (the child would report the generator's memory), so VmHWM is read where it exists."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass(frozen=True)
class LoadRun:
    status: str
    seconds: float
    rows: int
    billed: Decimal
    rss_before_mib: float
    peak_rss_mib: float
    error: str | None


def child_load(path: Path) -> None:
    """The timed load, in its own process so generation does not inflate its peak RSS."""
    from ingestion.loader import load_file

    settings, engine = open_engine()
    before = peak_rss_mib()
    started = time.perf_counter()
    result = load_file(
        engine, path, source=SOURCE, batch_bytes=settings.load_batch_bytes, force=True
    )
    seconds = time.perf_counter() - started
    summary = result.summary
    billed = sum(summary.billed_by_currency().values(), Decimal(0)) if summary else Decimal(0)
    print(
        json.dumps(
            {
                "status": result.status,
                "seconds": seconds,
                "rows": summary.row_count if summary else 0,
                "billed": str(billed),
                "rss_before_mib": before,
                "peak_rss_mib": peak_rss_mib(),
                "error": result.error,
            }
        )
    )


def run_child_load(path: Path) -> LoadRun:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-load", str(path)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return LoadRun(**{**out, "billed": Decimal(out["billed"])})


def time_skip(engine: sa.Engine, path: Path, batch_bytes: int) -> float:
    from ingestion.loader import load_file

    started = time.perf_counter()
    result = load_file(engine, path, source=SOURCE, batch_bytes=batch_bytes)
    seconds = time.perf_counter() - started
    if result.status != "skipped":
        raise RuntimeError(f"re-run was {result.status!r}, expected 'skipped': {result.error}")
    return seconds


@dataclass(frozen=True)
class CopyRun:
    seconds: float
    rows: int
    billed: Decimal


def bare_copy(engine: sa.Engine, path: Path) -> CopyRun:
    """COPY the file as it is into an UNLOGGED, index-free, typed twin of bronze.focus_cost."""
    import psycopg
    from psycopg import sql

    from focus.columns import COLUMNS

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    table = sql.Identifier("bronze", COPY_TABLE)
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER true)").format(
        table, sql.SQL(", ").join(sql.Identifier(c.sql) for c in COLUMNS)
    )
    with psycopg.connect(url, options="-c TimeZone=UTC") as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(
            sql.SQL("CREATE UNLOGGED TABLE {} (LIKE bronze.focus_cost INCLUDING DEFAULTS)").format(
                table
            )
        )
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP COLUMN x_source, DROP COLUMN x_load_id, "
                    "DROP COLUMN x_dataset").format(table)
        )  # fmt: skip
        conn.commit()
        try:
            started = time.perf_counter()
            with conn.cursor() as cur, cur.copy(copy_sql) as copy, open(path, "rb") as f:
                while block := f.read(COPY_CHUNK):
                    copy.write(block)
            conn.commit()
            seconds = time.perf_counter() - started
            rows, billed = conn.execute(
                sql.SQL("SELECT count(*), coalesce(sum(billed_cost), 0) FROM {}").format(table)
            ).fetchone()
        finally:
            conn.rollback()
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
            conn.commit()
    return CopyRun(seconds, rows, billed)


@dataclass(frozen=True)
class Reconciliation:
    bronze_rows: int
    bronze_billed: Decimal
    gold_rows: int
    gold_billed: Decimal
    silver_rows: int
    silver_billed: Decimal
    periods: list[str]


def reconcile(engine: sa.Engine) -> Reconciliation:
    """Bronze for the bench source; gold and silver (every source) for the periods it covers."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        bronze = conn.execute(
            sa.text(
                "SELECT count(*), coalesce(sum(billed_cost), 0), "
                "array_agg(DISTINCT (billing_period_start AT TIME ZONE 'UTC')::date) "
                "FROM bronze.focus_cost WHERE x_source = :s"
            ),
            {"s": SOURCE},
        ).one()
        periods = list(bronze[2] or [])
        gold = conn.execute(
            sa.text(
                "SELECT coalesce(sum(row_count), 0), coalesce(sum(billed_cost), 0) "
                "FROM gold.daily_cost WHERE billing_period_start = ANY(:p)"
            ),
            {"p": periods},
        ).one()
        silver = conn.execute(
            sa.text(
                "SELECT count(*), coalesce(sum(billed_cost), 0) "
                "FROM silver.focus_cost WHERE billing_period = ANY(:p)"
            ),
            {"p": periods},
        ).one()
    return Reconciliation(
        bronze[0], bronze[1], gold[0], gold[1], silver[0], silver[1], [str(p) for p in periods]
    )


# --------------------------------------------------------------------------- report


def report(
    rows: int, path: Path, load: LoadRun, skip: float, copy: CopyRun, rec: Reconciliation
) -> None:
    load_rate, copy_rate = rows / load.seconds, rows / copy.seconds
    print(
        f"\nrows {rows:,} | file {path.stat().st_size / 1e6:,.0f} MB"
        f" | load {load.seconds:.1f} s ({load_rate:,.0f} rows/s)"
        f" | skip {skip:.2f} s"
        f" | bare COPY {copy.seconds:.1f} s ({copy_rate:,.0f} rows/s)"
        f" | ratio {load_rate / copy_rate:.2f}"
        f" | peak RSS {load.peak_rss_mib:,.0f} MiB"
    )
    print(
        f"peak RSS is the loading client process only ({load.rss_before_mib:,.0f} MiB before "
        "load_file: interpreter, imports, engine); the Postgres server's memory is not included."
    )
    file_ok = copy.rows == rec.bronze_rows == load.rows and copy.billed == rec.bronze_billed
    file_ok = file_ok and load.billed == rec.bronze_billed
    gold_ok = rec.gold_rows == rec.silver_rows and rec.gold_billed == rec.silver_billed
    others = rec.silver_rows - rec.bronze_rows
    print(
        f"file (summed by Postgres) {copy.rows:,} rows, BilledCost {copy.billed:,} USD; "
        f"bronze[bench] {rec.bronze_rows:,} rows, {rec.bronze_billed:,}; "
        f"gold {rec.gold_rows:,} rows, {rec.gold_billed:,} for periods {', '.join(rec.periods)}"
        + (f" (incl. {others:,} rows of other sources)" if others else "")
    )
    print(f"reconciled: {'yes' if file_ok and gold_ok else 'no'}")
    print(
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        " (above one per CPU, other processes compete and the figures are noisy)"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated CSV")
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / "bench" / "out", help="where files go"
    )
    parser.add_argument("--child-load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child_load:
        child_load(args.child_load)
        return
    workdir = args.workdir.resolve()
    database = configure_env(workdir)
    path = ensure_csv(args.rows, workdir)
    settings, engine = open_engine()
    print(f"database: {database}", flush=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    clear_previous(engine)

    print("timing the load (child process) ...", flush=True)
    load = run_child_load(path)
    if load.status != "loaded":
        raise SystemExit(f"load {load.status}: {load.error}")
    print(f"  loaded {load.rows:,} rows in {load.seconds:.1f} s", flush=True)
    skip = time_skip(engine, path, settings.load_batch_bytes)
    print(f"  re-run skipped in {skip:.2f} s", flush=True)
    print("timing a bare COPY into an unlogged table ...", flush=True)
    copy = bare_copy(engine, path)
    print(f"  copied {copy.rows:,} rows in {copy.seconds:.1f} s", flush=True)
    report(args.rows, path, load, skip, copy, reconcile(engine))


if __name__ == "__main__":
    main()
