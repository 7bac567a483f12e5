"""Value parsing shared by every export format: exact decimal text and UTC timestamps.

Money and quantities stay decimal *strings* after validation so Postgres parses them into exact
`numeric` (a float64 round trip would move sums by fractions of a cent); timestamps become UTC
Arrow timestamps. Pure: Arrow compute only.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from focus.columns import FocusColumn

# Not "NaN": in a cost it would silently become an empty cost; as text it is refused below.
NULL_TOKENS = ["", "NULL", "null"]
_NOT_FINITE = r"(?i)^[-+]?(nan|inf|infinity)$"
_NUMBER = r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$"
# Spreadsheet-formatted money as the FOCUS spec's SaaS examples carry it: "$10,000.00".
_FORMATTED_NUMBER = r"^[-+]?[$€£¥]?\d{1,3}(,\d{3})*(\.\d+)?$"
_US_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$"
_DATE_ONLY = r"^\d{4}-\d{2}-\d{2}$"
_HAS_ZONE = r"(Z|[+-]\d{2}:?\d{2})$"
_ISO = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?"
    r"(Z|[+-]\d{2}:?\d{2})$"
)
# Where a row is placed depends on these; elsewhere a bad timestamp is dropped with a warning.
_NO_AMOUNT = "is not an amount a bill can hold (NaN and infinity cannot be summed)"
_STRICT_TIMESTAMPS = frozenset({"BillingPeriodStart", "ChargePeriodStart"})


class BadValue(Exception):
    """A value that cannot be read; `index` is its row in the batch. Formats raise it from
    `to_focus` too, naming their raw `column`: the reader turns it into the file's row."""

    def __init__(self, index: int, reason: str, column: str | None = None) -> None:
        self.index, self.reason, self.column = index, reason, column


def convert(arr: pa.Array, col: FocusColumn) -> tuple[pa.Array, str | None]:
    """The column in its bronze type, plus a note when values were repaired or dropped."""
    if col.kind in ("money", "number"):
        return _decimal_text(arr)
    if col.kind == "timestamp":
        return _timestamp(arr, strict=col.name in _STRICT_TIMESTAMPS)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return arr, None
    try:
        return arr.cast(pa.string()), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise BadValue(0, f"unsupported value type {arr.type}") from None


def _first_false(mask: pa.Array) -> int:
    return pc.index(pc.fill_null(mask, True), False).as_py()


def _decimal_text(arr: pa.Array) -> tuple[pa.Array, str | None]:
    """Validated decimal text, or NULL. Exact: Postgres parses it into numeric."""
    if pa.types.is_integer(arr.type) or pa.types.is_decimal(arr.type):
        return arr.cast(pa.string()), None
    if pa.types.is_floating(arr.type):
        finite = pc.fill_null(pc.is_finite(arr), True)
        if not pc.all(finite, min_count=0).as_py():
            i = _first_false(finite)
            raise BadValue(i, f"{arr[i].as_py()} {_NO_AMOUNT}")
        return arr.cast(pa.string()), None
    if not pa.types.is_string(arr.type):
        raise BadValue(0, f"expected a number, found values of type {arr.type}")
    if pc.all(pc.fill_null(pc.match_substring_regex(arr, _NUMBER), True), min_count=0).as_py():
        return arr, None  # the usual case: one pass, no copies
    text = pc.utf8_trim_whitespace(arr)
    text = pc.if_else(pc.equal(text, ""), None, text)
    note = None
    ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER), True)
    if not pc.all(ok).as_py():
        formatted = pc.and_(pc.match_substring_regex(text, _FORMATTED_NUMBER), pc.invert(ok))
        if pc.any(formatted).as_py():
            i = pc.index(formatted, True).as_py()  # the first value that needed the repair
            note = (
                "money written with currency symbols or separators "
                f"(e.g. {arr[i].as_py()!r}) was read as a plain number"
            )
            text = pc.if_else(formatted, pc.replace_substring_regex(text, r"[$€£¥,]", ""), text)
            ok = pc.fill_null(pc.match_substring_regex(text, _NUMBER), True)
    if not pc.all(ok).as_py():
        i = _first_false(ok)
        if pc.match_substring_regex(text[i : i + 1], _NOT_FINITE)[0].as_py():
            raise BadValue(i, f"{arr[i].as_py()!r} {_NO_AMOUNT}")
        raise BadValue(i, f"{arr[i].as_py()!r} is not a number")
    return text, note


