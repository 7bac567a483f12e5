"""Users from the shell and the first admin: `python -m db user ...` in a real process."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

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


def test_first_start_puts_the_password_in_a_private_file_not_the_log(
    database_url: str, engine, tmp_path: Path
) -> None:
    """stderr is a log here (as under `make run` or docker): the password goes to a file."""
    with engine.begin() as conn:
        conn.execute(sa.text('TRUNCATE app."user"'))
    home = tmp_path / "home"
    first = cli(database_url, "list", CLOUDLENS_ADMIN_PASSWORD="", CLOUDLENS_HOME=str(home))
    assert first.returncode == 0
    secret_file = home / "initial-passwords"
    assert f"the password is in {secret_file}" in first.stderr
    [notice] = [json.loads(line) for line in first.stderr.splitlines() if "password" in line]
    assert (notice["event"], notice["logger"], notice["path"]) == (
        "password_written",
        "cloudlens.users",
        str(secret_file),
    )  # a log line like the scheduler's around it, not loose text
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    written = secret_file.read_text().split("the user 'admin': ", 1)[1].split()[0]
    assert written not in first.stderr + first.stdout
    admin = users.get_user(engine, "admin")
    assert admin and admin.role == "admin" and users.check_password(written, admin.password_hash)
    again = cli(database_url, "list", CLOUDLENS_HOME=str(home))
    assert "created the user" not in again.stderr  # once, never again


def test_first_start_on_a_terminal_shows_the_password_there(
    database_url: str, engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text('TRUNCATE app."user"'))
    home = tmp_path / "home"
    leader, follower = pty.openpty()
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CLOUDLENS_ADMIN_PASSWORD": "",
        "CLOUDLENS_HOME": str(home),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "db", "user", "list"],
        cwd=ROOT,
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
    )
    os.close(follower)
    assert proc.wait(timeout=120) == 0
    shown = b""
    with contextlib.suppress(OSError):  # EIO once the terminal's other end has closed
        while chunk := os.read(leader, 4096):
            shown += chunk
    os.close(leader)
    text = shown.decode()
    assert "created the user 'admin' with the password:" in text
    printed = text.split("password: ", 1)[1].split()[0]
    assert users.check_password(printed, users.get_user(engine, "admin").password_hash)
    assert not (home / "initial-passwords").exists()


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
