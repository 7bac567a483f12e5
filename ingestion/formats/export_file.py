"""Read any export file (CSV, gzip CSV, Parquet) through its format into bronze-ready batches.

The file is streamed in blocks, never held whole. Every problem becomes a BadInput naming the
file, the format, and where known the row and the column as the file spells it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ingestion.errors import BadInput
from ingestion.formats.base import BoundFormat
from ingestion.formats.columns import BY_SQL, COLUMNS
from ingestion.formats.values import NULL_TOKENS, BadValue, convert

_PARQUET_ROWS = 131_072
DEFAULT_BATCH_BYTES = 4 * 1024 * 1024  # CLOUDLENS_LOAD_BATCH_MB's default
_FOCUS = {c.name: c for c in COLUMNS}


@dataclass(frozen=True)
class Batch:
    first_row: int  # 1-based data row (header excluded) of the batch's first row
    data: pa.RecordBatch  # columns named by bronze SQL name


@dataclass
class ExportFile:
    path: Path
    container: str  # "CSV", "CSV (gzip)", "Parquet"
    fmt: BoundFormat
    batch_bytes: int = DEFAULT_BATCH_BYTES
    # repairs made while reading: kind of note -> (first full note, columns it applies to)
    notes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def format(self) -> str:
        return f"{self.fmt.name} {self.container}"

    @property
    def dataset(self) -> str:
        return self.fmt.dataset

    @property
    def warnings(self) -> list[str]:
        return [f"{', '.join(cols)}: {note}" for note, cols in self.notes.values()]

    def batches(self) -> Iterator[Batch]:
        """Canonical batches; raises BadInput naming the row and column of the first bad value."""
        raw = self._parquet_batches() if self.container == "Parquet" else self._csv_batches()
        first_row = 1
        try:
            for batch in raw:
                if batch.num_rows:
                    yield Batch(first_row, self._canonical(batch, first_row))
                first_row += batch.num_rows
        except (pa.ArrowInvalid, OSError, EOFError, zlib.error) as exc:
            row = _row_in(exc)
            if row is None and self.container != "Parquet" and isinstance(exc, pa.ArrowInvalid):
                row = self._bad_csv_row()
            raise self._bad(arrow_reason(exc), row=row) from None

    def _bad_csv_row(self) -> int | None:
        """Arrow's streaming CSV reader does not say which row it could not parse (a file cut
        mid-row, a ragged line): read the file again, on this failure path only, to find it."""
        opener = gzip.open if self.container == "CSV (gzip)" else open
        try:
            with opener(self.path, "rt", encoding="utf-8-sig", newline="") as text:
                rows = csv.reader(text)
                width = len(next(rows))
                number = 0
                for fields in rows:
                    if not fields:  # Arrow skips empty lines too
                        continue
                    number += 1
                    if len(fields) != width:
                        return number
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error, StopIteration):
            return None
        return None

    def _bad(self, reason: str, row: int | None = None, column: str | None = None) -> BadInput:
        return BadInput(self.name, reason, row=row, column=column, fmt=self.fmt.name)

    def _csv_batches(self) -> Iterator[pa.RecordBatch]:
        header, first = self._head()
        read = pa_csv.ReadOptions(block_size=self.batch_bytes)
        wanted = self.fmt.read_columns
        if first is not None and 0 < len(first) < len(header):
            # Some exports (old CUR writers) end every row early: read the columns the rows
            # carry, and the header's trailing ones as empty, rather than refuse the file.
            present = header[: len(first)]
            read = pa_csv.ReadOptions(
                block_size=self.batch_bytes, column_names=present, skip_rows=1
            )
            missing = [c for c in wanted if c not in present]
            if missing:
                note = (
                    f"rows have {len(first)} fields under a header of {len(header)}: read as empty"
                )
                self.notes.setdefault(note, (note, missing[:5]))
        stream = pa.OSFile(str(self.path))
        if self.container == "CSV (gzip)":
            stream = pa.CompressedInputStream(stream, "gzip")
        reader = pa_csv.open_csv(
            stream,
            read_options=read,
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                column_types={raw: pa.string() for raw in wanted},
                include_columns=wanted,
                include_missing_columns=True,
                null_values=NULL_TOKENS,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
        yield from reader

    def _head(self) -> tuple[list[str], list[str] | None]:
        """The header and the first data row, as Python's csv module reads them."""
        opener = gzip.open if self.container == "CSV (gzip)" else open
        with opener(self.path, "rt", encoding="utf-8-sig", newline="") as text:
            rows = csv.reader(text)
            header = next(rows, [])
            return header, next(rows, None)

    def _parquet_batches(self) -> Iterator[pa.RecordBatch]:
        yield from pq.ParquetFile(self.path).iter_batches(
            batch_size=_PARQUET_ROWS, columns=self.fmt.read_columns
        )

    def _canonical(self, batch: pa.RecordBatch, first_row: int) -> pa.RecordBatch:
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
        return out


def sniff(path: Path) -> tuple[str, list[str]]:
    """The container ("CSV", "CSV (gzip)", "Parquet") and the header, or BadInput."""
    name = path.name
    if not path.is_file():
        raise BadInput(name, "no such file")
    if path.stat().st_size == 0:
        raise BadInput(name, "the file is empty")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic == b"PAR1":
        try:
            return "Parquet", pq.ParquetFile(path).schema_arrow.names
        except (pa.ArrowInvalid, OSError) as exc:
            raise BadInput(name, f"not a readable Parquet file ({arrow_reason(exc)})") from None
    gz = magic[:2] == b"\x1f\x8b"
    return ("CSV (gzip)" if gz else "CSV"), _csv_header(path, gz)


def _csv_header(path: Path, gz: bool) -> list[str]:
    name = path.name
    try:
        opener = gzip.open if gz else open
        with opener(path, "rb") as raw, io.TextIOWrapper(raw, "utf-8-sig", newline="") as text:
            header = next(csv.reader(text), None)
    except (OSError, EOFError, zlib.error):
        raise BadInput(name, "the gzip data is truncated or corrupt") from None
    except UnicodeDecodeError:
        raise BadInput(name, "not a CSV text file (the header is not UTF-8 text)") from None
    except csv.Error as exc:
        raise BadInput(name, f"the header line is not valid CSV ({exc})") from None
    if not header or not any(h.strip() for h in header):
        raise BadInput(name, "no header line: the file has no content")
    return header


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
