"""What a new user sees, at 1440×900 in headless Chromium: months and weeks labelled as such,
the most picked grouping (Service) drawn, no table cut off at its right edge, a Total row in
view. Screenshots land in test-artifacts/visual-*.png."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from db import users
from ingestion.loader import load_file
from tests.browser.conftest import run_over, screenshot, settled
from tests.conftest import TRUNCATE_ALL
from tests.focus_files import row, write_csv

pytestmark = pytest.mark.browser

# Twelve services, some with the long names AWS really uses: with more than ten the explorer
# folds the smallest into "Other".
SERVICES = [
    ("Amazon Elastic Compute Cloud - Compute", "30.00"),
    ("Amazon Elastic Container Service for Kubernetes", "20.00"),
    ("Amazon Relational Database Service", "12.00"),
    ("Amazon Simple Storage Service", "9.00"),
    ("AWS Lambda", "7.00"),
    ("Amazon CloudFront", "6.00"),
    ("Amazon DynamoDB", "5.00"),
    ("Amazon Elastic Load Balancing", "4.00"),
    ("Amazon Virtual Private Cloud", "3.00"),
    ("AWS Key Management Service", "2.00"),
    ("Amazon Route 53", "1.00"),
    ("Amazon Simple Queue Service", "0.50"),
]
FROM, TO = date(2026, 9, 1), date(2026, 11, 30)  # 1 Sep 2026 is a Tuesday
VIEW = f"from={FROM}&to={TO}"
MONTHS = {"Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12}


@pytest.fixture(scope="module")
def autumn(engine: sa.Engine, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
    rows = []
    day = FROM
    while day <= TO:
        for i, (service, cost) in enumerate(SERVICES):
            r = row(
                day.isoformat(),
                cost,
                service=service,
                account=f"1111-2222-{i:04d}",
                tags=f'{{"team": "team-{i:02d}"}}',
            )
            r["BillingAccountId"] = "123456789012-consolidated-payer"
            rows.append(r)
        rows.append(row(day.isoformat(), "2.25", provider="Microsoft", service="Storage", tags=""))
        day += timedelta(days=1)
    path = write_csv(tmp_path_factory.mktemp("autumn") / "autumn.csv", rows)
    assert load_file(engine, path).status == "loaded"
    return engine


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    settled(page.get_by_role("heading", name=heading))


def tick_labels(page) -> list[str]:
    return page.locator(".js-plotly-plot .xaxislayer-above .xtick text").evaluate_all(
        "nodes => nodes.map(n => n.textContent)"
    )


def legend(page) -> list[str]:
    return page.locator(".js-plotly-plot .legend .traces .legendtext").evaluate_all(
        "nodes => nodes.map(n => n.textContent)"
    )


def test_explorer_by_service_month_and_week(autumn, streamlit_url: str, page) -> None:
    open_page(page, f"{streamlit_url}/explorer?g=service&gran=month&{VIEW}", "Cost explorer")
    page.locator(".js-plotly-plot .barlayer .trace").first.wait_for(timeout=30_000)
    screenshot(page, "visual-explorer-service-month")
    assert tick_labels(page) == ["Sep 2026", "Oct 2026", "Nov 2026"]
    names = legend(page)
    assert names[:3] == [
        "Amazon Elastic Compute Cloud - Compute",
        "Amazon Elastic Container Service for Kubernetes",
        "Amazon Relational Database Service",
    ]
    assert names[-1] == "Other" and len(names) == 10
    assert page.locator(".js-plotly-plot .barlayer .trace").count() == 10

    open_page(page, f"{streamlit_url}/explorer?g=service&gran=week&{VIEW}", "Cost explorer")
    page.locator(".js-plotly-plot .barlayer .trace").first.wait_for(timeout=30_000)
    screenshot(page, "visual-explorer-service-week")
    ticks = tick_labels(page)
    # Plotly may skip category labels when crowded: whichever it shows are Mondays, in order.
    assert ticks[0] == "Week of 31 Aug (partial)"
    assert "Week of 7 Sep" in ticks and "Week of 30 Nov (partial)" in ticks[-1:]
    for text in ticks:
        day = int(text.removeprefix("Week of ").split()[0])
        start = date(2026, MONTHS[text.split()[3]], day)
        assert start.weekday() == 0, text


def test_overview_tables_fit_and_read(autumn, streamlit_url: str, page) -> None:
    open_page(page, f"{streamlit_url}/?{VIEW}", "Overview")
    page.get_by_text("Data freshness").wait_for()
    daily = page.locator(".js-plotly-plot").first
    daily.locator(".barlayer .trace").first.wait_for(timeout=30_000)
    ticks = daily.locator(".xaxislayer-above .xtick text").evaluate_all(
        "nodes => nodes.map(n => (n.querySelector('tspan') || n).textContent)"
    )
    assert len(ticks) >= 3
    for text in ticks:  # "7 Sep": every one a Monday
        day, month = re.fullmatch(r"(\d{1,2}) ([A-Z][a-z]{2})", text).groups()
        assert date(2026, MONTHS[month], int(day)).weekday() == 0, text
    frames = page.locator('[data-testid="stDataFrame"]')
    assert frames.count() == 6  # provider, two movers, services, accounts, freshness
    for i, name in enumerate(("provider", "movers", "movers-2", "services", "accounts", "fresh")):
        frames.nth(i).scroll_into_view_if_needed()
        screenshot(page, f"visual-overview-{name}")
        scroller = frames.nth(i).locator(".dvn-scroller")
        overflow = scroller.evaluate("e => e.scrollWidth - e.clientWidth")
        assert overflow <= 1, f"table {name} is cut off by {overflow}px at 1440 px"


def test_showback_total_row_in_view(autumn, streamlit_url: str, page) -> None:
    open_page(page, f"{streamlit_url}/showback?{VIEW}", "Showback")
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    screenshot(page, "visual-showback")
    table = page.locator('[data-testid="stDataFrame"]').first
    scroller = table.locator(".dvn-scroller")
    # 12 teams + untagged + Total: more than the grid's default ten rows, all shown.
    assert scroller.evaluate("e => e.scrollHeight - e.clientHeight") <= 1
    table.scroll_into_view_if_needed()
    screenshot(page, "visual-showback-table")


def test_audit_log_reads_as_text(autumn, streamlit_url: str, page) -> None:
    users.audit(autumn, "admin", "export", file="visual.csv", rows=3)
    open_page(page, f"{streamlit_url}/admin", "Users & audit")
    page.get_by_role("heading", name="Audit log").scroll_into_view_if_needed()
    run_over(page)
    screenshot(page, "visual-audit")
    # The grid draws on a canvas; the canvas's fallback table holds the cells' text.
    audit = page.locator('[data-testid="stDataFrame"]').last
    rows = audit.locator('table[role="grid"] tbody tr')
    rows.first.wait_for(state="attached", timeout=30_000)
    cells = rows.first.locator("td").all_text_contents()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", cells[0]), cells
    details = [rows.nth(i).locator("td").nth(3).text_content() for i in range(rows.count())]
    assert "file: visual.csv, rows: 3" in details, details
