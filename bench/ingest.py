"""Ingestion throughput at scale: one large FOCUS 1.2 CSV, loaded exactly the way the app loads it.

    .venv/bin/python bench/ingest.py [--rows N] [--scale S] [--workdir DIR]

1. Generates (once; a later run reuses it) `DIR/focus_<N>_x<S>.csv` (default 1,000,000 rows, DIR
   bench/out/, git-ignored): the first N rows of the demo company's bills (`ingestion.demo`,
   seed 7, the 13 months up to November 2024, oldest month first) at demo scale S (default: the
   smallest that holds N rows, about 237,000 rows per unit of scale). AWS, Microsoft, Google
   Cloud and Oracle charges of named, tagged resources; Usage with Purchase, Tax and (negative)
   Credit rows, a Savings Plan, an EUR billing account; exact fixed-point money with up to 10
   fractional digits, ISO timestamps, a Tags JSON column. Written one chunk of one provider-month
   at a time, so memory stays bounded whatever N is.
2. Opens the database the way the app does (`get_engine()`): DATABASE_URL when set, else the
   embedded server under CLOUDLENS_HOME, which defaults here to DIR/home so a user's own data is
   never touched. The server is left running afterwards, as the app leaves it.
3. Deletes the rows of earlier runs (source "bench" only), then times `load_file(..., force=True)`
   (read, convert, COPY into bronze, gold refresh, one transaction) in a child process, whose
   peak RSS is the figure reported (the Postgres server's memory is not included).
4. Times the re-run of the same file without force, which must be skipped by checksum.
5. Times a bare COPY of the same file into an UNLOGGED copy of bronze.focus_cost (typed columns,
   no indexes) as the floor a load could reach, then drops that table.
6. Prints one summary line and checks the sums: the file (summed by Postgres) = bronze for the
   bench source, and gold = silver for the billing periods loaded.

Run by hand; the figures go in the README.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow.csv as pa_csv
from ingest_steps import (  # a sibling module: the script's folder is first on sys.path
    SOURCE,
    CopyRun,
    LoadRun,
    Reconciliation,
    bare_copy,
    clear_previous,
    peak_rss_mib,
    reconcile,
    time_skip,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

    from config import Settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The demo company's window and seed: fixed, so a file generated once is the same file later.
DEMO_END = date(2024, 11, 30)
DEMO_MONTHS = 13
DEMO_SEED = 7
ROWS_PER_SCALE = 200_000  # a safe floor: 13 months at scale 1 hold 237,601 rows


def default_scale(rows: int) -> int:
    return max(1, math.ceil(rows / ROWS_PER_SCALE))


def write_demo_csv(path: Path, rows: int, scale: int) -> None:
    """The first `rows` rows of the demo's bills, oldest month first, as one plain FOCUS CSV."""
    from ingestion.demo import monthly_tables
    from ingestion.demo.rows import SCHEMA

    left = rows
    stream = monthly_tables(months=DEMO_MONTHS, seed=DEMO_SEED, end=DEMO_END, scale=scale)
    with pa_csv.CSVWriter(str(path), SCHEMA) as writer:
        for _, _, tables in stream:
            for table in tables:
                writer.write_table(table.slice(0, left))
                left -= min(left, table.num_rows)
                if not left:
                    return
    raise SystemExit(
        f"the demo at scale {scale} holds only {rows - left:,} rows; raise --scale for {rows:,}"
    )


def ensure_csv(rows: int, scale: int, workdir: Path) -> Path:
    """DIR/focus_<rows>_x<scale>.csv, generated when missing (written to a temporary name, then
    renamed, so an interrupted run never leaves a short file that a later run would reuse)."""
    path = workdir / f"focus_{rows}_x{scale}.csv"
    if path.is_file():
        print(f"reusing {path} ({path.stat().st_size / 1e6:,.0f} MB)", flush=True)
        return path
    workdir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".csv.partial")
    started = time.perf_counter()
    try:
        write_demo_csv(partial, rows, scale)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    seconds = time.perf_counter() - started
    size = path.stat().st_size / 1e6
    print(
        f"generated {path} ({rows:,} rows of the demo at scale {scale}, {size:,.0f} MB)"
        f" in {seconds:.1f} s",
        flush=True,
    )
    return path


# --------------------------------------------------------------------------- database


def configure_env(workdir: Path) -> str:
    """Point the app's settings at a bench-only embedded database unless the user chose one."""
    if os.environ.get("DATABASE_URL", "").strip():
        return "DATABASE_URL"
    if os.environ.get("CLOUDLENS_HOME", "").strip():
        return f"embedded server under CLOUDLENS_HOME={os.environ['CLOUDLENS_HOME']}"
    home = workdir / "home"
    os.environ["CLOUDLENS_HOME"] = str(home)
    os.environ.setdefault("CLOUDLENS_ADMIN_PASSWORD", "bench-admin-password")
    return f"embedded server under {home} (bench-only)"


