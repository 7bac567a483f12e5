"""How money and changes read on screen."""

from __future__ import annotations

import re

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
