"""Explorer, Showback and Exports in AppTest: the numbers shown equal SQL on gold."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.loader import load_file
from tests.focus_files import row, write_csv


@pytest.fixture
def company(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
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


def gold(engine: sa.Engine, sql: str) -> Decimal:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def qp(app, name: str) -> list[str]:
    value = app.query_params[name]
    return value if isinstance(value, list) else [value]


def table_with(app, column: str):
    return next(df.value for df in app.dataframe if column in df.value.columns)


def test_explorer_pivot_equals_gold_and_drills_down(app, company) -> None:
    app.switch_page("pages/explorer.py").run()
    assert not app.exception
    wide = table_with(app, "Total")
    totals = dict(zip(wide["dim1"], wide["Total"], strict=True))
    assert totals["AWS"] == pytest.approx(
        float(gold(company, "SELECT sum(billed_cost) FROM gold.daily_cost WHERE provider = 'AWS'"))
    )
    assert qp(app, "g") == ["provider"]

    app.selectbox(key="ex_g1").select("service").run()
    app.selectbox(key="ex_metric").select("effective_cost").run()
    wide = table_with(app, "Total")
    assert set(wide["dim1"]) == {"Amazon EC2", "Amazon S3", "Storage", "Virtual Machines"}
    assert qp(app, "g") == ["service"] and qp(app, "metric") == ["effective_cost"]

    # drill: filter to a value, group by the next dimension down
    app.session_state["ex_g1"] = "provider"
    app.run()
    app.session_state["ex_f_provider"] = ["AWS"]
    app.session_state["ex_g1"] = "billing_account"
    app.run()
    wide = table_with(app, "Total")
    assert list(wide["dim1"]) == ["999"]
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
    assert set(wide["dim1"]) == {"web"}
    ec2 = gold(
        company, "SELECT sum(billed_cost) FROM gold.daily_cost WHERE service_name = 'Amazon EC2'"
    )
    assert wide["Total"].sum() == pytest.approx(float(ec2))


def test_showback_totals_and_rule(app, company) -> None:
    app.switch_page("pages/showback.py").run()
    assert not app.exception
    shown = table_with(app, "allocated")
    total_row = shown[shown["value"] == "Total"].iloc[0]
    bill = gold(company, "SELECT sum(billed_cost) FROM gold.daily_cost")
    assert Decimal(str(total_row["before"])) == pytest.approx(bill)
    untagged = shown[shown["value"] == "(untagged)"]["before"].iloc[0]
    assert untagged == pytest.approx(30 * 1.25)

    from db.showback import AllocationRule, save_rule

    save_rule(company, AllocationRule("spread", "team", "proportional"))
    app.run()
    app.selectbox(key="sb_rule").select("spread").run()
    shown = table_with(app, "allocated")
    body = shown[shown["value"] != "Total"]
    assert body["after"].sum() == pytest.approx(float(bill))
    assert body[body["value"] == "(untagged)"]["after"].iloc[0] == 0


def test_exports_account_by_cost_centre(app, company) -> None:
    app.switch_page("pages/exports.py").run()
    assert not app.exception
    wide = table_with(app, "billing_account_id")
    assert set(wide["tag_value"]) == {"100", "(untagged)"}
    assert wide["Total"].sum() == pytest.approx(
        float(gold(company, "SELECT sum(billed_cost) FROM gold.daily_cost"))
    )
    cc100 = wide[wide["tag_value"] == "100"].iloc[0]
    assert cc100["2024-09"] == pytest.approx(300.0)
    assert cc100["2024-10 (to 10 Oct)"] == pytest.approx(120.0)


@pytest.mark.parametrize("page", ["overview", "explorer", "showback", "exports"])
def test_every_page_has_a_friendly_empty_state(app, empty_db, page: str) -> None:
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception
    assert "No cost data yet" in app.info[0].value
