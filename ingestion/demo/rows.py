"""The demo's FOCUS rows: usage priced by the simulation, then each month's rows that are not
metered usage (the Savings Plan purchase and its unused share, credits, tax), as Arrow tables in
the FOCUS column order.

Money columns are decimals built from integer micro units, so the CSV carries exact fixed-point
text, never float noise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import COLUMNS
from ingestion.demo.catalog import CREDITS, PROVIDERS, Account
from ingestion.demo.fleet import billing_ids, plain_number
from ingestion.demo.simulation import (
    MICRO,
    PLAN_ACCOUNT,
    PLAN_NAME,
    PLAN_TERM_DAYS,
    Costs,
    Month,
    Plan,
    Usage,
    iso,
    micro,
    month_of,
    usage,
)

_PRICES = {"ListUnitPrice", "ContractedUnitPrice"}
_PRICES |= {f"PricingCurrency{name}" for name in _PRICES}
_SIX_DECIMALS = {"ConsumedQuantity", "PricingQuantity", "CommitmentDiscountQuantity"}
_SIX_DECIMALS |= {"PricingCurrencyEffectiveCost"}


def _arrow_type(name: str, kind: str) -> pa.DataType:
    """Numbers as decimals: the CSV then carries exact fixed-point text, never float noise."""
    if name in _PRICES:
        return pa.decimal128(38, 10)
    if kind == "money" or name in _SIX_DECIMALS:
        return pa.decimal128(38, 6)
    return pa.string()


SCHEMA = pa.schema([(c.name, _arrow_type(c.name, c.kind)) for c in COLUMNS])
ROWS_PER_CHUNK = 262_144  # memory bound at any scale: one chunk of one provider-month at a time


def month_tables(plan: Plan, start: date, seed: int) -> Iterator[pa.Table]:
    """Usage in chunks of lines (memory stays bounded at any scale), then the month's other
    charges, which need the usage totals."""
    month = month_of(plan, start)
    n_lines = len(plan.fleet.qty)
    per_chunk = max(1, ROWS_PER_CHUNK // max(1, month.t1 - month.t0))
    for i, first in enumerate(range(0, n_lines, per_chunk)):
        key = [seed, PROVIDERS.index(plan.provider), start.year, start.month, i]
        rng = np.random.default_rng(key)
        rows = usage(month, np.arange(first, min(first + per_chunk, n_lines)), rng)
        yield _usage_table(month, rows)
    yield pa.Table.from_pylist(_other_charges(month), schema=SCHEMA)


def _decimal(units: np.ndarray, scale: int, valid: np.ndarray | None = None) -> pa.Array:
    """Integers in units of 10**-scale as an exact decimal column (no float on the way)."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), np.int64)
    words[:, 0], words[:, 1] = units, units >> 63  # 128-bit two's complement, little-endian
    arr = pa.Array.from_buffers(pa.decimal128(38, scale), len(units), [None, pa.py_buffer(words)])
    return arr if valid is None else pc.if_else(pa.array(valid), arr, pa.scalar(None, arr.type))


def _cost_columns(costs: Costs) -> dict[str, pa.Array]:
    """Money in the billing currency (USD amounts x fx) and in USD, the pricing currency."""
    fx, price, rate = costs.fx, costs.price, costs.rate
    return {
        "BilledCost": _decimal(costs.billed, 6),
        "EffectiveCost": _decimal(micro(costs.effective_usd * fx), 6),
        "ListCost": _decimal(micro(costs.list_usd * fx), 6),
        "ContractedCost": _decimal(micro(costs.contracted_usd * fx), 6),
        "ListUnitPrice": _decimal(micro(price * fx * 1e10), 10),
        "ContractedUnitPrice": _decimal(micro(price * rate * fx * 1e10), 10),
        "PricingCurrencyListUnitPrice": _decimal(micro(price * 1e10), 10),
        "PricingCurrencyContractedUnitPrice": _decimal(micro(price * rate * 1e10), 10),
        "PricingCurrencyEffectiveCost": _decimal(costs.effective_usd, 6),
        "CommitmentDiscountQuantity": _decimal(costs.effective_usd, 6, costs.covered),
    }


