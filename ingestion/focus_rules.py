"""FOCUS conformance rules as data, and a streaming checker that evaluates them on a file.

Why not the PyPI focus-validator: the 1.0.0 served here predates the FOCUS 1.0 column names and
rejects the official FOCUS 1.0 sample. The rules below are taken from the FOCUS specification
(FOCUS_Spec, specification/columns/*.md and attributes/*.md, versions 1.0 to 1.2); `ref` names
the file each comes from. They cover what the issue asks for: mandatory columns present, data
types, nullability, allowed values, ISO 4217 billing currency and period bounds.

Severity. "error": a MUST that changes what a value means or whether it can be read (a missing
mandatory column, an unreadable or ambiguous value, a null cost, an unknown category, a period
that ends before it starts). "warning": a MUST about presentation where the value stays
unambiguous (a zone-less or space-separated ISO 8601 time, an allowed value in other casing, a
column ID in other casing, a custom column without the x_ prefix), a missing recommended column,
and a charge period that starts outside its billing period (no MUST in the spec, whose own SaaS
examples bill purchases that way).

Values are read the way the loader reads them (containers.detect, values.convert, the same null
tokens), so a file that passes also loads, and both agree on every timestamp.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import ALIASES, BY_SQL, COLUMNS, KEYS, FocusColumn, header_key
from focus.vocabulary import (
    CAPACITY_RESERVATION_STATUSES,
    CHARGE_CATEGORIES,
    CHARGE_CLASSES,
    CHARGE_FREQUENCIES,
    COMMITMENT_DISCOUNT_CATEGORIES,
    COMMITMENT_DISCOUNT_STATUSES,
    ISO_4217,
    MANDATORY,
    PRICING_CATEGORIES,
    SERVICE_CATEGORIES,
    SUBCATEGORY_PARENT,
)
from ingestion.errors import BadInput
from ingestion.formats import json_rows
from ingestion.formats.containers import Container, detect
from ingestion.formats.export_file import arrow_reason
from ingestion.formats.values import BadValue, convert

Severity = Literal["error", "warning"]
Check = Literal[
    "present",  # header: a mandatory column is in the file
    "recommended",  # header: a recommended column is in the file
    "column_id",  # header: FOCUS columns spelled exactly as the spec (PascalCase)
    "custom_prefix",  # header: other columns start with x_
    "not_null",
    "null",
    "decimal",  # NumericFormat: -12.5, 4, 35.2E-7; no +, $, commas or units
    "datetime",  # an ISO 8601 date/time
    "utc_form",  # exactly 'YYYY-MM-DDTHH:mm:ssZ'
    "string",
    "json",  # KeyValueFormat: a JSON object of scalar values
    "allowed",  # one of arg, ignoring case
    "allowed_case",  # one of arg, in the spec's casing
    "currency",  # an ISO 4217 code
    "non_negative",
    "before",  # earlier than column arg
    "within",  # inside [BillingPeriodStart, BillingPeriodEnd)
    "null_with",  # null exactly when column arg is null
    "excluded",  # not one of arg
    "parent",  # the ServiceCategory that arg maps this value to
]
_HEADER_CHECKS = frozenset({"present", "recommended", "column_id", "custom_prefix"})


@dataclass(frozen=True)
class When:
    """A row condition: `column` is one of `values` (or, negated, is not, null included)."""

    column: str
    values: tuple[str, ...]
    negate: bool = False

    def __str__(self) -> str:
        verb = "is not" if self.negate else "is"
        return f"{self.column} {verb} {' or '.join(self.values)}"


@dataclass(frozen=True)
class Rule:
    column: str
    check: Check
    ref: str  # the spec file the rule is taken from
    arg: object = None
    severity: Severity = "error"
    since: str = "1.0"
    when: tuple[When, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.column}.{self.check}"

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the rule reads; it applies only when all are in the file."""
        other = (self.arg,) if self.check in ("before", "null_with") else ()
        if self.check == "within":
            other = ("BillingPeriodStart", "BillingPeriodEnd")
        if self.check == "parent":
            other = ("ServiceCategory",)
        return (self.column, *other)

    def describe(self) -> str:
        text = _TEXT[self.check].format(arg=_shown(self.arg))
        return f"{text} when {' and '.join(map(str, self.when))}" if self.when else text


