"""GCP billing export cells that hold a list: credits and labels, as JSON or a Python repr.

BigQuery's repeated columns reach a CSV as one text cell: a JSON array, or the repr pandas
writes (`[{'key': 'env', 'value': 'prod'}]`). Parsed here, one distinct cell at a time (gcp.py
calls these once per distinct combination of cells).
"""

from __future__ import annotations

import ast
import json
from decimal import Decimal, InvalidOperation

from focus.vocabulary import COMMITMENT_DISCOUNT_CATEGORIES
from ingestion.formats.tables import focus_mapping, load_tables

# credits[].type of a committed use discount -> its CommitmentDiscountCategory.
_CUD_TYPES = focus_mapping(
    load_tables("gcp")["cud_types"], COMMITMENT_DISCOUNT_CATEGORIES, "gcp cud_types"
)


class BadCell(Exception):
    """A cell that cannot be read; `key` names its column when several cells are read as one."""

    def __init__(self, reason: str, key: str | None = None) -> None:
        self.reason, self.key = reason, key


def _parse_cell(text: str, exact: bool) -> object:
    """A JSON cell, or the Python repr pandas writes for lists of dicts (quotes ', None)."""
    text = text.strip()
    if text in ("", "[]", "{}"):
        return []
    try:
        return json.loads(text, parse_float=Decimal) if exact else json.loads(text)
    except ValueError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise BadCell(f"{_short(text)} is not a JSON or Python list") from None


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def credit_facts(cell: str) -> tuple[str | None, str | None, str | None]:
    """(sum of credit amounts, CUD category, CUD name) of one credits cell."""
    credits = _parse_cell(cell, exact=True)
    if not isinstance(credits, list) or not all(isinstance(c, dict) for c in credits):
        raise BadCell(f"{_short(cell)} is not a list of credits")
    if not credits:
        return None, None, None
    total = sum((_amount(c.get("amount"), cell) for c in credits), Decimal(0))
    cud = next((c for c in credits if c.get("type") in _CUD_TYPES), None)
    if cud is None:
        return str(total), None, None
    return str(total), _CUD_TYPES[cud["type"]], cud.get("full_name") or cud.get("name")


def _amount(value: object, cell: str) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise BadCell(f"credit amount {value!r} is not a number")
    try:
        # repr of a float is its shortest exact text: the digits the export wrote.
        amount = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    except InvalidOperation:
        raise BadCell(f"credit amount {value!r} in {_short(cell)} is not a number") from None
    if not amount.is_finite():
        raise BadCell(f"credit amount {value!r} is not a number")
    return amount


def tags_json(keys: list[str], cells: list[str]) -> str | None:
    """One JSON object from the label cells, later sources overriding earlier ones."""
    merged: dict[str, object] = {}
    for key, cell in zip(keys, cells, strict=True):
        try:
            merged |= _labels(_parse_cell(cell, exact=False))
        except BadCell as bad:
            raise BadCell(bad.reason, key) from None
    return json.dumps(merged, ensure_ascii=False) if merged else None


def _labels(parsed: object) -> dict[str, object]:
    """[{'key': k, 'value': v}, ...] (BigQuery's form) or a plain {k: v} object."""
    if isinstance(parsed, dict):
        return {str(k): v for k, v in parsed.items()}
    if isinstance(parsed, list) and all(isinstance(x, dict) and "key" in x for x in parsed):
        return {str(x["key"]): x.get("value") for x in parsed}
    raise BadCell(f"{_short(str(parsed))} is not a list of {{key, value}} labels")
