"""Users, roles, scope and the audit log: the rules live here, the app and the CLI only call them.

Roles are cumulative: an analyst can do all a viewer can, an admin all an analyst can.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import bcrypt
import sqlalchemy as sa
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
)
from pydantic_core import ErrorDetails

import logs
from config import Settings
from db.sql import statement

ROLES = ("viewer", "analyst", "admin")
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read", "export"}),
    "analyst": frozenset({"read", "export", "ai_insights", "triage", "dismiss", "budgets"}),
    "admin": frozenset(
        {
            "read",
            "export",
            "ai_insights",
            "triage",
            "dismiss",
            "budgets",
            "users",
            "sources",
            "allocation_rules",
            "schedules",
            "audit",
        }
    ),
}
LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD = 10
# Generated passwords land here (mode 0600, under CLOUDLENS_HOME) when stderr is no terminal.
PASSWORD_FILE = "initial-passwords"
# Every action the code writes to app.audit_log (the audit page filters by these, and by any
# other the log holds).
AUDIT_ACTIONS = (
    "login",
    "login_failed",
    "login_locked",
    "login_unlocked",
    "logout",
    "export",
    "user_added",
    "user_changed",
    "user_disabled",
    "user_enabled",
    "password_changed",
    "source_added",
    "source_changed",
    "source_removed",
    "sync_requested",
    "sync_cancelled",
    "allocation_rule_saved",
    "allocation_rule_deleted",
)


class UserError(ValueError):
    """A user change a person asked for that cannot be made; the message says why."""


# A name at one level of a scope: surrounding spaces dropped, never empty (a blank entry matches
# nothing, and dropping it quietly could turn a one-name limit into no limit at all).
ScopeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
_LEVELS = {
    "providers": "providers",
    "billing_accounts": "billing accounts",
    "sub_accounts": "sub-accounts",
}


def _distinct(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


ScopeNames = Annotated[tuple[ScopeName, ...], AfterValidator(_distinct)]


class Scope(BaseModel):
    """What cost a user may see; an empty tuple means no limit on that level. Checked when made
    (from the admin page, the CLI or the stored JSON): a malformed scope raises UserError rather
    than limiting to something else (a string "AWS" is not the list ("A", "W", "S"))."""

    model_config = ConfigDict(frozen=True)

    providers: ScopeNames = ()
    billing_accounts: ScopeNames = ()
    sub_accounts: ScopeNames = ()

    def __init__(
        self,
        providers: Iterable[str] | None = (),
        billing_accounts: Iterable[str] | None = (),
        sub_accounts: Iterable[str] | None = (),
    ) -> None:
        levels = {
            "providers": providers,
            "billing_accounts": billing_accounts,
            "sub_accounts": sub_accounts,
        }
        try:
            super().__init__(**{k: () if v is None else v for k, v in levels.items()})
        except ValidationError as exc:
            raise UserError("; ".join(_scope_problem(e) for e in exc.errors())) from None

    @classmethod
    def from_json(cls, data: dict | None) -> Scope:
        data = data or {}
        return cls(data.get("providers"), data.get("billing_accounts"), data.get("sub_accounts"))

    def to_json(self) -> str:
        return self.model_dump_json()

    @property
    def unlimited(self) -> bool:
        return not (self.providers or self.billing_accounts or self.sub_accounts)

    def params(self) -> dict[str, object]:
        """Bound parameters every gold query takes (see the scope clause in db/sql/*.sql)."""
        return {
            "scope_providers": list(self.providers),
            "scope_all_providers": not self.providers,
            "scope_accounts": list(self.billing_accounts),
            "scope_all_accounts": not self.billing_accounts,
            "scope_sub_accounts": list(self.sub_accounts),
            "scope_all_sub_accounts": not self.sub_accounts,
        }


def _scope_problem(error: ErrorDetails) -> str:
    level = _LEVELS[str(error["loc"][0])]
    if error["type"] == "string_too_short":
        return f"a scope's {level} cannot include an empty name"
    return f"a scope's {level} must be a list of names, not {error['input']!r}"


@dataclass(frozen=True)
class User:
    username: str
    name: str
    email: str
    role: str
    scope: Scope = field(default_factory=Scope)
    disabled: bool = False
    password_hash: str = field(default="", repr=False)

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"passwords need at least {MIN_PASSWORD} characters")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def check_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode(), password_hash.encode())


def users(engine: sa.Engine) -> list[User]:
    with engine.connect() as conn:
        rows = conn.execute(statement("users")).all()
    return [
        User(
            r.username,
            r.name,
            r.email,
            r.role,
            Scope.from_json(r.scope),
            r.disabled,
            r.password_hash,
        )
        for r in rows
    ]


def get_user(engine: sa.Engine, username: str) -> User | None:
    return next((u for u in users(engine) if u.username.lower() == username.lower()), None)


def add_user(
    engine: sa.Engine,
    username: str,
    password: str,
    *,
    role: str,
    name: str = "",
    email: str = "",
    scope: Scope | None = None,
    actor: str | None = None,
) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if get_user(engine, username):
        raise UserError(f"user {username!r} exists already")
    params = {
        "username": username,
        "name": name or username,
        "email": email or f"{username}@localhost",
        "password_hash": hash_password(password),
        "role": role,
        "scope": (scope or Scope()).to_json(),
    }
    try:
        with engine.begin() as conn:
            conn.execute(statement("user_insert"), params)
            _audit(conn, actor, "user_added", {"user": username, "role": role})
    except sa.exc.IntegrityError as exc:
        raise UserError(f"user name {username!r} is not allowed (letters, digits, _.@-)") from exc


def set_password(engine: sa.Engine, username: str, password: str, actor: str | None = None) -> None:
    _change(
        engine,
        "user_set_password",
        username,
        actor,
        "password_changed",
        password_hash=hash_password(password),
    )


def set_disabled(
    engine: sa.Engine, username: str, disabled: bool, actor: str | None = None
) -> None:
    action = "user_disabled" if disabled else "user_enabled"
    _change(engine, "user_set_disabled", username, actor, action, disabled=disabled)


def update_user(
    engine: sa.Engine, username: str, role: str, scope: Scope, actor: str | None = None
) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}")
    _change(
        engine, "user_update", username, actor, "user_changed", role=role, scope=scope.to_json()
    )


def _change(
    engine: sa.Engine, name: str, username: str, actor: str | None, action: str, **values: object
) -> None:
    with engine.begin() as conn:
        changed = conn.execute(statement(name), {"username": username, **values}).rowcount
        if not changed:
            raise UserError(f"no user {username!r}")
        detail = {"user": username} | {k: v for k, v in values.items() if k != "password_hash"}
        _audit(conn, actor, action, detail)


def _audit(conn: sa.Connection, username: str | None, action: str, detail: dict) -> None:
    conn.execute(
        statement("audit_insert"),
        {"username": username, "action": action, "detail": json.dumps(detail, default=str)},
    )


def audit(engine: sa.Engine, username: str | None, action: str, **detail: object) -> None:
    with engine.begin() as conn:
        _audit(conn, username, action, detail)


def recent_audit(
    engine: sa.Engine, username: str | None = None, action: str | None = None, limit: int = 500
) -> list[sa.Row]:
    with engine.connect() as conn:
        params = {"username": username, "action": action, "limit": limit}
        return conn.execute(statement("audit_recent"), params).all()


def audit_actions(engine: sa.Engine) -> list[str]:
    """The actions to filter the audit log by: all the code writes, and any other it holds."""
    with engine.connect() as conn:
        held = conn.execute(statement("audit_actions")).scalars().all()
    return sorted(set(AUDIT_ACTIONS) | set(held))


def login_failures(engine: sa.Engine) -> dict[tuple[str, str | None], int]:
    """Failed sign-ins inside the lockout window per (lower-case user name, client address)."""
    with engine.connect() as conn:
        rows = conn.execute(statement("login_failures"), {"window_minutes": LOCKOUT_MINUTES})
        return {(r.username, r.address): r.failures for r in rows}


def recent_failures(engine: sa.Engine, address: str | None = None) -> dict[str, int]:
    """Failed sign-ins per (lower-case) user name from this client address (None: unknown)."""
    return {u: n for (u, a), n in login_failures(engine).items() if a == address}


def locked_out(engine: sa.Engine) -> dict[str, list[str | None]]:
    """Users locked out now, with the client addresses they are locked out from."""
    locked: dict[str, list[str | None]] = {}
    for (username, address), failures in sorted(
        login_failures(engine).items(), key=lambda item: (item[0][0], item[0][1] or "")
    ):
        if failures >= LOCKOUT_FAILURES:
            locked.setdefault(username, []).append(address)
    return locked


def unlock(engine: sa.Engine, username: str, actor: str | None = None) -> None:
    """Clear a user's failed sign-ins, from every address (another admin, or the CLI)."""
    user = get_user(engine, username)
    if user is None:
        raise UserError(f"no user {username!r}")
    audit(engine, actor, "login_unlocked", user=user.username)


def sessions_revoked_at(engine: sa.Engine, username: str) -> datetime | None:
    """Cookies issued before this moment are void (sign-out, password change)."""
    with engine.connect() as conn:
        return conn.execute(statement("sessions_revoked"), {"username": username}).scalar_one()


def ensure_admin(engine: sa.Engine, password: str | None) -> None:
    """The first start of an empty install creates `admin`; the password comes from
    CLOUDLENS_ADMIN_PASSWORD, or is generated and revealed once (`reveal_password`), never
    stored in clear in the database."""
    with engine.connect() as conn:
        if conn.execute(statement("user_count")).scalar_one():
            return
    generated = not password
    password = password or secrets.token_urlsafe(12)
    try:
        add_user(engine, "admin", password, role="admin", name="Administrator")
    except UserError:
        return  # another process created it first
    if generated:
        reveal_password(
            "the user 'admin'",
            password,
            "change it with `python -m db user set-password admin`",
        )


def ensure_demo_users(engine: sa.Engine, password: str | None) -> None:
    """`viewer` and `analyst` for the demo; same password rule as ensure_admin."""
    generated = not password
    password = password or secrets.token_urlsafe(12)
    created = []
    for role in ("viewer", "analyst"):
        if not get_user(engine, role):
            add_user(engine, role, password, role=role, name=f"Demo {role}")
            created.append(role)
    if created and generated:
        reveal_password(
            f"the demo users {', '.join(created)}", password, "it signs in as either of them"
        )


def reveal_password(who: str, password: str, advice: str, home: Path | None = None) -> None:
    """Show a generated password to the person starting Cloudlens, and to no log: on stderr when
    it is a terminal; otherwise (`make run` sends stderr to scheduler.log, a container to
    `docker logs`) in a mode-0600 file under CLOUDLENS_HOME, whose path is printed instead."""
    if sys.stderr.isatty():
        logs.tell(
            f"Cloudlens created {who} with the password: {password}\n"
            f"It is shown only this once; {advice}.",
            "password_shown",
            "cloudlens.users",
        )
        return
    path = (home or Settings.from_env().home) / PASSWORD_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)  # an older file keeps its mode otherwise
    with os.fdopen(fd, "a") as f:
        f.write(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC  {who}: {password}\n")
    logs.tell(
        f"Cloudlens created {who}; the password is in {path} (readable by this account only). "
        f"Read it, then delete the file; {advice}.",
        "password_written",
        "cloudlens.users",
        who=who,
        path=str(path),
    )
