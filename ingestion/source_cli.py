"""`python -m ingestion source add|list|remove|test|rotate-key`: configure sources from a script.

Secrets are read from standard input (one line per `--secret FIELD`, a hidden prompt on a
terminal) or from an environment variable (`--secret-env FIELD=VARIABLE`), never from the
command line, where they would land in shell history and `ps`.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from config import Settings
from db import credentials
from db import sources as sources_db
from db.credentials import CredentialsError
from db.engine import get_engine
from db.sources import SourceError
from ingestion import schedules
from ingestion.sources.base import SourceConfigError, SyncError
from ingestion.sources.kinds import KINDS, available, connector_class
from ingestion.sources.service import add_source, preview

EXIT_OK, EXIT_BAD_INPUT = 0, 2
# What a person can fix: exit 2 with one line. Anything else reaches ingestion.__main__ (exit 1).
USER_ERRORS = (SourceError, SourceConfigError, schedules.ScheduleError, CredentialsError, SyncError)


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise SourceConfigError(f"{flag} takes key=value, not {item!r}")
        out[key.strip()] = value.strip()
    return out


def read_secrets(fields: list[str], from_env: list[str]) -> dict[str, str]:
    for name in fields:
        if "=" in name:
            raise SourceConfigError(
                f"--secret takes a field name only ({name.split('=')[0]!r}): its value is read "
                "from standard input, never from the command line; or use --secret-env "
                "FIELD=VARIABLE"
            )
    values: dict[str, str] = {}
    for name in fields:
        if sys.stdin.isatty():
            values[name] = getpass.getpass(f"{name}: ")
        else:
            line = sys.stdin.readline()
            if not line:
                raise SourceConfigError(f"no value for secret {name!r} on standard input")
            values[name] = line.rstrip("\r\n")
    for name, variable in _pairs(from_env, "--secret-env").items():
        if variable not in os.environ:
            raise SourceConfigError(
                f"environment variable {variable} (for secret {name!r}) is not set"
            )
        values[name] = os.environ[variable]
    empty = [name for name, value in values.items() if not value]
    if empty:
        raise SourceConfigError(f"secret {empty[0]!r} is empty")
    return values


def cmd_add(args: argparse.Namespace) -> str:
    settings = Settings.from_env()
    connector_class(args.kind)  # an unknown or not yet available kind, before reading secrets
    schedule = args.cron if args.cron is not None else args.schedule or schedules.DEFAULT
    if args.cron is not None and args.cron.strip().lower().startswith("every"):
        raise SourceConfigError("--cron takes a cron expression; write intervals with --schedule")
    if args.schedule is not None and not args.schedule.strip().lower().startswith("every"):
        raise SourceConfigError("--schedule takes an interval like 'every 1h'; use --cron for cron")
    source = add_source(
        get_engine(settings),
        settings,
        name=args.name,
        kind=args.kind,
        settings=_pairs(args.setting, "--setting"),
        schedule=schedule,
        secrets=read_secrets(args.secret, args.secret_env) or None,
        enabled=not args.disabled,
        actor="cli",
    )
    state = "enabled" if source.enabled else "disabled"
    return f"added {source.name} ({source.kind}, {source.schedule}, {state})"


def cmd_list(args: argparse.Namespace) -> str:
    lines = []
    for s in sources_db.all_sources(get_engine()):
        lines.append(
            "\t".join(
                [
                    s.name,
                    s.kind,
                    s.schedule,
                    "enabled" if s.enabled else "disabled",
                    "credentials stored" if s.has_credentials else "no credentials",
                    json.dumps(s.settings, sort_keys=True),
                ]
            )
        )
    return "\n".join(lines)


def cmd_remove(args: argparse.Namespace) -> str:
    sources_db.remove_source(get_engine(), args.name, actor="cli")
    return f"removed {args.name} (its loaded data and run history stay)"


def cmd_test(args: argparse.Namespace) -> str:
    settings = Settings.from_env()
    source = sources_db.get_source(get_engine(settings), args.name)
    if source is None:
        raise SourceError(f"no source {args.name!r}")
    refs = preview(source, settings).new
    lines = [f"{source.name}: {len(refs)} new file(s) the next sync would load"]
    lines += [f"  {ref.name}\t{ref.size if ref.size is not None else '?'} bytes" for ref in refs]
    return "\n".join(lines)


def cmd_rotate_key(args: argparse.Namespace) -> str:
    settings = Settings.from_env()
    count, next_step = credentials.rotate(get_engine(settings), settings)
    return f"re-encrypted the credentials of {count} source(s); {next_step}"


def add_parser(sub: argparse._SubParsersAction) -> None:
    source = sub.add_parser("source", help="configure the sources the scheduler syncs")
    source.set_defaults(func=run)
    actions = source.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a source (secrets on stdin or from env)")
    add.add_argument(
        "--kind", required=True, help=f"one of {', '.join(KINDS)} (now: {', '.join(available())})"
    )
    add.add_argument("--name", required=True, help="also the source its data loads under")
    add.add_argument(
        "--setting", action="append", default=[], metavar="KEY=VALUE", help="e.g. path=/exports"
    )
    when = add.add_mutually_exclusive_group()
    when.add_argument(
        "--schedule", help=f"interval, like 'every 1h' (default: {schedules.DEFAULT})"
    )
    when.add_argument("--cron", help="five-field cron expression in UTC, like '0 6 * * *'")
    add.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="FIELD",
        help="a credential field; its value is read from stdin (one line per field, in order)",
    )
    add.add_argument(
        "--secret-env",
        action="append",
        default=[],
        metavar="FIELD=VARIABLE",
        help="a credential field read from an environment variable",
    )
    add.add_argument("--disabled", action="store_true", help="add it without syncing it yet")
    add.set_defaults(source_func=cmd_add)
    actions.add_parser("list", help="list sources (never their secrets)").set_defaults(
        source_func=cmd_list
    )
    remove = actions.add_parser("remove", help="remove a source (its data stays)")
    remove.add_argument("name")
    remove.set_defaults(source_func=cmd_remove)
    test = actions.add_parser("test", help="list what the next sync of a source would load")
    test.add_argument("name")
    test.set_defaults(source_func=cmd_test)
    actions.add_parser(
        "rotate-key", help="re-encrypt every source's credentials with a new key"
    ).set_defaults(source_func=cmd_rotate_key)


def run(args: argparse.Namespace) -> int:
    try:
        out = args.source_func(args)
    except USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if out:
        print(out)
    return EXIT_OK