def open_engine() -> tuple[Settings, sa.Engine]:
    """The app's settings and engine; imported here, after configure_env set the environment."""
    from config import Settings
    from db.engine import get_engine

    settings = Settings.from_env()
    return settings, get_engine(settings)


def child_load(path: Path) -> None:
    """The timed load, in its own process so generation does not inflate its peak RSS."""
    from ingestion.loader import load_file

    settings, engine = open_engine()
    before = peak_rss_mib()
    started = time.perf_counter()
    result = load_file(
        engine, path, source=SOURCE, batch_bytes=settings.load_batch_bytes, force=True
    )
    seconds = time.perf_counter() - started
    summary = result.summary
    billed = sum(summary.billed_by_currency().values(), Decimal(0)) if summary else Decimal(0)
    print(
        json.dumps(
            {
                "status": result.status,
                "seconds": seconds,
                "rows": summary.row_count if summary else 0,
                "billed": str(billed),
                "rss_before_mib": before,
                "peak_rss_mib": peak_rss_mib(),
                "error": result.error,
            }
        )
    )


def run_child_load(path: Path) -> LoadRun:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-load", str(path)],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return LoadRun(**{**out, "billed": Decimal(out["billed"])})


# --------------------------------------------------------------------------- report


def report(
    rows: int, path: Path, load: LoadRun, skip: float, copy: CopyRun, rec: Reconciliation
) -> None:
    load_rate, copy_rate = rows / load.seconds, rows / copy.seconds
    print(
        f"\nrows {rows:,} | file {path.stat().st_size / 1e6:,.0f} MB"
        f" | load {load.seconds:.1f} s ({load_rate:,.0f} rows/s)"
        f" | skip {skip:.2f} s"
        f" | bare COPY {copy.seconds:.1f} s ({copy_rate:,.0f} rows/s)"
        f" | ratio {load_rate / copy_rate:.2f}"
        f" | peak RSS {load.peak_rss_mib:,.0f} MiB"
    )
    print(
        f"peak RSS is the loading client process only ({load.rss_before_mib:,.0f} MiB before "
        "load_file: interpreter, imports, engine); the Postgres server's memory is not included."
    )
    file_ok = copy.rows == rec.bronze_rows == load.rows and copy.billed == rec.bronze_billed
    file_ok = file_ok and load.billed == rec.bronze_billed
    gold_ok = rec.gold_rows == rec.silver_rows and rec.gold_billed == rec.silver_billed
    others = rec.silver_rows - rec.bronze_rows
    print(
        f"file (summed by Postgres) {copy.rows:,} rows, BilledCost {copy.billed:,}"
        " (USD and EUR amounts added as numbers); "
        f"bronze[bench] {rec.bronze_rows:,} rows, {rec.bronze_billed:,}; "
        f"gold {rec.gold_rows:,} rows, {rec.gold_billed:,} for periods {', '.join(rec.periods)}"
        + (f" (incl. {others:,} rows of other sources)" if others else "")
    )
    print(f"reconciled: {'yes' if file_ok and gold_ok else 'no'}")
    print(
        f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        " (above one per CPU, other processes compete and the figures are noisy)"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the generated CSV")
    parser.add_argument(
        "--scale", type=int, help="demo scale the rows are taken from (default: enough for --rows)"
    )
    parser.add_argument(
        "--workdir", type=Path, default=ROOT / "bench" / "out", help="where files go"
    )
    parser.add_argument("--child-load", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.scale is not None and args.scale < 1:
        parser.error("--scale must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child_load:
        child_load(args.child_load)
        return
    workdir = args.workdir.resolve()
    database = configure_env(workdir)
    path = ensure_csv(args.rows, args.scale or default_scale(args.rows), workdir)
    settings, engine = open_engine()
    print(f"database: {database}", flush=True)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    clear_previous(engine)

    print("timing the load (child process) ...", flush=True)
    load = run_child_load(path)
    if load.status != "loaded":
        raise SystemExit(f"load {load.status}: {load.error}")
    print(f"  loaded {load.rows:,} rows in {load.seconds:.1f} s", flush=True)
    skip = time_skip(engine, path, settings.load_batch_bytes)
    print(f"  re-run skipped in {skip:.2f} s", flush=True)
    print("timing a bare COPY into an unlogged table ...", flush=True)
    copy = bare_copy(engine, path)
    print(f"  copied {copy.rows:,} rows in {copy.seconds:.1f} s", flush=True)
    report(args.rows, path, load, skip, copy, reconcile(engine))


if __name__ == "__main__":
    main()
