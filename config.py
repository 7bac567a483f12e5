"""One settings object, read from the environment, shared by the app, the CLI and the scheduler.

Every variable is documented in `.env.example` and the README; a test keeps the three in step.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent

# name -> (default, description); the single list the docs test checks against.
VARIABLES: dict[str, tuple[str, str]] = {
    "DATABASE_URL": (
        "",
        "SQLAlchemy URL of a Postgres server (postgresql+psycopg://user:pass@host:5432/db). "
        "Unset: an embedded Postgres is started under $CLOUDLENS_HOME/pgdata.",
    ),
    "CLOUDLENS_HOME": (
        "./.cloudlens",
        "Folder for local state: the embedded database and generated keys.",
    ),
    "CLOUDLENS_SAMPLE_DATA": (
        "../shared/data/focus-sample-data/FOCUS-1.0/focus_sample.csv",
        "FOCUS file `make run` loads on start; falls back to tests/data/focus_small.csv.",
    ),
    "CLOUDLENS_LOAD_BATCH_MB": (
        "4",
        "Size of the blocks a CSV is read and copied in. Arrow reads ~32 blocks ahead, so a "
        "load holds up to about 32x this much raw CSV.",
    ),
    "CLOUDLENS_LOAD_FIELD_MB": (
        "16",
        "Largest single field (one CSV cell, one JSON or Parquet value) a load accepts; a "
        "larger one is refused naming its file, row and column. Large Tags objects fit.",
    ),
    "CLOUDLENS_COOKIE_KEY": (
        "",
        "Secret that signs the login cookie. Unset: generated once into "
        "$CLOUDLENS_HOME/cookie_key (mode 0600) and reused.",
    ),
    "CLOUDLENS_SECRET_KEY": (
        "",
        "Fernet key(s) that encrypt source credentials in app.source, comma-separated: the first "
        "encrypts, any decrypts (key rotation). Unset: generated once into "
        "$CLOUDLENS_HOME/secret_key (mode 0600) and reused.",
    ),
    "CLOUDLENS_ADMIN_PASSWORD": (
        "",
        "Password of the `admin` user created when app.user is empty. Unset: a random one is "
        "printed once to the console.",
    ),
    "CLOUDLENS_DEMO_PASSWORD": (
        "",
        "Password of the demo users `viewer` and `analyst` (`python -m ingestion demo`). Unset: "
        "a random one is printed once.",
    ),
    "TEST_DATABASE_URL": (
        "",
        "Tests only: a Postgres server URL whose role may create databases. "
        "Unset: the tests start their own embedded server.",
    ),
}


def _env(name: str) -> str:
    return os.environ.get(name, VARIABLES[name][0]).strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    sample_data: Path
    load_batch_bytes: int
    load_field_bytes: int = 16 * 1024 * 1024
    admin_password: str = field(default="", repr=False)
    demo_password: str = field(default="", repr=False)
    cookie_key_env: str = field(default="", repr=False)
    secret_key_env: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(_env("CLOUDLENS_HOME")).expanduser()
        if not home.is_absolute():
            home = (Path.cwd() / home).resolve()
        sample = Path(_env("CLOUDLENS_SAMPLE_DATA")).expanduser()
        if not sample.is_absolute():
            sample = (PROJECT_ROOT / sample).resolve()
        return cls(
            database_url=_env("DATABASE_URL"),
            home=home,
            sample_data=sample,
            load_batch_bytes=int(_env("CLOUDLENS_LOAD_BATCH_MB")) * 1024 * 1024,
            load_field_bytes=int(float(_env("CLOUDLENS_LOAD_FIELD_MB")) * 1024 * 1024),
            admin_password=_env("CLOUDLENS_ADMIN_PASSWORD"),
            demo_password=_env("CLOUDLENS_DEMO_PASSWORD"),
            cookie_key_env=_env("CLOUDLENS_COOKIE_KEY"),
            secret_key_env=_env("CLOUDLENS_SECRET_KEY"),
        )

    @property
    def cookie_key(self) -> str:
        """CLOUDLENS_COOKIE_KEY, else a key generated once under CLOUDLENS_HOME (never committed:
        the folder is git-ignored)."""
        if self.cookie_key_env:
            return self.cookie_key_env
        path = self.home / "cookie_key"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def secret_key_file(self) -> Path:
        return self.home / "secret_key"

    @property
    def secret_keys(self) -> list[str]:
        """The Fernet keys for source credentials, newest first: CLOUDLENS_SECRET_KEY, else the
        key file, generated on first use. Read at every call, so a key rotation that rewrites
        the file reaches a running app and scheduler without a restart."""
        if self.secret_key_env:
            return [k.strip() for k in self.secret_key_env.split(",") if k.strip()]
        path = self.secret_key_file
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            # Write aside, then link into place: the app and the scheduler may both start now,
            # and neither may read a half-written key or replace the other's.
            fresh = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(base64.urlsafe_b64encode(os.urandom(32)).decode() + "\n")
            try:
                os.link(fresh, path)
            except FileExistsError:
                pass
            finally:
                fresh.unlink()
        return [k.strip() for k in path.read_text().split() if k.strip()]
