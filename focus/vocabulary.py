"""The FOCUS vocabularies: the values a column may hold, the columns a file must carry, the
versions Cloudlens reads. Taken from the FOCUS specification (FOCUS_Spec, specification/columns
/*.md, versions 1.0 to 1.2); identical in the three versions unless a name says otherwise.

One home for what every format and the conformance checker would otherwise each re-declare:
a format maps a cloud's own words onto these, the checker holds files to them.
"""

from __future__ import annotations

import json
from pathlib import Path

from babel.core import get_global

VERSIONS = ("1.0", "1.1", "1.2")

# Columns a FOCUS file must carry (the spec's "Mandatory" feature level), in every version.
MANDATORY = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
    "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "ServiceCategory",
    "ServiceName",
)  # fmt: skip

CHARGE_CATEGORIES = ("Usage", "Purchase", "Tax", "Credit", "Adjustment")
CHARGE_CLASSES = ("Correction",)
CHARGE_FREQUENCIES = ("One-Time", "Recurring", "Usage-Based")
PRICING_CATEGORIES = ("Standard", "Dynamic", "Committed", "Other")
COMMITMENT_DISCOUNT_CATEGORIES = ("Spend", "Usage")
COMMITMENT_DISCOUNT_STATUSES = ("Used", "Unused")
CAPACITY_RESERVATION_STATUSES = ("Used", "Unused")  # since 1.1

# ServiceCategory -> its ServiceSubcategory values (1.1+), in the spec's order; a data file
# because it is a table, not logic.
SUBCATEGORIES: dict[str, tuple[str, ...]] = {
    category: tuple(subs)
    for category, subs in json.loads(
        (Path(__file__).with_name("service_categories.json")).read_text(encoding="utf-8")
    ).items()
}
SERVICE_CATEGORIES = tuple(SUBCATEGORIES)
# ServiceSubcategory -> its one parent ServiceCategory; every category has "Other (…)".
SUBCATEGORY_PARENT: dict[str, str] = {
    sub: cat for cat, subs in SUBCATEGORIES.items() for sub in (*subs, f"Other ({cat})")
}

# ISO 4217 codes a bill can be in: those CLDR (read through babel) records as the legal tender of
# some territory, today or in the past (a bill from before a redenomination keeps its code).
# That leaves out the ISO codes no one bills in: funds (CHE, USN...), metals (XAU...), bond units,
# XDR, test and "no currency" (XTS, XXX), and CLDR's non-ISO CNH. VED, the digital bolivar ISO
# lists since 2021, CLDR marks as not tender: added by hand.
ISO_4217: tuple[str, ...] = tuple(
    sorted(
        {
            code
            for history in get_global("territory_currencies").values()
            for code, *_, tender in history
            if tender
        }
        | {"VED"}
    )
)