_TEXT: dict[str, str] = {
    "present": "mandatory column must be present",
    "recommended": "recommended column is missing",
    "column_id": "column IDs must be spelled as in the spec",
    "custom_prefix": "custom columns must start with x_",
    "not_null": "must not be null",
    "null": "must be null",
    "decimal": "must be a decimal number (NumericFormat)",
    "datetime": "must be an ISO 8601 date/time",
    "utc_form": "should be written 'YYYY-MM-DDTHH:mm:ssZ' (read as UTC)",
    "string": "must be of type String",
    "json": "must be a JSON object of scalar values (KeyValueFormat)",
    "allowed": "must be one of {arg}",
    "allowed_case": "must use the spec's casing: {arg}",
    "currency": "must be an ISO 4217 currency code",
    "non_negative": "must not be negative",
    "before": "must be earlier than {arg}",
    "within": "should fall inside [BillingPeriodStart, BillingPeriodEnd)",
    "null_with": "must be null exactly when {arg} is null",
    "excluded": "must not be {arg}",
    "parent": "must belong to its ServiceCategory",
}


def _shown(arg: object) -> str:
    if isinstance(arg, tuple):
        return ", ".join(arg) if len(arg) <= 6 else f"{', '.join(arg[:5])}, … ({len(arg)} values)"
    return "" if arg is None or isinstance(arg, dict) else str(arg)


_NOT_NULL = (
    "BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
    "ChargeCategory", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
    "InvoiceIssuerName", "ListCost", "ProviderName", "PublisherName", "ServiceCategory",
    "ServiceName",
)  # fmt: skip
_RECOMMENDED = {"ChargeFrequency": "1.0", "ServiceSubcategory": "1.1", "InvoiceId": "1.2"}
_BY_NAME: dict[str, FocusColumn] = {c.name: c for c in COLUMNS}
# The spec's data type of each column kind in focus/columns.py; SkuPriceDetails is JSON in the spec.
_TYPE_CHECK: dict[str, Check] = {
    "money": "decimal",
    "number": "decimal",
    "timestamp": "datetime",
    "json": "json",
    "text": "string",
}
_KIND_OVERRIDE = {"SkuPriceDetails": "json"}

_BILLABLE = (
    When("ChargeCategory", ("Usage", "Purchase")),
    When("ChargeClass", ("Correction",), True),
)
_TAX = (When("ChargeCategory", ("Tax",)),)


_SPEC_FILE = {
    "ProviderName": "provider",
    "PublisherName": "publisher",
    "InvoiceIssuerName": "invoiceissuer",
}


def _md(column: str) -> str:
    """The spec's file for a column: specification/columns/<name>.md."""
    return f"columns/{_SPEC_FILE.get(column, column.lower())}.md"


def _allowed_rules(column: str, values: tuple[str, ...], since: str = "1.0") -> tuple[Rule, ...]:
    """Unknown values are errors; known values in other casing ("Usage-based") are warnings."""
    return (
        Rule(column, "allowed", _md(column), values, since=since),
        Rule(column, "allowed_case", _md(column), values, "warning", since),
    )


def _type_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for col in COLUMNS:
        check = _TYPE_CHECK[_KIND_OVERRIDE.get(col.name, col.kind)]
        ref = {
            "decimal": "attributes/numeric_format.md",
            "datetime": "attributes/datetime_format.md",
            "json": "attributes/key_value_format.md",
            "string": _md(col.name),
        }[check]
        rules.append(Rule(col.name, check, ref, since=col.since))
        if check == "datetime":
            rules.append(Rule(col.name, "utc_form", ref, severity="warning", since=col.since))
    return tuple(rules)


