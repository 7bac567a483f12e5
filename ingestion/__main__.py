"""Command line: `python -m ingestion load|demo|export-focus|check-focus|source ...`.

Exit codes are a contract for scripts and the scheduler: 0 all files loaded or skipped,
2 a file was bad input (one line naming the file, row and column), 1 anything else.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from config import Settings
from db import users
from db.engine import get_engine
from db.load import connection_lost
from focus.vocabulary import VERSIONS
from ingestion.conformance.checker import check_file
from ingestion.delivery import MODES, Delivery, Mode, Part
from ingestion.demo import load_demo
from ingestion.errors import BadInput
from ingestion.export_files import expand
from ingestion.focus_export import container_for, export_focus
from ingestion.loader import DatabaseLost, DeliveryResult, FileResult, load_delivery
from ingestion.source_cli import add_parser as add_source_parser

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2
log = logging.getLogger("cloudlens.load")


def money(value: Decimal) -> str:
    """Cents for real amounts; small fractions (test exports) keep their significant digits."""
    if value == 0 or abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.6g}"


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def describe(result: FileResult) -> str:
    name = result.path.name
    if result.status == "skipped":
        return f"skipped {name}: already loaded (same checksum), {result.seconds:.2f} s"
    if result.status == "failed":
        return f"error: {result.error}"
    s = result.summary
    assert s is not None
    periods = [p.strftime("%Y-%m") for p in s.billing_periods]
    parts = [plural(s.row_count, "row")]
    if periods:
        parts.append(f"billing period{'s' if len(periods) > 1 else ''} {', '.join(periods)}")
    if s.totals:
        parts.append(f"providers {', '.join(s.providers) or '(none named)'}")
    measure, sums = s.counted()
    if measure is None:
        parts.append("no cost counted (usage only)")
    elif sums:
        amounts = " + ".join(
            f"{money(v)} {cur or '(no currency)'}" for cur, v in sorted(sums.items(), key=str)
        )
        parts.append(f"{measure} {amounts}")
    else:
        parts.append("no cost")
    return f"loaded {name} [{result.format}]: {', '.join(parts)}, {result.seconds:.2f} s"


def cmd_load(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    files = expand([Path(p) for p in args.paths])
    if not files:
        kinds = "CSV, CSV.GZ, Parquet, ZIP, JSON"
        print(f"error: no export files ({kinds}) under {' '.join(args.paths)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    # The drivers' own notices (psycopg's on a lost connection) are details: shown with --debug,
    # else the promise of one line per file holds.
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.DEBUG if args.debug else logging.ERROR)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, handlers=[handler])
    try:
        return _load_all(settings, files, args)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DatabaseLost as exc:
        log.debug("the database failed during the load", exc_info=exc.__cause__)
        print(f"error: {exc}", file=sys.stderr)
    except sa.exc.DBAPIError as exc:
        if not connection_lost(exc):
            raise
        log.debug("the database could not be reached", exc_info=exc)
        print(
            f"error: the database ({_where(settings)}) cannot be reached; nothing more was loaded",
            file=sys.stderr,
        )
    return EXIT_ERROR


def _load_all(settings: Settings, files: list[Path], args: argparse.Namespace) -> int:
    engine = get_engine(settings)
    if args.delivery:
        deliveries = [_one_delivery(files, args.mode)]
    else:
        deliveries = [Delivery.of_file(path, mode=args.mode) for path in files]
    code = EXIT_OK
    for delivery in deliveries:
        result = load_delivery(
            engine,
            delivery,
            source=args.source,
            batch_bytes=settings.load_batch_bytes,
            force=args.force,
        )
        for file in result.files:
            print(describe(file), file=sys.stderr if file.status == "failed" else sys.stdout)
            for warning in file.warnings:
                print(f"  warning: {warning}")
        if args.delivery:
            line = describe_delivery(result)
            print(line, file=sys.stderr if result.status == "failed" else sys.stdout)
        if result.bad_input:
            code = EXIT_BAD_INPUT
    return code


def _one_delivery(files: list[Path], mode: Mode) -> Delivery:
    """The files given as one delivery, each part named by its file name (in append mode, the
    name keys the part's slice, so two files of one name cannot share a delivery)."""
    names = [path.name for path in files]
    if mode == "append" and len(set(names)) < len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise BadInput(twice[0], "two files of this name in one append delivery: one slice each")
    label = names[0] if len(names) == 1 else f"{names[0]} and {plural(len(names) - 1, 'more file')}"
    return Delivery(label, tuple(Part(path.name, path=path) for path in files), mode)


def describe_delivery(result: DeliveryResult) -> str:
    """The delivery's own line, after its files' lines."""
    d = result.delivery
    head = f"delivery {d.name} ({d.mode}, {plural(len(d.parts), 'file')})"
    if result.status == "failed":
        return f"error: {head}: not loaded, nothing of it was kept"
    if result.status == "skipped":
        return f"skipped {head}: already loaded (same checksums), {result.seconds:.2f} s"
    periods = ", ".join(p.strftime("%Y-%m") for p in result.periods) or "none"
    loaded = sum(f.status == "loaded" for f in result.files)
    return (
        f"loaded {head}: {plural(loaded, 'file')} loaded, {plural(result.rows, 'row')}, "
        f"billing periods {periods}, gold refreshed once, {result.seconds:.2f} s"
    )


def _where(settings: Settings) -> str:
    """Host, port and database of DATABASE_URL, never its password."""
    if not settings.database_url:
        return "the embedded server"
    url = sa.make_url(settings.database_url)
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def cmd_export_focus(args: argparse.Namespace) -> int:
    """Bronze as a FOCUS 1.2 file; the suffix of --out picks CSV, gzip CSV or Parquet."""
    out = Path(args.out)
    try:
        container_for(out)  # a name that says no file type is refused before any database work
        engine = get_engine(Settings.from_env())
        result = export_focus(engine, out, source=args.source, period=args.period)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"exported {result.rows:,} rows to {result.path} [FOCUS 1.2 {result.container}], "
        f"{result.seconds:.2f} s"
    )
    return EXIT_OK


