"""The Overview in a real browser: the month-to-date figure a person reads equals the sum of the
hand-made input, and each role sees its own pages; anonymous visitors see only the sign-in form."""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from db import users
from db.engine import get_engine
from ingestion.loader import load_file
from tests.browser.conftest import (
    current,
    heading,
    screenshot,
    settled,
    sidebar,
    sign_in,
    wait_for_cookie,
)
from tests.conftest import TRUNCATE_ALL
from tests.focus_files import row, write_csv
from tests.sql import one, scalar

pytestmark = pytest.mark.browser
PASSWORD = "browser-password-1"


@pytest.fixture(scope="module")
def loaded(app_env: str, engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """Data and users exist before the server answers its first query (its cache lives 5 min)."""
    get_engine()  # the first entry point: creates admin while app.user is still empty
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    rows = [row(f"2024-10-{d:02d}", f"{d}.50") for d in range(1, 21)]
    rows += [row(f"2024-09-{d:02d}", "4.00", provider="Microsoft") for d in range(1, 31)]
    rows.append(
        row(
            "2024-10-02",
            "1.00",
            service="<img src=x onerror=alert(1)>",
            tags='{"team": "<img src=x onerror=alert(1)>"}',
        )
    )
    path = write_csv(tmp_path_factory.mktemp("b") / "b.csv", rows)
    assert load_file(engine, path).status == "loaded"
    for name, role in (("vera", "viewer"), ("andy", "analyst")):
        if not users.get_user(engine, name):
            users.add_user(engine, name, PASSWORD, role=role)
    return engine


def test_overview_shows_month_to_date(loaded: sa.Engine, streamlit_url: str, page) -> None:
    value = (
        current(page)
        .locator('[data-testid="stMetric"]')
        .filter(has_text="Month to date (Oct 2024)")
        .locator('[data-testid="stMetricValue"]')
    )
    # 1-20 Oct: AWS costs `day`.50 a day (210 + 10.00) and the one 1.00 row: 221.00. Auto-waiting:
    # the figure may be drawn before the run that fills it has ended.
    expect(value).to_have_text("$221.00", use_inner_text=True, timeout=60_000)
    settled(current(page, "daily_chart").locator(".js-plotly-plot"), timeout=30_000)
    screenshot(page, "overview")

    # Data freshness, as the table's CSV gives it (the grid draws on a canvas): the file's data
    # ends on 2024-10-20, years before today, so the source is stale since then, never "ok".
    with page.expect_download() as info:
        current(page, "freshness_csv").get_by_role("button", name="Download CSV").click()
    with open(info.value.path(), newline="") as f:
        fresh = list(csv.DictReader(f))
    assert [(r["Source"], r["Status"]) for r in fresh] == [("local", "stale since 2024-10-20")]
    assert [r["Stale since"] for r in fresh] == ["2024-10-20"]


@pytest.mark.parametrize(
    ("username", "admin_pages"), [("vera", False), ("andy", False), ("admin", True)]
)
def test_each_role_signs_in_sees_its_pages_and_signs_out(
    loaded, streamlit_url: str, anonymous_page, username: str, admin_pages: bool
) -> None:
    from tests.conftest import ADMIN_PASSWORD

    page = anonymous_page
    sign_in(page, streamlit_url, username, ADMIN_PASSWORD if username == "admin" else PASSWORD)
    heading(page, "Overview").wait_for(timeout=60_000)
    nav = sidebar(page)
    nav.get_by_role("link", name="Showback", exact=True).wait_for(timeout=30_000)
    expect(nav.get_by_role("link", name="Users & audit", exact=True)).to_have_count(
        1 if admin_pages else 0
    )
    wait_for_cookie(page, present=True)
    kept = [c for c in page.context.cookies() if c["name"] == "cloudlens_session"]
    sidebar(page).get_by_role("button", name="Sign out", exact=True).click()
    heading(page, "Sign in to Cloudlens").wait_for(timeout=30_000)
    page.goto(f"{streamlit_url}/explorer")  # signed out: a direct link shows the form
    settled(
        heading(page, "Sign in to Cloudlens"), timeout=30_000
    )  # and, its run over, nothing else
    assert page.get_by_role("heading", name="Cost explorer").count() == 0

    # A copy of the cookie taken before sign-out (another tab, a stolen header) is void too.
    page.context.add_cookies(kept)
    page.goto(f"{streamlit_url}/explorer")
    settled(heading(page, "Sign in to Cloudlens"), timeout=30_000)
    assert page.get_by_role("heading", name="Cost explorer").count() == 0


def test_wrong_password_then_lockout(loaded, streamlit_url: str, anonymous_page) -> None:
    page = anonymous_page
    started = scalar(loaded, "SELECT now()")
    if not users.get_user(loaded, "locky"):
        users.add_user(loaded, "locky", PASSWORD, role="viewer")
    for _ in range(5):
        sign_in(page, streamlit_url, "locky", "wrong-password-x")
        current(page).get_by_text("Wrong user name or password.", exact=True).wait_for(
            timeout=30_000
        )
    sign_in(page, streamlit_url, "locky", PASSWORD)  # the right password, too late
    message = current(page).get_by_text("Too many failed sign-ins", exact=False)
    settled(message, timeout=30_000)
    screenshot(page, "lockout")
    expect(message).to_have_text(
        "Too many failed sign-ins from here: this account is locked out here for 15 minutes. "
        "Try again later, or ask an admin to unlock it."
    )
    # Locked out means not signed in: the form again, no page, no session cookie, and the
    # audit log holds the five failures and the lockout, never a sign-in.
    expect(heading(page, "Sign in to Cloudlens")).to_have_count(1)
    assert heading(page, "Overview").count() == 0
    assert "cloudlens_session" not in {c["name"] for c in page.context.cookies()}
    audited = (
        "SELECT count(*) FILTER (WHERE action = 'login_failed' AND lower(username) = :user), "
        "count(*) FILTER (WHERE action = 'login' AND lower(username) = :user), "
        "count(*) FILTER (WHERE action = 'login_locked') "
        "FROM app.audit_log WHERE at > :since"
    )
    assert one(loaded, audited, user="locky", since=started) == (5, 0, 1)
