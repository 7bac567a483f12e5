"""Every page in headless Chromium: open it, change a filter, drill down, download a CSV and
check it against the sums of the hand-made input; a 1440×900 screenshot of each page lands in
test-artifacts/."""

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
from tests.browser.conftest import click_bar, current, heading, run_over, screenshot, settled
from tests.focus_files import row, write_csv
from tests.scheduler.conftest import wait_for
from tests.sql import all_rows

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def company(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """Loaded once, before the server answers its first query (its cache lives five minutes).
    Each of 50 days (1-30 Sep, 1-20 Oct): EC2 10.00 (team web, cost centre 100), S3 4.50
    (account 222, team data), Microsoft Storage 2.25 (untagged). The bill: 50 × 16.75 = 837.50;
    AWS 725.00, Microsoft 112.50."""
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


def open_page(page, url: str, title: str) -> None:
    page.goto(url)
    settled(heading(page, title))


def exported(engine: sa.Engine) -> list[str]:
    """The files of every audited export, oldest first."""
    sql = "SELECT detail->>'file' FROM app.audit_log WHERE action = :action ORDER BY audit_id"
    return [file for (file,) in all_rows(engine, sql, action="export")]


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
    run_over(page)  # the run that wrote the audit row has begun: wait for its end
    return list(csv.DictReader(io.StringIO(text)))


def test_overview_filter_and_csv(company, streamlit_url: str, page) -> None:
    open_page(page, streamlit_url, "Overview")
    heading(page, "Top services").wait_for()
    current(page, "daily_chart").locator(".js-plotly-plot").wait_for(timeout=30_000)
    screenshot(page, "overview-company")
    rows = download_csv(page, company, "provider_table")  # spend by provider, last 90 days
    assert {r["Provider"]: Decimal(r["Billed cost"]) for r in rows} == {
        "AWS": Decimal("725.00"),  # 50 × (10.00 + 4.50)
        "Microsoft": Decimal("112.50"),  # 50 × 2.25
    }
    current(page, "providers").locator('[data-testid="stMultiSelect"]').click()
    page.get_by_role("option", name="Microsoft", exact=True).click()  # the one open list
    page.keyboard.press("Escape")
    mtd = current(page).locator('[data-testid="stMetric"]').filter(has_text="Month to date (")
    # Microsoft, 1–20 Oct: 20 × 2.25
    expect(mtd.locator('[data-testid="stMetricValue"]')).to_have_text(
        "$45.00", use_inner_text=True, timeout=30_000
    )


def test_explorer_drill_down_and_csv(company, streamlit_url: str, page) -> None:
    open_page(page, f"{streamlit_url}/explorer?gran=month", "Cost explorer")
    chart = current(page, "ex_chart").locator(".js-plotly-plot")
    settled(chart, timeout=30_000)
    screenshot(page, "explorer")
    rows = download_csv(page, company, "ex_table")
    assert {r["Provider"]: Decimal(r["Total"]) for r in rows} == {
        "AWS": Decimal("725.00"),
        "Microsoft": Decimal("112.50"),
    }
    click_bar(chart, "AWS")  # filter to AWS, group by billing account
    # The run writes the view's query parameters one by one: wait for both asserted.
    page.wait_for_url(
        lambda url: "f.provider=AWS" in url and "g=billing_account" in url, timeout=30_000
    )
    settled(current(page, "ex_chip_provider_AWS"), timeout=30_000)
    rows = download_csv(page, company, "ex_table")
    assert [(r["Billing account"], r["Billing account id"], r["Total"]) for r in rows] == [
        ("Payer", "999", "725.00")
    ]
    screenshot(page, "explorer-drilled")


def test_showback_and_exports_csv_match_the_bill(company, streamlit_url: str, page) -> None:
    open_page(page, f"{streamlit_url}/showback", "Showback")
    # an expander is a block, not an element: its title, which the page has once
    page.locator('[data-testid="stExpander"] summary').get_by_text(
        "Allocation rules", exact=True
    ).wait_for()
    current(page, "sb_chart").locator(".js-plotly-plot").wait_for(timeout=30_000)
    screenshot(page, "showback")
    rows = download_csv(page, company, "sb_table")
    assert {r["team"]: Decimal(r["Before"]) for r in rows} == {
        "web": Decimal("500.00"),  # EC2, 50 × 10.00
        "data": Decimal("225.00"),  # S3, 50 × 4.50
        "(untagged)": Decimal("112.50"),  # Storage, 50 × 2.25
        "Total": Decimal("837.50"),
    }

    open_page(page, f"{streamlit_url}/exports", "Exports")
    heading(page, "Monthly cost by billing account and cost centre").wait_for()
    screenshot(page, "exports")
    rows = download_csv(page, company, "xp_accounts")
    months = ("2024-09", "2024-10 (to 20 Oct)", "Total")
    by_centre = {
        (r["Provider"], r["Billing account id"], r["cost-center"]): tuple(r[m] for m in months)
        for r in rows
    }
    assert by_centre == {
        ("AWS", "999", "100"): ("300.00", "200.00", "500.00"),  # EC2: 30 and 20 days × 10.00
        ("AWS", "999", "(untagged)"): ("135.00", "90.00", "225.00"),  # S3 × 4.50
        ("Microsoft", "999", "(untagged)"): ("67.50", "45.00", "112.50"),  # Storage × 2.25
    }
    with page.expect_download() as info:
        current(page, "xp_line_items").get_by_role("button").click()
    with gzip.open(info.value.path(), "rt") as f:
        items = list(csv.DictReader(f))
    # the latest billing period's line items: October, 20 days × 3 rows, 20 × 16.75
    assert len(items) == 60 and {"BilledCost", "ChargePeriodStart", "Tags"} <= set(items[0])
    assert sum(Decimal(i["BilledCost"]) for i in items) == Decimal("335.00")

    # Each click is audited by the run it sets off, which may end after the download arrived.
    wait_for(
        lambda: (
            "focus-line-items" in (files := exported(company))
            and any(e.startswith("showback_") for e in files)
        ),
        what="both downloads in the audit log (action 'export')",
    )
