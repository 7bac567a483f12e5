"""Moving around in a real browser: the sidebar's date range stays as set across sidebar links
and browser Back; a link opened before sign-in opens its own view after it; a page the role
does not include says which role it needs."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from db import users
from db.engine import get_engine
from ingestion.loader import load_file
from tests.browser.conftest import next_run, run_over, screenshot, wait_for_cookie
from tests.conftest import ADMIN_PASSWORD, TRUNCATE_ALL
from tests.focus_files import row, write_csv

pytestmark = pytest.mark.browser
PASSWORD = "browser-password-2"
LAST_MONTH = ("2024-09-01", "2024-09-30")  # data through 20 Oct 2024
THIS_MONTH = ("2024-10-01", "2024-10-20")
DEFAULT = ("2024-07-23", "2024-10-20")  # the last 90 days


@pytest.fixture(scope="module")
def loaded(app_env: str, engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """Data and users exist before the server answers its first query (its cache lives 5 min)."""
    get_engine()
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    rows = [row(f"2024-09-{d:02d}", "4.00", tags='{"team": "web"}') for d in range(1, 31)]
    rows += [row(f"2024-10-{d:02d}", "1.50", provider="Microsoft") for d in range(1, 21)]
    path = write_csv(tmp_path_factory.mktemp("nav") / "nav.csv", rows)
    assert load_file(engine, path).status == "loaded"
    if not users.get_user(engine, "vera"):
        users.add_user(engine, "vera", PASSWORD, role="viewer")
    return engine


def submit_sign_in(page, username: str, password: str) -> None:
    """Fill the form already on screen (the page keeps the URL it was opened with)."""
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for(timeout=60_000)  # once, in the sidebar
    wait_for_cookie(page, present=True)


def expect_range(page, dates: tuple[str, str]) -> None:
    """The sidebar's date range shows these first and last days."""
    field = page.locator('[data-testid="stSidebar"] [data-testid="stDateInputField"]')
    for end, day in zip(("start", "end"), dates, strict=True):
        expect(field.locator(f'[data-range-field="{end}"] input[type="date"]')).to_have_value(
            day, timeout=30_000
        )


def pick_preset(page, label: str) -> None:
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has_text="Period"
    ).click()
    page.get_by_role("option", name=label, exact=True).click()


def on_page(page, path: str, title: str) -> None:
    """The page's own title (h1, once) and its URL path."""
    expect(page.locator("h1").filter(has_text=re.compile(f"^{title}$"))).to_have_count(
        1, timeout=60_000
    )
    expect(page).to_have_url(re.compile(rf"/{path}(\?|$)"), timeout=30_000)


def back_to(page, path: str) -> None:
    """Browser Back until the URL is that page's (a page's own view changes are entries too)."""
    for _ in range(8):
        with next_run(page):  # each step's run, over before the next step
            page.go_back()
        if re.search(rf"/{path}(\?|$)", page.url):
            return
        expect_range(page, LAST_MONTH)  # every step on the way shows the range as it was
    pytest.fail(f"Back never reached /{path}: at {page.url}")


def test_range_kept_across_sidebar_links_and_back(loaded, streamlit_url: str, anonymous_page):
    page = anonymous_page
    page.goto(streamlit_url)
    submit_sign_in(page, "admin", ADMIN_PASSWORD)
    expect_range(page, DEFAULT)
    run_over(page)
    pick_preset(page, "Last month")
    expect_range(page, LAST_MONTH)
    expect(page).to_have_url(re.compile(r"range=last_month"), timeout=30_000)
    mtd = page.locator('[data-testid="stMetric"]').filter(has_text="Month to date (Sep 2024)")
    expect(mtd.locator('[data-testid="stMetricValue"]')).to_have_text("$120.00", timeout=30_000)
    run_over(page)
    screenshot(page, "nav-overview-last-month")

    sidebar = page.locator('[data-testid="stSidebar"]')
    for title, path in (
        ("Cost explorer", "explorer"),
        ("Showback", "showback"),
        ("Exports", "exports"),
    ):
        sidebar.get_by_role("link", name=title).click()
        on_page(page, path, title)
        expect_range(page, LAST_MONTH)
        expect(page).to_have_url(re.compile(rf"/{path}\?.*range=last_month"), timeout=30_000)
        run_over(page)
        screenshot(page, f"nav-{path}-last-month")

    # A different range on Exports; Back first undoes it, then goes to the pages as they were.
    pick_preset(page, "This month")
    expect_range(page, THIS_MONTH)
    expect(page).to_have_url(re.compile(r"/exports\?.*range=this_month"), timeout=30_000)
    run_over(page)
    with next_run(page):
        page.go_back()
    expect(page).to_have_url(re.compile(r"/exports\?.*range=last_month"), timeout=30_000)
    expect_range(page, LAST_MONTH)
    run_over(page)
    for title, path in (("Showback", "showback"), ("Cost explorer", "explorer"), ("Overview", "")):
        back_to(page, path)
        on_page(page, path, title)
        expect_range(page, LAST_MONTH)
        run_over(page)
    mtd_value = mtd.locator('[data-testid="stMetricValue"]')
    expect(mtd_value).to_have_text("$120.00", timeout=30_000)
    screenshot(page, "nav-overview-after-back")


def test_link_opened_before_sign_in_opens_its_view(loaded, streamlit_url: str, anonymous_page):
    page = anonymous_page
    page.goto(f"{streamlit_url}/explorer?g=service&gran=month&range=last_month")
    page.get_by_text("Sign in to Cloudlens").wait_for(timeout=60_000)
    submit_sign_in(page, "admin", ADMIN_PASSWORD)
    on_page(page, "explorer", "Cost explorer")
    expect(page).to_have_url(re.compile(r"g=service"), timeout=30_000)
    expect(page).to_have_url(re.compile(r"gran=month"))
    expect_range(page, LAST_MONTH)
    run_over(page)
    screenshot(page, "nav-explorer-after-sign-in")
    group_by = page.get_by_role("combobox", name="Group by")
    expect(group_by).to_have_value("Service", timeout=30_000)
    run_over(page)
    screenshot(page, "nav-explorer-after-sign-in")


@pytest.mark.parametrize("signed_in_first", [True, False], ids=["signed-in", "before-sign-in"])
def test_viewer_opening_an_admin_page_is_told_why(
    loaded, streamlit_url: str, anonymous_page, signed_in_first: bool
):
    page = anonymous_page
    if signed_in_first:
        page.goto(streamlit_url)
        submit_sign_in(page, "vera", PASSWORD)
        page.goto(f"{streamlit_url}/sources")
    else:
        page.goto(f"{streamlit_url}/sources")
        page.get_by_text("Sign in to Cloudlens").wait_for(timeout=60_000)
        submit_sign_in(page, "vera", PASSWORD)
    message = page.get_by_text("Data sources needs the admin role; you are signed in as viewer.")
    message.wait_for(timeout=60_000)
    on_page(page, "", "Overview")
    expect(
        page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Data sources")
    ).to_have_count(0)
    run_over(page)
    screenshot(page, f"nav-viewer-sources-{'signed-in' if signed_in_first else 'before'}")
