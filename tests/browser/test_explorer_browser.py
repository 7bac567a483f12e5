"""The explorer's drill path in headless Chromium: names instead of ids, a drill is one browser
history step (Back undoes it), and the breadcrumb and chips follow."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.loader import load_file
from tests.browser.conftest import screenshot, settle
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


def click_bar(page, name: str) -> None:
    """Click the middle of the (single, monthly) bar of the trace named `name`."""
    trace = page.locator(".js-plotly-plot .barlayer .trace").filter(has=page.locator("path"))
    legend = page.locator(".js-plotly-plot .legend .traces").filter(has_text=name)
    legend.wait_for(timeout=30_000)
    index = legend_names(page).index(name)
    box = trace.nth(index).locator("path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def legend_names(page) -> list[str]:
    texts = page.locator(".js-plotly-plot .legend .traces").all_text_contents()
    return [t.strip() for t in texts]


def crumb(page, index: int):
    """A breadcrumb step that leads back up (the current step is plain text)."""
    return page.locator(f".st-key-ex_up_{index} {SHOWN}")


def chip(page, key: str):
    """A filter chip by its widget key (its label is also a breadcrumb's)."""
    return page.locator(f".st-key-ex_chip_{key} {SHOWN}")


def test_drill_by_name_then_back(accounts, streamlit_url: str, page) -> None:
    page.goto(f"{streamlit_url}/explorer?gran=month")
    page.get_by_role("heading", name="Cost explorer").wait_for(timeout=60_000)
    settle(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)

    click_bar(page, "AWS")  # AWS → its billing accounts, by name
    page.wait_for_url(lambda u: "f.provider=AWS" in u and "g=billing_account" in u)
    settle(page)
    chip(page, "provider_AWS").wait_for(timeout=30_000)
    legend = page.locator(".js-plotly-plot .legend .traces")
    assert legend_names(page) == ["Payer"]  # the name, not the id 999

    click_bar(page, "Payer")  # Payer → its sub-accounts, by name
    page.wait_for_url(lambda u: "f.billing_account=999" in u and "g=sub_account" in u)
    settle(page)
    chip(page, "billing_account_999").wait_for(timeout=30_000)
    legend.filter(has_text="acct 222").wait_for(timeout=30_000)
    assert sorted(legend_names(page)) == ["acct 111111111111", "acct 222"]
    assert "f.billing_account=999" in page.url  # links keep the id
    assert crumb(page, 1).inner_text() == "Provider: AWS"  # All costs › Provider: AWS › Payer
    assert chip(page, "billing_account_999").inner_text().endswith("Billing account: Payer")
    screenshot(page, "explorer-drill-by-name")
    page.locator('[data-testid="stDataFrame"]').scroll_into_view_if_needed()
    screenshot(page, "explorer-drill-by-name-table")

    page.go_back()  # undo the second drill: AWS by billing account again
    page.wait_for_url(lambda u: "f.billing_account" not in u and "g=billing_account" in u)
    settle(page)
    chip(page, "billing_account_999").wait_for(state="detached", timeout=30_000)
    crumb(page, 1).wait_for(state="detached")
    assert legend_names(page) == ["Payer"]
    chip(page, "provider_AWS").wait_for()
    screenshot(page, "explorer-after-back")

    page.go_back()  # undo the first: every provider
    page.wait_for_url(lambda u: "f.provider" not in u and "g=provider" in u)
    settle(page)
    chip(page, "provider_AWS").wait_for(state="detached", timeout=30_000)
    legend.filter(has_text="Microsoft").wait_for(timeout=30_000)
    assert sorted(legend_names(page)) == ["AWS", "Microsoft"]
