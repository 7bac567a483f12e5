"""GCP Cloud Billing export (BigQuery standard or detailed usage cost), flattened to CSV or Parquet.

BigQuery's RECORD columns arrive flattened as `service.description` (or `service_description`);
repeated ones (`credits`, `labels`, `project.labels`, `tags`) as one text cell holding a JSON
array or its Python repr (`[{'key': 'env', 'value': 'prod'}]`), or as nested Parquet lists.

The cost columns follow Google's own FOCUS view of the detailed export: BilledCost and
EffectiveCost are `cost` plus every credit (credits are negative), because that is what the
invoice charges; ContractedCost is `cost` (negotiated price, before credits); ListCost is
`cost_at_list` where the export has it, else NULL. Credits stay on their usage row, as in the
export, so no separate Credit rows appear.

The billing period is `invoice.month` (YYYYMM) taken as a UTC month. Google's invoice month runs
on Pacific time; labelling it at UTC midnight keeps GCP periods aligned with every other
provider's. Without `invoice.month` (very old exports) it is the UTC month of usage_start_time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import BY_SQL
from focus.vocabulary import CHARGE_CATEGORIES, SERVICE_CATEGORIES
from ingestion.errors import BadInput
from ingestion.formats.gcp_cells import BadCell, credit_facts, tags_json
from ingestion.formats.tables import focus_groups, focus_mapping, load_tables
from ingestion.formats.values import BadValue, convert

NAME = "GCP billing export"
PROVIDER = "Google Cloud"

# Header keys: lower case, '.' and '_' alike, so `service.description` = `service_description`.
_SIGNATURE = ("billing_account_id", "usage_start_time")
_ANY_OF = ("service_description", "service_id", "sku_id", "invoice_month", "cost_type")
_REQUIRED = ("billing_account_id", "usage_start_time", "cost", "currency")

_TABLES = load_tables("gcp")
# FOCUS columns copied unchanged from one native column, when the file has it.
_COPIED: dict[str, str] = _TABLES["copied"]
# Where each derived FOCUS column comes from, for error messages; first present key wins.
_DERIVED: dict[str, list[str]] = _TABLES["derived"]
# Lowest precedence first: a resource's own labels win over resource-manager tags, which win
# over labels inherited from the project. system_labels (machine_spec, cores, ...) are resource
# attributes Google sets, not allocation tags, so they stay out of Tags (listed as ignored).
_TAG_SOURCES = ("project_labels", "tags", "labels")
_ADJUSTMENT_INFO = ("adjustment_info_id", "adjustment_info_description", "adjustment_info_type")
# cost_type -> ChargeCategory (a commitment fee, regular by cost_type, is a Purchase).
_COST_TYPES = focus_mapping(_TABLES["cost_types"], CHARGE_CATEGORIES, "gcp cost_types")
_COST_TYPE_KEYS = pa.array(list(_COST_TYPES))
_COST_TYPE_VALUES = pa.array(list(_COST_TYPES.values()))
_INVOICE_MONTH = r"^\d{4}(0[1-9]|1[0-2])$"
_NUMBER = r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"
# Commitment fees ("Commitment v1: Cpu in Americas for 1 Year") are the purchase of a CUD.
_COMMITMENT_SKU = r"(?i)^commitment\b"
_DYNAMIC_SKU = r"(?i)\b(spot|preemptible)\b"
# Exact decimal arithmetic for cost + credits; 37 integer digits leave room for the sum.
_DECIMAL = pa.decimal256(75, 38)

# service.description -> FOCUS ServiceCategory (matched ignoring case); others are "Other".
_SERVICES = focus_groups(
    _TABLES["service_categories"], SERVICE_CATEGORIES, "gcp service_categories"
)
_CATEGORY_KEYS = pa.array([service.lower() for service in _SERVICES])
_CATEGORY_VALUES = pa.array(list(_SERVICES.values()))
# Google's display names for its regions (RegionName); unknown ids leave RegionName empty.
_REGION_KEYS = pa.array(list(_TABLES["region_names"]))
_REGION_VALUES = pa.array(list(_TABLES["region_names"].values()))


def header_key(raw: str) -> str:
    return raw.strip().lower().replace(".", "_")


class GcpBilling:
    name = NAME

    def matches(self, header: Sequence[str]) -> bool:
        keys = {header_key(h) for h in header}
        return all(k in keys for k in _SIGNATURE) and any(k in keys for k in _ANY_OF)

    def bind(self, header: Sequence[str], path: Path) -> BoundGcp:
        columns: dict[str, str] = {}
        for raw in header:
            columns.setdefault(header_key(raw), raw)
        for required in _REQUIRED:
            if required not in columns:
                raise BadInput(
                    path.name,
                    "required GCP billing export column is missing",
                    column=required,
                    fmt=NAME,
                )
        used = set(_COPIED.values()) | {k for keys in _DERIVED.values() for k in keys}
        used |= {"credits", "transaction_type", *_TAG_SOURCES, *_ADJUSTMENT_INFO}
        read = {key: raw for key, raw in columns.items() if key in used}
        ignored = [raw for raw in header if raw not in read.values()]
        return BoundGcp(read, ignored)


@dataclass
class BoundGcp:
    columns: dict[str, str]  # header key -> raw header name, for the columns read
    ignored: list[str]
    name: str = NAME
    dataset: str = "cost"
    empty_ok: bool = True

    @property
    def read_columns(self) -> list[str]:
        return list(self.columns.values())

    def source_column(self, focus_name: str) -> str:
        keys = (_COPIED[focus_name],) if focus_name in _COPIED else _DERIVED.get(focus_name, ())
        return next((self.columns[k] for k in keys if k in self.columns), focus_name)

    def to_focus(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        """FOCUS columns for one batch; ChargePeriodStart first so a bad date is named as such."""
        src = _Source(batch, self.columns)
        out: dict[str, pa.Array] = {"ChargePeriodStart": _utc_text(src.get("usage_start_time"))}
        if (end := src.get("usage_end_time")) is not None:
            out["ChargePeriodEnd"] = _utc_text(end)
        try:
            out["BillingPeriodStart"], out["BillingPeriodEnd"] = _billing_period(
                src.text("invoice_month"), out["ChargePeriodStart"]
            )
        except BadValue as bad:
            raise self._bad(bad.index, "invoice_month", bad.reason) from None
        for focus_name, key in _COPIED.items():
            if (arr := src.get(key)) is not None:
                out[focus_name] = arr
        credits = self._credits(src)
        out["BilledCost"] = out["EffectiveCost"] = _plus(src.text("cost"), credits["total"])
        out |= _charge_columns(src, credits["cud_category"])
        out |= {
            "CommitmentDiscountCategory": credits["cud_category"],
            "CommitmentDiscountName": credits["cud_name"],
            "CommitmentDiscountType": pc.if_else(
                pc.is_valid(credits["cud_category"]), "Committed Use Discount", None
            ),
        }
        out |= _identity_columns(src)
        out["Tags"] = self._tags(src)
        return out

    def _credits(self, src: _Source) -> dict[str, pa.Array]:
        """Per row: the credits' exact sum (decimal text) and the committed use discount, if any."""
        cell = src.text("credits")
        if cell is None:
            nulls = pa.nulls(src.n, pa.string())
            return {"total": nulls, "cud_category": nulls, "cud_name": nulls}
        parsed = self._per_distinct([cell], lambda cells: credit_facts(cells[0]), "credits")
        return {
            name: pa.array([p[i] for p in parsed.values], pa.string()).take(parsed.indices)
            for i, name in enumerate(("total", "cud_category", "cud_name"))
        }

    def _tags(self, src: _Source) -> pa.Array:
        cells = [src.text(key) for key in _TAG_SOURCES]
        present = [(key, c) for key, c in zip(_TAG_SOURCES, cells, strict=True) if c is not None]
        if not present:
            return pa.nulls(src.n, pa.string())
        keys = [key for key, _ in present]
        parsed = self._per_distinct(
            [c for _, c in present], lambda cells: tags_json(keys, cells), keys[-1]
        )
        return pa.array(parsed.values, pa.string()).take(parsed.indices)

    def _per_distinct(
        self, columns: list[pa.Array], parse: Callable[[list[str]], object], key: str
    ) -> _Distinct:
        """Parse each distinct combination of cells once (label and credit cells repeat a lot).

        A value that cannot be parsed raises BadValue at the first row holding it.
        """
        joined = pc.binary_join_element_wise(*[pc.fill_null(c, "") for c in columns], "\x1f")
        encoded = joined.dictionary_encode()
        indices = encoded.indices
        _, first_rows = np.unique(indices.to_numpy(zero_copy_only=False), return_index=True)
        values = []
        for row in first_rows:
            cells = [c[int(row)].as_py() or "" for c in columns]
            try:
                values.append(parse(cells))
            except BadCell as bad:
                raise self._bad(int(row), bad.key or key, bad.reason) from None
        return _Distinct(values, indices)

    def _bad(self, index: int, key: str, reason: str) -> BadValue:
        """The reader numbers the row through the whole file and names this format."""
        return BadValue(index, reason, self.columns.get(key, key))


