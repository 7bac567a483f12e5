"""A real Streamlit server and headless Debian Chromium, driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import ARTIFACTS, ROOT

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not path:
        pytest.fail(
            "Debian chromium is not installed: `make test` installs it (apt-get install chromium)"
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def streamlit_url(app_env: str) -> Iterator[str]:
    from db.engine import get_engine

    get_engine()  # migrate and create admin before the server's first page
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app_env}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a busy 2-core machine can take a minute to import
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {proc.stdout.read().decode()[-2000:]}")
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def anonymous_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()
    assert not dialogs, f"a script ran in the page: {dialogs}"  # escaped data never executes


# Streamlit keeps the previous run's elements on screen, marked data-stale="true", until the
# new run replaces or drops them: while a page re-renders, a locator over the whole page can
# match the old and the new copy of one heading (Playwright's strict-mode violation). Every wait
# goes through current(), which sees the running (or last) run's elements only, and names its
# target exactly (a heading by its whole name, a widget by its key).
CURRENT = '[data-testid="stElementContainer"][data-stale="false"]'


def current(page, key: str | None = None):
    """The elements of Streamlit's current run; with `key`, the one element of that key."""
    return page.locator(CURRENT + (f".st-key-{key}" if key else ""))


def heading(page, name: str):
    """The current run's heading of exactly this text (a title, header or subheader)."""
    return current(page).get_by_role("heading", name=name, exact=True)


def sidebar(page):
    """The current run's elements in the sidebar (the page links, sign-out)."""
    return page.locator('[data-testid="stSidebar"]').locator(CURRENT)


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    current(page).get_by_role("textbox", name="Username", exact=True).fill(username)
    current(page).get_by_role("textbox", name="Password", exact=True).fill(password)
    current(page).get_by_role("button", name="Sign in", exact=True).click()


@pytest.fixture
def page(anonymous_page, streamlit_url: str):
    """A browser page signed in as admin."""
    from tests.conftest import ADMIN_PASSWORD

    sign_in(anonymous_page, streamlit_url, "admin", ADMIN_PASSWORD)
    try:
        heading(anonymous_page, "Overview").wait_for(timeout=60_000)
        wait_for_cookie(anonymous_page, present=True)  # later page loads sign in by cookie
    except Exception:
        screenshot(anonymous_page, "sign-in-failed")
        raise
    return anonymous_page


def wait_for_cookie(page, present: bool, timeout_s: float = 30) -> None:
    """The sign-in cookie is written (or dropped) by the browser a moment after the page says so."""
    for _ in range(int(timeout_s * 5)):
        if ("cloudlens_session" in {c["name"] for c in page.context.cookies()}) == present:
            return
        page.wait_for_timeout(200)
    pytest.fail(f"sign-in cookie still {'missing' if present else 'present'} after {timeout_s}s")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


# Streamlit's own end-to-end tests wait on the app root's script state; the status widget shows
# only once a run has lasted 500 ms. Neither says whether the run an action set off has begun,
# so a wait is anchored on something that run draws (settled), or on a count of ended runs
# (next_run), never on a pause.
APP_IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
# Installed by next_run in the page it watches (kept until that document is left), so pages
# that never call next_run run exactly as a person's browser does.
RUN_COUNTER = """() => {
  if (window.__cloudlensRunsEnded === undefined) {
    window.__cloudlensRunsEnded = 0;
    new MutationObserver((records) => {
      for (const r of records) if (r.oldValue === "running") window.__cloudlensRunsEnded += 1;
    }).observe(document, {
      subtree: true, attributes: true, attributeOldValue: true,
      attributeFilter: ["data-test-script-state"],
    });
  }
  return window.__cloudlensRunsEnded;
}"""
RUNS_ENDED_SINCE = """(before) => window.__cloudlensRunsEnded > before && document.querySelector(
  '[data-testid="stApp"][data-test-script-state="notRunning"]') !== null"""


def run_over(page, timeout: float = 60_000) -> None:
    """No script run is under way. Only after waiting for something the run in question drew
    (or for next_run): before that run begins, the app is idle too."""
    page.locator(APP_IDLE).wait_for(state="attached", timeout=timeout)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=timeout)


def settled(target, timeout: float = 60_000):
    """Wait for `target`, something only the run the last action set off draws (the current
    run's element with the expected text, a heading after page.goto), then for that run to end,
    so the next click does not land on a widget the run is replacing. Returns the target."""
    target.wait_for(timeout=timeout)
    run_over(target.page, timeout)
    return target


@contextmanager
def next_run(page, timeout: float = 60_000) -> Iterator[None]:
    """Around an action in the same document (a click, Back): afterwards, wait until a script
    run has ended since the action began and none runs. For actions whose run draws nothing new
    to wait on (Back to the same range, a download). The page must be at rest before."""
    before = page.evaluate(RUN_COUNTER)
    yield
    page.wait_for_function(RUNS_ENDED_SINCE, arg=before, timeout=timeout)


def click_bar(chart, name: str, timeout_s: float = 30) -> None:
    """Click the bar of the trace called `name` in a Plotly bar chart, as a person does: point
    at each bar until Plotly's own hover label names that trace, then click where the pointer
    is. The label is the check: no click lands on a box measured before the chart was redrawn."""
    page = chart.page
    label = chart.locator(".hoverlayer .hovertext").filter(has_text=name)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for bar in chart.locator(".barlayer .trace path").all():
            bar.hover(force=True, timeout=5_000)  # the drag layer above the bars takes clicks
            try:
                label.wait_for(timeout=1_000)
            except PlaywrightTimeout:
                continue
            page.mouse.down()
            page.mouse.up()
            return
    pytest.fail(f"no bar of {name!r} in the chart after {timeout_s}s")
