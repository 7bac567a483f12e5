"""Users from the shell and the first admin: `python -m db user ...` in a real process."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from db import users
from tests.conftest import ROOT


def cli(database_url: str, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "DATABASE_URL": database_url, **env}
    return subprocess.run(
        [sys.executable, "-m", "db", "user", *args],
        cwd=ROOT,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_first_start_creates_admin_and_prints_a_password_once(database_url: str, engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text('TRUNCATE app."user"'))
    first = cli(database_url, "list", CLOUDLENS_ADMIN_PASSWORD="")
    assert first.returncode == 0
    assert "created the user 'admin' with the password:" in first.stderr
    printed = first.stderr.split("password: ", 1)[1].split()[0]
    admin = users.get_user(engine, "admin")
    assert admin and admin.role == "admin" and users.check_password(printed, admin.password_hash)
    again = cli(database_url, "list")
    assert "created the user" not in again.stderr  # printed once, never again


def test_add_set_password_disable(database_url: str, engine) -> None:
    added = cli(
        database_url,
        "add",
        "carol",
        "--role",
        "analyst",
        "--provider",
        "AWS",
        stdin="first-password-1\n",
    )
    assert added.returncode == 0, added.stderr
    carol = users.get_user(engine, "carol")
    assert carol.role == "analyst" and carol.scope.providers == ("AWS",)
    assert users.check_password("first-password-1", carol.password_hash)
    assert "first-password-1" not in added.stdout + added.stderr

    assert cli(database_url, "set-password", "carol", stdin="second-password-2\n").returncode == 0
    assert users.check_password("second-password-2", users.get_user(engine, "carol").password_hash)
    assert cli(database_url, "disable", "carol").returncode == 0
    assert users.get_user(engine, "carol").disabled

    short = cli(database_url, "add", "dave", stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    missing = cli(database_url, "disable", "nobody")
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr
    with engine.connect() as conn:
        audited = conn.execute(sa.text("SELECT action FROM app.audit_log")).scalars().all()
    assert {"user_added", "password_changed", "user_disabled"} <= set(audited)
    assert all("second-password" not in str(r) for r in users.recent_audit(engine))


def test_sign_out_and_password_change_void_earlier_cookies(engine) -> None:
    if users.get_user(engine, "dora") is None:
        users.add_user(engine, "dora", "dora-password-1", role="viewer")
    assert users.sessions_revoked_at(engine, "dora") is None
    users.audit(engine, "dora", "logout")
    signed_out = users.sessions_revoked_at(engine, "dora")
    assert signed_out is not None
    users.set_password(engine, "dora", "dora-password-2", actor="admin")  # an admin resets it
    changed = users.sessions_revoked_at(engine, "DORA")
    assert changed is not None and changed > signed_out
    users.audit(engine, "someone-else", "logout")
    assert users.sessions_revoked_at(engine, "dora") == changed
