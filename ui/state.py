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
    """Write the current view to the URL in one step (the browser adds one history entry per
    step, and each is a stop for Back), touching only keys whose value changed."""
    merged = {name: get_list(name) for name in st.query_params}
    for name, value in values.items():
        wanted = [] if value is None else ([value] if isinstance(value, str) else list(value))
        if wanted:
            merged[name] = wanted
        else:
            merged.pop(name, None)
    if merged != {name: get_list(name) for name in st.query_params}:
        st.query_params.from_dict({n: v if len(v) > 1 else v[0] for n, v in merged.items()})


def url_values(names: tuple[str, ...]) -> dict[str, list[str]]:
    """The URL's values for these names, leaving out the absent ones."""
    return {n: get_list(n) for n in names if get_list(n)}


def shared(store: str, names: tuple[str, ...]) -> dict[str, list[str]] | None:
    """What the sidebar's shared filters should start from on this run, or None to let the
    widgets keep what the person just set.

    Widget state is page-scoped (Streamlit drops it on a page switch) and st.page_link drops the
    query string, so the filters are remembered, as their URL form, in `store`, a plain
    session_state key that survives page switches. A URL that says something else than what was
    last published is a link opened, or browser Back / Forward: the URL wins. A URL without
    them is a sidebar link: the remembered filters come back (and are published again)."""
    url = url_values(names)
    last = st.session_state.get(store)
    if url and url != last:
        return url
    if not url:
        return last or {}
    return None


def remember(store: str, values: dict[str, str | list[str] | None]) -> None:
    """Publish the shared filters to the URL and keep them for the next page."""
    publish(values)
    st.session_state[store] = {
        n: ([v] if isinstance(v, str) else list(v)) for n, v in values.items() if v
    }
