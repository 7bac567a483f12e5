"""Data sources (admin): what the scheduler syncs, how its runs went, "Sync now", cancel and
"Test connection".

This page never syncs and never opens a source's credentials: "Sync now" queues a row in
app.sync_run, "Test connection" one in app.source_test, both picked up by the scheduler process;
what is shown is that row, read again every two seconds while it is active. Secrets go in
password fields, are sealed before they are stored, and are never shown again.
"""

from __future__ import annotations

import streamlit as st

from ui import source_admin
from ui.auth import guard
from ui.format import escape_md
from ui.source_admin import DEFAULT_SCHEDULE, PROBLEMS
from ui.sources import (
    CLI_KIND,
    run_state,
    runs_table,
    secret_inputs,
    setting_inputs,
    sources_table,
    test_state,
)

SCHEDULE_HELP = "An interval ('every 15m', 'every 1h', 'every 1d') or a cron expression in UTC"

admin = guard(__file__)
st.title("Data sources")
st.caption(
    "Where Cloudlens's data comes from: the sources the scheduler process syncs, and those "
    "loaded from the command line. Each file replaces, for its source, the billing periods it "
    "covers."
)
leader = source_admin.leader()
if leader:
    since = f", leading since {leader.since:%Y-%m-%d %H:%M} UTC" if leader.since else ""
    st.caption(f"Scheduler: {escape_md(leader.name)}{since}.")
else:
    st.warning(
        'No scheduler is running: schedules and "Sync now" requests wait until one starts '
        "(`python scheduler.py`, see the README)."
    )

everything = source_admin.sources()
recent = source_admin.recent_runs()
last_run = {}
for r in recent:
    last_run.setdefault(r.source.lower(), r)

loads = source_admin.loads()  # every source loaded, from the command line too
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
        source_admin.kinds(),
        format_func=source_admin.kind_label,
        key="src_kind",
        help="Where the scheduler finds the export files",
    )
    later = source_admin.coming_later()
    st.caption(f"Coming in later releases: {escape_md(', '.join(later))}.")
    with st.form("src_add", clear_on_submit=True):
        name = st.text_input("Name", help="Also the source its data is loaded under")
        settings = setting_inputs(kind, "src_add", {})
        schedule = st.text_input("Schedule", DEFAULT_SCHEDULE, help=SCHEDULE_HELP)
        secrets = secret_inputs(kind, "src_add", stored=False)
        enabled = st.checkbox("Enabled", value=True)
        if st.form_submit_button("Add source"):
            try:
                source_admin.add(
                    name=name.strip(),
                    kind=kind,
                    settings=settings,
                    schedule=schedule,
                    secrets=secrets or None,
                    enabled=enabled,
                    username=admin.username,
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
latest = source_admin.latest_run(source)
busy = latest is not None and latest.active
test = source_admin.latest_test(source)
testing = test is not None and test.active

c1, c2, c3 = st.columns(3)
if c1.button(
    "Sync now",
    icon=":material/sync:",
    disabled=busy or not source.enabled,
    help="Asks the scheduler to sync this source now" if source.enabled else "Enable it first",
    key="src_sync",
):
    source_admin.request_sync(source, admin.username)
    st.rerun()
if c2.button(
    "Test connection",
    icon=":material/lan:",
    disabled=testing,
    help="Asks the scheduler to list what the next sync would load (nothing is loaded)",
    key="src_test",
):
    source_admin.request_test(source, admin.username)
    st.rerun()
if c3.button(
    "Disable" if source.enabled else "Enable",
    icon=":material/toggle_on:" if source.enabled else ":material/toggle_off:",
    key="src_toggle",
):
    source_admin.change(source, admin.username, enabled=not source.enabled)
    st.rerun()


@st.fragment(run_every=2 if testing else None)
def connection_test() -> None:
    """The source's latest connection test, re-read every two seconds until it is answered."""
    now = source_admin.latest_test(source)
    if now is not None:
        test_state(now, source.name)
    if testing and (now is None or not now.active):
        st.rerun()  # answered: stop polling


connection_test()


@st.fragment(run_every=2 if busy else None)
def progress() -> None:
    """The source's latest run, re-read every two seconds while it is queued or running."""
    run = source_admin.latest_run(source)
    if run is None:
        return
    run_state(run)
    if run.active and st.button(
        "Cancel",
        icon=":material/cancel:",
        key=f"src_cancel_{run.sync_run_id}",
        help="Stops at the next file boundary: every file is loaded whole or not at all",
    ):
        source_admin.cancel_run(run.sync_run_id, admin.username)
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
                source_admin.change(
                    source,
                    admin.username,
                    settings=settings,
                    schedule=schedule,
                    secrets=secrets or None,
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
            source_admin.remove(source, admin.username)
            st.session_state.pop("src_pick", None)
            st.rerun()
        except PROBLEMS as exc:
            st.error(f"Not removed: {escape_md(exc)}")

st.subheader("Recent runs")
runs_table(recent[:50])
