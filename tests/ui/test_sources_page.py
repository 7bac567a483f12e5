"""Data sources page in AppTest: add, test connection and sync now (queued rows the scheduler
answers, never a listing or a sync in the page), progress and cancel, change, and the role
check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from config import Settings
from db import source_tests, sync_runs, users
from db import sources as sources_db
from db.credentials import Vault
from ingestion import connection_tests, jobs
from ingestion.loader import load_file
from ingestion.sources.local_folder import LocalFolder
from tests.conftest import ROOT
from tests.focus_files import row, write_csv
from tests.ui.conftest import sign_in


@pytest.fixture
def clean(empty_db: sa.Engine) -> sa.Engine:
    with empty_db.begin() as conn:
        conn.execute(sa.text("TRUNCATE app.source, app.sync_run CASCADE"))
    return empty_db


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    write_csv(tmp_path / "2024-09.csv", [row("2024-09-01", "10"), row("2024-09-02", "5")])
    write_csv(tmp_path / "2024-10.csv", [row("2024-10-01", "7")])
    return tmp_path


def page(username: str = "admin") -> AppTest:
    st.cache_resource.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "sources.py"), default_timeout=60)
    return sign_in(app, username).run()


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def texts(app: AppTest) -> str:
    """Every message on the page, Markdown escapes removed."""
    kinds = ("info", "success", "warning", "error", "caption")
    parts = [str(e.value) for kind in kinds for e in getattr(app, kind)]
    return "\n".join(parts).replace("\\", "")


def add_via_form(app: AppTest, name: str, folder: Path) -> AppTest:
    next(t for t in app.text_input if t.label == "Name").input(name)
    app.text_input(key="src_add_path").input(str(folder))
    app.text_input(key="src_add_settle_seconds").input("0")
    next(t for t in app.text_input if t.label == "Schedule").input("every 15m")
    return button(app, "Add source").click().run()


def test_add_test_sync_now_and_progress(app_env, clean, folder: Path) -> None:
    app = page()
    assert not app.exception
    assert [t.value for t in app.title] == ["Data sources"]
    assert "No scheduler is running" in texts(app)

    app = add_via_form(app, "billing-drop", folder)
    assert not app.exception
    source = sources_db.get_source(clean, "billing-drop")
    assert source and source.schedule == "every 15m" and source.kind == "local_folder"
    assert source.settings == {"path": str(folder.resolve()), "settle_seconds": "0"}

    button(app, "Test connection").click().run()
    assert "Connection test requested: waiting for the scheduler" in texts(app)
    assert button(app, "Test connection").disabled  # one test at a time
    test = source_tests.latest(clean, source="billing-drop")
    assert (test.status, test.requested_by, test.exports) == ("queued", "admin", None)
    assert not [df for df in app.dataframe if "file" in df.value.columns]  # no answer yet

    # what the scheduler process does with the row (here in-process, for speed)
    assert connection_tests.answer(clean, Settings.from_env(), test.source_test_id, source.name)
    app.run()
    assert "Connected (tested " in texts(app)
    assert "the next sync would load 2 new file(s)." in texts(app)
    preview = next(df.value for df in app.dataframe if "file" in df.value.columns)
    assert list(preview["file"]) == ["2024-09.csv", "2024-10.csv"]
    assert list(preview["bytes"]) == [(folder / f).stat().st_size for f in preview["file"]]
    assert not button(app, "Test connection").disabled
    assert sync_runs.runs(clean) == []  # testing lists; it neither syncs nor queues a sync

    button(app, "Sync now").click().run()
    queued = sync_runs.runs(clean, source="billing-drop")
    assert [(r.status, r.reason, r.requested_by) for r in queued] == [
        ("queued", "request", "admin")
    ]
    assert "waiting for the scheduler" in texts(app)
    assert button(app, "Sync now").disabled  # one request at a time
    with clean.connect() as conn:  # the page queued it; nothing was loaded in this process
        assert conn.execute(sa.text("SELECT count(*) FROM bronze.focus_cost")).scalar() == 0

    # what the scheduler process does with the row (here in-process, for speed)
    outcomes = jobs.run_due(clean, Settings.from_env())
    assert [(o.status, o.files, o.rows) for o in outcomes] == [("succeeded", 2, 3)]
    app.run()
    assert "Last sync succeeded: 2 of 2 files" in texts(app)
    runs = next(df.value for df in app.dataframe if "attempts" in df.value.columns)
    assert list(runs["status"]) == ["succeeded"] and list(runs["rows"]) == [3]
    assert list(runs["periods"]) == ["2024-09, 2024-10"]
    actions = [r.action for r in users.recent_audit(clean)]
    assert {"source_added", "sync_requested"} <= set(actions)


def test_cancel_a_queued_request(app_env, clean, folder: Path) -> None:
    app = add_via_form(page(), "to-cancel", folder)
    button(app, "Sync now").click().run()
    button(app, "Cancel").click().run()
    [run] = sync_runs.runs(clean, source="to-cancel")
    assert run.status == "cancelled" and run.error == "cancelled before it started"
    app.run()
    assert "Last sync cancelled" in texts(app)
    assert "sync_cancelled" in [r.action for r in users.recent_audit(clean)]


def test_change_disable_and_remove(app_env, clean, folder: Path) -> None:
    app = add_via_form(page(), "changing", folder)
    source = sources_db.get_source(clean, "changing")
    prefix = f"src_edit_{source.source_id}"
    app.text_input(key=f"{prefix}_schedule").input("0 6 * * *")
    button(app, "Save changes").click().run()
    assert not app.exception
    assert sources_db.get_source(clean, "changing").schedule == "0 6 * * *"

    app.text_input(key=f"{prefix}_schedule").input("every now and then")
    button(app, "Save changes").click().run()
    assert "Not saved: 'every now and then' is not an interval" in texts(app)

    button(app, "Disable").click().run()
    assert not sources_db.get_source(clean, "changing").enabled
    assert button(app, "Sync now").disabled

    app.checkbox(key="src_rm_sure").check().run()
    button(app, "Remove source").click().run()
    assert sources_db.get_source(clean, "changing") is None
    assert "No sources yet" in texts(app)


def test_bad_settings_are_refused_in_the_form(app_env, clean) -> None:
    app = page()
    next(t for t in app.text_input if t.label == "Name").input("no-path")
    button(app, "Add source").click().run()
    assert "Not added: local_folder needs the setting path" in texts(app)
    assert sources_db.get_source(clean, "no-path") is None


def test_a_viewer_is_refused(app_env, clean) -> None:
    if not users.get_user(clean, "vic"):
        users.add_user(clean, "vic", "vic-password-1", role="viewer")
    app = page("vic")
    assert "Your role does not include this page." in app.error[0].value
    assert not app.dataframe and not app.button


def test_sources_loaded_from_the_command_line_are_listed_read_only(
    app_env, clean, tmp_path: Path
) -> None:
    for source, day in (("sample", "2024-09-30"), ("demo-aws", "2024-10-01")):
        path = write_csv(tmp_path / f"{source}.csv", [row(day, "2.73")])
        assert load_file(clean, path, source=source).status == "loaded"
    app = page()
    assert not app.exception
    listed = next(df.value for df in app.dataframe if "last_load" in df.value.columns)
    by_name = {r.name: r for r in listed.itertuples()}
    assert set(by_name) == {"sample", "demo-aws"}
    for name in ("sample", "demo-aws"):
        assert by_name[name].kind == "loaded from the command line"
        assert by_name[name].enabled == "read-only"
        assert by_name[name].last_load.startswith(str(datetime.now(UTC).year))
    assert "No sources yet" not in texts(app)
    assert "No scheduled sources yet" in texts(app)
    assert "python -m ingestion load --source NAME" in texts(app)
    # read-only: no source to pick, sync, change or remove
    assert not [b for b in app.button if b.label in ("Sync now", "Remove source")]

    app = add_via_form(app, "finance-drop", tmp_path)
    listed = next(df.value for df in app.dataframe if "last_load" in df.value.columns)
    assert list(listed["name"]) == ["finance-drop", "demo-aws", "sample"]
    assert list(listed["kind"]) == ["local_folder"] + ["loaded from the command line"] * 2
    assert [p for p in app.selectbox if p.label == "Source"][0].options == ["finance-drop"]


def test_the_add_form_labels_and_explains_each_setting(app_env, clean) -> None:
    app = page()
    labels = [t.label for t in app.text_input]
    assert labels == ["Name", "Folder", "Wait after a file's last change (seconds)", "Schedule"]
    assert not {"path", "settle_seconds"} & set(labels)  # no raw field names
    for field in ("path", "settle_seconds"):
        widget = app.text_input(key=f"src_add_{field}")
        assert widget.help and f"setting `{field}`" in widget.help
    captions = texts(app)
    assert "Folder to watch (absolute; searched recursively)" in captions
    assert "so a copy still being written is not read half-way" in captions


def test_a_failed_connection_test_shows_why_and_the_page_reaches_nothing(
    app_env, clean, folder: Path, monkeypatch
) -> None:
    app = add_via_form(page(), "moved-away", folder / "not-there")

    def refuse(*_: object) -> None:
        raise AssertionError("the web process opened credentials or built a connector")

    monkeypatch.setattr(Vault, "open", refuse)
    monkeypatch.setattr(LocalFolder, "from_settings", refuse)
    monkeypatch.setattr(LocalFolder, "list_new", refuse)
    button(app, "Test connection").click().run()
    assert not app.exception
    monkeypatch.undo()  # the scheduler, below, is the process that may open them
    test = source_tests.latest(clean, source="moved-away")
    assert test.status == "queued"

    jobs.run_due(clean, Settings.from_env())  # `scheduler.py --once` answers waiting tests
    app.run()
    shown = texts(app)
    assert "Connection test failed (tested " in shown
    assert f"folder {folder / 'not-there'} does not exist or is not a folder" in shown
    assert source_tests.latest(clean, source="moved-away").status == "failed"
    assert "source_test_requested" in [r.action for r in users.recent_audit(clean)]