def _timestamp(arr: pa.Array, strict: bool) -> tuple[pa.Array, str | None]:
    """UTC timestamps from ISO 8601 (with or without zone) or US M/D/YY dates."""
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is not None:
            arr = arr.cast(pa.timestamp(arr.type.unit, "UTC"))
        return arr.cast(pa.timestamp("us", "UTC")), None
    if pa.types.is_date(arr.type):
        return arr.cast(pa.timestamp("us")).cast(pa.timestamp("us", "UTC")), None
    if not pa.types.is_string(arr.type):
        raise BadValue(0, f"expected a date/time, found values of type {arr.type}")
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    # Cost data repeats a few thousand distinct instants per batch: parse each once (the regex
    # passes below were the largest cost of reading a file), then spread them back over the rows.
    encoded = pc.dictionary_encode(arr)
    rows = encoded.indices
    text = pc.utf8_trim_whitespace(encoded.dictionary)
    text = pc.if_else(pc.equal(text, ""), None, text)
    us = pc.match_substring_regex(text, _US_DATE)
    if pc.any(us).as_py():
        text = pc.if_else(us, _us_to_iso(text), text)
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d{2}-\d{2}) ", r"\1T")
    date_only = pc.match_substring_regex(text, _DATE_ONLY)
    text = pc.if_else(date_only, pc.binary_join_element_wise(text, "T00:00:00", ""), text)
    zoned = pc.match_substring_regex(text, _HAS_ZONE)
    text = pc.if_else(zoned, text, pc.binary_join_element_wise(text, "Z", ""))
    valid = pc.fill_null(pc.match_substring_regex(text, _ISO), True)
    dropped = None
    if not pc.all(valid, min_count=0).as_py():  # an all-empty column has no distinct values
        valid_rows = pc.take(valid, rows)
        i = _first_false(valid_rows)
        if strict:
            raise BadValue(i, f"{arr[i].as_py()!r} is not a date/time")
        count = pc.sum(pc.invert(pc.fill_null(valid_rows, True))).as_py()
        dropped = (
            f"{count} value(s) are not valid date/times and were left empty "
            f"(first: {arr[i].as_py()!r})"
        )
        text = pc.if_else(valid, text, None)
    try:
        return pc.take(text.cast(pa.timestamp("us", "UTC")), rows), dropped
    except pa.ArrowInvalid as exc:  # well-formed but impossible, e.g. 2024-02-30
        bad = re.search(r"Failed to parse string: '([^']*)'", str(exc))
        value = pc.index(text, bad.group(1)).as_py() if bad else -1
        i = max(pc.index(rows, value).as_py(), 0) if value >= 0 else 0
        raise BadValue(i, f"{arr[i].as_py()!r} is not a date/time") from None


def _us_to_iso(text: pa.Array) -> pa.Array:
    """5/1/25 -> 2025-05-01 (the FOCUS spec's own SaaS examples use US short dates)."""
    parts = pc.extract_regex(text, r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2}|\d{4})$")
    month = pc.utf8_lpad(pc.struct_field(parts, "m"), 2, "0")
    day = pc.utf8_lpad(pc.struct_field(parts, "d"), 2, "0")
    year = pc.struct_field(parts, "y")
    short = pc.equal(pc.utf8_length(year), 2)
    year = pc.if_else(short, pc.binary_join_element_wise("20", year, ""), year)
    return pc.binary_join_element_wise(year, month, day, "-")
