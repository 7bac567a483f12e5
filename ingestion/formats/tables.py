"""Lookup tables of the export formats, kept as JSON files beside the modules that use them.

Native column spellings, charge types, service categories and region names change when a cloud
renames or adds something; as data they are read and extended without touching the conversion
code. Format modules load them at import.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


@cache
def load_tables(fmt: str) -> dict[str, Any]:
    """The tables of one format by name: `load_tables("azure")` reads `azure.json` here, once
    (a format split in two modules shares them). Read-only by convention: nothing mutates them."""
    return json.loads(Path(__file__).with_name(f"{fmt}.json").read_text(encoding="utf-8"))