RULES: tuple[Rule, ...] = (
    *(Rule(c, "present", _md(c)) for c in MANDATORY),
    *(Rule(c, "recommended", _md(c), severity="warning", since=v) for c, v in _RECOMMENDED.items()),
    Rule("*", "column_id", "attributes/column_handling.md", severity="warning"),
    Rule("*", "custom_prefix", "attributes/column_handling.md", severity="warning"),
    *_type_rules(),
    *(Rule(c, "not_null", _md(c)) for c in _NOT_NULL),
    Rule("ChargeFrequency", "not_null", _md("ChargeFrequency")),
    Rule("ServiceSubcategory", "not_null", _md("ServiceSubcategory"), since="1.1"),
    Rule("PricingQuantity", "not_null", _md("PricingQuantity"), when=_BILLABLE),
    Rule("PricingQuantity", "null", _md("PricingQuantity"), when=_TAX),
    Rule("PricingUnit", "not_null", _md("PricingUnit"), when=_BILLABLE),
    Rule("PricingUnit", "null", _md("PricingUnit"), when=_TAX),
    Rule("PricingUnit", "null_with", _md("PricingUnit"), "PricingQuantity", since="1.2"),
    *_allowed_rules("ChargeCategory", CHARGE_CATEGORIES),
    *_allowed_rules("ChargeClass", CHARGE_CLASSES),
    *_allowed_rules("ChargeFrequency", CHARGE_FREQUENCIES),
    Rule(
        "ChargeFrequency",
        "excluded",
        _md("ChargeFrequency"),
        ("Usage-Based",),
        when=(When("ChargeCategory", ("Purchase",)),),
    ),
    *_allowed_rules("PricingCategory", PRICING_CATEGORIES),
    *_allowed_rules("CommitmentDiscountCategory", COMMITMENT_DISCOUNT_CATEGORIES),
    *_allowed_rules("CommitmentDiscountStatus", COMMITMENT_DISCOUNT_STATUSES),
    *_allowed_rules("CapacityReservationStatus", CAPACITY_RESERVATION_STATUSES, since="1.1"),
    *_allowed_rules("ServiceCategory", SERVICE_CATEGORIES),
    *_allowed_rules("ServiceSubcategory", tuple(SUBCATEGORY_PARENT), since="1.1"),
    Rule(
        "ServiceSubcategory",
        "parent",
        _md("ServiceSubcategory"),
        SUBCATEGORY_PARENT,
        since="1.1",
    ),
    Rule("BillingCurrency", "currency", "attributes/currency_format.md"),
    *(
        Rule(c, "non_negative", _md(c), since=_BY_NAME[c].since)
        for c in (
            "ListUnitPrice",
            "ContractedUnitPrice",
            "PricingCurrencyListUnitPrice",
            "PricingCurrencyContractedUnitPrice",
        )
    ),
    Rule("BillingPeriodStart", "before", _md("BillingPeriodEnd"), "BillingPeriodEnd"),
    Rule("ChargePeriodStart", "before", _md("ChargePeriodEnd"), "ChargePeriodEnd"),
    Rule(
        "ChargePeriodStart",
        "within",
        _md("ChargeClass"),
        severity="warning",
        when=(When("ChargeClass", ("Correction",), True),),
    ),
)


@dataclass
class Finding:
    rule: Rule
    count: int = 0  # rows (or columns, for header rules) that break the rule
    first_row: int | None = None  # 1-based data row, header excluded
    first_value: str | None = None

    def line(self, rows: int) -> str:
        r = self.rule
        if r.check in ("present", "recommended"):
            where = "column missing"
        elif r.check in ("column_id", "custom_prefix"):
            where = f"{self.count} column(s), first {self.first_value}"
        else:
            where = (
                f"{self.count:,} of {rows:,} rows, first row {self.first_row}: {self.first_value}"
            )
        subject = "" if r.column == "*" else f"{r.column} "
        return f"{r.severity:<7} {r.id}: {where} ({subject}{r.describe()}; {r.ref})"


@dataclass
class CheckReport:
    file: str
    container: str
    version: str  # the FOCUS version the file was checked as
    version_reason: str
    columns: int
    rows: int = 0
    checked: int = 0  # rules that applied to this file
    findings: dict[str, Finding] = field(default_factory=dict)

    def _of(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings.values() if f.rule.severity == severity]

    @property
    def errors(self) -> list[Finding]:
        return self._of("error")

    @property
    def warnings(self) -> list[Finding]:
        return self._of("warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        head = (
            f"{self.file} [{self.container}]: {self.rows:,} rows, {self.columns} columns, "
            f"checked as FOCUS {self.version} ({self.version_reason})"
        )
        body = [f"  {f.line(self.rows)}" for f in (*self.errors, *self.warnings)]
        verdict = "PASS" if self.ok else "FAIL"
        tail = (
            f"verdict: {verdict}: {len(self.errors)} rule(s) violated, "
            f"{len(self.warnings)} warning(s), {self.checked} rules applied"
        )
        return [head, *body, tail]

    def add(self, rule: Rule, count: int, row: int | None, value: str | None) -> None:
        if count:
            found = self.findings.setdefault(
                rule.id, Finding(rule, first_row=row, first_value=value)
            )
            found.count += count


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def detect_version(present: Iterable[str]) -> tuple[str, str]:
    """The newest FOCUS version whose columns the file uses, and why (1.0 when none is newer)."""
    newest = max(present, key=lambda c: version_key(_BY_NAME[c].since), default=None)
    if newest is None or _BY_NAME[newest].since == "1.0":
        return "1.0", "no column introduced after 1.0"
    since = _BY_NAME[newest].since
    return since, f"has {newest}, introduced in {since}"


