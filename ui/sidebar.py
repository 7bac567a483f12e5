"""The sidebar every page shares: date range (a preset or custom dates), providers, currency.

They stay as the person set them while they move between pages, and are kept in the URL:
`range` (a preset name from focus.periods.PRESETS, so a shared link keeps meaning "last
month"), `from` / `to` for custom dates, `provider` (repeated) and `currency`.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from db.queries import Bounds, CostFilter
from db.users import Scope
from focus.periods import (
    CUSTOM,
    DEFAULT_PRESET,
    PRESETS,
    earliest_preset_start,
    preset_range,
)
from ui import state

URL_NAMES = ("range", "from", "to", "provider", "currency")
STORE = "cl_shared_filters"  # a plain key: survives page switches, unlike widget state
PAGE = "cl_shared_filters_page"  # the page that drew the widgets last
WIDGETS = ("date_preset", "date_range", "providers")
LINKS = "cl_page_links"  # this run's sidebar slot for the page links, and the pages


def _date(text: str | None, fallback: date, lo: date, hi: date) -> date:
    try:
        value = date.fromisoformat(text) if text else fallback
    except ValueError:
        value = fallback
    return min(max(value, lo), hi)


def _first(values: dict[str, list[str]], name: str) -> str | None:
    return values.get(name, [None])[0]


def _range(values: dict[str, list[str]], as_of: date, lo: date, hi: date) -> tuple[str, date, date]:
    """The preset and dates URL-form values mean; a link with dates but no preset is custom."""
    preset = _first(values, "range")
    if preset not in PRESETS:
        preset = CUSTOM if ("from" in values or "to" in values) else DEFAULT_PRESET
    if preset != CUSTOM:
        return (preset, *preset_range(preset, as_of))
    default_start, default_end = preset_range(DEFAULT_PRESET, as_of)
    start = _date(_first(values, "from"), default_start, lo, hi)
    return preset, start, _date(_first(values, "to"), default_end, start, hi)


def _apply(values: dict[str, list[str]], b: Bounds, as_of: date, lo: date, hi: date) -> None:
    """Set the widgets from URL-form values, each checked against what the data allows."""
    preset, start, end = _range(values, as_of, lo, hi)
    st.session_state["date_preset"] = preset
    st.session_state["date_range"] = (start, end)
    st.session_state["providers"] = [p for p in values.get("provider", []) if p in b.providers]
    if len(b.currencies) > 1:
        wanted = _first(values, "currency")
        st.session_state["currency"] = wanted if wanted in b.currencies else b.currencies[0]


def _preset_picked(as_of: date) -> None:
    preset = st.session_state["date_preset"]
    if preset != CUSTOM:
        st.session_state["date_range"] = preset_range(preset, as_of)


def _dates_picked(as_of: date) -> None:
    picked = st.session_state["date_range"]
    preset = st.session_state["date_preset"]
    if preset != CUSTOM and tuple(picked) != preset_range(preset, as_of):
        st.session_state["date_preset"] = CUSTOM


def cost_filter(b: Bounds, as_of: date, scope: Scope, page: str) -> CostFilter:
    """The sidebar's filters on `page` (its file), as the person last set them on any page."""
    assert b.first_date is not None
    lo = min(b.first_date, earliest_preset_start(as_of))
    hi = max(b.last_date or as_of, as_of)
    values = state.shared(STORE, URL_NAMES)
    fresh = st.session_state.get(PAGE) != page or not all(k in st.session_state for k in WIDGETS)
    if values is None and fresh:  # another page: its widgets start afresh
        values = st.session_state.get(STORE, {})
    st.session_state[PAGE] = page
    if values is not None:
        _apply(values, b, as_of, lo, hi)
    with st.sidebar:
        st.header("Filters")
        preset = st.selectbox(
            "Period",
            list(PRESETS),
            key="date_preset",
            format_func=PRESETS.get,
            on_change=_preset_picked,
            args=(as_of,),
            help=f"Relative to {as_of:%d %b %Y}, the last day with data (or today). "
            "Last N months are whole months before this one.",
        )
        picked = st.date_input(
            "Date range",
            min_value=lo,
            max_value=hi,
            key="date_range",
            format="YYYY-MM-DD",
            on_change=_dates_picked,
            args=(as_of,),
        )
        # While a person is picking, the widget briefly holds only the start date.
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
        else:
            _, start, end = _range(st.session_state.get(STORE, {}), as_of, lo, hi)
        providers = st.multiselect(
            "Providers", options=list(b.providers), placeholder="All providers", key="providers"
        )
        currency = None
        if len(b.currencies) > 1:
            currency = st.selectbox(
                "Currency",
                options=list(b.currencies),
                key="currency",
                help="Costs in different billing currencies are never added together.",
            )
        elif b.currencies:
            currency = b.currencies[0]
    custom = preset == CUSTOM
    before = st.session_state.get(STORE)
    state.remember(
        STORE,
        {
            "range": preset,
            "from": start.isoformat() if custom else None,
            "to": end.isoformat() if custom else None,
            "provider": sorted(providers),
            "currency": currency if len(b.currencies) > 1 else None,
        },
    )
    if LINKS in st.session_state and st.session_state[STORE] != before:
        _draw_links(*st.session_state[LINKS], st.session_state[STORE])
    return CostFilter(
        start=start,
        end=end,
        currency=currency,
        scope=scope,
        providers=tuple(sorted(providers)),
    )


def page_links(pages: list[st.Page]) -> None:
    """The sidebar's links to the pages, each carrying the shared filters, so the next page
    opens on them straight away (a bare link would add a history entry without them, and Back
    would stop there). A page that changes the filters draws them again (see cost_filter)."""
    slot = st.sidebar.empty()
    st.session_state[LINKS] = (slot, pages)
    _draw_links(slot, pages, st.session_state.get(STORE, {}))


def _draw_links(slot: DeltaGenerator, pages: list[st.Page], params: dict[str, list[str]]) -> None:
    with slot.container():
        for page in pages:
            st.page_link(page, query_params=params or None)
