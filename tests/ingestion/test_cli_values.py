"""`python -m ingestion load` in a real process against values no bill can hold: each refusal is
exit 2 and one line naming the file, row and column, and leaves gold exactly as it was; every
format goes through the same bounds (costs within ±1e15 a row, periods from 2000 to 13 months
ahead), and NaN or infinity is never read as an empty cost."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from ingestion.loader import load_file
from tests.conftest import shared_file
from tests.focus_files import HEADER, row, write_csv
from tests.ingestion.load_cli import cli, gold


@pytest.fixture
def loaded(app_env: str, empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    """A database holding one good file, the gold a refusal must leave untouched."""
    good = write_csv(tmp_path / "good.csv", [row("2024-09-01", "5"), row("2024-10-03", "7")])
    assert load_file(empty_db, good).status == "loaded"
    return empty_db


def months_ahead(n: int) -> str:
    today = datetime.now(UTC).date()
    months = today.year * 12 + today.month - 1 + n
    return f"{months // 12:04d}-{months % 12 + 1:02d}-01"


def refused(engine: sa.Engine, url: str, path: Path, row_no: int, column: str, says: str) -> None:
    before = gold(engine)
    run = cli(url, path)
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2, run.stdout + run.stderr
    assert len(lines) == 1, run.stderr
    prefix = f"error: {path.name} ("
    assert lines[0].startswith(prefix), lines[0]
    assert f"), row {row_no}, column {column}: " in lines[0], lines[0]
    assert says in lines[0], lines[0]
    assert gold(engine) == before


# --- FOCUS CSV: every money and quantity column, every period column ----------------------------

QUANTITY_HEADER = [*HEADER, "ConsumedQuantity", "PricingQuantity", "ListUnitPrice"]


def _focus(column: str, value: str) -> list[dict[str, str]]:
    good = {**row("2024-09-05", "1"), "ConsumedQuantity": "3", "PricingQuantity": "3"}
    return [good, {**good, column: value}, good]


HOSTILE = [
    ("BilledCost", "NaN", "NaN and infinity"),
    ("EffectiveCost", "Infinity", "NaN and infinity"),
    ("ListCost", "-inf", "NaN and infinity"),
    ("ContractedCost", "nan", "NaN and infinity"),
    ("BilledCost", "9" * 400, "at most ±1e+15 per row"),
    ("EffectiveCost", "-1.5e16", "at most ±1e+15 per row"),
    ("ListUnitPrice", "2e15", "at most ±1e+15 per row"),
    ("ConsumedQuantity", "1e400", "at most ±1e+24 per row"),
    ("PricingQuantity", "NaN", "NaN and infinity"),
    ("BillingPeriodStart", "0001-03-01T00:00:00Z", "0001-03-01 is outside the periods"),
    ("BillingPeriodStart", "9999-03-01T00:00:00Z", "9999-03-01 is outside the periods"),
    ("BillingPeriodEnd", "9999-12-01T00:00:00Z", "9999-12-01 is outside the periods"),
    ("ChargePeriodStart", "1999-12-31T00:00:00Z", "1999-12-31 is outside the periods"),
    ("ChargePeriodEnd", "3024-09-05T01:00:00Z", "3024-09-05 is outside the periods"),
]


@pytest.mark.parametrize(
    ("column", "value", "says"), HOSTILE, ids=[f"{c}={v[:8]}" for c, v, _ in HOSTILE]
)
def test_focus_value_no_bill_can_hold_is_refused(
    loaded: sa.Engine, app_env: str, tmp_path: Path, column: str, value: str, says: str
) -> None:
    path = write_csv(tmp_path / "hostile.csv", _focus(column, value), QUANTITY_HEADER)
    refused(loaded, app_env, path, 2, column, says)


def test_period_beyond_thirteen_months_ahead_is_refused_and_within_warns(
    loaded: sa.Engine, app_env: str, tmp_path: Path
) -> None:
    far, near = months_ahead(14), months_ahead(13)
    beyond = [row("2024-09-05", "1"), row(far, "2")]
    refused(loaded, app_env, write_csv(tmp_path / "far.csv", beyond), 2, "BillingPeriodStart", far)

    ahead = write_csv(tmp_path / "ahead.csv", [row(near, "2")])
    run = cli(app_env, ahead)
    assert run.returncode == 0, run.stderr
    assert f"warning: billing periods after the current month: {near[:7]}" in run.stdout


def test_a_legal_but_huge_cost_loads_with_a_warning(loaded: sa.Engine, app_env: str, tmp_path):
    path = write_csv(tmp_path / "huge.csv", [row("2024-11-02", "1"), row("2024-11-03", "2e12")])
    run = cli(app_env, path)
    assert run.returncode == 0, run.stderr
    assert "warning: 1 row(s) with a cost above 1,000,000,000 (first: row 2)" in run.stdout
    assert "BilledCost 2,000,000,000,001.00 USD" in run.stdout


def test_parquet_float_nan_and_infinity_are_refused(
    loaded: sa.Engine, app_env: str, tmp_path: Path
) -> None:
    for bad in (float("nan"), float("inf"), 1e300):
        rows = [row("2024-09-05", "1") for _ in range(3)]
        table = pa.table({k: [r[k] for r in rows] for k in HEADER if k != "BilledCost"})
        table = table.append_column("BilledCost", pa.array([1.0, bad, 2.0], pa.float64()))
        path = tmp_path / "floats.parquet"
        pq.write_table(table, path)
        refused(loaded, app_env, path, 2, "BilledCost", "" if bad == 1e300 else "NaN and infinity")


# --- native formats: the same bounds, named in the file's own columns ---------------------------


def _edit(source: Path, target: Path, data_row: int, column: str, value: str) -> Path:
    """The shared sample with one cell replaced, re-written with the csv module."""
    with open(source, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    rows[data_row][rows[0].index(column)] = value
    with open(target, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return target


NATIVE = [
    ("focus-converters/aws/sample-anonymous-aws-export-dataset.csv", "lineItem/UnblendedCost"),
    ("focus-converters/aws/sample-anonymous-aws-export-dataset.csv", "lineItem/UsageAmount"),
    ("microsoft-finops-toolkit/EA_ActualCost_Small.csv", "Cost"),
    ("microsoft-finops-toolkit/EA_AmortizedCost_Small.csv", "Quantity"),
    ("koku/gcp/2022-08-01_5.csv", "cost"),
    ("focus-converters/oci/reports_cost-csv_0000000030000269.csv", "cost/myCost"),
]


@pytest.mark.parametrize("value", ["NaN", "1" + "0" * 399])
@pytest.mark.parametrize(("relative", "column"), NATIVE, ids=[c for _, c in NATIVE])
def test_native_formats_refuse_the_same_values(
    loaded: sa.Engine, app_env: str, tmp_path: Path, relative: str, column: str, value: str
) -> None:
    source = shared_file(relative)
    path = _edit(source, tmp_path / source.name, 3, column, value)
    refused(loaded, app_env, path, 3, column, "NaN and infinity" if value == "NaN" else "per row")


def test_native_period_in_year_9999_is_refused(loaded: sa.Engine, app_env: str, tmp_path: Path):
    source = shared_file("microsoft-finops-toolkit/EA_ActualCost_Small.csv")
    path = _edit(source, tmp_path / source.name, 2, "Date", "03/01/9999")
    refused(loaded, app_env, path, 2, "Date", "9999-03-01 is outside the periods")


@pytest.mark.fast
def test_bounds_are_from_2000_to_thirteen_months_ahead() -> None:
    """The documented bounds, as literals."""
    from ingestion.formats.bounds import horizon

    assert horizon(date(2026, 12, 6)) == datetime(2028, 2, 1, tzinfo=UTC)
    assert horizon(date(2026, 1, 31)) == datetime(2027, 3, 1, tzinfo=UTC)
