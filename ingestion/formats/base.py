"""The one narrow interface every export format implements.

A format recognizes a header (`matches`), then `bind`s to it: checking its required columns and
deciding which raw columns to read. The bound format turns each raw Arrow batch into FOCUS
columns (`to_focus`, row for row); the shared reader (export_file.py) does the rest: value
parsing, validation and error messages, identically for every cloud.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pyarrow as pa

# Which view of a bill a file holds. Rows of one dataset replace rows of the same dataset only,
# so an Azure actual and an amortized export of one scope can both be loaded (see silver).
DATASETS = ("cost", "actual", "amortized", "usage")


class BoundFormat(Protocol):
    name: str  # shown to people: "FOCUS", "AWS CUR (legacy)", "Azure EA cost details"
    dataset: str  # one of DATASETS
    read_columns: list[str]  # raw columns the reader must load
    ignored: list[str]  # raw columns not used (reported, never an error)
    # A provider export with no rows is normal (no usage in that scope that day); a FOCUS file
    # with no rows is refused, as the foundation contract says.
    empty_ok: bool

    def to_focus(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        """FOCUS display name -> array of the batch's length (strings or typed values)."""
        ...

    def source_column(self, focus_name: str) -> str:
        """The raw column a FOCUS column came from, so errors name what the person sees."""
        ...


class ExportFormat(Protocol):
    name: str

    def matches(self, header: Sequence[str]) -> bool: ...

    def bind(self, header: Sequence[str], path: Path) -> BoundFormat:
        """Raise ingestion.errors.BadInput (naming the format) when a required column is absent."""
        ...
