"""Credentials: sealed at rest (the raw table holds no plaintext), never on the command line,
never in logs or sync errors, and re-encrypted by `source rotate-key`."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from pydantic import Field

import logs
from config import Settings
from db import source_tests
from db import sources as sources_db
from db.credentials import CredentialsError, Vault, new_key
from ingestion import connection_tests, sync
from ingestion.__main__ import main
from ingestion.sources.base import (
    ExportRef,
    PermanentError,
    SourceSettings,
    validate_settings,
)
from ingestion.sources.kinds import KINDS, Kind
from tests.scheduler.conftest import SECRET_KEY, runs, source_cli

SECRET = "sk-live+Very/Secret=Token-4711"


class RemoteSettings(SourceSettings):
    endpoint: str = Field(title="Endpoint", description="API base URL")


class Unauthorized(Exception):
    pass


class RemoteClient:
    """The remote's SDK client: like some real ones, it logs the request URL with its token and
    puts both into the error it raises."""

    def __init__(self, endpoint: str, token: str) -> None:
        self.endpoint, self.token = endpoint, token

    def get(self, path: str) -> list[str]:
        url = f"{self.endpoint}{path}?token={quote(self.token, safe='')}"
        logging.getLogger("remote.sdk").warning("GET %s -> 401 (token %s)", url, self.token)
        raise Unauthorized(f"401 Unauthorized for {url}: check the token {self.token}")


class EchoingRemote:
    """A connector over RemoteClient, with the client seam: from_settings builds the client
    from the settings and the opened credentials, the constructor only takes it."""

    settings_model: ClassVar[type[SourceSettings]] = RemoteSettings
    SECRETS: ClassVar[dict[str, str]] = {"api_token": "API token", "client_secret": "Secret"}

    def __init__(self, client: RemoteClient) -> None:
        self.client = client

    @classmethod
    def from_settings(cls, settings: Mapping[str, str], credentials: Mapping[str, str]):
        checked = validate_settings("test_remote", RemoteSettings, settings)
        return cls(RemoteClient(checked.endpoint, credentials.get("api_token", "")))

    def list_new(self, state: Mapping[str, object]) -> list[ExportRef]:
        try:
            return [ExportRef(name, "1") for name in self.client.get("/exports")]
        except Unauthorized as exc:
            raise PermanentError(str(exc)) from None

    @contextmanager
    def fetch(self, ref: ExportRef) -> Iterator[Path]:
        raise AssertionError("never reached")
        yield Path()

    def advance(self, state: Mapping[str, object], ref: ExportRef) -> dict[str, object]:
        return dict(state)


@pytest.fixture
def remote_kind(app_env: str, clean, monkeypatch) -> None:
    monkeypatch.setenv("CLOUDLENS_SECRET_KEY", SECRET_KEY)
    monkeypatch.setitem(KINDS, "test_remote", Kind("Test remote", EchoingRemote))


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """What the scheduler's stderr would hold: every record, through its JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonLines())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def forms_of(secret: str) -> list[str]:
    """The secret as it could leak: plain, URL-encoded, base64, hex."""
    raw = secret.encode()
    return [secret, quote(secret, safe=""), base64.b64encode(raw).decode(), raw.hex()]


def raw_rows(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT s::text, encode(credentials, 'escape'), encode(credentials, 'hex') "
                "FROM app.source s"
            )
        )
        return "\n".join(" ".join(r) for r in rows)


