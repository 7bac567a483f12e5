"""Page-query latency at scale: every query the dashboard pages run, timed over demo data.

    .venv/bin/python bench/pages.py [--scale 40] [--months 13] [--runs 30] [--browser]

Loads the demo company at `--scale` (40 gives about 9.6 million bronze rows) into its own
embedded database under bench/out/pages-home (or DATABASE_URL), once: a later run reuses it.
Then runs each page query `--runs` times with the default 90-day view and prints p50 and p95 in
milliseconds. `--browser` also serves the app and times each page in headless Chromium, from
navigation until Streamlit has finished the run (caches warm, as for a second visitor). Run by
hand; the figures go in the README.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PATHS = {"Overview": "", "Cost explorer": "explorer", "Showback": "showback", "Exports": "exports"}


def setup_env() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("CLOUDLENS_HOME", str(OUT / "pages-home"))
    os.environ.setdefault("CLOUDLENS_ADMIN_PASSWORD", "bench-admin-password")


def bronze_rows(engine) -> int:
    import sqlalchemy as sa

    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM bronze.focus_cost")).scalar_one()


def ensure_data(engine, scale: int, months: int) -> None:
    from ingestion.demo import load_demo

    if bronze_rows(engine) > 0:
        print(f"reusing loaded data: {bronze_rows(engine):,} bronze rows")
        return
    started = time.perf_counter()
    results = load_demo(engine, OUT / f"demo-x{scale}", months=months, scale=scale)
    seconds = time.perf_counter() - started
    rows = sum(r.summary.row_count for r in results if r.summary)
    rate = rows / seconds
    print(f"loaded {len(results)} files, {rows:,} rows in {seconds:.0f} s ({rate:,.0f} rows/s)")


def queries(engine) -> dict[str, Callable[[], object]]:
    """The calls the pages make (ui/data.py), with the pages' default arguments."""
    from db import explore, queries, showback
    from db.explore import ExploreQuery
    from db.queries import CostFilter
    from db.showback import AllocationRule
    from db.users import Scope
    from focus.periods import as_of_date, month_to_date

    scope = Scope()
    b = queries.bounds(engine, scope)
    as_of = as_of_date(b.last_date, b.last_date)
    f = CostFilter(as_of - timedelta(days=89), as_of, "USD", scope)
    window = month_to_date(as_of)
    rule = AllocationRule("bench", "team", "proportional")
    return {
        "overview: bounds": lambda: queries.bounds(engine, scope),
        "overview: kpis": lambda: queries.kpis(engine, f, window),
        "overview: daily by provider": lambda: queries.daily_by_provider(engine, f),
        "overview: spend by provider": lambda: queries.provider_totals(engine, f),
        "overview: movers (service)": lambda: explore.movers(engine, f, "service"),
        "overview: movers (sub-account)": lambda: explore.movers(engine, f, "sub_account"),
        "overview: top services": lambda: queries.top_services(engine, f),
        "overview: top accounts": lambda: queries.top_accounts(engine, f),
        "explorer: provider by day": lambda: explore.explore(engine, ExploreQuery(f)),
        "explorer: service x region by month": lambda: explore.explore(
            engine, ExploreQuery(f, ("service", "region"), "month")
        ),
        "explorer: tag team x provider by week": lambda: explore.explore(
            engine, ExploreQuery(f, ("tag:team", "provider"), "week")
        ),
        "explorer: filter values (service)": lambda: explore.dimension_values(engine, "service", f),
        "explorer: tag keys": lambda: explore.tag_keys(engine, f),
        "showback: team": lambda: showback.showback(engine, f, "team"),
        "showback: team, proportional rule": lambda: showback.showback(engine, f, "team", rule),
        "exports: account x cost centre": lambda: explore.account_tag_months(
            engine, f, "cost-center"
        ),
        "exports: billing periods": lambda: queries.billing_periods(engine, scope),
    }


def browser_render(runs: int) -> None:
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, settle

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(url)
            page.get_by_role("textbox", name="Username").fill("admin")
            page.get_by_role("textbox", name="Password").fill(
                os.environ["CLOUDLENS_ADMIN_PASSWORD"]
            )
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Overview").wait_for(timeout=120_000)
            settle(page, 120_000)
            print(f"{'page (browser, p50 / max ms)':42} {'new tab':>14} {'in-app':>14}")
            sidebar = page.locator('[data-testid="stSidebar"]')
            for heading in ("Overview", "Cost explorer", "Showback", "Exports"):
                loads, clicks = [], []
                for _ in range(runs):
                    started = time.perf_counter()  # a fresh page load: new session, new run
                    page.goto(f"{url}/{PATHS[heading]}")
                    page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
                    settle(page, 60_000)
                    loads.append((time.perf_counter() - started) * 1000)
                    other = "Exports" if heading == "Overview" else "Overview"
                    sidebar.get_by_role("link", name=other).click()
                    page.get_by_role("heading", name=other).wait_for(timeout=60_000)
                    settle(page, 60_000)
                    started = time.perf_counter()  # moving between pages in the sidebar
                    sidebar.get_by_role("link", name=heading).click()
                    page.get_by_role("heading", name=heading).wait_for(timeout=60_000)
                    settle(page, 60_000)
                    clicks.append((time.perf_counter() - started) * 1000)
                print(
                    f"{heading:42} {statistics.median(loads):6.0f} / {max(loads):5.0f}"
                    f" {statistics.median(clicks):6.0f} / {max(clicks):5.0f}"
                )
            browser.close()
    finally:
        server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=40)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--browser", action="store_true", help="also time pages in Chromium")
    args = parser.parse_args()
    setup_env()
    import sqlalchemy as sa

    from db.engine import get_engine

    engine = get_engine()
    ensure_data(engine, args.scale, args.months)
    with engine.connect() as conn:
        gold = conn.execute(sa.text("SELECT count(*) FROM gold.daily_cost")).scalar_one()
        tags = conn.execute(sa.text("SELECT count(*) FROM gold.daily_cost_by_tag")).scalar_one()
        conn.execute(sa.text("ANALYZE"))
    print(f"bronze {bronze_rows(engine):,} rows | gold.daily_cost {gold:,} | by tag {tags:,}")
    print(f"{'query':42} {'p50 ms':>8} {'p95 ms':>8}")
    worst = 0.0
    for name, call in queries(engine).items():
        call()  # warm the plan cache and the buffers, as a page's second visit would
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20)[-1]
        worst = max(worst, p95)
        print(f"{name:42} {statistics.median(times):8.1f} {p95:8.1f}")
    print(f"worst p95: {worst:.1f} ms (target < 100 ms)")
    if args.browser:
        browser_render(max(3, args.runs // 10))


if __name__ == "__main__":
    main()
