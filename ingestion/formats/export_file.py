"""Read any export file (see containers.py) through its format into bronze-ready batches.

The file is streamed in blocks, never held whole. Every problem becomes a BadInput naming the
file, the format, and where known the row and the column as the file spells it.
"""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from focus.columns import BY_SQL, COLUMNS
from ingestion.errors import BadInput
from ingestion.formats import json_rows
from ingestion.formats.base import BoundFormat
from ingestion.formats.containers import Container, detect
from ingestion.formats.text_checks import (
    DEFAULT_FIELD_BYTES,
    Finding,
    Layout,
    csv_reader,
    diagnose,
    too_large,
)
from ingestion.formats.values import BadValue, convert

_PARQUET_ROWS = 131_072
DEFAULT_BATCH_BYTES = 4 * 1024 * 1024  # CLOUDLENS_LOAD_BATCH_MB's default
_FOCUS = {c.name: c for c in COLUMNS}
_SQL_NAME = {c.name: c.sql for c in COLUMNS}


@dataclass(frozen=True)
class Batch:
    first_row: int  # 1-based data row (header excluded) of the batch's first row
    data: pa.RecordBatch  # columns named by bronze SQL name


@dataclass
class ExportFile:
    path: Path
    holder: Container  # what holds the rows: CSV, gzip, ZIP, Parquet, JSON
    fmt: BoundFormat
    batch_bytes: int = DEFAULT_BATCH_BYTES
    field_bytes: int = DEFAULT_FIELD_BYTES
    # repairs made while reading: kind of note -> (first full note, columns it applies to)
    notes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    # rows whose period ends before it starts: column -> (count, first row)
    reversed_periods: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def container(self) -> str:
        return self.holder.label

    @property
    def format(self) -> str:
        return f"{self.fmt.name} {self.container}"

    @property
    def dataset(self) -> str:
        return self.fmt.dataset

    @property
    def warnings(self) -> list[str]:
        notes = [f"{', '.join(cols)}: {note}" for note, cols in self.notes.values()]
        for end, (count, row) in self.reversed_periods.items():
            start = end.replace("End", "Start")
            notes.append(
                f"{self.fmt.source_column(end)}: before {self.fmt.source_column(start)} in "
                f"{count:,} rows (first: row {row}); the rows are placed by their start"
            )
        # header notes (pre-1.0 FOCUS names read as their 1.x names, columns not read)
        return list(getattr(self.fmt, "header_notes", [])) + notes

    def batches(self) -> Iterator[Batch]:
        """Canonical batches; raises BadInput naming the row and column of the first bad value."""
        first_row = 1
        try:
            for batch in self._raw_batches():
                if batch.num_rows:
                    yield Batch(first_row, self._canonical(batch, first_row))
                first_row += batch.num_rows
        except (pa.ArrowInvalid, OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
            raise self._located(exc) from None
        except UnicodeDecodeError as exc:  # raised through Arrow by the UTF-16 transcoder
            raise self._located(exc) from None

    def _raw_batches(self) -> Iterator[pa.RecordBatch]:
        """The rows as the container holds them, in the format's raw columns."""
        kind = self.holder.kind
        read = {"parquet": self._parquet_batches, "json": self._json_batches}.get(kind)
        return (read or self._csv_batches)()

    def _located(self, exc: Exception) -> BadInput:
        """The reading error as BadInput, with the row and column found by a second read when
        Arrow gives none."""
        row, column, reason = _row_in(exc), None, arrow_reason(exc)
        if isinstance(exc, UnicodeDecodeError):
            reason = f"not {self.holder.encoding.upper()} text ({exc.reason})"
        scannable = isinstance(exc, (pa.ArrowInvalid, UnicodeDecodeError))
        scannable = scannable and row is None and self.holder.kind == "csv"
        if scannable and (found := self._scan(self._head()[0])):
            row, column, reason = found.row, found.column, found.reason
        return self._bad(reason, row=row, column=column)

    def _scan(self, header: list[str]) -> Finding | None:
        """Arrow's streaming CSV reader does not say which row it could not parse (a file cut
        mid-row, a ragged line, bytes that are not UTF-8, a field over the limit): read the
        file again, on this failure path only, to find it."""
        first = self._first_row_width()
        layout = Layout(
            self.holder.delimiter,
            self.holder.encoding,
            header,
            frozenset(self.fmt.read_columns),
            frozenset({len(header), first or len(header)}),
        )
        try:
            with self._text() as text:
                return diagnose(text, layout, self.field_bytes, self._text)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, UnicodeDecodeError):
            return None

    def _first_row_width(self) -> int | None:
        try:
            with self._text() as text:
                rows = csv_reader(text, self.holder.delimiter, self.field_bytes)
                next(rows, None)
                first = next(rows, None)
        except (csv.Error, OSError, EOFError, zlib.error, zipfile.BadZipFile):
            return None
        return len(first) if first else None

    def _text(self) -> AbstractContextManager[IO[str]]:
        return self.holder.text(self.path, errors="surrogateescape")

    def _bad(self, reason: str, row: int | None = None, column: str | None = None) -> BadInput:
        return BadInput(self.name, reason, row=row, column=column, fmt=self.fmt.name)

    def _csv_batches(self) -> Iterator[pa.RecordBatch]:
        """Arrow reads in blocks of CLOUDLENS_LOAD_BATCH_MB and cannot read a row longer than
        a block. A file with such a row (a large Tags cell) is read again from the start in
        blocks four times larger, the rows already given skipped, up to four times the field
        limit; past that the file is scanned for the field over the limit, to name it."""
        block, given = self.batch_bytes, 0
        largest = max(self.batch_bytes, 4 * self.field_bytes)
        while True:
            skip = given
            try:
                for batch in self._csv_reader(block):
                    if skip >= batch.num_rows:
                        skip -= batch.num_rows
                        continue
                    batch, skip = batch.slice(skip), 0
                    given += batch.num_rows
                    yield batch
                return
            except pa.ArrowInvalid as exc:
                if "straddl" not in str(exc):
                    raise
                if block < largest:
                    block = min(block * 4, largest)
                    continue
                if found := self._scan(self._head()[0]):
                    raise self._bad(found.reason, row=found.row, column=found.column) from None
                size = f"{largest / 2**20:g} MiB"
                raise self._bad(f"a row longer than {size}, though each field fits") from None

    def _csv_reader(self, block: int) -> pa_csv.CSVStreamingReader:
        header, first = self._head()
        wanted = self.fmt.read_columns
        present = None
        if first is not None and 0 < len(first) < len(header):
            # Some exports (old CUR writers) end every row early: read the columns the rows
            # carry, and the header's trailing ones as empty, rather than refuse the file.
            present = header[: len(first)]
            missing = [c for c in wanted if c not in present]
            if missing:
                note = (
                    f"rows have {len(first)} fields under a header of {len(header)}: read as empty"
                )
                self.notes.setdefault(note, (note, missing[:5]))
        return self.holder.csv_strings(self.path, wanted, block, column_names=present)

    def _head(self) -> tuple[list[str], list[str] | None]:
        """The header and the first data row, as Python's csv module reads them."""
        with self._text() as text:
            rows = csv_reader(text, self.holder.delimiter, self.field_bytes)
            header = next(rows, [])
            try:
                return header, next(rows, None)
            except csv.Error:
                pass
        found = self._scan(header)  # a first row Python's csv cannot read: say where
        if found is None:
            return header, None
        raise self._bad(found.reason, row=found.row, column=found.column)

    def _json_batches(self) -> Iterator[pa.RecordBatch]:
        header = {*self.fmt.read_columns, *self.fmt.ignored}
        keys = set(header)
        try:
            with self.holder.text(self.path) as text:
                yield from json_rows.batches(self.name, text, self.fmt.read_columns, keys)
        except BadInput as exc:
            raise self._bad(exc.reason, row=exc.row, column=exc.column) from None
        if late := sorted(keys - header):
            note = (
                f"first seen after record {json_rows.HEADER_RECORDS:,}, where the columns are "
                "taken from: not read"
            )
            self.notes[note] = (note, late[:5] + (["..."] if len(late) > 5 else []))

    def _parquet_batches(self) -> Iterator[pa.RecordBatch]:
        yield from self.holder.parquet(self.path).iter_batches(
            batch_size=_PARQUET_ROWS, columns=self.fmt.read_columns
        )

    def _canonical(self, batch: pa.RecordBatch, first_row: int) -> pa.RecordBatch:
        self._check_sizes(batch, first_row)
        arrays, names = [], []
        try:
            focus_columns = self.fmt.to_focus(batch)
        except BadValue as bad:
            raise self._bad(bad.reason, row=first_row + bad.index, column=bad.column) from None
        for focus_name, arr in focus_columns.items():
            col = _FOCUS[focus_name]
            if isinstance(arr, pa.ChunkedArray):
                arr = arr.combine_chunks()
            try:
                converted, note = convert(arr, col)
            except BadValue as bad:
                raw = self.fmt.source_column(focus_name)
                raise self._bad(bad.reason, row=first_row + bad.index, column=raw) from None
            if note:
                _, cols = self.notes.setdefault(note.split(" (")[0], (note, []))
                if (raw := self.fmt.source_column(focus_name)) not in cols:
                    cols.append(raw)
            arrays.append(converted)
            names.append(col.sql)
        out = pa.RecordBatch.from_arrays(arrays, names=names)
        for required in ("billing_period_start", "charge_period_start"):
            nulls = pc.is_null(out.column(required))
            if pc.any(nulls).as_py():
                column = self.fmt.source_column(BY_SQL[required].name)
                row = first_row + pc.index(nulls, True).as_py()
                raise self._bad("a value is required here", row=row, column=column)
        self._count_reversed(out, first_row)
        return out

    def _check_sizes(self, batch: pa.RecordBatch, first_row: int) -> None:
        """One limit for a field in any row of any container (CLOUDLENS_LOAD_FIELD_MB): a
        large Tags object loads, an absurd value is refused naming its row and column."""
        for name, arr in zip(batch.schema.names, batch.columns, strict=True):
            if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
                continue
            lengths = pc.binary_length(arr)
            if (pc.max(lengths).as_py() or 0) > self.field_bytes:
                row = first_row + pc.index(pc.greater(lengths, self.field_bytes), True).as_py()
                raise self._bad(too_large(self.field_bytes), row=row, column=name)

    def _count_reversed(self, out: pa.RecordBatch, first_row: int) -> None:
        """A period that ends before it starts is loaded (rows are placed by their start) but
        reported: it usually means swapped or mislabelled columns."""
        for period in ("BillingPeriod", "ChargePeriod"):
            start, end = (_SQL_NAME[f"{period}{side}"] for side in ("Start", "End"))
            if end not in out.schema.names:
                continue
            early = pc.fill_null(pc.less(out.column(end), out.column(start)), False)
            if count := pc.sum(early).as_py():
                seen, first = self.reversed_periods.get(f"{period}End", (0, 0))
                row = first or first_row + pc.index(early, True).as_py()
                self.reversed_periods[f"{period}End"] = (seen + count, row)


def sniff(path: Path) -> tuple[str, list[str]]:
    """The container as shown ("CSV", "CSV (gzip)", "Parquet", ...) and the header, or
    BadInput."""
    container, header = detect(path)
    return container.label, header


def arrow_reason(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = msg.lower()
    if isinstance(exc, (EOFError, zlib.error)) or any(
        word in lowered for word in ("gzip", "zlib", "compressed")
    ):
        return f"the gzip data is truncated or corrupt ({msg})"
    if msg.startswith("CSV parse error"):
        return msg.replace("CSV parse error: ", "malformed CSV: ")
    return msg


def _row_in(exc: BaseException) -> int | None:
    found = re.search(r"[Rr]ow #(\d+)", str(exc))
    return int(found.group(1)) if found else None