@dataclass(frozen=True)
class _Header:
    raw: dict[str, str]  # FOCUS column -> the file's column name
    misspelled: list[str]  # file names read as a FOCUS column but not spelled as the spec
    unprefixed: list[str]  # other columns without the x_ prefix


def _read_header(header: list[str]) -> _Header:
    raw: dict[str, str] = {}
    misspelled, unprefixed = [], []
    for name in header:
        key = header_key(name)
        col = KEYS.get(key) or (BY_SQL[ALIASES[key]] if key in ALIASES else None)
        if col is None:
            if not name.lower().startswith("x_"):
                unprefixed.append(repr(name))
            continue
        if col.name in raw:
            continue
        raw[col.name] = name
        if name != col.name:
            misspelled.append(f"{name!r} (read as {col.name})")
    return _Header(raw, misspelled, unprefixed)


def check_file(
    path: Path, version: str | None = None, batch_bytes: int = 16 * 1024 * 1024
) -> CheckReport:
    """Every rule of RULES that applies to the file; raises BadInput if it cannot be read."""
    container, header = detect(path)
    head = _read_header(header)
    detected, reason = detect_version(head.raw)
    if version:
        reason = f"as asked; its columns suggest {detected}"
    report = CheckReport(path.name, container.label, version or detected, reason, len(header))
    rules = [r for r in RULES if version_key(r.since) <= version_key(report.version)]
    header_rules = [r for r in rules if r.check in _HEADER_CHECKS]
    _check_header(report, head, header_rules)
    row_rules = [
        r for r in rules if r.check not in _HEADER_CHECKS and all(c in head.raw for c in r.columns)
    ]
    report.checked = len(header_rules) + len(row_rules)
    first_row = 1
    for batch in _batches(path, container, head.raw, batch_bytes):
        rows = _Rows(batch, head.raw)
        for rule in row_rules:
            mask = _violations(rule, rows)
            if (count := pc.sum(mask).as_py() or 0) > 0:
                i = pc.index(mask, True).as_py()
                report.add(rule, count, first_row + i, rows.shown(rule, i))
        first_row += batch.num_rows
    report.rows = first_row - 1
    return report


def _check_header(report: CheckReport, head: _Header, rules: list[Rule]) -> None:
    for rule in rules:
        if rule.check in ("present", "recommended") and rule.column not in head.raw:
            report.add(rule, 1, None, None)
        names = {"column_id": head.misspelled, "custom_prefix": head.unprefixed}.get(rule.check)
        if names:
            report.add(rule, len(names), None, names[0])


def _batches(
    path: Path, container: Container, raw: dict[str, str], batch_bytes: int
) -> Iterator[pa.RecordBatch]:
    """The file's FOCUS columns in batches: text for CSV and JSON (as the loader reads them),
    typed for Parquet. Unreadable content becomes BadInput naming the file and, where known,
    the row."""
    names = list(raw.values())
    try:
        if container.kind == "parquet":
            yield from container.parquet(path).iter_batches(batch_size=131_072, columns=names)
            return
        if container.kind == "json":
            with container.text(path) as text:
                yield from json_rows.batches(path.name, text, names)
            return
        yield from container.csv_strings(path, names, batch_bytes)
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        found = re.search(r"[Rr]ow #(\d+)", str(exc))
        row = int(found.group(1)) if found else None
        raise BadInput(path.name, arrow_reason(exc), row=row) from None


