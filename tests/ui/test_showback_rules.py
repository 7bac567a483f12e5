"""The Showback page's rule form: a rule that cannot be saved says why in words; a good one is
saved with its name trimmed."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from db.engine import get_engine
from db.showback import rules
from ingestion.loader import load_file
from tests.conftest import ROOT
from tests.focus_files import row, write_csv
from tests.ui.conftest import sign_in


@pytest.fixture
def tagged(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    rows = [
        row("2024-09-01", "10.00", tags='{"team": "web"}'),
        row("2024-09-02", "5.00", tags='{"team": "data"}'),
        row("2024-09-03", "1.00", tags=""),
    ]
    assert load_file(empty_db, write_csv(tmp_path / "t.csv", rows)).status == "loaded"
    return empty_db


@pytest.fixture
def page(app_env: str, tagged: sa.Engine) -> AppTest:
    """The page on its own: AppTest submits a form of a page run directly, not after
    switch_page from the whole app."""
    st.cache_data.clear()
    st.cache_resource.clear()
    get_engine()  # creates admin
    return sign_in(AppTest.from_file(str(ROOT / "pages/showback.py"), default_timeout=60), "admin")


def submit(app: AppTest, name: str, method: str) -> AppTest:
    app.text_input(key="sb_new_name").input(name)
    app.radio(key="sb_new_method").set_value(method)
    next(b for b in app.button if b.label == "Save rule").click()
    return app.run()


@pytest.mark.parametrize(
    ("name", "method", "message"),
    [
        ("  ", "even", "Give the rule a name."),
        ("split", "fixed", "List at least one value with a percentage."),
    ],
    ids=["no-name", "fixed-without-shares"],
)
def test_a_bad_rule_says_why(page, tagged, name: str, method: str, message: str) -> None:
    app = submit(page.run(), name, method)
    assert not app.exception
    assert [e.value for e in app.error] == [message]
    assert rules(tagged) == []


def test_a_good_rule_is_saved(page, tagged) -> None:
    app = submit(page.run(), "  spread  ", "even")
    assert not app.exception and not app.error
    assert [(r.name, r.tag_key, r.method, r.pool_value) for r in rules(tagged)] == [
        ("spread", "team", "even", None)
    ]
