"""AWS Cost and Usage Reports: legacy CUR, its Athena/Parquet form, and CUR 2.0 (Data Exports).

The layouts spell one column two ways: `lineItem/UnblendedCost` (legacy CSV) and
`line_item_unblended_cost` (Athena-ready legacy Parquet, CUR 2.0). Lower-cased with everything but
letters and digits removed, both become `lineitemunblendedcost`, so one table of keys reads all.
CUR 2.0 moves the product attributes and the tags into MAP columns (`product`, `resource_tags`),
written as JSON text in its CSV.

Money, as finance reads it:
- BilledCost is `lineItem/UnblendedCost` on every line item type: the invoice.
- EffectiveCost is amortized, following the AWS amortized-cost convention that the FOCUS
  converters also use: SavingsPlanCoveredUsage -> `savingsPlan/SavingsPlanEffectiveCost`;
  DiscountedUsage -> `reservation/EffectiveCost`; RIFee -> its unused part
  (`reservation/UnusedAmortizedUpfrontFeeForBillingPeriod + reservation/UnusedRecurringFee`);
  SavingsPlanRecurringFee -> its unused part (`savingsPlan/TotalCommitmentToDate -
  savingsPlan/UsedCommitment`); SavingsPlanNegation, SavingsPlanUpfrontFee and a Fee carrying a
  reservation ARN (an RI upfront payment) -> 0, as they are amortized into the usage rows; every
  other row -> UnblendedCost. A rule applies only when the file has its columns: a CUR without
  Savings Plan (or reservation) columns gets EffectiveCost = UnblendedCost for those rows.
- ListCost is `pricing/publicOnDemandCost`. ContractedCost stays NULL: a CUR has no column for
  the negotiated price before commitment discounts, and it is never invented.

ChargeCategory from `lineItem/LineItemType`: Usage, DiscountedUsage, SavingsPlanCoveredUsage and
SavingsPlanNegation -> Usage (the negation is a negative usage charge cancelling the on-demand
price of covered usage, which FOCUS Usage allows); Fee, RIFee, SavingsPlanUpfrontFee,
SavingsPlanRecurringFee -> Purchase; Tax -> Tax; Credit, Refund and every *Discount type
(BundledDiscount, EdpDiscount, PrivateRateDiscount, ...) -> Credit, being granted by the provider;
any type AWS adds later -> Adjustment.

Tags: every `resourceTags/<key>` column (legacy) becomes `<key>` as AWS spells it (`user:Team`,
`aws:createdBy`); Athena's `resource_tags_user_team` and CUR 2.0's `resource_tags` keys
(`user_team`) get their `user:`/`aws:` prefix back (`user:team`), so gold's tag normalization,
which drops `user:`, groups them with the other clouds' keys. Empty values are left out; a row
without tags gets NULL. Cost categories and the CUR 2.0 `discount` map are not FOCUS columns and
are ignored.

Identity and dimensions: BillingAccountId `bill/PayerAccountId`, SubAccountId
`lineItem/UsageAccountId` (their names exist in CUR 2.0 only); ServiceName `product/ProductName`
(CUR 2.0: the `product` map's `product_name`), else `lineItem/ProductCode`; ServiceCategory from the
product code, common services mapped, the rest Other; RegionId `product/regionCode`, else
`product/region`; BillingCurrency `lineItem/CurrencyCode`, row by row. PricingCategory is Committed
for RI/Savings Plan covered rows, Dynamic for spot usage, Standard for other usage and purchases,
empty on taxes, Other for credits.

The billing period is `bill/BillingPeriodStartDate`, which every CUR carries (it is required, not
derived: AWS can bill a charge in a period other than its usage month). A bill that is not final
yet simply has an empty `bill/InvoiceId`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import BY_SQL, header_key
from focus.vocabulary import CHARGE_CATEGORIES, SERVICE_CATEGORIES
from ingestion.errors import BadInput
from ingestion.formats.aws_cur_tags import (
    flat_tag_key,
    flat_tags,
    json_field,
    map_tags,
    nonempty_text,
)
from ingestion.formats.tables import focus_groups, focus_mapping, load_tables
from ingestion.formats.values import BadValue, convert

_MONEY = BY_SQL["billed_cost"]  # validation of money values, shared with the reader
LEGACY, ATHENA, CUR2 = "AWS CUR (legacy)", "AWS CUR (legacy, Athena)", "AWS CUR 2.0"

_TABLES = load_tables("aws_cur")
# Native column keys; _REQUIRED maps each to its (legacy, snake_case) spelling for messages.
_REQUIRED: dict[str, list[str]] = _TABLES["required"]
# A header is a CUR when it has at least three of these; fewer than all _REQUIRED, so a CUR that
# lost a required column is still recognized and refused with that column's name.
_SIGNATURE = frozenset(
    {*_REQUIRED, "identitylineitemid", "billpayeraccountid", "lineitemusageaccountid"}
)

# FOCUS column -> native keys, the first non-empty value per row wins.
# FOCUS column -> native keys, the first non-empty value per row wins.
_DIRECT: dict[str, list[str]] = _TABLES["direct"]
_TIMES: dict[str, str] = _TABLES["times"]
_NUMBERS: dict[str, str] = _TABLES["numbers"]
_SP_EFFECTIVE, _RI_EFFECTIVE = "savingsplansavingsplaneffectivecost", "reservationeffectivecost"
_SP_ARN, _RI_ARN = "savingsplansavingsplanarn", "reservationreservationarn"
_RI_UNUSED = (
    "reservationunusedamortizedupfrontfeeforbillingperiod",
    "reservationunusedrecurringfee",
)
_SP_COMMITMENT = ("savingsplantotalcommitmenttodate", "savingsplanusedcommitment")
# The native key each FOCUS column's bad values are reported under.
_SOURCE = {
    **{name: keys[0] for name, keys in _DIRECT.items()},
    **_TIMES,
    **_NUMBERS,
    "BilledCost": "lineitemunblendedcost",
    "EffectiveCost": "lineitemunblendedcost",
    "ConsumedQuantity": "lineitemusageamount",
    "ServiceName": "productproductname",
}
_USED = {
    _SP_EFFECTIVE,
    _RI_EFFECTIVE,
    _SP_ARN,
    _RI_ARN,
    *_RI_UNUSED,
    *_SP_COMMITMENT,
    "productproductname",
    "lineitemproductcode",
    "lineitemusagetype",
    *_REQUIRED,
    *_TIMES.values(),
    *_NUMBERS.values(),
    *(key for keys in _DIRECT.values() for key in keys),
}

# lineItem/LineItemType -> ChargeCategory; every *Discount type is folded into "Discount" first.
_CATEGORY = focus_mapping(
    _TABLES["charge_categories"], CHARGE_CATEGORIES, "aws_cur charge_categories"
)
_COMMITTED = ("DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation")
_RECURRING = ("RIFee", "SavingsPlanRecurringFee")

# FOCUS ServiceCategory by lineItem/ProductCode; anything not listed is "Other".
_SERVICE_CATEGORY = focus_groups(
    _TABLES["service_categories"], SERVICE_CATEGORIES, "aws_cur service_categories"
)


@dataclass
class BoundAwsCur:
    name: str
    columns: dict[str, str]  # native key -> raw header, for the keys this format uses
    flat_tags: list[tuple[str, str]]  # (raw header, tag key) for one-column-per-tag layouts
    tag_map: str | None  # CUR 2.0 `resource_tags` (MAP, or JSON text in CSV)
    product_map: str | None  # CUR 2.0 `product` (MAP, or JSON text in CSV)
    ignored: list[str] = field(default_factory=list)
    dataset: str = "cost"
    empty_ok: bool = True

    @property
    def read_columns(self) -> list[str]:
        maps = [raw for raw in (self.tag_map, self.product_map) if raw]
        return [*self.columns.values(), *(raw for raw, _ in self.flat_tags), *maps]

    def source_column(self, focus_name: str) -> str:
        if focus_name == "Tags":
            return self.tag_map or (self.flat_tags[0][0] if self.flat_tags else focus_name)
        if focus_name == "ServiceName" and "productproductname" not in self.columns:
            return self.product_map or self.columns.get("lineitemproductcode", focus_name)
        return self.columns.get(_SOURCE.get(focus_name, ""), focus_name)

    def to_focus(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        kind = self._text(batch, "lineitemlineitemtype")
        category = _charge_category(kind)
        billed = self._money(batch, "lineitemunblendedcost")
        code = self._text(batch, "lineitemproductcode")
        out: dict[str, pa.Array | None] = {
            "ProviderName": pa.repeat(pa.scalar("AWS"), batch.num_rows),
            "BilledCost": billed,
            "EffectiveCost": self._effective(batch, kind, billed),
            "ChargeCategory": category,
            "ChargeFrequency": _charge_frequency(kind, category),
            "PricingCategory": self._pricing_category(batch, kind, category),
            "ServiceName": _coalesce(self._product_name(batch), code),
            "ServiceCategory": _lookup(code, _SERVICE_CATEGORY, "Other"),
            "Tags": self._tags(batch),
            **self._commitment(batch, kind),
            **self._usage(batch, category),
            **{
                name: _coalesce(*(self._text(batch, k) for k in keys))
                for name, keys in _DIRECT.items()
            },
            **{name: self._column(batch, key) for name, key in _TIMES.items()},
            **{name: self._column(batch, key) for name, key in _NUMBERS.items()},
        }
        return {name: arr for name, arr in out.items() if arr is not None}

    def _column(self, batch: pa.RecordBatch, key: str) -> pa.Array | None:
        raw = self.columns.get(key)
        return None if raw is None else batch.column(raw)

    def _text(self, batch: pa.RecordBatch, key: str) -> pa.Array | None:
        arr = self._column(batch, key)
        return None if arr is None else nonempty_text(arr)

    def _bad(self, reason: str, index: int, column: str) -> BadValue:
        """The reader numbers the row through the whole file and names this format."""
        return BadValue(index, reason, column)

    def _money(self, batch: pa.RecordBatch, key: str) -> pa.Array | None:
        """Validated decimal text, for arithmetic on rows, with errors at the file's row."""
        arr = self._column(batch, key)
        if arr is None:
            return None
        try:
            return convert(arr, _MONEY)[0]
        except BadValue as bad:
            raise self._bad(bad.reason, bad.index, self.columns[key]) from None

    def _effective(self, batch: pa.RecordBatch, kind: pa.Array, billed: pa.Array) -> pa.Array:
        """Amortized cost per row: see the module docstring for the rule and its source."""
        effective = billed
        sp_effective = self._money(batch, _SP_EFFECTIVE)
        if sp_effective is not None:
            effective = pc.if_else(_is(kind, "SavingsPlanCoveredUsage"), sp_effective, effective)
            zero = _is(kind, "SavingsPlanNegation", "SavingsPlanUpfrontFee")
            effective = pc.if_else(zero, "0", effective)
            effective = self._unused(batch, kind, effective, "SavingsPlanRecurringFee")
        ri_effective = self._money(batch, _RI_EFFECTIVE)
        if ri_effective is not None:
            effective = pc.if_else(_is(kind, "DiscountedUsage"), ri_effective, effective)
            ri_arn = self._text(batch, _RI_ARN)
            if ri_arn is not None:
                upfront = pc.and_(_is(kind, "Fee"), pc.is_valid(ri_arn))
                effective = pc.if_else(upfront, "0", effective)
            effective = self._unused(batch, kind, effective, "RIFee")
        return effective

    def _unused(
        self, batch: pa.RecordBatch, kind: pa.Array, effective: pa.Array, fee: str
    ) -> pa.Array:
        """A commitment fee row's unused part, summed exactly (fee rows are few: one per
        commitment per hour or month, so Python Decimal on them alone stays cheap)."""
        first, second = _RI_UNUSED if fee == "RIFee" else _SP_COMMITMENT
        sign = 1 if fee == "RIFee" else -1
        mask = _is(kind, fee)
        a, b = self._money(batch, first), self._money(batch, second)
        if a is None or b is None or not pc.any(mask).as_py():
            return effective
        rows = zip(a.filter(mask).to_pylist(), b.filter(mask).to_pylist(), strict=True)
        unused = [str(Decimal(x or 0) + sign * Decimal(y or 0)) for x, y in rows]
        return pc.replace_with_mask(effective, mask, pa.array(unused, pa.string()))

    def _pricing_category(
        self, batch: pa.RecordBatch, kind: pa.Array, category: pa.Array
    ) -> pa.Array:
        """Committed (covered by an RI or a Savings Plan), Dynamic (spot), Standard, no value on
        taxes (as FOCUS asks), Other for credits and adjustments."""
        usage = pc.equal(category, "Usage")
        usage_type = self._text(batch, "lineitemusagetype")
        spot = (
            pa.repeat(pa.scalar(False), batch.num_rows)
            if usage_type is None
            else pc.and_(usage, pc.match_substring(usage_type, "SpotUsage"))
        )
        cases = [
            ("Committed", _is(kind, *_COMMITTED)),
            ("Dynamic", spot),
            ("Standard", pc.or_(usage, pc.equal(category, "Purchase"))),
            (None, pc.equal(category, "Tax")),
        ]
        conditions = [pc.fill_null(condition, False) for _, condition in cases]
        struct = pc.make_struct(*conditions, field_names=[str(i) for i in range(len(cases))])
        values = [pa.scalar(value, pa.string()) for value, _ in cases]
        return pc.case_when(struct, *values, pa.scalar("Other"))

    def _commitment(self, batch: pa.RecordBatch, kind: pa.Array) -> dict[str, pa.Array]:
        """CommitmentDiscount* from the Savings Plan or reservation ARN on the row."""
        none = pa.nulls(batch.num_rows, pa.string())
        sp, ri = self._text(batch, _SP_ARN), self._text(batch, _RI_ARN)
        if sp is None and ri is None:
            return {}
        sp, ri = none if sp is None else sp, none if ri is None else ri
        is_sp, is_ri = pc.is_valid(sp), pc.is_valid(ri)
        used = pc.and_(
            _is(kind, "DiscountedUsage", "SavingsPlanCoveredUsage"), pc.or_(is_sp, is_ri)
        )
        return {
            "CommitmentDiscountId": pc.coalesce(sp, ri),
            "CommitmentDiscountType": _choose(is_sp, "Savings Plan", is_ri, "Reserved Instance"),
            "CommitmentDiscountCategory": _choose(is_sp, "Spend", is_ri, "Usage"),
            "CommitmentDiscountStatus": pc.if_else(used, "Used", none),
        }

    def _usage(self, batch: pa.RecordBatch, category: pa.Array) -> dict[str, pa.Array]:
        """FOCUS keeps ConsumedQuantity/Unit for Usage rows only."""
        amount, unit = self._column(batch, "lineitemusageamount"), self._text(batch, "pricingunit")
        usage = pc.equal(category, "Usage")
        out = {}
        if amount is not None:
            out["ConsumedQuantity"] = pc.if_else(usage, amount, pa.scalar(None, amount.type))
        if unit is not None:
            out["ConsumedUnit"] = pc.if_else(usage, unit, pa.scalar(None, pa.string()))
        return out

    def _product_name(self, batch: pa.RecordBatch) -> pa.Array | None:
        if "productproductname" in self.columns or self.product_map is None:
            return self._text(batch, "productproductname")
        product = batch.column(self.product_map)
        if pa.types.is_map(product.type):
            return nonempty_text(pc.map_lookup(product, pa.scalar("product_name"), "first"))
        return json_field(nonempty_text(product), "product_name")

    def _tags(self, batch: pa.RecordBatch) -> pa.Array | None:
        if self.tag_map:
            return map_tags(batch.column(self.tag_map), self.tag_map)
        if not self.flat_tags:
            return None
        return flat_tags([(key, batch.column(raw)) for raw, key in self.flat_tags])


