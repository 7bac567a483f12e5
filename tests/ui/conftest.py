from __future__ import annotations

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from db.engine import get_engine
from tests.conftest import ROOT


@pytest.fixture
def anonymous(app_env: str) -> AppTest:
    """The whole app (sign-in and navigation included), nobody signed in, caches cleared."""
    st.cache_data.clear()
    st.cache_resource.clear()
    get_engine()  # what every entry point does first: migrate, and create admin if no user
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def sign_in(app: AppTest, username: str) -> AppTest:
    """Start the session as signed in (the form itself is tested in test_auth.py)."""
    app.session_state["authentication_status"] = True
    app.session_state["username"] = username
    return app


@pytest.fixture
def app(anonymous: AppTest, engine: sa.Engine) -> AppTest:
    return sign_in(anonymous, "admin")
