"""Month columns never claim a month they do not hold: Exports widen the dates to whole billing
periods by default (and say which), and a month the dates cut is labelled with its days."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from focus.periods import whole_months
from ingestion.loader import load_file
from tests.focus_files import row, write_csv
from ui.explorer import period_label


@pytest.mark.fast
@pytest.mark.parametrize(
    ("value", "granularity", "start", "end", "expected"),
    [
        ("2026-09-01", "month", date(2026, 9, 5), date(2026, 12, 6), "2026-09 (from 5 Sep)"),
        ("2026-10-01", "month", date(2026, 9, 5), date(2026, 12, 6), "2026-10"),
        ("2026-12-01", "month", date(2026, 9, 5), date(2026, 12, 6), "2026-12 (to 6 Dec)"),
        ("2026-12-01", "month", date(2026, 9, 5), date(2026, 12, 31), "2026-12"),
        ("2026-09-01", "month", date(2026, 9, 5), date(2026, 9, 20), "2026-09 (5–20 Sep)"),
        ("2026-09-01", "month", date(2026, 9, 1), date(2026, 9, 30), "2026-09"),
        (
            "2026-08-31",
            "week",
            date(2026, 9, 2),
            date(2026, 12, 6),
            "Week of 2026-08-31 (from 2 Sep)",
        ),
        (
            "2026-08-31",
            "week",
            date(2026, 8, 31),
            date(2026, 9, 2),
            "Week of 2026-08-31 (to 2 Sep)",
        ),
        ("2026-08-31", "week", date(2026, 8, 30), date(2026, 9, 6), "Week of 2026-08-31"),
        ("2026-09-05", "day", date(2026, 9, 5), date(2026, 9, 5), "2026-09-05"),
        ("2026-09-01", "month", None, None, "2026-09"),
    ],
)
def test_period_label(value, granularity, start, end, expected) -> None:
    assert period_label(value, granularity, start, end) == expected


@pytest.mark.fast
def test_whole_months() -> None:
    assert whole_months(date(2026, 9, 5), date(2026, 12, 6)) == (
        date(2026, 9, 1),
        date(2026, 12, 31),
    )
    assert whole_months(date(2024, 2, 10), date(2024, 2, 10)) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )


@pytest.fixture
def months(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    """Cost centre 100: 10.00 a day in September 2024, 1.00 a day in October, 2.00 a day on
    1–10 November (the data ends there)."""
    rows = []
    for month, days, cost in (
        ("2024-09", 30, "10.00"),
        ("2024-10", 31, "1.00"),
        ("2024-11", 10, "2.00"),
    ):
        for day in range(1, days + 1):
            rows.append(row(f"{month}-{day:02d}", cost, tags='{"cost-center": "100"}'))
    assert load_file(empty_db, write_csv(tmp_path / "m.csv", rows)).status == "loaded"
    return empty_db


def export_row(app) -> dict[str, Decimal]:
    wide = next(df.value for df in app.dataframe if "billing_account_id" in df.value.columns)
    assert list(wide["tag_value"]) == ["100"] and list(wide["billing_account_name"]) == ["Payer"]
    months = [c for c in wide.columns if c[:2] == "20" or c == "Total"]
    return {c: Decimal(str(wide[c].iloc[0])) for c in months}


def open_exports(app, start: str, end: str):
    app.query_params.update({"from": start, "to": end})
    app.switch_page("pages/exports.py").run()
    assert not app.exception
    return app


def test_exports_snap_to_whole_billing_periods(app, months) -> None:
    open_exports(app, "2024-09-05", "2024-10-20")
    assert export_row(app) == {
        "2024-09": Decimal("300.00"),  # 1–30 Sep, not the 260.00 of 5–30 Sep
        "2024-10": Decimal("31.00"),  # 1–31 Oct, not the 20.00 of 1–20 Oct
        "Total": Decimal("331.00"),
    }
    caption = " ".join(c.value for c in app.caption)
    assert "Whole billing periods September 2024 – October 2024 (1 Sep – 31 Oct 2024)" in caption
    assert "widened from the sidebar's 5 Sep – 20 Oct" in caption


def test_exports_label_the_open_month_and_exact_dates(app, months) -> None:
    open_exports(app, "2024-09-05", "2024-11-10")
    assert export_row(app) == {
        "2024-09": Decimal("300.00"),
        "2024-10": Decimal("31.00"),
        "2024-11 (to 10 Nov)": Decimal("20.00"),  # the data ends on 10 Nov
        "Total": Decimal("351.00"),
    }
    assert "costs so far run to 10 Nov 2024" in " ".join(c.value for c in app.caption)

    app.toggle(key="xp_whole").set_value(False).run()  # exactly the sidebar's dates
    assert app.query_params["span"] in ("dates", ["dates"])
    assert export_row(app) == {
        "2024-09 (from 5 Sep)": Decimal("260.00"),
        "2024-10": Decimal("31.00"),
        "2024-11 (to 10 Nov)": Decimal("20.00"),
        "Total": Decimal("311.00"),
    }