class AwsCur:
    name = "AWS CUR"

    def matches(self, header: Sequence[str]) -> bool:
        return len(_SIGNATURE & {header_key(h) for h in header}) >= 3

    def bind(self, header: Sequence[str], path: Path) -> BoundAwsCur:
        name = _variant(header)
        columns: dict[str, str] = {}
        for raw in header:
            key = header_key(raw)
            if key in _USED:
                columns.setdefault(key, raw)
        for key, spellings in _REQUIRED.items():
            if key not in columns:
                column = spellings[0] if name == LEGACY else spellings[1]
                raise BadInput(
                    path.name, "required AWS CUR column is missing", column=column, fmt=name
                )
        flat_tags = [(raw, tag) for raw in header if (tag := flat_tag_key(raw))]
        lowered = {raw.lower(): raw for raw in header}
        bound = BoundAwsCur(
            name=name,
            columns=columns,
            flat_tags=flat_tags,
            tag_map=lowered.get("resource_tags"),
            product_map=lowered.get("product"),
        )
        used = set(bound.read_columns)
        bound.ignored.extend(raw for raw in header if raw not in used)
        return bound


def _variant(header: Sequence[str]) -> str:
    """Legacy CSV names have `/`; CUR 2.0 has MAP columns and account names; else Athena."""
    if any("/" in raw and header_key(raw).startswith("lineitem") for raw in header):
        return LEGACY
    cur2 = {"product", "resourcetags", "costcategory", "billpayeraccountname"}
    return CUR2 if cur2 & {header_key(raw) for raw in header} else ATHENA