@dataclass(frozen=True)
class _Distinct:
    values: list  # one parsed result per distinct combination
    indices: pa.Array  # per row: which combination


class _Source:
    """A batch's native columns by header key; absent columns are None."""

    def __init__(self, batch: pa.RecordBatch, columns: dict[str, str]) -> None:
        self.batch, self.columns, self.n = batch, columns, batch.num_rows

    def get(self, key: str) -> pa.Array | None:
        if key not in self.columns:
            return None
        arr = self.batch.column(self.columns[key])
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr

    def text(self, key: str) -> pa.Array | None:
        """The column as strings; nested Parquet values (lists, structs) as JSON text."""
        arr = self.get(key)
        if arr is None or pa.types.is_string(arr.type):
            return arr
        if pa.types.is_nested(arr.type):
            return pa.array(
                [None if v is None else json.dumps(v, default=str) for v in arr.to_pylist()],
                pa.string(),
            )
        return arr.cast(pa.string())


def _constant(value: str, n: int) -> pa.Array:
    return pc.fill_null(pa.nulls(n, pa.string()), value)


def _where(mask: pa.Array, arr: pa.Array | None) -> pa.Array | None:
    """arr where mask holds, NULL elsewhere."""
    return None if arr is None else pc.if_else(mask, arr, pa.scalar(None, arr.type))


