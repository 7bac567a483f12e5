"""Azure cost rows as FOCUS columns, by the rules azure.py's docstring states.

The value tables (charge types, pricing models, meter categories, resource providers, region
spellings and names) are data: azure.json, beside this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Context, Decimal

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import BY_SQL
from focus.vocabulary import (
    CHARGE_CATEGORIES,
    CHARGE_FREQUENCIES,
    COMMITMENT_DISCOUNT_CATEGORIES,
    PRICING_CATEGORIES,
    SERVICE_CATEGORIES,
)
from ingestion.formats.tables import focus_groups, focus_mapping, load_tables
from ingestion.formats.values import BadValue, convert

PROVIDER = "Microsoft"

_TABLES = load_tables("azure")
# Where each derived FOCUS column comes from, for error messages: roles of azure.json's
# "derived" or copied FOCUS columns, the first present wins.
_SOURCES: dict[str, list[str]] = _TABLES["sources"]
_UNUSED = pa.array(["unusedreservation", "unusedsavingsplan"])
_COMMITMENT = pa.array(["reservation", "savingsplan"])
_NO_REGION = pa.array(["", "unassigned"])
_NONZERO = r"^[-+]?0*\.?0*[1-9]"  # a number whose digits are not all zero
_ZERO = r"^[-+]?(0+\.?0*|\.0+)([eE][-+]?\d+)?$"
_TIMESTAMP = pa.timestamp("us", "UTC")
_DAY = timedelta(days=1)
# Exact products as decimal256 with 24 decimals; wider values take the Python path.
_FACTOR = pa.decimal256(38, 24)
_WIDE = Context(prec=200)


@dataclass
class BoundAzure:
    name: str
    dataset: str  # "actual" or "amortized"
    copied: dict[str, str]  # FOCUS name -> raw column copied as it is
    derived: dict[str, str]  # role (azure.json "derived") -> raw column read for a derived value
    ignored: list[str] = field(default_factory=list)
    empty_ok: bool = True  # a scope with no usage that day exports a header-only file

    @property
    def read_columns(self) -> list[str]:
        return list(dict.fromkeys([*self.copied.values(), *self.derived.values()]))

    def to_focus(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        n = batch.num_rows
        out = {focus: batch.column(raw) for focus, raw in self.copied.items()}
        out["BilledCost"] = out["EffectiveCost"] = self._column(batch, "cost")
        date = self._column(batch, "date")
        out["ChargePeriodStart"] = date
        charged = _timestamps(date)
        out["ChargePeriodEnd"] = pc.add(pc.floor_temporal(charged, unit="day"), _DAY)
        start = self._billing_period_start(batch, charged)
        out["BillingPeriodStart"] = start
        out["BillingPeriodEnd"] = self._billing_period_end(batch, start)
        charge_type = self._text(batch, "charge_type")
        model = self._text(batch, "pricing_model")
        out["ChargeCategory"] = _charge_category(charge_type, n)
        out |= _commitment(charge_type, model, self._column(batch, "benefit_id"))
        if "benefit_name" in self.derived:
            out["CommitmentDiscountName"] = self._column(batch, "benefit_name")
        if model is not None:
            out["PricingCategory"] = _lookup(model, _PRICING_CATEGORIES, "Other")
        out["ChargeFrequency"] = _charge_frequency(self._text(batch, "frequency"), n)
        out |= _consumed(out, n)
        out |= self._money(batch, out)
        out |= self._service(batch, n)
        out |= self._region(batch)
        out |= self._resource_name(batch, out.get("ResourceId"))
        if "tags" in self.derived:
            out["Tags"] = _tags(self._text(batch, "tags"))
        out["ProviderName"] = pa.repeat(pa.scalar(PROVIDER), n)
        out["SubAccountType"] = pa.repeat(pa.scalar("Subscription"), n)
        return {focus: values for focus, values in out.items() if values is not None}

    def source_column(self, focus_name: str) -> str:
        if focus_name in self.copied:
            return self.copied[focus_name]
        for name in _SOURCES.get(focus_name, ()):
            if raw := self.derived.get(name) or self.copied.get(name):
                return raw
        return focus_name

    def _column(self, batch: pa.RecordBatch, role: str) -> pa.Array | None:
        raw = self.derived.get(role)
        return batch.column(raw) if raw else None

    def _text(self, batch: pa.RecordBatch, role: str) -> pa.Array | None:
        values = self._column(batch, role)
        return None if values is None else _text(values)

    def _billing_period_start(self, batch: pa.RecordBatch, charged: pa.Array) -> pa.Array:
        """BillingPeriodStartDate; where absent or empty, the first of the charge's UTC month.

        An unreadable BillingPeriodStartDate is handed on as it is, so the shared reader reports
        it at its row under its own name.
        """
        month = pc.floor_temporal(charged, unit="month")
        raw = self._column(batch, "period_start")
        if raw is None:
            return month
        try:
            stated, _ = convert(raw, BY_SQL["billing_period_start"])
        except BadValue:
            return raw
        return pc.coalesce(stated, month)

    def _billing_period_end(self, batch: pa.RecordBatch, start: pa.Array) -> pa.Array:
        """The day after BillingPeriodEndDate (Azure's last day, inclusive), else the next month."""
        if not pa.types.is_timestamp(start.type):  # unreadable start: the reader reports it
            return pa.nulls(len(start), _TIMESTAMP)
        next_month = pc.ceil_temporal(start, unit="month", ceil_is_strictly_greater=True)
        raw = self._column(batch, "period_end")
        if raw is None:
            return next_month
        last_day = pc.floor_temporal(_timestamps(raw), unit="day")
        return pc.coalesce(pc.add(last_day, _DAY), next_month)

    def _money(self, batch: pa.RecordBatch, out: dict[str, pa.Array]) -> dict[str, pa.Array]:
        """ListCost and ContractedCost; a list price of 0 beside a real cost is Azure's way of
        saying it has none (EA reservation rows), so both list columns are NULL there, not 0."""
        quantity = out.get("PricingQuantity")
        payg = self._column(batch, "payg_cost")
        money = {
            "ListUnitPrice": out.get("ListUnitPrice"),
            "ListCost": payg if payg is not None else _product(out.get("ListUnitPrice"), quantity),
            "ContractedCost": _product(out.get("ContractedUnitPrice"), quantity),
        }
        listed = payg if payg is not None else money["ListUnitPrice"]
        if listed is not None:
            unknown = pc.and_(_matches(listed, _ZERO), _matches(out["BilledCost"], _NONZERO))
            for focus in ("ListUnitPrice", "ListCost"):
                if money[focus] is not None:
                    money[focus] = pc.if_else(unknown, None, money[focus])
        return money

    def _service(self, batch: pa.RecordBatch, n: int) -> dict[str, pa.Array]:
        """ServiceName is ServiceName, else MeterCategory, else ConsumedService, row by row."""
        named = self._text(batch, "service_name")
        meter = self._text(batch, "meter_category")
        consumed = self._text(batch, "consumed_service")
        present = [_blank_to_null(v) for v in (named, meter, consumed) if v is not None]
        service = pc.coalesce(*present) if present else pa.nulls(n, pa.string())
        categories = [_lookup(meter if meter is not None else service, _SERVICE_CATEGORIES)]
        if consumed is not None:
            categories.append(_lookup(consumed, _PROVIDERS))
        category = pc.coalesce(*categories, pa.scalar("Other"))
        return {"ServiceName": service, "ServiceCategory": category}

    def _region(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        location = self._text(batch, "location")
        if location is None:
            return {}
        key = _key(location)
        region = pc.coalesce(_BILLING_REGIONS.get(key), key)
        region = pc.if_else(pc.is_in(region, _NO_REGION), None, region)
        name = pc.coalesce(_REGION_NAMES_BY_ID.get(region), _blank_to_null(location))
        return {"RegionId": region, "RegionName": pc.if_else(pc.is_null(region), None, name)}

    def _resource_name(
        self, batch: pa.RecordBatch, resource_id: pa.Array | None
    ) -> dict[str, pa.Array]:
        """ResourceName, else the last segment of the resource id (`.../virtualMachines/vm1`)."""
        named = self._text(batch, "resource_name")
        derived = None
        if resource_id is not None:
            parts = pc.extract_regex(_text(resource_id), r"/(?P<name>[^/]+)$")
            derived = pc.struct_field(parts, "name")
        present = [_blank_to_null(v) for v in (named, derived) if v is not None]
        return {"ResourceName": pc.coalesce(*present)} if present else {}


@dataclass(frozen=True)
class _Table:
    """A value mapping applied with Arrow compute: keys normalized like `_key`."""

    keys: pa.Array
    values: pa.Array

    @classmethod
    def of(cls, mapping: dict[str, str | None]) -> _Table:
        keys = [re.sub(r"[^a-z0-9]", "", k.lower()) for k in mapping]
        return cls(pa.array(keys, pa.string()), pa.array(list(mapping.values()), pa.string()))

    def get(self, keys: pa.Array) -> pa.Array:
        """The mapped value of each (already normalized) key; NULL where the key is unknown."""
        return pc.take(self.values, pc.index_in(keys, self.keys))


# Value tables, keys normalized like `_key`. MeterCategory -> ServiceCategory covers the services
# Azure bills most; ConsumedService's resource provider decides where the meter category is
# unknown; other services are "Other". Region ids as ARM spells them (`eastus2`) from any Azure
# spelling: `EastUS2`, `East US 2`, and the older billing names (`US East 2`, `EU West`).
_CHARGE_CATEGORIES = _Table.of(
    focus_mapping(_TABLES["charge_categories"], CHARGE_CATEGORIES, "azure charge_categories")
)
_PRICING_CATEGORIES = _Table.of(
    focus_mapping(_TABLES["pricing_categories"], PRICING_CATEGORIES, "azure pricing_categories")
)
_COMMITMENT_TYPES = _Table.of(_TABLES["commitment_types"])
_COMMITMENT_CATEGORIES = _Table.of(
    focus_mapping(
        _TABLES["commitment_categories"],
        COMMITMENT_DISCOUNT_CATEGORIES,
        "azure commitment_categories",
    )
)
_FREQUENCIES = _Table.of(
    focus_mapping(_TABLES["charge_frequencies"], CHARGE_FREQUENCIES, "azure charge_frequencies")
)
_SERVICE_CATEGORIES = _Table.of(
    focus_groups(_TABLES["meter_categories"], SERVICE_CATEGORIES, "azure meter_categories")
)
_PROVIDERS = _Table.of(
    focus_mapping(_TABLES["provider_categories"], SERVICE_CATEGORIES, "azure provider_categories")
)
_BILLING_REGIONS = _Table.of(_TABLES["billing_region_ids"])
_REGION_NAMES_BY_ID = _Table.of(_TABLES["region_names"])


def dataset_evidence(cost: pa.Array, charge_type: pa.Array, pricing_model: pa.Array) -> str | None:
    """What a file's first rows prove: unused commitments and commitment-covered usage with a
    cost exist only in amortized data; commitment purchases with a cost only in actual data.
    "amortized", "actual", or None when they prove neither (or both)."""
    costly = _matches(cost, _NONZERO)
    kind = pc.fill_null(_key(_text(charge_type)), "")
    committed = pc.fill_null(pc.is_in(_key(_text(pricing_model)), _COMMITMENT), False)
    amortized = pc.or_(
        pc.is_in(kind, _UNUSED),
        pc.and_(pc.and_(pc.equal(kind, "usage"), committed), costly),
    )
    actual = pc.and_(pc.and_(pc.equal(kind, "purchase"), committed), costly)
    seen_amortized, seen_actual = pc.any(amortized).as_py(), pc.any(actual).as_py()
    if seen_amortized == seen_actual:
        return None
    return "amortized" if seen_amortized else "actual"


def _text(values: pa.Array) -> pa.Array:
    """Parquet exports may carry typed columns; the rules here read text."""
    return values if pa.types.is_string(values.type) else values.cast(pa.string())


def _blank_to_null(values: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(trimmed, ""), None, trimmed)


def _matches(values: pa.Array, pattern: str) -> pa.Array:
    """Whether each value's text matches; NULL counts as no."""
    return pc.fill_null(pc.match_substring_regex(_text(values), pattern), False)


def _key(values: pa.Array) -> pa.Array:
    """`UnusedReservation`, ` unused reservation ` -> `unusedreservation`."""
    return pc.replace_substring_regex(pc.utf8_lower(values), r"[^a-z0-9]", "")


def _lookup(values: pa.Array, table: _Table, default: str | None = None) -> pa.Array:
    """Map values through `table`: empty -> NULL, unknown -> `default` (NULL if None)."""
    keys = _key(values)
    mapped = table.get(keys)
    if default is None:
        return mapped
    return pc.if_else(pc.equal(keys, ""), None, pc.coalesce(mapped, pa.scalar(default)))


def _timestamps(values: pa.Array) -> pa.Array:
    """Values as UTC timestamps; NULL throughout if unreadable (the reader reports those)."""
    try:
        parsed, _ = convert(values, BY_SQL["charge_period_end"])
    except BadValue:
        return pa.nulls(len(values), _TIMESTAMP)
    return parsed


def _charge_category(charge_type: pa.Array | None, n: int) -> pa.Array:
    """Azure ChargeType in FOCUS terms; no ChargeType (legacy usage details) means usage.

    An unknown charge type is kept as written, so it shows rather than being guessed.
    """
    if charge_type is None:
        return pa.repeat(pa.scalar("Usage"), n)
    mapped = _lookup(charge_type, _CHARGE_CATEGORIES)
    written = _blank_to_null(charge_type)
    return pc.coalesce(mapped, written, pa.scalar("Usage"))


def _commitment(
    charge_type: pa.Array | None, model: pa.Array | None, benefit: pa.Array | None
) -> dict[str, pa.Array]:
    """Reservation and savings plan columns: which commitment, its kind, used or unused."""
    out: dict[str, pa.Array] = {}
    if benefit is not None:
        out["CommitmentDiscountId"] = _blank_to_null(_text(benefit))
    if model is not None:
        out["CommitmentDiscountType"] = _lookup(model, _COMMITMENT_TYPES)
        out["CommitmentDiscountCategory"] = _lookup(model, _COMMITMENT_CATEGORIES)
    if charge_type is not None:
        kind = _key(charge_type)
        status = pc.if_else(pc.is_in(kind, _UNUSED), "Unused", None)
        if model is not None:
            used = pc.and_(pc.equal(kind, "usage"), pc.is_in(_key(model), _COMMITMENT))
            status = pc.if_else(pc.fill_null(used, False), "Used", status)
        out["CommitmentDiscountStatus"] = status
    return out


def _charge_frequency(frequency: pa.Array | None, n: int) -> pa.Array:
    if frequency is None:  # legacy usage details hold usage only
        return pa.repeat(pa.scalar("Usage-Based"), n)
    return pc.coalesce(_lookup(frequency, _FREQUENCIES), _blank_to_null(frequency))


def _consumed(out: dict[str, pa.Array], n: int) -> dict[str, pa.Array]:
    """Usage rows consume what they price; unused commitments, purchases, refunds and taxes
    consume nothing."""
    consuming = pc.equal(out["ChargeCategory"], "Usage")
    if (status := out.get("CommitmentDiscountStatus")) is not None:
        consuming = pc.and_(consuming, pc.invert(pc.fill_null(pc.equal(status, "Unused"), False)))
    consuming = pc.fill_null(consuming, False)
    consumed = {}
    for priced, name in (("PricingQuantity", "ConsumedQuantity"), ("PricingUnit", "ConsumedUnit")):
        if (values := out.get(priced)) is not None:
            consumed[name] = pc.if_else(consuming, values, pa.nulls(n, values.type))
    return consumed


def _product(price: pa.Array | None, quantity: pa.Array | None) -> pa.Array | None:
    """price x quantity as exact decimal text; NULL where either is missing.

    Unreadable values give NULL here; the shared reader reports them under their own columns.
    """
    if price is None or quantity is None:
        return None
    number = BY_SQL["contracted_unit_price"]
    try:
        price, _ = convert(price, number)
        quantity, _ = convert(quantity, number)
    except BadValue:
        return pa.nulls(len(price), pa.string())
    try:
        product = pc.multiply(price.cast(_FACTOR), quantity.cast(_FACTOR)).cast(pa.string())
    except pa.ArrowInvalid:  # more decimals than the fast path holds
        return pa.array(
            [
                None if p is None or q is None else format(_WIDE.multiply(Decimal(p), Decimal(q)))
                for p, q in zip(price.to_pylist(), quantity.to_pylist(), strict=True)
            ],
            pa.string(),
        )
    return pc.replace_substring_regex(product, r"(\.\d*?[1-9])0+$|\.0+$", r"\1")


def _tags(values: pa.Array) -> pa.Array:
    """One JSON object string per row: the cell, in braces if Azure left them out.

    Postgres parses it into jsonb, so a cell that is not JSON fails the load at its row and
    column, and no cell is parsed twice.
    """
    body = _blank_to_null(values)
    braced = pc.if_else(
        pc.starts_with(body, "{"), body, pc.binary_join_element_wise("{", body, "}", "")
    )
    return pc.if_else(pc.match_substring_regex(braced, r"^\{\s*\}$"), None, braced)
