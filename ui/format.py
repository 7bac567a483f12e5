"""How money and changes read on screen."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
)

# How numbers read (grouping, decimal mark, where the symbol goes): one locale for everyone, as
# Cloudlens shows every viewer the same figures; a constant, not a setting, until someone asks.
LOCALE = "en_US"


def _symbol(currency: str) -> str | None:
    """The currency's own sign in LOCALE ($, €, ¥, A$), or None where CLDR has none but the
    code itself (CHF) or does not know the code (a file's typo, XYZ)."""
    symbol = get_currency_symbol(currency, LOCALE)
    return None if symbol == currency else symbol


def money(value: float, currency: str | None) -> str:
    """$1,234.56 / €0.52 / ¥1,235 / 1,234.56 CHF, by CLDR (ISO 4217 minor units: yen without
    decimals). Amounts under the currency's smallest unit keep two significant digits
    ($0.0042), so test data and unit prices don't read 0.00."""
    digits = get_currency_precision(currency) if currency else 2
    amount = Decimal(str(value))
    tiny = 0 < abs(amount) < Decimal(1).scaleb(-digits)
    if tiny:
        amount = Decimal(f"{amount:.2g}")
    if currency and _symbol(currency):
        return format_currency(amount, currency, locale=LOCALE, decimal_quantization=not tiny)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    body = format_decimal(amount, pattern, locale=LOCALE, decimal_quantization=not tiny)
    return f"{body} {currency}" if currency else body


def axis_format(currency: str | None) -> dict[str, str]:
    """Plotly tick settings that write axis money as money() does: sign in front where the
    currency has one, else its code after; as many decimals as its minor unit."""
    digits = get_currency_precision(currency) if currency else 2
    symbol = _symbol(currency) if currency else None
    return {
        "tickprefix": symbol or "",
        "ticksuffix": f" {currency}" if currency and not symbol else "",
        "tickformat": f",.{digits}f",
    }


def change(pct: float | None) -> str | None:
    return None if pct is None else f"{pct:+.1f}%"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def escape_md(text: object) -> str:
    """Resource names, tags and rule names are data, not markup: show them as typed."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def in_currency(currency: str | None) -> str:
    """' in USD' for captions (currency codes come from files: escaped like any data)."""
    return f" in {escape_md(currency)}" if currency else ""


def when(value: object) -> object:
    """How a date or a moment reads in a table: ISO date, or ISO date and minute in UTC.

    The grid would otherwise show a timestamp as epoch milliseconds; a moment is written in
    UTC, not the viewer's zone, so two people reading the same table see the same time.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""  # an empty cell, not the grid's grey "None" that reads like a value
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return f"{value:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return value


def readable(value: object) -> object:
    """A mapping as `key: value, key: value` (audit details), a list as `a, b`; else as is."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(readable(v)) for v in value)
    return when(value)
