"""Sign-in and roles, in one place: app.py calls `require_login()` before any page runs, and
builds the navigation only from pages the user's role allows.

streamlit-authenticator draws the form and keeps the signed cookie; the users come from
app."user" on every run (so a disabled user is out at their next click), with the recent failed
attempts from this client's address filled in, so the library's own attempt limit enforces the
lockout, per user and address (an admin unlocks: Users & audit, or `python -m db user unlock`).
"""

from __future__ import annotations

import time

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from db import users as users_db
from db.users import LOCKOUT_FAILURES, LOCKOUT_MINUTES, User
from ui import data
from ui.format import escape_md

COOKIE_NAME = "cloudlens_session"
COOKIE_DAYS = 1.0

# Page file stem -> (title, icon, permission needed): the one place roles meet pages. app.py
# builds the navigation from it and every page's guard() checks it, so a page opened any other
# way (a direct URL, `streamlit run pages/x.py`) is refused just the same.
PAGES: dict[str, tuple[str, str, str]] = {
    "overview": ("Overview", ":material/dashboard:", "read"),
    "explorer": ("Cost explorer", ":material/query_stats:", "read"),
    "showback": ("Showback", ":material/account_tree:", "read"),
    "exports": ("Exports", ":material/download:", "export"),
    "sources": ("Data sources", ":material/sync:", "sources"),
    "admin": ("Users & audit", ":material/admin_panel_settings:", "users"),
}


# Proxy headers that name the client, most trusted first; read only when the connection itself
# comes from this machine (a reverse proxy here), since any client could send them.
_PROXY_HEADERS = ("X-Real-Ip", "X-Forwarded-For")


def client_address() -> str | None:
    """The client's address for the lockout: the connection's (st.context.ip_address), or,
    behind a reverse proxy on this machine, the one the proxy put in its header (the last hop
    of X-Forwarded-For, the one the proxy appended). None when neither says."""
    direct = st.context.ip_address
    if isinstance(direct, str) and direct:
        return direct
    for header in _PROXY_HEADERS:
        value = st.context.headers.get(header)
        if isinstance(value, str) and value.split(",")[-1].strip():
            return value.split(",")[-1].strip()
    return None


def _credentials(address: str | None) -> tuple[dict, dict[str, User]]:
    """Users as the library wants them, each with its failed sign-ins from `address`: the
    library's attempt limit then locks a user out from that client only."""
    engine = data.engine()
    failures = users_db.recent_failures(engine, address)
    active = {u.username: u for u in users_db.users(engine) if not u.disabled}
    creds = {
        "usernames": {
            name: {
                "name": u.name,
                "email": u.email,
                "password": u.password_hash,
                "roles": [u.role],
                "failed_login_attempts": failures.get(name.lower(), 0),
            }
            for name, u in active.items()
        }
    }
    return creds, active


def _failed_attempt(creds: dict, before: dict[str, int]) -> str | None:
    """The library counts a failure on the user it was given; that tells us who tried."""
    for name, entry in creds["usernames"].items():
        if entry.get("failed_login_attempts", 0) > before.get(name, 0):
            return name
    return None


