"""Users & audit: adding a user with a scope, changing one, and the rule that an admin cannot
demote themself, through the page (AppTest) and read back from app."user"."""

from __future__ import annotations

import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from db import users
from db.engine import get_engine
from tests.conftest import ROOT
from tests.ui.conftest import sign_in

PASSWORD = "carol-password-1"


def admin_page() -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    page = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=60)
    return sign_in(page, "admin").run()


def form_input(app: AppTest, form: str, label: str):
    return next(w for w in app.text_input if w.label == label and w.form_id == form)


def test_add_then_change_a_user(app_env: str, empty_db: sa.Engine) -> None:
    get_engine()
    app = admin_page()
    form_input(app, "adm_add", "User name").input(" carol ")
    form_input(app, "adm_add", "Full name").input("Carol Jones")
    next(s for s in app.selectbox if s.label == "Role" and s.form_id == "adm_add").select("analyst")
    form_input(app, "adm_add", "Initial password").input(PASSWORD)
    app.text_input(key="adm_add_s").input("111, 222 ,")
    next(b for b in app.button if b.label == "Add user").click().run()
    assert not app.exception and not app.error
    carol = users.get_user(empty_db, "carol")
    assert carol is not None and (carol.name, carol.role) == ("Carol Jones", "analyst")
    assert carol.scope.sub_accounts == ("111", "222") and carol.scope.providers == ()
    assert users.check_password(PASSWORD, carol.password_hash)
    shown = app.dataframe[0].value
    assert list(shown.loc[shown["username"] == "carol", "scope"]) == ["sub-accounts: 111, 222"]

    app.selectbox(key="adm_pick").select("carol").run()
    next(s for s in app.selectbox if s.label == "Role" and s.form_id == "adm_edit").select("viewer")
    next(c for c in app.checkbox if c.label == "Disabled").check()
    next(b for b in app.button if b.label == "Save changes").click().run()
    assert not app.exception and not app.error
    carol = users.get_user(empty_db, "carol")
    assert carol is not None and carol.role == "viewer" and carol.disabled


def test_an_admin_cannot_demote_themself(app_env: str, empty_db: sa.Engine) -> None:
    get_engine()
    app = admin_page()
    app.selectbox(key="adm_pick").select("admin").run()
    next(s for s in app.selectbox if s.label == "Role" and s.form_id == "adm_edit").select("viewer")
    next(b for b in app.button if b.label == "Save changes").click().run()
    assert [e.value for e in app.error] == ["Not saved: you cannot demote or disable yourself."]
    admin = users.get_user(empty_db, "admin")
    assert admin is not None and admin.role == "admin" and not admin.disabled