# NumericFormat: integer, decimal or E notation; a sign only for negatives (exponents too).
_DECIMAL = r"^-?(\d+(\.\d*)?|\.\d+)([eE]-?\d+)?$"
# ISO 8601 as a date, or a date and time with an optional zone; 'T' or a space between.
_ISO_8601 = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
_UTC_FORM = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"
# Any timestamp column outside the loader's strict pair: unreadable values become null.
_LENIENT_TIME = FocusColumn("ChargePeriodEnd", "timestamp")


def _is_text(arr: pa.Array) -> bool:
    return pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)


class _Rows:
    """One batch, with each column's views computed once: trimmed text and parsed times."""

    def __init__(self, batch: pa.RecordBatch, raw: dict[str, str]) -> None:
        self.n = batch.num_rows
        self._arrays = {focus: batch.column(name) for focus, name in raw.items()}
        self._text: dict[str, pa.Array] = {}
        self._times: dict[str, pa.Array] = {}

    def raw(self, column: str) -> pa.Array:
        return self._arrays[column]

    def text(self, column: str) -> pa.Array:
        """Trimmed text, blank as null; an absent column is all null."""
        if column not in self._text:
            arr = self._arrays.get(column, pa.nulls(self.n, pa.string()))
            if not _is_text(arr):
                arr = arr.cast(pa.string())
            arr = pc.utf8_trim_whitespace(arr)
            self._text[column] = pc.if_else(pc.equal(arr, ""), None, arr)
        return self._text[column]

    def times(self, column: str) -> pa.Array:
        """UTC timestamps exactly as the loader parses them; null where it cannot."""
        if column not in self._times:
            arr = self.raw(column)
            while True:
                try:
                    self._times[column] = convert(arr, _LENIENT_TIME)[0]
                    break
                except BadValue as bad:  # an impossible date such as 2024-02-30: null it, retry
                    i = bad.index
                    arr = pa.concat_arrays([arr[:i], pa.nulls(1, arr.type), arr[i + 1 :]])
        return self._times[column]

    def when(self, conditions: tuple[When, ...]) -> pa.Array:
        mask = pc.is_null(pa.nulls(self.n))  # all True
        for cond in conditions:
            hit = pc.fill_null(pc.is_in(self.text(cond.column), pa.array(cond.values)), False)
            mask = pc.and_(mask, pc.invert(hit) if cond.negate else hit)
        return mask

    def shown(self, rule: Rule, i: int) -> str:
        values = [(c, self._arrays[c][i].as_py()) for c in rule.columns]
        if len(values) == 1:
            value = values[0][1]
            return "null" if value is None else repr(str(value))
        return ", ".join(f"{c}={'null' if v is None else repr(str(v))}" for c, v in values)


def _violations(rule: Rule, rows: _Rows) -> pa.Array:
    """A boolean array, True where the row breaks the rule (never null)."""
    mask = pc.fill_null(_EVALUATE[rule.check](rule, rows), False)
    return pc.and_(mask, rows.when(rule.when)) if rule.when else mask


def _not_null(rule: Rule, rows: _Rows) -> pa.Array:
    return pc.is_null(rows.text(rule.column))


def _null(rule: Rule, rows: _Rows) -> pa.Array:
    return pc.is_valid(rows.text(rule.column))


def _none(rows: _Rows) -> pa.Array:
    return pc.is_valid(pa.nulls(rows.n))  # all False


def _is_number(arr: pa.Array) -> bool:
    return any(
        f(arr.type) for f in (pa.types.is_integer, pa.types.is_decimal, pa.types.is_floating)
    )


def _decimal(rule: Rule, rows: _Rows) -> pa.Array:
    arr = rows.raw(rule.column)
    if pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
        return _none(rows)
    if pa.types.is_floating(arr.type):
        return pc.invert(pc.is_finite(arr))
    text = rows.text(rule.column)
    if not _is_text(arr):
        return pc.is_valid(text)
    return pc.invert(pc.match_substring_regex(text, _DECIMAL))


def _datetime(rule: Rule, rows: _Rows) -> pa.Array:
    arr = rows.raw(rule.column)
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        return _none(rows)
    text = rows.text(rule.column)
    if not _is_text(arr):
        return pc.is_valid(text)
    iso = pc.match_substring_regex(text, _ISO_8601)
    return pc.and_(pc.is_valid(text), pc.or_(pc.invert(iso), pc.is_null(rows.times(rule.column))))


