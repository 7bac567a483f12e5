"""The FOCUS vocabularies: the values a column may hold, the columns a file must carry, the
versions Cloudlens reads. Taken from the FOCUS specification (FOCUS_Spec, specification/columns
/*.md, versions 1.0 to 1.2); identical in the three versions unless a name says otherwise.

One home for what every format and the conformance checker would otherwise each re-declare:
a format maps a cloud's own words onto these, the checker holds files to them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

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

# ISO 4217 national currencies (list one, without funds, metals and test codes), plus the codes
# withdrawn since 2018 that older bills still carry (HRK, SLL, CUC, MRO, STD, VEF, ZWL).
ISO_4217 = tuple(
    re.findall(
        r"[A-Z]{3}",
        """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
    KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRO MRU
    MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
    RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STD STN SVC SYP SZL THB TJS TMT TND
    TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VEF VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR
    ZMW ZWG ZWL
    """,
    )
)
