"""`python -m ingestion source add|list|remove|test`: scripted setup, and one line with exit 2
for everything a person has to correct."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from db import sources as sources_db
from db.sources import SOURCE_LOCK
from ingestion.__main__ import main
from tests.scheduler.conftest import month_file, source_cli


@pytest.fixture
def cli(app_env: str, clean, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["source", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_add_list_remove_in_a_real_process(database_url, clean, tmp_path: Path) -> None:
    added = source_cli(
        database_url,
        tmp_path,
        "add",
        "--kind",
        "local_folder",
        "--name",
        "exports",
        "--setting",
        f"path={tmp_path}",
        "--cron",
        "0 6 * * *",
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "added exports (local_folder, 0 6 * * *, enabled)"
    listed = source_cli(database_url, tmp_path, "list")
    assert listed.stdout.splitlines() == [
        f'exports\tlocal_folder\t0 6 * * *\tenabled\tno credentials\t{{"path": "{tmp_path}"}}'
    ]
    removed = source_cli(database_url, tmp_path, "remove", "exports")
    assert removed.returncode == 0 and "its loaded data and run history stay" in removed.stdout
    assert source_cli(database_url, tmp_path, "list").stdout == ""
    sql = "SELECT action FROM app.audit_log WHERE action LIKE 'source%' ORDER BY audit_id"
    with clean.connect() as conn:
        audited = conn.execute(sa.text(sql)).scalars().all()
    assert audited == ["source_added", "source_removed"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "ftp", "--name", "x"], "unknown kind 'ftp'; kinds: local_folder, aws_s3"),
        (
            ["--kind", "aws_s3_export", "--name", "x", "--setting", "bucket=b"],
            "aws_s3_export sources are not available yet: their connector comes in a later "
            "release. Available now: local_folder",
        ),
        (["--kind", "local_folder", "--name", "x"], "local_folder needs the setting path"),
        (
            ["--kind", "local_folder", "--name", "x", "--setting", "path=/d", "--setting", "z=1"],
            "local_folder has no setting z; its settings: path, settle_seconds",
        ),
        (
            ["--kind", "local_folder", "--name", "x", "--setting", "path=/d", "--setting"]
            + ["settle_seconds=soon"],
            "local_folder setting settle_seconds='soon' is not usable: input should be a valid "
            "number",
        ),
        (
            ["--kind", "local_folder", "--name", "x", "--setting", "path=/d", "--setting"]
            + ["settle_seconds=-5"],
            "local_folder setting settle_seconds='-5' is not usable: input should be greater "
            "than or equal to 0",
        ),
        (
            ["--kind", "local_folder", "--name", "x", "--setting", "path"],
            "--setting takes key=value, not 'path'",
        ),
        (
            ["--kind", "local_folder", "--name", "x y", "--setting", "path=/d"],
            "source name 'x y' is not allowed",
        ),
        (
            ["--kind", "local_folder", "--name", "x", "--setting", "path=/d", "--schedule", "1h"],
            "--schedule takes an interval like 'every 1h'",
        ),
        (
            ["--kind", "local_folder", "--name", "x", "--setting", "path=/d", "--cron", "6am"],
            "'6am' is not a cron expression",
        ),
        (
            ["--kind", "local_folder", "--name", "x", "--setting", "path=/d", "--secret", "k"],
            "local_folder has no secret k; its secrets: none: it needs no credentials",
        ),
    ],
    ids=[
        "unknown-kind",
        "not-yet",
        "no-path",
        "unknown-setting",
        "settle-not-a-number",
        "settle-negative",
        "not-a-pair",
        "bad-name",
        "schedule-not-interval",
        "bad-cron",
        "secret-not-needed",
    ],
)
def test_add_refuses_with_one_line(cli, args: list[str], message: str, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-secret-value\n"))
    code, out, err = cli("add", *args)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_duplicate_names_are_refused(cli, tmp_path: Path) -> None:
    args = ("add", "--kind", "local_folder", "--name", "Twice", "--setting", f"path={tmp_path}")
    assert cli(*args)[0] == 0
    code, _, err = cli("add", "--kind", "local_folder", "--name", "twice", "--setting", "path=/x")
    assert code == 2 and "a source named 'twice' exists already" in err


def test_test_lists_what_the_next_sync_would_load(cli, tmp_path: Path) -> None:
    month_file(tmp_path / "b.csv", "2024-10", "1")
    month_file(tmp_path / "a.csv.gz", "2024-09", "1")
    (tmp_path / "notes.txt").write_text("not an export")
    args = ("--kind", "local_folder", "--setting", f"path={tmp_path}", "--setting")
    assert cli("add", "--name", "peek", *args, "settle_seconds=0")[0] == 0
    code, out, _ = cli("test", "peek")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "peek: 2 new file(s) the next sync would load"
    assert [line.split()[0] for line in lines[1:]] == ["a.csv.gz", "b.csv"]

    assert cli("add", "--name", "void", *args[:2], "--setting", f"path={tmp_path / 'no'}")[0] == 0
    code, _, err = cli("test", "void")
    assert code == 2 and "does not exist or is not a folder" in err
    assert cli("test", "nobody")[0] == 2


def test_remove_waits_for_a_running_sync(cli, clean, tmp_path: Path) -> None:
    assert cli("add", "--kind", "local_folder", "--name", "busy", "--setting", "path=/x")[0] == 0
    source = sources_db.get_source(clean, "busy")
    with clean.connect() as syncing:
        syncing.execute(
            sa.text("SELECT pg_advisory_lock(:ns, :id)"),
            {"ns": SOURCE_LOCK, "id": source.source_id},
        )
        code, _, err = cli("remove", "busy")
        assert code == 2 and "a sync of 'busy' is running; cancel it or wait" in err
        syncing.execute(sa.text("SELECT pg_advisory_unlock_all()"))
        syncing.commit()
    assert cli("remove", "busy")[0] == 0
    assert cli("remove", "busy")[2].strip() == "error: no source 'busy'"
