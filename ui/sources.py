"""The pieces of the Data sources page: the sources and runs tables, a kind's setting and secret
fields, and one run's state (progress while it is active, its outcome after)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from db.sources import Source
from db.sync_runs import SyncRun
from ingestion.sources import connector_class
from ui.format import escape_md
from ui.tables import table


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment else ""


def sources_table(everything: list[Source], last_run: dict[str, SyncRun]) -> None:
    rows = []
    for s in everything:
        run = last_run.get(s.name.lower())
        rows.append(
            {
                "name": s.name,
                "kind": s.kind,
                "where": ", ".join(f"{k}={v}" for k, v in s.settings.items()),
                "schedule": s.schedule,
                "enabled": "enabled" if s.enabled else "disabled",
                "credentials": "stored" if s.has_credentials else "none",
                "last": run.status if run else "never synced",
                "error": (run.error if run else None) or "",
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


def setting_inputs(kind: str, prefix: str, current: dict[str, str]) -> dict[str, str]:
    """A text field per setting of the kind; the filled ones."""
    values = {
        name: st.text_input(name, current.get(name, ""), help=meaning, key=f"{prefix}_{name}")
        for name, meaning in connector_class(kind).SETTINGS.items()
    }
    return {name: value.strip() for name, value in values.items() if value.strip()}


def secret_inputs(kind: str, prefix: str, stored: bool) -> dict[str, str]:
    """A password field per secret of the kind; an empty one keeps (or, when adding, leaves
    out) that secret. What is stored is never shown, only that it is."""
    fields = connector_class(kind).SECRETS
    if stored:
        st.caption("Credentials: stored (leave a field empty to keep it).")
    values = {
        name: st.text_input(name, type="password", key=f"{prefix}_secret_{name}") for name in fields
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
