"""`scheduler.py --once` says what it left and why: a file still settling, and, when nothing is
due, each source's next run and how to force one."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from config import Settings
from ingestion.sources.service import add_source
from tests.scheduler.conftest import bronze_totals, month_file, run_scheduler


def events(found: list[dict], name: str) -> list[dict]:
    return [e for e in found if e["event"] == name]


def test_once_explains_a_settling_file_and_when_the_next_run_is(
    database_url, clean, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    add_source(
        clean,
        Settings.from_env(),
        name="finance",
        kind="local_folder",
        settings={"path": str(folder), "settle_seconds": "600"},
        schedule="every 1h",
    )
    home = tmp_path / "home"
    changed = month_file(folder / "focus.csv", "2024-09", "10.00").stat().st_mtime

    code, first = run_scheduler(database_url, home, "--once")
    assert code == 0
    [listed] = events(first, "listed")
    assert listed["new"] == 0 and listed["waiting"] == ["focus.csv"]
    [waiting] = events(first, "file_waiting")
    assert waiting["file"] == "focus.csv"
    assert waiting["why"].startswith("focus.csv changed ")
    assert "s ago: waits to settle (settle_seconds=600" in waiting["why"]
    [hint] = events(first, "files_waiting")
    assert hint["files"] == ["focus.csv"]
    assert "python scheduler.py --once --source finance" in hint["hint"]
    ready = datetime.fromisoformat(hint["ready_at"])
    assert abs(ready.timestamp() - (changed + 600)) < 1  # the file's last change + settle time

    code, second = run_scheduler(database_url, home, "--once")
    assert code == 0
    assert not events(second, "run_started")
    [not_due] = events(second, "not_due")
    assert not_due["source"] == "finance" and not_due["schedule"] == "every 1h"
    next_run = datetime.fromisoformat(not_due["next_run"])
    assert timedelta(minutes=58) < next_run - datetime.now(UTC) <= timedelta(hours=1)
    assert 58 * 60 < not_due["in_s"] <= 3600
    assert not_due["hint"] == "to run it now: python scheduler.py --once --source finance"
    assert events(second, "nothing_due")

    settled = time.time() - 3600  # as if the copy had finished an hour ago
    os.utime(folder / "focus.csv", (settled, settled))
    code, forced = run_scheduler(database_url, home, "--once", "--source", "finance")
    assert code == 0
    assert [e["file"] for e in events(forced, "file_loaded")] == ["focus.csv"]
    assert not events(forced, "file_waiting")
    assert bronze_totals(clean, "finance") == {"2024-09": (3, Decimal("30.00"))}


def test_once_with_no_sources_says_how_to_add_one(database_url, clean, tmp_path: Path) -> None:
    code, found = run_scheduler(database_url, tmp_path / "home", "--once")
    assert code == 0
    [nothing] = events(found, "nothing_due")
    assert nothing["why"] == "no sources" and "python -m ingestion source add" in nothing["hint"]
