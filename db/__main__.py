"""`python -m db user add|set-password|disable|enable|unlock|list`: manage users from the shell.
`python -m db stop-embedded`: stop the embedded Postgres (`make run` does on Ctrl-C).

Passwords are read from standard input (a prompt on a terminal, or one line piped in), never
from the command line, where they would end up in shell history and `ps`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from config import Settings, SettingsError
from db import embedded, users
from db.engine import get_engine


def _password(prompt: str) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        if getpass.getpass("Again: ") != first:
            raise users.UserError("the two passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


def _scope(args: argparse.Namespace) -> users.Scope:
    return users.Scope(tuple(args.provider), tuple(args.billing_account), tuple(args.sub_account))


def stop_embedded() -> str:
    """Stop the embedded server of $CLOUDLENS_HOME, saying what it did; a DATABASE_URL server
    is never touched (it is not ours to stop)."""
    settings = Settings.from_env()
    pgdata = settings.home / "pgdata"
    pid = embedded.stop(pgdata)
    if pid is None:
        said = f"the embedded Postgres ({pgdata}) is not running"
    else:
        said = f"stopped the embedded Postgres (pid {pid}, data in {pgdata})"
    if settings.database_url:
        said += "; DATABASE_URL is set, and that server is left as it is"
    return said


def run(args: argparse.Namespace) -> str:
    if args.command == "stop-embedded":
        return stop_embedded()
    engine = get_engine()
    if args.action == "add":
        users.add_user(
            engine,
            args.username,
            _password(f"Password for {args.username}"),
            role=args.role,
            name=args.name or "",
            email=args.email or "",
            scope=_scope(args),
            actor="cli",
        )
        return f"added {args.username} ({args.role})"
    if args.action == "set-password":
        users.set_password(
            engine, args.username, _password(f"New password for {args.username}"), actor="cli"
        )
        return f"password changed for {args.username}"
    if args.action == "unlock":
        users.unlock(engine, args.username, actor="cli")
        return f"unlocked {args.username}: failed sign-ins cleared from every address"
    if args.action in ("disable", "enable"):
        users.set_disabled(engine, args.username, args.action == "disable", actor="cli")
        return f"{args.action}d {args.username}"
    lines = [
        f"{u.username}\t{u.role}\t{'disabled' if u.disabled else 'active'}\t{u.email}"
        for u in users.users(engine)
    ]
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m db", description="Cloudlens database tools")
    sub = p.add_subparsers(dest="command", required=True)
    user = sub.add_parser("user", help="manage users")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user (password on stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=users.ROLES, default="viewer")
    add.add_argument("--name")
    add.add_argument("--email")
    add.add_argument("--provider", action="append", default=[], help="limit to a provider")
    add.add_argument("--billing-account", action="append", default=[], help="limit to an account")
    add.add_argument("--sub-account", action="append", default=[], help="limit to a sub-account")
    for name, text in (
        ("set-password", "set a new password (on stdin)"),
        ("disable", "stop a user from signing in"),
        ("enable", "let a disabled user sign in again"),
        ("unlock", "clear a user's failed sign-ins (a lockout) from every address"),
    ):
        actions.add_parser(name, help=text).add_argument("username")
    actions.add_parser("list", help="list users")
    sub.add_parser(
        "stop-embedded",
        help="stop the embedded Postgres of $CLOUDLENS_HOME (its data stays; any start reuses it)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        print(run(args))
    except (users.UserError, SettingsError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
