"""FOCUS files (1.0 to 1.2 column sets, and 0.5 / 1.0-preview names where 1.0 kept their
meaning): a header mapping, nothing more to convert."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from focus.columns import (
    ALIASES,
    BY_SQL,
    KEYS,
    PRE_1_0,
    PRE_1_0_CHANGED,
    REQUIRED,
    FocusColumn,
    header_key,
)
from ingestion.errors import BadInput


@dataclass
class BoundFocus:
    columns: dict[str, FocusColumn]  # raw header name -> FOCUS column
    ignored: list[str] = field(default_factory=list)
    name: str = "FOCUS"
    dataset: str = "cost"
    empty_ok: bool = False
    header_notes: list[str] = field(default_factory=list)  # shown as load warnings

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
        notes = _read_pre_1_0(ignored, columns, seen)
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
        return BoundFocus(columns, ignored, header_notes=notes)


def _read_pre_1_0(
    ignored: list[str], columns: dict[str, FocusColumn], seen: dict[str, str]
) -> list[str]:
    """Map pre-1.0 names whose meaning 1.0 kept (unless the 1.x name is there too); name the
    ones whose meaning changed, which stay unread. Returns the notes the load shows."""
    renamed, changed = [], []
    by_name = {c.name: c for c in BY_SQL.values()}
    for raw in list(ignored):
        key = header_key(raw)
        if key in PRE_1_0 and PRE_1_0[key] not in seen:
            target = PRE_1_0[key]
            seen[target] = raw
            columns[raw] = by_name[target]
            ignored.remove(raw)
            renamed.append(f"{raw} as {target}")
        elif key in PRE_1_0_CHANGED:
            changed.append(f"{raw}: a pre-1.0 FOCUS column, not read ({PRE_1_0_CHANGED[key]})")
    notes = []
    if renamed:
        notes.append(f"pre-1.0 FOCUS names read as their 1.0 names: {', '.join(renamed)}")
    if seen.get("ChargeCategory") and header_key(seen["ChargeCategory"]) == "chargetype":
        notes.append(f"{seen['ChargeCategory']}: FOCUS 0.5 lists credits as Adjustment, not Credit")
    return notes + changed


def _column(raw: str) -> FocusColumn | None:
    key = header_key(raw)
    if key in KEYS:
        return KEYS[key]
    return BY_SQL[ALIASES[key]] if key in ALIASES else None
