"""The shared sidebar in AppTest: date-range presets, the Overview's KPIs following the range's
end, the preset kept in the URL, and the filters surviving a move to another page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.loader import load_file
from tests.focus_files import row, write_csv

# September: day d costs d.10 (AWS) + 2.00 (Microsoft); October 1-15: 2d.25 + 3.00.
SEPTEMBER = "$528.00"  # 465 + 30 × 0.10 + 30 × 2.00
SEPTEMBER_1_TO_20 = "$252.00"  # 210 + 20 × 0.10 + 20 × 2.00
OCTOBER_1_TO_15 = "$288.75"  # 2 × 120 + 15 × 0.25 + 15 × 3.00
SEPTEMBER_1_TO_15 = "$151.50"  # 120 + 15 × 0.10 + 15 × 2.00


@pytest.fixture
def two_months(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    rows = []
    for day in range(1, 31):
        rows.append(row(f"2024-09-{day:02d}", f"{day}.10", service="Amazon S3"))
        rows.append(row(f"2024-09-{day:02d}", "2.00", provider="Microsoft", service="VMs"))
    for day in range(1, 16):
        rows.append(row(f"2024-10-{day:02d}", f"{day * 2}.25", service="Amazon EC2"))
        rows.append(row(f"2024-10-{day:02d}", "3.00", provider="Microsoft", service="Storage"))
    assert load_file(empty_db, write_csv(tmp_path / "two.csv", rows)).status == "loaded"
    return empty_db


def metric(app, label_start: str) -> str:
    return next(m.value for m in app.metric if m.label.startswith(label_start))


def url(app) -> dict[str, str]:
    return {k: app.query_params[k] for k in app.query_params}


def test_default_is_the_last_90_days_and_this_month_kpis(app, two_months) -> None:
    app.run()
    assert not app.exception
    assert app.selectbox(key="date_preset").value == "last_90_days"
    assert app.date_input(key="date_range").value == (date(2024, 7, 18), date(2024, 10, 15))
    assert metric(app, "Month to date (Oct 2024)") == OCTOBER_1_TO_15
    assert url(app)["range"] == "last_90_days"


def test_last_month_moves_the_kpis_to_september(app, two_months) -> None:
    app.run()
    app.selectbox(key="date_preset").select("last_month").run()
    assert not app.exception
    assert app.date_input(key="date_range").value == (date(2024, 9, 1), date(2024, 9, 30))
    assert metric(app, "Month to date (Sep 2024)") == SEPTEMBER
    assert metric(app, "Same point last month") == "$0.00"
    assert metric(app, "Last month (Aug 2024)") == "$0.00"
    shown = url(app)
    assert shown["range"] == "last_month" and "from" not in shown and "to" not in shown


@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("this_month", date(2024, 10, 1), date(2024, 10, 15)),
        ("last_3_months", date(2024, 7, 1), date(2024, 9, 30)),
        ("last_6_months", date(2024, 4, 1), date(2024, 9, 30)),
        ("last_12_months", date(2023, 10, 1), date(2024, 9, 30)),
        ("quarter_to_date", date(2024, 10, 1), date(2024, 10, 15)),
        ("year_to_date", date(2024, 1, 1), date(2024, 10, 15)),
    ],
    ids=lambda v: str(v),
)
def test_every_preset_from_a_link(app, two_months, preset: str, start: date, end: date) -> None:
    """A shared link names the preset, relative to the data's last day (15 Oct 2024)."""
    app.query_params["range"] = preset
    app.run()
    assert not app.exception
    assert app.selectbox(key="date_preset").value == preset
    assert app.date_input(key="date_range").value == (start, end)


def test_picking_dates_makes_the_range_custom(app, two_months) -> None:
    app.run()
    app.date_input(key="date_range").set_value((date(2024, 9, 1), date(2024, 9, 20))).run()
    assert not app.exception
    assert app.selectbox(key="date_preset").value == "custom"
    assert metric(app, "Month to date (Sep 2024)") == SEPTEMBER_1_TO_20
    assert metric(app, "Same point last month (to 20 Aug)") == "$0.00"
    shown = url(app)
    assert (shown["range"], shown["from"], shown["to"]) == ("custom", "2024-09-01", "2024-09-20")


def test_an_old_link_with_dates_only_is_custom(app, two_months) -> None:
    app.query_params.update({"from": "2024-09-01", "to": "2024-09-15"})
    app.run()
    assert app.selectbox(key="date_preset").value == "custom"
    assert metric(app, "Month to date (Sep 2024)") == SEPTEMBER_1_TO_15


def test_filters_survive_a_sidebar_link_to_every_page(app, two_months) -> None:
    """st.page_link drops the query string and widget state is page-scoped: the range and the
    providers come back from the session on the next page, and go into its URL again."""
    app.run()
    app.selectbox(key="date_preset").select("last_month").run()
    app.multiselect(key="providers").select("Microsoft").run()
    for page in ("explorer", "showback", "exports", "overview"):
        app.query_params.clear()  # what a sidebar link does
        app.switch_page(f"pages/{page}.py").run()
        assert not app.exception, page
        assert app.selectbox(key="date_preset").value == "last_month", page
        assert app.date_input(key="date_range").value == (date(2024, 9, 1), date(2024, 9, 30))
        assert app.multiselect(key="providers").value == ["Microsoft"], page
        assert url(app)["range"] == "last_month" and url(app)["provider"] == "Microsoft", page
    assert metric(app, "Month to date (Sep 2024)") == "$60.00"  # Microsoft: 30 × 2.00


def test_a_link_wins_over_what_the_session_remembers(app, two_months) -> None:
    """Browser Back or a pasted link brings a URL that differs from the last one published."""
    app.run()
    app.selectbox(key="date_preset").select("last_month").run()
    app.query_params.clear()
    app.query_params["range"] = "this_month"
    app.run()
    assert app.selectbox(key="date_preset").value == "this_month"
    assert metric(app, "Month to date (Oct 2024)") == OCTOBER_1_TO_15