def test_stored_encrypted_and_never_in_logs_or_errors(
    remote_kind, clean, monkeypatch, capsys, json_logs: io.StringIO
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SECRET}\nsecond-secret-value\n"))
    code = main(
        [
            "source",
            "add",
            "--kind",
            "test_remote",
            "--name",
            "vaulted",
            "--setting",
            "endpoint=https://api.example.test",
            "--secret",
            "api_token",
            "--secret",
            "client_secret",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert SECRET not in out.out + out.err

    stored = raw_rows(clean)
    assert "vaulted" in stored and "api.example.test" in stored
    for form in forms_of(SECRET) + forms_of("second-secret-value"):
        assert form not in stored
    source = sources_db.get_source(clean, "vaulted")
    assert Vault([SECRET_KEY]).open(source.credentials) == {
        "api_token": SECRET,
        "client_secret": "second-secret-value",
    }
    assert main(["source", "list"]) == 0
    listed = capsys.readouterr().out
    assert "credentials stored" in listed and SECRET not in listed

    outcome = sync.run_source(clean, Settings.from_env(), "vaulted", reason="once")
    assert outcome.status == "failed" and outcome.bad_input
    [run] = runs(clean, "vaulted")
    assert run.error.startswith("401 Unauthorized for https://api.example.test/exports?token=***")
    assert run.error.endswith("check the token ***")
    text = json_logs.getvalue()
    assert '"event": "run_finished"' in text and '"source": "vaulted"' in text
    assert "GET https://api.example.test/exports?token=*** -> 401 (token ***)" in text
    with clean.connect() as conn:
        audit = " ".join(str(r) for r in conn.execute(sa.text("SELECT * FROM app.audit_log")))
    for form in forms_of(SECRET):
        assert form not in run.error and form not in text and form not in audit
    for line in text.splitlines():
        json.loads(line)

    # "Test connection": the scheduler's answer, stored for the page, is redacted the same way
    test_id = source_tests.request(clean, source, "admin")
    assert connection_tests.answer(clean, Settings.from_env(), test_id, "vaulted")
    answer = source_tests.latest(clean, test_id=test_id)
    assert answer.status == "failed"
    assert answer.error == (
        "401 Unauthorized for https://api.example.test/exports?token=***: check the token ***"
    )
    for form in forms_of(SECRET):
        assert form not in answer.error


def test_secret_from_an_environment_variable(remote_kind, clean, monkeypatch) -> None:
    monkeypatch.setenv("REMOTE_TOKEN", SECRET)
    args = ["source", "add", "--kind", "test_remote", "--name", "from-env"]
    args += ["--setting", "endpoint=https://e.test", "--secret-env", "api_token=REMOTE_TOKEN"]
    assert main(args) == 0
    token = sources_db.get_source(clean, "from-env").credentials
    assert Vault([SECRET_KEY]).open(token) == {"api_token": SECRET}


def test_secrets_are_refused_on_the_command_line(database_url, clean, tmp_path: Path) -> None:
    refused = source_cli(
        database_url,
        tmp_path,
        "add",
        "--kind",
        "local_folder",
        "--name",
        "oops",
        "--setting",
        f"path={tmp_path}",
        "--secret",
        f"token={SECRET}",
    )
    assert refused.returncode == 2
    assert "never from the command line" in refused.stderr
    assert SECRET not in refused.stderr
    assert sources_db.get_source(clean, "oops") is None


def test_a_secret_the_kind_does_not_know_is_refused(remote_kind, clean, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("value-1234\n"))
    args = ["source", "add", "--kind", "test_remote", "--name", "x"]
    assert main(args + ["--setting", "endpoint=https://e.test", "--secret", "password"]) == 2
    assert "test_remote has no secret password; its secrets: api_token, client_secret" in (
        capsys.readouterr().err
    )


def seal_rows(engine: sa.Engine, keys: list[str]) -> None:
    vault = Vault(keys)
    for name, token in (("one", "first-token-1"), ("two", "second-token-2")):
        sources_db.add_source(
            engine,
            name=name,
            kind="test_remote",
            settings={"endpoint": "https://e.test"},
            schedule="every 1h",
            credentials=vault.seal({"api_token": token}),
        )


def tokens(engine: sa.Engine) -> dict[str, bytes]:
    return {s.name: s.credentials for s in sources_db.all_sources(engine)}


def test_rotate_key_with_the_key_file(database_url, clean, tmp_path: Path) -> None:
    home = tmp_path / "home"
    # generated into home/secret_key, as the first start of the app or the scheduler would
    old = Settings(database_url="", home=home, sample_data=home, load_batch_bytes=1).secret_keys
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
    seal_rows(clean, old)
    before = tokens(clean)

    done = source_cli(database_url, home, "rotate-key", CLOUDLENS_SECRET_KEY="")
    assert done.returncode == 0, done.stderr
    assert "re-encrypted the credentials of 2 source(s)" in done.stdout
    new = (home / "secret_key").read_text().split()
    assert len(new) == 1 and new != old
    after = tokens(clean)
    assert all(after[name] != before[name] for name in before)
    assert Vault(new).open(after["one"]) == {"api_token": "first-token-1"}
    with pytest.raises(CredentialsError, match="cannot be decrypted"):
        Vault(old).open(after["two"])


def test_rotate_key_with_the_environment_variable(database_url, clean, tmp_path: Path) -> None:
    seal_rows(clean, [SECRET_KEY])
    one_key = source_cli(database_url, tmp_path, "rotate-key")
    assert one_key.returncode == 2
    assert "set it to NEW_KEY,OLD_KEY" in one_key.stderr

    fresh = new_key()
    done = source_cli(
        database_url, tmp_path, "rotate-key", CLOUDLENS_SECRET_KEY=f"{fresh},{SECRET_KEY}"
    )
    assert done.returncode == 0, done.stderr
    assert "set the variable to that key alone" in done.stdout
    assert Fernet(fresh.encode()).decrypt(tokens(clean)["one"])  # sealed with the new key
