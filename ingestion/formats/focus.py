"""FOCUS files (1.0 to 1.2 column sets): a header mapping, nothing more to convert."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ingestion.errors import BadInput
from ingestion.formats.columns import ALIASES, BY_SQL, KEYS, REQUIRED, FocusColumn, header_key


@dataclass
class BoundFocus:
    columns: dict[str, FocusColumn]  # raw header name -> FOCUS column
    ignored: list[str] = field(default_factory=list)
    name: str = "FOCUS"
    dataset: str = "cost"
    empty_ok: bool = False

    @property
    def read_columns(self) -> list[str]:
        return list(self.columns)

    def to_focus(self, batch: pa.RecordBatch) -> dict[str, pa.Array]:
        return {col.name: batch.column(raw) for raw, col in self.columns.items()}

    def source_column(self, focus_name: str) -> str:
        return next((raw for raw, c in self.columns.items() if c.name == focus_name), focus_name)


class Focus:
    name = "FOCUS"

    def matches(self, header: Sequence[str]) -> bool:
        return any(_column(raw) for raw in header)

    def bind(self, header: Sequence[str], path: Path) -> BoundFocus:
        columns: dict[str, FocusColumn] = {}
        seen: dict[str, str] = {}
        ignored: list[str] = []
        for raw in header:
            col = _column(raw)
            if col is None:
                ignored.append(raw)
                continue
            if col.name in seen:
                if header_key(raw) in ALIASES:  # a newer alias beside the old name: keep the old
                    ignored.append(raw)
                    continue
                raise BadInput(
                    path.name,
                    f"columns {seen[col.name]!r} and {raw!r} are the same FOCUS column",
                    fmt=self.name,
                )
            seen[col.name] = raw
            columns[raw] = col
        for required in REQUIRED:
            if required not in seen:
                hint = difflib.get_close_matches(required, ignored, n=1, cutoff=0.75)
                extra = f" (found {hint[0]!r}: misspelled?)" if hint else ""
                raise BadInput(
                    path.name,
                    f"required FOCUS column is missing{extra}",
                    column=required,
                    fmt=self.name,
                )
        return BoundFocus(columns, ignored)


def _column(raw: str) -> FocusColumn | None:
    key = header_key(raw)
    if key in KEYS:
        return KEYS[key]
    return BY_SQL[ALIASES[key]] if key in ALIASES else None
