"""FOCUS line-item extract: streamed, FOCUS-named, and adding up to gold for its scope."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from db.extract import write_line_items
from db.users import Scope
from ingestion.loader import load_file
from tests.focus_files import row, write_csv


def test_extract_matches_gold_for_its_scope(empty_db: sa.Engine, tmp_path: Path) -> None:
    rows = [
        row("2024-09-01", "1.10", account="111"),
        row("2024-09-02", "2.20", account="222", tags='{"note": "a, \\"quoted\\"\\nvalue"}'),
        row("2024-09-03", "3.30", provider="Microsoft"),
        row("2024-10-01", "9.99"),
    ]
    load_file(empty_db, write_csv(tmp_path / "in.csv", rows))
    out = tmp_path / "sept.csv.gz"
    extract = write_line_items(empty_db, out, date(2024, 9, 1), Scope(), providers=("AWS",))
    assert extract.bytes == out.stat().st_size > 0
    with gzip.open(out, "rt", newline="") as f:
        lines = list(csv.DictReader(f))
    assert [r["BilledCost"] for r in lines] == ["1.10", "2.20"]
    assert lines[0]["ChargePeriodStart"] == "2024-09-01T00:00:00Z"
    assert lines[0]["BillingPeriodStart"] == "2024-09-01T00:00:00Z"
    assert json.loads(lines[1]["Tags"]) == {"note": 'a, "quoted"\nvalue'}
    with empty_db.connect() as conn:
        gold = conn.execute(
            sa.text(
                "SELECT sum(billed_cost) FROM gold.daily_cost "
                "WHERE provider = 'AWS' AND billing_period_start = '2024-09-01'"
            )
        ).scalar_one()
    assert sum(Decimal(r["BilledCost"]) for r in lines) == gold

    one = write_line_items(
        empty_db, tmp_path / "one.csv.gz", date(2024, 9, 1), Scope(), accounts=("999",)
    )
    with gzip.open(one.path, "rt") as f:
        assert len(list(csv.DictReader(f))) == 3  # every provider, billing account 999
