"""Security details in headless Chromium: tag markup on Showback stays text (no link, no image)
and its CSV quotes would-be formulas; an admin unlocks a locked-out user on Users & audit.
Screenshots land in test-artifacts/."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import users
from ingestion.loader import load_file
from tests.browser.conftest import next_run, screenshot, settled
from tests.conftest import TRUNCATE_ALL
from tests.focus_files import row, write_csv

pytestmark = pytest.mark.browser

LINK = "[x](http://evil.example)"
IMAGE = "![i](http://evil.example/i.png)"
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def tagged(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    rows = [
        row("2024-09-01", "5.00", tags=f'{{"team": "{IMAGE}"}}'),
        row("2024-09-02", "3.00", tags=f'{{"team": "{LINK}"}}'),
        row(
            "2024-09-03",
            "2.00",
            tags='{"team": "=HYPERLINK(\\"http://evil.example\\",\\"click\\")"}',
        ),
    ]
    path = write_csv(tmp_path_factory.mktemp("sec") / "sec.csv", rows)
    assert load_file(engine, path).status == "loaded"
    return engine


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    settled(page.get_by_role("heading", name=heading))


def test_showback_tag_markup_is_text_and_its_csv_is_safe(tagged, streamlit_url: str, page) -> None:
    open_page(page, f"{streamlit_url}/showback", "Showback")
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    screenshot(page, "showback-tag-markup")
    assert page.locator('a[href^="http://evil"]').count() == 0
    assert page.locator('img[src^="http://evil"]').count() == 0
    with next_run(page), page.expect_download() as info:  # the click's run audits the export
        page.get_by_role("button", name="Download CSV").first.click()
    text = Path(info.value.path()).read_text()
    values = {r["team"] for r in csv.DictReader(io.StringIO(text))}
    assert {f"'{FORMULA}", LINK, IMAGE} <= values


def test_admin_unlocks_a_locked_out_user(tagged, streamlit_url: str, page) -> None:
    if not users.get_user(tagged, "andy"):
        users.add_user(tagged, "andy", "andy-password-123", role="viewer")
    for _ in range(users.LOCKOUT_FAILURES):  # from this machine: Streamlit gives no address
        users.audit(tagged, "andy", "login_failed", known_user=True, address=None)
    assert users.locked_out(tagged) == {"andy": [None]}
    open_page(page, f"{streamlit_url}/admin", "Users & audit")
    page.get_by_text("andy: locked out from an unknown address").wait_for()
    screenshot(page, "admin-locked-out")
    page.get_by_role("button", name="Unlock").click()
    settled(page.get_by_text("Locked out (0)"), timeout=30_000)
    assert users.locked_out(tagged) == {}
