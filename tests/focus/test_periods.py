"""Calendar arithmetic behind the sidebar's presets and the Overview's month to date."""

from __future__ import annotations

from datetime import date

import pytest

from focus.periods import (
    CUSTOM,
    PRESETS,
    add_months,
    earliest_preset_start,
    kpi_date,
    month_to_date,
    preset_range,
)

pytestmark = pytest.mark.fast  # no database: `make test-fast`

D = date.fromisoformat


@pytest.mark.parametrize(
    ("preset", "as_of", "start", "end"),
    [
        ("this_month", "2024-10-15", "2024-10-01", "2024-10-15"),
        ("this_month", "2024-10-01", "2024-10-01", "2024-10-01"),
        ("last_month", "2024-10-15", "2024-09-01", "2024-09-30"),
        ("last_month", "2024-03-31", "2024-02-01", "2024-02-29"),  # leap February
        ("last_month", "2025-01-10", "2024-12-01", "2024-12-31"),  # across the year
        ("last_3_months", "2024-10-15", "2024-07-01", "2024-09-30"),
        ("last_3_months", "2024-02-29", "2023-11-01", "2024-01-31"),
        ("last_6_months", "2024-10-15", "2024-04-01", "2024-09-30"),
        ("last_12_months", "2024-10-15", "2023-10-01", "2024-09-30"),
        ("last_12_months", "2024-01-01", "2023-01-01", "2023-12-31"),
        ("quarter_to_date", "2024-10-15", "2024-10-01", "2024-10-15"),
        ("quarter_to_date", "2024-09-30", "2024-07-01", "2024-09-30"),
        ("quarter_to_date", "2024-02-29", "2024-01-01", "2024-02-29"),
        ("quarter_to_date", "2024-06-01", "2024-04-01", "2024-06-01"),
        ("year_to_date", "2024-10-15", "2024-01-01", "2024-10-15"),
        ("year_to_date", "2024-01-01", "2024-01-01", "2024-01-01"),
        ("last_90_days", "2024-10-15", "2024-07-18", "2024-10-15"),
    ],
    ids=lambda v: v,
)
def test_preset_range(preset: str, as_of: str, start: str, end: str) -> None:
    assert preset_range(preset, D(as_of)) == (D(start), D(end))


def test_every_preset_but_custom_has_a_range_ending_by_the_as_of_day() -> None:
    as_of = D("2024-05-31")
    for preset in PRESETS:
        if preset == CUSTOM:
            with pytest.raises(ValueError, match="custom"):
                preset_range(preset, as_of)
            continue
        start, end = preset_range(preset, as_of)
        assert start <= end <= as_of, preset


@pytest.mark.parametrize(
    ("month", "months", "expected"),
    [
        ("2024-10-01", -1, "2024-09-01"),
        ("2024-01-01", -1, "2023-12-01"),
        ("2024-01-01", -13, "2022-12-01"),
        ("2024-12-01", 1, "2025-01-01"),
        ("2024-05-01", 0, "2024-05-01"),
    ],
    ids=lambda v: str(v),
)
def test_add_months(month: str, months: int, expected: str) -> None:
    assert add_months(D(month), months) == D(expected)


def test_earliest_preset_start_is_twelve_whole_months_back() -> None:
    assert earliest_preset_start(D("2024-10-15")) == D("2023-10-01")


@pytest.mark.parametrize(
    ("end", "as_of", "expected"),
    [
        ("2024-09-30", "2024-12-05", "2024-09-30"),  # a past range: its own month
        ("2024-12-05", "2024-12-05", "2024-12-05"),  # a current range: the as-of day
        ("2024-12-31", "2024-12-05", "2024-12-05"),  # never past the data
    ],
    ids=lambda v: v,
)
def test_kpi_date_follows_the_range_end(end: str, as_of: str, expected: str) -> None:
    assert kpi_date(D(end), D(as_of)) == D(expected)


def test_month_to_date_of_a_past_range_end() -> None:
    window = month_to_date(kpi_date(D("2024-09-30"), D("2024-12-05")))
    assert window.month_start == D("2024-09-01")
    assert window.last_month_start == D("2024-08-01")
    assert window.last_month_same_day == D("2024-08-30")