def _utc_text(arr: pa.Array) -> pa.Array:
    """BigQuery writes timestamps as '2024-05-01 00:00:00 UTC'; the shared parser wants 'Z'."""
    if pa.types.is_string(arr.type):
        return pc.replace_substring_regex(arr, r"\s*UTC$", "Z")
    return arr


def _billing_period(invoice: pa.Array | None, charge_start: pa.Array) -> tuple[pa.Array, pa.Array]:
    """First of the invoice month and of the next one, as UTC ISO text.

    An empty invoice.month falls back to the UTC month of the charge; one that is not YYYYMM
    raises BadValue at its index.
    """
    n = len(charge_start)
    month = invoice if invoice is not None else pa.nulls(n, pa.string())
    month = pc.utf8_trim_whitespace(month)
    month = pc.if_else(pc.equal(month, ""), None, month)
    valid = pc.fill_null(pc.match_substring_regex(month, _INVOICE_MONTH), False)
    bad = pc.and_(pc.is_valid(month), pc.invert(valid))
    if pc.any(bad).as_py():
        i = pc.index(bad, True).as_py()
        raise BadValue(i, f"{month[i].as_py()!r} is not an invoice month (YYYYMM)")
    safe = pc.if_else(valid, month, "000101")
    year = pc.if_else(valid, pc.utf8_slice_codeunits(safe, 0, 4).cast(pa.int32()), None)
    mon = pc.if_else(valid, pc.utf8_slice_codeunits(safe, 4, 6).cast(pa.int32()), None)
    if pc.any(pc.is_null(month)).as_py():
        charged = _charge_timestamps(charge_start)
        year = pc.coalesce(year, pc.year(charged).cast(pa.int32()))
        mon = pc.coalesce(mon, pc.month(charged).cast(pa.int32()))
    december = pc.equal(mon, 12)
    start = _first_of(year, mon)
    end = _first_of(
        pc.if_else(december, pc.add(year, 1), year), pc.if_else(december, 1, pc.add(mon, 1))
    )
    return start, end


