"""Small FOCUS CSV builders for tests, and an independent reference sum (csv + Decimal)."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

HEADER = [
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "SubAccountId",
    "SubAccountName",
    "RegionId",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "Tags",
]


def row(
    day: str,
    billed: str,
    *,
    provider: str = "AWS",
    service: str = "Amazon EC2",
    account: str = "111111111111",
    currency: str = "USD",
    tags: str = '{"team": "web"}',
) -> dict[str, str]:
    period = day[:8] + "01"
    month, year = int(period[5:7]), int(period[:4])
    end = f"{year + month // 12}-{month % 12 + 1:02d}-01"
    return {
        "BillingAccountId": "999",
        "BillingAccountName": "Payer",
        "BillingCurrency": currency,
        "BillingPeriodStart": f"{period}T00:00:00Z",
        "BillingPeriodEnd": f"{end}T00:00:00Z",
        "ChargePeriodStart": f"{day}T00:00:00Z",
        "ChargePeriodEnd": f"{day}T01:00:00Z",
        "ChargeCategory": "Usage",
        "ProviderName": provider,
        "ServiceName": service,
        "ServiceCategory": "Compute",
        "SubAccountId": account,
        "SubAccountName": f"acct {account}",
        "RegionId": "us-east-1",
        "BilledCost": billed,
        "EffectiveCost": billed,
        "ListCost": billed,
        "ContractedCost": billed,
        "Tags": tags,
    }


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or HEADER
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wt", newline="") as f:
        w = csv.DictWriter(f, fieldnames=header, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


def _period(value: str) -> date:
    value = value.strip()
    if "/" in value:  # the FOCUS spec's SaaS examples: M/D/YY
        return datetime.strptime(value, "%m/%d/%y").date().replace(day=1)
    return date.fromisoformat(value[:10])


def _money(value: str | None) -> Decimal:
    value = (value or "").strip()
    if value in ("", "NULL"):
        return Decimal(0)
    return Decimal(value.replace("$", "").replace(",", ""))


def reference_totals(path: Path, column: str = "BilledCost") -> dict[tuple[str, date], Decimal]:
    """Sum of `column` per (provider, billing period month), read with nothing but csv/Decimal."""
    totals: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    with open(path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            lower = {k.lower(): v for k, v in r.items()}
            provider = (lower.get("providername") or "").strip() or "(unknown)"
            key = (provider, _period(lower["billingperiodstart"]))
            totals[key] += _money(lower[column.lower()])
    return dict(totals)
