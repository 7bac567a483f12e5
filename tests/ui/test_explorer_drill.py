"""The explorer's drill path in AppTest: breadcrumb and chips, removing a filter, going back up
a step, names shown for account ids (kept as ids in the URL), and the widgets following the URL
when the browser's Back changes it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from ingestion.loader import load_file
from tests.focus_files import row, write_csv


@pytest.fixture
def accounts(empty_db: sa.Engine, tmp_path: Path) -> sa.Engine:
    """September 2024: payer 999 'Payer'; AWS sub-accounts 111111111111 (EC2, 10.00 a day) and
    222 (S3, 4.50 a day), and Microsoft (1.25 a day)."""
    rows = []
    for day in range(1, 31):
        d = f"2024-09-{day:02d}"
        rows += [
            row(d, "10.00", service="Amazon EC2"),
            row(d, "4.50", service="Amazon S3", account="222"),
            row(d, "1.25", provider="Microsoft", service="Storage", tags=""),
        ]
    assert load_file(empty_db, write_csv(tmp_path / "acct.csv", rows)).status == "loaded"
    return empty_db


def open_link(app, **params: str | list[str]):
    app.query_params.update({"gran": "month", **params})
    app.switch_page("pages/explorer.py").run()
    assert not app.exception
    return app


def qp(app, name: str) -> list[str]:
    if name not in app.query_params:
        return []
    value = app.query_params[name]
    return value if isinstance(value, list) else [value]


def pivot_table(app):
    return next(df.value for df in app.dataframe if "Total" in df.value.columns)


def totals(app, column: str = "dim1") -> dict[str, Decimal]:
    wide = pivot_table(app)
    return {k: Decimal(str(v)) for k, v in zip(wide[column], wide["Total"], strict=True)}


def texts(app) -> list[str]:
    """Markdown as read (names are escaped: a '-' in a name is data, not markup)."""
    return [m.value.replace("\\", "") for m in app.markdown]


def test_chips_and_breadcrumb_name_accounts_and_remove_filters(app, accounts) -> None:
    open_link(app, g="sub_account", **{"f.provider": "AWS", "f.billing_account": "999"})

    # All costs › Provider: AWS › Billing account: Payer › by sub-account
    assert app.button(key="ex_up_0").label == "All costs"
    assert app.button(key="ex_up_1").label == "Provider: AWS"
    assert "**Billing account: Payer**" in texts(app)
    assert "› by sub-account" in texts(app)
    chip = app.button(key="ex_chip_billing_account_999")
    assert chip.label == "Billing account: Payer" and "id 999" in chip.help
    assert app.button(key="ex_chip_provider_AWS").label == "Provider: AWS"

    # rows by name, the id beside each (and in the CSV)
    assert totals(app, "dim1_name") == {
        "acct 111111111111": Decimal("300.00"),
        "acct 222": Decimal("135.00"),
    }
    assert set(pivot_table(app)["dim1"]) == {"111111111111", "222"}
    assert "Payer" in app.multiselect(key="ex_f_billing_account").options

    # a chip's ✕ removes its filter only
    app.button(key="ex_chip_billing_account_999").click().run()
    assert qp(app, "f.billing_account") == [] and qp(app, "f.provider") == ["AWS"]
    assert qp(app, "g") == ["sub_account"]
    assert not [b for b in app.button if b.key == "ex_chip_billing_account_999"]
    assert "**Provider: AWS**" in texts(app)

    # "All costs" goes back above the first step: no filter, grouped by provider
    app.button(key="ex_up_0").click().run()
    assert qp(app, "f.provider") == [] and qp(app, "g") == ["provider"]
    assert not [b for b in app.button if (b.key or "").startswith("ex_chip_")]
    assert "**All costs**" in texts(app)
    assert totals(app) == {"AWS": Decimal("435.00"), "Microsoft": Decimal("37.50")}


def test_breadcrumb_step_goes_back_up_to_it(app, accounts) -> None:
    open_link(
        app,
        g="service",
        **{"f.provider": "AWS", "f.billing_account": "999", "f.sub_account": "222"},
    )
    assert app.button(key="ex_up_2").label == "Billing account: Payer"
    assert "**Sub-account: acct 222**" in texts(app)
    assert totals(app) == {"Amazon S3": Decimal("135.00")}

    app.button(key="ex_up_1").click().run()  # "Provider: AWS": AWS by billing account
    assert qp(app, "f.provider") == ["AWS"]
    assert qp(app, "f.billing_account") == [] and qp(app, "f.sub_account") == []
    assert qp(app, "g") == ["billing_account"]
    assert totals(app, "dim1_name") == {"Payer": Decimal("435.00")}
    assert list(pivot_table(app)["dim1"]) == ["999"]


def test_widgets_follow_the_url_when_back_changes_it(app, accounts) -> None:
    open_link(app, g="billing_account", **{"f.provider": "AWS"})
    assert app.session_state["ex_f_provider"] == ["AWS"]
    # the browser's Back reruns the page with the older URL; the widgets still hold the newer
    app.query_params.clear()
    app.query_params.update({"gran": "month", "g": "provider"})
    app.run()
    assert app.session_state["ex_g1"] == "provider"
    assert app.session_state["ex_f_provider"] == []
    assert totals(app) == {"AWS": Decimal("435.00"), "Microsoft": Decimal("37.50")}
    # ...and a change made on the page after that is kept (not undone by the URL)
    app.selectbox(key="ex_metric").select("list_cost").run()
    assert qp(app, "metric") == ["list_cost"] and app.session_state["ex_g1"] == "provider"
