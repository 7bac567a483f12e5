"""The real `python scheduler.py` against the real database: syncs on schedule, a file dropped
later, a bad file, kill -9 in the middle of a load, cancel and stop at a file boundary, and two
schedulers (one leads, the other takes over when it dies)."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from config import Settings
from db import sources as sources_db
from db import sync_runs
from db.sources import SOURCE_LOCK
from ingestion.sources.service import add_source
from tests.focus_files import row, write_csv
from tests.scheduler.conftest import (
    big_month_file,
    bronze_totals,
    gold_totals,
    month_file,
    others_in_a_transaction,
    run_scheduler,
    runs,
    source_lock_free,
    wait_for,
)


def add_folder_source(engine: sa.Engine, name: str, folder: Path, schedule: str = "every 1s"):
    """Set up in this process (the CLI has its own tests): a folder, no settle time."""
    settings = {"path": str(folder), "settle_seconds": "0"}
    add_source(
        engine,
        Settings.from_env(),
        name=name,
        kind="local_folder",
        settings=settings,
        schedule=schedule,
    )


def copying(engine: sa.Engine) -> bool:
    """A load is inside its transaction, copying rows into bronze (not committed)."""
    sql = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND query LIKE 'COPY bronze.focus_cost%' AND xact_start IS NOT NULL"
    )
    with engine.connect() as conn:
        return bool(conn.execute(sql).scalar())


def test_two_exports_then_a_third_dropped_later(
    database_url, clean, tmp_path: Path, start_scheduler
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    month_file(folder / "2024-09.csv", "2024-09", "10.00")
    month_file(folder / "2024-10.csv", "2024-10", "20.00", days=2)
    add_folder_source(clean, "drop", folder)

    scheduler = start_scheduler("--poll", "0.5")
    first = wait_for(
        lambda: [r for r in runs(clean, "drop") if r.status == "succeeded" and r.files],
        what="the first sync",
    )[0]
    assert (first.files, first.rows, first.files_total) == (2, 5, 2)
    assert [p.isoformat() for p in first.periods] == ["2024-09-01", "2024-10-01"]
    expected = {"2024-09": (3, Decimal("30.00")), "2024-10": (2, Decimal("40.00"))}
    assert bronze_totals(clean, "drop") == expected
    assert gold_totals(clean) == expected

    month_file(folder / "2024-11.csv", "2024-11", "5.00", days=1)
    # Its run records the file just after the load commits to bronze: wait for the run itself.
    third = wait_for(
        lambda: next(
            (
                r
                for r in runs(clean, "drop")
                if r.status == "succeeded" and r.files and r.sync_run_id != first.sync_run_id
            ),
            None,
        ),
        what="the run of the third file",
    )
    assert (third.files, third.rows, third.reason) == (1, 1, "schedule")
    assert bronze_totals(clean, "drop") == expected | {"2024-11": (1, Decimal("5.00"))}

    assert scheduler.stop() == 0
    events = scheduler.events()  # every line of its stderr is one JSON event
    loaded = [e for e in events if e["event"] == "file_loaded"]
    assert [e["file"] for e in loaded] == ["2024-09.csv", "2024-10.csv", "2024-11.csv"]
    assert all(e["source"] == "drop" and isinstance(e["run_id"], int) for e in loaded)
    assert {"leader", "job_scheduled", "stopped"} <= {e["event"] for e in events}


def test_a_bad_file_fails_its_run_and_earlier_data_stays(
    database_url, clean, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    month_file(folder / "2024-09.csv", "2024-09", "10.00")
    add_folder_source(clean, "careful", folder, schedule="every 1h")
    assert run_scheduler(database_url, tmp_path, "--once")[0] == 0
    before = bronze_totals(clean, "careful")

    write_csv(folder / "2024-10.csv", [row("2024-10-01", "1"), row("2024-10-02", "five")])
    month_file(folder / "2024-11.csv", "2024-11", "3.00")  # waits behind the bad file
    code, events = run_scheduler(database_url, tmp_path, "--once", "--source", "careful")
    assert code == 2
    failed = runs(clean, "careful")[-1]
    assert failed.status == "failed" and failed.attempts == 1  # no retry: a person must fix it
    assert failed.error == ("2024-10.csv (FOCUS), row 2, column BilledCost: 'five' is not a number")
    assert bronze_totals(clean, "careful") == before
    assert gold_totals(clean) == before
    finished = next(e for e in events if e["event"] == "run_finished")
    assert finished["status"] == "failed" and finished["error"] == failed.error

    write_csv(folder / "2024-10.csv", [row("2024-10-01", "1"), row("2024-10-02", "5")])
    assert run_scheduler(database_url, tmp_path, "--once", "--source", "careful")[0] == 0
    fixed = runs(clean, "careful")[-1]
    assert (fixed.status, fixed.files) == ("succeeded", 2)
    assert set(bronze_totals(clean, "careful")) == {"2024-09", "2024-10", "2024-11"}


def test_kill_9_in_the_middle_of_a_load_leaves_no_partial_period(
    database_url, clean, tmp_path: Path, start_scheduler
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    month_file(folder / "a.csv", "2024-09", "10.00")
    add_folder_source(clean, "big", folder, schedule="every 1h")
    assert run_scheduler(database_url, tmp_path, "--once")[0] == 0
    before = bronze_totals(clean, "big")
    assert before == {"2024-09": (3, Decimal("30.00"))}

    # A restatement of the same month, big enough that its load takes seconds.
    rows = big_month_file(folder / "b.csv", "2024-09", rows=400_000)
    source = sources_db.get_source(clean, "big")
    run_id = sync_runs.request(clean, source, "tests")  # what "Sync now" does
    scheduler = start_scheduler("--poll", "0.5")
    wait_for(
        lambda: (r := sync_runs.get_run(clean, run_id)) and r.current_file == "b.csv",
        what="the load of b.csv",
    )
    wait_for(lambda: copying(clean), what="rows being copied into bronze")
    killed_at = time.monotonic()
    scheduler.kill()

    assert sync_runs.get_run(clean, run_id).status == "running"  # nobody left to say otherwise
    assert bronze_totals(clean, "big") == before
    assert gold_totals(clean) == before
    # The server ends the dead process's sessions when it notices their sockets are gone: the
    # load's transaction (which may be past its COPY, rebuilding gold) and the source's lock.
    wait_for(lambda: others_in_a_transaction(clean) == 0, what="the server to end the dead load")
    assert bronze_totals(clean, "big") == before  # rolled back, not committed late
    # Until its lock is free, `--once` would find the source busy and rightly run nothing.
    wait_for(lambda: source_lock_free(clean, source.source_id), what="the dead lock to be freed")

    code, events = run_scheduler(database_url, tmp_path, "--once", "--source", "big")
    assert code == 0, [e.get("traceback") for e in events if e["level"] == "error"]
    dead = sync_runs.get_run(clean, run_id)
    assert dead.status == "failed" and dead.error == sync_runs.ABANDONED
    assert any(e["event"] == "run_abandoned" and e["run_id"] == run_id for e in events)
    after = runs(clean, "big")[-1]
    assert (after.status, after.files, after.rows) == ("succeeded", 1, rows)
    assert bronze_totals(clean, "big") == {"2024-09": (rows, rows * Decimal("0.25"))}
    assert gold_totals(clean) == bronze_totals(clean, "big")
    with clean.connect() as conn:  # the killed load's log row is closed, not left running
        logged = conn.execute(
            sa.text("SELECT file_name, status FROM app.load_log WHERE source = 'big' ORDER BY 1, 2")
        ).all()
    assert [tuple(r) for r in logged] == [
        ("a.csv", "loaded"),
        ("b.csv", "failed"),
        ("b.csv", "loaded"),
    ]
    print(f"kill -9 to a complete reload: {time.monotonic() - killed_at:.1f} s")


def test_cancel_stops_at_the_next_file_boundary(
    database_url, clean, tmp_path: Path, start_scheduler
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    rows = big_month_file(folder / "1.csv", "2024-09", rows=300_000)
    month_file(folder / "2.csv", "2024-10", "1.00")
    add_folder_source(clean, "long", folder, schedule="every 1h")
    source = sources_db.get_source(clean, "long")
    with clean.begin() as conn:  # as if synced a minute ago: only the request makes it run
        conn.execute(
            sa.text(
                "INSERT INTO app.sync_run (source_id, source, reason, status, started, finished) "
                "VALUES (:id, 'long', 'once', 'succeeded', now(), now())"
            ),
            {"id": source.source_id},
        )
    run_id = sync_runs.request(clean, source, "tests")
    start_scheduler("--poll", "0.5")
    wait_for(
        lambda: (r := sync_runs.get_run(clean, run_id)) and r.current_file == "1.csv",
        what="the first file",
    )
    assert sync_runs.cancel(clean, run_id, "tests") == "running"
    done = wait_for(  # the whole first file loads first: seconds, more on a loaded machine
        lambda: (r := sync_runs.get_run(clean, run_id)) and not r.active and r,
        timeout=120,
        what="the end",
    )
    assert done.status == "cancelled" and done.files == 1
    assert done.error == "cancelled after 1 of 2 files; the rest wait for the next run"
    # the whole first file, and nothing of the second
    assert bronze_totals(clean, "long") == {"2024-09": (rows, rows * Decimal("0.25"))}


def test_sigterm_lets_the_current_file_finish(
    database_url, clean, tmp_path: Path, start_scheduler
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    big_month_file(folder / "1.csv", "2024-09", rows=300_000)
    month_file(folder / "2.csv", "2024-10", "1.00")
    add_folder_source(clean, "stopping", folder)
    scheduler = start_scheduler("--poll", "0.5")
    wait_for(
        lambda: [r for r in runs(clean, "stopping") if r.current_file == "1.csv"],
        what="the first file",
    )
    assert scheduler.stop() == 0
    [run] = [r for r in runs(clean, "stopping") if r.files_total == 2]
    assert (run.status, run.files) == ("cancelled", 1)
    assert run.error.startswith("scheduler stopped after 1 of 2 files")
    assert set(bronze_totals(clean, "stopping")) == {"2024-09"}


def test_two_schedulers_one_leads_the_other_takes_over(
    database_url, clean, tmp_path: Path, start_scheduler
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    month_file(folder / "1.csv", "2024-09", "1.00")
    add_folder_source(clean, "shared", folder)

    first = start_scheduler("--poll", "0.3")
    wait_for(lambda: first.saw("leader"), what="the first scheduler to lead")
    second = start_scheduler("--poll", "0.3")
    waiting = wait_for(lambda: second.saw("waiting_for_leadership"), what="the second to wait")
    assert waiting["leader"] == f"cloudlens-scheduler {first.saw('leader')['runner']}"
    assert sync_runs.leader(clean).name == waiting["leader"]  # one lock holder, the first

    wait_for(lambda: "2024-09" in bronze_totals(clean, "shared"), what="the first file")
    month_file(folder / "2.csv", "2024-10", "2.00")
    wait_for(lambda: "2024-10" in bronze_totals(clean, "shared"), what="the second file")
    assert not second.saw("run_started")  # a waiting scheduler runs nothing

    first.kill()
    took_over = wait_for(lambda: second.saw("leader"), timeout=60, what="the takeover")
    assert sync_runs.leader(clean).name == f"cloudlens-scheduler {took_over['runner']}"
    month_file(folder / "3.csv", "2024-11", "3.00")
    # Its run records the periods just after the load commits to bronze: wait for the run itself.
    third = wait_for(
        lambda: next(
            (r for r in runs(clean, "shared") if any(p.month == 11 for p in r.periods or [])),
            None,
        ),
        what="the run of the third file",
    )
    assert third.runner == took_over["runner"]

    # Never two runs of the source at once: each starts after the one before has finished.
    assert second.stop() == 0
    history = runs(clean, "shared")
    assert all(r.status in ("succeeded", "failed") for r in history)
    for before, after in zip(history, history[1:], strict=False):
        assert after.started >= before.finished, (before.sync_run_id, after.sync_run_id)


def test_once_skips_a_source_another_process_is_syncing(
    database_url, clean, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    month_file(folder / "1.csv", "2024-09", "1.00")
    add_folder_source(clean, "held", folder)
    source = sources_db.get_source(clean, "held")
    lock = sa.text("SELECT pg_advisory_lock(:ns, :id)")
    with clean.connect() as other:  # another scheduler in the middle of syncing "held"
        other.execute(lock, {"ns": SOURCE_LOCK, "id": source.source_id})
        assert run_scheduler(database_url, tmp_path, "--once", "--source", "held")[0] == 0
        assert runs(clean, "held") == [] and bronze_totals(clean, "held") == {}
        other.execute(sa.text("SELECT pg_advisory_unlock_all()"))
        other.commit()
    assert run_scheduler(database_url, tmp_path, "--once", "--source", "held")[0] == 0
    assert [r.status for r in runs(clean, "held")] == ["succeeded"]


def test_once_exit_codes(database_url, clean, tmp_path: Path) -> None:
    assert run_scheduler(database_url, tmp_path, "--once")[0] == 0  # nothing configured
    code, events = run_scheduler(database_url, tmp_path, "--once", "--source", "nope")
    assert code == 2
    assert events[-1]["event"] == "source_refused" and events[-1]["why"] == "no such source"
    missing = tmp_path / "not-there"
    add_folder_source(clean, "gone", missing)
    code, events = run_scheduler(database_url, tmp_path, "--once")
    assert code == 2
    [run] = runs(clean, "gone")
    assert run.status == "failed" and run.attempts == 1
    assert run.error.startswith(f"folder {missing} does not exist or is not a folder")