def _coalesce(*arrays: pa.Array | None) -> pa.Array | None:
    """Row by row, the first non-NULL of the columns the file has; None when it has none."""
    present = [arr for arr in arrays if arr is not None]
    return pc.coalesce(*present) if present else None


def _is(kind: pa.Array, *values: str) -> pa.Array:
    return pc.fill_null(pc.is_in(kind, value_set=pa.array(values, pa.string())), False)


def _lookup(values: pa.Array | None, table: dict[str, str], default: str) -> pa.Array | None:
    if values is None:
        return None
    index = pc.index_in(values, value_set=pa.array(list(table), pa.string()))
    return pc.fill_null(pa.array(list(table.values()), pa.string()).take(index), default)


def _charge_category(kind: pa.Array) -> pa.Array:
    folded = pc.replace_substring_regex(kind, r"^.+Discount$", "Discount")
    return _lookup(folded, _CATEGORY, "Adjustment")


def _charge_frequency(kind: pa.Array, category: pa.Array) -> pa.Array:
    frequency = pc.if_else(pc.equal(category, "Usage"), "Usage-Based", "One-Time")
    return pc.if_else(_is(kind, *_RECURRING), "Recurring", frequency)


def _choose(first: pa.Array, a: str, second: pa.Array, b: str) -> pa.Array:
    none = pa.scalar(None, pa.string())
    return pc.if_else(first, a, pc.if_else(second, b, none))
