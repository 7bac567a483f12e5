"""Money as people read it: the currency's own sign where it has one, its ISO 4217 minor unit
(yen without decimals), and the code after the number where there is no sign to show."""

from __future__ import annotations

import pytest

from ui.format import axis_format, money


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (1234.56, "USD", "$1,234.56"),
        (1234.56, "EUR", "€1,234.56"),
        (1234.56, "GBP", "£1,234.56"),
        (1234.4, "JPY", "¥1,234"),
        (1234567.8, "JPY", "¥1,234,568"),
        (1234.56, "XYZ", "1,234.56 XYZ"),
        (1234.56, "CHF", "1,234.56 CHF"),
        (1234.56, None, "1,234.56"),
        (1234.56, "", "1,234.56"),
        (-1234.56, "USD", "-$1,234.56"),
        (-1234.56, "XYZ", "-1,234.56 XYZ"),
        (-1234.6, "JPY", "-¥1,235"),
        (0, "USD", "$0.00"),
        (0, "JPY", "¥0"),
        (528, "USD", "$528.00"),
        (0.0042, "USD", "$0.0042"),
        (-0.004, "EUR", "-€0.004"),
        (0.4, "JPY", "¥0.4"),
        (0.01, "USD", "$0.01"),
        (1e9, "USD", "$1,000,000,000.00"),
    ],
    ids=lambda v: repr(v),
)
def test_money(value: float, currency: str | None, expected: str) -> None:
    assert money(value, currency) == expected


@pytest.mark.parametrize(
    ("currency", "expected"),
    [
        ("USD", {"tickprefix": "$", "ticksuffix": "", "tickformat": ",.2f"}),
        ("JPY", {"tickprefix": "¥", "ticksuffix": "", "tickformat": ",.0f"}),
        ("XYZ", {"tickprefix": "", "ticksuffix": " XYZ", "tickformat": ",.2f"}),
        (None, {"tickprefix": "", "ticksuffix": "", "tickformat": ",.2f"}),
    ],
    ids=str,
)
def test_chart_axis_reads_like_money(currency: str | None, expected: dict[str, str]) -> None:
    assert axis_format(currency) == expected
