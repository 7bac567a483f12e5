"""Users & audit (admin): who may sign in, with which role and scope, and who did what."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from db import users as users_db
from db.users import LOCKOUT_FAILURES, LOCKOUT_MINUTES, ROLES, Scope, UserError
from ui import data
from ui.auth import guard
from ui.tables import table

admin = guard(__file__)
st.title("Users & audit")
engine = data.engine()
everyone = users_db.users(engine)


def scope_text(scope: Scope) -> str:
    if scope.unlimited:
        return "everything"
    parts = [
        f"{label}: {', '.join(values)}"
        for label, values in (
            ("providers", scope.providers),
            ("billing accounts", scope.billing_accounts),
            ("sub-accounts", scope.sub_accounts),
        )
        if values
    ]
    return "; ".join(parts)


st.subheader("Users")
table(
    pd.DataFrame(
        [
            {
                "username": u.username,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "scope": scope_text(u.scope),
                "status": "disabled" if u.disabled else "active",
            }
            for u in everyone
        ]
    ),
    labels={
        "username": "User",
        "name": "Name",
        "email": "E-mail",
        "role": "Role",
        "scope": "Sees",
        "status": "Status",
    },
    file_name="users",
    key="adm_users",
)


def scope_inputs(prefix: str, current: Scope) -> Scope:
    """Pick lists from what the data holds; empty means no limit."""
    everything = data.bounds(Scope())
    accounts = data.account_names(Scope())
    c1, c2, c3 = st.columns(3)
    providers = c1.multiselect(
        "Providers",
        everything.providers,
        default=list(current.providers),
        key=f"{prefix}_p",
        placeholder="All",
    )
    billing = c2.multiselect(
        "Billing accounts",
        sorted(set(accounts) | set(current.billing_accounts)),
        default=list(current.billing_accounts),
        format_func=lambda a: f"{accounts.get(a, '')} ({a})" if accounts.get(a) else a,
        key=f"{prefix}_b",
        placeholder="All",
    )
    subs_text = c3.text_input(
        "Sub-accounts (comma-separated ids)", ", ".join(current.sub_accounts), key=f"{prefix}_s"
    )
    subs = tuple(s.strip() for s in subs_text.split(",") if s.strip())
    return Scope(tuple(providers), tuple(billing), subs)


with (
    st.expander("Add a user", icon=":material/person_add:"),
    st.form("adm_add", clear_on_submit=True),
):
    c1, c2, c3 = st.columns(3)
    username = c1.text_input("User name")
    name = c2.text_input("Full name")
    email = c3.text_input("E-mail")
    c1, c2 = st.columns(2)
    role = c1.selectbox("Role", ROLES)
    password = c2.text_input("Initial password", type="password")
    scope = scope_inputs("adm_add", Scope())
    if st.form_submit_button("Add user"):
        try:
            users_db.add_user(
                engine,
                username.strip(),
                password,
                role=role,
                name=name,
                email=email,
                scope=scope,
                actor=admin.username,
            )
            st.success(f"Added {username}.")
            st.rerun()
        except UserError as exc:
            st.error(f"Not added: {exc}.")

with st.expander("Change a user", icon=":material/manage_accounts:"):
    names = [u.username for u in everyone]
    picked = st.selectbox("User", names, key="adm_pick")
    chosen = next(u for u in everyone if u.username == picked)
    with st.form("adm_edit"):
        role = st.selectbox("Role", ROLES, index=ROLES.index(chosen.role))
        scope = scope_inputs("adm_edit", chosen.scope)
        new_password = st.text_input("New password (leave empty to keep)", type="password")
        disabled = st.checkbox("Disabled", value=chosen.disabled)
        if st.form_submit_button("Save changes"):
            try:
                if chosen.username == admin.username and (disabled or role != "admin"):
                    raise UserError("you cannot demote or disable yourself")
                users_db.update_user(engine, chosen.username, role, scope, actor=admin.username)
                if new_password:
                    users_db.set_password(engine, chosen.username, new_password, admin.username)
                if disabled != chosen.disabled:
                    users_db.set_disabled(engine, chosen.username, disabled, admin.username)
                st.success(f"Saved {chosen.username}.")
                st.rerun()
            except UserError as exc:
                st.error(f"Not saved: {exc}.")

locked = users_db.locked_out(engine)
with st.expander(f"Locked out ({len(locked)})", icon=":material/lock:", expanded=bool(locked)):
    if not locked:
        st.caption(
            f"Nobody: a user is locked out from a client address after {LOCKOUT_FAILURES} "
            f"failed sign-ins from it in {LOCKOUT_MINUTES} minutes."
        )
    for i, (name, addresses) in enumerate(locked.items()):
        left, right = st.columns([4, 1])
        where = ", ".join(a or "an unknown address" for a in addresses)
        left.text(f"{name}: locked out from {where}")
        if right.button("Unlock", key=f"adm_unlock_{i}"):
            users_db.unlock(engine, name, actor=admin.username)
            st.rerun()

st.subheader("Audit log")
c1, c2 = st.columns(2)
who = c1.selectbox("User", ["(anyone)", *[u.username for u in everyone]], key="adm_who")
actions = users_db.audit_actions(engine)
action = c2.selectbox("Action", ["(any)", *actions], key="adm_action")
rows = users_db.recent_audit(
    engine,
    username=None if who == "(anyone)" else who,
    action=None if action == "(any)" else action,
)
log = pd.DataFrame(
    [
        {"at": r.at, "username": r.username or "", "action": r.action, "detail": r.detail}
        for r in rows
    ],
    columns=["at", "username", "action", "detail"],
)
table(
    log,
    labels={"at": "When", "username": "User", "action": "Action", "detail": "Detail"},
    file_name="audit-log",
    key="adm_audit",
)
