"""What a connector hands over and the loader loads in one transaction: a delivery.

A provider writes one logical export as several pieces (AWS Data Exports: Parquet parts plus a
manifest per billing period; Azure partitioned exports: manifest.json plus parts), or as a stream
of small increments (OCI cost reports, each a few hours of the month). The delivery says which:
- `replace_period`: its parts together are the whole truth, for their source and dataset, for
  every billing period they cover; those periods are replaced once, by all the parts.
- `append`: each part adds its own slice, keyed by the part's name; delivering the same name
  again replaces only that slice.
A part is a local file (any format the loader detects) or a stream of Arrow record batches in a
named format's own columns (a query-based source, such as BigQuery).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa

Mode = Literal["replace_period", "append"]
MODES: tuple[Mode, ...] = ("replace_period", "append")


@dataclass(frozen=True)
class Part:
    """One piece of a delivery. `name` is shown in messages and, in append mode, is the slice's
    key. Exactly one of `path` (a local file) and `batches` (a callable opening the stream, with
    `format`, a key of ingestion.formats.FORMATS, naming its columns' layout) is set."""

    name: str
    path: Path | None = None
    batches: Callable[[], Iterable[pa.RecordBatch]] | None = None
    format: str | None = None

    def __post_init__(self) -> None:
        if (self.path is None) == (self.batches is None):
            raise ValueError(f"part {self.name!r}: give a path or a batch stream, not both")
        if self.batches is not None and not self.format:
            raise ValueError(f"part {self.name!r}: a batch stream needs its format")


@dataclass(frozen=True)
class Delivery:
    name: str  # shown in the sync log and on the Data sources page
    parts: tuple[Part, ...]
    mode: Mode = "replace_period"

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"delivery {self.name!r}: mode {self.mode!r} is not one of {MODES}")
        if not self.parts:
            raise ValueError(f"delivery {self.name!r} has no parts")
        names = [part.name for part in self.parts]
        if self.mode == "append" and len(set(names)) < len(names):
            twice = next(name for name in names if names.count(name) > 1)
            raise ValueError(
                f"delivery {self.name!r}: two parts named {twice!r}; in append mode a part's "
                "name keys its slice"
            )

    @classmethod
    def of_file(
        cls, path: Path, name: str | None = None, mode: Mode = "replace_period"
    ) -> Delivery:
        """One file as its own delivery: what a folder source and the plain CLI load."""
        label = name or path.name
        return cls(label, (Part(label, path=path),), mode)
