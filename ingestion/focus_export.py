"""`export-focus`: bronze as one FOCUS 1.2 file (CSV, gzip CSV or Parquet), streamed.

Postgres writes the rows in the FOCUS layout as CSV (COPY … TO STDOUT, db/sql/export_focus.sql),
so no row is ever a Python object: a CSV export is those bytes as they arrive; a Parquet export
parses them block by block with Arrow into typed columns (exact decimals, UTC timestamps). Money
is silver's (see the SQL), so the export sums to gold and loads back to the same totals. Optional
columns with no value in the exported rows are left out (FOCUS asks for conditional columns only
where the provider has the concept). The file appears under its name only once complete.
"""

from __future__ import annotations

import gzip
import io
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import sqlalchemy as sa
from psycopg import sql

from db.sql import statement
from focus.columns import COLUMNS, FocusColumn
from focus.vocabulary import MANDATORY
from ingestion.errors import BadInput

CONTAINERS = {".csv.gz": "CSV (gzip)", ".csv": "CSV", ".parquet": "Parquet"}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    container: str
    rows: int
    seconds: float


def container_for(path: Path) -> str:
    """The file type the name asks for, or BadInput: the suffix decides, as for `load`."""
    name = path.name.lower()
    for suffix, container in CONTAINERS.items():
        if name.endswith(suffix):
            return container
    raise BadInput(path.name, f"cannot tell the file type: name it {', '.join(CONTAINERS)}")


def export_focus(
    engine: sa.Engine,
    out: Path,
    *,
    source: str | None = None,
    period: date | None = None,
    block_bytes: int = 16 * 1024 * 1024,
) -> ExportResult:
    """Write every cost row (of one source, one billing period, if given) to `out`."""
    started = time.perf_counter()
    container = container_for(out)
    if not out.parent.is_dir():
        raise BadInput(out.name, f"no such folder: {out.parent}")
    params = {"source": source, "period": period}
    partial = out.with_name(f".{out.name}.partial")
    # One snapshot for both statements: the profile must describe the rows that follow.
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        profile = conn.execute(statement("export_focus_profile"), params).one()._mapping
        columns = [c for c in COLUMNS if c.name in MANDATORY or profile[c.sql]]
        raw: psycopg.Connection = conn.connection.driver_connection
        try:
            with raw.cursor() as cur:
                with cur.copy(_copy_statement(engine, columns), params) as copy:
                    if container == "Parquet":
                        types = {c.name: _arrow_type(c, profile) for c in columns}
                        _write_parquet(copy, partial, types, block_bytes)
                    else:
                        _write_csv(copy, partial, gz=container == "CSV (gzip)")
                rows = cur.rowcount
            partial.replace(out)
        finally:
            partial.unlink(missing_ok=True)
    return ExportResult(out, container, rows, time.perf_counter() - started)


def _copy_statement(engine: sa.Engine, columns: list[FocusColumn]) -> sql.Composed:
    """export_focus.sql inside COPY, keeping `columns` (identifiers from COLUMNS only); psycopg
    binds the values, as COPY takes no server-side parameters."""
    select = statement("export_focus").compile(dialect=engine.dialect).string
    return sql.SQL("COPY (SELECT {} FROM ({}) AS e) TO STDOUT (FORMAT csv, HEADER)").format(
        sql.SQL(", ").join(sql.Identifier(c.name) for c in columns), sql.SQL(select)
    )


def _arrow_type(col: FocusColumn, profile: Mapping[str, int | None]) -> pa.DataType:
    """Decimals get the largest scale the data holds, so every value is stored exactly; past 26
    places (some providers' sub-nano amounts) 256-bit decimals keep 12+ integer digits free."""
    if col.kind in ("money", "number"):
        scale = profile[f"{col.sql}_scale"] or 0
        if scale > 56:
            return pa.string()  # beyond any decimal Parquet stores: keep the exact text
        return pa.decimal128(38, scale) if scale <= 26 else pa.decimal256(76, scale)
    if col.kind == "timestamp":
        return pa.timestamp("us", "UTC")
    return pa.string()


def _write_csv(copy: psycopg.Copy, path: Path, gz: bool) -> None:
    with gzip.open(path, "wb", compresslevel=6) if gz else open(path, "wb") as f:
        for chunk in copy:
            f.write(chunk)


class _CopyStream(io.RawIOBase):
    """COPY output as a readable file, so Arrow's streaming CSV reader can consume it."""

    def __init__(self, copy: psycopg.Copy) -> None:
        self._copy = copy
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._rest:
            self._rest = bytes(self._copy.read())
        n = min(len(buffer), len(self._rest))
        buffer[:n] = self._rest[:n]
        self._rest = self._rest[n:]
        return n


def _write_parquet(
    copy: psycopg.Copy, path: Path, types: dict[str, pa.DataType], block_bytes: int
) -> None:
    """Empty unquoted fields are NULL (COPY's null); quoted "" stays an empty string. Arrow's
    CSV reader stops at 128-bit decimals, so wider ones are read as text and cast per block."""
    wide = {name: t for name, t in types.items() if pa.types.is_decimal256(t)}
    reader = pa_csv.open_csv(
        io.BufferedReader(_CopyStream(copy), block_bytes),
        read_options=pa_csv.ReadOptions(block_size=block_bytes, use_threads=False),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=types | {name: pa.string() for name in wide},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    schema = reader.schema
    for name, t in wide.items():
        schema = schema.set(schema.get_field_index(name), pa.field(name, t))
    with pq.ParquetWriter(path, schema) as writer:
        for batch in reader:
            columns = [
                batch.column(name).cast(wide[name]) if name in wide else batch.column(name)
                for name in batch.schema.names
            ]
            writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=schema))
