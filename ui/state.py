"""View state in the URL: widgets start from st.query_params and write back, so any view can be
bookmarked or shared as a link. Values are lists (repeated keys) or single strings."""

from __future__ import annotations

import streamlit as st


def get(name: str, default: str | None = None) -> str | None:
    return st.query_params.get(name, default)


def get_list(name: str) -> list[str]:
    return list(st.query_params.get_all(name))


def seed(key: str, value: object) -> None:
    """Give a widget its starting value from the URL, once; afterwards the widget owns it."""
    if key not in st.session_state:
        st.session_state[key] = value


def publish(values: dict[str, str | list[str] | None]) -> None:
    """Write the current view to the URL, touching only keys whose value changed."""
    for name, value in values.items():
        current = get_list(name)
        wanted = [] if value is None else ([value] if isinstance(value, str) else list(value))
        if current == wanted:
            continue
        if wanted:
            st.query_params[name] = wanted if len(wanted) > 1 else wanted[0]
        elif name in st.query_params:
            del st.query_params[name]
