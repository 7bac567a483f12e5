"""Which rows of a batch break a rule: one vectorized function per check, on Arrow arrays.

Values are read the way the loader reads them (values.convert, the same null tokens), so a file
that passes also loads, and both agree on every timestamp.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import FocusColumn
from focus.vocabulary import ISO_4217
from ingestion.conformance.rules import Rule, When
from ingestion.formats.values import BadValue, convert

# NumericFormat: integer, decimal or E notation; a sign only for negatives (exponents too).
_DECIMAL = r"^-?(\d+(\.\d*)?|\.\d+)([eE]-?\d+)?$"
# ISO 8601 as a date, or a date and time with an optional zone; 'T' or a space between.
_ISO_8601 = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
_UTC_FORM = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"
# Any timestamp column outside the loader's strict pair: unreadable values become null.
_LENIENT_TIME = FocusColumn("ChargePeriodEnd", "timestamp")


def _is_text(arr: pa.Array) -> bool:
    return pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)


class Rows:
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


def violations(rule: Rule, rows: Rows) -> pa.Array:
    """A boolean array, True where the row breaks the rule (never null)."""
    mask = pc.fill_null(EVALUATE[rule.check](rule, rows), False)
    return pc.and_(mask, rows.when(rule.when)) if rule.when else mask


def _not_null(rule: Rule, rows: Rows) -> pa.Array:
    return pc.is_null(rows.text(rule.column))


def _null(rule: Rule, rows: Rows) -> pa.Array:
    return pc.is_valid(rows.text(rule.column))


def _none(rows: Rows) -> pa.Array:
    return pc.is_valid(pa.nulls(rows.n))  # all False


def _is_number(arr: pa.Array) -> bool:
    return any(
        f(arr.type) for f in (pa.types.is_integer, pa.types.is_decimal, pa.types.is_floating)
    )


def _decimal(rule: Rule, rows: Rows) -> pa.Array:
    arr = rows.raw(rule.column)
    if pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
        return _none(rows)
    if pa.types.is_floating(arr.type):
        return pc.invert(pc.is_finite(arr))
    text = rows.text(rule.column)
    if not _is_text(arr):
        return pc.is_valid(text)
    return pc.invert(pc.match_substring_regex(text, _DECIMAL))


def _datetime(rule: Rule, rows: Rows) -> pa.Array:
    arr = rows.raw(rule.column)
    if pa.types.is_timestamp(arr.type) or pa.types.is_date(arr.type):
        return _none(rows)
    text = rows.text(rule.column)
    if not _is_text(arr):
        return pc.is_valid(text)
    iso = pc.match_substring_regex(text, _ISO_8601)
    return pc.and_(pc.is_valid(text), pc.or_(pc.invert(iso), pc.is_null(rows.times(rule.column))))


def _utc_form(rule: Rule, rows: Rows) -> pa.Array:
    """Readable ISO 8601 that is not the spec's exact form; the datetime rule counts the rest."""
    if not _is_text(rows.raw(rule.column)):
        return _none(rows)
    text = rows.text(rule.column)
    readable = pc.and_(
        pc.match_substring_regex(text, _ISO_8601), pc.is_valid(rows.times(rule.column))
    )
    return pc.and_(readable, pc.invert(pc.match_substring_regex(text, _UTC_FORM)))


def _string(rule: Rule, rows: Rows) -> pa.Array:
    arr = rows.raw(rule.column)
    return _none(rows) if _is_text(arr) else pc.is_valid(arr)


def _json(rule: Rule, rows: Rows) -> pa.Array:
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


def _allowed(rule: Rule, rows: Rows) -> pa.Array:
    lowered = [v.lower() for v in rule.arg]  # type: ignore[union-attr]
    return _unknown(pc.utf8_lower(rows.text(rule.column)), lowered)


def _allowed_case(rule: Rule, rows: Rows) -> pa.Array:
    miscased = _unknown(rows.text(rule.column), rule.arg)  # type: ignore[arg-type]
    return pc.and_(miscased, pc.invert(_allowed(rule, rows)))


def _currency(rule: Rule, rows: Rows) -> pa.Array:
    return _unknown(rows.text(rule.column), ISO_4217)


def _non_negative(rule: Rule, rows: Rows) -> pa.Array:
    """Only numbers are compared; values that are not numbers are the decimal rule's to report."""
    arr = rows.raw(rule.column)
    if _is_text(arr):
        text = rows.text(rule.column)
        valid = pc.fill_null(pc.match_substring_regex(text, _DECIMAL), False)
        arr = pc.if_else(valid, text, None).cast(pa.float64())
    elif not _is_number(arr):
        return _none(rows)
    return pc.less(arr, 0)


def _before(rule: Rule, rows: Rows) -> pa.Array:
    return pc.greater_equal(rows.times(rule.column), rows.times(rule.arg))


def _within(rule: Rule, rows: Rows) -> pa.Array:
    start = rows.times(rule.column)
    return pc.or_(
        pc.less(start, rows.times("BillingPeriodStart")),
        pc.greater_equal(start, rows.times("BillingPeriodEnd")),
    )


def _null_with(rule: Rule, rows: Rows) -> pa.Array:
    return pc.not_equal(pc.is_null(rows.text(rule.column)), pc.is_null(rows.text(rule.arg)))


def _excluded(rule: Rule, rows: Rows) -> pa.Array:
    lowered = pa.array([v.lower() for v in rule.arg])  # type: ignore[union-attr]
    return pc.is_in(pc.utf8_lower(rows.text(rule.column)), lowered)


def _parent(rule: Rule, rows: Rows) -> pa.Array:
    subs = pa.array(list(rule.arg))  # type: ignore[arg-type]
    parents = pa.array(list(rule.arg.values()))  # type: ignore[union-attr]
    expected = pc.take(parents, pc.index_in(rows.text(rule.column), subs))
    return pc.not_equal(expected, rows.text("ServiceCategory"))


# Every row check's function; header checks are the checker's (rules.HEADER_CHECKS).
EVALUATE: dict[str, Callable[[Rule, Rows], pa.Array]] = {
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