def _utc_form(rule: Rule, rows: _Rows) -> pa.Array:
    """Readable ISO 8601 that is not the spec's exact form; the datetime rule counts the rest."""
    if not _is_text(rows.raw(rule.column)):
        return _none(rows)
    text = rows.text(rule.column)
    readable = pc.and_(
        pc.match_substring_regex(text, _ISO_8601), pc.is_valid(rows.times(rule.column))
    )
    return pc.and_(readable, pc.invert(pc.match_substring_regex(text, _UTC_FORM)))


def _string(rule: Rule, rows: _Rows) -> pa.Array:
    arr = rows.raw(rule.column)
    return _none(rows) if _is_text(arr) else pc.is_valid(arr)


def _json(rule: Rule, rows: _Rows) -> pa.Array:
    """Parsed once per distinct value (tags repeat), so the Python loop is bounded by the batch."""
    arr = rows.raw(rule.column)
    if not _is_text(arr):
        return pc.is_valid(arr)
    text = rows.text(rule.column)
    bad = [v for v in pc.unique(text).to_pylist() if v is not None and not _key_value(v)]
    return pc.is_in(text, pa.array(bad, pa.string()))


def _key_value(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and not any(isinstance(v, (dict, list)) for v in value.values())


def _unknown(text: pa.Array, values: Iterable[str]) -> pa.Array:
    """Non-null values outside `values` (nulls are the nullability rules' to report)."""
    return pc.and_(pc.is_valid(text), pc.invert(pc.is_in(text, pa.array(list(values)))))


def _allowed(rule: Rule, rows: _Rows) -> pa.Array:
    lowered = [v.lower() for v in rule.arg]  # type: ignore[union-attr]
    return _unknown(pc.utf8_lower(rows.text(rule.column)), lowered)


def _allowed_case(rule: Rule, rows: _Rows) -> pa.Array:
    miscased = _unknown(rows.text(rule.column), rule.arg)  # type: ignore[arg-type]
    return pc.and_(miscased, pc.invert(_allowed(rule, rows)))


def _currency(rule: Rule, rows: _Rows) -> pa.Array:
    return _unknown(rows.text(rule.column), ISO_4217)


def _non_negative(rule: Rule, rows: _Rows) -> pa.Array:
    """Only numbers are compared; values that are not numbers are the decimal rule's to report."""
    arr = rows.raw(rule.column)
    if _is_text(arr):
        text = rows.text(rule.column)
        valid = pc.fill_null(pc.match_substring_regex(text, _DECIMAL), False)
        arr = pc.if_else(valid, text, None).cast(pa.float64())
    elif not _is_number(arr):
        return _none(rows)
    return pc.less(arr, 0)


def _before(rule: Rule, rows: _Rows) -> pa.Array:
    return pc.greater_equal(rows.times(rule.column), rows.times(rule.arg))


def _within(rule: Rule, rows: _Rows) -> pa.Array:
    start = rows.times(rule.column)
    return pc.or_(
        pc.less(start, rows.times("BillingPeriodStart")),
        pc.greater_equal(start, rows.times("BillingPeriodEnd")),
    )


def _null_with(rule: Rule, rows: _Rows) -> pa.Array:
    return pc.not_equal(pc.is_null(rows.text(rule.column)), pc.is_null(rows.text(rule.arg)))


def _excluded(rule: Rule, rows: _Rows) -> pa.Array:
    lowered = pa.array([v.lower() for v in rule.arg])  # type: ignore[union-attr]
    return pc.is_in(pc.utf8_lower(rows.text(rule.column)), lowered)


def _parent(rule: Rule, rows: _Rows) -> pa.Array:
    subs = pa.array(list(rule.arg))  # type: ignore[arg-type]
    parents = pa.array(list(rule.arg.values()))  # type: ignore[union-attr]
    expected = pc.take(parents, pc.index_in(rows.text(rule.column), subs))
    return pc.not_equal(expected, rows.text("ServiceCategory"))


_EVALUATE = {
    "not_null": _not_null,
    "null": _null,
    "decimal": _decimal,
    "datetime": _datetime,
    "utc_form": _utc_form,
    "string": _string,
    "json": _json,
    "allowed": _allowed,
    "allowed_case": _allowed_case,
    "currency": _currency,
    "non_negative": _non_negative,
    "before": _before,
    "within": _within,
    "null_with": _null_with,
    "excluded": _excluded,
    "parent": _parent,
}
