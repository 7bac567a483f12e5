"""The sidebar every page shares: date range, providers, currency, kept in the URL."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from db.queries import Bounds, CostFilter
from db.users import Scope
from ui import state

DEFAULT_DAYS = 90


def _date(text: str | None, fallback: date, lo: date, hi: date) -> date:
    try:
        value = date.fromisoformat(text) if text else fallback
    except ValueError:
        value = fallback
    return min(max(value, lo), hi)


def cost_filter(b: Bounds, as_of: date, scope: Scope) -> CostFilter:
    assert b.first_date is not None
    hi = max(b.last_date or as_of, as_of)
    default_start = max(b.first_date, as_of - timedelta(days=DEFAULT_DAYS - 1))
    start0 = _date(state.get("from"), default_start, b.first_date, hi)
    end0 = _date(state.get("to"), as_of, start0, hi)
    state.seed("date_range", (start0, end0))
    state.seed("providers", [p for p in state.get_list("provider") if p in b.providers])
    if len(b.currencies) > 1:
        wanted = state.get("currency")
        state.seed("currency", wanted if wanted in b.currencies else b.currencies[0])
    with st.sidebar:
        st.header("Filters")
        picked = st.date_input(
            "Date range",
            min_value=b.first_date,
            max_value=hi,
            key="date_range",
            format="YYYY-MM-DD",
        )
        # While a person is picking, the widget briefly holds only the start date.
        if isinstance(picked, tuple) and len(picked) == 2:
            start, end = picked
        else:
            start, end = start0, end0
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
    state.publish(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "provider": sorted(providers),
            "currency": currency if len(b.currencies) > 1 else None,
        }
    )
    return CostFilter(
        start=start,
        end=end,
        currency=currency,
        scope=scope,
        providers=tuple(sorted(providers)),
    )
