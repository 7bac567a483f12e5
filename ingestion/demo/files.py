"""The demo's files: one gzip FOCUS CSV per provider and billing month, and the table stream
they are written from (the ingestion bench writes the same stream to one plain CSV)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

from ingestion.demo.catalog import PROVIDERS, Provider
from ingestion.demo.fleet import draw_fleet
from ingestion.demo.rows import SCHEMA, month_tables
from ingestion.demo.simulation import Window, plan_for


def _yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def monthly_tables(
    *, months: int, seed: int, end: date | None, scale: int
) -> Iterator[tuple[Provider, date, Iterator[pa.Table]]]:
    """Each provider's bill of each month, oldest month first: (provider, month, its tables).

    Consume a month's tables in order: its last table (credits, tax, the commitment's unused
    share) is computed from the usage totals of the ones before it.
    """
    if months < 1 or scale < 1:
        raise ValueError("months and scale must be at least 1")
    window = Window.ending(end or _yesterday(), months)
    plans = [plan_for(draw_fleet(p, seed, scale), window) for p in PROVIDERS]
    return (
        (plan.provider, month, month_tables(plan, month, seed))
        for month in window.months()
        for plan in plans
    )


def write_csv_gz(path: Path, tables: Iterator[pa.Table]) -> None:
    """gzip CSV with FOCUS display-name headers. Python's gzip, not Arrow's: Arrow compresses at
    level 9 only (twice as slow for 3% smaller files); mtime 0 and no name keep the bytes equal."""
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0) as stream,
        pa_csv.CSVWriter(stream, SCHEMA) as writer,
    ):
        for table in tables:
            writer.write_table(table)


def write_files(
    out_dir: Path, *, months: int, seed: int, end: date | None, scale: int
) -> Iterator[tuple[Provider, Path]]:
    """Write `out_dir/demo-<provider>-<YYYY-MM>.csv.gz`, yielding each as it is written."""
    stream = monthly_tables(months=months, seed=seed, end=end, scale=scale)
    out_dir.mkdir(parents=True, exist_ok=True)
    for provider, month, tables in stream:
        path = out_dir / f"demo-{provider.key}-{month:%Y-%m}.csv.gz"
        write_csv_gz(path, tables)
        yield provider, path


def generate(
    out_dir: Path, *, months: int = 13, seed: int = 7, end: date | None = None, scale: int = 1
) -> list[Path]:
    """Write the demo company's FOCUS files, one per provider and billing month, oldest first.

    The window is `months` calendar months ending with the month of `end` (default: yesterday,
    UTC), that last month partial up to `end`. Same arguments, same bytes.
    """
    return [
        path for _, path in write_files(out_dir, months=months, seed=seed, end=end, scale=scale)
    ]
