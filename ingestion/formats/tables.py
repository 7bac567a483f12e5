"""Lookup tables of the export formats, kept as JSON files beside the modules that use them.

Native column spellings, charge types, service categories and region names change when a cloud
renames or adds something; as data they are read and extended without touching the conversion
code. Each format module loads its file once, at import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_tables(fmt: str) -> dict[str, Any]:
    """The tables of one format by name: `load_tables("azure")` reads `azure.json` here."""
    return json.loads(Path(__file__).with_name(f"{fmt}.json").read_text(encoding="utf-8"))
