"""Users & audit for the admin page: who may sign in, with which role and scope, and who did
what. The page lays out forms and tables; the changes, the rule that an admin cannot demote or
disable themself, and the shaping of the two tables live here, over db.users."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from db import users as users_db

# What the page names itself: the roles to pick from, the lockout rule it states, the error
# its forms show.
from db.users import LOCKOUT_FAILURES as LOCKOUT_FAILURES
from db.users import LOCKOUT_MINUTES as LOCKOUT_MINUTES
from db.users import ROLES as ROLES
from db.users import Scope, User
from db.users import UserError as UserError
from ui import data

EVERYTHING = Scope()  # no limit: what the pick lists offer, and a new user's default
ANYONE = "(anyone)"
ANY_ACTION = "(any)"


def everyone() -> list[User]:
    """Not cached: a user added or changed a moment ago must show at once."""
    return users_db.users(data.engine())


def scope_text(scope: Scope) -> str:
    """What a user sees, in words: 'everything', or each limit with its values."""
    if scope.unlimited:
        return "everything"
    parts = [
        f"{label}: {', '.join(values)}"
        for label, values in (
            ("providers", scope.providers),
            ("billing accounts", scope.billing_accounts),
            ("sub-accounts", scope.sub_accounts),
        )
        if values
    ]
    return "; ".join(parts)


def scope_from(
    providers: Iterable[str], billing_accounts: Iterable[str], sub_accounts: str
) -> Scope:
    """A scope from the form: the picked lists, and sub-account ids typed comma-separated."""
    subs = tuple(s.strip() for s in sub_accounts.split(",") if s.strip())
    return Scope(
        providers=tuple(providers), billing_accounts=tuple(billing_accounts), sub_accounts=subs
    )


def users_frame(users: list[User]) -> pd.DataFrame:
    """One row per user as the Users table shows it."""
    return pd.DataFrame(
        [
            {
                "username": u.username,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "scope": scope_text(u.scope),
                "status": "disabled" if u.disabled else "active",
            }
            for u in users
        ],
        columns=["username", "name", "email", "role", "scope", "status"],
    )


def add(
    username: str, password: str, role: str, name: str, email: str, scope: Scope, actor: str
) -> None:
    """Raises UserError (its message says why) when the user cannot be added."""
    users_db.add_user(
        data.engine(),
        username.strip(),
        password,
        role=role,
        name=name,
        email=email,
        scope=scope,
        actor=actor,
    )


def change(
    user: User, role: str, scope: Scope, new_password: str, disabled: bool, actor: str
) -> None:
    """Role and scope, a new password if one was typed, and enabled or disabled, each audited.
    An admin cannot demote or disable themself: the last admin could lock everyone out."""
    if user.username == actor and (disabled or role != "admin"):
        raise UserError("you cannot demote or disable yourself")
    engine = data.engine()
    users_db.update_user(engine, user.username, role, scope, actor=actor)
    if new_password:
        users_db.set_password(engine, user.username, new_password, actor)
    if disabled != user.disabled:
        users_db.set_disabled(engine, user.username, disabled, actor)


def locked_out() -> dict[str, list[str | None]]:
    """Users locked out now, with the client addresses they are locked out from."""
    return users_db.locked_out(data.engine())


def unlock(username: str, actor: str) -> None:
    users_db.unlock(data.engine(), username, actor=actor)


def audit_actions() -> list[str]:
    return users_db.audit_actions(data.engine())


def audit_frame(who: str, action: str) -> pd.DataFrame:
    """The recent audit log, for one user and one action unless ANYONE / ANY_ACTION."""
    rows = users_db.recent_audit(
        data.engine(),
        username=None if who == ANYONE else who,
        action=None if action == ANY_ACTION else action,
    )
    return pd.DataFrame(
        [
            {"at": r.at, "username": r.username or "", "action": r.action, "detail": r.detail}
            for r in rows
        ],
        columns=["at", "username", "action", "detail"],
    )
