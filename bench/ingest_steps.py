"""The steps `bench/ingest.py` measures against the database, and the checks of their sums.

Project modules are imported inside the functions: the bench sets the app's environment
(CLOUDLENS_HOME) before anything reads the settings.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

SOURCE = "bench"
COPY_TABLE = "bench_copy_target"  # created in the bronze schema, dropped after the run
COPY_CHUNK = 1024 * 1024


def clear_previous(engine: sa.Engine) -> None:
    """Rows of earlier bench runs only; the load then refreshes gold for the periods it covers."""

    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM bronze.focus_cost WHERE x_source = :s"), {"s": SOURCE})
        conn.execute(sa.text("DELETE FROM app.load_log WHERE source = :s"), {"s": SOURCE})
    # Reclaim the deleted rows now, so the timed load does not pay for them.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE bronze.focus_cost"))


def peak_rss_mib() -> float:
    """Peak RSS of this process image. Linux's ru_maxrss keeps the parent's peak across fork and
    exec (the child would report the generator's memory), so VmHWM is read where it exists."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass(frozen=True)
class LoadRun:
    status: str
    seconds: float
    rows: int
    billed: Decimal
    rss_before_mib: float
    peak_rss_mib: float
    error: str | None


def time_skip(engine: sa.Engine, path: Path, batch_bytes: int) -> float:
    from ingestion.loader import load_file

    started = time.perf_counter()
    result = load_file(engine, path, source=SOURCE, batch_bytes=batch_bytes)
    seconds = time.perf_counter() - started
    if result.status != "skipped":
        raise RuntimeError(f"re-run was {result.status!r}, expected 'skipped': {result.error}")
    return seconds


@dataclass(frozen=True)
class CopyRun:
    seconds: float
    rows: int
    billed: Decimal


def bare_copy(engine: sa.Engine, path: Path) -> CopyRun:
    """COPY the file as it is into an UNLOGGED, index-free, typed twin of bronze.focus_cost."""
    import psycopg
    from psycopg import sql

    from focus.columns import COLUMNS

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    table = sql.Identifier("bronze", COPY_TABLE)
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER true)").format(
        table, sql.SQL(", ").join(sql.Identifier(c.sql) for c in COLUMNS)
    )
    with psycopg.connect(url, options="-c TimeZone=UTC") as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(
            sql.SQL("CREATE UNLOGGED TABLE {} (LIKE bronze.focus_cost INCLUDING DEFAULTS)").format(
                table
            )
        )
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP COLUMN x_source, DROP COLUMN x_load_id, "
                    "DROP COLUMN x_dataset").format(table)
        )  # fmt: skip
        conn.commit()
        try:
            started = time.perf_counter()
            with conn.cursor() as cur, cur.copy(copy_sql) as copy, open(path, "rb") as f:
                while block := f.read(COPY_CHUNK):
                    copy.write(block)
            conn.commit()
            seconds = time.perf_counter() - started
            rows, billed = conn.execute(
                sql.SQL("SELECT count(*), coalesce(sum(billed_cost), 0) FROM {}").format(table)
            ).fetchone()
        finally:
            conn.rollback()
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
            conn.commit()
    return CopyRun(seconds, rows, billed)


@dataclass(frozen=True)
class Reconciliation:
    bronze_rows: int
    bronze_billed: Decimal
    gold_rows: int
    gold_billed: Decimal
    silver_rows: int
    silver_billed: Decimal
    periods: list[str]


def reconcile(engine: sa.Engine) -> Reconciliation:
    """Bronze for the bench source; gold and silver (every source) for the periods it covers."""

    with engine.connect() as conn:
        bronze = conn.execute(
            sa.text(
                "SELECT count(*), coalesce(sum(billed_cost), 0), "
                "array_agg(DISTINCT (billing_period_start AT TIME ZONE 'UTC')::date) "
                "FROM bronze.focus_cost WHERE x_source = :s"
            ),
            {"s": SOURCE},
        ).one()
        periods = list(bronze[2] or [])
        gold = conn.execute(
            sa.text(
                "SELECT coalesce(sum(row_count), 0), coalesce(sum(billed_cost), 0) "
                "FROM gold.daily_cost WHERE billing_period_start = ANY(:p)"
            ),
            {"p": periods},
        ).one()
        silver = conn.execute(
            sa.text(
                "SELECT count(*), coalesce(sum(billed_cost), 0) "
                "FROM silver.focus_cost WHERE billing_period = ANY(:p)"
            ),
            {"p": periods},
        ).one()
    return Reconciliation(
        bronze[0], bronze[1], gold[0], gold[1], silver[0], silver[1], [str(p) for p in periods]
    )
