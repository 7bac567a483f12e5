"""What `make run` says before it loads: which sample, and why the fallback when the FOCUS
sample is absent (issue #14: a fresh clone loaded a 2.73 USD test file without a word)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def sample_path(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "CLOUDLENS_SAMPLE_DATA"}
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "sample-path", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_a_missing_sample_falls_back_to_the_test_file_and_says_why(tmp_path: Path) -> None:
    missing = tmp_path / "shared" / "data" / "focus_sample.csv"
    run = sample_path(f"SAMPLE={missing}")
    assert run.stdout.strip() == "tests/data/focus_small.csv"
    said = " ".join(run.stderr.split())
    assert f"sample data {missing} not found" in said
    assert "loading the tiny test file tests/data/focus_small.csv instead" in said
    assert "CLOUDLENS_SAMPLE_DATA=FILE" in said


def test_the_variable_names_the_sample_and_the_message_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.csv"
    run = sample_path(CLOUDLENS_SAMPLE_DATA=str(missing))
    assert run.stdout.strip() == "tests/data/focus_small.csv"
    assert str(missing) in run.stderr

    present = tmp_path / "mine.csv"
    present.write_text("BilledCost\n")
    run = sample_path(CLOUDLENS_SAMPLE_DATA=str(present))
    assert run.stdout.strip() == str(present)
    assert run.stderr.strip() == f"make run: loading the sample {present}"
