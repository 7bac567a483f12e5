"""Users & audit (admin): who may sign in, with which role and scope, and who did what."""

from __future__ import annotations

import streamlit as st

from ui import data, users
from ui.auth import guard
from ui.tables import table
from ui.users import (
    ANY_ACTION,
    ANYONE,
    EVERYTHING,
    LOCKOUT_FAILURES,
    LOCKOUT_MINUTES,
    ROLES,
    Scope,
    UserError,
)

admin = guard(__file__)
st.title("Users & audit")
everyone = users.everyone()

st.subheader("Users")
table(
    users.users_frame(everyone),
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
    everything = data.bounds(EVERYTHING)
    accounts = data.account_names(EVERYTHING)
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
    return users.scope_from(providers, billing, subs_text)


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
    scope = scope_inputs("adm_add", EVERYTHING)
    if st.form_submit_button("Add user"):
        try:
            users.add(username, password, role, name, email, scope, actor=admin.username)
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
                users.change(chosen, role, scope, new_password, disabled, actor=admin.username)
                st.success(f"Saved {chosen.username}.")
                st.rerun()
            except UserError as exc:
                st.error(f"Not saved: {exc}.")

locked = users.locked_out()
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
            users.unlock(name, actor=admin.username)
            st.rerun()

st.subheader("Audit log")
c1, c2 = st.columns(2)
who = c1.selectbox("User", [ANYONE, *[u.username for u in everyone]], key="adm_who")
action = c2.selectbox("Action", [ANY_ACTION, *users.audit_actions()], key="adm_action")
table(
    users.audit_frame(who, action),
    labels={"at": "When", "username": "User", "action": "Action", "detail": "Detail"},
    file_name="audit-log",
    key="adm_audit",
)