def _cookie_user(active: dict[str, User]) -> User | None:
    """The user a valid, unexpired, unrevoked sign-in cookie names, else None. A cookie the
    browser kept after sign-out (or a password change) is void: the moment is in the audit log."""
    token = st.context.cookies.get(COOKIE_NAME)
    if not token:
        return None
    try:
        claims = jwt.decode(token, data.settings().cookie_key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    user = active.get(claims.get("username", ""))
    expires = float(claims.get("exp_date", 0))
    if user is None or expires <= time.time():
        return None
    revoked = users_db.sessions_revoked_at(data.engine(), user.username)
    if revoked is not None and expires - COOKIE_DAYS * 86400 <= revoked.timestamp():
        return None
    return user


def _restore_from_cookie(active: dict[str, User]) -> None:
    """Honour the sign-in cookie from the HTTP request itself, so the first run already knows
    the user and a bookmarked link opens its own page and view (the library's cookie component
    answers a run later, when navigation has already fallen back to the default page). Any other
    cookie is refused here, before the library could honour it on its own."""
    if st.session_state.get("authentication_status") or st.session_state.get("logout"):
        return
    if COOKIE_NAME not in st.context.cookies:
        return
    user = _cookie_user(active)
    if user is None:
        st.session_state["logout"] = True  # the library reads no cookie once signed out
        return
    st.session_state.update(
        authentication_status=True, username=user.username, name=user.name, email=user.email
    )


def require_login() -> User:
    """The signed-in user, or the login form and a stop."""
    engine = data.engine()
    address = client_address()
    creds, active = _credentials(address)
    _restore_from_cookie(active)
    before = {n: e["failed_login_attempts"] for n, e in creds["usernames"].items()}
    authenticator = stauth.Authenticate(
        creds,
        cookie_name=COOKIE_NAME,
        cookie_key=data.settings().cookie_key,
        cookie_expiry_days=COOKIE_DAYS,
        auto_hash=False,
    )
    st.session_state["authenticator"] = authenticator
    try:
        authenticator.login(
            location="main",
            key="login",
            fields={"Form name": "Sign in to Cloudlens", "Login": "Sign in"},
            max_login_attempts=LOCKOUT_FAILURES,
            callback=lambda event: users_db.audit(engine, event["username"], "login"),
        )
    except LoginError as exc:
        if "attempts" in str(exc):
            st.error(
                f"Too many failed sign-ins from here: this account is locked out here for "
                f"{LOCKOUT_MINUTES} minutes. Try again later, or ask an admin to unlock it."
            )
            users_db.audit(engine, None, "login_locked", address=address)
        else:
            st.error("This account cannot sign in (disabled or removed). Ask an admin.")
            authenticator.logout(location="unrendered")
        st.stop()
    status = st.session_state.get("authentication_status")
    if status is False:
        who = _failed_attempt(creds, before)
        users_db.audit(engine, who, "login_failed", known_user=who is not None, address=address)
        st.error("Wrong user name or password.")
    if not status:
        st.stop()
    user = active.get(st.session_state.get("username") or "")
    if user is None:  # signed in by cookie, then disabled or deleted
        authenticator.logout(location="unrendered")
        st.error("This account cannot sign in (disabled or removed). Ask an admin.")
        st.stop()
    st.session_state["user"] = user
    return user


def current_user() -> User:
    """The signed-in user, read afresh from the database (a disabled user or a changed role or
    scope takes effect at the next click); anyone else gets the sign-in form and a stop."""
    signed_in = st.session_state.get("user")
    if signed_in is None:
        return require_login()
    user = users_db.get_user(data.engine(), signed_in.username)
    if user is None or user.disabled:
        st.session_state.pop("user", None)
        authenticator = st.session_state.get("authenticator")
        if authenticator is not None:
            authenticator.logout(location="unrendered")
        st.error("This account cannot sign in (disabled or removed). Ask an admin.")
        st.stop()
    st.session_state["user"] = user
    return user


def _through_app() -> None:
    """Run pages through app.py. Until some session has called st.navigation, Streamlit treats
    a project with a pages/ folder as an old-style multipage app: the first visitor after a
    server start who opens a page's own URL (a link to /explorer) gets that page run alone,
    without app.py's sidebar links, sign-out and page routing. Switch that mode off and run
    again: the rerun goes through app.py, to the same page."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def guard(page_file: str) -> User:
    """First line of every page: signed in, and the role allows this page."""
    _through_app()
    user = current_user()
    stem = page_file.rsplit("/", 1)[-1].removesuffix(".py")
    if not user.can(PAGES[stem][2]):
        st.error("Your role does not include this page. Ask an admin if you need it.")
        st.stop()
    return user


def _sign_out(username: str) -> None:
    users_db.audit(data.engine(), username, "logout")
    st.session_state["authenticator"].logout(location="unrendered")
    st.session_state.pop("user", None)


def logout_button(user: User) -> None:
    with st.sidebar:
        st.caption(f"Signed in as **{escape_md(user.name)}** ({user.role})")
        st.button(
            "Sign out",
            key="cl_sign_out",
            icon=":material/logout:",
            on_click=_sign_out,
            args=(user.username,),
        )


def audit(action: str, **detail: object) -> None:
    """Record what the signed-in user just did (rule changes, ...)."""
    users_db.audit(data.engine(), current_user().username, action, **detail)


def audit_export(file: str, **detail: object) -> None:
    """on_click of every download button: who took which file."""
    audit("export", file=file, **detail)
