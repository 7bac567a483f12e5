"""Source credentials at rest: a Fernet token per source, never the secrets themselves.

The keys come from CLOUDLENS_SECRET_KEY (comma-separated, newest first) or the key file under
CLOUDLENS_HOME. Encryption always uses the first key and decryption tries them all, which is
what makes rotation safe: add the new key in front, re-encrypt every row, drop the old key.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from config import Settings
from db.sql import statement


class CredentialsError(Exception):
    """The keys cannot seal or open what is stored; the message says what to check."""


class Vault:
    """Fernet with the configured keys: seals with the first, opens with any of them."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise CredentialsError("no secret key configured (CLOUDLENS_SECRET_KEY is empty)")
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except ValueError:
            raise CredentialsError(
                "CLOUDLENS_SECRET_KEY must hold Fernet keys (32 url-safe base64-encoded bytes); "
                "generate one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`"
            ) from None

    @classmethod
    def from_settings(cls, settings: Settings) -> Vault:
        return cls(settings.secret_keys)

    def seal(self, values: Mapping[str, str]) -> bytes:
        return self._fernet.encrypt(json.dumps(dict(values), sort_keys=True).encode())

    def open(self, token: bytes) -> dict[str, str]:
        try:
            return json.loads(self._fernet.decrypt(bytes(token)))
        except InvalidToken:
            raise CredentialsError(
                "the stored credentials cannot be decrypted with CLOUDLENS_SECRET_KEY (or the "
                "key file): was the key changed without `python -m ingestion source rotate-key`? "
                "Put the old key back, or enter the credentials again"
            ) from None

    def reseal(self, token: bytes) -> bytes:
        try:
            return self._fernet.rotate(bytes(token))
        except InvalidToken:
            raise CredentialsError(
                "a source's credentials cannot be decrypted with any configured key; keep the "
                "key they were sealed with in CLOUDLENS_SECRET_KEY while rotating"
            ) from None


def reseal_all(engine: sa.Engine, vault: Vault) -> int:
    """Re-encrypt every source's credentials with the vault's first key, in one transaction:
    either every row moves to the new key or none does."""
    with engine.begin() as conn:
        rows = conn.execute(statement("source_credentials_all")).all()
        for row in rows:
            conn.execute(
                statement("source_credentials_set"),
                {"source_id": row.source_id, "credentials": vault.reseal(row.credentials)},
            )
    return len(rows)


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _write_keys(path: Path, keys: Sequence[str]) -> None:
    """Replace the key file atomically, mode 0600 from the start."""
    aside = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(f"{key}\n" for key in keys))
        f.flush()
        os.fsync(f.fileno())
    os.replace(aside, path)


def rotate(engine: sa.Engine, settings: Settings) -> tuple[int, str]:
    """Move every stored credential to a new key; returns (rows re-encrypted, what to do next).

    Key file: a new key is written in front of the old one first (so every process can open
    both kinds of token meanwhile), the rows are re-encrypted, then the old key is dropped.
    CLOUDLENS_SECRET_KEY: the operator puts the new key in front (NEW,OLD) and runs this; the
    variable cannot be changed from here, so they drop OLD afterwards."""
    if settings.secret_key_env:
        keys = settings.secret_keys
        if len(keys) < 2:
            raise CredentialsError(
                "CLOUDLENS_SECRET_KEY holds one key: set it to NEW_KEY,OLD_KEY (a new Fernet "
                "key in front), run rotate-key, then set it to NEW_KEY alone"
            )
        count = reseal_all(engine, Vault(keys))
        return count, (
            "every credential now uses the first key of CLOUDLENS_SECRET_KEY: set the variable "
            "to that key alone and restart the app and the scheduler"
        )
    path = settings.secret_key_file
    old = settings.secret_keys  # generates the file on a fresh install
    new = new_key()
    _write_keys(path, [new, *old])
    count = reseal_all(engine, Vault([new, *old]))
    _write_keys(path, [new])
    return count, f"{path} now holds the new key only; running processes read it at next use"
