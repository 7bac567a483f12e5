"""What every page does first: reach the database, handle the empty state, draw the sidebar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from config import Settings, SettingsError
from db.queries import Bounds, CostFilter
from focus.periods import as_of_date
from ui import data
from ui.auth import guard
from ui.sidebar import cost_filter


@dataclass(frozen=True)
class PageContext:
    bounds: Bounds
    as_of: date
    cost: CostFilter


def settings_or_stop() -> None:
    """A typo in a variable stops the app with one line naming it, not a traceback."""
    try:
        Settings.from_env()
    except SettingsError as exc:
        st.error(str(exc), icon=":material/settings:")
        st.stop()


def start(page_file: str, title: str, caption: str | None = None) -> PageContext:
    """Sign-in and role check, title, then the shared filters or a friendly stop (no
    database, no data)."""
    user = guard(page_file)
    st.title(title)
    if caption:
        st.caption(caption)
    scope = user.scope
    try:
        b = data.bounds(scope)
    except Exception as exc:  # noqa: BLE001 - show a next step, never a traceback
        st.error(
            f"Cannot reach the Cloudlens database ({type(exc).__name__}). "
            "Check DATABASE_URL, or unset it to use the embedded database, then reload."
        )
        st.stop()
    if b.empty:
        st.info(
            "No cost data yet. Load a FOCUS export to see your spend here:\n\n"
            "`python -m ingestion load path/to/focus.csv`  (CSV, CSV.GZ, Parquet, ZIP or JSON; "
            "files or folders), or `python -m ingestion demo` for a demo company."
        )
        st.stop()
    as_of = as_of_date(b.last_date, date.today())
    return PageContext(b, as_of, cost_filter(b, as_of, scope, page_file))
