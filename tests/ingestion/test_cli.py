"""`python -m ingestion load`: its output and its exit codes, which scripts depend on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.__main__ import main
from tests.conftest import ROOT
from tests.focus_files import row, write_csv


@pytest.fixture
def clean(app_env: str, empty_db: sa.Engine) -> sa.Engine:
    return empty_db


def test_load_prints_rows_periods_providers_total(clean, tmp_path: Path, capsys) -> None:
    rows = [row("2024-09-01", "1.25"), row("2024-10-02", "2.50", provider="Microsoft")]
    path = write_csv(tmp_path / "sept.csv", rows)
    assert main(["load", str(path), "--source", "mine"]) == 0
    out = capsys.readouterr().out
    assert "loaded sept.csv [FOCUS CSV]: 2 rows" in out
    assert "billing periods 2024-09, 2024-10" in out
    assert "providers AWS, Microsoft" in out
    assert "BilledCost 3.75 USD" in out
    assert out.rstrip().endswith(" s")
    with clean.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT DISTINCT x_source FROM bronze.focus_cost")).scalar()
            == "mine"
        )


def test_folder_loads_in_name_order_and_second_run_skips(clean, tmp_path: Path, capsys) -> None:
    write_csv(tmp_path / "b.csv", [row("2024-10-01", "2")])
    write_csv(tmp_path / "a.csv.gz", [row("2024-09-01", "1")])
    (tmp_path / "notes.txt").write_text("not an export")
    assert main(["load", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines] == ["a.csv.gz", "b.csv"]
    assert main(["load", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("skipped") == 2


def test_bad_file_exits_2_with_one_line(clean, tmp_path: Path, capsys) -> None:
    good = write_csv(tmp_path / "good.csv", [row("2024-09-01", "5")])
    bad = write_csv(tmp_path / "bad.csv", [row("2024-09-01", "5"), row("2024-09-02", "five")])
    assert main(["load", str(good), str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: bad.csv (FOCUS), row 2, column BilledCost: 'five' is not a number"]


def test_missing_path_exits_2(clean, tmp_path: Path, capsys) -> None:
    assert main(["load", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err


def test_real_process_exit_codes(app_env: str, tmp_path: Path) -> None:
    """The same contract seen from a shell: a separate process, real exit status."""
    env = {**os.environ, "DATABASE_URL": app_env}
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    run = subprocess.run(
        [sys.executable, "-m", "ingestion", "load", str(bad)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr.strip() == "error: empty.csv: the file is empty"

    unreachable = {**env, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    good = write_csv(tmp_path / "ok.csv", [row("2024-09-01", "1")])
    run = subprocess.run(
        [sys.executable, "-m", "ingestion", "load", str(good)],
        cwd=ROOT,
        env=unreachable,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert run.stderr.startswith("error: the database (127.0.0.1:1/none) cannot be reached")
    assert len(run.stderr.strip().splitlines()) == 1
