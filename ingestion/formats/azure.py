"""Azure cost exports: EA and MCA cost details (actual or amortized), legacy usage details.

Schemas read. Cost Management exports of EA and MCA scopes in PascalCase (`CostInBillingCurrency`
or `Cost`, `Date`, `BillingPeriodStartDate`) or camelCase (`costInBillingCurrency`, `date`); the
legacy pay-as-you-go usage details (`PreTaxCost`, `UsageDateTime`, `SubscriptionGuid`,
`InstanceId`), also with localized bilingual headers such as `Abonnement-GUID
(SubscriptionGuid)`, where the English name in parentheses is the one used; and lower-case column
subsets such as `costinbillingcurrency`. Column names are matched ignoring case and separators.

Datasets. An actual and an amortized export of one scope are two views of one bill, loaded side by
side (see silver). A file is "amortized" or "actual" by the first rule that decides:
1. its first rows (the first MiB of a CSV, 5,000 rows of Parquet): UnusedReservation and
   UnusedSavingsPlan charges, or usage covered by a reservation or savings plan with a non-zero
   cost, exist only in amortized data; a reservation or savings plan purchase with a non-zero cost
   only in actual data (both kinds of evidence at once decide nothing);
2. its name: Cost Management names exports `...ActualCost...` or `...AmortizedCost...`;
3. otherwise "actual", the invoice view.
In both datasets BilledCost and EffectiveCost are the file's cost column. Silver then counts
amortized rows as 0 billed and, once an amortized file covers the same source and billing period,
actual rows as 0 effective, so neither view is summed twice.

Other money. ListCost is paygCostInBillingCurrency, else PayGPrice x Quantity; ContractedCost is
UnitPrice x Quantity (exact decimals); NULL when the columns are absent (the legacy schema has
neither). EA writes a list price of 0 where it has none (reservation usage and purchases): beside a
non-zero cost that 0 is not a price, so ListCost and ListUnitPrice are NULL there, never 0.

Charges. ChargeType Usage -> Usage; Purchase -> Purchase; Refund -> Credit; Tax -> Tax;
RoundingAdjustment -> Adjustment; UnusedReservation/UnusedSavingsPlan -> Usage with
CommitmentDiscountStatus "Unused" (and nothing consumed); commitment-covered usage is "Used". No
ChargeType (legacy usage details, which hold usage only) -> Usage; an unknown one is kept as
written rather than guessed.

Periods. BillingPeriodStart is BillingPeriodStartDate, else (legacy files, or an empty cell) the
first of the UTC month of the charge date. BillingPeriodEnd is the day after BillingPeriodEndDate
(Azure writes the last day, FOCUS wants the exclusive end), else the first of the next month. A
charge covers its day: ChargePeriodEnd is the next midnight.

Tags. Azure writes a JSON object, often without its braces (`"env": "prod","team": "web"`); both
become one JSON object string with keys as written (Azure has no provider prefixes to strip); an
empty cell or `{}` is NULL. A cell that is not a JSON object fails the load at its row, column
Tags (Postgres parses it).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from ingestion.errors import BadInput
from ingestion.formats.azure_rows import BoundAzure, dataset_evidence
from ingestion.formats.containers import detect
from ingestion.formats.tables import load_tables

FORMAT = "Azure cost details"

_TABLES = load_tables("azure")
# Native columns by key (lower case, letters and digits only); the first present wins.
_COPIED: dict[str, list[str]] = _TABLES["copied"]
# Columns read for derived values, by role; "cost" and "date" are required.
_DERIVED: dict[str, list[str]] = _TABLES["derived"]
# Columns only Azure exports have; two of them make a header Azure's.
_AZURE_ONLY = frozenset(_TABLES["azure_only"])
# FOCUS columns: a header with one of them is read as FOCUS, not as Azure's own.
_FOCUS_ONLY = frozenset(_TABLES["focus_only"])
_PEEK_ROWS = 5000  # Parquet rows, or CSV bytes below, looked at to decide the dataset
_PEEK_BYTES = 1 << 20


def _native_key(raw: str) -> str:
    """`CostInBillingCurrency`, `costinbillingcurrency`, `Kosten (Cost)` all give the same key."""
    english = re.search(r"\(([^()]+)\)\s*$", raw)
    return re.sub(r"[^a-z0-9]", "", (english.group(1) if english else raw).lower())


class AzureCost:
    name = FORMAT

    def matches(self, header: Sequence[str]) -> bool:
        keys = {_native_key(h) for h in header}
        return len(keys & _AZURE_ONLY) >= 2 and not keys & _FOCUS_ONLY

    def bind(self, header: Sequence[str], path: Path) -> BoundAzure:
        found: dict[str, str] = {}
        for raw in header:
            found.setdefault(_native_key(raw), raw)
        legacy = "pretaxcost" in found or "subscriptionguid" in found
        schema = "Azure legacy usage details" if legacy else FORMAT
        derived = {
            role: raw for role, keys in _DERIVED.items() if (raw := _first(found, keys)) is not None
        }
        for role in ("cost", "date"):
            if role not in derived:
                column, what = _missing(legacy, role)
                raise BadInput(
                    path.name,
                    f"required Azure column is missing: the file has no {what} column",
                    column=column,
                    fmt=schema,
                )
        copied = {
            focus: raw
            for focus, keys in _COPIED.items()
            if (raw := _first(found, keys)) is not None
        }
        dataset = _dataset(path, derived)
        used = {*copied.values(), *derived.values()}
        return BoundAzure(
            name=f"{schema} ({dataset})",
            dataset=dataset,
            copied=copied,
            derived=derived,
            ignored=[h for h in header if h not in used],
        )


def _missing(legacy: bool, role: str) -> tuple[str, str]:
    """The column to name (as this schema spells it) and what it is, for a missing column."""
    if role == "cost":
        return ("PreTaxCost" if legacy else "CostInBillingCurrency"), (
            "cost (CostInBillingCurrency, Cost or PreTaxCost)"
        )
    return ("UsageDateTime" if legacy else "Date"), "charge date (Date or UsageDateTime)"


def _first(found: dict[str, str], keys: Sequence[str]) -> str | None:
    return next((found[k] for k in keys if k in found), None)


def _dataset(path: Path, derived: dict[str, str]) -> str:
    """ "actual" or "amortized": from the rows where they tell, else the file name, else actual."""
    evidence = _row_evidence(path, derived)
    if evidence is not None:
        return evidence
    name = path.name.lower()
    if "amortized" in name or "amortised" in name:
        return "amortized"
    return "actual"


def _row_evidence(path: Path, derived: dict[str, str]) -> str | None:
    """What the first rows prove (see azure_rows.dataset_evidence), if they can be read."""
    if "charge_type" not in derived or "pricing_model" not in derived:
        return None
    rows = _peek(path, [derived["cost"], derived["charge_type"], derived["pricing_model"]])
    if rows is None:
        return None
    return dataset_evidence(*rows.columns)


def _peek(path: Path, columns: list[str]) -> pa.Table | None:
    """The first rows of a few columns, or None if they cannot be read (the reader reports why)."""
    try:
        container, _ = detect(path)
        if container.kind == "parquet":
            batches = container.parquet(path).iter_batches(batch_size=_PEEK_ROWS, columns=columns)
            return pa.Table.from_batches([next(batches)])
        if container.kind == "csv":
            reader = container.csv_strings(path, columns, _PEEK_BYTES)
            return pa.Table.from_batches([reader.read_next_batch()])
    except (BadInput, pa.ArrowInvalid, OSError, EOFError, StopIteration, zlib.error):
        return None
    return None
