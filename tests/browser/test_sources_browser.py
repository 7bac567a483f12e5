"""Data sources in a real browser, with a real scheduler process: an admin adds a folder
source, presses "Sync now", and watches the run the scheduler performs finish; the Overview then
shows the files' cost. The page never loads anything itself."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from db import sync_runs
from tests.browser.conftest import current, heading, run_over, screenshot, settled
from tests.conftest import ROOT, TRUNCATE_ALL
from tests.focus_files import row, write_csv
from tests.scheduler.conftest import env_for, gold_totals, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scheduler(app_env: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`python scheduler.py` against the module database, polling every half second."""
    home = tmp_path_factory.mktemp("scheduler")
    log = home / "scheduler.log"
    with open(log, "w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "scheduler.py", "--poll", "0.5"],
            cwd=ROOT,
            env=env_for(app_env, home),
            stdout=subprocess.DEVNULL,
            stderr=handle,
        )
        yield log
        proc.terminate()
        proc.wait(30)


def test_add_a_folder_and_sync_now(
    engine: sa.Engine, scheduler: Path, page, streamlit_url: str, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(TRUNCATE_ALL))
        conn.execute(sa.text("TRUNCATE app.source, app.sync_run CASCADE"))
    folder = tmp_path / "drop"
    folder.mkdir()
    write_csv(folder / "2024-09.csv", [row("2024-09-01", "10.25"), row("2024-09-02", "5.00")])
    write_csv(folder / "2024-10.csv", [row("2024-10-01", "7.50")])

    page.goto(f"{streamlit_url}/sources")
    settled(heading(page, "Data sources"))
    # The add form's fields, by their labels (issue #14: no raw setting names on the page).
    current(page).get_by_role("textbox", name="Name", exact=True).fill("finance-drop")
    current(page).get_by_role("textbox", name="Folder", exact=True).fill(str(folder))
    wait = "Wait after a file's last change (seconds)"
    current(page).get_by_role("textbox", name=wait, exact=True).fill("0")
    current(page).get_by_role("textbox", name="Schedule", exact=True).fill("every 1d")
    current(page).get_by_role("button", name="Add source", exact=True).click()
    sync_now = current(page, "src_sync").get_by_role("button", name="Sync now")
    sync_now.wait_for(timeout=30_000)

    def latest() -> list[sync_runs.SyncRun]:
        return sync_runs.runs(engine, source="finance-drop")  # newest first

    # A new source is due at once: the scheduler syncs it on its own, and meanwhile the page
    # shows "Sync now" disabled, then enabled again when it sees the run end. A click in that
    # changeover can be lost, so wait for the scheduled run to end and the button to be live.
    wait_for(
        lambda: (runs := latest()) and not any(r.active for r in runs),
        timeout=60,
        what="the scheduled first sync of the new source",
    )
    expect(sync_now).to_be_enabled(timeout=30_000)
    run_over(page)  # the run that enabled it, over
    sync_now.click()
    # The request's own run, not the scheduled one the page may still show.
    wait_for(
        lambda: (
            (runs := latest()) and runs[0].reason == "request" and runs[0].status == "succeeded"
        ),
        timeout=60,
        what="the requested run to finish",
    )
    settled(current(page).get_by_text("Last sync succeeded"))
    screenshot(page, "sources-synced")

    # The scheduled sync loaded the files; the request found nothing new: each loaded once.
    runs = sync_runs.runs(engine, source="finance-drop")
    assert {r.status for r in runs} == {"succeeded"}
    assert sum(r.files for r in runs) == 2 and sum(r.rows for r in runs) == 3
    assert [(r.reason, r.requested_by) for r in runs if r.reason == "request"] == [
        ("request", "admin")
    ]
    assert gold_totals(engine) == {
        "2024-09": (2, Decimal("15.25")),
        "2024-10": (1, Decimal("7.50")),
    }
