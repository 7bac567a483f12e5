"""OCI cost and usage reports (Object Storage `reports/cost-csv` and `reports/usage-csv`).

Money. BilledCost is cost/myCost, what the invoice charges (OCI documents billedQuantity, myCost
and unitPrice as inclusive of overage). EffectiveCost is the same value: these reports carry no
amortization. cost/unitPrice is the price billed to this tenancy, discounts included, so it is
the ContractedUnitPrice and ContractedCost is cost/unitPrice x usage/billedQuantity (exact
decimals; FOCUS_Spec supporting_content/columns/contractedunitprice.md names cost/unitPrice the
best match). The reports have no list price (listunitprice.md: "Not available in Cost and Usage
Report"), so ListCost and ListUnitPrice stay NULL rather than invented.

Report kind. A file with any `cost/` column, or named like `reports_cost-csv_*`, is a cost report
and must have cost/myCost and cost/currencyCode: a cost report stripped of its money is refused,
never loaded as usage. Other OCI files are usage reports: dataset "usage", no money at all
(BilledCost and the other costs NULL), quantities only.

Periods. The reports have no billing period column: BillingPeriodStart is the first of the UTC
month of lineItem/intervalUsageStart, BillingPeriodEnd the first of the next month.

Other columns. ResourceType is the type an OCID spells (ocid1.<type>.…); RegionName repeats
product/region, the report's only name for a region; ChargeDescription is product/Description
(product/resource in usage reports, which lack it); PricingUnit is cost/skuUnitDescription;
PricingCategory is "Standard" (unit prices are the tenancy's agreed rates, with no commitment
discount construct in the rows); ChargeFrequency is "Usage-Based" (hourly metered lines).

Corrections (lineItem/isCorrection true) restate an earlier line: ChargeCategory "Adjustment",
every other line "Usage". ChargeClass stays NULL: the report does not say whether the corrected
line was already invoiced.

Tags. Every `tags/<key>` column becomes one key of the Tags JSON object: the key is the header
after `tags/`, as written (`Oracle-Tags.CreatedBy` for a defined tag in its namespace,
`free-form-tag` for a free-form tag); empty values are skipped, a row without tags gets NULL.

OCI's column names vary in case between report versions and its docs (lineItem/tenantId vs
lineItem/TenantId), so columns are matched case-insensitively.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import BY_SQL
from focus.vocabulary import SERVICE_CATEGORIES
from ingestion.errors import BadInput
from ingestion.formats.tables import focus_mapping, load_tables
from ingestion.formats.values import BadValue, convert

COST_REPORT = "OCI cost report"
USAGE_REPORT = "OCI usage report"
PROVIDER = "Oracle"

START = "lineItem/intervalUsageStart"
MY_COST = "cost/myCost"
CURRENCY = "cost/currencyCode"
UNIT_PRICE = "cost/unitPrice"
BILLED_QUANTITY = "usage/billedQuantity"
CONSUMED_QUANTITY = "usage/consumedQuantity"
IS_CORRECTION = "lineItem/isCorrection"
RESOURCE_ID = "product/resourceId"
TAG_PREFIX = "tags/"

# Columns no other provider's export has; two of them in a header make it an OCI report.
_OCI_ONLY = (
    "lineitem/tenantid",
    "lineitem/intervalusagestart",
    "lineitem/intervalusageend",
    "product/compartmentid",
    "product/compartmentname",
    "usage/billedquantity",
    "usage/consumedquantity",
    "cost/mycost",
)
_REQUIRED = {COST_REPORT: (START, MY_COST, CURRENCY), USAGE_REPORT: (START, CONSUMED_QUANTITY)}

_TABLES = load_tables("oci")
# FOCUS column -> the OCI columns that can fill it, the first one present in the header wins.
# RegionName repeats product/region: the report's only name for a region is its identifier.
_COPIED: dict[str, list[str]] = _TABLES["copied"]
_CONSTANTS = {
    "ProviderName": PROVIDER,
    "PublisherName": PROVIDER,
    "InvoiceIssuerName": PROVIDER,
    "ChargeFrequency": "Usage-Based",
}
# FOCUS account type -> (the id it describes, OCI's name for that kind of account)
_ACCOUNT_TYPES = {
    "BillingAccountType": ("BillingAccountId", "Tenancy"),
    "SubAccountType": ("SubAccountId", "Compartment"),
}

# product/service -> FOCUS ServiceCategory, for the services OCI reports most; others are "Other".
_CATEGORIES = focus_mapping(
    _TABLES["service_categories"], SERVICE_CATEGORIES, "oci service_categories"
)
_SERVICE_CODES = pa.array(list(_CATEGORIES))
_SERVICE_CATEGORIES = pa.array(list(_CATEGORIES.values()))
_TRUE = pa.array(["true", "t", "y", "yes", "1"])

# Fast exact product: price and quantity as decimal256 with 24 decimals (OCI writes at most 18);
# the product (76 digits, 48 decimals) still fits. Wider values take the Python path below.
_PRICE = pa.decimal256(38, 24)
_QUANTITY = pa.decimal256(37, 24)
_WIDE = Context(prec=200)


class OciReport:
    name = "OCI cost or usage report"

    def matches(self, header: Sequence[str]) -> bool:
        keys = {_key(h) for h in header}
        return sum(k in keys for k in _OCI_ONLY) >= 2

    def bind(self, header: Sequence[str], path: Path) -> BoundOci:
        raw = {_key(h): h for h in header}
        is_cost = "cost-csv" in path.name.lower() or any(k.startswith("cost/") for k in raw)
        name = COST_REPORT if is_cost else USAGE_REPORT
        for column in _REQUIRED[name]:
            if _key(column) not in raw:
                raise BadInput(path.name, _missing_reason(name, raw), column=column, fmt=name)
        copied = {
            focus: raw[found]
            for focus, candidates in _COPIED.items()
            if (found := next((_key(c) for c in candidates if _key(c) in raw), None))
        }
        tags = {h: h[len(TAG_PREFIX) :] for k, h in raw.items() if k.startswith(TAG_PREFIX)}
        derived = {c: raw[_key(c)] for c in (IS_CORRECTION, RESOURCE_ID) if _key(c) in raw}
        used = {*copied.values(), *tags, *derived.values()}
        return BoundOci(
            name=name,
            dataset="cost" if is_cost else "usage",
            copied=copied,
            tags=tags,
            derived=derived,
            ignored=[h for h in header if h not in used],
        )


@dataclass
class BoundOci:
    name: str
    dataset: str  # "cost" or "usage"
    copied: dict[str, str]  # FOCUS name -> raw OCI column copied as it is
    tags: dict[str, str]  # raw tags/... column -> tag key
    derived: dict[str, str]  # OCI spelling -> raw column, for values computed from it
    ignored: list[str] = field(default_factory=list)
    empty_ok: bool = True  # a report for hours without usage is a header alone

    @property
    def read_columns(self) -> list[str]:
        return list(dict.fromkeys([*self.copied.values(), *self.tags, *self.derived.values()]))

    def to_focus(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        n = batch.num_rows
        out = {focus: batch.column(raw) for focus, raw in self.copied.items()}
        out["BillingPeriodStart"], out["BillingPeriodEnd"] = _billing_period(
            out["ChargePeriodStart"]
        )
        if "ContractedUnitPrice" in out and "PricingQuantity" in out:
            out["ContractedCost"] = _contracted_cost(
                out["ContractedUnitPrice"], out["PricingQuantity"]
            )
        if self.dataset == "cost":
            out["PricingCategory"] = pa.repeat(pa.scalar("Standard"), n)
        out["ChargeCategory"] = _charge_category(self._column(batch, IS_CORRECTION), n)
        out["ServiceCategory"] = _service_category(out.get("ServiceName"), n)
        out["ResourceType"] = _resource_type(self._column(batch, RESOURCE_ID), n)
        out["Tags"] = _tags(batch, self.tags)
        out |= {focus: pa.repeat(pa.scalar(value), n) for focus, value in _CONSTANTS.items()}
        out |= {
            focus: _named_where_present(out[id_column], kind)
            for focus, (id_column, kind) in _ACCOUNT_TYPES.items()
            if id_column in out
        }
        return out

    def source_column(self, focus_name: str) -> str:
        if focus_name in self.copied:
            return self.copied[focus_name]
        sources = {
            "BillingPeriodStart": self.copied["ChargePeriodStart"],
            "BillingPeriodEnd": self.copied["ChargePeriodStart"],
            "ContractedCost": self.copied.get("ContractedUnitPrice", focus_name),
            "ChargeCategory": self.derived.get(IS_CORRECTION, focus_name),
            "ResourceType": self.derived.get(RESOURCE_ID, focus_name),
            "Tags": f"{TAG_PREFIX}*",
        }
        return sources.get(focus_name, focus_name)

    def _column(self, batch: pa.RecordBatch, oci_name: str) -> pa.Array | None:
        raw = self.derived.get(oci_name)
        return _text(batch.column(raw)) if raw else None


def _key(column: str) -> str:
    return column.strip().lower()


def _missing_reason(name: str, raw: dict[str, str]) -> str:
    if name == COST_REPORT and not any(k.startswith("cost/") for k in raw):
        return (
            "the file is named as an OCI cost report but has no cost columns; "
            "it is refused rather than loaded as a usage report without money"
        )
    return f"a required column of an {name} is missing"


def _text(arr: pa.Array) -> pa.Array:
    """Parquet copies of a report may carry typed columns; the rules below read text."""
    return arr if pa.types.is_string(arr.type) else arr.cast(pa.string())


def _named_where_present(ids: pa.Array, kind: str) -> pa.Array:
    """The account type where there is an account id; FOCUS wants no type without an id."""
    return pc.if_else(pc.is_valid(ids), kind, pa.scalar(None, pa.string()))


def _billing_period(start: pa.Array) -> tuple[pa.Array, pa.Array]:
    """First of the UTC month of the charge, and of the next month (the report has no period).

    An unreadable start gives NULL here; the shared reader then reports it at its row and column
    when it converts ChargePeriodStart.
    """
    try:
        charged, _ = convert(start, BY_SQL["charge_period_start"])
    except BadValue:
        empty = pa.nulls(len(start), pa.timestamp("us", "UTC"))
        return empty, empty
    first = pc.floor_temporal(charged, unit="month")
    return first, pc.ceil_temporal(first, unit="month", ceil_is_strictly_greater=True)


def _contracted_cost(price: pa.Array, quantity: pa.Array) -> pa.Array:
    """cost/unitPrice x usage/billedQuantity as exact decimal text; NULL where either is missing.

    Unreadable values give NULL here; the shared reader reports them under their own columns.
    """
    number = BY_SQL["contracted_unit_price"]
    try:
        price, _ = convert(price, number)
        quantity, _ = convert(quantity, number)
    except BadValue:
        return pa.nulls(len(price), pa.string())
    try:
        product = pc.multiply(price.cast(_PRICE), quantity.cast(_QUANTITY)).cast(pa.string())
    except pa.ArrowInvalid:  # more digits than decimal256 holds at this scale
        product = pa.array(
            [
                None
                if p is None or q is None
                else format(_WIDE.multiply(Decimal(p), Decimal(q)), "f")
                for p, q in zip(price.to_pylist(), quantity.to_pylist(), strict=True)
            ],
            pa.string(),
        )
    return _without_trailing_zeros(product)


def _without_trailing_zeros(text: pa.Array) -> pa.Array:
    """0.000040641000000000 -> 0.000040641, 6.2660904000E-12 -> 6.2660904E-12, 10.000 -> 10."""
    text = pc.replace_substring_regex(text, r"^(-?\d+\.\d*?)0+(E[-+]?\d+)?$", r"\1\2")
    return pc.replace_substring_regex(text, r"\.(E[-+]?\d+)?$", r"\1")


def _charge_category(is_correction: pa.Array | None, n: int) -> pa.Array:
    if is_correction is None:
        return pa.repeat(pa.scalar("Usage"), n)
    corrected = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(is_correction)), value_set=_TRUE)
    return pc.if_else(corrected, "Adjustment", "Usage")


def _service_category(service: pa.Array | None, n: int) -> pa.Array:
    if service is None:
        return pa.repeat(pa.scalar("Other"), n)
    index = pc.index_in(pc.utf8_upper(pc.utf8_trim_whitespace(_text(service))), _SERVICE_CODES)
    return pc.fill_null(pc.take(_SERVICE_CATEGORIES, index), "Other")


def _resource_type(resource_id: pa.Array | None, n: int) -> pa.Array:
    """The resource type an OCID spells out: ocid1.<type>.oc1... ("instance", "bootvolume")."""
    if resource_id is None:
        return pa.nulls(n, pa.string())
    parts = pc.extract_regex(resource_id, r"^ocid1\.(?P<type>[a-z0-9]+)\.")
    return pc.struct_field(parts, "type")


def _tags(batch: pa.RecordBatch, columns: dict[str, str]) -> pa.Array:
    """One JSON object per row. Python touches only the non-empty tag cells: reports have many
    tag columns, mostly empty."""
    rows: list[dict[str, str]] = [{} for _ in range(batch.num_rows)]
    for raw, key in columns.items():
        values = _text(batch.column(raw))
        present = pc.indices_nonzero(pc.fill_null(pc.not_equal(values, ""), False))
        for i, value in zip(present.to_pylist(), values.take(present).to_pylist(), strict=True):
            rows[i][key] = value
    return pa.array([json.dumps(r, ensure_ascii=False) if r else None for r in rows], pa.string())