def _usage_table(month: Month, rows: Usage) -> pa.Table:
    plan, fleet, p = month.plan, month.plan.fleet, month.plan.provider
    di, li, qty, costs = rows.di, rows.li, rows.qty, rows.costs
    n, covered = len(li), costs.covered
    columns = _cost_columns(costs)
    columns |= {name: pc.take(arr, pa.array(li)) for name, arr in fleet.text.items()}
    invoices = pa.array([month.invoice(b) for b in billing_ids(p)], pa.string())
    category = np.where(covered, 1, np.where(fleet.spot[li], 2, 0))
    period_start, period_end = month.period
    constants = {
        "BillingAccountType": p.billing_type,
        "BillingPeriodStart": period_start,
        "BillingPeriodEnd": period_end,
        "ChargeCategory": "Usage",
        "ChargeFrequency": "Usage-Based",
        "InvoiceIssuerName": p.issuer,
        "PricingCurrency": "USD",
        "ProviderName": p.name,
        "PublisherName": p.name,
        "SubAccountType": p.sub_type,
    }
    columns |= {name: pa.repeat(value, n) for name, value in constants.items()}
    columns |= {
        "ChargePeriodStart": pc.take(plan.day_text, pa.array(di)),
        "ChargePeriodEnd": pc.take(plan.day_text, pa.array(di + 1)),
        "ConsumedQuantity": _decimal(micro(qty * fleet.block[li]), 6),
        "PricingQuantity": _decimal(qty, 6),
        "PricingCategory": pc.take(pa.array(["Standard", "Committed", "Dynamic"]), category),
        "InvoiceId": pc.take(invoices, pa.array(fleet.billing[li])),
    }
    if covered.any():
        columns |= _commitment_columns(plan, covered, "Used")
    return pa.Table.from_arrays(
        [columns[f.name] if f.name in columns else pa.nulls(n, f.type) for f in SCHEMA],
        schema=SCHEMA,
    )


def _savings_plan(plan: Plan) -> dict[str, str]:
    payer = next(iter(plan.provider.accounts.values())).billing_id
    uuid = hashlib.sha256(f"{payer}|{plan.window.start}".encode()).hexdigest()
    return {
        "CommitmentDiscountId": f"arn:aws:savingsplans::{payer}:savingsplan/{uuid[:8]}-"
        f"{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:32]}",
        "CommitmentDiscountName": PLAN_NAME,
        "CommitmentDiscountCategory": "Spend",
        "CommitmentDiscountType": "Compute Savings Plan",
        "CommitmentDiscountUnit": "USD",
    }


def _commitment_columns(plan: Plan, covered: np.ndarray, status: str) -> dict[str, pa.Array]:
    mask = pa.array(covered)
    values = _savings_plan(plan) | {"CommitmentDiscountStatus": status}
    return {
        name: pc.if_else(mask, pa.scalar(value), pa.scalar(None, pa.string()))
        for name, value in values.items()
    }


def _other_charges(month: Month) -> list[dict[str, object]]:
    """Rows that are not metered usage: the commitment, credits and tax."""
    rows = _commitment_rows(month) if month.plan.purchase_day is not None else []
    if month.complete:
        rows += _credit_rows(month) + _tax_rows(month)
    return rows


def _base_row(month: Month, account: Account, service: str | None) -> dict[str, object]:
    p = month.plan.provider
    period_start, period_end = month.period
    row: dict[str, object] = {
        "BillingAccountId": account.billing_id,
        "BillingAccountName": account.billing_name,
        "BillingAccountType": p.billing_type,
        "BillingCurrency": account.currency,
        "BillingPeriodStart": period_start,
        "BillingPeriodEnd": period_end,
        "ChargePeriodStart": period_start,
        "ChargePeriodEnd": period_end,
        "InvoiceId": month.invoice(account.billing_id),
        "InvoiceIssuerName": p.issuer,
        "PricingCurrency": "USD",
        "ProviderName": p.name,
        "PublisherName": p.name,
        "SubAccountId": account.sub_id,
        "SubAccountName": account.sub_name,
        "SubAccountType": p.sub_type,
    }
    if service:
        name, category, subcategory = p.services[service]
        row |= {"ServiceName": name, "ServiceCategory": category, "ServiceSubcategory": subcategory}
    return row


