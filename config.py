"""One settings object, read from the environment, shared by the app, the CLI and the scheduler.

pydantic-settings reads and checks the variables (`Environment`): a bad value stops the start with
one line naming the variable and what it expects (`SettingsError`) instead of a raw ValueError.
Every variable is documented in `.env.example` and the README; a test keeps the three in step.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent
MIB = 1024 * 1024


def _variable(name: str, default: Any, description: str, expect: str = "text", **rules: Any) -> Any:
    """A field read from the environment variable `name`; `expect` finishes the sentence
    "NAME must be ..." that a bad value gets."""
    return Field(
        default, alias=name, description=description, json_schema_extra={"expect": expect}, **rules
    )


class Environment(BaseSettings):
    """The variables as set, checked but not yet resolved (paths stay as written). Surrounding
    spaces are dropped and an empty variable counts as unset, so `X=` in a .env keeps the
    default. Inputs are hidden in pydantic's own error text: some variables are secrets."""

    model_config = SettingsConfigDict(
        case_sensitive=True,
        str_strip_whitespace=True,
        hide_input_in_errors=True,
        frozen=True,
    )

    database_url: str = _variable(
        "DATABASE_URL",
        "",
        "SQLAlchemy URL of a Postgres server (postgresql+psycopg://user:pass@host:5432/db). "
        "Unset: an embedded Postgres is started under $CLOUDLENS_HOME/pgdata.",
    )
    home: str = _variable(
        "CLOUDLENS_HOME",
        "./.cloudlens",
        "Folder for local state: the embedded database and generated keys.",
    )
    sample_data: str = _variable(
        "CLOUDLENS_SAMPLE_DATA",
        "../shared/data/focus-sample-data/FOCUS-1.0/focus_sample.csv",
        "FOCUS file `make run` loads on start; falls back to tests/data/focus_small.csv.",
    )
    load_batch_mb: int = _variable(
        "CLOUDLENS_LOAD_BATCH_MB",
        4,
        "Size of the blocks a CSV is read and copied in. Arrow reads ~32 blocks ahead, so a "
        "load holds up to about 32x this much raw CSV.",
        "a whole number of megabytes above 0",
        gt=0,
    )
    load_field_mb: float = _variable(
        "CLOUDLENS_LOAD_FIELD_MB",
        16,
        "Largest single field (one CSV cell, one JSON or Parquet value) a load accepts; a "
        "larger one is refused naming its file, row and column. Large Tags objects fit.",
        "a number of megabytes above 0",
        gt=0,
        allow_inf_nan=False,
    )
    cookie_key: str = _variable(
        "CLOUDLENS_COOKIE_KEY",
        "",
        "Secret that signs the login cookie. Unset: generated once into "
        "$CLOUDLENS_HOME/cookie_key (mode 0600) and reused.",
    )
    secret_key: str = _variable(
        "CLOUDLENS_SECRET_KEY",
        "",
        "Fernet key(s) that encrypt source credentials in app.source, comma-separated: the first "
        "encrypts, any decrypts (key rotation). Unset: generated once into "
        "$CLOUDLENS_HOME/secret_key (mode 0600) and reused.",
    )
    admin_password: str = _variable(
        "CLOUDLENS_ADMIN_PASSWORD",
        "",
        "Password of the `admin` user created when app.user is empty. Unset: a random one is "
        "printed once to the console.",
    )
    demo_password: str = _variable(
        "CLOUDLENS_DEMO_PASSWORD",
        "",
        "Password of the demo users `viewer` and `analyst` (`python -m ingestion demo`). Unset: "
        "a random one is printed once.",
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if not (isinstance(v, str) and not v.strip())}


# name -> (default, description); the single list the docs test checks against. The tests'
# own server URL is read by tests/conftest.py, never by the app.
VARIABLES: dict[str, tuple[str, str]] = {
    str(f.alias): (str(f.default), str(f.description)) for f in Environment.model_fields.values()
} | {
    "TEST_DATABASE_URL": (
        "",
        "Tests only: a Postgres server URL whose role may create databases. "
        "Unset: the tests start their own embedded server.",
    ),
}


class SettingsError(ValueError):
    """A variable set to a value Cloudlens cannot use; the message names it and says what fits."""


def _explain(exc: ValidationError) -> str:
    expects = {f.alias: f.json_schema_extra["expect"] for f in Environment.model_fields.values()}
    return "; ".join(
        f"{error['loc'][0]} must be {expects[error['loc'][0]]}, not {error['input']!r}"
        for error in exc.errors()
    )


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    sample_data: Path
    load_batch_bytes: int
    load_field_bytes: int = 16 * MIB
    admin_password: str = field(default="", repr=False)
    demo_password: str = field(default="", repr=False)
    cookie_key_env: str = field(default="", repr=False)
    secret_key_env: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> Settings:
        """The settings of this process; SettingsError names any variable set to a bad value."""
        try:
            env = Environment()
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None
        home = Path(env.home).expanduser()
        if not home.is_absolute():
            home = (Path.cwd() / home).resolve()
        sample = Path(env.sample_data).expanduser()
        if not sample.is_absolute():
            sample = (PROJECT_ROOT / sample).resolve()
        return cls(
            database_url=env.database_url,
            home=home,
            sample_data=sample,
            load_batch_bytes=env.load_batch_mb * MIB,
            load_field_bytes=int(env.load_field_mb * MIB),
            admin_password=env.admin_password,
            demo_password=env.demo_password,
            cookie_key_env=env.cookie_key,
            secret_key_env=env.secret_key,
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
