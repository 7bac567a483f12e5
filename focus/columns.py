"""The FOCUS 1.2 column set as data: display name, SQL name, and the kind of value it holds.

The bronze table's DDL, the readers and the exporters all follow this list; a test checks that
bronze.focus_cost has exactly these columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "money", "number", "timestamp", "json"]


@dataclass(frozen=True)
class FocusColumn:
    name: str  # as the spec spells it, e.g. BilledCost
    kind: Kind
    since: str = "1.0"

    @property
    def sql(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.name).lower()


COLUMNS: tuple[FocusColumn, ...] = (
    FocusColumn("AvailabilityZone", "text"),
    FocusColumn("BilledCost", "money"),
    FocusColumn("BillingAccountId", "text"),
    FocusColumn("BillingAccountName", "text"),
    FocusColumn("BillingAccountType", "text", "1.2"),
    FocusColumn("BillingCurrency", "text"),
    FocusColumn("BillingPeriodEnd", "timestamp"),
    FocusColumn("BillingPeriodStart", "timestamp"),
    FocusColumn("CapacityReservationId", "text", "1.1"),
    FocusColumn("CapacityReservationStatus", "text", "1.1"),
    FocusColumn("ChargeCategory", "text"),
    FocusColumn("ChargeClass", "text"),
    FocusColumn("ChargeDescription", "text"),
    FocusColumn("ChargeFrequency", "text"),
    FocusColumn("ChargePeriodEnd", "timestamp"),
    FocusColumn("ChargePeriodStart", "timestamp"),
    FocusColumn("CommitmentDiscountCategory", "text"),
    FocusColumn("CommitmentDiscountId", "text"),
    FocusColumn("CommitmentDiscountName", "text"),
    FocusColumn("CommitmentDiscountQuantity", "number", "1.1"),
    FocusColumn("CommitmentDiscountStatus", "text"),
    FocusColumn("CommitmentDiscountType", "text"),
    FocusColumn("CommitmentDiscountUnit", "text", "1.1"),
    FocusColumn("ConsumedQuantity", "number"),
    FocusColumn("ConsumedUnit", "text"),
    FocusColumn("ContractedCost", "money"),
    FocusColumn("ContractedUnitPrice", "number"),
    FocusColumn("EffectiveCost", "money"),
    FocusColumn("InvoiceId", "text", "1.2"),
    FocusColumn("InvoiceIssuerName", "text"),
    FocusColumn("ListCost", "money"),
    FocusColumn("ListUnitPrice", "number"),
    FocusColumn("PricingCategory", "text"),
    FocusColumn("PricingCurrency", "text", "1.2"),
    FocusColumn("PricingCurrencyContractedUnitPrice", "number", "1.2"),
    FocusColumn("PricingCurrencyEffectiveCost", "number", "1.2"),
    FocusColumn("PricingCurrencyListUnitPrice", "number", "1.2"),
    FocusColumn("PricingQuantity", "number"),
    FocusColumn("PricingUnit", "text"),
    FocusColumn("ProviderName", "text"),
    FocusColumn("PublisherName", "text"),
    FocusColumn("RegionId", "text"),
    FocusColumn("RegionName", "text"),
    FocusColumn("ResourceId", "text"),
    FocusColumn("ResourceName", "text"),
    FocusColumn("ResourceType", "text"),
    FocusColumn("ServiceCategory", "text"),
    FocusColumn("ServiceName", "text"),
    FocusColumn("ServiceSubcategory", "text", "1.1"),
    FocusColumn("SkuId", "text"),
    FocusColumn("SkuMeter", "text", "1.1"),
    FocusColumn("SkuPriceDetails", "text", "1.1"),
    FocusColumn("SkuPriceId", "text"),
    FocusColumn("SubAccountId", "text"),
    FocusColumn("SubAccountName", "text"),
    FocusColumn("SubAccountType", "text", "1.2"),
    FocusColumn("Tags", "json"),
)

BY_SQL: dict[str, FocusColumn] = {c.sql: c for c in COLUMNS}

# A file must carry these for its rows to be placed in a billing period and counted.
REQUIRED = ("BilledCost", "BillingPeriodStart", "ChargePeriodStart")

# Later FOCUS versions renamed a few columns; the old SQL name stays the stored one.
ALIASES = {"serviceprovidername": "provider_name"}


# FOCUS 0.5 / 1.0-preview names of columns that 1.0 renamed keeping their meaning (the spec's
# CHANGELOG: AmortizedCost -> EffectiveCost, ChargeType -> ChargeCategory, Region -> RegionId;
# 0.5 files in the wild also spell the 0.5 column ids Provider, Publisher, InvoiceIssuer).
# Read as the 1.x column when the file does not also carry the 1.x name.
PRE_1_0 = {
    "amortizedcost": "EffectiveCost",
    "chargetype": "ChargeCategory",
    "provider": "ProviderName",
    "publisher": "PublisherName",
    "invoiceissuer": "InvoiceIssuerName",
    "region": "RegionId",
}
# Pre-1.0 columns whose meaning 1.0 changed: not read, and the load says why.
PRE_1_0_CHANGED = {
    "usagequantity": "ConsumedQuantity counts Usage rows only since FOCUS 1.0",
    "usageunit": "ConsumedUnit applies to Usage rows only since FOCUS 1.0",
    "chargesubcategory": "removed in FOCUS 1.0 (ChargeCategory and ChargeClass replace it)",
}


def header_key(name: str) -> str:
    """Case- and separator-insensitive key: 'BilledCost', 'billed_cost', 'Billed Cost' match."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


KEYS: dict[str, FocusColumn] = {header_key(c.name): c for c in COLUMNS}
