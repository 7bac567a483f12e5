""" "Test connection" queued for the scheduler: the answer it writes back (what the next sync
would load, what waits, or why the listing failed), in this process and from the real
`python scheduler.py`; nothing is loaded, no sync is recorded, the source's state is kept."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from config import Settings
from db import source_tests
from db import sources as sources_db
from ingestion import connection_tests, jobs
from ingestion.sources.service import add_source
from tests.scheduler.conftest import month_file, runs, wait_for


def add(
    engine: sa.Engine, name: str, folder: Path, settle: str = "0", *, enabled: bool = True
) -> sources_db.Source:
    return add_source(
        engine,
        Settings.from_env(),
        name=name,
        kind="local_folder",
        settings={"path": str(folder), "settle_seconds": settle},
        schedule="every 1d",
        enabled=enabled,
    )


def count(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_the_answer_names_what_the_next_sync_would_load(app_env, clean, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    for month in range(1, 23):  # 22 exports: the answer counts them all, names the first 20
        month_file(folder / f"{2023 + month // 13}-{(month - 1) % 12 + 1:02d}.csv", "2024-01", "1")
    source = add(clean, "peek", folder)
    test_id = source_tests.request(clean, source, "alice")
    assert source_tests.request(clean, source, "bob") == test_id  # one waits at a time

    assert jobs.run_test(test_id, "peek")  # the scheduler's job for a queued test
    answer = source_tests.latest(clean, source="peek")
    assert (answer.source_test_id, answer.status, answer.error) == (test_id, "succeeded", None)
    assert (answer.exports, answer.waiting, len(answer.listed)) == (22, 0, 20)
    names = sorted(p.name for p in folder.iterdir())
    assert [i.name for i in answer.listed] == names[:20]
    assert [i.size for i in answer.listed] == [(folder / n).stat().st_size for n in names[:20]]
    assert answer.requested_by == "alice" and answer.finished >= answer.started

    # a listing only: nothing loaded, no sync recorded, the connector's state untouched
    assert count(clean, "bronze.focus_cost") == 0
    assert runs(clean, "peek") == []
    assert sources_db.get_source(clean, "peek").state == {}

    # asking again replaces the ended answer: each source keeps its latest
    again = source_tests.request(clean, source, "alice")
    assert again != test_id and count(clean, "app.source_test") == 1
    assert source_tests.latest(clean, source="peek").status == "queued"


def test_waiting_files_and_failures_are_answered(app_env, clean, tmp_path: Path) -> None:
    settling = tmp_path / "settling"
    settling.mkdir()
    month_file(settling / "2024-09.csv", "2024-09", "1")
    source = add(clean, "settling", settling, settle="3600")
    test_id = source_tests.request(clean, source, None)
    assert connection_tests.answer(clean, Settings.from_env(), test_id, "settling")
    answer = source_tests.latest(clean, test_id=test_id)
    assert (answer.status, answer.exports, answer.waiting, answer.listed) == (
        "succeeded",
        0,
        1,
        [],
    )
    assert not connection_tests.answer(clean, Settings.from_env(), test_id, "settling")  # done

    missing = add(clean, "missing", tmp_path / "nowhere")
    test_id = source_tests.request(clean, missing, None)
    assert connection_tests.answer(clean, Settings.from_env(), test_id, "missing")
    answer = source_tests.latest(clean, source="missing")
    assert (answer.status, answer.exports) == ("failed", None)
    assert answer.error == (
        f"folder {tmp_path / 'nowhere'} does not exist or is not a folder: create or mount it, "
        "or change the source's path"
    )


def test_the_scheduler_process_answers_a_queued_test(
    app_env, clean, tmp_path: Path, start_scheduler
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    month_file(folder / "2024-10.csv", "2024-10", "2")
    source = add(clean, "remote-ish", folder, enabled=False)  # tested before it is enabled
    dead = source_tests.request(clean, source, "alice")  # a scheduler died answering it
    assert source_tests.claim(clean, dead, "gone:1")

    scheduler = start_scheduler("--poll", "0.2")
    wait_for(lambda: scheduler.saw("leader"), what="the scheduler to lead")
    abandoned = wait_for(
        lambda: source_tests.latest(clean, test_id=dead).status == "failed", what="abandoned"
    )
    assert abandoned and source_tests.latest(clean, test_id=dead).error == source_tests.ABANDONED

    test_id = source_tests.request(clean, source, "alice")
    answer = wait_for(
        lambda: (t := source_tests.latest(clean, test_id=test_id)) and not t.active and t,
        what="the scheduler to answer the test",
    )
    assert (answer.status, answer.exports, [i.name for i in answer.listed]) == (
        "succeeded",
        1,
        ["2024-10.csv"],
    )
    assert scheduler.saw("source_tested", source="remote-ish", test_id=test_id, exports=1)
    assert runs(clean, "remote-ish") == [] and count(clean, "bronze.focus_cost") == 0
    assert scheduler.stop() == 0