def cmd_check_focus(args: argparse.Namespace) -> int:
    """The file against the FOCUS rules: a line per rule broken, then the verdict."""
    try:
        report = check_file(Path(args.path), version=args.focus_version)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n".join(report.lines()))
    return EXIT_OK if report.ok else EXIT_BAD_INPUT


def cmd_demo(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    engine = get_engine(settings)
    results = load_demo(
        engine, settings.home / "demo", months=args.months, seed=args.seed, scale=args.scale
    )
    for result in results:
        print(describe(result), file=sys.stderr if result.status == "failed" else sys.stdout)
    users.ensure_demo_users(engine, settings.demo_password)
    failed = [r for r in results if r.status == "failed"]
    return EXIT_BAD_INPUT if failed else EXIT_OK


def billing_month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2024-09") from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ingestion", description="Cloudlens ingestion")
    sub = p.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="load FOCUS files or folders (CSV, CSV.GZ, Parquet)")
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.add_argument("--source", default="local", help="name of the source (default: local)")
    load.add_argument("--force", action="store_true", help="load even if this content was loaded")
    load.add_argument(
        "--delivery",
        action="store_true",
        help="load all the files given as one delivery: one transaction; the billing periods "
        "they cover together are replaced once",
    )
    load.add_argument(
        "--mode",
        choices=MODES,
        default="replace_period",
        help="replace_period (default): a delivery replaces, for its source, every billing "
        "period it covers; append: each file is a slice keyed by its name, and the same name "
        "again replaces only that slice",
    )
    load.add_argument(
        "--debug", action="store_true", help="show the database's own error text when it fails"
    )
    load.set_defaults(func=cmd_load)
    demo = sub.add_parser("demo", help="generate and load a demo company (all four clouds)")
    demo.add_argument("--months", type=int, default=13, help="calendar months (default 13)")
    demo.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    demo.add_argument("--scale", type=int, default=1, help="multiply the rows (benchmarks)")
    demo.set_defaults(func=cmd_demo)
    export = sub.add_parser("export-focus", help="write bronze as a FOCUS 1.2 file")
    export.add_argument("--out", required=True, metavar="FILE", help=".csv, .csv.gz or .parquet")
    export.add_argument("--source", help="only this source")
    export.add_argument("--period", type=billing_month, help="only this billing month, YYYY-MM")
    export.set_defaults(func=cmd_export_focus)
    check = sub.add_parser("check-focus", help="check a FOCUS file against the spec's rules")
    check.add_argument("path", metavar="FILE")
    check.add_argument(
        "--focus-version", choices=VERSIONS, help="check as this version (default: detected)"
    )
    check.set_defaults(func=cmd_check_focus)
    add_source_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - the CLI's promise is one line, not a traceback
        detail = " ".join(str(exc).split())[:500]
        print(f"error: {type(exc).__name__}: {detail}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