def _charge_timestamps(charge_start: pa.Array) -> pa.Array:
    """Charge starts as UTC timestamps; a bad one is reported by ChargePeriodStart instead."""
    try:
        return convert(charge_start, BY_SQL["charge_period_start"])[0]
    except BadValue:
        return pa.nulls(len(charge_start), pa.timestamp("us", "UTC"))


def _first_of(year: pa.Array, month: pa.Array) -> pa.Array:
    mm = pc.utf8_lpad(month.cast(pa.string()), 2, "0")
    return pc.binary_join_element_wise(year.cast(pa.string()), mm, "01T00:00:00Z", "-")


def _plus(cost: pa.Array, credits: pa.Array) -> pa.Array:
    """cost + credits, exactly, on rows with credits; other rows keep cost's text unchanged.

    A cost that is not a number is left as it is, so the shared validator reports it at its row.
    """
    cost = pc.utf8_trim_whitespace(cost)
    numeric = pc.fill_null(pc.match_substring_regex(cost, _NUMBER), False)
    add = pc.and_(pc.is_valid(credits), numeric)
    if not pc.any(add).as_py():
        return cost
    # Digits beyond 38 decimals (a float's tail, below 1e-38) are dropped, never rounded up.
    as_decimal = pc.cast(pc.if_else(add, cost, "0"), _DECIMAL, safe=False)
    total = pc.add(as_decimal, pc.fill_null(credits, "0").cast(_DECIMAL)).cast(pa.string())
    return pc.if_else(add, _tidy(total), cost)


def _tidy(decimal_text: pa.Array) -> pa.Array:
    """Arrow prints every digit of the scale ('1.50000…', '1.0E-10', '0E-38'): drop the zeros."""
    text = pc.replace_substring_regex(decimal_text, r"^(-?\d+\.\d*?)0+(E[-+]?\d+)?$", r"\1\2")
    text = pc.replace_substring_regex(text, r"\.(E|$)", r"\1")
    return pc.replace_substring_regex(text, r"^-?0E[-+]?\d+$", "0")


