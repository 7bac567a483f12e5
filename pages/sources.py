"""Data sources (admin): what the scheduler syncs, how its runs went, "Sync now" and cancel.

This page never syncs: "Sync now" queues a row in app.sync_run that the scheduler process
picks up, and the progress shown is that row, read again every two seconds while it is active.
Secrets go in password fields, are sealed before they are stored, and are never shown again.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import logs
from db import queries, sync_runs
from db import sources as sources_db
from db.credentials import CredentialsError
from db.sources import SourceError
from db.sync_runs import SyncRun
from ingestion.schedules import DEFAULT, ScheduleError
from ingestion.sources import KINDS, add_source, available, edit_source, preview
from ingestion.sources.base import SourceConfigError, SyncError
from ui import data
from ui.auth import guard
from ui.format import escape_md
from ui.sources import CLI_KIND, run_state, runs_table, secret_inputs, setting_inputs, sources_table
from ui.tables import table

PROBLEMS = (SourceConfigError, SourceError, ScheduleError, CredentialsError)
SCHEDULE_HELP = "An interval ('every 15m', 'every 1h', 'every 1d') or a cron expression in UTC"

admin = guard(__file__)
st.title("Data sources")
st.caption(
    "Where Cloudlens's data comes from: the sources the scheduler process syncs, and those "
    "loaded from the command line. Each file replaces, for its source, the billing periods it "
    "covers."
)
engine = data.engine()
app_settings = data.settings()

leader = sync_runs.leader(engine)
if leader:
    since = f", leading since {leader.since:%Y-%m-%d %H:%M} UTC" if leader.since else ""
    st.caption(f"Scheduler: {escape_md(leader.name)}{since}.")
else:
    st.warning(
        'No scheduler is running: schedules and "Sync now" requests wait until one starts '
        "(`python scheduler.py`, see the README)."
    )

everything = sources_db.all_sources(engine)
recent = sync_runs.runs(engine, limit=200)
last_run: dict[str, SyncRun] = {}
for r in recent:
    last_run.setdefault(r.source.lower(), r)

loads = queries.freshness(engine)  # every source loaded, from the command line too
cli_only = set(loads["source"].str.lower()) - {s.name.lower() for s in everything}

st.subheader("Sources")
sources_table(everything, last_run, loads)
if cli_only:
    st.caption(
        f"{CLI_KIND.capitalize()}: files loaded with `python -m ingestion load --source NAME` "
        "(and the demo's). They are read-only here; to sync a folder on a schedule, add it below."
    )

with st.expander("Add a source", icon=":material/add_circle:", expanded=not everything):
    kind = st.selectbox(
        "Kind",
        available(),
        format_func=lambda k: KINDS[k].label,
        key="src_kind",
        help="Where the scheduler finds the export files",
    )
    later = [spec.label for spec in KINDS.values() if spec.connector is None]
    st.caption(f"Coming in later releases: {escape_md(', '.join(later))}.")
    with st.form("src_add", clear_on_submit=True):
        name = st.text_input("Name", help="Also the source its data is loaded under")
        settings = setting_inputs(kind, "src_add", {})
        schedule = st.text_input("Schedule", DEFAULT, help=SCHEDULE_HELP)
        secrets = secret_inputs(kind, "src_add", stored=False)
        enabled = st.checkbox("Enabled", value=True)
        if st.form_submit_button("Add source"):
            try:
                add_source(
                    engine,
                    app_settings,
                    name=name.strip(),
                    kind=kind,
                    settings=settings,
                    schedule=schedule,
                    secrets=secrets or None,
                    enabled=enabled,
                    actor=admin.username,
                )
                st.session_state["src_pick"] = name.strip()
                st.rerun()
            except PROBLEMS as exc:
                st.error(f"Not added: {escape_md(exc)}")

if not everything:
    st.info(
        ("No scheduled sources yet" if cli_only else "No sources yet")
        + ": add one above, or from a script with `python -m ingestion source add`."
    )
    st.stop()

names = [s.name for s in everything]
if st.session_state.get("src_pick") not in names:
    st.session_state["src_pick"] = names[0]
st.subheader("Source")
picked = st.selectbox("Source", names, key="src_pick")
source = next(s for s in everything if s.name == picked)
latest = sync_runs.runs(engine, source=source.name, limit=1)
busy = bool(latest) and latest[0].active

c1, c2, c3 = st.columns(3)
if c1.button(
    "Sync now",
    icon=":material/sync:",
    disabled=busy or not source.enabled,
    help="Asks the scheduler to sync this source now" if source.enabled else "Enable it first",
    key="src_sync",
):
    sync_runs.request(engine, source, admin.username)
    st.rerun()
tested = c2.button("Test connection", icon=":material/lan:", key="src_test")
if c3.button(
    "Disable" if source.enabled else "Enable",
    icon=":material/toggle_on:" if source.enabled else ":material/toggle_off:",
    key="src_toggle",
):
    edit_source(engine, app_settings, source, enabled=not source.enabled, actor=admin.username)
    st.rerun()

if tested:
    try:
        refs = preview(source, app_settings)
    except (SyncError, *PROBLEMS) as exc:
        st.error(f"Connection test failed: {escape_md(logs.redact(str(exc)))}")
    else:
        st.success(f"Connected: the next sync would load {len(refs)} new file(s).")
        if refs:
            table(
                pd.DataFrame([{"file": r.name, "bytes": r.size} for r in refs]),
                labels={"file": "File", "bytes": "Bytes"},
                file_name=f"{source.name}-would-load",
                key="src_preview",
            )


@st.fragment(run_every=2 if busy else None)
def progress() -> None:
    """The source's latest run, re-read every two seconds while it is queued or running."""
    now = sync_runs.runs(engine, source=source.name, limit=1)
    if not now:
        return
    run = now[0]
    run_state(run)
    if run.active and st.button(
        "Cancel",
        icon=":material/cancel:",
        key=f"src_cancel_{run.sync_run_id}",
        help="Stops at the next file boundary: every file is loaded whole or not at all",
    ):
        sync_runs.cancel(engine, run.sync_run_id, admin.username)
        st.rerun(scope="fragment")
    if busy and not run.active:
        st.rerun()  # it has ended: refresh the tables


progress()

with st.expander("Change this source", icon=":material/edit:"):
    with st.form("src_edit"):
        prefix = f"src_edit_{source.source_id}"  # the fields follow the source picked
        settings = setting_inputs(source.kind, prefix, source.settings)
        schedule = st.text_input(
            "Schedule", source.schedule, help=SCHEDULE_HELP, key=f"{prefix}_schedule"
        )
        secrets = secret_inputs(source.kind, prefix, source.has_credentials)
        if st.form_submit_button("Save changes"):
            try:
                edit_source(
                    engine,
                    app_settings,
                    source,
                    settings=settings,
                    schedule=schedule,
                    secrets=secrets or None,
                    actor=admin.username,
                )
                st.rerun()
            except PROBLEMS as exc:
                st.error(f"Not saved: {escape_md(exc)}")
    st.divider()
    sure = st.checkbox(
        "Remove this source (the data it loaded and its run history stay)", key="src_rm_sure"
    )
    if st.button("Remove source", disabled=not sure, key="src_remove"):
        try:
            sources_db.remove_source(engine, source.name, actor=admin.username)
            st.session_state.pop("src_pick", None)
            st.rerun()
        except SourceError as exc:
            st.error(f"Not removed: {escape_md(exc)}")

st.subheader("Recent runs")
runs_table(recent[:50])
