"""Which page a request asked for, where st.navigation alone gets it wrong for Cloudlens:

- a link opened before signing in: the sign-in form's own runs do not carry the page, so
  Streamlit would open the default page once the password is right;
- a page the role does not include: Streamlit falls back to the default page without a word.

The page a run asks for by URL path is read from Streamlit's page manager (the same value
st.navigation resolves), as no public API gives it before st.navigation has replaced it.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from db.users import PERMISSIONS, ROLES, User
from ui.auth import PAGES

PENDING = "cl_page_after_sign_in"
REFUSED = "cl_page_refused"  # the page last refused, said until the person moves on


def requested_page() -> str | None:
    """The page stem this run's URL path names (`/explorer` → "explorer"), None for none."""
    ctx = get_script_run_ctx()
    name = getattr(getattr(ctx, "pages_manager", None), "intended_page_name", None)
    return name if name in PAGES else None


def remember_requested_page() -> None:
    """First thing on every run, before the sign-in form may stop it: keep the page the URL
    names. The form's later runs carry no page, so they keep what the first one remembered."""
    name = requested_page()
    if name is not None:
        st.session_state[PENDING] = name


def page_wanted() -> str | None:
    """Once signed in: the page the URL named on this run or before sign-in, then forgotten."""
    return st.session_state.pop(PENDING, None)


def refused_notice(wanted: str | None, user: User, allowed: set[str], landed: str) -> str | None:
    """What to say on the page a refused request landed on (the default one), on every run
    until the person opens another page: a single run's message would be gone at the next
    rerun (the sign-in cookie's own, a filter changed)."""
    if wanted is not None and wanted not in allowed:
        st.session_state[REFUSED] = (wanted, landed)
    refused = st.session_state.get(REFUSED)
    if refused is None or refused[1] != landed:
        st.session_state.pop(REFUSED, None)
        return None
    return refusal(refused[0], user)


def refusal(stem: str, user: User) -> str:
    """Why a page the URL names is not shown: the role it needs and the user's own."""
    title, _, permission = PAGES[stem]
    needed = next(r for r in ROLES if permission in PERMISSIONS[r])
    return f"{title} needs the {needed} role; you are signed in as {user.role}."


def aim(stem: str) -> None:
    """Have st.navigation open this page on this very run, as a link to its URL path would
    (no st.switch_page: its extra run could leave the new page's widgets drawn at their
    defaults in the browser while the server holds the link's values)."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        ctx.pages_manager.set_script_intent("", stem)
