"""The one module pages read data through: the db query layer, cached per argument set.

The engine is a cached resource (one pool per server process); query results are cached data
keyed by their arguments, so moving a filter back and forth costs no second query. Loads land
through another process, so the TTL bounds how stale a page can be.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from config import Settings
from db import explore as explore_db
from db import queries
from db import showback as showback_db
from db.engine import get_engine
from db.explore import ExploreQuery
from db.extract import write_line_items
from db.queries import Bounds, CostFilter
from db.showback import AllocationRule
from db.users import Scope
from focus.periods import MonthToDate

TTL = "5m"
# Line-item downloads are built in temporary files named so, removed once read; any a crash
# left behind are removed by the next download once older than this.
DOWNLOAD_PREFIX = "cloudlens-line-items-"
LEFTOVER_MAX_AGE_S = 3600.0


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


@st.cache_resource(show_spinner="Connecting to the database…")
def engine() -> sa.Engine:
    return get_engine(settings())


@st.cache_data(ttl=TTL, show_spinner=False)
def bounds(scope: Scope) -> Bounds:
    return queries.bounds(engine(), scope)


@st.cache_data(ttl=TTL, show_spinner=False)
def kpis(f: CostFilter, window: MonthToDate) -> dict[str, float]:
    return queries.kpis(engine(), f, window)


@st.cache_data(ttl=TTL, show_spinner=False)
def daily_by_provider(f: CostFilter) -> pd.DataFrame:
    return queries.daily_by_provider(engine(), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def top_services(f: CostFilter, limit: int = 10) -> pd.DataFrame:
    return queries.top_services(engine(), f, limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def top_accounts(f: CostFilter, limit: int = 10) -> pd.DataFrame:
    return queries.top_accounts(engine(), f, limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def provider_totals(f: CostFilter) -> pd.DataFrame:
    return queries.provider_totals(engine(), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def billing_periods(scope: Scope) -> list:
    return queries.billing_periods(engine(), scope)


def line_items_file(period, scope: Scope, providers: tuple[str, ...], accounts: tuple[str, ...]):
    """A callable for st.download_button: runs only on click, streams the extract to a temporary
    gzip file, hands its bytes over (Streamlit holds a download's bytes in memory in any case)
    and removes the file: no copy of a bill stays on the server's disk. Text cells that a
    spreadsheet would run as formulas are neutralized (db.extract)."""

    def build() -> bytes:
        remove_leftovers()
        with tempfile.NamedTemporaryFile(prefix=DOWNLOAD_PREFIX, suffix=".csv.gz") as handle:
            path = Path(handle.name)
            write_line_items(engine(), path, period, scope, providers, accounts, spreadsheet=True)
            return path.read_bytes()

    return build


def remove_leftovers(
    folder: Path | None = None, max_age_s: float = LEFTOVER_MAX_AGE_S, now: float | None = None
) -> list[Path]:
    """Remove download files older than `max_age_s` (a process killed while building one);
    younger ones may be another session's download in progress. Returns those removed."""
    folder = folder or Path(tempfile.gettempdir())
    cutoff = (now or time.time()) - max_age_s
    removed = []
    for leftover in folder.glob(f"{DOWNLOAD_PREFIX}*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
                removed.append(leftover)
        except FileNotFoundError:
            pass  # another session removed it first
    return removed


@st.cache_data(ttl="1m", show_spinner=False)
def freshness() -> pd.DataFrame:
    return queries.freshness(engine())


@st.cache_data(ttl=TTL, show_spinner=False)
def movers(f: CostFilter, key: str, limit: int = 5) -> pd.DataFrame:
    return explore_db.movers(engine(), f, key, limit)


@st.cache_data(ttl=TTL, show_spinner="Querying…")
def explore(q: ExploreQuery) -> pd.DataFrame:
    return explore_db.explore(engine(), q)


@st.cache_data(ttl=TTL, show_spinner=False)
def dimension_values(key: str, f: CostFilter) -> list[str]:
    return explore_db.dimension_values(engine(), key, f)


@st.cache_data(ttl=TTL, show_spinner=False)
def tag_keys(f: CostFilter) -> list[str]:
    return explore_db.tag_keys(engine(), f)


@st.cache_data(ttl=TTL, show_spinner="Summing by account…")
def account_tag_months(f: CostFilter, tag_key: str, metric: str) -> pd.DataFrame:
    return explore_db.account_tag_months(engine(), f, tag_key, metric)


@st.cache_data(ttl=TTL, show_spinner=False)
def account_names(scope: Scope, key: str = "billing_account") -> dict[str, str]:
    return explore_db.account_names(engine(), scope, key)


@st.cache_data(ttl=TTL, show_spinner="Allocating…")
def showback(f: CostFilter, tag_key: str, rule: AllocationRule | None, metric: str) -> pd.DataFrame:
    return showback_db.showback(engine(), f, tag_key, rule, metric)


def allocation_rules() -> list[AllocationRule]:
    """Not cached: a rule saved a moment ago must show at once."""
    return showback_db.rules(engine())


def save_rule(rule: AllocationRule, actor: str) -> None:
    """Saved and audited in one transaction."""
    showback_db.save_rule(engine(), rule, actor)


def delete_rule(rule_id: int, actor: str) -> None:
    """Deleted and audited in one transaction."""
    showback_db.delete_rule(engine(), rule_id, actor)
