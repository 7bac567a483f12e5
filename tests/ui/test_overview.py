"""Overview page in AppTest: what it shows equals the sums of its hand-made input, worked out by
hand below (never the gold table the page reads, so a double count in gold fails here)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ingestion.loader import load_file
from tests.focus_files import row, write_csv


def frame(app, column: str):
    """The table on the page that has this column."""
    return next(df.value for df in app.dataframe if column in df.value.columns)


def metric(app, label_start: str):
    return next(m for m in app.metric if m.label.startswith(label_start))


def test_empty_database_shows_how_to_load(app, empty_db) -> None:
    app.run()
    assert not app.exception
    assert "No cost data yet" in app.info[0].value
    assert "python -m ingestion load" in app.info[0].value


def load_two_months(engine: sa.Engine, tmp_path: Path) -> None:
    """September: S3 costs `day`.10 on each of 30 days (465 + 3.00 = 468.00), Microsoft VMs 2.00 a
    day (60.00). October 1-15: EC2 costs `2 * day`.25 (240 + 3.75 = 243.75), Microsoft Storage
    3.00 a day (45.00)."""
    rows = []
    for day in range(1, 31):
        rows.append(row(f"2024-09-{day:02d}", f"{day}.10", service="Amazon S3"))
        rows.append(
            row(f"2024-09-{day:02d}", "2.00", provider="Microsoft", service="Virtual Machines")
        )
    for day in range(1, 16):
        rows.append(row(f"2024-10-{day:02d}", f"{day * 2}.25", service="Amazon EC2"))
        rows.append(row(f"2024-10-{day:02d}", "3.00", provider="Microsoft", service="Storage"))
    result = load_file(engine, write_csv(tmp_path / "two.csv", rows))
    assert result.status == "loaded", result.error


def test_kpis_equal_the_input(app, empty_db, tmp_path: Path) -> None:
    load_two_months(empty_db, tmp_path)
    app.run()
    assert not app.exception
    # October 1-15: 243.75 + 45.00; September 1-15: S3 (120 + 1.50) + VMs 30.00; all September
    assert metric(app, "Month to date (Oct 2024)").value == "$288.75"
    assert metric(app, "Same point last month").value == "$151.50"
    assert metric(app, "Last month (Sep 2024)").value == "$528.00"
    assert metric(app, "Month to date").delta == "+90.6%"  # (288.75 - 151.50) / 151.50
    assert "data through 15 Oct 2024" in app.caption[0].value


def test_provider_filter_and_top_tables(app, empty_db, tmp_path: Path) -> None:
    load_two_months(empty_db, tmp_path)
    app.run()
    app.multiselect(key="providers").select("Microsoft").run()
    assert not app.exception
    assert metric(app, "Month to date").value == "$45.00"  # Microsoft Storage, 15 × 3.00
    services = frame(app, "service_name")
    shown = dict(zip(services["service_name"], services["billed_cost"], strict=True))
    assert shown == {"Virtual Machines": 60.0, "Storage": 45.0}  # 30 × 2.00, 15 × 3.00
    accounts = frame(app, "sub_account_id")
    assert list(accounts["provider"]) == ["Microsoft"]
    assert list(accounts["billed_cost"]) == [105.0]  # its one sub-account: 60.00 + 45.00


def test_second_currency_gets_a_picker(app, empty_db, tmp_path: Path) -> None:
    rows = [row("2024-10-01", "10"), row("2024-10-02", "7", currency="EUR")]
    load_file(empty_db, write_csv(tmp_path / "fx.csv", rows))
    app.run()
    picker = app.selectbox(key="currency")
    assert picker.options == ["USD", "EUR"]  # most spend first: the page opens in USD
    picker.select("EUR").run()
    assert metric(app, "Month to date").value == "€7.00"
