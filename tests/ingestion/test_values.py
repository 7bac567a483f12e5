"""Value conversion parses each distinct timestamp once: rows, counts and errors must still be
reported per row of the batch, not per distinct value."""

from __future__ import annotations

import pyarrow as pa
import pytest

from focus.columns import BY_SQL
from ingestion.formats.values import BadValue, convert

pytestmark = pytest.mark.fast  # no database: `make test-fast`

STRICT = BY_SQL["billing_period_start"]
LENIENT = BY_SQL["charge_period_end"]
MONEY = BY_SQL["billed_cost"]


def test_repeated_timestamps_come_back_per_row() -> None:
    raw = pa.array(["2024-09-01T00:00:00Z", None, "2024-09-02", "2024-09-01T00:00:00Z", ""])
    out, note = convert(raw, STRICT)
    assert note is None
    assert [v.isoformat() if v else None for v in out.to_pylist()] == [
        "2024-09-01T00:00:00+00:00",
        None,
        "2024-09-02T00:00:00+00:00",
        "2024-09-01T00:00:00+00:00",
        None,
    ]


@pytest.mark.parametrize("raw", [[None, None], ["", " "], []], ids=["nulls", "blank", "no rows"])
def test_a_column_without_values_is_empty_not_an_error(raw: list) -> None:
    out, note = convert(pa.array(raw, pa.string()), STRICT)
    assert out.null_count == len(raw) and note is None


def test_a_bad_value_is_reported_at_its_first_row() -> None:
    raw = pa.array(["2024-09-01", "2024-09-01", "soon", "2024-09-02", "soon"])
    with pytest.raises(BadValue) as caught:
        convert(raw, STRICT)
    assert (caught.value.index, caught.value.reason) == (2, "'soon' is not a date/time")


def test_an_impossible_date_is_reported_at_its_first_row() -> None:
    raw = pa.array(["2024-02-28", "2024-02-28", "2024-02-28", "2024-02-30", "2024-02-30"])
    with pytest.raises(BadValue) as caught:
        convert(raw, STRICT)
    assert (caught.value.index, caught.value.reason) == (3, "'2024-02-30' is not a date/time")


def test_dropped_values_are_counted_per_row() -> None:
    raw = pa.array(["2024-09-01", "later", "later", "2024-09-01", "never"])
    out, note = convert(raw, LENIENT)
    assert out.null_count == 3
    assert note == "3 value(s) are not valid date/times and were left empty (first: 'later')"


def test_clean_money_passes_through_and_messy_money_is_repaired() -> None:
    clean = pa.array(["1.50", None, "-2e-3", "+.5"])
    assert convert(clean, MONEY) == (clean, None)
    messy, note = convert(pa.array([" 3.25 ", "$1,000.00", "  "]), MONEY)
    assert messy.to_pylist() == ["3.25", "1000.00", None]
    assert note and "'$1,000.00'" in note
    with pytest.raises(BadValue) as caught:
        convert(pa.array(["1", "2", "x1"]), MONEY)
    assert (caught.value.index, caught.value.reason) == (2, "'x1' is not a number")
