"""Settings from the environment: defaults, and a bad value named with what it should be."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from config import MIB, Settings, SettingsError
from tests.conftest import ROOT

BATCH, FIELD = "CLOUDLENS_LOAD_BATCH_MB", "CLOUDLENS_LOAD_FIELD_MB"
BAD_BATCH = "CLOUDLENS_LOAD_BATCH_MB must be a whole number of megabytes above 0, not 'abc'"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (BATCH, FIELD, "CLOUDLENS_HOME", "CLOUDLENS_SAMPLE_DATA", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = Settings.from_env()
    assert settings.load_batch_bytes == 4 * 1024 * 1024
    assert settings.load_field_bytes == 16 * 1024 * 1024
    assert settings.database_url == ""
    assert settings.home == Path.cwd() / ".cloudlens"
    assert settings.sample_data == (
        ROOT.parent / "shared/data/focus-sample-data/FOCUS-1.0/focus_sample.csv"
    )


def test_values_are_read_and_trimmed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(BATCH, " 8 ")
    monkeypatch.setenv(FIELD, "0.5")
    monkeypatch.setenv("CLOUDLENS_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("CLOUDLENS_SAMPLE_DATA", "tests/data/focus_small.csv")
    settings = Settings.from_env()
    assert settings.load_batch_bytes == 8 * 1024 * 1024
    assert settings.load_field_bytes == 512 * 1024
    assert settings.home == tmp_path / "state"
    assert settings.sample_data == ROOT / "tests/data/focus_small.csv"


def test_empty_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BATCH, "")
    monkeypatch.setenv("CLOUDLENS_HOME", "  ")
    settings = Settings.from_env()
    assert settings.load_batch_bytes == 4 * MIB
    assert settings.home == Path.cwd() / ".cloudlens"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (BATCH, "abc", BAD_BATCH),
        (BATCH, "1.5", f"{BATCH} must be a whole number of megabytes above 0, not '1.5'"),
        (BATCH, "0", f"{BATCH} must be a whole number of megabytes above 0, not '0'"),
        (FIELD, "lots", f"{FIELD} must be a number of megabytes above 0, not 'lots'"),
        (FIELD, "-1", f"{FIELD} must be a number of megabytes above 0, not '-1'"),
        (FIELD, "inf", f"{FIELD} must be a number of megabytes above 0, not 'inf'"),
    ],
    ids=["batch-word", "batch-fraction", "batch-zero", "field-word", "field-negative", "field-inf"],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    assert str(raised.value) == message


def test_every_bad_value_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BATCH, "abc")
    monkeypatch.setenv(FIELD, "lots")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    assert str(raised.value) == (
        f"{BAD_BATCH}; {FIELD} must be a number of megabytes above 0, not 'lots'"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["scheduler.py", "--once"],
        ["-m", "db", "user", "list"],
        ["-m", "ingestion", "load", "tests/data/focus_small.csv", "--source", "s"],
    ],
    ids=["scheduler", "db-cli", "ingestion-cli"],
)
def test_entry_points_say_one_line(command: list[str]) -> None:
    env = os.environ | {BATCH: "abc"}
    done = subprocess.run(
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert BAD_BATCH in done.stderr
    assert "Traceback" not in done.stderr


def test_app_says_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BATCH, "abc")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert [e.value for e in app.error] == [BAD_BATCH]
    assert not app.exception
