"""The explorer's drill path in headless Chromium: names instead of ids, a drill is one browser
history step (Back undoes it), and the breadcrumb and chips follow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from ingestion.loader import load_file
from tests.browser.conftest import click_bar, current, heading, next_run, screenshot, settled
from tests.focus_files import row, write_csv

pytestmark = pytest.mark.browser
# A button with a tooltip, as shown (Streamlit also draws a hidden copy to measure its width).
SHOWN = '[data-testid="stTooltipHoverTarget"] button'


@pytest.fixture(scope="module")
def accounts(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """Two AWS sub-accounts under one payer, named in the file (ids 111111111111 and 222)."""
    from tests.conftest import TRUNCATE_ALL

    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    rows = []
    for day in range(1, 31):
        d = f"2024-09-{day:02d}"
        rows += [
            row(d, "10.00", service="Amazon EC2"),
            row(d, "4.50", service="Amazon S3", account="222"),
            row(d, "2.25", provider="Microsoft", service="Storage", tags=""),
        ]
    path = write_csv(Path(tmp_path_factory.mktemp("acct")) / "acct.csv", rows)
    assert load_file(engine, path).status == "loaded"
    return engine


def chart(page):
    """The current run's explorer chart."""
    return current(page, "ex_chart").locator(".js-plotly-plot")


def legend(page):
    """The chart's legend entries, in order (each assertion on it waits for the redraw)."""
    return chart(page).locator(".legend .traces")


def crumb(page, index: int):
    """A breadcrumb step that leads back up (the current step is plain text)."""
    return current(page, f"ex_up_{index}").locator(SHOWN)


def chip(page, key: str):
    """A filter chip by its widget key (its label is also a breadcrumb's)."""
    return current(page, f"ex_chip_{key}").locator(SHOWN)


def test_drill_by_name_then_back(accounts, streamlit_url: str, page) -> None:
    page.goto(f"{streamlit_url}/explorer?gran=month")
    heading(page, "Cost explorer").wait_for(timeout=60_000)
    settled(chart(page), timeout=30_000)
    expect(legend(page)).to_have_text(["AWS", "Microsoft"], timeout=30_000)  # biggest first

    click_bar(chart(page), "AWS")  # AWS → its billing accounts, by name
    page.wait_for_url(lambda u: "f.provider=AWS" in u and "g=billing_account" in u)
    settled(chip(page, "provider_AWS"), timeout=30_000)
    expect(legend(page)).to_have_text(["Payer"], timeout=30_000)  # the name, not the id 999

    click_bar(chart(page), "Payer")  # Payer → its sub-accounts, by name
    page.wait_for_url(lambda u: "f.billing_account=999" in u and "g=sub_account" in u)
    settled(chip(page, "billing_account_999"), timeout=30_000)
    # 111111111111 costs 10.00 a day, 222 costs 4.50: the bigger first
    expect(legend(page)).to_have_text(["acct 111111111111", "acct 222"], timeout=30_000)
    assert "f.billing_account=999" in page.url  # links keep the id
    expect(crumb(page, 1)).to_have_text("Provider: AWS")  # All costs › Provider: AWS › Payer
    expect(chip(page, "billing_account_999")).to_have_text(re.compile("Billing account: Payer$"))
    screenshot(page, "explorer-drill-by-name")
    current(page).locator('[data-testid="stDataFrame"]').scroll_into_view_if_needed()
    screenshot(page, "explorer-drill-by-name-table")

    with next_run(page):
        page.go_back()  # undo the second drill: AWS by billing account again
    page.wait_for_url(lambda u: "f.billing_account" not in u and "g=billing_account" in u)
    expect(chip(page, "billing_account_999")).to_have_count(0, timeout=30_000)
    expect(crumb(page, 1)).to_have_count(0)
    expect(legend(page)).to_have_text(["Payer"], timeout=30_000)
    expect(chip(page, "provider_AWS")).to_have_count(1)
    screenshot(page, "explorer-after-back")

    with next_run(page):
        page.go_back()  # undo the first: every provider
    page.wait_for_url(lambda u: "f.provider" not in u and "g=provider" in u)
    expect(chip(page, "provider_AWS")).to_have_count(0, timeout=30_000)
    expect(legend(page)).to_have_text(["AWS", "Microsoft"], timeout=30_000)