def _charge_columns(src: _Source, cud_category: pa.Array) -> dict[str, pa.Array]:
    """ChargeCategory, ChargeClass, ChargeFrequency, PricingCategory and the quantities."""
    cost_type = src.text("cost_type")
    kind = pa.nulls(src.n, pa.string()) if cost_type is None else pc.utf8_lower(cost_type)
    kind = pc.fill_null(pc.utf8_trim_whitespace(kind), "regular")
    category = pc.take(_COST_TYPE_VALUES, pc.index_in(kind, _COST_TYPE_KEYS))
    regular = pc.equal(kind, "regular")
    sku = src.text("sku_description")
    sku = pa.nulls(src.n, pa.string()) if sku is None else sku
    commitment = pc.fill_null(pc.match_substring_regex(sku, _COMMITMENT_SKU), False)
    purchase = pc.and_(regular, commitment)
    category = pc.if_else(purchase, "Purchase", category)
    usage = pc.equal(pc.fill_null(category, ""), "Usage")
    committed = pc.or_(commitment, pc.is_valid(cud_category))
    dynamic = pc.fill_null(pc.match_substring_regex(sku, _DYNAMIC_SKU), False)
    pricing = pc.if_else(committed, "Committed", pc.if_else(dynamic, "Dynamic", "Standard"))
    out = {
        "ChargeCategory": category,
        "ChargeFrequency": pc.if_else(
            purchase, "Recurring", pc.if_else(regular, "Usage-Based", None)
        ),
        "PricingCategory": pc.if_else(regular, pricing, None),
        "ConsumedQuantity": _where(usage, src.get("usage_amount")),
        "ConsumedUnit": _where(usage, src.get("usage_unit")),
        "PricingQuantity": _where(regular, src.get("usage_amount_in_pricing_units")),
        "PricingUnit": _where(regular, src.get("usage_pricing_unit")),
    }
    adjustments = [a for k in _ADJUSTMENT_INFO if (a := src.text(k)) is not None]
    if adjustments:
        corrected = pc.is_valid(pc.coalesce(*adjustments))
        out["ChargeClass"] = pc.if_else(corrected, "Correction", None)
    return {name: arr for name, arr in out.items() if arr is not None}


def _identity_columns(src: _Source) -> dict[str, pa.Array]:
    """Provider, publisher, account types, service category, region and resource."""
    n = src.n
    out = {
        "ProviderName": _constant(PROVIDER, n),
        "PublisherName": _publisher(src),
        "BillingAccountType": _constant("Billing Account", n),
    }
    if (project := src.get("project_id")) is not None:
        out["SubAccountType"] = pc.if_else(pc.is_valid(project), "Project", None)
    service = src.text("service_description")
    if service is not None:
        found = pc.index_in(pc.utf8_lower(pc.utf8_trim_whitespace(service)), _CATEGORY_KEYS)
        out["ServiceCategory"] = pc.fill_null(pc.take(_CATEGORY_VALUES, found), "Other")
    regions = [
        a for k in ("location_region", "location_location") if (a := src.text(k)) is not None
    ]
    if regions:
        region = pc.coalesce(*regions)
        out["RegionId"] = region
        out["RegionName"] = pc.take(_REGION_VALUES, pc.index_in(region, _REGION_KEYS))
    names = [a for k in ("resource_global_name", "resource_name") if (a := src.text(k)) is not None]
    if names:
        out["ResourceId"] = pc.coalesce(*names)
    if (global_name := src.text("resource_global_name")) is not None:
        out["ResourceType"] = _resource_type(global_name)
    return out


def _publisher(src: _Source) -> pa.Array:
    """Google Cloud, except Marketplace rows, whose publisher is the seller."""
    seller, kind = src.text("seller_name"), src.text("transaction_type")
    google = _constant(PROVIDER, src.n)
    if seller is None or kind is None:
        return google
    third_party = pc.fill_null(pc.not_equal(kind, "GOOGLE"), False)
    return pc.if_else(pc.and_(third_party, pc.is_valid(seller)), seller, google)


def _resource_type(global_name: pa.Array) -> pa.Array:
    """//compute.googleapis.com/projects/p/zones/z/instances/vm-1 -> compute.instances.

    The rule of Google's FOCUS view: drop the host suffix, the project, location and zone
    segments and the resource's own name. Worked out once per distinct name (hourly rows repeat).
    """
    plumbing = (
        r"(//)|(googleapis\.com/)|(projects/[^/]+/)|(project_commitments/[^/]+/)"
        r"|(locations/[^/]+/)|(regions/[^/]+/)|(zones/[^/]+/)|(global/)|(/[^/]+)"
    )
    encoded = global_name.dictionary_encode()
    names = encoded.dictionary
    kind = pc.replace_substring_regex(names, plumbing, "")
    full = pc.match_substring_regex(names, r"^//[^/]+\.googleapis\.com/")
    kind = pc.if_else(pc.and_(full, pc.not_equal(kind, "")), kind, None)
    return pc.take(kind, encoded.indices)
