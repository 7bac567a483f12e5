"""`python -m ingestion load ... --delivery` and `--mode append` in a real process: what each
prints, what it exits with, and the money gold holds afterwards (literal, from the rows written
here)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.focus_files import row, write_csv
from tests.ingestion.load_cli import cli, gold

SEP, OCT = date(2024, 9, 1), date(2024, 10, 1)


@pytest.fixture
def clean(app_env: str, empty_db: sa.Engine) -> sa.Engine:
    return empty_db


def by_period(engine: sa.Engine) -> dict[date, Decimal]:
    query = "SELECT billing_period_start, sum(billed_cost) FROM gold.daily_cost GROUP BY 1"
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(query)).all())


def test_delivery_flag_replaces_the_periods_once_for_all_files(
    clean: sa.Engine, app_env: str, tmp_path: Path
) -> None:
    p1 = write_csv(tmp_path / "part-1.csv", [row("2024-09-01", "1.10")])
    p2 = write_csv(tmp_path / "part-2.csv", [row("2024-09-02", "2.20")])
    p3 = write_csv(tmp_path / "part-3.csv", [row("2024-09-03", "3.30"), row("2024-10-01", "4")])

    plain = cli(app_env, p1, p2, p3, "--source", "aws")  # one delivery per file: the last wins
    assert plain.returncode == 0, plain.stderr
    assert by_period(clean) == {SEP: Decimal("3.30"), OCT: Decimal("4.00")}

    run = cli(app_env, p1, p2, p3, "--source", "aws", "--delivery", "--force")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    assert [line.split(" [")[0] for line in lines[:3]] == [
        "loaded part-1.csv",
        "loaded part-2.csv",
        "loaded part-3.csv",
    ]
    assert lines[3].startswith(
        "loaded delivery part-1.csv and 2 more files (replace_period, 3 files): 3 files loaded, "
        "4 rows, billing periods 2024-09, 2024-10, gold refreshed once, "
    )
    assert by_period(clean) == {SEP: Decimal("6.60"), OCT: Decimal("4.00")}

    again = cli(app_env, p1, p2, p3, "--source", "aws", "--delivery")
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("skipped part-") == 3
    assert "skipped delivery part-1.csv and 2 more files" in again.stdout


def test_a_bad_file_in_a_delivery_keeps_nothing_and_exits_2(
    clean: sa.Engine, app_env: str, tmp_path: Path
) -> None:
    before = write_csv(tmp_path / "before.csv", [row("2024-09-05", "7.00")])
    assert cli(app_env, before, "--source", "aws").returncode == 0
    kept = gold(clean)
    good = write_csv(tmp_path / "good.csv", [row("2024-09-01", "1.00")])
    bad = write_csv(tmp_path / "bad.csv", [row("2024-09-02", "five")])

    run = cli(app_env, good, bad, "--source", "aws", "--delivery")

    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        "error: good.csv: not kept: bad.csv, in the same delivery, failed",
        "error: bad.csv (FOCUS), row 1, column BilledCost: 'five' is not a number",
        "error: delivery good.csv and 1 more file (replace_period, 2 files): not loaded, "
        "nothing of it was kept",
    ]
    assert gold(clean) == kept
    assert by_period(clean) == {SEP: Decimal("7.00")}


def test_mode_append_keeps_each_file_as_its_own_slice(
    clean: sa.Engine, app_env: str, tmp_path: Path
) -> None:
    a = write_csv(tmp_path / "0001.csv", [row("2024-09-01", "1.00")])
    b = write_csv(tmp_path / "0002.csv", [row("2024-09-02", "2.00")])
    assert cli(app_env, a, "--source", "oci", "--mode", "append").returncode == 0
    run = cli(app_env, b, "--source", "oci", "--mode", "append")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("loaded 0002.csv [FOCUS CSV]: 1 row, billing period 2024-09, ")
    assert by_period(clean) == {SEP: Decimal("3.00")}  # B kept A

    write_csv(b, [row("2024-09-02", "20.00"), row("2024-10-01", "5.00")])
    run = cli(app_env, b, "--source", "oci", "--mode", "append")
    assert run.returncode == 0, run.stderr
    assert by_period(clean) == {SEP: Decimal("21.00"), OCT: Decimal("5.00")}  # only B replaced

    c = write_csv(tmp_path / "0003.csv", [row("2024-10-02", "0.50")])
    write_csv(a, [row("2024-09-01", "100.00")])
    run = cli(app_env, a, c, "--source", "oci", "--mode", "append", "--delivery")
    assert run.returncode == 0, run.stderr
    assert "(append, 2 files): 2 files loaded" in run.stdout
    assert by_period(clean) == {SEP: Decimal("120.00"), OCT: Decimal("5.50")}


def test_two_files_of_one_name_cannot_be_slices_of_one_delivery(
    clean: sa.Engine, app_env: str, tmp_path: Path
) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    a = write_csv(tmp_path / "x" / "report.csv", [row("2024-09-01", "1.00")])
    b = write_csv(tmp_path / "y" / "report.csv", [row("2024-09-02", "2.00")])
    run = cli(app_env, a, b, "--source", "oci", "--mode", "append", "--delivery")
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "error: report.csv: two files of this name in one append delivery: one slice each"
    )
    assert by_period(clean) == {}
