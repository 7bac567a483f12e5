"""A scoped user sees only their accounts' cost on every page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

from db import users
from db.users import Scope
from ingestion.loader import load_file
from tests.conftest import ROOT
from tests.focus_files import row, write_csv
from tests.ui.conftest import sign_in

SECRETS = ("Secret Service", "theirs", "Hidden VM", "Microsoft", "1,000", "1000")


@pytest.fixture
def scoped(app_env: str, empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    rows = [
        row("2024-09-01", "10", account="mine", service="Mine Service", tags='{"team": "a"}'),
        row("2024-09-02", "1000", account="theirs", service="Secret Service", tags='{"team": "b"}'),
        row("2024-09-03", "77", provider="Microsoft", service="Hidden VM", tags='{"team": "c"}'),
    ]
    load_file(empty_db, write_csv(tmp_path / "s.csv", rows))
    if not users.get_user(empty_db, "scoped"):
        users.add_user(
            empty_db,
            "scoped",
            "scoped-password-1",
            role="viewer",
            scope=Scope(providers=("AWS",), sub_accounts=("mine",)),
        )
    return empty_db


def everything_shown(app: AppTest) -> str:
    parts = [m.value for m in app.metric] + [m.label for m in app.metric]
    parts += [pd.DataFrame(d.value).to_csv() for d in app.dataframe]
    parts += [x.value for x in app.markdown] + [x.value for x in app.caption]
    for box in (*app.multiselect, *app.selectbox):
        parts += [str(o) for o in box.options]
    return "\n".join(parts)


def table_with(app: AppTest, column: str) -> list[dict]:
    """The rows of the table that has this column; none when the page shows no such table."""
    tables = (d.value for d in app.dataframe if column in d.value.columns)
    return pd.DataFrame(next(tables, None)).to_dict("records")


def own_rows(app: AppTest, page: str) -> list[tuple]:
    """What each page shows of the scoped user's one row (AWS, sub-account mine, team a, 10.00)."""
    if page == "overview":
        months = [m.value for m in app.metric if m.label.startswith("Month to date")]
        services = table_with(app, "service_name")
        return [("Month to date", month) for month in months] + [
            (r["service_name"], r["provider"], r["billed_cost"]) for r in services
        ]
    if page == "explorer":
        return [(r["dim1"], r["Total"]) for r in table_with(app, "Total")]
    if page == "showback":
        return [(r["value"], r["before"], r["after"]) for r in table_with(app, "allocated")]
    return [
        (r["provider"], r["billing_account_id"], r["tag_value"], r["Total"])
        for r in table_with(app, "tag_value")
    ]


# The scoped user's own cost, as each page shows it: the one 10.00 row of sub-account "mine".
OWN = {
    "overview": [("Month to date", "$10.00"), ("Mine Service", "AWS", 10.0)],
    "explorer": [("AWS", 10.0)],
    "showback": [("a", 10.0, 10.0), ("Total", 10.0, 10.0)],
    "exports": [("AWS", "999", "a", 10.0)],
}


@pytest.mark.parametrize("page", ["overview", "explorer", "showback", "exports"])
def test_scoped_user_never_sees_other_accounts(scoped, page: str) -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    app = sign_in(
        AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=60), "scoped"
    )
    app.run()
    assert not app.exception
    assert own_rows(app, page) == OWN[page]  # a page showing nothing fails here
    shown = everything_shown(app)
    for secret in SECRETS:
        assert secret not in shown, f"{page} shows {secret!r}"
