"""The Overview names sub-accounts in its top movers (the id beside the name, for the accounts
whose names repeat across clouds)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from ingestion.loader import load_file
from tests.focus_files import row, write_csv


def test_sub_account_movers_read_by_name(app, empty_db: sa.Engine, tmp_path: Path) -> None:
    rows = []
    for day in range(1, 31):
        d = f"2024-09-{day:02d}"
        rows += [
            row(d, "10.00"),  # 111111111111: flat
            row(d, "4.50" if day <= 15 else "9.00", service="Amazon S3", account="222"),
        ]
    assert load_file(empty_db, write_csv(tmp_path / "sep.csv", rows)).status == "loaded"
    app.query_params.update({"from": "2024-09-16", "to": "2024-09-30"})
    app.run()
    assert not app.exception
    moved = next(
        df.value for df in app.dataframe if "name" in df.value.columns and "change" in df.value
    )
    first = moved.iloc[0]
    assert (first["name"], first["value"]) == ("acct 222", "222")
    assert Decimal(str(first["previous_cost"])) == Decimal("67.50")  # 15 × 4.50
    assert Decimal(str(first["current_cost"])) == Decimal("135.00")  # 15 × 9.00
