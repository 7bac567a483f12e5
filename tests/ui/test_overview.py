"""Overview page in AppTest: what it shows must equal SQL on gold."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ingestion.loader import load_file
from tests.focus_files import row, write_csv
from ui.format import money


def gold_sum(engine: sa.Engine, where: str, **params) -> float:
    query = sa.text(f"SELECT coalesce(sum(billed_cost), 0) FROM gold.daily_cost WHERE {where}")
    with engine.connect() as conn:
        return float(conn.execute(query, params).scalar_one())


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


def test_kpis_equal_gold(app, empty_db, tmp_path: Path) -> None:
    load_two_months(empty_db, tmp_path)
    app.run()
    assert not app.exception
    mtd = gold_sum(empty_db, "charge_date BETWEEN '2024-10-01' AND '2024-10-15'")
    same_point = gold_sum(empty_db, "charge_date BETWEEN '2024-09-01' AND '2024-09-15'")
    last_month = gold_sum(empty_db, "charge_date BETWEEN '2024-09-01' AND '2024-09-30'")
    assert metric(app, "Month to date (Oct 2024)").value == money(mtd, "USD")
    assert metric(app, "Same point last month").value == money(same_point, "USD")
    assert metric(app, "Last month (Sep 2024)").value == money(last_month, "USD")
    expected_delta = f"{(mtd - same_point) / same_point * 100:+.1f}%"
    assert metric(app, "Month to date").delta == expected_delta
    assert "data through 15 Oct 2024" in app.caption[0].value


def test_provider_filter_and_top_tables(app, empty_db, tmp_path: Path) -> None:
    load_two_months(empty_db, tmp_path)
    app.run()
    app.multiselect(key="providers").select("Microsoft").run()
    assert not app.exception
    mtd = gold_sum(
        empty_db, "provider = 'Microsoft' AND charge_date BETWEEN '2024-10-01' AND '2024-10-15'"
    )
    assert metric(app, "Month to date").value == money(mtd, "USD")
    services = frame(app, "service_name")
    assert set(services["service_name"]) == {"Virtual Machines", "Storage"}
    assert services["billed_cost"].sum() == gold_sum(empty_db, "provider = 'Microsoft'")
    accounts = frame(app, "sub_account_id")
    assert list(accounts["provider"]) == ["Microsoft"]


def test_second_currency_gets_a_picker(app, empty_db, tmp_path: Path) -> None:
    rows = [row("2024-10-01", "10"), row("2024-10-02", "7", currency="EUR")]
    load_file(empty_db, write_csv(tmp_path / "fx.csv", rows))
    app.run()
    picker = app.selectbox(key="currency")
    assert picker.options == ["USD", "EUR"]  # most spend first: the page opens in USD
    picker.select("EUR").run()
    assert metric(app, "Month to date").value == "€7.00"
