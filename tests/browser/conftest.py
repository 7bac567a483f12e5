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

import pytest

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


def settle(page, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished the current run. The status widget alone does not say
    so: it appears only after a run has lasted 500 ms, so the app root's script state (what
    Streamlit's own end-to-end tests wait on) is the signal. The short pause first lets a run
    that the last action set off begin; checks that matter wait on what they assert."""
    page.wait_for_timeout(300)
    page.locator(
        '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
        '[data-test-script-state="notRunning"]'
    ).wait_for(state="attached", timeout=timeout)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=timeout)
