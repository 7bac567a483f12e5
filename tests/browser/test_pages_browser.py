"""Every page in headless Chromium: open it, change a filter, drill down, download a CSV and
check it against gold; a 1440×900 screenshot of each page lands in test-artifacts/."""

from __future__ import annotations

import csv
import gzip
import io
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from ingestion.loader import load_file
from tests.browser.conftest import current, heading, screenshot, settle
from tests.focus_files import row, write_csv
from tests.scheduler.conftest import wait_for
from ui.format import money

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def company(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """Loaded once, before the server answers its first query (its cache lives five minutes)."""
    from tests.conftest import TRUNCATE_ALL

    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    rows = []
    for month, days in (("2024-09", 30), ("2024-10", 20)):
        for day in range(1, days + 1):
            d = f"{month}-{day:02d}"
            rows += [
                row(d, "10.00", service="Amazon EC2", tags='{"team": "web", "cost-center": "100"}'),
                row(d, "4.50", service="Amazon S3", account="222", tags='{"team": "data"}'),
                row(d, "2.25", provider="Microsoft", service="Storage", tags=""),
            ]
    path = write_csv(tmp_path_factory.mktemp("co") / "co.csv", rows)
    assert load_file(engine, path).status == "loaded"
    return engine


def gold(engine: sa.Engine, sql: str) -> Decimal:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def open_page(page, url: str, title: str) -> None:
    page.goto(url)
    heading(page, title).wait_for(timeout=60_000)
    settle(page)


def exported(engine: sa.Engine) -> list[str]:
    """The files of every audited export, oldest first."""
    with engine.connect() as conn:
        sql = "SELECT detail->>'file' FROM app.audit_log WHERE action = 'export' ORDER BY audit_id"
        return conn.execute(sa.text(sql)).scalars().all()


def download_csv(page, engine: sa.Engine, table_key: str) -> list[dict[str, str]]:
    """Download the CSV of the table of this key, and wait for the run the click sets off (it
    writes the audit row) to end: a click during that run can hit a download button whose file
    the run revokes (Streamlit replaces a deferred download's id on every run), and no download
    follows."""
    before = len(exported(engine))
    with page.expect_download() as info:
        current(page, f"{table_key}_csv").get_by_role("button", name="Download CSV").click()
    text = Path(info.value.path()).read_text()
    wait_for(lambda: len(exported(engine)) > before, what="the download's audit row")
    settle(page)
    return list(csv.DictReader(io.StringIO(text)))


def test_overview_filter_and_csv(company, streamlit_url: str, page) -> None:
    open_page(page, streamlit_url, "Overview")
    heading(page, "Top services").wait_for()
    current(page, "daily_chart").locator(".js-plotly-plot").wait_for(timeout=30_000)
    screenshot(page, "overview-company")
    rows = download_csv(page, company, "provider_table")  # spend by provider
    assert sum(Decimal(r["Billed cost"]) for r in rows) == gold(
        company,
        "SELECT sum(billed_cost) FROM gold.daily_cost WHERE charge_date >= DATE '2024-10-20' - 89",
    )
    current(page, "providers").locator('[data-testid="stMultiSelect"]').click()
    page.get_by_role("option", name="Microsoft", exact=True).click()  # the one open list
    page.keyboard.press("Escape")
    mtd = current(page).locator('[data-testid="stMetric"]').filter(has_text="Month to date (")
    # Microsoft, 1–20 Oct: 20 × 2.25
    expect(mtd.locator('[data-testid="stMetricValue"]')).to_have_text(
        money(45.0, "USD"), use_inner_text=True, timeout=30_000
    )


def test_explorer_drill_down_and_csv(company, streamlit_url: str, page) -> None:
    open_page(page, f"{streamlit_url}/explorer?gran=month", "Cost explorer")
    chart = current(page, "ex_chart").locator(".js-plotly-plot")
    chart.wait_for(timeout=30_000)
    screenshot(page, "explorer")
    rows = download_csv(page, company, "ex_table")
    assert sum(Decimal(r["Total"]) for r in rows) == gold(
        company, "SELECT sum(billed_cost) FROM gold.daily_cost"
    )
    # click the AWS bar: filter to AWS, group by billing account
    chart.wait_for(timeout=30_000)
    bar = chart.locator(".barlayer .trace").first.locator("path").first  # the AWS bar
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # The run writes the view's query parameters one by one: wait for both asserted.
    page.wait_for_url(
        lambda url: "f.provider=AWS" in url and "g=billing_account" in url, timeout=30_000
    )
    settle(page)
    rows = download_csv(page, company, "ex_table")
    assert [(r["Billing account"], r["Billing account id"]) for r in rows] == [("Payer", "999")]
    screenshot(page, "explorer-drilled")


def test_showback_and_exports_csv_match_the_bill(company, streamlit_url: str, page) -> None:
    bill = gold(company, "SELECT sum(billed_cost) FROM gold.daily_cost")
    open_page(page, f"{streamlit_url}/showback", "Showback")
    # an expander is a block, not an element: its title, which the page has once
    page.locator('[data-testid="stExpander"] summary').get_by_text(
        "Allocation rules", exact=True
    ).wait_for()
    current(page, "sb_chart").locator(".js-plotly-plot").wait_for(timeout=30_000)
    screenshot(page, "showback")
    rows = download_csv(page, company, "sb_table")
    body = [r for r in rows if r["team"] != "Total"]
    assert sum(Decimal(r["Before"]) for r in body) == bill
    assert next(Decimal(r["Before"]) for r in rows if r["team"] == "(untagged)") == Decimal(
        "112.50"
    )

    open_page(page, f"{streamlit_url}/exports", "Exports")
    heading(page, "Monthly cost by billing account and cost centre").wait_for()
    screenshot(page, "exports")
    rows = download_csv(page, company, "xp_accounts")
    assert sum(Decimal(r["Total"]) for r in rows) == bill
    with page.expect_download() as info:
        current(page, "xp_line_items").get_by_role("button").click()
    with gzip.open(info.value.path(), "rt") as f:
        items = list(csv.DictReader(f))
    assert items and {"BilledCost", "ChargePeriodStart", "Tags"} <= set(items[0])

    # Each click is audited by the run it sets off, which may end after the download arrived.
    wait_for(
        lambda: (
            "focus-line-items" in (files := exported(company))
            and any(e.startswith("showback_") for e in files)
        ),
        what="both downloads in the audit log (action 'export')",
    )
