"""The pieces of the Data sources page: the sources and runs tables, a kind's setting and secret
fields, one run's state (progress while it is active, its outcome after) and a connection
test's state (waiting for the scheduler, then its answer)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from db.source_tests import SourceTest
from db.sources import Source
from db.sync_runs import SyncRun
from ingestion.sources.kinds import connector_class
from ui.format import escape_md
from ui.tables import table


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment else ""


CLI_KIND = "loaded from the command line"


def _last_load(loads: pd.DataFrame) -> dict[str, str]:
    """Source (lower case) -> when its last file loaded, from db.queries.freshness."""
    return {
        str(r.source).lower(): when(None if pd.isna(r.last_loaded_at) else r.last_loaded_at)
        for r in loads.itertuples(index=False)
    }


def sources_table(
    everything: list[Source], last_run: dict[str, SyncRun], loads: pd.DataFrame
) -> None:
    """One list of where data comes from: the configured sources, then those only ever loaded
    from the command line (`load --source`, the demo), read-only here, with their last load."""
    last_load = _last_load(loads)
    rows = []
    for s in everything:
        run = last_run.get(s.name.lower())
        rows.append(
            {
                "name": s.name,
                "kind": s.kind,
                "where": ", ".join(
                    f"{setting_label(s.kind, k)}: {v}" for k, v in s.settings.items()
                ),
                "schedule": s.schedule,
                "enabled": "enabled" if s.enabled else "disabled",
                "credentials": "stored" if s.has_credentials else "none",
                "last": run.status if run else "never synced",
                "last_load": last_load.get(s.name.lower(), ""),
                "error": (run.error if run else None) or "",
            }
        )
    configured = {s.name.lower() for s in everything}
    for r in loads.itertuples(index=False):
        if str(r.source).lower() in configured:
            continue
        rows.append(
            {
                "name": r.source,
                "kind": CLI_KIND,
                "where": "",
                "schedule": "",
                "enabled": "read-only",
                "credentials": "",
                "last": "",
                "last_load": last_load[str(r.source).lower()],
                "error": "" if pd.isna(r.last_error) else r.last_error,
            }
        )
    labels = {
        "name": "Source",
        "kind": "Kind",
        "where": "Settings",
        "schedule": "Schedule",
        "enabled": "State",
        "credentials": "Credentials",
        "last": "Last run",
        "last_load": "Last load (UTC)",
        "error": "Last error",
    }
    table(
        pd.DataFrame(rows, columns=list(labels)),
        labels=labels,
        file_name="sources",
        key="src_table",
    )


def runs_table(runs: list[SyncRun]) -> None:
    labels = {
        "run": "Run",
        "source": "Source",
        "status": "Status",
        "reason": "Why",
        "requested_by": "Asked by",
        "started": "Started (UTC)",
        "finished": "Finished (UTC)",
        "files": "Files",
        "rows": "Rows",
        "periods": "Billing periods",
        "attempts": "Attempts",
        "error": "Error",
    }
    rows = [
        {
            "run": r.sync_run_id,
            "source": r.source,
            "status": r.status,
            "reason": r.reason,
            "requested_by": r.requested_by or "",
            "started": when(r.started),
            "finished": when(r.finished),
            "files": f"{r.files} loaded, {r.files_skipped} skipped"
            + (f" of {r.files_total}" if r.files_total is not None else ""),
            "rows": r.rows,
            "periods": ", ".join(p.strftime("%Y-%m") for p in r.periods),
            "attempts": r.attempts,
            "error": r.error or "",
        }
        for r in runs
    ]
    table(
        pd.DataFrame(rows, columns=list(labels)),
        labels=labels,
        file_name="sync-runs",
        key="src_runs",
    )


def setting_label(kind: str, name: str) -> str:
    """What a person reads for a setting or secret field: the connector's label for it, else
    the field name in words ('settle_seconds' -> 'Settle seconds')."""
    try:
        connector = connector_class(kind)
    except ValueError:  # a kind whose connector has not shipped: only listed
        return name.replace("_", " ").capitalize()
    field = connector.settings_model.model_fields.get(name)
    label = field.title if field else connector.SECRETS.get(name)
    return label or name.replace("_", " ").capitalize()


def setting_inputs(kind: str, prefix: str, current: dict[str, str]) -> dict[str, str]:
    """A labelled text field per setting of the kind, its meaning under it; the filled ones."""
    values = {}
    for name, field in connector_class(kind).settings_model.model_fields.items():
        meaning = field.description or ""
        values[name] = st.text_input(
            setting_label(kind, name),
            current.get(name, ""),
            help=f"{meaning} (setting `{name}`)",
            key=f"{prefix}_{name}",
        )
        st.caption(escape_md(meaning))
    return {name: value.strip() for name, value in values.items() if value.strip()}


def secret_inputs(kind: str, prefix: str, stored: bool) -> dict[str, str]:
    """A password field per secret of the kind; an empty one keeps (or, when adding, leaves
    out) that secret. What is stored is never shown, only that it is."""
    fields = connector_class(kind).SECRETS
    if stored:
        st.caption("Credentials: stored (leave a field empty to keep it).")
    values = {
        name: st.text_input(
            setting_label(kind, name), type="password", key=f"{prefix}_secret_{name}"
        )
        for name in fields
    }
    return {name: value for name, value in values.items() if value}


def run_state(run: SyncRun) -> None:
    done = run.files + run.files_skipped
    counts = f"{done} of {run.files_total if run.files_total is not None else '?'} files"
    if run.status == "queued":
        st.info(
            "Sync requested: waiting for the scheduler to start it…", icon=":material/schedule:"
        )
    elif run.status == "running":
        share = done / run.files_total if run.files_total else 0.0
        current = f", now {escape_md(run.current_file)}" if run.current_file else ""
        st.progress(share, text=f"Syncing: {counts}, {run.rows:,} rows{current}")
    elif run.status == "succeeded":
        st.success(
            f"Last sync succeeded: {counts} ({run.files_skipped} already loaded), "
            f"{run.rows:,} rows."
        )
    elif run.status == "cancelled":
        st.warning(f"Last sync cancelled: {escape_md(run.error or '')}")
    else:
        st.error(f"Last sync failed: {escape_md(run.error or '')}")


def test_state(test: SourceTest, source: str) -> None:
    """A "Test connection": waiting for the scheduler, then what it found (or why it failed)."""
    if test.status == "queued":
        st.info(
            "Connection test requested: waiting for the scheduler to run it…",
            icon=":material/schedule:",
        )
    elif test.status == "running":
        st.info("Testing the connection: the scheduler is listing the source…")
    elif test.status == "succeeded":
        later = f"; {test.waiting} more wait to settle" if test.waiting else ""
        st.success(
            f"Connected (tested {when(test.finished)} UTC): the next sync would load "
            f"{test.exports} new file(s){later}."
        )
        if test.listed:
            if test.exports and test.exports > len(test.listed):
                st.caption(f"The first {len(test.listed)} of {test.exports}:")
            table(
                pd.DataFrame([{"file": i.name, "bytes": i.size} for i in test.listed]),
                labels={"file": "File", "bytes": "Bytes"},
                file_name=f"{source}-would-load",
                key="src_preview",
            )
    else:
        st.error(
            f"Connection test failed (tested {when(test.finished)} UTC): "
            f"{escape_md(test.error or '')}"
        )
