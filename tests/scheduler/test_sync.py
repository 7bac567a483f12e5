"""ingestion.sync in this process: retries with backoff for transient errors, fail-fast for
permanent ones, the connector's state, "Sync now" requests, dead runs, and the one-run rule."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from config import Settings
from db import sources as sources_db
from db import sync_runs
from db.sources import SOURCE_LOCK
from ingestion import jobs, sync
from ingestion.sources.base import TransientError
from ingestion.sources.local_folder import LocalFolder
from ingestion.sources.service import add_source
from ingestion.sync import RetryPolicy
from tests.scheduler.conftest import bronze_totals, month_file, runs

FAST = RetryPolicy(attempts=4, initial_s=0.01, max_s=0.02, jitter_s=0.0)


@pytest.fixture
def settings(app_env: str) -> Settings:
    return Settings.from_env()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "drop"
    path.mkdir()
    month_file(path / "2024-09.csv", "2024-09", "10.00")
    month_file(path / "2024-10.csv", "2024-10", "1.00")
    return path


def add(engine: sa.Engine, settings: Settings, name: str, folder: Path, **more: str):
    return add_source(
        engine,
        settings,
        name=name,
        kind="local_folder",
        settings={"path": str(folder), "settle_seconds": "0", **more},
    )


def test_transient_errors_are_retried_with_backoff(
    clean, settings, folder: Path, monkeypatch
) -> None:
    add(clean, settings, "flaky", folder)
    real_fetch, failures = LocalFolder.fetch, []

    def throttled(self, ref):
        if len(failures) < 2:
            failures.append(ref.name)
            raise TransientError("503 SlowDown: reduce your request rate")
        return real_fetch(self, ref)

    monkeypatch.setattr(LocalFolder, "fetch", throttled)
    outcome = sync.run_source(clean, settings, "flaky", reason="once", policy=FAST)
    assert (outcome.status, outcome.files) == ("succeeded", 2)
    [run] = runs(clean, "flaky")
    assert run.attempts == 3 and run.error is None
    assert failures == ["2024-09.csv", "2024-09.csv"]


def test_retries_give_up_after_the_policy(clean, settings, folder: Path, monkeypatch) -> None:
    add(clean, settings, "down", folder)

    def timeout(self, state):
        raise TimeoutError("read timed out")

    monkeypatch.setattr(LocalFolder, "list_new", timeout)
    outcome = sync.run_source(clean, settings, "down", reason="once", policy=FAST)
    assert outcome.status == "failed" and not outcome.bad_input
    [run] = runs(clean, "down")
    assert run.attempts == FAST.attempts and run.error == "TimeoutError: read timed out"


def test_permanent_errors_fail_fast(clean, settings, tmp_path: Path) -> None:
    add(clean, settings, "nowhere", tmp_path / "missing")
    outcome = sync.run_source(clean, settings, "nowhere", reason="once", policy=FAST)
    assert outcome.status == "failed" and outcome.bad_input
    [run] = runs(clean, "nowhere")
    assert run.attempts == 1
    assert "does not exist or is not a folder: create or mount it" in run.error


def test_state_lists_only_what_is_new(clean, settings, folder: Path) -> None:
    add(clean, settings, "state", folder)
    first = sync.run_source(clean, settings, "state", reason="once")
    assert (first.files, first.skipped) == (2, 0)
    again = sync.run_source(clean, settings, "state", reason="once")
    assert (again.status, again.files, again.skipped) == ("succeeded", 0, 0)
    assert runs(clean, "state")[-1].files_total == 0

    touched = folder / "2024-09.csv"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns - 10**9))
    third = sync.run_source(clean, settings, "state", reason="once")
    assert (third.files, third.skipped) == (0, 1)  # listed again, same bytes: skipped by checksum

    month_file(folder / "2024-09.csv", "2024-09", "99.00")  # restated
    fourth = sync.run_source(clean, settings, "state", reason="once")
    assert fourth.files == 1 and bronze_totals(clean, "state")["2024-09"][1] == 297


def test_a_file_still_being_written_waits(clean, settings, folder: Path) -> None:
    add(clean, settings, "settling", folder, settle_seconds="60")
    outcome = sync.run_source(clean, settings, "settling", reason="once")
    assert (outcome.status, outcome.files) == ("succeeded", 0)
    for path in folder.iterdir():
        os.utime(path, (path.stat().st_atime - 120, path.stat().st_mtime - 120))
    assert sync.run_source(clean, settings, "settling", reason="once").files == 2


def test_a_scheduled_run_answers_a_waiting_request(clean, settings, folder: Path) -> None:
    source = add(clean, settings, "asked", folder)
    run_id = sync_runs.request(clean, source, "alice")
    assert sync_runs.request(clean, source, "bob") == run_id  # one request waits at a time
    outcome = sync.run_source(clean, settings, "asked", reason="schedule")
    assert outcome.run_id == run_id
    [run] = runs(clean, "asked")
    assert (run.reason, run.requested_by, run.status) == ("request", "alice", "succeeded")


def test_requests_that_cannot_run_are_closed(clean, settings, folder: Path) -> None:
    source = add(clean, settings, "closing", folder)
    cancelled = sync_runs.request(clean, source, "alice")
    assert sync_runs.cancel(clean, cancelled, "alice") == "cancelled"
    assert jobs.run_requested(cancelled, "closing") is None
    assert sync_runs.get_run(clean, cancelled).status == "cancelled"

    waiting = sync_runs.request(clean, source, "alice")
    sources_db.update_source(clean, "closing", enabled=False)
    assert jobs.run_requested(waiting, "closing") is None
    run = sync_runs.get_run(clean, waiting)
    assert (run.status, run.error) == ("cancelled", "source closing is disabled")


def test_one_run_per_source_and_dead_runs_are_failed(clean, settings, folder: Path) -> None:
    source = add(clean, settings, "single", folder)
    insert = sa.text(
        "INSERT INTO app.sync_run (source_id, source, reason, status, started) "
        "VALUES (:id, 'single', 'schedule', 'running', now())"
    )
    with clean.begin() as conn:
        conn.execute(insert, {"id": source.source_id})
    with pytest.raises(sa.exc.IntegrityError), clean.begin() as conn:
        conn.execute(insert, {"id": source.source_id})  # the database refuses a second one

    lock = {"ns": SOURCE_LOCK, "id": source.source_id}
    with clean.connect() as holder:  # a live process syncing it
        holder.execute(sa.text("SELECT pg_advisory_lock(:ns, :id)"), lock)
        assert sync_runs.fail_abandoned(clean) == []
        assert sync.run_source(clean, settings, "single", reason="once") is None
        holder.execute(sa.text("SELECT pg_advisory_unlock_all()"))
        holder.commit()
    [(dead, name)] = sync_runs.fail_abandoned(clean)  # its process died: the lock is free
    assert name == "single"
    assert sync_runs.get_run(clean, dead).error == sync_runs.ABANDONED


def test_run_due_follows_the_schedule(clean, settings, folder: Path) -> None:
    add(clean, settings, "hourly", folder)
    disabled = add(clean, settings, "off", folder)
    sources_db.update_source(clean, disabled.name, enabled=False)
    assert jobs.due_sources(clean) == ["hourly"]
    assert [o.source for o in jobs.run_due(clean, settings)] == ["hourly"]
    assert jobs.due_sources(clean) == []  # synced a moment ago; due again in an hour
    sync_runs.request(clean, sources_db.get_source(clean, "hourly"), "alice")
    assert jobs.due_sources(clean) == ["hourly"]


def test_idle_scheduled_runs_collapse_to_the_latest(clean, settings, folder: Path) -> None:
    add(clean, settings, "idle", folder)
    loaded = sync.run_source(clean, settings, "idle", reason="schedule")
    idle = [sync.run_source(clean, settings, "idle", reason="schedule") for _ in range(3)]
    asked = sync.run_source(clean, settings, "idle", reason="once")  # nothing new, but asked for
    last = sync.run_source(clean, settings, "idle", reason="schedule")
    kept = [r.sync_run_id for r in runs(clean, "idle")]
    assert kept == [loaded.run_id, asked.run_id, last.run_id]  # the loads, the asks, the last tick
    assert all(o.files == 0 for o in idle) and loaded.files == 2
