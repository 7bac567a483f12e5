"""What a new user sees, in AppTest: dates as dates, status as coloured words, audit details as
text; the explorer's chart drawn for every grouping (traces summing to the input's literal
costs), months and weeks labelled as such, "Other" grey and last, legends by size; showback's
untagged bar in its own colour."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from db import users
from ingestion.loader import load_file
from tests.focus_files import row, write_csv
from ui.charts import top_series
from ui.tables import shown_frame
from ui.theme import OTHER_COLOR, UNALLOCATED_COLOR

# Service i costs i × 10 on the 15th of each month, team t{i} likewise: twelve values, so the
# chart keeps the nine biggest and folds 3 + 2 + 1 (× 10) into "Other".
N = 12


@pytest.fixture(scope="module")
def autumn(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    from tests.conftest import TRUNCATE_ALL

    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    rows = []
    for day in ("2024-09-03", "2024-10-15", "2024-11-29"):
        for i in range(1, N + 1):
            rows.append(
                row(day, f"{i * 10}.00", service=f"Service {i:02d}", tags=f'{{"team": "t{i:02d}"}}')
            )
        rows.append(row(day, "7.00", provider="Microsoft", service="Storage", tags=""))
    path = write_csv(tmp_path_factory.mktemp("visual") / "autumn.csv", rows)
    assert load_file(engine, path).status == "loaded"
    return engine


def chart(app, index: int = 0) -> dict:
    return json.loads(app.get("plotly_chart")[index].proto.spec)


def columns(frame) -> dict:
    return json.loads(frame.proto.columns)


def table_with(app, column: str):
    return next(df for df in app.dataframe if column in df.value.columns)


def explorer(app, **params: str):
    app.query_params.update({"from": "2024-09-03", "to": "2024-11-29", **params})
    app.switch_page("pages/explorer.py").run()
    assert not app.exception
    return chart(app)


def sums(fig: dict) -> dict[str, float]:
    return {t["name"]: round(sum(decode(t["y"])), 2) for t in fig["data"]}


def decode(values) -> list[float]:
    """Plotly 6+ may ship numbers as typed arrays ({'dtype', 'bdata'}) in the JSON spec."""
    if isinstance(values, dict):
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


@pytest.mark.parametrize("group", ["service", "tag:team"])
def test_explorer_draws_big_groupings(app, autumn, group: str) -> None:
    """Service and a 12-value tag used to draw an empty chart while the table had the data."""
    fig = explorer(app, g=group, gran="month")
    names = [t["name"] for t in fig["data"]]
    prefix = "Service " if group == "service" else "t"
    expected = [f"{prefix}{i:02d}" for i in range(N, 3, -1)]  # the nine biggest, biggest first
    assert names == [*expected, "Other"]
    totals = sums(fig)
    assert totals[f"{prefix}12"] == 360.0  # 120 × 3 months
    assert totals[f"{prefix}04"] == 120.0
    # 3 months × (30 + 20 + 10), plus Microsoft's 3 × 7: "Storage", or team "(untagged)"
    assert totals["Other"] == 201.0
    colors = {t["name"]: t["marker"]["color"] for t in fig["data"]}
    assert colors["Other"] == OTHER_COLOR
    assert OTHER_COLOR not in [c for n, c in colors.items() if n != "Other"]
    assert len(set(colors.values())) == len(colors)  # ten series, ten colours
    assert fig["layout"]["legend"]["traceorder"] == "normal"


@pytest.mark.fast
def test_top_series_keeps_rows_when_second_dimension_is_none() -> None:
    """The explorer passes dim2 = None with one dimension: grouping on it dropped every row."""
    df = pd.DataFrame(
        {
            "period": [date(2024, 9, 1)] * 12,
            "dim1": [f"s{i:02d}" for i in range(1, 13)],
            "dim2": [None] * 12,
            "cost": [float(i) for i in range(1, 13)],
        }
    )
    out = top_series(df, "dim1", "cost")
    assert dict(zip(out["dim1"], out["cost"], strict=True)) == {
        **{f"s{i:02d}": float(i) for i in range(4, 13)},
        "Other": 6.0,
    }


def test_explorer_small_grouping_legend_by_size(app, autumn) -> None:
    fig = explorer(app, g="provider", gran="month")
    assert [t["name"] for t in fig["data"]] == ["AWS", "Microsoft"]
    assert sums(fig) == {"AWS": 2340.0, "Microsoft": 21.0}  # 3 × 780, 3 × 7


def test_explorer_months_one_tick_each(app, autumn) -> None:
    fig = explorer(app, g="provider", gran="month")
    axis = fig["layout"]["xaxis"]
    assert axis["type"] == "category"
    assert axis["categoryarray"] == ["Sep 2024", "Oct 2024", "Nov 2024"]
    assert sorted({x for t in fig["data"] for x in t["x"]}) == sorted(axis["categoryarray"])


def test_explorer_weeks_start_monday_partial_marked(app, autumn) -> None:
    """3 Sep 2024 is a Tuesday and 29 Nov a Friday: the first and last weeks are partial."""
    fig = explorer(app, g="provider", gran="week")
    ticks = fig["layout"]["xaxis"]["categoryarray"]
    assert ticks == [
        "Week of 2 Sep (partial)",
        "Week of 14 Oct",
        "Week of 25 Nov (partial)",
    ]


def test_tables_show_dates_and_status_as_text(app, autumn) -> None:
    app.run()
    assert not app.exception
    fresh = table_with(app, "last_loaded_at")
    value = fresh.value.iloc[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", value["last_loaded_at"])
    assert value["last_charge_date"] == "2024-11-29"
    assert value["status"] == "stale since 2024-11-29"  # autumn 2024 data, read years later
    config = columns(fresh)
    assert config["last_loaded_at"]["label"] == "Last loaded"
    assert "color: #C62828" in fresh.proto.arrow_data.styler.styles  # red, as text not glyph
    for frame in app.dataframe:  # no timestamp reaches the grid as a number
        for col in frame.value.columns:
            assert "datetime" not in str(frame.value[col].dtype), col


def test_audit_when_and_detail_read_as_text(app, autumn) -> None:
    users.audit(autumn, "admin", "export", file="top-services.csv", rows=3)
    app.switch_page("pages/admin.py").run()
    assert not app.exception
    log = table_with(app, "detail").value
    export = log[log["action"] == "export"].iloc[0]
    assert export["detail"] == "file: top-services.csv, rows: 3"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", export["at"])


def test_showback_untagged_in_its_own_colour_and_last(app, autumn) -> None:
    app.query_params.update({"from": "2024-09-03", "to": "2024-11-29", "key": "team"})
    app.switch_page("pages/showback.py").run()
    assert not app.exception
    bars = chart(app)["data"][0]
    assert list(bars["x"])[-1] == "(untagged)"
    assert list(bars["x"])[:2] == ["t12", "t11"]
    colors = bars["marker"]["color"]
    assert colors[-1] == UNALLOCATED_COLOR and UNALLOCATED_COLOR not in colors[:-1]
    assert round(decode(bars["y"])[-1], 2) == 21.0  # Microsoft Storage, untagged: 3 × 7


@pytest.mark.fast
def test_shown_frame_reads_moments_in_utc_whatever_their_zone() -> None:
    plus_two = timezone(timedelta(hours=2))
    df = pd.DataFrame(
        {
            "at": pd.to_datetime([datetime(2026, 12, 6, 3, 4, tzinfo=plus_two), None], utc=True),
            "naive": [datetime(2026, 1, 2, 23, 59), None],
            "day": [date(2026, 11, 30), None],
            "detail": [{"file": "a.csv", "rows": 3}, {}],
            "cost": [Decimal("1.005"), Decimal("2")],
        }
    )
    shown = shown_frame(df, money=("cost",))
    assert list(shown["at"]) == ["2026-12-06 01:04 UTC", ""]
    assert list(shown["naive"]) == ["2026-01-02 23:59 UTC", ""]
    assert list(shown["day"]) == ["2026-11-30", ""]
    assert list(shown["detail"]) == ["file: a.csv, rows: 3", ""]
    assert list(shown["cost"]) == [1.005, 2.0]
