"""Lookup tables of the export formats, kept as JSON files beside the modules that use them.

Native column spellings, charge types, service categories and region names change when a cloud
renames or adds something; as data they are read and extended without touching the conversion
code. Format modules load them at import. A table that maps native values onto a FOCUS
vocabulary is read through `focus_mapping` or `focus_groups`, which hold it to focus.vocabulary:
the FOCUS values are declared there once, and a data file cannot add one of its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any


@cache
def load_tables(fmt: str) -> dict[str, Any]:
    """The tables of one format by name: `load_tables("azure")` reads `azure.json` here, once
    (a format split in two modules shares them). Read-only by convention: nothing mutates them."""
    return json.loads(Path(__file__).with_name(f"{fmt}.json").read_text(encoding="utf-8"))


def focus_mapping(mapping: dict[str, str], vocabulary: Sequence[str], table: str) -> dict[str, str]:
    """A native value -> FOCUS value table, checked: ValueError if it maps onto a value the
    FOCUS vocabulary does not have (a typo would otherwise load as a new category)."""
    _check(mapping.values(), vocabulary, table)
    return mapping


def focus_groups(
    groups: dict[str, list[str]], vocabulary: Sequence[str], table: str
) -> dict[str, str]:
    """A FOCUS value -> [native values] table (the way a person reads and extends it), checked
    as `focus_mapping` does and turned into native value -> FOCUS value."""
    _check(groups, vocabulary, table)
    return {native: value for value, natives in groups.items() for native in natives}


def _check(values: Any, vocabulary: Sequence[str], table: str) -> None:
    if unknown := sorted(set(values) - set(vocabulary)):
        raise ValueError(f"{table}: not FOCUS values: {', '.join(unknown)}")
