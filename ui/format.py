"""How money and changes read on screen."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime

import pandas as pd

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}


def money(value: float, currency: str | None) -> str:
    """$1,234.56 / €0.52; amounts under a cent keep significant digits so test data isn't 0.00."""
    symbol = SYMBOLS.get(currency or "", "")
    suffix = "" if symbol or not currency else f" {currency}"
    sign = "-" if value < 0 else ""
    amount = abs(value)
    body = f"{amount:,.2f}" if amount >= 0.01 or amount == 0 else f"{amount:.2g}"
    return f"{sign}{symbol}{body}{suffix}"


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
