"""Security details through the real app in AppTest: tag keys and values are text on Showback,
the lockout counts per user and client address, an admin unlocks (page and CLI), and the audit
filter offers every action."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from db import users
from db.engine import get_engine
from db.showback import AllocationRule, save_rule
from ingestion.loader import load_file
from tests.conftest import ROOT
from tests.focus_files import row, write_csv
from tests.ui.conftest import sign_in
from tests.ui.test_auth import PASSWORD, submit

LINK_KEY = "[x](http://evil)"
IMAGE_VALUE = "![i](http://x/i.png)"
HTML_VALUE = "<a href='http://evil'>x</a>"
ATTACKER = "203.0.113.9"
# Markdown that would render: a link or image `[..](..)` whose brackets are not escaped.
LIVE_MARKDOWN = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def page(name: str, user: str = "admin", **state: object) -> AppTest:
    st.cache_data.clear()
    st.cache_resource.clear()
    app = sign_in(AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=60), user)
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


@pytest.fixture
def people(app_env: str, empty_db: sa.Engine) -> sa.Engine:
    get_engine()
    if not users.get_user(empty_db, "andy"):
        users.add_user(empty_db, "andy", PASSWORD, role="analyst")
    return empty_db


def test_tag_markup_on_showback_is_text(people: sa.Engine, tmp_path: Path) -> None:
    """Keys reach gold normalized (`[x](http://evil)` is the key `x-http-evil`), values as
    delivered: both are shown as typed, in markdown, captions and metric labels."""
    rows = [
        row("2024-09-01", "5", tags=f'{{"{LINK_KEY}": "{IMAGE_VALUE}"}}'),
        row("2024-09-02", "3", tags=f'{{"{LINK_KEY}": "{LINK_KEY}"}}'),
        row("2024-09-03", "2", tags=f'{{"{LINK_KEY}": "{HTML_VALUE}"}}'),
    ]
    load_file(people, write_csv(tmp_path / "x.csv", rows))
    keys = [k for k in page("showback").selectbox[0].options if "evil" in k]
    assert keys, "the tag key is offered on the page"
    rule = AllocationRule("spread", keys[0], "fixed", IMAGE_VALUE, {LINK_KEY: Decimal(100)})
    save_rule(people, rule)
    app = page("showback", sb_key=keys[0], sb_rule="spread")
    assert not app.exception
    rendered = (
        [m.value for m in app.markdown]
        + [c.value for c in app.caption]
        + [m.label for m in app.metric]
    )
    assert not [t for t in rendered if LIVE_MARKDOWN.search(t)], rendered
    assert any(t == "Untagged by x\\-http\\-evil" for t in rendered)
    assert any("\\!\\[i\\]\\(http" in t for t in rendered), "the value is shown, as text"
    assert any("\\[x\\]\\(http" in t for t in rendered), "the value is shown, as text"
    chart = json.loads(app.get("plotly_chart")[0].proto.spec)  # Plotly reads <a> as markup
    bars = [x for trace in chart["data"] for x in trace["x"]]
    assert "&lt;a href='http://evil'&gt;x&lt;/a&gt;" in bars and HTML_VALUE not in bars


def test_lockout_counts_per_address(people: sa.Engine, anonymous: AppTest) -> None:
    for _ in range(users.LOCKOUT_FAILURES):  # someone elsewhere guesses andy's password
        users.audit(people, "andy", "login_failed", known_user=True, address=ATTACKER)
    assert users.locked_out(people) == {"andy": [ATTACKER]}

    app = submit(anonymous.run(), "andy", PASSWORD)  # andy, here, is not locked out
    assert [t.value for t in app.title] == ["Overview"]


def test_lockout_here_and_admin_unlocks_on_the_page(people: sa.Engine, anonymous: AppTest) -> None:
    app = anonymous.run()
    for _ in range(users.LOCKOUT_FAILURES):
        app = submit(app, "andy", "wrong-password-x")
    app = submit(app, "andy", PASSWORD)
    assert any("locked" in e.value for e in app.error)
    assert not app.title
    assert users.locked_out(people) == {"andy": [None]}
    assert users.recent_failures(people, ATTACKER) == {}

    admin = page("admin")
    unlock = next(b for b in admin.button if b.label == "Unlock")
    unlock.click()
    admin.run()
    assert not admin.exception
    assert users.locked_out(people) == {}
    with people.connect() as conn:
        audit = conn.execute(
            sa.text(
                "SELECT username, detail ->> 'user' FROM app.audit_log "
                "WHERE action = 'login_unlocked'"
            )
        ).all()
    assert [tuple(a) for a in audit] == [("admin", "andy")]

    st.cache_resource.clear()
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    again = submit(again, "andy", PASSWORD)
    assert [t.value for t in again.title] == ["Overview"]


def test_unlock_from_the_shell(people: sa.Engine, database_url: str) -> None:
    for _ in range(users.LOCKOUT_FAILURES):
        users.audit(people, "andy", "login_failed", known_user=True, address=ATTACKER)
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "db", "user", "unlock", "andy"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "unlocked andy" in done.stdout
    assert users.locked_out(people) == {}
    unknown = subprocess.run(
        [sys.executable, "-m", "db", "user", "unlock", "nobody"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2 and "no user 'nobody'" in unknown.stderr


def test_audit_filter_offers_every_action(people: sa.Engine) -> None:
    users.audit(people, "admin", "some_future_action")
    app = page("admin")
    options = next(s for s in app.selectbox if s.label == "Action").options
    for action in (
        "source_added",
        "source_changed",
        "source_removed",
        "sync_requested",
        "sync_cancelled",
        "allocation_rule_saved",
        "allocation_rule_deleted",
        "login_unlocked",
        "some_future_action",
    ):
        assert action in options
    app.selectbox(key="adm_action").select("some_future_action").run()
    assert not app.exception
