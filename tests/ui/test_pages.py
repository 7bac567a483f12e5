"""Explorer, Showback and Exports in AppTest: the numbers shown equal the sums of the hand-made
input, worked out by hand (never the gold table the pages read, so a gold double count fails)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.loader import load_file
from tests.focus_files import row, write_csv


@pytest.fixture
def company(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    """September, 30 days: EC2 10.00 a day (300.00, team web, cost centre 100), S3 4.50 (135.00,
    account 222, team data), Microsoft Storage 1.25 (37.50, untagged): 472.50. October 1-10: EC2
    12.00 a day (120.00), Microsoft VMs 3.00 (30.00, team ml): 150.00. The bill: 622.50; AWS
    555.00, Microsoft 67.50."""
    rows = []
    for day in range(1, 31):
        d = f"2024-09-{day:02d}"
        rows.append(
            row(d, "10.00", service="Amazon EC2", tags='{"team": "web", "cost-center": "100"}')
        )
        rows.append(row(d, "4.50", service="Amazon S3", account="222", tags='{"team": "data"}'))
        rows.append(row(d, "1.25", provider="Microsoft", service="Storage", tags=""))
    for day in range(1, 11):
        d = f"2024-10-{day:02d}"
        rows.append(
            row(d, "12.00", service="Amazon EC2", tags='{"team": "web", "cost-center": "100"}')
        )
        rows.append(
            row(d, "3.00", provider="Microsoft", service="Virtual Machines", tags='{"team": "ml"}')
        )
    assert load_file(empty_db, write_csv(tmp_path / "co.csv", rows)).status == "loaded"
    return empty_db


def qp(app, name: str) -> list[str]:
    value = app.query_params[name]
    return value if isinstance(value, list) else [value]


def table_with(app, column: str):
    return next(df.value for df in app.dataframe if column in df.value.columns)


def totals(wide) -> dict[str, float]:
    """The explorer's Total column by its first dimension, rounded to the cent."""
    return {k: round(float(v), 2) for k, v in zip(wide["dim1"], wide["Total"], strict=True)}


def test_explorer_pivot_equals_the_input_and_drills_down(app, company) -> None:
    app.switch_page("pages/explorer.py").run()
    assert not app.exception
    wide = table_with(app, "Total")
    assert totals(wide) == {"AWS": 555.0, "Microsoft": 67.5}
    assert qp(app, "g") == ["provider"]

    app.selectbox(key="ex_g1").select("service").run()
    app.selectbox(key="ex_metric").select("effective_cost").run()
    wide = table_with(app, "Total")
    assert totals(wide) == {  # effective = billed in the file
        "Amazon EC2": 420.0,
        "Amazon S3": 135.0,
        "Storage": 37.5,
        "Virtual Machines": 30.0,
    }
    assert qp(app, "g") == ["service"] and qp(app, "metric") == ["effective_cost"]

    # drill: filter to a value, group by the next dimension down
    app.session_state["ex_g1"] = "provider"
    app.run()
    app.session_state["ex_f_provider"] = ["AWS"]
    app.session_state["ex_g1"] = "billing_account"
    app.run()
    wide = table_with(app, "Total")
    assert totals(wide) == {"999": 555.0}
    assert qp(app, "f.provider") == ["AWS"]


def test_explorer_restores_a_shared_link(app, company) -> None:
    app.query_params.update(
        {"g": ["tag:team", "provider"], "gran": "month", "f.service": "Amazon EC2"}
    )
    app.switch_page("pages/explorer.py").run()
    assert not app.exception
    wide = table_with(app, "Total")
    # the data (and so the default dates) end on 10 Oct: October says so
    assert set(wide.columns) >= {"dim1", "dim2", "2024-09", "2024-10 (to 10 Oct)", "Total"}
    (web,) = wide.to_dict("records")
    assert (web["dim1"], web["dim2"]) == ("web", "AWS")
    assert (web["2024-09"], web["2024-10 (to 10 Oct)"], web["Total"]) == pytest.approx(
        (300.0, 120.0, 420.0)  # EC2: 30 × 10.00, 10 × 12.00
    )


def test_showback_totals_and_rule(app, company) -> None:
    app.switch_page("pages/showback.py").run()
    assert not app.exception
    shown = table_with(app, "allocated")
    before = {v: round(float(b), 2) for v, b in zip(shown["value"], shown["before"], strict=True)}
    # team web: EC2 300.00 + 120.00; data: S3; ml: the October VMs; untagged: Storage
    assert before == {
        "web": 420.0,
        "data": 135.0,
        "ml": 30.0,
        "(untagged)": 37.5,
        "Total": 622.5,
    }

    from db.showback import AllocationRule, save_rule

    save_rule(company, AllocationRule("spread", "team", "proportional"))
    app.run()
    app.selectbox(key="sb_rule").select("spread").run()
    shown = table_with(app, "allocated")
    after = dict(zip(shown["value"], shown["after"], strict=True))
    # the untagged 37.50 spread over the tagged 585.00 in proportion to each team's cost
    assert after == pytest.approx(
        {
            "web": 420 + 37.5 * 420 / 585,
            "data": 135 + 37.5 * 135 / 585,
            "ml": 30 + 37.5 * 30 / 585,
            "(untagged)": 0.0,
            "Total": 622.5,
        }
    )


def test_exports_account_by_cost_centre(app, company) -> None:
    app.switch_page("pages/exports.py").run()
    assert not app.exception
    wide = table_with(app, "billing_account_id")
    months = ["2024-09", "2024-10 (to 10 Oct)", "Total"]
    got = {
        (r["provider"], r["billing_account_id"], r["tag_value"]): tuple(
            round(float(r[m]), 2) for m in months
        )
        for r in wide.to_dict("records")
    }
    assert got == {
        ("AWS", "999", "100"): (300.0, 120.0, 420.0),  # EC2
        ("AWS", "999", "(untagged)"): (135.0, 0.0, 135.0),  # S3
        ("Microsoft", "999", "(untagged)"): (37.5, 30.0, 67.5),  # Storage; the VMs
    }


@pytest.mark.parametrize("page", ["overview", "explorer", "showback", "exports"])
def test_every_page_has_a_friendly_empty_state(app, empty_db, page: str) -> None:
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception
    assert "No cost data yet" in app.info[0].value
