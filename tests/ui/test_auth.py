"""Sign-in, roles, lockout, scope and escaping, through the real app in AppTest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from db import users
from db.engine import get_engine
from ingestion.loader import load_file
from tests.conftest import ADMIN_PASSWORD, ROOT
from tests.focus_files import row, write_csv
from tests.ui.conftest import sign_in

PAGES = ["overview", "explorer", "showback", "exports", "sources", "admin"]
PASSWORD = "correct-horse-battery"


def submit(app: AppTest, username: str, password: str) -> AppTest:
    next(t for t in app.text_input if t.label == "Username").input(username)
    next(t for t in app.text_input if t.label == "Password").input(password)
    next(b for b in app.button if b.label == "Sign in").click()
    return app.run()


def actions(engine: sa.Engine) -> list[tuple[str | None, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT username, action FROM app.audit_log ORDER BY audit_id"))
        return [tuple(r) for r in rows]


@pytest.fixture
def people(app_env: str, empty_db: sa.Engine) -> sa.Engine:
    get_engine()  # creates admin on an empty install
    for name, role in (("vera", "viewer"), ("andy", "analyst")):
        if not users.get_user(empty_db, name):
            users.add_user(empty_db, name, PASSWORD, role=role)
    users.set_disabled(empty_db, "vera", False)
    return empty_db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_refuses_an_anonymous_session(people, page: str) -> None:
    st.cache_resource.clear()
    app = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60).run()
    assert not app.exception
    assert "Sign in to Cloudlens" in [s.value for s in app.subheader]
    assert not app.metric and not app.dataframe and not app.title


def test_app_shows_only_the_sign_in_form(people, anonymous: AppTest) -> None:
    anonymous.run()
    assert "Sign in to Cloudlens" in [s.value for s in anonymous.subheader]
    assert not anonymous.title


def test_sign_in_and_out(people, anonymous: AppTest) -> None:
    app = submit(anonymous.run(), "admin", ADMIN_PASSWORD)
    assert not app.exception
    assert [t.value for t in app.title] == ["Overview"]
    assert ("admin", "login") in actions(people)
    next(b for b in app.button if b.label == "Sign out").click()
    app.run()
    assert ("admin", "logout") in actions(people)
    assert "Sign in to Cloudlens" in [s.value for s in app.subheader]


def test_wrong_password_is_refused_and_audited(people, anonymous: AppTest) -> None:
    app = submit(anonymous.run(), "vera", "not-the-password")
    assert "Wrong user name or password." in [e.value for e in app.error]
    assert not app.title
    assert ("vera", "login_failed") in actions(people)


def test_lockout_after_five_failures_in_fifteen_minutes(people, anonymous: AppTest) -> None:
    app = anonymous.run()
    for _ in range(5):
        app = submit(app, "andy", "wrong-password-x")
    app = submit(app, "andy", PASSWORD)  # the right password no longer helps
    assert any("locked" in e.value for e in app.error)
    assert not app.title
    assert actions(people).count(("andy", "login_failed")) == 5


def test_roles_decide_the_pages(people, anonymous: AppTest) -> None:
    viewer = sign_in(anonymous, "vera").run()
    assert [t.value for t in viewer.title] == ["Overview"]
    st.cache_resource.clear()
    direct = sign_in(AppTest.from_file(str(ROOT / "pages" / "admin.py")), "vera").run()
    assert "Your role does not include this page." in direct.error[0].value
    admin = sign_in(AppTest.from_file(str(ROOT / "pages" / "admin.py")), "admin").run()
    assert [t.value for t in admin.title] == ["Users & audit"]


def test_disabled_user_is_signed_out_at_the_next_run(people, anonymous: AppTest) -> None:
    app = sign_in(anonymous, "vera").run()
    assert [t.value for t in app.title] == ["Overview"]
    users.set_disabled(people, "vera", True)
    app.run()
    assert not app.title
    assert any("cannot sign in" in e.value for e in app.error)


def test_untrusted_text_is_shown_escaped(people, anonymous: AppTest, tmp_path: Path) -> None:
    evil = "<img src=x onerror=alert(1)>"
    rows = [row("2024-09-01", "5", tags=f'{{"team": "{evil}"}}', service=evil)]
    load_file(people, write_csv(tmp_path / "x.csv", rows))
    from db.showback import AllocationRule, save_rule

    save_rule(people, AllocationRule(evil, "team", "even"))
    for page in ("overview", "explorer", "showback"):
        st.cache_data.clear()
        st.cache_resource.clear()
        app = sign_in(AppTest.from_file(str(ROOT / "pages" / f"{page}.py")), "admin").run()
        assert not app.exception
        rendered = [m.value for m in app.markdown] + [c.value for c in app.caption]
        assert not [t for t in rendered if re.search(r"(?<!\\)<img", t)], page