def _dec(units: int) -> Decimal:
    return Decimal(int(units)).scaleb(-6)


def _amounts(billed: int, effective: int, list_cost: int) -> dict[str, object]:
    """Money of a row that is not metered usage. These are all on USD accounts, where the
    pricing currency amounts equal the billing ones."""
    return {
        "BilledCost": _dec(billed),
        "EffectiveCost": _dec(effective),
        "ListCost": _dec(list_cost),
        "ContractedCost": _dec(list_cost),
        "PricingCurrencyEffectiveCost": _dec(effective),
    }


def _commitment_rows(month: Month) -> list[dict[str, object]]:
    """The purchase on its day, and each day's unused share of the commitment."""
    plan = month.plan
    bought = plan.purchase_day
    sp = _savings_plan(plan)
    common = _base_row(month, plan.provider.accounts[PLAN_ACCOUNT], "savings") | sp
    common |= {"ResourceId": sp["CommitmentDiscountId"], "ResourceName": PLAN_NAME}
    common["ResourceType"] = "Savings Plan"
    rows = []
    if month.t0 <= bought < month.t1:
        total = plan.commit_daily * PLAN_TERM_DAYS
        hourly = plain_number(plan.commit_daily / 24 / MICRO)
        term_end = plan.window.start + timedelta(days=bought + PLAN_TERM_DAYS)
        purchase = {
            "ChargeCategory": "Purchase",
            "ChargeFrequency": "One-Time",
            "ChargeDescription": f"{PLAN_NAME}, ${hourly} per hour commitment",
            "ChargePeriodStart": plan.day_text[bought].as_py(),
            "ChargePeriodEnd": iso(term_end),  # the purchase covers the whole term
            "PricingCategory": "Standard",
            "CommitmentDiscountQuantity": _dec(total),
        }
        rows.append(common | _amounts(total, 0, total) | purchase)
    for t in range(max(bought, month.t0), min(bought + PLAN_TERM_DAYS, month.t1)):
        unused = plan.commit_daily - int(month.plan_used[t - month.t0])
        waste = {
            "ChargeCategory": "Usage",
            "ChargeFrequency": "Usage-Based",
            "ChargeDescription": "Unused Savings Plan commitment",
            "ChargePeriodStart": plan.day_text[t].as_py(),
            "ChargePeriodEnd": plan.day_text[t + 1].as_py(),
            "PricingCategory": "Committed",
            "CommitmentDiscountStatus": "Unused",
            "CommitmentDiscountQuantity": _dec(unused),
        }
        rows.append(common | _amounts(0, unused, 0) | waste)
    return rows


def _credit_rows(month: Month) -> list[dict[str, object]]:
    p, window = month.plan.provider, month.plan.window
    rows = []
    for credit in (c for c in CREDITS if c.provider == p.key):
        first = window.start + timedelta(days=window.day(credit.first))
        months_in = (month.start.year - first.year) * 12 + month.start.month - first.month
        billed = month.billed_for(credit.account, credit.service)
        amount = int(min(credit.cap * MICRO, credit.share * billed))
        if not 0 <= months_in < credit.months or amount <= 0:
            continue
        kind = {"ChargeCategory": "Credit", "ChargeFrequency": "One-Time"}
        kind["ChargeDescription"] = credit.description
        base = _base_row(month, p.accounts[credit.account], credit.service)
        rows.append(base | _amounts(-amount, -amount, 0) | kind)
    return rows


def _tax_rows(month: Month) -> list[dict[str, object]]:
    """Sales tax per account and service, as AWS bills it."""
    p = month.plan.provider
    rows = []
    for account in p.accounts.values() if p.tax_rate else ():
        for service, (name, _, _) in p.services.items():
            tax = round(month.billed_for(account.key, service) * p.tax_rate)
            if tax > 0:
                kind = {"ChargeCategory": "Tax", "ChargeFrequency": "Recurring"}
                kind["ChargeDescription"] = f"US sales tax on {name}"
                rows.append(_base_row(month, account, service) | _amounts(tax, tax, tax) | kind)
    return rows
